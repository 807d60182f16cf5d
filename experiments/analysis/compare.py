"""Paired comparison of scenarios with common random numbers.

Replicate ``i`` of every scenario runs with the same seed. Because the model draws every
random number from a stream keyed by (seed, firm, month, purpose), the same firm faces the
same dice in every scenario, and the paired difference ``KPI(B, i) - KPI(A, i)`` removes most
of the noise that two independent runs would carry. For each KPI the comparison reports the
mean and standard deviation of every scenario and, for every scenario after the first (the
reference), the mean paired difference with a 95% t-interval and the p-value of the paired
t-test.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ...i18n import has_term, term, tr
from ..outputs.folders import atomic_dir, write_json, write_text
from ..runs.parallel import map_tasks
from ..runs.run import simulate

#: Columns of ``compare.csv``, in order.
COLUMNS = ["scenario", "kpi", "mean", "sd", "n", "diff_mean", "diff_lo", "diff_hi", "p_value"]

#: KPIs added to the figure's defaults in the Markdown table and the forest plot.
EXTRA_HEADLINE = ("pollution_per_job",)

LEVEL = 0.95


def replicate_seeds(master: int, n: int) -> list[int]:
    """Seeds of replicates ``0 .. n-1`` derived from one master seed.

    Each seed is the first 32-bit word of the ``i``-th child of
    ``numpy.random.SeedSequence(master)``, so seeds are well spread, reproducible and any
    non-negative master (0 included) is valid.
    """
    children = np.random.SeedSequence(master).spawn(n)
    return [int(child.generate_state(1)[0]) for child in children]


def mean_interval(values: Sequence[float], level: float = LEVEL) -> dict[str, float]:
    """Mean, standard deviation and t-interval of the mean of the finite values.

    With fewer than two values the interval is undefined (NaN). When all values are equal the
    interval is the single point ``[mean, mean]``.

    Returns:
        ``{"mean", "sd", "n", "lo", "hi"}``.
    """
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    n = len(x)
    if n == 0:
        return {"mean": math.nan, "sd": math.nan, "n": 0, "lo": math.nan, "hi": math.nan}
    mean = float(x.mean())
    if n < 2:
        return {"mean": mean, "sd": math.nan, "n": 1, "lo": math.nan, "hi": math.nan}
    sd = float(x.std(ddof=1))
    if sd == 0.0 or np.all(x == x[0]):
        return {"mean": mean, "sd": 0.0, "n": n, "lo": mean, "hi": mean}
    half = float(stats.t.ppf(0.5 + level / 2, n - 1)) * sd / math.sqrt(n)
    return {"mean": mean, "sd": sd, "n": n, "lo": mean - half, "hi": mean + half}


def paired_difference(
    reference: Sequence[float], other: Sequence[float], level: float = LEVEL
) -> dict[str, float]:
    """Mean paired difference ``other - reference`` with its t-interval and p-value.

    Pairs where either value is missing (NaN) are dropped. When every difference is the same
    number ``d`` the interval is ``[d, d]`` and the p-value is 0 if ``d != 0``, else 1.

    Returns:
        ``{"diff_mean", "diff_lo", "diff_hi", "p_value", "n"}``.
    """
    a = np.asarray(reference, dtype=float)
    b = np.asarray(other, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"paired samples differ in length: {a.shape} and {b.shape}")
    d = (b - a)[np.isfinite(a) & np.isfinite(b)]
    summary = mean_interval(d, level)
    if summary["n"] < 2:
        p = math.nan
    elif summary["sd"] == 0.0:
        p = 0.0 if summary["mean"] != 0.0 else 1.0
    else:
        t = summary["mean"] / (summary["sd"] / math.sqrt(summary["n"]))
        p = float(2.0 * stats.t.sf(abs(t), summary["n"] - 1))
    return {
        "diff_mean": summary["mean"],
        "diff_lo": summary["lo"],
        "diff_hi": summary["hi"],
        "p_value": p,
        "n": summary["n"],
    }


def headline_kpis(present: Sequence[str]) -> list[str]:
    """The headline KPIs among ``present``: the forest plot's defaults and pollution per job."""
    from ..figures.forest import DEFAULT_KPIS

    return [k for k in (*DEFAULT_KPIS, *EXTRA_HEADLINE) if k in set(present)]


def scalar_columns(replicates: pd.DataFrame) -> list[str]:
    """KPI columns of a replicates table (everything but scenario, replicate and seed)."""
    return [c for c in replicates.columns if c not in ("scenario", "replicate", "seed")]


def summarise(
    replicates: pd.DataFrame, scenarios: Sequence[str], kpis: Sequence[str] | None = None
) -> pd.DataFrame:
    """The comparison table: one row per (scenario, KPI), in the order given.

    Args:
        replicates: One row per (scenario, replicate) with a column per KPI.
        scenarios: Scenario labels; the first is the reference of the differences.
        kpis: KPIs to compare (default: every KPI column).

    Returns:
        A DataFrame with the columns :data:`COLUMNS`; the difference columns are NaN for the
        reference.
    """
    kpis = list(kpis) if kpis is not None else scalar_columns(replicates)
    tables = {
        s: replicates[replicates["scenario"] == s].set_index("replicate").sort_index()
        for s in scenarios
    }
    ref = tables[scenarios[0]]
    rows = []
    for s in scenarios:
        table = tables[s]
        if not table.index.equals(ref.index):
            raise ValueError(f"scenario {s!r} has other replicates than {scenarios[0]!r}")
        for kpi in kpis:
            own = mean_interval(table[kpi].to_numpy(dtype=float))
            row = {"scenario": s, "kpi": kpi, "mean": own["mean"], "sd": own["sd"], "n": own["n"]}
            if s == scenarios[0]:
                row.update(diff_mean=math.nan, diff_lo=math.nan, diff_hi=math.nan, p_value=math.nan)
            else:
                diff = paired_difference(ref[kpi].to_numpy(float), table[kpi].to_numpy(float))
                diff.pop("n")
                row.update(diff)
            rows.append(row)
    return pd.DataFrame(rows, columns=COLUMNS)


