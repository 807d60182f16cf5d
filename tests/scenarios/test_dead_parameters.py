"""No parameter of the schema is dead: moving any field changes what a run gives.

The fields are enumerated from the schema itself (``schema_fields``: every leaf field, with
``*`` for the entries of a table), so a new field that nothing reads fails this test without
anyone having to list it. Each field is moved, in one entry of its table, to another valid
value, and a small world is run with the same seed with and without the move.

Null hypothesis of each case: the run with the field moved gives exactly the same outputs (the
KPI dictionary and every event of the log) as the run without; a dead field keeps the null
and fails. One run of 2,000 candidate firms over 60 months per field, seed 11.

Exceptions are explicit: descriptive metadata (names, titles: read by people, never by the
model), the schedule (a list of changes of other fields, each checked here; its reading is
tested in ``tests/model/test_schedule.py``), and fields that act only in another setting
(``CONTEXT``: the switch or scenario where they act).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from functools import cache
from typing import Any, Literal, get_args, get_origin

import pytest

from zhaoshang import AttractionModel
from zhaoshang.experiments.analysis.levers import schema_fields
from zhaoshang.scenarios import Scenario, ScenarioError, load_scenario
from zhaoshang.scenarios.fields import value_at

SEED = 11
BASE = "ruzhou-2017"
#: The small world: selectivity and agents on, so that their fields have something to act on.
SMALL = {
    "pool.firms": 2000,
    "time.months": 60,
    "governments.ruzhou.selectivity.enabled": True,
    "governments.ruzhou.entrusted.count": 2,
}

#: Read by people only (names and titles), never by the model.
DESCRIPTIVE = {
    "title",
    "title_zh",
    "description",
    "source",
    "extends",
    "sectors.*.name",
    "sectors.*.name_zh",
    "regions.*.name",
    "regions.*.name_zh",
    "governments.*.name",
    "governments.*.name_zh",
    "parks.*.name",
    "parks.*.name_zh",
    "conferences.*.place",
    "conferences.*.place_zh",
    "programme.name",
    "programme.name_zh",
}
#: A list of changes of other fields (each checked here); tests/model/test_schedule.py
#: checks that the changes are applied.
STRUCTURAL = {"schedule"}

#: Fields that act only in another setting: (scenario, overrides) where they do.
CONTEXT: dict[str, tuple[str, dict[str, Any]]] = {
    # The proportional (Polya urn) choice and the birth-death urn.
    "world.urn_weight": (BASE, {"world.choice": "proportional"}),
    "world.urn_increment": (BASE, {"world.choice": "proportional"}),
    "parks.*.urn_weight": (BASE, {"world.choice": "proportional"}),
    "world.dynamics": ("validation/birth-death", {"pool.firms": 3000}),
    "world.population": ("validation/birth-death", {"pool.firms": 3000}),
    "world.replacements_per_month": ("validation/birth-death", {"pool.firms": 3000}),
    # Informal fees: their effects on conversion and satisfaction need a fee to act on.
    "behaviour.rent_effect": (BASE, {**SMALL, "governments.ruzhou.rent_seeking.fee_share": 0.05}),
    "behaviour.satisfaction_fees": (
        BASE,
        {**SMALL, "governments.ruzhou.rent_seeking.fee_share": 0.05},
    ),
    # Technology screened only above a minimum score.
    "sectors.*.tech": (BASE, {**SMALL, "governments.ruzhou.selectivity.min_tech": 0.35}),
    # Incumbents' size needs incumbents in the park moved (the first park has none).
    "parks.*.incumbent_employees": (
        BASE,
        {**SMALL, "parks.embroidery.incumbents": {"embroidery": 20}},
    ),
    # Leaders turn over about every 3.5 years: ten years see several turnovers.
    "governments.*.governance.tenure_years": (BASE, {**SMALL, "time.months": 120}),
    # Agents paid a retainer rather than on results.
    "governments.*.entrusted.retainer_yuan_month": (
        BASE,
        {**SMALL, "governments.ruzhou.entrusted.pay_on_results": False},
    ),
    "behaviour.retainer_effort": (
        BASE,
        {**SMALL, "governments.ruzhou.entrusted.pay_on_results": False},
    ),
    # Passive inquiries: in the small world the entrusted agents reach the searchers first.
    "governments.*.outreach.visibility": (BASE, {"pool.firms": 2000, "time.months": 60}),
    # Performance-linked rebates: only then does a hoarder forfeit its rebate.
    "behaviour.linked_hoarding": (
        BASE,
        {**SMALL, "governments.ruzhou.incentives.performance_linked": True},
    ),
    # Case-by-case packages reach the cap only when rivals bid high.
    "governments.*.major_projects.incentive_cap_yuan": (
        BASE,
        {**SMALL, "behaviour.rival_offer_share": 0.5},
    ),
    # Merit's reserve acts when a park nears full: a small embroidery park.
    "governments.*.land.merit_reserve": (BASE, {**SMALL, "parks.embroidery.land_ha": 20.0}),
    "governments.*.land.merit_tax_per_ha_myuan": (
        BASE,
        {**SMALL, "parks.embroidery.land_ha": 20.0},
    ),
    # Leadership time needs major projects searching: a larger pool.
    "governments.*.major_projects.leadership_visits_month": (
        BASE,
        {**SMALL, "pool.firms": 8000},
    ),
    # A transfer programme's targets.
    **{
        f"programme.{name}": ("hebei-52111", {"pool.firms": 2000, "time.months": 60})
        for name in (
            "cities",
            "origins",
            "highlands",
            "target_results",
            "target_share",
            "deadline",
        )
    },
}

#: The entry of a table moved where the first entry of the focus government cannot be (the
#: embroidery park is promoted by conferences, so it cannot change hands alone).
ENTRY = {"parks.*.government": "new_energy"}

#: Values a field is moved to where the generic moves stay below a floor of the model's (the
#: visitors of a conference count at least its attending firms).
MOVE_TO = {"conferences.*.guests": 500}

#: Values for fields whose default is ``None`` (no number to move from).
FROM_NONE = {
    "supply_chain.cap": 0.3,
    "governments.*.outreach.office_count": 2,
    "parks.*.urn_weight": 5.0,
    "conferences.*.park": "auto_equipment",
}


def _setting(path: str) -> tuple[str, dict[str, Any]]:
    return CONTEXT.get(path, (BASE, SMALL))


@cache
def _scenario(name: str, overrides: str) -> Scenario:
    return load_scenario(name, json.loads(overrides))


def _entry(scenario: Scenario, path: str) -> str:
    """A concrete path of a generic one: the first entry of the focus government's."""
    head, _, rest = path.partition(".*.")
    if not rest:
        return path
    items = getattr(scenario, head)
    if head == "governments":
        key = scenario.focus
    else:
        owned = [k for k, v in items.items() if getattr(v, "government", scenario.focus)
                 == scenario.focus]  # fmt: skip
        key = ENTRY.get(path, owned[0])
    return f"{head}.{key}.{rest}"


