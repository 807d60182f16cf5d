"""Pipeline conversion: site visit, negotiation, signing, construction start, operation.

At each stage a deal converts with a probability whose log-odds rise with the firm's utility
margin over its next best option, the professionalism of the attraction staff and the
service quality (one-stop approval), and fall with informal fees. Delays grow with
rent-seeking and shrink with professional staff, good service and ready standard factory
buildings. A deal that fails sends the firm back to its search without that city (without
that park only, when the park turned it away for lack of land); a firm whose search window
has closed by then stays home (``pressure.end_step``).

Each month :func:`step` moves every firm whose next step is due, later stages first, in
one compiled call (its arguments, :func:`args`, are kept for the run): the
stages are handled in the same order, firm by firm, as a sequence of NumPy steps would, so
event order and sums over firms do not depend on the batching. The kernels see the model
through the views of :class:`Deals`, write each transition into the model's event log
(``events.record``) and give a firm that moves the due month of its next step (:func:`delay`,
by kind of step; the month's mean delays are tabled once, :class:`Timing`).
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numba import njit

from ..plain import plain
from ..state.codes import PIPELINE, Cause, Stage
from ..state.events import Ledger, lacks_room, record
from ..state.firms import NEVER
from ..state.selection import Activity
from ..state.streams import Purpose, uniform_at
from . import land, selectivity

if TYPE_CHECKING:
    from ..model import AttractionModel

_FIRST, _LAST = int(min(PIPELINE)), int(max(PIPELINE))
# Stage and cause codes as plain integers, for the kernels.
_AWARE, _INSPECTING, _NEGOTIATING = int(Stage.AWARE), int(Stage.INSPECTING), int(Stage.NEGOTIATING)
_FRAMEWORK, _CONTRACT = int(Stage.FRAMEWORK), int(Stage.CONTRACT)
_CONSTRUCTION, _OPERATING = int(Stage.CONSTRUCTION), int(Stage.OPERATING)
_LOST, _REJECTED = int(Stage.LOST), int(Stage.REJECTED)
_CONVERTED, _FELL_THROUGH = int(Cause.CONVERTED), int(Cause.FELL_THROUGH)
_NO_LAND, _STARTED, _COMPLETED = int(Cause.NO_LAND), int(Cause.STARTED), int(Cause.COMPLETED)

#: Kinds of step a firm waits for (codes of :func:`delay`); code 0 means no next step.
DELAY_KINDS = {"inspection": 1, "negotiation": 2, "framework": 3, "approval": 4, "construction": 5}
NO_STEP = 0
INSPECTION, NEGOTIATION = DELAY_KINDS["inspection"], DELAY_KINDS["negotiation"]
_AGREEMENT, _APPROVAL = DELAY_KINDS["framework"], DELAY_KINDS["approval"]
_BUILDING = DELAY_KINDS["construction"]
#: Base rate of each converting stage (attribute of the behaviour), by stage code.
_RATES = {
    int(Stage.INSPECTING): "inspect_rate",
    int(Stage.NEGOTIATING): "sign_rate",
    int(Stage.FRAMEWORK): "framework_conversion",
    int(Stage.CONTRACT): "start_rate",
}


class Conversion(NamedTuple):
    """What the conversion probability of a deal depends on (arrays by city)."""

    on: bool  # stochastic conversion (otherwise every deal converts)
    margin_effect: float
    professionalism_effect: float
    service_effect: float
    rent_effect: float
    professionalism: np.ndarray
    service: np.ndarray
    fee: np.ndarray


class Terms(NamedTuple):
    """This month's pipeline terms: keyed-draw salts, base rates, completion terms."""

    month: int
    logit: np.ndarray  # log-odds of each stage's base conversion rate (by stage code)
    convert_salt: np.ndarray  # uint64 salts of this month's conversion draws (by stage code)
    contract_salt: np.uint64  # draws of who signs a contract directly (not a framework)
    contract_share: float
    satisfied_level: float  # satisfaction of a firm starting operation
    subsidy: np.ndarray  # yuan per job, by city
    rebate_years: np.ndarray  # years of tax rebate, by city


