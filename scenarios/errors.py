"""User-facing errors for scenario and experiment files."""

from __future__ import annotations

import typing
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pydantic is imported where a validation error is described, not at start-up
    from pydantic import BaseModel, ValidationError

from .ranges import field_range

#: Pydantic's error kinds for a number that is not finite, too large for an integer or outside
#: its declared range: their messages state the field's whole range.
RANGE_ERRORS = frozenset({
    "greater_than",
    "greater_than_equal",
    "less_than",
    "less_than_equal",
    "finite_number",
    "int_parsing_size",
})


class InputError(Exception):
    """A problem with user input: reported as one paragraph, exit status 2, no traceback."""

    def __init__(self, message: str, source: str | None = None, path: str | None = None):
        self.source = source
        self.path = path
        where = ": ".join(p for p in (source, path) if p)
        self.message = f"{where}: {message}" if where else message
        super().__init__(self.message)


class ScenarioError(InputError):
    """A scenario file or override that cannot be used."""


def dotted(loc: tuple[Any, ...]) -> str:
    """Render a pydantic location tuple as a dotted path, list indices in brackets."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _unwrap(annotation: Any) -> Any:
    """Return the BaseModel class or dict value type inside an annotation, if any."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        for arg in typing.get_args(annotation):
            if arg is not type(None):
                return _unwrap(arg)
    return annotation


def allowed_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str] | None:
    """The field names allowed at ``loc`` (the location of the parent of a bad key)."""
    from pydantic import BaseModel

    current: Any = model
    for part in loc:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(part))
            if field is None:
                return None
            current = field.annotation
        elif typing.get_origin(current) is dict:
            current = typing.get_args(current)[1]
        else:
            return None
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return None


def item_message(item: Mapping[str, Any], model: type[BaseModel]) -> str:
    """The message of one pydantic error, with the value given and, for a number, its range.

    Args:
        item: One entry of ``ValidationError.errors()``.
        model: The root model validated (to look the field's declared range up).

    Returns:
        For example ``Input should be less than or equal to 1 (got 1.5; allowed: ≥ 0, ≤ 1)``.
    """
    msg = str(item["msg"]).replace("Value error, ", "")
    kind = item["type"]
    if kind in RANGE_ERRORS:
        allowed = field_range(model, item["loc"])
        where = f"; allowed: {allowed.text()}" if allowed else ""
        return f"{msg} (got {item.get('input')!r}{where})"
    if kind.endswith(("_type", "_parsing")):
        return f"{msg} (got {item.get('input')!r})"
    return msg


def describe_validation(
    error: ValidationError,
    model: type[BaseModel],
    origin_of: Any = None,
    default_source: str = "",
    error_class: type[InputError] = ScenarioError,
) -> InputError:
    """Turn a pydantic error into one readable paragraph naming file, field path and rule.

    Args:
        error: The validation error.
        model: The root model that was validated (used to list allowed keys).
        origin_of: Optional callable mapping a location tuple to the file that set it.
        default_source: File named when no better origin is known.
        error_class: The class of the error returned.

    Returns:
        An error of class ``error_class`` whose message lists every problem, each with its file
        and field path; ``source`` and ``path`` name the first.
    """
    lines = []
    first_source, first_path = None, None
    for item in error.errors():
        loc = tuple(item["loc"])
        path = dotted(loc) or "(top level)"
        source = (origin_of(loc) if origin_of else None) or default_source
        kind = item["type"]
        if kind == "extra_forbidden":
            allowed = allowed_keys(model, loc[:-1])
            hint = f"; allowed keys here: {', '.join(allowed)}" if allowed else ""
            msg = f"unknown key{hint}"
        elif kind == "missing":
            msg = "required key is missing"
        else:
            msg = item_message(item, model)
        lines.append(f"{source}: {path}: {msg}")
        if first_source is None:
            first_source, first_path = source, path
    text = f"{len(lines)} problems: " + " | ".join(lines) if len(lines) > 1 else lines[0]
    err = error_class(text)
    err.source, err.path = first_source, first_path
    return err
