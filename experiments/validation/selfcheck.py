"""The pipeline self-check: estimated against exact indices of the Ishigami function.

Three shipped experiments run through the whole pipeline (design, executor, store,
replicate reduction, analysis) with ``model = "ishigami"`` (a = 7, b = 0.1):

- ``selfcheck-sobol``: Sobol', N = 1024; every S1 and ST within 0.04 of the exact value,
  and every input's ST above the dummy's interval.
- ``selfcheck-morris``: Morris, 500 trajectories, 4 levels; every mu_star within 10% of the
  largest exact mu_star of the exact value on the same grid (:func:`morris_exact`), x3 the
  least important input, and the dummy at 0 and non-influential while x1..x3 are influential.
- ``selfcheck-fast``: eFAST, N = 1024 per input; every S1 and ST within 0.05 of exact.

Two more check the budget rules with noisy runs, whose exact indices are those of the mean
(the noise has mean 0): ``selfcheck-sobol-noise`` (Ishigami plus additive noise) and
``selfcheck-sobolg-noise`` (Sobol' G plus noise growing with x1). Each runs its pilot first,
then the design with the replicates the pilot recommends (the largest over outputs), exactly
as a user would with ``--pilot``; every S1 and ST must be within 0.04 of exact. Too few
replicates bias the first-order indices towards 0 and every total index upwards by the
noise share (noise shows as interaction with every input).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..designs import experiment as pipeline
from ..designs.loading import DUMMY, load_experiment
from ..runs.executors import Backend
from . import testfunctions

SOBOL_TOLERANCE = 0.04
NOISY = ("selfcheck-sobol-noise", "selfcheck-sobolg-noise")
FAST_TOLERANCE = 0.05
MORRIS_RELATIVE_TOLERANCE = 0.10


@dataclass
class Check:
    """One comparison of an estimate with its known value."""

    method: str
    what: str
    estimate: float
    exact: float
    tolerance: float
    passed: bool


def _value(indices: pd.DataFrame, parameter: str, index: str, column: str = "value"):
    row = indices[(indices["parameter"] == parameter) & (indices["index"] == index)]
    return row[column].iloc[0]


def _close(method, what, est, exact, tol) -> Check:
    return Check(method, what, float(est), float(exact), tol, abs(est - exact) <= tol)


def _flag(method: str, what: str, value: bool, expected: bool) -> Check:
    return Check(method, what, float(value), float(expected), 0.0, bool(value) == expected)


def check_variance_based(method: str, indices: pd.DataFrame, names: tuple[str, str]) -> list[Check]:
    """Compare first-order and total indices with Ishigami's exact ones."""
    exact = testfunctions.ishigami_exact()
    tol = SOBOL_TOLERANCE if method == "sobol" else FAST_TOLERANCE
    out = []
    for key, name in zip(("S1", "ST"), names, strict=True):
        for i, x in enumerate(("x1", "x2", "x3")):
            out.append(_close(method, f"{name} {x}", _value(indices, x, name), exact[key][i], tol))
    if method == "sobol":
        for x in ("x1", "x2", "x3"):
            flag = _value(indices, x, "ST", "influential")
            out.append(_flag(method, f"ST {x} above the dummy", flag, True))
    return out


def check_noisy(exp_name: str, indices: pd.DataFrame, exact: dict[str, list[float]],
                names: list[str]) -> list[Check]:  # fmt: skip
    """Indices of the replicate means within 0.04 of the noiseless function's exact ones."""
    out = []
    for key in ("S1", "ST"):
        for i, x in enumerate(names):
            est = _value(indices, x, key)
            out.append(_close(exp_name, f"{key} {x}", est, exact[key][i], SOBOL_TOLERANCE))
    return out


def exact_of(exp: Any) -> tuple[dict[str, list[float]], list[str]]:
    """Exact indices and input names of an experiment's test function."""
    f = exp.spec.function
    if exp.spec.model == "ishigami":
        return testfunctions.ishigami_exact(f.a, f.b), ["x1", "x2", "x3"]
    return testfunctions.sobol_g_exact(f.g), [f"x{i + 1}" for i in range(len(f.g))]


