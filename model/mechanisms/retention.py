"""Aftercare and retention: satisfaction, exits, reinvestment and referrals.

Each month an operating firm's satisfaction moves towards a target set by aftercare and
service, its supply-chain partners in the park, informal fees and fines, and whether the
promises made to it were kept. Low satisfaction raises the exit hazard; satisfaction above
``satisfied_level`` brings reinvestment and referrals (business attracts business).

One compiled call a month (:func:`step`) moves every tenant's satisfaction, draws its three
decisions (:func:`_decide`), then applies the exits (:func:`_leave`) and the reinvestments
(:func:`_grow`) in that order; the referrers go on to ``outreach.refer`` in the same call.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numba import njit

from ..plain import plain
from ..state.codes import Cause, Stage
from ..state.events import Ledger, lacks_room, record
from ..state.selection import Activity, in_stages
from ..state.streams import Purpose, uniform_at
from . import outreach
from .land import release_firm
from .outreach.referrals import referral_probability

if TYPE_CHECKING:
    from ..model import AttractionModel

_OPERATING, _EXITED = int(Stage.OPERATING), int(Stage.EXITED)
_DISSATISFIED = int(Cause.DISSATISFIED)
_DRAWS = (Purpose.EXIT, Purpose.REINVEST, Purpose.REFERRAL)  # the month's keyed decisions


def monthly(annual: float) -> float:
    """Convert an annual probability into the monthly one with the same yearly total."""
    return 1.0 - (1.0 - min(annual, 1.0)) ** (1.0 / 12.0)


class _Rules(NamedTuple):
    """The behaviour parameters of retention, in the form the kernels use them."""

    base: float  # satisfaction of a firm with no aftercare, service, cluster, fees or shock
    aftercare: float  # weight of the city's aftercare
    service: float  # weight of the city's service quality
    cluster: float  # weight of the (capped) cluster benefit of the firm's park and sector
    fees: float  # weight of the city's informal fee share
    broken_promise: float  # satisfaction lost while a promise to the firm is broken
    speed: float  # monthly share of the gap to the target that satisfaction closes
    exit_hazard: float  # monthly exit probability at satisfaction 0.5
    peak_exit_hazard: float  # a bound on the exit probability at any satisfaction in [0, 1]
    exit_sensitivity: float  # log-hazard of exit per unit of satisfaction below 0.5
    satisfied_level: float  # satisfaction above which tenants reinvest and refer
    keen_span: float  # satisfaction range over which keenness to reinvest rises to 1
    reinvest_hazard: float  # monthly reinvestment probability of a fully keen firm
    referral_rate: float  # monthly referral probability of a satisfied firm
    reinvest_share: float  # growth of investment, jobs, output and taxes per reinvestment
    referral_spread: float  # width of the rise of referrals with satisfaction (``referrals``)


def _rules(m: AttractionModel) -> _Rules:
    """The retention parameters of ``m``'s scenario (monthly rates)."""
    b = m.spec.behaviour
    exit_hazard = monthly(b.exit_hazard)
    return _Rules(
        base=b.satisfaction_base,
        aftercare=b.satisfaction_aftercare,
        service=b.satisfaction_service,
        cluster=b.satisfaction_cluster,
        fees=b.satisfaction_fees,
        broken_promise=b.broken_promise_shock,
        speed=b.satisfaction_speed,
        exit_hazard=exit_hazard,
        peak_exit_hazard=exit_hazard * math.exp(0.5 * abs(b.exit_sensitivity)) * (1.0 + 1e-9),
        exit_sensitivity=b.exit_sensitivity,
        satisfied_level=b.satisfied_level,
        keen_span=max(1.0 - b.satisfied_level, 1e-9),
        reinvest_hazard=monthly(b.reinvest_hazard),
        referral_rate=min(b.referral_rate, 1.0),
        reinvest_share=float(b.reinvest_share),
        referral_spread=float(b.referral_spread),
    )


class _Firms(NamedTuple):
    """The firm columns retention reads and writes (the land ones for ``release_firm``)."""

    stage: np.ndarray
    city: np.ndarray
    park: np.ndarray
    sector: np.ndarray
    channel: np.ndarray
    promise_broken: np.ndarray
    satisfaction: np.ndarray
    investment: np.ndarray
    reinvested: np.ndarray
    employees: np.ndarray
    output: np.ndarray
    tax: np.ndarray
    land_held: np.ndarray
    land_developed: np.ndarray
    in_building: np.ndarray
    idle_since: np.ndarray


