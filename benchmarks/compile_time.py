"""How long a researcher waits for the kernels after editing one mechanism module.

Works on a temporary copy of the package (never on this checkout, whose kernel cache stays
as it is): the copy first runs a small world until every kernel is cached, then one mechanism
module gets a comment line appended (so its sources change) and the same small world runs
again in a fresh process; a third run, fully cached, is the reference measured in the same
run. Ends with ``recompile_seconds=X``: the second run's time less the third's.

    python benchmarks/compile_time.py [--module mechanisms/fiscal.py]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: The package's folders as the installed package lays them out (``pyproject.toml``).
LAYOUT = {"": "zhaoshang", "agents": "agents", "model": "model", "scenarios": "scenarios",
          "experiments": "experiments", "ui": "ui"}
RUN = """
import sys, zhaoshang
assert zhaoshang.__file__.startswith(sys.argv[1]), zhaoshang.__file__
from zhaoshang import AttractionModel, load_scenario
scenario = load_scenario("ruzhou-2017", {"pool.firms": 2000, "time.months": 36})
model = AttractionModel(scenario, rng=1, firm_agents=False)
model.run_for(model.horizon)
model.kpis()
"""


def _copy(into: Path) -> Path:
    """A copy of the package under ``into`` (with the cached kernels, their times kept)."""
    package = into / "zhaoshang"
    shutil.copytree(ROOT / LAYOUT[""], package, ignore=shutil.ignore_patterns("*.egg-info"))
    for name, folder in LAYOUT.items():
        if name:
            shutil.copytree(ROOT / folder, package / name)
    return package


def _timed_run(into: Path) -> float:
    """Seconds of one small run of the copy in a fresh process (its stderr passed on)."""
    env = {**os.environ, "PYTHONPATH": str(into)}
    start = time.perf_counter()
    # from the copy's folder: the current folder comes first on the import path
    subprocess.run([sys.executable, "-c", RUN, str(into)], env=env, check=True, cwd=into)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--module", default="mechanisms/fiscal.py",
                        help="the module to touch, relative to model/")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="zhaoshang-compile-") as tmp:
        into = Path(tmp)
        package = _copy(into)
        first = _timed_run(into)
        touched = package / "model" / args.module
        with touched.open("a", encoding="utf-8") as out:
            out.write("# touched by benchmarks/compile_time.py\n")
        after_edit = _timed_run(into)
        cached = _timed_run(into)
    print(f"first run (cache as copied) {first:.1f} s")
    print(f"after touching model/{args.module} {after_edit:.1f} s")
    print(f"fully cached {cached:.1f} s")
    print(f"recompile_seconds={after_edit - cached:.1f}")


if __name__ == "__main__":
    main()
