"""The event log: every pipeline transition, with month, firm, stages, place, channel, cause.

The log also counts the month's flows of the focus city (transitions by stage reached), the
funnel of the monthly series. Python code appends batches with :meth:`EventLog.append`;
compiled kernels write single events with :func:`record` into the buffers of
:meth:`EventLog.fields`, after :meth:`EventLog.reserve` has made room for them.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd
from numba import njit

from .codes import CAUSE_NAMES, CHANNEL_NAMES, STAGE_NAMES, Cause, Stage

FIELDS = ("month", "firm", "from_stage", "to_stage", "park", "city", "channel", "cause")
DTYPES = (np.int32, np.int64, np.int8, np.int8, np.int16, np.int16, np.int8, np.int8)
#: Causes that are events but not flows of the funnel.
_NOT_FLOWS = (int(Cause.PROMISE_BROKEN), int(Cause.SEEDED))


class Ledger(NamedTuple):
    """The log's buffers as a compiled kernel sees them (see :meth:`EventLog.fields`).

    The eight event columns, then ``count`` (events written, one element), ``flow`` (the
    focus city's transitions this month by stage reached) and ``clock`` (the month and the
    focus city).
    """

    month: np.ndarray
    firm: np.ndarray
    from_stage: np.ndarray
    to_stage: np.ndarray
    park: np.ndarray
    city: np.ndarray
    channel: np.ndarray
    cause: np.ndarray
    count: np.ndarray
    flow: np.ndarray
    clock: np.ndarray


@njit(cache=True, inline="always")
def record(
    log: Ledger, i: int, from_stage: int, to_stage: int, park: int, city: int, channel: int,
    cause: int,
) -> None:
    """Write one event of firm ``i`` this month and count it as a flow of the focus city."""
    k = log.count[0]
    log.month[k] = log.clock[0]
    log.firm[k] = i
    log.from_stage[k] = from_stage
    log.to_stage[k] = to_stage
    log.park[k] = park
    log.city[k] = city
    log.channel[k] = channel
    log.cause[k] = cause
    log.count[0] = k + 1
    # A 0/1 add rather than a branch: numba then drops the reference counts of the ledger's
    # arrays that every inlined call would otherwise pay.
    log.flow[to_stage] += (
        (city == log.clock[1]) & (cause != _NOT_FLOWS[0]) & (cause != _NOT_FLOWS[1])
    )


@njit(cache=True, inline="always")
def lacks_room(log: Ledger, n: int) -> bool:
    """Whether the buffers cannot take ``n`` more events (a month's kernel then asks for room)."""
    return log.count[0] + n > len(log.firm)


class EventLog:
    """Append-only columnar log in growable buffers, one per field.

    Args:
        focus: Index of the focus city, whose flows are counted.
        capacity: Events the buffers hold before they first grow.
    """

    def __init__(self, focus: int = 0, capacity: int = 4096) -> None:
        self._buffers = tuple(np.empty(capacity, dtype=dtype) for dtype in DTYPES)
        self._count = np.zeros(1, dtype=np.int64)
        self.flow = np.zeros(len(Stage), dtype=np.int64)
        self._clock = np.array([0, focus], dtype=np.int64)
        self._fields: tuple | None = None

    def start_month(self, month: int) -> None:
        """Date the events that follow ``month`` and reset the month's flows."""
        self._clock[0] = month
        self.flow[:] = 0

    def reserve(self, n: int) -> None:
        """Make room for ``n`` more events (the buffers at least double when they grow)."""
        count = int(self._count[0])
        capacity = len(self._buffers[0])
        if count + n <= capacity:
            return
        capacity = max(count + n, 2 * capacity)
        grown = []
        for old in self._buffers:
            new = np.empty(capacity, dtype=old.dtype)
            new[:count] = old[:count]
            grown.append(new)
        self._buffers = tuple(grown)
        self._fields = None

    def fields(self) -> tuple:
        """The fields of a :class:`Ledger`, as a plain tuple for compiled kernels.

        Call :meth:`reserve` first with the most events the kernel may write; the tuple is
        valid until the buffers next grow.
        """
        if self._fields is None:
            self._fields = (*self._buffers, self._count, self.flow, self._clock)
        return self._fields

    def append(self, month, firm, from_stage, to_stage, park, city, channel, cause) -> None:
        """Record transitions of the firms ``firm`` (scalars stand for the whole batch)."""
        n = len(firm)
        if n == 0:
            return
        self.reserve(n)
        count = int(self._count[0])
        values = (month, firm, from_stage, to_stage, park, city, channel, cause)
        for buffer, value in zip(self._buffers, values, strict=True):
            buffer[count : count + n] = value
        self._count[0] = count + n
        self._count_flows(to_stage, city, cause, n)

    def _count_flows(self, to_stage, city, cause, n: int) -> None:
        """Add a batch's transitions of the focus city to the month's flows."""
        if not isinstance(cause, np.ndarray) and cause in _NOT_FLOWS:
            return  # events, but not flows of the funnel
        focus = int(self._clock[1])
        if not isinstance(city, np.ndarray):
            if city != focus:
                return
            if not isinstance(to_stage, np.ndarray):
                self.flow[to_stage] += n
                return
            to = to_stage
        else:
            here = city == focus
            if isinstance(to_stage, np.ndarray):
                to = to_stage[here]
            else:
                to = np.full(here.sum(), to_stage)
        self.flow += np.bincount(to.astype(np.int64), minlength=len(Stage))

    def columns(self) -> dict[str, np.ndarray]:
        """All events as read-only NumPy columns (codes, not names)."""
        count = int(self._count[0])
        out = {}
        for field, buffer in zip(FIELDS, self._buffers, strict=True):
            column = buffer[:count]
            column.flags.writeable = False
            out[field] = column
        return out

    def __len__(self) -> int:
        return int(self._count[0])

    def frame(self, park_ids: list[str], city_ids: list[str], dates: list[str]) -> pd.DataFrame:
        """The log as a DataFrame with readable categorical labels."""
        cols = self.columns()

        def labels(codes: np.ndarray, names: list[str]) -> pd.Categorical:
            names_ext = [*list(names), ""]
            return pd.Categorical.from_codes(np.where(codes < 0, len(names), codes), names_ext)

        return pd.DataFrame(
            {
                "month": cols["month"],
                "date": np.asarray(dates)[cols["month"]] if len(dates) else [],
                "firm": cols["firm"],
                "from": labels(cols["from_stage"], STAGE_NAMES),
                "to": labels(cols["to_stage"], STAGE_NAMES),
                "park": labels(cols["park"], park_ids),
                "city": labels(cols["city"], city_ids),
                "channel": labels(cols["channel"], CHANNEL_NAMES),
                "cause": labels(cols["cause"], CAUSE_NAMES),
            }
        )
