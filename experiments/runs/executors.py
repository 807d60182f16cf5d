"""Where runs execute: serially, on a local process pool, on any executor, or on Dask.

:func:`open_executor` gives a :class:`Backend` for the command-line options
``--workers N`` and ``--scheduler ADDRESS|local``:

- ``--workers 1``: serially in this process.
- ``--workers N`` (default: all cores): a local process pool of N processes, which exit
  when this process dies, whatever it dies of (:mod:`.lifeline`).
- ``--scheduler tcp://host:8786``: an existing Dask cluster, through
  ``distributed.Client(address).get_executor()``; the cluster's threads set the parallelism.
- ``--scheduler local``: a Dask ``LocalCluster`` on this machine with N single-threaded
  worker processes.

Any other ``concurrent.futures.Executor`` can be passed from Python. Dask is an optional
extra: ``pip install 'zhaoshang[cluster]'``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

from ...scenarios.errors import InputError
from .lifeline import worker_pool
from .parallel import default_workers, iter_tasks, local_workers


@dataclass
class Backend:
    """An executor choice: ``executor`` None with ``workers`` 1 means serial in-process."""

    executor: Executor | None
    workers: int
    description: str

    def run(
        self, fn: Callable[[Any], Any], tasks: Sequence[Any], target_seconds: float = 1.0
    ) -> Iterator[tuple[int, Any]]:
        """Yield ``(index, result)`` for every task as results arrive."""
        return iter_tasks(fn, tasks, self.workers, self.executor, target_seconds)


@contextlib.contextmanager
def open_executor(
    workers: int | None = None,
    scheduler: str | None = None,
    executor: Executor | None = None,
    processes: bool = True,
) -> Iterator[Backend]:
    """Open the executor the options ask for, and close it afterwards.

    Args:
        workers: Parallel runs (default: all cores). 1 means serial unless a scheduler or an
            executor is given.
        scheduler: ``"local"`` for a Dask ``LocalCluster``, or a scheduler address.
        executor: Any ``concurrent.futures.Executor`` to use as is (not closed here).
        processes: For ``"local"``: worker processes (True) or threads in this process.

    Yields:
        The backend.

    Raises:
        InputError: If Dask is not installed or the scheduler cannot be reached.
    """
    if executor is not None:
        yield Backend(executor, workers or default_workers(), type(executor).__name__)
        return
    n = workers or default_workers()
    if scheduler in (None, "local"):
        local_workers(n)
    if scheduler is None:
        if n <= 1:
            yield Backend(None, 1, "serial")
            return
        # Start the workers now, before progress bars or other threads exist: on Linux they
        # are forked, and forking a process that runs threads can deadlock the children.
        with worker_pool(n) as pool:
            pool.submit(int).result()
            yield Backend(pool, n, f"local process pool ({n} workers)")
        return
    distributed = _import_distributed()
    with contextlib.ExitStack() as stack:
        if scheduler == "local":
            cluster = stack.enter_context(
                distributed.LocalCluster(
                    n_workers=n,
                    threads_per_worker=1,
                    processes=processes,
                    dashboard_address=None,
                    silence_logs=50,
                )
            )
            client = stack.enter_context(distributed.Client(cluster))
            what = f"Dask LocalCluster ({n} workers)"
        else:
            try:
                client = stack.enter_context(distributed.Client(scheduler, timeout="10s"))
            except (OSError, TimeoutError, ValueError) as exc:
                raise InputError(
                    f"cannot reach the Dask scheduler at {scheduler!r} ({exc}); start one "
                    "with `dask scheduler` and `dask worker ADDRESS`, or use --scheduler local",
                    "--scheduler",
                ) from None
            threads = sum(client.nthreads().values()) or 1
            n = workers or threads
            what = f"Dask cluster at {scheduler} ({threads} threads)"
        yield Backend(client.get_executor(pure=False), n, what)


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise InputError(
            "Dask is not installed; it is an optional extra: pip install 'zhaoshang[cluster]'",
            "--scheduler",
        ) from None
    return distributed
