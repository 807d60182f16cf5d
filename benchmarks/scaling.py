"""How a run's cost grows with the number of firms, and the memory of a million-firm run.

Runs the ten-year baseline with N candidate firms (each N in a fresh process, so that its peak
resident memory is its own), records the wall time and the number of active firms (searching,
in a deal or operating) of every month, and fits, over the sizes,

    mean seconds per month = overhead + cost per active firm x mean active firms

by least squares. Linear scaling means the line fits (R^2 close to 1) and the log-log slope
of time per month against active firms between the two largest sizes is at most 1 (below 1
while the fixed per-month overhead still matters). Ends with

    slope=<log-log slope>  peak_rss_mb=<largest N>  seconds=<largest N>

Usage: python benchmarks/scaling.py [--sizes 10000 100000 1000000] [--months 120]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

import numpy as np


def one(n: int, months: int) -> dict:
    """Run the baseline with ``n`` firms in this process; per-month times and peak memory."""
    from zhaoshang import AttractionModel, load_scenario

    start = time.perf_counter()
    model = AttractionModel(
        load_scenario("ruzhou-2017", {"pool.firms": n, "time.months": months}),
        rng=7,
        firm_agents=False,
    )
    built = time.perf_counter() - start
    seconds, active = [], []
    for _ in range(months):
        t = time.perf_counter()
        model.step()
        seconds.append(time.perf_counter() - t)
        active.append(len(model.active))
    kpis = model.kpis()
    return {
        "n": n,
        "build_seconds": built,
        "seconds": seconds,
        "active": active,
        "total_seconds": time.perf_counter() - start,
        "entries": kpis["entries"],
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[10000, 30000, 100000, 300000, 1000000]
    )
    parser.add_argument("--months", type=int, default=120)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.months)))
        return
    runs = []
    for n in args.sizes:
        out = subprocess.run(
            [sys.executable, __file__, "--one", str(n), "--months", str(args.months)],
            capture_output=True, text=True, check=True,
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        runs.append(r)
        per_month = sum(r["seconds"]) / len(r["seconds"])
        print(
            f"N={n}: {r['total_seconds']:.2f} s (build {r['build_seconds']:.2f} s), "
            f"{per_month * 1000:.2f} ms/month, mean active firms {np.mean(r['active']):.0f}, "
            f"entries {r['entries']}, peak RSS {r['peak_rss_mb']:.0f} MB",
            flush=True,
        )
    # Month 0 also builds each city's outreach directory (a sort of the whole pool): left out.
    x = np.array([np.mean(r["active"][1:]) for r in runs])
    y = np.array([np.mean(r["seconds"][1:]) for r in runs])
    slope_line, overhead = np.polyfit(x, y, 1)
    r2 = 1 - np.sum((y - (overhead + slope_line * x)) ** 2) / np.sum((y - y.mean()) ** 2)
    print(
        f"fit: {overhead * 1000:.2f} ms/month + {slope_line * 1e6:.3f} us per active firm "
        f"and month (R^2 = {r2:.3f})"
    )
    top = runs[-2:] if len(runs) >= 2 else runs
    mean_t = [np.mean(r["seconds"]) for r in top]
    mean_a = [np.mean(r["active"]) for r in top]
    slope = (
        float(np.diff(np.log(mean_t))[0] / np.diff(np.log(mean_a))[0]) if len(top) == 2 else 1.0
    )
    last = runs[-1]
    print(
        f"slope={slope:.2f} peak_rss_mb={last['peak_rss_mb']:.0f} "
        f"seconds={last['total_seconds']:.1f}"
    )


if __name__ == "__main__":
    main()
