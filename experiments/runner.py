"""A run as a pure function: (scenario, overrides, seed) -> outputs.

:func:`simulate` is what executors ship to worker processes: it takes only plain data, imports
nothing heavy it does not need and returns plain data, so it pickles cheaply and gives the
same result in any process.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from ..model import AttractionModel
from ..model.outputs.kpis import scalar_kpis
from ..scenarios import Scenario, load_scenario


def build_model(
    scenario: str | Path | Scenario,
    overrides: Mapping[str, Any] | list[str] | None = None,
    seed: int | None = None,
    *,
    firm_agents: bool = True,
    collect: bool = True,
) -> AttractionModel:
    """Load a scenario (name, path or object), apply overrides, and build the model.

    ``firm_agents`` and ``collect`` are passed to :class:`AttractionModel`.
    """
    if isinstance(scenario, Scenario):
        if overrides:
            from ..scenarios.loader import apply_override, parse_override, validate_data

            data = scenario.model_dump(mode="json")
            items = (
                [(k.split("."), v) for k, v in overrides.items()]
                if isinstance(overrides, Mapping)
                else [parse_override(t) for t in overrides]
            )
            for keys, value in items:
                apply_override(data, keys, value)
            scenario = validate_data(data, source="overrides")
    else:
        scenario = load_scenario(scenario, overrides)
    return AttractionModel(scenario, rng=seed, firm_agents=firm_agents, collect=collect)


def run_model(
    model: AttractionModel,
    months: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> AttractionModel:
    """Run a model to its horizon (or ``months``), calling ``progress(month)`` each month.

    Without ``progress``, ``AttractionModel.run_for`` runs the months (a batch model, one that
    keeps no agents or monthly series, then runs them all in one compiled call).
    """
    months = model.horizon - model.month if months is None else months
    if progress is None:
        model.run_for(months)
        return model
    for _ in range(months):
        if model.month >= model.horizon:
            break
        model.step()
        progress(model.month)
    return model


def timeseries(model: AttractionModel) -> pd.DataFrame:
    """The model-level reporters, one row per simulated month, with a ``date`` column."""
    df = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    df.insert(0, "month", range(len(df)))
    return df


def simulate(
    scenario: str | Scenario,
    overrides: Mapping[str, Any] | None = None,
    seed: int = 0,
    months: int | None = None,
) -> dict[str, Any]:
    """Run one simulation and return its KPIs as plain data.

    Args:
        scenario: Library name, path, or a :class:`Scenario`.
        overrides: Mapping from dotted path to value.
        seed: The model's seed.
        months: Months to run (default: the scenario's horizon).

    Returns:
        ``{"kpis": {...}, "scalars": {...}, "seconds": float}``.
    """
    start = time.perf_counter()
    model = build_model(scenario, overrides, seed, firm_agents=False, collect=False)
    run_model(model, months)
    k = model.kpis()
    return {"kpis": k, "scalars": scalar_kpis(k), "seconds": time.perf_counter() - start}
