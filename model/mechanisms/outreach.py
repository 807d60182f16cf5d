"""Outreach channels: how firms learn of a destination city.

Resident offices visit firms of their region and target sectors; promotion conferences bring
invitees on a date; satisfied tenants refer partners along supply-chain and home-region ties;
entrusted agents contact firms anywhere; and searching firms learn of cities unprompted at
each city's visibility (less so the stronger the information frictions). A proactive channel
visits a firm that is already looking for a site with a probability that grows with the
staff's targeting skill, and may prompt one that was not to consider moving.

Each city approaches firms in a fixed order of keyed priority, so more effort reaches a
superset of the same firms.

The per-firm work of each channel (which firms a city can still approach, which of them it
reaches, who learns unprompted, whom a referrer names) runs in compiled kernels (the
functions decorated with ``njit``). Offices, agents and passive inquiries are one compiled
call a month each (``*_step``), which also has the firms learn of the cities
(``awareness.learn``) and adds the channel's costs; their arguments are built once per run
(``*_args``, which also build the directories the channel needs). Referrals (:func:`refer`)
are called by the compiled month of retention. Conferences, whose invitees choose at once,
contact and inform (``m.inform``) one conference at a time.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from numba import njit

from ..state.codes import Channel, Stage
from ..state.events import Ledger, lacks_room
from ..state.selection import Activity
from ..state.selection import searchers as _searchers
from ..state.streams import Purpose, uniform_at
from .awareness import Learners, Pitch, learn

if TYPE_CHECKING:
    from ..model import AttractionModel

# plain ints, so that kernels see compile-time constants
_AWARE = int(Stage.AWARE)
_OFFICE, _AGENT = int(Channel.OFFICE), int(Channel.AGENT)
_PASSIVE, _REFERRAL = int(Channel.PASSIVE), int(Channel.REFERRAL)


# ------------------------------------------------------------------ kernels
# Kernels take the firm table's columns as arrays: ``known`` (firm, city) -> channel code with
# 0 = unknown, ``stage``, ``excluded`` (firm, city), ``region``, ``sector`` and ``city``.
@njit(cache=True, inline="always")
def _open(known: int, stage: int, excluded: bool) -> bool:
    """Whether a city can approach a firm: unknown to it, not in any deal, not excluded.

    Takes the firm's entries of the columns rather than the columns themselves: passing arrays
    to a helper that is called per firm costs reference counting on every call.

    Args:
        known: The firm's ``known`` code for the city.
        stage: The firm's stage.
        excluded: Whether the city has excluded the firm.
    """
    return known == 0 and stage <= _AWARE and not excluded


@njit(cache=True)
def _best_leads(
    searchers: np.ndarray,
    lookup: np.ndarray,
    group: np.ndarray,
    k: int,
    priority: np.ndarray,
    city: int,
    known: np.ndarray,
    stage: np.ndarray,
    excluded: np.ndarray,
) -> np.ndarray:
    """The ``k`` searching candidates of some groups that come first in a city's priority.

    The same as sorting the city's leads stably by priority, keeping those of the wanted
    groups and taking the first ``k``, without the sort: the best ``k`` so far are kept in
    order while the searchers are scanned once.

    Args:
        searchers: Ids of the firms looking for a site (``m.searchers()``).
        lookup: Whether each (region * n_sectors + sector) group is wanted.
        group: Each candidate's group (``Directory.group``); incumbents, with larger ids,
            are never leads.
        k: Number of leads wanted.
        priority: The city's priority of every candidate (``Directory.priority``).
        city: City index.
        known: The ``known`` column.
        stage: The ``stage`` column.
        excluded: The ``excluded`` column.

    Returns:
        Up to ``k`` ids, by priority (ties in the order of ``searchers``).
    """
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    best = np.empty(k, dtype=np.int64)
    n = 0
    for firm in searchers:
        # cheapest tests first: ``group`` is small and stays in cache
        if firm >= group.size or not lookup[group[firm]]:
            continue
        if not _open(known[firm, city], stage[firm], excluded[firm, city]):
            continue
        q = priority[firm]
        if n == k and not q < priority[best[k - 1]]:
            continue
        j = min(n, k - 1)  # drop the last if full, then move it up past the worse ones
        while j > 0 and q < priority[best[j - 1]]:
            best[j] = best[j - 1]
            j -= 1
        best[j] = firm
        n = min(n + 1, k)
    return best[:n]


@njit(cache=True)
def _next_contactable(
    ids: np.ndarray,
    start: int,
    k: int,
    city: int,
    known: np.ndarray,
    stage: np.ndarray,
    excluded: np.ndarray,
) -> tuple[np.ndarray, int]:
    """The next ``k`` firms of ``ids`` from position ``start`` that ``city`` can approach.

    Args:
        ids: A directory ordering.
        start: Position of its pointer.
        k: Number of firms wanted.
        city: City index.
        known: The ``known`` column.
        stage: The ``stage`` column.
        excluded: The ``excluded`` column.

    Returns:
        The firms found and the new pointer: just past the last firm taken, or the end of
        ``ids`` when fewer than ``k`` were left.
    """
    out = np.empty(max(min(k, ids.size - start), 0), dtype=np.int64)
    n = 0
    i = start
    while n < k and i < ids.size:
        firm = ids[i]
        if _open(known[firm, city], stage[firm], excluded[firm, city]):
            out[n] = firm
            n += 1
        i += 1
    return out[:n], i


@njit(cache=True)
def _contacts(
    searchers: np.ndarray,
    lookup: np.ndarray,
    group: np.ndarray,
    n_lead: int,
    priority: np.ndarray,
    ordering: np.ndarray,
    start: int,
    k: int,
    city: int,
    known: np.ndarray,
    stage: np.ndarray,
    excluded: np.ndarray,
    mark: int,
) -> tuple[np.ndarray, int]:
    """The ``k`` firms one proactive channel contacts: leads first, then in priority order.

    First the best ``n_lead`` leads of its groups (:func:`_best_leads`), then the next firms
    of its ordering (:func:`_next_contactable`) up to ``k`` in all.

    Args:
        searchers: Ids of the firms looking for a site (``m.searchers()``).
        lookup: Whether the channel covers each (region * n_sectors + sector) group.
        group: Each candidate's group (``Directory.group``).
        n_lead: Number of leads it looks for.
        priority: The city's priority of every candidate (``Directory.priority``).
        ordering: The channel's directory ordering (its regions and sectors, by priority).
        start: Position of the channel's pointer in ``ordering``.
        k: Number of contacts.
        city: The channel's city.
        known: The ``known`` column (updated when ``mark`` is not 0).
        stage: The ``stage`` column.
        excluded: The ``excluded`` column.
        mark: Channel code to mark the contacts with in ``known`` as soon as they are taken,
            so that the ordering skips the leads and the city's other offices skip them all;
            0 to leave the marking to ``m.inform``.

    Returns:
        The contacted firms (leads first) and the new pointer.
    """
    hot = _best_leads(searchers, lookup, group, n_lead, priority, city, known, stage, excluded)
    return _then_in_order(hot, ordering, start, k, city, known, stage, excluded, mark)


@njit(cache=True, inline="always")
def _then_in_order(
    hot: np.ndarray,
    ordering: np.ndarray,
    start: int,
    k: int,
    city: int,
    known: np.ndarray,
    stage: np.ndarray,
    excluded: np.ndarray,
    mark: int,
) -> tuple[np.ndarray, int]:
    """The leads ``hot``, then the next firms of ``ordering`` up to ``k`` in all.

    Args:
        hot: The leads taken.
        ordering: The channel's directory ordering.
        start: Position of the channel's pointer in ``ordering``.
        k: Number of contacts.
        city: The channel's city.
        known: The ``known`` column (updated when ``mark`` is not 0).
        stage: The ``stage`` column.
        excluded: The ``excluded`` column.
        mark: Channel code to mark the contacts with in ``known`` (see :func:`_contacts`).

    Returns:
        The contacted firms (leads first) and the new pointer.
    """
    if mark:
        for firm in hot:
            known[firm, city] = mark
    cold, end = _next_contactable(ordering, start, k - hot.size, city, known, stage, excluded)
    if mark:
        for firm in cold:
            known[firm, city] = mark
    return np.concatenate((hot, cold)), end


@njit(cache=True, inline="always")
def _passive_learners(
    active: np.ndarray,
    month: int,
    p: np.ndarray,
    salts: np.ndarray,
    f: Learners,
    excluded: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Searching firms that learn of each city unprompted this month.

    A searcher (as ``m.searchers()``) learns of city ``c`` when its keyed uniform (purpose
    PASSIVE, this month, extra ``c``) is below ``p[c]`` and the city can approach it. The
    searchers are found and drawn for in the same pass over the active set.

    Args:
        active: The active firms.
        month: The month.
        p: Monthly probability of learning of each city.
        salts: The salt of each city's draws (``m.streams.salt(PASSIVE, month, c)``).
        f: The firm columns of learners (stage, search window and ``known`` are read).
        excluded: The ``excluded`` column.

    Returns:
        The learners of all cities, city by city and in the order of ``active`` within a
        city, and the bounds of each city's run (city ``c``'s are ``ids[bounds[c]:bounds[c+1]]``).
    """
    n_cities = p.size
    firms = np.empty(64, dtype=np.int64)  # the (firm, city) pairs that learn, grown as needed
    cities = np.empty(64, dtype=np.int64)
    bounds = np.zeros(n_cities + 1, dtype=np.int64)
    n = 0
    for firm in active:
        if not (f.stage[firm] <= _AWARE and f.search_start[firm] <= month < f.search_end[firm]):
            continue
        for c in range(n_cities):
            # the draw first: it usually fails, and then the columns need not be read
            if uniform_at(salts[c], np.uint64(firm)) < p[c] and _open(
                f.known[firm, c], f.stage[firm], excluded[firm, c]
            ):
                if n == firms.size:
                    firms, cities = _grown(firms, n), _grown(cities, n)
                firms[n], cities[n] = firm, c
                n += 1
                bounds[c + 1] += 1
    for c in range(n_cities):
        bounds[c + 1] += bounds[c]
    ids = np.empty(n, dtype=np.int64)
    fill = bounds[:-1].copy()
    for i in range(n):
        ids[fill[cities[i]]] = firms[i]
        fill[cities[i]] += 1
    return ids, bounds


