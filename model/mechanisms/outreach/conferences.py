"""Promotion conferences: invitees come on a date and may declare an intention at once.

Conferences contact and inform (``m.inform``) one conference at a time, in Python. A
roadshow invites firms of its origin region and sectors (and the focus sectors of the park
it promotes). The city's own conference (``kind = "city"``, 市情说明暨招商推介会) invites
firms of every region afresh and also the searching firms its channels are already talking
to (请进来), and ends in the collective signing ceremony of :func:`projects.ceremony`.

How many invitees are leads (already looking for a site) is ``invitees *
conference_lead_share`` rounded down or up at random (keyed by conference and month) so
that its mean is exact: a small change of the share makes a small change on average, with
no step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ...state.codes import Channel, Stage
from ...state.streams import Purpose, uniform_at
from .. import projects
from .common import channel_contacts, group_lookup

if TYPE_CHECKING:
    from ...model import AttractionModel


def reach(
    m: AttractionModel,
    city: int,
    key: tuple,
    regions: list[int] | None,
    sectors: list[int] | None,
    k: int,
    n_lead: int,
    channel: Channel,
) -> np.ndarray:
    """Contact ``k`` firms for a city: ``n_lead`` leads, the rest in priority order.

    Args:
        m: The model.
        city: City index.
        key: The channel's key for its pointer in the city's directory.
        regions: The channel's regions (all when None).
        sectors: The channel's sectors (all when None or empty).
        k: Number of contacts.
        n_lead: How many of them are leads (see :func:`channel_contacts`).
        channel: The channel, by which they learn of the city.

    Returns:
        The contacted firms.
    """
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    f = m.firms
    directory = m.directory(city)
    ids, directory.pointers[key] = channel_contacts(
        m.searchers(), group_lookup(m, regions, sectors), directory.group,
        n_lead, directory.priority, directory.ordering(regions, sectors),
        directory.pointers.get(key, 0), k, city, f.known, f.stage, f.excluded, 0,
    )
    m.inform(ids, city, channel)
    return ids


def conferences(m: AttractionModel) -> None:
    """Promotion conferences held this month bring invitees, who may declare intentions."""
    from ..choice import choose

    if not m.spec.mechanisms.outreach:
        return
    for conf in m.conferences_by_month.get(m.month, []):
        city = conf["city"]
        if not m.policy.proactive[city]:
            continue
        if not m.spec.governments[m.world.city_ids[city]].outreach.conferences:
            continue
        k = conf["invitees"]
        salt = m.streams.salt(Purpose.CONFERENCE_LEAD, m.month, conf["index"])
        n_lead = projects.stochastic_round(
            k * m.spec.behaviour.conference_lead_share, uniform_at(salt, np.uint64(0))
        )
        regions = None if conf["region"] is None else [conf["region"]]
        ids = reach(
            m, city, ("conference", conf["id"]), regions, conf["sectors"], k, n_lead,
            Channel.CONFERENCE,
        )
        if conf["kind"] == "city":
            ids = np.union1d(ids, _in_contact(m, city, conf["sectors"]))
        m.cities.outreach_cost[city] += m.policy.conference_cost[city]
        deciding = ids[m.searching(ids) & m.firms.needs_choice[ids]]
        m.firms.needs_choice[deciding] = False
        choose(m, deciding, direct_city=city)
        declared = (m.firms.stage[deciding] == Stage.NEGOTIATING) & (m.firms.city[deciding] == city)
        result = {
            "date": m.world.date(m.month),
            "kind": conf["kind"],
            "attendees": len(ids),
            "leads": n_lead,
            "guests": max(conf["guests"], len(ids)),
            "intentions": int(declared.sum()),
        }
        if conf["kind"] == "city":
            result.update(projects.ceremony(m, city, deciding[declared]))
        m.conference_results[conf["id"]] = result


def _in_contact(m: AttractionModel, city: int, sectors: list[int]) -> np.ndarray:
    """Searching firms that know ``city`` and deal with no city yet (of ``sectors``, or all)."""
    f = m.firms
    ids = m.searchers()
    ids = ids[(f.known[ids, city] > 0) & ~f.excluded[ids, city]]
    if sectors:
        ids = ids[np.isin(f.sector[ids], sectors)]
    f.needs_choice[ids] = True
    return ids
