r"""Alert rules (level 1): which conditions hold today, how severe, who acts, what to do.

Each rule is a pure function over arrays that returns a boolean mask and a
:class:`Severity` per row. The store layer (:mod:`replenlib.governance.alerts`) turns the rows
that fire into alerts keyed by ``kind:subject``: an alert is raised once, tracked while the
condition persists and resolved when it clears — never re-raised every night.

=========================  ===============  ===================================================
kind                       owner            condition
=========================  ===============  ===================================================
stockout_in_lead_time      planner          projected stock (open orders, proposals and today's
                                            lines included) < 0 before an order placed today
                                            could arrive
expiry_risk                planner          usable stock expected to expire unused (FEFO)
                                            within the expiry horizon
supplier_late              buyer            open lines past their confirmed date, or on-time
                                            rate below the floor
supplier_downgraded        buyer            qualification conditional / blocked / lapsing
cold_chain_excursion       quality          minutes outside the storage range > allowed
inspection_block           quality          stock quarantined or blocked by inspection
forecast_bias              demand_planner   \|z\| > limit: the last weeks' one-step errors
                                            summed, in standard errors
data_health                data_steward     a source is stale, or master data is missing
=========================  ===============  ===================================================

The tracking signal over the last :math:`k` periods is
:math:`TS = \sum e_t / \mathrm{MAD}`, with :math:`e_t = y_t - \hat y_t` the one-step errors
and :math:`\mathrm{MAD} = \tfrac1k \sum |e_t|` (reported with each alert). As a test it
misleads: for unbiased, independent normal errors :math:`\sum e_t` has standard deviation
:math:`\sigma\sqrt k`, so a fixed limit such as :math:`|TS| > 4` over 13 weeks flags about
40 % of unbiased forecasts, and :math:`|TS| \le k` however large a bias. The rule therefore
judges :math:`z = \sum e_t / (\hat\sigma\sqrt k)` (:func:`bias_z`), the sum of the errors in
standard errors, with :math:`\hat\sigma` from the errors' spread around their mean in the
weeks before the window (up to :data:`BIAS_HISTORY_WEEKS` back), and flags :math:`|z| >` ``bias_z_limit``
(3: about 0.6 % of unbiased forecasts, against 40 %; a shift of one standard deviation over
13 weeks gives :math:`z \approx 3.6` and is flagged three times in four).

References
----------
Brown, R. G. (1959), *Statistical Forecasting for Inventory Control*, McGraw-Hill;
Silver, Pyke & Thomas (2017), section 4.8 (monitoring forecast errors).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from replenlib.demand.smoothing import ses
from replenlib.plan.approval import Role


class AlertKind(StrEnum):
    """What an alert is about."""

    STOCKOUT_IN_LEAD_TIME = "stockout_in_lead_time"
    EXPIRY_RISK = "expiry_risk"
    SUPPLIER_LATE = "supplier_late"
    SUPPLIER_DOWNGRADED = "supplier_downgraded"
    COLD_CHAIN_EXCURSION = "cold_chain_excursion"
    INSPECTION_BLOCK = "inspection_block"
    FORECAST_BIAS = "forecast_bias"
    DATA_HEALTH = "data_health"


class Severity(StrEnum):
    """How bad; ordered by :data:`SEVERITY_RANK`."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


#: Periods whose one-step errors give the spread a forecast bias is judged against [weeks].
BIAS_HISTORY_WEEKS = 52

SEVERITY_RANK = {Severity.CRITICAL: 0, Severity.HIGH: 1, Severity.MEDIUM: 2, Severity.LOW: 3}


@dataclass(frozen=True)
class AlertRule:
    """Who owns an alert kind and what they should do."""

    kind: AlertKind
    owner: Role
    suggested_action: str


