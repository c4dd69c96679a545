"""Data and HTML blocks of the planning board (notebook ``06_planning_board``, ``replen plan``).

:func:`load` reads, in one short read-only session, the latest (or a given) run's proposals
with their approval state, the projected stock curves, open orders and arrivals, open alerts,
pending approvals and the monthly rolling plan — filtered by location, supplier or source, and
tier. The notebook shows the frames through the blocks here and the figures of
:mod:`replenlib.viz.plan`; the CLI prints the same frames.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from replenlib.errors import ReplenError
from replenlib.governance.alerts import open_alerts
from replenlib.governance.approvals import pending_approvals
from replenlib.governance.sql import one
from replenlib.i18n import label
from replenlib.reports.html import STYLE, HtmlBlock, esc, table
from replenlib.store import reader

URGENCY_ORDER = {"critical": 0, "high": 1, "normal": 2}


@dataclass(frozen=True)
class PlanningBoardData:
    """Everything the planning board shows (frames filtered alike)."""

    run: dict[str, object]
    proposals: pd.DataFrame  #: proposals with status, approval level and reasons, names, tier
    projection: pd.DataFrame  #: item_id, location_id, day, stock_without/with_order, levels
    arrivals: pd.DataFrame  #: open orders and open proposals: item, location, due, quantity, what
    alerts: pd.DataFrame  #: unresolved alerts
    pending: pd.DataFrame  #: proposals awaiting a decision
    rolling: pd.DataFrame  #: rolling plan rows of the run
    locations: list[str]
    suppliers: list[str]
    tiers: list[str]


_PROPOSALS_SQL = """
SELECT p.proposal_id, p.run_id, p.item_id, i.description, p.location_id, l.name AS location_name,
       p.kind, coalesce(p.supplier_id, p.source_location_id) AS source, p.supplier_id,
       p.source_location_id, p.quantity, p.order_value, p.order_date, p.expected_arrival,
       p.inventory_position, p.reorder_point, p.urgency, p.urgency_score, p.reason, p.status,
       c.required_level, c.approval_reasons, c.requested_by, c.expires_on, c.policy_version,
       t.tier, t.safety_stock, t.order_up_to
FROM proposals p JOIN proposal_controls c USING (proposal_id)
JOIN items i USING (item_id) JOIN locations l USING (location_id)
LEFT JOIN policy_parameters t ON t.run_id = ? AND t.item_id = p.item_id
     AND t.location_id = p.location_id
