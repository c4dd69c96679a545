"""A tiny, hand-made store for the plan and governance tests (no demo generator needed).

Seven item-locations chosen so that every planning rule has a case:

==========  ========  ==================================================================
item        where     case
==========  ========  ==================================================================
I1 catheter DC1, DC2  DC1 is short, DC2 holds idle stock → transfer before purchase
I2 stent    CW        critical, 5 on hand, 2/day, 14-day lead time → emergency, high value
I3 reagent  CW        primary supplier S2 blocked → backup S1; a lot expiring unused;
                      cold-chain logger with a 2-hour excursion
I4 gloves   DC1, H1   H1 replenished by transfer from DC1; supplier S3 conditional
I5 legacy   CW        end of life: no proposal
==========  ========  ==================================================================
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from replenlib.store import replace_tables, writer

AS_OF = date(2026, 3, 29)  # a Sunday: weekly (R, s, S) rows are reviewed (ordinal % 7 == 0)
RATES = {  # demand per day at each item-location
    ("I1", "DC1"): 10.0,
    ("I1", "DC2"): 10.0,
    ("I2", "CW"): 2.0,
    ("I3", "CW"): 5.0,
    ("I4", "DC1"): 20.0,
    ("I4", "H1"): 20.0,
    ("I5", "CW"): 0.0,
}


def _items() -> pd.DataFrame:
    rows = [
        ("I1", "09506000000011", "Catheter", "medium", "II", 50.0, False, None, None, None),
        (
            "I2",
            "09506000000028",
            "Coronary stent",
            "critical",
            "III",
            2000.0,
            False,
            None,
            None,
            None,
        ),
        ("I3", "09506000000035", "IVD reagent", "high", "II", 30.0, True, 365, 0, None),
        ("I4", "09506000000042", "Gloves", "low", "I", 1.0, False, None, None, None),
        (
            "I5",
            "09506000000059",
            "Legacy drape",
            "low",
            "I",
            5.0,
            False,
            None,
            None,
            date(2026, 1, 1),
        ),
    ]
    frame = pd.DataFrame(
        rows,
        columns=[
            "item_id",
            "gtin",
            "description",
            "criticality",
            "risk_class",
            "unit_cost",
            "is_cold_chain",
            "shelf_life_days",
            "min_remaining_shelf_life_days",
            "end_of_life_date",
        ],
    )
    cold = frame["is_cold_chain"]
    return frame.assign(
        category="consumable",
        manufacturer="ACME",
        base_uom="EA",
        is_serialised=False,
        is_lot_controlled=True,
        is_consignment=False,
        is_substitutable=False,
        storage_temp_min_c=np.where(cold, 2.0, np.nan),
        storage_temp_max_c=np.where(cold, 8.0, np.nan),
        allowed_excursion_minutes=np.where(cold, 60, None),
        launch_date=date(2020, 1, 1),
    )


def tables(seed: int = 7) -> dict[str, pd.DataFrame]:
    """The store's source tables."""
    rng = np.random.default_rng(seed)
    days = pd.date_range(AS_OF - timedelta(days=363), AS_OF, freq="D")
    demand = pd.concat(
        [
            pd.DataFrame(
                {
                    "item_id": i,
                    "location_id": loc,
                    "demand_date": days.date,
                    "quantity": rng.poisson(rate, len(days)).astype(float),
                }
            )
            for (i, loc), rate in RATES.items()
        ]
    )
    demand["quantity_shipped"] = demand["quantity"]
    stock = [  # item, location, lot, quantity, expiry
        ("I1", "DC1", "L1a", 20.0, None),
        ("I1", "DC2", "L1b", 2000.0, None),
        ("I2", "CW", "L2", 5.0, None),
        ("I3", "CW", "L3old", 200.0, AS_OF + timedelta(days=6)),
        ("I3", "CW", "L3new", 10.0, AS_OF + timedelta(days=300)),
        ("I4", "DC1", "L4a", 3000.0, None),
        ("I4", "H1", "L4b", 60.0, None),
        ("I5", "CW", "L5", 40.0, None),
    ]
    lots = pd.DataFrame(
        {
            "lot_id": [s[2] for s in stock],
            "item_id": [s[0] for s in stock],
            "supplier_id": "S1",
            "lot_number": [s[2] for s in stock],
            "manufacture_date": date(2025, 1, 1),
            "expiry_date": [s[4] for s in stock],
            "quantity_received": [s[3] for s in stock],
            "inspection_status": "passed",
        }
    )
    on_hand = pd.DataFrame(
        {
            "snapshot_date": AS_OF,
            "item_id": [s[0] for s in stock],
            "location_id": [s[1] for s in stock],
            "lot_id": [s[2] for s in stock],
            "status": "available",
            "quantity": [s[3] for s in stock],
        }
    )
    start = datetime.combine(AS_OF - timedelta(days=1), datetime.min.time())
    readings = pd.date_range(start, start + timedelta(days=2) - timedelta(minutes=15), freq="15min")
    # two hours at 12 °C on the day before the planning day (allowed: 60 minutes)
    temperature = np.where(
        (readings.hour >= 10) & (readings.hour < 12) & (readings.day == start.day), 12.0, 5.0
    )
    return {
        "items": _items(),
        "locations": pd.DataFrame(
            {
                "location_id": ["CW", "DC1", "DC2", "H1"],
                "name": ["Central", "DC East", "DC West", "Hospital 1"],
                "kind": ["central_warehouse", "regional_dc", "regional_dc", "hospital"],
                "region": "East",
                "city": "Shanghai",
                "parent_location_id": [None, "CW", "CW", "DC1"],
            }
        ),
        "suppliers": pd.DataFrame(
            {
                "supplier_id": ["S1", "S2", "S3"],
                "name": ["Good Med", "Blocked Med", "Maybe Med"],
                "country": "CN",
                "is_domestic": True,
                "is_cold_chain_capable": True,
                "qualification_status": ["approved", "blocked", "conditional"],
                "qualified_until": [date(2027, 1, 1), None, date(2026, 4, 15)],
            }
        ),
        "item_supplier": pd.DataFrame(
            [
                ("I1", "S1", 1, 45.0, 100.0, 50.0, 10),
                ("I2", "S1", 1, 1800.0, 10.0, 10.0, 14),
                ("I3", "S2", 1, 25.0, 50.0, 50.0, 7),
                ("I3", "S1", 2, 28.0, 50.0, 50.0, 7),
                ("I4", "S3", 1, 1.0, 1000.0, 500.0, 5),
                ("I5", "S1", 1, 4.0, 1.0, 1.0, 5),
            ],
            columns=[
                "item_id",
                "supplier_id",
                "priority",
                "unit_price",
                "moq",
                "order_multiple",
                "quoted_lead_time_days",
            ],
        ),
        "item_location": pd.DataFrame(
            {
                "item_id": [k[0] for k in RATES],
                "location_id": [k[1] for k in RATES],
                "source_location_id": [("DC1" if k == ("I4", "H1") else None) for k in RATES],
                "transfer_lead_time_days": [(2 if k == ("I4", "H1") else None) for k in RATES],
                "erp_reorder_point": 10.0,
                "erp_order_quantity": 10.0,
            }
        ),
        "demand_history": demand,
        "lots": lots,
        "stock_on_hand": on_hand,
        "purchase_orders": pd.DataFrame(
            [
                (
                    "PO1",
                    1,
                    "I1",
                    "DC2",
                    "S1",
                    date(2026, 2, 1),
                    100.0,
                    45.0,
                    date(2026, 3, 1),
                    "open",
                    0.0,
                )
            ],
            columns=[
                "po_id",
                "po_line",
                "item_id",
                "location_id",
                "supplier_id",
                "order_date",
                "quantity",
                "unit_price",
                "confirmed_date",
                "status",
                "quantity_received",
            ],
        ),
        "movements": pd.DataFrame(
            {
                "movement_id": [1],
                "movement_date": [AS_OF],
                "kind": ["issue"],
                "item_id": ["I1"],
                "lot_id": ["L1a"],
                "serial_number": [None],
                "from_location_id": ["DC1"],
                "to_location_id": [None],
                "customer_id": [None],
                "reference": [None],
                "quantity": [1.0],
            }
        ),
        "temperature_readings": pd.DataFrame(
            {
                "logger_id": "LG1",
                "reading_time": readings,
                "temperature_c": temperature,
                "location_id": "CW",
                "shipment_id": None,
            }
        ),
    }


def build_store(path: Path, seed: int = 7) -> Path:
    """Write the tiny store to ``path`` and return it."""
    with writer(path, fresh=True) as con:
        replace_tables(con, tables(seed))
    return path
