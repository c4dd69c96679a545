r"""Safety stock and reorder point under demand and lead-time uncertainty (normal model).

With i.i.d. daily demand of mean :math:`d` and standard deviation :math:`\sigma_d`
[units/day], a lead time of mean :math:`L` and standard deviation :math:`\sigma_L` [days], and
a review period :math:`R` [days] (0 for continuous review), demand over the protection interval
:math:`L + R` has

.. math::

    \mu = d\,(L + R), \qquad \sigma^2 = (L + R)\,\sigma_d^2 + d^2\,\sigma_L^2 .

For a **cycle service level** target :math:`P_1` (probability of no stockout in a replenishment
cycle) the safety stock is :math:`SS = z\,\sigma` with :math:`z = \Phi^{-1}(P_1)`, and the
reorder point (or order-up-to level for periodic review) is :math:`\mu + SS`.

This is the cycle-service-level model only; fill-rate targets use the loss function and live
beside it (never silently swapped for one another).

References
----------
Silver, E. A., Pyke, D. F. & Thomas, D. J. (2017). *Inventory and Production Management in
Supply Chains*, 4th ed., chapter 6 (safety stock with lead-time variability). CRC Press.
Chopra, S. & Meindl, P. *Supply Chain Management: Strategy, Planning, and Operation*, chapter
"Managing Uncertainty in a Supply Chain: Safety Inventory" (lead-time uncertainty example).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import ndtri


@dataclass(frozen=True)
class ProtectionDemand:
    """Mean and standard deviation of demand over lead time plus review period [units]."""

    mean: NDArray[np.float64]
    std: NDArray[np.float64]


def protection_demand(
    demand_mean: ArrayLike,
    demand_std: ArrayLike,
    lead_time_mean: ArrayLike,
    lead_time_std: ArrayLike,
    review_period: ArrayLike = 0.0,
) -> ProtectionDemand:
    """Moments of demand over the protection interval :math:`L + R`.

    Parameters
    ----------
    demand_mean : mean demand [units/day]
    demand_std : standard deviation of daily demand [units/day]
    lead_time_mean : mean lead time [days]
    lead_time_std : standard deviation of the lead time [days]
    review_period : review period [days]; 0 for continuous review
    """
    d = np.asarray(demand_mean, dtype=np.float64)
    sd = np.asarray(demand_std, dtype=np.float64)
    exposure = np.asarray(lead_time_mean, dtype=np.float64) + np.asarray(
        review_period, dtype=np.float64
    )
    sl = np.asarray(lead_time_std, dtype=np.float64)
    if np.any(exposure < 0) or np.any(sd < 0) or np.any(sl < 0) or np.any(d < 0):
        raise ValueError("demand, its standard deviation and lead times must be non-negative")
    variance = exposure * sd**2 + d**2 * sl**2
    return ProtectionDemand(mean=d * exposure, std=np.sqrt(variance))


def safety_factor(cycle_service_level: ArrayLike) -> NDArray[np.float64]:
    """Standard normal quantile :math:`z = \\Phi^{-1}(P_1)` for a cycle service level in (0, 1)."""
    p = np.asarray(cycle_service_level, dtype=np.float64)
    if np.any((p <= 0) | (p >= 1)):
        raise ValueError("a cycle service level must lie strictly between 0 and 1")
    return np.asarray(ndtri(p), dtype=np.float64)


def safety_stock_for_cycle_service_level(
    protection_std: ArrayLike, cycle_service_level: ArrayLike
) -> NDArray[np.float64]:
    """Safety stock :math:`z\\,\\sigma` [units] for a cycle service level target (normal demand)."""
    return safety_factor(cycle_service_level) * np.asarray(protection_std, dtype=np.float64)
