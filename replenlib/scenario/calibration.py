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
(pooled over the tier's series and the streams) reaches the tier's target: found on a coarse
grid for all tiers, then on a fine grid inside each tier's bracket. Before and after are then
measured with one more replay on the same streams: :math:`z = \Phi^{-1}(\text{target})` (what
the strategy sets today) against the calibrated :math:`z` per tier. The gap shows how far the normal-demand model behind the
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
    refine: int = 6,
) -> Calibration:
    """Calibrate the safety factor of every tier (see the module docstring).

    The grid is searched twice: ``z_grid`` for all tiers, then ``refine`` points inside each
    tier's bracket around its target; the before / after replay is a third run. All three
    replay the same lead-time streams.
    """
    origins = _origins(inputs.history.shape[1], first_origin, step)
    tiers = [t for t in Tier if np.any(inputs.tier == t)]
    targets = np.asarray([float(np.median(inputs.target[inputs.tier == t])) for t in tiers])
    seed = int(rng.integers(0, 2**63 - 1))

    def run(
        z_per_tier: NDArray[np.float64], grid: bool = True
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        z = np.zeros((z_per_tier.shape[1], len(inputs.tier)))
        for k, tier in enumerate(tiers):
            z[:, inputs.tier == tier] = z_per_tier[k][:, None]
        result = replay(inputs, z, origins, step, streams, np.random.default_rng(seed))
        return _tier_curves(result, inputs.tier, tiers, monotone=grid)

    coarse_csl, coarse_fill = run(np.repeat(z_grid[None, :], len(tiers), axis=0))
    brackets = np.stack([_bracket(z_grid, c, t) for c, t in zip(coarse_csl, targets, strict=True)])
    fine_z = (
        brackets[:, :1] + (brackets[:, 1:] - brackets[:, :1]) * np.linspace(0, 1, refine)[None, :]
    )
    fine_csl, _ = run(fine_z, grid=False)
    z_after = np.asarray(
        [_first_reaching(fine_z[k], fine_csl[k], targets[k]) for k in range(len(tiers))]
    )
    z_before = np.asarray(stats.norm.ppf(targets), dtype=np.float64)
    check_csl, check_fill = run(np.stack([z_before, z_after], axis=1), grid=False)
    results = tuple(
        TierCalibration(
            tier,
            int(np.sum(inputs.tier == tier)),
            float(targets[k]),
            float(z_before[k]),
            float(check_csl[k, 0]),
            float(check_fill[k, 0]),
            float(z_after[k]),
            float(check_csl[k, 1]),
            float(check_fill[k, 1]),
            bool(coarse_csl[k, -1] >= targets[k]),
        )
        for k, tier in enumerate(tiers)
    )
    replayed = inputs.history.shape[1] - int(origins[0])
    return Calibration(results, z_grid, coarse_csl, coarse_fill, origins, replayed)


def _tier_curves(
    result: SimulationResult, tier: NDArray[np.object_], tiers: list[Tier], monotone: bool
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Achieved cycle service level and fill rate, tiers × variants; on a grid of rising z
    the service curve is made non-decreasing (``monotone``)."""
    csl, fill = [], []
    for t in tiers:
        pooled = result.pooled(items=tier == t)
        achieved = np.nanmean(pooled[SimKpi.CYCLE_SERVICE_LEVEL], axis=1)
        csl.append(np.maximum.accumulate(achieved) if monotone else achieved)
        fill.append(np.nanmean(pooled[SimKpi.FILL_RATE], axis=1))
    return np.asarray(csl), np.asarray(fill)


def _bracket(
    z_grid: NDArray[np.float64], achieved: NDArray[np.float64], target: float
) -> NDArray[np.float64]:
    """The grid interval in which the curve reaches ``target`` (an end point if it never does)."""
    above = np.flatnonzero(achieved >= target)
    k = int(above[0]) if above.size else len(z_grid) - 1
    return np.asarray([z_grid[max(k - 1, 0)], z_grid[k]], dtype=np.float64)


def _first_reaching(z: NDArray[np.float64], achieved: NDArray[np.float64], target: float) -> float:
    """The smallest ``z`` whose achieved service reaches ``target`` (the largest if none)."""
    above = np.flatnonzero(achieved >= target)
    return float(z[above[0]] if above.size else z[-1])
