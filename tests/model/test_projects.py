"""Major projects, the city's own conferences and their signing ceremony, signed vs realised.

Runs are small (the ``small`` fixture: 5,000 candidate firms) over 24 months, seed 1 unless
stated; paired arms share the seed, so the keyed streams give every firm the same dice.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest

from tests.conftest import run
from zhaoshang.model.mechanisms import projects
from zhaoshang.model.state.codes import Cause, Channel, Stage

R = "governments.ruzhou"
MONTHS = 24


def test_stochastic_rounding_is_exact_on_average_and_has_no_step():
    """Over an even grid of uniforms the rounded value averages exactly to the value."""
    u = (np.arange(1000) + 0.5) / 1000
    for value in (0.0, 2.3, 17.999, 24.8):
        assert np.mean([projects.stochastic_round(value, x) for x in u]) == pytest.approx(value)


def test_conference_leads_follow_the_share_without_a_step(small):
    """Leads per conference rise with the share, by fractions (no rounding step)."""
    totals = []
    for share in np.arange(0.30, 0.40, 0.01):
        m = run(small, months=MONTHS, **{"behaviour.conference_lead_share": float(share)})
        results = m.conference_results.values()
        totals.append(sum(r["leads"] for r in results))
        expected = sum(m.spec.conferences[c].invitees * share for c in m.conference_results)
        assert abs(totals[-1] - expected) < len(m.conference_results)
    assert all(b >= a for a, b in pairwise(totals))
    assert len(set(totals)) >= 3


def test_a_promoted_park_invites_its_focus_sectors(small):
    """`conferences.*.park` is read: the conference also invites the park's focus sectors."""
    path = "conferences.shenzhen_2017"
    moved = run(small, months=MONTHS, **{f"{path}.park": "auto_equipment"})
    base = run(small, months=MONTHS)
    sectors = {
        m: next(c for cs in m.conferences_by_month.values() for c in cs
                if c["id"] == "shenzhen_2017")["sectors"]
        for m in (base, moved)
    }
    auto = {moved.world.sector_ids.index(s) for s in small.parks["auto_equipment"].sectors}
    assert auto <= set(sectors[moved]) and not auto <= set(sectors[base])
    assert moved.kpis()["by_conference"] != base.kpis()["by_conference"]


def test_unanswered_rival_bids_take_every_major_project(small):
    """With a rival bid every month and no leadership time, no major project is signed."""
    m = run(small, months=MONTHS, **{"behaviour.rival_bid_rate": 1.0,
                                     f"{R}.major_projects.leadership_visits_month": 0})
    k = m.kpis()
    assert k["major_lost_to_rivals"] > 0 and k["major_bids_matched"] == 0
    assert not k["major_investment_share"]
    ev = m.event_log.columns()
    lost = ev["cause"] == int(Cause.RIVAL_BID)
    assert (ev["to_stage"][lost] == Stage.LOST).all()
    assert (m.firms.excluded[ev["firm"][lost], ev["city"][lost]]).all()


def test_the_cap_limits_case_by_case_packages(small):
    """A zero cap answers no bid; a generous cap answers more and pays for it."""
    bids = {"behaviour.rival_bid_rate": 0.5}
    none = run(small, months=MONTHS, **bids, **{f"{R}.major_projects.incentive_cap_yuan": 0})
    rich = run(small, months=MONTHS, **bids, **{f"{R}.major_projects.incentive_cap_yuan": 1e9})
    kn, kr = none.kpis(), rich.kpis()
    assert kn["major_bids_matched"] == 0 and kn["case_incentives_yuan"] == 0
    assert kr["major_bids_matched"] > 0 and kr["case_incentives_yuan"] > 0
    assert kr["major_lost_to_rivals"] < kn["major_lost_to_rivals"]


