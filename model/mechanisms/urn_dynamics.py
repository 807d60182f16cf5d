"""The birth-death urn: a fixed population in which one firm exits and one enters at a time.

Switched on by ``world.dynamics = "birth_death"`` (a validation case, with the pipeline idle).
In the first month ``world.population`` (N) candidate firms are placed in the parks in turn
(firm k in park k mod P). Then, ``world.replacements_per_month`` times a month, a tenant drawn
uniformly at random exits and the next unused candidate firm enters park ``l`` with
probability proportional to ``a_l + b n_l``, where ``n_l`` counts the tenants after the exit,
``a_l`` is the park's ``urn_weight`` and ``b`` is ``world.urn_increment``.

Detailed balance shows that the stationary law of the counts is Dirichlet-multinomial with
N trials and parameters ``a_l / b``: moving a firm from ``i`` to ``j`` has probability
proportional to ``n_i (a_j + b n_j)`` and the reverse move ``(n_j + 1)(a_i + b (n_i - 1))``,
whose ratio equals ``pi(n') / pi(n)`` under that law.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ...scenarios.errors import ScenarioError
from ..state.codes import Cause, Channel, Stage
from ..state.streams import Purpose
from .choice import urn_weights

if TYPE_CHECKING:
    from ..model import AttractionModel

#: Extra key separating the birth-death draws from the location-choice urn's.
STREAM_KEY = 1


@dataclass
class Population:
    """Who occupies the N places, and the next candidate to enter."""

    occupants: np.ndarray  # (N,) firm ids of the current tenants
    parks: np.ndarray  # (N,) their parks
    next_firm: int


def required_pool(population: int, months: int, per_month: int) -> int:
    """Candidate firms the birth-death urn needs: the start plus one entrant per replacement."""
    return population + months * per_month


def step(m: AttractionModel) -> None:
    """Run this month's replacements of the birth-death urn (nothing under the pipeline)."""
    w = m.spec.world
    if w.dynamics != "birth_death":
        return
    if m.month == 0:
        _place(m)
    state: Population = m.birth_death
    k = w.replacements_per_month
    if k == 0 or len(state.occupants) == 0:
        return
    prior, b = urn_weights(m), w.urn_increment
    counts = np.bincount(state.parks, minlength=len(prior)).astype(float)
    u_exit = m.streams.uniform(Purpose.EXIT, np.arange(k), m.month, STREAM_KEY)
    entrants = np.arange(state.next_firm, state.next_firm + k)
    u_enter = m.streams.uniform(Purpose.URN, entrants, m.month, STREAM_KEY)
    n = len(state.occupants)
    leavers = np.empty(k, dtype=np.int64)
    parks = np.empty(k, dtype=np.int64)
    last = len(prior) - 1
    for r in range(k):
        slot = min(int(u_exit[r] * n), n - 1)
        leavers[r] = state.occupants[slot]
        counts[state.parks[slot]] -= 1
        weights = np.cumsum(prior + b * counts)
        parks[r] = min(int(np.searchsorted(weights / weights[-1], u_enter[r], "right")), last)
        counts[parks[r]] += 1
        state.occupants[slot] = entrants[r]
        state.parks[slot] = parks[r]
    state.next_firm += k
    _enter(m, entrants, parks, Cause.CHOSE)  # entries first: an entrant may leave this month
    _exit(m, leavers)


def _place(m: AttractionModel) -> None:
    """Place the starting population in the parks in turn (a start away from stationarity)."""
    w = m.spec.world
    need = required_pool(w.population, m.horizon, w.replacements_per_month)
    if m.firms.n_pool < need:
        raise ScenarioError(
            f"the birth-death urn needs at least {need} candidate firms (world.population "
            f"{w.population} + {m.horizon} months x {w.replacements_per_month} replacements), "
            f"but pool.firms is {m.firms.n_pool}",
            path="pool.firms",
        )
    ids = np.arange(w.population)
    parks = ids % len(m.world.park_ids)
    _enter(m, ids, parks, Cause.SEEDED)
    m.birth_death = Population(occupants=ids.copy(), parks=parks, next_firm=w.population)


def _enter(m: AttractionModel, ids: np.ndarray, parks: np.ndarray, cause: Cause) -> None:
    """Make firms operating tenants of ``parks``."""
    if len(ids) == 0:
        return
    f = m.firms
    city = m.world.park_city[parks]
    m.log(ids, f.stage[ids], Stage.OPERATING, parks, city, Channel.NONE, cause)
    f.stage[ids] = Stage.OPERATING
    f.park[ids] = parks
    f.city[ids] = city
    f.entered[ids] = m.month
    np.add.at(m.parks.tenants, (parks, f.sector[ids]), 1)
    m.activate(ids)


def _exit(m: AttractionModel, ids: np.ndarray) -> None:
    """Tenants leave their parks (an exit of the urn, not a dissatisfied one)."""
    f = m.firms
    park, city = f.park[ids], f.city[ids]
    m.log(ids, Stage.OPERATING, Stage.EXITED, park, city, Channel.NONE, Cause.REPLACED)
    np.add.at(m.parks.tenants, (f.park[ids], f.sector[ids]), -1)
    f.stage[ids] = Stage.EXITED
