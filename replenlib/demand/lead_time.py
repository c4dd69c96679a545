r"""Demand over the protection interval (lead time + review period) as a distribution per series.

**Parametric model.** With per-period forecasts :math:`\hat y_{T+h}`, a lead time of mean
:math:`L` and standard deviation :math:`\sigma_L` and a review period :math:`R` (all in
periods), demand over the protection interval :math:`P = L + R` has

.. math::

    \mu = \sum_{h=1}^{\lceil P \rceil} w_h\, \hat y_{T+h}, \qquad
    \sigma^2 = \mathrm{MSE}_P + \bar d^{\,2} \sigma_L^2, \qquad \bar d = \mu / P,

with :math:`w_h = \min(1, P - h + 1)` (a fractional last period). :math:`\mathrm{MSE}_P` is the
mean squared error of the method's own *cumulative* forecasts over :math:`P` periods, measured
on the history (:func:`cumulative_error_variance`): it contains the demand variability
*and* the forecast's estimation error, which grows with :math:`P^2` rather than :math:`P`. For
independent errors it reduces to the textbook :math:`P\sigma_d^2`, i.e. the classic

.. math:: \sigma^2 = L\,\sigma_d^2 + d^2 \sigma_L^2

(Silver, Pyke & Thomas 2017, section 6.10), which is also the fall-back when the history holds
fewer than ``min_windows`` windows. :func:`choose_family` picks the family: normal for smooth,
high-volume series; negative binomial (integer demand) or gamma for intermittent, lumpy or
low-volume ones — moment-matched in :class:`~replenlib.demand.distributions.DemandDistribution`.

**Bootstrap model** (:func:`bootstrap_lead_time_demand`). Demand sizes and inter-demand
intervals are resampled from each series' own history, read as a circular record so that
every interval is complete. The first demand after "now" is the distance from a uniformly
random period to the next demand in the record — exactly the forward-recurrence time of the
empirical renewal process — and later demands follow at resampled intervals; the lead time
of each draw is gamma with mean :math:`L` and standard deviation :math:`\sigma_L`. Each draw
sums the sizes of the demands that fall within :math:`L + R`. Its mean equals the
historical demand rate times :math:`L + R`.

References
----------
Silver, E. A., Pyke, D. F. & Thomas, D. J. (2017). *Inventory and Production Management in
Supply Chains*, 4th ed., sections 6.10 and 6.11. CRC Press.
Syntetos, A. A. & Boylan, J. E. (2006). On the stock control performance of intermittent
demand estimators. *International Journal of Production Economics* 103(1), 36–47 (lead-time
forecast error MSE).
Willemain, T. R., Smart, C. N. & Schwarz, H. F. (2004). A new approach to forecasting
intermittent demand for service parts inventories. *International Journal of Forecasting*
20(3), 375–387 (bootstrapping intermittent demand).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from numpy.typing import ArrayLike, NDArray

from replenlib.demand.distributions import DemandDistribution, Family
from replenlib.demand.error_pools import pooled_table
from replenlib.demand.keyed import KeyedDraws
from replenlib.demand.paths import FloatArray, PanelPath
from replenlib.demand.segmentation import DemandClass
from replenlib.demand.smoothing import start_index

#: Rows evaluated at once by :func:`cumulative_error_variance` (bounds memory).
_CHUNK = 2000


class LeadTimeModel(StrEnum):
    """How the lead-time demand distribution is built."""

    PARAMETRIC = "parametric"  #: moment-matched family per series
    BOOTSTRAP = "bootstrap"  #: resampled sizes and intervals for every series
    AUTO = "auto"  #: parametric, bootstrap for sparse series with few demands


@dataclass(frozen=True)
class CumulativeErrors:
    """Errors of a method's cumulative forecasts over the protection interval, per series.

    Attributes
    ----------
    mse : mean squared error [units²] (NaN with fewer than ``min_windows`` windows)
    error_sum : sum over windows of actual − forecast [units]
    forecast_sum : sum over windows of the cumulative forecast [units]
    windows : number of windows
    """

    mse: FloatArray
    error_sum: FloatArray
    forecast_sum: FloatArray
    windows: NDArray[np.int64]


def window_length(periods: ArrayLike) -> int:
    """The window :func:`cumulative_errors` evaluates for ``periods`` [periods]: the longest
    protection interval, rounded up (at least 1)."""
    length = np.asarray(periods, dtype=np.float64)
    return max(1, int(np.ceil(length.max(initial=1.0))))


def cumulative_errors(
    path: PanelPath,
    y: ArrayLike,
    periods: ArrayLike,
    *,
    n_origins: int = 52,
    min_windows: int = 8,
    longest: int | None = None,
) -> CumulativeErrors:
    r"""Errors of cumulative forecasts over ``periods`` per series, measured on the history.

    For the last ``n_origins`` origins :math:`o` with a complete window of ``longest`` periods
    (default: :func:`window_length` of ``periods``), the error is
    :math:`\sum_{h \le P} (y_{o+h-1} - \hat y_{o+h-1 \mid o})`; a fractional :math:`P`
    interpolates linearly between the neighbouring whole windows (and :math:`P < 1` scales the
    one-period statistics by :math:`P`). The origins depend on ``longest``, so a part of a
    panel passes the whole panel's to get the same numbers (:mod:`.error_pools`).
    """
    values = np.asarray(y, dtype=np.float64)
    length = np.broadcast_to(np.asarray(periods, dtype=np.float64), (len(values),))
    n_periods = values.shape[1]
    own = window_length(length)
    if longest is not None and longest < own:
        raise ValueError(f"window of {longest} periods is shorter than the periods ({own})")
    longest = own if longest is None else longest
    last = n_periods - longest
    n = len(values)
    out = CumulativeErrors(np.full(n, np.nan), np.zeros(n), np.zeros(n), np.zeros(n, np.int64))
    if last < 1:
        return out
    origins = np.arange(max(1, last - n_origins + 1), last + 1)
    for lo in range(0, n, _CHUNK):
        rows = slice(lo, min(lo + _CHUNK, n))
        part = _chunk_errors(path, values, rows, origins, longest, length[rows], min_windows)
        out.mse[rows], out.error_sum[rows] = part.mse, part.error_sum
        out.forecast_sum[rows], out.windows[rows] = part.forecast_sum, part.windows
    return out


def cumulative_error_variance(
    path: PanelPath, y: ArrayLike, periods: ArrayLike, *, n_origins: int = 52, min_windows: int = 8
) -> FloatArray:
    """MSE of cumulative forecasts over ``periods`` per series [units²] (see
    :func:`cumulative_errors`); NaN where fewer than ``min_windows`` windows exist."""
    return cumulative_errors(path, y, periods, n_origins=n_origins, min_windows=min_windows).mse


def _chunk_errors(
    path: PanelPath,
    values: FloatArray,
    rows: slice,
    origins: NDArray[np.int64],
    longest: int,
    length: FloatArray,
    min_windows: int,
) -> CumulativeErrors:
    forecast = np.cumsum(path.take(rows).forecast_at(origins, longest), axis=2)
    index = origins[:, None] + np.arange(longest)[None, :]
    error = np.cumsum(values[rows][:, index], axis=2) - forecast  # NaN: missing value or no start
    valid = ~np.isnan(error)
    count = valid.sum(axis=1)  # (series, longest)

    def at_length(table: FloatArray) -> FloatArray:
        """Statistic by window length 1..longest, interpolated at each series' length."""
        padded = np.concatenate([np.zeros((len(table), 1)), table], axis=1)  # 0 periods: 0
        low = np.clip(np.floor(length).astype(np.int64), 0, longest)
        high = np.clip(low + 1, 0, longest)
        frac = length - low
        r = np.arange(len(table))
        value = (1 - frac) * padded[r, low] + frac * padded[r, high]
        return np.asarray(np.where(length < 1, length * padded[:, 1], value), dtype=np.float64)

    mse = at_length(np.nansum(error**2, axis=1) / np.maximum(count, 1))
    windows = count[
        np.arange(len(count)), np.clip(np.ceil(length).astype(np.int64) - 1, 0, longest - 1)
    ]
    return CumulativeErrors(
        mse=np.where(windows >= min_windows, mse, np.nan),
        error_sum=at_length(np.nansum(error, axis=1)),
        forecast_sum=at_length(np.nansum(np.where(valid, forecast, 0.0), axis=1)),
        windows=windows.astype(np.int64),
    )


