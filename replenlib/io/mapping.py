"""Declarative mapping files: which source column feeds which store column, and how.

A user adapts replenlib to their ERP by editing a small YAML file, not code. Example::

    kind: erp                       # source kind (see SourceKind)
    table: demand_history           # the store table it feeds
    title: 销售出库明细 / sales and issue lines
    encoding: auto                  # auto, utf-8, gb18030 (CSV only)
    aggregate: true                 # several lines of one key are summed (lines → daily demand)
    line_key: [单据号, 行号]          # source columns that identify a line (duplicate detection)
    decimal: "."                    # decimal separator: "." or "," (1.234,5 in European ERPs)
    unit: 单位                       # the unit quantities and prices are expressed in
    units: {个: EA, 支: EA}           # unit names used by the source → unit codes of item_uom
    columns:                        # store column: source column, or alternatives, or options
      item_id: 物料编码
      location_id: [仓库编码, warehouse]
      demand_date: {source: 单据日期, formats: ["%Y-%m-%d", "%Y/%m/%d"]}
      quantity: 需求数量
      quantity_shipped: {source: 实发数量, default: 0}
      status: {source: 状态, values: {合格: available, 待检: quarantine}}

Source column names match case-insensitively, after trimming and full-width → half-width.
Every column listed first in an alternatives list that is present in the file wins. A store
column that the mapping does not list takes its ``default`` (or ``defaults:`` at the top) or
stays empty; a required one without a default makes the mapping invalid. Built-in mappings for
the sample exports live in ``replenlib/io/mappings/``.
"""

from __future__ import annotations

import functools
import hashlib
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml

from replenlib.errors import InputDataError
from replenlib.io.cleaning import DECIMAL_MARKS
from replenlib.io.tables import TableSpec, ValueKind, table_spec

MAPPINGS_DIR = Path(__file__).parent / "mappings"

DEFAULT_DATE_FORMATS: tuple[str, ...] = (
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%Y%m%d",
    "%Y年%m月%d日",
    "%d.%m.%Y",
)
DEFAULT_TIMESTAMP_FORMATS: tuple[str, ...] = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
)


class SourceKind(StrEnum):
    """The systems replenlib imports from."""

    ERP = "erp"
    MES = "mes"
    WMS = "wms"
    TMS = "tms"
    CRM = "crm"
    QMS = "qms"
    COLDCHAIN = "coldchain"
    UDI = "udi"


@dataclass(frozen=True)
class ColumnMapping:
    """Where one store column comes from.

    Attributes
    ----------
    target : the store column
    sources : source column names, the first present in the file wins (empty: default only)
    formats : date or timestamp formats (``strptime`` codes), tried in order
    values : source label → store value, for enumerations ("合格" → "available")
    default : the value when the source column is absent or the cell empty
    """

    target: str
    sources: tuple[str, ...]
    formats: tuple[str, ...] = ()
    values: dict[str, str] = field(default_factory=dict)
    default: str | None = None


@dataclass(frozen=True)
class Mapping:
    """A parsed mapping file (see the module docstring for the format)."""

    name: str
    kind: SourceKind
    table: str
    columns: tuple[ColumnMapping, ...]
    title: str = ""
    encoding: str = "auto"
    delimiter: str | None = None
    sheet: str | None = None
    unit: tuple[str, ...] = ()
    units: dict[str, str] = field(default_factory=dict)
    aggregate: bool = False
    line_key: tuple[str, ...] = ()
    decimal: str = "."  #: decimal separator of the file's numbers: "." or ","
    sha256: str = ""
    path: Path | None = None

    @property
    def spec(self) -> TableSpec:
        """The store table this mapping feeds."""
        return table_spec(self.table)

    def column(self, target: str) -> ColumnMapping | None:
        """The mapping of store column ``target``, if any."""
        return next((c for c in self.columns if c.target == target), None)


def header_key(name: str) -> str:
    """Normalise a column name for matching: NFKC (full-width → half-width), trim, lower case."""
    return unicodedata.normalize("NFKC", name).replace("\ufeff", "").strip().lower()


