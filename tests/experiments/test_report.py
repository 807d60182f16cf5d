"""The report: one self-contained HTML file (and a PDF) for run, compare and sensitivity
folders, with the scenario's changes against its parent, that renders in headless Chromium."""

from __future__ import annotations

import base64
import importlib.util
import io
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from test_figures import make_compare, make_run, make_sensitivity

from tests.conftest import CHROMIUM, CHROMIUM_ARGS
from zhaoshang import load_scenario
from zhaoshang.experiments.figures import ResultsFolder
from zhaoshang.experiments.outputs.report import (
    Table,
    flatten,
    scenario_diff,
    sections,
    write_report,
)

LAUNCH_ARGS = CHROMIUM_ARGS


class Links(HTMLParser):
    """Collects tags and every URL-bearing attribute of a document."""

    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.urls: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href", "srcset", "action", "data", "poster") and value:
                self.urls.append((tag, name, value))


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    root = tmp_path_factory.mktemp("reports")
    folders = {
        "run": make_run(root / "run"),
        "compare": make_compare(root / "compare"),
        "sensitivity": make_sensitivity(root / "sensitivity", "sobol"),
    }
    out = {}
    for key, folder in folders.items():
        written = write_report(folder, pdf=key == "compare")
        out[key] = written
    return out


def parse(path: Path) -> Links:
    links = Links()
    links.feed(path.read_text(encoding="utf-8"))
    return links


@pytest.mark.parametrize("key", ["run", "compare", "sensitivity"])
def test_report_is_self_contained(reports, key):
    html_path = reports[key][0]
    assert html_path.name == "report.html"
    text = html_path.read_text(encoding="utf-8")
    links = parse(html_path)
    assert not {"script", "link", "iframe", "object", "embed"} & set(links.tags)
    assert "@import" not in text and "url(" not in text and "@font-face" not in text
    images = [v for tag, name, v in links.urls if tag == "img"]
    assert images
    for tag, name, value in links.urls:
        if tag == "img":
            assert value.startswith("data:image/png;base64,"), value[:40]
        else:
            assert value.startswith("#"), (tag, name, value)
    for value in images:
        png = Image.open(io.BytesIO(base64.b64decode(value.split(",", 1)[1])))
        assert png.format == "PNG" and min(png.size) > 100


def test_run_report_holds_kpis_figures_and_provenance(reports):
    text = reports["run"][0].read_text(encoding="utf-8")
    for heading in ("Scenario", "Key indicators", "Figures", "Provenance"):
        assert f">{heading}</h2>" in text
    # ruzhou-2017 extends nothing: the run is compared with its file without the --set values.
    assert "Parameters that differ from its file without --set" in text
    assert '<td>pool.firms</td><td class="num">20000</td><td class="num">5000</td>' in text
    assert "Operating firms (end, incumbents included)" in text
    assert "git revision" in text and "seed" in text
    for kind in ("funnel", "kpi_series", "flow_map", "land", "fiscal", "network_embroidery"):
        assert f"id='fig-{kind}'" in text


def test_compare_and_sensitivity_reports_hold_their_tables(reports):
    text = reports["compare"][0].read_text(encoding="utf-8")
    assert "Comparison of scenarios" in text and "id='fig-forest'" in text
    assert "reforms/all − ruzhou-2017 [95% CI]" in text
    # The compared scenarios' own changes against their parent, resolved from the library.
    assert "What reforms/all changes against its parent ruzhou-2017" in text
    text = reports["sensitivity"][0].read_text(encoding="utf-8")
    assert "Sensitivity analysis" in text
    for kind in ("sensitivity_indices", "convergence"):
        assert f"id='fig-{kind}'" in text
    assert "id='fig-morris'" not in text  # a Sobol analysis has no Morris plane


def test_pdf_has_the_text_and_a_page_per_figure(reports):
    html_path, pdf_path = reports["compare"]
    data = pdf_path.read_bytes()
    assert data.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
    figures = html_path.read_text(encoding="utf-8").count("<figure")
    assert figures == 1 and pages >= figures + 3  # title, tables, figure, provenance


