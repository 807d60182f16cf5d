"""Firms learn of a city: the event, the firm's state, a pitch that may start its search.

Every channel (offices, conferences, agents, passive inquiries, referrals) ends here, so this
one compiled pass replaces a sequence of small steps per batch of firms.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numba import njit

from ..state.codes import Cause, Channel, Stage
from ..state.events import Ledger, record
from ..state.selection import Activity, add_active
from ..state.streams import uniform_at

if TYPE_CHECKING:
    from ..model import AttractionModel

_AWARE, _OUTREACH, _PASSIVE = int(Stage.AWARE), int(Cause.OUTREACH), int(Channel.PASSIVE)


class Learners(NamedTuple):
    """Firm columns that learning of a city changes."""

    known: np.ndarray
    stage: np.ndarray
    search_start: np.ndarray
    search_end: np.ndarray
    needs_choice: np.ndarray


def learners(m: AttractionModel) -> tuple:
    """The fields of :class:`Learners` of the model's firm table."""
    f = m.firms
    return tuple(Learners(
        known=f.known, stage=f.stage, search_start=f.search_start, search_end=f.search_end,
        needs_choice=f.needs_choice,
    ))


class Pitch(NamedTuple):
    """How a pitch may start a firm's search this month."""

    month: int
    salt: np.uint64  # keyed draws of (TRIGGER, month, city)
    probability: float
    search_months: int


@njit(cache=True, inline="always")
def begin_search(ids: np.ndarray, f: Learners, month: int, search_months: int) -> None:
    """Firms ``ids`` start searching this month, for ``search_months`` (they choose soon)."""
    for i in ids:
        f.search_start[i] = month
        f.search_end[i] = month + search_months
        f.needs_choice[i] = True


@njit(cache=True, inline="always")
def _pitched(ids: np.ndarray, f: Learners, pitch: Pitch) -> np.ndarray:
    """Firms of ``ids`` not searching whose keyed draw is below the pitch probability."""
    out = np.empty(ids.size, dtype=np.int64)
    n = 0
    for i in ids:
        searching = f.search_start[i] <= pitch.month < f.search_end[i]
        if not searching and uniform_at(pitch.salt, np.uint64(i)) < pitch.probability:
            out[n] = i
            n += 1
    return out[:n]


@njit(cache=True, inline="always")
def learn(
    ids: np.ndarray, city: int, channel: int, f: Learners, p: Pitch, act: Activity, log: Ledger
) -> None:
    """Firms ``ids`` learn of ``city`` through ``channel`` (for use inside kernels).

    Each is logged as becoming aware (from the stage it was at), marks the city as known by
    the channel, and will choose this month. Unless the channel is passive, a pitch prompts
    some firms not yet searching to start; those join the active set first, then the rest.
    The ledger must have room for ``ids``.
    """
    for i in ids:
        record(log, i, f.stage[i], _AWARE, -1, city, channel, _OUTREACH)
    for i in ids:
        f.known[i, city] = channel
        f.stage[i] = _AWARE
    if channel != _PASSIVE:
        prompted = _pitched(ids, f, p)
        begin_search(prompted, f, p.month, p.search_months)
        add_active(prompted, act)
    for i in ids:
        f.needs_choice[i] = True
    add_active(ids, act)


@njit(cache=True)
def inform(
    ids: np.ndarray,
    city: int,
    channel: int,
    learners: tuple,
    pitch: tuple,
    activity: tuple,
    ledger: tuple,
) -> None:
    """:func:`learn`, given the fields of its named tuples (see ``AttractionModel.inform``).

    Args:
        ids: The firms.
        city: City index.
        channel: Channel code.
        learners: Fields of :class:`Learners`.
        pitch: Fields of :class:`Pitch`.
        activity: Fields of :class:`~zhaoshang.model.state.selection.Activity`.
        ledger: Fields of :class:`~zhaoshang.model.state.events.Ledger`, with room for ``ids``.
    """
    learn(
        ids, city, channel, Learners(*learners), Pitch(*pitch), Activity(*activity),
        Ledger(*ledger),
    )
