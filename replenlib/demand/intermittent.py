r"""Croston, SBA and TSB forecasts for intermittent demand over a whole panel.

**Croston** (1972) smooths the non-zero demand sizes :math:`z` and the intervals :math:`q`
between demands separately, updating both only in periods with demand:

.. math::

    z \leftarrow z + \alpha (y_t - z), \qquad p \leftarrow p + \alpha (q_t - p),
    \qquad \hat y = c\, z / p ,

with :math:`c = 1`; the **Syntetos–Boylan approximation** (SBA, 2005) uses
:math:`c = 1 - \alpha/2` to remove Croston's positive bias. The first demand initialises
:math:`z = y_{t_1}` and :math:`p = q_{t_1}`, the number of periods from the series start up to
and including it — the conventions of statsforecast's ``CrostonClassic`` / ``CrostonSBA``
(whose SBA factor is the literal 0.95, i.e. :math:`\alpha = 0.1`).

**TSB** (Teunter, Syntetos & Babai 2011) smooths the demand size as Croston does but the
*probability* of demand in every period, so the forecast decays when an item stops selling:

.. math::

    \pi \leftarrow \pi + \beta\,(\mathbb 1[y_t > 0] - \pi)\ \text{every period}, \qquad
    z \leftarrow z + \alpha (y_t - z)\ \text{if } y_t > 0, \qquad \hat y = \pi z ,

with :math:`\pi` starting at the first period's indicator and :math:`z` at the first demand
(statsforecast's ``TSB(alpha_d=α, alpha_p=β)``).

Before the first demand the forecast is zero (only zeros were seen); before the series starts
it is NaN. NaN periods follow the package rule (see :mod:`.smoothing`): leading NaN precede the
start; an interior NaN is skipped — it neither updates the estimates nor counts in an
inter-demand interval. The closed forms (:func:`croston_rate`, :func:`tsb_rate`) give the final
forecast without a loop over time, as exponentially weighted sums over the demand sequence:
with :math:`n` demands, the :math:`k`-th weighted :math:`\alpha(1-\alpha)^{n-k}` (the first
:math:`(1-\alpha)^{n-1}`).

References
----------
Croston, J. D. (1972). Forecasting and stock control for intermittent demands. *Operational
Research Quarterly* 23(3), 289–303.
Syntetos, A. A. & Boylan, J. E. (2005). The accuracy of intermittent demand estimates.
*International Journal of Forecasting* 21(2), 303–314.
Teunter, R. H., Syntetos, A. A. & Babai, M. Z. (2011). Intermittent demand: linking
forecasting to inventory obsolescence. *European Journal of Operational Research* 214(3),
606–615.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from replenlib.demand.paths import FloatArray, PanelPath, parameters
from replenlib.demand.smoothing import as_panel


def croston(y: ArrayLike, alpha: ArrayLike = 0.1, *, sba: bool = False) -> PanelPath:
    """Croston (``sba=False``) or SBA (``sba=True``) state path of each row of ``y``.

    Parameters
    ----------
    y : (series, T) demand [units/period]
    alpha : smoothing parameter in (0, 1], scalar or one per series [-]
    """
    values = as_panel(y)
    n_series, n_periods = values.shape
    a = _alpha(alpha, n_series)
    factor = 1.0 - a / 2.0 if sba else np.ones(n_series)
    size, interval = np.full(n_series, np.nan), np.full(n_series, np.nan)
    since, started = np.zeros(n_series), np.zeros(n_series, dtype=bool)
    level = np.full((n_periods + 1, n_series), np.nan)
    for t in range(n_periods):
        level[t] = _rate(factor * size / interval, started)
        observed = ~np.isnan(values[:, t])
        started |= observed
        since += observed
        demand = observed & (values[:, t] > 0)
        first = demand & np.isnan(size)
        size = np.where(
            first, values[:, t], np.where(demand, size + a * (values[:, t] - size), size)
        )
        interval = np.where(
            first, since, np.where(demand, interval + a * (since - interval), interval)
        )
        since = np.where(demand, 0.0, since)
    level[n_periods] = _rate(factor * size / interval, started)
    return PanelPath(
        "sba" if sba else "croston", np.ascontiguousarray(level.T), **parameters(n_series)
    )


def sba(y: ArrayLike, alpha: ArrayLike = 0.1) -> PanelPath:
    """Syntetos–Boylan approximation: Croston's path times :math:`1 - \\alpha/2`."""
    return croston(y, alpha, sba=True)


