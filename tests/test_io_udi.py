"""UDI parsing: GS1 element strings through biip, HIBC LIC with its mod-43 check character.

HIBC examples from ANSI/HIBC 2.6 as used by the open-source parsers' tests: the concatenated
barcode ``+A99912345/$$52001510X3/16D20111212/S77DE1G45-`` (LIC A999, product 1234, U/M 5,
expiry 2020-01-15 as YYJJJ 20015, lot 10X3, manufactured 2011-12-12, serial 77DE1G45, check
character '-') and the secondary date formats of the standard's lot/serial examples.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from replenlib.io.hibc import CHARSET, HibcError, _secondary, check_character, make_hibc, parse_hibc
from replenlib.io.udi import Standard, UdiError, parse_udi


def test_gs1_hri_and_raw_forms_give_the_same_record() -> None:
    hri = parse_udi("(01)07640517001010(17)280825(10)23K104729(21)23K104729-0001")
    raw = parse_udi("]d2010764051700101017280825" + "1023K104729{GS}2123K104729-0001")
    assert hri == raw
    assert (hri.standard, hri.product_code, hri.lot_number, hri.serial_number, hri.expiry_date) == (
        Standard.GS1,
        "07640517001010",
        "23K104729",
        "23K104729-0001",
        dt.date(2028, 8, 25),
    )


def test_gs1_day_00_means_the_last_day_of_the_month() -> None:
    assert parse_udi("(01)07640517001010(17)280200(10)A").expiry_date == dt.date(2028, 2, 29)


@pytest.mark.parametrize(
    ("scan", "rule"),
    [
        ("(01)07640517001011(10)A", "gtin_check_digit"),
        ("(01)07640517001010(17)281331(10)A", "impossible_expiry"),
        ("(01)07640517001010(17)270230(10)A", "impossible_expiry"),
        ("(10)LOT-ONLY", "udi_format"),
        ("hello", "udi_format"),
        ("", "udi_format"),
    ],
)
def test_bad_gs1_strings_name_the_failed_check(scan: str, rule: str) -> None:
    with pytest.raises(UdiError) as error:
        parse_udi(scan)
    assert error.value.rule == rule


def test_hibc_concatenated_example_from_the_standard() -> None:
    data = parse_hibc("+A99912345/$$52001510X3/16D20111212/S77DE1G45-")
    assert (data.labeler, data.product, data.unit_of_measure) == ("A999", "1234", 5)
    assert (data.expiry, data.lot, data.manufactured, data.serial) == (
        dt.date(2020, 1, 15),
        "10X3",
        dt.date(2011, 12, 12),
        "77DE1G45",
    )
    assert check_character("+A99912345/$$52001510X3/16D20111212/S77DE1G45") == "-"


@pytest.mark.parametrize(
    ("field", "expiry", "lot"),
    [
        ("$$09053C001", dt.date(2005, 9, 30), "3C001"),  # MMYY: last day of the month
        ("$$20928053C001", dt.date(2005, 9, 28), "3C001"),  # MMDDYY
        ("$$30509283C001", dt.date(2005, 9, 28), "3C001"),  # YYMMDD
        ("$$4050928223C001", dt.date(2005, 9, 28), "3C001"),  # YYMMDDHH
        ("$$5052713C001", dt.date(2005, 9, 28), "3C001"),  # YYJJJ
        ("$$605271223C001", dt.date(2005, 9, 28), "3C001"),  # YYJJJHH
        ("$$73C001", None, "3C001"),  # no date
        ("$3C001", None, "3C001"),  # lot only
        ("052713C001", dt.date(2005, 9, 28), "3C001"),  # YYJJJ without $
    ],
)
def test_hibc_secondary_date_formats(field: str, expiry: dt.date | None, lot: str) -> None:
    parsed = _secondary(field)
    assert (parsed.get("expiry"), parsed.get("lot")) == (expiry, lot)


def test_hibc_quantity_and_serial_forms() -> None:
    assert _secondary("$$82409053C001") == {
        "quantity": 24,
        "expiry": dt.date(2005, 9, 30),
        "lot": "3C001",
    }
    assert _secondary("$$+30509280001") == {"expiry": dt.date(2005, 9, 28), "serial": "0001"}


def test_hibc_wrong_check_character_and_impossible_dates() -> None:
    with pytest.raises(HibcError, match="check character is 'X', expected '-'"):
        parse_hibc("+A99912345/$$52001510X3/16D20111212/S77DE1G45X")
    with pytest.raises(UdiError) as error:
        parse_udi(make_hibc("H123", "ABC", 1)[:-1] + "/$$31302301A" + "0")
    assert error.value.rule in ("hibc_check_character", "impossible_expiry")
    bad_date = "+H123ABC1/$$3130230LOT1"
    with pytest.raises(UdiError) as error:
        parse_udi(bad_date + check_character(bad_date))
    assert error.value.rule == "impossible_expiry"


@given(
    st.text(alphabet=CHARSET[10:36], min_size=1, max_size=1).flatmap(
        lambda a: st.text(alphabet=CHARSET[:36], min_size=3, max_size=3).map(lambda b: a + b)
    ),
    st.text(alphabet=CHARSET[:36], min_size=1, max_size=12),
    st.integers(0, 9),
    st.text(alphabet=CHARSET[:36], min_size=1, max_size=10),
    st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 31)),
)
def test_hibc_round_trip(labeler: str, product: str, uom: int, lot: str, expiry: dt.date) -> None:
    data = parse_hibc(make_hibc(labeler, product, uom, lot=lot, expiry=expiry))
    assert (data.labeler + data.product, data.unit_of_measure, data.lot, data.expiry) == (
        labeler + product,
        uom,
        lot,
        expiry,
    )
