"""The shipped sample exports import through the API and the CLI; the data-health report renders."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from replenlib.cli import cli
from replenlib.io import ImportRequest, builtin_mappings, import_files
from replenlib.io.mapping import SourceKind
from replenlib.reports.runner import render_report
from replenlib.store import reader

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "samples"


def _files(kind: str) -> list[Path]:
    return sorted(p for p in (SAMPLES / kind).iterdir() if p.suffix in (".csv", ".xlsx"))


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("samples") / "s.duckdb"
    requests = [ImportRequest(k.value, p) for k in SourceKind for p in _files(k.value)]
    results = import_files(db, requests)
    assert len(results) == len(builtin_mappings())  # one sample per mapping
    return db


def test_every_kind_has_a_sample_and_its_mapping() -> None:
    for kind in SourceKind:
        files = _files(kind.value)
        assert files, kind
        for path in files:
            assert (path.with_suffix(".yaml")).exists(), path


def test_samples_import_through_the_api(sample_store: Path) -> None:
    with reader(sample_store) as con:
        per_kind = dict(
            con.execute("SELECT kind, sum(rows_loaded) FROM loads GROUP BY kind").fetchall()
        )
        reasons = con.execute(
            "SELECT rule, count(*) FROM quarantine GROUP BY rule ORDER BY rule"
        ).fetchall()
    assert set(per_kind) == {k.value for k in SourceKind}
    assert all(n > 0 for n in per_kind.values())
    # the UDI sample carries four deliberately bad scans, everything else is clean
    assert reasons == [("gtin_check_digit", 1), ("hibc_check_character", 1),
                       ("impossible_expiry", 1), ("udi_format", 1)]  # fmt: skip


def test_samples_import_through_the_cli(tmp_path: Path) -> None:
    db = tmp_path / "cli.duckdb"
    for kind in ("erp", "mes", "crm"):
        result = CliRunner().invoke(cli, ["import", kind, str(SAMPLES / kind), "--db", str(db)])
        assert result.exit_code == 0, result.output
        assert "0 quarantined" in result.output
    with reader(db) as con:
        assert con.execute("SELECT count(*) FROM bom").fetchone() == (3,)
        assert con.execute("SELECT count(*) FROM demand_signals").fetchone() == (8,)


@pytest.mark.slow
def test_data_health_report_renders_offline(sample_store: Path, tmp_path: Path) -> None:
    out = render_report("data_health", db=sample_store, out_dir=tmp_path, lang="zh",
                        notebooks=ROOT / "notebooks")  # fmt: skip
    html = out.read_text(encoding="utf-8")
    assert "数据健康报告" in html and "隔离原因" in html and "hibc_check_character" in html
    assert '<script src="http' not in html
