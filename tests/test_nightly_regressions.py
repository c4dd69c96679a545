"""Regressions of the nightly run found when the capabilities were put together."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import tests.plan_store as plan_store
from replenlib.demand.distributions import DemandDistribution, Family
from replenlib.pipeline.nightly import run_nightly
from replenlib.policy.service import review_period_moments
from replenlib.store import reader, replace_tables, writer


def test_review_period_moments_fall_back_to_the_protection_rate_only_without_a_rate() -> None:
    protection = DemandDistribution(
        family=np.array([Family.NORMAL] * 3, dtype=object),
        mean=np.array([120.0, 30.0, 0.0]),
        variance=np.array([400.0, 90.0, 0.0]),
    )
    # row 0: a forecast rate (10/day, 7-day review → 70); row 1: known demand only (30 units
    # over 5 + 7 days → 30·7/12 = 17.5 per review); row 2: nothing expected
    mean, variance = review_period_moments(
        protection, [12.0, 12.0, 12.0], [7.0, 7.0, 7.0], [10.0, 0.0, 0.0], [4.0, 0.0, 0.0]
    )
    np.testing.assert_allclose(mean, [70.0, 17.5, 0.0])
    np.testing.assert_allclose(variance, [28.0, 90.0 * 7 / 12, 0.0])


def _store_with_a_tender_on_an_item_without_history(path: Path, quantity: float) -> Path:
    """The plan store with I5 active (no demand: its history is all zeros) and a won tender."""
    items = plan_store._items()
    items.loc[items["item_id"] == "I5", "end_of_life_date"] = None
    tables = plan_store.tables()
    tables["items"] = items
    with writer(path, fresh=True) as con:
        replace_tables(con, tables)
        signal = pd.DataFrame(
            {
                "signal_id": ["T1"],
                "kind": ["tender"],
                "item_id": ["I5"],
                "location_id": ["CW"],
                "customer_id": [None],
                "signal_date": [plan_store.AS_OF + timedelta(days=3)],
                "quantity": [quantity],
                "probability": [1.0],
                "status": ["won"],
                "reference": ["TENDER-1"],
            }
        )
        con.register("_signal", signal)
        con.execute("INSERT INTO demand_signals SELECT * FROM _signal")
    return path


def test_an_active_item_without_history_with_known_demand_is_planned(tmp_path: Path) -> None:
    """Used to fail: ValueError '(R, S) and (R, s, S) rows need a review period > 0' (the
    periodic rule saw a zero review-period demand under a positive protection demand)."""
    db = _store_with_a_tender_on_an_item_without_history(tmp_path / "s.duckdb", 100.0)
    run_nightly(db)
    with reader(db) as con:
        row = con.execute(
            "SELECT policy_type, review_period_days, order_up_to FROM policy_parameters "
            "WHERE item_id = 'I5'"
        ).fetchone()
        proposed = con.execute(
            "SELECT sum(quantity) FROM proposals WHERE item_id = 'I5'"
        ).fetchone()
    assert row is not None and row[0] == "R_S" and row[1] == pytest.approx(7.0)
    assert row[2] == pytest.approx(100.0)  # the tender is certain: S covers it exactly
    # 40 on hand, 100 due in 3 days: the run orders the 60 missing units
    assert proposed is not None and proposed[0] == pytest.approx(60.0)
