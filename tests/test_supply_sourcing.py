"""Sourcing: primary/backup, split rules and switch suggestions on hand-made candidates."""

from __future__ import annotations

import numpy as np

from replenlib.supply.sourcing import (
    Candidates,
    SourcingReason,
    SplitRule,
    SwitchTrigger,
    decide_sourcing,
    switch_suggestions,
)

PB, FS, GC = (
    r.value for r in (SplitRule.PRIMARY_BACKUP, SplitRule.FIXED_SHARE, SplitRule.GRADE_CAPACITY)
)


def _candidates() -> Candidates:
    # item 0: primary blocked -> backup; item 1: primary graded D, backup B -> backup;
    # item 2: primary A -> primary; item 3: only supplier blocked -> none;
    # item 4: fixed 70/30 with the 70 supplier blocked -> 100 % to the other;
    # item 5: grade x capacity, A (weight 1, capacity 30) and B (weight 0.7), need 100
    return Candidates(
        item=np.array([0, 0, 1, 1, 2, 2, 3, 4, 4, 5, 5]),
        supplier=np.array([0, 1, 0, 2, 1, 2, 3, 0, 1, 0, 1]),
        priority=np.array([1, 2, 1, 2, 1, 2, 1, 1, 2, 1, 2]),
        grade=np.array(list("ABDBABCAAAB"), dtype=object),
        blocked=np.array([1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0], dtype=bool),
        rule=np.array([PB] * 7 + [FS, FS, GC, GC], dtype=object),
        share=np.array([np.nan] * 7 + [0.7, 0.3, np.nan, np.nan]),
        capacity=np.array([np.nan] * 9 + [30.0, np.nan]),
    )


def test_main_supplier_and_reason_per_rule() -> None:
    c = _candidates()
    d = decide_sourcing(c, 6, [np.nan] * 5 + [100.0])
    assert d.main_row.tolist() == [1, 3, 4, -1, 8, 10]
    assert d.reason.tolist() == [
        SourcingReason.BACKUP_PRIMARY_BLOCKED.value,
        SourcingReason.BACKUP_PRIMARY_GRADE.value,
        SourcingReason.PRIMARY.value,
        SourcingReason.NO_ELIGIBLE_SUPPLIER.value,
        SourcingReason.FIXED_SHARE.value,
        SourcingReason.GRADE_CAPACITY.value,
    ]
    # water filling: A offered 100/1.7 = 58.8 but holds 30; B takes the other 70
    np.testing.assert_allclose(d.share, [0, 1, 0, 1, 1, 0, 0, 0, 1, 0.3, 0.7])


def test_grade_capacity_without_requirement_uses_grade_weights() -> None:
    c = _candidates()
    d = decide_sourcing(c, 6)
    np.testing.assert_allclose(d.share[9:], [1 / 1.7, 0.7 / 1.7])


def test_switch_suggestions_only_where_the_primary_is_still_used() -> None:
    c = _candidates()
    d = decide_sourcing(c, 6, [np.nan] * 5 + [100.0])
    fell = np.zeros(11, bool)
    fell[4] = True  # item 2's primary fell from A to ... (still A now, but falling)
    lots = np.zeros(11)
    out = switch_suggestions(c, 6, d, grade_fell=fell, blocked_lots=lots)
    assert out.tolist() == ["", "", SwitchTrigger.GRADE_FELL.value, "", "", ""]
    lots[4] = 2  # failed inspections instead
    out = switch_suggestions(c, 6, d, grade_fell=np.zeros(11, bool), blocked_lots=lots)
    assert out[2] == SwitchTrigger.BLOCKED_LOTS.value
