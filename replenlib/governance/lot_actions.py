"""Quality actions on lots, audited: recall quarantines, holds and releases.

The store functions of :mod:`replenlib.store.recall_actions` change the lots; these wrappers
call them and append the matching entry to the hash-chained audit trail
(:mod:`replenlib.governance.audit`) on the same connection, so the action and its audit entry
are written by one writer block — both or neither. The store layer cannot audit by itself
(governance sits above it), so every caller that acts on lots (CLI, notebooks) goes through
here.
"""

from __future__ import annotations

from datetime import date

import duckdb

from replenlib.governance import audit
from replenlib.store import recall_actions
from replenlib.store.recall_actions import QuarantineResult
from replenlib.store.recall_scope import RecallScope
from replenlib.trace.lots import HoldKind


def quarantine_recall(
    con: duckdb.DuckDBPyConnection,
    scope: RecallScope,
    *,
    reason: str,
    placed_by: str,
    recall_id: str | None = None,
    recall_class: str = "II",
    block_supplier: bool = False,
    announced: date | None = None,
) -> QuarantineResult:
    """:func:`replenlib.store.recall_actions.quarantine_recall`, audited as a recall."""
    result = recall_actions.quarantine_recall(
        con,
        scope,
        reason=reason,
        placed_by=placed_by,
        recall_id=recall_id,
        recall_class=recall_class,
        block_supplier=block_supplier,
        announced=announced,
    )
    audit.append(
        con,
        actor=placed_by,
        action=audit.AuditAction.RECALL,
        entity="recall",
        entity_id=result.recall_id,
        details={
            "reason": reason,
            "recall_class": recall_class,
            "lots": sorted(str(x) for x in scope.lots["lot_id"]),
            "holds": len(result.holds),
            "units_quarantined": float(result.quarantined["quantity"].sum()),
            "item_locations": len(result.quarantined),
            "serials_recalled": result.serials_updated,
            "supplier_blocks": [
                f"{row.supplier_id}/{row.item_id}" for row in result.blocks.itertuples()
            ],
        },
    )
    return result


def place_hold(
    con: duckdb.DuckDBPyConnection,
    lot_id: str,
    *,
    kind: HoldKind,
    reason: str,
    placed_by: str,
    location_id: str | None = None,
    reference: str | None = None,
) -> str:
    """:func:`replenlib.store.recall_actions.place_hold`, audited; returns the hold id."""
    hold_id = recall_actions.place_hold(
        con,
        lot_id,
        kind=kind,
        reason=reason,
        placed_by=placed_by,
        location_id=location_id,
        reference=reference,
    )
    audit.append(
        con,
        actor=placed_by,
        action=audit.AuditAction.HOLD,
        entity="lot",
        entity_id=lot_id,
        details={
            "hold_id": hold_id,
            "kind": kind.value,
            "reason": reason,
            "location_id": location_id,
            "reference": reference,
        },
    )
    return hold_id


def release_holds(
    con: duckdb.DuckDBPyConnection,
    lot_id: str,
    *,
    released_by: str,
    reason: str,
    kind: HoldKind | None = None,
    location_id: str | None = None,
) -> int:
    """:func:`replenlib.store.recall_actions.release_holds`, audited; returns how many."""
    count = recall_actions.release_holds(
        con, lot_id, released_by=released_by, reason=reason, kind=kind, location_id=location_id
    )
    audit.append(
        con,
        actor=released_by,
        action=audit.AuditAction.RELEASE,
        entity="lot",
        entity_id=lot_id,
        details={
            "released": count,
            "kind": None if kind is None else kind.value,
            "reason": reason,
            "location_id": location_id,
        },
    )
    return count
