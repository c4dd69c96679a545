"""Traceability on a hand-made store: multi-hop recall scope, quarantine, postings, bad input.

The network: central warehouse CW → regional DC → hospitals H1, H2; customers C1 (served by
H1), C2 (H2) and C3 (DC). Six serialised stents of lot L-ST1 arrive at CW on 1 March:

====  ==================================================================  ================
unit  route                                                                 on 15 March
====  ==================================================================  ================
S1    CW → DC (5th, arrives 6th) → H1 (8th, arrives 9th) → C1 (10th)     issued to C1
S2    CW → DC → H1                                                        in stock at H1
S3    CW → DC → C3 (11th)                                                 issued to C3
S4    CW → DC → H2 (dispatched 12th, arrives 20th)                        in transit to H2
S5    CW                                                                  in stock at CW
S6    CW                                                                  in stock at CW
====  ==================================================================  ================

plus a cold-chain reagent (2–8 °C, 60 min allowed) with a storage logger at CW.
"""

from __future__ import annotations

import shutil
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from replenlib.errors import InputDataError
from replenlib.store import reader, replace_tables, writer
from replenlib.store.coldchain_data import evaluate_cold_chain, hold_exposed_lots
from replenlib.store.lot_state import lot_stock
from replenlib.store.recall_actions import quarantine_recall, release_holds
from replenlib.store.recall_scope import NoRecallMatchError, recall_scope
from replenlib.store.trace_index import build_trace_index, index_is_fresh
from replenlib.store.trace_write import post_movements, post_receipts, record_inspections
from replenlib.trace.lots import HoldKind
from replenlib.trace.recall import RecallSelector

D0 = date(2026, 3, 1)
AS_OF = date(2026, 3, 15)
STENT_GTIN = "05391842001016"


def day(n: int) -> date:
    """1 March 2026 plus ``n - 1`` days."""
    return D0 + timedelta(days=n - 1)


def _frame(rows: list[tuple], columns: str) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns.split())


def master_tables() -> dict[str, pd.DataFrame]:
    items = _frame(
        [
            (
                "STENT",
                STENT_GTIN,
                "Coronary stent 3.0 x 18 mm",
                "cardiac_stent",
                "Corrib",
                "III",
                "critical",
                "EA",
                5000.0,
                True,
                True,
                False,
                False,
                False,
                None,
                None,
                None,
                1095,
                180,
                date(2020, 1, 1),
                None,
            ),
            (
                "REAG",
                "06900000000017",
                "Troponin reagent kit",
                "ivd_reagent",
                "Hua",
                "II",
                "high",
                "EA",
                800.0,
                False,
                True,
                False,
                False,
                True,
                2.0,
                8.0,
                60,
                365,
                30,
                date(2020, 1, 1),
                None,
            ),
        ],
        "item_id gtin description category manufacturer risk_class criticality base_uom "
        "unit_cost is_serialised is_lot_controlled is_consignment is_substitutable "
        "is_cold_chain storage_temp_min_c storage_temp_max_c allowed_excursion_minutes "
        "shelf_life_days min_remaining_shelf_life_days launch_date end_of_life_date",
    )
    locations = _frame(
        [
            ("CW", "Central", "central_warehouse", "East", "Shanghai", None),
            ("DC", "DC North", "regional_dc", "North", "Beijing", "CW"),
            ("H1", "Hospital 1", "hospital", "North", "Beijing", "DC"),
            ("H2", "Hospital 2", "hospital", "North", "Tianjin", "DC"),
        ],
        "location_id name kind region city parent_location_id",
    )
    customers = _frame(
        [
            ("C1", "Cardiology H1", "department", "H1"),
            ("C2", "Cath lab H2", "department", "H2"),
            ("C3", "Clinic North", "clinic", "DC"),
        ],
        "customer_id name kind location_id",
    )
    suppliers = _frame(
        [
            ("SUP-A", "Corrib Vascular", "IE", False, True, "approved", date(2028, 1, 1)),
            ("SUP-B", "Hua Medical", "CN", True, True, "approved", date(2028, 1, 1)),
        ],
        "supplier_id name country is_domestic is_cold_chain_capable qualification_status "
        "qualified_until",
    )
    item_supplier = _frame(
        [
            ("STENT", "SUP-A", 1, 4800.0, 1.0, 1.0, 60),
            ("STENT", "SUP-B", 2, 5100.0, 1.0, 1.0, 10),
            ("REAG", "SUP-A", 1, 750.0, 10.0, 10.0, 30),
        ],
        "item_id supplier_id priority unit_price moq order_multiple quoted_lead_time_days",
    )
    item_location = _frame(
        [
            ("STENT", "CW", None, None, 5.0, 10.0),
            ("STENT", "DC", "CW", 2, 2.0, 4.0),
            ("STENT", "H1", "DC", 1, 1.0, 2.0),
            ("REAG", "CW", None, None, 20.0, 50.0),
        ],
        "item_id location_id source_location_id transfer_lead_time_days erp_reorder_point "
        "erp_order_quantity",
    )
    return {
        "items": items,
        "locations": locations,
        "customers": customers,
        "suppliers": suppliers,
        "item_supplier": item_supplier,
        "item_location": item_location,
    }


