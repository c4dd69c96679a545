r"""Simulated demand panels with known parameters, for calibration tests and benchmarks.

Each series follows one :class:`Pattern` with parameters drawn per series; the truth is kept,
so a test can compare estimates against it.

* Intermittent and lumpy demand is a Bernoulli process: a demand occurs in a period with
  probability :math:`\pi` and its size is :math:`1 + N` with :math:`N` negative binomial of
  mean :math:`\mu_z - 1` and dispersion ``size_shape`` (Poisson in the limit), so that

  .. math:: E[y] = \pi \mu_z, \qquad \mathrm{Var}[y] = \pi \sigma_z^2 + \pi(1-\pi)\mu_z^2 .

* Smooth, seasonal, trending, new and declining demand is Poisson–gamma (negative binomial)
  around a level that is flat, seasonal :math:`\ell(1 + A\sin(2\pi t/m + \varphi))`, linear,
  launched late (zeros before launch, then a ramp) or decaying to zero.

References
----------
Syntetos, A. A., Babai, M. Z. & Gardner, E. S. (2015). Forecasting intermittent inventory
demands: simple parametric methods vs. bootstrapping. *Journal of Business Research* 68(8),
1746–1752 (Bernoulli demand with compound sizes as the simulation model).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from numpy.typing import NDArray

from replenlib.demand.paths import FloatArray


class Pattern(StrEnum):
    """The true demand pattern of a simulated series."""

    SMOOTH = "smooth"
    SEASONAL = "seasonal"
    TREND = "trend"
    INTERMITTENT = "intermittent"
    LUMPY = "lumpy"
    NEW = "new"
    DECLINING = "declining"


#: Share of each pattern in a realistic medical-device panel (spares and implants are many).
DEFAULT_MIX: Mapping[Pattern, float] = {
    Pattern.SMOOTH: 0.25,
    Pattern.SEASONAL: 0.10,
    Pattern.TREND: 0.07,
    Pattern.INTERMITTENT: 0.30,
    Pattern.LUMPY: 0.18,
    Pattern.NEW: 0.05,
    Pattern.DECLINING: 0.05,
}


@dataclass(frozen=True)
class SyntheticPanel:
    """A simulated panel and its truth.

    Attributes
    ----------
    demand : (series, periods) demand [units/period]
    pattern : (series,) :class:`Pattern` values
    mean : (series, periods) true expected demand of every period [units/period]
    probability : (series,) demand probability per period (1 for non-intermittent) [-]
    size_mean : (series,) mean demand size when demand occurs [units]
    """

    demand: FloatArray
    pattern: NDArray[np.object_]
    mean: FloatArray
    probability: FloatArray
    size_mean: FloatArray


def bernoulli_demand(
    rng: np.random.Generator,
    probability: FloatArray,
    size_mean: FloatArray,
    n_periods: int,
    *,
    size_shape: float | FloatArray = 2.0,
) -> FloatArray:
    """Intermittent demand: occurrence ~ Bernoulli(π) per period, size = 1 + NB(mean μ_z − 1).

    ``probability`` and ``size_mean`` (≥ 1) have one element per series; ``size_shape`` is
    the negative binomial dispersion :math:`r` (variance of :math:`N`: :math:`m + m^2/r`).
    """
    p = np.asarray(probability, dtype=np.float64)[:, None]
    extra = np.maximum(np.asarray(size_mean, dtype=np.float64) - 1.0, 1e-9)[:, None]
    shape = np.broadcast_to(np.asarray(size_shape, dtype=np.float64), p[:, 0].shape)[:, None]
    occurs = rng.random((len(p), n_periods)) < p
    sizes = 1.0 + rng.poisson(rng.gamma(shape, extra / shape, size=(len(p), n_periods)))
    return np.asarray(np.where(occurs, sizes, 0.0), dtype=np.float64)


def simulate_panel(
    rng: np.random.Generator,
    n_series: int,
    n_periods: int = 104,
    *,
    mix: Mapping[Pattern, float] = DEFAULT_MIX,
    period: int = 52,
) -> SyntheticPanel:
    """A panel of ``n_series`` series drawn from ``mix`` (shares normalised to one)."""
    names = list(mix)
    shares = np.asarray([mix[k] for k in names], dtype=np.float64)
    pattern = np.asarray(names, dtype=object)[
        rng.choice(len(names), n_series, p=shares / shares.sum())
    ]
    t = np.arange(n_periods, dtype=np.float64)[None, :]
    level = np.exp(rng.uniform(np.log(5.0), np.log(300.0), n_series))[:, None]
    mean = np.repeat(level, n_periods, axis=1)
    mean = _shape_levels(rng, mean, pattern, t, period, n_periods)
    probability = np.ones(n_series)
    size_mean = mean[:, -1].copy()
    sparse = np.isin(pattern, [Pattern.INTERMITTENT, Pattern.LUMPY])
    probability[sparse] = np.where(
        pattern[sparse] == Pattern.LUMPY,
        rng.uniform(0.05, 0.35, sparse.sum()),
        rng.uniform(0.1, 0.6, sparse.sum()),
    )
    size_mean[sparse] = np.where(
        pattern[sparse] == Pattern.LUMPY,
        rng.uniform(3.0, 30.0, sparse.sum()),
        rng.uniform(1.0, 4.0, sparse.sum()),
    )
    dispersion = np.where(pattern == Pattern.LUMPY, 0.7, 8.0)
    demand = _poisson_gamma(rng, mean, shape=10.0)
    demand[sparse] = bernoulli_demand(
        rng, probability[sparse], size_mean[sparse], n_periods, size_shape=dispersion[sparse]
    )
    mean[sparse] = (probability * size_mean)[sparse, None]
    return SyntheticPanel(demand, pattern, mean, probability, size_mean)


def _shape_levels(
    rng: np.random.Generator,
    mean: FloatArray,
    pattern: NDArray[np.object_],
    t: FloatArray,
    period: int,
    n_periods: int,
) -> FloatArray:
    n = len(mean)
    amplitude = rng.uniform(0.2, 0.6, n)[:, None]
    phase = rng.uniform(0, 2 * np.pi, n)[:, None]
    seasonal = 1.0 + amplitude * np.sin(2 * np.pi * t / period + phase)
    growth = rng.uniform(0.005, 0.02, n)[:, None] * rng.choice([-1.0, 1.0], n)[:, None]
    trend = np.maximum(1.0 + growth * (t - n_periods / 2), 0.1)
    launch = rng.integers(n_periods // 4, n_periods - 12, n)[:, None]
    ramp = np.clip((t - launch + 1) / 12.0, 0.0, 1.0)
    decay = np.exp(-np.maximum(t - rng.integers(0, n_periods // 2, n)[:, None], 0) / 20.0)
    factor = np.select(
        [
            (pattern == Pattern.SEASONAL)[:, None],
            (pattern == Pattern.TREND)[:, None],
            (pattern == Pattern.NEW)[:, None],
            (pattern == Pattern.DECLINING)[:, None],
        ],
        [seasonal, trend, ramp, decay],
        default=np.ones_like(mean),
    )
    return np.asarray(mean * factor, dtype=np.float64)


def _poisson_gamma(rng: np.random.Generator, mean: FloatArray, shape: float) -> FloatArray:
    """Negative binomial counts with the given means and dispersion ``shape``."""
    return np.asarray(rng.poisson(rng.gamma(shape, mean / shape)), dtype=np.float64)
