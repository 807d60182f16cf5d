"""Entrusted agents: contacts with firms anywhere, paid on results or by a retainer.

One compiled call a month (:func:`agents_step`), its arguments built once per run
(:func:`agents_args`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numba import njit

from ...plain import plain
from ...state.codes import Channel, Stage
from ...state.events import Ledger, lacks_room
from ...state.selection import Activity
from ...state.selection import searchers as _searchers
from ..awareness import Learners, learn, learners
from .common import (
    AGENT_LEADS,
    channel_contacts,
    city_pitch,
    due,
    lead_salts,
    leads_due,
    pitch_rule,
    trigger_salts,
)

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
    lead_salt: np.uint64,
    rule: tuple[float, int],
    learners: tuple,
    activity: tuple,
    ledger: tuple,
) -> None:
    """This month's contacts of each city's entrusted agents, who learn of the city at once.

    City by city, the agents contact the month's due firms (:func:`channel_contacts`, leads of any
    group first, their number rounded stochastically by ``common.leads_due``) from the
    searchers of that moment, and those learn of the city.

    Args:
        cities: The cities whose agents work, ascending.
        terms: The fields of :class:`AgentTerms`.
        plan: The fields of the agents' :class:`AgentPlan`; their pointers are advanced.
        priority: Each city's priority of every candidate (:attr:`Directories.priority`).
        month: The month.
        excluded: The ``excluded`` column.
        salts: Each city's salt of pitch draws (purpose TRIGGER, this month).
        lead_salt: Salt of this month's lead-count draws of the agents (keyed by city).
        rule: Pitch trigger probability and search months.
        learners: Fields of :class:`Learners`.
        activity: Fields of :class:`~zhaoshang.model.state.selection.Activity`.
        ledger: Fields of :class:`~zhaoshang.model.state.events.Ledger`, with room for every
            contact.
    """
    t, a = AgentTerms(*terms), AgentPlan(*plan)
    rate, lead_share = t.rate, t.lead_share
    ranked, pointers, everyone, group = a.ranked, a.pointers, a.everyone, a.group
    f, act, log = Learners(*learners), Activity(*activity), Ledger(*ledger)
    for c in cities:
        k = due(rate[c], month)
        if k <= 0:
            continue
        searchers = _searchers(
            act.order[: act.count[0]], f.stage, f.search_start, f.search_end, month, _AWARE
        )
        n_lead = leads_due(k * lead_share[c], lead_salt, c)
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

    A compiled month (:mod:`zhaoshang.model.month` says what it takes and returns); ``args``
    holds the fields of :class:`AgentsArgs` (:func:`agents_args`). It returns 0, or the events
    it needs room for (the most contacts of a month) if the log lacks it.
    """
    a = AgentsArgs(*args)
    if a.cities.size == 0:
        return 0
    if lacks_room(Ledger(*ledger), a.most_contacts):
        return a.most_contacts
    _contact_by_agents(
        a.cities, a.terms, a.plan, a.priority, month, a.excluded, a.salts[month],
        a.lead_salts[month, AGENT_LEADS], a.rule, a.learners, activity, ledger,
    )
    for c in range(a.spending.size):
        if a.retained[c]:
            a.spending[c] += a.retainers[c]
    return 0


class AgentPlan(NamedTuple):
    """The entrusted agents of some cities as arrays for :func:`_contact_by_agents`."""

    ranked: np.ndarray  # each city's candidates by priority (one row per city; rows of cities
    #   without agents undefined)
    pointers: np.ndarray  # each city's agents' pointer in its row of ``ranked`` (advanced)
    everyone: np.ndarray  # a lookup of every group
    group: np.ndarray  # each candidate's group


class AgentTerms(NamedTuple):
    """How much each city's agents do each month."""

    rate: np.ndarray  # monthly contacts, by city
    lead_share: np.ndarray  # share of them spent on leads, by city


class AgentsArgs(NamedTuple):
    """What :func:`agents_step` reads and writes, for the whole run."""

    cities: np.ndarray  # the cities whose agents work, ascending (none when outreach is off)
    terms: tuple  # the fields of AgentTerms
    plan: tuple  # the fields of AgentPlan
    priority: np.ndarray  # each city's priority of every candidate (``Directories.priority``)
    excluded: np.ndarray  # firm column (n, C)
    salts: np.ndarray  # of pitch draws by month and city (purpose TRIGGER)
    lead_salts: np.ndarray  # of lead-count draws by month and channel (``common.lead_salts``)
    rule: tuple  # the fields of ``common.PitchRule``
    learners: tuple  # the fields of ``awareness.Learners``
    most_contacts: int  # an upper bound on the contacts of a month
    retained: np.ndarray  # whether each city pays its agents a retainer
    retainers: np.ndarray  # the monthly retainers of each city's agents
    spending: np.ndarray  # each city's outreach spending (added to)


def agent_plan(m: AttractionModel, cities: np.ndarray) -> AgentPlan:
    """The entrusted agents of ``cities`` (their directories are built here)."""
    n_cities = len(m.world.city_ids)
    ranked = np.empty((n_cities, m.firms.n_pool), dtype=np.int64)
    for city in cities.tolist():
        ranked[city] = m.directory(city).ordering(None, None)
    return AgentPlan(
        ranked=ranked,
        pointers=np.zeros(n_cities, dtype=np.int64),
        everyone=np.ones(len(m.world.region_ids) * len(m.world.sector_ids), dtype=bool),
        group=m.directories.group,
    )


def agent_pointers(args: tuple) -> np.ndarray:
    """Each city's agents' pointer, from the plain :class:`AgentsArgs` of a run."""
    return AgentPlan(*AgentsArgs(*args).plan).pointers


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
    return plain(AgentsArgs(
        cities=cities, terms=AgentTerms(rate=rate, lead_share=b.agent_lead_share * effort),
        plan=agent_plan(m, cities), priority=m.directories.priority, excluded=m.firms.excluded,
        salts=trigger_salts(m), lead_salts=lead_salts(m), rule=pitch_rule(m),
        learners=learners(m), most_contacts=int(np.ceil(rate[cities]).sum()),
        retained=hired & ~pol.pay_on_results,
        retainers=pol.agents * pol.retainer, spending=m.cities.outreach_cost,
    ))
