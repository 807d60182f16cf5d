"""Experiment files: validation, error messages, parameter types, seeds and designs."""

from __future__ import annotations

import numpy as np
import pytest
from experiment_files import write

from zhaoshang.experiments.cli import main
from zhaoshang.experiments.designs.loading import (
    DUMMY,
    ExperimentError,
    derive_seed,
    library_names,
    load_experiment,
    run_seed,
)
from zhaoshang.experiments.designs.sampling import build_design

ABM_HEAD = """
scenario = "ruzhou-2017"
[set]
"pool.firms" = 1000
"time.months" = 12
[outputs.contracts]
"""


def abm_experiment(parameter: str, body: str, head: str = ABM_HEAD) -> str:
    """A small ABM experiment varying one lever, ``body`` giving its range."""
    lever = f'[parameters."{parameter}"]\nkind = "lever"\n{body}\n'
    return f'{head}{lever}[design]\nmethod = "lhs"\nN = 10\n'


def error_of(tmp_path, text: str) -> str:
    with pytest.raises(ExperimentError) as info:
        load_experiment(write(tmp_path, text))
    return info.value.message


def test_every_shipped_experiment_loads():
    names = library_names()
    assert {"morris-levers", "sobol-levers", "selfcheck-sobol", "tiny-morris"} <= set(names)
    for name in names:
        exp = load_experiment(name)
        assert exp.parameters and exp.outputs


def test_unknown_key_names_file_path_and_allowed_keys(tmp_path):
    text = 'model = "ishigami"\nreplicats = 2\n[design]\nmethod = "lhs"\nN = 20\n'
    msg = error_of(tmp_path, text)
    assert "exp.toml" in msg and "replicats" in msg
    assert "allowed keys here" in msg and "replicates" in msg


def test_bad_method_lists_allowed_values(tmp_path):
    msg = error_of(tmp_path, 'model = "ishigami"\n[design]\nmethod = "saltelli"\nN = 8\n')
    assert "design.method" in msg
    for method in ("grid", "oat", "lhs", "morris", "sobol", "fast", "delta", "pawn"):
        assert method in msg


@pytest.mark.parametrize(
    ("design", "fragment"),
    [
        ('method = "sobol"\nN = 100', "power of 2"),
        ('method = "morris"\nN = 10\nnum_levels = 5', "even"),
        ('method = "fast"\nN = 64', "4 M^2"),
        ('method = "grid"\nN = 64', "not used by grid"),
        ('method = "lhs"', "needs N"),
        (
            'method = "morris"\nN = 4\n[parameters.x1]\nkind = "uncertainty"\n'
            'distribution = "normal"\nmean = 0\nsd = 1',
            "unbounded",
        ),
    ],
)
def test_design_settings_are_checked(tmp_path, design, fragment):
    msg = error_of(tmp_path, f'model = "ishigami"\n[design]\n{design}\n')
    assert fragment in msg and ("design." in msg or "distribution" in msg)


def test_unknown_scenario_path_lists_the_keys_allowed_there(tmp_path):
    msg = error_of(
        tmp_path,
        abm_experiment("governments.ruzhou.service.qualty", "bounds = [0, 1]"),
    )
    assert 'parameters."governments.ruzhou.service.qualty"' in msg
    assert "quality" in msg and "aftercare" in msg


def test_unknown_collection_id_lists_defined_ids(tmp_path):
    msg = error_of(
        tmp_path,
        abm_experiment("governments.luoyang.service.quality", "bounds = [0, 1]"),
    )
    assert "luoyang" in msg and "ruzhou" in msg and "zhengzhou" in msg


def test_bounds_outside_the_scenario_schema_are_refused_before_running(tmp_path):
    msg = error_of(
        tmp_path,
        abm_experiment("governments.ruzhou.incentives.land_discount", "bounds = [0.5, 1.5]"),
    )
    assert "bounds" in msg and "1.5" in msg and "less than or equal to 1" in msg


def test_unknown_kpi_lists_available_kpis(tmp_path):
    text = ABM_HEAD.replace("[outputs.contracts]", "[outputs.contrcts]")
    msg = error_of(
        tmp_path, abm_experiment("governments.ruzhou.service.quality", "bounds = [0, 1]", text)
    )
    assert "contrcts" in msg and "contracts" in msg and "entries" in msg


def test_kind_is_required_and_checked(tmp_path):
    msg = error_of(
        tmp_path, 'model = "ishigami"\n[parameters.x1]\nkind = "policy"\n[design]\n'
        'method = "lhs"\nN = 10\n',
    )  # fmt: skip
    assert "parameters.x1.kind" in msg and "lever" in msg and "uncertainty" in msg


def test_integer_booleans_and_choices_resolve_from_the_schema(tmp_path):
    exp = load_experiment(
        write(
            tmp_path,
            ABM_HEAD
            + """
            [parameters.governments.ruzhou.outreach.office_count]
            kind = "lever"
            bounds = [0, 8]
            [parameters."governments.ruzhou.land.enforcement"]
            kind = "lever"
            [parameters."governments.ruzhou.land.allocation"]
            kind = "lever"
            values = ["first_come", "merit"]
            [design]
            method = "lhs"
            N = 10
            """,
        )
    )
    offices, enforcement, allocation = exp.parameters
    assert offices.name == "governments.ruzhou.outreach.office_count"  # unquoted dotted key
    assert offices.type == "int" and offices.problem_bounds == (-0.5, 8.5)
    assert [offices.apply(x) for x in (-0.5, 0.49, 0.51, 7.6, 8.5)] == [0, 0, 1, 8, 8]
    assert enforcement.values == (False, True)
    assert [enforcement.apply(x) for x in (0.0, 0.499, 0.5, 1.0)] == [False, False, True, True]
    assert allocation.apply(0.2) == "first_come" and allocation.apply(0.7) == "merit"


