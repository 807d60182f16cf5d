"""Named arguments for Python, plain tuples for compiled kernels.

Each mechanism builds its run-long arguments as NamedTuples by keyword (a wrong or missing
name raises at once), and hands them to its compiled step as plain tuples: Numba dispatches a
plain tuple of arrays about twice as fast as a NamedTuple. The kernel names them again
(``Args(*args)``) on its side of the boundary.
"""

from __future__ import annotations

from typing import Any


def plain(value: Any) -> Any:
    """``value`` with every NamedTuple in it (nested in tuples too) turned into a plain tuple."""
    if isinstance(value, tuple):
        return tuple(plain(v) for v in value)
    return value
