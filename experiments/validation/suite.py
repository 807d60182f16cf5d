"""The validation suite: the model reduced to textbook cases, each tested against its law.

Every case runs a scenario of ``validation/`` with many replicate seeds and applies a
statistical test (Kolmogorov-Smirnov, chi-square, t) twice: against the law theory predicts,
which must be accepted, and against a deliberately wrong law, which must be rejected (power).
Properties that hold exactly (no randomness left once the types are drawn) are checked as
counts of violations. The stylised facts (``stylised_facts.py``) follow as paired
comparisons. ``make validate`` runs both with the replicate counts of :data:`REPLICATES` and
prints one row per check; the tests in ``tests/validation`` run the same functions with fewer
replicates.

Usage: ``python -m zhaoshang.experiments.validation.suite [--workers N] [--seed S]
[--scale F] [--case NAME] [--markdown FILE]``.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

from ...model.mechanisms.choice import utilities
from ...model.outputs.clusters import ellison_glaeser
from ...model.state.codes import Cause, Stage
from ..analysis.replicate import Task, model_after, replicate_seeds, resolve_spec, run_replicates
from ..runs.executors import open_executor
from ..runs.parallel import map_tasks

#: Significance level: a law is accepted when p >= ALPHA and rejected when p < ALPHA. It is
#: small so that fixed-seed tests of the right law rarely fail by chance after a change of
#: random streams (about 0.1% per check), while every wrong law here gives p far below it.
ALPHA = 0.001
#: Master seed of the suite's replicates.
SEED = 2017
#: Replicates per case run by ``make validate`` (the tests use fewer).
REPLICATES = {
    "logit-shares": 40,
    "polya-urn": 400,
    "arthur-lock-in": 100,
    "dartboard": 400,
    "birth-death": 400,
    "stylised-facts": 20,
}


@dataclass(frozen=True)
class Check:
    """One test of one law on one case.

    Attributes:
        case: Scenario and variant (``validation/polya-urn --set ...``).
        law: The law tested.
        expect: ``accept`` (the law theory predicts) or ``reject`` (a wrong law: power).
        test: Name of the test (KS, chi2, t, exact).
        statistic: The test statistic (for ``exact``: the number of violations).
        p_value: Its p-value (NaN for exact checks).
        replicates: Replicates behind the test.
        alpha: Significance level of this check.
        effect: What was measured, in words (for paired comparisons).
    """

    case: str
    law: str
    expect: str
    test: str
    statistic: float
    p_value: float
    replicates: int
    alpha: float = ALPHA
    effect: str = ""

    @property
    def passed(self) -> bool:
        """Accepted laws have p >= alpha, rejected ones p < alpha; exact checks 0 violations."""
        if self.test == "exact":
            return self.statistic == 0
        if self.expect == "accept":
            return self.p_value >= self.alpha
        return self.p_value < self.alpha


@dataclass(frozen=True)
class Runner:
    """Where the replicates run: serially, or on an executor with ``workers`` processes."""

    workers: int = 1
    executor: Executor | None = None

    def rows(self, scenario: str, replicates: int, seed: int, overrides=None):
        """The replicate table of a scenario."""
        return run_replicates(
            scenario, replicates, seed, overrides, workers=self.workers, executor=self.executor
        )

    def each(
        self, fn: Callable[[Task], Any], scenario: str, replicates: int, seed: int, overrides=None
    ) -> list[Any]:
        """Apply a module-level measure ``fn`` to every replicate of a scenario."""
        spec = resolve_spec(scenario, overrides)
        tasks = [Task(spec, s) for s in replicate_seeds(seed, replicates)]
        return map_tasks(fn, tasks, workers=self.workers, executor=self.executor)


def label(name: str, overrides: dict | None = None) -> str:
    """Case label: the scenario and its ``--set`` overrides."""
    sets = " ".join(f"--set {k}={json.dumps(v)}" for k, v in (overrides or {}).items())
    return f"validation/{name}" + (f" {sets}" if sets else "")


def binned_chisquare(observed: np.ndarray, expected: np.ndarray, min_expected: float = 5.0):
    """Pearson chi-square after merging neighbouring cells until each expects ``min_expected``.

    Returns:
        (statistic, p-value) with degrees of freedom = merged cells - 1.
    """
    obs_bins, exp_bins, o, e = [], [], 0.0, 0.0
    for ob, ex in zip(observed, expected, strict=True):
        o, e = o + ob, e + ex
        if e >= min_expected:
            obs_bins.append(o)
            exp_bins.append(e)
            o, e = 0.0, 0.0
    if exp_bins:
        obs_bins[-1] += o
        exp_bins[-1] += e
    obs_a, exp_a = np.array(obs_bins), np.array(exp_bins)
    stat = float(((obs_a - exp_a) ** 2 / exp_a).sum())
    return stat, float(stats.chi2.sf(stat, max(len(obs_a) - 1, 1)))


# ---------------------------------------------------------------- Polya urn
def polya_checks(replicates: int, seed: int = SEED, runner: Runner | None = None) -> list[Check]:
    """Two-park urn against Beta(w/b, w/b); a changed weight; three parks against Dirichlet."""
    runner = runner or Runner()
    out = []
    spec = resolve_spec("validation/polya-urn")
    w, b = spec.world.urn_weight, spec.world.urn_increment
    frame = runner.rows("validation/polya-urn", replicates, seed)
    a_n, b_n = frame["entrants_park_a"].to_numpy(), frame["entrants_park_b"].to_numpy()
    share = a_n / (a_n + b_n)
    ks = stats.kstest(share, stats.beta(w / b, w / b).cdf)
    case = label("polya-urn")
    out.append(Check(case, f"share of a ~ Beta({w / b:g}, {w / b:g})", "accept", "KS",
                     ks.statistic, ks.pvalue, replicates))  # fmt: skip
    z = (share - 0.5) / np.sqrt(0.25 / (a_n + b_n))
    ks = stats.kstest(z, stats.norm.cdf)
    out.append(Check(case, "no reinforcement: share ~ Binomial(n, 1/2) / n", "reject", "KS",
                     ks.statistic, ks.pvalue, replicates))  # fmt: skip
    changed = {"parks.a.urn_weight": 3 * w}
    frame = runner.rows("validation/polya-urn", replicates, seed, changed)
    a_n, b_n = frame["entrants_park_a"].to_numpy(), frame["entrants_park_b"].to_numpy()
    share = a_n / (a_n + b_n)
    for law, (p, q), expect in (
        ("changed law", (3 * w / b, w / b), "accept"),
        ("unchanged law", (w / b, w / b), "reject"),
    ):
        ks = stats.kstest(share, stats.beta(p, q).cdf)
        out.append(Check(label("polya-urn", changed), f"{law}: share of a ~ Beta({p:g}, {q:g})",
                         expect, "KS", ks.statistic, ks.pvalue, replicates))  # fmt: skip
    three = {"parks.c.government": "county", "parks.c.sectors": ["light"], **changed}
    frame = runner.rows("validation/polya-urn", replicates, seed, three)
    counts = frame[[f"entrants_park_{p}" for p in "abc"]].to_numpy(float)
    shares = counts / counts.sum(axis=1, keepdims=True)
    for law, alpha, expect in (
        ("Dirichlet", np.array([3 * w, w, w]) / b, "accept"),
        ("equal weights: Dirichlet", np.array([w, w, w]) / b, "reject"),
    ):
        tests = [stats.kstest(shares[:, k], stats.beta(alpha[k], alpha.sum() - alpha[k]).cdf)
                 for k in range(3)]  # fmt: skip
        p_min = min(1.0, 3 * min(t.pvalue for t in tests))  # Bonferroni over the marginals
        stat = max(t.statistic for t in tests)
        law_text = f"{law}({', '.join(f'{x:g}' for x in alpha)}) marginals (Bonferroni)"
        out.append(Check(label("polya-urn", three), law_text, expect, "KS", stat, p_min,
                         replicates))  # fmt: skip
    return out


# ---------------------------------------------------------------- logit shares
def logit_counts(task: Task) -> dict[str, np.ndarray]:
    """Observed choices of each option (parks, then home) and their expected numbers.

    The expected number of an option sums, over the firms that chose, the logit probability
    ``softmax(V / taste_scale)`` computed from
    :func:`zhaoshang.model.mechanisms.choice.utilities`; the wrong law uses twice the taste
    scale.
    """
    m = model_after(task)
    ev = m.event_log.columns()
    chose = ev["cause"] == Cause.CHOSE
    home = ev["cause"] == Cause.STAYED_HOME
    firms = np.concatenate([ev["firm"][chose], ev["firm"][home]])
    n_parks = len(m.world.park_ids)
    observed = np.bincount(ev["park"][chose].astype(np.int64), minlength=n_parks + 1)
    observed[n_parks] = home.sum()
    v, v_home = utilities(m, firms, m.terms)
    u = np.concatenate([v, v_home[:, None]], axis=1)
    scale = m.spec.world.taste_scale
    out = {"observed": observed}
    for key, s in (("expected", scale), ("wrong", 2 * scale)):
        z = u / s
        p = np.exp(z - z.max(axis=1, keepdims=True))
        out[key] = (p / p.sum(axis=1, keepdims=True)).sum(axis=0)
    return out


def logit_checks(replicates: int, seed: int = SEED, runner: Runner | None = None) -> list[Check]:
    """Choice shares against the logit probabilities (and at a changed taste scale)."""
    runner = runner or Runner()
    out = []
    for overrides in (None, {"world.taste_scale": 0.5}):
        results = runner.each(logit_counts, "validation/logit-shares", replicates, seed, overrides)
        observed = sum(r["observed"] for r in results)
        for key, law, expect in (
            ("expected", "shares = softmax(V / taste_scale), home included", "accept"),
            ("wrong", "wrong scale: softmax(V / (2 taste_scale))", "reject"),
        ):
            expected = sum(r[key] for r in results)
            res = stats.chisquare(observed, expected * observed.sum() / expected.sum())
            out.append(Check(label("logit-shares", overrides), law, expect, "chi2",
                             res.statistic, res.pvalue, replicates))  # fmt: skip
    return out


# ---------------------------------------------------------------- Arthur lock-in
def arthur_path(task: Task) -> dict[str, float]:
    """Replay one run: the gap each chooser saw, where it went, and whether it locked in.

    The gap a chooser sees in month t is the difference in operating firms between the
    parks at the start of t (entries up to t - 1). The threshold is
    ``beta_fit * scale / beta_cluster``, infinite when ``cap * beta_cluster < beta_fit``.
    """
    m = model_after(task)
    sc, b = m.spec.supply_chain, m.spec.behaviour
    threshold = b.beta_fit * sc.scale / b.beta_cluster if b.beta_cluster > 0 else math.inf
    if sc.cap is not None and sc.cap * b.beta_cluster < b.beta_fit:
        threshold = math.inf
    ev = m.event_log.columns()
    entry = ev["to_stage"] == Stage.OPERATING
    chose = ev["cause"] == Cause.CHOSE
    months = m.horizon
    entries = np.zeros((months + 1, 2))
    np.add.at(entries, (ev["month"][entry] + 1, ev["park"][entry].astype(np.int64)), 1)
    seen = np.cumsum(entries, axis=0)  # operating firms at the start of each month
    month, park = ev["month"][chose], ev["park"][chose].astype(np.int64)
    sector = m.firms.sector[ev["firm"][chose]]
    gap = seen[month, 0] - seen[month, 1]
    locked = np.abs(gap) > threshold
    leader = np.where(gap > 0, 0, 1)
    preferred = m.world.park_fit[:, sector].argmax(axis=0)
    return {
        "threshold": threshold,
        "choices": float(len(park)),
        "violations": float(((park != leader) & locked).sum()),
        "ever_locked": float(locked.any()),
        "outside_preferred": float((park != preferred).sum()),
        "park_r": float((park == 0).sum()),
    }


def arthur_checks(replicates: int, seed: int = SEED, runner: Runner | None = None) -> list[Check]:
    """Unbounded linear returns lock in; returns capped below the preference gap do not."""
    runner = runner or Runner()
    spec = resolve_spec("validation/arthur-lock-in")
    mix = spec.regions["coast"].sectors
    q = mix["type_r"] / sum(mix.values())  # probability that a firm is of type r
    out = []
    for overrides in (None, {"supply_chain.cap": 0.8}):
        res = runner.each(arthur_path, "validation/arthur-lock-in", replicates, seed, overrides)
        case = label("arthur-lock-in", overrides)
        n = np.array([r["choices"] for r in res])
        z = (np.array([r["park_r"] for r in res]) - n * q) / np.sqrt(n * q * (1 - q))
        chi2 = float((z**2).sum())
        type_law = f"as without agglomeration: park r ~ Binomial(n, {q:g})"
        if overrides is None:
            violations = sum(r["violations"] for r in res)
            unlocked = sum(1 - r["ever_locked"] for r in res)
            law = f"every firm goes to the leader once the gap > {res[0]['threshold']:g} firms"
            out.append(Check(case, law, "accept", "exact", violations, math.nan, replicates))
            out.append(Check(case, "every replicate locks in (gap passes the threshold)",
                             "accept", "exact", unlocked, math.nan, replicates))  # fmt: skip
            out.append(Check(case, type_law, "reject", "chi2", chi2,
                             float(stats.chi2.sf(chi2, len(res))), replicates))  # fmt: skip
        else:
            outside = sum(r["outside_preferred"] for r in res)
            out.append(Check(case, "every firm goes to its preferred park", "accept", "exact",
                             outside, math.nan, replicates))  # fmt: skip
            out.append(Check(case, type_law, "accept", "chi2", chi2,
                             float(stats.chi2.sf(chi2, len(res))), replicates))  # fmt: skip
    return out


# ---------------------------------------------------------------- dartboard
def dartboard_indices(task: Task) -> dict[str, Any]:
    """Ellison-Glaeser gamma and its null sd for every sector with at least two plants."""
    m = model_after(task)
    f = m.firms
    ids = m.tenants()
    park, sector, emp = f.park[ids].astype(np.int64), f.sector[ids], f.employees[ids]
    area_emp = np.bincount(park, weights=emp, minlength=len(m.world.park_ids))
    gammas, sds = [], []
    for s in range(len(m.world.sector_ids)):
        mine = sector == s
        if mine.sum() >= 2:
            r = ellison_glaeser(park[mine], emp[mine], area_emp)
            gammas.append(r.gamma)
            sds.append(r.null_sd)
    return {"overall": m.kpis()["ellison_glaeser"], "gamma": gammas, "null_sd": sds}


def dartboard_checks(
    replicates: int, seed: int = SEED, runner: Runner | None = None
) -> list[Check]:
    """Mean gamma 0 and EG's null variance without spillovers; positive gamma with them."""
    runner = runner or Runner()
    out = []
    res = runner.each(dartboard_indices, "validation/dartboard", replicates, seed)
    overall = np.array([r["overall"] for r in res])
    t = stats.ttest_1samp(overall, 0.0)
    case = label("dartboard")
    out.append(Check(case, "mean Ellison-Glaeser gamma = 0", "accept", "t", t.statistic,
                     t.pvalue, replicates))  # fmt: skip
    # gamma / null sd is skewed (G is a quadratic form), so its variance is tested by a t-test
    # on the mean of its squares rather than by a chi-square that assumes normality.
    z = np.concatenate([np.array(r["gamma"]) / np.array(r["null_sd"]) for r in res])
    t = stats.ttest_1samp(z**2, 1.0)
    out.append(Check(case, "mean of (gamma / null sd)^2 = 1 (EG's null variance)", "accept",
                     "t", t.statistic, t.pvalue, replicates))  # fmt: skip
    spill = {"world.urn_increment": 1.0}
    res = runner.each(dartboard_indices, "validation/dartboard", replicates, seed, spill)
    t = stats.ttest_1samp(np.array([r["overall"] for r in res]), 0.0)
    out.append(Check(label("dartboard", spill), "spillovers: mean gamma = 0", "reject", "t",
                     t.statistic, t.pvalue, replicates))  # fmt: skip
    return out


