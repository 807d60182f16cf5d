"""Helpers of the experiment tests: write an experiment file, run it serially."""

from __future__ import annotations

import textwrap

from zhaoshang.experiments.designs import experiment as pipeline
from zhaoshang.experiments.designs.loading import load_experiment
from zhaoshang.experiments.runs.executors import open_executor


def write(tmp_path, text: str, name: str = "exp.toml"):
    """Write an experiment file (dedented) into ``tmp_path`` and return its path."""
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def run_serial(path, out, **kwargs):
    """Run the experiment at ``path`` serially into ``out`` (no figures) and return the outcome."""
    with open_executor(1) as backend:
        return pipeline.run(load_experiment(path), out, backend, figures=False, **kwargs)