def tsb(y: ArrayLike, alpha: ArrayLike = 0.1, beta: ArrayLike = 0.1) -> PanelPath:
    """TSB state path: demand size smoothed with ``alpha``, demand probability with ``beta``."""
    values = as_panel(y)
    n_series, n_periods = values.shape
    a, b = _alpha(alpha, n_series), _alpha(beta, n_series)
    size, probability = np.full(n_series, np.nan), np.full(n_series, np.nan)
    level = np.full((n_periods + 1, n_series), np.nan)
    for t in range(n_periods):
        level[t] = _rate(probability * size, ~np.isnan(probability))
        column = values[:, t]
        observed = ~np.isnan(column)
        indicator = (column > 0).astype(np.float64)
        probability = np.where(
            observed,
            np.where(np.isnan(probability), indicator, probability + b * (indicator - probability)),
            probability,
        )
        demand = observed & (column > 0)
        first = demand & np.isnan(size)
        size = np.where(first, column, np.where(demand, size + a * (column - size), size))
    level[n_periods] = _rate(probability * size, ~np.isnan(probability))
    return PanelPath("tsb", np.ascontiguousarray(level.T), **parameters(n_series))


#: Rows per block of the closed forms: a block's intermediates stay in cache (≈ 5× faster).
_BLOCK = 1024


