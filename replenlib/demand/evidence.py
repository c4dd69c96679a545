r"""The steps of :func:`replenlib.demand.panel.plan_demand`, split where series meet.

Almost everything the demand layer does is per series. Three decisions are not: ABC classes
rank every series against all others (:func:`~replenlib.demand.segments.abc_classes`), the
method choice shrinks each series to its class winner — the best method over the class's
series (:func:`~replenlib.demand.backtest.choose_from_scores`) — and new items follow the
launch profile of their category's earlier launches
(:func:`~replenlib.demand.new_items.profiles_from_curves`). So planning demand is

1. :func:`demand_evidence` per series (segments, backtest scores) — splittable by rows;
2. :class:`DemandSummary` of the evidence: just what the shared decisions need, per series;
3. :func:`demand_context` on the summary of the *whole* panel: ABC classes, methods, profiles;
4. :func:`replenlib.demand.panel.plan_from_evidence` per series again, with the context.

:func:`~replenlib.demand.panel.plan_demand` runs the four on one panel. The nightly run's Dask
backend runs steps 1 and 4 per partition of items and step 3 once on the gathered summaries
(:meth:`DemandSummary.concat` restores the panel's row order), which gives the same numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray

from replenlib.demand.backtest import (
    BacktestResult,
    MethodChoice,
    choose_from_scores,
    criterion_scores,
    rolling_origin,
)
from replenlib.demand.error_pools import concatenation_rows
from replenlib.demand.forecasters import Forecaster, Method, registry
from replenlib.demand.lead_time import choose_family
from replenlib.demand.new_items import LaunchProfiles, launch_curves, profiles_from_curves
from replenlib.demand.paths import FloatArray
from replenlib.demand.segmentation import DemandClass, first_demand_index
from replenlib.demand.segments import Segments, abc_classes, segment

if TYPE_CHECKING:  # the panel module imports this one
    from replenlib.demand.panel import DemandConfig


@dataclass(frozen=True)
class DemandEvidence:
    """Step 1 of the module docstring for a panel (its ABC classes are its own, provisional).

    ``values`` is the panel as the demand layer reads it (NaN before the first demand);
    ``launch`` the launch period per series (NaN unknown); ``category`` integer codes.
    """

    values: FloatArray
    segments: Segments
    backtest: BacktestResult
    launch: FloatArray | None
    category: NDArray[np.int64] | None
    config: DemandConfig


def mask_before_first_demand(y: FloatArray) -> FloatArray:
    """``y`` with the periods before each row's first demand set to NaN (not started)."""
    start = first_demand_index(np.nan_to_num(y, nan=0.0))
    before = np.arange(y.shape[1])[None, :] < start[:, None]
    return np.where(before, np.nan, y)


def integer_valued(values: FloatArray) -> NDArray[np.bool_]:
    """(series,) the history holds whole units only."""
    finite = np.nan_to_num(values, nan=0.0)
    return np.asarray(np.all(finite == np.round(finite), axis=1), dtype=bool)


def demand_evidence(
    y: ArrayLike,
    config: DemandConfig,
    *,
    unit_cost: ArrayLike | None = None,
    criticality: ArrayLike | None = None,
    risk_class: ArrayLike | None = None,
    is_cold_chain: ArrayLike | None = None,
    is_active: ArrayLike | None = None,
    periods_since_launch: ArrayLike | None = None,
    category: ArrayLike | None = None,
    candidates: dict[Method, Forecaster] | None = None,
) -> DemandEvidence:
    """Segments and backtest scores of every series (parameters: :func:`.panel.plan_demand`;
    ``unit_cost`` [CNY/unit] weighs the ABC value)."""
    values = np.asarray(y, dtype=np.float64)
    if config.start_at_first_demand:
        values = mask_before_first_demand(values)
    n_series = len(values)
    segments = segment(
        values,
        np.ones(n_series) if unit_cost is None else unit_cost,
        criticality=criticality,
        risk_class=risk_class,
        is_cold_chain=is_cold_chain,
        is_active=is_active,
        periods_since_launch=periods_since_launch,
        thresholds=config.thresholds,
    )
    classes = segments.demand_class
    observed = np.maximum(np.sum(~np.isnan(values), axis=1), 1)
    level = np.nansum(values, axis=1) / observed  # mean per observed period (0 if none)
    family = choose_family(classes, level * config.backtest.horizon, integer_valued(values))
    evaluable = np.flatnonzero(~np.isin(classes, [DemandClass.NEW, DemandClass.NO_DEMAND]))
    forecasters = candidates or registry(config.period)
    result = _expand(
        rolling_origin(
            values[evaluable], forecasters, config=config.backtest, family=family[evaluable]
        ),
        evaluable,
        n_series,
    )
    launch = (
        None
        if periods_since_launch is None
        else values.shape[1] - np.asarray(periods_since_launch, dtype=np.float64)
    )
    codes = None if category is None else np.asarray(category, dtype=np.int64)
    return DemandEvidence(values, segments, result, launch, codes, config)


