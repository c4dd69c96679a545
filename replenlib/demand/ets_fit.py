r"""Fitting exponential smoothing to a whole panel: parameters and model per series, vectorised.

For each candidate model (ETS notation of Hyndman et al. 2008: error, trend, season — all
additive here, since demand panels contain zeros) the smoothing parameters of *every* series
are found at once:

1. **Initial states** from a regression on each series' first observations
   (:func:`initial_states`): level and trend from the first ``n_init`` points (as in
   statsforecast's ``initstate``); for seasonal models a linear trend plus ``harmonics``
   Fourier terms of period :math:`m` over the whole history give level, trend and the
   :math:`m` initial seasonal states.
2. **Grid search**: one pass of :func:`.smoothing.additive_recursion` evaluates the sum of
   squared one-step errors :math:`\mathrm{SSE}` of a whole parameter grid for all series
   (the grid is a leading array axis).
3. **Pattern search**: a few rounds of per-series coordinate steps of halving size around
   the best grid point, again all series (and all trial steps) in one pass per round.
4. **Model choice** per series by the corrected Akaike criterion of the Gaussian likelihood,

   .. math::

       \mathrm{AICc} = n \log(\mathrm{SSE}/n) + 2k + \frac{2k(k+1)}{n-k-1},

   with :math:`n` observations and :math:`k` = smoothing parameters + initial states + 1
   (the variance), as R's ``forecast::ets`` / statsforecast ``AutoETS`` count them.

Parameter bounds (traditional form): :math:`\alpha \in [0.001, 0.999]`,
:math:`\beta^* \in [0.001, 0.999]`, :math:`\gamma \in [0, 1-\alpha]`,
:math:`\phi \in [0.8, 0.98]` (Hyndman & Athanasopoulos 2021, section 8.6).

References
----------
Hyndman, R. J., Koehler, A. B., Ord, J. K. & Snyder, R. D. (2008). *Forecasting with
Exponential Smoothing: The State Space Approach*, chapters 2 and 7. Springer.
Hyndman, R. J. & Khandakar, Y. (2008). Automatic time series forecasting: the forecast
package for R. *Journal of Statistical Software* 27(3).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
from numpy.typing import NDArray

from replenlib.demand.paths import (
    FloatArray,
    PanelPath,
    SeasonalMode,
    SmoothingParameters,
    parameters,
)
from replenlib.demand.smoothing import additive_recursion, as_panel, start_index

#: Elements of the seasonal ring buffer evaluated at once (bounds memory to ~100 MB).
_MAX_BATCH_ELEMENTS = 12_000_000


class TrendKind(StrEnum):
    """Trend component of an exponential smoothing model."""

    NONE = "N"
    ADDITIVE = "A"
    DAMPED = "Ad"


class SeasonKind(StrEnum):
    """Seasonal component of an exponential smoothing model."""

    NONE = "N"
    ADDITIVE = "A"


@dataclass(frozen=True)
class EtsSpec:
    """An additive-error exponential smoothing model, e.g. ETS(A,Ad,N) = damped Holt."""

    trend: TrendKind = TrendKind.NONE
    season: SeasonKind = SeasonKind.NONE

    @property
    def name(self) -> str:
        """ETS notation, e.g. ``ETS(A,Ad,A)``."""
        return f"ETS(A,{self.trend.value},{self.season.value})"

    @property
    def free(self) -> tuple[str, ...]:
        """Names of the smoothing parameters this model estimates."""
        names = ["alpha"]
        if self.trend is not TrendKind.NONE:
            names.append("beta")
        if self.trend is TrendKind.DAMPED:
            names.append("phi")
        if self.season is SeasonKind.ADDITIVE:
            names.append("gamma")
        return tuple(names)

    def n_parameters(self, period: int) -> int:
        """:math:`k`: smoothing parameters + initial states + 1 (the error variance)."""
        states = 1 + (self.trend is not TrendKind.NONE)
        states += (period - 1) if self.season is SeasonKind.ADDITIVE else 0
        return len(self.free) + states + 1


SES_SPEC = EtsSpec()
HOLT_SPEC = EtsSpec(TrendKind.ADDITIVE)
DAMPED_SPEC = EtsSpec(TrendKind.DAMPED)
SEASONAL_SPEC = EtsSpec(TrendKind.NONE, SeasonKind.ADDITIVE)
DAMPED_SEASONAL_SPEC = EtsSpec(TrendKind.DAMPED, SeasonKind.ADDITIVE)
#: The candidates :func:`auto_ets` compares by default.
DEFAULT_SPECS = (SES_SPEC, HOLT_SPEC, DAMPED_SPEC, SEASONAL_SPEC, DAMPED_SEASONAL_SPEC)

_BOUNDS = {"alpha": (1e-3, 0.999), "beta": (1e-3, 0.999), "gamma": (0.0, 0.999), "phi": (0.8, 0.98)}
_STEPS = {"alpha": 0.08, "beta": 0.08, "gamma": 0.08, "phi": 0.04}


@dataclass(frozen=True)
class SearchGrid:
    """Coarse grid of the traditional smoothing parameters and the pattern-search rounds."""

    alpha: tuple[float, ...] = (0.02, 0.05, 0.1, 0.2, 0.35, 0.6, 0.9)
    beta: tuple[float, ...] = (0.02, 0.1, 0.3)
    gamma: tuple[float, ...] = (0.01, 0.1, 0.3)
    phi: tuple[float, ...] = (0.85, 0.95)
    refine_rounds: int = 4


@dataclass(frozen=True)
class InitialStates:
    """States just before each series' first observation."""

    level0: FloatArray  #: (series,) [units/period]
    trend0: FloatArray  #: (series,) [units/period²]
    season0: FloatArray | None  #: (series, m) [units/period], zero-mean over a season


