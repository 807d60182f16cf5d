"""Scenarios: the typed schema, the loader and the library of TOML files."""

from .errors import InputError, ScenarioError
from .loader import library_names, load_scenario
from .schema import Scenario

__all__ = ["InputError", "Scenario", "ScenarioError", "library_names", "load_scenario"]