@njit(cache=True, inline="always")
def _grown(values: np.ndarray, n: int) -> np.ndarray:
    """A copy of ``values`` with its first ``n`` entries and room for as many more."""
    out = np.empty(2 * values.size, dtype=values.dtype)
    out[:n] = values[:n]
    return out


@njit(cache=True)
def _referral_cdf(io: np.ndarray, suppliers: float, customers: float, same: float) -> np.ndarray:
    """Cumulative share of each sector's referrals by partner sector (rows end at 1).

    Sector ``s`` refers to its suppliers ``t`` with weight ``suppliers * io[s, t]``, to its
    customers with weight ``customers * io[t, s]`` and to itself with weight ``same``.

    Args:
        io: The input-output matrix (``World.io``).
        suppliers: Weight of supplier links.
        customers: Weight of customer links.
        same: Weight of the own sector.
    """
    n = io.shape[0]
    cum = np.empty((n, n))
    for s in range(n):
        total = 0.0
        for t in range(n):
            total += suppliers * io[s, t] + customers * io[t, s] + same * (1.0 if s == t else 0.0)
            cum[s, t] = total
        for t in range(n):
            cum[s, t] /= total
    return cum


@njit(cache=True)
def _referral_partners(
    referrers: np.ndarray,
    city: int,
    salt_sector: np.uint64,
    salt_partner: np.uint64,
    cum: np.ndarray,
    order: np.ndarray,
    bounds: np.ndarray,
    firm_city: np.ndarray,
    region: np.ndarray,
    sector: np.ndarray,
    known: np.ndarray,
    stage: np.ndarray,
    excluded: np.ndarray,
) -> np.ndarray:
    """The partners named by the referrers located in ``city`` that it can still approach.

    Each referrer draws a partner sector in proportion to its supply-chain links
    (:func:`_referral_cdf`), then a partner at random within its (home region, partner sector)
    group of the city's directory; an empty group names no one.

    Args:
        referrers: Ids of this month's referrers (of all cities).
        city: The city whose referrers are handled.
        salt_sector: Salt of the partner-sector draw (purpose REFERRAL_TARGET, this month).
        salt_partner: Salt of the partner draw (purpose REFERRAL_PARTNER, this month).
        cum: Cumulative share of each sector's referrals by partner sector.
        order: The city's candidates by (region, sector) group (``Directory.order``).
        bounds: Where each group starts in ``order`` (``Directory.bounds``).
        firm_city: The ``city`` column.
        region: The ``region`` column.
        sector: The ``sector`` column.
        known: The ``known`` column.
        stage: The ``stage`` column.
        excluded: The ``excluded`` column.

    Returns:
        The partners, in the order of ``referrers`` (with repeats).
    """
    n_sectors = cum.shape[1]
    partners = np.empty(referrers.size, dtype=np.int64)
    n = 0
    for i in range(referrers.size):
        firm = referrers[i]
        if firm_city[firm] != city:
            continue
        u = uniform_at(salt_sector, np.uint64(firm))
        target = 0
        for t in range(n_sectors):
            if u > cum[sector[firm], t]:
                target += 1
        group = np.int64(region[firm]) * n_sectors + min(target, n_sectors - 1)
        lo, hi = bounds[group], bounds[group + 1]
        if hi <= lo:
            continue
        pick = uniform_at(salt_partner, np.uint64(firm))
        partner = order[lo + np.int64(np.floor(pick * (hi - lo)))]
        if _open(known[partner, city], stage[partner], excluded[partner, city]):
            partners[n] = partner
            n += 1
    return partners[:n]


