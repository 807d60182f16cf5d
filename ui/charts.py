"""Live charts of a run, each overlaid with the reference run (dashed) for the same seed.

Every function takes the live model's world, the trace of the run being watched and the trace
of the reference run (None while it is still running) and returns one small Figure, sized for
one cell of the page.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from ..experiments.figures import PALETTE
from ..i18n import money_unit, term, tr
from ..model.state.world import World
from .schematic import park_label
from .trace import Trace

#: Funnel stages shown (series name, glossary key of its label), from contact to operation.
FUNNEL = (
    ("contacts", "stage_short.contacts"),
    ("inspections", "kpi.inspections"),
    ("intentions", "kpi.intentions"),
    ("framework_agreements", "page.chart.framework_short"),
    ("contracts", "kpi.contracts"),
    ("construction_starts", "stage.construction_starts"),
    ("entries", "stage.entries"),
)
REFERENCE = {"color": "#555555", "linestyle": "--", "linewidth": 1.0}
SIZE = (5.4, 3.5)
DPI = 80


def _figure() -> tuple[Figure, object]:
    fig = Figure(figsize=SIZE, dpi=DPI)
    return fig, fig.subplots()


def _finish(fig: Figure, ref: Trace | None, left: float = 0.13) -> Figure:
    note = term("page.chart.note" if ref is not None else "page.chart.waiting")
    fig.text(0.01, 0.01, note, fontsize=7, color="#555555")
    fig.subplots_adjust(left=left, right=0.97, top=0.9, bottom=0.2)
    return fig


def funnel_totals(trace: Trace, months: int) -> np.ndarray:
    """Cumulative count of each funnel stage over the first ``months`` months of a run."""
    return np.array([trace.series(name)[:months].sum() for name, _ in FUNNEL])


def month_axis(ax, world: World, horizon: int) -> None:
    """Month axis over the whole run, with a tick at each January labelled with the year."""
    first = (13 - world.start_month) % 12
    ticks = list(range(first, horizon + 1, 12))
    step = max(1, len(ticks) // 6)
    ax.set_xticks(ticks[::step], [tr("fig.year", year=world.date(t)[:4]) for t in ticks[::step]])
    ax.set_xlim(0, horizon)


def funnel_chart(world: World, horizon: int, live: Trace, ref: Trace | None) -> Figure:
    """The focus city's attraction funnel from the start to this month, against the reference."""
    fig, ax = _figure()
    months = len(live.frames) - 1
    y = np.arange(len(FUNNEL))[::-1]
    ax.barh(y, funnel_totals(live, months), color=PALETTE[0], label=term("page.this_run"))
    if ref is not None:
        ax.barh(
            y,
            funnel_totals(ref, months),
            facecolor="none",
            edgecolor="#333333",
            linestyle="--",
            label=term("page.reference_same_month"),
        )
    ax.set_yticks(y, [term(key) for _, key in FUNNEL])
    ax.set_xlabel(term("page.chart.funnel_x"))
    ax.legend(fontsize=7, loc="lower right")
    return _finish(fig, ref, left=0.27)


def parks_chart(world: World, horizon: int, live: Trace, ref: Trace | None) -> Figure:
    """Operating firms in each of the focus city's parks, month by month."""
    fig, ax = _figure()
    parks_live = live.park_series()
    parks_ref = ref.park_series() if ref is not None else None
    for k, p in enumerate(np.flatnonzero(world.park_city == world.focus)):
        colour = PALETTE[k % len(PALETTE)]
        if parks_ref is not None:
            ax.plot(
                np.arange(1, len(parks_ref) + 1),
                parks_ref[:, p],
                color=colour,
                linestyle="--",
                linewidth=0.8,
            )
        ax.plot(
            np.arange(1, len(parks_live) + 1),
            parks_live[:, p],
            color=colour,
            label=park_label(world, p),
        )
    ax.set_ylabel(term("fig.parks.operating"))
    ax.legend(fontsize=7, loc="upper left", ncols=2)
    month_axis(ax, world, horizon)
    return _finish(fig, ref)


def series_chart(
    world: World,
    horizon: int,
    live: Trace,
    ref: Trace | None,
    name: str,
    title: str,
    ylabel: str,
    scale: float = 1.0,
) -> Figure:
    """One monthly series of the focus city (``idle_land_ha``, ...), divided by ``scale``."""
    fig, ax = _figure()
    if ref is not None:
        ax.plot(np.arange(1, len(ref.frames)), ref.series(name) / scale, **REFERENCE)
    ax.plot(np.arange(1, len(live.frames)), live.series(name) / scale, color=PALETTE[0])
    ax.axhline(0, color="#999999", linewidth=0.6)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    month_axis(ax, world, horizon)
    return _finish(fig, ref, left=0.15)


def idle_land_chart(world: World, horizon: int, live: Trace, ref: Trace | None) -> Figure:
    """Land allocated to operating firms but not developed."""
    return series_chart(
        world, horizon, live, ref, "idle_land_ha", term("kpi.idle_land_ha"),
        term("page.chart.hectares"),
    )  # fmt: skip


def fiscal_chart(world: World, horizon: int, live: Trace, ref: Trace | None) -> Figure:
    """Cumulative taxes and fees less incentives and outreach spending."""
    unit, scale = money_unit("medium")
    return series_chart(
        world,
        horizon,
        live,
        ref,
        "net_fiscal_yuan",
        term("page.chart.fiscal_title"),
        tr("fig.series.cumulative", name=unit),
        scale=scale,
    )
