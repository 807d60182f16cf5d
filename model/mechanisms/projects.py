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
real commitment (what remains divided by the months left to completion), plus reinvestment
(:func:`realised_investment`).

The month's phase "major projects" (after the pipeline) is a compiled month (:func:`step`,
around :func:`_decide`); the ceremony runs in the conference phase. Draws are
keyed (firm, month).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
from numba import njit

from ..state.codes import Cause, Channel, Stage
from ..state.events import Ledger, lacks_room, record
from ..state.firms import NEVER
from ..state.selection import Activity, searchers
from ..state.streams import Purpose, uniform_at
from . import awareness
from .awareness import Learners, Pitch, learn

if TYPE_CHECKING:
    from ..model import AttractionModel

#: Stages of a deal under negotiation, where rivals can still bid.
NEGOTIATING = (int(Stage.NEGOTIATING), int(Stage.FRAMEWORK))
_NEGOTIATING, _FRAMEWORK = NEGOTIATING
_FIRST_DEAL, _CONSTRUCTION, _OPERATING = (
    int(Stage.INSPECTING), int(Stage.CONSTRUCTION), int(Stage.OPERATING)
)
_AWARE, _LOST = int(Stage.AWARE), int(Stage.LOST)
_RIVAL_BID, _LEADERSHIP = int(Cause.RIVAL_BID), int(Channel.LEADERSHIP)
#: Stages of a deal that the ceremony can book (negotiation to operation).
BOOKABLE = (int(Stage.NEGOTIATING), int(Stage.OPERATING))


class MajorTerms(NamedTuple):
    """Each city's major-project terms (arrays by city), kept for the run."""

    threshold: np.ndarray  # yuan
    cap: np.ndarray  # yuan
    visits: np.ndarray  # leadership visits a month
    rate: np.ndarray  # realisation rate


