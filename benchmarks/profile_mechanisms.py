"""Where a run's time goes: wall time per phase of the month (``model.month.PHASES``).

Runs the baseline with each phase of the month in its own compiled call, timed, and prints
each phase's time and share. A batch run makes one call for all its months, so every
phase's time here includes the cost of a call of its own: Numba unpacks the month's
arguments (some 280 arrays) at each one, about 40-85 µs with the Python around it. The
script measures that cost in the same process, by making the same timed call of the
compiled month with no phase to run, and prints each phase's time net of it (``net``). The
net times still add up to more than the months of a batch run (about 1.5 times on the
project's machine), so read them as shares, not as a batch run's milliseconds. The first
run in a process also loads the compiled kernels (about half a second); it is done,
untimed, before the timed run unless ``--cold``.

    python benchmarks/profile_mechanisms.py [--firms 20000] [--months 120] [--cold]
"""

from __future__ import annotations

import argparse
import statistics
import time

from zhaoshang import AttractionModel, load_scenario
from zhaoshang.model import month


def call_seconds(model: AttractionModel, calls: int = 2000) -> float:
    """Median seconds of one call of the compiled month that runs no phase.

    Each call is made as ``month.run`` makes a timed phase's call (the compiled month, then
    the agents' update), but over an empty range of phases (from phase 0 to phase 0), so the
    month unpacks its arguments and returns at once: what each phase's own call adds to its
    time.

    Args:
        model: A model that has run (its month's arguments are built).
        calls: Calls timed, in batches of 100.
    """
    in_python, args = model.kept("month", lambda: month._plan(model))
    batches = []
    for _ in range(max(calls // 100, 1)):
        start = time.perf_counter()
        for _ in range(100):
            before = int(model.activity[1][0])
            month._run(model.month, model.month, 0, 0, in_python, args, model.activity,
                       model.event_log.fields())
            model.add_agents(before)
        batches.append((time.perf_counter() - start) / 100)
    return statistics.median(batches)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--firms", type=int, default=20000)
    parser.add_argument("--months", type=int, default=120)
    parser.add_argument("--cold", action="store_true", help="time the first run in the process")
    args = parser.parse_args()
    scenario = load_scenario("ruzhou-2017", {"pool.firms": args.firms, "time.months": args.months})
    if not args.cold:
        AttractionModel(scenario, rng=7, firm_agents=False).run_for(args.months)
    start = time.perf_counter()
    model = AttractionModel(scenario, rng=7, firm_agents=False)
    built = time.perf_counter()
    timings = model.phase_seconds = {}
    model.run_for(args.months)
    done = time.perf_counter()
    model.kpis()
    total = done - built
    per_call = call_seconds(model)
    print(f"construction {built - start:.3f} s, {args.months} months {total:.3f} s, "
          f"kpis {time.perf_counter() - done:.3f} s")
    print(f"one call of the compiled month that runs no phase: {per_call * 1e6:.0f} µs "
          f"(x {args.months} months = {per_call * args.months:.3f} s per phase)")
    print(f"{'phase':60s} {'time':>9s} {'share':>6s} {'net':>9s}")
    net_total = 0.0
    for name, seconds in sorted(timings.items(), key=lambda item: -item[1]):
        net = max(seconds - per_call * args.months, 0.0)
        net_total += net
        print(f"{name[:60]:60s} {seconds:7.3f} s {100 * seconds / total:5.1f}% {net:7.3f} s")
    print(f"{'other (collection, glue)':60s} {total - sum(timings.values()):7.3f} s")
    print(f"{'phases net of their calls, in all':60s} {'':16s} {net_total:7.3f} s")


if __name__ == "__main__":
    main()
