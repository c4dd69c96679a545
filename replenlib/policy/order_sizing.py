r"""Order sizing: the economic order quantity and rounding to supplier terms.

The EOQ balances a fixed cost per order :math:`K` [CNY/order] against a holding cost
:math:`h` [CNY/unit/year] for a demand rate :math:`\lambda` [units/year]:

.. math::

    Q^* = \sqrt{\frac{2 K \lambda}{h}}, \qquad g(Q^*) = \sqrt{2 K h \lambda}\ \text{[CNY/year]}.

References
----------
Snyder, L. V. & Shen, Z.-J. M. (2019). *Fundamentals of Supply Chain Theory*, 2nd ed.,
section 3.2 (the EOQ model). Wiley.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray


@dataclass(frozen=True)
class EconomicOrderQuantity:
    """EOQ and its annual cost; arrays broadcast from the inputs."""

    quantity: NDArray[np.float64]  #: [units]
    annual_cost: NDArray[np.float64]  #: ordering + holding [CNY/year]


def economic_order_quantity(
    fixed_cost: ArrayLike, holding_cost: ArrayLike, demand_rate: ArrayLike
) -> EconomicOrderQuantity:
    """EOQ for fixed cost [CNY/order], holding cost [CNY/unit/year], demand [units/year]."""
    k = np.asarray(fixed_cost, dtype=np.float64)
    h = np.asarray(holding_cost, dtype=np.float64)
    lam = np.asarray(demand_rate, dtype=np.float64)
    if np.any(k < 0) or np.any(h <= 0) or np.any(lam < 0):
        raise ValueError("need fixed_cost >= 0, holding_cost > 0 and demand_rate >= 0")
    return EconomicOrderQuantity(
        quantity=np.sqrt(2 * k * lam / h), annual_cost=np.sqrt(2 * k * h * lam)
    )


def round_to_terms(
    quantity: ArrayLike, moq: ArrayLike, order_multiple: ArrayLike
) -> NDArray[np.float64]:
    """Round a wanted quantity up to the supplier's terms.

    The result is the smallest multiple of ``order_multiple`` that is at least both
    ``quantity`` and ``moq``; zero stays zero (no order). Units throughout: base units.
    """
    q = np.asarray(quantity, dtype=np.float64)
    minimum = np.asarray(moq, dtype=np.float64)
    multiple = np.maximum(np.asarray(order_multiple, dtype=np.float64), 1e-12)
    wanted = np.maximum(q, minimum)
    rounded = np.ceil(np.round(wanted / multiple, 9)) * multiple
    return np.where(q > 0, rounded, 0.0)
