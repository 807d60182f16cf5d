"""Executors: serial, a process pool, any Executor and Dask give identical stored results."""

from __future__ import annotations

import sqlite3
import textwrap
from concurrent.futures import ThreadPoolExecutor

import pytest

from zhaoshang.experiments.designs import experiment as pipeline
from zhaoshang.experiments.designs.loading import load_experiment
from zhaoshang.experiments.designs.sampling import build_design
from zhaoshang.experiments.runs.batch import plan
from zhaoshang.experiments.runs.executors import open_executor
from zhaoshang.experiments.runs.parallel import MAX_CHUNK, _Sizer, iter_tasks, map_tasks
from zhaoshang.experiments.runs.run import evaluate

TINY_ABM = """
scenario = "ruzhou-2017"
seed = 5
replicates = 2
[set]
"pool.firms" = 1500
"time.months" = 18
[parameters."governments.ruzhou.staff.professionalism"]
kind = "lever"
bounds = [0.3, 0.95]
[parameters."governments.ruzhou.land.enforcement"]
kind = "lever"
[outputs.contracts]
[outputs.jobs]
[outputs.early_entries]
kpi = "entries"
months = [0, 12]
[design]
method = "morris"
N = 2
"""


def stored_runs(folder):
    with sqlite3.connect(folder / "store.sqlite") as db:
        return db.execute(
            "SELECT point, replicate, seed, status, outputs FROM runs ORDER BY point, replicate"
        ).fetchall()


def test_map_tasks_keeps_task_order_on_any_executor(tmp_path):
    path = tmp_path / "e.toml"
    path.write_text('model = "ishigami"\n[function]\nnoise = 0.5\n[design]\nmethod = "lhs"\nN = 60')
    exp = load_experiment(path)
    tasks = plan(exp, build_design(exp), replicates=2)
    serial = map_tasks(evaluate, tasks)
    seen = []
    pooled = map_tasks(evaluate, tasks, workers=2, on_result=lambda i, r: seen.append(i))
    with ThreadPoolExecutor(3) as pool:
        threaded = map_tasks(evaluate, tasks, executor=pool, workers=3)

    def strip(results):
        return [(r["point"], r["replicate"], r["seed"], r["outputs"]) for r in results]

    assert strip(serial) == strip(pooled) == strip(threaded)
    assert [r["point"] for r in serial] == [t.point for t in tasks]
    assert sorted(seen) == list(range(len(tasks)))
    assert len({r["seed"] for r in serial}) == len(tasks)  # independent seeds


def test_chunks_grow_for_quick_tasks_and_stay_single_for_slow_ones():
    quick = _Sizer(target_seconds=1.0, remaining=100_000, workers=2)
    assert quick.next() == 1  # nothing measured yet
    quick.observe(10, 0.001)
    assert quick.next() == MAX_CHUNK
    slow = _Sizer(target_seconds=1.0, remaining=1000, workers=2)
    slow.observe(1, 1.5)
    assert slow.next() == 1
    ending = _Sizer(target_seconds=1.0, remaining=12, workers=2)
    ending.observe(10, 0.001)
    assert ending.next() == 3  # keep work for both workers to the end


def test_a_failing_worker_function_is_reported_not_swallowed():
    with pytest.raises(ZeroDivisionError):
        list(iter_tasks(divide, [1, 0, 2], workers=2))


def divide(x):
    return 1 / x


def test_serial_pool_and_dask_store_identical_outputs(tmp_path):
    """The same tiny ABM experiment (8 points x 2 replicates, 1,500 firms, 18 months, with a
    month-window output) stored by the serial runner, a 2-process pool and a Dask
    LocalCluster (threads, to keep the test quick) must hold the same rows."""
    path = tmp_path / "e.toml"
    path.write_text(textwrap.dedent(TINY_ABM))
    exp = load_experiment(path)
    for name, kwargs in (
        ("serial", {"workers": 1}),
        ("pool", {"workers": 2}),
        ("dask", {"workers": 2, "scheduler": "local", "processes": False}),
    ):
        with open_executor(**kwargs) as backend:
            outcome = pipeline.run(exp, tmp_path / name, backend, figures=False)
        assert outcome.report.done == 16 and outcome.report.failed == 0, name
    serial = stored_runs(tmp_path / "serial")
    assert stored_runs(tmp_path / "pool") == serial
    assert stored_runs(tmp_path / "dask") == serial
    for name in ("indices.csv", "results.csv"):
        text = (tmp_path / "serial" / name).read_text()
        assert (tmp_path / "pool" / name).read_text() == text
        assert (tmp_path / "dask" / name).read_text() == text


def test_a_dask_scheduler_address_is_used_through_its_client(tmp_path):
    """`--scheduler ADDRESS` connects a Client to an existing cluster (here an in-process one)
    and runs through its executor; the results equal the serial ones."""
    distributed = pytest.importorskip("distributed")
    path = tmp_path / "e.toml"
    path.write_text('model = "ishigami"\n[design]\nmethod = "lhs"\nN = 30\n')
    exp = load_experiment(path)
    tasks = plan(exp, build_design(exp), replicates=1)
    serial = [r["outputs"] for r in map_tasks(evaluate, tasks)]
    with distributed.LocalCluster(n_workers=1, processes=False, dashboard_address=None) as cluster:
        with open_executor(scheduler=cluster.scheduler_address) as backend:
            assert "Dask cluster" in backend.description and backend.workers >= 1
            got = dict(backend.run(evaluate, tasks))
    assert [got[i]["outputs"] for i in range(len(tasks))] == serial
