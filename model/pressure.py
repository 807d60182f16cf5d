"""Relocation pressure: when candidate firms start and stop looking for a new site.

Each firm's month of becoming relocation-minded is drawn at construction from a hazard that
rises with home wages (see :meth:`FirmTable.schedule_minded`); here the model starts the
searches that fall due and closes those whose window has run out. A firm that knew of some
destination but never settled on one stays home (the outside option).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numba import njit

from .awareness import Learners, begin_search
from .codes import Cause, Channel, Stage
from .events import Ledger, record
from .selection import Activity, add_active

if TYPE_CHECKING:
    from .model import AttractionModel

_AWARE, _LOST = int(Stage.AWARE), int(Stage.LOST)
_NONE, _STAYED_HOME = int(Channel.NONE), int(Cause.STAYED_HOME)


@njit(cache=True, inline="always")
def _free_to_search(ids: np.ndarray, month: int, f: Learners) -> np.ndarray:
    """The firms of ``ids`` in no deal (stage at most AWARE) and not searching this month.

    Searching is as in :meth:`AttractionModel.searching`: ``search_start <= month <
    search_end``.

    Args:
        ids: Candidate firms.
        month: The current month.
        f: The firm columns of learners (stage and search window are read).
    """
    free = np.empty(ids.size, dtype=np.int64)
    n = 0
    for j in ids:
        if f.stage[j] <= _AWARE and not (f.search_start[j] <= month < f.search_end[j]):
            free[n] = j
            n += 1
    return free[:n]


@njit(cache=True)
def _start(
    month: int,
    search_months: int,
    due: tuple[int, np.ndarray, np.ndarray],
    learners: tuple,
    activity: tuple,
) -> int:
    """Start the searches falling due this month; the firms join the active set.

    Args:
        month: The current month.
        search_months: How long a search lasts.
        due: The first firm not yet due (a position in the next two), the firms by month of
            becoming relocation-minded, and those months (ascending).
        learners: Fields of :class:`~zhaoshang.model.awareness.Learners` (the search windows
            and ``needs_choice`` are set).
        activity: Fields of :class:`~zhaoshang.model.selection.Activity`.

    Returns:
        The position of the first firm not yet due after this month.
    """
    start, order, minded = due
    end = np.searchsorted(minded, month, side="right")
    if end > start:
        f = Learners(*learners)
        ids = _free_to_search(order[start:end], month, f)
        begin_search(ids, f, month, search_months)
        add_active(ids, Activity(*activity))
    return end


def start_searches(m: AttractionModel) -> None:
    """Start the search of every firm whose relocation month is now."""
    before = int(m.activity[1][0])
    m.minded_ptr = int(_start(
        m.month,
        int(m.spec.behaviour.search_months),
        (m.minded_ptr, m.minded_order, m.minded_sorted),
        m._learners,
        m.activity,
    ))
    if m.firm_agents:
        m._add_agents(before)


@njit(cache=True)
def _end(month: int, stage: np.ndarray, search_end: np.ndarray, activity: tuple,
         ledger: tuple) -> None:
    """Active firms still only aware (no deal) whose search ends after this month stay home.

    Each is logged (AWARE to LOST, no place, no channel, cause STAYED_HOME) and becomes LOST.
    Chosen without branches so that the loads of many firms overlap.

    Args:
        month: The current month.
        stage: The firms' stage column (updated).
        search_end: The month each firm's search ends (exclusive).
        activity: Fields of :class:`~zhaoshang.model.selection.Activity`.
        ledger: Fields of :class:`~zhaoshang.model.events.Ledger`, with room for an event of
            every active firm.
    """
    act, log = Activity(*activity), Ledger(*ledger)
    active = act.order[: act.count[0]]
    done = np.empty(active.size, dtype=np.int64)
    n = 0
    for j in active:
        done[n] = j
        n += (search_end[j] == month + 1) & (stage[j] == _AWARE)
    for j in done[:n]:
        record(log, j, _AWARE, _LOST, -1, -1, _NONE, _STAYED_HOME)
        stage[j] = _LOST


def end_searches(m: AttractionModel) -> None:
    """Firms whose search ends this month and that found no deal stay home."""
    f = m.firms
    m.event_log.reserve(int(m.activity[1][0]))
    _end(m.month, f.stage, f.search_end, m.activity, m.event_log.fields())
