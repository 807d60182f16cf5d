"""Sensitivity analysis against known answers (analytic functions), and its guards."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from experiment_files import run_serial, write

from zhaoshang.experiments.analysis.sensitivity import (
    AnalysisError,
    analyze,
    analyze_rows,
    check_output,
    per_point,
)
from zhaoshang.experiments.designs.loading import DUMMY, Output, load_experiment
from zhaoshang.experiments.designs.sampling import build_design
from zhaoshang.experiments.runs.executors import open_executor
from zhaoshang.experiments.validation import testfunctions
from zhaoshang.experiments.validation.selfcheck import run_selfcheck

ISHIGAMI_VARIANCE = (
    0.5 * (1 + 0.1 * math.pi**4 / 5) ** 2 + 49 / 8 + 0.01 * math.pi**8 * (1 / 18 - 1 / 50)
)


def value(indices, parameter, index, column="value"):
    row = indices[(indices["parameter"] == parameter) & (indices["index"] == index)]
    assert len(row) == 1, (parameter, index)
    return row[column].iloc[0]


def grid_indices(fn, bounds, n):
    """First-order and total indices by midpoint quadrature on an n^k grid (no sampling)."""
    axes = [lo + (np.arange(n) + 0.5) / n * (hi - lo) for lo, hi in bounds]
    mesh = np.meshgrid(*axes, indexing="ij")
    y = fn(np.stack([m.ravel() for m in mesh], axis=1)).reshape(mesh[0].shape)
    total = y.var()
    k = len(bounds)
    s1 = [y.mean(axis=tuple(a for a in range(k) if a != i)).var() / total for i in range(k)]
    st = [y.var(axis=i).mean() / total for i in range(k)]
    return s1, st


def test_exact_indices_agree_with_quadrature():
    """The closed forms in testfunctions against independent midpoint quadrature (80^3 grid);
    agreement to 1e-3 (the quadrature error is below 4e-4 here)."""
    s1, st = grid_indices(testfunctions.ishigami, [testfunctions.ISHIGAMI_BOUNDS] * 3, 80)
    exact = testfunctions.ishigami_exact()
    assert np.allclose(s1, exact["S1"], atol=1e-3) and np.allclose(st, exact["ST"], atol=1e-3)
    assert np.allclose(exact["S1"], [0.3139, 0.4424, 0], atol=1e-4)
    assert np.allclose(exact["ST"], [0.5576, 0.4424, 0.2437], atol=1e-4)
    g = [0.0, 1.0, 9.0]
    s1, st = grid_indices(lambda x: testfunctions.sobol_g(x, g), [(0.0, 1.0)] * 3, 80)
    exact = testfunctions.sobol_g_exact(g)
    assert np.allclose(s1, exact["S1"], atol=1e-3) and np.allclose(st, exact["ST"], atol=1e-3)


def test_selfcheck_passes():
    """Sobol' (N=1024, |error| <= 0.04), Morris and eFAST on Ishigami, seed 0, serial; and
    Sobol' on noisy Ishigami (seed 21) and Sobol' G (seed 22) with the pilot's replicates, every
    S1 and ST of the mean within 0.04 of exact (6 + 8 checks)."""
    with open_executor(1) as backend:
        checks, _ = run_selfcheck(backend)
    failed = [c for c in checks if not c.passed]
    assert not failed and len(checks) == 37
    assert sum(c.method.endswith("-noise") for c in checks) == 14


def test_sobol_g_indices_match_exact_and_converge(tmp_path):
    """Null: Sobol' estimates on Sobol' G (g = 0, 1, 4.5, 9, 99, 99), N = 1024, seed 3, are
    within 0.04 of the exact indices; the dummy (read by nothing) scores exactly 0 on a
    deterministic function; convergence reports N/4, N/2, N from the same run, and the value
    at N equals the reported index."""
    exp = write(
        tmp_path,
        'model = "sobol-g"\nseed = 3\n[function]\ng = [0, 1, 4.5, 9, 99, 99]\n'
        '[design]\nmethod = "sobol"\nN = 1024\n',
    )
    outcome = run_serial(exp, tmp_path / "out")
    idx = outcome.analysis.indices
    exact = testfunctions.sobol_g_exact([0, 1, 4.5, 9, 99, 99])
    for i in range(6):
        for key in ("S1", "ST"):
            assert abs(value(idx, f"x{i + 1}", key) - exact[key][i]) <= 0.04, (i, key)
    assert value(idx, DUMMY, "ST") == 0.0 and value(idx, DUMMY, "S1") == 0.0
    conv = outcome.analysis.convergence
    assert sorted(conv["n"].unique()) == [256, 512, 1024]
    at_n = conv[(conv["n"] == 1024) & (conv["index"] == "ST")].set_index("parameter")["value"]
    main = idx[idx["index"] == "ST"].set_index("parameter")["value"]
    assert np.allclose(at_n.sort_index(), main.sort_index())


def test_noise_share_and_pilot_recommendation_with_known_noise(tmp_path):
    """Ishigami plus Gaussian noise of sd 2 (variance 4), seed 0: the noise share of a single
    run is 4 / (V + 4) = 0.224 and of 4-replicate means 1 / (V + 1) = 0.067 (V = 13.84).
    Null: estimates from 200 latin-hypercube points x 4 replicates are within 0.06 and 0.02.
    The pilot (64 points x 5 replicates, target 5%) should recommend about
    4 x 0.95 / (0.05 V) = 5.5 replicates: accepted in [4, 9]."""
    exp = write(
        tmp_path,
        'model = "ishigami"\nseed = 0\nreplicates = 4\n[function]\nnoise = 2.0\n'
        '[pilot]\npoints = 64\nreplicates = 5\n[design]\nmethod = "lhs"\nN = 200\n',
    )
    noise = run_serial(exp, tmp_path / "out").noise.iloc[0]
    assert abs(noise["noise_share_run"] - 4 / (ISHIGAMI_VARIANCE + 4)) <= 0.06
    assert abs(noise["noise_share_mean"] - 1 / (ISHIGAMI_VARIANCE + 1)) <= 0.02
    pilot = run_serial(exp, tmp_path / "out", pilot=True)
    assert (tmp_path / "out" / "pilot" / "recommendation.csv").exists()
    assert 4 <= pilot.recommendation["recommended_replicates"].iloc[0] <= 9


def test_dummy_separates_noise_from_effects(tmp_path):
    """Ishigami plus noise of sd 1, Sobol' N = 512, one replicate, seed 1: the dummy's ST
    estimates the noise share 1 / (V + 1) = 0.067 (within 0.03); x1 and x2 have first-order
    effects above the dummy's interval, x3 (exact S1 = 0) does not; every input's ST is above it.
    """
    exp = write(
        tmp_path,
        'model = "ishigami"\nseed = 1\n[function]\nnoise = 1.0\n'
        '[design]\nmethod = "sobol"\nN = 512\n',
    )
    idx = run_serial(exp, tmp_path / "out").analysis.indices
    assert abs(value(idx, DUMMY, "ST") - 1 / (ISHIGAMI_VARIANCE + 1)) <= 0.03
    assert value(idx, "x1", "S1", "influential") and value(idx, "x2", "S1", "influential")
    assert value(idx, "x3", "S1", "influential") is False
    assert all(value(idx, x, "ST", "influential") for x in ("x1", "x2", "x3"))
    assert value(idx, DUMMY, "ST", "influential") is False


def test_moment_independent_and_correlation_methods_rank_ishigami(tmp_path):
    """delta, PAWN and Spearman on 400 latin-hypercube points of Ishigami (seed 2; 20
    bootstrap resamples): the dummy is never influential; x1 is influential for all three; x2
    (whose effect is symmetric, so rank correlation misses it) for delta and PAWN."""
    for method in ("delta", "pawn", "lhs"):
        exp = write(tmp_path, f'model = "ishigami"\nseed = 2\n[design]\nmethod = "{method}"\n'
                              "N = 400\nnum_resamples = 20\nconvergence = false\n",
                    name=f"{method}.toml")  # fmt: skip
        idx = run_serial(exp, tmp_path / method).analysis.indices
        key = {"delta": "delta", "pawn": "pawn_median", "lhs": "spearman"}[method]
        assert value(idx, DUMMY, key, "influential") is False
        assert value(idx, "x1", key, "influential"), method
        if method != "lhs":
            assert value(idx, "x2", key, "influential"), method


def test_grid_and_oat_indices_on_a_linear_function(tmp_path):
    """On y = x1 + 2 x2 over a balanced 3-level grid, the main-effect shares are exactly 1/5,
    4/5 and 0; one at a time, x1's range is that of its levels and the dummy's range is 0."""
    exp = load_experiment(write(tmp_path, 'model = "ishigami"\n[design]\nmethod = "grid"\n'))
    grid = build_design(exp)
    y = grid.X[:, 0] + 2 * grid.X[:, 1]
    rows = dict(((p, i), v) for p, i, v, _ in analyze_rows(grid, y, np.arange(len(y)), 1, 10, 0.95))
    assert np.allclose([rows[(f"x{i}", "anova_S1")] for i in (1, 2, 3)], [0.2, 0.8, 0.0])
    exp = load_experiment(write(tmp_path, 'model = "ishigami"\n[design]\nmethod = "oat"\n'))
    oat = build_design(exp)
    y = oat.X[:, 0] + 2 * oat.X[:, 1]
    rows = dict(((p, i), v) for p, i, v, _ in analyze_rows(oat, y, np.arange(len(y)), 1, 10, 0.95))
    assert rows[("x1", "oat_range")] == pytest.approx(2 * math.pi)
    assert rows[("x2", "oat_range")] == pytest.approx(4 * math.pi)
    assert rows[(DUMMY, "oat_range")] == 0.0


def sobol_design(tmp_path, extra=""):
    exp = load_experiment(
        write(tmp_path, f'model = "ishigami"\n[design]\nmethod = "sobol"\nN = 64\n{extra}\n')
    )
    design = build_design(exp)
    return design, testfunctions.ishigami(design.X[:, :3])


def test_non_finite_outputs_stop_structured_designs_and_are_excluded_elsewhere(tmp_path):
    design, y = sobol_design(tmp_path)
    y[[3, 10]] = np.nan
    with pytest.raises(AnalysisError, match="needs every design point"):
        check_output(design, "y", y)
    result = analyze(design, {"y": y}, seed=1)
    assert result.indices.empty and result.notes[0].fatal
    assert "2 of 384 design points" in result.notes[0].message
    path = write(tmp_path, 'model = "ishigami"\n[design]\nmethod = "lhs"\nN = 50\n', "l.toml")
    lhs = build_design(load_experiment(path))
    y = testfunctions.ishigami(lhs.X[:, :3])
    y[0] = np.inf
    finite, note = check_output(lhs, "y", y)
    assert finite.sum() == 49 and not note.fatal
    with pytest.raises(AnalysisError, match="at every design point"):
        check_output(lhs, "y", np.full(50, 3.0))


def test_mismatched_settings_between_sampling_and_analysis_are_refused(tmp_path):
    design, y = sobol_design(tmp_path, "calc_second_order = true")
    design.settings["calc_second_order"] = False  # as if analysed with other settings
    with pytest.raises(AnalysisError, match="settings disagree"):
        analyze_rows(design, y, np.arange(len(y)), 1, 10, 0.95)
    exp = load_experiment(
        write(tmp_path, 'model = "ishigami"\n[design]\nmethod = "morris"\nN = 10\nnum_levels = 6')
    )
    morris = build_design(exp)
    morris.settings["num_levels"] = 4
    y = testfunctions.ishigami(morris.X[:, :3])
    with pytest.raises(AnalysisError, match="num_levels"):
        analyze_rows(morris, y, np.arange(len(y)), 1, 10, 0.95)


def test_analysis_is_reproducible_and_leaves_the_global_generator_alone(tmp_path):
    """SALib's Sobol' analysis reads seed 0 as "no seed" and draws its bootstrap from NumPy's
    global generator (so two calls differ); ours derives seeds that are never 0, and the
    methods that seed NumPy's global generator (eFAST, delta, PAWN) restore its state."""
    from SALib.analyze import sobol

    design, y = sobol_design(tmp_path)
    a = sobol.analyze(design.problem, y, calc_second_order=False, seed=0)["S1_conf"]
    b = sobol.analyze(design.problem, y, calc_second_order=False, seed=0)["S1_conf"]
    assert not np.array_equal(a, b)  # the hazard the guard exists for
    first, second = analyze(design, {"y": y}, seed=7), analyze(design, {"y": y}, seed=7)
    pd.testing.assert_frame_equal(first.indices, second.indices)
    pd.testing.assert_frame_equal(first.convergence, second.convergence)
    np.random.seed(123)
    expected = np.random.random()
    np.random.seed(123)
    for method in ("fast", "delta", "pawn"):
        extra = "N = 200" if method == "fast" else "N = 100"
        exp = write(tmp_path, f'model = "ishigami"\n[design]\nmethod = "{method}"\n{extra}\n',
                    name=f"{method}.toml")  # fmt: skip
        d = build_design(load_experiment(exp))
        y = testfunctions.ishigami(d.X[:, :3])
        analyze(d, {"y": y}, seed=5, num_resamples=10, convergence=False)
    assert np.random.random() == expected


