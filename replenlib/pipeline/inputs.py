"""Reading what the nightly run needs from the store, as arrays aligned to one series index.

Every array here has one element (or row) per item-location, in the order of
:attr:`PlanningInputs.series` (sorted by ``item_id``, ``location_id``). SQL does the grouping;
numpy gets dense arrays.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from replenlib.errors import InputDataError
from replenlib.pipeline.supply_stage import SeriesSupply, series_supply
from replenlib.policy.expiry import AGE_AT_RECEIPT_DAYS

#: Lead-time observations an item-supplier needs before its own statistics are trusted.
MIN_LEAD_TIME_OBSERVATIONS = 3


@dataclass(frozen=True)
class PlanningInputs:
    """The store's state as of one day, aligned to ``series`` rows.

    Attributes
    ----------
    as_of : the planning day (last day of demand history)
    series : one row per item-location with item master and sourcing columns
    weekly_demand : requested demand per week, oldest first [units/week], series × weeks
    usable_on_hand : approved stock: not pending inspection, held, exposed, quarantined,
        recalled, expired or short-dated (see :mod:`replenlib.trace.lots`) [units]
    on_order : open purchase-order quantity not yet received, plus transfers in transit to
        the location [units]
    lead_time_mean, lead_time_std : replenishment lead time [days]
    usable_days : sellable days of a received unit; NaN when it does not expire [days]
    """

    as_of: date
    series: pd.DataFrame
    weekly_demand: NDArray[np.float64]
    usable_on_hand: NDArray[np.float64]
    on_order: NDArray[np.float64]
    lead_time_mean: NDArray[np.float64]
    lead_time_std: NDArray[np.float64]
    usable_days: NDArray[np.float64]

    @property
    def n_series(self) -> int:
        """Number of item-locations."""
        return len(self.series)


def latest_demand_date(con: duckdb.DuckDBPyConnection) -> date:
    """The last day with demand history: the default planning day."""
    row = con.execute("SELECT max(demand_date) FROM demand_history").fetchone()
    if row is None or row[0] is None:
        raise InputDataError("the store has no demand history: run `replen demo` or import demand")
    return row[0]  # type: ignore[no-any-return]


def read_planning_inputs(
    con: duckdb.DuckDBPyConnection, as_of: date | None = None, weeks: int = 104
) -> PlanningInputs:
    """Read series, demand, stock, open orders and lead times as of ``as_of``."""
    day = as_of or latest_demand_date(con)
    series = _series(con, day)
    if series.empty:
        raise InputDataError("the store has no item-locations (table item_location is empty)")
    supply = series_supply(con, series, day)
    series = _require_sourcing(supply.series)
    con.register("_series", series[["item_id", "location_id", "row"]])
    try:
        weekly = _weekly_demand(con, day, weeks, len(series))
        on_order = _per_series(con, _ON_ORDER_SQL, {"day": day}, len(series))
    finally:
        con.unregister("_series")
    on_hand = supply.usable_on_hand
    lt_mean, lt_std = _lead_times(con, series, day, supply)
    shelf = series["shelf_life_days"].to_numpy(dtype=np.float64, na_value=np.nan)
    min_remaining = series["min_remaining_shelf_life_days"].to_numpy(dtype=np.float64, na_value=0.0)
    usable_days = shelf - min_remaining - AGE_AT_RECEIPT_DAYS - lt_mean
    return PlanningInputs(
        as_of=day,
        series=series,
        weekly_demand=weekly,
        usable_on_hand=on_hand,
        on_order=on_order,
        lead_time_mean=lt_mean,
        lead_time_std=lt_std,
        usable_days=usable_days,
    )


_SERIES_SQL = """
SELECT il.item_id, il.location_id, il.source_location_id, il.transfer_lead_time_days,
       i.category, i.criticality, i.risk_class, i.is_cold_chain, i.unit_cost,
       i.shelf_life_days, i.min_remaining_shelf_life_days,
       (i.end_of_life_date IS NULL OR i.end_of_life_date > ?) AS is_active
