"""Major projects, the collective signing ceremony, and signed against realised investment.

Major projects (重大项目) are those whose investment reaches the government's
``major_projects.threshold_yuan``. The city's leadership handles them (一把手招商):

- their negotiation takes ``behaviour.major_negotiation_months`` longer (case-by-case terms);
- each month a rival city bids for a major project under negotiation with probability
  ``behaviour.rival_bid_rate``, offering a package uniform between 0 and twice
  ``behaviour.rival_offer_share`` of its investment;
- the leadership answers a bid with a case-by-case package (一事一议) that matches it, if it
  has a visit left this month (``major_projects.leadership_visits_month``, fractions carried
  over) and the package is within ``major_projects.incentive_cap_yuan``; the package is paid
  by the city at once. A bid left unanswered takes the project: the deal ends and the firm
  searches again without this city (cause ``RIVAL_BID``).

Bids are met largest project first. Smaller projects face no rival bids: rivals chase the
large ones. Visits left after the bids go to prospects: the leaders visit the largest
searching firms with a major project that do not know the city yet (channel ``LEADERSHIP``),
the seed's "actively bringing in major projects" (积极探索引进重大项目).

The city's own promotion conference (``kind = "city"`` in ``conferences``) ends in a
collective signing ceremony (项目集中签约仪式): it books every intention declared at the
conference and every major project of the city that reached negotiation or beyond through
any channel since the previous ceremony and is still with the city (:func:`ceremony`).

Contracted investment (签约额) is booked at signing and reported multiplied by
``contracts.inflation`` (the numbers game, 1 when reporting is honest); realised investment
(实际到位) accrues month by month over construction, ``contracts.realisation_rate`` of the
real commitment, plus reinvestment (:func:`realised_investment`).

Everything here runs in Python on the few firms concerned, in the month's phase "major
projects" (after the pipeline) and in the conference phase; draws are keyed (firm, month).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from ..state.codes import Cause, Channel, Stage
from ..state.firms import NEVER
from ..state.streams import Purpose, uniform_at

if TYPE_CHECKING:
    from ..model import AttractionModel

#: Stages of a deal under negotiation, where rivals can still bid.
NEGOTIATING = (int(Stage.NEGOTIATING), int(Stage.FRAMEWORK))
#: Stages of a deal that the ceremony can book (negotiation to operation).
BOOKABLE = (int(Stage.NEGOTIATING), int(Stage.OPERATING))


class MajorTerms(NamedTuple):
    """Each city's major-project terms (arrays by city), kept for the run."""

    threshold: np.ndarray  # yuan
    cap: np.ndarray  # yuan
    visits: np.ndarray  # leadership visits a month


def terms(m: AttractionModel) -> MajorTerms:
    """The run's :class:`MajorTerms` (rebuilt when a schedule changes a lever)."""

    def build() -> MajorTerms:
        gov = [m.spec.governments[c].major_projects for c in m.world.city_ids]
        return MajorTerms(
            threshold=np.array([g.threshold_yuan for g in gov]),
            cap=np.array([g.incentive_cap_yuan for g in gov]),
            visits=np.array([g.leadership_visits_month for g in gov]),
        )

    return m.kept("major projects", build)


def is_major(m: AttractionModel, ids: np.ndarray, cities: np.ndarray) -> np.ndarray:
    """Whether each firm's project is major for the city it deals with (``cities``)."""
    return m.firms.investment[ids] >= terms(m).threshold[cities]


def stochastic_round(value: float, u: float) -> int:
    """``value`` rounded down or up so that its mean is ``value`` (``u`` a keyed uniform)."""
    whole = math.floor(value)
    return int(whole + (u < value - whole))


# ---------------------------------------------------------------- the monthly phase
def leadership(m: AttractionModel) -> None:
    """The month's major projects: longer negotiation, rival bids and the leaders' visits.

    This month's visits of each city's leaders are added to the fraction carried over
    (unused whole visits lapse); they go first to answering rival bids for deals in hand
    (:func:`_answer_rivals`), then to prospects (:func:`_visit_prospects`).
    """
    t = terms(m)
    m.leadership_time[:] = np.mod(m.leadership_time, 1.0) + t.visits
    f = m.firms
    active = m.active
    stage = f.stage[active]
    in_deal = active[(stage >= NEGOTIATING[0]) & (stage <= NEGOTIATING[1])]
    major = in_deal[f.investment[in_deal] >= t.threshold[f.city[in_deal]]]
    if len(major):
        _lengthen(m, major, float(m.spec.behaviour.major_negotiation_months))
        _answer_rivals(m, major, t)
    if (m.leadership_time >= 1.0).any():
        _visit_prospects(m, t)


