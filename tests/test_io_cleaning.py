"""The cleaning rules: the SQL run by DuckDB agrees with the Python reference (hypothesis)."""

from __future__ import annotations

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st

from replenlib.io.cleaning import (
    FULL_WIDTH,
    clean_code,
    clean_text,
    date_sql,
    literal,
    nulled_sql,
    number_sql,
    text_sql,
)

CON = duckdb.connect()
ALPHABET = st.sampled_from(list("abcXYZ012 -_/.,") + list(FULL_WIDTH[:-2]) + ["医", "院", "\u3000"])


def _sql(expression: str) -> object:
    row = CON.execute(f"SELECT {expression}").fetchone()
    return None if row is None else row[0]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=12))
def test_text_and_code_rules_agree_with_python(value: str) -> None:
    assert _sql(text_sql(literal(value))) == clean_text(value)
    assert _sql(f"upper({text_sql(literal(value))})") == clean_code(value)


def test_full_width_and_padding() -> None:
    assert clean_code(" ａｂｃ１２３ ") == "ABC123"
    assert _sql(f"upper({text_sql(literal('　ＡＢＣ－１２３　'))})") == "ABC-123"
    assert _sql(nulled_sql("'#N/A'")) is None


@given(st.integers(0, 10**9))
def test_thousands_separators(value: int) -> None:
    assert _sql(number_sql(literal(f"{value:,}"))) == float(value)


def test_ambiguous_commas_and_non_finite_numbers_are_not_numbers() -> None:
    for text in ("1,5", "1,20", "12,3456", "inf", "nan", "abc", "1.2.3"):
        assert _sql(number_sql(literal(text))) is None, text


@given(st.integers(-(10**9), 10**9), st.integers(0, 99))
def test_decimal_comma_with_dot_groups(whole: int, cents: int) -> None:
    sign = "-" if whole < 0 else ""
    grouped = f"{abs(whole):,}".replace(",", ".")
    text = f"{sign}{grouped},{cents:02d}"
    expected = float(f"{sign}{abs(whole)}.{cents:02d}")
    assert _sql(number_sql(literal(text), ",")) == expected


def test_under_a_decimal_comma_a_lone_dot_is_not_a_number() -> None:
    assert _sql(number_sql(literal("1,5"), ",")) == 1.5
    assert _sql(number_sql(literal("1.234"), ",")) == 1234.0
    for text in ("1.5", "12.34,5", "1.2.3", "1,2,3", "inf"):
        assert _sql(number_sql(literal(text), ",")) is None, text


def test_dates_in_several_formats_and_impossible_ones() -> None:
    formats = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%d.%m.%Y", "%Y年%m月%d日")
    for text in ("2026-03-05", "2026/03/05", "20260305", "05.03.2026", "2026年3月5日"):
        assert str(_sql(date_sql(literal(text), formats))) == "2026-03-05", text
    for text in ("2026-02-30", "2025-02-29", "2026-13-01", "31.04.2026"):
        assert _sql(date_sql(literal(text), formats)) is None, text
