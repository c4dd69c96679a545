"""Lead-time statistics and fits against numpy/scipy references; the policy blend by hand."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from replenlib.supply.lead_time import (
    LeadTimeFit,
    LeadTimeSource,
    lead_time_statistics,
    policy_lead_time,
)


def _sample() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    gamma = rng.gamma(shape=9.0, scale=3.0, size=400)  # long import lead times
    lognormal = rng.lognormal(mean=2.0, sigma=0.6, size=400)
    return np.r_[gamma, lognormal, [5.0, 7.0]], np.r_[np.zeros(400), np.ones(400), [2, 2]].astype(
        np.int64
    )


def test_empirical_summary_matches_numpy() -> None:
    x, g = _sample()
    s = lead_time_statistics(x, g, 4)
    for group in (0, 1):
        part = x[g == group]
        assert s.n[group] == part.size
        assert s.mean[group] == pytest.approx(part.mean())
        assert s.var[group] == pytest.approx(part.var(ddof=1))
        for p, got in ((0.5, s.p50), (0.9, s.p90), (0.95, s.p95)):
            assert got[group] == pytest.approx(np.quantile(part, p))  # type 7 = numpy default
    assert s.n[3] == 0 and np.isnan(s.mean[3])
    assert s.best_fit[2] == LeadTimeFit.EMPIRICAL.value  # 2 observations: no fit


def test_fits_match_scipy_mle_and_pick_the_right_family() -> None:
    x, g = _sample()
    s = lead_time_statistics(x, g, 4)
    shape, _, scale = stats.gamma.fit(x[g == 0], floc=0)  # reference MLE
    assert s.gamma_shape[0] == pytest.approx(shape, rel=1e-3)
    assert s.gamma_scale[0] == pytest.approx(scale, rel=1e-3)
    sigma, _, exp_mu = stats.lognorm.fit(x[g == 1], floc=0)
    assert s.lognormal_sigma[1] == pytest.approx(sigma, rel=1e-6)
    assert s.lognormal_mu[1] == pytest.approx(np.log(exp_mu), rel=1e-6)
    assert s.best_fit[:2].tolist() == [LeadTimeFit.GAMMA.value, LeadTimeFit.LOGNORMAL.value]


def test_policy_lead_time_credibility_blend_by_hand() -> None:
    # pair with 5 observations (mean 20, var 4), supplier prior 30 (var 25), kappa 5 -> z = 0.5
    # pair without history but supplier history -> supplier's; neither -> quoted, cv 0.25
    out = policy_lead_time(
        pair_n=[5, 0, 0],
        pair_mean=[20.0, np.nan, np.nan],
        pair_var=[4.0, np.nan, np.nan],
        supplier_n=[10, 10, 1],
        supplier_mean=[30.0, 30.0, 9.0],
        supplier_var=[25.0, 25.0, 1.0],
        quoted=[14.0, 14.0, 40.0],
        kappa=5.0,
    )
    np.testing.assert_allclose(out.mean, [25.0, 30.0, 40.0])
    np.testing.assert_allclose(out.std, [np.sqrt(14.5), 5.0, 10.0])
    assert out.source.tolist() == [
        LeadTimeSource.OBSERVED.value,
        LeadTimeSource.SUPPLIER.value,
        LeadTimeSource.QUOTED.value,
    ]
    np.testing.assert_allclose(out.credibility, [0.5, 0.0, 0.0])
