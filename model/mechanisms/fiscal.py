"""Fiscal accounts: taxes from operating firms, incentives, outreach costs, idle-land fees.

Taxes accrue monthly from operating firms. Tax rebates are counted as incentive spending for
as long as they run and the promise holds (and, when rebates are performance-linked, only for
firms that develop their land). Land discounts are counted at signing and job subsidies at
the start of operation (see ``land`` and ``pipeline``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numba import njit

from ..state.codes import Stage
from ..state.selection import Activity, in_stages

if TYPE_CHECKING:
    from ..model import AttractionModel

_OPERATING = int(Stage.OPERATING)


@njit(cache=True, inline="always")
def _taxes_and_rebates(
    tenants: np.ndarray,
    month: int,
    columns: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    tax_rebate: np.ndarray,
    performance_linked: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """This month's taxes and tax rebates of the tenants, summed per city.

    A firm's rebate is its city's ``tax_rebate`` share of its monthly tax while the rebate
    runs and the promise holds, and, where rebates are performance-linked, only if the firm
    does not hoard land. Sums run in the order of ``tenants`` (as ``np.bincount`` does).

    Args:
        tenants: The operating firms.
        month: The current month.
        columns: The firm columns city, tax, rebate_until, promise_broken and hoarder.
        tax_rebate: Rebated share of taxes per city.
        performance_linked: Whether each city's rebates depend on developing the land.

    Returns:
        Taxes and rebates per city (yuan).
    """
    city, tax, rebate_until, promise_broken, hoarder = columns
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


def args(m: AttractionModel) -> tuple[tuple, tuple, tuple]:
    """Firm columns, policy and accounts read by :func:`step`, built once per run.

    The arrays are updated in place, never replaced, and the levers are fixed for a run.
    """
    f, pol, c = m.firms, m.policy, m.cities
    return m.kept("fiscal", lambda: (
        (f.stage, f.city, f.tax, f.rebate_until, f.promise_broken, f.hoarder),
        (pol.tax_rebate, pol.performance_linked),
        (c.tax, c.incentives),
    ))


@njit(cache=True)
def step(month: int, args: tuple, activity: tuple, ledger: tuple) -> int:
    """Add the month's taxes and rebates of the tenants to each city's accounts.

    The month's sums per city are formed first (see :func:`_taxes_and_rebates`), then added.

    Args:
        month: The current month.
        args: Built by :func:`args`: the firm columns stage, city, tax, rebate_until,
            promise_broken and hoarder; by city, tax_rebate and performance_linked; by city,
            the tax and incentives accounts (updated).
        activity: Fields of :class:`~zhaoshang.model.selection.Activity`.
        ledger: Fields of :class:`~zhaoshang.model.events.Ledger` (no events are written).

    Returns:
        0 (the month is done).
    """
    columns, policy, accounts = args
    act = Activity(*activity)
    tenants = in_stages(act.order[: act.count[0]], columns[0], _OPERATING, _OPERATING)
    if tenants.size == 0:
        return 0
    tax_rebate, performance_linked = policy
    taxes, rebates = _taxes_and_rebates(tenants, month, columns[1:], tax_rebate,
                                        performance_linked)
    tax, incentives = accounts
    tax += taxes
    incentives += rebates
    return 0


