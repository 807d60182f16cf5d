"""Sensitivity analysis: indices with intervals, Morris mu*-sigma, convergence."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import NullFormatter, ScalarFormatter

from ...i18n import term, tr
from .style import GREY, PALETTE, category_colours, finish, pretty, side_legend, style

#: Name of the dummy parameter (it reads nothing; indices not above its are noise).
DUMMY = "dummy"

#: Columns of ``indices.csv`` and ``convergence.csv`` (written by ``zhaoshang sensitivity``).
INDEX_COLUMNS = ["output", "parameter", "index", "value", "conf", "influential"]
CONVERGENCE_COLUMNS = ["output", "parameter", "index", "n", "value", "conf"]

#: Indices drawn together as bars, by method: the first group present is drawn.
BAR_GROUPS = (
    ("S1", "ST"),
    ("mu_star",),
    ("fast_S1", "fast_ST"),
    ("delta", "S1_delta"),
    ("pawn_median", "pawn_max"),
    ("spearman",),
    ("oat_range",),
    ("anova_S1",),
)

#: Preferred index of the convergence figure.
CONVERGENCE_INDICES = ("ST", "mu_star", "fast_ST", "delta", "S1", "pawn_median", "spearman")

#: Guides on the Morris plane: sigma / mu* = 0.1 (linear), 0.5 (monotonic), 1 (non-linear or
#: interacting), after Garcia Sanchez et al. (2014).
MORRIS_RATIOS = (0.1, 0.5, 1.0)


def _check(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what} lacks the column(s) {', '.join(missing)}")


def short_names(
    parameters: Sequence[str], labels: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Labels of parameters: ``labels[p]``, else the end of the dotted path.

    The end is the last two parts of the path, or the whole path where that is ambiguous.
    """
    short = {p: ".".join(str(p).split(".")[-2:]) for p in parameters}
    counts = pd.Series(list(short.values())).value_counts()
    out = {p: (s if counts[s] == 1 else str(p)) for p, s in short.items()}
    return {p: (labels or {}).get(p) or out[p] for p in parameters}


def is_dummy(parameter: str) -> bool:
    """Whether a parameter is the dummy added to judge which indices are noise."""
    return str(parameter) == DUMMY


def bar_indices(present: Sequence[str]) -> list[str]:
    """The indices drawn as bars: the first group of :data:`BAR_GROUPS` present."""
    for group in BAR_GROUPS:
        chosen = [i for i in group if i in present]
        if chosen:
            return chosen
    return [i for i in present if i not in ("S2", "sigma", "mu")][:2] or list(present[:1])


def _grid(n: int, width: float, height: float) -> tuple[Figure, np.ndarray]:
    ncols = min(2, max(n, 1))
    nrows = max(math.ceil(n / ncols), 1)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(width * ncols + 0.6, height * nrows + 0.9), squeeze=False
    )
    for ax in axes.flat[n:]:
        ax.remove()
    return fig, axes


def _flag(values: pd.Series) -> pd.Series:
    """The ``influential`` column as True, False or NaN (unknown: no dummy or not ranked)."""
    text = values.astype(str).str.strip().str.lower()
    out = pd.Series(np.nan, index=values.index, dtype=object)
    out[text.isin(["true", "1", "1.0", "yes"])] = True
    out[text.isin(["false", "0", "0.0", "no"])] = False
    return out


