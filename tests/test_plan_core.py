"""Pure planning arithmetic: projection, FEFO expiry, idle-stock transfers, the short-term plan,
MRP with BOM explosion, approval rules and alert rules."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from replenlib.plan.alerts import (
    Severity,
    bias_z,
    excursion_minutes,
    expiry_risk,
    stockout_in_lead_time,
    supplier_downgraded,
    tracking_signal,
)
from replenlib.plan.approval import (
    ApprovalRuleError,
    Decision,
    ProposalState,
    ProposalStatus,
    Role,
    approval_requirements,
    decide,
)
from replenlib.plan.bom import Bom, BomCycleError, explode, low_level_codes
from replenlib.plan.expiry import expiring_unused
from replenlib.plan.mrp import MrpInputs, lead_time_in_periods, run_mrp
from replenlib.plan.projection import project_stock, scheduled_receipts
from replenlib.plan.short_term import OrderKind, ShortTermInputs, plan_orders
from replenlib.plan.thresholds import PlanThresholds
from replenlib.plan.transfers import match_transfers, surplus_stock
from replenlib.policy.order_sizing import round_to_terms

# ---------------------------------------------------------------- projection


def test_projection_by_hand() -> None:
    receipts = scheduled_receipts(
        np.array([0, 0, 1]), np.array([2, -3, 10]), np.array([30.0, 5.0, 99.0]), 2, 5
    )
    assert receipts.tolist() == [[5, 0, 30, 0, 0], [0, 0, 0, 0, 0]]  # overdue → day 0; day 10 out
    p = project_stock(
        on_hand=np.array([20.0, 3.0]),
        demand_rate=np.array([10.0, 1.0]),
        receipts=receipts,
        order_quantity=np.array([50.0, 0.0]),
        order_arrival_day=np.array([3, 0]),
        horizon_days=5,
    )
    # row 0: 20 + 5 - 10 = 15; 15 - 10 = 5; 5 + 30 - 10 = 25; 15; 5  (with: +50 from day 3)
    assert p.without_order[0].tolist() == [15, 5, 25, 15, 5]
    assert p.with_order[0].tolist() == [15, 5, 25, 65, 55]
    assert p.without_order[1].tolist() == [2, 1, 0, -1, -2]
    assert p.stockout_day_without.tolist() == [5, 3]  # 5 = none within the horizon
    assert p.stockout_day_with.tolist() == [5, 3]


# ---------------------------------------------------------------- FEFO expiry


def _expiring_slow(rows, qty, days, rate):  # type: ignore[no-untyped-def]
    """Day-by-day FEFO simulation: the reference for :func:`expiring_unused`."""
    waste = np.zeros(len(rows))
    for s in set(rows.tolist()):
        lots = sorted(np.flatnonzero(rows == s), key=lambda i: days[i])
        left = {i: qty[i] for i in lots}
        horizon = int(max(days[lots])) + 1
        for day in range(horizon):
            for i in lots:  # expire what is past its day
                if days[i] <= day and left[i] > 0:
                    waste[i] += left[i]
                    left[i] = 0.0
            need = rate[s]
            for i in lots:
                take = min(need, left[i])
                left[i] -= take
                need -= take
        for i in lots:
            if days[i] <= horizon and left[i] > 0:
                waste[i] += left[i]
    return waste


def test_fefo_expiry_by_hand() -> None:
    # series 0 at 10/day: lot a (30, expires day 5) and lot b (40, day 6): by day 5 demand 50
    # uses all of a; b has 40 - 20 left at day 5, 10 more used by day 6 → 10 of b expire.
    waste = expiring_unused(
        np.array([0, 0, 1]),
        np.array([40.0, 30.0, 7.0]),
        np.array([6.0, 5.0, np.inf]),
        np.array([10.0, 0.0]),
    )
    assert waste.tolist() == [10.0, 0.0, 0.0]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 2), st.integers(1, 30), st.integers(1, 12)), min_size=1, max_size=8
    ),
    st.lists(st.integers(0, 6), min_size=3, max_size=3),
)
def test_fefo_expiry_matches_day_by_day_simulation(lots, rates) -> None:  # type: ignore[no-untyped-def]
    rows = np.array([r for r, _, _ in lots])
    qty = np.array([float(q) for _, q, _ in lots])
    days = np.array([float(d) for _, _, d in lots])
    rate = np.array(rates, dtype=float)
    assert expiring_unused(rows, qty, days, rate) == pytest.approx(
        _expiring_slow(rows, qty, days, rate)
    )


# ---------------------------------------------------------------- transfers


def test_transfers_by_hand() -> None:
    item = np.array([0, 0, 0, 0, 1, 1])
    need = np.array([10.0, 4, 0, 0, 5, 0])
    surplus = np.array([0.0, 0, 6, 12, 0, 3])
    priority = np.array([5.0, 9, 0, 0, 1, 0])
    plan = match_transfers(item, need, surplus, priority)
    got = sorted(
        zip(plan.receiver.tolist(), plan.donor.tolist(), plan.quantity.tolist(), strict=True)
    )
    # row 1 (more urgent) first from the largest surplus (row 3): 4; row 0 gets 8 more from
    # row 3 and the last 2 from row 2; item 1: row 4 gets all 3 of row 5.
    assert got == [(0, 2, 2.0), (0, 3, 8.0), (1, 3, 4.0), (4, 5, 3.0)]
    assert plan.received(6).tolist() == [10, 4, 0, 0, 3, 0]
    assert plan.shipped(6).tolist() == [0, 0, 2, 12, 0, 3]


def _transfers_slow(item, need, surplus, priority):  # type: ignore[no-untyped-def]
    out = {}
    for code in set(item.tolist()):
        recv = sorted(
            [i for i in range(len(item)) if item[i] == code and need[i] > 0],
            key=lambda i: (-priority[i], i),
        )
        dono = sorted(
            [i for i in range(len(item)) if item[i] == code and surplus[i] > 0],
            key=lambda i: (-surplus[i], i),
        )
        left = {d: float(surplus[d]) for d in dono}
        for r in recv:
            want = float(need[r])
            for d in dono:
                take = min(want, left[d])
                if take > 0:
                    out[(r, d)] = out.get((r, d), 0.0) + take
                    left[d] -= take
                    want -= take
    return out


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 3), st.integers(0, 20), st.integers(0, 20), st.integers(0, 9)),
        min_size=1,
        max_size=12,
    )
)
def test_transfers_match_a_greedy_loop(rows) -> None:  # type: ignore[no-untyped-def]
    item = np.array([r[0] for r in rows])
    need = np.array([float(r[1]) for r in rows])
    surplus = np.where(need > 0, 0.0, np.array([float(r[2]) for r in rows]))
    priority = np.array([float(r[3]) for r in rows]) + np.arange(len(rows)) * 1e-3
    plan = match_transfers(item, need, surplus, priority)
    got = dict(
        zip(
            zip(plan.receiver.tolist(), plan.donor.tolist(), strict=True),
            plan.quantity.tolist(),
            strict=True,
        )
    )
    assert got == pytest.approx(_transfers_slow(item, need, surplus, priority))
    assert np.all(plan.received(len(rows)) <= need + 1e-9)
    assert np.all(plan.shipped(len(rows)) <= surplus + 1e-9)


def test_surplus_is_whole_units_above_order_up_to_and_on_hand_only() -> None:
    s = surplus_stock(
        on_hand=np.array([100.0, 10.0, 50.0]),
        inventory_position=np.array([130.0, 130.0, 50.0]),
        order_up_to=np.array([80.5, 80.0, 80.0]),
        committed_out=np.array([0.0, 0.0, 0.0]),
    )
    assert s.tolist() == [49.0, 10.0, 0.0]


# ---------------------------------------------------------------- short-term plan


def _inputs(**over: object) -> ShortTermInputs:
    n = 4
    base: dict[str, object] = {
        "item_code": np.array([0, 0, 1, 1]),
        "on_hand": np.array([10.0, 200.0, 5.0, 0.0]),
        "expiring_unused": np.zeros(n),
        "on_order": np.zeros(n),
        "pending_in": np.zeros(n),
        "pending_out": np.zeros(n),
        "known_demand": np.zeros(n),
        "reorder_point": np.array([40.0, 40.0, 30.0, 30.0]),
        "order_up_to": np.array([100.0, 100.0, 90.0, 90.0]),
        "safety_stock": np.array([15.0, 15.0, 10.0, 10.0]),
        "demand_rate": np.array([5.0, 5.0, 2.0, 0.0]),
        "trailing_rate": np.array([5.0, 5.0, 1.0, 0.0]),
        "lead_time": np.array([7.0, 7.0, 10.0, 10.0]),
        "moq": np.array([50.0, 50.0, 1.0, 1.0]),
        "order_multiple": np.array([25.0, 25.0, 1.0, 1.0]),
        "is_purchase": np.array([True, True, True, True]),
        "is_active": np.array([True, True, True, True]),
        "on_backup_supplier": np.array([False, False, True, False]),
        "supply_row": np.array([-1, -1, -1, -1]),
    }
    base.update(over)
    return ShortTermInputs(**base)  # type: ignore[arg-type]


def test_idle_stock_is_transferred_before_buying() -> None:
    plan = plan_orders(_inputs(), PlanThresholds())
    lines = plan.lines
    # row 0 needs 100 - 10 = 90; row 1 holds 200 - 100 = 100 idle → a transfer of 90, no purchase
    idle = lines.source_row >= 0
    assert lines.row[idle].tolist() == [0] and lines.source_row[idle].tolist() == [1]
    assert lines.quantity[idle].tolist() == [90.0]
    assert "idle_stock" in lines.reasons[int(np.flatnonzero(idle)[0])]
    # row 2 (item 1, nobody has surplus) buys 90 - 5 = 85 (MOQ 1): the order quantity, not the
    # reorder point 30; flagged as bought from the backup supplier and urgent (cover 2.5 d < 10 d)
    buy = (lines.row == 2) & (lines.kind == OrderKind.PURCHASE)
    assert lines.quantity[buy].tolist() == [85.0]
    assert (
        lines.reasons[int(np.flatnonzero(buy)[0])]
        == "below_reorder_point;forecast_peak;backup_supplier"
    )
    assert bool(lines.is_emergency[buy][0])
    assert 3 not in lines.row  # no demand: no order


def test_open_proposals_count_so_the_need_is_proposed_once() -> None:
    first = plan_orders(_inputs(), PlanThresholds())
    row = first.lines.row
    pending_in = np.bincount(row, weights=first.lines.quantity, minlength=4)
    pending_out = np.bincount(
        first.lines.source_row[first.lines.source_row >= 0],
        weights=first.lines.quantity[first.lines.source_row >= 0],
        minlength=4,
    )
    second = plan_orders(_inputs(pending_in=pending_in, pending_out=pending_out), PlanThresholds())
    assert len(second.lines) == 0


@settings(max_examples=80, deadline=None)
@given(
    position=st.floats(-50, 40),
    reorder=st.floats(41, 200),
    span=st.floats(1, 300),
    moq=st.floats(0, 120),
    multiple=st.sampled_from([1.0, 5.0, 12.0, 100.0]),
)
def test_quantity_is_the_order_quantity_never_the_reorder_level(
    position: float, reorder: float, span: float, moq: float, multiple: float
) -> None:
    one = np.ones(1)
    plan = plan_orders(
        _inputs(
            item_code=np.zeros(1, dtype=np.int64),
            on_hand=one * max(position, 0.0),
            expiring_unused=one * 0,
            on_order=one * min(position, 0.0),
            pending_in=one * 0,
            pending_out=one * 0,
            known_demand=one * 0,
            reorder_point=one * reorder,
            order_up_to=one * (reorder + span),
            safety_stock=one * reorder / 2,
            demand_rate=one,
            trailing_rate=one,
            lead_time=one * 5,
            moq=one * moq,
            order_multiple=one * multiple,
            is_purchase=np.array([True]),
            is_active=np.array([True]),
            on_backup_supplier=np.array([False]),
            supply_row=np.array([-1]),
        ),
        PlanThresholds(),
    )
    (q,) = plan.lines.quantity
    assert q == pytest.approx(float(round_to_terms(reorder + span - position, moq, multiple)))
    assert position + q >= reorder + span - 1e-9  # raises the position to the order-up-to level


def test_expiring_stock_and_tenders_lower_the_position_and_say_so() -> None:
    plan = plan_orders(
        _inputs(
            on_hand=np.array([60.0, 0.0, 95.0, 0.0]),
            expiring_unused=np.array([25.0, 0.0, 0.0, 0.0]),
            known_demand=np.array([0.0, 0.0, 70.0, 0.0]),
        ),
        PlanThresholds(),
    )
    by_row = dict(zip(plan.lines.row.tolist(), plan.lines.reasons, strict=True))
    assert "expiry_replacement" in by_row[0]  # 60 - 25 = 35 ≤ 40
    assert "tender" in by_row[2]  # 95 - 70 = 25 ≤ 30
    assert plan.inventory_position[:3].tolist() == [35.0, 0.0, 25.0]


def test_a_source_that_ships_today_reorders_today() -> None:
    # row 1 (a hospital) is replenished from row 0 (its DC): 100 - 10 = 90 leave the DC today,
    # which drops the DC from 120 to 30 ≤ 40: the DC buys in the same run (two echelons).
    plan = plan_orders(
        _inputs(
            item_code=np.array([0, 0, 1, 1]),
            on_hand=np.array([120.0, 10.0, 500.0, 500.0]),
            is_purchase=np.array([True, False, True, True]),
            supply_row=np.array([-1, 0, -1, -1]),
            moq=np.array([50.0, 1.0, 1.0, 1.0]),
            order_multiple=np.array([25.0, 1.0, 1.0, 1.0]),
            on_backup_supplier=np.zeros(4, dtype=bool),
        ),
        PlanThresholds(),
    )
    got = sorted(
        zip(
            plan.lines.row.tolist(),
            plan.lines.source_row.tolist(),
            plan.lines.quantity.tolist(),
            strict=True,
        )
    )
    assert got == [(0, -1, 75.0), (1, 0, 90.0)]  # DC: 100 - 30 = 70 → 75 (multiple 25)
    assert plan.inventory_position[0] == 30.0


# ---------------------------------------------------------------- MRP and BOM


def test_mrp_bom_explosion_worked_example() -> None:
    """A four-item worked example, netted by hand in the comments (Vollmann et al. 2005, ch. 6
    record layout). Codes: D=0, C=1, B=2, A=3; A = 2 B + 1 C + 1 D; B = 3 D; C = 1 D."""
    bom = Bom(
        parent=np.array([3, 3, 3, 2, 1]),
        component=np.array([2, 1, 0, 0, 0]),
        quantity_per=np.array([2.0, 1.0, 1.0, 3.0, 1.0]),
        n_items=4,
    )
    assert low_level_codes(bom).tolist() == [2, 1, 1, 0]  # D is level 2 though A uses it too
    independent = np.zeros((4, 6))
    independent[3] = [0, 10, 10, 20, 0, 10]  # A: end-item demand
    independent[2] = [0, 0, 0, 0, 0, 5]  # B: service parts
    scheduled = np.zeros((4, 6))
    scheduled[2, 2] = 10  # an open order of B due in period 2
    record = run_mrp(
        MrpInputs(
            independent_demand=independent,
            scheduled_receipts=scheduled,
            on_hand=np.array([100.0, 8.0, 30.0, 15.0]),
            safety_stock=np.array([0.0, 0.0, 5.0, 0.0]),
            lead_time_periods=np.array([3, 2, 2, 1]),
            moq=np.array([0.0, 25.0, 0.0, 0.0]),
            order_multiple=np.array([1.0, 1.0, 10.0, 1.0]),
        ),
        bom,
    )
    # A: PAB 15, 5, then net 5, 20, -, 10 → releases one period earlier
    assert record.planned_receipts[3].tolist() == [0, 0, 5, 20, 0, 10]
    assert record.planned_releases[3].tolist() == [0, 5, 20, 0, 10, 0]
    # B: dependent 2 × A releases; period 2: 20 + 10 - 40 = -10 → net 15 (SS 5) → 20 (multiple
    # 10); period 4: 10 - 20 → net 15 → 20; period 5: 10 - 5 = 5 = SS → nothing
    assert record.dependent_demand[2].tolist() == [0, 10, 40, 0, 20, 0]
    assert record.planned_receipts[2].tolist() == [0, 0, 20, 0, 20, 0]
    assert record.projected_on_hand[2].tolist() == [30, 20, 10, 10, 10, 5]
    assert record.planned_releases[2].tolist() == [20, 0, 20, 0, 0, 0]
    # C: MOQ 25; 3 - 20 → 25; 8 - 10 → 25
    assert record.planned_receipts[1].tolist() == [0, 0, 25, 0, 25, 0]
    assert record.planned_releases[1].tolist() == [25, 0, 25, 0, 0, 0]
    # D: 3 × B + 1 × C + 1 × A releases = 85, 5, 105, 0, 10, 0; on hand 100 → receipts 95 in
    # period 2 and 10 in 4; lead time 3 puts the first release before period 0: past due.
    assert record.dependent_demand[0].tolist() == [85, 5, 105, 0, 10, 0]
    assert record.planned_receipts[0].tolist() == [0, 0, 95, 0, 10, 0]
    assert record.planned_releases[0].tolist() == [95, 10, 0, 0, 0, 0]
    assert record.past_due.tolist() == [95.0, 0.0, 0.0, 0.0]


def _mrp_slow(gross_ind, sched, on_hand, ss, lt, moq, mult, edges):  # type: ignore[no-untyped-def]
    """Item-by-item MRP in topological order: the reference for :func:`run_mrp`."""
    n, t_count = gross_ind.shape
    done: set[int] = set()
    dep = np.zeros((n, t_count))
    receipts = np.zeros((n, t_count))
    releases = np.zeros((n, t_count))
    while len(done) < n:
        for i in range(n):
            parents = {p for p, c, _ in edges if c == i}
            if i in done or not parents <= done:
                continue
            pab = on_hand[i]
            for t in range(t_count):
                avail = pab + sched[i, t] - gross_ind[i, t] - dep[i, t]
                net = max(ss[i] - avail, 0.0)
                q = float(round_to_terms(net, moq[i], mult[i])) if net > 0 else 0.0
                receipts[i, t] = q
                releases[i, max(t - lt[i], 0)] += q
                pab = avail + q
            for p, c, a in edges:
                if p == i:
                    dep[c] += a * releases[i]
            done.add(i)
    return receipts, releases


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_mrp_matches_item_by_item_reference(data: st.DataObject) -> None:
    n = data.draw(st.integers(1, 5))
    edges = [
        (p, c, float(data.draw(st.integers(1, 3))))
        for p in range(n)
        for c in range(p + 1, n)
        if data.draw(st.booleans())
    ]
    rng = np.random.default_rng(data.draw(st.integers(0, 10_000)))
    ind = rng.integers(0, 20, (n, 6)).astype(float)
    sched = rng.integers(0, 2, (n, 6)) * 15.0
    on_hand = rng.integers(0, 40, n).astype(float)
    ss = rng.integers(0, 10, n).astype(float)
    lt = rng.integers(0, 3, n)
    moq = rng.integers(0, 30, n).astype(float)
    mult = rng.choice([1.0, 5.0, 10.0], n)
    bom = Bom(
        np.array([e[0] for e in edges], dtype=np.int64),
        np.array([e[1] for e in edges], dtype=np.int64),
        np.array([e[2] for e in edges]),
        n,
    )
    record = run_mrp(MrpInputs(ind, sched, on_hand, ss, lt, moq, mult), bom)
    receipts, releases = _mrp_slow(ind, sched, on_hand, ss, lt, moq, mult, edges)
    assert record.planned_receipts == pytest.approx(receipts)
    assert record.planned_releases == pytest.approx(releases)


def test_bom_cycles_are_refused() -> None:
    with pytest.raises(BomCycleError, match="cycle"):
        low_level_codes(Bom(np.array([0, 1]), np.array([1, 0]), np.array([1.0, 1.0]), 2))
    with pytest.raises(BomCycleError, match="own component"):
        Bom(np.array([0]), np.array([0]), np.array([1.0]), 1)


def test_explode_and_lead_time_rounding() -> None:
    bom = Bom(np.array([0, 0]), np.array([1, 2]), np.array([2.0, 0.5]), 3)
    assert explode(bom, np.array([[4.0, 2.0], [1.0, 1.0], [0.0, 0.0]])).tolist() == [
        [0, 0],
        [8, 4],
        [2, 1],
    ]
    assert lead_time_in_periods(np.array([5.0, 20.0, 45.0, np.nan]), 30.4).tolist() == [0, 1, 1, 0]


# ---------------------------------------------------------------- approvals


def test_second_level_reasons() -> None:
    req = approval_requirements(
        order_value=np.array([10_000.0, 80_000.0, 1_000.0, 1_000.0, 1_000.0]),
        quantity=np.array([50.0, 50.0, 200.0, 50.0, 50.0]),
        inventory_position=np.array([10.0, 10.0, 10.0, 10.0, 10.0]),
        order_up_to=np.array([60.0, 60.0, 60.0, 60.0, 60.0]),
        order_multiple=np.array([10.0, 10.0, 10.0, 10.0, 10.0]),
        supplier_status=np.array(
            ["approved", "approved", "approved", "conditional", None], dtype=object
        ),
        is_purchase=np.array([True, True, True, True, False]),
        is_emergency=np.array([False, False, False, False, True]),
        value_threshold=50_000.0,
    )
    assert req.required_level.tolist() == [1, 2, 2, 2, 2]
    assert req.reasons == ["", "value", "beyond_order_up_to", "unapproved_supplier", "emergency"]


STATE = ProposalState("P1", ProposalStatus.PROPOSED, 2, "system", date(2026, 1, 10))


def test_two_level_approval_by_two_people() -> None:
    today = date(2026, 1, 5)
    first = decide(STATE, Decision.APPROVE, Role.PLANNER, "alice", today)
    assert first.new_status is ProposalStatus.PENDING_APPROVAL and first.new_requested_by == "alice"
    pending = ProposalState("P1", first.new_status, 2, "alice", STATE.expires_on)
    with pytest.raises(ApprovalRuleError, match="Alice requested this level-2 decision"):
        decide(pending, Decision.APPROVE, Role.SUPPLY_MANAGER, "Alice", today)
    with pytest.raises(ApprovalRuleError, match="role planner may not decide level 2"):
        decide(pending, Decision.APPROVE, Role.PLANNER, "bob", today)
    assert decide(pending, Decision.APPROVE, Role.SUPPLY_MANAGER, "bob", today).new_status is (
        ProposalStatus.APPROVED
    )


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (ProposalStatus.REJECTED, "was rejected"),
        (ProposalStatus.EXPIRED, "has expired"),
        (ProposalStatus.APPROVED, "already approved"),
        (ProposalStatus.ORDERED, "exported"),
    ],
)
def test_closed_proposals_take_no_decision(status: ProposalStatus, message: str) -> None:
    state = ProposalState("P1", status, 1, "system", date(2026, 1, 10), "carol")
    with pytest.raises(ApprovalRuleError, match=message):
        decide(state, Decision.APPROVE, Role.DIRECTOR, "dave", date(2026, 1, 5))


def test_approval_after_validity_fails() -> None:
    with pytest.raises(ApprovalRuleError, match=r"expired \(valid until 2026-01-10\)"):
        decide(STATE, Decision.APPROVE, Role.PLANNER, "alice", date(2026, 1, 11))


def test_quality_cannot_release_orders() -> None:
    with pytest.raises(ApprovalRuleError, match="role quality may not decide level 1"):
        decide(STATE, Decision.REJECT, Role.QUALITY, "qa", date(2026, 1, 5))


# ---------------------------------------------------------------- alerts


def test_tracking_signal_by_hand() -> None:
    # SES with alpha 0.2 initialised at the first value: constant 10 then 20s → positive bias
    y = np.array([[10.0, 10, 10, 20, 20, 20], [5.0, 5, 5, 5, 5, 5]])
    signal = tracking_signal(y, weeks=3, min_nonzero=3)
    # fitted: 10, 10, 10, 10, 12, 13.6 → errors (last 3) 10, 8, 6.4; MAD 8.133 → TS 3.0
    assert signal[0] == pytest.approx((10 + 8 + 6.4) / ((10 + 8 + 6.4) / 3))
    assert np.isnan(signal[1])
    sparse = np.array([[0.0, 0, 9, 0, 0, 9, 0, 0, 0, 9]])  # 1 demand in the last 4 weeks
    assert np.isnan(tracking_signal(sparse, weeks=4)[0])


def test_bias_z_is_a_standard_normal_test_where_the_raw_signal_is_not() -> None:
    # Unbiased normal errors (sigma 10) over 60 weeks, judged on the last 13: the raw
    # tracking signal beyond 4 flags ~39 % (sum of 13 errors has sd sigma sqrt(13)); the
    # z rule at 3 flags ~0.6 % (the normal tail's 0.27 %, widened by sigma estimated from 39
    # weeks), and finds shifts of 1 and 2 sigma.
    rng = np.random.default_rng(1)
    y = rng.normal(100.0, 10.0, (20_000, 60))
    flat = np.full_like(y, 100.0)
    assert np.mean(np.abs(tracking_signal(y, 13, fitted=flat)) > 4) > 0.3
    assert 0.002 < np.mean(np.abs(bias_z(y, 13, fitted=flat)) > 3) < 0.01
    for shift, least in ((10.0, 0.65), (20.0, 0.99)):
        moved = y.copy()
        moved[:, -13:] += shift
        assert np.mean(bias_z(moved, 13, fitted=flat) > 3) > least
    # the raw signal cannot exceed k however large the bias; z grows with it
    huge = y.copy()
    huge[:, -13:] += 1_000.0
    assert np.all(np.abs(tracking_signal(huge, 13, fitted=flat)) <= 13 + 1e-9)
    assert np.all(bias_z(huge, 13, fitted=flat) > 30)


def test_thresholds_of_earlier_releases_still_read() -> None:
    stored = '{"tracking_signal_limit": 4.0, "approval_value_threshold": 9000.0}'
    assert PlanThresholds.from_json(stored) == PlanThresholds(approval_value_threshold=9000.0)
    with pytest.raises(ValueError, match="unknown plan thresholds: typo_limit"):
        PlanThresholds.from_json('{"typo_limit": 1}')


def test_alert_rules() -> None:
    r = stockout_in_lead_time(
        np.array([3, 9, 0]),
        np.array([7.0, 7.0, 7.0]),
        np.array(["low", "low", "low"], dtype=object),
    )
    assert r.fires.tolist() == [True, False, True]
    assert list(r.severity) == [Severity.HIGH, Severity.HIGH, Severity.CRITICAL]
    e = expiry_risk(
        np.array([5.0, 0.0, 5.0]), np.array([30.0, 30.0, 200.0]), np.array([20_000.0, 0, 0]), 90
    )
    assert e.fires.tolist() == [True, False, False] and e.severity[0] == Severity.HIGH
    d = supplier_downgraded(
        np.array(["approved", "blocked", "conditional", "approved"], dtype=object),
        np.array([400.0, 50, 50, 10]),
        30,
    )
    assert d.fires.tolist() == [False, True, True, True]
    assert list(d.severity) == [Severity.LOW, Severity.HIGH, Severity.MEDIUM, Severity.LOW]
    minutes = excursion_minutes(
        np.array([0, 0, 0, 1]),
        np.array([15.0, 15, 15, 15]),
        np.array([5.0, 9, 11, 30]),
        np.array([2.0, 15.0]),
        np.array([8.0, 25.0]),
        2,
    )
    assert minutes.tolist() == [30.0, 15.0]


def test_an_expiry_capped_source_still_covers_what_it_ships_on() -> None:
    """A DC whose own demand allows at most 10 units before expiry ships 90 to a hospital
    today: it orders the 90 plus its own need, so the next night proposes nothing again."""
    base = {
        "item_code": np.array([0, 0, 1, 1]),
        "on_hand": np.array([0.0, 10.0, 500.0, 500.0]),
        "is_purchase": np.array([True, False, True, True]),
        "supply_row": np.array([-1, 0, -1, -1]),
        "moq": np.array([1.0, 1.0, 1.0, 1.0]),
        "order_multiple": np.array([1.0, 1.0, 1.0, 1.0]),
        "on_backup_supplier": np.zeros(4, dtype=bool),
        "max_quantity": np.array([10.0, np.inf, np.inf, np.inf]),
    }
    first = plan_orders(_inputs(**base), PlanThresholds())
    got = sorted(zip(first.lines.row.tolist(), first.lines.quantity.tolist(), strict=True))
    assert got == [(0, 100.0), (1, 90.0)]  # 0 - 90 → up to 100 (cap 10 + 90 shipped on)
    pending_in = np.bincount(first.lines.row, weights=first.lines.quantity, minlength=4)
    out = first.lines.source_row >= 0
    pending_out = np.bincount(
        first.lines.source_row[out], weights=first.lines.quantity[out], minlength=4
    )
    second = plan_orders(
        _inputs(**base, pending_in=pending_in, pending_out=pending_out), PlanThresholds()
    )
    assert len(second.lines) == 0


def test_with_stock_inbound_a_capped_row_waits_instead_of_ordering_a_wasted_minimum() -> None:
    one = np.ones(1)
    common = {
        "item_code": np.zeros(1, dtype=np.int64),
        "on_hand": one * 5,
        "expiring_unused": one * 0,
        "pending_out": one * 0,
        "known_demand": one * 0,
        "reorder_point": one * 40,
        "order_up_to": one * 100,
        "safety_stock": one * 10,
        "demand_rate": one,
        "trailing_rate": one,
        "lead_time": one * 5,
        "moq": one * 50,
        "order_multiple": one,
        "is_purchase": np.array([True]),
        "is_active": np.array([True]),
        "on_backup_supplier": np.array([False]),
        "supply_row": np.array([-1]),
        "max_quantity": one * 80,
    }
    # 60 inbound of a cap of 80 leaves 20 < MOQ 50: wait
    waiting = plan_orders(
        ShortTermInputs(**common, on_order=one * 30, pending_in=one * 30), PlanThresholds()
    )
    assert len(waiting.lines) == 0
    # nothing inbound: the policy's cap applies to this order (95 wanted → 80)
    first = plan_orders(
        ShortTermInputs(**common, on_order=one * 0, pending_in=one * 0), PlanThresholds()
    )
    assert first.lines.quantity.tolist() == [80.0]


def test_idle_transfers_are_not_counted_twice_across_passes() -> None:
    """Regression (found by benchmarks/plan.py): one receiver short of 156, donors with 143,
    135 and 121 idle → 143 from the largest and 13 from the next, nothing more."""
    n = 4
    plan = plan_orders(
        _inputs(
            item_code=np.zeros(n, dtype=np.int64),
            on_hand=np.array([114.0, 305.0, 250.0, 352.0]),
            reorder_point=np.array([136.4, 45.6, 22.8, 61.6]),
            order_up_to=np.array([269.4, 169.8, 128.9, 208.1]),
            demand_rate=np.ones(n),
            trailing_rate=np.ones(n),
            moq=np.ones(n),
            order_multiple=np.ones(n),
            on_backup_supplier=np.zeros(n, dtype=bool),
        ),
        PlanThresholds(),
    )
    got = sorted(zip(plan.lines.source_row.tolist(), plan.lines.quantity.tolist(), strict=True))
    assert got == [(1, 13.0), (3, 143.0)]
    assert plan.lines.is_idle_transfer.all()
