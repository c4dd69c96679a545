"""Reading the base of the scenarios from the store, as arrays aligned to the series.

The series, their weekly demand, shelf life and supplier terms come from the nightly run's
reader (:func:`replenlib.pipeline.inputs.read_planning_inputs`); this module adds what the
simulation needs beyond that:

* daily demand history (the simulated demand is bootstrapped from its last
  ``history_days`` days, or fitted to the forecast; the replay uses all of it);
* lead-time distributions per **source**: a supplier's observed order-to-receipt days
  (all its items pooled; the quoted lead time with a 25 % coefficient of variation when fewer
  than three were observed), or a transfer lane's observed dispatch-to-arrival days (else
  its nominal days); domestic suppliers and transfers deliver in order, imports may cross;
* the backup supplier of each item (the next-priority qualified one) and its terms;
* today's ERP reorder point and order quantity, and whether unmet demand is lost
  (substitutable items) or backordered;
* the demand stage of the nightly run (:func:`replenlib.pipeline.demand_stage.run_demand_stage`:
  segments, the forecast method chosen by backtest, lead-time demand distributions), run on
  the demand each series faces;
* the current strategy (the newest policy version; the default when there is none),
  resolved per series from the same segment attributes as the nightly run (item master and
  the demand stage's ABC, XYZ, class and lifecycle).

Simplification: each item-location is simulated on its own with its replenishment lead
time, as if its source always had stock (single-echelon view of the network). A stock point
that replenishes others faces its customers' demand **plus the transfers it shipped** to its
downstream stock points (or, without recorded transfers, their demand:
:func:`echelon_demand`) — for the simulated demand, the forecast its policy is planned on and
the replay alike (the ERP's settings for such points are sized on echelon demand too).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import duckdb
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from replenlib.demand.panel import PanelDemandForecast
from replenlib.pipeline.demand_stage import DemandStage, run_demand_stage
from replenlib.pipeline.inputs import (
    MIN_LEAD_TIME_OBSERVATIONS,
    PlanningInputs,
    read_planning_inputs,
)
from replenlib.pipeline.policy_inputs import read_policy_inputs
from replenlib.policy.ddmrp import average_daily_usage
from replenlib.policy.expiry import AGE_AT_RECEIPT_DAYS
from replenlib.policy.panel import family_for_demand_class
from replenlib.policy.service import CycleDemand
from replenlib.policy.strategy import SegmentAttributes, Strategy, resolve
from replenlib.scenario.base import ScenarioBase
from replenlib.scenario.definition import DemandSource
from replenlib.sim.demand import BlockBootstrap, DemandModel, SizeFamily
from replenlib.sim.supply import LeadTimeModel
from replenlib.supply.lead_time import DEFAULT_LEAD_TIME_CV

DAYS_PER_WEEK = 7.0
#: Days per block of the demand bootstrap [days].
BLOCK_DAYS = 28
#: Weeks of history in the past average daily usage of DDMRP rows (as the nightly run).
ADU_PAST_WEEKS = 4
#: Lead-time observations kept per source (the most recent) [orders].
MAX_OBSERVATIONS = 400
#: Standard deviation of a transfer lane's lead time when none was observed [days].
TRANSFER_STD_DAYS = 0.5


@dataclass(frozen=True)
class StoreBase:
    """The scenario base plus what the pipeline needs around it."""

    base: ScenarioBase
    as_of: date
    history: NDArray[np.float64]  #: all daily demand, series × days, oldest first [units]
    series: pd.DataFrame  #: item_id, location_id, tier, category, supplier_id, ...


def read_scenario_base(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: date | None = None,
    demand: DemandSource = DemandSource.BOOTSTRAP,
    history_days: int = 365,
) -> StoreBase:
    """Read the base of every scenario from the store (see the module docstring)."""
    inputs = read_planning_inputs(con, as_of)
    series = inputs.series
    history, customer = _daily_history(con, inputs)
    weekly = weekly_buckets(history, inputs.weekly_demand.shape[1])
    active = series["is_active"].to_numpy(dtype=bool)
    stage = run_demand_stage(con, replace(inputs, weekly_demand=weekly))
    forecast = stage.forecast
    mean = np.where(active, forecast.mean / DAYS_PER_WEEK, 0.0)
    std = np.where(active, forecast.std / np.sqrt(DAYS_PER_WEEK), 0.0)
    recent = np.where(active[:, None], history[:, -history_days:], 0.0)
    faced = recent.sum(axis=1)
    share = np.where(
        faced > 0, customer[:, -history_days:].sum(axis=1) / np.maximum(faced, 1e-12), 1.0
    )
    model = _demand_model(recent, mean, std, demand)
    names, lead_times, sequential, source = _sources(con, inputs)
    backup = _backups(con, series, names)
    erp = _erp_settings(con, series)
    strategy = read_strategy(con)
    substitutable = read_policy_inputs(con, series, inputs.as_of).is_substitutable
    attributes = stage.segment_attributes(
        _segment_attributes(series, forecast, substitutable, active), active
    )
    resolved = resolve(strategy, attributes)
    shelf = series["shelf_life_days"].to_numpy(dtype=np.float64, na_value=np.nan)
    minimum = series["min_remaining_shelf_life_days"].to_numpy(dtype=np.float64, na_value=0.0)
    past = weekly[:, -ADU_PAST_WEEKS:] / DAYS_PER_WEEK
    adu = average_daily_usage(past, mean[:, None], resolved.ddmrp_past_weight)
    base = ScenarioBase(
        item_id=series["item_id"].to_numpy(dtype=object),
        location_id=series["location_id"].to_numpy(dtype=object),
        resolved=resolved,
        category=series["category"].to_numpy(dtype=object),
        supplier_id=series["supplier_id"].to_numpy(dtype=object),
        backup_supplier_id=backup["supplier_id"].to_numpy(dtype=object),
        unit_cost=series["unit_cost"].to_numpy(dtype=np.float64),
        demand=model,
        forecast_mean=mean,
        forecast_std=std,
        demand_family=family_for_demand_class(forecast.segmentation.demand_class),
        adu=np.where(mean > 0, adu, 0.0),
        source_names=names,
        lead_times=lead_times,
        source_sequential=sequential,
        source=source,
        backup_source=backup["source"].to_numpy(dtype=np.int64),
        moq=series["moq"].to_numpy(dtype=np.float64),
        order_multiple=series["order_multiple"].to_numpy(dtype=np.float64),
        backup_moq=backup["moq"].to_numpy(dtype=np.float64),
        backup_order_multiple=backup["order_multiple"].to_numpy(dtype=np.float64),
        usable_days=shelf - AGE_AT_RECEIPT_DAYS - minimum,
        lost_sales=np.ones(len(series), dtype=bool),
        erp_reorder_point=erp["erp_reorder_point"].to_numpy(dtype=np.float64),
        erp_order_quantity=erp["erp_order_quantity"].to_numpy(dtype=np.float64),
        strategy=strategy,
        customer_share=share,
        cycle_demand=_StageCycleDemand(stage, active),
    )
    frame = series[["item_id", "location_id", "category", "supplier_id", "unit_cost"]].assign(
        tier=resolved.tier.astype(str)
    )
    return StoreBase(base, inputs.as_of, history, frame)


def parent_rows(series: pd.DataFrame) -> NDArray[np.int64]:
    """Row of the series that replenishes each series (same item, source location); −1 = none."""
    index = {
        (i, loc): k
        for k, (i, loc) in enumerate(zip(series["item_id"], series["location_id"], strict=True))
    }
    return np.asarray(
        [
            index.get((i, src), -1) if isinstance(src, str) else -1
            for i, src in zip(series["item_id"], series["source_location_id"], strict=True)
        ],
        dtype=np.int64,
    )


def echelon_demand(history: NDArray[np.float64], parent: NDArray[np.int64]) -> NDArray[np.float64]:
    """Own demand plus the demand of every series downstream (series × days).

    A stock point that replenishes others sees their demand too; in this single-echelon view
    it sees it as it arises (not lumped into the children's orders), which is the echelon
    demand its ERP settings and its policy are sized on.
    """
    depth = np.zeros(len(parent), dtype=np.int64)
    for _ in range(len(parent)):
        new = np.where(parent >= 0, depth[np.maximum(parent, 0)] + 1, 0)
        if np.array_equal(new, depth):
            break
        depth = new
    echelon = history.copy()
    for level in range(int(depth.max(initial=0)), 0, -1):
        rows = np.flatnonzero(depth == level)
        np.add.at(echelon, parent[rows], echelon[rows])
    return echelon


def weekly_buckets(daily: NDArray[np.float64], weeks: int) -> NDArray[np.float64]:
    """Weekly sums of the last ``weeks`` whole weeks ending on the last day (older weeks 0)."""
    n_days = min(daily.shape[1], weeks * 7)
    tail = np.zeros((len(daily), weeks * 7))
    tail[:, weeks * 7 - n_days :] = daily[:, daily.shape[1] - n_days :]
    return np.asarray(tail.reshape(len(daily), weeks, 7).sum(axis=2), dtype=np.float64)


def _segment_attributes(
    series: pd.DataFrame,
    forecast: PanelDemandForecast,
    substitutable: NDArray[np.bool_],
    active: NDArray[np.bool_],
) -> SegmentAttributes:
    """The attributes the nightly run segments on (same derivation of lifecycle: end of life
    from the item master, 'new' from the demand class, 'mature' otherwise)."""
    demand_class = forecast.segmentation.demand_class.astype(object)
    lifecycle = np.where(~active, "end_of_life", np.where(demand_class == "new", "new", "mature"))
    return SegmentAttributes(
        item_id=series["item_id"].to_numpy(dtype=object),
        location_id=series["location_id"].to_numpy(dtype=object),
        criticality=series["criticality"].to_numpy(dtype=object),
        risk_class=series["risk_class"].to_numpy(dtype=object),
        is_cold_chain=series["is_cold_chain"].to_numpy(dtype=bool),
        is_substitutable=substitutable,
        demand_class=demand_class,
        lifecycle=lifecycle.astype(object),
    )


@dataclass(frozen=True)
class _StageCycleDemand:
    """The demand stage's cycle demand for given lead times and review periods."""

    stage: DemandStage
    active: NDArray[np.bool_]

    def __call__(
        self,
        lead_time_mean: NDArray[np.float64],
        lead_time_std: NDArray[np.float64],
        review_period: NDArray[np.float64],
    ) -> CycleDemand:
        return self.stage.cycle_demand(lead_time_mean, lead_time_std, review_period, self.active)


def read_strategy(con: duckdb.DuckDBPyConnection) -> Strategy:
    """The newest policy version's strategy, or the default (read-only)."""
    rows = con.execute(
        "SELECT body FROM policy_versions ORDER BY version_id DESC LIMIT 1"
    ).fetchall()
    return Strategy.from_json(rows[0][0]) if rows else Strategy()


def _demand_model(
    recent: NDArray[np.float64],
    mean: NDArray[np.float64],
    std: NDArray[np.float64],
    source: DemandSource,
) -> DemandModel | BlockBootstrap:
    if source is DemandSource.BOOTSTRAP:
        return BlockBootstrap(np.ascontiguousarray(recent), BLOCK_DAYS)
    occurrence = np.mean(recent > 0, axis=1)
    return DemandModel.from_moments(
        mean, std, np.maximum(occurrence, 1e-3), SizeFamily.GAMMA, whole_units=True
    )


def _daily_history(
    con: duckdb.DuckDBPyConnection, inputs: PlanningInputs
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Demand each series faced per day up to the planning day, and its customers' part
    (both series × days).

    Requested customer quantity plus, for a stock point that replenishes others, what it
    shipped to them (transfer movements). Without any recorded transfer the downstream
    series' demand is added instead (:func:`echelon_demand`).
    """
    first = con.execute("SELECT min(demand_date) FROM demand_history").fetchall()
    start: date = first[0][0] if first and first[0][0] else inputs.as_of
    days = (inputs.as_of - start).days + 1
    own = _per_series_day(con, inputs, start, days, _REQUESTED_SQL)
    shipped = _per_series_day(con, inputs, start, days, _TRANSFERRED_SQL)
    if shipped.any():
        return own + shipped, own
    return echelon_demand(own, parent_rows(inputs.series)), own


_REQUESTED_SQL = """
SELECT s.row, date_diff('day', ?::DATE, d.demand_date) AS day, d.quantity AS quantity
FROM demand_history d JOIN _series s USING (item_id, location_id)
WHERE d.demand_date BETWEEN ?::DATE AND ?::DATE
"""

_TRANSFERRED_SQL = """
SELECT s.row, date_diff('day', ?::DATE, m.movement_date) AS day, sum(m.quantity) AS quantity
FROM movements m JOIN _series s ON s.item_id = m.item_id AND s.location_id = m.from_location_id
WHERE m.kind = 'transfer' AND m.movement_date BETWEEN ?::DATE AND ?::DATE
GROUP BY ALL
"""


def _per_series_day(
    con: duckdb.DuckDBPyConnection, inputs: PlanningInputs, start: date, days: int, sql: str
) -> NDArray[np.float64]:
    con.register("_series", inputs.series[["item_id", "location_id", "row"]])
    try:
        rows = con.execute(sql, [start, start, inputs.as_of]).fetchnumpy()
    finally:
        con.unregister("_series")
    out = np.zeros((inputs.n_series, days))
    index = (np.asarray(rows["row"], dtype=np.int64), np.asarray(rows["day"], dtype=np.int64))
    out[index] = np.asarray(rows["quantity"], dtype=np.float64)
    return out


def _sources(
    con: duckdb.DuckDBPyConnection, inputs: PlanningInputs
) -> tuple[tuple[str, ...], LeadTimeModel, NDArray[np.bool_], NDArray[np.int64]]:
    """Lead-time sources (suppliers, then transfer lanes), their tables and each series' source."""
    series = inputs.series
    transfer = series["source_location_id"].notna().to_numpy()
    lane = (
        "transfer:"
        + series["source_location_id"].astype(str)
        + ">"
        + series["location_id"].astype(str)
    )
    key = np.where(
        transfer, lane.to_numpy(dtype=object), series["supplier_id"].to_numpy(dtype=object)
    )
    suppliers = _supplier_sources(con, inputs.as_of)
    lanes = sorted(set(key[transfer]))
    names = tuple(suppliers["supplier_id"]) + tuple(lanes)
    nominal = series.loc[transfer].drop_duplicates("location_id").set_index("location_id")
    models = [_supplier_model(row) for row in suppliers.itertuples()]
    models += [_lane_model(con, name, nominal, inputs.as_of) for name in lanes]
    model = LeadTimeModel.stack(*models)
    sequential = np.concatenate(
        [suppliers["is_domestic"].to_numpy(dtype=bool), np.ones(len(lanes), dtype=bool)]
    )
    index = {name: k for k, name in enumerate(names)}
    return names, model, sequential, np.asarray([index[k] for k in key], dtype=np.int64)


def _supplier_sources(con: duckdb.DuckDBPyConnection, day: date) -> pd.DataFrame:
    return con.execute(
        """
        WITH obs AS (
            SELECT p.supplier_id, date_diff('day', p.order_date, min(r.receipt_date)) AS days,
                   row_number() OVER (PARTITION BY p.supplier_id ORDER BY p.order_date DESC) AS recent
            FROM purchase_orders p JOIN receipts r USING (po_id, po_line)
            WHERE r.receipt_date <= ?::DATE
            GROUP BY p.supplier_id, p.po_id, p.po_line, p.order_date
        )
        SELECT s.supplier_id, s.is_domestic,
               list(o.days ORDER BY o.recent) FILTER (WHERE o.recent <= ?) AS observed,
               (SELECT avg(quoted_lead_time_days) FROM item_supplier i
                WHERE i.supplier_id = s.supplier_id) AS quoted
        FROM suppliers s LEFT JOIN obs o USING (supplier_id)
        GROUP BY s.supplier_id, s.is_domestic ORDER BY s.supplier_id
        """,
        [day, MAX_OBSERVATIONS],
    ).df()


def _supplier_model(row: object) -> LeadTimeModel:
    """Observed order-to-receipt days, else the quoted lead time with the default spread."""
    observed = getattr(row, "observed", None)
    days = [d for d in (observed if observed is not None else []) if d is not None]
    if len(days) >= MIN_LEAD_TIME_OBSERVATIONS:
        return LeadTimeModel.from_samples(
            np.maximum(np.asarray(days, dtype=np.float64), 1.0)[None, :]
        )
    quoted = getattr(row, "quoted", None)
    mean = max(float(quoted), 1.0) if quoted is not None and np.isfinite(quoted) else 14.0
    return LeadTimeModel.from_moments([mean], [DEFAULT_LEAD_TIME_CV * mean])


def _lane_model(
    con: duckdb.DuckDBPyConnection, lane: str, nominal: pd.DataFrame, day: date
) -> LeadTimeModel:
    """Observed dispatch-to-arrival days of a transfer lane, else its nominal days."""
    source, target = lane.removeprefix("transfer:").split(">", 1)
    rows = con.execute(
        """
        SELECT date_diff('day', dispatch_date, arrival_date) AS days FROM shipments
        WHERE kind = 'transfer' AND from_location_id = ? AND to_location_id = ?
          AND arrival_date <= ?::DATE
        ORDER BY dispatch_date DESC LIMIT ?
        """,
        [source, target, day, MAX_OBSERVATIONS],
    ).fetchnumpy()
    days = np.asarray(rows["days"], dtype=np.float64)
    if len(days) >= MIN_LEAD_TIME_OBSERVATIONS:
        return LeadTimeModel.from_samples(np.maximum(days, 1.0)[None, :])
    value = nominal["transfer_lead_time_days"].get(target) if target in nominal.index else None
    mean = max(float(value), 1.0) if value is not None and pd.notna(value) else 2.0
    return LeadTimeModel.from_moments([mean], [TRANSFER_STD_DAYS])


def _backups(
    con: duckdb.DuckDBPyConnection, series: pd.DataFrame, names: tuple[str, ...]
) -> pd.DataFrame:
    """The next-priority qualified supplier of each purchased series, with its terms."""
    ranked = con.execute(
        """
        SELECT item_id, supplier_id, moq, order_multiple FROM (
            SELECT s.*, row_number() OVER (PARTITION BY s.item_id ORDER BY s.priority, s.supplier_id) AS rank
            FROM item_supplier s JOIN suppliers USING (supplier_id)
            WHERE suppliers.qualification_status <> 'blocked'
        ) WHERE rank = 2
        """
    ).df()
    frame = series[["item_id", "source_location_id"]].merge(ranked, on="item_id", how="left")
    frame.loc[frame["source_location_id"].notna(), "supplier_id"] = None
    index = {name: k for k, name in enumerate(names)}
    frame["source"] = [index.get(s, -1) if isinstance(s, str) else -1 for s in frame["supplier_id"]]
    return frame.fillna({"moq": 0.0, "order_multiple": 0.0})


def _erp_settings(con: duckdb.DuckDBPyConnection, series: pd.DataFrame) -> pd.DataFrame:
    settings = con.execute(
        """
        SELECT il.item_id, il.location_id, il.erp_reorder_point, il.erp_order_quantity
        FROM item_location il
        """
    ).df()
    return series[["item_id", "location_id"]].merge(
        settings, on=["item_id", "location_id"], how="left"
    )
