"""Analytic test functions with known sensitivity indices, for checking the pipeline.

An experiment may name one of these instead of the agent-based model (``model = "ishigami"``
or ``"sobol-g"``); ``zhaoshang selfcheck`` compares the indices the pipeline estimates with
the exact ones below.

- Ishigami (Ishigami and Homma 1990): ``y = sin x1 + a sin^2 x2 + b x3^4 sin x1`` with
  ``x_i ~ U(-pi, pi)``. Its variance decomposition has a closed form.
- Sobol' G (Saltelli and Sobol' 1995): ``y = prod_i (|4 x_i - 2| + g_i) / (1 + g_i)`` with
  ``x_i ~ U(0, 1)``; a small ``g_i`` makes ``x_i`` important, a large one unimportant.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence

import numpy as np

#: Default coefficients of the Sobol' G function (Saltelli et al. 2008, table 3.2 variant).
SOBOL_G_DEFAULT = (0.0, 1.0, 4.5, 9.0, 99.0, 99.0, 99.0, 99.0)

#: The inputs' ranges.
ISHIGAMI_BOUNDS = (-math.pi, math.pi)
SOBOL_G_BOUNDS = (0.0, 1.0)


def ishigami(x: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    """Evaluate the Ishigami function on rows of ``x`` (n x 3, radians)."""
    x = np.atleast_2d(np.asarray(x, dtype=float))
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def ishigami_exact(a: float = 7.0, b: float = 0.1) -> dict[str, list[float]]:
    """Exact first-order and total indices of the Ishigami function.

    With ``pi4 = pi^4``: ``V1 = (1 + b pi4 / 5)^2 / 2``, ``V2 = a^2 / 8``,
    ``V13 = b^2 pi^8 (1/18 - 1/50)``, ``V3 = 0`` and ``V = V1 + V2 + V13``.
    """
    pi4 = math.pi**4
    v1 = 0.5 * (1 + b * pi4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * math.pi**8 * (1 / 18 - 1 / 50)
    v = v1 + v2 + v13
    return {"S1": [v1 / v, v2 / v, 0.0], "ST": [(v1 + v13) / v, v2 / v, v13 / v]}


def sobol_g(x: np.ndarray, g: Sequence[float] = SOBOL_G_DEFAULT) -> np.ndarray:
    """Evaluate the Sobol' G function on rows of ``x`` (n x len(g), values in [0, 1])."""
    x = np.atleast_2d(np.asarray(x, dtype=float))
    g_arr = np.asarray(g, dtype=float)
    return np.prod((np.abs(4 * x - 2) + g_arr) / (1 + g_arr), axis=1)


def sobol_g_exact(g: Sequence[float] = SOBOL_G_DEFAULT) -> dict[str, list[float]]:
    """Exact first-order and total indices of the Sobol' G function.

    The partial variances are ``V_i = 1 / (3 (1 + g_i)^2)``; the total variance is
    ``prod (1 + V_i) - 1``; ``ST_i = V_i prod_{j != i} (1 + V_j) / V``.
    """
    v_i = np.array([1.0 / (3.0 * (1.0 + gi) ** 2) for gi in g])
    total = float(np.prod(1 + v_i) - 1)
    s1 = v_i / total
    st = np.array([v_i[i] * np.prod(np.delete(1 + v_i, i)) / total for i in range(len(v_i))])
    return {"S1": s1.tolist(), "ST": st.tolist()}


def noise_sd(model: str, x: np.ndarray, noise: float, kind: str) -> np.ndarray:
    """Standard deviation of a test function's run-to-run noise at rows of ``x``.

    ``additive``: ``noise`` everywhere. ``input``: ``2 noise u1``, with ``u1`` the first input
    scaled to [0, 1], so the noise is heteroscedastic but its mean is still 0: the indices of
    the mean over replicates are the exact ones of the noiseless function.
    """
    x = np.atleast_2d(np.asarray(x, dtype=float))
    if kind == "additive":
        return np.full(len(x), noise)
    low, high = ISHIGAMI_BOUNDS if model == "ishigami" else SOBOL_G_BOUNDS
    return 2.0 * noise * (x[:, 0] - low) / (high - low)


def morris_exact(
    fn: Callable[[np.ndarray], np.ndarray], bounds: Sequence[tuple[float, float]], num_levels: int
) -> dict[str, list[float]]:
    """Exact Morris ``mu_star``, ``mu`` and ``sigma`` of ``fn`` on the Morris grid.

    Morris' design with an even number of levels ``p`` and step ``delta = p / (2 (p - 1))``
    draws elementary effects uniformly from all pairs of grid points one step apart along
    one input (Morris 1991). Enumerating those pairs gives the expectation the sampled
    ``mu_star`` estimates. The elementary effect is measured, as in SALib, per unit of the
    input's range scaled to [0, 1].

    Args:
        fn: The function of rows of inputs.
        bounds: Range of each input (uniform inputs).
        num_levels: Levels of the grid (even).

    Returns:
        Lists indexed by input: ``mu_star``, ``mu`` and ``sigma`` (population standard
        deviation of the elementary effects).
    """
    k = len(bounds)
    delta = num_levels / (2 * (num_levels - 1))
    grid = np.arange(num_levels) / (num_levels - 1)
    lows = grid[grid + delta <= 1 + 1e-12]
    lo = np.array([b[0] for b in bounds])
    span = np.array([b[1] - b[0] for b in bounds])
    out: dict[str, list[float]] = {"mu_star": [], "mu": [], "sigma": []}
    for i in range(k):
        levels = [lows if j == i else grid for j in range(k)]
        base = np.array(list(itertools.product(*levels)))
        step = base.copy()
        step[:, i] += delta
        ee = (fn(lo + step * span) - fn(lo + base * span)) / delta
        out["mu_star"].append(float(np.mean(np.abs(ee))))
        out["mu"].append(float(np.mean(ee)))
        out["sigma"].append(float(np.std(ee)))
    return out
