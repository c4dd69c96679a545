"""The planning board: data loading and filters, widgets enforcing the approval rules, notebook
hygiene, and the rendered planning and KPI reports (offline, with alerts and approvals)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from replenlib.pipeline.nightly import run_nightly
from replenlib.plan.approval import Decision
from replenlib.reports import planning_board as board
from replenlib.reports.kpi_report import alerts_and_approvals, load_governance
from replenlib.reports.render import external_resources
from replenlib.reports.runner import render_report
from tests.plan_store import build_store

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "06_planning_board.ipynb"


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = build_store(tmp_path_factory.mktemp("board") / "base.duckdb")
    run_nightly(db)
    return db


def test_board_loads_and_filters(planned: Path) -> None:
    data = board.load(planned)
    assert len(data.proposals) == 4 and len(data.pending) == 4
    assert list(data.proposals["urgency"][:2]) == ["critical", "critical"]
    dc1 = board.filter_board(data, location="DC1")
    assert set(dc1.proposals["location_id"]) == {"DC1"}
    assert set(dc1.projection["location_id"]) <= {"DC1"}
    assert set(dc1.alerts["location_id"].dropna()) <= {"DC1"}
    dc2 = board.filter_board(data, supplier="DC2")  # the source of the idle-stock transfer
    assert dc2.proposals[["item_id", "location_id"]].values.tolist() == [["I1", "DC1"]]
    s3 = board.filter_board(data, supplier="S3")
    assert s3.proposals.empty and set(s3.rolling["supplier_id"]) == {"S3"}
    summary = board.rolling_by_supplier(data.rolling)
    assert summary["change_vs_previous"].isna().all()  # a first plan has nothing to compare
    assert board.chart_keys(data, 2) == [("I2", "CW"), ("I1", "DC1")]


def test_widgets_apply_the_same_approval_rules(planned: Path, tmp_path: Path) -> None:
    from replenlib.widgets.planning import ApprovalPanel, FilterPanel

    db = Path(shutil.copy(planned, tmp_path / "w.duckdb"))
    data = board.load(db)
    drawn: list[dict[str, str]] = []
    panel = FilterPanel(board.filter_choices(data), lambda **f: drawn.append(f) or [])
    panel._dropdowns["location"].value = "CW"
    assert drawn[-1] == {"location": "CW", "supplier": "", "tier": ""}
    approvals = ApprovalPanel(db, list(data.pending["proposal_id"]))
    approvals.proposal.value = "P20260329-00001"
    approvals.actor.value = "planner/alice"
    approvals._decide(Decision.APPROVE)
    assert "pending_approval" in approvals.message.value
    approvals.actor.value = "director/alice"
    approvals._decide(Decision.APPROVE)
    assert "refused" in approvals.message.value
    assert "cannot decide on their own request" in approvals.message.value


def test_notebook_is_thin_and_stripped() -> None:
    nb = json.loads(NOTEBOOK.read_text())
    cells = nb["cells"]
    assert all(c.get("id") for c in cells)
    assert [c for c in cells if "parameters" in c["metadata"].get("tags", [])]
    for cell in cells:
        if cell["cell_type"] == "code":
            source = "".join(cell["source"])
            assert not cell["outputs"] and cell["execution_count"] is None
            assert "def " not in source and "class " not in source and "SELECT" not in source
            assert all(
                line.startswith(("from replenlib", "import replenlib"))
                for line in source.splitlines()
                if line.startswith(("import ", "from "))
            )


def test_planning_report_renders_offline(planned: Path, tmp_path: Path) -> None:
    out = render_report("planning", db=planned, out_dir=tmp_path, notebooks=ROOT / "notebooks")
    html = out.read_text(encoding="utf-8")
    assert external_resources(html) == []
    assert html.count("plotly.js v") >= 1
    for text in (
        "Planning board",
        "P20260329-00001",
        "Open alerts",
        "cold_chain_excursion",
        "Projected stock with and without the order",
        "new (no previous plan)",
    ):
        assert text in html, text
    assert "widget-state" not in html  # no ipywidgets in a rendered report


def test_kpi_report_shows_open_alerts_and_pending_approvals(planned: Path, tmp_path: Path) -> None:
    summary = load_governance(planned)
    block = alerts_and_approvals(summary).html
    assert "Open alerts and pending approvals" in block
    assert 'Pending approvals · Awaiting level 1</div><div class="replen-tile-value">4 · ¥' in block
    out = render_report(
        "kpi", db=planned, out_dir=tmp_path, lang="zh", notebooks=ROOT / "notebooks"
    )
    html = out.read_text(encoding="utf-8")
    assert "未关闭预警与待审批" in html and "cold_chain_excursion" in html