def _bounds(info) -> tuple[float, float]:
    lo, hi = -math.inf, math.inf
    for item in info.metadata:
        for name in ("ge", "gt"):
            if getattr(item, name, None) is not None:
                lo = max(lo, getattr(item, name))
        for name in ("le", "lt"):
            if getattr(item, name, None) is not None:
                hi = min(hi, getattr(item, name))
    return lo, hi


def _moves(scenario: Scenario, path: str, generic: str, info) -> list[dict[str, Any]]:
    """Candidate moves of a field (overrides), the first valid one is used.

    A conference changes hands with the park it promotes (a park of the new government), as
    the schema requires the two to agree.
    """
    moves = [{path: v} for v in _moved(scenario, path, generic, info)]
    if generic == "conferences.*.government":
        parks = scenario.parks
        for move in moves:
            owned = [k for k, park in parks.items() if park.government == move[path]]
            move[path.rsplit(".", 1)[0] + ".park"] = owned[0]
    return moves


def _moved(scenario: Scenario, path: str, generic: str, info) -> list[Any]:
    """Candidate values for a field, other than its current one."""
    value = value_at(scenario, path)
    return [v for v in _candidates(scenario, path, generic, info, value) if v != value]


def _candidates(scenario: Scenario, path: str, generic: str, info, value: Any) -> list[Any]:
    annotation = info.annotation
    if generic in MOVE_TO:
        return [MOVE_TO[generic]]
    if value is None:
        return [FROM_NONE[generic]]
    if isinstance(value, bool):
        return [not value]
    if get_origin(annotation) is Literal:
        return [v for v in get_args(annotation) if v != value]
    if isinstance(value, int | float):
        lo, hi = _bounds(info)
        raw = [value * 1.5, value * 0.5, value + 1, value - 1, (lo + hi) / 2]
        raw = [v for v in raw if math.isfinite(v)]
        if isinstance(value, int):
            raw = [round(v) for v in raw]
        return [v for v in raw if v != value and lo <= v <= hi]
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}", value):
        year, month = map(int, value.split("-"))
        return [f"{year}-{month % 12 + 1:02d}", f"{year - 1}-{month:02d}"]
    ids = {
        "government": "governments", "region": "regions", "focus": "governments", "park": "parks"
    }
    if isinstance(value, str) and path.rsplit(".", 1)[-1] in ids:  # another id of its kind
        return list(getattr(scenario, ids[path.rsplit(".", 1)[-1]]))
    sectors = list(scenario.sectors)
    if isinstance(value, list):
        pool = sectors if not generic.endswith(("cities", "origins")) else (
            list(scenario.governments) if generic.endswith("cities") else list(scenario.regions)
        )  # fmt: skip
        return [value[:-1], [s for s in pool if s not in value][:1] + value]
    if isinstance(value, dict) and value and isinstance(next(iter(value.values())), list):
        first = next(iter(value))
        return [{k: v for k, v in value.items() if k != first}]
    if isinstance(value, dict):  # weights or counts by sector: the first one moved, or one more
        first = {k: (v + 1 if isinstance(v, int) else v * 0.5) for k, v in list(value.items())[:1]}
        extra = [s for s in sectors if s not in value][:1]
        return [{**value, **first}, {**value, **{s: 1 for s in extra}}]
    raise AssertionError(
        f"{generic}: no way to move a value {value!r}; extend _candidates, or add the field "
        "to DESCRIPTIVE if only people read it"
    )


