"""One recall event: a few lots of a serialised cardiac stent from one imported supplier.

The lots are chosen after the simulation so that their units have spread furthest (most
stock points holding them plus most customers that received them). The announcement falls
2-6 days before the as-of date and the stock is left ``available``: finding and quarantining
it is the product's job. The ground truth lists every unit of the recalled lots.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import numpy as np
import pandas as pd

RECALL_REASON: str = (
    "Field safety notice: possible stent dislodgement from the delivery "
    "balloon during lesion crossing"
)


@dataclass(frozen=True)
class Recall:
    """The ``recalls`` and ``recall_lots`` tables and the ground-truth scope."""

    recalls: pd.DataFrame
    recall_lots: pd.DataFrame
    scope: pd.DataFrame


def _lot_spread(
    serials: pd.DataFrame, lots: pd.DataFrame, items: pd.DataFrame, suppliers: pd.DataFrame
) -> pd.DataFrame:
    """Per candidate lot: supplier, item, locations holding units, customers reached."""
    stents = items.loc[items["category"] == "cardiac_stent", "item_id"]
    imported = suppliers.loc[~suppliers["is_domestic"], "supplier_id"]
    usable = lots[
        lots["item_id"].isin(stents)
        & lots["supplier_id"].isin(imported)
        & (lots["inspection_status"] == "passed")
    ]
    units = serials.merge(usable[["lot_id", "supplier_id"]], on="lot_id")
    in_stock = units[units["status"] == "in_stock"]
    issued = units[units["status"] == "issued"]
    spread = pd.DataFrame(
        {
            "locations": in_stock.groupby("lot_id")["location_id"].nunique(),
            "customers": issued.groupby("lot_id")["customer_id"].nunique(),
        }
    ).fillna(0)
    spread = spread[spread["locations"] > 0]
    spread = spread.join(usable.set_index("lot_id")[["item_id", "supplier_id"]])
    spread["score"] = 2 * spread["locations"] + spread["customers"]
    return spread.reset_index(names="lot_id")


def choose_lots(
    serials: pd.DataFrame,
    lots: pd.DataFrame,
    items: pd.DataFrame,
    suppliers: pd.DataFrame,
    n_lots: int = 3,
) -> pd.DataFrame:
    """The best-spread lots (up to ``n_lots``) of one item and one supplier."""
    spread = _lot_spread(serials, lots, items, suppliers)
    if spread.empty:
        raise RuntimeError("no serialised imported stent lot is in stock to recall")
    spread = spread.sort_values(["score", "lot_id"], ascending=[False, True])
    top = spread.groupby(["item_id", "supplier_id"], sort=False).head(n_lots)
    totals = top.groupby(["item_id", "supplier_id"], sort=False)["score"].sum()
    best = totals.sort_values(ascending=False, kind="stable").index[0]
    chosen = top[(top["item_id"] == best[0]) & (top["supplier_id"] == best[1])]
    return pd.DataFrame(chosen.reset_index(drop=True))


def make_recall(
    rng: np.random.Generator, as_of: datetime.date, tables: dict[str, pd.DataFrame]
) -> Recall:
    """Build the recall tables and its scope from the finished source tables."""
    chosen = choose_lots(tables["serials"], tables["lots"], tables["items"], tables["suppliers"])
    announced = as_of - datetime.timedelta(days=int(rng.integers(2, 7)))
    recall_id = f"RC-{as_of.year}-001"
    recalls = pd.DataFrame(
        {
            "recall_id": [recall_id],
            "announced_date": np.array([np.datetime64(announced, "D")]).astype("datetime64[s]"),
            "supplier_id": [chosen["supplier_id"].iloc[0]],
            "item_id": [chosen["item_id"].iloc[0]],
            "reason": [RECALL_REASON],
            "recall_class": ["II"],
        }
    )
    recall_lots = pd.DataFrame({"recall_id": recall_id, "lot_id": chosen["lot_id"].tolist()})
    return Recall(recalls, recall_lots, recall_scope(tables, chosen["lot_id"]))


def recall_scope(tables: dict[str, pd.DataFrame], lot_ids: pd.Series) -> pd.DataFrame:
    """Every unit of the recalled lots: where it is now, or who received it and when."""
    units = tables["serials"][tables["serials"]["lot_id"].isin(lot_ids)]
    movements = tables["movements"]
    issues = movements[(movements["kind"] == "issue") & movements["lot_id"].isin(lot_ids)]
    issue_dates = issues.groupby("serial_number")["movement_date"].max()
    scope = units.assign(quantity=1.0, issue_date=units["serial_number"].map(issue_dates))
    scope["issue_date"] = scope["issue_date"].where(scope["status"] == "issued")
    columns = [
        "lot_id",
        "serial_number",
        "quantity",
        "status",
        "location_id",
        "customer_id",
        "issue_date",
    ]
    return scope[columns].sort_values(["lot_id", "serial_number"], ignore_index=True)