def _movements() -> pd.DataFrame:
    rows: list[tuple] = []
    for s in range(1, 7):
        rows.append((day(1), "receipt", f"S{s}", None, "CW", None, "PO1"))
    for s in range(1, 5):
        rows.append((day(5), "transfer", f"S{s}", "CW", "DC", None, "SH1"))
    for s in (1, 2):
        rows.append((day(8), "transfer", f"S{s}", "DC", "H1", None, "SH2"))
    rows += [
        (day(10), "issue", "S1", "H1", None, "C1", "PROC-0042"),
        (day(11), "issue", "S3", "DC", None, "C3", None),
        (day(12), "transfer", "S4", "DC", "H2", None, "SH3"),
    ]
    frame = _frame(
        rows,
        "movement_date kind serial_number from_location_id to_location_id customer_id reference",
    )
    frame = frame.assign(item_id="STENT", lot_id="L-ST1", quantity=1.0)
    reagent = _frame(
        [(day(2), "receipt", None, None, "CW", None, "PO2", "REAG", "L-RG1", 100.0)],
        "movement_date kind serial_number from_location_id to_location_id "
        "customer_id reference item_id lot_id quantity",
    )
    frame = pd.concat([frame, reagent], ignore_index=True)
    frame.insert(0, "movement_id", range(1, len(frame) + 1))
    return frame[
        [
            "movement_id",
            "movement_date",
            "kind",
            "item_id",
            "lot_id",
            "serial_number",
            "from_location_id",
            "to_location_id",
            "customer_id",
            "reference",
            "quantity",
        ]
    ]


