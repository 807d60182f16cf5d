# ruff: noqa: F811 - the tests take the imported `folders` fixture as an argument
"""Everything in Chinese: every figure kind, the run summary and the report.

Figures are drawn with ``--lang zh`` from a small real run (``ruzhou-2017``, seed 3, 36
months, 5,000 firms) and synthetic comparison and sensitivity folders; drawing any of them
must not warn that a glyph is missing from the font (a box in place of a character), every
figure must show Chinese text, and no English glossary phrase may remain on it.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import pytest
from typer.testing import CliRunner

from tests.conftest import run_cli
from tests.experiments.test_figures import (  # the same folders as the English figure tests
    blank_share,
    draw_and_check,
    folders,  # noqa: F401 - a fixture
)
from zhaoshang import i18n
from zhaoshang.experiments import figures
from zhaoshang.experiments.cli import app
from zhaoshang.experiments.figures import ResultsFolder

CJK = re.compile(r"[\u4e00-\u9fff]")


def english_phrases() -> set[str]:
    """English glossary texts that differ from their Chinese (words that must not show)."""
    out = set()
    for entry in i18n.glossary().values():
        text = entry["en"].split("{")[0].strip(" (,.:")
        if entry["en"] != entry["zh"] and re.fullmatch(r"[A-Za-z][a-z]+(?: [a-z]+)+", text):
            out.add(text)
    return out


@pytest.fixture
def chinese():
    i18n.set_lang("zh")
    yield
    i18n.set_lang(None)


def texts_of(fig) -> list[str]:
    return [t.get_text() for t in fig.findobj(plt.Text) if t.get_text().strip()]


def test_every_figure_kind_in_chinese_without_missing_glyphs(folders, chinese, tmp_path):
    english = english_phrases()
    drawn = set()
    for path in folders.values():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for name, fig in figures.draw(ResultsFolder(path)):
                png = tmp_path / f"{name}.png"
                outside = draw_and_check(fig, png)  # renders every glyph
                assert not outside, f"{name}: text outside the canvas: {outside}"
                inked, colours = blank_share(png)
                assert inked > 0.02 and colours > 20, f"{name}: blank"
                texts = texts_of(fig)
                assert any(CJK.search(t) for t in texts), f"{name}: no Chinese text"
                left = [t for t in texts if any(e in t for e in english)]
                assert not left, f"{name}: English left on the figure: {left}"
                drawn.add("network" if name.startswith("network_") else name)
                plt.close(fig)
        missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
        assert not missing, missing
    assert drawn == set(figures.KINDS)


def test_the_glyph_check_catches_a_missing_glyph(chinese, tmp_path):
    """Without the Chinese font the same text warns, so the test above would fail."""
    fig, ax = plt.subplots()
    ax.set_title("招商漏斗", family="DejaVu Sans")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(tmp_path / "box.png", dpi=40)
    plt.close(fig)
    assert any("missing from font" in str(w.message) for w in caught)


def test_run_prints_its_summary_in_chinese(tmp_path):
    out = tmp_path / "run"
    result = CliRunner().invoke(
        app,
        ["run", "ruzhou-2017", "--seed", "7", "--months", "24", "--set", "pool.firms=4000",
         "--lang", "zh", "--out", str(out)],
        env={"COLUMNS": "160"},
    )
    assert result.exit_code == 0, result.output
    text = result.output
    expected = ("指标", "数值", "签约项目", "在营企业", "亿元", "2017年1月至2018年12月", "结果保存")
    for word in expected:
        assert word in text, f"{word!r} missing from:\n{text}"
    assert "Construction contracts" not in text and "bn yuan" not in text
    assert (out / "figures" / "funnel.png").is_file()


def test_report_in_chinese_is_marked_and_translated(folders, tmp_path):
    html = tmp_path / "report.html"
    assert run_cli(["report", str(folders["run"]), "--lang", "zh", "--out", str(html)]) == 0
    text = html.read_text(encoding="utf-8")
    assert "<html lang='zh'>" in text
    for word in ("情景", "主要指标", "图表", "来源信息", "汝州", "招商漏斗"[:2]):
        assert word in text
    body = re.sub(r"<[^>]+>|data:image/png;base64,[A-Za-z0-9+/=]+", " ", text)
    left = [e for e in english_phrases() if e in body]
    assert not left, f"English left in the Chinese report: {left}"


def test_pdf_report_in_chinese_draws_every_character(folders, tmp_path):
    html = tmp_path / "report.html"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert run_cli(["report", str(folders["run"]), "--lang", "zh", "--pdf", "--out",
                        str(html)]) == 0  # fmt: skip
    assert (tmp_path / "report.pdf").stat().st_size > 10_000
    missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    assert not missing, missing
    from zhaoshang.experiments.outputs import report

    with i18n.using("zh"):  # the text pages keep Chinese characters (not "?")
        assert report._drawable("招商漏斗", report._mono()) == "招商漏斗"


def test_report_in_english_by_default(folders, tmp_path, monkeypatch):
    monkeypatch.setenv("ZHAOSHANG_LANG", "en")
    html = tmp_path / "report.html"
    assert run_cli(["report", str(folders["run"]), "--out", str(html)]) == 0
    assert "<html lang='en'>" in html.read_text(encoding="utf-8")


def test_unknown_language_is_refused(folders, capsys):
    assert run_cli(["plot", str(folders["run"]), "--lang", "fr"]) == 2
    assert "fr" in capsys.readouterr().err


def test_missing_chinese_font_is_a_clear_error(folders, chinese, monkeypatch, tmp_path, capsys):
    import importlib

    style = importlib.import_module("zhaoshang.experiments.figures.style")
    monkeypatch.setattr(style, "cjk_font_available", lambda: False)
    status = run_cli(["plot", str(folders["run"]), "--kind", "funnel", "--out",
                      str(tmp_path / "f"), "--lang", "zh"])
    assert status == 2
    assert "fonts-wqy-microhei" in capsys.readouterr().err
    assert not Path(tmp_path / "f").exists()


PEOPLE_COMMANDS = (
    "run", "plot", "report", "compare", "attribute", "replicate", "sensitivity", "sweep",
    "calibrate",
)  # fmt: skip


def test_every_command_that_writes_words_has_lang():
    import typer.main

    group = typer.main.get_command(app)
    lacking = [
        name
        for name in PEOPLE_COMMANDS
        if "--lang" not in {o for p in group.commands[name].params for o in p.opts}
    ]
    assert not lacking, f"commands without --lang: {lacking}"
