"""The nightly run's demand stage: segments, method choice by backtest, forecasts, and the
lead-time demand distribution, computed from the planning inputs and written to the store.

Layer 3: it reads a little item master the planning inputs lack (launch dates), calls
:func:`replenlib.demand.panel.plan_demand` on the weekly panel and turns the result into the
frames of the tables ``segments``, ``forecast_backtests``, ``forecast_values`` and
``lead_time_demand`` (see :mod:`replenlib.store.schema`). Weeks that end before an item's
launch date are NaN in the panel — the series has not started — so a product launched last
month is not mistaken for one that sold nothing for two years.

Planning uses :attr:`DemandStage.forecast` (flat weekly rate and error per series, the chosen
method's) and :meth:`DemandStage.lead_time_demand`, which converts lead times and review
periods from days to the panel's weeks. Both are the demand each stock point must **cover**:
a stock point that replenishes others (central warehouse → DCs → hospitals) covers its own
customers' demand plus theirs, rolled up the network (:mod:`replenlib.demand.echelon`).
Segments, backtests and ``forecast_values`` stay each location's own customers' demand.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import duckdb
import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from replenlib.demand.distributions import DemandDistribution, Family
from replenlib.demand.error_pools import ErrorPools, ErrorWindows, PoolTerms
from replenlib.demand.evidence import (
    DemandContext,
    DemandEvidence,
    DemandSummary,
    demand_context,
    demand_evidence,
)
from replenlib.demand.keyed import KeyedDraws
from replenlib.demand.lead_time import LeadTimeModel
from replenlib.demand.overlay import overlay_known_demand
from replenlib.demand.panel import (
    DemandConfig,
    DemandPlan,
    PanelDemandForecast,
    plan_from_evidence,
)
from replenlib.pipeline.inputs import PlanningInputs
from replenlib.policy.service import CycleDemand, review_period_moments, third_central_moment
from replenlib.policy.strategy import SegmentAttributes

log = logging.getLogger(__name__)

DAYS_PER_WEEK = 7.0
#: Quantiles of lead-time demand written to ``lead_time_demand``.
LEAD_TIME_QUANTILES = (0.5, 0.9, 0.95, 0.99)
#: Share of a CRM signal's quantity the history-based forecast already expects, per kind
#: (:mod:`replenlib.demand.overlay`): scheduled surgeries and call-offs under a running
#: contract are the routine demand the history shows (1: the max rule); a won tender is
#: new business on top (0: added).
BASELINE_SHARE = {"surgery": 1.0, "contract": 1.0, "tender": 0.0}
#: Signal statuses that count as known future demand (cancelled ones do not).
KNOWN_STATUSES = ("scheduled", "open", "won")


@dataclass(frozen=True)
class KnownDemand:
    """CRM known demand per series and future week (week 1 = the 7 days after the run day).

    A signal of quantity :math:`q` expected with probability :math:`p` contributes
    :math:`pq` to ``quantity`` and :math:`p(1-p)q^2` to ``variance``; ``baseline_share`` is
    the quantity-weighted share of :data:`BASELINE_SHARE` of the signals of a week.
    """

    quantity: NDArray[np.float64]  #: (series, weeks) [base units/week]
    variance: NDArray[np.float64]  #: (series, weeks) [base units²]
    baseline_share: NDArray[np.float64]  #: (series, weeks) [-]


@dataclass(frozen=True)
class DemandStageConfig:
    """Parameters of the demand stage."""

    demand: DemandConfig = field(default_factory=DemandConfig)
    forecast_weeks: int = 13  #: weeks of time-phased forecasts written per series
    lead_time_model: LeadTimeModel = LeadTimeModel.PARAMETRIC
    bootstrap_seed: int = 20240601  #: seed of the bootstrap model's random numbers


@dataclass(frozen=True)
class CycleWindows:
    """Error windows (:class:`~replenlib.demand.error_pools.ErrorWindows`) of a panel's cycle
    demand: per echelon level, over the protection interval and over the lead time alone."""

    protection: list[ErrorWindows]
    lead: list[ErrorWindows]

    @classmethod
    def gather(cls, parts: Sequence[CycleWindows]) -> CycleWindows:
        """The windows of the panel made of ``parts``. A part with fewer echelon levels has,
        at the deeper levels, its level-0 windows (no member of it moves)."""

        def merged(levels: list[list[ErrorWindows]]) -> list[ErrorWindows]:
            depth = max(len(w) for w in levels)
            return [
                ErrorWindows.merge([w[k] if k < len(w) else w[0] for w in levels])
                for k in range(depth)
            ]

        return cls(merged([p.protection for p in parts]), merged([p.lead for p in parts]))


@dataclass(frozen=True)
class CycleTerms:
    """Pool terms (:mod:`replenlib.demand.error_pools`) of a panel's cycle demand: per echelon
    level, over the protection interval and over the lead time alone."""

    protection: list[PoolTerms]
    lead: list[PoolTerms]


@dataclass(frozen=True)
class CyclePools:
    """The pooled error ratios of a whole panel's cycle demand, per echelon level."""

    protection: list[ErrorPools]
    lead: list[ErrorPools]

    @classmethod
    def gather(
        cls, parts: Sequence[CycleTerms], order: ArrayLike, windows: CycleWindows | None = None
    ) -> CyclePools:
        """The pools of the panel made of ``parts`` (measured with ``windows``); ``order``
        gives, for each row of the parts one after another, its row in the panel. A part with
        fewer echelon levels has, at the deeper levels, its level-0 terms."""

        def pools(
            levels: list[list[PoolTerms]], measured: list[ErrorWindows] | None
        ) -> list[ErrorPools]:
            depth = max(len(terms) for terms in levels)
            return [
                ErrorPools.from_terms(
                    PoolTerms.concat([t[k] if k < len(t) else t[0] for t in levels], order),
                    None if measured is None else measured[k],
                )
                for k in range(depth)
            ]

        return cls(
            pools([p.protection for p in parts], None if windows is None else windows.protection),
            pools([p.lead for p in parts], None if windows is None else windows.lead),
        )


