"""Land: allocation at signing, hoarding, idle-land fees and reclamation.

A construction contract takes land from the park (or a ready standard factory building). When
land is scarce the month's signers are served first come, first served (negotiated
allocation) or ranked by tax per hectare (merit). A park without free land turns investors
away (they may still choose another park). Some firms hoard: they develop only part of their
land. Land is idle from the contract date until construction starts, and a hoarder's
undeveloped part from the start of operation (the 2012 rule counts idle land from the date
agreed in the land contract). Under enforcement idle land is charged a fee (a share of the
land price) after ``fee_after_months`` and reclaimed after ``reclaim_after_months`` (the 2012
rule: 20% after one year, reclamation after two); a firm whose signed land is reclaimed
before it builds loses its deal, and a hoarder whose idle land is reclaimed no longer hoards.
The share of would-be hoarders deterred grows with the fee (:func:`hoarding_probability`).

Signing, release and development are done firm by firm in compiled functions (``numba``) that
read and write the model's arrays through the views below (:class:`FirmColumns`,
:class:`ParkColumns`, :class:`Accounts`, :class:`LandRules`); the pipeline's kernel
(``pipeline.py``) calls the same per-firm functions. Sums over firms are accumulated in the
order the firms are handled, so results do not depend on how the work is batched. Enforcement
is one compiled pass over the tenants; retention releases the land of firms that leave with
:func:`release_firm`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numba import njit

from ..state.codes import Cause, Stage
from ..state.events import Ledger, lacks_room, record
from ..state.firms import NEVER
from ..state.selection import Activity, in_stages
from ..state.streams import Purpose, uniform_at

if TYPE_CHECKING:
    from ..model import AttractionModel

BUILDING_MAX_HA = 2.0  # largest land need a standard factory building can house (assumption)
#: The 2012 rule's fee, 20% of the land price (Measures on the Disposal of Idle Land, MLR
#: Order No. 53, art. 14): ``hoard_deterrence`` is the share deterred at this fee.
RULE_FEE_SHARE = 0.2
#: Months idle after which the 2012 rule charges its fee (art. 14): a fee due later deters as
#: a proportionally smaller one (the hoarder holds the land free meanwhile; assumption).
RULE_FEE_AFTER = 12
#: Least share of its land a hoarder builds on (bounds the land it encloses; assumption).
MIN_BUILT_SHARE = 0.1
#: Land unbuilt for a year is idle under the 2012 rule (art. 2); the idle-land KPI counts it.
IDLE_AFTER_MONTHS = 12
__all__ = ["NEVER"]

HOUSED, LANDED, TURNED_AWAY = 0, 1, 2  # outcomes of allocation
_CONTRACT, _OPERATING = int(Stage.CONTRACT), int(Stage.OPERATING)
_LOST, _FELL_THROUGH = int(Stage.LOST), int(Cause.FELL_THROUGH)


class Deal(NamedTuple):
    """Views of the firm columns of a firm's deal (its park is in :class:`Site`)."""

    stage: np.ndarray
    due: np.ndarray
    city: np.ndarray
    channel: np.ndarray
    margin: np.ndarray


class Project(NamedTuple):
    """Views of the firm columns describing a firm's project (read only)."""

    sector: np.ndarray
    employees: np.ndarray
    investment: np.ndarray
    tax: np.ndarray
    land_need: np.ndarray
    pollution_rate: np.ndarray
    energy_rate: np.ndarray
    tech: np.ndarray


class Site(NamedTuple):
    """Views of the firm columns of a firm's park and the land or building it holds there."""

    park: np.ndarray
    land_held: np.ndarray
    land_developed: np.ndarray
    in_building: np.ndarray
    idle_since: np.ndarray
    hoarder: np.ndarray


class Search(NamedTuple):
    """Views of the firm columns of a firm's search: cities and parks it is excluded from, news."""

    excluded: np.ndarray  # (n, C) cities whose deal failed
    refused: np.ndarray  # (n, P) parks that turned it away for lack of land
    needs_choice: np.ndarray


