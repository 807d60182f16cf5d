"""Location choice: random utility over the parks a firm knows and its outside option.

Money is counted in yuan a year for each firm, in constant 2017 yuan. The yearly cost of
park ``p`` (in city ``c``) for firm ``i`` of sector ``s`` is::

    cost = employees * wage_c * 12 + land_cost + logistics_s * km / 1000 * output
           + fee_c * output
    land_cost = land_need * 10^4 * price_p * ANNUITY

and the expected yearly incentive, valued at the city's credibility, is::

    incentive = credibility_c * (land_cost * discount_c + tax_i * rebate_value_c
                                 + employees * subsidy_c * ANNUITY)

A yuan of incentive weighs as a yuan of cost for the same firm. A utility unit is worth
``kappa_i = 10^6 / beta_cost * (output_i / 10^8) ** money_size_elasticity`` yuan a year to
firm ``i``, so a large firm weighs a yuan less than a small one but a given policy more::

    V = - (cost - incentive) / kappa_i + beta_service * service + beta_credibility * credibility
        + beta_cluster * cluster[p, s] + beta_fit * fit[p, s] + beta_infrastructure * infra

Staying home costs ``employees * home_wage * 12 + land_need * 10^4 * home_land_price * ANNUITY``
(the region's land price, ``regions.*.land_price_yuan_m2``) and ``V0 = - home_cost / kappa_i +
home_bias``. Land scarcity is priced for each firm: the park's land price is congested at the
occupancy the park would have with the firm's own land (``supply_chain.congested``), and where
land is limited a park without room for the firm's land is not an option. Each firm carries a
persistent Gumbel taste shock per option (keyed by firm and option) scaled by
``world.taste_scale``, so a firm's ranking is stable and simulated shares equal the
multinomial-logit probabilities ``softmax(V / taste_scale)``; at ``taste_scale = 0`` the choice
is deterministic. ``supply_chain.cap`` bounds the cluster benefit. Under the ``proportional``
rule (a Polya urn) a firm picks a known park with probability proportional to
``a_p + urn_increment * n_p``, where ``a_p`` is the park's ``urn_weight`` (default
``world.urn_weight``) and ``n_p`` counts the firms that chose the park before it, updated after
every single choice so that arrivals are sequential even within a month.

Two compiled months: :func:`terms_step` refreshes the park-level terms (``m.terms``, one
:class:`ParkTerms` for the run whose arrays are filled in place), and :func:`step` lets the
searchers with news choose: availability, utilities, taste shocks (or the urn), the pick of best
and runner-up and the firm's entry into the chosen city's pipeline (logged in the model's event
log). Both take run-long arguments (:func:`terms_args`, :func:`args`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numba import njit

from ..plain import plain
from ..state.codes import Cause, Stage
from ..state.events import Ledger, lacks_room, record
from ..state.places import credibility_of, occupancy_of
from ..state.selection import Activity
from ..state.streams import Purpose, uniform_at
from . import pipeline
from .supply_chain import RETURNS, congested, fill_cluster_benefit, focus_anchor, linked_firms

if TYPE_CHECKING:
    from ..model import AttractionModel

ANNUITY = 0.08  # annual capital charge on land and one-off payments (assumption)
HORIZON_YEARS = 10.0  # years over which a firm values a rebate period (assumption)
REFERENCE_OUTPUT = 1e8  # yuan/year: the firm for which beta_cost is utility per million yuan
HOME = 1_000_003  # option key of the outside option in the taste-shock stream
_AWARE, _INSPECTING, _NEGOTIATING = int(Stage.AWARE), int(Stage.INSPECTING), int(Stage.NEGOTIATING)
_CHOSE = int(Cause.CHOSE)


@dataclass
class ParkTerms:
    """Everything about parks and cities that utilities need, fixed within a month.

    A model keeps one for the run (``m.terms``); :func:`terms_step` fills its arrays in place.
    """

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


class TermInputs(NamedTuple):
    """What the park terms are computed from (arrays updated in place, levers of the run)."""

    park_city: np.ndarray  # city of each park
    base_price: np.ndarray  # land price before congestion (P,)
    allocated: np.ndarray  # allocated land (P,)
    land_total: np.ndarray  # land (P,)
    limited: bool  # whether land is limited (else occupancy counts as zero)
    congestion: float  # price increase at full occupancy
    city_wages: np.ndarray  # monthly wage (C, months)
    fee: np.ndarray  # informal fee share (C,); so are the arrays up to matchmaking
    service: np.ndarray
    prior: np.ndarray  # prior mean of the government's credibility
    prior_weight: np.ndarray
    honoured: np.ndarray  # promises honoured so far
    broken: np.ndarray
    discount: np.ndarray
    tax_rebate: np.ndarray
    rebate_years: np.ndarray
    subsidy: np.ndarray
    matchmaking: np.ndarray
    tenants: np.ndarray  # operating firms per (park, sector)
    io: np.ndarray  # input-output links (S, S)
    weights: tuple  # of same-sector firms, suppliers and customers
    returns: int  # code of the returns of the cluster benefit (``supply_chain.RETURNS``)
    scale: float  # of the cluster benefit
    cap: float  # of the cluster benefit (``inf`` for none)
    anchor: np.ndarray  # firm-equivalents of each park's focus facilities (P, S)


class TermArrays(NamedTuple):
    """The arrays of :class:`ParkTerms` that :func:`terms_step` fills (all but infrastructure)."""

    price: np.ndarray
    cluster: np.ndarray
    wage: np.ndarray
    fee: np.ndarray
    service: np.ndarray
    credibility: np.ndarray
    discount: np.ndarray
    rebate_value: np.ndarray
    subsidy: np.ndarray
    matchmaking: np.ndarray


class TermsArgs(NamedTuple):
    """What :func:`terms_step` reads (:class:`TermInputs`) and fills (:class:`TermArrays`)."""

    inputs: tuple
    out: tuple


class Betas(NamedTuple):
    """Weights of the utility terms (``behaviour.beta_*``) and the bias towards home."""

    cost: float  # utility per million yuan a year at the reference output
    size_elasticity: float  # of the yuan value of a utility unit with output
    service: float
    credibility: float
    cluster: float
    fit: float
    infrastructure: float
    home_bias: float


class UtilityInputs(NamedTuple):
    """What utilities depend on besides the firm and the home wages (:func:`_firm_utilities`)."""

    park_city: np.ndarray  # city of each park
    employees: np.ndarray  # firm column (all firms); so are output to region
    output: np.ndarray  # yuan/year
    land_need: np.ndarray  # ha
    tax: np.ndarray  # yuan/year
    sector: np.ndarray
    region: np.ndarray  # origin region
    logistics_share: np.ndarray  # logistics cost share of each sector per 1,000 km
    dist_km: np.ndarray  # distance (region, city)
    park_fit: np.ndarray  # fit of each (park, sector)
    home_land_price: np.ndarray  # yuan/m2 in each origin region
    base_price: np.ndarray  # land price of each park before congestion (yuan/m2)
    allocated: np.ndarray  # land allocated in each park (ha, updated in place)
    land_total: np.ndarray  # land of each park (ha)
    limited: bool  # whether land is limited (a park without room is no option)
    congestion: float  # price increase at full occupancy
    turned_away: np.ndarray  # investors each park turned away for lack of land (in place)
    price: np.ndarray  # field of ParkTerms, as are the fields up to infrastructure
    cluster: np.ndarray  # (P, S)
    wage: np.ndarray
    fee: np.ndarray
    service: np.ndarray
    credibility: np.ndarray
    discount: np.ndarray
    rebate_value: np.ndarray
    subsidy: np.ndarray
    infrastructure: np.ndarray
    betas: tuple  # the fields of Betas


class Search(NamedTuple):
    """The firm columns that say who searches with news this month (see :func:`_pending`)."""

    stage: np.ndarray
    search_start: np.ndarray
    search_end: np.ndarray
    needs_choice: np.ndarray


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


class Rule(NamedTuple):
    """How firms pick among the options they may choose (fixed for a run)."""

    proportional: bool  # the Polya urn (else the logit)
    excluded: np.ndarray  # firm column (n, C): excluded from the city
    refused: np.ndarray  # firm column (n, P): turned away by the park for lack of land
    scale: float  # of the Gumbel taste shocks
    park_salts: np.ndarray  # salt of each park's taste-shock stream (P,)
    home_salt: np.uint64  # salt of the home option's taste-shock stream
    urn_prior: np.ndarray  # initial weight of each park in the urn (P,)
    urn_increment: float  # weight a park gains per firm that chose it
    urn_counts: np.ndarray  # firms that chose each park under the urn (updated in place)
    urn_salts: np.ndarray  # salts of the urn's draws by month (months, 1)


class Args(NamedTuple):
    """What :func:`step` reads and writes for the whole run (:func:`args`)."""

    entry: tuple  # the fields of Entry
    delays: tuple  # the run's delay fields (``pipeline.delay_args``)
    rule: tuple  # the fields of Rule
    home_wages: np.ndarray  # (region, month)
    utility: tuple  # the fields of UtilityInputs (of ``m.terms``)
    search: tuple  # the fields of Search


# ---------------------------------------------------------------- park terms
@njit(cache=True, error_model="numpy", inline="always")
def _fill_terms(month: int, t: TermInputs, out: TermArrays) -> None:
    """Congested price, city terms and cluster benefit of every park this month, into ``out``.

    Occupancy and credibility are those of ``ParkState.occupancy`` and
    ``CityState.credibility`` (:func:`~zhaoshang.model.state.places.occupancy_of`,
    :func:`~zhaoshang.model.state.places.credibility_of`).

    Args:
        month: The month (column of the city wages).
        t: What the terms are computed from.
        out: The arrays it fills.
    """
    for p in range(t.park_city.size):
        c = t.park_city[p]
        occupancy = occupancy_of(t.allocated[p], t.land_total[p]) if t.limited else 0.0
        out.price[p] = congested(t.base_price[p], occupancy, t.congestion)
        out.wage[p] = t.city_wages[c, month]
        out.fee[p] = t.fee[c]
        out.service[p] = t.service[c]
        out.credibility[p] = credibility_of(
            t.prior[c], t.prior_weight[c], t.honoured[c], t.broken[c]
        )
        out.discount[p] = t.discount[c]
        out.rebate_value[p] = (
            t.tax_rebate[c] * min(t.rebate_years[c], HORIZON_YEARS) / HORIZON_YEARS
        )
        out.subsidy[p] = t.subsidy[c]
        out.matchmaking[p] = t.matchmaking[c]
    same, sup, cust = t.weights
    suppliers, customers = linked_firms(t.tenants, t.io)
    fill_cluster_benefit(
        t.tenants, suppliers, customers, t.anchor, same, sup, cust, t.returns, t.scale,
        out.matchmaking, t.cap, out.cluster,
    )


@njit(cache=True)
def terms_step(month: int, args: tuple, activity: tuple, ledger: tuple) -> int:
    """The month's park terms, written into the model's :class:`ParkTerms` (no events).

    A compiled month (:mod:`zhaoshang.model.month` says what it takes and returns); ``args``
    holds the fields of :class:`TermsArgs` (:func:`terms_args`).
    """
    a = TermsArgs(*args)
    _fill_terms(month, TermInputs(*a.inputs), TermArrays(*a.out))
    return 0


def _terms(m: AttractionModel) -> ParkTerms:
    """The model's park terms, one object for the run (allocated on first use)."""
    n_parks, n_sectors = m.parks.tenants.shape

    def build() -> ParkTerms:
        arrays = {field.name: np.zeros(n_parks) for field in fields(ParkTerms)}
        arrays.update(cluster=np.zeros((n_parks, n_sectors)), infrastructure=m.parks.infrastructure)
        return ParkTerms(**arrays)

    return m.kept("park terms", build)


