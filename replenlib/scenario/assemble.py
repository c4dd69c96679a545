r"""From levers to policies and to the simulated system, all variants stacked.

The **planner** sets each series' policy from what it knows — the forecast, the supply's
lead-time moments, the review period and the service target — with the production policy
functions (:func:`replenlib.policy.reorder.reorder_point_parameters`): protection over
:math:`L + R`, safety stock :math:`z\sigma`, EOQ capped by shelf life and rounded to the
supplier's terms. A lead-time or demand change enters the plan only when the scenario says
the planner knows it (``replan``); otherwise reality moves and the policy stays.

================  ====================  =============================================
choice            simulated rule        levels
================  ====================  =============================================
``tiered``        (R, s, S)             s = reorder point, S = s + Q
``s_Q``           (R, s, nQ)            s = reorder point, Q
``R_S``           (R, S)                S = :math:`\mu(L+R) + z\sigma` (the reorder point)
``erp``           (s, nQ), daily        the fixed ERP reorder point and order quantity
================  ====================  =============================================
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from replenlib.policy.reorder import PolicyInputs, reorder_point_parameters
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
    """The policy the planner sets per series [units]."""

    kind: NDArray[np.object_]  #: :class:`~replenlib.sim.system.PolicyKind` per series
    reorder_point: NDArray[np.float64]
    order_quantity: NDArray[np.float64]
    order_up_to: NDArray[np.float64]
    safety_stock: NDArray[np.float64]
    review_period: NDArray[np.int64]  #: [days]


def planning_inputs(base: ScenarioBase, lv: Levers) -> PolicyInputs:
    """What the planner knows about each series under levers ``lv``."""
    lt_mean = base.lead_times.mean[lv.source]
    lt_std = base.lead_times.std[lv.source]
    known_lt = lv.lead_time_known
    lt_mean = np.where(
        known_lt, np.maximum(lt_mean * lv.lead_time_factor + lv.lead_time_shift, 1.0), lt_mean
    )
    lt_std = np.where(known_lt, lt_std * lv.lead_time_factor, lt_std)
    level = np.where(lv.demand_known, lv.demand_multiplier, 1.0)
    spread = np.where(lv.demand_known, lv.demand_variability, 1.0)
    return PolicyInputs(
        demand_mean=base.forecast_mean * level,
        demand_std=base.forecast_std * level * spread,
        lead_time_mean=lt_mean,
        lead_time_std=lt_std,
        review_period=lv.review_period.astype(np.float64),
        cycle_service_level=lv.service_target,
        unit_cost=base.unit_cost,
        moq=lv.moq,
        order_multiple=lv.order_multiple,
        usable_days=base.usable_days,
    )


def plan_policy(base: ScenarioBase, lv: Levers) -> PlannedPolicy:
    """The policy of every series under levers ``lv`` (see the module docstring)."""
    params = reorder_point_parameters(
        planning_inputs(base, lv),
        ordering_cost=base.strategy.ordering_cost,
        holding_rate=base.strategy.holding_rate,
    )
    choice = lv.policy
    erp = choice == PolicyChoice.ERP
    minimum = np.maximum(np.maximum(lv.moq, lv.order_multiple), 1.0)
    quantity = np.where(
        erp, np.maximum(base.erp_order_quantity, 1.0), np.maximum(params.order_quantity, minimum)
    )
    kind = np.select(
        [choice == PolicyChoice.TIERED, choice == PolicyChoice.ORDER_UP_TO],
        [PolicyKind.REORDER_POINT_ORDER_UP_TO, PolicyKind.ORDER_UP_TO],
        PolicyKind.REORDER_POINT_QUANTITY,
    ).astype(object)
    reorder = np.where(erp, base.erp_reorder_point, params.reorder_point)
    up_to = np.where(choice == PolicyChoice.ORDER_UP_TO, params.reorder_point, params.order_up_to)
    return PlannedPolicy(
        kind=kind,
        reorder_point=reorder,
        order_quantity=quantity,
        order_up_to=np.where(erp, reorder + quantity, up_to),
        safety_stock=np.where(
            erp, base.erp_reorder_point - params.protection_mean, params.safety_stock
        ),
        review_period=np.where(erp, 1, lv.review_period).astype(np.int64),
    )


def build_system(
    base: ScenarioBase, variants: list[Levers]
) -> tuple[InventorySystem, list[PlannedPolicy]]:
    """The simulated system with one variant per element of ``variants``."""
    plans = [plan_policy(base, lv) for lv in variants]

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
    )
    supply = Supply(
        source=stack([lv.source for lv in variants]),
        lead_time_factor=stack([lv.lead_time_factor for lv in variants]),
        lead_time_shift=stack([lv.lead_time_shift for lv in variants]),
        sequential=stack([base.source_sequential[lv.source] for lv in variants]),
        outage_start=stack([lv.outage_start for lv in variants]),
        outage_end=stack([lv.outage_end for lv in variants]),
    )
    change = DemandChange(
        multiplier=stack([lv.demand_multiplier for lv in variants]),
        variability=stack([lv.demand_variability for lv in variants]),
        shock_multiplier=stack([lv.shock_multiplier for lv in variants]),
        shock_start=stack([lv.shock_start for lv in variants]),
        shock_end=stack([lv.shock_end for lv in variants]),
    )
    stocking = Stocking(
        lost_sales=stack([lv.lost_sales for lv in variants]), usable_days=base.usable_days
    )
    system = InventorySystem(
        base.demand, base.lead_times, policy, supply, stocking, change, base.failures
    )
    return system, plans
