"""Today's order proposals: the one path from policy parameters to proposal rows.

:func:`propose` turns the run's policy parameters (one row per item-location, aligned to the
planning series) and what the store adds to the position (:class:`OrderContext`: open
proposals in and out, known demand, stock expiring unused, backup suppliers) into the rows
of ``proposals``:

1. :func:`replenlib.plan.short_term.plan_orders` — idle-stock transfers before purchases,
   the policy's own quantity rule, terms and expiry caps, echelon by echelon;
2. suppliers' minimum order values (strategy), by raising that supplier's purchase lines
   proportionally (:func:`replenlib.policy.order_sizing.top_up_to_minimum_order_value`);
3. one row per line with the reason in words (policy, service target, forecast, lead time,
   sourcing) and its urgency.

It touches no store: the nightly plan stage (:mod:`.plan_stage`) reads the context and the
first free proposal number and writes the rows.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from replenlib.demand.echelon import echelon_demand
from replenlib.pipeline.inputs import PlanningInputs
from replenlib.pipeline.plan_inputs import series_index
from replenlib.plan.short_term import (
    OrderKind,
    OrderLines,
    ShortTermInputs,
    ShortTermPlan,
    plan_orders,
)
from replenlib.plan.thresholds import PlanThresholds
from replenlib.policy.order_sizing import top_up_to_minimum_order_value
from replenlib.policy.policies import is_review_day
from replenlib.policy.strategy import Strategy


@dataclass(frozen=True)
class OrderContext:
    """What the store adds to stock and open orders, per series [units].

    ``known_demand`` lowers the position (known demand the levels do not include);
    ``tender_demand`` is known demand the levels include (named in reasons, counts as
    demand for an item without history).
    """

    pending_in: NDArray[np.float64]
    pending_out: NDArray[np.float64]
    expiring_unused: NDArray[np.float64]
    known_demand: NDArray[np.float64]
    tender_demand: NDArray[np.float64]
    on_backup_supplier: NDArray[np.bool_]

    @classmethod
    def empty(cls, n: int) -> OrderContext:
        """No open proposals, no known demand, nothing expiring, primary suppliers."""
        zero = np.zeros(n)
        return cls(zero, zero, zero, zero, zero, np.zeros(n, dtype=bool))


@dataclass(frozen=True)
class Proposals:
    """Today's proposal rows (without ``run_id``) and the plan they came from."""

    frame: pd.DataFrame
    inputs: ShortTermInputs
    plan: ShortTermPlan
    lines: OrderLines  #: the plan's lines after minimum order values


def propose(
    inputs: PlanningInputs,
    params: pd.DataFrame,
    rate: NDArray[np.float64],
    context: OrderContext,
    *,
    strategy: Strategy,
    thresholds: PlanThresholds,
    first_number: int = 1,
) -> Proposals:
    """Plan today's lines and describe them (module docstring).

    ``params`` are the run's policy parameters aligned to ``inputs.series``; ``rate`` the
    forecast daily demand each stock point covers — own customers plus the stock points it
    replenishes — [units/day] (0 for inactive series); proposal ids are
    ``P<as_of>-<n>`` from ``first_number``.
    """
    short = short_term_inputs(inputs, params, rate, context)
    plan = plan_orders(short, thresholds)
    lines = with_minimum_order_values(plan.lines, inputs.series, short, strategy)
    frame = proposal_frame(inputs, params, short, lines, plan.inventory_position, first_number)
    return Proposals(frame, short, plan, lines)