@dataclass(frozen=True)
class DemandStage:
    """The demand layer's result for one run, aligned to ``keys`` (the planning series order).

    With ``series_keys`` (a stable 64-bit key per series) the bootstrap draws each series' own
    random numbers (:class:`~replenlib.demand.keyed.KeyedDraws`), so its lead-time demand is
    the same however the run's items are partitioned.
    """

    as_of: date
    keys: pd.DataFrame  #: item_id, location_id
    plan: DemandPlan
    config: DemandStageConfig = field(default_factory=DemandStageConfig)
    known: KnownDemand | None = None  #: CRM signals; None when there are none
    series_keys: NDArray[np.uint64] | None = None

    @property
    def forecast(self) -> PanelDemandForecast:
        """Flat weekly rate, one-week error std, chosen method and class per series."""
        return self.plan.panel_forecast()

    def lead_time_demand(
        self,
        lead_time_days: ArrayLike,
        lead_time_std_days: ArrayLike,
        review_period_days: ArrayLike,
        pools: Sequence[ErrorPools] | None = None,
    ) -> DemandDistribution:
        """Demand over lead time + review period per series [base units] (times in days);
        ``pools``: the whole panel's when this stage is a partition of it."""
        seeded = np.random.default_rng(self.config.bootstrap_seed)
        rng = seeded if self.series_keys is None else KeyedDraws.from_rng(seeded, self.series_keys)
        known = self.known
        return self.plan.lead_time_demand(
            np.asarray(lead_time_days, dtype=np.float64) / DAYS_PER_WEEK,
            np.asarray(lead_time_std_days, dtype=np.float64) / DAYS_PER_WEEK,
            np.asarray(review_period_days, dtype=np.float64) / DAYS_PER_WEEK,
            model=self.config.lead_time_model,
            rng=rng,
            known=None if known is None else known.quantity,
            baseline_share=1.0 if known is None else known.baseline_share,
            known_variance=None if known is None else known.variance,
            pools=pools,
        )

    def pool_terms(
        self,
        lead_time_days: ArrayLike,
        review_period_days: ArrayLike,
        windows: Sequence[ErrorWindows] | None = None,
    ) -> list[PoolTerms]:
        """Pool terms per echelon level of :meth:`lead_time_demand` with these times [days]."""
        return self.plan.pool_terms_by_level(
            np.asarray(lead_time_days, dtype=np.float64) / DAYS_PER_WEEK,
            np.asarray(review_period_days, dtype=np.float64) / DAYS_PER_WEEK,
            windows,
        )

    def cycle_windows(
        self, lead_time_days: ArrayLike, review_period_days: ArrayLike
    ) -> CycleWindows:
        """The error windows of :meth:`cycle_demand` with these times [days]."""
        lead = np.asarray(lead_time_days, dtype=np.float64) / DAYS_PER_WEEK
        review = self._review(review_period_days) / DAYS_PER_WEEK
        return CycleWindows(
            self.plan.windows_by_level(lead, review),
            self.plan.windows_by_level(lead, np.zeros(len(review))),
        )

    def cycle_terms(
        self,
        lead_time_days: ArrayLike,
        review_period_days: ArrayLike,
        windows: CycleWindows | None = None,
    ) -> CycleTerms:
        """The pool terms of :meth:`cycle_demand` with these times [days], measured with the
        whole panel's ``windows`` (default: this panel's own)."""
        review = self._review(review_period_days)
        protection, lead = (None, None) if windows is None else (windows.protection, windows.lead)
        return CycleTerms(
            self.pool_terms(lead_time_days, review, protection),
            self.pool_terms(lead_time_days, np.zeros(len(review)), lead),
        )

    def _review(self, review_period_days: ArrayLike) -> NDArray[np.float64]:
        n = len(self.keys)
        return np.broadcast_to(np.asarray(review_period_days, dtype=np.float64), (n,))

    def segment_attributes(
        self, base: SegmentAttributes, active: ArrayLike | None = None
    ) -> SegmentAttributes:
        """``base`` (item master columns) with this stage's ABC, XYZ, class and lifecycle.

        Items inactive in the item master are end of life whatever their history says.
        """
        seg = self.plan.segments
        lifecycle = seg.lifecycle.copy()
        if active is not None:
            lifecycle[~np.asarray(active, dtype=bool)] = "end_of_life"
        return replace(
            base,
            abc_value=seg.abc_value.astype(str).astype(object),
            abc_volume=seg.abc_volume.astype(str).astype(object),
            xyz=seg.xyz.astype(str).astype(object),
            demand_class=seg.demand_class.astype(str).astype(object),
            lifecycle=lifecycle.astype(str).astype(object),
        )

    def cycle_demand(
        self,
        lead_time_days: ArrayLike,
        lead_time_std_days: ArrayLike,
        review_period_days: ArrayLike,
        active: ArrayLike | None = None,
        pools: CyclePools | None = None,
    ) -> CycleDemand:
        """The policy layer's cycle demand from this stage's distributions [base units].

        Protection interval (lead time + review period) and lead time alone come from
        :meth:`lead_time_demand` (the same random numbers for both, so a bootstrap row's
        lead-time demand never exceeds its protection demand); one review period's mean and
        variance from the chosen method's weekly rate and one-step error, or from the
        protection interval where only known demand is expected
        (:func:`~replenlib.policy.service.review_period_moments`). Inactive series demand
        nothing. ``pools``: the whole panel's when this stage is a partition of it.
        """
        n = len(self.keys)
        review = np.broadcast_to(np.asarray(review_period_days, dtype=np.float64), (n,))
        live = np.ones(n, bool) if active is None else np.asarray(active, dtype=bool)
        times = (lead_time_days, lead_time_std_days)
        protection = _only(
            self.lead_time_demand(*times, review, None if pools is None else pools.protection),
            live,
        )
        lead = _only(
            self.lead_time_demand(*times, np.zeros(n), None if pools is None else pools.lead),
            live,
        )
        flat = self.forecast
        rate = np.where(live, flat.mean / DAYS_PER_WEEK, 0.0)
        variance = np.where(live, flat.std**2 / DAYS_PER_WEEK, 0.0)
        days = np.asarray(lead_time_days, dtype=np.float64) + review
        review_mean, review_var = review_period_moments(protection, days, review, rate, variance)
        third = third_central_moment(protection.family, review_mean, review_var)
        return CycleDemand(protection, lead, review_mean, review_var, third)

    def frames(
        self,
        lead_time_demand: DemandDistribution | None = None,
        protection_days: ArrayLike | None = None,
    ) -> dict[str, pd.DataFrame]:
        """Rows (without ``run_id``) of the demand tables; ``lead_time_demand`` needs both."""
        tables = {
            "segments": segment_frame(self.keys, self.plan),
            "forecast_backtests": backtest_frame(self.keys, self.plan),
            "forecast_values": forecast_value_frame(
                self.keys, self.plan, self.as_of, self.config.forecast_weeks, self.known
            ),
        }
        if lead_time_demand is not None and protection_days is not None:
            tables["lead_time_demand"] = lead_time_demand_frame(
                self.keys, lead_time_demand, protection_days
            )
        return tables


