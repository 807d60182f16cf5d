"""Calibration by the simulated method of moments, and the out-of-sample check.

A targets file names observed numbers (each a KPI path in the model's KPI dictionary, for
flows counted in a window of months) with a relative tolerance, the behavioural parameters to
fit with their start values and bounds, and held-out facts that are only compared after the
fit. The objective is the sum over targets of ``((mean - target) / (tolerance * target))^2``,
where ``mean`` averages the replicates. Every candidate runs the same replicate seeds (common
random numbers), so differences between candidates are not noise between seeds. The search is
SciPy's Nelder-Mead on bounded parameters mapped to the real line by a logistic transform,
starting from the start values of the targets file; it is deterministic given the seed, and it
does not depend on the values the scenario already holds, so rerunning it on a scenario that
carries the calibrated values reproduces the same fit.
"""

from __future__ import annotations

import contextlib
import json
import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import ValidationError, model_validator

from ...model.outputs.kpis import compute
from ...scenarios import load_scenario
from ...scenarios.errors import InputError, describe_validation
from ...scenarios.fields import Strict, param, value_at
from ...scenarios.loader import read_toml
from ...scenarios.schema import Month
from ..runs.parallel import map_tasks
from .replicate import Task, model_after, replicate_seeds

#: Largest observed number a target may hold (a count or an amount in yuan).
MAX_OBSERVED = 1e15

#: Significant digits kept of a fitted value (what a calibrated scenario file holds).
DIGITS = 4


class TargetSpec(Strict):
    """One observed number and the KPI that measures it."""

    kpi: str = param(
        ...,
        "Dotted path into the KPI dictionary (by_channel.office.contacts), or several joined "
        "by ' + ' whose values are summed.",
    )
    value: float = param(..., "The observed value.", gt=0, le=MAX_OBSERVED)
    tolerance: float | None = param(
        None, "Relative tolerance (none = the file's tolerance).", unit="share", gt=0, le=100
    )
    source: str = param("", "Where the number comes from.")


class ParameterSpec(Strict):
    """A parameter the search moves: start value and bounds."""

    start: float = param(..., "Start of the search.")
    lower: float = param(..., "Lower bound.")
    upper: float = param(..., "Upper bound.")

    @model_validator(mode="after")
    def _check_bounds(self) -> ParameterSpec:
        if not self.lower < self.start < self.upper:
            raise ValueError(
                f"need lower < start < upper, got {self.lower} < {self.start} < {self.upper}"
            )
        return self


class HoldoutSpec(Strict):
    """Facts compared after the fit, never used in the objective."""

    months: tuple[Month, Month] = param((0, 24), "Half-open window of months the facts cover.")
    visitors: float = param(
        ..., "Visitors of the city's promotion conferences.", gt=0, le=MAX_OBSERVED
    )
    intentions: float = param(
        ..., "Cooperation intentions declared at them.", gt=0, le=MAX_OBSERVED
    )
    contracted_yuan: float = param(
        ..., "Investment contracted at them.", unit="yuan", gt=0, le=MAX_OBSERVED
    )
    source: str = param("", "Where the facts come from.")


class TargetsFile(Strict):
    """A targets file: what to fit, to which numbers, and what to hold out."""

    title: str = param("", "What the targets describe.")
    source: str = param("", "Where the numbers come from.")
    months: tuple[Month, Month] = param(
        (0, 12), "Half-open window of months the targets count."
    )
    tolerance: float = param(0.2, "Default relative tolerance.", unit="share", gt=0, le=100)
    targets: dict[str, TargetSpec] = param({}, "Targets, keyed by a short name.")
    parameters: dict[str, ParameterSpec] = param(
        {}, "Parameters to fit, keyed by their dotted scenario path."
    )
    holdout: HoldoutSpec | None = None

    @model_validator(mode="after")
    def _check(self) -> TargetsFile:
        if not self.targets:
            raise ValueError("at least one target is needed (table `targets`)")
        if not 0 <= self.months[0] < self.months[1]:
            raise ValueError(f"months must be [start, end) with 0 <= start < end: {self.months}")
        return self


