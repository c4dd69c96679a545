r"""Every forecaster behind one interface: ``fit`` / ``predict`` / ``forecast``, panel in and out.

A forecaster is a frozen dataclass of *parameters* (like statsforecast's model classes); its
:meth:`~Forecaster.fit` takes a panel ``y`` (series × periods, oldest first, non-negative,
NaN = missing) and returns a :class:`FittedPanel` whose :meth:`~FittedPanel.predict` gives
``(series, h)`` forecasts. :meth:`~Forecaster.forecast` is ``fit(y).predict(h)``, with a
closed-form shortcut where one exists. The mathematics lives in the modules named below.

======================  =====================================================  ================
method                  model                                                   module
======================  =====================================================  ================
``naive``               last observation                                        :mod:`.baselines`
``seasonal_naive``      value one season ago                                    :mod:`.baselines`
``historic_average``    mean of the whole history                               :mod:`.baselines`
``ses``                 simple exponential smoothing, α fixed or fitted         :mod:`.smoothing`
``holt``                Holt's linear trend (damped: ``holt_damped``), fitted   :mod:`.ets_fit`
``holt_winters``        additive Holt–Winters, period m, optionally damped      :mod:`.ets_fit`
``auto_ets``            the best of those by AICc, per series                   :mod:`.ets_fit`
``croston``, ``sba``    Croston / Syntetos–Boylan approximation                 :mod:`.intermittent`
``tsb``                 Teunter–Syntetos–Babai                                  :mod:`.intermittent`
``new_item``            category / analogue launch profile × early sales        :mod:`.new_items`
``statsmodels_ets``     per-series statsmodels fit (reference, small panels)    :mod:`~replenlib.demand.reference`
======================  =====================================================  ================

Contract (checked over all forecasters by ``tests/test_demand_forecasters.py``): forecasts are
``(series, h)``, finite and non-negative; a series of zeros forecasts zero; a one-point series
forecasts a finite non-negative value; a series that never starts (all NaN) forecasts zero;
the same input gives the same output.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Protocol, runtime_checkable

import numpy as np
from numpy.typing import ArrayLike

from replenlib.demand import baselines, ets_fit, intermittent, new_items, smoothing
from replenlib.demand.paths import FloatArray, PanelPath


class Method(StrEnum):
    """Forecasting method names, as stored in the ``forecasts`` and backtest tables."""

    ZERO = "zero"
    NAIVE = "naive"
    HISTORIC_AVERAGE = "historic_average"
    SEASONAL_NAIVE = "seasonal_naive"
    SES = "ses"
    HOLT = "holt"
    HOLT_DAMPED = "holt_damped"
    HOLT_WINTERS = "holt_winters"
    AUTO_ETS = "auto_ets"
    CROSTON = "croston"
    SBA = "sba"
    TSB = "tsb"
    NEW_ITEM = "new_item"
    STATSMODELS_ETS = "statsmodels_ets"


@dataclass(frozen=True)
class FittedPanel:
    """A fitted forecaster: its state path, in-sample error and (new items) a future profile.

    Attributes
    ----------
    method : the method
    path : states at every origin (see :class:`~replenlib.demand.paths.PanelPath`)
    sigma : (series,) root mean squared one-step in-sample error [units/period]; NaN when
        the series has no error yet
    future : (series, H) forecasts that replace the path's for ``predict`` (new items)
    model : (series,) model chosen per series (``auto_ets``), else None
    replay_with : runs the fitted model (same parameters and initial states) over a longer
        panel whose first columns are the fit data
    """

    method: Method
    path: PanelPath
    sigma: FloatArray
    future: FloatArray | None = field(default=None, repr=False)
    model: np.ndarray | None = field(default=None, repr=False)
    replay_with: Callable[[FloatArray], PanelPath] | None = field(
        default=None, repr=False, compare=False
    )

    def replay(self, y: ArrayLike) -> PanelPath:
        """The state path of the fitted model over ``y`` (fit data followed by new periods).

        Parameters stay as fitted: the forecast at an origin uses only data before it.
        """
        values = smoothing.as_panel(y)
        if self.replay_with is None:
            raise ValueError(f"{self.method.value} cannot replay its fit on new data")
        return self.replay_with(values)

    def predict(self, horizon: int) -> FloatArray:
        """(series, horizon) non-negative forecasts from the end of the history [units/period]."""
        if self.future is None:
            return self.path.predict(horizon)
        extra = max(0, horizon - self.future.shape[1])
        padded = np.concatenate([self.future, np.repeat(self.future[:, -1:], extra, axis=1)], 1)
        return np.asarray(padded[:, :horizon], dtype=np.float64)

    @property
    def fitted(self) -> FloatArray:
        """(series, T) in-sample one-step forecasts (NaN before a series starts)."""
        return self.path.fitted()

    def take(self, rows: ArrayLike) -> FittedPanel:
        """The fit of the selected rows (no replay: parameters are per panel)."""
        pick = np.asarray(rows)
        return FittedPanel(
            self.method,
            self.path.take(pick),
            self.sigma[pick],
            future=None if self.future is None else self.future[pick],
            model=None if self.model is None else self.model[pick],
        )


@runtime_checkable
class Forecaster(Protocol):
    """What every forecaster offers."""

    @property
    def method(self) -> Method:
        """The method's name."""
        ...

    def fit(self, y: ArrayLike) -> FittedPanel:
        """Fit to a panel (series × periods) and return the fitted panel."""
        ...

    def forecast(self, y: ArrayLike, horizon: int) -> FloatArray:
        """``fit(y).predict(horizon)``: (series, horizon) [units/period]."""
        ...


