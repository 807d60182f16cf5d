"""Pipeline conversion: site visit, negotiation, signing, construction start, operation.

At each stage a deal converts with a probability whose log-odds rise with the firm's utility
margin over its next best option, the professionalism of the attraction staff and the
service quality (one-stop approval), and fall with informal fees. Delays grow with
rent-seeking and shrink with professional staff, good service and ready standard factory
buildings. A deal that fails sends the firm back to its search without that city.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from . import land, selectivity
from .codes import Cause, Stage
from .streams import Purpose

if TYPE_CHECKING:
    from .model import AttractionModel


def _logit(p: float) -> float:
    p = min(max(p, 1e-9), 1 - 1e-9)
    return float(np.log(p / (1 - p)))


def conversion_probability(m: AttractionModel, ids: np.ndarray, base: float) -> np.ndarray:
    """Probability that each firm's deal converts at a stage with base rate ``base``."""
    if not m.spec.mechanisms.conversion:
        return np.ones(len(ids))
    b = m.spec.behaviour
    city = m.firms.city[ids]
    pol = m.policy
    z = (
        _logit(base)
        + b.margin_effect * m.firms.margin[ids]
        + b.professionalism_effect * (pol.professionalism[city] - 0.5)
        + b.service_effect * (pol.service[city] - 0.5)
        - b.rent_effect * pol.fee[city]
    )
    return 1.0 / (1.0 + np.exp(-z))


def converts(m: AttractionModel, ids: np.ndarray, base: float, stage: Stage) -> np.ndarray:
    """Draw which deals convert (keyed by firm, month and stage)."""
    p = conversion_probability(m, ids, base)
    return m.streams.uniform(Purpose.CONVERT, ids, m.month, int(stage)) < p


def advance(m: AttractionModel) -> None:
    """Move every firm whose next step is due this month, later stages first."""
    f = m.firms
    pool = m.in_pipeline()
    due = pool[f.due[pool] <= m.month]
    if len(due) == 0:
        return
    stage = f.stage[due]
    b = m.spec.behaviour
    _complete(m, due[stage == Stage.CONSTRUCTION])
    _start(m, due[stage == Stage.CONTRACT], b.start_rate)
    _frame(m, due[stage == Stage.FRAMEWORK], b.framework_conversion)
    _sign(m, due[stage == Stage.NEGOTIATING], b.sign_rate)
    _inspect(m, due[stage == Stage.INSPECTING], b.inspect_rate)


def move(
    m: AttractionModel, ids: np.ndarray, to: Stage, cause: Cause, delay_kind: str | None
) -> None:
    """Advance firms to ``to`` within their current deal, scheduling the next step."""
    if len(ids) == 0:
        return
    f = m.firms
    m.log(ids, f.stage[ids], to, f.park[ids], f.city[ids], f.channel[ids], cause)
    f.stage[ids] = to
    f.due[ids] = m.month + m.delay(ids, delay_kind, f.city[ids]) if delay_kind else land.NEVER


def fail(m: AttractionModel, ids: np.ndarray, to: Stage, cause: np.ndarray | Cause) -> None:
    """End firms' deals: log the loss, give back land, and send them back to their search."""
    if len(ids) == 0:
        return
    f = m.firms
    city = f.city[ids].astype(np.int64)
    m.log(ids, f.stage[ids], to, f.park[ids], city, f.channel[ids], cause)
    land.release(m, ids)
    f.excluded[ids, city] = True
    f.stage[ids] = Stage.AWARE
    f.city[ids] = -1
    f.park[ids] = -1
    f.due[ids] = land.NEVER
    f.needs_choice[ids] = True


def _inspect(m: AttractionModel, ids: np.ndarray, base: float) -> None:
    if len(ids) == 0:
        return
    ok = converts(m, ids, base, Stage.INSPECTING)
    move(m, ids[ok], Stage.NEGOTIATING, Cause.CONVERTED, "negotiation")
    fail(m, ids[~ok], Stage.LOST, Cause.FELL_THROUGH)


def _sign(m: AttractionModel, ids: np.ndarray, base: float) -> None:
    if len(ids) == 0:
        return
    refusal = selectivity.screen(m, ids)
    refused = refusal >= 0
    fail(m, ids[refused], Stage.REJECTED, refusal[refused])
    ids = ids[~refused]
    ok = converts(m, ids, base, Stage.NEGOTIATING)
    fail(m, ids[~ok], Stage.LOST, Cause.FELL_THROUGH)
    ids = ids[ok]
    contract = m.streams.uniform(Purpose.CONTRACT, ids) < m.spec.behaviour.contract_share
    move(m, ids[~contract], Stage.FRAMEWORK, Cause.CONVERTED, "framework")
    land.sign_contracts(m, ids[contract])


def _frame(m: AttractionModel, ids: np.ndarray, base: float) -> None:
    if len(ids) == 0:
        return
    ok = converts(m, ids, base, Stage.FRAMEWORK)
    fail(m, ids[~ok], Stage.LOST, Cause.FELL_THROUGH)
    land.sign_contracts(m, ids[ok])


def _start(m: AttractionModel, ids: np.ndarray, base: float) -> None:
    if len(ids) == 0:
        return
    ok = converts(m, ids, base, Stage.CONTRACT)
    fail(m, ids[~ok], Stage.LOST, Cause.FELL_THROUGH)
    move(m, ids[ok], Stage.CONSTRUCTION, Cause.STARTED, "construction")


def _complete(m: AttractionModel, ids: np.ndarray) -> None:
    if len(ids) == 0:
        return
    f = m.firms
    move(m, ids, Stage.OPERATING, Cause.COMPLETED, None)
    f.entered[ids] = m.month
    f.satisfaction[ids] = m.spec.behaviour.satisfied_level
    np.add.at(m.parks.tenants, (f.park[ids], f.sector[ids]), 1)
    land.develop(m, ids)
    city = f.city[ids]
    years = m.policy.rebate_years[city]
    f.rebate_until[ids] = m.month + np.round(years * 12).astype(np.int64)
    kept = ~f.promise_broken[ids]
    subsidy = f.employees[ids] * m.policy.subsidy[city] * kept
    np.add.at(m.cities.incentives, city, subsidy)
    np.add.at(m.cities.realized_investment, city, f.investment[ids])
