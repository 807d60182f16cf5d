"""Commands for experiments: ``experiments``, ``sweep``, ``sensitivity``, ``selfcheck``, ``export``.

Exit status: 0 when everything ran and was analysed; 2 for bad input; 3 when some runs failed
(they are in the store with their tracebacks; rerun with ``--retry-failed``); 4 when every run
succeeded but some output could not be analysed (the message says why); 1 for a failed
self-check or an internal error.
"""

from __future__ import annotations

from concurrent.futures import BrokenExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from ...i18n import term, tr
from ...scenarios.errors import InputError
from .lang_option import LangOption, use_lang

ExperimentArg = Annotated[
    str, typer.Argument(help="Experiment file (TOML) or the name of a shipped experiment.")
]
WorkersOpt = Annotated[
    int | None,
    typer.Option("--workers", "-w", min=1, help="Parallel runs (default: all cores; 1: serial)."),
]
SchedulerOpt = Annotated[
    str | None,
    typer.Option(help="Dask: 'local' for a LocalCluster, or a scheduler address tcp://host:port."),
]
OutOpt = Annotated[Path | None, typer.Option(help="Results folder (default results/<experiment>).")]
RetryOpt = Annotated[bool, typer.Option("--retry-failed", help="Rerun runs that failed before.")]
QuietOpt = Annotated[bool, typer.Option(help="No progress bar or summary.")]
NOpt = Annotated[
    int | None,
    typer.Option("--n", min=1, help="Replace design.N (for example a reduced run)."),
]
ReplicatesOpt = Annotated[
    int | None, typer.Option("--replicates", min=1, help="Replace the replicates per point.")
]


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("experiments")(experiments)
    app.command("sweep")(sweep)
    app.command("sensitivity")(sensitivity)
    app.command("selfcheck")(selfcheck)
    app.command("export")(export)


def experiments() -> None:
    """List the shipped experiments, one line each."""
    from ...scenarios.loader import read_toml
    from ..designs.loading import find_experiment, library_names

    for name in library_names():
        title = read_toml(find_experiment(name)).get("title", "")
        typer.echo(f"{name:20s} {title}")


def sweep(
    experiment: ExperimentArg,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    out: OutOpt = None,
    retry_failed: RetryOpt = False,
    n: NOpt = None,
    replicates: ReplicatesOpt = None,
    quiet: QuietOpt = False,
    lang: LangOption = None,
) -> None:
    """Run an experiment's design into its store and write design, results and noise tables."""
    use_lang(lang)
    _run(experiment, workers=workers, scheduler=scheduler, out=out, retry_failed=retry_failed,
         quiet=quiet, n=n, replicates=replicates, analyse=False)  # fmt: skip


def sensitivity(
    experiment: ExperimentArg,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    out: OutOpt = None,
    retry_failed: RetryOpt = False,
    pilot: Annotated[
        bool, typer.Option(help="Run a small pilot and recommend the number of replicates.")
    ] = False,
    figures: Annotated[bool, typer.Option(help="Draw the figures.")] = True,
    n: NOpt = None,
    replicates: ReplicatesOpt = None,
    quiet: QuietOpt = False,
    lang: LangOption = None,
) -> None:
    """Run an experiment and compute sensitivity indices, convergence and figures (resumable)."""
    use_lang(lang)
    _run(experiment, workers=workers, scheduler=scheduler, out=out, retry_failed=retry_failed,
         quiet=quiet, n=n, replicates=replicates, analyse=True, pilot=pilot,
         figures=figures)  # fmt: skip


