"""The fast what-if path against the reference (the nightly run's code path).

Tolerance under test (module docstring of :mod:`replenlib.policy.fast_levels`): counting
rows give the same integer levels as the reference; continuous rows agree within
5e-5 max(σ_P, 1) units (the reference's own bracket); implied cycle service level and fill
rate within 1e-5.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from replenlib.demand.distributions import DemandDistribution
from replenlib.policy.fast_levels import FastCycleService, _first_integer
from replenlib.policy.policies import cycle_shape, reorder_levels
from replenlib.policy.service import (
    cycle_demand,
    implied_cycle_service_level,
    implied_fill_rate,
)
from replenlib.policy.tails import (
    CountParameters,
    DiscreteTables,
    Kind,
    discrete_tail,
    gamma_tail,
    normal_tail,
)
from replenlib.policy.whatif import (
    WhatIfEngine,
    WhatIfSettings,
    reference_parameters,
    scenario_inputs,
    synthetic_panel,
)
from replenlib.store import reader
from replenlib.store.whatif_views import load_whatif

LEVEL_TOLERANCE = 5e-5  # × max(σ_P, 1)
SERVICE_TOLERANCE = 1e-5


def _mixed_panel(n: int, seed: int) -> dict[str, np.ndarray]:
    """Every family (zero rows too), policy, measure and continuous review."""
    rng = np.random.default_rng(seed)
    family = rng.choice(["normal", "gamma", "negative_binomial", "poisson"], n).astype(object)
    policy = rng.choice(["s_Q", "s_S", "R_S", "R_s_S"], n).astype(object)
    measure = rng.choice(
        ["cycle_service_level", "fill_rate", "expected_demand"], n, p=[0.4, 0.5, 0.1]
    )
    rate = np.where(family == "negative_binomial", rng.gamma(0.8, 1.5, n), rng.gamma(1.5, 6.0, n))
    rate[rng.random(n) < 0.03] = 0.0  # point masses at zero
    review = np.where(np.isin(policy, ["R_S", "R_s_S"]), rng.choice([1.0, 7.0, 14.0], n), 0.0)
    review = np.where((review == 0) & (rng.random(n) < 0.5), 1.0, review)
    return {
        "family": family,
        "policy": policy,
        "measure": measure.astype(object),
        "target": rng.choice([0.8, 0.9, 0.95, 0.98, 0.995], n),
        "mean": rate,
        "std": rate * rng.uniform(0.4, 3.0, n) + 0.05,
        "lead": rng.uniform(0.5, 50.0, n),
        "lead_std": rng.uniform(0.0, 5.0, n),
        "review": review,
        "lot": np.where(
            rng.random(n) < 0.5, np.ceil(rate * rng.uniform(2, 60, n) + 1), rate * 13.3 + 0.7
        ),
    }


@pytest.fixture(scope="module")
def mixed() -> dict[str, np.ndarray]:
    return _mixed_panel(1500, seed=11)


def _scale(demand_std: np.ndarray) -> np.ndarray:
    return np.maximum(demand_std, 1.0)


def test_levels_and_implied_service_match_the_reference(mixed: dict[str, np.ndarray]) -> None:
    p = mixed
    demand = cycle_demand(p["family"], p["mean"], p["std"], p["lead"], p["lead_std"], p["review"])
    shape = cycle_shape(p["policy"], p["lot"])
    reference = reorder_levels(p["policy"], p["measure"], p["target"], demand, p["lot"])
    fast = FastCycleService(demand, shape)
    level = fast.levels(np.arange(len(p["lot"])), p["policy"], p["measure"], p["target"])
    counting = np.isin(demand.protection.family, ["negative_binomial", "poisson"])
    np.testing.assert_array_equal(level[counting], reference.reorder_point[counting])
    scale = _scale(demand.protection.std)
    assert np.max(np.abs(level - reference.reorder_point) / scale) < LEVEL_TOLERANCE
    full_shape = cycle_shape(p["policy"], p["lot"])
    csl, fill = fast.implied(full_shape, level)
    np.testing.assert_allclose(
        csl, implied_cycle_service_level(demand, full_shape, level), atol=1e-9
    )
    np.testing.assert_allclose(fill, implied_fill_rate(demand, full_shape, level), atol=1e-9)
    np.testing.assert_allclose(csl, reference.implied_cycle_service_level, atol=SERVICE_TOLERANCE)
    np.testing.assert_allclose(fill, reference.implied_fill_rate, atol=SERVICE_TOLERANCE)


def test_a_warm_start_does_not_change_the_answer(mixed: dict[str, np.ndarray]) -> None:
    p = mixed
    demand = cycle_demand(p["family"], p["mean"], p["std"], p["lead"], p["lead_std"], p["review"])
    shape = cycle_shape(p["policy"], p["lot"])
    rows = np.arange(len(p["lot"]))
    fresh = FastCycleService(demand, shape).levels(rows, p["policy"], p["measure"], p["target"])
    warm = FastCycleService(demand, shape)
    warm.levels(rows, p["policy"], p["measure"], np.minimum(p["target"] + 0.004, 0.999))
    again = warm.levels(rows, p["policy"], p["measure"], p["target"])
    counting = np.isin(demand.protection.family, ["negative_binomial", "poisson"])
    np.testing.assert_array_equal(again[counting], fresh[counting])
    assert np.max(np.abs(again - fresh) / _scale(demand.protection.std)) < 1e-6
    guessed = FastCycleService(demand, shape).levels(
        rows, p["policy"], p["measure"], p["target"], guess=fresh * 1.7 + 3.0
    )
    np.testing.assert_array_equal(guessed[counting], fresh[counting])


@pytest.mark.parametrize("family", ["negative_binomial", "poisson"])
def test_tables_agree_with_the_distributions_everywhere(family: str) -> None:
    rng = np.random.default_rng(5)
    n = 60
    mean = rng.gamma(1.0, 8.0, n) + 0.05
    variance = mean * (1.0 + rng.gamma(1.0, 4.0, n))
    dist = DemandDistribution.of(family, mean, variance)
    kind = np.full(
        n, Kind.NEGATIVE_BINOMIAL if family == "negative_binomial" else Kind.POISSON, np.int8
    )
    params = CountParameters.of(kind, dist.mean, dist.variance)
    far = np.where(rng.random(n) < 0.5, np.floor(mean + 40), np.nan)
    tables = DiscreteTables(params, np.full(n, 64.0), far, np.full(n, 40.0))
    rows = np.arange(n)
    for x in (
        rng.uniform(-3, 60, n),
        np.floor(rng.uniform(0, 60, n)),
        far + rng.uniform(0, 30, n),
        rng.uniform(200, 400, n),
    ):
        x = np.where(np.isnan(x), 5.5, x)
        got, closed = tables.tail(rows, x), discrete_tail(params, x)
        np.testing.assert_allclose(got.cdf, dist.cdf(x), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(got.loss, dist.loss(x), rtol=1e-9, atol=1e-11)
        np.testing.assert_allclose(got.loss2, dist.second_order_loss(x), rtol=1e-9, atol=1e-10)
        np.testing.assert_allclose(closed.loss2, dist.second_order_loss(x), rtol=1e-9, atol=1e-10)


def test_closed_forms_agree_with_the_distributions() -> None:
    rng = np.random.default_rng(6)
    mean, variance = rng.gamma(2.0, 10.0, 40), rng.gamma(2.0, 50.0, 40)
    variance[:3] = 0.0  # degenerate rows: point masses at the mean
    x = rng.uniform(-5.0, 90.0, 40)
    for family, tail in (
        ("normal", normal_tail(mean, np.sqrt(variance), x)),
        ("gamma", gamma_tail(mean, variance, x)),
    ):
        dist = DemandDistribution.of(family, mean, variance)
        np.testing.assert_allclose(tail.cdf, dist.cdf(x), atol=1e-12)
        np.testing.assert_allclose(tail.loss, dist.loss(x), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(tail.loss2, dist.second_order_loss(x), rtol=1e-10, atol=1e-10)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(0, 5000), min_size=1, max_size=30),
    st.lists(st.integers(0, 6000), min_size=30, max_size=30),
)
def test_first_integer_finds_every_threshold(thresholds: list[int], starts: list[int]) -> None:
    answer = np.array(thresholds, dtype=float)
    start = np.array(starts[: len(thresholds)], dtype=float)

    def holds(rows: np.ndarray, k: np.ndarray) -> np.ndarray:
        return k >= answer[rows]

    np.testing.assert_array_equal(_first_integer(holds, start), answer)


@settings(max_examples=25, deadline=None)
@given(st.floats(0.5, 0.99), st.floats(0.001, 0.009))
def test_a_higher_target_never_lowers_a_level(target: float, step: float) -> None:
    panel = synthetic_panel(300, np.random.default_rng(3))
    engine = WhatIfEngine(panel)
    targets = dict.fromkeys(("critical", "high", "medium", "low"), target)
    low = engine.recompute(WhatIfSettings(targets=targets)).parameters
    high = engine.recompute(
        WhatIfSettings(targets={t: v + step for t, v in targets.items()})
    ).parameters
    assert np.all(high.reorder_point >= low.reorder_point - 1e-9)
    assert np.all(high.implied_fill_rate >= low.implied_fill_rate - 1e-9)


SETTINGS = [
    WhatIfSettings(),
    WhatIfSettings(targets={"critical": 0.995, "low": 0.9}),
    WhatIfSettings(lead_time_scale=1.4, demand_scale=0.7),
    WhatIfSettings(policy_type="R_s_S", review_period_days=7),  # type: ignore[arg-type]
    WhatIfSettings(policy_type="s_Q"),  # type: ignore[arg-type]
    WhatIfSettings(review_period_days=28, targets={"medium": 0.999}),
]


def _assert_same(fast: object, ref: object, demand_std: np.ndarray, counting: np.ndarray) -> None:
    scale = _scale(demand_std)
    for name in ("reorder_point", "order_up_to", "safety_stock"):
        a, b = getattr(fast, name), getattr(ref, name)
        np.testing.assert_array_equal(a[counting], b[counting], err_msg=name)
        assert np.max(np.abs(a - b) / scale) < LEVEL_TOLERANCE, name
    for name in ("implied_cycle_service_level", "implied_fill_rate"):
        np.testing.assert_allclose(getattr(fast, name), getattr(ref, name), atol=SERVICE_TOLERANCE)
    for name in ("order_quantity", "max_order_quantity", "write_off_per_order", "service_target"):
        np.testing.assert_allclose(getattr(fast, name), getattr(ref, name), rtol=1e-12, atol=1e-9)
    np.testing.assert_array_equal(fast.capped_by_expiry, ref.capped_by_expiry)  # type: ignore[attr-defined]
    np.testing.assert_array_equal(fast.policy_type, ref.policy_type)  # type: ignore[attr-defined]


def test_engine_matches_panel_parameters_on_the_synthetic_panel() -> None:
    panel = synthetic_panel(2000, np.random.default_rng(8))
    engine = WhatIfEngine(panel)
    for choice in SETTINGS:
        demand = scenario_inputs(panel, choice)[1].demand
        counting = np.isin(demand.protection.family, ["negative_binomial", "poisson"])
        fast = engine.recompute(choice).parameters
        _assert_same(fast, reference_parameters(panel, choice), demand.protection.std, counting)


def test_engine_matches_panel_parameters_on_the_small_demo(small_store: Path) -> None:
    with reader(small_store) as con:
        data = load_whatif(con)
    engine = WhatIfEngine(data.panel)
    for choice in SETTINGS[:3]:
        demand = scenario_inputs(data.panel, choice)[1].demand
        counting = np.isin(demand.protection.family, ["negative_binomial", "poisson"])
        fast = engine.recompute(choice).parameters
        _assert_same(
            fast, reference_parameters(data.panel, choice), demand.protection.std, counting
        )


def test_the_base_panel_reproduces_the_runs_lead_time_demand(small_store: Path) -> None:
    with reader(small_store) as con:
        data = load_whatif(con)
        stored = con.execute(
            "SELECT mean, std FROM lead_time_demand WHERE run_id = ? ORDER BY item_id, location_id",
            [data.run["run_id"]],
        ).fetchnumpy()
    demand = scenario_inputs(data.panel, WhatIfSettings())[1].demand
    np.testing.assert_allclose(demand.protection.mean, stored["mean"], rtol=1e-9, atol=1e-9)
    # the lead-time part of the variance cannot exceed the stored one (backed-out σ_d ≥ 0)
    np.testing.assert_allclose(demand.protection.std, stored["std"], rtol=1e-6, atol=1e-6)


def test_totals_add_up_by_hand() -> None:
    panel = synthetic_panel(400, np.random.default_rng(9))
    result = WhatIfEngine(panel).recompute(WhatIfSettings())
    mask = panel.tier == "critical"
    totals = result.totals(mask)
    p = result.parameters
    value = panel.unit_cost * (
        np.maximum(p.safety_stock, 0) + 0.5 * np.maximum(p.order_quantity, 0)
    )
    assert totals.n_rows == mask.sum()
    assert totals.inventory_value == pytest.approx(value[mask].sum(), rel=1e-12)
    d = result.demand_rate[mask]
    assert totals.fill_rate == pytest.approx(
        (d * p.implied_fill_rate[mask]).sum() / d.sum(), rel=1e-12
    )
    assert totals.stockout_risk == pytest.approx(
        np.mean(1 - p.implied_cycle_service_level[mask]), rel=1e-9
    )


def test_settings_are_validated() -> None:
    with pytest.raises(ValueError, match="service target of tier critical"):
        WhatIfSettings(targets={"critical": 1.0})
    with pytest.raises(ValueError, match="lead-time multiplier"):
        WhatIfSettings(lead_time_scale=0.0)
    with pytest.raises(ValueError, match="at least 1 day"):
        WhatIfSettings(review_period_days=0.0)
