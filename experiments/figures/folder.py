"""Read a saved results folder (from ``run``, ``compare`` or ``sensitivity``) for drawing.

Nothing is rerun: every figure is redrawn from the files. A file that is missing, unreadable or
lacks a column raises :class:`InputError` naming the file and what it should hold.
"""

from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ...i18n import get_lang, name_of, period, term, tr
from ...scenarios.errors import InputError
from .forest import COMPARE_COLUMNS
from .sensitivity import CONVERGENCE_COLUMNS, INDEX_COLUMNS
from .style import short_name

#: Files that make a folder one of the three kinds, and the columns their tables need.
RUN_FILES = ("kpis.json", "timeseries.csv")
TIMESERIES_COLUMNS = ["date"]
EVENT_COLUMNS = ["month", "firm", "from", "to", "park", "city", "channel", "cause"]
FIRM_COLUMNS = ["firm", "sector", "origin", "stage", "park", "city"]
LAND_BY_PARK_COLUMNS = [
    "date",
    "park",
    "land_allocated_ha",
    "land_developed_ha",
    "idle_land_ha",
]


class ResultsFolder:
    """The files of a results folder, read on first use.

    Args:
        path: The folder written by ``zhaoshang run``, ``compare`` or ``sensitivity``.

    Raises:
        InputError: If the folder does not exist or holds none of the known result files.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        if not self.path.is_dir():
            raise InputError(
                "is not a folder; give the results folder written by `zhaoshang run`, "
                "`compare` or `sensitivity`",
                str(self.path),
            )
        if not (self.is_run or self.is_compare or self.is_sensitivity):
            raise InputError(
                "holds no results: expected kpis.json and timeseries.csv (from `run`), "
                "compare.csv (from `compare`) or indices.csv (from `sensitivity`)",
                str(self.path),
            )

    # ------------------------------------------------------------------ what it holds
    def has(self, name: str) -> bool:
        """Whether the folder holds the file ``name``."""
        return (self.path / name).is_file()

    @property
    def is_run(self) -> bool:
        """A single run's results (``kpis.json`` and ``timeseries.csv``)."""
        return all(self.has(f) for f in RUN_FILES)

    @property
    def is_compare(self) -> bool:
        """A comparison (``compare.csv``)."""
        return self.has("compare.csv")

    @property
    def is_sensitivity(self) -> bool:
        """A sensitivity analysis (``indices.csv``)."""
        return self.has("indices.csv")

    # ------------------------------------------------------------------ readers
    def _json(self, name: str) -> dict[str, Any]:
        path = self.path / name
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise InputError("is missing from the results folder", str(path)) from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(f"cannot be read as JSON ({exc})", str(path)) from None
        if not isinstance(data, dict):
            raise InputError(
                f"holds a JSON {type(data).__name__}, not an object of named values as a run "
                "writes it", str(path),
            )
        return data

    def _table(self, name: str, columns: list[str]) -> pd.DataFrame:
        path = self.path / name
        try:
            if name.endswith(".parquet"):
                frame = pd.read_parquet(path)
            else:
                frame = pd.read_csv(path)
        except FileNotFoundError:
            raise InputError("is missing from the results folder", str(path)) from None
        except (OSError, ValueError, pd.errors.ParserError) as exc:
            raise InputError(f"cannot be read as a table ({exc})", str(path)) from None
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise InputError(
                f"lacks the column(s) {', '.join(missing)}; expected at least {', '.join(columns)}",
                str(path),
            )
        return frame

    @cached_property
    def manifest(self) -> dict[str, Any]:
        """``manifest.json`` (empty if the folder has none)."""
        return self._json("manifest.json") if self.has("manifest.json") else {}

    @cached_property
    def kpis(self) -> dict[str, Any]:
        """``kpis.json``."""
        return self._json("kpis.json")

    @cached_property
    def timeseries(self) -> pd.DataFrame:
        """``timeseries.csv`` (one row per month, dates as ``YYYY-MM`` text)."""
        frame = self._table("timeseries.csv", TIMESERIES_COLUMNS)
        frame["date"] = frame["date"].astype(str)
        return frame

    @cached_property
    def events(self) -> pd.DataFrame:
        """``events.parquet``."""
        return self._table("events.parquet", EVENT_COLUMNS)

    @cached_property
    def firms(self) -> pd.DataFrame:
        """``firms.parquet``."""
        return self._table("firms.parquet", FIRM_COLUMNS)

    @cached_property
    def land_by_park(self) -> pd.DataFrame | None:
        """``land_by_park.csv`` when the run wrote one (exact land per park and month)."""
        if not self.has("land_by_park.csv"):
            return None
        frame = self._table("land_by_park.csv", LAND_BY_PARK_COLUMNS)
        frame["date"] = frame["date"].astype(str)
        return frame

    @cached_property
    def compare(self) -> pd.DataFrame:
        """``compare.csv``."""
        return self._table("compare.csv", COMPARE_COLUMNS)

    @cached_property
    def indices(self) -> pd.DataFrame:
        """``indices.csv``."""
        return self._table("indices.csv", INDEX_COLUMNS)

    @cached_property
    def convergence(self) -> pd.DataFrame:
        """``convergence.csv``."""
        return self._table("convergence.csv", CONVERGENCE_COLUMNS)

    # ------------------------------------------------------------------ the scenario
    @cached_property
    def scenario(self) -> dict[str, Any]:
        """The resolved scenario the run recorded (``manifest.json``'s ``scenario``)."""
        data = self.manifest.get("scenario")
        if not isinstance(data, dict):
            raise InputError(
                "has no resolved scenario (the key `scenario`); it should be the manifest "
                "written by `zhaoshang run`",
                str(self.path / "manifest.json"),
            )
        return data

    @property
    def focus(self) -> str:
        """Id of the focus city."""
        return str(self.scenario.get("focus", ""))

    def city_name(self, city: str | None = None) -> str:
        """Readable name of a city in the current language (the focus city by default)."""
        city = city or self.focus
        return name_of(self.scenario.get("governments", {}).get(city, {}), city)

    def city_names(self) -> dict[str, str]:
        """Readable names of the cities in the current language."""
        return {c: self.city_name(c) for c in self.scenario.get("governments", {})}

    def park_names(self) -> dict[str, str]:
        """Short readable names of the parks in the current language."""
        return park_names(self.scenario.get("parks", {}))

    def parks(self, city: str | None = None) -> list[str]:
        """Park ids in scenario order, only those of ``city`` if given."""
        parks = self.scenario.get("parks", {})
        return [p for p, spec in parks.items() if city is None or spec.get("government") == city]

    def sector_names(self) -> dict[str, str]:
        """Short readable names of the sectors, for legends and labels."""
        return {s: _short(s, spec) for s, spec in self.scenario.get("sectors", {}).items()}

    def io(self) -> pd.DataFrame:
        """Input-output strengths between sectors: ``io.loc[buyer, supplier]``."""
        sectors = self.scenario.get("sectors", {})
        ids = list(sectors)
        table = pd.DataFrame(np.zeros((len(ids), len(ids))), index=ids, columns=ids)
        for buyer, spec in sectors.items():
            for supplier, strength in (spec.get("suppliers") or {}).items():
                if supplier in table.columns:
                    table.loc[buyer, supplier] = float(strength)
        return table

    def labels(self) -> dict[str, str]:
        """Readable names of an experiment's parameters and outputs (from its manifest)."""
        out = {}
        for key in ("parameters", "outputs"):
            for item in self.manifest.get(key) or []:
                if isinstance(item, dict) and item.get("name") and item.get("label"):
                    out[str(item["name"])] = str(item["label"])
        return out

    @property
    def dates(self) -> list[str]:
        """Calendar month of each simulated month."""
        return self.timeseries["date"].tolist()

    @property
    def source(self) -> str:
        """The source line of this folder's figures: what produced them, with the seed."""
        m = self.manifest
        seed = m.get("seed", m.get("master_seed"))
        seed_text = tr("source.seed", seed=seed if seed is not None else "?")
        if self.is_run:
            name = m.get("scenario_name") or self.scenario.get("title") or self.path.name
            span = period(self.dates[0], self.dates[-1]) if len(self.timeseries) else ""
            span = term("summary.sep") + span if span else ""
            return tr("source.run", name=name, seed=seed_text) + span
        if self.is_compare:
            scenarios = list(dict.fromkeys(self.compare["scenario"]))
            n = self.compare["n"].max()
            reps = tr("source.replicates", n=int(n)) if pd.notna(n) else ""
            names = tr("source.versus").join(map(str, scenarios))
            return tr("source.compare", names=names, seed=seed_text) + reps
        name = m.get("experiment_name") or m.get("name") or self.path.name
        design = m.get("design")
        method = design.get("method") if isinstance(design, dict) else design
        runs = design.get("runs") if isinstance(design, dict) else None
        seeds = m.get("seeds")
        if seed is None and isinstance(seeds, dict) and seeds.get("master") is not None:
            seed_text = tr("source.master_seed", seed=seeds["master"])
        detail = "".join(
            term("summary.sep") + part
            for part in (method, tr("source.runs", n=f"{runs:,}") if runs else None)
            if part
        )
        return tr("source.sensitivity", name=name, seed=seed_text) + detail


def park_names(parks: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Labels of parks (id -> scenario table): the Chinese name in Chinese, else the id."""
    zh = get_lang() == "zh"
    return {
        p: (spec.get("name_zh") if zh else None) or p.replace("_", " ")
        for p, spec in parks.items()
    }


def _short(ident: str, spec: dict[str, Any]) -> str:
    """A short label for a sector in the current language.

    Its Chinese name in Chinese, else its English name without a bracketed part, if short.
    """
    if get_lang() == "zh" and spec.get("name_zh"):
        return str(spec["name_zh"])
    return short_name(ident, spec.get("name"))
