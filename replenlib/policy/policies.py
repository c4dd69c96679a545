r"""Service-level policies (s, Q), (s, S), (R, S) and (R, s, S) for a whole panel.

Each row has a policy type, a service measure and a target. The levels come from
:mod:`.service`; this module adds the bookkeeping a planner reads:

====================  ===========================  =============================  ============
policy                level solved for             order-up-to :math:`S`          lot size
====================  ===========================  =============================  ============
(s, Q)                reorder point :math:`s`      :math:`s + Q`                  :math:`Q`
(s, S), (R, s, S)     reorder point :math:`s`      :math:`s + \Delta`             :math:`\Delta`
(R, S)                order-up-to :math:`S`        :math:`S` (and :math:`s = S`)  :math:`\mu_R`
====================  ===========================  =============================  ============

:math:`Q` and :math:`\Delta` come from order sizing (EOQ, quantity discounts, terms) and are
inputs here. The **safety stock** is the expected stock left when a replenishment arrives:
:math:`S - E[X_P]` for (R, S), :math:`s - E[X_L] - E[U]` for reorder-point policies (it may be
negative under a fill-rate target with large lots). With the measure
:attr:`~.kinds.ServiceMeasure.EXPECTED_DEMAND` the level covers expected demand only (no
safety stock: end-of-life run-down). Every result carries the measure and target it was
solved for, and both service measures it implies under the model, so the two are never
confused.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from replenlib.policy.kinds import PolicyType, ServiceMeasure
from replenlib.policy.service import (
    CycleDemand,
    CycleShape,
    implied_cycle_service_level,
    implied_fill_rate,
    level_for_cycle_service_level,
    level_for_fill_rate,
    reorder_point_demand,
    undershoot_moments,
)

FloatArray = NDArray[np.float64]
SERVICE_POLICIES = (PolicyType.S_Q, PolicyType.S_S, PolicyType.R_S, PolicyType.R_S_S)
SOLVABLE_MEASURES = (
    ServiceMeasure.CYCLE_SERVICE_LEVEL,
    ServiceMeasure.FILL_RATE,
    ServiceMeasure.EXPECTED_DEMAND,
)


@dataclass(frozen=True)
class ReorderLevels:
    """The planner's numbers per row, labelled with the policy and the measure used [units]."""

    policy_type: NDArray[np.object_]  #: :class:`PolicyType` per row
    service_measure: NDArray[np.object_]  #: :class:`ServiceMeasure` per row
    service_target: FloatArray  #: [fraction]; NaN for expected-demand rows
    reorder_point: FloatArray  #: s (= S for (R, S))
    order_up_to: FloatArray  #: S
    order_quantity: FloatArray  #: nominal lot size
    safety_stock: FloatArray  #: expected stock when a replenishment arrives
    implied_cycle_service_level: FloatArray  #: [fraction] under the model
    implied_fill_rate: FloatArray  #: [fraction] under the model


def cycle_shape(policy_type: ArrayLike, lot_size: ArrayLike) -> CycleShape:
    """The :class:`~.service.CycleShape` of each row's policy with its lot size [units]."""
    kind = np.asarray(policy_type, dtype=object)
    size = np.broadcast_to(np.asarray(lot_size, dtype=np.float64), kind.shape)
    up_to = kind == PolicyType.R_S
    return CycleShape(
        order_up_to=up_to,
        fixed_quantity=kind == PolicyType.S_Q,
        delta=np.where(up_to, 0.0, np.maximum(size, 1.0)),
    )


def reorder_levels(
    policy_type: ArrayLike,
    service_measure: ArrayLike,
    service_target: ArrayLike,
    demand: CycleDemand,
    lot_size: ArrayLike,
    *,
    guess: ArrayLike | None = None,
    tolerance: float = 1e-5,
) -> ReorderLevels:
    """Levels for every row of a mixed panel of service-level policies.

    Parameters
    ----------
    policy_type : one of (s, Q), (s, S), (R, S), (R, s, S) per row
    service_measure : cycle service level, fill rate or expected demand per row
    service_target : [fraction] per row (ignored for expected demand)
    demand : the cycle demand of each row (its review period matches the policy's)
    lot_size : Q for (s, Q), S - s for (s, S) and (R, s, S); ignored for (R, S) [units]
    guess, tolerance : warm start and relative precision of the fill-rate search
        (:func:`.service.level_for_fill_rate`)
    """
    kind, measure, target = _validated(policy_type, service_measure, service_target, demand)
    shape = cycle_shape(kind, lot_size)
    level = _mean_level(demand, shape)
    rows = np.flatnonzero(measure == ServiceMeasure.CYCLE_SERVICE_LEVEL)
    if rows.size:
        level[rows] = level_for_cycle_service_level(
            demand.take(rows), shape.take(rows), target[rows]
        )
    rows = np.flatnonzero(measure == ServiceMeasure.FILL_RATE)
    if rows.size:
        near = None if guess is None else np.broadcast_to(np.asarray(guess), level.shape)[rows]
        level[rows] = level_for_fill_rate(
            demand.take(rows), shape.take(rows), target[rows], guess=near, tolerance=tolerance
        )
    return describe_levels(kind, measure, target, demand, shape, level)


