"""Commands that redraw saved results: ``plot`` (figures) and ``report`` (HTML or PDF)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ...i18n import term
from ...scenarios.errors import InputError
from ..outputs.folders import atomic_dir
from .lang_option import LangOption, use_lang


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("plot")(plot)
    app.command("report")(report)


ResultsArg = Annotated[
    Path,
    typer.Argument(help="Results folder written by `run`, `compare` or `sensitivity`."),
]


def plot(
    results: ResultsArg,
    kind: Annotated[
        list[str] | None,
        typer.Option(
            "--kind",
            help="Figure kind (repeatable; default: every kind the folder can draw). "
            "`--kind list` prints the kinds.",
        ),
    ] = None,
    format_: Annotated[
        list[str] | None,
        typer.Option("--format", help="png (300 dpi), svg or pdf; repeatable. Default png."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Folder for the figures (default RESULTS/figures).")
    ] = None,
    lang: LangOption = None,
) -> None:
    """Redraw figures from a saved results folder, without rerunning anything."""
    use_lang(lang)
    from ..figures import FORMATS, KINDS, ResultsFolder, available, draw, save

    folder = ResultsFolder(results)
    if kind and "list" in kind:
        can = set(available(folder))
        for name, k in KINDS.items():
            mark = term("common.yes") if name in can else term("common.no")
            typer.echo(f"{name:22s} {mark:4s} {k.caption}")
        return
    formats = list(dict.fromkeys(format_ or ["png"]))
    bad = [f for f in formats if f not in FORMATS]
    if bad:
        raise InputError(f"unknown format {bad[0]!r}; allowed: {', '.join(FORMATS)}", "--format")
    if not (kind or available(folder)):
        typer.echo("no figures drawn")
        return
    target = out or folder.path / "figures"
    written: list[Path] = []
    with atomic_dir(target) as tmp:  # all the figures, or none if one cannot be drawn
        for name, fig in draw(folder, kind or None):
            written += [target / path.name for path in save(fig, tmp / name, formats)]
    for path in written:
        typer.echo(f"wrote {path}")
    if not written:
        typer.echo("no figures drawn")


def report(
    results: ResultsArg,
    out: Annotated[
        Path | None, typer.Option(help="HTML file to write (default RESULTS/report.html).")
    ] = None,
    pdf: Annotated[
        bool, typer.Option("--pdf", help="Also write the same content as a multi-page PDF.")
    ] = False,
    lang: LangOption = None,
) -> None:
    """Write a self-contained HTML report (figures embedded; opens offline)."""
    use_lang(lang)
    from ..outputs.report import write_report

    for path in write_report(results, out, pdf=pdf):
        typer.echo(f"wrote {path}")
