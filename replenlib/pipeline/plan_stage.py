"""The nightly run's plan stage: short-term proposals, projections, the rolling plan, alerts.

Called by :mod:`replenlib.pipeline.nightly` inside its writer block, after forecasts and policy
parameters are computed:

1. :func:`prepare` expires undecided proposals past their validity, reads the open proposals
   and requisitions (they count in the inventory position, so a need is proposed once), plans
   today's lines (:func:`replenlib.plan.short_term.plan_orders`: idle-stock transfers before
   purchases), sets their approval requirements, projects stock with and without them, builds
   the monthly rolling plan and today's alert conditions;
2. the nightly run writes ``runs`` and ``proposals`` as before;
3. :func:`write` writes ``proposal_controls``, ``plan_projection``, ``rolling_plan`` (with the
   change against the previous plan), applies the alert life cycle and audits the run.

Everything happens in the one writer block: a failure leaves the store as it was.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import duckdb
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from replenlib.governance import audit
from replenlib.governance.alerts import AlertSync, sync_alerts
from replenlib.governance.approvals import expire_proposals
from replenlib.governance.policy_versions import thresholds_for
from replenlib.governance.sql import one
from replenlib.pipeline.alert_stage import SeriesFacts, build_alerts
from replenlib.pipeline.inputs import PlanningInputs
from replenlib.pipeline.plan_inputs import (
    OpenLines,
    day_offset,
    per_series,
    read_known_demand,
    read_open_lines,
    read_open_receipts,
    read_supplier_standing,
    read_usable_lots,
    series_index,
)
from replenlib.pipeline.planning import PlanResult
from replenlib.pipeline.rolling_stage import add_change, build_rolling_plan
from replenlib.plan.approval import approval_requirements
from replenlib.plan.expiry import expiring_unused
from replenlib.plan.projection import StockProjection, project_stock, scheduled_receipts
from replenlib.plan.short_term import OrderKind, OrderLines, ShortTermInputs, plan_orders
from replenlib.plan.thresholds import PlanThresholds
from replenlib.policy.policies import is_review_day

log = logging.getLogger(__name__)

#: Who requests the first-level release of the nightly run's proposals.
SYSTEM_REQUESTER = "system"


@dataclass(frozen=True)
class PlanStage:
    """What the plan stage computed; frames without ``run_id`` (the writer adds it)."""

    proposals: pd.DataFrame
    controls: pd.DataFrame
    projection: pd.DataFrame
    rolling: pd.DataFrame
    alerts: pd.DataFrame
    policy_version: int
    expired: int


def prepare(
    con: duckdb.DuckDBPyConnection,
    inputs: PlanningInputs,
    result: PlanResult,
    policy_version: int,
    now: datetime,
) -> PlanStage:
    """Compute the plan stage (see the module docstring); only expiry writes to the store."""
    thresholds = thresholds_for(con, policy_version)
    expired = expire_proposals(con, now.date())
    params, series = _aligned_parameters(inputs, result), inputs.series
    forecast_rows = series_index(result.forecasts, series)
    rate = np.where(
        series["is_active"].to_numpy(dtype=bool),
        result.forecasts["mean_daily"].to_numpy(dtype=np.float64)[forecast_rows],
        0.0,
    )
    open_lines = read_open_lines(con, series)
    lots = _lots_at_risk(con, inputs, rate)
    known_in_policy = result.lead_time_demand is not None
    short_inputs = _short_term_inputs(con, inputs, params, rate, open_lines, lots, known_in_policy)
    plan = plan_orders(short_inputs, thresholds)
    proposals = _proposal_frame(
        con, inputs, params, short_inputs, plan.lines, plan.inventory_position
    )
    controls = _controls(con, proposals, short_inputs, plan.lines, policy_version, thresholds, now)
    projection = _projection(con, inputs, rate, open_lines.frame, plan.lines, lots, thresholds)
    horizon = projection.with_order.shape[1]
    facts = SeriesFacts(  # a stockout that even today's lines cannot prevent; index 0 = day 1
        np.where(projection.stockout_day_with < horizon, projection.stockout_day_with + 1, 10**9),
        plan.inventory_position,
        params["reorder_point"].to_numpy(dtype=np.float64),
        params["tier"].to_numpy(dtype=object),
        result.forecasts["method"].to_numpy(dtype=object)[forecast_rows],
    )
    alerts = build_alerts(con, inputs, facts, lots, thresholds)
    rolling = build_rolling_plan(
        con,
        inputs,
        rate,
        params["safety_stock"].to_numpy(dtype=np.float64),
        _network_receipts(con, inputs.as_of, open_lines.frame, proposals),
        thresholds.rolling_horizon_months,
    )
    return PlanStage(
        proposals=proposals,
        controls=controls,
        projection=_projection_frame(inputs, params, projection, plan.lines, facts),
        rolling=add_change(con, rolling).assign(policy_version=policy_version),
        alerts=alerts,
        policy_version=policy_version,
        expired=expired,
    )


def write(
    con: duckdb.DuckDBPyConnection, run_id: str, stage: PlanStage, now: datetime
) -> AlertSync:
    """Write the stage's tables, apply the alert life cycle and audit the run."""
    con.execute("BEGIN TRANSACTION")
    try:
        for table, frame in (
            ("proposal_controls", stage.controls),
            ("plan_projection", stage.projection),
            ("rolling_plan", stage.rolling),
        ):
            frame = frame.assign(run_id=run_id)
            con.register("_stage_frame", frame)
            try:
                con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _stage_frame")
            finally:
                con.unregister("_stage_frame")
        sync = sync_alerts(con, stage.alerts, run_id, now)
        audit.append(
            con,
            actor=SYSTEM_REQUESTER,
            action=audit.AuditAction.RUN,
            entity="run",
            entity_id=run_id,
            now=now,
            details={
                "policy_version": stage.policy_version,
                "proposals": len(stage.proposals),
                "proposal_value": round(float(stage.proposals["order_value"].sum()), 2),
                "expired_proposals": stage.expired,
                "alerts_raised": sync.raised,
                "alerts_resolved": sync.resolved,
            },
        )
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return sync


