"""Run an experiment into its store: plan the runs, skip finished ones, record each as it ends.

A rerun of the same command resumes: runs the store holds are skipped (failed ones too,
unless ``retry_failed``). A failed run is recorded with its traceback and reported at the end;
it never stops the batch.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..designs.loading import Experiment, ExperimentError, run_seed
from ..designs.sampling import Design, build_design
from ..outputs.folders import git_revision
from .executors import Backend
from .run import RunSetup, Task, evaluate
from .store import Store


@dataclass
class BatchReport:
    """What a batch did."""

    total: int
    skipped: int
    executed: int = 0
    failed_now: int = 0
    done: int = 0
    failed: int = 0
    seconds: float = 0.0
    failures: list[tuple[int, int, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def run_setup(exp: Experiment) -> RunSetup:
    """What every run of the experiment shares."""
    outputs = tuple((o.name, o.kpi, o.months) for o in exp.outputs)
    if exp.spec.model == "abm":
        return RunSetup(model="abm", scenario=exp.base_scenario, outputs=outputs)
    return RunSetup(
        model=exp.spec.model,
        scenario=None,
        outputs=outputs,
        function=exp.spec.function.model_dump(),
        inputs=tuple(p.name for p in exp.parameters),
    )


def plan(exp: Experiment, design: Design, replicates: int) -> list[Task]:
    """Every run of the design, point by point, replicate by replicate."""
    setup = run_setup(exp)
    common = exp.spec.seeds == "common"
    master = exp.spec.seed
    tasks = []
    for point in range(design.n_points):
        values = design.values(point)
        for rep in range(replicates):
            seed = run_seed(master, point, rep, common)
            tasks.append(Task(setup=setup, point=point, replicate=rep, seed=seed, values=values))
    return tasks


def prepare(exp: Experiment, store: Store, pilot: bool = False) -> Design:
    """The experiment's design: sampled, or read back from the store when resuming.

    Raises:
        ExperimentError: If the store's design differs from a fresh sample of the same
            experiment (for example after a SALib or SciPy upgrade changed the sampler).
    """
    design = build_design(exp, pilot=pilot)
    stored = store.load_design()
    if stored is None:
        store.save_design(design.X, design.value_table())
        meta = {"method": design.method, "names": design.names, "settings": design.settings}
        store.set_meta("design", {**meta, "points": design.n_points})
    elif stored.shape != design.X.shape or not np.allclose(
        stored, design.X, rtol=0, atol=1e-12, equal_nan=True
    ):
        raise ExperimentError(
            f"the design stored in {store.path} differs from the one this software samples "
            "for the same experiment (a SALib or SciPy upgrade?); finish it with the versions "
            "in its manifest, or start again in another folder",
            exp.source,
        )
    return design


def execute(
    exp: Experiment,
    design: Design,
    store: Store,
    backend: Backend,
    replicates: int,
    retry_failed: bool = False,
    progress: Callable[[int, int, int], None] | None = None,
) -> BatchReport:
    """Run every task the store does not hold yet, recording each as it completes.

    Args:
        exp: The experiment.
        design: Its design.
        store: The open store.
        backend: Where to run.
        replicates: Replicates per design point.
        retry_failed: Rerun failed runs too.
        progress: Called as ``progress(completed, total_to_run, failed)`` after each run.

    Returns:
        The batch report.
    """
    tasks = plan(exp, design, replicates)
    held = store.finished(include_failed=not retry_failed)
    todo = [t for t in tasks if (t.point, t.replicate) not in held]
    report = BatchReport(total=len(tasks), skipped=len(tasks) - len(todo))
    revision = git_revision()
    earlier = {s["revision"] for s in store.sessions() if s["executed"]} - {revision}
    if todo and earlier:
        report.warnings.append(
            f"the code changed since earlier runs of this experiment (git revision "
            f"{', '.join(sorted(str(r) for r in earlier))}, now {revision}): the store may mix "
            "runs of two model versions; start again in a new folder if the model changed"
        )
    session = store.begin_session(backend.description, revision)
    clock = time.perf_counter()
    try:
        for _, record in backend.run(evaluate, todo):
            store.record(record)
            report.executed += 1
            report.failed_now += record["status"] == "failed"
            if progress is not None:
                progress(report.executed, len(todo), report.failed_now)
    finally:
        report.seconds = time.perf_counter() - clock
        store.end_session(session, report.executed, report.failed_now, report.seconds)
    counts = store.counts()
    report.done, report.failed = counts["done"], counts["failed"]
    report.failures = store.failures()
    return report


def open_store(exp: Experiment, out: Path) -> Store:
    """Open (or create) the store of an experiment in ``out``."""
    return Store(Path(out) / "store.sqlite", exp.fingerprint, exp.source)


def describe(report: BatchReport) -> dict[str, Any]:
    """The batch report as plain data (for the manifest)."""
    return {
        "runs_total": report.total,
        "runs_skipped_as_already_stored": report.skipped,
        "runs_executed": report.executed,
        "runs_failed_this_session": report.failed_now,
        "runs_done": report.done,
        "runs_failed": report.failed,
        "session_seconds": round(report.seconds, 3),
        "warnings": report.warnings,
    }
