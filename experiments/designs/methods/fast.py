"""Extended FAST (SALib's ``fast_sampler`` and ``analyze.fast``).

Indices ``fast_S1`` and ``fast_ST``; SALib calls their intervals indicative only.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from SALib.analyze import fast as salib_fast
from SALib.sample import fast_sampler

from . import Index, Method, Options, indices_of, isolated_global_rng


def sample(problem: dict[str, Any], n: int | None, settings: dict[str, Any], seed: int,
           parameters: list[Any]) -> np.ndarray:  # fmt: skip
    """``n`` points per parameter on search curves of interference parameter ``M``."""
    return fast_sampler.sample(problem, n, M=settings["M"], seed=seed)


def analyze(problem: dict[str, Any], X: np.ndarray, Y: np.ndarray, settings: dict[str, Any],
            options: Options) -> list[Index]:  # fmt: skip
    """fast_S1 and fast_ST."""
    with isolated_global_rng():  # also hides the warning that eFAST intervals are indicative
        si = salib_fast.analyze(problem, Y, M=settings["M"], num_resamples=options.num_resamples,
                                conf_level=options.conf_level, seed=options.seed)  # fmt: skip
    names = problem["names"]
    return indices_of(names, "fast_S1", si["S1"], si["S1_conf"]) + indices_of(
        names, "fast_ST", si["ST"], si["ST_conf"]
    )


def settings(design: Any) -> dict[str, Any]:
    """The interference parameter M."""
    return {"M": design.M}


def check(design: Any) -> list[tuple[str, str]]:
    """N must exceed 4 M^2."""
    if design.N <= 4 * design.M**2:
        m = design.M
        return [("design.N", f"fast needs N > 4 M^2 = {4 * m**2} (M = {m}), got {design.N}")]
    return []


METHOD = Method(
    name="fast",
    sample=sample,
    analyze=analyze,
    primary=("fast_S1", "fast_ST"),
    ranked=("fast_S1", "fast_ST"),
    rank_by="fast_ST",
    structured=True,
    settings=settings,
    check=check,
)
