r"""What-if recomputation of a whole panel's policy under sliders, in milliseconds.

A :class:`WhatIfPanel` holds per item-location everything the policy needs that no slider
changes (resolved tier, policy, measure, target and review period, daily demand and its
standard deviation, lead time, costs, supplier terms, shelf life). :class:`WhatIfSettings`
are the sliders: a service target per tier (in each row's own measure), lead-time and
demand multipliers, and a policy type and review period for a selection of rows. The
demand model under the multipliers :math:`k` (lead time) and :math:`m` (demand) is

.. math::

    d' = m\,d,\quad \sigma_d' = m\,\sigma_d,\quad L' = kL,\quad \sigma_L' = k\sigma_L,

(the coefficients of variation stay as they are), moment-matched in each row's family as in
:func:`.service.cycle_demand`.

:func:`reference_parameters` runs :func:`.panel.panel_parameters` on the slider inputs — the
nightly run's own code path. :class:`WhatIfEngine` computes the same
:class:`~.panel.PanelParameters` with :class:`.fast_levels.FastCycleService` (cached per
demand, warm-started between slider positions); the two agree to the tolerance stated there
(counting rows identical, continuous rows within :math:`10^{-6}\sigma_P`), which the tests
check. Inventory value per row is :math:`c\,(\max(SS, 0) + Q/2)` [CNY] (safety stock plus
average cycle stock); stockout risk is :math:`1 - \text{CSL}` per replenishment cycle and
:math:`(1 - \text{CSL})\times` cycles per year.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import NDArray

from replenlib.policy.expiry import cap_levels, expiry_caps
from replenlib.policy.fast_levels import FastCycleService
from replenlib.policy.kinds import PolicyType, ServiceMeasure
from replenlib.policy.order_sizing import round_within_cap
from replenlib.policy.panel import (
    DAYS_PER_YEAR,
    PanelInputs,
    PanelParameters,
    _coverage_levels,  # the panel's own min–max / DDMRP levels, shared on purpose
    lot_sizes,
    panel_parameters,
)
from replenlib.policy.service import CycleDemand, CycleShape, cycle_demand, undershoot_moments
from replenlib.policy.strategy import Override, ResolvedStrategy, Strategy

FloatArray = NDArray[np.float64]
ObjectArray = NDArray[np.object_]
_SERVICE = [p.value for p in PolicyType if p.uses_service_target]
_PROBABILITY = [ServiceMeasure.CYCLE_SERVICE_LEVEL.value, ServiceMeasure.FILL_RATE.value]


@dataclass(frozen=True)
class WhatIfPanel:
    """Per-row inputs no slider changes (arrays of equal length; see the module docstring)."""

    tier: ObjectArray
    policy_type: ObjectArray
    service_measure: ObjectArray
    service_target: FloatArray  #: [fraction]
    review_period_days: FloatArray  #: [days]
    family: ObjectArray  #: lead-time demand family (not empirical)
    demand_rate: FloatArray  #: [units/day]
    demand_rate_std: FloatArray  #: [units/day] so that the protection variance is the run's
    lead_time_mean: FloatArray  #: [days]
    lead_time_std: FloatArray  #: [days]
    unit_cost: FloatArray  #: [CNY/unit]
    moq: FloatArray  #: [units]
    order_multiple: FloatArray  #: [units]
    sellable_days_at_receipt: FloatArray  #: [days]; NaN = no expiry
    safety_days: FloatArray  #: min–max rows [days of supply]
    ordering_cost: float = 300.0  #: [CNY/order]
    holding_rate: float = 0.25  #: [1/year]

    def __len__(self) -> int:
        return len(self.demand_rate)

    def take(self, rows: NDArray[np.intp]) -> WhatIfPanel:
        """The same panel for a subset of rows."""
        values = {
            name: getattr(self, name)[rows]
            for name in self.__dataclass_fields__
            if name not in ("ordering_cost", "holding_rate")
        }
        return WhatIfPanel(
            **values, ordering_cost=self.ordering_cost, holding_rate=self.holding_rate
        )


@dataclass(frozen=True)
class WhatIfSettings:
    """Slider positions. ``targets``: tier → service target [fraction] in each row's own
    measure (tiers not named keep theirs); ``policy_type`` and ``review_period_days`` apply to
    the service-policy rows of ``selection`` (all rows when ``None``)."""

    targets: Mapping[str, float] = field(default_factory=dict)
    lead_time_scale: float = 1.0  #: [-]
    demand_scale: float = 1.0  #: [-]
    policy_type: PolicyType | None = None
    review_period_days: float | None = None  #: [days]
    selection: NDArray[np.bool_] | None = None

    def __post_init__(self) -> None:
        if not (self.lead_time_scale > 0 and self.demand_scale >= 0):
            raise ValueError("the lead-time multiplier must be > 0 and the demand one >= 0")
        for tier, target in self.targets.items():
            if not 0.0 < target < 1.0:
                raise ValueError(f"service target of tier {tier} must lie in (0, 1), got {target}")
        if self.review_period_days is not None and not self.review_period_days >= 1:
            raise ValueError("a review period chosen in the what-if must be at least 1 day")

    @property
    def is_base(self) -> bool:
        """True when no slider moved."""
        return self == WhatIfSettings(selection=self.selection)


def scenario_inputs(
    panel: WhatIfPanel, settings: WhatIfSettings
) -> tuple[ResolvedStrategy, PanelInputs]:
    """The inputs of :func:`.panel.panel_parameters` under ``settings`` (pure)."""
    n = len(panel)
    chosen = np.ones(n, bool) if settings.selection is None else np.asarray(settings.selection)
    service = np.isin(panel.policy_type, _SERVICE)
    kind = panel.policy_type.copy()
    if settings.policy_type is not None:
        kind[chosen & service] = PolicyType(settings.policy_type).value
    review = panel.review_period_days.copy()
    if settings.review_period_days is not None:
        review[chosen & service] = float(settings.review_period_days)
    target = panel.service_target.copy()
    probability = np.isin(panel.service_measure, _PROBABILITY)
    for tier, value in settings.targets.items():
        target[(panel.tier == tier) & probability] = value
    rate = panel.demand_rate * settings.demand_scale
    lead, lead_std = (
        panel.lead_time_mean * settings.lead_time_scale,
        panel.lead_time_std * settings.lead_time_scale,
    )
    demand = cycle_demand(
        panel.family, rate, panel.demand_rate_std * settings.demand_scale, lead, lead_std, review
    )
    resolved = ResolvedStrategy(
        tier=panel.tier,
        policy_type=kind,
        service_measure=panel.service_measure,
        service_target=target,
        review_period_days=review,
        safety_days=panel.safety_days,
        ddmrp_past_weight=np.full(n, 0.5),
        override=np.full(n, "", dtype=object),
    )
    inputs = PanelInputs(
        demand=demand,
        demand_rate=rate,
        demand_rate_std=panel.demand_rate_std * settings.demand_scale,
        lead_time_mean=lead,
        unit_cost=panel.unit_cost,
        moq=panel.moq,
        order_multiple=panel.order_multiple,
        sellable_days_at_receipt=panel.sellable_days_at_receipt,
    )
    return resolved, inputs


def reference_parameters(panel: WhatIfPanel, settings: WhatIfSettings) -> PanelParameters:
    """The slider inputs through :func:`.panel.panel_parameters` (the nightly code path)."""
    resolved, inputs = scenario_inputs(panel, settings)
    return panel_parameters(
        resolved, inputs, ordering_cost=panel.ordering_cost, holding_rate=panel.holding_rate
    )


@dataclass(frozen=True)
class WhatIfResult:
    """Policy parameters under the sliders and what they cost and deliver, per row."""

    parameters: PanelParameters
    demand_rate: FloatArray  #: [units/day] under the demand multiplier
    inventory_value: FloatArray  #: c (max(SS, 0) + Q/2) [CNY]
    safety_stock_value: FloatArray  #: c max(SS, 0) [CNY]
    stockout_risk: FloatArray  #: 1 − implied cycle service level, per cycle [fraction]
    stockouts_per_year: FloatArray  #: (1 − CSL) × cycles per year [1/year]

    def totals(self, rows: NDArray[np.bool_] | None = None) -> WhatIfTotals:
        """Totals over ``rows`` (all when ``None``)."""
        mask = np.ones(len(self.demand_rate), bool) if rows is None else np.asarray(rows)
        d = self.demand_rate[mask]
        fill = self.parameters.implied_fill_rate[mask]
        weight = float(d.sum())
        return WhatIfTotals(
            n_rows=int(mask.sum()),
            inventory_value=float(self.inventory_value[mask].sum()),
            safety_stock_value=float(self.safety_stock_value[mask].sum()),
            fill_rate=float((d * fill).sum() / weight) if weight > 0 else float("nan"),
            stockout_risk=float(self.stockout_risk[mask].mean()) if mask.any() else float("nan"),
            stockouts_per_year=float(self.stockouts_per_year[mask].sum()),
        )


@dataclass(frozen=True)
class WhatIfTotals:
    """Totals of a selection: values [CNY], demand-weighted expected fill rate, mean stockout
    risk per cycle [fraction] and expected stockouts per year."""

    n_rows: int
    inventory_value: float
    safety_stock_value: float
    fill_rate: float
    stockout_risk: float
    stockouts_per_year: float


def describe(
    parameters: PanelParameters, panel: WhatIfPanel, demand_rate: FloatArray
) -> WhatIfResult:
    """Values [CNY] and risks of a set of parameters (module docstring); ``demand_rate`` is
    each row's daily demand under the sliders [units/day]."""
    safety = np.maximum(parameters.safety_stock, 0.0)
    quantity = np.maximum(parameters.order_quantity, 0.0)
    risk = np.clip(1.0 - parameters.implied_cycle_service_level, 0.0, 1.0)
    up_to = parameters.policy_type == PolicyType.R_S.value
    with np.errstate(divide="ignore", invalid="ignore"):
        cycles = np.where(
            up_to,
            DAYS_PER_YEAR / np.maximum(parameters.review_period_days, 1.0),
            np.where(quantity > 0, DAYS_PER_YEAR * demand_rate / quantity, 0.0),
        )
    return WhatIfResult(
        parameters=parameters,
        demand_rate=demand_rate,
        inventory_value=panel.unit_cost * (safety + 0.5 * quantity),
        safety_stock_value=panel.unit_cost * safety,
        stockout_risk=risk,
        stockouts_per_year=np.where(demand_rate > 0, risk * cycles, 0.0),
    )


