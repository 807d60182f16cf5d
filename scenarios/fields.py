"""Helpers for declaring scenario fields with a unit, a default and a source.

Every parameter of a scenario states what it measures (unit), where its default comes from
(a seed fact, the literature, or an assumption) and, for numbers, its allowed range. The
JSON Schema export and the ODD parameter table are generated from these declarations, so the
documentation cannot drift from the code.
"""

from __future__ import annotations

import types
from typing import Annotated, Any, Literal, NamedTuple, Union, get_args, get_origin

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

SEED = "seed"
LITERATURE = "literature"
ASSUMPTION = "assumption"
CALIBRATED = "calibrated"

#: The main KPIs on which every lever declares the direction of its expected effect, in order.
LEVER_KPIS = ("entries", "jobs", "net_fiscal_yuan", "idle_land_ha", "exits", "credibility")
#: Expected directions: the KPI rises, falls, or no direction is expected (or it is ambiguous).
UP, DOWN, NONE = 1, -1, 0
#: Kinds of lever: a policy the city sets, or a behavioural uncertainty no document fixes.
POLICY, UNCERTAINTY = "policy", "uncertainty"


class Lever(NamedTuple):
    """How a parameter is moved in the lever audit (``zhaoshang levers``).

    Attributes:
        low: The low value (a plausible lower end, not the bound of the field).
        high: The high value.
        reason: Why the effects are expected: theory, literature or the seed.
        kind: :data:`POLICY` or :data:`UNCERTAINTY`.
        effects: Expected direction (:data:`UP`, :data:`DOWN`) of the move from low to high
            on each KPI of :data:`LEVER_KPIS` that has one.
        relative: ``low`` and ``high`` multiply the scenario's own value (for quantities such
            as park land that differ between entries of a table).
    """

    low: float | bool | str
    high: float | bool | str
    reason: str
    kind: str = POLICY
    effects: dict[str, int] | None = None
    relative: bool = False

    def as_dict(self) -> dict[str, Any]:
        """Plain data for the JSON Schema (the field's ``lever`` entry)."""
        return {**self._asdict(), "effects": dict(self.effects or {})}


def lever(
    low: float | bool | str,
    high: float | bool | str,
    reason: str,
    *,
    kind: str = POLICY,
    relative: bool = False,
    **effects: int,
) -> Lever:
    """Declare a lever: its low and high values, the reason and the expected effects.

    Args:
        low: The low value.
        high: The high value.
        reason: Why the effects are expected (theory, literature or the seed).
        kind: :data:`POLICY` (default) or :data:`UNCERTAINTY`.
        relative: ``low`` and ``high`` are factors of the scenario's value.
        **effects: KPI of :data:`LEVER_KPIS` -> :data:`UP` or :data:`DOWN`; a KPI left out
            has no expected direction.

    Raises:
        ValueError: For an unknown KPI, direction or kind (at import: a schema mistake).
    """
    unknown = sorted(set(effects) - set(LEVER_KPIS))
    if unknown:
        raise ValueError(f"lever effects on unknown KPIs {unknown}; allowed: {LEVER_KPIS}")
    if any(d not in (UP, DOWN) for d in effects.values()) or kind not in (POLICY, UNCERTAINTY):
        raise ValueError(
            f"lever directions must be UP or DOWN and kind {POLICY!r} or {UNCERTAINTY!r}"
        )
    ordered = {k: effects[k] for k in LEVER_KPIS if k in effects}
    return Lever(low=low, high=high, reason=reason, kind=kind, effects=ordered, relative=relative)


def value_at(node: Any, path: str) -> Any:
    """The value at a dotted path of a scenario (tables by key, fields by name).

    Raises:
        KeyError: If a table has no such key.
        AttributeError: If a table has no such field.
    """
    for key in path.split("."):
        node = node[key] if isinstance(node, dict) else getattr(node, key)
    return node


def param(
    default: Any,
    description: str,
    *,
    unit: str = "-",
    source: str = ASSUMPTION,
    ge: float | None = None,
    le: float | None = None,
    gt: float | None = None,
    lt: float | None = None,
    lever: Lever | None = None,
    **kwargs: Any,
) -> Any:
    """Declare a scenario parameter.

    Args:
        default: The default value (a factory is used for lists and dicts).
        description: One sentence saying what the parameter is.
        unit: Its unit, for example ``"yuan/month"`` or ``"share 0-1"``.
        source: Where the default comes from: ``seed``, ``literature``, ``assumption`` or
            ``calibrated``, optionally followed by a colon and a reference.
        ge: Inclusive lower bound.
        le: Inclusive upper bound.
        gt: Exclusive lower bound.
        lt: Exclusive upper bound.
        lever: How the lever audit moves it, for a policy lever or a behavioural
            uncertainty (see :func:`lever`).
        **kwargs: Passed on to :func:`pydantic.Field`.

    Returns:
        A pydantic ``FieldInfo``.
    """
    extra: dict[str, Any] = {"unit": unit, "source": source}
    if lever is not None:
        extra["lever"] = lever.as_dict()
    if isinstance(default, (list, dict)):
        value = default
        kwargs["default_factory"] = lambda: type(value)(value)
    else:
        kwargs["default"] = default
    return Field(
        description=description,
        ge=ge,
        le=le,
        gt=gt,
        lt=lt,
        json_schema_extra=extra,
        **kwargs,
    )


