"""Today's alert conditions: gather facts with SQL, judge them with :mod:`replenlib.plan.alerts`.

The result is the candidate frame of :func:`replenlib.governance.alerts.sync_alerts` (one row
per ``kind:subject``); the life cycle (raised once, tracked, resolved) lives there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from replenlib.demand.intermittent import sba
from replenlib.demand.smoothing import ses
from replenlib.governance.alerts import CANDIDATE_COLUMNS
from replenlib.governance.sql import one
from replenlib.pipeline.inputs import PlanningInputs
from replenlib.pipeline.plan_inputs import has_table, per_series
from replenlib.plan import alerts as rules
from replenlib.plan.thresholds import PlanThresholds

#: Trailing window of the supplier on-time rate [days] and the late tolerance [days].
ON_TIME_WINDOW_DAYS, ON_TIME_TOLERANCE_DAYS = 365, 2
#: Methods judged against SBA's one-step forecasts (the others against SES's), and methods
#: with nothing to judge (no or too little history).
INTERMITTENT_METHODS = frozenset({"sba", "croston", "tsb"})
UNJUDGED_METHODS = frozenset({"zero", "fallback", "new", "naive_new"})
#: Trailing window of the cold-chain check [days]; longest gap a reading stands for [min].
COLD_CHAIN_WINDOW_DAYS, MAX_READING_MINUTES = 7, 60.0


@dataclass(frozen=True)
class SeriesFacts:
    """Per series facts the plan stage already computed (aligned to ``inputs.series``)."""

    stockout_day: NDArray[np.int64]  #: first projected stockout day [days from the planning
    #: day], counting open orders, open proposals and today's lines
    inventory_position: NDArray[np.float64]  #: [units]
    reorder_point: NDArray[np.float64]  #: [units]
    tier: NDArray[np.object_]
    method: NDArray[np.object_]  #: forecast method per series ('ses', 'sba', 'fallback', ...)


def candidate(
    kind: rules.AlertKind, subject: str, severity: object, message: str, **keys: object
) -> dict[str, object]:
    """One candidate row with the rule's owner and suggested action."""
    rule = rules.RULES[kind]
    return {
        "alert_key": f"{kind.value}:{subject}",
        "kind": kind.value,
        "severity": str(severity),
        "owner_role": rule.owner.value,
        "subject": subject,
        "item_id": keys.get("item_id"),
        "location_id": keys.get("location_id"),
        "supplier_id": keys.get("supplier_id"),
        "message": message,
        "suggested_action": rule.suggested_action,
    }


def build_alerts(
    con: duckdb.DuckDBPyConnection,
    inputs: PlanningInputs,
    facts: SeriesFacts,
    lots: pd.DataFrame,
    thresholds: PlanThresholds,
) -> pd.DataFrame:
    """All alert candidates for today (see :mod:`replenlib.plan.alerts` for the rules).

    ``lots`` are the usable lots with ``days_to_expiry``, ``quantity_at_risk`` and
    ``unit_cost``.
    """
    rows: list[dict[str, object]] = []
    rows += _stockouts(inputs, facts)
    rows += _expiry(lots, thresholds)
    rows += _suppliers(con, inputs.as_of, thresholds)
    rows += _cold_chain(con, inputs.as_of)
    rows += _inspection(con, inputs, facts)
    rows += _bias(inputs, thresholds, facts.method)
    rows += _data_health(con, inputs.as_of, thresholds)
    return pd.DataFrame(rows, columns=list(CANDIDATE_COLUMNS))