class _Places(NamedTuple):
    """City policy and accounts and park state that retention reads and writes."""

    aftercare: np.ndarray  # per city
    service: np.ndarray  # per city
    fee: np.ndarray  # per city, informal fee share
    realized_investment: np.ndarray  # per city (reinvestment adds to it)
    reinvestments: np.ndarray  # per city
    tenants: np.ndarray  # (P, S) operating firms
    land_allocated: np.ndarray  # per park
    buildings_free: np.ndarray  # per park


class Args(NamedTuple):
    """What :func:`step` reads and writes, for the whole run."""

    on: bool  # whether retention is on
    draws: tuple  # salts of the EXIT, REINVEST and REFERRAL draws by month (one column each)
    cluster: np.ndarray  # the month's cluster benefit per park and sector (``m.terms.cluster``)
    rules: tuple  # the fields of _Rules
    firms: tuple  # the fields of _Firms
    places: tuple  # the fields of _Places
    referral: tuple  # the arguments of ``outreach.refer``


def args(m: AttractionModel) -> tuple:
    """The fields of :class:`Args`, built once per run.

    The scenario's parameters do not change within a run, and the firm, policy, city and park
    arrays are updated in place, never replaced (policy levers are fixed per run; broken
    promises change the ``promise_broken`` column). The month's cluster benefit is
    ``m.terms.cluster``, filled in place at the start of every month.
    """
    f, pol, c, p = m.firms, m.policy, m.cities, m.parks
    months = m.horizon + 1
    return m.kept("retention", lambda: plain(Args(
        on=bool(m.spec.mechanisms.retention),
        draws=tuple(m.streams.table(purpose, months) for purpose in _DRAWS),
        cluster=m.terms.cluster,
        rules=_rules(m),
        firms=_Firms(**{name: getattr(f, name) for name in _Firms._fields}),
        places=_Places(
            aftercare=pol.aftercare, service=pol.service, fee=pol.fee,
            realized_investment=c.realized_investment, reinvestments=c.reinvestments,
            tenants=p.tenants, land_allocated=p.land_allocated, buildings_free=p.buildings_free,
        ),
        referral=outreach.referral_args(m),
    )))


@njit(cache=True, inline="always")
def _target_of(rules: _Rules, f: _Firms, places: _Places, cluster: np.ndarray, j: int) -> float:
    """The satisfaction target of firm ``j``, clipped to [0, 1] (cluster benefit capped at 1).

    Args:
        rules: The retention parameters.
        f: The firm columns.
        places: City policy (aftercare, service, fees).
        cluster: This month's cluster benefit per park and sector.
        j: The firm (operating, so with a city and a park).
    """
    c = f.city[j]
    target = (
        rules.base
        + rules.aftercare * places.aftercare[c]
        + rules.service * places.service[c]
        + rules.cluster * min(cluster[f.park[j], f.sector[j]], 1.0)
        - rules.fees * places.fee[c]
        - rules.broken_promise * (1.0 if f.promise_broken[j] else 0.0)
    )
    return min(max(target, 0.0), 1.0)


