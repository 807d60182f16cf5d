"""The results folder of a run: data, figures and manifest, written atomically."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from ...model import AttractionModel
from .. import figures
from ..runs.run import timeseries
from .folders import atomic_dir, write_json

SUMMARY = [
    ("contacts", "Contacts", "{:,.0f}"),
    ("inspections", "Inspections", "{:,.0f}"),
    ("intentions", "Intentions", "{:,.0f}"),
    ("framework_agreements", "Framework agreements", "{:,.0f}"),
    ("contracts", "Construction contracts", "{:,.0f}"),
    ("construction_starts", "Construction starts", "{:,.0f}"),
    ("exits", "Exits", "{:,.0f}"),
    ("operating_firms", "Operating firms (end, incumbents included)", "{:,.0f}"),
    ("jobs", "Jobs (end)", "{:,.0f}"),
    ("contracted_investment_yuan", "Contracted investment (bn yuan)", "bn"),
    ("realized_investment_yuan", "Realised investment (bn yuan)", "bn"),
    ("tax_revenue_yuan", "Tax revenue (bn yuan)", "bn"),
    ("incentive_spending_yuan", "Incentive spending (bn yuan)", "bn"),
    ("net_fiscal_yuan", "Net fiscal balance (bn yuan)", "bn"),
    ("idle_land_ha", "Idle land (ha, end)", "{:,.1f}"),
    ("credibility", "Credibility (end)", "{:.3f}"),
]


def fmt(value: Any, pattern: str) -> str:
    """Format a KPI for the summary table."""
    if value is None:
        return "-"
    if pattern == "bn":
        return f"{value / 1e9:,.2f}"
    return pattern.format(value)


def summary_table(kpis: dict[str, Any], title: str):
    """A rich table of the main KPIs."""
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    table.add_column("KPI")
    table.add_column("value", justify="right")
    for key, label, pattern in SUMMARY:
        table.add_row(label, fmt(kpis.get(key), pattern))
    return table


def write_run(
    model: AttractionModel, out: Path, manifest: dict[str, Any], draw_figures: bool = True
) -> dict[str, Any]:
    """Write a run's results folder atomically and return its KPIs.

    Files: ``manifest.json``, ``kpis.json``, ``timeseries.csv`` (one row per month),
    ``land_by_park.csv`` (land per park and month), ``events.parquet`` (every transition),
    ``firms.parquet`` (final firm table) and ``figures/``.
    """
    kpis = model.kpis()
    events = model.events
    with atomic_dir(Path(out)) as tmp:
        write_json(tmp / "manifest.json", manifest)
        write_json(tmp / "kpis.json", kpis)
        timeseries(model).to_csv(tmp / "timeseries.csv", index=False)
        model.land_by_park().to_csv(tmp / "land_by_park.csv", index=False)
        events.to_parquet(tmp / "events.parquet", index=False)
        model.firm_frame().to_parquet(tmp / "firms.parquet", index=False)
        if draw_figures:
            draw_run_figures(tmp, model, kpis, events, manifest)
    return kpis


def draw_run_figures(
    folder: Path,
    model: AttractionModel,
    kpis: dict[str, Any],
    events: pd.DataFrame,
    manifest: dict[str, Any],
) -> None:
    """The figures of a single run."""
    src = f"Zhaoshang: {manifest.get('scenario_name')}, seed {manifest.get('seed')}"
    w = model.world
    dates = [w.date(m) for m in range(model.month)]
    figures.save(figures.funnel(kpis, src), folder / "figures" / "funnel")
    city_of = {p: w.city_ids[w.park_city[k]] for k, p in enumerate(w.park_ids)}
    figures.save(
        figures.firms_by_park(events, w.park_ids, dates, src, city_of, w.city_ids[w.focus]),
        folder / "figures" / "firms_by_park",
    )
