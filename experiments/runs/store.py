"""The experiment store: an SQLite file (WAL) holding every run as soon as it completes.

Tables:

- ``meta``: the experiment's fingerprint and settings (key, value).
- ``design``: one row per design point: the raw design row ``x`` (JSON) and the applied
  parameter values ``params`` (JSON).
- ``runs``: one row per (design point, replicate): ``seed``, ``status`` (``done`` or
  ``failed``), ``outputs`` (JSON), ``seconds``, ``error``, ``traceback``, ``worker``,
  ``finished_at`` and ``attempts`` (how many times the run was executed to completion).
- ``sessions``: one row per invocation: when, how many runs it executed, with what executor
  and at which git revision of the code.

The store is the source of truth: a rerun skips the runs it holds, and every table, index and
figure is computed from it, so an interrupted and resumed experiment gives the same results as
an uninterrupted one.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..designs.loading import ExperimentError
from ..outputs.folders import OutputError, writing_at

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS design (
    point INTEGER PRIMARY KEY, x TEXT NOT NULL, params TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    point INTEGER NOT NULL,
    replicate INTEGER NOT NULL,
    seed INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('done', 'failed')),
    outputs TEXT,
    seconds REAL,
    error TEXT,
    traceback TEXT,
    worker TEXT,
    finished_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (point, replicate)
);
CREATE TABLE IF NOT EXISTS sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    executed INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    seconds REAL,
    executor TEXT,
    revision TEXT
);
"""


