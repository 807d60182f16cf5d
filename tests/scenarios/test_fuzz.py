"""Property: any mutation of a valid scenario is either valid and runs, or refused cleanly.

Hypothesis mutates the baseline scenario file in at least 500 ways (keys deleted or renamed,
values replaced by wrong types or out-of-range numbers, whole files of random bytes). Each
mutated file goes through ``zhaoshang validate`` in-process: it must exit 0 (and then the
scenario must run a few months) or exit 2 with a one-paragraph message — never a traceback
and never another exit status.
"""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhaoshang import AttractionModel, load_scenario
from zhaoshang.experiments.cli import main
from zhaoshang.scenarios.loader import LIBRARY

BASE = tomllib.loads((LIBRARY / "ruzhou-2017.toml").read_text(encoding="utf-8"))


def leaf_paths(data, prefix=()):
    for key, value in data.items():
        if isinstance(value, dict) and value:
            yield from leaf_paths(value, (*prefix, key))
        yield (*prefix, key)


PATHS = sorted(leaf_paths(BASE))

WEIRD_VALUES = st.one_of(
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.booleans(),
    st.lists(st.integers(min_value=-5, max_value=5), max_size=3),
    st.dictionaries(st.text(min_size=1, max_size=5), st.integers(), max_size=2),
    st.sampled_from([0, -1, 1.5, 1e9, "", "ruzhou", "yrd", "embroidery", "first_come"]),
)


def get_parent(data, path):
    node = data
    for key in path[:-1]:
        node = node[key]
    return node


@st.composite
def mutations(draw):
    kind = draw(st.sampled_from(["delete", "rename", "replace", "replace", "bytes"]))
    if kind == "bytes":
        return draw(st.binary(max_size=200))
    data = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        path = draw(st.sampled_from(PATHS))
        try:
            parent = get_parent(data, path)
        except (KeyError, TypeError):
            continue
        if not isinstance(parent, dict) or path[-1] not in parent:
            continue
        if kind == "delete":
            del parent[path[-1]]
        elif kind == "rename":
            suffix = draw(st.sampled_from(["_", "s", "x", "2"]))
            parent[path[-1] + suffix] = parent.pop(path[-1])
        else:
            parent[path[-1]] = draw(WEIRD_VALUES)
    try:
        return tomli_w.dumps(data).encode()
    except (TypeError, ValueError):  # a value TOML cannot hold (e.g. NaN in a key position)
        return b"title = \"unwritable mutation\"\n[pool\n"


def run_cli(args, capsys) -> tuple[int, str]:
    try:
        main(args)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@settings(max_examples=520, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(content=mutations())
def test_mutated_scenarios_are_valid_or_refused_cleanly(content, tmp_path_factory, capsys):
    folder = Path(tmp_path_factory.mktemp("fuzz"))
    path = folder / "mutant.toml"
    path.write_bytes(content)
    code, text = run_cli(["validate", str(path)], capsys)
    assert "Traceback" not in text
    assert code in (0, 2), text
    if code == 2:
        assert text.startswith("error: ") and text.strip().count("\n") == 0
        return
    scenario = load_scenario(path, {"pool.firms": 2000, "time.months": 2})
    model = AttractionModel(scenario, rng=1, firm_agents=False)
    model.run_for(2)
    assert model.month == 2


def test_fuzz_strategy_produces_both_outcomes(tmp_path, capsys):
    """The mutations are not all trivially invalid: a renamed title key is refused, a tweak
    within range is accepted."""
    ok = copy.deepcopy(BASE)
    ok["governments"]["ruzhou"]["service"]["quality"] = 0.7
    path = tmp_path / "ok.toml"
    path.write_bytes(tomli_w.dumps(ok).encode())
    assert run_cli(["validate", str(path)], capsys)[0] == 0
    bad = copy.deepcopy(BASE)
    bad["titel"] = bad.pop("title")
    path.write_bytes(tomli_w.dumps(bad).encode())
    assert run_cli(["validate", str(path)], capsys)[0] == 2


if __name__ == "__main__":  # pragma: no cover
    pytest.main([__file__, "-q"])
