"""The teaching page: a Mesa SolaraViz of the attraction model.

Serve it with ``zhaoshang ui`` (or ``solara run zhaoshang.ui.app``). The scenario it opens with
and any ``--set`` overrides come from the environment variables ``ZHAOSHANG_UI_SCENARIO`` and
``ZHAOSHANG_UI_SET`` (a JSON list of ``path=VALUE`` strings), which ``zhaoshang ui`` sets.

The sidebar holds Mesa's controls (reset, play/pause, step) and the model parameters: the
scenario picker, the seed, the five ills and five reforms, and the levers. The main area shows
where things stand (the month as a date, the levers in effect, headline numbers against the
reference run), a schematic map, live charts and a feed of notable events.
"""

from __future__ import annotations

import html
import io
import json
import os
from collections.abc import Callable

import solara
from matplotlib.figure import Figure
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from ..model.state.world import World
from . import charts, reference
from .levers import LEVER_BY_NAME, model_params
from .schematic import country_map, parks_map
from .teaching_model import TeachingModel
from .trace import Positions, Trace

TITLE = "Zhaoshang (招商): investment attraction in the classroom"
#: Feed lines shown (the most recent ones).
FEED_LINES = 14
#: Headline numbers of the status card: (series, label, divisor, unit).
HEADLINES = (
    ("operating_firms", "Operating firms", 1, ""),
    ("jobs", "Jobs", 1, ""),
    ("idle_land_ha", "Idle land", 1, " ha"),
    ("net_fiscal_yuan", "Net fiscal balance", 1e6, " million yuan"),
)
#: Style of every card: Mesa lays components out in cells 390 px high; longer content scrolls.
CARD_STYLE = {"max-height": "385px", "overflow-y": "auto"}
BLOCK = {"display": "block"}  # a line of text of its own


def launch_settings() -> tuple[str, tuple[str, ...]]:
    """The scenario and ``--set`` overrides the page opens with (from the environment)."""
    scenario = os.environ.get("ZHAOSHANG_UI_SCENARIO", "ruzhou-2017")
    overrides = tuple(str(s) for s in json.loads(os.environ.get("ZHAOSHANG_UI_SET", "[]")))
    return scenario, overrides


def png(fig: Figure) -> bytes:
    """A figure as PNG bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def use_reference(model: TeachingModel) -> Trace | None:
    """The model's reference run when ready; re-renders the caller once it finishes."""
    key = model.settings.reference_key
    future = reference.request(key)
    solara.use_thread(lambda: future.exception(), dependencies=[key], intrusive_cancel=False)
    return reference.ready(key)


def _fmt(value: float, divisor: float, unit: str) -> str:
    return f"{value / divisor:,.0f}{unit}"


def _lever_rows(model: TeachingModel) -> str:
    rows = []
    for name, source in model.lever_sources.items():
        lever = LEVER_BY_NAME[name]
        value = lever.read(model.spec)
        shown = ("on" if value else "off") if isinstance(value, bool) else f"{value:g}"
        by = {"scenario": "the scenario", "slider": "your slider"}.get(source, source)
        rows.append(
            f"<tr><td>{html.escape(lever.label)}</td><td><b>{shown}</b></td>"
            f"<td>{html.escape(by)}</td></tr>"
        )
    return "".join(rows)


