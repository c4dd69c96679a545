"""The demo's source exports: every table as the file a real system would hand over.

:data:`DEMO_EXPORTS` spreads the tables over the source kinds, languages, encodings (UTF-8,
UTF-8 with BOM, GB18030) and formats (CSV, XLSX) a user meets, and adds a few bad rows whose
reasons then show in the data-health report: an unknown item, a negative or non-numeric
quantity, an impossible date, an invalid GTIN, a GTIN shared by two item codes, a likely
duplicate item, an unknown unit and supplier, a row in another encoding, a repeated and an
out-of-order logger reading, UDI scans with a bad check digit or an impossible expiry. Bad rows
are *extra* rows: every generated row still loads, so the store matches the generator.
:func:`demand_signals` adds the CRM's known future demand (surgeries, tenders, contracts).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from replenlib.io.exports import ExportSpec
from replenlib.io.hibc import make_hibc

_BAD_DEMAND = (
    {"item_id": "ZZ-OLD-4711", "location_id": "CW-SH", "demand_date": "2026-09-30",
     "quantity": "3", "quantity_shipped": "3"},
    {"item_id": "{item}", "location_id": "CW-SH", "demand_date": "2026-02-30",
     "quantity": "1", "quantity_shipped": "1"},
    {"item_id": "{item}", "location_id": "CW-SH", "demand_date": "2026-09-29",
     "quantity": "-4", "quantity_shipped": "0"},
    {"item_id": "{item}", "location_id": "CW-SH", "demand_date": "2026-09-28",
     "quantity": "twelve", "quantity_shipped": "12"},
)  # fmt: skip


def demo_exports(tables: dict[str, pd.DataFrame]) -> list[ExportSpec]:
    """The export plan for the demo tables (bad rows refer to the generated master data)."""
    items = tables["items"]
    first = items.iloc[0]
    item = str(first["item_id"])
    demand = tuple({k: v.replace("{item}", item) for k, v in row.items()} for row in _BAD_DEMAND)
    exact = tables["demand_history"].iloc[0]
    demand += ({
        "item_id": str(exact["item_id"]), "location_id": str(exact["location_id"]),
        "demand_date": pd.Timestamp(exact["demand_date"]).strftime("%Y-%m-%d"),
        "quantity": f"{exact['quantity']:g}", "quantity_shipped": f"{exact['quantity_shipped']:g}",
    },)  # fmt: skip
    return [
        ExportSpec("erp_items", "erp/物料主数据.csv", encoding="gb18030",
                   bad_rows=_bad_items(items)),
        ExportSpec("erp_item_uom", "erp/计量单位换算.csv"),
        ExportSpec("erp_locations", "erp/locations.csv", language="en", encoding="utf-8-sig"),
        ExportSpec("erp_customers", "erp/客户.csv", encoding="gb18030"),
        ExportSpec("erp_suppliers", "erp/suppliers.xlsx", language="en"),
        ExportSpec("erp_item_supplier", "erp/采购信息记录.xlsx",
                   bad_rows=({"item_id": item, "supplier_id": "SUP-999", "priority": "3",
                              "unit_price": "9.5", "moq": "1", "order_multiple": "1",
                              "quoted_lead_time_days": "14", "_unit": "EA"},)),
        ExportSpec("erp_item_location", "erp/物料仓库参数.csv", date_format="%Y/%m/%d"),
        ExportSpec("erp_item_xref", "erp/物料编码对照.csv", encoding="utf-8-sig"),
        ExportSpec("erp_demand", "erp/每日需求.csv", dirt=True, bad_rows=demand),
        ExportSpec("erp_lots", "erp/批次主数据.csv", date_format="%Y%m%d"),
        ExportSpec("wms_serials", "wms/序列号.csv"),
        ExportSpec("wms_stock", "wms/库存明细.csv", encoding="utf-8-sig",
                   bad_rows=_bad_stock(tables["stock_on_hand"])),
        ExportSpec("erp_purchase_orders", "erp/purchase_orders.csv", language="en"),
        ExportSpec("erp_receipts", "erp/采购收货.csv"),
        ExportSpec("qms_inspections", "qms/来料检验.csv", encoding="gb18030"),
        ExportSpec("tms_shipments", "tms/shipments.csv", language="en"),
        ExportSpec("wms_movements", "wms/库存移动.csv"),
        ExportSpec("coldchain_readings", "coldchain/温度记录.csv"),
        ExportSpec("qms_recalls", "qms/召回.xlsx"),
        ExportSpec("qms_recall_lots", "qms/召回批次.csv"),
        ExportSpec("udi_scans", "udi/扫码记录.csv", date_format="%Y-%m-%d"),
        ExportSpec("crm_signals", "crm/需求信号.csv", encoding="utf-8-sig"),
    ]  # fmt: skip


def _bad_items(items: pd.DataFrame) -> tuple[dict[str, str], ...]:
    """An invalid GTIN, an old code sharing a GTIN, and a near-identical new item code."""
    base = items.iloc[1]
    row = {
        "description": str(base["description"]), "category": str(base["category"]),
        "manufacturer": str(base["manufacturer"]), "risk_class": str(base["risk_class"]),
        "criticality": str(base["criticality"]), "base_uom": "EA",
        "unit_cost": f"{base['unit_cost']:g}", "launch_date": "2020-01-01",
    }  # fmt: skip
    bad_gtin = str(base["gtin"])[:-1] + str((int(str(base["gtin"])[-1]) + 1) % 10)
    return (
        {**row, "item_id": "OLD-" + str(base["item_id"]), "gtin": str(base["gtin"])},
        {**row, "item_id": "NEW-" + str(base["item_id"]), "gtin": bad_gtin},
        {**row, "item_id": "DUP-" + str(base["item_id"]), "gtin": "06900000000014",
         "description": str(base["description"]).upper().replace(",", " ,")},
    )  # fmt: skip


def _bad_stock(stock: pd.DataFrame) -> tuple[dict[str, str], ...]:
    row = stock.iloc[0]
    return ({
        "snapshot_date": pd.Timestamp(row["snapshot_date"]).strftime("%Y-%m-%d"),
        "item_id": str(row["item_id"]), "location_id": str(row["location_id"]),
        "lot_id": str(row["lot_id"]), "status": "可用", "quantity": "2", "_unit": "BOX",
    },)  # fmt: skip


def hibc_xref(items: pd.DataFrame, n: int = 5) -> pd.DataFrame:
    """HIBC codes (labeler ``H123`` + item number) for the first serialised items."""
    chosen = items[items["is_serialised"]].head(n)
    return pd.DataFrame({
        "code": ["H123" + i.replace("-", "")[-6:] for i in chosen["item_id"]],
        "item_id": chosen["item_id"].to_numpy(), "code_kind": "hibc", "supplier_id": None,
    })  # fmt: skip


def udi_scans(
    tables: dict[str, pd.DataFrame], xref: pd.DataFrame, rng: np.random.Generator, n: int = 2000
) -> pd.DataFrame:
    """Receipt scans of serialised units: GS1 raw and HRI strings, HIBC, and four bad scans."""
    serials = tables["serials"].merge(tables["lots"], on=["lot_id", "item_id"])
    serials = serials.merge(tables["receipts"][["lot_id", "location_id", "receipt_date"]],
                            on="lot_id", suffixes=("_now", ""))  # fmt: skip
    serials = serials.merge(tables["items"][["item_id", "gtin"]], on="item_id")
    take = serials.iloc[np.sort(rng.choice(len(serials), min(n, len(serials)), replace=False))]
    hibc = dict(zip(xref["item_id"], xref["code"], strict=True))
    scans = [_scan(row, k, hibc.get(row.item_id)) for k, row in enumerate(take.itertuples())]
    frame = pd.DataFrame({
        "location_id": take["location_id"].to_numpy(),
        "scanned_at": pd.to_datetime(take["receipt_date"]).to_numpy()
        + pd.to_timedelta(rng.integers(8 * 3600, 18 * 3600, len(take)), unit="s"),
        "raw": scans, "event": "receipt",
    })  # fmt: skip
    return pd.concat([frame, _bad_scans(frame)], ignore_index=True)


def _scan(row: object, k: int, hibc: str | None) -> str:
    gtin, lot, serial = row.gtin, row.lot_number, row.serial_number  # type: ignore[attr-defined]
    expiry = row.expiry_date  # type: ignore[attr-defined]
    exp = pd.Timestamp(expiry).strftime("%y%m%d") if pd.notna(expiry) else None
    if hibc is not None and k % 2 == 0:
        date = pd.Timestamp(expiry).date() if exp else None
        return make_hibc(hibc[:4], hibc[4:], 0, lot=lot, expiry=date, serial=serial)
    if k % 3 == 0:
        return f"(01){gtin}" + (f"(17){exp}" if exp else "") + f"(10){lot}(21){serial}"
    return f"]d201{gtin}" + (f"17{exp}" if exp else "") + f"10{lot}<GS>21{serial}"


def _bad_scans(frame: pd.DataFrame) -> pd.DataFrame:
    good = frame.iloc[:4].copy()
    raw = [str(s) for s in good["raw"]]
    good["raw"] = [
        "(01)06901234567890(17)281231(10)BADCHECK(21)1",
        "(01)" + _first_gtin(raw) + "(17)271340(10)L1(21)S1",
        "+H123ABC0" + "Z",
        "not a barcode",
    ]
    good["scanned_at"] = good["scanned_at"] + dt.timedelta(minutes=1)
    return good


def _first_gtin(raws: list[str]) -> str:
    for raw in raws:
        if raw.startswith("(01)"):
            return raw[4:18]
        if raw.startswith("]d201"):
            return raw[5:19]
    return "06901234567892"


#: Share of the next two weeks' implant and stent use a hospital has already scheduled.
SCHEDULED_SHARE = 0.6
#: Days ahead surgeries are scheduled [days].
SURGERY_HORIZON_DAYS = 14


def demand_signals(
    tables: dict[str, pd.DataFrame], rng: np.random.Generator, as_of: dt.date
) -> pd.DataFrame:
    """CRM signals a real hospital group sends: scheduled surgeries, tenders and contracts.

    * **surgeries**: at each stock point serving implants and stents, about
      :data:`SCHEDULED_SHARE` of the next :data:`SURGERY_HORIZON_DAYS` days' expected use is
      booked as surgeries of one or two units (status ``scheduled``, probability 1);
    * **tenders**: for a few high-volume consumables at the central warehouse and the DCs, an
      open tender of eight weeks of demand 3–8 weeks out (probability 0.3–0.7), one won and
      one cancelled;
    * **contracts**: weekly call-offs of a few reagents for the next four weeks (``won``).

    Quantities follow each item-location's mean daily demand over the last 91 days.
    """
    rate = _daily_rates(tables["demand_history"], as_of)
    items = tables["items"].set_index("item_id")
    category = rate["item_id"].map(items["category"])
    parts = [
        _surgeries(
            rng, rate[category.isin(("orthopaedic_implant", "cardiac_stent")).to_numpy()], as_of
        ),
        _tenders(rng, rate[(category == "surgical_consumable").to_numpy()], tables, as_of),
        _contracts(rng, rate[(category == "ivd_reagent").to_numpy()], tables, as_of),
    ]
    signals = pd.concat(parts, ignore_index=True)
    signals.insert(0, "signal_id", [f"SG{k + 1:06d}" for k in range(len(signals))])
    return signals


def _daily_rates(demand: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    recent = demand[pd.to_datetime(demand["demand_date"]) > pd.Timestamp(as_of - dt.timedelta(91))]
    rate = recent.groupby(["item_id", "location_id"], as_index=False)["quantity"].sum()
    rate["rate"] = rate.pop("quantity") / 91.0
    rate = rate[rate["rate"] > 0]
    return pd.DataFrame(rate.sort_values(["item_id", "location_id"], ignore_index=True))


def _signal_frame(
    kind: str,
    rows: pd.DataFrame,
    days: np.ndarray,
    quantity: np.ndarray,
    probability: np.ndarray,
    status: list[str] | str,
    reference: str,
    as_of: dt.date,
    customer: pd.Series | None = None,
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "kind": kind,
            "item_id": rows["item_id"].to_numpy(),
            "location_id": rows["location_id"].to_numpy(),
            "customer_id": None if customer is None else customer.to_numpy(),
            "signal_date": [as_of + dt.timedelta(days=int(d)) for d in days],
            "quantity": quantity.astype(np.float64),
            "probability": probability,
            "status": status,
            "reference": [f"{reference}-{k + 1:05d}" for k in range(len(rows))],
        }
    )


def _surgeries(rng: np.random.Generator, rate: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    booked = rng.poisson(SCHEDULED_SHARE * SURGERY_HORIZON_DAYS * rate["rate"].to_numpy() / 1.3)
    rows = rate.loc[rate.index.repeat(booked)].reset_index(drop=True)
    days = rng.integers(1, SURGERY_HORIZON_DAYS + 1, len(rows))
    units = 1 + (rng.random(len(rows)) < 0.3)  # one implant, sometimes two (1.3 on average)
    return _signal_frame("surgery", rows, days, units, np.ones(len(rows)), "scheduled", "OP", as_of)


def _tenders(
    rng: np.random.Generator, rate: pd.DataFrame, tables: dict[str, pd.DataFrame], as_of: dt.date
) -> pd.DataFrame:
    upstream = set(tables["locations"].loc[lambda f: f["kind"] != "hospital", "location_id"])
    pool = rate[rate["location_id"].isin(upstream)].nlargest(12, "rate")
    rows = pool.iloc[np.sort(rng.choice(len(pool), min(6, len(pool)), replace=False))]
    rows = rows.reset_index(drop=True)
    status = ["open"] * len(rows)
    probability = np.round(rng.uniform(0.3, 0.7, len(rows)), 2)
    if len(rows) >= 2:
        status[0], probability[0] = "won", 1.0
        status[1] = "cancelled"
    quantity = np.ceil(56 * rows["rate"].to_numpy())
    days = rng.integers(21, 57, len(rows))
    return _signal_frame(
        "tender",
        rows,
        days,
        quantity,
        probability,
        status,
        "TD",
        as_of,
        _customer_of(rows, tables["customers"], rng),
    )


def _contracts(
    rng: np.random.Generator, rate: pd.DataFrame, tables: dict[str, pd.DataFrame], as_of: dt.date
) -> pd.DataFrame:
    pool = rate.nlargest(10, "rate")
    chosen = pool.iloc[np.sort(rng.choice(len(pool), min(4, len(pool)), replace=False))]
    rows = chosen.loc[chosen.index.repeat(4)].reset_index(drop=True)
    days = np.tile(np.arange(1, 5) * 7, len(chosen))
    quantity = np.ceil(7 * rows["rate"].to_numpy())
    return _signal_frame(
        "contract",
        rows,
        days,
        quantity,
        np.ones(len(rows)),
        "won",
        "CT",
        as_of,
        _customer_of(rows, tables["customers"], rng),
    )


def _customer_of(
    rows: pd.DataFrame, customers: pd.DataFrame, rng: np.random.Generator
) -> pd.Series:
    """A customer the row's stock point serves (none at a hospital's own store)."""
    served = customers.groupby("location_id")["customer_id"].agg(list)
    return pd.Series(
        [
            served[loc][int(rng.integers(len(served[loc])))] if loc in served.index else None
            for loc in rows["location_id"]
        ]
    )
