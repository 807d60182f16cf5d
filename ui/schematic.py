"""Schematic maps: origin regions and competing cities; the focus city's parks.

The country map draws firms looking for a site around their origin region and firms dealing
with or operating in a competing city around that city. The parks map lays the focus city's
parks side by side (they share one city, so real coordinates would stack them), with their
firms, filled when operating and hollow while in the pipeline. Firm positions are jittered
deterministically from the firm's id (no random numbers).
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ..experiments.figures import PALETTE
from ..i18n import get_lang, month_label, name_of, term, tr
from ..model.state.world import World
from .trace import OPERATING, PIPELINE, SEARCHING, Positions

#: One colour per sector, in sector order (Okabe-Ito first, then distinct extras).
SECTOR_COLOURS = [*PALETTE[:8], "#8C564B", "#17BECF", "#BCBD22", "#7F7F7F", "#AEC7E8"]
REGION_RADIUS = 1.3  # degrees around an origin region
CITY_RADIUS = 0.35  # degrees around a competitor city


def sector_colour(s: np.ndarray | int):
    """Colour of sector index ``s`` (cycling if there are more sectors than colours)."""
    colours = np.asarray(SECTOR_COLOURS)
    return colours[np.asarray(s) % len(colours)]


def hashed_unit(ids: np.ndarray, salt: int) -> np.ndarray:
    """A number in [0, 1) fixed by each id (the SplitMix64 finaliser; not random draws)."""
    z = np.asarray(ids, dtype=np.uint64) * np.uint64(2) + np.uint64(salt)
    z = z + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) / float(2**53)


def jitter(ids: np.ndarray, radius: float) -> tuple[np.ndarray, np.ndarray]:
    """Offsets scattering points uniformly over a disc, fixed by each firm's id."""
    angle = 2.0 * np.pi * hashed_unit(ids, 0)
    r = radius * np.sqrt(hashed_unit(ids, 1))
    return r * np.cos(angle), r * np.sin(angle)


