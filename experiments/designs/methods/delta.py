"""Borgonovo's moment-independent delta from a latin hypercube (SALib's ``analyze.delta``).

Indices: ``delta`` (SALib's ``delta_raw``), ``delta_balanced`` (the same, bootstrapped within
input bins) and ``S1_delta`` (first-order index from the same sample).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from SALib.analyze import delta as salib_delta

from . import Index, Method, Options, first_rows, indices_of, isolated_global_rng, lhs


def analyze(problem: dict[str, Any], X: np.ndarray, Y: np.ndarray, settings: dict[str, Any],
            options: Options) -> list[Index]:  # fmt: skip
    """delta, delta_balanced and S1_delta with bootstrap half-widths."""
    with isolated_global_rng():
        si = salib_delta.analyze(problem, X, Y, num_resamples=options.num_resamples,
                                 conf_level=options.conf_level, seed=options.seed)  # fmt: skip
    names = problem["names"]
    return (
        indices_of(names, "delta", si["delta_raw"], si["delta_raw_conf"])
        + indices_of(names, "delta_balanced", si["delta_balanced"], si["delta_balanced_conf"])
        + indices_of(names, "S1_delta", si["S1"], si["S1_conf"])
    )


METHOD = Method(
    name="delta",
    sample=lhs.sample,
    analyze=analyze,
    primary=("delta", "S1_delta"),
    ranked=("delta", "delta_balanced", "S1_delta"),
    check=lhs.check,
    prefixes=first_rows,
)
