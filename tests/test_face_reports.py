"""Reports: every KPI of the issue with its formula, the stamp on every report, one catalogue.

The rendered reports come from the session fixture ``rendered_reports`` (conftest).
"""

from __future__ import annotations

import html as html_lib
import re
from pathlib import Path

import pytest

from replenlib.i18n import _LABELS, LANGUAGES, label
from replenlib.kpi import definitions as k
from replenlib.reports.html import format_value
from replenlib.reports.runner import report_stamp
from replenlib.store import reader

#: The KPIs the issue asks the KPI report for, in its words' order.
ISSUE_KPIS = (
    "stockout_rate",
    "fill_rate",
    "inventory_days",
    "on_time_delivery_rate",
    "quality_pass_rate",
    "unit_cost",
    "expiry_write_off",
    "compliance_events",
    "lot_trace_success_rate",
)


def test_every_issue_kpi_is_shown_with_its_formula_and_value(
    rendered_reports: dict[tuple[str, str], Path], small_store: Path
) -> None:
    page = rendered_reports[("kpi", "en")].read_text(encoding="utf-8")
    with reader(small_store) as con:
        values = dict(con.execute("SELECT kpi, value FROM run_kpis WHERE scope = 'all'").fetchall())
    for name in ISSUE_KPIS:
        definition = k.KPIS[name]
        assert label(name, "en") in page, name
        assert html_lib.escape(definition.formula, quote=True) in page, f"formula of {name}"
        assert format_value(values[name], definition.unit) in page, f"value of {name}"


def test_cost_and_compliance_kpis_follow_their_definitions(small_store: Path) -> None:
    with reader(small_store) as con:
        run_id, as_of = con.execute("SELECT run_id, as_of_date FROM runs").fetchall()[0]
        got = {
            (kpi, scope): value
            for kpi, scope, value in con.execute(
                "SELECT kpi, scope, value FROM run_kpis WHERE run_id = ?", [run_id]
            ).fetchall()
        }
        since = "date_diff('day', {col}, ?::DATE) BETWEEN 0 AND 364"
        spent, units = con.execute(
            "SELECT sum(r.quantity * p.unit_price), sum(r.quantity) FROM receipts r "
            f"JOIN purchase_orders p USING (po_id, po_line) WHERE {since.format(col='r.receipt_date')}",
            [as_of],
        ).fetchall()[0]
        failed = con.execute(
            f"SELECT count(*) FROM inspections WHERE result = 'failed' AND {since.format(col='inspection_date')}",
            [as_of],
        ).fetchall()[0][0]
        recalls = con.execute(
            f"SELECT count(*) FROM recalls WHERE {since.format(col='announced_date')}", [as_of]
        ).fetchall()[0][0]
    assert got[("unit_cost", "all")] == pytest.approx(spent / units, rel=1e-12)
    assert got[("compliance_events", "kind=failed_inspections")] == failed > 0
    assert got[("compliance_events", "kind=recalls")] == recalls == 1  # the demo's one recall
    assert got[("compliance_events", "all")] == pytest.approx(
        sum(v for (kpi, scope), v in got.items() if kpi == "compliance_events" and scope != "all")
    )
    assert got[("expiry_write_off", "all")] >= 0


def test_pure_kpi_functions_on_hand_examples() -> None:
    assert k.unit_cost([10, 30], [2.0, 4.0]) == pytest.approx((20 + 120) / 40)
    assert k.unit_cost([], []) != k.unit_cost([], [])  # nan: no receipts, no unit cost
    assert k.expiry_write_off([3, 4], [10.0, 0.5]) == 32.0
    assert k.compliance_events(1, 2, 3) == 6.0


def test_every_report_is_stamped_with_run_freshness_and_policy_version(
    rendered_reports: dict[tuple[str, str], Path], small_store: Path
) -> None:
    with reader(small_store) as con:
        run_id, version = con.execute("SELECT run_id, policy_version FROM runs").fetchall()[0]
        fresh = con.execute("SELECT max(demand_date) FROM demand_history").fetchall()[0][0]
    for (name, lang), path in rendered_reports.items():
        stamp = report_stamp(small_store.resolve(), None, lang)
        assert run_id in stamp and f"v{version}" in stamp and str(fresh) in stamp
        page = path.read_text(encoding="utf-8")
        assert f'<p class="replen-stamp">{html_lib.escape(stamp)}</p>' in page, (name, lang)


def test_every_label_has_both_languages() -> None:
    assert LANGUAGES == ("en", "zh")
    for key, (english, chinese) in _LABELS.items():
        assert english.strip() and chinese.strip(), key
        if re.search(r"[A-Za-z]{3}", english) and english not in ("RMSSE", "MASE"):
            assert re.search(r"[\u4e00-\u9fff]", chinese), (
                f"{key}: the Chinese label has no Chinese"
            )
