"""Scenarios: the typed schema, the loader and the library of TOML files.

The errors are imported at once (they are light); the schema and the loader on first use, so
that the command line's ``--help`` does not build the schema's models.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .errors import InputError, ScenarioError

if TYPE_CHECKING:
    from .loader import library_names, load_scenario
    from .schema import Scenario

#: Public name -> the module that defines it.
_LAZY = {"Scenario": ".schema", "library_names": ".loader", "load_scenario": ".loader"}

__all__ = ["InputError", "Scenario", "ScenarioError", "library_names", "load_scenario"]


def __getattr__(name: str) -> Any:
    """Import a public name on first use (PEP 562)."""
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name], __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
