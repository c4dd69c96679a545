"""The monthly rolling plan: network-level MRP per item over 12–18 months, with the BOM.

Per item (all its locations pooled — suppliers and finance see network volumes), month 0 is the
month of the day after the planning day, then whole calendar months:

* independent demand = Σ forecast rate over locations × days in the bucket + known demand
  (month 0 counts the days after the planning day);
* scheduled receipts = open purchase-order lines and open purchase proposals / approved
  requisitions by due month (transfers between own locations are network-neutral);
* on hand, safety stock = Σ over locations; lead time, terms and price from the primary supplier;
* components listed only in the BOM (``bom`` table from MES, when present) are planned too.

:func:`replenlib.plan.mrp.run_mrp` nets it; the change against the previous run's plan is
added per item and month.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, timedelta

import duckdb
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from replenlib.governance.sql import one
from replenlib.pipeline.inputs import PlanningInputs
from replenlib.pipeline.plan_inputs import day_offset, has_table, month_starts, read_known_demand
from replenlib.plan.bom import Bom
from replenlib.plan.mrp import MrpInputs, MrpRecord, lead_time_in_periods, run_mrp

DAYS_PER_MONTH = 365.25 / 12


def read_bom(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """BOM edges (parent_item_id, component_item_id, quantity_per); empty without the table."""
    if not has_table(con, "bom"):
        return pd.DataFrame({"parent_item_id": [], "component_item_id": [], "quantity_per": []})
    return con.execute(
        "SELECT parent_item_id, component_item_id, sum(quantity_per) AS quantity_per "
        "FROM bom GROUP BY ALL"
    ).df()


def _item_terms(con: duckdb.DuckDBPyConnection, items: list[str]) -> pd.DataFrame:
    con.register("_items", pd.DataFrame({"item_id": items}))
    try:
        return (
            con.execute(
                """
            WITH primary_supplier AS (
                SELECT * FROM (
                    SELECT s.*, row_number() OVER (PARTITION BY s.item_id
                                                   ORDER BY s.priority, s.supplier_id) AS rank
                    FROM item_supplier s JOIN suppliers q USING (supplier_id)
                    WHERE q.qualification_status <> 'blocked') WHERE rank = 1)
            SELECT w.item_id, p.supplier_id, coalesce(p.unit_price, i.unit_cost, 0) AS unit_price,
                   coalesce(p.moq, 0) AS moq, coalesce(p.order_multiple, 1) AS order_multiple,
                   coalesce(p.quoted_lead_time_days, 0) AS lead_time_days
            FROM _items w LEFT JOIN items i USING (item_id)
            LEFT JOIN primary_supplier p USING (item_id)
            """
            )
            .df()
            .set_index("item_id")
            .loc[items]
            .reset_index()
        )
    finally:
        con.unregister("_items")


def _scatter(
    lines: pd.DataFrame, code: dict[str, int], day: date, buckets: _Buckets
) -> NDArray[np.float64]:
    """Sum ``lines`` (item_id, due, quantity) into items × months; overdue → month 0, beyond
    the horizon → left out."""
    out = np.zeros((len(code), len(buckets.starts)))
    if lines.empty:
        return out
    rows = lines["item_id"].map(code).fillna(-1).to_numpy(dtype=np.int64)
    edges = pd.to_datetime(pd.Series(buckets.starts[1:])).to_numpy()
    month = np.searchsorted(edges, pd.to_datetime(lines["due"]).to_numpy(), side="right")
    month = np.where(day_offset(lines["due"], day) < 0, 0, month)
    keep = (rows >= 0) & (month < out.shape[1])
    np.add.at(out, (rows[keep], month[keep]), lines["quantity"].to_numpy(dtype=np.float64)[keep])
    return out


@dataclass(frozen=True)
class _Buckets:
    """Monthly buckets: their first days and how many planned days each holds."""

    starts: list[date]
    days: NDArray[np.float64]  #: [days] month 0 counts only the days after the planning day

    @classmethod
    def after(cls, day: date, months: int) -> _Buckets:
        first = day + timedelta(days=1)
        starts = month_starts(first, months)
        edges = [pd.Timestamp(s) for s in [*starts, month_starts(starts[-1], 2)[1]]]
        days = np.array([(b - a).days for a, b in itertools.pairwise(edges)], dtype=np.float64)
        days[0] = (edges[1] - pd.Timestamp(first)).days
        return cls(starts, days)


def build_rolling_plan(
    con: duckdb.DuckDBPyConnection,
    inputs: PlanningInputs,
    demand_rate: NDArray[np.float64],
    safety_stock: NDArray[np.float64],
    receipts: pd.DataFrame,
    months: int,
) -> pd.DataFrame:
    """The ``rolling_plan`` rows (without run_id, policy_version and the change columns).

    ``receipts``: item_id, due, quantity of scheduled purchase receipts (open orders and open
    purchase proposals).
    """
    day, series, bom = inputs.as_of, inputs.series, read_bom(con)
    items = sorted(
        set(series["item_id"]) | set(bom["parent_item_id"]) | set(bom["component_item_id"])
    )
    code = {item: n for n, item in enumerate(items)}
    buckets = _Buckets.after(day, months)
    series_code = series["item_id"].map(code).to_numpy(dtype=np.int64)
    rate = np.bincount(series_code, weights=demand_rate, minlength=len(items))
    known = read_known_demand(con, day, buckets.starts[-1])
    independent = rate[:, None] * buckets.days[None, :] + _scatter(known, code, day, buckets)
    scheduled = _scatter(receipts, code, day, buckets)
    terms = _item_terms(con, items)
    record = run_mrp(
        MrpInputs(
            independent_demand=independent,
            scheduled_receipts=scheduled,
            on_hand=_on_hand(con, day, items, series_code, inputs.usable_on_hand, code),
            safety_stock=np.bincount(
                series_code, weights=safety_stock, minlength=len(items)
            ).astype(np.float64),
            lead_time_periods=lead_time_in_periods(
                terms["lead_time_days"].to_numpy(dtype=np.float64), DAYS_PER_MONTH
            ),
            moq=terms["moq"].to_numpy(dtype=np.float64),
            order_multiple=terms["order_multiple"].to_numpy(dtype=np.float64),
        ),
        _bom(bom, code),
    )
    return _frame(items, buckets.starts, terms, independent, scheduled, record)


def _bom(bom: pd.DataFrame, code: dict[str, int]) -> Bom:
    return Bom(
        np.asarray(bom["parent_item_id"].map(code), dtype=np.int64),
        np.asarray(bom["component_item_id"].map(code), dtype=np.int64),
        bom["quantity_per"].to_numpy(dtype=np.float64),
        len(code),
    )


def _on_hand(
    con: duckdb.DuckDBPyConnection,
    day: date,
    items: list[str],
    series_code: NDArray[np.int64],
    usable: NDArray[np.float64],
    code: dict[str, int],
) -> NDArray[np.float64]:
    """Usable stock per item: Σ over its series, plus available stock of BOM-only items."""
    on_hand = np.bincount(series_code, weights=usable, minlength=len(items)).astype(np.float64)
    stocked = set(np.unique(series_code).tolist())
    others = [i for i in items if code[i] not in stocked]
    if others:
        con.register("_others", pd.DataFrame({"item_id": others}))
        try:
            rows = con.execute(
                """
                SELECT k.item_id, sum(k.quantity) AS quantity FROM stock_on_hand k
                JOIN _others USING (item_id)
                WHERE k.status = 'available' AND k.snapshot_date =
                      (SELECT max(snapshot_date) FROM stock_on_hand WHERE snapshot_date <= ?::DATE)
                GROUP BY ALL
                """,
                [day],
            ).df()
        finally:
            con.unregister("_others")
        np.add.at(on_hand, rows["item_id"].map(code).to_numpy(dtype=np.int64), rows["quantity"])
    return on_hand


def _frame(
    items: list[str],
    starts: list[date],
    terms: pd.DataFrame,
    independent: NDArray[np.float64],
    scheduled: NDArray[np.float64],
    record: MrpRecord,
) -> pd.DataFrame:
    n, months = independent.shape
    price = terms["unit_price"].to_numpy(dtype=np.float64)
    past_due = np.zeros((n, months))
    past_due[:, 0] = record.past_due
    return pd.DataFrame(
        {
            "item_id": np.repeat(items, months),
            "period": pd.to_datetime(np.tile(np.array(starts, dtype="datetime64[D]"), n)),
            "supplier_id": np.repeat(terms["supplier_id"].to_numpy(dtype=object), months),
            "low_level_code": np.repeat(record.low_level_code, months),
            "independent_demand": independent.ravel(),
            "dependent_demand": record.dependent_demand.ravel(),
            "gross_requirements": record.gross_requirements.ravel(),
            "scheduled_receipts": scheduled.ravel(),
            "projected_on_hand": record.projected_on_hand.ravel(),
            "net_requirements": record.net_requirements.ravel(),
            "planned_receipts": record.planned_receipts.ravel(),
            "planned_releases": record.planned_releases.ravel(),
            "past_due": past_due.ravel(),
            "unit_price": np.repeat(price, months),
            "planned_spend": (record.planned_receipts * price[:, None]).ravel(),
        }
    )


def add_change(con: duckdb.DuckDBPyConnection, plan: pd.DataFrame) -> pd.DataFrame:
    """Add the previous run's planned receipts per item and month, and the change."""
    row = one(
        con.execute(
            "SELECT r.run_id FROM runs r WHERE EXISTS (SELECT 1 FROM rolling_plan p "
            "WHERE p.run_id = r.run_id) ORDER BY r.started_at DESC LIMIT 1"
        )
    )
    previous = pd.DataFrame({"item_id": [], "period": pd.to_datetime([]), "previous": []})
    if row is not None:
        previous = con.execute(
            "SELECT item_id, period, planned_receipts AS previous FROM rolling_plan "
            "WHERE run_id = ?",
            [row[0]],
        ).df()
        previous["period"] = pd.to_datetime(previous["period"])
    merged = plan.merge(previous, on=["item_id", "period"], how="left")
    merged["previous_planned_receipts"] = merged.pop("previous")
    merged["change_planned_receipts"] = merged["planned_receipts"] - merged[
        "previous_planned_receipts"
    ].fillna(0.0)
    return merged
