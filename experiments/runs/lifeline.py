"""Worker processes that exit when the process that started them dies.

A process pool's workers wait for tasks from their parent. When the parent dies without
closing the pool (``kill``, ``kill -9``, an out-of-memory kill), nothing tells them: they
would stay alive, each holding hundreds of megabytes, until the machine restarts. Every worker
this package starts is therefore tied to its parent in two ways:

- on Linux, the kernel sends it ``SIGKILL`` the moment its parent dies
  (``prctl(PR_SET_PDEATHSIG)``, set through ``ctypes``);
- everywhere, a daemon thread checks every :data:`POLL_SECONDS` that its parent is still the
  process that started it (an orphan is adopted by another process, so ``os.getppid()``
  changes) and ends the worker if not.

The kernel's signal follows the *thread* that started the worker, so it is asked for only when
the pool is started from the main thread (whose end is the process's end); the watchdog thread
covers every other case.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

#: Seconds between two checks of the watchdog thread.
POLL_SECONDS = 0.5
#: Exit status of a worker that ended because its parent was gone.
ORPHANED = 75
#: ``PR_SET_PDEATHSIG`` of ``<linux/prctl.h>``.
PR_SET_PDEATHSIG = 1


@functools.cache
def _prctl() -> Callable[..., int] | None:
    """The C library's ``prctl`` (None off Linux or without a C library)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    except OSError:
        return None
    return libc.prctl


def set_death_signal(signum: int = signal.SIGKILL) -> bool:
    """Ask Linux to send ``signum`` to this process when its parent thread ends.

    Returns:
        Whether the request was made (False off Linux or without a C library).
    """
    prctl = _prctl()
    return prctl is not None and prctl(PR_SET_PDEATHSIG, int(signum), 0, 0, 0) == 0


def _watch(parent: int, poll_seconds: float) -> None:
    while True:
        time.sleep(poll_seconds)
        if os.getppid() != parent:
            os._exit(ORPHANED)


def tie_to_parent(parent: int, kernel_signal: bool = True, poll_seconds: float = POLL_SECONDS):
    """Make this (worker) process exit when process ``parent`` dies.

    Args:
        parent: Process id of the parent, as the parent saw it when it made the pool.
        kernel_signal: Also ask Linux for a death signal (only right when the parent started
            the worker from its main thread; see the module's docstring).
        poll_seconds: Seconds between two checks of the watchdog thread.
    """
    if kernel_signal:
        set_death_signal()
    if os.getppid() != parent:  # the parent died before the signal was asked for
        os._exit(ORPHANED)
    threading.Thread(
        target=_watch, args=(parent, poll_seconds), name="lifeline", daemon=True
    ).start()


def start_worker(parent: int, kernel_signal: bool) -> None:
    """Start a pool worker: tie it to its parent, then freeze what it inherited.

    With the parent's objects frozen, a full collection only walks the runs' own garbage, so
    the pool can afford one after every chunk: dead models no longer wait for the next full
    collection (docs/performance.md, "Workers' memory").

    Args:
        parent: Process id of the parent that made the pool.
        kernel_signal: Also ask Linux for a death signal (see :func:`tie_to_parent`).
    """
    tie_to_parent(parent, kernel_signal=kernel_signal)
    gc.freeze()


def worker_pool(max_workers: int) -> ProcessPoolExecutor:
    """A local process pool whose workers exit within a second of this process's death."""
    from_main = threading.current_thread() is threading.main_thread()
    return ProcessPoolExecutor(
        max_workers=max_workers, initializer=start_worker, initargs=(os.getpid(), from_main)
    )


def child_death_signal() -> Callable[[], None] | None:
    """A ``preexec_fn`` for :class:`subprocess.Popen` by which the child dies with this process.

    The C library is looked up here, in the parent: the function returned runs in the child
    between fork and exec, where little is safe to do.

    Returns:
        The function, or None off Linux or when called from a thread other than the main one
        (see the module's docstring).
    """
    if _prctl() is None or threading.current_thread() is not threading.main_thread():
        return None
    return functools.partial(set_death_signal, signal.SIGTERM)
