r"""Supplier lead times: empirical statistics, fitted distributions, and the figure policy uses.

Observed lead times :math:`x_1..x_n` [days] (order date to first receipt of a purchase order
line) are summarised per group (a supplier, or an item-supplier pair) by their count, mean,
sample variance, coefficient of variation and empirical quantiles (linear interpolation,
Hyndman & Fan type 7), and fitted by maximum likelihood with

* a **gamma** distribution: shape :math:`k` from Minka's approximation
  :math:`k \approx \frac{3 - s + \sqrt{(s-3)^2 + 24 s}}{12 s}`,
  :math:`s = \ln \bar x - \overline{\ln x}`, refined by one Newton step, and scale
  :math:`\theta = \bar x / k`;
* a **log-normal** distribution: :math:`\mu = \overline{\ln x}`, :math:`\sigma^2 =
  \overline{(\ln x - \mu)^2}`.

The better of the two by log-likelihood is reported as the fitted distribution; with fewer than
``min_fit`` observations, or no spread at all, the empirical summary stands alone. Lead times of
0 days are treated as half a day for the fits.

**What policy uses.** Few observations of one item-supplier pair are noisy, so the mean and
variance handed to the safety-stock formula are a credibility blend (Bühlmann 1967) of the
pair's own statistics and a prior — the supplier's statistics over all its items, or, when the
supplier has too little history, its quoted lead time with a default coefficient of variation:

.. math::

    z = \frac{n}{n + \kappa}, \qquad \hat L = z\,\bar x + (1 - z)\,L_0, \qquad
    \hat\sigma^2_L = z\,s^2 + (1 - z)\,\sigma_0^2 .

References
----------
Minka, T. P. (2002). Estimating a gamma distribution. Microsoft Research technical note.
Hyndman, R. J. & Fan, Y. (1996). Sample quantiles in statistical packages. *The American
Statistician* 50(4), 361–365.
Bühlmann, H. (1967). Experience rating and credibility. *ASTIN Bulletin* 4(3), 199–207.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import digamma, gammaln, polygamma

#: Lead times below this are clamped for the fits [days].
MIN_FIT_DAYS = 0.5
#: Relative lead-time variability assumed with a quoted lead time [std/mean].
DEFAULT_LEAD_TIME_CV = 0.25


class LeadTimeFit(StrEnum):
    """Which distribution describes a group's lead times best."""

    GAMMA = "gamma"
    LOGNORMAL = "lognormal"
    EMPIRICAL = "empirical"


class LeadTimeSource(StrEnum):
    """Where the lead time handed to policy comes from."""

    OBSERVED = "observed"  #: the pair's own history, blended with the supplier's
    SUPPLIER = "supplier"  #: no own history: the supplier's statistics over all items
    QUOTED = "quoted"  #: no usable history: quoted lead time, default variability


@dataclass(frozen=True)
class LeadTimeStatistics:
    """Per group: empirical summary and fitted distributions of lead time [days]."""

    n: NDArray[np.int64]
    mean: NDArray[np.float64]
    var: NDArray[np.float64]  #: sample variance (ddof 1); NaN with n < 2 [days²]
    p50: NDArray[np.float64]
    p90: NDArray[np.float64]
    p95: NDArray[np.float64]
    gamma_shape: NDArray[np.float64]
    gamma_scale: NDArray[np.float64]
    lognormal_mu: NDArray[np.float64]
    lognormal_sigma: NDArray[np.float64]
    best_fit: NDArray[np.object_]  #: :class:`LeadTimeFit` value

    @property
    def std(self) -> NDArray[np.float64]:
        """Sample standard deviation [days]."""
        return np.sqrt(self.var)

    @property
    def cv(self) -> NDArray[np.float64]:
        """Coefficient of variation [-]."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.mean > 0, self.std / self.mean, np.nan)


def group_quantile(
    values: NDArray[np.float64], group: NDArray[np.int64], n_groups: int, p: float
) -> NDArray[np.float64]:
    """Empirical quantile ``p`` per group (Hyndman–Fan type 7); NaN for empty groups."""
    order = np.lexsort((values, group))
    v = values[order]
    counts = np.bincount(group, minlength=n_groups)
    starts = np.cumsum(counts) - counts
    h = (counts - 1) * p
    low, frac = np.floor(h).astype(np.int64), h - np.floor(h)
    high = np.minimum(low + 1, np.maximum(counts - 1, 0))
    out = np.full(n_groups, np.nan)
    has = counts > 0
    lo_v, hi_v = v[(starts + low)[has]], v[(starts + high)[has]]
    out[has] = lo_v + frac[has] * (hi_v - lo_v)
    return out


def lead_time_statistics(
    lead_days: ArrayLike, group: ArrayLike, n_groups: int, *, min_fit: int = 5
) -> LeadTimeStatistics:
    """Summarise and fit lead times ``lead_days`` [days] per group (see the module docstring)."""
    x = np.asarray(lead_days, dtype=np.float64)
    g = np.asarray(group, dtype=np.int64)
    n = np.bincount(g, minlength=n_groups)
    total = np.bincount(g, weights=x, minlength=n_groups)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(n > 0, total / n, np.nan)
        sq = np.bincount(g, weights=(x - mean[g]) ** 2, minlength=n_groups)
        var = np.where(n > 1, sq / (n - 1), np.nan)
    shape, scale, gamma_ll = _gamma_fit(x, g, n_groups, n)
    mu, sigma, lognormal_ll = _lognormal_fit(x, g, n_groups, n)
    fits = (n >= min_fit) & (np.nan_to_num(var) > 0)
    best = np.where(
        ~fits,
        LeadTimeFit.EMPIRICAL.value,
        np.where(gamma_ll >= lognormal_ll, LeadTimeFit.GAMMA.value, LeadTimeFit.LOGNORMAL.value),
    )
    return LeadTimeStatistics(
        n=n.astype(np.int64),
        mean=mean,
        var=var,
        p50=group_quantile(x, g, n_groups, 0.50),
        p90=group_quantile(x, g, n_groups, 0.90),
        p95=group_quantile(x, g, n_groups, 0.95),
        gamma_shape=np.where(fits, shape, np.nan),
        gamma_scale=np.where(fits, scale, np.nan),
        lognormal_mu=np.where(fits, mu, np.nan),
        lognormal_sigma=np.where(fits, sigma, np.nan),
        best_fit=np.asarray(best, dtype=object),
    )


def _gamma_fit(
    x: NDArray[np.float64], g: NDArray[np.int64], n_groups: int, n: NDArray[np.int64]
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Gamma MLE per group (Minka's start plus one Newton step) and its log-likelihood."""
    xc = np.maximum(x, MIN_FIT_DAYS)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.bincount(g, weights=xc, minlength=n_groups) / n
        mean_log = np.bincount(g, weights=np.log(xc), minlength=n_groups) / n
        s = np.maximum(np.log(mean) - mean_log, 1e-12)
        k = (3 - s + np.sqrt((s - 3) ** 2 + 24 * s)) / (12 * s)
        # Newton step on  ln k - digamma(k) = s  (Minka 2002, eq. 7 in 1/k form)
        k = 1 / (1 / k + (np.log(k) - digamma(k) - s) / (k**2 * (1 / k - polygamma(1, k))))
        scale = mean / k
        loglik = n * ((k - 1) * mean_log - mean / scale - gammaln(k) - k * np.log(scale))
    return k, scale, loglik