def _only(distribution: DemandDistribution, rows: NDArray[np.bool_]) -> DemandDistribution:
    """``distribution`` with every row outside ``rows`` a point mass at zero."""
    if rows.all():
        return distribution
    family = np.where(rows, distribution.family, Family.POISSON)
    return DemandDistribution(
        family=np.asarray(family, dtype=object),
        mean=np.where(rows, distribution.mean, 0.0),
        variance=np.where(rows, distribution.variance, 0.0),
        samples=distribution.samples,
    )


def run_demand_stage(
    con: duckdb.DuckDBPyConnection, inputs: PlanningInputs, config: DemandStageConfig | None = None
) -> DemandStage:
    """Segment, backtest, choose and forecast every series of ``inputs`` (one panel)."""
    cfg = config or DemandStageConfig()
    launch = launch_dates(con, inputs.series)
    evidence = evidence_of(inputs, launch, category_codes(inputs.series), cfg)
    context = demand_context(DemandSummary.of(evidence), cfg.demand)
    known = read_known_demand(con, stage_keys(inputs), inputs.as_of, cfg.demand.horizon)
    return stage_of(inputs, evidence, context, known, cfg)


def category_codes(series: pd.DataFrame) -> NDArray[np.int64]:
    """Integer code per series of its item category (−1 unknown), for the new-item profiles."""
    codes, _ = pd.factorize(series["category"], use_na_sentinel=True)
    return np.asarray(codes, dtype=np.int64)