def _answer_rivals(m: AttractionModel, ids: np.ndarray, t: MajorTerms) -> None:
    """Rival bids for the major projects ``ids`` under negotiation, and the leaders' answers."""
    f, month, b = m.firms, m.month, m.spec.behaviour
    u = m.streams.uniform(Purpose.RIVAL_BID, ids, month)
    bidders = ids[u < b.rival_bid_rate]
    if len(bidders) == 0:
        return
    share = 2.0 * b.rival_offer_share * m.streams.uniform(Purpose.RIVAL_OFFER, bidders, month)
    offers = share * f.investment[bidders]
    order = np.lexsort((bidders, -f.investment[bidders]))  # largest first, ties by firm
    lost = []
    results = m.major_results
    for k in order.tolist():
        i, city = int(bidders[k]), int(f.city[bidders[k]])
        visit = m.leadership_time[city] >= 1.0
        if visit:
            m.leadership_time[city] -= 1.0
        if visit and offers[k] <= t.cap[city]:
            m.cities.incentives[city] += offers[k]
            results["matched"][city] += 1
            results["case_incentives_yuan"][city] += offers[k]
        else:
            lost.append(i)
            results["lost_to_rivals"][city] += 1
    _lose(m, np.array(lost, dtype=np.int64))


def _visit_prospects(m: AttractionModel, t: MajorTerms) -> None:
    """Leaders spend their visits left this month on the largest searching major projects.

    Each city's leaders visit, largest first, searching firms whose project is major for it
    and that do not know it yet; they learn of the city through the leadership channel.
    """
    f = m.firms
    searching = m.searchers()
    searching = searching[f.investment[searching] >= t.threshold.min()]
    if len(searching) == 0:
        return
    for city in np.flatnonzero(m.leadership_time >= 1.0).tolist():
        ids = searching[(f.known[searching, city] == 0) & ~f.excluded[searching, city]
                        & (f.investment[searching] >= t.threshold[city])]
        if len(ids) == 0:
            continue
        ids = ids[np.lexsort((ids, -f.investment[ids]))[: int(m.leadership_time[city])]]
        m.leadership_time[city] -= len(ids)
        m.inform(ids, city, Channel.LEADERSHIP)


def _lengthen(m: AttractionModel, ids: np.ndarray, extra: float) -> None:
    """Major projects in negotiation, first seen with their city, negotiate ``extra`` longer.

    The phase runs every month after the pipeline, so a project is seen in the month it
    enters negotiation; ``m.lengthened`` holds the city (plus one) of the deal lengthened.
    """
    if extra <= 0:
        return
    f = m.firms
    cities = f.city[ids] + 1
    fresh = (f.stage[ids] == NEGOTIATING[0]) & (m.lengthened[ids] != cities)
    fresh &= f.due[ids] != NEVER
    m.lengthened[ids[fresh]] = cities[fresh]
    salt = m.streams.salt(Purpose.MAJOR_DELAY, m.month)
    for i in ids[fresh].tolist():
        f.due[i] += stochastic_round(extra, uniform_at(salt, np.uint64(i)))


def _lose(m: AttractionModel, ids: np.ndarray) -> None:
    """Deals taken by a rival city: logged, and the firms search again without this city."""
    if len(ids) == 0:
        return
    f = m.firms
    cities = f.city[ids].astype(np.int64)
    m.log(ids, f.stage[ids], np.full(len(ids), int(Stage.LOST)), f.park[ids], cities,
          f.channel[ids], np.full(len(ids), int(Cause.RIVAL_BID)))
    f.excluded[ids, cities] = True
    f.stage[ids] = int(Stage.AWARE)
    f.city[ids] = -1
    f.park[ids] = -1
    f.due[ids] = NEVER
    f.needs_choice[ids] = True