def _lognormal_fit(
    x: NDArray[np.float64], g: NDArray[np.int64], n_groups: int, n: NDArray[np.int64]
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Log-normal MLE per group and its log-likelihood."""
    lx = np.log(np.maximum(x, MIN_FIT_DAYS))
    with np.errstate(divide="ignore", invalid="ignore"):
        mu = np.bincount(g, weights=lx, minlength=n_groups) / n
        var = np.bincount(g, weights=(lx - mu[g]) ** 2, minlength=n_groups) / n
        sigma = np.sqrt(var)
        loglik = -n * (mu + np.log(sigma) + 0.5 * np.log(2 * np.pi) + 0.5)
    return mu, sigma, loglik


@dataclass(frozen=True)
class PolicyLeadTime:
    """Lead time per item-supplier as the policy layer uses it."""

    mean: NDArray[np.float64]  #: [days]
    std: NDArray[np.float64]  #: [days]
    source: NDArray[np.object_]  #: :class:`LeadTimeSource` value
    credibility: NDArray[np.float64]  #: weight z of the pair's own history [-]


def policy_lead_time(
    *,
    pair_n: ArrayLike,
    pair_mean: ArrayLike,
    pair_var: ArrayLike,
    supplier_n: ArrayLike,
    supplier_mean: ArrayLike,
    supplier_var: ArrayLike,
    quoted: ArrayLike,
    kappa: float = 5.0,
    min_supplier_n: int = 3,
    default_cv: float = DEFAULT_LEAD_TIME_CV,
) -> PolicyLeadTime:
    """Credibility-blended lead-time mean and std per item-supplier (module docstring).

    Parameters
    ----------
    pair_n, pair_mean, pair_var : the pair's own observations [-, days, days²]
    supplier_n, supplier_mean, supplier_var : the supplier's over all its items
    quoted : quoted lead time [days]
    kappa : credibility constant: observations at which own history weighs one half [-]
    min_supplier_n : supplier observations needed to use them as the prior
    default_cv : std/mean assumed with the quoted lead time [-]
    """
    n = np.asarray(pair_n, np.float64)
    use_supplier = np.asarray(supplier_n, np.float64) >= min_supplier_n
    quote = np.asarray(quoted, np.float64)
    prior_mean = np.where(use_supplier, supplier_mean, quote)
    prior_var = np.where(
        use_supplier, np.nan_to_num(np.asarray(supplier_var, np.float64)), (default_cv * quote) ** 2
    )
    z = np.where(n > 0, n / (n + kappa), 0.0)
    mean = np.where(n > 0, z * np.nan_to_num(pair_mean) + (1 - z) * prior_mean, prior_mean)
    own_var = np.where(n > 1, np.nan_to_num(np.asarray(pair_var, np.float64)), prior_var)
    var = np.where(n > 0, z * own_var + (1 - z) * prior_var, prior_var)
    source = np.where(
        n > 0,
        LeadTimeSource.OBSERVED.value,
        np.where(use_supplier, LeadTimeSource.SUPPLIER.value, LeadTimeSource.QUOTED.value),
    )
    return PolicyLeadTime(mean, np.sqrt(var), np.asarray(source, dtype=object), z)
