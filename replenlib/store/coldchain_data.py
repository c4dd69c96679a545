"""Cold chain in the store: evaluate logger records, keep the verdicts, hold exposed lots.

**Records.** A logger travelling with a shipment gives one record per shipment; it must cover
the shipment from the end of its dispatch day to the start of its arrival day. A stationary
logger (a cold room, a fridge) gives one record per calendar day, which must be covered from
00:00 to 24:00 — a day without any reading is a record too, with unknown exposure. Each record
is judged (:func:`replenlib.trace.coldchain.evaluate_records`) against every temperature range
of the cold-chain items it concerns: the items in the shipment, or the cold-chain items stocked
at the storage location. A logger's maximum interval is ``gap_factor`` times its typical
(median) interval, at least ``min_gap_minutes``.

**Verdicts** go to ``cold_chain_exposures`` once per record and range; records evaluated
earlier are not evaluated again (shipments once they arrived, storage days once complete).

**Holds.** :func:`hold_exposed_lots` puts an ``excursion`` hold on every lot with stock at the
exposed location — the shipment's destination, or the storage location — whose item has the
exposed range: for an excursion, and (by default) for unknown exposure, which is not safe.
A hold is placed once per lot, location and record; a released hold is not placed again.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable
from datetime import date, datetime

import duckdb
import numpy as np
import pandas as pd

from replenlib.store.duck import insert_frame, register
from replenlib.trace.coldchain import Exposure, evaluate_records, record_limits
from replenlib.trace.lots import HoldKind

log = logging.getLogger(__name__)

#: Minutes in a day.
DAY_MINUTES = 1440.0

_RANGES_SQL = """
SELECT DISTINCT storage_temp_min_c AS low_c, storage_temp_max_c AS high_c,
       coalesce(allowed_excursion_minutes, 0) AS allowed_minutes
FROM items
WHERE is_cold_chain AND storage_temp_min_c IS NOT NULL AND storage_temp_max_c IS NOT NULL
ORDER BY ALL
"""

_SHIPMENT_RECORDS_SQL = """
SELECT 'S:' || s.shipment_id AS record_id, s.logger_id, s.shipment_id, s.to_location_id AS location_id,
       CAST(s.dispatch_date AS TIMESTAMP) + INTERVAL 1 DAY AS window_start,
       CAST(s.arrival_date AS TIMESTAMP) AS window_end
FROM shipments s
WHERE s.logger_id IS NOT NULL AND s.arrival_date <= $as_of
  AND NOT EXISTS (SELECT 1 FROM cold_chain_exposures e WHERE e.record_id = 'S:' || s.shipment_id)
"""

_STORAGE_RECORDS_SQL = """
WITH loggers AS (
    SELECT logger_id, any_value(location_id) AS location_id,
           CAST(min(reading_time) AS DATE) AS first_day, CAST(max(reading_time) AS DATE) AS last_day
    FROM temperature_readings WHERE shipment_id IS NULL AND location_id IS NOT NULL
    GROUP BY logger_id
)
SELECT 'L:' || g.logger_id || ':' || strftime(d.day, '%Y-%m-%d') AS record_id, g.logger_id,
       NULL AS shipment_id, g.location_id,
       CAST(d.day AS TIMESTAMP) AS window_start, CAST(d.day AS TIMESTAMP) + INTERVAL 1 DAY AS window_end
FROM loggers g,
     LATERAL (SELECT CAST(unnest(generate_series(g.first_day, CAST($as_of AS DATE) - 1,
                                                 INTERVAL 1 DAY)) AS DATE) AS day) d
WHERE NOT EXISTS (SELECT 1 FROM cold_chain_exposures e
                  WHERE e.record_id = 'L:' || g.logger_id || ':' || strftime(d.day, '%Y-%m-%d'))
"""

_RECORD_RANGES_SQL = """
WITH shipment_items AS (
    SELECT DISTINCT s.shipment_id, r.item_id FROM shipments s
    JOIN receipts r ON s.kind = 'inbound' AND r.po_id = s.po_id AND r.location_id = s.to_location_id
    WHERE s.shipment_id IN (SELECT shipment_id FROM _cc_records)
    UNION
    SELECT DISTINCT m.reference, m.item_id FROM movements m
    WHERE m.kind = 'transfer' AND m.reference IN (SELECT shipment_id FROM _cc_records)
), storage_items AS (
    SELECT DISTINCT location_id, item_id FROM item_location
)
SELECT DISTINCT c.record_id, i.storage_temp_min_c AS low_c, i.storage_temp_max_c AS high_c,
       coalesce(i.allowed_excursion_minutes, 0) AS allowed_minutes