def describe_levels(
    policy_type: NDArray[np.object_],
    service_measure: NDArray[np.object_],
    service_target: FloatArray,
    demand: CycleDemand,
    shape: CycleShape,
    level: FloatArray,
) -> ReorderLevels:
    """Assemble :class:`ReorderLevels` (s, S, lot size, safety stock, implied service)."""
    up_to = shape.order_up_to
    order_up_to = np.where(up_to, level, level + shape.delta)
    expected = np.where(up_to, demand.protection.mean, _reorder_point_mean(demand))
    return ReorderLevels(
        policy_type=policy_type,
        service_measure=service_measure,
        service_target=np.where(
            service_measure == ServiceMeasure.EXPECTED_DEMAND, np.nan, service_target
        ),
        reorder_point=level,
        order_up_to=order_up_to,
        order_quantity=np.where(up_to, demand.review_mean, shape.delta),
        safety_stock=level - expected,
        implied_cycle_service_level=implied_cycle_service_level(demand, shape, level),
        implied_fill_rate=implied_fill_rate(demand, shape, level),
    )


def _reorder_point_mean(demand: CycleDemand) -> FloatArray:
    return np.asarray(demand.lead_time.mean + undershoot_moments(demand)[0], dtype=np.float64)


def _mean_level(demand: CycleDemand, shape: CycleShape) -> FloatArray:
    """Levels that cover expected demand only (no safety stock)."""
    return np.asarray(
        np.where(shape.order_up_to, demand.protection.mean, reorder_point_demand(demand).mean),
        dtype=np.float64,
    )


def _validated(
    policy_type: ArrayLike,
    service_measure: ArrayLike,
    service_target: ArrayLike,
    demand: CycleDemand,
) -> tuple[NDArray[np.object_], NDArray[np.object_], FloatArray]:
    n = len(demand)
    kind = np.broadcast_to(np.asarray(policy_type, dtype=object), (n,)).copy()
    measure = np.broadcast_to(np.asarray(service_measure, dtype=object), (n,)).copy()
    target = np.broadcast_to(np.asarray(service_target, dtype=np.float64), (n,)).copy()
    if not np.isin(kind, SERVICE_POLICIES).all():
        raise ValueError("reorder_levels serves (s, Q), (s, S), (R, S) and (R, s, S) rows only")
    if not np.isin(measure, SOLVABLE_MEASURES).all():
        raise ValueError(
            "service measure must be cycle service level, fill rate or expected demand"
        )
    no_review = (demand.review_mean <= 0) & (demand.protection.mean > 0)
    if np.any(no_review & np.isin(kind, [PolicyType.R_S, PolicyType.R_S_S])):
        raise ValueError("(R, S) and (R, s, S) rows need a review period > 0")
    return (
        np.asarray([PolicyType(k) for k in kind], dtype=object),
        np.asarray([ServiceMeasure(m) for m in measure], dtype=object),
        target,
    )


@dataclass(frozen=True)
class _ServicePolicy:
    """Shared body of the four single-type policy objects."""

    service_measure: ServiceMeasure = ServiceMeasure.CYCLE_SERVICE_LEVEL
    service_target: float = 0.95  #: [fraction]

    policy_type = PolicyType.S_Q

    def parameters(self, demand: CycleDemand, lot_size: ArrayLike = 0.0) -> ReorderLevels:
        """Levels for every row of ``demand`` under this policy."""
        return reorder_levels(
            self.policy_type, self.service_measure, self.service_target, demand, lot_size
        )


@dataclass(frozen=True)
class ContinuousReviewSQ(_ServicePolicy):
    """(s, Q): order Q (or n·Q) when the position reaches s (review period 0 = continuous)."""

    policy_type = PolicyType.S_Q