def _expand(result: BacktestResult, rows: NDArray[np.int64], n_series: int) -> BacktestResult:
    scores = {}
    for name, table in result.scores.items():
        full = np.full((table.shape[0], n_series), np.nan)
        full[:, rows] = table
        scores[name] = full
    points = np.zeros(n_series, np.int64)
    points[rows] = result.n_points
    return BacktestResult(result.methods, scores, result.origins, points)


@dataclass(frozen=True)
class DemandSummary:
    """What the shared decisions need from each series (step 2 of the module docstring)."""

    value: FloatArray  #: (series,) ABC value [CNY]
    volume: FloatArray  #: (series,) ABC volume [units]
    scores: FloatArray  #: (methods, series) backtest criterion
    methods: tuple[Method, ...]  #: the rows of ``scores``
    demand_class: NDArray[np.object_]  #: (series,)
    lifecycle: NDArray[np.object_]  #: (series,)
    curves: FloatArray  #: (series, profile length) launch curves; NaN rows: not references
    category: NDArray[np.int64]  #: (series,) category codes (< 0 none)

    @classmethod
    def of(cls, evidence: DemandEvidence) -> DemandSummary:
        """The summary of ``evidence``."""
        cfg, seg = evidence.config, evidence.segments
        n_series = len(evidence.values)
        return cls(
            value=seg.value,
            volume=seg.volume,
            scores=criterion_scores(evidence.backtest, cfg.criterion),
            methods=evidence.backtest.methods,
            demand_class=seg.demand_class,
            lifecycle=seg.lifecycle,
            curves=launch_curves(
                np.nan_to_num(evidence.values, nan=0.0),
                cfg.new_item_length,
                launch=evidence.launch,
            ),
            category=(
                np.zeros(n_series, np.int64) if evidence.category is None else evidence.category
            ),
        )

    @classmethod
    def concat(cls, parts: Sequence[DemandSummary], order: ArrayLike) -> DemandSummary:
        """Several partitions' summaries as one panel's; ``order`` gives, for each row of the
        concatenation, its row in the panel."""
        back = concatenation_rows(order)

        def join(name: str, axis: int = 0) -> NDArray[np.generic]:
            joined = np.concatenate([getattr(p, name) for p in parts], axis=axis)
            return joined[:, back] if axis else joined[back]

        return cls(
            value=join("value").astype(np.float64),
            volume=join("volume").astype(np.float64),
            scores=join("scores", axis=1).astype(np.float64),
            methods=parts[0].methods,
            demand_class=join("demand_class").astype(object),
            lifecycle=join("lifecycle").astype(object),
            curves=join("curves").astype(np.float64),
            category=join("category").astype(np.int64),
        )


@dataclass(frozen=True)
class DemandContext:
    """The panel-wide decisions (step 3): ABC classes, methods per series, launch profiles."""

    abc_value: NDArray[np.object_]
    abc_volume: NDArray[np.object_]
    choice: MethodChoice
    profiles: LaunchProfiles

    def take(self, rows: ArrayLike) -> DemandContext:
        """The context of a subset of the series (for the partition holding ``rows``)."""
        at = np.asarray(rows, dtype=np.int64)
        choice = replace(
            self.choice, method=self.choice.method[at], chosen_score=self.choice.chosen_score[at]
        )
        return DemandContext(self.abc_value[at], self.abc_volume[at], choice, self.profiles)

    def apply(self, segments: Segments) -> Segments:
        """``segments`` with the panel's ABC classes."""
        return replace(segments, abc_value=self.abc_value, abc_volume=self.abc_volume)


def demand_context(summary: DemandSummary, config: DemandConfig) -> DemandContext:
    """ABC classes, method choice and launch profiles of the panel ``summary`` describes."""
    limits = config.thresholds.abc
    choice = choose_from_scores(
        summary.scores,
        summary.methods,
        summary.demand_class,
        lifecycle=summary.lifecycle,
        criterion=config.criterion,
        min_gain=config.min_gain,
    )
    profiles = profiles_from_curves(summary.curves, summary.category, config.new_item_length)
    return DemandContext(
        abc_classes(summary.value, limits), abc_classes(summary.volume, limits), choice, profiles
    )
