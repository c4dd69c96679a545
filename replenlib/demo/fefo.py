"""Vectorised FEFO allocation kernels over many stock points at once.

Stock is held in *buckets* (one lot, or a contiguous run of its serial numbers, at one
series). :func:`fefo_take` allocates each group's need over its buckets in the order given;
:func:`split_ranges` then cuts each group's allocation into the requests of several receivers
(transfers from one parent to many children) by intersecting cumulative ranges.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]


def fefo_take(group: IntArray, quantity: IntArray, need: IntArray) -> IntArray:
    """Allocate ``need`` over buckets already sorted by (group, expiry, lot).

    Parameters
    ----------
    group : numpy.ndarray
        Group id per bucket; equal ids are contiguous.
    quantity : numpy.ndarray
        Quantity available per bucket [units].
    need : numpy.ndarray
        The group's need, repeated on every bucket of the group [units].

    Returns
    -------
    numpy.ndarray
        Quantity taken per bucket: earlier buckets are emptied first.

    Examples
    --------
    >>> fefo_take(np.array([0, 0, 1]), np.array([3, 5, 2]), np.array([4, 4, 9]))
    array([3, 1, 2])
    """
    if len(group) == 0:
        return np.zeros(0, dtype=np.int64)
    cumulative = np.cumsum(quantity)
    before = cumulative - quantity
    first = np.r_[True, group[1:] != group[:-1]]
    run_start = np.maximum.accumulate(np.where(first, np.arange(len(group)), 0))
    already = before - before[run_start]
    return np.asarray(np.clip(need - already, 0, quantity), dtype=np.int64)


@dataclass(frozen=True)
class Pieces:
    """Result of :func:`split_ranges`: which bucket feeds which receiver, how much."""

    bucket: IntArray  # position in the bucket arrays passed in
    receiver: IntArray  # position in the receiver arrays passed in
    quantity: IntArray  # [units]
    offset: IntArray  # units of the bucket's take consumed before this piece


def split_ranges(
    bucket_group: IntArray, take: IntArray, receiver_group: IntArray, request: IntArray
) -> Pieces:
    """Cut each group's FEFO takes into its receivers' requests, in receiver order.

    Parameters
    ----------
    bucket_group, take : numpy.ndarray
        Buckets sorted by group then FEFO, with the quantity taken from each.
    receiver_group, request : numpy.ndarray
        Receivers sorted by group (in the order they are served), with their request.
        For every group the total take must not exceed the total request.

    Returns
    -------
    Pieces
    """
    if len(bucket_group) == 0 or len(receiver_group) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return Pieces(empty, empty, empty, empty)
    groups = np.union1d(bucket_group, receiver_group)
    total_request = np.bincount(
        np.searchsorted(groups, receiver_group), request, minlength=len(groups)
    )
    base = np.cumsum(total_request) - total_request
    r_end = base[np.searchsorted(groups, receiver_group)] + _within(receiver_group, request)
    r_start = r_end - request
    b_end = base[np.searchsorted(groups, bucket_group)] + _within(bucket_group, take)
    b_start = b_end - take
    cuts = np.union1d(np.r_[b_start, b_end], np.r_[r_start, r_end])
    left, right = cuts[:-1], cuts[1:]
    bucket = np.searchsorted(b_start, left, side="right") - 1
    keep = (bucket >= 0) & (left < b_end[np.maximum(bucket, 0)]) & (right > left)
    keep &= take[np.maximum(bucket, 0)] > 0
    left, right, bucket = left[keep], right[keep], bucket[keep]
    receiver = np.searchsorted(r_start, left, side="right") - 1
    return Pieces(
        bucket, receiver, (right - left).astype(np.int64), (left - b_start[bucket]).astype(np.int64)
    )


def _within(group: IntArray, quantity: IntArray) -> IntArray:
    """Cumulative quantity within each contiguous run of equal ``group`` (inclusive)."""
    if len(group) == 0:
        return np.zeros(0, dtype=np.int64)
    cumulative = np.cumsum(quantity)
    first = np.r_[True, group[1:] != group[:-1]]
    run_start = np.maximum.accumulate(np.where(first, np.arange(len(group)), 0))
    return np.asarray(cumulative - (cumulative - quantity)[run_start], dtype=np.int64)
