"""The lever audit: every lever and behavioural uncertainty moved from its low to its high value.

Each parameter the schema declares with a ``lever`` (:func:`zhaoshang.scenarios.fields.lever`:
low and high values, the expected direction of the effect on each main KPI and the reason) is
run at its low and at its high value with the same seeds (replicate ``i`` of both arms uses
seed ``i``, so the difference is paired, as in :mod:`.compare`). For each lever and each main
KPI (:data:`~zhaoshang.scenarios.fields.LEVER_KPIS`) the audit reports the mean paired
difference high - low with its 95% t-interval and flags the lever:

- ``unexpected sign``: on some KPI with an expected direction, the interval excludes zero on
  the wrong side;
- ``no effect``: on no main KPI does the interval exclude zero (the lever is dead or too weak
  to be seen with these replicates);
- ``ok`` otherwise.

A lever of a table (``parks.*.land_ha``) moves every entry of the table that belongs to the
focus government together (every entry for tables without a government, such as sectors);
a lever of ``governments.*`` moves the focus government only.
"""

from __future__ import annotations

import json
import math
import types
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple, Union, get_args, get_origin

import numpy as np
import pandas as pd
from pydantic import BaseModel

from ...i18n import has_term, term, tr
from ...scenarios import Scenario
from ...scenarios.fields import DOWN, LEVER_KPIS, UP, Lever, value_at
from ..outputs.folders import atomic_dir, write_json, write_text
from ..runs.parallel import map_tasks
from .compare import RunTask, fmt_number, paired_difference, replicate_seeds, run_task

#: Flags of a lever, in the order of their precedence.
UNEXPECTED, NO_EFFECT, OK = "unexpected sign", "no effect", "ok"
FLAGS = (UNEXPECTED, NO_EFFECT, OK)
#: Glossary key of each flag.
FLAG_TERMS = {
    UNEXPECTED: "levers.flag.unexpected",
    NO_EFFECT: "levers.flag.no_effect",
    OK: "levers.flag.ok",
}
#: Low and high arm of a lever.
ARMS = ("low", "high")


class SchemaLever(NamedTuple):
    """A field of the schema declared as a lever.

    Attributes:
        path: Its generic dotted path; ``*`` stands for the entries of a table
            (``governments.*.service.quality``).
        lever: Its declaration (low, high, reason, kind, expected effects).
        description: The field's description.
    """

    path: str
    lever: Lever
    description: str


class LeverRun(NamedTuple):
    """A lever as applied to one scenario.

    Attributes:
        path: The generic path (see :class:`SchemaLever`).
        lever: Its declaration.
        low: Overrides (dotted path -> value) of the low arm.
        high: Overrides of the high arm.
    """

    path: str
    lever: Lever
    low: dict[str, Any]
    high: dict[str, Any]


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _table_item(annotation: Any) -> type[BaseModel] | None:
    """The model class of the values of a ``dict[str, Model]`` field, else ``None``."""
    args = get_args(annotation)
    if get_origin(annotation) is dict and len(args) == 2 and _is_model(args[1]):
        return args[1]
    return None


def _optional_model(annotation: Any) -> type[BaseModel] | None:
    """The model class of a ``Model | None`` field (an optional table), else ``None``."""
    if get_origin(annotation) in (Union, types.UnionType):
        models = [a for a in get_args(annotation) if _is_model(a)]
        if len(models) == 1 and type(None) in get_args(annotation):
            return models[0]
    return None


