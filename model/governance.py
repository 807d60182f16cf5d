"""Policy continuity: official turnover, honoured or broken commitments, credibility.

Each city's leader leaves at a monthly hazard of ``1 / (12 * tenure_years)``. A successor
takes over each commitment of his predecessors (rebates still running, subsidies not yet paid)
with probability ``honour_probability``; a broken promise stops the incentive, hurts the firm's
satisfaction and lowers the city's credibility with every candidate investor. Credibility is
the mean of a Beta belief: a prior worth ``credibility_weight`` promises plus the promises seen
kept and broken, which fade with a three-year memory.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numba import njit

from .codes import Cause, Stage
from .streams import Purpose, uniform_at

if TYPE_CHECKING:
    from .model import AttractionModel

MEMORY_MONTHS = 36.0  # how long observed promises weigh in credibility (assumption)


@njit(cache=True)
def _departures(salt: np.uint64, tenure_years: np.ndarray, turnover: np.ndarray) -> np.ndarray:
    """The cities whose leader leaves this month, in ascending order.

    Args:
        salt: Salt of this month's TURNOVER draws (keyed by city).
        tenure_years: Mean tenure of a leader per city.
        turnover: Whether leaders of each city change at all.
    """
    leaving = np.empty(tenure_years.size, dtype=np.int64)
    n = 0
    for city in range(tenure_years.size):
        hazard = 1.0 / (12.0 * tenure_years[city])
        if turnover[city] and uniform_at(salt, np.uint64(city)) < hazard:
            leaving[n] = city
            n += 1
    return leaving[:n]


def turnover(m: AttractionModel) -> None:
    """Replace leaders at the tenure hazard and let successors honour or break promises."""
    c = m.cities
    c.honoured *= 1.0 - 1.0 / MEMORY_MONTHS
    c.broken *= 1.0 - 1.0 / MEMORY_MONTHS
    if not m.spec.mechanisms.governance:
        return
    salt = m.streams.salt(Purpose.TURNOVER, m.month)
    for city in _departures(salt, m.policy.tenure_years, m.policy.turnover).tolist():
        c.official[city] = c.next_official
        c.next_official += 1
        c.turnovers[city] += 1
        _successor_decides(m, city)


@njit(cache=True)
def _honour_or_break(
    active: np.ndarray,
    city: int,
    month: int,
    columns: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    successor: int,
    honour: float,
    shock: float,
    held_stages: tuple[int, int],
    salt: np.uint64,
) -> tuple[int, np.ndarray]:
    """A new leader of ``city`` honours or breaks each commitment to an active firm.

    A firm holds a commitment if it is in the city's hands (from contract to operation), no
    promise to it has been broken yet, and (once operating) its rebate still runs. The successor
    honours it if the firm's HONOUR draw is below ``honour``: the firm's official becomes
    ``successor``; otherwise the promise is broken and the firm's satisfaction drops by
    ``shock`` (not below 0).

    Args:
        active: The active firms.
        city: The city whose leader changed.
        month: The current month.
        columns: The firm columns city, stage, rebate_until, promise_broken, official and
            satisfaction; the last three are updated in place.
        successor: Id of the new leader.
        honour: Probability that the successor honours a commitment.
        shock: Satisfaction lost by a firm whose promise is broken.
        held_stages: Stage codes of CONTRACT and OPERATING, the first and last stages that
            hold commitments.
        salt: Salt of this month's HONOUR draws.

    Returns:
        The number of commitments honoured and the firms whose promise was broken.
    """
    firm_city, stage, rebate_until, promise_broken, official, satisfaction = columns
    first, operating = held_stages
    broken = np.empty(active.size, dtype=np.int64)
    n_broken = n_kept = 0
    for j in active:
        st = stage[j]
        held = (
            firm_city[j] == city
            and first <= st <= operating
            and not promise_broken[j]
            and (st < operating or rebate_until[j] > month)
        )
        if not held:
            continue
        if uniform_at(salt, np.uint64(j)) < honour:
            official[j] = successor
            n_kept += 1
        else:
            promise_broken[j] = True
            satisfaction[j] = max(satisfaction[j] - shock, 0.0)
            broken[n_broken] = j
            n_broken += 1
    return n_kept, broken[:n_broken].copy()


def _successor_decides(m: AttractionModel, city: int) -> None:
    """The new leader of ``city`` honours or breaks the commitments of his predecessors."""
    f, c = m.firms, m.cities
    kept, broken = _honour_or_break(
        m.active,
        city,
        m.month,
        (f.city, f.stage, f.rebate_until, f.promise_broken, f.official, f.satisfaction),
        int(c.official[city]),
        float(m.policy.honour[city]),
        m.spec.behaviour.broken_promise_shock,
        (int(Stage.CONTRACT), int(Stage.OPERATING)),
        m.streams.salt(Purpose.HONOUR, m.month),
    )
    c.honoured[city] += kept
    c.broken[city] += len(broken)
    c.broken_total[city] += len(broken)
    m.log(
        broken,
        f.stage[broken],
        f.stage[broken],
        f.park[broken],
        city,
        f.channel[broken],
        Cause.PROMISE_BROKEN,
    )