def transaction_tables() -> dict[str, pd.DataFrame]:
    lots = _frame(
        [
            (
                "L-ST1",
                "STENT",
                "SUP-A",
                "25J001",
                date(2026, 1, 10),
                date(2029, 1, 10),
                6.0,
                "passed",
            ),
            (
                "L-RG1",
                "REAG",
                "SUP-A",
                "RG100",
                date(2026, 2, 1),
                date(2027, 2, 1),
                100.0,
                "passed",
            ),
        ],
        "lot_id item_id supplier_id lot_number manufacture_date expiry_date quantity_received "
        "inspection_status",
    )
    serials = _frame(
        [
            ("STENT", "S1", "L-ST1", "issued", None, "C1"),
            ("STENT", "S2", "L-ST1", "in_stock", "H1", None),
            ("STENT", "S3", "L-ST1", "issued", None, "C3"),
            ("STENT", "S4", "L-ST1", "in_transit", "H2", None),
            ("STENT", "S5", "L-ST1", "in_stock", "CW", None),
            ("STENT", "S6", "L-ST1", "in_stock", "CW", None),
        ],
        "item_id serial_number lot_id status location_id customer_id",
    )
    stock = _frame(
        [
            (AS_OF, "STENT", "CW", "L-ST1", "available", 2.0),
            (AS_OF, "STENT", "H1", "L-ST1", "available", 1.0),
            (AS_OF, "REAG", "CW", "L-RG1", "available", 100.0),
        ],
        "snapshot_date item_id location_id lot_id status quantity",
    )
    purchase_orders = _frame(
        [
            (
                "PO1",
                1,
                "STENT",
                "CW",
                "SUP-A",
                day(1) - timedelta(days=60),
                6.0,
                4800.0,
                day(1),
                "received",
                6.0,
            ),
            (
                "PO2",
                1,
                "REAG",
                "CW",
                "SUP-A",
                day(2) - timedelta(days=30),
                100.0,
                750.0,
                day(1),
                "received",
                100.0,
            ),
            ("PO3", 1, "STENT", "CW", "SUP-A", day(14), 4.0, 4800.0, day(60), "open", 0.0),
        ],
        "po_id po_line item_id location_id supplier_id order_date quantity unit_price "
        "confirmed_date status quantity_received",
    )
    receipts = _frame(
        [
            ("GR1", "PO1", 1, "STENT", "CW", "SUP-A", "L-ST1", day(1), 6.0),
            ("GR2", "PO2", 1, "REAG", "CW", "SUP-A", "L-RG1", day(2), 100.0),
        ],
        "receipt_id po_id po_line item_id location_id supplier_id lot_id receipt_date quantity",
    )
    shipments = _frame(
        [
            ("SH1", "transfer", None, "CW", "DC", None, "SF", day(5), day(6), None),
            ("SH2", "transfer", None, "DC", "H1", None, "SF", day(8), day(9), None),
            ("SH3", "transfer", None, "DC", "H2", None, "SF", day(12), day(20), None),
        ],
        "shipment_id kind supplier_id from_location_id to_location_id po_id carrier "
        "dispatch_date arrival_date logger_id",
    )
    return {
        "lots": lots,
        "serials": serials,
        "stock_on_hand": stock,
        "purchase_orders": purchase_orders,
        "receipts": receipts,
        "shipments": shipments,
        "movements": _movements(),
        "temperature_readings": _readings(),
    }


def _readings() -> pd.DataFrame:
    """Hourly cold-room readings at CW on 3 and 4 March, all in range; on 4 March the readings
    of 10:00 to 13:00 are missing, and after 4 March the logger is silent."""
    times = [datetime(2026, 3, 3) + timedelta(hours=h) for h in range(24)]
    times += [datetime(2026, 3, 4) + timedelta(hours=h) for h in range(24) if not 10 <= h < 14]
    return pd.DataFrame(
        {
            "logger_id": "CR-CW",
            "reading_time": times,
            "temperature_c": 5.0,
            "location_id": "CW",
            "shipment_id": None,
        }
    )


def build_store(path: Path, *, index: bool = True) -> Path:
    """Write the hand-made store (and, by default, its trace index)."""
    with writer(path, create=True) as con:
        replace_tables(con, {**master_tables(), **transaction_tables()})
        if index:
            build_trace_index(con)
    return path


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_store(tmp_path_factory.mktemp("template") / "trace.duckdb")


@pytest.fixture
def store(template: Path, tmp_path: Path) -> Path:
    """A fresh copy of the hand-made store for each test."""
    copy = tmp_path / "trace.duckdb"
    shutil.copyfile(template, copy)
    return copy


