"""Temperature logger readings: cold rooms (hourly) and cold-chain shipments (15/30 min).

Cold rooms hold 5 °C with slow noise (AR(1), phi 0.9, sd 0.25 °C), a daytime door-opening
bump (+0.4 °C, 09:00-17:00) and a daily defrost cycle (+1.8 °C at 03:00, +0.8 °C at 04:00).
A few compressor failures put a room at 10-14 °C for 3-8 hours. Shipment loggers start at
4.5 °C and follow a gentle random walk kept within 2.5-7.5 °C; a few shipments have an
excursion (a pallet left on a warm dock: 9-12 °C for 1-3 hours). Inbound shipments whose
order was flagged with an excursion show exactly that many minutes above 8 °C.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import signal

from replenlib.demo.frames import labels, missing

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

STORAGE_FAILURES: int = 3
TRANSFER_EXCURSION_SHARE: float = 0.01


@dataclass(frozen=True)
class Loggers:
    """Readings frame and the list of generated excursions (ground truth)."""

    readings: pd.DataFrame
    excursions: pd.DataFrame


def _storage_series(rng: np.random.Generator, n_hours: int) -> FloatArray:
    """One cold room's hourly temperatures [°C] without failures."""
    noise = rng.normal(0.0, 0.25 * np.sqrt(1 - 0.9**2), n_hours)
    drift = np.asarray(signal.lfilter([1.0], [1.0, -0.9], noise), dtype=np.float64)
    hour = np.arange(n_hours) % 24
    door = np.where((hour >= 9) & (hour < 17), 0.4, 0.0)
    defrost = np.where(hour == 3, 1.8, np.where(hour == 4, 0.8, 0.0))
    return np.asarray(np.round(4.6 + drift + door + defrost, 2), dtype=np.float64)


def storage_readings(
    rng: np.random.Generator, start: datetime.date, n_days: int, rooms: list[tuple[str, str]]
) -> Loggers:
    """Hourly readings of each ``(logger_id, location_id)`` cold room, with a few failures."""
    n_hours = 24 * n_days
    times = np.datetime64(start, "h") + np.arange(n_hours)
    frames, excursions = [], []
    failing = set(
        rng.choice(len(rooms), size=min(STORAGE_FAILURES, len(rooms)), replace=False).tolist()
    )
    for k, (logger, location) in enumerate(rooms):
        values = _storage_series(rng, n_hours)
        if k in failing:
            begin = int(rng.integers(24 * 30, n_hours - 48))
            length = int(rng.integers(3, 9))
            values[begin : begin + length] = np.round(rng.uniform(10.0, 14.0, length), 2)
            excursions.append(
                (
                    logger,
                    location,
                    None,
                    times[begin],
                    times[begin + length - 1],
                    float(values[begin : begin + length].max()),
                )
            )
        frames.append(
            pd.DataFrame(
                {
                    "logger_id": labels((logger,), np.zeros(n_hours, dtype=np.int64)),
                    "reading_time": times.astype("datetime64[s]"),
                    "temperature_c": values,
                    "location_id": labels((location,), np.zeros(n_hours, dtype=np.int64)),
                    "shipment_id": missing(n_hours),
                }
            )
        )
    return Loggers(pd.concat(frames, ignore_index=True), _excursion_frame(excursions))


def _excursion_frame(rows: Sequence[tuple[object, ...]]) -> pd.DataFrame:
    return pd.DataFrame(
        rows,
        columns=["logger_id", "location_id", "shipment_id", "start", "end", "peak_temperature_c"],
    )


