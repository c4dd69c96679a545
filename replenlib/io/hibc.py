"""HIBC LIC barcodes (ANSI/HIBC 2.6, the HIBCC's UDI standard): parsing and the mod-43 check.

A HIBC LIC string starts with ``+``. The **primary** data are the labeler identification code
(LIC: one letter and three letters or digits), the labeler's product or catalogue number (PCN,
1–18 letters or digits) and a unit-of-measure digit. A **concatenated** barcode continues with
``/`` and the **secondary** data:

=============  =====================================================================
``$`` + lot    lot only
``$+`` + S/N   serial number only
``$$`` + f     expiry in format *f*, then the lot (``$$+`` + f: then the serial):
               ``0``/``1`` MMYY (the flag is the month's first digit), ``2`` MMDDYY,
               ``3`` YYMMDD, ``4`` YYMMDDHH, ``5`` YYJJJ, ``6`` YYJJJHH, ``7`` no date;
               ``8`` + 2-digit or ``9`` + 5-digit quantity come before the date flag
``YYJJJ`` lot  (no ``$``): Julian expiry date, then the lot
=============  =====================================================================

then optional supplementary fields ``/14D``\\ YYYYMMDD (expiry), ``/16D``\\ YYYYMMDD
(manufacture) and ``/S``\\ serial, and one **check character**: the sum of the values of all
previous characters (``0``–``9`` → 0–9, ``A``–``Z`` → 10–35, then ``-``, ``.``, space, ``$``,
``/``, ``+``, ``%`` → 36–42) modulo 43; a space check character is printed as ``_``.
Month-only expiry dates mean the month's last day.

References: HIBCC, *The Health Industry Supplier Labeling Standard for Patient Safety & Unique
Device Identification (UDI)*, ANSI/HIBC 2.6 (2016), sections 2.1–2.4 and appendix B.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

CHARSET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-. $/+%"
_PRIMARY = re.compile(r"\+([A-Z][A-Z0-9]{3})([A-Z0-9]{1,18})([0-9])")


class HibcError(ValueError):
    """A HIBC string that breaks the standard; the message says what was expected."""


@dataclass(frozen=True)
class HibcData:
    """The fields of a HIBC LIC barcode."""

    labeler: str
    product: str
    unit_of_measure: int
    lot: str | None = None
    serial: str | None = None
    expiry: dt.date | None = None
    manufactured: dt.date | None = None
    quantity: int | None = None

    @property
    def product_code(self) -> str:
        """LIC + PCN: the HIBC's unique product identifier (UDI-DI without the U/M digit)."""
        return self.labeler + self.product


def check_character(data: str) -> str:
    """The mod-43 check character of ``data`` (everything before the check character).

    >>> check_character("+A99912345/$$52001510X3/16D20111212/S77DE1G45")
    '-'
    """
    try:
        total = sum(CHARSET.index(c) for c in data)
    except ValueError:
        bad = next(c for c in data if c not in CHARSET)
        raise HibcError(f"character {bad!r} is not allowed in HIBC data") from None
    return CHARSET[total % 43]


def is_hibc(text: str) -> bool:
    """Whether ``text`` looks like a HIBC LIC string (``+`` then a letter, or ``*+``)."""
    body = text.strip().strip("*")
    return len(body) > 2 and body[0] == "+" and (body[1].isalpha() or body[1] == "$")


def parse_hibc(text: str) -> HibcData:
    """Parse a primary or concatenated HIBC LIC string and verify its check character.

    Raises
    ------
    HibcError
        Wrong check character, missing primary data, unknown secondary format or impossible date.
    """
    body = text.strip().strip("*").upper()
    if len(body) < 3 or body[0] != "+":
        raise HibcError("a HIBC string starts with '+'")
    data, check = body[:-1], body[-1].replace("_", " ")  # a space check character prints as _
    expected = check_character(data)
    if check != expected:
        raise HibcError(f"HIBC check character is {check!r}, expected {expected!r} (mod 43)")
    if data.startswith("+$"):
        raise HibcError("secondary HIBC data without the primary (LIC and product) part")
    primary, _, rest = data.partition("/")
    match = _PRIMARY.fullmatch(primary)
    if match is None:
        raise HibcError(
            "expected '+', a 4-character labeler code, a product number and a U/M digit"
        )
    labeler, product, uom = match.group(1), match.group(2), int(match.group(3))
    fields = rest.split("/") if rest else []
    secondary = _secondary(fields[0]) if fields else {}
    for extra in fields[1:]:
        secondary.update(_supplement(extra))
    return HibcData(labeler, product, uom, **secondary)  # type: ignore[arg-type]


