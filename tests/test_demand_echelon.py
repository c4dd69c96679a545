"""Dependent (echelon) demand: a parent stock point covers its own customers plus the stock
points it replenishes — in the demand layer, the nightly run and the simulation alike.

The hand-made network (one item): central warehouse CW (row 0) → distribution centre DC (row 1)
→ hospitals H1 (row 2) and H2 (row 3); a second DC2 (row 4) is bought from suppliers.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import tests.plan_store as plan_store
from replenlib.demand.echelon import echelon_demand, has_children, subtree_pairs
from replenlib.demand.panel import plan_demand
from replenlib.pipeline.inputs import parent_rows
from replenlib.pipeline.nightly import run_nightly
from replenlib.pipeline.scenario_inputs import read_scenario_base
from replenlib.store import reader, replace_tables, writer

PARENT = np.array([-1, 0, 1, 1, -1])
OWN = np.array([10.0, 20.0, 5.0, 7.0, 3.0])  # own customers' demand [units/day]


def test_echelon_demand_of_the_hand_made_network() -> None:
    # CW: 10 + 20 + 5 + 7 = 42; DC: 20 + 5 + 7 = 32; hospitals and DC2 their own
    np.testing.assert_allclose(echelon_demand(OWN, PARENT), [42.0, 32.0, 5.0, 7.0, 3.0])
    paths = np.column_stack([OWN, 2 * OWN])  # a forecast path rolls up period by period
    np.testing.assert_allclose(echelon_demand(paths, PARENT)[0], [42.0, 84.0])
    np.testing.assert_array_equal(has_children(PARENT), [True, True, False, False, False])
    pairs = subtree_pairs(PARENT)
    assert [p.distance for p in pairs] == [0, 1, 2]
    assert list(zip(pairs[1].member, pairs[1].ancestor, strict=True)) == [(1, 0), (2, 1), (3, 1)]
    assert list(zip(pairs[2].member, pairs[2].ancestor, strict=True)) == [(2, 0), (3, 0)]
    with pytest.raises(ValueError, match="cycle"):
        echelon_demand([1.0, 1.0], [1, 0])


def test_parent_rows_follow_the_source_location_of_the_same_item() -> None:
    series = pd.DataFrame(
        {
            "item_id": ["A", "A", "A", "B", "B"],
            "location_id": ["CW", "DC", "H1", "DC", "H1"],
            "source_location_id": [None, "CW", "DC", None, "CW"],  # B's CW is not planned
        }
    )
    np.testing.assert_array_equal(parent_rows(series), [-1, 0, 1, -1, -1])


def test_a_parent_covers_its_subtree_exactly_on_constant_demand() -> None:
    weekly = np.repeat(7 * OWN[:, None], 104, axis=1)  # constant: forecasts are exact
    plan = replace(plan_demand(weekly), parent=PARENT)
    flat = plan.panel_forecast()
    np.testing.assert_allclose(flat.mean, 7 * np.array([42.0, 32.0, 5.0, 7.0, 3.0]))
    assert flat.dependent is not None
    np.testing.assert_allclose(flat.dependent, 7 * np.array([32.0, 12.0, 0, 0, 0]), atol=1e-9)
    # lead time 4 weeks ± 1 week, review 1 week: μ = 42·7·5 = 1470 at CW, and with exact
    # forecasts the only variance is the lead-time term d_e² σ_L² = (42·7)² · 1²
    ltd = plan.lead_time_demand(np.full(5, 4.0), np.full(5, 1.0), np.full(5, 1.0))
    np.testing.assert_allclose(ltd.mean, 7 * 5 * np.array([42.0, 32.0, 5.0, 7.0, 3.0]))
    np.testing.assert_allclose(ltd.variance, (7 * np.array([42.0, 32.0, 5.0, 7.0, 3.0])) ** 2)


def test_each_member_counts_over_its_ancestors_protection_interval() -> None:
    """Known numbers: exact forecasts plus two won tenders (added on top of the forecast)
    with known variances, 30 units (variance 100) at H1 in week 2 and 20 units (variance 50)
    at H2 in week 6. The CW protects 7 weeks (both tenders count), the DC 3 weeks (H1's only),
    H2 itself 2 weeks (neither)."""
    weekly = np.repeat(7 * OWN[:, None], 104, axis=1)
    plan = replace(plan_demand(weekly), parent=PARENT)
    known, variance = np.zeros((5, 26)), np.zeros((5, 26))
    known[2, 1], variance[2, 1] = 30.0, 100.0
    known[3, 5], variance[3, 5] = 20.0, 50.0
    lead = np.array([6.0, 2.0, 1.0, 1.0, 1.0])
    ltd = plan.lead_time_demand(
        lead, np.zeros(5), np.ones(5), known=known, baseline_share=0.0, known_variance=variance
    )
    np.testing.assert_allclose(
        ltd.mean, [42 * 7 * 7 + 50, 32 * 7 * 3 + 30, 5 * 7 * 2 + 30, 7 * 7 * 2, 3 * 7 * 2]
    )
    np.testing.assert_allclose(ltd.variance, [150.0, 100.0, 100.0, 0.0, 0.0])


def test_a_parents_lead_time_demand_adds_its_members_on_noisy_demand() -> None:
    rng = np.random.default_rng(11)
    weekly = rng.poisson(7 * OWN[:, None], (5, 104)).astype(float)
    own = plan_demand(weekly)
    rolled = replace(own, parent=PARENT)
    lead, spread, review = np.array([6.0, 2.0, 1.0, 1.0, 3.0]), np.zeros(5), np.ones(5)
    got = rolled.lead_time_demand(lead, spread, review)
    # reference: every series on its own over the CW's (row 0) interval, summed. The bias and
    # error ratios of a method and class are pooled over the windows of all its series, which
    # differ between the two calls: means agree to 1 %, variances to 15 %
    over_cw = own.lead_time_demand(np.full(5, lead[0]), spread, np.full(5, review[0]))
    assert got.mean[0] == pytest.approx(over_cw.mean[:4].sum(), rel=0.01)
    assert got.variance[0] == pytest.approx(over_cw.variance[:4].sum(), rel=0.15)
    alone = own.lead_time_demand(lead, spread, review)  # leaves and DC2: unchanged
    np.testing.assert_allclose(got.mean[2:], alone.mean[2:])
    np.testing.assert_allclose(got.variance[2:], alone.variance[2:])
    assert got.variance[0] > got.variance[1] > alone.variance[1]


def _three_level_store(path: Path) -> Path:
    """The plan store with item I4 at CW (own customers 5/day) → DC1 (20/day) → H1 (20/day)."""
    tables = plan_store.tables()
    demand = tables["demand_history"]
    days = demand.loc[demand["item_id"] == "I4", "demand_date"].drop_duplicates()
    rng = np.random.default_rng(5)
    cw = pd.DataFrame(
        {"item_id": "I4", "location_id": "CW", "demand_date": days.to_numpy(),
         "quantity": rng.poisson(5.0, len(days)).astype(float)}
    ).assign(quantity_shipped=lambda f: f["quantity"])  # fmt: skip
    tables["demand_history"] = pd.concat([demand, cw], ignore_index=True)
    network = tables["item_location"]
    network.loc[(network["item_id"] == "I4") & (network["location_id"] == "DC1"), [
        "source_location_id", "transfer_lead_time_days"]] = ["CW", 3]  # fmt: skip
    extra = network.iloc[[0]].assign(
        item_id="I4", location_id="CW", source_location_id=None, transfer_lead_time_days=None
    )
    tables["item_location"] = pd.concat([network, extra], ignore_index=True)
    tables["stock_on_hand"] = pd.concat(
        [tables["stock_on_hand"], tables["stock_on_hand"].iloc[[5]].assign(location_id="CW")],
        ignore_index=True,
    )
    with writer(path, fresh=True) as con:
        replace_tables(con, tables)
    return path


@pytest.fixture(scope="module")
def three_level(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = _three_level_store(tmp_path_factory.mktemp("echelon") / "s.duckdb")
    run_nightly(db)
    return db


def test_the_nightly_run_stores_what_each_stock_point_covers(three_level: Path) -> None:
    with reader(three_level) as con:
        f = (
            con.execute(
                "SELECT location_id, mean_daily, dependent_mean_daily, std_daily FROM forecasts "
                "WHERE item_id = 'I4'"
            )
            .df()
            .set_index("location_id")
        )
        ltd = (
            con.execute(
                "SELECT location_id, mean, std, protection_days FROM lead_time_demand "
                "WHERE item_id = 'I4'"
            )
            .df()
            .set_index("location_id")
        )
        params = (
            con.execute(
                "SELECT location_id, reorder_point FROM policy_parameters WHERE item_id = 'I4'"
            )
            .df()
            .set_index("location_id")
        )
        kpi = con.execute(
            "SELECT value FROM run_kpis WHERE kpi = 'fill_rate' AND scope = 'all'"
        ).fetchone()
    own = f["mean_daily"] - f["dependent_mean_daily"]
    assert own["CW"] == pytest.approx(5.0, rel=0.15) and own["H1"] == pytest.approx(20, rel=0.1)
    # CW covers own + DC1's own + H1's; DC1 covers own + H1's; the leaf its own
    assert f.loc["CW", "mean_daily"] == pytest.approx(own.sum(), rel=1e-12)
    assert f.loc["DC1", "mean_daily"] == pytest.approx(own["DC1"] + own["H1"], rel=1e-12)
    assert f.loc["H1", "dependent_mean_daily"] == 0.0
    # errors of independent customers: variances add, so the CW's exceeds the DC's
    assert f.loc["CW", "std_daily"] > f.loc["DC1", "std_daily"] > f.loc["H1", "std_daily"]
    # lead-time demand over the CW's own protection interval, of the rolled-up rate
    assert ltd.loc["CW", "mean"] == pytest.approx(
        f.loc["CW", "mean_daily"] * ltd.loc["CW", "protection_days"], rel=0.1
    )
    assert ltd.loc["CW", "mean"] > 8 * ltd.loc["CW", "protection_days"] * own["CW"]
    assert params.loc["CW", "reorder_point"] > ltd.loc["CW", "mean"] * 0.5
    assert kpi is not None and 0.0 <= kpi[0] <= 1.0


def test_the_simulation_faces_the_same_covered_demand(three_level: Path) -> None:
    with reader(three_level) as con:
        base = read_scenario_base(con)
        own = (
            con.execute(
                "SELECT location_id, sum(quantity) AS q FROM demand_history WHERE item_id = 'I4' "
                "GROUP BY 1"
            )
            .df()
            .set_index("location_id")["q"]
        )
    rows = {loc: k for k, (i, loc) in enumerate(
        zip(base.base.item_id, base.base.location_id, strict=True)) if i == "I4"}  # fmt: skip
    total = base.history.sum(axis=1)
    assert total[rows["CW"]] == pytest.approx(own.sum())
    assert total[rows["DC1"]] == pytest.approx(own["DC1"] + own["H1"])
    assert total[rows["H1"]] == pytest.approx(own["H1"])
    # stockout and fill-rate KPIs count the CW's own customers only
    share = base.base.customer_share
    assert share[rows["CW"]] == pytest.approx(own["CW"] / own.sum(), rel=1e-9)
    assert share[rows["H1"]] == pytest.approx(1.0)
    # the policy the simulation plans with uses the rolled-up forecast, as the nightly run
    with reader(three_level) as con:
        nightly = (
            con.execute("SELECT location_id, mean_daily FROM forecasts WHERE item_id = 'I4'")
            .df()
            .set_index("location_id")["mean_daily"]
        )
    assert base.base.forecast_mean[rows["CW"]] == pytest.approx(nightly["CW"], rel=1e-9)
