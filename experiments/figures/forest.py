"""Comparison of scenarios: a forest plot of paired differences with their intervals."""

from __future__ import annotations

import math
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from ...i18n import has_term, money_unit, term, tr
from .style import GREY, PALETTE, finish, pretty, style

#: Columns of ``compare.csv`` (written by ``zhaoshang compare``).
COMPARE_COLUMNS = [
    "scenario",
    "kpi",
    "mean",
    "sd",
    "n",
    "diff_mean",
    "diff_lo",
    "diff_hi",
    "p_value",
]

#: Scalar KPIs: the glossary key of the unit (under ``unit.``; ``money``: in millions of yuan
#: in English, 万元 in Chinese) and the divisor that puts values in it; names are ``kpi.<id>``.
KPI_UNITS = {
    "contacts": ("firms", 1.0),
    "inspections": ("firms", 1.0),
    "intentions": ("firms", 1.0),
    "contracts": ("firms", 1.0),
    "entries": ("firms", 1.0),
    "exits": ("firms", 1.0),
    "operating_firms": ("firms", 1.0),
    "jobs": ("jobs", 1.0),
    "contracted_investment_yuan": ("money", 1.0),
    "realized_investment_yuan": ("money", 1.0),
    "tax_revenue_yuan": ("money", 1.0),
    "incentive_spending_yuan": ("money", 1.0),
    "net_fiscal_yuan": ("money", 1.0),
    "cost_per_job_yuan": ("yuan_per_job", 1.0),
    "idle_land_ha": ("ha", 1.0),
    "land_allocated_ha": ("ha", 1.0),
    "turned_away": ("firms", 1.0),
    "credibility": ("probability", 1.0),
    "broken_promises": ("promises", 1.0),
    "pollution_load": ("index_units", 1.0),
    "pollution_per_job": ("index_per_job", 1.0),
    "ellison_glaeser": ("index", 1.0),
}

#: KPIs drawn by default, when the comparison holds them.
DEFAULT_KPIS = (
    "entries",
    "operating_firms",
    "jobs",
    "exits",
    "realized_investment_yuan",
    "net_fiscal_yuan",
    "idle_land_ha",
    "turned_away",
    "credibility",
)


def kpi_label(kpi: str, relative: bool = False) -> tuple[str, str, float]:
    """Title, unit and divisor of a scalar KPI (percent of the reference if ``relative``).

    In the current language: the title is the glossary's ``kpi.<id>`` (else the id).
    """
    title = term(f"kpi.{kpi}") if has_term(f"kpi.{kpi}") else pretty(kpi)
    if relative:
        return title, term("unit.percent_of_reference"), 1.0
    key, scale = KPI_UNITS.get(kpi, ("", 1.0))
    if key == "money":
        unit, scale = money_unit("medium")
    else:
        unit = term(f"unit.{key}") if key else ""
    return title, unit, scale


def _tick(value: float, _pos: int) -> str:
    """Compact tick labels: 12k for twelve thousand, 1.5M for one and a half million."""
    size = abs(value)
    if size >= 1e6:
        return f"{value / 1e6:g}M"
    if size >= 1e4:
        return f"{value / 1e3:g}k"
    return f"{value:g}"


def reference_of(compare: pd.DataFrame) -> str:
    """The reference scenario: the one whose differences are empty (else the first)."""
    scenarios = list(dict.fromkeys(compare["scenario"]))
    empty = compare.groupby("scenario", sort=False)["diff_mean"].apply(lambda d: d.isna().all())
    refs = [s for s in scenarios if empty.get(s, False)]
    return refs[0] if refs else scenarios[0]


def forest(
    compare: pd.DataFrame,
    kpis: Sequence[str] | None = None,
    source: str | None = None,
    relative: bool = False,
) -> Figure:
    """Forest plot of paired differences: one panel per KPI, one row per scenario.

    Args:
        compare: The comparison table (``compare.csv``: scenario, kpi, mean, sd, n, diff_mean,
            diff_lo, diff_hi, p_value); the reference scenario has empty differences.
        kpis: KPIs to show, one panel each (default: :data:`DEFAULT_KPIS` present, else all).
        source: Source line (scenarios, replicates, seed).
        relative: Draw differences as a percentage of the reference scenario's mean.

    Returns:
        The figure. Filled markers: the 95% interval excludes zero.
    """
    missing = [c for c in COMPARE_COLUMNS if c not in compare.columns]
    if missing:
        raise ValueError(f"the comparison table lacks the column(s) {', '.join(missing)}")
    style()
    ref = reference_of(compare)
    others = [s for s in dict.fromkeys(compare["scenario"]) if s != ref]
    present = list(dict.fromkeys(compare["kpi"]))
    if kpis is None:
        kpis = [k for k in DEFAULT_KPIS if k in present] or present
    kpis = list(kpis)
    indexed = compare.set_index(["scenario", "kpi"])
    ncols = min(3, max(len(kpis), 1))
    nrows = max(math.ceil(len(kpis) / ncols), 1)
    row_h = 0.32 * max(len(others), 1) + 0.9
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(3.0 * ncols + 1.8, row_h * nrows + 0.9), squeeze=False
    )
    y = np.arange(len(others))[::-1]
    for k, ax in enumerate(axes.flat):
        if k >= len(kpis):
            ax.remove()
            continue
        kpi = kpis[k]
        title, unit, scale = kpi_label(kpi, relative)
        if relative:
            base = indexed["mean"].get((ref, kpi), np.nan)
            scale = abs(base) / 100 if np.isfinite(base) and base != 0 else np.nan
        for j, s in enumerate(others):
            if (s, kpi) not in indexed.index:
                continue
            row = indexed.loc[(s, kpi)]
            lo, mid, hi = (row["diff_lo"] / scale, row["diff_mean"] / scale, row["diff_hi"] / scale)
            clear = np.isfinite(lo) and np.isfinite(hi) and (lo > 0 or hi < 0)
            colour = PALETTE[0] if clear else GREY
            if np.isfinite(lo) and np.isfinite(hi):
                ax.plot([lo, hi], [y[j], y[j]], color=colour, linewidth=2, solid_capstyle="butt")
            ax.plot(
                [mid],
                [y[j]],
                "o",
                color=colour,
                markersize=5.5,
                markerfacecolor=colour if clear else "white",
            )
        ax.axvline(0.0, color="#333333", linewidth=0.8)
        ax.set_yticks(y, others if k % ncols == 0 else [""] * len(others))
        ax.set_ylim(-0.6, len(others) - 0.4)
        ax.grid(axis="y", visible=False)
        ax.set_title(title, fontsize=9)
        ax.set_xlabel(unit, fontsize=8)
        ax.tick_params(axis="x", labelsize=7)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]))
        ax.xaxis.set_major_formatter(FuncFormatter(_tick))
    fig.suptitle(tr("fig.forest.title", ref=ref), fontsize=10)
    n = int(compare["n"].max()) if len(compare) and compare["n"].notna().any() else 0
    note = tr("fig.forest.note", n=n)
    return finish(fig, source, note)
