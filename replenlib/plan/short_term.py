r"""The short-term plan: today's order lines per item-location, with reasons and urgency.

The inventory position counts everything already decided, so that a need is proposed once:

.. math::

    IP = I^{\text{usable}} - W^{\text{expiring}} + O^{\text{open PO}}
         + P^{\text{in}} - P^{\text{out}} - K^{\text{tender}},

with :math:`P^{\text{in}}, P^{\text{out}}` the open proposals and approved-but-not-ordered
requisitions into and out of the location (:data:`~replenlib.plan.approval.OPEN_STATUSES`),
:math:`W` usable stock expected to expire unused (:mod:`replenlib.plan.expiry`) and :math:`K` known demand
(tenders) due within the protection interval. When :math:`IP \le s` the location is short of
:math:`S - IP` (the order *quantity*, never the reorder level :math:`s`; an (s, Q) row wants
whole lots of Q instead, and periodic rows are only judged on their review day — the policy's
own rule, :func:`replenlib.policy.policies.replenishment_quantity`):

1. idle stock elsewhere is transferred first (:mod:`.transfers`), for locations bought from
   suppliers;
2. if :math:`IP + \text{transfers} \le s` still, the rest is ordered from the location's
   source (a purchase from the supplier, or a transfer from its supplying location), rounded
   up to the terms: :math:`q = \lceil S - IP - \text{transfers} \rceil_{\text{terms}}`, but not
   beyond what can be used before expiry where the terms allow;
3. what today's transfers take out of a supplying location lowers *its* position at once, so
   the plan is repeated, echelon by echelon, until the outgoing quantities settle: a
   distribution centre that ships to a hospital today reorders today, not tomorrow.

Urgency and emergency come from :func:`~replenlib.plan.proposals.decide_orders` (days of cover
against lead time).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

import numpy as np
from numpy.typing import NDArray

from replenlib.plan.proposals import ProposalDecision, Urgency, decide_orders
from replenlib.plan.thresholds import PlanThresholds
from replenlib.plan.transfers import TransferPlan, match_transfers, surplus_stock
from replenlib.policy.order_sizing import round_within_cap
from replenlib.policy.policies import replenishment_quantity


class ReasonCode(StrEnum):
    """Why a line is proposed; a line may carry several."""

    BELOW_REORDER_POINT = "below_reorder_point"
    FORECAST_PEAK = "forecast_peak"
    TENDER = "tender"
    BACKUP_SUPPLIER = "backup_supplier"
    EXPIRY_REPLACEMENT = "expiry_replacement"
    IDLE_STOCK = "idle_stock"


class OrderKind(StrEnum):
    """Where a line's stock comes from."""

    PURCHASE = "purchase"
    TRANSFER = "transfer"


@dataclass(frozen=True)
class ShortTermInputs:
    """Per item-location arrays of equal length (units: base units, days).

    Attributes
    ----------
    item_code : integer code of the item (rows of one item share it)
    on_hand : usable stock [units]
    expiring_unused : usable stock expected to expire before use [units]
    on_order : open purchase orders and transfers in transit [units]
    pending_in, pending_out : open proposals / approved requisitions in and out [units]
    known_demand : known demand due within the protection interval that the policy's levels do
        not include yet [units] (lowers the position)
    tender_demand : known demand the levels already include [units] (only named in reasons)
    reorder_point, order_up_to, safety_stock : the policy [units]
    demand_rate : forecast [units/day]; trailing_rate : last year's mean [units/day]
    lead_time : replenishment lead time from the usual source [days]
    moq, order_multiple : terms of the usual source [units]
    is_purchase : bought from suppliers (else replenished by transfer from a location)
    supply_row : row of the supplying location for transfer-replenished rows, -1 otherwise
    is_active : still sold (not past end of life)
    on_backup_supplier : the usual supplier is a backup because the primary is blocked
    """

    item_code: NDArray[np.int64]
    on_hand: NDArray[np.float64]
    expiring_unused: NDArray[np.float64]
    on_order: NDArray[np.float64]
    pending_in: NDArray[np.float64]
    pending_out: NDArray[np.float64]
    known_demand: NDArray[np.float64]
    reorder_point: NDArray[np.float64]
    order_up_to: NDArray[np.float64]
    safety_stock: NDArray[np.float64]
    demand_rate: NDArray[np.float64]
    trailing_rate: NDArray[np.float64]
    lead_time: NDArray[np.float64]
    moq: NDArray[np.float64]
    order_multiple: NDArray[np.float64]
    is_purchase: NDArray[np.bool_]
    is_active: NDArray[np.bool_]
    on_backup_supplier: NDArray[np.bool_]
    supply_row: NDArray[np.int64]
    tender_demand: NDArray[np.float64] | None = None
    policy_type: NDArray[np.object_] | None = None
    lot_size: NDArray[np.float64] | None = None
    review_due: NDArray[np.bool_] | None = None
    max_quantity: NDArray[np.float64] | None = None