def test_replicates_are_reduced_in_design_order_whatever_the_row_order():
    runs = pd.DataFrame(
        {
            "point": [0, 0, 1, 1, 2, 2],
            "replicate": [0, 1, 0, 1, 0, 1],
            "status": ["done", "done", "done", "failed", "done", "done"],
            "y": [1.0, 3.0, 5.0, np.nan, np.nan, 4.0],
        }
    )
    out = [Output("y", "y", "mean", None, "y")]
    y, table = per_point(runs, out, 3)
    shuffled, _ = per_point(runs.sample(frac=1, random_state=1), out, 3)
    assert np.array_equal(y["y"], [2.0, 5.0, 4.0]) and np.array_equal(shuffled["y"], y["y"])
    assert table["y_n"].tolist() == [2, 1, 1]
    median = [Output("y", "y", "max", None, "y")]
    assert per_point(runs, median, 3)[0]["y"].tolist() == [3.0, 5.0, 4.0]


def test_every_schema_method_is_registered_with_one_shape():
    from zhaoshang.experiments.designs.methods import METHODS
    from zhaoshang.experiments.designs.schema import METHODS as NAMES

    assert set(METHODS) == set(NAMES)
    for name, m in METHODS.items():
        assert m.name == name and m.rank_index in m.primary + m.ranked