def stage_keys(inputs: PlanningInputs) -> pd.DataFrame:
    """item_id, location_id of the planning series, indexed 0..n-1."""
    return inputs.series[["item_id", "location_id"]].reset_index(drop=True)


def evidence_of(
    inputs: PlanningInputs,
    launch: NDArray[np.float64],
    category: NDArray[np.int64],
    config: DemandStageConfig,
) -> DemandEvidence:
    """Steps 1–2 of :mod:`replenlib.demand.evidence` for the series of ``inputs``
    (``launch``: days since the epoch per series, :func:`launch_dates`)."""
    series = inputs.series
    weeks = inputs.weekly_demand.shape[1]
    return demand_evidence(
        mask_before_launch(inputs.weekly_demand, launch, inputs.as_of),
        config.demand,
        unit_cost=series["unit_cost"].to_numpy(dtype=np.float64),
        criticality=series["criticality"].to_numpy(dtype=object),
        risk_class=series["risk_class"].to_numpy(dtype=object),
        is_cold_chain=series["is_cold_chain"].to_numpy(dtype=bool),
        is_active=series["is_active"].to_numpy(dtype=bool),
        periods_since_launch=_weeks_since(launch, inputs.as_of, weeks),
        category=category,
    )


def stage_of(
    inputs: PlanningInputs,
    evidence: DemandEvidence,
    context: DemandContext,
    known: KnownDemand | None,
    config: DemandStageConfig,
    series_keys: NDArray[np.uint64] | None = None,
) -> DemandStage:
    """The demand stage from ``evidence`` and the panel's ``context`` (for exactly these series)."""
    plan = plan_from_evidence(evidence, context)
    log.info("demand stage: %d series, methods %s", len(plan.method), _counts(plan.method))
    # a parent stock point covers its own customers and the stock points it replenishes
    plan = replace(plan, parent=inputs.parent_row)
    return DemandStage(
        as_of=inputs.as_of,
        keys=stage_keys(inputs),
        plan=plan,
        config=config,
        known=known,
        series_keys=series_keys,
    )