def shipment_readings(
    rng: np.random.Generator,
    shipments: pd.DataFrame,
    excursion_minutes: dict[str, int],
    as_of: datetime.date,
) -> Loggers:
    """Readings of every shipment with a logger: 08:00 on dispatch to 14:00 on arrival.

    Parameters
    ----------
    rng : numpy.random.Generator
    shipments : pandas.DataFrame
        The ``shipments`` table.
    excursion_minutes : dict
        Shipment id -> minutes above 8 °C to place in that shipment's record.
    as_of : datetime.date
        Loggers of shipments still travelling have uploaded up to 23:45 of this day.
    """
    cold = shipments[shipments["logger_id"].notna()]
    step = np.where(cold["kind"].to_numpy() == "inbound", 30, 15)
    begin = cold["dispatch_date"].to_numpy("datetime64[m]") + np.timedelta64(8 * 60, "m")
    end = cold["arrival_date"].to_numpy("datetime64[m]") + np.timedelta64(14 * 60, "m")
    end = np.minimum(end, np.datetime64(as_of, "m") + np.timedelta64(24 * 60 - 15, "m"))
    count = ((end - begin).astype(np.int64) // step + 1).astype(np.int64)
    owner = np.repeat(np.arange(len(cold)), count)
    index = np.arange(len(owner)) - np.repeat(np.cumsum(count) - count, count)
    minutes = index * step[owner]
    times = begin[owner] + minutes.astype("timedelta64[m]")
    values = _shipment_values(rng, owner, index)
    ids = cold["shipment_id"].to_numpy()
    chosen = _chosen_excursions(rng, cold, excursion_minutes)
    rows = []
    for k, minutes_above in chosen.items():
        rows.append(
            _apply_excursion(rng, values, owner, index, step, k, minutes_above, times, cold)
        )
    readings = pd.DataFrame(
        {
            "logger_id": labels(cold["logger_id"].tolist(), owner),
            "reading_time": times.astype("datetime64[s]"),
            "temperature_c": values,
            "location_id": missing(len(owner)),
            "shipment_id": labels(ids.tolist(), owner),
        }
    )
    return Loggers(readings, _excursion_frame(rows))


def _shipment_values(rng: np.random.Generator, owner: IntArray, index: IntArray) -> FloatArray:
    """A bounded random walk around 4.5 °C per shipment."""
    steps = rng.normal(0.0, 0.12, len(owner))
    steps[index == 0] = 0.0
    walk = np.cumsum(steps)
    first = np.flatnonzero(index == 0)
    walk -= np.repeat(walk[first], np.diff(np.r_[first, len(owner)]))
    return np.asarray(np.round(np.clip(4.5 + walk, 2.5, 7.5), 2), dtype=np.float64)


def _chosen_excursions(
    rng: np.random.Generator, cold: pd.DataFrame, excursion_minutes: dict[str, int]
) -> dict[int, int]:
    """Shipment positions with an excursion and its minutes above 8 °C."""
    ids = cold["shipment_id"].tolist()
    chosen = {ids.index(s): m for s, m in excursion_minutes.items() if s in set(ids)}
    transfers = np.flatnonzero(cold["kind"].to_numpy() == "transfer")
    n_pick = max(1, round(TRANSFER_EXCURSION_SHARE * len(transfers))) if len(transfers) else 0
    for k in rng.choice(transfers, size=n_pick, replace=False).tolist():
        chosen[int(k)] = int(rng.integers(60, 181))
    return chosen


def _apply_excursion(
    rng: np.random.Generator,
    values: FloatArray,
    owner: IntArray,
    index: IntArray,
    step: IntArray,
    k: int,
    minutes_above: int,
    times: npt.NDArray[np.datetime64],
    cold: pd.DataFrame,
) -> tuple[object, ...]:
    """Raise a run of shipment ``k``'s readings above 8 °C; return the excursion record."""
    first_reading = int(np.searchsorted(owner, k))
    mine = np.arange(first_reading, int(np.searchsorted(owner, k, side="right")))
    n_warm = min(len(mine) - 1, max(1, minutes_above // int(step[k])))
    first = int(rng.integers(1, max(2, len(mine) - n_warm)))
    warm = mine[first : first + n_warm]
    values[warm] = np.round(rng.uniform(9.0, 12.0, len(warm)), 2)
    row = cold.iloc[k]
    return (
        row["logger_id"],
        None,
        row["shipment_id"],
        times[warm[0]],
        times[warm[-1]],
        float(values[warm].max()),
    )
