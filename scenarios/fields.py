"""Helpers for declaring scenario fields with a unit, a default and a source.

Every parameter of a scenario states what it measures (unit), where its default comes from
(a seed fact, the literature, or an assumption) and, for numbers, its allowed range. The
JSON Schema export and the ODD parameter table are generated from these declarations, so the
documentation cannot drift from the code.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

SEED = "seed"
LITERATURE = "literature"
ASSUMPTION = "assumption"
CALIBRATED = "calibrated"


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
        **kwargs: Passed on to :func:`pydantic.Field`.

    Returns:
        A pydantic ``FieldInfo``.
    """
    extra = {"unit": unit, "source": source}
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


class Strict(BaseModel):
    """Base class of every scenario table: unknown keys are errors, values are checked."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, frozen=False)
