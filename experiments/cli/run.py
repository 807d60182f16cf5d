"""Commands for single scenarios: ``scenarios``, ``validate``, ``schema`` and ``run``."""

from __future__ import annotations

import hashlib
import json
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from ...i18n import period, tr
from ...scenarios.loader import find_scenario, library_names, load_scenario, read_toml
from ..outputs.folders import folder_name, provenance, results_folder, write_json, write_text
from .lang_option import LangOption, use_lang

SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set", help="Override a parameter: dotted.path=VALUE (a TOML literal). Repeatable."
    ),
]


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("scenarios")(scenarios)
    app.command("validate")(validate)
    app.command("schema")(schema)
    app.command("run")(run)


def scenarios() -> None:
    """List the scenario library, one line each."""
    for name in library_names():
        data = read_toml(find_scenario(name))
        title = data.get("title", "")
        zh = data.get("title_zh", "")
        typer.echo(f"{name:32s} {title}" + (f" ({zh})" if zh else ""))


def validate(
    file: Annotated[str, typer.Argument(help="Scenario file (TOML) or library name.")],
    set_: SetOption = None,
) -> None:
    """Check a scenario file: exit 0 if it is valid, 2 with the problem if not."""
    scenario = load_scenario(file, set_ or [])
    typer.echo(
        f"ok: {file} is a valid scenario ({len(scenario.parks)} parks, "
        f"{len(scenario.sectors)} sectors, {scenario.pool.firms:,} candidate firms, "
        f"{scenario.time.months} months from {scenario.time.start})"
    )


def schema(
    out: Annotated[
        Path | None, typer.Option(help="Write to this file instead of printing.")
    ] = None,
) -> None:
    """Print the JSON Schema of scenario files (for editors)."""
    from ...scenarios.schema import Scenario

    text = json.dumps(Scenario.model_json_schema(), indent=2, ensure_ascii=False) + "\n"
    if out is None:
        sys.stdout.write(text)
    else:
        write_text(out, text)
        typer.echo(f"wrote {out}")


def default_out(scenario: str, seed: int, overrides: Sequence[str] = ()) -> Path:
    """Default results folder for a run: ``results/<name>-seed<N>[-<overrides>]``.

    Each override adds its last key and value (``--set governments.ruzhou.service.quality=0.9
    --months 60`` adds ``-quality0.9-months60``), so runs that differ only in their overrides
    do not share a folder; past 60 characters a short digest of them is used instead.
    """
    name = folder_name(scenario)
    parts = []
    for text in overrides:
        key, _, value = text.partition("=")
        parts.append(folder_name(key.strip().split(".")[-1] + value.strip()).strip("-"))
    suffix = "-".join(p for p in parts if p)
    if len(suffix) > 60:
        suffix = "set-" + hashlib.sha256("\n".join(overrides).encode()).hexdigest()[:8]
    return Path("results") / "-".join(filter(None, (f"{name}-seed{seed}", suffix)))


def run(
    scenario: Annotated[
        str, typer.Argument(help="Library name (see `zhaoshang scenarios`) or a path.")
    ],
    seed: Annotated[int, typer.Option(min=0, help="Random seed: one seed, one result.")] = 1,
    months: Annotated[
        int | None,
        typer.Option(help="Months to simulate (default: the scenario's horizon).", min=1),
    ] = None,
    set_: SetOption = None,
    out: Annotated[
        Path | None, typer.Option(help="Results folder (default results/<scenario>-seed<N>).")
    ] = None,
    figures: Annotated[bool, typer.Option(help="Draw the figures.")] = True,
    quiet: Annotated[bool, typer.Option(help="No progress bar or summary.")] = False,
    lang: LangOption = None,
) -> None:
    """Run one scenario and write data, figures and a provenance manifest."""
    use_lang(lang)
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    from ..outputs.run_folder import summary_table, write_run
    from ..runs.run import build_model, run_model

    overrides = list(set_ or [])
    if months is not None:
        overrides.append(f"time.months={months}")
    started = datetime.now(UTC)
    clock = time.perf_counter()
    model = build_model(scenario, overrides, seed)
    out = out or default_out(scenario, seed, overrides)
    results_folder(out)  # a bad --out is refused now, not after the run
    console = Console(stderr=True)
    if quiet:
        run_model(model)
    else:
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("months"),
            TimeRemainingColumn(),
            console=console,
            transient=True,
        ) as bar:
            task = bar.add_task(scenario, total=model.horizon)
            run_model(model, progress=lambda m: bar.update(task, completed=m))
    seconds = time.perf_counter() - clock
    manifest = {
        "scenario_name": scenario,
        "scenario_chain": [str(p) for p in _chain(scenario)],
        "seed": seed,
        "overrides": overrides,
        "months": model.month,
        "start_date": model.world.date(0),
        "end_date": model.world.date(max(model.month - 1, 0)),
        "command": " ".join(["zhaoshang", *sys.argv[1:]]),
        "started_at": started.isoformat(),
        "finished_at": datetime.now(UTC).isoformat(),
        "run_seconds": round(seconds, 3),
        **provenance(),
        "scenario": model.spec.model_dump(mode="json"),
    }
    kpis = write_run(model, out, manifest, draw_figures=figures)
    if not quiet:
        shown = Console()  # results on standard output, progress on standard error
        shown.print(
            summary_table(
                kpis,
                tr(
                    "summary.title",
                    name=scenario,
                    seed=seed,
                    span=period(model.world.date(0), model.world.date(model.month - 1)),
                ),
            )
        )
        shown.print(tr("summary.results_in", out=f"[bold]{out}[/bold]", seconds=f"{seconds:.2f}"))


def _chain(scenario: str) -> list[Path]:
    from ...scenarios.loader import resolve

    return [Path(p) for p in resolve(scenario).chain]


__all__ = ["register", "write_json"]
