"""Checks that belong to one table: GTINs of the item master, order of logger readings.

Each check adds rows to the load's ``_issues`` temp table (``source_row, target, column_name,
value, rule, reason, severity``); an ``error`` keeps the row out of the store, a ``warning``
loads it and flags it in the quarantine table for the data-health report.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from replenlib.io.cleaning import ident


def item_master_checks(con: duckdb.DuckDBPyConnection, load_id: int) -> None:
    """GTIN check digits, GTINs used by another item (likely duplicates), GTIN changes."""
    _gtin_check_digits(con)
    con.execute(
        "INSERT INTO _issues SELECT c.source_row, 'gtin', NULL, NULL, 'gtin_changed', "
        "'item ' || c.item_id || ' has GTIN ' || i.gtin || ' in the store; a new GTIN needs a "
        "new item code (GS1 GTIN allocation rules)', 'error' "
        "FROM _clean c JOIN items i ON i.item_id = c.item_id WHERE i.gtin <> c.gtin"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _gtin_owner AS "
        "SELECT gtin, item_id, 0 AS source_row FROM items UNION ALL "
        "SELECT gtin, item_id, source_row FROM _clean WHERE _errors = ''"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _same_gtin AS "
        "SELECT c.source_row, c.item_id, arg_min(o.item_id, o.source_row) AS owner "
        "FROM _clean c JOIN _gtin_owner o ON o.gtin = c.gtin AND o.item_id <> c.item_id "
        "AND o.source_row < c.source_row GROUP BY ALL"
    )
    con.execute(
        "INSERT INTO _issues SELECT source_row, 'gtin', NULL, NULL, 'duplicate_gtin', "
        "'GTIN also belongs to item ' || owner || ': likely the same product, listed under "
        "duplicates to confirm', 'error' FROM _same_gtin"
    )
    con.execute(
        "INSERT INTO duplicate_candidates SELECT item_id, owner, 'same_gtin', 1.0, "
        "'same GTIN', 'open', ?, NULL, NULL FROM _same_gtin ON CONFLICT DO NOTHING",
        [load_id],
    )


def _gtin_check_digits(con: duckdb.DuckDBPyConnection) -> None:
    """GS1 mod-10 check digit of every GTIN (via ``biip``), reported per row."""
    from biip import ParseError
    from biip.gtin import Gtin

    rows = con.execute("SELECT source_row, gtin FROM _clean WHERE gtin IS NOT NULL").fetchall()
    bad = []
    for source_row, gtin in rows:
        try:
            Gtin.parse(gtin)
        except ParseError as error:
            bad.append((source_row, "gtin", None, None, "gtin_check_digit", str(error), "error"))
    if bad:
        frame = pd.DataFrame(
            bad, columns=["r", "t", "c", "v", "rule", "reason", "s"], dtype=object
        ).astype({"r": "int64"})
        con.register("_bad_gtin", frame)
        con.execute("INSERT INTO _issues SELECT * FROM _bad_gtin")
        con.unregister("_bad_gtin")


def reading_order_checks(con: duckdb.DuckDBPyConnection) -> None:
    """Flag logger readings earlier than an earlier row's reading of the same logger.

    They still load (the store orders readings by time), but an out-of-order series often
    means a logger clock was reset, so the data-health report shows them as warnings.
    """
    con.execute(
        "INSERT INTO _issues SELECT source_row, 'reading_time', NULL, NULL, 'out_of_order', "
        "'reading is earlier than ' || strftime(latest, '%Y-%m-%d %H:%M:%S') || ', read in an "
        "earlier row for logger ' || logger_id || ' (out of order: logger clock reset?)', "
        "'warning' FROM (SELECT source_row, logger_id, reading_time, max(reading_time) OVER "
        "(PARTITION BY logger_id ORDER BY source_row ROWS BETWEEN UNBOUNDED PRECEDING AND "
        "1 PRECEDING) AS latest FROM _clean WHERE _errors = '') WHERE reading_time < latest"
    )


#: Similarity of the words of two descriptions above which they are listed [0-1].
SIMILARITY = 0.92
_TOKENS = r"[^a-z0-9.\p{Han}]+"


def similar_items(con: duckdb.DuckDBPyConnection, load_id: int) -> int:
    """List likely duplicate items among those this load wrote; return how many were new.

    Two items are candidates when they have the same manufacturer (ignoring case, width and
    punctuation), the same *specification tokens* (every token holding a digit, and short
    tokens such as sizes ``S``/``XL``), and descriptions whose remaining words have a
    Jaro-Winkler similarity of at least :data:`SIMILARITY`. Items that differ only by size or
    dimensions are therefore never listed.
    """
    before = _count(con)
    con.execute(
        f"""
        INSERT INTO duplicate_candidates
        WITH t AS (
            SELECT item_id,
                   regexp_replace(lower(manufacturer), '[^a-z0-9\\p{{Han}}]+', '', 'g') AS maker,
                   string_split_regex(lower(description), '{_TOKENS}') AS tokens
            FROM items
        ), d AS (
            SELECT item_id, maker,
                   list_sort(list_filter(tokens, lambda x: regexp_matches(x, '[0-9]')
                                                   OR (length(x) BETWEEN 1 AND 2))) AS spec,
                   array_to_string(list_filter(tokens, lambda x: NOT regexp_matches(x, '[0-9]')
                                                   AND length(x) > 2), ' ') AS words
            FROM t
        ), new AS (SELECT DISTINCT item_id FROM _final)
        SELECT CASE WHEN b.item_id IN (SELECT item_id FROM new) THEN b.item_id ELSE a.item_id END,
               CASE WHEN b.item_id IN (SELECT item_id FROM new) THEN a.item_id ELSE b.item_id END,
               'similar_description', jaro_winkler_similarity(a.words, b.words),
               'same manufacturer and specification, similar description', 'open', {load_id},
               NULL, NULL
        FROM d a JOIN d b ON a.maker = b.maker AND a.spec = b.spec AND a.item_id < b.item_id
        WHERE (a.item_id IN (SELECT item_id FROM new) OR b.item_id IN (SELECT item_id FROM new))
          AND jaro_winkler_similarity(a.words, b.words) >= {SIMILARITY}
        ON CONFLICT DO NOTHING
        """
    )
    return _count(con) - before


def _count(con: duckdb.DuckDBPyConnection) -> int:
    row = con.execute("SELECT count(*) FROM duplicate_candidates").fetchone()
    return int(row[0]) if row else 0


def udi_derived(con: duckdb.DuckDBPyConnection, raw_table: str, raw_column: str) -> None:
    """Parse every scan of ``raw_table`` into ``_derived`` (text columns ``__*``) in chunks."""
    from replenlib.io.udi import UdiError, normalise_scan, parse_many, visible

    con.execute(
        "CREATE OR REPLACE TEMP TABLE _derived (source_row BIGINT, __raw VARCHAR, "
        "__standard VARCHAR, __product_code VARCHAR, __lot_number VARCHAR, "
        "__serial_number VARCHAR, __expiry_date VARCHAR, __production_date VARCHAR, "
        "__udi_error VARCHAR)"
    )
    reader = con.sql(
        f"SELECT source_row, {ident(raw_column)} AS scan FROM {raw_table}"
    ).to_arrow_reader(50_000)
    frames = []
    for batch in reader:
        chunk = batch.to_pandas()
        rows: list[tuple[object, ...]] = []
        for source_row, scan, parsed in zip(
            chunk["source_row"], chunk["scan"], parse_many(chunk["scan"]), strict=True
        ):
            shown = visible(normalise_scan(scan)) if isinstance(scan, str) else None
            if isinstance(parsed, UdiError):
                rows.append(
                    (
                        source_row,
                        shown,
                        None,
                        None,
                        None,
                        None,
                        None,
                        None,
                        f"{parsed.rule}|{parsed}",
                    )
                )
            else:
                rows.append(
                    (
                        source_row,
                        shown,
                        parsed.standard.value,
                        parsed.product_code,
                        parsed.lot_number,
                        parsed.serial_number,
                        _iso(parsed.expiry_date),
                        _iso(parsed.production_date),
                        None,
                    )
                )
        frames.append(pd.DataFrame(rows, dtype=object))
    for frame in frames:
        frame[0] = frame[0].astype("int64")
        con.register("_udi_chunk", frame)
        con.execute("INSERT INTO _derived SELECT * FROM _udi_chunk")
        con.unregister("_udi_chunk")


def _iso(value: object) -> str | None:
    return None if value is None else str(value)
