r"""Tornado sensitivity: how much each input moves the KPIs, one input at a time.

From a reference scenario, each factor is moved down and up by its swing while the others
stay; the bars show the KPI at the low and the high setting, sorted by width:

==================  ============================================  =================================
factor              low / high                                    the policy
==================  ============================================  =================================
``lead_time``       lead times × (1 ∓ swing)                      does not know (plans with today's)
``demand_level``    demand × (1 ∓ swing)                          does not know
``variability``     size deviations × (1 ∓ swing)                 does not know
``service_target``  shortfall :math:`1 - p` × (1 ± swing): a      re-plans with the new target
                    lower / higher target (95 % → 92.5 / 97.5 %
                    for a swing of 0.5)
==================  ============================================  =================================

The first three measure the **robustness** of a policy to being wrong about its inputs; the
last measures the **lever** management holds. All arms are variants of one run on common
random numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

import numpy as np

from replenlib.scenario.assemble import build_system
from replenlib.scenario.base import Levers, ScenarioBase
from replenlib.sim.engine import simulate
from replenlib.sim.result import SimKpi
from replenlib.sim.system import RunSettings

#: KPIs a tornado reports.
TORNADO_KPIS = (
    SimKpi.FILL_RATE,
    SimKpi.STOCKOUT_RATE,
    SimKpi.INVENTORY_DAYS,
    SimKpi.INVENTORY_VALUE,
)


class Factor(StrEnum):
    """Inputs of the tornado (see the module docstring)."""

    LEAD_TIME = "lead_time"
    DEMAND_LEVEL = "demand_level"
    VARIABILITY = "variability"
    SERVICE_TARGET = "service_target"


@dataclass(frozen=True)
class TornadoBar:
    """A KPI at the low and high setting of one factor, and at the reference."""

    factor: Factor
    kpi: SimKpi
    swing: float  #: relative move of the factor
    low: float  #: KPI with the factor moved down
    high: float  #: KPI with the factor moved up
    reference: float

    @property
    def width(self) -> float:
        """:math:`|high - low|`, the sort key of the chart."""
        return abs(self.high - self.low)


def _arm(lv: Levers, factor: Factor, move: float) -> Levers:
    """Levers with ``factor`` moved by the relative ``move`` (negative = down)."""
    if factor is Factor.LEAD_TIME:
        return replace(
            lv,
            lead_time_factor=lv.lead_time_factor * (1 + move),
            lead_time_known=np.zeros_like(lv.lead_time_known),
        )
    if factor is Factor.DEMAND_LEVEL:
        return replace(
            lv,
            demand_multiplier=lv.demand_multiplier * (1 + move),
            demand_known=np.zeros_like(lv.demand_known),
        )
    if factor is Factor.VARIABILITY:
        return replace(
            lv,
            demand_variability=lv.demand_variability * (1 + move),
            demand_known=np.zeros_like(lv.demand_known),
        )
    target = 1.0 - (1.0 - lv.service_target) * (1.0 - move)  # up: a smaller shortfall
    probability = np.isin(lv.service_measure, ["cycle_service_level", "fill_rate"])
    return replace(
        lv, service_target=np.where(probability, np.clip(target, 0.5, 0.9999), lv.service_target)
    )


def tornado(
    base: ScenarioBase,
    levers: Levers,
    swings: dict[str, float],
    settings: RunSettings,
    rng: np.random.Generator,
) -> list[TornadoBar]:
    """Bars for every factor with a non-zero swing and every KPI, widest first per KPI."""
    factors = [Factor(f) for f, swing in swings.items() if swing > 0]
    variants = [levers]
    for factor in factors:
        swing = swings[factor.value]
        variants += [_arm(levers, factor, -swing), _arm(levers, factor, swing)]
    system, _ = build_system(base, variants, settings.warmup_days)
    pooled = simulate(system, settings, rng).pooled(
        base.unit_cost, customer_share=base.customer_share
    )
    bars = []
    for kpi in TORNADO_KPIS:
        mean = np.nanmean(pooled[kpi], axis=1)
        row = [
            TornadoBar(
                f,
                kpi,
                swings[f.value],
                float(mean[1 + 2 * k]),
                float(mean[2 + 2 * k]),
                float(mean[0]),
            )
            for k, f in enumerate(factors)
        ]
        bars += sorted(row, key=lambda b: -b.width)
    return bars
