r"""Sourcing: which supplier (or suppliers, in which shares) replenishes each item, and why.

Candidates are the item-supplier pairs of ``item_supplier`` (priority 1 = primary, 2 = backup,
...) with each supplier's grade and whether it is blocked (qualification status ``blocked``,
an active supplier block, e.g. after a recall). One of three split rules applies per item:

``primary_backup`` (default)
    The primary, unless it is blocked — then the first eligible backup by priority — or graded
    D while an eligible supplier graded better exists — then the best-graded eligible one.
``fixed_share``
    Agreed shares (e.g. 70/30); a blocked supplier's share is spread over the others in
    proportion to theirs.
``grade_capacity``
    Shares in proportion to a weight per grade (A 1.0, B 0.7, C 0.4, D 0, unrated 0.5), then
    capped by each supplier's capacity against the item's requirement, the excess passed on to
    suppliers with room left (water filling).

The *main* supplier of an item is the one with the largest share (ties: priority); the plan
orders from it and states the reason. **Switch suggestions** flag items whose primary is still
used although its grade fell since the previous period, is C or D, or it had lots blocked at
inbound inspection recently — worth a buyer's look before the next order.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from numpy.typing import ArrayLike, NDArray

from replenlib.supply.scorecard import Grade, grade_rank


class SplitRule(StrEnum):
    """How an item's requirement is divided among its suppliers."""

    PRIMARY_BACKUP = "primary_backup"
    FIXED_SHARE = "fixed_share"
    GRADE_CAPACITY = "grade_capacity"


class SourcingReason(StrEnum):
    """Why the main supplier of an item was chosen."""

    PRIMARY = "primary"
    BACKUP_PRIMARY_BLOCKED = "backup_primary_blocked"
    BACKUP_PRIMARY_GRADE = "backup_primary_grade"
    FIXED_SHARE = "fixed_share"
    GRADE_CAPACITY = "grade_capacity"
    NO_ELIGIBLE_SUPPLIER = "no_eligible_supplier"


#: Share weight per grade under :attr:`SplitRule.GRADE_CAPACITY`.
GRADE_WEIGHT: dict[str, float] = {"A": 1.0, "B": 0.7, "C": 0.4, "D": 0.0, "-": 0.5}


@dataclass(frozen=True)
class Candidates:
    """One row per item-supplier pair; ``item`` codes ``0..n_items-1``.

    Attributes
    ----------
    item, supplier : integer codes
    priority : 1 = primary, 2 = backup, ...
    grade : :class:`~replenlib.supply.scorecard.Grade` value of the supplier
    blocked : the supplier may not be ordered from for this item
    rule : :class:`SplitRule` value of the item (same on all its rows)
    share : agreed share under ``fixed_share`` [fraction]; NaN otherwise
    capacity : what the supplier can deliver in the planning period [units]; NaN = unlimited
    """

    item: NDArray[np.int64]
    supplier: NDArray[np.int64]
    priority: NDArray[np.int64]
    grade: NDArray[np.object_]
    blocked: NDArray[np.bool_]
    rule: NDArray[np.object_]
    share: NDArray[np.float64]
    capacity: NDArray[np.float64]


@dataclass(frozen=True)
class SourcingDecision:
    """Shares per candidate row and the main supplier per item."""

    share: NDArray[np.float64]  #: per candidate row [fraction]
    main_row: NDArray[np.int64]  #: per item, candidate row of the main supplier; -1 = none
    reason: NDArray[np.object_]  #: per item, :class:`SourcingReason` value


def _first_per_item(
    keys: tuple[NDArray[np.int64] | NDArray[np.float64], ...], item: NDArray[np.int64], n: int
) -> NDArray[np.int64]:
    """Candidate row that sorts first per item under ``keys`` (most significant last)."""
    order = np.lexsort((*keys, item))
    first = np.full(n, -1, dtype=np.int64)
    starts = np.r_[True, item[order][1:] != item[order][:-1]] if order.size else order.astype(bool)
    first[item[order][starts]] = order[starts]
    return first


