r"""Known future demand (scheduled surgeries, tender call-offs) combined with the forecast.

CRM knows some future demand for certain: surgeries scheduled at a hospital, volumes called
off under a tender. Adding it to the statistical forecast would count it twice whenever the
history already contains demand of the same kind — a hospital that operates every week has
its routine surgeries in the history. The rule, per series and future period:

.. math::

    \text{combined}_t = K_t + \max\bigl(F_t - \beta_t K_t,\; 0\bigr),

with known demand :math:`K_t` [units], statistical forecast :math:`F_t` [units] and
:math:`\beta_t \in [0, 1]` the **baseline share** — how much of the known demand the
statistical forecast already expects:

* :math:`\beta = 1` (routine: the known demand *replaces* part of the baseline):
  :math:`\max(F, K)` — never less than what is booked, never more than the forecast when
  the booking is within it;
* :math:`\beta = 0` (incremental: a new tender, a new surgeon): :math:`F + K`;
* in between, the known demand nets off the share :math:`\beta K` of the baseline it
  replaces.

Known demand is certain; only the statistical remainder
:math:`R_t = \max(F_t - \beta_t K_t, 0)` is uncertain, so its standard deviation scales with
the share of the forecast that remains: :math:`\sigma'_t = \sigma_t R_t / F_t`
(:math:`\sigma'_t = \sigma_t` when :math:`F_t = 0`).

Inputs come from the CRM import (issue 4) as arrays aligned to the forecast panel: known
quantity per series and future period [units], and the baseline share per series (or per
series and period) [-].

References
----------
Fildes, R., Goodwin, P., Lawrence, M. & Nikolopoulos, K. (2009). Effective forecasting and
judgmental adjustments: an empirical evaluation and strategies for improvement in
supply-chain planning. *International Journal of Forecasting* 25(1), 3–23 (adjusting
statistical forecasts for known events without double counting).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from replenlib.demand.paths import FloatArray


@dataclass(frozen=True)
class OverlaidForecast:
    """Forecast with known demand, all (series, periods).

    Attributes
    ----------
    mean : combined expected demand [units/period]
    std : standard deviation of the uncertain remainder [units/period]
    known : the known demand [units/period]
    remainder : statistical demand not covered by known demand [units/period]
    """

    mean: FloatArray
    std: FloatArray
    known: FloatArray
    remainder: FloatArray


def overlay_known_demand(
    forecast: ArrayLike, std: ArrayLike, known: ArrayLike, baseline_share: ArrayLike = 1.0
) -> OverlaidForecast:
    """Combine known future demand with the statistical forecast (module docstring).

    Parameters
    ----------
    forecast : (series, periods) statistical forecast [units/period]
    std : forecast error standard deviation, broadcast to ``forecast`` [units/period]
    known : known demand, broadcast to ``forecast`` [units/period]; NaN = none
    baseline_share : share of the known demand the forecast already expects, in [0, 1]
    """
    f = np.asarray(forecast, dtype=np.float64)
    k = np.nan_to_num(np.broadcast_to(np.asarray(known, dtype=np.float64), f.shape), nan=0.0)
    share = np.broadcast_to(np.asarray(baseline_share, dtype=np.float64), f.shape)
    if np.any(f < 0) or np.any(k < 0):
        raise ValueError("forecast and known demand must be non-negative")
    if np.any((share < 0) | (share > 1)):
        raise ValueError("baseline_share must lie in [0, 1]")
    remainder = np.maximum(f - share * k, 0.0)
    sigma = np.broadcast_to(np.asarray(std, dtype=np.float64), f.shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        # the share first: remainder / f lies in [0, 1], so the result never exceeds sigma
        # (sigma * remainder / f rounds above sigma when f is subnormal)
        scaled = np.where(f > 0, sigma * (remainder / f), sigma)
    return OverlaidForecast(mean=k + remainder, std=scaled, known=k.copy(), remainder=remainder)
