"""The nightly run's supply and traceability stage: what the plan needs from suppliers and lots.

* :func:`refresh_supply_state` (before planning, inside the run's writer): evaluate new
  cold-chain records, hold the lots they exposed, and rebuild the trace index when the movement
  log changed.
* :func:`series_supply` (while reading inputs): per item-location, the sourcing decision (which
  supplier and why), the lead time handed to the policy (credibility-blended statistics of the
  chosen item-supplier) and the stock by lot status, whose approved part is usable stock — so
  held, excursion, recalled, pending or expired stock lowers the inventory position and
  re-triggers replenishment.
* :func:`supply_kpi_rows`: the supply KPIs of the run (grades, fill, excursions, expiry risk).
* :func:`recall_replenishment`: right after a quarantine, the replenishment need of every
  affected item-location and the supplier (backup where the recalled one is blocked).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import duckdb
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from replenlib.kpi import definitions as k
from replenlib.store.coldchain_data import evaluate_cold_chain, hold_exposed_lots
from replenlib.store.duck import register
from replenlib.store.lot_state import echelon_rates, expiry_risk_frame, lot_stock, stock_by_series
from replenlib.store.sourcing_data import sourcing_candidates, sourcing_decisions
from replenlib.store.supplier_data import lead_time_table, network_metrics, supplier_scorecard
from replenlib.store.trace_index import build_trace_index, index_is_fresh
from replenlib.supply.lead_time import DEFAULT_LEAD_TIME_CV
from replenlib.trace.lots import StockByStatus
from replenlib.trace.recall import replenishment_need

log = logging.getLogger(__name__)

StepCallback = Callable[[str], None]

_NONE = np.array(None, dtype=object)


@dataclass(frozen=True)
class SupplyRefresh:
    """What :func:`refresh_supply_state` did."""

    records_evaluated: int
    excursions: int
    holds_placed: int
    index_rebuilt: bool


def refresh_supply_state(
    con: duckdb.DuckDBPyConnection, as_of: date, on_step: StepCallback | None = None
) -> SupplyRefresh:
    """Cold-chain verdicts and holds, then the trace index (see the module docstring)."""
    step = on_step or (lambda text: log.info("supply: %s", text))
    step("cold chain: evaluating new logger records")
    verdicts = evaluate_cold_chain(con, as_of)
    holds = hold_exposed_lots(con, as_of)
    rebuilt = not index_is_fresh(con)
    if rebuilt:
        step("trace index: rebuilding from the movement log")
        build_trace_index(con)
    return SupplyRefresh(
        records_evaluated=len(verdicts),
        excursions=int((verdicts["exposure"] == "excursion").sum()) if len(verdicts) else 0,
        holds_placed=len(holds),
        index_rebuilt=rebuilt,
    )


@dataclass(frozen=True)
class SeriesSupply:
    """Supply inputs aligned to the planning series.

    Attributes
    ----------
    series : the series frame with supplier_id, unit_price, moq, order_multiple,
        quoted_lead_time_days, supplier_grade, supplier_reason and supplier_switch columns
        (supplier columns empty for transfers)
    stock : quantity per lot status per series
    lead_time_mean, lead_time_std : purchase lead time per series (NaN for transfers) [days]
    lead_time_source : where the purchase lead time comes from (observed/supplier/quoted)
    """

    series: pd.DataFrame
    stock: StockByStatus
    lead_time_mean: NDArray[np.float64]
    lead_time_std: NDArray[np.float64]
    lead_time_source: NDArray[np.object_]

    @property
    def usable_on_hand(self) -> NDArray[np.float64]:
        """Approved stock per series [units]."""
        return self.stock.usable


_SOURCING_COLUMNS = ("supplier_id", "unit_price", "moq", "order_multiple", "quoted_lead_time_days")


def series_supply(
    con: duckdb.DuckDBPyConnection, series: pd.DataFrame, as_of: date
) -> SeriesSupply:
    """Sourcing, lead times and stock by lot status for every series (module docstring)."""
    card = supplier_scorecard(con, as_of).set_index("supplier_id")
    decisions = sourcing_decisions(
        sourcing_candidates(con, as_of, card["grade"]), card["grade_fell"]
    ).set_index("item_id")
    bought = series["source_location_id"].isna().to_numpy()
    chosen = decisions.reindex(series["item_id"])
    out = series.drop(columns=[c for c in _SOURCING_COLUMNS if c in series.columns])
    for column in _SOURCING_COLUMNS:
        out[column] = np.where(bought, chosen[column].to_numpy(dtype=object), _NONE)
    cost = series["unit_cost"].to_numpy(np.float64)
    out["unit_price"] = np.where(bought, chosen["unit_price"].to_numpy(np.float64), cost)
    for column in ("moq", "order_multiple"):  # no eligible supplier: order in units
        out[column] = np.where(bought, chosen[column].fillna(1.0).to_numpy(np.float64), 1.0)
    out["unit_price"] = out["unit_price"].fillna(pd.Series(cost, index=out.index))
    out["supplier_grade"] = np.where(bought, chosen["grade"].to_numpy(dtype=object), _NONE)
    out["supplier_reason"] = np.where(
        bought,
        chosen["sourcing_text"].to_numpy(dtype=object),
        "transfer from " + series["source_location_id"].fillna(""),
    )
    out["supplier_switch"] = np.where(
        bought, chosen["switch_suggestion"].to_numpy(dtype=object), ""
    )
    lead = _purchase_lead_times(con, out, as_of, decisions)
    stock = stock_by_series(lot_stock(con, as_of), out)
    return SeriesSupply(out, stock, *lead)


def _purchase_lead_times(
    con: duckdb.DuckDBPyConnection, series: pd.DataFrame, as_of: date, decisions: pd.DataFrame
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.object_]]:
    """Policy lead time of each purchased series' chosen item-supplier."""
    table = lead_time_table(con, as_of).set_index(["item_id", "supplier_id"])
    keys = pd.MultiIndex.from_frame(series[["item_id", "supplier_id"]].fillna(""))
    picked = table.reindex(keys)
    primary = decisions["quoted_lead_time_days"].reindex(series["item_id"]).to_numpy(np.float64)
    quoted = np.where(
        np.isnan(picked["quoted_lead_time_days"].to_numpy(np.float64)),
        primary,
        picked["quoted_lead_time_days"].to_numpy(np.float64),
    )
    bought = series["source_location_id"].isna().to_numpy()
    policy_mean = picked["policy_mean"].to_numpy(np.float64)
    policy_std = picked["policy_std"].to_numpy(np.float64)
    mean = np.where(np.isnan(policy_mean), quoted, policy_mean)
    std = np.where(np.isnan(policy_std), DEFAULT_LEAD_TIME_CV * quoted, policy_std)
    source = picked["source"].fillna("quoted").to_numpy(dtype=object)
    return (
        np.where(bought, mean, np.nan),
        np.where(bought, std, np.nan),
        np.asarray(np.where(bought, source, _NONE), dtype=np.object_),
    )


