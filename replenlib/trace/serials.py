"""Serial-number bookkeeping checks: every unit is in one place at a time.

A serialised unit (item + serial number) is *in stock* at exactly one location or *out* (never
received, issued to a customer, scrapped, returned to the supplier). A batch of movements is
consistent when, taken in time order, every movement of a serial starts where the unit is:

* a movement **from** a location needs the unit in stock at that location;
* a movement **into** stock from outside (receipt, customer return, positive adjustment) needs
  the unit to be out of stock — a unit already in stock somewhere was received twice.

:func:`check_serial_moves` applies these rules to a whole batch with array operations and
returns the first offending row, so the caller can name it and refuse the batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from numpy.typing import ArrayLike, NDArray

#: Location code meaning "not at any stock location".
OUTSIDE = -1


class SerialFault(StrEnum):
    """What is wrong with a serial movement."""

    NOT_IN_STOCK_AT_SOURCE = "not_in_stock_at_source"
    ALREADY_IN_STOCK = "already_in_stock"


@dataclass(frozen=True)
class SerialCheck:
    """Result of :func:`check_serial_moves`.

    Attributes
    ----------
    ok : True when no movement breaks the rules
    row : input row of the first offending movement (in time order), -1 when ok
    fault : :class:`SerialFault` of that row, or None
    expected_location : code of where the unit was at that moment (OUTSIDE = not in stock)
    final_location : per serial code, where the unit is after the batch (OUTSIDE = out)
    """

    ok: bool
    row: int
    fault: SerialFault | None
    expected_location: int
    final_location: NDArray[np.int64]


def check_serial_moves(
    serial: ArrayLike,
    order_key: ArrayLike,
    from_location: ArrayLike,
    to_location: ArrayLike,
    current_location: ArrayLike,
) -> SerialCheck:
    """Check a batch of serial movements against the units' current whereabouts.

    Parameters
    ----------
    serial : per movement, serial code ``0..n_serials-1``
    order_key : per movement, a sortable time key (e.g. day × 10⁹ + movement id)
    from_location, to_location : per movement, location code or :data:`OUTSIDE`
    current_location : per serial code, where the unit is before the batch (or OUTSIDE)
    """
    codes = np.asarray(serial, dtype=np.int64)
    source = np.asarray(from_location, dtype=np.int64)
    target = np.asarray(to_location, dtype=np.int64)
    final = np.array(current_location, dtype=np.int64, copy=True)
    order = np.lexsort((np.arange(codes.size), np.asarray(order_key), codes))
    s, src, dst = codes[order], source[order], target[order]
    first = np.r_[True, s[1:] != s[:-1]] if s.size else np.zeros(0, bool)
    where_before = np.where(first, final[s], np.r_[OUTSIDE, dst[:-1]])
    inbound = src == OUTSIDE
    bad = np.where(inbound, where_before != OUTSIDE, where_before != src)
    if s.size:
        final[s[np.r_[s[1:] != s[:-1], True]]] = dst[np.r_[s[1:] != s[:-1], True]]
    if not bad.any():
        return SerialCheck(True, -1, None, OUTSIDE, final)
    # the earliest offence in time, not the first serial in code order
    keys = np.asarray(order_key)[order][bad]
    k = np.flatnonzero(bad)[int(np.argmin(keys))]
    fault = SerialFault.ALREADY_IN_STOCK if inbound[k] else SerialFault.NOT_IN_STOCK_AT_SOURCE
    return SerialCheck(False, int(order[k]), fault, int(where_before[k]), final)


def duplicated(keys: ArrayLike) -> NDArray[np.bool_]:
    """True for every occurrence after the first of a repeated key (input order)."""
    values = np.asarray(keys, dtype=object)
    _, first_index = np.unique(values.astype(str), return_index=True)
    repeated = np.ones(values.size, dtype=bool)
    repeated[first_index] = False
    return repeated
