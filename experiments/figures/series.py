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
from matplotlib.ticker import StrMethodFormatter

from ...i18n import money_unit, term, tr
from .style import PALETTE, date_axis, finish, pretty, style, to_dates


@dataclass(frozen=True)
class SeriesSpec:
    """How a column of ``timeseries.csv`` is drawn: its KPI, unit, scale and accumulation.

    ``unit`` is a glossary key under ``unit.`` or ``money`` (money in the language's unit:
    billions of yuan in English, 亿元 in Chinese); the title is the KPI's glossary name.
    """

    kpi: str
    unit: str
    scale: float = 1.0
    cumulative: bool = False

    @property
    def title(self) -> str:
        """The panel title in the current language (cumulative series say so)."""
        name = term(f"kpi.{self.kpi}")
        return tr("fig.series.cumulative", name=name) if self.cumulative else name

    def label_and_scale(self) -> tuple[str, float]:
        """The unit label in the current language and the divisor that puts values in it."""
        if self.unit == "money":
            return money_unit("large")
        return term(f"unit.{self.unit}"), self.scale


#: Every column of ``timeseries.csv`` with its unit. Monthly flows are drawn accumulated
#: over the run.
SERIES = {
    "contacts": SeriesSpec("contacts", "firms", cumulative=True),
    "inspections": SeriesSpec("inspections", "firms", cumulative=True),
    "intentions": SeriesSpec("intentions", "firms", cumulative=True),
    "framework_agreements": SeriesSpec("framework_agreements", "firms", cumulative=True),
    "contracts": SeriesSpec("contracts", "firms", cumulative=True),
    "construction_starts": SeriesSpec("construction_starts", "firms", cumulative=True),
    "entries": SeriesSpec("entries", "firms", cumulative=True),
    "exits": SeriesSpec("exits", "firms", cumulative=True),
    "operating_firms": SeriesSpec("operating_firms", "firms"),
    "jobs": SeriesSpec("jobs", "thousand_jobs", 1e3),
    "contracted_investment_yuan": SeriesSpec("contracted_investment_yuan", "money"),
    "realized_investment_yuan": SeriesSpec("realized_investment_yuan", "money"),
    "tax_revenue_yuan": SeriesSpec("tax_revenue_yuan", "money"),
    "incentive_spending_yuan": SeriesSpec("incentive_spending_yuan", "money"),
    "net_fiscal_yuan": SeriesSpec("net_fiscal_yuan", "money"),
    "land_allocated_ha": SeriesSpec("land_allocated_ha", "ha"),
    "land_developed_ha": SeriesSpec("land_developed_ha", "ha"),
    "idle_land_ha": SeriesSpec("idle_land_ha", "ha"),
    "credibility": SeriesSpec("credibility", "probability"),
    "pollution_load": SeriesSpec("pollution_load", "index_units"),
    "searching_firms": SeriesSpec("searching_firms", "firms"),
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
        spec = SERIES.get(kpis[k])
        title, (unit, scale) = (spec.title, spec.label_and_scale()) if spec else (
            pretty(kpis[k]), ("", 1.0)
        )
        for g, name in enumerate(groups):
            part = data if name is None else data[data[group] == name]
            cumulative = spec.cumulative if spec else False
            table = replicate_matrix(part, kpis[k], cumulative) / scale
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
        ax.set_title(title, fontsize=9)
        ax.set_ylabel(unit)
        date_axis(ax)
    handles = []
    if len(groups) > 1:
        handles += [
            plt.Line2D([], [], color=PALETTE[g % len(PALETTE)], label=str(name))
            for g, name in enumerate(groups)
        ]
    if most > 1:
        handles += [
            plt.Line2D([], [], color="#333333", label=tr("fig.series.median", n=most)),
            Patch(color="#333333", alpha=BANDS[1][2], label=term("fig.series.band50")),
            Patch(color="#333333", alpha=BANDS[0][2], label=term("fig.series.band90")),
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
    unit, scale = money_unit("medium")
    yearly = flows.groupby(level=0).sum() / scale
    months = pd.Series(1, index=x.year).groupby(level=0).sum()
    fig, axes = plt.subplots(1, 3, figsize=(11.0, 3.6))
    ax = axes[0]
    pos = np.arange(len(yearly))
    width = 0.27
    names = {k: term(f"fig.fiscal.{k}") for k in ("tax", "incentives", "other", "net")}
    ax.bar(pos - width, yearly["tax"], width, color=PALETTE[0], label=names["tax"])
    ax.bar(pos, yearly["incentives"], width, color=PALETTE[1], label=names["incentives"])
    ax.bar(pos + width, yearly["other"], width, color=PALETTE[8], label=names["other"])
    ax.plot(pos, yearly["net"], "o-", color=PALETTE[7], markersize=3, label=names["net"])
    ax.axhline(0, color="#333333", linewidth=0.6)
    labels = [f"{y}" + ("*" if months[y] < 12 else "") for y in yearly.index]
    ax.set_xticks(pos, labels, rotation=90 if len(pos) > 6 else 0)
    part = term("fig.fiscal.part_year") if (months < 12).any() else ""
    ax.set_xlabel(term("fig.calendar_year") + part)
    ax.set_ylabel(tr("fig.fiscal.per_year", unit=unit))
    ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    ax.set_title(term("fig.fiscal.yearly"))
    ax.legend(loc="upper left", fontsize=6.5)
    ax = axes[1]
    big_unit, big_scale = money_unit("large")
    for j, (key, colour) in enumerate(
        [("tax", PALETTE[0]), ("incentives", PALETTE[1]), ("net", "k")]
    ):
        ax.plot(x, cum[:, j] / big_scale, color=colour, label=names[key])
    ax.axhline(0, color="#333333", linewidth=0.6)
    ax.set_ylabel(big_unit)
    ax.set_title(term("fig.fiscal.cumulative"))
    ax.legend(loc="upper left", fontsize=6.5)
    date_axis(ax)
    ax = axes[2]
    jobs = ts["jobs"].to_numpy(dtype=float)
    per_job = np.divide(cum[:, 1], jobs, out=np.full(len(jobs), np.nan), where=jobs > 0)
    job_unit, job_scale = money_unit("per_job")
    ax.plot(x, per_job / job_scale, color=PALETTE[3])
    ax.set_ylabel(job_unit)
    ax.set_title(term("fig.fiscal.per_job"))
    ax.set_ylim(bottom=0)
    date_axis(ax)
    if city:
        fig.suptitle(tr("fig.fiscal.title", city=city), fontsize=10)
    return finish(fig, source)