FROM _cc_records c
LEFT JOIN shipment_items si ON si.shipment_id = c.shipment_id
LEFT JOIN storage_items li ON c.shipment_id IS NULL AND li.location_id = c.location_id
JOIN items i ON i.item_id = coalesce(si.item_id, li.item_id)
WHERE i.is_cold_chain AND i.storage_temp_min_c IS NOT NULL AND i.storage_temp_max_c IS NOT NULL
"""

_READINGS_SQL = """
SELECT c.code, epoch_ms(r.reading_time) / 60000.0 AS minute, r.temperature_c
FROM temperature_readings r JOIN _cc_records c ON c.shipment_id = r.shipment_id
UNION ALL
SELECT c.code, epoch_ms(r.reading_time) / 60000.0 AS minute, r.temperature_c
FROM temperature_readings r
JOIN _cc_records c ON c.shipment_id IS NULL AND r.shipment_id IS NULL
 AND c.logger_id = r.logger_id AND c.day = CAST(r.reading_time AS DATE)
"""


def evaluate_cold_chain(
    con: duckdb.DuckDBPyConnection,
    as_of: date,
    *,
    gap_factor: float = 2.0,
    min_gap_minutes: float = 30.0,
) -> pd.DataFrame:
    """Evaluate every record not evaluated yet and append the verdicts; return the new rows."""
    records = pd.concat(
        [
            con.execute(sql, {"as_of": as_of}).df()
            for sql in (_SHIPMENT_RECORDS_SQL, _STORAGE_RECORDS_SQL)
        ],
        ignore_index=True,
    )
    if records.empty:
        return _empty_exposures(con)
    records = records.sort_values("record_id", ignore_index=True)
    records["code"] = np.arange(len(records), dtype=np.int64)
    records["day"] = pd.to_datetime(records["window_start"]).dt.date
    con.execute("SET enable_progress_bar = false")
    register(con, "_cc_records", records)
    try:
        pairs = con.execute(_RECORD_RANGES_SQL).df()
        raw = con.execute(_READINGS_SQL).fetchnumpy()
    finally:
        con.unregister("_cc_records")
    order = np.lexsort((raw["minute"], raw["code"]))
    readings = {k: np.asarray(v)[order] for k, v in raw.items()}
    records = records.drop(columns=["code", "day"])
    verdicts = _judge(records, pairs, readings, gap_factor, min_gap_minutes)
    if not verdicts.empty:
        insert_frame(con, "cold_chain_exposures", verdicts)
    log.info(
        "cold chain: %d records evaluated, %d excursions",
        len(verdicts),
        int((verdicts["exposure"] == Exposure.EXCURSION.value).sum()),
    )
    return verdicts


def _empty_exposures(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute("SELECT * FROM cold_chain_exposures LIMIT 0").df()


def _max_intervals(
    readings: dict[str, np.ndarray], records: pd.DataFrame, gap_factor: float, min_gap: float
) -> np.ndarray:
    """Per record: ``gap_factor`` × its logger's median reading interval, at least ``min_gap``."""
    code = readings["code"]
    same = code[1:] == code[:-1]
    steps = np.diff(readings["minute"])[same]
    logger = records["logger_id"].to_numpy()[code[1:][same]]
    positive = steps > 0
    typical = pd.Series(steps[positive]).groupby(logger[positive]).median()
    per_record = records["logger_id"].map(typical).to_numpy(np.float64)
    interval = np.nan_to_num(per_record, nan=min_gap / gap_factor) * gap_factor
    return np.asarray(np.maximum(interval, min_gap), dtype=np.float64)


def _minutes(values: pd.Series) -> np.ndarray:
    """Timestamps as minutes since 1970-01-01."""
    stamps = pd.to_datetime(values).to_numpy(dtype="datetime64[s]")
    return stamps.astype(np.int64).astype(np.float64) / 60.0


