"""Money-consistent choice, heavy-tailed sizes and within-sector heterogeneity (issues 19, 20).

Each test would fail if its mechanism were removed: a yuan of incentive must weigh exactly as
a yuan of cost, size must change how much a policy weighs, a full park must drop out of the
choice set, the size tail must be Pareto above its threshold and the land and tax
intensities must vary independently within sectors. The statistical tests state their null,
sample size and seed.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.conftest import run
from zhaoshang import AttractionModel, load_scenario
from zhaoshang.model.mechanisms import choice
from zhaoshang.model.state.firms import size_law
from zhaoshang.model.state.world import real_wage_path

SEED = 3


def model_of(**overrides) -> AttractionModel:
    """A fresh model of the baseline with ``overrides`` (no month run)."""
    return AttractionModel(load_scenario("ruzhou-2017", overrides), rng=SEED, firm_agents=False)


# ---------------------------------------------------------------- utility in money
def test_a_yuan_of_incentive_weighs_as_a_yuan_of_cost():
    """A job subsidy worth x yuan a year moves utility as a wage cut of x yuan a year."""
    model = model_of()
    ids = np.arange(300)
    terms = choice.park_terms(model)
    terms.credibility[:] = 1.0
    base, _ = choice.utilities(model, ids, terms)
    extra = 10_000.0  # yuan per job, annualised at ANNUITY
    terms.subsidy += extra
    subsidised, _ = choice.utilities(model, ids, terms)
    terms.subsidy -= extra
    terms.wage -= extra * choice.ANNUITY / 12  # the same yuan a year per employee
    cheaper, _ = choice.utilities(model, ids, terms)
    finite = np.isfinite(base)
    assert np.allclose((subsidised - base)[finite], (cheaper - base)[finite], rtol=1e-9)
    assert np.all((subsidised - base)[finite] > 0)


@pytest.mark.parametrize("elasticity", [0.0, 0.5, 1.0])
def test_size_changes_how_much_a_policy_weighs(elasticity):
    """The utility of a job subsidy grows with size as size ** (1 - elasticity).

    At elasticity 1 (money as a share of output) size would not matter at all: the gain per
    firm is the same for every firm of a sector. Firms of one sector and origin are compared.
    """
    model = model_of(**{"behaviour.money_size_elasticity": elasticity})
    f = model.firms
    ids = np.flatnonzero((f.sector[: f.n_pool] == 0) & (f.region[: f.n_pool] == 0))[:200]
    terms = choice.park_terms(model)
    base, _ = choice.utilities(model, ids, terms)
    terms.subsidy += 10_000.0
    more, _ = choice.utilities(model, ids, terms)
    p = int(np.flatnonzero(np.isfinite(base).all(axis=0))[0])
    gain = (more - base)[:, p]
    size = f.output[ids] / f.output[ids].mean()
    expected = gain[0] * (size / size[0]) ** (1 - elasticity)
    assert np.allclose(gain, expected, rtol=1e-9)
    if elasticity < 1:
        assert gain[np.argmax(size)] > gain[np.argmin(size)] * 1.5


def test_a_park_without_room_for_the_firm_is_no_option():
    """A park whose free land is less than a firm's need gets utility -inf; others do not."""
    model = model_of()
    terms = choice.park_terms(model)
    ids = np.arange(500)
    parks = model.parks
    p = 0
    parks.land_allocated[p] = parks.land_total[p] - 1.0  # one hectare left
    v, _ = choice.utilities(model, ids, terms)
    need = model.firms.land_need[ids]
    assert np.all(np.isneginf(v[need > 1.0, p])) and np.all(np.isfinite(v[need <= 1.0, p]))
    assert np.all(np.isfinite(np.delete(v, p, axis=1)))


def test_scarcity_raises_the_price_a_firm_sees():
    """With congestion the utility of a park falls as its land fills; without, it does not."""
    ids = np.arange(200)
    for congestion, falls in ((2.0, True), (0.0, False)):
        model = model_of(**{"supply_chain.congestion": congestion})
        terms = choice.park_terms(model)
        empty, _ = choice.utilities(model, ids, terms)
        model.parks.land_allocated[0] = 0.8 * model.parks.land_total[0]
        fuller, _ = choice.utilities(model, ids, terms)
        ok = np.isfinite(fuller[:, 0])
        assert ok.sum() > 150
        if falls:
            assert np.all(fuller[ok, 0] < empty[ok, 0])
        else:
            assert np.allclose(fuller[ok, 0], empty[ok, 0])


def test_home_land_price_pushes_firms_out():
    """A dearer home region (regions.*.land_price_yuan_m2) lowers the utility of home."""
    ids = np.arange(300)
    cheap, dear = (model_of(**{f"regions.{r}.land_price_yuan_m2": price for r in
                               ("yrd", "prd", "fujian", "bjt", "henan")}) for price in (100, 3000))
    _, home_cheap = choice.utilities(cheap, ids, choice.park_terms(cheap))
    _, home_dear = choice.utilities(dear, ids, choice.park_terms(dear))
    assert np.all(home_dear < home_cheap)


