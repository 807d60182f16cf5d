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

import matplotlib
import solara
from matplotlib.figure import Figure
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from ..experiments.figures.style import fonts
from ..i18n import LANGS, default_lang, money_unit, month_label, term, tr, using
from ..model.state.world import World
from . import charts, reference
from .levers import LEVER_BY_NAME, model_params
from .schematic import country_map, parks_map
from .teaching_model import TeachingModel
from .trace import Positions, Trace

#: Feed lines shown (the most recent ones).
FEED_LINES = 14
#: Headline numbers of the status card: series (named ``kpi.<series>``) and unit (``money``:
#: millions of yuan in English, 万元 in Chinese; else a glossary key under ``unit.``, or none).
HEADLINES = (
    ("operating_firms", None),
    ("jobs", None),
    ("idle_land_ha", "ha"),
    ("net_fiscal_yuan", "money"),
)
#: The page's language, per browser session (the switch at the top of the status card).
LANG = solara.reactive(default_lang())
#: The switch's labels, each in its own language.
LANG_NAMES = {"zh": "中文", "en": "English"}
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


def _fmt(value: float, unit: str | None) -> str:
    """A headline number with its unit in the current language."""
    if unit == "money":
        label, divisor = money_unit("medium")
        return f"{value / divisor:,.0f} {label}"
    return f"{value:,.0f}" + (f" {term(f'unit.{unit}')}" if unit else "")


def _lever_rows(model: TeachingModel) -> str:
    rows = []
    for name, source in model.lever_sources.items():
        lever = LEVER_BY_NAME[name]
        value = lever.read(model.spec)
        on_off = term("page.on") if value else term("page.off")
        shown = on_off if isinstance(value, bool) else f"{value:g}"
        by = term(f"page.by_{source}") if source in ("scenario", "slider") else source
        rows.append(
            f"<tr><td>{html.escape(lever.label)}</td><td><b>{shown}</b></td>"
            f"<td>{html.escape(by)}</td></tr>"
        )
    return "".join(rows)


@solara.component
def LanguageSwitch():
    """中文 / English: redraws every card, chart and the feed in the chosen language."""
    with solara.Row(style={"align-items": "center"}):
        solara.Text(f"{term('page.language', LANG.value)}:")
        for lang in LANGS[::-1]:
            solara.Button(
                LANG_NAMES[lang],
                on_click=lambda lang=lang: LANG.set(lang),
                outlined=LANG.value != lang,
                small=True,
                classes=[f"zhaoshang-lang-{lang}"],
            )


@solara.component
def Status(model: TeachingModel):
    """Date, scenario, switches, the reference run and headline numbers against it."""
    update_counter.get()
    ref = use_reference(model)
    with using(LANG.value):
        _status(model, ref)


def _status(model: TeachingModel, ref: Trace | None) -> None:
    frame = model.trace.latest
    months = frame.month + 1
    s = model.settings
    title = (LANG.value == "zh" and model.spec.title_zh) or model.spec.title or s.scenario_name
    if months == 0:
        when = tr("page.start", date=month_label(model.world.date(0)))
    else:
        when = tr("page.through", date=month_label(frame.date), month=months,
                  horizon=model.horizon)  # fmt: skip
    subtitle = tr("page.subtitle", title=title, name=s.scenario_name, seed=s.seed)
    with solara.Card(title=when, subtitle=subtitle, style=CARD_STYLE):
        LanguageSwitch()
        if model.problem:
            solara.Warning(tr("page.not_applied", problem=model.problem))
        switched = term("summary.sep").join(s.toggles) if s.toggles else term("common.none")
        solara.Text(tr("page.switched", names=switched), style=BLOCK)
        state = term("page.ready") if ref is not None else term("page.computing")
        solara.Text(tr("page.reference", name=s.scenario_name, seed=s.seed, state=state),
                    style=BLOCK)  # fmt: skip
        cells = []
        for name, unit in HEADLINES:
            now = _fmt(frame.row[name], unit) if frame.row else "–"
            then = "…"
            if ref is not None and 0 < months < len(ref.frames):
                then = _fmt(ref.frames[months].row[name], unit)
            label = html.escape(term(f"kpi.{name}"))
            cells.append(f"<tr><td>{label}</td><td><b>{now}</b></td><td>{then}</td></tr>")
        head = (
            f"<tr><th></th><th>{term('page.this_run')}</th>"
            f"<th>{term('page.reference_same_month')}</th></tr>"
        )
        solara.HTML(
            tag="table",
            unsafe_innerHTML=head + "".join(cells),
            style="font-size: 90%; margin: 6px 0",
        )


