"""The statsforecast side of ``benchmarks/forecast.py`` (runs in ``benchmarks/.peer-env``).

statsforecast needs pandas < 3, so it never runs in the product's environment. This script
reads the panel the benchmark wrote (``--panel``, an ``.npz`` with ``y`` = series × periods,
``train_periods``, ``horizon``, ``ets_rows``), times statsforecast on it single-threaded
(``StatsForecast(..., n_jobs=1).forecast``), and writes forecasts and timings to ``--out``.
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import statsforecast
from statsforecast import StatsForecast
from statsforecast.models import (
    TSB,
    AutoETS,
    CrostonClassic,
    CrostonSBA,
    SimpleExponentialSmoothing,
)

#: The same definitions as ours: SES(alpha=0.1), Croston and SBA (alpha 0.1), TSB(0.1, 0.1).
MODELS = {
    "ses": lambda: SimpleExponentialSmoothing(alpha=0.1),
    "croston": CrostonClassic,
    "sba": CrostonSBA,
    "tsb": lambda: TSB(alpha_d=0.1, alpha_p=0.1),
}


def long_frame(y: np.ndarray) -> pd.DataFrame:
    n_series, n_periods = y.shape
    return pd.DataFrame(
        {
            "unique_id": np.repeat(np.arange(n_series), n_periods),
            "ds": np.tile(np.arange(1, n_periods + 1), n_series),
            "y": y.ravel(),
        }
    )


def timed_forecast(
    model: object, frame: pd.DataFrame, horizon: int, repeats: int
) -> tuple[np.ndarray, float]:
    """Best-of-``repeats`` wall time of ``StatsForecast(...).forecast`` and its forecasts."""
    best, out = np.inf, None
    for _ in range(repeats):
        sf = StatsForecast(models=[model], freq=1, n_jobs=1)
        start = time.perf_counter()
        out = sf.forecast(df=frame, h=horizon)
        best = min(best, time.perf_counter() - start)
    assert out is not None
    column = next(c for c in out.columns if c not in ("unique_id", "ds"))
    values = out.sort_values(["unique_id", "ds"])[column].to_numpy()
    return values.reshape(-1, horizon), best


def per_series_loop(model: object, y: np.ndarray, horizon: int) -> float:
    """Wall time of calling the model's array ``forecast`` series by series (no pandas)."""
    start = time.perf_counter()
    for row in y:
        model.forecast(y=row, h=horizon)  # type: ignore[attr-defined]
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--panel", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    data = np.load(args.panel)
    y, horizon = data["y"], int(data["horizon"])
    frame = long_frame(y)
    warnings.simplefilter("ignore")
    StatsForecast(models=[CrostonClassic()], freq=1, n_jobs=1).forecast(
        df=frame.head(500), h=2
    )  # warm-up
    result: dict[str, object] = {"statsforecast_version": statsforecast.__version__}
    arrays: dict[str, np.ndarray] = {}
    for name, make in MODELS.items():
        forecast, seconds = timed_forecast(make(), frame, horizon, args.repeats)
        arrays[name] = forecast
        result[name] = {"seconds": seconds, "loop_seconds": per_series_loop(make(), y, horizon)}
    train = y[data["ets_rows"], : int(data["train_periods"])]
    forecast, seconds = timed_forecast(AutoETS(season_length=52), long_frame(train), horizon, 1)
    arrays["auto_ets"] = forecast
    result["auto_ets"] = {"seconds": seconds, "series": len(train)}
    np.savez(args.out.with_suffix(".npz"), **arrays)
    args.out.write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