WHERE (p.run_id = ? OR (? AND p.status IN ('proposed', 'pending_approval', 'approved')))
ORDER BY p.urgency_score DESC, p.order_value DESC
"""


def load(
    db: str | Path,
    run_id: str | None = None,
    *,
    location: str = "",
    supplier: str = "",
    tier: str = "",
    open_only: bool = True,
) -> PlanningBoardData:
    """Read the board for ``run_id`` (default: the latest run), filtered as given.

    ``open_only`` keeps proposals that still await a decision or an export (from any run);
    otherwise all of the run's proposals are shown whatever their status.
    """
    with reader(db) as con:
        run = _run(con, run_id)
        rid = str(run["run_id"])
        proposals = con.execute(_PROPOSALS_SQL, [rid, rid, open_only]).df()
        if open_only:
            proposals = proposals[
                proposals["status"].isin(["proposed", "pending_approval", "approved"])
            ]
        data = PlanningBoardData(
            run=run,
            proposals=proposals.reset_index(drop=True),
            projection=con.execute(
                "SELECT * EXCLUDE (run_id) FROM plan_projection WHERE run_id = ? "
                "ORDER BY item_id, location_id, day",
                [rid],
            ).df(),
            arrivals=_arrivals(con, run["as_of_date"]),
            alerts=open_alerts(con),
            pending=pending_approvals(con),
            rolling=con.execute(
                "SELECT * EXCLUDE (run_id) FROM rolling_plan WHERE run_id = ? ORDER BY item_id, period",
                [rid],
            ).df(),
            locations=[
                r[0] for r in con.execute("SELECT location_id FROM locations ORDER BY 1").fetchall()
            ],
            suppliers=[
                r[0] for r in con.execute("SELECT supplier_id FROM suppliers ORDER BY 1").fetchall()
            ],
            tiers=["critical", "high", "medium", "low"],
        )
    return filter_board(data, location=location, supplier=supplier, tier=tier)


def _run(con: duckdb.DuckDBPyConnection, run_id: str | None) -> dict[str, object]:
    sql = "SELECT run_id, as_of_date, policy_version, n_series, n_proposals FROM runs " + (
        "WHERE run_id = ?" if run_id else "ORDER BY started_at DESC LIMIT 1"
    )
    row = one(con.execute(sql, [run_id] if run_id else []))
    if row is None:
        raise ReplenError(
            f"no run {run_id} in the store"
            if run_id
            else "the store has no pipeline run yet: run `replen run` first"
        )
    keys = ("run_id", "as_of_date", "policy_version", "n_series", "n_proposals")
    return dict(zip(keys, row, strict=True))


def _arrivals(con: duckdb.DuckDBPyConnection, as_of: object) -> pd.DataFrame:
    return con.execute(
        """
        SELECT item_id, location_id, confirmed_date AS due, quantity - quantity_received AS quantity,
               'PO ' || po_id AS what, supplier_id AS source
        FROM purchase_orders WHERE status = 'open' AND order_date <= ?::DATE
        UNION ALL
        SELECT item_id, location_id, expected_arrival, quantity, proposal_id || ' (' || status || ')',
               coalesce(supplier_id, source_location_id)
        FROM proposals WHERE status IN ('proposed', 'pending_approval', 'approved')
        ORDER BY due
        """,
        [as_of],
    ).df()


def filter_board(
    data: PlanningBoardData, *, location: str = "", supplier: str = "", tier: str = ""
) -> PlanningBoardData:
    """The same board restricted to a location, a supplier (or source location) and a tier."""
    p = data.proposals
    keep = pd.Series(True, index=p.index)
    if location:
        keep &= p["location_id"] == location
    if supplier:
        keep &= p["source"] == supplier
    if tier:
        keep &= p["tier"] == tier
    proposals = p[keep].reset_index(drop=True)
    keys = set(zip(proposals["item_id"], proposals["location_id"], strict=True))
    if not (location or supplier or tier):
        return data
    in_keys = [
        (i, loc) in keys
        for i, loc in zip(data.projection["item_id"], data.projection["location_id"], strict=True)
    ]
    arrivals_in = [
        (i, loc) in keys
        for i, loc in zip(data.arrivals["item_id"], data.arrivals["location_id"], strict=True)
    ]
    alerts = data.alerts
    if location:
        alerts = alerts[alerts["location_id"].isna() | (alerts["location_id"] == location)]
    if supplier:
        alerts = alerts[alerts["supplier_id"].isna() | (alerts["supplier_id"] == supplier)]
    rolling = data.rolling[data.rolling["supplier_id"] == supplier] if supplier else data.rolling
    pending = data.pending[data.pending["proposal_id"].isin(proposals["proposal_id"])]
    return PlanningBoardData(
        run=data.run,
        proposals=proposals,
        projection=data.projection[in_keys].reset_index(drop=True),
        arrivals=data.arrivals[arrivals_in].reset_index(drop=True),
        alerts=alerts.reset_index(drop=True),
        pending=pending.reset_index(drop=True),
        rolling=rolling.reset_index(drop=True),
        locations=data.locations,
        suppliers=data.suppliers,
        tiers=data.tiers,
    )


def proposal_lines(proposals: pd.DataFrame) -> pd.DataFrame:
    """Proposals as a compact text table (CLI and HTML)."""
    return pd.DataFrame(
        {
            "proposal": proposals["proposal_id"],
            "item": proposals["item_id"],
            "location": proposals["location_id"],
            "kind": proposals["kind"],
            "source": proposals["source"].fillna(""),
            "quantity": [f"{q:,.0f}" for q in proposals["quantity"]],
            "value_cny": [f"{v:,.0f}" for v in proposals["order_value"]],
            "arrival": [f"{pd.Timestamp(d):%Y-%m-%d}" for d in proposals["expected_arrival"]],
            "urgency": proposals["urgency"],
            "status": proposals["status"],
            "level": proposals["required_level"],
            "why_level_2": proposals["approval_reasons"].fillna(""),
            "reason": proposals["reason"],
        }
    )


def alert_lines(alerts: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """Alerts as a compact text table (severity in ``lang``)."""
    return pd.DataFrame(
        {
            "alert": alerts["alert_id"],
            "severity": [label(str(s), lang) for s in alerts["severity"]],
            "kind": alerts["kind"],
            "owner": alerts["owner_role"],
            "subject": alerts["subject"],
            "since": [f"{pd.Timestamp(d):%Y-%m-%d}" for d in alerts["raised_at"]],
            "seen": alerts["times_seen"],
            "status": alerts["status"],
            "message": alerts["message"],
        }
    )


def rolling_by_supplier(rolling: pd.DataFrame) -> pd.DataFrame:
    """Planned receipts, spend and change against the previous plan per supplier and month
    (NaN change where the previous plan did not cover the month: a first plan)."""
    if rolling.empty:
        return rolling
    frame = rolling.assign(
        supplier=rolling["supplier_id"].fillna("(in-house)"),
        month=pd.to_datetime(rolling["period"]).dt.strftime("%Y-%m"),
    )
    frame["change"] = frame["change_planned_receipts"].where(
        frame["previous_planned_receipts"].notna()
    )
    grouped = frame.groupby(["supplier", "month"], as_index=False).agg(
        planned_receipts=("planned_receipts", "sum"),
        planned_spend=("planned_spend", "sum"),
        change_vs_previous=("change", lambda c: c.sum(min_count=1)),
    )
    return grouped.sort_values(["supplier", "month"]).reset_index(drop=True)


def header(data: PlanningBoardData, lang: str = "en") -> HtmlBlock:
    """Title with run, planning day and policy version, and counts."""
    run = data.run
    facts = [
        (label("run", lang), run["run_id"]),
        (label("as_of", lang), run["as_of_date"]),
        (label("policy_version", lang), f"v{run['policy_version']}"),
        (label("open_proposals", lang), f"{len(data.proposals):,}"),
        (label("pending_approvals", lang), f"{len(data.pending):,}"),
        (label("open_alerts", lang), f"{len(data.alerts):,}"),
    ]
    items = "".join(f"<span><b>{esc(k)}</b> {esc(v)}</span>" for k, v in facts)
    return HtmlBlock(
        f'{STYLE}<header class="replen-header"><h1>{esc(label("planning_board_title", lang))}</h1>'
        f'<div class="replen-facts">{items}</div></header>'
    )


def proposals_block(data: PlanningBoardData, lang: str = "en", n: int = 30) -> HtmlBlock:
    """The most urgent proposals: what, from where, how much, when, status and approval level,
    and why (including why a second approval is needed)."""
    title = HtmlBlock(f"<h2>{esc(label('proposals_by_urgency', lang))}</h2>")
    if data.proposals.empty:
        return title + HtmlBlock(f"<p>{esc(label('no_proposals', lang))}</p>")
    p = data.proposals.head(n)
    second = [
        f" — L2: {r.replace(';', ', ')}" if r else "" for r in p["approval_reasons"].fillna("")
    ]
    rows = pd.DataFrame(
        {
            "proposal": p["proposal_id"],
            "item": p["item_id"] + " @ " + p["location_id"],
            "source": p["source"].fillna(""),
            "quantity": [f"{q:,.0f}" for q in p["quantity"]],
            "value_cny": [f"{v:,.0f}" for v in p["order_value"]],
            "arrival": [f"{pd.Timestamp(d):%Y-%m-%d}" for d in p["expected_arrival"]],
            "urgency": [label(u, lang) for u in p["urgency"]],
            "status": [
                f"{s} (L{int(lvl)})"
                for s, lvl in zip(p["status"], p["required_level"], strict=True)
            ],
            "reason": [f"{r}{x}" for r, x in zip(p["reason"], second, strict=True)],
        }
    )
    return title + table(rows, [label(f"col_{c}", lang) for c in rows.columns])


def alerts_block(data: PlanningBoardData, lang: str = "en", n: int = 30) -> HtmlBlock:
    """Open alerts, most severe first, with owner and suggested action."""
    title = HtmlBlock(f"<h2>{esc(label('open_alerts', lang))}</h2>")
    if data.alerts.empty:
        return title + HtmlBlock(f"<p>{esc(label('no_alerts', lang))}</p>")
    a = data.alerts.head(n)
    rows = alert_lines(a, lang).assign(action=a["suggested_action"].to_numpy())
    return title + table(rows, [label(f"col_{c}", lang) for c in rows.columns])


def rolling_block(data: PlanningBoardData, lang: str = "en", n: int = 24) -> HtmlBlock:
    """Per supplier and month: planned receipts, spend and the change against the last plan."""
    title = HtmlBlock(f"<h2>{esc(label('rolling_plan', lang))}</h2>")
    summary = rolling_by_supplier(data.rolling)
    if summary.empty:
        return title + HtmlBlock(f"<p>{esc(label('na', lang))}</p>")
    order = summary["change_vs_previous"].abs().fillna(summary["planned_spend"] * 0 - 1)
    moved = summary.loc[order.sort_values(ascending=False, kind="stable").index]
    rows = moved.head(n).assign(
        planned_receipts=lambda f: [f"{v:,.0f}" for v in f["planned_receipts"]],
        planned_spend=lambda f: [f"{v:,.0f}" for v in f["planned_spend"]],
        change_vs_previous=lambda f: [
            label("first_plan", lang) if pd.isna(v) else f"{v:+,.0f}"
            for v in f["change_vs_previous"]
        ],
    )
    return title + table(rows, [label(f"col_{c}", lang) for c in rows.columns])


def chart_keys(data: PlanningBoardData, n: int = 4) -> list[tuple[str, str]]:
    """The (item_id, location_id) of the ``n`` most urgent proposals that have a projection."""
    projected = set(zip(data.projection["item_id"], data.projection["location_id"], strict=True))
    keys: list[tuple[str, str]] = []
    for item, loc in zip(data.proposals["item_id"], data.proposals["location_id"], strict=True):
        if (item, loc) in projected and (item, loc) not in keys:
            keys.append((item, loc))
    return keys[:n]


def filter_choices(data: PlanningBoardData) -> dict[str, list[str]]:
    """Filter values for the interactive board: locations, suppliers and tiers."""
    return {"location": data.locations, "supplier": data.suppliers, "tier": data.tiers}


def renderer(
    data: PlanningBoardData, lang: str = "en", n_charts: int = 4
) -> Callable[..., list[object]]:
    """A function of ``location=, supplier=, tier=`` returning the board's blocks and figures
    for that filter (what the interactive panel redraws)."""
    from replenlib.viz import plan as plots

    def render(location: str = "", supplier: str = "", tier: str = "") -> list[object]:
        view = filter_board(data, location=location, supplier=supplier, tier=tier)
        return [
            proposals_block(view, lang),
            plots.projected_stock(view.projection, view.arrivals, chart_keys(view, n_charts), lang),
            alerts_block(view, lang),
            rolling_block(view, lang),
        ]

    return render
