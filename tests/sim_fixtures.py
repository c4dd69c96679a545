"""Synthetic scenario bases and histories for the scenario tests (no store needed)."""

from __future__ import annotations

import numpy as np

from replenlib.policy.panel import family_for_demand_class
from replenlib.policy.strategy import SegmentAttributes, Strategy, resolve
from replenlib.scenario.base import ScenarioBase
from replenlib.sim.demand import DemandModel, SizeFamily
from replenlib.sim.supply import LeadTimeModel

SUPPLIERS = ("SUP-A", "SUP-B", "SUP-IMPORT")


def synthetic_base(n: int = 60, seed: int = 0, strategy: Strategy | None = None) -> ScenarioBase:
    """``n`` series, three suppliers (one slow import), a third expiring, resolved by the
    default strategy table: criticality cycles critical, high, medium, low (the high and low
    ones intermittent), so the tiers are critical and high with (s, S) at 99 % / 97.5 % cycle
    service level, medium with (R, s, S) at 98 % fill rate, low with (R, S) at 95 % fill.

    ERP reorder points are demand over the lead time plus a day scaled by a log-normal error
    (σ = 0.35), the ERP order quantities 30 days of demand: some series under-protected,
    some over-stocked.
    """
    rng = np.random.default_rng(seed)
    category = np.where(np.arange(n) % 3 == 0, "orthopaedic_implant", "ivd_reagent").astype(object)
    smooth = np.arange(n) % 2 == 0
    p = np.where(smooth, 1.0, rng.uniform(0.15, 0.5, n))
    demand_class = np.where(smooth, "smooth", "intermittent").astype(object)
    item_id = np.asarray([f"IT{k:03d}" for k in range(n)], dtype=object)
    attributes = SegmentAttributes(
        item_id=item_id,
        location_id=np.full(n, "CW", dtype=object),
        criticality=np.asarray(
            [("critical", "high", "medium", "low")[k % 4] for k in range(n)], dtype=object
        ),
        risk_class=np.full(n, "II", dtype=object),
        is_cold_chain=np.zeros(n, dtype=bool),
        is_substitutable=np.zeros(n, dtype=bool),
        demand_class=demand_class,
        lifecycle=np.full(n, "mature", dtype=object),
    )
    chosen = strategy or Strategy()
    size_mean = rng.uniform(2.0, 12.0, n)
    demand = DemandModel(
        p, np.full(n, SizeFamily.GAMMA, dtype=object), size_mean, 0.5 * size_mean, whole_units=True
    )
    source = rng.integers(0, 3, n)
    lead = LeadTimeModel.from_moments([5.0, 9.0, 30.0], [1.5, 3.0, 10.0])
    mu = demand.daily_mean
    protection = mu * (lead.mean[source] + 1)
    erp_reorder = np.ceil(protection * rng.lognormal(0.15, 0.35, n))
    return ScenarioBase(
        item_id=item_id,
        location_id=np.full(n, "CW", dtype=object),
        resolved=resolve(chosen, attributes),
        category=category,
        supplier_id=np.asarray([SUPPLIERS[s] for s in source], dtype=object),
        backup_supplier_id=np.where(source == 2, "SUP-A", None).astype(object),
        unit_cost=rng.uniform(10.0, 500.0, n),
        demand=demand,
        forecast_mean=mu,
        forecast_std=demand.daily_std,
        demand_family=family_for_demand_class(demand_class),
        adu=mu,
        source_names=SUPPLIERS,
        lead_times=lead,
        source_sequential=np.array([True, True, False]),
        source=source.astype(np.int64),
        backup_source=np.where(source == 2, 0, -1).astype(np.int64),
        moq=np.where(source == 2, 50.0, 0.0),
        order_multiple=np.where(source == 1, 5.0, 0.0),
        backup_moq=np.zeros(n),
        backup_order_multiple=np.zeros(n),
        usable_days=np.where(np.arange(n) % 3 == 1, 120.0, np.nan),
        lost_sales=np.arange(n) % 5 == 0,
        erp_reorder_point=erp_reorder,
        erp_order_quantity=np.ceil(np.maximum(mu * 30, 1.0)),
        strategy=chosen,
    )


def synthetic_history(base: ScenarioBase, days: int, seed: int = 1) -> np.ndarray:
    """Daily history drawn from the base's demand model (series × days)."""
    from replenlib.sim.sampling import DemandSampler

    sampler = DemandSampler(base.demand, 1, np.random.default_rng(seed))
    return np.stack([sampler.draw(day) for day in range(days)], axis=1)