RULES: dict[AlertKind, AlertRule] = {
    r.kind: r
    for r in (
        AlertRule(
            AlertKind.STOCKOUT_IN_LEAD_TIME,
            Role.PLANNER,
            "expedite open orders, transfer stock from another location or source an "
            "emergency order; warn the customers served",
        ),
        AlertRule(
            AlertKind.EXPIRY_RISK,
            Role.PLANNER,
            "move the lot to a location that uses it sooner, offer it to customers first, or "
            "plan the write-off; reduce the next order",
        ),
        AlertRule(
            AlertKind.SUPPLIER_LATE,
            Role.BUYER,
            "chase the supplier for new confirmed dates; consider the backup supplier",
        ),
        AlertRule(
            AlertKind.SUPPLIER_DOWNGRADED,
            Role.BUYER,
            "review the qualification with quality; move volume to a qualified supplier",
        ),
        AlertRule(
            AlertKind.COLD_CHAIN_EXCURSION,
            Role.QUALITY,
            "quarantine the affected lots and assess stability data before release",
        ),
        AlertRule(
            AlertKind.INSPECTION_BLOCK,
            Role.QUALITY,
            "complete the inspection or raise a supplier complaint; plan replacement stock",
        ),
        AlertRule(
            AlertKind.FORECAST_BIAS,
            Role.DEMAND_PLANNER,
            "review the forecast method and recent demand (new customers, tenders, substitutions)",
        ),
        AlertRule(
            AlertKind.DATA_HEALTH,
            Role.DATA_STEWARD,
            "re-run or fix the import of the named source; correct the master data",
        ),
    )
}


class RuleResult(NamedTuple):
    """Rows where a rule fires and their severity."""

    fires: NDArray[np.bool_]
    severity: NDArray[np.object_]


def stockout_in_lead_time(
    stockout_day: NDArray[np.int64], lead_time: NDArray[np.float64], tier: NDArray[np.object_]
) -> RuleResult:
    """Fires when the projected stockout day (no new order) falls before the lead time ends.

    ``stockout_day`` [days from today] and ``lead_time`` [days] per series. Critical for
    critical and high tiers or when stock is already out (day 0), else high.
    """
    fires = stockout_day < lead_time
    severe = np.isin(tier, ["critical", "high"]) | (stockout_day <= 0)
    return RuleResult(fires, _severity(severe, Severity.CRITICAL, Severity.HIGH))


def expiry_risk(
    quantity_at_risk: NDArray[np.float64],
    days_to_expiry: NDArray[np.float64],
    value_at_risk: NDArray[np.float64],
    horizon_days: float,
    high_value: float = 10_000.0,
) -> RuleResult:
    """Fires per lot with stock expiring unused within ``horizon_days``; high above
    ``high_value`` [CNY] at risk, else medium."""
    fires = (quantity_at_risk > 0) & (days_to_expiry <= horizon_days)
    return RuleResult(fires, _severity(value_at_risk >= high_value, Severity.HIGH, Severity.MEDIUM))


def supplier_late(
    late_lines: NDArray[np.int64], on_time_rate: NDArray[np.float64], on_time_floor: float
) -> RuleResult:
    """Fires per supplier with late open lines or an on-time rate below the floor (NaN = no
    receipts, not judged). High with three or more late lines or a low rate, else medium."""
    low_rate = np.nan_to_num(on_time_rate, nan=1.0) < on_time_floor
    fires = (late_lines > 0) | low_rate
    return RuleResult(
        fires, _severity((late_lines >= 3) | low_rate, Severity.HIGH, Severity.MEDIUM)
    )


def supplier_downgraded(
    status: NDArray[np.object_], days_to_lapse: NDArray[np.float64], warning_days: float
) -> RuleResult:
    """Fires per supplier in use that is blocked (high), conditional (medium) or whose
    qualification lapses within ``warning_days`` [days] (low; ``days_to_lapse`` [days], NaN =
    no end date)."""
    blocked, conditional = status == "blocked", status == "conditional"
    lapsing = np.nan_to_num(days_to_lapse, nan=np.inf) <= warning_days
    severity = np.select(
        [blocked, conditional], [Severity.HIGH, Severity.MEDIUM], default=Severity.LOW
    )
    return RuleResult(blocked | conditional | lapsing, np.asarray(severity, dtype=object))


def excursion_minutes(
    group: NDArray[np.int64],
    minutes: NDArray[np.float64],
    temperature: NDArray[np.float64],
    low: NDArray[np.float64],
    high: NDArray[np.float64],
    n_groups: int,
) -> NDArray[np.float64]:
    """Cumulative minutes outside [low, high] per group (logger) [min].

    ``minutes`` is the time each reading stands for (to the next reading); ``low``/``high``
    are per group [°C].
    """
    outside = (temperature < low[group]) | (temperature > high[group])
    return np.bincount(group, weights=np.where(outside, minutes, 0.0), minlength=n_groups).astype(
        np.float64
    )


def cold_chain_excursion(
    minutes_outside: NDArray[np.float64], allowed_minutes: NDArray[np.float64]
) -> RuleResult:
    """Fires where minutes outside the range exceed the allowance [min]; always critical."""
    fires = minutes_outside > allowed_minutes
    return RuleResult(fires, np.full(len(fires), Severity.CRITICAL, dtype=object))


