"""Location choice: random utility over the parks a firm knows and its outside option.

Deterministic utility of park ``p`` (in city ``c``) for firm ``i`` of sector ``s``::

    V = - beta_cost * cost_share + beta_incentive * credibility * incentive_share
        + beta_service * service + beta_credibility * credibility
        + beta_cluster * cluster[p, s] + beta_fit * fit[p, s] + beta_infrastructure * infra

and of staying home ``V0 = - beta_cost * home_cost_share + home_bias``. Each firm carries a
persistent Gumbel taste shock per option (keyed by firm and option) scaled by
``world.taste_scale``, so a firm's ranking is stable and simulated shares equal the
multinomial-logit probabilities ``softmax(V / taste_scale)``; at ``taste_scale = 0`` the choice
is deterministic. ``supply_chain.cap`` bounds the cluster benefit. Under the ``proportional``
rule (a Polya urn) a firm picks a known park with probability proportional to
``a_p + urn_increment * n_p``, where ``a_p`` is the park's ``urn_weight`` (default
``world.urn_weight``) and ``n_p`` counts the firms that chose the park before it, updated after
every single choice so that arrivals are sequential even within a month.

Availability, utilities, taste shocks, the pick of best and runner-up and the firm's entry into
the chosen city's pipeline (logged in the model's event log) run in one compiled pass over the
choosing firms (:func:`_logit_choose`); the park-level terms are computed once a month in
another (:func:`_park_terms`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numba import njit

from . import pipeline
from .codes import Cause, Stage
from .events import Ledger, record
from .streams import KeyedStreams, Purpose, uniform_at
from .supply_chain import RETURNS, congested, fill_cluster_benefit, linked_firms

if TYPE_CHECKING:
    from .model import AttractionModel

ANNUITY = 0.08  # annual capital charge on land and one-off payments (assumption)
HORIZON_YEARS = 10.0  # years over which a firm values a rebate period (assumption)
HOME = 1_000_003  # option key of the outside option in the taste-shock stream
_INSPECTING, _NEGOTIATING = int(Stage.INSPECTING), int(Stage.NEGOTIATING)
_CHOSE = int(Cause.CHOSE)


@dataclass
class ParkTerms:
    """Everything about parks and cities that utilities need, fixed within a month."""

    price: np.ndarray  # (P,) yuan/m2 after congestion
    cluster: np.ndarray  # (P, S)
    wage: np.ndarray  # (P,) yuan/month in the park's city
    fee: np.ndarray  # (P,) informal fee share
    service: np.ndarray  # (P,)
    credibility: np.ndarray  # (P,)
    discount: np.ndarray  # (P,)
    rebate_value: np.ndarray  # (P,) rebate share x rebate years / horizon
    subsidy: np.ndarray  # (P,) yuan per job
    infrastructure: np.ndarray  # (P,)
    matchmaking: np.ndarray  # (P,)


class Entry(NamedTuple):
    """What a firm entering a city's pipeline reads and writes (see :func:`_enter`)."""

    stage: np.ndarray  # firm columns
    park: np.ndarray
    city: np.ndarray
    channel: np.ndarray
    margin: np.ndarray
    due: np.ndarray
    known: np.ndarray  # (n, C) channel through which each city is known
    in_building: np.ndarray
    park_city: np.ndarray  # city of each park
    direct_city: int  # firms choosing this city skip the site visit (-1: none)