# ---------------------------------------------------------------- birth-death urn
def birth_death_checks(
    replicates: int, seed: int = SEED, runner: Runner | None = None
) -> list[Check]:
    """Stationary counts against Dirichlet-multinomial marginals; multinomial must fail."""
    runner = runner or Runner()
    spec = resolve_spec("validation/birth-death")
    parks = list(spec.parks)
    a = np.array([spec.parks[p].urn_weight or spec.world.urn_weight for p in parks])
    alpha, n = a / spec.world.urn_increment, spec.world.population
    frame = runner.rows("validation/birth-death", replicates, seed)
    counts = frame[[f"operating_park_{p}" for p in parks]].to_numpy(np.int64)
    grid = np.arange(n + 1)
    out = []
    for law, dist, expect in (
        ("Dirichlet-multinomial", lambda k: stats.betabinom(n, alpha[k], alpha.sum() - alpha[k]),
         "accept"),
        ("independent placement: multinomial", lambda k: stats.binom(n, a[k] / a.sum()),
         "reject"),
    ):  # fmt: skip
        observed = [np.bincount(counts[:, k], minlength=n + 1) for k in range(len(parks))]
        tests = [
            binned_chisquare(observed[k], dist(k).pmf(grid) * replicates)
            for k in range(len(parks))
        ]
        p_min = min(1.0, len(parks) * min(p for _, p in tests))
        stat = max(s for s, _ in tests)
        text = f"{law}(N={n}, {', '.join(f'{x:g}' for x in alpha)}) marginals (Bonferroni)"
        out.append(Check(label("birth-death"), text, expect, "chi2", stat, p_min, replicates))
    return out


