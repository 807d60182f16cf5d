"""The Ellison-Glaeser index: the literature's golden value and its null distribution."""

from __future__ import annotations

import numpy as np
import pytest

from zhaoshang.model.outputs.clusters import (
    coagglomeration,
    eg_by_sector,
    ellison_glaeser,
    focus_shares,
    group_gamma,
)

# Farhauer and Kroell (2014), the example of REAT's `ellison.a`: ten plants of one industry in
# three regions (Wien, Linz, Graz) with total employment 500,000, 400,000 and 100,000.
REAT_REGION = np.array([0, 0, 0, 0, 0, 1, 1, 1, 1, 2])
REAT_PLANTS = np.array([200, 650, 12000, 100, 50, 16000, 13000, 1500, 1500, 25000], float)
REAT_AREAS = np.array([500000, 400000, 100000], float)
REAT_GAMMA = 0.05990628


def test_golden_value_of_reat():
    r = ellison_glaeser(REAT_REGION, REAT_PLANTS, REAT_AREAS)
    assert r.gamma == pytest.approx(REAT_GAMMA, abs=5e-9)
    # The parts: G = sum (s - x)^2 and the plant Herfindahl H.
    s = np.array([13000, 32000, 25000]) / 70000
    x = REAT_AREAS / REAT_AREAS.sum()
    assert r.G == pytest.approx(((s - x) ** 2).sum())
    assert r.H == pytest.approx(((REAT_PLANTS / REAT_PLANTS.sum()) ** 2).sum())


def test_gamma_is_invariant_to_units_and_plant_order():
    base = ellison_glaeser(REAT_REGION, REAT_PLANTS, REAT_AREAS).gamma
    order = np.random.default_rng(3).permutation(len(REAT_PLANTS))
    again = ellison_glaeser(REAT_REGION[order], 7 * REAT_PLANTS[order], 0.1 * REAT_AREAS).gamma
    assert again == pytest.approx(base)


@pytest.mark.parametrize(("sizes", "x"), [("equal", (0.5, 0.3, 0.2)), ("lognormal", (0.7, 0.3))])
def test_dartboard_mean_zero_and_null_sd(sizes, x):
    """Null: plants thrown independently with probabilities x (EG's dartboard).

    Then E[gamma] = 0 and Var(gamma) is EG's formula. 4,000 dartboards of 40 plants at seed
    20170101: the mean is tested by a z-test and the variance by the ratio of the simulated
    variance to the formula (its standard error is about 0.05 here); a formula with the
    Herfindahl term dropped from E[G] would shift the mean by H / (1 - H), far outside.
    """
    rng = np.random.default_rng(20170101)
    x = np.array(x)
    n = 40
    emp = np.ones(n) if sizes == "equal" else rng.lognormal(0.0, 1.0, n)
    draws = [ellison_glaeser(rng.choice(len(x), n, p=x), emp, x * 1e6) for _ in range(4000)]
    gamma = np.array([d.gamma for d in draws])
    null_sd = draws[0].null_sd  # the same for every draw: it depends on x and the plants only
    z = gamma.mean() / (gamma.std(ddof=1) / np.sqrt(len(gamma)))
    assert abs(z) < 3
    assert gamma.var(ddof=1) / null_sd**2 == pytest.approx(1.0, abs=0.12)
    h = draws[0].H
    assert abs(gamma.mean() + h / (1 - h)) > 10 * gamma.std() / np.sqrt(len(gamma))


def test_concentration_gives_positive_gamma():
    """All plants of an industry in the smallest area: gamma is large and many null sds out."""
    x = np.array([0.6, 0.3, 0.1]) * 1e5
    r = ellison_glaeser(np.full(30, 2), np.ones(30), x)
    assert r.gamma > 0.5
    assert r.gamma / r.null_sd > 10


def test_undefined_cases_are_nan():
    assert np.isnan(ellison_glaeser(np.array([0]), np.array([5.0]), np.array([1.0, 1.0])).gamma)
    assert np.isnan(ellison_glaeser(np.array([0, 1]), np.zeros(2), np.array([1.0, 1.0])).gamma)


