"""The demo: generated data written as source-system exports, then imported like real data.

``replen demo`` exercises the same path a user's own exports take: the generator's tables are
written as ERP/WMS/QMS/TMS/CRM/cold-chain/UDI files (Chinese and English column names, UTF-8,
UTF-8 with BOM, GB18030 and XLSX, a few bad rows; :mod:`replenlib.io.demo_exports`) into
``<store folder>/demo-exports/``, and imported in one transaction into a fresh store. The
data-health report then shows the quarantine reasons of those bad rows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from replenlib.io import ImportRequest, LoadResult, import_files
from replenlib.io.demo_exports import demand_signals, demo_exports, hibc_xref, udi_scans
from replenlib.io.exports import write_exports

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DemoLoad:
    """What the demo load wrote: rows per table and the import results per file."""

    counts: dict[str, int]
    results: tuple[LoadResult, ...]
    exports: Path


def load_demo(
    db: Path | str,
    *,
    size: str = "medium",
    seed: int = 42,
    exports: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> DemoLoad:
    """Generate the demo data, write it as source exports and import them into a new store.

    The store is built in a temporary file and swapped in only when complete, so an existing
    store is replaced atomically and a failure leaves it as it was.
    """
    from replenlib.demo import generate

    data = generate(size=size, seed=seed)
    tables = dict(data.tables)
    xref = hibc_xref(tables["items"])
    tables["item_xref"] = xref
    scans_rng, signals_rng = (np.random.default_rng(s) for s in (seed, [seed, 1]))
    tables["udi_scans"] = udi_scans(tables, xref, scans_rng)
    tables["demand_signals"] = demand_signals(tables, signals_rng, data.as_of)
    folder = exports or Path(db).resolve().parent / "demo-exports"
    written = write_exports(tables, demo_exports(tables), folder)
    requests = [ImportRequest(kind, path) for kind, path in written]
    results = import_files(db, requests, progress=progress, fresh=True)
    counts: dict[str, int] = {}
    for result in results:
        counts[result.table] = counts.get(result.table, 0) + result.rows_loaded
    log.info("demo %s (seed %d) imported into %s", size, seed, db)
    return DemoLoad(counts, tuple(results), folder)
