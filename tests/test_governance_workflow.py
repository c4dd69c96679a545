"""Plan and governance through the store: the nightly plan stage, approvals (incl. two
processes at once), alerts life cycle, policy versions and the rollback round trip."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner, Result

from replenlib.cli import cli as main_cli
from replenlib.governance.approvals import (
    Actor,
    ApprovalError,
    decide_in,
    proposal_state,
    record_decision,
)
from replenlib.governance.policy_versions import (
    PolicyVersionError,
    create_version,
    diff,
    get_version,
    rollback,
)
from replenlib.pipeline.nightly import run_nightly
from replenlib.pipeline.policy_versions import current_strategy
from replenlib.plan.approval import Decision, ProposalStatus
from replenlib.plan.thresholds import PlanThresholds
from replenlib.policy.strategy import Tier
from replenlib.store import reader, writer
from tests.plan_store import AS_OF, build_store
from tests.sim_fixtures import MIXED_STRATEGY

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny store before any run (copied by the tests that need it)."""
    return build_store(tmp_path_factory.mktemp("gov") / "fresh.duckdb")


@pytest.fixture(scope="module")
def planned(fresh: Path) -> Path:
    """The tiny store after one nightly run (copied by each test that changes it)."""
    db = Path(shutil.copy(fresh, fresh.with_name("planned.duckdb")))
    run_nightly(db)
    return db


@pytest.fixture
def store(planned: Path, tmp_path: Path) -> Path:
    return Path(shutil.copy(planned, tmp_path / "store.duckdb"))


def _q(db: Path, sql: str, params: list[object] | None = None) -> pd.DataFrame:
    with reader(db) as con:
        return con.execute(sql, params or []).df()


def _proposal(db: Path, item: str, location: str) -> str:
    frame = _q(
        db,
        "SELECT proposal_id FROM proposals WHERE item_id = ? AND location_id = ?",
        [item, location],
    )
    return str(frame["proposal_id"].iloc[-1])


# ---------------------------------------------------------------- the nightly plan stage


def test_nightly_writes_both_plans_alerts_and_the_policy_version(planned: Path) -> None:
    props = _q(
        planned, "SELECT * FROM proposals JOIN proposal_controls USING (proposal_id, run_id)"
    )
    by = {(r.item_id, r.location_id): r for r in props.itertuples()}
    # idle stock at DC2 moves to DC1 instead of a purchase; the stent is an emergency
    assert by[("I1", "DC1")].kind == "transfer" and by[("I1", "DC1")].source_location_id == "DC2"
    assert "idle stock at DC2" in by[("I1", "DC1")].reason
    assert by[("I2", "CW")].approval_reasons == "value;emergency"
    assert by[("I4", "H1")].required_level == 1
    reagent = by[("I3", "CW")].reason
    assert "backup supplier" in reagent and "expiring before use" in reagent
    assert by[("I3", "CW")].supplier_id == "S1"
    assert set(props["policy_version"]) == {1} and set(props["status"]) == {"proposed"}
    rolling = _q(planned, "SELECT * FROM rolling_plan")
    assert rolling.groupby("item_id").size().eq(18).all()  # 18 monthly buckets per item
    assert set(rolling["policy_version"]) == {1}
    projection = _q(planned, "SELECT * FROM plan_projection WHERE item_id = 'I2'")
    assert len(projection) == 56
    # the order of 80 arrives after 14 days: from then on the curves differ by exactly 80
    gap = projection["stock_with_order"] - projection["stock_without_order"]
    assert set(gap.round(6)) == {0.0, 80.0} and gap.iloc[13] == 80.0 and gap.iloc[12] == 0.0
    alerts = _q(planned, "SELECT kind, subject, severity, owner_role, message FROM alerts")
    late = alerts[alerts["kind"] == "supplier_late"].iloc[0]
    assert (late["subject"], late["severity"], late["owner_role"]) == (
        "supplier=S1",
        "medium",
        "buyer",
    )
    assert (
        late["message"]
        == "1 open lines more than 7 days past their confirmed date; on-time rate n/a"
    )
    kinds = set(_q(planned, "SELECT kind FROM alerts WHERE status = 'open'")["kind"])
    assert {
        "cold_chain_excursion",
        "expiry_risk",
        "stockout_in_lead_time",
        "supplier_downgraded",
        "supplier_late",
    } <= kinds


