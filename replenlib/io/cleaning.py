"""Cleaning rules as SQL expressions, so DuckDB applies them to millions of rows at once.

Every rule exists twice: a small Python function (the reference, used for single values and
in tests) and a SQL builder producing the same result inside DuckDB. ``tests/test_io_cleaning``
checks with hypothesis that the two agree.

Rules
-----
* **text**: full-width ASCII (U+FF01–U+FF5E) and the ideographic space (U+3000) become their
  half-width forms, non-breaking spaces and tabs become spaces, surrounding spaces go; an empty
  cell or ``#N/A`` / ``N/A`` / ``NULL`` is missing.
* **code**: text, then upper case (``" ａｂｃ１２３ "`` → ``"ABC123"``).
* **number**: ``"1,200"`` (regular thousands groups) → 1200; ``"1,5"`` stays not-a-number,
  because a decimal comma cannot be told from a grouping comma. A mapping with
  ``decimal: ","`` (exports of European ERPs) reads the other convention: ``"1,5"`` → 1.5,
  ``"1.234,5"`` → 1234.5, and a dot outside regular thousands groups (``"1.5"``) is not a
  number.
* **date**: the mapping's formats in order; a value shaped like a date that no calendar has
  (``2026-02-30``) is reported as an *impossible date*, anything else as *not a date*.
"""

from __future__ import annotations

from replenlib.io.tables import ValueKind

FULL_WIDTH = "".join(chr(c) for c in range(0xFF01, 0xFF5F)) + "\u3000\u00a0\t"
HALF_WIDTH = "".join(chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)) + "   "
_TO_HALF = str.maketrans(FULL_WIDTH, HALF_WIDTH)
WIDE_CLASS = "[\uff01-\uff5e\u3000\u00a0\t]"
NULL_TOKENS = ("", "#N/A", "N/A", "NULL", "null")
TRUE_WORDS = ("1", "true", "t", "yes", "y", "是", "x", "√")
FALSE_WORDS = ("0", "false", "f", "no", "n", "否")
THOUSANDS = r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?"
THOUSANDS_DOT = r"[+-]?\d{1,3}(\.\d{3})+(,\d+)?"
#: The decimal separators a mapping may declare (``decimal:``).
DECIMAL_MARKS = (".", ",")
DATE_SHAPE = r"\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?|\d{1,2}[./-]\d{1,2}[./-]\d{4}|\d{8}"


def to_halfwidth(value: str) -> str:
    """Full-width ASCII and ideographic/non-breaking spaces and tabs → half-width ASCII."""
    return value.translate(_TO_HALF)


def clean_text(value: str | None) -> str | None:
    """The *text* rule in Python (see the module docstring)."""
    if value is None:
        return None
    text = to_halfwidth(value).strip(" ")
    return None if text in NULL_TOKENS else text


def clean_code(value: str | None) -> str | None:
    """The *code* rule in Python: text, then upper case."""
    text = clean_text(value)
    return None if text is None else text.upper()


