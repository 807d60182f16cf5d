"""The levers a team sets each round, what they cost, and how a submission is checked.

A team governs one city. Each round it sets the levers below for that city; the model applies
them from the round's first month (``AttractionModel.set_policy``). Running the city's
attraction effort costs money every month: resident offices and entrusted agents at the
scenario's own monthly costs, and service quality and staff professionalism at the rates
below. A share of the incentives the city paid in the last round (land discounts, rebates,
subsidies) comes out of this round's budget (the rest is paid from the general account and
shows in the net fiscal balance), so generous incentives that attract many firms squeeze the
next round's effort. A submission whose running costs exceed what is left is
refused; a city can always run at no cost (no offices, no agents, service and staff at 0).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from ...scenarios.errors import ScenarioError
from ...scenarios.schedule import with_values
from ...scenarios.schema import Scenario

#: Monthly budget of a city's attraction effort (yuan; assumption chosen so that the
#: scenario's own levers fit with room to choose).
BUDGET_YUAN_MONTH = 2_500_000.0
#: Share of last round's incentives charged to this round's budget (assumption).
INCENTIVE_CHARGE = 0.05
#: Monthly cost of service quality 1.0 (one-stop approval, aftercare staff), yuan (assumption).
SERVICE_YUAN_MONTH = 800_000.0
#: Monthly cost of staff professionalism 1.0 (training, hiring specialists), yuan (assumption).
STAFF_YUAN_MONTH = 500_000.0


class Lever(NamedTuple):
    """One lever of a team's city.

    Attributes:
        key: The name in a submission (also the glossary key ``classroom.lever.<key>``).
        path: Dotted path below ``governments.<city>``.
        kind: ``"share"`` (0-1), ``"count"`` (whole number), ``"yuan"`` or ``"switch"``.
        low: Smallest value allowed in the game.
        high: Largest value allowed in the game.
        step: Step of the page's control.
    """

    key: str
    path: str
    kind: str
    low: float
    high: float
    step: float


LEVERS = (
    Lever("land_discount", "incentives.land_discount", "share", 0.0, 1.0, 0.05),
    Lever("tax_rebate", "incentives.tax_rebate", "share", 0.0, 1.0, 0.05),
    Lever("subsidy_per_job", "incentives.subsidy_per_job_yuan", "yuan", 0.0, 20_000.0, 500.0),
    Lever("service_quality", "service.quality", "share", 0.0, 1.0, 0.05),
    Lever("professionalism", "staff.professionalism", "share", 0.0, 1.0, 0.05),
    Lever("offices", "outreach.office_count", "count", 0, 12, 1),
    Lever("agents", "entrusted.count", "count", 0, 20, 1),
    Lever("selective", "selectivity.enabled", "switch", 0, 1, 1),
    Lever("enforcement", "land.enforcement", "switch", 0, 1, 1),
)
BY_KEY = {lever.key: lever for lever in LEVERS}


def current(scenario: Scenario, city: str) -> dict[str, Any]:
    """The levers of ``city`` as the scenario sets them (a team's first-round values)."""
    gov = scenario.governments[city]
    out: dict[str, Any] = {}
    for lever in LEVERS:
        table, field = lever.path.split(".")
        value = getattr(getattr(gov, table), field)
        if lever.key == "offices" and value is None:
            value = sum(1 for o in scenario.offices.values() if o.government == city)
        out[lever.key] = value
    return out


def running_cost(scenario: Scenario, city: str, levers: Mapping[str, Any], months: int) -> float:
    """What ``levers`` cost ``city`` to run for ``months`` months (yuan)."""
    out = scenario.governments[city]
    monthly = (
        levers["offices"] * out.outreach.office_cost_yuan_month
        + levers["agents"] * out.entrusted.retainer_yuan_month
        + levers["service_quality"] * SERVICE_YUAN_MONTH
        + levers["professionalism"] * STAFF_YUAN_MONTH
    )
    return float(monthly * months)


def budget(months: int, incentives_paid: float) -> float:
    """Money left for running costs this round: the budget less last round's incentives."""
    return max(0.0, BUDGET_YUAN_MONTH * months - INCENTIVE_CHARGE * incentives_paid)


def check(
    scenario: Scenario, city: str, submitted: Any, months: int, incentives_paid: float
) -> dict[str, Any]:
    """A submission as levers, or :class:`ScenarioError` saying what is wrong with it.

    Args:
        scenario: The game's scenario.
        city: The team's city.
        submitted: The decoded JSON of the submission: an object with every lever's key.
        months: Months of the round.
        incentives_paid: What the city paid in incentives last round (yuan).

    Raises:
        ScenarioError: Naming the lever and what is allowed (an unknown or missing lever, a
            value of the wrong kind or out of range, the budget overrun).
    """
    if not isinstance(submitted, Mapping):
        raise ScenarioError("a submission is an object of levers", "submission")
    unknown = sorted(set(submitted) - set(BY_KEY))
    missing = [key for key in BY_KEY if key not in submitted]
    if unknown or missing:
        raise ScenarioError(
            f"unknown levers {unknown}, missing levers {missing}; the levers are "
            f"{', '.join(BY_KEY)}", "submission",
        )
    levers: dict[str, Any] = {}
    for lever in LEVERS:
        value = submitted[lever.key]
        if lever.kind == "switch":
            if not isinstance(value, bool):
                raise ScenarioError(f"must be true or false (got {value!r})", "submission",
                                    lever.key)
        else:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ScenarioError(f"must be a number (got {value!r})", "submission", lever.key)
            if lever.kind == "count":
                if value != int(value):
                    raise ScenarioError(f"must be a whole number (got {value!r})", "submission",
                                        lever.key)
                value = int(value)
            if not lever.low <= value <= lever.high:
                raise ScenarioError(
                    f"must be between {lever.low:g} and {lever.high:g} (got {value!r})",
                    "submission", lever.key,
                )
        levers[lever.key] = value
    with_values(scenario, as_paths(city, levers), "submission")  # every rule of the schema
    cost, allowed = running_cost(scenario, city, levers, months), budget(months, incentives_paid)
    if cost > allowed:
        raise ScenarioError(
            f"these levers cost {cost / 1e6:.2f} million yuan this round and the budget left is "
            f"{allowed / 1e6:.2f} million (after {INCENTIVE_CHARGE:.0%} of the "
            f"{incentives_paid / 1e6:.2f} million of incentives paid last round): fewer offices "
            "or agents, or lower service or staff",
            "submission", "budget",
        )
    return levers


def as_paths(city: str, levers: Mapping[str, Any]) -> dict[str, Any]:
    """Levers as dotted scenario paths of ``city`` (what ``set_policy`` takes)."""
    return {f"governments.{city}.{BY_KEY[key].path}": value for key, value in levers.items()}
