"""The page's controls: policy levers (sliders), the five ills and five reforms (toggles).

A lever is one parameter of the focus government (``governments.<focus>.<path>``). A toggle
names a library scenario (``ills/lax-land``, ``reforms/service``, ...); switching it on applies
the keys that file sets itself, so the library stays the one source of truth for what an ill or
a reform means.

Order of application when a model is built: the chosen scenario, then the command line's
``--set`` overrides, then the toggles that are on (ills first, then reforms, each in the order
below), then every slider that was moved away from where it started.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from ..i18n import get_lang, has_term, term
from ..scenarios import Scenario, ScenarioError, load_scenario
from ..scenarios.loader import LIBRARY, library_names, parse_override, read_toml

#: Keys of a scenario file that describe it rather than set a parameter.
METADATA = frozenset({"title", "title_zh", "description", "source", "extends"})

#: The five ills and five reforms of the seed, as (library name, label if the file has no title).
ILLS = (
    ("ills/turnover-default", "Ill 1: new officials ignore old accounts"),
    ("ills/no-aftercare", "Ill 2: attraction without aftercare"),
    ("ills/rent-seeking", "Ill 3: rent-seeking instead of service"),
    ("ills/weak-competition", "Ill 4: weak competition"),
    ("ills/lax-land", "Ill 5: lax land management"),
)
REFORMS = (
    ("reforms/proactive", "Reform 1: proactive outreach"),
    ("reforms/mutual-benefit", "Reform 2: mutual benefit"),
    ("reforms/service", "Reform 3: administration plus service"),
    ("reforms/professional", "Reform 4: professional attraction staff"),
    ("reforms/selective", "Reform 5: selective attraction"),
)


def toggle_param(library_name: str) -> str:
    """Model keyword of a toggle: ``ills/lax-land`` -> ``ill_lax_land``."""
    group, _, name = library_name.partition("/")
    return f"{group.rstrip('s')}_{name.replace('-', '_')}"


@dataclass(frozen=True)
class Lever:
    """A slider or checkbox for one parameter of the focus government."""

    name: str  # keyword of the model; its label is the glossary's ``lever.<name>``
    path: str  # dotted path below governments.<focus>
    kind: str  # SliderInt, SliderFloat or Checkbox
    low: float = 0.0
    high: float = 1.0
    step: float = 0.05

    @property
    def label(self) -> str:
        """The control's label in the current language."""
        return term(f"lever.{self.name}")

    def read(self, scenario: Scenario) -> Any:
        """The lever's value in a scenario (resident offices: those listed if not set)."""
        node: Any = scenario.governments[scenario.focus]
        for key in self.path.split("."):
            node = getattr(node, key)
        if node is None and self.name == "office_count":
            node = sum(o.government == scenario.focus for o in scenario.offices.values())
        return node

    def control(self, value: Any) -> dict[str, Any]:
        """The Mesa ``model_params`` entry for this lever, starting at ``value``."""
        entry: dict[str, Any] = {"type": self.kind, "label": self.label, "value": value}
        if self.kind != "Checkbox":
            entry.update(min=self.low, max=self.high, step=self.step)
        return entry


LEVERS = (
    Lever("office_count", "outreach.office_count", "SliderInt", 0, 15, 1),
    Lever("land_discount", "incentives.land_discount", "SliderFloat"),
    Lever("tax_rebate", "incentives.tax_rebate", "SliderFloat"),
    Lever("service_quality", "service.quality", "SliderFloat"),
    Lever("selectivity", "selectivity.enabled", "Checkbox"),
    Lever("max_pollution", "selectivity.max_pollution", "SliderFloat", 0.2, 3.0, 0.1),
    Lever("min_tech", "selectivity.min_tech", "SliderFloat"),
    Lever("land_enforcement", "land.enforcement", "Checkbox"),
    Lever("tenure_years", "governance.tenure_years", "SliderFloat", 1.0, 10.0, 0.5),
    Lever("honour_probability", "governance.honour_probability", "SliderFloat"),
)
LEVER_BY_NAME = {lever.name: lever for lever in LEVERS}


@dataclass(frozen=True)
class Toggle:
    """An ill or a reform that can be switched on: a library scenario's own settings."""

    library_name: str
    label: str
    title_zh: str
    overrides: tuple[tuple[str, Any], ...]

    @property
    def param(self) -> str:
        """Model keyword of the toggle."""
        return toggle_param(self.library_name)

    @property
    def control_label(self) -> str:
        """Label of the toggle's checkbox: the file's title, in English and Chinese.

        In Chinese, the Chinese title alone (the seed's own words).
        """
        if get_lang() == "zh":
            group, _, name = self.library_name.partition("/")
            key = f"{group.rstrip('s')}.{name.replace('-', '_')}"  # the seed's own words
            return term(key) if has_term(key) else self.title_zh or self.label
        return self.label + (f" ({self.title_zh})" if self.title_zh else "")


def _leaves(data: Mapping[str, Any], prefix: str = "") -> Iterable[tuple[str, Any]]:
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            yield from _leaves(value, f"{path}.")
        else:
            yield path, value


