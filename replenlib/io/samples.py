"""Small sample exports, one per built-in mapping, generated from the demo data.

``python -m replenlib.io.samples data/samples`` regenerates ``data/samples/<kind>/`` with a
file per mapping (a dozen items, a few weeks of history; MES, CRM and nonconformance records
made up for those items) and a copy of the mapping next to it, so a user sees what each
mapping expects. Import them in dependency order with ``replen import KIND data/samples/KIND``
(ERP first: every other kind refers to its item master).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from replenlib.io.demo_exports import hibc_xref, udi_scans
from replenlib.io.exports import ExportSpec, mappings_by_name, write_exports

N_ITEMS = 12
DAYS = 28


def sample_tables(
    tables: dict[str, pd.DataFrame], rng: np.random.Generator
) -> dict[str, pd.DataFrame]:
    """A coherent slice of the demo tables (``N_ITEMS`` items, ``DAYS`` days) plus MES/CRM/QMS."""
    items = tables["items"].sort_values("is_serialised", ascending=False).head(N_ITEMS)
    keep = set(items["item_id"])
    out = {name: frame[frame["item_id"].isin(keep)] if "item_id" in frame else frame
           for name, frame in tables.items()}  # fmt: skip
    xref = hibc_xref(items)
    scans = udi_scans(out, xref, rng, n=40)  # before the slices below, to find whole units
    end = pd.Timestamp(tables["demand_history"]["demand_date"].max())
    recent = end - pd.Timedelta(days=DAYS)
    out["demand_history"] = out["demand_history"][out["demand_history"]["demand_date"] > recent]
    out["movements"] = out["movements"][out["movements"]["movement_date"] > recent].head(300)
    lots = set(out["lots"]["lot_id"])
    for name in ("serials", "stock_on_hand", "receipts"):
        out[name] = out[name][out[name]["lot_id"].isin(lots)].head(200)
    out["inspections"] = tables["inspections"][tables["inspections"]["lot_id"].isin(lots)].head(100)
    out["recall_lots"] = tables["recall_lots"].head(3)
    out["shipments"] = tables["shipments"].tail(50)
    readings = tables["temperature_readings"]
    out["temperature_readings"] = readings[
        readings["logger_id"] == readings["logger_id"].iloc[0]
    ].tail(72)
    out["item_xref"], out["udi_scans"] = xref, scans
    out.update(_made_up(items, tables, end, rng))
    return out


def _made_up(
    items: pd.DataFrame,
    tables: dict[str, pd.DataFrame],
    end: pd.Timestamp,
    rng: np.random.Generator,
) -> dict[str, pd.DataFrame]:
    """MES, CRM and nonconformance records for the sample items (the demo has none)."""
    ids = list(items["item_id"])
    parent, components = ids[0], ids[1:4]
    plant = str(tables["locations"]["location_id"].iloc[0])
    days = pd.date_range(end + pd.Timedelta(days=1), periods=20, freq="D")
    orders = pd.DataFrame({
        "production_order_id": [f"MO{k:05d}" for k in range(1, 6)], "item_id": parent,
        "location_id": plant, "quantity_planned": [20.0, 20, 40, 40, 20],
        "quantity_completed": [20.0, 20, 10, 0, 0], "start_date": days[:5] - pd.Timedelta(days=10),
        "due_date": days[:5], "status": ["completed", "completed", "released", "planned", "planned"],
    })  # fmt: skip
    return {
        "bom": pd.DataFrame(
            {
                "parent_item_id": parent,
                "component_item_id": components,
                "quantity_per": [1.0, 2.0, 4.0],
            }
        ),
        "production_orders": orders,
        "component_consumption": pd.DataFrame(
            {
                "consumption_id": [f"MI{k:05d}" for k in range(1, 7)],
                "production_order_id": ["MO00001"] * 3 + ["MO00002"] * 3,
                "component_item_id": components * 2,
                "lot_id": None,
                "consumption_date": [days[0] - pd.Timedelta(days=9)] * 3
                + [days[1] - pd.Timedelta(days=9)] * 3,
                "quantity": [20.0, 40, 80] * 2,
            }
        ),
        "demand_signals": pd.DataFrame(
            {
                "signal_id": [f"SG{k:04d}" for k in range(1, 9)],
                "kind": [
                    "surgery",
                    "surgery",
                    "surgery",
                    "tender",
                    "tender",
                    "contract",
                    "contract",
                    "contract",
                ],
                "item_id": [ids[k % 4] for k in range(8)],
                "location_id": plant,
                "customer_id": str(tables["customers"]["customer_id"].iloc[0]),
                "signal_date": days[rng.integers(0, 20, 8)],
                "quantity": rng.integers(1, 20, 8).astype(float),
                "probability": [1.0, 1, 1, 0.4, 0.6, 1, 1, 1],
                "status": ["scheduled"] * 3 + ["open", "open"] + ["won"] * 3,
                "reference": [f"REF-{k}" for k in range(8)],
            }
        ),
        "nonconformances": pd.DataFrame(
            {
                "nc_id": ["NC-0001", "NC-0002"],
                "item_id": ids[:2],
                "lot_id": None,
                "supplier_id": None,
                "opened_date": [end - pd.Timedelta(days=20), end - pd.Timedelta(days=3)],
                "closed_date": [end - pd.Timedelta(days=5), None],
                "severity": ["minor", "major"],
                "disposition": ["use_as_is", None],
                "description": [
                    "Label print faint on outer box",
                    "Seal integrity failure on 2 units",
                ],
            }
        ),
    }


def sample_specs() -> list[ExportSpec]:
    """One export per built-in mapping, alternating Chinese and English names and encodings."""
    specs = []
    for k, (name, mapping) in enumerate(sorted(mappings_by_name().items())):
        language = "en" if k % 3 == 2 else "zh"
        encoding = ("utf-8", "utf-8-sig", "gb18030")[k % 3] if language == "zh" else "utf-8"
        suffix = ".xlsx" if k % 7 == 3 else ".csv"
        specs.append(ExportSpec(name, f"{mapping.kind.value}/{name}{suffix}", language, encoding))
    return specs


def write_samples(folder: Path, seed: int = 7) -> list[Path]:
    """Regenerate the sample exports and their mappings under ``folder``."""
    from replenlib.demo import generate

    data = generate(size="small", seed=seed)
    tables = sample_tables(dict(data.tables), np.random.default_rng(seed))
    if folder.exists():
        shutil.rmtree(folder)
    written = [path for _kind, path in write_exports(tables, sample_specs(), folder)]
    for name, mapping in mappings_by_name().items():
        assert mapping.path is not None
        shutil.copyfile(mapping.path, folder / mapping.kind.value / f"{name}.yaml")
    return written


if __name__ == "__main__":  # pragma: no cover
    for path in write_samples(Path(sys.argv[1] if len(sys.argv) > 1 else "data/samples")):
        print(path)
