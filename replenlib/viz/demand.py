"""Plotly figures of the demand layer (frames and arrays in, figures out; no data access)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from replenlib.demand.distributions import DemandDistribution
from replenlib.i18n import label

COLOURS = {
    "history": "#1f77b4",
    "fitted": "#7f7f7f",
    "forecast": "#d62728",
    "band80": "rgba(214, 39, 40, 0.25)",
    "band95": "rgba(214, 39, 40, 0.12)",
}
CLASS_ORDER = ("smooth", "erratic", "intermittent", "lumpy", "new", "no_demand")
TIER_ORDER = ("critical", "high", "medium", "low")
_LAYOUT = {"template": "plotly_white", "margin": {"t": 60, "l": 60, "r": 20, "b": 40}}


def demand_forecast(
    history: pd.DataFrame,
    fitted: np.ndarray,
    forecast: pd.DataFrame,
    title: str,
    lang: str = "en",
) -> go.Figure:
    """Weekly history, in-sample fitted values and the forecast with 80 % / 95 % bands.

    ``history``: week_end, quantity (one series, oldest first); ``fitted``: one value per
    history row (NaN where undefined); ``forecast``: period_end, mean, lower_80, upper_80,
    lower_95, upper_95.
    """
    fig = go.Figure()
    for level, colour in (("95", COLOURS["band95"]), ("80", COLOURS["band80"])):
        x = list(forecast["period_end"]) + list(forecast["period_end"][::-1])
        y = list(forecast[f"upper_{level}"]) + list(forecast[f"lower_{level}"][::-1])
        fig.add_trace(
            go.Scatter(
                x=x,
                y=y,
                fill="toself",
                fillcolor=colour,
                line={"width": 0},
                name=label(f"interval_{level}", lang),
                hoverinfo="skip",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=history["week_end"],
            y=history["quantity"],
            mode="lines",
            line_shape="hv",
            name=label("history", lang),
            line={"color": COLOURS["history"]},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=history["week_end"],
            y=fitted,
            mode="lines",
            name=label("fitted", lang),
            line={"color": COLOURS["fitted"], "dash": "dot"},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=forecast["period_end"],
            y=forecast["mean"],
            mode="lines+markers",
            name=label("forecast", lang),
            line={"color": COLOURS["forecast"]},
        )
    )
    fig.update_layout(
        title=title,
        height=340,
        xaxis_title=label("week", lang),
        yaxis_title=label("units_per_week", lang),
        legend={"orientation": "h", "y": -0.2},
        **_LAYOUT,
    )
    return fig


def class_tier_heatmap(overview: pd.DataFrame, lang: str = "en") -> go.Figure:
    """Item-locations per demand class and tier; hover shows their value [CNY]."""
    frame = overview.assign(tier=overview["tier"].fillna("n/a"))
    counts = pd.crosstab(frame["demand_class"], frame["tier"])
    value = frame.pivot_table(index="demand_class", columns="tier", values="value", aggfunc="sum")
    rows = [c for c in CLASS_ORDER if c in counts.index]
    cols = [t for t in TIER_ORDER if t in counts.columns] + [
        t for t in counts.columns if t not in TIER_ORDER
    ]
    z = counts.reindex(index=rows, columns=cols, fill_value=0)
    v = value.reindex(index=rows, columns=cols).fillna(0.0)
    fig = go.Figure(
        go.Heatmap(
            z=z.to_numpy(),
            x=[label(c, lang) if c in TIER_ORDER else c for c in cols],
            y=[label(r, lang) for r in rows],
            colorscale="Blues",
            text=z.to_numpy(),
            texttemplate="%{text}",
            customdata=v.to_numpy(),
            hovertemplate="%{y} / %{x}: %{z} · ¥%{customdata:,.0f}<extra></extra>",
        )
    )
    fig.update_layout(
        title=label("class_by_tier", lang),
        height=340,
        xaxis_title=label("tier", lang),
        yaxis_title=label("demand_class", lang),
        **_LAYOUT,
    )
    return fig


def abc_xyz_matrix(overview: pd.DataFrame, lang: str = "en") -> go.Figure:
    """Share of value [CNY] per ABC (by value) × XYZ cell, with item-location counts."""
    counts = pd.crosstab(overview["abc_value"], overview["xyz"]).reindex(
        index=["A", "B", "C"], columns=["X", "Y", "Z"], fill_value=0
    )
    value = overview.pivot_table(index="abc_value", columns="xyz", values="value", aggfunc="sum")
    share = value.reindex(index=["A", "B", "C"], columns=["X", "Y", "Z"]).fillna(0.0)
    shares = share.to_numpy(dtype=np.float64)
    n = counts.to_numpy(dtype=np.int64)
    total = float(shares.sum()) or 1.0
    text = [[f"{n[i, j]:,} · {shares[i, j] / total:.0%}" for j in range(3)] for i in range(3)]
    fig = go.Figure(
        go.Heatmap(
            z=shares / total,
            x=["X", "Y", "Z"],
            y=["A", "B", "C"],
            colorscale="Greens",
            text=text,
            texttemplate="%{text}",
            hovertemplate="%{y}%{x}: %{text}<extra></extra>",
        )
    )
    fig.update_layout(
        title=label("abc_xyz", lang),
        height=320,
        xaxis_title=label("xyz", lang),
        yaxis_title=label("abc_value", lang),
        yaxis={"autorange": "reversed"},
        **_LAYOUT,
    )
    return fig


def backtest_scores(summary: pd.DataFrame, metric: str = "rmsse", lang: str = "en") -> go.Figure:
    """Mean backtest score of every candidate method per demand class (lower is better).

    ``summary``: demand_class, method, series, chosen, and the metric column.
    """
    fig = go.Figure()
    for method, part in summary.groupby("method", sort=True):
        fig.add_trace(
            go.Bar(
                x=[label(c, lang) for c in part["demand_class"]],
                y=part[metric],
                name=str(method),
                customdata=part["chosen"],
                hovertemplate=f"{method}: %{{y:.3f}} (chosen for %{{customdata}})<extra></extra>",
            )
        )
    fig.update_layout(
        barmode="group",
        title=label(f"backtest_{metric}", lang),
        height=380,
        xaxis_title=label("demand_class", lang),
        yaxis_title=metric.upper(),
        **_LAYOUT,
    )
    return fig


def lead_time_demand_chart(row: pd.Series, lang: str = "en") -> go.Figure:
    """Cumulative distribution of demand over lead time + review period, with quantiles.

    ``row``: family, ltd_mean, ltd_std, ltd_q50/q90/q95/q99 (an ``overview`` row). Empirical
    (bootstrap) rows show their stored quantiles only.
    """
    fig = go.Figure()
    quantiles = {q: float(row[f"ltd_q{q}"]) for q in (50, 90, 95, 99)}
    top = max(quantiles[99] * 1.2, float(row["ltd_mean"]) + 1.0)
    if row["family"] != "empirical":
        grid = np.linspace(0.0, top, 200)
        dist = DemandDistribution.of(
            row["family"],
            np.full(len(grid), row["ltd_mean"]),
            np.full(len(grid), row["ltd_std"] ** 2),
        )
        fig.add_trace(go.Scatter(x=grid, y=dist.cdf(grid), mode="lines", name=label("cdf", lang)))
    fig.add_trace(
        go.Scatter(
            x=list(quantiles.values()),
            y=[q / 100 for q in quantiles],
            mode="markers+text",
            text=[f"q{q}" for q in quantiles],
            textposition="top left",
            name=label("quantiles", lang),
        )
    )
    fig.update_layout(
        title=f"{label('lead_time_demand', lang)} — {row.get('item_id', '')} @ "
        f"{row.get('location_id', '')} ({row['family']}, {row.get('protection_days', 0):.0f} d)",
        height=300,
        xaxis_title=label("units", lang),
        yaxis_title=label("probability", lang),
        **_LAYOUT,
    )
    return fig