def _stockouts(inputs: PlanningInputs, facts: SeriesFacts) -> list[dict[str, object]]:
    active = inputs.series["is_active"].to_numpy(dtype=bool)
    result = rules.stockout_in_lead_time(facts.stockout_day, inputs.lead_time_mean, facts.tier)
    out = []
    for r in np.flatnonzero(result.fires & active):
        s = inputs.series.iloc[r]
        out.append(
            candidate(
                rules.AlertKind.STOCKOUT_IN_LEAD_TIME,
                f"{s['item_id']}@{s['location_id']}",
                result.severity[r],
                f"projected stockout in {facts.stockout_day[r]} days, before a new order could "
                f"arrive (lead time {inputs.lead_time_mean[r]:.0f} days)",
                item_id=s["item_id"],
                location_id=s["location_id"],
            )
        )
    return out


def _expiry(lots: pd.DataFrame, thresholds: PlanThresholds) -> list[dict[str, object]]:
    if lots.empty:
        return []
    days = lots["days_to_expiry"].to_numpy(dtype=np.float64, na_value=np.inf)
    at_risk = lots["quantity_at_risk"].to_numpy(dtype=np.float64)
    value = at_risk * lots["unit_cost"].to_numpy(dtype=np.float64)
    result = rules.expiry_risk(at_risk, days, value, thresholds.expiry_horizon_days)
    return [
        candidate(
            rules.AlertKind.EXPIRY_RISK,
            f"{lot.item_id}@{lot.location_id}/lot={lot.lot_id}",
            result.severity[i],
            f"{at_risk[i]:,.0f} of {lot.quantity:,.0f} units of lot {lot.lot_id} expected to "
            f"expire unused in {days[i]:.0f} days (≈ ¥{value[i]:,.0f})",
            item_id=lot.item_id,
            location_id=lot.location_id,
        )
        for i, lot in enumerate(lots.itertuples())
        if result.fires[i]
    ]


_SUPPLIER_SQL = """
WITH used AS (SELECT DISTINCT supplier_id FROM item_supplier),
late AS (
    SELECT supplier_id, count(*) AS late_lines FROM purchase_orders
    WHERE status = 'open' AND confirmed_date < ?::DATE - ? GROUP BY ALL),
timely AS (
    SELECT p.supplier_id,
           avg(CASE WHEN r.receipt_date <= p.confirmed_date + ? THEN 1.0 ELSE 0.0 END)
             AS on_time_rate
    FROM receipts r JOIN purchase_orders p USING (po_id, po_line)
    WHERE r.receipt_date <= ?::DATE AND date_diff('day', r.receipt_date, ?::DATE) < ?
    GROUP BY ALL)
SELECT s.supplier_id, s.qualification_status,
       date_diff('day', ?::DATE, s.qualified_until) AS days_to_lapse,
       coalesce(l.late_lines, 0) AS late_lines, t.on_time_rate
FROM suppliers s JOIN used USING (supplier_id)
LEFT JOIN late l USING (supplier_id) LEFT JOIN timely t USING (supplier_id)
ORDER BY s.supplier_id
"""


def _suppliers(
    con: duckdb.DuckDBPyConnection, day: date, thresholds: PlanThresholds
) -> list[dict[str, object]]:
    """Late and downgraded suppliers among those in the sourcing terms."""
    late_days = thresholds.supplier_late_days
    facts = con.execute(
        _SUPPLIER_SQL,
        [day, late_days, ON_TIME_TOLERANCE_DAYS, day, day, ON_TIME_WINDOW_DAYS, day],
    ).df()
    lines = facts["late_lines"].to_numpy(dtype=np.int64)
    rates = facts["on_time_rate"].to_numpy(dtype=np.float64, na_value=np.nan)
    lapse = facts["days_to_lapse"].to_numpy(dtype=np.float64, na_value=np.nan)
    status = facts["qualification_status"].to_numpy(dtype=object)
    late = rules.supplier_late(lines, rates, thresholds.supplier_on_time_floor)
    down = rules.supplier_downgraded(status, lapse, thresholds.qualification_warning_days)
    out = []
    for i, supplier in enumerate(facts["supplier_id"]):
        rate = "n/a" if np.isnan(rates[i]) else f"{rates[i]:.0%}"
        lapsing = "" if np.isnan(lapse[i]) else f", qualification ends in {lapse[i]:.0f} days"
        for kind, result, text in (
            (rules.AlertKind.SUPPLIER_LATE, late, _late_text(int(lines[i]), rate, late_days)),
            (
                rules.AlertKind.SUPPLIER_DOWNGRADED,
                down,
                f"qualification status {status[i]}{lapsing}",
            ),
        ):
            if result.fires[i]:
                out.append(
                    candidate(
                        kind, f"supplier={supplier}", result.severity[i], text, supplier_id=supplier
                    )
                )
    return out


