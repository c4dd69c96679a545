"""What an import reports: counts, warnings and the quarantined rows with their reasons."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from replenlib.io.mapping import Mapping


@dataclass(frozen=True)
class QuarantinedRow:
    """One problem with one source row (``severity`` 'error': not loaded; 'warning': loaded)."""

    file: str
    row: int | None
    column: str | None
    value: str | None
    reason: str
    rule: str
    severity: str

    @property
    def message(self) -> str:
        """``file, row N, column C: 'value': reason`` — the one line a user reads."""
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        value = "" if self.value is None else f" {self.value!r}:"
        return f"{', '.join(where)}:{value} {self.reason}"


@dataclass(frozen=True)
class LoadResult:
    """The outcome of importing one file.

    Attributes
    ----------
    load_id : the ``loads`` row (for a skipped file: the earlier load of the same bytes)
    rows_read : data rows in the file (header excluded)
    rows_loaded : rows that passed, identical duplicates included
    rows_quarantined : rows kept out of the store, each with a reason in ``quarantine``
    duplicates_merged : identical repeated rows folded into one
    rows_changed : store rows inserted or updated (0 when the store already held them)
    quarantine : the first quarantined or flagged rows (all are in the store)
    reasons : number of quarantine entries per rule
    skipped : the same file was already loaded with the same mapping: nothing was done
    """

    load_id: int
    kind: str
    table: str
    mapping: str
    file: Path
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    duplicates_merged: int = 0
    rows_changed: int = 0
    warnings: tuple[str, ...] = ()
    encoding: str = ""
    quarantine: tuple[QuarantinedRow, ...] = ()
    reasons: dict[str, int] = field(default_factory=dict)
    skipped: bool = False

    @classmethod
    def unchanged(cls, load_id: int, mapping: Mapping, path: Path) -> LoadResult:
        """The result for a file whose bytes were already loaded with this mapping."""
        return cls(load_id, mapping.kind.value, mapping.table, mapping.name, path, skipped=True)

    def summary(self) -> str:
        """One line: file, table, counts."""
        if self.skipped:
            return (
                f"{self.file.name} → {self.table}: already loaded (load {self.load_id}), no change"
            )
        return (
            f"{self.file.name} → {self.table} (load {self.load_id}, {self.mapping}): "
            f"{self.rows_read:,} read, {self.rows_loaded:,} loaded, "
            f"{self.rows_quarantined:,} quarantined, {self.duplicates_merged:,} duplicates "
            f"merged, {self.rows_changed:,} rows changed"
        )
