r"""Service-level calibration by replay: does a "95 %" setting deliver 95 %?

Each series' **real daily history** is replayed through forecast → policy → simulated
inventory, rolling forward without peeking:

1. at each origin :math:`o_k = o_0 + k\Delta` the forecast is fitted on the weeks before
   :math:`o_k` only (:func:`replenlib.demand.panel.forecast_panel`);
2. the policy for days :math:`[o_k, o_k + \Delta)` is set from that forecast with the
   production rule (:func:`replenlib.policy.reorder.reorder_point_parameters`), for a grid
   of safety factors :math:`z` (cycle service level :math:`\Phi(z)`);
3. inventory is simulated against the **actual** demand of those days, lead times drawn
   from each supply's distribution (a few streams, the same for every :math:`z`);
4. the cycle service level and fill rate each tier achieved are measured per :math:`z`.

The safety factor a tier needs is the smallest :math:`z` whose achieved cycle service level
(pooled over the tier's series and the streams, made monotone) reaches the tier's target,
by linear interpolation on the grid. Before and after are then measured exactly with one
more replay: :math:`z = \Phi^{-1}(\text{target})` (what the strategy sets today) against the
calibrated :math:`z` per tier. The gap shows how far the normal-demand model behind the
policy is from each tier's real demand (intermittent and lumpy demand, forecast bias,
lead-time variability); the calibrated factors close it.

This is an in-sample calibration over the replayed period; lead-time distributions are
estimated from all receipts (supplier statistics), demand forecasts strictly from the past.

References
----------
Tashman, L. J. (2000). Out-of-sample tests of forecasting accuracy: an analysis and review.
*International Journal of Forecasting* 16(4), 437–450 (rolling origin). Silver, Pyke &
Thomas (2017), section 6.10 (the service actually achieved with estimated parameters).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from replenlib.demand.panel import forecast_panel
from replenlib.policy.reorder import PolicyInputs, reorder_point_parameters
from replenlib.policy.strategy import Strategy, Tier
from replenlib.sim.demand import DemandPath
from replenlib.sim.engine import simulate
from replenlib.sim.result import SimKpi, SimulationResult
from replenlib.sim.supply import LeadTimeModel
from replenlib.sim.system import InventorySystem, Policy, PolicyKind, RunSettings, Stocking, Supply

DAYS_PER_WEEK = 7
#: Weeks of history a forecast looks back (as the nightly run).
MAX_WEEKS = 104
#: Safety factors tried.
Z_GRID = np.round(np.arange(-0.5, 4.01, 0.25), 2)


@dataclass(frozen=True)
class ReplayInputs:
    """What a replay needs per series (arrays of one element per series).

    Attributes
    ----------
    history : real daily demand, series × days, oldest first [units/day]
    tier : :class:`Tier` per series
    target : cycle-service-level target [fraction]
    review_period : [days]
    lead_times, source, sequential : supply (lead-time model rows, in-order deliveries)
    unit_cost, moq, order_multiple, usable_days, lost_sales : as in the scenario base
    strategy : order-sizing costs
    """

    history: NDArray[np.float64]
    tier: NDArray[np.object_]
    target: NDArray[np.float64]
    review_period: NDArray[np.int64]
    lead_times: LeadTimeModel
    source: NDArray[np.int64]
    sequential: NDArray[np.bool_]
    unit_cost: NDArray[np.float64]
    moq: NDArray[np.float64]
    order_multiple: NDArray[np.float64]
    usable_days: NDArray[np.float64]
    lost_sales: NDArray[np.bool_]
    strategy: Strategy


@dataclass(frozen=True)
class TierCalibration:
    """Target against achieved service of one tier, before and after calibration."""

    tier: Tier
    n_series: int
    target: float  #: cycle service level [fraction]
    z_before: float  #: :math:`\Phi^{-1}(target)`
    csl_before: float
    fill_before: float
    z_after: float
    csl_after: float
    fill_after: float
    reached: bool  #: the grid holds a z that meets the target


@dataclass(frozen=True)
class Calibration:
    """Per-tier results and the achieved-service curves over the grid."""

    tiers: tuple[TierCalibration, ...]
    z_grid: NDArray[np.float64]
    csl_curve: NDArray[np.float64]  #: tiers × grid
    fill_curve: NDArray[np.float64]  #: tiers × grid
    origins: NDArray[np.int64]  #: day index of each forecast origin
    replay_days: int


def _origins(n_days: int, first: int, step: int) -> NDArray[np.int64]:
    if n_days - first < 2 * step:
        raise ValueError(f"a replay needs {first + 2 * step} days of history, got {n_days}")
    return np.arange(first, n_days, step, dtype=np.int64)


def _forecasts(
    history: NDArray[np.float64], origins: NDArray[np.int64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Daily forecast mean and std per origin (origins × series), from the past only."""
    means, stds = [], []
    for origin in origins:
        weeks = min(int(origin) // DAYS_PER_WEEK, MAX_WEEKS)
        past = history[:, int(origin) - weeks * DAYS_PER_WEEK : int(origin)]
        weekly = past.reshape(len(history), weeks, DAYS_PER_WEEK).sum(axis=2)
        forecast = forecast_panel(weekly)
        means.append(forecast.mean / DAYS_PER_WEEK)
        stds.append(forecast.std / np.sqrt(DAYS_PER_WEEK))
    return np.stack(means), np.stack(stds)


def _levels(
    inputs: ReplayInputs,
    means: NDArray[np.float64],
    stds: NDArray[np.float64],
    z: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(s, S) per origin × variant × series for safety factors ``z`` (variants × series)."""
    shape = z.shape
    lt_mean, lt_std = inputs.lead_times.mean[inputs.source], inputs.lead_times.std[inputs.source]

    def wide(values: NDArray[np.generic]) -> NDArray[np.float64]:
        return np.broadcast_to(np.asarray(values, dtype=np.float64), shape)

    reorder, up_to = [], []
    for mean, std in zip(means, stds, strict=True):
        params = reorder_point_parameters(
            PolicyInputs(
                demand_mean=wide(mean),
                demand_std=wide(std),
                lead_time_mean=wide(lt_mean),
                lead_time_std=wide(lt_std),
                review_period=wide(inputs.review_period),
                cycle_service_level=np.asarray(stats.norm.cdf(z), dtype=np.float64),
                unit_cost=wide(inputs.unit_cost),
                moq=wide(inputs.moq),
                order_multiple=wide(inputs.order_multiple),
                usable_days=wide(inputs.usable_days),
            ),
            ordering_cost=inputs.strategy.ordering_cost,
            holding_rate=inputs.strategy.holding_rate,
        )
        reorder.append(params.reorder_point)
        up_to.append(params.order_up_to)
    return np.stack(reorder), np.stack(up_to)


def replay(
    inputs: ReplayInputs,
    z: NDArray[np.float64],
    origins: NDArray[np.int64],
    step: int,
    streams: int,
    rng: np.random.Generator,
) -> SimulationResult:
    """Replay history from the first origin with safety factors ``z`` (variants × series)."""
    means, stds = _forecasts(inputs.history, origins)
    reorder, up_to = _levels(inputs, means, stds, z)
    first = int(origins[0])
    path = inputs.history[:, None, first:]
    system = InventorySystem(
        DemandPath(np.ascontiguousarray(path)),
        inputs.lead_times,
        Policy(
            PolicyKind.REORDER_POINT_ORDER_UP_TO,
            reorder,
            order_up_to=up_to,
            review_period=inputs.review_period,
            moq=inputs.moq,
            order_multiple=inputs.order_multiple,
            block_days=step,
        ),
        Supply(source=inputs.source, sequential=inputs.sequential),
        Stocking(lost_sales=inputs.lost_sales, usable_days=inputs.usable_days),
    )
    warmup = min(step, path.shape[2] // 4)
    return simulate(system, RunSettings(path.shape[2], streams, warmup_days=warmup), rng)


def calibrate(
    inputs: ReplayInputs,
    *,
    step: int = 28,
    first_origin: int = 182,
    streams: int = 4,
    rng: np.random.Generator,
    z_grid: NDArray[np.float64] = Z_GRID,
) -> Calibration:
    """Calibrate the safety factor of every tier (see the module docstring)."""
    origins = _origins(inputs.history.shape[1], first_origin, step)
    tiers = [t for t in Tier if np.any(inputs.tier == t)]
    seed = int(rng.integers(0, 2**63 - 1))
    grid = replay(
        inputs,
        np.repeat(z_grid[:, None], len(inputs.tier), axis=1),
        origins,
        step,
        streams,
        np.random.default_rng(seed),
    )
    csl_curve, fill_curve, z_after, reached = [], [], [], []
    for tier in tiers:
        pooled = grid.pooled(items=inputs.tier == tier)
        csl = np.maximum.accumulate(np.nanmean(pooled[SimKpi.CYCLE_SERVICE_LEVEL], axis=1))
        csl_curve.append(csl)
        fill_curve.append(np.nanmean(pooled[SimKpi.FILL_RATE], axis=1))
        target = float(np.median(inputs.target[inputs.tier == tier]))
        z_after.append(_needed_z(z_grid, csl, target))
        reached.append(bool(csl[-1] >= target))
    z_before = np.asarray(
        [stats.norm.ppf(np.median(inputs.target[inputs.tier == t])) for t in tiers]
    )
    per_series = np.zeros((2, len(inputs.tier)))
    for k, tier in enumerate(tiers):
        per_series[:, inputs.tier == tier] = [[z_before[k]], [z_after[k]]]
    check = replay(inputs, per_series, origins, step, streams, np.random.default_rng(seed))
    results = []
    for k, tier in enumerate(tiers):
        pooled = check.pooled(items=inputs.tier == tier)
        csl, fill = (
            np.nanmean(pooled[SimKpi.CYCLE_SERVICE_LEVEL], axis=1),
            np.nanmean(pooled[SimKpi.FILL_RATE], axis=1),
        )
        target = float(np.median(inputs.target[inputs.tier == tier]))
        results.append(
            TierCalibration(
                tier,
                int(np.sum(inputs.tier == tier)),
                target,
                float(z_before[k]),
                float(csl[0]),
                float(fill[0]),
                float(z_after[k]),
                float(csl[1]),
                float(fill[1]),
                reached[k],
            )
        )
    return Calibration(
        tuple(results),
        z_grid,
        np.asarray(csl_curve),
        np.asarray(fill_curve),
        origins,
        inputs.history.shape[1] - int(origins[0]),
    )


def _needed_z(z_grid: NDArray[np.float64], achieved: NDArray[np.float64], target: float) -> float:
    """Smallest z on the (monotone) curve reaching ``target``, interpolated; grid end if none."""
    above = np.flatnonzero(achieved >= target)
    if above.size == 0:
        return float(z_grid[-1])
    k = int(above[0])
    if k == 0:
        return float(z_grid[0])
    lo, hi = achieved[k - 1], achieved[k]
    share = (target - lo) / (hi - lo) if hi > lo else 1.0
    return float(z_grid[k - 1] + share * (z_grid[k] - z_grid[k - 1]))
