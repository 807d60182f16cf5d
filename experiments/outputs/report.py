"""A self-contained report of a results folder: one HTML file (and optionally a PDF).

The report holds the scenario and what it changes against its parent, the KPI tables, every
figure the folder can draw (embedded as PNG data URIs), comparison or sensitivity results when
present, and provenance. The HTML has no scripts, no external links and no web fonts, so it
opens offline in any browser. The PDF has the same content, one figure per page.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import html
import io
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from ...i18n import get_lang, name_of, number, period, term, tr, using
from ...scenarios.errors import InputError
from ..figures import KINDS, ResultsFolder, available, draw
from ..figures.forest import kpi_label, reference_of
from ..figures.style import CJK_FONT, fonts, style
from .folders import atomic_file, write_text
from .run_folder import SUMMARY, fmt, row_label

#: The monospaced face of the Chinese font, for the PDF's text pages.
CJK_MONO = "WenQuanYi Micro Hei Mono"

#: Resolution of the PNG images embedded in the HTML report.
HTML_DPI = 150

#: Top-level scenario keys that describe rather than parameterise; left out of the diff.
DESCRIPTIVE = ("title", "title_zh", "description", "source")

#: KPIs shown after the run summary: key, qualifiers and kind as in ``results.SUMMARY``
#: (``yuan``: whole yuan; ``index``: three decimals).
MORE_KPIS = [
    ("cost_per_job_yuan", (), "yuan"),
    ("land_allocated_ha", ("qual.end",), "ha"),
    ("reclaimed_land_ha", (), "ha"),
    ("turned_away", (), "count"),
    ("official_turnovers", (), "count"),
    ("broken_promises", (), "count"),
    ("referrals", (), "count"),
    ("pollution_per_job", (), "share"),
    ("ellison_glaeser", (), "share"),
    ("realisation_ratio", (), "share"),
    ("major_investment_share", (), "share"),
    ("major_lost_to_rivals", (), "count"),
    ("case_incentives_yuan", (), "yuan"),
    ("ceremony_projects", (), "count"),
    ("ceremony_contracted_yuan", (), "yuan"),
]

#: Columns of the per-park table: key in ``by_park`` (heading ``report.park.<key>``), kind.
PARK_COLUMNS = [
    ("city", "text"),
    ("entries", "count"),
    ("exits", "count"),
    ("operating_firms", "count"),
    ("jobs", "count"),
    ("land_total_ha", "count"),
    ("land_allocated_ha", "ha"),
    ("idle_land_ha", "ha"),
    ("turned_away", "count"),
]

#: Manifest keys shown under provenance, in order; each is labelled ``report.prov.<key>``.
PROVENANCE = [
    "scenario_name",
    "experiment_name",
    "scenarios",
    "seed",
    "master_seed",
    "replicates",
    "overrides",
    "months",
    "command",
    "started_at",
    "finished_at",
    "run_seconds",
    "seconds",
    "executor",
    "git_revision",
    "platform",
]


# --------------------------------------------------------------------------- the content
@dataclass
class Table:
    """A table: column headings and rows of already formatted cells."""

    header: list[str]
    rows: list[list[str]]
    note: str = ""


@dataclass
class Section:
    """A titled part of the report: paragraphs, tables and figure kinds, in order."""

    title: str
    blocks: list[str | Table | tuple[str, str]] = field(default_factory=list)

    def text(self, paragraph: str) -> None:
        """Add a paragraph."""
        self.blocks.append(paragraph)

    def table(self, table: Table) -> None:
        """Add a table."""
        self.blocks.append(table)

    def figures(self, kind: str) -> None:
        """Add the figures of a kind (drawn when the report is written)."""
        self.blocks.append(("figures", kind))


def _cell(value: Any) -> str:
    """A value as compact text for a table cell (long lists of numbers summarised)."""
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "-"
    numbers = isinstance(value, list) and all(isinstance(v, (int, float)) for v in value)
    if numbers and len(value) > 8:
        return tr(
            "report.values",
            n=len(value),
            sum=f"{sum(value):,.4g}",
            mean=f"{sum(value) / len(value):,.4g}",
        )
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested tables as ``{"a.b.c": value}`` (empty tables kept as ``{}``)."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            out.update(flatten(value, f"{path}."))
        else:
            out[path] = value
    return out


def scenario_diff(parent: Mapping[str, Any], child: Mapping[str, Any]) -> list[list[str]]:
    """Rows ``[path, parent value, value]`` for every parameter that differs."""
    a = {k: v for k, v in flatten(parent).items() if k.split(".")[0] not in DESCRIPTIVE}
    b = {k: v for k, v in flatten(child).items() if k.split(".")[0] not in DESCRIPTIVE}
    rows = []
    for path in sorted(set(a) | set(b)):
        if a.get(path, "<absent>") != b.get(path, "<absent>"):
            absent = term("report.absent")
            rows.append(
                [
                    path,
                    _cell(a[path]) if path in a else absent,
                    _cell(b[path]) if path in b else absent,
                ]
            )
    return rows


def _resolved(
    name_or_path: str, overrides: list[str] | Mapping[str, Any] | None = None
) -> dict[str, Any]:
    from ...scenarios.loader import load_scenario

    return load_scenario(name_or_path, overrides or []).model_dump(mode="json")


def parent_of(manifest: Mapping[str, Any]) -> tuple[str | None, dict[str, Any] | None, str]:
    """The parent of a run's scenario, resolved now: ``(label, resolved data, remark)``.

    The parent is the file before last in the manifest's ``scenario_chain`` (the scenario the
    run's file ``extends``). A root scenario run with ``--set`` overrides is compared with its
    file as it is; a root scenario without overrides has no parent.
    """
    from ...scenarios.loader import resolve

    chain = [str(p) for p in manifest.get("scenario_chain") or []]
    name = manifest.get("scenario_name")
    if not chain and name:
        try:
            chain = resolve(str(name)).chain
        except InputError as exc:
            return None, None, tr("report.not_found", name=repr(name), why=exc.message)
    overrides = list(manifest.get("overrides") or [])
    if len(chain) >= 2:
        target, label, remark = chain[-2], Path(chain[-2]).stem, term("report.its_parent")
    elif chain and overrides:
        target, label, remark = chain[-1], Path(chain[-1]).stem, term("report.its_file")
    else:
        return None, None, term("report.root")
    try:
        return label, _resolved(target), tr("report.differ", remark=remark, target=target)
    except InputError as exc:
        return label, None, tr("report.unresolved", target=target, why=exc.message)


def _run_sections(folder: ResultsFolder) -> list[Section]:
    m, sc = folder.manifest, folder.scenario
    scenario = Section(term("report.scenario"))
    scenario.text(
        tr(
            "report.scenario_line",
            title=name_of(sc, m.get("scenario_name", ""), field="title"),
            city=folder.city_name(),
            parks=len(sc.get("parks", {})),
            sectors=len(sc.get("sectors", {})),
            firms=number(sc.get("pool", {}).get("firms", 0)),
            span=period(m.get("start_date", folder.dates[0]), m.get("end_date", folder.dates[-1])),
        )
    )
    if sc.get("description") and get_lang() == "en":
        scenario.text(" ".join(str(sc["description"]).split()))
    label, parent, remark = parent_of(m)
    scenario.text(remark)
    if parent is not None:
        rows = scenario_diff(parent, sc)
        if rows:
            header = [term("report.parameter"), str(label), term("report.this_run")]
            scenario.table(Table(header, rows))
        else:
            scenario.text(term("report.no_difference"))
    kpis = Section(term("report.kpis"))
    k = folder.kpis
    rows = [[row_label(*row), fmt(k.get(row[0]), row[2])] for row in SUMMARY]
    rows += [[row_label(*row), fmt(k.get(row[0]), row[2])] for row in MORE_KPIS if row[0] in k]
    kpis.table(Table([term("report.kpi_header"), term("summary.value")], rows))
    by_park = k.get("by_park", {})
    if by_park:
        parks, cities = folder.park_names(), folder.city_names()
        park_rows = [
            [
                parks.get(p, p),
                *[
                    fmt(v.get(key), kind)
                    if kind != "text"
                    else cities.get(str(v.get(key, "")), str(v.get(key, "")))
                    for key, kind in PARK_COLUMNS
                ],
            ]
            for p, v in by_park.items()
        ]
        header = [term("report.park.park"), *[term(f"report.park.{k}") for k, _ in PARK_COLUMNS]]
        kpis.table(Table(header, park_rows))
    figures = Section(term("report.figures"))
    for kind in available(folder):
        if KINDS[kind].files[0] not in ("compare.csv", "indices.csv", "convergence.csv"):
            figures.figures(kind)
    return [scenario, kpis, figures]


def _compare_section(folder: ResultsFolder) -> Section:
    table = folder.compare
    ref = reference_of(table)
    scenarios = list(dict.fromkeys(table["scenario"]))
    section = Section(term("report.comparison"))
    n = table["n"].max()
    section.text(
        tr(
            "report.compare_line",
            scenarios=term("summary.sep").join(scenarios),
            ref=ref,
            reps=tr("report.over_replicates", n=int(n)) if pd.notna(n) else "",
        )
    )
    m = folder.manifest
    overrides = m.get("overrides") if isinstance(m.get("overrides"), dict) else {}
    if overrides:
        section.text(
            tr(
                "report.shared_overrides",
                overrides=", ".join(f"{k} = {_cell(v)}" for k, v in overrides.items()),
            )
        )
    for s in scenarios:
        if s == ref:
            continue
        changes = _changes_of(s, m, overrides)
        if changes is not None:
            section.text(tr("report.changes", name=s, parent=changes[0]))
            section.table(Table([term("report.parameter"), changes[0], s], changes[1]))
    indexed = table.set_index(["scenario", "kpi"])
    header = [term("summary.kpi"), tr("report.mean_sd", name=ref)]
    for s in scenarios:
        if s != ref:
            header += [
                tr("report.mean_sd", name=s),
                tr("report.diff_ci", name=s, ref=ref),
                "p",
            ]
    rows = []
    for kpi in dict.fromkeys(table["kpi"]):
        title, unit, scale = kpi_label(kpi)
        row = [tr("summary.row", name=title, details=unit) if unit else title]
        for s in [ref, *[x for x in scenarios if x != ref]]:
            if (s, kpi) not in indexed.index:
                row += ["-"] * (1 if s == ref else 3)
                continue
            r = indexed.loc[(s, kpi)]
            row.append(f"{_num(r['mean'] / scale)} ± {_num(r['sd'] / scale)}")
            if s != ref:
                row += [
                    f"{_num(r['diff_mean'] / scale)} [{_num(r['diff_lo'] / scale)}, "
                    f"{_num(r['diff_hi'] / scale)}]",
                    _p(r["p_value"]),
                ]
        rows.append(row)
    section.table(Table(header, rows))
    section.figures("forest")
    return section


def _changes_of(
    name: str, manifest: Mapping[str, Any], overrides: Mapping[str, Any]
) -> tuple[str, list[list[str]]] | None:
    """A compared scenario's changes against its parent (both with the shared overrides).

    The scenario as run comes from the manifest's ``resolved_scenarios`` (else it is resolved
    now); its parent is the file before last in its ``extends`` chain, resolved now. None for
    a root scenario or one that cannot be resolved.
    """
    from ...scenarios.loader import resolve

    try:
        chain = (manifest.get("scenario_chains") or {}).get(name) or resolve(name).chain
        if len(chain) < 2:
            return None
        child = (manifest.get("resolved_scenarios") or {}).get(name) or _resolved(name)
        return Path(chain[-2]).stem, scenario_diff(_resolved(chain[-2], overrides), child)
    except InputError:
        return None


def _sensitivity_section(folder: ResultsFolder) -> Section:
    m = folder.manifest
    section = Section(term("report.sensitivity"))
    exp = m.get("experiment") if isinstance(m.get("experiment"), dict) else {}
    if exp.get("title"):
        section.text(str(exp["title"]) + ". " + " ".join(str(exp.get("description", "")).split()))
    if exp.get("scenario"):
        fixed = exp.get("set") if isinstance(exp.get("set"), dict) else {}
        section.text(
            tr(
                "report.sens_scenario",
                scenario=exp["scenario"],
                fixed=tr(
                    "report.with",
                    values=", ".join(f"{k} = {_cell(v)}" for k, v in fixed.items()),
                )
                if fixed
                else "",
                model=exp.get("model", "abm"),
            )
        )
    design = m.get("design") if isinstance(m.get("design"), dict) else {}
    if design:
        section.text(
            tr(
                "report.design",
                method=design.get("method", "?"),
                points=design.get("points", "?"),
                replicates=design.get("replicates", "?"),
                runs=design.get("runs", "?"),
            )
            + term("report.dummy" if design.get("dummy") else "report.full_stop")
        )
    params = m.get("parameters")
    if isinstance(params, list) and params and all(isinstance(p, dict) for p in params):
        keys = list(dict.fromkeys(k for p in params for k in p))
        section.table(Table(keys, [[_cell(p.get(k)) for k in keys] for p in params]))
    ind = folder.indices
    ind = ind[~ind["parameter"].astype(str).str.contains("|", regex=False)]
    names = list(dict.fromkeys(ind["index"]))
    rows = []
    for (output, parameter), grp in ind.groupby(["output", "parameter"], sort=False):
        by = grp.set_index("index")
        cells = []
        for name in names:
            if name in by.index:
                v, c = by.loc[name, "value"], by.loc[name, "conf"]
                cells.append(_num(v) + (f" ± {_num(c)}" if pd.notna(c) else ""))
            else:
                cells.append("-")
        flags = grp["influential"].dropna().astype(str).str.lower()
        flag = (
            term("common.yes")
            if flags.isin(["true", "1", "1.0"]).any()
            else (term("common.no") if len(flags) else "-")
        )
        rows.append([str(output), str(parameter), *cells, flag])
    section.table(
        Table(
            [term("report.output"), term("report.parameter"), *names, term("report.influential")],
            rows,
            term("report.half_width"),
        )
    )
    for kind in ("sensitivity_indices", "morris", "convergence"):
        if KINDS[kind].available(folder):
            section.figures(kind)
    return section


def _num(value: Any) -> str:
    if value is None or pd.isna(value):
        return "-"
    v = float(value)
    if v != 0 and (abs(v) >= 1e6 or abs(v) < 1e-3):
        return f"{v:.3g}"
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3g}"


def _p(value: Any) -> str:
    if value is None or pd.isna(value):
        return "-"
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def _provenance(folder: ResultsFolder) -> Section:
    m = folder.manifest
    section = Section(term("report.provenance"))
    rows = [
        [term(f"report.prov.{key}"), _cell(m[key])]
        for key in PROVENANCE
        if key in m and m[key] != []
    ]
    seeds = m.get("seeds")
    if isinstance(seeds, dict):
        rows += [[tr("report.prov.seeds_of", name=k), _cell(v)] for k, v in seeds.items()]
    versions = (m.get("versions") or {}).items()
    rows += [[tr("report.prov.version_of", name=k), str(v)] for k, v in versions]
    rows.append([term("report.prov.folder"), str(folder.path.resolve())])
    written = datetime.now(UTC).isoformat(timespec="seconds")
    rows.append([term("report.prov.written"), written])
    section.table(Table([term("report.item"), term("summary.value")], rows))
    if not m:
        section.text(term("report.no_manifest"))
    return section


def sections(folder: ResultsFolder) -> list[Section]:
    """The report's sections for whatever the folder holds."""
    out: list[Section] = []
    if folder.is_run:
        out += _run_sections(folder)
    if folder.is_compare:
        out.append(_compare_section(folder))
    if folder.is_sensitivity:
        out.append(_sensitivity_section(folder))
    out.append(_provenance(folder))
    return out


