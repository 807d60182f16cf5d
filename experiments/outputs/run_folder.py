"""The results folder of a run: data, figures and manifest, written atomically."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from ...i18n import money_unit, name_of, number, term, tr
from ...model import AttractionModel
from .. import figures
from ..figures.folder import park_names
from ..runs.run import timeseries
from .folders import atomic_dir, write_json

#: The summary table's rows: KPI, the glossary keys of its qualifiers and how it is shown:
#: ``count`` (whole number), ``money`` (亿元 in Chinese, billions of yuan in English),
#: ``yuan`` (whole yuan), ``ha`` (hectares, one decimal) or ``share`` (three decimals).
SUMMARY = [
    ("contacts", (), "count"),
    ("inspections", (), "count"),
    ("intentions", (), "count"),
    ("framework_agreements", (), "count"),
    ("contracts", (), "count"),
    ("construction_starts", (), "count"),
    ("exits", (), "count"),
    ("operating_firms", ("qual.end_incl",), "count"),
    ("jobs", ("qual.end",), "count"),
    ("contracted_investment_yuan", (), "money"),
    ("realized_investment_yuan", (), "money"),
    ("tax_revenue_yuan", (), "money"),
    ("incentive_spending_yuan", (), "money"),
    ("net_fiscal_yuan", (), "money"),
    ("idle_land_ha", ("qual.end",), "ha"),
    ("credibility", ("qual.end",), "share"),
]


def row_label(kpi: str, qualifiers: tuple[str, ...], kind: str) -> str:
    """A summary row's label in the current language: the KPI, then its unit and qualifiers."""
    parts = []
    if kind == "money":
        parts.append(money_unit("large")[0])
    elif kind in ("ha", "yuan"):
        parts.append(term(f"unit.{kind}"))
    parts += [term(q) for q in qualifiers]
    name = term(f"kpi.{kpi}")
    return tr("summary.row", name=name, details=term("summary.sep").join(parts)) if parts else name


def fmt(value: Any, kind: str) -> str:
    """Format a KPI for the summary table (money in the current language's unit)."""
    if value is None:
        return "-"
    if kind == "money":
        return number(value / money_unit("large")[1], 2)
    if kind in ("count", "yuan"):
        return number(value)
    return number(value, 1) if kind == "ha" else f"{value:.3f}"


def summary_table(kpis: dict[str, Any], title: str):
    """A rich table of the main KPIs, in the current language."""
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    table.add_column(term("summary.kpi"))
    table.add_column(term("summary.value"), justify="right")
    for key, qualifiers, kind in SUMMARY:
        table.add_row(row_label(key, qualifiers, kind), fmt(kpis.get(key), kind))
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
    src = tr(
        "source.run",
        name=manifest.get("scenario_name"),
        seed=tr("source.seed", seed=manifest.get("seed")),
    )
    w = model.world
    dates = [w.date(m) for m in range(model.month)]
    figures.save(figures.funnel(kpis, src), folder / "figures" / "funnel")
    city_of = {p: w.city_ids[w.park_city[k]] for k, p in enumerate(w.park_ids)}
    spec = model.spec.model_dump(mode="json")
    focus = w.city_ids[w.focus]
    fig = figures.firms_by_park(
        events, w.park_ids, dates, src, city_of, focus,
        names=park_names(spec["parks"]), city=name_of(spec["governments"][focus], focus),
    )  # fmt: skip
    figures.save(fig, folder / "figures" / "firms_by_park")
