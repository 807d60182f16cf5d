"""Policy schedules: a lever changed at month t acts from month t, and only from then.

Each test runs the small baseline (5,000 firms, 36 months) with one seed; the event log of a
run is every transition of every firm, so "identical before t" compares the events dated
before t column by column, and "bit-identical" compares every event and the KPIs.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import SMALL, run_cli
from zhaoshang import AttractionModel, ScenarioError, load_scenario
from zhaoshang.scenarios.loader import scenario_to_dict, validate_data

SEED = 11
T = 12  # the month of the change


def simulate(scenario, changes=(), *, months=None, collect=False, stepwise=False):
    """Run ``scenario``, with ``set_policy(path, value, month)`` for each change."""
    model = AttractionModel(scenario, rng=SEED, firm_agents=stepwise, collect=collect)
    for path, value, month in changes:
        model.set_policy(path, value, month)
    total = months or scenario.time.months
    if stepwise:
        for _ in range(total):
            model.step()
    else:
        model.run_for(total)
    return model


def events_before(model, month):
    cols = model.event_log.columns()
    keep = cols["month"] < month
    return {name: column[keep] for name, column in cols.items()}


def same_events(a, b):
    return all(np.array_equal(a[k], b[k]) for k in a)


@pytest.fixture(scope="module")
def small():
    return load_scenario("ruzhou-2017", SMALL)


@pytest.fixture(scope="module")
def plain(small):
    return simulate(small)


def test_a_lever_changed_at_month_t_acts_from_month_t(small, plain):
    """Ten offices and top service from month 12: the same events before, more contracts after.

    Null: the change has no effect after month 12 (contracts equal); it would also fail if the
    change leaked into earlier months (events before 12 differ).
    """
    changed = simulate(small, [
        ("governments.ruzhou.outreach.office_count", 12, T),
        ("governments.ruzhou.service.quality", 0.95, T),
    ])
    assert same_events(events_before(plain, T), events_before(changed, T))
    assert not same_events(events_before(plain, T + 1), events_before(changed, T + 1))
    assert changed.kpis()["contracts"] > plain.kpis()["contracts"]
    assert changed.spec.governments["ruzhou"].outreach.office_count == 12


def test_a_schedule_of_the_files_own_values_changes_nothing(small, plain):
    """Rebuilding every lever array mid-run with the same values leaves the run bit-identical."""
    ruzhou = small.governments["ruzhou"]
    same = simulate(small, [
        ("governments.ruzhou.service.quality", ruzhou.service.quality, T),
        ("governments.ruzhou.outreach.office_count", 5, T),
        ("governments.zhengzhou.incentives.tax_rebate",
         small.governments["zhengzhou"].incentives.tax_rebate, 20),
        ("parks.embroidery.land_price_yuan_m2", small.parks["embroidery"].land_price_yuan_m2, 7),
    ])
    assert same_events(plain.event_log.columns(), same.event_log.columns())
    assert same.kpis() == plain.kpis()


def test_stepping_and_batch_runs_agree_with_a_schedule(small):
    """Month by month (agents, series) and in one call: the same events with a change."""
    change = [("governments.ruzhou.incentives.land_discount", 0.8, 5)]
    batch = simulate(small, change, months=18)
    stepped = simulate(small, change, months=18, collect=True, stepwise=True)
    assert same_events(batch.event_log.columns(), stepped.event_log.columns())


def test_a_scenario_schedule_differs_from_its_parent_only_from_the_month(small):
    """A [[schedule]] entry in the data acts as set_policy does."""
    data = scenario_to_dict(small)
    data["schedule"] = [{"month": "2018-01", "path": "governments.ruzhou.staff.professionalism",
                         "value": 1.0},
                        {"month": 12, "path": "governments.ruzhou.entrusted.count", "value": 20}]
    scheduled = validate_data(data)
    a, b = simulate(small), simulate(scheduled)
    assert same_events(events_before(a, 12), events_before(b, 12))
    assert not same_events(a.event_log.columns(), b.event_log.columns())


def test_the_library_reforms_from_2019_validates():
    scenario = load_scenario("reforms/all-from-2019")
    assert {e.month for e in scenario.schedule} == {"2019-01"}
    assert scenario.governments["ruzhou"].outreach.office_count is None  # until 2019


@pytest.mark.parametrize(
    ("entry", "field", "words"),
    [
        ({"month": 36, "path": "governments.ruzhou.service.quality", "value": 0.9},
         "schedule[0].month", "months 0 to 35"),
        ({"month": "2016-12", "path": "governments.ruzhou.service.quality", "value": 0.9},
         "schedule[0].month", "month -1"),
        ({"month": 3, "path": "pool.firms", "value": 10}, "schedule[0].path",
         "cannot change during a run"),
        ({"month": 3, "path": "governments.nowhere.service.quality", "value": 0.9},
         "schedule[0].path", "no government 'nowhere'"),
        ({"month": 3, "path": "governments.ruzhou.governance.credibility_prior", "value": 0.9},
         "schedule[0].path", "cannot change during a run"),
        ({"month": 3, "path": "governments.ruzhou.service.quality", "value": 1.5},
         "schedule[0].value", "less than or equal to 1"),
        ({"month": 3, "path": "governments.ruzhou.selectivity.enabled", "value": 1},
         "schedule[0].value", "true or false"),
    ],
)
def test_bad_schedule_entries_name_file_and_field(tmp_path, capsys, entry, field, words):
    path = tmp_path / "bad.toml"
    value = entry["value"]
    literal = f'"{value}"' if isinstance(value, str) else str(value)
    month = f'"{entry["month"]}"' if isinstance(entry["month"], str) else entry["month"]
    path.write_text(
        'extends = "ruzhou-2017"\n[time]\nmonths = 36\n[[schedule]]\n'
        f'month = {month}\npath = "{entry["path"]}"\nvalue = {literal}\n'
    )
    assert run_cli(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and field in err and words in err, err
    assert "Traceback" not in err


def test_set_policy_refuses_a_past_month_and_a_bad_value(small):
    model = AttractionModel(small, rng=SEED, firm_agents=False, collect=False)
    model.run_for(6)
    with pytest.raises(ScenarioError, match="next month to simulate"):
        model.set_policy("governments.ruzhou.service.quality", 0.9, 3)
    with pytest.raises(ScenarioError, match="less than or equal to 1"):
        model.set_policy("governments.ruzhou.service.quality", 2.0)
    with pytest.raises(ScenarioError, match="cannot change during a run"):
        model.set_policy("behaviour.home_bias", 1.0)
    model.set_policy("governments.ruzhou.service.quality", 0.9)  # from month 6
    model.run_for(1)
    assert model.policy.service[model.world.city_ids.index("ruzhou")] == 0.9


def test_compare_runs_a_schedule_scenario(tmp_path):
    out = tmp_path / "cmp"
    code = run_cli([
        "compare", "ruzhou-2017", "reforms/all-from-2019", "--replicates", "2",
        "--workers", "1", "--quiet",
        "--set", "pool.firms=3000", "--set", "time.months=36", "--out", str(out),
    ])
    assert code == 0
    assert any(out.iterdir())