def test_a_second_run_proposes_nothing_twice_and_tracks_alerts(store: Path) -> None:
    before = _q(store, "SELECT alert_id, alert_key FROM alerts ORDER BY alert_id")
    summary = run_nightly(store)
    assert summary.n_proposals == 0  # every need is already covered by an open proposal
    after = _q(
        store, "SELECT alert_id, alert_key, times_seen, status FROM alerts ORDER BY alert_id"
    )
    assert after[["alert_id", "alert_key"]].equals(before)  # same alerts, none raised again
    assert set(after["times_seen"]) == {2} and set(after["status"]) == {"open"}
    rolling = _q(
        store,
        "SELECT run_id, change_planned_receipts, previous_planned_receipts "
        "FROM rolling_plan WHERE run_id = ?",
        [summary.run_id],
    )
    assert rolling["previous_planned_receipts"].notna().all()


def test_approved_requisitions_still_count_but_rejected_ones_do_not(store: Path) -> None:
    stent, gloves = _proposal(store, "I2", "CW"), _proposal(store, "I4", "H1")
    record_decision(store, gloves, Decision.APPROVE, Actor.parse("planner/alice"))
    record_decision(store, stent, Decision.REJECT, Actor.parse("planner/alice"), "use consignment")
    summary = run_nightly(store)
    again = _q(
        store, "SELECT item_id, location_id FROM proposals WHERE run_id = ?", [summary.run_id]
    )
    assert list(zip(again["item_id"], again["location_id"], strict=True)) == [("I2", "CW")]


def test_cleared_conditions_resolve_and_a_return_is_a_new_alert(store: Path) -> None:
    with writer(store) as con:
        con.execute("UPDATE temperature_readings SET temperature_c = 5")
    run_nightly(store)
    cold = _q(store, "SELECT * FROM alerts WHERE kind = 'cold_chain_excursion'")
    assert list(cold["status"]) == ["resolved"] and list(cold["resolved_by"]) == ["system"]
    with writer(store) as con:
        con.execute(
            "UPDATE temperature_readings SET temperature_c = 12 "
            "WHERE hour(reading_time) BETWEEN 10 AND 11 AND day(reading_time) = 28"
        )
    run_nightly(store)
    cold = _q(
        store,
        "SELECT alert_id, status FROM alerts WHERE kind = 'cold_chain_excursion' ORDER BY alert_id",
    )
    assert list(cold["status"]) == ["resolved", "open"]


def test_bom_explodes_into_component_demand_in_the_rolling_plan(store: Path) -> None:
    with writer(store) as con:
        con.execute(  # the MES import's table (created here until it lands on this branch)
            "CREATE TABLE IF NOT EXISTS bom (parent_item_id VARCHAR, component_item_id VARCHAR, "
            "quantity_per DOUBLE)"
        )
        con.execute("INSERT INTO bom VALUES ('I2', 'C9', 2.0)")
    summary = run_nightly(store)
    plan = _q(
        store,
        "SELECT * FROM rolling_plan WHERE run_id = ? ORDER BY item_id, period",
        [summary.run_id],
    )
    parent, part = plan[plan["item_id"] == "I2"], plan[plan["item_id"] == "C9"]
    assert list(part["low_level_code"].unique()) == [1]
    # C9 has no supplier terms (lead time 0): its demand is twice I2's planned releases
    assert part["dependent_demand"].to_numpy() == pytest.approx(
        2 * parent["planned_releases"].to_numpy()
    )
    assert part["dependent_demand"].sum() > 0


