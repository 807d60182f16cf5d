"""The allowed range of every numeric field, read from the schema's own declarations.

The bounds live in one place, the ``ge``/``le``/``gt``/``lt`` of each field (see
:func:`.fields.param`). This module reads them back so that error messages can state the whole
range ("allowed: ≥ 0, ≤ 1"), the ODD table can list them, and tests can check that every
numeric field has them and that the teaching page's sliders stay inside them.
"""

from __future__ import annotations

import math
import typing
from collections.abc import Iterable
from typing import Annotated, Any, NamedTuple

from pydantic import BaseModel
from pydantic.fields import FieldInfo


class Range(NamedTuple):
    """An interval of allowed values; a missing bound is ``None``."""

    low: float | None
    high: float | None
    low_open: bool
    high_open: bool

    def contains(self, value: float) -> bool:
        """Whether ``value`` is finite and lies within the range."""
        if not math.isfinite(value):
            return False
        if self.low is not None and (value <= self.low if self.low_open else value < self.low):
            return False
        if self.high is not None and (value >= self.high if self.high_open else value > self.high):
            return False
        return True

    def text(self) -> str:
        """The range as ``≥ 0, ≤ 1`` (``any finite number`` when unbounded)."""
        parts = []
        if self.low is not None:
            parts.append(f"{'>' if self.low_open else '≥'} {_number(self.low)}")
        if self.high is not None:
            parts.append(f"{'<' if self.high_open else '≤'} {_number(self.high)}")
        return ", ".join(parts) or "any finite number"


def _number(value: float) -> str:
    """A bound as written in a schema: ``1e10`` as ``10000000000``, ``0.5`` as ``0.5``."""
    if float(value).is_integer() and abs(value) < 1e16:
        return str(int(value))
    return f"{value:g}"


def range_of(metadata: Iterable[Any]) -> Range | None:
    """The range declared by a field's constraint metadata, or ``None`` if it declares none."""
    low = high = None
    low_open = high_open = False
    for meta in metadata:
        if getattr(meta, "ge", None) is not None:
            low, low_open = float(meta.ge), False
        if getattr(meta, "gt", None) is not None:
            low, low_open = float(meta.gt), True
        if getattr(meta, "le", None) is not None:
            high, high_open = float(meta.le), False
        if getattr(meta, "lt", None) is not None:
            high, high_open = float(meta.lt), True
    if low is None and high is None:
        return None
    return Range(low=low, high=high, low_open=low_open, high_open=high_open)


def _members(annotation: Any) -> list[Any]:
    """The non-``None`` members of a union (the annotation itself otherwise)."""
    if typing.get_origin(annotation) in (typing.Union, __import__("types").UnionType):
        return [a for a in typing.get_args(annotation) if a is not type(None)]
    return [annotation]


def _step(annotation: Any, key: Any) -> tuple[Any, list[Any]] | None:
    """The annotation one step down ``key`` from ``annotation``, with its constraints."""
    for member in _members(annotation):
        if typing.get_origin(member) is Annotated:
            member = typing.get_args(member)[0]
        if isinstance(member, type) and issubclass(member, BaseModel):
            field = member.model_fields.get(str(key))
            if field is not None:
                return field.annotation, list(field.metadata)
        origin, args = typing.get_origin(member), typing.get_args(member)
        if origin is dict and len(args) == 2:
            return _unpack(args[1])
        if origin in (list, tuple) and args and isinstance(key, int):
            item = (
                args[0] if origin is list or args[-1] is Ellipsis else args[min(key, len(args) - 1)]
            )
            return _unpack(item)
    return None


def _unpack(annotation: Any) -> tuple[Any, list[Any]]:
    """The type inside ``Annotated[type, ...]`` and its constraints (a ``Field``'s, unpacked)."""
    if typing.get_origin(annotation) is not Annotated:
        return annotation, []
    inner, *extras = typing.get_args(annotation)
    metadata: list[Any] = []
    for extra in extras:
        metadata += extra.metadata if isinstance(extra, FieldInfo) else [extra]
    return inner, metadata


def field_range(model: type[BaseModel], loc: Iterable[Any]) -> Range | None:
    """The declared range of the value at ``loc`` (a pydantic location) below ``model``.

    Args:
        model: The root model (``Scenario``, ``ExperimentSpec``, ...).
        loc: Keys from the root: field names, table ids and list indices.

    Returns:
        The range, or ``None`` when the location does not exist or declares no range.
    """
    annotation: Any = model
    metadata: list[Any] = []
    for key in loc:
        step = _step(annotation, key)
        if step is None:
            return None
        annotation, metadata = step
    # A list, tuple or table of numbers carries the bounds of its items.
    for member in _members(annotation):
        args = typing.get_args(member)
        if typing.get_origin(member) in (list, tuple, dict) and args:
            metadata = (
                metadata + _unpack(args[-1] if typing.get_origin(member) is dict else args[0])[1]
            )
    return range_of(metadata)


def scenario_range(path: str) -> Range | None:
    """The declared range of the scenario field at a dotted path (``behaviour.home_bias``).

    Collections are keyed by any id: ``governments.ruzhou.service.quality`` and
    ``governments.x.service.quality`` have the same range.
    """
    from .schema import Scenario

    return field_range(Scenario, path.split("."))


def is_numeric(annotation: Any) -> bool:
    """Whether a field of this type holds a number (an int or float, possibly optional)."""
    return any(
        _unpack(m)[0] in (int, float) and _unpack(m)[0] is not bool for m in _members(annotation)
    )
