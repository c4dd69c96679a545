"""Import and governance: source exports in, clean unified data in the store, problems listed.

Adapters read CSV (UTF-8, UTF-8 with BOM, GB18030/GBK) and XLSX exports of ERP, MES, WMS, TMS,
CRM, QMS, cold-chain loggers and UDI scans; a declarative mapping file per export maps its
columns to the store's (:mod:`replenlib.io.mapping`). Rows are cleaned and unit-converted in
DuckDB (:mod:`replenlib.io.transform`), validated with pandera (:mod:`replenlib.io.schemas`),
and rows that fail go to the ``quarantine`` table with file, row, column, value and reason.
Loads are transactional and idempotent, raw rows are kept with their load id, and every stored
row is traceable to its file and row (:func:`trace`).
"""

from replenlib.io.api import (
    ImportRequest,
    confirm_duplicate,
    import_file,
    import_files,
    quarantine,
    trace,
)
from replenlib.io.mapping import Mapping, SourceKind, builtin_mappings, load_mapping
from replenlib.io.result import LoadResult, QuarantinedRow
from replenlib.io.udi import UdiError, UdiRecord, parse_udi

__all__ = [
    "ImportRequest",
    "LoadResult",
    "Mapping",
    "QuarantinedRow",
    "SourceKind",
    "UdiError",
    "UdiRecord",
    "builtin_mappings",
    "confirm_duplicate",
    "import_file",
    "import_files",
    "load_mapping",
    "parse_udi",
    "quarantine",
    "trace",
]
