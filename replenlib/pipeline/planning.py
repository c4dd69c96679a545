"""From planning inputs to forecasts, policy parameters and order proposals, as frames.

This is the nightly run's computation, wired from the pure functions of :mod:`replenlib.demand`,
:mod:`replenlib.policy` and :mod:`replenlib.plan`. It touches no store: it takes
:class:`~replenlib.pipeline.inputs.PlanningInputs` and returns key-aligned frames.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import pandas as pd

from replenlib.demand.panel import PanelDemandForecast, forecast_panel
from replenlib.pipeline.inputs import PlanningInputs
from replenlib.plan.proposals import ProposalDecision, decide_orders
from replenlib.policy.reorder import PolicyInputs, PolicyParameters, reorder_point_parameters
from replenlib.policy.strategy import ServiceMeasure, Strategy, assign_tier, targets_for

DAYS_PER_WEEK = 7.0


@dataclass(frozen=True)
class PlanResult:
    """The frames one run writes (without ``run_id``; the writer adds it)."""

    forecasts: pd.DataFrame
    policy_parameters: pd.DataFrame
    proposals: pd.DataFrame
    inventory_position: np.ndarray


def plan(inputs: PlanningInputs, strategy: Strategy) -> PlanResult:
    """Forecast, set policy parameters and decide orders for every item-location."""
    _require_cycle_service_level(strategy)
    series = inputs.series
    forecast = forecast_panel(inputs.weekly_demand)
    demand_mean = forecast.mean / DAYS_PER_WEEK
    demand_std = forecast.std / np.sqrt(DAYS_PER_WEEK)
    tiers = assign_tier(series["criticality"], series["risk_class"], series["is_cold_chain"])
    targets = targets_for(strategy, tiers)
    active = series["is_active"].to_numpy(dtype=bool)
    params = reorder_point_parameters(
        PolicyInputs(
            demand_mean=np.where(active, demand_mean, 0.0),
            demand_std=np.where(active, demand_std, 0.0),
            lead_time_mean=inputs.lead_time_mean,
            lead_time_std=inputs.lead_time_std,
            review_period=targets.review_period_days,
            cycle_service_level=targets.service_target,
            unit_cost=series["unit_cost"].to_numpy(dtype=np.float64),
            moq=series["moq"].to_numpy(dtype=np.float64),
            order_multiple=series["order_multiple"].to_numpy(dtype=np.float64),
            usable_days=inputs.usable_days,
        ),
        ordering_cost=strategy.ordering_cost,
        holding_rate=strategy.holding_rate,
    )
    position = inputs.usable_on_hand + inputs.on_order
    decision = decide_orders(
        on_hand=inputs.usable_on_hand,
        inventory_position=position,
        reorder_point=params.reorder_point,
        order_up_to=params.order_up_to,
        safety_stock=params.safety_stock,
        demand_mean=np.where(active, demand_mean, 0.0),
        lead_time_mean=inputs.lead_time_mean,
        moq=series["moq"].to_numpy(dtype=np.float64),
        order_multiple=series["order_multiple"].to_numpy(dtype=np.float64),
    )
    return PlanResult(
        forecasts=_forecast_frame(series, forecast, demand_mean, demand_std),
        policy_parameters=_parameter_frame(
            inputs, tiers, targets.service_target, targets.review_period_days, params
        ),
        proposals=_proposal_frame(
            inputs, position, params, decision, targets.service_target, demand_mean
        ),
        inventory_position=position,
    )


def _require_cycle_service_level(strategy: Strategy) -> None:
    for rule in strategy.rules:
        if rule.service_measure is not ServiceMeasure.CYCLE_SERVICE_LEVEL:
            raise NotImplementedError(
                f"tier {rule.tier.value} asks for a {rule.service_measure.value} target; "
                "this version plans with cycle service levels only"
            )


def _forecast_frame(
    series: pd.DataFrame, forecast: PanelDemandForecast, mean: np.ndarray, std: np.ndarray
) -> pd.DataFrame:
    seg = forecast.segmentation
    return pd.DataFrame(
        {
            "item_id": series["item_id"].to_numpy(),
            "location_id": series["location_id"].to_numpy(),
            "demand_class": seg.demand_class.astype(str),
            "adi": seg.adi,
            "cv2": seg.cv2,
            "method": forecast.method,
            "mean_daily": mean,
            "std_daily": std,
        }
    )


def _parameter_frame(
    inputs: PlanningInputs,
    tiers: np.ndarray,
    target: np.ndarray,
    review: np.ndarray,
    params: PolicyParameters,
) -> pd.DataFrame:
    series = inputs.series
    return pd.DataFrame(
        {
            "item_id": series["item_id"].to_numpy(),
            "location_id": series["location_id"].to_numpy(),
            "tier": tiers.astype(str),
            "service_measure": ServiceMeasure.CYCLE_SERVICE_LEVEL.value,
            "service_target": target,
            "supplier_id": series["supplier_id"].to_numpy(),
            "source_location_id": series["source_location_id"].to_numpy(),
            "lead_time_mean_days": inputs.lead_time_mean,
            "lead_time_std_days": inputs.lead_time_std,
            "review_period_days": review,
            "safety_stock": params.safety_stock,
            "reorder_point": params.reorder_point,
            "order_up_to": params.order_up_to,
            "order_quantity": params.order_quantity,
            "unit_cost": series["unit_cost"].to_numpy(dtype=np.float64),
        }
    )


def _proposal_frame(
    inputs: PlanningInputs,
    position: np.ndarray,
    params: PolicyParameters,
    decision: ProposalDecision,
    target: np.ndarray,
    demand_mean: np.ndarray,
) -> pd.DataFrame:
    series = inputs.series
    rows = np.flatnonzero(decision.needs_order & series["is_active"].to_numpy(dtype=bool))
    rows = rows[np.argsort(-decision.urgency_score[rows], kind="stable")]
    lead = inputs.lead_time_mean[rows]
    picked = series.iloc[rows]
    is_transfer = picked["source_location_id"].notna().to_numpy()
    frame = pd.DataFrame(
        {
            "proposal_id": [f"P{inputs.as_of:%Y%m%d}-{n:05d}" for n in range(1, len(rows) + 1)],
            "item_id": picked["item_id"].to_numpy(),
            "location_id": picked["location_id"].to_numpy(),
            "kind": np.where(is_transfer, "transfer", "purchase"),
            "supplier_id": picked["supplier_id"].to_numpy(),
            "source_location_id": picked["source_location_id"].to_numpy(),
            "quantity": decision.quantity[rows],
            "order_value": decision.quantity[rows]
            * picked["unit_price"].to_numpy(dtype=np.float64),
            "order_date": pd.Timestamp(inputs.as_of),
            "expected_arrival": [inputs.as_of + timedelta(days=round(x)) for x in lead],
            "inventory_position": position[rows],
            "reorder_point": params.reorder_point[rows],
            "urgency": decision.urgency[rows].astype(str),
            "urgency_score": decision.urgency_score[rows],
        }
    )
    frame["expected_arrival"] = pd.to_datetime(frame["expected_arrival"])
    frame["reason"] = [
        f"inventory position {ip:,.0f} ≤ reorder point {s:,.0f} "
        f"(cycle service level {t:.1%}, forecast {d:,.2f}/day, lead time {lt:.0f}±{sd:.0f} d)"
        for ip, s, t, d, lt, sd in zip(
            position[rows],
            params.reorder_point[rows],
            target[rows],
            demand_mean[rows],
            lead,
            inputs.lead_time_std[rows],
            strict=True,
        )
    ]
    frame["reason"] = frame["reason"] + _sourcing_note(picked)
    frame["status"] = "proposed"
    return frame


def _sourcing_note(picked: pd.DataFrame) -> np.ndarray:
    """'; source: <which supplier and why>' per proposal (the supply stage's sourcing text)."""
    text = picked.get("supplier_reason", pd.Series("", index=picked.index)).fillna("")
    values = text.to_numpy(dtype=object)
    return np.where(values != "", "; source: " + values.astype(str), "")
