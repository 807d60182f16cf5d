"""Static arrays built once from a scenario: sectors, regions, cities, parks, distances."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...scenarios.schema import Scenario, month_index

EARTH_KM = 6371.0
ROAD_FACTOR = 1.25  # road distance over great-circle distance (assumption)


def great_circle_km(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Great-circle distance in km between points given in degrees (broadcasting)."""
    lon1, lat1, lon2, lat2 = map(np.radians, (lon1, lat1, lon2, lat2))
    a = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_KM * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def real_wage_path(
    wage0: np.ndarray, growth: np.ndarray, inflation: float, months: int
) -> np.ndarray:
    """Monthly wages in constant 2017 yuan, shape (len(wage0), months + 1).

    One price basis: output, taxes, land prices and incentives are in constant 2017 yuan, so
    nominal wage growth is deflated by consumer price inflation,
    ``w(t) = w0 * ((1 + growth) / (1 + inflation)) ** (t / 12)``.

    Args:
        wage0: Monthly wage of each place in 2017.
        growth: Annual nominal wage growth of each place (or 0 for flat wages).
        inflation: Annual consumer price inflation (``world.inflation``).
        months: Months of the run.
    """
    real = (1.0 + np.asarray(growth, float)) / (1.0 + inflation)
    t = np.arange(months + 1)[None, :] / 12.0
    return np.asarray(wage0, float)[:, None] * np.asarray(real)[..., None] ** t


@dataclass
class World:
    """Everything about the environment that does not change during a run."""

    scenario: Scenario
    sector_ids: list[str]
    region_ids: list[str]
    city_ids: list[str]
    park_ids: list[str]
    io: np.ndarray  # (S, S): io[s, t] = strength with which sector s buys from sector t
    park_city: np.ndarray  # (P,)
    park_fit: np.ndarray  # (P, S) 1 where the park's focus includes the sector
    dist_km: np.ndarray  # (R, C) origin region to destination city
    start_year: int
    start_month: int
    focus: int

    @classmethod
    def build(cls, scenario: Scenario) -> World:
        """Index every collection of the scenario and precompute its arrays."""
        sectors = list(scenario.sectors)
        regions = list(scenario.regions)
        cities = list(scenario.governments)
        parks = list(scenario.parks)
        s_index = {s: i for i, s in enumerate(sectors)}
        io = np.zeros((len(sectors), len(sectors)))
        for s, spec in scenario.sectors.items():
            for t, weight in spec.suppliers.items():
                io[s_index[s], s_index[t]] = weight
        park_city = np.array([cities.index(scenario.parks[p].government) for p in parks])
        fit = np.zeros((len(parks), len(sectors)))
        for j, p in enumerate(parks):
            for s in scenario.parks[p].sectors:
                fit[j, s_index[s]] = 1.0
        r_lon = np.array([scenario.regions[r].lon for r in regions])[:, None]
        r_lat = np.array([scenario.regions[r].lat for r in regions])[:, None]
        c_lon = np.array([scenario.governments[c].lon for c in cities])[None, :]
        c_lat = np.array([scenario.governments[c].lat for c in cities])[None, :]
        dist = great_circle_km(r_lon, r_lat, c_lon, c_lat) * ROAD_FACTOR
        year, month = month_index(scenario.time.start)
        return cls(
            scenario=scenario,
            sector_ids=sectors,
            region_ids=regions,
            city_ids=cities,
            park_ids=parks,
            io=io,
            park_city=park_city,
            park_fit=fit,
            dist_km=dist,
            start_year=year,
            start_month=month,
            focus=cities.index(scenario.focus),
        )

    def sector_array(self, field: str) -> np.ndarray:
        """One attribute of every sector, in sector order."""
        return np.array([getattr(self.scenario.sectors[s], field) for s in self.sector_ids], float)

    def region_array(self, field: str) -> np.ndarray:
        """One attribute of every origin region, in region order."""
        return np.array([getattr(self.scenario.regions[r], field) for r in self.region_ids], float)

    def city_array(self, getter) -> np.ndarray:
        """One attribute of every government, via ``getter(spec)``, in city order."""
        return np.array([getter(self.scenario.governments[c]) for c in self.city_ids], float)

    def park_array(self, field: str) -> np.ndarray:
        """One attribute of every park, in park order."""
        return np.array([getattr(self.scenario.parks[p], field) for p in self.park_ids], float)

    def date(self, month: int) -> str:
        """Calendar month ``YYYY-MM`` of simulated month ``month`` (0 = the start)."""
        total = self.start_year * 12 + self.start_month - 1 + month
        return f"{total // 12:04d}-{total % 12 + 1:02d}"

    def month_of(self, text: str) -> int:
        """Simulated month index of a calendar month ``YYYY-MM``."""
        year, month = month_index(text)
        return (year - self.start_year) * 12 + (month - self.start_month)
