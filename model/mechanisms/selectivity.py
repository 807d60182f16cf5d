"""Selectivity: governments screen projects against pollution, energy, tax and technology.

Screening happens when a negotiation ends, before anything is signed. A project that fails is
refused (``rejected``) with the first rule it breaks as the cause. The rule of one project is
:func:`refusal`, a compiled function that the pipeline's kernel calls as well.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numba import njit

from ..state.codes import Cause

if TYPE_CHECKING:
    from ..model import AttractionModel

_POLLUTION = int(Cause.SCREENED_POLLUTION)
_ENERGY = int(Cause.SCREENED_ENERGY)
_TAX = int(Cause.SCREENED_TAX)
_TECH = int(Cause.SCREENED_TECH)


class Rules(NamedTuple):
    """Every government's screening thresholds (arrays by city)."""

    selective: np.ndarray  # whether the city screens (all False when the mechanism is off)
    max_pollution: np.ndarray
    max_energy: np.ndarray
    min_tax_per_ha: np.ndarray  # million yuan per hectare
    min_tech: np.ndarray


def rules(m: AttractionModel) -> Rules:
    """The screening rules in force."""
    pol = m.policy
    selective = pol.selective if m.spec.mechanisms.selectivity else np.zeros_like(pol.selective)
    return Rules(selective, pol.max_pollution, pol.max_energy, pol.min_tax_per_ha, pol.min_tech)


@njit(cache=True, inline="always")
def refusal(
    rules: Rules, city: int, pollution: float, energy: float, tax: float, land_need: float,
    tech: float,
) -> int:
    """Cause code of refusal of one project, or -1 where it passes.

    Args:
        rules: The screening rules.
        city: The screening government.
        pollution: The firm's pollution rate.
        energy: The firm's energy rate.
        tax: The firm's tax (yuan per year).
        land_need: The firm's land need (ha); without land its tax per hectare is infinite.
        tech: The firm's technology score.

    Returns:
        The first rule broken (pollution, energy, tax per hectare, technology), or -1.
    """
    if not rules.selective[city]:
        return -1
    if pollution > rules.max_pollution[city]:
        return _POLLUTION
    if energy > rules.max_energy[city]:
        return _ENERGY
    per_ha = tax / 1e6 / land_need if land_need > 0 else np.inf
    if per_ha < rules.min_tax_per_ha[city]:
        return _TAX
    if tech < rules.min_tech[city]:
        return _TECH
    return -1
