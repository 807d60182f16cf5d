"""Report-ready figures. Each function takes data and returns a matplotlib Figure.

The style lives in :func:`style` (one place): a colour-blind-safe palette (Okabe-Ito), units
and dates on the axes, and a source line naming the scenario and seed.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

#: Okabe-Ito palette: distinguishable with the common forms of colour blindness.
PALETTE = [
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#56B4E9",
    "#F0E442",
    "#000000",
    "#999999",
]

FUNNEL_STAGES = [
    ("contacts", "Visits and contacts"),
    ("inspections", "Inspections"),
    ("intentions", "Intentions"),
    ("signed", "Signed (framework + contract)"),
    ("construction_starts", "Construction starts"),
    ("entries", "Operating"),
]


def style() -> None:
    """Apply the project's plotting style."""
    plt.rcParams.update(
        {
            "figure.dpi": 100,
            "savefig.dpi": 300,
            "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "font.size": 9,
            "axes.titlesize": 10,
            "legend.frameon": False,
            "svg.fonttype": "none",
        }
    )


def source_line(fig: Figure, text: str | None) -> None:
    """Write the source line (scenario, seed) at the bottom left of a figure."""
    if text:
        fig.text(0.01, 0.005, text, fontsize=7, color="#555555", ha="left", va="bottom")


def funnel(kpis: dict, source: str | None = None, by_channel: bool = True) -> Figure:
    """The attraction funnel of the focus city, overall and by channel.

    Args:
        kpis: The KPIs of a run (``kpis.json``).
        source: Source line, for example ``"ruzhou-2017, seed 7"``.
        by_channel: Add a panel with the funnel of each channel.

    Returns:
        The figure.
    """
    style()
    ncols = 2 if by_channel else 1
    fig, axes = plt.subplots(1, ncols, figsize=(4.2 * ncols + 1.5, 3.6), squeeze=False)
    labels = [label for _, label in FUNNEL_STAGES]
    values = [kpis.get(key, 0) for key, _ in FUNNEL_STAGES]
    ax = axes[0, 0]
    y = np.arange(len(labels))[::-1]
    ax.barh(y, values, color=PALETTE[0])
    for yy, v in zip(y, values, strict=True):
        ax.text(v, yy, f" {v:,}", va="center", fontsize=8)
    ax.set_yticks(y, labels)
    ax.set_xlabel("firms (run total)")
    ax.set_title("Attraction funnel")
    ax.set_xlim(0, max([*values, 1]) * 1.2)
    if by_channel:
        ax = axes[0, 1]
        channels = {c: v for c, v in kpis.get("by_channel", {}).items() if v.get("contacts", 0)}
        width = 0.8 / max(len(channels), 1)
        for k, (name, counts) in enumerate(channels.items()):
            vals = [counts.get(key, 0) for key, _ in FUNNEL_STAGES]
            ax.barh(y + (k - len(channels) / 2 + 0.5) * width, vals, height=width, label=name)
        ax.set_yticks(y, [""] * len(labels))
        ax.set_xscale("symlog", linthresh=10)
        ax.set_xlabel("firms (run total, symmetric log scale)")
        ax.set_title("By channel")
        ax.legend(fontsize=7, loc="lower right")
    source_line(fig, source)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig


def firms_by_park(
    events: pd.DataFrame,
    park_ids: Sequence[str],
    dates: Sequence[str],
    source: str | None = None,
    city_of: dict | None = None,
    focus: str | None = None,
) -> Figure:
    """Operating firms per park over time (stacked), from the event log.

    Args:
        events: The run's events (``events.parquet``).
        park_ids: Parks to show, in order.
        dates: Calendar month of each simulated month.
        source: Source line.
        city_of: Park id -> city id, used to keep only the focus city's parks.
        focus: Focus city id (parks of other cities are summed as one band per city).

    Returns:
        The figure.
    """
    style()
    n = len(dates)
    counts = {}
    for pid in park_ids:
        mine = events[(events["park"] == pid) & (events["cause"] != "promise_broken")]
        add = np.bincount(mine.loc[mine["to"] == "operating", "month"], minlength=n)[:n]
        sub = np.bincount(mine.loc[mine["to"] == "exited", "month"], minlength=n)[:n]
        counts[pid] = np.cumsum(add - sub)
    if city_of and focus:
        shown = {pid: c for pid, c in counts.items() if city_of[pid] == focus}
    else:
        shown = counts
    fig, ax = plt.subplots(figsize=(7.5, 3.8))
    x = pd.to_datetime(list(dates))
    ax.stackplot(x, *shown.values(), labels=list(shown), colors=PALETTE[: len(shown)], alpha=0.9)
    ax.set_ylabel("operating firms")
    ax.set_xlabel("month")
    ax.set_title("Firms by park" + (f" ({focus})" if focus else ""))
    ax.legend(loc="upper left", fontsize=7, ncols=2)
    source_line(fig, source)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig


def save(fig: Figure, path, formats: Sequence[str] = ("png",)) -> list:
    """Save a figure in each format (PNG at 300 dpi) and close it; returns the paths."""
    from pathlib import Path

    out = []
    for fmt in formats:
        p = Path(path).with_suffix(f".{fmt}")
        p.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(p, dpi=300 if fmt == "png" else None, bbox_inches="tight")
        out.append(p)
    plt.close(fig)
    return out
