"""Approval rules: which proposals need a second role, and which decisions are allowed.

Every proposal is released by a first-level approver (a planner or buyer) before it may be
exported to the ERP. A proposal also needs a **second-level** approval when any of these hold:

=======================  ===============================================================
reason                   condition
=======================  ===============================================================
``value``                order value > ``approval_value_threshold`` [CNY]
``beyond_order_up_to``   inventory position + quantity > order-up-to level + one order
                         multiple (more than rounding to the supplier's terms explains)
``unapproved_supplier``  the supplier's qualification status is not ``approved``
``emergency``            the order is an emergency (urgency ``critical``: stock runs out
                         before an order placed today arrives)
=======================  ===============================================================

The state machine (:func:`decide`) is the single place the rules live; the store layer
(:mod:`replenlib.governance.approvals`) applies it inside a write transaction, so the CLI and
the notebooks enforce the same rules:

* ``proposed`` → approve (level 1) → ``approved`` or, when level 2 is required,
  ``pending_approval``; the level-1 approver becomes the *requester* of level 2;
* ``pending_approval`` → approve (level 2, a second role, another person) → ``approved``;
* ``proposed`` / ``pending_approval`` → reject → ``rejected``;
* nobody approves their own request; rejected, expired, approved and ordered proposals accept
  no further decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import numpy as np
from numpy.typing import NDArray


class Role(StrEnum):
    """Who acts: approvers of orders and owners of alerts."""

    PLANNER = "planner"
    BUYER = "buyer"
    SUPPLY_MANAGER = "supply_manager"
    FINANCE = "finance"
    DIRECTOR = "director"
    QUALITY = "quality"
    DEMAND_PLANNER = "demand_planner"
    DATA_STEWARD = "data_steward"


#: Roles that may decide at each approval level.
LEVEL_ROLES: dict[int, frozenset[Role]] = {
    1: frozenset({Role.PLANNER, Role.BUYER, Role.SUPPLY_MANAGER, Role.DIRECTOR}),
    2: frozenset({Role.SUPPLY_MANAGER, Role.FINANCE, Role.DIRECTOR}),
}


class ProposalStatus(StrEnum):
    """Life cycle of a proposal (stored in ``proposals.status``)."""

    PROPOSED = "proposed"  #: awaiting the first-level release
    PENDING_APPROVAL = "pending_approval"  #: released, awaiting the second-level approval
    APPROVED = "approved"  #: may be exported as a purchase requisition
    REJECTED = "rejected"
    EXPIRED = "expired"  #: not decided within its validity
    ORDERED = "ordered"  #: exported to the ERP as a requisition


#: Statuses whose quantity still counts in the inventory position (not yet an ERP order).
OPEN_STATUSES: tuple[ProposalStatus, ...] = (
    ProposalStatus.PROPOSED,
    ProposalStatus.PENDING_APPROVAL,
    ProposalStatus.APPROVED,
)


class Decision(StrEnum):
    """What an approver does."""

    APPROVE = "approve"
    REJECT = "reject"


class ApprovalReason(StrEnum):
    """Why a proposal needs a second-level approval."""

    VALUE = "value"
    BEYOND_ORDER_UP_TO = "beyond_order_up_to"
    UNAPPROVED_SUPPLIER = "unapproved_supplier"
    EMERGENCY = "emergency"


class ApprovalRuleError(ValueError):
    """A decision the rules forbid; the message says which rule and why."""


@dataclass(frozen=True)
class ApprovalRequirement:
    """Per proposal: the approval level needed (1 or 2) and the reasons for level 2."""

    required_level: NDArray[np.int64]
    reasons: list[str]  #: ';'-joined :class:`ApprovalReason` values, '' when none


def approval_requirements(
    *,
    order_value: NDArray[np.float64],
    quantity: NDArray[np.float64],
    inventory_position: NDArray[np.float64],
    order_up_to: NDArray[np.float64],
    order_multiple: NDArray[np.float64],
    supplier_status: NDArray[np.object_],
    is_purchase: NDArray[np.bool_],
    is_emergency: NDArray[np.bool_],
    value_threshold: float,
) -> ApprovalRequirement:
    """Required approval level per proposal (see the module docstring for the rules).

    ``supplier_status`` is the qualification status (``approved``, ``conditional``, ``blocked``)
    and is only judged for purchases (``is_purchase``); transfers have no supplier.
    ``order_value`` and ``value_threshold`` are in [CNY]; quantities, positions, levels and the
    order multiple in [units].
    """
    flags = {
        ApprovalReason.VALUE: order_value > value_threshold,
        ApprovalReason.BEYOND_ORDER_UP_TO: inventory_position + quantity
        > order_up_to + np.maximum(order_multiple, 0.0) + 1e-9,
        ApprovalReason.UNAPPROVED_SUPPLIER: is_purchase & (supplier_status != "approved"),
        ApprovalReason.EMERGENCY: np.asarray(is_emergency, dtype=bool),
    }
    stacked = np.column_stack([np.asarray(f, dtype=bool) for f in flags.values()])
    names = np.array([r.value for r in flags], dtype=object)
    reasons = [";".join(names[row]) for row in stacked]
    level = np.where(stacked.any(axis=1), 2, 1).astype(np.int64)
    return ApprovalRequirement(required_level=level, reasons=reasons)


@dataclass(frozen=True)
class ProposalState:
    """What the rules need to know about one proposal."""

    proposal_id: str
    status: ProposalStatus
    required_level: int
    requested_by: str  #: who asked for the pending decision (the run, or the level-1 approver)
    expires_on: date
    last_decided_by: str = ""  #: who made the last decision (for messages)


@dataclass(frozen=True)
class Transition:
    """The outcome of an allowed decision."""

    level: int  #: the level decided at
    new_status: ProposalStatus
    new_requested_by: str  #: requester of the next level ('' when none)


def decide(
    state: ProposalState, decision: Decision, role: Role, user: str, today: date
) -> Transition:
    """Apply one approver's decision to a proposal, or raise :class:`ApprovalRuleError`."""
    _require_open(state, today)
    level = 1 if state.status is ProposalStatus.PROPOSED else 2
    if user.strip().lower() == state.requested_by.strip().lower():
        raise ApprovalRuleError(
            f"{user} requested this level-{level} decision on {state.proposal_id} and cannot "
            "decide on their own request: a second person must"
        )
    if role not in LEVEL_ROLES[level]:
        allowed = ", ".join(sorted(r.value for r in LEVEL_ROLES[level]))
        raise ApprovalRuleError(
            f"role {role.value} may not decide level {level} of {state.proposal_id}; "
            f"allowed roles: {allowed}"
        )
    if decision is Decision.REJECT:
        return Transition(level, ProposalStatus.REJECTED, "")
    if level < state.required_level:
        return Transition(level, ProposalStatus.PENDING_APPROVAL, user)
    return Transition(level, ProposalStatus.APPROVED, "")


def _require_open(state: ProposalState, today: date) -> None:
    closed = {
        ProposalStatus.REJECTED: "was rejected",
        ProposalStatus.EXPIRED: "has expired",
        ProposalStatus.APPROVED: "is already approved",
        ProposalStatus.ORDERED: "was already exported as a requisition",
    }
    if state.status in closed:
        by = f" (last decision by {state.last_decided_by})" if state.last_decided_by else ""
        raise ApprovalRuleError(
            f"proposal {state.proposal_id} {closed[state.status]}{by}: no further decision"
        )
    if today > state.expires_on:
        raise ApprovalRuleError(
            f"proposal {state.proposal_id} has expired (valid until {state.expires_on}); "
            "the next run proposes the need again if it persists"
        )
