"""The SQL that turns a raw table of text into typed, cleaned, unit-converted rows.

:func:`clean_table_sql` builds one ``CREATE TEMP TABLE _clean AS ...`` statement with four
steps, each a common table expression, all executed by DuckDB in parallel:

1. ``n``: every mapped cell cleaned as text (:func:`replenlib.io.cleaning.normalised_sql`),
   defaults filled in, the unit name translated through the mapping's ``units``;
2. ``r``: item codes resolved to internal item ids through ``_codes`` (item ids, the
   cross-reference, GTINs of every packaging level; an 8/12/13-digit GTIN is padded to 14),
   and lot references through ``_lot_codes`` (a lot id, or a manufacturer's lot number that
   only one lot carries; an ambiguous or unknown one stays as written and is quarantined as
   an unknown reference);
3. ``f``: the factor from the row's unit to the item's base unit (``item_uom``), 1 when the
   row gives no unit or the base unit itself;
4. the typed values (quantities × factor, prices ÷ factor) and ``_errors``: the failed
   checks as ``column|rule|reason`` texts joined by ASCII 30, empty when the row is clean.

Every step but the unit factor depends on one cell's text alone. A source column with few
distinct values (codes, dates, quantities: a few thousand values in millions of rows) is
therefore cleaned once per *distinct value* in a small dictionary (``d<k>``: raw text →
cleaned text, typed value, resolved item, error text) that the rows join, instead of once per
row; the plan's ``dictionary`` names those columns (:func:`low_cardinality_sql` measures
them). Both ways run the same SQL expressions on the same text, so they give the same rows.
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
from replenlib.io.tables import ColumnSpec, Reference, TableSpec, ValueKind

CODES_SQL = """
CREATE OR REPLACE TEMP TABLE _codes AS
WITH candidates AS (
    SELECT item_id AS code, item_id, 1 AS priority FROM items
    UNION ALL SELECT code, item_id, 2 FROM item_xref
    UNION ALL SELECT gtin, item_id, 3 FROM items
    UNION ALL SELECT gtin, item_id, 4 FROM item_uom WHERE gtin IS NOT NULL
)
SELECT code, arg_min(item_id, priority) AS item_id FROM candidates GROUP BY code;
CREATE OR REPLACE TEMP TABLE _lot_codes AS
SELECT lot_id AS code, lot_id FROM lots
UNION ALL
SELECT lot_number, any_value(lot_id) FROM lots
WHERE lot_number NOT IN (SELECT lot_id FROM lots)
GROUP BY lot_number HAVING count(*) = 1;
CREATE OR REPLACE TEMP TABLE _item_units AS
SELECT i.item_id, i.base_uom, string_agg(u.uom, ', ' ORDER BY u.factor_to_base) AS units
FROM items i LEFT JOIN item_uom u USING (item_id) GROUP BY i.item_id, i.base_uom
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
    dictionary: frozenset[str] = frozenset()  #: source columns cleaned once per distinct value

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
    lots = [c for c in columns if c.reference is Reference.LOT and plan.spec.name != "lots"]
    dictionaries = _dictionaries(plan, columns, items, lots)
    ctes = [*dictionaries.values(), _unit_part(plan)[1]]
    return (
        "CREATE OR REPLACE TEMP TABLE _clean AS\n"
        f"WITH {''.join(f'{sql},{chr(10)}' for sql in ctes if sql)}"
        f"h AS ({_halfwidth(plan, dictionaries)}),\n"
        f"n AS ({_normalise(plan, columns)}),\n"
        f"r AS ({_resolve(plan, items, lots)}),\n"
        f"f AS ({_factor(plan, resolve)}),\n"
        f"t AS ({_values(plan, columns)})\n"
        f"{_typed(plan, columns, items, lots)}"
    )


def low_cardinality_sql(source_table: str, columns: list[str], probe_rows: int) -> str:
    """SQL giving, per column, the approximate number of distinct values in the first
    ``probe_rows`` rows (a dictionary pays when it is well below the number of rows)."""
    counts = ", ".join(f"approx_count_distinct({ident(c)})" for c in columns)
    return f"SELECT {counts} FROM (SELECT * FROM {source_table} LIMIT {probe_rows})"


def _is_dict(plan: CleanPlan, column: ColumnSpec) -> bool:
    source = plan.sources.get(column.name)
    return source is not None and source in plan.dictionary


def _d(k: int) -> str:
    return f"d{k}"


