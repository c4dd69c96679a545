"""Golden values from stockpyl (Snyder & Shen's reference implementation), for test_policy_golden.

stockpyl pins documentation tooling (sphinx) and is GPL-licensed, so it is never a dependency of
replenlib: run this script in its own virtual environment and commit its output.

    python3 -m venv /tmp/stockpyl-venv
    /tmp/stockpyl-venv/bin/pip install stockpyl==1.0.2
    /tmp/stockpyl-venv/bin/python tests/golden/stockpyl_values.py > tests/golden/stockpyl_values.json

Every case names the book example (Snyder & Shen, *Fundamentals of Supply Chain Theory*, 2nd
ed., 2019) or the function whose docstring example it is.
"""

from __future__ import annotations

import json

import numpy as np
from scipy.optimize import brentq
from stockpyl import eoq, rq, ss
from stockpyl import loss_functions as lf


def _fill_rate_reorder_point(mean: float, sd: float, quantity: float, fill_rate: float) -> float:
    """Continuous-review (r, Q): smallest r with n(r) - n(r + Q) = (1 - fill rate) Q."""

    def gap(r: float) -> float:
        shortage = lf.normal_loss(r, mean, sd)[0] - lf.normal_loss(r + quantity, mean, sd)[0]
        return shortage - (1 - fill_rate) * quantity

    return brentq(gap, mean - 10 * sd, mean + 10 * sd, xtol=1e-10)


def main() -> None:
    values = {
        "stockpyl_version": "1.0.2",
        # Example 3.1, 3.8 and the EPQ docstring example
        "eoq_3_1": list(eoq.economic_order_quantity(8, 0.225, 1300)),
        "eoq_backorders_3_8": list(eoq.economic_order_quantity_with_backorders(8, 0.225, 5, 1300)),
        "epq": list(eoq.economic_production_quantity(8, 0.225, 1300, 1700)),
        # Example 5.5: (r, Q) EOQ + SS: r at the newsvendor fractile p / (p + h)
        "rq_eoqss_5_5": list(rq.r_q_eoqss_approximation(0.225, 7.5, 8, 1300, 150, 1 / 12)),
        # Example 4.7 data: (s, S) by the power approximation
        "ss_power_4_7": list(ss.s_s_power_approximation(0.18, 0.70, 2.5, 50, 8)),
        # loss functions (docstring examples and extra points)
        "normal_second_loss": [
            [x, m, s, lf.normal_second_loss(x, m, s)[0]] for x, m, s in [(18.6, 15, 3), (10, 12, 4)]
        ],
        "gamma_second_loss": [
            [x, a, b, lf.gamma_second_loss(x, a, b)[0]] for x, a, b in [(4, 2, 3), (9, 4, 1.5)]
        ],
        "poisson_second_loss": [
            [x, m, lf.poisson_second_loss(x, m)[0]] for x, m in [(18, 15), (3, 5.5)]
        ],
        "negative_binomial_second_loss": [
            [x, r, p, lf.negative_binomial_second_loss(x, r, p)[0]]
            for x, r, p in [(14, 4, 0.2), (7, 3, 0.4)]
        ],
        "negative_binomial_loss": [
            [x, r, p, lf.negative_binomial_loss(x, r, p)[0]]
            for x, r, p in [(14, 4, 0.2), (7, 3, 0.4)]
        ],
        # fill-rate reorder points with stockpyl's normal loss function (brentq on top)
        "fill_rate_reorder_point": [
            [m, s, q, b, _fill_rate_reorder_point(m, s, q, b)]
            for m, s, q, b in [
                (108.33333333333333, 43.30127018922193, 304.0467800264368, 0.99),
                (5000.0, 707.1067811865476, 10000.0, 0.975),
                (40.0, 12.0, 15.0, 0.95),
            ]
        ],
    }
    print(json.dumps(values, indent=2, default=float))


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
