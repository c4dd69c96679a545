r"""Lead times and supplier outages for the simulator.

**Lead times.** Each *source* (a supplier, or a transfer lane) has a lead-time distribution
in whole days, stored as a quantile table :math:`T_{j,m} = \lceil F_j^{-1}((m + ½)/M) \rfloor`,
:math:`m = 0, …, M-1`, at least one day. An order draws :math:`u \in [0, 1)` from the
lead-time stream (:mod:`replenlib.sim.streams`) and waits :math:`T_{j,\lfloor uM \rfloor}`
days — one table look-up, whatever the family, and the same :math:`u` serves every scenario.
A scenario may scale and shift it: :math:`L' = \max(1, \mathrm{round}(f L + \Delta))`.

Orders are independent, so a later order can overtake an earlier one (**order crossover**),
which is realistic for independent shipments (parcel, air) and not for one supplier's
sequential truck or sea pipeline; with *sequential deliveries* an order arrives no earlier
than the one placed before it: :math:`A_k = \max(t_k + L_k, A_{k-1})` (Hayya et al. 2008).

**Outages.** A supplier in outage delivers nothing: an arrival due on a blocked day waits for
the first open day. Random outages start as a Poisson process of rate :math:`\lambda_j`
[1/year] and last a geometric number of days of mean :math:`d_j`; they are drawn per
replication before the first day, the same for every scenario.

References
----------
Hayya, J. C., Bagchi, U., Kim, J. G. & Sun, D. (2008). On static stochastic order crossover.
*International Journal of Production Economics* 114(1), 404–413. Snyder, L. V. & Shen,
Z.-J. M. (2019). *Fundamentals of Supply Chain Theory*, 2nd ed., chapter 9 (supply
uncertainty: disruptions). Wiley.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

#: Points of each quantile table.
TABLE_POINTS = 1024
DAYS_PER_YEAR = 365.0


class LeadTimeFamily(StrEnum):
    """Distribution of one source's lead time."""

    FIXED = "fixed"  #: always the mean
    NORMAL = "normal"  #: normal, rounded to whole days, at least one day
    GAMMA = "gamma"  #: gamma by moments, rounded to whole days, at least one day
    EMPIRICAL = "empirical"  #: the observed lead times, equally likely


