"""Fiscal accounts: taxes from operating firms, incentives, outreach costs, idle-land fees.

Taxes accrue monthly from operating firms. Tax rebates are counted as incentive spending for
as long as they run and the promise holds (and, when rebates are performance-linked, only for
firms that develop their land). Land discounts are counted at signing and job subsidies at
the start of operation (see ``land`` and ``pipeline``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .model import AttractionModel


def collect(m: AttractionModel) -> None:
    """Book this month's taxes and rebates for every city."""
    f = m.firms
    ids = m.tenants()
    if len(ids) == 0:
        return
    city = f.city[ids]
    n = len(m.cities.tax)
    monthly_tax = f.tax[ids] / 12.0
    m.cities.tax += np.bincount(city, weights=monthly_tax, minlength=n)
    pol = m.policy
    rebated = (f.rebate_until[ids] > m.month) & ~f.promise_broken[ids]
    rebated &= ~(pol.performance_linked[city] & f.hoarder[ids])
    rebate = monthly_tax * pol.tax_rebate[city] * rebated
    m.cities.incentives += np.bincount(city, weights=rebate, minlength=n)
