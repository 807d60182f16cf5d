"""The reference run the page overlays: the chosen scenario as shipped, with the same seed.

Each reference is run once, in one background thread, and kept for the next resets (the last
:data:`KEEP` of them), so a change of lever is compared with an unchanged run at once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor

from .trace import Trace

#: Reference runs kept in memory.
KEEP = 8

_EXECUTOR = ThreadPoolExecutor(max_workers=1, thread_name_prefix="reference-run")
_RUNS: OrderedDict[tuple, Future[Trace]] = OrderedDict()
_LOCK = threading.Lock()


def run_reference(key: tuple) -> Trace:
    """Run the scenario of ``key`` = (scenario name, seed, base overrides) to its horizon."""
    from .teaching_model import TeachingModel

    scenario_name, seed, base_overrides = key
    model = TeachingModel(scenario_name, seed, base_overrides=base_overrides, draw=False)
    model.run_for(model.horizon)
    return model.trace


def request(key: tuple) -> Future[Trace]:
    """The (possibly still running) reference run of ``key``; starts it if needed."""
    with _LOCK:
        future = _RUNS.get(key)
        if future is None:
            future = _EXECUTOR.submit(run_reference, key)
            _RUNS[key] = future
            while len(_RUNS) > KEEP:
                _RUNS.popitem(last=False)
        else:
            _RUNS.move_to_end(key)
        return future


def ready(key: tuple) -> Trace | None:
    """The reference run of ``key`` if it has finished without error, else None."""
    future = request(key)
    if future.done() and future.exception() is None:
        return future.result()
    return None
