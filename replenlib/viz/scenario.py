"""Plotly figures of scenario results (frames in, figures out; labels from :mod:`replenlib.i18n`).

Frames are the ``scenario_*`` tables of the store (see :mod:`replenlib.store.schema`):
``kpis`` has scenario, kpi, scope, mean, p05, p95, diff_mean, diff_low, diff_high;
``frontier`` has target, kpi, mean, p05, p95; ``tornado`` factor, kpi, swing, low, high,
reference; ``calibration`` tier, target, csl_before, csl_after, fill_before, fill_after.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from replenlib.i18n import label
from replenlib.viz.figures import TIER_COLOURS

#: Tier colours of the KPI report plus the run-down tier of the strategy table.
TIERS = {**TIER_COLOURS, "run_down": "#7f7f7f"}

#: Colours of scenarios in order (baseline first, grey).
SCENARIO_COLOURS = (
    "#8c8c8c",
    "#1f77b4",
    "#2ca02c",
    "#ff7f0e",
    "#9467bd",
    "#d62728",
    "#17becf",
    "#bcbd22",
    "#e377c2",
    "#7f7f7f",
)
PERCENT_KPIS = ("stockout_rate", "fill_rate", "cycle_service_level")
_LAYOUT = {"template": "plotly_white", "margin": {"t": 60, "l": 60, "r": 20, "b": 40}}


def _scale(kpi: str) -> float:
    return 100.0 if kpi in PERCENT_KPIS else 1.0


def _axis(kpi: str, lang: str) -> str:
    return label(kpi, lang) + (" [%]" if kpi in PERCENT_KPIS else "")


def _colour(k: int) -> str:
    return SCENARIO_COLOURS[k % len(SCENARIO_COLOURS)]


def _not_run(title: str, lang: str) -> go.Figure:
    """A placeholder figure for an analysis the scenario run did not include."""
    fig = go.Figure()
    fig.add_annotation(text=label("analysis_not_run", lang), showarrow=False, font={"size": 14})
    fig.update_layout(
        height=160, title=title, xaxis={"visible": False}, yaxis={"visible": False}, **_LAYOUT
    )
    return fig


def kpi_bars(
    kpis: pd.DataFrame,
    scenarios: Sequence[str],
    lang: str = "en",
    shown: Sequence[str] = ("stockout_rate", "fill_rate", "inventory_days", "inventory_value"),
) -> go.Figure:
    """One panel per KPI: the mean per scenario with its 5–95 % range across replications."""
    frame = kpis[kpis["scope"] == "all"].set_index(["scenario", "kpi"])
    fig = make_subplots(rows=1, cols=len(shown), subplot_titles=[_axis(k, lang) for k in shown])
    for col, kpi in enumerate(shown, start=1):
        rows = frame.xs(kpi, level="kpi").reindex(list(scenarios))
        s = _scale(kpi)
        fig.add_trace(
            go.Bar(
                x=list(scenarios),
                y=rows["mean"] * s,
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": (rows["p95"] - rows["mean"]) * s,
                    "arrayminus": (rows["mean"] - rows["p05"]) * s,
                },
                marker_color=[_colour(k) for k in range(len(scenarios))],
                showlegend=False,
                hovertemplate="%{x}: %{y:.3g}<extra></extra>",
            ),
            row=1,
            col=col,
        )
    fig.update_layout(height=380, title=label("scenarios_side_by_side", lang), **_LAYOUT)
    fig.update_xaxes(tickangle=-35)
    return fig


def difference_chart(kpis: pd.DataFrame, kpi: str, baseline: str, lang: str = "en") -> go.Figure:
    """Difference of ``kpi`` to the baseline per scenario with its 95 % confidence interval."""
    rows = kpis[(kpis["scope"] == "all") & (kpis["kpi"] == kpi) & (kpis["scenario"] != baseline)]
    s = _scale(kpi)
    fig = go.Figure(
        go.Scatter(
            x=rows["diff_mean"] * s,
            y=rows["scenario"],
            mode="markers",
            marker={"size": 10, "color": "#1f77b4"},
            error_x={
                "type": "data",
                "symmetric": False,
                "array": (rows["diff_high"] - rows["diff_mean"]) * s,
                "arrayminus": (rows["diff_mean"] - rows["diff_low"]) * s,
            },
            hovertemplate="%{y}: %{x:+.3g}<extra></extra>",
        )
    )
    fig.add_vline(x=0, line={"color": "#888", "dash": "dot"})
    unit = " [pp]" if kpi in PERCENT_KPIS else ""
    fig.update_layout(
        height=120 + 40 * len(rows),
        title=f"{label('difference_to', lang)} {baseline}: {label(kpi, lang)}",
        xaxis_title=label(kpi, lang) + unit,
        yaxis={"autorange": "reversed"},
        **_LAYOUT,
    )
    return fig


def frontier_chart(
    frontier: pd.DataFrame,
    kpis: pd.DataFrame,
    scenarios: Sequence[str],
    lang: str = "en",
    service: str = "fill_rate",
) -> go.Figure:
    """Inventory value against ``service`` as the target sweeps, with every scenario marked."""
    if frontier.empty:
        return _not_run(label("frontier_title", lang), lang)
    wide = frontier.pivot(index="target", columns="kpi", values="mean").sort_index()
    s = _scale(service)
    fig = go.Figure(
        go.Scatter(
            x=wide["inventory_value"],
            y=wide[service] * s,
            mode="lines+markers+text",
            text=[f"{t:.1%}" for t in wide.index],
            textposition="top left",
            name=label("frontier_curve", lang),
            line={"color": "#444"},
            hovertemplate=label("target", lang)
            + " %{text}: %{x:,.0f} CNY, %{y:.2f}<extra></extra>",
        )
    )
    points = kpis[kpis["scope"] == "all"].pivot(index="scenario", columns="kpi", values="mean")
    points = points.reindex(list(scenarios))
    values, levels = points["inventory_value"].to_numpy(float), points[service].to_numpy(float) * s
    for k, name in enumerate(scenarios):
        if not np.isnan(values[k]):
            fig.add_trace(
                go.Scatter(
                    x=[values[k]],
                    y=[levels[k]],
                    mode="markers",
                    name=name,
                    marker={"size": 13, "color": _colour(k), "symbol": "diamond"},
                    hovertemplate=name + ": %{x:,.0f} CNY, %{y:.2f}<extra></extra>",
                )
            )
    fig.update_layout(
        height=460,
        title=label("frontier_title", lang),
        xaxis_title=f"{label('inventory_value', lang)} [{label('unit_CNY', lang)}]",
        yaxis_title=_axis(service, lang),
        legend={"orientation": "h", "y": -0.18},
        **_LAYOUT,
    )
    return fig


def tornado_chart(tornado: pd.DataFrame, kpi: str, lang: str = "en") -> go.Figure:
    """Horizontal bars from the low to the high setting of each factor, widest on top."""
    if tornado.empty:
        return _not_run(label("tornado_title", lang), lang)
    rows = tornado[tornado["kpi"] == kpi].copy()
    rows["width"] = (rows["high"] - rows["low"]).abs()
    rows = rows.sort_values("width")
    s = _scale(kpi)
    reference = float(rows["reference"].iloc[0]) * s if len(rows) else 0.0
    names = [label(f, lang) for f in rows["factor"]]
    fig = go.Figure()
    for column, colour, key in (
        ("low", "#67a9cf", "factor_low"),
        ("high", "#ef8a62", "factor_high"),
    ):
        fig.add_trace(
            go.Bar(
                y=names,
                x=rows[column] * s - reference,
                base=reference,
                orientation="h",
                name=label(key, lang),
                marker_color=colour,
                hovertemplate="%{y}: %{x:+.3g}<extra></extra>",
            )
        )
    fig.add_vline(x=reference, line={"color": "#333"})
    fig.update_layout(
        barmode="overlay",
        height=140 + 50 * len(rows),
        title=f"{label('tornado_title', lang)}: {label(kpi, lang)}",
        xaxis_title=_axis(kpi, lang),
        legend={"orientation": "h", "y": -0.25},
        **_LAYOUT,
    )
    return fig


def calibration_chart(calibration: pd.DataFrame, lang: str = "en") -> go.Figure:
    """Per tier: the cycle-service-level target, and what the replay achieved before and after."""
    if calibration.empty:
        return _not_run(label("calibration_title", lang), lang)
    fig = go.Figure()
    tiers = [label(t, lang) for t in calibration["tier"]]
    for column, name, symbol in (
        ("target", "target", "line-ew-open"),
        ("csl_before", "before_calibration", "circle"),
        ("csl_after", "after_calibration", "diamond"),
    ):
        fig.add_trace(
            go.Scatter(
                x=tiers,
                y=calibration[column] * 100,
                mode="markers",
                name=label(name, lang),
                marker={
                    "size": 16 if column == "target" else 11,
                    "symbol": symbol,
                    "color": "#333" if column == "target" else None,
                    "line": {"width": 3},
                },
                hovertemplate="%{x}: %{y:.2f} %<extra></extra>",
            )
        )
    fig.update_layout(
        height=380,
        title=label("calibration_title", lang),
        yaxis_title=label("cycle_service_level", lang) + " [%]",
        **_LAYOUT,
    )
    return fig


def tier_service_chart(
    kpis: pd.DataFrame, scenarios: Sequence[str], kpi: str = "stockout_rate", lang: str = "en"
) -> go.Figure:
    """``kpi`` per tier and scenario (grouped bars)."""
    rows = kpis[kpis["scope"].str.startswith("tier=") & (kpis["kpi"] == kpi)]
    fig = go.Figure()
    for tier, colour in TIERS.items():
        part = rows[rows["scope"] == f"tier={tier}"].set_index("scenario").reindex(list(scenarios))
        fig.add_trace(
            go.Bar(
                x=list(scenarios),
                y=part["mean"] * _scale(kpi),
                name=label(tier, lang),
                marker_color=colour,
            )
        )
    fig.update_layout(
        barmode="group",
        height=380,
        title=f"{label(kpi, lang)} — {label('by_tier', lang)}",
        yaxis_title=_axis(kpi, lang),
        **_LAYOUT,
    )
    return fig