def test_integer_rounding_gives_every_integer_the_same_mass(tmp_path):
    """Null: sampling [low - 0.5, high + 0.5] and rounding puts mass 1/9 on each of 0..8.

    Checked exactly on a fine uniform grid of 90,000 design values (no randomness)."""
    exp = load_experiment(
        write(
            tmp_path,
            abm_experiment("governments.ruzhou.outreach.office_count", "bounds = [0, 8]"),
        )
    )
    (p,) = exp.parameters
    lo, hi = p.problem_bounds
    grid = lo + (np.arange(90_000) + 0.5) / 90_000 * (hi - lo)
    counts = np.bincount([p.apply(x) for x in grid])
    assert counts.tolist() == [10_000] * 9


def test_bad_integer_bounds_and_bool_ranges(tmp_path):
    msg = error_of(
        tmp_path,
        abm_experiment("governments.ruzhou.outreach.office_count", "bounds = [0.5, 3]"),
    )
    assert "whole-number bounds" in msg
    msg = error_of(
        tmp_path,
        abm_experiment("governments.ruzhou.land.allocation", ""),
    )
    assert "first_come" in msg and "merit" in msg


def test_cli_reports_a_bad_experiment_in_one_paragraph_with_exit_2(tmp_path, capsys):
    path = write(tmp_path, 'model = "ishigami"\n[design]\nmethod = "sobol"\nN = 100\n')
    with pytest.raises(SystemExit) as info:
        main(["sensitivity", str(path), "--out", str(tmp_path / "out"), "--quiet"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and str(path) in err and "design.N" in err
    assert "Traceback" not in err and err.count("\n") == 1
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ('model = "ishigami"\nreplicates = 0\n[design]\nmethod = "lhs"\nN = 8\n', "replicates"),
        ('model = "ishigami"\nseed = "zero"\n[design]\nmethod = "lhs"\nN = 8\n', "seed"),
    ],
)
def test_a_schema_error_names_the_file_and_field_once(tmp_path, capsys, text, field):
    path = write(tmp_path, text)
    with pytest.raises(SystemExit) as info:
        main(["sweep", str(path), "--out", str(tmp_path / "out"), "--quiet"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {path}: {field}: ")
    assert err.count(str(path)) == 1 and err.count(f"{field}:") == 1


def test_seed_zero_is_a_real_seed():
    assert run_seed(0, 3, 1) == run_seed(0, 3, 1)
    assert run_seed(0, 3, 1) != run_seed(1, 3, 1)
    assert len({run_seed(0, p, r) for p in range(50) for r in range(4)}) == 200
    assert run_seed(0, 3, 1, common=True) == run_seed(0, 7, 1, common=True)
    seeds = [derive_seed(m, tag) for m in range(200) for tag in range(4)]
    assert min(seeds) >= 1 and len(set(seeds)) == len(seeds)


def test_designs_have_the_documented_shapes(tmp_path):
    def design(method_lines: str):
        exp = load_experiment(write(tmp_path, f'model = "ishigami"\n[design]\n{method_lines}\n'))
        return build_design(exp)

    sobol = design('method = "sobol"\nN = 16')
    assert sobol.names[-1] == DUMMY and sobol.X.shape == (16 * (4 + 2), 4)
    assert [n for n, _ in sobol.prefixes()] == [4, 8, 16]
    sobol2 = design('method = "sobol"\nN = 16\ncalc_second_order = true')
    assert sobol2.X.shape == (16 * (2 * 4 + 2), 4)
    morris = design('method = "morris"\nN = 8\nnum_levels = 6')
    assert morris.X.shape == (8 * 5, 4)
    assert max(len(np.unique(morris.X[:, j])) for j in range(4)) <= 6
    grid = design('method = "grid"\nlevels = 3')
    assert grid.X.shape == (27, 3) and not grid.has_dummy
    oat = design('method = "oat"\nlevels = 3')
    assert oat.X.shape == (1 + 4 * 2, 4)  # baseline + two off-baseline levels per column
    assert np.allclose(oat.X[0, :3], 0.0)  # Ishigami inputs' middle
    again = design('method = "sobol"\nN = 16')
    assert np.array_equal(again.X, sobol.X)  # the design is reproducible from the seed


def test_a_parameter_given_twice_is_refused(tmp_path):
    text = (
        'model = "ishigami"\n[parameters.x1]\nkind = "uncertainty"\nbounds = [0, 1]\n'
        '[parameters."a.b"]\nkind = "lever"\nbounds = [0, 1]\n'
        '[parameters.a]\nb = {kind = "lever", bounds = [5, 6]}\n'
        '[design]\nmethod = "lhs"\nN = 10\n'
    )
    msg = error_of(tmp_path, text)
    assert "parameters.a.b" in msg and "defined twice" in msg
