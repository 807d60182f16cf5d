"""The store: resume after SIGKILL, failed runs recorded, retries, and refusing mixed results."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest
from experiment_files import run_serial, write

from zhaoshang.experiments.cli import main
from zhaoshang.experiments.designs.loading import ExperimentError
from zhaoshang.experiments.runs.store import Store

TINY_ABM = """
scenario = "ruzhou-2017"
seed = 0
[set]
"pool.firms" = 1000
"time.months" = 12
[parameters."governments.ruzhou.service.quality"]
kind = "lever"
bounds = [0.3, 0.95]
[parameters."governments.ruzhou.outreach.office_count"]
kind = "lever"
bounds = [0, 8]
[outputs.contracts]
[outputs.jobs]
[design]
method = "morris"
N = 4
"""


NORMAL_QUALITY = 'distribution = "normal"\nmean = 0.9\nsd = 0.15'


def test_store_records_resumes_and_counts_attempts(tmp_path):
    with Store(tmp_path / "s.sqlite", "abc") as store:
        store.save_design(np.array([[0.1, np.nan], [0.2, 0.3]]), [{"a": 1}, {"a": 2}])
        store.save_design(np.zeros((5, 2)), [{}] * 5)  # a resumed experiment keeps its design
        assert store.load_design().shape == (2, 2) and np.isnan(store.load_design()[0, 1])
        store.record({"point": 1, "replicate": 0, "seed": 9, "status": "done",
                      "outputs": {"y": 2.5}, "seconds": 0.1})  # fmt: skip
        store.record({"point": 0, "replicate": 0, "seed": 8, "status": "failed", "outputs": None,
                      "error": "ValueError: x", "traceback": "Traceback..."})  # fmt: skip
        assert store.finished() == {(0, 0), (1, 0)}
        assert store.finished(include_failed=False) == {(1, 0)}
        store.record({"point": 0, "replicate": 0, "seed": 8, "status": "done",
                      "outputs": {"y": 1.0}})  # fmt: skip
        assert store.counts() == {"done": 2, "failed": 0}
        frame = store.outputs(["y"])
        assert frame["y"].tolist() == [1.0, 2.5] and frame["point"].tolist() == [0, 1]
        attempts = dict(store.db.execute("SELECT point, attempts FROM runs"))
        assert attempts == {0: 2, 1: 1}
    with pytest.raises(ExperimentError, match="different experiment"):
        Store(tmp_path / "s.sqlite", "another")


def test_export_and_a_changed_experiment_refused_in_the_same_folder(tmp_path):
    exp = write(tmp_path, 'model = "ishigami"\n[design]\nmethod = "lhs"\nN = 20\n')
    run_serial(exp, tmp_path / "out")
    for fmt in ("csv", "parquet"):
        with pytest.raises(SystemExit) as info:
            main(["export", str(tmp_path / "out"), "--format", fmt])
        assert info.value.code == 0
    runs = pd.read_parquet(tmp_path / "out" / "runs.parquet")
    assert len(runs) == 20 and {"param:x1", "output:y", "seed", "status"} <= set(runs.columns)
    csv = pd.read_csv(tmp_path / "out" / "runs.csv")
    assert np.allclose(csv["output:y"], runs["output:y"])
    write(tmp_path, 'model = "ishigami"\n[design]\nmethod = "lhs"\nN = 30\n')
    with pytest.raises(ExperimentError, match="different experiment"):
        run_serial(exp, tmp_path / "out")


def test_failing_runs_are_recorded_with_traceback_and_exit_status_3(tmp_path, capsys):
    """Service quality drawn from N(0.9, 0.15) exceeds its allowed maximum of 1 in about a
    quarter of the draws; those runs fail validation inside the worker. The batch must finish
    every other run, store the failures with tracebacks, and end with exit status 3."""
    exp = write(
        tmp_path,
        TINY_ABM.replace("bounds = [0.3, 0.95]", NORMAL_QUALITY).replace(
            'method = "morris"\nN = 4', 'method = "lhs"\nN = 12'
        ),
    )
    out = tmp_path / "out"
    args = ["sensitivity", str(exp), "--out", str(out), "--workers", "1", "--no-figures"]
    with pytest.raises(SystemExit) as info:
        main(args)
    assert info.value.code == 3
    err = capsys.readouterr().err
    assert "failed" in err and "--retry-failed" in err
    db = sqlite3.connect(out / "store.sqlite")
    rows = db.execute("SELECT status, error, traceback, outputs FROM runs").fetchall()
    failed = [r for r in rows if r[0] == "failed"]
    assert len(rows) == 12 and 0 < len(failed) < 12
    for _, error, tb, outputs in failed:
        assert "less than or equal to 1" in error and "Traceback" in tb and outputs is None
    indices = (out / "indices.md").read_text()
    assert "left out of the analysis" in indices  # LHS analyses the points that ran
    with pytest.raises(SystemExit) as info:  # retrying reruns only the failures
        main([*args, "--retry-failed", "--quiet"])
    assert info.value.code == 3
    attempts = db.execute("SELECT status, attempts FROM runs").fetchall()
    assert {a for s, a in attempts if s == "failed"} == {2}
    assert {a for s, a in attempts if s == "done"} == {1}


def test_sigkill_midway_then_rerun_gives_identical_indices_and_runs_nothing_twice(tmp_path):
    """Kill `zhaoshang sensitivity` with SIGKILL after a few runs are stored; the rerun must
    execute exactly the runs the store lacks (none twice) and write the same indices, results
    and convergence tables as an uninterrupted run of the same experiment."""
    exp = write(tmp_path, TINY_ABM)
    killed = tmp_path / "killed"
    cmd = [sys.executable, "-m", "zhaoshang.experiments.cli", "sensitivity", str(exp),
           "--out", str(killed), "--workers", "1", "--quiet", "--no-figures"]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    store = killed / "store.sqlite"
    deadline = time.monotonic() + 60
    stored = 0
    while time.monotonic() < deadline and proc.poll() is None:
        if store.exists():
            with contextlib.suppress(sqlite3.OperationalError):  # tables not created yet
                with sqlite3.connect(store, timeout=5) as db:
                    stored = db.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
            if stored >= 3:
                break
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read().decode()
    with sqlite3.connect(store) as db:
        before = db.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
    total = 4 * 4  # trajectories x (2 parameters + dummy + 1)
    assert 3 <= before < total
    assert not (killed / "indices.csv").exists()

    resumed = run_serial(exp, killed)
    assert resumed.report.skipped == before and resumed.report.executed == total - before
    with sqlite3.connect(store) as db:
        attempts = [a for (a,) in db.execute("SELECT attempts FROM runs")]
        sessions = db.execute("SELECT executed FROM sessions ORDER BY id").fetchall()
    assert attempts == [1] * total
    assert sessions[-1][0] == total - before

    whole = tmp_path / "whole"
    run_serial(exp, whole)
    for name in ("indices.csv", "convergence.csv", "results.csv", "noise.csv", "design.csv"):
        assert (killed / name).read_text() == (whole / name).read_text(), name


def test_sweep_writes_tables_but_no_indices(tmp_path):
    exp = write(tmp_path, 'model = "ishigami"\nreplicates = 2\n[function]\nnoise = 1.0\n'
                '[design]\nmethod = "grid"\nlevels = 3\n')  # fmt: skip
    with pytest.raises(SystemExit) as info:
        main(["sweep", str(exp), "--out", str(tmp_path / "out"), "--workers", "1", "--quiet"])
    assert info.value.code == 0
    results = pd.read_csv(tmp_path / "out" / "results.csv")
    assert len(results) == 27 and (results["y_n"] == 2).all()
    assert {"x1", "x2", "x3", "y", "y_sd"} <= set(results.columns)
    assert not (tmp_path / "out" / "indices.csv").exists()
    manifest = (tmp_path / "out" / "manifest.json").read_text()
    assert '"status": "complete"' in manifest and '"git_revision"' in manifest
