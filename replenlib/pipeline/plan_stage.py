"""The nightly run's plan stage: short-term proposals, projections, the rolling plan, alerts.

Called by :mod:`replenlib.pipeline.nightly` inside its writer block, after forecasts and policy
parameters are computed:

1. :func:`prepare` expires undecided proposals past their validity, reads the open proposals
   and requisitions (they count in the inventory position, so a need is proposed once), plans
   today's lines (:func:`replenlib.pipeline.proposals.propose`, the one path that makes
   proposals: idle-stock transfers before purchases, suppliers' minimum order values), sets
   their approval requirements, projects stock with and without them, builds the monthly
   rolling plan and today's alert conditions;
2. the nightly run writes ``runs`` and ``proposals``;
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
from replenlib.pipeline.proposals import OrderContext, propose
from replenlib.pipeline.rolling_stage import add_change, build_rolling_plan
from replenlib.plan.approval import approval_requirements
from replenlib.plan.expiry import expiring_unused
from replenlib.plan.projection import StockProjection, project_stock, scheduled_receipts
from replenlib.plan.short_term import OrderKind, OrderLines, ShortTermInputs
from replenlib.plan.thresholds import PlanThresholds
from replenlib.policy.strategy import Strategy

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
    strategy: Strategy,
) -> PlanStage:
    """Compute the plan stage (see the module docstring); only expiry writes to the store."""
    thresholds = thresholds_for(con, policy_version)
    expired = expire_proposals(con, now.date())
    params, series = _aligned_parameters(inputs, result), inputs.series
    forecast_rows = series_index(result.forecasts, series)
    active = series["is_active"].to_numpy(dtype=bool)
    forecasts = result.forecasts.iloc[forecast_rows]
    # what each stock point covers (own customers + the stock points it replenishes) ...
    rate = np.where(active, forecasts["mean_daily"].to_numpy(dtype=np.float64), 0.0)
    # ... and its own customers' part: the projection ships to other stock points through
    # their transfer lines, the network plan counts each customer's demand once
    dependent = forecasts.get("dependent_mean_daily", pd.Series(0.0, index=forecasts.index))
    own_rate = rate - np.where(active, dependent.to_numpy(dtype=np.float64, na_value=0.0), 0.0)
    open_lines = read_open_lines(con, series)
    lots = _lots_at_risk(con, inputs, rate)
    known_in_policy = result.lead_time_demand is not None
    context = _order_context(con, inputs, open_lines, lots, known_in_policy)
    proposed = propose(
        inputs,
        params,
        rate,
        context,
        strategy=strategy,
        thresholds=thresholds,
        first_number=_first_number(con, inputs.as_of),
    )
    proposals, short_inputs, plan = proposed.frame, proposed.inputs, proposed.plan
    lines = proposed.lines
    controls = _controls(con, proposals, short_inputs, lines, policy_version, thresholds, now)
    projection = _projection(con, inputs, own_rate, open_lines.frame, lines, lots, thresholds)
    horizon = projection.with_order.shape[1]
    facts = SeriesFacts(  # a stockout that even today's lines cannot prevent; index 0 = day 1
        np.where(projection.stockout_day_with < horizon, projection.stockout_day_with + 1, 10**9),
        plan.inventory_position,
        params["reorder_point"].to_numpy(dtype=np.float64),
        params["tier"].to_numpy(dtype=object),
        forecasts["method"].to_numpy(dtype=object),
    )
    alerts = build_alerts(con, inputs, facts, lots, thresholds)
    rolling = build_rolling_plan(
        con,
        inputs,
        own_rate,
        params["safety_stock"].to_numpy(dtype=np.float64),
        _network_receipts(con, inputs.as_of, open_lines.frame, proposals),
        thresholds.rolling_horizon_months,
    )
    return PlanStage(
        proposals=proposals,
        controls=controls,
        projection=_projection_frame(inputs, params, projection, lines, facts),
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


def _order_context(
    con: duckdb.DuckDBPyConnection,
    inputs: PlanningInputs,
    open_lines: OpenLines,
    lots: pd.DataFrame,
    in_policy: bool,
) -> OrderContext:
    """Open proposals, known demand within the lead time, stock expiring unused and backup
    suppliers per series."""
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
    tender = per_series(series, known, "quantity")
    return OrderContext(
        pending_in=open_lines.pending_in,
        pending_out=open_lines.pending_out,
        expiring_unused=np.bincount(
            lots["row"], weights=lots["quantity_at_risk"], minlength=n
        ).astype(np.float64),
        # the demand layer's lead-time demand (hence s and S) already includes known demand
        known_demand=np.zeros(n) if in_policy else tender,
        tender_demand=tender,
        on_backup_supplier=backup["on_backup_supplier"].fillna(False).to_numpy(dtype=bool),
    )


def _first_number(con: duckdb.DuckDBPyConnection, day: date) -> int:
    """The first free proposal number of ``day`` (ids ``P<day>-<n>``)."""
    prefix = f"P{day:%Y%m%d}-"
    row = one(
        con.execute(
            "SELECT max(CAST(substr(proposal_id, ?) AS INTEGER)) FROM proposals "
            "WHERE proposal_id LIKE ? AND regexp_matches(substr(proposal_id, ?), '^[0-9]+$')",
            [len(prefix) + 1, prefix + "%", len(prefix) + 1],
        )
    )
    return (int(row[0]) if row and row[0] is not None else 0) + 1


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
