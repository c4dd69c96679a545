"""The policy what-if: sliders over a run's policy, numbers and charts that follow at once.

Service-level sliders per tier (each in its tier's own measure: cycle service level or fill
rate), lead-time and demand multipliers, and a policy type and review period for the segment
shown. Every move recomputes safety stock, reorder points, inventory value, expected fill
rate and stockout risk of every item-location with :class:`~replenlib.policy.whatif.WhatIfEngine`
and updates the numbers and two plotly ``FigureWidget`` charts in place. Two buttons keep the
result: **save as scenario** (a scenario file for ``replen scenario run``) and **propose as
policy version** (a pending request that a second person approves, see
:mod:`replenlib.governance.policy_requests`).

For the interactive ``03_policy_whatif`` notebook (JupyterLab or Voilà); reports never display
widgets. The store is read once, read-only, at start; only the two buttons write.
"""

from __future__ import annotations

import html
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from replenlib.governance.policy_requests import propose_policy_version
from replenlib.i18n import label
from replenlib.policy.kinds import PolicyType
from replenlib.policy.whatif import (
    WhatIfEngine,
    WhatIfResult,
    WhatIfSegment,
    WhatIfSettings,
    WhatIfTotals,
    proposed_strategy,
    with_base_targets,
)
from replenlib.scenario.whatif import save_scenario, scenario_document
from replenlib.store import reader
from replenlib.store.whatif_views import WhatIfData, load_whatif
from replenlib.viz.whatif import service_by_tier, update_tier_figures, value_by_tier

TIER_ORDER = ("critical", "high", "medium", "low", "run_down")
REVIEW_CHOICES = (1, 7, 14, 28)
#: (key, unit) of the numbers table, in order.
METRICS = (
    ("rows", "count"),
    ("safety_stock_value", "CNY"),
    ("inventory_value", "CNY"),
    ("fill_rate", "fraction"),
    ("stockout_risk", "fraction"),
    ("stockouts_per_year", "rate"),
)

#: Lowest service target a slider offers [fraction]: the default tiers plan at 70–85 %
#: cycle service level, and an analyst must be able to look below them too.
TARGET_FLOOR = 0.5


def format_metric(value: float, unit: str) -> str:
    """How the numbers table shows a value (the browser test compares these strings)."""
    if value != value:  # NaN
        return "–"
    if unit == "CNY":
        return f"¥{value:,.0f}"
    if unit == "fraction":
        return f"{value:.2%}"
    if unit == "rate":
        return f"{value:,.1f}"
    return f"{value:,.0f}"


def totals_row(totals: WhatIfTotals) -> dict[str, float]:
    """The numbers table's values of one set of totals."""
    return {
        "rows": float(totals.n_rows),
        "safety_stock_value": totals.safety_stock_value,
        "inventory_value": totals.inventory_value,
        "fill_rate": totals.fill_rate,
        "stockout_risk": totals.stockout_risk,
        "stockouts_per_year": totals.stockouts_per_year,
    }


