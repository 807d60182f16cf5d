"""`zhaoshang compare`: paired-difference arithmetic, the table, the files, and exit statuses."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from tests.conftest import run_cli
from zhaoshang.experiments.analysis.compare import (
    COLUMNS,
    mean_interval,
    paired_difference,
    replicate_seeds,
    summarise,
)
from zhaoshang.scenarios.loader import LIBRARY

TINY = ["--set", "pool.firms=1500", "--set", "time.months=12", "--quiet", "--workers", "1"]


def test_paired_difference_known_answer():
    """d = (1, 2, 3, 2): mean 2, sd sqrt(2/3), t = 2 / (sd / 2) = 4.899 on 3 df."""
    a = np.array([10.0, 20.0, 30.0, 40.0])
    b = a + np.array([1.0, 2.0, 3.0, 2.0])
    out = paired_difference(a, b)
    sd = math.sqrt(2.0 / 3.0)
    half = 3.182446305284263 * sd / 2.0  # t(0.975, 3) * sd / sqrt(4)
    assert out["n"] == 4
    assert out["diff_mean"] == pytest.approx(2.0)
    assert out["diff_lo"] == pytest.approx(2.0 - half)
    assert out["diff_hi"] == pytest.approx(2.0 + half)
    assert out["p_value"] == pytest.approx(stats.ttest_rel(b, a).pvalue)
    assert out["p_value"] == pytest.approx(0.0162766, abs=1e-6)


def test_zero_variance_differences():
    a = np.array([1.0, 5.0, 9.0])
    same = paired_difference(a, a)
    assert (same["diff_mean"], same["diff_lo"], same["diff_hi"], same["p_value"]) == (0, 0, 0, 1)
    shifted = paired_difference(a, a + 2.5)
    assert (shifted["diff_lo"], shifted["diff_hi"], shifted["p_value"]) == (2.5, 2.5, 0.0)


def test_missing_values_drop_their_pair():
    out = paired_difference([1.0, np.nan, 3.0, 4.0], [2.0, 7.0, np.nan, 6.0])
    assert out["n"] == 2
    assert out["diff_mean"] == pytest.approx(1.5)
    assert math.isnan(mean_interval([3.0])["lo"])
    assert mean_interval([])["n"] == 0


def test_summarise_reference_has_no_difference():
    reps = pd.DataFrame(
        {
            "scenario": ["a"] * 3 + ["b"] * 3,
            "replicate": [0, 1, 2, 0, 1, 2],
            "seed": [7, 8, 9, 7, 8, 9],
            "entries": [10.0, 12.0, 14.0, 11.0, 14.0, 14.0],
        }
    )
    table = summarise(reps, ["a", "b"])
    assert list(table.columns) == COLUMNS
    ref = table[table["scenario"] == "a"].iloc[0]
    assert ref["mean"] == 12.0 and ref["sd"] == 2.0 and ref["n"] == 3
    assert ref[["diff_mean", "diff_lo", "diff_hi", "p_value"]].isna().all()
    other = table[table["scenario"] == "b"].iloc[0]
    assert other["diff_mean"] == pytest.approx(1.0)  # differences 1, 2, 0
    assert other["p_value"] == pytest.approx(stats.ttest_rel([11, 14, 14], [10, 12, 14]).pvalue)


def test_replicate_seeds_are_reproducible_and_distinct():
    assert replicate_seeds(0, 5) == replicate_seeds(0, 5)
    assert len(set(replicate_seeds(0, 50))) == 50
    assert replicate_seeds(1, 3) != replicate_seeds(2, 3)
    assert replicate_seeds(1, 3) == replicate_seeds(1, 5)[:3]


def test_compare_writes_its_files_and_pairs_seeds(tmp_path: Path):
    """A scenario compared with itself (named once by library name, once by path) differs by
    exactly zero in every KPI: replicate i of both runs with the same seed."""
    out = tmp_path / "cmp"
    same = str(LIBRARY / "ruzhou-2017.toml")
    status = run_cli(
        ["compare", "ruzhou-2017", same, "ills/rent-seeking", "--replicates", "2", "--seed", "0",
         "--out", str(out), *TINY]
    )  # fmt: skip
    assert status == 0
    for name in ("compare.csv", "compare.md", "replicates.csv", "manifest.json"):
        assert (out / name).is_file()
    assert (out / "figures" / "compare_forest.png").stat().st_size > 10_000
    table = pd.read_csv(out / "compare.csv")
    assert list(table.columns) == COLUMNS
    copy = table[table["scenario"] == same]
    assert (copy["diff_mean"].fillna(0) == 0).all() and (copy["p_value"].fillna(1) == 1).all()
    reps = pd.read_csv(out / "replicates.csv")
    assert len(reps) == 6 and reps.groupby("replicate")["seed"].nunique().eq(1).all()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seeds"] == replicate_seeds(0, 2)
    assert manifest["overrides"] == {"pool.firms": 1500, "time.months": 12}
    assert "ruzhou-2017" in (out / "compare.md").read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["compare", "ruzhou-2017"], "at least two"),
        (["compare", "ruzhou-2017", "ruzhou-2017"], "only once"),
        (["compare", "ruzhou-2017", "no/such-scenario"], "no/such-scenario"),
        (["compare", "ruzhou-2017", "ills/all", "--set", "pool.firms=-3"], "pool.firms"),
    ],
)
def test_compare_bad_input_exits_2(args, message, capsys, tmp_path: Path):
    assert run_cli([*args, "--out", str(tmp_path / "x"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "x").exists()
