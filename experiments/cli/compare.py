"""Commands for paired experiments: ``compare`` (scenarios) and ``attribute`` (one lever)."""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from ...i18n import has_term, term, tr
from ...scenarios.errors import InputError
from ...scenarios.loader import load_scenario, parse_override, resolve, scenario_to_dict
from ..outputs.folders import folder_name, provenance
from ..runs.parallel import default_workers
from .lang_option import LangOption, use_lang
from .run import SetOption
from .validity import _bar

ReplicatesOpt = Annotated[
    int, typer.Option(min=2, help="Replicates per scenario (paired by seed; at least 2).")
]
SeedOpt = Annotated[int, typer.Option(min=0, help="Master seed of the replicate seeds.")]
WorkersOpt = Annotated[
    int | None,
    typer.Option("--workers", "-w", min=1, help="Parallel processes (default: all cores)."),
]
QuietOpt = Annotated[bool, typer.Option(help="No progress bar or summary.")]


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("compare")(compare)
    app.command("attribute")(attribute)


def overrides_of(texts: Sequence[str] | None) -> dict[str, Any]:
    """``--set`` strings as a mapping from dotted path to value."""
    out: dict[str, Any] = {}
    for text in texts or []:
        keys, value = parse_override(text)
        out[".".join(keys)] = value
    return out


def slug(names: Sequence[str]) -> str:
    """A folder-safe name built from scenario names."""
    return "-vs-".join(folder_name(n) for n in names)[:100]


def run_manifest(command: str, started: datetime, seconds: float, **extra: Any) -> dict:
    """Provenance of an experiment: command, times, software and what was run."""
    return {
        "command": " ".join(["zhaoshang", command, *sys.argv[2:]]),
        "started_at": started.isoformat(),
        "finished_at": datetime.now(UTC).isoformat(),
        "seconds": round(seconds, 3),
        **extra,
        **provenance(),
    }