class Delays(NamedTuple):
    """What the delay until a firm's next step depends on (see :func:`delay`)."""

    on: bool  # stage delays (otherwise every step takes one month)
    month: int
    salt: np.ndarray  # uint64 salts of this month's DELAY draws, by kind of step
    inspection: float  # months of the behaviour
    negotiation: float
    building: float
    construction: float
    professionalism: np.ndarray  # levers by city
    extra_delay: np.ndarray  # rent-seeking delay
    approval: np.ndarray
    service: np.ndarray


class RunTerms(NamedTuple):
    """The run-long fields of :class:`Terms` (see :func:`_terms_at`)."""

    logit: np.ndarray
    convert_salts: np.ndarray  # a row per month and a column per stage code
    contract_salt: np.uint64
    contract_share: float
    satisfied_level: float
    subsidy: np.ndarray
    rebate_years: np.ndarray


class RunDelays(NamedTuple):
    """The run-long fields of :class:`Delays` (see :func:`delays_at`)."""

    on: bool
    salts: np.ndarray  # a row per month and a column per delay code up to the last
    inspection: float
    negotiation: float
    building: float
    construction: float
    professionalism: np.ndarray
    extra_delay: np.ndarray
    approval: np.ndarray
    service: np.ndarray


class Timing(NamedTuple):
    """This month's delays of the pipeline's own moves, tabled (see :func:`_timing`)."""

    month: int
    mean: np.ndarray  # mean months of a step by (kind of step, city, housed in a building)
    salt: np.ndarray  # uint64 salts of this month's DELAY draws, by kind of step


class Deals(NamedTuple):
    """Everything the pipeline kernels read and write."""

    firms: land.FirmColumns
    parks: land.ParkColumns
    cities: land.Accounts
    land: land.LandRules
    screen: selectivity.Rules
    conversion: Conversion
    terms: Terms
    timing: Timing
    log: Ledger


@lru_cache(maxsize=64)
def _logit(p: float) -> float:
    p = min(max(p, 1e-9), 1 - 1e-9)
    return float(np.log(p / (1 - p)))


def _conversion(m: AttractionModel) -> tuple:
    """The fields of :class:`Conversion`, as a plain tuple (built once per run)."""
    b, pol = m.spec.behaviour, m.policy
    return m.kept("pipeline conversion", lambda: tuple(Conversion(
        on=bool(m.spec.mechanisms.conversion),
        margin_effect=float(b.margin_effect),
        professionalism_effect=float(b.professionalism_effect),
        service_effect=float(b.service_effect),
        rent_effect=float(b.rent_effect),
        professionalism=pol.professionalism,
        service=pol.service,
        fee=pol.fee,
    )))


def _terms(m: AttractionModel) -> tuple:
    """The run-long fields of :class:`Terms` (see :func:`_terms_at`), built once per run.

    The conversion salts are a table with a row per month and a column per stage code (only
    the converting stages are drawn).
    """
    b, pol = m.spec.behaviour, m.policy
    return m.kept("pipeline terms", lambda: tuple(RunTerms(
        logit=_logits(b.inspect_rate, b.sign_rate, b.framework_conversion, b.start_rate),
        convert_salts=m.streams.table(Purpose.CONVERT, m.horizon + 1, len(Stage)),
        contract_salt=m.streams.salt(Purpose.CONTRACT),
        contract_share=float(b.contract_share),
        satisfied_level=float(b.satisfied_level),
        subsidy=pol.subsidy,
        rebate_years=pol.rebate_years,
    )))


