"""Replicates of one scenario: one row per seed with every scalar KPI.

Replicate seeds come from the master seed by ``numpy.random.SeedSequence(master).spawn``: the
seed of replicate ``r`` depends only on the master seed and ``r``, so a run with more
replicates extends one with fewer, and two scenarios run with the same master seed face the
same random streams (common random numbers).

With ``pairs=True`` each replicate also carries the Ellison-Glaeser-Kerr co-agglomeration index
of every pair of sectors (``kpis["coagglomeration"]``), and :func:`write_replicates` summarises
them over the replicates in ``coagglomeration.csv`` (:func:`coagglomeration_table`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ...model.outputs.kpis import scalar_kpis
from ...scenarios import Scenario, load_scenario
from ..outputs.folders import atomic_dir, write_json
from ..runs.parallel import map_tasks
from ..runs.run import build_model, run_model, simulate

#: Per-park breakdowns added to the scalar KPIs: column prefix -> key in ``kpis["by_park"]``.
PARK_COLUMNS = {
    "operating_park_": "operating_firms",
    "inspections_park_": "inspections",
    "focus_share_park_": "focus_share",
    "focus_or_partner_share_park_": "focus_or_partner_share",
}
#: Prefix of the columns that carry the co-agglomeration of a pair of sectors (``a|b``).
PAIR_PREFIX = "coagglomeration:"


def replicate_seeds(master: int, n: int) -> list[int]:
    """Seeds of ``n`` replicates: the first 63-bit word of each child of the master seed."""
    children = np.random.SeedSequence(master).spawn(n)
    return [int(c.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for c in children]


def replicate_row(kpis: Mapping[str, Any]) -> dict[str, float]:
    """Every scalar KPI plus the stock and the choices of each park (one CSV row)."""
    row = scalar_kpis(dict(kpis))
    for prefix, key in PARK_COLUMNS.items():
        for pid, counts in kpis.get("by_park", {}).items():
            value = counts[key]
            row[f"{prefix}{pid}"] = np.nan if value is None else float(value)
    return row


@dataclass(frozen=True)
class Task:
    """One replicate: a resolved scenario, its seed and the months to run (None = horizon)."""

    scenario: Scenario
    seed: int
    months: int | None = None
    pairs: bool = False  # add the co-agglomeration of every sector pair (PAIR_PREFIX columns)


def run_task(task: Task) -> dict[str, float]:
    """Run one replicate and return its row (module level, so worker processes can run it)."""
    result = simulate(task.scenario, None, task.seed, task.months)
    row = {"seed": task.seed, **replicate_row(result["kpis"]), "seconds": result["seconds"]}
    if task.pairs:
        for pair, value in result["kpis"]["coagglomeration"].items():
            row[PAIR_PREFIX + pair] = np.nan if value is None else float(value)
    return row


def model_after(task: Task):
    """Build and run the model of a task (for measures that need more than the KPIs)."""
    return run_model(build_model(task.scenario, None, task.seed, firm_agents=False), task.months)


def resolve_spec(
    scenario: str | Path | Scenario, overrides: Mapping[str, Any] | Sequence[str] | None = None
) -> Scenario:
    """The scenario with its overrides applied, validated once for all replicates.

    Raises:
        TypeError: If overrides are given with an already resolved :class:`Scenario`.
    """
    if isinstance(scenario, Scenario):
        if overrides:
            raise TypeError("pass a scenario name or path to apply overrides")
        return scenario
    return load_scenario(scenario, overrides)


def run_replicates(
    scenario: str | Path | Scenario,
    replicates: int,
    seed: int = 0,
    overrides: Mapping[str, Any] | Sequence[str] | None = None,
    *,
    months: int | None = None,
    workers: int = 1,
    executor: Executor | None = None,
    on_result: Callable[[int, Any], None] | None = None,
    pairs: bool = False,
) -> pd.DataFrame:
    """Run ``replicates`` seeds of a scenario and return one row per replicate.

    Args:
        scenario: Library name, path or :class:`Scenario` (then without overrides).
        replicates: Number of replicates.
        seed: Master seed (see :func:`replicate_seeds`).
        overrides: Dotted-path overrides (a mapping or ``["a.b=1", ...]``).
        months: Months to run (default: the scenario's horizon).
        workers: Local processes (1 = serial).
        executor: Any ``concurrent.futures.Executor`` instead of a local pool.
        on_result: Progress callback ``(index, row)``.
        pairs: Also return the co-agglomeration of every sector pair (``PAIR_PREFIX``
            columns, for :func:`write_replicates`).

    Returns:
        A DataFrame with columns ``replicate``, ``seed``, every scalar KPI and ``seconds``.
    """
    spec = resolve_spec(scenario, overrides)
    tasks = [Task(spec, s, months, pairs) for s in replicate_seeds(seed, replicates)]
    rows = map_tasks(run_task, tasks, workers=workers, executor=executor, on_result=on_result)
    frame = pd.DataFrame(rows)
    frame.insert(0, "replicate", range(len(frame)))
    return frame


def coagglomeration_table(frame: pd.DataFrame, spec: Scenario) -> pd.DataFrame:
    """Co-agglomeration of every sector pair over the replicates (one row per pair).

    Columns: the two sectors, ``io_link`` (the stronger of the two input-output weights
    between them, 0 for an unlinked pair), ``same_park_focus`` (whether some park's focus
    lists both), the replicates with a defined index, its mean, standard deviation and 95%
    interval of the mean (t), most co-agglomerated pairs first.
    """
    from ...model.state.world import World

    w = World.build(spec)
    index = {s: k for k, s in enumerate(w.sector_ids)}
    cofocus = (w.park_fit.T @ w.park_fit) > 0
    rows = []
    for column in (c for c in frame.columns if c.startswith(PAIR_PREFIX)):
        a, b = column[len(PAIR_PREFIX) :].split("|")
        i, j = index[a], index[b]
        values = frame[column].to_numpy(float)
        values = values[np.isfinite(values)]
        n = len(values)
        mean = float(values.mean()) if n else np.nan
        sd = float(values.std(ddof=1)) if n > 1 else np.nan
        half = float(stats.t.ppf(0.975, n - 1) * sd / np.sqrt(n)) if n > 1 else np.nan
        rows.append({
            "sector_a": a, "sector_b": b, "io_link": float(max(w.io[i, j], w.io[j, i])),
            "same_park_focus": bool(cofocus[i, j]), "replicates": n, "mean": mean, "sd": sd,
            "ci_low": mean - half, "ci_high": mean + half,
        })  # fmt: skip
    table = pd.DataFrame(rows)
    return table.sort_values("mean", ascending=False, na_position="last", kind="stable")


def write_replicates(
    out: Path, frame: pd.DataFrame, manifest: Mapping[str, Any], spec: Scenario | None = None
) -> None:
    """Write ``replicates.csv`` and ``manifest.json`` into ``out`` atomically.

    Pair columns (``PAIR_PREFIX``, from ``run_replicates(..., pairs=True)``) go to
    ``coagglomeration.csv`` instead (:func:`coagglomeration_table` of ``spec``).
    """
    pair_columns = [c for c in frame.columns if c.startswith(PAIR_PREFIX)]
    with atomic_dir(Path(out)) as tmp:
        frame.drop(columns=pair_columns).to_csv(tmp / "replicates.csv", index=False)
        if pair_columns and spec is not None:
            coagglomeration_table(frame, spec).to_csv(tmp / "coagglomeration.csv", index=False)
        write_json(tmp / "manifest.json", dict(manifest))
