r"""Order proposals: compare each item-location's position with its policy.

The **inventory position** is usable on-hand stock plus stock on order (open purchase orders,
transfers in transit and proposals already made) minus backorders. An item-location needs an
order when its position is at or below the reorder point :math:`s`; the proposed quantity raises
the position to the order-up-to level :math:`S` and is then rounded up to the supplier's terms
(minimum order quantity, order multiple).

Urgency compares *days of cover* :math:`c = \text{on hand} / d` with the lead time :math:`L`:

* ``critical`` — :math:`c < L`: on-hand stock runs out before an order placed today arrives;
* ``high`` — the position is below the safety stock;
* ``normal`` — otherwise.

The urgency score is :math:`L / \max(c, 0.1)` [-]: above 1, a stockout is expected before
arrival; larger is more urgent.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from numpy.typing import NDArray

from replenlib.policy.order_sizing import round_within_cap


class Urgency(StrEnum):
    """How soon a proposal must be acted on."""

    CRITICAL = "critical"
    HIGH = "high"
    NORMAL = "normal"


@dataclass(frozen=True)
class ProposalDecision:
    """Per item-location: whether to order, how much, and how urgently."""

    needs_order: NDArray[np.bool_]
    quantity: NDArray[np.float64]  #: [units] 0 where no order
    days_of_cover: NDArray[np.float64]  #: [days] inf without demand
    urgency: NDArray[np.object_]  #: :class:`Urgency` value per row
    urgency_score: NDArray[np.float64]  #: [-] lead time / days of cover


def decide_orders(
    *,
    on_hand: NDArray[np.float64],
    inventory_position: NDArray[np.float64],
    reorder_point: NDArray[np.float64],
    order_up_to: NDArray[np.float64],
    safety_stock: NDArray[np.float64],
    demand_mean: NDArray[np.float64],
    lead_time_mean: NDArray[np.float64],
    moq: NDArray[np.float64],
    order_multiple: NDArray[np.float64],
    wanted_quantity: NDArray[np.float64] | None = None,
    max_quantity: NDArray[np.float64] | None = None,
) -> ProposalDecision:
    """Decide today's orders for every row (quantities [units], ``demand_mean`` [units/day],
    ``lead_time_mean`` [days]).

    ``wanted_quantity`` (the policy's own rule, e.g. n·Q for (s, Q)) replaces the shortfall
    to S when given; ``max_quantity`` caps the rounded order where the terms allow (shelf
    life: see :func:`replenlib.policy.order_sizing.round_within_cap`).
    """
    shortfall = order_up_to - inventory_position
    if wanted_quantity is not None:
        shortfall = wanted_quantity
    needs = (inventory_position <= reorder_point) & (shortfall > 0) & (demand_mean > 0)
    cap = np.full(len(shortfall), np.inf) if max_quantity is None else max_quantity
    rounded = round_within_cap(np.where(needs, shortfall, 0.0), moq, order_multiple, cap)
    quantity = np.where(needs, rounded.quantity, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        cover = np.where(demand_mean > 0, np.maximum(on_hand, 0.0) / demand_mean, np.inf)
    score = lead_time_mean / np.maximum(cover, 0.1)
    urgency = np.select(
        [cover < lead_time_mean, inventory_position < safety_stock],
        [Urgency.CRITICAL, Urgency.HIGH],
        default=Urgency.NORMAL,
    )
    return ProposalDecision(
        needs_order=needs,
        quantity=quantity,
        days_of_cover=cover,
        urgency=np.asarray(urgency, dtype=object),
        urgency_score=score,
    )
