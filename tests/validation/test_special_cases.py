"""The model reduced to textbook cases: each law accepted, a wrong law rejected (power).

Each test runs a ``validation/`` scenario through the same check functions as ``make
validate`` (``zhaoshang.experiments.validation.suite``), with fewer replicates, at the fixed
master seed ``SEED``; a law is accepted when p >= ALPHA (0.001) and rejected when p < ALPHA. The
larger run and its table are in docs/validation.md.
"""

from __future__ import annotations

import numpy as np
import pytest

from zhaoshang.experiments.analysis.replicate import Task, model_after, resolve_spec, run_replicates
from zhaoshang.experiments.validation.suite import (
    ALPHA,
    SEED,
    arthur_checks,
    binned_chisquare,
    birth_death_checks,
    dartboard_checks,
    logit_checks,
    polya_checks,
)
from zhaoshang.model.mechanisms.choice import utilities
from zhaoshang.scenarios.errors import ScenarioError


def assert_all_pass(checks, expected_rows):
    assert len(checks) == expected_rows
    failed = [c for c in checks if not c.passed]
    assert not failed, "\n".join(f"{c.case}: {c.law}: p={c.p_value:.3g}" for c in failed)


def test_logit_shares():
    """Null: each chooser picks park p or home with probability softmax(V / taste_scale).

    6 replicates of 600 candidate firms (about 3,000 choices), seed SEED: Pearson chi-square
    of the pooled choice counts against the summed logit probabilities (home included), at
    taste scale 1 and 0.5; the wrong law (twice the taste scale) must be rejected.
    """
    assert_all_pass(logit_checks(6, SEED), 4)


def test_logit_probabilities_come_from_the_utilities():
    """The shares tested above are the utilities' own: the options are far from equal."""
    m = model_after(Task(resolve_spec("validation/logit-shares"), 1, 1))
    v, v_home = utilities(m, np.array([0]), m.terms)
    u = np.append(v[0], v_home[0])
    p = np.exp(u - u.max()) / np.exp(u - u.max()).sum()
    assert p.min() > 0.05 and p.max() - p.min() > 0.2


def test_polya_urn():
    """Null: the share of park a among entrants ~ Beta(a_a / b, a_b / b) (Polya urn limit).

    60 replicates per variant, seed SEED, Kolmogorov-Smirnov: Beta(2, 2) for the shipped
    weights; Beta(6, 2) after --set parks.a.urn_weight=6 (the unchanged Beta(2, 2) rejected);
    Dirichlet(6, 2, 2) marginals with a third park (equal weights rejected); and the law
    without reinforcement (a binomial share) rejected.
    """
    assert_all_pass(polya_checks(60, SEED), 6)


def test_urn_counts_every_chooser_in_order():
    """With conversion off every chooser enters, so the urn's counts equal the entrants."""
    spec = resolve_spec("validation/polya-urn")
    m = model_after(Task(spec, 5, None))
    kpis = m.kpis()
    chosen = np.array([kpis["by_park"][p]["inspections"] for p in m.world.park_ids])
    assert np.array_equal(m.urn_counts, chosen)
    entered = np.array([kpis["entrants_by_park"][p] for p in m.world.park_ids])
    assert entered.sum() >= 0.9 * chosen.sum()


def test_arthur_lock_in():
    """Arthur (1990): deterministic choice given types, linear unbounded returns.

    12 replicates per variant, seed SEED. Exact: no firm choosing when the gap in operating
    firms exceeds beta_fit * scale / beta_cluster goes anywhere but the leader, and every
    replicate passes the threshold; chi-square of park r's count against Binomial(n, 1/2)
    (the law without agglomeration) rejects. With the benefit capped below the preference gap
    every firm goes to its preferred park and the same chi-square accepts.
    """
    assert_all_pass(arthur_checks(12, SEED), 5)


def test_dartboard():
    """Null (Ellison and Glaeser 1997): plants located with the parks' employment shares.

    60 replicates, seed SEED: t-test of mean gamma = 0 and of mean (gamma / null sd)^2 = 1;
    with spillovers (--set world.urn_increment=1) the mean-zero law is rejected.
    """
    assert_all_pass(dartboard_checks(60, SEED), 3)


def test_birth_death_urn():
    """Null: stationary counts ~ Dirichlet-multinomial(N=20, a/b = 1, 2, 3).

    100 replicates of 720 replacements from a start in turn (park k mod 3), seed SEED:
    chi-square of each park's count against its Beta-binomial marginal (Bonferroni over the
    parks); the multinomial law of independent placement (same means) must be rejected.
    """
    assert_all_pass(birth_death_checks(100, SEED), 2)


def test_birth_death_keeps_the_population_and_logs_replacements():
    spec = resolve_spec("validation/birth-death")
    m = model_after(Task(spec, 3, None))
    k = m.kpis()
    n = spec.world.population
    assert sum(v["operating_firms"] for v in k["by_park"].values()) == n
    moves = spec.world.replacements_per_month * spec.time.months
    assert k["entries"] == moves and k["exits"] == moves
    assert len(m.tenants()) == n


def test_birth_death_needs_a_large_enough_pool():
    with pytest.raises(ScenarioError, match=r"pool\.firms"):
        model_after(Task(resolve_spec("validation/birth-death", {"pool.firms": 100}), 1, 1))


def test_birth_death_without_the_urn_is_idle():
    """The same scenario under the pipeline dynamic places nobody (the switch is the option)."""
    frame = run_replicates("validation/birth-death", 1, 1, {"world.dynamics": "pipeline"})
    assert frame["operating_firms"].iloc[0] == 0


def test_binned_chisquare_merges_sparse_cells():
    expected = np.array([0.5, 1.0, 4.0, 10.0, 10.0, 2.0, 0.5])
    stat, p = binned_chisquare(expected.copy(), expected)
    assert stat == pytest.approx(0.0) and p == pytest.approx(1.0)
    stat, p = binned_chisquare(np.array([0, 0, 0, 20, 0, 0, 8.0]), expected)
    assert p < ALPHA