@pytest.mark.parametrize("use_index", [True, False])
def test_recall_scope_follows_every_unit_across_hops(store: Path, use_index: bool) -> None:
    with reader(store) as con:
        scope = recall_scope(con, RecallSelector(lots=("L-ST1",)), use_index=use_index)
    assert scope.from_index is use_index and scope.as_of == AS_OF
    stock = scope.stock.set_index("location_id")["quantity"]
    assert stock[stock != 0].to_dict() == {"CW": 2.0, "H1": 1.0}
    transit = scope.transit.iloc[0]
    assert (transit["to_location_id"], transit["quantity"], transit["arrival_date"]) == (
        "H2",
        1.0,
        day(20),
    )
    customers = scope.customers.set_index("customer_id")
    assert customers["quantity"].to_dict() == {"C1": 1.0, "C3": 1.0}
    assert customers.loc["C1", "first_issue"] == day(10)
    assert customers.loc["C1", "procedure_references"] == "PROC-0042"
    assert customers.loc["C1", "issued_from"] == "H1"
    units = scope.units.set_index("serial_number")
    assert units["status"].to_dict() == {
        "S1": "issued",
        "S2": "in_stock",
        "S3": "issued",
        "S4": "in_transit",
        "S5": "in_stock",
        "S6": "in_stock",
    }
    assert units.loc["S2", "location_id"] == "H1" and units.loc["S1", "customer_id"] == "C1"
    lot = scope.lots.iloc[0]
    assert (lot["received"], lot["issued"], lot["in_stock"], lot["in_transit"]) == (
        6.0,
        2.0,
        3.0,
        1.0,
    )
    assert scope.complete
    assert "S:SUP-A → L:CW → L:DC → L:H1 → C:C1" in set(scope.routes["route"])


def test_both_paths_give_the_same_scope(store: Path) -> None:
    with reader(store) as con:
        a = recall_scope(con, RecallSelector(lots=("L-ST1", "L-RG1")), use_index=True)
        b = recall_scope(con, RecallSelector(lots=("L-ST1", "L-RG1")), use_index=False)
    for name in ("lots", "stock", "transit", "customers", "units", "routes"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))


def test_selectors_resolve_to_lots(store: Path) -> None:
    with reader(store) as con:
        by_serial = recall_scope(con, RecallSelector(serials=("S3",)))
        by_gtin = recall_scope(con, RecallSelector(gtins=(STENT_GTIN[1:],)))  # GTIN-13 form
        by_supplier = recall_scope(
            con, RecallSelector(suppliers=("SUP-A",), manufactured_from=date(2026, 1, 15))
        )
    assert by_serial.lots["lot_id"].tolist() == ["L-ST1"]
    assert by_serial.units.set_index("serial_number")["named"].sum() == 1
    assert by_gtin.lots["lot_id"].tolist() == ["L-ST1"]
    assert by_supplier.lots["lot_id"].tolist() == ["L-RG1"]


def test_recall_matching_nothing_says_why(store: Path) -> None:
    with reader(store) as con, pytest.raises(NoRecallMatchError) as caught:
        recall_scope(con, RecallSelector(suppliers=("SUP-A",), manufactured_to=date(2025, 1, 1)))
    assert str(caught.value) == (
        "recall matches no lot: supplier SUP-A → 2 lots; "
        "manufactured on or before 2025-01-01 → 0 lots"
    )
    with reader(store) as con, pytest.raises(NoRecallMatchError, match="lot NOPE → 0 lots"):
        recall_scope(con, RecallSelector(lots=("NOPE",)))


def test_stale_index_falls_back_to_the_movements(store: Path) -> None:
    move = _frame(
        [(day(13), "issue", "STENT", "L-ST1", "S5", "CW", None, "C3", None, 1.0)],
        "movement_date kind item_id lot_id serial_number from_location_id "
        "to_location_id customer_id reference quantity",
    )
    with writer(store) as con:
        post_movements(con, move)
        assert not index_is_fresh(con)
        scope = recall_scope(con, RecallSelector(lots=("L-ST1",)))
    assert not scope.from_index
    assert scope.customers.set_index("customer_id")["quantity"].to_dict() == {"C1": 1.0, "C3": 2.0}


def _usable(con: object, item: str, location: str) -> float:
    lots = lot_stock(con, AS_OF)  # type: ignore[arg-type]
    part = lots[(lots["item_id"] == item) & (lots["location_id"] == location) & lots["usable"]]
    return float(part["quantity"].sum())


