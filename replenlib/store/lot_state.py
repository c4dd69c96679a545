"""Stock by lot with its derived status, usable stock per item-location, and expiry risk.

SQL gathers, per stock row of the latest ``stock_on_hand`` snapshot on or before the as-of day:
the WMS status, the lot's inspection status (QMS), its active holds (``lot_holds`` for that
location or for the lot everywhere), whether an announced recall names it, its expiry and the
item's minimum remaining shelf life. :func:`replenlib.trace.lots.derive_lot_status` turns that
into one status; usable stock is the approved part.

Holds and recalls are the store's state *now* (active = not released), whatever the as-of day:
a hold placed this morning applies to the plan made for yesterday's data.
"""

from __future__ import annotations

from datetime import date

import duckdb
import numpy as np
import pandas as pd

from replenlib.trace.expiry import echelon_demand, expiry_risk
from replenlib.trace.fefo import fefo_allocate
from replenlib.trace.lots import (
    StockByStatus,
    derive_lot_status,
    lot_conditions,
    stock_by_status,
    usable_mask,
)

EPOCH = date(1970, 1, 1)

_LOT_STOCK_SQL = """
WITH snap AS (
    SELECT max(snapshot_date) AS day FROM stock_on_hand WHERE snapshot_date <= $as_of
), holds AS (
    SELECT h.lot_id, k.location_id, string_agg(DISTINCT h.kind, ',' ORDER BY h.kind) AS holds
    FROM lot_holds h
    JOIN (SELECT DISTINCT lot_id, location_id FROM stock_on_hand, snap
          WHERE snapshot_date = snap.day) k
      ON k.lot_id = h.lot_id AND (h.location_id IS NULL OR h.location_id = k.location_id)
    WHERE h.released_at IS NULL
    GROUP BY ALL
), recalled AS (
    SELECT DISTINCT lot_id FROM recall_lots
)
SELECT k.item_id, k.location_id, k.lot_id, k.status AS stock_status, k.quantity,
       coalesce(l.inspection_status, 'pending') AS inspection,
       coalesce(h.holds, '') AS holds,
       (r.lot_id IS NOT NULL) AS in_recall,
       date_diff('day', DATE '1970-01-01', l.expiry_date) AS expiry_day,
       i.min_remaining_shelf_life_days AS min_remaining_days,
       i.unit_cost, l.supplier_id, l.manufacture_date, l.expiry_date
FROM stock_on_hand k
JOIN snap ON k.snapshot_date = snap.day
LEFT JOIN lots l ON l.lot_id = k.lot_id
JOIN items i ON i.item_id = k.item_id
LEFT JOIN holds h ON h.lot_id = k.lot_id AND h.location_id = k.location_id
LEFT JOIN recalled r ON r.lot_id = k.lot_id
ORDER BY k.item_id, k.location_id, k.lot_id, k.status
"""


def day_number(day: date) -> int:
    """Days since 1970-01-01 (the day axis of the pure trace functions)."""
    return (day - EPOCH).days


def lot_stock(con: duckdb.DuckDBPyConnection, as_of: date) -> pd.DataFrame:
    """Stock rows of the latest snapshot with ``lot_status`` and ``usable`` columns."""
    rows = con.execute(_LOT_STOCK_SQL, {"as_of": as_of}).df()
    conditions = lot_conditions(
        stock_status=rows["stock_status"].to_numpy(dtype=object),
        inspection=rows["inspection"].to_numpy(dtype=object),
        active_holds=rows["holds"].to_numpy(dtype=object),
        in_recall=rows["in_recall"].to_numpy(dtype=bool),
        expiry_day=rows["expiry_day"].to_numpy(dtype=np.float64, na_value=np.nan),
        min_remaining_days=rows["min_remaining_days"].to_numpy(dtype=np.float64, na_value=0.0),
        as_of_day=day_number(as_of),
    )
    status = derive_lot_status(conditions)
    return rows.assign(lot_status=status, usable=usable_mask(status))


def stock_by_series(lots: pd.DataFrame, series: pd.DataFrame) -> StockByStatus:
    """Quantity per status for each row of ``series`` (item_id, location_id), in its order."""
    keys = pd.MultiIndex.from_frame(series[["item_id", "location_id"]])
    row = keys.get_indexer(pd.MultiIndex.from_frame(lots[["item_id", "location_id"]]))
    known = row >= 0
    return stock_by_status(
        row[known],
        lots["lot_status"].to_numpy(dtype=object)[known],
        lots["quantity"].to_numpy(dtype=np.float64)[known],
        len(series),
    )