def _late_text(late_lines: int, rate: str, late_days: int) -> str:
    late = f"{late_lines} open lines more than {late_days} days past their confirmed date"
    return f"{late}; on-time rate {rate}" if late_lines else f"on-time rate {rate} in the last year"


def _cold_chain(con: duckdb.DuckDBPyConnection, day: date) -> list[dict[str, object]]:
    readings = con.execute(
        """
        WITH ranges AS (
            SELECT k.location_id, max(i.storage_temp_min_c) AS low,
                   min(i.storage_temp_max_c) AS high,
                   min(coalesce(i.allowed_excursion_minutes, 0)) AS allowed
            FROM stock_on_hand k JOIN items i USING (item_id)
            WHERE i.is_cold_chain AND i.storage_temp_min_c IS NOT NULL
              AND k.snapshot_date = (SELECT max(snapshot_date) FROM stock_on_hand
                                     WHERE snapshot_date <= ?::DATE)
            GROUP BY ALL),
        r AS (
            SELECT t.logger_id, t.location_id, t.temperature_c,
                   least(coalesce(date_diff('minute', t.reading_time, lead(t.reading_time)
                         OVER (PARTITION BY t.logger_id ORDER BY t.reading_time)), 0), ?) AS minutes
            FROM temperature_readings t
            WHERE t.location_id IS NOT NULL AND t.reading_time <= ?::DATE + 1
              AND t.reading_time > ?::DATE - ?)
        SELECT r.logger_id, r.location_id, r.temperature_c, r.minutes, g.low, g.high, g.allowed
        FROM r JOIN ranges g USING (location_id) ORDER BY r.logger_id
        """,
        [day, MAX_READING_MINUTES, day, day, COLD_CHAIN_WINDOW_DAYS],
    ).df()
    if readings.empty:
        return []
    codes, loggers = pd.factorize(readings["logger_id"])
    first = readings.groupby(codes).first()
    minutes = rules.excursion_minutes(
        codes.astype(np.int64),
        readings["minutes"].to_numpy(dtype=np.float64),
        readings["temperature_c"].to_numpy(dtype=np.float64),
        first["low"].to_numpy(dtype=np.float64),
        first["high"].to_numpy(dtype=np.float64),
        len(loggers),
    )
    result = rules.cold_chain_excursion(minutes, first["allowed"].to_numpy(dtype=np.float64))
    return [
        candidate(
            rules.AlertKind.COLD_CHAIN_EXCURSION,
            f"logger={loggers.to_numpy()[g]}",
            result.severity[g],
            f"{minutes[g]:,.0f} minutes outside {first['low'].iloc[g]:g}–{first['high'].iloc[g]:g} °C "
            f"in the last {COLD_CHAIN_WINDOW_DAYS} days at {first['location_id'].iloc[g]} "
            f"(allowed {first['allowed'].iloc[g]:,.0f})",
            location_id=first["location_id"].iloc[g],
        )
        for g in np.flatnonzero(result.fires)
    ]


