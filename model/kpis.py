"""Key performance indicators of a run: totals for the focus city and breakdowns.

Flows (contacts, inspections, ...) are counted from the event log, so every total can be
traced back to the transitions behind it; stocks (operating firms, jobs, land) are read from
the state at the end of the run.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from .clusters import eg_by_sector
from .codes import CHANNEL_NAMES, Cause, Channel, Stage
from .supply_chain import supplier_customer_links

if TYPE_CHECKING:
    from .model import AttractionModel

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


def flow_counts(ev: dict[str, np.ndarray], mask: np.ndarray) -> dict[str, int]:
    """Count transitions of each kind among the events selected by ``mask``."""
    to = ev["to_stage"][mask]
    # Seeded incumbents and broken promises are events but not transitions of the funnel.
    cause = ev["cause"][mask]
    not_seeded = (cause != Cause.SEEDED) & (cause != Cause.PROMISE_BROKEN)
    counts = {name: int(((to == stage) & not_seeded).sum()) for name, stage in FLOWS.items()}
    counts["signed"] = counts["framework_agreements"] + int(
        ((to == Stage.CONTRACT) & (ev["from_stage"][mask] == Stage.NEGOTIATING)).sum()
    )
    return counts


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
    period = np.ones(len(ev["month"]), dtype=bool)
    if months is not None:
        period = (ev["month"] >= months[0]) & (ev["month"] < months[1])
    in_focus = period & (ev["city"] == c)
    out: dict[str, Any] = dict(flow_counts(ev, in_focus))
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
        contracted_investment_yuan=float(cities.contracted_investment[c]),
        realized_investment_yuan=float(cities.realized_investment[c]),
        tax_revenue_yuan=float(cities.tax[c]),
        incentive_spending_yuan=float(cities.incentives[c]),
        outreach_spending_yuan=float(cities.outreach_cost[c]),
        idle_land_fees_yuan=float(cities.idle_fees[c]),
        net_fiscal_yuan=float(cities.net_fiscal[c]),
        cost_per_job_yuan=_clean(
            float(cities.incentives[c]) / created if created else float("nan")
        ),
        idle_land_ha=float((f.land_held[here] - f.land_developed[here]).sum()),
        land_allocated_ha=float(m.parks.land_allocated[w.park_city == c].sum()),
        reclaimed_land_ha=float(cities.reclaimed_ha[c]),
        turned_away=int(m.parks.turned_away[w.park_city == c].sum()),
        credibility=float(cities.credibility[c]),
        official_turnovers=int(cities.turnovers[c]),
        broken_promises=int(cities.broken_total[c]),
        reinvestments=int(cities.reinvestments[c]),
        pollution_load=pollution,
        pollution_per_job=_clean(pollution / jobs if jobs else float("nan")),
        referrals=int(
            (in_focus & (ev["to_stage"] == Stage.AWARE) & (ev["channel"] == Channel.REFERRAL)).sum()
        ),
    )
    park_of = tenants
    gammas, overall = eg_by_sector(
        f.park[park_of].astype(np.int64),
        f.sector[park_of].astype(np.int64),
        f.employees[park_of],
        len(w.park_ids),
        len(w.sector_ids),
    )
    out["ellison_glaeser"] = _clean(overall)
    out["ellison_glaeser_by_sector"] = {
        s: _clean(float(g)) for s, g in zip(w.sector_ids, gammas, strict=True)
    }
    focus_parks = np.flatnonzero(w.park_city == c)
    out["supplier_customer_links"] = supplier_customer_links(m.parks.tenants[focus_parks], w.io)
    out["by_channel"] = {
        name: flow_counts(ev, in_focus & (ev["channel"] == code))
        for code, name in enumerate(CHANNEL_NAMES)
        if code != Channel.NONE
    }
    firm_sector = f.sector[ev["firm"]]
    out["by_sector"] = {}
    for s, sid in enumerate(w.sector_ids):
        counts = flow_counts(ev, in_focus & (firm_sector == s))
        mine = here[f.sector[here] == s]
        counts.update(operating_firms=len(mine), jobs=float(f.employees[mine].sum()))
        out["by_sector"][sid] = counts
    idle_by_park = m.idle_land_by_park()
    out["by_park"] = {}
    for p, pid in enumerate(w.park_ids):
        counts = flow_counts(ev, period & (ev["park"] == p))
        mine = tenants[f.park[tenants] == p]
        counts.update(
            city=w.city_ids[w.park_city[p]],
            operating_firms=len(mine),
            jobs=float(f.employees[mine].sum()),
            land_total_ha=float(m.parks.land_total[p]),
            land_allocated_ha=float(m.parks.land_allocated[p]),
            idle_land_ha=float(idle_by_park[p]),
            standard_buildings_free=int(m.parks.buildings_free[p]),
            turned_away=int(m.parks.turned_away[p]),
            sector_mix={
                s: int(n) for s, n in zip(w.sector_ids, m.parks.tenants[p], strict=True) if n
            },
        )
        out["by_park"][pid] = counts
    out["by_city"] = {}
    for k, cid in enumerate(w.city_ids):
        counts = flow_counts(ev, period & (ev["city"] == k))
        mine = tenants[f.city[tenants] == k]
        counts.update(
            operating_firms=len(mine),
            jobs=float(f.employees[mine].sum()),
            credibility=float(cities.credibility[k]),
            tax_revenue_yuan=float(cities.tax[k]),
            incentive_spending_yuan=float(cities.incentives[k]),
            net_fiscal_yuan=float(cities.net_fiscal[k]),
        )
        out["by_city"][cid] = counts
    out["entrants_by_park"] = {pid: out["by_park"][pid]["entries"] for pid in w.park_ids}
    out["by_conference"] = dict(m.conference_results)
    out["stayed_home"] = int((period & (ev["cause"] == Cause.STAYED_HOME)).sum())
    if m.spec.programme is not None:
        out.update(programme_kpis(m, ev, period))
    return out


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