class Tenancy(NamedTuple):
    """Views of the firm columns of a firm's tenancy: official in charge, entry, incentives."""

    official: np.ndarray
    entered: np.ndarray
    satisfaction: np.ndarray
    rebate_until: np.ndarray
    promise_broken: np.ndarray


class FirmColumns(NamedTuple):
    """Views of the firm columns read and written by the land and pipeline kernels, by group.

    Per-firm kernels take only the groups they use: numba counts a reference to every array
    of a tuple passed to an inlined function, which costs more than the work for big tuples.
    """

    deal: Deal
    project: Project
    site: Site
    search: Search
    tenancy: Tenancy


_GROUPS = (Deal, Project, Site, Search, Tenancy)


class ParkColumns(NamedTuple):
    """Views of the park arrays (one row per park)."""

    land_total: np.ndarray
    land_allocated: np.ndarray
    buildings_free: np.ndarray
    turned_away: np.ndarray
    tenants: np.ndarray  # (P, S) operating firms


class Accounts(NamedTuple):
    """Views of the city arrays the kernels add to (one row per city)."""

    official: np.ndarray
    incentives: np.ndarray
    contracted_investment: np.ndarray
    realized_investment: np.ndarray
    outreach_cost: np.ndarray


class LandRules(NamedTuple):
    """This month's land terms and every government's land levers (arrays by park or city)."""

    month: int
    price: np.ndarray  # (P,) land price this month, yuan/m2
    unlimited: bool  # park capacity does not limit entry
    first_come_salt: np.uint64  # keyed draws ranking this month's signers (negotiated rule)
    hoard_salt: np.uint64  # keyed draws of who hoards
    hoarding_on: bool  # the land mechanism (hoarding, fees, reclamation) is on
    hoarding: float
    hoard_deterrence: float
    hoard_share: float
    linked_hoarding: float  # hoarding multiplier under performance-linked rebates
    merit: np.ndarray
    land_discount: np.ndarray
    pay_on_results: np.ndarray
    agent_fee: np.ndarray
    enforcement: np.ndarray
    performance_linked: np.ndarray
    idle_fee_share: np.ndarray
    fee_after: np.ndarray  # months idle before the fee, by city
    merit_reserve: np.ndarray  # share of each park's land kept for merit, by city
    merit_standard: np.ndarray  # yuan of tax per ha a project needs for it, by city


class RunLandRules(NamedTuple):
    """The run-long fields of :class:`LandRules` (see :func:`rules_at`)."""

    price: np.ndarray  # filled in place each month
    unlimited: bool
    allocate_salts: np.ndarray  # a row per month: the month's ``first_come_salt``
    hoard_salt: np.uint64
    hoarding_on: bool
    hoarding: float
    hoard_deterrence: float
    hoard_share: float
    linked_hoarding: float
    merit: np.ndarray
    land_discount: np.ndarray
    pay_on_results: np.ndarray
    agent_fee: np.ndarray
    enforcement: np.ndarray
    performance_linked: np.ndarray
    idle_fee_share: np.ndarray
    fee_after: np.ndarray
    merit_reserve: np.ndarray
    merit_standard: np.ndarray


def firm_columns(m: AttractionModel) -> tuple:
    """The fields of :class:`FirmColumns` for the model's firms, as plain tuples by group.

    Kernels take plain tuples (much faster to pass than named ones) and name them inside
    (:func:`named_firms`).
    """
    return tuple(tuple(getattr(m.firms, name) for name in group._fields) for group in _GROUPS)


def park_columns(m: AttractionModel) -> tuple:
    """The fields of :class:`ParkColumns` for the model's parks, as a plain tuple."""
    return tuple(getattr(m.parks, name) for name in ParkColumns._fields)


def accounts(m: AttractionModel) -> tuple:
    """The fields of :class:`Accounts` for the model's cities, as a plain tuple."""
    return tuple(getattr(m.cities, name) for name in Accounts._fields)


