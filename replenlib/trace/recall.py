r"""Recall arithmetic: what a recall selects, whether every unit is accounted for, what to reorder.

A recall names lots directly, or through serial numbers, a GTIN (an item), a supplier or a
manufacture-date range; :class:`RecallSelector` holds these criteria (combined with AND, each
list an OR). The store layer resolves them to lots and walks the movements.

**Lot balance.** For every lot the units received must be somewhere:

.. math::

    \text{received} + \text{adjusted in} + \text{returned by customers}
    = \text{issued} + \text{scrapped} + \text{returned to supplier} + \text{adjusted out}
    + \text{in stock} + \text{in transit} + \text{unaccounted},

and a recall is *complete* when :math:`\text{unaccounted} = 0` for every lot.

**Replenishment need.** Quarantining :math:`Q` units at a stock point lowers its inventory
position :math:`IP` by :math:`Q` at once. When :math:`IP - Q \le s` (reorder point) an order
raises the position to the order-up-to level :math:`S`:

.. math::

    \text{need} = [IP - Q \le s]\,\max(S - (IP - Q),\, 0).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
from numpy.typing import ArrayLike, NDArray


@dataclass(frozen=True)
class RecallSelector:
    """Which units a recall covers; criteria combine with AND, values within one with OR.

    Attributes
    ----------
    lots : lot ids
    serials : serial numbers (the lots they belong to are recalled as a whole unless
        ``serials_only``)
    gtins : GTINs (any packaging level of an item)
    suppliers : supplier ids
    manufactured_from, manufactured_to : manufacture-date range, inclusive
    items : item ids
    serials_only : keep only the named serials instead of their whole lots
    """

    lots: tuple[str, ...] = ()
    serials: tuple[str, ...] = ()
    gtins: tuple[str, ...] = ()
    suppliers: tuple[str, ...] = ()
    manufactured_from: date | None = None
    manufactured_to: date | None = None
    items: tuple[str, ...] = ()
    serials_only: bool = field(default=False)

    def __post_init__(self) -> None:
        if self.is_empty:
            raise ValueError(
                "a recall needs at least one criterion: lots, serials, GTINs, suppliers, "
                "items or a manufacture-date range"
            )
        low, high = self.manufactured_from, self.manufactured_to
        if low is not None and high is not None and low > high:
            raise ValueError(f"manufacture-date range is empty: {low} is after {high}")
        if self.serials_only and not self.serials:
            raise ValueError("serials_only needs serial numbers")

    @property
    def is_empty(self) -> bool:
        """True when no criterion is set."""
        return not (
            self.lots
            or self.serials
            or self.gtins
            or self.suppliers
            or self.items
            or self.manufactured_from
            or self.manufactured_to
        )

    def describe(self) -> str:
        """One line naming the criteria, for messages and report titles."""
        parts = [
            f"{name} {', '.join(values)}"
            for name, values in (
                ("lot", self.lots),
                ("serial", self.serials),
                ("GTIN", self.gtins),
                ("supplier", self.suppliers),
                ("item", self.items),
            )
            if values
        ]
        if self.manufactured_from or self.manufactured_to:
            low = self.manufactured_from or "…"
            high = self.manufactured_to or "…"
            parts.append(f"manufactured {low} to {high}")
        return "; ".join(parts)


@dataclass(frozen=True)
class LotBalance:
    """Per lot: units not accounted for, and whether the trace is complete."""

    unaccounted: NDArray[np.float64]
    complete: NDArray[np.bool_]


def lot_balance(
    *,
    received: ArrayLike,
    adjusted_in: ArrayLike,
    returned_by_customers: ArrayLike,
    issued: ArrayLike,
    scrapped: ArrayLike,
    returned_to_supplier: ArrayLike,
    adjusted_out: ArrayLike,
    in_stock: ArrayLike,
    in_transit: ArrayLike,
    tolerance: float = 1e-6,
) -> LotBalance:
    """Balance of every lot [units] (equation in the module docstring)."""
    inflow = np.add.reduce(
        [np.asarray(a, np.float64) for a in (received, adjusted_in, returned_by_customers)]
    )
    outflow = np.add.reduce(
        [
            np.asarray(a, np.float64)
            for a in (issued, scrapped, returned_to_supplier, adjusted_out, in_stock, in_transit)
        ]
    )
    unaccounted = inflow - outflow
    return LotBalance(unaccounted, np.abs(unaccounted) <= tolerance)


def replenishment_need(
    quarantined: ArrayLike,
    inventory_position: ArrayLike,
    reorder_point: ArrayLike,
    order_up_to: ArrayLike,
) -> NDArray[np.float64]:
    """Order quantity per stock point after quarantining stock [units] (see module docstring)."""
    position = np.asarray(inventory_position, np.float64) - np.asarray(quarantined, np.float64)
    s = np.asarray(reorder_point, np.float64)
    big_s = np.asarray(order_up_to, np.float64)
    return np.where(position <= s, np.maximum(big_s - position, 0.0), 0.0)