@dataclass(frozen=True)
class OrderLines:
    """The proposed lines, most urgent first. ``source_row`` is the row a transfer ships from
    (the donor of idle stock, or the supplying location) and -1 for purchases and for sources
    outside the plan."""

    row: NDArray[np.int64]
    source_row: NDArray[np.int64]
    kind: NDArray[np.object_]  #: :class:`OrderKind` values
    quantity: NDArray[np.float64]  #: [units]
    lead_time: NDArray[np.float64]  #: [days]
    reasons: list[str]  #: ';'-joined :class:`ReasonCode` values
    urgency: NDArray[np.object_]  #: :class:`~replenlib.plan.proposals.Urgency` values
    urgency_score: NDArray[np.float64]  #: [-]
    is_emergency: NDArray[np.bool_]
    is_idle_transfer: NDArray[np.bool_]  #: a transfer of idle stock (not the usual source)

    def __len__(self) -> int:
        return len(self.row)


@dataclass(frozen=True)
class ShortTermPlan:
    """The lines plus the per-series numbers behind them."""

    lines: OrderLines
    inventory_position: NDArray[np.float64]  #: [units] before today's lines
    decision: ProposalDecision
    transfers: TransferPlan


def inventory_position(inputs: ShortTermInputs) -> NDArray[np.float64]:
    """The inventory position of the module docstring [units]."""
    return np.asarray(
        inputs.on_hand
        - inputs.expiring_unused
        + inputs.on_order
        + inputs.pending_in
        - inputs.pending_out
        - inputs.known_demand,
        dtype=np.float64,
    )


def plan_orders(
    inputs: ShortTermInputs, thresholds: PlanThresholds, max_echelons: int = 6
) -> ShortTermPlan:
    """Today's order lines: idle-stock transfers first, then purchases or regular transfers,
    repeated until what today's transfers take out of their sources settles (step 3)."""
    n = len(inputs.on_hand)
    shipped = np.zeros(n)
    plan = _plan_once(inputs, thresholds)
    for _ in range(max_echelons):
        lines = plan.lines  # idle-stock transfers are already netted inside each pass
        out = (lines.source_row >= 0) & ~lines.is_idle_transfer
        now = np.bincount(lines.source_row[out], weights=lines.quantity[out], minlength=n).astype(
            np.float64
        )
        if np.allclose(now, shipped):
            break
        shipped = now
        plan = _plan_once(replace(inputs, pending_out=inputs.pending_out + shipped), thresholds)
    return plan


def _plan_once(inputs: ShortTermInputs, thresholds: PlanThresholds) -> ShortTermPlan:
    """One pass of steps 1–2 of the module docstring."""
    position = inventory_position(inputs)
    active = np.asarray(inputs.is_active, dtype=bool)
    due = np.ones(len(position), dtype=bool) if inputs.review_due is None else inputs.review_due
    cap = usable_cap(inputs)
    decision = decide_orders(
        on_hand=inputs.on_hand,
        inventory_position=position,
        reorder_point=np.where(due, inputs.reorder_point, -np.inf),
        order_up_to=inputs.order_up_to,
        safety_stock=inputs.safety_stock,
        demand_mean=np.where(active, demand_with_known(inputs), 0.0),
        lead_time_mean=inputs.lead_time,
        moq=inputs.moq,
        order_multiple=inputs.order_multiple,
        wanted_quantity=wanted_quantity(inputs, position),
        max_quantity=cap,
    )
    # with stock already inbound, wait rather than order a minimum that expiry would waste
    inbound = inputs.on_order + inputs.pending_in
    needs = decision.needs_order & active & (cap > 0) & ((cap >= inputs.moq) | (inbound <= 0))
    shortfall = np.where(needs, wanted_quantity(inputs, position), 0.0)
    surplus = np.where(
        needs,
        0.0,
        surplus_stock(inputs.on_hand, position, inputs.order_up_to, inputs.pending_out),
    )
    transfers = match_transfers(
        inputs.item_code,
        np.where(inputs.is_purchase, np.ceil(shortfall - 1e-9), 0.0),
        surplus,
        decision.urgency_score,
        thresholds.min_transfer_quantity,
    )
    received = transfers.received(len(position))
    still_short = needs & (position + received <= inputs.reorder_point)
    rest = np.where(still_short, wanted_quantity(inputs, position + received), 0.0)
    quantity = np.where(
        still_short, round_within_cap(rest, inputs.moq, inputs.order_multiple, cap).quantity, 0.0
    )
    lines = _lines(inputs, position, decision, transfers, quantity, thresholds)
    return ShortTermPlan(lines, position, decision, transfers)


