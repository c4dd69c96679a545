"""Plotly figure builders for notebooks and reports (no data access here: frames in, figures out)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from replenlib.i18n import label

PALETTE = {
    "on_hand": "#1f77b4",
    "reorder_point": "#d62728",
    "safety_stock": "#ff7f0e",
    "order_up_to": "#2ca02c",
}
TIER_COLOURS = {
    "critical": "#b2182b",
    "high": "#ef8a62",
    "medium": "#67a9cf",
    "low": "#bababa",
    "run_down": "#7f7f7f",
}


def stock_vs_reorder_point(
    stock: pd.DataFrame, chosen: pd.DataFrame, lang: str = "en"
) -> go.Figure:
    """On-hand stock over time against reorder point, safety stock and order-up-to level.

    ``stock``: item_id, location_id, day, on_hand; ``chosen``: item_id, location_id,
    description, safety_stock, reorder_point, order_up_to — one subplot per row of ``chosen``.
    """
    n = max(len(chosen), 1)
    titles = [f"{r.item_id} @ {r.location_id} — {r.description}" for r in chosen.itertuples()]
    fig = make_subplots(
        rows=n, cols=1, subplot_titles=titles or [""], vertical_spacing=0.08 / n * 4
    )
    for row, series in enumerate(chosen.itertuples(), start=1):
        part = stock[
            (stock["item_id"] == series.item_id) & (stock["location_id"] == series.location_id)
        ]
        first = row == 1
        fig.add_trace(
            go.Scatter(
                x=part["day"],
                y=part["on_hand"],
                mode="lines",
                line_shape="hv",
                name=label("on_hand", lang),
                line={"color": PALETTE["on_hand"]},
                legendgroup="on_hand",
                showlegend=first,
            ),
            row=row,
            col=1,
        )
        for key in ("reorder_point", "safety_stock", "order_up_to"):
            level = float(getattr(series, key))
            fig.add_trace(
                go.Scatter(
                    x=[part["day"].min(), part["day"].max()] if len(part) else [],
                    y=[level, level],
                    mode="lines",
                    name=label(key, lang),
                    legendgroup=key,
                    showlegend=first,
                    line={"color": PALETTE[key], "dash": "dash" if key != "order_up_to" else "dot"},
                ),
                row=row,
                col=1,
            )
        fig.update_yaxes(title_text=label("units", lang), row=row, col=1)
    height = 260 * n + 120
    fig.update_layout(
        height=height,
        template="plotly_white",
        margin={"t": 90, "l": 60, "r": 20, "b": 80},
        title=label("stock_vs_rop", lang),
        legend={"orientation": "h", "yanchor": "top", "y": -40 / height, "x": 0},
    )
    return fig


def class_mix_by_tier(class_mix: pd.DataFrame, lang: str = "en") -> go.Figure:
    """Stacked bars: item-locations per demand class, coloured by tier."""
    fig = go.Figure()
    for tier, colour in TIER_COLOURS.items():
        part = class_mix[class_mix["tier"] == tier]
        fig.add_trace(
            go.Bar(
                x=[label(str(c), lang) for c in part["demand_class"]],
                y=part["series"],
                name=label(tier, lang),
                marker_color=colour,
            )
        )
    fig.update_layout(
        barmode="stack",
        template="plotly_white",
        height=360,
        title=label("class_mix", lang),
        xaxis_title=label("demand_class", lang),
        yaxis_title=label("series", lang),
        margin={"t": 60, "l": 60, "r": 20, "b": 40},
    )
    return fig
