"""Figures of the policy what-if: value and service by tier, the run's policy against the what-if.

Frames in, figures out. ``frame`` has one row per tier with the columns of
:data:`TIER_COLUMNS`; :func:`update_tier_figures` writes new numbers into existing figures (a
plotly ``FigureWidget`` updates in the browser in place).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from replenlib.i18n import label

TIER_COLUMNS = (
    "tier",
    "base_inventory_value",
    "now_inventory_value",
    "base_fill_rate",
    "now_fill_rate",
    "base_stockout_risk",
    "now_stockout_risk",
)
BASE_COLOUR, NOW_COLOUR = "#9aa7b4", "#1f77b4"


def value_by_tier(frame: pd.DataFrame, lang: str = "en") -> go.Figure:
    """Inventory value per tier [CNY]: the run's policy and the what-if side by side."""
    names = [label(str(t), lang) for t in frame["tier"]]
    fig = go.Figure(
        [
            go.Bar(
                name=label("wi_base", lang),
                x=names,
                y=frame["base_inventory_value"],
                marker_color=BASE_COLOUR,
            ),
            go.Bar(
                name=label("wi_now", lang),
                x=names,
                y=frame["now_inventory_value"],
                marker_color=NOW_COLOUR,
            ),
        ]
    )
    fig.update_layout(
        title=label("wi_value_by_tier", lang),
        barmode="group",
        height=330,
        margin={"l": 60, "r": 20, "t": 50, "b": 40},
        legend={"orientation": "h", "y": -0.15},
        yaxis={"tickformat": ",.0f"},
    )
    return fig


def service_by_tier(frame: pd.DataFrame, lang: str = "en") -> go.Figure:
    """Expected fill rate (left) and stockout risk per cycle (right) per tier."""
    names = [label(str(t), lang) for t in frame["tier"]]
    fig = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=[label("wi_fill_rate", lang), label("wi_stockout_risk", lang)],
    )
    for col, key in ((1, "fill_rate"), (2, "stockout_risk")):
        for which, colour in (("base", BASE_COLOUR), ("now", NOW_COLOUR)):
            fig.add_trace(
                go.Bar(
                    name=label(f"wi_{which}", lang),
                    x=names,
                    y=frame[f"{which}_{key}"],
                    marker_color=colour,
                    legendgroup=which,
                    showlegend=col == 1,
                ),
                row=1,
                col=col,
            )
    fig.update_layout(
        title=label("wi_service_by_tier", lang),
        barmode="group",
        height=330,
        margin={"l": 60, "r": 20, "t": 70, "b": 40},
        legend={"orientation": "h", "y": -0.15},
    )
    fig.update_yaxes(tickformat=".1%")
    return fig


def update_tier_figures(
    value_fig: Any, service_fig: Any, frame: pd.DataFrame, lang: str = "en"
) -> None:
    """Write ``frame``'s numbers into figures made by :func:`value_by_tier` and
    :func:`service_by_tier` (in one message each for a ``FigureWidget``)."""
    names = [label(str(t), lang) for t in frame["tier"]]
    columns = [("base_inventory_value", "now_inventory_value")]
    service = ["base_fill_rate", "now_fill_rate", "base_stockout_risk", "now_stockout_risk"]
    for fig, keys in ((value_fig, list(columns[0])), (service_fig, service)):
        batch = fig.batch_update() if hasattr(fig, "batch_update") else _Nothing()
        with batch:
            for trace, key in zip(fig.data, keys, strict=True):
                if list(trace.x or ()) != names:
                    trace.x = names
                trace.y = frame[key].to_numpy()


class _Nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *_: object) -> None:
        return None