def rules_args(m: AttractionModel) -> tuple:
    """The run-long fields of :class:`LandRules` (all but the month's), built once per run.

    The land price array is filled in place each month; ``first_come_salt`` comes from a salt
    table with a row per month (see :func:`rules_at`).
    """
    b, pol = m.spec.behaviour, m.policy
    return m.kept("land rules", lambda: tuple(RunLandRules(
        price=m.terms.price,
        unlimited=m.spec.world.capacity == "unlimited",
        allocate_salts=m.streams.table(Purpose.ALLOCATE, m.horizon + 1),
        hoard_salt=m.streams.salt(Purpose.HOARD),
        hoarding_on=bool(m.spec.mechanisms.land),
        hoarding=float(b.hoarding),
        hoard_deterrence=float(b.hoard_deterrence),
        hoard_share=float(b.hoard_share),
        linked_hoarding=float(b.linked_hoarding),
        merit=pol.merit,
        land_discount=pol.land_discount,
        pay_on_results=pol.pay_on_results,
        agent_fee=pol.agent_fee,
        enforcement=pol.enforcement,
        performance_linked=pol.performance_linked,
        idle_fee_share=pol.idle_fee_share,
        fee_after=pol.fee_after,
        merit_reserve=pol.merit_reserve,
        merit_standard=pol.merit_standard,
    )))


# ---------------------------------------------------------------- per-firm kernels
@njit(cache=True, inline="always")
def named_firms(fields: tuple) -> FirmColumns:
    """The :class:`FirmColumns` of the plain tuples made by :func:`firm_columns`."""
    deal, project, site, search, tenancy = fields
    return FirmColumns(
        Deal(*deal), Project(*project), Site(*site), Search(*search), Tenancy(*tenancy)
    )


@njit(cache=True, inline="always")
def rules_at(month: int, fields: tuple) -> LandRules:
    """The :class:`LandRules` of ``month`` from the run-long fields of :func:`rules_args`."""
    r = RunLandRules(*fields)
    return LandRules(
        month, r.price, r.unlimited, r.allocate_salts[month, 0], r.hoard_salt, r.hoarding_on,
        r.hoarding, r.hoard_deterrence, r.hoard_share, r.linked_hoarding, r.merit,
        r.land_discount, r.pay_on_results, r.agent_fee, r.enforcement, r.performance_linked,
        r.idle_fee_share, r.fee_after, r.merit_reserve, r.merit_standard,
    )


@njit(cache=True, inline="always")
def serving_order(
    signers: np.ndarray, firms: FirmColumns, rules: LandRules
) -> np.ndarray:
    """Positions in ``signers`` in the order they are served, by each city's allocation rule.

    Merit cities rank by tax per hectare (highest first), the others by a keyed draw (first
    come, first served); the sort is stable.

    Args:
        signers: Firms signing this month.
        firms: Firm columns.
        rules: Land terms and levers.

    Returns:
        A permutation of ``range(len(signers))``.
    """
    city, project = firms.deal.city, firms.project
    key = np.empty(len(signers))
    for k in range(len(signers)):
        i = signers[k]
        if rules.merit[city[i]]:
            key[k] = -(project.tax[i] / max(project.land_need[i], 1e-9))
        else:
            key[k] = uniform_at(rules.first_come_salt, np.uint64(i))
    return np.argsort(key, kind="mergesort")


@njit(cache=True, inline="always")
def _merit_refuses(
    i: int, p: int, take: float, free: float, firms: FirmColumns, parks: ParkColumns,
    rules: LandRules,
) -> bool:
    """Whether merit allocation keeps park ``p``'s reserved land from firm ``i``.

    Under merit, land that would leave the park less than ``merit_reserve`` of its area free
    goes only to projects bringing at least ``merit_standard`` yuan of tax a hectare.
    """
    c = firms.deal.city[i]
    if not rules.merit[c] or free - take >= rules.merit_reserve[c] * parks.land_total[p]:
        return False
    need = firms.project.land_need[i]
    return firms.project.tax[i] / max(need, 1e-9) < rules.merit_standard[c]


