"""The ``classroom`` and ``classroom-export`` commands: the classroom game and its report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ...scenarios.errors import InputError
from .ui import address, check_port

DEFAULT_DB = Path("results/classroom/classroom.sqlite")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("classroom")(classroom)
    app.command("classroom-export")(classroom_export)


def classroom(
    scenario: Annotated[
        str, typer.Option(help="Scenario with several cities (library name or path).")
    ] = "classroom-henan",
    port: Annotated[int, typer.Option(help="Port to serve on.", min=1, max=65535)] = 8766,
    host: Annotated[
        str,
        typer.Option(help="Address to listen on (0.0.0.0 lets the room's phones and laptops in)."),
    ] = "127.0.0.1",
    rounds: Annotated[int, typer.Option(help="Rounds of a game.", min=1, max=100)] = 5,
    months_per_round: Annotated[
        int, typer.Option(help="Months simulated per round.", min=1, max=120)
    ] = 6,
    round_minutes: Annotated[
        float, typer.Option(help="Minutes teams have to submit once a round opens.", min=0.01)
    ] = 5.0,
    seed: Annotated[int, typer.Option(help="Seed of the model (one seed, one game).")] = 1,
    db: Annotated[
        Path, typer.Option(help="SQLite file of the games (a restart resumes the latest).")
    ] = DEFAULT_DB,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="Override a scenario parameter (path=VALUE). Repeatable."),
    ] = None,
) -> None:
    """Serve the classroom game: a teacher's page and the teams' page; offline. Ctrl+C stops."""
    from ...scenarios.loader import parse_override
    from ...ui.classroom.server import Classroom, ClassroomServer, Settings
    from ...ui.classroom.store import Store

    overrides = {".".join(keys): value for keys, value in map(parse_override, set_ or [])}
    settings = Settings(scenario, rounds, months_per_round, seed, round_minutes * 60, overrides)
    settings.new_game()  # a bad scenario, override or number of rounds fails here, exit 2
    check_port(host, port)
    store = Store(db)
    room = Classroom(store, settings)
    server = ClassroomServer((host, port), room)
    url = address(host, port)
    typer.echo(f"Zhaoshang classroom: teams open {url}  (Ctrl+C to stop)")
    typer.echo(f"Teacher's page: {url}teacher?key={room.key}")
    if room.game is not None:
        typer.echo(f"Resumed game {room.game.code} ({room.game.phase}, round {room.game.round})")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        store.close()


def classroom_export(
    out: Annotated[Path, typer.Option(help="Folder to write the CSV files and report into.")],
    db: Annotated[Path, typer.Option(help="SQLite file of the games.")] = DEFAULT_DB,
    code: Annotated[
        str | None, typer.Option(help="Join code of the game (the latest when omitted).")
    ] = None,
    lang: Annotated[str, typer.Option(help="Language of the report: en or zh.")] = "",
) -> None:
    """Export a game: decisions.csv, results.csv and report.html for the lesson."""
    from ...i18n import LANGS, default_lang
    from ...ui.classroom.export import export
    from ...ui.classroom.store import Store

    if lang and lang not in LANGS:
        raise InputError(f"must be one of {', '.join(LANGS)} (got {lang!r})", "--lang")
    if not db.is_file():
        raise InputError("no such file; run zhaoshang classroom first", str(db))
    store = Store(db)
    try:
        if code:
            try:
                game = store.load(code)
            except KeyError:
                raise InputError(f"no game with code {code!r}", str(db), "--code") from None
        else:
            game = store.latest()
            if game is None:
                raise InputError("holds no game", str(db))
    finally:
        store.close()
    for path in export(game, out, lang or default_lang()):
        typer.echo(str(path))
