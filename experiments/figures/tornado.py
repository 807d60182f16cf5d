"""The lever audit as a tornado: each lever's effect (low -> high) on each main KPI."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ...i18n import has_term, term, tr
from ...scenarios.fields import LEVER_KPIS
from .style import GREY, PALETTE, finish, side_legend, style

#: Colour of a lever's bars by its flag (``levers.csv``'s ``flag``).
FLAG_COLOURS = {"ok": PALETTE[0], "no effect": GREY, "unexpected sign": PALETTE[1]}


def _percent(table: pd.DataFrame, kpi: str, column: str) -> np.ndarray:
    """A difference column as a percentage of the KPI's mean in the low arm (NaN if 0)."""
    base = table[f"{kpi}_low"].to_numpy(float)
    value = table[f"{kpi}_{column}"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(base != 0, 100.0 * value / np.abs(base), np.nan)


def tornado(table: pd.DataFrame, source: str | None = None) -> Figure:
    """Tornado plot of the lever audit: one panel per main KPI, one bar per lever.

    Bars are the mean paired change from the lever's low to its high value, as a percentage
    of the KPI's mean at the low value, with the 95% interval as a whisker; levers are sorted
    by the size of their effect on entries (largest at the top) and coloured by their flag.

    Args:
        table: The audit (``levers.csv``: lever, flag and, per KPI, ``<kpi>_low``,
            ``<kpi>_diff``, ``<kpi>_lo``, ``<kpi>_hi``).
        source: Source line (scenario, replicates, seed).

    Returns:
        The figure.
    """
    style()
    size = np.nan_to_num(np.abs(_percent(table, LEVER_KPIS[0], "diff")), nan=-1.0)
    order = table.iloc[np.argsort(size, kind="stable")]  # the largest is drawn at the top
    y = np.arange(len(order))
    ncols = 3
    nrows = math.ceil(len(LEVER_KPIS) / ncols)
    height = 0.16 * max(len(order), 1) + 1.2
    fig, axes = plt.subplots(nrows, ncols, figsize=(11.5, height * nrows + 0.8), squeeze=False)
    colours = [FLAG_COLOURS.get(f, GREY) for f in order["flag"]]
    for k, ax in enumerate(axes.flat):
        if k >= len(LEVER_KPIS):
            ax.remove()
            continue
        kpi = LEVER_KPIS[k]
        mid = _percent(order, kpi, "diff")
        lo, hi = _percent(order, kpi, "lo"), _percent(order, kpi, "hi")
        ax.barh(y, np.nan_to_num(mid), color=colours, height=0.7)
        err = np.vstack([np.nan_to_num(mid - lo), np.nan_to_num(hi - mid)])
        ax.errorbar(np.nan_to_num(mid), y, xerr=err, fmt="none", ecolor="#333333", elinewidth=0.7)
        ax.axvline(0.0, color="#333333", linewidth=0.8)
        labels = order["lever"].tolist() if k % ncols == 0 else [""] * len(order)
        ax.set_yticks(y, labels, fontsize=6)
        ax.set_ylim(-0.6, len(order) - 0.4)
        ax.grid(axis="y", visible=False)
        ax.set_title(term(f"kpi.{kpi}") if has_term(f"kpi.{kpi}") else kpi, fontsize=9)
        ax.set_xlabel(term("unit.percent_of_low"), fontsize=8)
        ax.tick_params(axis="x", labelsize=7)
    top = fig.get_figheight()
    fig.suptitle(term("fig.tornado.title"), fontsize=10, y=1.0 - 0.1 / top, va="top")
    handles = [Line2D([], [], color=c, linewidth=6) for c in FLAG_COLOURS.values()]
    labels = [term(f"levers.flag.{key}") for key in ("ok", "no_effect", "unexpected")]
    legend = side_legend(fig, handles, labels)
    n = int(table["replicates"].min()) if len(table) else 0
    finish(fig, source, tr("fig.tornado.note", n=n), legend=legend)
    fig.subplots_adjust(top=1.0 - 0.6 / top)  # room for the title above the panels' titles
    return fig
