r"""Reorder levels that meet a cycle-service-level or a fill-rate target, for any demand family.

Notation per row (all in base units): :math:`X_L` is demand over the lead time, :math:`X_P`
demand over the protection interval :math:`L + R` (the :class:`DemandDistribution` the demand
layer hands over), :math:`D_R` demand in one review period with mean :math:`\mu_R`, and
:math:`n`, :math:`n^{(2)}` are first- and second-order loss functions.

**Inventory position after a review.** An order-up-to policy (R, S) raises the position to
:math:`S` at every review. A reorder-point policy orders when the position is at or below
:math:`s`; the position then falls below :math:`s` by an *undershoot* :math:`U` with (renewal
theory, large :math:`S-s`) :math:`E[U] = E[D_R^2]/(2\mu_R)`,
:math:`E[U^2] = E[D_R^3]/(3\mu_R)` (discrete demand: :math:`(E[D^2]-\mu)/(2\mu)` and
:math:`(2E[D^3]-3E[D^2]+\mu)/(6\mu)`). (s, Q) orders multiples of Q, so its position after
ordering is uniform on :math:`(s, s+Q]`; (s, S) sits at :math:`S` with weight :math:`E[U]` and
spreads with density :math:`1/\mu_R` over :math:`(s, S]`.

**Cycle service level** :math:`\alpha`: (R, S): :math:`S = F_{X_P}^{-1}(\alpha)`; reorder-point
policies: :math:`s = F_{Y}^{-1}(\alpha)` with :math:`Y = X_L + U` moment-matched in the row's
family (with :math:`R = 0`, :math:`U = 0` and :math:`Y = X_L`).

**Fill rate** :math:`\beta`: the smallest level whose expected shortage per cycle is at most
:math:`(1-\beta)` times expected demand per cycle. With :math:`h(y) = n_P(y) - n_L(y)` (the
shortage of one review period when the position after review is :math:`y`),
:math:`H(y) = n^{(2)}_P(y) - n^{(2)}_L(y)`, :math:`\Delta = S - s` and :math:`w` the weight at
:math:`S`,

.. math::

    1 - \beta(s) = \frac{w\,h(S) + H(s) - H(S)}{\mu_R\,(\Delta + w)},

which is :math:`h(S)/\mu_R` for (R, S) (:math:`\Delta = 0`), exact for (R, s, nQ)
(:math:`w = 0`, :math:`\Delta = Q`) and the Tijms–Groenevelt approximation for (R, s, S)
(:math:`w = E[U]`). Continuous review (:math:`R = 0`, unit-sized demand) uses
:math:`1 - \beta = [n_L(s) - n_L(s + \Delta)]/\Delta`. Levels are found by vectorised bisection
over the panel (integers for discrete families) and are never below zero.

References
----------
Silver, Pyke & Thomas (2017), chapters 6–7. Snyder & Shen (2019), chapter 5 and appendix C.
Tijms, H. C. & Groenevelt, H. (1984). Simple approximations for the reorder point in periodic
and continuous review (s, S) inventory systems with service level constraints. *European
Journal of Operational Research* 17, 175–190. Axsäter, S. (2015), *Inventory Control*, ch. 5.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from replenlib.demand.distributions import DemandDistribution, Family

FloatArray = NDArray[np.float64]
_DISCRETE = (Family.POISSON, Family.NEGATIVE_BINOMIAL)


@dataclass(frozen=True)
class CycleDemand:
    """The demand a service formula needs per row.

    Attributes
    ----------
    protection : demand over lead time + review period :math:`X_P` [units]
    lead_time : demand over the lead time alone :math:`X_L` [units]
    review_mean, review_variance : mean and variance of demand in one review period [units],
        [units²]; 0 for continuous review
    review_third_moment : third central moment of review-period demand [units³]
    """

    protection: DemandDistribution
    lead_time: DemandDistribution
    review_mean: FloatArray
    review_variance: FloatArray
    review_third_moment: FloatArray

    def __post_init__(self) -> None:
        n = len(self.protection.mean)
        sizes = {len(self.lead_time.mean), len(self.review_mean), len(self.review_variance)}
        if sizes != {n} or len(self.review_third_moment) != n:
            raise ValueError("every part of a CycleDemand needs one element per row")

    def __len__(self) -> int:
        return len(self.review_mean)

    @property
    def is_discrete(self) -> NDArray[np.bool_]:
        """Rows whose demand takes integer values (Poisson, negative binomial)."""
        return np.isin(self.protection.family, _DISCRETE)

    def take(self, rows: NDArray[np.intp]) -> CycleDemand:
        """The same demand for a subset of rows."""
        return CycleDemand(
            _take(self.protection, rows),
            _take(self.lead_time, rows),
            self.review_mean[rows],
            self.review_variance[rows],
            self.review_third_moment[rows],
        )


def _take(dist: DemandDistribution, rows: NDArray[np.intp]) -> DemandDistribution:
    samples = None if dist.samples is None else dist.samples[rows]
    return DemandDistribution(
        family=dist.family[rows],
        mean=dist.mean[rows],
        variance=dist.variance[rows],
        samples=samples,
    )


def same_family(
    dist: DemandDistribution, mean: ArrayLike, variance: ArrayLike
) -> DemandDistribution:
    """A distribution of each row's family with other moments (empirical rows become gamma)."""
    family = np.where(dist.family == Family.EMPIRICAL, Family.GAMMA, dist.family)
    mu = np.asarray(mean, dtype=np.float64)
    var = np.maximum(np.asarray(variance, dtype=np.float64), 0.0)
    return DemandDistribution(family=np.asarray(family, dtype=object), mean=mu, variance=var)


