r"""Rolling-origin evaluation of many forecasters over a panel, and method choice by evidence.

**Design** (Tashman 2000, "rolling origin with fixed parameters"): the last ``n_origins``
origins, ``step`` periods apart, each forecast ``horizon`` periods ahead, the last window
ending at the end of the history. Each method is *fitted once* on the data before the first
origin (parameters, model choice, error scale: no look-ahead) and then its recursion runs
through the evaluation span, so the state at every origin uses only data before it
(:meth:`~replenlib.demand.forecasters.FittedPanel.replay`). Scaled metrics use the training
span before the first origin.

Quantile forecasts for the pinball loss come from each method's per-period predictive
distribution: mean :math:`\hat y_{o+h-1\mid o}`, variance :math:`\sigma^2 (1 + \sum_{j<h} c_j^2)`
(:meth:`~replenlib.demand.paths.PanelPath.horizon_variance_factor`) with :math:`\sigma` the
one-step RMSE on the training span, in the family the lead-time layer uses for the series.

**Choice.** Per demand class, the *class winner* is the method with the lowest mean criterion
over the class's series. A series takes its own best method only if that beats the class
winner on the series by at least ``min_gain`` (relative); otherwise the class winner. This
shrinkage keeps a noisy backtest from flipping methods between runs. Series in class *new*
take the new-item method, series without demand the zero forecast.

References
----------
Tashman, L. J. (2000). Out-of-sample tests of forecasting accuracy: an analysis and review.
*International Journal of Forecasting* 16(4), 437–450.
Petropoulos, F., Hyndman, R. J. & Bergmeir, C. (2018). Exploring the sources of uncertainty:
why does bagging for time series forecasting work? *EJOR* 268(2) (selection by evidence).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
from numpy.typing import ArrayLike, NDArray

from replenlib.demand.distributions import DemandDistribution
from replenlib.demand.forecasters import FittedPanel, Forecaster, Method
from replenlib.demand.metrics import POINT_METRICS, ScaledPinball
from replenlib.demand.paths import FloatArray
from replenlib.demand.segmentation import DemandClass


class Criterion(StrEnum):
    """Backtest score that picks the method (lower is better)."""

    RMSSE = "rmsse"
    MASE = "mase"
    PINBALL = "pinball"  #: the mean scaled pinball loss over the configured quantiles


@dataclass(frozen=True)
class BacktestConfig:
    """Where to cut the history and what to score."""

    horizon: int = 13  #: periods ahead per origin
    n_origins: int = 6  #: forecast origins
    step: int = 4  #: periods between origins
    min_train: int = 26  #: periods before the first origin at least
    quantiles: tuple[float, ...] = (0.5, 0.9)  #: levels scored by the pinball loss
    seasonality: int = 1  #: lag of the naive forecast that scales MASE / RMSSE


@dataclass(frozen=True)
class BacktestResult:
    """Scores per method and series.

    Attributes
    ----------
    methods : the evaluated methods, in score-row order
    scores : metric name → (methods, series) per-series scores (NaN = not evaluable)
    origins : the forecast origins used
    n_points : (series,) evaluated (origin, horizon) points with an actual value
    """

    methods: tuple[Method, ...]
    scores: dict[str, FloatArray]
    origins: NDArray[np.int64]
    n_points: NDArray[np.int64]

    def score(self, metric: str, method: Method) -> FloatArray:
        """(series,) scores of one method."""
        row: FloatArray = self.scores[metric][self.methods.index(method)]
        return row


def origins_for(n_periods: int, config: BacktestConfig) -> NDArray[np.int64]:
    """The rolling origins (fewer when the history is short; empty when too short)."""
    last = n_periods - config.horizon
    origins = last - config.step * np.arange(config.n_origins)[::-1]
    return np.asarray(origins[origins >= config.min_train], dtype=np.int64)


def rolling_origin(
    y: ArrayLike,
    forecasters: Mapping[Method, Forecaster],
    *,
    config: BacktestConfig = BacktestConfig(),
    family: ArrayLike | None = None,
) -> BacktestResult:
    """Evaluate each forecaster on the panel ``y`` (module docstring).

    ``family`` gives the predictive family per series for the pinball loss (default: normal).
    """
    values = np.asarray(y, dtype=np.float64)
    origins = origins_for(values.shape[1], config)
    methods = tuple(forecasters)
    names = [*POINT_METRICS, *(ScaledPinball(q).name for q in config.quantiles)]
    scores = {name: np.full((len(methods), len(values)), np.nan) for name in names}
    if len(origins) == 0:
        return BacktestResult(methods, scores, origins, np.zeros(len(values), np.int64))
    train = values[:, : origins[0]]
    index = origins[:, None] + np.arange(config.horizon)[None, :]
    actual = values[:, index]
    for row, method in enumerate(methods):
        fitted = forecasters[method].fit(train)
        path = fitted.replay(values)
        forecast = path.forecast_at(origins, config.horizon)
        forecast = np.where(np.isnan(forecast) & ~np.isnan(actual), 0.0, forecast)
        for name, metric in POINT_METRICS.items():
            scores[name][row] = metric(actual, forecast, train, seasonality=config.seasonality)
        for q in config.quantiles:
            quantile = _quantile_forecast(
                forecast, fitted, path.horizon_variance_factor(config.horizon), q, family
            )
            pinball = ScaledPinball(q)
            scores[pinball.name][row] = pinball(
                actual, quantile, train, seasonality=config.seasonality
            )
    n_points = np.sum(~np.isnan(actual), axis=(1, 2))
    return BacktestResult(methods, scores, origins, n_points.astype(np.int64))


def _quantile_forecast(
    mean: FloatArray,
    fitted: FittedPanel,
    factor: FloatArray,
    q: float,
    family: ArrayLike | None,
) -> FloatArray:
    """q-quantiles of the per-period predictive distributions, shape of ``mean``."""
    n_series, n_origins, _ = mean.shape
    sigma = np.nan_to_num(fitted.sigma, nan=0.0)
    variance = (sigma[:, None] ** 2 * factor)[:, None, :] * np.ones((1, n_origins, 1))
    fam = (
        np.full(n_series, "normal", dtype=object)
        if family is None
        else np.asarray(family, dtype=object)
    )
    level = np.nan_to_num(mean, nan=0.0)
    # flat methods repeat one (mean, variance) over the horizon: one quantile per origin
    flat = bool(np.all(level == level[..., :1]) and np.all(variance == variance[..., :1]))
    if flat:
        level, variance = level[..., :1], variance[..., :1]
    steps = level.shape[2]
    dist = DemandDistribution(
        family=np.repeat(fam, n_origins * steps), mean=level.ravel(), variance=variance.ravel()
    )
    quantile = np.maximum(dist.quantile(q), 0.0).reshape(level.shape)
    return np.broadcast_to(quantile, mean.shape).copy()


@dataclass(frozen=True)
class MethodChoice:
    """The method per series and the evidence behind it.

    Attributes
    ----------
    method : (series,) chosen :class:`Method` values
    class_winner : demand class → the method that won the class
    criterion : the score used
    chosen_score : (series,) criterion of the chosen method (NaN without evidence)
    """

    method: NDArray[np.object_]
    class_winner: dict[str, Method]
    criterion: Criterion
    chosen_score: FloatArray = field(repr=False)


#: Methods a class falls back to when the backtest has no evidence for it.
DEFAULT_BY_CLASS: Mapping[DemandClass, Method] = {
    DemandClass.SMOOTH: Method.SES,
    DemandClass.ERRATIC: Method.SES,
    DemandClass.INTERMITTENT: Method.SBA,
    DemandClass.LUMPY: Method.SBA,
    DemandClass.NEW: Method.NEW_ITEM,
    DemandClass.NO_DEMAND: Method.ZERO,
}


def criterion_scores(result: BacktestResult, criterion: Criterion) -> FloatArray:
    """(methods, series) scores of the criterion."""
    criterion = Criterion(criterion)
    if criterion is Criterion.PINBALL:
        names = [k for k in result.scores if k.startswith("pinball_")]
        return np.asarray(np.mean([result.scores[k] for k in names], axis=0), dtype=np.float64)
    return result.scores[criterion.value]


def choose_methods(
    result: BacktestResult,
    demand_class: ArrayLike,
    *,
    lifecycle: ArrayLike | None = None,
    criterion: Criterion = Criterion.RMSSE,
    min_gain: float = 0.05,
    min_group: int = 20,
) -> MethodChoice:
    """Method per series by evidence, shrunk to its group's winner (module docstring).

    Groups are demand classes; with ``lifecycle``, series that are new, growing or declining
    form their own group within their class (``smooth/growth``) when it has at least
    ``min_group`` series with evidence — a ramping item is not shrunk to the long-memory
    method that suits its mature peers.
    """
    criterion = Criterion(criterion)
    return choose_from_scores(
        criterion_scores(result, criterion),
        result.methods,
        demand_class,
        lifecycle=lifecycle,
        criterion=criterion,
        min_gain=min_gain,
        min_group=min_group,
    )


def choose_from_scores(
    table: FloatArray,
    methods: tuple[Method, ...],
    demand_class: ArrayLike,
    *,
    lifecycle: ArrayLike | None = None,
    criterion: Criterion = Criterion.RMSSE,
    min_gain: float = 0.05,
    min_group: int = 20,
) -> MethodChoice:
    """:func:`choose_methods` from the (methods, series) criterion ``table`` alone."""
    classes = np.asarray(demand_class, dtype=object)
    evidence = np.isfinite(table).any(axis=0)
    method = np.empty(len(classes), dtype=object)
    chosen = np.full(len(classes), np.nan)
    winners: dict[str, Method] = {}
    stages = None if lifecycle is None else np.asarray(lifecycle, dtype=object).astype(str)
    for klass in DemandClass:  # a loop over six classes (and their stages), each vectorised
        members = classes == klass
        if not members.any():
            continue
        winner = _class_winner(table[:, members], methods, DEFAULT_BY_CLASS[klass], klass)
        winners[klass.value] = winner
        groups = [(members, winner)]
        for stage in ("new", "growth", "decline") if stages is not None else ():
            sub = members & (stages == stage)
            if (sub & evidence).sum() >= min_group:
                sub_winner = _class_winner(table[:, sub], methods, winner, klass)
                winners[f"{klass.value}/{stage}"] = sub_winner
                groups.append((sub, sub_winner))
        for rows, best in groups:  # later (finer) groups overwrite their members
            method[rows], chosen[rows] = _per_series(table[:, rows], methods, best, min_gain)
    names = np.asarray([Method(m).value for m in method], dtype=object)
    return MethodChoice(
        method=names, class_winner=winners, criterion=criterion, chosen_score=chosen
    )


def _class_winner(
    table: FloatArray, methods: tuple[Method, ...], default: Method, klass: DemandClass
) -> Method:
    if klass in (DemandClass.NEW, DemandClass.NO_DEMAND) or not len(methods):
        return default
    with np.errstate(invalid="ignore"):
        means = np.array([np.nanmean(row) if np.isfinite(row).any() else np.inf for row in table])
    return methods[int(np.argmin(means))] if np.isfinite(means).any() else default


def _per_series(
    table: FloatArray, methods: tuple[Method, ...], winner: Method, min_gain: float
) -> tuple[NDArray[np.object_], FloatArray]:
    n = table.shape[1]
    if winner not in methods:
        return np.full(n, winner, dtype=object), np.full(n, np.nan)
    filled = np.where(np.isnan(table), np.inf, table)
    best = np.argmin(filled, axis=0)
    best_score = filled[best, np.arange(n)]
    winner_score = table[methods.index(winner)]
    switch = np.isfinite(best_score) & (best_score < (1.0 - min_gain) * winner_score)
    labels = np.asarray(methods, dtype=object)
    chosen = np.where(switch, labels[best], winner)
    return np.asarray(chosen, dtype=object), np.where(switch, best_score, winner_score)
