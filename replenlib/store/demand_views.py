"""Read the demand layer's results of a run: segments, scores, forecasts, lead-time demand.

Short read-only queries for the demand report and the demand explorer widget; callers open
the connection with :func:`replenlib.store.reader`. Frames come back in a long, tidy layout
keyed by ``item_id`` and ``location_id``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import numpy as np
import pandas as pd

from replenlib.demand.evidence import mask_before_first_demand
from replenlib.demand.forecasters import in_sample_fit
from replenlib.errors import ReplenError
from replenlib.i18n import label

_OVERVIEW_SQL = """
SELECT s.item_id, s.location_id, i.description, i.category, i.criticality, i.risk_class,
       s.abc_value, s.abc_volume, s.xyz, s.demand_class, s.lifecycle, s.volume, s.value, s.cv,
       s.adi, s.cv2, s.trend_ratio, s.age_weeks,
       f.method, f.mean_daily, f.std_daily, p.tier,
       b.mae, b.bias, b.mase, b.rmsse, b.spis, b.pinball,
       l.family, l.protection_days, l.mean AS ltd_mean, l.std AS ltd_std, l.q50 AS ltd_q50,
       l.q90 AS ltd_q90, l.q95 AS ltd_q95, l.q99 AS ltd_q99
FROM segments s
JOIN items i USING (item_id)
LEFT JOIN forecasts f USING (run_id, item_id, location_id)
LEFT JOIN policy_parameters p USING (run_id, item_id, location_id)
LEFT JOIN forecast_backtests b ON b.run_id = s.run_id AND b.item_id = s.item_id
     AND b.location_id = s.location_id AND b.chosen
LEFT JOIN lead_time_demand l USING (run_id, item_id, location_id)
WHERE s.run_id = ?
ORDER BY s.value DESC, s.item_id, s.location_id
"""

_BACKTEST_SQL = """
SELECT s.demand_class, b.method, count(*) AS series, sum(CAST(b.chosen AS INTEGER)) AS chosen,
       avg(b.rmsse) AS rmsse, avg(b.mase) AS mase, avg(b.bias) AS bias, avg(b.spis) AS spis,
       avg(b.pinball) AS pinball