def title_of(folder: ResultsFolder) -> str:
    """The report's title."""
    if folder.is_run:
        name = folder.manifest.get("scenario_name") or folder.scenario.get("title", "")
        return tr("report.title_run", name=name, seed=folder.manifest.get("seed", "?"))
    if folder.is_compare:
        names = tr("source.versus").join(map(str, dict.fromkeys(folder.compare["scenario"])))
        return tr("report.title_compare", names=names)
    return tr("report.title_sensitivity", name=folder.manifest.get("experiment_name", ""))


# --------------------------------------------------------------------------- rendering
CSS = """
body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, "WenQuanYi Micro Hei",
       "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; color: #222;
       max-width: 1100px; margin: 2em auto; padding: 0 1em; line-height: 1.45; }
h1 { font-size: 1.5em; border-bottom: 2px solid #0072B2; padding-bottom: .2em; }
h2 { font-size: 1.2em; margin-top: 2em; color: #0072B2; }
p.source { color: #555; font-size: .9em; }
table { border-collapse: collapse; margin: .8em 0; font-size: .85em; }
th, td { border-bottom: 1px solid #ddd; padding: .25em .6em; text-align: left;
         vertical-align: top; }
th { background: #f2f2f2; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1.5em 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #555; font-size: .9em; }
nav ul { columns: 2; }
"""