def terms_args(m: AttractionModel) -> tuple:
    """What :func:`terms_step` reads and the arrays it fills, for the whole run."""

    def build() -> tuple:
        w, gov, parks, cities, chain = m.world, m.policy, m.parks, m.cities, m.spec.supply_chain
        t = _terms(m)
        inputs = TermInputs(
            park_city=w.park_city, base_price=parks.base_price, allocated=parks.land_allocated,
            land_total=parks.land_total, limited=m.spec.world.capacity == "limited",
            congestion=float(chain.congestion), city_wages=m.city_wages, fee=gov.fee,
            service=gov.service, prior=cities.prior, prior_weight=cities.prior_weight,
            honoured=cities.honoured, broken=cities.broken, discount=gov.land_discount,
            tax_rebate=gov.tax_rebate, rebate_years=gov.rebate_years, subsidy=gov.subsidy,
            matchmaking=gov.matchmaking, tenants=parks.tenants,
            io=np.ascontiguousarray(w.io, dtype=float),
            weights=(float(chain.same_sector), float(chain.suppliers), float(chain.customers)),
            returns=RETURNS[chain.returns], scale=float(chain.scale),
            cap=np.inf if chain.cap is None else float(chain.cap),
            anchor=focus_anchor(w.park_fit, chain),
        )
        out = TermArrays(**{name: getattr(t, name) for name in TermArrays._fields})
        return plain(TermsArgs(inputs=inputs, out=out))

    return m.kept("choice terms", build)