def _dictionaries(
    plan: CleanPlan, columns: list[ColumnSpec], items: list[ColumnSpec], lots: list[ColumnSpec]
) -> dict[str, str]:
    """Store column → ``d<k> AS (...)``: one row per distinct source text of the column with
    ``x`` (the text), ``n``, ``v``, ``r`` (resolved item or lot) and ``e`` (its checks'
    errors)."""
    out = {}
    resolved, lot_columns = {c.name for c in items}, {c.name for c in lots}
    for k, column in enumerate(columns):
        if not _is_dict(plan, column):
            continue
        source = ident(plan.sources[column.name])
        value = _typed_value(plan, column, "n")
        inner = (
            f"SELECT x, n, {value} AS v FROM (SELECT x, {_normalised(plan, column, 'h')} AS n "
            f"FROM (SELECT x, {halfwidth_sql('x')} AS h FROM "
            f"(SELECT DISTINCT {source} AS x FROM {plan.source_table})))"
        )
        if column.name in resolved:
            inner = (
                f"SELECT q.*, coalesce(a.item_id, b.item_id) AS r FROM ({inner}) q "
                f"LEFT JOIN _codes a ON a.code = q.n "
                f"LEFT JOIN _codes b ON b.code = {gtin14_sql('q.n')}"
            )
        elif column.name in lot_columns:
            inner = (
                f"SELECT q.*, l.lot_id AS r FROM ({inner}) q LEFT JOIN _lot_codes l ON l.code = q.n"
            )
        else:
            inner = f"SELECT *, NULL AS r FROM ({inner})"
        checks = ", ".join(_column_errors(plan, column, "n", "v", "r", column.name in resolved))
        errors = f"nullif(concat_ws(chr(30), {checks}), '')" if checks else "NULL"
        out[column.name] = f"{_d(k)} AS (SELECT x, n, v, r, {errors} AS e FROM ({inner}))"
    return out


def _h(name: str) -> str:
    return ident(f"h__{name}")


def _v(name: str) -> str:
    return ident(f"v__{name}")


def _e(name: str) -> str:
    return ident(f"e__{name}")


def _halfwidth(plan: CleanPlan, dictionaries: dict[str, str]) -> str:
    """Every file column used per row, half-width and trimmed once; the dictionaries joined."""
    columns = [plan.spec.column(c) for c in plan.present]
    dict_sources = {plan.sources[c] for c in dictionaries}
    used = sorted(set(plan.sources.values()) - dict_sources)
    parts = ["s.source_row"] + [f"{halfwidth_sql('s.' + ident(c))} AS {_h(c)}" for c in used]
    joins = []
    for k, column in enumerate(columns):
        if column.name not in dictionaries:
            continue
        name, d = column.name, _d(k)
        parts += [f"{d}.n AS {_n(name)}", f"{d}.v AS {_v(name)}", f"{d}.r AS {_r(name)}"]
        parts.append(f"{d}.e AS {_e(name)}")
        source = ident(plan.sources[name])
        joins.append(f"LEFT JOIN {d} ON {d}.x IS NOT DISTINCT FROM s.{source}")
    parts += [f"{sql} AS {ident(f'x__{k}')}" for k, (_t, sql) in enumerate(plan.extra_errors)]
    unit, _cte, unit_join = _unit_part(plan)
    parts.append(unit)
    joins.append(unit_join)
    line = ", ".join(f"coalesce({text_sql('s.' + ident(c))}, '')" for c in plan.line_key)
    parts.append(f"concat_ws('|', {line}) AS _line" if line else "NULL AS _line")
    return f"SELECT {', '.join(parts)} FROM {plan.source_table} s {' '.join(joins)}"


def _n(name: str) -> str:
    return ident(f"n__{name}")


def _r(name: str) -> str:
    return ident(f"r__{name}")


def _normalised(plan: CleanPlan, column: ColumnSpec, h: str) -> str:
    """The cleaned text of ``column`` from its half-width text ``h`` (or its default)."""
    mapped = plan.mapping.column(column.name)
    source = plan.sources.get(column.name)
    value = normalised_sql(h, column.kind) if source else "NULL"
    if mapped is not None and mapped.default is not None:
        value = f"coalesce({value}, {literal(mapped.default)})"
    return value


def _normalise(plan: CleanPlan, columns: list[ColumnSpec]) -> str:
    parts = ["h.*"]
    for column in columns:
        if _is_dict(plan, column):
            continue
        source = plan.sources.get(column.name)
        value = _normalised(plan, column, _h(source) if source else "NULL")
        parts.append(f"{value} AS {_n(column.name)}")
    return f"SELECT {', '.join(parts)} FROM h"


def _unit(plan: CleanPlan, text: str) -> str:
    """The row's unit code from the unit cell ``text``, translated through ``units``."""
    unit = f"upper({text_sql(text)})"
    if not plan.mapping.units:
        return unit
    whens = " ".join(
        f"WHEN {literal(k.strip().upper())} THEN {literal(v.strip().upper())}"
        for k, v in plan.mapping.units.items()
    )
    return f"(CASE {unit} {whens} ELSE {unit} END)"


