"""From planning inputs to forecasts, policy parameters and order proposals, as frames.

This is the nightly run's computation, wired from the pure functions of :mod:`replenlib.demand`,
:mod:`replenlib.policy` and :mod:`replenlib.plan`. It touches no store: it takes
:class:`~replenlib.pipeline.inputs.PlanningInputs` and returns key-aligned frames.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from replenlib.demand.distributions import DemandDistribution
from replenlib.demand.panel import PanelDemandForecast, forecast_panel
from replenlib.pipeline.inputs import PlanningInputs
from replenlib.pipeline.policy_inputs import PolicyStoreInputs
from replenlib.plan.proposals import ProposalDecision, decide_orders
from replenlib.policy.ddmrp import average_daily_usage
from replenlib.policy.expiry import AGE_AT_RECEIPT_DAYS, fefo_outlook
from replenlib.policy.order_sizing import top_up_to_minimum_order_value
from replenlib.policy.panel import (
    PanelInputs,
    PanelParameters,
    family_for_demand_class,
    panel_parameters,
)
from replenlib.policy.policies import is_review_day, replenishment_quantity
from replenlib.policy.service import CycleDemand, cycle_demand
from replenlib.policy.strategy import ResolvedStrategy, SegmentAttributes, Strategy, resolve

if TYPE_CHECKING:
    from replenlib.pipeline.demand_stage import DemandStage

DAYS_PER_WEEK = 7.0
#: Weeks of history in the past average daily usage of DDMRP rows.
ADU_PAST_WEEKS = 4


@dataclass(frozen=True)
class PlanResult:
    """The frames one run writes (without ``run_id``; the writer adds it)."""

    forecasts: pd.DataFrame
    policy_parameters: pd.DataFrame
    proposals: pd.DataFrame
    inventory_position: np.ndarray
    #: demand over lead time + review period per series, from the demand stage (else None)
    lead_time_demand: DemandDistribution | None = None


def plan(
    inputs: PlanningInputs,
    strategy: Strategy,
    store: PolicyStoreInputs | None = None,
    demand: DemandStage | None = None,
) -> PlanResult:
    """Forecast, set policy parameters and decide orders for every item-location.

    With ``demand`` (the nightly demand stage) the forecast is the method chosen by backtest,
    the segments are the demand layer's (ABC, XYZ, lifecycle), the cycle demand is its
    lead-time demand distribution, and the result carries that distribution; without it,
    the quick by-class forecast of :func:`~replenlib.demand.panel.forecast_panel`.
    """
    series = inputs.series
    forecast = demand.forecast if demand is not None else forecast_panel(inputs.weekly_demand)
    demand_mean = forecast.mean / DAYS_PER_WEEK
    demand_std = forecast.std / np.sqrt(DAYS_PER_WEEK)
    active = series["is_active"].to_numpy(dtype=bool)
    rate, rate_std = np.where(active, demand_mean, 0.0), np.where(active, demand_std, 0.0)
    extra = store or PolicyStoreInputs.empty(inputs.n_series)
    attributes = _segment_attributes(series, forecast, extra, active)
    if demand is not None:
        attributes = demand.segment_attributes(attributes, active)
    resolved = resolve(strategy, attributes)
    cycle = None
    if demand is not None:
        cycle = demand.cycle_demand(
            inputs.lead_time_mean, inputs.lead_time_std, resolved.review_period_days, active
        )
    params = _policy_parameters(inputs, resolved, rate, rate_std, forecast, strategy, cycle)
    position = inputs.usable_on_hand + inputs.on_order
    decision = _decide(inputs, params, position, rate, strategy)
    write_off = fefo_outlook(
        extra.lot_quantity,
        extra.lot_days_to_expiry,
        series["min_remaining_shelf_life_days"].to_numpy(dtype=np.float64, na_value=0.0),
        rate,
    ).expected_write_off
    return PlanResult(
        forecasts=_forecast_frame(series, forecast, demand_mean, demand_std),
        policy_parameters=_parameter_frame(inputs, resolved, params, write_off),
        proposals=_proposal_frame(inputs, position, params, decision, demand_mean),
        inventory_position=position,
        lead_time_demand=None if cycle is None else cycle.protection,
    )


def _segment_attributes(
    series: pd.DataFrame,
    forecast: PanelDemandForecast,
    store: PolicyStoreInputs,
    active: np.ndarray,
) -> SegmentAttributes:
    """Segment attributes known in this run.

    Until the demand layer hands over ABC/XYZ and lifecycle, lifecycle is derived here:
    end-of-life from the item master, 'new' from the demand class, 'mature' otherwise.
    """
    demand_class = forecast.segmentation.demand_class.astype(object)
    lifecycle = np.where(~active, "end_of_life", np.where(demand_class == "new", "new", "mature"))
    return SegmentAttributes(
        item_id=series["item_id"].to_numpy(dtype=object),
        location_id=series["location_id"].to_numpy(dtype=object),
        criticality=series["criticality"].to_numpy(dtype=object),
        risk_class=series["risk_class"].to_numpy(dtype=object),
        is_cold_chain=series["is_cold_chain"].to_numpy(dtype=bool),
        is_substitutable=store.is_substitutable,
        demand_class=demand_class,
        lifecycle=lifecycle.astype(object),
    )


def _policy_parameters(
    inputs: PlanningInputs,
    resolved: ResolvedStrategy,
    rate: np.ndarray,
    rate_std: np.ndarray,
    forecast: PanelDemandForecast,
    strategy: Strategy,
    cycle: CycleDemand | None = None,
) -> PanelParameters:
    series = inputs.series
    family = family_for_demand_class(forecast.segmentation.demand_class)
    demand = cycle or cycle_demand(
        family,
        rate,
        rate_std,
        inputs.lead_time_mean,
        inputs.lead_time_std,
        resolved.review_period_days,
    )
    shelf = series["shelf_life_days"].to_numpy(dtype=np.float64, na_value=np.nan)
    minimum = series["min_remaining_shelf_life_days"].to_numpy(dtype=np.float64, na_value=0.0)
    past = inputs.weekly_demand[:, -ADU_PAST_WEEKS:] / DAYS_PER_WEEK
    adu = average_daily_usage(past, rate[:, None], resolved.ddmrp_past_weight)
    return panel_parameters(
        resolved,
        PanelInputs(
            demand=demand,
            demand_rate=rate,
            demand_rate_std=rate_std,
            lead_time_mean=inputs.lead_time_mean,
            unit_cost=series["unit_cost"].to_numpy(dtype=np.float64),
            moq=series["moq"].to_numpy(dtype=np.float64),
            order_multiple=series["order_multiple"].to_numpy(dtype=np.float64),
            sellable_days_at_receipt=shelf - AGE_AT_RECEIPT_DAYS - minimum,
            adu=np.where(rate > 0, adu, 0.0),
        ),
        ordering_cost=strategy.ordering_cost,
        holding_rate=strategy.holding_rate,
    )


def _decide(
    inputs: PlanningInputs,
    params: PanelParameters,
    position: np.ndarray,
    rate: np.ndarray,
    strategy: Strategy,
) -> ProposalDecision:
    """Today's orders: periodic rows only on their review day; supplier minimum order values."""
    series = inputs.series
    moq = series["moq"].to_numpy(dtype=np.float64)
    multiple = series["order_multiple"].to_numpy(dtype=np.float64)
    due = is_review_day(inputs.as_of.toordinal(), params.review_period_days)
    wanted = replenishment_quantity(
        params.policy_type,
        position,
        params.reorder_point,
        params.order_up_to,
        params.order_quantity,
    )
    decision = decide_orders(
        on_hand=inputs.usable_on_hand,
        inventory_position=position,
        reorder_point=np.where(due, params.reorder_point, -np.inf),
        order_up_to=params.order_up_to,
        safety_stock=params.safety_stock,
        demand_mean=rate,
        lead_time_mean=inputs.lead_time_mean,
        moq=moq,
        order_multiple=multiple,
        wanted_quantity=wanted,
        max_quantity=params.max_order_quantity,
    )
    return _with_minimum_order_values(decision, series, strategy, moq, multiple, params)


