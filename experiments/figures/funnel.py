"""The attraction funnel: visits, inspections, intentions, signatures, construction, operation."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ...i18n import term, tr
from ...model.outputs.kpis import flow_counts
from ...model.state.codes import CAUSE_NAMES, CHANNEL_NAMES, STAGE_NAMES, Channel
from .style import PALETTE, finish, style

#: The funnel's flows, top to bottom; each is named by the glossary's ``stage.<key>`` (and
#: ``stage_short.<key>`` on the small panels): 接触、考察、意向、签约、开工、投产.
FUNNEL_KEYS = ["contacts", "inspections", "intentions", "signed", "construction_starts", "entries"]


def funnel_stages(lang: str | None = None) -> list[tuple[str, str]]:
    """``(flow key, stage name)`` of each funnel stage in a language (default: the current)."""
    return [(key, term(f"stage.{key}", lang)) for key in FUNNEL_KEYS]


#: The stages in English, for code that wants fixed labels.
FUNNEL_STAGES = funnel_stages("en")


def channel_label(channel: str, lang: str | None = None) -> str:
    """How an outreach channel is named (the glossary's ``channel.<id>``)."""
    return term(f"channel.{channel}", lang)


def event_codes(events: pd.DataFrame) -> dict[str, np.ndarray]:
    """The labelled event log (``events.parquet``) as the model's integer codes."""

    def codes(column: str, names: list[str]) -> np.ndarray:
        return pd.Categorical(events[column].astype(str), categories=names).codes

    return {
        "month": events["month"].to_numpy(),
        "from_stage": codes("from", STAGE_NAMES),
        "to_stage": codes("to", STAGE_NAMES),
        "cause": codes("cause", CAUSE_NAMES),
        "channel": codes("channel", CHANNEL_NAMES),
    }


def funnel_counts(
    events: pd.DataFrame, city: str, months: tuple[int, int] | None = None
) -> dict[str, object]:
    """Funnel flows of one city counted from the event log, overall and by channel.

    Counts follow :func:`zhaoshang.model.outputs.kpis.flow_counts`, so over the whole run they equal
    the run's ``kpis.json``.

    Args:
        events: The run's events (``events.parquet``).
        city: City id.
        months: Optional half-open range of simulated months, e.g. ``(0, 12)``.

    Returns:
        A dictionary with one count per flow and ``by_channel``.
    """
    ev = event_codes(events)
    mask = events["city"].astype(str).to_numpy() == city
    if months is not None:
        mask &= (ev["month"] >= months[0]) & (ev["month"] < months[1])
    out: dict[str, object] = dict(flow_counts(ev, mask))
    out["by_channel"] = {
        name: flow_counts(ev, mask & (ev["channel"] == code))
        for code, name in enumerate(CHANNEL_NAMES)
        if code != Channel.NONE
    }
    return out


def _funnel_bars(ax: Axes, values: Sequence[float], colour: str, labels: bool) -> None:
    """One funnel as horizontal bars, each labelled with its count (and share of the last)."""
    y = np.arange(len(values))[::-1]
    ax.barh(y, values, color=colour, height=0.7)
    for k, (yy, v) in enumerate(zip(y, values, strict=True)):
        prev = values[k - 1] if k else 0
        share = f" ({v / prev:.0%})" if labels and prev else ""
        ax.text(v, yy, f" {v:,.0f}{share}", va="center", fontsize=7 if labels else 6.5)
    prefix = "stage" if labels else "stage_short"
    ax.set_yticks(y, [term(f"{prefix}.{key}") for key in FUNNEL_KEYS])
    ax.set_xlim(0, max([*values, 1]) * (1.5 if labels else 1.45))
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(term("unit.firms"))


def funnel(
    kpis: Mapping,
    source: str | None = None,
    by_channel: bool = True,
    period: str | None = None,
) -> Figure:
    """The attraction funnel of the focus city, overall and one small panel per channel.

    Args:
        kpis: Flow counts with ``by_channel`` (the run's ``kpis.json`` or
            :func:`funnel_counts`).
        source: Source line, for example ``"Zhaoshang: ruzhou-2017, seed 7"``.
        by_channel: Add a panel for each channel that made contacts.
        period: What the counts cover, for the title (``"2017"``; default: the run total).

    Returns:
        The figure.
    """
    style()
    channels = {}
    if by_channel:
        channels = {c: v for c, v in kpis.get("by_channel", {}).items() if v.get("contacts", 0)}
    n = len(channels)
    rows = 2 if n > 1 else 1
    cols = math.ceil(n / rows) if n else 0
    fig = plt.figure(figsize=(4.8 + 2.0 * cols, 4.0))
    grid = fig.add_gridspec(rows, 1 + cols, width_ratios=[2.0] + [1.0] * cols)
    ax = fig.add_subplot(grid[:, 0])
    _funnel_bars(ax, [kpis.get(key, 0) for key in FUNNEL_KEYS], PALETTE[0], labels=True)
    ax.set_title(tr("fig.funnel.title", period=period or term("fig.funnel.run_total")))
    for k, (name, counts) in enumerate(channels.items()):
        sub = fig.add_subplot(grid[k // cols, 1 + k % cols])
        values = [counts.get(key, 0) for key in FUNNEL_KEYS]
        _funnel_bars(sub, values, PALETTE[1 + k % (len(PALETTE) - 2)], labels=False)
        sub.set_title(channel_label(name), fontsize=8)
        sub.tick_params(axis="y", length=0, labelsize=6.5)
        sub.tick_params(axis="x", labelsize=6.5)
    note = term("fig.funnel.note") if n else None
    return finish(fig, source, note)
