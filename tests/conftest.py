"""Shared fixtures: one small demo store with one pipeline run, built once per test session.

The store is built through the CLI (``replen demo --size small --no-report``), so the fixture
itself exercises the documented command. Tests that write must work on a copy
(:func:`store_copy`), never on the shared file.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def small_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo store (seed 42) after one nightly run. Read it; do not write it."""
    from replenlib.cli import cli

    db = tmp_path_factory.mktemp("small") / "replen.duckdb"
    result = CliRunner().invoke(cli, ["demo", "--size", "small", "--db", str(db), "--no-report"])
    assert result.exit_code == 0, result.output
    return db


@pytest.fixture
def store_copy(small_store: Path, tmp_path: Path) -> Path:
    """A private copy of the small store for tests that write."""
    target = tmp_path / "replen.duckdb"
    shutil.copyfile(small_store, target)
    return target


@pytest.fixture(scope="session")
def kernel_env() -> dict[str, str]:
    """Environment for papermill kernels: this source tree first on the path."""
    return {"PYTHONPATH": str(ROOT)}
