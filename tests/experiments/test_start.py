"""The command line starts fast: ``--help`` and ``validate`` load neither Mesa, Numba nor the model.

Each check runs in a fresh interpreter and lists the heavy modules it finds in ``sys.modules``
afterwards, so an eager import anywhere on the way (a package ``__init__``, a command module)
makes it fail.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

#: Modules that cost most of a second to import, and are not needed to show help or validate.
HEAVY = ("mesa", "numba", "zhaoshang.model", "zhaoshang.agents", "matplotlib", "scipy", "pandas")


def heavy_after(code: str) -> list[str]:
    """Run ``code`` in a fresh interpreter; the heavy modules it imported."""
    probe = (
        f"{code}\nimport json, sys\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def cli(*args: str) -> str:
    """Code that runs the command line with ``args`` and keeps going after it exits."""
    return (
        "import contextlib, io\n"
        "from zhaoshang.experiments.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        f"    main({list(args)!r})"
    )


@pytest.mark.parametrize(
    "args",
    [("--help",), ("run", "--help"), ("sensitivity", "--help"), ("validate", "ruzhou-2017")],
)
def test_command_line_does_not_load_the_model(args):
    assert heavy_after(cli(*args)) == []


def test_importing_the_package_is_lazy_and_its_names_still_work():
    assert heavy_after("import zhaoshang") == []
    loaded = heavy_after("import zhaoshang\nassert zhaoshang.AttractionModel.__name__")
    assert {"mesa", "zhaoshang.model"} <= set(loaded)


def test_the_probe_sees_an_eager_import():
    """The check itself can fail: importing the model is seen."""
    assert "numba" in heavy_after("import zhaoshang.model")