def test_by_sector_weights_by_employment_and_skips_single_plants():
    area = np.concatenate([REAT_REGION, [0, 1, 2, 0]])
    sector = np.concatenate([np.zeros(10, int), [1, 1, 1, 2]])
    emp = np.concatenate([REAT_PLANTS, [10.0, 10.0, 10.0, 5.0]])
    gammas, overall = eg_by_sector(area, sector, emp, 3, 3)
    x = np.bincount(area, weights=emp, minlength=3)
    g0 = ellison_glaeser(REAT_REGION, REAT_PLANTS, x).gamma
    g1 = ellison_glaeser(area[sector == 1], emp[sector == 1], x).gamma
    assert gammas[0] == pytest.approx(g0) and gammas[1] == pytest.approx(g1)
    assert np.isnan(gammas[2])
    w = np.array([REAT_PLANTS.sum(), 30.0])
    assert overall == pytest.approx(np.average([g0, g1], weights=w))


# ---------------------------------------------------------------- co-agglomeration
def _plants(seed: int, n: int = 60, areas: int = 4, industries: int = 3):
    rng = np.random.default_rng(seed)
    return (
        rng.integers(0, areas, n),
        rng.integers(0, industries, n),
        rng.lognormal(2.0, 1.0, n),
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_egk_pair_index_equals_the_eg_group_index_of_two_industries(seed):
    """EGK (2010, eq. 1) is EG (1997, eq. 6) for a group of two: the Herfindahls cancel."""
    area, industry, emp = _plants(seed)
    area_emp = np.bincount(area, weights=emp, minlength=4) + 50.0  # other industries too
    pairs = coagglomeration(
        np.concatenate([area, np.arange(4)]), np.concatenate([industry, [3, 3, 3, 3]]),
        np.concatenate([emp, np.full(4, 50.0)]), 4, 4,
    )  # fmt: skip
    for i, j in ((0, 1), (0, 2), (1, 2)):
        mine = (industry == i) | (industry == j)
        group = group_gamma(area[mine], industry[mine], emp[mine], area_emp)
        assert pairs[i, j] == pytest.approx(group, abs=1e-12)
        assert pairs[j, i] == pairs[i, j]
    assert np.isnan(np.diag(pairs)).all()


def test_coagglomeration_by_hand():
    """Two areas with shares x = (0.5, 0.5): industries 0 and 1 both all in area 0 (+1/(1/2))."""
    area = np.array([0, 0, 1, 1])
    sector = np.array([0, 1, 2, 2])
    emp = np.array([10.0, 10.0, 10.0, 10.0])
    pairs = coagglomeration(area, sector, emp, 2, 3)
    # s_0 = s_1 = (1, 0), s_2 = (0, 1), x = (0.5, 0.5), 1 - sum x^2 = 0.5
    assert pairs[0, 1] == pytest.approx((0.25 + 0.25) / 0.5)
    assert pairs[0, 2] == pytest.approx((-0.25 - 0.25) / 0.5)


def test_coagglomeration_is_zero_on_average_for_darts():
    """Null: plants of two industries thrown independently with the areas' shares x.

    E[gamma_c] = 0 (EGK 2010): 3,000 dartboards of 2 x 30 plants at seed 20100301, z-test
    of the mean; a formula without the centring by x would average far from zero.
    """
    rng = np.random.default_rng(20100301)
    x = np.array([0.5, 0.3, 0.2])
    values = []
    for _ in range(3000):
        area = np.concatenate([rng.choice(3, 60, p=x), [0, 1, 2]])
        emp = np.concatenate([np.ones(60), x * 1e5])  # other industries fix the shares x
        values.append(coagglomeration(area, np.r_[np.repeat([0, 1], 30), [2, 2, 2]], emp,
                                      3, 3)[0, 1])  # fmt: skip
    values = np.array(values)
    assert abs(values.mean() / (values.std(ddof=1) / np.sqrt(len(values)))) < 3


def test_focus_shares_count_focus_and_partner_sectors():
    fit = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    io = np.array([[0.0, 0.5, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]])  # 0 buys from 1
    park = np.array([0, 0, 0, 0, 1, 1])
    sector = np.array([0, 0, 1, 2, 2, 0])
    firms, focus, related = focus_shares(park, sector, fit, io)
    assert firms.tolist() == [4, 2]
    assert focus.tolist() == [0.5, 0.5]
    assert related.tolist() == [0.75, 0.5]  # sector 1 supplies park 0's focus sector
