"""PAWN from a latin hypercube (SALib's ``analyze.pawn``).

Indices ``pawn_median`` and ``pawn_max``: median and maximum Kolmogorov-Smirnov distance
between conditional and unconditional output distributions over the slices; no conf.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from SALib.analyze import pawn as salib_pawn

from . import Index, Method, Options, first_rows, indices_of, isolated_global_rng, lhs


def analyze(problem: dict[str, Any], X: np.ndarray, Y: np.ndarray, settings: dict[str, Any],
            options: Options) -> list[Index]:  # fmt: skip
    """pawn_median and pawn_max over ``slices`` conditioning slices."""
    with isolated_global_rng():
        si = salib_pawn.analyze(problem, X, Y, S=settings["slices"], seed=options.seed)
    names = problem["names"]
    return indices_of(names, "pawn_median", si["median"]) + indices_of(
        names, "pawn_max", si["maximum"]
    )


def settings(design: Any) -> dict[str, Any]:
    """The number of conditioning slices."""
    return {"slices": design.slices}


def check(design: Any) -> list[tuple[str, str]]:
    """At least 10 samples and two per slice."""
    out = lhs.check(design)
    if design.N < 2 * design.slices:
        msg = f"pawn needs N >= 2 x slices = {2 * design.slices}, got {design.N}"
        out.append(("design.N", msg))
    return out[:1]


METHOD = Method(
    name="pawn",
    sample=lhs.sample,
    analyze=analyze,
    primary=("pawn_median",),
    ranked=("pawn_median", "pawn_max"),
    settings=settings,
    check=check,
    prefixes=first_rows,
)
