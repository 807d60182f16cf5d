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
from typing import TYPE_CHECKING, Any

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


def thresholds(m: AttractionModel) -> np.ndarray:
    """The major-project threshold of every city (yuan)."""
    gov = m.spec.governments
    return np.array([gov[c].major_projects.threshold_yuan for c in m.world.city_ids])


def is_major(m: AttractionModel, ids: np.ndarray, cities: np.ndarray) -> np.ndarray:
    """Whether each firm's project is major for the city it deals with (``cities``)."""
    return m.firms.investment[ids] >= thresholds(m)[cities]


def stochastic_round(value: float, u: float) -> int:
    """``value`` rounded down or up so that its mean is ``value`` (``u`` a keyed uniform)."""
    whole = math.floor(value)
    return int(whole + (u < value - whole))


# ---------------------------------------------------------------- the monthly phase
def leadership(m: AttractionModel) -> None:
    """The month's major projects: longer negotiation, rival bids and the leaders' visits.

    The leaders' visits go first to answering rival bids for deals in hand, then to
    prospects (:func:`_visit_prospects`).
    """
    _grant_leadership_time(m)
    _answer_rivals(m)
    _visit_prospects(m)


def _answer_rivals(m: AttractionModel) -> None:
    """Rival bids for major projects under negotiation, and the leadership's answers."""
    f, month = m.firms, m.month
    ids = m.in_pipeline()
    ids = ids[(f.stage[ids] >= NEGOTIATING[0]) & (f.stage[ids] <= NEGOTIATING[1])]
    ids = ids[is_major(m, ids, f.city[ids].astype(np.int64))]
    if len(ids) == 0:
        return
    b = m.spec.behaviour
    _lengthen(m, ids, float(b.major_negotiation_months))
    u = m.streams.uniform(Purpose.RIVAL_BID, ids, month)
    bidders = ids[u < b.rival_bid_rate]
    if len(bidders) == 0:
        return
    share = 2.0 * b.rival_offer_share * m.streams.uniform(Purpose.RIVAL_OFFER, bidders, month)
    offers = share * f.investment[bidders]
    order = np.lexsort((bidders, -f.investment[bidders]))  # largest first, ties by firm
    lost = []
    gov, results = m.spec.governments, m.major_results
    for k in order.tolist():
        i, city = int(bidders[k]), int(f.city[bidders[k]])
        cap = gov[m.world.city_ids[city]].major_projects.incentive_cap_yuan
        visit = m.leadership_time[city] >= 1.0
        if visit:
            m.leadership_time[city] -= 1.0
        if visit and offers[k] <= cap:
            m.cities.incentives[city] += offers[k]
            results["matched"][city] += 1
            results["case_incentives_yuan"][city] += offers[k]
        else:
            lost.append(i)
            results["lost_to_rivals"][city] += 1
    _lose(m, np.array(lost, dtype=np.int64))


def _visit_prospects(m: AttractionModel) -> None:
    """Leaders spend their visits left this month on the largest searching major projects.

    Each city's leaders visit, largest first, searching firms whose project is major for it
    and that do not know it yet; they learn of the city through the leadership channel.
    """
    f = m.firms
    searching = m.searchers()
    for city in np.flatnonzero(m.leadership_time >= 1.0).tolist():
        visits = int(m.leadership_time[city])
        ids = searching[(f.known[searching, city] == 0) & ~f.excluded[searching, city]]
        ids = ids[is_major(m, ids, np.full(len(ids), city))]
        if len(ids) == 0:
            continue
        ids = ids[np.lexsort((ids, -f.investment[ids]))[:visits]]  # largest first
        m.leadership_time[city] -= len(ids)
        m.inform(ids, city, Channel.LEADERSHIP)


def _grant_leadership_time(m: AttractionModel) -> None:
    """This month's leadership visits of each city; unused whole visits lapse, fractions carry."""
    gov = m.spec.governments
    visits = np.array(
        [gov[c].major_projects.leadership_visits_month for c in m.world.city_ids]
    )
    m.leadership_time[:] = np.mod(m.leadership_time, 1.0) + visits


def _lengthen(m: AttractionModel, ids: np.ndarray, extra: float) -> None:
    """Major projects that entered negotiation this month negotiate ``extra`` months longer."""
    if extra <= 0:
        return
    f, ev = m.firms, m.event_log.columns()
    first = np.searchsorted(ev["month"], m.month, side="left")
    now = slice(first, len(ev["month"]))
    entered = ev["firm"][now][ev["to_stage"][now] == Stage.NEGOTIATING]
    fresh = ids[np.isin(ids, entered) & (f.due[ids] != NEVER)]
    salt = m.streams.salt(Purpose.MAJOR_DELAY, m.month)
    for i in fresh.tolist():
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
    f, ev = m.firms, m.event_log.columns()
    started = (ev["to_stage"] == Stage.CONSTRUCTION) & (ev["city"] == city)
    firms, start = ev["firm"][started], ev["month"][started]
    ended = (ev["to_stage"] == Stage.OPERATING) & (ev["city"] == city) & (
        ev["cause"] == Cause.COMPLETED
    )
    end = np.where(f.stage[firms] == Stage.CONSTRUCTION, f.due[firms], m.month)
    finish = dict(zip(ev["firm"][ended].tolist(), ev["month"][ended].tolist(), strict=True))
    end = np.array([finish.get(i, e) for i, e in zip(firms.tolist(), end.tolist(), strict=True)],
                   dtype=np.float64)
    end = np.where(end >= NEVER, start, end)
    progress = np.minimum(1.0, (m.month - start + 1) / np.maximum(end - start + 1, 1))
    rate = m.spec.governments[m.world.city_ids[city]].contracts.realisation_rate
    tenants = m.tenants()
    reinvested = f.reinvested[tenants[f.city[tenants] == city]].sum()
    return float(rate * (f.investment[firms] * progress).sum() + reinvested)


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
