"""Supplier scorecards, grade history and lead-time statistics read from the store.

SQL gathers row-level arrays (receipts with their purchase-order line, order lines due,
inspections, monitored inbound shipments with their cold-chain verdict, purchase prices) over a
trailing window; :mod:`replenlib.supply` does the arithmetic. A *period* index turns the same
rows into a grade history (supplier × quarter) for the trend.

Conventions: the on-time window is judged per receipt against its line's confirmed date; the
lead time is order date → first receipt of the line [days]; an order line is *due* when its
confirmed date has passed and it was not cancelled; a monitored shipment is an inbound shipment
with a logger whose record was evaluated (``cold_chain_exposures``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date

import duckdb
import numpy as np
import pandas as pd

from replenlib.supply.lead_time import lead_time_statistics, policy_lead_time
from replenlib.supply.scorecard import (
    GradeThresholds,
    InspectionRows,
    LineRows,
    PurchaseRows,
    ReceiptRows,
    ScoreWeights,
    ShipmentRows,
    SupplierMetrics,
    grade_fell,
    score_suppliers,
    score_trend,
    supplier_metrics,
)


@dataclass(frozen=True)
class ScorecardSettings:
    """Parameters of the supplier scorecard.

    Attributes
    ----------
    window_days : trailing window of the current scorecard [days]
    late_days : days after the confirmed date still on time [days]
    early_days : days before it still on time; None = any early delivery is on time [days]
    period_days : length of one period of the grade history [days]
    periods : periods in the grade history (the last one ends on the as-of day)
    weights, thresholds : see :mod:`replenlib.supply.scorecard`
    """

    window_days: int = 365
    late_days: int = 2
    early_days: int | None = None
    period_days: int = 91
    periods: int = 8
    weights: ScoreWeights = field(default_factory=ScoreWeights)
    thresholds: GradeThresholds = field(default_factory=GradeThresholds)


_SUPPLIERS_SQL = """
SELECT s.supplier_id, s.name, s.country, s.is_domestic, s.qualification_status,
       s.qualified_until,
       (s.qualification_status = 'blocked' OR EXISTS (
            SELECT 1 FROM supplier_blocks b
            WHERE b.supplier_id = s.supplier_id AND b.item_id IS NULL AND b.released_at IS NULL
       )) AS blocked