def _is_bool(value: Any) -> bool:
    return isinstance(value, (bool, np.bool_))


def type_problem(annotation: Any, value: Any) -> str | None:
    """What is wrong with ``value`` for a field of type ``annotation``, if it is the wrong kind.

    Pydantic on its own reads ``true`` as the number 1, ``1`` or ``"yes"`` as true and ``"0.5"``
    as a number. In a scenario these are almost always mistakes (``months = true`` would run
    one month), so a number must be a number and a switch ``true`` or ``false``. A whole float
    is still accepted for an integer, as experiment designs pass integer levers as floats.

    Args:
        annotation: The field's type (unions, ``Annotated``, lists, tuples and dicts are
            looked into).
        value: The value given, before pydantic converts it.

    Returns:
        A short description of the problem, or ``None`` when the kinds agree (other problems,
        such as bounds, are left to pydantic).
    """
    origin = get_origin(annotation)
    if origin is Annotated:
        return type_problem(get_args(annotation)[0], value)
    if origin in (Union, types.UnionType):
        problems = [_member_problem(arg, value) for arg in get_args(annotation)]
        return None if any(p is None for p in problems) else problems[0]
    if annotation is bool:
        return None if _is_bool(value) else f"must be true or false (got {value!r})"
    if annotation in (int, float):
        if _is_bool(value):
            return f"must be a number, not {str(bool(value)).lower()}"
        if isinstance(value, str):
            return f"must be a number, not the text {value!r} (write it without quotes)"
        return None
    if origin in (list, set, frozenset) and isinstance(value, (list, tuple)):
        (item,) = get_args(annotation) or (Any,)
        return _first_item_problem(((i, item, v) for i, v in enumerate(value)))
    if origin is tuple and isinstance(value, (list, tuple)):
        args = get_args(annotation)
        if len(args) == 2 and args[1] is Ellipsis:
            args = (args[0],) * len(value)
        return _first_item_problem(zip(range(len(value)), args, value, strict=False))
    if origin is dict and isinstance(value, dict):
        args = get_args(annotation)
        item = args[1] if len(args) == 2 else Any
        return _first_item_problem(((k, item, v) for k, v in value.items()))
    return None


def _member_problem(annotation: Any, value: Any) -> str | None:
    """Like :func:`type_problem`, for one member of a union.

    It also says when ``None``, text or one of a few fixed values does not fit, so that
    another member of the union must take the value.
    """
    if annotation is type(None):
        return None if value is None else "must be left out"
    if annotation is str:
        return None if isinstance(value, str) else f"must be text (got {value!r})"
    if get_origin(annotation) is Literal:
        allowed = get_args(annotation)
        if any(type(a) is type(value) and a == value for a in allowed):
            return None
        return "must be one of " + ", ".join(repr(a) for a in allowed)
    return type_problem(annotation, value)


def _first_item_problem(items: Any) -> str | None:
    for key, annotation, value in items:
        problem = type_problem(annotation, value)
        if problem is not None:
            return f"item {key!r}: {problem}" if isinstance(key, str) else f"item {key}: {problem}"
    return None


class Strict(BaseModel):
    """Base class of every scenario table: unknown keys are errors, values are checked.

    Values must also be of the right kind: no ``true`` for a number, no ``1`` or ``"yes"`` for
    a switch, no quoted numbers (see :func:`type_problem`), and finite: TOML writes ``nan``
    and ``inf`` as plain literals (``home_bias = nan``), but no quantity of a scenario, an
    experiment or a targets file is either, so every number refuses them, including the
    numbers inside lists and tables.
    """

    model_config = ConfigDict(
        extra="forbid", validate_assignment=True, frozen=False, allow_inf_nan=False
    )

    @field_validator("*", mode="before")
    @classmethod
    def _right_kind(cls, value: Any, info: ValidationInfo) -> Any:
        field = cls.model_fields.get(info.field_name or "")
        if field is not None:
            problem = type_problem(field.annotation, value)
            if problem is not None:
                raise ValueError(problem)
        return value