def test_rbd_fast_first_order_of_ishigami(tmp_path):
    """RBD-FAST on 2,000 latin-hypercube points of Ishigami (seed 5): S1 within 0.05 of exact
    (the sampling error at this size is about 0.02); a wrong estimator would miss by more."""
    exp = load_experiment(write(tmp_path, 'model = "ishigami"\nseed = 5\n'
                                '[design]\nmethod = "rbd-fast"\nN = 2000\nM = 6\n'))  # fmt: skip
    design = build_design(exp)
    result = analyze(design, {"y": testfunctions.ishigami(design.X[:, :3])}, seed=3,
                     convergence=False)  # fmt: skip
    got = result.indices.set_index("parameter")["value"]
    for i, x in enumerate(("x1", "x2", "x3")):
        assert abs(got[x] - testfunctions.ishigami_exact()["S1"][i]) < 0.05


def test_sobol_accepts_balanced_sizes_only():
    from zhaoshang.experiments.designs.methods.sobol import balanced

    assert [n for n in range(1, 50) if balanced(n)] == [4, 6, 8, 12, 16, 24, 32, 48]


def test_sobol_estimates_equal_salibs_and_replicates_change_only_intervals(tmp_path):
    """Own S1/ST equal SALib's (same estimators) on Ishigami, N = 64. With 4 noisy replicates
    (sd 8, seed 9) the two-stage bootstrap keeps the estimates of the means and gives finite
    intervals of the same order as resampling base samples only (ratio within 0.7-1.5)."""
    from SALib.analyze import sobol

    from zhaoshang.experiments.designs.methods import Options
    from zhaoshang.experiments.designs.methods import sobol as own

    design, y = sobol_design(tmp_path)
    si = sobol.analyze(design.problem, y, calc_second_order=False, seed=1)
    got = own.analyze(design.problem, design.X, y, design.settings, Options(seed=1))
    s1 = [i.value for i in got if i.index == "S1"]
    st = [i.value for i in got if i.index == "ST"]
    assert np.allclose(s1, si["S1"]) and np.allclose(st, si["ST"])
    reps = y[:, None] + np.random.default_rng(9).normal(0.0, 8.0, (len(y), 4))
    means = reps.mean(axis=1)
    opts = Options(seed=1, num_resamples=1000)
    plain = own.analyze(design.problem, design.X, means, design.settings, opts)
    both = own.analyze(design.problem, design.X, means, design.settings,
                       opts._replace(replicates=reps))  # fmt: skip
    assert [a.value for a in plain] == [b.value for b in both]
    ratio = sum(b.conf for b in both) / sum(a.conf for a in plain)
    assert 0.7 < ratio < 1.5
