"""The SQL that turns a raw table of text into typed, cleaned, unit-converted rows.

:func:`clean_table_sql` builds one ``CREATE TEMP TABLE _clean AS ...`` statement with four
steps, each a common table expression, all executed by DuckDB in parallel:

1. ``n``: every mapped cell cleaned as text (:func:`replenlib.io.cleaning.normalised_sql`),
   defaults filled in, the unit name translated through the mapping's ``units``;
2. ``r``: item codes resolved to internal item ids through ``_codes`` (item ids, the
   cross-reference, GTINs of every packaging level; an 8/12/13-digit GTIN is padded to 14);
3. ``f``: the factor from the row's unit to the item's base unit (``item_uom``), 1 when the
   row gives no unit or the base unit itself;
4. the typed values (quantities × factor, prices ÷ factor) and ``_errors``: the failed
   checks as ``column|rule|reason`` texts joined by ASCII 30, empty when the row is clean.
"""

from __future__ import annotations

from dataclasses import dataclass

from replenlib.io.cleaning import (
    gtin14_sql,
    halfwidth_sql,
    ident,
    literal,
    normalised_sql,
    parse_error_sql,
    text_sql,
    typed_sql,
)
from replenlib.io.mapping import Mapping
from replenlib.io.tables import ColumnSpec, TableSpec, ValueKind

CODES_SQL = """
CREATE OR REPLACE TEMP TABLE _codes AS
WITH candidates AS (
    SELECT item_id AS code, item_id, 1 AS priority FROM items
    UNION ALL SELECT code, item_id, 2 FROM item_xref
    UNION ALL SELECT gtin, item_id, 3 FROM items
    UNION ALL SELECT gtin, item_id, 4 FROM item_uom WHERE gtin IS NOT NULL
)
SELECT code, arg_min(item_id, priority) AS item_id FROM candidates GROUP BY code
"""


@dataclass(frozen=True)
class CleanPlan:
    """What the cleaning statement needs: where each mapped column comes from."""

    spec: TableSpec
    mapping: Mapping
    source_table: str
    sources: dict[str, str]  #: store column → column of ``source_table``
    unit_source: str | None
    line_key: tuple[str, ...]
    extra_errors: tuple[tuple[str, str], ...] = ()  #: (store column, SQL 'rule|reason' or NULL)
    file_columns: tuple[tuple[str, str], ...] = ()  #: (store column, file column) as in the file

    @property
    def present(self) -> tuple[str, ...]:
        """Store columns the cleaned table holds: mapped from the file or by a default."""
        mapped = {c.target for c in self.mapping.columns}
        return tuple(c for c in self.spec.names if c in self.sources or c in mapped)


def clean_table_sql(plan: CleanPlan) -> str:
    """``CREATE TEMP TABLE _clean`` for ``plan`` (see the module docstring)."""
    columns = [plan.spec.column(c) for c in plan.present]
    resolve = plan.spec.name != "items"
    items = [c for c in columns if c.kind is ValueKind.CODE and c.reference and resolve]
    items = [c for c in items if c.reference is not None and c.reference.value == "items"]
    return (
        "CREATE OR REPLACE TEMP TABLE _clean AS\n"
        f"WITH h AS ({_halfwidth(plan)}),\n"
        f"n AS ({_normalise(plan, columns)}),\n"
        f"r AS ({_resolve(items)}),\n"
        f"f AS ({_factor(plan, resolve)}),\n"
        f"t AS ({_values(plan, columns)})\n"
        f"{_typed(plan, columns, items)}"
    )


def _h(name: str) -> str:
    return ident(f"h__{name}")


def _v(name: str) -> str:
    return ident(f"v__{name}")


def _halfwidth(plan: CleanPlan) -> str:
    """Every file column used, half-width and trimmed once."""
    used = sorted(set(plan.sources.values()))
    parts = ["source_row"] + [f"{halfwidth_sql(ident(c))} AS {_h(c)}" for c in used]
    parts += [f"{sql} AS {ident(f'x__{k}')}" for k, (_t, sql) in enumerate(plan.extra_errors)]
    parts.append(f"{_unit(plan)} AS n___unit")
    line = ", ".join(f"coalesce({text_sql(ident(c))}, '')" for c in plan.line_key)
    parts.append(f"concat_ws('|', {line}) AS _line" if line else "NULL AS _line")
    return f"SELECT {', '.join(parts)} FROM {plan.source_table}"


def _n(name: str) -> str:
    return ident(f"n__{name}")


def _r(name: str) -> str:
    return ident(f"r__{name}")


def _normalise(plan: CleanPlan, columns: list[ColumnSpec]) -> str:
    parts = ["source_row", "n___unit", "_line"]
    parts += [ident(f"x__{k}") for k in range(len(plan.extra_errors))]
    for column in columns:
        mapped = plan.mapping.column(column.name)
        source = plan.sources.get(column.name)
        value = normalised_sql(_h(source), column.kind) if source else "NULL"
        if mapped is not None and mapped.default is not None:
            value = f"coalesce({value}, {literal(mapped.default)})"
        parts.append(f"{value} AS {_n(column.name)}")
    return f"SELECT {', '.join(parts)} FROM h"


