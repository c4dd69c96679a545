"""Approvals in the store: apply :func:`replenlib.plan.approval.decide` in one write transaction.

:func:`record_decision` opens the store's writer, reads the proposal's current state, applies
the rules, updates ``proposals.status`` and ``proposal_controls``, appends the decision to
``approvals`` and to the audit trail, and swaps the store in. Writers are serialised by the
store's lock, so of two people deciding the same proposal at once exactly one wins: the other
reads the winner's result and gets a :class:`ApprovalError` saying who decided.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd

from replenlib.errors import ReplenError
from replenlib.governance import audit
from replenlib.governance.sql import one
from replenlib.plan.approval import (
    OPEN_STATUSES,
    ApprovalRuleError,
    Decision,
    ProposalState,
    ProposalStatus,
    Role,
    decide,
)
from replenlib.store import writer


class ApprovalError(ReplenError):
    """A decision the approval rules refuse (own request, wrong role, closed proposal, ...)."""

    exit_code = 10


@dataclass(frozen=True)
class Actor:
    """Who acts: a role and a user name (``ROLE/USER`` on the command line)."""

    role: Role
    user: str

    def __str__(self) -> str:
        return f"{self.role.value}/{self.user}"

    @classmethod
    def parse(cls, text: str) -> Actor:
        """Parse ``ROLE/USER``, e.g. ``planner/alice``."""
        role, _, user = text.partition("/")
        roles = ", ".join(r.value for r in Role)
        if not user.strip():
            raise ApprovalError(f"expected ROLE/USER such as planner/alice, got {text!r}")
        try:
            return cls(Role(role.strip().lower()), user.strip())
        except ValueError:
            raise ApprovalError(f"unknown role {role!r} in {text!r}; roles: {roles}") from None


@dataclass(frozen=True)
class DecisionResult:
    """What a recorded decision did."""

    proposal_id: str
    level: int
    decision: Decision
    status: ProposalStatus
    actor: Actor


def record_decision(
    db: Path | str,
    proposal_id: str,
    decision: Decision,
    actor: Actor,
    comment: str = "",
    *,
    now: datetime | None = None,
) -> DecisionResult:
    """Open the store for writing and record one decision (see the module docstring)."""
    with writer(db) as con:
        return decide_in(con, proposal_id, decision, actor, comment, now=now)


def decide_in(
    con: duckdb.DuckDBPyConnection,
    proposal_id: str,
    decision: Decision,
    actor: Actor,
    comment: str = "",
    *,
    now: datetime | None = None,
) -> DecisionResult:
    """Record one decision on an open writer connection (the caller owns the writer)."""
    moment = now or datetime.now()
    state = proposal_state(con, proposal_id)
    try:
        transition = decide(state, decision, actor.role, actor.user, moment.date())
    except ApprovalRuleError as exc:
        raise ApprovalError(str(exc)) from None
    con.execute(
        "UPDATE proposals SET status = ? WHERE proposal_id = ?",
        [transition.new_status.value, proposal_id],
    )
    con.execute(
        "UPDATE proposal_controls SET requested_by = ?, updated_at = ? WHERE proposal_id = ?",
        [transition.new_requested_by, moment, proposal_id],
    )
    row = one(con.execute("SELECT coalesce(max(approval_id), 0) + 1 FROM approvals"))
    con.execute(
        "INSERT INTO approvals VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            int(row[0]) if row else 1,
            proposal_id,
            transition.level,
            decision.value,
            actor.role.value,
            actor.user,
            comment or None,
            transition.new_status.value,
            moment,
        ],
    )
    audit.append(
        con,
        actor=str(actor),
        action=audit.AuditAction.APPROVE
        if decision is Decision.APPROVE
        else audit.AuditAction.REJECT,
        entity="proposal",
        entity_id=proposal_id,
        details={
            "level": transition.level,
            "status": transition.new_status.value,
            "comment": comment,
        },
        now=moment,
    )
    return DecisionResult(proposal_id, transition.level, decision, transition.new_status, actor)


def proposal_state(con: duckdb.DuckDBPyConnection, proposal_id: str) -> ProposalState:
    """The state the rules judge; raises :class:`ApprovalError` for an unknown id."""
    row = one(
        con.execute(
            """
        SELECT p.status, c.required_level, c.requested_by, c.expires_on,
               (SELECT a.role || '/' || a.user_id FROM approvals a
                WHERE a.proposal_id = p.proposal_id ORDER BY a.approval_id DESC LIMIT 1)
        FROM proposals p JOIN proposal_controls c USING (proposal_id)
        WHERE p.proposal_id = ?
        """,
            [proposal_id],
        )
    )
    if row is None:
        raise ApprovalError(
            f"no proposal {proposal_id!r} in the store (see `replen plan` for the open ones)"
        )
    return ProposalState(
        proposal_id, ProposalStatus(row[0]), int(row[1]), str(row[2]), row[3], row[4] or ""
    )


def expire_proposals(con: duckdb.DuckDBPyConnection, today: date) -> int:
    """Mark proposals awaiting a decision past their validity as expired; return how many.

    Approved requisitions do not expire: they wait for the export.
    """
    waiting = [ProposalStatus.PROPOSED.value, ProposalStatus.PENDING_APPROVAL.value]
    row = one(
        con.execute(
            """
        SELECT count(*) FROM proposals p JOIN proposal_controls c USING (proposal_id)
        WHERE p.status IN (?, ?) AND c.expires_on < ?
        """,
            [*waiting, today],
        )
    )
    con.execute(
        """
        UPDATE proposals SET status = 'expired'
        WHERE status IN (?, ?) AND proposal_id IN (
            SELECT proposal_id FROM proposal_controls WHERE expires_on < ?)
        """,
        [*waiting, today],
    )
    return int(row[0]) if row else 0


def open_proposal_lines(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Proposals still counting in the inventory position (proposed, pending, approved)."""
    marks = ", ".join("?" for _ in OPEN_STATUSES)
    return con.execute(
        f"""
        SELECT proposal_id, item_id, location_id, source_location_id, kind, quantity,
               expected_arrival, status
        FROM proposals WHERE status IN ({marks})
        """,
        [s.value for s in OPEN_STATUSES],
    ).df()


def pending_approvals(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Proposals waiting for a decision, most urgent first, with the level they wait for."""
    return con.execute(
        """
        SELECT p.proposal_id, p.item_id, p.location_id, p.kind, p.supplier_id,
               p.source_location_id, p.quantity, p.order_value, p.urgency, p.urgency_score,
               p.status, c.required_level,
               CASE WHEN p.status = 'proposed' THEN 1 ELSE 2 END AS awaiting_level,
               c.approval_reasons, c.requested_by, c.expires_on, p.reason
        FROM proposals p JOIN proposal_controls c USING (proposal_id)
        WHERE p.status IN ('proposed', 'pending_approval')
        ORDER BY p.urgency_score DESC, p.order_value DESC
        """
    ).df()
