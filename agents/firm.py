"""The Firm agent: a candidate investor, later perhaps a tenant of a park."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from ..model.state.codes import CHANNEL_NAMES, STAGE_NAMES

if TYPE_CHECKING:
    from ..model.model import AttractionModel


class Firm(mesa.Agent):
    """A view onto row ``index`` of the model's firm table.

    Args:
        model: The model that owns the firm table.
        index: The firm's row (its id in events and outputs).
    """

    def __init__(self, model: AttractionModel, index: int):
        super().__init__(model)
        self.index = index

    def _col(self, name: str):
        return getattr(self.model.firms, name)[self.index]

    @property
    def sector(self) -> str:
        """Sector id."""
        return self.model.world.sector_ids[self._col("sector")]

    @property
    def origin(self) -> str:
        """Origin region id."""
        return self.model.world.region_ids[self._col("region")]

    @property
    def stage(self) -> str:
        """Pipeline stage name."""
        return STAGE_NAMES[self._col("stage")]

    @property
    def channel(self) -> str:
        """Channel through which the firm learned of the city it deals with."""
        return CHANNEL_NAMES[self._col("channel")]

    @property
    def park(self) -> str | None:
        """Park id of its current deal or location (None when at home)."""
        p = int(self._col("park"))
        return self.model.world.park_ids[p] if p >= 0 else None

    @property
    def city(self) -> str | None:
        """City id of its current deal or location."""
        c = int(self._col("city"))
        return self.model.world.city_ids[c] if c >= 0 else None

    @property
    def employees(self) -> float:
        """Employees."""
        return float(self._col("employees"))

    @property
    def investment_yuan(self) -> float:
        """Fixed investment of the project (yuan)."""
        return float(self._col("investment"))

    @property
    def satisfaction(self) -> float:
        """Satisfaction (0-1) while operating."""
        return float(self._col("satisfaction"))

    @property
    def land_held_ha(self) -> float:
        """Land held (ha)."""
        return float(self._col("land_held"))

    @property
    def land_idle_ha(self) -> float:
        """Land held but not developed (ha)."""
        return float(self._col("land_held") - self._col("land_developed"))

    def __repr__(self) -> str:
        return f"Firm({self.index}, {self.sector}, {self.origin}, {self.stage}, park={self.park})"