def load_targets(path: str | Path) -> TargetsFile:
    """Read and check a targets file, raising :class:`InputError` with file and field path."""
    path = Path(path)
    try:
        data = read_toml(path)
    except InputError as exc:
        raise InputError(exc.message.replace("scenario files", "targets files")) from None
    try:
        return TargetsFile.model_validate(data)
    except ValidationError as exc:
        raise describe_validation(exc, TargetsFile, None, str(path)) from None


def kpi_value(kpis: Mapping[str, Any], path: str) -> float:
    """The number at a dotted path of the KPI dictionary (NaN if there is none there).

    NaN when the path ends early or at a table; ``check_paths`` then says which. Paths joined
    by ``+`` give the sum of their values.
    """
    if "+" in path:
        return sum(kpi_value(kpis, part.strip()) for part in path.split("+"))
    node: Any = kpis
    for key in path.split("."):
        if not isinstance(node, Mapping) or key not in node:
            return math.nan
        node = node[key]
    return math.nan if node is None or isinstance(node, Mapping) else float(node)


def check_paths(targets: TargetsFile, kpis: Mapping[str, Any], source: str) -> None:
    """Fail with a clear message if a target names a KPI the model does not report."""
    for name, t in targets.targets.items():
        for path in (part.strip() for part in t.kpi.split("+")):
            _check_path(path, kpis, source, f"targets.{name}.kpi")


def _check_path(path: str, kpis: Mapping[str, Any], source: str, field: str) -> None:
    """Fail with a clear message if ``path`` names no number of the KPI dictionary."""
    node: Any = kpis
    for depth, key in enumerate(path.split(".")):
        if not isinstance(node, Mapping) or key not in node:
            known = ", ".join(sorted(node)) if isinstance(node, Mapping) else "none (a value)"
            prefix = ".".join(path.split(".")[:depth]) or "the top level"
            raise InputError(
                f"{path!r} is not a KPI path: {prefix} has no key {key!r} "
                f"(keys there: {known})",
                source,
                field,
            )
        node = node[key]
    if isinstance(node, Mapping):
        raise InputError(
            f"{path!r} is a table, not a number; name one of its entries "
            f"({', '.join(f'{path}.{k}' for k in sorted(node))})",
            source,
            field,
        )


def check_against(targets: TargetsFile, scenario: str | Path, overrides: Sequence[str],
                  source: str) -> None:
    """Fail before any run if the targets file does not fit the scenario.

    Every fitted parameter must be a path of the scenario that accepts both of its bounds,
    and the months counted (targets and holdout) must lie within the scenario's horizon.

    Args:
        targets: The targets file.
        scenario: Library name or path of the scenario.
        overrides: The fixed ``--set`` overrides.
        source: The targets file, for messages.

    Raises:
        InputError: Naming the targets file and the field at fault.
    """
    horizon = load_scenario(scenario, list(overrides)).time.months
    windows = [("months", targets.months)]
    if targets.holdout is not None:
        windows.append(("holdout.months", targets.holdout.months))
    for field, (_, end) in windows:
        if end > horizon:
            raise InputError(f"counts months up to {end}, but the scenario runs {horizon} "
                             "months", source, field)
    for name, spec in targets.parameters.items():
        for bound in ("lower", "upper"):
            value = getattr(spec, bound)
            try:
                load_scenario(scenario, [*overrides, f"{name}={value!r}"])
            except InputError as exc:
                reason = exc.message.split(": ", 2)[-1]
                raise InputError(f"{name} = {value!r} is not a valid scenario value: {reason}",
                                 source, f"parameters.{name}.{bound}") from None


# ---------------------------------------------------------------- one replicate
@dataclass(frozen=True)
class FitTask:
    """One replicate of one candidate: resolved scenario, seed, months and what to measure."""

    scenario: Any  # a resolved Scenario
    seed: int
    months: tuple[int, int]
    paths: tuple[str, ...]


def measure(task: FitTask) -> list[float]:
    """Run one replicate to the end of the window and read the target KPIs."""
    model = model_after(Task(task.scenario, task.seed, task.months[1]))
    kpis = compute(model, months=task.months)
    return [kpi_value(kpis, p) for p in task.paths]


