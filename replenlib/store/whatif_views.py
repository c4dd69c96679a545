r"""Read a run's policy inputs as a :class:`~replenlib.policy.whatif.WhatIfPanel`.

One short read-only query per call (open the connection with :func:`replenlib.store.reader`).
The panel reproduces the run's lead-time demand: its daily rate and standard deviation are
backed out of the stored protection-interval moments (:math:`\mu_P`, :math:`\sigma_P` of
``lead_time_demand``) as

.. math::

    d = \frac{\mu_P}{L + R},\qquad
    \sigma_d^2 = \frac{\max(\sigma_P^2 - d^2\sigma_L^2,\ 0)}{L + R},

so that :func:`replenlib.policy.service.cycle_demand` gives back :math:`\mu_P` and
:math:`\sigma_P` at the base settings (rows without a stored distribution use the run's
forecast). Empirical (bootstrap) rows are moment-matched as gamma, as the policy layer does
for reorder points; their levels can differ from the run's by a few units.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from replenlib.errors import ReplenError
from replenlib.policy.expiry import AGE_AT_RECEIPT_DAYS
from replenlib.policy.strategy import Strategy, Tier
from replenlib.policy.whatif import WhatIfPanel

_SQL = """
WITH primary_supplier AS (
    SELECT * FROM (
        SELECT s.*, row_number() OVER (PARTITION BY s.item_id ORDER BY s.priority, s.supplier_id)
               AS rank
        FROM item_supplier s JOIN suppliers USING (supplier_id)
        WHERE suppliers.qualification_status <> 'blocked'
    ) WHERE rank = 1
)
SELECT p.item_id, p.location_id, i.description, i.category, l.name AS location_name,
       coalesce(p.supplier_id, 'from ' || p.source_location_id) AS source,
       p.tier, p.policy_type, p.service_measure, coalesce(p.service_target, 0.5) AS service_target,
       p.review_period_days, p.lead_time_mean_days, p.lead_time_std_days, p.unit_cost,
       f.mean_daily, f.std_daily, d.family, d.mean AS ltd_mean, d.std AS ltd_std,
       CASE WHEN p.source_location_id IS NULL THEN coalesce(s.moq, 1) ELSE 1 END AS moq,
       CASE WHEN p.source_location_id IS NULL THEN coalesce(s.order_multiple, 1) ELSE 1 END
           AS order_multiple,
       i.shelf_life_days, coalesce(i.min_remaining_shelf_life_days, 0) AS min_remaining,
       p.safety_stock, p.reorder_point, p.order_up_to
FROM policy_parameters p
JOIN items i USING (item_id)
JOIN locations l USING (location_id)
JOIN forecasts f USING (run_id, item_id, location_id)
LEFT JOIN lead_time_demand d USING (run_id, item_id, location_id)
LEFT JOIN primary_supplier s ON s.item_id = p.item_id
WHERE p.run_id = ?
ORDER BY p.item_id, p.location_id
"""


@dataclass(frozen=True)
class WhatIfData:
    """A run's what-if panel with the labels the widget filters and shows."""

    run: dict[str, object]
    rows: pd.DataFrame  #: item_id, location_id, description, category, location_name, source, tier
    panel: WhatIfPanel
    strategy: Strategy  #: the policy version the run planned with


def load_whatif(con: duckdb.DuckDBPyConnection, run_id: str | None = None) -> WhatIfData:
    """The what-if panel of ``run_id`` (default: the latest run)."""
    run = _run(con, run_id)
    frame = con.execute(_SQL, [run["run_id"]]).df()
    if frame.empty:
        raise ReplenError(f"run {run['run_id']} has no policy parameters to explore")
    strategy = _strategy(con, int(run["policy_version"]))  # type: ignore[call-overload]
    labels = frame[
        ["item_id", "location_id", "description", "category", "location_name", "source", "tier"]
    ]
    return WhatIfData(
        run, labels.reset_index(drop=True), panel_from_frame(frame, strategy), strategy
    )


def panel_from_frame(frame: pd.DataFrame, strategy: Strategy) -> WhatIfPanel:
    """Build the panel from the query's columns (module docstring)."""
    lead = frame["lead_time_mean_days"].to_numpy(dtype=np.float64)
    lead_std = frame["lead_time_std_days"].to_numpy(dtype=np.float64)
    review = frame["review_period_days"].to_numpy(dtype=np.float64)
    span = np.maximum(lead + review, 1e-9)
    stored = frame["ltd_mean"].notna().to_numpy()
    mean_p = frame["ltd_mean"].to_numpy(dtype=np.float64, na_value=0.0)
    std_p = frame["ltd_std"].to_numpy(dtype=np.float64, na_value=0.0)
    rate = np.where(stored, mean_p / span, frame["mean_daily"].to_numpy(dtype=np.float64))
    backed = np.sqrt(np.maximum(std_p**2 - rate**2 * lead_std**2, 0.0) / span)
    rate_std = np.where(stored, backed, frame["std_daily"].to_numpy(dtype=np.float64))
    family = frame["family"].fillna("normal").replace({"empirical": "gamma"}).to_numpy(dtype=object)
    shelf = frame["shelf_life_days"].to_numpy(dtype=np.float64, na_value=np.nan)
    tiers = frame["tier"].to_numpy(dtype=object)
    safety = np.array([_safety_days(strategy, t) for t in tiers])
    return WhatIfPanel(
        tier=tiers,
        policy_type=frame["policy_type"].to_numpy(dtype=object),
        service_measure=frame["service_measure"].to_numpy(dtype=object),
        service_target=frame["service_target"].to_numpy(dtype=np.float64),
        review_period_days=review,
        family=family,
        demand_rate=np.maximum(rate, 0.0),
        demand_rate_std=rate_std,
        lead_time_mean=lead,
        lead_time_std=lead_std,
        unit_cost=frame["unit_cost"].to_numpy(dtype=np.float64),
        moq=frame["moq"].to_numpy(dtype=np.float64),
        order_multiple=frame["order_multiple"].to_numpy(dtype=np.float64),
        sellable_days_at_receipt=shelf
        - AGE_AT_RECEIPT_DAYS
        - frame["min_remaining"].to_numpy(dtype=np.float64),
        safety_days=safety,
        ordering_cost=strategy.ordering_cost,
        holding_rate=strategy.holding_rate,
    )


def _safety_days(strategy: Strategy, tier: object) -> float:
    try:
        return strategy.rule(Tier(str(tier))).safety_days
    except (KeyError, ValueError):
        return 14.0


def _run(con: duckdb.DuckDBPyConnection, run_id: str | None) -> dict[str, object]:
    sql = "SELECT * FROM runs " + (
        "WHERE run_id = ?" if run_id else "ORDER BY started_at DESC LIMIT 1"
    )
    frame = con.execute(sql, [run_id] if run_id else []).df()
    if frame.empty:
        raise ReplenError(
            f"no run {run_id} in the store"
            if run_id
            else "the store has no pipeline run yet: run `replen run` first"
        )
    return {str(k): v for k, v in frame.iloc[0].to_dict().items()}


def _strategy(con: duckdb.DuckDBPyConnection, version: int) -> Strategy:
    rows = con.execute(
        "SELECT CAST(body AS VARCHAR) FROM policy_versions WHERE version_id = ?", [version]
    ).fetchall()
    return Strategy.from_json(rows[0][0]) if rows else Strategy()
