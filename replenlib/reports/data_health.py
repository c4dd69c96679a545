"""Data and HTML blocks of the data-health report (notebook ``01_data_health``).

Per source: what was loaded (counts), what was rejected and why (quarantine reasons with
examples), which items look duplicated (to confirm), what the data does not cover (items with
no demand history, no supplier, no lead time) and how fresh each source is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd

from replenlib.i18n import label
from replenlib.reports.html import STYLE, HtmlBlock, esc, table
from replenlib.store import reader

_LOADS = """
SELECT l.kind, l.table_name, count(*) AS loads, sum(rows_read) AS rows_read,
       sum(rows_loaded) AS rows_loaded, sum(rows_quarantined) AS rows_quarantined,
       sum(duplicates_merged) AS duplicates_merged, max(latest_date) AS latest_date,
       max(loaded_at) AS last_load
FROM loads l GROUP BY ALL ORDER BY l.kind, l.table_name
"""
_REASONS = """
SELECT l.kind, l.table_name, q.rule, q.severity, count(*) AS n,
       any_value(q.source_file || ', row ' || q.source_row || coalesce(', column ' || q.column_name, '')
                 || ': ' || coalesce('''' || q.bad_value || ''': ', '') || q.reason) AS example
FROM quarantine q JOIN loads l USING (load_id) GROUP BY ALL ORDER BY n DESC
"""
_COVERAGE = """
SELECT
  (SELECT count(*) FROM items) AS items,
  (SELECT count(*) FROM items WHERE item_id NOT IN (SELECT item_id FROM demand_history)) AS no_demand,
  (SELECT count(*) FROM items WHERE item_id NOT IN (SELECT item_id FROM item_supplier)) AS no_supplier,
  (SELECT count(*) FROM items i WHERE NOT EXISTS (SELECT 1 FROM item_supplier s
      WHERE s.item_id = i.item_id AND s.quoted_lead_time_days IS NOT NULL)
      AND NOT EXISTS (SELECT 1 FROM receipts r WHERE r.item_id = i.item_id)) AS no_lead_time
"""
_UNCOVERED = """
SELECT item_id, description,
       item_id NOT IN (SELECT item_id FROM demand_history) AS no_demand,
       item_id NOT IN (SELECT item_id FROM item_supplier) AS no_supplier
FROM items WHERE item_id NOT IN (SELECT item_id FROM demand_history)
   OR item_id NOT IN (SELECT item_id FROM item_supplier)
ORDER BY item_id LIMIT ?
"""
_DUPLICATES = """
SELECT d.item_id, a.description AS item_description, d.duplicate_of,
       b.description AS duplicate_of_description, d.rule, d.score, d.status
FROM duplicate_candidates d LEFT JOIN items a ON a.item_id = d.item_id
LEFT JOIN items b ON b.item_id = d.duplicate_of
ORDER BY d.status = 'open' DESC, d.score DESC LIMIT ?
"""


@dataclass(frozen=True)
class DataHealth:
    """Everything the data-health report shows, read in one short read-only session."""

    loads: pd.DataFrame  #: per source kind and table: loads, counts, latest date
    reasons: pd.DataFrame  #: per kind, table, rule: count and one example message
    coverage: dict[str, int]  #: items, no_demand, no_supplier, no_lead_time
    uncovered: pd.DataFrame  #: items lacking demand history or a supplier (first n)
    duplicates: pd.DataFrame  #: duplicate candidates, open ones first


def load(db: str | Path, n_rows: int = 25) -> DataHealth:
    """Read the governance tables of the store ``db``."""
    with reader(db) as con:
        coverage = con.execute(_COVERAGE).df().iloc[0].to_dict()
        return DataHealth(
            loads=con.execute(_LOADS).df(),
            reasons=con.execute(_REASONS).df(),
            coverage={str(k): int(v) for k, v in coverage.items()},
            uncovered=con.execute(_UNCOVERED, [n_rows]).df(),
            duplicates=con.execute(_DUPLICATES, [n_rows]).df(),
        )


def header(data: DataHealth, lang: str = "en") -> HtmlBlock:
    """Title, totals and the freshness of each source."""
    loads = data.loads
    facts = [
        (label("dh_files", lang), f"{int(loads['loads'].sum()):,}"),
        (label("dh_rows_read", lang), f"{int(loads['rows_read'].sum()):,}"),
        (label("dh_rows_loaded", lang), f"{int(loads['rows_loaded'].sum()):,}"),
        (label("dh_rows_quarantined", lang), f"{int(loads['rows_quarantined'].sum()):,}"),
        (label("generated", lang), f"{datetime.now():%Y-%m-%d %H:%M}"),
    ]
    items = "".join(f"<span><b>{esc(k)}</b> {esc(v)}</span>" for k, v in facts)
    return HtmlBlock(
        f'{STYLE}<header class="replen-header"><h1>{esc(label("dh_title", lang))}</h1>'
        f'<div class="replen-facts">{items}</div></header>'
    )


def _date(value: object) -> str:
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return ""
    return str(pd.Timestamp(value).date())  # type: ignore[arg-type]


def sources_table(data: DataHealth, lang: str = "en") -> HtmlBlock:
    """Counts and freshness per source kind and table."""
    frame = data.loads.assign(
        latest_date=data.loads["latest_date"].map(_date),
        last_load=data.loads["last_load"].map(lambda v: f"{pd.Timestamp(v):%Y-%m-%d %H:%M}"),
    )
    for column in ("rows_read", "rows_loaded", "rows_quarantined", "duplicates_merged"):
        frame[column] = frame[column].map(lambda v: f"{int(v):,}")
    keys = ["source", "dh_table", "dh_files", "dh_rows_read", "dh_rows_loaded",
            "dh_rows_quarantined", "dh_duplicates_merged", "latest", "dh_last_load"]  # fmt: skip
    return HtmlBlock(f"<h2>{esc(label('dh_sources', lang))}</h2>") + table(
        frame, [label(k, lang) for k in keys]
    )


def reasons_table(data: DataHealth, lang: str = "en") -> HtmlBlock:
    """Quarantine reasons per source with one example each."""
    title = HtmlBlock(f"<h2>{esc(label('dh_reasons', lang))}</h2>")
    if data.reasons.empty:
        return title + HtmlBlock(f"<p>{esc(label('dh_no_problems', lang))}</p>")
    keys = ["source", "dh_table", "dh_rule", "dh_severity", "dh_rows", "dh_example"]
    return title + table(data.reasons, [label(k, lang) for k in keys])


def duplicates_table(data: DataHealth, lang: str = "en") -> HtmlBlock:
    """Likely duplicate items for a person to confirm (``replen duplicates confirm``)."""
    title = HtmlBlock(
        f"<h2>{esc(label('dh_duplicates', lang))}</h2>"
        f'<p class="replen-notes">{esc(label("dh_duplicates_note", lang))}</p>'
    )
    if data.duplicates.empty:
        return title + HtmlBlock(f"<p>{esc(label('dh_none', lang))}</p>")
    frame = data.duplicates.assign(score=data.duplicates["score"].map(lambda v: f"{v:.2f}"))
    keys = ["item", "description", "dh_duplicate_of", "description", "dh_rule", "dh_score",
            "dh_status"]  # fmt: skip
    return title + table(frame, [label(k, lang) for k in keys])


def coverage_block(data: DataHealth, lang: str = "en") -> HtmlBlock:
    """Tiles: items without demand history, without a supplier, without any lead time."""
    total = max(data.coverage.get("items", 0), 1)
    tiles = []
    for key in ("no_demand", "no_supplier", "no_lead_time"):
        count = data.coverage.get(key, 0)
        tiles.append(
            f'<div class="replen-tile"><div class="replen-tile-label">{esc(label("dh_" + key, lang))}'
            f'</div><div class="replen-tile-value">{count:,} ({count / total:.1%})</div></div>'
        )
    frame = data.uncovered.assign(
        no_demand=data.uncovered["no_demand"].map(lambda v: "✗" if v else ""),
        no_supplier=data.uncovered["no_supplier"].map(lambda v: "✗" if v else ""),
    )
    headers = [label(k, lang) for k in ("item", "description", "dh_no_demand", "dh_no_supplier")]
    return HtmlBlock(
        f"<h2>{esc(label('dh_coverage', lang))}</h2>"
        f'<div class="replen-tiles">{"".join(tiles)}</div>'
    ) + (table(frame, headers) if not frame.empty else HtmlBlock(""))
