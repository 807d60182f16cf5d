"""Counterfactual attribution: which entrants a lever change gains or loses, firm by firm.

Each replicate runs the scenario twice with the same seed: as given (the *base* arm) and with
the lever changed (the *lever* arm). Every random number is keyed by (seed, firm, month,
purpose), so firm ``i`` is the same firm with the same dice in both arms, and its fate can be
compared directly: an entrant of the focus city in the lever arm only is *gained*, in the base
arm only *lost*, in both *unchanged*.

For incentive levers (paths ``governments.<focus>.incentives.*``) the attribution also
reports the *incentive redundancy*: the share of the incentivised arm's entrants who enter in
the other arm as well, that is, who would have come without the extra incentive. Its interval
is a t-interval over the replicates.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ...model.state.codes import CHANNEL_NAMES, Cause, Stage
from ...scenarios.errors import InputError
from ...scenarios.loader import load_scenario, parse_override, scenario_to_dict
from ..outputs.folders import atomic_dir, write_json, write_text
from ..runs.parallel import map_tasks
from ..runs.run import build_model, run_model
from .compare import fmt_number, mean_interval, replicate_seeds

#: Columns of ``attribution.csv``, in order (means per replicate and the net change's interval).
COLUMNS = [
    "dimension",
    "group",
    "base_entrants",
    "lever_entrants",
    "gained",
    "lost",
    "unchanged",
    "net",
    "net_lo",
    "net_hi",
]

#: Incentive fields for which a larger value means a larger incentive.
INCENTIVE_AMOUNTS = ("land_discount", "tax_rebate", "rebate_years", "subsidy_per_job_yuan")


# --------------------------------------------------------------------------- levers
def parse_levers(texts: Sequence[str], scenario: str, overrides: Mapping[str, Any]) -> dict:
    """Read ``PATH=VALUE`` levers and check that each names a parameter of the scenario.

    ``governments.<gov>.incentives=none`` stands for every incentive amount of that
    government set to zero (``INCENTIVE_AMOUNTS``): the paired run without incentives.

    Args:
        texts: The ``--lever`` arguments.
        scenario: Library name or path of the scenario.
        overrides: ``--set`` overrides applied to both arms.

    Returns:
        Mapping from dotted path to value.

    Raises:
        InputError: If a lever is malformed, names no parameter or gives a value the schema
            refuses.
    """
    if not texts:
        raise InputError("give at least one lever, for example --lever "
                         "governments.ruzhou.incentives.tax_rebate=0", "--lever")
    base = scenario_to_dict(load_scenario(scenario, dict(overrides)))
    levers: dict[str, Any] = {}
    for text in texts:
        if "=" not in text or not text.partition("=")[0].strip():
            raise InputError(
                f"{text!r} must look like path.to.parameter=VALUE, for example "
                "governments.ruzhou.incentives.tax_rebate=0",
                "--lever",
            )
        keys, value = parse_override(text)
        node: Any = base
        for depth, key in enumerate(keys):
            if not isinstance(node, dict) or key not in node:
                where = ".".join(keys[:depth]) or "the top level"
                known = ", ".join(sorted(node)) if isinstance(node, dict) else "none (a value)"
                raise InputError(
                    f"{'.'.join(keys)} names no parameter of {scenario}: {where} has no key "
                    f"{key!r} (keys there: {known})",
                    "--lever",
                )
            node = node[key]
        if isinstance(node, dict) and keys[-1] == "incentives" and value == "none":
            levers.update({".".join([*keys, name]): 0 for name in INCENTIVE_AMOUNTS})
            continue
        if isinstance(node, dict):
            raise InputError(
                f"{'.'.join(keys)} is a table, not a parameter; name one of its keys "
                f"({', '.join(sorted(node))})",
                "--lever",
            )
        levers[".".join(keys)] = value
    try:
        load_scenario(scenario, {**overrides, **levers})
    except InputError as exc:
        message = f"the lever arm is not a valid scenario: {exc.message}"
        raise InputError(message, "--lever") from None
    return levers


def incentive_direction(
    levers: Mapping[str, Any], base: Mapping[str, Any], focus: str
) -> tuple[str | None, str]:
    """Which arm is the incentivised one, if the levers are all incentive levers.

    Args:
        levers: The lever changes (dotted path -> value).
        base: The base arm's resolved scenario as plain data.
        focus: The focus government.

    Returns:
        ``("base" | "lever", reason)`` or ``(None, reason)`` when redundancy does not apply.
    """
    prefix = f"governments.{focus}.incentives."
    directions = set()
    for path, value in levers.items():
        if not path.startswith(prefix):
            return None, f"{path} is not an incentive of the focus city {focus!r}"
        name = path[len(prefix) :]
        current = base["governments"][focus]["incentives"][name]
        if name in INCENTIVE_AMOUNTS:
            if value < current:
                directions.add("base")
            elif value > current:
                directions.add("lever")
        elif name == "performance_linked" and bool(value) != bool(current):
            directions.add("base" if value else "lever")  # linked rebates are the smaller offer
    if len(directions) > 1:
        return None, "the levers raise some incentives and lower others"
    if not directions:
        return "base", "the levers leave every incentive as it was, so both arms offer the same"
    arm = directions.pop()
    return arm, f"the {arm} arm offers the larger incentive"


# --------------------------------------------------------------------------- runs
@dataclass(frozen=True)
class PairTask:
    """One replicate of an attribution: both arms of one seed."""

    scenario: str
    replicate: int
    seed: int
    overrides: Mapping[str, Any] = field(default_factory=dict)
    levers: Mapping[str, Any] = field(default_factory=dict)


def focus_entrants(model) -> dict[str, np.ndarray]:
    """Firms that started operating in the focus city during the run, from the event log.

    Returns:
        ``{"firm", "sector", "channel"}`` arrays (one row per entrant, sorted by firm id).
    """
    ev = model.event_log.columns()
    mask = (
        (ev["to_stage"] == Stage.OPERATING)
        & (ev["cause"] == Cause.COMPLETED)
        & (ev["city"] == model.world.focus)
    )
    firm = ev["firm"][mask]
    order = np.argsort(firm, kind="stable")
    firm = firm[order]
    return {
        "firm": firm,
        "sector": model.firms.sector[firm].astype(np.int16),
        "channel": ev["channel"][mask][order].astype(np.int8),
    }


def run_pair(task: PairTask) -> dict[str, Any]:
    """Run both arms of one seed in a worker; return compact entrant arrays (picklable)."""
    out: dict[str, Any] = {"replicate": task.replicate, "seed": task.seed}
    arms = {"base": dict(task.overrides), "lever": {**task.overrides, **task.levers}}
    for arm, overrides in arms.items():
        model = build_model(task.scenario, overrides, task.seed, firm_agents=False)
        run_model(model)
        out[arm] = focus_entrants(model)
    return out


def run_attribution(
    scenario: str,
    levers: Mapping[str, Any],
    replicates: int,
    seed: int,
    overrides: Mapping[str, Any] | None = None,
    workers: int = 1,
    on_result: Callable[[int, Any], None] | None = None,
) -> list[dict[str, Any]]:
    """Run every replicate's pair of arms (replicate seeds as in ``compare``)."""
    seeds = replicate_seeds(seed, replicates)
    tasks = [
        PairTask(scenario, i, s, dict(overrides or {}), dict(levers)) for i, s in enumerate(seeds)
    ]
    return map_tasks(run_pair, tasks, workers=workers, on_result=on_result)


