"""Chinese and English labels from one glossary (``zhaoshang/glossary/*.toml``).

Each leaf table of a glossary file holds an ``en`` and a ``zh`` string; its dotted path is the
term's key: ``[classroom.join.title] en = "Join the game" zh = "加入游戏"``.
"""

from __future__ import annotations

import locale
import os
import tomllib
from functools import cache
from pathlib import Path

LANGS = ("en", "zh")
GLOSSARY = Path(__file__).parent / "glossary"


def default_lang() -> str:
    """``ZHAOSHANG_LANG`` if set to a known language, else the locale's (zh* -> zh, else en)."""
    chosen = os.environ.get("ZHAOSHANG_LANG", "").strip().lower()
    if chosen in LANGS:
        return chosen
    name = locale.getlocale()[0] or os.environ.get("LANG", "")
    return "zh" if name.lower().startswith("zh") else "en"


def _leaves(table: dict, prefix: str, out: dict[str, dict[str, str]]) -> None:
    for key, value in table.items():
        path = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict) and set(value) >= set(LANGS) and all(
            isinstance(value[lang], str) for lang in LANGS
        ):
            out[path] = value
        elif isinstance(value, dict):
            _leaves(value, path, out)


@cache
def terms() -> dict[str, dict[str, str]]:
    """Every term of every glossary file, by key."""
    out: dict[str, dict[str, str]] = {}
    for path in sorted(GLOSSARY.glob("*.toml")):
        _leaves(tomllib.loads(path.read_text(encoding="utf-8")), "", out)
    return out


def term(key: str, lang: str | None = None) -> str:
    """The label of ``key`` in ``lang`` (the default language when None).

    Raises:
        KeyError: Naming the key, if no glossary file has it.
    """
    entry = terms().get(key)
    if entry is None:
        raise KeyError(f"no glossary term {key!r}")
    return entry[lang if lang in LANGS else default_lang()]
