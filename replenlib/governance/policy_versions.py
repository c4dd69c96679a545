"""Policy versions: create (four eyes), list, show, diff and restore (as a new version).

A policy version is the strategy JSON of ``policy_versions.body`` (tiers, service targets,
overrides — owned by :mod:`replenlib.policy`) together with the plan thresholds in
``policy_version_details`` (:class:`~replenlib.plan.thresholds.PlanThresholds`). History is
never rewritten: restoring version *k* creates version *n + 1* with *k*'s content and records
``restored_from = k``. Every change is written to the audit trail in the same transaction:
the version itself, and one ``override`` entry per override row it adds or removes
(:func:`add_override` adds one row to the current policy).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import duckdb
import pandas as pd

from replenlib.errors import ReplenError
from replenlib.governance import audit
from replenlib.governance.sql import one
from replenlib.plan.thresholds import PlanThresholds
from replenlib.policy.strategy import Override, Segment, Strategy, with_override


class PolicyVersionError(ReplenError):
    """A policy version that does not exist, or a change the rules refuse."""

    exit_code = 11


@dataclass(frozen=True)
class PolicyVersion:
    """One stored version with its provenance."""

    version_id: int
    created_at: datetime
    author: str
    reason: str
    approved_by: str | None
    strategy_json: str
    thresholds: PlanThresholds
    restored_from: int | None

    @property
    def strategy(self) -> Strategy:
        """The strategy of this version."""
        return Strategy.from_json(self.strategy_json)

    def content(self) -> dict[str, Any]:
        """What a diff compares: the strategy and the thresholds as plain JSON values."""
        return {
            "strategy": json.loads(self.strategy_json),
            "thresholds": json.loads(self.thresholds.to_json()),
        }


_SELECT = """
SELECT v.version_id, v.created_at, v.author, v.reason, v.approved_by, CAST(v.body AS VARCHAR),
       CAST(d.thresholds AS VARCHAR), d.restored_from
