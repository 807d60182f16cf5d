"""Cluster measures: the Ellison-Glaeser index of geographic concentration.

Ellison and Glaeser (1997): for an industry with plant employment shares ``z_k`` (Herfindahl
``H = sum z_k^2``), area shares of the industry ``s_i`` and of all employment ``x_i``,

    G = sum_i (s_i - x_i)^2,
    gamma = (G - (1 - sum x_i^2) H) / ((1 - sum x_i^2) (1 - H)).

Under the null of no spillovers and no natural advantage (plants thrown like darts with
probabilities ``x_i``), ``E[gamma] = 0`` and the variance of ``G`` is

    Var(G) = 2 {H^2 [sum x^2 - 2 sum x^3 + (sum x^2)^2]
                - sum z^4 [sum x^2 - 4 sum x^3 + 3 (sum x^2)^2]}.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class EGResult:
    """The index of one industry with its null standard deviation."""

    gamma: float
    G: float
    H: float
    null_sd: float


def ellison_glaeser(
    plant_area: np.ndarray, plant_employment: np.ndarray, area_employment: np.ndarray
) -> EGResult:
    """Ellison-Glaeser gamma of one industry.

    Args:
        plant_area: Area index of each plant of the industry.
        plant_employment: Employment of each plant of the industry.
        area_employment: Total employment (all industries) of each area, giving ``x_i``.

    Returns:
        The index, its raw concentration ``G``, the plant Herfindahl ``H`` and the standard
        deviation of gamma under the null of random location. ``gamma`` is NaN when the
        industry has no employment or a single plant (``H = 1``).
    """
    plant_employment = np.asarray(plant_employment, dtype=float)
    area_employment = np.asarray(area_employment, dtype=float)
    total = plant_employment.sum()
    if total <= 0 or area_employment.sum() <= 0:
        return EGResult(np.nan, np.nan, np.nan, np.nan)
    x = area_employment / area_employment.sum()
    sx2, sx3 = float((x**2).sum()), float((x**3).sum())
    gamma, G, H, z, denom = _gamma(np.asarray(plant_area), plant_employment, total, x, sx2)
    if denom <= 0:
        return EGResult(np.nan, G, H, np.nan)
    var_g = 2.0 * (H**2 * (sx2 - 2 * sx3 + sx2**2) - (z**4).sum() * (sx2 - 4 * sx3 + 3 * sx2**2))
    return EGResult(gamma, G, H, float(np.sqrt(max(var_g, 0.0)) / denom))


def _gamma(
    plant_area: np.ndarray, plant_employment: np.ndarray, total: float, x: np.ndarray, sx2: float
) -> tuple[float, float, float, np.ndarray, float]:
    """Gamma of one industry with positive employment ``total``, given the area shares ``x``.

    Returns:
        (gamma or NaN, G, H, plant shares z, denominator of gamma).
    """
    s = np.bincount(plant_area, weights=plant_employment, minlength=len(x)) / total
    z = plant_employment / total
    H = float((z**2).sum())
    G = float(((s - x) ** 2).sum())
    denom = (1.0 - sx2) * (1.0 - H)
    gamma = float((G - (1.0 - sx2) * H) / denom) if denom > 0 else np.nan
    return gamma, G, H, z, denom


def eg_by_sector(
    area: np.ndarray, sector: np.ndarray, employment: np.ndarray, n_areas: int, n_sectors: int
) -> tuple[np.ndarray, float]:
    """Gamma for every sector and the employment-weighted mean over defined sectors.

    The area shares are shared by all sectors, and one stable sort by sector gives each
    sector's plants in their original order.

    Args:
        area: Area (park) of each plant.
        sector: Sector of each plant.
        employment: Employment of each plant.
        n_areas: Number of areas.
        n_sectors: Number of sectors.

    Returns:
        (gamma per sector with NaN where undefined, weighted mean or NaN).
    """
    employment = np.asarray(employment, dtype=float)
    area_emp = np.bincount(area, weights=employment, minlength=n_areas)
    gammas = np.full(n_sectors, np.nan)
    weights = np.zeros(n_sectors)
    order, bounds = segments(sector, n_sectors)
    area, employment = area[order], employment[order]
    if area_emp.sum() > 0:
        x = area_emp / area_emp.sum()
        sx2 = float((x**2).sum())
        for s in range(n_sectors):
            lo, hi = bounds[s], bounds[s + 1]
            if hi - lo >= 2:
                weights[s] = total = employment[lo:hi].sum()
                if total > 0:
                    gammas[s] = _gamma(area[lo:hi], employment[lo:hi], total, x, sx2)[0]
    ok = np.isfinite(gammas)
    overall = float(np.average(gammas[ok], weights=weights[ok])) if ok.any() else float("nan")
    return gammas, overall


def segments(keys: np.ndarray, n_groups: int) -> tuple[np.ndarray, list[int]]:
    """A stable order of items by group and where each group starts in it.

    Args:
        keys: Group (0 to ``n_groups - 1``) of each item.
        n_groups: Number of groups.

    Returns:
        (order, bounds): the items of group ``g`` are ``order[bounds[g]:bounds[g + 1]]``, in
        their original order.
    """
    order = np.argsort(keys, kind="stable")
    counts = np.bincount(keys, minlength=n_groups)
    return order, [0, *np.cumsum(counts).tolist()]
