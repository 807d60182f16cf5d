"""The teaching page without a browser: controls, toggles, levers, the feed and the CLI."""

from __future__ import annotations

import socket
import time

import ipyvuetify as v
import ipywidgets
import numpy as np
import pytest
import solara
import solara.widgets

from zhaoshang.experiments.cli import main
from zhaoshang.experiments.cli.ui import server_command, server_env
from zhaoshang.scenarios.loader import library_names, load_scenario
from zhaoshang.ui import app, feed, reference
from zhaoshang.ui.levers import (
    ILLS,
    LEVER_BY_NAME,
    LEVERS,
    METADATA,
    REFORMS,
    Settings,
    available_toggles,
    file_overrides,
    model_params,
    parse_overrides,
    resolve_settings,
    toggle_param,
)
from zhaoshang.ui.teaching_model import TeachingModel

SMALL = ("pool.firms=3000", "time.months=24")


def params_of(scenario) -> dict:
    """A scenario's parameters, without the text that describes it."""
    return scenario.model_dump(exclude=set(METADATA))


def small_model(**kwargs) -> TeachingModel:
    return TeachingModel(base_overrides=SMALL, **kwargs)


# ----------------------------------------------------------------------------- the page


@pytest.fixture
def page(monkeypatch):
    """The page rendered headless (inside the app layout that ``solara run`` provides)."""
    monkeypatch.setenv("ZHAOSHANG_UI_SCENARIO", "ruzhou-2017")
    monkeypatch.setenv("ZHAOSHANG_UI_SET", '["pool.firms=3000", "time.months=24"]')

    @solara.component
    def Served():
        with solara.AppLayout():
            app.Page()

    _box, rc = solara.render(Served(), handle_error=False)
    yield rc
    rc.close()


def card_titles(rc) -> list[str]:
    return [str(w.children[0]) for w in rc.find(v.CardTitle).widgets if w.children]


def html_text(rc) -> str:
    return "\n".join(w.unsafe_innerHTML or "" for w in rc.find(solara.widgets.HTML).widgets)


def card_image(rc, title: str) -> bytes:
    """The PNG shown in the card titled ``title``."""

    def walk(widget):
        yield widget
        for child in getattr(widget, "children", None) or []:
            if isinstance(child, ipywidgets.Widget):
                yield from walk(child)

    for card in rc.find(v.Card).widgets:
        inside = list(walk(card))
        if any(isinstance(w, v.CardTitle) and w.children == [title] for w in inside):
            return next(bytes(w.value) for w in inside if isinstance(w, ipywidgets.Image))
    raise AssertionError(f"no card titled {title!r}")