def load_mapping(path: Path | str) -> Mapping:
    """Read and check a mapping file.

    Parsed files are cached by path, size and modification time: a demo import asks for the
    same built-in mappings hundreds of times, and YAML parsing is slow; an edited file is
    parsed again.

    Raises
    ------
    InputDataError
        The file is not valid YAML, names an unknown table or column, or leaves a required
        column without source or default.
    """
    path = Path(path)
    try:
        stat = path.stat()
    except OSError as exc:
        raise InputDataError(f"mapping {path}: cannot read it as YAML ({exc})") from exc
    return _load_mapping(path, stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=256)
def _load_mapping(path: Path, _size: int, _mtime_ns: int) -> Mapping:
    try:
        text = path.read_text(encoding="utf-8")
        body = yaml.safe_load(text)
    except (OSError, yaml.YAMLError) as exc:
        raise InputDataError(f"mapping {path}: cannot read it as YAML ({exc})") from exc
    if not isinstance(body, dict):
        raise InputDataError(f"mapping {path}: expected a YAML mapping at the top level")
    return parse_mapping(body, name=path.stem, sha256=_sha(text), path=path)


def parse_mapping(
    body: dict[str, Any], *, name: str, sha256: str = "", path: Path | None = None
) -> Mapping:
    """Build a :class:`Mapping` from a parsed YAML body (see :func:`load_mapping`)."""
    where = f"mapping {path or name}"
    try:
        kind = SourceKind(str(body.get("kind", "")).lower())
    except ValueError:
        kinds = ", ".join(k.value for k in SourceKind)
        raise InputDataError(f"{where}: `kind` must be one of {kinds}") from None
    try:
        spec = table_spec(str(body.get("table", "")))
    except KeyError as exc:
        raise InputDataError(f"{where}: `table`: {exc.args[0]}") from None
    columns = _columns(body.get("columns") or {}, body.get("defaults") or {}, spec, where)
    return Mapping(
        name=str(body.get("name") or name),
        kind=kind,
        table=spec.name,
        columns=columns,
        title=str(body.get("title") or spec.title),
        encoding=str(body.get("encoding") or "auto"),
        delimiter=body.get("delimiter"),
        sheet=body.get("sheet"),
        unit=_names(body.get("unit")),
        units={str(k): str(v) for k, v in (body.get("units") or {}).items()},
        aggregate=bool(body.get("aggregate", False)),
        line_key=_names(body.get("line_key")),
        decimal=_decimal(body.get("decimal", "."), where),
        sha256=sha256 or _sha(yaml.safe_dump(body, allow_unicode=True, sort_keys=True)),
        path=path,
    )


