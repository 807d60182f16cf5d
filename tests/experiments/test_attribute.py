"""`zhaoshang attribute`: firms matched across paired arms, incentive redundancy, bad levers."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.conftest import run_cli
from zhaoshang.experiments.analysis.attribute import (
    COLUMNS,
    attribution_table,
    classify,
    incentive_direction,
    parse_levers,
    redundancy,
    redundancy_summary,
    run_attribution,
)
from zhaoshang.experiments.runs.run import simulate
from zhaoshang.scenarios.loader import load_scenario, scenario_to_dict

SMALL = {"pool.firms": 3000, "time.months": 36}
NO_INCENTIVES = {
    "governments.ruzhou.incentives.land_discount": 0.0,
    "governments.ruzhou.incentives.tax_rebate": 0.0,
    "governments.ruzhou.incentives.subsidy_per_job_yuan": 0.0,
}
TAX = "governments.ruzhou.incentives.tax_rebate"


def arm(firms, sectors, channels):
    return {
        "firm": np.array(firms, dtype=np.int64),
        "sector": np.array(sectors, dtype=np.int16),
        "channel": np.array(channels, dtype=np.int8),
    }


def test_classify_and_table_on_a_known_pair():
    """Base entrants {1, 2, 3}, lever entrants {2, 3, 4, 5}: 1 lost, 2 unchanged, 2 gained."""
    pair = {
        "replicate": 0,
        "seed": 9,
        "base": arm([1, 2, 3], [0, 1, 1], [1, 1, 3]),
        "lever": arm([2, 3, 4, 5], [1, 1, 0, 0], [1, 3, 5, 1]),
    }
    status = classify(pair).set_index("firm")["status"].to_dict()
    assert status == {1: "lost", 2: "unchanged", 3: "unchanged", 4: "gained", 5: "gained"}
    table = attribution_table([pair, {**pair, "replicate": 1}], ["s0", "s1"])
    assert list(table.columns) == COLUMNS
    total = table[table["dimension"] == "total"].iloc[0]
    assert (total["gained"], total["lost"], total["unchanged"], total["net"]) == (2, 1, 2, 1)
    assert (total["base_entrants"], total["lever_entrants"]) == (3, 4)
    assert (total["net_lo"], total["net_hi"]) == (1, 1)  # the same in both replicates
    s0 = table[(table["dimension"] == "sector") & (table["group"] == "s0")].iloc[0]
    assert (s0["gained"], s0["lost"], s0["unchanged"]) == (2, 1, 0)
    per = redundancy([pair], "base")
    assert per["redundancy"].iloc[0] == pytest.approx(2 / 3)


def test_incentive_direction():
    base = scenario_to_dict(load_scenario("ruzhou-2017"))
    assert incentive_direction({TAX: 0.0}, base, "ruzhou")[0] == "base"
    assert incentive_direction({TAX: 0.9}, base, "ruzhou")[0] == "lever"
    assert incentive_direction({TAX: 0.5}, base, "ruzhou")[0] == "base"  # unchanged
    mixed = {TAX: 0.0, "governments.ruzhou.incentives.land_discount": 0.9}
    assert incentive_direction(mixed, base, "ruzhou")[0] is None
    service = {"governments.ruzhou.service.quality": 0.9}
    assert incentive_direction(service, base, "ruzhou")[0] is None


def test_incentives_none_stands_for_every_incentive_amount_at_zero():
    levers = parse_levers(["governments.ruzhou.incentives=none"], "ruzhou-2017", {})
    prefix = "governments.ruzhou.incentives."
    assert levers == {prefix + k: 0 for k in
                      ("land_discount", "tax_rebate", "rebate_years", "subsidy_per_job_yuan")}
    base = scenario_to_dict(load_scenario("ruzhou-2017"))
    assert incentive_direction(levers, base, "ruzhou")[0] == "base"


def test_redundancy_is_exactly_one_without_incentives():
    """With every incentive at zero in both arms, removing the tax rebate changes nothing: the
    arms are the same run, so every incentivised entrant also enters without it (3 replicates
    of 3,000 firms over 36 months, master seed 3)."""
    overrides = {**SMALL, **NO_INCENTIVES}
    pairs = run_attribution("ruzhou-2017", {TAX: 0.0}, 3, 3, overrides)
    per = redundancy(pairs, "base")
    assert (per["incentivised_entrants"] > 0).all()
    first = simulate("ruzhou-2017", overrides, int(per["seed"].iloc[0]))
    assert per["incentivised_entrants"].iloc[0] == first["scalars"]["entries"]
    summary = redundancy_summary(per)
    assert summary["mean"] == 1.0 and summary["lo"] == 1.0 and summary["hi"] == 1.0
    assert summary["pooled"] == 1.0


def test_larger_incentives_win_entrants_who_would_not_come_otherwise():
    """Null: incentives change no firm's decision (redundancy 1, nobody gained or lost). Raising
    every incentive to its maximum in the same seeds (3 replicates of 3,000 firms over 36
    months, master seed 3) must win some entrants: the incentivised (lever) arm's redundancy is
    below 1 in every replicate and, pooled, more firms are gained than lost."""
    generous = {
        "governments.ruzhou.incentives.land_discount": 1.0,
        "governments.ruzhou.incentives.tax_rebate": 1.0,
        "governments.ruzhou.incentives.rebate_years": 10,
        "governments.ruzhou.incentives.subsidy_per_job_yuan": 20000.0,
    }
    base = scenario_to_dict(load_scenario("ruzhou-2017", SMALL))
    assert incentive_direction(generous, base, "ruzhou")[0] == "lever"
    pairs = run_attribution("ruzhou-2017", generous, 3, 3, SMALL)
    per = redundancy(pairs, "lever")
    assert (per["redundancy"] < 1.0).all()
    total = attribution_table(pairs, list(load_scenario("ruzhou-2017").sectors))
    total = total[total["dimension"] == "total"].iloc[0]
    assert total["gained"] > total["lost"]


def test_attribute_command_writes_its_files(tmp_path: Path, capsys):
    out = tmp_path / "attr"
    status = run_cli(
        ["attribute", "ruzhou-2017", "--lever", f"{TAX}=0", "--replicates", "2", "--seed", "1",
         "--set", "pool.firms=1500", "--set", "time.months=18", "--workers", "1", "--quiet",
         "--out", str(out)]
    )  # fmt: skip
    assert status == 0
    table = pd.read_csv(out / "attribution.csv")
    assert list(table.columns) == COLUMNS
    assert set(table["dimension"]) <= {"total", "sector", "channel"}
    assert "Incentive redundancy" in (out / "attribution.md").read_text()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["levers"] == {TAX: 0} and manifest["incentivised_arm"] == "base"
    assert len(pd.read_csv(out / "redundancy.csv")) == 2


@pytest.mark.parametrize(
    ("lever", "message"),
    [
        (TAX, "must look like path.to.parameter=VALUE"),
        ("=0.3", "must look like path.to.parameter=VALUE"),
        ("governments.ruzhou.incentives.tax_rebat=0", "no key 'tax_rebat'"),
        ("governments.atlantis.incentives.tax_rebate=0", "no key 'atlantis'"),
        ("governments.ruzhou.incentives=0", "is a table"),
        ("governments.ruzhou.service=none", "is a table"),
        (f"{TAX}=2", "less than or equal to 1"),
    ],
)
def test_bad_lever_exits_2_with_a_message(lever, message, capsys, tmp_path: Path):
    status = run_cli(["attribute", "ruzhou-2017", "--lever", lever, "--out", str(tmp_path / "x")])
    err = capsys.readouterr().err
    assert status == 2
    assert "--lever" in err and message in err and "Traceback" not in err
    assert not (tmp_path / "x").exists()
