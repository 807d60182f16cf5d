"""Zhaoshang (招商): an agent-based model of investment attraction and industrial clustering.

Quick use from Python::

    from zhaoshang import load_scenario, AttractionModel
    model = AttractionModel(load_scenario("ruzhou-2017"), rng=7)
    model.run_for(120)
    model.kpis()["contracts"]
"""

from importlib.metadata import PackageNotFoundError, version

from .model import AttractionModel
from .scenarios import InputError, Scenario, ScenarioError, library_names, load_scenario

try:
    __version__ = version("zhaoshang")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "AttractionModel",
    "InputError",
    "Scenario",
    "ScenarioError",
    "__version__",
    "library_names",
    "load_scenario",
]
