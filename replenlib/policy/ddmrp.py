r"""Demand-driven (DDMRP) buffers as one more policy option, for a whole panel.

**Average daily usage** (ADU) [units/day] looks back (past), forward (forecast) or blends
both: :math:`\text{ADU} = w\,\text{ADU}_\text{past} + (1-w)\,\text{ADU}_\text{future}`.

**Zones** for a decoupled lead time DLT [days], lead-time factor LTF and variability factor
VF [-], minimum order quantity MOQ and desired order cycle DOC [days]:

.. math::

    \text{yellow} = \text{ADU}\cdot\text{DLT},\qquad
    \text{red} = \text{ADU}\cdot\text{DLT}\cdot\text{LTF}\,(1 + \text{VF}),\qquad
    \text{green} = \max(\text{ADU}\cdot\text{DLT}\cdot\text{LTF},\ \text{MOQ},\
    \text{ADU}\cdot\text{DOC}),

with top of red TOR = red, top of yellow TOY = TOR + yellow, top of green TOG = TOY + green.
Factors follow the DDI ranges: LTF 0.61–1.0 for short, 0.41–0.6 for medium and 0.2–0.4 for
long lead times; VF 0–0.4 for low, 0.41–0.6 for medium and 0.61–1.0 for high variability.

**Net flow position** NFP = on hand + on order − qualified demand, where qualified demand is
what is past due or due today plus *qualified order spikes*: orders due within the spike
horizon (default one DLT) at or above the spike threshold. An order is placed when
NFP ≤ TOY, for TOG − NFP (then rounded to the supplier's terms).

**Sparse demand.** The usual threshold (50 % of red) fails for intermittent items: their ADU
and red zone are small, so every ordinary order passes it. The threshold here is also never
below 1.5 times a high quantile (default 95 %) of the item's own non-zero daily demands in
history, so only orders well above what the item normally sees count as spikes.

References
----------
Ptak, C. & Smith, C. (2016). *Demand Driven Material Requirements Planning (DDMRP)*,
version 2. Industrial Press, chapters 7–9 (buffer zones, net flow equation, spikes).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]


def average_daily_usage(
    past_daily: ArrayLike, future_daily: ArrayLike, past_weight: ArrayLike = 0.5
) -> FloatArray:
    """Blended ADU [units/day] from rows × days of history and of forecast (NaN ignored).

    ``past_weight`` 1 gives past ADU, 0 future ADU; a row without forecast uses its past.
    """
    past = np.atleast_2d(np.asarray(past_daily, dtype=np.float64))
    future = np.atleast_2d(np.asarray(future_daily, dtype=np.float64))
    past_adu = _row_mean(past)
    future_adu = _row_mean(future)
    w = np.asarray(past_weight, dtype=np.float64)
    blended = w * past_adu + (1 - w) * np.where(np.isnan(future_adu), past_adu, future_adu)
    return np.asarray(np.nan_to_num(blended, nan=0.0), dtype=np.float64)


def _row_mean(values: FloatArray) -> FloatArray:
    count = np.sum(~np.isnan(values), axis=1)
    total = np.nansum(values, axis=1)
    return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def lead_time_factor(decoupled_lead_time: ArrayLike) -> FloatArray:
    """DDI lead-time factor [-] from the decoupled lead time [days]: 0.7 below 10 days, 0.5 up
    to 30 days, 0.3 beyond."""
    dlt = np.asarray(decoupled_lead_time, dtype=np.float64)
    return np.asarray(np.select([dlt < 10, dlt <= 30], [0.7, 0.5], 0.3), dtype=np.float64)


def variability_factor(coefficient_of_variation: ArrayLike) -> FloatArray:
    """DDI variability factor from the CV of daily demand: 0.3 low (< 0.5), 0.5, 0.8 high (> 1)."""
    cv = np.nan_to_num(np.asarray(coefficient_of_variation, dtype=np.float64), nan=1.0)
    return np.asarray(np.select([cv < 0.5, cv <= 1.0], [0.3, 0.5], 0.8), dtype=np.float64)


@dataclass(frozen=True)
class BufferZones:
    """Zone sizes and tops per row [units]."""

    red_base: FloatArray
    red_safety: FloatArray
    yellow: FloatArray
    green: FloatArray

    @property
    def red(self) -> FloatArray:
        """Red zone = red base + red safety."""
        return self.red_base + self.red_safety

    @property
    def top_of_red(self) -> FloatArray:
        """TOR [units]."""
        return self.red

    @property
    def top_of_yellow(self) -> FloatArray:
        """TOY [units]: the reorder level."""
        return self.red + self.yellow

    @property
    def top_of_green(self) -> FloatArray:
        """TOG [units]: the order-up-to level."""
        return self.red + self.yellow + self.green


def buffer_zones(
    adu: ArrayLike,
    decoupled_lead_time: ArrayLike,
    lead_time_factor: ArrayLike,
    variability_factor: ArrayLike,
    moq: ArrayLike = 0.0,
    order_cycle_days: ArrayLike = 0.0,
) -> BufferZones:
    """Red / yellow / green zones (module docstring) [units]."""
    a = np.asarray(adu, dtype=np.float64)
    usage = a * np.asarray(decoupled_lead_time, dtype=np.float64)
    base = usage * np.asarray(lead_time_factor, dtype=np.float64)
    green = np.maximum.reduce(
        [
            np.broadcast_to(base, a.shape),
            np.broadcast_to(np.asarray(moq, dtype=np.float64), a.shape),
            np.broadcast_to(a * np.asarray(order_cycle_days, dtype=np.float64), a.shape),
        ]
    )
    return BufferZones(
        red_base=np.asarray(base, dtype=np.float64),
        red_safety=np.asarray(base * np.asarray(variability_factor, dtype=np.float64)),
        yellow=np.asarray(usage, dtype=np.float64),
        green=np.asarray(green, dtype=np.float64),
    )


def spike_threshold(
    zones: BufferZones,
    history_daily: ArrayLike,
    *,
    red_fraction: float = 0.5,
    sparse_quantile: float = 0.95,
    sparse_multiple: float = 1.5,
) -> FloatArray:
    """Order spike threshold per row [units] with the sparse-demand rule (module docstring).

    ``history_daily`` is rows × days of demand; NaN and zero days are not orders.
    """
    history = np.atleast_2d(np.asarray(history_daily, dtype=np.float64))
    orders = np.where(history > 0, history, np.nan)
    has_orders = np.any(~np.isnan(orders), axis=1)
    safe = np.where(has_orders[:, None], orders, 0.0)
    typical = np.nanquantile(safe, sparse_quantile, axis=1)
    floor = sparse_multiple * np.where(has_orders, typical, 0.0)
    return np.asarray(np.maximum(red_fraction * zones.red, floor), dtype=np.float64)


def qualified_demand(
    open_orders_by_day: ArrayLike, threshold: ArrayLike, horizon_days: ArrayLike
) -> FloatArray:
    """Qualified demand per row [units]: day 0 (past due and today) plus spikes in the horizon.

    ``open_orders_by_day`` is rows × days ahead (day 0 = due today or earlier) of open
    customer-order quantities; a later day qualifies when its quantity reaches ``threshold``
    and it falls within ``horizon_days``.
    """
    orders = np.nan_to_num(np.atleast_2d(np.asarray(open_orders_by_day, dtype=np.float64)))
    day = np.arange(orders.shape[1])[None, :]
    horizon = np.asarray(horizon_days, dtype=np.float64).reshape(-1, 1)
    limit = np.asarray(threshold, dtype=np.float64).reshape(-1, 1)
    spike = (day > 0) & (day <= horizon) & (orders >= limit) & (orders > 0)
    return np.asarray(orders[:, 0] + np.where(spike, orders, 0.0).sum(axis=1), dtype=np.float64)


@dataclass(frozen=True)
class BufferDecision:
    """Today's DDMRP decision per row."""

    net_flow_position: FloatArray  #: [units]
    needs_order: NDArray[np.bool_]
    quantity: FloatArray  #: TOG − NFP before rounding to terms [units]
    buffer_status: FloatArray  #: NFP / TOG [fraction]; red below TOR/TOG