def fitted_panel(method: Method, path: PanelPath, y: FloatArray, **extra: object) -> FittedPanel:
    """Wrap a path with its one-step RMSE over each series' observed periods."""
    errors = y - path.fitted()
    count = np.sum(~np.isnan(errors), axis=1)
    with np.errstate(invalid="ignore"):
        sigma = np.where(
            count > 0, np.sqrt(np.nansum(errors**2, axis=1) / np.maximum(count, 1)), np.nan
        )
    return FittedPanel(method, path, sigma, **extra)  # type: ignore[arg-type]


class _Base:
    """``forecast`` as ``fit().predict()`` unless a subclass has a shortcut."""

    def fit(self, y: ArrayLike) -> FittedPanel:  # pragma: no cover - overridden
        raise NotImplementedError

    def forecast(self, y: ArrayLike, horizon: int) -> FloatArray:
        return self.fit(y).predict(horizon)


@dataclass(frozen=True)
class Naive(_Base):
    """Last observation."""

    @property
    def method(self) -> Method:
        """The method name, ``naive``."""
        return Method.NAIVE

    def fit(self, y: ArrayLike) -> FittedPanel:
        """Fit the naive path to ``y`` (series × periods) [units/period]."""
        values = smoothing.as_panel(y)
        return fitted_panel(
            self.method, baselines.naive(values), values, replay_with=baselines.naive
        )


@dataclass(frozen=True)
class HistoricAverage(_Base):
    """Mean of every observation since the series start."""

    @property
    def method(self) -> Method:
        """The method name, ``historic_average``."""
        return Method.HISTORIC_AVERAGE

    def fit(self, y: ArrayLike) -> FittedPanel:
        """Fit the running mean of ``y`` (series × periods) [units/period]."""
        values = smoothing.as_panel(y)
        path = baselines.historic_average(values)
        return fitted_panel(self.method, path, values, replay_with=baselines.historic_average)


@dataclass(frozen=True)
class SeasonalNaive(_Base):
    """Value one season (``period`` periods) ago; naive before a full season."""

    period: int = 52

    @property
    def method(self) -> Method:
        """The method name, ``seasonal_naive``."""
        return Method.SEASONAL_NAIVE

    def fit(self, y: ArrayLike) -> FittedPanel:
        """Fit the seasonal naive path (season ``period`` [periods]) to ``y`` [units/period]."""
        values = smoothing.as_panel(y)

        def run(panel: FloatArray) -> PanelPath:
            return baselines.seasonal_naive(panel, self.period)

        return fitted_panel(self.method, run(values), values, replay_with=run)


@dataclass(frozen=True)
class SES(_Base):
    """Simple exponential smoothing; ``alpha`` None = fitted per series (ETS(A,N,N) search)."""

    alpha: float | None = 0.1

    @property
    def method(self) -> Method:
        """The method name, ``ses``."""
        return Method.SES

    def fit(self, y: ArrayLike) -> FittedPanel:
        """Fit SES to ``y`` [units/period]; ``alpha`` None estimates α per series."""
        values = smoothing.as_panel(y)
        if self.alpha is None:
            spec = ets_fit.fit_spec(values, ets_fit.SES_SPEC)
            alpha: FloatArray | float = spec.params["alpha"]
        else:
            alpha = self.alpha

        def run(panel: FloatArray) -> PanelPath:
            return smoothing.ses(panel, alpha)

        return fitted_panel(self.method, run(values), values, replay_with=run)

    def forecast(self, y: ArrayLike, horizon: int) -> FloatArray:
        """(series, horizon) flat SES forecasts [units/period] (closed form for a fixed α)."""
        if self.alpha is None:
            return self.fit(y).predict(horizon)
        level = np.maximum(smoothing.ses_level(y, self.alpha), 0.0)
        return np.repeat(level[:, None], horizon, axis=1)