def park_terms(m: AttractionModel) -> ParkTerms:
    """Refresh the model's park terms for the current month and return them (``m.terms``)."""
    terms_step(m.month, terms_args(m), m.activity, m.event_log.fields())  # writes no events
    return _terms(m)


# ---------------------------------------------------------------- utilities
def _utility_inputs(m: AttractionModel, terms: ParkTerms) -> UtilityInputs:
    """What utilities depend on besides the firm and the home wages (:func:`_firm_utilities`)."""
    b, f, w = m.spec.behaviour, m.firms, m.world
    betas = Betas(
        cost=b.beta_cost,
        size_elasticity=b.money_size_elasticity,
        service=b.beta_service,
        credibility=b.beta_credibility,
        cluster=b.beta_cluster,
        fit=b.beta_fit,
        infrastructure=b.beta_infrastructure,
        home_bias=b.home_bias,
    )
    return UtilityInputs(
        park_city=w.park_city,
        employees=f.employees,
        output=f.output,
        land_need=f.land_need,
        tax=f.tax,
        sector=f.sector,
        region=f.region,
        logistics_share=m.logistics_share,
        dist_km=w.dist_km,
        park_fit=w.park_fit,
        home_land_price=w.region_array("land_price_yuan_m2"),
        base_price=m.parks.base_price,
        allocated=m.parks.land_allocated,
        land_total=m.parks.land_total,
        limited=m.spec.world.capacity == "limited",
        congestion=float(m.spec.supply_chain.congestion),
        turned_away=m.parks.turned_away,
        price=terms.price,
        cluster=terms.cluster,
        wage=terms.wage,
        fee=terms.fee,
        service=terms.service,
        credibility=terms.credibility,
        discount=terms.discount,
        rebate_value=terms.rebate_value,
        subsidy=terms.subsidy,
        infrastructure=terms.infrastructure,
        betas=betas,
    )