def _run(
    experiment: str,
    *,
    workers: int | None,
    scheduler: str | None,
    out: Path | None,
    retry_failed: bool,
    quiet: bool,
    n: int | None,
    replicates: int | None,
    analyse: bool,
    pilot: bool = False,
    figures: bool = True,
) -> None:
    """Run an experiment into its store (``sweep``), and analyse it (``sensitivity``)."""
    from rich.console import Console

    from ..designs import experiment as pipeline
    from ..designs.loading import load_experiment
    from ..outputs.folders import folder_name
    from ..runs.executors import open_executor

    overrides = {k: v for k, v in (("design.N", n), ("replicates", replicates)) if v is not None}
    exp = load_experiment(experiment, overrides)
    suffix = "".join(f"-{k.split('.')[-1]}{v}" for k, v in overrides.items())
    out = out or Path("results") / (folder_name(exp.name) + suffix)
    console = Console(stderr=True, quiet=quiet)
    try:
        with open_executor(workers, scheduler) as backend, _progress(console, exp.name) as bar:
            outcome = pipeline.run(
                exp, out, backend, analyse=analyse, figures=figures, retry_failed=retry_failed,
                pilot=pilot, progress=bar.advance, on_start=bar.start,
            )  # fmt: skip
    except BrokenExecutor as exc:
        typer.echo(
            f"error: a worker process died ({exc}); perhaps it ran out of memory. Every run "
            f"that finished is in {out / 'store.sqlite'}: run the same command again to resume "
            "(with fewer --workers if memory is short).",
            err=True,
        )
        raise SystemExit(1) from None
    _summary(Console(quiet=quiet), console, exp, outcome, backend.description)
    if outcome.exit_status:
        raise SystemExit(outcome.exit_status)


class _Bar:
    def __init__(self, progress, label: str):
        self.progress, self.label, self.task = progress, label, None

    def start(self, total: int, held: int) -> None:
        if self.progress is None:
            return
        self.progress.console.print(f"budget: {total} runs (no more are started)")
        if held:
            self.progress.console.print(
                f"resuming: {held} of {total} runs are already in the store"
            )
        self.task = self.progress.add_task(self.label, total=max(total - held, 0))

    def advance(self, done: int, todo: int, failed: int) -> None:
        if self.progress is not None and self.task is not None:
            text = self.label + (f" [red]({failed} failed)[/red]" if failed else "")
            self.progress.update(self.task, completed=done, total=todo, description=text)


@contextmanager
def _progress(console, label: str):
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    if console.quiet:
        yield _Bar(None, label)
        return
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("runs"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    ) as progress:
        yield _Bar(progress, label)


def _summary(console, errors, exp, outcome, executor: str) -> None:
    """Print what was done and the analysis on ``console``, warnings and failures on ``errors``."""
    from rich.table import Table

    r = outcome.report
    console.print(
        tr(
            "cli.runs_done", name=exp.name, done=r.done, total=r.total, failed=r.failed,
            executed=r.executed, seconds=f"{r.seconds:.1f}", executor=executor,
            skipped=r.skipped,
        )
    )  # fmt: skip
    for warning in r.warnings:
        errors.print(f"[yellow]warning[/yellow]: {warning}")
    for point, rep, error in r.failures:
        errors.print(f"  [red]failed[/red] point {point} replicate {rep}: {error}")
    if r.failed:
        errors.print(
            f"  {r.failed} runs failed: tracebacks are in {outcome.out / 'store.sqlite'} "
            "(table runs; or `zhaoshang export`); rerun with --retry-failed to try them again"
        )
    if outcome.recommendation is not None:
        table = Table(title="Pilot: replicates needed", title_justify="left")
        for col in ("output", "noise share of a run", "noise share of the means",
                    "recommended replicates"):  # fmt: skip
            table.add_column(col)
        for _, row in outcome.recommendation.iterrows():
            rec = row["recommended_replicates"]
            table.add_row(
                str(row["output"]), f"{row['noise_share_run']:.1%}",
                f"{row['noise_share_mean']:.1%}",
                "no signal above noise" if rec != rec else f"{int(rec)}",
            )  # fmt: skip
        console.print(table)
    if outcome.analysis is not None:
        _print_indices(console, outcome)
    console.print(tr("cli.results_in", out=f"[bold]{outcome.out}[/bold]"))


