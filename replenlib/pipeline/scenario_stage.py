"""A scenario run: read a scenario file and the store, simulate, analyse, store the results.

``replen scenario run FILE`` calls :func:`run_scenario_file`:

1. parse FILE (YAML or TOML) into a :class:`~replenlib.scenario.definition.ScenarioSet`;
2. read the base from the store in one short read-only session
   (:func:`~replenlib.pipeline.scenario_inputs.read_scenario_base`);
3. simulate every scenario side by side on common random numbers, with KPIs per tier and,
   for the business case, per group of series the ERP under- or over-protects;
4. the efficient frontier, the tornado and the calibration by replay (as the file asks);
5. write everything in one writer transaction (``scenario_*`` tables): a failed run leaves the
   store as it was.

Each analysis draws from its own stream of ``SeedSequence(seed)``, so a run is reproducible
and switching one analysis off does not change the others.
"""

from __future__ import annotations

import logging
import os
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from replenlib import __version__
from replenlib.errors import InputDataError
from replenlib.pipeline import scenario_results as frames
from replenlib.pipeline.scenario_inputs import StoreBase, read_scenario_base
from replenlib.scenario.assemble import resolved_for
from replenlib.scenario.base import Levers, apply
from replenlib.scenario.business_case import erp_groups
from replenlib.scenario.calibration import ReplayInputs, calibrate
from replenlib.scenario.compare import Comparison, compare
from replenlib.scenario.definition import ScenarioSet
from replenlib.scenario.frontier import frontier
from replenlib.scenario.parse import parse_scenario_set
from replenlib.scenario.tornado import tornado
from replenlib.sim.system import RunSettings
from replenlib.store import append_frame, reader, writer

log = logging.getLogger(__name__)

StepCallback = Callable[[str], None]


@dataclass(frozen=True)
class ScenarioRunSummary:
    """What a scenario run did, for the CLI and tests."""

    scenario_run_id: str
    name: str
    n_scenarios: int
    n_series: int
    replications: int
    seconds: float
    kpis: pd.DataFrame  #: scope 'all': scenario, kpi, mean, diff_mean, diff_low, diff_high


def load_scenario_file(path: Path | str) -> ScenarioSet:
    """Parse a YAML (``.yaml``/``.yml``) or TOML (``.toml``) scenario file."""
    file = Path(path)
    if not file.is_file():
        raise InputDataError(f"{file}: no such scenario file")
    text = file.read_text(encoding="utf-8")
    suffix = file.suffix.lower()
    try:
        if suffix == ".toml":
            body: Any = tomllib.loads(text)
        elif suffix in (".yaml", ".yml"):
            body = yaml.safe_load(text)
        else:
            raise InputDataError(f"{file}: expected a .yaml, .yml or .toml file")
    except (yaml.YAMLError, tomllib.TOMLDecodeError) as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" (line {where.line + 1}, column {where.column + 1})" if where else ""
        raise InputDataError(f"{file}: not valid {suffix[1:].upper()}{line}: {exc}") from exc
    return parse_scenario_set(body, str(file))


def run_scenario_file(
    db: Path | str,
    path: Path | str,
    *,
    replications: int | None = None,
    seed: int | None = None,
    on_step: StepCallback | None = None,
) -> ScenarioRunSummary:
    """Run the scenario file ``path`` against the store ``db`` (see the module docstring)."""
    step = on_step or (lambda text: log.info("scenario: %s", text))
    clock, created = time.perf_counter(), datetime.now()
    scenarios = load_scenario_file(path)
    scenarios = replace(
        scenarios,
        replications=replications or scenarios.replications,
        seed=scenarios.seed if seed is None else seed,
    )
    step("reading the store")
    with reader(db) as con:
        store = read_scenario_base(con, demand=scenarios.demand)
    tables = analyse(store, scenarios, step)
    step("writing results")
    run_id = f"S{created:%Y%m%dT%H%M%S}-{os.getpid()}"
    seconds = time.perf_counter() - clock
    header = _header(run_id, created, store, scenarios, str(path), seconds)
    _write(db, run_id, {"scenario_runs": header, **tables})
    kpis = tables["scenario_kpis"]
    return ScenarioRunSummary(
        run_id,
        scenarios.name,
        len(scenarios.scenarios),
        store.base.n_series,
        scenarios.replications,
        seconds,
        kpis[kpis["scope"] == "all"].reset_index(drop=True),
    )