def _logits(*rates: float) -> np.ndarray:
    """Log-odds of the converting stages' base rates (given in the order of ``_RATES``).

    An array by stage code, zero for the other stages.
    """
    logit = np.zeros(len(Stage))
    for stage, rate in zip(_RATES, rates, strict=True):
        logit[stage] = _logit(rate)
    return logit


def delay_args(m: AttractionModel) -> tuple:
    """The run-long fields of :class:`Delays` (see :func:`delays_at`), built once per run.

    The delay salts are a table with a row per month and a column per delay code up to the
    last (code 0 is no step).
    """
    b, pol = m.spec.behaviour, m.policy
    return m.kept("pipeline delays", lambda: tuple(RunDelays(
        on=bool(m.spec.mechanisms.pipeline_delays),
        salts=m.streams.table(Purpose.DELAY, m.horizon + 1, max(DELAY_KINDS.values()) + 1),
        inspection=float(b.inspection_months),
        negotiation=float(b.negotiation_months),
        building=float(b.building_months),
        construction=float(b.construction_months),
        professionalism=pol.professionalism,
        extra_delay=pol.delay_months,
        approval=pol.approval_months,
        service=pol.service,
    )))


class Args(NamedTuple):
    """Everything :func:`step` needs for the whole run, each field the fields of a named tuple."""

    firms: tuple  # firm columns (``land.firm_columns``)
    parks: tuple  # park columns (``land.ParkColumns``)
    cities: tuple  # city accounts (``land.Accounts``)
    land_rules: tuple  # run-long fields of the land rules (``land.rules_args``)
    screen: tuple  # the screening rules (``selectivity.Rules``)
    conversion: tuple  # the fields of Conversion
    terms: tuple  # run-long fields of Terms (:func:`_terms`)
    delays: tuple  # run-long fields of Delays (:func:`delay_args`)


def args(m: AttractionModel) -> tuple:
    """The fields of :class:`Args`, built once per run.

    Kernels take plain tuples (much faster to pass than named ones) and name them inside
    (:func:`_named`).
    """
    return m.kept("pipeline", lambda: plain(Args(
        firms=land.firm_columns(m),
        parks=land.park_columns(m),
        cities=land.accounts(m),
        land_rules=land.rules_args(m),
        screen=selectivity.rules(m),
        conversion=_conversion(m),
        terms=_terms(m),
        delays=delay_args(m),
    )))


# ---------------------------------------------------------------- per-firm kernels
@njit(cache=True, inline="always")
def delays_at(month: int, fields: tuple) -> Delays:
    """The :class:`Delays` of ``month`` from the run-long fields of :func:`delay_args`."""
    r = RunDelays(*fields)
    return Delays(
        r.on, month, r.salts[month], r.inspection, r.negotiation, r.building, r.construction,
        r.professionalism, r.extra_delay, r.approval, r.service,
    )


@njit(cache=True, inline="always")
def _terms_at(month: int, fields: tuple) -> Terms:
    """The :class:`Terms` of ``month`` from the run-long fields of :func:`_terms`."""
    r = RunTerms(*fields)
    return Terms(
        month, r.logit, r.convert_salts[month], r.contract_salt, r.contract_share,
        r.satisfied_level, r.subsidy, r.rebate_years,
    )


@njit(cache=True, inline="always")
def _named(month: int, args: tuple, ledger: tuple) -> Deals:
    """The :class:`Deals` of ``month`` from :func:`args` and the event log's fields."""
    a = Args(*args)
    return Deals(
        land.named_firms(a.firms),
        land.ParkColumns(*a.parks),
        land.Accounts(*a.cities),
        land.rules_at(month, a.land_rules),
        selectivity.Rules(*a.screen),
        Conversion(*a.conversion),
        _terms_at(month, a.terms),
        _timing(delays_at(month, a.delays)),
        Ledger(*ledger),
    )