@njit(cache=True, inline="always")
def _park_price(p: int, land: float, u: UtilityInputs) -> tuple[float, bool]:
    """Land price of park ``p`` for a firm needing ``land`` ha, and whether it has room.

    Where land is limited the price is congested at the occupancy the park would have with
    the firm's land (the scarcity it would face, at most full); elsewhere it is the month's
    price and there is always room.
    """
    if not u.limited:
        return u.price[p], True
    room = land <= u.land_total[p] - u.allocated[p]
    occupancy = (u.allocated[p] + land) / u.land_total[p] if u.land_total[p] > 0 else 1.0
    return congested(u.base_price[p], occupancy, u.congestion), room


@njit(cache=True, error_model="numpy")
def _firm_utilities(
    i: int, parks: np.ndarray, v: np.ndarray, room: np.ndarray, home_wage: np.ndarray,
    u: UtilityInputs,
) -> float:
    """Deterministic utility of parks ``parks`` for firm ``i`` (into ``v``) and of its home.

    Money terms are yuan a year for this firm, divided by the yuan value of its utility unit
    (see the module docstring). A park without room for the firm's land is valued at its
    full price all the same (what the firm would want), and flagged in ``room``.

    Args:
        i: The firm.
        parks: The parks to evaluate (the other elements of ``v`` are left as they are).
        v: Array (P,) receiving the park utilities.
        room: Array (P,) receiving whether each park has room for the firm's land.
        home_wage: Monthly wage in each origin region this month.
        u: What else utilities depend on.

    Returns:
        The utility of staying home.
    """
    b = Betas(*u.betas)
    emp, out, land, s, r = u.employees[i], u.output[i], u.land_need[i], u.sector[i], u.region[i]
    per_yuan = b.cost * 1e-6 * (REFERENCE_OUTPUT / out) ** b.size_elasticity
    for p in parks:
        price, room[p] = _park_price(p, land, u)
        land_cost = land * 1e4 * price * ANNUITY
        logistics = u.logistics_share[s] * u.dist_km[r, u.park_city[p]] / 1000 * out
        cost = emp * u.wage[p] * 12 + land_cost + logistics + u.fee[p] * out
        cred = u.credibility[p]
        incentive = cred * (
            land_cost * u.discount[p] + u.tax[i] * u.rebate_value[p] + emp * u.subsidy[p] * ANNUITY
        )
        v[p] = (
            -per_yuan * (cost - incentive)
            + b.service * u.service[p]
            + b.credibility * cred
            + b.cluster * u.cluster[p, s]
            + b.fit * u.park_fit[p, s]
            + b.infrastructure * u.infrastructure[p]
        )
    home_cost = emp * home_wage[r] * 12 + land * 1e4 * u.home_land_price[r] * ANNUITY
    return -per_yuan * home_cost + b.home_bias