#: Cells drawn right-aligned: numbers, "mean ± sd" and "diff [lo, hi]".
NUMERIC = re.compile(r"^[<>]?-?[\d.,]+(e[-+]?\d+)?(\s*(±|\[|,|\])\s*(-?[\d.,]+(e[-+]?\d+)?)?)*$")


def _is_number(text: str) -> bool:
    return bool(NUMERIC.match(text.strip()))


def _html_table(table: Table) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in table.header)
    body = []
    for row in table.rows:
        cells = "".join(
            f'<td class="num">{html.escape(c)}</td>'
            if _is_number(c)
            else f"<td>{html.escape(c)}</td>"
            for c in row
        )
        body.append(f"<tr>{cells}</tr>")
    note = f"<p class='source'>{html.escape(table.note)}</p>" if table.note else ""
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>{note}"


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=HTML_DPI)
    return buffer.getvalue()


def _anchor(title: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in title.lower())


@contextlib.contextmanager
def _pdf_pages(path: Path | None) -> Iterator[PdfPages | None]:
    """A multi-page PDF written atomically (nothing when ``path`` is None)."""
    if path is None:
        yield None
        return
    with atomic_file(path) as tmp, PdfPages(tmp, metadata={"Creator": "zhaoshang"}) as pdf:
        yield pdf


