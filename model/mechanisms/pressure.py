"""Relocation pressure: when candidate firms start and stop looking for a new site.

Each firm's month of becoming relocation-minded is drawn at construction from a hazard that
rises with home wages (see :meth:`FirmTable.schedule_minded`); here the model starts the
searches that fall due and closes those whose window has run out. A firm that knew of some
destination but never settled on one stays home (the outside option), as does a firm whose
deal falls through after its window has closed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numba import njit

from ..state.codes import Cause, Channel, Stage
from ..state.events import Ledger, lacks_room, record
from ..state.selection import Activity, add_active, stays_active
from .awareness import Learners, begin_search, learners

if TYPE_CHECKING:
    from ..model import AttractionModel

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


class StartArgs(NamedTuple):
    """What :func:`start_step` reads and writes, for the whole run."""

    search_months: int  # how long a search lasts
    pointer: np.ndarray  # one element: the first firm of ``order`` not yet due (advanced)
    order: np.ndarray  # the firms by month of becoming relocation-minded
    minded: np.ndarray  # those months, ascending
    learners: tuple  # the fields of ``awareness.Learners`` (search windows and
    #   ``needs_choice`` are set)


class EndArgs(NamedTuple):
    """The firm columns :func:`end_step` reads and writes."""

    stage: np.ndarray
    search_start: np.ndarray
    search_end: np.ndarray


def start_args(m: AttractionModel) -> tuple:
    """The fields of :class:`StartArgs`, built once per run.

    The firms by month of becoming relocation-minded and those months are fixed at
    construction; the pointer to the first firm not yet due (``m.minded_ptr``) is a
    one-element array that :func:`start_step` advances.
    """
    return m.kept("start_searches", lambda: tuple(StartArgs(
        search_months=int(m.spec.behaviour.search_months), pointer=m.minded_ptr,
        order=m.minded_order, minded=m.minded_sorted, learners=learners(m),
    )))


@njit(cache=True)
def start_step(month: int, args: tuple, activity: tuple, ledger: tuple) -> int:
    """Start the searches falling due this month; the firms join the active set.

    A compiled month (:mod:`zhaoshang.model.month` says what it takes and returns); ``args``
    holds the fields of :class:`StartArgs` (:func:`start_args`).
    """
    a = StartArgs(*args)
    start = a.pointer[0]
    end = np.searchsorted(a.minded, month, side="right")
    if end > start:
        f = Learners(*a.learners)
        ids = _free_to_search(a.order[start:end], month, f)
        begin_search(ids, f, month, a.search_months)
        add_active(ids, Activity(*activity))
    a.pointer[0] = end
    return 0


def end_args(m: AttractionModel) -> tuple:
    """The fields of :class:`EndArgs`, built once per run."""
    f = m.firms
    return m.kept("end_searches", lambda: tuple(EndArgs(
        stage=f.stage, search_start=f.search_start, search_end=f.search_end
    )))


@njit(cache=True)
def end_step(month: int, args: tuple, activity: tuple, ledger: tuple) -> int:
    """Searches that end after this month without a deal end at home; the active set is pruned.

    Active firms still only aware (no deal) whose search ends after this month, or ended
    before while they were in a deal that has fallen through since, are logged (AWARE to
    LOST, no place, no channel, cause STAYED_HOME) in the order of the active set and become
    LOST, so no city pitches them again. In the same pass the active set keeps, in their
    order, only the other firms that stay active
    (:func:`~zhaoshang.model.state.selection.stays_active`).

    A compiled month (:mod:`zhaoshang.model.month` says what it takes and returns); ``args``
    holds the fields of :class:`EndArgs` (:func:`end_args`). It returns 0, or the events it
    needs room for (one per active firm) if the log lacks it.
    """
    a = EndArgs(*args)
    stage, search_start, search_end = a.stage, a.search_start, a.search_end
    act, log = Activity(*activity), Ledger(*ledger)
    if lacks_room(log, act.count[0]):
        return act.count[0]
    done = np.empty(act.count[0], dtype=np.int64)
    n_done = n_kept = 0
    for k in range(act.count[0]):
        j = act.order[k]
        s = stage[j]
        if s <= _AWARE:
            start, end = search_start[j], search_end[j]
        else:  # in a deal, operating or gone: its search window does not matter
            start = end = month
        ends = (end <= month + 1) & (s == _AWARE)  # also a deal that failed after it ended
        done[n_done] = j
        n_done += ends
        if not ends and stays_active(s, start, end, month):
            act.order[n_kept] = j
            n_kept += 1
        else:
            act.is_active[j] = False
    act.count[0] = n_kept
    for j in done[:n_done]:
        record(log, j, _AWARE, _LOST, -1, -1, _NONE, _STAYED_HOME)
        stage[j] = _LOST
    return 0


