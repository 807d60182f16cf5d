"""How much memory a run of a scenario needs, checked before a model is built.

A run holds a row per firm (the candidate pool plus the parks' incumbents) in a dozen arrays,
the monthly event log (which grows with firms x months, and doubles its buffers as it grows),
and the compiled kernels' runtime. The estimate is

    needed = BASE_MB + firms x PER_FIRM_BYTES + firms x months x PER_FIRM_MONTH_BYTES

with coefficients fitted to the peak resident memory (``ru_maxrss``) of the baseline at 10,000
to 1,000,000 firms and 12 or 120 months, measured by ``python benchmarks/memory.py``
(base 343 MB, 337 bytes per firm, 0.6 bytes per firm-month) and rounded up, so that the
estimate is above every measured run. Each process checks its own run: ``--workers N`` runs
N of them at once. It is compared with
what the machine can give: ``MemAvailable`` of ``/proc/meminfo`` on Linux (elsewhere, or when
the file cannot be read, nothing is checked).
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from .errors import ScenarioError
from .schema import Scenario

#: Resident memory of a process that has built a small model (Python, NumPy, pandas, Mesa and
#: the compiled kernels' runtime), in MB.
BASE_MB = 350.0
#: Memory per firm row, in bytes, whatever the horizon.
PER_FIRM_BYTES = 400.0
#: Memory per firm and simulated month (the event log and monthly series), in bytes.
PER_FIRM_MONTH_BYTES = 1.0

MEMINFO = Path("/proc/meminfo")


class Estimate(NamedTuple):
    """The memory a run needs and what drives it."""

    megabytes: float
    firms: int
    months: int


def estimate(scenario: Scenario) -> Estimate:
    """The peak resident memory a run of ``scenario`` is expected to reach."""
    firms = scenario.pool.firms + sum(
        count for park in scenario.parks.values() for count in park.incumbents.values()
    )
    months = scenario.time.months
    need = firms * PER_FIRM_BYTES + firms * months * PER_FIRM_MONTH_BYTES
    return Estimate(megabytes=BASE_MB + need / 2**20, firms=firms, months=months)


def available_megabytes(meminfo: Path = MEMINFO) -> float | None:
    """Memory the machine can give a new process without swapping, in MB (None if unknown)."""
    try:
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def check_memory(scenario: Scenario, available: float | None = None) -> None:
    """Refuse a scenario whose run would not fit in this machine's available memory.

    Args:
        scenario: The validated scenario.
        available: Available memory in MB (default: read from the machine).

    Raises:
        ScenarioError: Naming the memory needed and available, and the fields that drive it.
    """
    if available is None:
        available = available_megabytes()
    need = estimate(scenario)
    if available is None or need.megabytes <= available:
        return
    raise ScenarioError(
        f"a run needs about {need.megabytes:,.0f} MB of memory but this machine has "
        f"{available:,.0f} MB available; it is driven by the number of firms ({need.firms:,}: "
        f"pool.firms plus parks.*.incumbents) and by time.months ({need.months}); lower them",
        None,
        "pool.firms",
    )
