"""`zhaoshang replicate` and `zhaoshang calibrate`: files, determinism and user errors."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from tests.conftest import run_cli
from zhaoshang import load_scenario
from zhaoshang.experiments.analysis.calibrate import Bounded, ParameterSpec, kpi_value, load_targets
from zhaoshang.experiments.analysis.replicate import replicate_seeds
from zhaoshang.scenarios.errors import InputError

TARGETS = """
title = "A small funnel"
months = [0, 12]
tolerance = 0.3

[targets.visits]
kpi = "by_channel.office.contacts"
value = 300

[targets.inspections]
kpi = "by_channel.office.inspections"
value = 60

[targets.shenzhen]
kpi = "by_conference.shenzhen_2017.intentions"
value = 10
tolerance = 0.5

[parameters."behaviour.lead_targeting"]
start = 0.5
lower = 0.05
upper = 0.95

[holdout]
months = [0, 24]
visitors = 1500
intentions = 48
contracted_yuan = 21.49e9
"""
SMALL = ["--set", "pool.firms=4000", "--replicates", "2", "--quiet"]


def test_replicate_writes_one_row_per_seed_with_every_kpi(tmp_path):
    out = tmp_path / "urn"
    args = ["replicate", "validation/polya-urn", "--replicates", "3", "--seed", "4",
            "--set", "parks.a.urn_weight=6", "--out", str(out), "--quiet"]  # fmt: skip
    assert run_cli(args) == 0
    frame = pd.read_csv(out / "replicates.csv")
    assert list(frame["replicate"]) == [0, 1, 2]
    assert list(frame["seed"]) == replicate_seeds(4, 3)
    columns = ("entrants_park_a", "entrants_park_b", "ellison_glaeser", "ellison_glaeser_light",
               "operating_park_a", "entries", "stayed_home")  # fmt: skip
    assert set(columns) <= set(frame.columns)
    assert (frame["entrants_park_a"] + frame["entrants_park_b"] == frame["entries"]).all()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seeds"] == replicate_seeds(4, 3)
    assert manifest["overrides"] == ["parks.a.urn_weight=6"]
    assert manifest["scenario"]["parks"]["a"]["urn_weight"] == 6
    again = tmp_path / "again"
    assert run_cli([*args[:-3], "--out", str(again), "--workers", "2", "--quiet"]) == 0
    second = pd.read_csv(again / "replicates.csv")
    pd.testing.assert_frame_equal(frame.drop(columns="seconds"), second.drop(columns="seconds"))


def test_replicate_writes_the_coagglomeration_of_every_sector_pair(tmp_path, monkeypatch):
    """coagglomeration.csv: one row per pair of the 11 sectors, and the default folder."""
    monkeypatch.chdir(tmp_path)
    args = ["replicate", "ruzhou-2017", "--replicates", "3", "--set", "pool.firms=3000",
            "--months", "48", "--quiet"]  # fmt: skip
    assert run_cli(args) == 0
    out = tmp_path / "results" / "replicate-ruzhou-2017"
    pairs = pd.read_csv(out / "coagglomeration.csv")
    assert len(pairs) == 11 * 10 // 2
    assert not any(c.startswith("coagglomeration:") for c in pd.read_csv(out / "replicates.csv"))
    row = pairs.set_index(["sector_a", "sector_b"]).loc[("embroidery", "equipment")]
    assert row["io_link"] == 0.2 and not row["same_park_focus"]
    full = pairs[pairs["replicates"] >= 2]  # a pair seen in one replicate has no interval
    assert len(full) > 30
    assert (full["ci_low"] <= full["mean"]).all() and (full["mean"] <= full["ci_high"]).all()
    assert pairs["replicates"].max() == 3
    assert pairs["mean"].dropna().is_monotonic_decreasing


def test_replicate_seeds_extend_and_differ():
    assert replicate_seeds(0, 5)[:3] == replicate_seeds(0, 3)
    assert len(set(replicate_seeds(0, 100))) == 100
    assert replicate_seeds(1, 3) != replicate_seeds(0, 3)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["replicate", "validation/polya-urn", "--set", "world.choice=dice"], "world.choice"),
        (["replicate", "no-such-scenario"], "no scenario file"),
    ],
)
def test_replicate_user_errors_exit_2(tmp_path, capsys, args, needle):
    out = tmp_path / "never"
    assert run_cli([*args, "--out", str(out), "--quiet"]) == 2
    assert needle in capsys.readouterr().err
    assert not out.exists()


@pytest.fixture(scope="module")
def calibrated(tmp_path_factory):
    root = tmp_path_factory.mktemp("calibration")
    targets = root / "targets.toml"
    targets.write_text(TARGETS)
    out, scenario = root / "fit", root / "fitted.toml"
    code = run_cli(["calibrate", "ruzhou-2017", "--targets", str(targets), "--budget", "4",
                    "--out", str(out), "--write-scenario", str(scenario), *SMALL])  # fmt: skip
    assert code == 0
    return targets, out, scenario


def test_calibrate_writes_fit_table_holdout_and_scenario(calibrated):
    _targets, out, scenario = calibrated
    fit = pd.read_csv(out / "fit.csv")
    assert list(fit["target"]) == ["visits", "inspections", "shenzhen"]
    assert fit.loc[0, "simulated_mean"] == 300 and fit.loc[0, "within_tolerance"]
    assert list(fit["tolerance"]) == [0.3, 0.3, 0.5]
    assert "Out of sample (not a target)" in (out / "fit.md").read_text()
    holdout = pd.read_csv(out / "holdout.csv")
    assert list(holdout["fact"]) == ["visitors", "intentions", "contracted_yuan"]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["evaluations"] <= 4
    fitted = manifest["fitted"]["behaviour.lead_targeting"]
    spec = load_scenario(scenario, ["pool.firms=4000"])
    assert spec.behaviour.lead_targeting == fitted
    history = json.loads((out / "history.json").read_text())
    assert history[0]["behaviour.lead_targeting"] == 0.5  # the search starts at `start`
    assert min(h["loss"] for h in history) == manifest["loss"]


def test_calibration_is_reproducible_and_matches_its_scenario(calibrated, tmp_path, capsys):
    """Same seed, same fit; the fitted scenario evaluated as is gives the same table."""
    targets, out, scenario = calibrated
    again = tmp_path / "again"
    assert run_cli(["calibrate", "ruzhou-2017", "--targets", str(targets), "--budget", "4",
                    "--out", str(again), *SMALL]) == 0  # fmt: skip
    first = pd.read_csv(out / "fit.csv")
    pd.testing.assert_frame_equal(first, pd.read_csv(again / "fit.csv"))
    check = tmp_path / "check"
    assert run_cli(["calibrate", str(scenario), "--targets", str(targets), "--budget", "0",
                    "--out", str(check), *SMALL[:-1]]) == 0  # fmt: skip
    pd.testing.assert_frame_equal(first, pd.read_csv(check / "fit.csv"))
    printed = capsys.readouterr().out  # not quiet: the holdout is printed beside the fit
    assert "| visits |" in printed and "Out of sample (not a target" in printed
    assert "| intentions |" in printed


def test_calibrate_user_errors_exit_2(tmp_path, capsys):
    bad_path = tmp_path / "bad.toml"
    bad_path.write_text(TARGETS.replace("by_channel.office.inspections", "by_channel.desk.visits"))
    code = run_cli(["calibrate", "ruzhou-2017", "--targets", str(bad_path), "--budget", "0",
                    "--out", str(tmp_path / "x"), *SMALL])  # fmt: skip
    assert code == 2
    err = capsys.readouterr().err
    assert "targets.inspections.kpi" in err and "desk" in err
    bounds = tmp_path / "bounds.toml"
    bounds.write_text(TARGETS.replace("start = 0.5", "start = 1.5"))
    assert run_cli(["calibrate", "ruzhou-2017", "--targets", str(bounds),
                    "--out", str(tmp_path / "y"), *SMALL]) == 2  # fmt: skip
    assert "lower < start < upper" in capsys.readouterr().err
    table = tmp_path / "table.toml"
    table.write_text(TARGETS.replace("by_channel.office.inspections", "by_channel.office"))
    assert run_cli(["calibrate", "ruzhou-2017", "--targets", str(table), "--budget", "0",
                    "--out", str(tmp_path / "z"), *SMALL]) == 2  # fmt: skip
    err = capsys.readouterr().err
    assert "targets.inspections.kpi" in err and "is a table, not a number" in err
    assert "by_channel.office.inspections" in err and "Traceback" not in err
    (tmp_path / "afile").write_text("not a folder")
    (tmp_path / "good.toml").write_text(TARGETS)
    assert run_cli(["calibrate", "ruzhou-2017", "--targets", str(tmp_path / "good.toml"),
                    "--write-scenario", str(tmp_path / "afile" / "fitted.toml"),
                    "--out", str(tmp_path / "w"), *SMALL]) == 2  # fmt: skip
    assert "afile: exists and is not a folder" in capsys.readouterr().err
    assert not any((tmp_path / name).exists() for name in ("w", "x", "y", "z"))


def test_shipped_targets_file_is_valid_and_holds_out_the_conferences():
    spec = load_targets("scenarios/targets/ruzhou-2017.toml")
    assert spec.months == (0, 12)
    values = {name: t.value for name, t in spec.targets.items()}
    assert values["office_contracts"] == 43 and values["office_framework"] == 9
    assert 48 not in values.values() and spec.holdout is not None
    assert spec.holdout.contracted_yuan == pytest.approx(21.49e9)


def test_kpi_paths_and_bounded_transform():
    kpis = {"a": {"b": 3, "c": None}}
    assert kpi_value(kpis, "a.b") == 3
    assert kpi_value(kpis, "a.c") != kpi_value(kpis, "a.c")  # NaN
    b = Bounded({"x": ParameterSpec(start=0.3, lower=0.0, upper=2.0)})
    assert b.to_values(b.to_z(b.start))[0] == pytest.approx(0.3)
    with pytest.raises(InputError):
        load_targets("scenarios/library/ruzhou-2017.toml")


@pytest.mark.parametrize(
    ("old", "new", "field", "fragment"),
    [
        ('months = [0, 12]', 'months = [0, 500]', "months", "scenario runs 120 months"),
        ('upper = 0.95', 'upper = 1.5', "parameters.behaviour.lead_targeting.upper",
         "less than or equal to 1"),
        ('"behaviour.lead_targeting"', '"behaviour.lead_targetin"',
         "parameters.behaviour.lead_targetin.lower", "unknown key"),
    ],
)
def test_targets_that_do_not_fit_the_scenario_exit_2_before_any_run(
    tmp_path, capsys, monkeypatch, old, new, field, fragment
):
    assert old in TARGETS
    path = tmp_path / "targets.toml"
    path.write_text(TARGETS.replace(old, new, 1))
    monkeypatch.setattr("zhaoshang.experiments.analysis.calibrate.Calibration.fit",
                        lambda *a, **k: pytest.fail("ran before checking the targets"))
    assert run_cli(["calibrate", "ruzhou-2017", "--targets", str(path), "--budget", "0",
                    "--out", str(tmp_path / "out"), *SMALL]) == 2  # fmt: skip
    err = capsys.readouterr().err
    assert err.startswith(f"error: {path}: {field}: ") and fragment in err
    assert not (tmp_path / "out").exists()
