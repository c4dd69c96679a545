r"""The audit trail: an append-only, hash-chained log in the store.

Every entry carries the hash of the entry before it, and its own hash covers its fields and
that previous hash:

.. math::

    h_k = \operatorname{SHA256}\bigl(\text{canonical JSON of }(k, t_k, \text{actor}_k,
          \text{action}_k, \text{entity}_k, \text{id}_k, \text{details}_k, h_{k-1})\bigr),
    \qquad h_0 = 0^{64}.

Editing any entry changes its hash (and breaks the link from the next entry); deleting an entry
leaves a gap in ``seq`` and a broken link; deleting entries at the end leaves the chain shorter
than ``audit_head``, which records the last sequence number and hash. :func:`verify` names the
first entry that fails.

What this does not do: someone able to write the store *and* willing to recompute every later
hash and the head can rewrite history undetected. Auditors close that gap by keeping the head
hash of each export (:func:`export_audit` prints it) outside the store and comparing later.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import duckdb

from replenlib.errors import ReplenError
from replenlib.governance.files import check_folder, write_atomic
from replenlib.governance.sql import one

GENESIS_HASH = "0" * 64
COLUMNS = (
    "seq",
    "logged_at",
    "actor",
    "action",
    "entity",
    "entity_id",
    "details",
    "prev_hash",
    "hash",
)


class AuditAction(StrEnum):
    """What was done."""

    IMPORT = "import"
    RUN = "run"
    POLICY_CREATE = "policy_create"
    POLICY_ROLLBACK = "policy_rollback"
    POLICY_PROPOSE = "policy_propose"
    APPROVE = "approve"
    REJECT = "reject"
    OVERRIDE = "override"
    RECALL = "recall"
    EXPORT = "export"
    AUDIT_EXPORT = "audit_export"
    ALERT_ACKNOWLEDGE = "alert_acknowledge"


class AuditError(ReplenError):
    """The audit trail failed verification or could not be exported."""

    exit_code = 8


def entry_hash(
    seq: int,
    logged_at: datetime,
    actor: str,
    action: str,
    entity: str,
    entity_id: str,
    details: str,
    prev_hash: str,
) -> str:
    """SHA-256 (hex) of one entry's fields and the previous entry's hash."""
    payload = json.dumps(
        [
            seq,
            logged_at.isoformat(timespec="microseconds"),
            actor,
            action,
            entity,
            entity_id,
            details,
            prev_hash,
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def canonical_details(details: dict[str, Any] | None) -> str:
    """Details as canonical JSON (sorted keys, no spaces) so the hash is reproducible."""
    return json.dumps(
        details or {}, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )


def append(
    con: duckdb.DuckDBPyConnection,
    *,
    actor: str,
    action: AuditAction,
    entity: str,
    entity_id: str,
    details: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> int:
    """Append one entry (inside the caller's writer transaction); return its sequence number."""
    head = one(con.execute("SELECT seq, hash FROM audit_head WHERE id = 1"))
    seq, prev = (int(head[0]) + 1, str(head[1])) if head else (1, GENESIS_HASH)
    moment = (now or datetime.now()).replace(tzinfo=None)
    text = canonical_details(details)
    digest = entry_hash(seq, moment, actor, action.value, entity, entity_id, text, prev)
    con.execute(
        "INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [seq, moment, actor, action.value, entity, entity_id, text, prev, digest],
    )
    con.execute(
        "INSERT OR REPLACE INTO audit_head VALUES (1, ?, ?)",
        [seq, digest],
    )
    return seq


@dataclass(frozen=True)
class Verification:
    """Result of :func:`verify`: ``ok``, the entries checked, the head hash and the first
    problem (``first_broken`` is the sequence number named in ``problem``)."""

    ok: bool
    n_entries: int
    head_hash: str
    first_broken: int | None = None
    problem: str = ""


def verify(con: duckdb.DuckDBPyConnection) -> Verification:
    """Recompute the chain and compare it with the stored hashes and the head."""
    rows = con.execute(
        "SELECT seq, logged_at, actor, action, entity, entity_id, details, prev_hash, hash "
        "FROM audit_log ORDER BY seq"
    ).fetchall()
    head = one(con.execute("SELECT seq, hash FROM audit_head WHERE id = 1"))
    return verify_rows(rows, (int(head[0]), str(head[1])) if head else None)


def verify_rows(rows: list[tuple[Any, ...]], head: tuple[int, str] | None) -> Verification:
    """Check rows ordered by ``seq`` (see :func:`verify`); pure, for tests and exports."""
    prev, expected_seq = GENESIS_HASH, 1
    for seq, logged_at, actor, action, entity, entity_id, details, prev_hash, digest in rows:
        where = f"audit entry {seq} ({logged_at:%Y-%m-%d %H:%M:%S} {action} by {actor})"
        if seq != expected_seq:
            return _broken(
                len(rows),
                expected_seq,
                f"audit entry {expected_seq} is missing "
                f"(the log jumps from {expected_seq - 1} to {seq})",
            )
        if prev_hash != prev:
            return _broken(
                len(rows),
                seq,
                f"{where} does not link to entry {seq - 1}: "
                "an earlier entry was changed or removed",
            )
        recomputed = entry_hash(seq, logged_at, actor, action, entity, entity_id, details, prev)
        if recomputed != digest:
            return _broken(
                len(rows),
                seq,
                f"{where} was altered after it was written "
                f"(stored hash {digest[:12]}…, content hashes to {recomputed[:12]}…)",
            )
        prev, expected_seq = digest, seq + 1
    last = expected_seq - 1
    if head is not None and (head[0] != last or head[1] != prev):
        return _broken(
            len(rows),
            last + 1,
            f"audit entries after {last} are missing: the head records entry {head[0]}",
        )
    if head is None and rows:
        return _broken(len(rows), 1, "the audit head is missing")
    return Verification(True, len(rows), prev)


def _broken(n: int, seq: int, problem: str) -> Verification:
    return Verification(False, n, "", seq, problem)


def export_audit(con: duckdb.DuckDBPyConnection, out: Path) -> Verification:
    """Write the whole log as CSV to ``out`` atomically, plus ``<out>.sha256`` with the head
    hash and the file's checksum; returns the verification (the export refuses a broken log)."""
    result = verify(con)
    if not result.ok:
        raise AuditError(f"refusing to export a broken audit trail: {result.problem}")
    check_folder(out.parent)
    rows = con.execute(f"SELECT {', '.join(COLUMNS)} FROM audit_log ORDER BY seq").fetchall()
    text = _csv_text(rows)
    checksum = hashlib.sha256(text.encode("utf-8")).hexdigest()
    manifest = (
        f"{checksum}  {out.name}\n# entries {result.n_entries}, head hash {result.head_hash}\n"
    )
    write_atomic({out: text, out.with_name(out.name + ".sha256"): manifest})
    return result


def _csv_text(rows: list[tuple[Any, ...]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(
            [v.isoformat(timespec="microseconds") if isinstance(v, datetime) else v for v in row]
        )
    return buffer.getvalue()
