"""The run's KPIs: SQL gathers the arrays, :mod:`replenlib.kpi.definitions` computes values."""

from __future__ import annotations

from datetime import date

import duckdb
import numpy as np
import pandas as pd

from replenlib.kpi import definitions as k
from replenlib.pipeline.inputs import PlanningInputs
from replenlib.pipeline.planning import PlanResult
from replenlib.pipeline.supply_stage import supply_kpi_rows

#: Trailing window for service and inventory KPIs [days].
SERVICE_WINDOW_DAYS = 90
#: Trailing window for supplier KPIs [days].
SUPPLIER_WINDOW_DAYS = 365
#: Days late a receipt may be and still count as on time [days].
ON_TIME_TOLERANCE_DAYS = 2


def run_kpis(
    con: duckdb.DuckDBPyConnection,
    inputs: PlanningInputs,
    result: PlanResult,
    proposals: pd.DataFrame,
) -> pd.DataFrame:
    """Return the ``run_kpis`` rows (without ``run_id``): kpi, scope, value, unit."""
    rows: list[tuple[str, str, float]] = []
    tiers = result.policy_parameters[["item_id", "location_id", "tier"]]
    service = _service_lines(con, inputs.as_of, tiers)
    for scope, part in [("all", service), *((f"tier={t}", g) for t, g in service.groupby("tier"))]:
        rows.append(
            ("stockout_rate", scope, k.stockout_rate(part["quantity"], part["quantity_shipped"]))
        )
        rows.append(("fill_rate", scope, k.fill_rate(part["quantity"], part["quantity_shipped"])))
    rows.extend(_inventory_rows(con, inputs, service))
    rows.extend(_supplier_rows(con, inputs.as_of))
    rows.append(("lot_trace_success_rate", "all", _trace_success(con, inputs.as_of)))
    rows.extend(_cost_and_compliance_rows(con, inputs.as_of))
    rows.extend(supply_kpi_rows(con, inputs.as_of, result.forecasts))
    params = result.policy_parameters
    rows.append(("proposal_count", "all", float(len(proposals))))
    rows.append(("proposal_value", "all", float(proposals["order_value"].sum())))
    below = result.inventory_position < params["safety_stock"].to_numpy()
    rows.append(
        ("below_safety_stock_share", "all", float(np.mean(below)) if len(below) else float("nan"))
    )
    frame = pd.DataFrame(rows, columns=["kpi", "scope", "value"])
    frame["unit"] = frame["kpi"].map(lambda name: k.KPIS[name].unit)
    return frame


def _inventory_rows(
    con: duckdb.DuckDBPyConnection, inputs: PlanningInputs, service: pd.DataFrame
) -> list[tuple[str, str, float]]:
    """Owned inventory value and days, and consignment stock value apart.

    Consignment stock belongs to the supplier until it is used (implants and stents at
    hospitals): counting it as inventory would overstate the working capital tied up, so it
    leaves both the value and the demand value that inventory days divide by.
    """
    consigned = set(con.execute("SELECT item_id FROM items WHERE is_consignment").df()["item_id"])
    series = inputs.series
    value = inputs.usable_on_hand * series["unit_cost"].to_numpy(dtype=np.float64)
    on_consignment = series["item_id"].isin(consigned).to_numpy()
    owned_value = float(np.sum(value[~on_consignment]))
    owned_lines = service[~service["item_id"].isin(consigned)]
    daily = float(np.sum(owned_lines["quantity"] * owned_lines["unit_cost"])) / SERVICE_WINDOW_DAYS
    return [
        ("inventory_value", "all", owned_value),
        ("consignment_value", "all", float(np.sum(value[on_consignment]))),
        ("inventory_days", "all", k.inventory_days(owned_value, daily)),
    ]


def _service_lines(con: duckdb.DuckDBPyConnection, day: date, tiers: pd.DataFrame) -> pd.DataFrame:
    """Demand lines of the service window, in a fixed order: a parallel join returns its rows
    in any order, and the KPIs' float sums over them would change in the last bits."""
    con.register("_tiers", tiers)
    try:
        return con.execute(
            """
            SELECT d.item_id, d.quantity, d.quantity_shipped, t.tier, i.unit_cost
            FROM demand_history d JOIN _tiers t USING (item_id, location_id)
            JOIN items i USING (item_id)
            WHERE d.demand_date <= ?::DATE AND date_diff('day', d.demand_date, ?::DATE) < ?
            ORDER BY ALL
            """,
            [day, day, SERVICE_WINDOW_DAYS],
        ).df()
    finally:
        con.unregister("_tiers")


