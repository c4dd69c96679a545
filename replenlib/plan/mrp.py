r"""Time-phased netting (MRP) over monthly buckets, with lead-time offsetting and the BOM.

For an item in period :math:`t` with gross requirements :math:`G_t` (independent forecast and
known demand plus dependent demand from parents), scheduled receipts :math:`SR_t` (open orders,
open proposals), safety stock :math:`SS` and projected available balance :math:`PAB`:

.. math::

    A_t &= PAB_{t-1} + SR_t - G_t, \qquad PAB_{-1} = \text{on hand},\\
    NR_t &= \max(SS - A_t,\ 0), \\
    POR_t &= \lceil NR_t \rceil_{\text{terms}} \quad (\text{lot-for-lot rounded to MOQ and
    multiple}), \\
    PAB_t &= A_t + POR_t, \\
    PORel_{t - L} &\mathrel{+}= POR_t ,

with :math:`L` the lead time in whole periods. A release that falls before the first period
is *past due*: it is shown in period 0 and counted in ``past_due``. Items are netted level by
level (:func:`~replenlib.plan.bom.low_level_codes`), each level's releases exploded into its
components' gross requirements before they are netted.

References
----------
Vollmann, Berry, Whybark & Jacobs (2005), *Manufacturing Planning and Control for Supply Chain
Management*, 5th ed., chapter 6 (the MRP record); Orlicky (1975), chapter 4.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from replenlib.plan.bom import Bom, explode, low_level_codes
from replenlib.policy.order_sizing import round_to_terms


@dataclass(frozen=True)
class MrpInputs:
    """Items × periods arrays and per-item parameters (units: base units, periods).

    Attributes
    ----------
    independent_demand : forecast + known demand [units/period], items × periods
    scheduled_receipts : open orders and proposals by due period [units], items × periods
    on_hand : usable stock at the start [units]
    safety_stock : [units]
    lead_time_periods : whole periods from release to receipt [periods]
    moq, order_multiple : order terms [units]
    """

    independent_demand: NDArray[np.float64]
    scheduled_receipts: NDArray[np.float64]
    on_hand: NDArray[np.float64]
    safety_stock: NDArray[np.float64]
    lead_time_periods: NDArray[np.int64]
    moq: NDArray[np.float64]
    order_multiple: NDArray[np.float64]


@dataclass(frozen=True)
class MrpRecord:
    """The MRP record of every item, items × periods [units] (``past_due`` per item)."""

    gross_requirements: NDArray[np.float64]
    dependent_demand: NDArray[np.float64]
    projected_on_hand: NDArray[np.float64]
    net_requirements: NDArray[np.float64]
    planned_receipts: NDArray[np.float64]
    planned_releases: NDArray[np.float64]
    past_due: NDArray[np.float64]
    low_level_code: NDArray[np.int64]


@dataclass(frozen=True)
class _Netting:
    projected: NDArray[np.float64]
    net: NDArray[np.float64]
    receipts: NDArray[np.float64]
    releases: NDArray[np.float64]
    past_due: NDArray[np.float64]


def net_requirements(
    gross: NDArray[np.float64],
    scheduled: NDArray[np.float64],
    on_hand: NDArray[np.float64],
    safety_stock: NDArray[np.float64],
    lead_time_periods: NDArray[np.int64],
    moq: NDArray[np.float64],
    order_multiple: NDArray[np.float64],
) -> _Netting:
    """Net one group of items (rows) over all periods (the loop runs over periods).

    Requirements, receipts, stock, MOQ and multiple in [units]; lead times in [periods].
    """
    n, periods = gross.shape
    projected, net, receipts = (np.zeros((n, periods)) for _ in range(3))
    balance = np.asarray(on_hand, dtype=np.float64).copy()
    for t in range(periods):
        available = balance + scheduled[:, t] - gross[:, t]
        net[:, t] = np.maximum(safety_stock - available, 0.0)
        receipts[:, t] = round_to_terms(net[:, t], moq, order_multiple)
        balance = available + receipts[:, t]
        projected[:, t] = balance
    releases = np.zeros((n, periods))
    release_period = np.arange(periods)[None, :] - lead_time_periods[:, None]
    rows = np.broadcast_to(np.arange(n)[:, None], (n, periods))
    np.add.at(releases, (rows, np.maximum(release_period, 0)), receipts)
    past_due = np.where(release_period < 0, receipts, 0.0).sum(axis=1)
    return _Netting(projected, net, receipts, releases, past_due)


def run_mrp(inputs: MrpInputs, bom: Bom) -> MrpRecord:
    """Net all items level by level, exploding releases through the BOM."""
    n, periods = inputs.independent_demand.shape
    level = low_level_codes(bom)
    dependent = np.zeros((n, periods))
    out = {k: np.zeros((n, periods)) for k in ("projected", "net", "receipts", "releases")}
    past_due = np.zeros(n)
    for code in range(int(level.max()) + 1 if n else 0):
        rows = np.flatnonzero(level == code)
        netting = net_requirements(
            inputs.independent_demand[rows] + dependent[rows],
            inputs.scheduled_receipts[rows],
            inputs.on_hand[rows],
            inputs.safety_stock[rows],
            inputs.lead_time_periods[rows],
            inputs.moq[rows],
            inputs.order_multiple[rows],
        )
        for key in out:
            out[key][rows] = getattr(netting, key)
        past_due[rows] = netting.past_due
        level_releases = np.zeros((n, periods))
        level_releases[rows] = netting.releases
        dependent += explode(bom, level_releases)
    return MrpRecord(
        gross_requirements=inputs.independent_demand + dependent,
        dependent_demand=dependent,
        projected_on_hand=out["projected"],
        net_requirements=out["net"],
        planned_receipts=out["receipts"],
        planned_releases=out["releases"],
        past_due=past_due,
        low_level_code=level,
    )


def lead_time_in_periods(
    lead_time_days: NDArray[np.float64], days_per_period: float
) -> NDArray[np.int64]:
    """Lead time rounded to whole periods (nearest, at least 0) [periods]."""
    days = np.nan_to_num(np.asarray(lead_time_days, dtype=np.float64), nan=0.0)
    return np.maximum(np.rint(days / days_per_period), 0).astype(np.int64)