def test_quarantine_is_one_transaction_and_blocks_the_supplier(store: Path) -> None:
    with writer(store) as con:
        scope = recall_scope(con, RecallSelector(lots=("L-ST1",)))
        assert _usable(con, "STENT", "CW") == 2.0
        result = quarantine_recall(
            con,
            scope,
            reason="dislodgement risk",
            placed_by="qa.lead",
            recall_id="RC-1",
            block_supplier=True,
            announced=date(2026, 3, 15),
        )
    assert result.quarantined.set_index("location_id")["quantity"].to_dict() == {
        "CW": 2.0,
        "H1": 1.0,
    }
    assert result.serials_updated == 4  # S2, S5, S6 in stock; S4 in transit
    assert result.blocks.to_dict("records") == [{"supplier_id": "SUP-A", "item_id": "STENT"}]
    with reader(store) as con:
        assert _usable(con, "STENT", "CW") == 0.0
        statuses = lot_stock(con, AS_OF).set_index(["item_id", "location_id"])["lot_status"]
        assert statuses[("STENT", "CW")] == "recalled"
        assert statuses[("REAG", "CW")] == "approved"
        recall = con.execute("SELECT supplier_id, item_id, recall_class FROM recalls").fetchall()
        assert recall == [("SUP-A", "STENT", "II")]
        held = con.execute("SELECT lot_id, kind, placed_by FROM lot_holds").fetchall()
        assert held == [("L-ST1", "recall", "qa.lead")]


def test_failed_quarantine_leaves_the_store_untouched(store: Path) -> None:
    before = store.read_bytes()
    with reader(store) as con:
        scope = recall_scope(con, RecallSelector(lots=("L-ST1",)))
    with pytest.raises(InputDataError, match="recall class 'IV'"), writer(store) as con:
        quarantine_recall(con, scope, reason="x", placed_by="qa", recall_class="IV")
    assert store.read_bytes() == before


def test_released_hold_returns_stock_to_usable(store: Path) -> None:
    from replenlib.store.recall_actions import place_hold

    with writer(store) as con:
        place_hold(con, "L-RG1", kind=HoldKind.MANUAL, reason="label check", placed_by="qa")
        assert _usable(con, "REAG", "CW") == 0.0
        assert release_holds(con, "L-RG1", released_by="qa.lead", reason="labels ok") == 1
        assert _usable(con, "REAG", "CW") == 100.0
        with pytest.raises(InputDataError, match="no active hold"):
            release_holds(con, "L-RG1", released_by="qa.lead", reason="again")


def _unchanged(store: Path, action: object, match: str) -> None:
    """Run ``action(con)`` in a writer, expect an InputDataError matching ``match`` and an
    untouched store file."""
    before = store.read_bytes()
    with pytest.raises(InputDataError, match=match), writer(store) as con:
        action(con)  # type: ignore[operator]
    assert store.read_bytes() == before


def _receipt(**changes: object) -> pd.DataFrame:
    row = {
        "receipt_id": "GR9",
        "po_id": "PO3",
        "po_line": 1,
        "item_id": "STENT",
        "location_id": "CW",
        "supplier_id": "SUP-A",
        "lot_id": "L-ST2",
        "receipt_date": day(15),
        "quantity": 2.0,
        **changes,
    }
    return pd.DataFrame([row])


def _lot(**changes: object) -> pd.DataFrame:
    row = {
        "lot_id": "L-ST2",
        "item_id": "STENT",
        "supplier_id": "SUP-A",
        "lot_number": "25K9",
        "manufacture_date": date(2026, 2, 1),
        "expiry_date": date(2029, 2, 1),
        **changes,
    }
    return pd.DataFrame([row])


def _units(*serials: str) -> pd.DataFrame:
    return pd.DataFrame({"item_id": "STENT", "serial_number": list(serials), "lot_id": "L-ST2"})