@dataclass(frozen=True)
class SpecFit:
    """One model fitted to every series: parameters, initial states and criteria."""

    spec: EtsSpec
    params: SmoothingParameters  #: alpha, beta, gamma, phi, each (series,)
    init: InitialStates
    sse: FloatArray  #: [units²]
    n_obs: FloatArray
    aicc: FloatArray  #: +inf where the model is not admissible for the series


def initial_states(
    y: FloatArray, spec: EtsSpec, *, period: int = 1, n_init: int = 10, harmonics: int = 2
) -> InitialStates:
    """Regression-based initial states per series (see the module docstring)."""
    seasonal = spec.season is SeasonKind.ADDITIVE
    trended = spec.trend is not TrendKind.NONE
    n_series, n_periods = y.shape
    start = start_index(y)
    observed = ~np.isnan(y)
    rank = np.cumsum(observed, axis=1)
    use = observed & ((rank <= n_init) | seasonal)
    offset = np.arange(n_periods)[None, :] - start[:, None]  # periods since the start
    columns = [np.ones_like(offset, dtype=np.float64)]
    if trended:
        columns.append(offset.astype(np.float64))
    if seasonal:
        columns.extend(
            _fourier(np.broadcast_to(np.arange(n_periods), offset.shape), period, harmonics)
        )
    coef = _masked_least_squares(np.stack(columns, axis=-1), np.nan_to_num(y), use)
    trend0 = coef[:, 1] if trended else np.zeros(n_series)
    level0 = coef[:, 0] - trend0  # level one period before the start
    season0 = None
    if seasonal:
        before = start[:, None] - period + np.arange(period)[None, :]
        terms = np.stack(_fourier(before, period, harmonics), axis=-1)
        season0 = np.einsum("spk,sk->sp", terms, coef[:, 1 + trended :])
    return InitialStates(level0=level0, trend0=trend0, season0=season0)


def _fourier(time: NDArray[np.int64], period: int, harmonics: int) -> list[FloatArray]:
    angle = 2.0 * np.pi * np.asarray(time, dtype=np.float64) / period
    terms: list[FloatArray] = []
    for k in range(1, harmonics + 1):
        terms.extend([np.sin(k * angle), np.cos(k * angle)])
    return terms


def _masked_least_squares(x: FloatArray, y: FloatArray, use: NDArray[np.bool_]) -> FloatArray:
    """Per-row least squares of ``y`` on ``x`` (series, T, p) over ``use``; ridge 1e-8."""
    w = use.astype(np.float64)
    xtx = np.einsum("st,stp,stq->spq", w, x, x) + 1e-8 * np.eye(x.shape[-1])
    xty = np.einsum("st,stp,st->sp", w, x, y)
    n = w.sum(axis=1)
    solvable = n >= x.shape[-1]
    coef = np.zeros((len(y), x.shape[-1]))
    if solvable.any():
        coef[solvable] = np.linalg.solve(xtx[solvable], xty[solvable][..., None])[..., 0]
    # too few points for the regression: level = mean of what there is, no trend or season
    mean = np.where(n > 0, np.sum(w * y, axis=1) / np.maximum(n, 1), 0.0)
    coef[~solvable] = 0.0
    coef[~solvable, 0] = mean[~solvable]
    return coef


