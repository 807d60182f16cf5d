"""Land per park over time: allocated, developed and idle."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ...i18n import term, tr
from .style import GREY, PALETTE, date_axis, finish, pretty, style, to_dates

#: Columns of a land series (per park or a city total), in drawing order, with the glossary
#: key of their legend label.
LAND_COLUMNS = {
    "land_allocated_ha": ("fig.land.allocated", PALETTE[0]),
    "land_developed_ha": ("fig.land.developed", PALETTE[2]),
    "idle_land_ha": ("fig.land.idle", PALETTE[3]),
}

#: Glossary key of the caption of a per-park series reconstructed from the firm table.
RECONSTRUCTED = "fig.land.reconstructed"


def land_from_firms(
    events: pd.DataFrame, firms: pd.DataFrame, dates: Sequence[str], parks: Sequence[str]
) -> pd.DataFrame:
    """Reconstruct land per park and month from the final firm table and the event log.

    Each firm holding land at the end counts its land as allocated from the month of its last
    construction contract in that park (or from its seeding, for incumbents) and its developed
    land from the month it started operating there. Its undeveloped land counts as idle once
    it has been idle for a year (``land.idle_land``: from ``idle_since_month``, the contract
    month or the start of operation; a firm table without that column counts it from the
    start of operation, at once). Land of firms that later left, land reclaimed before the
    end and land idle only before construction started are not known from these files, so
    earlier months can be understated.

    Args:
        events: The run's events (``events.parquet``).
        firms: The final firm table (``firms.parquet``).
        dates: Calendar month of each simulated month.
        parks: Parks to reconstruct.

    Returns:
        A long table: ``date, park, land_allocated_ha, land_developed_ha, idle_land_ha``.
    """
    n = len(dates)
    holders = firms[firms["park"].isin(list(parks)) & (firms["land_held_ha"] > 0)]
    holders = holders.set_index("firm")
    ev = events[events["firm"].isin(holders.index)]
    ev = ev[ev["park"].astype(str).to_numpy() == holders["park"].reindex(ev["firm"]).to_numpy()]
    taken = (ev["to"].astype(str) == "contract") | (ev["cause"].astype(str) == "seeded")
    started = ev["cause"].astype(str).isin(["completed", "seeded"])
    signed_at = ev[taken].groupby("firm")["month"].max().reindex(holders.index).fillna(0)
    started_at = ev[started].groupby("firm")["month"].max().reindex(holders.index)
    frames = []
    for park in parks:
        mine = holders["park"] == park
        alloc = np.bincount(
            signed_at[mine].astype(int), weights=holders.loc[mine, "land_held_ha"], minlength=n
        )
        running = started_at[mine].notna()
        operating = holders[mine][running]
        start = started_at[mine][running].astype(int)
        dev = np.bincount(start, weights=operating["land_developed_ha"], minlength=n)
        developed = np.cumsum(dev)[:n]
        frames.append(
            pd.DataFrame(
                {
                    "date": list(dates),
                    "park": park,
                    "land_allocated_ha": np.cumsum(alloc)[:n],
                    "land_developed_ha": developed,
                    "idle_land_ha": _idle_by_month(holders[mine], started_at[mine], n),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def _idle_by_month(holders: pd.DataFrame, started_at: pd.Series, n: int) -> np.ndarray:
    """Idle land of one park's holders in each of ``n`` months (see :func:`land_from_firms`)."""
    from ...model.mechanisms.land import IDLE_AFTER_MONTHS

    idle = (holders["land_held_ha"] - holders["land_developed_ha"]).to_numpy()
    if "idle_since_month" in holders:
        since = holders["idle_since_month"].to_numpy()
        counted = (since >= 0) & (idle > 0)
        first = since[counted] + IDLE_AFTER_MONTHS - 1
    else:
        counted = started_at.notna().to_numpy() & (idle > 0)
        first = started_at[counted].to_numpy()
    first = first.astype(int)
    return np.cumsum(np.bincount(first, weights=idle[counted], minlength=n + IDLE_AFTER_MONTHS))[:n]


def land(
    per_park: pd.DataFrame,
    capacity: Mapping[str, float] | None = None,
    total: pd.DataFrame | None = None,
    source: str | None = None,
    note: str | None = None,
    city: str | None = None,
    names: Mapping[str, str] | None = None,
) -> Figure:
    """Allocated, developed and idle land of each park over time (one panel per park).

    Args:
        per_park: Long table ``date, park, land_allocated_ha, land_developed_ha,
            idle_land_ha`` (parks in the order to draw).
        capacity: Land area of each park (ha), drawn as a dashed line.
        total: The city's exact totals over time (``timeseries.csv``), drawn as a last panel.
        source: Source line.
        note: Caption above the source line (for example how the series were made).
        city: City name for the title of the total panel.
        names: Park id -> label.

    Returns:
        The figure.
    """
    style()
    parks = list(dict.fromkeys(per_park["park"]))
    panels = [*parks, None] if total is not None else parks
    ncols = min(3, len(panels))
    nrows = math.ceil(len(panels) / ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(3.4 * ncols + 0.4, 2.4 * nrows + 0.9), squeeze=False
    )
    for k, ax in enumerate(axes.flat):
        if k >= len(panels):
            ax.remove()
            continue
        park = panels[k]
        data = total if park is None else per_park[per_park["park"] == park]
        x = to_dates(data["date"])
        for column, (key, colour) in LAND_COLUMNS.items():
            ax.plot(x, data[column].to_numpy(dtype=float), color=colour, label=term(key))
        if park is not None and capacity and park in capacity:
            ax.axhline(
                capacity[park], color=GREY, linestyle="--", linewidth=1, label=term("fig.land.area")
            )
        if park is None:
            title = tr("fig.land.all_of", city=city) if city else term("fig.land.all")
            title += term("fig.land.exact") if note else ""
        else:
            title = pretty(park, names)
        ax.set_title(title, fontsize=9)
        ax.set_ylabel(term("unit.ha"))
        ax.set_ylim(bottom=0)
        date_axis(ax)
        if k == 0:
            ax.legend(loc="lower right", fontsize=6.5)
    return finish(fig, source, note)
