"""The replenishment strategy: service targets and review periods per tier.

A *tier* expresses how much an item's availability matters and how risky it is. The first
version derives it from the item master (criticality, regulatory risk class, cold chain):

========  ==========================================================  ===========  =========
tier      who                                                          CSL target   review
========  ==========================================================  ===========  =========
critical  criticality 'critical' or risk class III (implants, stents)  99 %         daily
high      criticality 'high' or cold-chain items (IVD reagents)         97.5 %       daily
medium    criticality 'medium'                                          95 %         daily
low       criticality 'low' (substitutable, low-frequency items)        90 %         weekly
========  ==========================================================  ===========  =========

The targets are **cycle service levels** (probability of no stockout per replenishment cycle),
not fill rates; :class:`ServiceMeasure` names which one a rule uses. A strategy serialises to
JSON so it can be stored as a policy version.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray


class ServiceMeasure(StrEnum):
    """Which service target a rule sets. The two are different numbers; never swap them."""

    CYCLE_SERVICE_LEVEL = "cycle_service_level"  #: P(no stockout in a replenishment cycle)
    FILL_RATE = "fill_rate"  #: share of demand served from stock


class Tier(StrEnum):
    """Strictness tier of an item-location."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


@dataclass(frozen=True)
class TierRule:
    """Service target and review period for one tier."""

    tier: Tier
    service_measure: ServiceMeasure
    service_target: float  #: [fraction] in (0, 1)
    review_period_days: float  #: [days] time between reviews

    def __post_init__(self) -> None:
        if not 0.0 < self.service_target < 1.0:
            raise ValueError(f"service target of tier {self.tier.value} must lie in (0, 1)")


@dataclass(frozen=True)
class Strategy:
    """Tier rules plus the cost parameters of order sizing."""

    rules: tuple[TierRule, ...] = field(
        default_factory=lambda: (
            TierRule(Tier.CRITICAL, ServiceMeasure.CYCLE_SERVICE_LEVEL, 0.99, 1.0),
            TierRule(Tier.HIGH, ServiceMeasure.CYCLE_SERVICE_LEVEL, 0.975, 1.0),
            TierRule(Tier.MEDIUM, ServiceMeasure.CYCLE_SERVICE_LEVEL, 0.95, 1.0),
            TierRule(Tier.LOW, ServiceMeasure.CYCLE_SERVICE_LEVEL, 0.90, 7.0),
        )
    )
    ordering_cost: float = 300.0  #: [CNY/order] fixed cost of placing and receiving an order
    holding_rate: float = 0.25  #: [1/year] holding cost as a share of unit cost

    def rule(self, tier: Tier) -> TierRule:
        """Return the rule of ``tier``."""
        for rule in self.rules:
            if rule.tier == tier:
                return rule
        raise KeyError(f"strategy has no rule for tier {tier.value}")

    def to_json(self) -> str:
        """Serialise for storage as a policy version."""
        body = asdict(self)
        body["rules"] = [
            {**r, "tier": r["tier"].value, "service_measure": r["service_measure"].value}
            for r in body["rules"]
        ]
        return json.dumps(body, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Strategy:
        """Inverse of :meth:`to_json`."""
        body: dict[str, Any] = json.loads(text)
        rules = tuple(
            TierRule(
                Tier(r["tier"]),
                ServiceMeasure(r["service_measure"]),
                float(r["service_target"]),
                float(r["review_period_days"]),
            )
            for r in body.pop("rules")
        )
        return cls(rules=rules, **body)


def assign_tier(
    criticality: ArrayLike, risk_class: ArrayLike, is_cold_chain: ArrayLike
) -> NDArray[np.object_]:
    """Tier per item-location from the item master (see the module docstring)."""
    crit = np.asarray(criticality, dtype=object)
    risk = np.asarray(risk_class, dtype=object)
    cold = np.asarray(is_cold_chain, dtype=bool)
    tiers = np.select(
        [(crit == "critical") | (risk == "III"), (crit == "high") | cold, crit == "medium"],
        [Tier.CRITICAL, Tier.HIGH, Tier.MEDIUM],
        default=Tier.LOW,
    )
    return np.asarray(tiers, dtype=object)


class TierTargets(NamedTuple):
    """Per item-location service target and review period looked up from a strategy."""

    service_target: NDArray[np.float64]  #: [fraction]
    review_period_days: NDArray[np.float64]  #: [days]


def targets_for(strategy: Strategy, tiers: NDArray[np.object_]) -> TierTargets:
    """Service target [fraction] and review period [days] per element of ``tiers``."""
    target = np.empty(len(tiers))
    review = np.empty(len(tiers))
    for tier in Tier:
        mask = tiers == tier
        rule = strategy.rule(tier)
        target[mask] = rule.service_target
        review[mask] = rule.review_period_days
    return TierTargets(target, review)
