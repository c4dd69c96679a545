"""Lead-time demand: calibration on simulated demand, the textbook formula, bootstrap, overlay."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy import stats

from replenlib.demand.distributions import DemandDistribution, Family
from replenlib.demand.forecasters import SES
from replenlib.demand.lead_time import (
    LeadTimeModel,
    bootstrap_lead_time_demand,
    choose_family,
    cumulative_errors,
    interval_mean,
    parametric_lead_time_demand,
)
from replenlib.demand.overlay import overlay_known_demand
from replenlib.demand.panel import DemandPlan, plan_demand
from replenlib.demand.segmentation import DemandClass
from replenlib.demand.synthetic import bernoulli_demand

N_SERIES, HISTORY, LEAD, REVIEW = 3000, 104, 4.0, 1.0


@pytest.fixture(scope="module")
def simulated() -> tuple[DemandPlan, np.ndarray, np.ndarray]:
    """Bernoulli demand with known parameters: π ~ U(0.1, 0.6), sizes 1 + NB(mean μ_z - 1, r = 2),
    μ_z ~ U(2, 10); 104 periods of history, then the future the quantiles are checked on."""
    rng = np.random.default_rng(42)
    probability = rng.uniform(0.1, 0.6, N_SERIES)
    size_mean = rng.uniform(2.0, 10.0, N_SERIES)
    y = bernoulli_demand(rng, probability, size_mean, HISTORY + 40, size_shape=2.0)
    plan = plan_demand(y[:, :HISTORY])
    return plan, y[:, HISTORY:], probability * size_mean


def test_calibration_of_the_95_percent_quantile(
    simulated: tuple[DemandPlan, np.ndarray, np.ndarray],
) -> None:
    # Issue 5: on simulated intermittent demand with known parameters, the lead-time demand
    # quantile at 0.95 is exceeded 5 % ± 1.5 pp of the time. Lead time 4 periods + review 1.
    plan, future, _ = simulated
    truth = future[:, : int(LEAD + REVIEW)].sum(axis=1)
    for model in (LeadTimeModel.AUTO, LeadTimeModel.BOOTSTRAP):
        dist = plan.lead_time_demand(
            np.full(N_SERIES, LEAD),
            np.zeros(N_SERIES),
            REVIEW,
            model=model,
            rng=np.random.default_rng(7),
        )
        exceeded = float(np.mean(truth > dist.quantile(0.95)))
        assert 0.035 <= exceeded <= 0.065, (model, exceeded)


def test_calibration_with_variable_lead_time(
    simulated: tuple[DemandPlan, np.ndarray, np.ndarray],
) -> None:
    # Lead time gamma with mean 4 and sd 1.5 periods; the truth sums the future over the
    # drawn lead time + review period (fractional last period pro rata).
    plan, future, _ = simulated
    rng = np.random.default_rng(8)
    lead = rng.gamma((4.0 / 1.5) ** 2, 1.5**2 / 4.0, N_SERIES)
    protection = lead + REVIEW
    whole = np.floor(protection).astype(np.int64)
    cumulative = np.concatenate([np.zeros((N_SERIES, 1)), np.cumsum(future, axis=1)], axis=1)
    rows = np.arange(N_SERIES)
    truth = cumulative[rows, whole] + (protection - whole) * future[rows, whole]
    dist = plan.lead_time_demand(
        np.full(N_SERIES, 4.0), np.full(N_SERIES, 1.5), REVIEW, model=LeadTimeModel.AUTO, rng=rng
    )
    assert 0.035 <= float(np.mean(truth > dist.quantile(0.95))) <= 0.065


def test_lead_time_mean_is_unbiased(simulated: tuple[DemandPlan, np.ndarray, np.ndarray]) -> None:
    plan, _, rate = simulated
    dist = plan.lead_time_demand(np.full(N_SERIES, LEAD), np.zeros(N_SERIES), REVIEW)
    assert dist.mean.sum() / (rate.sum() * (LEAD + REVIEW)) == pytest.approx(1.0, abs=0.03)


def test_parametric_model_reduces_to_the_textbook_formula() -> None:
    # sigma^2 = L sigma_d^2 + d^2 sigma_L^2 (Silver, Pyke & Thomas 2017, eq. 6.10) when the
    # error variance over L is L sigma_d^2: d = 10/period, sigma_d = 3, L = 4, sigma_L = 1.
    forecast = np.full((1, 8), 10.0)
    dist = parametric_lead_time_demand(forecast, [4 * 3.0**2], [4.0], [1.0], [0.0], [Family.NORMAL])
    assert dist.mean[0] == pytest.approx(40.0)
    assert dist.variance[0] == pytest.approx(4 * 9 + 100 * 1)
    assert dist.quantile(0.95)[0] == pytest.approx(40 + stats.norm.ppf(0.95) * np.sqrt(136))


def test_interval_mean_counts_a_fractional_last_period() -> None:
    forecast = np.array([[1.0, 2.0, 3.0, 4.0]])
    assert interval_mean(forecast, [2.5])[0] == pytest.approx(1 + 2 + 0.5 * 3)
    assert interval_mean(forecast, [6.0])[0] == pytest.approx(1 + 2 + 3 + 4 + 4 + 4)


def test_cumulative_errors_of_a_known_forecast() -> None:
    # SES with alpha = 1 is the naive forecast: the 2-period cumulative error at origin o is
    # y[o] + y[o+1] - 2 y[o-1]. For y = 0, 1, 2, ..., every such error is 1 + 2 - 0 = 3.
    y = np.arange(30, dtype=float)[None, :]
    path = SES(1.0).fit(y).path
    errors = cumulative_errors(path, y, [2.0], n_origins=10)
    assert errors.windows[0] == 10
    assert errors.mse[0] == pytest.approx(9.0)
    assert errors.error_sum[0] == pytest.approx(30.0)


def test_family_choice() -> None:
    classes = np.array(
        [DemandClass.SMOOTH, DemandClass.SMOOTH, DemandClass.LUMPY, DemandClass.INTERMITTENT]
    )
    family = choose_family(classes, [100.0, 5.0, 100.0, 100.0], [True, True, True, False])
    assert list(family) == [
        Family.NORMAL,
        Family.NEGATIVE_BINOMIAL,
        Family.NEGATIVE_BINOMIAL,
        Family.GAMMA,
    ]


def test_bootstrap_mean_is_the_rate_times_the_interval() -> None:
    # Demands of 4 every 4th period: rate 1/period; over L + R = 6 periods the mean is 6,
    # and with a fixed lead time every draw is 4 or 8 (one or two demands in 6 periods).
    y = np.tile([4.0, 0, 0, 0], 10)[None, :]
    dist = bootstrap_lead_time_demand(
        y, [5.0], [0.0], [1.0], np.random.default_rng(1), n_draws=20_000
    )
    assert dist.mean[0] == pytest.approx(6.0, rel=0.02)
    assert dist.samples is not None and set(np.unique(dist.samples)) <= {4.0, 8.0}


def test_bootstrap_is_reproducible_with_the_same_generator() -> None:
    y = np.random.default_rng(3).poisson(0.5, (5, 50)).astype(float)
    a = bootstrap_lead_time_demand(y, [3.0] * 5, [1.0] * 5, [1.0] * 5, np.random.default_rng(9))
    b = bootstrap_lead_time_demand(y, [3.0] * 5, [1.0] * 5, [1.0] * 5, np.random.default_rng(9))
    np.testing.assert_array_equal(a.samples, b.samples)  # type: ignore[arg-type]


def test_auto_model_uses_the_bootstrap_for_sparse_series_only() -> None:
    rng = np.random.default_rng(4)
    smooth = rng.poisson(50, (3, 104)).astype(float)
    sparse = bernoulli_demand(rng, np.full(3, 0.1), np.full(3, 3.0), 104)
    plan = plan_demand(np.vstack([smooth, sparse]))
    dist = plan.lead_time_demand(np.full(6, 2.0), np.zeros(6), 1.0, model="auto", rng=rng)
    assert list(dist.family[:3]) == [Family.NORMAL] * 3
    assert list(dist.family[3:]) == [Family.EMPIRICAL] * 3
    with pytest.raises(ValueError, match="needs rng"):
        plan.lead_time_demand(np.full(6, 2.0), np.zeros(6), 1.0, model="auto")


def test_known_demand_overlay_rule() -> None:
    # max rule (share 1), additive rule (share 0) and netting in between; no double counting.
    forecast = np.array([[10.0, 10.0, 10.0]])
    known = np.array([[4.0, 15.0, 6.0]])
    routine = overlay_known_demand(forecast, 2.0, known, 1.0)
    np.testing.assert_allclose(routine.mean, [[10.0, 15.0, 10.0]])
    np.testing.assert_allclose(routine.std, [[1.2, 0.0, 0.8]])  # sigma x remainder share
    incremental = overlay_known_demand(forecast, 2.0, known, 0.0)
    np.testing.assert_allclose(incremental.mean, [[14.0, 25.0, 16.0]])
    half = overlay_known_demand(forecast, 2.0, known, 0.5)
    np.testing.assert_allclose(half.mean, [[4 + 8, 15 + 2.5, 6 + 7]])
    with pytest.raises(ValueError, match="baseline_share"):
        overlay_known_demand(forecast, 2.0, known, 1.5)


@settings(max_examples=50, deadline=None)
@given(st.floats(0, 100), st.floats(0, 100), st.floats(0, 1), st.floats(0, 50))
@example(5e-324, 0.0, 0.0, 1.5)  # a subnormal forecast once scaled sigma up to 2.0
def test_overlay_is_at_least_the_known_and_at_most_their_sum(
    f: float, k: float, share: float, s: float
) -> None:
    out = overlay_known_demand([[f]], s, [[k]], share)
    assert max(f, k) - 1e-9 <= out.mean[0, 0] <= f + k + 1e-9
    assert 0.0 <= out.std[0, 0] <= s + 1e-9


def test_known_demand_enters_the_lead_time_mean_without_variance() -> None:
    rng = np.random.default_rng(6)
    plan = plan_demand(rng.poisson(20, (2, 104)).astype(float))
    base = plan.lead_time_demand([2.0, 2.0], [0.0, 0.0], 0.0)
    booked = np.zeros((2, plan.forecast.shape[1]))
    booked[0, :2] = 100.0  # a tender call-off of 100 in each of the next two periods
    with_known = plan.lead_time_demand(
        [2.0, 2.0], [0.0, 0.0], 0.0, known=booked, baseline_share=1.0
    )
    assert with_known.mean[0] == pytest.approx(200.0)
    assert with_known.variance[0] == pytest.approx(0.0)
    assert with_known.mean[1] == pytest.approx(base.mean[1])


def test_distribution_quantiles_match_scipy_for_discrete_families() -> None:
    # the fast recursion of DemandDistribution.quantile against scipy's generic ppf
    rng = np.random.default_rng(2)
    mean = rng.uniform(0.05, 80.0, 4000)
    variance = mean * rng.uniform(1.01, 8.0, 4000)
    nb = DemandDistribution.of(Family.NEGATIVE_BINOMIAL, mean, variance)
    po = DemandDistribution.of(Family.POISSON, mean, mean)
    for q in (0.01, 0.5, 0.95, 0.999):
        r, p = mean**2 / (variance - mean), mean / variance
        np.testing.assert_array_equal(nb.quantile(q), stats.nbinom.ppf(q, r, p))
        np.testing.assert_array_equal(po.quantile(q), stats.poisson.ppf(q, mean))
