"""Supplier scorecard: each metric on a hand-checked case, score, grades, trend."""

from __future__ import annotations

import numpy as np
import pytest

from replenlib.kpi import definitions as k
from replenlib.supply.scorecard import (
    Grade,
    GradeThresholds,
    InspectionRows,
    LineRows,
    PurchaseRows,
    ReceiptRows,
    ScoreWeights,
    ShipmentRows,
    grade_fell,
    score_suppliers,
    score_trend,
    supplier_metrics,
)


def _metrics(**kw: object) -> object:
    # supplier 0: 5 receipts, confirmed day 10; received days 8, 10, 12, 13, 20
    #   late tolerance 2 -> on time: 8, 10, 12 = 3/5; with early tolerance 1 -> 10, 12 = 2/5
    # supplier 1: 1 receipt on day 10, confirmed 10 -> 1/1
    receipts = ReceiptRows(
        group=np.array([0, 0, 0, 0, 0, 1]),
        receipt_day=np.array([8, 10, 12, 13, 20, 10]),
        confirmed_day=np.full(6, 10),
        lead_days=np.array([10.0, 12.0, 14.0, np.nan, 14.0, 30.0]),  # NaN: a 2nd partial receipt
    )
    lines = LineRows(
        group=np.array([0, 0, 1]),
        ordered=np.array([100.0, 50.0, 10.0]),
        received=np.array([120.0, 30.0, 10.0]),  # over-delivery of line 1 does not count
    )
    inspections = InspectionRows(np.array([0, 0, 0, 0, 1]), np.array([1, 1, 1, 0, 1], bool))
    shipments = ShipmentRows(
        np.array([0, 0, 0, 0]), np.array([1, 0, 0, 0], bool), np.array([0, 1, 0, 0], bool)
    )
    purchases = PurchaseRows(
        np.array([0, 1]), np.array([10.0, 10.0]), np.array([11.0, 5.0]), np.array([10.0, 5.0])
    )
    args = {"late_days": 2, "early_days": None, **kw}
    return supplier_metrics(
        2,
        receipts=receipts,
        lines=lines,
        inspections=inspections,
        shipments=shipments,
        purchases=purchases,
        **args,
    )  # type: ignore[arg-type]


def test_each_metric_on_a_hand_checked_case() -> None:
    m = _metrics()
    np.testing.assert_allclose(m.n_receipts, [5, 1])
    np.testing.assert_allclose(m.on_time_rate, [3 / 5, 1.0])
    np.testing.assert_allclose(_metrics(early_days=1).on_time_rate, [2 / 5, 1.0])
    np.testing.assert_allclose(m.quantity_fill_rate, [(100 + 30) / 150, 1.0])
    np.testing.assert_allclose(m.pass_rate, [3 / 4, 1.0])
    np.testing.assert_allclose(m.excursion_rate, [1 / 4, np.nan])
    np.testing.assert_allclose(m.unknown_exposure_rate, [1 / 4, np.nan])
    np.testing.assert_allclose(m.lead_time_mean, [12.5, 30.0])  # (10+12+14+14)/4
    cv = np.std([10.0, 12.0, 14.0, 14.0]) / 12.5  # population std of the observations
    np.testing.assert_allclose(m.lead_time_cv, [cv, 0.0])
    np.testing.assert_allclose(m.price_index, [1.1, 1.0])


def test_scalar_kpis_agree_with_the_grouped_metrics() -> None:
    assert k.on_time_delivery_rate([8, 10, 12, 13, 20], [10] * 5, 2) == pytest.approx(0.6)
    assert k.on_time_delivery_rate([8, 10, 12], [10] * 3, 2, early_tolerance_days=1) == (
        pytest.approx(2 / 3)
    )
    assert k.quantity_fill_rate([100, 50], [120, 30]) == pytest.approx(130 / 150)
    assert k.cold_chain_excursion_rate([True, False, False, False]) == pytest.approx(0.25)
    assert k.supplier_grade_ab_share(["A", "B", "C", "-"]) == pytest.approx(2 / 3)
    assert np.isnan(k.cold_chain_excursion_rate([]))


def test_score_is_the_weighted_mean_of_known_components() -> None:
    m = _metrics()
    card = score_suppliers(m, ScoreWeights(), GradeThresholds(min_receipts=1))
    # supplier 1: on time 1, fill 1, quality 1, cold chain unknown, reliability 1, price 1
    assert card.score[1] == pytest.approx(1.0)
    w = ScoreWeights()
    cv = np.std([10.0, 12.0, 14.0, 14.0]) / 12.5
    parts = {
        "on_time": 0.6,
        "quantity_fill": 130 / 150,
        "quality": 0.75,
        "cold_chain": 0.75,
        "lead_time_reliability": 1 - cv,
        "price": 1 / 1.1,
    }
    want = sum(getattr(w, c) * v for c, v in parts.items()) / 1.0
    assert card.score[0] == pytest.approx(want)
    # pass rate 0.75 < quality floor 0.80 -> D whatever the score
    assert card.grade.tolist() == ["D", "A"]


def test_grade_thresholds_evidence_and_parameters() -> None:
    m = _metrics()
    t = GradeThresholds(a=0.99, b=0.9, c=0.5, min_receipts=2, quality_floor=0.5)
    card = score_suppliers(m, thresholds=t)
    assert card.grade.tolist() == ["C", Grade.UNRATED.value]  # score ≈ 0.73; 1 receipt only
    with pytest.raises(ValueError, match="c ≤ b ≤ a"):
        GradeThresholds(a=0.8, b=0.9)


def test_trend_and_grade_fall() -> None:
    scores = np.array(
        [
            [0.90, 0.91, 0.92, 0.80],
            [0.9, 0.9, 0.9, 0.95],
            [np.nan] * 3 + [0.9],
            [0.9, np.nan, 0.9, 0.91],
        ]
    )
    assert score_trend(scores).tolist() == ["declining", "improving", "unknown", "stable"]
    assert grade_fell(["B", "A", "-", "D"], ["A", "A", "A", "-"]).tolist() == [
        True,
        False,
        False,
        False,
    ]
