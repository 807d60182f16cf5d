"""The model as the page builds it: simple keyword parameters for Mesa's controls.

Mesa's SolaraViz re-creates the model on reset by calling its class with the values of the
controls as keywords, so this subclass takes the scenario name, the seed, one keyword per ill
and reform and one per lever, and builds the scenario from them (see :mod:`.levers`). The
model itself is unchanged; the subclass only records what the page shows as it steps.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..model import AttractionModel
from .levers import (
    LEVERS,
    Settings,
    available_toggles,
    resolve_settings,
    same,
)
from .trace import Trace


def settings_from(
    scenario_name: str,
    seed: int,
    base_overrides: Iterable[str],
    switches: dict[str, bool],
    levers: dict[str, Any],
    slider_start: Iterable[tuple[str, Any]] = (),
) -> Settings:
    """Turn the page's control values into :class:`Settings`.

    A lever applies when it has a value and, if ``slider_start`` records where its slider
    started, when it was moved from there. A toggle applies when switched on and its library
    file exists.
    """
    start = dict(slider_start)
    known = {t.param: t.library_name for t in available_toggles()}
    toggles = tuple(known[p] for p, on in switches.items() if on and p in known)
    moved = tuple(
        (lever.name, levers[lever.name])
        for lever in LEVERS
        if levers.get(lever.name) is not None
        and not (lever.name in start and same(levers[lever.name], start[lever.name]))
    )
    return Settings(scenario_name, int(seed), tuple(base_overrides), toggles, moved)


class TeachingModel(AttractionModel):
    """An :class:`AttractionModel` built from the page's controls.

    Args:
        scenario_name: Library name (or path) of the scenario.
        seed: The model's seed.
        base_overrides: ``path=VALUE`` overrides applied to every run of the page (from the
            command line's ``--set``), the reference run included.
        slider_start: (lever, value) pairs where the sliders started; a lever equal to its
            start leaves the scenario's value alone. Empty: every lever given applies.
        draw: Record firm positions for the map each month.
        ill_turnover_default: Switch on ``ills/turnover-default`` (and so on for each ill and
            reform: ``ill_<name>`` and ``reform_<name>``).
        office_count: Lever values (None: as the scenario sets them); see :data:`.levers.LEVERS`.
    """

    def __init__(
        self,
        scenario_name: str = "ruzhou-2017",
        seed: int = 1,
        *,
        base_overrides: tuple[str, ...] = (),
        slider_start: tuple[tuple[str, Any], ...] = (),
        draw: bool = True,
        ill_turnover_default: bool = False,
        ill_no_aftercare: bool = False,
        ill_rent_seeking: bool = False,
        ill_weak_competition: bool = False,
        ill_lax_land: bool = False,
        reform_proactive: bool = False,
        reform_mutual_benefit: bool = False,
        reform_service: bool = False,
        reform_professional: bool = False,
        reform_selective: bool = False,
        office_count: int | None = None,
        land_discount: float | None = None,
        tax_rebate: float | None = None,
        service_quality: float | None = None,
        selectivity: bool | None = None,
        max_pollution: float | None = None,
        min_tech: float | None = None,
        land_enforcement: bool | None = None,
        tenure_years: float | None = None,
        honour_probability: float | None = None,
    ):
        switches = {
            "ill_turnover_default": ill_turnover_default,
            "ill_no_aftercare": ill_no_aftercare,
            "ill_rent_seeking": ill_rent_seeking,
            "ill_weak_competition": ill_weak_competition,
            "ill_lax_land": ill_lax_land,
            "reform_proactive": reform_proactive,
            "reform_mutual_benefit": reform_mutual_benefit,
            "reform_service": reform_service,
            "reform_professional": reform_professional,
            "reform_selective": reform_selective,
        }
        levers = {
            "office_count": office_count,
            "land_discount": land_discount,
            "tax_rebate": tax_rebate,
            "service_quality": service_quality,
            "selectivity": selectivity,
            "max_pollution": max_pollution,
            "min_tech": min_tech,
            "land_enforcement": land_enforcement,
            "tenure_years": tenure_years,
            "honour_probability": honour_probability,
        }
        self.settings = settings_from(
            scenario_name, seed, base_overrides, switches, levers, slider_start
        )
        resolved = resolve_settings(self.settings)
        super().__init__(resolved.scenario, rng=self.settings.seed, firm_agents=False)
        self.lever_sources = resolved.sources
        self.problem = resolved.problem
        self.trace = Trace(draw=draw)
        self.trace.start(self)

    #: The trace records each month as it is simulated.
    observes_each_month = True

    def step(self) -> None:
        """Simulate one month and record what the page shows of it."""
        super().step()
        self.trace.record(self)
