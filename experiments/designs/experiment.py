"""An experiment from file to results folder: run into the store, reduce, analyse, write.

Everything after the runs is computed from the store, so an interrupted and resumed
experiment writes the same tables, indices and figures as an uninterrupted one.
"""

from __future__ import annotations

import dataclasses
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from ..analysis.sensitivity import (
    Analysis,
    analyze,
    noise_table,
    per_point,
    recommend_replicates,
    replicate_matrix,
)
from ..outputs import experiment_folder as files
from ..outputs.folders import provenance
from ..runs.batch import BatchReport, describe, execute, open_store, prepare
from ..runs.executors import Backend
from .loading import ANALYSIS_TAG, Experiment, derive_seed
from .sampling import Design

#: Exit status when some runs failed (they are in the store with their tracebacks).
EXIT_FAILED_RUNS = 3
#: Exit status when every run succeeded but some output could not be analysed.
EXIT_UNANALYSED = 4

RUN_SEED_RULE = (
    "seed of run (point p, replicate r) = numpy.random.SeedSequence([master, 0, p, r])"
    ".generate_state(1, uint32)[0]; with seeds = 'common', [master, 0, r]"
)


@dataclass
class Outcome:
    """What running an experiment produced."""

    out: Path
    design: Design
    report: BatchReport
    results: pd.DataFrame
    noise: pd.DataFrame
    analysis: Analysis | None = None
    recommendation: pd.DataFrame | None = None
    figures: list[str] = field(default_factory=list)

    @property
    def exit_status(self) -> int:
        """0, or 3 if some runs failed, or 4 if some output could not be analysed."""
        if self.report.failed:
            return EXIT_FAILED_RUNS
        if self.analysis and any(n.fatal for n in self.analysis.notes):
            return EXIT_UNANALYSED
        return 0


def run(
    exp: Experiment,
    out: Path,
    backend: Backend,
    *,
    analyse: bool = True,
    figures: bool = True,
    retry_failed: bool = False,
    pilot: bool = False,
    progress: Callable[[int, int, int], None] | None = None,
    on_start: Callable[[int, int], None] | None = None,
) -> Outcome:
    """Run an experiment (or its pilot) into ``out`` and write its results.

    Args:
        exp: The experiment.
        out: The results folder (the pilot writes to ``out/pilot``).
        backend: Where runs execute.
        analyse: Compute and write sensitivity indices.
        figures: Draw figures.
        retry_failed: Rerun the runs that failed before.
        pilot: Run the pilot design instead and recommend a replicate count.
        progress: Called after each run as ``progress(done, to_run, failed)``.
        on_start: Called once as ``on_start(total_runs, already_stored)``.

    Returns:
        The outcome.
    """
    started, clock = datetime.now(UTC), time.perf_counter()
    replicates = exp.spec.pilot.replicates if pilot else exp.spec.replicates
    if pilot:
        out = Path(out) / "pilot"
        exp = dataclasses.replace(exp, resolved={**exp.resolved, "pilot_run": True})
    out = Path(out)
    with open_store(exp, out) as store:
        design = prepare(exp, store, pilot=pilot)
        manifest = _manifest(exp, design, replicates, started, backend)
        files.write_manifest(out, {**manifest, "status": "running"})
        total = design.n_points * replicates
        held = store.finished(include_failed=not retry_failed)
        if on_start is not None:
            on_start(total, len(held))
        report = execute(exp, design, store, backend, replicates, retry_failed, progress)
        runs = store.outputs([o.name for o in exp.outputs])
        sessions, run_seconds = store.sessions(), store.run_seconds()
    Y, results = per_point(runs, exp.outputs, design.n_points)
    noise = noise_table(runs, exp.outputs, design.n_points)
    files.write_tables(out, design, results, noise)
    outcome = Outcome(out, design, report, results, noise)
    analysis_clock = time.perf_counter()
    if pilot:
        outcome.recommendation = recommend_replicates(noise, exp.spec.pilot.target_noise)
        files.write_csv(out / "recommendation.csv", outcome.recommendation)
    elif analyse:
        d = exp.spec.design
        matrices = {o.name: replicate_matrix(runs, o.name, design.n_points) for o in exp.outputs}
        outcome.analysis = analyze(
            design, Y, seed=derive_seed(exp.spec.seed, ANALYSIS_TAG),
            num_resamples=d.num_resamples, conf_level=d.conf_level,
            convergence=d.convergence, replicates=matrices,
        )  # fmt: skip
        files.write_indices(out, exp, design, outcome.analysis, noise)
        if figures and len(outcome.analysis.indices):
            outcome.figures = files.write_figures(out, exp, design, outcome.analysis)
    manifest.update(
        status="complete" if not report.failed else "complete, with failed runs",
        runs=describe(report),
        failures=[{"point": p, "replicate": r, "error": e} for p, r, e in report.failures],
        notes=[n.__dict__ for n in outcome.analysis.notes] if outcome.analysis else [],
        timings={
            "sessions": sessions,
            "run_seconds_total": round(run_seconds, 3),
            "analysis_seconds": round(time.perf_counter() - analysis_clock, 3),
            "this_invocation_seconds": round(time.perf_counter() - clock, 3),
        },
        finished_at=datetime.now(UTC).isoformat(),
    )
    files.write_manifest(out, manifest)
    return outcome


def _manifest(
    exp: Experiment, design: Design, replicates: int, started: datetime, backend: Backend
) -> dict[str, Any]:
    return {
        "experiment_name": exp.name,
        "experiment_file": exp.source,
        "fingerprint": exp.fingerprint,
        "command": " ".join(["zhaoshang", *sys.argv[1:]]),
        "started_at": started.isoformat(),
        "executor": backend.description,
        "experiment": exp.resolved,
        "parameters": [dataclasses.asdict(p) for p in exp.parameters],
        "outputs": [dataclasses.asdict(o) for o in exp.outputs],
        "design": {
            "method": design.method,
            "columns": design.names,
            "dummy": design.has_dummy,
            "settings": design.settings,
            "points": design.n_points,
            "replicates": replicates,
            "runs": design.n_points * replicates,
        },
        "seeds": {
            "master": exp.spec.seed,
            "strategy": exp.spec.seeds,
            "runs": RUN_SEED_RULE,
            "sampling": design.settings.get("sampling_seed"),
            "analysis": derive_seed(exp.spec.seed, ANALYSIS_TAG),
        },
        **provenance(),
        "scenario": exp.base_scenario,
    }
