"""`zhaoshang run`: one seed one result, the files it writes, and its exit statuses."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import run_cli

KPI_KEYS = {
    "contacts", "inspections", "framework_agreements", "contracts", "construction_starts",
    "exits", "operating_firms", "jobs", "contracted_investment_yuan", "realized_investment_yuan",
    "tax_revenue_yuan", "incentive_spending_yuan", "net_fiscal_yuan", "idle_land_ha",
    "credibility", "by_channel", "by_sector", "by_park", "by_city", "entrants_by_park",
}
SMALL = ["--set", "pool.firms=4000", "--months", "30", "--quiet"]


@pytest.fixture(scope="module")
def twin_runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    outs = {}
    for name, seed in (("a", 7), ("b", 7), ("c", 8)):
        outs[name] = root / name
        assert run_cli(["run", "ruzhou-2017", "--seed", str(seed), "--out", str(outs[name]),
                        *SMALL]) == 0
    return outs


def test_same_seed_same_files_other_seed_differs(twin_runs):
    a, b, c = twin_runs["a"], twin_runs["b"], twin_runs["c"]
    for name in ("kpis.json", "timeseries.csv"):
        assert (a / name).read_bytes() == (b / name).read_bytes()
        assert (a / name).read_bytes() != (c / name).read_bytes()


def test_results_folder_contents(twin_runs):
    out = twin_runs["a"]
    kpis = json.loads((out / "kpis.json").read_text())
    assert KPI_KEYS <= set(kpis)
    assert set(kpis["entrants_by_park"]) >= {"embroidery", "smart_terminals"}
    manifest = json.loads((out / "manifest.json").read_text())
    for key in ("scenario", "seed", "overrides", "versions", "git_revision", "started_at",
                "finished_at"):
        assert key in manifest
    assert manifest["seed"] == 7 and manifest["scenario"]["pool"]["firms"] == 4000
    series = pd.read_csv(out / "timeseries.csv")
    assert len(series) == 30 and series["date"].iloc[0] == "2017-01"
    assert series["date"].iloc[-1] == "2019-06"
    events = pd.read_parquet(out / "events.parquet")
    assert list(events.columns) == ["month", "date", "firm", "from", "to", "park", "city",
                                    "channel", "cause"]
    assert len(pd.read_parquet(out / "firms.parquet")) > 0
    for fig in ("funnel.png", "firms_by_park.png"):
        assert (out / "figures" / fig).stat().st_size > 10_000
    assert not [p for p in out.parent.iterdir() if p.name.endswith(".tmp")]


def test_user_errors_exit_2_and_write_nothing(tmp_path, capsys):
    out = tmp_path / "never"
    assert run_cli(["run", "ruzhou-2017", "--set", "pool.firms=-1", "--out", str(out)]) == 2
    assert run_cli(["run", "no-such-scenario", "--out", str(out)]) == 2
    assert run_cli(["run", "ruzhou-2017", "--set", "governments.nowhere.x=1", "--out",
                    str(out)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "pool.firms" in err
    assert not out.exists()


def test_console_script_exit_status(tmp_path):
    exe = Path(sys.executable).parent / "zhaoshang"
    done = subprocess.run([str(exe), "validate", str(tmp_path / "x.toml")], capture_output=True,
                          text=True)
    assert done.returncode == 2 and "x.toml" in done.stderr and "Traceback" not in done.stderr
    listed = subprocess.run([str(exe), "scenarios"], capture_output=True, text=True)
    assert listed.returncode == 0 and "ruzhou-2017" in listed.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "ruzhou-2017", "--seed", "-1"], "--seed"),
        (["run", "ruzhou-2017", "--set", "extends=hebei-52111"], "extends cannot be overridden"),
        (["validate", "ruzhou-2017", "--set", "extends=nowhere"], "extends cannot be overridden"),
        (["replicate", "ruzhou-2017", "--replicates", "2", "--workers", "100000"],
         "local processes"),
        (["sweep", "tiny-morris", "--workers", "100000"], "local processes"),
        (["sweep", "tiny-morris", "--scheduler", "bogus"], "cannot reach the Dask scheduler"),
    ],
)
def test_bad_options_exit_2_before_any_work(args, message, tmp_path, capsys):
    out = tmp_path / "out"
    extra = [] if args[0] == "validate" else ["--out", str(out)]
    assert run_cli([*args, *extra]) == 2
    captured = capsys.readouterr()
    text = captured.err + captured.out
    assert message in text and "Traceback" not in text
    assert not out.exists()
