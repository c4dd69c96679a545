"""Figures of the planning board: projected stock, proposals by urgency, the rolling plan.

Frames in, figures out (no data access): the frames are those of
:class:`replenlib.reports.planning_board.PlanningBoardData`.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from replenlib.i18n import label
from replenlib.viz.figures import PALETTE

URGENCY_COLOURS = {"critical": "#b2182b", "high": "#ef8a62", "normal": "#67a9cf"}
SUPPLIER_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f")


def projected_stock(
    projection: pd.DataFrame,
    arrivals: pd.DataFrame,
    keys: list[tuple[str, str]],
    lang: str = "en",
) -> go.Figure:
    """Projected stock with and without the order against reorder point and safety stock.

    One subplot per (item_id, location_id) of ``keys``; arrivals (open orders and proposals)
    are marked on the with-order curve.
    """
    n = max(len(keys), 1)
    titles = [f"{item} @ {loc}" for item, loc in keys] or [""]
    fig = make_subplots(rows=n, cols=1, subplot_titles=titles, vertical_spacing=0.3 / n)
    for row, (item, loc) in enumerate(keys, start=1):
        part = projection[(projection["item_id"] == item) & (projection["location_id"] == loc)]
        due = arrivals[(arrivals["item_id"] == item) & (arrivals["location_id"] == loc)]
        first = row == 1
        for column, key, dash in (
            ("stock_without_order", "stock_without_order", "dot"),
            ("stock_with_order", "stock_with_order", "solid"),
            ("reorder_point", "reorder_point", "dash"),
            ("safety_stock", "safety_stock", "dash"),
        ):
            colour = PALETTE.get(key, "#1f77b4" if key == "stock_with_order" else "#7f7f7f")
            fig.add_trace(
                go.Scatter(
                    x=part["day"],
                    y=part[column],
                    mode="lines",
                    name=label(key, lang),
                    line={"color": colour, "dash": dash},
                    legendgroup=key,
                    showlegend=first,
                ),
                row=row,
                col=1,
            )
        fig.add_trace(
            go.Scatter(
                x=due["due"],
                y=[0.0] * len(due),
                mode="markers",
                name=label("arrivals", lang),
                marker={"symbol": "triangle-up", "size": 11, "color": "#2ca02c"},
                text=[f"{w}: {q:,.0f}" for w, q in zip(due["what"], due["quantity"], strict=True)],
                hoverinfo="text+x",
                legendgroup="arrivals",
                showlegend=first,
            ),
            row=row,
            col=1,
        )
        fig.update_yaxes(title_text=label("units", lang), row=row, col=1)
    fig.update_layout(
        height=260 * n + 90,
        template="plotly_white",
        title=label("projected_stock", lang),
        margin={"t": 70, "l": 60, "r": 20, "b": 40},
        legend={"orientation": "h", "y": 1.03, "x": 0},
    )
    return fig


def proposals_by_urgency(proposals: pd.DataFrame, lang: str = "en") -> go.Figure:
    """Order value of the proposals per status, stacked by urgency [CNY]."""
    fig = go.Figure()
    for urgency, colour in URGENCY_COLOURS.items():
        part = proposals[proposals["urgency"] == urgency]
        value = part.groupby("status")["order_value"].sum()
        fig.add_trace(
            go.Bar(
                x=list(value.index),
                y=list(value.to_numpy()),
                name=label(urgency, lang),
                marker_color=colour,
            )
        )
    fig.update_layout(
        barmode="stack",
        template="plotly_white",
        height=340,
        title=label("proposals_by_urgency", lang),
        yaxis_title=label("value_cny", lang),
        xaxis_title=label("col_status", lang),
        margin={"t": 60, "l": 60, "r": 20, "b": 40},
    )
    return fig


def rolling_plan(rolling: pd.DataFrame, lang: str = "en", top: int = 6) -> go.Figure:
    """Planned spend per month stacked by supplier (largest ``top``), with the previous plan."""
    frame = rolling.assign(
        supplier=rolling["supplier_id"].fillna("(in-house)"),
        previous_spend=rolling["previous_planned_receipts"].fillna(0.0) * rolling["unit_price"],
    )
    spend = frame.groupby("supplier")["planned_spend"].sum().sort_values(ascending=False)
    keep = set(spend.index[:top])
    frame["supplier"] = frame["supplier"].where(frame["supplier"].isin(keep), "other")
    fig = go.Figure()
    for n, (supplier, part) in enumerate(frame.groupby("supplier", sort=False)):
        monthly = part.groupby("period")["planned_spend"].sum()
        fig.add_trace(
            go.Bar(
                x=list(monthly.index),
                y=list(monthly.to_numpy()),
                name=str(supplier),
                marker_color=SUPPLIER_COLOURS[n % len(SUPPLIER_COLOURS)],
            )
        )
    previous = frame.groupby("period")["previous_spend"].sum()
    if rolling["previous_planned_receipts"].notna().any():
        fig.add_trace(
            go.Scatter(
                x=list(previous.index),
                y=list(previous.to_numpy()),
                mode="lines+markers",
                name=label("previous_plan", lang),
                line={"color": "#333", "dash": "dot"},
            )
        )
    fig.update_layout(
        barmode="stack",
        template="plotly_white",
        height=380,
        title=label("rolling_chart", lang),
        yaxis_title=label("col_planned_spend", lang),
        xaxis_title=label("month", lang),
        margin={"t": 60, "l": 60, "r": 20, "b": 40},
    )
    return fig
