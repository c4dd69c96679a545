"""Calibration by replay: no peeking, real demand replayed, quantiles moved to the targets."""

from __future__ import annotations

import numpy as np
import pytest

from replenlib.policy.kinds import ServiceMeasure
from replenlib.policy.strategy import Tier
from replenlib.scenario.assemble import resolved_for
from replenlib.scenario.base import Levers
from replenlib.scenario.calibration import (
    Calibration,
    ReplayInputs,
    _bracket,
    _first_reaching,
    _forecasts,
    _origins,
    calibrate,
    replay,
)
from tests.sim_fixtures import synthetic_base, synthetic_history

BASE = synthetic_base(48, seed=5)
HISTORY = synthetic_history(BASE, 420, seed=2)


def _inputs(history: np.ndarray = HISTORY) -> ReplayInputs:
    return ReplayInputs(
        history=history,
        resolved=resolved_for(BASE, Levers.of(BASE)),
        lead_times=BASE.lead_times,
        source=BASE.source,
        sequential=BASE.source_sequential[BASE.source],
        unit_cost=BASE.unit_cost,
        moq=BASE.moq,
        order_multiple=BASE.order_multiple,
        usable_days=BASE.usable_days,
        lost_sales=BASE.lost_sales,
        strategy=BASE.strategy,
    )


def test_forecasts_never_see_the_future() -> None:
    origins = _origins(HISTORY.shape[1], 182, 28)
    changed = HISTORY.copy()
    changed[:, int(origins[3]) :] *= 10.0  # the future after the fourth origin explodes
    a, b = _forecasts(HISTORY, origins), _forecasts(changed, origins)
    for name in ("rate", "std", "adu"):
        np.testing.assert_array_equal(getattr(a, name)[:4], getattr(b, name)[:4])
    np.testing.assert_array_equal(a.family[:4], b.family[:4])
    assert np.all(b.rate[5:].sum(axis=1) > a.rate[5:].sum(axis=1))


def test_replay_serves_the_real_demand_of_the_replayed_days() -> None:
    origins = _origins(HISTORY.shape[1], 182, 28)
    z = np.full((2, BASE.n_series), np.nan)
    z[1] = 1.5
    result, implied = replay(_inputs(), z, origins, 28, 3, np.random.default_rng(0))
    real = HISTORY[:, -result.measured_days :].sum(axis=1)
    for variant in range(2):  # every variant and lead-time stream faces exactly the real demand
        for stream in range(3):
            np.testing.assert_allclose(result.totals["demand"][variant, :, stream], real)
    # variant 0 is the strategy as it stands: its cycle-service-level rows imply their target
    # (unless a shelf-life cap lowered the levels)
    csl_rows = (
        _inputs().resolved.service_measure == ServiceMeasure.CYCLE_SERVICE_LEVEL
    ) & np.isnan(BASE.usable_days)
    np.testing.assert_allclose(
        implied[0, csl_rows], _inputs().resolved.service_target[csl_rows], atol=2e-3
    )


def test_search_brackets_then_takes_the_first_z_that_reaches_the_target() -> None:
    grid = np.array([0.0, 1.0, 2.0, 3.0])
    achieved = np.array([0.5, 0.8, 0.9, 0.99])
    np.testing.assert_array_equal(_bracket(grid, achieved, 0.85), [1.0, 2.0])
    np.testing.assert_array_equal(_bracket(grid, achieved, 0.4), [0.0, 0.0])
    np.testing.assert_array_equal(_bracket(grid, achieved, 0.999), [2.0, 3.0])
    assert _first_reaching(grid, achieved, 0.85) == 2.0
    assert _first_reaching(grid, achieved, 0.999) == 3.0


@pytest.fixture(scope="module")
def calibrated() -> Calibration:
    return calibrate(_inputs(), rng=np.random.default_rng(1))


def test_each_tier_is_calibrated_in_its_own_measure(calibrated: Calibration) -> None:
    by = {t.tier: t for t in calibrated.tiers}
    assert set(by) == {Tier.CRITICAL, Tier.HIGH, Tier.MEDIUM, Tier.LOW}
    assert by[Tier.CRITICAL].measure is ServiceMeasure.CYCLE_SERVICE_LEVEL
    assert by[Tier.CRITICAL].z_before == pytest.approx(2.326, abs=0.01)  # Φ⁻¹(0.99)
    assert by[Tier.LOW].measure is ServiceMeasure.FILL_RATE and by[Tier.LOW].target == 0.95
    assert by[Tier.MEDIUM].measure is ServiceMeasure.FILL_RATE and by[Tier.MEDIUM].target == 0.98
    assert calibrated.csl_curve.shape == (4, len(calibrated.z_grid))
    assert np.all(np.diff(calibrated.csl_curve, axis=1) >= 0)


def test_calibration_moves_each_tier_to_its_target(calibrated: Calibration) -> None:
    for t in calibrated.tiers:
        if not t.reached:
            continue
        fill = t.measure is ServiceMeasure.FILL_RATE
        before, after = (t.fill_before, t.fill_after) if fill else (t.csl_before, t.csl_after)
        assert after >= t.target  # by construction, on the same streams
        assert after - t.target <= abs(before - t.target) + 1e-9  # and no farther than before
        if t.measure is ServiceMeasure.CYCLE_SERVICE_LEVEL:  # the factor moves with the gap
            assert (t.z_after - t.z_before) * (t.target - t.csl_before) >= -1e-9


def test_short_history_is_refused() -> None:
    with pytest.raises(ValueError, match="a replay needs 238 days of history, got 200"):
        calibrate(_inputs(HISTORY[:, :200]), rng=np.random.default_rng(0))
