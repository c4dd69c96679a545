"""The strategy table: default tiers, overrides, validation messages, versioned storage."""

from __future__ import annotations

import json
from datetime import date

import duckdb
import numpy as np
import pandas as pd
import pytest

from replenlib.pipeline.inputs import PlanningInputs
from replenlib.pipeline.planning import plan
from replenlib.pipeline.policy_versions import current_strategy
from replenlib.pipeline.proposals import OrderContext, propose
from replenlib.plan.thresholds import PlanThresholds
from replenlib.policy.strategy import (
    Override,
    PolicyType,
    Segment,
    SegmentAttributes,
    ServiceMeasure,
    Strategy,
    StrategyError,
    SupplierMinimum,
    Tier,
    TierRule,
    resolve,
    with_override,
)
from replenlib.store.schema import MIGRATIONS


def _attributes(**columns: list[object]) -> SegmentAttributes:
    n = len(next(iter(columns.values())))
    base = {"item_id": [f"I{i}" for i in range(n)], "location_id": ["L1"] * n}
    base.update(columns)
    return SegmentAttributes(**{k: np.asarray(v, dtype=object) for k, v in base.items()})


def test_default_tiers_follow_the_field() -> None:
    attributes = _attributes(
        criticality=["critical", "low", "high", "medium", "medium", "low", "medium"],
        risk_class=["II", "III", "I", "I", "I", "I", "I"],
        is_cold_chain=[False, False, False, True, False, False, False],
        is_substitutable=[False, False, False, False, True, False, False],
        demand_class=["smooth", "smooth", "smooth", "smooth", "smooth", "lumpy", "smooth"],
        lifecycle=["mature", "mature", "mature", "mature", "mature", "mature", "end_of_life"],
    )
    resolved = resolve(Strategy(), attributes)
    assert list(resolved.tier) == ["critical", "critical", "high", "high", "low", "low", "run_down"]
    assert resolved.service_measure[0] == ServiceMeasure.CYCLE_SERVICE_LEVEL
    assert resolved.service_measure[4] == ServiceMeasure.CYCLE_SERVICE_LEVEL
    assert resolved.service_measure[6] == ServiceMeasure.EXPECTED_DEMAND  # no new safety stock
    assert resolved.review_period_days[0] == 1.0 and resolved.review_period_days[4] == 1.0
    assert resolved.review_period_days[6] == 7.0  # run-down: weekly


def test_item_overrides_beat_segment_overrides() -> None:
    strategy = Strategy(
        overrides=(
            Override("seasonal gloves", segment=Segment(criticality=("low",)), service_target=0.9),
            Override("tender contract", item_id="I1", location_id="L1", service_target=0.97),
            Override("pilot DDMRP", item_id="I2", policy_type=PolicyType.DDMRP,
                     service_measure=ServiceMeasure.DDMRP_BUFFER),
        )
    )  # fmt: skip
    resolved = resolve(strategy, _attributes(criticality=["low", "low", "low"]))
    np.testing.assert_allclose(resolved.service_target[:2], [0.9, 0.97])
    assert resolved.policy_type[2] == PolicyType.DDMRP
    assert list(resolved.override) == ["seasonal gloves", "tender contract", "pilot DDMRP"]


