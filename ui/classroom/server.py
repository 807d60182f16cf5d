"""The classroom's web server: the pages, their scripts and a small JSON API, all local.

Python's own threaded HTTP server serves plain HTML, CSS and JavaScript from ``static/`` (no
file from elsewhere, so the room needs no Internet) and the API the pages poll every two
seconds:

- ``GET /api/terms?lang=zh``: the pages' labels (the glossary's ``classroom.*`` terms);
- ``POST /api/join`` ``{code, name}``: a team's seat and token;
- ``GET /api/team?token=``: what a team's page shows;
- ``POST /api/submit`` ``{token, round, levers, browser}``: a team's levers for the open round;
- ``GET /api/teacher?key=``: what the teacher's page shows;
- ``POST /api/teacher/<action>`` ``{key, ...}``: ``new``, ``start``, ``pause``, ``resume``,
  ``extend`` (``seconds``), ``advance``.

A refused request answers status 400 (403 for a wrong teacher key) with ``{"error": text}``.
"""

from __future__ import annotations

import json
import mimetypes
import secrets
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

from ...i18n import LANGS, default_lang, glossary
from ...scenarios.errors import InputError
from ...scenarios.loader import load_scenario
from . import levers as team_levers
from .game import DEBRIEF, MEASURES, OPEN, Game, GameError
from .store import Store

STATIC = Path(__file__).parent / "static"
PAGES = {"/": "team.html", "/teacher": "teacher.html"}
MAX_BODY = 64_000


class Settings:
    """What a new game is made of (the ``classroom`` command's options)."""

    def __init__(self, scenario: str, rounds: int, months_per_round: int, seed: int,
                 round_seconds: float, overrides: dict[str, Any] | None = None):
        self.scenario, self.rounds, self.months_per_round = scenario, rounds, months_per_round
        self.seed, self.round_seconds, self.overrides = seed, round_seconds, overrides or {}

    def new_game(self) -> Game:
        """A new game with these settings."""
        return Game(self.scenario, self.rounds, self.months_per_round, self.seed,
                    self.round_seconds, overrides=self.overrides)


class Classroom:
    """The server's state: the database, the current game and the teacher's key."""

    def __init__(self, store: Store, settings: Settings):
        self.store, self.settings = store, settings
        self.key = store.teacher_key()
        self.game: Game | None = store.latest()
        self.scenario = load_scenario(settings.scenario, settings.overrides)
        self.lock = threading.Lock()

    # ------------------------------------------------------------------ views
    def city_names(self, lang: str) -> dict[str, str]:
        """Each city's name in ``lang``."""
        govs = (self.game.scenario if self.game else self.scenario).governments
        return {c: (g.name_zh if lang == "zh" and g.name_zh else g.name or c)
                for c, g in govs.items()}

    def common(self, game: Game) -> dict[str, Any]:
        """What both pages show of the game."""
        left = game.deadline - time.time() if game.phase == OPEN else game.remaining
        return {
            "code": game.code, "phase": game.phase, "round": game.round, "rounds": game.rounds,
            "months_per_round": game.months_per_round, "seconds_left": max(0.0, left),
            "measures": list(MEASURES), "results": game.results,
            "start": game.scenario.time.start,
        }

    def team_view(self, token: str) -> dict[str, Any]:
        """What a team's page shows."""
        game = self._game()
        with game.lock:
            team = game.team(token)
            levers = team.submitted or game.levers_of(team)
            gov = game.scenario.governments[team.city]
            paid = game.incentives_paid(team)
            return {
                **self.common(game),
                "team": {"name": team.name, "city": team.city, "league": team.league},
                "levers": levers,
                "submitted": team.submitted is not None,
                "specs": [lever._asdict() for lever in team_levers.LEVERS],
                "budget": {
                    "left": team_levers.budget(game.months_per_round, paid),
                    "incentives_paid": paid,
                    "monthly": {
                        "offices": gov.outreach.office_cost_yuan_month,
                        "agents": gov.entrusted.retainer_yuan_month,
                        "service_quality": team_levers.SERVICE_YUAN_MONTH,
                        "professionalism": team_levers.STAFF_YUAN_MONTH,
                    },
                },
                "feed": [item for item in game.feed if item["round"] == game.round],
            }

    def teacher_view(self) -> dict[str, Any]:
        """What the teacher's page shows."""
        game = self.game
        if game is None:
            return {"phase": None}
        with game.lock:
            teams = [{"name": t.name, "city": t.city, "league": t.league,
                      "submitted": t.submitted is not None,
                      "decisions": t.decisions} for t in game.teams]
            return {**self.common(game), "teams": teams, "feed": game.feed,
                    "all_submitted": bool(teams) and all(t["submitted"] for t in teams)}

    def _game(self) -> Game:
        if self.game is None:
            raise GameError("no game yet: the teacher creates one", "game")
        return self.game

    # ------------------------------------------------------------------ actions
    def join(self, code: str, name: str) -> dict[str, Any]:
        """Seat a team in the game whose code is ``code``."""
        game = self._game()
        if str(code).strip().upper() != game.code:
            raise GameError("no game has this code; check it on the teacher's screen", "join")
        team = game.join(name)
        self.store.save(game)
        return {"token": team.token, "name": team.name, "city": team.city}

    def submit(self, body: dict[str, Any]) -> dict[str, Any]:
        """A team's levers for the open round."""
        game = self._game()
        game.submit(body.get("token", ""), body.get("round"), body.get("levers"),
                    str(body.get("browser", "")))
        self.store.save(game)
        return {"ok": True}

    def teacher(self, action: str, body: dict[str, Any]) -> dict[str, Any]:
        """Carry out a teacher's action."""
        with self.lock:
            if action == "new":
                if self.game is not None and self.game.phase not in (DEBRIEF,) and not body.get(
                    "replace"
                ):
                    raise GameError("a game is under way; confirm to replace it", "new")
                self.game = self.settings.new_game()
            else:
                game = self._game()
                actions: dict[str, Callable[[], None]] = {
                    "start": game.start_round, "pause": game.pause, "resume": game.resume,
                    "advance": game.advance,
                    "extend": lambda: game.extend(float(body.get("seconds", 60))),
                }
                if action not in actions:
                    raise GameError(f"no action {action!r}", "teacher")
                actions[action]()
            self.store.save(self.game)
            return {"ok": True, "code": self.game.code}