def fit_spec(
    y: FloatArray,
    spec: EtsSpec,
    *,
    period: int = 1,
    grid: SearchGrid | None = None,
    init: InitialStates | None = None,
) -> SpecFit:
    """Fit one model to every series: grid search, then pattern search (module docstring)."""
    values = as_panel(y)
    search = grid or SearchGrid()
    states = init or initial_states(values, spec, period=period)
    candidates = _grid(spec, search)
    sse, n_obs = _evaluate(values, spec, candidates, states, period)
    best = np.argmin(sse, axis=0)
    current = {k: v[best, 0] for k, v in candidates.items()}
    best_sse = sse[best, np.arange(len(values))]
    for round_ in range(search.refine_rounds):
        trials = _pattern(spec, current, 0.5**round_)
        sse, _ = _evaluate(values, spec, trials, states, period)
        pick = np.argmin(sse, axis=0)
        rows = np.arange(len(values))
        improved = sse[pick, rows] < best_sse
        current = {k: np.where(improved, v[pick, rows], current[k]) for k, v in trials.items()}
        best_sse = np.where(improved, sse[pick, rows], best_sse)
    k = spec.n_parameters(period)
    return SpecFit(
        spec=spec,
        params=parameters(
            len(values),
            alpha=current["alpha"],
            beta=current["beta"],
            gamma=current["gamma"],
            phi=current["phi"],
        ),
        init=states,
        sse=best_sse,
        n_obs=n_obs[0],
        aicc=information_criterion(best_sse, n_obs[0], k),
    )


def information_criterion(sse: FloatArray, n_obs: FloatArray, n_parameters: int) -> FloatArray:
    """AICc of the Gaussian likelihood; +inf where :math:`n \\le k + 1`."""
    n, k = n_obs, float(n_parameters)
    with np.errstate(divide="ignore", invalid="ignore"):
        fit = n * np.log(np.maximum(sse, 1e-12) / np.maximum(n, 1))
        aicc = fit + 2 * k + 2 * k * (k + 1) / (n - k - 1)
    return np.where(n - k - 1 > 0, aicc, np.inf)


def _grid(spec: EtsSpec, grid: SearchGrid) -> dict[str, FloatArray]:
    """Grid points as (G, 1) arrays of every parameter (fixed ones at their neutral value)."""
    axes = {"alpha": grid.alpha, "beta": grid.beta, "phi": grid.phi, "gamma": grid.gamma}
    free = spec.free
    combos = [
        point
        for point in itertools.product(*(axes[name] for name in free))
        if "gamma" not in free or point[free.index("gamma")] <= 1 - point[0]
    ]
    table = np.asarray(combos, dtype=np.float64)
    neutral = {"alpha": 0.1, "beta": 0.0, "gamma": 0.0, "phi": 1.0}
    return {
        name: (table[:, free.index(name)] if name in free else np.full(len(table), neutral[name]))[
            :, None
        ]
        for name in ("alpha", "beta", "gamma", "phi")
    }


def _pattern(spec: EtsSpec, current: dict[str, FloatArray], scale: float) -> dict[str, FloatArray]:
    """The current point and ± one step along each free parameter: (1 + 2p, series) arrays."""
    trials = {k: [v] for k, v in current.items()}
    for name in spec.free:
        for sign in (-1.0, 1.0):
            low, high = _BOUNDS[name]
            for k, v in current.items():
                if k != name:
                    trials[k].append(v)
            moved = np.clip(current[name] + sign * scale * _STEPS[name], low, high)
            if name == "gamma":
                moved = np.minimum(moved, 1.0 - current["alpha"])
            trials[name].append(moved)
    stacked = {k: np.stack(v) for k, v in trials.items()}
    if "gamma" in spec.free:
        stacked["alpha"] = np.minimum(stacked["alpha"], 1.0 - stacked["gamma"])
    return stacked


