"""Zhaoshang (招商): an agent-based model of investment attraction and industrial clustering.

Quick use from Python::

    from zhaoshang import load_scenario, AttractionModel
    model = AttractionModel(load_scenario("ruzhou-2017"), rng=7)
    model.run_for(120)
    model.kpis()["contracts"]

The names below are imported on first use, so that ``import zhaoshang`` (and the command line's
``--help``) does not load Mesa, Numba and the model's kernels until something needs them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .lazy import lazy_names

if TYPE_CHECKING:
    from .model import AttractionModel
    from .scenarios import InputError, Scenario, ScenarioError, library_names, load_scenario

__all__ = [
    "AttractionModel",
    "InputError",
    "Scenario",
    "ScenarioError",
    "__version__",
    "library_names",
    "load_scenario",
]

_imported, __dir__ = lazy_names(
    __name__,
    {
        "AttractionModel": ".model",
        "InputError": ".scenarios",
        "Scenario": ".scenarios",
        "ScenarioError": ".scenarios",
        "library_names": ".scenarios",
        "load_scenario": ".scenarios",
    },
    __all__,
)


def __getattr__(name: str) -> Any:
    """Import a public name on first use; ``__version__`` from the installed metadata."""
    if name != "__version__":
        return _imported(name)
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("zhaoshang")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0.0.0"
