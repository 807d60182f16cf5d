"""The classroom's SQLite database: every game's state, and the teacher's key.

A game is kept as one row (its :meth:`Game.state` as JSON), written after every change (a
join, a submission, a round), so a server started again on the same file resumes the latest
game where it was. SQLite writes each change atomically.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from .game import Game, new_code

SCHEMA = """
CREATE TABLE IF NOT EXISTS games (code TEXT PRIMARY KEY, created REAL, updated REAL, state TEXT);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
"""


class Store:
    """Games saved in one SQLite file.

    Args:
        path: The database file (created with its folder if missing).
    """

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.executescript(SCHEMA)
        self._lock = threading.Lock()

    def teacher_key(self) -> str:
        """The key of the teacher's page (made on first use, then the same on every start)."""
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = 'teacher_key'").fetchone()
            if row:
                return row[0]
            key = new_code(10)
            self._db.execute("INSERT INTO meta VALUES ('teacher_key', ?)", (key,))
            return key

    def save(self, game: Game) -> None:
        """Write the game's state (one transaction)."""
        now = time.time()
        with self._lock, game.lock:
            text = json.dumps(game.state())
            self._db.execute(
                "INSERT INTO games VALUES (?, ?, ?, ?) ON CONFLICT(code) DO UPDATE "
                "SET updated = excluded.updated, state = excluded.state",
                (game.code, now, now, text),
            )

    def states(self) -> list[dict[str, Any]]:
        """Every game's state, the most recently created last."""
        with self._lock:
            rows = self._db.execute("SELECT state FROM games ORDER BY created, code").fetchall()
        return [json.loads(row[0]) for row in rows]

    def latest(self) -> Game | None:
        """The most recently created game, its rounds replayed; None if there is none."""
        states = self.states()
        return Game.from_state(states[-1]) if states else None

    def load(self, code: str) -> Game:
        """The game with join code ``code``.

        Raises:
            KeyError: If there is none.
        """
        for state in self.states():
            if state["code"] == code.upper():
                return Game.from_state(state)
        raise KeyError(code)

    def close(self) -> None:
        """Close the file."""
        self._db.close()
