"""Time the 10-year Ruzhou baseline (120 months, 20,000 candidate firms) on one core.

Prints the median run time and its ratio to a fixed NumPy reference workload measured in the
same run, so numbers from different machines can be compared.

    python benchmarks/baseline.py [--repeats 7]
"""

from __future__ import annotations

import argparse

from common import median_seconds, reference_workload

from zhaoshang import AttractionModel, load_scenario


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--scenario", default="ruzhou-2017")
    args = parser.parse_args()
    scenario = load_scenario(args.scenario)

    def one_run() -> None:
        model = AttractionModel(scenario, rng=7, firm_agents=False)
        model.run_for(scenario.time.months)
        model.kpis()

    run = median_seconds(one_run, args.repeats)
    ref = median_seconds(reference_workload, args.repeats)
    print(f"scenario={args.scenario} firms={scenario.pool.firms} months={scenario.time.months}")
    print(f"median_run_seconds={run:.3f}")
    print(f"reference_seconds={ref:.3f}")
    print(f"ratio_run_to_reference={run / ref:.2f}")


if __name__ == "__main__":
    main()
