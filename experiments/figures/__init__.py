"""Report-ready figures. Each function takes data and returns a matplotlib Figure.

The style lives in one place (:mod:`.style`): a colour-blind-safe palette (Okabe-Ito), units
and dates on the axes, and a source line naming the scenario and seed. :mod:`.kinds` names
every figure drawable from a saved results folder (``zhaoshang plot --kind``).
"""

from .flows import entry_flows, flow_map
from .folder import ResultsFolder
from .forest import forest
from .funnel import FUNNEL_STAGES, funnel, funnel_counts
from .kinds import KINDS, available, draw
from .land import land, land_from_firms
from .parks import firms_by_park, firms_by_sector, network, sector_mix, supply_graph
from .sensitivity import convergence, morris, sensitivity_indices
from .series import KEY_SERIES, SERIES, fiscal, kpi_series
from .style import FORMATS, PALETTE, save, source_line, style

__all__ = [
    "FORMATS",
    "FUNNEL_STAGES",
    "KEY_SERIES",
    "KINDS",
    "PALETTE",
    "SERIES",
    "ResultsFolder",
    "available",
    "convergence",
    "draw",
    "entry_flows",
    "firms_by_park",
    "firms_by_sector",
    "fiscal",
    "flow_map",
    "forest",
    "funnel",
    "funnel_counts",
    "kpi_series",
    "land",
    "land_from_firms",
    "morris",
    "network",
    "save",
    "sector_mix",
    "sensitivity_indices",
    "source_line",
    "style",
    "supply_graph",
]
