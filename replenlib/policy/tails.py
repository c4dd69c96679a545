r"""Tail functions of lead-time demand, fast: :math:`\bar F(x)`, :math:`n(x)`, :math:`n^{(2)}(x)`.

The service formulas of :mod:`.service` need, for a demand :math:`X` and a level :math:`x`,
the survival function :math:`\bar F(x) = P(X > x)`, the loss :math:`n(x) = E[(X-x)^+]` and
the second-order loss :math:`n^{(2)}(x)`, with exactly the conventions of
:mod:`replenlib.demand.distributions` (discrete rows: :math:`n^{(2)}` linear between
integers). This module computes all three at once, from one set of special-function calls,
for the families that what-if widgets recompute many times a second:

* **closed forms** (:func:`normal_tail`, :func:`gamma_tail`, :func:`discrete_tail`) with
  ``scipy.special`` directly (no distribution objects, the incomplete gamma / beta
  functions shared between the three quantities);
* **tables** for Poisson and negative-binomial rows (:class:`DiscreteTables`): the
  probability mass function by its recursion :math:`p_{k} = p_{k-1}\,(a + b(k-1))/k`
  (negative binomial :math:`a = r(1-p)`, :math:`b = 1-p`; Poisson :math:`a = \mu`,
  :math:`b = 0`) and the tails by the exact recurrences

  .. math::

      \bar F(k) = \bar F(k-1) - p_k,\qquad n(k+1) = n(k) - \bar F(k),\qquad
      n^{(2)}(k+1) = n^{(2)}(k) - n(k+1),

  started at :math:`k = 0` from :math:`\bar F(-1) = 1`, :math:`n(0) = \mu`,
  :math:`n^{(2)}(0) = \tfrac12 E[X(X-1)]`, or at a far window's first integer from the
  closed forms. No truncation is involved: every entry is exact up to rounding
  (:math:`\approx 10^{-13}` relative), and a table answers every level inside its windows
  with two array lookups.

References
----------
Snyder, L. V. & Shen, Z.-J. M. (2019). *Fundamentals of Supply Chain Theory*, 2nd ed.,
appendix C (loss functions of discrete distributions). Johnson, N. L., Kemp, A. W. & Kotz, S.
(2005). *Univariate Discrete Distributions*, 3rd ed., §5.3 (negative binomial recursion).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np
from numpy.typing import NDArray
from scipy import special

from replenlib.demand.distributions import DemandDistribution, Family

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]


class Kind(IntEnum):
    """How the tails of one row are computed."""

    ZERO = 0  #: point mass at zero (mean 0)
    NORMAL = 1
    GAMMA = 2
    POISSON = 3
    NEGATIVE_BINOMIAL = 4
    OTHER = 5  #: empirical rows: left to :mod:`replenlib.demand.distributions`


_KIND_OF = {
    Family.NORMAL: Kind.NORMAL,
    Family.GAMMA: Kind.GAMMA,
    Family.POISSON: Kind.POISSON,
    Family.NEGATIVE_BINOMIAL: Kind.NEGATIVE_BINOMIAL,
    Family.EMPIRICAL: Kind.OTHER,
}


def kinds_of(dist: DemandDistribution) -> NDArray[np.int8]:
    """The :class:`Kind` of every row (after the distribution's own family adjustments)."""
    kind = np.full(len(dist.mean), Kind.OTHER, dtype=np.int8)
    for family, code in _KIND_OF.items():
        kind[dist.family == family] = code
    kind[dist.mean <= 0] = Kind.ZERO
    return kind


def is_discrete(kind: NDArray[np.int8]) -> NDArray[np.bool_]:
    """Rows of the two counting families."""
    return np.asarray((kind == Kind.POISSON) | (kind == Kind.NEGATIVE_BINOMIAL), dtype=bool)


@dataclass(frozen=True)
class Tail:
    """:math:`F`, :math:`\\bar F`, :math:`n` and :math:`n^{(2)}` at the given levels [-], [-],
    [units], [units²]."""

    cdf: FloatArray
    sf: FloatArray
    loss: FloatArray
    loss2: FloatArray


def point_mass_tail(x: FloatArray) -> Tail:
    """Tails of a point mass at zero."""
    below = np.maximum(-x, 0.0)
    cdf = (x >= 0).astype(np.float64)
    return Tail(cdf, 1.0 - cdf, below, 0.5 * below**2)


def normal_tail(mean: FloatArray, std: FloatArray, x: FloatArray) -> Tail:
    r"""Normal tails (:math:`z = (x-\mu)/\sigma`; a zero :math:`\sigma` is a point mass at
    :math:`\mu`): :math:`n = \sigma[\varphi(z) - z\bar\Phi(z)]`,
    :math:`n^{(2)} = \tfrac12\sigma^2[(z^2+1)\bar\Phi(z) - z\varphi(z)]`."""
    degenerate = std == 0
    sd = np.where(degenerate, 1.0, std)
    z = (x - mean) / sd
    cdf, sf = special.ndtr(z), special.ndtr(-z)
    pdf = np.exp(-0.5 * z * z) / np.sqrt(2.0 * np.pi)
    loss = sd * (pdf - z * sf)
    loss2 = np.maximum(0.5 * sd**2 * ((z**2 + 1) * sf - z * pdf), 0.0)
    if degenerate.any():
        short = np.maximum(mean - x, 0.0)
        step = (x >= mean).astype(np.float64)
        cdf, sf = np.where(degenerate, step, cdf), np.where(degenerate, 1.0 - step, sf)
        loss = np.where(degenerate, short, loss)
        loss2 = np.where(degenerate, 0.5 * short**2, loss2)
    return Tail(cdf, sf, loss, loss2)


def gamma_tail(mean: FloatArray, variance: FloatArray, x: FloatArray) -> Tail:
    r"""Gamma tails with shape :math:`k = \mu^2/\sigma^2`, scale :math:`\theta = \sigma^2/\mu`:
    :math:`n = \mu\bar F_{k+1} - x\bar F_k`,
    :math:`n^{(2)} = \tfrac12[k(k+1)\theta^2\bar F_{k+2} - 2x\mu\bar F_{k+1} + x^2\bar F_k]`
    (below zero :math:`\mu - x` and :math:`\tfrac12[\sigma^2 + (\mu-x)^2]`)."""
    degenerate = variance == 0
    var = np.where(degenerate, 1.0, variance)
    shape, scale = mean**2 / var, var / mean
    y = np.maximum(x, 0.0) / scale
    sf0, sf1, sf2 = (special.gammaincc(shape + j, y) for j in (0.0, 1.0, 2.0))
    xp = np.maximum(x, 0.0)
    loss = np.where(x < 0, mean - x, np.maximum(mean * sf1 - xp * sf0, 0.0))
    tail2 = 0.5 * (shape * (shape + 1) * scale**2 * sf2 - 2 * xp * mean * sf1 + xp**2 * sf0)
    loss2 = np.where(x < 0, 0.5 * (variance + (mean - x) ** 2), np.maximum(tail2, 0.0))
    cdf = special.gammainc(shape, y)
    if degenerate.any():
        short = np.maximum(mean - x, 0.0)
        step = (x >= mean).astype(np.float64)
        cdf, sf0 = np.where(degenerate, step, cdf), np.where(degenerate, 1.0 - step, sf0)
        loss = np.where(degenerate, short, loss)
        loss2 = np.where(degenerate, 0.5 * short**2, loss2)
    return Tail(cdf, sf0, loss, loss2)


@dataclass(frozen=True)
class CountParameters:
    """Negative binomial :math:`(r, p)` or Poisson :math:`\\mu` of each row, as the recursion
    :math:`p_k = p_{k-1}(a + b(k-1))/k` and the first mass :math:`\\log p_0`."""

    poisson: NDArray[np.bool_]
    mean: FloatArray  #: [units]
    variance: FloatArray  #: [units²] (= mean for Poisson rows)
    r: FloatArray  #: successes (nan for Poisson rows)
    p: FloatArray  #: success probability (nan for Poisson rows)
    a: FloatArray
    b: FloatArray

    @classmethod
    def of(cls, kind: NDArray[np.int8], mean: FloatArray, variance: FloatArray) -> CountParameters:
        """Parameters of Poisson, negative-binomial and zero rows (zero rows: a point mass)."""
        poisson = kind != Kind.NEGATIVE_BINOMIAL
        var = np.where(poisson, mean, variance)
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.where(poisson, np.nan, mean**2 / (var - mean))
            p = np.where(poisson, np.nan, mean / var)
        a = np.where(poisson, mean, r * (1 - p))
        b = np.where(poisson, 0.0, 1 - p)
        return cls(poisson, mean, var, r, p, a, b)

    def log_mass(self, k: FloatArray) -> FloatArray:
        """:math:`\\log P(X = k)` at integers ``k >= 0`` (``-inf`` for a point mass beyond 0)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            poisson = -self.mean + k * np.log(self.mean) - special.gammaln(k + 1)
            r, p = self.r, self.p
            negbin = (
                special.gammaln(k + r)
                - special.gammaln(r)
                - special.gammaln(k + 1)
                + r * np.log(p)
                + k * np.log1p(-p)
            )
            value = np.where(self.poisson, poisson, negbin)
        return np.where(self.mean > 0, value, np.where(k == 0, 0.0, -np.inf))

    def survival(self, k: FloatArray, extra: float = 0.0) -> FloatArray:
        """:math:`P(X > k)` at integers ``k`` of the family with ``extra`` more successes
        (negative binomial :math:`r + j`; Poisson rows ignore ``extra``)."""
        kk = np.maximum(k, 0.0)
        with np.errstate(invalid="ignore"):
            negbin = special.betainc(kk + 1, self.r + extra, 1 - self.p)
        value = np.where(self.poisson, special.pdtrc(kk, self.mean), negbin)
        value = np.where(self.mean > 0, value, 0.0)
        return np.where(k < 0, 1.0, value)

    @property
    def factorial_moment(self) -> FloatArray:
        """:math:`E[X(X-1)] = \\sigma^2 + \\mu^2 - \\mu` [units²]."""
        return self.variance + self.mean**2 - self.mean


def discrete_tail(params: CountParameters, x: FloatArray, depth: int = 3) -> Tail:
    r"""Closed-form tails of Poisson / negative-binomial rows at any real ``x``
    (as :mod:`replenlib.demand.distributions`: :math:`n(x) = \mu\bar F^*(\lfloor x\rfloor - 1)
    - x\bar F(\lfloor x\rfloor)`, :math:`n^{(2)}` linear between integers). ``depth`` as in
    :class:`DiscreteTables` (quantities not asked for are zero)."""
    k = np.floor(x)
    sf_k = params.survival(k)
    zero = np.zeros_like(sf_k)
    if depth < 2:
        return Tail(1.0 - sf_k, sf_k, zero, zero)
    mu = params.mean
    sf1 = params.survival(k - 1, 1.0)
    loss = np.where(x < 0, mu - x, np.maximum(mu * sf1 - x * sf_k, 0.0))
    if depth < 3:
        return Tail(1.0 - sf_k, sf_k, loss, zero)
    low = _second_loss(k, params.factorial_moment * params.survival(k - 2, 2.0), mu * sf1, sf_k)
    if np.any(x != k):
        up = k + 1
        high = _second_loss(
            up,
            params.factorial_moment * params.survival(up - 2, 2.0),
            mu * params.survival(up - 1, 1.0),
            params.survival(up),
        )
        low = low + (x - k) * (high - low)
    below = 0.5 * (params.variance + (mu - x) ** 2 - (mu - x))
    loss2 = np.where(x < 0, below, low)
    return Tail(1.0 - sf_k, sf_k, loss, loss2)


def _second_loss(
    k: FloatArray, factorial: FloatArray, mean: FloatArray, sf: FloatArray
) -> FloatArray:
    kk = np.maximum(k, 0.0)
    value = 0.5 * (factorial - 2 * kk * mean + kk * (kk + 1) * sf)
    return np.asarray(np.maximum(value, 0.0), dtype=np.float64)


#: Longest window of a table [integers]; rows that need more use the closed forms only
#: (from about this length, a dozen closed-form evaluations cost less than the table).
MAX_WINDOW = 1024
_SMALLEST_WINDOW = 16
_LOG_NEGLIGIBLE = -700.0


class DiscreteTables:
    r"""Exact tail tables of Poisson / negative-binomial rows over one or two windows.

    ``depth`` per row: 1 tabulates :math:`\bar F` only, 2 adds :math:`n`, 3 adds
    :math:`n^{(2)}` (entries not tabulated are zero: ask only for what was built).

    Row ``i`` has a first window ``0 .. near[i] - 1`` and, where ``far_start[i]`` is finite,
    a second one ``far_start[i] .. far_start[i] + far_length[i] - 1`` (levels shifted by a
    large lot). Both live in one flat array per quantity. :meth:`tail` answers any level;
    levels outside both windows fall back to :func:`discrete_tail`. Window lengths are
    rounded up (at most 25 %) so that rows share 2-D blocks.
    """

    def __init__(
        self,
        params: CountParameters,
        near: FloatArray,
        far_start: FloatArray,
        far_length: FloatArray,
        depth: NDArray[np.int8] | int = 3,
    ) -> None:
        self.params = params
        n = len(params.mean)
        has_far = np.isfinite(far_start)
        starts = np.concatenate([np.zeros(n), np.where(has_far, far_start, 0.0)])
        lengths = np.concatenate([near, np.where(has_far, far_length, 0.0)])
        lengths = np.where(lengths > MAX_WINDOW, 0.0, lengths)
        owner = np.concatenate([np.arange(n), np.arange(n)])
        levels = np.broadcast_to(np.asarray(depth, dtype=np.int8), (n,))
        offset, size, self.sf, self.loss, self.loss2 = _build(
            params, owner, starts, lengths, np.concatenate([levels, levels])
        )
        self.near_offset, self.near_length = offset[:n], size[:n]
        self.far_offset, self.far_length = offset[n:], size[n:]
        self.far_start = starts[n:]

    def tail(self, rows: IntArray, x: FloatArray, depth: int = 3) -> Tail:
        """Tails of table ``rows`` at levels ``x`` (same shape, or rows × candidates with
        ``rows`` as a column), up to ``depth`` (1: cdf and sf; 2: loss; 3: n²)."""
        k = np.floor(x)
        in_near = (k >= 0) & (k + 1 < self.near_length[rows])
        rel = k - self.far_start[rows]
        in_far = ~in_near & (rel >= 0) & (rel + 1 < self.far_length[rows])
        index = np.where(
            in_near, self.near_offset[rows] + k, np.where(in_far, self.far_offset[rows] + rel, 0)
        ).astype(np.intp)
        frac = x - k
        sf, loss = self.sf[index], self.loss[index]
        loss_out = loss - frac * sf
        loss2 = self.loss2[index] - frac * self.loss[index + 1]
        missing = ~(in_near | in_far)
        if missing.any():
            sub = _take(self.params, np.broadcast_to(rows, np.shape(x))[missing])
            closed = discrete_tail(sub, x[missing], depth)
            sf, loss_out, loss2 = sf.copy(), loss_out.copy(), loss2.copy()
            sf[missing], loss_out[missing], loss2[missing] = closed.sf, closed.loss, closed.loss2
        return Tail(1.0 - sf, sf, loss_out, loss2)


def _take(params: CountParameters, rows: IntArray) -> CountParameters:
    return CountParameters(
        params.poisson[rows],
        params.mean[rows],
        params.variance[rows],
        params.r[rows],
        params.p[rows],
        params.a[rows],
        params.b[rows],
    )


def _rounded(length: FloatArray) -> NDArray[np.int64]:
    """Window lengths rounded up to a quarter of their power of two (at least 16)."""
    need = np.maximum(np.ceil(length), _SMALLEST_WINDOW)
    grain = np.maximum(_SMALLEST_WINDOW, 2.0 ** np.floor(np.log2(need)) / 4)
    return np.asarray(np.ceil(need / grain) * grain, dtype=np.int64)


def _build(
    params: CountParameters,
    owner: IntArray,
    start: FloatArray,
    length: FloatArray,
    depth: NDArray[np.int8],
) -> tuple[IntArray, IntArray, FloatArray, FloatArray, FloatArray]:
    """Flat tables of every window (``owner``: its row of ``params``); returns offsets,
    lengths and the sf, n and n² arrays (windows of length 0 stay empty)."""
    size = np.where(length > 0, _rounded(length), 0)
    offset = np.zeros(len(start), dtype=np.intp)
    parts: list[tuple[FloatArray, FloatArray, FloatArray]] = []
    base = 0
    key = size * 4 + depth
    for code in np.unique(key[size > 0]):
        width, level = int(code // 4), int(code % 4)
        windows = np.flatnonzero(key == code)
        offset[windows] = base + np.arange(len(windows)) * width
        parts.append(_block(_take(params, owner[windows]), start[windows], width, level))
        base += len(windows) * width
    pad = np.zeros(2)
    sf, loss, loss2 = (np.concatenate([*(p[j].ravel() for p in parts), pad]) for j in range(3))
    return offset, size.astype(np.intp), sf, loss, loss2


def _block(
    params: CountParameters, start: FloatArray, width: int, depth: int = 3
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """sf, n and n² of rows × ``width`` integers from ``start`` by the recurrences above."""
    j = np.arange(1, width, dtype=np.float64)
    at_zero = start == 0
    log_mass = np.empty((len(start), width))
    step = log_mass[:, 1:]
    with np.errstate(divide="ignore", invalid="ignore"):
        if at_zero.all():  # the common case: shared columns k = 1, 2, ...
            np.multiply(params.b[:, None], (j - 1)[None, :], out=step)
            step += params.a[:, None]
            np.log(step, out=step)
            step -= np.log(j)[None, :]
        else:
            k = start[:, None] + j[None, :]
            np.log(params.a[:, None] + params.b[:, None] * (k - 1), out=step)
            step -= np.log(k)
        log_mass[:, 0] = params.log_mass(start)
        np.cumsum(log_mass, axis=1, out=log_mass)
    # below e^-700 the masses are negligible; clamping (NaN too) keeps them out of the slow
    # subnormal range
    np.fmax(log_mass, _LOG_NEGLIGIBLE, out=log_mass)
    mass = np.exp(log_mass, out=log_mass)
    if at_zero.all():
        before, loss_first, loss2_first = (
            np.ones(len(start)),
            params.mean,
            0.5 * params.factorial_moment,
        )
    else:
        anchor = discrete_tail(params, start, depth)
        before = np.where(at_zero, 1.0, anchor.sf + mass[:, 0])
        loss_first = np.where(at_zero, params.mean, anchor.loss)
        loss2_first = np.where(at_zero, 0.5 * params.factorial_moment, anchor.loss2)
    # sf, n and n² by running sums (tiny negative rounding is harmless: the service formulas
    # clip their differences at zero)
    sf = np.cumsum(mass, axis=1, out=mass)
    np.subtract(before[:, None], sf, out=sf)
    if depth < 2:
        return sf, np.zeros_like(sf), np.zeros_like(sf)
    loss = np.empty_like(sf)
    loss[:, 0] = 0.0
    np.cumsum(sf[:, :-1], axis=1, out=loss[:, 1:])
    np.subtract(loss_first[:, None], loss, out=loss)
    if depth < 3:
        return sf, loss, np.zeros_like(sf)
    loss2 = np.empty_like(sf)
    loss2[:, 0] = 0.0
    np.cumsum(loss[:, 1:], axis=1, out=loss2[:, 1:])
    np.subtract(loss2_first[:, None], loss2, out=loss2)
    return sf, loss, loss2
