"""Simulation state: growable tables, logs and the stock buckets of :mod:`.operations`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

KINDS: tuple[str, ...] = ("adjustment", "receipt", "transfer", "issue", "scrap", "return")
ADJUSTMENT, RECEIPT, TRANSFER, ISSUE, SCRAP, RETURN = range(6)
NEVER: int = 10**7  # day index standing for "no expiry" / "not scheduled"
SCRAP_WEEKDAY: int = 4  # Friday
BACKUP_ORDER_SHARE: float = 0.15
CANCEL_SHARE: float = 0.012
TRANSFER_DELAY_SHARE: float = 0.08
TRANSFER_MARGIN_DAYS: int = 30
INBOUND_EXCURSION_SHARE: float = 0.02


@dataclass(frozen=True)
class World:
    """Static inputs of the simulation, aligned to series (item-locations) and days."""

    demand: npt.NDArray[np.int32]  # (n_days, n_series) [units]
    weekday: IntArray  # (n_days,)
    series_item: IntArray
    series_location: IntArray
    level: IntArray
    parent: IntArray
    reorder_point: IntArray
    order_quantity: IntArray
    customers: IntArray  # (n_series, 3), -1 padded
    unit_cost: FloatArray  # per series [CNY]
    shelf_life: IntArray  # per item [days], -1 = none
    min_remaining: IntArray  # per item [days]
    cold_chain: BoolArray  # per item
    allowed_excursion: IntArray  # per item [min]
    order_start: IntArray  # per series: first day ordering is allowed
    order_stop: IntArray  # per series: first day ordering is blocked (EOL)
    transfer_lead_time: IntArray  # per location [days]
    primary: IntArray  # per item: supplier
    backup: IntArray  # per item: supplier or -1
    moq: IntArray  # per item
    order_multiple: IntArray  # per item
    quoted_lead_time: IntArray  # per supplier [days]
    transit_days: IntArray  # per supplier [days]
    quality_pass_rate: FloatArray  # per supplier
    lead_time_mean: FloatArray  # per supplier [days]
    lead_time_cv: FloatArray  # per supplier


class Table:
    """A growable struct of numpy arrays (append rows, read columns)."""

    def __init__(self, **dtypes: Any) -> None:
        self.n = 0
        self._columns: dict[str, npt.NDArray[Any]] = {
            name: np.zeros(1024, dtype=dtype) for name, dtype in dtypes.items()
        }

    def append(self, **values: npt.ArrayLike) -> IntArray:
        """Append rows (all columns given, equal lengths); return their row indices."""
        length = len(np.atleast_1d(next(iter(values.values()))))
        needed = self.n + length
        for name, column in self._columns.items():
            if needed > len(column):
                grown = np.zeros(max(needed, 2 * len(column)), dtype=column.dtype)
                grown[: self.n] = column[: self.n]
                self._columns[name] = column = grown
            column[self.n : needed] = values[name]
        rows = np.arange(self.n, needed, dtype=np.int64)
        self.n = needed
        return rows

    def __getitem__(self, name: str) -> npt.NDArray[Any]:
        return self._columns[name][: self.n]

    def set(self, name: str, rows: IntArray, values: npt.ArrayLike) -> None:
        """Overwrite ``name`` at ``rows``."""
        self._columns[name][rows] = values


class Log:
    """Append-only int32 columns collected as chunks and concatenated once, on first read.

    Values are stored as ``int32`` to halve the memory of the tens of millions of movement
    rows of the large demo; cast to ``int64`` before arithmetic that could overflow.
    """

    def __init__(self, *names: str) -> None:
        self._chunks: dict[str, list[npt.NDArray[np.int32]]] = {name: [] for name in names}
        self._columns: dict[str, npt.NDArray[np.int32]] = {}

    def add(self, **values: npt.ArrayLike) -> None:
        """Append a chunk; scalars are broadcast to the chunk length."""
        length = max(np.size(v) for v in values.values())
        for name, chunk in self._chunks.items():
            chunk.append(
                np.broadcast_to(np.asarray(values[name], dtype=np.int32), (length,)).copy()
            )

    def column(self, name: str) -> npt.NDArray[np.int32]:
        """The whole column (concatenated on first use, then cached)."""
        if name not in self._columns:
            chunks = self._chunks[name]
            self._columns[name] = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int32)
            self._chunks[name] = []
        return self._columns[name]


def new_lot_table() -> Table:
    """Lots: item, supplier, receiving series, dates (day indices), quantity, inspection."""
    return Table(
        item=np.int64,
        supplier=np.int64,
        series=np.int64,
        manufacture=np.int64,
        expiry=np.int64,
        received=np.int64,
        ok_day=np.int64,
        failed=np.bool_,
        return_day=np.int64,
        quantity=np.int64,
        po=np.int64,
        opening=np.bool_,
        fail_reason=np.int64,
    )


def new_po_table() -> Table:
    """Purchase order lines (day indices)."""
    return Table(
        series=np.int64,
        item=np.int64,
        supplier=np.int64,
        quantity=np.int64,
        order_day=np.int64,
        confirmed=np.int64,
        arrival=np.int64,
        cancel_day=np.int64,
        excursion_minutes=np.int64,
        lot=np.int64,
    )


@dataclass
class State:
    """Mutable simulation state; the day loop in :func:`simulate` updates it in place."""

    lots: Table = field(default_factory=new_lot_table)
    orders: Table = field(default_factory=new_po_table)
    movements: Log = field(
        default_factory=lambda: Log(
            "day",
            "kind",
            "lot",
            "serial0",
            "quantity",
            "from_location",
            "to_location",
            "customer",
            "po",
            "arrival",
        )
    )
    demand: Log = field(default_factory=lambda: Log("series", "day", "quantity", "shipped"))
    b_series: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    b_lot: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    b_quantity: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    b_serial0: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    t_series: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    t_lot: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    t_quantity: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    t_serial0: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    t_arrival: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    transfer_delay: IntArray = field(default_factory=lambda: np.zeros((0, 0), np.int64))
    stock_value: list[float] = field(default_factory=list)
    issue_value: list[float] = field(default_factory=list)

    def add_buckets(
        self, series: IntArray, lot: IntArray, quantity: IntArray, serial0: IntArray
    ) -> None:
        """Put stock into buckets."""
        self.b_series = np.r_[self.b_series, series]
        self.b_lot = np.r_[self.b_lot, lot]
        self.b_quantity = np.r_[self.b_quantity, quantity]
        self.b_serial0 = np.r_[self.b_serial0, serial0]

    def keep_buckets(self, keep: BoolArray) -> None:
        """Drop the buckets where ``keep`` is false."""
        self.b_series, self.b_lot = self.b_series[keep], self.b_lot[keep]
        self.b_quantity, self.b_serial0 = self.b_quantity[keep], self.b_serial0[keep]
