"""Selections over the active firms, each in one compiled pass.

The month's mechanisms ask again and again which active firms are searching, in a pipeline
or operating; each question is one loop over the active set here instead of several NumPy
calls (a gather per column, comparisons and a mask).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .streams import uniform_at


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


@njit(cache=True)
def still_active(
    active: np.ndarray,
    stage: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    month: int,
    aware: int,
    low: int,
    high: int,
) -> np.ndarray:
    """Whether each active firm stays active: in a deal or operating, or still searching."""
    out = np.empty(active.size, dtype=np.bool_)
    for k in range(active.size):
        i = active[k]
        s = stage[i]
        out[k] = (low <= s <= high) or (s <= aware and start[i] <= month < end[i])
    return out


@njit(cache=True)
def pitched(
    ids: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    month: int,
    salt: np.uint64,
    probability: float,
) -> np.ndarray:
    """Firms that a pitch prompts to start looking, in their order.

    Those of ``ids`` not searching in ``month`` whose keyed draw under ``salt`` (see
    :meth:`KeyedStreams.salt`) is below ``probability``.
    """
    out = np.empty(ids.size, dtype=np.int64)
    n = 0
    for i in ids:
        if not (start[i] <= month < end[i]) and uniform_at(salt, np.uint64(i)) < probability:
            out[n] = i
            n += 1
    return out[:n]


@njit(cache=True)
def newly_active(ids: np.ndarray, is_active: np.ndarray) -> np.ndarray:
    """Firms of ``ids`` not active yet, each once and in ascending order; marks them active."""
    out = np.empty(ids.size, dtype=np.int64)
    n = 0
    for i in ids:
        if not is_active[i]:
            is_active[i] = True
            out[n] = i
            n += 1
    out = out[:n]
    out.sort()
    return out


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
