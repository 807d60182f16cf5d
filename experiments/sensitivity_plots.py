"""Figures of a sensitivity analysis; each function takes the index tables and returns a Figure.

The tables are those written to ``indices.csv`` and ``convergence.csv`` (see
:mod:`zhaoshang.experiments.sensitivity`), so the figures can be redrawn from saved results.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .design import DUMMY
from .figures import PALETTE, source_line, style

GREY = "#999999"
YELLOW = "#F0E442"  # too pale for points and thin lines on white
#: The palette without its grey (the dummy and non-influential parameters) and yellow.
COLOURS = [c for c in PALETTE if c.upper() not in (GREY, YELLOW)]
TITLES = {
    "S1": "First-order index S1",
    "ST": "Total index ST",
    "mu_star": "Morris μ* (mean |elementary effect|)",
    "fast_S1": "eFAST first-order index",
    "fast_ST": "eFAST total index",
    "delta": "Borgonovo δ",
    "S1_delta": "First-order index (delta sample)",
    "pawn_median": "PAWN median KS distance",
    "spearman": "Spearman rank correlation",
    "oat_range": "Output range, one at a time",
    "anova_S1": "Main-effect variance share",
}


def _finish(fig: Figure, source: str | None) -> Figure:
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    source_line(fig, source)
    return fig


def _label(name: str, labels: Mapping[str, str] | None) -> str:
    if name == DUMMY:
        return "dummy (reads nothing)"
    return (labels or {}).get(name, name)


def index_bars(
    indices: pd.DataFrame,
    output: str,
    index_names: Sequence[str],
    labels: Mapping[str, str] | None = None,
    source: str | None = None,
    rank_by: str | None = None,
) -> Figure:
    """Bars of one output's indices with their confidence intervals, one panel per index.

    Parameters are sorted by ``rank_by`` (default: the first index). Bars of non-influential
    parameters (not above the dummy's interval, shown as a dashed line) are grey.

    Args:
        indices: The indices table (``output, parameter, index, value, conf, influential``).
        output: The output to draw.
        index_names: The indices to draw, for example ``("S1", "ST")``.
        labels: Display names of parameters.
        source: Source line (experiment, seed).
        rank_by: The index that orders the parameters (largest at the top).

    Returns:
        The figure.
    """
    style()
    single = ~indices["parameter"].str.contains("|", regex=False)
    sub = indices[(indices["output"] == output) & single]
    index_names = [i for i in index_names if (sub["index"] == i).any()]
    key = rank_by if rank_by in index_names else index_names[0]
    first = sub[sub["index"] == key].sort_values("value")
    order = list(first["parameter"])
    fig, axes = plt.subplots(
        1, len(index_names), figsize=(3.6 * len(index_names) + 2.2, 0.32 * len(order) + 1.5),
        sharey=True, squeeze=False,
    )  # fmt: skip
    for ax, (k, name) in zip(axes[0], enumerate(index_names), strict=True):
        rows = sub[sub["index"] == name].set_index("parameter").reindex(order)
        y = np.arange(len(order))
        colours = [
            GREY if (p == DUMMY or rows.loc[p, "influential"] is False) else COLOURS[k % 3]
            for p in order
        ]
        conf = rows["conf"].to_numpy(float)
        ax.barh(y, rows["value"], color=colours,
                xerr=np.where(np.isfinite(conf), conf, 0), ecolor="#333333", capsize=2)  # fmt: skip
        if DUMMY in rows.index:
            d = rows.loc[DUMMY]
            value = abs(d["value"]) if name == "spearman" else d["value"]
            edge = value + (d["conf"] if np.isfinite(d["conf"]) else 0)  # the rule's threshold
            ax.axvline(edge, color="#333333", ls="--", lw=0.8, label="dummy's upper bound")
            ax.legend(loc="lower right", fontsize=7)
        ax.axvline(0, color="#333333", lw=0.6)
        ax.set_title(TITLES.get(name, name))
        ax.set_yticks(y, [_label(p, labels) for p in order])
        ax.grid(axis="y", visible=False)
    fig.suptitle(f"Sensitivity of {output}", x=0.01, ha="left", fontsize=10)
    return _finish(fig, source)


def morris_plane(
    indices: pd.DataFrame,
    output: str,
    labels: Mapping[str, str] | None = None,
    source: str | None = None,
    max_labels: int = 8,
) -> Figure:
    """Morris μ*–σ plane of one output: bars of μ*'s interval, the line σ = μ*.

    Points far right matter; points above the line act nonlinearly or through interactions.
    The ``max_labels`` parameters with the largest μ* and the dummy are named; the others are
    drawn as small dots (their values are in ``indices.md``).
    """
    style()
    sub = (
        indices[indices["output"] == output]
        .pivot_table(index="parameter", columns="index", values="value")
        .sort_values("mu_star", ascending=False)
    )
    conf = indices[(indices["output"] == output) & (indices["index"] == "mu_star")].set_index(
        "parameter"
    )
    fig, ax = plt.subplots(figsize=(6.0, 4.4))
    reach = (sub["mu_star"] + conf["conf"].reindex(sub.index).fillna(0)).max()
    top = float(np.nanmax([reach, sub["sigma"].max(), 1e-12])) * 1.08
    ax.plot([0, top], [0, top], color=GREY, ls="--", lw=0.8, label="σ = μ*")
    named = [*[p for p in sub.index if p != DUMMY][:max_labels], DUMMY]
    for k, (name, row) in enumerate(sub.iterrows()):
        dummy = name == DUMMY
        influential = conf.loc[name, "influential"] if name in conf.index else None
        colour = GREY if dummy or influential is False else COLOURS[k % len(COLOURS)]
        if name not in named:
            ax.plot(row["mu_star"], row["sigma"], "o", ms=3,
                    color=GREY if influential is False else "#555555")  # fmt: skip
            continue
        c = conf.loc[name, "conf"] if name in conf.index else np.nan
        ax.errorbar(row["mu_star"], row["sigma"], xerr=c if np.isfinite(c) else None,
                    fmt="x" if dummy else "o", color=colour, capsize=2, ms=5)  # fmt: skip
        ax.annotate(_label(str(name), labels), (row["mu_star"], row["sigma"]), fontsize=7,
                    xytext=(4, 3), textcoords="offset points")  # fmt: skip
    if len(sub) > len(named):
        note = f"small dots: {len(sub) - len(named)} parameters with smaller μ*"
        ax.text(0.99, 0.02, note, transform=ax.transAxes, ha="right", va="bottom", fontsize=7,
                color="#555555")  # fmt: skip
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    ax.set_xlabel(f"μ* ({output} per unit of the parameter's range)")
    ax.set_ylabel("σ of the elementary effects")
    ax.set_title(f"Morris screening of {output} (grey: not above the dummy)")
    ax.legend(loc="upper left")
    return _finish(fig, source)


def convergence(
    table: pd.DataFrame,
    output: str,
    index: str,
    labels: Mapping[str, str] | None = None,
    source: str | None = None,
    max_lines: int = 6,
) -> Figure:
    """An index of one output at growing sample sizes from the same run, with intervals.

    The ``max_lines`` parameters with the largest index at the full size are drawn, and the
    dummy; the legend follows their order.
    """
    style()
    sub = table[(table["output"] == output) & (table["index"] == index)]
    sub = sub[~sub["parameter"].str.contains("|", regex=False)]
    final = sub[sub["n"] == sub["n"].max()].set_index("parameter")["value"]
    order = [p for p in final.sort_values(ascending=False).index if p != DUMMY][:max_lines]
    order += [DUMMY] if DUMMY in final.index else []
    fig, ax = plt.subplots(figsize=(6.0, 3.8))
    for k, name in enumerate(order):
        grp = sub[sub["parameter"] == name].sort_values("n")
        colour = GREY if name == DUMMY else COLOURS[k % len(COLOURS)]
        ax.plot(grp["n"], grp["value"], marker="o", color=colour, label=_label(str(name), labels))
        conf = grp["conf"].to_numpy(float)
        if np.isfinite(conf).any():
            ax.fill_between(grp["n"], grp["value"] - conf, grp["value"] + conf, color=colour,
                            alpha=0.15, lw=0)  # fmt: skip
    ax.set_xscale("log", base=2)
    ns = sorted(sub["n"].unique())
    ax.set_xticks(ns, [str(n) for n in ns])
    ax.set_xlabel("sample size N (base samples or trajectories)")
    ax.set_ylabel(index)
    ax.set_title(f"Convergence of {TITLES.get(index, index)} for {output}")
    if len(final) > len(order):
        note = f"{len(final) - len(order)} parameters with smaller values not drawn"
        ax.text(0.99, 0.98, note, transform=ax.transAxes, ha="right", va="top", fontsize=7,
                color="#555555")  # fmt: skip
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=7)
    return _finish(fig, source)
