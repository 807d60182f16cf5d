"""A schematic map: origin regions, destination cities and the flows of relocating firms."""

from __future__ import annotations

import math
from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch

from ...i18n import name_of, term, tr
from .style import GREY, PALETTE, finish, style

#: Curvature of the flow arrows (so flows into nearby cities stay apart).
BEND = 0.18


def entry_flows(events: pd.DataFrame, firms: pd.DataFrame) -> pd.DataFrame:
    """Firms that started operating in a city, by origin region and city.

    Args:
        events: The run's events (``events.parquet``).
        firms: The firm table (``firms.parquet``) with each firm's ``origin``.

    Returns:
        Columns ``origin, city, firms`` (entries of relocating firms; incumbents excluded).
    """
    entered = events[
        (events["to"].astype(str) == "operating") & (events["cause"].astype(str) == "completed")
    ]
    origin = firms.set_index("firm")["origin"].reindex(entered["firm"]).to_numpy()
    table = pd.DataFrame({"origin": origin, "city": entered["city"].astype(str).to_numpy()})
    table = table.dropna()
    return table.groupby(["origin", "city"]).size().rename("firms").reset_index()


def _nice(value: float) -> int:
    """A round number not above ``value`` (1, 2 or 5 times a power of ten)."""
    if value < 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    return int(max(m * power for m in (1, 2, 5) if m * power <= value))


def _draw_flows(ax, flows, regions, cities, focus, width, aspect, counts, unlabelled) -> None:
    """Arrows (focus city's inflows coloured, counted), region dots and city squares."""
    for row in flows.sort_values("firms").itertuples(index=False):
        if row.origin not in regions or row.city not in cities or row.firms <= 0:
            continue
        a, b = regions[row.origin], cities[row.city]
        mine = row.city == focus
        ax.add_patch(
            FancyArrowPatch(
                (a["lon"], a["lat"]),
                (b["lon"], b["lat"]),
                connectionstyle=f"arc3,rad={BEND}",
                arrowstyle="-|>",
                mutation_scale=6 + width(row.firms),
                linewidth=width(row.firms),
                color=PALETTE[0] if mine else GREY,
                alpha=0.75 if mine else 0.5,
                shrinkA=4,
                shrinkB=6,
                zorder=2 if mine else 1,
            )
        )
        if mine and counts:
            # Midpoint of the quadratic arc, computed where the axes' aspect makes it round.
            dx, dy = b["lon"] - a["lon"], (b["lat"] - a["lat"]) * aspect
            mx = (a["lon"] + b["lon"]) / 2 + BEND * dy / 2
            my = ((a["lat"] + b["lat"]) / 2 * aspect - BEND * dx / 2) / aspect
            ax.text(
                mx,
                my,
                f"{row.firms:,}",
                fontsize=7,
                ha="center",
                va="center",
                color=PALETTE[0],
                zorder=4,
                clip_on=True,
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8},
            )
    for rid, r in regions.items():
        ax.plot(r["lon"], r["lat"], "o", color=PALETTE[2], markersize=9, zorder=3)
        if rid in unlabelled:
            continue
        ax.annotate(
            name_of(r, rid),
            (r["lon"], r["lat"]),
            xytext=(0, -8),
            textcoords="offset points",
            ha="center",
            va="top",
            fontsize=7.5,
            color=PALETTE[2],
            zorder=5,
            annotation_clip=True,
        )
    for cid, c in cities.items():
        mine = cid == focus
        ax.plot(
            c["lon"],
            c["lat"],
            "s",
            color=PALETTE[3] if mine else "#333333",
            markersize=8 if mine else 6,
            zorder=3,
        )
        if cid in unlabelled and not mine:
            continue
        # The focus city is labelled on its left, competitors on their right.
        ax.annotate(
            name_of(c, cid),
            (c["lon"], c["lat"]),
            xytext=(-7 if mine else 7, 0),
            textcoords="offset points",
            ha="right" if mine else "left",
            va="center",
            fontsize=8,
            fontweight="bold" if mine else "normal",
            zorder=5,
            annotation_clip=True,
        )


