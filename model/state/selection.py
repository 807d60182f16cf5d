"""Selections over the active firms, each in one compiled pass.

The month's mechanisms ask again and again which active firms are searching, in a pipeline
or operating; each question is one loop over the active set here instead of several NumPy
calls (a gather per column, comparisons and a mask).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from .codes import Stage

_AWARE, _INSPECTING, _OPERATING = int(Stage.AWARE), int(Stage.INSPECTING), int(Stage.OPERATING)


@njit(cache=True)
def searching_mask(ids: np.ndarray, start: np.ndarray, end: np.ndarray, month: int) -> np.ndarray:
    """Whether each firm's search window ``[start, end)`` contains ``month``."""
    out = np.empty(ids.size, dtype=np.bool_)
    for k in range(ids.size):
        i = ids[k]
        out[k] = start[i] <= month < end[i]
    return out


@njit(cache=True)
def searchers(
    active: np.ndarray,
    stage: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    month: int,
    aware: int,
) -> np.ndarray:
    """Active firms searching this month and not in any deal (stage at most ``aware``)."""
    out = np.empty(active.size, dtype=np.int64)
    n = 0
    for i in active:
        if stage[i] <= aware and start[i] <= month < end[i]:
            out[n] = i
            n += 1
    return out[:n]


@njit(cache=True)
def in_stages(active: np.ndarray, stage: np.ndarray, low: int, high: int) -> np.ndarray:
    """Active firms whose stage is between ``low`` and ``high`` (inclusive), in their order.

    Selected without branches (write every firm, advance only past the chosen ones), so that
    the loads of many firms' stages overlap.
    """
    out = np.empty(active.size, dtype=np.int64)
    n = 0
    for i in active:
        out[n] = i
        n += (low <= stage[i]) & (stage[i] <= high)
    return out[:n]


class Activity(NamedTuple):
    """The active set as compiled kernels see it (see ``AttractionModel.activity``).

    ``order`` holds the active firms in the order they became active in its first
    ``count[0]`` places; ``is_active`` marks them by firm.
    """

    order: np.ndarray
    count: np.ndarray
    is_active: np.ndarray


def active_count(activity: tuple) -> int:
    """How many firms are active (the count in the fields of :class:`Activity`)."""
    return int(Activity(*activity).count[0])


@njit(cache=True, inline="always")
def stays_active(stage: int, start: int, end: int, month: int) -> bool:
    """Whether a firm stays active after ``month``: in a deal or operating, or still searching.

    Args:
        stage: The firm's stage.
        start: The first month of its search window.
        end: The month its search window ends (exclusive).
        month: The month.
    """
    in_deal_or_operating = _INSPECTING <= stage <= _OPERATING
    return in_deal_or_operating or (stage <= _AWARE and start <= month < end)


@njit(cache=True, inline="always")
def add_active(ids: np.ndarray, act: Activity) -> None:
    """Add the firms of ``ids`` not active yet to the active set, each once, ascending."""
    start = act.count[0]
    n = start
    for i in ids:
        if not act.is_active[i]:
            act.is_active[i] = True
            act.order[n] = i
            n += 1
    act.order[start:n].sort()
    act.count[0] = n


@njit(cache=True)
def activate(ids: np.ndarray, fields: tuple) -> None:
    """:func:`add_active` with the fields of :class:`Activity`."""
    add_active(ids, Activity(*fields))


@njit(cache=True)
def in_city(ids: np.ndarray, city: np.ndarray, c: int) -> np.ndarray:
    """Firms of ``ids`` whose city is ``c``, in their order."""
    out = np.empty(ids.size, dtype=np.int64)
    n = 0
    for i in ids:
        if city[i] == c:
            out[n] = i
            n += 1
    return out[:n]


@njit(cache=True)
def land_by_park(
    ids: np.ndarray, park: np.ndarray, held: np.ndarray, developed: np.ndarray, out: np.ndarray
) -> None:
    """Land developed (``out[0]``) and idle (``out[1]``) per park, summed over ``ids`` in order.

    The sums run over the firms in the order given, as ``np.bincount`` does.
    """
    out[:] = 0.0
    for i in ids:
        out[0, park[i]] += developed[i]
        out[1, park[i]] += held[i]
    for p in range(out.shape[1]):
        out[1, p] -= out[0, p]