def test_receipt_for_an_unknown_purchase_order_is_refused(store: Path) -> None:
    _unchanged(
        store,
        lambda con: post_receipts(con, _receipt(po_id="PO404"), _lot(), _units("N1", "N2")),
        r"^receipts row 1, column po_id: purchase order PO404 line 1 does not exist "
        r"\(expected a line of table purchase_orders\)$",
    )
    _unchanged(
        store,
        lambda con: post_receipts(con, _receipt(supplier_id="SUP-B"), _lot(), _units("N1", "N2")),
        "receipts row 1, column supplier_id: differs from purchase order PO3 line 1, "
        "which expects SUP-A",
    )


def test_expiry_before_manufacture_is_refused(store: Path) -> None:
    _unchanged(
        store,
        lambda con: post_receipts(
            con, _receipt(), _lot(expiry_date=date(2025, 12, 31)), _units("N1", "N2")
        ),
        "lots row 1, column expiry_date: lot L-ST2 expires 2025-12-31, not after its "
        "manufacture date 2026-02-01",
    )


def test_serial_received_twice_is_refused(store: Path) -> None:
    _unchanged(
        store,
        lambda con: post_receipts(con, _receipt(), _lot(), _units("N1", "S5")),
        r"serials row 2, column serial_number: serial S5 of item STENT was already "
        r"received \(lot L-ST1, status in_stock\)",
    )
    _unchanged(
        store,
        lambda con: post_receipts(con, _receipt(), _lot(), _units("N1", "N1")),
        "serials row 2, column serial_number: serial N1 of item STENT is received twice",
    )
    _unchanged(
        store,
        lambda con: post_receipts(con, _receipt(), _lot(), _units("N1")),
        "lot L-ST2 of a serialised item receives 2 units but 1 serial numbers",
    )


def test_movement_of_a_serial_not_in_stock_at_its_source_is_refused(store: Path) -> None:
    issued_again = _frame(
        [(day(15), "transfer", "STENT", "L-ST1", "S1", "H1", "DC", None, None, 1.0)],
        "movement_date kind item_id lot_id serial_number from_location_id "
        "to_location_id customer_id reference quantity",
    )
    _unchanged(
        store,
        lambda con: post_movements(con, issued_again),
        r"movements row 1, column from_location_id: serial S1 of item STENT is not in "
        r"stock at H1: it is not in stock \(issued to C1\)",
    )
    wrong_place = issued_again.assign(serial_number="S5")
    _unchanged(
        store,
        lambda con: post_movements(con, wrong_place),
        "serial S5 of item STENT is not in stock at H1: it is at CW",
    )


def test_receipts_enter_pending_and_inspection_releases_them(store: Path) -> None:
    with writer(store) as con:
        summary = post_receipts(con, _receipt(), _lot(), _units("N1", "N2"))
        assert summary.rows == {"lots": 1, "receipts": 1, "serials": 2, "movements": 2}
        row = con.execute(
            "SELECT inspection_status, quantity_received FROM lots WHERE lot_id = 'L-ST2'"
        ).fetchone()
        assert row == ("pending", 2.0)
        assert con.execute(
            "SELECT quantity_received, status FROM purchase_orders WHERE po_id = 'PO3'"
        ).fetchone() == (2.0, "open")
        con.execute(
            "INSERT INTO stock_on_hand VALUES (?, 'STENT', 'CW', 'L-ST2', 'available', 2)", [AS_OF]
        )
        lots = lot_stock(con, AS_OF).set_index("lot_id")
        assert lots.loc["L-ST2", "lot_status"] == "inspection_pending"
        assert _usable(con, "STENT", "CW") == 2.0  # L-ST1 only
        with pytest.raises(InputDataError, match="a failed inspection needs a reason"):
            record_inspections(
                con,
                pd.DataFrame(
                    [
                        {
                            "inspection_id": "Q1",
                            "lot_id": "L-ST2",
                            "inspection_date": day(16),
                            "result": "failed",
                            "reason": None,
                        }
                    ]
                ),
            )
        record_inspections(
            con,
            pd.DataFrame(
                [
                    {
                        "inspection_id": "Q1",
                        "lot_id": "L-ST2",
                        "inspection_date": day(16),
                        "result": "passed",
                        "reason": None,
                    }
                ]
            ),
        )
        assert _usable(con, "STENT", "CW") == 4.0


