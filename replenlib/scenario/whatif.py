"""A what-if written as a scenario file that ``replen scenario run FILE`` simulates.

The file is a scenario set in the format of :mod:`replenlib.scenario` (YAML): the run's tiered
strategy as the baseline and the what-if as a second scenario with its overrides —
``service_targets`` per tier, ``lead_time`` and ``demand`` multipliers (announced:
``replan: true``, the planners know), and ``policy`` / ``review_period_days`` for the
what-if's segment. Only what moved is written.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any

import yaml

from replenlib.errors import ReplenError
from replenlib.policy.whatif import WhatIfSegment, WhatIfSettings

BASELINE = "tiered"


def scenario_document(
    name: str,
    description: str,
    settings: WhatIfSettings,
    segment: WhatIfSegment,
    base_targets: dict[str, float],
) -> dict[str, Any]:
    """The scenario set (a mapping ready for YAML) of one what-if."""
    slug = slugify(name)
    scenario: dict[str, Any] = {"name": slug, "description": description or name}
    moved = {
        t: round(float(v), 6)
        for t, v in settings.targets.items()
        if abs(v - base_targets.get(t, v)) > 1e-12
    }
    if moved:
        scenario["service_targets"] = moved
    if settings.lead_time_scale != 1.0:
        scenario["lead_time"] = [{"factor": round(settings.lead_time_scale, 6), "replan": True}]
    if settings.demand_scale != 1.0:
        scenario["demand"] = [{"multiplier": round(settings.demand_scale, 6), "replan": True}]
    where = segment.where
    if settings.policy_type is not None:
        scenario["policy"] = [
            {**({"where": where} if where else {}), "policy": str(settings.policy_type)}
        ]
    if settings.review_period_days is not None:
        days = round(settings.review_period_days)
        scenario["review_period_days"] = [{**({"where": where} if where else {}), "days": days}]
    return {
        "name": f"What-if: {name}",
        "description": description or f"Saved from the policy what-if ({name}).",
        "baseline": BASELINE,
        "scenarios": [
            {"name": BASELINE, "description": "The run's tiered strategy."},
            scenario,
        ],
    }


def slugify(name: str) -> str:
    """A scenario and file name: lower case letters, digits and underscores."""
    slug = re.sub(r"[^0-9a-z]+", "_", name.strip().lower()).strip("_")
    if not slug:
        raise ReplenError("a scenario needs a name with at least one letter or digit")
    return slug


def save_scenario(document: dict[str, Any], folder: Path | str) -> Path:
    """Write ``document`` as ``<folder>/whatif-<name>.yaml`` atomically; never overwrite."""
    name = document["scenarios"][-1]["name"]
    path = Path(folder) / f"whatif-{name}.yaml"
    if path.exists():
        raise ReplenError(f"{path} exists already: choose another scenario name")
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".yaml", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
