"""Workers never outlive their parent: kill -9 the parent, and no worker is left 10 s later.

Both ways a worker notices are tested: the whole command (on Linux the kernel's death signal
ends the workers at once), and the portable watchdog thread on its own (the kernel signal
switched off), which must end them within a second (it checks every ``POLL_SECONDS``).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="reads the process table from /proc"
)
LIBRARY = Path(__file__).resolve().parents[2] / "experiments" / "library"


def children(pid: int) -> set[int]:
    """Live (not zombie) processes whose parent is ``pid``."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            state, ppid = stat.rpartition(")")[2].split()[:2]
            if int(ppid) == pid and state != "Z":
                found.add(int(entry.name))
    return found


def alive(pids: set[int]) -> set[int]:
    """Those of ``pids`` still running (a zombie has ended)."""
    out = set()
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        if stat.rpartition(")")[2].split()[0] != "Z":
            out.add(pid)
    return out


def wait_for_children(process: subprocess.Popen, n: int, timeout: float = 240) -> set[int]:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        assert process.poll() is None, "the parent ended before its workers were seen"
        found = children(process.pid)
        if len(found) >= n:
            return found
        time.sleep(0.2)
    raise AssertionError(f"no {n} workers after {timeout} s")


def kill_and_count_survivors(process: subprocess.Popen, workers: set[int]) -> set[int]:
    """SIGKILL the parent and return the workers still alive 10 s later."""
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    end = time.monotonic() + 10
    while alive(workers) and time.monotonic() < end:
        time.sleep(0.2)
    left = alive(workers)
    for pid in left:  # do not leak them into the rest of the test session
        os.kill(pid, signal.SIGKILL)
    return left


def test_sensitivity_workers_exit_after_kill_9_of_the_command(tmp_path):
    process = subprocess.Popen(
        [sys.executable, "-m", "zhaoshang", "sensitivity", str(LIBRARY / "morris-levers.toml"),
         "--workers", "2", "--out", str(tmp_path / "out"), "--no-figures", "--quiet"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        workers = wait_for_children(process, 2)
        assert kill_and_count_survivors(process, workers) == set()
    finally:
        if process.poll() is None:
            process.kill()


WATCHDOG_ONLY = textwrap.dedent(
    """
    import os, sys, time
    from concurrent.futures import ProcessPoolExecutor
    from zhaoshang.experiments.runs.lifeline import tie_to_parent

    pool = ProcessPoolExecutor(2, initializer=tie_to_parent, initargs=(os.getpid(), False))
    futures = [pool.submit(time.sleep, 600) for _ in range(2)]
    print("ready", flush=True)
    time.sleep(600)
    """
)


def test_watchdog_alone_ends_orphaned_workers():
    process = subprocess.Popen(
        [sys.executable, "-c", WATCHDOG_ONLY], stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout.readline().strip() == "ready"
        workers = wait_for_children(process, 2, timeout=60)
        assert kill_and_count_survivors(process, workers) == set()
    finally:
        if process.poll() is None:
            process.kill()


def test_the_teaching_page_server_exits_after_kill_9_of_the_command():
    pytest.importorskip("solara")
    import socket

    with socket.socket() as probe:  # a free port
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "zhaoshang", "ui", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        server = wait_for_children(process, 1, timeout=60)
        assert kill_and_count_survivors(process, server) == set()
    finally:
        if process.poll() is None:
            process.kill()
