"""Where a run's time goes: wall time per mechanism of the monthly step.

Wraps each mechanism called by ``AttractionModel.step`` with a timer, runs the baseline and
prints each mechanism's share of the total. The first run in a process also loads the compiled
kernels (about half a second); it is done, untimed, before the timed run unless ``--cold``.

    python benchmarks/profile_mechanisms.py [--firms 20000] [--months 120] [--cold]
"""

from __future__ import annotations

import argparse
import collections
import time

from zhaoshang import AttractionModel, load_scenario
from zhaoshang.model import (
    choice,
    fiscal,
    governance,
    land,
    outreach,
    pipeline,
    pressure,
    retention,
)
from zhaoshang.model import model as model_module

MECHANISMS = [
    (choice, "park_terms"),
    (governance, "turnover"),
    (pressure, "start_searches"),
    (pressure, "end_searches"),
    (outreach, "offices"),
    (outreach, "conferences"),
    (outreach, "agents"),
    (outreach, "passive"),
    (pipeline, "advance"),
    (land, "enforce"),
    (retention, "update"),
    (fiscal, "collect"),
]
METHODS = ["choose_pending", "_snapshot"]


def instrument(totals: collections.Counter) -> None:
    def timed(fn, label):
        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                totals[label] += time.perf_counter() - start

        return wrapper

    for module, name in MECHANISMS:
        label = f"{module.__name__.rsplit('.', 1)[-1]}.{name}"
        setattr(module, name, timed(getattr(module, name), label))
    for name in METHODS:
        cls = model_module.AttractionModel
        setattr(cls, name, timed(getattr(cls, name), f"model.{name}"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--firms", type=int, default=20000)
    parser.add_argument("--months", type=int, default=120)
    parser.add_argument("--cold", action="store_true", help="time the first run in the process")
    args = parser.parse_args()
    scenario = load_scenario("ruzhou-2017", {"pool.firms": args.firms, "time.months": args.months})
    if not args.cold:
        AttractionModel(scenario, rng=7, firm_agents=False).run_for(args.months)
    totals: collections.Counter = collections.Counter()
    instrument(totals)
    start = time.perf_counter()
    model = AttractionModel(scenario, rng=7, firm_agents=False)
    built = time.perf_counter()
    model.run_for(args.months)
    done = time.perf_counter()
    model.kpis()
    total = done - built
    print(f"construction {built - start:.3f} s, {args.months} months {total:.3f} s, "
          f"kpis {time.perf_counter() - done:.3f} s")
    for label, seconds in totals.most_common():
        print(f"{label:26s} {seconds:7.3f} s {100 * seconds / total:5.1f}%")
    print(f"{'other (collection, glue)':26s} {total - sum(totals.values()):7.3f} s")


if __name__ == "__main__":
    main()
