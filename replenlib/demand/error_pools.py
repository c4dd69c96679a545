r"""The pooled ratios of the protection-interval error model, split into per-series terms.

:class:`~replenlib.demand.lead_time.ProtectionErrors` scales each series' error variance and
mean by ratios pooled over the series that share a method and demand class :math:`g`,

.. math::

    f_g = 1 + \frac{\sum_{i \in g} e_i}{\sum_{i \in g} \hat F_i}, \qquad
    \kappa_g = \frac{\sum_{i \in g} \mathrm{MSE}_i}{\sum_{i \in g} P_i \sigma_{1,i}^2},

so one series' lead-time demand depends on every other series of its group. The sums are the
only link: :class:`PoolTerms` holds each series' terms, :class:`ErrorPools` the ratios of a
whole panel. A panel split into partitions (the Dask backend of the nightly run) gathers the
terms of all partitions in the panel's row order, computes the pools once, and hands them
back — the ratios then equal the whole panel's to the last bit, because the sums are taken
over the same numbers in the same order. The terms themselves are measured over windows set
by the longest protection interval per method (:class:`ErrorWindows`), which the parts
agree on first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]


def pooled_table(
    numerator: ArrayLike, denominator: ArrayLike, groups: ArrayLike, *, default: float = 1.0
) -> tuple[NDArray[np.str_], FloatArray, NDArray[np.intp]]:
    r"""Per group :math:`\sum num / \sum den` (``default`` where the sum is 0).

    Returns the sorted group names, the ratio per group and each series' group index.
    """
    codes, index = np.unique(np.asarray(groups), return_inverse=True)
    num = np.bincount(index, weights=np.asarray(numerator, np.float64), minlength=len(codes))
    den = np.bincount(index, weights=np.asarray(denominator, np.float64), minlength=len(codes))
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(den > 0, num / den, default)
    return codes, np.asarray(ratio, dtype=np.float64), index


def concatenation_rows(order: ArrayLike) -> NDArray[np.int64]:
    """For each row of a panel, its row in a concatenation of partitions whose rows sit at
    panel rows ``order`` (the inverse permutation: ``concatenated[result]`` is the panel)."""
    rows = np.asarray(order, dtype=np.int64)
    back = np.empty(len(rows), dtype=np.int64)
    back[rows] = np.arange(len(rows))
    return back


@dataclass(frozen=True)
class PoolTerms:
    """Each series' terms of the pooled ratios over one protection interval (module docstring).

    Terms are 0 for series without a cumulative-error estimate.
    """

    groups: NDArray[np.str_]  #: (series,) pool of each series: ``method|class``
    error: FloatArray  #: (series,) Σ actual − forecast over the windows [units]
    forecast: FloatArray  #: (series,) Σ cumulative forecast over the windows [units]
    mse: FloatArray  #: (series,) MSE of the cumulative forecasts [units²]
    scale: FloatArray  #: (series,) :math:`P \sigma_1^2` [units²]

    @classmethod
    def concat(cls, parts: Sequence[PoolTerms], order: ArrayLike) -> PoolTerms:
        """The terms of several partitions as one panel; ``order`` gives, for each row of the
        concatenation, its row in the panel."""
        out = concatenation_rows(order)

        def join(name: str) -> FloatArray:
            return np.asarray(np.concatenate([getattr(p, name) for p in parts])[out])

        return cls(
            np.concatenate([p.groups for p in parts])[out],
            join("error"),
            join("forecast"),
            join("mse"),
            join("scale"),
        )


@dataclass(frozen=True)
class ErrorWindows:
    """The window of the cumulative-error statistics per method [periods].

    :func:`~replenlib.demand.lead_time.cumulative_errors` measures all series of one method
    at the origins where the *longest* protection interval among them fits
    (:func:`~replenlib.demand.lead_time.window_length`), so a series' error terms depend on
    the other series of its method too. A part of a panel measures with the whole panel's
    windows: the maximum over the parts (:meth:`merge`).
    """

    methods: NDArray[np.str_]  #: sorted method names
    longest: NDArray[np.int64]  #: window per method [periods]

    @classmethod
    def of(cls, longest: Mapping[str, int]) -> ErrorWindows:
        """Windows from ``{method: periods}``."""
        names = sorted(longest)
        return cls(np.asarray(names, dtype=str), np.asarray([longest[m] for m in names], np.int64))

    @classmethod
    def merge(cls, parts: Sequence[ErrorWindows]) -> ErrorWindows:
        """The windows of the panel made of ``parts`` (per method, the longest)."""
        merged: dict[str, int] = {}
        for part in parts:
            for method, longest in zip(part.methods.tolist(), part.longest.tolist(), strict=True):
                merged[method] = max(merged.get(method, 1), int(longest))
        return cls.of(merged)

    def get(self, method: str) -> int | None:
        """The window of ``method`` (None: not measured here)."""
        at = np.flatnonzero(self.methods == method)
        return int(self.longest[at[0]]) if len(at) else None


@dataclass(frozen=True)
class ErrorPools:
    """The pooled mean factor (unclipped) and κ of every group of a panel, and the windows
    its error terms were measured with (None: each panel's own)."""

    groups: NDArray[np.str_]  #: sorted group names
    mean_factor: FloatArray  #: :math:`f_g` per group [-]
    kappa: FloatArray  #: :math:`\kappa_g` per group [-]
    windows: ErrorWindows | None = None

    @classmethod
    def from_terms(cls, terms: PoolTerms, windows: ErrorWindows | None = None) -> ErrorPools:
        """The pools of the series in ``terms`` (measured with ``windows``)."""
        codes, bias, _ = pooled_table(terms.error, terms.forecast, terms.groups, default=0.0)
        _, kappa, _ = pooled_table(terms.mse, terms.scale, terms.groups)
        return cls(codes, 1.0 + bias, kappa, windows)

    def ratios(self, groups: ArrayLike) -> tuple[FloatArray, FloatArray]:
        """Mean factor and κ per series of ``groups`` (1 and 1 for a group not pooled here)."""
        names = np.asarray(groups)
        at = np.minimum(np.searchsorted(self.groups, names), max(len(self.groups) - 1, 0))
        known = self.groups[at] == names if len(self.groups) else np.zeros(len(names), dtype=bool)
        factor = np.where(known, self.mean_factor[at] if len(self.groups) else 1.0, 1.0)
        kappa = np.where(known, self.kappa[at] if len(self.groups) else 1.0, 1.0)
        return np.asarray(factor, np.float64), np.asarray(kappa, np.float64)
