"""What the outreach channels share: which firms a city can still approach and contacts.

Kernels take the firm table's columns as arrays: ``known`` (firm, city) -> channel code with
0 = unknown, ``stage``, ``excluded`` (firm, city), ``region``, ``sector`` and ``city``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numba import njit

from ...state.codes import Stage
from ...state.streams import Purpose, uniform_at
from ..awareness import Pitch

if TYPE_CHECKING:
    from ...model import AttractionModel

# plain ints, so that kernels see compile-time constants
_AWARE = int(Stage.AWARE)


@njit(cache=True, inline="always")
def approachable(known: int, stage: int, excluded: bool) -> bool:
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
        if not approachable(known[firm, city], stage[firm], excluded[firm, city]):
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
        if approachable(known[firm, city], stage[firm], excluded[firm, city]):
            out[n] = firm
            n += 1
        i += 1
    return out[:n], i


@njit(cache=True)
def channel_contacts(
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
    return then_in_order(hot, ordering, start, k, city, known, stage, excluded, mark)


@njit(cache=True, inline="always")
def then_in_order(
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
        mark: Channel code to mark the contacts with in ``known`` (see :func:`channel_contacts`).

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
def grown(values: np.ndarray, n: int) -> np.ndarray:
    """A copy of ``values`` with its first ``n`` entries and room for as many more."""
    out = np.empty(2 * values.size, dtype=values.dtype)
    out[:n] = values[:n]
    return out


@njit(cache=True, inline="always")
def due(rate: float, month: int) -> int:
    """Whole contacts due this month at a fractional monthly rate (carried over)."""
    return math.floor((month + 1) * rate) - math.floor(month * rate)


#: Columns of the LEAD salt table (:func:`lead_salts`): whose lead counts are drawn.
OFFICE_LEADS, AGENT_LEADS = 0, 1


@njit(cache=True, inline="always")
def leads_due(expected: float, salt: np.uint64, key: int) -> int:
    """Whole leads a channel looks for this month, ``expected`` on average.

    Stochastic rounding with a keyed uniform ``u`` (``floor(expected + u)``): the count is
    ``expected`` rounded up with probability equal to its fraction, so a small change of the
    levers behind ``expected`` changes the count in a few months, not all months or none (the
    step function of ``round``), and in both arms of a paired comparison the same months round
    the same way.

    Args:
        expected: Expected leads (visits times the share spent on leads).
        salt: Salt of this month's LEAD draws of the channel (:func:`lead_salts`).
        key: The office (or the city of the agents) drawing.
    """
    return math.floor(expected + uniform_at(salt, np.uint64(key)))


def lead_salts(m: AttractionModel) -> np.ndarray:
    """Salts of lead-count draws (purpose LEAD): a row per month, a column per channel.

    Column ``OFFICE_LEADS`` is keyed by office, ``AGENT_LEADS`` by city.
    """
    return m.streams.table(Purpose.LEAD, m.horizon + 1, 2)


@njit(cache=True, inline="always")
def city_pitch(month: int, salt: np.uint64, rule: tuple) -> Pitch:
    """The pitch of one city this month (``rule``: the fields of :class:`PitchRule`)."""
    r = PitchRule(*rule)
    return Pitch(month, salt, r.probability, r.search_months)


def group_lookup(m: AttractionModel, regions, sectors) -> np.ndarray:
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


class PitchRule(NamedTuple):
    """How a pitch may start a firm's search (fixed for a run)."""

    probability: float  # that a pitch starts a search
    search_months: int  # how long a search lasts


def pitch_rule(m: AttractionModel) -> tuple:
    """The fields of the run's :class:`PitchRule`."""
    b = m.spec.behaviour
    return tuple(
        PitchRule(probability=float(b.pitch_trigger), search_months=int(b.search_months))
    )


def trigger_salts(m: AttractionModel) -> np.ndarray:
    """The salts of pitch draws (purpose TRIGGER) of every month (rows) and city (columns)."""
    return m.streams.table(Purpose.TRIGGER, m.horizon + 1, len(m.world.city_ids))