@njit(cache=True, inline="always")
def _decide(
    tenants: np.ndarray,
    rules: _Rules,
    f: _Firms,
    places: _Places,
    cluster: np.ndarray,
    salts: tuple[np.uint64, np.uint64, np.uint64],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Move each tenant's satisfaction towards its target and draw its decisions.

    A tenant leaves with probability ``exit_hazard * exp(exit_sensitivity * (0.5 - s))``; one
    that stays reinvests with probability ``reinvest_hazard * keen``, where keenness rises from
    0 at ``satisfied_level`` to 1 at full satisfaction, and refers a partner with probability
    ``referral_rate`` if its satisfaction is above ``satisfied_level``. The draws are the keyed
    uniforms of the EXIT, REINVEST and REFERRAL streams for this month. The exit hazard is
    computed only for draws below its peak (the others cannot mean an exit), the other two
    draws only above ``satisfied_level``, and decisions are recorded without branches so that
    the loads of many firms overlap.

    Args:
        tenants: The operating firms.
        rules: The retention parameters.
        f: The firm columns (``satisfaction`` is updated in place).
        places: City policy (aftercare, service, fees).
        cluster: This month's cluster benefit per park and sector.
        salts: Salts of this month's EXIT, REINVEST and REFERRAL draws.

    Returns:
        The tenants that leave, those that reinvest and those that refer, each in the order
        of ``tenants``.
    """
    exit_salt, reinvest_salt, referral_salt = salts
    leaving = np.empty(tenants.size, dtype=np.int64)
    growing = np.empty(tenants.size, dtype=np.int64)
    referring = np.empty(tenants.size, dtype=np.int64)
    n_leaving = n_growing = n_referring = 0
    for j in tenants:
        s = f.satisfaction[j]
        s = s + rules.speed * (_target_of(rules, f, places, cluster, j) - s)
        f.satisfaction[j] = s
        key = np.uint64(j)
        u = uniform_at(exit_salt, key)
        leaves = False
        if u < rules.peak_exit_hazard or not 0.0 <= s <= 1.0:
            leaves = u < rules.exit_hazard * math.exp(rules.exit_sensitivity * (0.5 - s))
        grows = False
        if s > rules.satisfied_level:  # below it keenness is 0: the draw cannot succeed
            keen = min((s - rules.satisfied_level) / rules.keen_span, 1.0)
            grows = uniform_at(reinvest_salt, key) < rules.reinvest_hazard * keen
        refers = uniform_at(referral_salt, key) < referral_probability(
            s, rules.referral_rate, rules.satisfied_level, rules.referral_spread
        )
        leaving[n_leaving] = j
        n_leaving += leaves
        growing[n_growing] = j
        n_growing += grows & ~leaves
        referring[n_referring] = j
        n_referring += refers & ~leaves
    return leaving[:n_leaving], growing[:n_growing], referring[:n_referring]


@njit(cache=True, inline="always")
def _leave(j: int, f: _Firms, places: _Places, log: Ledger) -> None:
    """Firm ``j`` closes or leaves: the event is logged, its jobs go, its land returns."""
    record(log, j, f.stage[j], _EXITED, f.park[j], f.city[j], f.channel[j], _DISSATISFIED)
    places.tenants[f.park[j], f.sector[j]] -= 1
    release_firm(j, f, places)
    f.stage[j] = _EXITED


@njit(cache=True, inline="always")
def _grow(j: int, f: _Firms, places: _Places, share: float) -> None:
    """Satisfied firm ``j`` expands by ``share``: investment, jobs, output and taxes."""
    added = f.investment[j] * share
    f.reinvested[j] += added
    c = f.city[j]
    places.realized_investment[c] += added
    places.reinvestments[c] += 1
    growth = 1.0 + share
    f.employees[j] *= growth
    f.output[j] *= growth
    f.tax[j] *= growth


@njit(cache=True)
def step(month: int, args: tuple, activity: tuple, ledger: tuple) -> int:
    """The month's retention of every tenant: satisfaction, exits, reinvestments, referrals.

    The referrers go on to ``outreach.refer`` in the same call.

    A compiled month (:mod:`zhaoshang.model.month` says what it takes and returns); ``args``
    holds the fields of :class:`Args` (:func:`args`). It returns 0, or the events it needs room
    for (one per active firm, a bound on the exits and the referrals together) if the log lacks
    it.
    """
    a = Args(*args)
    draws, cluster = a.draws, a.cluster
    if not a.on:
        return 0
    act, log = Activity(*activity), Ledger(*ledger)
    if lacks_room(log, act.count[0]):
        return act.count[0]
    r, f, p = _Rules(*a.rules), _Firms(*a.firms), _Places(*a.places)
    salts = (draws[0][month, 0], draws[1][month, 0], draws[2][month, 0])
    tenants = in_stages(act.order[: act.count[0]], f.stage, _OPERATING, _OPERATING)
    leaving, growing, referring = _decide(tenants, r, f, p, cluster, salts)
    for j in leaving:
        _leave(j, f, p, log)
    for j in growing:
        _grow(j, f, p, r.reinvest_share)
    if referring.size:
        outreach.refer(month, referring, a.referral, activity, ledger)
    return 0


