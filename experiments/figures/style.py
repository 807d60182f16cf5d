"""The one place for the look of every figure: palette, fonts, layout, dates and saving."""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.legend import Legend

from ...i18n import get_lang, term
from ...scenarios.errors import InputError
from ..outputs.folders import atomic_file

#: Okabe-Ito palette: distinguishable with the common forms of colour blindness.
PALETTE = [
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#56B4E9",
    "#F0E442",
    "#000000",
    "#999999",
]

#: Colour of "other" categories, reference lines and secondary text.
GREY = "#999999"
TEXT_GREY = "#555555"

#: Categories drawn in their own colour before the rest are pooled as "other".
MAX_CATEGORIES = 7

#: Formats :func:`save` writes, and the resolution of PNG files.
FORMATS = ("png", "svg", "pdf")
PNG_DPI = 300

_LINE_IN = 0.15  # height of one footer line (7 pt text plus spacing), inches

#: The Chinese font: Debian's ``fonts-wqy-microhei`` (installed by ``.ci/run``).
CJK_FONT = "WenQuanYi Micro Hei"

#: Where Debian installs it, in case matplotlib's font cache predates the install.
CJK_FONT_FILES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/wenquanyi/wqy-microhei/wqy-microhei.ttc",
)

#: What to do when it is missing.
FONT_HINT = (
    "no Chinese font found for figures in Chinese: install the WenQuanYi Micro Hei font "
    "(Debian/Ubuntu: sudo apt-get install fonts-wqy-microhei), or draw in English with "
    "--lang en"
)


def cjk_font_available() -> bool:
    """Whether matplotlib can use the Chinese font (registering Debian's file if needed)."""
    from matplotlib import font_manager

    if any(f.name == CJK_FONT for f in font_manager.fontManager.ttflist):
        return True
    for path in CJK_FONT_FILES:
        if Path(path).is_file():
            font_manager.fontManager.addfont(path)
            return True
    return False


def fonts(lang: str | None = None) -> list[str]:
    """Font families in order of preference: each glyph comes from the first that has it.

    Raises:
        InputError: In Chinese, if no Chinese font is installed (never a box for a glyph).
    """
    has_cjk = cjk_font_available()
    if get_lang(lang) == "zh":
        if not has_cjk:
            raise InputError(FONT_HINT, "fonts")
        # The font has one weight: bold text is drawn regular, which matplotlib would log.
        logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
        return [CJK_FONT, "DejaVu Sans"]
    return ["DejaVu Sans", CJK_FONT] if has_cjk else ["DejaVu Sans"]


def style() -> None:
    """Apply the project's plotting style (call before creating a figure)."""
    plt.rcParams.update(
        {
            "figure.dpi": 100,
            "savefig.dpi": PNG_DPI,
            "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "font.family": fonts(),
            "font.size": 9,
            "axes.titlesize": 10,
            "axes.labelsize": 9,
            "legend.fontsize": 7,
            "legend.frameon": False,
            "svg.fonttype": "none",
            "pdf.fonttype": 42,
        }
    )


def source_line(fig: Figure, text: str | None) -> None:
    """Write the source line (scenario, seed) at the bottom left of a figure."""
    if text:
        fig.text(0.01, 0.005, text, fontsize=7, color=TEXT_GREY, ha="left", va="bottom")


def finish(
    fig: Figure, source: str | None, note: str | None = None, legend: Legend | None = None
) -> Figure:
    """Add the source line (and a note above it), then lay the axes out around them.

    Args:
        fig: The figure.
        source: Source line (scenario, seed).
        note: A caption above the source line.
        legend: A figure legend placed at the right edge (see :func:`side_legend`); the axes
            leave room for it.

    Returns:
        The figure.
    """
    lines = 0
    height = fig.get_figheight()
    if source:
        source_line(fig, source)
        lines += 1
    if note:
        fig.text(
            0.01,
            0.005 + lines * _LINE_IN / height,
            note,
            fontsize=7,
            color=TEXT_GREY,
            ha="left",
            va="bottom",
        )
        lines += note.count("\n") + 1
    right = 1.0
    if legend is not None:
        width = legend.get_window_extent(fig.canvas.get_renderer()).width / fig.dpi
        right = 1.0 - (width + 0.1) / fig.get_figwidth()
    fig.tight_layout(rect=(0, (lines * _LINE_IN + 0.05) / height, right, 1))
    return fig


