"""Projected time and accuracy of the shipped Sobol' analysis (``sobol-levers``) on two cores.

Runs a pilot of the shipped ``experiments/library/sobol-levers.toml`` — the same levers,
outputs and seeds with a small N and two replicates — through the experiment pipeline
(design, store, executor, analysis: exactly what ``zhaoshang sensitivity --workers 2`` does)
and measures:

- runs per second, including the pool's start-up and the store's writes, and from it the
  time of the shipped analysis as configured (its N and replicates);
- the run-to-run noise share of each output (from the pilot's replicates) and the replicate
  count it calls for;
- the largest 95% half-width of S1 and ST over the outputs and levers, projected to the
  shipped N by the 1 / sqrt(N) law of the Saltelli and Jansen estimators. The pilot's
  intervals come from a bootstrap over base samples and replicates, so they include noise.

The machine may be shared: single baseline runs timed serially in this process before and
after the pilot are the reference to compare against other measurements.

Ends with ``projected_minutes=<minutes>`` and ``max_ci_halfwidth=<half-width>``.

Usage: python benchmarks/sobol_budget.py [--n 64] [--replicates 2] [--workers 2]
"""

from __future__ import annotations

import argparse
import math
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

from common import median_seconds

from zhaoshang import AttractionModel, load_scenario
from zhaoshang.experiments.designs import experiment as pipeline
from zhaoshang.experiments.designs.loading import DUMMY, load_experiment
from zhaoshang.experiments.runs.executors import open_executor

TARGET_HALFWIDTH = 0.05


def one_run() -> None:
    """The baseline once, serially, as the runner does it (ten years, KPIs at the end)."""
    model = AttractionModel(load_scenario("ruzhou-2017"), rng=7, firm_agents=False)
    model.run_for(model.horizon)
    model.kpis()


def pilot_text(source: str, n: int, replicates: int) -> str:
    """The shipped file with ``n`` base samples and ``replicates`` replicates."""
    text = Path(source).read_text()
    text = re.sub(r"(?m)^N = \d+$", f"N = {n}", text)
    return re.sub(r"(?m)^replicates = \d+$", f"replicates = {replicates}", text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=64, help="base samples of the pilot")
    parser.add_argument("--replicates", type=int, default=2, help="replicates of the pilot")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    shipped = load_experiment("sobol-levers")
    d, k = shipped.spec.design, len(shipped.parameters)
    full_runs = d.N * (k + 1 + 2) * shipped.spec.replicates  # + dummy, + A and B
    before = median_seconds(one_run, 3)
    print(f"reference: one baseline run, serial in this process: {before * 1000:.0f} ms",
          flush=True)  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sobol-levers-pilot.toml"
        path.write_text(pilot_text(shipped.source, args.n, args.replicates))
        exp = load_experiment(path)
        start = time.perf_counter()
        with open_executor(args.workers) as backend:
            outcome = pipeline.run(exp, Path(tmp) / "store", backend, figures=False)
        seconds = time.perf_counter() - start
        with sqlite3.connect(Path(tmp) / "store" / "store.sqlite") as db:
            in_worker = [s for (s,) in db.execute("SELECT seconds FROM runs WHERE status='done'")]
    after = median_seconds(one_run, 3)
    reference = (before + after) / 2
    print(f"reference again after the pilot: {after * 1000:.0f} ms", flush=True)
    runs = outcome.report.executed
    rate = runs / seconds
    mean = statistics.mean(in_worker)
    print(
        f"pilot: {runs} runs (N={args.n}, k={k}, {args.replicates} replicates) in "
        f"{seconds:.1f} s on {backend.description}: {rate:.2f} runs/s; one run inside a worker: "
        f"mean {mean * 1000:.0f} ms = {mean / reference:.2f} x the serial reference"
    )
    for row in outcome.noise.itertuples():
        print(f"noise share of one run, {row.output}: {row.noise_share_run:.4f}")
    ind = outcome.analysis.indices  # type: ignore[union-attr]
    ind = ind[ind["index"].isin(["S1", "ST"]) & (ind["parameter"] != DUMMY)]
    scale = math.sqrt(args.n / d.N)
    widest = ind.loc[ind["conf"].idxmax()]
    for output, grp in ind.groupby("output"):
        print(f"pilot half-width, {output}: max {grp['conf'].max():.3f} at N={args.n}, "
              f"projected {grp['conf'].max() * scale:.3f} at N={d.N}")  # fmt: skip
    print(f"widest: {widest['index']} of {widest['parameter']} on {widest['output']}")
    print(f"machine: {sys.platform}, python {sys.version.split()[0]}")
    print(f"shipped sobol-levers: N={d.N}, k={k}, no second order, "
          f"{shipped.spec.replicates} replicate(s) = {full_runs} runs")  # fmt: skip
    print(f"projected_minutes={full_runs / rate / 60.0:.1f}")
    print(f"max_ci_halfwidth={float(ind['conf'].max()) * scale:.3f}")


if __name__ == "__main__":
    main()