@njit(cache=True, error_model="numpy")
def _park_terms(
    park_city: np.ndarray,
    base_price: np.ndarray,
    allocated: np.ndarray,
    land_total: np.ndarray,
    limited: bool,
    congestion: float,
    wage: np.ndarray,
    fee: np.ndarray,
    service: np.ndarray,
    prior: np.ndarray,
    prior_weight: np.ndarray,
    honoured: np.ndarray,
    broken: np.ndarray,
    discount: np.ndarray,
    tax_rebate: np.ndarray,
    rebate_years: np.ndarray,
    subsidy: np.ndarray,
    matchmaking: np.ndarray,
    rows: np.ndarray,
    tenants: np.ndarray,
    suppliers: np.ndarray,
    customers: np.ndarray,
    weights: tuple[float, float, float],
    returns: int,
    scale: float,
    cap: float,
    cluster: np.ndarray,
) -> None:
    """Congested price, city terms and cluster benefit of every park, in place.

    Occupancy and credibility are computed here as in ``ParkState.occupancy`` and
    ``CityState.credibility``.

    Args:
        park_city: City of each park (P,).
        base_price: Land price before congestion (P,).
        allocated: Allocated land of each park (P,).
        land_total: Land of each park (P,).
        limited: Whether land is limited (else occupancy counts as zero).
        congestion: Price increase at full occupancy.
        wage: Monthly wage of each city (C,); so are the other city arguments.
        fee: Informal fee share.
        service: Service quality.
        prior: Prior mean of the government's credibility.
        prior_weight: Weight of the prior in promises.
        honoured: Promises honoured so far.
        broken: Promises broken so far.
        discount: Land discount.
        tax_rebate: Tax rebate share.
        rebate_years: Rebate period.
        subsidy: Subsidy per job.
        matchmaking: Matchmaking effort.
        rows: Array (9, P) receiving, per park, the fields of :class:`ParkTerms` in this
            order: price, wage, fee, service, credibility, discount, rebate value, subsidy,
            matchmaking.
        tenants: Operating firms per (park, sector).
        suppliers: Firms of the sectors each sector buys from (``supply_chain.linked_firms``).
        customers: Firms of the sectors each sector sells to.
        weights: Weights of same-sector firms, suppliers and customers.
        returns: Code of the returns of the cluster benefit (``supply_chain.RETURNS``).
        scale: Scale of the cluster benefit.
        cap: Cap of the cluster benefit (``inf`` for none).
        cluster: Array (P, S) receiving the cluster benefit, boosted by the matchmaking of the
            park's government (see ``supply_chain.fill_cluster_benefit``).
    """
    for p in range(park_city.size):
        c = park_city[p]
        occupancy = 0.0
        if limited:
            occupancy = allocated[p] / land_total[p] if land_total[p] > 0 else 1.0
        rows[0, p] = congested(base_price[p], occupancy, congestion)
        rows[1, p] = wage[c]
        rows[2, p] = fee[c]
        rows[3, p] = service[c]
        rows[4, p] = (prior[c] * prior_weight[c] + honoured[c]) / (
            prior_weight[c] + honoured[c] + broken[c]
        )
        rows[5, p] = discount[c]
        rows[6, p] = tax_rebate[c] * min(rebate_years[c], HORIZON_YEARS) / HORIZON_YEARS
        rows[7, p] = subsidy[c]
        rows[8, p] = matchmaking[c]
    same, sup, cust = weights
    fill_cluster_benefit(
        tenants, suppliers, customers, same, sup, cust, returns, scale, rows[8], cap, cluster
    )


def park_terms(m: AttractionModel) -> ParkTerms:
    """Compute this month's park-level terms of the utility."""
    w, gov, parks, cities, chain = m.world, m.policy, m.parks, m.cities, m.spec.supply_chain
    rows = np.empty((9, len(w.park_ids)))
    cluster = np.empty(parks.tenants.shape)
    _park_terms(
        w.park_city,
        parks.base_price,
        parks.land_allocated,
        parks.land_total,
        m.spec.world.capacity == "limited",
        chain.congestion,
        m.city_wage,
        gov.fee,
        gov.service,
        cities.prior,
        cities.prior_weight,
        cities.honoured,
        cities.broken,
        gov.land_discount,
        gov.tax_rebate,
        gov.rebate_years,
        gov.subsidy,
        gov.matchmaking,
        rows,
        parks.tenants,
        *linked_firms(parks.tenants, w.io),
        (float(chain.same_sector), float(chain.suppliers), float(chain.customers)),
        RETURNS[chain.returns],
        float(chain.scale),
        np.inf if chain.cap is None else float(chain.cap),
        cluster,
    )
    price, wage, fee, service, credibility, discount, rebate_value, subsidy, matchmaking = rows
    return ParkTerms(
        price=price,
        cluster=cluster,
        wage=wage,
        fee=fee,
        service=service,
        credibility=credibility,
        discount=discount,
        rebate_value=rebate_value,
        subsidy=subsidy,
        infrastructure=parks.infrastructure,
        matchmaking=matchmaking,
    )


def _utility_inputs(m: AttractionModel, terms: ParkTerms) -> tuple:
    """What utilities depend on besides the firm, as passed to :func:`_firm_utilities`."""
    b, f, w = m.spec.behaviour, m.firms, m.world
    return (
        w.park_city,
        f.employees,
        f.output,
        f.land_need,
        f.tax,
        f.sector,
        f.region,
        m.logistics_share,
        w.dist_km,
        m.home_wage,
        w.park_fit,
        terms.price,
        terms.cluster,
        terms.wage,
        terms.fee,
        terms.service,
        terms.credibility,
        terms.discount,
        terms.rebate_value,
        terms.subsidy,
        terms.infrastructure,
        (
            b.beta_cost,
            b.beta_incentive,
            b.beta_service,
            b.beta_credibility,
            b.beta_cluster,
            b.beta_fit,
            b.beta_infrastructure,
            b.home_bias,
        ),
    )