def _unit_part(plan: CleanPlan) -> tuple[str, str, str]:
    """(the unit column of ``h``, a dictionary CTE or '', its join or '')."""
    if plan.unit_source is None:
        return "CAST(NULL AS VARCHAR) AS n___unit", "", ""
    source = ident(plan.unit_source)
    if plan.unit_source not in plan.dictionary:
        return f"{_unit(plan, 's.' + source)} AS n___unit", "", ""
    cte = (
        f"du AS (SELECT x, {_unit(plan, 'x')} AS u FROM "
        f"(SELECT DISTINCT {source} AS x FROM {plan.source_table}))"
    )
    return "du.u AS n___unit", cte, f"LEFT JOIN du ON du.x IS NOT DISTINCT FROM s.{source}"


def _resolve(plan: CleanPlan, items: list[ColumnSpec], lots: list[ColumnSpec]) -> str:
    """Items by any of their codes (``_codes``); lots by lot id or by a lot number that only
    one lot carries (``_lot_codes``: QMS and WMS exports often know the manufacturer's lot
    number, AI 10, not ours)."""
    selects, joins = ["n.*"], []
    for k, column in enumerate(lots):
        if _is_dict(plan, column):
            continue
        alias = f"l{k}"
        selects.append(f"{alias}.lot_id AS {_r(column.name)}")
        joins.append(f"LEFT JOIN _lot_codes {alias} ON {alias}.code = n.{_n(column.name)}")
    for k, column in enumerate(items):
        if _is_dict(plan, column):
            continue
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
        "SELECT r.*, CASE WHEN r.n___unit IS NULL OR r.n___unit = k.base_uom THEN 1.0 "
        "ELSE u.factor_to_base END AS _factor, k.units AS _units, k.base_uom AS _base FROM r "
        f"LEFT JOIN _item_units k ON k.item_id = {item} "
        f"LEFT JOIN item_uom u ON u.item_id = {item} AND u.uom = r.n___unit"
    )


def _typed_value(plan: CleanPlan, column: ColumnSpec, n: str) -> str:
    """The typed value of ``column`` from its cleaned text ``n`` (before unit conversion)."""
    mapped = plan.mapping.column(column.name)
    formats = mapped.formats if mapped else ()
    values = mapped.values if mapped else {}
    value = typed_sql(n, column.kind, formats, values, column.allowed, plan.mapping.decimal)
    return gtin14_sql(value) if column.name == "gtin" else value


def _values(plan: CleanPlan, columns: list[ColumnSpec]) -> str:
    """Typed values ``v__*`` (before unit conversion), each computed once."""
    parts = ["f.*"]
    for column in columns:
        if not _is_dict(plan, column):
            value = _typed_value(plan, column, _n(column.name))
            parts.append(f"{value} AS {_v(column.name)}")
    return f"SELECT {', '.join(parts)} FROM f"


def _column_errors(
    plan: CleanPlan, column: ColumnSpec, n: str, v: str, r: str, resolved: bool
) -> list[str]:
    """The checks of one column's text ``n``, typed value ``v`` and resolved item ``r``,
    each SQL giving ``'column|rule|reason'`` or NULL."""
    errors = [_item_error(column.name, n, r)] if resolved else []
    if column.required and column.name not in plan.spec.derived:
        errors.append(
            f"CASE WHEN {n} IS NULL THEN '{column.name}|required|a value is required' END"
        )
    if column.kind is not ValueKind.ENUM:
        mapped = plan.mapping.column(column.name)
        formats = mapped.formats if mapped else ()
        parse = parse_error_sql(n, v, column.kind, formats, plan.mapping.decimal)
        if parse != "NULL":
            errors.append(f"{literal(column.name + '|')} || {parse}")
    return errors


def _typed(
    plan: CleanPlan, columns: list[ColumnSpec], items: list[ColumnSpec], lots: list[ColumnSpec]
) -> str:
    resolved, lot_columns = {c.name for c in items}, {c.name for c in lots}
    values, errors = ["source_row", "_line"], []
    for column in columns:
        name = column.name
        value = _r(name) if name in resolved else _v(name)
        if name in lot_columns:  # a lot number becomes its lot id; an unknown code stays
            value = f"coalesce({_r(name)}, {_v(name)})"
        if name not in resolved and column.kind is ValueKind.QUANTITY:
            value = f"{value} * _factor"
        elif name not in resolved and column.kind is ValueKind.PRICE:
            value = f"{value} / _factor"
        values.append(f"{value} AS {ident(name)}")
        if _is_dict(plan, column):
            errors.append(_e(name))
        else:
            errors += _column_errors(plan, column, _n(name), _v(name), _r(name), name in resolved)
    errors += _unit_errors(plan)
    errors += [
        f"{literal(target + '|')} || {ident(f'x__{k}')}"
        for k, (target, _sql) in enumerate(plan.extra_errors)
    ]
    # one text of the failed checks, separated by ASCII 30 (record separator); '' = clean row
    checks = ", ".join(errors) if errors else "NULL"
    values.append(f"concat_ws(chr(30), {checks}) AS _errors")
    return f"SELECT {', '.join(values)} FROM t"


def _item_error(name: str, n: str, r: str) -> str:
    return (
        f"CASE WHEN {n} IS NOT NULL AND {r} IS NULL THEN "
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
