"""The nightly pipeline on the small demo: what it writes, its invariants, its transactions."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from replenlib.demo import generate
from replenlib.pipeline import nightly
from replenlib.pipeline.inputs import read_planning_inputs
from replenlib.pipeline.nightly import run_nightly
from replenlib.store import reader


def _frame(db: Path, sql: str) -> pd.DataFrame:
    with reader(db) as con:
        return con.execute(sql).df()


def test_run_writes_one_row_per_item_location(small_store: Path) -> None:
    n_series = _frame(small_store, "SELECT count(*) AS n FROM item_location")["n"][0]
    runs = _frame(small_store, "SELECT * FROM runs")
    assert len(runs) == 1 and runs["n_series"][0] == n_series
    for table in ("forecasts", "policy_parameters"):
        assert _frame(small_store, f"SELECT count(*) AS n FROM {table}")["n"][0] == n_series
    kpis = _frame(small_store, "SELECT * FROM run_kpis WHERE scope = 'all'").set_index("kpi")[
        "value"
    ]
    assert 0 < kpis["stockout_rate"] < 0.2 and 0.8 < kpis["fill_rate"] <= 1
    assert kpis["proposal_count"] == runs["n_proposals"][0] > 0


def test_proposals_respect_position_terms_and_lifecycle(small_store: Path) -> None:
    p = _frame(
        small_store,
        """
        SELECT p.*, s.moq, s.order_multiple, i.end_of_life_date, r.as_of_date
        FROM proposals p JOIN runs r USING (run_id) JOIN items i USING (item_id)
        LEFT JOIN item_supplier s USING (item_id, supplier_id)
        """,
    )
    assert (p["quantity"] > 0).all()
    assert (p["inventory_position"] <= p["reorder_point"] + 1e-9).all()
    purchase = p[p["kind"] == "purchase"]
    assert (
        purchase["supplier_id"].notna().all()
        and p.loc[p["kind"] == "transfer", "source_location_id"].notna().all()
    )
    assert (purchase["quantity"] >= purchase["moq"] - 1e-9).all()
    multiples = purchase["quantity"] / purchase["order_multiple"]
    np.testing.assert_allclose(multiples, multiples.round(), atol=1e-9)
    ended = p["end_of_life_date"].notna() & (p["end_of_life_date"] <= p["as_of_date"])
    assert not ended.any()
    assert (p["expected_arrival"] >= p["order_date"]).all()


def test_on_order_counts_open_purchase_orders_and_transfers_in_transit(small_store: Path) -> None:
    demo = generate("small", seed=42)
    with reader(small_store) as con:
        inputs = read_planning_inputs(con)
    po = demo.tables["purchase_orders"]
    open_po = (
        po.loc[po["status"] == "open", "quantity"].sum()
        - po.loc[po["status"] == "open", "quantity_received"].sum()
    )
    in_transit = demo.truth["in_transit"]["quantity"].sum()
    assert in_transit > 0
    assert inputs.on_order.sum() == pytest.approx(open_po + in_transit)


def test_usable_stock_excludes_what_cannot_be_sold(small_store: Path) -> None:
    usable = _frame(
        small_store,
        """
        SELECT sum(k.quantity) AS q FROM stock_on_hand k JOIN lots l USING (lot_id)
        JOIN items i ON i.item_id = k.item_id
        WHERE k.status = 'available' AND l.inspection_status = 'passed'
          AND (l.expiry_date IS NULL OR l.expiry_date > DATE '2026-09-30'
               + CAST(coalesce(i.min_remaining_shelf_life_days, 0) AS INTEGER))
          -- nor lots a recall names, nor lots on hold (e.g. exposed in a cold-chain excursion)
          AND k.lot_id NOT IN (SELECT lot_id FROM recall_lots)
          AND NOT EXISTS (SELECT 1 FROM lot_holds h WHERE h.lot_id = k.lot_id
                          AND h.released_at IS NULL
                          AND (h.location_id IS NULL OR h.location_id = k.location_id))
        """,
    )["q"][0]
    everything = _frame(small_store, "SELECT sum(quantity) AS q FROM stock_on_hand")["q"][0]
    with reader(small_store) as con:
        inputs = read_planning_inputs(con)
    assert inputs.usable_on_hand.sum() == pytest.approx(usable)
    assert usable < everything  # the demo holds quarantined, blocked or short-dated stock


def test_a_failed_run_leaves_the_store_untouched(
    store_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = store_copy.read_bytes()

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("planning failed on purpose")

    monkeypatch.setattr(nightly, "run_kpis", broken)
    with pytest.raises(RuntimeError, match="on purpose"):
        run_nightly(store_copy)
    assert store_copy.read_bytes() == before


def test_run_as_of_an_earlier_day(store_copy: Path) -> None:
    with reader(store_copy) as con:
        last = con.execute("SELECT max(demand_date) FROM demand_history").fetchone()[0]  # type: ignore[index]
    summary = run_nightly(store_copy, as_of=last - timedelta(days=28))
    assert summary.as_of == last - timedelta(days=28)
    runs = _frame(store_copy, "SELECT as_of_date FROM runs ORDER BY started_at")
    assert len(runs) == 2


def test_consignment_stock_is_the_suppliers_not_ours(small_store: Path) -> None:
    """Inventory value and days count owned stock only; consignment value stands apart."""
    with reader(small_store) as con:
        run = con.execute("SELECT run_id, as_of_date FROM runs").fetchall()[0]
        inputs = read_planning_inputs(con, run[1])
        items = con.execute("SELECT item_id, is_consignment, unit_cost FROM items").df()
        kpis = dict(
            con.execute(
                "SELECT kpi, value FROM run_kpis WHERE run_id = ? AND scope = 'all'", [run[0]]
            ).fetchall()
        )
        lines = con.execute(
            "SELECT d.item_id, d.quantity FROM demand_history d JOIN item_location USING "
            "(item_id, location_id) WHERE d.demand_date > ?::DATE - 90 AND d.demand_date <= ?",
            [run[1], run[1]],
        ).df()
    consigned = set(items.loc[items["is_consignment"], "item_id"])
    value = inputs.usable_on_hand * inputs.series["unit_cost"].to_numpy()
    mine = ~inputs.series["item_id"].isin(consigned).to_numpy()
    assert kpis["consignment_value"] == pytest.approx(value[~mine].sum(), rel=1e-12)
    assert kpis["consignment_value"] > 0.1 * value.sum()  # implants and stents: a large share
    assert kpis["inventory_value"] == pytest.approx(value[mine].sum(), rel=1e-12)
    owned = lines[~lines["item_id"].isin(consigned)].merge(items, on="item_id")
    daily = (owned["quantity"] * owned["unit_cost"]).sum() / 90
    assert kpis["inventory_days"] == pytest.approx(value[mine].sum() / daily, rel=1e-12)