def short_term_inputs(
    inputs: PlanningInputs,
    params: pd.DataFrame,
    rate: NDArray[np.float64],
    context: OrderContext,
) -> ShortTermInputs:
    """The short-term plan's per-series arrays."""
    series, n = inputs.series, inputs.n_series
    weekly = inputs.weekly_demand
    return ShortTermInputs(
        item_code=pd.factorize(series["item_id"])[0].astype(np.int64),
        on_hand=inputs.usable_on_hand,
        expiring_unused=context.expiring_unused,
        on_order=inputs.on_order,
        pending_in=context.pending_in,
        pending_out=context.pending_out,
        known_demand=context.known_demand,
        tender_demand=context.tender_demand,
        reorder_point=params["reorder_point"].to_numpy(dtype=np.float64),
        order_up_to=params["order_up_to"].to_numpy(dtype=np.float64),
        safety_stock=params["safety_stock"].to_numpy(dtype=np.float64),
        demand_rate=rate,
        trailing_rate=echelon_demand(  # last year's, of the same demand as ``rate``
            weekly[:, -min(52, weekly.shape[1]) :].mean(axis=1) / 7.0, inputs.parent_row
        )
        if weekly.size
        else np.zeros(n),
        lead_time=inputs.lead_time_mean,
        moq=series["moq"].to_numpy(dtype=np.float64),
        order_multiple=series["order_multiple"].to_numpy(dtype=np.float64),
        is_purchase=series["source_location_id"].isna().to_numpy(),
        is_active=series["is_active"].to_numpy(dtype=bool),
        on_backup_supplier=context.on_backup_supplier,
        supply_row=series_index(series, series, "source_location_id"),
        policy_type=params["policy_type"].to_numpy(dtype=object),
        lot_size=params["order_quantity"].to_numpy(dtype=np.float64),
        review_due=is_review_day(
            inputs.as_of.toordinal(), params["review_period_days"].to_numpy(dtype=np.float64)
        ),
        max_quantity=params["max_order_quantity"].to_numpy(dtype=np.float64, na_value=np.inf),
    )


def with_minimum_order_values(
    lines: OrderLines, series: pd.DataFrame, short: ShortTermInputs, strategy: Strategy
) -> OrderLines:
    """Purchase lines raised until each supplier's order reaches its minimum value [CNY]."""
    purchase = lines.kind == OrderKind.PURCHASE
    if not strategy.minimum_order_values or not purchase.any():
        return lines
    minimum = {m.supplier_id: m.minimum_order_value for m in strategy.minimum_order_values}
    rows = lines.row
    supplier = series["supplier_id"].fillna("").to_numpy(dtype=object)[rows]
    supplier = np.where(purchase, supplier, "")  # transfers form no supplier order
    codes, index = np.unique(supplier.astype(str), return_inverse=True)
    line_minimum = np.array([minimum.get(str(c), 0.0) for c in codes])[index]
    cap = short.max_quantity[rows] if short.max_quantity is not None else np.inf
    result = top_up_to_minimum_order_value(
        lines.quantity,
        series["unit_price"].to_numpy(dtype=np.float64)[rows],
        index,
        np.where(supplier == "", 0.0, line_minimum),
        short.moq[rows],
        short.order_multiple[rows],
        np.broadcast_to(cap, rows.shape),
    )
    return replace(lines, quantity=np.where(purchase, result.quantity, lines.quantity))


