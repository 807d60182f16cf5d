"""Resident offices: each visits firms of its region and target sectors, leads first.

One compiled call a month (:func:`offices_step`) makes the visits, has the visited firms learn
of the city (``awareness.learn``) and adds the offices' running cost; its arguments are built
once per run (:func:`offices_args`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numba import njit

from ...plain import plain
from ...state.codes import Channel, Stage
from ...state.events import Ledger, lacks_room
from ...state.selection import Activity
from ..awareness import Learners, learn, learners
from .common import (
    OFFICE_LEADS,
    approachable,
    city_pitch,
    due,
    lead_salts,
    leads_due,
    pitch_rule,
    then_in_order,
    trigger_salts,
)

if TYPE_CHECKING:
    from ...model import AttractionModel

# plain ints, so that kernels see compile-time constants
_AWARE = int(Stage.AWARE)
_OFFICE = int(Channel.OFFICE)


@njit(cache=True, inline="always")
def _of_city(
    c: int, city: np.ndarray, contacts: np.ndarray, offset: np.ndarray, got: np.ndarray
) -> np.ndarray:
    """The contacts of city ``c``'s offices, office by office.

    Office ``k`` is of city ``city[k]`` and its contacts are
    ``contacts[offset[k] : offset[k] + got[k]]``.
    """
    out = np.empty(contacts.size, dtype=np.int64)
    n = 0
    for k in range(city.size):
        if city[k] == c:
            for i in contacts[offset[k] : offset[k] + got[k]]:
                out[n] = i
                n += 1
    return out[:n]


@njit(cache=True, inline="always")
def _first_visiting(city: np.ndarray, visits: np.ndarray) -> np.ndarray:
    """Each city's first office with visits due, in office order (so cities in that order)."""
    firsts = np.empty(city.size, dtype=np.int64)
    n = 0
    for k in range(city.size):
        if visits[k] > 0 and not (visits[:k][city[:k] == city[k]] > 0).any():
            firsts[n] = k
            n += 1
    return firsts[:n]


@njit(cache=True, inline="always")
def _covered(c: int, city: np.ndarray, visits: np.ndarray, lookup: np.ndarray) -> np.ndarray:
    """Whether some office of city ``c`` with visits due covers each group."""
    covered = np.zeros(lookup.shape[1], dtype=np.bool_)
    for k in range(city.size):
        if city[k] == c and visits[k] > 0:
            covered |= lookup[k]
    return covered


