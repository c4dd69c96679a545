r"""Transfers of idle stock between locations, proposed before any purchase.

A location's **surplus** of an item is stock it will not need before its next order: the part
of its inventory position above the order-up-to level :math:`S`, limited to what is physically
on hand (and not already promised to another transfer):

.. math:: u_j = \min\bigl(I_j - o_j,\ \max(IP_j - S_j, 0)\bigr)^+ .

A location that needs an order has a shortfall :math:`n_i = S_i - IP_i`. For each item, needs
are served in order of urgency from the largest surpluses first: the item's needs and
surpluses are laid end to end on two number lines, and receiver :math:`i` gets from donor
:math:`j` the overlap of their intervals,

.. math:: x_{ij} = \bigl|[N_{i-1}, N_i) \cap [U_{j-1}, U_j)\bigr|,

with :math:`N, U` the cumulative needs and surpluses. This greedy matching moves
:math:`\min(\sum n, \sum u)` units with at most (receivers + donors − 1) shipments per item.
The computation merges all interval end points of all items at once (no loop over items).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True)
class TransferPlan:
    """One row per proposed transfer: receiving row, donor row, quantity [units]."""

    receiver: NDArray[np.int64]
    donor: NDArray[np.int64]
    quantity: NDArray[np.float64]

    def received(self, n_series: int) -> NDArray[np.float64]:
        """Total transferred in, per series row [units]."""
        return np.bincount(self.receiver, weights=self.quantity, minlength=n_series).astype(
            np.float64
        )

    def shipped(self, n_series: int) -> NDArray[np.float64]:
        """Total transferred out, per series row [units]."""
        return np.bincount(self.donor, weights=self.quantity, minlength=n_series).astype(np.float64)


def surplus_stock(
    on_hand: NDArray[np.float64],
    inventory_position: NDArray[np.float64],
    order_up_to: NDArray[np.float64],
    committed_out: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Whole units of idle stock per item-location (see the module docstring) [units]."""
    above = np.maximum(inventory_position - order_up_to, 0.0)
    return np.floor(np.maximum(np.minimum(on_hand - committed_out, above), 0.0) + 1e-9)


def match_transfers(
    item_code: NDArray[np.int64],
    need: NDArray[np.float64],
    surplus: NDArray[np.float64],
    priority: NDArray[np.float64],
    min_quantity: float = 1.0,
) -> TransferPlan:
    """Match needs to surpluses of the same item (greedy, see the module docstring).

    Parameters
    ----------
    item_code : integer code of each row's item, shape (n,)
    need : whole units wanted per row (0 where none) [units]
    surplus : whole units idle per row (0 where none) [units]
    priority : urgency of each need; higher is served first [-]
    min_quantity : transfers below this are dropped [units]
    """
    need = np.floor(np.maximum(need, 0.0) + 1e-9)
    surplus = np.floor(np.maximum(surplus, 0.0) + 1e-9)
    recv = np.flatnonzero(need > 0)
    recv = recv[np.lexsort((-priority[recv], item_code[recv]))]
    dono = np.flatnonzero(surplus > 0)
    dono = dono[np.lexsort((-surplus[dono], item_code[dono]))]
    if len(recv) == 0 or len(dono) == 0:
        return _empty()
    recv_end = _item_cumsum(item_code[recv], need[recv])
    dono_end = _item_cumsum(item_code[dono], surplus[dono])
    base = _item_base(item_code, need, surplus)
    recv_end_g, dono_end_g = recv_end + base[item_code[recv]], dono_end + base[item_code[dono]]
    points = np.unique(np.concatenate([base, recv_end_g, dono_end_g]))
    lo, hi = points[:-1], points[1:]
    mid = (lo + hi) / 2
    r = np.searchsorted(recv_end_g, mid, side="right")
    d = np.searchsorted(dono_end_g, mid, side="right")
    ok = (r < len(recv)) & (d < len(dono))
    r, d, length = r[ok], d[ok], (hi - lo)[ok]
    inside = (
        (item_code[recv[r]] == item_code[dono[d]])
        & (mid[ok] >= recv_end_g[r] - need[recv[r]])
        & (mid[ok] >= dono_end_g[d] - surplus[dono[d]])
    )
    receiver, donor, quantity = _merge_pairs(recv[r[inside]], dono[d[inside]], length[inside])
    keep = quantity >= min_quantity
    return TransferPlan(receiver[keep], donor[keep], quantity[keep])


def _item_cumsum(codes: NDArray[np.int64], values: NDArray[np.float64]) -> NDArray[np.float64]:
    """Cumulative sum restarting at each new item (``codes`` sorted)."""
    total = np.cumsum(values)
    start = np.r_[True, codes[1:] != codes[:-1]]
    offset = np.maximum.accumulate(np.where(start, total - values, 0.0))
    return np.asarray(total - offset, dtype=np.float64)


def _item_base(
    item_code: NDArray[np.int64], need: NDArray[np.float64], surplus: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Start of each item's stretch on the global number line (item stretches never overlap)."""
    n_items = int(item_code.max()) + 1
    width = np.maximum(
        np.bincount(item_code, weights=need, minlength=n_items),
        np.bincount(item_code, weights=surplus, minlength=n_items),
    )
    return np.concatenate([[0.0], np.cumsum(width + 1.0)[:-1]])


def _merge_pairs(
    receiver: NDArray[np.int64], donor: NDArray[np.int64], quantity: NDArray[np.float64]
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
    """Sum the segment lengths of each (receiver, donor) pair."""
    if len(receiver) == 0:
        return receiver, donor, quantity
    pairs, inverse = np.unique(np.column_stack([receiver, donor]), axis=0, return_inverse=True)
    totals = np.bincount(inverse.ravel(), weights=quantity, minlength=len(pairs))
    return pairs[:, 0].astype(np.int64), pairs[:, 1].astype(np.int64), totals.astype(np.float64)


def _empty() -> TransferPlan:
    return TransferPlan(
        np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    )
