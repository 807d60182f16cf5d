"""Fixed-seed results pinned: optimising the code must not change what a seed gives.

``golden/kpis.json`` holds the KPIs (every key, floats exactly) of a few fixed-seed runs,
written by the model before its monthly mechanisms were compiled (NumPy only). The compiled
kernels must reproduce them bit for bit. A change of the model's behaviour that is meant
(a new mechanism, a recalibration) regenerates the file and says so in its commit:

    python tests/model/test_golden.py --update
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from zhaoshang import AttractionModel, load_scenario
from zhaoshang.model.state.streams import KeyedStreams, Purpose

GOLDEN = Path(__file__).parent / "golden" / "kpis.json"
#: (library scenario, seed): the baseline and scenarios that switch on the other branches
#: (screening, enforcement, agents, broken promises, the proportional urn choice).
CASES = [
    ("ruzhou-2017", 7),
    ("reforms/all", 3),
    ("ills/all", 3),
    ("channels/with-agents", 5),
    ("validation/polya-urn", 5),
]
SIZE = {"pool.firms": 4000, "time.months": 120}


def kpis_of(name: str, seed: int) -> dict:
    """KPIs of one small ten-year run, as JSON data."""
    model = AttractionModel(load_scenario(name, SIZE), rng=seed, firm_agents=False)
    model.run_for(model.horizon)
    return json.loads(json.dumps(model.kpis(), default=float))


def _text(value) -> str:
    """A KPI as canonical JSON text (sorted keys, floats by their exact repr)."""
    return json.dumps(value, sort_keys=True)


@pytest.mark.parametrize(("name", "seed"), CASES)
def test_fixed_seed_kpis_are_unchanged(name, seed):
    """Null: the run reproduces the stored KPIs exactly (one run per case, its seed above)."""
    expected = json.loads(GOLDEN.read_text())[f"{name}@{seed}"]
    got = kpis_of(name, seed)
    assert got.keys() == expected.keys()
    changed = [k for k in expected if _text(got[k]) != _text(expected[k])]
    assert not changed, f"{name} seed {seed}: KPIs changed: {changed[:8]}"


@pytest.mark.parametrize(("name", "seed"), CASES[:3])
def test_kpis_do_not_depend_on_collecting_the_series(name, seed):
    """Null: batch runs without the monthly series (collect=False) give the same KPIs."""
    scenario = load_scenario(name, SIZE)
    models = [
        AttractionModel(scenario, rng=seed, firm_agents=False, collect=collect)
        for collect in (True, False)
    ]
    for model in models:
        model.run_for(model.horizon)
    full, bare = models
    assert len(bare.datacollector.get_model_vars_dataframe()) == 0
    assert _text(full.kpis()) == _text(bare.kpis())


def test_compiled_draws_equal_the_numpy_hash():
    """The compiled uniform draws equal the NumPy reference of the same keyed hash."""
    streams = KeyedStreams(0x1234_5678_9ABC_DEF0)
    ids = np.arange(0, 50_000, 7)
    for month, extra in ((0, 0), (37, 5), (119, 1_000_003)):
        reference = ((streams.bits(Purpose.EXIT, ids, month, extra) >> np.uint64(11))
                     .astype(np.float64) + 0.5) * 2.0**-53
        assert np.array_equal(streams.uniform(Purpose.EXIT, ids, month, extra), reference)
    months = np.arange(len(ids)) % 120
    reference = ((streams.bits(Purpose.DELAY, ids, months, 3) >> np.uint64(11))
                 .astype(np.float64) + 0.5) * 2.0**-53
    assert np.array_equal(streams.uniform(Purpose.DELAY, ids, months, 3), reference)


if __name__ == "__main__" and "--update" in sys.argv:
    data = {f"{name}@{seed}": kpis_of(name, seed) for name, seed in CASES}
    GOLDEN.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
    print(f"wrote {GOLDEN}")
