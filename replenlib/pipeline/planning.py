"""From planning inputs to forecasts and policy parameters, as frames.

This is the nightly run's computation, wired from the pure functions of :mod:`replenlib.demand`
and :mod:`replenlib.policy`. It touches no store: it takes
:class:`~replenlib.pipeline.inputs.PlanningInputs` and returns key-aligned frames. Today's
order proposals come from these parameters through one path,
:func:`replenlib.pipeline.proposals.propose` (called by the plan stage).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from replenlib.demand.distributions import DemandDistribution
from replenlib.demand.echelon import echelon_demand
from replenlib.demand.panel import PanelDemandForecast, echelon_forecast, forecast_panel
from replenlib.pipeline.inputs import PlanningInputs
from replenlib.pipeline.policy_inputs import PolicyStoreInputs
from replenlib.policy.ddmrp import average_daily_usage
from replenlib.policy.expiry import AGE_AT_RECEIPT_DAYS, fefo_outlook
from replenlib.policy.panel import (
    PanelInputs,
    PanelParameters,
    family_for_demand_class,
    panel_parameters,
)
from replenlib.policy.service import CycleDemand, cycle_demand
from replenlib.policy.strategy import ResolvedStrategy, SegmentAttributes, Strategy, resolve

if TYPE_CHECKING:
    from replenlib.pipeline.demand_stage import CyclePools, CycleTerms, CycleWindows, DemandStage

DAYS_PER_WEEK = 7.0
#: Weeks of history in the past average daily usage of DDMRP rows.
ADU_PAST_WEEKS = 4


@dataclass(frozen=True)
class PlanResult:
    """The frames one run writes (without ``run_id``; the writer adds it)."""

    forecasts: pd.DataFrame
    policy_parameters: pd.DataFrame
    inventory_position: np.ndarray  #: usable on hand + on order [units]
    #: demand over lead time + review period per series, from the demand stage (else None)
    lead_time_demand: DemandDistribution | None = None


def plan(
    inputs: PlanningInputs,
    strategy: Strategy,
    store: PolicyStoreInputs | None = None,
    demand: DemandStage | None = None,
    pools: CyclePools | None = None,
) -> PlanResult:
    """Forecast and set policy parameters for every item-location.

    With ``demand`` (the nightly demand stage) the forecast is the method chosen by backtest,
    the segments are the demand layer's (ABC, XYZ, lifecycle), the cycle demand is its
    lead-time demand distribution, and the result carries that distribution; without it,
    the quick by-class forecast of :func:`~replenlib.demand.panel.forecast_panel`.
    ``pools``: the whole panel's pooled error ratios when ``inputs`` is a partition of it
    (:func:`cycle_terms` of every partition, gathered).
    """
    series = inputs.series
    segmented = _segmented(inputs, strategy, store, demand)
    forecast, resolved = segmented.forecast, segmented.resolved
    rate, rate_std, active = segmented.rate, segmented.rate_std, segmented.active
    cycle = None
    if demand is not None:
        cycle = demand.cycle_demand(
            inputs.lead_time_mean, inputs.lead_time_std, resolved.review_period_days, active, pools
        )
    params = _policy_parameters(inputs, resolved, rate, rate_std, forecast, strategy, cycle)
    write_off = fefo_outlook(
        segmented.store.lot_quantity,
        segmented.store.lot_days_to_expiry,
        series["min_remaining_shelf_life_days"].to_numpy(dtype=np.float64, na_value=0.0),
        rate,
    ).expected_write_off
    return PlanResult(
        forecasts=_forecast_frame(series, forecast, segmented.daily.mean, segmented.daily.std),
        policy_parameters=_parameter_frame(inputs, resolved, params, write_off),
        inventory_position=inputs.usable_on_hand + inputs.on_order,
        lead_time_demand=None if cycle is None else cycle.protection,
    )


def cycle_windows(
    inputs: PlanningInputs,
    strategy: Strategy,
    store: PolicyStoreInputs | None,
    demand: DemandStage,
) -> CycleWindows:
    """The error windows of the cycle demand :func:`plan` computes for ``inputs`` (for a
    partition: merged over all partitions, :meth:`CycleWindows.gather`)."""
    resolved = _segmented(inputs, strategy, store, demand).resolved
    return demand.cycle_windows(inputs.lead_time_mean, resolved.review_period_days)


def cycle_terms(
    inputs: PlanningInputs,
    strategy: Strategy,
    store: PolicyStoreInputs | None,
    demand: DemandStage,
    windows: CycleWindows | None = None,
) -> CycleTerms:
    """The pool terms of the cycle demand :func:`plan` computes for ``inputs``, measured with
    the whole run's ``windows`` (for a partition: gathered over all partitions into
    :class:`CyclePools`)."""
    resolved = _segmented(inputs, strategy, store, demand).resolved
    return demand.cycle_terms(inputs.lead_time_mean, resolved.review_period_days, windows)


@dataclass(frozen=True)
class _Rates:
    mean: np.ndarray  #: [units/day]
    std: np.ndarray  #: [units/√day]


@dataclass(frozen=True)
class _Segmented:
    """The forecast, rates and resolved strategy of a run's series, before any distribution."""

    forecast: PanelDemandForecast
    daily: _Rates  #: the forecast per day
    rate: np.ndarray  #: [units/day], 0 for inactive series
    rate_std: np.ndarray  #: [units/√day], 0 for inactive series
    active: np.ndarray
    store: PolicyStoreInputs
    resolved: ResolvedStrategy


def rate_forecast(forecast: PanelDemandForecast) -> _Rates:
    """Daily rate and its standard deviation from a weekly forecast."""
    return _Rates(forecast.mean / DAYS_PER_WEEK, forecast.std / np.sqrt(DAYS_PER_WEEK))


def _segmented(
    inputs: PlanningInputs,
    strategy: Strategy,
    store: PolicyStoreInputs | None,
    demand: DemandStage | None,
) -> _Segmented:
    series = inputs.series
    forecast = (  # the demand each stock point covers: own customers + the network below it
        demand.forecast
        if demand is not None
        else echelon_forecast(forecast_panel(inputs.weekly_demand), inputs.parent_row)
    )
    daily = rate_forecast(forecast)
    active = series["is_active"].to_numpy(dtype=bool)
    rate, rate_std = np.where(active, daily.mean, 0.0), np.where(active, daily.std, 0.0)
    extra = store or PolicyStoreInputs.empty(inputs.n_series)
    attributes = _segment_attributes(series, forecast, extra, active)
    if demand is not None:
        attributes = demand.segment_attributes(attributes, active)
    resolved = resolve(strategy, attributes)
    return _Segmented(forecast, daily, rate, rate_std, active, extra, resolved)


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
    past = echelon_demand(inputs.weekly_demand[:, -ADU_PAST_WEEKS:], inputs.parent_row)
    past = past / DAYS_PER_WEEK
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
            "dependent_mean_daily": (
                np.zeros(len(mean))
                if forecast.dependent is None
                else forecast.dependent / DAYS_PER_WEEK
            ),
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
