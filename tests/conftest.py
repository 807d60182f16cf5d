"""Shared fixtures: the baseline scenario and small, fast variants of it."""

from __future__ import annotations

import pytest

from zhaoshang import AttractionModel, load_scenario

#: Overrides that make the baseline small enough for unit tests (3 years, 5,000 firms).
SMALL = {"pool.firms": 5000, "time.months": 36}


@pytest.fixture(scope="session")
def baseline():
    """The shipped baseline scenario."""
    return load_scenario("ruzhou-2017")


@pytest.fixture(scope="session")
def small():
    """The baseline with a small pool and a three-year horizon."""
    return load_scenario("ruzhou-2017", SMALL)


def run(scenario, seed=1, months=None, **overrides):
    """Build and run a model of ``scenario`` with dotted-path overrides."""
    if months is not None:
        overrides["time.months"] = months
    if overrides:
        data = scenario.model_dump(mode="json")
        from zhaoshang.scenarios.loader import apply_override, validate_data

        for path, value in overrides.items():
            apply_override(data, path.split("."), value)
        scenario = validate_data(data)
    model = AttractionModel(scenario, rng=seed, firm_agents=False)
    model.run_for(scenario.time.months)
    return model


def run_cli(args: list[str]) -> int:
    """Run the ``zhaoshang`` command line in this process and return its exit status."""
    from zhaoshang.experiments.cli import main

    try:
        main(args)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


#: Debian's Chromium and the flags it needs here (headless, no sandbox as root, no network).
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
