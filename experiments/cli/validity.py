"""Commands for validity: ``replicate`` (many seeds of one scenario) and ``calibrate``."""

from __future__ import annotations

import contextlib
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from ...i18n import tr
from ...scenarios.errors import InputError
from ..outputs.folders import (
    atomic_dir,
    folder_name,
    provenance,
    results_folder,
    write_json,
    write_text,
)
from .lang_option import LangOption, use_lang
from .run import SetOption

WorkersOpt = Annotated[
    int, typer.Option("--workers", "-w", min=1, help="Parallel processes (1 = serial).")
]
SchedulerOpt = Annotated[
    str | None,
    typer.Option(help="Dask: 'local' for a LocalCluster, or a scheduler address tcp://host:port."),
]
SeedOpt = Annotated[int, typer.Option(min=0, help="Master seed of the replicate seeds.")]
QuietOpt = Annotated[bool, typer.Option(help="No progress bar or summary.")]


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("replicate")(replicate)
    app.command("calibrate")(calibrate)


@contextlib.contextmanager
def _bar(label: str, total: int | None, quiet: bool):
    """A progress bar on stderr; yields ``advance(n)``."""
    if quiet:
        yield lambda n=1: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as progress:
        task = progress.add_task(label, total=total)
        yield lambda n=1: progress.advance(task, n)


def _manifest(command: str, name: str, started: datetime, seconds: float, **extra) -> dict:
    return {
        "command": " ".join(["zhaoshang", command, *sys.argv[2:]]),
        "scenario_name": name,
        "started_at": started.isoformat(),
        "finished_at": datetime.now(UTC).isoformat(),
        "seconds": round(seconds, 3),
        **extra,
        **provenance(),
    }


def replicate(
    scenario: Annotated[str, typer.Argument(help="Library name or path of the scenario.")],
    out: Annotated[
        Path | None,
        typer.Option(
            help="Results folder: replicates.csv, coagglomeration.csv, manifest.json "
            "(default results/replicate-<name>)."
        ),
    ] = None,
    replicates: Annotated[int, typer.Option(min=1, help="Number of replicates.")] = 10,
    seed: SeedOpt = 0,
    set_: SetOption = None,
    months: Annotated[
        int | None, typer.Option(min=1, help="Months to run (default: the horizon).")
    ] = None,
    workers: WorkersOpt = 1,
    scheduler: SchedulerOpt = None,
    quiet: QuietOpt = False,
    lang: LangOption = None,
) -> None:
    """Run a scenario with many seeds: one row per replicate with every scalar KPI."""
    use_lang(lang)
    from ..analysis.replicate import replicate_seeds, resolve_spec, run_replicates, write_replicates
    from ..runs.executors import open_executor

    overrides = list(set_ or [])
    spec = resolve_spec(scenario, overrides)
    out = results_folder(out or Path("results") / f"replicate-{folder_name(scenario)}")
    started, clock = datetime.now(UTC), time.perf_counter()
    with open_executor(workers, scheduler) as backend, _bar(scenario, replicates, quiet) as advance:
        frame = run_replicates(
            spec, replicates, seed, months=months, workers=backend.workers,
            executor=backend.executor, on_result=lambda i, row: advance(), pairs=True,
        )  # fmt: skip
    seconds = time.perf_counter() - clock
    manifest = _manifest(
        "replicate",
        scenario,
        started,
        seconds,
        overrides=overrides,
        replicates=replicates,
        master_seed=seed,
        seed_rule="numpy.random.SeedSequence(master_seed).spawn(replicates)[r]"
        ".generate_state(1, uint64)[0] >> 1",
        seeds=replicate_seeds(seed, replicates),
        months=months or spec.time.months,
        backend=backend.description,
        scenario=spec.model_dump(mode="json"),
    )
    write_replicates(out, frame, manifest, spec)
    if not quiet:
        parks = [c for c in frame.columns if c.startswith("entrants_park_")]
        means = ", ".join(f"{c[len('entrants_park_'):]} {frame[c].mean():.1f}" for c in parks)
        typer.echo(
            tr("cli.replicated", n=replicates, name=scenario, seconds=f"{seconds:.1f}", out=out)
        )
        typer.echo(tr("cli.mean_entrants", means=means))