def third_central_moment(
    family: NDArray[np.object_], mean: FloatArray, variance: FloatArray
) -> FloatArray:
    r"""Third central moment implied by a moment-matched family [units³].

    normal 0; gamma :math:`2\sigma^4/\mu`; negative binomial :math:`\sigma^2(2\sigma^2/\mu - 1)`;
    Poisson :math:`\mu`; empirical rows are treated as gamma.
    """
    safe = np.where(mean > 0, mean, 1.0)
    gamma_like = 2 * variance**2 / safe
    kappa = np.select(
        [family == Family.NORMAL, family == Family.POISSON, family == Family.NEGATIVE_BINOMIAL],
        [np.zeros_like(mean), mean, variance * (2 * variance / safe - 1)],
        gamma_like,
    )
    return np.where(mean > 0, kappa, 0.0)


def cycle_demand(
    family: ArrayLike,
    demand_mean: ArrayLike,
    demand_std: ArrayLike,
    lead_time_mean: ArrayLike,
    lead_time_std: ArrayLike,
    review_period: ArrayLike,
) -> CycleDemand:
    r"""Moment-matched cycle demand from daily demand and lead-time moments.

    Over an interval of :math:`T` days plus a random lead time,
    :math:`\mu = d\,(L + R)` and :math:`\sigma^2 = (L + R)\,\sigma_d^2 + d^2\sigma_L^2`
    (Silver, Pyke & Thomas 2017, eq. 6.7); one review period has :math:`\mu_R = dR`,
    :math:`\sigma_R^2 = R\sigma_d^2`.

    Parameters
    ----------
    family : :class:`Family` per row (not empirical)
    demand_mean, demand_std : daily demand and its standard deviation [units/day]
    lead_time_mean, lead_time_std : [days]
    review_period : [days]; 0 for continuous review
    """
    d, sd = np.asarray(demand_mean, np.float64), np.asarray(demand_std, np.float64)
    lt, slt = np.asarray(lead_time_mean, np.float64), np.asarray(lead_time_std, np.float64)
    review = np.broadcast_to(np.asarray(review_period, np.float64), d.shape)
    fam = np.broadcast_to(np.asarray(family, dtype=object), d.shape)
    if np.any(review < 0) or np.any(lt < 0) or np.any(sd < 0) or np.any(d < 0):
        raise ValueError("demand, lead times and review periods must be non-negative")
    lead_var = lt * sd**2 + d**2 * slt**2
    protection = DemandDistribution(
        family=fam.copy(), mean=d * (lt + review), variance=lead_var + review * sd**2
    )
    lead = DemandDistribution(family=fam.copy(), mean=d * lt, variance=lead_var)
    review_mean, review_var = d * review, review * sd**2
    third = third_central_moment(protection.family, review_mean, review_var)
    return CycleDemand(protection, lead, review_mean, review_var, third)


