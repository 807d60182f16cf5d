"""Relocation pressure: when candidate firms start and stop looking for a new site.

Each firm's month of becoming relocation-minded is drawn at construction from a hazard that
rises with home wages (see :meth:`FirmTable.schedule_minded`); here the model starts the
searches that fall due and closes those whose window has run out. A firm that knew of some
destination but never settled on one stays home (the outside option).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .codes import Cause, Channel, Stage

if TYPE_CHECKING:
    from .model import AttractionModel


def start_searches(m: AttractionModel) -> None:
    """Start the search of every firm whose relocation month is now."""
    ptr = m.minded_ptr
    end = int(np.searchsorted(m.minded_sorted, m.month, side="right"))
    if end == ptr:
        return  # nobody becomes relocation-minded this month
    m.minded_ptr = end
    f = m.firms
    ids = m.minded_order[ptr:end]
    ids = ids[(f.stage[ids] <= Stage.AWARE) & ~m.searching(ids)]
    begin_search(m, ids)


def begin_search(m: AttractionModel, ids: np.ndarray) -> None:
    """Make firms relocation-minded from this month for ``search_months``."""
    if len(ids) == 0:
        return
    f = m.firms
    f.search_start[ids] = m.month
    f.search_end[ids] = m.month + m.spec.behaviour.search_months
    f.needs_choice[ids] = True
    m.activate(ids)


def end_searches(m: AttractionModel) -> None:
    """Firms whose search ends this month and that found no deal stay home."""
    f = m.firms
    ids = m.active
    done = ids[(f.search_end[ids] == m.month + 1) & (f.stage[ids] == Stage.AWARE)]
    if len(done):
        m.log(done, Stage.AWARE, Stage.LOST, -1, -1, Channel.NONE, Cause.STAYED_HOME)
        f.stage[done] = Stage.LOST
