r"""The demand layer for a whole panel: segments, method choice by evidence, forecasts, and the
lead-time demand distribution handed to the policy layer.

:func:`plan_demand` runs, for a panel of weekly demand (series × periods, oldest first):

1. :func:`~replenlib.demand.segments.segment` — ABC / XYZ / Syntetos–Boylan / lifecycle;
2. a rolling-origin backtest of the candidate forecasters
   (:func:`~replenlib.demand.backtest.rolling_origin`) on the series that have a history;
3. the method per series (:func:`~replenlib.demand.backtest.choose_methods`); new series
   take the launch-profile method, series without demand the zero forecast;
4. each chosen method fitted on its series' full history, time-phased forecasts with
   intervals, and the one-step error;

and returns a :class:`DemandPlan`, whose :meth:`~DemandPlan.lead_time_demand` gives the
:class:`~replenlib.demand.distributions.DemandDistribution` over lead time + review period.

:func:`forecast_panel` is the quick path without backtests (method by class only), kept for
callers that need a flat rate and an error in one call:

=================================  =========================================================
class                              method
=================================  =========================================================
smooth, erratic                    SES (α = 0.2) from the first demand
intermittent, lumpy                SBA (α = 0.1)
new (short history)                mean since first demand (``fallback``)
no demand                          zero
=================================  =========================================================
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from replenlib.demand.backtest import (
    BacktestConfig,
    BacktestResult,
    Criterion,
    MethodChoice,
    choose_methods,
    rolling_origin,
)
from replenlib.demand.distributions import DemandDistribution
from replenlib.demand.forecasters import FittedPanel, Forecaster, Method, NewItem, registry
from replenlib.demand.intermittent import sba
from replenlib.demand.lead_time import (
    LeadTimeModel,
    ProtectionErrors,
    bootstrap_lead_time_demand,
    choose_family,
    cumulative_errors,
    interval_mean,
    parametric_lead_time_demand,
    pooled_ratio,
    replace_rows,
    small_sample_inflation,
)
from replenlib.demand.overlay import overlay_known_demand
from replenlib.demand.paths import FloatArray
from replenlib.demand.segmentation import DemandClass, Segmentation, classify, first_demand_index
from replenlib.demand.segments import Segments, SegmentThresholds, segment
from replenlib.demand.smoothing import ses


@dataclass(frozen=True)
class PanelDemandForecast:
    """Per-series flat forecast, error std, method and segmentation."""

    mean: NDArray[np.float64]  #: [units/period]
    std: NDArray[np.float64]  #: [units/period] std of the one-period forecast error
    method: NDArray[np.object_]  #: method name per series
    segmentation: Segmentation


def forecast_panel(
    y: NDArray[np.float64],
    *,
    ses_alpha: float = 0.2,
    sba_alpha: float = 0.1,
    error_window: int = 52,
    min_periods: int = 8,
) -> PanelDemandForecast:
    """Forecast each row of ``y`` (series × periods, oldest first) with its class's method."""
    values = np.nan_to_num(np.asarray(y, dtype=np.float64), nan=0.0)
    seg = classify(values, min_periods=min_periods)
    classes = seg.demand_class
    intermittent = np.isin(classes, [DemandClass.INTERMITTENT, DemandClass.LUMPY])
    smooth = np.isin(classes, [DemandClass.SMOOTH, DemandClass.ERRATIC])
    new = classes == DemandClass.NEW
    from_first_demand = np.where(
        np.arange(values.shape[1])[None, :] >= first_demand_index(values)[:, None], values, np.nan
    )
    smoothed, croston = ses(from_first_demand, ses_alpha), sba(values, sba_alpha)
    fallback_mean, fallback_std = _since_first_demand(values)
    mean = np.select(
        [smooth, intermittent, new],
        [smoothed.predict(1)[:, 0], croston.predict(1)[:, 0], fallback_mean],
        0.0,
    )
    rmse = np.where(
        intermittent,
        one_step_rmse(values, croston.fitted(), error_window),
        one_step_rmse(values, smoothed.fitted(), error_window),
    )
    std = np.where(new | np.isnan(rmse), fallback_std, rmse)
    method = np.select([smooth, intermittent, new], ["ses", "sba", "fallback"], "zero")
    return PanelDemandForecast(
        mean=mean,
        std=np.where(classes == DemandClass.NO_DEMAND, 0.0, std),
        method=np.asarray(method, dtype=object),
        segmentation=seg,
    )


