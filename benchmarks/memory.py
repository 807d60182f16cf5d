"""Peak memory of runs against the estimate that refuses scenarios too big for the machine.

Runs the baseline at several (firms, months) in fresh processes, records each one's peak
resident memory (``ru_maxrss``), fits

    peak MB = base + firms x per_firm + firms x months x per_firm_month

by least squares, and prints each run next to ``zhaoshang.scenarios.memory.estimate``. The
estimate's coefficients are this fit rounded up, so every line should read ``estimate >=
measured``; a ``LOW`` marks a run the estimate underrates.

Usage: python benchmarks/memory.py [--sizes 10000 300000 1000000] [--months 12 120]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys

import numpy as np


def one(firms: int, months: int) -> dict:
    """Run the baseline in this process; its peak resident memory in MB."""
    from zhaoshang import AttractionModel, load_scenario

    overrides = {"pool.firms": firms, "time.months": months}
    model = AttractionModel(load_scenario("ruzhou-2017", overrides), rng=7, firm_agents=False)
    model.run_for(months)
    model.kpis()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"firms": firms, "months": months, "peak_mb": peak}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10000, 300000, 1000000])
    parser.add_argument("--months", type=int, nargs="+", default=[12, 120])
    parser.add_argument("--one", type=int, nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(*args.one)))
        return
    from zhaoshang import load_scenario
    from zhaoshang.scenarios.memory import estimate

    runs = []
    for firms in args.sizes:
        for months in args.months:
            out = subprocess.run(
                [sys.executable, __file__, "--one", str(firms), str(months)],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    x = np.array([[1.0, r["firms"], r["firms"] * r["months"]] for r in runs])
    y = np.array([r["peak_mb"] for r in runs])
    (base, per_firm, per_firm_month), *_ = np.linalg.lstsq(x, y, rcond=None)
    print(
        f"fit: base={base:.0f} MB  per_firm={per_firm * 2**20:.0f} B  "
        f"per_firm_month={per_firm_month * 2**20:.1f} B"
    )
    for r in runs:
        scenario = load_scenario(
            "ruzhou-2017", {"pool.firms": r["firms"], "time.months": r["months"]}
        )
        est = estimate(scenario).megabytes
        flag = "" if est >= r["peak_mb"] else "  LOW"
        print(
            f"firms={r['firms']:>9} months={r['months']:>4}: measured {r['peak_mb']:7.0f} MB, "
            f"estimate {est:7.0f} MB{flag}"
        )


if __name__ == "__main__":
    main()