@dataclass(frozen=True)
class LeadTimeModel:
    """Lead-time quantile tables, one row per source [days] (see the module docstring)."""

    table: NDArray[np.float64]

    def __post_init__(self) -> None:
        if self.table.ndim != 2 or np.any(self.table < 1) or np.any(np.diff(self.table) < 0):
            raise ValueError("lead-time tables need rows of non-decreasing days >= 1")

    @property
    def n_sources(self) -> int:
        """Number of sources."""
        return len(self.table)

    @property
    def mean(self) -> NDArray[np.float64]:
        """Mean lead time per source [days]."""
        return np.asarray(self.table.mean(axis=1), dtype=np.float64)

    @property
    def std(self) -> NDArray[np.float64]:
        """Standard deviation of the lead time per source [days]."""
        return np.asarray(self.table.std(axis=1), dtype=np.float64)

    def days(self, source: NDArray[np.int64], u: NDArray[np.float64]) -> NDArray[np.float64]:
        """Lead time [days] of orders from ``source`` with stream values ``u`` in [0, 1)."""
        column = np.minimum((u * TABLE_POINTS).astype(np.int64), TABLE_POINTS - 1)
        return np.asarray(self.table[source, column], dtype=np.float64)

    @classmethod
    def from_moments(
        cls, mean: ArrayLike, std: ArrayLike, family: LeadTimeFamily = LeadTimeFamily.GAMMA
    ) -> LeadTimeModel:
        """Tables from a mean and standard deviation [days] per source."""
        mu = np.atleast_1d(np.asarray(mean, dtype=np.float64))
        sd = np.broadcast_to(np.asarray(std, dtype=np.float64), mu.shape)
        if np.any(mu <= 0) or np.any(sd < 0):
            raise ValueError("lead-time means must be positive and standard deviations >= 0")
        p = (np.arange(TABLE_POINTS) + 0.5) / TABLE_POINTS
        random = (sd > 0) & (family is not LeadTimeFamily.FIXED)
        safe_sd = np.where(random, sd, 1.0)[:, None]
        if family is LeadTimeFamily.NORMAL:
            draws = mu[:, None] + safe_sd * stats.norm.ppf(p)[None, :]
        else:
            shape = (mu[:, None] / safe_sd) ** 2
            draws = stats.gamma.ppf(p[None, :], shape, scale=safe_sd**2 / mu[:, None])
        table = np.where(random[:, None], draws, mu[:, None])
        return cls(np.maximum(np.round(table), 1.0))

    @classmethod
    def from_samples(cls, samples: ArrayLike) -> LeadTimeModel:
        """Empirical tables from observed lead times (sources × observations, NaN-padded)."""
        obs = np.atleast_2d(np.asarray(samples, dtype=np.float64))
        count = np.sum(~np.isnan(obs), axis=1)
        if np.any(count == 0):
            raise ValueError("every source needs at least one observed lead time")
        ordered = np.sort(np.where(np.isnan(obs), np.inf, obs), axis=1)
        p = (np.arange(TABLE_POINTS) + 0.5) / TABLE_POINTS
        index = np.minimum((p[None, :] * count[:, None]).astype(np.int64), count[:, None] - 1)
        return cls(np.maximum(np.round(np.take_along_axis(ordered, index, axis=1)), 1.0))

    @classmethod
    def stack(cls, *models: LeadTimeModel) -> LeadTimeModel:
        """One model holding the sources of ``models`` in order."""
        return cls(np.vstack([m.table for m in models]))


@dataclass(frozen=True)
class SupplierFailures:
    """Random outage process per source: rate [1/year] and mean duration [days]."""

    rate_per_year: NDArray[np.float64]
    mean_duration_days: NDArray[np.float64]

    def draw(self, rng: np.random.Generator, n_replications: int, n_days: int) -> Outages:
        """Outage windows per source and replication over ``n_days`` [days]."""
        rate = np.asarray(self.rate_per_year, dtype=np.float64)
        duration = np.maximum(np.asarray(self.mean_duration_days, dtype=np.float64), 1.0)
        count = rng.poisson(rate[:, None] * n_days / DAYS_PER_YEAR, (len(rate), n_replications))
        width = max(int(count.max(initial=0)), 1)
        slots = np.arange(width)[None, None, :] < count[:, :, None]
        start = rng.integers(0, max(n_days, 1), slots.shape)
        length = rng.geometric(1.0 / duration[:, None, None], slots.shape)
        return Outages(np.where(slots, start, -1), np.where(slots, start + length, -1))


@dataclass(frozen=True)
class Outages:
    """Outage windows ``[start, end)`` [day index] per source × replication × window."""

    start: NDArray[np.int64]
    end: NDArray[np.int64]

    def days(self) -> set[int]:
        """Days on which at least one source is in outage in some replication."""
        spans = [range(a, b) for a, b in zip(self.start.ravel(), self.end.ravel(), strict=True)]
        return {day for span in spans for day in span}

    def blocked_on(self, day: int) -> NDArray[np.bool_]:
        """Outage flag per source × replication on ``day``."""
        return np.asarray(np.any((self.start <= day) & (day < self.end), axis=-1), dtype=np.bool_)

    def blocked(
        self, source: NDArray[np.int64], replication: NDArray[np.int64], day: int
    ) -> NDArray[np.bool_]:
        """Whether each (source, replication) pair is in outage on ``day``."""
        start, end = self.start[source, replication], self.end[source, replication]
        return np.asarray(np.any((start <= day) & (day < end), axis=-1), dtype=np.bool_)