@njit(cache=True)
def _utilities(
    ids: np.ndarray, v: np.ndarray, v_home: np.ndarray, home_wage: np.ndarray, inputs: tuple
) -> None:
    """Utilities of firms ``ids`` into ``v`` (n, P) and ``v_home`` (n,); ``-inf`` if no room.

    ``inputs`` are the fields of :class:`UtilityInputs` (:func:`_utility_inputs`).
    """
    u = UtilityInputs(*inputs)
    parks = np.arange(v.shape[1])
    room = np.empty(v.shape[1], dtype=np.bool_)
    for k in range(ids.size):
        v_home[k] = _firm_utilities(ids[k], parks, v[k], room, home_wage, u)
        for p in parks:
            if not room[p]:
                v[k, p] = -np.inf


def utilities(
    m: AttractionModel, ids: np.ndarray, terms: ParkTerms
) -> tuple[np.ndarray, np.ndarray]:
    """Deterministic utilities of every park (n, P) and of home (n,) for firms ``ids``."""
    v = np.empty((len(ids), len(m.world.park_city)))
    v_home = np.empty(len(ids))
    _utilities(
        np.asarray(ids, dtype=np.int64), v, v_home, m.home_wage, plain(_utility_inputs(m, terms))
    )
    return v, v_home


# ---------------------------------------------------------------- choice
@njit(cache=True, inline="always")
def _may_choose(
    known: np.ndarray, excluded: np.ndarray, refused: np.ndarray, i: int, park: int, city: int
) -> bool:
    """Whether firm ``i`` knows ``city``, is not excluded from it, and ``park`` did not refuse it.

    Exclusion is by city (a deal there failed) or by park (the park turned the firm away for
    lack of land, so the firm may still choose the city's other parks).
    """
    return known[i, city] > 0 and not excluded[i, city] and not refused[i, park]


@njit(cache=True, inline="always")
def _choosable(
    known: np.ndarray,
    excluded: np.ndarray,
    refused: np.ndarray,
    i: int,
    park_city: np.ndarray,
    options: np.ndarray,
) -> int:
    """The parks firm ``i`` may choose (:func:`_may_choose`), ascending, into ``options``.

    Without branches (write every park, advance only past the choosable ones): whether a firm
    knows a city is unpredictable from firm to firm.

    Returns:
        How many parks it may choose (the first elements of ``options``).
    """
    n = 0
    for p in range(park_city.size):
        city = park_city[p]
        options[n] = p
        n += (known[i, city] > 0) & (not excluded[i, city]) & (not refused[i, p])
    return n


@njit(cache=True, inline="always")
def _gumbel(salt: np.uint64, key: np.uint64) -> float:
    """The keyed standard Gumbel draw, as ``KeyedStreams.gumbel``."""
    return -math.log(-math.log(uniform_at(salt, key)))


