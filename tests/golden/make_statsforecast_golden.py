"""Generate tests/golden/statsforecast_intermittent.json with statsforecast (reference values).

statsforecast needs pandas < 3, so it never runs in the product's environment. Run this with
the benchmark's peer environment (``python benchmarks/forecast.py`` creates it):

    benchmarks/.peer-env/bin/python tests/golden/make_statsforecast_golden.py

It records, for a handful of series, the forecasts (``mean``) and in-sample fitted values of
statsforecast's CrostonClassic, CrostonSBA, TSB and SimpleExponentialSmoothing, with the
statsforecast version. NaN is written as null.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import statsforecast
from statsforecast.models import TSB, CrostonClassic, CrostonSBA, SimpleExponentialSmoothing

OUT = Path(__file__).with_name("statsforecast_intermittent.json")


def series() -> dict[str, list[float]]:
    rng = np.random.default_rng(20240917)
    intermittent = np.where(rng.random(60) < 0.3, rng.integers(1, 12, 60), 0).astype(float)
    lumpy = np.where(rng.random(52) < 0.15, rng.gamma(0.8, 40, 52).round(), 0.0)
    return {
        # Croston's worked example in tests/test_demand_core.py
        "worked_example": [0, 2, 0, 0, 3, 0, 1],
        # leading zeros, then demand: the first interval counts from the series start
        "late_start": [0, 0, 0, 0, 5, 0, 0, 7, 0, 4, 0, 0, 0, 6, 0],
        "intermittent_60": intermittent.tolist(),
        "lumpy_52": lumpy.tolist(),
        "one_demand": [0, 0, 0, 9, 0, 0],
        "smooth_24": (20 + rng.normal(0, 4, 24)).round(1).tolist(),
    }


def clean(values: np.ndarray) -> list[float | None]:
    return [None if np.isnan(v) else float(v) for v in np.asarray(values, dtype=float)]


def main() -> None:
    models = {
        "croston": CrostonClassic(),
        "sba": CrostonSBA(),
        "tsb": TSB(alpha_d=0.2, alpha_p=0.1),
        "ses": SimpleExponentialSmoothing(alpha=0.3),
    }
    out: dict[str, object] = {
        "statsforecast_version": statsforecast.__version__,
        "parameters": {
            "croston": {"alpha": 0.1},
            "sba": {"alpha": 0.1},
            "tsb": {"alpha_d": 0.2, "alpha_p": 0.1},
            "ses": {"alpha": 0.3},
        },
        "series": {},
    }
    for name, values in series().items():
        y = np.asarray(values, dtype=float)
        results = {}
        for model_name, model in models.items():
            res = model.forecast(y=y, h=3, fitted=True)
            results[model_name] = {"mean": clean(res["mean"]), "fitted": clean(res["fitted"])}
        out["series"][name] = {"y": values, "models": results}  # type: ignore[index]
    OUT.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