def conference_counterpart(task: FitTask) -> list[float]:
    """The model's counterpart of the city promotion-conference facts, over the task's window.

    Returns:
        [visitors (person-visits counted at the city's own conferences, ``kind = "city"``),
        projects booked at their collective signing ceremonies (the intentions declared there
        and the city's major projects from every channel), their contracted investment (yuan,
        as reported)].
    """
    model = model_after(Task(task.scenario, task.seed, task.months[1]))
    lo, hi = task.months
    results = [
        r for r in model.conference_results.values()
        if r["kind"] == "city" and lo <= model.world.month_of(r["date"]) < hi
    ]
    return [
        float(sum(r["guests"] for r in results)),
        float(sum(r["booked"] for r in results)),
        float(sum(r["contracted_yuan"] for r in results)),
    ]


# ---------------------------------------------------------------- the search
class Bounded:
    """Map bounded parameters to the real line and back (logistic transform)."""

    def __init__(self, specs: Mapping[str, ParameterSpec]):
        self.names = list(specs)
        self.lower = np.array([s.lower for s in specs.values()])
        self.upper = np.array([s.upper for s in specs.values()])
        self.start = np.array([s.start for s in specs.values()])

    def to_values(self, z: np.ndarray) -> np.ndarray:
        """Parameter values of a point of the search space, rounded to :data:`DIGITS`."""
        values = self.lower + (self.upper - self.lower) / (1.0 + np.exp(-np.asarray(z)))
        return np.array([float(f"{v:.{DIGITS}g}") for v in values])

    def to_z(self, values: np.ndarray) -> np.ndarray:
        """The point of the search space of parameter values."""
        share = (np.asarray(values) - self.lower) / (self.upper - self.lower)
        return np.log(share / (1.0 - share))


class _BudgetSpent(Exception):
    """Raised to stop the search when the evaluation budget is spent."""


@dataclass
class Evaluation:
    """Simulated moments of one candidate."""

    values: dict[str, float]
    means: np.ndarray
    sds: np.ndarray
    loss: float