@dataclass(frozen=True)
class Holt(_Base):
    """Holt's linear trend (``damped``: Gardner–McKenzie), parameters fitted per series."""

    damped: bool = False

    @property
    def method(self) -> Method:
        """The method name, ``holt`` or ``holt_damped``."""
        return Method.HOLT_DAMPED if self.damped else Method.HOLT

    def fit(self, y: ArrayLike) -> FittedPanel:
        """Fit Holt's (damped) trend per series to ``y`` [units/period] by AICc search."""
        spec = ets_fit.DAMPED_SPEC if self.damped else ets_fit.HOLT_SPEC
        return _fit_specs(self.method, y, (spec,), period=1)


@dataclass(frozen=True)
class HoltWinters(_Base):
    """Additive Holt–Winters with season length ``period``, parameters fitted per series."""

    period: int = 52
    damped: bool = False

    @property
    def method(self) -> Method:
        """The method name, ``holt_winters``."""
        return Method.HOLT_WINTERS

    def fit(self, y: ArrayLike) -> FittedPanel:
        """Fit additive Holt–Winters per series to ``y`` [units/period]; season ``period``."""
        spec = (
            ets_fit.DAMPED_SEASONAL_SPEC
            if self.damped
            else ets_fit.EtsSpec(ets_fit.TrendKind.ADDITIVE, ets_fit.SeasonKind.ADDITIVE)
        )
        return _fit_specs(self.method, y, (spec,), period=self.period, min_seasonal_cycles=1.0)


@dataclass(frozen=True)
class AutoETS(_Base):
    """Model (SES, Holt, damped Holt, seasonal, damped seasonal) and parameters by AICc."""

    period: int = 52
    specs: tuple[ets_fit.EtsSpec, ...] = ets_fit.DEFAULT_SPECS
    min_seasonal_cycles: float = 1.5

    @property
    def method(self) -> Method:
        """The method name, ``auto_ets``."""
        return Method.AUTO_ETS

    def fit(self, y: ArrayLike) -> FittedPanel:
        """Fit every spec per series to ``y`` [units/period] and keep the lowest AICc."""
        return _fit_specs(
            self.method,
            y,
            self.specs,
            period=self.period,
            min_seasonal_cycles=self.min_seasonal_cycles,
        )


def _fit_specs(
    method: Method,
    y: ArrayLike,
    specs: tuple[ets_fit.EtsSpec, ...],
    *,
    period: int,
    min_seasonal_cycles: float = 1.5,
) -> FittedPanel:
    values = smoothing.as_panel(y)
    fit = ets_fit.auto_ets(
        values, period=period, specs=specs, min_seasonal_cycles=min_seasonal_cycles
    )

    def run(panel: FloatArray) -> PanelPath:
        return _renamed(fit.replay(panel), method)

    return fitted_panel(
        method, _renamed(fit.path, method), values, model=fit.model, replay_with=run
    )


def _renamed(path: PanelPath, method: Method) -> PanelPath:
    return replace(path, method=method.value)


@dataclass(frozen=True)
class Croston(_Base):
    """Croston's method with smoothing ``alpha`` for sizes and intervals."""

    alpha: float = 0.1

    @property
    def method(self) -> Method:
        """The method name, ``croston``."""
        return Method.CROSTON

    def fit(self, y: ArrayLike) -> FittedPanel:
        """Fit Croston's size and interval smoothing to ``y`` [units/period]."""
        values = smoothing.as_panel(y)

        def run(panel: FloatArray) -> PanelPath:
            return intermittent.croston(panel, self.alpha)

        return fitted_panel(self.method, run(values), values, replay_with=run)

    def forecast(self, y: ArrayLike, horizon: int) -> FloatArray:
        """(series, horizon) flat Croston forecasts [units/period] from the closed form."""
        rate = intermittent.croston_rate(y, self.alpha)
        return np.repeat(rate[:, None], horizon, axis=1)


