"""Notable events of the focus city, told in plain words for the page's feed."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..i18n import month_label, term, tr
from ..model.state.codes import Cause, Channel, Stage

if TYPE_CHECKING:
    from ..model.model import AttractionModel

#: Firm events shown one by one per month; the rest are counted in one line.
PER_MONTH = 8

#: How a firm came, by channel: the glossary key under ``feed.how.`` (none: say nothing).
CHANNEL_WORDS = {
    Channel.OFFICE: "office",
    Channel.CONFERENCE: "conference",
    Channel.REFERRAL: "referral",
    Channel.AGENT: "agent",
    Channel.PASSIVE: "passive",
    Channel.LEADERSHIP: "leadership",
}
#: Why a project was refused, by cause: the glossary key under ``feed.screen.``.
SCREEN_WORDS = {
    Cause.SCREENED_POLLUTION: "pollution",
    Cause.SCREENED_ENERGY: "energy",
    Cause.SCREENED_TAX: "tax",
    Cause.SCREENED_TECH: "tech",
}
COMMON_NOUNS = ("Delta", "Region", "Area", "Zone", "Basin", "Rim")


def article(word: str) -> str:
    """``a`` or ``an`` before ``word``."""
    return "an" if word[:1].lower() in "aeiou" else "a"


def sector_words(model: AttractionModel, s: int, lang: str = "en") -> str:
    """A sector's name as it reads inside a sentence (``machine embroidery & textiles``)."""
    sid = model.world.sector_ids[s]
    spec = model.spec.sectors[sid]
    if lang == "zh" and spec.name_zh:
        return spec.name_zh
    name = spec.name or sid.replace("_", " ")
    return name[0].lower() + name[1:] if name[1:2].islower() else name


def region_words(model: AttractionModel, r: int, lang: str = "en") -> str:
    """An origin region as it reads after "from" (``the Yangtze River Delta``, ``Fujian``)."""
    rid = model.world.region_ids[r]
    spec = model.spec.regions[rid]
    if lang == "zh" and spec.name_zh:
        return spec.name_zh
    name = spec.name or rid
    return f"the {name}" if name.split()[-1] in COMMON_NOUNS else name


def park_words(model: AttractionModel, p: int, lang: str = "en") -> str:
    """A park by its short id (``the embroidery park``), or its Chinese name."""
    pid = model.world.park_ids[p]
    if lang == "zh" and model.spec.parks[pid].name_zh:
        return model.spec.parks[pid].name_zh
    pid = pid.replace("_", " ")
    return f"the {pid}" if pid.endswith("park") else f"the {pid} park"


def firm_words(model: AttractionModel, firm: int, lang: str = "en") -> str:
    """``an embroidery firm from the Yangtze River Delta`` (一家来自长三角的机绣纺织企业)."""
    f = model.firms
    sector = sector_words(model, int(f.sector[firm]), lang)
    region = region_words(model, int(f.region[firm]), lang)
    return tr("feed.firm", lang, article=article(sector), sector=sector, region=region)


def _what(model: AttractionModel, ev: dict[str, np.ndarray], i: int, lang: str) -> str | None:
    """The sentence (without date and firm) for event ``i``, or None if it is not notable."""
    to, frm, cause = int(ev["to_stage"][i]), int(ev["from_stage"][i]), int(ev["cause"][i])
    park = park_words(model, int(ev["park"][i]), lang) if ev["park"][i] >= 0 else ""
    park = park or term("feed.the_city", lang)
    how = CHANNEL_WORDS.get(Channel(int(ev["channel"][i])))
    how = term(f"feed.how.{how}", lang) if how else ""
    if cause in (Cause.SEEDED, Cause.PROMISE_BROKEN):
        return None
    key = None
    if to == Stage.FRAMEWORK:
        key = "framework"
    elif to == Stage.CONTRACT and frm == Stage.FRAMEWORK:
        key = "converted"
    elif to == Stage.CONTRACT:
        key = "signed"
    elif to == Stage.OPERATING:
        key = "started"
    elif to == Stage.EXITED:
        key = "left"
    elif to == Stage.REJECTED and cause in SCREEN_WORDS:
        key = "refused"
    elif cause == Cause.NO_LAND:
        key = "no_land"
    if key is None:
        return None
    why = term(f"feed.screen.{SCREEN_WORDS[Cause(cause)]}", lang) if key == "refused" else ""
    return tr(f"feed.{key}", lang, park=park, how=how, why=why)


def describe(
    model: AttractionModel, ev: dict[str, np.ndarray], start: int, lang: str = "en"
) -> list[str]:
    """Plain-word lines for the focus city's notable events from row ``start`` of the log.

    Args:
        model: The model that wrote the log.
        ev: The event log's columns (``model.event_log.columns()``).
        start: First row to describe (the rows before were described already).
        lang: Language of the lines (``en`` or ``zh``).

    Returns:
        Lines such as "2017-03: an embroidery firm from the Yangtze River Delta signed with the
        embroidery park after a promotion conference", in the order they happened.
    """
    rows = np.arange(start, len(ev["month"]))
    rows = rows[ev["city"][rows] == model.world.focus]
    lines: list[str] = []
    per_month: dict[int, int] = {}
    broken: dict[int, int] = {}

    def line(month: int, text: str) -> str:
        return tr("feed.line", lang, date=month_label(model.world.date(month), lang), text=text)

    for i in rows.tolist():
        month = int(ev["month"][i])
        if ev["cause"][i] == Cause.PROMISE_BROKEN:
            broken[month] = broken.get(month, 0) + 1
            continue
        what = _what(model, ev, i, lang)
        if what is None:
            continue
        per_month[month] = per_month.get(month, 0) + 1
        if per_month[month] <= PER_MONTH:
            firm = firm_words(model, int(ev["firm"][i]), lang)
            lines.append(line(month, tr("feed.event", lang, firm=firm, what=what)))
    for month, n in per_month.items():
        if n > PER_MONTH:
            more = n - PER_MONTH
            key = "feed.more" if more > 1 else "feed.one_more"
            lines.append(line(month, tr(key, lang, n=more)))
    for month, n in broken.items():
        lines.append(line(month, tr("feed.broken" if n != 1 else "feed.broken_one", lang, n=n)))
    return lines


def city_news(
    model: AttractionModel, month: int, turnovers_before: int, lang: str = "en"
) -> list[str]:
    """Lines for the month's promotion conferences and changes of city leader."""
    lines = []
    date = month_label(model.world.date(month), lang)
    for conf in model.conferences_by_month.get(month, []):
        if conf["city"] != model.world.focus:
            continue
        spec = model.spec.conferences[conf["id"]]
        result = model.conference_results.get(conf["id"], {})
        intentions = result.get("intentions")
        told = tr("feed.told", lang, n=intentions) if intentions is not None else ""
        place = (spec.place_zh if lang == "zh" else "") or spec.place
        place = place or region_words(model, conf["region"], lang)
        text = tr("feed.conference", lang, place=place, n=conf["invitees"], told=told)
        lines.append(tr("feed.line", lang, date=date, text=text))
    changes = int(model.cities.turnovers[model.world.focus]) - turnovers_before
    if changes > 0:
        lines.append(tr("feed.line", lang, date=date, text=term("feed.new_leader", lang)))
    return lines