def review_period_moments(
    protection: DemandDistribution,
    protection_days: ArrayLike,
    review_period: ArrayLike,
    rate: ArrayLike,
    rate_variance: ArrayLike,
) -> tuple[FloatArray, FloatArray]:
    r"""Mean [units] and variance [units²] of demand in one review period.

    From the forecast's flat daily rate :math:`d` and its variance :math:`\sigma_d^2`:
    :math:`\mu_R = dR`, :math:`\sigma_R^2 = R\sigma_d^2`. Where that rate is zero but the
    protection interval :math:`P = L + R` still expects demand — known demand (a won tender,
    a scheduled surgery) for an item without history — the interval's average rate is used
    instead: :math:`\mu_R = \mu_P R/P`, :math:`\sigma_R^2 = \sigma_P^2 R/P`. A periodic row then
    never has a zero review-period demand under a positive protection demand (the policy
    formulas divide by :math:`\mu_R`).

    Parameters
    ----------
    protection : demand over the protection interval per row [units]
    protection_days, review_period : :math:`L + R` and :math:`R` per row [days]
    rate, rate_variance : flat daily forecast [units/day] and its variance [units²/day]
    """
    review = np.asarray(review_period, dtype=np.float64)
    days = np.asarray(protection_days, dtype=np.float64)
    mean = np.asarray(rate, dtype=np.float64) * review
    variance = np.asarray(rate_variance, dtype=np.float64) * review
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(days > 0, review / days, 0.0)
    only_known = (mean <= 0) & (review > 0) & (protection.mean > 0)
    mean = np.where(only_known, protection.mean * share, mean)
    variance = np.where(only_known, protection.variance * share, variance)
    return np.asarray(mean, np.float64), np.asarray(variance, np.float64)


def undershoot_moments(demand: CycleDemand) -> tuple[FloatArray, FloatArray]:
    """Mean [units] and variance [units²] of the undershoot below a reorder point (see above)."""
    mu = demand.review_mean
    safe = np.where(mu > 0, mu, 1.0)
    second = demand.review_variance + mu**2
    third = demand.review_third_moment + 3 * mu * demand.review_variance + mu**3
    discrete = demand.is_discrete
    mean = np.where(discrete, (second - mu) / (2 * safe), second / (2 * safe))
    square = np.where(discrete, (2 * third - 3 * second + mu) / (6 * safe), third / (3 * safe))
    mean = np.where(mu > 0, np.maximum(mean, 0.0), 0.0)
    return mean, np.where(mu > 0, np.maximum(square - mean**2, 0.0), 0.0)


def reorder_point_demand(demand: CycleDemand) -> DemandDistribution:
    """:math:`Y = X_L + U`, the demand a reorder point must cover, per row."""
    mean, variance = undershoot_moments(demand)
    return same_family(
        demand.protection, demand.lead_time.mean + mean, demand.lead_time.variance + variance
    )


@dataclass(frozen=True)
class CycleShape:
    """Where a policy puts the inventory position after a review, per row.

    Attributes
    ----------
    order_up_to : True for (R, S): the level is S and every review orders up to it
    fixed_quantity : True for (s, Q): orders are multiples of Q
    delta : Q for (s, Q), S - s for (s, S), 0 for (R, S) [units]
    """

    order_up_to: NDArray[np.bool_]
    fixed_quantity: NDArray[np.bool_]
    delta: FloatArray

    def take(self, rows: NDArray[np.intp]) -> CycleShape:
        """The same shape for a subset of rows."""
        return CycleShape(self.order_up_to[rows], self.fixed_quantity[rows], self.delta[rows])


def fill_rate_shortfall(demand: CycleDemand, shape: CycleShape, level: ArrayLike) -> FloatArray:
    """:math:`1 - \\beta`: expected shortage per cycle over expected demand per cycle.

    ``level`` is S for (R, S) rows and s for reorder-point rows [units]. Each group of rows
    (continuous review, (R, S), (s, Q), (s, S)) evaluates only the loss terms it needs.
    """
    s = np.broadcast_to(np.asarray(level, dtype=np.float64), demand.review_mean.shape)
    periodic = demand.review_mean > 0
    groups = (
        (~periodic, _continuous_shortfall),
        (periodic & shape.order_up_to, _order_up_to_shortfall),
        (periodic & ~shape.order_up_to, _reorder_point_shortfall),
    )
    out = np.zeros_like(s)
    for mask, formula in groups:
        if mask.all():
            return np.clip(formula(demand, shape, s), 0.0, 1.0)
        rows = np.flatnonzero(mask)
        if rows.size:
            out[rows] = formula(demand.take(rows), shape.take(rows), s[rows])
    return np.clip(out, 0.0, 1.0)


def _continuous_shortfall(demand: CycleDemand, shape: CycleShape, s: FloatArray) -> FloatArray:
    delta = np.maximum(shape.delta, 1.0)
    lead = demand.lead_time
    return np.maximum(lead.loss(s) - lead.loss(s + delta), 0.0) / delta


def _order_up_to_shortfall(demand: CycleDemand, shape: CycleShape, s: FloatArray) -> FloatArray:
    h_top = demand.protection.loss(s) - demand.lead_time.loss(s)
    return np.maximum(h_top, 0.0) / demand.review_mean