class WhatIfEngine:
    """Recompute a :class:`WhatIfPanel` under sliders with the fast solver (module docstring).

    The solver object of the last few demand states is cached: moving a service-target
    slider reuses its tables; moving a multiplier, the policy type or the review period
    builds new ones, warm-started from the previous levels.
    """

    def __init__(self, panel: WhatIfPanel, cache_size: int = 4) -> None:
        self.panel = panel
        self._cache: dict[bytes, FastCycleService] = {}
        self._cache_size = cache_size
        self._last: tuple[FloatArray, FloatArray, FloatArray] | None = None

    def recompute(self, settings: WhatIfSettings) -> WhatIfResult:
        """Parameters, values and risks of every row under ``settings``."""
        resolved, inputs = scenario_inputs(self.panel, settings)
        panel = self.panel
        wanted, q_cap = lot_sizes(resolved, inputs, panel.ordering_cost, panel.holding_rate)
        terms = round_within_cap(wanted, inputs.moq, inputs.order_multiple, q_cap)
        lot = np.where(inputs.demand_rate > 0, terms.quantity, 0.0)
        kind = resolved.policy_type
        n = len(kind)
        s, big_s = np.zeros(n), np.zeros(n)
        _coverage_levels(resolved, inputs, lot, s, big_s)
        service = np.isin(kind, _SERVICE)
        up_to, fixed = kind == PolicyType.R_S.value, kind == PolicyType.S_Q.value
        delta = np.where(
            up_to, 0.0, np.where(service, np.maximum(lot, 1.0), np.maximum(big_s - s, 1.0))
        )
        solver = self._solver(inputs.demand, CycleShape(up_to, fixed, delta))
        rows = np.flatnonzero(service)
        level = solver.levels(
            rows,
            kind[rows],
            resolved.service_measure[rows],
            resolved.service_target[rows],
            guess=self._guess(inputs.demand, rows),
        )
        s[rows], big_s[rows] = level, np.where(up_to[rows], level, level + delta[rows])
        self._remember(inputs.demand, s)
        caps = expiry_caps(
            inputs.demand_rate, inputs.lead_time_mean, inputs.sellable_days_at_receipt
        )
        capped = cap_levels(s, big_s, np.where(up_to, big_s - s, lot), caps)
        s, big_s = capped.reorder_point, capped.order_up_to
        shape = CycleShape(up_to, fixed, np.where(up_to, 0.0, np.maximum(big_s - s, 1.0)))
        csl, fill = solver.implied(shape, s)
        demand = inputs.demand
        expected = np.where(
            up_to, demand.protection.mean, demand.lead_time.mean + undershoot_moments(demand)[0]
        )
        forced = terms.exceeds_cap
        parameters = PanelParameters(
            policy_type=kind,
            service_measure=resolved.service_measure,
            service_target=np.where(
                np.isin(resolved.service_measure, _PROBABILITY), resolved.service_target, np.nan
            ),
            review_period_days=resolved.review_period_days,
            reorder_point=s,
            order_up_to=big_s,
            order_quantity=np.where(up_to, demand.review_mean, np.where(fixed, lot, big_s - s)),
            safety_stock=s - expected,
            implied_cycle_service_level=csl,
            implied_fill_rate=fill,
            max_order_quantity=q_cap,
            capped_by_expiry=capped.capped | forced,
            write_off_per_order=np.where(forced, np.maximum(lot - q_cap, 0.0), 0.0),
        )
        return describe(parameters, panel, inputs.demand_rate)

    def _solver(self, demand: CycleDemand, shape: CycleShape) -> FastCycleService:
        key = _fingerprint(demand, shape)
        solver = self._cache.pop(key, None)
        if solver is None:
            solver = FastCycleService(demand, shape)
            while len(self._cache) >= self._cache_size:
                self._cache.pop(next(iter(self._cache)))
        self._cache[key] = solver  # most recent last
        return solver

    def _guess(self, demand: CycleDemand, rows: NDArray[np.intp]) -> FloatArray | None:
        """The previous levels as safety factors applied to the new moments."""
        if self._last is None:
            return None
        mean, std, level = (a[rows] for a in self._last)
        factor = (level - mean) / np.maximum(std, 1e-9)
        return np.asarray(demand.protection.mean[rows] + factor * demand.protection.std[rows])

    def _remember(self, demand: CycleDemand, level: FloatArray) -> None:
        self._last = (demand.protection.mean, demand.protection.std, level.copy())


