"""A run as a pure function: (scenario, overrides, seed) -> outputs.

:func:`simulate` is the one batch run every analysis uses: comparisons and replicates call it
directly, sweeps and sensitivity analyses through :func:`evaluate`, which executors ship to
worker processes. It takes only plain data and returns plain data, so it pickles cheaply and
gives the same result in any process. Overrides reach a scenario one way only,
:func:`scenario_with`.

Nothing heavy is imported at module level: a sweep of an analytic test function never loads
the model, and the command line's ``--help`` stays fast.
"""

from __future__ import annotations

import math
import os
import socket
import time
import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from ...model import AttractionModel
    from ...scenarios import Scenario

#: Overrides as a mapping from dotted path to value, or as ``path=VALUE`` strings.
Overrides = Mapping[str, Any] | list[str] | None


def scenario_with(
    scenario: str | Path | Scenario | Mapping[str, Any],
    overrides: Overrides = None,
    source: str = "overrides",
) -> Scenario:
    """The scenario with overrides applied: the one path by which overrides reach a run.

    Args:
        scenario: A library name or path (loaded, so messages name the file that set a value),
            a :class:`Scenario`, or resolved scenario data (plain dictionaries, as experiments
            ship them to workers).
        overrides: Dotted path -> value, or ``path=VALUE`` strings as on the command line.
        source: What a validation message names as the origin of a bad value.

    Raises:
        ScenarioError: With the file or source, the field path and what is allowed.
    """
    from ...scenarios import Scenario, load_scenario
    from ...scenarios.loader import overridden, parse_override, validate_data

    if isinstance(scenario, str | Path):
        return load_scenario(scenario, overrides)
    if isinstance(scenario, Scenario):
        if not overrides:
            return scenario
        scenario = scenario.model_dump(mode="json")
    if overrides is None or isinstance(overrides, Mapping):
        mapping = dict(overrides or {})
    else:
        mapping = {".".join(keys): value for keys, value in map(parse_override, overrides)}
    return validate_data(overridden(dict(scenario), mapping), source=source)


def build_model(
    scenario: str | Path | Scenario | Mapping[str, Any],
    overrides: Overrides = None,
    seed: int | None = None,
    *,
    firm_agents: bool = True,
    collect: bool = True,
    source: str = "overrides",
) -> AttractionModel:
    """Build the model of a scenario with overrides (see :func:`scenario_with`).

    ``firm_agents`` and ``collect`` are passed to :class:`AttractionModel`.
    """
    from ...model import AttractionModel

    return AttractionModel(
        scenario_with(scenario, overrides, source),
        rng=seed,
        firm_agents=firm_agents,
        collect=collect,
    )


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
    scenario: str | Path | Scenario | Mapping[str, Any],
    overrides: Overrides = None,
    seed: int = 0,
    months: int | None = None,
    *,
    windows: Iterable[tuple[int, int]] = (),
    source: str = "overrides",
) -> dict[str, Any]:
    """Run one batch simulation (no agents, no monthly series) and return its KPIs as data.

    Args:
        scenario: Library name, path, :class:`Scenario` or resolved scenario data.
        overrides: Dotted path -> value (or ``path=VALUE`` strings).
        seed: The model's seed.
        months: Months to run (default: the scenario's horizon).
        windows: Half-open month ranges to count flows in as well, e.g. ``(0, 12)``.
        source: What a validation message names as the origin of a bad override.

    Returns:
        ``{"kpis": {...}, "scalars": {...}, "windows": {window: scalars}, "seconds": float}``;
        ``kpis`` and ``scalars`` cover the whole run.
    """
    from ...model.outputs.kpis import compute, scalar_kpis

    start = time.perf_counter()
    model = build_model(scenario, overrides, seed, firm_agents=False, collect=False, source=source)
    run_model(model, months)
    k = model.kpis()
    by_window = {tuple(w): scalar_kpis(compute(model, months=tuple(w))) for w in windows}
    return {
        "kpis": k,
        "scalars": scalar_kpis(k),
        "windows": by_window,
        "seconds": time.perf_counter() - start,
    }


@dataclass(frozen=True)
class RunSetup:
    """What every run of an experiment shares (shipped to workers once per chunk).

    Attributes:
        model: ``abm``, ``ishigami`` or ``sobol-g``.
        scenario: The resolved base scenario (plain data) for the ABM.
        outputs: ``(name, kpi, months)`` for each output.
        function: Settings of an analytic test function (a, b, g, noise).
        inputs: Input names of the analytic function in order (x1, x2, ...).
    """

    model: str
    scenario: dict[str, Any] | None
    outputs: tuple[tuple[str, str, tuple[int, int] | None], ...]
    function: dict[str, Any] | None = None
    inputs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Task:
    """One run of an experiment: a design point and a replicate with its seed and overrides."""

    setup: RunSetup
    point: int
    replicate: int
    seed: int
    values: dict[str, Any]


def evaluate(task: Task) -> dict[str, Any]:
    """Run one task of an experiment and return its record.

    It never raises for a failing run: the record then has status ``failed``, the error and its
    traceback, so one bad run cannot stop a batch.

    Returns:
        ``point``, ``replicate``, ``seed``, ``worker``, ``status``, ``outputs``, ``error``,
        ``traceback`` and ``seconds``.
    """
    start = time.perf_counter()
    record: dict[str, Any] = {
        "point": task.point,
        "replicate": task.replicate,
        "seed": task.seed,
        "worker": f"{socket.gethostname()}:{os.getpid()}",
    }
    try:
        if task.setup.model == "abm":
            outputs = _abm_outputs(task)
        else:
            outputs = _function_outputs(task)
        record.update(status="done", outputs=outputs, error=None, traceback=None)
    except Exception as exc:  # noqa: BLE001 - a failing run is recorded, never fatal to a batch
        record.update(
            status="failed",
            outputs=None,
            error=f"{type(exc).__name__}: {exc}".strip()[:2000],
            traceback=traceback.format_exc(),
        )
    record["seconds"] = time.perf_counter() - start
    return record


def _finite_or_none(value: float) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


def _abm_outputs(task: Task) -> dict[str, float | None]:
    """The outputs of one ABM run of an experiment, each over its window of months."""
    outputs = task.setup.outputs
    windows = {tuple(months) for _, _, months in outputs if months is not None}
    result = simulate(
        task.setup.scenario,  # type: ignore[arg-type]
        task.values,
        task.seed,
        windows=sorted(windows),
        source="experiment design point",
    )
    return {
        name: _finite_or_none(
            (result["scalars"] if months is None else result["windows"][tuple(months)])[kpi]
        )
        for name, kpi, months in outputs
    }


def _function_outputs(task: Task) -> dict[str, float | None]:
    """The outputs of one run of an analytic test function (Ishigami or Sobol' G)."""
    import numpy as np

    from ..validation import testfunctions

    setup = task.setup
    f = setup.function or {}
    x = np.array([[float(task.values.get(name, np.nan)) for name in setup.inputs]])
    if setup.model == "ishigami":
        y = float(testfunctions.ishigami(x, f["a"], f["b"])[0])
    else:
        y = float(testfunctions.sobol_g(x, f["g"])[0])
    if f.get("noise"):
        sd = testfunctions.noise_sd(setup.model, x, f["noise"], f.get("noise_kind", "additive"))
        y += float(np.random.default_rng(task.seed).normal(0.0, sd[0]))
    return {name: _finite_or_none(y) for name, _, _ in setup.outputs}
