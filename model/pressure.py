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

from .codes import Cause, Channel, Stage

if TYPE_CHECKING:
    from .model import AttractionModel


@njit(cache=True)
def _free_to_search(
    ids: np.ndarray,
    month: int,
    columns: tuple[np.ndarray, np.ndarray, np.ndarray],
    aware: int,
) -> np.ndarray:
    """The firms of ``ids`` in no deal (stage at most ``aware``) and not searching this month.

    Searching is as in :meth:`AttractionModel.searching`: ``search_start <= month <
    search_end``.

    Args:
        ids: Candidate firms.
        month: The current month.
        columns: The firm columns stage, search_start and search_end.
        aware: Stage code of AWARE.
    """
    stage, search_start, search_end = columns
    free = np.empty(ids.size, dtype=np.int64)
    n = 0
    for j in ids:
        if stage[j] <= aware and not (search_start[j] <= month < search_end[j]):
            free[n] = j
            n += 1
    return free[:n]


def start_searches(m: AttractionModel) -> None:
    """Start the search of every firm whose relocation month is now."""
    ptr = m.minded_ptr
    end = int(np.searchsorted(m.minded_sorted, m.month, side="right"))
    if end == ptr:
        return  # nobody becomes relocation-minded this month
    m.minded_ptr = end
    f = m.firms
    columns = (f.stage, f.search_start, f.search_end)
    ids = _free_to_search(m.minded_order[ptr:end], m.month, columns, int(Stage.AWARE))
    begin_search(m, ids)


def begin_search(m: AttractionModel, ids: np.ndarray) -> None:
    """Make firms relocation-minded from this month for ``search_months``."""
    if len(ids) == 0:
        return
    f = m.firms
    f.search_start[ids] = m.month
    f.search_end[ids] = m.month + m.spec.behaviour.search_months
    f.needs_choice[ids] = True
    m.activate(ids)


@njit(cache=True)
def _searches_ending(
    active: np.ndarray, month: int, stage: np.ndarray, search_end: np.ndarray, aware: int
) -> np.ndarray:
    """The active firms still only aware (no deal) whose search ends after this month.

    Selected without branches so that the loads of many firms overlap.

    Args:
        active: The active firms.
        month: The current month.
        stage: The firms' stage column.
        search_end: The month each firm's search ends (exclusive).
        aware: Stage code of AWARE.
    """
    done = np.empty(active.size, dtype=np.int64)
    n = 0
    for j in active:
        done[n] = j
        n += (search_end[j] == month + 1) & (stage[j] == aware)
    return done[:n].copy()


def end_searches(m: AttractionModel) -> None:
    """Firms whose search ends this month and that found no deal stay home."""
    f = m.firms
    done = _searches_ending(m.active, m.month, f.stage, f.search_end, int(Stage.AWARE))
    if len(done):
        m.log(done, Stage.AWARE, Stage.LOST, -1, -1, Channel.NONE, Cause.STAYED_HOME)
        f.stage[done] = Stage.LOST