class WhatIfExplorer:
    """Controls, numbers and charts over one run (see the module docstring)."""

    def __init__(
        self,
        data: WhatIfData,
        db: Path | str | None = None,
        lang: str = "en",
        scenarios_dir: Path | str | None = None,
    ) -> None:
        import ipywidgets as w
        import plotly.graph_objects as go

        self.data, self.db, self.lang = data, None if db is None else Path(db), lang
        self.scenarios_dir = Path(scenarios_dir) if scenarios_dir else self._default_scenarios_dir()
        self.engine = WhatIfEngine(data.panel)
        self.base_targets = with_base_targets(data.panel)
        self.base = self.engine.recompute(WhatIfSettings())
        self.result: WhatIfResult = self.base
        self.last_seconds = 0.0
        self._labels = {
            name: data.rows[name].to_numpy(dtype=object)
            for name in ("tier", "location_id", "category")
        }
        source = data.rows["source"].fillna("").to_numpy(dtype=object)
        self._labels["supplier"] = np.where(
            np.char.startswith(source.astype(str), "from "), "", source
        )
        self.sliders = self._sliders(w)
        self.lead_time = self._multiplier(w, "wi_lead_time")
        self.demand = self._multiplier(w, "wi_demand")
        self.policy_type = w.Dropdown(
            options=[(label("wi_as_strategy", lang), "")]
            + [(p.value, p.value) for p in PolicyType if p.uses_service_target],
            description=label("wi_policy_type", lang),
            style={"description_width": "initial"},
        )
        days = label("wi_days", lang)
        self.review = w.Dropdown(
            options=[(label("wi_as_strategy", lang), 0)]
            + [(f"{d} {days}", d) for d in REVIEW_CHOICES],
            description=label("wi_review", lang),
            style={"description_width": "initial"},
        )
        self.filters = self._filters(w)
        frame = self.tier_frame()
        self.value_fig = go.FigureWidget(value_by_tier(frame, lang))
        self.service_fig = go.FigureWidget(service_by_tier(frame, lang))
        self.numbers = w.HTML()
        self.status = w.HTML()
        self.message = w.HTML()
        self.scenario_name = w.Text(
            description=label("wi_scenario_name", lang), style={"description_width": "initial"}
        )
        self.author = w.Text(
            description=label("wi_author", lang), style={"description_width": "initial"}
        )
        self.reason = w.Text(
            description=label("wi_reason", lang),
            style={"description_width": "initial"},
            layout={"width": "40em"},
        )
        self.save_button = w.Button(
            description=label("wi_save_scenario", lang), icon="save", layout={"width": "auto"}
        )
        self.propose_button = w.Button(
            description=label("wi_propose", lang),
            icon="check",
            button_style="primary",
            layout={"width": "auto"},
        )
        self.save_button.on_click(lambda _: self.save_as_scenario(self.scenario_name.value))
        self.propose_button.on_click(lambda _: self.propose(self.author.value, self.reason.value))
        recompute = [
            *self.sliders.values(),
            self.lead_time,
            self.demand,
            self.policy_type,
            self.review,
        ]
        for control in recompute:
            control.observe(self._on_change, names="value")
        for control in self.filters.values():
            control.observe(self._on_filter, names="value")
        self.refresh()

    @classmethod
    def from_store(
        cls,
        db: Path | str,
        run_id: str | None = None,
        lang: str = "en",
        scenarios_dir: Path | str | None = None,
    ) -> WhatIfExplorer:
        """Read a run (default: the latest) read-only and build the explorer."""
        with reader(db) as con:
            data = load_whatif(con, run_id)
        return cls(data, db, lang, scenarios_dir)

    def _default_scenarios_dir(self) -> Path:
        return (self.db.parent if self.db is not None else Path()) / "scenarios"

    # ------------------------------------------------------------------ controls
    def _sliders(self, w: Any) -> dict[str, Any]:
        sliders = {}
        measures = dict(zip(self.data.panel.tier, self.data.panel.service_measure, strict=True))
        for tier in [t for t in TIER_ORDER if t in self.base_targets] + sorted(
            set(self.base_targets) - set(TIER_ORDER)
        ):
            short = label(
                "wi_csl" if measures[tier] == "cycle_service_level" else "wi_fill", self.lang
            )
            sliders[tier] = w.FloatSlider(
                value=self.base_targets[tier],
                min=min(TARGET_FLOOR, self.base_targets[tier]),
                max=0.999,
                step=0.001,
                readout_format=".1%",
                continuous_update=False,
                description=f"{label(tier, self.lang)} · {short}",
                style={"description_width": "15em"},
                layout={"width": "38em"},
            )
        return sliders

    def _multiplier(self, w: Any, key: str) -> Any:
        return w.FloatSlider(
            value=1.0,
            min=0.5,
            max=2.0,
            step=0.05,
            readout_format=".2f",
            continuous_update=False,
            description=label(key, self.lang),
            style={"description_width": "15em"},
            layout={"width": "38em"},
        )

    def _filters(self, w: Any) -> dict[str, Any]:
        rows = self.data.rows
        choices = {
            "tier": sorted(
                rows["tier"].dropna().unique(), key=lambda t: ((*TIER_ORDER, t)).index(t)
            ),
            "location": sorted(rows["location_id"].dropna().unique()),
            "category": sorted(rows["category"].dropna().unique()),
            "supplier": sorted(v for v in set(self._labels["supplier"]) if v),
        }
        out = {}
        for key, values in choices.items():
            shown = [label(v, self.lang) if key == "tier" else v for v in values]
            out[key] = w.Dropdown(
                options=[(label("all", self.lang), ""), *list(zip(shown, values, strict=True))],
                description=label(key, self.lang),
                style={"description_width": "initial"},
            )
        return out

    def settings(self) -> WhatIfSettings:
        """The settings the controls show."""
        segment = self.segment()
        chosen = segment.mask(
            self._labels["tier"],
            self._labels["location_id"],
            self._labels["category"],
            self._labels["supplier"],
        )
        policy = self.policy_type.value or None
        review = float(self.review.value) if self.review.value else None
        return WhatIfSettings(
            targets={tier: float(s.value) for tier, s in self.sliders.items()},
            lead_time_scale=float(self.lead_time.value),
            demand_scale=float(self.demand.value),
            policy_type=None if policy is None else PolicyType(policy),
            review_period_days=review,
            selection=None if policy is None and review is None else chosen,
        )

    def segment(self) -> WhatIfSegment:
        """The segment the filters select."""
        return WhatIfSegment(**{key: str(control.value) for key, control in self.filters.items()})

    # ------------------------------------------------------------------ updates
    def _on_change(self, *_: object) -> None:
        self.recompute()
        self.refresh()

    def _on_filter(self, *_: object) -> None:
        if self.policy_type.value or self.review.value:
            self.recompute()  # the policy choice applies to the segment
        self.refresh()

    def recompute(self) -> WhatIfResult:
        """Recompute every row under the controls; remember how long it took."""
        start = time.perf_counter()
        self.result = self.engine.recompute(self.settings())
        self.last_seconds = time.perf_counter() - start
        return self.result

    def mask(self) -> np.ndarray:
        """Rows of the segment shown."""
        return self.segment().mask(
            self._labels["tier"],
            self._labels["location_id"],
            self._labels["category"],
            self._labels["supplier"],
        )

    def tier_frame(self) -> pd.DataFrame:
        """Per tier of the segment: inventory value, fill rate and stockout risk, base and now."""
        mask = self.mask() if hasattr(self, "filters") else np.ones(len(self.data.rows), bool)
        rows = []
        for tier in [t for t in TIER_ORDER if t in set(self._labels["tier"])]:
            part = mask & (self._labels["tier"] == tier)
            if not part.any():
                continue
            base, now = self.base.totals(part), self.result.totals(part)
            rows.append(
                {
                    "tier": tier,
                    "base_inventory_value": base.inventory_value,
                    "now_inventory_value": now.inventory_value,
                    "base_fill_rate": base.fill_rate,
                    "now_fill_rate": now.fill_rate,
                    "base_stockout_risk": base.stockout_risk,
                    "now_stockout_risk": now.stockout_risk,
                }
            )
        return pd.DataFrame(rows)

    def refresh(self) -> None:
        """Numbers and charts of the segment from the last recompute."""
        mask = self.mask()
        self.numbers.value = self.numbers_html(self.base.totals(mask), self.result.totals(mask))
        update_tier_figures(self.value_fig, self.service_fig, self.tier_frame(), self.lang)
        text = label("wi_recomputed", self.lang).format(
            n=f"{len(mask):,}", ms=f"{self.last_seconds * 1e3:.0f}"
        )
        self.status.value = f'<span class="replen-wi-status">{html.escape(text)}</span>'

    def numbers_html(self, base: WhatIfTotals, now: WhatIfTotals) -> str:
        """The numbers table (``data-key`` names each metric for tests and styling)."""
        lang = self.lang
        head = "".join(
            f"<th>{html.escape(label(k, lang))}</th>"
            for k in ("wi_metric", "wi_base", "wi_now", "wi_change")
        )
        body = []
        before, after = totals_row(base), totals_row(now)
        for key, unit in METRICS:
            change = after[key] - before[key]
            shown = format_metric(change, unit) if unit != "fraction" else f"{change * 100:+.2f} pp"
            body.append(
                f"<tr><td>{html.escape(label('wi_' + key, lang))}</td>"
                f'<td class="replen-wi-base" data-key="{key}">{format_metric(before[key], unit)}</td>'
                f'<td class="replen-wi-now" data-key="{key}"><b>{format_metric(after[key], unit)}</b></td>'
                f'<td class="replen-wi-change" data-key="{key}">{html.escape(shown)}</td></tr>'
            )
        return f'<table class="replen-wi-numbers"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'

    # ------------------------------------------------------------------ keeping a result
    def save_as_scenario(self, name: str) -> Path | None:
        """Write the what-if as a scenario file; show where (or why not)."""
        try:
            document = scenario_document(
                name, "", self.settings(), self.segment(), self.base_targets
            )
            path = save_scenario(document, self.scenarios_dir)
        except Exception as exc:  # shown to the analyst, not raised into the notebook
            self._say(label("wi_error", self.lang).format(error=exc))
            return None
        self._say(label("wi_saved", self.lang).format(path=path))
        return path

    def propose(self, author: str, reason: str) -> int | None:
        """Store the what-if's strategy as a pending policy version request."""
        try:
            if self.db is None:
                raise ValueError("this explorer has no store to write to")
            settings, segment = self.settings(), self.segment()
            rows = segment.mask(
                self._labels["tier"],
                self._labels["location_id"],
                self._labels["category"],
                self._labels["supplier"],
            )
            rows &= np.isin(
                self.data.panel.policy_type, [p.value for p in PolicyType if p.uses_service_target]
            )
            assumptions = f" (assumes lead time ×{settings.lead_time_scale:g}, demand ×{settings.demand_scale:g})"
            why = reason + (
                assumptions
                if (settings.lead_time_scale, settings.demand_scale) != (1.0, 1.0)
                else ""
            )
            strategy = proposed_strategy(
                self.data.strategy,
                settings,
                segment,
                self.data.rows["item_id"].to_numpy(dtype=object)[rows],
                self.data.rows["location_id"].to_numpy(dtype=object)[rows],
                why or "what-if",
            )
            request = propose_policy_version(
                self.db,
                strategy,
                author=author,
                reason=why,
                based_on_version=int(self.data.run["policy_version"]),  # type: ignore[call-overload]
            )
        except Exception as exc:  # shown to the analyst, not raised into the notebook
            self._say(label("wi_error", self.lang).format(error=exc))
            return None
        self._say(label("wi_proposed", self.lang).format(id=request, author=author))
        return request

    def _say(self, text: str) -> None:
        self.message.value = f'<p class="replen-wi-message">{html.escape(text)}</p>'

    # ------------------------------------------------------------------ layout
    def widget(self) -> Any:
        """The explorer as one ipywidgets box (display it as a cell's last expression)."""
        import ipywidgets as w

        lang = self.lang

        def heading(key: str) -> Any:
            return w.HTML(f"<b>{html.escape(label(key, lang))}</b>")

        controls = w.VBox(
            [
                heading("wi_targets"),
                *self.sliders.values(),
                heading("wi_assumptions"),
                self.lead_time,
                self.demand,
                heading("wi_policy_choice"),
                w.HBox([self.policy_type, self.review]),
            ]
        )
        filters = w.VBox([heading("wi_selection"), w.HBox(list(self.filters.values()))])
        keep = w.VBox(
            [
                w.HBox([self.scenario_name, self.save_button]),
                w.HBox([self.author, self.reason, self.propose_button]),
                self.message,
            ]
        )
        return w.VBox(
            [
                w.HBox([controls, w.VBox([self.numbers, self.status])]),
                filters,
                w.HBox([self.value_fig, self.service_fig]),
                keep,
            ]
        )