class Handler(BaseHTTPRequestHandler):
    """Answers the pages and the API (see the module's description)."""

    server: ClassroomServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Log nothing per request (the console shows the addresses and errors only)."""

    def _send(self, status: int, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, data: Any) -> None:
        self._send(status, json.dumps(data).encode(), "application/json; charset=utf-8")

    def _body(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise GameError("the request is too large", "request")
        try:
            data = json.loads(self.rfile.read(length) or b"{}")
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise GameError("the request is not JSON", "request") from None
        if not isinstance(data, dict):
            raise GameError("the request must be a JSON object", "request")
        return data

    def _answer(self, work: Callable[[], Any]) -> None:
        try:
            self._json(200, work())
        except PermissionError:
            self._json(403, {"error": "wrong teacher key"})
        except InputError as exc:
            self._json(400, {"error": exc.message})

    def _check_key(self, key: Any) -> None:
        if not secrets.compare_digest(str(key), self.server.classroom.key):
            raise PermissionError

    def do_GET(self) -> None:
        """Pages, static files and the API's views."""
        url = urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        room = self.server.classroom
        if url.path in PAGES:
            self._file(STATIC / PAGES[url.path])
        elif url.path.startswith("/static/"):
            name = url.path.removeprefix("/static/")
            if "/" in name or name.startswith(".") or not (STATIC / name).is_file():
                self._send(404, b"not found", "text/plain")
            else:
                self._file(STATIC / name)
        elif url.path == "/api/terms":
            lang = query.get("lang") if query.get("lang") in LANGS else default_lang()
            self._answer(lambda: {"lang": lang, "cities": room.city_names(lang), "terms": {
                key: entry[lang] for key, entry in glossary().items()
                if key.startswith("classroom.")
            }})
        elif url.path == "/api/team":
            self._answer(lambda: room.team_view(query.get("token", "")))
        elif url.path == "/api/teacher":
            def view() -> dict[str, Any]:
                self._check_key(query.get("key", ""))
                return room.teacher_view()

            self._answer(view)
        else:
            self._send(404, b"not found", "text/plain")

    def do_POST(self) -> None:
        """The API's actions."""
        path = urlparse(self.path).path
        room = self.server.classroom

        def work() -> Any:
            body = self._body()
            if path == "/api/join":
                return room.join(str(body.get("code", "")), str(body.get("name", "")))
            if path == "/api/submit":
                return room.submit(body)
            if path.startswith("/api/teacher/"):
                self._check_key(body.get("key", ""))
                return room.teacher(path.removeprefix("/api/teacher/"), body)
            raise GameError(f"no such request {path}", "request")

        self._answer(work)

    def _file(self, path: Path) -> None:
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind.endswith("javascript"):
            kind += "; charset=utf-8"
        self._send(200, path.read_bytes(), kind)


class ClassroomServer(ThreadingHTTPServer):
    """A threaded HTTP server holding the :class:`Classroom`."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], classroom: Classroom):
        super().__init__(address, Handler)
        self.classroom = classroom
