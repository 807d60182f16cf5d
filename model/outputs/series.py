"""The monthly series: the focus city's snapshot at the end of each month, in one compiled pass.

The last phase of the month (``model.month.PHASES``) writes one row of :data:`SERIES` and the
land of every park into tables that hold the whole run, so a run that collects its monthly
series can still run all its months in one compiled call; Mesa's ``DataCollector`` then reads
each month's row (``AttractionModel.step``). A model built with ``collect=False`` skips the
phase. Sums run over the focus city's tenants in the order of the active set.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
from numba import njit

from ..mechanisms.land import IDLE_AFTER_MONTHS
from ..state.codes import Stage
from ..state.events import Ledger
from ..state.places import credibility_of
from ..state.selection import Activity
from .kpis import FLOWS

if TYPE_CHECKING:
    from ..model import AttractionModel

#: Monthly flows of the focus city: the funnel's transitions (see ``kpis.FLOWS``).
FLOW_STAGES = {name: stage for name, stage in FLOWS.items() if name != "rejections"}
#: The monthly series, in their columns of the table (after the flows, in this order).
LEVELS = (
    "operating_firms",
    "jobs",
    "contracted_investment_yuan",
    "realized_investment_yuan",
    "tax_revenue_yuan",
    "incentive_spending_yuan",
    "net_fiscal_yuan",
    "land_allocated_ha",
    "land_developed_ha",
    "idle_land_ha",
    "credibility",
    "pollution_load",
    "searching_firms",
)
SERIES = (*FLOW_STAGES, *LEVELS)
#: Series that count firms or events (reported as ints).
COUNTS = frozenset((*FLOW_STAGES, "operating_firms", "searching_firms"))

_CONTRACT, _AWARE, _OPERATING = int(Stage.CONTRACT), int(Stage.AWARE), int(Stage.OPERATING)
_N_FLOWS = len(FLOW_STAGES)
(_OPERATING_FIRMS, _JOBS, _CONTRACTED, _REALISED, _TAX, _INCENTIVES, _NET_FISCAL, _ALLOCATED,
 _DEVELOPED, _IDLE, _CREDIBILITY, _POLLUTION, _SEARCHING) = range(_N_FLOWS, len(SERIES))


class Args(NamedTuple):
    """What :func:`step` reads and writes, for the whole run."""

    on: bool  # whether the model collects its monthly series
    focus: int  # the focus city
    inflation: float  # the focus city's reporting of contracted investment (contracts.inflation)
    flow_stages: np.ndarray  # stage reached of each flow, in the order of FLOW_STAGES
    values: np.ndarray  # (months, series): one row a month (written)
    land: np.ndarray  # (months, 3, parks): land allocated, developed and idle (written)
    stage: np.ndarray  # firm columns
    city: np.ndarray
    park: np.ndarray
    employees: np.ndarray
    land_held: np.ndarray
    land_developed: np.ndarray
    idle_since: np.ndarray
    pollution_rate: np.ndarray
    output: np.ndarray
    reinvested: np.ndarray
    search_start: np.ndarray
    search_end: np.ndarray
    park_city: np.ndarray  # city of each park
    land_allocated: np.ndarray  # by park
    tax: np.ndarray  # by city: the fiscal accounts (cumulative)
    incentives: np.ndarray
    idle_fees: np.ndarray
    outreach_cost: np.ndarray
    contracted: np.ndarray
    realised_city: np.ndarray
    prior: np.ndarray  # by city: the credibility belief
    prior_weight: np.ndarray
    honoured: np.ndarray
    broken: np.ndarray


def tables(m: AttractionModel) -> tuple[np.ndarray, np.ndarray]:
    """Empty tables of the monthly series and of land by park for a run of ``m``."""
    months = m.horizon + 1
    return np.zeros((months, len(SERIES))), np.zeros((months, 3, len(m.world.park_ids)))


def args(m: AttractionModel) -> tuple:
    """The fields of :class:`Args`, built once per run (rebuilt with the levers)."""
    f, w, c, p = m.firms, m.world, m.cities, m.parks
    values, land = m.series_tables
    focus = int(w.focus)
    return m.kept("series", lambda: tuple(Args(
        on=bool(m.collect), focus=focus,
        inflation=float(m.spec.governments[w.city_ids[focus]].contracts.inflation),
        flow_stages=np.array([int(s) for s in FLOW_STAGES.values()], dtype=np.int64),
        values=values, land=land, stage=f.stage, city=f.city, park=f.park,
        employees=f.employees, land_held=f.land_held, land_developed=f.land_developed,
        idle_since=f.idle_since, pollution_rate=f.pollution_rate, output=f.output,
        reinvested=f.reinvested, search_start=f.search_start, search_end=f.search_end,
        park_city=w.park_city, land_allocated=p.land_allocated, tax=c.tax,
        incentives=c.incentives, idle_fees=c.idle_fees, outreach_cost=c.outreach_cost,
        contracted=c.contracted_investment, realised_city=m.realised_city, prior=c.prior,
        prior_weight=c.prior_weight, honoured=c.honoured, broken=c.broken,
    )))


@njit(cache=True)
def step(month: int, args: tuple, activity: tuple, ledger: tuple) -> int:
    """Write the month's row of the series and its land by park (if the model collects them).

    The values are those of the focus city at the end of the month: its flows this month
    (from the event log's ``flow``), its tenants and their jobs, land and pollution, its
    cumulative fiscal accounts and investment, its credibility, and the active firms that
    are searching and in no deal. Land by park covers every park: allocated, developed by
    its tenants and idle by the 2012 rule (``land.idle_land``: land holders from contract to
    operation).

    A compiled month (:mod:`zhaoshang.model.month` says what it takes and returns); ``args``
    holds the fields of :class:`Args` (:func:`args`). It writes no events and returns 0.
    """
    a = Args(*args)
    if not a.on:
        return 0
    act, log = Activity(*activity), Ledger(*ledger)
    row, land = a.values[month], a.land[month]
    c = a.focus
    for k in range(a.flow_stages.size):
        row[k] = log.flow[a.flow_stages[k]]
    operating = 0
    jobs = developed_here = pollution = reinvested = 0.0
    searching = 0
    land[:] = 0.0
    cutoff = month - IDLE_AFTER_MONTHS
    for i in act.order[: act.count[0]]:
        st = a.stage[i]
        if st <= _AWARE and a.search_start[i] <= month < a.search_end[i]:
            searching += 1
        if st < _CONTRACT or st > _OPERATING:
            continue
        p = a.park[i]
        if a.idle_since[i] <= cutoff:
            land[2, p] += a.land_held[i] - a.land_developed[i]
        if st != _OPERATING:
            continue
        land[1, p] += a.land_developed[i]
        if a.city[i] == c:
            operating += 1
            jobs += a.employees[i]
            developed_here += a.land_developed[i]
            pollution += a.pollution_rate[i] * a.output[i] / 1e6
            reinvested += a.reinvested[i]
    allocated = idle = 0.0
    for p in range(a.park_city.size):
        land[0, p] = a.land_allocated[p]
        if a.park_city[p] == c:
            allocated += a.land_allocated[p]
            idle += land[2, p]
    row[_OPERATING_FIRMS] = operating
    row[_JOBS] = jobs
    row[_CONTRACTED] = a.contracted[c] * a.inflation
    row[_REALISED] = a.realised_city[c] + reinvested
    row[_TAX] = a.tax[c]
    row[_INCENTIVES] = a.incentives[c]
    row[_NET_FISCAL] = a.tax[c] + a.idle_fees[c] - a.incentives[c] - a.outreach_cost[c]
    row[_ALLOCATED] = allocated
    row[_DEVELOPED] = developed_here
    row[_IDLE] = idle
    row[_CREDIBILITY] = credibility_of(a.prior[c], a.prior_weight[c], a.honoured[c], a.broken[c])
    row[_POLLUTION] = pollution
    row[_SEARCHING] = searching
    return 0


def row(m: AttractionModel, month: int) -> dict[str, Any]:
    """The monthly series of ``month`` as a dict (with its date), as Mesa's reporters read it."""
    values = m.series_tables[0][month].tolist()
    out: dict[str, Any] = {"date": m.world.date(month)}
    for name, value in zip(SERIES, values, strict=True):
        out[name] = int(value) if name in COUNTS else value
    return out
