"""Every kind of figure drawable from a saved results folder, by name.

``plot --kind NAME`` and the report use this registry, so both draw the same figures.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from matplotlib.figure import Figure

from ...i18n import get_lang, period, term, tr
from ...scenarios.errors import InputError
from .flows import entry_flows, flow_map
from .folder import ResultsFolder
from .forest import forest
from .funnel import funnel, funnel_counts
from .land import RECONSTRUCTED, land, land_from_firms
from .parks import firms_by_park, firms_by_sector, network, sector_mix
from .sensitivity import convergence, morris, sensitivity_indices
from .series import fiscal, kpi_series

Drawer = Callable[[ResultsFolder], Iterator[tuple[str, Figure]]]


@dataclass(frozen=True)
class Kind:
    """A figure kind: what it shows, the files it needs and how to draw it from a folder.

    ``function`` is the public function that makes the figure from data (for notebooks).
    """

    name: str
    files: tuple[str, ...]
    draw: Drawer
    function: Callable[..., Figure]
    condition: Callable[[ResultsFolder], bool] | None = None

    @property
    def caption(self) -> str:
        """What the kind shows, in the current language (the glossary's ``kind.<name>``)."""
        return term(f"kind.{self.name}")

    def available(self, folder: ResultsFolder) -> bool:
        """Whether the folder holds what this kind needs."""
        if not all(folder.has(f) for f in self.files):
            return False
        return self.condition is None or self.condition(folder)


def _one(name: str, fig: Figure) -> Iterator[tuple[str, Figure]]:
    yield name, fig


def _funnel(f: ResultsFolder) -> Iterator[tuple[str, Figure]]:
    dates = f.dates
    span = term("fig.funnel.run_total")
    if dates:
        span = tr("fig.funnel.run_total_span", span=period(dates[0], dates[-1]))
    return _one("funnel", funnel(f.kpis, f.source, period=span))


def _funnel_first_year(f: ResultsFolder) -> Iterator[tuple[str, Figure]]:
    dates = f.dates[:12]
    counts = funnel_counts(f.events, f.focus, (0, 12))
    whole_year = dates[0].endswith("-01") and len(dates) == 12
    span = tr("fig.year", year=dates[0][:4]) if whole_year else period(dates[0], dates[-1])
    return _one(
        "funnel_first_year",
        funnel(counts, f.source, period=tr("fig.funnel.first_year", span=span)),
    )


def _series(f: ResultsFolder) -> Iterator[tuple[str, Figure]]:
    return _one("kpi_series", kpi_series(f.timeseries, source=f.source))


def _by_park(f: ResultsFolder) -> Iterator[tuple[str, Figure]]:
    parks = f.parks(f.focus)
    fig = firms_by_park(
        f.events, parks, f.dates, f.source, focus=f.focus, names=f.park_names(),
        city=f.city_name(),
    )
    return _one("firms_by_park", fig)


def _by_sector(f: ResultsFolder) -> Iterator[tuple[str, Figure]]:
    fig = firms_by_sector(
        f.events, f.firms, f.dates, f.source, focus=f.focus, names=f.sector_names(),
        city=f.city_name(),
    )
    return _one("firms_by_sector", fig)


def _mix(f: ResultsFolder) -> Iterator[tuple[str, Figure]]:
    by_park = f.kpis.get("by_park", {})
    parks = [p for p in f.parks(f.focus) if p in by_park]
    parks += [p for p in f.parks() if p in by_park and p not in parks]
    cities = f.city_names() if get_lang() == "zh" else None  # English: the ids, as before
    fig = sector_mix(
        by_park, f.source, parks or None, f.focus, f.sector_names(), f.park_names(), cities
    )
    return _one("sector_mix", fig)


def _network(f: ResultsFolder) -> Iterator[tuple[str, Figure]]:
    by_park = f.kpis.get("by_park", {})
    io = f.io()
    for park in f.parks(f.focus):
        present = by_park.get(park, {}).get("sector_mix", {})
        fig = network(io, present, park, f.source, f.sector_names(), f.park_names().get(park))
        yield f"network_{park}", fig


def _map(f: ResultsFolder) -> Iterator[tuple[str, Figure]]:
    sc = f.scenario
    flows = entry_flows(f.events, f.firms)
    return _one(
        "flow_map",
        flow_map(flows, sc.get("regions", {}), sc.get("governments", {}), f.focus, f.source),
    )


def _land(f: ResultsFolder) -> Iterator[tuple[str, Figure]]:
    parks = f.parks(f.focus)
    per_park = f.land_by_park
    note = None
    if per_park is None:
        per_park = land_from_firms(f.events, f.firms, f.dates, parks)
        note = term(RECONSTRUCTED)
    else:
        per_park = per_park[per_park["park"].isin(parks)]
    capacity = {p: float(f.scenario["parks"][p].get("land_ha", 0)) for p in parks}
    fig = land(per_park, capacity, f.timeseries, f.source, note, f.city_name(), f.park_names())
    return _one("land", fig)


def _fiscal(f: ResultsFolder) -> Iterator[tuple[str, Figure]]:
    return _one("fiscal", fiscal(f.timeseries, f.source, f.city_name()))


def _forest(f: ResultsFolder) -> Iterator[tuple[str, Figure]]:
    return _one("forest", forest(f.compare, source=f.source))


def _indices(f: ResultsFolder) -> Iterator[tuple[str, Figure]]:
    return _one("sensitivity_indices", sensitivity_indices(f.indices, f.source, labels=f.labels()))


def _morris(f: ResultsFolder) -> Iterator[tuple[str, Figure]]:
    return _one("morris", morris(f.indices, f.source, f.labels()))


def _convergence(f: ResultsFolder) -> Iterator[tuple[str, Figure]]:
    return _one("convergence", convergence(f.convergence, f.source, labels=f.labels()))


RUN = ("kpis.json", "timeseries.csv", "manifest.json")
EVENTS = (*RUN, "events.parquet")
FIRMS = (*EVENTS, "firms.parquet")


def _has_morris(folder: ResultsFolder) -> bool:
    return {"mu_star", "sigma"} <= set(folder.indices["index"])


SENSITIVITY = ("indices.csv",)

#: Every figure kind, in the order the report shows them.
KINDS = {
    k.name: k
    for k in (
        Kind("funnel", RUN, _funnel, funnel),
        Kind("funnel_first_year", EVENTS, _funnel_first_year, funnel),
        Kind("kpi_series", RUN, _series, kpi_series),
        Kind("firms_by_park", EVENTS, _by_park, firms_by_park),
        Kind("firms_by_sector", FIRMS, _by_sector, firms_by_sector),
        Kind("sector_mix", RUN, _mix, sector_mix),
        Kind("network", RUN, _network, network),
        Kind("flow_map", FIRMS, _map, flow_map),
        Kind("land", FIRMS, _land, land),
        Kind("fiscal", RUN, _fiscal, fiscal),
        Kind("forest", ("compare.csv",), _forest, forest),
        Kind("sensitivity_indices", SENSITIVITY, _indices, sensitivity_indices),
        Kind("morris", SENSITIVITY, _morris, morris, _has_morris),
        Kind("convergence", ("convergence.csv",), _convergence, convergence),
    )
}  # fmt: skip


def available(folder: ResultsFolder) -> list[str]:
    """Names of the figure kinds this folder can draw."""
    return [name for name, kind in KINDS.items() if kind.available(folder)]


def draw(folder: ResultsFolder, kinds: Sequence[str] | None = None) -> Iterator[tuple[str, Figure]]:
    """Draw figures from a saved folder, one ``(file stem, Figure)`` at a time.

    Args:
        folder: The results folder.
        kinds: Kind names (default: every kind the folder can draw).

    Raises:
        InputError: For an unknown kind or one whose files the folder lacks.
    """
    names = list(kinds) if kinds else available(folder)
    for name in names:
        if name not in KINDS:
            raise InputError(f"unknown figure kind {name!r}; kinds: {', '.join(KINDS)}", "--kind")
        kind = KINDS[name]
        if not kind.available(folder):
            raise InputError(
                f"the figure kind {name!r} needs {', '.join(kind.files)} in {folder.path}"
                + (" (and data it lacks)" if all(folder.has(f) for f in kind.files) else "")
                + f"; this folder can draw: {', '.join(available(folder)) or 'nothing'}",
                "--kind",
            )
    for name in names:
        try:
            yield from KINDS[name].draw(folder)
        except ValueError as exc:
            raise InputError(f"cannot draw {name!r}: {exc}", str(folder.path)) from None
