"""GS1 check digits against published examples, and properties of the GTIN helpers."""

from __future__ import annotations

import pytest
from biip.gtin import Gtin
from hypothesis import given, settings
from hypothesis import strategies as st

from replenlib.codes import gtin_check_digit, is_valid_gtin, make_gtin, with_indicator


@pytest.mark.parametrize(
    ("code", "source"),
    [
        # EAN-13 example of GS1's check digit calculator and of Wikipedia's "EAN-13" article.
        ("4006381333931", "GS1 check digit calculator / EAN-13 example"),
        # GS1 US example company prefix 0614141 (GS1 General Specifications examples).
        ("00614141123452", "GS1 General Specifications, GTIN-14 of company prefix 0614141"),
        # UPC-A example of the UPC article ("036000 291452").
        ("036000291452", "UPC-A example"),
        # ISBN-13 = GTIN-13 in the 978 Bookland prefix (ISO 2108 example 978-0-306-40615-7).
        ("9780306406157", "ISBN-13 example"),
    ],
)
def test_published_examples(code: str, source: str) -> None:
    assert gtin_check_digit(code[:-1]) == int(code[-1]), source
    assert is_valid_gtin(code)


def test_rejects_bad_codes() -> None:
    assert not is_valid_gtin("4006381333932")
    assert not is_valid_gtin("400638133393")  # 12 digits but wrong check digit for UPC
    assert not is_valid_gtin("40063813339X1")
    assert not is_valid_gtin("")
    with pytest.raises(ValueError):
        gtin_check_digit("12a4")


def test_make_gtin_and_packaging_levels() -> None:
    base = make_gtin("4006381", "33393")
    assert base == "04006381333931"
    box = with_indicator(base, 1)
    assert box[0] == "1" and box[1:13] == base[1:13] and is_valid_gtin(box)
    with pytest.raises(ValueError):
        make_gtin("69012345", "1234567")


@settings(deadline=None, max_examples=60)
@given(st.text(alphabet="0123456789", min_size=13, max_size=13))
def test_agrees_with_biip(body: str) -> None:
    code = body + str(gtin_check_digit(body))
    assert is_valid_gtin(code)
    assert Gtin.parse(code).value == code


@settings(deadline=None, max_examples=60)
@given(st.text(alphabet="0123456789", min_size=13, max_size=13), st.integers(0, 9))
def test_single_digit_errors_are_detected(body: str, wrong: int) -> None:
    code = body + str(gtin_check_digit(body))
    if wrong != int(code[5]):
        assert not is_valid_gtin(code[:5] + str(wrong) + code[6:])
