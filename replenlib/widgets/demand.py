"""The demand explorer: pick a segment and an item-location, see its history, fit, forecast,
class, method, backtest scores and lead-time demand (ipywidgets, for the interactive
``02_demand`` notebook only — report rendering never displays widgets).

Every change opens the store read-only for a moment (:func:`replenlib.store.reader`) and closes
it again, so an open explorer never blocks the nightly run.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from replenlib.i18n import label
from replenlib.store import demand_views, reader
from replenlib.viz.demand import demand_forecast, lead_time_demand_chart

ALL = ""


class DemandExplorer:
    """Segment filters, a series picker and an output area over one run's demand results."""

    def __init__(self, db: str | Path, run_id: str | None = None, lang: str = "en") -> None:
        import ipywidgets as w

        self.db, self.lang = Path(db), lang
        with reader(self.db) as con:
            self.run = demand_views.run_row(con, run_id)
            self.overview = demand_views.overview(con, str(self.run["run_id"]))
        self.demand_class = w.Dropdown(
            options=[(label("all", lang), ALL), *_options(self.overview["demand_class"], lang)],
            description=label("demand_class", lang),
        )
        self.abc = w.Dropdown(
            options=[(label("all", lang), ALL)] + [(c, c) for c in ("A", "B", "C")],
            description=label("abc_value", lang),
        )
        self.series = w.Dropdown(description=label("series_pick", lang), layout={"width": "40em"})
        self.output = w.Output()
        for control in (self.demand_class, self.abc):
            control.observe(self._refilter, names="value")
        self.series.observe(self._show, names="value")
        self._refilter()

    def widget(self) -> Any:
        """The explorer as one ipywidgets box (display it as a cell's last expression)."""
        import ipywidgets as w

        return w.VBox([w.HBox([self.demand_class, self.abc]), self.series, self.output])

    def candidates(self) -> pd.DataFrame:
        """Item-locations of the selected segment, most valuable first."""
        part = self.overview
        if self.demand_class.value:
            part = part[part["demand_class"] == self.demand_class.value]
        if self.abc.value:
            part = part[part["abc_value"] == self.abc.value]
        return part

    def _refilter(self, *_: object) -> None:
        part = self.candidates().head(500)
        self.series.options = [
            (f"{r.item_id} @ {r.location_id} — {r.description}", f"{r.item_id}@{r.location_id}")
            for r in part.itertuples()
        ]
        self._show()

    def _show(self, *_: object) -> None:
        from IPython.display import display as ipython_display

        display: Callable[..., None] = ipython_display

        self.output.clear_output(wait=True)
        if not self.series.value:
            return
        item, location = str(self.series.value).split("@", 1)
        keys = pd.DataFrame({"item_id": [item], "location_id": [location]})
        with reader(self.db) as con:
            (view,) = demand_views.series_views(con, self.run, self.overview, keys, self.lang)
        with self.output:
            display(
                demand_forecast(view.history, view.fitted, view.forecast, view.title, self.lang)
            )
            display(view.row.to_frame(label("value_column", self.lang)))
            if isinstance(view.row.get("family"), str):
                display(lead_time_demand_chart(view.row, self.lang))


def _options(values: pd.Series, lang: str) -> list[tuple[str, str]]:
    return [(label(str(v), lang), str(v)) for v in sorted(values.dropna().unique())]