def test_leadership_time_brings_major_prospects(small):
    """Leadership visits contact the largest searching major projects; none without time."""
    off = run(small, months=MONTHS, **{f"{R}.major_projects.leadership_visits_month": 0})
    on = run(small, months=MONTHS, **{f"{R}.major_projects.leadership_visits_month": 6})
    assert off.kpis()["by_channel"]["leadership"]["contacts"] == 0
    assert on.kpis()["by_channel"]["leadership"]["contacts"] > 0
    ev = on.event_log.columns()
    visited = ev["firm"][(ev["channel"] == Channel.LEADERSHIP) & (ev["to_stage"] == Stage.AWARE)]
    threshold = small.governments["ruzhou"].major_projects.threshold_yuan
    assert (on.firms.investment[visited] >= threshold).all()


def test_major_negotiations_take_longer(small):
    """Extra negotiation months delay the contracts of major projects."""
    def months_to_sign(extra):
        m = run(small, months=MONTHS, **{"behaviour.major_negotiation_months": extra,
                                         "behaviour.rival_bid_rate": 0.0})
        ev = m.event_log.columns()
        major = m.firms.investment[ev["firm"]] >= 1e8
        neg = {f: t for f, t, s in zip(ev["firm"], ev["month"], ev["to_stage"], strict=True)
               if s == Stage.NEGOTIATING}
        gaps = [t - neg[f] for f, t, s, big in zip(ev["firm"], ev["month"], ev["to_stage"],
                                                   major, strict=True)
                if big and s in (Stage.FRAMEWORK, Stage.CONTRACT) and f in neg]
        return np.mean(gaps)

    assert months_to_sign(6) > months_to_sign(0) + 3


def test_the_ceremony_books_conference_intentions_and_major_projects_once(small):
    m = run(small, months=MONTHS)
    city = [r for r in m.conference_results.values() if r["kind"] == "city"]
    assert len(city) == 2 and all(r["booked"] >= r["intentions"] for r in city)
    assert sum(r["booked"] for r in city) == int(m.booked.sum())
    booked = np.flatnonzero(m.booked)
    minor = booked[m.firms.investment[booked] < 1e8]
    # A booked project below the threshold declared its intention at a city conference.
    ev = m.event_log.columns()
    months = {m.world.month_of(r["date"]) for r in city}
    declared = (ev["to_stage"] == Stage.NEGOTIATING) & np.isin(ev["month"], list(months))
    assert np.isin(minor, ev["firm"][declared]).all()
    assert (booked < m.firms.n_pool).all()


def test_the_numbers_game_inflates_contracted_but_not_realised(small):
    honest = run(small, months=MONTHS).kpis()
    game = run(small, months=MONTHS, **{f"{R}.contracts.inflation": 2.0}).kpis()
    assert game["contracted_investment_yuan"] == pytest.approx(
        2 * honest["contracted_investment_yuan"])
    assert game["ceremony_contracted_yuan"] == pytest.approx(
        2 * honest["ceremony_contracted_yuan"])
    assert game["realized_investment_yuan"] == honest["realized_investment_yuan"]
    assert game["realisation_ratio"] == pytest.approx(honest["realisation_ratio"] / 2)


def test_realised_investment_accrues_over_construction(small):
    """Realised grows month by month and stays below the rate times contracted investment."""
    m = run(small, months=MONTHS)
    rate = small.governments["ruzhou"].contracts.realisation_rate
    k = m.kpis()
    assert 0 < k["realized_investment_yuan"] <= rate * k["contracted_investment_yuan"]
    none = run(small, months=MONTHS, **{f"{R}.contracts.realisation_rate": 0.0})
    tenants = none.tenants()
    reinvested = none.firms.reinvested[tenants[none.firms.city[tenants] == none.world.focus]]
    # Nothing of the projects is realised: only the tenants' reinvestment.
    assert none.kpis()["realized_investment_yuan"] == pytest.approx(reinvested.sum())
    early = run(small, months=MONTHS - 6).kpis()["realized_investment_yuan"]
    assert early < k["realized_investment_yuan"]
