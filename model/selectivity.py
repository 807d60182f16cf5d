"""Selectivity: governments screen projects against pollution, energy, tax and technology.

Screening happens when a negotiation ends, before anything is signed. A project that fails is
refused (``rejected``) with the first rule it breaks as the cause.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .codes import Cause

if TYPE_CHECKING:
    from .model import AttractionModel


def screen(m: AttractionModel, ids: np.ndarray) -> np.ndarray:
    """Cause code of refusal for each firm, or -1 where the project passes.

    Args:
        m: The model.
        ids: Firms at the end of negotiation (their ``city`` is the screening government).

    Returns:
        Array of cause codes (``-1`` = admitted).
    """
    cause = np.full(len(ids), -1, dtype=np.int64)
    if not m.spec.mechanisms.selectivity or len(ids) == 0 or not m.policy.selective.any():
        return cause
    f = m.firms
    city = f.city[ids]
    pol = m.policy
    on = pol.selective[city]
    per_ha = np.divide(
        f.tax[ids] / 1e6,
        f.land_need[ids],
        out=np.full(len(ids), np.inf),
        where=f.land_need[ids] > 0,
    )
    rules = (
        (f.pollution_rate[ids] > pol.max_pollution[city], Cause.SCREENED_POLLUTION),
        (f.energy_rate[ids] > pol.max_energy[city], Cause.SCREENED_ENERGY),
        (per_ha < pol.min_tax_per_ha[city], Cause.SCREENED_TAX),
        (f.tech[ids] < pol.min_tech[city], Cause.SCREENED_TECH),
    )
    for fails, code in reversed(rules):
        cause = np.where(on & fails, int(code), cause)
    return cause