@solara.component
def Status(model: TeachingModel):
    """Date, scenario, switches, the reference run and headline numbers against it."""
    update_counter.get()
    ref = use_reference(model)
    frame = model.trace.latest
    months = frame.month + 1
    s = model.settings
    title = model.spec.title or s.scenario_name
    if months == 0:
        when = f"Start: {model.world.date(0)}, nothing simulated yet"
    else:
        when = f"Simulated through {frame.date} (month {months} of {model.horizon})"
    subtitle = f"{title} ({s.scenario_name}), seed {s.seed}"
    with solara.Card(title=when, subtitle=subtitle, style=CARD_STYLE):
        if model.problem:
            solara.Warning(f"Not applied: {model.problem}")
        switched = ", ".join(s.toggles) if s.toggles else "none"
        solara.Text(f"Ills and reforms switched on: {switched}", style=BLOCK)
        state = "ready" if ref is not None else "still computing"
        solara.Text(f"Reference run (dashed in the charts): {s.scenario_name} as shipped, "
                    f"seed {s.seed}: {state}", style=BLOCK)  # fmt: skip
        cells = []
        for name, label, divisor, unit in HEADLINES:
            now = _fmt(frame.row[name], divisor, unit) if frame.row else "–"
            then = "…"
            if ref is not None and 0 < months < len(ref.frames):
                then = _fmt(ref.frames[months].row[name], divisor, unit)
            cells.append(f"<tr><td>{label}</td><td><b>{now}</b></td><td>{then}</td></tr>")
        head = "<tr><th></th><th>this run</th><th>reference, same month</th></tr>"
        solara.HTML(
            tag="table",
            unsafe_innerHTML=head + "".join(cells),
            style="font-size: 90%; margin: 6px 0",
        )


@solara.component
def Levers(model: TeachingModel):
    """The value of every lever in this run and what set it."""
    with solara.Card("Levers in effect (press Reset to apply the controls)", style=CARD_STYLE):
        solara.HTML(
            tag="table",
            unsafe_innerHTML="<tr><th>Lever</th><th>value</th><th>set by</th></tr>"
            + _lever_rows(model),
            style="font-size: 90%",
        )


def map_card(title: str, draw: Callable[[World, Positions, str], Figure]):
    """A card showing ``draw(world, positions, date)`` for the month just simulated."""

    @solara.component
    def MapCard(model: TeachingModel):
        update_counter.get()
        trace = model.trace
        image = solara.use_memo(
            lambda: png(draw(model.world, trace.positions, trace.latest.date)),
            dependencies=[id(model), len(trace.frames)],
        )
        with solara.Card(title, style=CARD_STYLE):
            solara.Image(image, width="100%")

    return MapCard


def chart_card(title: str, draw: Callable[[World, int, Trace, Trace | None], Figure]):
    """A card showing ``draw(world, horizon, live trace, reference trace)``."""

    @solara.component
    def ChartCard(model: TeachingModel):
        update_counter.get()
        ref = use_reference(model)
        trace = model.trace
        image = solara.use_memo(
            lambda: png(draw(model.world, model.horizon, trace, ref)),
            dependencies=[id(model), len(trace.frames), ref is not None],
        )
        with solara.Card(title, style=CARD_STYLE):
            solara.Image(image, width="100%")

    return ChartCard


@solara.component
def Feed(model: TeachingModel):
    """Notable events in plain words, newest month first."""
    update_counter.get()
    # Newest month first; within a month, in the order things happened.
    lines = sorted(model.trace.feed[-FEED_LINES:], key=lambda line: line[:7], reverse=True)
    with solara.Card("What happened (newest month first)", style=CARD_STYLE):
        if not lines:
            solara.Text("Nothing yet: press Step or play.")
        items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
        solara.HTML(tag="ul", unsafe_innerHTML=items, style="font-size: 90%")


#: The cells of the page, two to a row.
COMPONENTS = [
    (Status, 0),
    (map_card("The city's parks", parks_map), 0),
    (chart_card("Attraction funnel", charts.funnel_chart), 0),
    (chart_card("Firms by park", charts.parks_chart), 0),
    (Feed, 0),
    (map_card("Where the firms come from", country_map), 0),
    (chart_card("Idle land", charts.idle_land_chart), 0),
    (chart_card("Fiscal balance", charts.fiscal_chart), 0),
    (Levers, 0),
]


@solara.component
def Page():
    """The page: one model per browser session, Mesa's controls in the sidebar."""
    scenario, overrides = launch_settings()
    params = solara.use_memo(lambda: model_params(scenario, 1, overrides), [])
    model = solara.use_memo(lambda: TeachingModel(scenario, 1, base_overrides=overrides), [])
    SolaraViz(
        model,
        components=COMPONENTS,
        model_params=params,
        name=TITLE,
        play_interval=150,
    )