def test_incentives_raise_entries_paired():
    """Null: incentives change nothing. Six paired seeds, 5,000 firms, 36 months: Ruzhou's
    incentives (as in the baseline) must bring more entries than none in total."""
    off = {f"governments.ruzhou.incentives.{k}": 0 for k in
           ("land_discount", "tax_rebate", "subsidy_per_job_yuan")}
    small = load_scenario("ruzhou-2017", {"pool.firms": 5000, "time.months": 36})
    gained = sum(
        run(small, seed=s).kpis()["entries"] - run(small, seed=s, **off).kpis()["entries"]
        for s in range(6)
    )
    assert gained > 0


# ---------------------------------------------------------------- sizes and heterogeneity
def test_size_law_is_continuous_capped_and_has_mean_one():
    """The splice meets the body at its threshold, the cap is the largest size, the mean is 1."""
    law = size_law(0.6, 0.1, 1.06, 20.0)
    z = np.linspace(-6, 8, 200_001)
    from zhaoshang.model.state.firms import _size

    sizes = np.array([_size(x, law) for x in z])
    assert np.all(np.diff(sizes) >= 0)  # a quantile transform keeps every firm's rank
    assert np.all(np.diff(sizes[z < 5]) > 0)  # (far out it meets the cap in floating point)
    below, above = _size(law.threshold - 1e-9, law), _size(law.threshold + 1e-9, law)
    assert math.isclose(below, above, rel_tol=1e-6)
    assert sizes.max() <= 20.0 * (1 + 1e-9)
    # mean by quadrature over the standard normal
    density = np.exp(-(z**2) / 2) / math.sqrt(2 * math.pi)
    assert math.isclose(np.trapezoid(sizes * density, z), 1.0, rel_tol=2e-3)


def test_pool_sizes_have_a_pareto_tail():
    """Null: the pool's sizes above the splice follow the declared truncated Pareto law.

    20,000 firms, seed 3. Kolmogorov-Smirnov of the sizes above the threshold against the
    truncated Pareto (index 1.06, Axtell 2001) must not reject at 1%, while the log-normal's
    own tail (what sizes were before) must be rejected; about a tenth of the firms are in the
    tail (binomial, 4 sd); and the top 1% of projects hold more investment than without the
    tail.
    """
    from scipy import stats

    def pool(**overrides):
        m = model_of(**overrides)
        f = m.firms
        mean = np.array([m.world.scenario.sectors[s].investment_myuan * 1e6
                         for s in m.world.sector_ids])[f.sector[: f.n_pool]]
        return f.investment[: f.n_pool], f.investment[: f.n_pool] / mean, m.spec.pool

    def top_share(x):
        x = np.sort(x)
        return x[-len(x) // 100 :].sum() / x.sum()

    heavy, rel, spec = pool()
    law = size_law(spec.size_sigma, spec.tail_share, spec.tail_index, spec.size_cap)
    low, high, alpha = law.start / law.mean, law.cap / law.mean, law.alpha
    tail = rel[rel > low]
    n = rel.size
    assert abs(tail.size - 0.1 * n) < 4 * math.sqrt(n * 0.1 * 0.9)

    def pareto_cdf(x):
        return (1 - (low / x) ** alpha) / (1 - (low / high) ** alpha)

    def lognormal_cdf(x):  # the body's law continued above the threshold
        z = (np.log(x * law.mean) + law.sigma**2 / 2) / law.sigma
        return (stats.norm.cdf(z) - 0.9) / 0.1

    assert stats.kstest(tail, pareto_cdf).pvalue > 0.01
    assert stats.kstest(tail, lognormal_cdf).pvalue < 1e-6
    light, _, _ = pool(**{"pool.tail_share": 0.0})
    assert top_share(heavy) > top_share(light) + 0.05


def test_land_and_tax_intensity_vary_independently_within_sectors():
    """Null: tax per hectare constant within a sector (as before issue 19). 20,000 firms,
    seed 3: tax per hectare spreads within every sector, and log land intensity is
    uncorrelated with log tax intensity (|r| < 0.05; the sd of r under independence is
    about 0.007)."""
    m = model_of()
    f, w = m.firms, m.world
    n = f.n_pool
    size = f.output[:n] / (w.sector_array("output_myuan")[f.sector[:n]] * 1e6)
    land_intensity = np.log(f.land_need[:n] / size)
    tax_intensity = np.log(f.tax[:n] / f.output[:n])
    assert abs(np.corrcoef(land_intensity, tax_intensity)[0, 1]) < 0.05
    per_ha = f.tax[:n] / f.land_need[:n]
    for s in range(len(w.sector_ids)):
        k = f.sector[:n] == s
        assert np.std(np.log(per_ha[k])) > 0.4
    flat = model_of(**{"pool.land_sigma": 0.0, "pool.tax_sigma": 0.0})
    g = flat.firms
    ratio = g.tax[:n] / g.land_need[:n]
    for s in range(len(w.sector_ids)):
        k = g.sector[:n] == s
        assert np.ptp(ratio[k]) < 1e-6 * ratio[k].max()


def test_wages_are_in_constant_yuan():
    """Nominal growth deflated by inflation: 8% nominal at 2% inflation is 5.88% real."""
    path = real_wage_path(np.array([1000.0]), np.array([0.08]), 0.02, 24)
    assert math.isclose(path[0, 12], 1000 * 1.08 / 1.02, rel_tol=1e-12)
    m = model_of(**{"world.inflation": 0.05})
    g = load_scenario("ruzhou-2017").governments["ruzhou"]
    assert math.isclose(
        m.city_wages[0, 12], g.wage_yuan_month * (1 + g.wage_growth) / 1.05, rel_tol=1e-12
    )
