"""Small HTML building blocks for report notebooks (displayed through ``_repr_html_``)."""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class HtmlBlock:
    """A piece of HTML that Jupyter displays when it is a cell's last expression."""

    html: str

    def _repr_html_(self) -> str:
        return self.html

    def __add__(self, other: HtmlBlock) -> HtmlBlock:
        return HtmlBlock(self.html + other.html)


def esc(value: object) -> str:
    """HTML-escape ``value`` as text."""
    return html.escape(str(value), quote=True)


def format_value(value: float | None, unit: str, na: str = "n/a") -> str:
    """Format a KPI value for a tile: fractions as percent, money and counts with separators."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return na
    if unit == "fraction":
        return f"{value:.1%}"
    if unit == "days":
        return f"{value:,.1f} d"
    if unit == "CNY":
        return f"¥{value:,.0f}"
    if unit == "CNY/unit":
        return f"¥{value:,.2f}"
    return f"{value:,.0f}"


def table(
    frame: pd.DataFrame, headers: Sequence[str], css_class: str = "replen-table"
) -> HtmlBlock:
    """Render ``frame`` (already formatted as text) as an HTML table with ``headers``."""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{esc(v)}</td>" for v in row) + "</tr>"
        for row in frame.itertuples(index=False)
    )
    return HtmlBlock(
        f'<table class="{css_class}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
    )


#: Styles of the report blocks; emitted once by each report's header so the blocks also look
#: right inside JupyterLab, not only in the rendered HTML.
STYLE = """<style>
.replen-header h1 { margin: 0 0 .3em 0; font-size: 1.8em; }
.replen-facts { display: flex; flex-wrap: wrap; gap: .4em 1.6em; color: #333; }
.replen-fresh { color: #666; font-size: .9em; }
.replen-tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(13em, 1fr)); gap: .8em; }
.replen-tile { border: 1px solid #d8dde3; border-radius: 6px; padding: .7em .9em; background: #f8fafc; }
.replen-tile-label { font-size: .85em; color: #555; }
.replen-tile-value { font-size: 1.45em; font-weight: 600; color: #123; margin-top: .2em; white-space: nowrap; }
.replen-table { border-collapse: collapse; font-size: .85em; margin: .5em 0 1.5em 0; width: 100%; }
.replen-table th { background: #eef2f6; text-align: left; }
table.replen-table th, table.replen-table td { border: 1px solid #d8dde3; padding: .3em .5em; vertical-align: top; text-align: left !important; }
table.replen-table.narrow { width: auto !important; }
table.replen-table td:last-child { min-width: 20em; }
.replen-notes { font-size: .85em; color: #444; }
</style>"""
