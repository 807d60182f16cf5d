"""Identification of a calibration: the loss profile along each fitted parameter."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ...i18n import term, tr
from .style import GREY, PALETTE, finish, style


def loss_profile(profile: pd.DataFrame, rise: float, source: str | None = None) -> Figure:
    """The loss along each fitted parameter, the others at their fitted values.

    Args:
        profile: ``profile.csv`` of ``zhaoshang calibrate --profile`` (parameter, value,
            at_fit, loss).
        rise: The rise of the loss above the profile's minimum that counts as identified
            (drawn as a dashed line).
        source: Source line (scenario, targets, replicates, seed).

    Returns:
        The figure: one panel per parameter; the fitted value is the filled marker.
    """
    style()
    names = list(dict.fromkeys(profile["parameter"]))
    ncols = min(3, max(len(names), 1))
    nrows = max(math.ceil(len(names) / ncols), 1)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.3 * ncols, 2.5 * nrows + 0.8), squeeze=False)
    for k, ax in enumerate(axes.flat):
        if k >= len(names):
            ax.remove()
            continue
        part = profile[profile["parameter"] == names[k]].sort_values("value")
        x, loss = part["value"].to_numpy(float), part["loss"].to_numpy(float)
        ax.plot(x, loss, "-o", color=PALETTE[0], markersize=3, linewidth=1.2)
        fit = part["at_fit"].to_numpy(bool)
        ax.plot(x[fit], loss[fit], "o", color=PALETTE[1], markersize=6)
        ax.axhline(float(np.nanmin(loss)) + rise, color=GREY, linestyle="--", linewidth=0.8)
        if (loss > 0).all():  # losses span orders of magnitude
            ax.set_yscale("log")
        ax.set_title(names[k], fontsize=8)
        ax.set_xlabel(term("fig.profile.value"), fontsize=8)
        if k % ncols == 0:
            ax.set_ylabel(term("fig.profile.loss"), fontsize=8)
        ax.tick_params(labelsize=7)
    fig.suptitle(term("fig.profile.title"), fontsize=10)
    return finish(fig, source, tr("fig.profile.note", rise=f"{rise:g}"))