def _with_minimum_order_values(
    decision: ProposalDecision,
    series: pd.DataFrame,
    strategy: Strategy,
    moq: np.ndarray,
    multiple: np.ndarray,
    params: PanelParameters,
) -> ProposalDecision:
    if not strategy.minimum_order_values:
        return decision
    minimum = {m.supplier_id: m.minimum_order_value for m in strategy.minimum_order_values}
    supplier = series["supplier_id"].fillna("").to_numpy(dtype=object)
    codes, index = np.unique(supplier, return_inverse=True)
    line_minimum = np.array([minimum.get(str(c), 0.0) for c in codes])[index]
    result = top_up_to_minimum_order_value(
        decision.quantity,
        series["unit_price"].to_numpy(dtype=np.float64),
        index,
        np.where(supplier == "", 0.0, line_minimum),
        moq,
        multiple,
        params.max_order_quantity,
    )
    return replace(decision, quantity=result.quantity)


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
    resolved: ResolvedStrategy,
    params: PanelParameters,
    write_off: np.ndarray,
) -> pd.DataFrame:
    series = inputs.series
    return pd.DataFrame(
        {
            "item_id": series["item_id"].to_numpy(),
            "location_id": series["location_id"].to_numpy(),
            "tier": resolved.tier.astype(str),
            "policy_type": params.policy_type.astype(str),
            "service_measure": params.service_measure.astype(str),
            "service_target": params.service_target,
            "supplier_id": series["supplier_id"].to_numpy(),
            "source_location_id": series["source_location_id"].to_numpy(),
            "lead_time_mean_days": inputs.lead_time_mean,
            "lead_time_std_days": inputs.lead_time_std,
            "review_period_days": params.review_period_days,
            "safety_stock": params.safety_stock,
            "reorder_point": params.reorder_point,
            "order_up_to": params.order_up_to,
            "order_quantity": params.order_quantity,
            "unit_cost": series["unit_cost"].to_numpy(dtype=np.float64),
            "implied_cycle_service_level": params.implied_cycle_service_level,
            "implied_fill_rate": params.implied_fill_rate,
            "capped_by_expiry": params.capped_by_expiry,
            "max_order_quantity": np.where(
                np.isfinite(params.max_order_quantity), params.max_order_quantity, np.nan
            ),
            "expected_write_off": write_off,
            "write_off_per_order": params.write_off_per_order,
            "override_reason": resolved.override.astype(str),
        }
    )


def _proposal_frame(
    inputs: PlanningInputs,
    position: np.ndarray,
    params: PanelParameters,
    decision: ProposalDecision,
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
        f"({policy}, {_target_label(measure, target)}, forecast {d:,.2f}/day, "
        f"lead time {lt:.0f}±{sd:.0f} d)"
        for ip, s, policy, measure, target, d, lt, sd in zip(
            position[rows],
            params.reorder_point[rows],
            params.policy_type[rows],
            params.service_measure[rows],
            params.service_target[rows],
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


def _target_label(measure: str, target: float) -> str:
    """'cycle service level 99.0%' / 'fill rate 95.0%' / the measure alone without a target."""
    text = str(measure).replace("_", " ")
    return f"{text} {target:.1%}" if np.isfinite(target) else text
