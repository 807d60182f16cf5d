"""Notable events of the focus city, told in plain words for the page's feed."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..model.state.codes import Cause, Channel, Stage

if TYPE_CHECKING:
    from ..model.model import AttractionModel

#: Firm events shown one by one per month; the rest are counted in one line.
PER_MONTH = 8

CHANNEL_WORDS = {
    Channel.OFFICE: "after a resident office's visit",
    Channel.CONFERENCE: "after a promotion conference",
    Channel.REFERRAL: "on a tenant's referral",
    Channel.AGENT: "through an entrusted agent",
    Channel.PASSIVE: "after its own inquiry",
}
SCREEN_WORDS = {
    Cause.SCREENED_POLLUTION: "pollution above the cap",
    Cause.SCREENED_ENERGY: "energy use above the cap",
    Cause.SCREENED_TAX: "too little tax per hectare",
    Cause.SCREENED_TECH: "technology below the threshold",
}
COMMON_NOUNS = ("Delta", "Region", "Area", "Zone", "Basin", "Rim")


def article(word: str) -> str:
    """``a`` or ``an`` before ``word``."""
    return "an" if word[:1].lower() in "aeiou" else "a"


def sector_words(model: AttractionModel, s: int) -> str:
    """A sector's name as it reads inside a sentence (``machine embroidery & textiles``)."""
    sid = model.world.sector_ids[s]
    name = model.spec.sectors[sid].name or sid.replace("_", " ")
    return name[0].lower() + name[1:] if name[1:2].islower() else name


def region_words(model: AttractionModel, r: int) -> str:
    """An origin region as it reads after "from" (``the Yangtze River Delta``, ``Fujian``)."""
    rid = model.world.region_ids[r]
    name = model.spec.regions[rid].name or rid
    return f"the {name}" if name.split()[-1] in COMMON_NOUNS else name


def park_words(model: AttractionModel, p: int) -> str:
    """A park by its short id (``the embroidery park``)."""
    pid = model.world.park_ids[p].replace("_", " ")
    return f"the {pid}" if pid.endswith("park") else f"the {pid} park"


def firm_words(model: AttractionModel, firm: int) -> str:
    """``an embroidery firm from the Yangtze River Delta``."""
    f = model.firms
    sector = sector_words(model, int(f.sector[firm]))
    return f"{article(sector)} {sector} firm from {region_words(model, int(f.region[firm]))}"


def _what(model: AttractionModel, ev: dict[str, np.ndarray], i: int) -> str | None:
    """The sentence (without date and firm) for event ``i``, or None if it is not notable."""
    to, frm, cause = int(ev["to_stage"][i]), int(ev["from_stage"][i]), int(ev["cause"][i])
    park = park_words(model, int(ev["park"][i])) if ev["park"][i] >= 0 else "the city"
    how = CHANNEL_WORDS.get(Channel(int(ev["channel"][i])))
    suffix = f" {how}" if how else ""
    if cause in (Cause.SEEDED, Cause.PROMISE_BROKEN):
        return None
    if to == Stage.FRAMEWORK:
        return f"signed a framework agreement with {park}{suffix}"
    if to == Stage.CONTRACT and frm == Stage.FRAMEWORK:
        return f"turned its framework agreement with {park} into a construction contract"
    if to == Stage.CONTRACT:
        return f"signed with {park}{suffix}"
    if to == Stage.OPERATING:
        return f"started production in {park}"
    if to == Stage.EXITED:
        return f"left {park}, dissatisfied"
    if to == Stage.REJECTED and cause in SCREEN_WORDS:
        return f"was refused by {park} ({SCREEN_WORDS[Cause(cause)]})"
    if cause == Cause.NO_LAND:
        return f"was turned away: {park} had no free land"
    return None


def describe(model: AttractionModel, ev: dict[str, np.ndarray], start: int) -> list[str]:
    """Plain-word lines for the focus city's notable events from row ``start`` of the log.

    Args:
        model: The model that wrote the log.
        ev: The event log's columns (``model.event_log.columns()``).
        start: First row to describe (the rows before were described already).

    Returns:
        Lines such as "2017-03: an embroidery firm from the Yangtze River Delta signed with the
        embroidery park after a promotion conference", in the order they happened.
    """
    rows = np.arange(start, len(ev["month"]))
    rows = rows[ev["city"][rows] == model.world.focus]
    lines: list[str] = []
    per_month: dict[int, int] = {}
    broken: dict[int, int] = {}
    for i in rows.tolist():
        month = int(ev["month"][i])
        if ev["cause"][i] == Cause.PROMISE_BROKEN:
            broken[month] = broken.get(month, 0) + 1
            continue
        what = _what(model, ev, i)
        if what is None:
            continue
        per_month[month] = per_month.get(month, 0) + 1
        if per_month[month] <= PER_MONTH:
            firm = firm_words(model, int(ev["firm"][i]))
            lines.append(f"{model.world.date(month)}: {firm} {what}")
    for month, n in per_month.items():
        if n > PER_MONTH:
            more = n - PER_MONTH
            plural = "s" if more > 1 else ""
            lines.append(f"{model.world.date(month)}: ... and {more} more such event{plural}")
    for month, n in broken.items():
        lines.append(
            f"{model.world.date(month)}: a new leader broke the promises made to {n} "
            f"firm{'s' if n != 1 else ''}; the city's credibility suffers"
        )
    return lines


def city_news(model: AttractionModel, month: int, turnovers_before: int) -> list[str]:
    """Lines for the month's promotion conferences and changes of city leader."""
    lines = []
    date = model.world.date(month)
    for conf in model.conferences_by_month.get(month, []):
        if conf["city"] != model.world.focus:
            continue
        spec = model.spec.conferences[conf["id"]]
        result = model.conference_results.get(conf["id"], {})
        intentions = result.get("intentions")
        told = f", {intentions} declared an intention to invest" if intentions is not None else ""
        place = spec.place or region_words(model, conf["region"])
        lines.append(
            f"{date}: promotion conference in {place}: {conf['invitees']} firms invited{told}"
        )
    changes = int(model.cities.turnovers[model.world.focus]) - turnovers_before
    if changes > 0:
        lines.append(f"{date}: a new city leader took office")
    return lines
