"""Property tests of the vectorised FEFO kernels used by the demo simulation."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from replenlib.demo.fefo import fefo_take, split_ranges

groups_of_buckets = st.lists(
    st.tuples(st.integers(0, 4), st.integers(0, 9)), min_size=0, max_size=30
)


def _sorted(buckets: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    buckets = sorted(buckets, key=lambda b: b[0])  # stable: keeps FEFO order within a group
    group = np.array([b[0] for b in buckets], dtype=np.int64)
    quantity = np.array([b[1] for b in buckets], dtype=np.int64)
    return group, quantity


@settings(deadline=None, max_examples=60)
@given(groups_of_buckets, st.lists(st.integers(0, 40), min_size=5, max_size=5))
def test_fefo_take_serves_min_of_need_and_stock_earliest_first(
    buckets: list[tuple[int, int]], needs: list[int]
) -> None:
    group, quantity = _sorted(buckets)
    need = np.array(needs, dtype=np.int64)
    take = fefo_take(group, quantity, need[group])
    assert ((take >= 0) & (take <= quantity)).all()
    for g in range(5):
        mine = group == g
        assert take[mine].sum() == min(need[g], quantity[mine].sum())
        short = np.flatnonzero(mine & (take < quantity))
        if len(short):  # every bucket after the first partly-used one is untouched
            assert (take[np.flatnonzero(mine)[np.flatnonzero(mine) > short[0]]] == 0).all()


@settings(deadline=None, max_examples=60)
@given(
    groups_of_buckets,
    st.lists(st.tuples(st.integers(0, 4), st.integers(1, 15)), min_size=1, max_size=12),
)
def test_split_ranges_conserves_quantities(
    buckets: list[tuple[int, int]], receivers: list[tuple[int, int]]
) -> None:
    group, quantity = _sorted(buckets)
    receivers = sorted(receivers, key=lambda r: r[0])
    r_group = np.array([r[0] for r in receivers], dtype=np.int64)
    request = np.array([r[1] for r in receivers], dtype=np.int64)
    total = np.bincount(r_group, request, minlength=5).astype(np.int64)
    take = fefo_take(group, quantity, total[group])
    keep = take > 0
    group, take = group[keep], take[keep]
    pieces = split_ranges(group, take, r_group, request)
    assert (group[pieces.bucket] == r_group[pieces.receiver]).all()
    assert (np.bincount(pieces.bucket, pieces.quantity, minlength=len(take)) == take).all()
    got = np.bincount(pieces.receiver, pieces.quantity, minlength=len(request))
    assert (got <= request).all()
    assert ((pieces.offset >= 0) & (pieces.offset + pieces.quantity <= take[pieces.bucket])).all()
    for g in range(5):  # receivers are served in order: only the last served may be short
        mine = np.flatnonzero(r_group == g)
        short = mine[got[mine] < request[mine]]
        if len(short):
            assert (got[mine[mine > short[0]]] == 0).all()