def inspection_block(
    blocked_quantity: NDArray[np.float64],
    inventory_position: NDArray[np.float64],
    reorder_point: NDArray[np.float64],
) -> RuleResult:
    """Fires where stock is held by inspection; high when the position is at or below the
    reorder point without it, else medium. Quantities and levels in [units]."""
    fires = blocked_quantity > 0
    short = inventory_position <= reorder_point
    return RuleResult(fires, _severity(short, Severity.HIGH, Severity.MEDIUM))


def tracking_signal(
    y: NDArray[np.float64],
    weeks: int,
    alpha: float = 0.2,
    fitted: NDArray[np.float64] | None = None,
    min_nonzero: int = 4,
) -> NDArray[np.float64]:
    """Tracking signal of one-step forecasts over the last ``weeks`` periods [-].

    ``fitted`` are the one-step forecasts the plan used (default: SES with ``alpha``). NaN
    where the errors are all zero or fewer than ``min_nonzero`` periods of the window had
    demand (too sparse to judge a bias).
    """
    values = np.nan_to_num(np.asarray(y, dtype=np.float64), nan=0.0)
    one_step = ses(values, alpha).fitted() if fitted is None else fitted
    errors = np.nan_to_num((values - one_step)[:, -weeks:], nan=0.0)  # NaN: not started
    sparse = (values[:, -weeks:] > 0).sum(axis=1) < min_nonzero
    mad = np.mean(np.abs(errors), axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where((mad > 0) & ~sparse, errors.sum(axis=1) / mad, np.nan)


def bias_z(
    y: NDArray[np.float64],
    weeks: int,
    fitted: NDArray[np.float64] | None = None,
    alpha: float = 0.2,
    history: int = BIAS_HISTORY_WEEKS,
    min_nonzero: int = 4,
    min_reference: int = 8,
) -> NDArray[np.float64]:
    r"""Sum of the last ``weeks`` one-step errors in standard errors of an unbiased forecast
    [-] (module docstring): :math:`z = \sum e_t / (\hat\sigma \sqrt k)`.

    :math:`\hat\sigma = \sqrt{\pi/2}` × the mean absolute deviation of the errors from their
    mean over the ``history - weeks`` periods before the window (a bias shifts errors, it does
    not widen them; measured before the window, a bias in it cannot hide itself). NaN where
    :func:`tracking_signal` is, or with fewer than ``min_reference`` reference periods.
    """
    values = np.asarray(y, dtype=np.float64)
    one_step = ses(np.nan_to_num(values, nan=0.0), alpha).fitted() if fitted is None else fitted
    errors = values - one_step  # NaN before the series starts
    reference = errors[:, -max(history, weeks + 1) : -weeks]
    seen = ~np.isnan(reference)
    count = seen.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        centre = np.nansum(reference, axis=1) / count
        spread = np.nansum(np.abs(reference - centre[:, None]), axis=1) / count
        sigma = np.sqrt(np.pi / 2.0) * spread
        z = np.nansum(errors[:, -weeks:], axis=1) / (sigma * np.sqrt(weeks))
    recent = np.nan_to_num(values[:, -weeks:], nan=0.0)
    judged = (sigma > 0) & (count >= min_reference) & ((recent > 0).sum(axis=1) >= min_nonzero)
    return np.asarray(np.where(judged, z, np.nan), dtype=np.float64)


def forecast_bias(z: NDArray[np.float64], limit: float) -> RuleResult:
    """Fires where abs(bias z) > ``limit``; high beyond 1.5 × limit, else medium."""
    magnitude = np.nan_to_num(np.abs(z), nan=0.0)
    return RuleResult(
        magnitude > limit, _severity(magnitude > 1.5 * limit, Severity.HIGH, Severity.MEDIUM)
    )


def stale_sources(lag_days: NDArray[np.float64], stale_days: float) -> RuleResult:
    """Fires per source whose latest record is older than ``stale_days`` [days] (``lag_days``
    [days]; NaN = empty source, high), medium otherwise."""
    missing = np.isnan(lag_days)
    fires = missing | (np.nan_to_num(lag_days, nan=0.0) > stale_days)
    return RuleResult(fires, _severity(missing, Severity.HIGH, Severity.MEDIUM))


def _severity(mask: NDArray[np.bool_], yes: Severity, no: Severity) -> NDArray[np.object_]:
    return np.asarray(np.where(mask, yes, no), dtype=object)