def _fingerprint(demand: CycleDemand, shape: CycleShape) -> bytes:
    parts = (
        demand.protection.mean,
        demand.protection.variance,
        demand.lead_time.mean,
        demand.lead_time.variance,
        demand.review_mean,
        demand.review_variance,
        shape.delta,
        shape.order_up_to,
        shape.fixed_quantity,
    )
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        digest.update(np.ascontiguousarray(part).tobytes())
    return digest.digest()


def with_base_targets(panel: WhatIfPanel) -> dict[str, float]:
    """Each tier's target as the panel has it (the first row's; rows of a tier share it
    unless an override changed them)."""
    out: dict[str, float] = {}
    probability = np.isin(panel.service_measure, _PROBABILITY)
    for tier in dict.fromkeys(panel.tier[probability]):
        out[str(tier)] = float(panel.service_target[probability & (panel.tier == tier)][0])
    return out


def with_settings(settings: WhatIfSettings, **changes: object) -> WhatIfSettings:
    """A copy of ``settings`` with some fields changed (validated)."""
    return replace(settings, **changes)  # type: ignore[arg-type]


#: Shares of tiers and, per tier, of lead-time demand families in the medium demo (10,337
#: item-locations, seed 42): what :func:`synthetic_panel` draws from.
DEMO_MIX: dict[str, tuple[float, dict[str, float]]] = {
    "critical": (0.297, {"negative_binomial": 0.935, "normal": 0.045, "poisson": 0.02}),
    "high": (0.188, {"negative_binomial": 0.745, "normal": 0.24, "poisson": 0.015}),
    "medium": (0.090, {"negative_binomial": 0.115, "normal": 0.885}),
    "low": (0.377, {"negative_binomial": 0.29, "normal": 0.70, "poisson": 0.01}),
    "run_down": (0.048, {"poisson": 0.97, "negative_binomial": 0.03}),
}


