r"""Every policy for a whole panel at once: lot sizes, levels, expiry caps, implied service.

Steps, each vectorised over the rows of a resolved strategy (:func:`.strategy.resolve`):

1. **Lot size** :math:`Q = \max(\text{EOQ}, d R)` on annual demand :math:`365 d`, capped by
   shelf life (:math:`Q \le d u`) and rounded to the supplier's terms within that cap.
2. **Levels** by policy type: service-level policies via :func:`.policies.reorder_levels`;
   min–max via :func:`.minmax.days_of_supply_min_max` (s = min, S = max); DDMRP via
   :func:`.ddmrp.buffer_zones` (s = top of yellow, S = top of green).
3. **Expiry caps** :math:`S \le d(L + u)` (:func:`.expiry.cap_levels`), after which the implied
   cycle service level and fill rate are recomputed, so the labels tell what the capped
   numbers achieve.
4. **Write-off per order**: what the supplier's terms force above :math:`d u` [units].
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from replenlib.demand.distributions import Family
from replenlib.policy.ddmrp import buffer_zones, lead_time_factor, variability_factor
from replenlib.policy.expiry import cap_levels, expiry_caps
from replenlib.policy.kinds import PolicyType
from replenlib.policy.minmax import days_of_supply_min_max
from replenlib.policy.order_sizing import TermsOrder, economic_order_quantity, round_within_cap
from replenlib.policy.policies import reorder_levels
from replenlib.policy.service import (
    CycleDemand,
    CycleShape,
    implied_cycle_service_level,
    implied_fill_rate,
    undershoot_moments,
)
from replenlib.policy.strategy import ResolvedStrategy

FloatArray = NDArray[np.float64]
DAYS_PER_YEAR = 365.0


@dataclass(frozen=True)
class PanelInputs:
    """Per-row inputs besides the strategy; arrays of equal length.

    Attributes
    ----------
    demand : cycle demand built with each row's review period
    demand_rate, demand_rate_std : forecast daily demand and its std [units/day]
    lead_time_mean : [days]
    unit_cost : [CNY/unit]
    moq, order_multiple : supplier terms [units]
    sellable_days_at_receipt : shelf life left for sale on arrival [days]; NaN = no expiry
    adu : DDMRP average daily usage [units/day] (defaults to ``demand_rate``)
    """

    demand: CycleDemand
    demand_rate: FloatArray
    demand_rate_std: FloatArray
    lead_time_mean: FloatArray
    unit_cost: FloatArray
    moq: FloatArray
    order_multiple: FloatArray
    sellable_days_at_receipt: FloatArray
    adu: FloatArray | None = None


@dataclass(frozen=True)
class PanelParameters:
    """Labelled parameters per row [units unless stated]."""

    policy_type: NDArray[np.object_]
    service_measure: NDArray[np.object_]
    service_target: FloatArray  #: [fraction]; NaN where the measure has no target
    review_period_days: FloatArray
    reorder_point: FloatArray
    order_up_to: FloatArray
    order_quantity: FloatArray  #: nominal lot, rounded to terms
    safety_stock: FloatArray
    implied_cycle_service_level: FloatArray  #: [fraction]
    implied_fill_rate: FloatArray  #: [fraction]
    max_order_quantity: FloatArray  #: shelf-life cap on one order, inf without expiry
    capped_by_expiry: NDArray[np.bool_]
    write_off_per_order: FloatArray  #: forced by terms above the cap


def family_for_demand_class(demand_class: NDArray[np.object_]) -> NDArray[np.object_]:
    """Lead-time demand family per Syntetos–Boylan class.

    smooth and new: normal; erratic: gamma (skewed, non-negative); intermittent and lumpy:
    negative binomial (counts; a Poisson when the variance does not exceed the mean).
    """
    return np.asarray(
        np.select(
            [
                np.isin(demand_class, ["erratic"]),
                np.isin(demand_class, ["intermittent", "lumpy"]),
            ],
            [Family.GAMMA, Family.NEGATIVE_BINOMIAL],
            Family.NORMAL,
        ),
        dtype=object,
    )


def lot_sizes(
    resolved: ResolvedStrategy, inputs: PanelInputs, ordering_cost: float, holding_rate: float
) -> tuple[FloatArray, FloatArray]:
    """Nominal lot before rounding [units] and the shelf-life cap on one order [units]."""
    holding = np.maximum(holding_rate * inputs.unit_cost, 1e-9)
    eoq = economic_order_quantity(ordering_cost, holding, inputs.demand_rate * DAYS_PER_YEAR)
    lot = np.maximum(eoq.quantity, inputs.demand_rate * resolved.review_period_days)
    caps = expiry_caps(inputs.demand_rate, inputs.lead_time_mean, inputs.sellable_days_at_receipt)
    return np.minimum(lot, caps.max_order_quantity), caps.max_order_quantity


def panel_parameters(
    resolved: ResolvedStrategy,
    inputs: PanelInputs,
    *,
    ordering_cost: float,
    holding_rate: float,
) -> PanelParameters:
    """Parameters of every row under its resolved policy (module docstring).

    ``ordering_cost`` is the fixed cost per order [CNY/order]; ``holding_rate`` the annual
    holding cost as a share of the unit cost [1/year].
    """
    wanted, q_cap = lot_sizes(resolved, inputs, ordering_cost, holding_rate)
    terms = round_within_cap(wanted, inputs.moq, inputs.order_multiple, q_cap)
    lot = np.where(inputs.demand_rate > 0, terms.quantity, 0.0)
    kind = resolved.policy_type
    s, big_s = np.zeros(len(kind)), np.zeros(len(kind))
    service = np.flatnonzero(np.isin(kind, [p for p in PolicyType if p.uses_service_target]))
    if service.size:
        levels = reorder_levels(
            kind[service],
            resolved.service_measure[service],
            resolved.service_target[service],
            inputs.demand.take(service),
            lot[service],
        )
        s[service], big_s[service] = levels.reorder_point, levels.order_up_to
    _coverage_levels(resolved, inputs, lot, s, big_s)
    caps = expiry_caps(inputs.demand_rate, inputs.lead_time_mean, inputs.sellable_days_at_receipt)
    capped = cap_levels(s, big_s, np.where(kind == PolicyType.R_S, big_s - s, lot), caps)
    return _assemble(
        resolved, inputs, capped.reorder_point, capped.order_up_to, lot, terms, q_cap, capped.capped
    )


def _coverage_levels(
    resolved: ResolvedStrategy,
    inputs: PanelInputs,
    lot: FloatArray,
    s: FloatArray,
    big_s: FloatArray,
) -> None:
    """Fill s and S of min–max rows (min, max) and DDMRP rows (TOY, TOG) in place."""
    kind = resolved.policy_type
    rows = np.flatnonzero(kind == PolicyType.MIN_MAX)
    if rows.size:
        levels = days_of_supply_min_max(
            inputs.demand_rate[rows],
            inputs.lead_time_mean[rows],
            resolved.safety_days[rows],
            resolved.review_period_days[rows],
        )
        s[rows], big_s[rows] = levels.min_level, levels.max_level
    rows = np.flatnonzero(kind == PolicyType.DDMRP)
    if rows.size:
        adu = (inputs.adu if inputs.adu is not None else inputs.demand_rate)[rows]
        dlt = inputs.lead_time_mean[rows]
        with np.errstate(divide="ignore", invalid="ignore"):
            cv = inputs.demand_rate_std[rows] / adu
        zones = buffer_zones(
            adu,
            dlt,
            lead_time_factor(dlt),
            variability_factor(cv),
            inputs.moq[rows],
            resolved.review_period_days[rows],
        )
        s[rows], big_s[rows] = zones.top_of_yellow, zones.top_of_green


def _assemble(
    resolved: ResolvedStrategy,
    inputs: PanelInputs,
    s: FloatArray,
    big_s: FloatArray,
    lot: FloatArray,
    terms: TermsOrder,
    q_cap: FloatArray,
    capped: NDArray[np.bool_],
) -> PanelParameters:
    kind = resolved.policy_type
    up_to = kind == PolicyType.R_S
    fixed = kind == PolicyType.S_Q
    shape = CycleShape(up_to, fixed, np.where(up_to, 0.0, np.maximum(big_s - s, 1.0)))
    demand = inputs.demand
    expected = np.where(
        up_to, demand.protection.mean, demand.lead_time.mean + undershoot_moments(demand)[0]
    )
    quantity = np.where(up_to, demand.review_mean, np.where(fixed, lot, big_s - s))
    forced = terms.exceeds_cap
    target = np.where(
        np.isin(resolved.service_measure, ["cycle_service_level", "fill_rate"]),
        resolved.service_target,
        np.nan,
    )
    return PanelParameters(
        policy_type=kind,
        service_measure=resolved.service_measure,
        service_target=target,
        review_period_days=resolved.review_period_days,
        reorder_point=s,
        order_up_to=big_s,
        order_quantity=quantity,
        safety_stock=s - expected,
        implied_cycle_service_level=implied_cycle_service_level(demand, shape, s),
        implied_fill_rate=implied_fill_rate(demand, shape, s),
        max_order_quantity=q_cap,
        capped_by_expiry=capped | forced,
        write_off_per_order=np.where(forced, np.maximum(lot - q_cap, 0.0), 0.0),
    )
