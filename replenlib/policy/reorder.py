r"""A reorder-point / order-up-to policy for a whole panel of item-locations.

Each item-location is reviewed every :math:`R` days (the nightly run gives :math:`R = 1`). At a
review, when the inventory position has fallen to the reorder point :math:`s` or below, an order
raises it to the order-up-to level :math:`S` — an :math:`(R, s, S)` policy with

.. math::

    s = d\,(L + R) + SS, \qquad S = s + Q,

where :math:`SS` is the cycle-service-level safety stock of :mod:`.safety_stock` and
:math:`Q` the EOQ (:mod:`.order_sizing`), capped by shelf life: an order should not exceed what
demand uses before the stock becomes unsellable,
:math:`Q \le d \cdot (\text{shelf life} - \text{minimum remaining shelf life} -
\text{age at receipt})`.

References
----------
Silver, Pyke & Thomas (2017), chapters 6–7 (the (R, s, S) system).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from replenlib.policy.order_sizing import economic_order_quantity, round_to_terms
from replenlib.policy.safety_stock import protection_demand, safety_stock_for_cycle_service_level

DAYS_PER_YEAR = 365.0


@dataclass(frozen=True)
class PolicyInputs:
    """Everything the policy needs per item-location; arrays of equal length.

    Attributes
    ----------
    demand_mean, demand_std : forecast daily demand and its error std [units/day]
    lead_time_mean, lead_time_std : replenishment lead time [days]
    review_period : time between reviews [days]
    cycle_service_level : target probability of no stockout per cycle [fraction]
    unit_cost : [CNY/unit]
    moq, order_multiple : supplier terms [units]
    usable_days : days a received unit can still be sold; NaN when it does not expire [days]
    """

    demand_mean: NDArray[np.float64]
    demand_std: NDArray[np.float64]
    lead_time_mean: NDArray[np.float64]
    lead_time_std: NDArray[np.float64]
    review_period: NDArray[np.float64]
    cycle_service_level: NDArray[np.float64]
    unit_cost: NDArray[np.float64]
    moq: NDArray[np.float64]
    order_multiple: NDArray[np.float64]
    usable_days: NDArray[np.float64]


@dataclass(frozen=True)
class PolicyParameters:
    """The planner's numbers per item-location [units]."""

    protection_mean: NDArray[np.float64]
    protection_std: NDArray[np.float64]
    safety_stock: NDArray[np.float64]
    reorder_point: NDArray[np.float64]
    order_quantity: NDArray[np.float64]
    order_up_to: NDArray[np.float64]


def reorder_point_parameters(
    inputs: PolicyInputs, *, ordering_cost: float, holding_rate: float
) -> PolicyParameters:
    """Safety stock, reorder point, order quantity and order-up-to level for every row.

    Parameters
    ----------
    inputs : per item-location inputs
    ordering_cost : fixed cost per order [CNY/order]
    holding_rate : annual holding cost as a share of unit cost [1/year]
    """
    protection = protection_demand(
        inputs.demand_mean,
        inputs.demand_std,
        inputs.lead_time_mean,
        inputs.lead_time_std,
        inputs.review_period,
    )
    safety = safety_stock_for_cycle_service_level(protection.std, inputs.cycle_service_level)
    reorder = protection.mean + safety
    holding = np.maximum(holding_rate * inputs.unit_cost, 1e-9)
    eoq = economic_order_quantity(
        ordering_cost, holding, inputs.demand_mean * DAYS_PER_YEAR
    ).quantity
    cap = np.where(
        np.isnan(inputs.usable_days),
        np.inf,
        inputs.demand_mean * np.maximum(inputs.usable_days, 0.0),
    )
    wanted = np.minimum(np.maximum(eoq, inputs.demand_mean * inputs.review_period), cap)
    quantity = round_to_terms(wanted, inputs.moq, inputs.order_multiple)
    return PolicyParameters(
        protection_mean=protection.mean,
        protection_std=protection.std,
        safety_stock=safety,
        reorder_point=reorder,
        order_quantity=quantity,
        order_up_to=reorder + quantity,
    )
