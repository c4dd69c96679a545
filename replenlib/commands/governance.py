"""``replen plan``, ``approve``, ``policy``, ``audit``, ``export`` and ``alerts``.

Every rule (who may approve what, four eyes on policy versions, atomic exports) lives in
:mod:`replenlib.plan` and :mod:`replenlib.governance`; these commands only parse options and
print. Heavy imports happen inside the command functions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from replenlib.commands import db_option

_AS = click.option(
    "--as", "actor", required=True, metavar="ROLE/USER", help="Who acts, e.g. planner/alice."
)


def _store(db: Path | None) -> Path:
    from replenlib.config import db_path

    return db_path(db)


def _echo_frame(frame: Any, empty: str) -> None:
    if frame.empty:
        click.echo(empty)
        return
    import pandas as pd

    with pd.option_context("display.width", 200, "display.max_colwidth", 60):
        click.echo(frame.to_string(index=False))


@click.command("plan")
@click.option("--rolling", is_flag=True, help="Show the monthly rolling plan by supplier instead.")
@click.option("--alerts", "show_alerts", is_flag=True, help="Show open alerts instead.")
@click.option("--location", default="", help="Only this location.")
@click.option("--supplier", default="", help="Only this supplier (or source location).")
@click.option("--tier", default="", help="Only this tier (critical, high, medium, low).")
@click.option("--all", "show_all", is_flag=True, help="Include decided proposals.")
@click.option("--limit", type=int, default=40, show_default=True, help="Rows shown.")
@db_option
def plan(
    rolling: bool,
    show_alerts: bool,
    location: str,
    supplier: str,
    tier: str,
    show_all: bool,
    limit: int,
    db: Path | None,
) -> None:
    """Show the plan of the latest run: proposals by urgency, the rolling plan, or alerts."""
    from replenlib.reports import planning_board as board

    data = board.load(
        _store(db), location=location, supplier=supplier, tier=tier, open_only=not show_all
    )
    run = data.run
    click.echo(
        f"run {run['run_id']} (as of {run['as_of_date']}, policy v{run['policy_version']}): "
        f"{len(data.proposals):,} proposals shown, {len(data.pending):,} awaiting a decision, "
        f"{len(data.alerts):,} open alerts",
        err=True,
    )
    if rolling:
        _echo_frame(board.rolling_by_supplier(data.rolling).head(limit), "no rolling plan")
    elif show_alerts:
        _echo_frame(board.alert_lines(data.alerts).head(limit), "no open alerts")
    else:
        _echo_frame(board.proposal_lines(data.proposals).head(limit), "no proposals")


@click.command("approve")
@click.argument("proposal_id")
@_AS
@click.option("--reject", is_flag=True, help="Reject instead of approving.")
@click.option("--comment", default="", help="Why (recorded with the decision).")
@db_option
def approve(proposal_id: str, actor: str, reject: bool, comment: str, db: Path | None) -> None:
    """Approve (or reject) proposal PROPOSAL_ID as ROLE/USER."""
    from replenlib.governance.approvals import Actor, record_decision
    from replenlib.plan.approval import Decision

    result = record_decision(
        _store(db),
        proposal_id,
        Decision.REJECT if reject else Decision.APPROVE,
        Actor.parse(actor),
        comment,
    )
    click.echo(
        f"{result.proposal_id}: {result.decision.value} at level {result.level} by "
        f"{result.actor} → {result.status.value}"
    )


@click.group("policy")
def policy() -> None:
    """List, show, compare, propose, decide and restore policy versions."""


@policy.command("list")
@db_option
def policy_list(db: Path | None) -> None:
    """List policy versions with author, time, reason and approver."""
    from replenlib.governance.policy_versions import list_versions
    from replenlib.store import reader

    with reader(_store(db)) as con:
        _echo_frame(list_versions(con), "no policy versions yet: run `replen run` first")


@policy.command("show")
@click.argument("version", type=int)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Only the JSON (strategy and thresholds): a file to edit for `policy propose`.",
)
@db_option
def policy_show(version: int, as_json: bool, db: Path | None) -> None:
    """Show one version: provenance, strategy and thresholds as JSON."""
    import json

    from replenlib.governance.policy_versions import get_version
    from replenlib.store import reader

    with reader(_store(db)) as con:
        v = get_version(con, version)
    if as_json:
        click.echo(json.dumps(v.content(), indent=2, sort_keys=True))
        return
    restored = f" (restores v{v.restored_from})" if v.restored_from else ""
    click.echo(
        f"policy v{v.version_id}{restored}: {v.created_at:%Y-%m-%d %H:%M} by {v.author}, "
        f"approved by {v.approved_by or '-'}: {v.reason}"
    )
    click.echo(json.dumps(v.content(), indent=2, sort_keys=True))


@policy.command("diff")
@click.argument("old", type=int)
@click.argument("new", type=int)
@db_option
def policy_diff(old: int, new: int, db: Path | None) -> None:
    """Show what changed from version OLD to version NEW."""
    from replenlib.governance.policy_versions import diff
    from replenlib.store import reader

    with reader(_store(db)) as con:
        changes = diff(con, old, new)
    if not changes:
        click.echo(f"v{old} and v{new} are identical")
    for change in changes:
        click.echo(f"{change.path}: {change.old!r} → {change.new!r}")


@policy.command("propose")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_AS
@click.option("--reason", required=True, help="Why the policy changes.")
@db_option
def policy_propose(file: Path, actor: str, reason: str, db: Path | None) -> None:
    """Propose the strategy in FILE (edited `policy show V --json`) as the next version.

    The request waits for a second person (`policy decide`); the thresholds stay those of
    the current version.
    """
    from replenlib.governance.approvals import Actor
    from replenlib.governance.policy_requests import propose_from_file

    request, based_on = propose_from_file(
        _store(db), file, author=str(Actor.parse(actor)), reason=reason
    )
    click.echo(
        f"request {request} proposes a change to v{based_on}; a second person decides it with "
        f"`replen policy decide {request} --approve --as ROLE/USER`"
    )


@policy.command("requests")
@click.option(
    "--status",
    type=click.Choice(["pending", "approved", "rejected"]),
    default=None,
    help="Only requests with this status.",
)
@db_option
def policy_requests_list(status: str | None, db: Path | None) -> None:
    """List policy version requests, newest first."""
    from replenlib.governance.policy_requests import policy_requests

    _echo_frame(policy_requests(_store(db), status), "no policy version requests")


@policy.command("decide")
@click.argument("request", type=int)
@click.option("--approve/--reject", "approve", required=True, help="The decision.")
@_AS
@click.option("--comment", default="", help="Why (required to reject).")
@db_option
def policy_decide(request: int, approve: bool, actor: str, comment: str, db: Path | None) -> None:
    """Approve (it becomes the next version) or reject policy version request REQUEST."""
    from replenlib.governance.approvals import Actor
    from replenlib.governance.policy_requests import (
        approve_policy_request,
        reject_policy_request,
    )

    who, store = str(Actor.parse(actor)), _store(db)
    if approve:
        done = approve_policy_request(store, request, approver=who, comment=comment)
        click.echo(f"request {request} approved as v{done.version_id}; the next run plans with it")
    else:
        reject_policy_request(store, request, approver=who, comment=comment)
        click.echo(f"request {request} rejected")


@policy.command("rollback")
@click.argument("version", type=int)
@_AS
@click.option("--approved-by", required=True, help="The second person approving the restore.")
@click.option("--reason", required=True, help="Why the earlier version is restored.")
@db_option
def policy_rollback(
    version: int, actor: str, approved_by: str, reason: str, db: Path | None
) -> None:
    """Restore VERSION as a new policy version (history is kept)."""
    from replenlib.governance.approvals import Actor
    from replenlib.governance.policy_versions import rollback
    from replenlib.store import writer

    who = Actor.parse(actor)
    with writer(_store(db)) as con:
        new = rollback(con, version, author=str(who), reason=reason, approved_by=approved_by)
    click.echo(f"restored v{version} as v{new}; the next run plans with v{new}")


@click.group("audit")
def audit() -> None:
    """Verify or export the hash-chained audit trail."""


@audit.command("verify")
@db_option
def audit_verify(db: Path | None) -> None:
    """Recompute the hash chain; exit non-zero naming the first broken entry."""
    from replenlib.governance.audit import AuditError, verify
    from replenlib.store import reader

    with reader(_store(db)) as con:
        result = verify(con)
    if not result.ok:
        raise AuditError(f"audit trail broken: {result.problem}")
    click.echo(f"audit trail intact: {result.n_entries:,} entries, head hash {result.head_hash}")


@audit.command("export")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV file to write (a .sha256 file is written beside it).",
)
@_AS
@db_option
def audit_export(out: Path, actor: str, db: Path | None) -> None:
    """Export the audit trail for auditors (CSV plus checksum and head hash)."""
    from replenlib.governance import audit as trail
    from replenlib.governance.approvals import Actor
    from replenlib.governance.files import check_folder
    from replenlib.store import writer

    who = Actor.parse(actor)
    check_folder(out.parent if str(out.parent) else Path())
    with writer(_store(db)) as con:
        trail.append(
            con,
            actor=str(who),
            action=trail.AuditAction.AUDIT_EXPORT,
            entity="audit_log",
            entity_id=out.name,
            details={"path": str(out)},
        )
        result = trail.export_audit(con, out)
    click.echo(f"{out}: {result.n_entries:,} entries, head hash {result.head_hash}")


@click.command("export")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the requisition files.",
)
@_AS
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "xlsx", "both"]), default="both", show_default=True
)
@click.option(
    "--mapping",
    default=None,
    help="Mapping name (requisition_default, sap_purchase_requisition) or YAML file.",
)
@db_option
def export(out: Path, actor: str, fmt: str, mapping: str | None, db: Path | None) -> None:
    """Export approved proposals as ERP purchase requisitions (CSV / XLSX)."""
    from replenlib.governance.approvals import Actor
    from replenlib.governance.exports import ExportFormat, export_requisitions

    formats = tuple(ExportFormat) if fmt == "both" else (ExportFormat(fmt),)
    result = export_requisitions(
        _store(db), out, Actor.parse(actor), formats=formats, mapping=mapping
    )
    if not result.files:
        click.echo("no approved proposals to export")
        return
    click.echo(
        f"{result.export_id}: {result.n_lines} requisition lines worth "
        f"{result.total_value:,.0f} CNY"
    )
    for path in result.files:
        click.echo(str(path))


@click.group("alerts")
def alerts() -> None:
    """List or acknowledge alerts."""


@alerts.command("list")
@db_option
def alerts_list(db: Path | None) -> None:
    """Open and acknowledged alerts, most severe first."""
    from replenlib.governance.alerts import open_alerts
    from replenlib.reports.planning_board import alert_lines
    from replenlib.store import reader

    with reader(_store(db)) as con:
        _echo_frame(alert_lines(open_alerts(con)), "no open alerts")


@alerts.command("ack")
@click.argument("alert_id", type=int)
@_AS
@click.option("--comment", default="", help="Recorded in the audit trail.")
@db_option
def alerts_ack(alert_id: int, actor: str, comment: str, db: Path | None) -> None:
    """Acknowledge ALERT_ID (it stays tracked until its condition clears)."""
    from replenlib.governance.alerts import acknowledge
    from replenlib.governance.approvals import Actor

    acknowledge(_store(db), alert_id, str(Actor.parse(actor)), comment)
    click.echo(f"alert {alert_id} acknowledged")
