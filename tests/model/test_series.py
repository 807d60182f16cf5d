"""The monthly series, written by the month's last compiled phase, say what the state says.

``outputs/series.py`` sums the focus city's tenants in one pass at the end of each month.
Here a model is stepped month by month (5,000 firms, 36 months, seed 4) and after every month
each series is computed again from the firm table and the city's accounts with NumPy: the
values must agree (to rounding of the order of summation). A run in one call must hand Mesa's
data collector the same rows as the stepped run, and a batch model (``collect=False``) none.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from zhaoshang import AttractionModel
from zhaoshang.model.mechanisms import land
from zhaoshang.model.outputs.series import COUNTS, SERIES
from zhaoshang.model.state.codes import Stage


def _idle_by_park(m: AttractionModel, month: int) -> np.ndarray:
    """Idle land per park at the end of ``month``: land holders' undeveloped land, idle for
    at least ``land.IDLE_AFTER_MONTHS`` (the 2012 rule)."""
    f, active = m.firms, m.active
    holders = active[(f.stage[active] >= Stage.CONTRACT) & (f.stage[active] <= Stage.OPERATING)]
    idle = np.where(f.idle_since[holders] <= month - land.IDLE_AFTER_MONTHS,
                    f.land_held[holders] - f.land_developed[holders], 0.0)
    return np.bincount(f.park[holders], weights=idle, minlength=len(m.world.park_ids))


def _from_state(m: AttractionModel, month: int) -> dict[str, float]:
    """The focus city's series recomputed from the model's arrays at the end of ``month``."""
    f, w, c = m.firms, m.world, m.world.focus
    active = m.active
    here = active[(f.stage[active] == Stage.OPERATING) & (f.city[active] == c)]
    focus_parks = w.park_city == c
    inflation = m.spec.governments[w.city_ids[c]].contracts.inflation
    idle = _idle_by_park(m, month)
    searching = active[(f.stage[active] <= Stage.AWARE) & (f.search_start[active] <= month)
                       & (month < f.search_end[active])]
    return {
        "operating_firms": len(here),
        "jobs": f.employees[here].sum(),
        "contracted_investment_yuan": m.cities.contracted_investment[c] * inflation,
        "realized_investment_yuan": m.realised_city[c] + f.reinvested[here].sum(),
        "tax_revenue_yuan": m.cities.tax[c],
        "incentive_spending_yuan": m.cities.incentives[c],
        "net_fiscal_yuan": m.cities.net_fiscal[c],
        "land_allocated_ha": m.parks.land_allocated[focus_parks].sum(),
        "land_developed_ha": f.land_developed[here].sum(),
        "idle_land_ha": idle[focus_parks].sum(),
        "credibility": m.cities.credibility[c],
        "pollution_load": (f.pollution_rate[here] * f.output[here] / 1e6).sum(),
        "searching_firms": len(searching),
        **{name: int(m.event_log.flow[stage]) for name, stage in
           {"contacts": Stage.AWARE, "contracts": Stage.CONTRACT,
            "entries": Stage.OPERATING, "exits": Stage.EXITED}.items()},
    }


def test_series_agree_with_the_state_every_month(small):
    """Null: each month's row equals the state recomputed (36 months, seed 4, rel. 1e-9)."""
    m = AttractionModel(small, rng=4, firm_agents=False)
    moved = set()
    for _ in range(small.time.months):
        m.step()
        expected = _from_state(m, m.month - 1)
        for name, value in expected.items():
            got = m.current[name]
            assert got == pytest.approx(value, rel=1e-9, abs=1e-6), (m.month, name)
            assert isinstance(got, int) == (name in COUNTS), name
            moved.add(name) if value else None
    # The world is large enough that every series checked takes a non-zero value.
    assert moved == set(expected)
    # Land by park: developed by tenants and idle by the 2012 rule, the last month.
    last = m.land_by_park().query(f"month == {m.month - 1}")
    assert last["idle_land_ha"].to_numpy() == pytest.approx(_idle_by_park(m, m.month - 1))
    assert last["idle_land_ha"].sum() > 0


def test_one_call_collects_the_rows_of_the_stepped_run(small):
    """Null: run_for in one call and month-by-month steps give the same monthly rows."""
    stepped = AttractionModel(small, rng=4, firm_agents=False)
    for _ in range(small.time.months):
        stepped.step()
    batched = AttractionModel(small, rng=4, firm_agents=False)
    batched.run_for(small.time.months)
    a = stepped.datacollector.get_model_vars_dataframe()
    b = batched.datacollector.get_model_vars_dataframe()
    assert list(a.columns) == ["date", *SERIES]
    assert len(a) == small.time.months
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(stepped.land_by_park(), batched.land_by_park())
    assert stepped.kpis() == batched.kpis()


def test_a_batch_model_collects_nothing(small):
    """A model built with collect=False writes no series and no land by park."""
    bare = AttractionModel(small, rng=4, firm_agents=False, collect=False)
    bare.run_for(small.time.months)
    assert len(bare.datacollector.get_model_vars_dataframe()) == 0
    assert bare.land_by_park().empty
    assert not np.any(bare.series_tables[0])