@njit(cache=True, inline="always")
def _open_leads(
    active: np.ndarray,
    covered: np.ndarray,
    c: int,
    group: np.ndarray,
    priority: np.ndarray,
    f: Learners,
    excluded: np.ndarray,
    month: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The searchers (as ``m.searchers()``) of covered groups that city ``c`` can approach.

    Every office of ``c`` finds the same leads among these as among all searchers, as long
    as it skips the firms the city's offices have marked as known since. The cheap tests come
    first, so that the search window and the city's columns of most firms need not be read.

    Args:
        active: The active firms.
        covered: Whether some visiting office of ``c`` covers each group.
        c: City index.
        group: Each candidate's group (incumbents, with larger ids, are never leads).
        priority: The city's priority of every candidate.
        f: The firm columns of learners (stage, search window and ``known`` are read).
        excluded: The ``excluded`` column.
        month: The month.

    Returns:
        The leads in the order of ``active``, their groups and their priorities.
    """
    ids = np.empty(active.size, dtype=np.int64)
    groups = np.empty(active.size, dtype=np.int64)
    ranks = np.empty(active.size)
    n = 0
    for firm in active:
        if f.stage[firm] <= _AWARE and firm < group.size and covered[group[firm]]:
            if f.search_start[firm] <= month < f.search_end[firm] and approachable(
                f.known[firm, c], f.stage[firm], excluded[firm, c]
            ):
                ids[n] = firm
                groups[n] = group[firm]
                ranks[n] = priority[firm]
                n += 1
    return ids[:n], groups[:n], ranks[:n]


@njit(cache=True, inline="always")
def _best_open(
    leads: tuple[np.ndarray, np.ndarray, np.ndarray],
    lookup: np.ndarray,
    k: int,
    c: int,
    known: np.ndarray,
) -> np.ndarray:
    """:func:`_best_leads` of one office among its city's open leads (:func:`_open_leads`).

    Args:
        leads: The city's open leads at the month's start, their groups and priorities.
        lookup: Whether the office covers each group.
        k: Number of leads wanted.
        c: The office's city.
        known: The ``known`` column (the leads the city has marked since are skipped).

    Returns:
        Up to ``k`` ids, by priority (ties in the order of ``leads``).
    """
    ids, groups, ranks = leads
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    best = np.empty(k, dtype=np.int64)
    best_rank = np.empty(k)
    n = 0
    for i in range(ids.size):
        q = ranks[i]
        if n == k and not q < best_rank[k - 1]:
            continue
        if not lookup[groups[i]] or known[ids[i], c] != 0:
            continue
        j = min(n, k - 1)  # drop the last if full, then move it up past the worse ones
        while j > 0 and q < best_rank[j - 1]:
            best[j] = best[j - 1]
            best_rank[j] = best_rank[j - 1]
            j -= 1
        best[j] = ids[i]
        best_rank[j] = q
        n = min(n + 1, k)
    return best[:n]


@njit(cache=True)
def _visit_offices(
    plan: tuple,
    group: np.ndarray,
    priority: np.ndarray,
    month: int,
    lead_targeting: float,
    professionalism: np.ndarray,
    excluded: np.ndarray,
    salts: np.ndarray,
    lead_salt: np.uint64,
    rule: tuple[float, int],
    learners: tuple,
    activity: tuple,
    ledger: tuple,
) -> None:
    """This month's office visits: each office's contacts, then each city's firms learn.

    City by city, the offices visit in their order: first the best leads of their groups
    (:func:`_best_open`) among the city's open leads of the month's start
    (:func:`_open_leads`), as many as ``visits * lead_targeting * professionalism`` rounded
    stochastically (``common.leads_due``), then in their own priority order
    (:func:`then_in_order`),
    marking the firms visited at once so that the city's other offices skip them. Then each
    city's visited firms, its offices' contacts one after the other, learn of it
    (``awareness.learn``), cities in the order of their first office with visits due.

    Args:
        plan: Fields of the offices' :class:`OfficePlan`; their pointers are advanced.
        group: Each candidate's group (``Directory.group``).
        priority: Each city's priority of every candidate (:attr:`Directories.priority`).
        month: The month.
        lead_targeting: Share of visits spent on leads at full professionalism.
        professionalism: Each city's professionalism.
        excluded: The ``excluded`` column.
        salts: Each city's salt of pitch draws (purpose TRIGGER, this month).
        lead_salt: Salt of this month's lead-count draws of the offices (keyed by office).
        rule: Pitch trigger probability and search months.
        learners: Fields of :class:`Learners`.
        activity: Fields of :class:`~zhaoshang.model.state.selection.Activity`.
        ledger: Fields of :class:`~zhaoshang.model.state.events.Ledger`, with room for every visit.
    """
    o = OfficePlan(*plan)
    city, rate, lookup, orderings, starts, pointers = (
        o.city, o.rate, o.lookup, o.ordered, o.starts, o.pointers
    )
    f, act, log = Learners(*learners), Activity(*activity), Ledger(*ledger)
    visits = np.empty(city.size, dtype=np.int64)
    for k in range(city.size):
        visits[k] = max(due(rate[k], month), 0)
    if visits.sum() == 0:
        return
    firsts = _first_visiting(city, visits)
    offset = np.zeros(city.size + 1, dtype=np.int64)  # office k's slots of contacts
    offset[1:] = np.cumsum(visits)
    got = np.zeros(city.size, dtype=np.int64)  # office k's are contacts[offset[k]:][:got[k]]
    contacts = np.empty(offset[-1], dtype=np.int64)
    for c in city[firsts]:  # the offices of different cities mark different columns
        leads = _open_leads(
            act.order[: act.count[0]], _covered(c, city, visits, lookup), c, group, priority[c],
            f, excluded, month,
        )
        for k in range(city.size):
            if city[k] != c or visits[k] == 0:
                continue
            n_lead = leads_due(visits[k] * lead_targeting * professionalism[c], lead_salt, k)
            ids, pointers[k] = then_in_order(
                _best_open(leads, lookup[k], n_lead, c, f.known),
                orderings[starts[k] : starts[k + 1]], pointers[k], visits[k], c, f.known,
                f.stage, excluded, _OFFICE,
            )
            got[k] = ids.size
            contacts[offset[k] : offset[k] + ids.size] = ids
    for c in city[firsts]:
        visited = _of_city(c, city, contacts, offset, got)
        learn(visited, c, _OFFICE, f, city_pitch(month, salts[c], rule), act, log)


@njit(cache=True)
def offices_step(month: int, args: tuple, activity: tuple, ledger: tuple) -> int:
    """This month's office visits (:func:`_visit_offices`), then the offices' running cost.

    Resident offices visit firms of their region and target sectors. Each office first visits
    the leads of its region and sectors (searching firms its city can still approach) that
    come first in the city's priority, then fills its remaining visits in its own priority
    order. A firm visited by one office is skipped by the city's other offices this month.

    A compiled month (:mod:`zhaoshang.model.month` says what it takes and returns); ``args``
    holds the fields of :class:`OfficesArgs` (:func:`offices_args`). It returns 0, or the events
    it needs room for (the most visits of a month) if the log lacks it.
    """
    a = OfficesArgs(*args)
    if OfficePlan(*a.plan).city.size == 0:
        return 0
    if lacks_room(Ledger(*ledger), a.most_visits):
        return a.most_visits
    _visit_offices(
        a.plan, a.group, a.priority, month, a.lead_targeting, a.professionalism, a.excluded,
        a.salts[month], a.lead_salts[month, OFFICE_LEADS], a.rule, a.learners, activity, ledger,
    )
    for c in range(a.spending.size):
        a.spending[c] += a.cost[c]
    return 0


class OfficePlan(NamedTuple):
    """The resident offices as arrays for :func:`_visit_offices`, in the model's office order."""

    city: np.ndarray  # each office's city
    rate: np.ndarray  # monthly visits
    lookup: np.ndarray  # whether it covers each group (one row per office)
    ordered: np.ndarray  # the offices' orderings, concatenated
    starts: np.ndarray  # office k's ordering runs from starts[k] to starts[k + 1]
    pointers: np.ndarray  # each office's pointer in its ordering (advanced)


class OfficesArgs(NamedTuple):
    """What :func:`offices_step` reads and writes, for the whole run."""

    plan: tuple  # the fields of OfficePlan (no office when outreach is off)
    group: np.ndarray  # each candidate's group (``Directories.group``)
    priority: np.ndarray  # each city's priority of every candidate (``Directories.priority``)
    lead_targeting: float  # share of visits spent on leads at full professionalism
    professionalism: np.ndarray  # by city
    excluded: np.ndarray  # firm column (n, C)
    salts: np.ndarray  # of pitch draws by month and city (purpose TRIGGER)
    lead_salts: np.ndarray  # of lead-count draws by month and channel (``common.lead_salts``)
    rule: tuple  # the fields of ``common.PitchRule``
    learners: tuple  # the fields of ``awareness.Learners``
    most_visits: int  # an upper bound on the visits of a month (each rate rounded up)
    cost: np.ndarray  # each city's monthly cost of its offices
    spending: np.ndarray  # each city's outreach spending (added to)


class Offices:
    """The resident offices as arrays for :func:`_visit_offices`, in the model's office order.

    Args:
        m: The model.
        listed: The offices (``m.active_offices``, or none).

    Attributes:
        plan: The offices' :class:`OfficePlan`.
        most_visits: An upper bound on the visits of a month (each rate rounded up).
    """

    def __init__(self, m: AttractionModel, listed: list[dict]):
        n_groups = len(m.world.region_ids) * len(m.world.sector_ids)
        city = np.array([o["city"] for o in listed], dtype=np.int64)
        rate = np.array([o["visits"] for o in listed], dtype=np.float64)
        lookup = np.zeros((len(listed), n_groups), dtype=bool)
        for k, o in enumerate(listed):
            lookup[k] = o["lookup"]
        orderings = [m.directory(o["city"]).ordering([o["region"]], o["sectors"]) for o in listed]
        starts = np.cumsum([0, *map(len, orderings)]).astype(np.int64)
        pointers = np.zeros(len(listed), dtype=np.int64)
        ordered = np.concatenate([np.zeros(0, dtype=np.int64), *orderings])
        self.plan = OfficePlan(
            city=city, rate=rate, lookup=lookup, ordered=ordered, starts=starts, pointers=pointers
        )
        self.most_visits = int(np.ceil(rate).sum())


def office_pointers(args: tuple) -> np.ndarray:
    """Each office's pointer in its ordering, from the plain :class:`OfficesArgs` of a run."""
    return OfficePlan(*OfficesArgs(*args).plan).pointers


def offices_args(m: AttractionModel) -> tuple:
    """What :func:`offices_step` reads and writes, built once per run (see its ``args``).

    The directories of the offices' cities are built here.
    """
    return m.kept("offices", lambda: _offices_args(m))


def _offices_args(m: AttractionModel) -> tuple:
    """:func:`offices_args`, built."""
    listed = m.active_offices if m.spec.mechanisms.outreach else []
    plan = Offices(m, listed)
    return plain(OfficesArgs(
        plan=plan.plan, group=m.directories.group, priority=m.directories.priority,
        lead_targeting=float(m.spec.behaviour.lead_targeting),
        professionalism=m.policy.professionalism, excluded=m.firms.excluded,
        salts=trigger_salts(m), lead_salts=lead_salts(m), rule=pitch_rule(m),
        learners=learners(m), most_visits=plan.most_visits, cost=m.office_cost_per_month,
        spending=m.cities.outreach_cost,
    ))