def side_legend(fig: Figure, handles: list, labels: list[str]) -> Legend:
    """A figure legend at the right edge, centred vertically (pass it to :func:`finish`)."""
    return fig.legend(handles, labels, loc="center right", bbox_to_anchor=(1.0, 0.5), fontsize=6.5)


def pretty(ident: str, names: Mapping[str, str] | None = None) -> str:
    """A readable label: ``names[ident]`` if given, else the id with spaces for underscores."""
    if names and ident in names:
        return names[ident]
    return str(ident).replace("_", " ")


def short_name(ident: str, name: str | None, limit: int = 24) -> str:
    """A short label for a sector or place: its name without a bracketed part, if short."""
    text = (name or "").split(" (")[0].strip()
    text = text if text and len(text) <= limit else pretty(ident)
    return text[:1].upper() + text[1:]


def to_dates(values: Iterable) -> pd.DatetimeIndex:
    """Calendar months written ``YYYY-MM`` (or dates) as timestamps."""
    return pd.DatetimeIndex(pd.to_datetime(pd.Series(list(values)).astype(str), format="mixed"))


def date_axis(ax: Axes, label: str | None = None, max_ticks: int = 6) -> None:
    """Years as major ticks on a time axis (call after plotting), with a label naming the unit.

    Args:
        ax: The axes.
        label: Axis label (default: the glossary's ``fig.calendar_month``).
        max_ticks: At most this many year ticks.
    """
    lo, hi = ax.get_xlim()
    years = max((hi - lo) / 365.25, 1.0)
    step = max(1, math.ceil(years / max_ticks))
    ax.xaxis.set_major_locator(mdates.YearLocator(base=step))
    ax.xaxis.set_major_formatter(mdates.DateFormatter(term("fig.year_format")))
    if years <= 3:
        ax.xaxis.set_minor_locator(mdates.MonthLocator(bymonth=(4, 7, 10)))
    ax.set_xlabel(term("fig.calendar_month") if label is None else label)


def category_colours(order: Sequence[str], limit: int = MAX_CATEGORIES) -> dict[str, str]:
    """Colours of categories given largest first: the first ``limit`` own one, the rest grey."""
    return {name: (PALETTE[k] if k < limit else GREY) for k, name in enumerate(order)}


def pool_small(frame: pd.DataFrame, limit: int = MAX_CATEGORIES) -> pd.DataFrame:
    """Keep the ``limit`` largest columns (by total) and sum the rest into ``other``.

    The ``other`` column is named in the current language (the glossary's ``common.other``).
    """
    order = frame.sum().sort_values(ascending=False).index.tolist()
    keep = [c for c in order if frame[c].sum() > 0][:limit]
    out = frame[keep].copy()
    rest = [c for c in frame.columns if c not in keep]
    if rest and frame[rest].to_numpy().sum() > 0:
        out[term("common.other")] = frame[rest].sum(axis=1)
    return out


def save(
    fig: Figure, path: str | Path, formats: Sequence[str] = ("png",), dpi: int = PNG_DPI
) -> list[Path]:
    """Save a figure in each format (PNG at 300 dpi), atomically, and close it.

    Args:
        fig: The figure.
        path: Target path; its suffix is replaced by each format's.
        formats: Any of ``png``, ``svg`` and ``pdf``.
        dpi: Resolution of PNG files.

    Returns:
        The paths written.
    """
    out = []
    try:
        for fmt in formats:
            if fmt not in FORMATS:
                raise ValueError(f"unknown figure format {fmt!r}; allowed: {', '.join(FORMATS)}")
            target = Path(path).with_suffix(f".{fmt}")
            with atomic_file(target) as tmp:
                fig.savefig(tmp, format=fmt, dpi=dpi if fmt == "png" else None)
            out.append(target)
    finally:
        plt.close(fig)
    return out