def test_tenders_are_counted_once_and_named(planned: Path, store: Path) -> None:
    """The demand layer puts known demand into the lead-time demand (so into s and S); the
    plan must then not lower the position by it again, but names the tender as a reason."""
    with writer(store) as con:
        due = AS_OF + timedelta(days=2)
        for sid, kind, qty, p, status in (
            ("T1", "tender", 400.0, 0.5, "open"),  # counts 0.5 × 400 = 200
            ("T2", "tender", 999.0, 1.0, "cancelled"),
            ("S1", "surgery", 999.0, 1.0, "scheduled"),  # routine: already in the forecast
        ):
            con.execute(
                "INSERT INTO demand_signals VALUES (?, ?, 'I3', 'CW', NULL, ?, ?, ?, ?, NULL)",
                [sid, kind, due, qty, p, status],
            )
    summary = run_nightly(store)
    sql = (
        "SELECT inventory_position, reorder_point, quantity, reason FROM proposals "
        "WHERE run_id = ? AND item_id = 'I3'"
    )
    before = _q(planned, sql.replace("run_id = ?", "run_id IS NOT NULL"))
    after = _q(store, sql, [summary.run_id])
    # yesterday's open proposal counts; the tender does not lower the position a second time
    assert after["inventory_position"].iloc[0] == pytest.approx(
        before["inventory_position"].iloc[0] + before["quantity"].iloc[0]
    )
    assert after["reorder_point"].iloc[0] >= before["reorder_point"].iloc[0] + 200 - 1e-6
    assert "tender / known demand of 200 due within the lead time" in after["reason"].iloc[0]


# ---------------------------------------------------------------- approvals


def _untouched(db: Path) -> tuple[int, int, str]:
    counts = _q(
        db,
        "SELECT (SELECT count(*) FROM approvals) a, (SELECT count(*) FROM audit_log) l, "
        "(SELECT string_agg(status, ',' ORDER BY proposal_id) FROM proposals) s",
    )
    return int(counts["a"].iloc[0]), int(counts["l"].iloc[0]), str(counts["s"].iloc[0])


def test_nobody_approves_their_own_request_and_the_store_is_untouched(store: Path) -> None:
    stent = _proposal(store, "I2", "CW")
    record_decision(store, stent, Decision.APPROVE, Actor.parse("planner/alice"))
    before = _untouched(store)
    with pytest.raises(ApprovalError, match="alice requested this level-2 decision"):
        record_decision(store, stent, Decision.APPROVE, Actor.parse("director/alice"))
    with pytest.raises(ApprovalError, match="role buyer may not decide level 2"):
        record_decision(store, stent, Decision.APPROVE, Actor.parse("buyer/bob"))
    assert _untouched(store) == before
    done = record_decision(store, stent, Decision.APPROVE, Actor.parse("finance/fay"), "budget ok")
    assert done.status is ProposalStatus.APPROVED and done.level == 2
    log = _q(store, "SELECT level, decision, role, user_id, coalesce(comment, '') FROM approvals")
    assert log.values.tolist() == [
        [1, "approve", "planner", "alice", ""],
        [2, "approve", "finance", "fay", "budget ok"],
    ]


def test_rejected_and_expired_proposals_cannot_be_approved(store: Path) -> None:
    gloves, reagent = _proposal(store, "I4", "H1"), _proposal(store, "I3", "CW")
    record_decision(store, gloves, Decision.REJECT, Actor.parse("buyer/bob"), "wrong pack size")
    before = _untouched(store)
    with pytest.raises(ApprovalError, match=f"proposal {gloves} was rejected"):
        record_decision(store, gloves, Decision.APPROVE, Actor.parse("planner/alice"))
    with reader(store) as con:
        expires = proposal_state(con, reagent).expires_on
    late = datetime.combine(expires + timedelta(days=1), datetime.min.time())
    with pytest.raises(ApprovalError, match=rf"{reagent} has expired \(valid until {expires}\)"):
        record_decision(store, reagent, Decision.APPROVE, Actor.parse("planner/alice"), now=late)
    with pytest.raises(ApprovalError, match="no proposal 'P-NOPE'"):
        record_decision(store, "P-NOPE", Decision.APPROVE, Actor.parse("planner/alice"))
    assert _untouched(store) == before


def test_concurrent_approval_of_one_proposal_has_exactly_one_winner(store: Path) -> None:
    gloves = _proposal(store, "I4", "H1")
    go = store.with_name("go")
    script = (
        "import sys, time, pathlib\n"
        "from replenlib.cli import main\n"
        f"while not pathlib.Path({str(go)!r}).exists(): time.sleep(0.005)\n"
        "main()\n"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, "approve", gloves, "--as", who, "--db", str(store)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        )
        for who in ("planner/alice", "buyer/bob")
    ]
    go.touch()
    results = [(p.wait(timeout=60), *p.communicate()) for p in procs]
    codes = sorted(r[0] for r in results)
    assert codes == [0, 10], results
    loser = next(r for r in results if r[0] == 10)
    assert "is already approved (last decision by" in loser[2]
    assert "Traceback" not in loser[2]
    assert len(_q(store, "SELECT * FROM approvals")) == 1


