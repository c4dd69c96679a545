r"""Bills of material as arrays: low-level codes and the explosion of parent orders.

A BOM is a list of edges (parent :math:`p`, component :math:`c`, quantity per parent
:math:`a_{pc}`) over item codes :math:`0..n-1`. The **low-level code** of an item is the
deepest level at which it appears in any BOM (end items 0):

.. math:: \ell_c = \max_{p \to c} (\ell_p + 1), \qquad \ell = 0 \text{ without parents},

so MRP can net all items of level 0, explode their planned order releases into dependent
demand, then net level 1, and so on: every item is netted once, after all its parents.
The explosion of releases :math:`R` (items × periods) is :math:`D_c = \sum_p a_{pc} R_p`.

References
----------
Orlicky, J. (1975), *Material Requirements Planning*, McGraw-Hill, chapter 4 (low-level
coding); Vollmann, Berry, Whybark & Jacobs (2005), *Manufacturing Planning and Control for
Supply Chain Management*, 5th ed., chapter 6.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray


class BomCycleError(ValueError):
    """The BOM contains a cycle (an item is, directly or not, its own component)."""


@dataclass(frozen=True)
class Bom:
    """BOM edges over item codes ``0..n_items-1``; ``quantity_per`` in component units per
    parent unit."""

    parent: NDArray[np.int64]
    component: NDArray[np.int64]
    quantity_per: NDArray[np.float64]
    n_items: int

    def __post_init__(self) -> None:
        if np.any(np.asarray(self.quantity_per) <= 0):
            raise ValueError("BOM quantity_per must be > 0 [component units per parent unit]")
        if np.any(np.asarray(self.parent) == np.asarray(self.component)):
            raise BomCycleError("an item is listed as its own component in the BOM")

    @classmethod
    def empty(cls, n_items: int) -> Bom:
        """A BOM without edges (every item is an end item)."""
        none = np.zeros(0, dtype=np.int64)
        return cls(none, none, np.zeros(0), n_items)


def low_level_codes(bom: Bom) -> NDArray[np.int64]:
    """Low-level code per item (see the module docstring); raises :class:`BomCycleError`."""
    level = np.zeros(bom.n_items, dtype=np.int64)
    for _ in range(bom.n_items + 1):
        wanted = np.zeros(bom.n_items, dtype=np.int64)
        np.maximum.at(wanted, bom.component, level[bom.parent] + 1)
        new = np.maximum(level, wanted)
        if np.array_equal(new, level):
            return level
        level = new
    raise BomCycleError("the BOM contains a cycle: low-level codes do not settle")


def explode(bom: Bom, releases: NDArray[np.float64]) -> NDArray[np.float64]:
    """Dependent demand per item and period from parents' planned releases [units].

    ``releases`` is items × periods; the result has the same shape.
    """
    dependent = np.zeros_like(releases, dtype=np.float64)
    np.add.at(dependent, bom.component, bom.quantity_per[:, None] * releases[bom.parent])
    return dependent
