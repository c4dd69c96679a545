"""Every notebook in notebooks/: thin and clean in git, and it runs on the small demo.

Hygiene (no kernel): outputs stripped, cell ids set, one cell tagged ``parameters`` with
typed defaults (``name: type = value``), imports only from replenlib, no ``def``/``class``
and no SQL, numbered by purpose. Execution: analyst notebooks run under papermill with the
small store injected; report notebooks are the rendered reports of the session
(``rendered_reports`` in conftest, through :func:`replenlib.reports.runner.render_report`).
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from replenlib.reports.runner import REPORTS

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
NAME = re.compile(r"0[1-9]_[a-z0-9_]+\.ipynb")
SQL = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE)\b.+\b(FROM|INTO|SET)\b|\.execute\(", re.I | re.S)
REPORT_FILES = set(REPORTS.values())


def _cells(path: Path) -> list[dict[str, object]]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]  # type: ignore[no-any-return]


def _source(cell: dict[str, object]) -> str:
    text = cell["source"]
    return "".join(text) if isinstance(text, list) else str(text)


def test_there_are_notebooks_for_every_purpose_so_far() -> None:
    names = [p.name for p in NOTEBOOKS]
    assert "03_policy_whatif.ipynb" in names and "07_kpi_report.ipynb" in names
    assert all(NAME.fullmatch(n) for n in names), names
    assert len({n[:2] for n in names}) == len(names), "two notebooks share a number"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stripped_and_thin(path: Path) -> None:
    cells = _cells(path)
    assert all(c.get("id") for c in cells), "every cell needs an id (nbformat 4.5)"
    code = [c for c in cells if c["cell_type"] == "code"]
    for cell in code:
        assert cell.get("outputs") == [] and cell.get("execution_count") is None, (
            "outputs not stripped"
        )
    tagged = [c for c in code if "parameters" in c.get("metadata", {}).get("tags", [])]  # type: ignore[attr-defined]
    assert len(tagged) == 1, "exactly one cell tagged 'parameters'"
    params = ast.parse(_source(tagged[0]))
    assert params.body and all(isinstance(s, ast.AnnAssign) for s in params.body), (
        "the parameters cell holds typed defaults only (name: type = value)"
    )
    assert any(getattr(s.target, "id", "") == "db" for s in params.body), "a db parameter"
    for cell in code:
        source = _source(cell)
        tree = ast.parse(source)
        for node in ast.walk(tree):
            assert not isinstance(
                node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda
            ), f"no def/class/lambda in a notebook: {source[:60]!r}"
            if isinstance(node, ast.Import):
                assert all(a.name.split(".")[0] == "replenlib" for a in node.names), source[:60]
            if isinstance(node, ast.ImportFrom):
                assert (node.module or "").split(".")[0] == "replenlib", source[:60]
        assert not SQL.search(source), f"no SQL in a notebook: {source[:60]!r}"


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_report_notebooks_keep_their_notes_out_of_reports(name: str) -> None:
    """Markdown in a report notebook is written in one language: tagged, it stays out of the
    rendered report (which must read in the report's language)."""
    for cell in _cells(ROOT / "notebooks" / REPORTS[name]):
        if cell["cell_type"] == "markdown":
            assert "report-hidden" in cell.get("metadata", {}).get("tags", []), _source(cell)[:60]  # type: ignore[attr-defined]


def test_git_strips_outputs_before_commit() -> None:
    attributes = (ROOT / ".gitattributes").read_text()
    assert re.search(r"^\*\.ipynb\s+filter=nbstripout", attributes, re.M)
    hooks = (ROOT / ".pre-commit-config.yaml").read_text()
    assert "nbstripout" in hooks


ANALYST = [p for p in NOTEBOOKS if p.name not in REPORT_FILES]
#: Parameters that keep an analyst notebook quick on the small demo.
QUICK: dict[str, dict[str, object]] = {
    "05_scenarios.ipynb": {"replications": 3, "analyses": False},
}


@pytest.mark.slow
@pytest.mark.parametrize("path", ANALYST, ids=lambda p: p.stem)
def test_analyst_notebook_runs_on_the_small_demo(
    path: Path, small_store: Path, tmp_path: Path, kernel_env: dict[str, str]
) -> None:
    import papermill

    from replenlib.reports.kernel import ReportKernelManager

    declared = papermill.inspect_notebook(str(path))
    parameters: dict[str, object] = {"db": str(small_store)}
    if "lang" in declared:
        parameters["lang"] = "zh"
    if "scenarios_dir" in declared:
        parameters["scenarios_dir"] = str(tmp_path / "scenarios")
    parameters.update(QUICK.get(path.name, {}))
    out = tmp_path / path.name
    papermill.execute_notebook(
        str(path),
        str(out),
        parameters=parameters,
        kernel_name="python3",
        progress_bar=False,
        cwd=str(path.parent),
        kernel_manager_class=ReportKernelManager,
        config=_kernel_config(kernel_env),
    )
    executed = json.loads(out.read_text(encoding="utf-8"))
    errors = [
        o
        for c in executed["cells"]
        for o in c.get("outputs", [])
        if o.get("output_type") == "error"
    ]
    assert not errors


def _kernel_config(env: dict[str, str]) -> object:
    from traitlets.config import Config

    config = Config()
    config.ReportKernelManager.extra_env = dict(env)
    return config


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(REPORTS))
def test_report_notebook_renders_on_the_small_demo(
    name: str, rendered_reports: dict[tuple[str, str], Path]
) -> None:
    html = rendered_reports[(name, "zh")].read_text(encoding="utf-8")
    assert 'lang="zh"' in html and "Traceback" not in html
