"""The ``ui`` command: serve the teaching page (Mesa SolaraViz) on this machine."""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
from typing import Annotated

import typer

from ...i18n import ENV
from ...scenarios.errors import InputError
from ...scenarios.loader import load_scenario
from ..runs.lifeline import child_death_signal
from .lang_option import LangOption, use_lang

#: Module of the page, served by ``solara run``.
APP_MODULE = "zhaoshang.ui.app"


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("ui")(ui)


def check_port(host: str, port: int) -> None:
    """Raise :class:`InputError` unless ``port`` on ``host`` can be listened on."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise InputError(
                f"cannot listen on {host}:{port} ({exc.strerror}); choose another port with "
                "--port (1024-65535) or another address with --host",
                "--port",
            ) from None


def check_installed() -> None:
    """Raise :class:`InputError` unless the page's optional packages are installed."""
    missing = [name for name in ("solara", "ipyvuetify") if importlib.util.find_spec(name) is None]
    if missing:
        raise InputError(
            f"the teaching page needs packages that are not installed ({', '.join(missing)}); "
            "they are an optional extra: pip install 'zhaoshang[ui]' (make demo installs it)",
            "ui",
        )


def server_command(host: str, port: int) -> list[str]:
    """The ``solara run`` command line for the page, with nothing that reaches the network."""
    return [
        sys.executable,
        "-m",
        "solara",
        "run",
        APP_MODULE,
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--no-open",
        "--no-check-version",
        "--log-level",
        "warning",
    ]


def server_env(scenario: str, overrides: list[str]) -> dict[str, str]:
    """Environment of the server: the page's scenario and overrides, telemetry off."""
    env = dict(os.environ)
    # Solara warns on every page load over plain http on an address other than "localhost".
    quiet = "ignore:Cookies with samesite=none require https:UserWarning"
    env.update(
        ZHAOSHANG_UI_SCENARIO=scenario,
        ZHAOSHANG_UI_SET=json.dumps(overrides),
        SOLARA_TELEMETRY_MIXPANEL_ENABLE="False",
        MPLBACKEND="Agg",
        PYTHONWARNINGS=",".join(filter(None, (env.get("PYTHONWARNINGS"), quiet))),
    )
    return env


def address(host: str, port: int) -> str:
    """The address to open in a browser on this machine."""
    local = "127.0.0.1" if host in ("0.0.0.0", "", "::") else host
    return f"http://{local}:{port}/"


def ui(
    port: Annotated[int, typer.Option(help="Port to serve on.", min=1, max=65535)] = 8765,
    scenario: Annotated[
        str, typer.Option(help="Scenario the page opens with (library name or path).")
    ] = "ruzhou-2017",
    host: Annotated[
        str,
        typer.Option(help="Address to listen on (0.0.0.0 lets other machines in the room in)."),
    ] = "127.0.0.1",
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="Override a parameter for every run of the page. Repeatable."),
    ] = None,
    lang: LangOption = None,
) -> None:
    """Serve the interactive teaching page; it needs no network access. Ctrl+C stops it."""
    language = use_lang(lang)  # the page opens in it; its switch changes it per browser
    overrides = list(set_ or [])
    load_scenario(scenario, overrides)  # a bad scenario or override fails here, exit 2
    check_installed()
    check_port(host, port)
    typer.echo(f"Zhaoshang teaching page: {address(host, port)}  (Ctrl+C to stop)")
    process = subprocess.Popen(
        server_command(host, port),
        env={**server_env(scenario, overrides), ENV: language},
        preexec_fn=child_death_signal(),  # the server ends with this process, even on kill -9
    )
    signal.signal(signal.SIGTERM, lambda *_: process.terminate())
    try:
        code = process.wait()
    except KeyboardInterrupt:
        process.terminate()
        process.wait()
        code = 0
    if code:
        raise SystemExit(code)
