"""Compile the model's kernels once, so that the first real run does not wait for it.

The monthly mechanisms run in compiled kernels (``numba``) whose machine code is cached next
to the sources (``__pycache__``). A fresh installation has no cache yet: the first run then
spends about three minutes compiling. ``make demo`` and ``make test`` run this module right after
installing; ``python -m zhaoshang.model.warmup`` does the same by hand.
"""

from __future__ import annotations

import time

from ..scenarios import load_scenario
from .model import AttractionModel

#: A small world that still reaches every stage of the pipeline and every channel.
WARMUP = {"pool.firms": 2000, "time.months": 36}


def main() -> None:
    """Run a small baseline (compiling what is not cached yet) and say how long it took."""
    start = time.perf_counter()
    print("Compiling the model's kernels (about three minutes the first time) ...", flush=True)
    model = AttractionModel(load_scenario("ruzhou-2017", WARMUP), rng=1, firm_agents=False)
    model.run_for(model.horizon)
    model.kpis()
    print(f"Kernels ready ({time.perf_counter() - start:.0f} s).")


if __name__ == "__main__":
    main()