def read_known_demand(
    con: duckdb.DuckDBPyConnection, keys: pd.DataFrame, as_of: date, weeks: int
) -> KnownDemand | None:
    """CRM signals (table ``demand_signals``) of the next ``weeks`` weeks, aligned to ``keys``."""
    signals = con.execute(
        f"""
        SELECT item_id, location_id, kind, quantity, probability,
               CAST((date_diff('day', ?::DATE, signal_date) - 1) // 7 AS INTEGER) AS week
        FROM demand_signals
        WHERE status IN {KNOWN_STATUSES} AND signal_date > ?::DATE
          AND date_diff('day', ?::DATE, signal_date) <= ?
        """,
        [as_of, as_of, as_of, 7 * weeks],
    ).df()
    rows = keys.reset_index(drop=True).reset_index().rename(columns={"index": "row"})
    signals = signals.merge(rows, on=["item_id", "location_id"], how="inner")
    if signals.empty:
        return None
    shape = (len(keys), weeks)
    r, w = signals["row"].to_numpy(), signals["week"].to_numpy()
    q, p = signals["quantity"].to_numpy(np.float64), signals["probability"].to_numpy(np.float64)
    share = signals["kind"].map(BASELINE_SHARE).fillna(1.0).to_numpy(np.float64)
    quantity, variance, weighted = np.zeros(shape), np.zeros(shape), np.zeros(shape)
    np.add.at(quantity, (r, w), p * q)
    np.add.at(variance, (r, w), p * (1 - p) * q**2)
    np.add.at(weighted, (r, w), share * p * q)
    with np.errstate(invalid="ignore", divide="ignore"):
        baseline = np.where(quantity > 0, weighted / quantity, 1.0)
    return KnownDemand(quantity=quantity, variance=variance, baseline_share=baseline)


def mask_before_launch(
    weekly: NDArray[np.float64], launch: NDArray[np.float64], as_of: date
) -> NDArray[np.float64]:
    """NaN for weeks that end before the launch; ``launch`` is days since the epoch (NaN = unknown).

    Week ``w`` of ``W`` ends ``7 (W - 1 - w)`` days before ``as_of``.
    """
    n_weeks = weekly.shape[1]
    week_end = _epoch_days(as_of) - DAYS_PER_WEEK * (n_weeks - 1 - np.arange(n_weeks))
    before = week_end[None, :] < np.nan_to_num(launch, nan=-np.inf)[:, None]
    return np.where(before, np.nan, weekly)


def _epoch_days(day: date) -> float:
    return float((day - date(1970, 1, 1)).days)


def _weeks_since(launch: NDArray[np.float64], as_of: date, cap: int) -> NDArray[np.float64]:
    weeks = (_epoch_days(as_of) - launch) / DAYS_PER_WEEK
    return np.where(np.isnan(weeks), np.nan, np.clip(weeks, 0, cap))


def launch_dates(con: duckdb.DuckDBPyConnection, series: pd.DataFrame) -> NDArray[np.float64]:
    """Launch date per series as days since 1970-01-01 (NaN where the item master has none)."""
    rows = con.execute(
        "SELECT item_id, date_diff('day', DATE '1970-01-01', launch_date) AS launch FROM items"
    ).df()
    merged = series[["item_id"]].merge(rows, on="item_id", how="left")
    return merged["launch"].to_numpy(dtype=np.float64, na_value=np.nan)


def _counts(values: NDArray[np.object_]) -> dict[str, int]:
    names, counts = np.unique(values.astype(str), return_counts=True)
    return {str(n): int(c) for n, c in zip(names, counts, strict=True)}