@njit(cache=True)
def _by_group(group: np.ndarray, priority: np.ndarray, n_groups: int) -> np.ndarray:
    """Candidates by group, then priority (then id).

    A counting sort by (group, a bucket of priority), then an insertion sort by priority
    within each bucket (of about one candidate each, priorities being uniform in (0, 1)).

    Args:
        group: Each candidate's group.
        priority: Each candidate's priority, in (0, 1).
        n_groups: Number of groups.

    Returns:
        The ordered ids.
    """
    per = group.size // n_groups + 1  # priority buckets per group
    key = np.empty(group.size, dtype=np.int64)
    starts = np.zeros(n_groups * per + 1, dtype=np.int64)
    for i in range(group.size):
        key[i] = np.int64(group[i]) * per + min(np.int64(priority[i] * per), per - 1)
        starts[key[i] + 1] += 1
    starts = np.cumsum(starts)
    order = np.empty(group.size, dtype=np.int64)
    for i in range(group.size):
        order[starts[key[i]]] = i
        starts[key[i]] += 1
    for j in range(1, group.size):
        i = order[j]
        while j > 0 and key[order[j - 1]] == key[i] and priority[order[j - 1]] > priority[i]:
            order[j] = order[j - 1]
            j -= 1
        order[j] = i
    return order