def proposal_frame(
    inputs: PlanningInputs,
    params: pd.DataFrame,
    short: ShortTermInputs,
    lines: OrderLines,
    position: NDArray[np.float64],
    first_number: int = 1,
) -> pd.DataFrame:
    """Rows of ``proposals`` (without ``run_id``), most urgent first."""
    series, rows = inputs.series, lines.row
    picked = series.iloc[rows].reset_index(drop=True)
    shipped = lines.source_row >= 0
    purchase = lines.kind == OrderKind.PURCHASE
    source = np.where(
        shipped,
        series["location_id"].to_numpy(dtype=object)[np.maximum(lines.source_row, 0)],
        picked["source_location_id"].to_numpy(dtype=object),
    )
    price = np.where(
        purchase,
        picked["unit_price"].to_numpy(dtype=np.float64),
        picked["unit_cost"].to_numpy(dtype=np.float64),
    )
    numbers = range(first_number, first_number + len(rows))
    frame = pd.DataFrame(
        {
            "proposal_id": [f"P{inputs.as_of:%Y%m%d}-{k:05d}" for k in numbers],
            "item_id": picked["item_id"].to_numpy(),
            "location_id": picked["location_id"].to_numpy(),
            "kind": lines.kind.astype(str),
            "supplier_id": np.where(
                purchase, picked["supplier_id"].to_numpy(dtype=object), np.array(None)
            ),
            "source_location_id": np.where(purchase, np.array(None), source),
            "quantity": lines.quantity,
            "order_value": lines.quantity * price,
            "order_date": pd.Timestamp(inputs.as_of),
            "expected_arrival": pd.to_datetime(
                [inputs.as_of + timedelta(days=round(x)) for x in lines.lead_time]
            ),
            "inventory_position": position[rows],
            "reorder_point": short.reorder_point[rows],
            "urgency": lines.urgency.astype(str),
            "urgency_score": lines.urgency_score,
        }
    )
    policy = _policy_notes(inputs, params, short)
    sourcing = _sourcing_notes(series)
    frame["reason"] = [
        _reason_text(codes, r, src, short, position, q, policy[r])
        + (sourcing[r] if kind == OrderKind.PURCHASE else "")
        for codes, r, src, q, kind in zip(
            lines.reasons, rows, source, lines.quantity, lines.kind, strict=True
        )
    ]
    frame["status"] = "proposed"
    return frame


def _reason_text(
    codes: str,
    r: int,
    source: object,
    s: ShortTermInputs,
    position: NDArray[np.float64],
    q: float,
    policy: str,
) -> str:
    words = {
        "below_reorder_point": f"inventory position {position[r]:,.0f} ≤ reorder point "
        f"{s.reorder_point[r]:,.0f}: {q:,.0f} units raise it towards the order-up-to level "
        f"{s.order_up_to[r]:,.0f} ({policy})",
        "forecast_peak": f"forecast peak: {s.demand_rate[r]:,.2f}/day vs "
        f"{s.trailing_rate[r]:,.2f}/day over the last year",
        "tender": f"tender / known demand of {_known(s, r):,.0f} due within the lead time",
        "backup_supplier": "backup supplier, because the primary supplier is blocked",
        "expiry_replacement": f"replaces {s.expiring_unused[r]:,.0f} units expiring before use",
        "idle_stock": f"idle stock at {source}: transferred instead of bought",
    }
    return "; ".join(words[c] for c in codes.split(";") if c)


def _known(s: ShortTermInputs, r: int) -> float:
    extra = 0.0 if s.tender_demand is None else float(s.tender_demand[r])
    return max(float(s.known_demand[r]), extra)


def _policy_notes(
    inputs: PlanningInputs, params: pd.DataFrame, short: ShortTermInputs
) -> list[str]:
    """'(s_S, cycle service level 99.0%, forecast 2.05/day, lead time 14±3 d)' per series."""
    return [
        f"{policy}, {_target_label(measure, target)}, forecast {d:,.2f}/day, "
        f"lead time {lt:.0f}±{sd:.0f} d"
        for policy, measure, target, d, lt, sd in zip(
            params["policy_type"],
            params["service_measure"],
            params["service_target"].to_numpy(dtype=np.float64),
            short.demand_rate,
            inputs.lead_time_mean,
            inputs.lead_time_std,
            strict=True,
        )
    ]


def _target_label(measure: str, target: float) -> str:
    """'cycle service level 99.0%' / 'fill rate 95.0%' / the measure alone without a target."""
    text = str(measure).replace("_", " ")
    return f"{text} {target:.1%}" if np.isfinite(target) else text


def _sourcing_notes(series: pd.DataFrame) -> NDArray[np.object_]:
    """'; source: <which supplier and why>' per series (the supply stage's sourcing text)."""
    text = series.get("supplier_reason", pd.Series("", index=series.index)).fillna("")
    values = text.to_numpy(dtype=object)
    return np.asarray(np.where(values != "", "; source: " + values.astype(str), ""), dtype=object)