def budgeted(name: str, base: Path, backend: Backend) -> Any:
    """Load ``name`` with the replicates its pilot recommends (the pilot runs in ``base``)."""
    pilot = pipeline.run(load_experiment(name), base, backend, pilot=True, figures=False)
    recommended = pilot.recommendation["recommended_replicates"]  # type: ignore[index]
    replicates = int(recommended.fillna(1).max())
    return load_experiment(name, {"replicates": replicates})


def check_morris(indices: pd.DataFrame, num_levels: int) -> list[Check]:
    """Compare mu_star with its exact value on the Morris grid, and the dummy's verdicts."""
    bounds = [testfunctions.ISHIGAMI_BOUNDS] * 3
    exact = testfunctions.morris_exact(testfunctions.ishigami, bounds, num_levels)["mu_star"]
    tol = MORRIS_RELATIVE_TOLERANCE * max(exact)
    out = []
    est = {x: float(_value(indices, x, "mu_star")) for x in ("x1", "x2", "x3", DUMMY)}
    for i, x in enumerate(("x1", "x2", "x3")):
        out.append(_close("morris", f"mu_star {x}", est[x], exact[i], tol))
        flag = _value(indices, x, "mu_star", "influential")
        out.append(_flag("morris", f"mu_star {x} above the dummy", flag, True))
    out.append(_close("morris", "mu_star dummy", est[DUMMY], 0.0, 1e-9))
    lowest = min(("x1", "x2", "x3"), key=est.get)
    out.append(_flag("morris", "x3 has the smallest mu_star", lowest == "x3", True))
    return out


def run_selfcheck(backend: Backend, out: Path | None = None) -> tuple[list[Check], list[str]]:
    """Run the three self-check experiments and compare with the known values.

    Args:
        backend: Where to run.
        out: Keep the results folders here (default: a temporary folder, removed after).

    Returns:
        The checks, and a line per experiment saying how long it took.
    """
    checks: list[Check] = []
    timings = []
    with tempfile.TemporaryDirectory(prefix="zhaoshang-selfcheck-") as tmp:
        base = Path(out) if out is not None else Path(tmp)
        for name in ("selfcheck-sobol", "selfcheck-morris", "selfcheck-fast", *NOISY):
            noisy = name in NOISY
            exp = budgeted(name, base / name, backend) if noisy else load_experiment(name)
            outcome = pipeline.run(exp, base / name, backend, figures=out is not None)
            indices = outcome.analysis.indices  # type: ignore[union-attr]
            if noisy:
                checks += check_noisy(name, indices, *exact_of(exp))
            elif exp.method == "sobol":
                checks += check_variance_based("sobol", indices, ("S1", "ST"))
            elif exp.method == "fast":
                checks += check_variance_based("fast", indices, ("fast_S1", "fast_ST"))
            else:
                checks += check_morris(indices, exp.spec.design.num_levels)
            seconds = outcome.report.seconds
            timings.append(f"{name}: {outcome.report.total} runs ({exp.spec.replicates} "
                           f"replicates) in {seconds:.1f} s")  # fmt: skip
    return checks, timings


def format_checks(checks: list[Check]) -> list[tuple[str, ...]]:
    """Rows for a table: method, what, estimate, exact, |error| or verdict, pass/FAIL."""
    rows = []
    for c in checks:
        if c.tolerance == 0.0:
            est, exact, err = str(bool(c.estimate)), str(bool(c.exact)), "-"
        else:
            est, exact = f"{c.estimate:.4f}", f"{c.exact:.4f}"
            err = f"{abs(c.estimate - c.exact):.4f} <= {c.tolerance:.4g}"
        rows.append((c.method, c.what, est, exact, err, "pass" if c.passed else "FAIL"))
    return rows
