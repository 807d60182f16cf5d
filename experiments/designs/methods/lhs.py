"""Latin hypercube sample with Spearman rank correlations (conf from Fisher's z interval).

Its sampler is also the given-data methods' (delta, PAWN, RBD-FAST): one latin hypercube.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from SALib.sample import latin
from scipy import stats

from . import Index, Method, Options, first_rows


def sample(problem: dict[str, Any], n: int | None, settings: dict[str, Any], seed: int,
           parameters: list[Any]) -> np.ndarray:  # fmt: skip
    """``n`` points of a latin hypercube."""
    return latin.sample(problem, n, seed=seed)


def analyze(problem: dict[str, Any], X: np.ndarray, Y: np.ndarray, settings: dict[str, Any],
            options: Options) -> list[Index]:  # fmt: skip
    """Spearman's rho of each parameter with the output."""
    n = len(Y)
    z = stats.norm.ppf(0.5 + options.conf_level / 2)
    out = []
    for j, name in enumerate(problem["names"]):
        rho = float(stats.spearmanr(X[:, j], Y).statistic)
        se = math.sqrt(1.06 / (n - 3)) if n > 3 else math.inf
        r = float(np.clip(rho, -0.999999, 0.999999))
        lo, hi = math.tanh(math.atanh(r) - z * se), math.tanh(math.atanh(r) + z * se)
        out.append(Index(name, "spearman", rho, (hi - lo) / 2))
    return out


def check(design: Any) -> list[tuple[str, str]]:
    """At least 10 samples."""
    if design.N < 10:
        return [("design.N", f"{design.method} needs at least 10 samples, got {design.N}")]
    return []


METHOD = Method(
    name="lhs",
    sample=sample,
    analyze=analyze,
    primary=("spearman",),
    ranked=("spearman",),
    check=check,
    prefixes=first_rows,
)
