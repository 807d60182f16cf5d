"""The event log: every pipeline transition, with month, firm, stages, place, channel, cause."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .codes import CAUSE_NAMES, CHANNEL_NAMES, STAGE_NAMES

FIELDS = ("month", "firm", "from_stage", "to_stage", "park", "city", "channel", "cause")
DTYPES = (np.int32, np.int64, np.int8, np.int8, np.int16, np.int16, np.int8, np.int8)


def _column(values: tuple, sizes: np.ndarray, dtype: type) -> np.ndarray:
    """One field of every chunk as a column: a scalar stands for its whole batch."""
    batch = [isinstance(v, np.ndarray) for v in values]
    scalars = np.array([0 if b else v for v, b in zip(values, batch, strict=True)], dtype=dtype)
    column = np.repeat(scalars, sizes)
    if any(batch):
        arrays = [v for v, b in zip(values, batch, strict=True) if b]
        column[np.repeat(batch, sizes)] = np.concatenate(arrays)
    return column


class EventLog:
    """Append-only columnar log; chunks are concatenated only when read."""

    def __init__(self) -> None:
        self._chunks: list[tuple[np.ndarray, ...]] = []
        self._cache: dict[str, np.ndarray] | None = None

    def append(self, month, firm, from_stage, to_stage, park, city, channel, cause) -> None:
        """Record transitions of the firms ``firm`` (scalars stand for the whole batch).

        Arrays passed in must not be modified afterwards (callers pass fresh fancy-indexed
        copies); chunks are converted to columns only when read.
        """
        if len(firm) == 0:
            return
        self._chunks.append((month, firm, from_stage, to_stage, park, city, channel, cause))
        self._cache = None

    def columns(self) -> dict[str, np.ndarray]:
        """All events as NumPy columns (codes, not names)."""
        if self._cache is None:
            sizes = np.array([len(c[1]) for c in self._chunks], dtype=np.int64)
            self._cache = {}
            fields = zip(*self._chunks, strict=True) if self._chunks else [()] * len(FIELDS)
            for field, dtype, values in zip(FIELDS, DTYPES, fields, strict=True):
                self._cache[field] = _column(values, sizes, dtype)
            self._chunks = [tuple(self._cache[f] for f in FIELDS)] if len(sizes) else []
        return self._cache

    def __len__(self) -> int:
        return sum(len(c[1]) for c in self._chunks)

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
