r"""From levers to policies and to the simulated system, all variants stacked.

The **planner** sets each series' policy from what it knows — the forecast, the supply's
lead-time moments, the strategy table's policy type, service measure, target and review
period (as the scenario's levers leave them) — with the production policy functions: cycle
demand — the demand layer's lead-time demand distributions when the base carries them (as
the nightly run), else moment-matched (:func:`replenlib.policy.service.cycle_demand`, the
family from the demand class; also when the planner knows of a demand change) — and
:func:`replenlib.policy.panel.panel_parameters` (lot sizes, levels for every policy type,
expiry caps). A lead-time or demand change enters the plan only when the scenario says the
planner knows it (``replan``); otherwise reality moves and the policy stays.

The plan is simulated as:

==========================  ==========================  ======================================
policy type                 simulated rule              levels
==========================  ==========================  ======================================
``s_Q``                     (R, s, nQ)                  s, Q
``s_S``, ``R_s_S``,         (R, s, S)                   s, S (min–max: min, max; DDMRP: top
``min_max``, ``ddmrp``                                  of yellow, top of green)
``R_S``                     (R, S)                      S
``erp``                     (s, nQ), daily review       the fixed ERP reorder point and order
                                                        quantity
==========================  ==========================  ======================================

Orders are rounded to the supplier's terms within the shelf-life cap on one order.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from replenlib.policy.kinds import PolicyType
from replenlib.policy.panel import PanelInputs, PanelParameters, panel_parameters
from replenlib.policy.service import cycle_demand
from replenlib.policy.strategy import ResolvedStrategy
from replenlib.scenario.base import Levers, ScenarioBase
from replenlib.scenario.definition import PolicyChoice
from replenlib.sim.system import (
    DemandChange,
    InventorySystem,
    Policy,
    PolicyKind,
    Stocking,
    Supply,
)


@dataclass(frozen=True)
class PlannedPolicy:
    """The policy the planner sets per series (levels in [units])."""

    policy_type: NDArray[np.object_]  #: :class:`PolicyType` value or ``"erp"`` per series
    kind: NDArray[np.object_]  #: simulated rule: :class:`~replenlib.sim.system.PolicyKind`
    reorder_point: NDArray[np.float64]
    order_quantity: NDArray[np.float64]
    order_up_to: NDArray[np.float64]
    safety_stock: NDArray[np.float64]
    review_period: NDArray[np.int64]  #: [days]
    max_order_quantity: NDArray[np.float64]  #: shelf-life cap on one order; ∞ = none
    implied_cycle_service_level: NDArray[np.float64]  #: [fraction] NaN for the ERP
    implied_fill_rate: NDArray[np.float64]  #: [fraction] NaN for the ERP


@dataclass(frozen=True)
class PlannerView:
    """What the planner believes about demand and lead times under some levers."""

    rate: NDArray[np.float64]  #: [units/day]
    rate_std: NDArray[np.float64]  #: [units/day]
    lead_time_mean: NDArray[np.float64]  #: [days]
    lead_time_std: NDArray[np.float64]  #: [days]


def planner_view(base: ScenarioBase, lv: Levers) -> PlannerView:
    """Forecast and lead-time moments, changed where the planner knows of a change."""
    lt_mean = base.lead_times.mean[lv.source]
    lt_std = base.lead_times.std[lv.source]
    known = lv.lead_time_known
    changed_mean = np.maximum(lt_mean * lv.lead_time_factor + lv.lead_time_shift, 1.0)
    level = np.where(lv.demand_known, lv.demand_multiplier, 1.0)
    spread = np.where(lv.demand_known, lv.demand_variability, 1.0)
    return PlannerView(
        rate=base.forecast_mean * level,
        rate_std=base.forecast_std * level * spread,
        lead_time_mean=np.where(known, changed_mean, lt_mean),
        lead_time_std=np.where(known, lt_std * lv.lead_time_factor, lt_std),
    )


def resolved_for(base: ScenarioBase, lv: Levers) -> ResolvedStrategy:
    """The strategy table's rows as the levers leave them (ERP rows keep the table's type)."""
    chosen = (lv.policy != PolicyChoice.TIERED) & (lv.policy != PolicyChoice.ERP)
    policy_type = np.where(chosen, lv.policy, base.resolved.policy_type)
    return replace(
        base.resolved,
        policy_type=np.asarray([PolicyType(p) for p in policy_type], dtype=object),
        service_measure=lv.service_measure,
        service_target=lv.service_target,
        review_period_days=lv.review_period.astype(np.float64),
    )


def plan_parameters(base: ScenarioBase, lv: Levers) -> PanelParameters:
    """The production policy's parameters for every series under levers ``lv``."""
    view, resolved = planner_view(base, lv), resolved_for(base, lv)
    known_change = np.any(
        lv.demand_known & ((lv.demand_multiplier != 1) | (lv.demand_variability != 1))
    )
    if base.cycle_demand is not None and not known_change:
        demand = base.cycle_demand(
            view.lead_time_mean, view.lead_time_std, resolved.review_period_days
        )
    else:
        demand = cycle_demand(
            base.demand_family,
            view.rate,
            view.rate_std,
            view.lead_time_mean,
            view.lead_time_std,
            resolved.review_period_days,
        )
    inputs = PanelInputs(
        demand=demand,
        demand_rate=view.rate,
        demand_rate_std=view.rate_std,
        lead_time_mean=view.lead_time_mean,
        unit_cost=base.unit_cost,
        moq=lv.moq,
        order_multiple=lv.order_multiple,
        sellable_days_at_receipt=base.usable_days,
        adu=np.where(view.rate > 0, base.adu, 0.0),
    )
    return panel_parameters(
        resolved,
        inputs,
        ordering_cost=base.strategy.ordering_cost,
        holding_rate=base.strategy.holding_rate,
    )