# --------------------------------------------------------------------------- summaries
def classify(pair: Mapping[str, Any]) -> pd.DataFrame:
    """One row per firm that entered in either arm: its sector, channel and status.

    The channel is the one through which the firm entered (the base arm's for unchanged
    firms).
    """
    base, lever = pair["base"], pair["lever"]
    in_base = np.isin(base["firm"], lever["firm"])
    in_lever = np.isin(lever["firm"], base["firm"])
    parts = [
        (base["firm"][in_base], base["sector"][in_base], base["channel"][in_base], "unchanged"),
        (base["firm"][~in_base], base["sector"][~in_base], base["channel"][~in_base], "lost"),
        (lever["firm"][~in_lever], lever["sector"][~in_lever], lever["channel"][~in_lever],
         "gained"),
    ]
    return pd.DataFrame(
        {
            "firm": np.concatenate([p[0] for p in parts]),
            "sector": np.concatenate([p[1] for p in parts]),
            "channel": np.concatenate([p[2] for p in parts]),
            "status": np.concatenate([[p[3]] * len(p[0]) for p in parts]).astype(str),
        }
    )


def attribution_table(
    pairs: Sequence[Mapping[str, Any]], sector_ids: Sequence[str]
) -> pd.DataFrame:
    """Entrants gained, lost and unchanged, in total, by sector and by channel.

    Values are means per replicate; ``net`` (lever minus base entrants) has a 95% t-interval
    over replicates.
    """
    counts = []
    for pair in pairs:
        table = classify(pair)
        table["total"] = "all"
        table["sector"] = np.asarray(sector_ids)[table["sector"].to_numpy(int)]
        table["channel"] = np.asarray(CHANNEL_NAMES)[table["channel"].to_numpy(int)]
        for dimension in ("total", "sector", "channel"):
            grouped = table.groupby([dimension, "status"]).size().unstack(fill_value=0)
            for group, row in grouped.iterrows():
                counts.append({"dimension": dimension, "group": group, "replicate":
                               pair["replicate"], **{s: int(row.get(s, 0)) for s in
                                                     ("gained", "lost", "unchanged")}})
    frame = pd.DataFrame(counts, columns=["dimension", "group", "replicate", "gained", "lost",
                                          "unchanged"])
    n = len(pairs)
    rows = []
    for (dimension, group), part in frame.groupby(["dimension", "group"], sort=False):
        full = part.set_index("replicate")[["gained", "lost", "unchanged"]]
        full = full.reindex(range(n), fill_value=0).astype(float)
        net = mean_interval((full["gained"] - full["lost"]).to_numpy())
        rows.append(
            {
                "dimension": dimension,
                "group": group,
                "base_entrants": float((full["lost"] + full["unchanged"]).mean()),
                "lever_entrants": float((full["gained"] + full["unchanged"]).mean()),
                "gained": float(full["gained"].mean()),
                "lost": float(full["lost"].mean()),
                "unchanged": float(full["unchanged"].mean()),
                "net": net["mean"],
                "net_lo": net["lo"],
                "net_hi": net["hi"],
            }
        )
    order = {"total": 0, "sector": 1, "channel": 2}
    out = pd.DataFrame(rows, columns=COLUMNS)
    out["_o"] = out["dimension"].map(order)
    return out.sort_values(["_o", "group"]).drop(columns="_o").reset_index(drop=True)


