"""Turning a parsed scenario file (YAML or TOML, already a mapping) into a :class:`ScenarioSet`.

Every fault raises :class:`~replenlib.errors.InputDataError` naming the file, the key path
(``scenarios[2].service_targets[0].target``), what was expected and what was found.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from replenlib.errors import InputDataError
from replenlib.policy.kinds import ServiceMeasure
from replenlib.policy.strategy import Tier
from replenlib.scenario.definition import (
    Analyses,
    ChangeLeadTime,
    ChangeMoq,
    ChangeSupplier,
    DemandShock,
    DemandSource,
    FailureRule,
    Override,
    PolicyChoice,
    Scenario,
    ScenarioSet,
    Selector,
    SetPolicy,
    SetReviewPeriod,
    SetServiceTarget,
    SetUnmetDemand,
    SupplierOutage,
    _Reader,
)

_TOP = (
    "name",
    "description",
    "baseline",
    "replications",
    "horizon_days",
    "warmup_days",
    "seed",
    "demand",
    "analyses",
    "business_case",
    "supplier_failures",
    "scenarios",
)
_WHERE = ("tier", "category", "supplier", "location", "item")
_MAX_DAYS = 3650
FRACTION = "a fraction strictly between 0 and 1"


def parse_scenario_set(body: object, source: str) -> ScenarioSet:
    """Validate ``body`` (the parsed file) and build the scenario set; ``source`` names it."""
    r = _Reader(source)
    top = r.mapping(body, "(top level)", _TOP)
    if "scenarios" not in top or not isinstance(top["scenarios"], list) or not top["scenarios"]:
        raise r.fail("scenarios", "a non-empty list of scenarios", top.get("scenarios"))
    scenarios = tuple(
        _scenario(r, item, f"scenarios[{n}]") for n, item in enumerate(top["scenarios"])
    )
    names = [s.name for s in scenarios]
    duplicate = next((n for n in names if names.count(n) > 1), None)
    if duplicate:
        raise InputDataError(f"{source}: scenarios: the name {duplicate!r} is used twice")
    baseline = r.text(top.get("baseline", names[0]), "baseline")
    if baseline not in names:
        raise r.fail("baseline", f"one of the scenario names ({', '.join(names)})", baseline)
    horizon = r.integer(
        top.get("horizon_days", 365), "horizon_days", 30, _MAX_DAYS, "days in [30, 3650]"
    )
    warmup = r.integer(
        top.get("warmup_days", 90), "warmup_days", 0, horizon - 1, f"days in [0, {horizon - 1}]"
    )
    demand = top.get("demand", DemandSource.BOOTSTRAP.value)
    if demand not in {d.value for d in DemandSource}:
        raise r.fail("demand", "'bootstrap' or 'fitted'", demand)
    result = ScenarioSet(
        name=r.text(top.get("name", source), "name"),
        description=str(top.get("description", "")),
        scenarios=scenarios,
        baseline=baseline,
        replications=r.integer(
            top.get("replications", 100), "replications", 2, 10_000, "an integer in [2, 10000]"
        ),
        horizon_days=horizon,
        warmup_days=warmup,
        seed=r.integer(top.get("seed", 42), "seed", 0, 2**63 - 1, "a non-negative integer"),
        demand=DemandSource(demand),
        analyses=_analyses(r, top.get("analyses", {}), names),
        business_case=_business_case(r, top.get("business_case"), names, baseline),
        supplier_failures=_failures(r, top.get("supplier_failures", [])),
    )
    return result


def _failures(r: _Reader, value: object) -> tuple[FailureRule, ...]:
    """The top-level ``supplier_failures`` rules (see :mod:`.definition`)."""
    rules = []
    for path, rule in r.rules(value, "supplier_failures"):
        body = r.mapping(rule, path, ("suppliers", "rate_per_year", "mean_duration_days"))
        for key in ("rate_per_year", "mean_duration_days"):
            if key not in body:
                raise r.fail(f"{path}.{key}", "a number", None)
        suppliers = r.texts(body["suppliers"], f"{path}.suppliers") if "suppliers" in body else ()
        rules.append(
            FailureRule(
                suppliers,
                r.number(body["rate_per_year"], f"{path}.rate_per_year", 0.0, 365.0,
                         "outages per year in [0, 365]"),
                r.number(body["mean_duration_days"], f"{path}.mean_duration_days", 1.0, 365.0,
                         "days in [1, 365]"),
            )
        )  # fmt: skip
    return tuple(rules)


def _business_case(
    r: _Reader, value: object, names: list[str], baseline: str
) -> tuple[str, str] | None:
    """(before, after): by default the baseline and the first other scenario."""
    if value is None:
        others = [n for n in names if n != baseline]
        return (baseline, others[0]) if others else None
    body = r.mapping(value, "business_case", ("before", "after"))
    pair = []
    for key in ("before", "after"):
        name = r.text(body.get(key), f"business_case.{key}")
        if name not in names:
            raise r.fail(
                f"business_case.{key}", f"one of the scenario names ({', '.join(names)})", name
            )
        pair.append(name)
    return pair[0], pair[1]


_SCENARIO_KEYS = (
    "name",
    "description",
    "policy",
    "service_targets",
    "review_period_days",
    "lead_time",
    "supplier_change",
    "supplier_outage",
    "demand",
    "moq",
    "unmet_demand",
)


def _scenario(r: _Reader, value: object, path: str) -> Scenario:
    body = r.mapping(value, path, _SCENARIO_KEYS)
    name = r.text(body.get("name"), f"{path}.name")
    overrides: list[Override] = []
    for key in _SCENARIO_KEYS[2:]:
        if key in body:
            overrides.extend(_PARSERS[key](r, body[key], f"{path}.{key}"))
    return Scenario(name, str(body.get("description", "")), tuple(overrides), dict(body))


def _where(r: _Reader, rule: Mapping[str, Any], path: str) -> Selector:
    if "where" not in rule:
        return Selector()
    where = r.mapping(rule["where"], f"{path}.where", _WHERE)
    tiers = r.texts(where["tier"], f"{path}.where.tier") if "tier" in where else ()
    known = {t.value for t in Tier}
    bad = [t for t in tiers if t not in known]
    if bad:
        raise r.fail(f"{path}.where.tier", f"a tier ({', '.join(sorted(known))})", bad[0])

    def get(key: str) -> tuple[str, ...]:
        return r.texts(where[key], f"{path}.where.{key}") if key in where else ()

    return Selector(tiers, get("category"), get("supplier"), get("location"), get("item"))


def _policy(r: _Reader, value: object, path: str) -> list[Override]:
    choices = {c.value for c in PolicyChoice}
    if isinstance(value, str):
        value = [{"policy": value}]
    out: list[Override] = []
    for p, rule in r.rules(value, path):
        body = r.mapping(rule, p, ("where", "policy"))
        if body.get("policy") not in choices:
            raise r.fail(f"{p}.policy", f"one of {', '.join(sorted(choices))}", body.get("policy"))
        out.append(SetPolicy(_where(r, body, p), PolicyChoice(body["policy"])))
    return out


def _by_tier(value: object, key: str) -> object:
    """Expand the ``{tier: value}`` shorthand into rules."""
    tiers = {t.value for t in Tier}
    if isinstance(value, Mapping) and value and set(value) <= tiers:
        return [{"where": {"tier": tier}, key: v} for tier, v in value.items()]
    return value


def _service_targets(r: _Reader, value: object, path: str) -> list[Override]:
    out: list[Override] = []
    measures = {ServiceMeasure.CYCLE_SERVICE_LEVEL.value, ServiceMeasure.FILL_RATE.value}
    for p, rule in r.rules(_by_tier(value, "target"), path):
        body = r.mapping(rule, p, ("where", "target", "measure"))
        measure = body.get("measure")
        if measure is not None and measure not in measures:
            raise r.fail(f"{p}.measure", "'cycle_service_level' or 'fill_rate'", measure)
        target = r.number(
            body.get("target"), f"{p}.target", 0.5, 0.9999, FRACTION + " (0.5–0.9999)"
        )
        chosen = None if measure is None else ServiceMeasure(measure)
        out.append(SetServiceTarget(_where(r, body, p), target, chosen))
    return out


def _review(r: _Reader, value: object, path: str) -> list[Override]:
    if isinstance(value, int) and not isinstance(value, bool):
        value = [{"days": value}]
    out: list[Override] = []
    for p, rule in r.rules(_by_tier(value, "days"), path):
        body = r.mapping(rule, p, ("where", "days"))
        days = r.integer(body.get("days"), f"{p}.days", 1, 365, "whole days in [1, 365]")
        out.append(SetReviewPeriod(_where(r, body, p), days))
    return out


def _lead_time(r: _Reader, value: object, path: str) -> list[Override]:
    out: list[Override] = []
    for p, rule in r.rules(value, path):
        body = r.mapping(rule, p, ("where", "shift_days", "factor", "replan"))
        out.append(
            ChangeLeadTime(
                _where(r, body, p),
                r.number(
                    body.get("shift_days", 0.0), f"{p}.shift_days", -365, 365, "days in [-365, 365]"
                ),
                r.number(
                    body.get("factor", 1.0), f"{p}.factor", 0.1, 10.0, "a factor in [0.1, 10]"
                ),
                r.flag(body.get("replan", True), f"{p}.replan"),
            )
        )
    return out


def _supplier_change(r: _Reader, value: object, path: str) -> list[Override]:
    out: list[Override] = []
    for p, rule in r.rules(value, path):
        body = r.mapping(rule, p, ("from", "to"))
        to = body.get("to", "backup")
        out.append(ChangeSupplier(r.text(body.get("from"), f"{p}.from"), r.text(to, f"{p}.to")))
    return out


def _outage(r: _Reader, value: object, path: str) -> list[Override]:
    out: list[Override] = []
    for p, rule in r.rules(value, path):
        body = r.mapping(rule, p, ("supplier", "start_day", "duration_days"))
        out.append(
            SupplierOutage(
                r.text(body.get("supplier"), f"{p}.supplier"),
                r.integer(
                    body.get("start_day", 0), f"{p}.start_day", 0, _MAX_DAYS, "a day index >= 0"
                ),
                r.integer(
                    body.get("duration_days"), f"{p}.duration_days", 1, _MAX_DAYS, "days >= 1"
                ),
            )
        )
    return out


def _demand(r: _Reader, value: object, path: str) -> list[Override]:
    keys = ("where", "multiplier", "variability", "start_day", "duration_days", "replan")
    out: list[Override] = []
    for p, rule in r.rules(value, path):
        body = r.mapping(rule, p, keys)
        duration = body.get("duration_days")
        out.append(
            DemandShock(
                _where(r, body, p),
                r.number(
                    body.get("multiplier", 1.0),
                    f"{p}.multiplier",
                    0.0,
                    100.0,
                    "a factor in [0, 100]",
                ),
                r.number(
                    body.get("variability", 1.0),
                    f"{p}.variability",
                    0.0,
                    10.0,
                    "a factor in [0, 10]",
                ),
                r.integer(
                    body.get("start_day", 0), f"{p}.start_day", 0, _MAX_DAYS, "a day index >= 0"
                ),
                None
                if duration is None
                else r.integer(duration, f"{p}.duration_days", 1, _MAX_DAYS, "days >= 1"),
                r.flag(body.get("replan", False), f"{p}.replan"),
            )
        )
    return out


def _moq(r: _Reader, value: object, path: str) -> list[Override]:
    out: list[Override] = []
    for p, rule in r.rules(value, path):
        body = r.mapping(rule, p, ("where", "multiplier", "quantity"))
        quantity = body.get("quantity")
        out.append(
            ChangeMoq(
                _where(r, body, p),
                r.number(
                    body.get("multiplier", 1.0),
                    f"{p}.multiplier",
                    0.0,
                    1000.0,
                    "a factor in [0, 1000]",
                ),
                None
                if quantity is None
                else r.number(quantity, f"{p}.quantity", 0.0, 1e12, "units >= 0"),
            )
        )
    return out


def _unmet(r: _Reader, value: object, path: str) -> list[Override]:
    rules = {"lost_sales": True, "backorder": False}
    if isinstance(value, str):
        value = [{"rule": value}]
    out: list[Override] = []
    for p, rule in r.rules(value, path):
        body = r.mapping(rule, p, ("where", "rule"))
        if body.get("rule") not in rules:
            raise r.fail(f"{p}.rule", "'lost_sales' or 'backorder'", body.get("rule"))
        out.append(SetUnmetDemand(_where(r, body, p), rules[body["rule"]]))
    return out


_PARSERS: dict[str, Callable[[_Reader, object, str], list[Override]]] = {
    "policy": _policy,
    "service_targets": _service_targets,
    "review_period_days": _review,
    "lead_time": _lead_time,
    "supplier_change": _supplier_change,
    "supplier_outage": _outage,
    "demand": _demand,
    "moq": _moq,
    "unmet_demand": _unmet,
}

_ANALYSES = ("frontier", "tornado", "calibration")


def _analyses(r: _Reader, value: object, names: list[str]) -> Analyses:
    body = r.mapping(value, "analyses", _ANALYSES)
    defaults = Analyses()

    def section(key: str, keys: tuple[str, ...]) -> tuple[bool, Mapping[str, Any]]:
        item = body.get(key, True)
        if isinstance(item, bool):
            return item, {}
        return True, r.mapping(item, f"analyses.{key}", keys)

    def scenario(part: Mapping[str, Any], path: str) -> str | None:
        if "scenario" not in part:
            return None
        name = r.text(part["scenario"], path)
        if name not in names:
            raise r.fail(path, f"one of the scenario names ({', '.join(names)})", name)
        return name

    frontier_on, frontier = section("frontier", ("targets", "scenario"))
    tornado_on, tornado = section("tornado", ("scenario", *defaults.tornado_swings))
    calib_on, calib = section("calibration", ("step_days", "history_days", "streams"))
    targets = tuple(
        r.number(t, f"analyses.frontier.targets[{n}]", 0.5, 0.9999, FRACTION)
        for n, t in enumerate(frontier.get("targets", defaults.frontier_targets))
    )
    swings = {
        k: r.number(
            tornado.get(k, v), f"analyses.tornado.{k}", 0.0, 0.9, "a relative swing in [0, 0.9]"
        )
        for k, v in defaults.tornado_swings.items()
    }
    return Analyses(
        frontier_targets=tuple(sorted(targets)),
        frontier_scenario=scenario(frontier, "analyses.frontier.scenario"),
        tornado_scenario=scenario(tornado, "analyses.tornado.scenario"),
        tornado_swings=swings,
        calibration=calib_on,
        calibration_step_days=r.integer(
            calib.get("step_days", 28), "analyses.calibration.step_days", 7, 182, "days in [7, 182]"
        ),
        calibration_history_days=r.integer(
            calib.get("history_days", 182),
            "analyses.calibration.history_days",
            56,
            3650,
            "days in [56, 3650]",
        ),
        calibration_streams=r.integer(
            calib.get("streams", 4),
            "analyses.calibration.streams",
            1,
            100,
            "an integer in [1, 100]",
        ),
        frontier=frontier_on,
        tornado=tornado_on,
    )
