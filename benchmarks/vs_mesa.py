"""The Ruzhou baseline against Mesa's BoltzmannWealth example, timed in the same process.

For N = 1,000, 10,000 and 100,000: the baseline with N candidate firms for 120 months and
BoltzmannWealth with N agents on a sqrt(N) x sqrt(N) grid for 120 steps, median of several
runs each. Ends with one line per N: ``N=10000 ratio=57.3`` (Boltzmann time / baseline time).

    python benchmarks/vs_mesa.py [--repeats 3] [--sizes 1000 10000 100000]
"""

from __future__ import annotations

import argparse
import math

from common import median_seconds
from mesa.examples.basic.boltzmann_wealth_model.model import BoltzmannScenario, BoltzmannWealth

from zhaoshang import AttractionModel, load_scenario

MONTHS = 120


def boltzmann(n: int) -> None:
    side = max(math.ceil(math.sqrt(n)), 2)
    model = BoltzmannWealth(BoltzmannScenario(n=n, width=side, height=side, rng=1))
    for _ in range(MONTHS):
        model.step()


def baseline(n: int) -> None:
    scenario = load_scenario("ruzhou-2017", {"pool.firms": n, "time.months": MONTHS})
    model = AttractionModel(scenario, rng=7, firm_agents=False)
    model.run_for(MONTHS)
    model.kpis()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    args = parser.parse_args()
    lines = []
    for n in args.sizes:
        ours = median_seconds(lambda n=n: baseline(n), args.repeats)
        theirs = median_seconds(lambda n=n: boltzmann(n), max(1, args.repeats if n < 100000 else 1))
        print(f"N={n}: baseline {ours:.3f} s, BoltzmannWealth {theirs:.3f} s", flush=True)
        lines.append(f"N={n} ratio={theirs / ours:.1f}")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
