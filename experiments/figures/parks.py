"""Parks: operating firms by park and sector over time, sector mix, supply-chain network."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ...i18n import term, tr
from .style import (
    GREY,
    PALETTE,
    category_colours,
    date_axis,
    finish,
    pool_small,
    pretty,
    style,
    to_dates,
)


def operating_by(events: pd.DataFrame, labels: pd.Series, n_months: int) -> pd.DataFrame:
    """Operating firms at the end of each month, by a label of each event.

    Args:
        events: Events (``events.parquet``), already restricted to the firms of interest.
        labels: A label per event (its park, or its firm's sector), aligned with ``events``.
        n_months: Months in the run.

    Returns:
        One row per month, one column per label.
    """
    kept = events["cause"].astype(str) != "promise_broken"
    to = events["to"].astype(str)
    out = {}
    for name in dict.fromkeys(labels[kept]):
        mine = kept & (labels == name)
        add = np.bincount(events.loc[mine & (to == "operating"), "month"], minlength=n_months)
        sub = np.bincount(events.loc[mine & (to == "exited"), "month"], minlength=n_months)
        out[str(name)] = np.cumsum(add[:n_months] - sub[:n_months])
    return pd.DataFrame(out)


def _stacked(
    counts: pd.DataFrame,
    dates: Sequence[str],
    title: str,
    source: str | None,
    names: Mapping[str, str] | None = None,
) -> Figure:
    """A stacked area chart of operating firms by group (largest groups coloured)."""
    style()
    shown = pool_small(counts)
    colours = category_colours(list(shown.columns))
    fig, ax = plt.subplots(figsize=(7.5, 3.8))
    ax.stackplot(
        to_dates(dates),
        *[shown[c].to_numpy() for c in shown.columns],
        labels=[pretty(c, names) for c in shown.columns],
        colors=[colours[c] for c in shown.columns],
        alpha=0.9,
        linewidth=0.3,
        edgecolor="white",
    )
    ax.set_ylabel(term("fig.parks.operating"))
    date_axis(ax)
    ax.set_title(title)
    handles, labels = ax.get_legend_handles_labels()  # top of the stack first
    ax.legend(handles[::-1], labels[::-1], loc="center left", bbox_to_anchor=(1.01, 0.5))
    return finish(fig, source)


def firms_by_park(
    events: pd.DataFrame,
    park_ids: Sequence[str],
    dates: Sequence[str],
    source: str | None = None,
    city_of: Mapping[str, str] | None = None,
    focus: str | None = None,
    names: Mapping[str, str] | None = None,
    city: str | None = None,
) -> Figure:
    """Operating firms per park over time (stacked), from the event log.

    Args:
        events: The run's events (``events.parquet``).
        park_ids: Parks to show, in order.
        dates: Calendar month of each simulated month.
        source: Source line.
        city_of: Park id -> city id, used to keep only the focus city's parks.
        focus: Focus city id.
        names: Park id -> label.
        city: Name of the focus city, for the title (default: its id).

    Returns:
        The figure.
    """
    parks = [p for p in park_ids if not (city_of and focus) or city_of[p] == focus]
    mine = events[events["park"].astype(str).isin(parks)]
    counts = operating_by(mine, mine["park"].astype(str), len(dates))
    counts = counts.reindex(columns=[p for p in parks if p in counts.columns], fill_value=0)
    title = term("fig.parks.by_park")
    if focus:
        title = tr("fig.in_city", what=title, city=city or pretty(focus).capitalize())
    return _stacked(counts, dates, title, source, names)


def firms_by_sector(
    events: pd.DataFrame,
    firms: pd.DataFrame,
    dates: Sequence[str],
    source: str | None = None,
    focus: str | None = None,
    names: Mapping[str, str] | None = None,
    city: str | None = None,
) -> Figure:
    """Operating firms per sector over time (stacked) in the focus city, from the event log.

    Args:
        events: The run's events (``events.parquet``).
        firms: The firm table (``firms.parquet``), for each firm's sector.
        dates: Calendar month of each simulated month.
        source: Source line.
        focus: Focus city id (default: every city).
        names: Sector id -> label.
        city: Name of the focus city, for the title (default: its id).

    Returns:
        The figure.
    """
    mine = events if focus is None else events[events["city"].astype(str) == focus]
    sector = firms.set_index("firm")["sector"].reindex(mine["firm"]).fillna(term("common.unknown"))
    counts = operating_by(mine, pd.Series(sector.to_numpy(), index=mine.index), len(dates))
    title = term("fig.parks.by_sector")
    if focus:
        title = tr("fig.in_city", what=title, city=city or pretty(focus).capitalize())
    return _stacked(counts, dates, title, source, names)


def sector_mix(
    by_park: Mapping[str, Mapping],
    source: str | None = None,
    parks: Sequence[str] | None = None,
    focus: str | None = None,
    names: Mapping[str, str] | None = None,
    park_names: Mapping[str, str] | None = None,
    city_names: Mapping[str, str] | None = None,
) -> Figure:
    """Each park's sector mix at the end: shares of its operating firms (100% bars).

    Args:
        by_park: ``kpis.json``'s ``by_park`` (each park's ``sector_mix`` and ``city``).
        source: Source line.
        parks: Parks in order (default: all, focus city first).
        focus: Focus city id, drawn first.
        names: Sector id -> label.
        park_names: Park id -> label.
        city_names: City id -> label.

    Returns:
        The figure.
    """
    style()
    if parks is None:
        parks = sorted(by_park, key=lambda p: by_park[p].get("city") != focus)
    mix = pd.DataFrame(
        [{s: n for s, n in by_park[p].get("sector_mix", {}).items()} for p in parks],
        index=list(parks),
    ).fillna(0)
    if mix.empty:
        mix = pd.DataFrame({term("common.none"): np.zeros(len(parks))}, index=list(parks))
    mix = pool_small(mix)
    colours = category_colours(list(mix.columns))
    totals = mix.sum(axis=1)
    shares = mix.div(totals.where(totals > 0, 1), axis=0)
    fig, ax = plt.subplots(figsize=(8.0, 0.38 * len(parks) + 1.6))
    y = np.arange(len(parks))[::-1]
    left = np.zeros(len(parks))
    for sector in mix.columns:
        ax.barh(y, shares[sector], left=left, color=colours[sector], label=pretty(sector, names))
        left += shares[sector].to_numpy()
    for yy, n in zip(y, totals, strict=True):
        ax.text(1.01, yy, f"{n:,.0f}", va="center", fontsize=7)
    labels = [
        tr(
            "fig.park_city",
            park=pretty(p, park_names),
            city=pretty(by_park[p].get("city", ""), city_names),
        )
        for p in parks
    ]
    ax.set_yticks(y, labels)
    ax.set_xlim(0, 1.08)
    ax.set_xticks(np.linspace(0, 1, 6), [f"{v:.0%}" for v in np.linspace(0, 1, 6)])
    ax.set_xlabel(term("fig.parks.share"))
    ax.grid(axis="y", visible=False)
    ax.set_title(term("fig.parks.mix"))
    ax.legend(loc="upper left", bbox_to_anchor=(0, -0.2), ncols=4, fontsize=7)
    return finish(fig, source)


def supply_graph(
    io: pd.DataFrame, present: Mapping[str, float], min_strength: float = 0.0
) -> nx.DiGraph:
    """The supply-chain graph: sectors as nodes, supplier -> customer edges.

    Args:
        io: Input-output strengths, ``io.loc[buyer, supplier]`` (a sector buys from another).
        present: Firms present in each sector (node attribute ``firms``).
        min_strength: Drop links weaker than this.

    Returns:
        A directed graph with ``firms`` on nodes and ``strength`` and ``colocated`` on edges.
    """
    graph = nx.DiGraph()
    for sector in io.index:
        graph.add_node(sector, firms=float(present.get(sector, 0)))
    for buyer in io.index:
        for supplier in io.columns:
            strength = float(io.loc[buyer, supplier])
            if strength > min_strength and buyer != supplier:
                both = present.get(buyer, 0) > 0 and present.get(supplier, 0) > 0
                graph.add_edge(supplier, buyer, strength=strength, colocated=both)
    return graph


def network(
    io: pd.DataFrame,
    present: Mapping[str, float],
    park: str,
    source: str | None = None,
    names: Mapping[str, str] | None = None,
    park_name: str | None = None,
) -> Figure:
    """A park's supply-chain network: sectors sized by firms present, links by strength.

    Args:
        io: Input-output strengths, ``io.loc[buyer, supplier]``.
        present: Operating firms of each sector in the park.
        park: Park name, for the title.
        source: Source line.
        names: Sector id -> label.
        park_name: The park's name for the title (default: its id).

    Returns:
        The figure. Filled nodes have firms in the park; links between two present sectors
        (co-located supplier and customer) are drawn dark, missing links light and dashed.
    """
    style()
    graph = supply_graph(io, present)
    nodes = list(graph.nodes)
    pos = nx.circular_layout(nodes)
    firms = np.array([graph.nodes[s]["firms"] for s in nodes])
    most = max(firms.max(initial=0), 1)
    sizes = 60 + 1400 * np.sqrt(firms / most)
    fig, ax = plt.subplots(figsize=(6.4, 5.6))
    edges = list(graph.edges(data=True))
    for colocated, colour, style_ in ((False, GREY, "dashed"), (True, PALETTE[0], "solid")):
        chosen = [(u, v) for u, v, d in edges if d["colocated"] == colocated]
        if not chosen:
            continue
        nx.draw_networkx_edges(
            graph,
            pos,
            edgelist=chosen,
            width=[1 + 6 * graph.edges[e]["strength"] for e in chosen],
            edge_color=colour,
            style=style_,
            alpha=0.8,
            arrows=True,
            arrowsize=10,
            node_size=list(sizes),
            nodelist=nodes,
            connectionstyle="arc3,rad=0.08",
            ax=ax,
        )
    nx.draw_networkx_nodes(
        graph,
        pos,
        nodelist=nodes,
        node_size=list(sizes),
        node_color=[PALETTE[1] if f > 0 else "white" for f in firms],
        edgecolors="#333333",
        linewidths=0.8,
        ax=ax,
    )
    for s, f, size in zip(nodes, firms, sizes, strict=True):
        x, y = pos[s]
        away = np.hypot(x, y) or 1.0
        gap = np.sqrt(size / np.pi) + 4  # node radius plus a margin, in points
        count = tr("fig.network.firms" if f != 1 else "fig.network.firm", n=f"{f:,.0f}")
        label = pretty(s, names) + (f"\n{count}" if f else "")
        ax.annotate(
            label,
            (x, y),
            xytext=(gap * x / away, gap * y / away),
            textcoords="offset points",
            ha="left" if x > 0.1 else "right" if x < -0.1 else "center",
            va="bottom" if y > 0.9 else "top" if y < -0.9 else "center",
            fontsize=7,
        )
    ax.set_xlim(-2.1, 2.1)
    ax.set_ylim(-1.45, 1.45)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(tr("fig.network.title", park=park_name or pretty(park)))
    handles = [
        Line2D([], [], color=PALETTE[0], linewidth=2.5, label=term("fig.network.colocated")),
        Line2D(
            [], [], color=GREY, linewidth=2.5, linestyle="--", label=term("fig.network.absent")
        ),
        Line2D(
            [],
            [],
            marker="o",
            color="white",
            markerfacecolor=PALETTE[1],
            markeredgecolor="#333333",
            markersize=8,
            label=term("fig.network.present"),
        ),
    ]
    ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(-0.02, -0.08), fontsize=6.5)
    return finish(fig, source, term("fig.network.note"))