@dataclass(frozen=True)
class ContinuousReviewSS(_ServicePolicy):
    """(s, S): when the position reaches s, order up to S = s + Δ."""

    policy_type = PolicyType.S_S


@dataclass(frozen=True)
class PeriodicReviewRS(_ServicePolicy):
    """(R, S): every R days order up to S."""

    policy_type = PolicyType.R_S


@dataclass(frozen=True)
class PeriodicReviewRsS(_ServicePolicy):
    """(R, s, S): every R days, when the position is at or below s, order up to S = s + Δ."""

    policy_type = PolicyType.R_S_S


def replenishment_quantity(
    policy_type: ArrayLike,
    position: ArrayLike,
    reorder_point: ArrayLike,
    order_up_to: ArrayLike,
    lot_size: ArrayLike,
) -> FloatArray:
    """Today's wanted quantity before supplier terms [units].

    At or below the reorder point, (s, Q) orders the fewest lots of Q that lift the position
    above s; every other policy (incl. min–max and DDMRP, whose s and S are min / top of
    yellow and max / top of green) orders up to S.
    """
    kind = np.asarray(policy_type, dtype=object)
    ip = np.asarray(position, dtype=np.float64)
    s = np.asarray(reorder_point, dtype=np.float64)
    lot = np.maximum(np.asarray(lot_size, dtype=np.float64), 1e-9)
    lots = np.maximum(np.floor((s - ip) / lot) + 1.0, 1.0)
    wanted = np.where(
        kind == PolicyType.S_Q, lots * lot, np.asarray(order_up_to, dtype=np.float64) - ip
    )
    return np.asarray(np.where(ip <= s, np.maximum(wanted, 0.0), 0.0), dtype=np.float64)


def is_review_day(day_number: int, review_period_days: ArrayLike) -> NDArray[np.bool_]:
    """Rows reviewed on day ``day_number`` (e.g. ``date.toordinal()``): every R-th day.

    ``review_period_days`` is R per row [days].
    """
    period = np.maximum(np.rint(np.asarray(review_period_days, dtype=np.float64)), 1.0)
    return np.asarray(day_number % period == 0, dtype=bool)


@dataclass(frozen=True)
class CostOptimalSS:
    """(s, S) levels from costs by the revised power approximation."""

    reorder_point: FloatArray  #: s [units]
    order_up_to: FloatArray  #: S [units]


def power_approximation(
    holding_cost: ArrayLike,
    stockout_cost: ArrayLike,
    fixed_cost: ArrayLike,
    demand_mean: ArrayLike,
    demand_std: ArrayLike,
    lead_time: ArrayLike = 0.0,
) -> CostOptimalSS:
    r"""Periodic-review (s, S) from holding, backorder and ordering costs (Ehrhardt & Mosier).

    Costs: holding :math:`h` [CNY/unit/period], backorder :math:`p` [CNY/unit/period] and
    fixed :math:`K` [CNY/order]; demand [units/period] and lead time :math:`L` [periods].
    With per-period demand :math:`\mu, \sigma` and demand over :math:`L + 1` periods
    :math:`\mu_L = (L+1)\mu`, :math:`\sigma_L = \sqrt{L+1}\,\sigma`:

    .. math::

        Q = 1.30\,\mu^{0.494} (K/h)^{0.506} (1 + \sigma_L^2/\mu^2)^{0.116},\quad
        z = \sqrt{\frac{Q\,h}{\sigma_L\,p}},\quad
        s = 0.973\,\mu_L + \sigma_L\left(\frac{0.183}{z} + 1.063 - 2.192 z\right),\quad
        S = s + Q.

    References
    ----------
    Ehrhardt, R. & Mosier, C. (1984). A revision of the power approximation for computing
    (s, S) policies. *Management Science* 30, 618–622. Snyder & Shen (2019), §4.5.
    """
    h, p, k = (np.asarray(a, dtype=np.float64) for a in (holding_cost, stockout_cost, fixed_cost))
    mu, sd = np.asarray(demand_mean, np.float64), np.asarray(demand_std, np.float64)
    periods = np.asarray(lead_time, dtype=np.float64) + 1.0
    mu_l, sd_l = mu * periods, sd * np.sqrt(periods)
    q = 1.30 * mu**0.494 * (k / h) ** 0.506 * (1 + sd_l**2 / mu**2) ** 0.116
    z = np.sqrt(q / sd_l * h / p)
    s = 0.973 * mu_l + sd_l * (0.183 / z + 1.063 - 2.192 * z)
    return CostOptimalSS(np.asarray(s, np.float64), np.asarray(s + q, np.float64))