def literal(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def ident(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def halfwidth_sql(expr: str) -> str:
    """SQL for :func:`to_halfwidth` followed by trimming spaces (``expr`` is evaluated once
    per step, so pass a column, not a computed expression)."""
    # translate() and trim() are slow in DuckDB: only text holding a full-width character goes
    # through translate (ASCII text, where bytes == characters, is not even searched), and
    # ASCII text is trimmed only when it starts or ends with a space
    half = (
        f"WHEN regexp_matches({expr}, {literal(WIDE_CLASS)}) "
        f"THEN translate({expr}, {literal(FULL_WIDTH)}, {literal(HALF_WIDTH)}) ELSE {expr} END"
    )
    return (
        f"CASE WHEN strlen({expr}) = length({expr}) THEN CASE WHEN prefix({expr}, ' ') "
        f"OR suffix({expr}, ' ') THEN trim({expr}, ' ') ELSE {expr} END "
        f"ELSE trim(CASE {half}, ' ') END"
    )


def nulled_sql(expr: str) -> str:
    """SQL mapping the null tokens (empty, ``#N/A``, ``N/A``, ``NULL``) to NULL."""
    nulls = ", ".join(literal(t) for t in NULL_TOKENS)
    return f"(CASE WHEN {expr} IN ({nulls}) THEN NULL ELSE {expr} END)"


def text_sql(expr: str) -> str:
    """SQL for :func:`clean_text` applied to ``expr`` (one expression; see :func:`halfwidth_sql`)."""
    return nulled_sql(halfwidth_sql(expr))


def number_sql(n: str, decimal: str = ".") -> str:
    """SQL turning cleaned text ``n`` into DOUBLE (NULL when it is not a finite number);
    ``decimal`` is the decimal separator (the module docstring's *number* rule)."""
    if decimal == ",":
        plain = (
            f"CASE WHEN regexp_full_match({n}, {literal(THOUSANDS_DOT)}) "
            f"THEN replace(replace({n}, '.', ''), ',', '.') "
            f"WHEN contains({n}, '.') THEN NULL ELSE replace({n}, ',', '.') END"
        )
    else:
        plain = (
            f"CASE WHEN contains({n}, ',') AND regexp_full_match({n}, {literal(THOUSANDS)}) "
            f"THEN replace({n}, ',', '') ELSE {n} END"
        )
    value = f"TRY_CAST({plain} AS DOUBLE)"
    return f"(CASE WHEN isfinite({value}) THEN {value} END)"


def integer_sql(n: str, decimal: str = ".") -> str:
    """SQL for a whole number (NULL when not a number or not whole)."""
    value = number_sql(n, decimal)
    return f"(CASE WHEN {value} = round({value}) THEN CAST({value} AS BIGINT) END)"


def date_sql(n: str, formats: tuple[str, ...], timestamp: bool = False) -> str:
    """SQL parsing ``n`` with the first matching ``strptime`` format (DATE or TIMESTAMP)."""
    target = "TIMESTAMP" if timestamp else "DATE"
    tries = [f"TRY_CAST({n} AS {target})"]
    tries += [f"CAST(try_strptime({n}, {literal(f)}) AS {target})" for f in formats]
    return f"coalesce({', '.join(tries)})"


def boolean_sql(n: str) -> str:
    """SQL for yes/no words in English and Chinese."""
    true = ", ".join(literal(w) for w in TRUE_WORDS)
    false = ", ".join(literal(w) for w in FALSE_WORDS)
    return (
        f"(CASE WHEN lower({n}) IN ({true}) THEN true WHEN lower({n}) IN ({false}) THEN false END)"
    )


def enum_sql(n: str, values: dict[str, str], allowed: tuple[str, ...] = ()) -> str:
    """SQL translating source labels (matched after cleaning), then matching the allowed values
    case-insensitively (``"Available"`` → ``"available"``, ``"iii"`` → ``"III"``)."""
    value = n
    if values:
        whens = " ".join(
            f"WHEN {literal(clean_text(k) or k)} THEN {literal(v)}" for k, v in values.items()
        )
        value = f"(CASE {n} {whens} ELSE {n} END)"
    cases = " ".join(f"WHEN {literal(a.lower())} THEN {literal(a)}" for a in allowed)
    if not cases:
        return f"lower({value})"
    return f"(CASE lower({value}) {cases} ELSE {value} END)"


def gtin14_sql(code: str) -> str:
    """SQL padding an all-digit GTIN-8/12/13 to GTIN-14 (other codes unchanged)."""
    return (
        f"(CASE WHEN regexp_full_match({code}, '\\d{{8}}|\\d{{12,13}}') "
        f"THEN lpad({code}, 14, '0') ELSE {code} END)"
    )


def normalised_sql(h: str, kind: ValueKind) -> str:
    """The cleaned text of a source cell from its half-width, trimmed text ``h``."""
    if kind is ValueKind.CODE:
        return f"upper({nulled_sql(h)})"
    if kind is ValueKind.TEXT:
        return f"regexp_replace({nulled_sql(h)}, ' {{2,}}', ' ', 'g')"
    return nulled_sql(h)


def typed_sql(
    n: str,
    kind: ValueKind,
    formats: tuple[str, ...],
    values: dict[str, str],
    allowed: tuple[str, ...] = (),
    decimal: str = ".",
) -> str:
    """The typed value of cleaned text ``n`` for a column of ``kind``."""
    if kind in (ValueKind.QUANTITY, ValueKind.PRICE, ValueKind.NUMBER):
        return number_sql(n, decimal)
    if kind is ValueKind.INTEGER:
        return integer_sql(n, decimal)
    if kind is ValueKind.DATE:
        return date_sql(n, formats)
    if kind is ValueKind.TIMESTAMP:
        return date_sql(n, formats, timestamp=True)
    if kind is ValueKind.BOOLEAN:
        return boolean_sql(n)
    if kind is ValueKind.ENUM:
        return enum_sql(n, values, allowed)
    return n


def parse_error_sql(
    n: str, v: str, kind: ValueKind, formats: tuple[str, ...], decimal: str = "."
) -> str:
    """SQL giving (rule, reason) text ``'rule|reason'`` when ``n`` is present but ``v`` is not."""
    if kind in (ValueKind.QUANTITY, ValueKind.PRICE, ValueKind.NUMBER):
        shape = "1,200; decimal point ." if decimal == "." else "1.200; decimal comma ,"
        reason = f"'not_a_number|expected a number (thousands as {shape})'"
    elif kind is ValueKind.INTEGER:
        reason = "'not_an_integer|expected a whole number'"
    elif kind in (ValueKind.DATE, ValueKind.TIMESTAMP):
        shown = literal("not_a_date|expected a date as " + " or ".join(formats[:4]))
        reason = (
            f"CASE WHEN regexp_full_match(split_part({n}, ' ', 1), {literal(DATE_SHAPE)}) "
            f"THEN 'impossible_date|no such calendar date' ELSE {shown} END"
        )
    elif kind is ValueKind.BOOLEAN:
        reason = "'not_a_boolean|expected yes/no, true/false, 1/0 or 是/否'"
    else:
        return "NULL"
    return f"(CASE WHEN {n} IS NOT NULL AND {v} IS NULL THEN {reason} END)"
