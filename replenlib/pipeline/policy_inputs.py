"""What the policy needs from the store beyond :mod:`.inputs`: lot expiry profiles, item flags.

Kept apart from :mod:`.inputs` (whose usable-stock query the supply/trace side owns): this
module only reads the *profile* of available, released lots — quantity and days to expiry per
lot — so the policy can forecast expiry write-off under FEFO, plus item flags the strategy
table segments on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import numpy as np
import pandas as pd
from numpy.typing import NDArray

#: Lots per item-location kept in the profile (the earliest-expiring ones).
MAX_LOTS = 12


@dataclass(frozen=True)
class PolicyStoreInputs:
    """Per series row (aligned to ``PlanningInputs.series``)."""

    is_substitutable: NDArray[np.bool_]
    lot_quantity: NDArray[np.float64]  #: rows × lots [units], NaN pads
    lot_days_to_expiry: NDArray[np.float64]  #: rows × lots [days], inf = no expiry, NaN pads

    @classmethod
    def empty(cls, n_series: int) -> PolicyStoreInputs:
        """No flags and no lots (for callers without a store)."""
        return cls(
            np.zeros(n_series, dtype=bool),
            np.full((n_series, 1), np.nan),
            np.full((n_series, 1), np.nan),
        )


_LOTS_SQL = """
SELECT s.row, k.quantity,
       CASE WHEN l.expiry_date IS NULL THEN NULL
            ELSE date_diff('day', ?::DATE, l.expiry_date) END AS days_to_expiry
FROM stock_on_hand k
JOIN _policy_series s USING (item_id, location_id)
JOIN lots l USING (lot_id)
WHERE k.snapshot_date = (SELECT max(snapshot_date) FROM stock_on_hand WHERE snapshot_date <= ?::DATE)
  AND k.status = 'available' AND l.inspection_status = 'passed'
ORDER BY s.row, days_to_expiry NULLS LAST
"""


def read_policy_inputs(
    con: duckdb.DuckDBPyConnection, series: pd.DataFrame, as_of: date
) -> PolicyStoreInputs:
    """Item flags and lot expiry profiles for the rows of ``series`` (needs column ``row``)."""
    flags = con.execute("SELECT item_id, is_substitutable FROM items").df()
    merged = series[["item_id"]].merge(flags, on="item_id", how="left")
    substitutable = merged["is_substitutable"].fillna(False).to_numpy(dtype=bool)
    con.register("_policy_series", series[["item_id", "location_id", "row"]])
    try:
        lots = con.execute(_LOTS_SQL, [as_of, as_of]).df()
    finally:
        con.unregister("_policy_series")
    quantity, days = _lot_matrix(lots, len(series))
    return PolicyStoreInputs(substitutable, quantity, days)


def _lot_matrix(
    lots: pd.DataFrame, n_series: int
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Rows × lots matrices from the long lot list (earliest expiry first, NaN pads)."""
    rows = lots["row"].to_numpy(dtype=np.int64)
    rank = lots.groupby("row").cumcount().to_numpy(dtype=np.int64)
    keep = rank < MAX_LOTS
    width = max(int(rank[keep].max()) + 1 if keep.any() else 1, 1)
    quantity = np.full((n_series, width), np.nan)
    days = np.full((n_series, width), np.nan)
    quantity[rows[keep], rank[keep]] = lots["quantity"].to_numpy(dtype=np.float64)[keep]
    expiry = lots["days_to_expiry"].to_numpy(dtype=np.float64, na_value=np.inf)
    days[rows[keep], rank[keep]] = expiry[keep]
    return quantity, days