def buffer_decision(
    zones: BufferZones, on_hand: ArrayLike, on_order: ArrayLike, qualified: ArrayLike
) -> BufferDecision:
    """Net flow position, order signal (NFP ≤ TOY) and quantity TOG − NFP per row [units]."""
    nfp = (
        np.asarray(on_hand, dtype=np.float64)
        + np.asarray(on_order, dtype=np.float64)
        - np.asarray(qualified, dtype=np.float64)
    )
    tog = zones.top_of_green
    needs = (nfp <= zones.top_of_yellow) & (tog > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        status = np.where(tog > 0, nfp / tog, np.inf)
    return BufferDecision(nfp, needs, np.where(needs, tog - nfp, 0.0), status)


@dataclass(frozen=True)
class DDMRPPolicy:
    """DDMRP settings shared by a tier; ``parameters`` returns the zones for a panel."""

    past_weight: float = 0.5  #: ADU blend: 1 = past only, 0 = forecast only
    order_cycle_days: float = 7.0  #: desired order cycle [days]
    red_fraction: float = 0.5  #: spike threshold as a share of red
    sparse_quantile: float = 0.95  #: spike threshold floor: quantile of past order sizes

    def parameters(
        self,
        adu: ArrayLike,
        decoupled_lead_time: ArrayLike,
        daily_cv: ArrayLike,
        moq: ArrayLike = 0.0,
    ) -> BufferZones:
        """Zones [units] with DDI factors from lead time and demand variability.

        ``adu`` [units/day], ``decoupled_lead_time`` [days], ``daily_cv`` [-], ``moq`` [units].
        """
        return buffer_zones(
            adu,
            decoupled_lead_time,
            lead_time_factor(decoupled_lead_time),
            variability_factor(daily_cv),
            moq,
            self.order_cycle_days,
        )
