"""Suppliers and sourcing terms: lead-time distributions, on-time and quality rates.

Lead time of a supplier is Gamma distributed with mean ``lead_time_mean_days`` and coefficient
of variation ``lead_time_cv``; the quoted (confirmed) lead time is its ``on_time_rate``
quantile, so the share of receipts arriving on or before the confirmed date matches the
on-time rate by construction.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from replenlib.demo.catalogue import CATEGORIES, Catalogue
from replenlib.demo.texts import DISTRIBUTORS, MANUFACTURERS

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

DUAL_SOURCED_SHARE: float = 0.25


@dataclass(frozen=True)
class Suppliers:
    """Supplier master and per-item sourcing (primary and optional backup supplier)."""

    supplier_ids: tuple[str, ...]
    is_domestic: BoolArray
    lead_time_mean: FloatArray  # [days]
    lead_time_cv: FloatArray  # [-]
    quoted_lead_time: IntArray  # [days] the on_time_rate quantile of the lead time
    on_time_rate: FloatArray  # [fraction]
    quality_pass_rate: FloatArray  # [fraction]
    transit_days: IntArray  # [days] dispatch to arrival of an inbound shipment
    primary: IntArray  # per item: supplier index
    backup: IntArray  # per item: supplier index or -1
    moq: IntArray  # per item [base units], primary supplier
    order_multiple: IntArray  # per item [base units]
    suppliers: pd.DataFrame
    item_supplier: pd.DataFrame
    truth: pd.DataFrame

    def lead_time_draw(self, rng: np.random.Generator, supplier: IntArray) -> IntArray:
        """Draw actual lead times [days] (>= 1) for orders placed with ``supplier``."""
        cv = self.lead_time_cv[supplier]
        shape = 1.0 / cv**2
        draw = rng.gamma(shape, self.lead_time_mean[supplier] / shape)
        return np.maximum(np.ceil(draw), 1).astype(np.int64)


def _supplier_parameters(
    rng: np.random.Generator, domestic: BoolArray, distributor: BoolArray
) -> tuple[FloatArray, ...]:
    n = len(domestic)
    mean = np.where(domestic, rng.uniform(7, 21, n), rng.uniform(45, 90, n))
    mean = np.where(distributor, rng.uniform(4, 10, n), mean)
    cv = np.where(domestic, rng.uniform(0.10, 0.20, n), rng.uniform(0.25, 0.40, n))
    on_time = np.where(domestic, rng.uniform(0.85, 0.98, n), rng.uniform(0.70, 0.92, n))
    quality = np.where(domestic, rng.uniform(0.97, 0.995, n), rng.uniform(0.95, 0.99, n))
    return mean, cv, on_time, quality


def make_suppliers(
    rng: np.random.Generator, catalogue: Catalogue, as_of: datetime.date
) -> Suppliers:
    """One supplier per manufacturer plus domestic distributors as backup sources."""
    n_m = len(MANUFACTURERS)
    names = [m.name for m in MANUFACTURERS] + list(DISTRIBUTORS)
    countries = [m.country for m in MANUFACTURERS] + ["China"] * len(DISTRIBUTORS)
    domestic = np.array([c == "China" for c in countries])
    distributor = np.arange(len(names)) >= n_m
    mean, cv, on_time, quality = _supplier_parameters(rng, domestic, distributor)
    shape = 1.0 / cv**2
    quoted = np.ceil(stats.gamma.ppf(on_time, shape, scale=mean / shape)).astype(np.int64)
    makes_reagents = np.array(
        [("ivd_reagent" in m.categories) for m in MANUFACTURERS]
        + [k < 3 for k in range(len(DISTRIBUTORS))]
    )
    cold = makes_reagents | (rng.random(len(names)) < 0.3)
    transit = np.where(domestic, rng.integers(1, 4, len(names)), rng.integers(4, 9, len(names)))
    ids = tuple(f"SUP-{k + 1:03d}" for k in range(len(names)))
    frame = _suppliers_frame(rng, ids, names, countries, domestic, cold, as_of)
    primary, backup = _sourcing(rng, catalogue, cold, n_m)
    moq, multiple = _order_terms(rng, catalogue)
    truth = pd.DataFrame(
        {
            "supplier_id": list(ids),
            "on_time_rate": on_time,
            "quality_pass_rate": quality,
            "lead_time_mean_days": mean,
            "lead_time_cv": cv,
        }
    )
    item_supplier = _item_supplier_frame(
        rng, catalogue, ids, primary, backup, moq, multiple, quoted
    )
    return Suppliers(
        ids,
        domestic,
        mean,
        cv,
        quoted,
        on_time,
        quality,
        transit.astype(np.int64),
        primary,
        backup,
        moq,
        multiple,
        frame,
        item_supplier,
        truth,
    )


def _suppliers_frame(
    rng: np.random.Generator,
    ids: tuple[str, ...],
    names: list[str],
    countries: list[str],
    domestic: BoolArray,
    cold: BoolArray,
    as_of: datetime.date,
) -> pd.DataFrame:
    n = len(ids)
    status = np.full(n, "approved", dtype=object)
    conditional = rng.choice(n, size=2, replace=False)
    status[conditional] = "conditional"
    days = np.where(status == "approved", rng.integers(90, 1000, n), rng.integers(20, 120, n))
    until = (np.datetime64(as_of, "D") + days).astype("datetime64[s]")
    return pd.DataFrame(
        {
            "supplier_id": list(ids),
            "name": names,
            "country": countries,
            "is_domestic": domestic,
            "is_cold_chain_capable": cold,
            "qualification_status": status.astype(str),
            "qualified_until": until,
        }
    )


def _sourcing(
    rng: np.random.Generator, catalogue: Catalogue, cold: BoolArray, n_manufacturers: int
) -> tuple[IntArray, IntArray]:
    """Primary = the manufacturer; ~25 % get a domestic distributor as backup."""
    primary = catalogue.manufacturer.copy()
    n = catalogue.n_items
    dual = rng.random(n) < DUAL_SOURCED_SHARE
    distributors = np.arange(n_manufacturers, len(cold))
    capable = distributors[cold[distributors]]
    backup = np.where(catalogue.is_cold_chain, rng.choice(capable, n), rng.choice(distributors, n))
    return primary, np.where(dual, backup, -1).astype(np.int64)


def _order_terms(rng: np.random.Generator, catalogue: Catalogue) -> tuple[IntArray, IntArray]:
    """MOQ and order multiple [base units]: whole inner packs; MOQ of one to a few packs."""
    multiple = catalogue.box_size.copy()
    names = [CATEGORIES[c].name for c in catalogue.category.tolist()]
    packs = np.array(
        [
            {
                "surgical_consumable": 5,
                "wound_dressing": 5,
                "ivd_reagent": 3,
                "cardiac_stent": 2,
            }.get(n, 1)
            for n in names
        ]
    )
    moq = multiple * rng.integers(1, packs + 1)
    return moq.astype(np.int64), multiple


def _item_supplier_frame(
    rng: np.random.Generator,
    catalogue: Catalogue,
    ids: tuple[str, ...],
    primary: IntArray,
    backup: IntArray,
    moq: IntArray,
    multiple: IntArray,
    quoted: IntArray,
) -> pd.DataFrame:
    n = catalogue.n_items
    has = backup >= 0
    items = np.concatenate([np.arange(n), np.flatnonzero(has)])
    supplier = np.concatenate([primary, backup[has]])
    priority = np.concatenate([np.ones(n, np.int64), np.full(has.sum(), 2, np.int64)])
    markup = np.concatenate([np.ones(n), rng.uniform(1.05, 1.20, has.sum())])
    item_ids = np.array(catalogue.item_ids, dtype=object)
    frame = pd.DataFrame(
        {
            "item_id": item_ids[items].astype(str),
            "supplier_id": np.array(ids)[supplier],
            "priority": priority,
            "unit_price": np.round(catalogue.unit_cost[items] * markup, 2),
            "moq": moq[items].astype(float),
            "order_multiple": multiple[items].astype(float),
            "quoted_lead_time_days": quoted[supplier].astype(np.int64),
        }
    )
    return frame.sort_values(["item_id", "priority"], ignore_index=True)
