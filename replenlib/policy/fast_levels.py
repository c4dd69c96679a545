r"""The levels of :mod:`.service`, fast enough for a slider: same formulas, other arithmetic.

:class:`FastCycleService` answers what :func:`.policies.reorder_levels`,
:func:`.service.implied_cycle_service_level` and :func:`.service.implied_fill_rate` answer —
the same levels to a stated tolerance — for one :class:`~.service.CycleDemand` and
:class:`~.service.CycleShape`, in a few milliseconds for thousands of rows:

* **Counting rows** (Poisson, negative binomial) get exact tail tables
  (:class:`.tails.DiscreteTables`) up to :math:`\mu + 6\sigma` (plus the lot). A fill-rate
  level is the smallest integer :math:`k` whose shortfall :math:`1-\beta(k)` is within the
  allowed one, and a cycle-service level the smallest with :math:`F(k) \ge \alpha`, both found
  by galloping from the previous answer and bisecting (:func:`_first_integer`): a small
  slider move costs two or three table lookups per row. Levels beyond the tables use the
  closed forms (exact, slower).
* **Continuous rows** (normal, gamma) solve :math:`\log(1-\beta(x)) = \log(1-\beta^*)` by
  Newton's method with the analytic slope (:math:`n' = -\bar F`,
  :math:`(n^{(2)})' = -n`), safeguarded by a bracket, warm-started at the previous answer,
  and iterating only over rows that have not converged; cycle-service levels are closed-form
  quantiles.
* **Empirical rows** go to the reference functions.

Tolerance (checked by the tests): counting rows give the same integers as the reference (up
to ties within :math:`10^{-12}` of the target); continuous rows stop within
:math:`10^{-9}` of the target log-shortfall, so their levels differ from the reference's by
its own tolerance only (relative bracket :math:`10^{-6}\max(\sigma_P, 1)`, log-shortfall
:math:`10^{-5}`): at most :math:`5\cdot 10^{-5}\max(\sigma_P, 1)` units, implied service
levels within :math:`10^{-5}`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from replenlib.demand.distributions import DemandDistribution
from replenlib.policy.kinds import PolicyType, ServiceMeasure
from replenlib.policy.policies import reorder_levels
from replenlib.policy.service import (
    CycleDemand,
    CycleShape,
    implied_cycle_service_level,
    implied_fill_rate,
    reorder_point_demand,
    undershoot_moments,
)
from replenlib.policy.tails import (
    CountParameters,
    DiscreteTables,
    Kind,
    Tail,
    gamma_tail,
    is_discrete,
    kinds_of,
    normal_tail,
    point_mass_tail,
)

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]

#: Standard deviations above the mean that a counting row's table covers [-]; levels beyond
#: it are still exact (closed forms), only slower.
REACH_STD = 6.0
#: Bracket width at which Newton's method stops [× max(σ_P, 1) units].
NEWTON_TOLERANCE = 1e-9
#: Log-shortfall below its target at which a feasible Newton iterate is accepted [-].
VALUE_TOLERANCE = 1e-9
_MAX_NEWTON_STEPS = 60
_ZERO, _NORMAL, _GAMMA = int(Kind.ZERO), int(Kind.NORMAL), int(Kind.GAMMA)
_COUNTING = (int(Kind.POISSON), int(Kind.NEGATIVE_BINOMIAL))


@dataclass(frozen=True)
class _Moments:
    """Mean, variance and kind of one distribution for every row."""

    kind: NDArray[np.int8]
    mean: FloatArray
    variance: FloatArray
    tables: DiscreteTables | None
    slot: IntArray  #: row → row of ``tables`` (-1: none)

    def tail(self, rows: IntArray, x: FloatArray, depth: int = 3) -> Tail:
        """Tails at ``x`` (shape of ``rows``, or rows × candidates) up to ``depth`` (1: cdf and
        sf, 2: loss, 3: second-order loss; deeper quantities may be zero)."""
        grid = np.ndim(x) == 2
        cdf, sf, loss, loss2 = (np.empty(np.shape(x)) for _ in range(4))
        kinds = self.kind[rows]
        counts = np.bincount(kinds, minlength=len(Kind))
        for code in np.flatnonzero(counts):
            sel = (
                np.flatnonzero(kinds == code)
                if counts[code] < len(kinds)
                else np.arange(len(kinds))
            )
            r, xs = rows[sel], x[sel]
            mu, var = self.mean[r], self.variance[r]
            if grid:
                mu, var = mu[:, None], var[:, None]
            if code == _ZERO:
                part = point_mass_tail(xs)
            elif code == _NORMAL:
                part = normal_tail(mu, np.sqrt(var), xs)
            elif code == _GAMMA:
                part = gamma_tail(mu, var, xs)
            elif code in _COUNTING and self.tables is not None:
                slots = self.slot[r]
                part = self.tables.tail(slots[:, None] if grid else slots, xs, depth)
            else:
                raise ValueError(f"rows of kind {Kind(int(code)).name} have no fast tails")
            cdf[sel], sf[sel], loss[sel], loss2[sel] = part.cdf, part.sf, part.loss, part.loss2
        return Tail(cdf, sf, loss, loss2)


class FastCycleService:
    """Levels and implied service of one cycle demand and cycle shape (module docstring).

    Parameters
    ----------
    demand : cycle demand of every row
    shape : the cycle shape the levels are solved for (its ``delta`` sizes the tables)
    """

    def __init__(self, demand: CycleDemand, shape: CycleShape) -> None:
        self.demand, self.shape = demand, shape
        self.n = len(demand)
        rpd = reorder_point_demand(demand)
        self.undershoot = undershoot_moments(demand)[0]
        kinds = [kinds_of(d) for d in (demand.protection, demand.lead_time, rpd)]
        counting = is_discrete(kinds[0])
        other = np.zeros(self.n, dtype=bool)
        for kind in kinds:
            other |= kind == Kind.OTHER
        reach = np.ceil(
            np.maximum(demand.protection.mean, rpd.mean)
            + REACH_STD * np.maximum(demand.protection.std, rpd.std)
            + 10.0
        )
        shift = np.where(shape.order_up_to, 0.0, self._delta(shape))
        self.slow = other
        self.counting = np.flatnonzero(counting & ~self.slow)
        self.reach = reach
        self.p, self.l, self.y = self._moments(
            kinds, (demand.protection, demand.lead_time, rpd), shift
        )
        self._previous = np.full(self.n, np.nan)

    @staticmethod
    def _delta(shape: CycleShape) -> FloatArray:
        return np.asarray(np.maximum(shape.delta, 1e-9), dtype=np.float64)

    def _moments(
        self,
        kinds: list[NDArray[np.int8]],
        dists: tuple[DemandDistribution, DemandDistribution, DemandDistribution],
        shift: FloatArray,
    ) -> tuple[_Moments, _Moments, _Moments]:
        rows = self.counting
        slot = np.full(self.n, -1, dtype=np.intp)
        slot[rows] = np.arange(len(rows))
        reach, step = self.reach[rows], np.ceil(shift[rows])
        single = step <= reach
        near = np.where(single, reach + step + 2, reach + 2)
        far_start = np.where(single, np.nan, np.floor(shift[rows]))
        far_length = np.where(single, 0.0, reach + 2)
        out = []
        needs_y = ~self.shape.order_up_to[rows]
        for index, (kind, dist) in enumerate(zip(kinds, dists, strict=True)):
            mean, var = dist.mean, dist.variance
            params = CountParameters.of(kind[rows], mean[rows], var[rows])
            if index == 2:  # Y: cdf at the reorder-point rows' levels, below the reach
                length = np.where(needs_y, reach + 2, 0.0)
                tables = DiscreteTables(params, length, np.full(len(rows), np.nan), length, 1)
            else:  # n² only where a reorder point needs it
                depth = np.where(needs_y, 3, 2).astype(np.int8)
                tables = DiscreteTables(params, near, far_start, far_length, depth)
            out.append(_Moments(kind, mean, var, tables, slot))
        return out[0], out[1], out[2]

    # ------------------------------------------------------------------ shortfall
    def shortfall(
        self, rows: IntArray, level: FloatArray, shape: CycleShape, *, slope: bool = False
    ) -> tuple[FloatArray, FloatArray]:
        """:math:`1-\\beta` at ``level`` (and its slope in the level when asked) for ``rows``
        under ``shape`` (indexed like the panel); ``level`` may be rows × candidates."""
        grid = np.ndim(level) == 2

        def col(a: FloatArray) -> FloatArray:
            return a[:, None] if grid else a

        review = self.demand.review_mean[rows]
        up_to, fixed = shape.order_up_to[rows], shape.fixed_quantity[rows]
        value, deriv = np.zeros(np.shape(level)), np.zeros(np.shape(level))
        groups = (
            (review <= 0, self._continuous_review),
            ((review > 0) & up_to, self._order_up_to),
            ((review > 0) & ~up_to, self._reorder_point),
        )
        for mask, formula in groups:
            sel = np.flatnonzero(mask)
            if sel.size == 0:
                continue
            delta, w = shape.delta[rows[sel]], np.where(fixed[sel], 0.0, self.undershoot[rows[sel]])
            v, d = formula(rows[sel], level[sel], col(delta), col(w), col(review[sel]), slope)
            value[sel], deriv[sel] = v, d
        clipped = (value < 0) | (value > 1)
        return np.clip(value, 0.0, 1.0), np.where(clipped, 0.0, deriv)

    def _continuous_review(
        self,
        rows: IntArray,
        s: FloatArray,
        delta: FloatArray,
        w: FloatArray,
        mu_r: FloatArray,
        slope: bool,
    ) -> tuple[FloatArray, FloatArray]:
        d = np.maximum(delta, 1.0)
        at_s, at_top = self.l.tail(rows, s, 2), self.l.tail(rows, s + d, 2)
        value = np.maximum(at_s.loss - at_top.loss, 0.0) / d
        return value, (at_top.sf - at_s.sf) / d

    def _order_up_to(
        self,
        rows: IntArray,
        s: FloatArray,
        delta: FloatArray,
        w: FloatArray,
        mu_r: FloatArray,
        slope: bool,
    ) -> tuple[FloatArray, FloatArray]:
        p, lead = self.p.tail(rows, s, 2), self.l.tail(rows, s, 2)
        h = p.loss - lead.loss
        return np.maximum(h, 0.0) / mu_r, np.where(h > 0, (lead.sf - p.sf) / mu_r, 0.0)

    def _reorder_point(
        self,
        rows: IntArray,
        s: FloatArray,
        delta: FloatArray,
        w: FloatArray,
        mu_r: FloatArray,
        slope: bool,
    ) -> tuple[FloatArray, FloatArray]:
        d = np.maximum(delta, 1e-9)
        top = s + d
        p_s, l_s = self.p.tail(rows, s), self.l.tail(rows, s)
        p_t, l_t = self.p.tail(rows, top), self.l.tail(rows, top)
        integral = p_s.loss2 - p_t.loss2 - l_s.loss2 + l_t.loss2
        h_top = p_t.loss - l_t.loss
        denominator = mu_r * np.maximum(d + w, 1e-12)
        value = (np.maximum(integral, 0.0) + w * np.maximum(h_top, 0.0)) / denominator
        if not slope:
            return value, np.zeros_like(value)
        d_integral = np.where(integral > 0, -p_s.loss + p_t.loss + l_s.loss - l_t.loss, 0.0)
        d_top = np.where(h_top > 0, l_t.sf - p_t.sf, 0.0)
        return value, (d_integral + w * d_top) / denominator

    # ------------------------------------------------------------------ levels
    def levels(
        self,
        rows: ArrayLike,
        policy_type: ArrayLike,
        service_measure: ArrayLike,
        service_target: ArrayLike,
        *,
        guess: ArrayLike | None = None,
    ) -> FloatArray:
        """s (reorder-point rows) or S ((R, S) rows) of ``rows`` for their measure and target,
        as :func:`.policies.reorder_levels` with this object's cycle shape."""
        rows = np.asarray(rows, dtype=np.intp)
        kind = np.asarray(policy_type, dtype=object)
        measure = np.asarray(service_measure, dtype=object)
        target = np.broadcast_to(np.asarray(service_target, dtype=np.float64), rows.shape)
        level = self._mean_level(rows)
        csl = measure == ServiceMeasure.CYCLE_SERVICE_LEVEL
        fill = measure == ServiceMeasure.FILL_RATE
        for mask, name in ((csl, "cycle service level"), (fill, "fill rate")):
            bad = mask & ~((target > 0) & (target < 1))
            if bad.any():
                raise ValueError(f"a {name} target must lie strictly between 0 and 1")
        slow = self.slow[rows].copy()
        near = None if guess is None else np.broadcast_to(np.asarray(guess, np.float64), rows.shape)
        for mask, solve in ((csl, self._csl), (fill, self._fill)):
            hit = np.flatnonzero(mask & ~slow)
            if hit.size:
                level[hit] = solve(rows[hit], target[hit], None if near is None else near[hit])
        self._previous[rows] = level
        slow |= np.isnan(level)
        if slow.any():
            sel = np.flatnonzero(slow)
            level[sel] = self._reference(rows[sel], kind[sel], measure[sel], target[sel])
        return level

    def _mean_level(self, rows: IntArray) -> FloatArray:
        up_to = self.shape.order_up_to[rows]
        return np.where(up_to, self.p.mean[rows], self.y.mean[rows])

    def _reference(
        self,
        rows: IntArray,
        kind: NDArray[np.object_],
        measure: NDArray[np.object_],
        target: FloatArray,
    ) -> FloatArray:
        lot = np.where(self.shape.order_up_to[rows], 0.0, self.shape.delta[rows])
        levels = reorder_levels(kind, measure, target, self.demand.take(rows), lot)
        return np.asarray(levels.reorder_point, dtype=np.float64)

    def _csl(self, rows: IntArray, alpha: FloatArray, guess: FloatArray | None) -> FloatArray:
        up_to = self.shape.order_up_to[rows]
        out = np.empty(len(rows))
        start = self._start(rows, guess)
        for mask, dist in ((up_to, self.p), (~up_to, self.y)):
            sel = np.flatnonzero(mask)
            if sel.size:
                out[sel] = _quantile(dist, rows[sel], alpha[sel], start[sel])
        return np.maximum(out, 0.0)

    def _fill(self, rows: IntArray, beta: FloatArray, guess: FloatArray | None) -> FloatArray:
        out = np.zeros(len(rows))
        kinds = self.p.kind[rows]
        allowed = 1.0 - beta
        start = self._start(rows, guess)
        counting = np.flatnonzero(is_discrete(kinds))
        if counting.size:
            out[counting] = self._counting_fill(rows[counting], allowed[counting], start[counting])
        smooth = np.flatnonzero((kinds == Kind.NORMAL) | (kinds == Kind.GAMMA))
        if smooth.size:
            out[smooth] = self._continuous_fill(rows[smooth], allowed[smooth], start[smooth])
        return out

    def _counting_fill(self, rows: IntArray, allowed: FloatArray, start: FloatArray) -> FloatArray:
        """Smallest integer whose shortfall is within ``allowed`` (search from ``start``)."""

        def feasible(sel: IntArray, k: FloatArray) -> NDArray[np.bool_]:
            short, _ = self.shortfall(rows[sel], k, self.shape)
            return np.asarray(short <= allowed[sel])

        return _first_integer(feasible, start)

    def _continuous_fill(
        self, rows: IntArray, allowed: FloatArray, start: FloatArray
    ) -> FloatArray:
        r"""Safeguarded Newton on :math:`g = \log(1-\beta(x)) - \log(1-\beta^*)`: a row stops
        at a feasible level with :math:`g > -10^{-9}` or a bracket narrower than the
        tolerance; a Newton step leaving the bracket is replaced by bisection (or growth)."""
        out = np.zeros(len(rows))
        at_zero, _ = self.shortfall(rows, np.zeros(len(rows)), self.shape)
        open_ = np.flatnonzero(at_zero > allowed)
        if open_.size == 0:
            return out
        rows, allowed = rows[open_], allowed[open_]
        scale = np.maximum(self.p.variance[rows] ** 0.5, 1.0)
        x = np.maximum(start[open_], 1e-9)
        low, high = np.zeros(len(rows)), np.full(len(rows), np.inf)
        live = np.arange(len(rows))
        for _ in range(_MAX_NEWTON_STEPS):
            short, slope = self.shortfall(rows[live], x[live], self.shape, slope=True)
            with np.errstate(divide="ignore", invalid="ignore"):
                g = np.log(np.maximum(short, 1e-300)) - np.log(allowed[live])
                step = -g * short / slope
            feasible = g <= 0
            high[live] = np.where(feasible, x[live], high[live])
            low[live] = np.where(feasible, low[live], x[live])
            nxt = x[live] + step
            bad = ~np.isfinite(nxt) | (slope >= 0) | (nxt <= low[live]) | (nxt >= high[live])
            grow = np.maximum(2 * x[live] - low[live], x[live] + scale[live])
            fallback = np.where(np.isfinite(high[live]), 0.5 * (low[live] + high[live]), grow)
            nxt = np.where(bad, fallback, nxt)
            done = (feasible & (g > -VALUE_TOLERANCE)) | (
                high[live] - low[live] <= NEWTON_TOLERANCE * scale[live]
            )
            x[live] = np.where(done, high[live], nxt)
            live = live[~done]
            if live.size == 0:
                break
        x[live] = high[live]
        out[open_] = x
        return out

    def _start(self, rows: IntArray, guess: FloatArray | None) -> FloatArray:
        """Warm start: the caller's guess, else this object's previous answer, else the mean
        plus two standard deviations of protection demand."""
        default = self.p.mean[rows] + 2 * np.sqrt(self.p.variance[rows])
        previous = self._previous[rows]
        start = np.where(np.isnan(previous), default, previous)
        if guess is not None:
            start = np.where(np.isfinite(guess), guess, start)
        return start

    # ------------------------------------------------------------------ implied service
    def implied(self, shape: CycleShape, level: ArrayLike) -> tuple[FloatArray, FloatArray]:
        """Cycle service level and fill rate [fraction] of every row at ``level`` under
        ``shape``, as :func:`.service.implied_cycle_service_level` / ``implied_fill_rate``."""
        if not np.array_equal(shape.order_up_to, self.shape.order_up_to):
            raise ValueError("implied service needs the (R, S) rows this object was built for")
        x = np.broadcast_to(np.asarray(level, dtype=np.float64), (self.n,)).copy()
        csl, fill = np.empty(self.n), np.empty(self.n)
        fast = np.flatnonzero(~self.slow)
        up_to = shape.order_up_to[fast]
        for mask, dist in ((up_to, self.p), (~up_to, self.y)):
            sel = fast[mask]
            if sel.size:
                csl[sel] = dist.tail(sel, x[sel], 1).cdf
        short, _ = self.shortfall(fast, x[fast], shape)
        fill[fast] = 1.0 - short
        slow = np.flatnonzero(self.slow)
        if slow.size:
            sub, sub_shape = self.demand.take(slow), shape.take(slow)
            csl[slow] = implied_cycle_service_level(sub, sub_shape, x[slow])
            fill[slow] = implied_fill_rate(sub, sub_shape, x[slow])
        return csl, fill