def wait_for(condition, timeout=20.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_page_has_every_control(page):
    select = page.find(v.Select, label="Scenario")
    select.assert_single()
    assert set(library_names()) <= set(select.widget.items)
    assert select.widget.v_model == "ruzhou-2017"
    for toggle in available_toggles():
        page.find(v.Checkbox, label=toggle.control_label).assert_single()
    for lever in LEVERS:
        kind = v.Checkbox if lever.kind == "Checkbox" else v.Slider
        page.find(kind, label=lever.label).assert_single()
    page.find(v.Slider, label="Seed").assert_single()
    for label in ("Reset", "Step", "▶"):
        page.find(v.Btn, children=[label]).assert_single()
    titles = card_titles(page)
    assert "Start: 2017-01, nothing simulated yet" in titles
    for title in (
        "The city's parks",
        "Where the firms come from",
        "Attraction funnel",
        "Firms by park",
        "Idle land",
        "Fiscal balance",
        "What happened (newest month first)",
    ):
        assert title in titles
    assert len(page.find(ipywidgets.Image).widgets) == 6  # two maps and four charts


def test_ten_toggles_when_the_library_has_them():
    names = set(library_names())
    expected = [name for name, _ in (*ILLS, *REFORMS) if name in names]
    assert [t.library_name for t in available_toggles()] == expected
    if all(name in names for name, _ in (*ILLS, *REFORMS)):
        assert len(expected) == 10


def text_of(rc) -> str:
    return "\n".join(str(w.children[0]) for w in rc.find(v.Html, tag="span").widgets
                     if w.children)  # fmt: skip


def test_step_changes_the_date_and_the_charts(page):
    assert wait_for(lambda: "seed 1: ready" in text_of(page))  # the reference is drawn
    before = card_image(page, "Attraction funnel")
    page.find(v.Btn, children=["Step"]).widget.click()
    assert wait_for(lambda: "Simulated through 2017-01 (month 1 of 24)" in card_titles(page))
    assert card_image(page, "Attraction funnel") != before


def test_a_moved_slider_applies_on_reset(page):
    slider = page.find(v.Slider, label="Resident offices")
    assert slider.widget.v_model == 5
    slider.widget.v_model = 9
    page.find(v.Btn, children=["Reset"]).widget.click()
    row = "<td>Resident offices</td><td><b>9</b></td><td>your slider</td>"
    assert wait_for(lambda: row in html_text(page))


def test_a_toggle_applies_on_reset(page):
    toggle = next(t for t in available_toggles() if t.library_name == "ills/lax-land")
    box = page.find(v.Checkbox, label=toggle.control_label)
    box.widget.v_model = True
    page.find(v.Btn, children=["Reset"]).widget.click()
    row = "<td>Idle-land fees and reclamation</td><td><b>off</b></td><td>ills/lax-land</td>"
    assert wait_for(lambda: row in html_text(page))


# ----------------------------------------------------------------------------- levers and toggles


def test_a_toggle_applies_exactly_what_its_file_sets():
    for toggle in available_toggles():
        shipped = load_scenario(toggle.library_name, parse_overrides(SMALL))
        resolved = resolve_settings(Settings("ruzhou-2017", 1, SMALL, (toggle.library_name,)))
        assert resolved.problem is None
        assert params_of(resolved.scenario) == params_of(shipped), toggle.library_name
        assert file_overrides(toggle.library_name), toggle.library_name


def test_unmoved_sliders_leave_toggles_and_scenarios_alone():
    params = model_params("reforms/service", 1, SMALL)
    start = params["slider_start"]
    values = {name: value for name, value in start}
    model = small_model(scenario_name="reforms/service", slider_start=start, **values)
    assert params_of(model.spec) == params_of(
        load_scenario("reforms/service", parse_overrides(SMALL))
    )
    assert model.lever_sources["service_quality"] == "scenario"
    values["service_quality"] = 0.3
    moved = small_model(scenario_name="reforms/service", slider_start=start, **values)
    assert moved.spec.governments["ruzhou"].service.quality == pytest.approx(0.3)
    assert moved.lever_sources["service_quality"] == "slider"


def test_a_moved_slider_wins_over_a_toggle():
    start = model_params("ruzhou-2017", 1, SMALL)["slider_start"]
    values = dict(start)
    values["land_enforcement"] = True
    on = small_model(ill_lax_land=True, slider_start=start, **values)
    assert on.spec.governments["ruzhou"].land.enforcement is False
    assert on.lever_sources["land_enforcement"] == "ills/lax-land"
    values["service_quality"] = 0.95
    both = small_model(reform_service=True, slider_start=start, **values)
    assert both.spec.governments["ruzhou"].service.quality == pytest.approx(0.95)


def test_the_lax_land_toggle_is_the_enforcement_switch():
    """Switching on ills/lax-land and unticking idle-land enforcement give the same run."""
    start = model_params("ruzhou-2017", 1, SMALL)["slider_start"]
    values = dict(start)
    ill = small_model(ill_lax_land=True, slider_start=start, **values)
    values["land_enforcement"] = False
    switch = small_model(slider_start=start, **values)
    assert params_of(ill.spec) == params_of(switch.spec)
    ill.run_for(18)
    switch.run_for(18)
    assert ill.trace.feed == switch.trace.feed
    np.testing.assert_array_equal(
        ill.trace.series("idle_land_ha"), switch.trace.series("idle_land_ha")
    )


def test_every_library_scenario_opens_on_the_page():
    for name in library_names():
        params = model_params(name, 1, ("pool.firms=1000",))
        values = {key: params[key]["value"] for key in ("scenario_name", "seed")}
        model = TeachingModel(base_overrides=("pool.firms=1000",), **values)
        model.run_for(2)
        assert model.trace.latest.month == 1 and model.problem is None, name


def test_a_toggle_for_another_city_is_left_out_and_said():
    others = [n for n in library_names() if load_scenario(n).focus != "ruzhou"]
    if not others:
        pytest.skip("the library has no scenario without Ruzhou")
    start = model_params(others[0], 1, ("pool.firms=1000",))["slider_start"]
    values = dict(start)
    values["office_count"] = values["office_count"] + 2
    model = TeachingModel(
        others[0], base_overrides=("pool.firms=1000",), slider_start=start, ill_lax_land=True,
        **values,
    )  # fmt: skip
    assert "ills/lax-land is about ruzhou" in model.problem
    assert "ruzhou" not in model.spec.governments
    assert model.lever_sources["office_count"] == "slider"
    assert LEVER_BY_NAME["office_count"].read(model.spec) == values["office_count"]


def test_settings_that_do_not_fit_fall_back_to_the_scenario():
    resolved = resolve_settings(Settings("ruzhou-2017", 1, SMALL, (), (("max_pollution", -1.0),)))
    assert "could not be applied" in resolved.problem and "max_pollution" in resolved.problem
    assert resolved.scenario == load_scenario("ruzhou-2017", parse_overrides(SMALL))


# ------------------------------------------------------------------------ runs, feed, reference


def test_unchanged_run_retraces_its_reference():
    """The reference (same scenario, seed and --set) and an untouched run are the same run."""
    live = small_model(seed=3, draw=False)
    live.run_for(live.horizon)
    ref = reference.request(live.settings.reference_key).result(timeout=60)
    for name in ("contacts", "operating_firms", "idle_land_ha", "net_fiscal_yuan"):
        np.testing.assert_array_equal(live.trace.series(name), ref.series(name))
    np.testing.assert_array_equal(live.trace.park_series(), ref.park_series())


def test_trace_matches_the_model_outputs():
    model = small_model(seed=2)
    model.run_for(12)
    frame = model.datacollector.get_model_vars_dataframe()
    assert list(model.trace.series("entries")) == list(frame["entries"])
    parks = model.trace.park_series()[-1]
    k = model.kpis()
    assert {p: int(parks[i]) for i, p in enumerate(model.world.park_ids)} == {
        p: v["operating_firms"] for p, v in k["by_park"].items()
    }
    pos = model.trace.positions
    assert (pos.status == 2).sum() == parks.sum()


def test_feed_tells_signings_in_plain_words(monkeypatch):
    monkeypatch.setattr(feed, "PER_MONTH", 10_000)
    model = small_model(seed=1)
    model.run_for(12)
    ev = model.events
    here = ev[(ev["city"] == "ruzhou") & (ev["from"] == "negotiating") & (ev["to"] == "contract")]
    signed = [line for line in model.trace.feed if " signed with the " in line]
    assert len(signed) == len(here) > 0
    first = here.iloc[0]
    sector = model.spec.sectors[model.firm_frame().set_index("firm").loc[first.firm, "sector"]]
    assert signed[0].startswith(f"{first.date}: ")
    assert sector.name.lower() in signed[0].lower()
    assert any("promotion conference in Shaoxing" in line for line in model.trace.feed)


def test_feed_counts_what_it_does_not_spell_out(monkeypatch):
    monkeypatch.setattr(feed, "PER_MONTH", 10_000)
    full = small_model(seed=1)
    full.run_for(12)
    monkeypatch.setattr(feed, "PER_MONTH", 2)
    capped = small_model(seed=1)
    capped.run_for(12)
    firm_lines = [line for line in full.trace.feed if " firm from " in line]
    for month in {line[:7] for line in firm_lines}:
        n = sum(line.startswith(month) for line in firm_lines)
        shown = [line for line in capped.trace.feed if line.startswith(month) and " firm " in line]
        assert len(shown) == min(n, 2)
        more = [line for line in capped.trace.feed if line.startswith(f"{month}: ... and ")]
        assert more == (
            [f"{month}: ... and {n - 2} more such event{'s' * (n > 3)}"] if n > 2 else []
        )


# ----------------------------------------------------------------------------- the command


def run_cli(args: list[str]) -> int:
    """Exit status of the command (bad input always ends it with SystemExit)."""
    with pytest.raises(SystemExit) as stopped:
        main(args)
    return stopped.value.code


def test_ui_command_rejects_bad_input(capsys):
    assert run_cli(["ui", "--scenario", "no-such-scenario"]) == 2
    assert "no-such-scenario" in capsys.readouterr().err
    assert run_cli(["ui", "--set", "pool.firms=-1"]) == 2
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert run_cli(["ui", "--port", str(port)]) == 2
    assert f"127.0.0.1:{port}" in capsys.readouterr().err


def test_ui_command_without_the_extra_names_it(capsys, monkeypatch):
    """Without solara installed the command says which extra to install, before any URL."""
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "solara" else real(name, *a)
    )

    def no_server(*args, **kwargs):
        raise AssertionError("the server was started without solara")

    monkeypatch.setattr("zhaoshang.experiments.cli.ui.subprocess.Popen", no_server)
    assert run_cli(["ui"]) == 2
    out, err = capsys.readouterr()
    assert "pip install 'zhaoshang[ui]'" in err and "solara" in err
    assert "http://" not in out