def segment_frame(keys: pd.DataFrame, plan: DemandPlan) -> pd.DataFrame:
    """Rows of ``segments``."""
    seg = plan.segments
    return keys.assign(
        abc_value=seg.abc_value.astype(str),
        abc_volume=seg.abc_volume.astype(str),
        xyz=seg.xyz.astype(str),
        demand_class=seg.demand_class.astype(str),
        lifecycle=seg.lifecycle.astype(str),
        volume=seg.volume,
        value=seg.value,
        cv=seg.cv,
        adi=seg.adi,
        cv2=seg.cv2,
        trend_ratio=seg.trend_ratio,
        age_weeks=seg.age,
    )


def backtest_frame(keys: pd.DataFrame, plan: DemandPlan) -> pd.DataFrame:
    """Rows of ``forecast_backtests``: one per series and candidate method with a score."""
    result = plan.backtest
    pinball = [name for name in result.scores if name.startswith("pinball_")]
    parts = []
    for row, method in enumerate(result.methods):
        scores = {
            name: result.scores[name][row] for name in ("mae", "bias", "mase", "rmsse", "spis")
        }
        mean_pinball = (
            np.mean([result.scores[n][row] for n in pinball], axis=0) if pinball else np.nan
        )
        part = keys.assign(
            method=method.value,
            **scores,
            pinball=mean_pinball,
            n_points=result.n_points.astype(np.int32),
            chosen=plan.method == method.value,
        )
        parts.append(part[result.n_points > 0])
    columns = [
        *keys.columns,
        "method",
        "mae",
        "bias",
        "mase",
        "rmsse",
        "spis",
        "pinball",
        "n_points",
        "chosen",
    ]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)


def forecast_value_frame(
    keys: pd.DataFrame, plan: DemandPlan, as_of: date, weeks: int, known: KnownDemand | None = None
) -> pd.DataFrame:
    """Rows of ``forecast_values``: weekly mean and 80 % / 95 % intervals.

    With known demand the mean is the overlay of :mod:`replenlib.demand.overlay`; interval
    bounds become known + the statistical bounds scaled by the remainder's share of the
    forecast (the known part is certain).
    """
    horizon = min(weeks, plan.forecast.shape[1])
    intervals = plan.interval_forecast((0.8, 0.95))
    forecast = plan.forecast[:, :horizon]
    mean, known_part, scale = forecast, np.zeros_like(forecast), np.ones_like(forecast)
    if known is not None:
        overlaid = overlay_known_demand(
            forecast, 0.0, known.quantity[:, :horizon], known.baseline_share[:, :horizon]
        )
        mean, known_part = overlaid.mean, overlaid.known
        with np.errstate(invalid="ignore", divide="ignore"):
            scale = np.where(forecast > 0, overlaid.remainder / forecast, 1.0)

    def bound(values: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.asarray((known_part + scale * values[:, :horizon]).ravel(), dtype=np.float64)

    n = len(keys)
    h = np.arange(1, horizon + 1)
    start = np.datetime64(as_of + timedelta(days=1), "D") + 7 * (h - 1)
    return pd.DataFrame(
        {
            "item_id": np.repeat(keys["item_id"].to_numpy(), horizon),
            "location_id": np.repeat(keys["location_id"].to_numpy(), horizon),
            "horizon": np.tile(h, n).astype(np.int32),
            "period_start": pd.to_datetime(np.tile(start, n)),
            "period_end": pd.to_datetime(np.tile(start + 6, n)),
            "mean": mean.ravel(),
            "known": known_part.ravel(),
            "lower_80": bound(intervals.lower[0]),
            "upper_80": bound(intervals.upper[0]),
            "lower_95": bound(intervals.lower[1]),
            "upper_95": bound(intervals.upper[1]),
        }
    )


def lead_time_demand_frame(
    keys: pd.DataFrame, distribution: DemandDistribution, protection_days: ArrayLike
) -> pd.DataFrame:
    """Rows of ``lead_time_demand``: family, moments and quantiles per series."""
    quantiles = {f"q{round(100 * q)}": distribution.quantile(q) for q in LEAD_TIME_QUANTILES}
    return keys.assign(
        family=distribution.family.astype(str),
        protection_days=np.broadcast_to(
            np.asarray(protection_days, dtype=np.float64), (len(keys),)
        ),
        mean=distribution.mean,
        std=distribution.std,
        **quantiles,
    )