def croston_rate(y: ArrayLike, alpha: float = 0.1, *, sba: bool = False) -> FloatArray:
    r"""Final Croston (or SBA) forecast per row in closed form; equals the path's last level.

    With demands at (observed-period) times :math:`\tau_1 < \dots < \tau_n` and weights
    :math:`w_k` of the module docstring, :math:`z = \sum_k w_k y_{\tau_k}` and
    :math:`p = \sum_k w_k (\tau_k - \tau_{k-1})`, :math:`\tau_0 = -1`. Zero without demand.
    """
    values = as_panel(y)
    _alpha(alpha, 1)
    factor = 1.0 - alpha / 2.0 if sba else 1.0
    size, interval = _blocks(values, alpha, with_interval=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(interval > 0, factor * size / interval, 0.0)


def tsb_rate(y: ArrayLike, alpha: float = 0.1, beta: float = 0.1) -> FloatArray:
    """Final TSB forecast per row in closed form; equals the path's last level."""
    values = as_panel(y)
    _alpha(alpha, 1)
    _alpha(beta, 1)
    size, n_demands = _blocks(values, alpha, with_interval=False)
    blocks = [
        _ses_of_indicator(values[lo : lo + _BLOCK], beta) for lo in range(0, len(values), _BLOCK)
    ]
    probability = np.concatenate(blocks) if blocks else np.zeros(0)
    return np.where(n_demands > 0, probability * size, 0.0)


# The fast path's interval cancels two terms of size alpha/(1-alpha) * t; above 0.5 that
# factor exceeds 1 and the rounding error grows with it (alpha -> 1 loses every digit).
_FAST_ALPHA_MAX = 0.5


def _blocks(
    values: FloatArray, alpha: float, *, with_interval: bool
) -> tuple[FloatArray, FloatArray]:
    """Smoothed size and interval (or the demand count) per row, block by block."""
    if len(values) == 0:
        return np.zeros(0), np.zeros(0)
    if np.isnan(values).any() or alpha > _FAST_ALPHA_MAX:
        return _demand_size_and_interval(values, alpha, with_interval=with_interval)
    parts = [
        _size_and_interval_complete(values[lo : lo + _BLOCK], alpha, with_interval)
        for lo in range(0, len(values), _BLOCK)
    ]
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def _size_and_interval_complete(
    values: FloatArray, alpha: float, with_interval: bool
) -> tuple[FloatArray, FloatArray]:
    r"""Fast path without missing values and :math:`\alpha \le 0.5`.

    With :math:`w_k - w_{k+1} = -\tfrac{\alpha}{1-\alpha} w_k` for all but the last demand,
    the Abel-summed interval needs only the size's weights:
    :math:`p = -\tfrac{\alpha}{1-\alpha}\sum_k w_k \tau_k + \tfrac{\alpha}{1-\alpha}\tau_n
    + (1-\alpha)^n \tau_1 + (1-\alpha)^{n-1}`, where :math:`w` gives the first demand
    :math:`\alpha(1-\alpha)^{n-1}` too and the :math:`(1-\alpha)^n` terms add its extra weight.
    """
    n_periods = values.shape[1]
    decay = (1.0 - alpha) ** np.arange(n_periods + 1)
    demand = values > 0
    count = np.cumsum(demand, axis=1, dtype=np.int32)
    n_demands = count[:, -1]
    weights = (alpha * decay).take(n_demands[:, None] - count)
    weights *= demand
    first = np.argmax(demand, axis=1)
    rows = np.arange(len(values))
    size = np.einsum("ij,ij->i", values, weights) + decay[n_demands] * values[rows, first]
    if not with_interval:
        return size, n_demands.astype(np.float64)
    last = n_periods - 1 - np.argmax(demand[:, ::-1], axis=1)
    ratio = alpha / (1.0 - alpha)
    interval = (
        -ratio * (weights @ np.arange(n_periods, dtype=np.float64))
        + ratio * last
        + decay[n_demands] * first
        + decay[np.maximum(n_demands - 1, 0)]
    )
    return size, np.where(n_demands > 0, interval, 0.0)


def _demand_size_and_interval(
    values: FloatArray, alpha: float, *, with_interval: bool = True
) -> tuple[FloatArray, FloatArray]:
    r"""Smoothed demand size and interval per row (interval > 0 iff the row has demand).

    The interval uses the Abel-summed form
    :math:`p = \sum_k \tau_k (w_k - w_{k+1}) + w_1` (:math:`w_{n+1} = 0`), so both sums are
    one table look-up by the number of later demands and one dot product per row.
    """
    n_periods = values.shape[1]
    has_nan = bool(np.isnan(values).any())
    demand = values > 0  # False for NaN
    zeroed = np.where(demand, values, 0.0) if has_nan else values
    count = np.cumsum(demand, axis=1, dtype=np.int32)
    n_demands = count[:, -1]
    later = n_demands[:, None] - count
    decay = (1.0 - alpha) ** np.arange(n_periods + 1)
    rows = np.arange(len(values))
    first = np.argmax(demand, axis=1)
    weighted = np.einsum("ij,ij->i", zeroed, (alpha * decay).take(later))
    size = weighted + decay[n_demands] * zeroed[rows, first]
    if not with_interval:
        return size, n_demands.astype(np.float64)
    steps = np.concatenate([[alpha], -(alpha**2) * decay[:-1]])  # w_k - w_{k+1} by n - k
    if has_nan:
        time = np.cumsum(~np.isnan(values), axis=1) - 1.0
        tau_first = time[rows, first]
    else:
        time = np.broadcast_to(np.arange(n_periods, dtype=np.float64), values.shape)
        tau_first = first.astype(np.float64)
    interval = (
        np.einsum("ij,ij->i", time * demand, steps.take(later))
        + decay[n_demands] * tau_first
        + decay[np.maximum(n_demands - 1, 0)]
    )
    return size, np.where(n_demands > 0, interval, 0.0)


def _ses_of_indicator(values: FloatArray, beta: float) -> FloatArray:
    """SES of the demand indicator over observed periods, started at the first one."""
    n_periods = values.shape[1]
    indicator = (values > 0).astype(np.float64)
    if not np.isnan(values).any():
        decay = (1.0 - beta) ** np.arange(n_periods)[::-1]
        weights = beta * decay
        weights[0] = decay[0]
        return np.asarray(indicator @ weights, dtype=np.float64)
    observed = ~np.isnan(values)
    count = np.cumsum(observed, axis=1)
    later = count[:, -1:] - count
    weights = np.where(count == 1, 1.0, beta) * (1.0 - beta) ** later
    return np.asarray(
        np.sum(np.where(observed, weights * indicator, 0.0), axis=1), dtype=np.float64
    )


def _rate(rate: FloatArray, started: NDArray[np.bool_]) -> FloatArray:
    """Rate where defined, zero for started series without demand yet, NaN before the start."""
    return np.where(np.isnan(rate), np.where(started, 0.0, np.nan), rate)


def _alpha(value: ArrayLike, n_series: int) -> FloatArray:
    array = np.broadcast_to(np.asarray(value, dtype=np.float64), (n_series,)).copy()
    if not np.all((array > 0.0) & (array <= 1.0)):
        raise ValueError(f"smoothing parameters must lie in (0, 1], got {value!r}")
    return array
