"""``replen import`` and ``replen duplicates``: source exports into the store, duplicates decided.

Only click is imported here; the import machinery loads inside the commands.
"""

from __future__ import annotations

from pathlib import Path

import click

from replenlib.commands import db_option

KINDS = ("erp", "mes", "wms", "tms", "crm", "qms", "coldchain", "udi")
SHOWN = 10


def _files(paths: tuple[Path, ...]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix.lower() in (".csv", ".xlsx"))
            if not found:
                raise click.BadParameter(f"{path} holds no .csv or .xlsx file", param_hint="PATH")
            files.extend(found)
        else:
            files.append(path)
    return files


@click.command("import")
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--mapping",
    "mapping",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Mapping file (YAML) [default: the built-in mapping of KIND that fits each file].",
)
@click.option(
    "--as",
    "actor",
    default="system",
    show_default=True,
    metavar="ROLE/USER",
    help="Who imports, recorded in the audit trail (e.g. data_steward/lin).",
)
@db_option
def import_command(
    kind: str, paths: tuple[Path, ...], mapping: Path | None, actor: str, db: Path | None
) -> None:
    """Import source exports (CSV or XLSX files, or folders of them) of KIND into the store.

    All files load in one transaction: if one fails, the store is left as it was. Rows that
    fail validation go to the quarantine table with file, row, column, value and reason;
    loading a file again changes nothing.
    """
    from replenlib.config import db_path
    from replenlib.io import ImportRequest, import_files

    store = db_path(db)
    if actor != "system":
        from replenlib.governance.approvals import Actor

        actor = str(Actor.parse(actor))
    requests = [ImportRequest(kind, path, mapping) for path in _files(paths)]
    results = import_files(
        store, requests, progress=lambda text: click.echo(text, err=True), actor=actor
    )
    for result in results:
        click.echo(result.summary())
        for warning in result.warnings:
            click.echo(f"  warning: {warning}")
        for row in result.quarantine[:SHOWN]:
            click.echo(f"  {row.severity}: {row.message}")
        more = sum(result.reasons.values()) - min(len(result.quarantine), SHOWN)
        if more > 0:
            click.echo(f"  … {more:,} more in the quarantine table (`replen report data_health`)")
    click.echo(f"store: {store}")


@click.group("duplicates")
def duplicates() -> None:
    """List likely duplicate items and record a person's decision on them."""


@duplicates.command("list")
@click.option("--all", "show_all", is_flag=True, help="Also show decided candidates.")
@db_option
def duplicates_list(show_all: bool, db: Path | None) -> None:
    """Show duplicate candidates (open ones by default)."""
    from replenlib.config import db_path
    from replenlib.store import reader

    where = "" if show_all else "WHERE status = 'open'"
    with reader(db_path(db)) as con:
        rows = con.execute(
            "SELECT item_id, duplicate_of, rule, score, status, detail "
            f"FROM duplicate_candidates {where} ORDER BY score DESC, item_id"
        ).fetchall()
    for item_id, of, rule, score, status, detail in rows:
        click.echo(f"{item_id} → {of}  {rule} {score:.2f}  [{status}]  {detail}")
    click.echo(f"{len(rows)} candidate(s)", err=True)


@duplicates.command("confirm")
@click.argument("item_id")
@click.argument("duplicate_of")
@click.option("--by", required=True, help="Who decides (kept with the decision).")
@db_option
def duplicates_confirm(item_id: str, duplicate_of: str, by: str, db: Path | None) -> None:
    """Confirm ITEM_ID duplicates DUPLICATE_OF: its code then maps to DUPLICATE_OF."""
    from replenlib.config import db_path
    from replenlib.io import confirm_duplicate

    confirm_duplicate(db_path(db), item_id, duplicate_of, by=by)
    click.echo(f"{item_id} now maps to {duplicate_of}")


@duplicates.command("reject")
@click.argument("item_id")
@click.argument("duplicate_of")
@click.option("--by", required=True, help="Who decides (kept with the decision).")
@db_option
def duplicates_reject(item_id: str, duplicate_of: str, by: str, db: Path | None) -> None:
    """Record that ITEM_ID and DUPLICATE_OF are different items."""
    from replenlib.config import db_path
    from replenlib.io import confirm_duplicate

    confirm_duplicate(db_path(db), item_id, duplicate_of, by=by, confirmed=False)
    click.echo(f"{item_id} and {duplicate_of} stay separate items")