def echelon_rates(con: duckdb.DuckDBPyConnection, demand: pd.DataFrame) -> pd.DataFrame:
    """``demand`` (item_id, location_id, mean_daily) with mean_daily replaced by the echelon
    demand: own demand plus that of every item-location it replenishes (``item_location``)."""
    network = con.execute(
        "SELECT item_id, location_id, source_location_id FROM item_location ORDER BY 1, 2"
    ).df()
    rows = network.merge(demand[["item_id", "location_id", "mean_daily"]], how="left")
    keys = pd.MultiIndex.from_frame(rows[["item_id", "location_id"]])
    parent = keys.get_indexer(
        pd.MultiIndex.from_arrays([rows["item_id"], rows["source_location_id"].fillna("")])
    )
    total = echelon_demand(rows["mean_daily"].fillna(0.0).to_numpy(np.float64), parent)
    return rows[["item_id", "location_id"]].assign(mean_daily=total)


def expiry_risk_frame(lots: pd.DataFrame, demand: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Lots with stock expected to expire unsold, largest value at risk first.

    ``lots`` from :func:`lot_stock`; ``demand`` has item_id, location_id and mean_daily
    [units/day] — the demand the stock point's stock serves (see :func:`echelon_rates`).
    Item-locations without demand sell nothing.
    """
    usable = lots[lots["usable"]].reset_index(drop=True)
    keys = usable[["item_id", "location_id"]].drop_duplicates().reset_index(drop=True)
    rate = keys.merge(demand[["item_id", "location_id", "mean_daily"]], how="left")
    group = pd.MultiIndex.from_frame(keys).get_indexer(
        pd.MultiIndex.from_frame(usable[["item_id", "location_id"]])
    )
    risk = expiry_risk(
        group,
        usable["expiry_day"].to_numpy(dtype=np.float64, na_value=np.nan),
        usable["quantity"].to_numpy(dtype=np.float64),
        rate["mean_daily"].fillna(0.0).to_numpy(dtype=np.float64),
        day_number(as_of),
        min_remaining_days=usable["min_remaining_days"].to_numpy(dtype=np.float64, na_value=0.0),
        unit_cost=usable["unit_cost"].to_numpy(dtype=np.float64),
    )
    out = usable[
        ["item_id", "location_id", "lot_id", "supplier_id", "expiry_date", "quantity", "unit_cost"]
    ].assign(
        demand_per_day=rate["mean_daily"].fillna(0.0).to_numpy()[group],
        days_to_sell=risk.days_to_sell,
        expected_sold=risk.expected_sold,
        at_risk=risk.at_risk,
        value_at_risk=risk.value_at_risk,
    )
    out = out[out["at_risk"] > 1e-9]
    return out.sort_values(["value_at_risk", "lot_id"], ascending=[False, True], ignore_index=True)


def fefo_pick_list(
    con: duckdb.DuckDBPyConnection,
    item_id: str,
    location_id: str,
    quantity: float,
    as_of: date,
) -> tuple[pd.DataFrame, float]:
    """Which lots to pick for ``quantity`` units of an item at a location, FEFO.

    Returns every lot row of the item at the location in FEFO order with its status and the
    quantity to pick (0 for lots that may not be allocated: expired, recalled, held, pending,
    short-dated, ...) and the shortfall [units].
    """
    lots = lot_stock(con, as_of)
    here = lots[(lots["item_id"] == item_id) & (lots["location_id"] == location_id)]
    here = here.reset_index(drop=True)
    allocation = fefo_allocate(
        np.zeros(len(here), dtype=np.int64),
        here["expiry_day"].to_numpy(dtype=np.float64, na_value=np.nan),
        here["quantity"].to_numpy(dtype=np.float64),
        [float(quantity)],
        eligible=here["usable"].to_numpy(dtype=bool),
    )
    picks = here.assign(pick=allocation.allocated).iloc[allocation.queue]
    columns = ["lot_id", "expiry_date", "lot_status", "quantity", "pick"]
    return picks[columns].reset_index(drop=True), float(allocation.shortfall[0])