def now() -> str:
    """The current time in UTC, ISO 8601."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class Store:
    """An experiment's SQLite store.

    Args:
        path: The SQLite file (created with its folder if missing).
        fingerprint: The experiment's fingerprint; a store made by a different experiment is
            refused, so results of two experiments never mix.
        source: The experiment file (for messages).
    """

    def __init__(self, path: Path, fingerprint: str | None = None, source: str = ""):
        self.path = Path(path)
        if self.path.parent.exists() and not self.path.parent.is_dir():
            raise OutputError("exists and is not a folder; give a folder for the experiment",
                              str(self.path.parent))
        with writing_at(self.path.parent):
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(SCHEMA)
        except sqlite3.Error as exc:
            raise OutputError(
                f"cannot be opened as an experiment store ({exc})",
                str(self.path),
            ) from None
        columns = {row[1] for row in self.db.execute("PRAGMA table_info(sessions)")}
        if "revision" not in columns:  # a store written before sessions kept the revision
            self.db.execute("ALTER TABLE sessions ADD COLUMN revision TEXT")
        if fingerprint is not None:
            self._check_fingerprint(fingerprint, source)

    def close(self) -> None:
        """Close the connection (the WAL is checkpointed into the main file)."""
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---------------------------------------------------------------- meta and design
    def meta(self, key: str) -> Any:
        """A value stored in ``meta`` (JSON), or None."""
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else json.loads(row[0])

    def set_meta(self, key: str, value: Any) -> None:
        """Store a JSON value in ``meta``."""
        self.db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, json.dumps(value, default=str)),
        )

    def _check_fingerprint(self, fingerprint: str, source: str) -> None:
        stored = self.meta("fingerprint")
        if stored is None:
            self.set_meta("fingerprint", fingerprint)
        elif stored != fingerprint:
            raise ExperimentError(
                f"{self.path.parent} holds the results of a different experiment "
                f"(fingerprint {stored}, this one {fingerprint}): the experiment file, its "
                "scenario or a setting changed since. Choose another --out folder, or delete "
                "that folder to start again.",
                source,
            )

    def save_design(self, X: np.ndarray, params: list[dict[str, Any]]) -> None:
        """Store the design points (once; a resumed experiment keeps the stored ones)."""
        if self.db.execute("SELECT COUNT(*) FROM design").fetchone()[0]:
            return
        rows = [
            (i, json.dumps([None if np.isnan(v) else float(v) for v in x]), json.dumps(p))
            for i, (x, p) in enumerate(zip(X, params, strict=True))
        ]
        with self.db:
            self.db.execute("BEGIN")
            self.db.executemany("INSERT INTO design (point, x, params) VALUES (?, ?, ?)", rows)

    def load_design(self) -> np.ndarray | None:
        """The stored design matrix (NaN for empty cells), or None if there is none."""
        rows = self.db.execute("SELECT x FROM design ORDER BY point").fetchall()
        if not rows:
            return None
        return np.array(
            [[np.nan if v is None else v for v in json.loads(r[0])] for r in rows], dtype=float
        )

    # ---------------------------------------------------------------- runs
    def finished(self, include_failed: bool = True) -> set[tuple[int, int]]:
        """(point, replicate) of the runs held: done ones, and failed ones unless excluded."""
        sql = "SELECT point, replicate FROM runs"
        if not include_failed:
            sql += " WHERE status = 'done'"
        return {(p, r) for p, r in self.db.execute(sql)}

    def record(self, rec: dict[str, Any]) -> None:
        """Write one run's record and commit (a rerun of the same run counts an attempt)."""
        outputs = rec.get("outputs")
        self.db.execute(
            "INSERT INTO runs (point, replicate, seed, status, outputs, seconds, error, "
            "traceback, worker, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (point, replicate) DO UPDATE SET seed = excluded.seed, "
            "status = excluded.status, outputs = excluded.outputs, seconds = excluded.seconds, "
            "error = excluded.error, traceback = excluded.traceback, worker = excluded.worker, "
            "finished_at = excluded.finished_at, attempts = runs.attempts + 1",
            (
                rec["point"],
                rec["replicate"],
                rec["seed"],
                rec["status"],
                None if outputs is None else json.dumps(outputs, allow_nan=False),
                rec.get("seconds"),
                rec.get("error"),
                rec.get("traceback"),
                rec.get("worker"),
                now(),
            ),
        )

    def counts(self) -> dict[str, int]:
        """Number of runs by status."""
        out = {"done": 0, "failed": 0}
        out.update(dict(self.db.execute("SELECT status, COUNT(*) FROM runs GROUP BY status")))
        return out

    def failures(self, limit: int = 5) -> list[tuple[int, int, str]]:
        """The first failed runs: (point, replicate, error)."""
        return list(
            self.db.execute(
                "SELECT point, replicate, error FROM runs WHERE status = 'failed' "
                "ORDER BY point, replicate LIMIT ?",
                (limit,),
            )
        )

    def run_seconds(self) -> float:
        """Total compute time of the runs held."""
        return float(self.db.execute("SELECT COALESCE(SUM(seconds), 0) FROM runs").fetchone()[0])

    def outputs(self, names: Iterable[str]) -> pd.DataFrame:
        """One row per run held, in (point, replicate) order: status and each output."""
        names = list(names)
        rows = []
        for point, rep, status, outputs in self.db.execute(
            "SELECT point, replicate, status, outputs FROM runs ORDER BY point, replicate"
        ):
            values = json.loads(outputs) if outputs else {}
            rows.append([point, rep, status, *[values.get(n) for n in names]])
        frame = pd.DataFrame(rows, columns=["point", "replicate", "status", *names])
        for n in names:
            frame[n] = pd.to_numeric(frame[n], errors="coerce").astype(float)
        return frame

    def runs_frame(self) -> pd.DataFrame:
        """Every run with its parameters and outputs as columns (for export)."""
        rows = self.db.execute("SELECT point, params FROM design")
        design = {p: json.loads(params) for p, params in rows}
        rows = []
        for rec in self.db.execute(
            "SELECT point, replicate, seed, status, seconds, error, worker, finished_at, "
            "attempts, outputs FROM runs ORDER BY point, replicate"
        ):
            row = dict(
                zip(
                    ("point", "replicate", "seed", "status", "seconds", "error", "worker",
                     "finished_at", "attempts"),
                    rec[:-1],
                    strict=True,
                )
            )  # fmt: skip
            row.update({f"param:{k}": v for k, v in design.get(rec[0], {}).items()})
            row.update({f"output:{k}": v for k, v in json.loads(rec[-1] or "{}").items()})
            rows.append(row)
        return pd.DataFrame(rows)

    # ---------------------------------------------------------------- sessions
    def begin_session(self, executor: str, revision: str | None = None) -> int:
        """Record the start of an invocation (and the code's git revision); returns its id."""
        cur = self.db.execute(
            "INSERT INTO sessions (started_at, executor, revision) VALUES (?, ?, ?)",
            (now(), executor, revision),
        )
        return int(cur.lastrowid)  # type: ignore[arg-type]

    def end_session(self, session: int, executed: int, failed: int, seconds: float) -> None:
        """Record the end of an invocation."""
        self.db.execute(
            "UPDATE sessions SET finished_at = ?, executed = ?, failed = ?, seconds = ? "
            "WHERE id = ?",
            (now(), executed, failed, seconds, session),
        )

    def sessions(self) -> list[dict[str, Any]]:
        """All invocations so far."""
        cur = self.db.execute("SELECT * FROM sessions ORDER BY id")
        cols = [c[0] for c in cur.description]
        return [dict(zip(cols, row, strict=True)) for row in cur]