@dataclass(frozen=True)
class ScenarioExploration:
    """An analyst's run: nothing is written; the frames are those of the ``scenario_*`` tables."""

    store: StoreBase
    scenarios: ScenarioSet
    tables: dict[str, pd.DataFrame]

    @property
    def kpis(self) -> pd.DataFrame:
        """The ``scenario_kpis`` frame."""
        return self.tables["scenario_kpis"]

    def table(self, name: str) -> pd.DataFrame:
        """A result frame by table name (empty when that analysis did not run)."""
        return self.tables.get(name, pd.DataFrame())


def explore_scenarios(
    db: Path | str,
    path: Path | str,
    *,
    replications: int | None = None,
    seed: int | None = None,
    extra: list[dict[str, Any]] | None = None,
    analyses: bool = True,
) -> ScenarioExploration:
    """Run a scenario file (plus ``extra`` scenario mappings) without writing to the store."""
    scenarios = load_scenario_file(path)
    if extra:
        body = {
            **_body(scenarios),
            "scenarios": [dict(s.body) for s in scenarios.scenarios] + extra,
        }
        parsed = parse_scenario_set(body, f"{path} + extra scenarios")
        scenarios = replace(parsed, analyses=scenarios.analyses)
    chosen = (
        scenarios.analyses
        if analyses
        else replace(scenarios.analyses, frontier=False, tornado=False, calibration=False)
    )
    scenarios = replace(
        scenarios,
        replications=replications or scenarios.replications,
        seed=scenarios.seed if seed is None else seed,
        analyses=chosen,
    )
    with reader(db) as con:
        store = read_scenario_base(con, demand=scenarios.demand)
    tables = analyse(store, scenarios, lambda text: log.info("scenario: %s", text))
    return ScenarioExploration(store, scenarios, tables)


def _body(scenarios: ScenarioSet) -> dict[str, Any]:
    """The top-level settings of a parsed set as a file body (to re-parse it with extras)."""
    body: dict[str, Any] = {
        "name": scenarios.name,
        "description": scenarios.description,
        "baseline": scenarios.baseline,
        "replications": scenarios.replications,
        "horizon_days": scenarios.horizon_days,
        "warmup_days": scenarios.warmup_days,
        "seed": scenarios.seed,
        "demand": scenarios.demand.value,
    }
    if scenarios.business_case:
        body["business_case"] = dict(zip(("before", "after"), scenarios.business_case, strict=True))
    if scenarios.supplier_failures:
        body["supplier_failures"] = [
            {"rate_per_year": f.rate_per_year, "mean_duration_days": f.mean_duration_days}
            | ({"suppliers": list(f.suppliers)} if f.suppliers else {})
            for f in scenarios.supplier_failures
        ]
    return body


def analyse(
    store: StoreBase, scenarios: ScenarioSet, step: StepCallback
) -> dict[str, pd.DataFrame]:
    """Simulate and analyse; return the frames of the ``scenario_*`` tables (no run id)."""
    base, a = store.base.with_failures(scenarios.supplier_failures), scenarios.analyses
    settings = RunSettings(
        scenarios.warmup_days + scenarios.horizon_days,
        scenarios.replications,
        warmup_days=scenarios.warmup_days,
    )
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(scenarios.seed).spawn(4)]
    step(
        f"simulating {len(scenarios.scenarios)} scenarios × {base.n_series:,} item-locations × "
        f"{scenarios.replications} replications × {settings.n_days} days"
    )
    comparison = compare(base, list(scenarios.scenarios), scenarios.baseline, settings, streams[0])
    groups = _groups(comparison, scenarios)
    tables = {
        "scenario_definitions": frames.definitions_frame(scenarios),
        "scenario_kpis": frames.kpi_frame(comparison.summary(groups, _reference(scenarios))),
        "scenario_series": frames.series_frame(comparison, base.item_id, base.location_id, groups),
    }
    reference = _reference(scenarios)
    levers = apply(base, scenarios.scenario(reference))
    if a.frontier:
        step(f"efficient frontier over {len(a.frontier_targets)} targets")
        scope = (
            scenarios.scenario(a.frontier_scenario)
            if a.frontier_scenario
            else scenarios.scenario(reference)
        )
        front = frontier(base, apply(base, scope), a.frontier_targets, settings, streams[1])
        tables["scenario_frontier"] = frames.frontier_frame(front)
    if a.tornado:
        name = a.tornado_scenario or reference
        step(f"tornado sensitivity around {name}")
        bars = tornado(
            base,
            apply(base, scenarios.scenario(name)),
            dict(a.tornado_swings),
            settings,
            streams[2],
        )
        tables["scenario_tornado"] = frames.tornado_frame(bars, name)
    if a.calibration:
        tables.update(_calibration(store, levers, scenarios, step, streams[3]))
    return tables