FROM item_location il
JOIN items i USING (item_id)
ORDER BY il.item_id, il.location_id
"""


def _series(con: duckdb.DuckDBPyConnection, day: date) -> pd.DataFrame:
    series = con.execute(_SERIES_SQL, [day]).df()
    series["row"] = np.arange(len(series), dtype=np.int64)
    return series


def _require_sourcing(series: pd.DataFrame) -> pd.DataFrame:
    """Refuse purchased item-locations whose item has no supplier in item_supplier at all.

    (An item whose suppliers are all blocked stays: its proposal says so.)
    """
    missing = series["source_location_id"].isna() & series["supplier_reason"].isna()
    if missing.any():
        first = series.loc[missing].iloc[0]
        raise InputDataError(
            f"item {first['item_id']} at {first['location_id']} is bought from suppliers but has "
            f"no supplier in item_supplier ({int(missing.sum())} item-locations affected)"
        )
    return series


def _weekly_demand(
    con: duckdb.DuckDBPyConnection, day: date, weeks: int, n_series: int
) -> NDArray[np.float64]:
    rows = con.execute(
        """
        SELECT s.row, CAST(date_diff('day', d.demand_date, ?::DATE) // 7 AS INTEGER) AS weeks_ago,
               sum(d.quantity) AS quantity
        FROM demand_history d JOIN _series s USING (item_id, location_id)
        WHERE d.demand_date <= ?::DATE AND date_diff('day', d.demand_date, ?::DATE) < ?
        GROUP BY ALL
        """,
        [day, day, day, weeks * 7],
    ).fetchnumpy()
    panel = np.zeros((n_series, weeks))
    weeks_ago = np.asarray(rows["weeks_ago"], dtype=np.int64)
    panel[np.asarray(rows["row"], dtype=np.int64), weeks - 1 - weeks_ago] = rows["quantity"]
    return panel


# On order = open purchase-order lines not yet received + transfers dispatched to the location
# that have not arrived yet (transfer movements are dated at dispatch and reference their
# shipment; the goods are in transit until the shipment's arrival date).
_ON_ORDER_SQL = """
WITH open_po AS (
    SELECT item_id, location_id, quantity - quantity_received AS quantity
    FROM purchase_orders WHERE status = 'open' AND order_date <= $day
), in_transit AS (
    SELECT m.item_id, m.to_location_id AS location_id, m.quantity
    FROM movements m JOIN shipments sh ON sh.shipment_id = m.reference
    WHERE m.kind = 'transfer' AND m.movement_date <= $day AND sh.arrival_date > $day
)
SELECT s.row, sum(o.quantity) AS value
FROM (SELECT * FROM open_po UNION ALL SELECT * FROM in_transit) o
JOIN _series s USING (item_id, location_id)
GROUP BY s.row
"""


def _per_series(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    params: list[object] | dict[str, object],
    n_series: int,
) -> NDArray[np.float64]:
    rows = con.execute(sql, params).fetchnumpy()
    values = np.zeros(n_series)
    values[rows["row"]] = rows["value"]
    return values


def _lead_times(
    con: duckdb.DuckDBPyConnection, series: pd.DataFrame, day: date, supply: SeriesSupply
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Lead-time mean and std per series: the supply stage's for purchases (credibility-blended
    item-supplier statistics, see :mod:`replenlib.supply.lead_time`), observed or nominal
    transfer times for transfers."""
    transfer = _transfer_lead_times(con, day)
    frame = series[["source_location_id", "location_id", "transfer_lead_time_days"]].merge(
        transfer, on=["source_location_id", "location_id"], how="left"
    )
    is_transfer = frame["source_location_id"].notna().to_numpy()
    nominal_transfer = frame["transfer_lead_time_days"].to_numpy(dtype=np.float64, na_value=2.0)
    has_transfer = frame["tr_n"].fillna(0).to_numpy() >= MIN_LEAD_TIME_OBSERVATIONS
    transfer_mean = np.where(has_transfer, frame["tr_mean"], nominal_transfer)
    transfer_std = np.where(has_transfer, frame["tr_std"].fillna(0.0), 0.5)
    mean = np.where(is_transfer, transfer_mean, supply.lead_time_mean)
    std = np.where(is_transfer, transfer_std, supply.lead_time_std)
    return mean.astype(np.float64), std.astype(np.float64)


def _transfer_lead_times(con: duckdb.DuckDBPyConnection, day: date) -> pd.DataFrame:
    return con.execute(
        """
        SELECT from_location_id AS source_location_id, to_location_id AS location_id,
               count(*) AS tr_n, avg(date_diff('day', dispatch_date, arrival_date)) AS tr_mean,
               stddev_samp(date_diff('day', dispatch_date, arrival_date)) AS tr_std
        FROM shipments WHERE kind = 'transfer' AND arrival_date <= ?::DATE
        GROUP BY ALL
        """,
        [day],
    ).df()