def interval_mean(forecast: ArrayLike, periods: ArrayLike) -> FloatArray:
    """:math:`\\mu = \\sum_h w_h \\hat y_{T+h}` over ``periods`` (fractional last period) [units].

    ``forecast`` is (series, H) per-period forecasts with H ≥ ceil(max periods); beyond H the
    last column is repeated.
    """
    f = np.asarray(forecast, dtype=np.float64)
    p = np.broadcast_to(np.asarray(periods, dtype=np.float64), (len(f),))
    needed = max(1, int(np.ceil(p.max(initial=1.0))))
    if f.shape[1] < needed:
        f = np.concatenate([f, np.repeat(f[:, -1:], needed - f.shape[1], axis=1)], axis=1)
    weights = np.clip(p[:, None] - np.arange(f.shape[1])[None, :], 0.0, 1.0)
    return np.asarray(np.sum(weights * f, axis=1), dtype=np.float64)


def choose_family(
    demand_class: ArrayLike,
    mean: ArrayLike,
    integer_valued: ArrayLike,
    *,
    normal_min_mean: float = 20.0,
) -> NDArray[np.object_]:
    """Family per series: normal for smooth/erratic series with mean ≥ ``normal_min_mean``
    [units over the interval]; otherwise negative binomial for integer demand, else gamma."""
    classes = np.asarray(demand_class, dtype=object)
    sparse = np.isin(classes, [DemandClass.INTERMITTENT, DemandClass.LUMPY, DemandClass.NEW])
    low = np.asarray(mean, dtype=np.float64) < normal_min_mean
    discrete = np.asarray(integer_valued, dtype=bool)
    family = np.where(
        sparse | low,
        np.where(discrete, Family.NEGATIVE_BINOMIAL, Family.GAMMA),
        Family.NORMAL,
    )
    return np.asarray(family, dtype=object)