def test_temperature_gap_is_reported_as_unknown_exposure_and_held(store: Path) -> None:
    with writer(store) as con:
        verdicts = evaluate_cold_chain(con, AS_OF).set_index("record_id")
        holds = hold_exposed_lots(con, AS_OF)
        assert _usable(con, "REAG", "CW") == 0.0
        assert hold_exposed_lots(con, AS_OF).empty  # one active hold is enough
    assert verdicts.loc["L:CR-CW:2026-03-03", "exposure"] == "safe"
    gap_day = verdicts.loc["L:CR-CW:2026-03-04"]
    assert gap_day["exposure"] == "unknown"  # a gap is not safe
    # 09:00 -> 14:00 without a reading: the 09:00 reading stands for 2 h (twice the hourly
    # interval), the other 3 h are unknown
    assert gap_day["longest_gap_minutes"] == pytest.approx(300.0)
    assert gap_day["unknown_minutes"] == pytest.approx(180.0)
    # the logger fell silent after 4 March: 5-14 March are unknown too (whole days)
    silent = verdicts.loc["L:CR-CW:2026-03-09"]
    assert (silent["exposure"], silent["n_readings"], silent["unknown_minutes"]) == (
        "unknown",
        0,
        1440.0,
    )
    assert holds["lot_id"].tolist() == ["L-RG1"]
    assert holds["reason"].iloc[0] == (
        "unknown exposure on L:CR-CW:2026-03-04: 180 min without readings (+10 more records)"
    )


def test_released_excursion_hold_is_not_placed_again(store: Path) -> None:
    with writer(store) as con:
        evaluate_cold_chain(con, AS_OF)
        hold_exposed_lots(con, AS_OF)
        release_holds(
            con,
            "L-RG1",
            released_by="qa.lead",
            reason="stability data covers it",
            kind=HoldKind.EXCURSION,
        )
        assert hold_exposed_lots(con, AS_OF).empty
        assert _usable(con, "REAG", "CW") == 100.0


def test_fefo_pick_list_skips_unusable_lots(store: Path) -> None:
    from replenlib.store.lot_state import fefo_pick_list

    with writer(store) as con:
        con.execute(
            "INSERT INTO lots VALUES ('L-RG0', 'REAG', 'SUP-A', 'RG099', DATE '2026-01-01',"
            " DATE '2026-04-01', 40, 'passed'), ('L-RG2', 'REAG', 'SUP-A', 'RG101', "
            "DATE '2026-02-15', DATE '2026-12-01', 30, 'pending')"
        )
        con.execute(
            "INSERT INTO stock_on_hand VALUES (?, 'REAG', 'CW', 'L-RG0', 'available', "
            "40), (?, 'REAG', 'CW', 'L-RG2', 'available', 30)",
            [AS_OF, AS_OF],
        )
        picks, short = fefo_pick_list(con, "REAG", "CW", 120.0, AS_OF)
    # L-RG0 expires first but is short-dated (< 30 days left); L-RG2 expires next but is
    # pending inspection; only L-RG1 (100, 2027) may be picked
    assert picks["lot_id"].tolist() == ["L-RG0", "L-RG2", "L-RG1"]
    assert picks["lot_status"].tolist() == ["short_dated", "inspection_pending", "approved"]
    assert picks["pick"].tolist() == [0.0, 0.0, 100.0]
    assert short == 20.0


def test_index_lookup_and_semi_join_give_the_same_scope(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from replenlib.store import trace_index

    selector = RecallSelector(lots=("L-ST1", "L-RG1"))
    with reader(store) as con:
        by_lookup = recall_scope(con, selector)
        monkeypatch.setattr(trace_index, "INDEX_LOOKUP_MAX_LOTS", 0)
        by_join = recall_scope(con, selector)
    for name in ("lots", "stock", "customers", "units", "routes"):
        pd.testing.assert_frame_equal(getattr(by_lookup, name), getattr(by_join, name))