@functools.cache
def _glyphs(family: str) -> frozenset[int]:
    """Code points the PDF's text font can draw."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    path = font_manager.findfont(font_manager.FontProperties(family=family))
    return frozenset(FT2Font(path).get_charmap())


def _mono() -> str:
    """The PDF's text font: a monospaced font that draws the current language."""
    if get_lang() != "zh":
        return "DejaVu Sans Mono"
    from matplotlib import font_manager

    fonts()  # registers the Chinese font, or refuses to go on without it
    names = {f.name for f in font_manager.fontManager.ttflist}
    return CJK_MONO if CJK_MONO in names else CJK_FONT


def _drawable(text: str, family: str = "DejaVu Sans Mono") -> str:
    """Text with characters the font lacks (such as Chinese names) replaced by '?'."""
    known = _glyphs(family)
    return "".join(ch if ord(ch) in known or ch == "\n" else "?" for ch in text)


def _text_page(pdf: PdfPages, heading: str, lines: list[str]) -> None:
    """Pages of plain text (A4 portrait) for headings, paragraphs and tables."""
    import textwrap

    style()
    wrapped = []
    for line in lines:
        width = 60 if get_lang() == "zh" else 110  # Chinese characters are twice as wide
        wrapped += textwrap.wrap(_drawable(line, _mono()), width) or [""]
    per_page = 64
    for start in range(0, max(len(wrapped), 1), per_page):
        fig = plt.figure(figsize=(8.27, 11.69))
        fig.text(
            0.06,
            0.96,
            heading + (term("report.continued") if start else ""),
            fontsize=13,
            va="top",
            color="#0072B2",
        )
        fig.text(
            0.06,
            0.93,
            "\n".join(wrapped[start : start + per_page]),
            fontsize=7,
            family=_mono(),
            va="top",
        )
        pdf.savefig(fig)
        plt.close(fig)


