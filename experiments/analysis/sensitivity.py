"""Sensitivity analysis of an experiment's outputs, with guards against SALib's silent failures.

Each method's indices are described in its module under
:mod:`zhaoshang.experiments.designs.methods` (the ``index`` column of ``indices.csv``;
confidence half-widths in ``conf``): sobol ``S1``, ``ST`` (``S2``), morris ``mu_star``,
``sigma``, ``mu``, fast ``fast_S1``, ``fast_ST``, rbd-fast ``rbd_S1``, delta ``delta``,
``delta_balanced``, ``S1_delta``, pawn ``pawn_median``, ``pawn_max``, lhs ``spearman``, oat
``oat_range``, grid ``anova_S1``.

Guards: non-finite outputs stop the analysis of that output for designs that need every point
(sobol, morris, fast, oat, grid; SALib 1.6 would return zeros or NaN without a word) and are
excluded, with a count, from the others; a constant output is reported, not analysed; Sobol row
counts are checked against ``calc_second_order`` and Morris designs against ``num_levels``,
both taken from the sampling settings; SALib's bootstrap seeds are derived from the master seed
and never 0 (which SALib reads as "no seed"); SALib routines that draw from NumPy's global
generator run with that generator's state saved and restored.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from ..designs.loading import DUMMY, Output
from ..designs.methods import METHODS, Options
from ..designs.sampling import Design

#: Indices where larger means more influential, compared against the dummy's.
RANKED = {index for m in METHODS.values() for index in m.ranked}
#: Indices plotted first for each method.
PRIMARY = {name: m.primary for name, m in METHODS.items()}
COLUMNS = ["output", "parameter", "index", "value", "conf"]


def rank_index(method: str) -> str:
    """The index by which parameters are ranked for ``method``."""
    return METHODS[method].rank_index


class AnalysisError(Exception):
    """An output that cannot be analysed (the message says why and what to do)."""


@dataclass
class Note:
    """A problem met while analysing an output: fatal (no indices) or rows excluded."""

    output: str
    message: str
    fatal: bool


# ---------------------------------------------------------------------------- replicates
REDUCERS = {
    "mean": lambda m: np.nanmean(m, axis=1),
    "median": lambda m: np.nanmedian(m, axis=1),
    "std": lambda m: np.nanstd(m, axis=1, ddof=1),
    "min": lambda m: np.nanmin(m, axis=1),
    "max": lambda m: np.nanmax(m, axis=1),
}


def replicate_matrix(runs: pd.DataFrame, name: str, n_points: int) -> np.ndarray:
    """Values of one output as a (design point x replicate) matrix.

    Cells are NaN where a run failed, is missing or gave no finite value.
    """
    ok = runs[runs["status"] == "done"]
    width = int(runs["replicate"].max()) + 1 if len(runs) else 1
    m = np.full((n_points, width), np.nan)
    m[ok["point"].to_numpy(int), ok["replicate"].to_numpy(int)] = ok[name].to_numpy(float)
    m[~np.isfinite(m)] = np.nan
    return m


def _quiet(fn, m: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return fn(m)


def per_point(
    runs: pd.DataFrame, outputs: list[Output], n_points: int
) -> tuple[dict[str, np.ndarray], pd.DataFrame]:
    """Reduce the replicates of each design point.

    Args:
        runs: One row per run (``point``, ``replicate``, ``status``, one column per output).
        outputs: The outputs and their reductions.
        n_points: Number of design points (rows are kept in design order).

    Returns:
        ``Y`` (output -> array over points, NaN where no replicate gave a finite value) and a
        frame with, per point and output, the reduced value, the replicates' standard
        deviation (``<output>_sd``) and the number of finite replicates (``<output>_n``).
    """
    Y: dict[str, np.ndarray] = {}
    table = pd.DataFrame({"point": np.arange(n_points)})
    for o in outputs:
        m = replicate_matrix(runs, o.name, n_points)
        Y[o.name] = _quiet(REDUCERS[o.reduce], m)
        table[o.name] = Y[o.name]
        table[f"{o.name}_sd"] = _quiet(REDUCERS["std"], m)
        table[f"{o.name}_n"] = np.isfinite(m).sum(axis=1)
    return Y, table


def noise_table(runs: pd.DataFrame, outputs: list[Output], n_points: int) -> pd.DataFrame:
    """How much of each output's variance is run-to-run noise.

    ``var_within`` is the mean over design points of the replicates' variance; ``var_runs`` the
    variance of single runs over the whole design; ``var_means`` the variance of the replicate
    means across points. ``noise_share_run = var_within / var_runs`` is the share of a single
    run's variance that is noise; ``noise_share_mean = (var_within / R) / var_means`` the share
    of the variance of the replicate means (what the indices are computed on) that is still
    noise, R being the median number of replicates per point. Both need two replicates.
    """
    rows = []
    for o in outputs:
        m = replicate_matrix(runs, o.name, n_points)
        counts = np.isfinite(m).sum(axis=1)
        reps = float(np.median(counts[counts > 0])) if (counts > 0).any() else 0.0
        within = _quiet(lambda a: np.nanvar(a, axis=1, ddof=1), m[counts >= 2])
        var_within = float(np.mean(within)) if len(within) else math.nan
        values = m[np.isfinite(m)]
        var_runs = float(np.var(values, ddof=1)) if len(values) > 1 else math.nan
        means = _quiet(REDUCERS["mean"], m[counts > 0])
        var_means = float(np.var(means, ddof=1)) if len(means) > 1 else math.nan
        share_run = var_within / var_runs if var_runs > 0 else math.nan
        share_mean = (var_within / reps) / var_means if var_means > 0 and reps else math.nan
        rows.append(
            {
                "output": o.name,
                "replicates": reps,
                "points": int((counts > 0).sum()),
                "var_runs": var_runs,
                "var_within": var_within,
                "var_means": var_means,
                "noise_share_run": min(share_run, 1.0),
                "noise_share_mean": min(share_mean, 1.0),
            }
        )
    return pd.DataFrame(rows)


def recommend_replicates(noise: pd.DataFrame, target: float) -> pd.DataFrame:
    """Replicates needed so that noise is at most ``target`` of the replicate means' variance.

    With signal variance ``s = var_means - var_within / R`` (R the pilot's replicates), the noise
    share with ``r`` replicates is ``(var_within / r) / (s + var_within / r)``; it is at most
    ``target`` when ``r >= var_within (1 - target) / (target s)``. Where the pilot finds no
    signal above the noise (``s <= 0``) no count is recommended.
    """
    out = noise[["output", "replicates", "noise_share_run", "noise_share_mean"]].copy()
    recs = []
    for _, row in noise.iterrows():
        signal = row["var_means"] - row["var_within"] / row["replicates"]
        if not np.isfinite(signal) or signal <= 0:
            recs.append(math.nan)
        else:
            recs.append(max(1, math.ceil(row["var_within"] * (1 - target) / (target * signal))))
    out["recommended_replicates"] = recs
    return out


# ---------------------------------------------------------------------------- guards
def check_output(design: Design, name: str, y: np.ndarray) -> tuple[np.ndarray, Note | None]:
    """Rows usable for analysis, and a note if some are not (fatal for structured designs).

    Raises:
        AnalysisError: If the design needs every point and some are not finite, or if the
            output does not vary.
    """
    finite = np.isfinite(y)
    if not finite.all():
        bad = np.flatnonzero(~finite)
        shown = ", ".join(str(i) for i in bad[:8]) + (", ..." if len(bad) > 8 else "")
        what = (
            f"output {name!r}: {len(bad)} of {len(y)} design points have no finite value "
            f"(points {shown}: every replicate failed, or the KPI is undefined there, such as "
            "a cost per job with no jobs)"
        )
        if METHODS[design.method].structured:
            raise AnalysisError(
                f"{what}; {design.method} needs every design point, so no indices were "
                "computed for it. Retry failed runs (--retry-failed), narrow the ranges, or "
                "choose another output."
            )
        note = Note(name, f"{what}; these points were left out of the analysis", fatal=False)
    else:
        note = None
    kept = y[finite]
    if len(kept) and np.ptp(kept) == 0:
        raise AnalysisError(
            f"output {name!r} is {kept[0]:g} at every design point: there is no variance to "
            "attribute to the parameters"
        )
    return finite, note


# ---------------------------------------------------------------------------- analyses
def analyze_rows(
    design: Design,
    y: np.ndarray,
    rows: np.ndarray,
    seed: int,
    num_resamples: int,
    conf_level: float,
    replicates: np.ndarray | None = None,
) -> list[tuple[str, str, float, float]]:
    """Indices of one output from the design rows ``rows`` (a prefix, or the finite rows).

    BLAS runs single-threaded here: SALib's delta evaluates thousands of tiny kernel density
    estimates, which multi-threaded OpenBLAS makes twenty times slower on a busy machine.

    Args:
        design: The design.
        y: The output at every design point.
        rows: The rows to analyse.
        seed: Bootstrap seed.
        num_resamples: Bootstrap resamples.
        conf_level: Confidence level.
        replicates: The output's (point x replicate) matrix, for methods that bootstrap
            over replicates too.

    Returns:
        ``(parameter, index, value, conf)`` tuples.

    Raises:
        AnalysisError: If the rows do not fit the sampling settings.
    """
    method = METHODS[design.method]
    X = design.X[rows]
    error = method.rows_error(len(rows), design.names, design.settings, X)
    if error:
        raise AnalysisError(error)
    problem = design.problem
    reps = None if replicates is None else replicates[rows]
    options = Options(seed=seed, num_resamples=num_resamples, conf_level=conf_level,
                      replicates=reps)  # fmt: skip
    with threadpool_limits(limits=1, user_api="blas"):
        found = method.analyze(problem, X, y[rows], design.settings, options)
    return [tuple(index) for index in found]


@dataclass
class Analysis:
    """Indices of every output, their convergence, and the notes on what was left out."""

    indices: pd.DataFrame
    convergence: pd.DataFrame
    notes: list[Note]


def analyze(
    design: Design,
    Y: dict[str, np.ndarray],
    seed: int,
    num_resamples: int = 100,
    conf_level: float = 0.95,
    convergence: bool = True,
    replicates: dict[str, np.ndarray] | None = None,
) -> Analysis:
    """Indices (with the dummy comparison) and convergence for every output.

    Args:
        design: The design (its settings are the ones sampling used).
        Y: Output name -> value per design point, in design order.
        seed: Seed of the bootstrap (derived from the master seed; never 0).
        num_resamples: Bootstrap resamples.
        conf_level: Confidence level.
        convergence: Also compute indices on the design's prefixes.
        replicates: Output name -> (point x replicate) matrix of the runs behind ``Y``, for
            methods whose bootstrap resamples replicates too (Sobol').

    Returns:
        The analysis.
    """
    kwargs = {"seed": seed, "num_resamples": num_resamples, "conf_level": conf_level}
    rows, conv, notes = [], [], []
    for name, y in Y.items():
        if len(y) != design.n_points:
            raise AnalysisError(
                f"output {name!r} has {len(y)} values for {design.n_points} design points: "
                "rows were lost or reordered"
            )
        try:
            finite, note = check_output(design, name, y)
            if note:
                notes.append(note)
            use = np.flatnonzero(finite)
            reps = None if replicates is None else replicates.get(name)
            rows += [
                (name, *r) for r in analyze_rows(design, y, use, replicates=reps, **kwargs)
            ]
            sizes = design.prefixes() if convergence else []
            for n, count in sizes:
                prefix = use[use < count]
                if len(prefix) < 4:
                    continue
                for r in analyze_rows(design, y, prefix, replicates=reps, **kwargs):
                    conv.append((name, r[0], r[1], n, r[2], r[3]))
        except AnalysisError as exc:
            notes.append(Note(name, str(exc), fatal=True))
    indices = mark_influential(pd.DataFrame(rows, columns=COLUMNS))
    convergence_frame = pd.DataFrame(
        conv, columns=["output", "parameter", "index", "n", "value", "conf"]
    )
    return Analysis(indices, convergence_frame, notes)


def mark_influential(df: pd.DataFrame) -> pd.DataFrame:
    """Add ``influential``: above the upper end of the dummy's interval for the same index.

    For each output and ranked index, the threshold is the largest ``value + conf`` among the
    dummy's entries (for ``spearman``, of absolute values; for ``S2``, of pairs with the
    dummy). A parameter is influential when its value is above it. The dummy's rows are False;
    indices that do not rank (``sigma``, ``mu``) or designs without a dummy are left empty.
    """
    df = df.copy()
    df["influential"] = pd.Series([None] * len(df), dtype=object)
    for (_, index), grp in df.groupby(["output", "index"]):
        if index not in RANKED:
            continue
        is_dummy = grp["parameter"].str.split("|").apply(lambda ps: DUMMY in ps)
        if not is_dummy.any():
            continue
        mag = grp["value"].abs() if index == "spearman" else grp["value"]
        threshold = (mag[is_dummy] + grp.loc[is_dummy, "conf"].fillna(0)).max()
        df.loc[grp.index, "influential"] = [
            bool(m > threshold) and not d for m, d in zip(mag, is_dummy, strict=True)
        ]
    return df
