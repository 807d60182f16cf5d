"""The lever audit: ``zhaoshang levers SCENARIO``."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from ...i18n import tr
from ...scenarios.errors import InputError
from ...scenarios.loader import load_scenario, resolve
from ..runs.parallel import default_workers
from .compare import QuietOpt, SeedOpt, WorkersOpt, overrides_of, run_manifest, slug
from .lang_option import LangOption, use_lang
from .run import SetOption
from .validity import _bar

ArmReplicatesOpt = Annotated[
    int, typer.Option(min=2, help="Replicates per arm, low and high paired by seed (at least 2).")
]


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("levers")(levers)


def levers(
    scenario: Annotated[str, typer.Argument(help="Library name or path of the scenario.")],
    replicates: ArmReplicatesOpt = 6,
    seed: SeedOpt = 1,
    workers: WorkersOpt = None,
    set_: SetOption = None,
    lever: Annotated[
        list[str] | None,
        typer.Option(
            "--lever",
            help="Audit only this lever, by its schema path (e.g. governments.*.service.quality;"
            " repeatable; default: every lever the schema declares).",
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Results folder (default results/levers-<scenario>).")
    ] = None,
    quiet: QuietOpt = False,
    lang: LangOption = None,
) -> None:
    """Audit every lever: low vs high value, paired seeds; flags ok, no effect, unexpected sign."""
    use_lang(lang)
    from ..analysis.compare import replicate_seeds
    from ..analysis.levers import (
        FLAGS,
        flag_label,
        lever_runs,
        plan_levers,
        run_levers,
        schema_levers,
        summarise,
        write_levers,
    )

    workers = workers or default_workers()
    overrides = overrides_of(set_)
    base = load_scenario(scenario, overrides)
    declared = schema_levers()
    if lever:
        known = {d.path for d in declared}
        unknown = [p for p in lever if p not in known]
        if unknown:
            raise InputError(
                f"no lever named {', '.join(unknown)}; levers: {', '.join(sorted(known))}",
                "--lever",
            )
        declared = [d for d in declared if d.path in set(lever)]
    runs = lever_runs(base, declared)
    if not runs:
        raise InputError(tr("levers.none"), scenario)
    for run in runs:  # a bad arm stops here, with the field path, before any run
        for arm in (run.low, run.high):
            load_scenario(scenario, {**overrides, **arm})
    started, clock = datetime.now(UTC), time.perf_counter()
    plan = plan_levers(scenario, runs, replicates, seed, overrides)
    with _bar("levers", len(plan.tasks), quiet) as advance:
        reps, seconds = run_levers(plan, workers, on_result=lambda i, r: advance())
    table = summarise(reps, runs)
    elapsed = time.perf_counter() - clock
    source = tr("levers.source", name=scenario, seed=tr("source.seed", seed=seed), n=replicates)
    out = out or Path("results") / f"levers-{slug([scenario])}"
    manifest = run_manifest(
        "levers",
        started,
        elapsed,
        scenario_name=scenario,
        scenario_chain=resolve(scenario).chain,
        focus=base.focus,
        levers={r.path: {"low": r.low, "high": r.high, **r.lever.as_dict()} for r in runs},
        overrides=overrides,
        replicates=replicates,
        master_seed=seed,
        seeds=replicate_seeds(seed, replicates),
        workers=workers,
        runs=len(seconds),
        run_seconds=seconds,
    )
    write_levers(out, reps, table, runs, manifest, source)
    if not quiet:
        counts = table["flag"].value_counts()
        flags = ", ".join(f"{flag_label(f)} {int(counts.get(f, 0))}" for f in FLAGS)
        typer.echo(
            tr(
                "levers.done",
                n=len(runs),
                name=scenario,
                runs=len(seconds),
                seconds=f"{elapsed:.1f}",
                flags=flags,
            )
        )
        typer.echo(tr("cli.results_in", out=out))
