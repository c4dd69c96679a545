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
    ``quantity`` and ``moq``; zero stays zero (no order). All in base units [units].
    """
    q = np.asarray(quantity, dtype=np.float64)
    minimum = np.asarray(moq, dtype=np.float64)
    multiple = np.maximum(np.asarray(order_multiple, dtype=np.float64), 1e-12)
    wanted = np.maximum(q, minimum)
    rounded = np.ceil(np.round(wanted / multiple, 9)) * multiple
    return np.where(q > 0, rounded, 0.0)


@dataclass(frozen=True)
class BackorderEOQ:
    """EOQ with planned backorders; arrays broadcast from the inputs."""

    quantity: NDArray[np.float64]  #: [units]
    stockout_fraction: NDArray[np.float64]  #: share of the cycle spent in backorder [-]
    annual_cost: NDArray[np.float64]  #: [CNY/year]


def eoq_with_backorders(
    fixed_cost: ArrayLike, holding_cost: ArrayLike, stockout_cost: ArrayLike, demand_rate: ArrayLike
) -> BackorderEOQ:
    r"""EOQ when demand may be backordered at :math:`p` [CNY/unit/year] (Snyder & Shen §3.5).

    .. math::

        Q^* = \sqrt{\frac{2K\lambda(h+p)}{hp}},\quad x^* = \frac{h}{h+p},\quad
        g^* = \sqrt{\frac{2K\lambda hp}{h+p}}
    """
    k, h, p, lam = (
        np.asarray(a, dtype=np.float64)
        for a in (fixed_cost, holding_cost, stockout_cost, demand_rate)
    )
    if np.any(h <= 0) or np.any(p <= 0) or np.any(k < 0) or np.any(lam < 0):
        raise ValueError("need fixed_cost >= 0, holding and stockout cost > 0, demand_rate >= 0")
    return BackorderEOQ(
        quantity=np.sqrt(2 * k * lam * (h + p) / (h * p)),
        stockout_fraction=h / (h + p),
        annual_cost=np.sqrt(2 * k * lam * h * p / (h + p)),
    )


def economic_production_quantity(
    fixed_cost: ArrayLike,
    holding_cost: ArrayLike,
    demand_rate: ArrayLike,
    production_rate: ArrayLike,
) -> EconomicOrderQuantity:
    r"""EPQ for a finite replenishment rate :math:`\mu > \lambda` [units/year] (Snyder & Shen §3.6).

    .. math:: Q^* = \sqrt{\frac{2K\lambda}{h(1-\rho)}},\quad g^* = \sqrt{2K\lambda h(1-\rho)},
        \quad \rho = \lambda/\mu
    """
    lam = np.asarray(demand_rate, dtype=np.float64)
    rho = lam / np.asarray(production_rate, dtype=np.float64)
    if np.any(rho >= 1) or np.any(rho < 0):
        raise ValueError("need 0 <= demand_rate < production_rate")
    effective = np.asarray(holding_cost, dtype=np.float64) * (1 - rho)
    return economic_order_quantity(fixed_cost, effective, lam)


@dataclass(frozen=True)
class DiscountedOrder:
    """Best all-units-discount order per row."""

    quantity: NDArray[np.float64]  #: [units]
    unit_price: NDArray[np.float64]  #: price paid at that quantity [CNY/unit]
    annual_cost: NDArray[np.float64]  #: purchase + ordering + holding [CNY/year]


def eoq_all_units_discount(
    fixed_cost: ArrayLike,
    holding_rate: ArrayLike,
    demand_rate: ArrayLike,
    break_quantities: ArrayLike,
    unit_prices: ArrayLike,
) -> DiscountedOrder:
    r"""Order quantity under all-units quantity discounts, for every row at once.

    Price tier :math:`j` charges :math:`c_j` for every unit when :math:`Q \ge b_j`. For each
    tier the cost-minimising feasible quantity is
    :math:`Q_j = \min(\max(\sqrt{2K\lambda/(i c_j)}, b_j), b_{j+1})` and the total annual cost
    :math:`c_j\lambda + K\lambda/Q_j + i c_j Q_j/2`; the cheapest tier wins (Silver, Pyke &
    Thomas 2017, §5.5; Chopra & Meindl, "all unit quantity discounts").

    Parameters
    ----------
    fixed_cost : [CNY/order]
    holding_rate : annual holding cost as a share of the unit price :math:`i` [1/year]
    demand_rate : [units/year]
    break_quantities, unit_prices : rows × tiers, tiers in increasing quantity with the first
        break at 0; unused tiers padded with NaN [units], [CNY/unit]
    """
    b = np.atleast_2d(np.asarray(break_quantities, dtype=np.float64))
    c = np.atleast_2d(np.asarray(unit_prices, dtype=np.float64))
    k = np.asarray(fixed_cost, dtype=np.float64)[..., None]
    i = np.asarray(holding_rate, dtype=np.float64)[..., None]
    lam = np.asarray(demand_rate, dtype=np.float64)[..., None]
    if b.shape != c.shape:
        raise ValueError("break_quantities and unit_prices need the same rows × tiers shape")
    upper = np.concatenate([b[:, 1:], np.full((b.shape[0], 1), np.inf)], axis=1)
    upper = np.where(np.isnan(upper), np.inf, upper)
    valid = ~np.isnan(b) & ~np.isnan(c)
    price = np.where(valid, c, 1.0)
    eoq = np.sqrt(2 * k * lam / (i * price))
    q = np.minimum(np.maximum(eoq, np.where(valid, b, 0.0)), upper)
    q = np.maximum(q, 1e-9)
    cost = price * lam + k * lam / q + i * price * q / 2
    cost = np.where(valid, cost, np.inf)
    best = np.argmin(cost, axis=1)
    rows = np.arange(b.shape[0])
    return DiscountedOrder(q[rows, best], price[rows, best], cost[rows, best])


@dataclass(frozen=True)
class TermsOrder:
    """An order quantity rounded to supplier terms within an expiry cap."""

    quantity: NDArray[np.float64]  #: [units]
    exceeds_cap: NDArray[np.bool_]  #: the terms force an order above the cap


def round_within_cap(
    quantity: ArrayLike, moq: ArrayLike, order_multiple: ArrayLike, cap: ArrayLike
) -> TermsOrder:
    """Round up to the terms unless that passes ``cap``; then round down, if the terms allow.

    The result is the smallest multiple of ``order_multiple`` that is at least ``quantity`` and
    ``moq``; when that exceeds ``cap`` [units] (what demand uses before expiry), the largest
    multiple that is at most ``cap`` and at least ``moq``. If no multiple fits, the smallest
    one is kept and flagged (the terms force a write-off). Zero stays zero.
    """
    q = np.asarray(quantity, dtype=np.float64)
    up = round_to_terms(q, moq, order_multiple)
    limit = np.broadcast_to(np.asarray(cap, dtype=np.float64), up.shape)
    multiple = np.maximum(np.asarray(order_multiple, dtype=np.float64), 1e-12)
    down = np.floor(np.round(np.where(np.isfinite(limit), limit, 0.0) / multiple, 9)) * multiple
    fits_down = (down >= np.asarray(moq, dtype=np.float64)) & (down > 0)
    over = up > limit + 1e-9
    result = np.where(over & fits_down, down, up)
    return TermsOrder(quantity=result, exceeds_cap=over & ~fits_down & (q > 0))


@dataclass(frozen=True)
class MinimumOrderValueResult:
    """Order lines after topping each supplier up to its minimum order value."""

    quantity: NDArray[np.float64]  #: [units]
    below_minimum: NDArray[np.bool_]  #: the supplier's order is still below its minimum


def top_up_to_minimum_order_value(
    quantity: ArrayLike,
    unit_price: ArrayLike,
    supplier: ArrayLike,
    minimum_order_value: ArrayLike,
    moq: ArrayLike,
    order_multiple: ArrayLike,
    cap: ArrayLike,
) -> MinimumOrderValueResult:
    r"""Raise a supplier's order lines proportionally until their value reaches the minimum.

    Lines are grouped by ``supplier`` (integer codes); a supplier whose lines are worth
    :math:`V < V_\min` [CNY] has every line scaled by :math:`V_\min / V`, rounded up to its
    terms and held under its expiry ``cap`` [units]. Suppliers that still fall short (caps)
    are flagged. ``minimum_order_value`` is per line (the supplier's value, repeated).
    """
    q = np.asarray(quantity, dtype=np.float64)
    price = np.asarray(unit_price, dtype=np.float64)
    code = np.asarray(supplier, dtype=np.int64)
    minimum = np.asarray(minimum_order_value, dtype=np.float64)
    value = np.bincount(code, weights=q * price, minlength=code.max(initial=-1) + 1)
    line_value = value[code]
    short = (q > 0) & (line_value > 0) & (line_value < minimum)
    factor = np.where(short, minimum / np.where(line_value > 0, line_value, 1.0), 1.0)
    raised = round_within_cap(q * factor, moq, order_multiple, np.maximum(cap, q))
    new_q = np.where(short, np.maximum(raised.quantity, q), q)
    new_value = np.bincount(code, weights=new_q * price, minlength=len(value))[code]
    return MinimumOrderValueResult(new_q, (new_q > 0) & (new_value < minimum - 1e-6))
