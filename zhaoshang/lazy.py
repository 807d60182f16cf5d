"""Public names of a package imported on first use (PEP 562), so start-up stays light."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable
from typing import Any


def lazy_names(
    package: str, where: dict[str, str], public: Iterable[str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """A package's module-level ``__getattr__`` and ``__dir__`` for names imported on first use.

    Args:
        package: The package's ``__name__``.
        where: Public name -> the module that defines it, relative to the package (``.loader``).
        public: The package's ``__all__``.

    Returns:
        ``(__getattr__, __dir__)``; a name, once imported, is kept in the package's namespace.
    """
    listed = tuple(public)

    def getattr_(name: str) -> Any:
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(where[name], package), name)
        setattr(sys.modules[package], name, value)
        return value

    def dir_() -> list[str]:
        return sorted({*vars(sys.modules[package]), *listed})

    return getattr_, dir_