#: Columns of ``cold_chain_exposures`` in table order.
EXPOSURE_COLUMNS = (
    "record_id",
    "logger_id",
    "shipment_id",
    "location_id",
    "window_start",
    "window_end",
    "low_c",
    "high_c",
    "allowed_minutes",
    "n_readings",
    "minutes_above",
    "minutes_below",
    "unknown_minutes",
    "longest_gap_minutes",
    "max_c",
    "min_c",
    "mkt_c",
    "exposure",
    "evaluated_at",
)


def _judge(
    records: pd.DataFrame,
    pairs: pd.DataFrame,
    readings: dict[str, np.ndarray],
    gap_factor: float,
    min_gap: float,
) -> pd.DataFrame:
    """Evaluate each (record, range) pair; one output row per pair."""
    limits = {
        "max_interval_minutes": _max_intervals(readings, records, gap_factor, min_gap),
        "window_start": _minutes(records["window_start"]),
        "window_end": _minutes(records["window_end"]),
    }
    ids = pd.Index(records["record_id"])
    out = [
        _judge_range(records, readings, ids.get_indexer(part["record_id"]), key, limits)
        for key, part in pairs.groupby(["low_c", "high_c", "allowed_minutes"])  # a few ranges
    ]
    if not out:
        return pd.DataFrame(columns=list(EXPOSURE_COLUMNS))
    verdicts: pd.DataFrame = pd.concat(out, ignore_index=True)[list(EXPOSURE_COLUMNS)]
    return verdicts


def _judge_range(
    records: pd.DataFrame,
    readings: dict[str, np.ndarray],
    rec: np.ndarray,
    key: tuple[Hashable, ...],
    per_record: dict[str, np.ndarray],
) -> pd.DataFrame:
    """Evaluate the records ``rec`` (positions in ``records``) against one range ``key``
    (low [°C], high [°C], allowed [min])."""
    low, high, allowed = (float(v) for v in key)  # type: ignore[arg-type]
    rec = np.sort(rec)
    keep = np.isin(readings["code"], rec)
    limits = record_limits(
        len(rec),
        low_c=low,
        high_c=high,
        allowed_minutes=allowed,
        **{name: values[rec] for name, values in per_record.items()},
    )
    result = evaluate_records(
        np.searchsorted(rec, readings["code"][keep]),
        np.asarray(readings["minute"], np.float64)[keep],
        np.asarray(readings["temperature_c"], np.float64)[keep],
        limits,
    )
    fields = (
        "n_readings",
        "minutes_above",
        "minutes_below",
        "unknown_minutes",
        "longest_gap_minutes",
        "max_c",
        "min_c",
        "mkt_c",
        "exposure",
    )
    return records.iloc[rec].assign(
        low_c=low,
        high_c=high,
        allowed_minutes=allowed,
        evaluated_at=datetime.now(),
        **{name: getattr(result, name) for name in fields},
    )


