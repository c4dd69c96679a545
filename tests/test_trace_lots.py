"""Lot status precedence, usable stock and serial bookkeeping checks (hand-checked cases)."""

from __future__ import annotations

import numpy as np
import pytest

from replenlib.trace.lots import (
    LotStatus,
    derive_lot_status,
    lot_conditions,
    stock_by_status,
    usable_mask,
)
from replenlib.trace.recall import RecallSelector, lot_balance, replenishment_need
from replenlib.trace.serials import OUTSIDE, SerialFault, check_serial_moves, duplicated

# one row per reason; as of day 100; min remaining shelf life 30 days
CASES = [
    # stock status, inspection, holds, in recall, expiry day, expected
    ("available", "passed", "", False, 200.0, LotStatus.APPROVED),
    ("available", "passed", "", False, np.nan, LotStatus.APPROVED),  # does not expire
    ("available", "passed", "", False, 120.0, LotStatus.SHORT_DATED),  # 20 < 30 days left
    ("available", "passed", "", False, 100.0, LotStatus.EXPIRED),
    ("expired", "passed", "", False, 300.0, LotStatus.EXPIRED),
    ("available", "pending", "", False, 200.0, LotStatus.INSPECTION_PENDING),
    ("quarantine", "pending", "", False, 200.0, LotStatus.INSPECTION_PENDING),
    ("quarantine", "passed", "", False, 200.0, LotStatus.QUARANTINED),
    ("available", "failed", "", False, 200.0, LotStatus.QUARANTINED),
    ("blocked", "passed", "", False, 200.0, LotStatus.QUARANTINED),
    ("available", "passed", "excursion", False, 200.0, LotStatus.EXCURSION),
    ("available", "pending", "excursion", False, 200.0, LotStatus.EXCURSION),
    ("available", "passed", "manual", False, 200.0, LotStatus.ON_HOLD),
    ("on_hold", "passed", "", False, 200.0, LotStatus.ON_HOLD),
    ("available", "passed", "damaged", False, 200.0, LotStatus.DAMAGED),
    ("damaged", "failed", "", False, 50.0, LotStatus.DAMAGED),
    ("available", "passed", "", True, 200.0, LotStatus.RECALLED),  # named by a recall
    ("available", "passed", "excursion,recall", False, 50.0, LotStatus.RECALLED),
    ("recalled", "passed", "", False, 200.0, LotStatus.RECALLED),
]


def _conditions() -> tuple:
    stock, insp, holds, recall, expiry, want = zip(*CASES, strict=True)
    return (
        lot_conditions(
            stock_status=stock,
            inspection=insp,
            active_holds=holds,
            in_recall=recall,
            expiry_day=expiry,
            min_remaining_days=np.full(len(CASES), 30.0),
            as_of_day=100,
        ),
        [w.value for w in want],
    )


def test_status_precedence_worst_reason_wins() -> None:
    conditions, want = _conditions()
    assert derive_lot_status(conditions).tolist() == want


def test_only_approved_stock_is_usable_and_sums_per_group() -> None:
    conditions, _ = _conditions()
    status = derive_lot_status(conditions)
    usable = usable_mask(status)
    assert usable.sum() == 2
    group = np.arange(len(CASES)) % 2
    qty = np.arange(1.0, len(CASES) + 1)
    stock = stock_by_status(group, status, qty, 2)
    np.testing.assert_allclose(stock.usable, [1.0, 2.0])  # rows 0 and 1 only
    np.testing.assert_allclose(stock.quantity.sum(axis=1), [qty[0::2].sum(), qty[1::2].sum()])
    assert stock.of(LotStatus.RECALLED).sum() == qty[16] + qty[17] + qty[18]


def test_unknown_labels_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown stock status 'lost'"):
        lot_conditions(
            stock_status=["lost"],
            inspection=["passed"],
            active_holds=[""],
            in_recall=[False],
            expiry_day=[1.0],
            min_remaining_days=[0.0],
            as_of_day=0,
        )
    with pytest.raises(ValueError, match="unknown inspection result"):
        lot_conditions(
            stock_status=["available"],
            inspection=["ok"],
            active_holds=[""],
            in_recall=[False],
            expiry_day=[1.0],
            min_remaining_days=[0.0],
            as_of_day=0,
        )


def test_serial_moves_follow_the_unit() -> None:
    # serial 0 at location 1 goes 1 -> 2 -> customer; serial 1 is received at 3
    check = check_serial_moves(
        serial=[0, 0, 1],
        order_key=[1, 2, 1],
        from_location=[1, 2, OUTSIDE],
        to_location=[2, OUTSIDE, 3],
        current_location=[1, OUTSIDE],
    )
    assert check.ok and check.final_location.tolist() == [OUTSIDE, 3]


def test_serial_moved_from_where_it_is_not_is_caught_in_time_order() -> None:
    # rows out of time order: the second move (key 2) starts at 1 but the unit went to 2
    check = check_serial_moves([0, 0], [2, 1], [1, 1], [3, 2], [1])
    assert not check.ok
    assert check.row == 0 and check.fault is SerialFault.NOT_IN_STOCK_AT_SOURCE
    assert check.expected_location == 2


def test_serial_received_twice_is_caught() -> None:
    check = check_serial_moves([0], [1], [OUTSIDE], [4], [2])
    assert check.fault is SerialFault.ALREADY_IN_STOCK and check.expected_location == 2
    assert duplicated(["a", "b", "a", "c", "b"]).tolist() == [False, False, True, False, True]


def test_recall_selector_needs_a_criterion_and_a_valid_range() -> None:
    from datetime import date

    with pytest.raises(ValueError, match="at least one criterion"):
        RecallSelector()
    with pytest.raises(ValueError, match="range is empty"):
        RecallSelector(manufactured_from=date(2026, 2, 1), manufactured_to=date(2026, 1, 1))
    text = RecallSelector(lots=("L1", "L2"), manufactured_to=date(2026, 1, 1)).describe()
    assert text == "lot L1, L2; manufactured … to 2026-01-01"


def test_lot_balance_and_replenishment_need() -> None:
    balance = lot_balance(
        received=[100, 50],
        adjusted_in=[0, 0],
        returned_by_customers=[2, 0],
        issued=[60, 10],
        scrapped=[1, 0],
        returned_to_supplier=[0, 0],
        adjusted_out=[1, 0],
        in_stock=[30, 30],
        in_transit=[10, 0],
    )
    np.testing.assert_allclose(balance.unaccounted, [0.0, 10.0])
    assert balance.complete.tolist() == [True, False]
    # IP 50, quarantine 20 -> 30 <= s = 35 -> order up to S = 80: 50; IP 100 -> no need
    need = replenishment_need([20.0, 20.0], [50.0, 100.0], [35.0, 35.0], [80.0, 80.0])
    np.testing.assert_allclose(need, [50.0, 0.0])
