"""Scenarios: the typed schema, the loader and the library of TOML files.

The errors are imported at once (they are light); the schema and the loader on first use, so
that the command line's ``--help`` does not build the schema's models.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy import lazy_names
from .errors import InputError, ScenarioError

if TYPE_CHECKING:
    from .loader import library_names, load_scenario
    from .schema import Scenario

__all__ = ["InputError", "Scenario", "ScenarioError", "library_names", "load_scenario"]

__getattr__, __dir__ = lazy_names(
    __name__,
    {"Scenario": ".schema", "library_names": ".loader", "load_scenario": ".loader"},
    __all__,
)
