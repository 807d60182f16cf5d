"""Policy continuity: official turnover, honoured or broken commitments, credibility.

Each city's leader leaves at a monthly hazard of ``1 / (12 * tenure_years)``. A successor
takes over each commitment of his predecessors (rebates still running, subsidies not yet paid)
with probability ``honour_probability``; a broken promise stops the incentive, hurts the firm's
satisfaction and lowers the city's credibility with every candidate investor. Credibility is
the mean of a Beta belief: a prior worth ``credibility_weight`` promises plus the promises seen
kept and broken, which fade with a three-year memory (a Beta reputation with forgetting,
Josang and Ismail 2002). Investors learn as promises fall due, not only when a leader
changes: a promise is seen kept when a firm starts operating with its land, approvals and
job subsidy delivered, and again when its tax rebate has run its full term; it is seen broken
when a successor breaks it. So a city whose leaders stay keeps more promises and earns more
credibility (docs/ODD.md, "Credibility").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numba import njit

from ..plain import plain
from ..state.codes import Cause, Channel, Stage
from ..state.events import Ledger, lacks_room, record
from ..state.selection import Activity
from ..state.streams import Purpose, uniform_at

if TYPE_CHECKING:
    from ..model import AttractionModel

MEMORY_MONTHS = 36.0  # how long observed promises weigh in credibility (assumption)
_CONTRACT, _OPERATING = int(Stage.CONTRACT), int(Stage.OPERATING)
_PROMISE_BROKEN = int(Cause.PROMISE_BROKEN)
_INCUMBENT = int(Channel.INCUMBENT)


class _Offices(NamedTuple):
    """Every city's leaders, the promises seen kept and broken, and its levers of governance."""

    official: np.ndarray  # id of the current leader
    turnovers: np.ndarray  # leaders replaced so far
    honoured: np.ndarray  # promises seen kept (fading)
    broken: np.ndarray  # promises seen broken (fading)
    broken_total: np.ndarray  # promises broken so far
    tenure_years: np.ndarray  # mean tenure of a leader
    turnover: np.ndarray  # whether leaders change at all
    honour: np.ndarray  # probability that a successor honours a commitment


class _Holders(NamedTuple):
    """The firm columns read and written when a successor honours or breaks commitments."""

    city: np.ndarray
    stage: np.ndarray
    park: np.ndarray
    channel: np.ndarray
    rebate_until: np.ndarray
    promise_broken: np.ndarray
    official: np.ndarray
    satisfaction: np.ndarray
    entered: np.ndarray


class Args(NamedTuple):
    """What :func:`step` reads and writes, for the whole run."""

    on: bool  # whether governance is on
    fade: float  # monthly fading of the promises seen
    shock: float  # satisfaction lost by a firm whose promise is broken
    turnover_salts: np.ndarray  # of TURNOVER draws (keyed by city), a row per month
    honour_salts: np.ndarray  # of HONOUR draws (keyed by firm), a row per month
    next_official: np.ndarray  # one element: the id of the next new leader (updated)
    offices: tuple  # the fields of _Offices
    holders: tuple  # the fields of _Holders


def args(m: AttractionModel) -> tuple:
    """The fields of :class:`Args`, built once per run.

    Arrays are updated in place, never replaced; the levers are fixed for a run.
    """
    c, pol, f, months = m.cities, m.policy, m.firms, m.horizon + 1
    return m.kept("governance", lambda: plain(Args(
        on=bool(m.spec.mechanisms.governance),
        fade=1.0 - 1.0 / MEMORY_MONTHS,
        shock=float(m.spec.behaviour.broken_promise_shock),
        turnover_salts=m.streams.table(Purpose.TURNOVER, months),
        honour_salts=m.streams.table(Purpose.HONOUR, months),
        next_official=c.next_official,
        offices=_Offices(
            official=c.official, turnovers=c.turnovers, honoured=c.honoured, broken=c.broken,
            broken_total=c.broken_total, tenure_years=pol.tenure_years, turnover=pol.turnover,
            honour=pol.honour,
        ),
        holders=_Holders(**{name: getattr(f, name) for name in _Holders._fields}),
    )))


