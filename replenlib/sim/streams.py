r"""Random streams of a simulation, arranged so that scenarios share their draws.

A simulation draws from three independent streams, all derived from the caller's
:class:`numpy.random.Generator`:

* **demand** — a child generator; every day it draws occurrences and sizes for each
  (item, replication) *key*, the same for every scenario (variant) simulated alongside;
* **supplier outages** — a child generator drawing each supplier's random outages per
  replication once, before the first day;
* **lead times** — a counter-based stream: the lead-time quantile of the :math:`k`-th order of
  key :math:`j` is :math:`u_{j,k} = \mathrm{mix}(\kappa + (2^{32} j + k)\,\gamma) / 2^{64}`,
  the SplitMix64 output at position :math:`2^{32} j + k` of a stream seeded with
  :math:`\kappa`. A scenario that orders more often or later still gives its :math:`k`-th
  order the same quantile (common random numbers synchronised by order number), without
  storing draws for orders that are never placed.

SplitMix64 passes BigCrush as a counter-based generator (Steele, Lea & Flood 2014) and is the
seeding generator of the xoshiro family.

References
----------
Steele, G. L., Lea, D. & Flood, C. H. (2014). Fast splittable pseudorandom number generators.
*OOPSLA '14*, 453–472. Law, A. M. (2015). *Simulation Modeling and Analysis*, 5th ed.,
section 11.2 (common random numbers and synchronisation). McGraw-Hill.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from replenlib.demand.keyed import GOLDEN_GAMMA, splitmix64

_SHIFT_KEY = np.uint64(32)
_TO_UNIT = 2.0**-53


@dataclass(frozen=True)
class Streams:
    """The three streams of one simulation run (see the module docstring)."""

    demand: np.random.Generator
    outages: np.random.Generator
    lead_time_seed: int

    @classmethod
    def from_rng(cls, rng: np.random.Generator) -> Streams:
        """Derive the streams from ``rng``: equal generator states give equal streams."""
        demand, outages = rng.spawn(2)
        return cls(demand, outages, int(rng.integers(0, 2**63 - 1)))


def counter_uniform(seed: int, key: ArrayLike, counter: ArrayLike) -> NDArray[np.float64]:
    """Uniform numbers in [0, 1) for positions :math:`2^{32}\\,key + counter` of a seeded stream.

    Parameters
    ----------
    seed : stream seed (the ``lead_time_seed`` of :class:`Streams`)
    key : non-negative integers below :math:`2^{32}` (e.g. item × replication)
    counter : non-negative integers below :math:`2^{32}` (e.g. the order number of a key)
    """
    position = (np.atleast_1d(np.asarray(key, dtype=np.uint64)) << _SHIFT_KEY) + np.atleast_1d(
        np.asarray(counter, dtype=np.uint64)
    )
    state = np.uint64(seed % 2**64) + position * GOLDEN_GAMMA
    return (splitmix64(state) >> np.uint64(11)).astype(np.float64) * _TO_UNIT
