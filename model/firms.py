"""The firm table: every firm's state as NumPy columns owned by the model.

Candidate firms are drawn once at construction from keyed random streams, so a firm's traits
depend only on the seed and its index. Incumbent firms seeded in parks are appended after the
candidate pool.
"""

from __future__ import annotations

import numpy as np

from .codes import Channel, Stage
from .streams import KeyedStreams, Purpose
from .world import World

NEVER = np.iinfo(np.int32).max // 2


def categorical(u: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Map uniforms to category indices with probabilities proportional to ``weights``."""
    cum = np.cumsum(weights)
    cum = cum / cum[-1]
    return np.minimum(np.searchsorted(cum, u, side="right"), len(weights) - 1)


def categorical_by_group(u: np.ndarray, group: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Category indices drawn with the weights of each draw's group (row ``group`` of weights).

    The index of a draw ``u`` is the number of cumulative shares below ``u``.
    """
    cum = np.cumsum(weights, axis=1)
    cum = cum / cum[:, -1:]
    out = np.empty(len(u), dtype=np.int64)
    for g in range(len(cum)):
        mask = group == g
        out[mask] = np.searchsorted(cum[g], u[mask], side="left")
    return np.minimum(out, cum.shape[1] - 1)


def home_wage_path(world: World, months: int, push: bool) -> np.ndarray:
    """Monthly wage of every origin region, shape (R, months + 1), in yuan/month."""
    w0 = world.region_array("wage_yuan_month")[:, None]
    growth = world.region_array("wage_growth")[:, None] if push else 0.0
    t = np.arange(months + 1)[None, :] / 12.0
    return w0 * (1.0 + growth) ** t


class FirmTable:
    """Columns of firm state. Index ``i`` is the firm's id everywhere in the model."""

    def __init__(self, world: World, streams: KeyedStreams):
        sc = world.scenario
        self.n_pool = sc.pool.firms
        incumbents = self._incumbent_rows(world)
        n = self.n_pool + len(incumbents)
        self.n = n
        ids = np.arange(self.n_pool)
        region_w = world.region_array("weight")
        if region_w.sum() <= 0:
            region_w = np.ones_like(region_w)
        region = categorical(streams.uniform(Purpose.REGION, ids), region_w)
        mix = np.ones((len(world.region_ids), len(world.sector_ids)))
        for r, rid in enumerate(world.region_ids):
            weights = sc.regions[rid].sectors
            if weights:
                mix[r] = [weights.get(s, 0.0) for s in world.sector_ids]
                if mix[r].sum() <= 0:
                    mix[r] = 1.0
        sector = categorical_by_group(streams.uniform(Purpose.SECTOR, ids), region, mix)
        self.region = np.concatenate([region, [r for r, _, _ in incumbents]]).astype(np.int16)
        self.sector = np.concatenate([sector, [s for _, s, _ in incumbents]]).astype(np.int16)
        all_ids = np.arange(n)
        sigma = sc.pool.size_sigma
        size = np.exp(sigma * streams.normal(Purpose.SIZE, all_ids) - sigma**2 / 2)
        inc_park = np.array([p for _, _, p in incumbents], dtype=np.int64)
        if len(incumbents):
            inc_emp = world.park_array("incumbent_employees")[inc_park]
            base_emp = world.sector_array("employees")[self.sector[self.n_pool :]]
            size[self.n_pool :] *= inc_emp / base_emp
        s = self.sector
        self.employees = world.sector_array("employees")[s] * size
        self.investment = world.sector_array("investment_myuan")[s] * size * 1e6
        self.land_need = world.sector_array("land_ha")[s] * size
        self.output = world.sector_array("output_myuan")[s] * size * 1e6
        self.tax = world.sector_array("tax_share")[s] * self.output
        self.tech = np.clip(
            world.sector_array("tech")[s] + 0.15 * streams.normal(Purpose.TECH, all_ids), 0, 1
        )
        self.pollution_rate = world.sector_array("pollution")[s] * np.exp(
            0.4 * streams.normal(Purpose.POLLUTION, all_ids) - 0.08
        )
        self.energy_rate = world.sector_array("energy")[s] * np.exp(
            0.4 * streams.normal(Purpose.ENERGY, all_ids) - 0.08
        )
        n_cities = len(world.city_ids)
        self.minded = np.full(n, NEVER, dtype=np.int64)  # scheduled month of relocation pressure
        self.search_start = np.full(n, NEVER, dtype=np.int64)
        self.search_end = np.full(n, NEVER, dtype=np.int64)
        self.needs_choice = np.zeros(n, dtype=bool)
        self.stage = np.zeros(n, dtype=np.int8)
        self.city = np.full(n, -1, dtype=np.int16)
        self.park = np.full(n, -1, dtype=np.int16)
        self.channel = np.zeros(n, dtype=np.int8)
        self.due = np.full(n, NEVER, dtype=np.int64)
        self.known = np.zeros((n, n_cities), dtype=np.int8)  # channel code, 0 = unknown
        self.excluded = np.zeros((n, n_cities), dtype=bool)
        self.land_held = np.zeros(n)
        self.land_developed = np.zeros(n)
        self.idle_since = np.full(n, NEVER, dtype=np.int64)
        self.fee_charged = np.zeros(n, dtype=bool)
        self.in_building = np.zeros(n, dtype=bool)
        self.hoarder = np.zeros(n, dtype=bool)
        self.satisfaction = np.zeros(n)
        self.official = np.full(n, -1, dtype=np.int64)
        self.promise_broken = np.zeros(n, dtype=bool)
        self.rebate_until = np.full(n, -1, dtype=np.int64)
        self.entered = np.full(n, NEVER, dtype=np.int64)
        self.reinvested = np.zeros(n)
        self.margin = np.zeros(n)
        self.incumbents = (self.n_pool + np.arange(len(incumbents)), inc_park)

    @staticmethod
    def _incumbent_rows(world: World) -> list[tuple[int, int, int]]:
        """(origin region, sector, park) of every incumbent firm seeded in a park."""
        rows = []
        for p, pid in enumerate(world.park_ids):
            park = world.scenario.parks[pid]
            city = world.park_city[p]
            home = int(np.argmin(world.dist_km[:, city]))
            for sid, count in park.incumbents.items():
                rows += [(home, world.sector_ids.index(sid), p)] * count
        return rows

    def schedule_minded(
        self, world: World, streams: KeyedStreams, wages: np.ndarray, hazard: float, push: float
    ) -> None:
        """Draw the month each candidate becomes relocation-minded.

        The monthly hazard of region ``r`` is ``hazard / 12 * (w_r(t) / w_r(0)) ** push``; each
        firm becomes minded when the cumulative hazard passes its own Exp(1) threshold.
        """
        ids = np.arange(self.n_pool)
        rel = (wages / wages[:, :1]) ** push
        monthly = hazard / 12.0 * rel[:, :-1]
        cum = np.concatenate([np.zeros((len(rel), 1)), np.cumsum(monthly, axis=1)], axis=1)
        threshold = -np.log(streams.uniform(Purpose.MINDED, ids))
        minded = np.full(self.n_pool, NEVER, dtype=np.int64)
        for r in range(len(rel)):
            mask = self.region[: self.n_pool] == r
            month = np.searchsorted(cum[r], threshold[mask], side="left") - 1
            month = np.where(month >= cum.shape[1] - 1, NEVER, np.maximum(month, 0))
            minded[mask] = month
        self.minded[: self.n_pool] = minded

    def seed_incumbents(self, park_city: np.ndarray) -> None:
        """Place incumbent firms in their parks as operating firms at month 0."""
        ids, parks = self.incumbents
        self.stage[ids] = Stage.OPERATING
        self.park[ids] = parks
        self.city[ids] = park_city[parks]
        self.channel[ids] = Channel.INCUMBENT
        self.known[ids, park_city[parks]] = Channel.INCUMBENT
        self.entered[ids] = 0
        self.satisfaction[ids] = 0.6
        self.land_held[ids] = self.land_need[ids]
        self.land_developed[ids] = self.land_need[ids]
