"""Policy schedules: levers that change at a month boundary during a run.

A scenario's ``[[schedule]]`` entries (and ``AttractionModel.set_policy`` from Python) change
one value from a given month on::

    [[schedule]]
    month = "2019-01"        # a calendar month YYYY-MM, or an integer: months from the start
    path = "governments.ruzhou.service.quality"
    value = 0.9

Only policy values may change mid-run (:func:`schedulable`): the levers of a government (its
``incentives``, ``service``, ``rent_seeking``, ``staff``, ``selectivity``, ``land``,
``outreach``, ``entrusted`` and ``partnership`` tables, and ``governance`` apart from the
investors' prior belief) and a park's ``land_ha``, ``land_price_yuan_m2`` and
``infrastructure``. The pool, the world, the sectors, regions, cities and parks themselves,
behaviour and mechanisms are the structure of a run and are fixed.

A changed value is checked as every field is: the scenario with the value applied is validated
again (so every range and rule of the schema holds for scheduled values too).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pydantic import ValidationError

from .errors import ScenarioError, describe_validation
from .schema import (
    Entrusted,
    Governance,
    Incentives,
    LandPolicy,
    Outreach,
    Partnership,
    RentSeeking,
    Scenario,
    Selectivity,
    Service,
    Staff,
    month_index,
)

#: The tables of a government whose fields may change mid-run, and those fields.
GOVERNMENT_LEVERS: dict[str, tuple[str, ...]] = {
    name: tuple(table.model_fields)
    for name, table in {
        "incentives": Incentives,
        "service": Service,
        "rent_seeking": RentSeeking,
        "staff": Staff,
        "selectivity": Selectivity,
        "land": LandPolicy,
        "outreach": Outreach,
        "entrusted": Entrusted,
        "partnership": Partnership,
    }.items()
}
# The investors' prior belief is where credibility starts, not a lever.
GOVERNMENT_LEVERS["governance"] = tuple(
    f for f in Governance.model_fields if f not in ("credibility_prior", "credibility_weight")
)
#: The fields of a park that may change mid-run.
PARK_LEVERS = ("land_ha", "land_price_yuan_m2", "infrastructure")


def schedulable(scenario: Scenario, path: str) -> str | None:
    """What is wrong with changing ``path`` mid-run in ``scenario``, or None if it may change.

    Args:
        scenario: The scenario (its governments and parks are the ids allowed).
        path: A dotted path such as ``governments.ruzhou.service.quality``.
    """
    keys = path.split(".")
    if keys[0] == "governments" and len(keys) == 4:
        _, city, table, field = keys
        if city not in scenario.governments:
            return f"no government {city!r}; governments: {', '.join(scenario.governments)}"
        if table not in GOVERNMENT_LEVERS:
            return (
                f"{table!r} cannot change during a run; a government's tables that can: "
                f"{', '.join(GOVERNMENT_LEVERS)}"
            )
        if field not in GOVERNMENT_LEVERS[table]:
            return f"{field!r} cannot change during a run; fields of {table} that can: " + (
                ", ".join(GOVERNMENT_LEVERS[table])
            )
        return None
    if keys[0] == "parks" and len(keys) == 3:
        _, park, field = keys
        if park not in scenario.parks:
            return f"no park {park!r}; parks: {', '.join(scenario.parks)}"
        if field not in PARK_LEVERS:
            return f"{field!r} cannot change during a run; a park's fields that can: " + (
                ", ".join(PARK_LEVERS)
            )
        return None
    return (
        f"{path!r} cannot change during a run: only governments.<id>.<table>.<field> (a "
        "government's levers) and parks.<id>.<field> (a park's land, price, infrastructure)"
    )


def month_of(scenario: Scenario, month: int | str) -> int:
    """Months from the start of the run of a schedule entry's ``month`` (an int or YYYY-MM).

    Raises:
        ValueError: If a text is not a month written YYYY-MM.
    """
    if isinstance(month, int):
        return month
    year, number = month_index(month)
    start_year, start_month = month_index(scenario.time.start)
    return (year - start_year) * 12 + (number - start_month)


def with_values(scenario: Scenario, changes: Mapping[str, Any], source: str = "") -> Scenario:
    """``scenario`` with the values at the dotted paths of ``changes``, validated again.

    Raises:
        ScenarioError: Naming ``source``, the field path and what is allowed.
    """
    from .loader import overridden

    for path in changes:
        problem = schedulable(scenario, path)
        if problem:
            raise ScenarioError(problem, source or None, path)
    data = overridden(scenario.model_dump(mode="python", exclude={"schedule"}), changes)
    data["schedule"] = [entry.model_dump() for entry in scenario.schedule]
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise describe_validation(exc, Scenario, None, source) from None


def by_month(scenario: Scenario) -> dict[int, dict[str, Any]]:
    """The scenario's schedule as the changes of each month (later entries win)."""
    out: dict[int, dict[str, Any]] = {}
    for entry in scenario.schedule:
        out.setdefault(month_of(scenario, entry.month), {})[entry.path] = entry.value
    return dict(sorted(out.items()))


def problems(scenario: Scenario) -> Iterator[tuple[str, str]]:
    """Yield (field path, message) for every schedule entry that cannot be applied.

    Each entry's month must fall within the run, its path must be a lever
    (:func:`schedulable`), and the scenario with every change up to and including it applied
    must validate.
    """
    applied: dict[str, Any] = {}
    order = []
    for i, entry in enumerate(scenario.schedule):
        where = f"schedule[{i}]"
        try:
            month = month_of(scenario, entry.month)
        except ValueError as exc:
            yield f"{where}.month", str(exc)
            continue
        if not 0 <= month < scenario.time.months:
            yield f"{where}.month", (
                f"{entry.month!r} is month {month} of the run; the run has months 0 to "
                f"{scenario.time.months - 1} (from {scenario.time.start})"
            )
            continue
        problem = schedulable(scenario, entry.path)
        if problem:
            yield f"{where}.path", problem
            continue
        order.append((month, i, entry))
    for _, i, entry in sorted(order, key=lambda item: item[:2]):
        before = dict(applied)
        applied[entry.path] = entry.value
        try:
            with_values(scenario, applied)
        except ScenarioError as exc:
            yield f"schedule[{i}].value", exc.message.lstrip(": ")
            applied = before
