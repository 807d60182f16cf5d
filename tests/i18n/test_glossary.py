"""The glossary: one source for every term, in both languages, with docs/glossary.md current.

The label test walks the code that draws figures, writes the report and prints the CLI's
tables, and collects every glossary key it names (``term("...")``, ``tr("...")`` and the
prefixed families such as ``kpi.<id>``); it fails if one is missing in either language.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from zhaoshang import i18n
from zhaoshang.experiments.figures.forest import KPI_UNITS
from zhaoshang.experiments.figures.funnel import FUNNEL_KEYS
from zhaoshang.experiments.figures.kinds import KINDS
from zhaoshang.experiments.figures.series import SERIES
from zhaoshang.experiments.outputs.report import MORE_KPIS, PARK_COLUMNS, PROVENANCE
from zhaoshang.experiments.outputs.run_folder import SUMMARY
from zhaoshang.model.state.codes import CHANNEL_NAMES, Channel
from zhaoshang.scenarios.loader import LIBRARY, library_names, read_toml
from zhaoshang.ui.app import HEADLINES
from zhaoshang.ui.feed import CHANNEL_WORDS, SCREEN_WORDS
from zhaoshang.ui.levers import LEVERS, available_toggles

ROOT = Path(__file__).resolve().parents[2]
#: Folders whose code shows words to people.
USERS = ["experiments", "ui", "zhaoshang"]
CALL = re.compile(r"""\b(?:term|tr|has_term)\(\s*(?:f?)["']([a-z_][\w.]*)["']""")


def used_keys() -> set[str]:
    """Every literal glossary key named in the code, plus the keys built from ids."""
    keys = set()
    for folder in USERS:
        for path in (ROOT / folder).rglob("*.py"):
            keys |= set(CALL.findall(path.read_text(encoding="utf-8")))
    keys |= {f"kpi.{k}" for k, _, _ in SUMMARY} | {f"kpi.{k}" for k, _, _ in MORE_KPIS}
    keys |= {f"kpi.{s.kpi}" for s in SERIES.values()} | {f"kpi.{k}" for k in KPI_UNITS}
    keys |= {f"unit.{u}" for u, _ in KPI_UNITS.values() if u != "money"}
    keys |= {f"unit.{s.unit}" for s in SERIES.values() if s.unit != "money"}
    keys |= {f"stage.{k}" for k in FUNNEL_KEYS} | {f"stage_short.{k}" for k in FUNNEL_KEYS}
    keys |= {f"channel.{c}" for k, c in enumerate(CHANNEL_NAMES) if k != Channel.NONE}
    keys |= {f"kind.{k}" for k in KINDS} | {f"report.prov.{k}" for k in PROVENANCE}
    keys |= {f"report.park.{k}" for k, _ in PARK_COLUMNS} | {"report.park.park"}
    keys |= {q for _, quals, _ in [*SUMMARY, *MORE_KPIS] for q in quals}
    keys |= {key for sizes in i18n.MONEY_UNITS.values() for key, _ in sizes.values()}
    keys |= {f"{t.library_name.split('/')[0].rstrip('s')}."
             f"{t.library_name.split('/')[1].replace('-', '_')}" for t in available_toggles()}
    keys |= {f"lever.{lever.name}" for lever in LEVERS} | {"page.by_scenario", "page.by_slider"}
    keys |= {f"feed.how.{w}" for w in CHANNEL_WORDS.values()}
    keys |= {f"feed.screen.{w}" for w in SCREEN_WORDS.values()}
    keys |= {f"kpi.{name}" for name, _ in HEADLINES}
    keys |= {f"unit.{u}" for _, u in HEADLINES if u not in (None, "money")}
    return {k for k in keys if not k.endswith(".")}


def test_every_label_in_use_has_both_translations():
    glossary = i18n.glossary()
    missing = sorted(k for k in used_keys() if k not in glossary)
    assert not missing, f"labels without a glossary entry (en and zh): {missing}"
    for key in used_keys():
        assert glossary[key]["en"] and glossary[key]["zh"], key


def test_the_label_check_sees_keys_in_code():
    keys = used_keys()
    # literal keys from several modules and families built from ids
    assert {"fig.funnel.title", "summary.results_in", "report.scenario"} <= keys
    assert {"kpi.contracts", "stage.entries", "channel.office", "kind.funnel"} <= keys
    assert len(keys) > 150


def test_chinese_terms_are_chinese():
    """A zh text that equals its en text (other than symbols and formats) is untranslated."""
    same = [
        k
        for k, v in i18n.glossary().items()
        if v["en"] == v["zh"] and re.search(r"[A-Za-z]{3,}", v["en"]) and "%" not in v["en"]
    ]
    assert not same, f"not translated: {same}"


def test_funnel_stages_and_the_seeds_words():
    stages = [i18n.term(f"stage.{k}", "zh") for k in FUNNEL_KEYS]
    assert [s[:2] for s in stages] == ["接触", "考察", "意向", "签约", "开工", "投产"]
    assert i18n.term("ill.turnover_default", "zh") == "新官不理旧账"
    assert i18n.term("ill.lax_land", "zh") == "土地管理不严"
    assert "择优引资" in i18n.term("reform.selective", "zh")


def test_term_raises_naming_the_key():
    with pytest.raises(KeyError, match=r"no\.such\.key"):
        i18n.term("no.such.key")


def test_malformed_glossary_files_are_refused(tmp_path, monkeypatch):
    (tmp_path / "a.toml").write_text('[x.y]\nen = "A {n}"\nzh = "甲"\n', encoding="utf-8")
    monkeypatch.setattr(i18n, "GLOSSARY_DIR", tmp_path)
    i18n.glossary.cache_clear()
    try:
        with pytest.raises(i18n.GlossaryError, match="placeholders"):
            i18n.glossary()
        (tmp_path / "a.toml").write_text('[x.y]\nen = "A"\n', encoding="utf-8")
        i18n.glossary.cache_clear()
        with pytest.raises(i18n.GlossaryError, match="exactly en and zh"):
            i18n.glossary()
        (tmp_path / "a.toml").write_text('[x.y]\nen = "A"\nzh = "甲"\n', encoding="utf-8")
        (tmp_path / "b.toml").write_text('[x.y]\nen = "B"\nzh = "乙"\n', encoding="utf-8")
        i18n.glossary.cache_clear()
        with pytest.raises(i18n.GlossaryError, match=r"both a\.toml and b\.toml"):
            i18n.glossary()
    finally:
        monkeypatch.undo()
        i18n.glossary.cache_clear()


def test_docs_glossary_is_current():
    text = (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8")
    assert text == i18n.glossary_markdown(), "run `python docs/generate.py` to refresh it"


def test_default_language_from_the_environment_and_locale(monkeypatch):
    for name in ("ZHAOSHANG_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    assert i18n.default_lang() == "en"
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert i18n.default_lang() == "zh"
    monkeypatch.setenv("LC_ALL", "en_GB.UTF-8")
    assert i18n.default_lang() == "en"
    monkeypatch.setenv("ZHAOSHANG_LANG", "zh")
    assert i18n.default_lang() == "zh"
    monkeypatch.setenv("ZHAOSHANG_LANG", "fr")
    from zhaoshang.scenarios.errors import InputError

    with pytest.raises(InputError, match="ZHAOSHANG_LANG"):
        i18n.default_lang()


def test_set_lang_switches_the_process_and_using_restores_it():
    try:
        i18n.set_lang("zh")
        assert i18n.term("kpi.jobs") == "就业岗位"
        with i18n.using("en"):
            assert i18n.term("kpi.jobs") == "Jobs"
        assert i18n.get_lang() == "zh"
    finally:
        i18n.set_lang(None)


def test_chinese_number_conventions():
    assert i18n.money(1.2345e9, "large", "zh") == "12.35亿元"
    assert i18n.money(1.2345e9, "large", "en") == "1.23 bn yuan"
    assert i18n.money(5.0e6, "medium", "zh") == "500.00万元"
    assert i18n.month_label("2017-03", "zh") == "2017年3月"
    assert i18n.month_label("2017-03", "en") == "2017-03"
    assert i18n.period("2017-01", "2026-12", "zh") == "2017年1月至2026年12月"
    assert i18n.number(1234567) == "1,234,567"


def test_names_in_chinese_fall_back_to_english():
    spec = {"name": "Ruzhou", "name_zh": "汝州"}
    assert i18n.name_of(spec, "ruzhou", "zh") == "汝州"
    assert i18n.name_of(spec, "ruzhou", "en") == "Ruzhou"
    assert i18n.name_of({"name": "Xuchang"}, "xuchang", "zh") == "Xuchang"
    assert i18n.name_of({}, "xuchang", "zh") == "xuchang"


def test_shipped_scenarios_name_everything_in_chinese():
    """Every named sector, region, city, park, conference and programme has its Chinese name."""
    missing = []
    for name in library_names():
        data = read_toml(LIBRARY / f"{name}.toml")
        if data.get("title") and not data.get("title_zh"):
            missing.append(f"{name}: title_zh")
        for group in ("sectors", "regions", "governments", "parks"):
            for ident, spec in (data.get(group) or {}).items():
                if spec.get("name") and not spec.get("name_zh"):
                    missing.append(f"{name}: {group}.{ident}.name_zh")
        for ident, spec in (data.get("conferences") or {}).items():
            if spec.get("place") and not spec.get("place_zh"):
                missing.append(f"{name}: conferences.{ident}.place_zh")
        programme = data.get("programme") or {}
        if programme.get("name") and not programme.get("name_zh"):
            missing.append(f"{name}: programme.name_zh")
    assert not missing, missing


def test_chinese_names_are_validated_like_every_field():
    from zhaoshang.scenarios.errors import InputError
    from zhaoshang.scenarios.loader import load_scenario

    with pytest.raises(InputError, match=r"conferences\.shaoxing_2017\.place_zh"):
        load_scenario("ruzhou-2017", {"conferences.shaoxing_2017.place_zh": 3})
