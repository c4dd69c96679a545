"""The demo's calendar: the day grid, weekday profiles, seasons and Chinese New Year.

All functions return arrays over the days of the history (``n_days`` long, day 0 is the first
day of history). Day indices are plain ``int`` offsets; :func:`day_dates` turns them into
``datetime64[D]``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: First day of the Spring Festival (Chinese New Year, 农历正月初一) 2018-2032.
CHINESE_NEW_YEAR: tuple[datetime.date, ...] = (
    datetime.date(2018, 2, 16),
    datetime.date(2019, 2, 5),
    datetime.date(2020, 1, 25),
    datetime.date(2021, 2, 12),
    datetime.date(2022, 2, 1),
    datetime.date(2023, 1, 22),
    datetime.date(2024, 2, 10),
    datetime.date(2025, 1, 29),
    datetime.date(2026, 2, 17),
    datetime.date(2027, 2, 6),
    datetime.date(2028, 1, 26),
    datetime.date(2029, 2, 13),
    datetime.date(2030, 2, 3),
    datetime.date(2031, 1, 23),
    datetime.date(2032, 2, 11),
)

#: Demand multiplier by day offset from Chinese New Year's day: a pre-holiday bump (hospitals
#: bring elective cases forward and stock up), the statutory holiday week with few elective
#: procedures, and a recovery week.
CNY_PROFILE: dict[range, float] = {
    range(-10, -3): 1.12,
    range(-3, 0): 0.80,
    range(0, 7): 0.35,
    range(7, 14): 0.75,
}


@dataclass(frozen=True)
class Calendar:
    """The days of the history.

    Attributes
    ----------
    start : datetime.date
        The first day of history.
    n_days : int
        Number of days; the last day is ``start + n_days - 1`` (the as-of date).
    dates : numpy.ndarray
        ``datetime64[D]`` of every day.
    weekday : numpy.ndarray
        0 = Monday ... 6 = Sunday.
    day_of_year : numpy.ndarray
        1-366.
    """

    start: datetime.date
    n_days: int
    dates: npt.NDArray[np.datetime64]
    weekday: IntArray
    day_of_year: IntArray

    def day_of(self, date: datetime.date) -> int:
        """Return the day index of ``date`` (may be negative or past the end)."""
        return (date - self.start).days


def make_calendar(end_date: datetime.date, n_days: int) -> Calendar:
    """Build the calendar of ``n_days`` days ending on ``end_date`` (inclusive)."""
    start = end_date - datetime.timedelta(days=n_days - 1)
    dates = np.datetime64(start, "D") + np.arange(n_days)
    weekday = ((dates.astype(np.int64) + 3) % 7).astype(np.int64)  # 1970-01-01 was a Thursday
    years = dates.astype("datetime64[Y]")
    day_of_year = (dates - years.astype("datetime64[D]")).astype(np.int64) + 1
    return Calendar(start, n_days, dates, weekday, day_of_year)


def day_dates(start: datetime.date, days: npt.ArrayLike) -> npt.NDArray[np.datetime64]:
    """Convert day offsets from ``start`` to ``datetime64[s]`` at midnight."""
    offsets = np.asarray(days, dtype=np.int64)
    return (np.datetime64(start, "D") + offsets).astype("datetime64[s]")


def cny_factor(calendar: Calendar) -> FloatArray:
    """Return the Chinese New Year demand multiplier for every day (1 outside the season)."""
    factor = np.ones(calendar.n_days)
    for new_year in CHINESE_NEW_YEAR:
        day0 = calendar.day_of(new_year)
        for offsets, value in CNY_PROFILE.items():
            days = np.arange(offsets.start, offsets.stop) + day0
            days = days[(days >= 0) & (days < calendar.n_days)]
            factor[days] = value
    return factor


def winter_season(calendar: Calendar, amplitude: FloatArray) -> FloatArray:
    """Return a winter-peaking seasonal multiplier per series and day.

    ``1 + a * cos(2 pi (doy - 20) / 365.25)``: peak around 20 January (the respiratory season
    in northern and central China), trough in July.

    Parameters
    ----------
    calendar : Calendar
    amplitude : numpy.ndarray
        Seasonal amplitude per series, ``(n_series,)``, 0 for non-seasonal series.

    Returns
    -------
    numpy.ndarray
        ``(n_series, n_days)`` multipliers, mean about 1 over a year.
    """
    phase = np.cos(2.0 * np.pi * (calendar.day_of_year - 20) / 365.25)
    return np.asarray(1.0 + amplitude[:, None] * phase[None, :], dtype=np.float64)


def weekday_profile(weekday: IntArray, weekend_level: FloatArray) -> FloatArray:
    """Return weekday multipliers per series and day, normalised to a weekly mean of 1.

    Parameters
    ----------
    weekday : numpy.ndarray
        Weekday per day, 0 = Monday.
    weekend_level : numpy.ndarray
        Per series, the Saturday level relative to a weekday; Sunday gets 60 % of it.

    Returns
    -------
    numpy.ndarray
        ``(n_series, n_days)`` multipliers.
    """
    saturday = weekend_level[:, None]
    per_weekday = np.where(
        weekday[None, :] < 5, 1.0, np.where(weekday[None, :] == 5, saturday, 0.6 * saturday)
    )
    weekly_mean = (5.0 + saturday * 1.6) / 7.0
    return np.asarray(per_weekday / weekly_mean, dtype=np.float64)