@njit(cache=True, inline="always")
def probability(z0: float, margin: float, city: int, conv: Conversion) -> float:
    """Conversion probability of one deal.

    Args:
        z0: Log-odds of the stage's base rate.
        margin: The firm's utility margin over its next best option.
        city: The city of the deal.
        conv: Effects and levers.

    Returns:
        The probability (1 when conversion is not stochastic).
    """
    if not conv.on:
        return 1.0
    return _logistic(z0, margin, city, conv)


@njit(cache=True, inline="always")
def _logistic(z0: float, margin: float, city: int, conv: Conversion) -> float:
    """The stochastic conversion probability of one deal (see :func:`probability`)."""
    z = (
        z0
        + conv.margin_effect * margin
        + conv.professionalism_effect * (conv.professionalism[city] - 0.5)
        + conv.service_effect * (conv.service[city] - 0.5)
        - conv.rent_effect * conv.fee[city]
    )
    return 1.0 / (1.0 + math.exp(-z))


@njit(cache=True, inline="always")
def mean_delay(kind: int, city: int, in_building: bool, delays: Delays) -> float:
    """Mean months of a step of ``kind`` (codes of ``DELAY_KINDS``) in ``city``.

    A site visit takes ``inspection_months``; negotiation ``negotiation_months`` scaled by
    ``1.5 - professionalism``, plus the city's rent-seeking delay; a framework agreement
    twice ``negotiation_months``; approval the city's ``approval_months`` scaled by
    ``1 - service``, plus the rent-seeking delay; construction ``building_months`` in a
    standard factory building (``in_building``), else ``construction_months``.
    """
    if kind == INSPECTION:
        return delays.inspection
    if kind == NEGOTIATION:
        return delays.negotiation * (1.5 - delays.professionalism[city]) + delays.extra_delay[city]
    if kind == _AGREEMENT:
        return 2.0 * delays.negotiation
    if kind == _APPROVAL:
        return delays.approval[city] * (1.0 - delays.service[city]) + delays.extra_delay[city]
    return delays.building if in_building else delays.construction


@njit(cache=True, inline="always")
def _rounded(i: int, mean: float, salt: np.uint64) -> int:
    """Firm ``i``'s delay: ``floor(mean + u)`` with its keyed uniform ``u``, at least 1 month."""
    return int(max(np.floor(mean + uniform_at(salt, np.uint64(i))), 1.0))


@njit(cache=True, inline="always")
def delay(i: int, city: int, kind: int, in_building: np.ndarray, delays: Delays) -> int:
    """Months until firm ``i``'s next pipeline step: its mean delay, rounded stochastically.

    The mean delay is :func:`mean_delay`; the delay is ``floor(mean + u)`` with the firm's
    keyed uniform ``u`` (DELAY draws of the kind), and at least one month; every step takes
    one month when stage delays are off.

    Args:
        i: The firm.
        city: The city of its deal.
        kind: Code of the kind of step.
        in_building: Column: whether a firm is housed in a standard factory building.
        delays: Delays of the behaviour and levers by city.
    """
    if not delays.on:
        return 1
    return _rounded(i, mean_delay(kind, city, in_building[i], delays), delays.salt[kind])


@njit(cache=True, inline="always")
def due_month(i: int, city: int, kind: int, in_building: np.ndarray, delays: Delays) -> int:
    """The month firm ``i`` takes its next step of ``kind`` (``NEVER`` for ``NO_STEP``)."""
    if kind == NO_STEP:
        return NEVER
    return delays.month + delay(i, city, kind, in_building, delays)


@njit(cache=True, inline="always")
def _timing(delays: Delays) -> Timing:
    """The month's :class:`Timing`: :func:`mean_delay` of every kind of step, city and housing.

    With stage delays off every mean is zero, so that every step takes one month, as in
    :func:`delay` (``floor(0 + u)`` is at most 1 for a uniform ``u``, raised to 1).
    """
    n_kinds, n_cities = len(delays.salt), len(delays.professionalism)
    mean = np.zeros((n_kinds, n_cities, 2))
    if delays.on:
        for kind in range(NO_STEP + 1, n_kinds):
            for city in range(n_cities):
                for housed in range(2):
                    mean[kind, city, housed] = mean_delay(kind, city, housed == 1, delays)
    return Timing(delays.month, mean, delays.salt)