@njit(cache=True, inline="always")
def allocate(
    signers: np.ndarray, order: np.ndarray, firms: FirmColumns, parks: ParkColumns,
    rules: LandRules,
) -> np.ndarray:
    """Serve signers in ``order``: a free building if they fit, else land, else turn them away.

    A firm given land may hoard (:func:`hoarding_probability`, a keyed draw): it encloses
    its land need divided by the share it will build on (``1 - hoard_share``, at least
    ``MIN_BUILT_SHARE``), so hoarding takes land that other investors could have had.

    Args:
        signers: Firms signing this month.
        order: Positions in ``signers`` in serving order (see :func:`serving_order`).
        firms: Firm columns (``in_building``, ``land_held`` and ``hoarder`` are set).
        parks: Park arrays (buildings, allocated land and turned-away counts are updated).
        rules: Land terms and levers.

    Returns:
        The outcome of each signer in serving order: ``HOUSED``, ``LANDED`` or ``TURNED_AWAY``.
    """
    free = np.empty(len(parks.land_total))
    for p in range(len(free)):
        free[p] = max(parks.land_total[p] - parks.land_allocated[p], 0.0)
    land_need, site, city = firms.project.land_need, firms.site, firms.deal.city
    built_share = max(1.0 - rules.hoard_share, MIN_BUILT_SHARE)
    outcome = np.empty(len(order), dtype=np.int8)
    for k in range(len(order)):
        i = signers[order[k]]
        p = site.park[i]
        need = land_need[i]
        p_hoard = hoarding_probability(city[i], rules) if rules.hoarding_on else 0.0
        hoards = uniform_at(rules.hoard_salt, np.uint64(i)) < p_hoard
        site.hoarder[i] = False
        take = need / built_share if hoards else need
        if parks.buildings_free[p] > 0 and need <= BUILDING_MAX_HA:
            parks.buildings_free[p] -= 1
            site.in_building[i] = True
            outcome[k] = HOUSED
        elif rules.unlimited or (
            free[p] >= take and not _merit_refuses(i, p, take, free[p], firms, parks, rules)
        ):
            free[p] -= take
            site.land_held[i] = take
            site.hoarder[i] = hoards
            parks.land_allocated[p] += take
            outcome[k] = LANDED
        else:
            parks.turned_away[p] += 1
            outcome[k] = TURNED_AWAY
    return outcome


@njit(cache=True, inline="always")
def record_contract(
    i: int, firms: FirmColumns, cities: Accounts, rules: LandRules
) -> None:
    """Book a signed contract: the official in charge, incentives, investment, hoarding.

    Land given (not a building) is idle from the contract month until construction starts.
    Whether the firm hoards was drawn at allocation (:func:`allocate`).

    Args:
        i: The firm.
        firms: Firm columns.
        cities: City accounts (land discount, contracted investment, agents' fees).
        rules: Land terms and levers.
    """
    deal, site = firms.deal, firms.site
    c = deal.city[i]
    firms.tenancy.official[i] = cities.official[c]
    price = rules.price[site.park[i]]
    cities.incentives[c] += site.land_held[i] * 1e4 * price * rules.land_discount[c]
    cities.contracted_investment[c] += firms.project.investment[i]
    agent_paid = deal.channel[i] == 4 and rules.pay_on_results[c]
    cities.outreach_cost[c] += (1.0 if agent_paid else 0.0) * rules.agent_fee[c]
    site.idle_since[i] = rules.month if site.land_held[i] > 0 else NEVER


@njit(cache=True, inline="always")
def hoarding_probability(c: int, rules: LandRules) -> float:
    """Probability that a firm signing in city ``c`` hoards land.

    ``hoarding`` of would-be hoarders, less those deterred by enforcement, times
    ``linked_hoarding`` where rebates are performance-linked (a hoarder forfeits its rebate).
    Each ``RULE_FEE_SHARE`` of fee deters ``hoard_deterrence`` of the would-be hoarders still
    undeterred, so the deterred share is ``1 - (1 - hoard_deterrence) ** (fee /
    RULE_FEE_SHARE)``: ``hoard_deterrence`` at the 2012 rule's fee, none without a fee, and
    rising smoothly towards all of them as the fee grows. A fee due after ``fee_after`` months
    idle counts as ``RULE_FEE_AFTER / fee_after`` of itself (charged after 24 months, half).
    """
    fee_units = (
        rules.idle_fee_share[c] / RULE_FEE_SHARE * RULE_FEE_AFTER / max(rules.fee_after[c], 1)
    )
    deterred = 1.0 - (1.0 - rules.hoard_deterrence) ** fee_units if rules.enforcement[c] else 0.0
    linked = rules.linked_hoarding if rules.performance_linked[c] else 1.0
    return rules.hoarding * (1.0 - deterred) * linked