@njit(cache=True, error_model="numpy")
def _firm_utilities(
    i: int,
    parks: np.ndarray,
    v: np.ndarray,
    park_city: np.ndarray,
    employees: np.ndarray,
    output: np.ndarray,
    land_need: np.ndarray,
    tax: np.ndarray,
    sector: np.ndarray,
    region: np.ndarray,
    logistics_share: np.ndarray,
    dist_km: np.ndarray,
    home_wage: np.ndarray,
    park_fit: np.ndarray,
    price: np.ndarray,
    cluster: np.ndarray,
    wage: np.ndarray,
    fee: np.ndarray,
    service: np.ndarray,
    credibility: np.ndarray,
    discount: np.ndarray,
    rebate_value: np.ndarray,
    subsidy: np.ndarray,
    infrastructure: np.ndarray,
    betas: tuple,
) -> float:
    """Deterministic utility of parks ``parks`` for firm ``i`` (into ``v``) and of its home.

    Args:
        i: The firm.
        parks: The parks to evaluate (the other elements of ``v`` are left as they are).
        v: Array (P,) receiving the park utilities.
        park_city: City of each park.
        employees: Firm column (all firms); so are output, land_need, tax, sector, region.
        output: Output (yuan/year).
        land_need: Land needed (ha).
        tax: Tax paid (yuan/year).
        sector: Sector index.
        region: Origin region index.
        logistics_share: Logistics cost share of each sector per 1,000 km.
        dist_km: Distance (region, city) in km.
        home_wage: Monthly wage in each origin region.
        park_fit: Fit of each (park, sector).
        price: Field of :class:`ParkTerms`, as are the arguments up to infrastructure.
        cluster: Cluster benefit (P, S).
        wage: Monthly wage.
        fee: Informal fee share.
        service: Service quality.
        credibility: Credibility.
        discount: Land discount.
        rebate_value: Value of the tax rebate.
        subsidy: Subsidy per job.
        infrastructure: Infrastructure quality.
        betas: beta_cost, beta_incentive, beta_service, beta_credibility, beta_cluster,
            beta_fit, beta_infrastructure and home_bias.

    Returns:
        The utility of staying home.
    """
    b_cost, b_incentive, b_service, b_credibility, b_cluster, b_fit, b_infra, home_bias = betas
    emp, out, land, s, r = employees[i], output[i], land_need[i], sector[i], region[i]
    for p in parks:
        logistics = logistics_share[s] * dist_km[r, park_city[p]] / 1000
        land_cost = land * 1e4 * price[p] * ANNUITY
        cost = (emp * wage[p] * 12 + land_cost) / out + logistics + fee[p]
        incentive = (
            land_cost * discount[p] + tax[i] * rebate_value[p] + emp * subsidy[p] * ANNUITY
        ) / out
        cred = credibility[p]
        v[p] = (
            -b_cost * cost
            + b_incentive * cred * incentive
            + b_service * service[p]
            + b_credibility * cred
            + b_cluster * cluster[p, s]
            + b_fit * park_fit[p, s]
            + b_infra * infrastructure[p]
        )
    home_cost = emp * home_wage[r] * 12 / out
    return -b_cost * home_cost + home_bias


@njit(cache=True)
def _utilities(ids: np.ndarray, v: np.ndarray, v_home: np.ndarray, *inputs) -> None:
    """Utilities of firms ``ids`` into ``v`` (n, P) and ``v_home`` (n,).

    ``inputs`` are those of :func:`_utility_inputs`.
    """
    parks = np.arange(v.shape[1])
    for k in range(ids.size):
        v_home[k] = _firm_utilities(ids[k], parks, v[k], *inputs)


def utilities(
    m: AttractionModel, ids: np.ndarray, terms: ParkTerms
) -> tuple[np.ndarray, np.ndarray]:
    """Deterministic utilities of every park (n, P) and of home (n,) for firms ``ids``."""
    v = np.empty((len(ids), len(m.world.park_city)))
    v_home = np.empty(len(ids))
    _utilities(np.asarray(ids, dtype=np.int64), v, v_home, *_utility_inputs(m, terms))
    return v, v_home