@pytest.mark.parametrize(
    "make,message",
    [
        (lambda: TierRule(Tier.LOW, ServiceMeasure.FILL_RATE, 1.2, 7.0), r"tier low: fill_rate target 1.2 must lie in \(0, 1\)"),
        (lambda: TierRule(Tier.LOW, ServiceMeasure.FILL_RATE, 0.9, 0.0, PolicyType.R_S), "tier low: policy R_S needs a review period > 0"),
        (lambda: TierRule(Tier.LOW, ServiceMeasure.FILL_RATE, 0.9, 7.0, PolicyType.MIN_MAX), "policy min_max cannot use service measure fill_rate"),
        (lambda: Strategy(overrides=(Override("", item_id="X", service_target=0.9),)), "override 1 \\(item X\\): an override needs a reason"),
        (lambda: Strategy(overrides=(Override("r", item_id="X"),)), "override 1 \\(item X\\): an override must change"),
        (lambda: Strategy(overrides=(Override("r", item_id="X", service_target=0.9), Override("s", item_id="X", service_target=0.8))), "override 2 \\(item X\\): duplicate"),
        (lambda: Strategy(overrides=(Override("r", segment=Segment(xyz=("W",)), service_target=0.9),)), r"override 1: xyz \['W'\] not in"),
        (lambda: Strategy(segments=()), "the last segment rule must match everything"),
    ],
)  # fmt: skip
def test_invalid_rows_are_rejected_with_row_and_field(make: object, message: str) -> None:
    with pytest.raises(StrategyError, match=message):
        make()  # type: ignore[operator]


def test_override_producing_an_inconsistent_rule_is_rejected() -> None:
    strategy = with_override(
        Strategy(), Override("bad", item_id="I0", policy_type=PolicyType.MIN_MAX)
    )
    with pytest.raises(StrategyError, match="override 1 \\(bad\\): policy min_max cannot use"):
        resolve(strategy, _attributes(criticality=["low"]))


def test_json_round_trip_and_format_1_bodies() -> None:
    strategy = with_override(Strategy(), Override("r", item_id="I9", tier=Tier.CRITICAL))
    assert Strategy.from_json(strategy.to_json()) == strategy
    legacy = json.dumps({
        "rules": [{"tier": "low", "service_measure": "cycle_service_level", "service_target": 0.9, "review_period_days": 7.0}],
        "ordering_cost": 250.0, "holding_rate": 0.2,
    })  # fmt: skip
    old = Strategy.from_json(legacy)
    assert old.rule(Tier.LOW).service_target == 0.9 and old.ordering_cost == 250.0
    with pytest.raises(StrategyError, match="unknown TierRule field"):
        Strategy.from_json(legacy.replace('"tier"', '"tierx": 1, "tier"'))


def test_default_strategy_is_stored_as_version_1_and_read_back() -> None:
    con = duckdb.connect()
    for migration in MIGRATIONS:
        for statement in migration.statements:
            con.execute(statement)
    version, strategy = current_strategy(con)
    assert (version, strategy) == (1, Strategy())
    assert current_strategy(con) == (1, Strategy())


def _planning_inputs() -> PlanningInputs:
    rng = np.random.default_rng(3)
    n = 6
    series = pd.DataFrame({
        "item_id": [f"I{i}" for i in range(n)], "location_id": "L1",
        "source_location_id": [None] * n, "transfer_lead_time_days": [None] * n, "category": "x",
        "criticality": ["critical", "high", "medium", "low", "medium", "low"],
        "risk_class": ["III", "II", "II", "I", "I", "I"],
        "is_cold_chain": [False, True, False, False, False, False],
        "unit_cost": [500.0, 80, 20, 5, 12, 9], "shelf_life_days": [None, 120, None, None, 730, None],
        "min_remaining_shelf_life_days": [None, 30, None, None, 90, None],
        "is_active": [True, True, True, True, True, False],
        "supplier_id": ["S0", "S1", "S2", "S0", "S1", "S2"], "unit_price": [500.0, 80, 20, 5, 12, 9],
        "moq": [1.0, 10, 1, 50, 1, 1], "order_multiple": [1.0, 10, 1, 10, 1, 1],
        "quoted_lead_time_days": 14, "row": np.arange(n),
    })  # fmt: skip
    weekly = rng.poisson([[20], [30], [10], [3], [50], [5]], size=(n, 104)).astype(float)
    return PlanningInputs(
        as_of=date(2025, 6, 30), series=series, weekly_demand=weekly,
        usable_on_hand=np.array([5.0, 10, 0, 0, 20, 30]), on_order=np.zeros(n),
        lead_time_mean=np.full(n, 14.0), lead_time_std=np.full(n, 3.0),
        usable_days=np.full(n, np.nan),
    )  # fmt: skip