def _reference(scenarios: ScenarioSet) -> str:
    """The scenario analyses default to: the business case's 'after', else the first other."""
    if scenarios.business_case:
        return scenarios.business_case[1]
    others = [s.name for s in scenarios.scenarios if s.name != scenarios.baseline]
    return others[0] if others else scenarios.baseline


def _groups(comparison: Comparison, scenarios: ScenarioSet) -> dict[str, np.ndarray]:
    if scenarios.business_case is None:
        return {}
    before, after = (comparison.names.index(n) for n in scenarios.business_case)
    return erp_groups(comparison.plans[before], comparison.plans[after])


def _calibration(
    store: StoreBase,
    levers: Levers,
    scenarios: ScenarioSet,
    step: StepCallback,
    rng: np.random.Generator,
) -> dict[str, pd.DataFrame]:
    a, base = scenarios.analyses, store.base
    needed = a.calibration_history_days + 2 * a.calibration_step_days
    if store.history.shape[1] < needed:
        step(
            f"calibration skipped: it needs {needed} days of history, the store has {store.history.shape[1]}"
        )
        return {}
    step(f"calibration by replay over {store.history.shape[1] - a.calibration_history_days} days")
    inputs = ReplayInputs(
        history=store.history,
        resolved=resolved_for(base, levers),
        lead_times=base.lead_times,
        source=levers.source,
        sequential=base.source_sequential[levers.source],
        unit_cost=base.unit_cost,
        moq=levers.moq,
        order_multiple=levers.order_multiple,
        usable_days=base.usable_days,
        lost_sales=levers.lost_sales,
        strategy=base.strategy,
    )
    result = calibrate(
        inputs,
        step=a.calibration_step_days,
        first_origin=a.calibration_history_days,
        streams=a.calibration_streams,
        rng=rng,
    )
    return {"scenario_calibration": frames.calibration_frame(result)}


def _header(
    run_id: str,
    created: datetime,
    store: StoreBase,
    scenarios: ScenarioSet,
    source: str,
    seconds: float,
) -> pd.DataFrame:
    before, after = scenarios.business_case or (None, None)
    return pd.DataFrame(
        [
            {
                "scenario_run_id": run_id,
                "created_at": created,
                "as_of_date": store.as_of,
                "name": scenarios.name,
                "description": scenarios.description,
                "source_file": source,
                "baseline": scenarios.baseline,
                "business_before": before,
                "business_after": after,
                "reference": _reference(scenarios),
                "replications": scenarios.replications,
                "horizon_days": scenarios.horizon_days,
                "warmup_days": scenarios.warmup_days,
                "seed": scenarios.seed,
                "demand_source": scenarios.demand.value,
                "n_series": store.base.n_series,
                "seconds": seconds,
                "replenlib_version": __version__,
            }
        ]
    )


def _write(db: Path | str, run_id: str, tables: dict[str, pd.DataFrame]) -> None:
    with writer(db) as con:
        con.execute("BEGIN TRANSACTION")
        try:
            for table, frame in tables.items():
                append_frame(con, table, frame.assign(scenario_run_id=run_id))
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
