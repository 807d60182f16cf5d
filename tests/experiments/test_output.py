"""Where results go: existing folders keep what is not ours, bad places exit 2 with a message."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import run_cli
from zhaoshang.experiments.outputs.folders import OutputError, atomic_dir, atomic_file

SMALL = ["--set", "pool.firms=500", "--months", "2", "--quiet", "--no-figures"]
ISHIGAMI = 'model = "ishigami"\n[design]\nmethod = "lhs"\nN = 10\n'


def folder_with_files(root: Path) -> Path:
    """A folder holding a file and a subfolder that no run writes."""
    root.mkdir()
    (root / "notes.txt").write_text("keep me")
    (root / "data").mkdir()
    (root / "data" / "survey.csv").write_text("a,b\n1,2\n")
    return root


def test_a_run_into_the_current_folder_keeps_its_files(tmp_path, monkeypatch):
    here = folder_with_files(tmp_path / "project")
    monkeypatch.chdir(here)
    assert run_cli(["run", "ruzhou-2017", *SMALL, "--out", "."]) == 0
    assert (here / "notes.txt").read_text() == "keep me"
    assert (here / "data" / "survey.csv").read_text() == "a,b\n1,2\n"
    assert (here / "kpis.json").is_file() and (here / "manifest.json").is_file()
    assert not [p for p in here.iterdir() if p.name.endswith(".tmp")]


def test_a_failed_write_into_an_existing_folder_changes_nothing(tmp_path):
    here = folder_with_files(tmp_path / "results")
    before = sorted(p.relative_to(here) for p in here.rglob("*"))
    with pytest.raises(RuntimeError), atomic_dir(here) as tmp:
        (tmp / "kpis.json").write_text("{}")
        (tmp / "notes.txt").write_text("half-written")
        raise RuntimeError("the run failed")
    assert sorted(p.relative_to(here) for p in here.rglob("*")) == before
    assert (here / "notes.txt").read_text() == "keep me"


def test_a_rerun_replaces_what_it_writes_and_keeps_the_rest(tmp_path):
    here = folder_with_files(tmp_path / "results")
    (here / "figures").mkdir()
    (here / "figures" / "funnel.svg").write_bytes(b"added by plot")
    (here / "figures" / "funnel.png").write_bytes(b"old")
    with atomic_dir(here) as tmp:
        (tmp / "figures").mkdir()
        (tmp / "figures" / "funnel.png").write_bytes(b"new")
        (tmp / "figures" / "map.png").write_bytes(b"new")
        (tmp / "notes.txt").write_text("rewritten")
    figures = here / "figures"
    assert sorted(p.name for p in figures.iterdir()) == ["funnel.png", "funnel.svg", "map.png"]
    assert (figures / "funnel.png").read_bytes() == b"new"
    assert (figures / "funnel.svg").read_bytes() == b"added by plot"
    assert (here / "notes.txt").read_text() == "rewritten"
    assert (here / "data" / "survey.csv").exists()
    assert sorted(p.name for p in here.iterdir()) == ["data", "figures", "notes.txt"]


@pytest.mark.parametrize(
    ("out", "message"),
    [
        ("afile", "exists and is not a folder"),
        ("afile/below", "afile is a file, not a folder"),
        ("/", "is the root folder"),
    ],
)
def test_run_to_a_place_that_cannot_hold_results_exits_2(tmp_path, monkeypatch, capsys, out,
                                                          message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "afile").write_text("not a folder")
    assert run_cli(["run", "ruzhou-2017", *SMALL, "--out", out]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and "Traceback" not in err
    assert (tmp_path / "afile").read_text() == "not a folder"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]


@pytest.mark.parametrize("command", ["sweep", "sensitivity"])
def test_an_experiment_into_a_file_exits_2(tmp_path, capsys, command):
    experiment = tmp_path / "exp.toml"
    experiment.write_text(ISHIGAMI)
    (tmp_path / "afile").write_text("not a folder")
    out = str(tmp_path / "afile")
    assert run_cli([command, str(experiment), "--out", out, "--quiet"]) == 2
    err = capsys.readouterr().err
    assert f"{out}: exists and is not a folder" in err and "Traceback" not in err


def test_a_store_that_is_not_a_database_exits_2(tmp_path, capsys):
    store = tmp_path / "broken"
    store.mkdir()
    (store / "store.sqlite").write_text("these bytes are not SQLite")
    assert run_cli(["export", str(store), "--out", str(tmp_path / "export")]) == 2
    err = capsys.readouterr().err
    assert "cannot be opened as an experiment store" in err and "Traceback" not in err


def test_a_file_is_not_written_over_a_folder(tmp_path):
    (tmp_path / "schema.json").mkdir()
    with pytest.raises(OutputError, match="is a folder"), atomic_file(tmp_path / "schema.json"):
        pass
    assert run_cli(["schema", "--out", str(tmp_path / "schema.json")]) == 2
    assert (tmp_path / "schema.json").is_dir()


def test_a_folder_that_cannot_be_made_is_reported():
    out = Path("/proc/zhaoshang-test/out")  # no one, not even root, makes folders in /proc
    with pytest.raises(OutputError, match="cannot write here"), atomic_dir(out):
        pass


def test_a_file_is_not_written_over_a_device(tmp_path, capsys):
    assert run_cli(["schema", "--out", "/dev/null"]) == 2
    assert "is a device, pipe or socket" in capsys.readouterr().err
    assert Path("/dev/null").is_char_device()


def test_a_bad_out_is_refused_before_the_run(tmp_path, capsys, monkeypatch):
    (tmp_path / "afile").write_text("not a folder")
    ran = []
    monkeypatch.setattr("zhaoshang.experiments.runs.run.run_model", lambda *a, **k: ran.append(1))
    assert run_cli(["run", "ruzhou-2017", *SMALL, "--out", str(tmp_path / "afile" / "x")]) == 2
    assert not ran and "afile is a file, not a folder" in capsys.readouterr().err


def test_a_run_stopped_by_sigterm_leaves_nothing_behind(tmp_path):
    """SIGTERM while the run writes its results: exit 143, no results, no temporary files."""
    exe = Path(sys.executable).parent / "zhaoshang"
    out = tmp_path / "stopped"
    proc = subprocess.Popen(
        [str(exe), "run", "ruzhou-2017", "--quiet", "--out", str(out)],
        stderr=subprocess.PIPE, text=True,
    )
    deadline = time.monotonic() + 120
    while not list(tmp_path.glob(".stopped.*.tmp")) and time.monotonic() < deadline:
        time.sleep(0.005)  # until the results start to be written
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert "Traceback" not in err and "stopped (SIGTERM): no half-written results" in err
    assert list(tmp_path.iterdir()) == []


def test_an_export_into_a_file_exits_2(tmp_path, capsys):
    experiment = tmp_path / "exp.toml"
    experiment.write_text(ISHIGAMI)
    assert run_cli(["sweep", str(experiment), "--out", str(tmp_path / "done"), "--quiet",
                    "--workers", "1"]) == 0
    capsys.readouterr()
    (tmp_path / "afile").write_text("not a folder")
    assert run_cli(["export", str(tmp_path / "done"), "--out", str(tmp_path / "afile")]) == 2
    err = capsys.readouterr().err
    assert "afile is a file, not a folder" in err and "Traceback" not in err


def test_ctrl_c_exits_130_and_says_what_was_kept(tmp_path, capsys, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("zhaoshang.experiments.runs.run.run_model", interrupted)
    assert run_cli(["run", "ruzhou-2017", *SMALL, "--out", str(tmp_path / "r")]) == 130
    err = capsys.readouterr().err
    assert "interrupted (Ctrl+C): no half-written results" in err and "Traceback" not in err
    assert not (tmp_path / "r").exists()


def test_a_run_prints_its_results_on_standard_output(tmp_path, capsys):
    """So that `zhaoshang run ... | tee log.txt` keeps the summary (progress stays on stderr)."""
    small = ["--set", "pool.firms=500", "--months", "2", "--no-figures"]
    assert run_cli(["run", "ruzhou-2017", *small, "--out", str(tmp_path / "r")]) == 0
    out, err = capsys.readouterr()
    assert "results in" in out and "seed 1" in out
    assert "results in" not in err


def test_runs_that_differ_in_their_overrides_get_their_own_default_folder():
    from zhaoshang.experiments.cli.run import default_out

    assert default_out("ruzhou-2017", 1) == Path("results/ruzhou-2017-seed1")
    quality = ["governments.ruzhou.service.quality=0.9", "time.months=60"]
    assert default_out("ills/all", 1, quality) == Path("results/ills-all-seed1-quality0.9-months60")
    assert default_out("ruzhou-2017", 1, ["governments.ruzhou.service.quality=0.8"]) != (
        default_out("ruzhou-2017", 1, ["governments.ruzhou.service.quality=0.9"])
    )
    many = [f"parks.p{i}.land_ha=1{i}" for i in range(12)]
    prefix = "ruzhou-2017-seed1-set-"
    long = default_out("ruzhou-2017", 1, many).name
    assert long.startswith(prefix) and len(long) == len(prefix) + 8
