"""A small store for the demand tests: item master and daily demand drawn from a simulated panel.

Used until (and besides) the demo generator: the demand layer needs only items, locations,
sourcing and demand history; stock, orders and receipts stay empty.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from replenlib.demand.synthetic import Pattern, simulate_panel
from replenlib.store import replace_tables, writer

AS_OF = date(2026, 6, 30)
CATEGORIES = ("catheter", "stent", "reagent", "suture", "implant")


def demand_tables(n_series: int = 60, seed: int = 11, weeks: int = 104) -> dict[str, pd.DataFrame]:
    """Source tables of a store with ``n_series`` items at one location (weekly demand on Mondays)."""
    rng = np.random.default_rng(seed)
    panel = simulate_panel(rng, n_series, weeks)
    items = [f"IT{k:04d}" for k in range(n_series)]
    first_day = AS_OF - timedelta(days=7 * weeks - 1)
    launch = [
        first_day + timedelta(days=7 * int(np.argmax(row > 0)))
        if p == Pattern.NEW
        else date(2020, 1, 1)
        for row, p in zip(panel.demand, panel.pattern, strict=True)
    ]
    frames = {
        "items": pd.DataFrame(
            {
                "item_id": items,
                "gtin": [f"0690000000{k:04d}" for k in range(n_series)],
                "description": [f"{p} item {k}" for k, p in enumerate(panel.pattern)],
                "category": [CATEGORIES[k % len(CATEGORIES)] for k in range(n_series)],
                "manufacturer": "ACME",
                "risk_class": np.where(np.arange(n_series) % 7 == 0, "III", "II"),
                "criticality": np.asarray(["critical", "high", "medium", "low"])[
                    np.arange(n_series) % 4
                ],
                "base_uom": "EA",
                "unit_cost": rng.uniform(5, 500, n_series).round(2),
                "is_serialised": False,
                "is_lot_controlled": True,
                "is_consignment": False,
                "is_substitutable": False,
                "is_cold_chain": np.arange(n_series) % 5 == 2,
                "storage_temp_min_c": None,
                "storage_temp_max_c": None,
                "allowed_excursion_minutes": None,
                "shelf_life_days": None,
                "min_remaining_shelf_life_days": None,
                "launch_date": pd.to_datetime(launch),
                "end_of_life_date": None,
            }
        ),
        "locations": pd.DataFrame(
            {
                "location_id": ["CW"],
                "name": ["Central"],
                "kind": ["central_warehouse"],
                "region": ["East"],
                "city": ["Shanghai"],
                "parent_location_id": [None],
            }
        ),
        "suppliers": pd.DataFrame(
            {
                "supplier_id": ["S1"],
                "name": ["Supplier"],
                "country": ["CN"],
                "is_domestic": [True],
                "is_cold_chain_capable": [True],
                "qualification_status": ["approved"],
                "qualified_until": [None],
            }
        ),
        "item_supplier": pd.DataFrame(
            {
                "item_id": items,
                "supplier_id": "S1",
                "priority": 1,
                "unit_price": 10.0,
                "moq": 1.0,
                "order_multiple": 1.0,
                "quoted_lead_time_days": 21,
            }
        ),
        "item_location": pd.DataFrame(
            {
                "item_id": items,
                "location_id": "CW",
                "source_location_id": None,
                "transfer_lead_time_days": None,
                "erp_reorder_point": 10.0,
                "erp_order_quantity": 20.0,
            }
        ),
    }
    rows, weeks_index = np.nonzero(panel.demand > 0)
    frames["demand_history"] = pd.DataFrame(
        {
            "item_id": np.asarray(items)[rows],
            "location_id": "CW",
            "demand_date": pd.to_datetime(first_day) + pd.to_timedelta(7 * weeks_index, unit="D"),
            "quantity": panel.demand[rows, weeks_index],
            "quantity_shipped": panel.demand[rows, weeks_index],
        }
    )
    return frames


def build_store(path: Path, n_series: int = 60, seed: int = 11) -> Path:
    """Write the tables of :func:`demand_tables` into a fresh store at ``path``."""
    with writer(path, fresh=True) as con:
        replace_tables(con, demand_tables(n_series, seed))
    return path