def primary_backup(c: Candidates, n_items: int) -> SourcingDecision:
    """Main supplier per item under :attr:`SplitRule.PRIMARY_BACKUP` (module docstring)."""
    rank = grade_rank(c.grade)
    eligible = ~c.blocked
    better_exists = np.zeros(n_items, dtype=bool)
    np.logical_or.at(better_exists, c.item, eligible & (c.grade != Grade.D.value))
    demoted = (c.grade == Grade.D.value) & better_exists[c.item]
    by_priority = _first_per_item(
        (c.supplier, c.priority, c.blocked.astype(np.int64)), c.item, n_items
    )
    by_grade = _first_per_item(
        (c.supplier, c.priority, rank, (c.blocked | demoted).astype(np.int64)), c.item, n_items
    )
    primary = _first_per_item((c.supplier, c.priority), c.item, n_items)
    primary_blocked = np.where(primary >= 0, c.blocked[np.maximum(primary, 0)], True)
    primary_demoted = np.where(primary >= 0, demoted[np.maximum(primary, 0)], False)
    main = np.where(primary_blocked, by_priority, np.where(primary_demoted, by_grade, primary))
    none = (main < 0) | c.blocked[np.maximum(main, 0)]
    main = np.where(none, -1, main)
    reason = np.select(
        [none, primary_blocked, primary_demoted],
        [
            SourcingReason.NO_ELIGIBLE_SUPPLIER.value,
            SourcingReason.BACKUP_PRIMARY_BLOCKED.value,
            SourcingReason.BACKUP_PRIMARY_GRADE.value,
        ],
        default=SourcingReason.PRIMARY.value,
    )
    share = np.zeros(c.item.size)
    share[main[main >= 0]] = 1.0
    return SourcingDecision(share, main, np.asarray(reason, dtype=object))


def _normalise(weight: NDArray[np.float64], item: NDArray[np.int64], n: int) -> NDArray[np.float64]:
    """Weights → shares summing to 1 per item (0 where an item's weights sum to 0)."""
    total = np.bincount(item, weights=weight, minlength=n)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total[item] > 0, weight / total[item], 0.0)


def fixed_shares(c: Candidates, n_items: int) -> NDArray[np.float64]:
    """Shares under :attr:`SplitRule.FIXED_SHARE`: agreed shares of eligible suppliers."""
    agreed = np.where(c.blocked, 0.0, np.nan_to_num(np.maximum(c.share, 0.0)))
    return _normalise(agreed, c.item, n_items)


def grade_capacity_shares(
    c: Candidates, n_items: int, requirement: NDArray[np.float64], max_rounds: int = 10
) -> NDArray[np.float64]:
    """Shares under :attr:`SplitRule.GRADE_CAPACITY` (module docstring).

    ``requirement`` per item [units]; NaN or 0 means capacities cannot bind. Each round gives
    every item's unplaced quantity to its suppliers with room left, in proportion to their
    grade weights; a round per supplier per item at most (``max_rounds`` ≥ suppliers per item).
    """
    weight = np.where(c.blocked, 0.0, _grade_weight(c.grade))
    need = np.nan_to_num(requirement)
    if not (need > 0).any():
        return _normalise(weight, c.item, n_items)
    room = np.where(np.isnan(c.capacity), np.inf, np.maximum(c.capacity, 0.0))
    placed = np.zeros(c.item.size)
    for _ in range(max_rounds):  # rounds of water filling, not items
        open_weight = np.where(room - placed > 1e-9, weight, 0.0)
        left = need - np.bincount(c.item, weights=placed, minlength=n_items)
        offer = _normalise(open_weight, c.item, n_items) * np.maximum(left, 0.0)[c.item]
        if not (offer > 1e-9).any():
            break
        placed += np.minimum(offer, room - placed)
    unplaced = need - np.bincount(c.item, weights=placed, minlength=n_items)
    fallback = _normalise(weight, c.item, n_items)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(need[c.item] > 0, placed / need[c.item], fallback)
    # requirement beyond every capacity stays with the grade weights: the plan must know
    with np.errstate(divide="ignore", invalid="ignore"):
        extra = np.where(unplaced[c.item] > 1e-9, fallback * unplaced[c.item] / need[c.item], 0.0)
    return np.asarray(share + extra, dtype=np.float64)


