"""Tests of the demo data generator on the ``small`` size: schema, invariants, plausibility."""

from __future__ import annotations

import datetime

import duckdb
import numpy as np
import pandas as pd
import pytest

from replenlib.codes import is_valid_gtin
from replenlib.demo import DemoData, DemoSize, generate
from replenlib.store.schema import MIGRATIONS, SOURCE_TABLES

SEED = 7


@pytest.fixture(scope="module")
def demo() -> DemoData:
    return generate("small", seed=SEED)


@pytest.fixture(scope="module")
def t(demo: DemoData) -> dict[str, pd.DataFrame]:
    return demo.tables


@pytest.fixture(scope="module")
def ledger(t: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Signed stock changes per (location, lot, day): transfers count in on arrival."""
    m = t["movements"]
    arrival = m["reference"].map(t["shipments"].set_index("shipment_id")["arrival_date"])
    in_date = m["movement_date"].where(m["kind"] != "transfer", arrival)
    ins = pd.DataFrame({"location_id": m["to_location_id"], "lot_id": m["lot_id"],
                        "item_id": m["item_id"], "day": in_date, "change": m["quantity"]})
    outs = pd.DataFrame({"location_id": m["from_location_id"], "lot_id": m["lot_id"],
                         "item_id": m["item_id"], "day": m["movement_date"],
                         "change": -m["quantity"]})
    both = pd.concat([ins, outs]).dropna(subset=["location_id"])
    daily = both.groupby(["location_id", "lot_id", "item_id", "day"], as_index=False)[
        "change"].sum()
    daily = daily.sort_values(["location_id", "lot_id", "day"], ignore_index=True)
    daily["balance"] = daily.groupby(["location_id", "lot_id"])["change"].cumsum()
    return daily


# --- API and schema -----------------------------------------------------------------------

def test_api_fields(demo: DemoData) -> None:
    assert demo.size is DemoSize.SMALL
    assert demo.seed == SEED
    assert demo.as_of == datetime.date(2026, 9, 30)
    assert tuple(demo.tables) == SOURCE_TABLES
    for key in ("series", "suppliers", "recall_scope"):
        assert key in demo.truth


def test_frames_insert_into_the_schema(t: dict[str, pd.DataFrame]) -> None:
    con = duckdb.connect()
    for statement in MIGRATIONS[0].statements:
        con.execute(statement)
    for name, frame in t.items():
        columns = [row[0] for row in con.execute(f"DESCRIBE {name}").fetchall()]
        assert list(frame.columns) == columns, name
        con.register("frame", frame)
        con.execute(f"INSERT INTO {name} SELECT * FROM frame")
        con.unregister("frame")
        assert con.execute(f"SELECT count(*) FROM {name}").fetchone() == (len(frame),)


def test_dtypes(t: dict[str, pd.DataFrame]) -> None:
    assert pd.api.types.is_datetime64_any_dtype(t["movements"]["movement_date"])
    assert (t["movements"]["movement_date"] == t["movements"]["movement_date"].dt.normalize()
            ).all()
    assert pd.api.types.is_string_dtype(t["items"]["item_id"])
    assert t["movements"]["movement_id"].dtype == np.int64
    assert t["items"]["is_serialised"].dtype == bool


def test_sizes_of_small(demo: DemoData, t: dict[str, pd.DataFrame]) -> None:
    assert len(t["items"]) == 200
    kinds = t["locations"]["kind"].value_counts()
    assert kinds.to_dict() == {"hospital": 2, "central_warehouse": 1, "regional_dc": 1}
    assert t["demand_history"]["demand_date"].nunique() > 700
    assert (t["demand_history"]["quantity"] > 0).all()


def test_deterministic(t: dict[str, pd.DataFrame], demo: DemoData) -> None:
    again = generate(DemoSize.SMALL, seed=SEED)
    for name in SOURCE_TABLES:
        pd.testing.assert_frame_equal(t[name], again.tables[name])
    for name in demo.truth:
        pd.testing.assert_frame_equal(demo.truth[name], again.truth[name])
    other = generate("small", seed=SEED + 1)
    assert not t["demand_history"].equals(other.tables["demand_history"])


# --- master data --------------------------------------------------------------------------

def test_gtins_valid_and_unique(t: dict[str, pd.DataFrame]) -> None:
    assert t["items"]["gtin"].map(is_valid_gtin).all()
    assert t["items"]["gtin"].str.len().eq(14).all()
    uom = t["item_uom"]
    assert uom["gtin"].map(is_valid_gtin).all()
    assert uom["gtin"].is_unique
    ea = uom[uom["uom"] == "EA"]
    assert (ea["factor_to_base"] == 1).all() and len(ea) == len(t["items"])


def test_category_properties(t: dict[str, pd.DataFrame]) -> None:
    items = t["items"].set_index("item_id")
    implants = items[items["category"].isin(["orthopaedic_implant", "cardiac_stent"])]
    assert (implants["risk_class"] == "III").all() and implants["is_serialised"].all()
    assert implants["unit_cost"].between(3000, 30000).all()
    reagents = items[items["category"] == "ivd_reagent"]
    assert reagents["is_cold_chain"].all()
    assert reagents["shelf_life_days"].between(180, 560).all()
    assert (reagents["storage_temp_min_c"] == 2).all() and (reagents["storage_temp_max_c"] == 8
                                                              ).all()
    spares = items[items["category"] == "equipment_spare"]
    assert spares["shelf_life_days"].isna().all()
    assert items["criticality"].isin(["critical", "high", "medium", "low"]).all()


def test_suppliers(demo: DemoData, t: dict[str, pd.DataFrame]) -> None:
    truth = demo.truth["suppliers"].merge(t["suppliers"], on="supplier_id")
    domestic, imported = truth[truth["is_domestic"]], truth[~truth["is_domestic"]]
    assert domestic["lead_time_mean_days"].between(4, 21).all()
    assert imported["lead_time_mean_days"].between(45, 90).all()
    assert imported["lead_time_cv"].between(0.25, 0.4).all()
    assert truth["on_time_rate"].between(0.7, 0.98).all()
    assert truth["quality_pass_rate"].between(0.95, 0.995).all()
    sourcing = t["item_supplier"]
    dual = sourcing.groupby("item_id")["supplier_id"].count().gt(1).mean()
    assert 0.15 <= dual <= 0.35
    cold_items = t["items"].loc[t["items"]["is_cold_chain"], "item_id"]
    cold_sources = sourcing[sourcing["item_id"].isin(cold_items)].merge(t["suppliers"])
    assert cold_sources["is_cold_chain_capable"].all()


def test_assortment_and_parents(t: dict[str, pd.DataFrame]) -> None:
    il = t["item_location"]
    loc = t["locations"].set_index("location_id")
    central = loc.index[loc["kind"] == "central_warehouse"][0]
    assert (il["location_id"] == central).sum() == len(t["items"])
    children = il[il["source_location_id"].notna()]
    assert (children["source_location_id"].to_numpy()
            == loc.loc[children["location_id"], "parent_location_id"].to_numpy()).all()
    assert children["transfer_lead_time_days"].between(1, 4).all()
    parent_keys = set(zip(il["item_id"], il["location_id"], strict=True))
    assert all((i, s) in parent_keys for i, s in zip(children["item_id"],
                                                     children["source_location_id"],
                                                     strict=True))