def synthetic_panel(n_rows: int, rng: np.random.Generator) -> WhatIfPanel:
    """A panel with the medium demo's mix of tiers, families and magnitudes (default
    strategy): for benchmarks and tests without a store."""
    from replenlib.policy.strategy import Tier

    strategy = Strategy()
    tiers = list(DEMO_MIX)
    tier = rng.choice(tiers, n_rows, p=[DEMO_MIX[t][0] for t in tiers]).astype(object)
    family = np.empty(n_rows, dtype=object)
    for name in tiers:
        rows = np.flatnonzero(tier == name)
        shares = DEMO_MIX[name][1]
        family[rows] = rng.choice(list(shares), len(rows), p=list(shares.values()))
    counting = family == "negative_binomial"
    rate = np.where(
        counting, rng.lognormal(np.log(0.44), 1.5, n_rows), rng.lognormal(np.log(7.2), 0.9, n_rows)
    )
    rate = np.where(family == "poisson", rng.uniform(0.0, 0.05, n_rows), rate)
    cv = np.where(
        counting,
        np.maximum(rng.lognormal(np.log(3.5), 0.7, n_rows), 0.5),
        rng.lognormal(np.log(1.4), 0.4, n_rows),
    )
    lead = np.where(
        rng.random(n_rows) < 0.5, rng.uniform(1.0, 3.2, n_rows), rng.uniform(5.0, 60.0, n_rows)
    )
    rules = {t: strategy.rule(Tier(t)) for t in tiers}
    shelf = rng.uniform(120.0, 1400.0, n_rows)
    return WhatIfPanel(
        tier=tier,
        policy_type=np.array([rules[t].policy_type.value for t in tier], dtype=object),
        service_measure=np.array([rules[t].service_measure.value for t in tier], dtype=object),
        service_target=np.array([rules[t].service_target for t in tier]),
        review_period_days=np.array([rules[t].review_period_days for t in tier]),
        family=family,
        demand_rate=np.where(tier == "run_down", 0.0, rate),
        demand_rate_std=rate * cv,
        lead_time_mean=lead,
        lead_time_std=lead * rng.uniform(0.06, 0.3, n_rows),
        unit_cost=rng.lognormal(np.log(500.0), 2.0, n_rows),
        moq=np.where(rng.random(n_rows) < 0.1, 50.0, 1.0),
        order_multiple=np.where(rng.random(n_rows) < 0.1, 20.0, 1.0),
        sellable_days_at_receipt=np.where(rng.random(n_rows) < 0.94, shelf - 30.0, np.nan),
        safety_days=np.array([rules[t].safety_days for t in tier]),
        ordering_cost=strategy.ordering_cost,
        holding_rate=strategy.holding_rate,
    )


