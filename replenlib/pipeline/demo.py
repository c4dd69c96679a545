"""Loading the generated demo data set into a fresh store."""

from __future__ import annotations

import logging
from pathlib import Path

from replenlib.store import replace_tables, writer

log = logging.getLogger(__name__)


def load_demo(db: Path | str, *, size: str = "medium", seed: int = 42) -> dict[str, int]:
    """Generate the demo data set and write it into a new store at ``db``.

    The store is built in a temporary file and swapped in only when complete, so an existing
    store is replaced atomically (readers keep their old snapshot) and a failure leaves it as
    it was. Returns row counts per table.
    """
    from replenlib.demo import generate

    data = generate(size=size, seed=seed)
    with writer(db, fresh=True) as con:
        counts = replace_tables(con, data.tables)
    log.info("demo %s (seed %d) loaded into %s", size, seed, db)
    return counts
