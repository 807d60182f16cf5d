"""Regenerate the figure gallery: ``docs/figures.md`` and its images in ``docs/figures/``.

Every figure kind is drawn from the Ruzhou baseline: one run (seed 7), replicate time series
(10 seeds), a paired comparison with the five reforms and the five ills (10 replicates), and the
shipped tiny Morris screening. It takes a few minutes on two cores::

    .venv/bin/python docs/make_gallery.py [--replicates 10] [--workers 2]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from zhaoshang.experiments import figures
from zhaoshang.experiments.figures import KINDS, ResultsFolder
from zhaoshang.experiments.outputs.folders import write_text
from zhaoshang.experiments.runs.run import build_model, run_model, timeseries

DOCS = Path(__file__).resolve().parent
IMAGES = DOCS / "figures"
ROOT = DOCS.parent
SCENARIO, SEED = "ruzhou-2017", 7
COMPARED = ["ruzhou-2017", "reforms/all", "ills/all"]
MORRIS = ROOT / "experiments" / "library" / "tiny-morris.toml"
DPI = 150  # `zhaoshang plot` writes 300 dpi; the gallery keeps the repository small


def zhaoshang(*args: str) -> None:
    """Run a command of the project's command line, stopping on failure."""
    command = [sys.executable, "-m", "zhaoshang.experiments.cli", *args]
    print("$ zhaoshang", " ".join(args), flush=True)
    subprocess.run(command, check=True, cwd=ROOT)


def replicate_series(replicates: int) -> pd.DataFrame:
    """Monthly series of the baseline over replicate seeds drawn from one master seed."""
    seeds = [int(s.generate_state(1)[0]) for s in np.random.SeedSequence(SEED).spawn(replicates)]
    frames = []
    for r, seed in enumerate(seeds):
        model = run_model(build_model(SCENARIO, None, seed, firm_agents=False))
        frames.append(timeseries(model).assign(replicate=r))
    return pd.concat(frames, ignore_index=True)


def main() -> None:
    """Run the baseline experiments, draw every figure kind and write the gallery page."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    clock = time.perf_counter()
    IMAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        run, compare, morris = Path(tmp, "run"), Path(tmp, "compare"), Path(tmp, "morris")
        zhaoshang(
            "run", SCENARIO, "--seed", str(SEED), "--out", str(run), "--quiet", "--no-figures"
        )
        zhaoshang(
            "compare",
            *COMPARED,
            "--replicates",
            str(args.replicates),
            "--seed",
            str(SEED),
            "--workers",
            str(args.workers),
            "--out",
            str(compare),
            "--quiet",
        )
        zhaoshang("sensitivity", str(MORRIS), "--workers", str(args.workers), "--out", str(morris))
        entries: dict[str, list[tuple[str, str]]] = {}
        sources = {"run": run, "compare": compare, "sensitivity": morris}
        for label, path in sources.items():
            folder = ResultsFolder(path)
            for name, fig in figures.draw(folder):
                kind = name if name in KINDS else next(k for k in KINDS if name.startswith(k))
                figures.save(fig, IMAGES / name, ["png"], dpi=DPI)
                entries.setdefault(kind, []).append((name, label))
        print("replicate series", flush=True)
        data = replicate_series(args.replicates)
        source = f"Zhaoshang: {SCENARIO}, {args.replicates} seeds from master seed {SEED}"
        figures.save(
            figures.kpi_series(data, source=source),
            IMAGES / "kpi_series_replicates",
            ["png"],
            dpi=DPI,
        )
        entries["kpi_series"].append(("kpi_series_replicates", "replicates"))
    write_text(DOCS / "figures.md", page(entries, args.replicates))
    print(f"wrote {DOCS / 'figures.md'} and {IMAGES}/ in {time.perf_counter() - clock:.0f} s")


ORIGIN = {
    "run": f"`zhaoshang run {SCENARIO} --seed {SEED}`",
    "compare": "`zhaoshang compare " + " ".join(COMPARED) + f" --replicates N --seed {SEED}`",
    "sensitivity": f"`zhaoshang sensitivity {MORRIS.relative_to(ROOT)}` (a tiny screening on a "
    "small world: not a result to quote)",
    "replicates": f"{SCENARIO} run with N seeds spawned from master seed {SEED} "
    "(`numpy.random.SeedSequence`)",
}


def page(entries: dict[str, list[tuple[str, str]]], replicates: int) -> str:
    """The gallery page in Markdown."""
    lines = [
        "# Figure gallery",
        "",
        "Every figure kind, drawn from the Ruzhou baseline. Regenerate this page and its images",
        "with `.venv/bin/python docs/make_gallery.py` (a few minutes).",
        "",
        "Any results folder can be redrawn without rerunning anything:",
        "`zhaoshang plot RESULTS_DIR [--kind KIND ...] [--format png|svg|pdf]` writes PNG at",
        "300 dpi (SVG or PDF on request) into `RESULTS_DIR/figures/`; `--kind list` shows the",
        "kinds a folder can draw. `zhaoshang report RESULTS_DIR [--out report.html] [--pdf]`",
        "puts them all in one self-contained HTML file (or a PDF). In Python each figure is a",
        "function of `zhaoshang.experiments.figures` that returns a matplotlib `Figure`.",
        "",
        "All figures share one style (`figures.style()`): the Okabe-Ito colour-blind-safe",
        "palette, units and calendar dates on the axes, and a source line naming the scenario",
        f"and seed. Images here are {DPI} dpi; replicates N = {replicates}.",
        "",
    ]
    for name, kind in KINDS.items():
        if name not in entries:
            continue
        lines += [
            f"## `{name}`",
            "",
            f"{kind.caption} Function: `figures.{kind.function.__name__}`; needs "
            + ", ".join(f"`{f}`" for f in kind.files)
            + f"; `zhaoshang plot RESULTS_DIR --kind {name}`.",
            "",
        ]
        for stem, origin in entries[name]:
            lines += [f"From {ORIGIN[origin]}:", "", f"![{stem}](figures/{stem}.png)", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
