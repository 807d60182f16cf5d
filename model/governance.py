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

from .codes import Cause, Stage
from .streams import Purpose

if TYPE_CHECKING:
    from .model import AttractionModel

MEMORY_MONTHS = 36.0  # how long observed promises weigh in credibility (assumption)


def turnover(m: AttractionModel) -> None:
    """Replace leaders at the tenure hazard and let successors honour or break promises."""
    c = m.cities
    c.honoured *= 1.0 - 1.0 / MEMORY_MONTHS
    c.broken *= 1.0 - 1.0 / MEMORY_MONTHS
    if not m.spec.mechanisms.governance:
        return
    n = len(c.official)
    hazard = 1.0 / (12.0 * m.policy.tenure_years)
    u = m.streams.uniform(Purpose.TURNOVER, np.arange(n), m.month)
    for city in np.flatnonzero((u < hazard) & m.policy.turnover):
        c.official[city] = c.next_official
        c.next_official += 1
        c.turnovers[city] += 1
        _successor_decides(m, int(city))


def _successor_decides(m: AttractionModel, city: int) -> None:
    f = m.firms
    ids = m.active
    held = (
        (f.city[ids] == city)
        & (f.stage[ids] >= Stage.CONTRACT)
        & (f.stage[ids] <= Stage.OPERATING)
        & ~f.promise_broken[ids]
        & ((f.stage[ids] < Stage.OPERATING) | (f.rebate_until[ids] > m.month))
    )
    ids = ids[held]
    if len(ids) == 0:
        return
    kept = m.streams.uniform(Purpose.HONOUR, ids, m.month) < m.policy.honour[city]
    f.official[ids[kept]] = m.cities.official[city]
    broken = ids[~kept]
    f.promise_broken[broken] = True
    f.satisfaction[broken] = np.maximum(
        f.satisfaction[broken] - m.spec.behaviour.broken_promise_shock, 0.0
    )
    m.cities.honoured[city] += kept.sum()
    m.cities.broken[city] += len(broken)
    m.cities.broken_total[city] += len(broken)
    m.log(
        broken,
        f.stage[broken],
        f.stage[broken],
        f.park[broken],
        city,
        f.channel[broken],
        Cause.PROMISE_BROKEN,
    )