def parametric_lead_time_demand(
    forecast: ArrayLike,
    error_variance: ArrayLike,
    lead_time_mean: ArrayLike,
    lead_time_std: ArrayLike,
    review_period: ArrayLike,
    family: ArrayLike,
) -> DemandDistribution:
    """Lead-time demand per series by moments (module docstring); all times in periods.

    Parameters
    ----------
    forecast : (series, H) per-period forecasts from the end of the history [units/period]
    error_variance : (series,) variance of the forecast error over the protection interval
        [units²], e.g. the MSE of cumulative forecasts
    lead_time_mean, lead_time_std, review_period : (series,) [periods]
    family : (series,) :class:`~replenlib.demand.distributions.Family` values
    """
    protection = np.asarray(lead_time_mean, dtype=np.float64) + np.asarray(
        review_period, dtype=np.float64
    )
    if np.any(protection < 0) or np.any(np.asarray(lead_time_std) < 0):
        raise ValueError("lead times and review periods must be non-negative")
    mean = interval_mean(forecast, protection)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(protection > 0, mean / protection, 0.0)
    variance = (
        np.asarray(error_variance, dtype=np.float64)
        + rate**2 * np.asarray(lead_time_std, dtype=np.float64) ** 2
    )
    variance = np.where(mean > 0, np.maximum(np.nan_to_num(variance, nan=0.0), 0.0), 0.0)
    return DemandDistribution(
        family=np.asarray(family, dtype=object).copy(),
        mean=np.maximum(mean, 0.0),
        variance=variance,
    )


def bootstrap_lead_time_demand(
    y: ArrayLike,
    lead_time_mean: ArrayLike,
    lead_time_std: ArrayLike,
    review_period: ArrayLike,
    rng: np.random.Generator | KeyedDraws,
    *,
    n_draws: int = 1000,
) -> DemandDistribution:
    """Empirical lead-time demand by resampling sizes and intervals (module docstring).

    ``y`` is (series, T) history [units/period] (NaN counts as zero); times in periods.
    ``rng``: a generator (draws in row order: a row's draws depend on the rows before it) or
    :class:`~replenlib.demand.keyed.KeyedDraws` (each row's own stream: the same
    distribution for a series in any panel, e.g. in any partition of the nightly run).
    """
    raw = np.asarray(y, dtype=np.float64)
    values = np.nan_to_num(raw, nan=0.0)
    n_series = len(values)
    record = _renewal_record(values, np.minimum(start_index(raw), values.shape[1] - 1))
    mean_l = np.broadcast_to(np.asarray(lead_time_mean, dtype=np.float64), (n_series,))
    std_l = np.broadcast_to(np.asarray(lead_time_std, dtype=np.float64), (n_series,))
    draws = _Uniforms(rng, n_series, n_draws)
    horizon = (
        _lead_time_draws(draws, mean_l, std_l)
        + np.broadcast_to(np.asarray(review_period, dtype=np.float64), (n_series,))[:, None]
    )
    now = record.start[:, None] + np.floor(draws.uniform() * record.span[:, None])
    now = now.astype(np.int64)
    arrival = np.take_along_axis(record.next_demand, now, axis=1) - now + 1 - draws.uniform()
    total = np.zeros((n_series, n_draws))
    has_demand = record.n_demands > 0
    while True:
        inside = (arrival <= horizon) & has_demand[:, None]
        if not inside.any():
            break
        total += np.where(inside, _resample(draws, record.sizes, record.n_demands), 0.0)
        arrival = arrival + _resample(draws, record.intervals, record.n_demands)
    return DemandDistribution(
        family=np.full(n_series, Family.EMPIRICAL, dtype=object),
        mean=total.mean(axis=1),
        variance=total.var(axis=1),
        samples=total,
    )


