"""Key performance indicators of a run: totals for the focus city and breakdowns.

Flows (contacts, inspections, ...) are counted from the event log, so every total can be
traced back to the transitions behind it; stocks (operating firms, jobs, land) are read from
the state at the end of the run. One compiled pass over the log counts the flows of every
breakdown (focus city, channel, sector, park, city) at once.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
from numba import njit

from ..mechanisms import projects
from ..mechanisms.supply_chain import supplier_customer_links
from ..state.codes import CHANNEL_NAMES, Cause, Channel, Stage
from ..state.events import FIELDS
from .clusters import coagglomeration, eg_by_sector, focus_shares, segments

if TYPE_CHECKING:
    from ..model import AttractionModel

FLOWS = {
    "contacts": Stage.AWARE,
    "inspections": Stage.INSPECTING,
    "intentions": Stage.NEGOTIATING,
    "framework_agreements": Stage.FRAMEWORK,
    "contracts": Stage.CONTRACT,
    "construction_starts": Stage.CONSTRUCTION,
    "entries": Stage.OPERATING,
    "exits": Stage.EXITED,
    "rejections": Stage.REJECTED,
}


def _clean(value: float) -> float | None:
    """JSON-safe float (NaN becomes None)."""
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


#: Column of each stage in a table of flow counts (-1: not a flow); the last column counts
#: contracts signed straight from negotiation (without a framework agreement).
_COLUMN = np.full(len(Stage), -1, dtype=np.int64)
_COLUMN[list(FLOWS.values())] = np.arange(len(FLOWS))
_DIRECT = len(FLOWS)
_SEEDED, _BROKEN = int(Cause.SEEDED), int(Cause.PROMISE_BROKEN)
_CONTRACT, _NEGOTIATING, _AWARE = int(Stage.CONTRACT), int(Stage.NEGOTIATING), int(Stage.AWARE)
_REFERRAL, _STAYED_HOME = int(Channel.REFERRAL), int(Cause.STAYED_HOME)
_ALL_MONTHS = (-(2**62), 2**62)


@njit(cache=True, inline="always")
def _flow_column(to: int, before: int, cause: int, column: np.ndarray) -> tuple[int, bool]:
    """Where an event (to stage ``to`` from ``before``) counts in a row of flow counts.

    Returns:
        Its column (-1 if it is no flow) and whether it is a contract signed straight from
        negotiation (counted in the last column).
    """
    col = column[to] if 0 <= to < column.size else -1
    # Seeded incumbents and broken promises are events but not transitions of the funnel.
    if cause == _SEEDED or cause == _BROKEN:
        col = -1
    return col, to == _CONTRACT and before == _NEGOTIATING


@njit(cache=True, inline="always")
def _tally(rows: np.ndarray, group: int, col: int, direct: bool) -> None:
    """Count one event into row ``group`` of a table of flow counts."""
    if col >= 0:
        rows[group, col] += 1
    if direct:
        rows[group, _DIRECT] += 1


@njit(cache=True)
def _masked_flows(
    to_stage: np.ndarray,
    from_stage: np.ndarray,
    cause: np.ndarray,
    mask: np.ndarray,
    column: np.ndarray,
) -> np.ndarray:
    """Flow counts (one row, see ``_COLUMN``) of the events selected by ``mask``."""
    rows = np.zeros((1, column.size + 1), dtype=np.int64)
    for e in range(mask.size):
        if mask[e]:
            col, direct = _flow_column(to_stage[e], from_stage[e], cause[e], column)
            _tally(rows, 0, col, direct)
    return rows[0]


@njit(cache=True)
def _breakdown_flows(
    month: np.ndarray,
    firm: np.ndarray,
    from_stage: np.ndarray,
    to_stage: np.ndarray,
    park: np.ndarray,
    city: np.ndarray,
    channel: np.ndarray,
    cause: np.ndarray,
    firm_sector: np.ndarray,
    first: int,
    last: int,
    focus: int,
    column: np.ndarray,
    rows: np.ndarray,
    offsets: tuple[int, int, int, int],
) -> tuple[int, int]:
    """Flow counts of every breakdown, in one pass over the events of months [first, last).

    Args:
        month: Event columns (see ``EventLog``), as are the arguments up to cause.
        firm: Firm.
        from_stage: Stage before.
        to_stage: Stage after.
        park: Park (-1 for none).
        city: City (-1 for none).
        channel: Channel code.
        cause: Cause code.
        firm_sector: Sector of every firm.
        first: First month counted.
        last: Month after the last one counted.
        focus: The focus city.
        column: Column of each stage (``_COLUMN``).
        rows: Zeroed table (groups, flows + 1) receiving the counts: row 0 the focus city,
            then the focus city by channel code, by sector, and all cities by park and by city.
        offsets: First row of the channels, sectors, parks and cities.

    Returns:
        Referral contacts of the focus city, and firms that stayed home.
    """
    by_channel, by_sector, by_park, by_city = offsets
    referrals = stayed_home = 0
    for e in range(month.size):
        if month[e] < first or month[e] >= last:
            continue
        col, direct = _flow_column(to_stage[e], from_stage[e], cause[e], column)
        stayed_home += cause[e] == _STAYED_HOME
        if city[e] == focus:
            _tally(rows, 0, col, direct)
            _tally(rows, by_channel + channel[e], col, direct)
            _tally(rows, by_sector + firm_sector[firm[e]], col, direct)
            referrals += to_stage[e] == _AWARE and channel[e] == _REFERRAL
        if park[e] >= 0:
            _tally(rows, by_park + park[e], col, direct)
        if city[e] >= 0:
            _tally(rows, by_city + city[e], col, direct)
    return referrals, stayed_home


def _counts(row: np.ndarray) -> dict[str, int]:
    """A row of flow counts as a dictionary, with ``signed`` (framework or direct contract)."""
    values = row.tolist()
    counts = dict(zip(FLOWS, values[:_DIRECT], strict=True))
    counts["signed"] = counts["framework_agreements"] + values[_DIRECT]
    return counts


def flow_counts(ev: dict[str, np.ndarray], mask: np.ndarray) -> dict[str, int]:
    """Count transitions of each kind among the events selected by ``mask``."""
    return _counts(
        _masked_flows(ev["to_stage"], ev["from_stage"], ev["cause"], np.asarray(mask), _COLUMN)
    )


def contracts_by_channel_sector(
    ev: dict[str, np.ndarray],
    firm_sector: np.ndarray,
    focus: int,
    months: tuple[int, int],
    sector_ids: list[str],
) -> dict[str, dict[str, int]]:
    """Construction contracts signed with the focus city, by channel and by the firm's sector.

    The seed's 43 contracts of 2017 are machine-embroidery firms that signed through the
    resident offices, so the calibration target is ``contracts_by_channel_sector.office.
    embroidery`` (not every office contract).

    Args:
        ev: Event columns (see ``EventLog``).
        firm_sector: Sector of every firm.
        focus: The focus city.
        months: Half-open range of months counted.
        sector_ids: Sector ids, in index order.

    Returns:
        Channel name -> sector id -> contracts (the channel ``none`` left out).
    """
    first, last = months
    signed = (
        (ev["to_stage"] == _CONTRACT)
        & (ev["city"] == focus)
        & (ev["month"] >= first)
        & (ev["month"] < last)
        & (ev["cause"] != _SEEDED)
        & (ev["cause"] != _BROKEN)
    )
    table = np.zeros((len(CHANNEL_NAMES), len(sector_ids)), dtype=np.int64)
    np.add.at(table, (ev["channel"][signed], firm_sector[ev["firm"][signed]]), 1)
    return {
        name: {sid: int(table[code, s]) for s, sid in enumerate(sector_ids)}
        for code, name in enumerate(CHANNEL_NAMES)
        if code != Channel.NONE
    }


def compute(m: AttractionModel, months: tuple[int, int] | None = None) -> dict[str, Any]:
    """All KPIs of the run so far.

    Args:
        m: The model.
        months: Optional half-open range of months to count flows in (stocks are always at
            the end); for example ``(0, 12)`` for the first calendar year.

    Returns:
        A JSON-ready dictionary (see the README for the keys).
    """
    w, f, c = m.world, m.firms, m.world.focus
    ev = m.event_log.columns()
    n_sectors, n_parks = len(w.sector_ids), len(w.park_ids)
    # Rows of the table of flow counts: the focus city, the focus city by channel code and by
    # sector, and every park and city.
    sizes = (1, len(CHANNEL_NAMES), n_sectors, n_parks, len(w.city_ids))
    by_channel, by_sector, by_park, by_city, n_rows = np.cumsum(sizes).tolist()
    rows = np.zeros((n_rows, len(FLOWS) + 1), dtype=np.int64)
    first, last = months if months is not None else _ALL_MONTHS
    referrals, stayed_home = _breakdown_flows(
        *(ev[field] for field in FIELDS),
        f.sector,
        first,
        last,
        c,
        _COLUMN,
        rows,
        (by_channel, by_sector, by_park, by_city),
    )
    out: dict[str, Any] = _counts(rows[0])
    tenants = m.tenants()
    here = tenants[f.city[tenants] == c]
    jobs = float(f.employees[here].sum())
    created = float(f.employees[here[here < f.n_pool]].sum())  # jobs of firms that came
    pollution = float((f.pollution_rate[here] * f.output[here] / 1e6).sum())
    cities = m.cities
    out.update(
        operating_firms=len(here),
        jobs=jobs,
        jobs_created=created,
        contracted_investment_yuan=projects.contracted_investment(m, c),
        realized_investment_yuan=projects.realised_investment(m, c),
        tax_revenue_yuan=float(cities.tax[c]),
        incentive_spending_yuan=float(cities.incentives[c]),
        outreach_spending_yuan=float(cities.outreach_cost[c]),
        idle_land_fees_yuan=float(cities.idle_fees[c]),
        net_fiscal_yuan=float(cities.net_fiscal[c]),
        cost_per_job_yuan=_clean(
            float(cities.incentives[c]) / created if created else float("nan")
        ),
        idle_land_ha=float(m.idle_land_by_park()[w.park_city == c].sum()),
        land_allocated_ha=float(m.parks.land_allocated[w.park_city == c].sum()),
        reclaimed_land_ha=float(cities.reclaimed_ha[c]),
        turned_away=int(m.parks.turned_away[w.park_city == c].sum()),
        credibility=float(cities.credibility[c]),
        official_turnovers=int(cities.turnovers[c]),
        broken_promises=int(cities.broken_total[c]),
        reinvestments=int(cities.reinvestments[c]),
        pollution_load=pollution,
        pollution_per_job=_clean(pollution / jobs if jobs else float("nan")),
        referrals=referrals,
    )
    gammas, overall = eg_by_sector(
        f.park[tenants].astype(np.int64),
        f.sector[tenants].astype(np.int64),
        f.employees[tenants],
        n_parks,
        n_sectors,
    )
    out["ellison_glaeser"] = _clean(overall)
    out["ellison_glaeser_by_sector"] = {
        s: _clean(float(g)) for s, g in zip(w.sector_ids, gammas, strict=True)
    }
    # Specialisation: the firms that came (not the seeded incumbents) operating in each park.
    came = tenants[tenants < f.n_pool]
    n_in, in_focus, in_related = focus_shares(
        f.park[came].astype(np.int64), f.sector[came].astype(np.int64), w.park_fit, w.io
    )
    mine = w.park_city == c
    total = n_in[mine].sum()
    out["focus_share"] = _clean(float((n_in * in_focus)[mine].sum() / total) if total else math.nan)
    out["focus_or_partner_share"] = _clean(
        float((n_in * in_related)[mine].sum() / total) if total else math.nan
    )
    pairs = coagglomeration(
        f.park[tenants].astype(np.int64), f.sector[tenants].astype(np.int64),
        f.employees[tenants], n_parks, n_sectors,
    )  # fmt: skip
    out["coagglomeration"] = {
        f"{w.sector_ids[a]}|{w.sector_ids[b]}": _clean(float(pairs[a, b]))
        for a in range(n_sectors)
        for b in range(a + 1, n_sectors)
    }
    focus_parks = np.flatnonzero(w.park_city == c)
    out["supplier_customer_links"] = supplier_customer_links(m.parks.tenants[focus_parks], w.io)
    out["by_channel"] = {
        name: _counts(rows[by_channel + code])
        for code, name in enumerate(CHANNEL_NAMES)
        if code != Channel.NONE
    }
    # Operating firms and jobs per group: each group's firms in their original order, so that
    # the sums of jobs are the same as over the group's firms selected one group at a time.
    order, bounds = segments(f.sector[here], n_sectors)
    jobs_of = f.employees[here[order]]
    out["by_sector"] = {}
    for s, sid in enumerate(w.sector_ids):
        counts = _counts(rows[by_sector + s])
        lo, hi = bounds[s], bounds[s + 1]
        counts.update(operating_firms=hi - lo, jobs=float(jobs_of[lo:hi].sum()))
        out["by_sector"][sid] = counts
    idle_by_park = m.idle_land_by_park()
    order, bounds = segments(f.park[tenants], n_parks)
    jobs_of = f.employees[tenants[order]]
    out["by_park"] = {}
    for p, pid in enumerate(w.park_ids):
        counts = _counts(rows[by_park + p])
        lo, hi = bounds[p], bounds[p + 1]
        counts.update(
            city=w.city_ids[w.park_city[p]],
            operating_firms=hi - lo,
            jobs=float(jobs_of[lo:hi].sum()),
            land_total_ha=float(m.parks.land_total[p]),
            land_allocated_ha=float(m.parks.land_allocated[p]),
            idle_land_ha=float(idle_by_park[p]),
            standard_buildings_free=int(m.parks.buildings_free[p]),
            turned_away=int(m.parks.turned_away[p]),
            focus_share=_clean(float(in_focus[p])),
            focus_or_partner_share=_clean(float(in_related[p])),
            sector_mix={
                s: int(n) for s, n in zip(w.sector_ids, m.parks.tenants[p], strict=True) if n
            },
        )
        out["by_park"][pid] = counts
    order, bounds = segments(f.city[tenants], len(w.city_ids))
    jobs_of = f.employees[tenants[order]]
    out["by_city"] = {}
    for k, cid in enumerate(w.city_ids):
        counts = _counts(rows[by_city + k])
        lo, hi = bounds[k], bounds[k + 1]
        counts.update(
            operating_firms=hi - lo,
            jobs=float(jobs_of[lo:hi].sum()),
            credibility=float(cities.credibility[k]),
            tax_revenue_yuan=float(cities.tax[k]),
            incentive_spending_yuan=float(cities.incentives[k]),
            net_fiscal_yuan=float(cities.net_fiscal[k]),
        )
        out["by_city"][cid] = counts
    out["entrants_by_park"] = {pid: out["by_park"][pid]["entries"] for pid in w.park_ids}
    out["by_conference"] = dict(m.conference_results)
    out.update(investment_kpis(m, out, months))
    out["contracts_by_channel_sector"] = contracts_by_channel_sector(
        ev, f.sector, c, (first, last), w.sector_ids
    )
    out["stayed_home"] = stayed_home
    if m.spec.programme is not None:
        period = np.ones(len(ev["month"]), dtype=bool)
        if months is not None:
            period = (ev["month"] >= months[0]) & (ev["month"] < months[1])
        out.update(programme_kpis(m, ev, period))
    return out


def investment_kpis(
    m: AttractionModel, out: dict[str, Any], months: tuple[int, int] | None
) -> dict[str, Any]:
    """Contracted against realised investment, and what major projects carry (focus city).

    ``realisation_ratio`` is realised over contracted (both to the end of the run, contracted
    as reported); ``major_investment_share`` the share of the investment contracted in the
    window that major projects carry; then what the leadership did about rival bids.
    """
    c = m.world.focus
    contracted = out["contracted_investment_yuan"]
    ceremonies = [r for r in m.conference_results.values() if r.get("kind") == "city"]
    return {
        "realisation_ratio": _clean(
            out["realized_investment_yuan"] / contracted if contracted else float("nan")
        ),
        "major_investment_share": projects.major_share(m, c, months),
        "major_bids_matched": int(m.major_results["matched"][c]),
        "major_lost_to_rivals": int(m.major_results["lost_to_rivals"][c]),
        "case_incentives_yuan": float(m.major_results["case_incentives_yuan"][c]),
        "ceremony_projects": sum(r["booked"] for r in ceremonies),
        "ceremony_contracted_yuan": float(sum(r["contracted_yuan"] for r in ceremonies)),
        "conference_visitors": sum(r["guests"] for r in m.conference_results.values()),
    }


def programme_kpis(
    m: AttractionModel, ev: dict[str, np.ndarray], period: np.ndarray
) -> dict[str, Any]:
    """Targets of a transfer programme (the scenario's ``programme`` table).

    A mover from the programme's origin regions is *transferred* when it starts operating in
    a park of a programme city by the deadline, and *commercialised* when it starts operating
    in any park of any destination by the deadline; ``transfer_share`` is their ratio.
    """
    prog, w = m.spec.programme, m.world
    entered = (
        period
        & (ev["to_stage"] == Stage.OPERATING)
        & (ev["cause"] == Cause.COMPLETED)
        & (ev["month"] <= w.month_of(prog.deadline))
    )
    if prog.origins:
        origins = [w.region_ids.index(r) for r in prog.origins]
        entered &= np.isin(m.firms.region[ev["firm"]], origins)
    cities = [w.city_ids.index(c) for c in prog.cities]
    here = entered & np.isin(ev["city"], cities)
    transferred, commercialised = int(here.sum()), int(entered.sum())
    share = transferred / commercialised if commercialised else None
    by_park = np.bincount(ev["park"][here].astype(np.int64), minlength=len(w.park_ids))
    by_city = np.bincount(ev["city"][here].astype(np.int64), minlength=len(w.city_ids))
    return {
        "programme": {
            "name": prog.name,
            "deadline": prog.deadline,
            "target_results": prog.target_results,
            "target_share": prog.target_share,
        },
        "results_transferred": transferred,
        "results_commercialised": commercialised,
        "transfer_share": share,
        "results_target_reached": transferred >= prog.target_results,
        "share_target_reached": share is not None and share >= prog.target_share,
        "results_by_highland": {
            hid: int(sum(by_park[w.park_ids.index(p)] for p in parks))
            for hid, parks in prog.highlands.items()
        },
        "results_by_city": {c: int(by_city[k]) for c, k in zip(prog.cities, cities, strict=True)},
    }


def scalar_kpis(k: dict[str, Any]) -> dict[str, float]:
    """Flatten KPIs to scalars: top-level numbers plus one column per park and sector index."""
    out = {
        key: (np.nan if v is None else float(v))
        for key, v in k.items()
        if isinstance(v, (int, float)) or v is None
    }
    for pid, n in k.get("entrants_by_park", {}).items():
        out[f"entrants_park_{pid}"] = float(n)
    for sid, g in k.get("ellison_glaeser_by_sector", {}).items():
        out[f"ellison_glaeser_{sid}"] = np.nan if g is None else float(g)
    return out
