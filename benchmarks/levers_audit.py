"""Time of the lever audit (``zhaoshang levers ruzhou-2017``) on two cores, against a reference.

Runs the audit as the integrator does (``--replicates 6 --seed 77 --workers 2``, every lever
of the schema, ten-year runs) through the same functions the command uses, and single
baseline runs timed serially in this process before and after it as the reference (the
machine may be shared, so compare the ratio, not the seconds).

Ends with ``audit_seconds=<s>``, ``runs=<n>`` and ``ratio_to_one_run=<audit / one run>``.

Usage: python benchmarks/levers_audit.py [--replicates 6] [--seed 77] [--workers 2]
"""

from __future__ import annotations

import argparse
import statistics
import time

from common import median_seconds

from zhaoshang import AttractionModel, load_scenario
from zhaoshang.experiments.analysis.levers import lever_runs, plan_levers, run_levers, summarise


def one_run() -> None:
    """The baseline once, serially, as a worker runs it (ten years, KPIs at the end)."""
    model = AttractionModel(load_scenario("ruzhou-2017"), rng=7, firm_agents=False)
    model.run_for(model.horizon)
    model.kpis()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=6)
    parser.add_argument("--seed", type=int, default=77)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    before = median_seconds(one_run, 3)
    start = time.perf_counter()
    runs = lever_runs(load_scenario("ruzhou-2017"))
    plan = plan_levers("ruzhou-2017", runs, args.replicates, args.seed)
    reps, seconds = run_levers(plan, args.workers)
    table = summarise(reps, runs)
    audit = time.perf_counter() - start
    after = median_seconds(one_run, 3)
    reference = statistics.mean([before, after])
    print(f"reference: one baseline run, serial: {before * 1000:.0f} ms before, "
          f"{after * 1000:.0f} ms after")  # fmt: skip
    print(f"levers={len(runs)} flags={table['flag'].value_counts().to_dict()}")
    print(f"median seconds per run in the workers: {statistics.median(seconds):.3f}")
    print(f"audit_seconds={audit:.1f}")
    print(f"runs={len(plan.tasks)}")
    print(f"ratio_to_one_run={audit / reference:.0f}")


if __name__ == "__main__":
    main()
