"""Figures: every kind draws from saved folders, has content, fits its canvas, and agrees
with the numbers it was drawn from.

Folders: a small real run (``ruzhou-2017``, seed 3, 36 months, 5,000 firms) and synthetic
``compare`` and ``sensitivity`` folders in the formats those commands write.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.text import Text
from PIL import Image
from typer.testing import CliRunner

from zhaoshang.experiments import figures
from zhaoshang.experiments.cli import app
from zhaoshang.experiments.figures import ResultsFolder
from zhaoshang.experiments.figures.funnel import FUNNEL_STAGES
from zhaoshang.experiments.figures.parks import operating_by
from zhaoshang.experiments.runs.run import build_model, run_model
from zhaoshang.model.outputs.kpis import compute

SMALL = {"pool.firms": 5000, "time.months": 36}
RUN_ARGS = ["--seed", "3", "--months", "36", "--set", "pool.firms=5000", "--quiet"]
COMPARED = ["ruzhou-2017", "reforms/all", "ills/all"]
PARAMS = [
    "governments.ruzhou.service.quality",
    "governments.ruzhou.incentives.tax_rebate",
    "behaviour.home_bias",
    "dummy",
]


# --------------------------------------------------------------------------- folders
def make_run(folder: Path, scenario: str = "ruzhou-2017", *extra: str) -> Path:
    """A real results folder from ``zhaoshang run`` (small settings, no figures)."""
    result = CliRunner().invoke(
        app, ["run", scenario, *RUN_ARGS, *extra, "--no-figures", "--out", str(folder)]
    )
    assert result.exit_code == 0, result.output
    return folder


def make_compare(folder: Path) -> Path:
    """A comparison folder as ``zhaoshang compare`` writes it (values made up)."""
    rows = []
    effects = {"reforms/all": 1.0, "ills/all": -0.6}
    kpis = {
        "entries": 120.0,
        "operating_firms": 400.0,
        "jobs": 20000.0,
        "net_fiscal_yuan": 2.5e8,
        "idle_land_ha": 12.0,
        "credibility": 0.7,
    }
    for s in COMPARED:
        for k, (kpi, base) in enumerate(kpis.items()):
            row = {"scenario": s, "kpi": kpi, "mean": base, "sd": base * 0.1, "n": 20}
            if s == COMPARED[0]:
                row.update(diff_mean=np.nan, diff_lo=np.nan, diff_hi=np.nan, p_value=np.nan)
            else:
                # Alternate KPIs: a clear effect, then one whose interval straddles zero.
                d = effects[s] * base * 0.2
                half = abs(d) * (0.5 if k % 2 == 0 else 1.5)
                p = 0.001 if k % 2 == 0 else 0.4
                row.update(
                    mean=base + d, diff_mean=d, diff_lo=d - half, diff_hi=d + half, p_value=p
                )
            rows.append(row)
    folder.mkdir(parents=True)
    pd.DataFrame(rows).to_csv(folder / "compare.csv", index=False, na_rep="")
    (folder / "manifest.json").write_text(
        json.dumps(
            {
                "scenarios": COMPARED,
                "replicates": 20,
                "seed": 11,
                "versions": {"zhaoshang": "test"},
                "git_revision": "abc123",
            }
        )
    )
    return folder


def make_sensitivity(folder: Path, method: str = "sobol") -> Path:
    """A sensitivity folder as ``zhaoshang sensitivity`` writes it (Ishigami-like values)."""
    s1 = [0.31, 0.44, 0.01, 0.001]
    st = [0.56, 0.44, 0.03, 0.004]
    influential = set(PARAMS[:2])  # home_bias is not above the dummy's interval
    rows, conv = [], []
    for output, scale in (("entries", 1.0), ("net_fiscal_yuan", 0.8)):
        for p, a, b in zip(PARAMS, s1, st, strict=True):
            if method == "sobol":
                pairs = [("S1", a * scale, 0.05), ("ST", b * scale, 0.04)]
            else:
                pairs = [
                    ("mu_star", b * 100 * scale, 8.0),
                    ("sigma", a * 80 * scale, np.nan),
                    ("mu", a * 50, np.nan),
                ]
            for index, value, conf in pairs:
                ranked = index in ("S1", "ST", "mu_star")
                flag = p in influential
                rows.append(
                    {
                        "output": output,
                        "parameter": p,
                        "index": index,
                        "value": value,
                        "conf": conf,
                        "influential": flag if ranked else None,
                    }
                )
                if ranked:
                    for n, shrink in ((64, 3.0), (128, 1.8), (256, 1.0)):
                        conv.append(
                            {
                                "output": output,
                                "parameter": p,
                                "index": index,
                                "n": n,
                                "value": value * (1 + 0.1 / shrink),
                                "conf": conf * shrink,
                            }
                        )
    folder.mkdir(parents=True)
    pd.DataFrame(rows).to_csv(folder / "indices.csv", index=False)
    pd.DataFrame(conv).to_csv(folder / "convergence.csv", index=False)
    manifest = {
        "experiment_name": f"test-{method}",
        "design": {"method": method, "points": 256, "replicates": 2, "runs": 512, "dummy": True},
        "seeds": {"master": 5},
        "parameters": [{"name": p, "label": p.split(".")[-1].title()} for p in PARAMS],
        "versions": {"zhaoshang": "test"},
    }
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return folder


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    root = tmp_path_factory.mktemp("folders")
    return {
        "run": make_run(root / "run"),
        "compare": make_compare(root / "compare"),
        "sobol": make_sensitivity(root / "sobol", "sobol"),
        "morris": make_sensitivity(root / "morris", "morris"),
    }


@pytest.fixture(scope="module")
def drawn(folders):
    """Every figure every folder can draw: {(folder, name): Figure}."""
    out = {}
    for key, path in folders.items():
        for name, fig in figures.draw(ResultsFolder(path)):
            out[(key, name)] = fig
    yield out
    plt.close("all")


# --------------------------------------------------------------------------- checks
def draw_and_check(fig, png: Path) -> list[str]:
    """Draw a figure once; return texts drawn outside the canvas (and a tight bbox that
    leaves it); write what was drawn as a PNG."""
    drawn_boxes = []
    original = Text.draw

    def recording(self, renderer):
        original(self, renderer)
        if self.get_visible() and self.get_text().strip():
            drawn_boxes.append((self.get_text(), self.get_window_extent(renderer)))

    Text.draw = recording
    try:
        fig.canvas.draw()
    finally:
        Text.draw = original
    Image.fromarray(np.asarray(fig.canvas.buffer_rgba())).save(png)
    box = fig.bbox
    bad = [
        text
        for text, ext in drawn_boxes
        if ext.x0 < box.x0 - 1 or ext.y0 < box.y0 - 1 or ext.x1 > box.x1 + 1 or ext.y1 > box.y1 + 1
    ]
    tight = fig.get_tightbbox(fig.canvas.get_renderer())
    inches = fig.bbox_inches
    if (
        tight.x0 < inches.x0 - 0.01
        or tight.y0 < inches.y0 - 0.01
        or tight.x1 > inches.x1 + 0.01
        or tight.y1 > inches.y1 + 0.01
    ):
        bad.append(f"tight bbox {tight} outside {inches}")
    return bad


def blank_share(png: Path) -> tuple[float, int]:
    """Share of pixels that differ from white, and the number of distinct colours."""
    image = np.asarray(Image.open(png).convert("RGB")).astype(np.uint32)
    inked = (image < 245).any(axis=2).mean()
    packed = (image[..., 0] << 16) | (image[..., 1] << 8) | image[..., 2]
    colours = len(np.unique(packed))
    return float(inked), colours


# --------------------------------------------------------------------------- tests
def test_every_kind_is_drawn(drawn):
    stems = {name for _, name in drawn}
    for kind in figures.KINDS:
        assert any(s == kind or s.startswith(f"{kind}_") for s in stems), kind


def test_text_fits_the_canvas_and_pngs_have_content(drawn, tmp_path):
    problems = {}
    for (key, name), fig in drawn.items():
        png = tmp_path / f"{key}-{name}.png"
        if bad := draw_and_check(fig, png):
            problems[(key, name)] = bad
        inked, colours = blank_share(png)
        if not (inked > 0.02 and colours > 20):
            problems[(key, name)] = f"blank: {inked:.3f} inked, {colours} colours"
    assert not problems


def test_fit_check_catches_clipped_text(tmp_path):
    plt.close("all")
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.set_ylabel("a label far too long to fit " * 3)
    fig.text(0.95, 0.5, "overflowing text")
    assert len(draw_and_check(fig, tmp_path / "clipped.png")) >= 2
    plt.close(fig)


def test_png_is_saved_at_300_dpi(folders, tmp_path):
    f = ResultsFolder(folders["run"])
    fig = figures.fiscal(f.timeseries, f.source)
    size = (round(fig.get_figwidth() * 300), round(fig.get_figheight() * 300))
    png = figures.save(fig, tmp_path / "fiscal")[0]
    with Image.open(png) as im:
        assert round(im.info["dpi"][0]) == 300 and im.size == size
    inked, colours = blank_share(png)
    assert inked > 0.02 and colours > 20


def test_blank_check_catches_an_empty_figure(tmp_path):
    fig = plt.figure(figsize=(3, 2))
    png = figures.save(fig, tmp_path / "empty")[0]
    inked, colours = blank_share(png)
    assert inked < 0.02 and colours <= 20


def test_save_writes_each_format_atomically(tmp_path):
    fig = figures.funnel({"contacts": 10, "inspections": 4}, "test, seed 0", by_channel=False)
    paths = figures.save(fig, tmp_path / "sub" / "funnel", ["png", "svg", "pdf"])
    assert [p.suffix for p in paths] == [".png", ".svg", ".pdf"]
    assert paths[1].read_text().lstrip().startswith("<?xml")
    assert paths[2].read_bytes().startswith(b"%PDF")
    assert sorted(p.name for p in (tmp_path / "sub").iterdir()) == sorted(p.name for p in paths)
    with pytest.raises(ValueError, match="gif"):
        figures.save(plt.figure(), tmp_path / "x", ["gif"])
    assert not list(tmp_path.glob("x*")) and not list(tmp_path.glob(".x*"))


def test_style_is_colour_blind_safe_and_sourced(drawn):
    assert figures.PALETTE[:3] == ["#0072B2", "#E69F00", "#009E73"]  # Okabe-Ito
    assert matplotlib.rcParams["savefig.dpi"] == 300
    for (key, name), fig in drawn.items():
        texts = [t.get_text() for t in fig.texts]
        assert any(t.startswith("Zhaoshang") for t in texts), (key, name)
        if key == "run":
            assert any("seed 3" in t for t in texts), name


def test_funnel_counts_equal_the_model_kpis(folders):
    """Counted from the saved events, the funnel equals the model's own KPIs, over the run
    and over its first year (the model rerun in memory with the same seed)."""
    f = ResultsFolder(folders["run"])
    counts = figures.funnel_counts(f.events, f.focus)
    for key, _ in FUNNEL_STAGES:
        assert counts[key] == f.kpis[key], key
    for channel, flows in f.kpis["by_channel"].items():
        assert counts["by_channel"][channel] == flows, channel
    model = build_model("ruzhou-2017", f.manifest["overrides"], 3, firm_agents=False)
    run_model(model)
    first = compute(model, months=(0, 12))
    year = figures.funnel_counts(f.events, f.focus, (0, 12))
    for key, _ in FUNNEL_STAGES:
        assert year[key] == first[key], key
    assert year["by_channel"] == first["by_channel"]


def test_operating_firms_by_park_add_up_to_the_city_series(folders):
    f = ResultsFolder(folders["run"])
    ev = f.events[f.events["park"].astype(str).isin(f.parks(f.focus))]
    by_park = operating_by(ev, ev["park"].astype(str), len(f.dates))
    assert np.array_equal(by_park.sum(axis=1).to_numpy(), f.timeseries["operating_firms"])
    here = f.events[f.events["city"].astype(str) == f.focus]
    sector = f.firms.set_index("firm")["sector"].reindex(here["firm"]).to_numpy()
    by_sector = operating_by(here, pd.Series(sector, index=here.index), len(f.dates))
    assert np.array_equal(by_sector.sum(axis=1).to_numpy(), f.timeseries["operating_firms"])


def test_land_reconstruction_is_exact_at_the_end_and_a_lower_bound_before(folders):
    f = ResultsFolder(folders["run"])
    parks = f.parks(f.focus)
    land = figures.land_from_firms(f.events, f.firms, f.dates, parks)
    end = land[land["date"] == f.dates[-1]].set_index("park")
    for p in parks:
        for column in ("land_allocated_ha", "idle_land_ha"):
            assert end.loc[p, column] == pytest.approx(f.kpis["by_park"][p][column], abs=1e-6)
    city = land.groupby("date")[["land_allocated_ha", "land_developed_ha"]].sum()
    ts = f.timeseries.set_index("date")
    assert (city["land_allocated_ha"] <= ts["land_allocated_ha"] + 1e-6).all()
    assert city["land_developed_ha"].iloc[-1] == pytest.approx(ts["land_developed_ha"].iloc[-1])


def test_land_reconstruction_is_exact_every_month_when_no_land_is_given_back():
    """With no exits, no failed starts, no reclamation and no broken promises, no land goes
    back to a park, so the reconstruction must equal the model's own land per park and month
    (small world, seed 3, 36 months)."""
    overrides = {
        **SMALL,
        "behaviour.start_rate": 1.0,
        "behaviour.exit_hazard": 0.0,
        "governments.ruzhou.land.enforcement": False,
        "governments.ruzhou.governance.turnover": False,
    }
    model = build_model("ruzhou-2017", overrides, 3, firm_agents=False)
    w = model.world
    parks = [p for k, p in enumerate(w.park_ids) if w.park_city[k] == w.focus]
    index = [w.park_ids.index(p) for p in parks]
    exact = []
    for month in range(model.horizon):
        model.step()
        idle = model.idle_land_by_park()
        for k, p in zip(index, parks, strict=True):
            exact.append((w.date(month), p, model.parks.land_allocated[k], idle[k]))
    exact = pd.DataFrame(exact, columns=["date", "park", "allocated", "idle"])
    dates = [w.date(m) for m in range(model.horizon)]
    rebuilt = figures.land_from_firms(model.events, model.firm_frame(), dates, parks)
    both = rebuilt.merge(exact, on=["date", "park"])
    assert len(both) == len(exact) and both["allocated"].iloc[-1] >= 0
    assert np.allclose(both["land_allocated_ha"], both["allocated"], atol=1e-9)
    assert np.allclose(both["idle_land_ha"], both["idle"], atol=1e-9)
    assert both["allocated"].max() > 0  # land was taken up: the check is not vacuous


def test_flows_into_the_focus_city_equal_its_entries(folders):
    f = ResultsFolder(folders["run"])
    flows = figures.entry_flows(f.events, f.firms)
    into = flows[flows["city"] == f.focus]["firms"].sum()
    assert into == f.kpis["entries"]
    assert set(flows["origin"]) <= set(f.scenario["regions"])


def test_replicate_bands_are_the_quantiles():
    rng = np.random.default_rng(4)
    dates = [f"2020-{m:02d}" for m in range(1, 13)]
    reps = [
        pd.DataFrame({"date": dates, "replicate": r, "jobs": rng.normal(5000, 500, 12)})
        for r in range(21)
    ]
    data = pd.concat(reps)
    fig = figures.kpi_series(data, ["jobs"], "test, seeds 0-20")
    ax = fig.axes[0]
    wide = data.pivot(index="date", columns="replicate", values="jobs") / 1e3
    assert np.allclose(ax.lines[0].get_ydata(), wide.median(axis=1))
    outer, inner = ax.collections[:2]
    lo90 = outer.get_paths()[0].vertices[1:13, 1]
    assert np.allclose(np.sort(lo90), np.sort(wide.quantile(0.05, axis=1)))
    lo50 = inner.get_paths()[0].vertices[1:13, 1]
    assert np.allclose(np.sort(lo50), np.sort(wide.quantile(0.25, axis=1)))
    plt.close(fig)


def test_forest_fills_only_intervals_that_exclude_zero(folders):
    table = pd.read_csv(folders["compare"] / "compare.csv")
    fig = figures.forest(table, ["entries", "jobs"])
    for ax, kpi in zip(fig.axes, ["entries", "jobs"], strict=True):
        markers = [ln for ln in ax.lines if ln.get_marker() == "o"]
        rows = table[(table["kpi"] == kpi) & table["diff_mean"].notna()]
        clear = ((rows["diff_lo"] > 0) | (rows["diff_hi"] < 0)).tolist()
        filled = [ln.get_markerfacecolor() != "white" for ln in markers]
        assert filled == clear
    plt.close(fig)
    rel = figures.forest(table, ["entries"], relative=True)
    mid = [ln.get_xdata()[0] for ln in rel.axes[0].lines if ln.get_marker() == "o"]
    assert mid == pytest.approx([20.0, -12.0])  # +20% and -12% of the reference mean
    plt.close(rel)


def test_sensitivity_greys_non_influential_names(folders):
    table = pd.read_csv(folders["sobol"] / "indices.csv")
    fig = figures.sensitivity_indices(table)
    grey = {t.get_text() for t in fig.axes[0].get_yticklabels() if t.get_color() == "#999999"}
    assert grey == {"dummy", "behaviour.home_bias"}
    plt.close(fig)


def test_supply_graph_points_from_supplier_to_customer():
    io = pd.DataFrame(0.0, index=["a", "b", "c"], columns=["a", "b", "c"])
    io.loc["a", "b"] = 0.6  # a buys from b
    io.loc["c", "a"] = 0.2  # c buys from a
    graph = figures.supply_graph(io, {"a": 3, "b": 1})
    assert set(graph.edges) == {("b", "a"), ("a", "c")}
    assert graph.edges["b", "a"]["colocated"] and not graph.edges["a", "c"]["colocated"]
    assert graph.edges["b", "a"]["strength"] == 0.6


# --------------------------------------------------------------------------- the command
def invoke(*args: str):
    from zhaoshang.experiments.cli import main

    try:
        main(list(args))
    except SystemExit as exc:
        return exc.code
    return 0


def test_plot_redraws_without_running_the_model(folders, tmp_path, monkeypatch, capsys):
    import zhaoshang.model.model as model_module

    def refuse(*_, **__):
        raise AssertionError("plot must not run the model")

    monkeypatch.setattr(model_module.AttractionModel, "step", refuse)
    out = tmp_path / "figs"
    code = invoke(
        "plot",
        str(folders["run"]),
        "--kind",
        "funnel",
        "--kind",
        "fiscal",
        "--format",
        "svg",
        "--format",
        "pdf",
        "--out",
        str(out),
    )
    assert code == 0, capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == [
        "fiscal.pdf",
        "fiscal.svg",
        "funnel.pdf",
        "funnel.svg",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--kind", "pie"], "unknown figure kind 'pie'"),
        (["--kind", "forest"], "needs compare.csv"),
        (["--format", "gif"], "unknown format 'gif'"),
    ],
)
def test_plot_rejects_bad_requests(folders, args, message, capsys):
    assert invoke("plot", str(folders["run"]), *args) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_plot_names_a_broken_file(tmp_path, capsys):
    assert invoke("plot", str(tmp_path / "missing")) == 2
    assert "is not a folder" in capsys.readouterr().err
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "compare.csv").write_text("scenario,kpi\na,b\n")
    assert invoke("plot", str(bad)) == 2
    err = capsys.readouterr().err
    assert "compare.csv" in err and "diff_mean" in err


def test_plot_writes_all_figures_or_none(folders, tmp_path, capsys):
    """A file that breaks one kind late in the list: no figure of the others is left."""
    broken = tmp_path / "run"
    shutil.copytree(folders["run"], broken)
    (broken / "land_by_park.csv").write_text("a,b\n1,2\n")
    out = tmp_path / "figures"
    assert invoke("plot", str(broken), "--out", str(out)) == 2
    assert "land_by_park.csv" in capsys.readouterr().err
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_kpis_that_are_not_an_object_are_named(folders, tmp_path, capsys):
    broken = tmp_path / "run"
    shutil.copytree(folders["run"], broken)
    (broken / "kpis.json").write_text("[1, 2]\n")
    assert invoke("plot", str(broken), "--out", str(tmp_path / "figures")) == 2
    err = capsys.readouterr().err
    assert "kpis.json: holds a JSON list" in err and "Traceback" not in err
