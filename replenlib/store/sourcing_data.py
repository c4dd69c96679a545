"""Sourcing decisions from the store: candidates, blocks, grades → supplier and reason per item.

A candidate (item-supplier pair of ``item_supplier``) is *blocked* when its supplier's
qualification status is ``blocked``, its qualification expired before the as-of day, or an
active ``supplier_blocks`` row names the supplier (for all items, or for this item — a recall
can block one supplier's item). Grades come from the supplier scorecard. The split rule of an
item is ``primary_backup`` unless ``sourcing_rules`` says otherwise.
"""

from __future__ import annotations

from datetime import date

import duckdb
import numpy as np
import pandas as pd

from replenlib.supply.sourcing import (
    Candidates,
    SourcingReason,
    SplitRule,
    decide_sourcing,
    switch_suggestions,
)

_NONE = np.array(None, dtype=object)

#: Days back in which a lot blocked at inspection triggers a switch suggestion [days].
BLOCKED_LOT_WINDOW_DAYS = 90

_CANDIDATES_SQL = """
WITH blocks AS (
    SELECT supplier_id, item_id, string_agg(reason || coalesce(' (' || reference || ')', ''), '; ')
               AS why
    FROM supplier_blocks WHERE released_at IS NULL GROUP BY ALL
), failed AS (
    SELECT l.item_id, l.supplier_id, count(*) AS blocked_lots
    FROM inspections i JOIN lots l USING (lot_id)
    WHERE i.result = 'failed' AND i.inspection_date BETWEEN $since AND $as_of
    GROUP BY ALL
)
SELECT p.item_id, p.supplier_id, p.priority, p.unit_price, p.moq, p.order_multiple,
       p.quoted_lead_time_days, s.name AS supplier_name, s.qualification_status,
       coalesce(r.rule, 'primary_backup') AS rule, r.share, r.capacity_per_week,
       coalesce(f.blocked_lots, 0) AS blocked_lots,
       CASE WHEN s.qualification_status = 'blocked' THEN 'qualification blocked'
            WHEN s.qualified_until < $as_of THEN 'qualification expired ' || s.qualified_until
            ELSE coalesce(bi.why, ba.why) END AS block_reason
FROM item_supplier p
JOIN suppliers s USING (supplier_id)
LEFT JOIN sourcing_rules r ON r.item_id = p.item_id AND r.supplier_id = p.supplier_id
LEFT JOIN blocks bi ON bi.supplier_id = p.supplier_id AND bi.item_id = p.item_id
LEFT JOIN blocks ba ON ba.supplier_id = p.supplier_id AND ba.item_id IS NULL
LEFT JOIN failed f ON f.item_id = p.item_id AND f.supplier_id = p.supplier_id
ORDER BY p.item_id, p.priority, p.supplier_id
"""

_REASON_TEXT = {
    SourcingReason.PRIMARY.value: "primary {supplier} (grade {grade})",
    SourcingReason.BACKUP_PRIMARY_BLOCKED.value: (
        "backup {supplier} (grade {grade}): primary {primary} blocked — {block}"
    ),
    SourcingReason.BACKUP_PRIMARY_GRADE.value: (
        "backup {supplier} (grade {grade}): primary {primary} graded {primary_grade}"
    ),
    SourcingReason.FIXED_SHARE.value: "split by agreed shares: {split}",
    SourcingReason.GRADE_CAPACITY.value: "split by grade and capacity: {split}",
    SourcingReason.NO_ELIGIBLE_SUPPLIER.value: "no eligible supplier: {block}",
}


