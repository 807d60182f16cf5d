"""The pure-Python path (``NUMBA_DISABLE_JIT=1``) gives bit for bit the compiled path's KPIs.

A mechanism can then be debugged with pdb in plain Python (see docs/extending.md) and what
it shows is what the compiled model does. Both paths run ``zhaoshang run`` in a subprocess on
a small world (3,000 candidate firms, 24 months, seed 11): large enough to reach every stage
of the pipeline, every channel and contracts in several parks; the pure-Python run takes
about a minute.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

ARGS = ["run", "ruzhou-2017", "--seed", "11", "--months", "24", "--set", "pool.firms=3000",
        "--no-figures", "--quiet"]


def _kpis(tmp_path, pure_python: bool) -> dict:
    out = tmp_path / ("python" if pure_python else "compiled")
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_DISABLE_JIT"}
    if pure_python:
        env["NUMBA_DISABLE_JIT"] = "1"
    subprocess.run(
        [sys.executable, "-m", "zhaoshang", *ARGS, "--out", str(out)],
        env=env, check=True, capture_output=True, timeout=900,
    )
    return json.loads((out / "kpis.json").read_text())


@pytest.mark.slow
def test_pure_python_run_writes_the_compiled_runs_kpis(tmp_path):
    """Null: both paths give the same kpis.json (one run each, seed 11), every float exact."""
    compiled = _kpis(tmp_path, pure_python=False)
    python = _kpis(tmp_path, pure_python=True)
    assert compiled["contracts"] > 0  # the world is large enough for deals to happen
    changed = [k for k in compiled if json.dumps(compiled[k]) != json.dumps(python.get(k))]
    assert not changed, f"KPIs that differ without the compiler: {changed[:8]}"