# ------------------------------------------------------------------ monthly channels
# One compiled call a month per channel: the selection above and the learning
# (``awareness.learn``), taking the fields of the model's named tuples as plain tuples.
@njit(cache=True, inline="always")
def _due(rate: float, month: int) -> int:
    """Whole contacts due this month at a fractional monthly rate (carried over)."""
    return math.floor((month + 1) * rate) - math.floor(month * rate)


@njit(cache=True, inline="always")
def _pitch(month: int, salt: np.uint64, rule: tuple[float, int]) -> Pitch:
    """The pitch of one city this month (``rule`` is the trigger probability, search months)."""
    return Pitch(month, salt, rule[0], rule[1])


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
            if f.search_start[firm] <= month < f.search_end[firm] and _open(
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
    rule: tuple[float, int],
    learners: tuple,
    activity: tuple,
    ledger: tuple,
) -> None:
    """This month's office visits: each office's contacts, then each city's firms learn.

    City by city, the offices visit in their order: first the best leads of their groups
    (:func:`_best_open`) among the city's open leads of the month's start
    (:func:`_open_leads`), then in their own priority order (:func:`_then_in_order`),
    marking the firms visited at once so that the city's other offices skip them. Then each
    city's visited firms, its offices' contacts one after the other, learn of it
    (``awareness.learn``), cities in the order of their first office with visits due.

    Args:
        plan: Fields of the offices (:attr:`Offices.fields`); their pointers are advanced.
        group: Each candidate's group (``Directory.group``).
        priority: Each city's priority of every candidate (:attr:`Directories.priority`).
        month: The month.
        lead_targeting: Share of visits spent on leads at full professionalism.
        professionalism: Each city's professionalism.
        excluded: The ``excluded`` column.
        salts: Each city's salt of pitch draws (purpose TRIGGER, this month).
        rule: Pitch trigger probability and search months.
        learners: Fields of :class:`Learners`.
        activity: Fields of :class:`~zhaoshang.model.selection.Activity`.
        ledger: Fields of :class:`~zhaoshang.model.events.Ledger`, with room for every visit.
    """
    city, rate, lookup, orderings, starts, pointers = plan
    f, act, log = Learners(*learners), Activity(*activity), Ledger(*ledger)
    visits = np.empty(city.size, dtype=np.int64)
    for k in range(city.size):
        visits[k] = max(_due(rate[k], month), 0)
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
            n_lead = np.int64(np.rint(visits[k] * lead_targeting * professionalism[c]))
            ids, pointers[k] = _then_in_order(
                _best_open(leads, lookup[k], n_lead, c, f.known),
                orderings[starts[k] : starts[k + 1]], pointers[k], visits[k], c, f.known,
                f.stage, excluded, _OFFICE,
            )
            got[k] = ids.size
            contacts[offset[k] : offset[k] + ids.size] = ids
    for c in city[firsts]:
        visited = _of_city(c, city, contacts, offset, got)
        learn(visited, c, _OFFICE, f, _pitch(month, salts[c], rule), act, log)


@njit(cache=True)
def _contact_by_agents(
    cities: np.ndarray,
    terms: tuple,
    plan: tuple,
    priority: np.ndarray,
    month: int,
    excluded: np.ndarray,
    salts: np.ndarray,
    rule: tuple[float, int],
    learners: tuple,
    activity: tuple,
    ledger: tuple,
) -> None:
    """This month's contacts of each city's entrusted agents, who learn of the city at once.

    City by city, the agents contact the month's due firms (:func:`_contacts`, leads of any
    group first) from the searchers of that moment, and those learn of the city.

    Args:
        cities: The cities whose agents work, ascending.
        terms: Each city's monthly contact rate and share of leads.
        plan: Fields of the agents (:attr:`Agents.fields`); their pointers are advanced.
        priority: Each city's priority of every candidate (:attr:`Directories.priority`).
        month: The month.
        excluded: The ``excluded`` column.
        salts: Each city's salt of pitch draws (purpose TRIGGER, this month).
        rule: Pitch trigger probability and search months.
        learners: Fields of :class:`Learners`.
        activity: Fields of :class:`~zhaoshang.model.selection.Activity`.
        ledger: Fields of :class:`~zhaoshang.model.events.Ledger`, with room for every
            contact.
    """
    rate, lead_share = terms
    ranked, pointers, everyone, group = plan
    f, act, log = Learners(*learners), Activity(*activity), Ledger(*ledger)
    for c in cities:
        k = _due(rate[c], month)
        if k <= 0:
            continue
        searchers = _searchers(
            act.order[: act.count[0]], f.stage, f.search_start, f.search_end, month, _AWARE
        )
        n_lead = np.int64(np.rint(k * lead_share[c]))
        ids, pointers[c] = _contacts(
            searchers, everyone, group, n_lead, priority[c], ranked[c], pointers[c], k, c,
            f.known, f.stage, excluded, 0,
        )
        learn(ids, c, _AGENT, f, _pitch(month, salts[c], rule), act, log)