def sourcing_candidates(
    con: duckdb.DuckDBPyConnection,
    as_of: date,
    grades: pd.Series | None = None,
    what_if_blocks: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Candidate rows with ``grade`` and ``blocked`` columns (grades: supplier_id → grade).

    ``what_if_blocks`` (supplier_id, item_id — empty for all items —, reason) blocks more
    suppliers without writing to the store: a scenario such as "the recalled supplier is
    blocked", for the simulation to compare with today's sourcing.
    """
    since = date.fromordinal(as_of.toordinal() - BLOCKED_LOT_WINDOW_DAYS)
    frame = con.execute(_CANDIDATES_SQL, {"as_of": as_of, "since": since}).df()
    if what_if_blocks is not None and not what_if_blocks.empty:
        frame["block_reason"] = frame["block_reason"].fillna(_what_if(frame, what_if_blocks))
    grade = frame["supplier_id"].map(grades) if grades is not None else None
    return frame.assign(
        grade=("-" if grade is None else grade.fillna("-")),
        blocked=frame["block_reason"].notna(),
    )


def _what_if(frame: pd.DataFrame, blocks: pd.DataFrame) -> pd.Series:
    """Per candidate row, the reason of a what-if block that names it (else missing)."""
    every = blocks[blocks["item_id"].isna()].drop_duplicates("supplier_id")
    one = blocks[blocks["item_id"].notna()].drop_duplicates(["supplier_id", "item_id"])
    by_item = frame[["supplier_id", "item_id"]].merge(one, how="left")["reason"]
    by_supplier = frame[["supplier_id"]].merge(every[["supplier_id", "reason"]], how="left")
    return by_item.fillna(by_supplier["reason"]).set_axis(frame.index)


def sourcing_decisions(
    candidates: pd.DataFrame,
    grade_fell: pd.Series | None = None,
    requirement: pd.Series | None = None,
) -> pd.DataFrame:
    """One row per item: main supplier, its terms, share text, reason, switch suggestion.

    ``grade_fell`` maps supplier_id → bool; ``requirement`` maps item_id → units per week for
    capacity-limited splits.
    """
    items = pd.Index(candidates["item_id"].drop_duplicates())
    code = items.get_indexer(candidates["item_id"])
    suppliers = pd.Index(candidates["supplier_id"].drop_duplicates())
    c = Candidates(
        item=code.astype(np.int64),
        supplier=suppliers.get_indexer(candidates["supplier_id"]).astype(np.int64),
        priority=candidates["priority"].to_numpy(np.int64),
        grade=candidates["grade"].to_numpy(dtype=object),
        blocked=candidates["blocked"].to_numpy(bool),
        rule=candidates["rule"].to_numpy(dtype=object),
        share=candidates["share"].to_numpy(np.float64, na_value=np.nan),
        capacity=candidates["capacity_per_week"].to_numpy(np.float64, na_value=np.nan),
    )
    need = None if requirement is None else items.map(requirement).to_numpy(np.float64)
    decision = decide_sourcing(c, len(items), need)
    fell = (
        candidates["supplier_id"].map(grade_fell).fillna(False).to_numpy(bool)
        if (grade_fell is not None)
        else np.zeros(len(candidates), bool)
    )
    switch = switch_suggestions(
        c,
        len(items),
        decision,
        grade_fell=fell,
        blocked_lots=candidates["blocked_lots"].to_numpy(np.float64),
    )
    shares = candidates.assign(share_planned=decision.share)
    return _decision_frame(items, shares, decision.main_row, decision.reason, switch)


def _decision_frame(
    items: pd.Index,
    shares: pd.DataFrame,
    main_row: np.ndarray,
    reason: np.ndarray,
    switch: np.ndarray,
) -> pd.DataFrame:
    """Assemble the per-item decision with a readable reason."""
    has = main_row >= 0
    main = shares.iloc[np.where(has, main_row, 0)].reset_index(drop=True)
    primary = shares.groupby("item_id", sort=False).head(1).set_index("item_id").reindex(items)
    split = (
        shares[shares["share_planned"] > 0]
        .assign(
            text=lambda f: (
                f["supplier_id"]
                + " "
                + (100 * f["share_planned"]).round(0).astype(int).astype(str)
                + "%"
            )
        )
        .groupby("item_id")["text"]
        .agg(", ".join)
        .reindex(items)
        .fillna("")
    )
    frame = pd.DataFrame(
        {
            "item_id": items.to_numpy(),
            "supplier_id": np.where(has, main["supplier_id"].to_numpy(dtype=object), _NONE),
            "supplier_name": np.where(has, main["supplier_name"].to_numpy(dtype=object), _NONE),
            "unit_price": np.where(has, main["unit_price"], np.nan),
            "moq": np.where(has, main["moq"], np.nan),
            "order_multiple": np.where(has, main["order_multiple"], np.nan),
            "quoted_lead_time_days": np.where(has, main["quoted_lead_time_days"], np.nan),
            "grade": np.where(has, main["grade"], "-"),
            "primary_supplier_id": primary["supplier_id"].to_numpy(),
            "primary_grade": primary["grade"].to_numpy(),
            "primary_block": primary["block_reason"].fillna("").to_numpy(),
            "split": split.to_numpy(),
            "sourcing_reason": reason,
            "switch_suggestion": switch,
        }
    )
    frame["sourcing_text"] = [
        _REASON_TEXT[r].format(
            supplier=s, grade=g, primary=p, primary_grade=pg, block=b or "blocked", split=sp
        )
        for r, s, g, p, pg, b, sp in frame[
            [
                "sourcing_reason",
                "supplier_id",
                "grade",
                "primary_supplier_id",
                "primary_grade",
                "primary_block",
                "split",
            ]
        ].itertuples(index=False)
    ]
    return frame


def rule_values() -> tuple[str, ...]:
    """Split rules accepted in ``sourcing_rules.rule``."""
    return tuple(r.value for r in SplitRule)