class _Record:
    """Each series' circular renewal record: sizes, intervals and the next demand per period."""

    def __init__(
        self,
        start: NDArray[np.int64],
        span: NDArray[np.int64],
        sizes: FloatArray,
        intervals: FloatArray,
        n_demands: NDArray[np.int64],
        next_demand: NDArray[np.int64],
    ) -> None:
        self.start, self.span, self.sizes, self.intervals = start, span, sizes, intervals
        self.n_demands, self.next_demand = n_demands, next_demand


def _renewal_record(values: FloatArray, start: NDArray[np.int64]) -> _Record:
    """The circular record of each row from its first observed period ``start``."""
    n_series, n_periods = values.shape
    demand = values > 0
    span = n_periods - start
    n_demands = demand.sum(axis=1)
    width = max(1, int(n_demands.max(initial=1)))
    rank = np.cumsum(demand, axis=1) - 1
    rows, cols = np.nonzero(demand)
    sizes = np.zeros((n_series, width))
    sizes[rows, rank[rows, cols]] = values[rows, cols]
    times = np.full((n_series, width), np.nan)
    times[rows, rank[rows, cols]] = cols
    previous = np.concatenate([np.full((n_series, 1), np.nan), times[:, :-1]], axis=1)
    last = times[np.arange(n_series), np.maximum(n_demands - 1, 0)]
    previous[:, 0] = last - span  # circular: the interval that wraps around the record
    intervals = np.nan_to_num(times - previous, nan=1.0)
    big = np.iinfo(np.int64).max // 4
    index = np.where(demand, np.arange(n_periods)[None, :], big)
    following = np.minimum.accumulate(index[:, ::-1], axis=1)[:, ::-1]
    first_time = times[:, 0]
    wrap = np.where(n_demands > 0, first_time + span, big).astype(np.int64)
    next_demand = np.where(following >= big, wrap[:, None], following)
    return _Record(start, span, sizes, intervals, n_demands, next_demand)


class _Uniforms:
    """The bootstrap's (series, draws) random numbers, one stream per use, from a generator
    (in row order) or from keyed draws (per row; see :mod:`replenlib.demand.keyed`)."""

    def __init__(
        self, source: np.random.Generator | KeyedDraws, n_series: int, n_draws: int
    ) -> None:
        self.source, self.shape, self.stream = source, (n_series, n_draws), 0

    def uniform(self) -> FloatArray:
        self.stream += 1
        if isinstance(self.source, KeyedDraws):
            return self.source.uniform(self.stream, self.shape[1])
        return self.source.random(self.shape)

    def gamma(self, shape: FloatArray) -> FloatArray:
        self.stream += 1
        if isinstance(self.source, KeyedDraws):
            return self.source.gamma(self.stream, shape, self.shape[1])
        return self.source.gamma(shape[:, None], 1.0, size=self.shape)


def _resample(draws: _Uniforms, table: FloatArray, n: NDArray[np.int64]) -> FloatArray:
    """Draws with replacement from the first ``n`` entries of each row of ``table``."""
    index = np.floor(draws.uniform() * np.maximum(n, 1)[:, None]).astype(np.int64)
    return np.asarray(np.take_along_axis(table, index, axis=1), dtype=np.float64)