def _aligned_parameters(inputs: PlanningInputs, result: PlanResult) -> pd.DataFrame:
    params = result.policy_parameters.reset_index(drop=True)
    rows = series_index(params, inputs.series)
    if np.any(rows < 0):
        raise RuntimeError("policy parameters do not cover every item-location of the run")
    return params.iloc[rows].reset_index(drop=True)


def _lots_at_risk(
    con: duckdb.DuckDBPyConnection, inputs: PlanningInputs, rate: NDArray[np.float64]
) -> pd.DataFrame:
    lots = read_usable_lots(con, inputs.as_of)
    rows = series_index(inputs.series, lots)
    lots = lots[rows >= 0].reset_index(drop=True)
    lots["row"] = rows[rows >= 0]
    lots["quantity_at_risk"] = expiring_unused(
        lots["row"].to_numpy(dtype=np.int64),
        lots["quantity"].to_numpy(dtype=np.float64),
        lots["days_to_expiry"].to_numpy(dtype=np.float64, na_value=np.inf),
        rate,
    )
    return lots


def _short_term_inputs(
    con: duckdb.DuckDBPyConnection,
    inputs: PlanningInputs,
    params: pd.DataFrame,
    rate: NDArray[np.float64],
    open_lines: OpenLines,
    lots: pd.DataFrame,
    in_policy: bool,
) -> ShortTermInputs:
    series, n = inputs.series, inputs.n_series
    lead = inputs.lead_time_mean
    horizon = inputs.as_of + timedelta(days=int(np.nanmax(lead, initial=0.0)) + 1)
    known = read_known_demand(con, inputs.as_of, horizon)
    known = (
        known[
            day_offset(known["due"], inputs.as_of)
            <= lead[np.maximum(series_index(series, known), 0)]
        ]
        if len(known)
        else known
    )
    standing = read_supplier_standing(con, inputs.as_of)
    backup = series[["item_id", "supplier_id"]].merge(
        standing, how="left", on=["item_id", "supplier_id"]
    )
    weekly = inputs.weekly_demand
    return ShortTermInputs(
        item_code=pd.factorize(series["item_id"])[0].astype(np.int64),
        on_hand=inputs.usable_on_hand,
        expiring_unused=np.bincount(
            lots["row"], weights=lots["quantity_at_risk"], minlength=n
        ).astype(np.float64),
        on_order=inputs.on_order,
        pending_in=open_lines.pending_in,
        pending_out=open_lines.pending_out,
        # the demand layer's lead-time demand (hence s and S) already includes known demand
        known_demand=np.zeros(n) if in_policy else per_series(series, known, "quantity"),
        tender_demand=per_series(series, known, "quantity"),
        reorder_point=params["reorder_point"].to_numpy(dtype=np.float64),
        order_up_to=params["order_up_to"].to_numpy(dtype=np.float64),
        safety_stock=params["safety_stock"].to_numpy(dtype=np.float64),
        demand_rate=rate,
        trailing_rate=weekly[:, -min(52, weekly.shape[1]) :].mean(axis=1) / 7.0
        if weekly.size
        else np.zeros(n),
        lead_time=lead,
        moq=series["moq"].to_numpy(dtype=np.float64),
        order_multiple=series["order_multiple"].to_numpy(dtype=np.float64),
        is_purchase=series["source_location_id"].isna().to_numpy(),
        is_active=series["is_active"].to_numpy(dtype=bool),
        on_backup_supplier=backup["on_backup_supplier"].fillna(False).to_numpy(dtype=bool),
        supply_row=series_index(series, series, "source_location_id"),
        policy_type=params["policy_type"].to_numpy(dtype=object),
        lot_size=params["order_quantity"].to_numpy(dtype=np.float64),
        review_due=is_review_day(
            inputs.as_of.toordinal(), params["review_period_days"].to_numpy(dtype=np.float64)
        ),
        max_quantity=params["max_order_quantity"].to_numpy(dtype=np.float64, na_value=np.inf),
    )


