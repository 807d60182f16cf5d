"""Cluster measures: concentration, co-agglomeration and the specialisation of parks.

Ellison and Glaeser (1997): for an industry with plant employment shares ``z_k`` (Herfindahl
``H = sum z_k^2``), area shares of the industry ``s_i`` and of all employment ``x_i``,

    G = sum_i (s_i - x_i)^2,
    gamma = (G - (1 - sum x_i^2) H) / ((1 - sum x_i^2) (1 - H)).

Under the null of no spillovers and no natural advantage (plants thrown like darts with
probabilities ``x_i``), ``E[gamma] = 0`` and the variance of ``G`` is

    Var(G) = 2 {H^2 [sum x^2 - 2 sum x^3 + (sum x^2)^2]
                - sum z^4 [sum x^2 - 4 sum x^3 + 3 (sum x^2)^2]}.

Co-agglomeration of a group of industries ``j`` with employment weights ``w_j`` in the group
(Ellison and Glaeser 1997, eq. 6), with ``G`` and ``H`` those of the group's plants taken
together and ``gamma_j``, ``H_j`` those of each industry:

    gamma_c = (G / (1 - sum x^2) - H - sum_j gamma_j w_j^2 (1 - H_j)) / (1 - sum_j w_j^2).

For a pair of industries ``i`` and ``j`` this reduces to the index of Ellison, Glaeser and
Kerr (2010, eq. 1), which needs no plant data,

    gamma_c(i, j) = sum_m (s_mi - x_m)(s_mj - x_m) / (1 - sum_m x_m^2),

where ``s_mi`` is area ``m``'s share of industry ``i``'s employment: the plant Herfindahl terms
cancel (:func:`eg_group` and :func:`coagglomeration` agree on pairs; the tests check it).

References: Ellison, G. and Glaeser, E. L. (1997), Geographic concentration in U.S.
manufacturing industries: a dartboard approach, JPE 105(5), 889-927; Ellison, G., Glaeser,
E. L. and Kerr, W. R. (2010), What causes industry agglomeration? Evidence from
coagglomeration patterns, AER 100(3), 1195-1213.
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


def group_gamma(
    plant_area: np.ndarray,
    plant_industry: np.ndarray,
    plant_employment: np.ndarray,
    area_employment: np.ndarray,
) -> float:
    """Ellison-Glaeser (1997) co-agglomeration index of the industries of the plants given.

    Args:
        plant_area: Area index of each plant of the group.
        plant_industry: Industry of each plant (any labels; two or more industries).
        plant_employment: Employment of each plant.
        area_employment: Total employment (all industries) of each area, giving ``x_m``.

    Returns:
        ``gamma_c`` of the module's formula, NaN where an industry's gamma is undefined.
    """
    plant_area = np.asarray(plant_area, dtype=np.int64)
    plant_employment = np.asarray(plant_employment, dtype=float)
    area_employment = np.asarray(area_employment, dtype=float)
    total = plant_employment.sum()
    x = area_employment / area_employment.sum()
    sx2 = float((x**2).sum())
    _, G, H, _, _ = _gamma(plant_area, plant_employment, total, x, sx2)
    spill, w2 = 0.0, 0.0
    for j in np.unique(plant_industry):
        mine = plant_industry == j
        r = ellison_glaeser(plant_area[mine], plant_employment[mine], area_employment)
        w = plant_employment[mine].sum() / total
        spill += r.gamma * w**2 * (1.0 - r.H)
        w2 += w**2
    return float((G / (1.0 - sx2) - H - spill) / (1.0 - w2))


def coagglomeration(
    area: np.ndarray, sector: np.ndarray, employment: np.ndarray, n_areas: int, n_sectors: int
) -> np.ndarray:
    """Ellison-Glaeser-Kerr co-agglomeration index of every pair of sectors.

    The plants are given as to :func:`eg_by_sector` (area, sector and employment of each).

    Returns:
        Symmetric (S, S) array of ``gamma_c(i, j)``; NaN on the diagonal, for sectors without
        employment, and everywhere when all employment is in one area.
    """
    employment = np.asarray(employment, dtype=float)
    out = np.full((n_sectors, n_sectors), np.nan)
    area_emp = np.bincount(area, weights=employment, minlength=n_areas)
    x = area_emp / max(area_emp.sum(), 1e-300)
    denom = 1.0 - float((x**2).sum())
    if area_emp.sum() <= 0 or denom <= 0:
        return out
    by = np.zeros((n_areas, n_sectors))
    np.add.at(by, (area, sector), employment)
    totals = by.sum(axis=0)
    present = totals > 0
    dev = by[:, present] / totals[present] - x[:, None]  # s_mi - x_m
    pairs = dev.T @ dev / denom
    idx = np.flatnonzero(present)
    out[np.ix_(idx, idx)] = pairs
    np.fill_diagonal(out, np.nan)
    return out


def io_partners(io: np.ndarray) -> np.ndarray:
    """Whether each pair of sectors is linked by the input-output matrix (either direction)."""
    return (io > 0) | (io.T > 0)


def focus_shares(
    park: np.ndarray, sector: np.ndarray, park_fit: np.ndarray, io: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """How specialised each park's firms are: in its focus, or in a focus sector's partners.

    Args:
        park: Park of each firm.
        sector: Sector of each firm.
        park_fit: (P, S) 1 where the park's focus includes the sector (``World.park_fit``).
        io: Input-output matrix (``World.io``).

    Returns:
        (firms, in focus, in focus or partner) per park: the number of firms, the share whose
        sector is one of the park's focus sectors, and the share whose sector is a focus
        sector or an input-output partner (supplier or customer) of one; NaN for empty parks.
    """
    n_parks = park_fit.shape[0]
    focus = park_fit > 0
    related = focus | (focus.astype(float) @ io_partners(io).astype(float) > 0)
    firms = np.bincount(park, minlength=n_parks).astype(float)
    in_focus = np.bincount(park, weights=focus[park, sector], minlength=n_parks)
    in_related = np.bincount(park, weights=related[park, sector], minlength=n_parks)
    with np.errstate(invalid="ignore", divide="ignore"):
        return firms, in_focus / firms, in_related / firms