@njit(cache=True)
def step(month: int, args: tuple, activity: tuple, ledger: tuple) -> int:
    """Fade the promises seen, count those kept, then replace the leaders who leave.

    Under governance, the promises that fell due last month and were kept are seen
    (:func:`_kept_promises`); then each departing city (ascending) gets the next official id
    and its successor honours or breaks the commitments of his predecessors
    (:func:`_honour_or_break`).

    A compiled month (:mod:`zhaoshang.model.month` says what it takes and returns); ``args``
    holds the fields of :class:`Args` (:func:`args`). It returns 0 when the month is done, else
    the events it needs room for (nothing changed).
    """
    a = Args(*args)
    on, fade, shock, next_official = a.on, a.fade, a.shock, a.next_official
    o, f = _Offices(*a.offices), _Holders(*a.holders)
    act, log = Activity(*activity), Ledger(*ledger)
    active = act.order[: act.count[0]]
    if on and lacks_room(log, len(active)):  # an event of every active firm at most
        return len(active)
    for city in range(o.honoured.size):
        o.honoured[city] *= fade
        o.broken[city] *= fade
    if not on:
        return 0
    _kept_promises(active, month, f, o.honoured)
    honour_salt = a.honour_salts[month, 0]
    for city in _departures(a.turnover_salts[month, 0], o.tenure_years, o.turnover):
        o.official[city] = next_official[0]
        next_official[0] += 1
        o.turnovers[city] += 1
        kept, broken = _honour_or_break(
            active, city, month, f, o.official[city], o.honour[city], shock, honour_salt, log
        )
        o.honoured[city] += kept
        o.broken[city] += broken
        o.broken_total[city] += broken
    return 0


@njit(cache=True, inline="always")
def _kept_promises(active: np.ndarray, month: int, f: _Holders, honoured: np.ndarray) -> None:
    """Add to each city's promises seen kept those that fell due last month and held.

    A firm that started operating last month received what its contract promised (land or a
    building, approvals, the job subsidy): one promise kept. A firm whose tax rebate ran its
    full term by last month (a rebate of a positive length) was paid it to the end: another. A
    firm whose promise was broken counts neither, nor does an incumbent (it was promised
    nothing).

    Args:
        active: The active firms (operating firms are active).
        month: The current month.
        f: The firm columns (read only).
        honoured: Promises seen kept, by city (added to).
    """
    for j in active:
        if f.stage[j] != _OPERATING or f.promise_broken[j] or f.channel[j] == _INCUMBENT:
            continue
        started = f.entered[j] == month - 1
        rebate_done = f.rebate_until[j] == month and f.rebate_until[j] > f.entered[j]
        honoured[f.city[j]] += (1.0 if started else 0.0) + (1.0 if rebate_done else 0.0)


@njit(cache=True, inline="always")
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


@njit(cache=True, inline="always")
def _honour_or_break(
    active: np.ndarray,
    city: int,
    month: int,
    f: _Holders,
    successor: int,
    honour: float,
    shock: float,
    salt: np.uint64,
    log: Ledger,
) -> tuple[int, int]:
    """The new leader of ``city`` honours or breaks each commitment to an active firm.

    A firm holds a commitment if it is in the city's hands (from contract to operation), no
    promise to it has been broken yet, and (once operating) its rebate still runs. The successor
    honours it if the firm's HONOUR draw is below ``honour``: the firm's official becomes
    ``successor``; otherwise the promise is broken (an event, in the firm's stage) and the
    firm's satisfaction drops by ``shock`` (not below 0).

    Args:
        active: The active firms.
        city: The city whose leader changed.
        month: The current month.
        f: The firm columns (``promise_broken``, ``official`` and ``satisfaction`` updated).
        successor: Id of the new leader.
        honour: Probability that the successor honours a commitment.
        shock: Satisfaction lost by a firm whose promise is broken.
        salt: Salt of this month's HONOUR draws.
        log: The event log, with room for an event of every active firm.

    Returns:
        The numbers of commitments honoured and broken.
    """
    n_kept = n_broken = 0
    for j in active:
        st = f.stage[j]
        held = (
            f.city[j] == city
            and _CONTRACT <= st <= _OPERATING
            and not f.promise_broken[j]
            and (st < _OPERATING or f.rebate_until[j] > month)
        )
        if not held:
            continue
        if uniform_at(salt, np.uint64(j)) < honour:
            f.official[j] = successor
            n_kept += 1
        else:
            f.promise_broken[j] = True
            f.satisfaction[j] = max(f.satisfaction[j] - shock, 0.0)
            record(log, j, st, st, f.park[j], city, f.channel[j], _PROMISE_BROKEN)
            n_broken += 1
    return n_kept, n_broken
