"""Speed-up of --workers 2 over serial on a 1,000-run experiment of the agent-based model.

Runs the same latin-hypercube experiment (four Ruzhou levers, one replicate, each run a small
world by default) through the experiment pipeline twice, serially and on a two-process pool,
each into a fresh store, checks the stored outputs are identical, and prints the times and

    ratio=<serial seconds / parallel seconds>

Usage: python benchmarks/parallel_speedup.py [--runs 1000] [--firms 3000] [--months 24]
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from zhaoshang.experiments.designs import experiment as pipeline
from zhaoshang.experiments.designs.loading import load_experiment
from zhaoshang.experiments.runs.executors import open_executor

EXPERIMENT = """
title = "Parallel speed-up benchmark"
scenario = "ruzhou-2017"
seed = 1
[set]
"pool.firms" = {firms}
"time.months" = {months}
[parameters."governments.ruzhou.service.quality"]
kind = "lever"
bounds = [0.3, 0.95]
[parameters."governments.ruzhou.staff.professionalism"]
kind = "lever"
bounds = [0.3, 0.95]
[parameters."governments.ruzhou.outreach.office_count"]
kind = "lever"
bounds = [0, 10]
[parameters."governments.ruzhou.incentives.tax_rebate"]
kind = "lever"
bounds = [0.0, 1.0]
[outputs.contracts]
[outputs.jobs]
[design]
method = "lhs"
N = {runs}
"""


def stored(folder: Path) -> list[tuple]:
    with sqlite3.connect(folder / "store.sqlite") as db:
        return db.execute(
            "SELECT point, replicate, seed, outputs FROM runs ORDER BY point, replicate"
        ).fetchall()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--firms", type=int, default=3000)
    parser.add_argument("--months", type=int, default=24)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "speedup.toml"
        path.write_text(EXPERIMENT.format(runs=args.runs, firms=args.firms, months=args.months))
        exp = load_experiment(path)
        times = {}
        for label, workers in (("serial", 1), ("workers2", 2)):
            with open_executor(workers) as backend:
                start = time.perf_counter()
                outcome = pipeline.run(exp, Path(tmp) / label, backend, analyse=False)
                times[label] = time.perf_counter() - start
            print(
                f"{label}: {outcome.report.executed} runs in {times[label]:.1f} s "
                f"({outcome.report.executed / times[label]:.2f} runs/s, {backend.description})",
                flush=True,
            )
        same = stored(Path(tmp) / "serial") == stored(Path(tmp) / "workers2")
        print(f"identical stored outputs: {same}")
        print(f"machine: {sys.platform}, python {sys.version.split()[0]}")
        print(f"ratio={times['serial'] / times['workers2']:.2f}")
        if not same:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
