"""Sensitivity methods: one module per method, each with ``sample()`` and ``analyze()``.

Every method module defines ``METHOD``, a :class:`Method` holding the same two functions in
SALib's shape:

- ``sample(problem, n, settings, seed, parameters) -> X``: the raw design matrix, one row per
  design point (``problem`` is SALib's, with the dummy column when the method has one);
- ``analyze(problem, X, Y, settings, options) -> list[Index]``: the indices of one output from
  the design rows ``X`` and their values ``Y``.

and what the rest of the pipeline needs to know (which indices rank the parameters, whether
the analysis needs every design point, how the design's prefixes are cut for convergence, and
which design settings the method checks). :data:`METHODS` is the registry: a new method is one
module here plus one entry in it (and its name in ``schema.METHODS``).
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np


class Index(NamedTuple):
    """One index of one parameter (or pair ``"a|b"``): value and confidence half-width."""

    parameter: str
    index: str
    value: float
    conf: float


class Options(NamedTuple):
    """How an analysis estimates its intervals.

    Attributes:
        seed: Bootstrap seed (derived from the master seed; never 0).
        num_resamples: Bootstrap resamples.
        conf_level: Confidence level.
        replicates: The runs behind ``Y`` as a (rows x replicates) matrix (NaN where missing),
            for methods that bootstrap over replicates too; ``None`` when not known.
    """

    seed: int
    num_resamples: int = 100
    conf_level: float = 0.95
    replicates: np.ndarray | None = None


#: ``sample(problem, n, settings, seed, parameters) -> X``.
Sampler = Callable[[dict[str, Any], int | None, dict[str, Any], int, list[Any]], np.ndarray]
#: ``analyze(problem, X, Y, settings, options) -> indices``.
Analyzer = Callable[[dict[str, Any], np.ndarray, np.ndarray, dict[str, Any], Options], list[Index]]


@contextlib.contextmanager
def isolated_global_rng() -> Iterator[None]:
    """Run SALib code that touches global state, leaving that state as it was.

    SALib seeds and draws from NumPy's global generator (eFAST, delta, PAWN) and changes the
    global warning filters and format (delta).

    SALib's warnings (binning notices, eFAST's "intervals are indicative") are recorded and
    dropped: they would otherwise print once per bootstrap.
    """
    state, formatter = np.random.get_state(), warnings.formatwarning
    try:
        with warnings.catch_warnings(record=True):
            yield
    finally:
        np.random.set_state(state)
        warnings.formatwarning = formatter


def no_settings(design: Any) -> dict[str, Any]:
    """A method whose sampling and analysis use no setting beyond ``N``."""
    return {}


def no_checks(design: Any) -> list[tuple[str, str]]:
    """A method with no constraint on its settings beyond the schema's."""
    return []


def no_prefixes(n_points: int, names: list[str], settings: dict[str, Any]) -> list[tuple[int, int]]:
    """A design that cannot be cut into smaller valid designs."""
    return []


def first_rows(n_points: int, names: list[str], settings: dict[str, Any]) -> list[tuple[int, int]]:
    """Prefixes of a sample whose first rows are a valid sample (latin hypercube)."""
    n = settings["N"]
    return [(k, k) for k in sorted({max(10, n // 4), max(10, n // 2), n})]


def no_rows_error(rows: int, names: list[str], settings: dict[str, Any], X: np.ndarray) -> None:
    """A design any number of whose rows can be analysed."""
    return None


def indices_of(names: list[str], index: str, values: Any, confs: Any = None) -> list[Index]:
    """One :class:`Index` per parameter (conf NaN when ``confs`` is None)."""
    return [
        Index(name, index, float(values[j]), np.nan if confs is None else float(confs[j]))
        for j, name in enumerate(names)
    ]


@dataclass(frozen=True)
class Method:
    """A sampling design with its analysis.

    Attributes:
        name: The name experiment files use (``design.method``).
        sample: Draws the design matrix.
        analyze: Computes the indices of one output.
        primary: Indices plotted first; the first ranks parameters unless ``rank_by`` says.
        ranked: Indices where larger means more influential (compared with the dummy's).
        rank_by: The index that ranks parameters, if not ``primary[0]``.
        structured: The analysis needs every design point (no row may be dropped).
        dummy: The design carries the dummy parameter.
        uses_n: The method reads ``design.N``.
        settings: The design settings sampling uses and analysis must use again.
        check: Problems with the design settings, as ``(field, message)``.
        prefixes: Sample sizes for convergence, as ``(n, rows)``: the first rows are a valid
            design.
        rows_error: Why the analysed rows do not fit the sampling settings, or None.
    """

    name: str
    sample: Sampler
    analyze: Analyzer
    primary: tuple[str, ...]
    ranked: tuple[str, ...] = ()
    rank_by: str | None = None
    structured: bool = False
    dummy: bool = True
    uses_n: bool = True
    settings: Callable[[Any], dict[str, Any]] = no_settings
    check: Callable[[Any], list[tuple[str, str]]] = no_checks
    prefixes: Callable[[int, list[str], dict[str, Any]], list[tuple[int, int]]] = no_prefixes
    rows_error: Callable[[int, list[str], dict[str, Any], np.ndarray], str | None] = no_rows_error

    @property
    def rank_index(self) -> str:
        """The index by which parameters are ranked."""
        return self.rank_by or self.primary[0]


def _registry() -> dict[str, Method]:
    from . import delta, fast, grid, lhs, morris, oat, pawn, rbd_fast, sobol

    return {m.METHOD.name: m.METHOD for m in (grid, oat, lhs, morris, sobol, fast, rbd_fast,
                                                delta, pawn)}  # fmt: skip


#: The registry: method name -> method.
METHODS: dict[str, Method] = _registry()


def method(name: str) -> Method:
    """The registered method called ``name``.

    Raises:
        KeyError: Naming the method and the registered ones.
    """
    try:
        return METHODS[name]
    except KeyError:
        known = ", ".join(METHODS)
        raise KeyError(f"no sensitivity method {name!r}; registered: {known}") from None
