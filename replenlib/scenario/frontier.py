"""The efficient frontier: inventory against service as the service target sweeps.

Every point sets one cycle-service-level target for every series whose rule has a service
target (the strategy's policy types; ERP rows take the strategy's; the rest of the chosen
scenario unchanged) and is simulated as a variant of one run on common random
numbers, so the curve is smooth and points are comparable. A policy that sits below the
curve (more inventory for the same service) can be improved without giving up service: that
is what the ERP's fixed reorder points usually show.

References
----------
Silver, Pyke & Thomas (2017), section 7.2 (exchange curves). Snyder & Shen (2019),
chapter 4 (stochastic inventory models).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from replenlib.policy.kinds import ServiceMeasure
from replenlib.scenario.assemble import build_system
from replenlib.scenario.base import Levers, ScenarioBase
from replenlib.scenario.definition import PolicyChoice
from replenlib.sim.engine import simulate
from replenlib.sim.result import SimKpi, Spread, spread
from replenlib.sim.system import RunSettings

#: KPIs recorded per frontier point.
FRONTIER_KPIS = (
    SimKpi.INVENTORY_VALUE,
    SimKpi.INVENTORY_DAYS,
    SimKpi.FILL_RATE,
    SimKpi.STOCKOUT_RATE,
    SimKpi.CYCLE_SERVICE_LEVEL,
)


@dataclass(frozen=True)
class Frontier:
    """KPI spread per swept target (arrays of one element per target)."""

    targets: NDArray[np.float64]  #: cycle service level [fraction]
    kpis: dict[SimKpi, Spread]


def _sweepable(levers: Levers) -> NDArray[np.bool_]:
    """Series whose rule has a probability target (run-down, min–max and DDMRP rows keep
    their own levels along the curve)."""
    probability = [ServiceMeasure.CYCLE_SERVICE_LEVEL, ServiceMeasure.FILL_RATE]
    return np.asarray(np.isin(levers.service_measure, probability), dtype=np.bool_)


def frontier(
    base: ScenarioBase,
    levers: Levers,
    targets: tuple[float, ...],
    settings: RunSettings,
    rng: np.random.Generator,
) -> Frontier:
    """Simulate one variant per target (see the module docstring)."""
    swept = _sweepable(levers)
    csl = np.where(swept, ServiceMeasure.CYCLE_SERVICE_LEVEL, levers.service_measure).astype(object)
    variants = [
        replace(
            levers,
            policy=np.where(levers.policy == PolicyChoice.ERP, PolicyChoice.TIERED, levers.policy),
            service_measure=csl,
            service_target=np.where(swept, target, levers.service_target),
        )
        for target in targets
    ]
    system, _ = build_system(base, variants, settings.warmup_days)
    pooled = simulate(system, settings, rng).pooled(
        base.unit_cost, customer_share=base.customer_share
    )
    return Frontier(
        np.asarray(targets, dtype=np.float64), {k: spread(pooled[k]) for k in FRONTIER_KPIS}
    )