def _table_lines(table: Table) -> list[str]:
    widths = [
        min(max(len(h), *(len(r[i]) for r in table.rows)) if table.rows else len(h), 48)
        for i, h in enumerate(table.header)
    ]

    def line(cells: list[str]) -> str:
        return "  ".join(c[:w].ljust(w) for c, w in zip(cells, widths, strict=False))

    out = [line(table.header), line(["-" * w for w in widths])]
    out += [line(r) for r in table.rows]
    if table.note:
        out.append(table.note)
    return [*out, ""]


def render(folder: ResultsFolder, html_path: Path, pdf_path: Path | None = None) -> list[Path]:
    """Write the HTML report (and the PDF) of a folder, atomically; return the paths."""
    title = title_of(folder)
    parts = [
        f"<h1>{html.escape(title)}</h1>",
        f"<p class='source'>{html.escape(folder.source)}</p>",
    ]
    parts_nav = []
    written = []
    with _pdf_pages(pdf_path) as pdf:
        if pdf is not None:
            _text_page(pdf, title, [folder.source, ""])
        for section in sections(folder):
            anchor = _anchor(section.title)
            parts_nav.append(f"<li><a href='#{anchor}'>{html.escape(section.title)}</a></li>")
            parts.append(f"<h2 id='{anchor}'>{html.escape(section.title)}</h2>")
            lines: list[str] = []
            for block in section.blocks:
                if isinstance(block, str):
                    parts.append(f"<p>{html.escape(block)}</p>")
                    lines += [block, ""]
                elif isinstance(block, Table):
                    parts.append(_html_table(block))
                    lines += _table_lines(block)
                else:
                    if pdf is not None and lines:
                        _text_page(pdf, section.title, lines)
                        lines = []
                    kind = KINDS[block[1]]
                    for name, fig in draw(folder, [kind.name]):
                        data = base64.b64encode(_png(fig)).decode("ascii")
                        if pdf is not None:
                            pdf.savefig(fig)
                        plt.close(fig)
                        parts.append(
                            f"<figure id='fig-{html.escape(name)}'>"
                            f"<img src='data:image/png;base64,{data}' "
                            f"alt='{html.escape(kind.caption)}'>"
                            f"<figcaption>{html.escape(kind.caption)} "
                            f"({html.escape(name)})</figcaption></figure>"
                        )
            if pdf is not None and lines:
                _text_page(pdf, section.title, lines)
    nav = f"<nav><ul>{''.join(parts_nav)}</ul></nav>"
    document = (
        f"<!DOCTYPE html>\n<html lang='{get_lang()}'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{html.escape(title)}</title><style>{CSS}</style></head><body>"
        f"{parts[0]}{parts[1]}{nav}{''.join(parts[2:])}</body></html>\n"
    )
    write_text(html_path, document)
    written.append(html_path)
    if pdf_path is not None:
        written.append(pdf_path)
    return written


def write_report(
    results: str | Path, out: str | Path | None = None, pdf: bool = False, lang: str | None = None
) -> list[Path]:
    """Write the report of a results folder.

    Args:
        results: The results folder (from ``run``, ``compare`` or ``sensitivity``).
        out: The HTML file (default ``RESULTS/report.html``).
        pdf: Also write the same content as a PDF beside it (``.pdf``).
        lang: Language of the report, ``en`` or ``zh`` (default: the current language).

    Returns:
        The files written.

    Raises:
        InputError: If the folder or a file in it cannot be used.
    """
    folder = ResultsFolder(results)
    html_path = Path(out) if out is not None else folder.path / "report.html"
    if html_path.exists() and html_path.is_dir():
        raise InputError("is a folder; --out names the HTML file to write", str(html_path))
    if pdf and html_path.suffix.lower() == ".pdf":
        raise InputError(
            "names a PDF; --out names the HTML file, and --pdf writes the PDF beside it "
            f"({html_path.with_suffix('.pdf').name} next to {html_path.stem}.html)",
            str(html_path),
        )
    with using(lang):
        return render(folder, html_path, html_path.with_suffix(".pdf") if pdf else None)
