"""Aftercare and retention: satisfaction, exits, reinvestment and referrals.

Each month an operating firm's satisfaction moves towards a target set by aftercare and
service, its supply-chain partners in the park, informal fees and fines, and whether the
promises made to it were kept. Low satisfaction raises the exit hazard; satisfaction above
``satisfied_level`` brings reinvestment and referrals (business attracts business).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from . import land, outreach
from .codes import Cause, Stage
from .streams import Purpose

if TYPE_CHECKING:
    from .model import AttractionModel


def monthly(annual: float) -> float:
    """Convert an annual probability into the monthly one with the same yearly total."""
    return 1.0 - (1.0 - min(annual, 1.0)) ** (1.0 / 12.0)


def target_satisfaction(m: AttractionModel, ids: np.ndarray) -> np.ndarray:
    """The level each tenant's satisfaction moves towards."""
    b = m.spec.behaviour
    f = m.firms
    city = f.city[ids]
    pol = m.policy
    cluster = np.minimum(m.terms.cluster[f.park[ids], f.sector[ids]], 1.0)
    target = (
        b.satisfaction_base
        + b.satisfaction_aftercare * pol.aftercare[city]
        + b.satisfaction_service * pol.service[city]
        + b.satisfaction_cluster * cluster
        - b.satisfaction_fees * pol.fee[city]
        - b.broken_promise_shock * f.promise_broken[ids]
    )
    return np.clip(target, 0.0, 1.0)


def update(m: AttractionModel) -> None:
    """Update satisfaction, then draw exits, reinvestments and referrals."""
    if not m.spec.mechanisms.retention:
        return
    b = m.spec.behaviour
    f = m.firms
    ids = m.tenants()
    if len(ids) == 0:
        return
    s = f.satisfaction[ids]
    s = s + b.satisfaction_speed * (target_satisfaction(m, ids) - s)
    f.satisfaction[ids] = s
    hazard = monthly(b.exit_hazard) * np.exp(b.exit_sensitivity * (0.5 - s))
    leaving = m.streams.uniform(Purpose.EXIT, ids, m.month) < hazard
    exit_firms(m, ids[leaving])
    ids, s = ids[~leaving], s[~leaving]
    keen = np.clip((s - b.satisfied_level) / max(1.0 - b.satisfied_level, 1e-9), 0.0, 1.0)
    grow = m.streams.uniform(Purpose.REINVEST, ids, m.month) < monthly(b.reinvest_hazard) * keen
    reinvest(m, ids[grow])
    refer = (s > b.satisfied_level) & (
        m.streams.uniform(Purpose.REFERRAL, ids, m.month) < min(b.referral_rate, 1.0)
    )
    outreach.referrals(m, ids[refer])


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
    np.add.at(m.parks.tenants, (f.park[ids], f.sector[ids]), -1)
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
