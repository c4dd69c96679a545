r"""Cold chain: time outside the allowed range, recording gaps, and mean kinetic temperature.

Temperature loggers record at intervals. Reading :math:`i` at time :math:`t_i` is taken to hold
until the next reading, :math:`\Delta_i = t_{i+1} - t_i` [min]; the last reading of a record
holds for the record's typical interval, or until the end of the monitored window when the
window ends later. A :math:`\Delta_i` longer than the logger's maximum interval is a **gap**:
only the first ``max_interval`` minutes count as measured, the rest is **unknown exposure** —
never safe. Likewise a window that starts more than ``max_interval`` before the first reading
is unknown up to that reading, and a window with no reading at all is unknown throughout.

For a range :math:`[\theta_{lo}, \theta_{hi}]` [°C] and an allowed excursion time :math:`A`
[min] (cumulative, as stability data usually states it), a record is

* ``excursion`` when the measured minutes outside the range exceed :math:`A`;
* ``unknown`` otherwise, when part of the window was not measured (a gap, missing start or end,
  or no reading at all);
* ``tolerated`` when some minutes were outside the range but no more than :math:`A`;
* ``safe`` when every measured minute was inside the range and nothing is unknown.

The **mean kinetic temperature** (Haynes 1971; USP <1079.2>; ICH Q1A) is the single
temperature that gives the same Arrhenius degradation as the varying profile:

.. math::

    T_{MKT} = \frac{\Delta H / R}{-\ln\left(\dfrac{\sum_i w_i\, e^{-\Delta H / (R\,T_i)}}
    {\sum_i w_i}\right)},

with :math:`T_i` in kelvin, weights :math:`w_i` the measured minutes of each reading (equal
weights for equally spaced readings give the textbook form) and :math:`\Delta H / R =
83.144\ \text{kJ mol}^{-1} / 8.3144\ \text{J mol}^{-1}\,\text{K}^{-1} = 10\,000` K.

References
----------
Haynes, J. D. (1971). Worldwide virtual temperatures for product stability testing.
*Journal of Pharmaceutical Sciences* 60(6), 927–929.
USP General Chapter <1079.2> Mean kinetic temperature in the evaluation of temperature
excursions during storage and transportation of drug products.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from numpy.typing import ArrayLike, NDArray

#: Activation energy over the gas constant used by USP and ICH [K].
ACTIVATION_OVER_R_K = 10_000.0
#: Offset between degrees Celsius and kelvin [K].
ZERO_CELSIUS_K = 273.15


class Exposure(StrEnum):
    """Verdict on one monitored record (a shipment, or a storage unit over a period)."""

    SAFE = "safe"
    TOLERATED = "tolerated"
    UNKNOWN = "unknown"
    EXCURSION = "excursion"


def mean_kinetic_temperature(
    temperature_c: ArrayLike,
    weights: ArrayLike | None = None,
    activation_over_r: float = ACTIVATION_OVER_R_K,
) -> float:
    r"""Mean kinetic temperature of one profile [°C] (formula in the module docstring).

    Parameters
    ----------
    temperature_c : readings [°C]
    weights : time each reading stands for [any time unit]; default equal weights
    activation_over_r : :math:`\Delta H / R` [K]
    """
    temps = np.atleast_1d(np.asarray(temperature_c, dtype=np.float64))
    w = np.ones_like(temps) if weights is None else np.asarray(weights, dtype=np.float64)
    return float(segment_mkt(temps, w, np.zeros(temps.size, np.int64), 1, activation_over_r)[0])


def segment_mkt(
    temperature_c: NDArray[np.float64],
    weights: NDArray[np.float64],
    segment: NDArray[np.int64],
    n_segments: int,
    activation_over_r: float = ACTIVATION_OVER_R_K,
) -> NDArray[np.float64]:
    """Time-weighted MKT per segment [°C]; NaN for a segment without weight.

    Uses a log-sum-exp with each segment's hottest reading as the shift, so that the
    exponentials neither underflow nor lose precision.
    """
    x = -activation_over_r / (temperature_c + ZERO_CELSIUS_K)
    shift = np.full(n_segments, -np.inf)
    np.maximum.at(shift, segment, np.where(weights > 0, x, -np.inf))
    total = np.bincount(segment, weights=weights, minlength=n_segments)
    finite_shift = np.where(np.isfinite(shift), shift, 0.0)
    scaled = np.bincount(
        segment, weights=weights * np.exp(x - finite_shift[segment]), minlength=n_segments
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        log_mean = np.log(scaled / total) + finite_shift
        kelvin = activation_over_r / -log_mean
    return np.where(total > 0, kelvin - ZERO_CELSIUS_K, np.nan)


@dataclass(frozen=True)
class RecordExposure:
    """Per monitored record (segment), the outcome of :func:`evaluate_records`.

    Attributes
    ----------
    n_readings : readings in the record
    measured_minutes : minutes covered by readings [min]
    minutes_above, minutes_below : measured minutes above / below the range [min]
    unknown_minutes : minutes of the window without a valid reading [min]
    longest_gap_minutes : longest interval between readings (0 with < 2 readings) [min]
    max_c, min_c : extreme readings [°C]; NaN without readings
    mkt_c : mean kinetic temperature [°C]; NaN without readings
    first_out_minute : time of the first reading outside the range; NaN if none [min]
    exposure : :class:`Exposure` value
    """

    n_readings: NDArray[np.int64]
    measured_minutes: NDArray[np.float64]
    minutes_above: NDArray[np.float64]
    minutes_below: NDArray[np.float64]
    unknown_minutes: NDArray[np.float64]
    longest_gap_minutes: NDArray[np.float64]
    max_c: NDArray[np.float64]
    min_c: NDArray[np.float64]
    mkt_c: NDArray[np.float64]
    first_out_minute: NDArray[np.float64]
    exposure: NDArray[np.object_]


@dataclass(frozen=True)
class RecordLimits:
    """Per record: range, allowance, logger interval and (optionally) the monitored window.

    Attributes
    ----------
    low_c, high_c : allowed range [°C]
    allowed_minutes : cumulative time outside the range tolerated [min]
    max_interval_minutes : longest interval between readings that still counts as measured
    window_start, window_end : the span the readings must cover [min, same clock as the
        readings]; NaN = from the record's first reading / to its last reading plus its typical
        interval
    """

    low_c: NDArray[np.float64]
    high_c: NDArray[np.float64]
    allowed_minutes: NDArray[np.float64]
    max_interval_minutes: NDArray[np.float64]
    window_start: NDArray[np.float64]
    window_end: NDArray[np.float64]


def record_limits(
    n_records: int,
    *,
    low_c: ArrayLike,
    high_c: ArrayLike,
    allowed_minutes: ArrayLike = 0.0,
    max_interval_minutes: ArrayLike = 60.0,
    window_start: ArrayLike = np.nan,
    window_end: ArrayLike = np.nan,
) -> RecordLimits:
    """Broadcast scalars or arrays to :class:`RecordLimits` for ``n_records`` records.

    ``low_c``, ``high_c`` [°C]; ``allowed_minutes``, ``max_interval_minutes`` [min]; window
    start and end [min, on the readings' time axis].
    """

    def full(value: ArrayLike) -> NDArray[np.float64]:
        return np.broadcast_to(np.asarray(value, dtype=np.float64), (n_records,)).copy()

    return RecordLimits(
        full(low_c),
        full(high_c),
        full(allowed_minutes),
        full(max_interval_minutes),
        full(window_start),
        full(window_end),
    )


def evaluate_records(
    segment: ArrayLike,
    minute: ArrayLike,
    temperature_c: ArrayLike,
    limits: RecordLimits,
) -> RecordExposure:
    """Judge every monitored record at once (rules in the module docstring).

    Parameters
    ----------
    segment : per reading, record code ``0..n_records-1``; sorted by record, then time
    minute : per reading, its time [min since any fixed origin]
    temperature_c : per reading [°C]
    limits : per record, see :class:`RecordLimits`; its length sets ``n_records``
    """
    seg = np.asarray(segment, dtype=np.int64)
    t = np.asarray(minute, dtype=np.float64)
    temp = np.asarray(temperature_c, dtype=np.float64)
    n_rec = limits.low_c.size
    if not seg.size == t.size == temp.size:
        raise ValueError(f"readings differ in length: {seg.size}, {t.size}, {temp.size}")
    if seg.size > 1 and ((np.diff(seg) < 0) | ((np.diff(seg) == 0) & (np.diff(t) < 0))).any():
        raise ValueError("readings must be sorted by record, then time")
    step, duration = _durations(seg, t, limits, n_rec)
    measured = np.minimum(duration, limits.max_interval_minutes[seg])
    unknown = duration - measured
    lead = _lead_minutes(seg, t, limits, n_rec)
    outside = np.where(temp > limits.high_c[seg], 1, np.where(temp < limits.low_c[seg], -1, 0))

    def per_record(values: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.asarray(np.bincount(seg, weights=values, minlength=n_rec), dtype=np.float64)

    count = np.bincount(seg, minlength=n_rec).astype(np.int64)
    no_data = np.where(
        np.isnan(limits.window_end - limits.window_start),
        0.0,
        limits.window_end - limits.window_start,
    )
    unknown_total = np.where(count > 0, per_record(unknown) + lead, no_data)
    above, below = per_record(measured * (outside > 0)), per_record(measured * (outside < 0))
    return RecordExposure(
        n_readings=count,
        measured_minutes=per_record(measured),
        minutes_above=above,
        minutes_below=below,
        unknown_minutes=unknown_total,
        longest_gap_minutes=_segment_extreme(np.nan_to_num(step), seg, n_rec, np.maximum, 0.0),
        max_c=_segment_extreme(temp, seg, n_rec, np.maximum, np.nan),
        min_c=_segment_extreme(temp, seg, n_rec, np.minimum, np.nan),
        mkt_c=segment_mkt(temp, measured, seg, n_rec),
        first_out_minute=_segment_extreme(
            np.where(outside != 0, t, np.inf), seg, n_rec, np.minimum, np.nan, skip=np.inf
        ),
        exposure=_verdict(above + below, unknown_total, count, limits.allowed_minutes),
    )


def _durations(
    seg: NDArray[np.int64], t: NDArray[np.float64], limits: RecordLimits, n_rec: int
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Interval to the next reading (NaN for a record's last) and the time each reading
    stands for: that interval, or for the last reading the record's typical interval, or the
    rest of the window when the window ends later."""
    last = np.r_[seg[1:] != seg[:-1], True] if seg.size else np.zeros(0, bool)
    step = np.where(last, np.nan, np.r_[t[1:], np.nan] - t)
    typical = _segment_median(step, seg, n_rec)
    end = limits.window_end[seg]
    with np.errstate(invalid="ignore"):
        reaches_end = np.isnan(end) | (end <= t)
    last_step = np.where(reaches_end, np.nan_to_num(typical[seg]), end - t)
    return step, np.where(last, last_step, step)


def _verdict(
    outside: NDArray[np.float64],
    unknown: NDArray[np.float64],
    count: NDArray[np.int64],
    allowed: NDArray[np.float64],
) -> NDArray[np.object_]:
    verdict = np.select(
        [outside > allowed, (unknown > 0) | (count == 0), outside > 0],
        [Exposure.EXCURSION.value, Exposure.UNKNOWN.value, Exposure.TOLERATED.value],
        default=Exposure.SAFE.value,
    )
    return np.asarray(verdict, dtype=object)


def _lead_minutes(
    seg: NDArray[np.int64], t: NDArray[np.float64], limits: RecordLimits, n_rec: int
) -> NDArray[np.float64]:
    """Unmeasured minutes between the window start and the first reading (beyond the cap)."""
    first = _segment_extreme(t, seg, n_rec, np.minimum, np.nan)
    lead = np.nan_to_num(first - limits.window_start, nan=0.0)
    return np.where(lead > limits.max_interval_minutes, lead, 0.0)


def _segment_extreme(
    values: NDArray[np.float64],
    seg: NDArray[np.int64],
    n_rec: int,
    ufunc: np.ufunc,
    empty: float,
    skip: float | None = None,
) -> NDArray[np.float64]:
    """Max or min per record; ``empty`` where a record has no (non-``skip``) value."""
    start = np.inf if ufunc is np.minimum else -np.inf
    out = np.full(n_rec, start)
    ufunc.at(out, seg, values)
    missing = np.isinf(out) & (out == start)
    if skip is not None:
        missing |= out == skip
    return np.where(missing, empty, out)


def _segment_median(
    values: NDArray[np.float64], seg: NDArray[np.int64], n_rec: int
) -> NDArray[np.float64]:
    """Median of the non-NaN ``values`` per record (lower median); NaN when none."""
    ok = ~np.isnan(values)
    v, s = values[ok], seg[ok]
    order = np.lexsort((v, s))
    counts = np.bincount(s, minlength=n_rec)
    starts = np.cumsum(counts) - counts
    middle = starts + (counts - 1) // 2
    median = np.full(n_rec, np.nan)
    has = counts > 0
    median[has] = v[order][middle[has]]
    return median
