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

:func:`forecast_panel` (:mod:`.quick`) is the quick path without backtests (method by class
only).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from replenlib.demand.backtest import (
    BacktestConfig,
    BacktestResult,
    Criterion,
    MethodChoice,
)
from replenlib.demand.distributions import DemandDistribution
from replenlib.demand.echelon import SubtreePairs, echelon_demand, has_children, subtree_pairs
from replenlib.demand.error_pools import ErrorPools, ErrorWindows, PoolTerms
from replenlib.demand.evidence import (
    DemandContext,
    DemandEvidence,
    DemandSummary,
    demand_context,
    demand_evidence,
    integer_valued,
)
from replenlib.demand.forecasters import FittedPanel, Forecaster, Method, NewItem, registry
from replenlib.demand.keyed import KeyedDraws
from replenlib.demand.lead_time import (
    LeadTimeModel,
    ProtectionErrors,
    bootstrap_lead_time_demand,
    choose_family,
    cumulative_errors,
    interval_mean,
    parametric_lead_time_demand,
    replace_rows,
    small_sample_inflation,
    window_length,
)
from replenlib.demand.overlay import overlay_known_demand
from replenlib.demand.paths import FloatArray
from replenlib.demand.quick import PanelDemandForecast as PanelDemandForecast
from replenlib.demand.quick import echelon_forecast as echelon_forecast
from replenlib.demand.quick import forecast_panel as forecast_panel
from replenlib.demand.quick import one_step_rmse as one_step_rmse
from replenlib.demand.segmentation import DemandClass, Segmentation, classify
from replenlib.demand.segments import Segments, SegmentThresholds


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
    #: (series,) row replenishing each series, -1 = bought: :meth:`panel_forecast` and
    #: :meth:`lead_time_demand` then give what each stock point covers (:mod:`.echelon`)
    parent: NDArray[np.int64] | None = None

    @property
    def method(self) -> NDArray[np.object_]:
        """(series,) chosen method names."""
        return self.choice.method

    def panel_forecast(self) -> PanelDemandForecast:
        """The plan as a flat rate (mean of the first ``rate_horizon`` periods) and error std
        (rolled up the network when :attr:`parent` is set)."""
        rate = self.forecast[:, : self.config.rate_horizon].mean(axis=1)
        std = np.where(np.isnan(self.sigma), np.sqrt(rate), self.sigma)
        own = PanelDemandForecast(
            mean=rate,
            std=np.where(self.segments.demand_class == DemandClass.NO_DEMAND, 0.0, std),
            method=np.asarray([str(m) for m in self.method], dtype=object),
            segmentation=self.segmentation,
        )
        return own if self.parent is None else echelon_forecast(own, self.parent)

    @property
    def n_demands(self) -> NDArray[np.int64]:
        """(series,) periods with demand in the history."""
        return np.asarray(np.sum(np.nan_to_num(self.history) > 0, axis=1), dtype=np.int64)

    def error_mse(self, periods: ArrayLike) -> FloatArray:
        """MSE of cumulative forecasts over ``periods`` per series [units²] (fall-back:
        ``periods`` × σ², or × the rate for series without an error estimate)."""
        return self.protection_errors(periods).mse

    def protection_errors(
        self, periods: ArrayLike, pools: ErrorPools | None = None
    ) -> ProtectionErrors:
        """The error model of demand over ``periods`` (see :class:`ProtectionErrors`).

        ``pools``: the pooled ratios of the panel this one is part of (:mod:`.error_pools`);
        default: this panel's own.
        """
        terms, mse, p, one_step = self._error_terms(
            periods, None if pools is None else pools.windows
        )
        factor, kappa = (pools or ErrorPools.from_terms(terms)).ratios(terms.groups)
        known = ~np.isnan(mse)
        return ProtectionErrors(
            mse=np.where(known, mse, p * one_step),
            variance=np.clip(kappa, 0.5, 4.0)
            * p
            * one_step
            * small_sample_inflation(self.n_demands),
            mean_factor=np.clip(factor, 0.5, 2.0),
        )

    def pool_terms(self, periods: ArrayLike, windows: ErrorWindows | None = None) -> PoolTerms:
        """Each series' terms of the pooled error ratios over ``periods`` (:mod:`.error_pools`),
        measured with ``windows`` (default: this panel's own, :meth:`error_windows`)."""
        return self._error_terms(periods, windows)[0]

    def error_windows(self, periods: ArrayLike) -> ErrorWindows:
        """The window per method of the cumulative errors over ``periods`` (:mod:`.error_pools`)."""
        p = np.broadcast_to(np.asarray(periods, dtype=np.float64), (len(self.sigma),))
        return ErrorWindows.of(
            {
                str(group.method): window_length(p[group.rows])
                for group in self.groups
                if group.fit is not None and len(group.rows)
            }
        )

    def _error_terms(
        self, periods: ArrayLike, windows: ErrorWindows | None = None
    ) -> tuple[PoolTerms, FloatArray, FloatArray, FloatArray]:
        """Pool terms, cumulative-error MSE (NaN unknown), periods and one-step MSE per series."""
        p = np.broadcast_to(np.asarray(periods, dtype=np.float64), (len(self.sigma),))
        n = len(p)
        mse, error, total = np.full(n, np.nan), np.zeros(n), np.zeros(n)
        for group in self.groups:
            if group.fit is not None and len(group.rows):
                stats = cumulative_errors(
                    group.fit.path,
                    self.history[group.rows],
                    p[group.rows],
                    longest=None if windows is None else windows.get(str(group.method)),
                )
                mse[group.rows] = stats.mse
                error[group.rows] = np.where(np.isnan(stats.mse), 0.0, stats.error_sum)
                total[group.rows] = np.where(np.isnan(stats.mse), 0.0, stats.forecast_sum)
        rate = self.forecast[:, : self.config.rate_horizon].mean(axis=1)
        one_step = np.where(np.isnan(self.sigma), rate, self.sigma**2)  # Poisson-like fall-back
        keys = np.char.add(self.method.astype(str), "|" + self.segments.demand_class.astype(str))
        known = ~np.isnan(mse)
        terms = PoolTerms(
            groups=keys,
            error=error,
            forecast=np.where(known, total, 0.0),
            mse=np.where(known, mse, 0.0),
            scale=np.where(known, p * one_step, 0.0),
        )
        return terms, mse, p, one_step

    def echelon_periods(self, protection: FloatArray) -> list[tuple[FloatArray, SubtreePairs]]:
        """The protection intervals at which the error model is evaluated, per echelon level:
        level 0 every series' own; level :math:`k` the same, but each member :math:`k` steps
        below an ancestor takes that ancestor's (the others keep theirs: the pools stay)."""
        levels = subtree_pairs(self.parent) if self.parent is not None else []
        out = [(protection, levels[0] if levels else subtree_pairs(np.full(0, -1))[0])]
        for pairs in levels[1:]:
            periods = protection.copy()
            periods[pairs.member] = protection[pairs.ancestor]
            out.append((periods, pairs))
        return out

    def pool_terms_by_level(
        self,
        lead_time_mean: ArrayLike,
        review_period: ArrayLike = 0.0,
        windows: Sequence[ErrorWindows] | None = None,
    ) -> list[PoolTerms]:
        """:meth:`pool_terms` at every level of :meth:`echelon_periods` — what the pools of
        :meth:`lead_time_demand` with these times are made of (times [periods]) — measured
        with ``windows`` per level (a panel's from :meth:`windows_by_level` of its parts;
        levels deeper than this panel's: no member moves)."""
        levels = self._level_periods(lead_time_mean, review_period, windows)
        if windows is None:
            return [self.pool_terms(periods) for periods in levels]
        return [self.pool_terms(periods, w) for periods, w in zip(levels, windows, strict=True)]

    def windows_by_level(
        self, lead_time_mean: ArrayLike, review_period: ArrayLike = 0.0
    ) -> list[ErrorWindows]:
        """:meth:`error_windows` at every level of :meth:`echelon_periods` (times [periods])."""
        return [
            self.error_windows(periods)
            for periods in self._level_periods(lead_time_mean, review_period)
        ]

    def _level_periods(
        self,
        lead_time_mean: ArrayLike,
        review_period: ArrayLike,
        windows: Sequence[ErrorWindows] | None = None,
    ) -> list[FloatArray]:
        protection = np.asarray(lead_time_mean, dtype=np.float64) + np.asarray(
            review_period, dtype=np.float64
        )
        protection = np.broadcast_to(protection, (len(self.sigma),)).copy()
        levels = [periods for periods, _ in self.echelon_periods(protection)]
        return levels + [protection] * (len(windows or ()) - len(levels))

    def lead_time_demand(
        self,
        lead_time_mean: ArrayLike,
        lead_time_std: ArrayLike,
        review_period: ArrayLike = 0.0,
        *,
        model: LeadTimeModel = LeadTimeModel.PARAMETRIC,
        rng: np.random.Generator | KeyedDraws | None = None,
        known: ArrayLike | None = None,
        baseline_share: ArrayLike = 1.0,
        known_variance: ArrayLike | None = None,
        n_draws: int = 1000,
        pools: Sequence[ErrorPools] | None = None,
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

        With :attr:`parent` set, a stock point that replenishes others covers its subtree:
        every member's forecast path and cumulative-error variance (and known demand) over
        *this* row's protection interval are added to its own (:mod:`.echelon`); such rows
        are never bootstrapped by AUTO, and BOOTSTRAP resamples their
        :attr:`covered_history`.

        ``rng`` may be :class:`~.keyed.KeyedDraws` (each series' own stream: the same
        bootstrap in any panel). ``pools``: the pooled error ratios per level of
        :meth:`echelon_periods` of the panel this one is part of (from
        :meth:`pool_terms_by_level` of every part); default: this panel's own.
        """
        chosen = LeadTimeModel(model)
        if chosen is not LeadTimeModel.PARAMETRIC and rng is None:
            raise ValueError(f"the {chosen.value} model needs rng=numpy.random.Generator")
        if chosen is LeadTimeModel.BOOTSTRAP:
            assert rng is not None
            return bootstrap_lead_time_demand(
                self.covered_history,
                lead_time_mean,
                lead_time_std,
                review_period,
                rng,
                n_draws=n_draws,
            )
        parametric = self._parametric(
            lead_time_mean,
            lead_time_std,
            review_period,
            known,
            baseline_share,
            known_variance,
            pools,
        )
        if chosen is LeadTimeModel.PARAMETRIC:
            return parametric
        assert rng is not None
        sparse = np.isin(
            self.segments.demand_class,
            [DemandClass.INTERMITTENT, DemandClass.LUMPY, DemandClass.NEW],
        ) & (self.n_demands < self.config.min_parametric_demands)
        if self.parent is not None:  # a parent's demand is its subtree's: parametric
            sparse &= ~has_children(self.parent)
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
        pools: Sequence[ErrorPools] | None = None,
    ) -> DemandDistribution:
        protection = np.asarray(lead_time_mean, dtype=np.float64) + np.asarray(
            review_period, dtype=np.float64
        )
        overlay = (known, baseline_share, known_variance)
        levels = self.echelon_periods(protection)
        if pools is not None and len(pools) < len(levels):
            raise ValueError(f"{len(levels)} echelon levels but pools for {len(pools)}")
        forecast, variance = self._own_demand(protection, *overlay, _at(pools, 0))
        for level, (periods, pairs) in enumerate(levels[1:], start=1):
            # add each subtree member's demand over its ancestor's protection interval
            path, member = self._own_demand(periods, *overlay, _at(pools, level))
            np.add.at(forecast, pairs.ancestor, path[pairs.member])
            np.add.at(variance, pairs.ancestor, member[pairs.member])
        family = choose_family(
            self.segments.demand_class,
            interval_mean(forecast, protection),
            self.integer_valued,
            normal_min_mean=self.config.normal_min_mean,
        )
        return parametric_lead_time_demand(
            forecast, variance, lead_time_mean, lead_time_std, review_period, family
        )

    def _own_demand(
        self,
        periods: FloatArray,
        known: ArrayLike | None,
        baseline_share: ArrayLike,
        known_variance: ArrayLike | None,
        pools: ErrorPools | None = None,
    ) -> tuple[FloatArray, FloatArray]:
        """Each series' own forecast path (bias-corrected, known demand overlaid) [units/period]
        and the error variance of its cumulative forecast over ``periods`` [units²]."""
        errors = self.protection_errors(periods, pools)
        forecast, variance = self.forecast * errors.mean_factor[:, None], errors.variance
        if known is not None:
            overlaid = overlay_known_demand(forecast, 0.0, known, baseline_share)
            base = interval_mean(forecast, periods)
            rest = interval_mean(overlaid.remainder, periods)
            with np.errstate(invalid="ignore", divide="ignore"):
                variance = variance * np.where(base > 0, (rest / base) ** 2, 1.0)
            forecast = overlaid.mean
        if known_variance is not None:
            variance = variance + interval_mean(known_variance, periods)
        return forecast, np.asarray(variance, dtype=np.float64)

    @property
    def covered_history(self) -> FloatArray:
        """The history each stock point covered: its own, plus its subtree's for parents."""
        if self.parent is None:
            return self.history
        rolled = echelon_demand(np.nan_to_num(self.history, nan=0.0), self.parent)  # NaN: 0
        return np.where(has_children(self.parent)[:, None], rolled, self.history)

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


def _at(pools: Sequence[ErrorPools] | None, level: int) -> ErrorPools | None:
    return None if pools is None else pools[level]


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
    cfg = config or DemandConfig()
    evidence = demand_evidence(
        y,
        cfg,
        unit_cost=unit_cost,
        criticality=criticality,
        risk_class=risk_class,
        is_cold_chain=is_cold_chain,
        is_active=is_active,
        periods_since_launch=periods_since_launch,
        category=category,
        candidates=candidates,
    )
    context = demand_context(DemandSummary.of(evidence), cfg)
    return plan_from_evidence(evidence, context, candidates)


def plan_from_evidence(
    evidence: DemandEvidence,
    context: DemandContext,
    candidates: dict[Method, Forecaster] | None = None,
) -> DemandPlan:
    """Fit the chosen methods and forecast (step 4 of :mod:`.evidence`).

    ``context`` holds the panel-wide decisions for exactly the series of ``evidence`` (for a
    part of a larger panel: the larger panel's context, :meth:`~.evidence.DemandContext.take`).
    """
    cfg, values = evidence.config, evidence.values
    n_series = len(values)
    forecasters = candidates or registry(cfg.period)
    choice = context.choice
    groups = _fit_groups(
        values, choice.method, forecasters, evidence.category, evidence.launch, cfg, context
    )
    forecast, sigma = _assemble(groups, n_series, cfg.horizon)
    return DemandPlan(
        segments=context.apply(evidence.segments),
        segmentation=classify(
            values,
            adi_cutoff=cfg.thresholds.adi_cutoff,
            cv2_cutoff=cfg.thresholds.cv2_cutoff,
            min_periods=cfg.thresholds.min_periods,
        ),
        backtest=evidence.backtest,
        choice=choice,
        forecast=forecast,
        sigma=sigma,
        integer_valued=integer_valued(values),
        groups=groups,
        history=values,
        config=cfg,
    )


def _fit_groups(
    values: FloatArray,
    method: NDArray[np.object_],
    forecasters: dict[Method, Forecaster],
    category: ArrayLike | None,
    launch: FloatArray | None,
    cfg: DemandConfig,
    context: DemandContext,
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
                category=codes,
                launch=launch,
                profiles=context.profiles,
                length=cfg.new_item_length,
                max_horizon=cfg.horizon,
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