FROM suppliers s ORDER BY s.supplier_id
"""

_ROWS_SQL = {
    "receipts": """
        WITH first AS (SELECT po_id, po_line, min(receipt_date) AS first_receipt,
                              arg_min(receipt_id, (receipt_date, receipt_id)) AS first_id
                       FROM receipts GROUP BY ALL)
        SELECT p.supplier_id AS key, date_diff('day', DATE '1970-01-01', r.receipt_date) AS day,
               date_diff('day', DATE '1970-01-01', p.confirmed_date) AS confirmed_day,
               CASE WHEN r.receipt_id = f.first_id
                    THEN date_diff('day', p.order_date, f.first_receipt) END AS lead_days,
               r.receipt_id = f.first_id AS is_first
        FROM receipts r JOIN purchase_orders p USING (po_id, po_line)
        JOIN first f USING (po_id, po_line)
        WHERE r.receipt_date BETWEEN $start AND $as_of
        """,
    "lines": """
        SELECT supplier_id AS key, date_diff('day', DATE '1970-01-01', confirmed_date) AS day,
               quantity AS ordered, quantity_received AS received
        FROM purchase_orders
        WHERE status <> 'cancelled' AND confirmed_date BETWEEN $start AND $as_of
        """,
    "inspections": """
        SELECT l.supplier_id AS key, date_diff('day', DATE '1970-01-01', i.inspection_date) AS day,
               i.result = 'passed' AS passed
        FROM inspections i JOIN lots l USING (lot_id)
        WHERE i.inspection_date BETWEEN $start AND $as_of
        QUALIFY row_number() OVER (PARTITION BY i.lot_id
                                   ORDER BY i.inspection_date DESC, i.inspection_id DESC) = 1
        """,
    "shipments": """
        SELECT {key} AS key, date_diff('day', DATE '1970-01-01', s.arrival_date) AS day,
               bool_or(e.exposure = 'excursion') AS excursion,
               bool_or(e.exposure = 'unknown') AND NOT bool_or(e.exposure = 'excursion')
                   AS unknown
        FROM shipments s JOIN cold_chain_exposures e ON e.shipment_id = s.shipment_id
        WHERE s.arrival_date BETWEEN $start AND $as_of {where}
        GROUP BY s.shipment_id, {key}, s.arrival_date
        """,
    "purchases": """
        WITH reference AS (SELECT item_id, min(unit_price) AS price FROM item_supplier GROUP BY 1)
        SELECT p.supplier_id AS key, date_diff('day', DATE '1970-01-01', p.order_date) AS day,
               p.quantity, p.unit_price AS price, coalesce(r.price, p.unit_price) AS reference
        FROM purchase_orders p LEFT JOIN reference r USING (item_id)
        WHERE p.status <> 'cancelled' AND p.order_date BETWEEN $start AND $as_of
        """,
}


def _rows(
    con: duckdb.DuckDBPyConnection, name: str, start: date, as_of: date, carrier: bool = False
) -> pd.DataFrame:
    sql = _ROWS_SQL[name]
    if name == "shipments":
        key = "s.carrier" if carrier else "s.supplier_id"
        sql = sql.format(key=key, where="" if carrier else "AND s.kind = 'inbound'")
    return con.execute(sql, {"start": start, "as_of": as_of}).df()


def _metrics_for(
    frames: dict[str, pd.DataFrame],
    keys: pd.Index,
    period: dict[str, np.ndarray] | None,
    n_periods: int,
    settings: ScorecardSettings,
) -> pd.DataFrame:
    """Scorecard per key (× period when ``period`` gives each row's period index)."""

    def group(name: str) -> np.ndarray:
        code = keys.get_indexer(pd.Index(frames[name]["key"])).astype(np.int64)
        return code if period is None else code * n_periods + period[name]

    keep = {n: keys.get_indexer(pd.Index(f["key"])) >= 0 for n, f in frames.items()}
    frames = {n: f[keep[n]].reset_index(drop=True) for n, f in frames.items()}
    if period is not None:
        period = {n: p[keep[n]] for n, p in period.items()}
    r, ln, i, s, p = (
        frames[n] for n in ("receipts", "lines", "inspections", "shipments", "purchases")
    )
    n_groups = len(keys) * (1 if period is None else n_periods)
    metrics = supplier_metrics(
        n_groups,
        receipts=ReceiptRows(
            group("receipts"),
            r["day"].to_numpy(np.int64),
            r["confirmed_day"].to_numpy(np.int64),
            r["lead_days"].to_numpy(np.float64),
        ),
        lines=LineRows(
            group("lines"), ln["ordered"].to_numpy(np.float64), ln["received"].to_numpy(np.float64)
        ),
        inspections=InspectionRows(group("inspections"), i["passed"].to_numpy(bool)),
        shipments=ShipmentRows(
            group("shipments"), s["excursion"].to_numpy(bool), s["unknown"].to_numpy(bool)
        ),
        purchases=PurchaseRows(
            group("purchases"),
            p["quantity"].to_numpy(np.float64),
            p["price"].to_numpy(np.float64),
            p["reference"].to_numpy(np.float64),
        ),
        late_days=settings.late_days,
        early_days=settings.early_days,
    )
    card = score_suppliers(metrics, settings.weights, settings.thresholds)
    table = pd.DataFrame({f.name: getattr(metrics, f.name) for f in fields(metrics)})
    return table.assign(score=card.score, grade=card.grade)


def supplier_scorecard(
    con: duckdb.DuckDBPyConnection, as_of: date, settings: ScorecardSettings | None = None
) -> pd.DataFrame:
    """One row per supplier: metrics, score, grade, previous period's grade and trend."""
    cfg = settings or ScorecardSettings()
    suppliers = con.execute(_SUPPLIERS_SQL).df()
    keys = pd.Index(suppliers["supplier_id"])
    start = date.fromordinal(as_of.toordinal() - cfg.window_days + 1)
    frames = {n: _rows(con, n, start, as_of) for n in _ROWS_SQL}
    current = _metrics_for(frames, keys, None, 1, cfg)
    lead = frames["receipts"][frames["receipts"]["is_first"]]
    stats = lead_time_statistics(lead["lead_days"], keys.get_indexer(lead["key"]), len(keys))
    history = grade_history(con, as_of, cfg, suppliers=keys)
    wide = history.pivot(index="supplier_id", columns="period", values="score").reindex(keys)
    grades = history.pivot(index="supplier_id", columns="period", values="grade").reindex(keys)
    previous = grades.iloc[:, -2].fillna("-").to_numpy(dtype=object)
    out = suppliers.join(current.drop(columns=["lead_time_mean"]))
    return out.assign(
        lead_time_mean=stats.mean,
        lead_time_std=stats.std,
        lead_time_p90=stats.p90,
        lead_time_fit=stats.best_fit,
        grade_previous=previous,
        grade_fell=grade_fell(out["grade"].to_numpy(dtype=object), previous),
        trend=score_trend(wide.to_numpy(dtype=np.float64)),
    )


def grade_history(
    con: duckdb.DuckDBPyConnection,
    as_of: date,
    settings: ScorecardSettings | None = None,
    *,
    carrier: bool = False,
    suppliers: pd.Index | None = None,
) -> pd.DataFrame:
    """Long frame: supplier_id (or carrier), period (0 = oldest), period_end, score, grade."""
    cfg = settings or ScorecardSettings()
    n = cfg.periods
    start = date.fromordinal(as_of.toordinal() - n * cfg.period_days + 1)
    frames = {name: _rows(con, name, start, as_of, carrier) for name in _ROWS_SQL}
    if suppliers is None:
        suppliers = pd.Index(sorted(set().union(*(set(f["key"]) for f in frames.values()))))
    last = (as_of - date(1970, 1, 1)).days
    period = {
        name: (n - 1 - (last - f["day"].to_numpy(np.int64)) // cfg.period_days).astype(np.int64)
        for name, f in frames.items()
    }
    table = _metrics_for(frames, suppliers, period, n, cfg)
    ends = [date.fromordinal(as_of.toordinal() - (n - 1 - p) * cfg.period_days) for p in range(n)]
    return table.assign(
        supplier_id=np.repeat(suppliers.to_numpy(), n),
        period=np.tile(np.arange(n), len(suppliers)),
        period_end=np.tile(np.array(ends, dtype="datetime64[D]"), len(suppliers)),
    )


def carrier_scorecard(
    con: duckdb.DuckDBPyConnection, as_of: date, window_days: int = 365
) -> pd.DataFrame:
    """Cold-chain record of every carrier: monitored shipments, excursion and unknown rates."""
    start = date.fromordinal(as_of.toordinal() - window_days + 1)
    rows = _rows(con, "shipments", start, as_of, carrier=True)
    return (
        rows.groupby("key", as_index=False)
        .agg(
            shipments=("day", "size"),
            excursion_rate=("excursion", "mean"),
            unknown_rate=("unknown", "mean"),
        )
        .rename(columns={"key": "carrier"})
        .sort_values("excursion_rate", ascending=False, ignore_index=True)
    )


_LEAD_TIME_SQL = """
WITH first AS (SELECT po_id, po_line, min(receipt_date) AS first_receipt FROM receipts
               WHERE receipt_date BETWEEN $start AND $as_of GROUP BY ALL)
SELECT p.item_id, p.supplier_id, date_diff('day', p.order_date, f.first_receipt) AS lead_days
FROM purchase_orders p JOIN first f USING (po_id, po_line)
"""


def lead_time_table(
    con: duckdb.DuckDBPyConnection, as_of: date, window_days: int = 730, kappa: float = 5.0
) -> pd.DataFrame:
    """Per item-supplier of ``item_supplier``: observed statistics and the policy lead time.

    Columns: item_id, supplier_id, quoted_lead_time_days, n, mean, std, p50, p90, p95,
    best_fit, gamma_shape, gamma_scale, lognormal_mu, lognormal_sigma, supplier_n,
    supplier_mean, supplier_std, policy_mean, policy_std, source, credibility.
    """
    start = date.fromordinal(as_of.toordinal() - window_days + 1)
    obs = con.execute(_LEAD_TIME_SQL, {"start": start, "as_of": as_of}).df()
    pairs = con.execute(
        "SELECT item_id, supplier_id, quoted_lead_time_days FROM item_supplier ORDER BY ALL"
    ).df()
    pair_keys = pd.MultiIndex.from_frame(pairs[["item_id", "supplier_id"]])
    code = pair_keys.get_indexer(pd.MultiIndex.from_frame(obs[["item_id", "supplier_id"]]))
    known = code >= 0
    pair = lead_time_statistics(
        obs["lead_days"].to_numpy(np.float64)[known], code[known], len(pairs)
    )
    suppliers = pd.Index(sorted(set(pairs["supplier_id"])))
    sup = lead_time_statistics(
        obs["lead_days"], suppliers.get_indexer(obs["supplier_id"]), len(suppliers)
    )
    s_code = suppliers.get_indexer(pairs["supplier_id"])
    policy = policy_lead_time(
        pair_n=pair.n,
        pair_mean=pair.mean,
        pair_var=pair.var,
        supplier_n=sup.n[s_code],
        supplier_mean=sup.mean[s_code],
        supplier_var=sup.var[s_code],
        quoted=pairs["quoted_lead_time_days"].to_numpy(np.float64),
        kappa=kappa,
    )
    columns = (
        "n",
        "mean",
        "p50",
        "p90",
        "p95",
        "best_fit",
        "gamma_shape",
        "gamma_scale",
        "lognormal_mu",
        "lognormal_sigma",
    )
    return pairs.assign(
        **{c: getattr(pair, c) for c in columns},
        std=pair.std,
        supplier_n=sup.n[s_code],
        supplier_mean=sup.mean[s_code],
        supplier_std=sup.std[s_code],
        policy_mean=policy.mean,
        policy_std=policy.std,
        source=policy.source,
        credibility=policy.credibility,
    )


def lead_time_observations(
    con: duckdb.DuckDBPyConnection, as_of: date, window_days: int = 730
) -> pd.DataFrame:
    """Every observed lead time (item_id, supplier_id, lead_days) in the window, for charts."""
    start = date.fromordinal(as_of.toordinal() - window_days + 1)
    return con.execute(_LEAD_TIME_SQL, {"start": start, "as_of": as_of}).df()


def network_metrics(
    con: duckdb.DuckDBPyConnection, as_of: date, settings: ScorecardSettings | None = None
) -> SupplierMetrics:
    """The scorecard metrics over all suppliers together (one group), for the run's KPIs."""
    cfg = settings or ScorecardSettings()
    start = date.fromordinal(as_of.toordinal() - cfg.window_days + 1)
    frames = {n: _rows(con, n, start, as_of).assign(key="all") for n in _ROWS_SQL}
    table = _metrics_for(frames, pd.Index(["all"]), None, 1, cfg)
    return SupplierMetrics(
        **{f.name: table[f.name].to_numpy(np.float64) for f in fields(SupplierMetrics)}
    )