@njit(cache=True, error_model="numpy", inline="always")
def _logit_choose(
    ids: np.ndarray, rule: Rule, entry: Entry, home_wage: np.ndarray, inputs: UtilityInputs
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each firm's best option: utility plus taste shock, over the parks it may choose and home.

    Only the parks a firm may choose are valued, and a firm that may choose none stays home
    unvalued. A park without room for the firm's land is no option; if it would have been
    the firm's best (its utility at the scarcity price and taste shock beat every other
    option), the park counts the firm as turned away for lack of land (at every such choice,
    as ``land.py`` counts every refusal at a contract).

    Args:
        ids: Firms.
        rule: The taste shocks and exclusions.
        entry: Firm columns and places.
        home_wage: Monthly wage in each origin region this month.
        inputs: What else utilities depend on (:func:`_utility_inputs`).

    Returns:
        The firms for which a park beats home, that park, and their best total utility less
        the runner-up's (home included) as their margins.
    """
    park_city, known = entry.park_city, entry.known
    v = np.empty(park_city.size)
    room = np.ones(park_city.size, dtype=np.bool_)
    total = np.empty(park_city.size)
    options = np.empty(park_city.size, dtype=np.int64)
    movers = np.empty(ids.size, dtype=np.int64)
    park = np.empty(ids.size, dtype=np.int64)
    margin = np.empty(ids.size)
    n_movers = 0
    for k in range(ids.size):
        n_options = _choosable(
            known, rule.excluded, rule.refused, ids[k], park_city, options
        )
        if n_options == 0:
            continue
        total[:] = -np.inf
        key = np.uint64(ids[k])
        v_home = _firm_utilities(ids[k], options[:n_options], v, room, home_wage, inputs)
        wanted, wanted_total = -1, -np.inf  # the best park without room
        for p in options[:n_options]:
            total[p] = v[p] + rule.scale * _gumbel(rule.park_salts[p], key)
            if not room[p]:
                if total[p] > wanted_total:
                    wanted, wanted_total = p, total[p]
                total[p] = -np.inf
        home = v_home + rule.scale * _gumbel(rule.home_salt, key)
        best = 0  # the first maximum, as argmax
        for p in range(1, park_city.size):
            if total[p] > total[best]:
                best = p
        runner_up = home
        for p in range(park_city.size):
            if p != best and total[p] > runner_up:
                runner_up = total[p]
        if wanted >= 0 and wanted_total > max(total[best], home):
            inputs.turned_away[wanted] += 1  # a refusal, as at a contract (``land.py``)
        if total[best] > home:
            movers[n_movers] = ids[k]
            park[n_movers] = best
            margin[n_movers] = total[best] - runner_up
            n_movers += 1
    return movers[:n_movers], park[:n_movers], margin[:n_movers]


@njit(cache=True, inline="always")
def _block_sum(a: np.ndarray, start: int, n: int) -> float:
    """Sum of ``a[start:start + n]`` (``n`` at most 128) in NumPy's order: eight lanes."""
    if n < 8:
        res = -0.0
        for i in range(start, start + n):
            res += a[i]
        return res
    r = a[start:start + 8].copy()
    i = 8
    while i < n - n % 8:
        for j in range(8):
            r[j] += a[start + i + j]
        i += 8
    res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
    while i < n:
        res += a[start + i]
        i += 1
    return res


@njit(cache=True)
def _numpy_sum(a: np.ndarray) -> float:
    """``a.sum()`` with NumPy's pairwise order, so with its rounding (no recursion: cached)."""
    # Blocks of up to 128 are summed in lanes; longer runs split in two halves (a multiple of
    # 8 first) whose sums are added: a post-order walk of that tree with explicit stacks.
    start, size = np.empty(64, dtype=np.int64), np.empty(64, dtype=np.int64)
    split, sums = np.zeros(64, dtype=np.bool_), np.empty(64)
    start[0], size[0], top, n_sums = 0, a.size, 0, 0
    while top >= 0:
        first, n = start[top], size[top]
        if n <= 128:
            sums[n_sums] = _block_sum(a, first, n)
            n_sums += 1
            top -= 1
        elif split[top]:
            sums[n_sums - 2] = sums[n_sums - 2] + sums[n_sums - 1]
            n_sums -= 1
            top -= 1
        else:
            half = n // 2
            half -= half % 8
            split[top] = True
            start[top + 1], size[top + 1], split[top + 1] = first + half, n - half, False
            start[top + 2], size[top + 2], split[top + 2] = first, half, False
            top += 2
    return sums[0]


