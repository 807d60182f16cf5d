"""Monthly time series: key KPIs (with replicate bands) and the fiscal accounts."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from .style import PALETTE, date_axis, finish, pretty, style, to_dates


@dataclass(frozen=True)
class SeriesSpec:
    """How a column of ``timeseries.csv`` is drawn: title, unit, scale and accumulation."""

    title: str
    unit: str
    scale: float = 1.0
    cumulative: bool = False


#: Every column of ``timeseries.csv`` with its title and unit. Monthly flows are drawn
#: accumulated over the run; money in billions of yuan.
SERIES = {
    "contacts": SeriesSpec("Contacts (cumulative)", "firms", cumulative=True),
    "inspections": SeriesSpec("Inspections (cumulative)", "firms", cumulative=True),
    "intentions": SeriesSpec("Intentions (cumulative)", "firms", cumulative=True),
    "framework_agreements": SeriesSpec("Framework agreements (cum.)", "firms", cumulative=True),
    "contracts": SeriesSpec("Construction contracts (cum.)", "firms", cumulative=True),
    "construction_starts": SeriesSpec("Construction starts (cum.)", "firms", cumulative=True),
    "entries": SeriesSpec("Entries (cumulative)", "firms", cumulative=True),
    "exits": SeriesSpec("Exits (cumulative)", "firms", cumulative=True),
    "operating_firms": SeriesSpec("Operating firms", "firms"),
    "jobs": SeriesSpec("Jobs", "thousand jobs", 1e3),
    "contracted_investment_yuan": SeriesSpec("Contracted investment", "bn yuan", 1e9),
    "realized_investment_yuan": SeriesSpec("Realised investment", "bn yuan", 1e9),
    "tax_revenue_yuan": SeriesSpec("Tax revenue (cumulative)", "bn yuan", 1e9),
    "incentive_spending_yuan": SeriesSpec("Incentive spending (cum.)", "bn yuan", 1e9),
    "net_fiscal_yuan": SeriesSpec("Net fiscal balance (cum.)", "bn yuan", 1e9),
    "land_allocated_ha": SeriesSpec("Land allocated", "ha"),
    "land_developed_ha": SeriesSpec("Land developed", "ha"),
    "idle_land_ha": SeriesSpec("Idle land", "ha"),
    "credibility": SeriesSpec("Credibility of promises", "probability"),
    "pollution_load": SeriesSpec("Pollution load", "index units"),
    "searching_firms": SeriesSpec("Firms searching for a site", "firms"),
}

#: The panels of :func:`kpi_series` unless others are asked for.
KEY_SERIES = (
    "operating_firms",
    "jobs",
    "contracts",
    "realized_investment_yuan",
    "credibility",
    "idle_land_ha",
)

#: Quantiles of the replicate bands: 90% band, 50% band, median.
BANDS = ((0.05, 0.95, 0.18), (0.25, 0.75, 0.38))


def _check_columns(data: pd.DataFrame, needed: Sequence[str], what: str) -> None:
    missing = [c for c in needed if c not in data.columns]
    if missing:
        raise ValueError(
            f"{what} lacks the column(s) {', '.join(missing)}; it has {', '.join(data.columns)}"
        )


def replicate_matrix(data: pd.DataFrame, column: str, cumulative: bool) -> pd.DataFrame:
    """One column per replicate, one row per date (accumulated over time if asked)."""
    rep = data["replicate"] if "replicate" in data.columns else 0
    table = (
        data.assign(_rep=rep)
        .pivot_table(index="date", columns="_rep", values=column, aggfunc="first")
        .sort_index()
    )
    return table.cumsum() if cumulative else table


def kpi_series(
    data: pd.DataFrame,
    kpis: Sequence[str] | None = None,
    source: str | None = None,
    group: str | None = "scenario",
) -> Figure:
    """Time series of key KPIs; with replicates a median line with 50% and 90% bands.

    Args:
        data: Long table with a ``date`` column (``YYYY-MM``), one column per KPI (as in
            ``timeseries.csv``), and optionally ``replicate`` (one series per replicate) and a
            grouping column such as ``scenario`` (one colour per group).
        kpis: Columns to draw, one panel each (default :data:`KEY_SERIES`).
        source: Source line.
        group: Column that splits the data into coloured groups, if present.

    Returns:
        The figure.
    """
    kpis = list(kpis or KEY_SERIES)
    _check_columns(data, ["date", *kpis], "the time-series table")
    style()
    groups = [None]
    if group and group in data.columns:
        groups = list(dict.fromkeys(data[group]))
    ncols = min(3, len(kpis))
    nrows = math.ceil(len(kpis) / ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(3.3 * ncols + 0.6, 2.5 * nrows + 0.8), squeeze=False
    )
    most = 1
    for k, ax in enumerate(axes.flat):
        if k >= len(kpis):
            ax.remove()
            continue
        spec = SERIES.get(kpis[k], SeriesSpec(pretty(kpis[k]), ""))
        for g, name in enumerate(groups):
            part = data if name is None else data[data[group] == name]
            table = replicate_matrix(part, kpis[k], spec.cumulative) / spec.scale
            x = to_dates(table.index)
            colour = PALETTE[g % len(PALETTE)]
            most = max(most, table.shape[1])
            if table.shape[1] > 1:
                for lo, hi, alpha in BANDS:
                    ax.fill_between(
                        x,
                        table.quantile(lo, axis=1),
                        table.quantile(hi, axis=1),
                        color=colour,
                        alpha=alpha,
                        linewidth=0,
                    )
            ax.plot(x, table.median(axis=1), color=colour, linewidth=1.4, label=name)
        ax.set_title(spec.title, fontsize=9)
        ax.set_ylabel(spec.unit)
        date_axis(ax)
    handles = []
    if len(groups) > 1:
        handles += [
            plt.Line2D([], [], color=PALETTE[g % len(PALETTE)], label=str(name))
            for g, name in enumerate(groups)
        ]
    if most > 1:
        handles += [
            plt.Line2D([], [], color="#333333", label=f"median of {most} replicates"),
            Patch(color="#333333", alpha=BANDS[1][2], label="50% of replicates"),
            Patch(color="#333333", alpha=BANDS[0][2], label="90% of replicates"),
        ]
    if handles:
        axes.flat[0].legend(handles=handles, loc="upper left", fontsize=6.5)
    return finish(fig, source)


def fiscal(ts: pd.DataFrame, source: str | None = None, city: str | None = None) -> Figure:
    """Tax income, incentive spending and net balance over time; cost per job.

    Args:
        ts: The run's ``timeseries.csv`` (cumulative money columns in yuan, ``jobs``).
        source: Source line.
        city: Name of the city, for the title.

    Returns:
        The figure: yearly flows, cumulative accounts, and incentive spending per job.
    """
    cols = ["date", "tax_revenue_yuan", "incentive_spending_yuan", "net_fiscal_yuan", "jobs"]
    _check_columns(ts, cols, "the time-series table")
    style()
    ts = ts.sort_values("date")
    x = to_dates(ts["date"])
    cum = ts[cols[1:4]].to_numpy(dtype=float)
    monthly = np.diff(cum, axis=0, prepend=0.0)
    flows = pd.DataFrame(
        {
            "tax": monthly[:, 0],
            "incentives": monthly[:, 1],
            "other": monthly[:, 0] - monthly[:, 1] - monthly[:, 2],
            "net": monthly[:, 2],
        },
        index=x.year,
    )
    yearly = flows.groupby(level=0).sum() / 1e6
    months = pd.Series(1, index=x.year).groupby(level=0).sum()
    fig, axes = plt.subplots(1, 3, figsize=(11.0, 3.6))
    ax = axes[0]
    pos = np.arange(len(yearly))
    width = 0.27
    ax.bar(pos - width, yearly["tax"], width, color=PALETTE[0], label="tax income")
    ax.bar(pos, yearly["incentives"], width, color=PALETTE[1], label="incentive spending")
    ax.bar(pos + width, yearly["other"], width, color=PALETTE[8], label="outreach less fees")
    ax.plot(pos, yearly["net"], "o-", color=PALETTE[7], markersize=3, label="net balance")
    ax.axhline(0, color="#333333", linewidth=0.6)
    labels = [f"{y}" + ("*" if months[y] < 12 else "") for y in yearly.index]
    ax.set_xticks(pos, labels, rotation=90 if len(pos) > 6 else 0)
    ax.set_xlabel("calendar year" + (" (* part year)" if (months < 12).any() else ""))
    ax.set_ylabel("million yuan per year")
    ax.set_title("Yearly flows")
    ax.legend(loc="upper left", fontsize=6.5)
    ax = axes[1]
    for j, (label, colour) in enumerate(
        [("tax income", PALETTE[0]), ("incentive spending", PALETTE[1]), ("net balance", "k")]
    ):
        ax.plot(x, cum[:, j] / 1e9, color=colour, label=label)
    ax.axhline(0, color="#333333", linewidth=0.6)
    ax.set_ylabel("bn yuan")
    ax.set_title("Cumulative accounts")
    ax.legend(loc="upper left", fontsize=6.5)
    date_axis(ax)
    ax = axes[2]
    jobs = ts["jobs"].to_numpy(dtype=float)
    per_job = np.divide(cum[:, 1], jobs, out=np.full(len(jobs), np.nan), where=jobs > 0)
    ax.plot(x, per_job / 1e3, color=PALETTE[3])
    ax.set_ylabel("thousand yuan per job")
    ax.set_title("Cost per job (incentives to date / jobs)")
    ax.set_ylim(bottom=0)
    date_axis(ax)
    if city:
        fig.suptitle(f"Fiscal accounts of {city}", fontsize=10)
    return finish(fig, source)