@dataclass(frozen=True)
class SBA(_Base):
    """Syntetos–Boylan approximation (Croston × (1 − α/2))."""

    alpha: float = 0.1

    @property
    def method(self) -> Method:
        """The method name, ``sba``."""
        return Method.SBA

    def fit(self, y: ArrayLike) -> FittedPanel:
        """Fit the Syntetos–Boylan approximation to ``y`` [units/period]."""
        values = smoothing.as_panel(y)

        def run(panel: FloatArray) -> PanelPath:
            return intermittent.sba(panel, self.alpha)

        return fitted_panel(self.method, run(values), values, replay_with=run)

    def forecast(self, y: ArrayLike, horizon: int) -> FloatArray:
        """(series, horizon) flat SBA forecasts [units/period] from the closed form."""
        rate = intermittent.croston_rate(y, self.alpha, sba=True)
        return np.repeat(rate[:, None], horizon, axis=1)


@dataclass(frozen=True)
class TSB(_Base):
    """Teunter–Syntetos–Babai: size smoothed with ``alpha``, probability with ``beta``."""

    alpha: float = 0.1
    beta: float = 0.1

    @property
    def method(self) -> Method:
        """The method name, ``tsb``."""
        return Method.TSB

    def fit(self, y: ArrayLike) -> FittedPanel:
        """Fit TSB (size and demand probability) to ``y`` [units/period]."""
        values = smoothing.as_panel(y)

        def run(panel: FloatArray) -> PanelPath:
            return intermittent.tsb(panel, self.alpha, self.beta)

        return fitted_panel(self.method, run(values), values, replay_with=run)

    def forecast(self, y: ArrayLike, horizon: int) -> FloatArray:
        """(series, horizon) flat TSB forecasts [units/period] from the closed form."""
        rate = intermittent.tsb_rate(y, self.alpha, self.beta)
        return np.repeat(rate[:, None], horizon, axis=1)


@dataclass(frozen=True)
class NewItem(_Base):
    """Launch-profile forecast for new items (:mod:`.new_items`).

    ``category`` (integer codes per series) and ``analogue`` (row index per series) describe
    the panel this forecaster will be fitted to; the in-sample path is SES(``alpha``) so that
    backtests and error estimates have something to work with.
    """

    category: np.ndarray | None = field(default=None, compare=False)
    analogue: np.ndarray | None = field(default=None, compare=False)
    launch: np.ndarray | None = field(default=None, compare=False)  #: launch period per series
    #: category profiles of a larger panel this one is part of (default: this panel's own)
    profiles: new_items.LaunchProfiles | None = field(default=None, compare=False)
    length: int = 26
    alpha: float = 0.2
    max_horizon: int = 104

    @property
    def method(self) -> Method:
        """The method name, ``new_item``."""
        return Method.NEW_ITEM

    def fit(self, y: ArrayLike) -> FittedPanel:
        """Fit launch profiles to ``y`` [units/period]; the in-sample path is SES(``alpha``)."""
        values = smoothing.as_panel(y)
        future = new_items.new_item_forecast(
            values,
            self.max_horizon,
            category=self.category,
            analogue=self.analogue,
            launch=self.launch,
            length=self.length,
            profiles=self.profiles,
        )

        def run(panel: FloatArray) -> PanelPath:
            return _renamed(smoothing.ses(panel, self.alpha), self.method)

        return fitted_panel(self.method, run(values), values, future=future, replay_with=run)


def registry(period: int = 52) -> dict[Method, Forecaster]:
    """One default-parameter forecaster per method (the backtest's candidate set)."""
    return {
        Method.NAIVE: Naive(),
        Method.HISTORIC_AVERAGE: HistoricAverage(),
        Method.SEASONAL_NAIVE: SeasonalNaive(period),
        Method.SES: SES(alpha=None),
        Method.HOLT_DAMPED: Holt(damped=True),
        Method.AUTO_ETS: AutoETS(period),
        Method.CROSTON: Croston(),
        Method.SBA: SBA(),
        Method.TSB: TSB(),
    }


def in_sample_fit(method: Method | str, y: ArrayLike, *, period: int = 52) -> FloatArray:
    """One-step in-sample forecasts (series, T) of ``method`` refitted on ``y`` (for charts).

    The registry's forecaster of the method; ``new_item`` shows its SES path (its future
    comes from launch profiles), ``zero`` zeros. Every series' fit is independent of the
    others', so refitting a few series reproduces the nightly fit.
    """
    values = smoothing.as_panel(y)
    name = Method(method)
    if name is Method.ZERO:
        return np.zeros_like(values)
    candidates = registry(period)
    forecaster: Forecaster = candidates.get(name, NewItem())
    return forecaster.fit(values).fitted
