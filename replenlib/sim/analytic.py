r"""Closed forms the simulator must reproduce (normal i.i.d. daily demand, fixed lead time).

The timing is the engine's: review at the start of a day before its demand, an order placed
on day :math:`t` arrives at the start of day :math:`t + L`, backorders. Write
:math:`D_n \sim N(n\mu, n\sigma^2)` for demand over :math:`n` days, :math:`G_1` and
:math:`G_2` for its first- and second-order loss functions

.. math::

    G_1(y) = E[(D_n - y)^+] = \sigma_n[\varphi(z) - z(1 - \Phi(z))],\qquad
    G_2(y) = \tfrac12 E[((D_n - y)^+)^2]
           = \tfrac{\sigma_n^2}{2}[(z^2 + 1)(1 - \Phi(z)) - z\varphi(z)],

:math:`z = (y - n\mu)/\sigma_n`, :math:`\sigma_n = \sigma\sqrt n`.

**(R, S)**, review every :math:`R` days: the order placed at a review covers
:math:`L + R` days, so

.. math::

    \mathrm{CSL} = \Phi\Big(\frac{S - (L+R)\mu}{\sigma\sqrt{L+R}}\Big),\qquad
    \beta = 1 - \frac{G_1^{(L+R)}(S) - G_1^{(L)}(S)}{R\mu}.

**(s, nQ)** with daily review: the inventory position after ordering is uniform on
:math:`(s, s+Q]` (Hadley & Whitin), so with :math:`B^{(n)} = [G_2^{(n)}(s) - G_2^{(n)}(s+Q)]/Q`
the expected backorders after :math:`n` days' demand,

.. math::

    \beta = 1 - \frac{B^{(L+1)} - B^{(L)}}{\mu},\qquad
    E[\text{on hand at day end}] = s + \tfrac Q2 - (L+1)\mu + B^{(L+1)}.

Its cycle service level needs the **undershoot**: an order is placed when
:math:`X = IP^+ - D_1 \le s` with :math:`IP^+ \sim U(s, s+Q]`, and its cycle has a
stock-out iff :math:`D_L > X`. Hence, with :math:`u = s - X \ge 0`,

.. math::

    \mathrm{CSL} = \frac{\int_0^\infty \Phi\big(\frac{s - u - L\mu}{\sigma\sqrt L}\big)\,
    w(u)\,du}{\int_0^\infty w(u)\,du},\qquad w(u) = F_{D_1}(u + Q) - F_{D_1}(u),

evaluated by quadrature. Ignoring the undershoot gives the textbook
:math:`\Phi((s - L\mu)/(\sigma\sqrt L))`, which overstates the service of a daily review.

References
----------
Hadley, G. & Whitin, T. M. (1963). *Analysis of Inventory Systems*, chapter 5. Prentice-Hall.
Axsäter, S. (2015). *Inventory Control*, 3rd ed., sections 5.2–5.3 (loss functions, the
uniform inventory position of (R, Q) policies). Springer. Silver, Pyke & Thomas (2017),
section 6.7 and appendix B (undershoot, normal loss functions).
"""

from __future__ import annotations

import numpy as np
from scipy import stats


def normal_loss(y: float, mean: float, std: float) -> float:
    """First-order loss :math:`G_1(y) = E[(D - y)^+]` of :math:`D \\sim N(mean, std^2)`."""
    if std == 0:
        return max(mean - y, 0.0)
    z = (y - mean) / std
    return float(std * (stats.norm.pdf(z) - z * stats.norm.sf(z)))


def normal_second_loss(y: float, mean: float, std: float) -> float:
    """Second-order loss :math:`G_2(y) = E[((D - y)^+)^2] / 2` of :math:`N(mean, std^2)`."""
    if std == 0:
        return max(mean - y, 0.0) ** 2 / 2
    z = (y - mean) / std
    return float(std**2 / 2 * ((z**2 + 1) * stats.norm.sf(z) - z * stats.norm.pdf(z)))


def order_up_to_cycle_service_level(
    order_up_to: float, mean: float, std: float, lead_time: int, review_period: int
) -> float:
    """CSL of an (R, S) policy; demand ``mean``/``std`` per day [units], times in days."""
    n = lead_time + review_period
    return float(stats.norm.cdf((order_up_to - n * mean) / (std * np.sqrt(n))))


def order_up_to_fill_rate(
    order_up_to: float, mean: float, std: float, lead_time: int, review_period: int
) -> float:
    """Fill rate :math:`\\beta` [fraction] of an (R, S) policy with backorders.

    ``order_up_to`` [units]; daily ``mean`` and ``std`` [units/day]; ``lead_time`` and
    ``review_period`` [days].
    """
    n = lead_time + review_period
    short = normal_loss(order_up_to, n * mean, std * np.sqrt(n)) - normal_loss(
        order_up_to, lead_time * mean, std * np.sqrt(lead_time)
    )
    return 1.0 - short / (review_period * mean)


def _backorders(reorder_point: float, quantity: float, mean: float, std: float, n: int) -> float:
    g2 = normal_second_loss
    sd = std * np.sqrt(n)
    return (g2(reorder_point, n * mean, sd) - g2(reorder_point + quantity, n * mean, sd)) / quantity


def reorder_quantity_fill_rate(
    reorder_point: float, quantity: float, mean: float, std: float, lead_time: int
) -> float:
    """Fill rate :math:`\\beta` [fraction] of an (s, nQ) policy reviewed daily, with backorders.

    ``reorder_point`` and ``quantity`` [units]; ``mean``, ``std`` [units/day]; ``lead_time`` [days].
    """
    after = _backorders(reorder_point, quantity, mean, std, lead_time + 1)
    before = _backorders(reorder_point, quantity, mean, std, lead_time)
    return 1.0 - (after - before) / mean


def reorder_quantity_average_on_hand(
    reorder_point: float, quantity: float, mean: float, std: float, lead_time: int
) -> float:
    """Average end-of-day on hand [units] of an (s, nQ) policy reviewed daily."""
    backorders = _backorders(reorder_point, quantity, mean, std, lead_time + 1)
    return reorder_point + quantity / 2 - (lead_time + 1) * mean + backorders


def reorder_quantity_cycle_service_level(
    reorder_point: float, quantity: float, mean: float, std: float, lead_time: int
) -> float:
    """CSL [fraction] of an (s, nQ) policy reviewed daily, undershoot included (module docstring).

    ``reorder_point`` and ``quantity`` [units]; ``mean``, ``std`` [units/day]; ``lead_time`` [days].
    """
    u = np.linspace(0.0, quantity + mean + 10 * std, 20_001)
    weight = stats.norm.cdf(u + quantity, mean, std) - stats.norm.cdf(u, mean, std)
    served = stats.norm.cdf((reorder_point - u - lead_time * mean) / (std * np.sqrt(lead_time)))
    return float(np.trapezoid(served * weight, u) / np.trapezoid(weight, u))


def reorder_quantity_textbook_cycle_service_level(
    reorder_point: float, mean: float, std: float, lead_time: int
) -> float:
    """The textbook :math:`\\Phi((s - L\\mu)/(\\sigma\\sqrt L))` [fraction], undershoot ignored.

    ``reorder_point`` [units]; ``mean``, ``std`` [units/day]; ``lead_time`` [days].
    """
    return float(stats.norm.cdf((reorder_point - lead_time * mean) / (std * np.sqrt(lead_time))))
