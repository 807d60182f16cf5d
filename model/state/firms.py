"""The firm table: every firm's state as NumPy columns owned by the model.

Candidate firms are drawn once at construction from keyed random streams, so a firm's traits
depend only on the seed and its index. Incumbent firms seeded in parks are appended after the
candidate pool.
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import NamedTuple

import numpy as np
from numba import njit

from .codes import Channel, Stage
from .streams import KeyedStreams, Purpose, normal_at, uniform_at
from .world import World, real_wage_path

NEVER = np.iinfo(np.int32).max // 2
#: Sector attributes a firm's size scales, columns of the table :func:`_draw_traits` reads.
SCALED = ("employees", "investment_myuan", "land_ha", "output_myuan", "tax_share", "tech",
          "pollution", "energy")
#: The purposes of the six normal draws of every firm, in the order of ``_draw_traits``' salts
#: (the last two are purposes of their own, so adding them shifted none of the other draws).
NORMALS = (Purpose.SIZE, Purpose.TECH, Purpose.POLLUTION, Purpose.ENERGY,
           Purpose.LAND_INTENSITY, Purpose.TAX_INTENSITY)


class SizeLaw(NamedTuple):
    """Firm size relative to its sector mean: a log-normal body spliced to a Pareto tail.

    A firm's standard normal ``z`` below ``threshold`` gives the log-normal size
    ``exp(sigma z - sigma^2 / 2)``; above it, its quantile ``v`` within the tail gives the
    truncated Pareto size ``start * (1 - v (1 - (start / cap) ** alpha)) ** (-1 / alpha)``,
    which meets the body at ``start`` (a quantile transform: one draw per firm, ranks kept).
    Every size is divided by ``mean`` so the pool's mean size is 1.
    """

    sigma: float  # log-normal spread of the body
    threshold: float  # standard normal quantile where the tail starts (inf: no tail)
    tail_share: float  # share of firms in the tail
    alpha: float  # Pareto tail index
    start: float  # body size at the threshold, before normalisation
    cap: float  # largest size, before normalisation
    mean: float  # mean size of the mixture, before normalisation


def _tail_mean(start: float, cap: float, alpha: float) -> float:
    """Mean of a Pareto law of index ``alpha`` from ``start`` truncated at ``cap``."""
    if cap <= start:
        return start
    ratio = (start / cap) ** alpha
    if abs(alpha - 1.0) < 1e-9:
        integral = start * math.log(cap / start)
    else:
        integral = start**alpha * (cap ** (1 - alpha) - start ** (1 - alpha)) / (1 - alpha)
    return alpha * integral / (1 - ratio)


def size_law(sigma: float, tail_share: float, alpha: float, cap: float) -> SizeLaw:
    """The size law of ``pool.size_sigma``, ``tail_share``, ``tail_index`` and ``size_cap``.

    ``cap`` is relative to the normalised mean, so the unnormalised cap is ``cap * mean``,
    where the mean depends on the cap: a fixed point, reached in a few iterations.
    """
    half_variance = sigma**2 / 2
    if tail_share <= 0:
        return SizeLaw(sigma, math.inf, 0.0, alpha, math.inf, math.inf, 1.0)
    threshold = NormalDist().inv_cdf(1 - tail_share)
    start = math.exp(sigma * threshold - half_variance)
    body = NormalDist().cdf(threshold - sigma)  # E[size; z < threshold] of the body
    mean = 1.0
    for _ in range(100):
        raw_cap = max(cap * mean, start)
        new = body + tail_share * _tail_mean(start, raw_cap, alpha)
        if abs(new - mean) < 1e-12:
            break
        mean = new
    return SizeLaw(sigma, threshold, tail_share, alpha, start, max(cap * mean, start), mean)


@njit(cache=True, inline="always")
def _size(z: float, law: SizeLaw) -> float:
    """Normalised size of a firm whose size normal is ``z`` (see :class:`SizeLaw`)."""
    if z <= law.threshold:
        return math.exp(law.sigma * z - law.sigma * law.sigma / 2) / law.mean
    tail = 0.5 * math.erfc(z / math.sqrt(2.0))  # 1 - Phi(z), accurate far in the tail
    v = 1.0 - tail / law.tail_share  # quantile within the tail
    ratio = (law.start / law.cap) ** law.alpha
    return law.start * (1.0 - v * (1.0 - ratio)) ** (-1.0 / law.alpha) / law.mean


@njit(cache=True, inline="always")
def _spread(sigma: float, z: float) -> float:
    """Mean-one log-normal factor ``exp(sigma z - sigma^2 / 2)``."""
    return math.exp(sigma * z - sigma * sigma / 2)


def shares(weights: np.ndarray) -> np.ndarray:
    """Cumulative shares of each row of ``weights`` (the last column is 1)."""
    cum = np.cumsum(weights, axis=-1)
    return cum / cum[..., -1:]


@njit(cache=True, inline="always")
def _rank(cum: np.ndarray, u: float) -> int:
    """``np.searchsorted(cum, u, side="left")`` of a sorted array, by bisection.

    NumPy's compiled ``searchsorted`` of one value is slow.
    """
    low, high = 0, cum.size
    while low < high:
        mid = (low + high) >> 1
        if cum[mid] < u:
            low = mid + 1
        else:
            high = mid
    return low


@njit(cache=True, inline="always")
def _count(cum: np.ndarray, row: int, u: float, right: bool) -> int:
    """``np.searchsorted(cum[row], u, side)`` of a short sorted row (side right if ``right``).

    Counts the entries below ``u`` (and equal to it if ``right``): no branches to mispredict.
    """
    k = 0
    for j in range(cum.shape[1]):
        k += (cum[row, j] < u) | (right & (cum[row, j] == u))
    return k


@njit(cache=True)
def _draw_origins(
    salts: np.ndarray, region_cum: np.ndarray, sector_cum: np.ndarray,
    region: np.ndarray, sector: np.ndarray,
) -> None:
    """Origin region and sector of every candidate (``region.size`` of them), in one pass.

    A region's index is the number of cumulative shares at or below its uniform; a sector's,
    the number of its region's cumulative shares below its uniform (both capped at the last).

    Args:
        salts: The salts of the REGION and SECTOR draws.
        region_cum: Cumulative shares of the regions.
        sector_cum: Cumulative shares of the sectors, a row per region.
        region: Out: each candidate's region.
        sector: Out: each candidate's sector.
    """
    last_region, last_sector = region_cum.size - 1, sector_cum.shape[1] - 1
    region_row = region_cum.reshape(1, -1)
    for i in range(region.size):
        r = min(_count(region_row, 0, uniform_at(salts[0], i), True), last_region)
        u = uniform_at(salts[1], i)
        region[i] = r
        sector[i] = min(_count(sector_cum, r, u, False), last_sector)


@njit(cache=True)
def _draw_traits(
    salts: np.ndarray, law: SizeLaw, spreads: tuple, sector: np.ndarray,
    incumbent_scale: np.ndarray, by_sector: np.ndarray, out: tuple,
) -> None:
    """Size and the size-scaled traits of every firm, from six keyed normals each.

    Employees, investment and output scale with size; land need also with the firm's land
    intensity and taxes with its tax intensity, two independent mean-one log-normal factors,
    so tax per hectare varies within a sector.

    Args:
        salts: (6, 2) salts of the normals (see ``NORMALS``): first and second uniform.
        law: The size law (:func:`size_law`).
        spreads: Log-normal spreads of land intensity and of tax intensity.
        sector: Every firm's sector.
        incumbent_scale: Size factor of each incumbent (the firms after the pool).
        by_sector: (S, 8) sector attributes, columns as in ``SCALED``.
        out: Columns written: employees, investment, land_need, output, tax, tech,
            pollution_rate, energy_rate.
    """
    employees, investment, land_need, output, tax, tech, pollution, energy = out
    land_sigma, tax_sigma = spreads
    n_pool = sector.size - incumbent_scale.size
    for i in range(sector.size):
        a = by_sector[sector[i]]
        size = _size(normal_at(salts[0, 0], salts[0, 1], i), law)
        if i >= n_pool:
            size *= incumbent_scale[i - n_pool]
        employees[i] = a[0] * size
        investment[i] = a[1] * size * 1e6
        land_need[i] = a[2] * size * _spread(land_sigma, normal_at(salts[4, 0], salts[4, 1], i))
        output[i] = a[3] * size * 1e6
        tax[i] = a[4] * output[i] * _spread(tax_sigma, normal_at(salts[5, 0], salts[5, 1], i))
        t = a[5] + 0.15 * normal_at(salts[1, 0], salts[1, 1], i)
        tech[i] = min(max(t, 0.0), 1.0)
        pollution[i] = a[6] * math.exp(0.4 * normal_at(salts[2, 0], salts[2, 1], i) - 0.08)
        energy[i] = a[7] * math.exp(0.4 * normal_at(salts[3, 0], salts[3, 1], i) - 0.08)


@njit(cache=True)
def _minded_months(
    salt: np.uint64, region: np.ndarray, cum: np.ndarray, minded: np.ndarray
) -> None:
    """The month each candidate's cumulative hazard passes its Exp(1) threshold (or NEVER).

    Args:
        salt: The salt of the MINDED draws.
        region: Each candidate's region.
        cum: Cumulative hazard of each region at the start of each month (months + 1 columns).
        minded: Out: each candidate's month.
    """
    months = cum.shape[1] - 1
    for i in range(minded.size):
        threshold = -math.log(uniform_at(salt, i))
        month = _rank(cum[region[i]], threshold) - 1
        minded[i] = NEVER if month >= months else max(month, 0)


@njit(cache=True)
def _by_month(minded: np.ndarray, months: int) -> np.ndarray:
    """Indices of ``minded`` sorted by month, ties in index order (NEVER last): a counting sort.

    Equals ``np.argsort(minded, kind="stable")`` for months in ``[0, months)`` or NEVER.
    """
    starts = np.zeros(months + 2, dtype=np.int64)
    for month in minded:
        starts[min(month, months) + 1] += 1
    for k in range(months + 1):
        starts[k + 1] += starts[k]
    order = np.empty(minded.size, dtype=np.int64)
    for i in range(minded.size):
        k = min(minded[i], months)
        order[starts[k]] = i
        starts[k] += 1
    return order


def home_wage_path(world: World, months: int, push: bool) -> np.ndarray:
    """Monthly wage of every origin region, shape (R, months + 1), in constant 2017 yuan/month.

    Without relocation pressure (``push`` false) the wage stays at its 2017 level.
    """
    w0 = world.region_array("wage_yuan_month")
    if not push:
        return real_wage_path(w0, np.zeros_like(w0), 0.0, months)
    growth = world.region_array("wage_growth")
    return real_wage_path(w0, growth, world.scenario.world.inflation, months)


class FirmTable:
    """Columns of firm state. Index ``i`` is the firm's id everywhere in the model."""

    def __init__(self, world: World, streams: KeyedStreams):
        sc = world.scenario
        self.n_pool = sc.pool.firms
        inc_region, inc_sector, inc_park = self._incumbent_rows(world)
        n = self.n_pool + len(inc_park)
        self.n = n
        self.region = np.empty(n, dtype=np.int16)
        self.sector = np.empty(n, dtype=np.int16)
        self.region[self.n_pool :], self.sector[self.n_pool :] = inc_region, inc_sector
        origin_salts = np.array([streams.salt(Purpose.REGION), streams.salt(Purpose.SECTOR)])
        _draw_origins(origin_salts, self._region_shares(world), self._sector_shares(world),
                      self.region[: self.n_pool], self.sector[: self.n_pool])
        self.employees, self.investment, self.land_need = np.empty(n), np.empty(n), np.empty(n)
        self.output, self.tax, self.tech = np.empty(n), np.empty(n), np.empty(n)
        self.pollution_rate, self.energy_rate = np.empty(n), np.empty(n)
        pool = sc.pool
        law = size_law(pool.size_sigma, pool.tail_share, pool.tail_index, pool.size_cap)
        inc_scale = (world.park_array("incumbent_employees")[inc_park]
                     / world.sector_array("employees")[inc_sector])
        normal_salts = np.array([[streams.salt(p), streams.salt(p, 0, 7919)] for p in NORMALS])
        by_sector = np.column_stack([world.sector_array(field) for field in SCALED])
        _draw_traits(
            normal_salts, law, (float(pool.land_sigma), float(pool.tax_sigma)), self.sector,
            inc_scale, by_sector,
            (self.employees, self.investment, self.land_need, self.output, self.tax,
             self.tech, self.pollution_rate, self.energy_rate),
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
        # parks that turned the firm away for lack of land (it may still choose the others)
        self.refused = np.zeros((n, len(world.park_ids)), dtype=bool)
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
        self.incumbents = (self.n_pool + np.arange(len(inc_park)), inc_park)

    @staticmethod
    def _region_shares(world: World) -> np.ndarray:
        """Cumulative shares of the origin regions (equal shares if no region has weight)."""
        weights = world.region_array("weight")
        return shares(np.ones_like(weights) if weights.sum() <= 0 else weights)

    @staticmethod
    def _sector_shares(world: World) -> np.ndarray:
        """Cumulative shares of the sectors, a row per origin region (equal if unspecified)."""
        mix = np.ones((len(world.region_ids), len(world.sector_ids)))
        for r, rid in enumerate(world.region_ids):
            weights = world.scenario.regions[rid].sectors
            if weights:
                mix[r] = [weights.get(s, 0.0) for s in world.sector_ids]
                if mix[r].sum() <= 0:
                    mix[r] = 1.0
        return shares(mix)

    @staticmethod
    def _incumbent_rows(world: World) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Origin region, sector and park of every incumbent firm seeded in a park."""
        groups = []  # (region, sector, park, count) of each park's incumbents of one sector
        for p, pid in enumerate(world.park_ids):
            home = int(np.argmin(world.dist_km[:, world.park_city[p]]))
            for sid, count in world.scenario.parks[pid].incumbents.items():
                groups.append((home, world.sector_ids.index(sid), p, count))
        table = np.array(groups, dtype=np.int64).reshape(-1, 4)
        return tuple(np.repeat(table[:, k], table[:, 3]) for k in range(3))

    def schedule_minded(
        self, streams: KeyedStreams, wages: np.ndarray, hazard: float, push: float
    ) -> np.ndarray:
        """Draw the month each candidate becomes relocation-minded.

        The monthly hazard of region ``r`` is ``hazard / 12 * (w_r(t) / w_r(0)) ** push``; each
        firm becomes minded when the cumulative hazard passes its own Exp(1) threshold.

        Returns:
            The candidates in the order they become minded (ties by id, never-minded last).
        """
        rel = (wages / wages[:, :1]) ** push
        monthly = hazard / 12.0 * rel[:, :-1]
        cum = np.concatenate([np.zeros((len(rel), 1)), np.cumsum(monthly, axis=1)], axis=1)
        minded = self.minded[: self.n_pool]
        _minded_months(streams.salt(Purpose.MINDED), self.region[: self.n_pool], cum, minded)
        return _by_month(minded, cum.shape[1] - 1)

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
