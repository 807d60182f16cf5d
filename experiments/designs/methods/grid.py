"""Full factorial grid: index ``anova_S1``, the share of output variance of a main effect.

No dummy: a grid's variance decomposition is exact on the grid.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pandas as pd
from SALib.util import scale_samples

from . import Index, Method, Options


def levels_of(p: Any, default: int) -> list[float]:
    """Design values of a parameter in a grid or one-at-a-time design.

    Discrete parameters take each of their values; a uniform range ``levels`` evenly spaced
    points from low to high (integers: the distinct rounded ones); other distributions the
    quantiles at ``(i + 0.5) / levels``.
    """
    if p.type == "discrete":
        return [p.encode(v) for v in p.values]
    n = p.levels or default
    if p.dist == "unif" and p.bounds is not None:
        pts = np.linspace(p.bounds[0], p.bounds[1], n)
    else:
        unit = ((np.arange(n) + 0.5) / n)[:, None]
        pts = scale_samples(unit, {"num_vars": 1, "bounds": [list(p.problem_bounds)],
                                   "dists": [p.dist]})[:, 0]  # fmt: skip
    if p.type == "int":
        pts = np.unique(np.rint(pts))
    return [float(v) for v in pts]


def sample(problem: dict[str, Any], n: int | None, settings: dict[str, Any], seed: int,
           parameters: list[Any]) -> np.ndarray:  # fmt: skip
    """Every combination of the parameters' levels."""
    axes = [levels_of(p, settings["levels"]) for p in parameters]
    return np.array(list(itertools.product(*axes)), dtype=float)


def analyze(problem: dict[str, Any], X: np.ndarray, Y: np.ndarray, settings: dict[str, Any],
            options: Options) -> list[Index]:  # fmt: skip
    """Variance of each parameter's main effect over the output's variance."""
    total = float(np.var(Y))
    out = []
    for j, name in enumerate(problem["names"]):
        means = pd.Series(Y).groupby(X[:, j]).agg(["mean", "count"])
        main = float(np.average((means["mean"] - Y.mean()) ** 2, weights=means["count"]))
        out.append(Index(name, "anova_S1", main / total, np.nan))
    return out


def settings(design: Any) -> dict[str, Any]:
    """Points per continuous parameter."""
    return {"levels": design.levels}


METHOD = Method(
    name="grid",
    sample=sample,
    analyze=analyze,
    primary=("anova_S1",),
    structured=True,
    dummy=False,
    uses_n=False,
    settings=settings,
)
