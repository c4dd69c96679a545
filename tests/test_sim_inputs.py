"""Simulator inputs: random streams, demand models and sampling, lead times, outages, lots."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from replenlib.sim.demand import BlockBootstrap, DemandModel, DemandPath, SizeFamily
from replenlib.sim.lots import LotStore
from replenlib.sim.sampling import DemandSampler
from replenlib.sim.streams import Streams, counter_uniform
from replenlib.sim.supply import LeadTimeFamily, LeadTimeModel, SupplierFailures


def test_counter_uniform_is_uniform_independent_and_deterministic() -> None:
    keys, counters = np.repeat(np.arange(1000), 100), np.tile(np.arange(100), 1000)
    u = counter_uniform(12345, keys, counters)
    assert u.min() >= 0.0 and u.max() < 1.0
    assert stats.kstest(u, "uniform").pvalue > 0.001
    grid = u.reshape(1000, 100)
    assert abs(np.corrcoef(grid[:, 0], grid[:, 1])[0, 1]) < 0.1  # next order of a key
    assert abs(np.corrcoef(grid[0:999:2].ravel(), grid[1:1000:2].ravel())[0, 1]) < 0.02
    np.testing.assert_array_equal(u, counter_uniform(12345, keys, counters))
    assert not np.array_equal(u, counter_uniform(54321, keys, counters))


def test_streams_follow_the_generator_state() -> None:
    a, b = Streams.from_rng(np.random.default_rng(5)), Streams.from_rng(np.random.default_rng(5))
    assert a.lead_time_seed == b.lead_time_seed
    assert a.demand.random() == b.demand.random()
    assert Streams.from_rng(np.random.default_rng(6)).lead_time_seed != a.lead_time_seed


@pytest.mark.parametrize("family", [SizeFamily.GAMMA, SizeFamily.LOGNORMAL])
def test_compound_demand_has_the_moments_it_was_fitted_to(family: SizeFamily) -> None:
    mean, std, p = np.array([2.0, 10.0]), np.array([5.0, 8.0]), np.array([0.25, 0.9])
    model = DemandModel.from_moments(mean, std, p, family)
    np.testing.assert_allclose(model.daily_mean, mean)
    np.testing.assert_allclose(model.daily_std, std)
    sampler = DemandSampler(model, 4000, np.random.default_rng(1))
    draws = np.stack([sampler.draw(day).reshape(2, -1) for day in range(150)], axis=-1)
    np.testing.assert_allclose((draws > 0).mean(axis=(1, 2)), p, rtol=0.01)
    np.testing.assert_allclose(draws.mean(axis=(1, 2)), mean, rtol=0.01)
    np.testing.assert_allclose(draws.std(axis=(1, 2)), std, rtol=0.02)


def test_bootstrap_draws_only_observed_sizes_on_the_observed_share_of_days() -> None:
    history = np.array([[0, 3, 0, 0, 7, 0, 0, 0, 3, 0], [5, 5, 5, 5, 5, 5, 5, 5, 5, np.nan]])
    model = DemandModel.from_history(history)
    np.testing.assert_allclose(model.occurrence_probability, [0.3, 1.0])
    sampler = DemandSampler(model, 1000, np.random.default_rng(3))
    draws = np.concatenate([sampler.draw(day).reshape(2, -1) for day in range(200)], axis=1)
    assert set(np.unique(draws[0])) == {0.0, 3.0, 7.0}
    assert np.mean(draws[0] == 3.0) / np.mean(draws[0] == 7.0) == pytest.approx(2.0, rel=0.05)
    assert np.all(draws[1] == 5.0)


def test_sampler_draws_nothing_for_items_without_demand() -> None:
    rng = np.random.default_rng(9)
    sampler = DemandSampler(DemandModel.from_moments(np.zeros(50), 0.0), 10, rng)
    state = rng.bit_generator.state
    for day in range(30):
        assert not sampler.draw(day).any()
    assert rng.bit_generator.state == state


def test_whole_units_round_sizes_up() -> None:
    model = DemandModel.from_moments([0.4], [0.2], 1.0, SizeFamily.GAMMA, whole_units=True)
    sampler = DemandSampler(model, 500, np.random.default_rng(0))
    draws = np.concatenate([sampler.draw(day) for day in range(20)])
    assert set(np.unique(draws)) <= {0.0, 1.0, 2.0, 3.0}


def test_demand_path_replays_one_column_for_every_replication() -> None:
    path = DemandPath(np.array([[[1.0, 0.0, 4.0]], [[2.0, 2.0, 0.0]]]))
    sampler = path.sampler(3)
    np.testing.assert_array_equal(sampler.draw(2), [4.0, 4.0, 4.0, 0.0, 0.0, 0.0])
    np.testing.assert_allclose(path.size_mean, [2.5, 2.0])
    with pytest.raises(ValueError, match="expected 1 or 3"):
        DemandPath(np.zeros((1, 2, 3))).sampler(3)


def test_lead_time_tables_match_their_moments_in_whole_days() -> None:
    for family in (LeadTimeFamily.GAMMA, LeadTimeFamily.NORMAL):
        model = LeadTimeModel.from_moments([20.0, 5.0], [6.0, 0.0], family)
        assert np.all(model.table == np.round(model.table)) and model.table.min() >= 1
        np.testing.assert_allclose(model.mean, [20.0, 5.0], rtol=0.01)
        np.testing.assert_allclose(model.std, [6.0, 0.0], atol=0.1)
    fixed = LeadTimeModel.from_moments([7.4], [3.0], LeadTimeFamily.FIXED)
    assert np.all(fixed.table == 7.0)


def test_empirical_lead_times_are_drawn_in_proportion() -> None:
    model = LeadTimeModel.from_samples([[10.0, 10.0, 30.0, np.nan], [4.0, 5.0, 6.0, 7.0]])
    u = np.random.default_rng(0).random(20_000)
    days = model.days(np.zeros(len(u), dtype=np.int64), u)
    assert np.mean(days == 30.0) == pytest.approx(1 / 3, abs=0.01)
    np.testing.assert_allclose(model.mean, [50 / 3, 5.5], rtol=0.01)
    with pytest.raises(ValueError, match="at least one observed"):
        LeadTimeModel.from_samples([[np.nan, np.nan]])


def test_outages_arrive_at_their_rate() -> None:
    failures = SupplierFailures(np.array([2.0, 0.0]), np.array([10.0, 10.0]))
    outages = failures.draw(np.random.default_rng(0), 5000, 365)
    events = (outages.start >= 0).sum(axis=-1)
    assert events[0].mean() == pytest.approx(2.0, rel=0.05) and events[1].max() == 0
    lengths = (outages.end - outages.start)[outages.start >= 0]
    assert lengths.mean() == pytest.approx(10.0, rel=0.05)
    blocked = outages.blocked_on(100)
    assert blocked[0].mean() == pytest.approx(1 - np.exp(-2 * 10 / 365), rel=0.25)
    assert not blocked[1].any()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(1, 20), st.integers(0, 25)), max_size=40))
def test_lots_are_used_and_written_off_first_expired_first_out(
    events: list[tuple[int, int, int]],
) -> None:
    # Events per day: receive ``qty`` (usable 5 days) when kind is 0, else consume ``take``;
    # a plain list of [expiry, qty] is the oracle. Four slots; the oracle merges the same way.
    lots, shelf = LotStore(np.array([0]), np.array([5.0]), slots=4), []
    on_hand, written_off, oracle_written_off = np.zeros(1), 0.0, 0.0
    for day, (kind, qty, take) in enumerate(events):
        gone_lot, amount = lots.expire(day, on_hand)
        on_hand[gone_lot] -= amount
        written_off += float(amount.sum())
        while shelf and shelf[0][0] <= day:
            oracle_written_off += shelf.pop(0)[1]
        assert written_off == pytest.approx(oracle_written_off)
        if kind == 0:
            lots.insert(
                np.array([0]), np.array([float(qty)]), np.array([day + 5.0]), on_hand.copy()
            )
            on_hand += qty
            shelf.append([day + 5.0, float(qty)])
            if len(shelf) > 4:
                shelf[-2][1] += shelf.pop()[1]
        else:
            used = min(float(take), float(on_hand[0]))
            on_hand -= used
            while used > 0:
                step = min(used, shelf[0][1])
                shelf[0][1] -= step
                used -= step
                if shelf[0][1] <= 0:
                    shelf.pop(0)
        assert float(on_hand[0]) == pytest.approx(sum(q for _, q in shelf))


def test_block_bootstrap_replays_contiguous_blocks_of_history() -> None:
    history = np.arange(2 * 60, dtype=np.float64).reshape(2, 60)  # day index + 60 × item
    source = BlockBootstrap(history, block_days=7)
    sampler = source.sampler(3, np.random.default_rng(4))
    draws = np.stack([sampler.draw(day) for day in range(21)], axis=1).reshape(2, 3, 21)
    for block in range(3):
        segment = draws[:, :, 7 * block : 7 * block + 7]
        np.testing.assert_array_equal(np.diff(segment, axis=2), 1.0)  # consecutive days
    assert np.all((draws[0] < 60) & (draws[1] >= 60))  # each item replays its own history
    again = source.sampler(3, np.random.default_rng(4))
    np.testing.assert_array_equal(
        np.stack([again.draw(d) for d in range(21)], axis=1).ravel(), draws.reshape(6, 21).ravel()
    )
    with pytest.raises(ValueError, match="1 <= block <= days"):
        BlockBootstrap(history, block_days=61)