def test_server_is_started_without_network_features():
    cmd = server_command("127.0.0.1", 8765)
    assert cmd[3:8] == ["run", "zhaoshang.ui.app", "--host", "127.0.0.1", "--port"]
    for flag in ("--no-open", "--no-check-version", "--production"):
        assert flag in cmd
    env = server_env("ills/all", ["pool.firms=100"])
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"
    assert env["ZHAOSHANG_UI_SCENARIO"] == "ills/all"
    assert env["ZHAOSHANG_UI_SET"] == '["pool.firms=100"]'



def test_every_toggle_and_lever_keyword_reaches_the_settings(monkeypatch):
    """The constructor passes its keywords on one by one: each ill, reform and lever arrives
    under its own name (the settings are caught before the model is built)."""

    class Caught(Exception):
        pass

    def catch(settings):
        raise Caught(settings)

    monkeypatch.setattr("zhaoshang.ui.teaching_model.resolve_settings", catch)
    for name, _ in (*ILLS, *REFORMS):
        with pytest.raises(Caught) as info:
            TeachingModel(**{toggle_param(name): True})
        assert info.value.args[0].toggles == (name,)
    start = dict(model_params("ruzhou-2017", 1, SMALL)["slider_start"])
    assert set(start) == {lever.name for lever in LEVERS}
    for lever, value in start.items():
        with pytest.raises(Caught) as info:
            TeachingModel(**{lever: value})
        assert info.value.args[0].levers == ((lever, value),)
