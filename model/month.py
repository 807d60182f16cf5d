"""The month: every mechanism in the model's order, in one compiled call.

Each mechanism has a compiled month, ``step(month, args, activity, ledger) -> int``, whose
arguments are built once per run (``args``, the fields of the mechanism's ``Args`` named
tuple as a plain tuple): arrays the model updates in place, the scenario's levers and tables
by month such as the salts of its keyed draws. ``activity`` holds the fields of
:class:`~zhaoshang.model.state.selection.Activity` and ``ledger`` those of
:class:`~zhaoshang.model.state.events.Ledger`. A step returns 0 when its month is done, or
the number of events it needs room for in the log, having changed nothing. :func:`run`
calls :func:`_run`, which runs the mechanisms in the order of :data:`PHASES`, month after
month, so a month costs at most one call from Python: a step of the model runs one month, a
batch run (``AttractionModel.run_for`` with no agents, monthly series or timings) runs all
its months in one call. It hands back to Python in three cases:

- a phase written in Python comes up (promotion conferences, in the months that hold one,
  and the birth-death urn of the validation scenario):
  :func:`run` runs it and goes on with the next phase;
- a mechanism finds no room in the event log for the events it may write: it changes
  nothing and says how many; :func:`run` grows the log and goes on with that mechanism;
- the model keeps a Mesa agent per active firm, or phases are being timed: then each phase
  is one call, and the agents of the firms it activated are created after it.

Results do not depend on which of these happen: the mechanisms run in the same order on the
same state either way.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numba import njit

from .mechanisms import (
    choice,
    fiscal,
    governance,
    land,
    outreach,
    pipeline,
    pressure,
    projects,
    retention,
)
from .mechanisms.urn_dynamics import step as birth_death_urn
from .outputs import series
from .state import selection
from .state.events import Ledger

if TYPE_CHECKING:
    from .model import AttractionModel


class Phase(NamedTuple):
    """One step of the month.

    Attributes:
        name: What the step is called (in profiles and the ODD).
        args: Builder of a compiled step's run-long arguments (None for a Python step).
        python: A Python step (None for a compiled one).
        when: For a Python step, the months in which it runs (all months if None).
    """

    name: str
    args: Callable[[AttractionModel], tuple] | None = None
    python: Callable[[AttractionModel], None] | None = None
    when: Callable[[AttractionModel], list[int]] | None = None


def _conference_months(m: AttractionModel) -> list[int]:
    return list(m.conferences_by_month)


def _urn_months(m: AttractionModel) -> list[int]:
    return list(range(m.horizon)) if m.spec.world.dynamics == "birth_death" else []


#: The month's steps in order; the compiled ones are dispatched by index in :func:`_run`.
PHASES = (
    Phase("park terms (prices, cluster benefits, credibility)", choice.terms_args),
    Phase("leadership turnover (promises honoured or broken)", governance.args),
    Phase("searches start (relocation pressure)", pressure.start_args),
    Phase("resident offices", outreach.offices_args),
    Phase("promotion conferences", python=outreach.conferences, when=_conference_months),
    Phase("entrusted agents", outreach.agents_args),
    Phase("passive inquiries", outreach.passive_args),
    Phase("location choice", choice.args),
    Phase("birth-death urn (validation)", python=birth_death_urn, when=_urn_months),
    Phase("pipeline (visit, negotiation, contract, construction, operation)", pipeline.args),
    Phase("major projects (leadership, rival bids)", projects.args),
    Phase("idle-land fees and reclamation", land.enforcement_args),
    Phase("retention (satisfaction, exits, reinvestment, referrals)", retention.args),
    Phase("taxes and rebates", fiscal.args),
    Phase("searches end (the rest stay home); active set pruned", pressure.end_args),
    Phase("monthly series (the focus city at the end of the month)", series.args),
)
N_PHASES = len(PHASES)
(TERMS, TURNOVER, START, OFFICES, _CONFERENCES, AGENTS, PASSIVE, CHOICE, _URN, PIPELINE,
 MAJOR, ENFORCE, RETENTION, FISCAL, END, SERIES) = range(N_PHASES)


@njit(cache=True)
def _run(
    month: int, end: int, phase: int, last: int, in_python: np.ndarray, args: tuple,
    activity: tuple, ledger: tuple,
) -> tuple[int, int, int]:
    """Run the months ``month .. end`` from phase ``phase`` until a phase cannot run here.

    Each later month starts its event log's month (as ``EventLog.start_month``) and runs from
    the first phase. The phases are dispatched by index in one chain written here, not in a
    helper called per phase: Numba would count references to every array of ``args`` at each
    such call.

    Args:
        month: The current month (its event log's month already started).
        end: The last month to run.
        phase: The first phase to run in ``month``.
        last: One past the last phase to run in a month (less than all only with ``month`` ==
            ``end``, to run one phase).
        in_python: Whether each phase runs in Python, by month and phase.
        args: Each phase's run-long arguments (an empty tuple for a Python phase).
        activity: Fields of :class:`~zhaoshang.model.state.selection.Activity`.
        ledger: Fields of :class:`~zhaoshang.model.state.events.Ledger`.

    Returns:
        The month and phase reached and the events that phase needs room for: ``(end, last,
        0)`` when all ran, ``(t, p, 0)`` when phase ``p`` of month ``t`` is Python's, ``(t, p,
        n)`` when it needs room for ``n`` events (it has changed nothing).
    """
    log = Ledger(*ledger)
    while True:
        while phase < last:
            if in_python[month, phase]:
                return month, phase, 0
            if phase == TERMS:
                need = choice.terms_step(month, args[TERMS], activity, ledger)
            elif phase == TURNOVER:
                need = governance.step(month, args[TURNOVER], activity, ledger)
            elif phase == START:
                need = pressure.start_step(month, args[START], activity, ledger)
            elif phase == OFFICES:
                need = outreach.offices_step(month, args[OFFICES], activity, ledger)
            elif phase == AGENTS:
                need = outreach.agents_step(month, args[AGENTS], activity, ledger)
            elif phase == PASSIVE:
                need = outreach.passive_step(month, args[PASSIVE], activity, ledger)
            elif phase == CHOICE:
                need = choice.step(month, args[CHOICE], activity, ledger)
            elif phase == PIPELINE:
                need = pipeline.step(month, args[PIPELINE], activity, ledger)
            elif phase == MAJOR:
                need = projects.step(month, args[MAJOR], activity, ledger)
            elif phase == ENFORCE:
                need = land.enforcement_step(month, args[ENFORCE], activity, ledger)
            elif phase == RETENTION:
                need = retention.step(month, args[RETENTION], activity, ledger)
            elif phase == FISCAL:
                need = fiscal.step(month, args[FISCAL], activity, ledger)
            elif phase == END:
                need = pressure.end_step(month, args[END], activity, ledger)
            elif phase == SERIES:
                need = series.step(month, args[SERIES], activity, ledger)
            else:
                need = 0  # a Python phase, in a month where it has nothing to do
            if need:
                return month, phase, need
            phase += 1
        if month == end or last < N_PHASES:
            return month, phase, 0
        month += 1
        log.clock[0] = month  # as EventLog.start_month
        log.flow[:] = 0
        phase = 0


def _plan(m: AttractionModel) -> tuple[np.ndarray, tuple]:
    """Which phases run in Python in which months, and every compiled phase's arguments."""
    in_python = np.zeros((m.horizon + 1, N_PHASES), dtype=np.bool_)
    for k, phase in enumerate(PHASES):
        if phase.python is not None:
            in_python[phase.when(m), k] = True
    args = tuple(() if phase.args is None else phase.args(m) for phase in PHASES)
    return in_python, args