def simulated_kind(policy_type: NDArray[np.object_]) -> NDArray[np.object_]:
    """The simulator's rule for each policy type (see the module docstring)."""
    kind = np.select(
        [policy_type == PolicyType.S_Q, policy_type == PolicyType.R_S],
        [PolicyKind.REORDER_POINT_QUANTITY, PolicyKind.ORDER_UP_TO],
        PolicyKind.REORDER_POINT_ORDER_UP_TO,
    )
    return np.asarray(kind, dtype=object)


def plan_policy(base: ScenarioBase, lv: Levers) -> PlannedPolicy:
    """The policy of every series under levers ``lv`` (see the module docstring)."""
    params = plan_parameters(base, lv)
    erp = lv.policy == PolicyChoice.ERP
    minimum = np.maximum(np.maximum(lv.moq, lv.order_multiple), 1.0)
    lot = np.where(
        params.policy_type == PolicyType.S_Q,
        np.maximum(params.order_quantity, minimum),
        params.order_quantity,
    )
    erp_quantity = np.maximum(base.erp_order_quantity, 1.0)
    return PlannedPolicy(
        policy_type=np.where(erp, PolicyChoice.ERP, params.policy_type).astype(object),
        kind=np.where(
            erp, PolicyKind.REORDER_POINT_QUANTITY, simulated_kind(params.policy_type)
        ).astype(object),
        reorder_point=np.where(erp, base.erp_reorder_point, params.reorder_point),
        order_quantity=np.where(erp, erp_quantity, lot),
        order_up_to=np.where(erp, base.erp_reorder_point + erp_quantity, params.order_up_to),
        safety_stock=np.where(erp, np.nan, params.safety_stock),
        review_period=np.where(erp, 1, np.maximum(np.rint(params.review_period_days), 1)).astype(
            np.int64
        ),
        max_order_quantity=np.where(erp, np.inf, params.max_order_quantity),
        implied_cycle_service_level=np.where(erp, np.nan, params.implied_cycle_service_level),
        implied_fill_rate=np.where(erp, np.nan, params.implied_fill_rate),
    )


def build_system(
    base: ScenarioBase, variants: list[Levers], day_offset: int = 0
) -> tuple[InventorySystem, list[PlannedPolicy]]:
    """The simulated system with one variant per element of ``variants``.

    Shock and outage windows of the levers count from the first measured day; they are
    moved by ``day_offset`` (the warm-up) onto the simulation's day index.
    """
    plans = [plan_policy(base, lv) for lv in variants]

    def shifted(days: NDArray[np.int64]) -> NDArray[np.int64]:
        return np.where(days >= 0, days + day_offset, days)

    def stack(values: list[NDArray[np.generic]]) -> NDArray[np.generic]:
        return np.stack(values)

    policy = Policy(
        kind=stack([p.kind for p in plans]),
        reorder_point=stack([p.reorder_point for p in plans]),
        order_quantity=stack([p.order_quantity for p in plans]),
        order_up_to=stack([p.order_up_to for p in plans]),
        review_period=stack([p.review_period for p in plans]),
        moq=stack([np.where(lv.policy == PolicyChoice.ERP, 0.0, lv.moq) for lv in variants]),
        order_multiple=stack(
            [np.where(lv.policy == PolicyChoice.ERP, 0.0, lv.order_multiple) for lv in variants]
        ),
        max_order_quantity=stack([p.max_order_quantity for p in plans]),
    )
    supply = Supply(
        source=stack([lv.source for lv in variants]),
        lead_time_factor=stack([lv.lead_time_factor for lv in variants]),
        lead_time_shift=stack([lv.lead_time_shift for lv in variants]),
        sequential=stack([base.source_sequential[lv.source] for lv in variants]),
        outage_start=stack([shifted(lv.outage_start) for lv in variants]),
        outage_end=stack([shifted(lv.outage_end) for lv in variants]),
    )
    change = DemandChange(
        multiplier=stack([lv.demand_multiplier for lv in variants]),
        variability=stack([lv.demand_variability for lv in variants]),
        shock_multiplier=stack([lv.shock_multiplier for lv in variants]),
        shock_start=stack([shifted(lv.shock_start) for lv in variants]),
        shock_end=stack([shifted(lv.shock_end) for lv in variants]),
    )
    stocking = Stocking(
        lost_sales=stack([lv.lost_sales for lv in variants]), usable_days=base.usable_days
    )
    system = InventorySystem(
        base.demand, base.lead_times, policy, supply, stocking, change, base.failures
    )
    return system, plans