def _unit(plan: CleanPlan) -> str:
    if plan.unit_source is None:
        return "CAST(NULL AS VARCHAR)"
    unit = f"upper({text_sql(ident(plan.unit_source))})"
    if not plan.mapping.units:
        return unit
    whens = " ".join(
        f"WHEN {literal(k.strip().upper())} THEN {literal(v.strip().upper())}"
        for k, v in plan.mapping.units.items()
    )
    return f"(CASE {unit} {whens} ELSE {unit} END)"


def _resolve(items: list[ColumnSpec]) -> str:
    selects, joins = ["n.*"], []
    for k, column in enumerate(items):
        a, b = f"c{k}a", f"c{k}b"
        selects.append(f"coalesce({a}.item_id, {b}.item_id) AS {_r(column.name)}")
        joins.append(f"LEFT JOIN _codes {a} ON {a}.code = n.{_n(column.name)}")
        joins.append(f"LEFT JOIN _codes {b} ON {b}.code = {gtin14_sql('n.' + _n(column.name))}")
    return f"SELECT {', '.join(selects)} FROM n {' '.join(joins)}"


def _factor(plan: CleanPlan, resolve: bool) -> str:
    unit_item = plan.spec.unit_item
    if unit_item is None or plan.unit_source is None or unit_item not in plan.present:
        return "SELECT r.*, 1.0 AS _factor, NULL AS _units, NULL AS _base FROM r"
    item = f"r.{_r(unit_item)}" if resolve else f"r.{_n(unit_item)}"
    return (
        "SELECT r.*, CASE WHEN r.n___unit IS NULL OR r.n___unit = i.base_uom THEN 1.0 "
        "ELSE u.factor_to_base END AS _factor, k.units AS _units, i.base_uom AS _base FROM r "
        f"LEFT JOIN items i ON i.item_id = {item} "
        f"LEFT JOIN item_uom u ON u.item_id = {item} AND u.uom = r.n___unit "
        "LEFT JOIN (SELECT item_id, string_agg(uom, ', ' ORDER BY factor_to_base) AS units "
        f"FROM item_uom GROUP BY item_id) k ON k.item_id = {item}"
    )


def _values(plan: CleanPlan, columns: list[ColumnSpec]) -> str:
    """Typed values ``v__*`` (before unit conversion), each computed once."""
    parts = ["f.*"]
    for column in columns:
        mapped = plan.mapping.column(column.name)
        formats = mapped.formats if mapped else ()
        values = mapped.values if mapped else {}
        value = typed_sql(_n(column.name), column.kind, formats, values, column.allowed)
        if column.name == "gtin":
            value = gtin14_sql(value)
        parts.append(f"{value} AS {_v(column.name)}")
    return f"SELECT {', '.join(parts)} FROM f"


def _typed(plan: CleanPlan, columns: list[ColumnSpec], items: list[ColumnSpec]) -> str:
    resolved = {c.name for c in items}
    values, errors = ["source_row", "_line"], []
    for column in columns:
        mapped = plan.mapping.column(column.name)
        formats = mapped.formats if mapped else ()
        n, value = _n(column.name), _v(column.name)
        if column.name in resolved:
            value = _r(column.name)
            errors.append(_item_error(column.name))
        elif column.kind is ValueKind.QUANTITY:
            value = f"{value} * _factor"
        elif column.kind is ValueKind.PRICE:
            value = f"{value} / _factor"
        values.append(f"{value} AS {ident(column.name)}")
        if column.required and column.name not in plan.spec.derived:
            errors.append(
                f"CASE WHEN {n} IS NULL THEN '{column.name}|required|a value is required' END"
            )
        if column.kind is not ValueKind.ENUM:
            parse = parse_error_sql(n, _v(column.name), column.kind, formats)
            if parse != "NULL":
                errors.append(f"{literal(column.name + '|')} || {parse}")
    errors += _unit_errors(plan)
    errors += [
        f"{literal(target + '|')} || {ident(f'x__{k}')}"
        for k, (target, _sql) in enumerate(plan.extra_errors)
    ]
    # one text of the failed checks, separated by ASCII 30 (record separator); '' = clean row
    checks = ", ".join(errors) if errors else "NULL"
    values.append(f"concat_ws(chr(30), {checks}) AS _errors")
    return f"SELECT {', '.join(values)} FROM t"


def _item_error(name: str) -> str:
    return (
        f"CASE WHEN {_n(name)} IS NOT NULL AND {_r(name)} IS NULL THEN "
        f"'{name}|unknown_item|not in the item master (item code, old code, supplier code or "
        "GTIN of any packaging level)' END"
    )


def _unit_errors(plan: CleanPlan) -> list[str]:
    if plan.unit_source is None or plan.spec.unit_item is None:
        return []
    return [
        "CASE WHEN n___unit IS NOT NULL AND _factor IS NULL AND _base IS NOT NULL THEN "
        "'_unit|unknown_unit|unknown unit of measure for this item (known: ' || "
        "coalesce(_units, _base) || ')' END"
    ]
