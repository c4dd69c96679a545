r"""Demand distributions over a protection interval, one per series, for a whole panel.

The demand layer hands the policy layer a :class:`DemandDistribution`: for every item-location
the distribution of demand over lead time (plus review period), as one of five families
chosen per row, all parameterised by their mean :math:`\mu` and variance :math:`\sigma^2`
(moment matching) except the empirical one, which carries draws:

=====================  ============================================================  ========
family                 parameters                                                    support
=====================  ============================================================  ========
``normal``             :math:`\mu, \sigma`                                           real
``gamma``              shape :math:`k = \mu^2/\sigma^2`, scale                       x ≥ 0
                       :math:`\theta = \sigma^2/\mu`
``negative_binomial``  :math:`r = \mu^2/(\sigma^2-\mu)`, :math:`p = \mu/\sigma^2`    0, 1, …
                       (needs :math:`\sigma^2 > \mu`; otherwise Poisson is used)
``poisson``            :math:`\mu` (variance is :math:`\mu` whatever was asked)      0, 1, …
``empirical``          draws :math:`s_1, \dots, s_n` (bootstrap)                     draws
=====================  ============================================================  ========

A row with :math:`\mu = 0` is a point mass at zero whatever its family.

Three functions serve the policy layer, each vectorised over rows (``x`` and ``p`` broadcast
against the rows):

* :meth:`DemandDistribution.cdf` — :math:`F(x) = P(X \le x)`;
* :meth:`DemandDistribution.quantile` — the smallest :math:`x` with :math:`F(x) \ge p`;
* :meth:`DemandDistribution.loss` — the first-order loss function
  :math:`n(x) = E[(X - x)^+]`, the expected shortage per cycle when stocking up to
  :math:`x`, which fill-rate targets need. Closed forms:

  - normal: :math:`n(x) = \sigma\,[\varphi(z) - z(1-\Phi(z))]`, :math:`z = (x-\mu)/\sigma`;
  - gamma: :math:`n(x) = \mu\,[1 - F_{k+1,\theta}(x)] - x\,[1 - F_{k,\theta}(x)]`;
  - Poisson / negative binomial (using :math:`y\,f(y) = \mu\, f^*(y-1)` with :math:`f^*`
    the same family with :math:`r+1` successes, or Poisson itself):
    :math:`n(x) = \mu\,[1 - F^*(\lfloor x\rfloor - 1)] - x\,[1 - F(\lfloor x\rfloor)]`;
  - empirical: the mean of :math:`(s_i - x)^+`;

* :meth:`DemandDistribution.second_order_loss` — :math:`n^{(2)}(x)`, which (s, S) and
  periodic-review fill-rate formulas need because :math:`\int_s^S n(y)\,dy = n^{(2)}(s) -
  n^{(2)}(S)` (continuous) and :math:`\sum_{y=s+1}^{S} n(y) = n^{(2)}(s) - n^{(2)}(S)`
  (discrete). Continuous rows use :math:`\tfrac12 E[((X-x)^+)^2]`, discrete rows
  :math:`\tfrac12 E[(X-x)^+ (X-x-1)^+]` at integers, linear in between (Snyder & Shen 2019,
  appendix C). Closed forms from the partial moments
  :math:`E[X;X>x]` and :math:`E[X^2;X>x]` (gamma: :math:`k\theta\,\bar F_{k+1}`,
  :math:`k(k+1)\theta^2\bar F_{k+2}`; Poisson / negative binomial: the factorial moments
  :math:`E[X(X-1);X>x] = \mu^2 \bar F(x-2)` or :math:`r(r+1)\beta^2 \bar F_{r+2}(x-2)`).

References
----------
Silver, Pyke & Thomas (2017), appendix B (normal loss function) and section 6.9 (gamma and
discrete lead-time demand). Snyder, L. V. & Shen, Z.-J. M. (2019). *Fundamentals of Supply
Chain Theory*, 2nd ed., appendix C (first- and second-order loss functions). Wiley. Axsäter, S. (2015). *Inventory Control*, 3rd ed., section 5.3
(compound Poisson and negative binomial demand). Springer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats


class Family(StrEnum):
    """Distribution family of one row."""

    NORMAL = "normal"
    GAMMA = "gamma"
    NEGATIVE_BINOMIAL = "negative_binomial"
    POISSON = "poisson"
    EMPIRICAL = "empirical"


@dataclass(frozen=True)
class DemandDistribution:
    """One demand distribution per row (series), all of a panel at once.

    Attributes
    ----------
    family : object array of :class:`Family` values, one per row
    mean : mean demand over the interval [units]
    variance : variance of demand over the interval [units²]
    samples : draws per row (rows × draws) for empirical rows; other rows are ignored.
        ``None`` when no row is empirical.
    """

    family: NDArray[np.object_]
    mean: NDArray[np.float64]
    variance: NDArray[np.float64]
    samples: NDArray[np.float64] | None = None
    _masks: dict[Family, NDArray[np.bool_]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        n = len(self.mean)
        if len(self.family) != n or len(self.variance) != n:
            raise ValueError("family, mean and variance need one element per row")
        if np.any(self.mean < 0) or np.any(self.variance < 0):
            raise ValueError("mean and variance must be non-negative")
        family = np.asarray(self.family, dtype=object)
        # a negative binomial needs variance > mean; below that a Poisson is the closest fit
        family = np.where(
            (family == Family.NEGATIVE_BINOMIAL) & (self.variance <= self.mean),
            Family.POISSON,
            family,
        )
        masks = {f: (family == f) & (self.mean > 0) for f in Family}
        if masks[Family.EMPIRICAL].any() and (self.samples is None or len(self.samples) != n):
            raise ValueError("empirical rows need samples with one row per series")
        object.__setattr__(self, "family", family)
        object.__setattr__(self, "_masks", masks)

    @classmethod
    def of(
        cls,
        family: Family | str,
        mean: ArrayLike,
        variance: ArrayLike,
        samples: ArrayLike | None = None,
    ) -> DemandDistribution:
        """A panel whose rows all share one family."""
        mu = np.atleast_1d(np.asarray(mean, dtype=np.float64))
        var = np.broadcast_to(np.asarray(variance, dtype=np.float64), mu.shape).copy()
        fam = np.full(mu.shape, Family(family), dtype=object)
        draws = None if samples is None else np.atleast_2d(np.asarray(samples, dtype=np.float64))
        return cls(family=fam, mean=mu, variance=var, samples=draws)

    @property
    def std(self) -> NDArray[np.float64]:
        """Standard deviation per row [units]."""
        return np.sqrt(self.variance)

    def cdf(self, x: ArrayLike) -> NDArray[np.float64]:
        """:math:`P(X \\le x)` per row."""
        return self._apply(x, "cdf")

    def quantile(self, p: ArrayLike) -> NDArray[np.float64]:
        """Smallest :math:`x` with :math:`F(x) \\ge p` per row (``p`` in (0, 1))."""
        prob = np.asarray(p, dtype=np.float64)
        if np.any((prob <= 0) | (prob >= 1)):
            raise ValueError("quantile probabilities must lie strictly between 0 and 1")
        return self._apply(prob, "quantile")

    def loss(self, x: ArrayLike) -> NDArray[np.float64]:
        """First-order loss :math:`E[(X - x)^+]` per row [units]."""
        return self._apply(x, "loss")

    def second_order_loss(self, x: ArrayLike) -> NDArray[np.float64]:
        """Second-order loss :math:`n^{(2)}(x)` per row [units²] (see the module docstring)."""
        return self._apply(x, "second_loss")

    def _apply(self, arg: ArrayLike, what: str) -> NDArray[np.float64]:
        value = np.broadcast_to(np.asarray(arg, dtype=np.float64), self.mean.shape)
        out = _point_mass_at_zero(value, what)
        for family, mask in self._masks.items():
            if mask.any():
                out[mask] = _KERNELS[family](self, mask, value[mask], what)
        return out


def _point_mass_at_zero(value: NDArray[np.float64], what: str) -> NDArray[np.float64]:
    if what == "cdf":
        return (value >= 0).astype(np.float64)
    if what == "quantile":
        return np.zeros_like(value)
    if what == "second_loss":
        return 0.5 * np.maximum(-value, 0.0) ** 2
    return np.maximum(-value, 0.0)


def _normal(
    d: DemandDistribution, m: NDArray[np.bool_], v: NDArray[np.float64], what: str
) -> NDArray[np.float64]:
    mu, sd = d.mean[m], d.std[m]
    degenerate = sd == 0
    sd_safe = np.where(degenerate, 1.0, sd)
    if what == "quantile":
        return np.asarray(mu + sd * stats.norm.ppf(v), dtype=np.float64)
    z = (v - mu) / sd_safe
    if what == "cdf":
        return np.where(degenerate, (v >= mu).astype(np.float64), stats.norm.cdf(z))
    if what == "second_loss":
        tail = 0.5 * sd_safe**2 * ((z**2 + 1) * stats.norm.sf(z) - z * stats.norm.pdf(z))
        return np.where(degenerate, 0.5 * np.maximum(mu - v, 0.0) ** 2, np.maximum(tail, 0.0))
    loss = sd_safe * (stats.norm.pdf(z) - z * stats.norm.sf(z))
    return np.where(degenerate, np.maximum(mu - v, 0.0), loss)


def _gamma(
    d: DemandDistribution, m: NDArray[np.bool_], v: NDArray[np.float64], what: str
) -> NDArray[np.float64]:
    mu, var = d.mean[m], d.variance[m]
    degenerate = var == 0
    var_safe = np.where(degenerate, 1.0, var)
    shape, scale = mu**2 / var_safe, var_safe / mu
    if what == "quantile":
        return np.where(degenerate, mu, stats.gamma.ppf(v, shape, scale=scale))
    if what == "cdf":
        return np.where(
            degenerate, (v >= mu).astype(np.float64), stats.gamma.cdf(v, shape, scale=scale)
        )
    x = np.maximum(v, 0.0)
    if what == "second_loss":
        tail = 0.5 * (
            shape * (shape + 1) * scale**2 * stats.gamma.sf(x, shape + 2, scale=scale)
            - 2 * x * mu * stats.gamma.sf(x, shape + 1, scale=scale)
            + x**2 * stats.gamma.sf(x, shape, scale=scale)
        )
        # below zero the whole distribution lies above v: E[(X - v)^2] / 2
        below = 0.5 * (var + (mu - v) ** 2)
        tail = np.where(v < 0, below, np.maximum(tail, 0.0))
        return np.where(degenerate, 0.5 * np.maximum(mu - v, 0.0) ** 2, tail)
    loss = mu * stats.gamma.sf(x, shape + 1, scale=scale) - x * stats.gamma.sf(
        x, shape, scale=scale
    )
    loss = np.where(v < 0, mu - v, loss)
    return np.where(degenerate, np.maximum(mu - v, 0.0), np.maximum(loss, 0.0))


def _negative_binomial(
    d: DemandDistribution, m: NDArray[np.bool_], v: NDArray[np.float64], what: str
) -> NDArray[np.float64]:
    mu, var = d.mean[m], d.variance[m]
    r, p = mu**2 / (var - mu), mu / var
    if what == "quantile":
        with np.errstate(under="ignore"):
            first = np.exp(r * np.log(p))  # P(X = 0) = p^r

        def step(k: int, pmf: NDArray[np.float64], rows: NDArray[np.intp]) -> NDArray[np.float64]:
            return np.asarray(pmf * (k + r[rows]) / (k + 1) * (1 - p[rows]), dtype=np.float64)

        fast = _discrete_quantile(v, mu, np.sqrt(var), first, step)
        slow = np.isnan(fast)
        if slow.any():
            fast[slow] = stats.nbinom.ppf(v[slow], r[slow], p[slow])
        return fast
    if what == "cdf":
        return np.asarray(stats.nbinom.cdf(np.floor(v), r, p), dtype=np.float64)
    if what == "second_loss":
        factorial = r * (r + 1) * ((1 - p) / p) ** 2  # E[X(X-1)]

        def tail(k: NDArray[np.float64]) -> NDArray[np.float64]:
            return _discrete_second_loss(
                k,
                factorial * stats.nbinom.sf(k - 2, r + 2, p),
                mu * stats.nbinom.sf(k - 1, r + 1, p),
                stats.nbinom.sf(k, r, p),
            )

        return _interpolate_integers(v, tail, mu, var)
    k = np.floor(v)
    loss = mu * stats.nbinom.sf(k - 1, r + 1, p) - v * stats.nbinom.sf(k, r, p)
    return np.where(v < 0, mu - v, np.maximum(loss, 0.0))


def _poisson(
    d: DemandDistribution, m: NDArray[np.bool_], v: NDArray[np.float64], what: str
) -> NDArray[np.float64]:
    mu = d.mean[m]
    if what == "quantile":
        with np.errstate(under="ignore"):
            first = np.exp(-mu)

        def step(k: int, pmf: NDArray[np.float64], rows: NDArray[np.intp]) -> NDArray[np.float64]:
            return np.asarray(pmf * mu[rows] / (k + 1), dtype=np.float64)

        fast = _discrete_quantile(v, mu, np.sqrt(mu), first, step)
        slow = np.isnan(fast)
        if slow.any():
            fast[slow] = stats.poisson.ppf(v[slow], mu[slow])
        return fast
    if what == "cdf":
        return np.asarray(stats.poisson.cdf(np.floor(v), mu), dtype=np.float64)
    if what == "second_loss":

        def tail(k: NDArray[np.float64]) -> NDArray[np.float64]:
            return _discrete_second_loss(
                k,
                mu**2 * stats.poisson.sf(k - 2, mu),
                mu * stats.poisson.sf(k - 1, mu),
                stats.poisson.sf(k, mu),
            )

        return _interpolate_integers(v, tail, mu, mu)
    k = np.floor(v)
    loss = mu * stats.poisson.sf(k - 1, mu) - v * stats.poisson.sf(k, mu)
    return np.where(v < 0, mu - v, np.maximum(loss, 0.0))


#: Largest quantile the recursion of :func:`_discrete_quantile` walks to; beyond it, scipy.
_MAX_RECURSION_QUANTILE = 400


def _discrete_quantile(
    p: NDArray[np.float64],
    mean: NDArray[np.float64],
    std: NDArray[np.float64],
    first: NDArray[np.float64],
    step: Callable[[int, NDArray[np.float64], NDArray[np.intp]], NDArray[np.float64]],
) -> NDArray[np.float64]:
    """Smallest integer ``k`` with ``F(k) >= p``, by summing the pmf from ``P(X = 0)`` upwards.

    ``step(k, pmf_k, rows)`` returns ``pmf_{k+1}`` for those rows. Exact, and much faster
    than scipy's generic discrete ``ppf`` for the small counts of lead-time demand; rows
    whose quantile may exceed :data:`_MAX_RECURSION_QUANTILE` (or whose ``P(X = 0)``
    underflows) are left NaN for the caller.
    """
    out = np.full(len(p), np.nan)
    bound = np.ceil(mean + 10.0 * std + 10.0)
    rows = np.flatnonzero((bound <= _MAX_RECURSION_QUANTILE) & (first > 1e-280))
    pmf, cdf = first[rows], first[rows].copy()
    target = p[rows] * (1.0 - 1e-12)  # absorb rounding of the running sum
    for k in range(_MAX_RECURSION_QUANTILE + 1):
        done = cdf >= target
        out[rows[done]] = k
        rows, pmf, cdf, target = rows[~done], pmf[~done], cdf[~done], target[~done]
        if len(rows) == 0:
            break
        pmf = step(k, pmf, rows)
        cdf = cdf + pmf
    return out


def _discrete_second_loss(
    k: NDArray[np.float64],
    factorial_tail: NDArray[np.float64],
    mean_tail: NDArray[np.float64],
    survival: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Half of E[(X-k)(X-k-1); X>k] from the partial factorial moments, at integers k."""
    value = 0.5 * (factorial_tail - 2 * k * mean_tail + k * (k + 1) * survival)
    return np.maximum(value, 0.0)


