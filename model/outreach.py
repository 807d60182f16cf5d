"""Outreach channels: how firms learn of a destination city.

Resident offices visit firms of their region and target sectors; promotion conferences bring
invitees on a date; satisfied tenants refer partners along supply-chain and home-region ties;
entrusted agents contact firms anywhere; and searching firms learn of cities unprompted at
each city's visibility (less so the stronger the information frictions). A proactive channel
visits a firm that is already looking for a site with a probability that grows with the
staff's targeting skill, and may prompt one that was not to consider moving.

Each city approaches firms in a fixed order of keyed priority, so more effort reaches a
superset of the same firms.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .codes import Channel, Stage
from .streams import Purpose

if TYPE_CHECKING:
    from .model import AttractionModel


class Directory:
    """Candidate firms of one city's outreach, ordered by (region, sector, priority)."""

    def __init__(self, m: AttractionModel, city: int):
        f = m.firms
        n = f.n_pool
        self.priority = m.streams.uniform(Purpose.PRIORITY, np.arange(n), 0, city)
        n_sectors = len(m.world.sector_ids)
        group = f.region[:n].astype(np.int64) * n_sectors + f.sector[:n]
        self.order = np.lexsort((self.priority, group))
        self.bounds = np.searchsorted(
            group[self.order], np.arange(len(m.world.region_ids) * n_sectors + 1)
        )
        self.n_sectors = n_sectors
        self.pointers: dict[tuple, int] = {}
        self.orders: dict[tuple, np.ndarray] = {}

    def ordering(self, regions: list[int] | None, sectors: list[int] | None) -> np.ndarray:
        """Firms of the given regions and sectors (all when None), by priority."""
        key = (tuple(regions) if regions is not None else None, tuple(sectors) if sectors else None)
        if key not in self.orders:
            if regions is None and not sectors:
                ids = self.order
            else:
                regs = regions if regions is not None else range(len(self.bounds) // self.n_sectors)
                secs = sectors or range(self.n_sectors)
                parts = [
                    self.order[
                        self.bounds[r * self.n_sectors + s] : self.bounds[
                            r * self.n_sectors + s + 1
                        ]
                    ]
                    for r in regs
                    for s in secs
                ]
                ids = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
            self.orders[key] = ids[np.argsort(self.priority[ids], kind="stable")]
        return self.orders[key]

    def next_firms(
        self, m: AttractionModel, city: int, key: tuple, ids: np.ndarray, k: int
    ) -> np.ndarray:
        """The next ``k`` contactable firms of an ordering, advancing its pointer."""
        start = self.pointers.get(key, 0)
        taken = np.zeros(0, dtype=np.int64)
        window = 4 * k + 16
        while len(taken) < k and start < len(ids):
            chunk = ids[start : start + window]
            ok = contactable(m, chunk, city)
            need = k - len(taken)
            hits = np.flatnonzero(ok)[:need]
            taken = np.concatenate([taken, chunk[hits]])
            start += int(hits[-1]) + 1 if len(hits) == need else len(chunk)
            window *= 2
        self.pointers[key] = start
        return taken


def contactable(m: AttractionModel, ids: np.ndarray, city: int) -> np.ndarray:
    """Firms that a city can still approach: not yet known to it, not in any deal."""
    f = m.firms
    return (f.known[ids, city] == 0) & (f.stage[ids] <= Stage.AWARE) & ~f.excluded[ids, city]


def leads(
    m: AttractionModel, city: int, regions, sectors, k: int, directory: Directory
) -> np.ndarray:
    """Up to ``k`` firms already looking for a site, in the given regions and sectors."""
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    f = m.firms
    s = m.searchers()
    s = s[(s < f.n_pool) & contactable(m, s, city)]
    if regions is not None:
        s = s[np.isin(f.region[s], regions)]
    if sectors:
        s = s[np.isin(f.sector[s], sectors)]
    return s[np.argsort(directory.priority[s], kind="stable")[:k]]


def due_count(rate: float, month: int) -> int:
    """Whole contacts due this month at a fractional monthly rate (carried over)."""
    return int(np.floor((month + 1) * rate) - np.floor(month * rate))


def reach(
    m: AttractionModel,
    city: int,
    key: tuple,
    regions,
    sectors,
    k: int,
    lead_share: float,
    channel: Channel,
) -> np.ndarray:
    """Contact ``k`` firms for a city: a share of leads, the rest in priority order."""
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    directory = m.directory(city)
    n_lead = round(k * lead_share)
    hot = leads(m, city, regions, sectors, n_lead, directory)
    cold = directory.next_firms(m, city, key, directory.ordering(regions, sectors), k - len(hot))
    ids = np.concatenate([hot, cold])
    m.inform(ids, city, channel)
    return ids


def offices(m: AttractionModel) -> None:
    """Resident offices visit firms of their region and target sectors.

    The month's leads (searching firms a city can still approach) are found once per city
    and sorted by the city's priority; each office then takes the first of them in its
    region and sectors, and fills its remaining visits in its own priority order.
    """
    if not m.active_offices:
        return
    b = m.spec.behaviour
    f = m.firms
    n_sectors = len(m.world.sector_ids)
    hot_by_city: dict[int, np.ndarray] = {}
    visited: dict[int, list[np.ndarray]] = {}
    for k, office in enumerate(m.active_offices):
        city = office["city"]
        visits = due_count(office["visits"], m.month)
        if visits <= 0:
            continue
        directory = m.directory(city)
        if city not in hot_by_city:
            s = m.searchers()
            s = s[(s < f.n_pool) & contactable(m, s, city)]
            hot_by_city[city] = s[np.argsort(directory.priority[s], kind="stable")]
        s = hot_by_city[city]
        s = s[office["lookup"][f.region[s] * n_sectors + f.sector[s]]]
        s = s[f.known[s, city] == 0]
        n_lead = round(visits * b.lead_targeting * m.policy.professionalism[city])
        hot = s[:n_lead]
        f.known[hot, city] = Channel.OFFICE  # taken: other offices skip it this month
        cold = directory.next_firms(
            m, city, ("office", k), directory.ordering([office["region"]], office["sectors"]),
            visits - len(hot),
        )
        f.known[cold, city] = Channel.OFFICE
        visited.setdefault(city, []).extend((hot, cold))
    for city, parts in visited.items():
        m.inform(np.concatenate(parts), city, Channel.OFFICE)
    m.cities.outreach_cost += m.office_cost_per_month


def conferences(m: AttractionModel) -> None:
    """Promotion conferences held this month bring invitees, who may declare intentions."""
    from .choice import choose

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


def agents(m: AttractionModel) -> None:
    """Entrusted agents contact firms anywhere; paid on results they look for real leads."""
    b = m.spec.behaviour
    for city in np.flatnonzero(m.policy.agents > 0):
        if not m.policy.proactive[city]:
            continue
        effort = 1.0 if m.policy.pay_on_results[city] else b.retainer_effort
        rate = m.policy.agents[city] * m.policy.agent_contacts[city] * effort
        lead_share = b.agent_lead_share * effort
        reach(m, city, ("agents",), None, None, due_count(rate, m.month), lead_share, Channel.AGENT)
        if not m.policy.pay_on_results[city]:
            m.cities.outreach_cost[city] += m.policy.agents[city] * m.policy.retainer[city]


def passive(m: AttractionModel) -> None:
    """Searching firms learn of cities unprompted, at visibility tempered by frictions."""
    s = m.searchers()
    if len(s) == 0:
        return
    friction = m.spec.world.information_friction
    p = 1.0 - friction * (1.0 - m.policy.visibility)
    n_cities = len(p)
    u = m.streams.uniform(Purpose.PASSIVE, s[:, None], m.month, np.arange(n_cities)[None, :])
    f = m.firms
    learn = (
        (u < p[None, :]) & (f.known[s] == 0) & ~f.excluded[s] & (f.stage[s] <= Stage.AWARE)[:, None]
    )
    for city in np.flatnonzero(learn.any(axis=0)):
        m.inform(s[learn[:, city]], city, Channel.PASSIVE)


def referrals(m: AttractionModel, referrers: np.ndarray) -> None:
    """Satisfied tenants bring partners: same home region, own or supply-chain sectors.

    Each referrer names one partner: a firm of its home region, in its own sector or a sector
    linked to it by the input-output matrix (drawn in proportion to the link weights), picked
    at random within that group. A partner who already knows the city or is busy with a deal
    adds nothing, so referrals saturate as a region's network is used up.
    """
    f = m.firms
    referrers = referrers[m.policy.referrals[f.city[referrers]]]
    if len(referrers) == 0:
        return
    sc = m.spec.supply_chain
    io = m.world.io
    weights = sc.suppliers * io + sc.customers * io.T + max(sc.same_sector, 1e-9) * np.eye(len(io))
    cum = np.cumsum(weights, axis=1)
    cum /= cum[:, -1:]
    u = m.streams.uniform(Purpose.REFERRAL_TARGET, referrers, m.month)
    target = np.minimum((u[:, None] > cum[f.sector[referrers]]).sum(axis=1), len(io) - 1)
    group = f.region[referrers].astype(np.int64) * len(io) + target
    pick = m.streams.uniform(Purpose.REFERRAL_PARTNER, referrers, m.month)
    cities = f.city[referrers]
    for city in np.unique(cities).tolist():
        mine = cities == city
        directory = m.directory(city)
        lo, hi = directory.bounds[group[mine]], directory.bounds[group[mine] + 1]
        has = hi > lo
        partner = directory.order[(lo + np.floor(pick[mine] * (hi - lo)).astype(np.int64))[has]]
        partner = np.unique(partner[contactable(m, partner, city)])
        m.inform(partner, city, Channel.REFERRAL)
