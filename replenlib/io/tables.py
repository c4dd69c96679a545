"""What each importable store table expects: column kinds, keys, references and freshness.

A mapping file (:mod:`replenlib.io.mapping`) says where a source file keeps each column; the
:class:`TableSpec` here says what the column must be once cleaned. Together they drive the
cleaning SQL (:mod:`replenlib.io.cleaning`), the pandera schemas (:mod:`replenlib.io.schemas`)
and the upsert (:mod:`replenlib.io.load`). The specs mirror the ``CREATE TABLE`` statements in
:mod:`replenlib.store.schema`; ``tests/test_io_tables.py`` checks that they agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ValueKind(StrEnum):
    """How a source value is cleaned and typed."""

    CODE = "code"  #: identifier: trimmed, full-width → half-width, upper case
    LOT = "lot"  #: lot or serial number: trimmed, half-width, case kept (GS1 AI 10/21)
    TEXT = "text"  #: free text: trimmed, half-width, inner whitespace collapsed
    DATE = "date"  #: calendar date in one of the mapping's formats
    TIMESTAMP = "timestamp"  #: local date and time
    QUANTITY = "quantity"  #: [units of the row] → converted to the item's base unit
    PRICE = "price"  #: [CNY per unit of the row] → converted to CNY per base unit
    NUMBER = "number"  #: a plain real number (temperature, probability, factor)
    INTEGER = "integer"  #: a whole number (days, line numbers)
    BOOLEAN = "boolean"  #: yes/no in English or Chinese, 1/0, true/false
    ENUM = "enum"  #: one of a fixed set of values (after the mapping's translations)


class Reference(StrEnum):
    """Master tables a column must point into."""

    ITEM = "items"
    LOCATION = "locations"
    SUPPLIER = "suppliers"
    CUSTOMER = "customers"
    LOT = "lots"


@dataclass(frozen=True)
class ColumnSpec:
    """One target column.

    Attributes
    ----------
    name : the store column
    kind : how values are cleaned and typed
    required : NOT NULL in the store (a default in the mapping may fill it)
    allowed : the values an ENUM column may take
    minimum : the smallest allowed value of a numeric column
    strict_minimum : ``True`` when ``minimum`` itself is not allowed (``> minimum``)
    maximum : the largest allowed value of a numeric column
    reference : the master table the value must exist in
    """

    name: str
    kind: ValueKind
    required: bool = True
    allowed: tuple[str, ...] = ()
    minimum: float | None = None
    strict_minimum: bool = False
    maximum: float | None = None
    reference: Reference | None = None


@dataclass(frozen=True)
class TableSpec:
    """One importable table: its columns, key, freshness date and unit-bearing item column.

    ``unit_item`` names the item column whose unit conversions (``item_uom``) apply to the
    table's QUANTITY and PRICE columns (the component for BOM lines and consumption).
    """

    name: str
    columns: tuple[ColumnSpec, ...]
    key: tuple[str, ...]
    date_column: str | None = None
    unit_item: str | None = None
    title: str = ""
    derived: tuple[str, ...] = ()  #: columns the import computes (from a parsed UDI scan)
    #: its dates look ahead (signals, planned orders): they say nothing of how fresh data are
    forward: bool = False

    def column(self, name: str) -> ColumnSpec:
        """Return the spec of column ``name``."""
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"{self.name} has no column {name!r}")

    @property
    def names(self) -> tuple[str, ...]:
        """Column names in store order."""
        return tuple(c.name for c in self.columns)

    @property
    def item_columns(self) -> tuple[str, ...]:
        """Columns holding item codes, resolved through the cross-reference."""
        return tuple(c.name for c in self.columns if c.reference is Reference.ITEM)


K = ValueKind
R = Reference


def _c(name: str, kind: ValueKind, required: bool = True, **options: object) -> ColumnSpec:
    return ColumnSpec(name, kind, required, **options)  # type: ignore[arg-type]


def _item(name: str = "item_id", required: bool = True) -> ColumnSpec:
    return ColumnSpec(name, K.CODE, required, reference=R.ITEM)


def _loc(name: str = "location_id", required: bool = True) -> ColumnSpec:
    return ColumnSpec(name, K.CODE, required, reference=R.LOCATION)


def _sup(required: bool = True) -> ColumnSpec:
    return ColumnSpec("supplier_id", K.CODE, required, reference=R.SUPPLIER)


def _cust(required: bool = False) -> ColumnSpec:
    return ColumnSpec("customer_id", K.CODE, required, reference=R.CUSTOMER)


def _lot(required: bool = True) -> ColumnSpec:
    return ColumnSpec("lot_id", K.CODE, required, reference=R.LOT)


def _qty(name: str = "quantity", positive: bool = True, required: bool = True) -> ColumnSpec:
    return ColumnSpec(name, K.QUANTITY, required, minimum=0.0, strict_minimum=positive)


def _days(name: str, required: bool = True) -> ColumnSpec:
    return ColumnSpec(name, K.INTEGER, required, minimum=0.0)


STOCK_STATUSES = ("available", "quarantine", "blocked", "on_hold", "recalled", "expired")
RISK_CLASSES = ("I", "II", "III")
CRITICALITIES = ("critical", "high", "medium", "low")

_MASTER = (
    TableSpec(
        "items",
        (
            _c("item_id", K.CODE),
            _c("gtin", K.CODE),
            _c("description", K.TEXT),
            _c("category", K.CODE),
            _c("manufacturer", K.TEXT),
            _c("risk_class", K.ENUM, allowed=RISK_CLASSES),
            _c("criticality", K.ENUM, allowed=CRITICALITIES),
            _c("base_uom", K.CODE),
            _c("unit_cost", K.NUMBER, minimum=0.0),
            _c("is_serialised", K.BOOLEAN),
            _c("is_lot_controlled", K.BOOLEAN),
            _c("is_consignment", K.BOOLEAN),
            _c("is_substitutable", K.BOOLEAN),
            _c("is_cold_chain", K.BOOLEAN),
            _c("storage_temp_min_c", K.NUMBER, False, minimum=-273.15),
            _c("storage_temp_max_c", K.NUMBER, False, minimum=-273.15),
            _c("allowed_excursion_minutes", K.INTEGER, False, minimum=0.0),
            _c("shelf_life_days", K.INTEGER, False, minimum=0.0, strict_minimum=True),
            _c("min_remaining_shelf_life_days", K.INTEGER, False, minimum=0.0),
            _c("launch_date", K.DATE),
            _c("end_of_life_date", K.DATE, False),
        ),
        ("item_id",),
        title="item master",
    ),
    TableSpec(
        "item_uom",
        (
            _item(),
            _c("uom", K.CODE),
            _c("factor_to_base", K.NUMBER, minimum=0.0, strict_minimum=True),
            _c("gtin", K.CODE, False),
        ),
        ("item_id", "uom"),
        title="units of measure",
    ),
    TableSpec(
        "locations",
        (
            _c("location_id", K.CODE),
            _c("name", K.TEXT),
            _c("kind", K.ENUM, allowed=("central_warehouse", "regional_dc", "hospital", "plant")),
            _c("region", K.TEXT),
            _c("city", K.TEXT),
            _c("parent_location_id", K.CODE, False),
        ),
        ("location_id",),
        title="locations",
    ),
    TableSpec(
        "customers",
        (
            _c("customer_id", K.CODE),
            _c("name", K.TEXT),
            _c("kind", K.ENUM, allowed=("hospital", "department", "clinic")),
            _loc(),
        ),
        ("customer_id",),
        title="customers",
    ),
    TableSpec(
        "suppliers",
        (
            _c("supplier_id", K.CODE),
            _c("name", K.TEXT),
            _c("country", K.TEXT),
            _c("is_domestic", K.BOOLEAN),
            _c("is_cold_chain_capable", K.BOOLEAN),
            _c("qualification_status", K.ENUM, allowed=("approved", "conditional", "blocked")),
            _c("qualified_until", K.DATE, False),
        ),
        ("supplier_id",),
        title="suppliers",
    ),
    TableSpec(
        "item_supplier",
        (
            _item(),
            _sup(),
            _c("priority", K.INTEGER, minimum=1.0),
            _c("unit_price", K.PRICE, minimum=0.0),
            _qty("moq", positive=False),
            _qty("order_multiple"),
            _days("quoted_lead_time_days"),
        ),
        ("item_id", "supplier_id"),
        unit_item="item_id",
        title="item-supplier terms",
    ),
    TableSpec(
        "item_location",
        (
            _item(),
            _loc(),
            _loc("source_location_id", False),
            _days("transfer_lead_time_days", False),
            _qty("erp_reorder_point", positive=False),
            _qty("erp_order_quantity", positive=False),
        ),
        ("item_id", "location_id"),
        unit_item="item_id",
        title="item-location settings",
    ),
    TableSpec(
        "item_xref",
        (
            _c("code", K.CODE),
            _item(),
            _c(
                "code_kind",
                K.ENUM,
                allowed=("erp_old", "supplier", "hibc", "customer", "duplicate"),
            ),
            _c("supplier_id", K.CODE, False, reference=R.SUPPLIER),
        ),
        ("code",),
        title="item cross-reference",
    ),
)

_TRANSACTIONS = (
    TableSpec(
        "demand_history",
        (
            _item(),
            _loc(),
            _c("demand_date", K.DATE),
            _qty(positive=False),
            _qty("quantity_shipped", positive=False),
        ),
        ("item_id", "location_id", "demand_date"),
        date_column="demand_date",
        unit_item="item_id",
        title="demand history",
    ),
    TableSpec(
        "lots",
        (
            _c("lot_id", K.CODE),
            _item(),
            _sup(),
            _c("lot_number", K.LOT),
            _c("manufacture_date", K.DATE),
            _c("expiry_date", K.DATE, False),
            _qty("quantity_received", positive=False),
            _c("inspection_status", K.ENUM, allowed=("pending", "passed", "failed")),
        ),
        ("lot_id",),
        date_column="manufacture_date",
        unit_item="item_id",
        title="lots",
    ),
    TableSpec(
        "serials",
        (
            _item(),
            _c("serial_number", K.LOT),
            _lot(),
            _c(
                "status",
                K.ENUM,
                allowed=("in_stock", "in_transit", "issued", "returned", "scrapped", "recalled"),
            ),
            _loc(required=False),
            _cust(),
        ),
        ("item_id", "serial_number"),
        title="serial numbers",
    ),
    TableSpec(
        "stock_on_hand",
        (
            _c("snapshot_date", K.DATE),
            _item(),
            _loc(),
            _lot(),
            _c("status", K.ENUM, allowed=STOCK_STATUSES),
            _qty(),
        ),
        ("snapshot_date", "item_id", "location_id", "lot_id", "status"),
        date_column="snapshot_date",
        unit_item="item_id",
        title="stock on hand",
    ),
    TableSpec(
        "purchase_orders",
        (
            _c("po_id", K.CODE),
            _c("po_line", K.INTEGER, minimum=1.0),
            _item(),
            _loc(),
            _sup(),
            _c("order_date", K.DATE),
            _qty(),
            _c("unit_price", K.PRICE, minimum=0.0),
            _c("confirmed_date", K.DATE),
            _c("status", K.ENUM, allowed=("open", "received", "cancelled")),
            _qty("quantity_received", positive=False),
        ),
        ("po_id", "po_line"),
        date_column="order_date",
        unit_item="item_id",
        title="purchase orders",
    ),
    TableSpec(
        "receipts",
        (
            _c("receipt_id", K.CODE),
            _c("po_id", K.CODE),
            _c("po_line", K.INTEGER, minimum=1.0),
            _item(),
            _loc(),
            _sup(),
            _lot(),
            _c("receipt_date", K.DATE),
            _qty(),
        ),
        ("receipt_id",),
        date_column="receipt_date",
        unit_item="item_id",
        title="goods receipts",
    ),
    TableSpec(
        "inspections",
        (
            _c("inspection_id", K.CODE),
            _lot(),
            _c("receipt_id", K.CODE, False),
            _c("inspection_date", K.DATE),
            _c("result", K.ENUM, allowed=("passed", "failed")),
            _c("reason", K.TEXT, False),
        ),
        ("inspection_id",),
        date_column="inspection_date",
        title="inspections",
    ),
    TableSpec(
        "shipments",
        (
            _c("shipment_id", K.CODE),
            _c("kind", K.ENUM, allowed=("inbound", "transfer")),
            _c("supplier_id", K.CODE, False, reference=R.SUPPLIER),
            _loc("from_location_id", False),
            _loc("to_location_id"),
            _c("po_id", K.CODE, False),
            _c("carrier", K.TEXT),
            _c("dispatch_date", K.DATE),
            _c("arrival_date", K.DATE),
            _c("logger_id", K.CODE, False),
        ),
        ("shipment_id",),
        date_column="dispatch_date",
        title="shipments",
    ),
    TableSpec(
        "movements",
        (
            _c("movement_id", K.INTEGER, minimum=1.0),
            _c("movement_date", K.DATE),
            _c(
                "kind",
                K.ENUM,
                allowed=("receipt", "transfer", "issue", "return", "scrap", "adjustment"),
            ),
            _item(),
            _c("lot_id", K.CODE),
            _c("serial_number", K.LOT, False),
            _loc("from_location_id", False),
            _loc("to_location_id", False),
            _cust(),
            _c("reference", K.TEXT, False),
            _qty(),
        ),
        ("movement_id",),
        date_column="movement_date",
        unit_item="item_id",
        title="stock movements",
    ),
    TableSpec(
        "temperature_readings",
        (
            _c("logger_id", K.CODE),
            _c("reading_time", K.TIMESTAMP),
            _c("temperature_c", K.NUMBER, minimum=-100.0, maximum=100.0),
            _loc(required=False),
            _c("shipment_id", K.CODE, False),
        ),
        ("logger_id", "reading_time"),
        date_column="reading_time",
        title="temperature readings",
    ),
    TableSpec(
        "recalls",
        (
            _c("recall_id", K.CODE),
            _c("announced_date", K.DATE),
            _c("supplier_id", K.CODE, False, reference=R.SUPPLIER),
            _item(required=False),
            _c("reason", K.TEXT),
            _c("recall_class", K.ENUM, allowed=RISK_CLASSES),
        ),
        ("recall_id",),
        date_column="announced_date",
        title="recalls",
    ),
    TableSpec(
        "recall_lots",
        (_c("recall_id", K.CODE), _lot()),
        ("recall_id", "lot_id"),
        title="recalled lots",
    ),
)

_IMPORTED = (
    TableSpec(
        "bom",
        (
            _item("parent_item_id"),
            _item("component_item_id"),
            _c("quantity_per", K.QUANTITY, minimum=0.0, strict_minimum=True),
        ),
        ("parent_item_id", "component_item_id"),
        unit_item="component_item_id",
        title="bill of materials",
    ),
    TableSpec(
        "production_orders",
        (
            _c("production_order_id", K.CODE),
            _item(),
            _loc(),
            _qty("quantity_planned"),
            _qty("quantity_completed", positive=False),
            _c("start_date", K.DATE),
            _c("due_date", K.DATE),
            _c("status", K.ENUM, allowed=("planned", "released", "completed", "cancelled")),
        ),
        ("production_order_id",),
        date_column="start_date",
        unit_item="item_id",
        title="production orders",
        forward=True,
    ),
    TableSpec(
        "component_consumption",
        (
            _c("consumption_id", K.CODE),
            _c("production_order_id", K.CODE),
            _item("component_item_id"),
            _lot(required=False),
            _c("consumption_date", K.DATE),
            _qty(),
        ),
        ("consumption_id",),
        date_column="consumption_date",
        unit_item="component_item_id",
        title="component consumption",
    ),
    TableSpec(
        "demand_signals",
        (
            _c("signal_id", K.CODE),
            _c("kind", K.ENUM, allowed=("surgery", "tender", "contract")),
            _item(),
            _loc(),
            _cust(),
            _c("signal_date", K.DATE),
            _qty(),
            _c("probability", K.NUMBER, minimum=0.0, strict_minimum=True, maximum=1.0),
            _c("status", K.ENUM, allowed=("scheduled", "open", "won", "cancelled")),
            _c("reference", K.TEXT, False),
        ),
        ("signal_id",),
        date_column="signal_date",
        forward=True,
        unit_item="item_id",
        title="demand signals",
    ),
    TableSpec(
        "nonconformances",
        (
            _c("nc_id", K.CODE),
            _item(),
            _lot(required=False),
            _c("supplier_id", K.CODE, False, reference=R.SUPPLIER),
            _c("opened_date", K.DATE),
            _c("closed_date", K.DATE, False),
            _c("severity", K.ENUM, allowed=("minor", "major", "critical")),
            _c(
                "disposition",
                K.ENUM,
                False,
                allowed=("use_as_is", "rework", "return", "scrap"),
            ),
            _c("description", K.TEXT),
        ),
        ("nc_id",),
        date_column="opened_date",
        title="nonconformances",
    ),
    TableSpec(
        "udi_scans",
        (
            _loc(),
            _c("scanned_at", K.TIMESTAMP),
            _c("raw", K.LOT),
            _c("event", K.ENUM, allowed=("receipt", "issue", "count", "implant")),
            _c("standard", K.ENUM, allowed=("gs1", "hibc")),
            _item(),
            _c("product_code", K.CODE),
            _c("lot_number", K.LOT, False),
            _c("serial_number", K.LOT, False),
            _c("expiry_date", K.DATE, False),
            _c("production_date", K.DATE, False),
        ),
        ("location_id", "scanned_at", "raw"),
        date_column="scanned_at",
        title="UDI scans",
        derived=(
            "standard",
            "item_id",
            "product_code",
            "lot_number",
            "serial_number",
            "expiry_date",
            "production_date",
        ),
    ),
)

#: Every importable table by name.
TABLES: dict[str, TableSpec] = {t.name: t for t in _MASTER + _TRANSACTIONS + _IMPORTED}

#: Tables whose dates look ahead: left out of "data up to" (see :attr:`TableSpec.forward`).
FORWARD_TABLES: tuple[str, ...] = tuple(t.name for t in TABLES.values() if t.forward)

#: The order in which tables load when several files are imported together (references first).
LOAD_ORDER: tuple[str, ...] = tuple(TABLES)


def table_spec(name: str) -> TableSpec:
    """Return the spec of importable table ``name``."""
    try:
        return TABLES[name]
    except KeyError:
        known = ", ".join(sorted(TABLES))
        raise KeyError(f"{name!r} is not an importable table; known: {known}") from None