@njit(cache=True)
def _may_choose(known: np.ndarray, excluded: np.ndarray, i: int, city: int) -> bool:
    """Whether firm ``i`` knows ``city`` and is not excluded from it."""
    return known[i, city] > 0 and not excluded[i, city]


@njit(cache=True)
def _available(
    ids: np.ndarray, known: np.ndarray, excluded: np.ndarray, park_city: np.ndarray
) -> np.ndarray:
    """Parks each firm may choose (n, P)."""
    out = np.empty((ids.size, park_city.size), dtype=np.bool_)
    for k in range(ids.size):
        for p in range(park_city.size):
            out[k, p] = _may_choose(known, excluded, ids[k], park_city[p])
    return out


def available(m: AttractionModel, ids: np.ndarray) -> np.ndarray:
    """Parks each firm may choose: its city is known and not excluded (n, P)."""
    f = m.firms
    return _available(np.asarray(ids, dtype=np.int64), f.known, f.excluded, m.world.park_city)


@njit(cache=True)
def _gumbel(salt: np.uint64, key: np.uint64) -> float:
    """The keyed standard Gumbel draw, as ``KeyedStreams.gumbel``."""
    return -np.log(-np.log(uniform_at(salt, key)))


@njit(cache=True, inline="always")
def _enter(
    ids: np.ndarray, parks: np.ndarray, margins: np.ndarray, entry: Entry,
    delays: pipeline.Delays, log: Ledger,
) -> None:
    """Firms ``ids`` enter the pipeline of the city of their chosen park; choices are logged.

    A firm starts with a site visit, or at once negotiates in the entry's direct city. Every
    choice is logged before any is applied, so a firm listed twice logs its earlier stage
    both times.

    Args:
        ids: The firms.
        parks: The park each chose.
        margins: Each firm's best total utility less the runner-up's.
        entry: Firm columns and places.
        delays: Delays of the pipeline this month (``pipeline.Delays``).
        log: The model's event log.
    """
    for k in range(ids.size):
        i, park = ids[k], parks[k]
        city = entry.park_city[park]
        to = _NEGOTIATING if city == entry.direct_city else _INSPECTING
        record(log, i, entry.stage[i], to, park, city, entry.known[i, city], _CHOSE)
    for k in range(ids.size):
        i, park = ids[k], parks[k]
        city = entry.park_city[park]
        direct = city == entry.direct_city
        entry.stage[i] = _NEGOTIATING if direct else _INSPECTING
        entry.park[i] = park
        entry.city[i] = city
        entry.channel[i] = entry.known[i, city]
        entry.margin[i] = margins[k]
        kind = pipeline.NEGOTIATION if direct else pipeline.INSPECTION
        entry.due[i] = pipeline.due_month(i, city, kind, entry.in_building, delays)


@njit(cache=True)
def _enter_all(
    ids: np.ndarray, parks: np.ndarray, margins: np.ndarray, entry_fields: tuple,
    delay_fields: tuple, log_fields: tuple,
) -> None:
    """:func:`_enter` with the fields of :class:`Entry`, ``pipeline.Delays`` and ``Ledger``."""
    entry, delays, log = Entry(*entry_fields), pipeline.Delays(*delay_fields), Ledger(*log_fields)
    _enter(ids, parks, margins, entry, delays, log)


