"""Plotly figures for supply and traceability: recall footprint, supplier grades, lead times,
cold-chain profiles and expiry risk (frames in, figures out; no data access)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from scipy import stats

from replenlib.i18n import label
from replenlib.supply.scorecard import GradeThresholds

GRADE_COLOURS = {"A": "#1a9850", "B": "#91cf60", "C": "#fc8d59", "D": "#d73027", "-": "#bababa"}
_LAYOUT = {"template": "plotly_white", "margin": {"t": 60, "l": 60, "r": 20, "b": 40}}


def recall_footprint(stock: pd.DataFrame, customers: pd.DataFrame, lang: str = "en") -> go.Figure:
    """Horizontal bars: units still in stock per location and units issued per customer."""
    held = stock[stock["quantity"] > 0].groupby("location_id", as_index=False)["quantity"].sum()
    issued = customers.groupby("customer_id", as_index=False)["quantity"].sum()
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            y=held["location_id"],
            x=held["quantity"],
            orientation="h",
            name=label("recall_stock", lang),
            marker_color="#b2182b",
        )
    )
    fig.add_trace(
        go.Bar(
            y=issued["customer_id"],
            x=issued["quantity"],
            orientation="h",
            name=label("recall_customers", lang),
            marker_color="#2166ac",
        )
    )
    fig.update_layout(
        **_LAYOUT,
        title=label("recall_footprint", lang),
        height=max(320, 22 * (len(held) + len(issued)) + 120),
        xaxis_title=label("units", lang),
        barmode="group",
        legend={"orientation": "h", "y": 1.05, "x": 0},
    )
    return fig


def supplier_scores(
    card: pd.DataFrame, thresholds: GradeThresholds | None = None, lang: str = "en"
) -> go.Figure:
    """Score per supplier coloured by grade, with the A/B/C thresholds as lines."""
    t = thresholds or GradeThresholds()
    order = card.sort_values("score", ascending=False)
    fig = go.Figure(
        go.Bar(
            x=order["supplier_id"],
            y=order["score"],
            marker_color=[GRADE_COLOURS.get(g, "#bababa") for g in order["grade"]],
            text=order["grade"],
            textposition="outside",
            hovertext=order.get("name"),
        )
    )
    for value, name in zip((t.a, t.b, t.c), "ABC", strict=True):
        fig.add_hline(
            y=value,
            line_dash="dot",
            line_color=GRADE_COLOURS[name],
            annotation_text=name,
            annotation_position="right",
        )
    low = float(np.nanmin(order["score"])) if order["score"].notna().any() else 0.0
    fig.update_layout(
        **_LAYOUT,
        title=label("supplier_scores", lang),
        height=380,
        yaxis={"range": [min(low, t.c) - 0.05, 1.02], "title": label("score", lang)},
    )
    return fig


def grade_history(history: pd.DataFrame, lang: str = "en") -> go.Figure:
    """Score per supplier over the periods of the grade history (one line each)."""
    fig = go.Figure()
    for supplier, part in history.groupby("supplier_id"):
        fig.add_trace(
            go.Scatter(
                x=part["period_end"],
                y=part["score"],
                mode="lines+markers",
                name=str(supplier),
                text=part["grade"],
            )
        )
    fig.update_layout(
        **_LAYOUT, title=label("grade_history", lang), height=380, yaxis_title=label("score", lang)
    )
    return fig


def lead_time_distribution(observed: pd.Series, row: pd.Series, lang: str = "en") -> go.Figure:
    """Histogram of observed lead times with the fitted gamma and log-normal densities."""
    x = observed.to_numpy(np.float64)
    fig = go.Figure(
        go.Histogram(
            x=x,
            histnorm="probability density",
            name=label("observed", lang),
            marker_color="#9ecae1",
        )
    )
    grid = np.linspace(max(x.min() * 0.8, 0.1), x.max() * 1.2, 200) if x.size else np.zeros(0)
    if np.isfinite(row.get("gamma_shape", np.nan)):
        fig.add_trace(
            go.Scatter(
                x=grid,
                y=stats.gamma.pdf(grid, row["gamma_shape"], scale=row["gamma_scale"]),
                name="gamma",
                line={"color": "#d6604d"},
            )
        )
        fig.add_trace(
            go.Scatter(
                x=grid,
                y=stats.lognorm.pdf(
                    grid, row["lognormal_sigma"], scale=np.exp(row["lognormal_mu"])
                ),
                name="log-normal",
                line={"color": "#4393c3", "dash": "dash"},
            )
        )
    fig.update_layout(
        **_LAYOUT,
        height=340,
        xaxis_title=label("lead_time_days", lang),
        title=f"{label('lead_time', lang)} {row.get('item_id', '')} · "
        f"{row.get('supplier_id', '')} ({label('best_fit', lang)}: "
        f"{row.get('best_fit', '')})",
    )
    return fig


def temperature_profile(
    readings: pd.DataFrame, low_c: float, high_c: float, lang: str = "en"
) -> go.Figure:
    """Logger readings over time against the allowed range (shaded)."""
    fig = go.Figure(
        go.Scatter(
            x=readings["reading_time"],
            y=readings["temperature_c"],
            mode="lines",
            name=label("temperature", lang),
        )
    )
    fig.add_hrect(y0=low_c, y1=high_c, fillcolor="#a6dba0", opacity=0.25, line_width=0)
    fig.update_layout(
        **_LAYOUT, height=320, yaxis_title="°C", title=label("temperature_profile", lang)
    )
    return fig


def expiry_risk_bars(risk: pd.DataFrame, n: int = 15, lang: str = "en") -> go.Figure:
    """The lots with the largest value at risk of expiring unsold."""
    top = risk.head(n).iloc[::-1]
    names = top["item_id"] + " @ " + top["location_id"] + " · " + top["lot_id"]
    fig = go.Figure(
        go.Bar(y=names, x=top["value_at_risk"], orientation="h", marker_color="#f46d43")
    )
    fig.update_layout(
        **_LAYOUT,
        height=max(300, 24 * len(top) + 100),
        title=label("expiry_risk", lang),
        xaxis_title=label("value_cny", lang),
    )
    return fig
