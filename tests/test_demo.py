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
    ins = pd.DataFrame(
        {
            "location_id": m["to_location_id"],
            "lot_id": m["lot_id"],
            "item_id": m["item_id"],
            "day": in_date,
            "change": m["quantity"],
        }
    )
    outs = pd.DataFrame(
        {
            "location_id": m["from_location_id"],
            "lot_id": m["lot_id"],
            "item_id": m["item_id"],
            "day": m["movement_date"],
            "change": -m["quantity"],
        }
    )
    both = pd.concat([ins, outs]).dropna(subset=["location_id"])
    daily = both.groupby(["location_id", "lot_id", "item_id", "day"], as_index=False)[
        "change"
    ].sum()
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
    assert (t["movements"]["movement_date"] == t["movements"]["movement_date"].dt.normalize()).all()
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
    assert (reagents["storage_temp_min_c"] == 2).all() and (
        reagents["storage_temp_max_c"] == 8
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
    assert (
        children["source_location_id"].to_numpy()
        == loc.loc[children["location_id"], "parent_location_id"].to_numpy()
    ).all()
    assert children["transfer_lead_time_days"].between(1, 4).all()
    parent_keys = set(zip(il["item_id"], il["location_id"], strict=True))
    assert all(
        (i, s) in parent_keys
        for i, s in zip(children["item_id"], children["source_location_id"], strict=True)
    )


# --- consistency invariants ---------------------------------------------------------------


def test_stock_equals_movements(
    demo: DemoData, t: dict[str, pd.DataFrame], ledger: pd.DataFrame
) -> None:
    as_of = pd.Timestamp(demo.as_of)
    arrived = ledger[ledger["day"] <= as_of]
    balance = arrived.groupby(["item_id", "location_id", "lot_id"])["change"].sum()
    balance = balance[balance != 0].sort_index()
    stock = t["stock_on_hand"].groupby(["item_id", "location_id", "lot_id"])["quantity"].sum()
    pd.testing.assert_series_equal(balance, stock.sort_index(), check_names=False)
    assert (t["stock_on_hand"]["snapshot_date"] == as_of).all()


def test_in_transit_matches_late_shipments(demo: DemoData, ledger: pd.DataFrame) -> None:
    late = ledger[ledger["day"] > pd.Timestamp(demo.as_of)]
    assert late["change"].sum() == demo.truth["in_transit"]["quantity"].sum() > 0


def test_no_lot_ever_negative(ledger: pd.DataFrame) -> None:
    assert (ledger["balance"] >= 0).all()


@pytest.fixture(scope="module")
def issues(t: dict[str, pd.DataFrame]) -> pd.DataFrame:
    m = t["movements"]
    issued = m[m["kind"] == "issue"]
    lots = t["lots"].set_index("lot_id")
    inspected = t["inspections"].set_index("lot_id")
    items = t["items"].set_index("item_id")
    return issued.assign(
        expiry=issued["lot_id"].map(lots["expiry_date"]),
        status=issued["lot_id"].map(lots["inspection_status"]),
        inspected=issued["lot_id"].map(inspected["inspection_date"]),
        min_days=issued["item_id"].map(items["min_remaining_shelf_life_days"]),
    )


def test_issues_use_only_good_lots(issues: pd.DataFrame) -> None:
    assert (issues["status"] == "passed").all()
    assert (issues["inspected"] <= issues["movement_date"]).all()
    dated = issues[issues["expiry"].notna()]
    remaining = (dated["expiry"] - dated["movement_date"]).dt.days
    assert (remaining >= dated["min_days"]).all()
    assert issues["customer_id"].notna().all()
    assert issues["to_location_id"].isna().all()


def test_failed_lots_never_leave_quarantine(t: dict[str, pd.DataFrame]) -> None:
    failed = t["lots"].loc[t["lots"]["inspection_status"] == "failed", "lot_id"]
    assert len(failed) > 0
    moved = t["movements"][t["movements"]["lot_id"].isin(failed)]
    assert set(moved["kind"]) <= {"receipt", "return"}
    stock = t["stock_on_hand"][t["stock_on_hand"]["lot_id"].isin(failed)]
    assert (stock["status"] == "blocked").all()
    pending = t["lots"].loc[t["lots"]["inspection_status"] == "pending", "lot_id"]
    held = t["stock_on_hand"][t["stock_on_hand"]["lot_id"].isin(pending)]
    assert len(held) > 0 and (held["status"] == "quarantine").all()


def _fefo_violations(
    t: dict[str, pd.DataFrame], moved: pd.DataFrame, ledger: pd.DataFrame, margin: int
) -> tuple[int, int]:
    """Count (probes, violations): earlier-expiring usable lots left in stock that day."""
    lots = t["lots"].set_index("lot_id")
    items = t["items"].set_index("item_id")
    inspected = t["inspections"].set_index("lot_id")["inspection_date"]
    moved = moved.assign(
        expiry=moved["lot_id"].map(lots["expiry_date"]),
        min_days=moved["item_id"].map(items["min_remaining_shelf_life_days"]),
    )
    held = ledger[["location_id", "lot_id", "item_id"]].drop_duplicates()
    held = held.assign(
        other_expiry=held["lot_id"].map(lots["expiry_date"]),
        other_ok=held["lot_id"].map(inspected),
        other_passed=held["lot_id"].map(lots["inspection_status"]) == "passed",
    )
    taken = moved.drop_duplicates(["from_location_id", "lot_id", "movement_date"])[
        ["from_location_id", "item_id", "lot_id", "movement_date", "expiry", "min_days"]
    ]
    pairs = taken.merge(
        held,
        left_on=["from_location_id", "item_id"],
        right_on=["location_id", "item_id"],
        suffixes=("", "_other"),
    )
    remaining = (pairs["other_expiry"] - pairs["movement_date"]).dt.days
    usable = (
        pairs["other_passed"]
        & (pairs["other_ok"] <= pairs["movement_date"])
        & (remaining >= pairs["min_days"] + margin)
    )
    earlier = pairs[usable & (pairs["other_expiry"] < pairs["expiry"])]
    probe = (
        earlier[["location_id", "lot_id_other", "movement_date"]]
        .rename(columns={"lot_id_other": "lot_id", "movement_date": "day"})
        .sort_values("day")
    )
    book = ledger[["location_id", "lot_id", "day", "balance"]].sort_values("day")
    found = pd.merge_asof(probe, book, on="day", by=["location_id", "lot_id"])
    return len(found), int((found["balance"].fillna(0) > 0).sum())


def test_fefo_on_issues(
    t: dict[str, pd.DataFrame], issues: pd.DataFrame, ledger: pd.DataFrame
) -> None:
    """No issue takes a lot while an earlier-expiring usable lot stays in stock that day."""
    probes, violations = _fefo_violations(t, issues, ledger, margin=0)
    assert probes > 100
    assert violations == 0


def test_fefo_on_transfers(t: dict[str, pd.DataFrame], ledger: pd.DataFrame) -> None:
    """Parents ship FEFO among lots with the minimum shelf life plus the 30-day margin."""
    m = t["movements"]
    probes, violations = _fefo_violations(t, m[m["kind"] == "transfer"], ledger, margin=30)
    assert probes > 100
    assert violations == 0


def test_serials_in_stock_have_one_location(t: dict[str, pd.DataFrame]) -> None:
    serials = t["serials"]
    assert serials.set_index(["item_id", "serial_number"]).index.is_unique
    here = serials[serials["status"] == "in_stock"]
    assert here["location_id"].notna().all() and here["customer_id"].isna().all()
    issued = serials[serials["status"] == "issued"]
    assert issued["customer_id"].notna().all() and issued["location_id"].isna().all()
    counted = here.groupby(["location_id", "lot_id"]).size()
    serialised = t["items"].loc[t["items"]["is_serialised"], "item_id"]
    stock = t["stock_on_hand"][t["stock_on_hand"]["item_id"].isin(serialised)]
    stock = stock.groupby(["location_id", "lot_id"])["quantity"].sum()
    pd.testing.assert_series_equal(
        counted.astype(float).sort_index(), stock.sort_index(), check_names=False
    )
    total = t["lots"][t["lots"]["item_id"].isin(serialised)]["quantity_received"].sum()
    assert len(serials) == total


def test_serialised_movements_are_single_units(t: dict[str, pd.DataFrame]) -> None:
    m = t["movements"]
    serialised = m["item_id"].isin(t["items"].loc[t["items"]["is_serialised"], "item_id"])
    assert m.loc[serialised, "serial_number"].notna().all()
    assert (m.loc[serialised, "quantity"] == 1).all()
    assert m.loc[~serialised, "serial_number"].isna().all()


def test_shipped_equals_issues(t: dict[str, pd.DataFrame]) -> None:
    m = t["movements"]
    issued = (
        m[m["kind"] == "issue"]
        .groupby(["item_id", "from_location_id", "movement_date"])["quantity"]
        .sum()
    )
    demand = t["demand_history"].set_index(["item_id", "location_id", "demand_date"])
    shipped = demand["quantity_shipped"]
    shipped = shipped[shipped > 0]
    pd.testing.assert_series_equal(issued.sort_index(), shipped.sort_index(), check_names=False)
    assert (demand["quantity_shipped"] <= demand["quantity"]).all()


def test_receipts_reference_po_lines(t: dict[str, pd.DataFrame]) -> None:
    po = t["purchase_orders"].set_index(["po_id", "po_line"])
    receipts = t["receipts"].set_index(["po_id", "po_line"])
    assert receipts.index.isin(po.index).all() and receipts.index.is_unique
    lines = po.loc[receipts.index]
    assert (lines["status"] == "received").all()
    assert (lines["quantity"].to_numpy() == receipts["quantity"].to_numpy()).all()
    assert (receipts["receipt_date"] > lines["order_date"]).all()
    assert set(po["status"]) == {"open", "received", "cancelled"}
    assert (po.loc[po["status"] != "received", "quantity_received"] == 0).all()
    assert (po["confirmed_date"] > po["order_date"]).all()


def test_lots_and_dates(t: dict[str, pd.DataFrame]) -> None:
    lots = t["lots"]
    dated = lots[lots["expiry_date"].notna()]
    assert (dated["expiry_date"] > dated["manufacture_date"]).all()
    receipts = t["receipts"].merge(lots, on="lot_id")
    assert (receipts["manufacture_date"] < receipts["receipt_date"]).all()
    assert lots["lot_id"].is_unique
    assert lots.set_index(["item_id", "lot_number"]).index.is_unique


def test_expired_stock_scrapped_or_flagged(demo: DemoData, t: dict[str, pd.DataFrame]) -> None:
    stock = t["stock_on_hand"].merge(t["lots"][["lot_id", "expiry_date"]], on="lot_id")
    expired = stock["expiry_date"] <= pd.Timestamp(demo.as_of)
    assert (stock.loc[expired, "status"] == "expired").all()
    assert ((pd.Timestamp(demo.as_of) - stock.loc[expired, "expiry_date"]).dt.days < 7).all()
    assert (t["movements"]["kind"] == "scrap").any()


def test_multi_hop_genealogy(t: dict[str, pd.DataFrame]) -> None:
    m = t["movements"]
    hops = m[m["kind"] == "transfer"].merge(
        t["locations"], left_on="to_location_id", right_on="location_id"
    )
    to_hospital = set(hops.loc[hops["kind_y"] == "hospital", "lot_id"])
    to_dc = set(hops.loc[hops["kind_y"] == "regional_dc", "lot_id"])
    received = set(m.loc[m["kind"] == "receipt", "lot_id"])
    assert len(to_hospital & to_dc & received) > 10


# --- plausibility -------------------------------------------------------------------------


def _weekly_adi(demand: pd.DataFrame, as_of: datetime.date) -> pd.Series:
    """ADI [weeks] per series over the last 104 whole weeks (Syntetos & Boylan, 2005)."""
    start = pd.Timestamp(as_of) - pd.Timedelta(days=7 * 104 - 1)
    recent = demand[demand["demand_date"] >= start]
    week = (recent["demand_date"] - start).dt.days // 7
    weeks = recent.assign(week=week).groupby(["item_id", "location_id"])["week"].nunique()
    return 104 / weeks


def test_syntetos_boylan_mix(demo: DemoData, t: dict[str, pd.DataFrame]) -> None:
    adi = _weekly_adi(t["demand_history"], demo.as_of)
    share = (adi >= 1.32).mean()
    assert 0.25 <= share <= 0.50
    assert len(adi) >= 0.95 * len(t["item_location"])


def test_patterns_present(demo: DemoData) -> None:
    patterns = set(demo.truth["series"]["pattern"])
    assert patterns == {
        "smooth",
        "seasonal",
        "intermittent",
        "lumpy",
        "new",
        "end_of_life",
        "tender_step",
    }
    assert (demo.truth["series"]["base_daily_rate"] > 0).all()


def test_chinese_new_year_dip(t: dict[str, pd.DataFrame]) -> None:
    daily = t["demand_history"].groupby("demand_date")["quantity"].sum()
    for new_year in ("2025-01-29", "2026-02-17"):
        day0 = pd.Timestamp(new_year)
        week = daily[day0 : day0 + pd.Timedelta(days=6)].mean()
        around = pd.concat(
            [
                daily[day0 - pd.Timedelta(days=14) : day0 - pd.Timedelta(days=1)],
                daily[day0 + pd.Timedelta(days=7) : day0 + pd.Timedelta(days=20)],
            ]
        )
        assert week < 0.8 * around.mean()


def test_weekend_dip_for_implants(t: dict[str, pd.DataFrame]) -> None:
    implants = t["items"].loc[t["items"]["category"] == "orthopaedic_implant", "item_id"]
    d = t["demand_history"][t["demand_history"]["item_id"].isin(implants)]
    by_day = d.groupby(d["demand_date"].dt.day_of_week)["quantity"].sum()
    assert by_day.loc[[5, 6]].mean() < 0.6 * by_day.loc[[0, 1, 2, 3, 4]].mean()


def test_service_and_inventory_baseline(demo: DemoData, t: dict[str, pd.DataFrame]) -> None:
    d = t["demand_history"]
    short = (d["quantity_shipped"] < d["quantity"]).mean()
    assert 0.015 <= short <= 0.07
    days = demo.truth["summary"]["inventory_days_value"].iloc[0]
    assert 40 <= days <= 85


def test_late_receipts_and_failed_inspections(demo: DemoData, t: dict[str, pd.DataFrame]) -> None:
    r = t["receipts"].merge(t["purchase_orders"], on=["po_id", "po_line"], suffixes=("", "_po"))
    late = (r["receipt_date"] > r["confirmed_date"]).mean()
    assert 0.02 <= late <= 0.35
    on_time = (r["receipt_date"] <= r["confirmed_date"]).groupby(r["supplier_id"]).mean()
    truth = demo.truth["suppliers"].set_index("supplier_id")["on_time_rate"]
    assert np.corrcoef(on_time, truth.loc[on_time.index])[0, 1] > 0.3
    results = t["inspections"]["result"].value_counts()
    assert 0 < results["failed"] < 0.1 * results["passed"]
    assert t["inspections"].loc[t["inspections"]["result"] == "failed", "reason"].notna().all()
    assert (t["purchase_orders"]["status"] == "open").sum() > 0


def test_cold_chain_readings(demo: DemoData, t: dict[str, pd.DataFrame]) -> None:
    r = t["temperature_readings"]
    rooms = r[r["location_id"].notna()]
    assert 4.0 < rooms["temperature_c"].median() < 6.0
    step = rooms.groupby("logger_id")["reading_time"].diff().dropna()
    assert (step == pd.Timedelta(hours=1)).all()
    assert (rooms["temperature_c"] > 8).any() and (rooms["temperature_c"] > 8).mean() < 0.001
    moving = r[r["shipment_id"].notna()]
    steps = moving.groupby("logger_id")["reading_time"].diff().dropna().dt.total_seconds()
    assert set(steps.unique()) <= {900.0, 1800.0}
    assert (moving["temperature_c"] > 8).any()
    cold = t["shipments"][t["shipments"]["logger_id"].notna()]
    assert set(cold["shipment_id"]) == set(moving["shipment_id"])
    assert len(demo.truth["excursions"]) >= 2


def test_recall(demo: DemoData, t: dict[str, pd.DataFrame]) -> None:
    recall = t["recalls"].iloc[0]
    assert recall["recall_class"] == "II"
    assert 2 <= (pd.Timestamp(demo.as_of) - recall["announced_date"]).days <= 6
    lots = t["recall_lots"]["lot_id"]
    assert 2 <= len(lots) <= 3
    lot_rows = t["lots"][t["lots"]["lot_id"].isin(lots)]
    assert (lot_rows["item_id"] == recall["item_id"]).all()
    assert (lot_rows["supplier_id"] == recall["supplier_id"]).all()
    supplier = t["suppliers"].set_index("supplier_id").loc[recall["supplier_id"]]
    assert not supplier["is_domestic"]
    item = t["items"].set_index("item_id").loc[recall["item_id"]]
    assert item["category"] == "cardiac_stent" and item["is_serialised"]
    scope = demo.truth["recall_scope"]
    assert len(scope) == lot_rows["quantity_received"].sum()
    in_stock = scope[scope["status"] == "in_stock"]
    assert in_stock["location_id"].nunique() >= 2
    assert scope.loc[scope["status"] == "issued", "customer_id"].nunique() >= 2
    assert scope.loc[scope["status"] == "issued", "issue_date"].notna().all()
    stock = t["stock_on_hand"][t["stock_on_hand"]["lot_id"].isin(lots)]
    assert (stock["status"] == "available").all()
    assert stock["quantity"].sum() == len(in_stock)


def test_nothing_after_as_of(demo: DemoData, t: dict[str, pd.DataFrame]) -> None:
    end = pd.Timestamp(demo.as_of) + pd.Timedelta(days=1)
    assert t["temperature_readings"]["reading_time"].max() < end
    assert t["movements"]["movement_date"].max() < end
    assert t["demand_history"]["demand_date"].max() < end
    assert t["receipts"]["receipt_date"].max() < end
    assert t["inspections"]["inspection_date"].max() < end


def test_lifecycle_matches_demand(t: dict[str, pd.DataFrame], demo: DemoData) -> None:
    items = t["items"].set_index("item_id")
    d = t["demand_history"]
    launch = d["item_id"].map(items["launch_date"])
    end = d["item_id"].map(items["end_of_life_date"])
    assert (d["demand_date"] >= launch).all()
    assert (d["demand_date"][end.notna()] < end[end.notna()]).all()
    series = demo.truth["series"]
    new_items = series.loc[series["pattern"] == "new", "item_id"].unique()
    assert (items.loc[new_items, "launch_date"] > d["demand_date"].min()).all()


def test_issues_go_to_customers_of_the_location(t: dict[str, pd.DataFrame]) -> None:
    m = t["movements"]
    issued = m[m["kind"] == "issue"]
    home = issued["customer_id"].map(t["customers"].set_index("customer_id")["location_id"])
    assert (home == issued["from_location_id"]).all()
    assert issued["customer_id"].nunique() >= 10


def test_purchase_terms(t: dict[str, pd.DataFrame]) -> None:
    po = t["purchase_orders"].merge(
        t["item_supplier"], on=["item_id", "supplier_id"], suffixes=("", "_terms")
    )
    assert len(po) == len(t["purchase_orders"])
    assert (po["quantity"] % po["order_multiple"] == 0).all()
    assert (po["quantity"] >= po["moq"]).all()
    assert ((po["confirmed_date"] - po["order_date"]).dt.days == po["quoted_lead_time_days"]).all()
    assert (po["unit_price"] == po["unit_price_terms"]).all()
    backup = po[po["priority"] == 2]
    assert 0 < len(backup) < 0.2 * len(po)
    boxes = t["item_uom"][t["item_uom"]["uom"].str.startswith("BX")]
    terms = t["item_supplier"].merge(boxes, on="item_id")
    assert (terms["order_multiple"] == terms["factor_to_base"]).all()


def test_shipments(t: dict[str, pd.DataFrame]) -> None:
    s = t["shipments"]
    assert (s["arrival_date"] >= s["dispatch_date"]).all()
    inbound = s[s["kind"] == "inbound"]
    assert len(inbound) == len(t["receipts"])
    assert inbound["po_id"].isin(t["purchase_orders"]["po_id"]).all()
    transfers = s[s["kind"] == "transfer"]
    assert transfers["from_location_id"].notna().all() and transfers["supplier_id"].isna().all()
    moved = t["movements"][t["movements"]["kind"] == "transfer"]
    assert moved["reference"].isin(transfers["shipment_id"]).all()
    cold_items = t["items"].loc[t["items"]["is_cold_chain"], "item_id"]
    cold_refs = set(moved.loc[moved["item_id"].isin(cold_items), "reference"])
    with_logger = set(transfers.loc[transfers["logger_id"].notna(), "shipment_id"])
    assert cold_refs == with_logger


def test_lot_numbers_follow_lot_control(t: dict[str, pd.DataFrame]) -> None:
    controlled = t["lots"]["item_id"].map(t["items"].set_index("item_id")["is_lot_controlled"])
    batch = t["lots"]["lot_number"].str.startswith("RB")
    assert (batch == ~controlled).all() and batch.any()
