"""The Government agent: a destination city's government with its levers and accounts."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

if TYPE_CHECKING:
    from ..model.model import AttractionModel


class Government(mesa.Agent):
    """A view onto row ``index`` of the model's city arrays.

    Args:
        model: The model.
        index: Row of the city.
    """

    def __init__(self, model: AttractionModel, index: int):
        super().__init__(model)
        self.index = index
        self.city_id = model.world.city_ids[index]
        self.spec = model.spec.governments[self.city_id]

    @property
    def credibility(self) -> float:
        """Investors' belief that the city keeps its promises (0-1)."""
        return float(self.model.cities.credibility[self.index])

    @property
    def official(self) -> int:
        """Id of the current leader."""
        return int(self.model.cities.official[self.index])

    @property
    def tax_revenue_yuan(self) -> float:
        """Taxes collected so far (yuan)."""
        return float(self.model.cities.tax[self.index])

    @property
    def incentive_spending_yuan(self) -> float:
        """Incentives paid so far (yuan)."""
        return float(self.model.cities.incentives[self.index])

    @property
    def net_fiscal_yuan(self) -> float:
        """Taxes and fees less incentives and outreach costs so far (yuan)."""
        return float(self.model.cities.net_fiscal[self.index])

    def __repr__(self) -> str:
        return f"Government({self.city_id}, credibility={self.credibility:.2f})"
