"""Ground-truth summaries of a generated data set: goods in transit and headline figures."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from replenlib.demo.records import Context

FloatArray = npt.NDArray[np.float64]

ADI_CUT: float = 1.32
CV2_CUT: float = 0.49


def in_transit_truth(ctx: Context, tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Transfers dispatched on or before the as-of date that arrive after it."""
    shipments = tables["shipments"]
    as_of = np.datetime64(ctx.start, "D") + ctx.last_day
    late = shipments[shipments["arrival_date"] > as_of]
    moves = tables["movements"]
    recent = moves["movement_date"] >= late["dispatch_date"].min() if len(late) else False
    moves = moves[recent & (moves["kind"] == "transfer")]
    moves = moves.merge(
        late[["shipment_id", "arrival_date"]], left_on="reference", right_on="shipment_id"
    )
    keys = [
        "shipment_id",
        "item_id",
        "lot_id",
        "from_location_id",
        "to_location_id",
        "arrival_date",
    ]
    return moves.groupby(keys)["quantity"].sum().reset_index()


def weekly_classes(demand: npt.NDArray[np.int32]) -> tuple[FloatArray, FloatArray]:
    """ADI [weeks] and CV^2 of non-zero weekly demand per series (last whole weeks)."""
    n_weeks = demand.shape[0] // 7
    weekly = demand[-7 * n_weeks :].reshape(n_weeks, 7, -1).sum(axis=1).astype(np.float64)
    nonzero = weekly > 0
    count = nonzero.sum(axis=0)
    adi = np.where(count > 0, n_weeks / np.maximum(count, 1), np.inf)
    safe = np.maximum(count, 1)
    mean = weekly.sum(axis=0) / safe
    variance = np.where(nonzero, (weekly - mean) ** 2, 0.0).sum(axis=0) / safe
    cv2 = np.where(count > 1, variance / np.maximum(mean, 1e-12) ** 2, 0.0)
    return adi, cv2


def summary_truth(ctx: Context, tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row of headline figures: demand classes, stockouts, inventory days, row counts."""
    adi, cv2 = weekly_classes(ctx.world.demand)
    has = np.isfinite(adi)
    sparse, erratic = adi[has] >= ADI_CUT, cv2[has] >= CV2_CUT
    demand = tables["demand_history"]
    short = (demand["quantity_shipped"] < demand["quantity"]).mean()
    stock, issued = np.array(ctx.state.stock_value), np.array(ctx.state.issue_value)
    warm = slice(90, None)  # skip the opening quarter
    return pd.DataFrame(
        {
            "share_smooth": [float((~sparse & ~erratic).mean())],
            "share_erratic": [float((~sparse & erratic).mean())],
            "share_intermittent": [float((sparse & ~erratic).mean())],
            "share_lumpy": [float((sparse & erratic).mean())],
            "share_lines_short": [float(short)],
            "fill_rate": [float(demand["quantity_shipped"].sum() / demand["quantity"].sum())],
            "inventory_days_value": [float(stock[warm].mean() / issued[warm].mean())],
            "n_series": [len(adi)],
            "n_movements": [len(tables["movements"])],
        }
    )