@njit(cache=True, inline="always")
def _search_right(sorted_values: np.ndarray, x: float) -> int:
    """``np.searchsorted(sorted_values, x, "right")`` (NaN sorts last, as in NumPy)."""
    low, high = 0, sorted_values.size
    while low < high:
        mid = low + (high - low) // 2
        value = sorted_values[mid]
        if x < value or (value != value and x == x):
            high = mid
        else:
            low = mid + 1
    return low


@njit(cache=True, inline="always")
def _urn_choose(
    month: int, ids: np.ndarray, rule: Rule, entry: Entry
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sequential Polya-urn choice: each firm sees the counts left by the ones before it.

    Returns:
        The firms that may choose a park, their parks and zero margins.
    """
    park_city, n_parks = entry.park_city, entry.park_city.size
    weights = np.empty(n_parks)
    cdf = np.empty(n_parks)
    movers = np.empty(ids.size, dtype=np.int64)
    parks = np.empty(ids.size, dtype=np.int64)
    salt = rule.urn_salts[month, 0]
    n = 0
    for i in ids:
        has_option = False
        for p in range(n_parks):
            may = _may_choose(entry.known, rule.excluded, rule.refused, i, p, park_city[p])
            has_option |= may
            weights[p] = rule.urn_prior[p] + rule.urn_increment * rule.urn_counts[p] if may else 0.0
        if not has_option:
            continue
        total = _numpy_sum(weights)
        acc = 0.0
        for p in range(n_parks):
            acc += weights[p]
            cdf[p] = acc / total
        park = min(_search_right(cdf, uniform_at(salt, np.uint64(i))), n_parks - 1)
        rule.urn_counts[park] += 1
        movers[n], parks[n] = i, park
        n += 1
    return movers[:n], parks[:n], np.zeros(n)


@njit(cache=True, inline="always")
def _enter(
    ids: np.ndarray, parks: np.ndarray, margins: np.ndarray, entry: Entry, direct_city: int,
    delays: pipeline.Delays, log: Ledger,
) -> None:
    """Firms ``ids`` enter the pipeline of the city of their chosen park; choices are logged.

    A firm starts with a site visit, or at once negotiates in the direct city. Every
    choice is logged before any is applied, so a firm listed twice logs its earlier stage
    both times.

    Args:
        ids: The firms.
        parks: The park each chose.
        margins: Each firm's best total utility less the runner-up's.
        entry: Firm columns and places.
        direct_city: Firms choosing this city skip the site visit (-1: none).
        delays: Delays of the pipeline this month (``pipeline.Delays``).
        log: The model's event log.
    """
    for k in range(ids.size):
        i, park = ids[k], parks[k]
        city = entry.park_city[park]
        to = _NEGOTIATING if city == direct_city else _INSPECTING
        record(log, i, entry.stage[i], to, park, city, entry.known[i, city], _CHOSE)
    for k in range(ids.size):
        i, park = ids[k], parks[k]
        city = entry.park_city[park]
        direct = city == direct_city
        entry.stage[i] = _NEGOTIATING if direct else _INSPECTING
        entry.park[i] = park
        entry.city[i] = city
        entry.channel[i] = entry.known[i, city]
        entry.margin[i] = margins[k]
        kind = pipeline.NEGOTIATION if direct else pipeline.INSPECTION
        entry.due[i] = pipeline.due_month(i, city, kind, entry.in_building, delays)


@njit(cache=True)
def _choose(month: int, ids: np.ndarray, direct_city: int, args: tuple, log: Ledger) -> None:
    """Firms ``ids`` pick their best option; those picking a park enter its city's pipeline.

    Args:
        month: The month.
        ids: The firms that evaluate now.
        direct_city: Firms choosing this city skip the site visit (-1: none).
        args: The fields of :class:`Args` (:func:`args`).
        log: The model's event log, with room for ``ids.size`` events.
    """
    a = Args(*args)
    entry = Entry(*a.entry)
    rule = Rule(*a.rule)
    if rule.proportional:
        movers, parks, margins = _urn_choose(month, ids, rule, entry)
    else:
        movers, parks, margins = _logit_choose(
            ids, rule, entry, a.home_wages[:, month], UtilityInputs(*a.utility)
        )
    _enter(movers, parks, margins, entry, direct_city, pipeline.delays_at(month, a.delays), log)


@njit(cache=True)
def _choose_firms(
    month: int, ids: np.ndarray, direct_city: int, args: tuple, ledger: tuple
) -> None:
    """:func:`_choose` with the fields of the event log's ``Ledger``."""
    _choose(month, ids, direct_city, args, Ledger(*ledger))


@njit(cache=True, inline="always")
def _pending(
    active: np.ndarray, stage: np.ndarray, start: np.ndarray, end: np.ndarray,
    needs_choice: np.ndarray, month: int,
) -> np.ndarray:
    """The searchers (as ``selection.searchers``) with news (``needs_choice``), in their order.

    One pass; the news is tested first, as few firms have any.
    """
    out = np.empty(active.size, dtype=np.int64)
    n = 0
    for i in active:
        if needs_choice[i] and stage[i] <= _AWARE and start[i] <= month < end[i]:
            out[n] = i
            n += 1
    return out[:n]


@njit(cache=True)
def step(month: int, args: tuple, activity: tuple, ledger: tuple) -> int:
    """The month's choices: searchers with news (``needs_choice``) choose, their flag cleared.

    A compiled month (:mod:`zhaoshang.model.month` says what it takes and returns); ``args``
    holds the fields of :class:`Args` (:func:`args`).
    """
    s = Search(*Args(*args).search)
    act, log = Activity(*activity), Ledger(*ledger)
    pending = _pending(
        act.order[: act.count[0]], s.stage, s.search_start, s.search_end, s.needs_choice, month
    )
    if lacks_room(log, pending.size):
        return pending.size
    for i in pending:
        s.needs_choice[i] = False
    _choose(month, pending, -1, args, log)
    return 0


def urn_weights(m: AttractionModel) -> np.ndarray:
    """Initial weight ``a_p`` of every park in the urn (its own or ``world.urn_weight``)."""
    default = m.spec.world.urn_weight
    parks = m.spec.parks
    return np.array(
        [default if parks[p].urn_weight is None else parks[p].urn_weight for p in m.world.park_ids]
    )


def _rule(m: AttractionModel) -> Rule:
    """How the model's firms pick among their options."""
    w, streams, n_parks = m.spec.world, m.streams, len(m.world.park_city)
    return Rule(
        proportional=w.choice == "proportional",
        excluded=m.firms.excluded,
        refused=m.firms.refused,
        scale=float(w.taste_scale),
        park_salts=streams.table(Purpose.TASTE, 1, n_parks)[0],  # persistent: month 0
        home_salt=streams.salt(Purpose.TASTE, 0, HOME),
        urn_prior=urn_weights(m).astype(float),
        urn_increment=float(w.urn_increment),
        urn_counts=m.urn_counts,
        urn_salts=streams.table(Purpose.URN, m.horizon + 1),
    )


def args(m: AttractionModel) -> tuple:
    """What :func:`step` reads and writes, for the whole run: the fields of :class:`Args`."""

    def build() -> tuple:
        f = m.firms
        entry = Entry(
            stage=f.stage, park=f.park, city=f.city, channel=f.channel, margin=f.margin,
            due=f.due, known=f.known, in_building=f.in_building, park_city=m.world.park_city,
        )
        search = Search(
            stage=f.stage, search_start=f.search_start, search_end=f.search_end,
            needs_choice=f.needs_choice,
        )
        return plain(Args(
            entry=entry, delays=pipeline.delay_args(m), rule=_rule(m), home_wages=m.home_wages,
            utility=_utility_inputs(m, _terms(m)), search=search,
        ))

    return m.kept("choice", build)


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
    _choose_firms(
        m.month, np.asarray(ids, dtype=np.int64), int(direct_city), args(m),
        m.event_log.fields(),
    )
