"""`zhaoshang levers`: the schema's lever declarations, the flags, the files, exit statuses."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from tests.conftest import run_cli
from zhaoshang.experiments.analysis.levers import (
    ARMS,
    NO_EFFECT,
    OK,
    UNEXPECTED,
    flag_of,
    lever_runs,
    plan_levers,
    schema_levers,
    summarise,
)
from zhaoshang.scenarios import load_scenario
from zhaoshang.scenarios.fields import DOWN, LEVER_KPIS, POLICY, UNCERTAINTY, UP, lever

#: Two levers with a strong effect in a small world (rent-seeking fees and resident offices).
TWO = ["--lever", "governments.*.rent_seeking.fee_share", "--lever", "offices.*.visits_per_month"]
SMALL = ["--set", "pool.firms=3000", "--set", "time.months=36", "--quiet", "--workers", "1"]


def test_schema_declares_at_least_fifteen_levers_with_reasons():
    declared = schema_levers()
    assert len(declared) >= 15
    assert {d.lever.kind for d in declared} == {POLICY, UNCERTAINTY}
    for d in declared:
        assert d.lever.low != d.lever.high, d.path
        assert d.lever.reason.strip(), d.path
        assert d.lever.effects, f"{d.path} expects no direction on any KPI"
        assert set(d.lever.effects) <= set(LEVER_KPIS)


def test_every_lever_arm_is_a_valid_ruzhou_scenario():
    """Both arms of every lever load (a low or high outside the field's bounds would not)."""
    base = load_scenario("ruzhou-2017")
    runs = lever_runs(base)
    assert len(runs) == len(schema_levers())  # ruzhou-2017 has an entry for every table
    for run in runs:
        for arm in ARMS:
            load_scenario("ruzhou-2017", getattr(run, arm))


def test_table_levers_move_only_the_focus_governments_entries():
    base = load_scenario("ruzhou-2017")
    (land,) = lever_runs(base, [d for d in schema_levers() if d.path == "parks.*.land_ha"])
    focus_parks = {k for k, p in base.parks.items() if p.government == base.focus}
    assert {p.split(".")[1] for p in land.low} == focus_parks
    # relative: half and twice each park's own land
    assert land.low["parks.embroidery.land_ha"] == base.parks["embroidery"].land_ha * 0.5
    assert land.high["parks.auto_equipment.land_ha"] == base.parks["auto_equipment"].land_ha * 2


def test_lever_declaration_rejects_unknown_kpis_and_directions():
    with pytest.raises(ValueError, match="unknown KPIs"):
        lever(0, 1, "reason", entrants=UP)
    with pytest.raises(ValueError, match="UP or DOWN"):
        lever(0, 1, "reason", entries=2)


def _diffs(**intervals):
    out = {k: {"diff_lo": 0.0, "diff_hi": 0.0} for k in LEVER_KPIS}
    for k, (lo, hi) in intervals.items():
        out[k] = {"diff_lo": lo, "diff_hi": hi}
    return out


def test_flags():
    assert flag_of({"entries": UP}, _diffs(entries=(1.0, 3.0))) == OK
    assert flag_of({"entries": UP}, _diffs(entries=(-3.0, -1.0))) == UNEXPECTED
    assert flag_of({"exits": DOWN}, _diffs(exits=(0.5, 2.0))) == UNEXPECTED
    assert flag_of({"entries": UP}, _diffs(entries=(-1.0, 3.0))) == NO_EFFECT
    # an effect on a KPI without an expected direction is an effect, not a wrong sign
    assert flag_of({"entries": UP}, _diffs(jobs=(-5.0, -1.0))) == OK
    assert flag_of({}, _diffs()) == NO_EFFECT


def test_arms_are_paired_and_shared_runs_are_run_once():
    base = load_scenario("ruzhou-2017")
    runs = lever_runs(base, schema_levers()[:3])
    plan = plan_levers("ruzhou-2017", runs, replicates=4, seed=5)
    seeds = {}
    for path, _arm, i, seed, _ in plan.rows:
        seeds.setdefault((path, i), set()).add(seed)
    assert all(len(s) == 1 for s in seeds.values())  # low and high of replicate i: one seed
    twice = runs + runs[:1]  # the same lever listed twice adds no run
    assert len(plan_levers("ruzhou-2017", twice, 4, 5).tasks) == len(plan.tasks)


def test_summarise_known_answer():
    """Differences high - low of -(2, 3, 4) on entries: mean -3, sd 1, the interval excludes 0."""
    base = load_scenario("ruzhou-2017")
    (run,) = lever_runs(
        base, [d for d in schema_levers() if d.path.endswith("rent_seeking.fee_share")]
    )
    rows = []
    for i, d in enumerate((2.0, 3.0, 4.0)):
        low = dict.fromkeys(LEVER_KPIS, 10.0)
        high = {**low, "entries": 10.0 - d}
        rows += [
            {"lever": run.path, "arm": "low", "replicate": i, "seed": i, **low},
            {"lever": run.path, "arm": "high", "replicate": i, "seed": i, **high},
        ]
    table = summarise(pd.DataFrame(rows), [run])
    row = table.iloc[0]
    assert row["entries_diff"] == pytest.approx(-3.0)
    half = 4.302652729911275 * 1.0 / math.sqrt(3)  # t(0.975, 2) * sd / sqrt(3)
    assert row["entries_hi"] == pytest.approx(-3.0 + half) and -3.0 + half < 0
    assert row["flag"] == OK and row["entries_expected"] == DOWN


def test_levers_command_writes_the_audit(tmp_path):
    """Null: rent-seeking fees 0 -> 0.1 and office visits x0.5 -> x2 have no effect on
    entries; rejected in a 3,000-firm, 36-month world with 3 paired replicates (seed 3)."""
    out = tmp_path / "audit"
    assert run_cli(["levers", "ruzhou-2017", *TWO, "--replicates", "3", "--seed", "3",
                    *SMALL, "--out", str(out)]) == 0  # fmt: skip
    table = pd.read_csv(out / "levers.csv")
    assert list(table["lever"]) == [
        "governments.*.rent_seeking.fee_share",
        "offices.*.visits_per_month",
    ]
    by = table.set_index("lever")
    assert by.loc["governments.*.rent_seeking.fee_share", "entries_hi"] < 0
    assert by.loc["offices.*.visits_per_month", "entries_lo"] > 0
    assert set(table["flag"]) <= {OK, NO_EFFECT, UNEXPECTED}
    reps = pd.read_csv(out / "replicates.csv")
    assert len(reps) == 2 * 2 * 3
    assert (reps.groupby(["lever", "replicate"])["seed"].nunique() == 1).all()
    text = (out / "levers.md").read_text()
    assert "`offices.*.visits_per_month`" in text and "x0.5 → x2" in text
    assert (out / "figures" / "levers_tornado.png").stat().st_size > 10_000
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["replicates"] == 3 and manifest["runs"] == 12
    assert not list(tmp_path.glob(".*"))  # no temporary folder left behind


def test_levers_in_chinese(tmp_path):
    out = tmp_path / "zh"
    args = ["levers", "ruzhou-2017", "--lever", "governments.*.rent_seeking.fee_share"]
    assert run_cli([*args, "--replicates", "2", *SMALL, "--lang", "zh", "--out", str(out)]) == 0
    assert "杠杆" in (out / "levers.md").read_text()


def test_unknown_lever_is_bad_input(tmp_path, capsys):
    code = run_cli(["levers", "ruzhou-2017", "--lever", "governments.*.nothing", *SMALL,
                    "--out", str(tmp_path / "x")])  # fmt: skip
    assert code == 2
    assert "no lever named governments.*.nothing" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()
