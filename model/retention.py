"""Aftercare and retention: satisfaction, exits, reinvestment and referrals.

Each month an operating firm's satisfaction moves towards a target set by aftercare and
service, its supply-chain partners in the park, informal fees and fines, and whether the
promises made to it were kept. Low satisfaction raises the exit hazard; satisfaction above
``satisfied_level`` brings reinvestment and referrals (business attracts business).

One compiled pass (:func:`_decide`) moves every tenant's satisfaction and draws its three
decisions; exits, reinvestments and referrals then follow in that order.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numba import njit

from . import land, outreach
from .codes import Cause, Stage
from .streams import Purpose, uniform_at

if TYPE_CHECKING:
    from .model import AttractionModel


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
    )


class _Setting(NamedTuple):
    """What a firm's satisfaction target depends on: firm columns and per-city policy."""

    city: np.ndarray  # firm column
    park: np.ndarray  # firm column
    sector: np.ndarray  # firm column
    broken: np.ndarray  # firm column ``promise_broken``
    aftercare: np.ndarray  # per city
    service: np.ndarray  # per city
    fee: np.ndarray  # per city
    cluster: np.ndarray  # cluster benefit per park and sector (this month's terms)


def _setting(m: AttractionModel) -> _Setting:
    """The target inputs of ``m`` this month."""
    f, pol = m.firms, m.policy
    return _Setting(
        f.city,
        f.park,
        f.sector,
        f.promise_broken,
        pol.aftercare,
        pol.service,
        pol.fee,
        m.terms.cluster,
    )


@njit(cache=True, inline="always")
def _target_of(rules: _Rules, setting: _Setting, j: int) -> float:
    """The satisfaction target of firm ``j``, clipped to [0, 1] (cluster benefit capped at 1).

    Args:
        rules: The retention parameters.
        setting: The firm columns and policy the target depends on.
        j: The firm (operating, so with a city and a park).
    """
    c = setting.city[j]
    cluster = min(setting.cluster[setting.park[j], setting.sector[j]], 1.0)
    target = (
        rules.base
        + rules.aftercare * setting.aftercare[c]
        + rules.service * setting.service[c]
        + rules.cluster * cluster
        - rules.fees * setting.fee[c]
        - rules.broken_promise * (1.0 if setting.broken[j] else 0.0)
    )
    return min(max(target, 0.0), 1.0)


@njit(cache=True)
def _targets(ids: np.ndarray, rules: _Rules, setting: _Setting) -> np.ndarray:
    """The satisfaction target of each firm in ``ids`` (see :func:`_target_of`).

    Args:
        ids: Operating firms.
        rules: The retention parameters.
        setting: The firm columns and policy the target depends on.
    """
    out = np.empty(ids.size)
    for i in range(ids.size):
        out[i] = _target_of(rules, setting, ids[i])
    return out


def target_satisfaction(m: AttractionModel, ids: np.ndarray) -> np.ndarray:
    """The level each tenant's satisfaction moves towards."""
    return _targets(np.asarray(ids, dtype=np.int64), _rules(m), _setting(m))


@njit(cache=True)
def _decide(
    tenants: np.ndarray,
    satisfaction: np.ndarray,
    rules: _Rules,
    setting: _Setting,
    salts: tuple[np.uint64, np.uint64, np.uint64],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Move each tenant's satisfaction towards its target and draw its decisions.

    A tenant leaves with probability ``exit_hazard * exp(exit_sensitivity * (0.5 - s))``; one
    that stays reinvests with probability ``reinvest_hazard * keen``, where keenness rises from
    0 at ``satisfied_level`` to 1 at full satisfaction, and refers a partner with probability
    ``referral_rate`` if its satisfaction is above ``satisfied_level``. The draws are the keyed
    uniforms of the EXIT, REINVEST and REFERRAL streams for this month. The exit hazard is
    computed only for draws below its peak (the others cannot mean an exit), and decisions are
    recorded without branches so that the loads of many firms overlap.

    Args:
        tenants: The operating firms (:meth:`AttractionModel.tenants`).
        satisfaction: The firms' satisfaction column, updated in place.
        rules: The retention parameters.
        setting: The firm columns and policy the target depends on.
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
        s = satisfaction[j]
        s = s + rules.speed * (_target_of(rules, setting, j) - s)
        satisfaction[j] = s
        key = np.uint64(j)
        u = uniform_at(exit_salt, key)
        leaves = False
        if u < rules.peak_exit_hazard or not 0.0 <= s <= 1.0:
            leaves = u < rules.exit_hazard * np.exp(rules.exit_sensitivity * (0.5 - s))
        keen = min(max((s - rules.satisfied_level) / rules.keen_span, 0.0), 1.0)
        grows = uniform_at(reinvest_salt, key) < rules.reinvest_hazard * keen
        refers = s > rules.satisfied_level
        refers &= uniform_at(referral_salt, key) < rules.referral_rate
        leaving[n_leaving] = j
        n_leaving += leaves
        growing[n_growing] = j
        n_growing += grows & ~leaves
        referring[n_referring] = j
        n_referring += refers & ~leaves
    return leaving[:n_leaving].copy(), growing[:n_growing], referring[:n_referring]


def update(m: AttractionModel) -> None:
    """Update satisfaction, then draw exits, reinvestments and referrals."""
    if not m.spec.mechanisms.retention:
        return
    f = m.firms
    salts = tuple(
        m.streams.salt(p, m.month) for p in (Purpose.EXIT, Purpose.REINVEST, Purpose.REFERRAL)
    )
    tenants = m.tenants()
    leaving, growing, referring = _decide(tenants, f.satisfaction, _rules(m), _setting(m), salts)
    exit_firms(m, leaving)
    reinvest(m, growing)
    if len(referring):
        outreach.referrals(m, referring)


def exit_firms(m: AttractionModel, ids: np.ndarray) -> None:
    """Firms close or leave: jobs go, land returns to the park."""
    if len(ids) == 0:
        return
    f = m.firms
    m.log(
        ids,
        f.stage[ids],
        Stage.EXITED,
        f.park[ids],
        f.city[ids],
        f.channel[ids],
        Cause.DISSATISFIED,
    )
    for park, sector in zip(f.park[ids].tolist(), f.sector[ids].tolist(), strict=True):
        m.parks.tenants[park, sector] -= 1
    land.release(m, ids)
    f.stage[ids] = Stage.EXITED


def reinvest(m: AttractionModel, ids: np.ndarray) -> None:
    """Satisfied firms expand: more investment, jobs, output and taxes."""
    if len(ids) == 0:
        return
    f = m.firms
    share = m.spec.behaviour.reinvest_share
    added = f.investment[ids] * share
    f.reinvested[ids] += added
    np.add.at(m.cities.realized_investment, f.city[ids], added)
    np.add.at(m.cities.reinvestments, f.city[ids], 1)
    for column in (f.employees, f.output, f.tax):
        column[ids] *= 1.0 + share
