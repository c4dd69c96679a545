r"""Dependent demand in a distribution network: what a parent stock point must cover.

An item is stocked at a tree of stock points — a central warehouse replenishes regional
distribution centres, which replenish hospitals — and every stock point also serves its own
customers. ``parent[i]`` is the row of the stock point that replenishes row :math:`i` (the
same item at its source location), :math:`-1` for one bought from suppliers. The demand a
stock point must cover is its own customers' demand plus the replenishment demand of the stock
points it supplies, which in turn is *their* covered demand — the **echelon demand**

.. math::

    D_e(i) = d(i) + \sum_{j:\,p(j) = i} D_e(j)
           = \sum_{j \in \mathcal{T}(i)} d(j),

the sum over the subtree :math:`\mathcal{T}(i)` of :math:`i` (Clark & Scarf 1960). This module
is the single definition used by the nightly run (forecast rate, lead-time demand and policy
of a parent, :meth:`replenlib.demand.panel.DemandPlan.lead_time_demand`), by the simulation
(the daily demand a parent faces) and by the expiry risk of parent stock.

**Forecasts roll up the tree** as in distribution requirements planning (DRP): a parent's
forecast path is the sum of the forecast paths of its subtree. Forecast errors of different
customers' demand are taken as independent, so variances add:
:math:`\sigma^2_{e}(i) = \sum_{j \in \mathcal{T}(i)} \sigma^2(j)`. The lead-time demand of a
parent (:func:`subtree_pairs` gives the pairs) adds, for each member :math:`j` of its subtree,
the error variance of :math:`j`'s cumulative forecast over the *parent's* protection interval
:math:`L_i + R_i`, and the lead-time variance term :math:`\bar d_e^{\,2}\sigma_{L_i}^2` uses the
echelon rate.

Simplification (single-echelon view): a parent sees its subtree's demand as it arises, not
lumped into the children's orders, and its lead time does not grow when it is itself short.
This sizes each stock point on the demand that flows through it; the batching of the
children's orders (which adds variance at the parent) and stock-out delays are not modelled.

References
----------
Clark, A. J. & Scarf, H. (1960). Optimal policies for a multi-echelon inventory problem.
*Management Science* 6(4), 475–490 (echelon stock and echelon demand).
Silver, E. A., Pyke, D. F. & Thomas, D. J. (2017). *Inventory and Production Management in
Supply Chains*, 4th ed., CRC Press — multiechelon inventory management: echelon stock and
distribution requirements planning (DRP).
Axsäter, S. (2015). *Inventory Control*, 3rd ed., Springer — multi-echelon systems:
decomposition of distribution systems into single-echelon problems.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

#: Longest replenishment chain followed; a longer one is taken for a cycle.
MAX_DEPTH = 16


def echelon_demand(
    own: ArrayLike, parent: ArrayLike, max_depth: int = MAX_DEPTH
) -> NDArray[np.float64]:
    r"""Own demand plus everything downstream, :math:`D_e(i) = \sum_{j \in \mathcal{T}(i)} d(j)`.

    Parameters
    ----------
    own : (rows, ...) per stock point its own customers' demand — a rate, a forecast path
        (rows × periods), a history (rows × days) or a variance of independent parts [units]
    parent : (rows,) the row that replenishes each row, or -1
    max_depth : longest chain followed; a longer one (a cycle) raises ``ValueError``
    """
    demand = np.asarray(own, dtype=np.float64)
    up = np.asarray(parent, dtype=np.int64)
    total = demand.copy()
    node = up.copy()
    for _ in range(max_depth):  # one pass per echelon, not per stock point
        live = np.flatnonzero(node >= 0)
        if live.size == 0:
            return total
        np.add.at(total, node[live], demand[live])
        node = np.where(node >= 0, up[np.maximum(node, 0)], -1)
    raise ValueError(f"replenishment chains longer than {max_depth} (a cycle?)")


def has_children(parent: ArrayLike, n_rows: int | None = None) -> NDArray[np.bool_]:
    """(rows,) True for the stock points that replenish at least one other."""
    up = np.asarray(parent, dtype=np.int64)
    count = np.bincount(up[up >= 0], minlength=len(up) if n_rows is None else n_rows)
    return np.asarray(count > 0, dtype=bool)


class SubtreePairs(NamedTuple):
    """Every (member, ancestor) pair at one distance: ``member`` rows lie ``distance`` steps
    below their ``ancestor`` rows (distance 0: each row with itself)."""

    distance: int
    member: NDArray[np.int64]
    ancestor: NDArray[np.int64]


def subtree_pairs(parent: ArrayLike, max_depth: int = MAX_DEPTH) -> list[SubtreePairs]:
    """The (member, ancestor) pairs of every subtree, grouped by distance, self pairs first."""
    up = np.asarray(parent, dtype=np.int64)
    rows = np.arange(len(up), dtype=np.int64)
    pairs = [SubtreePairs(0, rows, rows)]
    node = up.copy()
    for distance in range(1, max_depth + 1):
        live = np.flatnonzero(node >= 0)
        if live.size == 0:
            return pairs
        pairs.append(SubtreePairs(distance, live, node[live]))
        node = np.where(node >= 0, up[np.maximum(node, 0)], -1)
    raise ValueError(f"replenishment chains longer than {max_depth} (a cycle?)")
