"""Passive inquiries: searching firms learn of cities unprompted, at each city's visibility.

The stronger the information frictions, the less they learn. One compiled call a month
(:func:`passive_step`), its arguments built once per run (:func:`passive_args`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numba import njit

from ...plain import plain
from ...state.codes import Channel, Stage
from ...state.events import Ledger, lacks_room
from ...state.selection import Activity
from ...state.streams import Purpose, uniform_at
from ..awareness import Learners, learn, learners
from .common import approachable, city_pitch, grown, pitch_rule

if TYPE_CHECKING:
    from ...model import AttractionModel

# plain ints, so that kernels see compile-time constants
_AWARE = int(Stage.AWARE)
_PASSIVE = int(Channel.PASSIVE)


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
            if uniform_at(salts[c], np.uint64(firm)) < p[c] and approachable(
                f.known[firm, c], f.stage[firm], excluded[firm, c]
            ):
                if n == firms.size:
                    firms, cities = grown(firms, n), grown(cities, n)
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


@njit(cache=True)
def passive_step(month: int, args: tuple, activity: tuple, ledger: tuple) -> int:
    """Searching firms learn of cities unprompted (:func:`_passive_learners`), city by city.

    The searchers are the same after as before: passive learners are searchers already, stay
    at most aware and are not pitched.

    A compiled month (:mod:`zhaoshang.model.month` says what it takes and returns); ``args``
    holds the fields of :class:`PassiveArgs` (:func:`passive_args`). It returns 0, or the events
    it needs room for (one per learner) if the log lacks it; the learners are drawn before any
    state changes.
    """
    a = PassiveArgs(*args)
    f, act, log = Learners(*a.learners), Activity(*activity), Ledger(*ledger)
    ids, bounds = _passive_learners(
        act.order[: act.count[0]], month, a.p, a.salts[month], f, a.excluded
    )
    if lacks_room(log, ids.size):
        return ids.size
    unpitched = city_pitch(month, np.uint64(0), a.rule)
    for c in range(a.p.size):
        if bounds[c + 1] > bounds[c]:
            learn(ids[bounds[c] : bounds[c + 1]], c, _PASSIVE, f, unpitched, act, log)
    return 0


class PassiveArgs(NamedTuple):
    """What :func:`passive_step` reads and writes, for the whole run."""

    p: np.ndarray  # monthly probability of learning of each city
    salts: np.ndarray  # of its draws by month and city (purpose PASSIVE)
    excluded: np.ndarray  # firm column (n, C)
    rule: tuple  # the fields of ``common.PitchRule`` (passive learners are not pitched)
    learners: tuple  # the fields of ``awareness.Learners``


def passive_args(m: AttractionModel) -> tuple:
    """The fields of :class:`PassiveArgs`, built once per run."""
    p = 1.0 - m.spec.world.information_friction * (1.0 - m.policy.visibility)
    return m.kept("passive", lambda: plain(PassiveArgs(
        p=p, salts=m.streams.table(Purpose.PASSIVE, m.horizon + 1, len(p)),
        excluded=m.firms.excluded, rule=pitch_rule(m), learners=learners(m),
    )))
