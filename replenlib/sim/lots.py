r"""Lots of expiring stock per simulated row, consumed first-expired-first-out (FEFO).

A lot received on day :math:`t` by a row with :math:`U` usable days expires on day
:math:`t + U` (written off at the start of that day, before its demand). Receipts of a row
are processed in day order, so its lots arrive in expiry order and FEFO is a queue: demand
always takes from the oldest lot still holding stock.

That makes consumption free. A row keeps the cumulative units :math:`R` received into its
lots and, for each lot :math:`k` in a ring of ``slots``, its cumulative end
:math:`E_k = \sum_{j \le k} q_j` and expiry. Units taken so far (served or written off) are
:math:`C = R - \text{on hand}`, so lot :math:`k` holds :math:`\min(q_k, (E_k - C)^+)` and is
exhausted when :math:`C \ge E_k`. Serving demand only lowers on hand; expiring the head lot
writes off :math:`(E_k - C)^+`; receiving drops exhausted head lots and appends a lot. When
a row already holds ``slots`` lots, the new lot merges into the newest one and keeps that
lot's (earlier) expiry — conservative; :attr:`LotStore.merges` counts it.

Every operation touches only the rows receiving or expiring today.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

EMPTY = 1e-9  #: quantities at or below this count as nothing [units]


class LotStore:
    """Lot rings of the expiring rows (mutable state of one simulation)."""

    def __init__(self, rows: NDArray[np.int64], usable_days: NDArray[np.float64], slots: int):
        n = len(rows)
        self.rows = rows  #: flat simulation row of each lot row (ascending)
        self.usable_days = usable_days  #: [days] per lot row
        self.slots = slots
        self.end = np.zeros((n, slots))  #: cumulative end :math:`E_k` of each lot [units]
        self.expiry = np.full((n, slots), np.inf)  #: expiry day of each lot
        self.head = np.zeros(n, dtype=np.int64)  #: ring position of the oldest lot
        self.count = np.zeros(n, dtype=np.int64)  #: lots held
        self.received = np.zeros(n)  #: :math:`R` [units]
        self.next_expiry = np.full(n, np.inf)  #: expiry of the oldest lot held
        self.merges = 0

    def insert(
        self,
        lot: NDArray[np.int64],
        qty: NDArray[np.float64],
        expiry: NDArray[np.float64],
        on_hand: NDArray[np.float64],
    ) -> None:
        """Append one lot to each (distinct) lot row; ``on_hand`` is before the receipt.

        ``qty`` and ``on_hand`` [units]; ``expiry`` is the expiry day [day index].
        """
        self._drop_exhausted(lot, self.received[lot] - on_hand)
        full = self.count[lot] == self.slots
        self.merges += int(full.sum())
        newest = (self.head[lot] + self.count[lot] - 1) % self.slots
        free = (self.head[lot] + self.count[lot]) % self.slots
        position = np.where(full, newest, free)
        self.received[lot] += qty
        self.end[lot, position] = self.received[lot]
        self.expiry[lot, position] = np.where(full, self.expiry[lot, position], expiry)
        self.count[lot] += ~full
        self.next_expiry[lot] = self.expiry[lot, self.head[lot]]

    def expire(
        self, day: int, on_hand: NDArray[np.float64]
    ) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        """Write off lots expiring on or before ``day``; return lot rows and units written off.

        ``on_hand`` is the on hand of every lot row [units] (``on_hand[lot]`` is read).
        """
        lot = np.flatnonzero(self.next_expiry <= day)
        written_off = np.zeros(len(lot))
        taken = self.received[lot] - on_hand[lot]
        active = np.ones(len(lot), dtype=bool)
        for _ in range(self.slots):
            rows = lot[active]
            head = self.head[rows]
            remaining = np.maximum(self.end[rows, head] - taken[active], 0.0)
            written_off[active] += remaining
            taken[active] += remaining
            self._pop(rows)
            active[active] = (self.count[rows] > 0) & (self.next_expiry[rows] <= day)
            if not active.any():
                break
        return lot, written_off

    def _drop_exhausted(self, lot: NDArray[np.int64], taken: NDArray[np.float64]) -> None:
        """Pop the head lots that consumption has used up (:math:`C \\ge E_k`)."""
        active = np.ones(len(lot), dtype=bool)
        for _ in range(self.slots):
            rows = lot[active]
            done = (self.count[rows] > 0) & (
                self.end[rows, self.head[rows]] <= taken[active] + EMPTY
            )
            if not done.any():
                break
            self._pop(rows[done])
            active[active] = done

    def _pop(self, rows: NDArray[np.int64]) -> None:
        """Remove the oldest lot of each of ``rows``."""
        self.expiry[rows, self.head[rows]] = np.inf
        self.head[rows] = (self.head[rows] + 1) % self.slots
        self.count[rows] -= 1
        self.next_expiry[rows] = np.where(
            self.count[rows] > 0, self.expiry[rows, self.head[rows]], np.inf
        )