def redundancy(pairs: Sequence[Mapping[str, Any]], incentivised: str) -> pd.DataFrame:
    """Per replicate: entrants of the incentivised arm and how many also enter without it."""
    other = "base" if incentivised == "lever" else "lever"
    rows = []
    for pair in pairs:
        with_incentive = pair[incentivised]["firm"]
        also = int(np.isin(with_incentive, pair[other]["firm"]).sum())
        n = len(with_incentive)
        rows.append(
            {
                "replicate": pair["replicate"],
                "seed": pair["seed"],
                "incentivised_entrants": n,
                "also_without": also,
                "redundancy": also / n if n else math.nan,
            }
        )
    return pd.DataFrame(rows)


def redundancy_summary(per_replicate: pd.DataFrame) -> dict[str, float]:
    """Mean redundancy with a 95% t-interval (clipped to [0, 1]) and the pooled ratio."""
    s = mean_interval(per_replicate["redundancy"].to_numpy(float))
    total = per_replicate["incentivised_entrants"].sum()
    return {
        "mean": s["mean"],
        "lo": max(s["lo"], 0.0) if np.isfinite(s["lo"]) else math.nan,
        "hi": min(s["hi"], 1.0) if np.isfinite(s["hi"]) else math.nan,
        "sd": s["sd"],
        "n": s["n"],
        "pooled": float(per_replicate["also_without"].sum() / total) if total else math.nan,
    }


def markdown_report(
    scenario: str,
    levers: Mapping[str, Any],
    table: pd.DataFrame,
    summary: Mapping[str, Any] | None,
    note: str,
    replicates: int,
    seed: int,
) -> str:
    """The attribution as Markdown: redundancy (if any) and the gained/lost table."""
    change = ", ".join(f"`{k} = {v!r}`" for k, v in levers.items())
    lines = [
        f"# Attribution: {scenario}, {change}",
        "",
        f"{replicates} replicates (master seed {seed}); each runs the scenario as given (base) "
        "and with the lever (lever) on the same seed. Firms are matched by id, so every "
        "difference is a firm whose fate the lever changed. Values are means per replicate.",
        "",
    ]
    if summary is not None:
        lines += [
            f"**Incentive redundancy: {summary['mean']:.3f} "
            f"[{summary['lo']:.3f}, {summary['hi']:.3f}]** (95% interval over replicates; "
            f"pooled {summary['pooled']:.3f}): the share of the incentivised arm's entrants "
            "who also enter without the incentive.",
            "",
        ]
    else:
        lines += [f"Incentive redundancy: not reported ({note}).", ""]
    head = ["dimension", "group", "base", "lever", "gained", "lost", "unchanged", "net [95% CI]"]
    lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in table.itertuples(index=False):
        lines.append(
            f"| {row.dimension} | {row.group} | {fmt_number(row.base_entrants)} | "
            f"{fmt_number(row.lever_entrants)} | {fmt_number(row.gained)} | "
            f"{fmt_number(row.lost)} | {fmt_number(row.unchanged)} | {fmt_number(row.net)} "
            f"[{fmt_number(row.net_lo)}, {fmt_number(row.net_hi)}] |"
        )
    return "\n".join(lines) + "\n"


def write_attribution(
    out: Path,
    table: pd.DataFrame,
    per_replicate: pd.DataFrame | None,
    report: str,
    manifest: Mapping[str, Any],
) -> None:
    """Write ``attribution.csv``, ``attribution.md``, ``redundancy.csv`` and ``manifest.json``."""
    with atomic_dir(Path(out)) as tmp:
        table.to_csv(tmp / "attribution.csv", index=False, na_rep="")
        if per_replicate is not None:
            per_replicate.to_csv(tmp / "redundancy.csv", index=False, na_rep="")
        write_text(tmp / "attribution.md", report)
        write_json(tmp / "manifest.json", dict(manifest))