def write_synthetic_store(db: str, n_items: int = 24, days: int = 400, seed: int = 0) -> None:
    """A small store with items at one warehouse and one hospital (by transfer), three
    suppliers (one import with a backup), daily demand, purchase orders with receipts and
    today's ERP settings; enough for ``read_scenario_base`` and a scenario run."""
    import datetime as dt

    import pandas as pd

    from replenlib.store import replace_tables, writer

    rng = np.random.default_rng(seed)
    end = dt.date(2026, 6, 30)
    start = end - dt.timedelta(days=days - 1)
    items = [f"IT{k:03d}" for k in range(n_items)]
    crit = ["critical", "high", "medium", "low"]
    frames: dict[str, pd.DataFrame] = {
        "items": pd.DataFrame(
            {
                "item_id": items,
                "gtin": [f"0{k:013d}" for k in range(n_items)],
                "description": [f"item {k}" for k in range(n_items)],
                "category": [
                    "orthopaedic_implant" if k % 3 == 0 else "ivd_reagent" for k in range(n_items)
                ],
                "manufacturer": "ACME",
                "risk_class": ["III" if k % 8 == 0 else "II" for k in range(n_items)],
                "criticality": [crit[k % 4] for k in range(n_items)],
                "base_uom": "EA",
                "unit_cost": rng.uniform(20, 400, n_items),
                "is_serialised": False,
                "is_lot_controlled": True,
                "is_consignment": False,
                "is_substitutable": [k % 5 == 0 for k in range(n_items)],
                "is_cold_chain": [k % 6 == 1 for k in range(n_items)],
                "storage_temp_min_c": None,
                "storage_temp_max_c": None,
                "allowed_excursion_minutes": None,
                "shelf_life_days": [365 if k % 3 == 1 else None for k in range(n_items)],
                "min_remaining_shelf_life_days": [
                    60 if k % 3 == 1 else None for k in range(n_items)
                ],
                "launch_date": dt.date(2020, 1, 1),
                "end_of_life_date": None,
            }
        ),
        "locations": pd.DataFrame(
            {
                "location_id": ["CW", "H1"],
                "name": ["Central", "Hospital"],
                "kind": ["central_warehouse", "hospital"],
                "region": "East",
                "city": "Shanghai",
                "parent_location_id": [None, "CW"],
            }
        ),
        "suppliers": pd.DataFrame(
            {
                "supplier_id": list(SUPPLIERS),
                "name": list(SUPPLIERS),
                "country": ["CN", "CN", "DE"],
                "is_domestic": [True, True, False],
                "is_cold_chain_capable": True,
                "qualification_status": "approved",
                "qualified_until": None,
            }
        ),
    }
    primary = rng.integers(0, 3, n_items)
    links = [(it, SUPPLIERS[p], 1, 20.0 * (p + 1)) for it, p in zip(items, primary, strict=True)]
    links += [(it, "SUP-A", 2, 10.0) for it, p in zip(items, primary, strict=True) if p == 2]
    frames["item_supplier"] = pd.DataFrame(
        {
            "item_id": [x[0] for x in links],
            "supplier_id": [x[1] for x in links],
            "priority": [x[2] for x in links],
            "unit_price": 50.0,
            "moq": 0.0,
            "order_multiple": 1.0,
            "quoted_lead_time_days": [int(x[3]) for x in links],
        }
    )
    series = [(it, loc) for it in items for loc in ("CW", "H1")]
    rate = {it: rng.uniform(0.5, 8.0) for it in items}
    frames["item_location"] = pd.DataFrame(
        {
            "item_id": [s[0] for s in series],
            "location_id": [s[1] for s in series],
            "source_location_id": [None if s[1] == "CW" else "CW" for s in series],
            "transfer_lead_time_days": [None if s[1] == "CW" else 2 for s in series],
            "erp_reorder_point": [np.ceil(rate[s[0]] * rng.uniform(3, 30)) for s in series],
            "erp_order_quantity": [np.ceil(rate[s[0]] * 20) for s in series],
        }
    )
    dates = pd.date_range(start, end)
    rows = []
    for it, loc in series:
        p = 1.0 if rate[it] > 3 else 0.3
        q = np.where(rng.random(days) < p, np.ceil(rng.gamma(2.0, rate[it] / p / 2.0, days)), 0.0)
        rows.append(
            pd.DataFrame(
                {
                    "item_id": it,
                    "location_id": loc,
                    "demand_date": dates.date,
                    "quantity": q,
                    "quantity_shipped": q,
                }
            )
        )
    frames["demand_history"] = pd.concat(rows, ignore_index=True)
    orders = [
        (f"PO{k:05d}", it, SUPPLIERS[p], start + dt.timedelta(days=int(d)))
        for k, (it, p, d) in enumerate(
            (items[i % n_items], primary[i % n_items], (i * 7) % (days - 60))
            for i in range(n_items * 8)
        )
    ]
    lead = {"SUP-A": 6, "SUP-B": 10, "SUP-IMPORT": 35}
    frames["purchase_orders"] = pd.DataFrame(
        {
            "po_id": [o[0] for o in orders],
            "po_line": 1,
            "item_id": [o[1] for o in orders],
            "location_id": "CW",
            "supplier_id": [o[2] for o in orders],
            "order_date": [o[3] for o in orders],
            "quantity": 100.0,
            "unit_price": 50.0,
            "confirmed_date": [o[3] + dt.timedelta(days=lead[o[2]]) for o in orders],
            "status": "received",
            "quantity_received": 100.0,
        }
    )
    frames["receipts"] = pd.DataFrame(
        {
            "receipt_id": [f"R{o[0]}" for o in orders],
            "po_id": [o[0] for o in orders],
            "po_line": 1,
            "item_id": [o[1] for o in orders],
            "location_id": "CW",
            "supplier_id": [o[2] for o in orders],
            "lot_id": [f"L{o[0]}" for o in orders],
            "receipt_date": [
                o[3] + dt.timedelta(days=int(lead[o[2]] + rng.integers(-2, 5))) for o in orders
            ],
            "quantity": 100.0,
        }
    )
    with writer(db, create=True) as con:
        replace_tables(con, frames)
