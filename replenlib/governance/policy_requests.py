"""Policy version requests: propose a strategy, a second person approves (or rejects) it.

The governance rule (DESIGN.md): every policy change is a version with who, when, why and
who approved, and nobody approves their own request. A proposal is therefore *pending*
until another person decides; approving stores it as the next ``policy_versions`` row (the
one the next nightly run plans with). A proposal made against version *k* cannot be approved
once the current version is no longer *k*: the approver would sign off changes they have not
seen compared with today's policy.

This is the one place the what-if widget's button and ``replen policy propose`` / ``decide``
go through. An approval creates the version with
:func:`replenlib.governance.policy_versions.create_version` (four eyes, audit entry, the plan
thresholds of the version it changes); proposing and rejecting are audited too. Every
change is one :func:`replenlib.store.writer` transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd

from replenlib.errors import ReplenError
from replenlib.governance import audit
from replenlib.governance.policy_versions import (
    create_version,
    current_version,
    same_person,
    thresholds_for,
)
from replenlib.policy.strategy import Strategy, StrategyError
from replenlib.store.db import reader, writer


class PolicyRequestError(ReplenError):
    """A request that does not exist, or a decision the governance rules refuse."""

    exit_code = 11


@dataclass(frozen=True)
class Decision:
    """What a decision did: the request, its new status and the version it created."""

    request_id: int
    status: str
    version_id: int | None


def propose_policy_version(
    db: Path | str,
    strategy: Strategy,
    *,
    author: str,
    reason: str,
    based_on_version: int,
    now: datetime | None = None,
) -> int:
    """Store ``strategy`` as a pending request and return its number."""
    if not author.strip():
        raise PolicyRequestError("a policy version request needs an author (your name)")
    if not reason.strip():
        raise PolicyRequestError("a policy version request needs a reason (why the policy changes)")
    body = strategy.to_json()
    Strategy.from_json(body)  # refuse what the planner could not read
    moment = now or datetime.now()
    with writer(db) as con:
        request = _next_id(con)
        con.execute(
            "INSERT INTO policy_requests VALUES (?, ?, ?, ?, ?, ?, 'pending', NULL, NULL, NULL, NULL)",
            [request, moment, author.strip(), reason.strip(), based_on_version, body],
        )
        audit.append(
            con,
            actor=author.strip(),
            action=audit.AuditAction.POLICY_PROPOSE,
            entity="policy_request",
            entity_id=str(request),
            details={"reason": reason.strip(), "based_on_version": based_on_version},
            now=moment,
        )
    return request


def propose_from_file(db: Path | str, path: Path, *, author: str, reason: str) -> tuple[int, int]:
    """Propose the strategy of a JSON file against the current version: (request, version).

    The file holds a strategy body, or what ``replen policy show V --json`` prints
    (``strategy`` and ``thresholds``); thresholds, when given, must equal the current ones —
    a request changes the strategy only, and silently dropping an edit would mislead.
    """
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PolicyRequestError(f"{path}: expected a JSON policy file ({exc})") from None
    content = body if isinstance(body, dict) and "strategy" in body else {"strategy": body}
    try:
        strategy = Strategy.from_json(json.dumps(content["strategy"]))
    except StrategyError as exc:
        raise PolicyRequestError(f"{path}, key 'strategy': {exc}") from None
    with reader(db) as con:
        current = current_version(con)
    if current is None:
        raise PolicyRequestError("no policy version yet: run `replen run` first")
    if "thresholds" in content and content["thresholds"] != json.loads(
        current.thresholds.to_json()
    ):
        raise PolicyRequestError(
            f"{path}, key 'thresholds': differs from v{current.version_id}'s; a request changes "
            "the strategy only (remove the key or restore its values)"
        )
    request = propose_policy_version(
        db, strategy, author=author, reason=reason, based_on_version=current.version_id
    )
    return request, current.version_id


def approve_policy_request(
    db: Path | str,
    request_id: int,
    *,
    approver: str,
    comment: str = "",
    now: datetime | None = None,
) -> Decision:
    """Approve a pending request: it becomes the next policy version."""
    moment = now or datetime.now()
    with writer(db) as con:
        row = _pending(con, request_id, approver)
        current = con.execute(
            "SELECT coalesce(max(version_id), 0) FROM policy_versions"
        ).fetchall()[0][0]
        if int(current) != int(row["based_on_version"]):
            raise PolicyRequestError(
                f"request {request_id} changes policy version {row['based_on_version']}, but the "
                f"current version is {current}: propose it again against version {current}"
            )
        version = create_version(
            con,
            strategy=str(row["body"]),
            thresholds=thresholds_for(con, int(current)),
            author=str(row["author"]),
            reason=f"{row['reason']} (request {request_id})",
            approved_by=approver.strip(),
            now=moment,
        )
        _decide(con, request_id, "approved", approver, comment, moment, version)
    return Decision(request_id, "approved", version)


def reject_policy_request(
    db: Path | str, request_id: int, *, approver: str, comment: str, now: datetime | None = None
) -> Decision:
    """Reject a pending request (a comment saying why is required)."""
    if not comment.strip():
        raise PolicyRequestError("rejecting a request needs a comment saying why")
    with writer(db) as con:
        _pending(con, request_id, approver)
        moment = now or datetime.now()
        _decide(con, request_id, "rejected", approver, comment, moment, None)
        audit.append(
            con,
            actor=approver.strip(),
            action=audit.AuditAction.REJECT,
            entity="policy_request",
            entity_id=str(request_id),
            details={"comment": comment.strip()},
            now=moment,
        )
    return Decision(request_id, "rejected", None)


def policy_requests(db: Path | str, status: str | None = None) -> pd.DataFrame:
    """Requests, newest first (all, or those with ``status``)."""
    with reader(db) as con:
        sql = (
            "SELECT request_id, created_at, author, reason, based_on_version, status, decided_by, "
            "decided_at, comment, version_id FROM policy_requests"
        )
        params: list[object] = []
        if status:
            sql, params = sql + " WHERE status = ?", [status]
        return con.execute(sql + " ORDER BY request_id DESC", params).df()


def _next_id(con: duckdb.DuckDBPyConnection) -> int:
    return int(
        con.execute("SELECT coalesce(max(request_id), 0) + 1 FROM policy_requests").fetchall()[0][0]
    )


def _pending(con: duckdb.DuckDBPyConnection, request_id: int, approver: str) -> pd.Series:
    frame = con.execute("SELECT * FROM policy_requests WHERE request_id = ?", [request_id]).df()
    if frame.empty:
        raise PolicyRequestError(f"policy version request {request_id} does not exist")
    row = frame.iloc[0]
    if row["status"] != "pending":
        raise PolicyRequestError(f"policy version request {request_id} is already {row['status']}")
    if not approver.strip():
        raise PolicyRequestError("a decision needs the approver's name")
    if same_person(approver, str(row["author"])):
        raise PolicyRequestError(
            f"{approver} proposed request {request_id} and cannot decide it: a second person must"
        )
    return row


def _decide(
    con: duckdb.DuckDBPyConnection,
    request_id: int,
    status: str,
    approver: str,
    comment: str,
    moment: datetime,
    version: int | None,
) -> None:
    con.execute(
        "UPDATE policy_requests SET status = ?, decided_by = ?, decided_at = ?, comment = ?, "
        "version_id = ? WHERE request_id = ?",
        [status, approver.strip(), moment, comment.strip() or None, version, request_id],
    )