def test_diff_against_the_parent_shows_exactly_what_changed(tmp_path):
    child = tmp_path / "child.toml"
    child.write_text(
        'extends = "ruzhou-2017"\ntitle = "Better service"\n'
        "[governments.ruzhou.service]\nquality = 0.9\n"
    )
    folder = make_run(tmp_path / "run", str(child), "--set", "behaviour.home_bias=4.0")
    scenario = sections(ResultsFolder(folder))[0]
    texts = [b for b in scenario.blocks if isinstance(b, str)]
    assert any(t.startswith("Parameters that differ from its parent") for t in texts)
    rows = next(b for b in scenario.blocks if isinstance(b, Table)).rows
    parent = flatten(load_scenario("ruzhou-2017").model_dump(mode="json"))
    expected = {
        "governments.ruzhou.service.quality": (parent["governments.ruzhou.service.quality"], "0.9"),
        "behaviour.home_bias": (parent["behaviour.home_bias"], "4.0"),
        "pool.firms": (parent["pool.firms"], "5000"),
        "time.months": (parent["time.months"], "36"),
    }
    assert {r[0]: (r[1], r[2]) for r in rows} == {k: (str(a), b) for k, (a, b) in expected.items()}


def test_scenario_diff_lists_added_removed_and_changed_values():
    a = {"title": "x", "a": {"b": 1, "c": [1, 2]}, "gone": 3}
    b = {"title": "y", "a": {"b": 2, "c": [1, 2]}, "new": {"d": None}}
    assert scenario_diff(a, b) == [
        ["a.b", "1", "2"],
        ["gone", "3", "(absent)"],
        ["new.d", "(absent)", "-"],
    ]


def test_report_is_written_atomically(tmp_path, monkeypatch):
    folder = make_compare(tmp_path / "compare")
    import zhaoshang.experiments.outputs.report as report

    def broken(*_, **__):
        raise RuntimeError("drawing failed")

    monkeypatch.setattr(report, "draw", broken)
    with pytest.raises(RuntimeError):
        write_report(folder, pdf=True)
    assert sorted(p.name for p in folder.iterdir()) == ["compare.csv", "manifest.json"]


def test_report_command_rejects_a_folder_without_results(tmp_path, capsys):
    from zhaoshang.experiments.cli import main

    (tmp_path / "empty").mkdir()
    with pytest.raises(SystemExit) as exc:
        main(["report", str(tmp_path / "empty")])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "holds no results" in err and "Traceback" not in err


def test_a_pdf_named_as_the_html_file_is_refused(reports, tmp_path, capsys):
    from zhaoshang.experiments.cli import main

    run_folder = reports["run"][0].parent
    with pytest.raises(SystemExit) as exc:
        main(["report", str(run_folder), "--out", str(tmp_path / "same.pdf"), "--pdf"])
    assert exc.value.code == 2
    assert "--pdf writes the PDF beside it" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- the browser
def chromium_or_skip() -> None:
    """Skip without Chromium or Playwright, except under CI where that is a failure."""
    missing = [
        what
        for what, ok in (
            (CHROMIUM, Path(CHROMIUM).exists()),
            ("playwright", importlib.util.find_spec("playwright") is not None),
        )
        if not ok
    ]
    if missing:
        message = f"browser test needs {', '.join(missing)}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


@pytest.mark.browser
def test_reports_render_in_headless_chromium(reports, tmp_path):
    chromium_or_skip()
    from playwright.sync_api import sync_playwright

    blocked: list[str] = []

    def only_files(route):
        if route.request.url.startswith(("file:", "data:")):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.route("**/*", only_files)
            for key, written in reports.items():
                page.goto(written[0].resolve().as_uri(), wait_until="load")
                widths = page.evaluate(
                    "Array.from(document.images).map(i => i.complete ? i.naturalWidth : 0)"
                )
                assert widths and all(w > 0 for w in widths), (key, widths)
                shot = tmp_path / f"{key}.png"
                page.screenshot(path=str(shot), full_page=True)
                image = np.asarray(Image.open(shot).convert("L"))
                assert image.shape[0] > 900  # the page is longer than one screen
                assert (image < 200).mean() > 0.01 and image.std() > 10, key
        finally:
            browser.close()
    assert blocked == []