def _print_indices(console, outcome) -> None:
    from rich.table import Table

    from ..analysis.sensitivity import PRIMARY, rank_index
    from ..outputs.experiment_folder import value_conf

    primary = PRIMARY[outcome.design.method]
    rank = rank_index(outcome.design.method)
    labels = {
        p.name: p.label if p.label != p.name.rsplit(".", 1)[-1] else p.name
        for p in outcome.design.parameters
    }
    idx = outcome.analysis.indices
    for output, grp in idx.groupby("output", sort=False):
        table = Table(title=f"{output}", title_justify="left")
        table.add_column(term("cli.parameter"))
        for name in primary:
            table.add_column(name, justify="right")
        table.add_column(term("cli.influential"))
        wide = grp[grp["index"].isin(primary)].pivot(index="parameter", columns="index")
        wide = wide.sort_values(("value", rank), ascending=False)
        for param, row in wide.iterrows():
            cells = [value_conf(row[("value", n)], row[("conf", n)]) for n in primary]
            flag = row[("influential", rank)]
            name = labels.get(str(param), str(param))
            mark = "" if flag is None else term("common.yes" if flag else "common.no")
            table.add_row(name, *cells, mark)
        console.print(table)
    noise = outcome.noise
    for _, row in noise.iterrows():
        if row["noise_share_mean"] == row["noise_share_mean"]:
            console.print(
                f"{row['output']}: run-to-run noise is {row['noise_share_run']:.1%} of a single "
                f"run's variance and {row['noise_share_mean']:.1%} of the replicate means'"
            )
    for note in outcome.analysis.notes:
        console.print(f"[yellow]note[/yellow]: {note.message}")


def selfcheck(
    workers: WorkersOpt = 1,
    out: Annotated[
        Path | None, typer.Option(help="Keep the self-check results here (default: discard).")
    ] = None,
) -> None:
    """Check the pipeline on the Ishigami function: Sobol', Morris and eFAST against exact."""
    from rich.console import Console
    from rich.table import Table

    from ..runs.executors import open_executor
    from ..validation.selfcheck import format_checks, run_selfcheck

    console = Console()
    with open_executor(workers) as backend:
        checks, timings = run_selfcheck(backend, out)
    table = Table(title="Self-check on Ishigami (a = 7, b = 0.1)", title_justify="left")
    for col in ("method", "check", "estimate", "exact", "|error| <= tolerance", "result"):
        table.add_column(col)
    for row in format_checks(checks):
        table.add_row(*row, style=None if row[-1] == "pass" else "bold red")
    console.print(table)
    for line in timings:
        console.print(line)
    failed = [c for c in checks if not c.passed]
    if failed:
        console.print(f"[bold red]selfcheck FAILED[/bold red]: {len(failed)} of {len(checks)}")
        raise SystemExit(1)
    console.print(f"selfcheck passed: {len(checks)} checks")


def export(
    folder: Annotated[Path, typer.Argument(help="An experiment's results folder.")],
    fmt: Annotated[str, typer.Option("--format", help="parquet or csv.")] = "parquet",
    out: Annotated[
        Path | None, typer.Option(help="Folder for the files (default: the results folder).")
    ] = None,
) -> None:
    """Export an experiment's store: one row per run with its parameters and outputs."""
    from ..runs.store import Store

    if fmt not in ("parquet", "csv"):
        raise InputError(f"unknown format {fmt!r}; allowed: parquet, csv", "--format")
    path = folder / "store.sqlite"
    if not path.is_file():
        raise InputError(f"no experiment store here (expected {path})", str(folder))
    target = out or folder
    with Store(path) as store:
        runs = store.runs_frame()
    written = _write_frame(runs, target / f"runs.{fmt}", fmt)
    typer.echo(f"wrote {written} ({len(runs)} runs)")


def _write_frame(frame, path: Path, fmt: str) -> Path:
    """Write ``frame`` to ``path`` as CSV or Parquet, all at once (temporary name, rename)."""
    from ..outputs.folders import atomic_file

    with atomic_file(path) as tmp:
        if fmt == "csv":
            tmp.write_text(frame.to_csv(index=False), encoding="utf-8")
        else:
            frame.to_parquet(tmp, index=False)
    return path
    import os
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        frame.to_parquet(tmp, index=False)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