@njit(cache=True, inline="always")
def release_firm(i: int, firms: Site, parks: ParkColumns) -> None:
    """Give one firm's land or building back to its park.

    ``firms`` and ``parks`` may be any named tuples with the fields used. Branch-free (see
    ``events.record``): held land (if positive) and the building (0 or 1) are given back.
    """
    p = firms.park[i]
    parks.land_allocated[p] -= max(0.0, firms.land_held[i])
    parks.buildings_free[p] += firms.in_building[i]
    firms.land_held[i] = 0.0
    firms.land_developed[i] = 0.0
    firms.in_building[i] = False
    firms.idle_since[i] = NEVER


@njit(cache=True, inline="always")
def develop_firm(i: int, site: Site, month: int, hoard_share: float) -> None:
    """One firm starting operation in ``month`` develops its land (a hoarder only its need).

    A hoarder builds on ``1 - hoard_share`` of its land (at least ``MIN_BUILT_SHARE``), which
    is its land need (see :func:`allocate`); the rest is idle from this month.
    """
    share = max(1.0 - hoard_share, MIN_BUILT_SHARE) if site.hoarder[i] else 1.0
    site.land_developed[i] = site.land_held[i] * share
    idle = site.land_held[i] > site.land_developed[i] + 1e-12
    site.idle_since[i] = month if idle else NEVER


class EnforcementArgs(NamedTuple):
    """What :func:`enforcement_step` reads and writes, for the whole run."""

    on: bool  # whether any city enforces (under the land mechanism)
    price: np.ndarray  # land price of each park, yuan/m2 (filled in place each month)
    stage: np.ndarray  # firm columns (fee_charged to hoarder updated)
    city: np.ndarray
    park: np.ndarray
    channel: np.ndarray
    due: np.ndarray
    idle_since: np.ndarray
    fee_charged: np.ndarray
    land_held: np.ndarray
    land_developed: np.ndarray
    hoarder: np.ndarray
    enforcement: np.ndarray  # by city
    fee_after: np.ndarray  # months idle before the fee, by city
    reclaim_after: np.ndarray  # months idle before reclamation, by city
    idle_fee_share: np.ndarray  # of the land price, by city
    idle_fees: np.ndarray  # by city (added to)
    reclaimed_ha: np.ndarray  # by city (added to)
    land_allocated: np.ndarray  # by park (updated)


def enforcement_args(m: AttractionModel) -> tuple:
    """The fields of :class:`EnforcementArgs`, built once per run.

    The levers are fixed for a run and the arrays are updated in place, never replaced.
    """
    f, pol = m.firms, m.policy
    return m.kept("enforcement", lambda: tuple(EnforcementArgs(
        on=bool(m.spec.mechanisms.land and pol.enforcement.any()), price=m.terms.price,
        stage=f.stage, city=f.city, park=f.park, channel=f.channel, due=f.due,
        idle_since=f.idle_since, fee_charged=f.fee_charged, land_held=f.land_held,
        land_developed=f.land_developed, hoarder=f.hoarder,
        enforcement=pol.enforcement, fee_after=pol.fee_after, reclaim_after=pol.reclaim_after,
        idle_fee_share=pol.idle_fee_share, idle_fees=m.cities.idle_fees,
        reclaimed_ha=m.cities.reclaimed_ha, land_allocated=m.parks.land_allocated,
    )))