# --------------------------------------------------------------------------- running
@dataclass(frozen=True)
class RunTask:
    """One run of a comparison: a scenario, its overrides, a replicate and its seed."""

    scenario: str
    replicate: int
    seed: int
    overrides: Mapping[str, Any] = field(default_factory=dict)


def run_task(task: RunTask) -> dict[str, Any]:
    """Run one task in a worker and return its scalar KPIs (picklable, module level)."""
    result = simulate(task.scenario, dict(task.overrides), task.seed)
    return {"scalars": result["scalars"], "seconds": result["seconds"]}


def comparison_tasks(
    scenarios: Sequence[str], seeds: Sequence[int], overrides: Mapping[str, Any]
) -> list[RunTask]:
    """Every (scenario, replicate) run, replicate ``i`` of each scenario with seed ``i``."""
    return [
        RunTask(s, i, seed, dict(overrides)) for i, seed in enumerate(seeds) for s in scenarios
    ]


def run_comparison(
    scenarios: Sequence[str],
    replicates: int,
    seed: int,
    overrides: Mapping[str, Any] | None = None,
    workers: int = 1,
    on_result: Callable[[int, Any], None] | None = None,
) -> tuple[pd.DataFrame, list[float]]:
    """Run every scenario ``replicates`` times with paired seeds.

    Returns:
        The replicates table (scenario, replicate, seed, one column per scalar KPI) and the
        seconds each run took.
    """
    seeds = replicate_seeds(seed, replicates)
    tasks = comparison_tasks(scenarios, seeds, overrides or {})
    results = map_tasks(run_task, tasks, workers=workers, on_result=on_result)
    rows = [
        {"scenario": t.scenario, "replicate": t.replicate, "seed": t.seed, **r["scalars"]}
        for t, r in zip(tasks, results, strict=True)
    ]
    frame = pd.DataFrame(rows)
    order = {s: k for k, s in enumerate(scenarios)}
    frame = frame.sort_values(
        ["scenario", "replicate"], key=lambda c: c.map(order) if c.name == "scenario" else c
    ).reset_index(drop=True)
    return frame, [r["seconds"] for r in results]


# --------------------------------------------------------------------------- reporting
def fmt_number(value: float) -> str:
    """A compact number: millions as ``M``, thousands separators, else three significant digits."""
    if value is None or not np.isfinite(value):
        return "-"
    if abs(value) >= 1e6:
        return f"{value / 1e6:,.1f}M"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def fmt_p(p: float) -> str:
    """A p-value for a table."""
    if p is None or not np.isfinite(p):
        return "-"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def markdown_table(compare: pd.DataFrame, kpis: Sequence[str], title: str = "") -> str:
    """A Markdown table: per KPI, each scenario's mean ± sd and its paired difference.

    Args:
        compare: The comparison table (:func:`summarise`).
        kpis: KPIs to show, in order.
        title: Heading line written above the table.

    Returns:
        Markdown text.
    """
    scenarios = list(dict.fromkeys(compare["scenario"]))
    ref = scenarios[0]
    head = [term("summary.kpi"), tr("report.mean_sd", name=ref)]
    for s in scenarios[1:]:
        head += [tr("report.mean_sd", name=s), tr("report.diff_ci", name=s, ref=ref), "p"]
    lines = [f"# {title}", ""] if title else []
    lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    indexed = compare.set_index(["scenario", "kpi"])
    for kpi in kpis:
        cells = [kpi_cell(kpi)]
        for s in scenarios:
            row = indexed.loc[(s, kpi)]
            cells.append(f"{fmt_number(row['mean'])} ± {fmt_number(row['sd'])}")
            if s != ref:
                cells.append(
                    f"{fmt_number(row['diff_mean'])} "
                    f"[{fmt_number(row['diff_lo'])}, {fmt_number(row['diff_hi'])}]"
                )
                cells.append(fmt_p(row["p_value"]))
        lines.append("| " + " | ".join(cells) + " |")
    n = int(compare["n"].max()) if len(compare) else 0
    lines += ["", tr("compare.note", ref=f"`{ref}`", n=n)]
    return "\n".join(lines) + "\n"


def kpi_cell(kpi: str) -> str:
    """A KPI in a table: its name in the current language and its id (```kpi```)."""
    return f"{term(f'kpi.{kpi}')} (`{kpi}`)" if has_term(f"kpi.{kpi}") else f"`{kpi}`"


def write_comparison(
    out: Path,
    replicates: pd.DataFrame,
    compare: pd.DataFrame,
    manifest: Mapping[str, Any],
    kpis: Sequence[str],
    source: str,
) -> None:
    """Write a comparison folder atomically.

    Files: ``compare.csv``, ``compare.md``, ``replicates.csv``, ``manifest.json`` and
    ``figures/compare_forest.png``.
    """
    from ..figures import forest, save  # matplotlib only where figures are drawn

    with atomic_dir(Path(out)) as tmp:
        compare.to_csv(tmp / "compare.csv", index=False, na_rep="")
        replicates.to_csv(tmp / "replicates.csv", index=False, na_rep="")
        write_text(tmp / "compare.md", markdown_table(compare, kpis, source))
        write_json(tmp / "manifest.json", dict(manifest))
        save(forest(compare, kpis, source), tmp / "figures" / "compare_forest")
