"""Scenario results as tidy frames, one per ``scenario_*`` table (without the run id)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from replenlib.scenario.calibration import Calibration
from replenlib.scenario.compare import Comparison, KpiSummary
from replenlib.scenario.definition import ScenarioSet
from replenlib.scenario.frontier import Frontier
from replenlib.scenario.tornado import TornadoBar
from replenlib.sim.result import SimKpi
from replenlib.sim.system import PolicyKind


def _none_if_nan(values: pd.Series) -> pd.Series:
    return values.astype(object).where(values.notna(), None)


def definitions_frame(scenarios: ScenarioSet) -> pd.DataFrame:
    """One row per scenario with its overrides as written (JSON)."""
    return pd.DataFrame(
        {
            "scenario": [s.name for s in scenarios.scenarios],
            "position": np.arange(len(scenarios.scenarios), dtype=np.int32),
            "description": [s.description for s in scenarios.scenarios],
            "overrides": [
                json.dumps(dict(s.body), sort_keys=True, default=str) for s in scenarios.scenarios
            ],
        }
    )


def kpi_frame(rows: list[KpiSummary]) -> pd.DataFrame:
    """The comparison summary, NaN as NULL."""
    frame = pd.DataFrame(
        {
            "scenario": [r.scenario for r in rows],
            "kpi": [r.kpi.value for r in rows],
            "scope": [r.scope for r in rows],
            "unit": [r.unit for r in rows],
            **{
                name: [getattr(r, name) for r in rows]
                for name in (
                    *("mean", "std", "p05", "p95", "diff_mean", "diff_low", "diff_high"),
                    *("ref_diff_mean", "ref_diff_low", "ref_diff_high"),
                )
            },
        }
    )
    return frame.replace({np.nan: None})


def series_frame(
    comparison: Comparison,
    item_id: np.ndarray,
    location_id: np.ndarray,
    groups: dict[str, np.ndarray] | None = None,
) -> pd.DataFrame:
    """Planned levels and mean KPIs per scenario and item-location (``groups``: ERP group)."""
    group = np.full(len(item_id), None, dtype=object)
    for name, mask in (groups or {}).items():
        group[mask] = name
    kpis = comparison.result.item_kpis()

    def mean(kpi: SimKpi) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            values = kpis[kpi]
            count = np.sum(~np.isnan(values), axis=2)
            return np.where(count > 0, np.nansum(values, axis=2) / np.maximum(count, 1), np.nan)

    frames = []
    for v, (name, plan) in enumerate(zip(comparison.names, comparison.plans, strict=True)):
        nq = plan.kind == PolicyKind.REORDER_POINT_QUANTITY
        up_to = plan.kind == PolicyKind.ORDER_UP_TO
        frames.append(
            pd.DataFrame(
                {
                    "scenario": name,
                    "item_id": item_id,
                    "location_id": location_id,
                    "tier": comparison.tier.astype(str),
                    "erp_group": group,
                    "unit_cost": comparison.unit_cost,
                    "policy_type": plan.policy_type.astype(str),
                    "reorder_point": np.where(up_to, np.nan, plan.reorder_point),
                    "order_quantity": np.where(nq, plan.order_quantity, 0.0),
                    "order_up_to": np.where(nq, np.nan, plan.order_up_to),
                    "review_period_days": plan.review_period.astype(np.int32),
                    "implied_cycle_service_level": plan.implied_cycle_service_level,
                    "implied_fill_rate": plan.implied_fill_rate,
                    "fill_rate": mean(SimKpi.FILL_RATE)[v],
                    "cycle_service_level": mean(SimKpi.CYCLE_SERVICE_LEVEL)[v],
                    "stockout_rate": mean(SimKpi.STOCKOUT_RATE)[v],
                    "stockout_days": mean(SimKpi.STOCKOUT_DAYS)[v],
                    "average_on_hand": mean(SimKpi.AVERAGE_ON_HAND)[v],
                    "inventory_days": mean(SimKpi.INVENTORY_DAYS)[v],
                    "orders_placed": mean(SimKpi.ORDERS_PLACED)[v],
                    "expired_units": mean(SimKpi.EXPIRED_UNITS)[v],
                }
            )
        )
    frame = pd.concat(frames, ignore_index=True)
    for column in (
        "reorder_point",
        "order_up_to",
        "implied_cycle_service_level",
        "implied_fill_rate",
        "fill_rate",
        "cycle_service_level",
        "stockout_rate",
        "inventory_days",
    ):
        frame[column] = _none_if_nan(frame[column])
    return frame


def frontier_frame(front: Frontier) -> pd.DataFrame:
    """One row per swept target and KPI."""
    rows = [
        (float(target), kpi.value, float(s.mean[k]), float(s.p05[k]), float(s.p95[k]))
        for kpi, s in front.kpis.items()
        for k, target in enumerate(front.targets)
    ]
    frame = pd.DataFrame(rows, columns=["target", "kpi", "mean", "p05", "p95"])
    return frame.replace({np.nan: None})


def tornado_frame(bars: list[TornadoBar], scenario: str) -> pd.DataFrame:
    """One row per factor and KPI."""
    frame = pd.DataFrame(
        {
            "scenario": scenario,
            "factor": [b.factor.value for b in bars],
            "kpi": [b.kpi.value for b in bars],
            "swing": [b.swing for b in bars],
            "low": [b.low for b in bars],
            "high": [b.high for b in bars],
            "reference": [b.reference for b in bars],
        }
    )
    return frame.replace({np.nan: None})


def calibration_frame(calibration: Calibration) -> pd.DataFrame:
    """One row per tier: target against achieved, before and after."""
    frame = pd.DataFrame(
        {
            "tier": [t.tier.value for t in calibration.tiers],
            "n_series": [t.n_series for t in calibration.tiers],
            "measure": [t.measure.value for t in calibration.tiers],
            "target": [t.target for t in calibration.tiers],
            "z_before": [t.z_before for t in calibration.tiers],
            "csl_before": [t.csl_before for t in calibration.tiers],
            "fill_before": [t.fill_before for t in calibration.tiers],
            "z_after": [t.z_after for t in calibration.tiers],
            "csl_after": [t.csl_after for t in calibration.tiers],
            "fill_after": [t.fill_after for t in calibration.tiers],
            "reached": [t.reached for t in calibration.tiers],
            "replay_days": calibration.replay_days,
        }
    )
    return frame.replace({np.nan: None})