def _secondary(field: str) -> dict[str, object]:
    if field.startswith("$$"):
        return _dated(field[2:])
    if field.startswith("$+"):
        return {"serial": field[2:] or None}
    if field.startswith("$"):
        return {"lot": field[1:] or None}
    if re.fullmatch(r"\d{5}.*", field):
        return {"expiry": _julian(field[:5]), "lot": field[5:] or None}
    return _supplement(field)


def _dated(field: str) -> dict[str, object]:
    out: dict[str, object] = {}
    key = "lot"
    if field.startswith("+"):
        key, field = "serial", field[1:]
    if field[:1] == "8":
        out["quantity"], field = int(field[1:3]), field[3:]
    elif field[:1] == "9":
        out["quantity"], field = int(field[1:6]), field[6:]
    flag = field[:1]
    if flag in ("0", "1"):
        out["expiry"], field = _month_year(field[:4]), field[4:]
    elif flag in _DATE_FLAGS:
        width, parser = _DATE_FLAGS[flag]
        out["expiry"], field = parser(field[1 : 1 + width]), field[1 + width :]
    elif flag == "7":
        field = field[1:]
    elif field:
        raise HibcError(f"unknown HIBC date format flag {flag!r} after '$$'")
    out[key] = field or None
    return out


def _month_year(text: str) -> dt.date:
    _digits(text, 4)
    month, year = int(text[:2]), 2000 + int(text[2:])
    if not 1 <= month <= 12:
        raise HibcError(f"impossible HIBC expiry month in {text!r} (MMYY)")
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _ymd(text: str) -> dt.date:
    return _date(2000 + int(_digits(text, 6)[:2]), int(text[2:4]), int(text[4:6]), text)


def _mdy(text: str) -> dt.date:
    return _date(2000 + int(_digits(text, 6)[4:6]), int(text[:2]), int(text[2:4]), text)


def _ymdh(text: str) -> dt.date:
    return _ymd(_digits(text, 8)[:6])


def _julian(text: str) -> dt.date:
    year, day = 2000 + int(_digits(text, 5)[:2]), int(text[2:5])
    if not 1 <= day <= (366 if calendar.isleap(year) else 365):
        raise HibcError(f"impossible HIBC Julian date {text!r} (YYJJJ)")
    return dt.date(year, 1, 1) + dt.timedelta(days=day - 1)


def _julian_hour(text: str) -> dt.date:
    return _julian(_digits(text, 7)[:5])


_DATE_FLAGS = {
    "2": (6, _mdy),
    "3": (6, _ymd),
    "4": (8, _ymdh),
    "5": (5, _julian),
    "6": (7, _julian_hour),
}


def _supplement(field: str) -> dict[str, object]:
    if field.startswith("14D"):
        return {"expiry": _yyyymmdd(field[3:])}
    if field.startswith("16D"):
        return {"manufactured": _yyyymmdd(field[3:])}
    if field.startswith("S"):
        return {"serial": field[1:] or None}
    raise HibcError(f"unknown HIBC data field {field[:4]!r}")


def _yyyymmdd(text: str) -> dt.date:
    _digits(text, 8)
    return _date(int(text[:4]), int(text[4:6]), int(text[6:8]), text)


def _digits(text: str, width: int) -> str:
    if len(text) != width or not text.isdigit():
        raise HibcError(f"expected {width} digits of a HIBC date, got {text!r}")
    return text


def _date(year: int, month: int, day: int, text: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise HibcError(f"impossible HIBC date {text!r}") from None


def make_hibc(
    labeler: str,
    product: str,
    unit_of_measure: int = 0,
    *,
    lot: str | None = None,
    expiry: dt.date | None = None,
    serial: str | None = None,
) -> str:
    """Build a concatenated HIBC string (``$$3`` YYMMDD expiry + lot) with its check character.

    >>> make_hibc("A999", "1234", 5, lot="10X3", expiry=dt.date(2020, 1, 15))
    '+A99912345/$$320011510X32'
    """
    data = f"+{labeler}{product}{unit_of_measure}"
    if lot is not None or expiry is not None:
        date = f"3{expiry:%y%m%d}" if expiry is not None else "7"
        data += f"/$${date}{lot or ''}"
    if serial is not None:
        data += f"/S{serial}"
    check = check_character(data)
    return data + ("_" if check == " " else check)  # shown as '_' so no trim can lose it