def _fingerprint(scenario: Scenario) -> str:
    """Digest of a run's outputs: the KPI dictionary and every column of the event log."""
    model = AttractionModel(scenario, rng=SEED, firm_agents=False, collect=False)
    model.run_for(model.horizon)
    digest = hashlib.sha256(json.dumps(model.kpis(), sort_keys=True, default=float).encode())
    for name, column in sorted(model.event_log.columns().items()):
        digest.update(name.encode())
        digest.update(column.tobytes())
    return digest.hexdigest()


@cache
def _base_fingerprint(name: str, overrides: str) -> str:
    return _fingerprint(_scenario(name, overrides))


FIELDS = [(path, info) for path, info in schema_fields() if path not in DESCRIPTIVE | STRUCTURAL]


def _case(path: str, info) -> Any:
    return pytest.param(path, info, id=path)


@pytest.mark.parametrize(("generic", "info"), [_case(p, i) for p, i in FIELDS])
def test_moving_the_field_changes_the_run(generic, info):
    """Null: the run with the field moved equals the run without (rejected for a live field)."""
    name, overrides = _setting(generic)
    key = json.dumps(overrides, sort_keys=True)
    base = _scenario(name, key)
    path = _entry(base, generic)
    problems = []
    for move in _moves(base, path, generic, info):
        try:
            moved = load_scenario(name, {**overrides, **move})
        except ScenarioError as exc:
            problems.append(f"{move!r}: {exc}")
            continue
        assert _fingerprint(moved) != _base_fingerprint(name, key), (
            f"{move} (from {value_at(base, path)!r}) changes nothing in {name}: "
            "a dead parameter; make the model read it, remove it, or (descriptive only) add "
            "it to DESCRIPTIVE"
        )
        return
    pytest.fail(f"{path}: no valid moved value: {problems}")


def test_every_field_is_checked_or_excepted():
    """The exceptions name real fields (a renamed field cannot hide in a stale list)."""
    paths = {p for p, _ in schema_fields()}
    stale = (
        DESCRIPTIVE | STRUCTURAL | set(CONTEXT) | set(MOVE_TO) | set(FROM_NONE) | set(ENTRY)
    ) - paths
    assert not stale, f"exceptions name no field of the schema: {sorted(stale)}"
