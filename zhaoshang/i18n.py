"""Words for people in English or Chinese (中文), from one glossary.

Every label shown by the figures, the report, the command line and the teaching page comes
from the TOML files in ``zhaoshang/glossary/`` (one file per domain). Each leaf table holds an
``en`` and a ``zh`` string and its dotted path is the key::

    [kpi.contracts]
    en = "Construction contracts"
    zh = "签约项目"

``term("kpi.contracts", "zh")`` returns ``"签约项目"``. Without a language the current one is
used: the one set by :func:`set_lang` (``zhaoshang.i18n.set_lang("zh")`` switches a notebook
in one line), else :func:`default_lang` (``ZHAOSHANG_LANG``, else the locale).

Numbers, money and dates follow the conventions of reports in each language: money in
billion or million yuan in English and in 亿元 or 万元 in Chinese, months as ``2017-03`` or
``2017年3月``.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import re
import tomllib
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path

#: The languages every term has.
LANGS = ("en", "zh")

#: The folder of the glossary's TOML files.
GLOSSARY_DIR = Path(__file__).parent / "glossary"

#: Environment variable that sets the default language.
ENV = "ZHAOSHANG_LANG"

#: Placeholders only English grammar needs (a Chinese term may leave them out).
ENGLISH_ONLY = frozenset({"article"})

_current: str | None = None  # the process language (set_lang)
#: A language for the current thread or task only (``using``): the teaching page serves each
#: browser session in its own thread, each in the language it chose.
_local: contextvars.ContextVar[str | None] = contextvars.ContextVar("zhaoshang_lang", default=None)


class GlossaryError(ValueError):
    """A glossary file is malformed (a leaf without both languages, a key in two files)."""


def check_lang(lang: str, where: str = "--lang") -> str:
    """Return ``lang`` if it is one of :data:`LANGS`.

    Raises:
        InputError: Naming ``where`` and the allowed values.
    """
    if lang not in LANGS:
        from .scenarios.errors import InputError

        raise InputError(f"unknown language {lang!r}; allowed: {', '.join(LANGS)}", where)
    return lang


def default_lang() -> str:
    """The language from ``ZHAOSHANG_LANG``, else the locale (``zh*`` -> ``"zh"``, else ``"en"``).

    Raises:
        InputError: If ``ZHAOSHANG_LANG`` is set to something other than ``en`` or ``zh``.
    """
    chosen = os.environ.get(ENV, "").strip()
    if chosen:
        return check_lang(chosen.lower(), ENV)
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def set_lang(lang: str | None) -> str:
    """Set the language of this process (``None``: back to :func:`default_lang`).

    Returns:
        The language now in use.
    """
    global _current
    _current = None if lang is None else check_lang(lang)
    return get_lang()


@contextlib.contextmanager
def using(lang: str | None) -> Iterator[str]:
    """Use ``lang`` inside a ``with`` block, in this thread only (``None``: keep the current)."""
    token = _local.set(check_lang(lang) if lang is not None else _local.get())
    try:
        yield get_lang()
    finally:
        _local.reset(token)


def get_lang(lang: str | None = None) -> str:
    """``lang`` if given (checked), else the process language (see :func:`set_lang`)."""
    if lang is not None:
        return check_lang(lang)
    return _local.get() or _current or default_lang()


def _leaves(table: Mapping, prefix: str, source: str) -> dict[str, dict[str, str]]:
    """Flatten nested tables into ``{dotted key: {"en": ..., "zh": ...}}``."""
    out = {}
    for key, value in table.items():
        path = f"{prefix}{key}"
        if not isinstance(value, Mapping):
            raise GlossaryError(f"{source}: {path} is a value, not a table with en and zh")
        if "en" in value or "zh" in value:
            strings = {k: v for k, v in value.items() if k in LANGS}
            extra = sorted(set(value) - set(LANGS))
            if extra or len(strings) != len(LANGS):
                raise GlossaryError(
                    f"{source}: {path} must hold exactly en and zh strings (has "
                    f"{', '.join(sorted(value))})"
                )
            if not all(isinstance(v, str) and v for v in strings.values()):
                raise GlossaryError(f"{source}: {path} has an empty or non-text translation")
            en, zh = _fields(strings["en"]), _fields(strings["zh"])
            if not zh <= en or not en - zh <= ENGLISH_ONLY:
                raise GlossaryError(
                    f"{source}: {path} has different {{placeholders}} in en and zh"
                )
            out[path] = strings
        else:
            out.update(_leaves(value, f"{path}.", source))
    return out


def _fields(text: str) -> set[str]:
    """The ``{name}`` placeholders of a format string."""
    return set(re.findall(r"\{(\w*)[^}]*\}", text))


@cache
def glossary() -> dict[str, dict[str, str]]:
    """Every term: ``{dotted key: {"en": ..., "zh": ...}}``, read once from the TOML files.

    Raises:
        GlossaryError: If a file is malformed or a key is defined in two files.
    """
    out: dict[str, dict[str, str]] = {}
    where: dict[str, str] = {}
    for path in sorted(GLOSSARY_DIR.glob("*.toml")):
        with path.open("rb") as handle:
            leaves = _leaves(tomllib.load(handle), "", path.name)
        for key, strings in leaves.items():
            if key in out:
                raise GlossaryError(f"{key} is defined in both {where[key]} and {path.name}")
            out[key], where[key] = strings, path.name
    return out


def term(key: str, lang: str | None = None) -> str:
    """The text of a glossary term in a language (default: the current one).

    Raises:
        KeyError: Naming the key, if the glossary lacks it.
    """
    entry = glossary().get(key)
    if entry is None:
        raise KeyError(f"the glossary has no term {key!r} (add it to zhaoshang/glossary/*.toml)")
    return entry[get_lang(lang)]


def tr(key: str, lang: str | None = None, **values: object) -> str:
    """A term with its ``{placeholders}`` filled: ``tr("fig.funnel.title", period="2017")``."""
    return term(key, lang).format(**values)


def has_term(key: str) -> bool:
    """Whether the glossary defines ``key``."""
    return key in glossary()


def label(prefix: str, ident: str, lang: str | None = None) -> str:
    """The term ``prefix.ident`` if the glossary has it, else ``ident`` with spaces."""
    key = f"{prefix}.{ident}"
    return term(key, lang) if has_term(key) else str(ident).replace("_", " ")


def name_of(spec: Mapping, ident: str = "", lang: str | None = None, field: str = "name") -> str:
    """A scenario object's name in a language: ``name_zh`` in Chinese when given, else ``name``.

    Args:
        spec: The object's table (a sector, park, region, government...).
        ident: Its id, used when it has no name.
        lang: Language (default: the current one).
        field: The English field (``name``, ``title``, ``place``); Chinese is ``<field>_zh``.
    """
    english = spec.get(field) or ident
    if get_lang(lang) == "zh":
        return spec.get(f"{field}_zh") or english
    return english


def glossary_markdown() -> str:
    """``docs/glossary.md``: every term in English and Chinese, one table per file."""
    lines = [
        "# Glossary (术语表, 中英对照)",
        "",
        "Every label the figures, the report, the command line and the teaching page show, in",
        "English and Chinese. Generated from `zhaoshang/glossary/*.toml` by",
        "`python docs/generate.py`; edit those files, not this one. `{name}` marks a value",
        "filled in when the text is shown.",
    ]
    entries = glossary()
    for path in sorted(GLOSSARY_DIR.glob("*.toml")):
        with path.open("rb") as handle:
            keys = _leaves(tomllib.load(handle), "", path.name)
        lines += ["", f"## {path.stem}", "", "| key | English | 中文 |", "|---|---|---|"]
        for key in keys:
            cells = [entries[key]["en"], entries[key]["zh"]]
            shown = [c.replace("|", "\\|").replace("\n", "<br>") for c in cells]
            lines.append(f"| `{key}` | {shown[0]} | {shown[1]} |")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------- numbers

#: Money units: size -> language -> (glossary key of the unit, yuan per unit). Chinese reports
#: count money in 亿元 (1e8 yuan) and 万元 (1e4 yuan), English ones in billions and millions.
MONEY_UNITS = {
    "large": {"en": ("unit.bn_yuan", 1e9), "zh": ("unit.yi_yuan", 1e8)},
    "medium": {"en": ("unit.million_yuan", 1e6), "zh": ("unit.wan_yuan", 1e4)},
    "per_job": {"en": ("unit.thousand_yuan_per_job", 1e3), "zh": ("unit.wan_yuan_per_job", 1e4)},
}


def money_unit(size: str = "large", lang: str | None = None) -> tuple[str, float]:
    """The unit label and yuan per unit for money of a size (``large``, ``medium``, ``per_job``)."""
    key, scale = MONEY_UNITS[size][get_lang(lang)]
    return term(key, lang), scale


def number(value: float | None, decimals: int = 0) -> str:
    """A number with thousands separators (``12,345.6``), ``-`` for none.

    Chinese statistical reports group digits in threes with commas as English ones do.
    """
    if value is None or value != value:
        return "-"
    return f"{value:,.{decimals}f}"


def money(yuan: float | None, size: str = "large", lang: str | None = None) -> str:
    """Money in the unit of a language: ``1.23 bn yuan`` or ``12.3 亿元``."""
    unit, scale = money_unit(size, lang)
    if yuan is None or yuan != yuan:
        return "-"
    sep = "" if get_lang(lang) == "zh" else " "
    return f"{number(yuan / scale, 2)}{sep}{unit}"


def month_label(date: str, lang: str | None = None) -> str:
    """A calendar month ``YYYY-MM`` as written in a language: ``2017-03`` or ``2017年3月``."""
    text = str(date)
    match = re.fullmatch(r"(\d{4})-(\d{1,2})(?:-\d{1,2})?", text)
    if not match or get_lang(lang) != "zh":
        return text
    return f"{match.group(1)}年{int(match.group(2))}月"


def period(start: str, end: str, lang: str | None = None) -> str:
    """A span of months: ``2017-01 to 2026-12`` or ``2017年1月至2026年12月``."""
    return tr("common.period", lang, start=month_label(start, lang), end=month_label(end, lang))


__all__ = [
    "ENV",
    "LANGS",
    "GlossaryError",
    "check_lang",
    "default_lang",
    "get_lang",
    "glossary",
    "glossary_markdown",
    "has_term",
    "label",
    "money",
    "money_unit",
    "month_label",
    "name_of",
    "number",
    "period",
    "set_lang",
    "term",
    "tr",
    "using",
]
