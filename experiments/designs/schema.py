"""The schema of experiment files (pydantic): what keys exist and which values are allowed.

See :mod:`zhaoshang.experiments.designs.loading` for loading, and ``docs/experiments.md`` for the
format with examples.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from ...scenarios.errors import InputError
from ...scenarios.fields import Strict
from ...scenarios.schema import Month
from ..validation import testfunctions

MODELS = ("abm", "ishigami", "sobol-g")
METHODS = ("grid", "oat", "lhs", "morris", "sobol", "fast", "rbd-fast", "delta", "pawn")
#: Methods whose analysis needs every design point (no row may be dropped).
STRUCTURED = ("grid", "oat", "morris", "sobol", "fast")
DISTRIBUTIONS = ("uniform", "triangular", "normal", "truncnorm", "lognormal", "loguniform")
REDUCTIONS = ("mean", "median", "std", "min", "max")
DUMMY = "dummy"

Scalar = bool | int | float | str
#: Largest coefficient of an analytic test function.
MAX_COEFFICIENT = 1e6


class ExperimentError(InputError):
    """An experiment file that cannot be used."""


# ---------------------------------------------------------------------------- schema
class ParameterSpec(Strict):
    """One parameter to vary: its range (bounds, a distribution, or values) and its role."""

    kind: Literal["lever", "uncertainty"] = Field(
        description="A policy lever (L in XLRM) or an uncertainty (X)."
    )
    label: str = Field("", description="Short name for tables and figures.")
    bounds: tuple[float, float] | None = Field(
        None, description="[low, high]: a uniform range, or the support of the distribution."
    )
    distribution: Literal[DISTRIBUTIONS] | None = Field(  # type: ignore[valid-type]
        None, description="Distribution of an uncertainty (default uniform over bounds)."
    )
    mode: float | None = Field(None, description="Peak of a triangular distribution.")
    mean: float | None = Field(None, description="Mean (normal, truncnorm; ln-mean: lognormal).")
    sd: float | None = Field(None, gt=0, description="Standard deviation (normal family).")
    values: list[Scalar] | None = Field(
        None, min_length=2, description="Discrete values (booleans, choices or numbers)."
    )
    baseline: Scalar | None = Field(
        None, description="Value held by the other runs of a one-at-a-time design."
    )
    levels: int | None = Field(
        None, ge=2, le=1000, description="Grid/OAT points of this parameter (else design.levels)."
    )

    @model_validator(mode="after")
    def _check_range(self) -> ParameterSpec:
        dist = self.distribution
        if self.values is not None:
            extra = [
                k for k in ("bounds", "distribution", "mode", "mean", "sd") if getattr(self, k)
            ]
            if extra:
                raise ValueError(f"give either values or a range, not both (remove {extra[0]})")
            if len({json.dumps(v) for v in self.values}) != len(self.values):
                raise ValueError("values must be different from each other")
            return self
        if self.bounds is not None and not self.bounds[0] < self.bounds[1]:
            raise ValueError(f"bounds must be [low, high] with low < high, got {self.bounds}")
        needs = {
            "uniform": ("bounds",),
            "loguniform": ("bounds",),
            "triangular": ("bounds", "mode"),
            "normal": ("mean", "sd"),
            "truncnorm": ("bounds", "mean", "sd"),
            "lognormal": ("mean", "sd"),
        }
        if dist is None and (self.mean is not None or self.sd is not None or self.mode):
            raise ValueError("mean, sd and mode need a distribution (normal, truncnorm, ...)")
        if dist is not None:
            missing = [k for k in needs[dist] if getattr(self, k) is None]
            if missing:
                raise ValueError(f"distribution {dist!r} needs {', '.join(missing)}")
            if dist in ("normal", "lognormal") and self.bounds is not None:
                raise ValueError(f"{dist} has no bounds; use truncnorm for a bounded normal")
            if dist == "loguniform" and self.bounds[0] <= 0:  # type: ignore[index]
                raise ValueError("loguniform needs bounds above 0")
            if dist == "triangular" and not self.bounds[0] <= self.mode <= self.bounds[1]:  # type: ignore[index,operator]
                raise ValueError(f"mode {self.mode} must lie within bounds {self.bounds}")
        return self


class OutputSpec(Strict):
    """An output: a scalar KPI of each run, and how replicates of a design point are reduced."""

    kpi: str | None = Field(None, description="KPI name (default: the output's key).")
    reduce: Literal[REDUCTIONS] = Field(  # type: ignore[valid-type]
        "mean", description="Reduction over the replicates of a design point."
    )
    months: tuple[Month, Month] | None = Field(
        None, description="[first, end) months in which flows are counted (stocks: at the end)."
    )
    label: str = Field("", description="Name for tables and figures.")

    @model_validator(mode="after")
    def _check_months(self) -> OutputSpec:
        if self.months is not None and not 0 <= self.months[0] < self.months[1]:
            raise ValueError(f"months must be [first, end) with 0 <= first < end: {self.months}")
        return self


class DesignSpec(Strict):
    """The design and its settings."""

    method: Literal[METHODS] = Field(description="Sampling design and analysis.")  # type: ignore[valid-type]
    N: int | None = Field(
        None,
        ge=1,
        le=10_000_000,
        description="Base samples (sobol, 2^m or 3 x 2^m), trajectories (morris), samples per "
        "parameter (fast) or samples (lhs, delta, pawn).",
    )
    calc_second_order: bool = Field(False, description="Sobol: also second-order indices.")
    num_levels: int = Field(4, ge=2, le=100, description="Morris: levels of the grid (even).")
    optimal_trajectories: int | None = Field(
        None, ge=2, le=100_000, description="Morris: keep this many of N trajectories (Campolongo)."
    )
    local_optimization: bool = Field(True, description="Morris: fast optimisation of trajectories.")
    M: int = Field(4, ge=1, le=20, description="eFAST: interference parameter.")
    slices: int = Field(10, ge=2, le=100, description="PAWN: conditioning slices.")
    levels: int = Field(3, ge=2, le=1000, description="Grid/OAT: points per continuous parameter.")
    num_resamples: int = Field(100, ge=10, le=100000, description="Bootstrap resamples.")
    conf_level: float = Field(0.95, gt=0, lt=1, description="Confidence level of intervals.")
    convergence: bool = Field(True, description="Also compute indices at N/4 and N/2.")


class PilotSpec(Strict):
    """The pilot run that recommends a replicate count (``--pilot``)."""

    points: int = Field(16, ge=3, le=10000, description="Latin-hypercube design points.")
    replicates: int = Field(5, ge=2, le=1000, description="Replicates of each point.")
    target_noise: float = Field(
        0.05, gt=0, lt=1, description="Acceptable share of noise in the replicate means."
    )


class FunctionSpec(Strict):
    """Settings of an analytic test function (``model = "ishigami"`` or ``"sobol-g"``)."""

    a: float = Field(7.0, ge=-MAX_COEFFICIENT, le=MAX_COEFFICIENT, description="Ishigami a.")
    b: float = Field(0.1, ge=-MAX_COEFFICIENT, le=MAX_COEFFICIENT, description="Ishigami b.")
    g: list[Annotated[float, Field(ge=0, le=MAX_COEFFICIENT)]] = Field(
        list(testfunctions.SOBOL_G_DEFAULT), min_length=1, description="Sobol' G coefficients."
    )
    noise: float = Field(
        0.0,
        ge=0,
        le=MAX_COEFFICIENT,
        description="Standard deviation of Gaussian noise added to each run's output.",
    )
    noise_kind: Literal["additive", "input"] = Field(
        "additive",
        description="additive: the same noise everywhere; input: its standard deviation grows "
        "with the first input, from 0 at its low end to 2 x noise at its high end.",
    )

    @model_validator(mode="after")
    def _check_g(self) -> FunctionSpec:
        if any(gi < 0 for gi in self.g):
            raise ValueError("Sobol' G coefficients g must be >= 0")
        return self


class ExperimentSpec(Strict):
    """A whole experiment file."""

    title: str = Field("", description="Title.")
    description: str = Field("", description="What the experiment asks.")
    model: Literal[MODELS] = Field("abm", description="The model, or an analytic test function.")  # type: ignore[valid-type]
    scenario: str | None = Field(None, description="Scenario (library name or path).")
    set: dict[str, Any] = Field(
        {}, description="Overrides applied to every run: dotted.path = value."
    )
    seed: int = Field(0, ge=0, lt=2**63, description="Master seed (0 is a seed like any other).")
    replicates: int = Field(1, ge=1, le=100000, description="Runs per design point.")
    seeds: Literal["independent", "common"] = Field(
        "independent",
        description="independent: every run its own seed; common: replicate r uses the same "
        "seed at every design point (common random numbers).",
    )
    parameters: dict[str, ParameterSpec] = Field(
        {}, description="Parameters, by dotted path (test functions: all inputs by default)."
    )
    outputs: dict[str, OutputSpec] = Field({}, description="Outputs, by name.")
    design: DesignSpec = Field(description="The design.")
    pilot: PilotSpec = Field(default_factory=PilotSpec)
    function: FunctionSpec = Field(default_factory=FunctionSpec)
