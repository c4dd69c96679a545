"""GS1 identification keys: check digits and GTIN construction.

Pure helpers with no dependencies. The GS1 check digit (GS1 General Specifications, section
7.9.1 "Standard check digit calculation for GS1 data structures") is a modulo-10 checksum: the
digits of the body are weighted 3, 1, 3, 1, ... starting from the **rightmost** digit, summed, and
the check digit is the amount that brings the sum up to the next multiple of ten. The same rule
covers GTIN-8, GTIN-12 (UPC-A), GTIN-13 (EAN-13), GTIN-14, GLN and SSCC.

A GTIN-14 is ``indicator (1) + GS1 company prefix and item reference (12) + check (1)``. The base
unit usually carries indicator 0 (so a GTIN-13 ``4006381333931`` becomes GTIN-14
``04006381333931``); packaging levels (box, case) carry indicators 1-8 with the same middle
twelve digits and their own check digit.

Examples
--------
>>> gtin_check_digit("400638133393")
1
>>> is_valid_gtin("4006381333931")
True
>>> make_gtin("4006381", "33393", indicator=1)
'14006381333938'
"""

from __future__ import annotations

GTIN_LENGTHS: frozenset[int] = frozenset({8, 12, 13, 14})


def gtin_check_digit(body: str) -> int:
    """Return the GS1 modulo-10 check digit of a digit string.

    Parameters
    ----------
    body : str
        The digits without the check digit (any length, e.g. 13 for a GTIN-14).

    Returns
    -------
    int
        The check digit, 0-9.

    Raises
    ------
    ValueError
        If ``body`` is empty or contains anything but ASCII digits.
    """
    if not body or not (body.isascii() and body.isdigit()):
        raise ValueError(f"a GS1 body must be a non-empty string of digits, got {body!r}")
    total = sum(
        int(digit) * (3 if position % 2 == 0 else 1)
        for position, digit in enumerate(reversed(body))
    )
    return (10 - total % 10) % 10


def is_valid_gtin(code: str) -> bool:
    """Tell whether ``code`` is a GTIN-8/12/13/14 with a correct check digit.

    Parameters
    ----------
    code : str
        The full code including its check digit; no spaces or separators.

    Returns
    -------
    bool
        ``True`` for a digit string of a GTIN length whose last digit is the GS1 check digit.
    """
    if not isinstance(code, str) or len(code) not in GTIN_LENGTHS:
        return False
    if not (code.isascii() and code.isdigit()):
        return False
    return gtin_check_digit(code[:-1]) == int(code[-1])


def make_gtin(company_prefix: str, item_reference: str | int, indicator: int = 0) -> str:
    """Build a GTIN-14 from a GS1 company prefix, an item reference and an indicator digit.

    Parameters
    ----------
    company_prefix : str
        The GS1 company prefix, 6-11 digits (it starts with the GS1 member organisation's
        prefix, e.g. ``690``-``699`` China, ``400``-``440`` Germany, ``0`` + a U.S. prefix).
    item_reference : str or int
        The item reference; zero-padded on the left so that prefix + reference is 12 digits.
    indicator : int, default 0
        Packaging-level indicator digit, 0 for the base unit, 1-8 for packaging levels.

    Returns
    -------
    str
        The 14-digit GTIN including its check digit.

    Raises
    ------
    ValueError
        If the parts do not fit in 12 digits or are not digits.
    """
    if not 0 <= indicator <= 9:
        raise ValueError(f"indicator digit must be 0-9, got {indicator}")
    width = 12 - len(company_prefix)
    reference = str(item_reference).zfill(width)
    middle = company_prefix + reference
    if len(middle) != 12 or not middle.isdigit():
        raise ValueError(
            f"company prefix {company_prefix!r} and item reference {item_reference!r} "
            "must make exactly 12 digits"
        )
    body = f"{indicator}{middle}"
    return body + str(gtin_check_digit(body))


def with_indicator(gtin14: str, indicator: int) -> str:
    """Return the GTIN-14 of another packaging level of the same item (new indicator digit).

    Parameters
    ----------
    gtin14 : str
        A valid GTIN-14 (usually the base unit, indicator 0).
    indicator : int
        The packaging-level indicator digit, 1-8.

    Returns
    -------
    str
        The GTIN-14 with ``indicator`` in front and a recomputed check digit.
    """
    if len(gtin14) != 14 or not is_valid_gtin(gtin14):
        raise ValueError(f"not a valid GTIN-14: {gtin14!r}")
    body = f"{indicator}{gtin14[1:13]}"
    return body + str(gtin_check_digit(body))
