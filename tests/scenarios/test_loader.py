"""Scenario loading: extends, overrides, and readable errors for every kind of bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from zhaoshang import ScenarioError, load_scenario
from zhaoshang.experiments.cli import main
from zhaoshang.scenarios.loader import library_names, parse_override


def write(tmp_path: Path, text: str | bytes, name: str = "s.toml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def cli(args: list[str], capsys) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exc:
        main(args)
    captured = capsys.readouterr()
    return exc.value.code, captured.out + captured.err


def test_library_contains_the_baseline():
    assert "ruzhou-2017" in library_names()


def test_baseline_matches_the_seed_facts(baseline):
    assert baseline.time.start == "2017-01" and baseline.time.months == 120
    assert set(baseline.parks) >= {"embroidery", "auto_equipment", "smart_terminals", "medical",
                                   "new_energy"}
    ruzhou_offices = [o for o in baseline.offices.values() if o.government == "ruzhou"]
    assert len(ruzhou_offices) == 5
    assert {o.region for o in ruzhou_offices} >= {"yrd", "prd"}
    assert baseline.parks["auto_equipment"].incumbents["auto_equipment"] >= 200
    assert baseline.parks["smart_terminals"].standard_buildings == 11
    assert {"shaoxing_2017", "shantou_2017", "shenzhen_2017"} <= set(baseline.conferences)
    assert baseline.conferences["shenzhen_2017"].date == "2017-11"
    assert len([g for g in baseline.governments if g != "ruzhou"]) >= 2
    assert baseline.pool.firms >= 20000
    ten = {"embroidery", "smart_terminals", "auto_equipment", "nev", "biomedicine", "equipment",
           "culture_tourism", "headquarters", "modern_agriculture", "circular_economy"}
    assert ten <= set(baseline.sectors)


def test_extends_deep_merges_and_overrides_apply(tmp_path):
    path = write(tmp_path, 'extends = "ruzhou-2017"\ntitle = "x"\n'
                           "[governments.ruzhou.service]\nquality = 0.9\n")
    s = load_scenario(path, ["pool.firms=1000", "parks.embroidery.land_ha=12.5"])
    assert s.governments["ruzhou"].service.quality == 0.9
    assert s.governments["ruzhou"].service.aftercare == 0.6  # merged, not replaced
    assert s.pool.firms == 1000 and s.parks["embroidery"].land_ha == 12.5
    assert s.title == "x"


def test_override_values_are_toml_literals():
    assert parse_override("a.b=true") == (["a", "b"], True)
    assert parse_override("a=[1, 2]") == (["a"], [1, 2])
    assert parse_override('a="text"') == (["a"], "text")
    assert parse_override("a=first_come") == (["a"], "first_come")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("[pool]\nfirms = \"many\"\n", "pool.firms"),
        ("[pool]\nfirmz = 10\n", "unknown key"),
        ("[governments.ruzhou.service]\nquality = 1.5\n", "less than or equal to 1"),
        ("[parks.embroidery]\ngovernment = \"atlantis\"\n", "names no government"),
        ("[offices.shanghai]\nregion = \"mars\"\n", "offices.shanghai.region"),
        ("[land]\nx = 1\n", "unknown key"),
        ("[governments.ruzhou.land]\nallocation = \"lottery\"\n", "first_come"),
        # the wrong kind of value: pydantic alone would read these as 1 month, true and 0.8
        ("[time]\nmonths = true\n", "time.months: must be a number, not true"),
        ("[governments.ruzhou.land]\nenforcement = \"yes\"\n", "must be true or false"),
        ("[governments.ruzhou.land]\nenforcement = 1\n", "enforcement: must be true or false"),
        ("[governments.ruzhou.service]\nquality = \"0.8\"\n", "write it without quotes"),
    ],
)
def test_bad_values_name_file_path_and_rule(tmp_path, capsys, body, expected):
    path = write(tmp_path, 'extends = "ruzhou-2017"\n' + body)
    with pytest.raises(ScenarioError) as exc:
        load_scenario(path)
    assert expected in str(exc.value)
    code, text = cli(["validate", str(path)], capsys)
    assert code == 2
    assert "Traceback" not in text and str(path) in text and expected in text
    assert text.count("\n") <= 2  # one paragraph


def test_values_of_the_right_kind_still_pass():
    """A whole float for an integer (as designs pass integer levers) and an int for a float."""
    s = load_scenario(
        "ruzhou-2017",
        {"governments.ruzhou.outreach.office_count": 3.0, "governments.ruzhou.service.quality": 1},
    )
    assert s.governments["ruzhou"].outreach.office_count == 3
    assert s.governments["ruzhou"].service.quality == 1.0
    assert load_scenario("ruzhou-2017", ["governments.ruzhou.land.enforcement=false"]).governments[
        "ruzhou"
    ].land.enforcement is False


def test_unknown_key_lists_allowed_keys(tmp_path):
    path = write(tmp_path, 'extends = "ruzhou-2017"\n[governments.ruzhou.service]\nqualty = 1\n')
    with pytest.raises(ScenarioError) as exc:
        load_scenario(path)
    text = str(exc.value)
    assert "governments.ruzhou.service.qualty" in text and "quality" in text


def test_error_names_the_file_that_set_the_value(tmp_path):
    write(tmp_path, 'extends = "ruzhou-2017"\n[pool]\nfirms = -5\n', "parent.toml")
    child = write(tmp_path, 'extends = "parent.toml"\ntitle = "child"\n', "child.toml")
    with pytest.raises(ScenarioError) as exc:
        load_scenario(child)
    assert "parent.toml" in str(exc.value) and "pool.firms" in str(exc.value)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"\xff\xfe\x00garbage", "UTF-8"),
        (b"title = \n", "not valid TOML"),
        (b"[pool\nfirms=1", "not valid TOML"),
    ],
)
def test_unreadable_files(tmp_path, capsys, content, expected):
    path = write(tmp_path, content)
    code, text = cli(["validate", str(path)], capsys)
    assert code == 2 and expected in text and "Traceback" not in text


def test_extends_cycle(tmp_path, capsys):
    write(tmp_path, 'extends = "b.toml"\n', "a.toml")
    write(tmp_path, 'extends = "a.toml"\n', "b.toml")
    code, text = cli(["validate", str(tmp_path / "a.toml")], capsys)
    assert code == 2 and "cycle" in text


def test_missing_parent_and_missing_file(tmp_path, capsys):
    path = write(tmp_path, 'extends = "no-such-scenario"\n')
    code, text = cli(["validate", str(path)], capsys)
    assert code == 2 and "no-such-scenario" in text
    code, text = cli(["validate", str(tmp_path / "absent.toml")], capsys)
    assert code == 2 and "absent.toml" in text


def test_bad_override_is_a_user_error(capsys):
    code, text = cli(["validate", "ruzhou-2017", "--set", "pool.firms"], capsys)
    assert code == 2 and "path.to.key=VALUE" in text
    code, text = cli(["validate", "ruzhou-2017", "--set", "pool.firms.x=3"], capsys)
    assert code == 2 and "not a table" in text


def test_valid_file_passes(capsys):
    code, text = cli(["validate", "ruzhou-2017"], capsys)
    assert code == 0 and text.startswith("ok:")


def test_schema_export_is_json_schema(capsys):
    import json

    with pytest.raises(SystemExit) as exc:
        main(["schema"])
    assert exc.value.code in (0, None)
    schema = json.loads(capsys.readouterr().out)
    service = schema["$defs"]["Service"]["properties"]["quality"]
    assert service["maximum"] == 1 and service["unit"] == "score 0-1" and "source" in service


@pytest.mark.parametrize(
    ("annotation", "value", "problem"),
    [
        (float | None, True, "must be a number, not true"),
        (float | None, None, None),
        (list[float], [0.1, "0.2"], "item 1: must be a number"),
        (dict[str, float], {"a": 1, "b": False}, "item 'b': must be a number, not false"),
        (tuple[int, ...], [1, 2.0], None),
        (tuple[float, bool], [1.0, 0], "item 1: must be true or false"),
        (bool | str, "text", None),
        (float | str, False, "must be a number, not false"),
        (float | None, "0.5", "write it without quotes"),
    ],
)
def test_kind_rule_looks_into_unions_and_containers(annotation, value, problem):
    from zhaoshang.scenarios.fields import type_problem

    found = type_problem(annotation, value)
    assert found is None if problem is None else problem in found


#: Tables and arrays thousands of levels deep, written every way TOML allows; 600 levels is too
#: shallow to exhaust the TOML parser's recursion but deep enough to exhaust copying and
#: validation, so it is refused by the depth check rather than by the parser.
DEEP = {
    "arrays": "v = " + "[" * 5000 + "]" * 5000,
    "inline tables": "v = " + "{ a = " * 5000 + "1" + " }" * 5000,
    "table header": "[" + ".".join(["a"] * 5000) + "]\nb = 1",
    "dotted key": ".".join(["a"] * 5000) + " = 1",
    "600 tables": "[" + ".".join(["a"] * 600) + "]\nb = 1",
    "33 arrays": "v = " + "[" * 33 + "]" * 33,
}


@pytest.mark.parametrize("body", DEEP.values(), ids=DEEP.keys())
def test_deeply_nested_scenario_is_a_user_error_naming_the_file(tmp_path, capsys, body):
    path = write(tmp_path, f'extends = "ruzhou-2017"\ntitle = "deep"\n{body}\n')
    code, text = cli(["validate", str(path)], capsys)
    assert code == 2, text
    assert text.startswith(f"error: {path}: ") and "at most 32 deep" in text
    assert "internal error" not in text and "Traceback" not in text


def test_nesting_up_to_the_limit_is_read(tmp_path):
    """32 levels are allowed: the limit refuses only what is deeper (the file then fails
    validation for its unknown key, not for its depth)."""
    path = write(tmp_path, 'title = "x"\nv = ' + "[" * 32 + "]" * 32 + "\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert "deep" not in str(info.value) and ": v: unknown key" in str(info.value)


@pytest.mark.parametrize("depth", [40, 5000])
def test_deeply_nested_override_is_a_user_error(capsys, depth):
    value = "[" * depth + "]" * depth
    code, text = cli(["validate", "ruzhou-2017", "--set", f"pool.firms={value}"], capsys)
    assert code == 2 and "--set" in text and "at most 32 deep" in text, text


@pytest.mark.parametrize("body", [DEEP["arrays"], DEEP["600 tables"]], ids=["arrays", "tables"])
def test_deeply_nested_experiment_and_targets_files_are_user_errors(tmp_path, capsys, body):
    path = write(tmp_path, f'title = "deep"\n{body}\n', name="deep.toml")
    out = tmp_path / "out"
    for args in (["sweep", str(path), "--out", str(out), "--quiet"],
                 ["calibrate", "ruzhou-2017", "--targets", str(path), "--out", str(out)]):
        code, text = cli(args, capsys)
        assert code == 2, (args, text)
        assert f"{path}: " in text and "at most 32 deep" in text, (args, text)
        assert not out.exists()
