"""Scenario files: parsing, every bad input with its message, and overrides applied as levers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from replenlib.errors import InputDataError
from replenlib.pipeline.scenario_stage import load_scenario_file
from replenlib.policy.kinds import ServiceMeasure
from replenlib.policy.strategy import Tier
from replenlib.scenario.base import Levers, apply
from replenlib.scenario.definition import (
    DemandSource,
    PolicyChoice,
    Scenario,
    Selector,
    SetServiceTarget,
)
from replenlib.scenario.parse import parse_scenario_set
from tests.sim_fixtures import synthetic_base

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "scenarios" / "strategy_options.yaml"


def test_sample_file_parses_with_its_settings() -> None:
    scenarios = load_scenario_file(SAMPLE)
    names = [s.name for s in scenarios.scenarios]
    assert names[:2] == ["erp_today", "tiered"] and len(names) == 9
    assert scenarios.baseline == "erp_today" and scenarios.business_case == ("erp_today", "tiered")
    assert (scenarios.replications, scenarios.horizon_days, scenarios.warmup_days) == (100, 365, 90)
    assert scenarios.demand is DemandSource.BOOTSTRAP
    assert scenarios.analyses.frontier_targets[-1] == 0.995
    assert scenarios.analyses.tornado_swings["service_target"] == 0.5
    implants = scenarios.scenario("implants_99_5").overrides[0]
    assert implants == SetServiceTarget(
        Selector(categories=("ORTHOPAEDIC_IMPLANT", "CARDIAC_STENT")), 0.995
    )


def test_toml_and_yaml_give_the_same_set(tmp_path: Path) -> None:
    toml = tmp_path / "s.toml"
    toml.write_text(
        'baseline = "erp"\nreplications = 20\n\n[[scenarios]]\nname = "erp"\npolicy = "erp"\n\n'
        '[[scenarios]]\nname = "strict"\n[scenarios.service_targets]\ncritical = 0.995\n',
        encoding="utf-8",
    )
    yaml = tmp_path / "s.yaml"
    yaml.write_text(
        "baseline: erp\nreplications: 20\nscenarios:\n  - {name: erp, policy: erp}\n"
        "  - name: strict\n    service_targets: {critical: 0.995}\n",
        encoding="utf-8",
    )
    a, b = load_scenario_file(toml), load_scenario_file(yaml)
    assert [s.overrides for s in a.scenarios] == [s.overrides for s in b.scenarios]
    assert b.scenario("strict").overrides == (
        SetServiceTarget(Selector(tiers=("critical",)), 0.995),
    )


_GOOD = {"scenarios": [{"name": "a"}, {"name": "b"}]}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"scenarios": []}, "f.yaml: scenarios: expected a non-empty list of scenarios"),
        ({**_GOOD, "replicatons": 5}, "f.yaml: (top level): unknown key 'replicatons'"),
        ({"scenarios": [{"name": "a"}, {"name": "a"}]}, "the name 'a' is used twice"),
        (
            {**_GOOD, "baseline": "c"},
            "f.yaml: baseline: expected one of the scenario names (a, b), got 'c'",
        ),
        (
            {**_GOOD, "replications": 1},
            "f.yaml: replications: expected an integer in [2, 10000], got 1",
        ),
        ({**_GOOD, "warmup_days": 400}, "f.yaml: warmup_days: expected days in [0, 364], got 400"),
        (
            {**_GOOD, "demand": "magic"},
            "f.yaml: demand: expected 'bootstrap' or 'fitted', got 'magic'",
        ),
        (
            {"scenarios": [{"description": "x"}]},
            "f.yaml: scenarios[0].name: expected a non-empty text, got None",
        ),
        (
            {"scenarios": [{"name": "a", "service_targets": [{"target": 1.5}]}]},
            "f.yaml: scenarios[0].service_targets[0].target: expected a fraction strictly between 0 and 1",
        ),
        (
            {
                "scenarios": [
                    {"name": "a", "service_targets": [{"where": {"tier": "gold"}, "target": 0.9}]}
                ]
            },
            "f.yaml: scenarios[0].service_targets[0].where.tier: expected a tier (critical, high, low, medium, run_down), got 'gold'",
        ),
        (
            {"scenarios": [{"name": "a", "policy": "magic"}]},
            "f.yaml: scenarios[0].policy[0].policy: expected one of R_S, R_s_S, ddmrp, erp, min_max, s_Q, s_S, tiered, got 'magic'",
        ),
        (
            {"scenarios": [{"name": "a", "review_period_days": 0}]},
            "f.yaml: scenarios[0].review_period_days[0].days: expected whole days in [1, 365], got 0",
        ),
        (
            {"scenarios": [{"name": "a", "demand": [{"multiplier": "lots"}]}]},
            "f.yaml: scenarios[0].demand[0].multiplier: expected a factor in [0, 100], got 'lots'",
        ),
        (
            {"scenarios": [{"name": "a", "lead_time": [{"shift": 3}]}]},
            "f.yaml: scenarios[0].lead_time[0]: unknown key 'shift'; expected one of where, shift_days",
        ),
        (
            {"scenarios": [{"name": "a", "supplier_outage": [{"supplier": "S", "start_day": 3}]}]},
            "f.yaml: scenarios[0].supplier_outage[0].duration_days: expected days >= 1, got None",
        ),
        (
            {**_GOOD, "business_case": {"before": "a", "after": "z"}},
            "f.yaml: business_case.after: expected one of the scenario names (a, b), got 'z'",
        ),
        (
            {**_GOOD, "supplier_failures": {"rate_per_year": 2}},
            "f.yaml: supplier_failures[0].mean_duration_days: expected a number, got None",
        ),
        (
            {**_GOOD, "supplier_failures": [{"rate_per_year": -1, "mean_duration_days": 5}]},
            "f.yaml: supplier_failures[0].rate_per_year: expected outages per year in [0, 365], got -1",
        ),
        (
            {**_GOOD, "analyses": {"tornado": {"demand_level": 2}}},
            "f.yaml: analyses.tornado.demand_level: expected a relative swing in [0, 0.9], got 2",
        ),
    ],
)
def test_bad_scenario_files_name_file_key_and_expectation(
    body: dict[str, object], message: str
) -> None:
    with pytest.raises(InputDataError) as error:
        parse_scenario_set(body, "f.yaml")
    assert message in str(error.value)


def test_bad_files_on_disk(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("scenarios:\n  - name: a\n    policy: [erp\n", encoding="utf-8")
    with pytest.raises(InputDataError, match=r"broken.yaml: not valid YAML \(line 4, column 1\)"):
        load_scenario_file(broken)
    with pytest.raises(InputDataError, match=r"s.json: expected a .yaml, .yml or .toml file"):
        (tmp_path / "s.json").write_text("{}", encoding="utf-8")
        load_scenario_file(tmp_path / "s.json")
    with pytest.raises(InputDataError, match=r"nothing.yaml: no such scenario file"):
        load_scenario_file(tmp_path / "nothing.yaml")


# --- overrides as levers ------------------------------------------------------------------

BASE = synthetic_base(40)


def _levers(body: dict[str, object]) -> Levers:
    scenarios = parse_scenario_set({"scenarios": [{"name": "x", **body}]}, "t.yaml")
    return apply(BASE, scenarios.scenarios[0])


def test_base_levers_follow_the_strategy_table() -> None:
    # the mixed table: critical (s, S) at 99 % CSL daily, low (R, S) at 95 % fill weekly
    lv = Levers.of(BASE)
    critical, low = BASE.tier == Tier.CRITICAL, BASE.tier == Tier.LOW
    assert np.all(lv.service_target[critical] == 0.99) and np.all(lv.service_target[low] == 0.95)
    assert np.all(lv.service_measure[critical] == ServiceMeasure.CYCLE_SERVICE_LEVEL)
    assert np.all(lv.service_measure[low] == ServiceMeasure.FILL_RATE)
    assert np.all(lv.review_period[low] == 7) and np.all(lv.review_period[critical] == 1)
    assert np.all(lv.policy == PolicyChoice.TIERED)
    assert list(BASE.tier[:4]) == [Tier.CRITICAL, Tier.HIGH, Tier.MEDIUM, Tier.LOW]


def test_service_targets_keep_or_name_their_measure() -> None:
    own = _levers({"service_targets": {"low": 0.99}})
    low = BASE.tier == Tier.LOW
    assert np.all(own.service_measure[low] == ServiceMeasure.FILL_RATE) and np.all(
        own.service_target[low] == 0.99
    )
    named = _levers(
        {
            "service_targets": [
                {"where": {"tier": "low"}, "target": 0.9, "measure": "cycle_service_level"}
            ]
        }
    )
    assert np.all(named.service_measure[low] == ServiceMeasure.CYCLE_SERVICE_LEVEL)
    with pytest.raises(
        InputDataError,
        match="measure: expected 'cycle_service_level' or 'fill_rate', got 'ready_rate'",
    ):
        _levers({"service_targets": [{"target": 0.9, "measure": "ready_rate"}]})


def test_overrides_act_on_their_selection_only() -> None:
    implants = BASE.category == "orthopaedic_implant"
    lv = _levers(
        {
            "service_targets": [{"where": {"category": "orthopaedic_implant"}, "target": 0.999}],
            "review_period_days": {"medium": 3},
            "policy": [{"where": {"tier": "low"}, "policy": "erp"}],
            "moq": [{"where": {"supplier": "SUP-IMPORT"}, "multiplier": 2}],
            "unmet_demand": "lost_sales",
        }
    )
    base = Levers.of(BASE)
    assert np.all(lv.service_target[implants] == 0.999)
    np.testing.assert_array_equal(lv.service_target[~implants], base.service_target[~implants])
    assert np.all(lv.review_period[BASE.tier == Tier.MEDIUM] == 3)
    assert np.all((lv.policy == PolicyChoice.ERP) == (BASE.tier == Tier.LOW))
    np.testing.assert_array_equal(
        lv.moq, np.where(BASE.supplier_id == "SUP-IMPORT", 2 * BASE.moq, BASE.moq)
    )
    assert lv.lost_sales.all()


def test_supplier_change_moves_series_to_the_backup_with_its_terms() -> None:
    lv = _levers({"supplier_change": [{"from": "SUP-IMPORT", "to": "backup"}]})
    moved = BASE.supplier_id == "SUP-IMPORT"
    assert moved.any() and np.all(lv.source[moved] == 0) and np.all(lv.moq[moved] == 0.0)
    np.testing.assert_array_equal(lv.source[~moved], BASE.source[~moved])
    named = _levers({"supplier_change": [{"from": "SUP-A", "to": "SUP-B"}]})
    assert np.all(named.source[BASE.supplier_id == "SUP-A"] == 1)


def test_selections_ignore_case_and_must_match_something() -> None:
    lv = _levers(
        {"review_period_days": [{"where": {"category": "ORTHOPAEDIC_IMPLANT"}, "days": 14}]}
    )
    assert np.all(lv.review_period[BASE.category == "orthopaedic_implant"] == 14)
    with pytest.raises(InputDataError) as error:
        _levers({"review_period_days": [{"where": {"category": "reagents"}, "days": 7}]})
    assert str(error.value) == (
        "scenario 'x': where category ['reagents'] matches no item-location "
        "(known: ivd_reagent, orthopaedic_implant)"
    )


def test_unknown_suppliers_are_named() -> None:
    with pytest.raises(
        InputDataError, match="scenario 'x': supplier 'SUP-Z' does not supply any item-location"
    ):
        _levers({"supplier_outage": [{"supplier": "SUP-Z", "start_day": 1, "duration_days": 5}]})
    with pytest.raises(
        InputDataError, match=r"supplier_change\.to 'SUP-Z' is not a known supplier"
    ):
        _levers({"supplier_change": [{"from": "SUP-A", "to": "SUP-Z"}]})


def test_demand_shocks_are_permanent_or_windowed_and_outages_windowed() -> None:
    permanent = _levers(
        {"demand": [{"where": {"tier": "critical"}, "multiplier": 1.5, "replan": True}]}
    )
    critical = BASE.tier == Tier.CRITICAL
    np.testing.assert_array_equal(permanent.demand_multiplier, np.where(critical, 1.5, 1.0))
    assert np.all(permanent.demand_known == critical) and np.all(permanent.shock_start == -1)
    window = _levers(
        {
            "demand": [{"multiplier": 2.0, "start_day": 10, "duration_days": 5}],
            "supplier_outage": [{"supplier": "SUP-B", "start_day": 20, "duration_days": 30}],
        }
    )
    assert np.all(window.demand_multiplier == 1.0) and np.all(window.shock_multiplier == 2.0)
    assert np.all(window.shock_start == 10) and np.all(window.shock_end == 15)
    by_b = BASE.supplier_id == "SUP-B"
    np.testing.assert_array_equal(window.outage_start, np.where(by_b, 20, -1))
    np.testing.assert_array_equal(window.outage_end, np.where(by_b, 50, -1))


def test_overrides_apply_in_order() -> None:
    scenario = Scenario(
        "x",
        overrides=(
            SetServiceTarget(Selector(), 0.8),
            SetServiceTarget(Selector(tiers=("critical",)), 0.999),
        ),
    )
    lv = apply(BASE, scenario)
    assert np.all(lv.service_target == np.where(BASE.tier == Tier.CRITICAL, 0.999, 0.8))