@njit(cache=True)
def offices_step(month: int, args: tuple, activity: tuple, ledger: tuple) -> int:
    """This month's office visits (:func:`_visit_offices`), then the offices' running cost.

    Resident offices visit firms of their region and target sectors. Each office first visits
    the leads of its region and sectors (searching firms its city can still approach) that
    come first in the city's priority, then fills its remaining visits in its own priority
    order. A firm visited by one office is skipped by the city's other offices this month.

    Args:
        month: The month.
        args: Built by :func:`offices_args`: the fields of the offices (:attr:`Offices.fields`,
            none when outreach is off; their pointers are advanced), each candidate's group,
            each city's priority of every candidate, the share of visits spent on leads at full
            professionalism, each city's professionalism, the ``excluded`` column, the salts of
            pitch draws by month and city (purpose TRIGGER), the pitch rule, the fields of
            :class:`Learners`, the most visits of a month, each city's monthly cost of its
            offices and each city's outreach spending (added to).
        activity: Fields of :class:`~zhaoshang.model.selection.Activity`.
        ledger: Fields of :class:`~zhaoshang.model.events.Ledger`.

    Returns:
        0, or the events it needs room for (the most visits of a month) if the log lacks it.
    """
    (plan, group, priority, lead_targeting, professionalism, excluded, salts, rule, learners,
     most_visits, cost, spending) = args
    if plan[0].size == 0:
        return 0
    if lacks_room(Ledger(*ledger), most_visits):
        return most_visits
    _visit_offices(
        plan, group, priority, month, lead_targeting, professionalism, excluded, salts[month],
        rule, learners, activity, ledger,
    )
    for c in range(spending.size):
        spending[c] += cost[c]
    return 0


@njit(cache=True)
def agents_step(month: int, args: tuple, activity: tuple, ledger: tuple) -> int:
    """This month's contacts of the entrusted agents, then their retainers.

    The contacts are those of :func:`_contact_by_agents`; cities that do not pay their agents
    on results pay them a retainer.

    Args:
        month: The month.
        args: Built by :func:`agents_args`: the cities whose agents work (ascending; none
            when outreach is off), each city's monthly contact rate and share of leads, the
            fields of the agents (:attr:`Agents.fields`; their pointers are advanced), each
            city's priority of every candidate, the ``excluded`` column, the salts of pitch
            draws by month and city (purpose TRIGGER), the pitch rule, the fields of
            :class:`Learners`, the most contacts of a month, whether each city pays its agents
            a retainer, the monthly retainers of each city's agents and each city's outreach
            spending (added to).
        activity: Fields of :class:`~zhaoshang.model.selection.Activity`.
        ledger: Fields of :class:`~zhaoshang.model.events.Ledger`.

    Returns:
        0, or the events it needs room for (the most contacts of a month) if the log lacks it.
    """
    (cities, terms, plan, priority, excluded, salts, rule, learners, most_contacts, retained,
     retainers, spending) = args
    if cities.size == 0:
        return 0
    if lacks_room(Ledger(*ledger), most_contacts):
        return most_contacts
    _contact_by_agents(
        cities, terms, plan, priority, month, excluded, salts[month], rule, learners, activity,
        ledger,
    )
    for c in range(spending.size):
        if retained[c]:
            spending[c] += retainers[c]
    return 0


@njit(cache=True)
def passive_step(month: int, args: tuple, activity: tuple, ledger: tuple) -> int:
    """Searching firms learn of cities unprompted (:func:`_passive_learners`), city by city.

    The searchers are the same after as before: passive learners are searchers already, stay
    at most aware and are not pitched.

    Args:
        month: The month.
        args: Built by :func:`passive_args`: the monthly probability of learning of each city,
            the salts of its draws by month and city (purpose PASSIVE), the ``excluded``
            column, the pitch rule (passive learners are not pitched) and the fields of
            :class:`Learners`.
        activity: Fields of :class:`~zhaoshang.model.selection.Activity`.
        ledger: Fields of :class:`~zhaoshang.model.events.Ledger`.

    Returns:
        0, or the events it needs room for (one per learner) if the log lacks it; the
        learners are drawn before any state changes.
    """
    p, salts, excluded, rule, learners = args
    f, act, log = Learners(*learners), Activity(*activity), Ledger(*ledger)
    ids, bounds = _passive_learners(act.order[: act.count[0]], month, p, salts[month], f, excluded)
    if lacks_room(log, ids.size):
        return ids.size
    unpitched = _pitch(month, np.uint64(0), rule)
    for c in range(p.size):
        if bounds[c + 1] > bounds[c]:
            learn(ids[bounds[c] : bounds[c + 1]], c, _PASSIVE, f, unpitched, act, log)
    return 0