@njit(cache=True)
def enforcement_step(month: int, args: tuple, activity: tuple, ledger: tuple) -> int:
    """Fees and reclamation of idle land, holder by holder, where cities enforce.

    A firm holding idle land (signed but not yet built on, or a tenant's undeveloped part) in
    an enforcing city pays, once, ``idle_fee_share`` of the land price of its idle hectares
    after ``fee_after`` months idle, and loses its idle land after ``reclaim_after`` months
    (its park gets it back). A tenant whose idle land is reclaimed no longer hoards (it holds
    only what it developed); a firm that had not started building loses its deal (an event,
    contract to lost, cause ``fell_through``) and stays home.

    A compiled month (:mod:`zhaoshang.model.month` says what it takes and returns); ``args``
    holds the fields of :class:`EnforcementArgs` (:func:`enforcement_args`). It returns 0, or
    the events it needs room for (one per active firm) if the log lacks it.
    """
    a = EnforcementArgs(*args)
    if not a.on:
        return 0
    act, log = Activity(*activity), Ledger(*ledger)
    if lacks_room(log, act.count[0]):
        return act.count[0]
    price, city, park = a.price, a.city, a.park
    idle_since, fee_charged = a.idle_since, a.fee_charged
    held, developed = a.land_held, a.land_developed
    holders = in_stages(act.order[: act.count[0]], a.stage, _CONTRACT, _OPERATING)
    enforcement, fee_after, reclaim_after = a.enforcement, a.fee_after, a.reclaim_after
    fee_share, idle_fees, reclaimed, allocated = (
        a.idle_fee_share, a.idle_fees, a.reclaimed_ha, a.land_allocated
    )
    for i in holders:
        if idle_since[i] >= NEVER:
            continue
        c = city[i]
        if not enforcement[c]:
            continue
        idle_for = month - idle_since[i]
        idle = held[i] - developed[i]
        if not fee_charged[i] and idle_for >= fee_after[c]:
            idle_fees[c] += idle * 1e4 * price[park[i]] * fee_share[c]
            fee_charged[i] = True
        if idle_for >= reclaim_after[c]:
            allocated[park[i]] -= idle
            reclaimed[c] += idle
            held[i] = developed[i]
            idle_since[i] = NEVER
            a.hoarder[i] = False
            if a.stage[i] == _CONTRACT:
                record(log, i, _CONTRACT, _LOST, park[i], c, a.channel[i], _FELL_THROUGH)
                a.stage[i] = _LOST
                a.due[i] = NEVER
    return 0


def idle_land(m: AttractionModel, ids: np.ndarray) -> np.ndarray:
    """Idle land of each firm of ``ids`` (ha): held, undeveloped and idle for a year or more.

    Land signed but not built on counts from the contract date, a hoarder's undeveloped part
    from the start of operation (the 2012 rule, art. 2: idle once unbuilt for a year); land
    under construction is not idle.
    """
    f = m.firms
    idle = f.land_held[ids] - f.land_developed[ids]
    return np.where(f.idle_since[ids] <= m.month - IDLE_AFTER_MONTHS, idle, 0.0)


@njit(cache=True)
def _idle_by_park(
    holders: np.ndarray, park: np.ndarray, held: np.ndarray, developed: np.ndarray,
    idle_since: np.ndarray, cutoff: int, n_parks: int,
) -> np.ndarray:
    """Idle land per park (ha) of ``holders``, as :func:`idle_land` summed by park, in one pass.

    Sums in the order of ``holders``, as ``np.bincount`` of :func:`idle_land` would.
    """
    out = np.zeros(n_parks)
    for i in holders:
        if idle_since[i] <= cutoff:
            out[park[i]] += held[i] - developed[i]
    return out


def idle_land_by_park(m: AttractionModel) -> np.ndarray:
    """Idle land per park (ha) of every land holder, by the 2012 rule (:func:`idle_land`)."""
    f = m.firms
    return _idle_by_park(
        land_holders(m), f.park, f.land_held, f.land_developed, f.idle_since,
        m.month - IDLE_AFTER_MONTHS, len(m.world.park_ids),
    )


def land_holders(m: AttractionModel) -> np.ndarray:
    """The active firms that may hold land: from contract to operation, in their order."""
    return in_stages(m.active, m.firms.stage, _CONTRACT, _OPERATING)
