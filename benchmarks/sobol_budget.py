"""Projected time of a full Sobol' analysis of the baseline on a two-process pool.

The analysis the performance issue budgets: k = 10 Ruzhou levers, N = 1024 base samples, no
second-order indices (N x (k + 2) = 12,288 design points), 10 replicates each: 122,880 runs of
the ten-year ``ruzhou-2017`` baseline. This script runs the same experiment with a small N
through the experiment pipeline (design, store, executor: exactly what ``zhaoshang
sensitivity --workers 2`` does, without the analysis), measures runs per second including
the pool's start-up and the store's writes, and projects the full analysis from it. It also
times single runs serially in this process, for the cost of one run without the pool.

Ends with ``projected_minutes=<minutes>``.

Usage: python benchmarks/sobol_budget.py [--n 8] [--replicates 2] [--workers 2]
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

from common import median_seconds

from zhaoshang import AttractionModel, load_scenario
from zhaoshang.experiments.designs import experiment as pipeline
from zhaoshang.experiments.designs.loading import load_experiment
from zhaoshang.experiments.executors import open_executor

LEVERS = {
    "governments.ruzhou.outreach.office_count": (0, 10),
    "governments.ruzhou.entrusted.count": (0, 10),
    "governments.ruzhou.incentives.land_discount": (0.0, 0.8),
    "governments.ruzhou.incentives.tax_rebate": (0.0, 1.0),
    "governments.ruzhou.incentives.subsidy_per_job_yuan": (0.0, 10000.0),
    "governments.ruzhou.service.quality": (0.3, 0.95),
    "governments.ruzhou.service.aftercare": (0.3, 0.95),
    "governments.ruzhou.staff.professionalism": (0.3, 0.95),
    "governments.ruzhou.rent_seeking.fee_share": (0.0, 0.1),
    "governments.ruzhou.governance.honour_probability": (0.5, 1.0),
}
FULL_N, FULL_REPLICATES = 1024, 10
FULL_RUNS = FULL_N * (len(LEVERS) + 2) * FULL_REPLICATES  # 122,880


def experiment_text(n: int, replicates: int) -> str:
    """The Sobol' experiment over the ten levers, with ``n`` base samples."""
    lines = [
        'title = "Sobol budget benchmark"',
        'scenario = "ruzhou-2017"',
        "seed = 1",
        f"replicates = {replicates}",
    ]
    for path, (low, high) in LEVERS.items():
        lines += [f'[parameters."{path}"]', 'kind = "lever"', f"bounds = [{low}, {high}]"]
    lines += ["[outputs.contracts]", "[outputs.entries]", "[outputs.jobs]"]
    lines += ["[design]", 'method = "sobol"', f"N = {n}", "calc_second_order = false"]
    return "\n".join(lines) + "\n"


def one_run() -> None:
    """The baseline once, serially, as the runner does it (ten years, KPIs at the end)."""
    model = AttractionModel(load_scenario("ruzhou-2017"), rng=7, firm_agents=False)
    model.run_for(model.horizon)
    model.kpis()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=8, help="base samples of the measured run")
    parser.add_argument("--replicates", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    serial = median_seconds(one_run, 3)
    print(f"one baseline run, serial in this process: {serial * 1000:.0f} ms", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sobol-budget.toml"
        path.write_text(experiment_text(args.n, args.replicates))
        exp = load_experiment(path)
        start = time.perf_counter()
        with open_executor(args.workers) as backend:
            outcome = pipeline.run(exp, Path(tmp) / "store", backend, analyse=False)
        seconds = time.perf_counter() - start
        with sqlite3.connect(Path(tmp) / "store" / "store.sqlite") as db:
            in_worker = [s for (s,) in db.execute("SELECT seconds FROM runs WHERE status='done'")]
    runs = outcome.report.executed
    rate = runs / seconds
    projected = FULL_RUNS / rate / 60.0
    print(
        f"{runs} runs (N={args.n}, k={len(LEVERS)}, {args.replicates} replicates) in "
        f"{seconds:.1f} s on {backend.description}: {rate:.2f} runs/s",
        flush=True,
    )
    median, mean = statistics.median(in_worker), statistics.mean(in_worker)
    print(
        f"one run inside a worker (validation, model, KPIs): median {median * 1000:.0f} ms, "
        f"mean {mean * 1000:.0f} ms (the design's points differ in cost); at the mean, "
        f"{args.workers} workers would make {args.workers / mean:.2f} runs/s; the rest of the "
        "wall time is the pool, the store and the cores shared with the parent process"
    )
    print(f"machine: {sys.platform}, python {sys.version.split()[0]}")
    print(f"full analysis: N={FULL_N}, k={len(LEVERS)}, no second order, "
          f"{FULL_REPLICATES} replicates = {FULL_RUNS} runs")
    print(f"projected_minutes={projected:.1f}")


if __name__ == "__main__":
    main()