def one_step_rmse(
    y: NDArray[np.float64], fitted: NDArray[np.float64], window: int | None = None
) -> NDArray[np.float64]:
    """Root mean squared one-step error per series over the last ``window`` periods (NaN
    fitted values are skipped; NaN when a series has no error)."""
    errors = np.nan_to_num(np.asarray(y, dtype=np.float64), nan=0.0) - fitted
    if window is not None:
        errors = errors[:, -window:]
    counts = np.sum(~np.isnan(errors), axis=1)
    with np.errstate(invalid="ignore"):
        return np.where(
            counts > 0, np.sqrt(np.nansum(errors**2, axis=1) / np.maximum(counts, 1)), np.nan
        )


def _since_first_demand(
    values: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Mean and std of each row from its first demand on (std = mean with one point)."""
    start = first_demand_index(values)
    live = np.arange(values.shape[1])[None, :] >= start[:, None]
    count = live.sum(axis=1)
    total = np.where(live, values, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(count > 0, total / count, 0.0)
        var = np.where(live, (values - mean[:, None]) ** 2, 0.0).sum(axis=1) / np.maximum(
            count - 1, 1
        )
    std = np.where(count > 1, np.sqrt(var), mean)
    return mean, std


@dataclass(frozen=True)
class DemandConfig:
    """Parameters of :func:`plan_demand` (periods are the panel's periods, weeks nightly)."""

    period: int = 52  #: season length [periods]
    horizon: int = 26  #: time-phased forecast length [periods]
    rate_horizon: int = (
        13  #: periods averaged into the flat rate of :meth:`DemandPlan.panel_forecast`
    )
    backtest: BacktestConfig = field(default_factory=BacktestConfig)
    criterion: Criterion = Criterion.RMSSE
    min_gain: float = 0.05  #: relative gain a series needs to leave its class winner [-]
    thresholds: SegmentThresholds = field(default_factory=SegmentThresholds)
    normal_min_mean: float = 20.0  #: below this interval mean, discrete/gamma families [units]
    interval_levels: tuple[float, ...] = (0.8, 0.95)  #: central prediction-interval coverages
    new_item_length: int = 26  #: launch-profile length [periods]
    min_parametric_demands: int = 30  #: fewer demands: AUTO lead-time model bootstraps [-]
    #: zeros before a series' first demand are "not started yet" (NaN), as in the
    #: Syntetos–Boylan statistics: a product launched mid-history is not averaged with the
    #: months it was not sold
    start_at_first_demand: bool = True


@dataclass(frozen=True)
class MethodGroup:
    """The series (rows) that use one method and that method's fit on their history."""

    method: Method
    rows: NDArray[np.int64]
    fit: FittedPanel | None  #: None for the zero forecast


@dataclass(frozen=True)
class IntervalForecast:
    """Central prediction intervals per period: ``lower[i]``/``upper[i]`` for ``levels[i]``."""

    levels: tuple[float, ...]
    lower: FloatArray  #: (levels, series, horizon) [units/period]
    upper: FloatArray  #: (levels, series, horizon) [units/period]


@dataclass(frozen=True)
class DemandPlan:
    """Everything the demand layer decided for a panel.

    Attributes
    ----------
    segments, segmentation : segment arrays and the Syntetos–Boylan statistics
    backtest : backtest scores (rows of series without history are NaN)
    choice : chosen method per series with the evidence
    forecast : (series, horizon) per-period forecasts [units/period]
    sigma : (series,) one-step RMSE of the chosen method [units/period]
    integer_valued : (series,) the history holds whole units only
    groups : the fitted methods and their rows
    history : the panel the plan was made from
    """

    segments: Segments
    segmentation: Segmentation
    backtest: BacktestResult
    choice: MethodChoice
    forecast: FloatArray
    sigma: FloatArray
    integer_valued: NDArray[np.bool_]
    groups: tuple[MethodGroup, ...]
    history: FloatArray = field(repr=False)
    config: DemandConfig = field(default_factory=DemandConfig)

    @property
    def method(self) -> NDArray[np.object_]:
        """(series,) chosen method names."""
        return self.choice.method

    def panel_forecast(self) -> PanelDemandForecast:
        """The plan as a flat rate (mean of the first ``rate_horizon`` periods) and error std."""
        rate = self.forecast[:, : self.config.rate_horizon].mean(axis=1)
        std = np.where(np.isnan(self.sigma), np.sqrt(rate), self.sigma)
        return PanelDemandForecast(
            mean=rate,
            std=np.where(self.segments.demand_class == DemandClass.NO_DEMAND, 0.0, std),
            method=np.asarray([str(m) for m in self.method], dtype=object),
            segmentation=self.segmentation,
        )

    @property
    def n_demands(self) -> NDArray[np.int64]:
        """(series,) periods with demand in the history."""
        return np.asarray(np.sum(np.nan_to_num(self.history) > 0, axis=1), dtype=np.int64)

    def error_mse(self, periods: ArrayLike) -> FloatArray:
        """MSE of cumulative forecasts over ``periods`` per series [units²] (fall-back:
        ``periods`` × σ², or × the rate for series without an error estimate)."""
        return self.protection_errors(periods).mse

    def protection_errors(self, periods: ArrayLike) -> ProtectionErrors:
        """The error model of demand over ``periods`` (see :class:`ProtectionErrors`)."""
        p = np.broadcast_to(np.asarray(periods, dtype=np.float64), (len(self.sigma),))
        n = len(p)
        mse, error, total = np.full(n, np.nan), np.zeros(n), np.zeros(n)
        for group in self.groups:
            if group.fit is not None and len(group.rows):
                stats = cumulative_errors(group.fit.path, self.history[group.rows], p[group.rows])
                mse[group.rows] = stats.mse
                error[group.rows] = np.where(np.isnan(stats.mse), 0.0, stats.error_sum)
                total[group.rows] = np.where(np.isnan(stats.mse), 0.0, stats.forecast_sum)
        rate = self.forecast[:, : self.config.rate_horizon].mean(axis=1)
        one_step = np.where(np.isnan(self.sigma), rate, self.sigma**2)  # Poisson-like fall-back
        keys = np.char.add(self.method.astype(str), "|" + self.segments.demand_class.astype(str))
        known = ~np.isnan(mse)
        factor = 1.0 + pooled_ratio(error, np.where(known, total, 0.0), keys, default=0.0)
        kappa = pooled_ratio(np.where(known, mse, 0.0), np.where(known, p * one_step, 0.0), keys)
        return ProtectionErrors(
            mse=np.where(known, mse, p * one_step),
            variance=np.clip(kappa, 0.5, 4.0)
            * p
            * one_step
            * small_sample_inflation(self.n_demands),
            mean_factor=np.clip(factor, 0.5, 2.0),
        )

    def lead_time_demand(
        self,
        lead_time_mean: ArrayLike,
        lead_time_std: ArrayLike,
        review_period: ArrayLike = 0.0,
        *,
        model: LeadTimeModel = LeadTimeModel.PARAMETRIC,
        rng: np.random.Generator | None = None,
        known: ArrayLike | None = None,
        baseline_share: ArrayLike = 1.0,
        known_variance: ArrayLike | None = None,
        n_draws: int = 1000,
    ) -> DemandDistribution:
        """Demand over lead time + review period per series; all times in periods.

        ``model``: PARAMETRIC (moment-matched family per series), BOOTSTRAP (resampled
        history) or AUTO (parametric, but the bootstrap for intermittent, lumpy and new
        series with fewer than ``config.min_parametric_demands`` demands, whose moments are
        too uncertain for a moment-matched family). BOOTSTRAP and AUTO need ``rng``.
        ``known`` (series, horizon) known future demand [units/period] is overlaid on the
        forecast (:mod:`.overlay`, with ``baseline_share``); it adds only ``known_variance``
        (series, horizon) [units²/period], e.g. :math:`p(1-p)q^2` of a signal of quantity
        :math:`q` expected with probability :math:`p`. AUTO never bootstraps a series with
        known demand in its protection interval (the bootstrap knows only the history).
        """
        chosen = LeadTimeModel(model)
        if chosen is not LeadTimeModel.PARAMETRIC and rng is None:
            raise ValueError(f"the {chosen.value} model needs rng=numpy.random.Generator")
        if chosen is LeadTimeModel.BOOTSTRAP:
            assert rng is not None
            return bootstrap_lead_time_demand(
                self.history, lead_time_mean, lead_time_std, review_period, rng, n_draws=n_draws
            )
        parametric = self._parametric(
            lead_time_mean, lead_time_std, review_period, known, baseline_share, known_variance
        )
        if chosen is LeadTimeModel.PARAMETRIC:
            return parametric
        assert rng is not None
        sparse = np.isin(
            self.segments.demand_class,
            [DemandClass.INTERMITTENT, DemandClass.LUMPY, DemandClass.NEW],
        ) & (self.n_demands < self.config.min_parametric_demands)
        if known is not None:
            protection = np.asarray(lead_time_mean, np.float64) + np.asarray(
                review_period, np.float64
            )
            sparse &= interval_mean(np.nan_to_num(np.asarray(known, np.float64)), protection) == 0
        return replace_rows(
            parametric,
            sparse,
            self.history,
            lead_time_mean,
            lead_time_std,
            review_period,
            rng,
            n_draws,
        )

    def _parametric(
        self,
        lead_time_mean: ArrayLike,
        lead_time_std: ArrayLike,
        review_period: ArrayLike,
        known: ArrayLike | None,
        baseline_share: ArrayLike,
        known_variance: ArrayLike | None = None,
    ) -> DemandDistribution:
        protection = np.asarray(lead_time_mean, dtype=np.float64) + np.asarray(
            review_period, dtype=np.float64
        )
        errors = self.protection_errors(protection)
        forecast, variance = self.forecast * errors.mean_factor[:, None], errors.variance
        if known is not None:
            overlaid = overlay_known_demand(forecast, 0.0, known, baseline_share)
            base = interval_mean(forecast, protection)
            rest = interval_mean(overlaid.remainder, protection)
            with np.errstate(invalid="ignore", divide="ignore"):
                variance = variance * np.where(base > 0, (rest / base) ** 2, 1.0)
            forecast = overlaid.mean
        if known_variance is not None:
            variance = variance + interval_mean(known_variance, protection)
        family = choose_family(
            self.segments.demand_class,
            interval_mean(forecast, protection),
            self.integer_valued,
            normal_min_mean=self.config.normal_min_mean,
        )
        return parametric_lead_time_demand(
            forecast, variance, lead_time_mean, lead_time_std, review_period, family
        )

    def interval_forecast(self, levels: tuple[float, ...] | None = None) -> IntervalForecast:
        """Central prediction intervals of each period's demand (module :mod:`.backtest` model)."""
        wanted = levels or self.config.interval_levels
        n_series, horizon = self.forecast.shape
        factor = np.ones((n_series, horizon))
        for group in self.groups:
            if group.fit is not None and len(group.rows):
                factor[group.rows] = group.fit.path.horizon_variance_factor(horizon)
        sigma = np.where(np.isnan(self.sigma), np.sqrt(self.forecast[:, :1]).ravel(), self.sigma)
        family = choose_family(
            self.segments.demand_class,
            self.forecast[:, 0],
            self.integer_valued,
            normal_min_mean=self.config.normal_min_mean,
        )
        dist = DemandDistribution(
            family=np.repeat(family, horizon),
            mean=self.forecast.ravel(),
            variance=(sigma[:, None] ** 2 * factor).ravel(),
        )
        lower = [
            np.maximum(dist.quantile((1 - c) / 2), 0.0).reshape(n_series, horizon) for c in wanted
        ]
        upper = [
            np.maximum(dist.quantile((1 + c) / 2), 0.0).reshape(n_series, horizon) for c in wanted
        ]
        return IntervalForecast(tuple(wanted), np.stack(lower), np.stack(upper))


def plan_demand(
    y: ArrayLike,
    *,
    unit_cost: ArrayLike | None = None,
    criticality: ArrayLike | None = None,
    risk_class: ArrayLike | None = None,
    is_cold_chain: ArrayLike | None = None,
    is_active: ArrayLike | None = None,
    periods_since_launch: ArrayLike | None = None,
    category: ArrayLike | None = None,
    candidates: dict[Method, Forecaster] | None = None,
    config: DemandConfig | None = None,
) -> DemandPlan:
    """Segment, backtest, choose and fit every series of ``y`` (module docstring).

    Parameters
    ----------
    y : (series, periods) demand, oldest first [units/period]; NaN = not yet launched
        (leading) or missing
    unit_cost : (series,) [CNY/unit] for ABC by value (default 1)
    criticality, risk_class, is_cold_chain, is_active : item master columns (series,)
    periods_since_launch : (series,) [periods] from the item master; NaN unknown
    category : (series,) integer category codes for the new-item profiles (< 0 unknown)
    candidates : forecasters to compare (default :func:`~.forecasters.registry`)
    """
    # An orchestration of the steps of the module docstring, each one call: kept together so
    # the order of the steps reads top to bottom.
    cfg = config or DemandConfig()
    values = np.asarray(y, dtype=np.float64)
    if cfg.start_at_first_demand:
        values = mask_before_first_demand(values)
    n_series = len(values)
    segments = segment(
        values,
        np.ones(n_series) if unit_cost is None else unit_cost,
        criticality=criticality,
        risk_class=risk_class,
        is_cold_chain=is_cold_chain,
        is_active=is_active,
        periods_since_launch=periods_since_launch,
        thresholds=cfg.thresholds,
    )
    classes = segments.demand_class
    forecasters = candidates or registry(cfg.period)
    observed = np.maximum(np.sum(~np.isnan(values), axis=1), 1)
    level = np.nansum(values, axis=1) / observed  # mean per observed period (0 if none)
    family = choose_family(classes, level * cfg.backtest.horizon, _integer_valued(values))
    evaluable = np.flatnonzero(~np.isin(classes, [DemandClass.NEW, DemandClass.NO_DEMAND]))
    result = _expand(
        rolling_origin(
            values[evaluable], forecasters, config=cfg.backtest, family=family[evaluable]
        ),
        evaluable,
        n_series,
    )
    choice = choose_methods(
        result,
        classes,
        lifecycle=segments.lifecycle,
        criterion=cfg.criterion,
        min_gain=cfg.min_gain,
    )
    launch = (
        None
        if periods_since_launch is None
        else values.shape[1] - np.asarray(periods_since_launch, dtype=np.float64)
    )
    groups = _fit_groups(values, choice.method, forecasters, category, launch, cfg)
    forecast, sigma = _assemble(groups, n_series, cfg.horizon)
    return DemandPlan(
        segments=segments,
        segmentation=classify(
            values,
            adi_cutoff=cfg.thresholds.adi_cutoff,
            cv2_cutoff=cfg.thresholds.cv2_cutoff,
            min_periods=cfg.thresholds.min_periods,
        ),
        backtest=result,
        choice=choice,
        forecast=forecast,
        sigma=sigma,
        integer_valued=_integer_valued(values),
        groups=groups,
        history=values,
        config=cfg,
    )


def mask_before_first_demand(y: FloatArray) -> FloatArray:
    """``y`` with the periods before each row's first demand set to NaN (not started)."""
    start = first_demand_index(np.nan_to_num(y, nan=0.0))
    before = np.arange(y.shape[1])[None, :] < start[:, None]
    return np.where(before, np.nan, y)


def _integer_valued(values: FloatArray) -> NDArray[np.bool_]:
    finite = np.nan_to_num(values, nan=0.0)
    return np.asarray(np.all(finite == np.round(finite), axis=1), dtype=bool)


def _expand(result: BacktestResult, rows: NDArray[np.int64], n_series: int) -> BacktestResult:
    scores = {}
    for name, table in result.scores.items():
        full = np.full((table.shape[0], n_series), np.nan)
        full[:, rows] = table
        scores[name] = full
    points = np.zeros(n_series, np.int64)
    points[rows] = result.n_points
    return BacktestResult(result.methods, scores, result.origins, points)


def _fit_groups(
    values: FloatArray,
    method: NDArray[np.object_],
    forecasters: dict[Method, Forecaster],
    category: ArrayLike | None,
    launch: FloatArray | None,
    cfg: DemandConfig,
) -> tuple[MethodGroup, ...]:
    groups = []
    for name in sorted({str(m) for m in method}):  # one vectorised fit per chosen method
        chosen = Method(name)
        rows = np.flatnonzero(method == chosen)
        if chosen is Method.ZERO:
            groups.append(MethodGroup(chosen, rows, None))
        elif chosen is Method.NEW_ITEM:  # profiles need the whole panel's launches
            codes = None if category is None else np.asarray(category)
            fit = NewItem(
                category=codes, launch=launch, length=cfg.new_item_length, max_horizon=cfg.horizon
            ).fit(values)
            groups.append(MethodGroup(chosen, rows, fit.take(rows)))
        else:
            groups.append(MethodGroup(chosen, rows, forecasters[chosen].fit(values[rows])))
    return tuple(groups)


def _assemble(
    groups: tuple[MethodGroup, ...], n_series: int, horizon: int
) -> tuple[FloatArray, FloatArray]:
    forecast = np.zeros((n_series, horizon))
    sigma = np.zeros(n_series)
    for group in groups:
        if group.fit is not None:
            forecast[group.rows] = group.fit.predict(horizon)
            sigma[group.rows] = group.fit.sigma
    return forecast, sigma