def test_plan_writes_labelled_parameters_and_capped_orders() -> None:
    inputs = _planning_inputs()
    result = plan(inputs, Strategy())
    params = result.policy_parameters.set_index("item_id")
    assert list(params["tier"]) == ["critical", "high", "medium", "low", "medium", "run_down"]
    assert list(params["policy_type"]) == ["s_S", "s_S", "s_S", "s_S", "s_S", "R_S"]
    assert params.loc["I0", "service_measure"] == "cycle_service_level"
    assert params.loc["I0", "implied_cycle_service_level"] == pytest.approx(0.85, abs=1e-6)
    assert params.loc["I3", "implied_cycle_service_level"] >= 0.70 - 1e-4
    assert np.isnan(params.loc["I5", "service_target"]) and params.loc["I5", "order_up_to"] == 0
    # the cold-chain item: one order never more than it sells before its sell-by day
    rate = result.forecasts["mean_daily"].to_numpy() * inputs.series["is_active"].to_numpy()
    proposals = propose(
        inputs,
        result.policy_parameters,
        rate,
        OrderContext.empty(inputs.n_series),
        strategy=Strategy(),
        thresholds=PlanThresholds(),
    ).frame
    cold = proposals.set_index("item_id").loc["I1"]
    assert cold["quantity"] <= params.loc["I1", "max_order_quantity"] + 1e-9
    assert "cycle service level 80.0%" in cold["reason"]


def test_proposals_meet_the_suppliers_minimum_order_value() -> None:
    inputs = _planning_inputs()
    result = plan(inputs, Strategy())
    rate = result.forecasts["mean_daily"].to_numpy() * inputs.series["is_active"].to_numpy()

    def lines(strategy: Strategy) -> pd.DataFrame:
        return propose(
            inputs,
            result.policy_parameters,
            rate,
            OrderContext.empty(inputs.n_series),
            strategy=strategy,
            thresholds=PlanThresholds(),
        ).frame.set_index("item_id")

    plain = lines(Strategy())
    value = plain.loc[plain["supplier_id"] == "S0", "order_value"].sum()
    assert value > 0
    minimum = Strategy(minimum_order_values=(SupplierMinimum("S0", 3 * value),))
    raised = lines(minimum)
    s0 = raised["supplier_id"] == "S0"
    assert raised.loc[s0, "order_value"].sum() >= 3 * value - 1e-6
    assert (raised.loc[s0, "quantity"] >= plain.loc[raised.index[s0], "quantity"]).all()
    assert raised.loc[~s0, "quantity"].equals(plain.loc[~s0.to_numpy(), "quantity"])


def test_default_targets_are_stricter_for_riskier_tiers() -> None:
    """Domain rule (DESIGN.md): critical, class III and cold-chain items get stricter targets
    and reviews at least as frequent as low-criticality ones — whatever the tuned numbers."""
    strategy = Strategy()
    rule = {r.tier: r for r in strategy.rules}
    order = [Tier.CRITICAL, Tier.HIGH, Tier.MEDIUM, Tier.LOW]
    measures = {rule[t].service_measure for t in order}
    assert len(measures) == 1, "tiers compared on one measure"
    targets = [rule[t].service_target for t in order]
    assert targets == sorted(targets, reverse=True) and targets[0] > targets[-1]
    reviews = [rule[t].review_period_days for t in order]
    assert reviews == sorted(reviews)
    # the item master's risk flags land in the strict tiers
    resolved = resolve(
        strategy,
        _attributes(
            criticality=["low", "low", "low", "low"],
            risk_class=["III", "I", "I", "I"],
            is_cold_chain=[False, True, False, False],
            demand_class=["smooth"] * 4,
            lifecycle=["mature"] * 4,
        ),
    )
    assert list(resolved.tier) == ["critical", "high", "low", "low"]
    assert resolved.service_target[0] > resolved.service_target[1] > resolved.service_target[2]
