"""One run of an experiment as a pure, picklable function: (setup, overrides, seed) -> outputs.

:func:`evaluate` never raises for a failing run: it returns a record with status ``failed``,
the error and its traceback, so one bad run cannot stop a batch.
"""

from __future__ import annotations

import math
import os
import socket
import time
import traceback
from dataclasses import dataclass
from typing import Any

import numpy as np

from .validation import testfunctions


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
    """One run: a design point and a replicate with its seed and overrides."""

    setup: RunSetup
    point: int
    replicate: int
    seed: int
    values: dict[str, Any]


def evaluate(task: Task) -> dict[str, Any]:
    """Run one task and return its record (status, outputs, duration, error, traceback)."""
    start = time.perf_counter()
    record: dict[str, Any] = {
        "point": task.point,
        "replicate": task.replicate,
        "seed": task.seed,
        "worker": f"{socket.gethostname()}:{os.getpid()}",
    }
    try:
        if task.setup.model == "abm":
            outputs = _run_abm(task)
        else:
            outputs = _run_function(task)
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


def _run_abm(task: Task) -> dict[str, float | None]:
    from ..model import AttractionModel
    from ..model.kpis import compute, scalar_kpis
    from ..scenarios.loader import overridden, validate_data

    data = overridden(task.setup.scenario, task.values)  # type: ignore[arg-type]
    scenario = validate_data(data, source="experiment design point")  # type: ignore[arg-type]
    model = AttractionModel(scenario, rng=task.seed, firm_agents=False, collect=False)
    model.run_for(scenario.time.months)
    windows: dict[tuple[int, int] | None, dict[str, float]] = {}
    out = {}
    for name, kpi, months in task.setup.outputs:
        if months not in windows:
            k = model.kpis() if months is None else compute(model, months=tuple(months))
            windows[months] = scalar_kpis(k)
        out[name] = _finite_or_none(windows[months][kpi])
    return out


def _run_function(task: Task) -> dict[str, float | None]:
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
