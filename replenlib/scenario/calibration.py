r"""Service-level calibration by replay: does a "95 %" setting deliver 95 %?

Each series' **real daily history** is replayed through forecast → policy → simulated
inventory, rolling forward without peeking:

1. at each origin :math:`o_k = o_0 + k\Delta` the forecast is fitted on the weeks before
   :math:`o_k` only (:func:`replenlib.demand.panel.forecast_panel`, which also gives the
   demand class and so the cycle-demand family);
2. the policy for days :math:`[o_k, o_k + \Delta)` is set from that forecast with the
   production rules (:func:`replenlib.policy.panel.panel_parameters`: the series' policy
   type, measure, target and review period from the strategy table);
3. inventory is simulated against the **actual** demand of those days, lead times drawn
   from each supply's distribution (a few streams, the same for every variant);
4. each tier's achieved cycle service level and fill rate are measured (pooled over its
   series and the streams), and compared with the target in the tier's own measure.

The lever is the **quantile** the policy protects: the series of a tier are planned for a
cycle service level :math:`\Phi(z)` and :math:`z` is searched — on a coarse grid for every tier
at once, then on a fine grid inside each tier's bracket — for the smallest value whose
achieved service (in the tier's measure) reaches the target. *Before* is the strategy as it
stands (its measure and target: the safety factor it implies is reported as
:math:`z_{before}`); *after* is the calibrated :math:`z`. Both are replayed once more on the
same streams, so "after" meets the target in the replay by construction. Tiers whose rules
have no probability target (run-down, min–max, DDMRP) are not calibrated.

The gap between before and after shows how far the model behind the policy (moment-matched
cycle demand, forecast error as demand uncertainty, lead-time variance) is from each tier's
real demand. It is an in-sample calibration over the replayed period; lead-time
distributions are supplier statistics over all receipts, demand forecasts strictly past.

References
----------
Tashman, L. J. (2000). Out-of-sample tests of forecasting accuracy: an analysis and review.
*International Journal of Forecasting* 16(4), 437–450 (rolling origin). Silver, Pyke &
Thomas (2017), section 6.10 (the service achieved with estimated parameters).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from replenlib.demand.panel import forecast_panel
from replenlib.policy.ddmrp import average_daily_usage
from replenlib.policy.kinds import PolicyType, ServiceMeasure
from replenlib.policy.panel import PanelInputs, family_for_demand_class, panel_parameters
from replenlib.policy.service import cycle_demand
from replenlib.policy.strategy import ResolvedStrategy, Strategy, Tier
from replenlib.scenario.assemble import simulated_kind
from replenlib.sim.demand import DemandPath
from replenlib.sim.engine import simulate
from replenlib.sim.result import SimKpi, SimulationResult
from replenlib.sim.supply import LeadTimeModel
from replenlib.sim.system import InventorySystem, Policy, RunSettings, Stocking, Supply

DAYS_PER_WEEK = 7
#: Weeks of history a forecast looks back (as the nightly run).
MAX_WEEKS = 104
#: Weeks of history in the past average daily usage of DDMRP rows (as the nightly run).
ADU_PAST_WEEKS = 4
#: Safety factors of the coarse search.
Z_GRID = np.round(np.arange(-0.5, 4.01, 0.5), 2)
_PROBABILITY = (ServiceMeasure.CYCLE_SERVICE_LEVEL, ServiceMeasure.FILL_RATE)


@dataclass(frozen=True)
class ReplayInputs:
    """What a replay needs per series (arrays of one element per series).

    Attributes
    ----------
    history : real daily demand, series × days, oldest first [units/day]
    resolved : the strategy table per series (tier, policy type, measure, target, review)
    lead_times, source, sequential : supply (lead-time rows, in-order deliveries)
    unit_cost, moq, order_multiple, usable_days, lost_sales : as in the scenario base
    strategy : order-sizing costs
    """

    history: NDArray[np.float64]
    resolved: ResolvedStrategy
    lead_times: LeadTimeModel
    source: NDArray[np.int64]
    sequential: NDArray[np.bool_]
    unit_cost: NDArray[np.float64]
    moq: NDArray[np.float64]
    order_multiple: NDArray[np.float64]
    usable_days: NDArray[np.float64]
    lost_sales: NDArray[np.bool_]
    strategy: Strategy

    @property
    def calibratable(self) -> NDArray[np.bool_]:
        """Series whose rule has a probability target under a service-level policy."""
        r = self.resolved
        targeted = np.isin(r.policy_type, [p for p in PolicyType if p.uses_service_target])
        return np.asarray(targeted & np.isin(r.service_measure, _PROBABILITY), dtype=np.bool_)


@dataclass(frozen=True)
class TierCalibration:
    """Target against achieved service of one tier, before and after calibration."""

    tier: Tier
    n_series: int  #: calibrated series of the tier
    measure: ServiceMeasure  #: the measure the target is stated in
    target: float  #: [fraction]
    z_before: float  #: safety factor the strategy implies today (median over the series)
    csl_before: float  #: achieved cycle service level [fraction]
    fill_before: float  #: achieved fill rate [fraction]
    z_after: float  #: calibrated safety factor
    csl_after: float
    fill_after: float
    reached: bool  #: some z on the grid meets the target


@dataclass(frozen=True)
class Calibration:
    """Per-tier results and the achieved-service curves over the coarse grid."""

    tiers: tuple[TierCalibration, ...]
    z_grid: NDArray[np.float64]
    csl_curve: NDArray[np.float64]  #: tiers × grid
    fill_curve: NDArray[np.float64]  #: tiers × grid
    origins: NDArray[np.int64]  #: day index of each forecast origin
    replay_days: int


@dataclass(frozen=True)
class _Forecasts:
    """Per origin × series: daily rate and std, cycle-demand family, DDMRP ADU."""

    rate: NDArray[np.float64]
    std: NDArray[np.float64]
    family: NDArray[np.object_]
    adu: NDArray[np.float64]


def _origins(n_days: int, first: int, step: int) -> NDArray[np.int64]:
    if n_days - first < 2 * step:
        raise ValueError(f"a replay needs {first + 2 * step} days of history, got {n_days}")
    return np.arange(first, n_days, step, dtype=np.int64)


def _forecasts(history: NDArray[np.float64], origins: NDArray[np.int64]) -> _Forecasts:
    """Forecasts at each origin from the weeks before it only (no peeking)."""
    rate, std, family, adu = [], [], [], []
    for origin in (int(o) for o in origins):
        weeks = min(origin // DAYS_PER_WEEK, MAX_WEEKS)
        past = history[:, origin - weeks * DAYS_PER_WEEK : origin]
        weekly = past.reshape(len(history), weeks, DAYS_PER_WEEK).sum(axis=2)
        forecast = forecast_panel(weekly)
        daily = forecast.mean / DAYS_PER_WEEK
        rate.append(daily)
        std.append(forecast.std / np.sqrt(DAYS_PER_WEEK))
        family.append(family_for_demand_class(forecast.segmentation.demand_class))
        adu.append(average_daily_usage(weekly[:, -ADU_PAST_WEEKS:] / DAYS_PER_WEEK, daily[:, None]))
    return _Forecasts(np.stack(rate), np.stack(std), np.stack(family), np.stack(adu))


_G = TypeVar("_G", bound=np.generic)


def _tile(values: NDArray[_G], n: int) -> NDArray[_G]:
    """``values`` repeated for ``n`` variants (variant-major)."""
    return np.tile(values, n)


def _variant_rules(inputs: ReplayInputs, z: NDArray[np.float64]) -> ResolvedStrategy:
    """The strategy per variant × series (flattened): where ``z`` is a number the series is
    planned for a cycle service level :math:`\\Phi(z)`, where it is NaN as the strategy says."""
    r, n_var = inputs.resolved, len(z)
    planned = (inputs.calibratable[None, :] & ~np.isnan(z)).ravel()
    quantile = stats.norm.cdf(np.nan_to_num(z, nan=0.0)).ravel()
    return ResolvedStrategy(
        tier=_tile(r.tier, n_var),
        policy_type=_tile(r.policy_type, n_var),
        service_measure=np.where(
            planned, ServiceMeasure.CYCLE_SERVICE_LEVEL, _tile(r.service_measure, n_var)
        ).astype(object),
        service_target=np.where(planned, quantile, _tile(r.service_target, n_var)),
        review_period_days=_tile(r.review_period_days, n_var),
        safety_days=_tile(r.safety_days, n_var),
        ddmrp_past_weight=_tile(r.ddmrp_past_weight, n_var),
        override=_tile(r.override, n_var),
    )


@dataclass(frozen=True)
class _Levels:
    """Policy levels per origin × variant × series, and the rule per variant × series."""

    reorder_point: NDArray[np.float64]
    order_quantity: NDArray[np.float64]
    order_up_to: NDArray[np.float64]
    max_order: NDArray[np.float64]
    kind: NDArray[np.object_]
    implied_csl: NDArray[np.float64]  #: at the last origin, variants × series


def _levels(inputs: ReplayInputs, f: _Forecasts, z: NDArray[np.float64]) -> _Levels:
    """Plan every origin with the production policy for the variants of ``z``."""
    n_var, n = z.shape
    rules = _variant_rules(inputs, z)
    lt_mean = _tile(inputs.lead_times.mean[inputs.source], n_var)
    lt_std = _tile(inputs.lead_times.std[inputs.source], n_var)
    out: dict[str, list[NDArray[np.float64]]] = {"s": [], "q": [], "S": [], "cap": [], "csl": []}
    for b in range(len(f.rate)):
        rate, std = _tile(f.rate[b], n_var), _tile(f.std[b], n_var)
        demand = cycle_demand(
            _tile(f.family[b], n_var), rate, std, lt_mean, lt_std, rules.review_period_days
        )
        params = panel_parameters(
            rules,
            PanelInputs(
                demand,
                rate,
                std,
                lt_mean,
                _tile(inputs.unit_cost, n_var),
                _tile(inputs.moq, n_var),
                _tile(inputs.order_multiple, n_var),
                _tile(inputs.usable_days, n_var),
                _tile(f.adu[b], n_var),
            ),
            ordering_cost=inputs.strategy.ordering_cost,
            holding_rate=inputs.strategy.holding_rate,
        )
        minimum = np.maximum(
            np.maximum(_tile(inputs.moq, n_var), _tile(inputs.order_multiple, n_var)), 1.0
        )
        for key, values in (
            ("s", params.reorder_point),
            ("q", np.maximum(params.order_quantity, minimum)),
            ("S", params.order_up_to),
            ("cap", params.max_order_quantity),
            ("csl", params.implied_cycle_service_level),
        ):
            out[key].append(values.reshape(n_var, n))
    kind = simulated_kind(rules.policy_type).reshape(n_var, n)
    return _Levels(
        np.stack(out["s"]),
        np.stack(out["q"]),
        np.stack(out["S"]),
        np.stack(out["cap"]),
        kind,
        out["csl"][-1],
    )


def replay(
    inputs: ReplayInputs,
    z: NDArray[np.float64],
    origins: NDArray[np.int64],
    step: int,
    streams: int,
    rng: np.random.Generator,
) -> tuple[SimulationResult, NDArray[np.float64]]:
    """Replay history from the first origin for the variants of ``z`` (variants × series,
    NaN = the strategy as it stands); also return the implied cycle service level at the last
    origin (variants × series)."""
    levels = _levels(inputs, _forecasts(inputs.history, origins), z)
    first = int(origins[0])
    path = np.ascontiguousarray(inputs.history[:, None, first:])
    system = InventorySystem(
        DemandPath(path),
        inputs.lead_times,
        Policy(
            levels.kind,
            levels.reorder_point,
            levels.order_quantity,
            levels.order_up_to,
            review_period=np.maximum(np.rint(inputs.resolved.review_period_days), 1).astype(
                np.int64
            ),
            moq=inputs.moq,
            order_multiple=inputs.order_multiple,
            block_days=step,
            max_order_quantity=levels.max_order,
        ),
        Supply(source=inputs.source, sequential=inputs.sequential),
        Stocking(lost_sales=inputs.lost_sales, usable_days=inputs.usable_days),
    )
    warmup = min(step, path.shape[2] // 4)
    result = simulate(system, RunSettings(path.shape[2], streams, warmup_days=warmup), rng)
    return result, levels.implied_csl


@dataclass(frozen=True)
class _TierGoal:
    """A tier's calibrated series, the measure its target is stated in, and the target."""

    tier: Tier
    rows: NDArray[np.bool_]
    measure: ServiceMeasure
    target: float


