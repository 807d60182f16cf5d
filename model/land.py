"""Land: allocation at signing, hoarding, idle-land fees and reclamation.

A construction contract takes land from the park (or a ready standard factory building). When
land is scarce the month's signers are served first come, first served (negotiated
allocation) or ranked by tax per hectare (merit). A park without free land turns investors
away. Some firms hoard: they develop only part of their land. Under enforcement the idle part
is charged a fee (a share of the land price) after ``fee_after_months`` and reclaimed after
``reclaim_after_months`` (the 2012 rule: 20% after one year, reclamation after two).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .codes import Cause, Stage
from .firms import NEVER
from .streams import Purpose

if TYPE_CHECKING:
    from .model import AttractionModel

BUILDING_MAX_HA = 2.0  # largest land need a standard factory building can house (assumption)
__all__ = ["NEVER", "develop", "enforce", "release", "sign_contracts"]


def allocation_order(m: AttractionModel, ids: np.ndarray) -> np.ndarray:
    """Order in which this month's signers are served, by each city's allocation rule."""
    f = m.firms
    first_come = m.streams.uniform(Purpose.ALLOCATE, ids, m.month)
    per_ha = f.tax[ids] / np.maximum(f.land_need[ids], 1e-9)
    merit = m.policy.merit[f.city[ids]]
    key = np.where(merit, -per_ha, first_come)
    return ids[np.argsort(key, kind="stable")]


def sign_contracts(m: AttractionModel, ids: np.ndarray) -> None:
    """Sign construction contracts: allocate land or a building, record the commitments."""
    if len(ids) == 0:
        return
    f, parks = m.firms, m.parks
    unlimited = m.spec.world.capacity == "unlimited"
    order = allocation_order(m, ids)
    free = parks.land_free.tolist()
    buildings = parks.buildings_free.tolist()
    served, turned, housed = [], [], []
    for i, p, need in zip(order.tolist(), f.park[order].tolist(), f.land_need[order].tolist(),
                          strict=True):
        if buildings[p] > 0 and need <= BUILDING_MAX_HA:
            buildings[p] -= 1
            housed.append(i)
        elif unlimited or free[p] >= need:
            free[p] -= need
            served.append(i)
        else:
            turned.append(i)
    housed_ids = np.array(housed, dtype=np.int64)
    f.in_building[housed_ids] = True
    np.add.at(parks.buildings_free, f.park[housed_ids], -1)
    landed = np.array(served, dtype=np.int64)
    f.land_held[landed] = f.land_need[landed]
    np.add.at(parks.land_allocated, f.park[landed], f.land_need[landed])
    served = housed + served
    from .pipeline import fail, move

    turned_ids = np.array(turned, dtype=np.int64)
    np.add.at(parks.turned_away, f.park[turned_ids], 1)
    fail(m, turned_ids, Stage.LOST, Cause.NO_LAND)
    ids = np.array(served, dtype=np.int64)
    if len(ids) == 0:
        return
    move(m, ids, Stage.CONTRACT, Cause.CONVERTED, "approval")
    city = f.city[ids]
    f.official[ids] = m.cities.official[city]
    price = m.terms.price[f.park[ids]]
    discount = f.land_held[ids] * 1e4 * price * m.policy.land_discount[city]
    np.add.at(m.cities.incentives, city, discount)
    np.add.at(m.cities.contracted_investment, city, f.investment[ids])
    agent_paid = (f.channel[ids] == 4) & m.policy.pay_on_results[city]
    np.add.at(m.cities.outreach_cost, city, agent_paid * m.policy.agent_fee[city])
    b = m.spec.behaviour
    deterred = m.policy.enforcement[city] * b.hoard_deterrence
    linked = np.where(m.policy.performance_linked[city], 0.5, 1.0)
    p_hoard = b.hoarding * (1 - deterred) * linked if m.spec.mechanisms.land else 0.0
    f.hoarder[ids] = (m.streams.uniform(Purpose.HOARD, ids) < p_hoard) & ~f.in_building[ids]


def release(m: AttractionModel, ids: np.ndarray) -> None:
    """Give a firm's land or building back to its park."""
    f, parks = m.firms, m.parks
    held = f.land_held[ids] > 0
    np.add.at(parks.land_allocated, f.park[ids[held]], -f.land_held[ids[held]])
    building = f.in_building[ids]
    np.add.at(parks.buildings_free, f.park[ids[building]], 1)
    f.land_held[ids] = 0.0
    f.land_developed[ids] = 0.0
    f.in_building[ids] = False
    f.idle_since[ids] = NEVER


def develop(m: AttractionModel, ids: np.ndarray) -> None:
    """At the start of operation, firms develop their land (hoarders only part of it)."""
    f = m.firms
    share = np.where(f.hoarder[ids], 1.0 - m.spec.behaviour.hoard_share, 1.0)
    f.land_developed[ids] = f.land_held[ids] * share
    f.idle_since[ids] = np.where(f.land_held[ids] > f.land_developed[ids] + 1e-12, m.month, NEVER)


def idle_ha(m: AttractionModel, ids: np.ndarray) -> np.ndarray:
    """Idle land of each firm (ha)."""
    return m.firms.land_held[ids] - m.firms.land_developed[ids]


def enforce(m: AttractionModel) -> None:
    """Charge idle-land fees and reclaim land idle for too long, where cities enforce."""
    if not m.spec.mechanisms.land:
        return
    f = m.firms
    ids = m.tenants()
    ids = ids[f.idle_since[ids] < NEVER]
    if len(ids) == 0:
        return
    city = f.city[ids]
    on = m.policy.enforcement[city]
    idle_for = m.month - f.idle_since[ids]
    fee_due = on & ~f.fee_charged[ids] & (idle_for >= m.policy.fee_after[city])
    if fee_due.any():
        fid = ids[fee_due]
        price = m.terms.price[f.park[fid]]
        fee = idle_ha(m, fid) * 1e4 * price * m.policy.idle_fee_share[f.city[fid]]
        np.add.at(m.cities.idle_fees, f.city[fid], fee)
        f.fee_charged[fid] = True
    reclaim = on & (idle_for >= m.policy.reclaim_after[city])
    if reclaim.any():
        rid = ids[reclaim]
        amount = idle_ha(m, rid)
        np.add.at(m.parks.land_allocated, f.park[rid], -amount)
        np.add.at(m.cities.reclaimed_ha, f.city[rid], amount)
        f.land_held[rid] = f.land_developed[rid]
        f.idle_since[rid] = NEVER