def _supplier_rows(con: duckdb.DuckDBPyConnection, day: date) -> list[tuple[str, str, float]]:
    receipts = con.execute(
        """
        SELECT date_diff('day', DATE '1970-01-01', r.receipt_date) AS received,
               date_diff('day', DATE '1970-01-01', p.confirmed_date) AS confirmed
        FROM receipts r JOIN purchase_orders p USING (po_id, po_line)
        WHERE r.receipt_date <= ?::DATE AND date_diff('day', r.receipt_date, ?::DATE) < ?
        """,
        [day, day, SUPPLIER_WINDOW_DAYS],
    ).fetchnumpy()
    inspected = con.execute(
        """
        SELECT result = 'passed' AS passed FROM inspections
        WHERE inspection_date <= ?::DATE AND date_diff('day', inspection_date, ?::DATE) < ?
        """,
        [day, day, SUPPLIER_WINDOW_DAYS],
    ).fetchnumpy()
    return [
        (
            "on_time_delivery_rate",
            "all",
            k.on_time_delivery_rate(
                receipts["received"], receipts["confirmed"], ON_TIME_TOLERANCE_DAYS
            ),
        ),
        ("quality_pass_rate", "all", k.quality_pass_rate(inspected["passed"])),
    ]


def _trace_success(con: duckdb.DuckDBPyConnection, day: date) -> float:
    issues = con.execute(
        """
        SELECT quantity, (lot_id IS NOT NULL AND lot_id <> '' AND customer_id IS NOT NULL) AS traced
        FROM movements
        WHERE kind = 'issue' AND movement_date <= ?::DATE
          AND date_diff('day', movement_date, ?::DATE) < ?
        """,
        [day, day, SERVICE_WINDOW_DAYS],
    ).fetchnumpy()
    return k.lot_trace_success_rate(issues["quantity"], issues["traced"])


def _cost_and_compliance_rows(
    con: duckdb.DuckDBPyConnection, day: date
) -> list[tuple[str, str, float]]:
    """Unit cost, expiry write-off and compliance events over the supplier window."""
    window = [day, day, SUPPLIER_WINDOW_DAYS]
    received = con.execute(
        """
        SELECT r.quantity, p.unit_price FROM receipts r JOIN purchase_orders p USING (po_id, po_line)
        WHERE r.receipt_date <= ?::DATE AND date_diff('day', r.receipt_date, ?::DATE) < ?
        ORDER BY ALL
        """,
        window,
    ).fetchnumpy()
    scrapped = con.execute(
        """
        SELECT m.quantity, i.unit_cost FROM movements m JOIN lots l USING (lot_id)
        JOIN items i ON i.item_id = m.item_id
        WHERE m.kind = 'scrap' AND l.expiry_date <= m.movement_date
          AND m.movement_date <= ?::DATE AND date_diff('day', m.movement_date, ?::DATE) < ?
        ORDER BY ALL  -- a fixed order: the float sums below are the same in every run
        """,
        window,
    ).fetchnumpy()
    counts = {
        kind: int(con.execute(sql, window).fetchall()[0][0])
        for kind, sql in _COMPLIANCE_SQL.items()
    }
    return [
        ("unit_cost", "all", k.unit_cost(received["quantity"], received["unit_price"])),
        (
            "expiry_write_off",
            "all",
            k.expiry_write_off(scrapped["quantity"], scrapped["unit_cost"]),
        ),
        ("compliance_events", "all", k.compliance_events(**counts)),
        *((("compliance_events", f"kind={kind}", float(n)) for kind, n in counts.items())),
    ]


_COMPLIANCE_SQL = {
    "recalls": "SELECT count(*) FROM recalls WHERE announced_date <= ?::DATE "
    "AND date_diff('day', announced_date, ?::DATE) < ?",
    "nonconformances": "SELECT count(*) FROM nonconformances WHERE opened_date <= ?::DATE "
    "AND date_diff('day', opened_date, ?::DATE) < ?",
    "failed_inspections": "SELECT count(*) FROM inspections WHERE result = 'failed' "
    "AND inspection_date <= ?::DATE AND date_diff('day', inspection_date, ?::DATE) < ?",
}
