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
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .codes import Cause, Stage
from .streams import Purpose
from .supply_chain import cluster_benefit, congested_price

if TYPE_CHECKING:
    from .model import AttractionModel

ANNUITY = 0.08  # annual capital charge on land and one-off payments (assumption)
HORIZON_YEARS = 10.0  # years over which a firm values a rebate period (assumption)
HOME = 1_000_003  # option key of the outside option in the taste-shock stream


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


def park_terms(m: AttractionModel) -> ParkTerms:
    """Compute this month's park-level terms of the utility."""
    w = m.world
    pc = w.park_city
    gov = m.policy
    tenants = m.parks.tenants
    cluster = cluster_benefit(tenants, w.io, m.spec.supply_chain)
    cluster = cluster * (1.0 + gov.matchmaking[pc])[:, None]
    if m.spec.supply_chain.cap is not None:
        cluster = np.minimum(cluster, m.spec.supply_chain.cap)
    occupancy = m.parks.occupancy if m.spec.world.capacity == "limited" else 0.0
    return ParkTerms(
        price=congested_price(m.parks.base_price, occupancy, m.spec.supply_chain.congestion),
        cluster=cluster,
        wage=m.city_wage[pc],
        fee=gov.fee[pc],
        service=gov.service[pc],
        credibility=m.cities.credibility[pc],
        discount=gov.land_discount[pc],
        rebate_value=gov.tax_rebate[pc]
        * np.minimum(gov.rebate_years[pc], HORIZON_YEARS)
        / HORIZON_YEARS,
        subsidy=gov.subsidy[pc],
        infrastructure=m.parks.infrastructure,
        matchmaking=gov.matchmaking[pc],
    )


def utilities(
    m: AttractionModel, ids: np.ndarray, terms: ParkTerms
) -> tuple[np.ndarray, np.ndarray]:
    """Deterministic utilities of every park (n, P) and of home (n,) for firms ``ids``."""
    b = m.spec.behaviour
    f = m.firms
    emp = f.employees[ids][:, None]
    out = f.output[ids][:, None]
    land = f.land_need[ids][:, None]
    sector = f.sector[ids]
    region = f.region[ids]
    logistics = (
        m.logistics_share[sector][:, None] * m.world.dist_km[region][:, m.world.park_city] / 1000
    )
    land_cost = land * 1e4 * terms.price[None, :] * ANNUITY
    cost = (emp * terms.wage[None, :] * 12 + land_cost) / out + logistics + terms.fee[None, :]
    incentive = (
        land_cost * terms.discount[None, :]
        + f.tax[ids][:, None] * terms.rebate_value[None, :]
        + emp * terms.subsidy[None, :] * ANNUITY
    ) / out
    cred = terms.credibility[None, :]
    v = (
        -b.beta_cost * cost
        + b.beta_incentive * cred * incentive
        + b.beta_service * terms.service[None, :]
        + b.beta_credibility * cred
        + b.beta_cluster * terms.cluster[:, sector].T
        + b.beta_fit * m.world.park_fit[:, sector].T
        + b.beta_infrastructure * terms.infrastructure[None, :]
    )
    home_cost = f.employees[ids] * m.home_wage[region] * 12 / f.output[ids]
    v_home = -b.beta_cost * home_cost + b.home_bias
    return v, v_home


def available(m: AttractionModel, ids: np.ndarray) -> np.ndarray:
    """Parks each firm may choose: its city is known and not excluded (n, P)."""
    pc = m.world.park_city
    known = (m.firms.known[ids] > 0) & ~m.firms.excluded[ids]
    return known[:, pc]


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
    f = m.firms
    avail = available(m, ids)
    has_option = avail.any(axis=1)
    ids, avail = ids[has_option], avail[has_option]
    if len(ids) == 0:
        return
    n_parks = avail.shape[1]
    if m.spec.world.choice == "proportional":
        park, margin = _urn_choice(m, ids, avail)
    else:
        v, v_home = utilities(m, ids, m.terms)
        scale = m.spec.world.taste_scale
        shocks = m.streams.gumbel(Purpose.TASTE, ids[:, None], 0, np.arange(n_parks)[None, :])
        total = np.where(avail, v + scale * shocks, -np.inf)
        home = v_home + scale * m.streams.gumbel(Purpose.TASTE, ids, 0, HOME)
        best = total.argmax(axis=1)
        best_u = total[np.arange(len(ids)), best]
        total[np.arange(len(ids)), best] = -np.inf
        runner_up = np.maximum(total.max(axis=1), home)
        park = np.where(best_u > home, best, -1)
        margin = np.where(park >= 0, best_u - runner_up, 0.0)
    movers = park >= 0
    ids, park, margin = ids[movers], park[movers], margin[movers]
    if len(ids) == 0:
        return
    city = m.world.park_city[park]
    direct = city == direct_city
    to_stage = np.where(direct, Stage.NEGOTIATING, Stage.INSPECTING).astype(np.int8)
    m.log(ids, f.stage[ids], to_stage, park, city, f.known[ids, city], Cause.CHOSE)
    f.stage[ids] = to_stage
    f.park[ids] = park
    f.city[ids] = city
    f.channel[ids] = f.known[ids, city]
    f.margin[ids] = margin
    delay = np.where(direct, m.delay(ids, "negotiation", city), m.delay(ids, "inspection", city))
    f.due[ids] = m.month + delay


def urn_weights(m: AttractionModel) -> np.ndarray:
    """Initial weight ``a_p`` of every park in the urn (its own or ``world.urn_weight``)."""
    default = m.spec.world.urn_weight
    parks = m.spec.parks
    return np.array(
        [default if parks[p].urn_weight is None else parks[p].urn_weight for p in m.world.park_ids]
    )


def _urn_choice(
    m: AttractionModel, ids: np.ndarray, avail: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Sequential Polya-urn choice: each firm sees the counts left by the ones before it."""
    prior, increment = urn_weights(m), m.spec.world.urn_increment
    u = m.streams.uniform(Purpose.URN, ids, m.month)
    parks = np.empty(len(ids), dtype=np.int64)
    for k in range(len(ids)):
        weights = np.where(avail[k], prior + increment * m.urn_counts, 0.0)
        parks[k] = min(
            int(np.searchsorted(np.cumsum(weights) / weights.sum(), u[k], "right")),
            len(weights) - 1,
        )
        m.urn_counts[parks[k]] += 1
    return parks, np.zeros(len(ids))
