"""pandera schemas of the importable tables: types, ranges, allowed values, references.

:func:`table_schema` builds one :class:`pandera.pandas.DataFrameSchema` per table from its
:class:`~replenlib.io.tables.TableSpec` and the master data already in the store (for the
referential checks: items, locations, suppliers, customers, lots). The cleaned rows are
validated in chunks (:func:`validate_chunks`), so a file of any size is checked with bounded
memory; every failure becomes a :class:`RowFailure` naming the row, the column, the value and
what was expected.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa
import pyarrow
import pyarrow.compute as pc

from replenlib.io.tables import ColumnSpec, Reference, TableSpec, ValueKind

log = logging.getLogger(__name__)

_DTYPES: dict[ValueKind, object] = {
    ValueKind.CODE: str,
    ValueKind.LOT: str,
    ValueKind.TEXT: str,
    ValueKind.ENUM: str,
    ValueKind.DATE: "datetime64[us]",
    ValueKind.TIMESTAMP: "datetime64[us]",
    ValueKind.QUANTITY: float,
    ValueKind.PRICE: float,
    ValueKind.NUMBER: float,
    ValueKind.INTEGER: "Int64",
    ValueKind.BOOLEAN: "boolean",
}


#: Kinds whose pandas dtype after DuckDB → Arrow → pandas differs from the schema's.
_COERCED = {ValueKind.DATE, ValueKind.TIMESTAMP, ValueKind.INTEGER, ValueKind.BOOLEAN}


@dataclass(frozen=True)
class RowFailure:
    """One failed check: the row's ``source_row`` value, column, value, rule and expectation."""

    key: object
    column: str
    value: str
    rule: str
    reason: str


def _checks(column: ColumnSpec, known: Mapping[Reference, frozenset[str]]) -> list[pa.Check]:
    checks = []
    if column.minimum is not None:
        bound = column.minimum
        if column.strict_minimum:
            checks.append(pa.Check.gt(bound, error=f"range|expected a value > {bound:g}"))
        else:
            checks.append(pa.Check.ge(bound, error=f"range|expected a value ≥ {bound:g}"))
    if column.maximum is not None:
        checks.append(
            pa.Check.le(column.maximum, error=f"range|expected a value ≤ {column.maximum:g}")
        )
    if column.allowed:
        checks.append(
            pa.Check.isin(
                column.allowed, error="unknown_value|expected one of " + ", ".join(column.allowed)
            )
        )
    if column.reference is not None and column.reference is not Reference.ITEM:
        values = known.get(column.reference, frozenset())
        checks.append(
            pa.Check(
                _member_of(values),
                error=f"unknown_reference|expected a code present in {column.reference.value}",
            )
        )
    return checks


def _member_of(values: frozenset[str]) -> Callable[[pd.Series], pd.Series]:
    """A vectorised ``isin`` for large sets of master codes (tens of thousands of lots).

    ``Check.isin`` on pandas' Arrow-backed strings converts every allowed value to an Arrow
    scalar on each call (≈ 1 s for 65,000 lot codes); Arrow's ``is_in`` with the set built
    once is the same test in milliseconds.
    """
    value_set = pyarrow.array(sorted(values), type=pyarrow.string())

    def member(series: pd.Series) -> pd.Series:
        text = pyarrow.array(series.astype(object), type=pyarrow.string(), from_pandas=True)
        found = pc.is_in(text, value_set=value_set).to_numpy(zero_copy_only=False)
        return pd.Series(found, index=series.index)

    return member


def table_schema(
    spec: TableSpec, known: Mapping[Reference, frozenset[str]], columns: Iterable[str]
) -> pa.DataFrameSchema:
    """The pandera schema of ``spec`` restricted to ``columns`` (the ones the file provides).

    ``known`` holds the codes of each master table for the referential checks; item codes are
    resolved (and checked) earlier through the cross-reference.
    """
    present = set(columns)
    return pa.DataFrameSchema(
        {
            c.name: pa.Column(
                _DTYPES[c.kind],
                checks=_checks(c, known),
                nullable=not c.required,
                coerce=c.kind in _COERCED,
            )
            for c in spec.columns
            if c.name in present
        },
        name=spec.name,
        strict=False,
    )


def is_range_only(column: ColumnSpec) -> bool:
    """True when the column's only checks are bounds (``≥``, ``>``, ``≤``): then every value
    passes when the smallest and the largest pass."""
    bounded = column.minimum is not None or column.maximum is not None
    referenced = column.reference is not None and column.reference is not Reference.ITEM
    return bounded and not column.allowed and not referenced


def failing_columns(schema: pa.DataFrameSchema, frame: pd.DataFrame) -> set[str]:
    """The columns of ``frame`` with any failure (of a check, type or nullability)."""
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        return {str(c) for c in errors.failure_cases["column"].dropna()}
    return set()


def validate_chunks(
    schema: pa.DataFrameSchema, chunks: Iterable[pd.DataFrame]
) -> Iterator[RowFailure]:
    """Validate frames (each with a ``source_row`` column) and yield every failure."""
    for chunk in chunks:
        try:
            schema.validate(chunk, lazy=True)
        except pa.errors.SchemaErrors as errors:
            yield from _failures(errors.failure_cases, chunk)


def _failures(cases: pd.DataFrame, chunk: pd.DataFrame) -> Iterator[RowFailure]:
    rows = chunk["source_row"]
    for case in cases.itertuples(index=False):
        index = getattr(case, "index", None)
        if not isinstance(index, int | str) and (index is None or index != index):
            continue  # a schema-level failure (e.g. dtype) shows again per row below
        column = str(case.column)
        check = str(case.check)
        rule, _, reason = check.partition("|")
        if not reason:
            rule, reason = _builtin(check)
        value = chunk.loc[index, column] if column in chunk.columns else case.failure_case
        yield RowFailure(rows.loc[index], column, _text(value), rule, reason)


def _builtin(check: str) -> tuple[str, str]:
    if check == "not_nullable":
        return "required", "a value is required"
    return "type", f"expected a value of the column's type ({check})"


def _text(value: object) -> str:
    if value is None or value is pd.NaT or value is pd.NA:
        return ""
    if isinstance(value, float) and value != value:
        return ""
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
