"""Sobol' first-order and total indices from a Saltelli design (SALib's ``sample.sobol``).

Indices ``S1`` (Saltelli et al. 2010) and ``ST`` (Jansen 1999), the estimators SALib uses,
with intervals from a bootstrap over **both** the base samples and, when a design point was
run more than once, its replicates: each resample draws N base samples with replacement and,
for every design point it keeps, the mean of R replicates drawn with replacement. The
intervals therefore include the model's run-to-run noise; since a point's mean already carries
its noise, resampling the replicates counts it a second time, which errs on the wide side (by
little when the noise share is small, as for the model). With one replicate per point and
independent seeds the noise is already in each point's value, and resampling base samples
carries it. With ``calc_second_order`` on, SALib's ``analyze`` computes everything (``S2``
too), with its bootstrap over base samples only.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from SALib.analyze import sobol as salib_sobol
from SALib.sample import sobol as salib_sample
from scipy import stats

from . import Index, Method, Options, indices_of


def sample(problem: dict[str, Any], n: int | None, settings: dict[str, Any], seed: int,
           parameters: list[Any]) -> np.ndarray:  # fmt: skip
    """Saltelli's scheme on a scrambled Sobol' sequence: ``n (D + 2)`` rows (``2 D + 2``)."""
    cso = settings["calc_second_order"]
    with warnings.catch_warnings():
        # N = 3 x 2^m: the first 2^(m+1) points and the next 2^m are each balanced (nets of
        # the sequence), which is what SciPy's warning about powers of 2 protects.
        warnings.filterwarnings("ignore", message="The balance properties of Sobol")
        return salib_sample.sample(problem, n, calc_second_order=cso, scramble=True, seed=seed)


def block_size(d: int, settings: dict[str, Any]) -> int:
    """Rows per base sample: ``2 D + 2`` with second order, else ``D + 2``."""
    return 2 * d + 2 if settings["calc_second_order"] else d + 2


def estimate(blocks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """S1 and ST from base-sample blocks ``(N, D + 2)``: columns A, AB_1..AB_D, B."""
    a, b, ab = blocks[:, 0], blocks[:, -1], blocks[:, 1:-1]
    var = np.var(np.concatenate([a, b]), ddof=0)
    s1 = np.mean(b[:, None] * (ab - a[:, None]), axis=0) / var
    st = 0.5 * np.mean((a[:, None] - ab) ** 2, axis=0) / var
    return s1, st


def analyze(problem: dict[str, Any], X: np.ndarray, Y: np.ndarray, settings: dict[str, Any],
            options: Options) -> list[Index]:  # fmt: skip
    """S1 and ST (and S2 with second order) with bootstrap half-widths."""
    names = problem["names"]
    d = len(names)
    if settings["calc_second_order"]:
        return _salib(problem, Y, options)
    width = block_size(d, settings)
    n = len(Y) // width
    scale = (np.mean(Y), np.std(Y))
    blocks = ((Y - scale[0]) / scale[1]).reshape(n, width)
    s1, st = estimate(blocks)
    rng = np.random.default_rng(options.seed)
    reps = options.replicates
    reps = None if reps is None or reps.shape[1] < 2 else (reps - scale[0]) / scale[1]
    boot = np.empty((options.num_resamples, 2, d))
    for k in range(options.num_resamples):
        pick = rng.integers(n, size=n)
        if reps is None:
            sample_blocks = blocks[pick]
        else:
            rows = (pick[:, None] * width + np.arange(width)).ravel()
            sample_blocks = _resample_replicates(reps[rows], rng).reshape(n, width)
        boot[k] = estimate(sample_blocks)
    z = stats.norm.ppf(0.5 + options.conf_level / 2)
    conf = z * np.std(boot, axis=0, ddof=1)
    return indices_of(names, "S1", s1, conf[0]) + indices_of(names, "ST", st, conf[1])


def _resample_replicates(m: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Each row's mean over its finite replicates, drawn with replacement."""
    counts = np.isfinite(m).sum(axis=1)
    order = np.argsort(~np.isfinite(m), axis=1, kind="stable")  # finite cells first
    packed = np.take_along_axis(m, order, axis=1)
    draw = (rng.random(m.shape) * counts[:, None]).astype(int)
    return np.take_along_axis(packed, draw, axis=1).mean(axis=1)


def _salib(problem: dict[str, Any], Y: np.ndarray, options: Options) -> list[Index]:
    names = problem["names"]
    si = salib_sobol.analyze(problem, Y, calc_second_order=True,
                             num_resamples=options.num_resamples,
                             conf_level=options.conf_level, seed=options.seed)  # fmt: skip
    out = indices_of(names, "S1", si["S1"], si["S1_conf"])
    out += indices_of(names, "ST", si["ST"], si["ST_conf"])
    for j in range(len(names)):
        for k in range(j + 1, len(names)):
            pair = f"{names[j]}|{names[k]}"
            out.append(Index(pair, "S2", float(si["S2"][j, k]), float(si["S2_conf"][j, k])))
    return out


def settings(design: Any) -> dict[str, Any]:
    """Second-order indices or not: sampling and analysis must agree."""
    return {"calc_second_order": design.calc_second_order}


def balanced(n: int) -> bool:
    """Whether the first ``n`` Sobol' points are balanced: ``n`` is 2^m or 3 x 2^m, >= 4."""
    m = n // 3 if n % 3 == 0 else n
    return n >= 4 and m & (m - 1) == 0


def check(design: Any) -> list[tuple[str, str]]:
    """N must be a power of 2 or three times one, at least 4."""
    n = design.N
    if not balanced(n):
        return [("design.N", f"sobol needs N a power of 2 or 3 x a power of 2, at least 4, "
                             f"got {n}")]  # fmt: skip
    return []


def prefixes(n_points: int, names: list[str], settings: dict[str, Any]) -> list[tuple[int, int]]:
    """N/4, N/2 and N base samples."""
    block = block_size(len(names), settings)
    n = settings["N"]
    return [(k, k * block) for k in (n // 4, n // 2, n) if k >= 1 and (k == n or balanced(k))]


def rows_error(rows: int, names: list[str], settings: dict[str, Any], X: np.ndarray) -> str | None:
    """Why ``rows`` Sobol' rows do not fit the settings, or None."""
    block = block_size(len(names), settings)
    if rows % block:
        return (
            f"{rows} Sobol rows do not fit calc_second_order = {settings['calc_second_order']} "
            f"({block} rows per base sample with {len(names)} parameters): sampling and "
            "analysis settings disagree"
        )
    return None


METHOD = Method(
    name="sobol",
    sample=sample,
    analyze=analyze,
    primary=("S1", "ST"),
    ranked=("S1", "ST", "S2"),
    rank_by="ST",
    structured=True,
    settings=settings,
    check=check,
    prefixes=prefixes,
    rows_error=rows_error,
)
