"""RBD-FAST first-order indices from a latin hypercube (SALib's ``analyze.rbd_fast``).

A given-data estimator: all first-order indices from one sample of N runs, whatever the
number of parameters (Plischke 2010, with Tissot and Prieur's 2012 bias correction). Index
``rbd_S1`` with a bootstrap half-width; no total indices.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from SALib.analyze import rbd_fast as salib_rbd_fast

from . import Index, Method, Options, first_rows, indices_of, isolated_global_rng, lhs


def analyze(problem: dict[str, Any], X: np.ndarray, Y: np.ndarray, settings: dict[str, Any],
            options: Options) -> list[Index]:  # fmt: skip
    """rbd_S1 with bootstrap half-widths."""
    with isolated_global_rng():
        si = salib_rbd_fast.analyze(problem, X, Y, M=settings["M"],
                                    num_resamples=options.num_resamples,
                                    conf_level=options.conf_level, seed=options.seed)  # fmt: skip
    return indices_of(problem["names"], "rbd_S1", si["S1"], si["S1_conf"])


def settings(design: Any) -> dict[str, Any]:
    """The number of harmonics M."""
    return {"M": design.M}


def check(design: Any) -> list[tuple[str, str]]:
    """At least 10 samples and more than 2 M."""
    out = lhs.check(design)
    if design.N <= 2 * design.M:
        out.append(("design.N", f"rbd-fast needs N > 2 M = {2 * design.M}, got {design.N}"))
    return out[:1]


METHOD = Method(
    name="rbd-fast",
    sample=lhs.sample,
    analyze=analyze,
    primary=("rbd_S1",),
    ranked=("rbd_S1",),
    settings=settings,
    check=check,
    prefixes=first_rows,
)