def sensitivity_indices(
    indices: pd.DataFrame,
    source: str | None = None,
    outputs: Sequence[str] | None = None,
    which: Sequence[str] | None = None,
    labels: Mapping[str, str] | None = None,
) -> Figure:
    """Sensitivity indices with confidence intervals: one panel per output.

    Args:
        indices: ``indices.csv``: output, parameter, index, value, conf, influential.
        source: Source line.
        outputs: Outputs to draw (default all).
        which: Indices to draw as bars (default: the first group of :data:`BAR_GROUPS` present).
        labels: Readable names of parameters and outputs (from the experiment's manifest).

    Returns:
        The figure. Parameters are sorted by the last index drawn; names of parameters not
        above the dummy are grey, and the dummy's value is a dashed line.
    """
    _check(indices, INDEX_COLUMNS, "the indices table")
    style()
    indices = indices[~indices["parameter"].astype(str).str.contains("|", regex=False)]
    outputs = list(outputs or dict.fromkeys(indices["output"]))
    which = list(which or bar_indices(list(dict.fromkeys(indices["index"]))))
    params = list(dict.fromkeys(indices["parameter"]))
    flags = _flag(indices["influential"])
    names = short_names(params, labels)
    fig, axes = _grid(len(outputs), 4.4, 0.24 * len(params) * max(len(which), 1) / 1.6 + 1.1)
    for k, output in enumerate(outputs):
        ax = axes.flat[k]
        mine = indices[(indices["output"] == output) & indices["index"].isin(which)]
        order = (
            mine[mine["index"] == which[-1]].set_index("parameter")["value"].sort_values()
        ).index.tolist()
        order += [p for p in params if p not in order]
        y = np.arange(len(order))
        height = 0.8 / len(which)
        for j, index in enumerate(which):
            part = mine[mine["index"] == index].set_index("parameter").reindex(order)
            offset = (j - (len(which) - 1) / 2) * height
            ax.barh(
                y + offset,
                part["value"],
                height=height,
                xerr=part["conf"].abs(),
                color=PALETTE[j % len(PALETTE)],
                error_kw={"elinewidth": 0.8, "capsize": 1.5, "ecolor": "#333333"},
                label=index,
            )
            dummy = [p for p in order if is_dummy(p)]
            if dummy and np.isfinite(part.loc[dummy[0], "value"]):
                ax.axvline(
                    part.loc[dummy[0], "value"],
                    color=PALETTE[j % len(PALETTE)],
                    linestyle="--",
                    linewidth=0.8,
                )
        ax.set_yticks(y, [names[p] for p in order], fontsize=7)
        for label, p in zip(ax.get_yticklabels(), order, strict=True):
            mine_flags = flags[(indices["output"] == output) & (indices["parameter"] == p)]
            known = mine_flags.dropna()
            if is_dummy(p) or (len(known) and not known.any()):
                label.set_color(GREY)
        ax.grid(axis="y", visible=False)
        ax.set_title(pretty(output, labels), fontsize=9)
        ax.set_xlabel(term("fig.sens.value"))
        if k == 0:
            ax.legend(loc="lower right", fontsize=7)
    note = (
        term("fig.sens.grey_names")
        if flags.notna().any() or (indices["parameter"] == DUMMY).any()
        else None
    )
    return finish(fig, source, note)


def _morris_panel(ax: Axes, rows: pd.DataFrame, names: dict[str, str]) -> None:
    table = rows.pivot_table(index="parameter", columns="index", values="value", aggfunc="first")
    conf = rows.pivot_table(index="parameter", columns="index", values="conf", aggfunc="first")
    mu, sigma = table["mu_star"], table["sigma"]
    err = conf["mu_star"].abs() if "mu_star" in conf else pd.Series(0.0, index=mu.index)
    top = float(max((mu + err.fillna(0)).max(), sigma.max(), 1e-12)) * 1.15
    grid = np.linspace(0, top, 50)
    for ratio, style_ in zip(MORRIS_RATIOS, (":", "--", "-."), strict=True):
        ax.plot(
            grid,
            ratio * grid,
            color=GREY,
            linestyle=style_,
            linewidth=0.8,
            label=f"sigma / mu* = {ratio:g}",
        )
    ranked = mu.sort_values(ascending=False).index.tolist()
    colours = category_colours([p for p in ranked if not is_dummy(p)])
    for p in ranked:
        e = err.get(p, np.nan)
        ax.errorbar(
            mu[p],
            sigma[p],
            xerr=e if np.isfinite(e) else None,
            fmt="o",
            color=GREY if is_dummy(p) else colours[p],
            markersize=4,
            elinewidth=0.8,
            capsize=1.5,
        )
    placed: list[tuple[float, float]] = []
    for p in [q for q in ranked if not is_dummy(q)][:5]:
        x, y = mu[p] / top, sigma[p] / top
        crowded = any(abs(x - a) < 0.3 and abs(y - b) < 0.06 for a, b in placed)
        placed.append((x, y - 0.06 if crowded else y))
        ax.annotate(
            names[p],
            (mu[p], sigma[p]),
            xytext=(4, -5 if crowded else 3),
            textcoords="offset points",
            fontsize=6.5,
            va="top" if crowded else "bottom",
            ha="right" if x > 0.7 else "left",
        )
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    ax.set_xlabel(term("fig.sens.mu_star"))
    ax.set_ylabel(term("fig.sens.sigma"))


