"""The files of an experiment's results folder (besides ``store.sqlite``).

- ``manifest.json``: the experiment as resolved, design, seeds, versions, git revision, timings.
- ``design.csv``: one row per design point with the values the model receives.
- ``results.csv``: per design point, the parameters and each output reduced over replicates,
  with the replicates' standard deviation (``<output>_sd``) and count (``<output>_n``).
- ``noise.csv``: per output, the share of variance that is run-to-run noise.
- ``indices.csv`` (``output, parameter, index, value, conf, influential``), ``indices.json``,
  ``indices.md``, ``convergence.csv`` (``output, parameter, index, n, value, conf``) and
  ``figures/``: written by ``sensitivity``.

Every file is written atomically (temporary name, then rename), figures as a folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..analysis.sensitivity import PRIMARY, Analysis, rank_index
from ..designs.loading import DUMMY, Experiment
from ..designs.sampling import Design
from ..figures import save
from ..figures import sensitivity as plots
from .folders import atomic_dir, to_jsonable, write_json, write_text


def write_csv(path: Path, frame: pd.DataFrame) -> None:
    """Write a CSV atomically."""
    write_text(path, frame.to_csv(index=False))


def design_frame(design: Design) -> pd.DataFrame:
    """The design points: the values the model receives (and the dummy's raw value)."""
    frame = pd.DataFrame(design.value_table())
    cols = [p.name for p in design.parameters]
    frame = frame.reindex(columns=cols)
    if design.has_dummy:
        frame[DUMMY] = design.X[:, -1]
    frame.insert(0, "point", np.arange(design.n_points))
    return frame


def write_tables(out: Path, design: Design, results: pd.DataFrame, noise: pd.DataFrame) -> None:
    """Write ``design.csv``, ``results.csv`` and ``noise.csv``."""
    frame = design_frame(design)
    write_csv(out / "design.csv", frame)
    write_csv(out / "results.csv", frame.merge(results, on="point", how="left"))
    write_csv(out / "noise.csv", noise)


def write_indices(
    out: Path, exp: Experiment, design: Design, analysis: Analysis, noise: pd.DataFrame
) -> None:
    """Write ``indices.csv``, ``indices.json``, ``indices.md`` and ``convergence.csv``."""
    write_csv(out / "indices.csv", analysis.indices)
    write_csv(out / "convergence.csv", analysis.convergence)
    kinds = {p.name: p.kind for p in exp.parameters}
    data = {
        "experiment": exp.name,
        "method": design.method,
        "design_points": design.n_points,
        "replicates": exp.spec.replicates,
        "outputs": {
            name: grp.drop(columns="output").to_dict(orient="records")
            for name, grp in analysis.indices.groupby("output", sort=False)
        },
        "kinds": kinds,
        "noise": noise.to_dict(orient="records"),
        "notes": [n.__dict__ for n in analysis.notes],
    }
    write_json(out / "indices.json", to_jsonable(data))
    write_text(out / "indices.md", indices_markdown(exp, design, analysis, noise))


def value_conf(value: float, conf: float, influential: Any = None) -> str:
    """``value ± conf``, in italics when not above the dummy's interval."""
    if not np.isfinite(value):
        return "–"
    text = f"{value:.3g}" + (f" ± {conf:.2g}" if np.isfinite(conf) else "")
    return f"*{text}*" if influential is False else text


def indices_markdown(
    exp: Experiment, design: Design, analysis: Analysis, noise: pd.DataFrame
) -> str:
    """The indices as Markdown tables, one per output, with the noise and the notes."""
    labels = {p.name: p.label for p in exp.parameters}
    kinds = {p.name: p.kind for p in exp.parameters}
    lines = [
        f"# {exp.spec.title or exp.name}: {design.method} indices",
        "",
        f"{design.n_points} design points x {exp.spec.replicates} replicates, master seed "
        f"{exp.spec.seed}. Values are ± the half-width of the "
        f"{exp.spec.design.conf_level:.0%} interval. A parameter is *influential* when its "
        "index is above the upper end of the dummy parameter's interval (the dummy is read "
        "by nothing, so its index is estimation error plus run-to-run noise).",
        "",
    ]
    if len(noise):
        lines += ["## Run-to-run noise", "",
                  "| output | replicates | noise share of a run | noise share of the means |",
                  "|---|---:|---:|---:|"]  # fmt: skip
        for _, r in noise.iterrows():
            lines.append(f"| {r['output']} | {r['replicates']:g} | {_pct(r['noise_share_run'])} "
                         f"| {_pct(r['noise_share_mean'])} |")  # fmt: skip
        if (noise["replicates"] < 2).any() and design.has_dummy and exp.spec.seeds != "common":
            lines += ["", "With one replicate the noise is not estimated from replicates; as every "
                      "run has its own seed, it shows in the dummy's index instead (for Sobol', "
                      "the dummy's ST is the noise share of the output's variance)."]  # fmt: skip
        lines.append("")
    primary = rank_index(design.method)
    for output, grp in analysis.indices.groupby("output", sort=False):
        grp = grp[~grp["parameter"].str.contains("|", regex=False)]
        names = list(dict.fromkeys(grp["index"]))
        order = (
            grp[grp["index"] == primary].sort_values("value", ascending=False)["parameter"].tolist()
        )
        lines += [f"## {output}", "",
                  "| parameter | kind | " + " | ".join(names) + " | influential |",
                  "|---|---|" + "---:|" * len(names) + "---|"]  # fmt: skip
        by = grp.set_index(["parameter", "index"])
        for p in order:
            cells = [value_conf(*by.loc[(p, i), ["value", "conf", "influential"]]) for i in names]
            flag = by.loc[(p, primary), "influential"]
            mark = "" if flag is None or p == DUMMY else ("yes" if flag else "no")
            label = labels.get(p, p)
            label = "dummy" if p == DUMMY else (label if label == p else f"{label} (`{p}`)")
            lines.append(f"| {label} | {kinds.get(p, '')} | " + " | ".join(cells) + f" | {mark} |")
        pairs = analysis.indices[(analysis.indices["output"] == output)
                                 & (analysis.indices["index"] == "S2")]  # fmt: skip
        if len(pairs):
            lines += ["", "| pair | S2 |", "|---|---:|"]
            for _, r in pairs.sort_values("value", ascending=False).iterrows():
                cell = value_conf(r["value"], r["conf"], r["influential"])
                lines.append(f"| {r['parameter'].replace('|', ' × ')} | {cell} |")
        lines += ["", f"*Italics*: not above the dummy. *influential*: by {primary}.", ""]
    if analysis.notes:
        lines += ["## Notes", ""] + [f"- {n.message}" for n in analysis.notes] + [""]
    return "\n".join(lines)


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%" if np.isfinite(x) else "n/a (one replicate)"


def write_figures(out: Path, exp: Experiment, design: Design, analysis: Analysis) -> list[str]:
    """Draw the figures of every analysed output into ``figures/``; returns their names."""
    labels = {p.name: p.label for p in exp.parameters}
    src = f"{exp.name}: {design.method}, {design.n_points} points x {exp.spec.replicates} " \
          f"replicates, seed {exp.spec.seed}"  # fmt: skip
    names = []
    with atomic_dir(out / "figures") as tmp:
        for output in analysis.indices["output"].unique():
            stem = _safe(output)
            mine = analysis.indices[analysis.indices["output"] == output]
            fig = plots.sensitivity_indices(mine, src, which=PRIMARY[design.method], labels=labels)
            names += [p.name for p in save(fig, tmp / f"{stem}_{design.method}")]
            if design.method == "morris":
                fig = plots.morris(mine, src, labels=labels)
                names += [p.name for p in save(fig, tmp / f"{stem}_morris_plane")]
            conv = analysis.convergence
            for index in PRIMARY[design.method]:
                if ((conv["output"] == output) & (conv["index"] == index)).any():
                    mine_conv = conv[conv["output"] == output]
                    fig = plots.convergence(mine_conv, src, index=index, labels=labels)
                    names += [p.name for p in save(fig, tmp / f"{stem}_convergence_{index}")]
    return names


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in name)


def write_manifest(out: Path, manifest: dict[str, Any]) -> None:
    """Write ``manifest.json`` atomically."""
    write_json(out / "manifest.json", manifest)