def _grade_weight(grade: NDArray[np.object_]) -> NDArray[np.float64]:
    keys = list(GRADE_WEIGHT)
    return np.asarray(
        np.select([grade == k for k in keys], [GRADE_WEIGHT[k] for k in keys], default=0.5),
        dtype=np.float64,
    )


def decide_sourcing(
    c: Candidates, n_items: int, requirement: ArrayLike | None = None
) -> SourcingDecision:
    """Shares, main supplier and reason per item under each item's split rule."""
    need = np.full(n_items, np.nan) if requirement is None else np.asarray(requirement, float)
    base = primary_backup(c, n_items)
    rule = c.rule
    share = np.select(
        [rule == SplitRule.FIXED_SHARE.value, rule == SplitRule.GRADE_CAPACITY.value],
        [fixed_shares(c, n_items), grade_capacity_shares(c, n_items, need)],
        default=base.share,
    )
    item_rule = np.full(n_items, SplitRule.PRIMARY_BACKUP.value, dtype=object)
    item_rule[c.item] = rule
    split = item_rule != SplitRule.PRIMARY_BACKUP.value
    largest = _first_per_item((c.supplier, c.priority, -share), c.item, n_items)
    has_share = np.zeros(n_items, dtype=bool)
    np.logical_or.at(has_share, c.item, share > 0)
    main = np.where(split, np.where(has_share, largest, -1), base.main_row)
    reason = np.where(
        split,
        np.where(
            has_share,
            np.where(
                item_rule == SplitRule.FIXED_SHARE.value,
                SourcingReason.FIXED_SHARE.value,
                SourcingReason.GRADE_CAPACITY.value,
            ),
            SourcingReason.NO_ELIGIBLE_SUPPLIER.value,
        ),
        base.reason,
    )
    return SourcingDecision(share, main.astype(np.int64), np.asarray(reason, dtype=object))


class SwitchTrigger(StrEnum):
    """Why a buyer should look at moving volume away from the primary supplier."""

    NONE = ""
    GRADE_FELL = "grade_fell"
    LOW_GRADE = "low_grade"
    BLOCKED_LOTS = "blocked_lots"


def switch_suggestions(
    c: Candidates,
    n_items: int,
    decision: SourcingDecision,
    *,
    grade_fell: ArrayLike,
    blocked_lots: ArrayLike,
) -> NDArray[np.object_]:
    """Per item, the :class:`SwitchTrigger` value when its primary is still the main supplier.

    Parameters
    ----------
    grade_fell : per candidate row, the supplier's grade fell since the previous period
    blocked_lots : per candidate row, lots of this item-supplier blocked at inspection recently
    """
    primary = _first_per_item((c.supplier, c.priority), c.item, n_items)
    main = decision.main_row
    still_primary = (main >= 0) & (main == primary)
    row = np.maximum(primary, 0)
    has_alternative = np.zeros(n_items, dtype=bool)
    np.logical_or.at(has_alternative, c.item, ~c.blocked & (c.priority > c.priority[row][c.item]))
    fell = np.asarray(grade_fell, dtype=bool)[row]
    low = np.isin(c.grade[row], [Grade.C.value, Grade.D.value])
    lots = np.asarray(blocked_lots, dtype=np.float64)[row] > 0
    trigger = np.select(
        [fell, lots, low],
        [
            SwitchTrigger.GRADE_FELL.value,
            SwitchTrigger.BLOCKED_LOTS.value,
            SwitchTrigger.LOW_GRADE.value,
        ],
        default=SwitchTrigger.NONE.value,
    )
    return np.asarray(np.where(still_primary & has_alternative, trigger, ""), dtype=object)