@njit(cache=True, inline="always")
def _due_month(i: int, kind: int, deal: land.Deal, site: land.Site, timing: Timing) -> int:
    """:func:`due_month` of firm ``i``'s next step of ``kind`` (not ``NO_STEP``), by ``timing``."""
    mean = timing.mean[kind, deal.city[i], int(site.in_building[i])]
    return timing.month + _rounded(i, mean, timing.salt[kind])


# They take only the groups of columns they use (see ``land.FirmColumns``), which the
# stages name once before their loops, and have no branches, so that numba can drop the
# reference counts of the arrays they are passed (see ``events.record``).
@njit(cache=True, inline="always")
def _move_firm(
    i: int, to: int, cause: int, due: int, deal: land.Deal, site: land.Site, log: Ledger
) -> None:
    """Advance firm ``i`` to stage ``to`` within its deal; its next step is due in ``due``."""
    record(log, i, deal.stage[i], to, site.park[i], deal.city[i], deal.channel[i], cause)
    deal.stage[i] = to
    deal.due[i] = due


@njit(cache=True, inline="always")
def _fail_firm(
    i: int, to: int, cause: int, deal: land.Deal, site: land.Site, search: land.Search,
    parks: land.ParkColumns, log: Ledger,
) -> None:
    """End firm ``i``'s deal: log the loss, give back land, send it back to its search.

    A firm turned away for lack of land (cause ``NO_LAND``) is excluded from that park only,
    so it may still choose another park, also of the same city; any other failure excludes
    it from the city.
    """
    city, park = deal.city[i], site.park[i]
    record(log, i, deal.stage[i], to, park, city, deal.channel[i], cause)
    land.release_firm(i, site, parks)
    no_land = cause == _NO_LAND
    search.refused[i, park] |= no_land
    search.excluded[i, city] |= not no_land
    deal.stage[i] = _AWARE
    deal.city[i] = -1
    site.park[i] = -1
    deal.due[i] = NEVER
    search.needs_choice[i] = True


@njit(cache=True, inline="always")
def _converts(i: int, stage: int, deal: land.Deal, terms: Terms, conv: Conversion) -> bool:
    """Whether firm ``i``'s deal at ``stage`` converts this month (keyed by firm, month, stage).

    Every deal converts when conversion is not stochastic (:func:`probability` is then 1).
    """
    p = _logistic(terms.logit[stage], deal.margin[i], deal.city[i], conv)
    return (uniform_at(terms.convert_salt[stage], np.uint64(i)) < p) | (not conv.on)


# ---------------------------------------------------------------- stages
# Each stage takes the month's due firms ``due`` with their stages ``stage`` and handles those
# at its own stage, in order.
@njit(cache=True, inline="always")
def _complete(due: np.ndarray, stage: np.ndarray, d: Deals) -> None:
    """Construction ends: firms operate, develop their land and receive their incentives."""
    f = d.firms
    deal, project, site, tenancy = f.deal, f.project, f.site, f.tenancy
    t, cities, tenants, rules = d.terms, d.cities, d.parks.tenants, d.land
    log = d.log
    for k in range(len(due)):
        if stage[k] != _CONSTRUCTION:
            continue
        i = due[k]
        _move_firm(i, _OPERATING, _COMPLETED, NEVER, deal, site, log)
        tenancy.entered[i] = t.month
        tenancy.satisfaction[i] = t.satisfied_level
        tenants[site.park[i], project.sector[i]] += 1
        land.develop_firm(i, site, rules.month, rules.hoard_share)
        city = deal.city[i]
        tenancy.rebate_until[i] = t.month + int(np.rint(t.rebate_years[city] * 12.0))  # to even
        kept = 0.0 if tenancy.promise_broken[i] else 1.0
        cities.incentives[city] += project.employees[i] * t.subsidy[city] * kept
        cities.realized_investment[city] += project.investment[i]