def compare(
    scenarios: Annotated[
        list[str], typer.Argument(help="Two or more scenarios; the first is the reference.")
    ],
    replicates: ReplicatesOpt = 10,
    seed: SeedOpt = 1,
    workers: WorkersOpt = None,
    set_: SetOption = None,
    kpi: Annotated[
        list[str] | None,
        typer.Option("--kpi", help="KPI for the table and figure (repeatable; default: headline)."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Results folder (default results/compare-<scenarios>).")
    ] = None,
    quiet: QuietOpt = False,
    lang: LangOption = None,
) -> None:
    """Compare scenarios over paired replicates (replicate i of each uses the same seed)."""
    use_lang(lang)
    from ..analysis.compare import (
        headline_kpis,
        replicate_seeds,
        run_comparison,
        summarise,
        write_comparison,
    )

    if len(scenarios) < 2:
        raise InputError("give at least two scenarios to compare (the first is the reference)")
    if len(set(scenarios)) != len(scenarios):
        raise InputError(f"each scenario may be named only once: {' '.join(scenarios)}")
    workers = workers or default_workers()
    overrides = overrides_of(set_)
    resolved = {s: scenario_to_dict(load_scenario(s, overrides)) for s in scenarios}
    started, clock = datetime.now(UTC), time.perf_counter()
    with _bar("compare", replicates * len(scenarios), quiet) as advance:
        reps, seconds = run_comparison(
            scenarios, replicates, seed, overrides, workers, on_result=lambda i, r: advance()
        )
    table = summarise(reps, scenarios)
    present = set(table["kpi"])
    unknown = [k for k in kpi or [] if k not in present]
    if unknown:
        raise InputError(
            f"no KPI named {', '.join(unknown)}; scalar KPIs: {', '.join(sorted(present))}",
            "--kpi",
        )
    shown = list(kpi) if kpi else headline_kpis(sorted(present))
    out = out or Path("results") / f"compare-{slug(scenarios)}"
    names = term("source.versus").join(scenarios)
    source = tr("source.compare", names=names, seed=tr("source.seed", seed=seed))
    source += tr("source.replicates", n=replicates)
    manifest = run_manifest(
        "compare",
        started,
        time.perf_counter() - clock,
        scenarios=scenarios,
        scenario_chains={s: resolve(s).chain for s in scenarios},
        replicates=replicates,
        master_seed=seed,
        seeds=replicate_seeds(seed, replicates),
        overrides=overrides,
        workers=workers,
        run_seconds=seconds,
        resolved_scenarios=resolved,
    )
    write_comparison(out, reps, table, manifest, shown, source)
    if not quiet:
        _print_compare(table, shown, scenarios)
        typer.echo(tr("cli.results_in", out=out))


def _print_compare(table, kpis: Sequence[str], scenarios: Sequence[str]) -> None:
    from rich.console import Console
    from rich.table import Table

    from ..analysis.compare import fmt_number, fmt_p

    view = Table(title=tr("cli.paired_from", ref=scenarios[0]), title_justify="left")
    view.add_column(term("summary.kpi"))
    view.add_column(scenarios[0], justify="right")
    for s in scenarios[1:]:
        view.add_column(tr("report.diff_ci", name=s, ref="ref"), justify="right")
        view.add_column("p", justify="right")
    indexed = table.set_index(["scenario", "kpi"])
    for k in kpis:
        name = term(f"kpi.{k}") if has_term(f"kpi.{k}") else k
        cells = [name, fmt_number(indexed.loc[(scenarios[0], k), "mean"])]
        for s in scenarios[1:]:
            r = indexed.loc[(s, k)]
            cells += [
                f"{fmt_number(r['diff_mean'])} [{fmt_number(r['diff_lo'])}, "
                f"{fmt_number(r['diff_hi'])}]",
                fmt_p(r["p_value"]),
            ]
        view.add_row(*cells)
    Console().print(view)


def attribute(
    scenario: Annotated[str, typer.Argument(help="Library name or path of the scenario.")],
    lever: Annotated[
        list[str] | None,
        typer.Option(
            "--lever",
            help="The change to attribute: dotted.path=VALUE (repeatable; applied together).",
        ),
    ] = None,
    replicates: ReplicatesOpt = 10,
    seed: SeedOpt = 1,
    workers: WorkersOpt = None,
    set_: SetOption = None,
    out: Annotated[
        Path | None, typer.Option(help="Results folder (default results/attribute-<scenario>).")
    ] = None,
    quiet: QuietOpt = False,
    lang: LangOption = None,
) -> None:
    """Attribute entrants to a lever: the same seeds run with and without it, firm by firm."""
    use_lang(lang)
    from ..analysis.attribute import (
        attribution_table,
        incentive_direction,
        markdown_report,
        parse_levers,
        redundancy,
        redundancy_summary,
        run_attribution,
        write_attribution,
    )

    workers = workers or default_workers()
    overrides = overrides_of(set_)
    levers = parse_levers(lever or [], scenario, overrides)
    base = load_scenario(scenario, overrides)
    arm, note = incentive_direction(levers, scenario_to_dict(base), base.focus)
    started, clock = datetime.now(UTC), time.perf_counter()
    with _bar("attribute", replicates, quiet) as advance:
        pairs = run_attribution(
            scenario, levers, replicates, seed, overrides, workers,
            on_result=lambda i, r: advance(),
        )  # fmt: skip
    table = attribution_table(pairs, list(base.sectors))
    per_rep = redundancy(pairs, arm) if arm else None
    summary = redundancy_summary(per_rep) if per_rep is not None else None
    report = markdown_report(scenario, levers, table, summary, note, replicates, seed)
    out = out or Path("results") / f"attribute-{slug([scenario])}"
    manifest = run_manifest(
        "attribute",
        started,
        time.perf_counter() - clock,
        scenario_name=scenario,
        scenario_chain=resolve(scenario).chain,
        focus=base.focus,
        levers=levers,
        overrides=overrides,
        replicates=replicates,
        master_seed=seed,
        seeds=[p["seed"] for p in pairs],
        workers=workers,
        incentivised_arm=arm,
        redundancy_note=note,
        redundancy=summary,
        scenario=scenario_to_dict(base),
    )
    write_attribution(out, table, per_rep, report, manifest)
    if not quiet:
        typer.echo(report)
        typer.echo(tr("cli.results_in", out=out))
