"""Each city's directory of candidate firms, ordered by (region, sector, keyed priority)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numba import njit

from ...state.streams import Purpose

if TYPE_CHECKING:
    from ...model import AttractionModel


@njit(cache=True)
def _by_group(group: np.ndarray, priority: np.ndarray, n_groups: int) -> np.ndarray:
    """Candidates by group, then priority (then id).

    A counting sort by (group, a bucket of priority), then an insertion sort by priority
    within each bucket (of about one candidate each, priorities being uniform in (0, 1)).

    Args:
        group: Each candidate's group.
        priority: Each candidate's priority, in (0, 1).
        n_groups: Number of groups.

    Returns:
        The ordered ids.
    """
    per = group.size // n_groups + 1  # priority buckets per group
    key = np.empty(group.size, dtype=np.int64)
    starts = np.zeros(n_groups * per + 1, dtype=np.int64)
    for i in range(group.size):
        key[i] = np.int64(group[i]) * per + min(np.int64(priority[i] * per), per - 1)
        starts[key[i] + 1] += 1
    starts = np.cumsum(starts)
    order = np.empty(group.size, dtype=np.int64)
    for i in range(group.size):
        order[starts[key[i]]] = i
        starts[key[i]] += 1
    for j in range(1, group.size):
        i = order[j]
        while j > 0 and key[order[j - 1]] == key[i] and priority[order[j - 1]] > priority[i]:
            order[j] = order[j - 1]
            j -= 1
        order[j] = i
    return order


class Directory:
    """Candidate firms of one city's outreach, ordered by (region, sector, priority).

    Args:
        m: The model.
        city: City index.
        group: Each candidate's group (:attr:`Directories.group`).
        bounds: Where each group starts in ``order`` (:attr:`Directories.bounds`).

    Attributes:
        priority: The city's keyed priority of each candidate (lower comes first).
        group: Each candidate's (region * n_sectors + sector) group.
        order: Candidates by group, then priority.
        bounds: Where each group starts in ``order``.
        pointers: How far each channel (by key) has gone down its ordering.
    """

    def __init__(self, m: AttractionModel, city: int, group: np.ndarray, bounds: np.ndarray):
        n_sectors = len(m.world.sector_ids)
        self.priority = m.streams.uniform(Purpose.PRIORITY, np.arange(m.firms.n_pool), 0, city)
        self.group, self.bounds = group, bounds
        self.order = _by_group(group, self.priority, len(bounds) - 1)
        self.n_sectors = n_sectors
        self.pointers: dict[tuple, int] = {}
        self.orders: dict[tuple, np.ndarray] = {}

    def ordering(self, regions: list[int] | None, sectors: list[int] | None) -> np.ndarray:
        """Firms of the given regions and sectors (all when None), by priority."""
        key = (tuple(regions) if regions is not None else None, tuple(sectors) if sectors else None)
        if key not in self.orders:
            if regions is None and not sectors:
                ids = self.order
            else:
                regs = regions if regions is not None else range(len(self.bounds) // self.n_sectors)
                secs = sectors or range(self.n_sectors)
                parts = [
                    self.order[
                        self.bounds[r * self.n_sectors + s] : self.bounds[
                            r * self.n_sectors + s + 1
                        ]
                    ]
                    for r in regs
                    for s in secs
                ]
                ids = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
            self.orders[key] = ids[np.argsort(self.priority[ids], kind="stable")]
        return self.orders[key]


class Directories:
    """Every city's :class:`Directory`, built on first use, also as arrays for kernels.

    Attributes:
        group: Each candidate's (region * n_sectors + sector) group, the same in every city.
        bounds: Where each group starts in a city's ``Directory.order`` (the same in every
            city; the end last).
        priority: Each city's ``Directory.priority``, one row per city (rows of cities whose
            directory is not built yet are undefined).
        order: Each city's ``Directory.order``, one row per city (likewise).
    """

    def __init__(self, m: AttractionModel):
        self._m = m
        self._built: dict[int, Directory] = {}
        f, n = m.firms, m.firms.n_pool
        n_sectors = len(m.world.sector_ids)
        n_groups = len(m.world.region_ids) * n_sectors
        group = f.region[:n].astype(np.int64) * n_sectors + f.sector[:n]
        self.group = group.astype(np.min_scalar_type(n_groups))  # small ints sort by radix
        self.bounds = np.zeros(n_groups + 1, dtype=np.int64)
        self.bounds[1:] = np.cumsum(np.bincount(group, minlength=n_groups))
        shape = (len(m.world.city_ids), n)
        self.priority = np.empty(shape)
        self.order = np.empty(shape, dtype=np.int64)

    def __getitem__(self, city: int) -> Directory:
        directory = self._built.get(city)
        if directory is None:
            directory = self._built[city] = Directory(self._m, city, self.group, self.bounds)
            self.priority[city] = directory.priority
            self.order[city] = directory.order
        return directory

    def build(self, cities: np.ndarray) -> None:
        """Build the directories of ``cities`` not built yet."""
        for city in cities.tolist():
            self[city]