def _reorder_point_shortfall(demand: CycleDemand, shape: CycleShape, s: FloatArray) -> FloatArray:
    delta = np.maximum(shape.delta, 1e-9)
    big_s = s + delta
    protection, lead = demand.protection, demand.lead_time
    integral = (
        protection.second_order_loss(s)
        - protection.second_order_loss(big_s)
        - lead.second_order_loss(s)
        + lead.second_order_loss(big_s)
    )
    value = np.maximum(integral, 0.0)
    w = np.where(shape.fixed_quantity, 0.0, undershoot_moments(demand)[0])
    spread = ~shape.fixed_quantity
    if spread.any():
        rows = np.flatnonzero(spread)
        top = protection.loss(big_s) - lead.loss(big_s) if spread.all() else None
        h_top = np.zeros_like(s)
        h_top[rows] = (
            top[rows]
            if top is not None
            else _take(protection, rows).loss(big_s[rows]) - _take(lead, rows).loss(big_s[rows])
        )
        value = value + w * np.maximum(h_top, 0.0)
    return np.asarray(value / (demand.review_mean * np.maximum(delta + w, 1e-12)), np.float64)


def level_for_cycle_service_level(
    demand: CycleDemand, shape: CycleShape, target: ArrayLike
) -> FloatArray:
    """S (order-up-to rows) or s (reorder-point rows) for a cycle service level in (0, 1)."""
    alpha = np.broadcast_to(np.asarray(target, dtype=np.float64), demand.review_mean.shape)
    _check_probability(alpha, "cycle service level")
    level = np.where(
        shape.order_up_to,
        demand.protection.quantile(alpha),
        reorder_point_demand(demand).quantile(alpha),
    )
    return np.maximum(level, 0.0)


def level_for_fill_rate(
    demand: CycleDemand,
    shape: CycleShape,
    target: ArrayLike,
    *,
    guess: ArrayLike | None = None,
    tolerance: float = 1e-5,
) -> FloatArray:
    """Smallest S (order-up-to rows) or s (reorder-point rows) meeting a fill rate in (0, 1).

    ``guess`` (a level per row, e.g. the previous solution of a what-if slider) starts the
    bracket near the answer; ``tolerance`` is the relative precision of the shortfall
    :math:`1 - \\beta` at the returned level.
    """
    beta = np.broadcast_to(np.asarray(target, dtype=np.float64), demand.review_mean.shape)
    _check_probability(beta, "fill rate")
    level = np.zeros_like(beta)
    live = demand.protection.mean > 0
    for discrete in (True, False):
        rows = np.flatnonzero(live & (demand.is_discrete == discrete))
        if rows.size == 0:
            continue
        sub, sub_shape, allowed = demand.take(rows), shape.take(rows), 1.0 - beta[rows]

        def excess(
            x: FloatArray,
            sub: CycleDemand = sub,
            shape: CycleShape = sub_shape,
            allowed: FloatArray = allowed,
        ) -> FloatArray:
            # in logs the tail of the shortfall is close to linear: regula falsi converges fast
            return np.log(np.maximum(fill_rate_shortfall(sub, shape, x), 1e-6 * allowed)) - np.log(
                allowed
            )

        start = sub.protection.mean + 6 * sub.protection.std + 1.0
        low = np.zeros_like(start)
        if guess is not None:
            near = np.broadcast_to(np.asarray(guess, dtype=np.float64), beta.shape)[rows]
            width = 0.25 * sub.protection.std + 1.0
            start, low = near + width, np.maximum(near - width, 0.0)
        solve = smallest_integer_level if discrete else smallest_level
        level[rows] = solve(
            excess, start, scale=sub.protection.std, value_tolerance=tolerance, low=low
        )
    return level


def _feasible_bound(excess: Callable[[FloatArray], FloatArray], start: FloatArray) -> FloatArray:
    """An upper end of the bracket: grown from ``start`` until every row is feasible."""
    high = np.ceil(np.maximum(start, 1.0))
    for _ in range(60):
        short = excess(high) > 0
        if not short.any():
            break
        high = np.where(short, 2 * high + 1, high)
    return high