def run(m: AttractionModel, months: int = 1, timings: dict[str, float] | None = None) -> None:
    """Run ``months`` months from the model's current month (see the module's description).

    The model's month is left at the last month run, and set (``AttractionModel.at_month``)
    whenever the months hand back to Python within the call.

    Args:
        m: The model (its event log already started on the current month).
        months: How many months to run; 1 when agents are kept or phases are timed.
        timings: If given, each phase runs in its own call and its seconds are added here,
            by phase name.

    Raises:
        ValueError: If several months are asked for one phase at a time.
    """
    in_python, args = m.kept("month", lambda: _plan(m))
    one_by_one = m.firm_agents or timings is not None
    if one_by_one and months != 1:
        raise ValueError("one phase per call runs one month at a time")
    end = m.month + months - 1
    phase = 0
    while phase < N_PHASES:
        last = phase + 1 if one_by_one else N_PHASES
        before = selection.active_count(m.activity)
        start = time.perf_counter()
        reached_month, reached, need = _run(
            m.month, end, phase, last, in_python, args, m.activity, m.event_log.fields()
        )
        if reached_month != m.month:
            m.at_month(reached_month)
        if need:
            m.event_log.reserve(int(need))
        elif reached < last:
            PHASES[reached].python(m)
            reached += 1
        m.add_agents(before)
        if timings is not None:
            name = PHASES[phase].name
            timings[name] = timings.get(name, 0.0) + time.perf_counter() - start
        phase = reached
