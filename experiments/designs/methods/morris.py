"""Morris' elementary effects (SALib's ``sample.morris`` and ``analyze.morris``).

Indices: ``mu_star`` (mean absolute elementary effect; conf by bootstrap), ``sigma`` and
``mu`` (standard deviation and mean of the elementary effects; no conf).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from SALib.analyze import morris as salib_morris
from SALib.sample import morris as salib_sample

from . import Index, Method, Options, indices_of


def sample(problem: dict[str, Any], n: int | None, settings: dict[str, Any], seed: int,
           parameters: list[Any]) -> np.ndarray:  # fmt: skip
    """``n`` trajectories of ``D + 1`` rows on a grid of ``num_levels`` levels."""
    return salib_sample.sample(
        problem,
        n,
        num_levels=settings["num_levels"],
        optimal_trajectories=settings["optimal_trajectories"],
        local_optimization=settings["local_optimization"],
        seed=seed,
    )


def analyze(problem: dict[str, Any], X: np.ndarray, Y: np.ndarray, settings: dict[str, Any],
            options: Options) -> list[Index]:  # fmt: skip
    """mu_star (with bootstrap half-widths), sigma and mu."""
    si = salib_morris.analyze(problem, X, Y, num_resamples=options.num_resamples,
                              conf_level=options.conf_level, num_levels=settings["num_levels"],
                              seed=options.seed)  # fmt: skip
    names = problem["names"]
    return (
        indices_of(names, "mu_star", si["mu_star"], si["mu_star_conf"])
        + indices_of(names, "sigma", si["sigma"])
        + indices_of(names, "mu", si["mu"])
    )


def settings(design: Any) -> dict[str, Any]:
    """The grid and trajectory settings sampling uses (analysis needs ``num_levels``)."""
    return {
        "num_levels": design.num_levels,
        "optimal_trajectories": design.optimal_trajectories,
        "local_optimization": design.local_optimization,
    }


def check(design: Any) -> list[tuple[str, str]]:
    """At least 2 trajectories, an even number of levels, optimal_trajectories at most N."""
    n, out = design.N, []
    if n < 2:
        out.append(("design.N", "morris needs at least 2 trajectories"))
    if design.num_levels % 2:
        out.append(("design.num_levels", f"must be even, got {design.num_levels}"))
    if design.optimal_trajectories is not None and design.optimal_trajectories > n:
        out.append(("design.optimal_trajectories", f"must be at most N = {n} trajectories"))
    return out


def prefixes(n_points: int, names: list[str], settings: dict[str, Any]) -> list[tuple[int, int]]:
    """A quarter, half and all of the trajectories."""
    r = n_points // (len(names) + 1)
    sizes = sorted({max(2, r // 4), max(2, r // 2), r})
    return [(k, k * (len(names) + 1)) for k in sizes]


def rows_error(rows: int, names: list[str], settings: dict[str, Any], X: np.ndarray) -> str | None:
    """Rows must be whole trajectories, on no more levels than the analysis assumes."""
    d = len(names)
    if rows % (d + 1):
        return f"{rows} Morris rows are not whole trajectories of {d + 1} rows"
    levels = max(len(np.unique(X[:, j])) for j in range(d))
    if levels > settings["num_levels"]:
        return (
            f"the Morris design has {levels} levels in a parameter but the analysis "
            f"uses num_levels = {settings['num_levels']}: sampling and analysis settings disagree"
        )
    return None


METHOD = Method(
    name="morris",
    sample=sample,
    analyze=analyze,
    primary=("mu_star",),
    ranked=("mu_star",),
    structured=True,
    settings=settings,
    check=check,
    prefixes=prefixes,
    rows_error=rows_error,
)