def file_overrides(library_name: str) -> tuple[tuple[str, Any], ...]:
    """The parameters a library file sets itself, as (dotted path, value) pairs."""
    data = read_toml(LIBRARY / f"{library_name}.toml")
    return tuple(
        (path, value)
        for key, value in data.items()
        if key not in METADATA
        for path, value in _leaves({key: value})
    )


@cache
def available_toggles() -> tuple[Toggle, ...]:
    """The ills and reforms whose library files exist, in the order of the seed."""
    names = set(library_names())
    out = []
    for library_name, label in (*ILLS, *REFORMS):
        if library_name in names:
            data = read_toml(LIBRARY / f"{library_name}.toml")
            title = str(data.get("title") or label)
            out.append(
                Toggle(
                    library_name, title, str(data.get("title_zh", "")), file_overrides(library_name)
                )
            )
    return tuple(out)


def parse_overrides(texts: Iterable[str]) -> dict[str, Any]:
    """``["a.b=1", ...]`` as a mapping from dotted path to value (TOML literals)."""
    out = {}
    for text in texts:
        keys, value = parse_override(text)
        out[".".join(keys)] = value
    return out


def same(a: Any, b: Any) -> bool:
    """Whether two control values are equal (floats up to slider rounding)."""
    if isinstance(a, float) or isinstance(b, float):
        try:
            return math.isclose(float(a), float(b), abs_tol=1e-9)
        except (TypeError, ValueError):
            return False
    return a == b


@dataclass
class Settings:
    """What the page asks for: a scenario, a seed, toggles and lever values."""

    scenario_name: str = "ruzhou-2017"
    seed: int = 1
    base_overrides: tuple[str, ...] = ()
    toggles: tuple[str, ...] = ()  # library names of the ills and reforms switched on
    levers: tuple[tuple[str, Any], ...] = ()  # (lever name, value) of the sliders that apply

    @property
    def reference_key(self) -> tuple:
        """Identifies the reference run: the scenario as shipped, same seed and ``--set``."""
        return (self.scenario_name, self.seed, self.base_overrides)


@dataclass
class Resolved:
    """The scenario built from :class:`Settings`, and where each lever's value came from."""

    scenario: Scenario
    sources: dict[str, str]  # lever name -> "scenario", a toggle's library name, or "slider"
    problem: str | None = None


def foreign_governments(toggle: Toggle, scenario: Scenario) -> list[str]:
    """Governments a toggle's file sets parameters of that ``scenario`` does not have."""
    named = {path.split(".")[1] for path, _ in toggle.overrides if path.startswith("governments.")}
    return sorted(named - set(scenario.governments))


def resolve_settings(settings: Settings) -> Resolved:
    """Build the scenario of ``settings``, leaving out what does not fit it (and saying so).

    A toggle made for a city the scenario does not have (an ill of Ruzhou on the Hebei
    scenario) is left out; if the rest still cannot be applied, the scenario runs as shipped.

    Raises:
        ScenarioError: If the scenario itself (with the ``--set`` overrides) is invalid.
    """
    base = parse_overrides(settings.base_overrides)
    plain = load_scenario(settings.scenario_name, base)
    prefix = f"governments.{plain.focus}."
    overrides = dict(base)
    sources = {lever.name: "scenario" for lever in LEVERS}
    notes = []
    by_name = {t.library_name: t for t in available_toggles()}
    for name in settings.toggles:
        foreign = foreign_governments(by_name[name], plain)
        if foreign:
            notes.append(f"{name} is about {', '.join(foreign)}, which this scenario does not have")
            continue
        for path, value in by_name[name].overrides:
            overrides[path] = value
            for lever in LEVERS:
                if path == prefix + lever.path:
                    sources[lever.name] = name
    for lever_name, value in settings.levers:
        overrides[prefix + LEVER_BY_NAME[lever_name].path] = value
        sources[lever_name] = "slider"
    try:
        scenario = load_scenario(settings.scenario_name, overrides)
    except ScenarioError as exc:
        notes.append(f"the toggles and sliders could not be applied ({exc.message})")
        scenario, sources = plain, {lever.name: "scenario" for lever in LEVERS}
    return Resolved(scenario, sources, "; ".join(notes) or None)


def model_params(
    scenario_name: str, seed: int = 1, base_overrides: Iterable[str] = ()
) -> dict[str, Any]:
    """Mesa ``model_params`` for the page: picker, seed, toggles and levers.

    Sliders start at the values of ``scenario_name``; the model applies a slider only once it
    has been moved from there (a fixed parameter, ``slider_start``, records where they started).
    """
    base = tuple(base_overrides)
    start = load_scenario(scenario_name, parse_overrides(base))
    params: dict[str, Any] = {
        "scenario_name": {
            "type": "Select",
            "label": term("page.scenario"),
            "value": scenario_name,
            "values": sorted({*library_names(), scenario_name}),
        },
        "seed": {
            "type": "SliderInt",
            "label": term("page.seed"),
            "value": seed,
            "min": 0,
            "max": 99,
            "step": 1,
        },
    }
    for toggle in available_toggles():
        params[toggle.param] = {"type": "Checkbox", "label": toggle.control_label, "value": False}
    values = {lever.name: lever.read(start) for lever in LEVERS}
    for lever in LEVERS:
        params[lever.name] = lever.control(values[lever.name])
    params["slider_start"] = tuple(values.items())
    params["base_overrides"] = base
    return params