@solara.component
def Levers(model: TeachingModel):
    """The value of every lever in this run and what set it."""
    with using(LANG.value), solara.Card(term("page.levers"), style=CARD_STYLE):
        head = (
            f"<tr><th>{term('page.lever')}</th><th>{term('summary.value')}</th>"
            f"<th>{term('page.set_by')}</th></tr>"
        )
        solara.HTML(tag="table", unsafe_innerHTML=head + _lever_rows(model),
                    style="font-size: 90%")  # fmt: skip


def _drawn(lang: str, draw: Callable[[], Figure]) -> bytes:
    """``draw()`` in a language, as PNG bytes (with a font that has its characters)."""
    with using(lang), matplotlib.rc_context({"font.family": fonts(lang)}):
        return png(draw())


def map_card(title: str, draw: Callable[[World, Positions, str], Figure]):
    """A card showing ``draw(world, positions, date)`` for the month just simulated.

    ``title`` is the glossary key of the card's title.
    """

    @solara.component
    def MapCard(model: TeachingModel):
        update_counter.get()
        trace, lang = model.trace, LANG.value
        image = solara.use_memo(
            lambda: _drawn(lang, lambda: draw(model.world, trace.positions, trace.latest.date)),
            dependencies=[id(model), len(trace.frames), lang],
        )
        with solara.Card(term(title, lang), style=CARD_STYLE):
            solara.Image(image, width="100%")

    return MapCard


def chart_card(title: str, draw: Callable[[World, int, Trace, Trace | None], Figure]):
    """A card showing ``draw(world, horizon, live trace, reference trace)``.

    ``title`` is the glossary key of the card's title.
    """

    @solara.component
    def ChartCard(model: TeachingModel):
        update_counter.get()
        ref = use_reference(model)
        trace, lang = model.trace, LANG.value
        image = solara.use_memo(
            lambda: _drawn(lang, lambda: draw(model.world, model.horizon, trace, ref)),
            dependencies=[id(model), len(trace.frames), ref is not None, lang],
        )
        with solara.Card(term(title, lang), style=CARD_STYLE):
            solara.Image(image, width="100%")

    return ChartCard


@solara.component
def Feed(model: TeachingModel):
    """Notable events in plain words, newest month first."""
    update_counter.get()
    lang = LANG.value
    # Newest month first; within a month, in the order things happened.
    lines = model.trace.feed_in(lang, FEED_LINES)
    with solara.Card(term("page.feed", lang), style=CARD_STYLE):
        if not lines:
            solara.Text(term("page.nothing_yet", lang))
        items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
        solara.HTML(tag="ul", unsafe_innerHTML=items, style="font-size: 90%")


#: The cells of the page, two to a row.
COMPONENTS = [
    (Status, 0),
    (map_card("page.card.parks", parks_map), 0),
    (chart_card("page.card.funnel", charts.funnel_chart), 0),
    (chart_card("page.card.by_park", charts.parks_chart), 0),
    (Feed, 0),
    (map_card("page.card.origins", country_map), 0),
    (chart_card("page.card.idle_land", charts.idle_land_chart), 0),
    (chart_card("page.card.fiscal", charts.fiscal_chart), 0),
    (Levers, 0),
]


@solara.component
def Page():
    """The page: one model per browser session, Mesa's controls in the sidebar."""
    scenario, overrides = launch_settings()
    lang = LANG.value
    with using(lang):
        params = solara.use_memo(lambda: _params(lang, scenario, overrides), [lang])
        model = solara.use_memo(lambda: TeachingModel(scenario, 1, base_overrides=overrides), [])
        SolaraViz(
            model,
            components=COMPONENTS,
            model_params=params,
            name=term("page.title"),
            play_interval=150,
        )


def _params(lang: str, scenario: str, overrides: tuple[str, ...]) -> dict:
    """The sidebar's controls, labelled in a language."""
    with using(lang):
        return model_params(scenario, 1, overrides)
