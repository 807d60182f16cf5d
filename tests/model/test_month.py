"""The months in one compiled call give the same run however often they hand back to Python.

``model/month.py`` runs all phases of many months in one call, but returns to Python when a
mechanism finds no room in the event log (which then grows), runs one phase per call when
agents are kept or phases are timed, and one month per call when the model is stepped. Each
mechanism must count its events before changing anything, or a retry would apply part of its
month twice. These runs force every kind of hand-back and compare the whole event log and the
KPIs with a plain run (deterministic: same seed, no statistics).
"""

from __future__ import annotations

import numpy as np

from zhaoshang import AttractionModel
from zhaoshang.model import model as model_module
from zhaoshang.model import month
from zhaoshang.model.state.events import DTYPES, EventLog

#: Phases that write events in the small baseline (the others never ask for room).
WRITERS = {
    "leadership turnover (promises honoured or broken)",
    "resident offices",
    "passive inquiries",
    "location choice",
    "pipeline (visit, negotiation, contract, construction, operation)",
    "major projects (leadership, rival bids)",
    "idle-land fees and reclamation",
    "retention (satisfaction, exits, reinvestment, referrals)",
    "searches end (the rest stay home); active set pruned",
}


class TightLog(EventLog):
    """An event log that shows compiled code no more room than it was last asked for.

    As :meth:`fields` hands them out, the buffers end at the events written plus the room
    granted by the last :meth:`reserve`; each call uses the grant up, so the next call
    shows a full log.
    """

    def __init__(self, focus: int) -> None:
        super().__init__(focus)
        self._grant = 0

    def reserve(self, n: int) -> None:
        super().reserve(n)
        self._grant = n

    def fields(self) -> tuple:
        end = len(self) + self._grant
        self._grant = 0
        full = super().fields()
        return (*(buffer[:end] for buffer in full[: len(DTYPES)]), *full[len(DTYPES) :])


def _run(scenario, *, timed: bool = False, agents: bool = False) -> AttractionModel:
    model = AttractionModel(scenario, rng=3, firm_agents=agents, collect=False)
    if timed:
        model.phase_seconds = {}
    model.run_for(scenario.time.months)
    return model


def _squeezed(scenario, monkeypatch, *, timed: bool) -> tuple[AttractionModel, set[str]]:
    """A run with a :class:`TightLog`, and the phases that asked for room in it."""
    asked: set[str] = set()
    compiled_month = month._run

    def recording(*args):
        reached_month, reached, need = compiled_month(*args)
        if need:
            asked.add(month.PHASES[reached].name)
        return reached_month, reached, need

    with monkeypatch.context() as patch:
        patch.setattr(model_module, "EventLog", TightLog)
        patch.setattr(month, "_run", recording)
        return _run(scenario, timed=timed), asked


def _same_run(a: AttractionModel, b: AttractionModel) -> None:
    cols_a, cols_b = a.event_log.columns(), b.event_log.columns()
    for field, column in cols_a.items():
        np.testing.assert_array_equal(column, cols_b[field], err_msg=field)
    assert a.kpis() == b.kpis()


def test_growing_the_log_mid_month_changes_nothing(small, monkeypatch):
    """A month resumed after the log grew equals one that never stopped (5,000 firms, 36
    months, seed 3). Fails if a mechanism changes state before asking for room."""
    plain = _run(small)
    batched, _ = _squeezed(small, monkeypatch, timed=False)
    _same_run(plain, batched)
    one_by_one, asked = _squeezed(small, monkeypatch, timed=True)
    assert asked == WRITERS  # every phase that writes events had to ask, and was retried
    _same_run(plain, one_by_one)


def test_one_phase_per_call_changes_nothing(small):
    """One call per phase (timed, and with agents) equals one call a month."""
    plain = _run(small)
    timed = _run(small, timed=True)
    _same_run(plain, timed)
    assert set(timed.phase_seconds) <= {phase.name for phase in month.PHASES}
    assert "location choice" in timed.phase_seconds
    _same_run(plain, _run(small, agents=True))


def test_months_in_one_call_equal_month_by_month(small):
    """``run_for`` of a batch model (all months in one call, in two pieces here) equals a
    model stepped month by month, and Mesa's clock counts every month either way."""
    whole = AttractionModel(small, rng=3, firm_agents=False, collect=False)
    whole.run_for(10)
    assert (whole.month, whole.steps, whole.time) == (10, 10, 10.0)
    whole.run_for(small.time.months)  # more than are left: stops at the horizon
    stepped = AttractionModel(small, rng=3, firm_agents=False, collect=False)
    for _ in range(small.time.months):
        stepped.step()
    _same_run(whole, stepped)
    for model in (whole, stepped):
        assert (model.month, model.steps, model.time) == (36, 36, 36.0)
        assert not model.running