def _interpolate_integers(
    v: NDArray[np.float64],
    tail: Callable[[NDArray[np.float64]], NDArray[np.float64]],
    mu: NDArray[np.float64],
    var: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Discrete :math:`n^{(2)}` at integers, linear in between; exact for all x < 0."""
    k = np.floor(v)
    low = tail(np.maximum(k, 0.0))
    inner = low
    if np.any(v != k):  # between integers: interpolate (skipped when all x are integers)
        inner = low + (v - k) * (tail(np.maximum(k + 1, 0.0)) - low)
    # for x < 0: (1/2) E[(X - x)(X - x - 1)] = (1/2) (var + (mu - x)^2 - (mu - x))
    below = 0.5 * (var + (mu - v) ** 2 - (mu - v))
    return np.where(v < 0, below, inner)


def _empirical(
    d: DemandDistribution, m: NDArray[np.bool_], v: NDArray[np.float64], what: str
) -> NDArray[np.float64]:
    assert d.samples is not None
    draws = np.sort(d.samples[m], axis=1)
    n = draws.shape[1]
    rows = np.arange(draws.shape[0])
    if what == "quantile":
        index = np.clip(np.ceil(v * n).astype(np.int64) - 1, 0, n - 1)
        return np.asarray(draws[rows, index], dtype=np.float64)
    if what == "cdf":
        return np.asarray((draws <= v[:, None]).mean(axis=1), dtype=np.float64)
    if what == "second_loss":
        excess = np.maximum(draws - v[:, None], 0.0)
        return np.asarray(0.5 * (excess**2).mean(axis=1), dtype=np.float64)
    return np.asarray(np.maximum(draws - v[:, None], 0.0).mean(axis=1), dtype=np.float64)


_KERNELS = {
    Family.NORMAL: _normal,
    Family.GAMMA: _gamma,
    Family.NEGATIVE_BINOMIAL: _negative_binomial,
    Family.POISSON: _poisson,
    Family.EMPIRICAL: _empirical,
}
