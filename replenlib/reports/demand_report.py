"""Data and HTML blocks of the demand report (notebook ``02_demand``).

The notebook stays thin: it calls :func:`load` once, then displays the blocks built here and
the figures of :mod:`replenlib.viz.demand`; chart data per series comes from
:func:`replenlib.store.demand_views.series_views`, shared with the demand explorer widget.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from replenlib.errors import ReplenError
from replenlib.i18n import label
from replenlib.reports.html import STYLE, HtmlBlock, esc, table
from replenlib.store import demand_views, reader
from replenlib.store.demand_views import SeriesView


@dataclass(frozen=True)
class DemandReportData:
    """Everything the demand report shows, read in one short read-only session."""

    run: dict[str, object]
    overview: pd.DataFrame  #: one row per item-location (see demand_views.overview)
    backtests: pd.DataFrame  #: mean scores per class and method
    series: tuple[SeriesView, ...]  #: the charted series
    filters: dict[str, str]


def load(
    db: str | Path,
    run_id: str | None = None,
    series: str = "",
    demand_class: str = "",
    abc: str = "",
    n_series: int = 4,
    lang: str = "en",
) -> DemandReportData:
    """Read a run's demand results and the charts of a few series.

    ``series`` is a comma-separated list of ``ITEM@LOCATION``; empty charts the ``n_series``
    most valuable item-locations of the segment given by ``demand_class`` and ``abc``
    (empty = all).
    """
    with reader(db) as con:
        run = demand_views.run_row(con, run_id)
        rid = str(run["run_id"])
        overview = demand_views.overview(con, rid)
        segment = _segment(overview, demand_class, abc)
        keys = _keys(segment, series, n_series)
        views = demand_views.series_views(con, run, overview, keys, lang)
        return DemandReportData(
            run=run,
            overview=overview,
            backtests=demand_views.backtest_summary(con, rid),
            series=views,
            filters={"demand_class": demand_class, "abc": abc},
        )


def _segment(overview: pd.DataFrame, demand_class: str, abc: str) -> pd.DataFrame:
    part = overview
    if demand_class:
        part = part[part["demand_class"] == demand_class]
    if abc:
        part = part[part["abc_value"] == abc]
    return part


def _keys(segment: pd.DataFrame, series: str, n_series: int) -> pd.DataFrame:
    if series.strip():
        keys = [tuple(s.strip().split("@", 1)) for s in series.split(",") if s.strip()]
        bad = [k for k in keys if len(k) != 2]
        if bad:
            raise ReplenError(f"series must be ITEM@LOCATION, got {bad[0][0]!r}")
        return pd.DataFrame(keys, columns=["item_id", "location_id"])
    return segment[["item_id", "location_id"]].head(n_series).reset_index(drop=True)


def header(data: DemandReportData, lang: str = "en") -> HtmlBlock:
    """Title block with run, planning day and the number of item-locations per class."""
    run = data.run
    counts = data.overview["demand_class"].value_counts()
    facts = [
        (label("run", lang), run["run_id"]),
        (label("as_of", lang), run["as_of_date"]),
        (label("item_locations", lang), f"{len(data.overview):,}"),
        (label("generated", lang), f"{datetime.now():%Y-%m-%d %H:%M}"),
    ]
    items = "".join(f"<span><b>{esc(k)}</b> {esc(v)}</span>" for k, v in facts)
    mix = " · ".join(f"{esc(label(str(c), lang))} {n:,}" for c, n in counts.items())
    return HtmlBlock(
        f'{STYLE}<header class="replen-header"><h1>{esc(label("demand_report_title", lang))}</h1>'
        f'<div class="replen-facts">{items}</div><p class="replen-fresh">{mix}</p></header>'
    )


def segment_table(data: DemandReportData, lang: str = "en") -> HtmlBlock:
    """Item-locations and value per demand class × lifecycle stage."""
    o = data.overview
    grouped = o.groupby(["demand_class", "lifecycle"], sort=True).agg(
        series=("item_id", "size"), value=("value", "sum"), volume=("volume", "sum")
    )
    rows = pd.DataFrame(
        {
            "class": [label(c, lang) for c, _ in grouped.index],
            "lifecycle": [label(s, lang) for _, s in grouped.index],
            "series": [f"{n:,}" for n in grouped["series"]],
            "value": [f"{v:,.0f}" for v in grouped["value"]],
            "volume": [f"{v:,.0f}" for v in grouped["volume"]],
        }
    )
    keys = ["demand_class", "lifecycle", "series", "value_52w", "volume_52w"]
    return HtmlBlock(f"<h2>{esc(label('segments', lang))}</h2>") + table(
        rows, [label(k, lang) for k in keys]
    )


def method_table(data: DemandReportData, lang: str = "en") -> HtmlBlock:
    """Per demand class: the methods chosen and the chosen methods' backtest accuracy."""
    o = data.overview.dropna(subset=["method"])
    grouped = o.groupby(["demand_class", "method"], sort=True).agg(
        series=("item_id", "size"),
        rmsse=("rmsse", "mean"),
        mase=("mase", "mean"),
        bias=("bias", "mean"),
        pinball=("pinball", "mean"),
    )
    rows = pd.DataFrame(
        {
            "class": [label(c, lang) for c, _ in grouped.index],
            "method": [m for _, m in grouped.index],
            "series": [f"{n:,}" for n in grouped["series"]],
            **{k: [_fmt(v) for v in grouped[k]] for k in ("rmsse", "mase", "bias", "pinball")},
        }
    )
    keys = ["demand_class", "method", "series", "rmsse", "mase", "bias", "pinball"]
    return HtmlBlock(f"<h2>{esc(label('method_choice', lang))}</h2>") + table(
        rows, [label(k, lang) for k in keys]
    )


def series_table(data: DemandReportData, lang: str = "en") -> HtmlBlock:
    """The charted series: segments, method, scores and lead-time demand."""
    rows = pd.DataFrame(
        [
            {
                "series": f"{v.item_id} @ {v.location_id}",
                "segment": f"{v.row['abc_value']}{v.row['xyz']} · {label(str(v.row['demand_class']), lang)}"
                f" · {label(str(v.row['lifecycle']), lang)}",
                "method": v.method,
                "rmsse": _fmt(v.row.get("rmsse")),
                "mase": _fmt(v.row.get("mase")),
                "ltd": f"{_fmt(v.row.get('ltd_mean'), 1)} ± {_fmt(v.row.get('ltd_std'), 1)}"
                f" ({v.row.get('family')}, q95 {_fmt(v.row.get('ltd_q95'), 0)})",
            }
            for v in data.series
        ],
        columns=["series", "segment", "method", "rmsse", "mase", "ltd"],
    )
    keys = ["series", "segment", "method", "rmsse", "mase", "lead_time_demand"]
    return HtmlBlock(f"<h2>{esc(label('charted_series', lang))}</h2>") + table(
        rows, [label(k, lang) for k in keys]
    )


def notes(lang: str = "en") -> HtmlBlock:
    """How the numbers are made, in short."""
    items = "".join(f"<li>{esc(label(f'demand_note_{k}', lang))}</li>" for k in range(1, 5))
    return HtmlBlock(
        f'<h3>{esc(label("method_notes", lang))}</h3><ol class="replen-notes">{items}</ol>'
    )


def _fmt(value: object, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "–"
    return f"{float(value):,.{digits}f}"  # type: ignore[arg-type]
