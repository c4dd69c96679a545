"""Keeping a what-if: a scenario file the scenario engine reads, and a policy version request
that only a second person can turn into a version."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from replenlib.errors import ReplenError
from replenlib.governance.policy_requests import (
    PolicyRequestError,
    approve_policy_request,
    policy_requests,
    propose_policy_version,
    reject_policy_request,
)
from replenlib.policy.kinds import PolicyType
from replenlib.policy.strategy import Override, Strategy, Tier
from replenlib.policy.whatif import WhatIfSegment, WhatIfSettings, proposed_strategy
from replenlib.scenario.parse import parse_scenario_set
from replenlib.scenario.whatif import save_scenario, scenario_document
from replenlib.store import reader
from replenlib.widgets.whatif import WhatIfExplorer

BASE = {"critical": 0.99, "high": 0.975, "medium": 0.98, "low": 0.95}


def test_a_saved_what_if_is_a_scenario_set_the_engine_parses(tmp_path: Path) -> None:
    settings = WhatIfSettings(
        targets={**BASE, "critical": 0.995},
        lead_time_scale=1.2,
        demand_scale=0.9,
        policy_type=PolicyType.S_S,
        review_period_days=14,
    )
    segment = WhatIfSegment(tier="low", location="DC-BJ")
    path = save_scenario(
        scenario_document("Critical 99.5 %", "", settings, segment, BASE), tmp_path
    )
    assert path.name == "whatif-critical_99_5.yaml"
    body = yaml.safe_load(path.read_text(encoding="utf-8"))
    what_if = body["scenarios"][1]
    assert what_if["service_targets"] == {"critical": 0.995}  # only what moved
    assert what_if["lead_time"] == [{"factor": 1.2, "replan": True}]
    assert what_if["demand"] == [{"multiplier": 0.9, "replan": True}]
    assert what_if["policy"] == [{"where": {"tier": "low", "location": "DC-BJ"}, "policy": "s_S"}]
    assert what_if["review_period_days"] == [
        {"where": {"tier": "low", "location": "DC-BJ"}, "days": 14}
    ]
    parsed = parse_scenario_set(body, str(path))
    assert [s.name for s in parsed.scenarios] == ["tiered", "critical_99_5"]
    assert parsed.baseline == "tiered" and len(parsed.scenarios[1].overrides) == 5
    with pytest.raises(ReplenError, match="exists already"):
        save_scenario(scenario_document("Critical 99.5 %", "", settings, segment, BASE), tmp_path)


def test_the_proposed_strategy_changes_rules_for_tiers_and_rows_otherwise() -> None:
    strategy = Strategy(overrides=(Override("keep", "ITEM-1", "LOC-1", service_target=0.9),))
    whole_tier = proposed_strategy(
        strategy,
        WhatIfSettings(
            targets={"critical": 0.995}, policy_type=PolicyType.R_S_S, review_period_days=7
        ),
        WhatIfSegment(tier="high"),
        np.array([], dtype=object),
        np.array([], dtype=object),
        "why",
    )
    assert whole_tier.rule(Tier.CRITICAL).service_target == 0.995
    assert whole_tier.rule(Tier.CRITICAL).policy_type == PolicyType.S_S  # not in the segment
    assert whole_tier.rule(Tier.HIGH).policy_type == PolicyType.R_S_S
    assert whole_tier.rule(Tier.HIGH).review_period_days == 7.0
    assert whole_tier.overrides == strategy.overrides
    rows = proposed_strategy(
        strategy,
        WhatIfSettings(review_period_days=14),
        WhatIfSegment(location="LOC-1"),
        np.array(["ITEM-1", "ITEM-2"], dtype=object),
        np.array(["LOC-1", "LOC-1"], dtype=object),
        "weekly is enough here",
    )
    assert rows.rules == strategy.rules
    by_item = {o.item_id: o for o in rows.overrides}
    assert by_item["ITEM-1"].service_target == 0.9 and by_item["ITEM-1"].review_period_days == 14.0
    assert (
        by_item["ITEM-2"].review_period_days == 14.0
        and by_item["ITEM-2"].reason == "weekly is enough here"
    )
    Strategy.from_json(rows.to_json())  # a planner can read it


def test_a_request_needs_a_second_person_and_the_current_version(store_copy: Path) -> None:
    strategy = proposed_strategy(
        Strategy(),
        WhatIfSettings(targets={"critical": 0.995}),
        WhatIfSegment(),
        np.array([]),
        np.array([]),
        "x",
    )
    with pytest.raises(PolicyRequestError, match="needs a reason"):
        propose_policy_version(store_copy, strategy, author="ann", reason=" ", based_on_version=1)
    first = propose_policy_version(
        store_copy, strategy, author="ann", reason="critical items ran out", based_on_version=1
    )
    second = propose_policy_version(
        store_copy, strategy, author="bob", reason="same idea", based_on_version=1
    )
    assert list(policy_requests(store_copy, "pending")["request_id"]) == [second, first]
    with pytest.raises(PolicyRequestError, match="Ann proposed request 1 and cannot decide it"):
        approve_policy_request(store_copy, first, approver="Ann")
    decision = approve_policy_request(store_copy, first, approver="carl", comment="agreed")
    assert decision.status == "approved" and decision.version_id == 2
    with reader(store_copy) as con:
        version = con.execute(
            "SELECT author, approved_by, CAST(body AS VARCHAR) FROM policy_versions WHERE version_id = 2"
        ).fetchall()[0]
        actions = [
            r[0] for r in con.execute("SELECT action FROM audit_log ORDER BY seq").fetchall()
        ]
    assert version[0] == "ann" and version[1] == "carl"
    assert Strategy.from_json(version[2]).rule(Tier.CRITICAL).service_target == 0.995
    assert actions[-3:] == ["policy_propose", "policy_propose", "policy_create"]
    with pytest.raises(PolicyRequestError, match="current version is 2: propose it again"):
        approve_policy_request(store_copy, second, approver="carl")
    with pytest.raises(PolicyRequestError, match="is already approved"):
        reject_policy_request(store_copy, first, approver="dan", comment="too late")
    rejected = reject_policy_request(
        store_copy, second, approver="carl", comment="superseded by v2"
    )
    assert rejected.status == "rejected" and rejected.version_id is None


def test_the_widget_buttons_keep_the_result(store_copy: Path, tmp_path: Path) -> None:
    explorer = WhatIfExplorer.from_store(store_copy, scenarios_dir=tmp_path / "scenarios")
    explorer.sliders["critical"].value = 0.995
    explorer.filters["tier"].value = "low"
    explorer.review.value = 14
    path = explorer.save_as_scenario("weekly low tier")
    assert path is not None and path.exists() and "replen scenario run" in explorer.message.value
    assert explorer.propose("ann", "") is None and "needs a reason" in explorer.message.value
    request = explorer.propose("ann", "fewer reviews for low-tier items")
    assert request == 1 and "another person must approve it" in explorer.message.value
    with reader(store_copy) as con:
        body = con.execute("SELECT CAST(body AS VARCHAR) FROM policy_requests").fetchall()[0][0]
    proposed = Strategy.from_json(body)
    assert proposed.rule(Tier.CRITICAL).service_target == 0.995
    assert proposed.rule(Tier.LOW).review_period_days == 14.0


def test_sliders_reach_below_the_default_targets(store_copy: Path, tmp_path: Path) -> None:
    explorer = WhatIfExplorer.from_store(store_copy, scenarios_dir=tmp_path / "scenarios")
    for tier, slider in explorer.sliders.items():
        assert slider.min <= 0.5 < slider.value <= slider.max, tier
