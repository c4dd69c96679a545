r"""Random numbers keyed by series: a series draws the same numbers in any panel it is part of.

A generator shared by a whole panel hands out its numbers in row order, so a series' draws
depend on how many rows came before it — and change when the panel is split into partitions
(the Dask backend of the nightly run computes each item's series on some worker, with
whichever other items share its partition). Keyed draws do not: the :math:`j`-th uniform of
stream :math:`s` for a series with the 64-bit key :math:`k` is

.. math::

    b_k = \mathrm{mix}(\mathrm{mix}(\kappa) \oplus k), \qquad
    u_{k,s,j} = \mathrm{mix}\big(b_k + (2^{32} s + j)\,\gamma\big) / 2^{64},

with :math:`\mathrm{mix}` the SplitMix64 output function, :math:`\gamma` its golden-ratio
increment and :math:`\kappa` the seed (counter-based generation, as for the simulation's lead
times in :mod:`replenlib.sim.streams`). Keys are stable hashes of the series' identity (item
and location), made by the pipeline; streams number the separate uses within one computation.

References
----------
Steele, G. L., Lea, D. & Flood, C. H. (2014). Fast splittable pseudorandom number generators.
*OOPSLA '14*, 453–472. Salmon, J. K., Moraes, M. A., Dror, R. O. & Shaw, D. E. (2011).
Parallel random numbers: as easy as 1, 2, 3. *SC '11* (counter-based generators).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

#: SplitMix64's increment, the odd integer nearest :math:`2^{64}/\varphi`.
GOLDEN_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_TO_UNIT = 2.0**-53


def splitmix64(state: ArrayLike) -> NDArray[np.uint64]:
    """The SplitMix64 output function applied to ``state + γ`` (wrapping 64-bit arithmetic)."""
    z = np.atleast_1d(np.asarray(state)).astype(np.uint64) + GOLDEN_GAMMA
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return np.asarray(z ^ (z >> np.uint64(31)), dtype=np.uint64)


@dataclass(frozen=True)
class KeyedDraws:
    """Uniform and gamma draws per series, keyed by ``keys`` (module docstring).

    Attributes
    ----------
    seed : the stream seed :math:`\\kappa` (any integer; taken modulo :math:`2^{64}`)
    keys : (series,) 64-bit keys, one per row of the panel the draws are for
    """

    seed: int
    keys: NDArray[np.uint64]

    @classmethod
    def from_rng(cls, rng: np.random.Generator, keys: ArrayLike) -> KeyedDraws:
        """Keyed draws whose seed is the next number of ``rng`` (equal states: equal draws)."""
        return cls(int(rng.integers(0, 2**63 - 1)), np.asarray(keys, dtype=np.uint64))

    def take(self, rows: ArrayLike) -> KeyedDraws:
        """The draws of a subset of the rows (the same numbers those rows draw here)."""
        return KeyedDraws(self.seed, self.keys[np.asarray(rows)])

    def uniform(self, stream: int, n_draws: int) -> NDArray[np.float64]:
        """(series, n_draws) uniforms in [0, 1) of stream ``stream`` (below :math:`2^{31}`)."""
        base = splitmix64(splitmix64(np.uint64(self.seed % 2**64)) ^ self.keys)
        counter = (np.uint64(stream) << np.uint64(32)) + np.arange(n_draws, dtype=np.uint64)
        state = base[:, None] + counter[None, :] * GOLDEN_GAMMA
        bits = splitmix64(state.ravel()).reshape(state.shape)
        return (bits >> np.uint64(11)).astype(np.float64) * _TO_UNIT

    def gamma(self, stream: int, shape: ArrayLike, n_draws: int) -> NDArray[np.float64]:
        """(series, n_draws) gamma variates of unit scale by inversion, :math:`F^{-1}(u)`."""
        a = np.asarray(shape, dtype=np.float64)[:, None]
        return np.asarray(special.gammaincinv(a, self.uniform(stream, n_draws)), dtype=np.float64)
