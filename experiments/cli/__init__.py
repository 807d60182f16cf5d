"""The ``zhaoshang`` command line.

Commands live in this package's modules, one per command group; each defines ``register(app)``.
Bad input ends with a one-paragraph message and exit status 2; an internal error with exit
status 1.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import signal
import threading
from collections.abc import Callable

import typer

from ...scenarios.errors import InputError

app = typer.Typer(
    name="zhaoshang",
    help="Zhaoshang (招商): simulate investment attraction and industrial clustering.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

#: Modules that add commands, in the order they appear in ``--help``.
COMMAND_MODULES = [
    "run",
    "ui",
    "experiments",
    "validity",
    "report",
    "compare",
    "levers",
    "classroom",
]

for _name in COMMAND_MODULES:
    importlib.import_module(f"{__package__}.{_name}").register(app)


def fail(message: str) -> None:
    """Print a user error and exit with status 2."""
    typer.echo(f"error: {message}", err=True)
    raise SystemExit(2)


class Terminated(BaseException):
    """The process was asked to stop (SIGTERM).

    It unwinds like Ctrl+C, so that nothing half-written is left behind.
    """


def _on_sigterm(main_pid: int) -> Callable[[int, object], None]:
    """A SIGTERM handler for this process; forked workers keep the default behaviour."""

    def handler(signum: int, frame: object) -> None:
        if os.getpid() != main_pid:
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        raise Terminated

    return handler


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script."""
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.getsignal(signal.SIGTERM) if in_main_thread else None
    if in_main_thread:
        signal.signal(signal.SIGTERM, _on_sigterm(os.getpid()))
    try:
        _main(argv)
    finally:
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous)


def _say_stopped(how: str) -> None:
    """Tell what a stopped command left behind (on stderr, which may itself be gone)."""
    with contextlib.suppress(OSError, ValueError):
        typer.echo(
            f"{how}: no half-written results were left; a sweep or sensitivity analysis keeps "
            "its finished runs in its store and resumes when the same command is run again",
            err=True,
        )


def _main(argv: list[str] | None) -> None:
    """Run the command line, turning every way it can end into an exit status."""
    try:
        app(args=argv, standalone_mode=True)
    except InputError as exc:
        fail(exc.message)
    except Terminated:
        _say_stopped("stopped (SIGTERM)")
        raise SystemExit(143) from None
    except KeyboardInterrupt:
        _say_stopped("interrupted (Ctrl+C)")
        raise SystemExit(130) from None
    except BrokenPipeError:
        raise SystemExit(130) from None
    except SystemExit as exc:
        if exc.code == 130:  # Typer turns Ctrl+C inside a command into exit status 130
            _say_stopped("interrupted (Ctrl+C)")
        raise
    except Exception:  # noqa: BLE001 - last-resort report of an internal error
        import traceback

        traceback.print_exc()
        typer.echo(
            "internal error: this is a bug in zhaoshang; please report it with the "
            "command you ran and the text above.",
            err=True,
        )
        raise SystemExit(1) from None