def _infeasible_bound(
    excess: Callable[[FloatArray], FloatArray], low: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Lower end of the bracket: moved toward 0 until infeasible (or 0), with its excess."""
    g = excess(low)
    step = np.maximum(low, 1.0)
    for _ in range(60):
        feasible = (g <= 0) & (low > 0)
        if not feasible.any():
            break
        low = np.where(feasible, np.maximum(low - step, 0.0), low)
        step = 2 * step
        g = np.where(feasible, excess(low), g)
    return low, g


def smallest_level(
    excess: Callable[[FloatArray], FloatArray],
    start: FloatArray,
    *,
    scale: FloatArray,
    relative_tolerance: float = 1e-6,
    value_tolerance: ArrayLike = 0.0,
    max_steps: int = 100,
    low: FloatArray | None = None,
) -> FloatArray:
    """Smallest :math:`x \\ge 0` with ``excess(x) <= 0`` per row, ``excess`` non-increasing.

    The bracket [0, high] grows from ``start`` until every row is feasible and then shrinks
    by the Illinois variant of regula falsi (superlinear, never leaves the bracket) until it
    is narrower than ``relative_tolerance * max(scale, 1)`` [units] or the excess at its
    feasible end is within ``value_tolerance`` of zero; the feasible end is returned.
    """
    high = _feasible_bound(excess, start)
    low, g_low = _infeasible_bound(excess, np.zeros_like(start) if low is None else low)
    g_high = excess(high)
    done = g_low <= 0  # only where the lower end reached 0: the answer is 0
    high = np.where(done, 0.0, high)
    tolerance = relative_tolerance * np.maximum(scale, 1.0)
    value_close = np.asarray(value_tolerance, dtype=np.float64)
    side = np.zeros(len(start), dtype=np.int8)  # which end was kept last: -1 low, +1 high
    for _ in range(max_steps):
        open_rows = ~done & (high - low > tolerance) & (g_high < -value_close)
        if not open_rows.any():
            break
        x = _illinois_point(low, high, g_low, g_high)
        x = np.where(open_rows, x, high)
        g = excess(x)
        feasible = g <= 0
        move_high, move_low = open_rows & feasible, open_rows & ~feasible
        # Illinois: halve the function value at the end that stays twice in a row
        g_low = np.where(move_high & (side == -1), 0.5 * g_low, g_low)
        g_high = np.where(move_low & (side == 1), 0.5 * g_high, g_high)
        high, g_high = np.where(move_high, x, high), np.where(move_high, g, g_high)
        low, g_low = np.where(move_low, x, low), np.where(move_low, g, g_low)
        side = np.where(move_high, -1, np.where(move_low, 1, side)).astype(np.int8)
    return high


def _illinois_point(
    low: FloatArray, high: FloatArray, g_low: FloatArray, g_high: FloatArray
) -> FloatArray:
    """Secant point of the bracket, kept strictly inside it (bisection as a fallback)."""
    span = g_high - g_low
    with np.errstate(divide="ignore", invalid="ignore"):
        x = high - g_high * (high - low) / span
    inside = np.isfinite(x) & (x > low) & (x < high)
    margin = 1e-3 * (high - low)
    x = np.clip(x, low + margin, high - margin)
    return np.where(inside, x, 0.5 * (low + high))


def smallest_integer_level(
    excess: Callable[[FloatArray], FloatArray],
    start: FloatArray,
    *,
    scale: FloatArray,
    value_tolerance: ArrayLike = 0.0,
    low: FloatArray | None = None,
) -> FloatArray:
    """As :func:`smallest_level` over the integers 0, 1, 2, … (discrete demand).

    The excess of a discrete row is piecewise linear between integers, so the continuous
    root :math:`x^*` is found to within 0.1 units and the answer is :math:`\\lceil x^* \\rceil`
    (checked against its lower neighbour).
    """
    del scale, value_tolerance  # integers: the bracket must narrow below one unit
    root = smallest_level(
        excess, start, scale=np.full_like(start, 1e5), relative_tolerance=1e-6, low=low
    )
    upper = np.ceil(root - 1e-9)
    lower = np.maximum(upper - 1.0, 0.0)
    return np.where((upper > 0) & (excess(lower) <= 0), lower, upper)


def implied_cycle_service_level(
    demand: CycleDemand, shape: CycleShape, level: ArrayLike
) -> FloatArray:
    """Cycle service level [fraction] that a level (S or s) gives under the model."""
    x = np.broadcast_to(np.asarray(level, dtype=np.float64), demand.review_mean.shape)
    return np.where(
        shape.order_up_to, demand.protection.cdf(x), reorder_point_demand(demand).cdf(x)
    )


def implied_fill_rate(demand: CycleDemand, shape: CycleShape, level: ArrayLike) -> FloatArray:
    """Fill rate [fraction] that a level (S or s) gives under the model."""
    return 1.0 - fill_rate_shortfall(demand, shape, level)


def _check_probability(values: FloatArray, name: str) -> None:
    if np.any(~((values > 0) & (values < 1))):
        raise ValueError(f"a {name} target must lie strictly between 0 and 1")