FROM forecast_backtests b JOIN segments s USING (run_id, item_id, location_id)
WHERE b.run_id = ?
GROUP BY ALL ORDER BY s.demand_class, rmsse
"""


def run_row(con: duckdb.DuckDBPyConnection, run_id: str | None) -> dict[str, object]:
    """The ``runs`` row of ``run_id`` (default: the latest run that has demand results)."""
    sql = (
        "SELECT * FROM runs WHERE run_id = ?"
        if run_id
        else "SELECT * FROM runs WHERE run_id IN (SELECT DISTINCT run_id FROM segments) "
        "ORDER BY started_at DESC LIMIT 1"
    )
    frame = con.execute(sql, [run_id] if run_id else []).df()
    if frame.empty:
        raise ReplenError(
            f"no run {run_id} in the store"
            if run_id
            else "the store has no run with demand results yet: run `replen run` first"
        )
    row = {str(k): v for k, v in frame.iloc[0].to_dict().items()}
    row["as_of_date"] = pd.Timestamp(row["as_of_date"]).date()
    return row


def overview(con: duckdb.DuckDBPyConnection, run_id: str) -> pd.DataFrame:
    """One row per item-location: segments, item master, method, chosen scores, lead time."""
    return con.execute(_OVERVIEW_SQL, [run_id]).df()


def backtest_summary(con: duckdb.DuckDBPyConnection, run_id: str) -> pd.DataFrame:
    """Mean backtest scores per demand class and candidate method, and how often chosen."""
    return con.execute(_BACKTEST_SQL, [run_id]).df()


def weekly_history(
    con: duckdb.DuckDBPyConnection, keys: pd.DataFrame, as_of: date, weeks: int = 104
) -> pd.DataFrame:
    """Weekly requested demand of ``keys`` (item_id, location_id), the buckets of the nightly
    run: week ``w`` ends ``7 (weeks - 1 - w)`` days before ``as_of``. Columns item_id,
    location_id, week_end, quantity (zero-filled)."""
    rows = con.execute(
        f"""
        SELECT d.item_id, d.location_id,
               CAST(date_diff('day', d.demand_date, ?::DATE) // 7 AS INTEGER) AS weeks_ago,
               sum(d.quantity) AS quantity
        FROM demand_history d JOIN ({_KEYS}) k USING (item_id, location_id)
        WHERE d.demand_date <= ?::DATE AND date_diff('day', d.demand_date, ?::DATE) < ?
        GROUP BY ALL
        """,
        [as_of, *_key_lists(keys), as_of, as_of, weeks * 7],
    ).df()
    grid = keys[["item_id", "location_id"]].merge(
        pd.DataFrame({"weeks_ago": np.arange(weeks - 1, -1, -1, dtype=np.int32)}), how="cross"
    )
    frame = grid.merge(rows, on=["item_id", "location_id", "weeks_ago"], how="left")
    frame["quantity"] = frame["quantity"].fillna(0.0)
    frame["week_end"] = pd.to_datetime(as_of) - pd.to_timedelta(7 * frame["weeks_ago"], unit="D")
    return frame.drop(columns="weeks_ago")


def forecast_values(
    con: duckdb.DuckDBPyConnection, run_id: str, keys: pd.DataFrame
) -> pd.DataFrame:
    """The run's weekly forecasts with intervals for ``keys``."""
    return con.execute(
        f"SELECT v.* EXCLUDE (run_id) FROM forecast_values v JOIN ({_KEYS}) k "
        "USING (item_id, location_id) WHERE v.run_id = ? ORDER BY item_id, location_id, horizon",
        [*_key_lists(keys), run_id],
    ).df()


#: The key pairs as a relation, from two list parameters (no registered frame needed).
_KEYS = "SELECT unnest(?::VARCHAR[]) AS item_id, unnest(?::VARCHAR[]) AS location_id"


def _class(demand_class: object, lang: str) -> str:
    return label(demand_class, lang) if isinstance(demand_class, str) else "–"


def _key_lists(keys: pd.DataFrame) -> list[list[str]]:
    return [keys["item_id"].astype(str).tolist(), keys["location_id"].astype(str).tolist()]


@dataclass(frozen=True)
class SeriesView:
    """One item-location's chart data."""

    item_id: str
    location_id: str
    title: str
    method: str
    history: pd.DataFrame  #: week_end, quantity
    fitted: np.ndarray  #: one value per history row
    forecast: pd.DataFrame  #: period_end, mean, lower/upper 80 and 95
    row: pd.Series  #: the series' overview row


def series_views(
    con: duckdb.DuckDBPyConnection,
    run: dict[str, object],
    overview: pd.DataFrame,
    keys: pd.DataFrame,
    lang: str = "en",
) -> tuple[SeriesView, ...]:
    """Chart data of ``keys``: history, the chosen method refitted for fitted values, forecasts
    (titles in ``lang``)."""
    if keys.empty:
        return ()
    history = weekly_history(con, keys, run["as_of_date"])  # type: ignore[arg-type]
    forecasts = forecast_values(con, str(run["run_id"]), keys)
    rows = keys.merge(overview, on=["item_id", "location_id"], how="left")
    views = []
    for _, row in rows.iterrows():  # a handful of charted series
        item, location = str(row["item_id"]), str(row["location_id"])
        mine = history[(history["item_id"] == item) & (history["location_id"] == location)]
        values = mask_before_first_demand(mine["quantity"].to_numpy(dtype=np.float64)[None, :])
        method = row["method"] if isinstance(row["method"], str) else "zero"
        title = f"{item} @ {location} — {row['description']} ({_class(row['demand_class'], lang)}, {method})"
        views.append(
            SeriesView(
                item_id=item,
                location_id=location,
                title=title,
                method=method,
                history=mine[["week_end", "quantity"]].reset_index(drop=True),
                fitted=in_sample_fit(method, values)[0],
                forecast=forecasts[
                    (forecasts["item_id"] == item) & (forecasts["location_id"] == location)
                ].reset_index(drop=True),
                row=row,
            )
        )
    return tuple(views)