def morris(
    indices: pd.DataFrame, source: str | None = None, labels: Mapping[str, str] | None = None
) -> Figure:
    """Morris screening: mu* against sigma per output, with mu*'s confidence interval.

    Args:
        indices: ``indices.csv`` with the Morris indices ``mu_star`` and ``sigma``.
        source: Source line.
        labels: Readable names of parameters and outputs.

    Returns:
        The figure; the five parameters with the largest mu* are labelled.

    Raises:
        ValueError: If the table has no Morris indices.
    """
    _check(indices, INDEX_COLUMNS, "the indices table")
    if not {"mu_star", "sigma"} <= set(indices["index"]):
        raise ValueError("the indices table has no Morris indices (mu_star and sigma)")
    style()
    outputs = list(dict.fromkeys(indices["output"]))
    names = short_names(list(dict.fromkeys(indices["parameter"])), labels)
    fig, axes = _grid(len(outputs), 4.0, 3.4)
    for k, output in enumerate(outputs):
        ax = axes.flat[k]
        _morris_panel(ax, indices[indices["output"] == output], names)
        ax.set_title(pretty(output, labels), fontsize=9)
        if k == 0:
            ax.legend(loc="upper left", fontsize=6.5)
    return finish(fig, source, term("fig.sens.morris_note"))


def convergence(
    conv: pd.DataFrame,
    source: str | None = None,
    index: str | None = None,
    labels: Mapping[str, str] | None = None,
) -> Figure:
    """Convergence of an index with the sample size: value and interval against N.

    Args:
        conv: ``convergence.csv``: output, parameter, index, n, value, conf.
        source: Source line.
        index: Index to draw (default the first of :data:`CONVERGENCE_INDICES` present).
        labels: Readable names of parameters and outputs.

    Returns:
        The figure: one panel per output, a line and band per parameter.
    """
    _check(conv, CONVERGENCE_COLUMNS, "the convergence table")
    style()
    present = list(dict.fromkeys(conv["index"]))
    index = index or next((i for i in CONVERGENCE_INDICES if i in present), present[0])
    data = conv[conv["index"] == index]
    outputs = list(dict.fromkeys(data["output"]))
    names = short_names(list(dict.fromkeys(data["parameter"])), labels)
    last = data[data["n"] == data["n"].max()]
    ranked = last.groupby("parameter")["value"].max().sort_values(ascending=False).index.tolist()
    colours = category_colours([p for p in ranked if not is_dummy(p)])
    fig, axes = _grid(len(outputs), 4.0, 2.9)
    for k, output in enumerate(outputs):
        ax = axes.flat[k]
        mine = data[data["output"] == output]
        for p in ranked:
            rows = mine[mine["parameter"] == p].sort_values("n")
            if rows.empty:
                continue
            colour = GREY if is_dummy(p) else colours[p]
            n, v, c = rows["n"], rows["value"], rows["conf"].abs()
            ax.fill_between(n, v - c, v + c, color=colour, alpha=0.15, linewidth=0)
            label = names[p] if colour != GREY or is_dummy(p) else None
            ax.plot(
                n,
                v,
                marker="o",
                color=colour,
                markersize=3,
                linewidth=1.2,
                label=label,
                linestyle="--" if is_dummy(p) else "-",
            )
        ax.set_xscale("log", base=2)
        ax.xaxis.set_major_formatter(ScalarFormatter())
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xlabel(term("fig.sens.base_n"))
        ax.set_ylabel(tr("fig.sens.band", index=index))
        ax.set_title(pretty(output, labels), fontsize=9)
    legend = side_legend(fig, *axes.flat[0].get_legend_handles_labels())
    note = term("fig.sens.conv_note")
    return finish(fig, source, note, legend)