def _decimal(value: object, where: str) -> str:
    mark = str(value)
    if mark not in DECIMAL_MARKS:
        raise InputDataError(f'{where}: `decimal` must be "." or ",", got {value!r}')
    return mark


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _names(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    raise InputDataError(f"expected a column name or a list of names, got {value!r}")


def _columns(
    raw: dict[str, Any], defaults: dict[str, Any], spec: TableSpec, where: str
) -> tuple[ColumnMapping, ...]:
    unknown = sorted(set(raw) - set(spec.names)) + sorted(set(defaults) - set(spec.names))
    if unknown:
        raise InputDataError(
            f"{where}: {spec.name} has no column {unknown[0]!r}; its columns: "
            + ", ".join(spec.names)
        )
    columns = []
    for column in spec.columns:
        entry = raw.get(column.name)
        mapped = _column(column.name, entry, defaults.get(column.name), column.kind, where)
        if mapped is None:
            if column.required and column.name not in spec.derived:
                raise InputDataError(
                    f"{where}: required column {column.name} of {spec.name} has no source "
                    "column and no default"
                )
            continue
        columns.append(mapped)
    return tuple(columns)


def _column(
    target: str, entry: object, default: object, kind: ValueKind, where: str
) -> ColumnMapping | None:
    if entry is None and default is None:
        return None
    options: dict[str, Any] = entry if isinstance(entry, dict) else {"source": entry}
    unknown = sorted(set(options) - {"source", "formats", "values", "default"})
    if unknown:
        raise InputDataError(f"{where}: column {target}: unknown option {unknown[0]!r}")
    default = options.get("default", default)
    formats = _names(options.get("formats"))
    if not formats and kind is ValueKind.DATE:
        formats = DEFAULT_DATE_FORMATS
    if not formats and kind is ValueKind.TIMESTAMP:
        formats = DEFAULT_TIMESTAMP_FORMATS
    return ColumnMapping(
        target=target,
        sources=_names(options.get("source")),
        formats=formats,
        values={str(k): str(v) for k, v in (options.get("values") or {}).items()},
        default=None if default is None else _default_text(default),
    )


def _default_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def builtin_mappings(kind: SourceKind | str | None = None) -> list[Mapping]:
    """The mappings shipped with replenlib (one per sample export), optionally of one kind."""
    found = [load_mapping(p) for p in sorted(MAPPINGS_DIR.glob("*.yaml"))]
    return [m for m in found if kind is None or m.kind == SourceKind(kind)]


@dataclass(frozen=True)
class ResolvedColumns:
    """Which file column feeds each mapped store column, and which file columns go unused."""

    sources: dict[str, str]  #: store column → file column name (as in the file)
    unit: str | None
    line_key: tuple[str, ...]
    missing: tuple[str, ...]  #: required store columns whose source is absent (no default)
    ignored: tuple[str, ...]  #: file columns the mapping does not use


def resolve_columns(mapping: Mapping, header: list[str]) -> ResolvedColumns:
    """Match the mapping's source names against a file header."""
    by_key = {header_key(h): h for h in reversed(header)}
    sources: dict[str, str] = {}
    missing: list[str] = []
    for column in mapping.columns:
        found = next((by_key[k] for k in map(header_key, column.sources) if k in by_key), None)
        if found is not None:
            sources[column.target] = found
        elif column.default is None and mapping.spec.column(column.target).required:
            missing.append(column.target)
    unit = next((by_key[k] for k in map(header_key, mapping.unit) if k in by_key), None)
    line_key = tuple(by_key[k] for k in map(header_key, mapping.line_key) if k in by_key)
    used = {*sources.values(), *line_key, *([unit] if unit else [])}
    ignored = tuple(h for h in header if h not in used and h.strip())
    return ResolvedColumns(sources, unit, line_key, tuple(missing), ignored)


def choose_mapping(kind: SourceKind | str, header: list[str], file_name: str) -> Mapping:
    """Pick the built-in mapping of ``kind`` that fits ``header`` best.

    A mapping fits when every required column is present; among those, the one using the most
    file columns wins.
    """
    candidates = builtin_mappings(kind)
    scored = []
    for mapping in candidates:
        resolved = resolve_columns(mapping, header)
        scored.append((not resolved.missing, len(resolved.sources), mapping, resolved))
    fitting = [s for s in scored if s[0]]
    if fitting:
        return max(fitting, key=lambda s: s[1])[2]
    if not scored:
        raise InputDataError(f"no built-in mapping for kind {kind!r}: pass --mapping FILE")
    nearest = max(scored, key=lambda s: s[1] - len(s[3].missing))
    names = ", ".join(_source_label(nearest[2], t) for t in nearest[3].missing)
    raise InputDataError(
        f"{file_name}, row 1 (header): missing required column {names} for the nearest "
        f"built-in {kind} mapping, {nearest[2].name} ({nearest[2].table}); fix the export "
        "or pass --mapping FILE"
    )


def _source_label(mapping: Mapping, target: str) -> str:
    column = mapping.column(target)
    names = " / ".join(column.sources) if column and column.sources else target
    return f"{names} ({target})"


def missing_columns_message(mapping: Mapping, resolved: ResolvedColumns, file_name: str) -> str:
    """The one-line message for a file that lacks required columns."""
    names = "; ".join(_source_label(mapping, t) for t in resolved.missing)
    return (
        f"{file_name}, row 1 (header): missing required column {names} "
        f"for {mapping.table} (mapping {mapping.name})"
    )
