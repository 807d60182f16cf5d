"""Experiment files: loading, validation with readable errors, and the resolved experiment.

An experiment (TOML) names a scenario (or an analytic test function), the parameters to vary
(dotted scenario paths, each a policy ``lever`` or an ``uncertainty``, in the XLRM vocabulary),
the outputs (KPI names and how replicates are reduced), the design and its settings, the number
of replicates and a master seed. See ``docs/experiments.md`` for the format.

Integer parameters are sampled on ``[low - 0.5, high + 0.5]`` and rounded to the nearest
integer (then clipped to the bounds), so every integer in the bounds is equally likely.
Parameters given as ``values`` (booleans, choices, or a list of numbers) are sampled as a
design variable ``u`` on [0, 1] that picks ``values[floor(u * k)]``; a boolean with no
``values`` uses ``[false, true]``, so ``u < 0.5`` is false and ``u >= 0.5`` is true.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ValidationError

from ...scenarios.errors import ScenarioError, describe_validation, item_message
from ...scenarios.loader import apply_override, find_scenario, load_scenario, read_toml
from ...scenarios.schema import Scenario
from ..validation import testfunctions
from .schema import (
    DUMMY,
    METHODS,
    MODELS,
    STRUCTURED,
    ExperimentError,
    ExperimentSpec,
    OutputSpec,
    ParameterSpec,
    Scalar,
)

LIBRARY = Path(__file__).parent.parent / "library"

#: Tags that keep the seed streams derived from the master seed apart.
RUN_TAG, DESIGN_TAG, ANALYSIS_TAG, PILOT_TAG = 0, 1, 2, 3

__all__ = [
    "DUMMY",
    "METHODS",
    "MODELS",
    "STRUCTURED",
    "Experiment",
    "ExperimentError",
    "ExperimentSpec",
    "Output",
    "Parameter",
    "derive_seed",
    "load_experiment",
    "run_seed",
]


# ---------------------------------------------------------------------------- resolved
@dataclass(frozen=True)
class Parameter:
    """A parameter as the design sees it.

    ``problem_bounds`` and ``dist`` form the SALib problem entry; :meth:`apply` turns a design
    value into the value the model receives.
    """

    name: str
    kind: str
    label: str
    type: str  # "float", "int" or "discrete"
    dist: str  # SALib: unif, triang, norm, truncnorm, lognorm, logunif
    problem_bounds: tuple[float, ...]
    values: tuple[Scalar, ...] = ()
    bounds: tuple[float, float] | None = None
    baseline: Scalar | None = None
    levels: int | None = None

    def apply(self, x: float) -> Scalar:
        """The model value for design value ``x``."""
        if self.type == "discrete":
            k = len(self.values)
            return self.values[min(max(math.floor(x * k), 0), k - 1)]
        if self.type == "int":
            v = round(float(x))
            if self.bounds is not None:
                v = min(max(v, int(self.bounds[0])), int(self.bounds[1]))
            return int(v)
        return float(x)

    def encode(self, value: Scalar) -> float:
        """The design value that :meth:`apply` maps to ``value`` (for grids and OAT)."""
        if self.type == "discrete":
            return (self.values.index(value) + 0.5) / len(self.values)
        return float(value)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Output:
    """An output: which KPI, over which months, reduced how."""

    name: str
    kpi: str
    reduce: str
    months: tuple[int, int] | None
    label: str


@dataclass
class Experiment:
    """A validated experiment with everything resolved that runs need."""

    spec: ExperimentSpec
    source: str
    name: str
    parameters: list[Parameter]
    outputs: list[Output]
    base_scenario: dict[str, Any] | None = None
    resolved: dict[str, Any] = field(default_factory=dict)

    @property
    def method(self) -> str:
        """The design method."""
        return self.spec.design.method

    @property
    def fingerprint(self) -> str:
        """A hash of everything that determines the runs (titles and labels left out)."""
        exp = {k: v for k, v in self.resolved.items() if k not in ("title", "description")}
        for table in ("parameters", "outputs"):
            exp[table] = {
                name: {k: v for k, v in item.items() if k != "label"}
                for name, item in exp.get(table, {}).items()
            }
        blob = json.dumps(
            {"experiment": exp, "scenario": self.base_scenario},
            sort_keys=True,
            default=str,
        )
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


# ---------------------------------------------------------------------------- seeds
def derive_seed(master: int, *keys: int) -> int:
    """A seed for one purpose, derived from the master seed with ``SeedSequence``.

    The result is in ``[1, 2**31 - 1]``: never 0, because SALib's analyses treat a seed of 0 as
    "no seed" (``if seed:``) and would then draw from NumPy's global generator.
    """
    state = np.random.SeedSequence([master, *keys]).generate_state(1, np.uint32)[0]
    return int(state) % (2**31 - 2) + 1


def run_seed(master: int, point: int, replicate: int, common: bool = False) -> int:
    """The seed of one run: ``SeedSequence([master, 0, point, replicate])``'s first word.

    With common random numbers, the point is left out, so replicate ``r`` uses the same seed at
    every design point. Any value in ``[0, 2**32)``, including 0, is a valid model seed.
    """
    keys = [master, RUN_TAG, replicate] if common else [master, RUN_TAG, point, replicate]
    return int(np.random.SeedSequence(keys).generate_state(1, np.uint32)[0])


# ---------------------------------------------------------------------------- loading
def find_experiment(name_or_path: str | Path) -> Path:
    """Locate an experiment file given a path or a name in the shipped library."""
    text = str(name_or_path)
    for path in (Path(text), LIBRARY / text, LIBRARY / f"{text}.toml"):
        if path.is_file():
            return path
    names = ", ".join(library_names()) or "none"
    raise ExperimentError(
        f"no experiment file or library experiment named {text!r}; library experiments: {names}"
    )


def library_names() -> list[str]:
    """Names of the experiments shipped with the package."""
    return sorted(p.stem for p in LIBRARY.glob("*.toml"))


def load_experiment(
    name_or_path: str | Path, overrides: dict[str, Any] | None = None
) -> Experiment:
    """Read, validate and resolve an experiment file.

    Args:
        name_or_path: A path or the name of a shipped experiment.
        overrides: Top-level or ``design.`` settings to replace, for example
            ``{"design.N": 128, "replicates": 1}`` (a reduced run); they become part of the
            resolved experiment and its fingerprint.

    Raises:
        ExperimentError: With the file, the field path and what is allowed.
    """
    path = find_experiment(name_or_path)
    source = str(path)
    try:
        data = read_toml(path)
    except ScenarioError as exc:
        raise ExperimentError(exc.message.replace("scenario files", "experiment files")) from None
    data = _flatten_parameters(data, source)
    for key, value in (overrides or {}).items():
        node = data
        *parents, last = key.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
    try:
        spec = ExperimentSpec.model_validate(data)
    except ValidationError as exc:
        raise describe_validation(
            exc, ExperimentSpec, default_source=source, error_class=ExperimentError
        ) from None
    return resolve_experiment(spec, source, path.parent)


def _flatten_parameters(data: dict[str, Any], source: str) -> dict[str, Any]:
    """Accept unquoted dotted keys: ``[parameters.a.b]`` becomes ``parameters."a.b"``.

    Raises:
        ExperimentError: If a parameter is given both ways (``source`` names the file).
    """
    params = data.get("parameters")
    if not isinstance(params, dict):
        return data
    keys = set(ParameterSpec.model_fields)
    flat: dict[str, Any] = {}

    def walk(prefix: str, node: Any) -> None:
        if (
            isinstance(node, dict)
            and node
            and not keys & set(node)
            and all(isinstance(v, dict) for v in node.values())
        ):
            for k, v in node.items():
                walk(f"{prefix}.{k}" if prefix else k, v)
        else:
            if prefix in flat:
                raise _fail(source, f"parameters.{prefix}", "is defined twice (as a quoted "
                            "key and as nested tables); keep one of them")
            flat[prefix] = node

    for key, value in params.items():
        walk(key, value)
    return {**data, "parameters": flat}


def _fail(source: str, path: str, message: str) -> ExperimentError:
    return ExperimentError(message, source, path)


def resolve_experiment(spec: ExperimentSpec, source: str, folder: Path) -> Experiment:
    """Check an experiment against its scenario or test function and resolve its parameters."""
    design = spec.design
    _check_design(spec, source)
    if DUMMY in spec.parameters:
        raise _fail(source, f"parameters.{DUMMY}", "the name 'dummy' is reserved for the dummy")
    if spec.model == "abm":
        base, params, available = _resolve_abm(spec, source, folder)
    else:
        base = None
        params, available = _resolve_function(spec, source)
    outputs = _resolve_outputs(spec, source, available, base)
    if design.method in ("morris", "fast"):
        for p in params:
            if p.dist in ("norm", "lognorm"):
                raise _fail(
                    source,
                    f'parameters."{p.name}".distribution',
                    f"{design.method} samples the ends of the unit interval, which an unbounded "
                    "distribution maps to infinity; use truncnorm or bounds",
                )
    resolved = spec.model_dump(mode="json")
    resolved["design"] = design.model_dump(mode="json")
    return Experiment(
        spec=spec,
        source=source,
        name=Path(source).stem,
        parameters=params,
        outputs=outputs,
        base_scenario=base,
        resolved=resolved,
    )


def _check_design(spec: ExperimentSpec, source: str) -> None:
    from .methods import METHODS

    d, method = spec.design, METHODS[spec.design.method]
    if not method.uses_n:
        if d.N is not None:
            message = f"N is not used by {d.method}; set design.levels instead"
            raise _fail(source, "design.N", message)
        return
    if d.N is None:
        raise _fail(source, "design.N", f"{d.method} needs N (see docs/experiments.md)")
    for where, message in method.check(d):
        raise _fail(source, where, message)


def _resolve_function(spec: ExperimentSpec, source: str) -> tuple[list[Parameter], list[str]]:
    if spec.scenario is not None or spec.set:
        key = "scenario" if spec.scenario is not None else "set"
        raise _fail(source, key, f"is only used with model = 'abm', not {spec.model!r}")
    k = 3 if spec.model == "ishigami" else len(spec.function.g)
    natural = testfunctions.ISHIGAMI_BOUNDS if spec.model == "ishigami" else (0.0, 1.0)
    names = [f"x{i + 1}" for i in range(k)]
    for name in spec.parameters:
        if name not in names:
            raise _fail(source, f"parameters.{name}", f"{spec.model} has inputs {', '.join(names)}")
    params = []
    for name in names:  # undeclared inputs are uncertainties over their natural range
        p = spec.parameters.get(name) or ParameterSpec(kind="uncertainty")
        if p.values is None and p.bounds is None and p.distribution is None:
            p = p.model_copy(update={"bounds": natural})
        params.append(_parameter(name, p, "float", source, middle_baseline=True))
    return params, ["y"]


def _resolve_abm(
    spec: ExperimentSpec, source: str, folder: Path
) -> tuple[dict[str, Any], list[Parameter], list[str]]:
    if spec.scenario is None:
        raise _fail(source, "scenario", "required key is missing (a library name or a path)")
    if "function" in spec.model_fields_set:
        raise _fail(source, "function", "is only used with the analytic test functions")
    try:
        path = find_scenario(spec.scenario, folder)
    except ScenarioError as exc:
        raise _fail(source, "scenario", exc.message) from None
    try:
        scenario = load_scenario(path, dict(spec.set))
    except ScenarioError as exc:
        msg = f"the scenario with these settings is invalid: {exc.message}"
        raise _fail(source, "set", msg) from None
    base = scenario.model_dump(mode="json")
    if not spec.parameters:
        raise _fail(source, "parameters", 'name at least one, e.g. [parameters."pool.firms"]')
    params = []
    for name, p in spec.parameters.items():
        where = f'parameters."{name}"'
        kind, _ = field_info(base, name, source, where)
        if kind == "bool" and p.values is None and p.bounds is None and p.distribution is None:
            p = p.model_copy(update={"values": [False, True]})
        if isinstance(kind, tuple) and p.values is None:
            raise _fail(source, where, f"a choice: give values from {', '.join(kind)}")
        if kind in ("bool", "str") and p.values is None:
            raise _fail(source, where, f"a {kind} parameter needs values = [...]")
        if p.values is None and p.bounds is None and p.distribution is None:
            raise _fail(source, where, "give bounds = [low, high], a distribution, or values")
        param = _parameter(name, p, "int" if kind == "int" else "float", source)
        _check_values_accepted(base, param, p, source, where)
        params.append(param)
    available = _kpi_names(scenario)
    return base, params, available


def _parameter(
    name: str, p: ParameterSpec, kind: str, source: str, middle_baseline: bool = False
) -> Parameter:
    """Resolve one parameter of an experiment.

    Without a ``baseline``, an ABM parameter keeps its scenario value in the baseline runs of a
    one-at-a-time design, and a test function's input takes the middle of its range.
    """
    where = f'parameters."{name}"'
    label = p.label or name.rsplit(".", 1)[-1]
    if p.values is not None:
        if p.baseline is not None and p.baseline not in p.values:
            raise _fail(source, f"{where}.baseline", f"must be one of the values {p.values}")
        return Parameter(
            name, p.kind, label, "discrete", "unif", (0.0, 1.0), tuple(p.values),
            baseline=p.baseline, levels=p.levels,
        )  # fmt: skip
    dist = p.distribution or "uniform"
    bounds = p.bounds
    if kind == "int" and bounds is not None:
        if any(b != int(b) for b in bounds):
            msg = f"an integer parameter needs whole-number bounds, got {list(bounds)}"
            raise _fail(source, f"{where}.bounds", msg)
    salib = {
        "uniform": ("unif", bounds),
        "loguniform": ("logunif", bounds),
        "triangular": ("triang", _triangle(bounds, p.mode)),
        "normal": ("norm", (p.mean, p.sd)),
        "truncnorm": ("truncnorm", (*bounds, p.mean, p.sd) if bounds else None),
        "lognormal": ("lognorm", (p.mean, p.sd)),
    }[dist]
    problem_bounds = salib[1]
    if kind == "int" and dist == "uniform":
        problem_bounds = (bounds[0] - 0.5, bounds[1] + 0.5)  # type: ignore[index]
    baseline = p.baseline
    if middle_baseline and baseline is None:
        baseline = _middle(dist, bounds, p)
    return Parameter(
        name, p.kind, label, kind, salib[0], tuple(problem_bounds), (),  # type: ignore[arg-type]
        bounds=bounds, baseline=baseline, levels=p.levels,
    )  # fmt: skip


def _triangle(bounds: tuple[float, float] | None, mode: float | None) -> tuple[float, ...] | None:
    if bounds is None or mode is None:
        return None
    return (bounds[0], bounds[1], (mode - bounds[0]) / (bounds[1] - bounds[0]))


def _middle(dist: str, bounds: tuple[float, float] | None, p: ParameterSpec) -> float:
    if dist in ("normal", "truncnorm"):
        return float(p.mean)  # type: ignore[arg-type]
    if dist == "lognormal":
        return float(math.exp(p.mean))  # type: ignore[arg-type]
    return (bounds[0] + bounds[1]) / 2  # type: ignore[index]


def _unwrap(annotation: Any) -> Any:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _unwrap(args[0]) if len(args) == 1 else annotation
    return annotation


def field_info(base: dict[str, Any], name: str, source: str, where: str) -> tuple[Any, Any]:
    """The kind of the scenario field at dotted path ``name`` and its value in ``base``.

    Returns:
        ``("float" | "int" | "bool" | "str" | (choices...), current value)``.

    Raises:
        ExperimentError: If the path names no scalar scenario parameter; lists what is allowed.
    """
    current: Any = Scenario
    node: Any = base
    keys = name.split(".")
    for depth, key in enumerate(keys):
        here = ".".join(keys[:depth]) or "the top level"
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            fields = current.model_fields
            if key not in fields:
                allowed = ", ".join(fields)
                raise _fail(
                    source, where, f"no scenario parameter {key!r} under {here}; allowed: {allowed}"
                )
            current = fields[key].annotation
        elif typing.get_origin(current) is dict:
            if key not in node:
                ids = ", ".join(node) or "none"
                raise _fail(source, where, f"{here} has no entry {key!r}; defined: {ids}")
            current = typing.get_args(current)[1]
        else:
            raise _fail(source, where, f"{here} is a value, not a table")
        node = node.get(key) if isinstance(node, dict) else None
    leaf = _unwrap(current)
    if isinstance(leaf, type) and issubclass(leaf, BaseModel):
        keys_here = ", ".join(leaf.model_fields)
        raise _fail(source, where, f"{name} is a table; name one of its keys: {keys_here}")
    if typing.get_origin(leaf) is Literal:
        return tuple(typing.get_args(leaf)), node
    for kind in (bool, int, float, str):
        if leaf is kind:
            return kind.__name__, node
    raise _fail(source, where, f"{name} is not a scalar parameter (it holds {leaf!s})")


def _check_values_accepted(
    base: dict[str, Any], param: Parameter, p: ParameterSpec, source: str, where: str
) -> None:
    """Validate the scenario at each end of the range (or each value) before running."""
    if param.type == "discrete":
        probes = [("values", v) for v in param.values]
    elif param.bounds is not None:
        low, high = param.bounds
        cast = int if param.type == "int" else float
        probes = [("bounds", cast(low)), ("bounds", cast(high))]
    else:
        probes = []  # unbounded distribution: out-of-range draws fail as runs, and are recorded
    if p.baseline is not None and p.values is None:
        probes.append(("baseline", p.baseline))
    for key, value in probes:
        data = copy.deepcopy(base)
        apply_override(data, param.name.split("."), value)
        try:
            Scenario.model_validate(data)
        except ValidationError as exc:
            msg = item_message(exc.errors()[0], Scenario)
            raise _fail(
                source, f"{where}.{key}", f"{value!r} is not allowed for {param.name}: {msg}"
            ) from None


def _kpi_names(scenario: Scenario) -> list[str]:
    """The scalar KPI names a run of this scenario reports (from a model built at month 0)."""
    from ...model import AttractionModel
    from ...model.outputs.kpis import scalar_kpis

    model = AttractionModel(scenario, rng=0, firm_agents=False)
    return sorted(scalar_kpis(model.kpis()))


def _resolve_outputs(
    spec: ExperimentSpec, source: str, available: list[str], base: dict[str, Any] | None
) -> list[Output]:
    items = dict(spec.outputs)
    if not items:
        if spec.model != "abm":
            items = {"y": OutputSpec()}
        else:
            msg = f"name at least one output; KPIs: {', '.join(available)}"
            raise _fail(source, "outputs", msg)
    horizon = base["time"]["months"] if base else None
    outputs = []
    for name, o in items.items():
        kpi = o.kpi or name
        if kpi not in available:
            path = f"outputs.{name}.kpi" if o.kpi else f"outputs.{name}"
            raise _fail(source, path, f"no KPI {kpi!r}; available: {', '.join(available)}")
        if o.months is not None:
            if spec.model != "abm":
                raise _fail(source, f"outputs.{name}.months", "only for model = 'abm'")
            if o.months[1] > horizon:  # type: ignore[operator]
                raise _fail(
                    source, f"outputs.{name}.months", f"ends after the horizon of {horizon} months"
                )
        outputs.append(Output(name, kpi, o.reduce, o.months, o.label or name))
    return outputs