def _quantile(dist: _Moments, rows: IntArray, p: FloatArray, start: FloatArray) -> FloatArray:
    out = np.zeros(len(rows))
    kinds = dist.kind[rows]
    mu, var = dist.mean[rows], dist.variance[rows]
    normal = kinds == Kind.NORMAL
    out[normal] = mu[normal] + np.sqrt(var[normal]) * special.ndtri(p[normal])
    gamma = np.flatnonzero(kinds == Kind.GAMMA)
    if gamma.size:
        m, v = mu[gamma], var[gamma]
        flat = v == 0
        safe = np.where(flat, 1.0, v)
        value = special.gammaincinv(m**2 / safe, p[gamma]) * safe / m
        out[gamma] = np.where(flat, m, value)
    counting = np.flatnonzero(is_discrete(kinds))
    if counting.size:
        sub, target = rows[counting], p[counting] * (1.0 - 1e-12)

        def reached(sel: IntArray, k: FloatArray) -> NDArray[np.bool_]:
            return np.asarray(dist.tail(sub[sel], k, 1).cdf >= target[sel])

        out[counting] = _first_integer(reached, start[counting])
    return out


def _first_integer(
    holds: Callable[[IntArray, FloatArray], NDArray[np.bool_]], start: FloatArray
) -> FloatArray:
    """Smallest integer ``k >= 0`` per row where the monotone test ``holds(rows, k)`` is true.

    From ``start`` (a warm start: the previous answer, say) the search gallops — steps of
    1, 2, 4, … down while the test holds, up while it fails — until the answer is bracketed
    in ``(low, high]``, then halves the bracket; only rows still open are evaluated, so a
    small slider move costs two or three evaluations.
    """
    n = len(start)
    guess = np.maximum(np.round(np.nan_to_num(start, nan=0.0)), 0.0)
    ok = holds(np.arange(n), guess)
    low, high = np.where(ok, -1.0, guess), np.where(ok, guess, np.inf)
    step = np.ones(n)
    open_ = np.arange(n)
    for _ in range(128):  # gallop until the answer is bracketed
        down = np.isfinite(high[open_])
        probe = np.where(down, high[open_] - step[open_], low[open_] + step[open_])
        keep = ~down | (probe > low[open_])
        open_, probe, down = open_[keep], probe[keep], down[keep]
        if open_.size == 0:
            break
        hit = holds(open_, probe)
        high[open_[hit]] = probe[hit]
        low[open_[~hit]] = probe[~hit]
        step[open_] *= 2
        open_ = open_[down == hit]  # still going: down and passing, or up and failing
    open_ = np.flatnonzero(high - low > 1)
    while open_.size:
        mid = np.floor(0.5 * (low[open_] + high[open_]))
        hit = holds(open_, mid)
        high[open_[hit]], low[open_[~hit]] = mid[hit], mid[~hit]
        open_ = open_[high[open_] - low[open_] > 1]
    return high


def reorder_levels_fast(
    policy_type: ArrayLike,
    service_measure: ArrayLike,
    service_target: ArrayLike,
    demand: CycleDemand,
    shape: CycleShape,
) -> FloatArray:
    """One-shot convenience: the levels of every row (see :meth:`FastCycleService.levels`)."""
    kind = np.asarray(policy_type, dtype=object)
    if not np.isin(kind, [p.value for p in PolicyType if p.uses_service_target]).all():
        raise ValueError(
            "reorder_levels_fast serves (s, Q), (s, S), (R, S) and (R, s, S) rows only"
        )
    service = FastCycleService(demand, shape)
    return service.levels(np.arange(len(demand)), kind, service_measure, service_target)
