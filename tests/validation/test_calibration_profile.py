"""The calibration's target mapping and its identification tooling (`calibrate --profile`)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from tests.conftest import run_cli
from zhaoshang import AttractionModel, load_scenario
from zhaoshang.experiments.analysis.calibrate import kpi_value, load_targets, profile_summary

#: Two targets and one fitted parameter: office inspections move with lead targeting.
TARGETS = """
title = "Office inspections"
months = [0, 12]
tolerance = 0.2

[targets.visits]
kpi = "by_channel.office.contacts"
value = 300

[targets.inspections]
kpi = "by_channel.office.inspections"
value = 120

[parameters."behaviour.lead_targeting"]
start = 0.5
lower = 0.05
upper = 0.95
"""


def test_office_contracts_target_counts_embroidery_firms_through_the_offices():
    """FACTS.md: the 43 are machine-embroidery firms that signed through the branch offices,
    whose embroidery branch held the two embroidery conferences."""
    spec = load_targets("scenarios/targets/ruzhou-2017.toml")
    target = spec.targets["office_contracts"]
    assert target.kpi == (
        "contracts_by_channel_sector.office.embroidery"
        " + contracts_by_channel_sector.conference.embroidery"
    )
    assert target.value == 43


def test_contracts_by_channel_and_sector_add_up():
    """The new breakdown sums to the contracts by channel and to the contracts by sector."""
    model = AttractionModel(
        load_scenario("ruzhou-2017", {"pool.firms": 4000, "time.months": 24}), rng=3
    )
    model.run_for(24)
    k = model.kpis()
    table = k["contracts_by_channel_sector"]
    assert set(table) == set(k["by_channel"])
    for channel, by_sector in table.items():
        assert sum(by_sector.values()) == k["by_channel"][channel]["contracts"]
    for sector, counts in k["by_sector"].items():
        assert sum(table[c][sector] for c in table) == counts["contracts"]
    assert table["office"]["embroidery"] > 0


def test_profile_summary_known_answer():
    profile = pd.DataFrame(
        {
            "parameter": ["a"] * 5 + ["b"] * 3,
            "value": [0.0, 1.0, 2.0, 3.0, 4.0, 0.0, 1.0, 2.0],
            "at_fit": [False, False, True, False, False, False, True, False],
            "loss": [9.0, 3.0, 1.0, 2.5, 6.0, 1.2, 1.0, 1.1],
        }
    )
    summary = profile_summary(profile).set_index("parameter")
    assert summary.loc["a", "argmin"] == 2.0
    assert summary.loc["a", "rise_below"] == 8.0 and summary.loc["a", "rise_above"] == 5.0
    assert bool(summary.loc["a", "identified"])
    # a flat profile (rises of 0.2 and 0.1 loss units) does not identify its parameter
    assert not bool(summary.loc["b", "identified"])


def test_calibrate_profile_writes_the_loss_along_each_parameter(tmp_path):
    """Null: the loss is flat in lead targeting; rejected when the loss at the bounds rises by
    at least one unit above the minimum (4,000 firms, 2 replicates, seed 0)."""
    (tmp_path / "t.toml").write_text(TARGETS)
    out = tmp_path / "cal"
    args = ["calibrate", "ruzhou-2017", "--targets", str(tmp_path / "t.toml"), "--budget", "0",
            "--profile", "5", "--set", "pool.firms=4000", "--replicates", "2", "--quiet",
            "--workers", "1", "--out", str(out)]  # fmt: skip
    assert run_cli(args) == 0
    profile = pd.read_csv(out / "profile.csv")
    assert set(profile["parameter"]) == {"behaviour.lead_targeting"}
    assert len(profile) >= 5 and profile["at_fit"].sum() == 1
    assert profile["value"].min() == pytest.approx(0.05)
    assert profile["value"].max() == pytest.approx(0.95)
    summary = pd.read_csv(out / "profile_summary.csv")
    assert summary.loc[0, "rise_below"] + summary.loc[0, "rise_above"] >= 1.0
    assert (out / "figures" / "loss_profile.png").exists()
    assert "Loss profiles" in (out / "fit.md").read_text()


def test_profile_needs_three_points(tmp_path, capsys):
    (tmp_path / "t.toml").write_text(TARGETS)
    args = ["calibrate", "ruzhou-2017", "--targets", str(tmp_path / "t.toml"), "--budget", "0",
            "--profile", "2", "--quiet", "--out", str(tmp_path / "x")]  # fmt: skip
    assert run_cli(args) == 2
    assert "at least 3 points" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_a_target_may_sum_kpi_paths():
    """Paths joined by ' + ' give the sum of their values; a missing part gives NaN."""
    kpis = {"a": {"b": 1.0}, "c": 2}
    assert kpi_value(kpis, "a.b + c") == 3.0
    assert math.isnan(kpi_value(kpis, "a.b + d"))