def _evaluate(
    y: FloatArray,
    spec: EtsSpec,
    params: dict[str, FloatArray],
    init: InitialStates,
    period: int,
) -> tuple[FloatArray, FloatArray]:
    """SSE and observation count of every candidate (rows) for every series (columns)."""
    n_series = len(y)
    n_candidates = len(params["alpha"])
    seasonal = spec.season is SeasonKind.ADDITIVE
    per_series = max(1, n_candidates * (period if seasonal else 1))
    chunk = max(1, min(n_series, _MAX_BATCH_ELEMENTS // per_series))
    sse = np.empty((n_candidates, n_series))
    n_obs = np.empty((n_candidates, n_series))
    for lo in range(0, n_series, chunk):
        part = slice(lo, min(lo + chunk, n_series))
        pick = {
            k: (v[:, part] if v.shape[-1] == n_series and v.shape[-1] > 1 else v)
            for k, v in params.items()
        }
        run = additive_recursion(
            y[part],
            pick["alpha"],
            init.level0[part],
            beta=pick["beta"] if spec.trend is not TrendKind.NONE else None,
            phi=pick["phi"],
            trend0=init.trend0[part],
            gamma=pick["gamma"] if seasonal else None,
            season0=init.season0[part] if seasonal and init.season0 is not None else None,
            period=period,
        )
        sse[:, part], n_obs[:, part] = run.sse, run.n_obs
    return sse, n_obs


@dataclass(frozen=True)
class AutoEtsFit:
    """The chosen model per series, its parameters and the state path."""

    path: PanelPath
    model: NDArray[np.object_]  #: (series,) ETS name of the chosen model
    aicc: FloatArray  #: (series,) of the chosen model
    fits: tuple[SpecFit, ...] = field(repr=False)
    choice: NDArray[np.int64] = field(repr=False)  #: index into ``fits`` per series
    period: int = 1

    def replay(self, y: FloatArray) -> PanelPath:
        """The chosen models, parameters and initial states run over ``y`` (same series)."""
        return _combined_path(as_panel(y), list(self.fits), self.choice, self.period)


def auto_ets(
    y: FloatArray,
    *,
    period: int = 52,
    specs: tuple[EtsSpec, ...] = DEFAULT_SPECS,
    grid: SearchGrid | None = None,
    min_seasonal_cycles: float = 1.5,
) -> AutoEtsFit:
    """Fit every model of ``specs`` to every series and keep the one with the lowest AICc.

    Seasonal models are admissible only for series with at least ``min_seasonal_cycles``
    seasons of observations; a series for which no model is admissible (too short) gets SES.
    """
    values = as_panel(y)
    n_obs = np.sum(~np.isnan(values), axis=1)
    fits = []
    for spec in specs:
        if spec.season is SeasonKind.ADDITIVE and (
            period < 2 or not np.any(n_obs >= min_seasonal_cycles * period)
        ):
            continue
        fit = fit_spec(values, spec, period=period, grid=grid)
        if spec.season is SeasonKind.ADDITIVE:
            fit = _replace_aicc(
                fit, np.where(n_obs >= min_seasonal_cycles * period, fit.aicc, np.inf)
            )
        fits.append(fit)
    short = not fits or not np.all(np.isfinite(np.stack([f.aicc for f in fits]).min(axis=0)))
    if short and (SES_SPEC not in specs or not fits):  # too short for every model: SES stands in
        fallback = fit_spec(values, SES_SPEC, grid=grid)
        fits.append(_replace_aicc(fallback, np.full(len(values), np.inf)))
    aicc = np.stack([f.aicc for f in fits])
    choice = np.argmin(aicc, axis=0)
    admissible = np.isfinite(aicc.min(axis=0))
    if not admissible.all():
        ses_index = next(i for i, f in enumerate(fits) if f.spec == SES_SPEC)
        choice = np.where(admissible, choice, ses_index)
    return AutoEtsFit(
        path=_combined_path(values, fits, choice, period),
        model=np.asarray([fits[c].spec.name for c in choice], dtype=object),
        aicc=aicc[choice, np.arange(len(values))],
        fits=tuple(fits),
        choice=choice,
        period=period,
    )


def _replace_aicc(fit: SpecFit, aicc: FloatArray) -> SpecFit:
    return SpecFit(fit.spec, fit.params, fit.init, fit.sse, fit.n_obs, aicc)


def _combined_path(
    y: FloatArray, fits: list[SpecFit], choice: NDArray[np.int64], period: int
) -> PanelPath:
    """One state path with each series' chosen model (absent components are zero)."""
    n_series = len(y)
    rows = np.arange(n_series)

    def pick(values: list[FloatArray]) -> FloatArray:
        return np.asarray(np.stack(values)[choice, rows], dtype=np.float64)

    seasonal = np.asarray([f.spec.season is SeasonKind.ADDITIVE for f in fits])[choice]
    trended = np.asarray([f.spec.trend is not TrendKind.NONE for f in fits])[choice]
    params = parameters(
        n_series,
        alpha=pick([f.params["alpha"] for f in fits]),
        beta=np.where(trended, pick([f.params["beta"] for f in fits]), 0.0),
        gamma=np.where(seasonal, pick([f.params["gamma"] for f in fits]), 0.0),
        phi=np.where(trended, pick([f.params["phi"] for f in fits]), 1.0),
    )
    trend0 = np.where(trended, pick([f.init.trend0 for f in fits]), 0.0)
    any_seasonal = bool(seasonal.any())
    season0 = None
    if any_seasonal:
        zero = np.zeros((n_series, period))
        season0 = pick([f.init.season0 if f.init.season0 is not None else zero for f in fits])
    run = additive_recursion(
        y,
        params["alpha"],
        pick([f.init.level0 for f in fits]),
        beta=params["beta"],
        phi=params["phi"],
        trend0=trend0,
        gamma=params["gamma"] if any_seasonal else None,
        season0=season0,
        period=period,
        store=True,
    )
    assert run.level is not None
    return PanelPath(
        "auto_ets",
        run.level,
        trend=run.trend,
        season=run.season,
        period=period if any_seasonal else 1,
        seasonal_mode=SeasonalMode.ADDITIVE if any_seasonal else SeasonalMode.NONE,
        **params,
    )