_EXPOSED_LOTS_SQL = """
WITH exposed AS (
    SELECT e.record_id, e.shipment_id, e.location_id, e.window_start, e.window_end, e.low_c,
           e.high_c, e.allowed_minutes, e.exposure, e.minutes_above + e.minutes_below AS outside,
           e.unknown_minutes, e.max_c
    FROM cold_chain_exposures e
    WHERE e.exposure IN (SELECT unnest($verdicts)) AND CAST(e.window_start AS DATE) <= $as_of
), shipment_lots AS (
    SELECT x.record_id, r.lot_id FROM exposed x
    JOIN shipments s ON s.shipment_id = x.shipment_id AND s.kind = 'inbound'
    JOIN receipts r ON r.po_id = s.po_id AND r.location_id = s.to_location_id
    UNION
    SELECT x.record_id, m.lot_id FROM exposed x
    JOIN movements m ON m.kind = 'transfer' AND m.reference = x.shipment_id
), storage_lots AS (
    SELECT x.record_id, m.lot_id FROM exposed x
    JOIN movements m ON x.shipment_id IS NULL AND m.to_location_id = x.location_id
     AND m.movement_date <= CAST(x.window_end AS DATE)
), snap AS (
    SELECT lot_id, location_id, item_id, sum(quantity) AS quantity FROM stock_on_hand
    WHERE snapshot_date = (SELECT max(snapshot_date) FROM stock_on_hand WHERE snapshot_date <= $as_of)
      AND status NOT IN ('recalled', 'expired')
    GROUP BY ALL
)
SELECT DISTINCT x.record_id, k.lot_id, k.location_id, k.quantity, x.exposure, x.outside,
       x.unknown_minutes, x.max_c, x.low_c, x.high_c, x.allowed_minutes
FROM exposed x
JOIN (SELECT * FROM shipment_lots UNION SELECT * FROM storage_lots) e USING (record_id)
JOIN snap k ON k.lot_id = e.lot_id AND k.location_id = x.location_id
JOIN items i ON i.item_id = k.item_id
WHERE i.storage_temp_min_c = x.low_c AND i.storage_temp_max_c = x.high_c
  AND coalesce(i.allowed_excursion_minutes, 0) = x.allowed_minutes
  AND NOT EXISTS (SELECT 1 FROM lot_holds h
                  WHERE h.lot_id = k.lot_id AND h.location_id = k.location_id
                    AND h.kind = 'excursion'
                    AND (h.released_at IS NULL
                         OR list_contains(string_split(h.reference, ','), x.record_id)))
ORDER BY k.lot_id, k.location_id, x.exposure, x.record_id
"""


def hold_exposed_lots(
    con: duckdb.DuckDBPyConnection,
    as_of: date,
    *,
    placed_by: str = "cold-chain check",
    hold_unknown: bool = True,
) -> pd.DataFrame:
    """Put an excursion hold on exposed lots with stock at the exposed location; return them.

    One hold per lot and location, naming its worst record first (excursion before unknown)
    and every record in ``reference``; nothing is placed where an excursion hold is active,
    and a record whose hold was released does not place it again.
    """
    verdicts = [Exposure.EXCURSION.value] + ([Exposure.UNKNOWN.value] if hold_unknown else [])
    exposed = con.execute(_EXPOSED_LOTS_SQL, {"verdicts": verdicts, "as_of": as_of}).df()
    if exposed.empty:
        return exposed
    grouped = exposed.groupby(["lot_id", "location_id"], sort=True)
    worst = grouped.head(1).reset_index(drop=True)  # rows sorted: 'excursion' < 'unknown'
    records = grouped["record_id"].agg(",".join).to_numpy()
    count = grouped.size().to_numpy()
    holds = pd.DataFrame(
        {
            "hold_id": "EXC|"
            + worst["record_id"]
            + "|"
            + worst["lot_id"]
            + "@"
            + worst["location_id"],
            "lot_id": worst["lot_id"],
            "location_id": worst["location_id"],
            "kind": HoldKind.EXCURSION.value,
            "reason": _hold_reason(worst)
            + np.where(count > 1, " (+" + (count - 1).astype(str) + " more records)", ""),
            "reference": records,
            "quantity": worst["quantity"],
            "placed_at": datetime.now(),
            "placed_by": placed_by,
            "released_at": pd.NaT,
            "released_by": None,
            "release_reason": None,
        }
    )
    insert_frame(con, "lot_holds", holds)
    log.info("cold chain: %d holds placed", len(holds))
    return holds


def _hold_reason(rows: pd.DataFrame) -> np.ndarray:
    """'excursion: N min outside lo–hi °C (allowed A min), peak P °C' or the unknown form."""
    minutes = rows["outside"].round(0).astype(int).astype(str)
    allowed = rows["allowed_minutes"].round(0).astype(int).astype(str)
    excursion = (
        "excursion on "
        + rows["record_id"]
        + ": "
        + minutes
        + " min outside "
        + rows["low_c"].astype(str)
        + "–"
        + rows["high_c"].astype(str)
        + " °C (allowed "
        + allowed
        + " min), peak "
        + rows["max_c"].round(1).astype(str)
        + " °C"
    )
    unknown = (
        "unknown exposure on "
        + rows["record_id"]
        + ": "
        + rows["unknown_minutes"].round(0).astype(int).astype(str)
        + " min without readings"
    )
    return np.where(rows["exposure"] == Exposure.EXCURSION.value, excursion, unknown)
