"""Where a run's time goes: wall time per phase of the month (``model.month.PHASES``).

Runs the baseline with each phase of the month in its own compiled call, timed (a normal run
makes one call a month, so the sum here is a little higher), and prints each phase's share.
The first run in a process also loads the compiled kernels (about half a second); it is done,
untimed, before the timed run unless ``--cold``.

    python benchmarks/profile_mechanisms.py [--firms 20000] [--months 120] [--cold]
"""

from __future__ import annotations

import argparse
import time

from zhaoshang import AttractionModel, load_scenario


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
    print(f"construction {built - start:.3f} s, {args.months} months {total:.3f} s, "
          f"kpis {time.perf_counter() - done:.3f} s")
    for name, seconds in sorted(timings.items(), key=lambda item: -item[1]):
        print(f"{name[:60]:60s} {seconds:7.3f} s {100 * seconds / total:5.1f}%")
    print(f"{'other (collection, glue)':60s} {total - sum(timings.values()):7.3f} s")


if __name__ == "__main__":
    main()
