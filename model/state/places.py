"""State of parks and governments as small arrays (one row per park or city)."""

from __future__ import annotations

import numpy as np
from numba import njit

from .world import World


@njit(cache=True, inline="always")
def occupancy_of(allocated: float, total: float) -> float:
    """Allocated share of a park's land; a park without land counts as full."""
    return allocated / total if total > 0 else 1.0


@njit(cache=True, error_model="numpy", inline="always")
def credibility_of(prior: float, weight: float, honoured: float, broken: float) -> float:
    """Posterior mean belief that promises are kept: a Beta prior plus the promises observed.

    Args:
        prior: Prior mean of the belief.
        weight: Weight of the prior, in promises.
        honoured: Promises honoured so far.
        broken: Promises broken so far.
    """
    return (prior * weight + honoured) / (weight + honoured + broken)


@njit(cache=True)
def _occupancies(allocated: np.ndarray, total: np.ndarray) -> np.ndarray:
    """:func:`occupancy_of` of every park."""
    out = np.empty(total.size)
    for p in range(total.size):
        out[p] = occupancy_of(allocated[p], total[p])
    return out


@njit(cache=True, error_model="numpy")
def _credibilities(
    prior: np.ndarray, weight: np.ndarray, honoured: np.ndarray, broken: np.ndarray
) -> np.ndarray:
    """:func:`credibility_of` of every city."""
    out = np.empty(prior.size)
    for c in range(prior.size):
        out[c] = credibility_of(prior[c], weight[c], honoured[c], broken[c])
    return out


class ParkState:
    """Land, buildings and tenants of every park."""

    def __init__(self, world: World):
        self.land_total = world.park_array("land_ha")
        self.land_allocated = np.zeros(len(world.park_ids))
        self.buildings_free = world.park_array("standard_buildings").astype(np.int64)
        self.base_price = world.park_array("land_price_yuan_m2")
        self.infrastructure = world.park_array("infrastructure")
        self.tenants = np.zeros((len(world.park_ids), len(world.sector_ids)))  # operating firms
        self.turned_away = np.zeros(len(world.park_ids), dtype=np.int64)

    @property
    def land_free(self) -> np.ndarray:
        """Unallocated land per park (ha)."""
        return np.maximum(self.land_total - self.land_allocated, 0.0)

    @property
    def occupancy(self) -> np.ndarray:
        """Allocated share of each park's land (:func:`occupancy_of`)."""
        return _occupancies(self.land_allocated, self.land_total)


class CityState:
    """Officials, credibility and fiscal accounts of every government."""

    def __init__(self, world: World):
        n = len(world.city_ids)
        gov = world.scenario.governments
        ids = world.city_ids
        self.prior = np.array([gov[c].governance.credibility_prior for c in ids])
        self.prior_weight = np.array([gov[c].governance.credibility_weight for c in ids])
        self.honoured = np.zeros(n)
        self.broken = np.zeros(n)
        self.official = np.arange(n, dtype=np.int64)  # id of the current leader
        self.next_official = np.array([n], dtype=np.int64)  # id of the next new leader
        self.turnovers = np.zeros(n, dtype=np.int64)
        self.tax = np.zeros(n)
        self.incentives = np.zeros(n)
        self.outreach_cost = np.zeros(n)
        self.idle_fees = np.zeros(n)
        self.broken_total = np.zeros(n, dtype=np.int64)
        self.contracted_investment = np.zeros(n)
        self.realized_investment = np.zeros(n)
        self.reclaimed_ha = np.zeros(n)
        self.reinvestments = np.zeros(n, dtype=np.int64)

    @property
    def credibility(self) -> np.ndarray:
        """Posterior mean belief that promises are kept (:func:`credibility_of`)."""
        return _credibilities(self.prior, self.prior_weight, self.honoured, self.broken)

    @property
    def net_fiscal(self) -> np.ndarray:
        """Tax and fees collected less incentives and outreach spending (yuan, cumulative)."""
        return self.tax + self.idle_fees - self.incentives - self.outreach_cost


class Policy:
    """Every government's levers as arrays indexed by city, read by the mechanisms."""

    def __init__(self, world: World):
        govs = [world.scenario.governments[c] for c in world.city_ids]

        def arr(getter, dtype=float) -> np.ndarray:
            return np.array([getter(g) for g in govs], dtype=dtype)

        self.fee = arr(lambda g: g.rent_seeking.fee_share)
        self.delay_months = arr(lambda g: g.rent_seeking.delay_months)
        self.service = arr(lambda g: g.service.quality)
        self.aftercare = arr(lambda g: g.service.aftercare)
        self.approval_months = arr(lambda g: g.service.approval_months)
        self.professionalism = arr(lambda g: g.staff.professionalism)
        self.land_discount = arr(lambda g: g.incentives.land_discount)
        self.tax_rebate = arr(lambda g: g.incentives.tax_rebate)
        self.rebate_years = arr(lambda g: g.incentives.rebate_years)
        self.subsidy = arr(lambda g: g.incentives.subsidy_per_job_yuan)
        self.performance_linked = arr(lambda g: g.incentives.performance_linked, bool)
        self.matchmaking = arr(lambda g: g.partnership.matchmaking)
        self.visibility = arr(lambda g: g.outreach.visibility)
        self.proactive = arr(lambda g: g.outreach.proactive, bool)
        self.referrals = arr(lambda g: g.outreach.referrals, bool)
        self.conference_cost = arr(lambda g: g.outreach.conference_cost_yuan)
        self.agents = arr(lambda g: g.entrusted.count)
        self.agent_contacts = arr(lambda g: g.entrusted.contacts_per_month)
        self.pay_on_results = arr(lambda g: g.entrusted.pay_on_results, bool)
        self.retainer = arr(lambda g: g.entrusted.retainer_yuan_month)
        self.agent_fee = arr(lambda g: g.entrusted.fee_per_project_yuan)
        self.selective = arr(lambda g: g.selectivity.enabled, bool)
        self.max_pollution = arr(lambda g: g.selectivity.max_pollution)
        self.max_energy = arr(lambda g: g.selectivity.max_energy)
        self.min_tax_per_ha = arr(lambda g: g.selectivity.min_tax_per_ha_myuan)
        self.min_tech = arr(lambda g: g.selectivity.min_tech)
        self.merit = arr(lambda g: g.land.allocation == "merit", bool)
        self.merit_reserve = arr(lambda g: g.land.merit_reserve)
        self.merit_standard = arr(lambda g: g.land.merit_tax_per_ha_myuan * 1e6)
        self.enforcement = arr(lambda g: g.land.enforcement, bool)
        self.idle_fee_share = arr(lambda g: g.land.idle_fee_share)
        self.fee_after = arr(lambda g: g.land.fee_after_months, np.int64)
        self.reclaim_after = arr(lambda g: g.land.reclaim_after_months, np.int64)
        self.tenure_years = arr(lambda g: g.governance.tenure_years)
        self.turnover = arr(lambda g: g.governance.turnover, bool)
        self.honour = arr(lambda g: g.governance.honour_probability)
