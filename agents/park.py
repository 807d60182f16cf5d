"""The Park agent: a specialised industrial park of a destination city."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

if TYPE_CHECKING:
    from ..model.model import AttractionModel


class Park(mesa.Agent):
    """A view onto row ``index`` of the model's park arrays.

    Args:
        model: The model.
        index: Row of the park.
    """

    def __init__(self, model: AttractionModel, index: int):
        super().__init__(model)
        self.index = index
        self.park_id = model.world.park_ids[index]
        self.spec = model.spec.parks[self.park_id]
        self.city = self.spec.government

    @property
    def land_total_ha(self) -> float:
        """Industrial land area (ha)."""
        return float(self.model.parks.land_total[self.index])

    @property
    def land_allocated_ha(self) -> float:
        """Land allocated to firms (ha)."""
        return float(self.model.parks.land_allocated[self.index])

    @property
    def land_idle_ha(self) -> float:
        """Allocated land left undeveloped (ha)."""
        return float(self.model.idle_land_by_park()[self.index])

    @property
    def buildings_free(self) -> int:
        """Standard factory buildings still free."""
        return int(self.model.parks.buildings_free[self.index])

    @property
    def tenants_by_sector(self) -> dict[str, int]:
        """Operating firms by sector id."""
        row = self.model.parks.tenants[self.index]
        return {s: int(n) for s, n in zip(self.model.world.sector_ids, row, strict=True) if n}

    def __repr__(self) -> str:
        tenants = int(self.model.parks.tenants[self.index].sum())
        return f"Park({self.park_id}, {self.city}, tenants={tenants})"
