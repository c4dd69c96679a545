"""Achieved service on simulated demand is within 1.5 pp of the target, both measures.

The simulation here is a small test-only reference (the Monte-Carlo engine of replenlib.sim is
built separately): daily periods, backorders, fixed lead time, many independent paths
simulated side by side. An order placed at the start of day t arrives at the start of day
t + L. A replenishment cycle is a review period for (R, S) and the time between two arrivals
for (s, Q); a cycle has a stockout when net inventory is negative at its end.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest

from replenlib.policy.policies import reorder_levels
from replenlib.policy.service import cycle_demand

PATHS, DAYS, WARM_UP = 300, 2400, 100
Draw = Callable[[np.random.Generator, int], np.ndarray]


@dataclass(frozen=True)
class Achieved:
    cycle_service_level: float
    fill_rate: float


def simulate(
    draw: Draw,
    *,
    lead: int,
    review: int,
    s: float,
    big_s: float,
    lot: float,
    fixed: bool,
    seed: int,
) -> Achieved:
    """(R, S) when ``fixed`` is False and s == S; (R, s, nQ) when ``fixed`` is True."""
    rng = np.random.default_rng(seed)
    net = np.full(PATHS, big_s)
    pipeline = np.zeros((PATHS, lead))
    end_net = np.zeros((PATHS, DAYS))
    ordered = np.zeros((PATHS, DAYS), dtype=bool)
    demand_total = served_total = 0.0
    for t in range(DAYS):
        slot = t % lead
        net += pipeline[:, slot]
        pipeline[:, slot] = 0.0
        if t % review == 0:
            position = net + pipeline.sum(axis=1)
            if fixed:
                lots = np.where(position <= s, np.floor((s - position) / lot) + 1, 0.0)
                quantity = lots * lot
            else:
                quantity = np.maximum(big_s - position, 0.0)
            pipeline[:, slot] = quantity
            ordered[:, t] = quantity > 0
        demand = draw(rng, PATHS)
        if t >= WARM_UP:
            demand_total += demand.sum()
            served_total += np.minimum(np.maximum(demand, 0.0), np.maximum(net, 0.0)).sum()
        net -= demand
        end_net[:, t] = net
    if fixed:
        paths, days = np.nonzero(ordered[:, WARM_UP : DAYS - lead])
        ends = end_net[paths, days + WARM_UP + lead - 1]
    else:
        first_review = -(-WARM_UP // review) * review
        epochs = np.arange(first_review, DAYS - lead - review, review)
        ends = end_net[:, epochs + lead + review - 1]
    return Achieved(float(np.mean(ends >= 0)), served_total / demand_total)


def normal_draw(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.normal(20.0, 6.0, n)  # smooth demand [units/day]


def intermittent_draw(rng: np.random.Generator, n: int) -> np.ndarray:
    # a demand on 30 % of days, of 1 + Poisson(4) units: mean 1.5/day, variance 6.45
    return (rng.random(n) < 0.3) * (1.0 + rng.poisson(4.0, n))


CASES = [
    # name, draw, family, daily mean, daily sd, lead, review, policy, lot
    ("normal", normal_draw, "normal", 20.0, 6.0, 5, 7, "R_S", 0.0),
    ("normal", normal_draw, "normal", 20.0, 6.0, 5, 1, "s_Q", 120.0),
    (
        "intermittent",
        intermittent_draw,
        "negative_binomial",
        1.5,
        np.sqrt(6.45),
        21,
        14,
        "R_S",
        0.0,
    ),
    (
        "intermittent",
        intermittent_draw,
        "negative_binomial",
        1.5,
        np.sqrt(6.45),
        21,
        1,
        "s_Q",
        30.0,
    ),
]


@pytest.mark.parametrize("measure,target", [("cycle_service_level", 0.90), ("fill_rate", 0.97)])
@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]}-{c[7]}" for c in CASES])
def test_achieved_service_is_within_1_5_pp_of_target(
    case: tuple[str, Draw, str, float, float, int, int, str, float], measure: str, target: float
) -> None:
    _, draw, family, mean, sd, lead, review, policy, lot = case
    demand = cycle_demand([family], [mean], [sd], [float(lead)], [0.0], [float(review)])
    levels = reorder_levels(policy, measure, target, demand, lot)
    achieved = simulate(
        draw,
        lead=lead,
        review=review,
        s=float(levels.reorder_point[0]),
        big_s=float(levels.order_up_to[0]),
        lot=lot,
        fixed=policy == "s_Q",
        seed=7,
    )
    value = getattr(achieved, measure)
    assert value == pytest.approx(target, abs=0.015), (measure, value, levels)