def test_decisions_are_audited(store: Path) -> None:
    gloves = _proposal(store, "I4", "H1")
    with writer(store) as con:
        decide_in(con, gloves, Decision.APPROVE, Actor.parse("planner/alice"), "fine")
    log = _q(store, "SELECT actor, action, entity_id, details FROM audit_log ORDER BY seq")
    assert log.iloc[-1][["actor", "action", "entity_id"]].tolist() == [
        "planner/alice",
        "approve",
        gloves,
    ]
    assert '"comment":"fine"' in log.iloc[-1]["details"]


# ---------------------------------------------------------------- policy versions


_TARGETS = {"critical": 0.999, "high": 0.99, "medium": 0.99, "low": 0.97}
STRICT = dataclasses.replace(
    MIXED_STRATEGY,
    rules=tuple(
        dataclasses.replace(r, service_target=_TARGETS.get(r.tier.value, r.service_target))
        for r in MIXED_STRATEGY.rules
    ),
)


def _plan_signature(db: Path, run_id: str) -> tuple[list[object], list[object]]:
    props = _q(
        db,
        "SELECT item_id, location_id, kind, supplier_id, source_location_id, quantity, "
        "order_value, urgency, reason FROM proposals WHERE run_id = ? ORDER BY ALL",
        [run_id],
    )
    rolling = _q(
        db,
        "SELECT item_id, period, planned_receipts, planned_releases, planned_spend "
        "FROM rolling_plan WHERE run_id = ? ORDER BY ALL",
        [run_id],
    )
    return props.values.tolist(), rolling.values.tolist()


def test_rollback_round_trip_reproduces_the_plan_made_with_v1(
    fresh: Path, planned: Path, tmp_path: Path
) -> None:
    original = planned  # the plan made with v1
    first = _q(original, "SELECT run_id FROM runs")["run_id"].iloc[0]
    changed = Path(shutil.copy(fresh, tmp_path / "b.duckdb"))  # the same data, no run yet
    with writer(changed) as con:
        assert current_strategy(con)[0] == 1  # the store's v1, as the first run would create it
        v2 = create_version(
            con,
            strategy=STRICT,
            thresholds=PlanThresholds(approval_value_threshold=1e6),
            author="planner/alice",
            reason="stricter targets",
            approved_by="carol",
        )
    strict = _copy_and_run(changed, tmp_path / "strict.duckdb")
    assert strict[1] == 2
    assert _plan_signature(tmp_path / "strict.duckdb", strict[0]) != _plan_signature(
        original, first
    )
    with writer(changed) as con:
        v3 = rollback(con, 1, author="planner/alice", reason="back to v1", approved_by="carol")
        assert (v2, v3) == (2, 3)
        assert diff(con, 1, 3) == [] and get_version(con, 3).restored_from == 1
    restored = run_nightly(changed)
    assert restored.policy_version == 3
    assert _plan_signature(changed, restored.run_id) == _plan_signature(original, first)


def _copy_and_run(db: Path, target: Path) -> tuple[str, int]:
    shutil.copy(db, target)
    summary = run_nightly(target)
    return summary.run_id, summary.policy_version


def test_rollback_to_a_missing_version_fails_clearly_and_writes_nothing(store: Path) -> None:
    before = store.read_bytes()
    with (
        pytest.raises(
            PolicyVersionError, match="policy version 9 does not exist; version 1 exists"
        ),
        writer(store) as con,
    ):
        rollback(con, 9, author="planner/alice", reason="oops", approved_by="carol")
    assert store.read_bytes() == before


def test_policy_versions_need_four_eyes_and_a_reason(store: Path) -> None:
    with writer(store) as con:
        with pytest.raises(PolicyVersionError, match="cannot approve their own policy version"):
            create_version(
                con,
                strategy=STRICT,
                thresholds=PlanThresholds(),
                author="Alice",
                reason="x",
                approved_by="alice",
            )
        with pytest.raises(PolicyVersionError, match="needs a reason"):
            create_version(
                con,
                strategy=STRICT,
                thresholds=PlanThresholds(),
                author="alice",
                reason=" ",
                approved_by="bob",
            )
        v2 = create_version(
            con,
            strategy=STRICT,
            thresholds=PlanThresholds(approval_value_threshold=9e4),
            author="alice",
            reason="stricter",
            approved_by="bob",
        )
        changes = {c.path: (c.old, c.new) for c in diff(con, 1, v2)}
    assert changes["strategy.rules[tier=critical].service_target"] == (0.99, 0.999)
    assert changes["thresholds.approval_value_threshold"] == (50_000.0, 90_000.0)
    assert len(changes) == 5


