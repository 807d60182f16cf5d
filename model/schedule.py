"""Levers that change during a run: applying a new scenario's policy at a month boundary.

The mechanisms read levers from :class:`~zhaoshang.model.state.places.Policy` arrays, from the park
and city arrays, and from run-long argument tuples that the model keeps (``kept``). A change
(:func:`apply`) therefore copies the new values into those arrays in place, sets up the
resident offices again, and drops the kept argument tuples so that they are built again from
the new levers. What those tuples hold as run state is carried over: the resident offices'
and entrusted agents' places in their lists of firms to approach, and the park terms the month
fills. Everything else they hold is either the model's own arrays or is drawn from keyed
streams, so building it again gives the same values: a change to the values a scenario
already has leaves the run bit-identical.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..scenarios.schema import Scenario
from .mechanisms import outreach
from .state.places import ParkState, Policy

if TYPE_CHECKING:
    from .model import AttractionModel

#: Kept entries that hold run state and survive a change of levers.
_STATEFUL = ("park terms",)


def apply(m: AttractionModel, scenario: Scenario) -> None:
    """Make ``scenario`` (the model's scenario with other policy values) the model's scenario.

    Args:
        m: The model, between two months.
        scenario: The validated scenario (only schedulable values may differ; see
            ``scenarios.schedule``).
    """
    old_offices = _office_pointers(m)
    old_agents = m._kept.get("agents")
    m.spec = scenario
    m.world.scenario = scenario
    _copy_into(m.policy, Policy(m.world))
    parks = ParkState(m.world)
    for name in ("land_total", "base_price", "infrastructure"):
        getattr(m.parks, name)[...] = getattr(parks, name)
    costs, held = m.office_cost_per_month, m.conference_results
    m._setup_outreach()
    costs[...] = m.office_cost_per_month  # kept tuples hold the first array
    m.office_cost_per_month, m.conference_results = costs, held
    m._kept = {key: value for key, value in m._kept.items() if key in _STATEFUL}
    if old_offices:
        _restore_office_pointers(m, old_offices)
    if old_agents is not None:
        outreach.agent_pointers(outreach.agents_args(m))[...] = outreach.agent_pointers(old_agents)


def _copy_into(target: object, source: object) -> None:
    """Copy every array attribute of ``source`` into the same-named array of ``target``."""
    for name, value in vars(source).items():
        getattr(target, name)[...] = value


def _office_key(office: dict, seen: dict) -> tuple:
    """An office's identity across a change: city, region, sectors and how many came before."""
    base = (office["city"], office["region"], tuple(office["sectors"]))
    seen[base] = seen.get(base, -1) + 1
    return (*base, seen[base])


def _office_pointers(m: AttractionModel) -> dict[tuple, int]:
    """Each working resident office's place in its list of firms to approach."""
    kept = m._kept.get("offices")
    if kept is None:
        return {}
    pointers = outreach.office_pointers(kept)
    listed = m.active_offices if m.spec.mechanisms.outreach else []
    seen: dict = {}
    return {_office_key(o, seen): int(pointers[k]) for k, o in enumerate(listed)}


def _restore_office_pointers(m: AttractionModel, before: dict[tuple, int]) -> None:
    """Give the offices that stay in service their places from before the change."""
    pointers = outreach.office_pointers(outreach.offices_args(m))
    listed = m.active_offices if m.spec.mechanisms.outreach else []
    seen: dict = {}
    for k, office in enumerate(listed):
        pointers[k] = before.get(_office_key(office, seen), 0)