def schema_fields(model: type[BaseModel] = Scenario, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Every leaf field of the schema as (generic dotted path, pydantic ``FieldInfo``).

    Tables keyed by id appear once, with ``*`` for the key; nested and optional tables
    (``programme``) are walked into; a list of tables (``schedule``) is one leaf.
    """
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        annotation = info.annotation
        item = _table_item(annotation)
        table = annotation if _is_model(annotation) else _optional_model(annotation)
        if item is not None:
            yield from schema_fields(item, f"{path}.*.")
        elif table is not None:
            yield from schema_fields(table, f"{path}.")
        else:
            yield path, info


def schema_levers() -> list[SchemaLever]:
    """Every field the schema declares as a lever, in the schema's order."""
    out = []
    for path, info in schema_fields():
        extra = info.json_schema_extra or {}
        if "lever" in extra:
            declared = dict(extra["lever"])
            out.append(
                SchemaLever(path=path, lever=Lever(**declared), description=info.description or "")
            )
    return out


def _entries(scenario: Scenario, table: str) -> list[str]:
    """Ids of a table's entries that a lever moves (see the module's docstring)."""
    items = getattr(scenario, table)
    if table == "governments":
        return [scenario.focus] if scenario.focus in items else []
    return [
        k for k, v in items.items() if getattr(v, "government", scenario.focus) == scenario.focus
    ]


def lever_runs(scenario: Scenario, levers: Sequence[SchemaLever] | None = None) -> list[LeverRun]:
    """The levers that apply to a scenario, with the overrides of their two arms.

    A lever of a table without an entry of the focus government (a scenario without
    offices) does not apply and is left out.
    """
    out = []
    for item in schema_levers() if levers is None else levers:
        head, _, rest = item.path.partition(".*.")
        paths = (
            [item.path] if not rest else [f"{head}.{k}.{rest}" for k in _entries(scenario, head)]
        )
        if not paths:
            continue
        arms = {}
        for arm in ARMS:
            value = getattr(item.lever, arm)
            arms[arm] = {
                p: _scaled(value_at(scenario, p), value) if item.lever.relative else value
                for p in paths
            }
        out.append(LeverRun(path=item.path, lever=item.lever, low=arms["low"], high=arms["high"]))
    return out


def _scaled(base: Any, factor: float) -> Any:
    """``base * factor``, kept an integer for an integer field."""
    value = base * factor
    return round(value) if isinstance(base, int) and not isinstance(base, bool) else value


# --------------------------------------------------------------------------- running
def _key(overrides: Mapping[str, Any], seed: int) -> str:
    return json.dumps([seed, sorted(overrides.items())], default=str)


class Plan(NamedTuple):
    """The runs of a lever audit.

    Attributes:
        tasks: The distinct runs (the same overrides and seed are run once, even when two
            levers share an arm).
        rows: For every (replicate, lever, arm): ``(lever path, arm, replicate, seed, index
            of its task)``.
    """

    tasks: list[RunTask]
    rows: list[tuple[str, str, int, int, int]]


def plan_levers(
    scenario: str,
    runs: Sequence[LeverRun],
    replicates: int,
    seed: int,
    overrides: Mapping[str, Any] | None = None,
) -> Plan:
    """Both arms of every lever, ``replicates`` times, replicate ``i`` with seed ``i``."""
    base = dict(overrides or {})
    index: dict[str, int] = {}
    tasks: list[RunTask] = []
    rows = []
    for i, s in enumerate(replicate_seeds(seed, replicates)):
        for run in runs:
            for arm in ARMS:
                arm_overrides = {**base, **getattr(run, arm)}
                key = _key(arm_overrides, s)
                if key not in index:
                    index[key] = len(tasks)
                    tasks.append(
                        RunTask(scenario=scenario, replicate=i, seed=s, overrides=arm_overrides)
                    )
                rows.append((run.path, arm, i, s, index[key]))
    return Plan(tasks=tasks, rows=rows)


def run_levers(
    plan: Plan,
    workers: int = 1,
    on_result: Callable[[int, Any], None] | None = None,
) -> tuple[pd.DataFrame, list[float]]:
    """Run a lever audit's plan on ``workers`` local processes.

    Returns:
        The replicates table (lever, arm, replicate, seed, one column per scalar KPI) and the
        seconds of each distinct run.
    """
    results = map_tasks(run_task, plan.tasks, workers=workers, on_result=on_result)
    rows = [
        {"lever": path, "arm": arm, "replicate": i, "seed": s, **results[k]["scalars"]}
        for path, arm, i, s, k in plan.rows
    ]
    return pd.DataFrame(rows), [r["seconds"] for r in results]


# --------------------------------------------------------------------------- analysis
def wrong_signs(effects: Mapping[str, int], diffs: Mapping[str, Mapping[str, float]]) -> list[str]:
    """The KPIs whose 95% interval excludes zero on the side opposite to the expected one.

    Args:
        effects: Expected direction (UP or DOWN) per KPI that has one.
        diffs: Per KPI, ``diff_lo`` and ``diff_hi`` of the 95% interval of high - low.
    """
    return [
        kpi
        for kpi, direction in effects.items()
        if (direction == UP and diffs[kpi]["diff_hi"] < 0)
        or (direction == DOWN and diffs[kpi]["diff_lo"] > 0)
    ]


def flag_of(effects: Mapping[str, int], diffs: Mapping[str, Mapping[str, float]]) -> str:
    """The flag of a lever from its paired differences on the main KPIs.

    Args:
        effects: Expected direction (UP or DOWN) per KPI that has one.
        diffs: Per KPI, ``diff_lo`` and ``diff_hi`` of the 95% interval of high - low.

    Returns:
        :data:`UNEXPECTED` if an interval excludes zero on the side opposite to the expected
        direction, else :data:`NO_EFFECT` if no interval excludes zero, else :data:`OK`.
    """
    if wrong_signs(effects, diffs):
        return UNEXPECTED
    clear = [d for d in diffs.values() if d["diff_lo"] > 0 or d["diff_hi"] < 0]
    return OK if clear else NO_EFFECT


def summarise(replicates: pd.DataFrame, runs: Sequence[LeverRun]) -> pd.DataFrame:
    """One row per lever: its arms, flag and, per main KPI, expectation and paired effect.

    Columns: ``lever, kind, low, high, flag, unexpected`` (the KPIs of a wrong sign), then for
    each KPI ``k``: ``k_expected`` (+1, -1 or 0), ``k_low`` (mean of the low arm), ``k_diff``,
    ``k_lo``, ``k_hi`` (mean paired difference high - low and its 95% interval), ``k_p``.
    """
    rows = []
    for run in runs:
        arms = {
            arm: replicates[(replicates["lever"] == run.path) & (replicates["arm"] == arm)]
            .set_index("replicate")
            .sort_index()
            for arm in ARMS
        }
        effects = run.lever.effects or {}
        row: dict[str, Any] = {
            "lever": run.path,
            "kind": run.lever.kind,
            "low": _arm_text(run.lever.low, run.lever.relative),
            "high": _arm_text(run.lever.high, run.lever.relative),
        }
        diffs = {}
        for kpi in LEVER_KPIS:
            low = arms["low"][kpi].to_numpy(float)
            diffs[kpi] = paired_difference(low, arms["high"][kpi].to_numpy(float))
            row[f"{kpi}_expected"] = effects.get(kpi, 0)
            row[f"{kpi}_low"] = float(np.nanmean(low)) if len(low) else math.nan
            row[f"{kpi}_diff"] = diffs[kpi]["diff_mean"]
            row[f"{kpi}_lo"] = diffs[kpi]["diff_lo"]
            row[f"{kpi}_hi"] = diffs[kpi]["diff_hi"]
            row[f"{kpi}_p"] = diffs[kpi]["p_value"]
        row["flag"] = flag_of(effects, diffs)
        row["unexpected"] = " ".join(wrong_signs(effects, diffs))
        row["replicates"] = int(min(len(a) for a in arms.values()))
        rows.append(row)
    head = ["lever", "kind", "low", "high", "flag", "unexpected", "replicates"]
    cols = [f"{k}_{c}" for k in LEVER_KPIS for c in ("expected", "low", "diff", "lo", "hi", "p")]
    return pd.DataFrame(rows, columns=head + cols)


def _arm_text(value: Any, relative: bool) -> str:
    """An arm's value as text: ``x0.5`` for a factor, ``true`` for a switch."""
    if isinstance(value, bool):
        return str(value).lower()
    return (
        f"x{value:g}"
        if relative
        else (f"{value:g}" if isinstance(value, float | int) else str(value))
    )


def percent(row: Mapping[str, Any], kpi: str, column: str = "diff") -> float:
    """A difference of a lever's row as a percentage of the KPI's mean in the low arm."""
    base = row[f"{kpi}_low"]
    value = row[f"{kpi}_{column}"]
    if not (np.isfinite(base) and base != 0 and np.isfinite(value)):
        return math.nan
    return 100.0 * value / abs(base)


# --------------------------------------------------------------------------- reporting
def _arrow(direction: int) -> str:
    return {UP: "↑", DOWN: "↓"}.get(direction, "")


def _effect_cell(row: Mapping[str, Any], kpi: str) -> str:
    """``expected arrow, difference [lo, hi] (percent)``, bold when the interval excludes 0."""
    lo, hi, diff = row[f"{kpi}_lo"], row[f"{kpi}_hi"], row[f"{kpi}_diff"]
    text = f"{fmt_number(diff)} [{fmt_number(lo)}, {fmt_number(hi)}]"
    share = percent(row, kpi)
    if np.isfinite(share):
        text += f" ({share:+.0f}%)"
    if lo > 0 or hi < 0:
        text = f"**{text}**"
    arrow = _arrow(int(row[f"{kpi}_expected"]))
    return f"{arrow} {text}" if arrow else text


def flag_label(flag: str) -> str:
    """A flag in the current language."""
    return term(FLAG_TERMS[flag])


def markdown_table(table: pd.DataFrame, title: str = "") -> str:
    """The audit as Markdown: one row per lever, then the reason of each lever's expectations.

    Args:
        table: The summary (:func:`summarise`).
        title: Heading line written above the table.

    Returns:
        Markdown text.
    """
    head = [
        term("levers.col.lever"),
        term("levers.col.kind"),
        term("levers.col.arms"),
        term("levers.col.flag"),
    ]
    head += [term(f"kpi.{k}") if has_term(f"kpi.{k}") else k for k in LEVER_KPIS]
    lines = [f"# {title}", ""] if title else []
    lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for _, row in table.iterrows():
        cells = [
            f"`{row['lever']}`",
            term(f"levers.kind.{row['kind']}"),
            f"{row['low']} → {row['high']}",
            flag_label(row["flag"]),
        ]
        cells += [_effect_cell(row, k) for k in LEVER_KPIS]
        lines.append("| " + " | ".join(cells) + " |")
    counts = table["flag"].value_counts()
    summary = ", ".join(f"{flag_label(f)}: {int(counts.get(f, 0))}" for f in FLAGS)
    n = int(table["replicates"].min()) if len(table) else 0
    lines += ["", tr("levers.note", n=n), "", tr("levers.count", n=len(table), flags=summary)]
    return "\n".join(lines) + "\n"


def reasons_markdown(runs: Sequence[LeverRun]) -> str:
    """The declared reason of every lever's expectations, as a Markdown list."""
    lines = [f"## {term('levers.reasons')}", ""]
    for run in runs:
        effects = ", ".join(
            f"{term(f'kpi.{k}')} {_arrow(d)}" for k, d in (run.lever.effects or {}).items()
        )
        lines.append(f"- `{run.path}` ({effects or '-'}): {run.lever.reason}")
    return "\n".join(lines) + "\n"


def write_levers(
    out: Path,
    replicates: pd.DataFrame,
    table: pd.DataFrame,
    runs: Sequence[LeverRun],
    manifest: Mapping[str, Any],
    source: str,
) -> None:
    """Write a lever-audit folder atomically (a temporary name, then renamed).

    Files: ``levers.csv``, ``levers.md``, ``replicates.csv``, ``manifest.json`` and
    ``figures/levers_tornado.png``.
    """
    from ..figures import save
    from ..figures.tornado import tornado

    with atomic_dir(Path(out)) as tmp:
        table.to_csv(tmp / "levers.csv", index=False, na_rep="")
        replicates.to_csv(tmp / "replicates.csv", index=False, na_rep="")
        text = markdown_table(table, source) + "\n" + reasons_markdown(runs)
        write_text(tmp / "levers.md", text)
        write_json(tmp / "manifest.json", dict(manifest))
        save(tornado(table, source), tmp / "figures" / "levers_tornado")
