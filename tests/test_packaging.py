"""Packaging: environment.yml mirrors pyproject.toml; the CLI starts without heavy imports."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
CONDA_NAMES = {"python-duckdb": "duckdb"}  # conda-forge name -> PyPI name


def _parse(spec: str) -> tuple[str, str]:
    match = re.fullmatch(r"\s*([A-Za-z0-9_.\-]+)\s*(.*)", spec)
    assert match, spec
    name = match.group(1).lower().replace("_", "-")
    return CONDA_NAMES.get(name, name), match.group(2).replace(" ", "")


MIRRORED_EXTRAS = ("test", "docs")  # extras environment.yml installs too


def _mirrored(project: dict[str, Any]) -> list[str]:
    extras = project["optional-dependencies"]
    return list(project["dependencies"]) + [s for name in MIRRORED_EXTRAS for s in extras[name]]


def test_environment_yml_mirrors_pyproject() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = dict(_parse(s) for s in _mirrored(project))
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = [d for d in env["dependencies"] if isinstance(d, str) and d not in ("pip",)]
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    have = dict(_parse(s) for s in conda + [p for p in pip if not p.startswith("-e")])
    python = have.pop("python")
    assert python == ">=" + project["requires-python"].removeprefix(">=")
    assert have == wanted


def test_lower_bounds_only() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for spec in _mirrored(project):
        assert ">=" in spec and "==" not in spec and "<" not in spec.replace(">=", ""), spec


def test_cli_help_does_not_import_heavy_libraries() -> None:
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from replenlib.cli import cli\n"
        "result = CliRunner().invoke(cli, ['--help'])\n"
        "assert result.exit_code == 0, result.output\n"
        "heavy = [m for m in ('pandas', 'numpy', 'duckdb', 'statsmodels', 'plotly', 'papermill', 'scipy') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