def _lead_time_draws(draws: _Uniforms, mean: FloatArray, std: FloatArray) -> FloatArray:
    """Gamma lead times with the given mean and standard deviation (fixed where std = 0)."""
    variable = (std > 0) & (mean > 0)
    shape = np.where(variable, (mean / np.where(variable, std, 1.0)) ** 2, 1.0)
    scale = np.where(variable, mean / shape, 0.0)
    gamma = draws.gamma(shape) * scale[:, None]
    return np.asarray(np.where(variable[:, None], gamma, mean[:, None]), dtype=np.float64)


@dataclass(frozen=True)
class ProtectionErrors:
    r"""The error model of demand over the protection interval :math:`P`, per series.

    * ``mse``: mean squared error of the method's cumulative forecasts over :math:`P` on the
      history (:func:`~replenlib.demand.lead_time.cumulative_errors`), else :math:`P\sigma_1^2`.
    * ``variance`` :math:`= \kappa_g\, P \sigma_1^2\, \nu/(\nu - 2)`: the one-step MSE
      :math:`\sigma_1^2` (every period of the history, so far less noisy than one series'
      few windows) scaled by :math:`\kappa_g = \sum \mathrm{MSE}/\sum P\sigma_1^2`, pooled
      over the series sharing a method and demand class — how much cumulative errors outgrow
      :math:`P` one-step errors (autocorrelation, the forecast's own estimation error) — and
      by the variance of a Student *t* with :math:`\nu = n_\text{demands} - 1` degrees of
      freedom, for a scale estimated from few demands.
    * ``mean_factor`` :math:`= 1 + \sum e / \sum \hat F`: signed errors over forecasts of the
      cumulative windows, pooled likewise — a method that under-forecasts a class by 5 % on
      the history (SBA's deflation on frequent demand, say) gets its lead-time demand raised
      by 5 %.

    Pooled quantities are clipped (κ to [0.5, 4], the factor to [0.5, 2]).
    """

    mse: FloatArray  #: [units²]
    variance: FloatArray  #: [units²]
    mean_factor: FloatArray  #: [-]


def pooled_ratio(
    numerator: FloatArray,
    denominator: FloatArray,
    groups: NDArray[np.str_],
    *,
    default: float = 1.0,
) -> FloatArray:
    r"""Per series, :math:`\sum num / \sum den` over its group (``default`` where the sum is 0)."""
    _, ratio, index = pooled_table(numerator, denominator, groups, default=default)
    return np.asarray(ratio[index], dtype=np.float64)


def small_sample_inflation(n_demands: NDArray[np.int64]) -> FloatArray:
    r"""Variance of a Student *t* with :math:`\nu = n - 1` degrees of freedom, :math:`\nu/(\nu-2)`
    (ν floored at 3, so at most 3)."""
    nu = np.maximum(np.asarray(n_demands, dtype=np.float64) - 1.0, 3.0)
    return np.asarray(nu / (nu - 2.0), dtype=np.float64)


def replace_rows(
    base: DemandDistribution,
    rows: NDArray[np.bool_],
    history: FloatArray,
    lead_time_mean: ArrayLike,
    lead_time_std: ArrayLike,
    review_period: ArrayLike,
    rng: np.random.Generator | KeyedDraws,
    n_draws: int,
) -> DemandDistribution:
    """``base`` with the bootstrap distribution in ``rows``.

    ``history`` is (series, T) demand [units/period]; ``lead_time_mean``, ``lead_time_std`` and
    ``review_period`` are per series [periods]; ``n_draws`` bootstrap draws per row.
    """
    if not rows.any():
        return base
    n = len(rows)

    def pick(value: ArrayLike) -> FloatArray:
        return np.broadcast_to(np.asarray(value, dtype=np.float64), (n,))[rows]

    boot = bootstrap_lead_time_demand(
        history[rows],
        pick(lead_time_mean),
        pick(lead_time_std),
        pick(review_period),
        rng.take(np.flatnonzero(rows)) if isinstance(rng, KeyedDraws) else rng,
        n_draws=n_draws,
    )
    samples = np.zeros((n, n_draws))
    assert boot.samples is not None
    samples[rows] = boot.samples
    family, mean, variance = base.family.copy(), base.mean.copy(), base.variance.copy()
    family[rows], mean[rows], variance[rows] = boot.family, boot.mean, boot.variance
    return DemandDistribution(family=family, mean=mean, variance=variance, samples=samples)