def _next_ids(con: duckdb.DuckDBPyConnection, day: date, n: int) -> list[str]:
    prefix = f"P{day:%Y%m%d}-"
    row = one(
        con.execute(
            "SELECT max(CAST(substr(proposal_id, ?) AS INTEGER)) FROM proposals "
            "WHERE proposal_id LIKE ? AND regexp_matches(substr(proposal_id, ?), '^[0-9]+$')",
            [len(prefix) + 1, prefix + "%", len(prefix) + 1],
        )
    )
    start = int(row[0]) if row and row[0] is not None else 0
    return [f"{prefix}{k:05d}" for k in range(start + 1, start + n + 1)]


def _proposal_frame(
    con: duckdb.DuckDBPyConnection,
    inputs: PlanningInputs,
    params: pd.DataFrame,
    short: ShortTermInputs,
    lines: OrderLines,
    position: NDArray[np.float64],
) -> pd.DataFrame:
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
    frame = pd.DataFrame(
        {
            "proposal_id": _next_ids(con, inputs.as_of, len(rows)),
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
    frame["reason"] = [
        _reason_text(codes, r, src, short, position, q)
        for codes, r, src, q in zip(lines.reasons, rows, source, lines.quantity, strict=True)
    ]
    frame["status"] = "proposed"
    return frame


def _reason_text(
    codes: str, r: int, source: object, s: ShortTermInputs, position: NDArray[np.float64], q: float
) -> str:
    words = {
        "below_reorder_point": f"inventory position {position[r]:,.0f} ≤ reorder point "
        f"{s.reorder_point[r]:,.0f}: {q:,.0f} units raise it towards the order-up-to level "
        f"{s.order_up_to[r]:,.0f}",
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


def _controls(
    con: duckdb.DuckDBPyConnection,
    proposals: pd.DataFrame,
    short: ShortTermInputs,
    lines: OrderLines,
    version: int,
    thresholds: PlanThresholds,
    now: datetime,
) -> pd.DataFrame:
    standing = read_supplier_standing(con, now.date())
    status = proposals[["item_id", "supplier_id"]].merge(
        standing[["item_id", "supplier_id", "supplier_status"]],
        how="left",
        on=["item_id", "supplier_id"],
    )["supplier_status"]
    order_up_to = short.order_up_to[lines.row]
    requirement = approval_requirements(
        order_value=proposals["order_value"].to_numpy(dtype=np.float64),
        quantity=lines.quantity,
        inventory_position=proposals["inventory_position"].to_numpy(dtype=np.float64),
        order_up_to=order_up_to,
        order_multiple=np.where(
            lines.kind == OrderKind.TRANSFER, 1.0, short.order_multiple[lines.row]
        ),
        supplier_status=status.to_numpy(dtype=object),
        is_purchase=(lines.kind == OrderKind.PURCHASE),
        is_emergency=lines.is_emergency,
        value_threshold=thresholds.approval_value_threshold,
    )
    expires = now.date() + timedelta(days=thresholds.proposal_validity_days)  # from proposing
    return pd.DataFrame(
        {
            "proposal_id": proposals["proposal_id"],
            "policy_version": version,
            "required_level": requirement.required_level,
            "approval_reasons": requirement.reasons,
            "is_emergency": lines.is_emergency,
            "supplier_status": status.to_numpy(dtype=object),
            "order_up_to": order_up_to,
            "requested_by": SYSTEM_REQUESTER,
            "expires_on": expires,
            "updated_at": now,
        }
    )


def _projection(
    con: duckdb.DuckDBPyConnection,
    inputs: PlanningInputs,
    rate: NDArray[np.float64],
    open_frame: pd.DataFrame,
    lines: OrderLines,
    lots: pd.DataFrame,
    thresholds: PlanThresholds,
) -> StockProjection:
    """Projected stock with and without today's lines (index 0 = the day after planning)."""
    # long enough to see past every lead time (capped at half a year)
    longest = int(np.ceil(np.nanmax(inputs.lead_time_mean, initial=0.0))) + 7
    n, horizon = inputs.n_series, max(thresholds.projection_horizon_days, min(longest, 183))
    rows, days, qty = _scheduled_lines(con, inputs, open_frame, lots)
    receipts = scheduled_receipts(rows, days - 1, qty, n, horizon)
    shipped = lines.source_row >= 0  # today's transfers leave their source at once
    receipts[:, 0] -= np.bincount(
        lines.source_row[shipped], weights=lines.quantity[shipped], minlength=n
    )
    arrival = np.full(n, horizon, dtype=np.int64)
    np.minimum.at(arrival, lines.row, np.maximum(np.rint(lines.lead_time).astype(np.int64) - 1, 0))
    return project_stock(
        on_hand=inputs.usable_on_hand,
        demand_rate=rate,
        receipts=receipts,
        order_quantity=np.bincount(lines.row, weights=lines.quantity, minlength=n).astype(
            np.float64
        ),
        order_arrival_day=arrival,
        horizon_days=horizon,
    )


def _scheduled_lines(
    con: duckdb.DuckDBPyConnection,
    inputs: PlanningInputs,
    open_frame: pd.DataFrame,
    lots: pd.DataFrame,
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
    """Series row, day offset and signed quantity of everything scheduled before today's
    lines: open POs, open proposals in and out, and stock expiring unused (it leaves at the
    start of the day after its last usable day)."""
    day, series = inputs.as_of, inputs.series
    po = read_open_receipts(con, day)
    outgoing = open_frame[open_frame["source_location_id"].notna()]
    expiry_day = 1 + np.ceil(lots["days_to_expiry"].to_numpy(dtype=np.float64, na_value=1e9))
    parts = [
        (series_index(series, po), day_offset(po["due"], day), po["quantity"]),
        (
            series_index(series, open_frame),
            day_offset(open_frame["expected_arrival"], day),
            open_frame["quantity"],
        ),
        (
            series_index(series, outgoing, "source_location_id"),
            np.zeros(len(outgoing), dtype=np.int64),
            -outgoing["quantity"],
        ),
        (
            lots["row"].to_numpy(dtype=np.int64),
            expiry_day.astype(np.int64),
            -lots["quantity_at_risk"],
        ),
    ]
    rows = np.concatenate([p[0] for p in parts]).astype(np.int64)
    days = np.concatenate([p[1] for p in parts]).astype(np.int64)
    qty = np.concatenate([np.asarray(p[2], dtype=np.float64) for p in parts])
    keep = rows >= 0
    return rows[keep], days[keep], qty[keep]


def _projection_frame(
    inputs: PlanningInputs,
    params: pd.DataFrame,
    projection: StockProjection,
    lines: OrderLines,
    facts: SeriesFacts,
) -> pd.DataFrame:
    """Rows for the series with a proposal or a projected stockout within the lead time."""
    alerted = facts.stockout_day < inputs.lead_time_mean
    rows = np.union1d(lines.row, np.flatnonzero(alerted)).astype(np.int64)
    horizon = projection.without_order.shape[1]
    days = pd.to_datetime([inputs.as_of + timedelta(days=d + 1) for d in range(horizon)])
    return pd.DataFrame(
        {
            "item_id": np.repeat(inputs.series["item_id"].to_numpy()[rows], horizon),
            "location_id": np.repeat(inputs.series["location_id"].to_numpy()[rows], horizon),
            "day": np.tile(days, len(rows)),
            "stock_without_order": projection.without_order[rows].ravel(),
            "stock_with_order": projection.with_order[rows].ravel(),
            "reorder_point": np.repeat(facts.reorder_point[rows], horizon),
            "safety_stock": np.repeat(
                params["safety_stock"].to_numpy(dtype=np.float64)[rows], horizon
            ),
        }
    )


def _network_receipts(
    con: duckdb.DuckDBPyConnection, day: date, open_frame: pd.DataFrame, proposals: pd.DataFrame
) -> pd.DataFrame:
    """Purchase receipts the network expects: open POs, open purchase proposals, today's."""
    po = read_open_receipts(con, day)[["item_id", "due", "quantity"]]
    lines = pd.concat([open_frame, proposals], ignore_index=True)
    bought = lines[lines["kind"] == OrderKind.PURCHASE.value]
    extra = bought.rename(columns={"expected_arrival": "due"})[["item_id", "due", "quantity"]]
    return pd.concat([po, extra], ignore_index=True)