@njit(cache=True, error_model="numpy")
def _logit_choose(
    ids: np.ndarray,
    excluded: np.ndarray,
    scale: float,
    park_salts: np.ndarray,
    home_salt: np.uint64,
    entry_fields: tuple,
    delay_fields: tuple,
    log_fields: tuple,
    *inputs,
) -> None:
    """Each firm's best option: utility plus taste shock, over the parks it may choose and home.

    The firms for which a park beats home enter that park's pipeline (:func:`_enter`), with
    their best total utility less the runner-up's (home included) as their margins. Only the
    parks a firm may choose are valued, and a firm that may choose none stays home unvalued.

    Args:
        ids: Firms.
        excluded: Firm column (all firms, by city): excluded from the city.
        scale: Scale of the Gumbel taste shocks.
        park_salts: Salt of each park's taste-shock stream (P,).
        home_salt: Salt of the home option's taste-shock stream.
        entry_fields: The fields of :class:`Entry`.
        delay_fields: The fields of ``pipeline.Delays``.
        log_fields: The fields of the model's ``Ledger``.
        *inputs: As :func:`_utility_inputs`.
    """
    entry = Entry(*entry_fields)
    park_city, known = entry.park_city, entry.known
    v = np.empty(park_city.size)
    total = np.empty(park_city.size)
    options = np.empty(park_city.size, dtype=np.int64)
    movers = np.empty(ids.size, dtype=np.int64)
    park = np.empty(ids.size, dtype=np.int64)
    margin = np.empty(ids.size)
    n_movers = 0
    for k in range(ids.size):
        n_options = 0
        for p in range(park_city.size):
            total[p] = -np.inf
            if _may_choose(known, excluded, ids[k], park_city[p]):
                options[n_options] = p
                n_options += 1
        if n_options == 0:
            continue
        key = np.uint64(ids[k])
        v_home = _firm_utilities(ids[k], options[:n_options], v, *inputs)
        for p in options[:n_options]:
            total[p] = v[p] + scale * _gumbel(park_salts[p], key)
        home = v_home + scale * _gumbel(home_salt, key)
        best = 0  # the first maximum, as argmax
        for p in range(1, park_city.size):
            if total[p] > total[best]:
                best = p
        runner_up = home
        for p in range(park_city.size):
            if p != best and total[p] > runner_up:
                runner_up = total[p]
        if total[best] > home:
            movers[n_movers] = ids[k]
            park[n_movers] = best
            margin[n_movers] = total[best] - runner_up
            n_movers += 1
    _enter(
        movers[:n_movers], park[:n_movers], margin[:n_movers], entry,
        pipeline.Delays(*delay_fields), Ledger(*log_fields),
    )


@lru_cache(maxsize=16)
def _taste_salts(key: np.uint64, n_parks: int) -> tuple[np.ndarray, np.uint64]:
    """Salts of the persistent taste shocks: one per park and one for home (month 0)."""
    streams = KeyedStreams(int(key))
    parks = np.array([streams.salt(Purpose.TASTE, 0, p) for p in range(n_parks)], np.uint64)
    return parks, streams.salt(Purpose.TASTE, 0, HOME)


def _entry(m: AttractionModel, direct_city: int) -> tuple:
    """The fields of :class:`Entry`, as a plain tuple."""
    f = m.firms
    return (
        f.stage, f.park, f.city, f.channel, f.margin, f.due, f.known, f.in_building,
        m.world.park_city, direct_city,
    )


def choose(m: AttractionModel, ids: np.ndarray, direct_city: int = -1) -> None:
    """Let searching firms pick their best known option and enter that city's pipeline.

    Args:
        m: The model.
        ids: Firms that evaluate now.
        direct_city: Firms choosing this city skip the site visit and declare an intention
            at once (a promotion conference).
    """
    if len(ids) == 0:
        return
    m.event_log.reserve(len(ids))
    entry = (_entry(m, int(direct_city)), pipeline.delays(m), m.event_log.fields())
    if m.spec.world.choice == "proportional":
        _enter_all(*_urn_choice(m, ids), *entry)
        return
    park_salts, home_salt = _taste_salts(m.streams.key, len(m.world.park_city))
    _logit_choose(
        np.asarray(ids, dtype=np.int64),
        m.firms.excluded,
        m.spec.world.taste_scale,
        park_salts,
        home_salt,
        *entry,
        *_utility_inputs(m, m.terms),
    )


def urn_weights(m: AttractionModel) -> np.ndarray:
    """Initial weight ``a_p`` of every park in the urn (its own or ``world.urn_weight``)."""
    default = m.spec.world.urn_weight
    parks = m.spec.parks
    return np.array(
        [default if parks[p].urn_weight is None else parks[p].urn_weight for p in m.world.park_ids]
    )


def _urn_choice(m: AttractionModel, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sequential Polya-urn choice: each firm sees the counts left by the ones before it.

    Returns:
        The firms that know a park, their parks and zero margins.
    """
    prior, increment = urn_weights(m), m.spec.world.urn_increment
    avail = available(m, ids)
    has_option = avail.any(axis=1)
    ids, avail = ids[has_option], avail[has_option]
    u = m.streams.uniform(Purpose.URN, ids, m.month)
    parks = np.empty(len(ids), dtype=np.int64)
    for k in range(len(ids)):
        weights = np.where(avail[k], prior + increment * m.urn_counts, 0.0)
        parks[k] = min(
            int(np.searchsorted(np.cumsum(weights) / weights.sum(), u[k], "right")),
            len(weights) - 1,
        )
        m.urn_counts[parks[k]] += 1
    return ids, parks, np.zeros(len(ids))
