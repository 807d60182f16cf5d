"""One-at-a-time design: index ``oat_range``, the output's range as one parameter moves.

Point 0 holds every parameter at its baseline; then each parameter (and the dummy) takes each
of its levels in turn, the others at baseline. A baseline of ``None`` (the scenario's own
value) is stored as NaN: those runs do not override the parameter.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import Index, Method, Options, grid


def sample(problem: dict[str, Any], n: int | None, settings: dict[str, Any], seed: int,
           parameters: list[Any]) -> np.ndarray:  # fmt: skip
    """Baseline, then each parameter's levels in turn."""
    default = settings["levels"]
    base = [np.nan if p.baseline is None else p.encode(p.baseline) for p in parameters]
    base.append(0.5)  # the dummy's baseline
    rows = [list(base)]
    axes = [grid.levels_of(p, default) for p in parameters]
    axes.append(list(np.linspace(0.0, 1.0, default)))
    for j, levels in enumerate(axes):
        for value in levels:
            if value == base[j]:
                continue
            row = list(base)
            row[j] = value
            rows.append(row)
    return np.array(rows, dtype=float)


def groups(names: list[str], X: np.ndarray) -> dict[str, list[int]]:
    """For each column of a one-at-a-time design, the rows where it varies (plus row 0)."""
    out = {}
    for j, name in enumerate(names):
        other = [k for k in range(X.shape[1]) if k != j]
        same = np.all((X[:, other] == X[0, other]) | (np.isnan(X[:, other])), axis=1)
        out[name] = [i for i in range(len(X)) if same[i]]
    return out


def analyze(problem: dict[str, Any], X: np.ndarray, Y: np.ndarray, settings: dict[str, Any],
            options: Options) -> list[Index]:  # fmt: skip
    """The output's range over each parameter's rows."""
    return [
        Index(name, "oat_range", float(np.ptp(Y[members])), np.nan)
        for name, members in groups(problem["names"], X).items()
    ]


METHOD = Method(
    name="oat",
    sample=sample,
    analyze=analyze,
    primary=("oat_range",),
    ranked=("oat_range",),
    structured=True,
    uses_n=False,
    settings=grid.settings,
)