@njit(cache=True, inline="always")
def _converting(due: np.ndarray, stage: np.ndarray, at: int, d: Deals) -> np.ndarray:
    """Which due deals at stage ``at`` convert; those that do not are lost, in order."""
    deal, site, search = d.firms.deal, d.firms.site, d.firms.search
    terms, conv, parks, log = d.terms, d.conversion, d.parks, d.log
    ok = np.zeros(len(due), dtype=np.bool_)
    for k in range(len(due)):
        if stage[k] == at:
            ok[k] = _converts(due[k], at, deal, terms, conv)
            if not ok[k]:
                _fail_firm(due[k], _LOST, _FELL_THROUGH, deal, site, search, parks, log)
    return ok


@njit(cache=True, inline="always")
def _start(due: np.ndarray, stage: np.ndarray, d: Deals) -> None:
    """Contracts come due: converting firms start construction, the others drop out.

    Land under construction is no longer idle.
    """
    ok = _converting(due, stage, _CONTRACT, d)
    deal, site, log, timing = d.firms.deal, d.firms.site, d.log, d.timing
    for k in range(len(due)):
        if ok[k]:
            i = due[k]
            next_due = _due_month(i, _BUILDING, deal, site, timing)
            _move_firm(i, _CONSTRUCTION, _STARTED, next_due, deal, site, log)
            site.idle_since[i] = NEVER


@njit(cache=True, inline="always")
def _frame(due: np.ndarray, stage: np.ndarray, d: Deals) -> None:
    """Framework agreements come due: converting firms sign contracts, the others drop out."""
    _sign_contracts(due[_converting(due, stage, _FRAMEWORK, d)], d)


@njit(cache=True, inline="always")
def _sign(due: np.ndarray, stage: np.ndarray, d: Deals) -> None:
    """Negotiations end: screening, conversion, then a framework agreement or a contract."""
    deal, project, site, search = d.firms.deal, d.firms.project, d.firms.site, d.firms.search
    t, conv, screen, parks, log, timing = d.terms, d.conversion, d.screen, d.parks, d.log, d.timing
    admitted = np.zeros(len(due), dtype=np.bool_)
    for k in range(len(due)):
        if stage[k] == _NEGOTIATING:
            i = due[k]
            refusal = selectivity.refusal(
                screen, deal.city[i], project.pollution_rate[i], project.energy_rate[i],
                project.tax[i], project.land_need[i], project.tech[i],
            )
            admitted[k] = refusal < 0
            if not admitted[k]:
                _fail_firm(i, _REJECTED, refusal, deal, site, search, parks, log)
    converted = np.zeros(len(due), dtype=np.bool_)
    for k in range(len(due)):
        if admitted[k]:
            converted[k] = _converts(due[k], _NEGOTIATING, deal, t, conv)
            if not converted[k]:
                _fail_firm(due[k], _LOST, _FELL_THROUGH, deal, site, search, parks, log)
    signs = np.zeros(len(due), dtype=np.bool_)
    for k in range(len(due)):
        if converted[k]:
            signs[k] = uniform_at(t.contract_salt, np.uint64(due[k])) < t.contract_share
            if not signs[k]:
                i = due[k]
                next_due = _due_month(i, _AGREEMENT, deal, site, timing)
                _move_firm(i, _FRAMEWORK, _CONVERTED, next_due, deal, site, log)
    _sign_contracts(due[signs], d)