def _goals(inputs: ReplayInputs) -> list[_TierGoal]:
    """One goal per tier with calibratable series: its most common measure, median target."""
    goals = []
    for tier in Tier:
        rows = (inputs.resolved.tier == tier) & inputs.calibratable
        if not rows.any():
            continue
        measures = inputs.resolved.service_measure[rows]
        measure = max(_PROBABILITY, key=lambda m: int(np.sum(measures == m)))
        rows = rows & (inputs.resolved.service_measure == measure)
        goals.append(
            _TierGoal(tier, rows, measure, float(np.median(inputs.resolved.service_target[rows])))
        )
    return goals


def _achieved(
    result: SimulationResult, goals: list[_TierGoal], monotone: bool
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Achieved cycle service level and fill rate per goal × variant (pooled over series and
    streams); on a grid of rising z both are made non-decreasing (``monotone``)."""
    csl, fill = [], []
    for goal in goals:
        pooled = result.pooled(items=goal.rows)
        c = np.nanmean(pooled[SimKpi.CYCLE_SERVICE_LEVEL], axis=1)
        f = np.nanmean(pooled[SimKpi.FILL_RATE], axis=1)
        csl.append(np.maximum.accumulate(c) if monotone else c)
        fill.append(np.maximum.accumulate(f) if monotone else f)
    return np.asarray(csl), np.asarray(fill)


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
    """Calibrate the protected quantile of every tier (see the module docstring)."""
    origins = _origins(inputs.history.shape[1], first_origin, step)
    goals = _goals(inputs)
    seed = int(rng.integers(0, 2**63 - 1))

    def run(z_per_goal: NDArray[np.float64], monotone: bool) -> tuple[NDArray[np.float64], ...]:
        z = np.full((z_per_goal.shape[1], len(inputs.source)), np.nan)
        for k, goal in enumerate(goals):
            z[:, goal.rows] = z_per_goal[k][:, None]
        result, implied = replay(inputs, z, origins, step, streams, np.random.default_rng(seed))
        csl, fill = _achieved(result, goals, monotone)
        return csl, fill, implied

    def in_measure(
        goal: _TierGoal, csl: NDArray[np.float64], fill: NDArray[np.float64]
    ) -> NDArray[np.float64]:
        return csl if goal.measure is ServiceMeasure.CYCLE_SERVICE_LEVEL else fill

    coarse_csl, coarse_fill, _ = run(np.repeat(z_grid[None, :], len(goals), axis=0), True)
    coarse = [in_measure(g, coarse_csl[k], coarse_fill[k]) for k, g in enumerate(goals)]
    brackets = np.stack([_bracket(z_grid, c, g.target) for c, g in zip(coarse, goals, strict=True)])
    fine_z = (
        brackets[:, :1] + (brackets[:, 1:] - brackets[:, :1]) * np.linspace(0, 1, refine)[None, :]
    )
    fine_csl, fine_fill, _ = run(fine_z, False)
    z_after = np.asarray(
        [
            _first_reaching(fine_z[k], in_measure(g, fine_csl[k], fine_fill[k]), g.target)
            for k, g in enumerate(goals)
        ]
    )
    check_csl, check_fill, implied = run(
        np.stack([np.full(len(goals), np.nan), z_after], axis=1), False
    )
    results = tuple(
        TierCalibration(
            g.tier,
            int(g.rows.sum()),
            g.measure,
            g.target,
            _implied_z(implied[0, g.rows]),
            float(check_csl[k, 0]),
            float(check_fill[k, 0]),
            float(z_after[k]),
            float(check_csl[k, 1]),
            float(check_fill[k, 1]),
            bool(coarse[k][-1] >= g.target),
        )
        for k, g in enumerate(goals)
    )
    replayed = inputs.history.shape[1] - int(origins[0])
    return Calibration(results, z_grid, coarse_csl, coarse_fill, origins, replayed)


def _implied_z(implied_csl: NDArray[np.float64]) -> float:
    """The safety factor a set of plans implies: median :math:`\\Phi^{-1}` of their implied CSL."""
    values = implied_csl[np.isfinite(implied_csl)]
    if values.size == 0:
        return float("nan")
    return float(np.median(stats.norm.ppf(np.clip(values, 1e-6, 1 - 1e-6))))


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
