"""Promotion conferences: invitees come on a date and may declare an intention at once.

Conferences contact and inform (``m.inform``) one conference at a time, in Python.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ...state.codes import Channel, Stage
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
    lead_share: float,
    channel: Channel,
) -> np.ndarray:
    """Contact ``k`` firms for a city: a share of leads, the rest in priority order.

    Args:
        m: The model.
        city: City index.
        key: The channel's key for its pointer in the city's directory.
        regions: The channel's regions (all when None).
        sectors: The channel's sectors (all when None or empty).
        k: Number of contacts.
        lead_share: Share of them spent on leads (see :func:`channel_contacts`).
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
        round(k * lead_share), directory.priority, directory.ordering(regions, sectors),
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
        ids = reach(
            m,
            city,
            ("conference", conf["id"]),
            [conf["region"]],
            conf["sectors"],
            conf["invitees"],
            m.spec.behaviour.conference_lead_share,
            Channel.CONFERENCE,
        )
        m.cities.outreach_cost[city] += m.policy.conference_cost[city]
        deciding = ids[m.searching(ids) & m.firms.needs_choice[ids]]
        m.firms.needs_choice[deciding] = False
        choose(m, deciding, direct_city=city)
        declared = (m.firms.stage[deciding] == Stage.NEGOTIATING) & (m.firms.city[deciding] == city)
        m.conference_results[conf["id"]] = {
            "date": m.world.date(m.month),
            "attendees": len(ids),
            "intentions": int(declared.sum()),
        }
