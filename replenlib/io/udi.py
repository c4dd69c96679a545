"""UDI scans: GS1 element strings (via ``biip``) and HIBC LIC strings, checked and parsed.

A scanner or a WMS export delivers a GS1 string in one of two forms:

* **raw**: the barcode's data, Application Identifiers without parentheses, variable-length
  fields ended by the FNC1 / GS separator (ASCII 29). Exports make the separator visible in
  many ways (``<GS>``, ``{GS}``, ``^``, ``␝``, ``\\x1d``) and may keep a symbology identifier
  such as ``]C1`` (GS1-128) or ``]d2`` (GS1 DataMatrix); all are normalised first;
* **human-readable** (HRI): ``(01)04012345678901(17)281231(10)LOT1(21)S1``.

The AIs kept are 01 (GTIN), 10 (lot), 17 (expiry), 21 (serial) and 11 (production date). The
GTIN's check digit is verified (GS1 General Specifications §7.9.1) and dates must exist (AI 17
with day ``00`` means the month's last day, §3.4.5). HIBC strings (starting with ``+``) are
parsed by :mod:`replenlib.io.hibc`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from replenlib.io.hibc import HibcError, is_hibc, parse_hibc

GS = "\x1d"
_VISIBLE_GS = ("<GS>", "{GS}", "[GS]", "␝", "\\x1d", "\\u001d", "<FNC1>", "{FNC1}")
_SYMBOLOGY = re.compile(r"^\][A-Za-z][0-9]")


class Standard(StrEnum):
    """The UDI issuing standard of a scan."""

    GS1 = "gs1"
    HIBC = "hibc"


class UdiError(ValueError):
    """A scan that is not a valid UDI; ``rule`` names the failed check."""

    def __init__(self, rule: str, reason: str) -> None:
        super().__init__(reason)
        self.rule = rule


@dataclass(frozen=True)
class UdiRecord:
    """The identification and production data of one scanned unit."""

    standard: Standard
    product_code: str  #: GTIN-14, or HIBC labeler code + product number
    lot_number: str | None
    serial_number: str | None
    expiry_date: dt.date | None
    production_date: dt.date | None
    unit_of_measure: int | None = None  #: HIBC U/M digit (0 = each)


def normalise_scan(text: str) -> str:
    """Make separators real (ASCII 29), drop a symbology identifier and surrounding spaces."""
    out = text.strip()
    for token in _VISIBLE_GS:
        out = out.replace(token, GS)
    out = _SYMBOLOGY.sub("", out)
    return out.strip(GS)


def visible(text: str) -> str:
    """The scan with GS shown as ``<GS>`` (how it is stored and reported)."""
    return text.replace(GS, "<GS>")


def parse_udi(text: str) -> UdiRecord:
    """Parse one scan (GS1 raw or HRI, or HIBC).

    Raises
    ------
    UdiError
        With ``rule`` one of ``udi_format``, ``gtin_check_digit``, ``impossible_expiry``,
        ``hibc_check_character``, ``hibc_format``.
    """
    scan = normalise_scan(text)
    if not scan:
        raise UdiError("udi_format", "an empty scan")
    if is_hibc(scan):
        return _hibc(scan)
    return _gs1(scan)


def parse_many(texts: Iterable[str | None]) -> list[UdiRecord | UdiError]:
    """Parse many scans; each item is a record or the error for that scan."""
    out: list[UdiRecord | UdiError] = []
    for text in texts:
        try:
            out.append(parse_udi(text or ""))
        except UdiError as error:
            out.append(error)
    return out


def _hibc(scan: str) -> UdiRecord:
    try:
        data = parse_hibc(scan)
    except HibcError as error:
        rule = "hibc_check_character" if "check character" in str(error) else "hibc_format"
        if "date" in str(error) or "month" in str(error):
            rule = "impossible_expiry"
        raise UdiError(rule, str(error)) from None
    return UdiRecord(
        Standard.HIBC,
        data.product_code,
        data.lot,
        data.serial,
        data.expiry,
        data.manufactured,
        data.unit_of_measure,
    )


def _gs1(scan: str) -> UdiRecord:
    from biip import ParseError
    from biip.gs1_messages import GS1Message

    try:
        message = GS1Message.parse_hri(scan) if scan.startswith("(") else GS1Message.parse(scan)
    except ParseError as error:
        raise _gs1_error(str(error)) from None
    values = {e.ai.ai: e for e in message.element_strings}
    if "01" not in values:
        raise UdiError("udi_format", "no GTIN (AI 01) in the GS1 string")
    gtin = values["01"].value
    _check_gtin(gtin)
    return UdiRecord(
        Standard.GS1,
        gtin,
        _value(values, "10"),
        _value(values, "21"),
        _date(values, "17"),
        _date(values, "11"),
    )


def _check_gtin(gtin: str) -> None:
    from biip import ParseError
    from biip.gtin import Gtin

    try:
        Gtin.parse(gtin)
    except ParseError as error:
        raise UdiError("gtin_check_digit", f"GTIN {gtin}: {error}") from None


def _gs1_error(message: str) -> UdiError:
    if "(17)" in message or "(11)" in message or "date" in message.lower():
        return UdiError("impossible_expiry", f"impossible date in the GS1 string: {message}")
    return UdiError("udi_format", f"not a GS1 element string: {message}")


def _value(values: Mapping[str, object], ai: str) -> str | None:
    element = values.get(ai)
    return None if element is None else str(element.value)  # type: ignore[attr-defined]


def _date(values: Mapping[str, object], ai: str) -> dt.date | None:
    element = values.get(ai)
    if element is None:
        return None
    date = element.date  # type: ignore[attr-defined]
    if date is None:
        raise UdiError("impossible_expiry", f"AI ({ai}) {element.value}: no such date")  # type: ignore[attr-defined]
    return date  # type: ignore[no-any-return]