def park_layout(world: World) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Schematic centres and radii of the focus city's parks (radius grows with land area)."""
    parks = np.flatnonzero(world.park_city == world.focus)
    land = np.array([world.scenario.parks[world.park_ids[p]].land_ha for p in parks], float)
    radius = 0.6 + 0.6 * np.sqrt(land / max(land.max(initial=1.0), 1.0))
    n = len(parks)
    cols = int(np.ceil(np.sqrt(n))) if n else 1
    x = np.array([(k % cols) * 2.7 for k in range(n)])
    y = np.array([-(k // cols) * 3.3 for k in range(n)])
    return parks, np.stack([x, y], axis=1), radius


def _short(name: str) -> str:
    return name.replace("_", " ")


def park_label(world: World, p: int) -> str:
    """A park's label: its Chinese name in Chinese, else its id with spaces."""
    pid = world.park_ids[p]
    zh = world.scenario.parks[pid].name_zh if get_lang() == "zh" else ""
    return zh or _short(pid)


def sector_label(world: World, s: int) -> str:
    """A sector's label: its Chinese name in Chinese, else its id with spaces."""
    sid = world.sector_ids[s]
    zh = world.scenario.sectors[sid].name_zh if get_lang() == "zh" else ""
    return zh or _short(sid)


def _cloud(ax, centre, pos: Positions, mask, radius: float, size: float, zorder: int) -> None:
    """The firms selected by ``mask`` as dots scattered around ``centre``, by sector."""
    dx, dy = jitter(pos.firm[mask], radius)
    colours = sector_colour(pos.sector[mask])
    ax.scatter(centre[0] + dx, centre[1] + dy, s=size, c=colours, alpha=0.75, linewidths=0,
               zorder=zorder)  # fmt: skip


def draw_country(ax, world: World, pos: Positions) -> None:
    """Origin regions, cities and the firms around them."""
    sc = world.scenario
    for r, rid in enumerate(world.region_ids):
        reg = sc.regions[rid]
        ax.scatter(reg.lon, reg.lat, s=900, color="#dddddd", zorder=1)
        ax.annotate(
            name_of(reg.model_dump(), rid),
            (reg.lon, reg.lat),
            xytext=(0, 16),
            textcoords="offset points",
            ha="center",
            fontsize=7,
            color="#333333",
        )
        mine = (pos.status == SEARCHING) & (pos.region == r)
        _cloud(ax, (reg.lon, reg.lat), pos, mine, REGION_RADIUS, size=3, zorder=2)
    for c, cid in enumerate(world.city_ids):
        gov = sc.governments[cid]
        focus = c == world.focus
        ax.scatter(
            gov.lon,
            gov.lat,
            marker="*" if focus else "^",
            s=160 if focus else 60,
            color="#D55E00" if focus else "#555555",
            zorder=4,
        )
        label = name_of(gov.model_dump(), cid)
        ax.annotate(
            label,
            (gov.lon, gov.lat),
            xytext=(-6, -12) if focus else (6, 2),
            ha="right" if focus else "left",
            textcoords="offset points",
            fontsize=7,
            weight="bold" if focus else None,
        )
        if focus:
            continue
        here = (pos.park >= 0) & (world.park_city[np.maximum(pos.park, 0)] == c)
        _cloud(ax, (gov.lon, gov.lat), pos, here, CITY_RADIUS, size=4, zorder=3)
    lat = np.mean([sc.regions[r].lat for r in world.region_ids] or [30.0])
    ax.set_aspect(1.0 / np.cos(np.radians(lat)), adjustable="datalim")
    ax.set_title(term("page.map.origins_title"), fontsize=8)
    ax.set_xlabel(term("page.map.lon"))
    ax.set_ylabel(term("page.map.lat"))
    ax.margins(0.12)


def draw_parks(ax, world: World, pos: Positions) -> None:
    """The focus city's parks with their firms by sector."""
    parks, centres, radius = park_layout(world)
    for k, p in enumerate(parks):
        (x, y), rad = centres[k], radius[k]
        ax.add_patch(_circle((x, y), rad))
        here = pos.park == p
        operating = here & (pos.status == OPERATING)
        dealing = here & (pos.status == PIPELINE)
        for mask, hollow in ((operating, False), (dealing, True)):
            dx, dy = jitter(pos.firm[mask], rad * 0.9)
            colours = sector_colour(pos.sector[mask])
            ax.scatter(
                x + dx,
                y + dy,
                s=10,
                zorder=3,
                facecolors="none" if hollow else colours,
                edgecolors=colours,
                linewidths=0.8 if hollow else 0,
            )
        ax.annotate(
            f"{park_label(world, p)}\n{int(operating.sum())} {term('page.map.operating')}\n"
            f"{int(dealing.sum())} {term('page.map.pipeline')}",
            (x, y - rad - 0.15),
            ha="center",
            va="top",
            fontsize=7,
        )
    if len(parks):
        ax.set_xlim(centres[:, 0].min() - 1.6, centres[:, 0].max() + 1.6)
        ax.set_ylim(centres[:, 1].min() - 2.7, centres[:, 1].max() + 1.5)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(term("page.map.parks_title"), fontsize=8)


def _circle(centre, radius):
    from matplotlib.patches import Circle

    return Circle(centre, radius, facecolor="#f2f2f2", edgecolor="#999999", zorder=1)


def _legend(fig: Figure, world: World, pos: Positions, mask: np.ndarray, when: str) -> None:
    present = sorted(set(pos.sector[mask].tolist()))
    handles = [
        Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            color=sector_colour(s),
            label=sector_label(world, s),
        )
        for s in present
    ]
    if handles:
        fig.legend(
            handles=handles,
            loc="lower center",
            ncols=min(len(handles), 4),
            fontsize=7,
            frameon=False,
            title=tr("page.map.by_sector", when=month_label(when)),
            title_fontsize=7,
        )


def country_map(world: World, pos: Positions, when: str) -> Figure:
    """Origin regions with the firms looking for a site, and competing cities with theirs."""
    fig = Figure(figsize=(5.4, 4.6), dpi=80)
    draw_country(fig.subplots(), world, pos)
    focus = (pos.park >= 0) & (world.park_city[np.maximum(pos.park, 0)] == world.focus)
    _legend(fig, world, pos, ~focus, when)
    fig.subplots_adjust(left=0.12, right=0.98, top=0.93, bottom=0.3)
    return fig


def parks_map(world: World, pos: Positions, when: str) -> Figure:
    """The focus city's parks with their firms, coloured by sector."""
    fig = Figure(figsize=(5.4, 4.6), dpi=80)
    draw_parks(fig.subplots(), world, pos)
    focus = (pos.park >= 0) & (world.park_city[np.maximum(pos.park, 0)] == world.focus)
    _legend(fig, world, pos, focus, when)
    fig.subplots_adjust(left=0.02, right=0.98, top=0.93, bottom=0.22)
    return fig