class Calibration:
    """Simulated method of moments over the parameters of a targets file.

    Args:
        scenario: Library name or path of the scenario.
        targets: The targets file.
        replicates: Replicates per candidate (the same seeds for every candidate).
        seed: Master seed of the replicate seeds.
        overrides: Fixed overrides applied before the fitted parameters.
        workers: Local processes (1 = serial).
        executor: Any ``concurrent.futures.Executor`` instead of a local pool.
        progress: Called with each finished evaluation.
    """

    def __init__(
        self,
        scenario: str | Path,
        targets: TargetsFile,
        replicates: int = 10,
        seed: int = 0,
        overrides: Sequence[str] = (),
        workers: int = 1,
        executor: Executor | None = None,
        progress: Callable[[Evaluation], None] | None = None,
    ):
        self.scenario = scenario
        self.targets = targets
        self.seeds = replicate_seeds(seed, replicates)
        self.overrides = list(overrides)
        self.workers = workers
        self.executor = executor
        self.progress = progress
        self.names = list(targets.targets)
        specs = targets.targets.values()
        self.observed = np.array([t.value for t in specs])
        self.tolerance = np.array([t.tolerance or targets.tolerance for t in specs])
        self.bounded = Bounded(targets.parameters)
        self.history: list[Evaluation] = []

    def spec(self, values: Mapping[str, float]):
        """The scenario with the fixed overrides and the candidate's values."""
        extra = [f"{k}={float(v)!r}" for k, v in values.items()]
        return load_scenario(self.scenario, [*self.overrides, *extra])

    def _run(self, fn, values: Mapping[str, float], months: tuple[int, int], paths=()):
        spec = self.spec(values)
        tasks = [FitTask(spec, s, months, tuple(paths)) for s in self.seeds]
        return np.array(map_tasks(fn, tasks, workers=self.workers, executor=self.executor))

    def evaluate(self, values: Mapping[str, float], record: bool = True) -> Evaluation:
        """Simulate the targets at ``values`` and score them.

        Args:
            values: Dotted parameter path -> value (the others as the scenario holds them).
            record: Keep the evaluation in :attr:`history` and report it to ``progress``
                (false for the points of a loss profile, which are not candidates).
        """
        paths = [t.kpi for t in self.targets.targets.values()]
        sims = self._run(measure, values, self.targets.months, paths)
        with warnings.catch_warnings():  # a KPI without any value is reported below
            warnings.simplefilter("ignore", RuntimeWarning)
            means = np.nanmean(sims, axis=0)
            sds = np.nanstd(sims, axis=0, ddof=1) if len(sims) > 1 else np.zeros(len(means))
        scaled = (means - self.observed) / (self.tolerance * self.observed)
        loss = float(np.sum(np.where(np.isfinite(scaled), scaled, 1e6) ** 2))
        ev = Evaluation(dict(values), means, sds, loss)
        if record:
            self.history.append(ev)
        if self.progress:
            self.progress(ev)
        return ev

    def require_values(self, ev: Evaluation) -> None:
        """Fail with the targets file's field path if a target's KPI has no value."""
        missing = [n for n, m in zip(self.names, ev.means, strict=True) if not np.isfinite(m)]
        if not missing:
            return
        model = model_after(Task(self.spec(ev.values), self.seeds[0], self.targets.months[1]))
        check_paths(self.targets, compute(model, months=self.targets.months), "targets")
        name = missing[0]
        raise InputError(
            f"the model reports no value for {self.targets.targets[name].kpi!r} in months "
            f"{list(self.targets.months)}",
            "targets",
            f"targets.{name}.kpi",
        )

    def fit(self, budget: int) -> Evaluation:
        """Search for at most ``budget`` evaluations; 0 evaluates the scenario as it is."""
        from scipy.optimize import minimize

        if budget <= 0 or not self.bounded.names:
            ev = self.evaluate({})
            self.require_values(ev)
            return ev
        b = self.bounded
        z0 = b.to_z(b.start)
        simplex = np.vstack([z0] + [z0 + 0.5 * np.eye(len(z0))[i] for i in range(len(z0))])
        cache: dict[tuple, float] = {}

        def loss(z: np.ndarray) -> float:
            values = b.to_values(z)
            key = tuple(values)
            if key not in cache:
                if len(self.history) >= budget:  # Nelder-Mead may overshoot maxfev
                    raise _BudgetSpent
                ev = self.evaluate(dict(zip(b.names, values.tolist(), strict=True)))
                if len(self.history) == 1:
                    self.require_values(ev)
                cache[key] = ev.loss
            return cache[key]

        options = {"maxfev": budget, "initial_simplex": simplex, "xatol": 1e-3, "fatol": 1e-3}
        with contextlib.suppress(_BudgetSpent):
            minimize(loss, z0, method="Nelder-Mead", options=options)
        return min(self.history, key=lambda e: e.loss)

    def fitted_point(self, best: Evaluation) -> dict[str, float]:
        """Every fitted parameter's value at ``best`` (the scenario's own where not searched)."""
        scenario = self.spec({})
        return {
            name: float(best.values.get(name, value_at(scenario, name)))
            for name in self.bounded.names
        }

    def profile(self, best: Evaluation, points: int) -> pd.DataFrame:
        """The loss along each fitted parameter, the others held at ``best``.

        Each parameter takes ``points`` values evenly spread over its bounds (rounded to
        :data:`DIGITS` digits, as fitted values are) plus its value at ``best``; every point
        runs the calibration's replicate seeds. A parameter is identified by the targets when
        its profile has a clear minimum: the loss rises by at least :data:`PROFILE_RISE` on
        both sides of it within the bounds.

        Returns:
            One row per (parameter, value): ``parameter, value, at_fit, loss`` and the
            simulated mean of every target.
        """
        centre = self.fitted_point(best)
        rows = []
        for name in self.bounded.names:
            spec = self.targets.parameters[name]
            grid = np.linspace(spec.lower, spec.upper, points)
            values = sorted({float(f"{v:.{DIGITS}g}") for v in grid} | {centre[name]})
            for value in values:
                ev = self.evaluate({**centre, name: value}, record=False)
                rows.append(
                    {
                        "parameter": name,
                        "value": value,
                        "at_fit": value == centre[name],
                        "loss": ev.loss,
                        **dict(zip(self.names, ev.means.tolist(), strict=True)),
                    }
                )
        return pd.DataFrame(rows)

    def fit_table(self, best: Evaluation) -> pd.DataFrame:
        """Target, KPI, observed, simulated mean and sd, relative error, within tolerance."""
        rel = (best.means - self.observed) / self.observed
        return pd.DataFrame(
            {
                "target": self.names,
                "kpi": [t.kpi for t in self.targets.targets.values()],
                "observed": self.observed,
                "tolerance": self.tolerance,
                "simulated_mean": best.means,
                "simulated_sd": best.sds,
                "relative_error": rel,
                "within_tolerance": np.abs(rel) <= self.tolerance + 1e-12,
            }
        )

    def holdout_table(self, values: Mapping[str, float]) -> pd.DataFrame | None:
        """The out-of-sample comparison with the held-out facts (never part of the fit)."""
        h = self.targets.holdout
        if h is None:
            return None
        sims = self._run(conference_counterpart, values, h.months)
        observed = np.array([h.visitors, h.intentions, h.contracted_yuan])
        means = sims.mean(axis=0)
        return pd.DataFrame(
            {
                "fact": ["visitors", "intentions", "contracted_yuan"],
                "observed": observed,
                "simulated_mean": means,
                "simulated_sd": sims.std(axis=0, ddof=1) if len(sims) > 1 else 0.0,
                "ratio": means / observed,
            }
        )


