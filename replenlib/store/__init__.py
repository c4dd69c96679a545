"""The DuckDB store: schema, safe opening for readers and writers, table loads.

Use :func:`reader` for short read-only queries (notebooks, reports) and :func:`writer` for any
change (demo load, nightly run, approvals): see :mod:`replenlib.store.db` for why this keeps an
analyst's open notebook and the nightly run from blocking each other.
"""

from replenlib.store.db import ensure_schema, reader, schema_version, writer
from replenlib.store.load import append_frame, replace_tables
from replenlib.store.schema import SCHEMA_VERSION, SOURCE_TABLES

__all__ = [
    "SCHEMA_VERSION",
    "SOURCE_TABLES",
    "append_frame",
    "ensure_schema",
    "reader",
    "replace_tables",
    "schema_version",
    "writer",
]