def test_cli_policy_and_plan_commands(store: Path) -> None:
    def cli(*args: str) -> Result:
        return CliRunner().invoke(main_cli, [*args, "--db", str(store)])

    missing = cli(
        "policy",
        "rollback",
        "7",
        "--as",
        "supply_manager/sam",
        "--approved-by",
        "dan",
        "--reason",
        "restore",
    )
    assert missing.exit_code == 11
    assert (
        missing.stderr.strip() == "replen: error: policy version 7 does not exist; version 1 exists"
    )
    done = cli(
        "policy",
        "rollback",
        "1",
        "--as",
        "supply_manager/sam",
        "--approved-by",
        "dan",
        "--reason",
        "restore",
    )
    assert done.exit_code == 0 and "restored v1 as v2" in done.stdout
    listing = cli("policy", "list")
    assert "supply_manager/sam" in listing.stdout and "restore" in listing.stdout
    assert "v1 and v2 are identical" in cli("policy", "diff", "1", "2").stdout
    board = cli("plan")
    assert board.exit_code == 0 and "P20260329-00001" in board.stdout
    assert "S1" in cli("plan", "--rolling").stdout
    assert "cold_chain_excursion" in cli("alerts", "list").stdout


def test_a_second_role_is_not_a_second_pair_of_eyes(store: Path) -> None:
    before = store.read_bytes()
    with (
        pytest.raises(PolicyVersionError, match="cannot approve their own policy version"),
        writer(store) as con,
    ):
        rollback(con, 1, author="planner/Alice", reason="back", approved_by="director/alice")
    assert store.read_bytes() == before


def test_cli_propose_and_decide_a_policy_version(store: Path, tmp_path: Path) -> None:
    def cli(*args: str) -> Result:
        return CliRunner().invoke(main_cli, [*args, "--db", str(store)])

    shown = cli("policy", "show", "1", "--json")
    content = json.loads(shown.stdout)
    critical = next(r for r in content["strategy"]["rules"] if r["tier"] == "critical")
    old_target, critical["service_target"] = critical["service_target"], 0.995
    edited = tmp_path / "v1.json"
    edited.write_text(json.dumps(content), encoding="utf-8")
    wider = tmp_path / "thresholds.json"
    content["thresholds"]["approval_value_threshold"] = 1.0
    wider.write_text(json.dumps(content), encoding="utf-8")
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    before = store.read_bytes()
    refused = cli("policy", "propose", str(wider), "--as", "planner/ann", "--reason", "r")
    assert refused.exit_code == 11
    assert "thresholds.json, key 'thresholds': differs from v1's" in refused.stderr
    bad = cli("policy", "propose", str(broken), "--as", "planner/ann", "--reason", "r")
    assert bad.exit_code == 11 and "broken.json: expected a JSON policy file" in bad.stderr
    assert store.read_bytes() == before

    made = cli("policy", "propose", str(edited), "--as", "planner/ann", "--reason", "too short")
    assert made.exit_code == 0 and "request 1 proposes a change to v1" in made.stdout
    assert "planner/ann" in cli("policy", "requests", "--status", "pending").stdout
    own = cli("policy", "decide", "1", "--approve", "--as", "supply_manager/Ann")
    assert own.exit_code == 11 and "cannot decide it: a second person must" in own.stderr
    done = cli("policy", "decide", "1", "--approve", "--as", "supply_manager/carl")
    assert done.exit_code == 0 and "request 1 approved as v2" in done.stdout
    diff_lines = cli("policy", "diff", "1", "2").stdout.splitlines()
    assert diff_lines == [f"strategy.rules[tier=critical].service_target: {old_target!r} → 0.995"]
    with reader(store) as con:
        assert current_strategy(con)[1].rule(Tier.CRITICAL).service_target == 0.995
    assert cli("policy", "requests", "--status", "pending").stdout.strip() == (
        "no policy version requests"
    )
