"""The base of every scenario: today's series as arrays, and the levers a scenario moves.

:class:`ScenarioBase` holds one element per item-location (*series*): who it is (category,
location, supplier, and the strategy table resolved for it: tier, policy type, service measure
and target, review period), what demand it sees (a simulation demand model and the forecast
the policy is set from), where it is replenished from (a row of the lead-time model, supplier
terms, a backup supplier), how its stock behaves (shelf life, lost sales) and what the ERP
does today (fixed reorder point and order quantity). The pipeline reads it from the
store (:mod:`replenlib.pipeline.scenario_inputs`); tests build it directly.

:class:`Levers` are the per-series settings a scenario may change; :func:`apply` turns a
:class:`~replenlib.scenario.definition.Scenario` into levers, override by override.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol, TypeVar

import numpy as np
from numpy.typing import NDArray

from replenlib.errors import InputDataError
from replenlib.policy.kinds import ServiceMeasure
from replenlib.policy.service import CycleDemand
from replenlib.policy.strategy import ResolvedStrategy, Strategy
from replenlib.scenario.definition import (
    ChangeLeadTime,
    ChangeMoq,
    ChangeSupplier,
    DemandShock,
    FailureRule,
    Override,
    PolicyChoice,
    Scenario,
    Selector,
    SetPolicy,
    SetReviewPeriod,
    SetServiceTarget,
    SetUnmetDemand,
    SupplierOutage,
)
from replenlib.sim.demand import BlockBootstrap, DemandModel
from replenlib.sim.supply import LeadTimeModel, SupplierFailures

BACKUP = "backup"


class CycleDemandSource(Protocol):
    """Cycle demand per series for lead-time moments and review periods [days]."""

    def __call__(
        self,
        lead_time_mean: NDArray[np.float64],
        lead_time_std: NDArray[np.float64],
        review_period: NDArray[np.float64],
    ) -> CycleDemand:
        """Demand over the protection interval, the lead time and one review period."""
        ...


@dataclass(frozen=True)
class ScenarioBase:
    """Today's series (one element per item-location) and what replenishes them.

    Attributes
    ----------
    item_id, location_id, category : who each series is (object arrays)
    resolved : the strategy table applied to each series (tier, policy type, measure, target,
        review period, min–max and DDMRP settings)
    supplier_id : primary supplier, or None when replenished by transfer
    backup_supplier_id : next-priority qualified supplier, or None
    unit_cost : [CNY/unit]
    demand : simulation demand per series (a compound model or a block bootstrap of history)
    forecast_mean, forecast_std : what the policy plans with [units/day]
    demand_family : distribution family of cycle demand per series (from its demand class)
    adu : DDMRP average daily usage [units/day]
    source_names : one name per lead-time source (supplier id or transfer lane)
    lead_times : lead-time model, one row per source
    source_sequential : per source, deliveries arrive in order (no crossover)
    source, backup_source : lead-time row of the primary and backup supply (−1 = none)
    moq, order_multiple, backup_moq, backup_order_multiple : supplier terms [units]
    usable_days : days a received unit can be sold (shelf life at receipt minus the customers'
        minimum remaining shelf life); NaN = does not expire [days]
    lost_sales : unmet demand is lost (True) or backordered
    erp_reorder_point, erp_order_quantity : today's fixed ERP settings [units]
    strategy : the current strategy (order-sizing costs)
    failures : random supplier outages per source (None = none)
    customer_share : share of each series' demand that comes from end customers rather than
        from the stock points it replenishes (None = all); keeps internal flows out of the
        network's inventory days
    cycle_demand : the demand layer's cycle demand for given lead times and review periods
        (the nightly run's lead-time demand distributions); None = moment-matched from the
        forecast and ``demand_family``
    """

    item_id: NDArray[np.object_]
    location_id: NDArray[np.object_]
    resolved: ResolvedStrategy
    category: NDArray[np.object_]
    supplier_id: NDArray[np.object_]
    backup_supplier_id: NDArray[np.object_]
    unit_cost: NDArray[np.float64]
    demand: DemandModel | BlockBootstrap
    forecast_mean: NDArray[np.float64]
    forecast_std: NDArray[np.float64]
    demand_family: NDArray[np.object_]
    adu: NDArray[np.float64]
    source_names: tuple[str, ...]
    lead_times: LeadTimeModel
    source_sequential: NDArray[np.bool_]
    source: NDArray[np.int64]
    backup_source: NDArray[np.int64]
    moq: NDArray[np.float64]
    order_multiple: NDArray[np.float64]
    backup_moq: NDArray[np.float64]
    backup_order_multiple: NDArray[np.float64]
    usable_days: NDArray[np.float64]
    lost_sales: NDArray[np.bool_]
    erp_reorder_point: NDArray[np.float64]
    erp_order_quantity: NDArray[np.float64]
    strategy: Strategy
    failures: SupplierFailures | None = None
    customer_share: NDArray[np.float64] | None = None
    cycle_demand: CycleDemandSource | None = None

    def with_failures(self, rules: Sequence[FailureRule]) -> ScenarioBase:
        """This base with random outages of the suppliers ``rules`` name (transfer lanes never
        fail; a later rule wins); unchanged without rules.

        Raises
        ------
        InputDataError
            A rule names a supplier no series buys from.
        """
        if not rules:
            return self
        known = {str(s) for s in (*self.supplier_id, *self.backup_supplier_id) if s is not None}
        names = np.asarray(self.source_names, dtype=object)
        rate, duration = np.zeros(len(names)), np.ones(len(names))
        for n, rule in enumerate(rules):
            unknown = sorted(set(rule.suppliers) - known)
            if unknown:
                raise InputDataError(
                    f"supplier_failures[{n}].suppliers: no series buys from {unknown[0]!r}; "
                    f"suppliers: {', '.join(sorted(known))}"
                )
            chosen = np.isin(names, list(rule.suppliers or known))
            rate[chosen], duration[chosen] = rule.rate_per_year, rule.mean_duration_days
        return replace(self, failures=SupplierFailures(rate, duration))

    @property
    def n_series(self) -> int:
        """Number of item-locations."""
        return len(self.item_id)

    @property
    def tier(self) -> NDArray[np.object_]:
        """Tier per series (from the strategy table)."""
        return self.resolved.tier

    def select(self, where: Selector, scenario: str = "") -> NDArray[np.bool_]:
        """Boolean mask of the series ``where`` selects (names compared case-insensitively).

        Raises
        ------
        InputDataError
            A condition matches no series (a misspelt category or supplier would otherwise
            silently change nothing); the message lists the known values.
        """
        mask = np.ones(self.n_series, dtype=bool)
        for key, values, column in (
            ("tier", where.tiers, self.tier),
            ("category", where.categories, self.category),
            ("supplier", where.suppliers, self.supplier_id),
            ("location", where.locations, self.location_id),
            ("item", where.items, self.item_id),
        ):
            if not values:
                continue
            known = np.char.lower(column.astype(str))
            hit = np.isin(known, np.char.lower(np.asarray(values, dtype=str)))
            if not hit.any():
                choices = sorted(set(column.astype(str)) - {"None"})
                shown = ", ".join(choices[:12]) + (", ..." if len(choices) > 12 else "")
                raise InputDataError(
                    f"scenario {scenario!r}: where {key} {list(values)} matches no item-location "
                    f"(known: {shown})"
                )
            mask &= hit
        return mask


@dataclass(frozen=True)
class Levers:
    """Per-series settings a scenario moves (arrays of one element per series)."""

    policy: NDArray[np.object_]  #: :class:`PolicyChoice` per series
    service_measure: NDArray[np.object_]  #: :class:`ServiceMeasure` per series
    service_target: NDArray[np.float64]  #: [fraction] in the series' measure
    review_period: NDArray[np.int64]  #: [days]
    source: NDArray[np.int64]
    moq: NDArray[np.float64]
    order_multiple: NDArray[np.float64]
    lead_time_shift: NDArray[np.float64]  #: [days]
    lead_time_factor: NDArray[np.float64]
    lead_time_known: NDArray[np.bool_]  #: the policy plans with the changed lead time
    demand_multiplier: NDArray[np.float64]
    demand_variability: NDArray[np.float64]
    shock_multiplier: NDArray[np.float64]  #: demand factor inside the shock window
    shock_start: NDArray[np.int64]  #: [day index] −1 = no shock
    shock_end: NDArray[np.int64]
    demand_known: NDArray[np.bool_]  #: the policy plans with the changed demand
    lost_sales: NDArray[np.bool_]
    outage_start: NDArray[np.int64]
    outage_end: NDArray[np.int64]

    @classmethod
    def of(cls, base: ScenarioBase) -> Levers:
        """The base's own settings: the strategy table, primary suppliers, no changes."""
        n = base.n_series
        resolved = base.resolved
        return cls(
            policy=np.full(n, PolicyChoice.TIERED, dtype=object),
            service_measure=resolved.service_measure.copy(),
            service_target=resolved.service_target.astype(np.float64),
            review_period=np.maximum(np.rint(resolved.review_period_days), 1).astype(np.int64),
            source=base.source.copy(),
            moq=base.moq.copy(),
            order_multiple=base.order_multiple.copy(),
            lead_time_shift=np.zeros(n),
            lead_time_factor=np.ones(n),
            lead_time_known=np.ones(n, dtype=bool),
            demand_multiplier=np.ones(n),
            demand_variability=np.ones(n),
            shock_multiplier=np.ones(n),
            shock_start=np.full(n, -1, dtype=np.int64),
            shock_end=np.full(n, -1, dtype=np.int64),
            demand_known=np.zeros(n, dtype=bool),
            lost_sales=base.lost_sales.copy(),
            outage_start=np.full(n, -1, dtype=np.int64),
            outage_end=np.full(n, -1, dtype=np.int64),
        )


def apply(base: ScenarioBase, scenario: Scenario, levers: Levers | None = None) -> Levers:
    """The levers of ``scenario``: its overrides applied in order to ``levers`` (or the base)."""
    current = levers or Levers.of(base)
    for override in scenario.overrides:
        current = _apply_one(base, current, override, scenario.name)
    return current


_A = TypeVar("_A", bound=np.generic)


def _set(values: NDArray[_A], mask: NDArray[np.bool_], value: Any) -> NDArray[_A]:
    """``values`` with ``value`` where ``mask``."""
    out = values.copy()
    out[mask] = value
    return out


def _apply_one(base: ScenarioBase, lv: Levers, o: Override, name: str) -> Levers:
    """One override (see :mod:`replenlib.scenario.definition` for their meaning)."""
    if isinstance(o, SetPolicy):
        return replace(lv, policy=_set(lv.policy, base.select(o.where, name), o.policy))
    if isinstance(o, SetServiceTarget):
        return _service_target(base, lv, o, name)
    if isinstance(o, SetReviewPeriod):
        return replace(lv, review_period=_set(lv.review_period, base.select(o.where, name), o.days))
    if isinstance(o, ChangeLeadTime):
        m = base.select(o.where, name)
        return replace(
            lv,
            lead_time_shift=np.where(m, lv.lead_time_shift + o.shift_days, lv.lead_time_shift),
            lead_time_factor=np.where(m, lv.lead_time_factor * o.factor, lv.lead_time_factor),
            lead_time_known=np.where(m, o.replan, lv.lead_time_known),
        )
    if isinstance(o, ChangeSupplier):
        return _change_supplier(base, lv, o, name)
    if isinstance(o, SupplierOutage):
        m = _supplied_by(base, lv, o.supplier, name)
        return replace(
            lv,
            outage_start=_set(lv.outage_start, m, o.start_day),
            outage_end=_set(lv.outage_end, m, o.start_day + o.duration_days),
        )
    if isinstance(o, DemandShock):
        return _shock(base, lv, o, name)
    if isinstance(o, ChangeMoq):
        m = base.select(o.where, name)
        moq = lv.moq * o.multiplier if o.quantity is None else np.full(base.n_series, o.quantity)
        return replace(lv, moq=np.where(m, moq, lv.moq))
    assert isinstance(o, SetUnmetDemand)
    return replace(lv, lost_sales=_set(lv.lost_sales, base.select(o.where, name), o.lost_sales))


def _service_target(base: ScenarioBase, lv: Levers, o: SetServiceTarget, name: str) -> Levers:
    """A target in the chosen measure, else in each series' own probability measure (a series
    without one, such as run-down or min–max rows, takes a cycle service level)."""
    m = base.select(o.where, name)
    probability = np.isin(
        lv.service_measure, [ServiceMeasure.CYCLE_SERVICE_LEVEL, ServiceMeasure.FILL_RATE]
    )
    own = np.where(probability, lv.service_measure, ServiceMeasure.CYCLE_SERVICE_LEVEL)
    measure = own if o.measure is None else np.full(base.n_series, o.measure, dtype=object)
    return replace(
        lv,
        service_target=_set(lv.service_target, m, o.target),
        service_measure=np.where(m, measure, lv.service_measure).astype(object),
    )


def _supplied_by(base: ScenarioBase, lv: Levers, supplier: str, name: str) -> NDArray[np.bool_]:
    if supplier not in base.source_names:
        raise InputDataError(
            f"scenario {name!r}: supplier {supplier!r} does not supply any item-location"
        )
    return np.asarray(lv.source == base.source_names.index(supplier), dtype=np.bool_)


def _change_supplier(base: ScenarioBase, lv: Levers, o: ChangeSupplier, name: str) -> Levers:
    """Move the series bought from ``o.from_supplier`` to the backup or a named supplier."""
    moving = _supplied_by(base, lv, o.from_supplier, name)
    if o.to_supplier == BACKUP:
        has_backup = base.backup_source >= 0
        moving_ok = moving & has_backup
        source = np.where(moving_ok, base.backup_source, lv.source)
        moq = np.where(moving_ok, base.backup_moq, lv.moq)
        multiple = np.where(moving_ok, base.backup_order_multiple, lv.order_multiple)
        return replace(lv, source=source, moq=moq, order_multiple=multiple)
    if o.to_supplier not in base.source_names:
        raise InputDataError(
            f"scenario {name!r}: supplier_change.to {o.to_supplier!r} is not a known supplier"
        )
    target = base.source_names.index(o.to_supplier)
    return replace(lv, source=np.where(moving, target, lv.source))


def _shock(base: ScenarioBase, lv: Levers, o: DemandShock, name: str) -> Levers:
    """A permanent level change (from day 0, no duration) or a shock over a window."""
    m = base.select(o.where, name)
    permanent = o.start_day == 0 and o.duration_days is None
    end = 10**9 if o.duration_days is None else o.start_day + o.duration_days
    windowed = m & (not permanent)
    return replace(
        lv,
        demand_multiplier=np.where(
            m & permanent, lv.demand_multiplier * o.multiplier, lv.demand_multiplier
        ),
        demand_variability=np.where(
            m, lv.demand_variability * o.variability, lv.demand_variability
        ),
        shock_multiplier=np.where(windowed, o.multiplier, lv.shock_multiplier),
        shock_start=np.where(windowed, o.start_day, lv.shock_start),
        shock_end=np.where(windowed, end, lv.shock_end),
        demand_known=np.where(m, o.replan, lv.demand_known),
    )