CASES: dict[str, Callable[..., list[Check]]] = {
    "logit-shares": logit_checks,
    "polya-urn": polya_checks,
    "arthur-lock-in": arthur_checks,
    "dartboard": dartboard_checks,
    "birth-death": birth_death_checks,
}


def run_suite(
    scale: float = 1.0, seed: int = SEED, runner: Runner | None = None, cases: Sequence[str] = ()
) -> list[Check]:
    """Run every case (or those named) with ``scale`` times the replicates of REPLICATES."""
    from ..analysis.stylised_facts import all_facts

    every = {**CASES, "stylised-facts": all_facts}
    checks = []
    for name, fn in every.items():
        if cases and name not in cases:
            continue
        checks += fn(max(2, round(REPLICATES[name] * scale)), seed, runner)
    return checks


def table(checks: Sequence[Check]) -> str:
    """The checks as a Markdown table (with an ``effect`` column if any check has one)."""
    effects = any(c.effect for c in checks)
    head = ["case", "law", "expected", "test", "statistic", "p-value", "replicates", "result"]
    if effects:
        head.insert(2, "effect")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for c in checks:
        p = "exact" if c.test == "exact" else f"{c.p_value:.3g}"
        cells = [c.case, c.law, c.expect, c.test, f"{c.statistic:.4g}", p, str(c.replicates),
                 "pass" if c.passed else "FAIL"]  # fmt: skip
        if effects:
            cells.insert(2, c.effect)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the suite and print its table; exit status 1 if any check fails."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2, help="parallel processes")
    parser.add_argument("--seed", type=int, default=SEED, help="master seed")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the replicates")
    parser.add_argument(
        "--case", action="append", default=[], choices=[*CASES, "stylised-facts"]
    )
    parser.add_argument("--markdown", type=Path, help="also write the table to this file")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    with open_executor(args.workers) as backend:
        runner = Runner(backend.workers, backend.executor)
        checks = run_suite(args.scale, args.seed, runner, args.case)
    special = [c for c in checks if not c.effect]
    facts = [c for c in checks if c.effect]
    text = "".join(
        f"\n## {title}\n\n{table(part)}"
        for title, part in (("Special cases", special), ("Stylised facts", facts))
        if part
    )
    sys.stdout.write(text)
    failed = sum(not c.passed for c in checks)
    sys.stdout.write(
        f"\n{len(checks) - failed} of {len(checks)} checks pass (alpha {ALPHA} for special "
        f"cases, per check otherwise; seed "
        f"{args.seed}, {time.perf_counter() - start:.0f} s)\n"
    )
    if args.markdown:
        from ..outputs.folders import write_text

        write_text(args.markdown, text)
    return 1 if failed else 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
