"""Demand distributions: loss functions against tables and brute force, quantile/cdf consistency."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, stats

from replenlib.demand.distributions import DemandDistribution, Family


def test_standard_normal_loss_matches_published_table() -> None:
    # Standard normal loss G(z) (Silver, Pyke & Thomas, appendix B): G(0) = 0.3989,
    # G(1) = 0.0833, G(1.5) = 0.0293, G(2) = 0.0085.
    d = DemandDistribution.of(Family.NORMAL, [100.0] * 4, [100.0] * 4)  # sigma = 10
    z = np.array([0.0, 1.0, 1.5, 2.0])
    np.testing.assert_allclose(
        d.loss(100 + 10 * z) / 10, [0.3989, 0.0833, 0.0293, 0.0085], atol=5e-5
    )


@pytest.mark.parametrize(
    "family,mean,variance",
    [
        (Family.POISSON, 3.7, 3.7),
        (Family.NEGATIVE_BINOMIAL, 4.0, 11.0),
        (Family.NEGATIVE_BINOMIAL, 0.4, 2.5),
    ],
)
def test_discrete_loss_equals_brute_force_sum(family: Family, mean: float, variance: float) -> None:
    d = DemandDistribution.of(family, [mean] * 7, [variance] * 7)
    x = np.array([-1.0, 0.0, 0.5, 2.0, 3.3, 7.0, 15.0])
    ys = np.arange(0, 400)
    if family is Family.POISSON:
        pmf = stats.poisson.pmf(ys, mean)
    else:
        pmf = stats.nbinom.pmf(ys, mean**2 / (variance - mean), mean / variance)
    brute = [(np.maximum(ys - xi, 0) * pmf).sum() for xi in x]
    np.testing.assert_allclose(d.loss(x), brute, rtol=1e-9, atol=1e-12)


def test_gamma_loss_equals_numerical_integral() -> None:
    mean, variance = 12.0, 30.0
    d = DemandDistribution.of(Family.GAMMA, [mean] * 4, [variance] * 4)
    shape, scale = mean**2 / variance, variance / mean
    x = np.array([0.0, 5.0, 12.0, 30.0])
    expected = [
        integrate.quad(
            lambda y, xi=xi: (y - xi) * stats.gamma.pdf(y, shape, scale=scale), xi, np.inf
        )[0]
        for xi in x
    ]
    np.testing.assert_allclose(d.loss(x), expected, rtol=1e-7)


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(list(Family)[:4]),
    st.floats(0.05, 200),
    st.floats(1.01, 6),
    st.floats(0.01, 0.99),
)
def test_quantile_is_the_smallest_x_reaching_p(
    family: Family, mean: float, dispersion: float, p: float
) -> None:
    d = DemandDistribution.of(family, [mean], [mean * dispersion])
    q = d.quantile(p)
    assert d.cdf(q)[0] >= p - 1e-9
    if family in (Family.POISSON, Family.NEGATIVE_BINOMIAL):
        assert q[0] == np.floor(q[0])
        assert q[0] == 0 or d.cdf(q - 1)[0] < p


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(list(Family)[:4]), st.floats(0.05, 200), st.floats(1.01, 6))
def test_loss_is_non_increasing_and_starts_at_the_mean(
    family: Family, mean: float, dispersion: float
) -> None:
    d = DemandDistribution.of(family, [mean] * 5, [mean * dispersion] * 5)
    x = np.array([0.0, mean / 2, mean, 2 * mean, 5 * mean])
    loss = d.loss(x)
    assert np.all(np.diff(loss) <= 1e-9) and np.all(loss >= 0)
    if family is not Family.NORMAL:  # non-negative support: E[(X - 0)^+] = E[X]
        assert loss[0] == pytest.approx(mean, rel=1e-6)


def test_empirical_rows_by_hand() -> None:
    draws = np.array([[0.0, 1, 2, 3, 4, 5, 6, 7, 8, 9]])
    d = DemandDistribution.of(Family.EMPIRICAL, [4.5], [0.0], samples=draws)
    assert d.quantile(0.95)[0] == 9.0 and d.quantile(0.5)[0] == 4.0
    assert d.cdf(4.0)[0] == pytest.approx(0.5)
    assert d.loss(6.0)[0] == pytest.approx((1 + 2 + 3) / 10)


def test_mixed_panel_and_degenerate_rows() -> None:
    d = DemandDistribution(
        family=np.array(
            [Family.NORMAL, Family.GAMMA, Family.NEGATIVE_BINOMIAL, Family.POISSON], dtype=object
        ),
        mean=np.array([10.0, 0.0, 2.0, 3.0]),
        variance=np.array([0.0, 4.0, 1.5, 3.0]),
    )
    assert d.family[2] == Family.POISSON  # variance <= mean cannot be negative binomial
    np.testing.assert_allclose(
        d.quantile(0.9), [10.0, 0.0, stats.poisson.ppf(0.9, 2.0), stats.poisson.ppf(0.9, 3.0)]
    )
    np.testing.assert_allclose(d.loss(np.array([4.0, 1.0, 0.0, 0.0])), [6.0, 0.0, 2.0, 3.0])


def test_invalid_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        DemandDistribution.of(Family.NORMAL, [-1.0], [1.0])
    with pytest.raises(ValueError, match="need samples"):
        DemandDistribution.of(Family.EMPIRICAL, [1.0], [1.0])
    with pytest.raises(ValueError, match="strictly between"):
        DemandDistribution.of(Family.NORMAL, [1.0], [1.0]).quantile(1.0)
