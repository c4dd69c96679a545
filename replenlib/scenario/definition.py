"""Scenarios: named sets of overrides on the base, and the settings of a comparison.

A scenario starts from the **base** — today's data with the current tiered strategy — and
applies its overrides in order. Each override acts on the series its ``where`` selects
(all, when omitted):

======================  ===================================================================
key                     what it changes
======================  ===================================================================
``policy``              the rule: ``tiered`` (what the strategy table says for the series),
                        a policy type (``s_Q``, ``s_S``, ``R_S``, ``R_s_S``, ``min_max``,
                        ``ddmrp``), or ``erp`` (the fixed ERP reorder point and order
                        quantity of ``item_location``)
``service_targets``     service target [fraction] per tier or per selection, in the series'
                        own measure (cycle service level or fill rate) unless ``measure``
                        names one
``review_period_days``  days between reviews
``lead_time``           ``shift_days`` and ``factor`` of lead times; ``replan`` (default true)
                        says whether the policy knows
``supplier_change``     series bought from supplier ``from`` switch to ``to`` (a supplier id
                        or ``backup``, the next-priority qualified supplier)
``supplier_outage``     a supplier delivers nothing from ``start_day`` for ``duration_days``
                        (days count from the first measured day, after the warm-up)
``demand``              a shock: ``multiplier`` (and ``variability``) from ``start_day`` for
                        ``duration_days`` (default: the whole horizon; days count from the
                        first measured day); ``replan`` (default false: a shock is a surprise)
``moq``                 MOQ ``multiplier`` or fixed ``quantity`` [units]
``unmet_demand``        ``backorder`` or ``lost_sales``
======================  ===================================================================

A selection (``where``) names ``tier``, ``category``, ``supplier``, ``location`` or
``item`` (a value or a list each; all given must match).

Random supplier failures belong to the world every scenario faces, not to one scenario: the
top-level ``supplier_failures`` (a rule or a list of rules) gives suppliers (``suppliers``,
default all; a later rule wins) outages starting as a Poisson process of ``rate_per_year``
[1/year] lasting ``mean_duration_days`` [days] on average. With common random numbers every
scenario meets the same outages, so a scenario that sources from a backup shows its worth.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from replenlib.errors import InputDataError
from replenlib.policy.kinds import ServiceMeasure


class PolicyChoice(StrEnum):
    """Replenishment rule of a scenario (see the module docstring).

    Besides ``tiered`` and ``erp`` the values are those of
    :class:`replenlib.policy.kinds.PolicyType`.
    """

    TIERED = "tiered"
    ERP = "erp"
    S_Q = "s_Q"
    S_S = "s_S"
    R_S = "R_S"
    R_S_S = "R_s_S"
    MIN_MAX = "min_max"
    DDMRP = "ddmrp"


class DemandSource(StrEnum):
    """Where simulated demand comes from."""

    BOOTSTRAP = "bootstrap"  #: resampled from each series' recent daily history
    FITTED = "fitted"  #: compound gamma fitted to the forecast mean and error


@dataclass(frozen=True)
class Selector:
    """Which series an override acts on; empty fields match everything."""

    tiers: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    suppliers: tuple[str, ...] = ()
    locations: tuple[str, ...] = ()
    items: tuple[str, ...] = ()


@dataclass(frozen=True)
class SetPolicy:
    """Override ``policy``: the replenishment rule of the selected series."""

    where: Selector
    policy: PolicyChoice


@dataclass(frozen=True)
class SetServiceTarget:
    """Override ``service_targets``: a target [fraction] for the selected series."""

    where: Selector
    target: float  #: [fraction]
    measure: ServiceMeasure | None = None  #: None: the series' own (probability) measure


@dataclass(frozen=True)
class SetReviewPeriod:
    """Override ``review_period_days``: days between reviews [days]."""

    where: Selector
    days: int


@dataclass(frozen=True)
class ChangeLeadTime:
    """Override ``lead_time``: :math:`L' = f L + \\Delta` with ``factor`` :math:`f` [-] and
    ``shift_days`` :math:`\\Delta` [days]; ``replan`` says whether the policy knows."""

    where: Selector
    shift_days: float = 0.0
    factor: float = 1.0
    replan: bool = True


@dataclass(frozen=True)
class ChangeSupplier:
    """Override ``supplier_change``: series bought from one supplier switch to another."""

    from_supplier: str
    to_supplier: str  #: a supplier id or ``"backup"``


@dataclass(frozen=True)
class SupplierOutage:
    """Override ``supplier_outage``: nothing delivered for ``duration_days`` [days]."""

    supplier: str
    start_day: int
    duration_days: int


@dataclass(frozen=True)
class FailureRule:
    """Top-level ``supplier_failures`` rule: random outages of ``suppliers`` (empty = all)."""

    suppliers: tuple[str, ...]
    rate_per_year: float
    mean_duration_days: float


@dataclass(frozen=True)
class DemandShock:
    """Override ``demand``: demand × ``multiplier`` [-] (sizes' spread × ``variability``)
    from ``start_day`` for ``duration_days`` [days]; ``replan`` False = a surprise."""

    where: Selector
    multiplier: float = 1.0
    variability: float = 1.0
    start_day: int = 0
    duration_days: int | None = None  #: None = to the end of the horizon
    replan: bool = False


@dataclass(frozen=True)
class ChangeMoq:
    """Override ``moq``: MOQ × ``multiplier`` [-] or a fixed ``quantity`` [units]."""

    where: Selector
    multiplier: float = 1.0
    quantity: float | None = None


@dataclass(frozen=True)
class SetUnmetDemand:
    """Override ``unmet_demand``: backordered or lost sales."""

    where: Selector
    lost_sales: bool


Override = (
    SetPolicy
    | SetServiceTarget
    | SetReviewPeriod
    | ChangeLeadTime
    | ChangeSupplier
    | SupplierOutage
    | DemandShock
    | ChangeMoq
    | SetUnmetDemand
)


@dataclass(frozen=True)
class Scenario:
    """A named, described set of overrides on the base."""

    name: str
    description: str = ""
    overrides: tuple[Override, ...] = ()
    body: Mapping[str, Any] = field(default_factory=dict, compare=False)  #: as written


@dataclass(frozen=True)
class Analyses:
    """Which analyses a scenario run adds to the comparison, and their settings."""

    frontier_targets: tuple[float, ...] = (0.80, 0.85, 0.90, 0.95, 0.975, 0.99, 0.995)
    frontier_scenario: str | None = None  #: scenario whose other settings the sweep keeps
    tornado_scenario: str | None = None
    tornado_swings: Mapping[str, float] = field(
        default_factory=lambda: {
            "lead_time": 0.2,
            "demand_level": 0.2,
            "variability": 0.3,
            "service_target": 0.5,
        }
    )
    calibration: bool = True
    calibration_step_days: int = 28
    calibration_history_days: int = 182
    calibration_streams: int = 4
    frontier: bool = True
    tornado: bool = True


@dataclass(frozen=True)
class ScenarioSet:
    """A scenario file: scenarios, the baseline to compare with, and run settings."""

    name: str
    description: str
    scenarios: tuple[Scenario, ...]
    baseline: str
    replications: int = 100
    horizon_days: int = 365
    warmup_days: int = 90
    seed: int = 42
    demand: DemandSource = DemandSource.BOOTSTRAP
    analyses: Analyses = field(default_factory=Analyses)
    business_case: tuple[str, str] | None = None  #: (before, after) scenario names
    supplier_failures: tuple[FailureRule, ...] = ()  #: random outages every scenario meets

    def scenario(self, name: str) -> Scenario:
        """The scenario called ``name``."""
        for scenario in self.scenarios:
            if scenario.name == name:
                return scenario
        raise KeyError(name)


# --- parsing ------------------------------------------------------------------------------


class _Reader:
    """Reads a parsed mapping, naming the file and key path in every error."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, path: str, expected: str, got: object) -> InputDataError:
        return InputDataError(f"{self.source}: {path}: expected {expected}, got {got!r}")

    def mapping(self, value: object, path: str, keys: Sequence[str]) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.fail(path, "a mapping", value)
        unknown = sorted(set(value) - set(keys))
        if unknown:
            raise InputDataError(
                f"{self.source}: {path}: unknown key {unknown[0]!r}; "
                f"expected one of {', '.join(keys)}"
            )
        return value

    def number(self, value: object, path: str, low: float, high: float, what: str) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(path, what, value)
        if not low <= float(value) <= high:
            raise self.fail(path, what, value)
        return float(value)

    def integer(self, value: object, path: str, low: int, high: int, what: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.fail(path, what, value)
        return value

    def text(self, value: object, path: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(path, "a non-empty text", value)
        return value.strip()

    def flag(self, value: object, path: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(path, "true or false", value)
        return value

    def texts(self, value: object, path: str) -> tuple[str, ...]:
        values = value if isinstance(value, list) else [value]
        return tuple(self.text(v, f"{path}[{n}]") for n, v in enumerate(values))

    def rules(self, value: object, path: str) -> list[tuple[str, Mapping[str, Any]]]:
        values = value if isinstance(value, list) else [value]
        return [(f"{path}[{n}]", v) for n, v in enumerate(values)]
