r"""What the simulator simulates: policies, supply, stocking rules and demand changes.

Every parameter is an array over **variants × items** (a 1-D array means one variant; a
scalar means every item). Variants are simulated side by side on the same random draws
(common random numbers): scenarios, points of a frontier, the arms of a tornado or a grid of
safety factors are variants. Policy levels may also vary over time in blocks of
``block_days`` (blocks × variants × items), for a replay that re-plans every few weeks.

Policies (reviewed every :math:`R` days at day offsets :math:`t \equiv o \pmod R`; the
inventory position :math:`IP` is on hand + on order − backorders):

=============================  =====================================================  ==========
:class:`PolicyKind`            order at a review                                      textbook
=============================  =====================================================  ==========
``REORDER_POINT_QUANTITY``     :math:`nQ` with the smallest :math:`n` making          (R, s, nQ)
                               :math:`IP + nQ > s`, when :math:`IP \le s`
``REORDER_POINT_ORDER_UP_TO``  :math:`S - IP` when :math:`IP \le s`                   (R, s, S)
``ORDER_UP_TO``                :math:`S - IP` when :math:`IP < S`                     (R, S)
=============================  =====================================================  ==========

An order is then raised to the MOQ and rounded up to the order multiple (supplier terms).

References
----------
Silver, Pyke & Thomas (2017), *Inventory and Production Management in Supply Chains*, 4th ed.,
sections 6.4–6.8 and 7.1 (the (s, Q), (R, S), (s, S) and (R, s, S) systems). CRC Press.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
from numpy.typing import ArrayLike, NDArray

from replenlib.sim.demand import BlockBootstrap, DemandModel, DemandPath
from replenlib.sim.supply import LeadTimeModel, SupplierFailures


class PolicyKind(StrEnum):
    """Replenishment rule (see the module docstring)."""

    REORDER_POINT_QUANTITY = "s_nQ"
    REORDER_POINT_ORDER_UP_TO = "s_S"
    ORDER_UP_TO = "R_S"


#: Integer code of each kind inside the engine.
KIND_CODES: dict[PolicyKind, int] = {kind: code for code, kind in enumerate(PolicyKind)}


def kind_codes(kind: PolicyKind | ArrayLike) -> NDArray[np.int8]:
    """Integer codes of an array (or scalar) of :class:`PolicyKind` values."""
    values = np.asarray(kind, dtype=object)
    codes = np.full(values.shape, -1, dtype=np.int8)
    for member, code in KIND_CODES.items():
        codes[values == member] = code
    if np.any(codes < 0):
        raise ValueError(f"unknown policy kind; expected one of {[k.value for k in PolicyKind]}")
    return codes


@dataclass(frozen=True)
class Policy:
    """Replenishment rule per variant × item (or blocks × variants × items for the levels).

    Attributes
    ----------
    kind : :class:`PolicyKind` (scalar or array)
    reorder_point : :math:`s` [units]
    order_quantity : :math:`Q` [units] (``REORDER_POINT_QUANTITY`` only)
    order_up_to : :math:`S` [units] (order-up-to kinds only)
    review_period : :math:`R` [days], whole days ≥ 1 (1 = every day)
    review_offset : first review day modulo :math:`R` [days]
    moq : minimum order quantity [units]
    order_multiple : orders are multiples of this [units]; 0 = no rounding
    max_order_quantity : the largest order the shelf life allows [units] (∞ = no cap; a level,
        so it may change in blocks); an order rounded up above it is rounded down within it
        when the MOQ allows
    block_days : the levels change every ``block_days`` days (0 = constant)
    """

    kind: PolicyKind | ArrayLike
    reorder_point: ArrayLike
    order_quantity: ArrayLike = 0.0
    order_up_to: ArrayLike = np.inf
    review_period: ArrayLike = 1
    review_offset: ArrayLike = 0
    moq: ArrayLike = 0.0
    order_multiple: ArrayLike = 0.0
    block_days: int = 0
    max_order_quantity: ArrayLike = np.inf


@dataclass(frozen=True)
class Supply:
    """Where each variant × item is replenished from and how deliveries behave.

    Attributes
    ----------
    source : row of the :class:`~replenlib.sim.supply.LeadTimeModel` (supplier or lane)
    lead_time_factor, lead_time_shift : :math:`L' = \\max(1, \\mathrm{round}(fL + Δ))`
        [-, days]
    sequential : deliveries arrive in order (no crossover)
    outage_start, outage_end : a fixed outage ``[start, end)`` of the source for this
        variant × item [day index]; −1 = none
    """

    source: ArrayLike = 0
    lead_time_factor: ArrayLike = 1.0
    lead_time_shift: ArrayLike = 0.0
    sequential: ArrayLike = False
    outage_start: ArrayLike = -1
    outage_end: ArrayLike = -1


@dataclass(frozen=True)
class Stocking:
    """How stock behaves per variant × item.

    Attributes
    ----------
    lost_sales : unmet demand is lost (True) or backordered (False)
    usable_days : days a received unit can be used before it must be written off; NaN =
        does not expire [days]
    initial_on_hand : stock on day 0 [units]; NaN = the order-up-to level
        (or :math:`s + Q`)
    """

    lost_sales: ArrayLike = False
    usable_days: ArrayLike = np.nan
    initial_on_hand: ArrayLike = np.nan


@dataclass(frozen=True)
class DemandChange:
    r"""Changes of demand per variant × item relative to the demand model.

    Each occurrence's size :math:`X` becomes
    :math:`\max(0,\ k(t)\,[m + v (X - m)])` with the level :math:`k(t) = k` (times
    ``shock_multiplier`` on days in ``[shock_start, shock_end)``), the variability factor
    :math:`v` and the item's mean size :math:`m`. Occurrences keep their days, so every
    variant keeps the same random draws.
    """

    multiplier: ArrayLike = 1.0
    variability: ArrayLike = 1.0
    shock_multiplier: ArrayLike = 1.0
    shock_start: ArrayLike = -1
    shock_end: ArrayLike = -1


@dataclass(frozen=True)
class InventorySystem:
    """Everything that defines the simulated system."""

    demand: DemandModel | DemandPath | BlockBootstrap
    lead_times: LeadTimeModel
    policy: Policy
    supply: Supply = field(default_factory=Supply)
    stocking: Stocking = field(default_factory=Stocking)
    change: DemandChange = field(default_factory=DemandChange)
    failures: SupplierFailures | None = None

    @property
    def n_items(self) -> int:
        """Number of items."""
        if isinstance(self.demand, DemandModel):
            return self.demand.n_items
        if isinstance(self.demand, BlockBootstrap):
            return len(self.demand.history)
        return int(self.demand.quantity.shape[0])


@dataclass(frozen=True)
class RunSettings:
    """How long and how often to simulate.

    Attributes
    ----------
    n_days : simulated days (horizon) [days]
    n_replications : independent replications (random streams)
    warmup_days : days simulated before any statistic is kept [days]
    lot_slots : lots tracked per expiring item and replication (the newest two merge,
        keeping the earlier expiry, when more arrive; see ``lot_merges`` in the result)
    trace : (variant, item, replication) triples whose daily stock is recorded
    """

    n_days: int
    n_replications: int
    warmup_days: int = 0
    lot_slots: int = 8
    trace: tuple[tuple[int, int, int], ...] = ()

    def __post_init__(self) -> None:
        if self.n_days <= self.warmup_days or self.warmup_days < 0:
            raise ValueError("need 0 <= warmup_days < n_days")
        if self.n_replications < 1 or self.lot_slots < 2:
            raise ValueError("need at least one replication and two lot slots")