@njit(cache=True)
def refer(month: int, referrers: np.ndarray, args: tuple, activity: tuple, ledger: tuple) -> None:
    """Referrers name partners (:func:`_referral_partners`), who learn of their city.

    Only referrers located in cities that use referrals count. Cities in ascending order;
    each city's partners learn of it once each, ascending.

    Args:
        month: The month.
        referrers: This month's referrers (of all cities).
        args: Built by :func:`referral_args`: whether each city uses referrals, the salts of
            the partner-sector and partner draws by month (purposes REFERRAL_TARGET and
            REFERRAL_PARTNER, one column), each sector's cumulative share of referrals by
            partner sector (:func:`_referral_cdf`), each city's ``Directory.order``
            (:attr:`Directories.order`), where each group starts in it
            (:attr:`Directories.bounds`), the ``city``, ``region``, ``sector`` and
            ``excluded`` columns, the salts of pitch draws by month and city (purpose
            TRIGGER), the pitch rule and the fields of :class:`Learners`.
        activity: Fields of :class:`~zhaoshang.model.selection.Activity`.
        ledger: Fields of :class:`~zhaoshang.model.events.Ledger`, with room for
            ``referrers``.
    """
    (uses, sector_salts, partner_salts, cum, order, bounds, columns, salts, rule,
     learners) = args
    firm_city, region, sector, excluded = columns
    keep = np.empty(referrers.size, dtype=np.bool_)
    for k in range(referrers.size):
        keep[k] = uses[firm_city[referrers[k]]]
    referrers = referrers[keep]
    if referrers.size == 0:
        return
    f, act, log = Learners(*learners), Activity(*activity), Ledger(*ledger)
    for c in np.unique(firm_city[referrers]):
        partners = _referral_partners(
            referrers, c, sector_salts[month, 0], partner_salts[month, 0], cum, order[c],
            bounds, firm_city, region, sector, f.known, f.stage, excluded,
        )
        learn(np.unique(partners), c, _REFERRAL, f, _pitch(month, salts[month, c], rule), act,
              log)


