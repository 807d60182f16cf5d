"""Sampling designs: the matrix of design points an experiment runs.

Sampling designs come from SALib 1.6 (``sample.sobol``, never the deprecated ``saltelli``;
``morris``, ``fast_sampler`` and ``latin``) with a seed derived from the experiment's master
seed, so a design is reproducible. A dummy parameter (uniform on [0, 1], read by nothing) is
appended to every design except the full grid: indices not above the dummy's are reported as
non-influential. Grids and one-at-a-time designs are built here.

The raw matrix ``X`` (what the analyses read) and the values the model receives (from
:meth:`Parameter.apply`) are kept apart.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from SALib.sample import fast_sampler, latin
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample
from SALib.util import scale_samples

from .loading import DESIGN_TAG, DUMMY, PILOT_TAG, Experiment, Parameter, derive_seed


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

        Sobol: N/4, N/2 and N base samples (Saltelli blocks of ``D + 2`` or ``2 D + 2`` rows);
        Morris: a quarter, half and all trajectories; latin-hypercube methods: the first rows.
        eFAST, grids and one-at-a-time designs cannot be cut, so they have none.
        """
        n = self.settings.get("N")
        if self.method == "sobol":
            block = self.block_size()
            return [(k, k * block) for k in (n // 4, n // 2, n) if k >= 1]
        if self.method == "morris":
            r = self.n_points // (len(self.names) + 1)
            sizes = sorted({max(2, r // 4), max(2, r // 2), r})
            return [(k, k * (len(self.names) + 1)) for k in sizes]
        if self.method in ("lhs", "delta", "pawn"):
            sizes = sorted({max(10, n // 4), max(10, n // 2), n})
            return [(k, k) for k in sizes]
        return []

    def block_size(self) -> int:
        """Rows per Sobol base sample: ``2 D + 2`` with second order, else ``D + 2``."""
        d = len(self.names)
        return 2 * d + 2 if self.settings["calc_second_order"] else d + 2


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
    method = "lhs" if pilot else d.method
    dummy = method != "grid" and not pilot
    problem = problem_of(exp.parameters, dummy)
    settings: dict[str, Any] = {"N": d.N, "sampling_seed": seed}
    if pilot:
        settings["N"] = exp.spec.pilot.points
        X = latin.sample(problem, settings["N"], seed=seed)
    elif method == "sobol":
        settings["calc_second_order"] = d.calc_second_order
        X = sobol_sample.sample(
            problem, d.N, calc_second_order=d.calc_second_order, scramble=True, seed=seed
        )
    elif method == "morris":
        settings.update(
            num_levels=d.num_levels,
            optimal_trajectories=d.optimal_trajectories,
            local_optimization=d.local_optimization,
        )
        X = morris_sample.sample(
            problem,
            d.N,
            num_levels=d.num_levels,
            optimal_trajectories=d.optimal_trajectories,
            local_optimization=d.local_optimization,
            seed=seed,
        )
    elif method == "fast":
        settings["M"] = d.M
        X = fast_sampler.sample(problem, d.N, M=d.M, seed=seed)
    elif method in ("lhs", "delta", "pawn"):
        X = latin.sample(problem, d.N, seed=seed)
    elif method == "grid":
        settings["levels"] = d.levels
        X = _grid(exp.parameters, d.levels)
    else:
        settings["levels"] = d.levels
        X = _oat(exp.parameters, d.levels)
    return Design(method, problem["names"], problem, np.asarray(X, dtype=float), settings,
                  list(exp.parameters))  # fmt: skip


def levels_of(p: Parameter, default: int) -> list[float]:
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


def _grid(parameters: list[Parameter], default: int) -> np.ndarray:
    axes = [levels_of(p, default) for p in parameters]
    return np.array(list(itertools.product(*axes)), dtype=float)


def _oat(parameters: list[Parameter], default: int) -> np.ndarray:
    """A one-at-a-time design.

    Point 0 holds every parameter at its baseline; then each parameter (and the dummy) takes
    each of its levels in turn, the others at baseline. A baseline of ``None`` (the scenario's
    own value) is stored as NaN: those runs do not override the parameter.
    """
    base = [np.nan if p.baseline is None else p.encode(p.baseline) for p in parameters]
    base.append(0.5)  # the dummy's baseline
    rows = [list(base)]
    axes = [levels_of(p, default) for p in parameters]
    axes.append(list(np.linspace(0.0, 1.0, default)))
    for j, levels in enumerate(axes):
        for value in levels:
            if value == base[j]:
                continue
            row = list(base)
            row[j] = value
            rows.append(row)
    return np.array(rows, dtype=float)


def oat_groups(design: Design) -> dict[str, list[int]]:
    """For each column of a one-at-a-time design, the rows where it varies (plus row 0)."""
    X, out = design.X, {}
    for j, name in enumerate(design.names):
        other = [k for k in range(X.shape[1]) if k != j]
        same = np.all((X[:, other] == X[0, other]) | (np.isnan(X[:, other])), axis=1)
        out[name] = [i for i in range(len(X)) if same[i]]
    return out