def _inspection(
    con: duckdb.DuckDBPyConnection, inputs: PlanningInputs, facts: SeriesFacts
) -> list[dict[str, object]]:
    held = con.execute(
        """
        SELECT k.item_id, k.location_id, sum(k.quantity) AS quantity
        FROM stock_on_hand k JOIN lots l USING (lot_id)
        WHERE k.snapshot_date = (SELECT max(snapshot_date) FROM stock_on_hand
                                 WHERE snapshot_date <= ?::DATE)
          AND (k.status IN ('quarantine', 'blocked', 'on_hold')
               OR l.inspection_status IN ('pending', 'failed'))
        GROUP BY ALL
        """,
        [inputs.as_of],
    ).df()
    blocked = per_series(inputs.series, held, "quantity")
    result = rules.inspection_block(blocked, facts.inventory_position, facts.reorder_point)
    out = []
    for r in np.flatnonzero(result.fires):
        s = inputs.series.iloc[r]
        out.append(
            candidate(
                rules.AlertKind.INSPECTION_BLOCK,
                f"{s['item_id']}@{s['location_id']}",
                result.severity[r],
                f"{blocked[r]:,.0f} units held by inspection or quarantine",
                item_id=s["item_id"],
                location_id=s["location_id"],
            )
        )
    return out


def _bias(
    inputs: PlanningInputs, thresholds: PlanThresholds, method: NDArray[np.object_]
) -> list[dict[str, object]]:
    """Bias of the one-step forecasts of the method each series was planned with."""
    weekly = np.nan_to_num(inputs.weekly_demand, nan=0.0)
    intermittent = np.isin(method, list(INTERMITTENT_METHODS))[:, None]
    fitted = np.where(intermittent, sba(weekly).fitted(), ses(weekly).fitted())
    judged = ~np.isin(method, list(UNJUDGED_METHODS))
    weeks = thresholds.forecast_bias_weeks
    signal = rules.tracking_signal(weekly, weeks, fitted=fitted)
    z = np.where(judged, rules.bias_z(weekly, weeks, fitted=fitted), np.nan)
    result = rules.forecast_bias(z, thresholds.bias_z_limit)
    active = inputs.series["is_active"].to_numpy(dtype=bool)
    out = []
    for r in np.flatnonzero(result.fires & active):
        s = inputs.series.iloc[r]
        direction = "under" if signal[r] > 0 else "over"
        out.append(
            candidate(
                rules.AlertKind.FORECAST_BIAS,
                f"{s['item_id']}@{s['location_id']}",
                result.severity[r],
                f"tracking signal {signal[r]:+.1f} over {thresholds.forecast_bias_weeks} weeks "
                f"({z[r]:+.1f} standard errors): the forecast {direction}-estimates demand",
                item_id=s["item_id"],
                location_id=s["location_id"],
            )
        )
    return out


_FRESHNESS = {
    "stock_on_hand": "SELECT max(snapshot_date) FROM stock_on_hand",
    "movements": "SELECT max(movement_date) FROM movements",
}


def _data_health(
    con: duckdb.DuckDBPyConnection, day: date, thresholds: PlanThresholds
) -> list[dict[str, object]]:
    sources = list(_FRESHNESS)
    latest = [(one(con.execute(sql)) or (None,))[0] for sql in _FRESHNESS.values()]
    lag = np.array([np.nan if d is None else (day - d).days for d in latest], dtype=np.float64)
    result = rules.stale_sources(lag, thresholds.stale_data_days)
    out = [
        candidate(
            rules.AlertKind.DATA_HEALTH,
            f"source={sources[i]}",
            result.severity[i],
            f"{sources[i]} is empty"
            if np.isnan(lag[i])
            else f"latest {sources[i]} record is {lag[i]:.0f} days older than the planning day",
        )
        for i in np.flatnonzero(result.fires)
    ]
    if has_table(con, "item_supplier"):
        row = one(con.execute("SELECT count(*) FROM item_supplier WHERE unit_price <= 0"))
        if row and row[0]:
            out.append(
                candidate(
                    rules.AlertKind.DATA_HEALTH,
                    "item_supplier.unit_price",
                    rules.Severity.MEDIUM,
                    f"{row[0]} sourcing terms have no positive unit price",
                )
            )
    return out