# ------------------------------------------------------------------ directory and plans
class Directory:
    """Candidate firms of one city's outreach, ordered by (region, sector, priority).

    Args:
        m: The model.
        city: City index.
        group: Each candidate's group (:attr:`Directories.group`).
        bounds: Where each group starts in ``order`` (:attr:`Directories.bounds`).

    Attributes:
        priority: The city's keyed priority of each candidate (lower comes first).
        group: Each candidate's (region * n_sectors + sector) group.
        order: Candidates by group, then priority.
        bounds: Where each group starts in ``order``.
        pointers: How far each channel (by key) has gone down its ordering.
    """

    def __init__(self, m: AttractionModel, city: int, group: np.ndarray, bounds: np.ndarray):
        n_sectors = len(m.world.sector_ids)
        self.priority = m.streams.uniform(Purpose.PRIORITY, np.arange(m.firms.n_pool), 0, city)
        self.group, self.bounds = group, bounds
        self.order = _by_group(group, self.priority, len(bounds) - 1)
        self.n_sectors = n_sectors
        self.pointers: dict[tuple, int] = {}
        self.orders: dict[tuple, np.ndarray] = {}

    def ordering(self, regions: list[int] | None, sectors: list[int] | None) -> np.ndarray:
        """Firms of the given regions and sectors (all when None), by priority."""
        key = (tuple(regions) if regions is not None else None, tuple(sectors) if sectors else None)
        if key not in self.orders:
            if regions is None and not sectors:
                ids = self.order
            else:
                regs = regions if regions is not None else range(len(self.bounds) // self.n_sectors)
                secs = sectors or range(self.n_sectors)
                parts = [
                    self.order[
                        self.bounds[r * self.n_sectors + s] : self.bounds[
                            r * self.n_sectors + s + 1
                        ]
                    ]
                    for r in regs
                    for s in secs
                ]
                ids = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
            self.orders[key] = ids[np.argsort(self.priority[ids], kind="stable")]
        return self.orders[key]


class Offices:
    """The resident offices as arrays for :func:`_visit_offices`, in the model's office order.

    Args:
        m: The model.
        listed: The offices (``m.active_offices``, or none).

    Attributes:
        fields: Each office's city, monthly visit rate, group lookup (one row per office),
            ordering (all concatenated: office ``k``'s runs from ``starts[k]`` to
            ``starts[k + 1]``), those starts, and pointer in its ordering.
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
        self.fields = (city, rate, lookup, ordered, starts, pointers)
        self.most_visits = int(np.ceil(rate).sum())


class Agents:
    """The entrusted agents of some cities as arrays for :func:`_contact_by_agents`.

    Args:
        m: The model.
        cities: The cities whose agents work.

    Attributes:
        fields: Each city's candidates by priority (``Directory.ordering(None, None)``, one
            row per city, rows of other cities than ``cities`` undefined), each city's agents'
            pointer in it, a lookup of every group and each candidate's group.
    """

    def __init__(self, m: AttractionModel, cities: np.ndarray):
        n_cities = len(m.world.city_ids)
        ranked = np.empty((n_cities, m.firms.n_pool), dtype=np.int64)
        for city in cities.tolist():
            ranked[city] = m.directory(city).ordering(None, None)
        pointers = np.zeros(n_cities, dtype=np.int64)
        everyone = np.ones(len(m.world.region_ids) * len(m.world.sector_ids), dtype=bool)
        self.fields = (ranked, pointers, everyone, m.directories.group)


class Directories:
    """Every city's :class:`Directory`, built on first use, also as arrays for kernels.

    Attributes:
        group: Each candidate's (region * n_sectors + sector) group, the same in every city.
        bounds: Where each group starts in a city's ``Directory.order`` (the same in every
            city; the end last).
        priority: Each city's ``Directory.priority``, one row per city (rows of cities whose
            directory is not built yet are undefined).
        order: Each city's ``Directory.order``, one row per city (likewise).
    """

    def __init__(self, m: AttractionModel):
        self._m = m
        self._built: dict[int, Directory] = {}
        f, n = m.firms, m.firms.n_pool
        n_sectors = len(m.world.sector_ids)
        n_groups = len(m.world.region_ids) * n_sectors
        group = f.region[:n].astype(np.int64) * n_sectors + f.sector[:n]
        self.group = group.astype(np.min_scalar_type(n_groups))  # small ints sort by radix
        self.bounds = np.zeros(n_groups + 1, dtype=np.int64)
        self.bounds[1:] = np.cumsum(np.bincount(group, minlength=n_groups))
        shape = (len(m.world.city_ids), n)
        self.priority = np.empty(shape)
        self.order = np.empty(shape, dtype=np.int64)

    def __getitem__(self, city: int) -> Directory:
        directory = self._built.get(city)
        if directory is None:
            directory = self._built[city] = Directory(self._m, city, self.group, self.bounds)
            self.priority[city] = directory.priority
            self.order[city] = directory.order
        return directory

    def build(self, cities: np.ndarray) -> None:
        """Build the directories of ``cities`` not built yet."""
        for city in cities.tolist():
            self[city]


def _group_lookup(m: AttractionModel, regions, sectors) -> np.ndarray:
    """Whether each (region * n_sectors + sector) group is of the regions and sectors.

    Args:
        m: The model.
        regions: Region indices (all when None).
        sectors: Sector indices (all when None or empty).
    """
    n_regions, n_sectors = len(m.world.region_ids), len(m.world.sector_ids)
    rows = np.isin(np.arange(n_regions), regions) if regions is not None else np.ones(n_regions)
    cols = np.isin(np.arange(n_sectors), sectors) if sectors else np.ones(n_sectors)
    return np.outer(rows, cols).ravel() > 0


def _pitch_rule(m: AttractionModel) -> tuple[float, int]:
    """Probability that a pitch starts a search, and the months a search lasts."""
    b = m.spec.behaviour
    return float(b.pitch_trigger), int(b.search_months)


def _trigger_salts(m: AttractionModel) -> np.ndarray:
    """The salts of pitch draws (purpose TRIGGER) of every month (rows) and city (columns)."""
    return m.streams.table(Purpose.TRIGGER, m.horizon + 1, len(m.world.city_ids))


# ------------------------------------------------------------------ arguments for a run
def offices_args(m: AttractionModel) -> tuple:
    """What :func:`offices_step` reads and writes, built once per run (see its ``args``).

    The directories of the offices' cities are built here.
    """
    return m.kept("offices", lambda: _offices_args(m))


def _offices_args(m: AttractionModel) -> tuple:
    """:func:`offices_args`, built."""
    listed = m.active_offices if m.spec.mechanisms.outreach else []
    plan = Offices(m, listed)
    return (
        plan.fields, m.directories.group, m.directories.priority,
        float(m.spec.behaviour.lead_targeting), m.policy.professionalism, m.firms.excluded,
        _trigger_salts(m), _pitch_rule(m), m._learners, plan.most_visits,
        m.office_cost_per_month, m.cities.outreach_cost,
    )


def agents_args(m: AttractionModel) -> tuple:
    """What :func:`agents_step` reads and writes, built once per run (see its ``args``).

    The directories of the cities with agents are built here.
    """
    return m.kept("agents", lambda: _agents_args(m))


def _agents_args(m: AttractionModel) -> tuple:
    """:func:`agents_args`, built."""
    pol, b = m.policy, m.spec.behaviour
    hired = (pol.agents > 0) & pol.proactive & bool(m.spec.mechanisms.outreach)
    effort = np.where(pol.pay_on_results, 1.0, b.retainer_effort)
    rate = pol.agents * pol.agent_contacts * effort
    cities = np.flatnonzero(hired)
    return (
        cities, (rate, b.agent_lead_share * effort), Agents(m, cities).fields,
        m.directories.priority, m.firms.excluded, _trigger_salts(m), _pitch_rule(m),
        m._learners, int(np.ceil(rate[cities]).sum()), hired & ~pol.pay_on_results,
        pol.agents * pol.retainer, m.cities.outreach_cost,
    )


def passive_args(m: AttractionModel) -> tuple:
    """What :func:`passive_step` reads and writes, built once per run (see its ``args``)."""
    p = 1.0 - m.spec.world.information_friction * (1.0 - m.policy.visibility)
    return m.kept("passive", lambda: (
        p, m.streams.table(Purpose.PASSIVE, m.horizon + 1, len(p)), m.firms.excluded,
        _pitch_rule(m), m._learners,
    ))


def referral_args(m: AttractionModel) -> tuple:
    """What :func:`refer` reads and writes, built once per run (see its ``args``).

    The directories of the cities that use referrals are built here.
    """
    return m.kept("referrals", lambda: _referral_args(m))


def _referral_args(m: AttractionModel) -> tuple:
    """:func:`referral_args`, built."""
    f, sc, directories = m.firms, m.spec.supply_chain, m.directories
    directories.build(np.flatnonzero(m.policy.referrals))
    weights = (float(sc.suppliers), float(sc.customers), max(float(sc.same_sector), 1e-9))
    months = m.horizon + 1
    return (
        m.policy.referrals, m.streams.table(Purpose.REFERRAL_TARGET, months),
        m.streams.table(Purpose.REFERRAL_PARTNER, months), _referral_cdf(m.world.io, *weights),
        directories.order, directories.bounds, (f.city, f.region, f.sector, f.excluded),
        _trigger_salts(m), _pitch_rule(m), m._learners,
    )


# ------------------------------------------------------------------ channels
def reach(
    m: AttractionModel,
    city: int,
    key: tuple,
    regions: list[int] | None,
    sectors: list[int] | None,
    k: int,
    lead_share: float,
    channel: Channel,
) -> np.ndarray:
    """Contact ``k`` firms for a city: a share of leads, the rest in priority order.

    Args:
        m: The model.
        city: City index.
        key: The channel's key for its pointer in the city's directory.
        regions: The channel's regions (all when None).
        sectors: The channel's sectors (all when None or empty).
        k: Number of contacts.
        lead_share: Share of them spent on leads (see :func:`_contacts`).
        channel: The channel, by which they learn of the city.

    Returns:
        The contacted firms.
    """
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    f = m.firms
    directory = m.directory(city)
    ids, directory.pointers[key] = _contacts(
        m.searchers(), _group_lookup(m, regions, sectors), directory.group,
        round(k * lead_share), directory.priority, directory.ordering(regions, sectors),
        directory.pointers.get(key, 0), k, city, f.known, f.stage, f.excluded, 0,
    )
    m.inform(ids, city, channel)
    return ids


def conferences(m: AttractionModel) -> None:
    """Promotion conferences held this month bring invitees, who may declare intentions."""
    from .choice import choose

    if not m.spec.mechanisms.outreach:
        return
    for conf in m.conferences_by_month.get(m.month, []):
        city = conf["city"]
        if not m.policy.proactive[city]:
            continue
        if not m.spec.governments[m.world.city_ids[city]].outreach.conferences:
            continue
        ids = reach(
            m,
            city,
            ("conference", conf["id"]),
            [conf["region"]],
            conf["sectors"],
            conf["invitees"],
            m.spec.behaviour.conference_lead_share,
            Channel.CONFERENCE,
        )
        m.cities.outreach_cost[city] += m.policy.conference_cost[city]
        deciding = ids[m.searching(ids) & m.firms.needs_choice[ids]]
        m.firms.needs_choice[deciding] = False
        choose(m, deciding, direct_city=city)
        declared = (m.firms.stage[deciding] == Stage.NEGOTIATING) & (m.firms.city[deciding] == city)
        m.conference_results[conf["id"]] = {
            "date": m.world.date(m.month),
            "attendees": len(ids),
            "intentions": int(declared.sum()),
        }


