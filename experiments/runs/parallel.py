"""Run many independent tasks serially or on any executor, in adaptive chunks.

Small simulations are cheap next to process start-up, pickling and scheduling, so tasks are
sent to workers in chunks. Chunks start at one task and grow until one takes about
``target_seconds``, so a quick function is batched by the hundred while a slow model run
travels alone (and reaches the caller, and its store, as soon as it is done). Only a few
chunks per worker are in flight at a time, so memory stays flat however many tasks there are.
Results are identical whichever way they ran.
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from typing import Any

from ...scenarios.errors import InputError
from .lifeline import worker_pool

#: Upper limit of tasks per chunk.
MAX_CHUNK = 256


def default_workers() -> int:
    """All cores of this machine."""
    return max(os.cpu_count() or 1, 1)


#: Most local worker processes per core: more only slow the runs down (and use up memory).
PROCESSES_PER_CORE = 16


def local_workers(workers: int) -> int:
    """``workers``, checked as the size of a local process pool.

    Raises:
        InputError: If it is more than :data:`PROCESSES_PER_CORE` per core of this machine.
    """
    most = PROCESSES_PER_CORE * default_workers()
    if workers > most:
        raise InputError(
            f"{workers} local processes on {default_workers()} cores would only slow the runs "
            f"down; use at most {most}, or --scheduler ADDRESS to run on a cluster",
            "--workers",
        )
    return workers


def _run_chunk(fn: Callable[[Any], Any], chunk: Sequence[Any]) -> tuple[list[Any], float]:
    start = time.perf_counter()
    results = [fn(task) for task in chunk]
    gc.collect()  # cheap: the pool's start froze what workers inherit (lifeline.start_worker)
    return results, time.perf_counter() - start


class _Sizer:
    """Chooses the next chunk's size from the time per task seen so far."""

    def __init__(self, target_seconds: float, remaining: int, workers: int):
        self.target = target_seconds
        self.per_task: float | None = None
        self.remaining = remaining
        self.workers = workers

    def observe(self, n: int, seconds: float) -> None:
        per = seconds / max(n, 1)
        self.per_task = per if self.per_task is None else 0.7 * self.per_task + 0.3 * per

    def next(self) -> int:
        if self.per_task is None:
            size = 1
        else:
            size = int(self.target / max(self.per_task, 1e-6))
        # Keep enough chunks for every worker to the end (load balance).
        fair = max(1, self.remaining // (2 * self.workers))
        return max(1, min(size, MAX_CHUNK, fair))


def iter_tasks[T, R](
    fn: Callable[[T], R],
    tasks: Sequence[T],
    workers: int = 1,
    executor: Executor | None = None,
    target_seconds: float = 1.0,
) -> Iterator[tuple[int, R]]:
    """Apply ``fn`` to every task, yielding ``(index, result)`` as chunks complete.

    Args:
        fn: A picklable, module-level function of one task.
        tasks: The tasks (picklable).
        workers: 1 runs serially in this process (unless ``executor`` is given); more uses a
            local process pool of that size.
        executor: Any ``concurrent.futures.Executor`` (for example a Dask client's) to use
            instead of a new pool; ``workers`` then says how many tasks it runs at once.
        target_seconds: Aimed-for duration of one chunk.

    Yields:
        ``(index into tasks, result)``, in completion order.
    """
    if executor is None and workers <= 1:
        for i, task in enumerate(tasks):
            yield i, fn(task)
        return
    own = executor is None
    if own:  # no more processes than tasks
        workers = min(local_workers(workers), max(len(tasks), 1))
    pool = executor or worker_pool(workers)
    sizer = _Sizer(target_seconds, len(tasks), max(workers, 1))
    pending: dict[Future, tuple[int, int]] = {}
    cursor = 0
    try:
        while cursor < len(tasks) or pending:
            while cursor < len(tasks) and len(pending) < 2 * max(workers, 1):
                size = sizer.next()
                chunk = tasks[cursor : cursor + size]
                pending[pool.submit(_run_chunk, fn, chunk)] = (cursor, len(chunk))
                cursor += len(chunk)
                sizer.remaining = len(tasks) - cursor
            done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
            for future in done:
                start, n = pending.pop(future)
                results, seconds = future.result()
                sizer.observe(n, seconds)
                for offset, result in enumerate(results):
                    yield start + offset, result
    finally:
        for future in pending:
            future.cancel()
        if own:
            pool.shutdown(cancel_futures=True)


def map_tasks[T, R](
    fn: Callable[[T], R],
    tasks: Iterable[T],
    workers: int = 1,
    executor: Executor | None = None,
    on_result: Callable[[int, R], None] | None = None,
) -> list[R]:
    """Apply ``fn`` to every task and return the results in task order.

    Args:
        fn: A picklable, module-level function of one task.
        tasks: The tasks (picklable).
        workers: 1 runs serially in this process; more uses a local process pool.
        executor: Any ``concurrent.futures.Executor`` to use instead of a new pool.
        on_result: Called as ``on_result(index, result)`` as each task finishes (for
            progress bars and stores).

    Returns:
        The results, in the order of ``tasks``.
    """
    tasks = list(tasks)
    results: list[Any] = [None] * len(tasks)
    for i, result in iter_tasks(fn, tasks, workers, executor):
        results[i] = result
        if on_result:
            on_result(i, result)
    return results
