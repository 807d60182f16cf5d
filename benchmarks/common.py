"""Shared helpers of the benchmark scripts: repeated timing and a reference workload."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import numpy as np


def median_seconds(fn: Callable[[], object], repeats: int) -> float:
    """Median wall time of ``fn()`` over ``repeats`` calls (after one warm-up call)."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def reference_workload() -> float:
    """A fixed NumPy workload, timed in the same run so results can be given as ratios."""
    rng = np.random.default_rng(0)
    a = rng.random((400, 400))
    total = 0.0
    for _ in range(20):
        total += float(np.linalg.norm(a @ a))
        a = np.sort(a, axis=0)
    return total
