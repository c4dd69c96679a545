"""The names every policy output carries: which policy, and which service measure it met.

Cycle service level and fill rate are different numbers for the same stock: a 95 % cycle
service level (no stockout in 95 % of replenishment cycles) usually gives a fill rate above
99 %, and a 95 % fill rate can go with a cycle service level near 50 %. Every output of this
package therefore names the measure it was computed for; nothing swaps one for the other.
"""

from __future__ import annotations

from enum import StrEnum


class ServiceMeasure(StrEnum):
    """How a rule states its service target."""

    #: P(no stockout in a replenishment cycle) [fraction]
    CYCLE_SERVICE_LEVEL = "cycle_service_level"
    #: share of demand served from stock on hand [fraction]
    FILL_RATE = "fill_rate"
    #: no service target: the levels cover expected demand only (run-down, no safety stock)
    EXPECTED_DEMAND = "expected_demand"
    #: min and max stated in days of supply (hospital / public-health min–max)
    DAYS_OF_SUPPLY = "days_of_supply"
    #: DDMRP red / yellow / green buffer zones
    DDMRP_BUFFER = "ddmrp_buffer"

    @property
    def is_probability(self) -> bool:
        """True for the two measures whose target is a probability in (0, 1)."""
        return self in (ServiceMeasure.CYCLE_SERVICE_LEVEL, ServiceMeasure.FILL_RATE)


class PolicyType(StrEnum):
    """Replenishment policy of an item-location.

    ``s_Q`` and ``s_S`` are continuous-review policies when their review period is 0; with a
    review period of R days they are reviewed every R days (the nightly run reviews daily).
    """

    #: reorder point s, fixed order quantity Q (orders n·Q to get above s)
    S_Q = "s_Q"
    #: reorder point s, order-up-to level S (min–max in ERP terms)
    S_S = "s_S"
    #: order up to S at every review (periodic review, base stock)
    R_S = "R_S"
    #: periodic review with reorder point s and order-up-to level S
    R_S_S = "R_s_S"
    #: demand-driven buffers (red / yellow / green zones, net flow position)
    DDMRP = "ddmrp"
    #: min–max in days (or months) of supply
    MIN_MAX = "min_max"

    @property
    def is_periodic(self) -> bool:
        """True for the policies that need a review period > 0."""
        return self in (PolicyType.R_S, PolicyType.R_S_S)

    @property
    def uses_service_target(self) -> bool:
        """True for the policies whose levels come from a service target."""
        return self in (PolicyType.S_Q, PolicyType.S_S, PolicyType.R_S, PolicyType.R_S_S)
