"""Planning and governance thresholds: the part of a policy version that this package owns.

A policy version is the strategy (tiers, service targets, overrides; :mod:`replenlib.policy`)
*plus* these thresholds: when a proposal needs a second approval, how long a proposal stays
valid, when an alert fires. They are versioned together, restored together and compared
together (:mod:`replenlib.governance.policy_versions`).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from typing import Any

#: Thresholds earlier releases stored that no rule reads any more: ``tracking_signal_limit``
#: (a limit on the raw tracking signal, replaced by ``bias_z_limit``, which does not depend
#: on the window length).
RETIRED: tuple[str, ...] = ("tracking_signal_limit",)


@dataclass(frozen=True)
class PlanThresholds:
    """Thresholds of the short-term plan, the approvals, the alerts and the rolling plan.

    Attributes
    ----------
    approval_value_threshold : order value above which a second-level approval is needed [CNY]
    proposal_validity_days : days after the run that proposed it that a proposal can still be
        approved [days]; later it expires (and stops counting in the inventory position)
    lateral_transfer_days : lead time of a transfer of idle stock between locations [days]
    min_transfer_quantity : smallest transfer of idle stock worth shipping [units]
    forecast_peak_ratio : forecast rate ÷ trailing-year rate above which a proposal is said to
        cover a forecast peak [-]
    projection_horizon_days : length of the projected stock curves [days]
    expiry_horizon_days : stock expiring unused within this horizon raises an alert [days]
    supplier_late_days : an open line this many days past its confirmed date is late [days]
    supplier_on_time_floor : on-time rate below which a supplier alert is raised [fraction]
    qualification_warning_days : warn this long before a supplier's qualification lapses [days]
    forecast_bias_weeks : window of the tracking signal [weeks]
    bias_z_limit : tracking signal in standard errors above which a forecast is biased [-]
        (:func:`replenlib.plan.alerts.bias_z`)
    stale_data_days : a source whose latest record is older than this is stale [days]
    rolling_horizon_months : length of the monthly rolling plan [months], 12–18
    """

    approval_value_threshold: float = 50_000.0
    proposal_validity_days: int = 7
    lateral_transfer_days: float = 3.0
    min_transfer_quantity: float = 1.0
    forecast_peak_ratio: float = 1.3
    projection_horizon_days: int = 56
    expiry_horizon_days: int = 90
    supplier_late_days: int = 7
    supplier_on_time_floor: float = 0.8
    qualification_warning_days: int = 30
    forecast_bias_weeks: int = 13
    bias_z_limit: float = 3.0
    stale_data_days: int = 7
    rolling_horizon_months: int = 18

    def __post_init__(self) -> None:
        if self.approval_value_threshold < 0:
            raise ValueError("approval_value_threshold must be >= 0 [CNY]")
        if self.proposal_validity_days < 0:
            raise ValueError("proposal_validity_days must be >= 0 [days]")
        if not 12 <= self.rolling_horizon_months <= 18:
            raise ValueError("rolling_horizon_months must lie in 12..18 [months]")
        if self.projection_horizon_days < 1:
            raise ValueError("projection_horizon_days must be >= 1 [days]")

    def to_json(self) -> str:
        """Serialise (sorted keys) for storage with a policy version."""
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str | None) -> PlanThresholds:
        """Inverse of :meth:`to_json`; ``None`` or ``""`` gives the defaults.

        Unknown keys are refused (they would silently change nothing); :data:`RETIRED` keys
        of versions stored by earlier releases are dropped.
        """
        if not text:
            return cls()
        body: dict[str, Any] = json.loads(text)
        for name in RETIRED:
            body.pop(name, None)
        known = {f.name: f.type for f in fields(cls)}
        unknown = sorted(set(body) - set(known))
        if unknown:
            raise ValueError(f"unknown plan thresholds: {', '.join(unknown)}")
        return cls(**body)
