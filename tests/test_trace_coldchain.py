"""Cold chain: mean kinetic temperature, time outside range, gaps as unknown exposure."""

from __future__ import annotations

import math

import numpy as np
import pytest

from replenlib.trace.coldchain import (
    Exposure,
    evaluate_records,
    mean_kinetic_temperature,
    record_limits,
)


def test_mkt_worked_example() -> None:
    # Worked example (Isopharm Systems, "What is Mean Kinetic Temperature?", FAQ): a product
    # 2 h at 20 °C, 4 h at 2 °C and 1 h at 25 °C is thermally equivalent to 7 h at 15.7 °C
    # (ΔH = 83.144 kJ/mol, i.e. ΔH/R = 10,000 K), against an arithmetic mean of 10.4 °C.
    assert mean_kinetic_temperature([20.0, 2.0, 25.0], [2.0, 4.0, 1.0]) == pytest.approx(
        15.68, abs=0.01
    )
    hourly = [20.0, 20.0, 2.0, 2.0, 2.0, 2.0, 25.0]  # the same profile as equal readings
    assert mean_kinetic_temperature(hourly) == pytest.approx(15.68, abs=0.01)


def test_mkt_equals_the_standard_formula() -> None:
    # T_MKT = (ΔH/R) / -ln( (Σ exp(-ΔH/(R T_i))) / n ), T in kelvin, ΔH/R = 10,000 K
    temps = [2.0, 5.0, 8.0, 12.5, 30.0]
    kelvin = [t + 273.15 for t in temps]
    mean_exp = sum(math.exp(-10_000.0 / k) for k in kelvin) / len(kelvin)
    expected = 10_000.0 / -math.log(mean_exp) - 273.15
    assert mean_kinetic_temperature(temps) == pytest.approx(expected, rel=1e-12)
    assert mean_kinetic_temperature([5.0] * 10) == pytest.approx(5.0, abs=1e-9)
    assert mean_kinetic_temperature(temps) > np.mean(temps)  # hotter readings weigh more


def _limits(n: int, **kw: object) -> object:
    base = {"low_c": 2.0, "high_c": 8.0, "allowed_minutes": 30.0, "max_interval_minutes": 30.0}
    base.update(kw)
    return record_limits(n, **base)  # type: ignore[arg-type]


def test_minutes_outside_range_and_allowance() -> None:
    # record 0: readings every 15 min, two readings at 9 °C -> 30 min above: tolerated (≤ 30)
    # record 1: three readings at 9 °C -> 45 min above: excursion
    # record 2: one reading at 1 °C among 5 °C -> 15 min below: tolerated
    seg = [0] * 5 + [1] * 5 + [2] * 3
    minute = [0, 15, 30, 45, 60] * 2 + [0, 15, 30]
    temp = [5, 9, 9, 5, 5, 5, 9, 9, 9, 5, 5, 1, 5]
    out = evaluate_records(seg, minute, temp, _limits(3))
    np.testing.assert_allclose(out.minutes_above, [30.0, 45.0, 0.0])
    np.testing.assert_allclose(out.minutes_below, [0.0, 0.0, 15.0])
    assert out.exposure.tolist() == ["tolerated", "excursion", "tolerated"]
    assert out.first_out_minute.tolist() == [15.0, 15.0, 15.0]
    np.testing.assert_allclose(out.measured_minutes, [75.0, 75.0, 45.0])  # last holds 15 min


def test_a_gap_is_unknown_exposure_not_safe() -> None:
    # all readings in range, but 3 h without a reading between minute 30 and 210
    out = evaluate_records([0, 0, 0, 0], [0, 30, 210, 240], [5, 5, 5, 5], _limits(1))
    assert out.exposure[0] == Exposure.UNKNOWN.value
    assert out.unknown_minutes[0] == pytest.approx(150.0)  # 180 min gap, first 30 measured
    assert out.longest_gap_minutes[0] == pytest.approx(180.0)
    # the same record without the gap is safe
    ok = evaluate_records([0] * 9, np.arange(0, 270, 30), [5] * 9, _limits(1))
    assert ok.exposure[0] == Exposure.SAFE.value and ok.unknown_minutes[0] == 0.0


def test_window_not_covered_and_records_without_readings_are_unknown() -> None:
    # window 0..300 min; readings only from minute 120 -> 120 min unknown at the start;
    # record 1 has no reading at all -> its whole window is unknown
    limits = _limits(2, window_start=[0.0, 0.0], window_end=[300.0, 60.0])
    out = evaluate_records([0] * 6, np.arange(120, 300, 30), [5] * 6, limits)
    assert out.exposure.tolist() == ["unknown", "unknown"]
    np.testing.assert_allclose(out.unknown_minutes, [120.0, 60.0])
    assert np.isnan(out.mkt_c[1]) and out.n_readings.tolist() == [6, 0]


def test_proven_excursion_wins_over_unknown() -> None:
    out = evaluate_records([0] * 5, [0, 30, 60, 90, 400], [12, 12, 12, 5, 5], _limits(1))
    assert out.exposure[0] == Exposure.EXCURSION.value
    assert out.minutes_above[0] == pytest.approx(90.0) and out.unknown_minutes[0] > 0


def test_readings_must_be_sorted() -> None:
    with pytest.raises(ValueError, match="sorted"):
        evaluate_records([0, 0], [10, 0], [5, 5], _limits(1))