def flow_map(
    flows: pd.DataFrame,
    regions: Mapping[str, Mapping],
    cities: Mapping[str, Mapping],
    focus: str | None = None,
    source: str | None = None,
    zoom_deg: float = 2.0,
) -> Figure:
    """Origin regions and destination cities at their coordinates, flows as arrows.

    Args:
        flows: ``origin, city, firms`` (see :func:`entry_flows`).
        regions: Region id -> ``{"lon", "lat", "name"}`` (the scenario's ``regions``).
        cities: City id -> ``{"lon", "lat", "name"}`` (the scenario's ``governments``).
        focus: The focus city: its inflows are coloured and labelled with their counts.
        source: Source line.
        zoom_deg: Cities within this many degrees of the focus city are shown again in a
            zoomed panel (none: no zoom panel).

    Returns:
        The figure (a schematic: positions are true, the background is not a map).
    """
    style()
    points = [*regions.values(), *cities.values()]
    lons = [p["lon"] for p in points] or [0.0]
    lats = [p["lat"] for p in points] or [0.0]
    aspect = 1 / math.cos(math.radians(float(np.mean(lats))))
    most = max(float(flows["firms"].max()) if len(flows) else 1.0, 1.0)

    def width(n: float) -> float:
        return 0.6 + 7.0 * math.sqrt(n / most)

    near = {}
    if focus in cities and zoom_deg:
        f = cities[focus]
        near = {
            cid: c
            for cid, c in cities.items()
            if abs(c["lon"] - f["lon"]) <= zoom_deg and abs(c["lat"] - f["lat"]) <= zoom_deg
        }
    zoom = len(near) > 1
    box = (0.0, 0.0, 0.0, 0.0)
    if zoom:
        x = [c["lon"] for c in near.values()]
        y = [c["lat"] for c in near.values()]
        half = (max(x) - min(x)) / 2 + 0.8  # a square window in display units
        mid_x, mid_y = (max(x) + min(x)) / 2, (max(y) + min(y)) / 2
        box = (mid_x - half, mid_x + half, mid_y - half / aspect, mid_y + half / aspect)
    inside = {
        pid
        for pid, p in (*regions.items(), *cities.items())
        if zoom and box[0] <= p["lon"] <= box[1] and box[2] <= p["lat"] <= box[3]
    }
    fig, axes = plt.subplots(
        1, 2 if zoom else 1, figsize=(10.0 if zoom else 7.2, 6.4), squeeze=False
    )
    ax = axes[0, 0]
    ax.set_aspect(aspect)
    _draw_flows(ax, flows, regions, cities, focus, width, aspect, True, inside)
    ax.set_xlim(min(lons) - 2.0, max(lons) + 2.0)
    ax.set_ylim(min(lats) - 1.2, max(lats) + 1.2)
    ax.set_title(term("fig.flows.title"), fontsize=9)
    if zoom:
        inset = axes[0, 1]
        inset.set_aspect(aspect)
        _draw_flows(inset, flows, regions, cities, focus, width, aspect, False, set())
        inset.set_xlim(box[0], box[1])
        inset.set_ylim(box[2], box[3])
        inset.set_title(term("fig.flows.zoom"), fontsize=9)
        ax.add_patch(
            plt.Rectangle(
                (box[0], box[2]),
                box[1] - box[0],
                box[3] - box[2],
                fill=False,
                edgecolor="#333333",
                linewidth=0.8,
                zorder=6,
            )
        )
    for a in axes.flat:
        a.set_xlabel(term("fig.flows.lon"))
        a.set_ylabel(term("fig.flows.lat"))
    refs = sorted({_nice(most), _nice(most / 5)})
    handles = [
        Line2D([], [], marker="o", linestyle="", color=PALETTE[2], label=term("fig.flows.origin")),
        Line2D([], [], marker="s", linestyle="", color=PALETTE[3], label=term("fig.flows.focus")),
        Line2D([], [], marker="s", linestyle="", color="#333333", label=term("fig.flows.rival")),
        *[
            Line2D(
                [], [], color=GREY, linewidth=width(n), label=tr("fig.network.firms", n=f"{n:,}")
            )
            for n in refs
        ],
    ]
    ax.legend(handles=handles, loc="lower right", fontsize=7, framealpha=0.9, frameon=True)
    note = term("fig.flows.note")
    return finish(fig, source, note)
