"""Sampling designs: the matrix of design points an experiment runs.

Each method samples in its own module under :mod:`.methods` (SALib 1.6's ``sample.sobol``,
never the deprecated ``saltelli``; ``morris``, ``fast_sampler`` and ``latin``; grids and
one-at-a-time designs), with a seed derived from the experiment's master seed, so a design is
reproducible. A dummy parameter (uniform on [0, 1], read by nothing) is appended to every
design whose method asks for it (all but the full grid): indices not above the dummy's are
reported as non-influential.

The raw matrix ``X`` (what the analyses read) and the values the model receives (from
:meth:`Parameter.apply`) are kept apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from SALib.sample import latin

from .loading import DESIGN_TAG, DUMMY, PILOT_TAG, Experiment, Parameter, derive_seed
from .methods import METHODS


@dataclass
class Design:
    """The design points of an experiment.

    Attributes:
        method: The design method.
        names: Column names of ``X`` (the parameters, then the dummy when present).
        problem: The SALib problem (names, bounds, dists).
        X: The raw design matrix, one row per design point, in SALib's order.
        settings: The settings sampling used; analysis must use the same.
        parameters: The experiment's parameters (without the dummy).
    """

    method: str
    names: list[str]
    problem: dict[str, Any]
    X: np.ndarray
    settings: dict[str, Any]
    parameters: list[Parameter] = field(default_factory=list)

    @property
    def n_points(self) -> int:
        """Number of design points."""
        return len(self.X)

    @property
    def has_dummy(self) -> bool:
        """Whether the last column is the dummy parameter."""
        return bool(self.names) and self.names[-1] == DUMMY

    def values(self, point: int) -> dict[str, Any]:
        """The overrides a run at ``point`` applies (the dummy and NaN cells are skipped)."""
        row = self.X[point]
        return {
            p.name: p.apply(row[j]) for j, p in enumerate(self.parameters) if not np.isnan(row[j])
        }

    def value_table(self) -> list[dict[str, Any]]:
        """The applied values of every design point."""
        return [self.values(i) for i in range(self.n_points)]

    def prefixes(self) -> list[tuple[int, int]]:
        """Sample sizes for convergence, as ``(n, rows)``: the first rows are a valid design.

        Sobol: N/4, N/2 and N base samples; Morris: a quarter, half and all trajectories;
        latin-hypercube methods: the first rows. eFAST, grids and one-at-a-time designs cannot
        be cut, so they have none.
        """
        return METHODS[self.method].prefixes(self.n_points, self.names, self.settings)


def problem_of(parameters: list[Parameter], dummy: bool) -> dict[str, Any]:
    """The SALib problem of the parameters (plus the dummy)."""
    names = [p.name for p in parameters]
    bounds = [list(p.problem_bounds) for p in parameters]
    dists = [p.dist for p in parameters]
    if dummy:
        names.append(DUMMY)
        bounds.append([0.0, 1.0])
        dists.append("unif")
    return {"num_vars": len(names), "names": names, "bounds": bounds, "dists": dists}


def build_design(exp: Experiment, pilot: bool = False) -> Design:
    """Sample the design of an experiment (or of its pilot: a latin hypercube, no dummy)."""
    d = exp.spec.design
    seed = derive_seed(exp.spec.seed, PILOT_TAG if pilot else DESIGN_TAG)
    settings: dict[str, Any] = {"N": d.N, "sampling_seed": seed}
    if pilot:
        settings["N"] = exp.spec.pilot.points
        problem = problem_of(exp.parameters, dummy=False)
        X = latin.sample(problem, settings["N"], seed=seed)
        return Design("lhs", problem["names"], problem, np.asarray(X, dtype=float), settings,
                      list(exp.parameters))  # fmt: skip
    method = METHODS[d.method]
    problem = problem_of(exp.parameters, method.dummy)
    settings.update(method.settings(d))
    X = method.sample(problem, d.N, settings, seed, list(exp.parameters))
    return Design(d.method, problem["names"], problem, np.asarray(X, dtype=float), settings,
                  list(exp.parameters))  # fmt: skip

