"""Daily customer demand per item-location: patterns, levels and the compound-Poisson draw.

Demand on day t of series i is compound Poisson::

    N[i, t] ~ Poisson(lambda[i] * m[i, t])          requests per day
    Q[i, t] | N ~ ceil(Gamma(N / c[i]^2, mu[i] c[i]^2)), at least N   units requested

where ``m`` multiplies weekday, winter season, Chinese New Year, lifecycle and tender-step
factors, ``mu`` is the mean request size [units] and ``c`` its coefficient of variation (the
sum of N Gamma(1/c^2, mu c^2) sizes is Gamma(N/c^2, mu c^2)). See Syntetos & Boylan (2005) for
the ADI / CV^2 classes this produces on weekly buckets.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from replenlib.demo.assortment import Assortment
from replenlib.demo.calendar import Calendar, cny_factor, weekday_profile, winter_season
from replenlib.demo.catalogue import CATEGORY_NAMES, Catalogue

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

PATTERNS: tuple[str, ...] = (
    "smooth",
    "seasonal",
    "intermittent",
    "lumpy",
    "new",
    "end_of_life",
    "tender_step",
)
#: Pattern probabilities of mature items' series (smooth, seasonal, intermittent, lumpy,
#: tender_step) per category; new and end_of_life follow the item's lifecycle.
PATTERN_MIX: dict[str, tuple[float, float, float, float, float]] = {
    "orthopaedic_implant": (0.10, 0.00, 0.50, 0.35, 0.05),
    "cardiac_stent": (0.30, 0.00, 0.35, 0.27, 0.08),
    "ivd_reagent": (0.46, 0.15, 0.15, 0.14, 0.10),
    "surgical_consumable": (0.50, 0.30, 0.06, 0.06, 0.08),
    "wound_dressing": (0.52, 0.25, 0.10, 0.06, 0.07),
    "equipment_spare": (0.00, 0.00, 0.70, 0.30, 0.00),
}
#: Demand level of a location relative to a hospital stock point, by level (central, DC).
LEVEL_SCALE: tuple[float, float, float] = (1.4, 1.1, 1.0)
#: Saturday demand relative to a weekday, by level, and for elective-surgery categories.
WEEKEND_LEVEL: tuple[float, float, float] = (0.35, 0.35, 0.65)
ELECTIVE_WEEKEND_LEVEL: float = 0.25
#: Share of frequent series at the central warehouse and DCs served as a few large, variable
#: batch orders (clinics ordering for a month): erratic in Syntetos-Boylan terms.
ERRATIC_SHARE: float = 0.2
CHUNK: int = 4096


@dataclass(frozen=True)
class SeriesParameters:
    """Per-series demand parameters (all arrays of length ``n_series``)."""

    pattern: IntArray  # index into PATTERNS
    base_rate: FloatArray  # [units/day] long-run mean at full level
    frequency: FloatArray  # [requests/day] lambda
    size_mean: FloatArray  # [units/request] mu
    size_cv: FloatArray  # [-] c
    weekend: FloatArray  # Saturday level relative to weekdays
    season: FloatArray  # winter amplitude
    step_day: IntArray  # tender step day (n_days = none)
    step_factor: FloatArray  # level multiplier after the step


def _patterns(rng: np.random.Generator, catalogue: Catalogue, series_item: IntArray) -> IntArray:
    cats = catalogue.category[series_item]
    pattern = np.zeros(len(series_item), dtype=np.int64)
    codes = np.array([0, 1, 2, 3, 6])
    for c, name in enumerate(CATEGORY_NAMES):
        members = np.flatnonzero(cats == c)
        mix = np.array(PATTERN_MIX[name])
        pattern[members] = codes[rng.choice(5, len(members), p=mix / mix.sum())]
    lifecycle = catalogue.lifecycle[series_item]
    pattern[lifecycle == 1] = 4
    pattern[lifecycle == 2] = 5
    return pattern


def make_series_parameters(
    rng: np.random.Generator, catalogue: Catalogue, assortment: Assortment, n_days: int
) -> SeriesParameters:
    """Draw pattern, level and request-size parameters for every series."""
    n = assortment.n_series
    item = assortment.item
    pattern = _patterns(rng, catalogue, item)
    scale = np.array(LEVEL_SCALE)[assortment.level] * rng.lognormal(0.0, 0.35, n)
    base = catalogue.popularity[item] * scale
    sparse = np.isin(pattern, (2, 3))
    requests_per_day = np.where(sparse, rng.uniform(0.02, 0.14, n), rng.uniform(0.8, 2.5, n))
    batch = ~sparse & (assortment.level < 2) & (rng.random(n) < ERRATIC_SHARE)
    requests_per_day = np.where(batch, rng.uniform(0.3, 0.7, n), requests_per_day)
    frequency = np.minimum(base, requests_per_day)
    size_mean = base / frequency
    size_cv = np.where((pattern == 3) | batch, rng.uniform(0.9, 1.6, n), rng.uniform(0.2, 0.5, n))
    names = np.array(CATEGORY_NAMES)[catalogue.category[item]]
    elective = np.isin(names, ("orthopaedic_implant", "cardiac_stent")) & (assortment.level == 2)
    weekend = np.where(elective, ELECTIVE_WEEKEND_LEVEL, np.array(WEEKEND_LEVEL)[assortment.level])
    season = np.where(pattern == 1, rng.uniform(0.25, 0.5, n), rng.uniform(0.0, 0.06, n))
    tender = pattern == 6
    step_day = np.where(tender, rng.integers(n_days // 4, 7 * n_days // 8, n), n_days)
    win = rng.random(n) < 0.5
    step_factor = np.where(win, rng.uniform(1.8, 3.0, n), rng.uniform(0.2, 0.5, n))
    return SeriesParameters(
        pattern,
        base,
        frequency,
        size_mean,
        size_cv,
        weekend,
        season,
        step_day.astype(np.int64),
        np.where(tender, step_factor, 1.0),
    )


def _lifecycle_factor(
    catalogue: Catalogue, item: IntArray, n_days: int, rng: np.random.Generator
) -> FloatArray:
    """Ramp-up after launch (1 - exp(-age / tau)) and linear run-down before end of life."""
    days = np.arange(n_days)[None, :]
    age = days - catalogue.launch_day[item][:, None]
    tau = rng.uniform(30, 120, len(item))[:, None]
    ramp = np.where(age >= 0, 1.0 - np.exp(-np.maximum(age, 0) / tau), 0.0)
    remaining = catalogue.eol_day[item][:, None] - days
    decline = np.clip(remaining / catalogue.decline_days[item][:, None], 0.0, 1.0)
    return np.asarray(ramp * decline, dtype=np.float64)


def _rate_chunk(
    rng: np.random.Generator,
    calendar: Calendar,
    catalogue: Catalogue,
    item: IntArray,
    params: SeriesParameters,
    rows: slice,
) -> FloatArray:
    """Expected requests per day, lambda * m[i, t], for the series in ``rows``."""
    n_days = calendar.n_days
    factor = weekday_profile(calendar.weekday, params.weekend[rows])
    factor *= winter_season(calendar, params.season[rows])
    factor *= cny_factor(calendar)[None, :]
    factor *= _lifecycle_factor(catalogue, item[rows], n_days, rng)
    stepped = np.arange(n_days)[None, :] >= params.step_day[rows][:, None]
    factor *= np.where(stepped, params.step_factor[rows][:, None], 1.0)
    return np.asarray(params.frequency[rows][:, None] * factor, dtype=np.float64)


def draw_demand(
    rng: np.random.Generator,
    calendar: Calendar,
    catalogue: Catalogue,
    assortment: Assortment,
    params: SeriesParameters,
) -> npt.NDArray[np.int32]:
    """Draw the daily demand matrix [units], shape ``(n_days, n_series)``, day-major."""
    n = assortment.n_series
    demand = np.zeros((calendar.n_days, n), dtype=np.int32)
    for start in range(0, n, CHUNK):
        rows = slice(start, min(start + CHUNK, n))
        lam = _rate_chunk(rng, calendar, catalogue, assortment.item, params, rows)
        requests = rng.poisson(lam)
        cv2 = (params.size_cv[rows] ** 2)[:, None]
        mean = np.broadcast_to(params.size_mean[rows][:, None], requests.shape)
        hit = requests > 0
        shape = requests[hit] / np.broadcast_to(cv2, requests.shape)[hit]
        sizes = rng.gamma(shape, mean[hit] * np.broadcast_to(cv2, requests.shape)[hit])
        quantity = np.zeros(requests.shape, dtype=np.int32)
        quantity[hit] = np.maximum(np.ceil(sizes), requests[hit])
        demand[:, rows] = quantity.T
    return demand


def series_truth(
    catalogue: Catalogue,
    assortment: Assortment,
    params: SeriesParameters,
    location_ids: tuple[str, ...],
) -> pd.DataFrame:
    """The generator's ground truth per series (not stored in the database)."""
    return pd.DataFrame(
        {
            "item_id": np.array(catalogue.item_ids)[assortment.item],
            "location_id": np.array(location_ids)[assortment.location],
            "pattern": np.array(PATTERNS)[params.pattern],
            "base_daily_rate": params.base_rate,
        }
    )