@njit(cache=True, inline="always")
def _inspect(due: np.ndarray, stage: np.ndarray, d: Deals) -> None:
    """Site visits end: converting firms negotiate, the others drop out."""
    deal, site, search = d.firms.deal, d.firms.site, d.firms.search
    t, conv, parks, log, timing = d.terms, d.conversion, d.parks, d.log, d.timing
    ok = np.zeros(len(due), dtype=np.bool_)
    for k in range(len(due)):
        if stage[k] == _INSPECTING:
            i = due[k]
            ok[k] = _converts(i, _INSPECTING, deal, t, conv)
            if ok[k]:
                next_due = _due_month(i, NEGOTIATION, deal, site, timing)
                _move_firm(i, _NEGOTIATING, _CONVERTED, next_due, deal, site, log)
    for k in range(len(due)):
        if stage[k] == _INSPECTING and not ok[k]:
            _fail_firm(due[k], _LOST, _FELL_THROUGH, deal, site, search, parks, log)


@njit(cache=True, inline="always")
def _sign_contracts(ids: np.ndarray, d: Deals) -> None:
    """Contracts: land or a building for the firms ``ids`` (see :func:`land.allocate`).

    Firms a park cannot serve lose their deal (``no_land``) first; then those housed in a
    building and those given land move to the contract stage, in serving order, and their
    commitments are booked (see :func:`land.record_contract`).
    """
    if len(ids) == 0:
        return
    f, parks, log, timing = d.firms, d.parks, d.log, d.timing
    deal, site, search = f.deal, f.site, f.search
    order = land.serving_order(ids, f, d.land)
    outcome = land.allocate(ids, order, f, parks, d.land)
    for k in range(len(order)):
        if outcome[k] == land.TURNED_AWAY:
            _fail_firm(ids[order[k]], _LOST, _NO_LAND, deal, site, search, parks, log)
    for served in (land.HOUSED, land.LANDED):
        for k in range(len(order)):
            if outcome[k] == served:
                i = ids[order[k]]
                next_due = _due_month(i, _APPROVAL, deal, site, timing)
                _move_firm(i, _CONTRACT, _CONVERTED, next_due, deal, site, log)
                land.record_contract(i, f, d.cities, d.land)


@njit(cache=True)
def step(month: int, args: tuple, activity: tuple, ledger: tuple) -> int:
    """Move the active firms whose next step is due, later stages first.

    A compiled month (:mod:`zhaoshang.model.month` says what it takes and returns); ``args`` is
    what its builder returns (:func:`args`). It returns 0 when the month is done, else the
    events it needs room for (nothing changed).
    """
    act = Activity(*activity)
    active = act.order[: act.count[0]]
    if lacks_room(Ledger(*ledger), len(active)):  # a due firm makes exactly one transition
        return len(active)
    d = _named(month, args, ledger)
    deal = d.firms.deal
    due = np.empty(len(active), dtype=np.int64)
    n = 0
    for i in active:
        if _FIRST <= deal.stage[i] <= _LAST and deal.due[i] <= month:
            due[n] = i
            n += 1
    due = due[:n]
    stage = deal.stage[due]
    _complete(due, stage, d)
    _start(due, stage, d)
    _frame(due, stage, d)
    _sign(due, stage, d)
    _inspect(due, stage, d)
    return 0


@njit(cache=True)
def _probabilities(
    z0: float, margin: np.ndarray, city: np.ndarray, conversion_fields: tuple
) -> np.ndarray:
    """:func:`probability` of each deal (arrays aligned by firm; conversion as a plain tuple)."""
    conv = Conversion(*conversion_fields)
    p = np.empty(len(margin))
    for k in range(len(margin)):
        p[k] = probability(z0, margin[k], city[k], conv)
    return p


# ---------------------------------------------------------------- entry points
def conversion_probability(m: AttractionModel, ids: np.ndarray, base: float) -> np.ndarray:
    """Probability that each firm's deal converts at a stage with base rate ``base``."""
    f = m.firms
    return _probabilities(_logit(base), f.margin[ids], f.city[ids], _conversion(m))