@dataclass(frozen=True)
class WhatIfSegment:
    """The rows a what-if shows and where its policy choices apply; '' = any value.

    ``supplier`` is a supplier id (rows replenished by transfer have none).
    """

    tier: str = ""
    location: str = ""
    category: str = ""
    supplier: str = ""

    def mask(
        self, tier: ObjectArray, location: ObjectArray, category: ObjectArray, supplier: ObjectArray
    ) -> NDArray[np.bool_]:
        """Rows of the segment, given the four label columns."""
        hit = np.ones(len(tier), dtype=bool)
        for wanted, values in (
            (self.tier, tier),
            (self.location, location),
            (self.category, category),
            (self.supplier, supplier),
        ):
            if wanted:
                hit &= np.asarray(values == wanted, dtype=bool)
        return hit

    @property
    def where(self) -> dict[str, str]:
        """The segment as a scenario file's ``where`` selection (only the fields set)."""
        return {
            k: v
            for k, v in (
                ("tier", self.tier),
                ("location", self.location),
                ("category", self.category),
                ("supplier", self.supplier),
            )
            if v
        }

    @property
    def is_tiers(self) -> bool:
        """True when the segment is all rows or one whole tier (a rule can express it)."""
        return not (self.location or self.category or self.supplier)


def proposed_strategy(
    strategy: Strategy,
    settings: WhatIfSettings,
    segment: WhatIfSegment,
    item_id: ObjectArray,
    location_id: ObjectArray,
    reason: str,
) -> Strategy:
    """The strategy the what-if amounts to (for a policy version proposal).

    Tier targets go into the tier rules (rules whose measure is a probability); a policy type
    or review period goes into the tier rules when the segment is all rows or a whole tier,
    and otherwise into item-location overrides for the segment's rows (``item_id``,
    ``location_id``: those rows; an existing override of a row is amended). The multipliers
    are assumptions, not policy: they belong in the reason.
    """
    rules = []
    for rule in strategy.rules:
        new = rule
        target = settings.targets.get(rule.tier.value)
        if target is not None and rule.service_measure.is_probability:
            new = replace(new, service_target=float(target))
        in_segment = rule.policy_type.uses_service_target and segment.tier in ("", rule.tier.value)
        if segment.is_tiers and in_segment:
            if settings.policy_type is not None:
                new = replace(new, policy_type=PolicyType(settings.policy_type))
            if settings.review_period_days is not None:
                new = replace(new, review_period_days=float(settings.review_period_days))
        rules.append(new)
    overrides = list(strategy.overrides)
    changes_rows = settings.policy_type is not None or settings.review_period_days is not None
    if changes_rows and not segment.is_tiers:
        overrides = _row_overrides(overrides, settings, item_id, location_id, reason)
    return replace(strategy, rules=tuple(rules), overrides=tuple(overrides))


def _row_overrides(
    overrides: list[Override],
    settings: WhatIfSettings,
    item_id: ObjectArray,
    location_id: ObjectArray,
    reason: str,
) -> list[Override]:
    existing = {(o.item_id, o.location_id): i for i, o in enumerate(overrides) if o.is_item}
    policy = None if settings.policy_type is None else PolicyType(settings.policy_type)
    review = None if settings.review_period_days is None else float(settings.review_period_days)
    for item, location in zip(item_id, location_id, strict=True):
        key = (str(item), str(location))
        if key in existing:
            old = overrides[existing[key]]
            overrides[existing[key]] = replace(
                old,
                reason=reason,
                policy_type=policy or old.policy_type,
                review_period_days=review if review is not None else old.review_period_days,
            )
        else:
            overrides.append(
                Override(reason, key[0], key[1], policy_type=policy, review_period_days=review)
            )
    return overrides