def _lines(
    inputs: ShortTermInputs,
    position: NDArray[np.float64],
    decision: ProposalDecision,
    transfers: TransferPlan,
    quantity: NDArray[np.float64],
    thresholds: PlanThresholds,
) -> OrderLines:
    """Idle-stock transfers and source orders as one list of lines, most urgent first."""
    source = np.flatnonzero(quantity > 0)
    row = np.concatenate([transfers.receiver, source]).astype(np.int64)
    n_idle = len(transfers.receiver)
    kind = np.where(inputs.is_purchase[source], OrderKind.PURCHASE, OrderKind.TRANSFER)
    idle = np.arange(len(row)) < n_idle
    reasons = reason_codes(reason_flags(inputs, position, thresholds), row, idle)
    order = np.argsort(-decision.urgency_score[row], kind="stable")
    urgency = decision.urgency[row]
    return OrderLines(
        row=row[order],
        source_row=np.concatenate([transfers.donor, inputs.supply_row[source]])[order].astype(
            np.int64
        ),
        kind=np.concatenate([np.full(n_idle, OrderKind.TRANSFER, dtype=object), kind])[order],
        quantity=np.concatenate([transfers.quantity, quantity[source]])[order],
        lead_time=np.concatenate(
            [np.full(n_idle, thresholds.lateral_transfer_days), inputs.lead_time[source]]
        )[order],
        reasons=[reasons[i] for i in order],
        urgency=urgency[order],
        urgency_score=decision.urgency_score[row][order],
        is_emergency=(urgency == Urgency.CRITICAL)[order],
        is_idle_transfer=idle[order],
    )


def demand_with_known(inputs: ShortTermInputs) -> NDArray[np.float64]:
    """Demand rate counting known demand over the lead time, so that a tender for an item
    without history still orders [units/day]."""
    known_rate = inputs.known_demand / np.maximum(inputs.lead_time, 1.0)
    return np.asarray(np.maximum(inputs.demand_rate, known_rate), dtype=np.float64)


def usable_cap(inputs: ShortTermInputs) -> NDArray[np.float64]:
    """How much more may be ordered before expiry makes it waste [units].

    The policy's cap bounds what the location's own demand uses before expiry; it bounds
    everything still inbound (open orders and proposals), not each order alone — or capped
    rows would reorder every night — and what the location ships on to others (open and
    today's transfers out) comes on top.
    """
    if inputs.max_quantity is None:
        return np.full(len(inputs.on_hand), np.inf)
    inbound = inputs.on_order + inputs.pending_in
    return np.asarray(
        np.maximum(inputs.max_quantity + np.maximum(inputs.pending_out, 0.0) - inbound, 0.0),
        dtype=np.float64,
    )


def wanted_quantity(inputs: ShortTermInputs, position: NDArray[np.float64]) -> NDArray[np.float64]:
    """The policy's own quantity at ``position`` before terms: up to S, or lots of Q [units]."""
    if inputs.policy_type is None:
        return np.where(
            position <= inputs.reorder_point, np.maximum(inputs.order_up_to - position, 0.0), 0.0
        )
    lot = inputs.order_up_to - inputs.reorder_point if inputs.lot_size is None else inputs.lot_size
    return replenishment_quantity(
        inputs.policy_type, position, inputs.reorder_point, inputs.order_up_to, lot
    )


def reason_flags(
    inputs: ShortTermInputs, position: NDArray[np.float64], thresholds: PlanThresholds
) -> dict[ReasonCode, NDArray[np.bool_]]:
    """Per series, which reasons apply to an order placed today (``position`` [units]).

    Tender and expiry replacement apply when they lowered the position (and so raised the
    quantity); a forecast peak when the forecast rate exceeds ``forecast_peak_ratio`` times
    last year's rate.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        peak = inputs.demand_rate > thresholds.forecast_peak_ratio * inputs.trailing_rate
    return {
        ReasonCode.BELOW_REORDER_POINT: np.ones(len(position), dtype=bool),
        ReasonCode.FORECAST_PEAK: peak & (inputs.trailing_rate > 0),
        ReasonCode.TENDER: (inputs.known_demand > 0)
        | (False if inputs.tender_demand is None else inputs.tender_demand > 0),
        ReasonCode.BACKUP_SUPPLIER: np.asarray(inputs.on_backup_supplier, dtype=bool)
        & inputs.is_purchase,
        ReasonCode.EXPIRY_REPLACEMENT: inputs.expiring_unused > 0,
    }


def reason_codes(
    flags: dict[ReasonCode, NDArray[np.bool_]], row: NDArray[np.int64], idle: NDArray[np.bool_]
) -> list[str]:
    """';'-joined reason codes per line: each distinct combination is spelled once (a bit
    mask per line), not once per line."""
    codes = [*flags, ReasonCode.IDLE_STOCK]
    bits = np.column_stack([*(flags[c][row] for c in flags), idle]).astype(np.int64)
    mask = bits @ (1 << np.arange(len(codes)))
    unique, inverse = np.unique(mask, return_inverse=True)
    words = np.array(
        [";".join(c.value for k, c in enumerate(codes) if m >> k & 1) for m in unique.tolist()],
        dtype=object,
    )
    return list(words[inverse.ravel()])