FROM policy_versions v LEFT JOIN policy_version_details d USING (version_id)
"""


def list_versions(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """All versions, oldest first: version_id, created_at, author, reason, approved_by,
    restored_from."""
    return con.execute(
        "SELECT v.version_id, v.created_at, v.author, v.reason, v.approved_by, d.restored_from "
        "FROM policy_versions v LEFT JOIN policy_version_details d USING (version_id) "
        "ORDER BY v.version_id"
    ).df()


def get_version(con: duckdb.DuckDBPyConnection, version_id: int) -> PolicyVersion:
    """Return one version, or raise :class:`PolicyVersionError` naming the versions that exist."""
    row = one(con.execute(_SELECT + " WHERE v.version_id = ?", [version_id]))
    if row is None:
        raise PolicyVersionError(f"policy version {version_id} does not exist; {_existing(con)}")
    return _version(row)


def current_version(con: duckdb.DuckDBPyConnection) -> PolicyVersion | None:
    """The newest version (the one the next run plans with), or ``None`` in a new store."""
    row = one(con.execute(_SELECT + " ORDER BY v.version_id DESC LIMIT 1"))
    return None if row is None else _version(row)


def thresholds_for(con: duckdb.DuckDBPyConnection, version_id: int) -> PlanThresholds:
    """The plan thresholds of a version (defaults for a version created without them)."""
    row = one(
        con.execute(
            "SELECT CAST(thresholds AS VARCHAR) FROM policy_version_details WHERE version_id = ?",
            [version_id],
        )
    )
    return PlanThresholds.from_json(row[0] if row else None)


def create_version(
    con: duckdb.DuckDBPyConnection,
    *,
    strategy: Strategy | str,
    thresholds: PlanThresholds,
    author: str,
    reason: str,
    approved_by: str,
    restored_from: int | None = None,
    now: datetime | None = None,
) -> int:
    """Store a new version and audit it; return its number.

    The author and the approver must be two different people, and the reason must say why.
    ``strategy`` may be the stored JSON text itself (a restore copies it byte for byte).
    """
    _require_four_eyes(author, approved_by, reason)
    moment = now or datetime.now()
    previous = current_version(con)
    row = one(con.execute("SELECT coalesce(max(version_id), 0) + 1 FROM policy_versions"))
    version = int(row[0]) if row else 1
    body = strategy if isinstance(strategy, str) else strategy.to_json()
    Strategy.from_json(body)  # refuse a body the planner could not read
    con.execute(
        "INSERT INTO policy_versions VALUES (?, ?, ?, ?, ?, ?)",
        [version, moment, author, reason, approved_by, body],
    )
    con.execute(
        "INSERT INTO policy_version_details VALUES (?, ?, ?)",
        [version, thresholds.to_json(), restored_from],
    )
    audit.append(
        con,
        actor=author,
        action=audit.AuditAction.POLICY_ROLLBACK
        if restored_from
        else audit.AuditAction.POLICY_CREATE,
        entity="policy_version",
        entity_id=str(version),
        details={
            "reason": reason,
            "approved_by": approved_by,
            "restored_from": restored_from,
            "strategy": json.loads(body),
            "thresholds": json.loads(thresholds.to_json()),
        },
        now=moment,
    )
    before = () if previous is None else previous.strategy.overrides
    _audit_overrides(con, before, Strategy.from_json(body).overrides, version, author, moment)
    return version


def add_override(
    con: duckdb.DuckDBPyConnection,
    row: Override,
    *,
    author: str,
    approved_by: str,
    now: datetime | None = None,
) -> int:
    """A new version of the current policy with one more override row (its reason is the
    version's); audited as a policy version and as an override. Returns the new number."""
    current = current_version(con)
    strategy = Strategy() if current is None else current.strategy
    return create_version(
        con,
        strategy=with_override(strategy, row),
        thresholds=PlanThresholds() if current is None else current.thresholds,
        author=author,
        reason=row.reason,
        approved_by=approved_by,
        now=now,
    )


def _audit_overrides(
    con: duckdb.DuckDBPyConnection,
    before: tuple[Override, ...],
    after: tuple[Override, ...],
    version: int,
    author: str,
    moment: datetime,
) -> None:
    """One ``override`` audit entry per override row a version adds or removes."""
    old = {_override_key(o): o for o in before}
    new = {_override_key(o): o for o in after}
    changes = [("removed", old[k]) for k in old if k not in new]
    changes += [("added", new[k]) for k in new if k not in old]
    for change, row in changes:
        audit.append(
            con,
            actor=author,
            action=audit.AuditAction.OVERRIDE,
            entity="override",
            entity_id=_override_subject(row),
            details={"change": change, "policy_version": version, **json.loads(_override_key(row))},
            now=moment,
        )


def _override_key(row: Override) -> str:
    return json.dumps(asdict(row), sort_keys=True, default=str)


def _override_subject(row: Override) -> str:
    if row.item_id is not None:
        return f"item {row.item_id}" + (f" at {row.location_id}" if row.location_id else "")
    segment = {k: v for k, v in asdict(row.segment or Segment()).items() if v not in ((), None)}
    return "segment " + json.dumps(segment, sort_keys=True, default=str)


def rollback(
    con: duckdb.DuckDBPyConnection,
    to_version: int,
    *,
    author: str,
    reason: str,
    approved_by: str,
    now: datetime | None = None,
) -> int:
    """Restore ``to_version`` as a new version (history is kept); return the new number."""
    old = get_version(con, to_version)
    return create_version(
        con,
        strategy=old.strategy_json,
        thresholds=old.thresholds,
        author=author,
        reason=reason,
        approved_by=approved_by,
        restored_from=to_version,
        now=now,
    )


@dataclass(frozen=True)
class PolicyChange:
    """One difference between two versions: the dotted path and both values (``None`` where
    absent)."""

    path: str
    old: Any
    new: Any


def diff(con: duckdb.DuckDBPyConnection, a: int, b: int) -> list[PolicyChange]:
    """Differences from version ``a`` to version ``b``."""
    return diff_content(get_version(con, a).content(), get_version(con, b).content())


def diff_content(old: dict[str, Any], new: dict[str, Any]) -> list[PolicyChange]:
    """Differences between two JSON documents, by dotted path; rows of lists are matched by
    their identifying fields (tier, item, location, ...) when they have them."""
    flat_old, flat_new = _flatten(old), _flatten(new)
    return [
        PolicyChange(path, flat_old.get(path), flat_new.get(path))
        for path in sorted(set(flat_old) | set(flat_new))
        if flat_old.get(path) != flat_new.get(path)
    ]


_IDENTITY = ("tier", "segment", "item_id", "location_id", "supplier_id", "category", "name", "key")


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, child in value.items():
            out.update(_flatten(child, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(value, list):
        out = {}
        for index, child in enumerate(value):
            out.update(_flatten(child, f"{prefix}[{_identity(child, index)}]"))
        return out
    return {prefix: value}


def _identity(row: Any, index: int) -> str:
    if isinstance(row, dict):
        keys = [
            f"{k}={row[k]}" for k in _IDENTITY if k in row and not isinstance(row[k], dict | list)
        ]
        if keys:
            return ",".join(keys)
    return str(index)


def same_person(a: str, b: str) -> bool:
    """Whether two signatures name the same person: ``planner/alice``, ``manager/Alice`` and
    ``alice`` all do (the user after the role, case and spaces aside), so a second role is
    never a second pair of eyes."""
    return a.rpartition("/")[2].strip().lower() == b.rpartition("/")[2].strip().lower()


def _require_four_eyes(author: str, approved_by: str, reason: str) -> None:
    if not author.strip():
        raise PolicyVersionError("a policy version needs an author")
    if not reason.strip():
        raise PolicyVersionError("a policy version needs a reason (why the policy changes)")
    if not approved_by.strip():
        raise PolicyVersionError("a policy version needs an approver (--approved-by)")
    if same_person(approved_by, author):
        raise PolicyVersionError(
            f"{author} cannot approve their own policy version: a second person must approve"
        )


def _existing(con: duckdb.DuckDBPyConnection) -> str:
    row = one(con.execute("SELECT min(version_id), max(version_id) FROM policy_versions"))
    if row is None or row[0] is None:
        return "the store has no policy version yet (the first run creates version 1)"
    return f"versions {row[0]}–{row[1]} exist" if row[0] != row[1] else f"version {row[0]} exists"


def _version(row: tuple[Any, ...]) -> PolicyVersion:
    return PolicyVersion(
        version_id=int(row[0]),
        created_at=row[1],
        author=str(row[2]),
        reason=str(row[3]),
        approved_by=row[4],
        strategy_json=str(row[5]),
        thresholds=PlanThresholds.from_json(row[6]),
        restored_from=None if row[7] is None else int(row[7]),
    )
