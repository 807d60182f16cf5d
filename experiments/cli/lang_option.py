"""The ``--lang`` option shared by every command that writes words for people."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from ...i18n import LANGS, set_lang

#: The languages as a choice for the command line (``--lang zh`` or ``--lang en``).
Lang = Enum("Lang", {code: code for code in LANGS}, type=str)

LangOption = Annotated[
    Lang | None,
    typer.Option(
        "--lang",
        help="Language of tables, figures and reports: zh (中文) or en. "
        "Default: ZHAOSHANG_LANG, else the locale.",
        show_default=False,
    ),
]


def use_lang(lang: Lang | str | None) -> str:
    """Switch this process to ``lang`` (``None``: ``ZHAOSHANG_LANG``, else the locale).

    Returns:
        The language in use.
    """
    return set_lang(None if lang is None else getattr(lang, "value", lang))
