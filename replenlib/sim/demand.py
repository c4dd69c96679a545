r"""Daily demand for the simulator: compound occurrence × size models and replayed paths.

Demand of item :math:`i` on a day is a **compound Bernoulli** variable

.. math::

    D = B \cdot X, \qquad B \sim \mathrm{Bernoulli}(p_i), \qquad X \sim F_i \ (X \ge 0),

with occurrence probability :math:`p_i` [1/day] and a size distribution :math:`F_i`
[units per occurrence] of mean :math:`m_i` and standard deviation :math:`s_i`, so that

.. math::

    E[D] = p_i m_i, \qquad \mathrm{Var}[D] = p_i (s_i^2 + m_i^2) - p_i^2 m_i^2 .

:math:`p_i = 1` with a normal size is the textbook normal daily demand; :math:`p_i < 1`
gives the intermittent and lumpy demand of Syntetos & Boylan (2005). A bootstrap model
(:meth:`DemandModel.from_history`) takes :math:`p_i` as the share of days with demand and
draws sizes from the item's own non-zero history.

The sampler draws **only what is used**: the days between occurrences are geometric, so an
item demanded once a week costs one draw for the gap and one for the size per week, not
seven; items with :math:`p_i = 1` draw sizes only. A :class:`DemandPath` replays a given
demand array instead (calibration by replay, reference tests).

References
----------
Syntetos, A. A. & Boylan, J. E. (2005). The accuracy of intermittent demand estimates.
*International Journal of Forecasting* 21(2), 303–314. Efron, B. & Tibshirani, R. (1993).
*An Introduction to the Bootstrap*. Chapman & Hall.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray


class SizeFamily(StrEnum):
    """Distribution of the size of one demand occurrence."""

    CONSTANT = "constant"  #: always the mean (zero variance)
    NORMAL = "normal"  #: normal, truncated at zero
    GAMMA = "gamma"  #: gamma by moments: shape m²/s², scale s²/m
    LOGNORMAL = "lognormal"  #: lognormal by moments
    EMPIRICAL = "empirical"  #: bootstrap from the item's observed non-zero sizes


_CODES = {family: code for code, family in enumerate(SizeFamily)}


@dataclass(frozen=True)
class DemandModel:
    """Compound daily demand per item (see the module docstring); arrays of one per item.

    Attributes
    ----------
    occurrence_probability : :math:`p` [1/day], in [0, 1]
    size_family : :class:`SizeFamily` per item (object array)
    size_mean, size_std : :math:`m, s` [units per occurrence]
    size_pool : observed sizes per item (items × P, NaN-padded); needed by empirical items
    whole_units : round sizes up to whole units (a request for 0.3 boxes is one box)
    """

    occurrence_probability: NDArray[np.float64]
    size_family: NDArray[np.object_]
    size_mean: NDArray[np.float64]
    size_std: NDArray[np.float64]
    size_pool: NDArray[np.float64] | None = None
    whole_units: bool = False
    pool_count: NDArray[np.int64] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        n = len(self.occurrence_probability)
        if not (len(self.size_family) == len(self.size_mean) == len(self.size_std) == n):
            raise ValueError("demand model arrays need one element per item")
        p = self.occurrence_probability
        if np.any((p < 0) | (p > 1)) or np.any(self.size_mean < 0) or np.any(self.size_std < 0):
            raise ValueError("need 0 <= occurrence probability <= 1 and non-negative size moments")
        family = np.asarray([SizeFamily(f) for f in self.size_family], dtype=object)
        empirical = (family == SizeFamily.EMPIRICAL) & (p > 0)
        counts = np.zeros(n, dtype=np.int64)
        if empirical.any():
            if self.size_pool is None or len(self.size_pool) != n:
                raise ValueError("empirical items need a size_pool with one row per item")
            counts = np.sum(~np.isnan(self.size_pool), axis=1).astype(np.int64)
            if np.any(counts[empirical] == 0):
                raise ValueError("an empirical item with demand needs at least one observed size")
        object.__setattr__(self, "size_family", family)
        object.__setattr__(self, "pool_count", counts)

    @property
    def n_items(self) -> int:
        """Number of items."""
        return len(self.occurrence_probability)

    @property
    def daily_mean(self) -> NDArray[np.float64]:
        """:math:`E[D] = p m` [units/day] (before rounding to whole units)."""
        return self.occurrence_probability * self.size_mean

    @property
    def daily_std(self) -> NDArray[np.float64]:
        """:math:`\\sqrt{p(s^2+m^2) - p^2 m^2}` [units/day] (before rounding to whole units)."""
        p, m, s = self.occurrence_probability, self.size_mean, self.size_std
        return np.sqrt(np.maximum(p * (s**2 + m**2) - (p * m) ** 2, 0.0))

    @classmethod
    def normal(cls, mean: ArrayLike, std: ArrayLike) -> DemandModel:
        """Normal daily demand (truncated at zero) of ``mean`` and ``std`` [units/day]."""
        m = np.atleast_1d(np.asarray(mean, dtype=np.float64))
        s = np.broadcast_to(np.asarray(std, dtype=np.float64), m.shape).copy()
        family = np.where(s > 0, SizeFamily.NORMAL, SizeFamily.CONSTANT).astype(object)
        return cls(np.ones_like(m), family, m, s)

    @classmethod
    def from_moments(
        cls,
        mean: ArrayLike,
        std: ArrayLike,
        occurrence_probability: ArrayLike = 1.0,
        family: SizeFamily = SizeFamily.GAMMA,
        *,
        whole_units: bool = False,
    ) -> DemandModel:
        """Compound model matching daily ``mean`` and ``std`` [units/day] for a given :math:`p`.

        Solves the moment equations of the module docstring for the size:
        :math:`m = \\mu/p`, :math:`s^2 = (\\sigma^2 + \\mu^2)/p - m^2`, floored at zero (a
        daily variance below what occurrence alone implies cannot be matched).
        """
        mu = np.atleast_1d(np.asarray(mean, dtype=np.float64))
        sd = np.broadcast_to(np.asarray(std, dtype=np.float64), mu.shape)
        p = np.broadcast_to(np.asarray(occurrence_probability, dtype=np.float64), mu.shape)
        p = np.where(mu > 0, np.clip(p, 1e-6, 1.0), 0.0)
        size_mean = np.where(p > 0, mu / np.maximum(p, 1e-12), 0.0)
        size_var = np.where(p > 0, (sd**2 + mu**2) / np.maximum(p, 1e-12) - size_mean**2, 0.0)
        size_std = np.sqrt(np.maximum(size_var, 0.0))
        fam = np.where(size_std > 0, family, SizeFamily.CONSTANT).astype(object)
        return cls(p, fam, size_mean, size_std, whole_units=whole_units)

    @classmethod
    def from_history(cls, history: ArrayLike, *, whole_units: bool = True) -> DemandModel:
        """Bootstrap model from daily history (items × days, NaN = not observed).

        :math:`p` is the share of observed days with demand; sizes are drawn from the item's
        non-zero daily quantities with equal probability.
        """
        y = np.atleast_2d(np.asarray(history, dtype=np.float64))
        observed = np.sum(~np.isnan(y), axis=1)
        positive = np.where(np.isnan(y), False, y > 0)
        count = positive.sum(axis=1)
        p = np.where(observed > 0, count / np.maximum(observed, 1), 0.0)
        width = max(int(count.max(initial=0)), 1)
        pool = np.full((len(y), width), np.nan)
        order = np.argsort(~positive, axis=1, kind="stable")[:, :width]
        taken = np.take_along_axis(np.where(positive, y, np.nan), order, axis=1)
        pool[:, : taken.shape[1]] = taken
        with np.errstate(invalid="ignore"):
            size_mean = np.where(count > 0, np.nanmean(np.where(positive, y, np.nan), axis=1), 0.0)
            size_std = np.where(count > 1, np.nanstd(np.where(positive, y, np.nan), axis=1), 0.0)
        family = np.full(len(y), SizeFamily.EMPIRICAL, dtype=object)
        return cls(p, family, size_mean, size_std, pool, whole_units)


class DailyDemand(Protocol):
    """What the engine asks of a demand source: base demand per key for one day."""

    @property
    def size_mean(self) -> NDArray[np.float64]:
        """Mean size of an occurrence per item [units] (centre of variability changes)."""
        ...

    def draw(self, day: int) -> NDArray[np.float64]:
        """Demand of every key (item-major, replication-minor) on ``day`` [units]."""
        ...


@dataclass(frozen=True)
class DemandPath:
    """A given demand path: items × replications × days, or items × 1 × days for a replay.

    With one path column every replication sees the same demand (calibration by replay:
    real history, with only lead times random).
    """

    quantity: NDArray[np.float64]  #: [units/day]

    @property
    def size_mean(self) -> NDArray[np.float64]:
        """Mean non-zero daily quantity per item [units]."""
        q = self.quantity
        count = np.sum(q > 0, axis=(1, 2))
        return np.where(count > 0, q.sum(axis=(1, 2)) / np.maximum(count, 1), 0.0)

    def sampler(self, n_replications: int) -> PathSampler:
        """A :class:`DailyDemand` reading this path for ``n_replications`` columns."""
        return PathSampler(self, n_replications)


class PathSampler:
    """Reads a :class:`DemandPath` day by day (see :class:`DailyDemand`)."""

    def __init__(self, path: DemandPath, n_replications: int) -> None:
        columns = path.quantity.shape[1]
        if columns not in (1, n_replications):
            raise ValueError(
                f"demand path has {columns} columns; expected 1 or {n_replications} replications"
            )
        self._path, self._reps, self.size_mean = path.quantity, n_replications, path.size_mean

    def draw(self, day: int) -> NDArray[np.float64]:
        """Demand per key on ``day`` [units]."""
        today = self._path[:, :, day]
        return np.broadcast_to(today, (today.shape[0], self._reps)).ravel()


@dataclass(frozen=True)
class BlockBootstrap:
    r"""Moving-block bootstrap of each item's daily history.

    Every ``block_days`` days each (item, replication) draws a random start
    :math:`b \sim U\{0, …, T - B\}` in its item's history of :math:`T` days and replays the
    next :math:`B` days from there. Contiguous blocks keep what resampling single days would
    destroy — weekday patterns, short runs of high or low demand, the current level of a
    series that stepped up or down — while each replication still sees a different year.
    One draw per key per block: only what is used.

    References
    ----------
    Künsch, H. R. (1989). The jackknife and the bootstrap for general stationary
    observations. *Annals of Statistics* 17(3), 1217–1241.
    """

    history: NDArray[np.float64]  #: items × days [units/day]
    block_days: int = 28

    def __post_init__(self) -> None:
        if self.history.ndim != 2 or not 1 <= self.block_days <= self.history.shape[1]:
            raise ValueError("a block bootstrap needs items × days history and 1 <= block <= days")

    @property
    def size_mean(self) -> NDArray[np.float64]:
        """Mean non-zero daily quantity per item [units]."""
        return DemandPath(self.history[:, None, :]).size_mean

    @property
    def daily_mean(self) -> NDArray[np.float64]:
        """Mean daily demand per item [units/day]."""
        return np.asarray(self.history.mean(axis=1), dtype=np.float64)

    def sampler(self, n_replications: int, rng: np.random.Generator) -> BlockSampler:
        """A :class:`DailyDemand` drawing blocks for ``n_replications`` keys per item."""
        return BlockSampler(self, n_replications, rng)


class BlockSampler:
    """Draws a :class:`BlockBootstrap` day by day (see :class:`DailyDemand`)."""

    def __init__(self, source: BlockBootstrap, n_replications: int, rng: np.random.Generator):
        self._history, self._block, self._rng = source.history, source.block_days, rng
        n_items = len(source.history)
        self._item = np.repeat(np.arange(n_items), n_replications)
        self._start = np.zeros(n_items * n_replications, dtype=np.int64)
        self.size_mean = source.size_mean

    def draw(self, day: int) -> NDArray[np.float64]:
        """Demand per key on ``day`` [units]; call with consecutive days from 0."""
        offset = day % self._block
        if offset == 0:
            last = self._history.shape[1] - self._block
            self._start = self._rng.integers(0, last + 1, len(self._item))
        return np.asarray(self._history[self._item, self._start + offset], dtype=np.float64)