def supply_kpi_rows(
    con: duckdb.DuckDBPyConnection, as_of: date, forecasts: pd.DataFrame
) -> list[tuple[str, str, float]]:
    """Supply and traceability KPIs of a run: (kpi, scope, value) rows.

    ``forecasts`` has item_id, location_id and mean_daily [units/day] (the run's forecasts).
    """
    card = supplier_scorecard(con, as_of)
    network = network_metrics(con, as_of)
    lots = lot_stock(con, as_of)
    risk = expiry_risk_frame(lots, echelon_rates(con, forecasts), as_of)
    unusable = lots[~lots["usable"]]
    rows = [
        ("supplier_grade_ab_share", "all", k.supplier_grade_ab_share(card["grade"])),
        ("quantity_fill_rate", "all", float(network.quantity_fill_rate[0])),
        ("cold_chain_excursion_rate", "all", float(network.excursion_rate[0])),
        ("expiry_value_at_risk", "all", k.expiry_value_at_risk(risk["at_risk"], risk["unit_cost"])),
        (
            "unusable_stock_value",
            "all",
            float((unusable["quantity"] * unusable["unit_cost"]).sum()),
        ),
    ]
    rows.extend(
        ("supplier_grade_ab_share", f"grade={grade}", float((card["grade"] == grade).mean()))
        for grade in ("A", "B", "C", "D", "-")
    )
    return rows


def _weighted(card: pd.DataFrame, rate: str, count: str) -> float:
    """Rate over all suppliers, each weighted by its number of observations."""
    known = card[rate].notna() & (card[count] > 0)
    total = float(card.loc[known, count].sum())
    return (
        float((card.loc[known, rate] * card.loc[known, count]).sum() / total)
        if total
        else (float("nan"))
    )


_POSITION_SQL = """
WITH latest AS (SELECT max(started_at) AS t FROM runs),
run AS (SELECT run_id FROM runs, latest WHERE started_at = latest.t),
orders AS (
    SELECT item_id, location_id, sum(quantity - quantity_received) AS on_order
    FROM purchase_orders WHERE status = 'open' GROUP BY ALL
)
SELECT q.item_id, q.location_id, q.quantity AS quarantined, p.reorder_point, p.order_up_to,
       p.source_location_id, coalesce(o.on_order, 0) AS on_order
FROM _quarantined q
LEFT JOIN policy_parameters p ON p.run_id = (SELECT run_id FROM run)
     AND p.item_id = q.item_id AND p.location_id = q.location_id
LEFT JOIN orders o ON o.item_id = q.item_id AND o.location_id = q.location_id
ORDER BY q.item_id, q.location_id
"""


def recall_replenishment(
    con: duckdb.DuckDBPyConnection, quarantined: pd.DataFrame, as_of: date
) -> pd.DataFrame:
    """Replenishment need right after a quarantine, per affected item-location.

    ``quarantined`` has item_id, location_id and quantity [units] (from
    :func:`replenlib.store.recall_actions.quarantine_recall`). Reorder point and order-up-to
    level come from the latest run; the position is usable stock now plus open orders; the
    supplier is the sourcing choice now (the backup where the recalled supplier is blocked).
    """
    register(con, "_quarantined", quarantined[["item_id", "location_id", "quantity"]])
    try:
        frame = con.execute(_POSITION_SQL).df()
    finally:
        con.unregister("_quarantined")
    stock = stock_by_series(lot_stock(con, as_of), frame)
    after = stock.usable + frame["on_order"].to_numpy(np.float64)
    before = after + frame["quarantined"].to_numpy(np.float64)
    need = replenishment_need(
        frame["quarantined"], before, frame["reorder_point"], frame["order_up_to"]
    )
    card = supplier_scorecard(con, as_of).set_index("supplier_id")
    decisions = (
        sourcing_decisions(sourcing_candidates(con, as_of, card["grade"]), card["grade_fell"])
        .set_index("item_id")
        .reindex(frame["item_id"])
    )
    transfer = frame["source_location_id"].notna().to_numpy()
    return frame.assign(
        position_before=before,
        position_after=after,
        need=np.nan_to_num(need),
        supplier_id=np.where(transfer, _NONE, decisions["supplier_id"].to_numpy(dtype=object)),
        sourcing=np.where(
            transfer,
            "transfer from " + frame["source_location_id"].fillna(""),
            decisions["sourcing_text"].to_numpy(dtype=object),
        ),
    )
