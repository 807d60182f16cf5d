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

if TYPE_CHECKING:
    from .model import AttractionModel


@njit(cache=True)
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


def collect(m: AttractionModel) -> None:
    """Book this month's taxes and rebates for every city."""
    f = m.firms
    tenants = m.tenants()
    if len(tenants) == 0:
        return
    taxes, rebates = _taxes_and_rebates(
        tenants,
        m.month,
        (f.city, f.tax, f.rebate_until, f.promise_broken, f.hoarder),
        m.policy.tax_rebate,
        m.policy.performance_linked,
    )
    m.cities.tax += taxes
    m.cities.incentives += rebates
