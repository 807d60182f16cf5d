"""Fiscal accounts: taxes from operating firms, incentives, outreach costs, idle-land fees.

Taxes accrue monthly from operating firms. Tax rebates are counted as incentive spending for
as long as they run and the promise holds (and, when rebates are performance-linked, only for
firms that develop their land). Land discounts are counted at signing and job subsidies at
the start of operation (see ``land`` and ``pipeline``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numba import njit

from ..state.codes import Stage
from ..state.selection import Activity, in_stages

if TYPE_CHECKING:
    from ..model import AttractionModel

_OPERATING = int(Stage.OPERATING)


class Args(NamedTuple):
    """What :func:`step` reads and writes, for the whole run."""

    stage: np.ndarray  # firm columns
    city: np.ndarray
    tax: np.ndarray  # yuan/year
    rebate_until: np.ndarray  # month the rebate ends
    promise_broken: np.ndarray
    hoarder: np.ndarray
    tax_rebate: np.ndarray  # rebated share of taxes, by city
    performance_linked: np.ndarray  # whether each city's rebates depend on developing land
    collected: np.ndarray  # each city's taxes so far (added to)
    incentives: np.ndarray  # each city's incentive spending so far (added to)


@njit(cache=True, inline="always")
def _taxes_and_rebates(
    tenants: np.ndarray,
    month: int,
    a: Args,
) -> tuple[np.ndarray, np.ndarray]:
    """This month's taxes and tax rebates of the tenants, summed per city.

    A firm's rebate is its city's ``tax_rebate`` share of its monthly tax while the rebate
    runs and the promise holds, and, where rebates are performance-linked, only if the firm
    does not hoard land. Sums run in the order of ``tenants`` (as ``np.bincount`` does).

    Args:
        tenants: The operating firms.
        month: The current month.
        a: The firm columns and the levers of the cities.

    Returns:
        Taxes and rebates per city (yuan).
    """
    city, tax, rebate_until, promise_broken, hoarder = (
        a.city, a.tax, a.rebate_until, a.promise_broken, a.hoarder
    )
    tax_rebate, performance_linked = a.tax_rebate, a.performance_linked
    taxes = np.zeros(tax_rebate.size)
    rebates = np.zeros(tax_rebate.size)
    for j in tenants:
        c = city[j]
        monthly_tax = tax[j] / 12.0
        taxes[c] += monthly_tax
        rebated = (rebate_until[j] > month) & ~promise_broken[j]
        rebated &= ~(performance_linked[c] & hoarder[j])
        rebates[c] += monthly_tax * tax_rebate[c] * (1.0 if rebated else 0.0)
    return taxes, rebates


def args(m: AttractionModel) -> tuple:
    """The fields of :class:`Args`, built once per run.

    The arrays are updated in place, never replaced, and the levers are fixed for a run.
    """
    f, pol, c = m.firms, m.policy, m.cities
    return m.kept("fiscal", lambda: tuple(Args(
        stage=f.stage, city=f.city, tax=f.tax, rebate_until=f.rebate_until,
        promise_broken=f.promise_broken, hoarder=f.hoarder, tax_rebate=pol.tax_rebate,
        performance_linked=pol.performance_linked, collected=c.tax, incentives=c.incentives,
    )))


@njit(cache=True)
def step(month: int, args: tuple, activity: tuple, ledger: tuple) -> int:
    """Add the month's taxes and rebates of the tenants to each city's accounts.

    The month's sums per city are formed first (see :func:`_taxes_and_rebates`), then added.

    A compiled month (:mod:`zhaoshang.model.month` says what it takes and returns); ``args``
    holds the fields of :class:`Args` (:func:`args`).
    """
    a = Args(*args)
    act = Activity(*activity)
    tenants = in_stages(act.order[: act.count[0]], a.stage, _OPERATING, _OPERATING)
    if tenants.size == 0:
        return 0
    taxes, rebates = _taxes_and_rebates(tenants, month, a)
    tax, incentives = a.collected, a.incentives
    tax += taxes
    incentives += rebates
    return 0


