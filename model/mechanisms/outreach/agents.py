"""Entrusted agents: contacts with firms anywhere, paid on results or by a retainer.

One compiled call a month (:func:`agents_step`), its arguments built once per run
(:func:`agents_args`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numba import njit

from ...state.codes import Channel, Stage
from ...state.events import Ledger, lacks_room
from ...state.selection import Activity
from ...state.selection import searchers as _searchers
from ..awareness import Learners, learn
from .common import channel_contacts, city_pitch, due, pitch_rule, trigger_salts

if TYPE_CHECKING:
    from ...model import AttractionModel

# plain ints, so that kernels see compile-time constants
_AWARE = int(Stage.AWARE)
_AGENT = int(Channel.AGENT)


@njit(cache=True)
def _contact_by_agents(
    cities: np.ndarray,
    terms: tuple,
    plan: tuple,
    priority: np.ndarray,
    month: int,
    excluded: np.ndarray,
    salts: np.ndarray,
    rule: tuple[float, int],
    learners: tuple,
    activity: tuple,
    ledger: tuple,
) -> None:
    """This month's contacts of each city's entrusted agents, who learn of the city at once.

    City by city, the agents contact the month's due firms (:func:`channel_contacts`, leads of any
    group first) from the searchers of that moment, and those learn of the city.

    Args:
        cities: The cities whose agents work, ascending.
        terms: Each city's monthly contact rate and share of leads.
        plan: Fields of the agents (:attr:`Agents.fields`); their pointers are advanced.
        priority: Each city's priority of every candidate (:attr:`Directories.priority`).
        month: The month.
        excluded: The ``excluded`` column.
        salts: Each city's salt of pitch draws (purpose TRIGGER, this month).
        rule: Pitch trigger probability and search months.
        learners: Fields of :class:`Learners`.
        activity: Fields of :class:`~zhaoshang.model.selection.Activity`.
        ledger: Fields of :class:`~zhaoshang.model.events.Ledger`, with room for every
            contact.
    """
    rate, lead_share = terms
    ranked, pointers, everyone, group = plan
    f, act, log = Learners(*learners), Activity(*activity), Ledger(*ledger)
    for c in cities:
        k = due(rate[c], month)
        if k <= 0:
            continue
        searchers = _searchers(
            act.order[: act.count[0]], f.stage, f.search_start, f.search_end, month, _AWARE
        )
        n_lead = np.int64(np.rint(k * lead_share[c]))
        ids, pointers[c] = channel_contacts(
            searchers, everyone, group, n_lead, priority[c], ranked[c], pointers[c], k, c,
            f.known, f.stage, excluded, 0,
        )
        learn(ids, c, _AGENT, f, city_pitch(month, salts[c], rule), act, log)


@njit(cache=True)
def agents_step(month: int, args: tuple, activity: tuple, ledger: tuple) -> int:
    """This month's contacts of the entrusted agents, then their retainers.

    The contacts are those of :func:`_contact_by_agents`; cities that do not pay their agents
    on results pay them a retainer.

    Args:
        month: The month.
        args: Built by :func:`agents_args`: the cities whose agents work (ascending; none
            when outreach is off), each city's monthly contact rate and share of leads, the
            fields of the agents (:attr:`Agents.fields`; their pointers are advanced), each
            city's priority of every candidate, the ``excluded`` column, the salts of pitch
            draws by month and city (purpose TRIGGER), the pitch rule, the fields of
            :class:`Learners`, the most contacts of a month, whether each city pays its agents
            a retainer, the monthly retainers of each city's agents and each city's outreach
            spending (added to).
        activity: Fields of :class:`~zhaoshang.model.selection.Activity`.
        ledger: Fields of :class:`~zhaoshang.model.events.Ledger`.

    Returns:
        0, or the events it needs room for (the most contacts of a month) if the log lacks it.
    """
    (cities, terms, plan, priority, excluded, salts, rule, learners, most_contacts, retained,
     retainers, spending) = args
    if cities.size == 0:
        return 0
    if lacks_room(Ledger(*ledger), most_contacts):
        return most_contacts
    _contact_by_agents(
        cities, terms, plan, priority, month, excluded, salts[month], rule, learners, activity,
        ledger,
    )
    for c in range(spending.size):
        if retained[c]:
            spending[c] += retainers[c]
    return 0


class Agents:
    """The entrusted agents of some cities as arrays for :func:`_contact_by_agents`.

    Args:
        m: The model.
        cities: The cities whose agents work.

    Attributes:
        fields: Each city's candidates by priority (``Directory.ordering(None, None)``, one
            row per city, rows of other cities than ``cities`` undefined), each city's agents'
            pointer in it, a lookup of every group and each candidate's group.
    """

    def __init__(self, m: AttractionModel, cities: np.ndarray):
        n_cities = len(m.world.city_ids)
        ranked = np.empty((n_cities, m.firms.n_pool), dtype=np.int64)
        for city in cities.tolist():
            ranked[city] = m.directory(city).ordering(None, None)
        pointers = np.zeros(n_cities, dtype=np.int64)
        everyone = np.ones(len(m.world.region_ids) * len(m.world.sector_ids), dtype=bool)
        self.fields = (ranked, pointers, everyone, m.directories.group)


def agents_args(m: AttractionModel) -> tuple:
    """What :func:`agents_step` reads and writes, built once per run (see its ``args``).

    The directories of the cities with agents are built here.
    """
    return m.kept("agents", lambda: _agents_args(m))


def _agents_args(m: AttractionModel) -> tuple:
    """:func:`agents_args`, built."""
    pol, b = m.policy, m.spec.behaviour
    hired = (pol.agents > 0) & pol.proactive & bool(m.spec.mechanisms.outreach)
    effort = np.where(pol.pay_on_results, 1.0, b.retainer_effort)
    rate = pol.agents * pol.agent_contacts * effort
    cities = np.flatnonzero(hired)
    return (
        cities, (rate, b.agent_lead_share * effort), Agents(m, cities).fields,
        m.directories.priority, m.firms.excluded, trigger_salts(m), pitch_rule(m),
        m._learners, int(np.ceil(rate[cities]).sum()), hired & ~pol.pay_on_results,
        pol.agents * pol.retainer, m.cities.outreach_cost,
    )