def terms(m: AttractionModel) -> MajorTerms:
    """The run's :class:`MajorTerms` (rebuilt when a schedule changes a lever)."""

    def build() -> MajorTerms:
        gov = [m.spec.governments[c].major_projects for c in m.world.city_ids]
        return MajorTerms(
            threshold=np.array([g.threshold_yuan for g in gov]),
            cap=np.array([g.incentive_cap_yuan for g in gov]),
            visits=np.array([g.leadership_visits_month for g in gov]),
            rate=np.array([m.spec.governments[c].contracts.realisation_rate
                           for c in m.world.city_ids]),
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
class LeadershipArgs(NamedTuple):
    """What :func:`step` reads and writes, for the whole run."""

    threshold: np.ndarray  # yuan, by city
    cap: np.ndarray  # yuan, by city
    visits: np.ndarray  # leadership visits a month, by city
    rate: np.ndarray  # realisation rate, by city
    extra: float  # months of longer negotiation
    bid_rate: float  # monthly probability of a rival bid
    offer_share: float  # mean rival offer, share of investment
    bid_salts: np.ndarray  # by month
    offer_salts: np.ndarray  # by month
    delay_salts: np.ndarray  # by month
    trigger_salts: np.ndarray  # by month and city (a pitch may start a search)
    pitch_trigger: float
    search_months: int
    learners: tuple  # fields of awareness.Learners
    stage: np.ndarray  # firm columns
    city: np.ndarray
    park: np.ndarray
    channel: np.ndarray
    investment: np.ndarray
    due: np.ndarray
    excluded: np.ndarray
    search_start: np.ndarray
    search_end: np.ndarray
    needs_choice: np.ndarray
    n_pool: int
    lengthened: np.ndarray  # city + 1 of the deal lengthened, by firm
    time: np.ndarray  # leadership time left, by city
    realised: np.ndarray  # by firm
    realised_city: np.ndarray  # by city
    matched: np.ndarray  # bids matched, by city (added to)
    lost_to_rivals: np.ndarray  # by city (added to)
    spent: np.ndarray  # case-by-case packages, by city (added to)
    incentives: np.ndarray  # the cities' incentives paid (added to)


def args(m: AttractionModel) -> tuple:
    """The fields of :class:`LeadershipArgs`, built once per run (rebuilt with the levers)."""

    def build() -> tuple:
        t, f, b, s = terms(m), m.firms, m.spec.behaviour, m.streams
        months, n_cities = m.horizon + 1, len(m.world.city_ids)
        return tuple(LeadershipArgs(
            threshold=t.threshold, cap=t.cap, visits=t.visits, rate=t.rate,
            extra=float(b.major_negotiation_months), bid_rate=float(b.rival_bid_rate),
            offer_share=float(b.rival_offer_share),
            bid_salts=s.table(Purpose.RIVAL_BID, months)[:, 0].copy(),
            offer_salts=s.table(Purpose.RIVAL_OFFER, months)[:, 0].copy(),
            delay_salts=s.table(Purpose.MAJOR_DELAY, months)[:, 0].copy(),
            trigger_salts=s.table(Purpose.TRIGGER, months, n_cities).copy(),
            pitch_trigger=float(b.pitch_trigger), search_months=int(b.search_months),
            learners=awareness.learners(m), stage=f.stage, city=f.city, park=f.park,
            channel=f.channel, investment=f.investment, due=f.due, excluded=f.excluded,
            search_start=f.search_start, search_end=f.search_end,
            needs_choice=f.needs_choice, n_pool=int(f.n_pool), lengthened=m.lengthened,
            time=m.leadership_time, realised=m.realised, realised_city=m.realised_city,
            matched=m.major_results["matched"], lost_to_rivals=m.major_results["lost_to_rivals"],
            spent=m.major_results["case_incentives_yuan"], incentives=m.cities.incentives,
        ))

    return m.kept("leadership", build)


@njit(cache=True)
def step(month: int, args: tuple, activity: tuple, ledger: tuple) -> int:
    """The month's major projects: longer negotiation, rival bids and the leaders' visits.

    This month's visits of each city's leaders are added to the fraction carried over
    (unused whole visits lapse); they go first to answering rival bids for deals in hand,
    largest project first, then to prospects, largest first (:func:`_decide`). Deals taken
    by a rival are logged (cause ``RIVAL_BID``) and the firms search again without the city;
    the prospects visited learn of the city (channel ``LEADERSHIP``), city by city.

    A compiled month (:mod:`zhaoshang.model.month` says what it takes and returns); ``args``
    holds the fields of :class:`LeadershipArgs` (:func:`args`). It returns 0, or the events
    it needs room for (the active firms, once for the losses and once per city for the
    visits) if the log lacks it.
    """
    a = LeadershipArgs(*args)
    act, log = Activity(*activity), Ledger(*ledger)
    n_cities = a.threshold.size
    room = act.count[0] * (1 + n_cities)
    if lacks_room(log, room):
        return room
    active = act.order[: act.count[0]]
    for c in range(n_cities):
        a.time[c] = np.mod(a.time[c], 1.0) + a.visits[c]
    searching = searchers(active, a.stage, a.search_start, a.search_end, month, _AWARE)
    learners = Learners(*a.learners)
    lost, matched, spent, visited, visited_city = _decide(
        active, searching, a.stage, a.city, a.investment, a.due, learners.known, a.excluded,
        a.lengthened, a.threshold, a.cap, a.time, a.extra, a.bid_rate, a.offer_share,
        a.bid_salts[month], a.offer_salts[month], a.delay_salts[month], month, a.rate,
        a.realised, a.realised_city, a.n_pool,
    )
    for c in range(n_cities):
        a.matched[c] += matched[c]
        a.spent[c] += spent[c]
        a.incentives[c] += spent[c]
    for i in lost:
        a.lost_to_rivals[a.city[i]] += 1
    for i in lost:
        record(log, i, a.stage[i], _LOST, a.park[i], a.city[i], a.channel[i], _RIVAL_BID)
    for i in lost:
        a.excluded[i, a.city[i]] = True
        a.stage[i] = _AWARE
        a.city[i] = -1
        a.park[i] = -1
        a.due[i] = NEVER
        a.needs_choice[i] = True
    for c in range(n_cities):
        ids = visited[visited_city == c]
        if ids.size:
            pitch = Pitch(month, a.trigger_salts[month, c], a.pitch_trigger, a.search_months)
            learn(ids, c, _LEADERSHIP, learners, pitch, act, log)
    return 0


@njit(cache=True)
def _decide(
    active: np.ndarray, searching: np.ndarray, stage: np.ndarray, city: np.ndarray,
    investment: np.ndarray, due: np.ndarray, known: np.ndarray, excluded: np.ndarray,
    lengthened: np.ndarray, threshold: np.ndarray, cap: np.ndarray, time: np.ndarray,
    extra: float, bid_rate: float, offer_share: float, bid_salt: np.uint64,
    offer_salt: np.uint64, delay_salt: np.uint64, month: int, rate: np.ndarray,
    realised: np.ndarray, realised_city: np.ndarray, n_pool: int,
) -> tuple:
    """The leadership's decisions (see :func:`step`); changes ``due``, ``lengthened``, ``time``.

    Major projects in negotiation first seen with their city negotiate ``extra`` months
    longer (rounded at random); rivals bid for each with probability ``bid_rate``, offering
    ``U(0, 2 offer_share) × investment``; bids are met largest project first, a visit each,
    matched within the cap, else the project is lost; visits left go to the largest searching
    major projects that do not know the city.

    Also realises investment (``realised`` by firm, ``realised_city`` by city): a project
    under construction realises what remains of ``rate × investment`` in equal parts over
    the months left to its completion; a project that starts operating realises the rest;
    a firm in a new deal starts again from nothing.

    Returns:
        The firms whose deal a rival took (in the order decided), the bids matched and the
        case-by-case packages paid (yuan) by city, the prospects visited (grouped by city in
        city order) and the city of each.
    """
    n_cities = threshold.size
    bidders = np.empty(active.size, dtype=np.int64)
    n_bids = 0
    for i in active:
        if i < n_pool and stage[i] >= _FIRST_DEAL and stage[i] <= _OPERATING and city[i] >= 0:
            _realise(i, stage[i], city[i], month, due, investment, rate, realised, realised_city)
        if stage[i] < _NEGOTIATING or stage[i] > _FRAMEWORK:
            continue
        c = city[i]
        if investment[i] < threshold[c]:
            continue
        if stage[i] == _NEGOTIATING and lengthened[i] != c + 1 and due[i] != NEVER and extra > 0:
            lengthened[i] = c + 1
            whole = math.floor(extra)
            due[i] += whole + (uniform_at(delay_salt, np.uint64(i)) < extra - whole)
        if uniform_at(bid_salt, np.uint64(i)) < bid_rate:
            bidders[n_bids] = i
            n_bids += 1
    bidders = bidders[:n_bids]
    # Largest first, ties by firm id (the active order is not sorted).
    bidders = bidders[np.argsort(bidders, kind="mergesort")]
    bidders = bidders[np.argsort(-investment[bidders], kind="mergesort")]
    lost = np.empty(n_bids, dtype=np.int64)
    n_lost = 0
    matched, spent = np.zeros(n_cities), np.zeros(n_cities)
    for i in bidders:
        c = city[i]
        offer = 2.0 * offer_share * uniform_at(offer_salt, np.uint64(i)) * investment[i]
        visit = time[c] >= 1.0
        if visit:
            time[c] -= 1.0
        if visit and offer <= cap[c]:
            matched[c] += 1
            spent[c] += offer
        else:
            lost[n_lost] = i
            n_lost += 1
    candidates = searching[investment[searching] >= threshold.min()]
    candidates = candidates[np.argsort(candidates, kind="mergesort")]
    candidates = candidates[np.argsort(-investment[candidates], kind="mergesort")]
    visited = np.empty(candidates.size * n_cities, dtype=np.int64)
    visited_city = np.empty(candidates.size * n_cities, dtype=np.int64)
    n_visits = 0
    for c in range(n_cities):
        for i in candidates:
            if time[c] < 1.0:
                break
            if known[i, c] == 0 and not excluded[i, c] and investment[i] >= threshold[c]:
                visited[n_visits] = i
                visited_city[n_visits] = c
                n_visits += 1
                time[c] -= 1.0
    return lost[:n_lost], matched, spent, visited[:n_visits], visited_city[:n_visits]


@njit(cache=True, inline="always")
def _realise(
    i: int, st: int, c: int, month: int, due: np.ndarray, investment: np.ndarray,
    rate: np.ndarray, realised: np.ndarray, realised_city: np.ndarray,
) -> None:
    """This month's realised investment of firm ``i`` in city ``c`` (see :func:`_decide`)."""
    if st < _CONSTRUCTION:
        realised[i] = 0.0
        return
    rest = rate[c] * investment[i] - realised[i]
    if rest <= 0.0:
        return
    if st == _CONSTRUCTION:
        rest /= max(due[i] - month, 1) if due[i] != NEVER else 1
    realised[i] += rest
    realised_city[c] += rest


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
def realised_investment(m: AttractionModel, city: int, here: np.ndarray | None = None) -> float:
    """Investment realised in ``city`` so far (yuan): over construction, plus reinvestment.

    Each project realises ``contracts.realisation_rate`` of its investment in equal parts over
    its construction months (:func:`step`); reinvestment of the city's tenants counts in
    full when made.

    Args:
        m: The model.
        city: City index.
        here: The city's tenants in the order of the active set, if found already (the
            monthly snapshot has them).
    """
    f = m.firms
    if here is None:
        tenants = m.tenants()
        here = tenants[f.city[tenants] == city]
    return float(m.realised_city[city] + f.reinvested[here].sum())


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
