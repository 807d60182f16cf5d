"""What the page shows of a run, recorded as the run steps (in the stepping thread).

The page renders in another thread than the one that steps the model, so it never reads the
model's own arrays: each month the model records an immutable :class:`Frame` (the monthly
series, operating firms per park, the firms to draw on the map) and new lines of the feed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..i18n import LANGS
from . import feed

if TYPE_CHECKING:
    from ..model.model import AttractionModel

#: Map status codes of a drawn firm.
SEARCHING, PIPELINE, OPERATING = 0, 1, 2


@dataclass(frozen=True)
class Positions:
    """Firms to draw: where they are (origin region or park) and in what state."""

    firm: np.ndarray  # firm ids
    sector: np.ndarray
    region: np.ndarray  # origin region of each firm
    park: np.ndarray  # park of its deal or location, -1 at home
    status: np.ndarray  # SEARCHING, PIPELINE or OPERATING

    @classmethod
    def of(cls, model: AttractionModel) -> Positions:
        """The firms searching, in a deal, or operating now."""
        groups = (
            (model.searchers(), SEARCHING),
            (model.in_pipeline(), PIPELINE),
            (model.tenants(), OPERATING),
        )
        ids = np.concatenate([g for g, _ in groups]).astype(np.int64)
        status = np.concatenate([np.full(len(g), s, dtype=np.int8) for g, s in groups])
        f = model.firms
        return cls(
            ids,
            f.sector[ids].astype(np.int64),
            f.region[ids].astype(np.int64),
            np.where(status == SEARCHING, -1, f.park[ids]).astype(np.int64),
            status,
        )


@dataclass(frozen=True)
class Frame:
    """The state of a run at the end of one month (or at the start, month -1)."""

    month: int  # simulated month just completed (-1 before the first step)
    date: str  # calendar month of ``month`` (the start month before the first step)
    row: dict[str, Any]  # the model's monthly series (``model.current``)
    park_firms: np.ndarray  # operating firms per park (all cities)


@dataclass
class Trace:
    """Frames and feed lines of a run, appended as it steps."""

    draw: bool = True  # record the firms' positions for the map
    frames: list[Frame] = field(default_factory=list)
    positions: Positions | None = None  # the firms to draw now
    feed: list[str] = field(default_factory=list)  # in English
    feed_zh: list[str] = field(default_factory=list)  # the same lines in Chinese
    _events_seen: int = 0
    _turnovers: int = 0

    def start(self, model: AttractionModel) -> None:
        """Record the state before the first month (incumbent firms only)."""
        self._events_seen = len(model.event_log)
        self._turnovers = int(model.cities.turnovers[model.world.focus])
        self.frames.append(self._frame(model, -1, {}))
        self.positions = Positions.of(model) if self.draw else None

    def record(self, model: AttractionModel) -> None:
        """Record the month just simulated (call right after ``AttractionModel.step``)."""
        month = model.month - 1
        ev = model.event_log.columns()
        new = {
            lang: feed.describe(model, ev, self._events_seen, lang)
            + feed.city_news(model, month, self._turnovers, lang)
            for lang in LANGS
        }
        self._events_seen = len(ev["month"])
        self._turnovers = int(model.cities.turnovers[model.world.focus])
        # new lists, so a reader never sees them half-grown
        self.feed = self.feed + new["en"]
        self.feed_zh = self.feed_zh + new["zh"]
        self.frames = [*self.frames, self._frame(model, month, dict(model.current))]
        self.positions = Positions.of(model) if self.draw else None

    def _frame(self, model: AttractionModel, month: int, row: dict[str, Any]) -> Frame:
        tenants = model.tenants()
        parks = np.bincount(
            model.firms.park[tenants].astype(np.int64), minlength=len(model.world.park_ids)
        )
        return Frame(
            month=month,
            date=model.world.date(max(month, 0)),
            row=row,
            park_firms=parks,
        )

    def feed_in(self, lang: str, last: int) -> list[str]:
        """The ``last`` feed lines in a language, newest month first (in order within one)."""
        lines = self.feed_zh if lang == "zh" else self.feed
        months = [line[:7] for line in self.feed[-last:]]  # English lines start YYYY-MM
        shown = lines[-last:]
        order = sorted(range(len(shown)), key=lambda k: months[k], reverse=True)
        return [shown[k] for k in order]

    @property
    def latest(self) -> Frame:
        """The last recorded frame."""
        return self.frames[-1]

    def series(self, name: str) -> np.ndarray:
        """One monthly series (``contacts``, ``idle_land_ha``, ...) over the months run."""
        return np.array([fr.row[name] for fr in self.frames[1:]], dtype=float)

    def park_series(self) -> np.ndarray:
        """Operating firms per park, shape (months run, parks)."""
        rows = [fr.park_firms for fr in self.frames[1:]]
        return np.array(rows) if rows else np.zeros((0, len(self.frames[0].park_firms)))
