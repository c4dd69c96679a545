"""Segment kernels: running sums and minima within groups of a sorted array, without loops.

Rows are sorted so that each group's rows are contiguous (``group`` non-decreasing). These are
the building blocks of FEFO allocation and the expiry-risk recurrence.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


def segment_start_index(group: NDArray[np.int64]) -> NDArray[np.int64]:
    """For every row, the index of the first row of its group (``group`` sorted)."""
    n = group.size
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    is_start = np.r_[True, group[1:] != group[:-1]]
    return np.maximum.accumulate(np.where(is_start, np.arange(n), 0)).astype(np.int64)


def segment_cumsum(values: NDArray[np.float64], group: NDArray[np.int64]) -> NDArray[np.float64]:
    """Inclusive running sum of ``values`` within each group (``group`` sorted)."""
    if values.size == 0:
        return np.zeros(0)
    total = np.cumsum(values)
    start = segment_start_index(group)
    before_group = total[start] - values[start]
    return np.asarray(total - before_group, dtype=np.float64)


def segment_cummin(values: NDArray[np.float64], group: NDArray[np.int64]) -> NDArray[np.float64]:
    r"""Inclusive running minimum of ``values`` within each group (``group`` sorted).

    A Hillis–Steele scan: in pass :math:`k` every row takes the minimum with the row
    :math:`2^k` places earlier when that row is in the same group; :math:`\lceil\log_2 m\rceil`
    passes (``m`` the longest group) give the exact result in :math:`O(n \log m)` time and
    :math:`O(n)` memory.
    """
    result = np.array(values, dtype=np.float64, copy=True)
    n = result.size
    if n == 0:
        return result
    position = np.arange(n) - segment_start_index(group)
    shift = 1
    while shift <= int(position.max()):
        later = np.flatnonzero(position >= shift)
        result[later] = np.minimum(result[later], result[later - shift])
        shift *= 2
    return result