# ---------------------------------------------------------------- the ceremony
def ceremony(m: AttractionModel, city: int, declared: np.ndarray) -> dict[str, Any]:
    """Book the city's collective signing ceremony (项目集中签约仪式).

    Args:
        m: The model.
        city: The organising city.
        declared: Firms that declared an intention at the conference itself.

    Returns:
        ``booked`` (projects booked: the conference's intentions and the city's major projects
        from every channel not booked before) and ``contracted_yuan`` (their investment as
        reported, times ``contracts.inflation``).
    """
    f = m.firms
    ids = m.in_pipeline()
    ids = np.union1d(ids, m.tenants())
    ids = ids[(f.city[ids] == city) & (f.stage[ids] >= BOOKABLE[0])
              & (f.stage[ids] <= BOOKABLE[1])]
    ids = ids[is_major(m, ids, np.full(len(ids), city)) & (ids < f.n_pool)]
    ids = np.union1d(ids, declared).astype(np.int64)
    ids = ids[~m.booked[ids]]
    m.booked[ids] = True
    inflation = m.spec.governments[m.world.city_ids[city]].contracts.inflation
    return {
        "booked": len(ids),
        "booked_major": int(is_major(m, ids, np.full(len(ids), city)).sum()),
        "contracted_yuan": float(f.investment[ids].sum() * inflation),
    }


# ---------------------------------------------------------------- contracted and realised
def realised_investment(m: AttractionModel, city: int) -> float:
    """Investment realised in ``city`` so far (yuan): phased over construction, plus reinvestment.

    A project that started construction in month ``s`` and is due to finish (or finished) in
    month ``e`` has realised ``rate * investment * min(1, (t - s + 1) / (e - s + 1))`` by month
    ``t``, where ``rate`` is the city's ``contracts.realisation_rate``; reinvestment of the
    city's tenants counts in full when made.
    """
    f = m.firms
    firms, start, finish = _construction(m, city)
    building = f.stage[firms] == Stage.CONSTRUCTION
    end = np.where(building, f.due[firms], np.where(finish >= 0, finish, m.month))
    end = np.where(end >= NEVER, start, end)
    progress = np.minimum(1.0, (m.month - start + 1) / np.maximum(end - start + 1, 1))
    rate = m.spec.governments[m.world.city_ids[city]].contracts.realisation_rate
    tenants = m.tenants()
    reinvested = f.reinvested[tenants[f.city[tenants] == city]].sum()
    return float(rate * (f.investment[firms] * progress).sum() + reinvested)


def _construction(m: AttractionModel, city: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every construction started in ``city``: firm, start month and completion month (-1).

    A firm that comes back builds again: each construction counts, and a completion closes
    the firm's earliest open one. Read from the events logged since the last call (kept in
    ``m.built``), so that a monthly series does not scan the whole log every month.
    """
    ev = m.event_log.columns()
    seen, firms, starts, finish, open_ = m.built.setdefault(city, [0, [], [], [], {}])
    new = slice(seen, len(ev["month"]))
    here = ev["city"][new] == city
    moved = here & (
        (ev["to_stage"][new] == Stage.CONSTRUCTION)
        | ((ev["to_stage"][new] == Stage.OPERATING) & (ev["cause"][new] == Cause.COMPLETED))
    )
    for i, t, to in zip(ev["firm"][new][moved].tolist(), ev["month"][new][moved].tolist(),
                        ev["to_stage"][new][moved].tolist(), strict=True):
        if to == Stage.CONSTRUCTION:
            open_.setdefault(i, []).append(len(firms))
            firms.append(i)
            starts.append(t)
            finish.append(-1)
        elif open_.get(i):
            finish[open_[i].pop(0)] = t
    m.built[city][0] = len(ev["month"])
    return (np.array(firms, dtype=np.int64), np.array(starts, dtype=np.int64),
            np.array(finish, dtype=np.int64))


def contracted_investment(m: AttractionModel, city: int) -> float:
    """Contracted investment of ``city`` as reported (times ``contracts.inflation``)."""
    inflation = m.spec.governments[m.world.city_ids[city]].contracts.inflation
    return float(m.cities.contracted_investment[city] * inflation)


def major_share(m: AttractionModel, city: int, months: tuple[int, int] | None) -> float | None:
    """Share of the investment contracted in ``city`` (in ``months``) carried by major projects."""
    ev = m.event_log.columns()
    signed = (ev["to_stage"] == Stage.CONTRACT) & (ev["city"] == city)
    if months is not None:
        signed &= (ev["month"] >= months[0]) & (ev["month"] < months[1])
    firms = ev["firm"][signed]
    total = m.firms.investment[firms].sum()
    if total <= 0:
        return None
    return float(m.firms.investment[firms][is_major(m, firms, np.full(len(firms), city))].sum()
                 / total)
