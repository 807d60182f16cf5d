"""Run many independent tasks serially or on a local process pool, in chunks.

Small simulations are cheap next to process start-up and pickling, so tasks are sent to
workers in chunks; results come back in task order, identical whichever way they ran.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import Any


def default_workers() -> int:
    """All cores of this machine."""
    return max(os.cpu_count() or 1, 1)


def _run_chunk(fn: Callable[[Any], Any], chunk: Sequence[Any]) -> list[Any]:
    return [fn(task) for task in chunk]


def chunked[T](items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """Consecutive slices of ``items`` of length ``size`` (the last may be shorter)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def chunk_size(n_tasks: int, workers: int) -> int:
    """Chunks small enough to balance load (about four per worker) and to report progress."""
    return max(1, min(64, n_tasks // max(4 * workers, 1)))


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
    if executor is None and workers <= 1:
        for i, task in enumerate(tasks):
            results[i] = fn(task)
            if on_result:
                on_result(i, results[i])
        return results
    own = executor is None
    pool = executor or ProcessPoolExecutor(max_workers=workers)
    try:
        size = chunk_size(len(tasks), workers)
        futures = {}
        for start, chunk in zip(range(0, len(tasks), size), chunked(tasks, size), strict=True):
            futures[pool.submit(_run_chunk, fn, chunk)] = start
        from concurrent.futures import as_completed

        for future in as_completed(futures):
            start = futures[future]
            for offset, result in enumerate(future.result()):
                results[start + offset] = result
                if on_result:
                    on_result(start + offset, result)
    finally:
        if own:
            pool.shutdown(cancel_futures=True)
    return results