def calibrate(
    scenario: Annotated[str, typer.Argument(help="Library name or path of the scenario.")],
    targets: Annotated[Path, typer.Option(help="Targets file (TOML).")],
    out: Annotated[
        Path | None, typer.Option(help="Results folder (default results/calibration-<name>).")
    ] = None,
    replicates: Annotated[int, typer.Option(min=1, help="Replicates per candidate.")] = 10,
    budget: Annotated[
        int, typer.Option(min=0, help="Most candidates evaluated (0 = evaluate the scenario).")
    ] = 120,
    seed: SeedOpt = 0,
    set_: SetOption = None,
    workers: WorkersOpt = 1,
    scheduler: SchedulerOpt = None,
    write_scenario: Annotated[
        Path | None, typer.Option(help="Also write a scenario file with the fitted values.")
    ] = None,
    profile: Annotated[
        int,
        typer.Option(
            min=0,
            help="Also write the loss profile along each fitted parameter at this many points"
            " over its bounds (identification; 0 = none, else at least 3).",
        ),
    ] = 0,
    quiet: QuietOpt = False,
    lang: LangOption = None,
) -> None:
    """Fit behavioural parameters to observed targets (simulated method of moments)."""
    use_lang(lang)
    from ..analysis.calibrate import (
        Calibration,
        check_against,
        load_targets,
        markdown_table,
        scenario_text,
        write_profile,
    )
    from ..analysis.replicate import resolve_spec
    from ..runs.executors import open_executor

    overrides = list(set_ or [])
    resolve_spec(scenario, overrides)  # fail early on a bad scenario or override
    spec = load_targets(targets)
    check_against(spec, scenario, overrides, str(targets))
    if 0 < profile < 3:
        raise InputError(f"a loss profile needs at least 3 points, got {profile}", "--profile")
    if write_scenario is not None and write_scenario.suffix != ".toml":
        raise InputError("must name a .toml file", str(write_scenario), "--write-scenario")
    if write_scenario is not None:
        results_folder(write_scenario.parent)  # refused now, not after the calibration
    out = out or Path("results") / f"calibration-{folder_name(scenario)}"
    started, clock = datetime.now(UTC), time.perf_counter()
    bar = _bar("calibrate", (budget or 1) + (profile + 1) * len(spec.parameters), quiet)
    with open_executor(workers, scheduler) as backend, bar as advance:
        cal = Calibration(
            scenario, spec, replicates, seed, overrides, backend.workers, backend.executor,
            progress=lambda ev: advance(),
        )  # fmt: skip
        best = cal.fit(budget)
        fit = cal.fit_table(best)
        holdout = cal.holdout_table(best.values)
        profiled = cal.profile(best, profile) if profile else None
    seconds = time.perf_counter() - clock
    fitted = {k: float(v) for k, v in best.values.items()}
    with atomic_dir(out) as tmp:
        fit.to_csv(tmp / "fit.csv", index=False)
        text = f"# Fit to {targets}\n\n{markdown_table(fit)}"
        if holdout is not None:
            holdout.to_csv(tmp / "holdout.csv", index=False)
            text += f"\n## Out of sample (not a target)\n\n{markdown_table(holdout)}"
        if profiled is not None:
            identified = write_profile(tmp, profiled, f"{scenario}, {targets}")
            text += f"\n## Loss profiles (identification)\n\n{markdown_table(identified)}"
        write_text(tmp / "fit.md", text)
        history = [
            {**ev.values, "loss": ev.loss, **dict(zip(cal.names, ev.means.tolist(), strict=True))}
            for ev in cal.history
        ]
        write_json(tmp / "history.json", history)
        write_json(
            tmp / "manifest.json",
            _manifest(
                "calibrate",
                scenario,
                started,
                seconds,
                targets=str(targets),
                overrides=overrides,
                replicates=replicates,
                master_seed=seed,
                seeds=cal.seeds,
                budget=budget,
                evaluations=len(cal.history),
                loss=best.loss,
                fitted=fitted,
            ),
        )
    if write_scenario is not None:
        base = scenario if not scenario.endswith(".toml") else str(Path(scenario).resolve())
        write_text(write_scenario, scenario_text(base, fitted))
    if not quiet:
        typer.echo(markdown_table(fit))
        if holdout is not None:
            typer.echo("\n" + tr("cli.out_of_sample"))
            typer.echo(markdown_table(holdout))
        typer.echo(
            tr(
                "cli.fitted",
                loss=f"{best.loss:.4g}",
                n=len(cal.history),
                seconds=f"{seconds:.1f}",
                fitted=fitted or tr("cli.none_fitted"),
            )
        )
        if profiled is not None:
            typer.echo(
                tr(
                    "cli.profiled",
                    identified=int(identified["identified"].sum()),
                    n=len(identified),
                    out=out / "profile.csv",
                )
            )
        typer.echo(tr("cli.results_in", out=out))
