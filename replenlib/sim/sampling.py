"""Drawing compound demand day by day, drawing only what is used.

Each (item, replication) *key* keeps the day of its next occurrence. Gaps between
occurrences are geometric with the item's occurrence probability :math:`p` (one draw per
occurrence); keys with :math:`p = 1` occur every day and skip the gap draws; keys with
:math:`p = 0` never draw. Sizes are drawn only for the keys that occur today, per size
family. The number and order of draws depend on the demand model alone, never on the
policy, so every variant simulated alongside sees the same demand.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from replenlib.sim.demand import DemandModel, SizeFamily


class _Group(NamedTuple):
    """Keys of one size family with their items and size parameters."""

    family: SizeFamily
    keys: NDArray[np.int64]
    items: NDArray[np.int64]
    a: NDArray[np.float64]
    b: NDArray[np.float64]


class DemandSampler:
    """Daily demand of a :class:`DemandModel` for ``n_replications`` keys per item."""

    def __init__(self, model: DemandModel, n_replications: int, rng: np.random.Generator) -> None:
        self._model, self._rng, self._reps = model, rng, n_replications
        self._n_keys = model.n_items * n_replications
        p_key = np.repeat(model.occurrence_probability, n_replications)
        self._sometimes = np.flatnonzero((p_key > 0.0) & (p_key < 1.0))
        self._p_sometimes = p_key[self._sometimes]
        self._next = rng.geometric(self._p_sometimes).astype(np.int64) - 1
        self._families = [f for f in SizeFamily if np.any(model.size_family == f)]
        self._family_of_item = np.asarray(
            [list(SizeFamily).index(f) for f in model.size_family], dtype=np.int8
        )
        self._a, self._b = _size_parameters(model)
        self._always = self._groups(np.flatnonzero(p_key >= 1.0))
        self.size_mean = model.size_mean

    def _groups(self, keys: NDArray[np.int64]) -> list[_Group]:
        """Split ``keys`` by the size family of their item, with the items' parameters."""
        items = keys // self._reps
        if len(self._families) == 1:
            split = [(self._families[0], keys, items)]
        else:
            codes = self._family_of_item[items]
            split = []
            for family in self._families:
                chosen = codes == list(SizeFamily).index(family)
                split.append((family, keys[chosen], items[chosen]))
        return [_Group(f, k, i, self._a[i], self._b[i]) for f, k, i in split if k.size]

    def draw(self, day: int) -> NDArray[np.float64]:
        """Demand of every key on ``day`` [units]; call with consecutive days from 0."""
        out = np.zeros(self._n_keys)
        hit = np.flatnonzero(self._next == day)
        if hit.size:
            self._next[hit] += self._rng.geometric(self._p_sometimes[hit])
        groups = self._always + (self._groups(self._sometimes[hit]) if hit.size else [])
        for group in groups:
            out[group.keys] = self._sizes(group)
        return out

    def _sizes(self, group: _Group) -> NDArray[np.float64]:
        """Sizes of the occurrences of ``group`` [units]."""
        family, a, b, n = group.family, group.a, group.b, len(group.keys)
        if family is SizeFamily.CONSTANT:
            size = a
        elif family is SizeFamily.NORMAL:
            size = np.maximum(a + b * self._rng.standard_normal(n), 0.0)
        elif family is SizeFamily.GAMMA:
            size = self._rng.standard_gamma(a) * b
        elif family is SizeFamily.LOGNORMAL:
            size = np.exp(a + b * self._rng.standard_normal(n))
        else:
            pool = self._model.size_pool
            assert pool is not None
            size = pool[group.items, (self._rng.random(n) * a).astype(np.int64)]
        return np.maximum(np.ceil(size - 1e-9), 0.0) if self._model.whole_units else size


def _size_parameters(model: DemandModel) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    r"""Per item, the two parameters each family draws with (see :meth:`DemandSampler._sizes`).

    constant: (m, –); normal: (m, s); gamma: shape :math:`m^2/s^2`, scale :math:`s^2/m`;
    lognormal: :math:`\mu = \ln m - \sigma^2/2`, :math:`\sigma^2 = \ln(1 + s^2/m^2)`;
    empirical: (number of observed sizes, –).
    """
    m = np.where(model.size_mean > 0, model.size_mean, 1.0)
    s = model.size_std
    family = model.size_family
    variance = np.where(s > 0, s**2, 1.0)
    sigma2 = np.log1p(s**2 / m**2)
    a = np.select(
        [
            family == SizeFamily.GAMMA,
            family == SizeFamily.LOGNORMAL,
            family == SizeFamily.EMPIRICAL,
        ],
        [m**2 / variance, np.log(m) - sigma2 / 2, model.pool_count.astype(np.float64)],
        model.size_mean,
    )
    b = np.select(
        [family == SizeFamily.GAMMA, family == SizeFamily.LOGNORMAL],
        [variance / m, np.sqrt(sigma2)],
        s,
    )
    return a.astype(np.float64), b.astype(np.float64)