#: Rise of the loss, on each side of a profile's minimum, that makes a parameter identified:
#: one unit is one target moved by its whole tolerance.
PROFILE_RISE = 1.0


def profile_summary(profile: pd.DataFrame) -> pd.DataFrame:
    """Per parameter of a loss profile: its minimum and how far the loss rises around it.

    Columns: the fitted value and the loss there, the value where the profile is lowest and
    its loss, the rise of the loss below and above that value within the bounds, and whether
    the parameter is identified (both rises at least :data:`PROFILE_RISE`).
    """
    rows = []
    for name, part in profile.groupby("parameter", sort=False):
        part = part.sort_values("value")
        loss = part["loss"].to_numpy(float)
        k = int(np.argmin(loss))
        left, right = float(loss[: k + 1].max() - loss[k]), float(loss[k:].max() - loss[k])
        rows.append(
            {
                "parameter": name,
                "fitted": float(part.loc[part["at_fit"], "value"].iloc[0]),
                "loss_at_fit": float(part.loc[part["at_fit"], "loss"].iloc[0]),
                "argmin": float(part["value"].iloc[k]),
                "min_loss": float(loss[k]),
                "rise_below": left,
                "rise_above": right,
                "identified": left >= PROFILE_RISE and right >= PROFILE_RISE,
            }
        )
    return pd.DataFrame(rows)


def write_profile(folder: Path, profile: pd.DataFrame, source: str) -> pd.DataFrame:
    """Write ``profile.csv``, ``profile_summary.csv`` and ``figures/loss_profile.png``.

    Args:
        folder: The (temporary) results folder.
        profile: The loss profile (:meth:`Calibration.profile`).
        source: Source line of the figure.

    Returns:
        The summary (:func:`profile_summary`).
    """
    from ..figures import save
    from ..figures.profile import loss_profile

    summary = profile_summary(profile)
    profile.to_csv(folder / "profile.csv", index=False)
    summary.to_csv(folder / "profile_summary.csv", index=False)
    save(loss_profile(profile, PROFILE_RISE, source), folder / "figures" / "loss_profile")
    return summary


def markdown_table(frame: pd.DataFrame) -> str:
    """A pipe table of a DataFrame, numbers with up to four significant digits."""

    def cell(value: Any) -> str:
        if isinstance(value, (bool, np.bool_)):
            return "yes" if value else "no"
        if isinstance(value, (float, np.floating)):
            return f"{value:.4g}" if abs(value) < 1e6 else f"{value:.4e}"
        return str(value)

    head = "| " + " | ".join(frame.columns) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    rows = ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(False)]
    return "\n".join([head, rule, *rows]) + "\n"


def scenario_text(base: str, values: Mapping[str, float], title: str = "") -> str:
    """A scenario file that extends ``base`` and sets the calibrated values.

    Args:
        base: Library name or path of the scenario it extends.
        values: Dotted parameter paths and their values.
        title: Title of the new scenario.
    """
    tables: dict[str, list[str]] = {}
    for path, value in values.items():
        table, _, key = path.rpartition(".")
        tables.setdefault(table, []).append(f"{key} = {float(value)!r}")
    lines = [
        f"title = {json.dumps(title or f'{base} (calibrated)', ensure_ascii=False)}",
        f"extends = {json.dumps(base)}",
        "",
    ]
    for table, entries in tables.items():
        lines += [f"[{table}]", *entries, ""]
    return "\n".join(lines)
