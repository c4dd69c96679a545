"""Data, HTML blocks and the plain-language summary of the scenario report (notebook 08).

The notebook calls :func:`load` once (one short read-only session) and displays the blocks
built here and the figures of :mod:`replenlib.viz.scenario`. Every visible word comes from
:mod:`replenlib.i18n`; the summary sentences are templates filled with the stored numbers.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from replenlib.errors import ReplenError
from replenlib.i18n import label
from replenlib.reports.html import STYLE, HtmlBlock, esc, format_value, table
from replenlib.sim.result import KPI_UNITS, SimKpi

#: KPIs of the side-by-side table, in order.
TABLE_KPIS = (
    "stockout_rate",
    "fill_rate",
    "cycle_service_level",
    "inventory_days",
    "inventory_value",
    "stockout_days",
    "orders_placed",
    "expired_value",
)
#: Differences smaller than this are not material [fraction of stockout rate, days].
MATERIAL = {"stockout_rate": 0.0005, "inventory_days": 0.25}


@dataclass(frozen=True)
class ScenarioReportData:
    """Everything the scenario report shows, read in one short session."""

    run: dict[str, Any]
    definitions: pd.DataFrame
    kpis: pd.DataFrame
    series: pd.DataFrame
    frontier: pd.DataFrame
    tornado: pd.DataFrame
    calibration: pd.DataFrame
    observed: dict[str, float]  #: the latest nightly run's observed KPIs (scope 'all')

    @property
    def scenarios(self) -> list[str]:
        """Scenario names in file order."""
        return list(self.definitions.sort_values("position")["scenario"])

    def value(self, scenario: str, kpi: str, column: str = "mean", scope: str = "all") -> float:
        """One stored number (NaN when missing)."""
        k = self.kpis
        row = k[(k["scenario"] == scenario) & (k["kpi"] == kpi) & (k["scope"] == scope)]
        value = row[column].iloc[0] if len(row) else None
        return float("nan") if value is None or pd.isna(value) else float(value)


def load(db: str | Path, scenario_run_id: str | None = None) -> ScenarioReportData:
    """Read a scenario run (default: the latest) and its results."""
    from replenlib.store import reader

    with reader(db) as con:
        run = _run(con, scenario_run_id)
        rid = str(run["scenario_run_id"])

        def table_of(name: str) -> pd.DataFrame:
            return con.execute(f"SELECT * FROM {name} WHERE scenario_run_id = ?", [rid]).df()

        return ScenarioReportData(
            run=run,
            definitions=table_of("scenario_definitions"),
            kpis=table_of("scenario_kpis"),
            series=table_of("scenario_series"),
            frontier=table_of("scenario_frontier"),
            tornado=table_of("scenario_tornado"),
            calibration=table_of("scenario_calibration"),
            observed=_observed(con),
        )


def _run(con: duckdb.DuckDBPyConnection, scenario_run_id: str | None) -> dict[str, Any]:
    sql = "SELECT * FROM scenario_runs " + (
        "WHERE scenario_run_id = ?" if scenario_run_id else "ORDER BY created_at DESC LIMIT 1"
    )
    frame = con.execute(sql, [scenario_run_id] if scenario_run_id else []).df()
    if frame.empty:
        raise ReplenError(
            f"no scenario run {scenario_run_id} in the store"
            if scenario_run_id
            else label("no_scenario_runs", "en")
        )
    return {str(k): v for k, v in frame.iloc[0].to_dict().items()}


def _observed(con: duckdb.DuckDBPyConnection) -> dict[str, float]:
    rows = con.execute(
        """
        SELECT kpi, value FROM run_kpis
        WHERE scope = 'all' AND run_id = (SELECT run_id FROM runs ORDER BY started_at DESC LIMIT 1)
        """
    ).fetchall()
    return {str(k): float(v) for k, v in rows if v is not None}


# --- formatting ---------------------------------------------------------------------------


def _fmt(value: float, kpi: str, lang: str) -> str:
    return format_value(
        None if math.isnan(value) else value, KPI_UNITS[SimKpi(kpi)], label("na", lang)
    )


def _delta(value: float, kpi: str) -> str:
    """A signed difference: percentage points for fractions, else the KPI's unit."""
    if math.isnan(value):
        return "n/a"
    unit = KPI_UNITS[SimKpi(kpi)]
    if unit == "fraction":
        return f"{value * 100:+.2f} pp"
    if unit == "days":
        return f"{value:+,.1f} d"
    if unit == "CNY":
        return f"{'+' if value >= 0 else '−'}¥{abs(value):,.0f}"
    return f"{value:+,.1f}"


# --- blocks -------------------------------------------------------------------------------


def header(data: ScenarioReportData, lang: str = "en") -> HtmlBlock:
    """Title, scenario set, run settings."""
    r = data.run
    facts = [
        (label("scenario_set", lang), r["name"]),
        (label("scenario_run", lang), r["scenario_run_id"]),
        (label("as_of", lang), pd.Timestamp(r["as_of_date"]).date()),
        (label("item_locations", lang), f"{int(r['n_series']):,}"),
        (label("replications", lang), int(r["replications"])),
        (label("horizon", lang), f"{int(r['horizon_days'])} (+{int(r['warmup_days'])})"),
        (label("demand_source", lang), r["demand_source"]),
        (label("seed", lang), r["seed"]),
    ]
    items = "".join(f"<span><b>{esc(k)}</b> {esc(v)}</span>" for k, v in facts)
    return HtmlBlock(
        f'{STYLE}<header class="replen-header">'
        f'<div class="replen-facts">{items}</div>'
        f'<p class="replen-data">{esc(r["description"])}</p></header>'
    )


def summary(data: ScenarioReportData, lang: str = "en") -> HtmlBlock:
    """The plain-language summary of the trade-offs (see :func:`summary_sentences`)."""
    # sentences quote the scenario file's own descriptions: data, in the file's language
    items = "".join(f'<li class="replen-data">{esc(s)}</li>' for s in summary_sentences(data, lang))
    return HtmlBlock(
        f"<h2>{esc(label('summary', lang))}</h2><ul class='replen-summary'>{items}</ul>"
    )


def summary_sentences(data: ScenarioReportData, lang: str = "en") -> list[str]:
    """Business case, its mechanism, each lever against the reference, calibration, frontier."""
    out: list[str] = []
    before, after = data.run.get("business_before"), data.run.get("business_after")
    if isinstance(before, str) and isinstance(after, str):
        out.append(_business_sentence(data, before, after, lang))
        mechanism = _mechanism_sentence(data, before, lang)
        if mechanism:
            out.append(mechanism)
    reference = after if isinstance(after, str) else str(data.run["baseline"])
    for name in data.scenarios:
        if name not in (reference, data.run["baseline"]):
            out.append(_lever_sentence(data, name, reference, lang))
    out.extend(_calibration_sentences(data, lang))
    out.extend(_frontier_sentence(data, lang))
    if isinstance(before, str):
        out.extend(_efficiency_sentence(data, before, lang))
    out.extend(_tornado_sentence(data, lang))
    return out


def _business_sentence(data: ScenarioReportData, before: str, after: str, lang: str) -> str:
    v = data.value
    paired = before == data.run["baseline"]  # the stored interval is against the baseline
    so_diff = v(after, "stockout_rate") - v(before, "stockout_rate")
    low, high = (
        v(after, "stockout_rate", c) if paired else float("nan") for c in ("diff_low", "diff_high")
    )
    value_diff = v(after, "inventory_value") - v(before, "inventory_value")
    return label("summary_business", lang).format(
        before=before,
        after=after,
        so_before=_fmt(v(before, "stockout_rate"), "stockout_rate", lang),
        so_after=_fmt(v(after, "stockout_rate"), "stockout_rate", lang),
        so_diff=_delta(so_diff, "stockout_rate"),
        so_low=_delta(low, "stockout_rate"),
        so_high=_delta(high, "stockout_rate"),
        days_before=_fmt(v(before, "inventory_days"), "inventory_days", lang),
        days_after=_fmt(v(after, "inventory_days"), "inventory_days", lang),
        days_diff=_delta(
            v(after, "inventory_days") - v(before, "inventory_days"), "inventory_days"
        ),
        value_verb=label("decreases" if value_diff < 0 else "increases", lang),
        value_diff=f"¥{abs(value_diff):,.0f}",
    )


def _mechanism_sentence(data: ScenarioReportData, before: str, lang: str) -> str | None:
    s = data.series[data.series["scenario"] == before]
    if s.empty or s["erp_group"].isna().all():
        return None
    value = s["average_on_hand"] * s["unit_cost"]

    def share(mask: pd.Series, column: pd.Series) -> str:
        total = float(column.sum())
        return f"{float(column[mask].sum()) / total:.0%}" if total > 0 else "n/a"

    under, over = s["erp_group"] == "erp=under", s["erp_group"] == "erp=over"
    return label("summary_mechanism", lang).format(
        under=f"{under.mean():.0%}",
        over=f"{over.mean():.0%}",
        under_share=share(under, s["stockout_days"]),
        over_share=share(over, value),
    )


def _lever_sentence(data: ScenarioReportData, name: str, reference: str, lang: str) -> str:
    v = data.value
    so, days = v(name, "stockout_rate", "ref_diff_mean"), v(name, "inventory_days", "ref_diff_mean")
    value = v(name, "inventory_value", "ref_diff_mean")
    service = -_direction(data, name, "stockout_rate")  # fewer stockouts is better
    stock = -_direction(data, name, "inventory_days")  # fewer inventory days is better
    description = data.definitions.set_index("scenario")["description"].get(name, "")
    return label("summary_lever", lang).format(
        name=name,
        description=str(description).rstrip("."),
        reference=reference,
        so_diff=_delta(so, "stockout_rate"),
        days_diff=_delta(days, "inventory_days"),
        value_diff=_delta(value, "inventory_value"),
        verdict=label(_verdict(service, stock), lang),
    )


def _direction(data: ScenarioReportData, name: str, kpi: str) -> int:
    """+1 / −1 when the difference to the reference is up / down, clearly (its 95 % interval
    excludes 0) and materially (at least :data:`MATERIAL`); else 0."""
    mean, low, high = (
        data.value(name, kpi, c) for c in ("ref_diff_mean", "ref_diff_low", "ref_diff_high")
    )
    if math.isnan(mean) or abs(mean) < MATERIAL[kpi]:
        return 0
    if low > 0:
        return 1
    return -1 if high < 0 else 0


#: Verdict label per (service, inventory) change: +1 better, −1 worse, 0 no clear change.
VERDICTS = {
    (0, 0): "verdict_same",
    (1, 1): "verdict_better",
    (-1, -1): "verdict_worse",
    (1, -1): "verdict_buys",
    (-1, 1): "verdict_saves",
    (1, 0): "verdict_service_only",
    (0, 1): "verdict_inventory_only",
    (-1, 0): "verdict_service_worse",
    (0, -1): "verdict_inventory_worse",
}


def _verdict(service: int, stock: int) -> str:
    """Label key for a change of service and of inventory (+1 better, −1 worse, 0 same)."""
    return VERDICTS[(service, stock)]


def _calibration_sentences(data: ScenarioReportData, lang: str) -> list[str]:
    out = []
    for row in data.calibration.to_dict("records"):
        fill = row["measure"] == "fill_rate"
        before, after = (
            _num(row["fill_before" if fill else "csl_before"]),
            _num(row["fill_after" if fill else "csl_after"]),
        )
        if math.isnan(before):
            continue
        out.append(
            label("summary_calibration", lang).format(
                tier=label(str(row["tier"]), lang),
                target=f"{row['target']:.1%}",
                measure=_in_sentence(label(str(row["measure"]), lang), lang),
                achieved=f"{before:.1%}",
                z_before="n/a" if _missing(row["z_before"]) else f"{row['z_before']:.2f}",
                z_after=f"{row['z_after']:.2f}",
                after=f"{after:.1%}",
            )
        )
    return out


def _frontier_sentence(data: ScenarioReportData, lang: str) -> list[str]:
    f = data.frontier
    if f.empty:
        return []
    wide = f.pivot(index="target", columns="kpi", values="mean").sort_index()
    low, high = wide.index[0], wide.index[-1]
    return [
        label("summary_frontier", lang).format(
            low=f"{low:.1%}",
            high=f"{high:.1%}",
            value_diff=f"¥{abs(float(wide.loc[high, 'inventory_value'] - wide.loc[low, 'inventory_value'])):,.0f}",
            fill_low=f"{wide.loc[low, 'fill_rate']:.1%}",
            fill_high=f"{wide.loc[high, 'fill_rate']:.1%}",
        )
    ]


def _efficiency_sentence(data: ScenarioReportData, before: str, lang: str) -> list[str]:
    """Where the 'before' scenario sits against the frontier, when the frontier dominates it."""
    if data.frontier.empty:
        return []
    wide = data.frontier.pivot(index="target", columns="kpi", values="mean").sort_index()
    days = wide["inventory_days"].to_numpy(dtype=float)
    stockout = wide["stockout_rate"].to_numpy(dtype=float)
    own_days, own_so = data.value(before, "inventory_days"), data.value(before, "stockout_rate")
    inside = days[0] <= own_days <= days[-1] and stockout[-1] <= own_so <= stockout[0]
    if not inside or np.any(np.diff(days) <= 0) or np.any(np.diff(stockout) >= 0):
        return []
    so_same = float(np.interp(own_days, days, stockout))
    days_needed = float(np.interp(own_so, stockout[::-1], days[::-1]))
    if so_same >= own_so or days_needed >= own_days:
        return []
    return [
        label("summary_efficiency", lang).format(
            before=before,
            days=_fmt(own_days, "inventory_days", lang),
            so_same=_fmt(so_same, "stockout_rate", lang),
            so=_fmt(own_so, "stockout_rate", lang),
            days_needed=_fmt(days_needed, "inventory_days", lang),
        )
    ]


def _in_sentence(text: str, lang: str) -> str:
    """A label inside an English sentence starts in lower case."""
    return text[:1].lower() + text[1:] if lang == "en" else text


def _tornado_sentence(data: ScenarioReportData, lang: str) -> list[str]:
    t = data.tornado[data.tornado["kpi"] == "stockout_rate"]
    if t.empty:
        return []
    t = t.assign(width=(t["high"] - t["low"]).abs()).sort_values("width", ascending=False)
    widest = t.to_dict("records")[0]
    return [
        label("summary_tornado", lang).format(
            factor=_in_sentence(label(str(widest["factor"]), lang), lang),
            low=_fmt(float(widest["low"]), "stockout_rate", lang),
            high=_fmt(float(widest["high"]), "stockout_rate", lang),
        )
    ]


def kpi_table(data: ScenarioReportData, lang: str = "en") -> HtmlBlock:
    """Scenarios side by side: mean (5–95 % of replications), then Δ to the baseline [95 % CI]."""
    names, baseline = data.scenarios, str(data.run["baseline"])
    rows = []
    for kpi in TABLE_KPIS:
        means = [label(kpi, lang)]
        deltas = [f"Δ {label('difference_to', lang).lower()} {baseline}"]
        for name in names:
            mean, p05, p95 = (data.value(name, kpi, c) for c in ("mean", "p05", "p95"))
            means.append(f"{_fmt(mean, kpi, lang)} ({_fmt(p05, kpi, lang)}–{_fmt(p95, kpi, lang)})")
            d = [data.value(name, kpi, c) for c in ("diff_mean", "diff_low", "diff_high")]
            deltas.append(
                ""
                if name == baseline
                else f"{_delta(d[0], kpi)} [{_delta(d[1], kpi)}, {_delta(d[2], kpi)}]"
            )
        rows += [means, deltas]
    frame = pd.DataFrame(rows, columns=["kpi", *names])
    note = HtmlBlock(
        f"<p class='replen-notes'>{esc(label('mean', lang))} ({esc(label('range_5_95', lang))}); "
        f"Δ [{esc(label('ci95', lang))}]</p>"
    )
    title = HtmlBlock(f"<h2>{esc(label('scenarios_side_by_side', lang))}</h2>")
    return title + table(frame, [label("kpi", lang), *names]) + note


def business_case(data: ScenarioReportData, lang: str = "en") -> HtmlBlock:
    """Before / after on the headline KPIs, the observed history, and the mechanism by group."""
    before, after = data.run.get("business_before"), data.run.get("business_after")
    if not (isinstance(before, str) and isinstance(after, str)):
        return HtmlBlock("")
    kpis = ("stockout_rate", "inventory_days", "fill_rate", "inventory_value")
    rows = [
        [
            label(k, lang),
            _fmt(data.observed.get(k, float("nan")), k, lang),
            _fmt(data.value(before, k), k, lang),
            _fmt(data.value(after, k), k, lang),
            _delta(data.value(after, k) - data.value(before, k), k),
        ]
        for k in kpis
    ]
    headers = [
        label("kpi", lang),
        label("observed_history", lang),
        f"{label('before', lang)} ({before})",
        f"{label('after', lang)} ({after})",
        label("change", lang),
    ]
    block = HtmlBlock(f"<h2>{esc(label('business_case', lang))}</h2>") + table(
        pd.DataFrame(rows), headers
    )
    return block + _mechanism_table(data, before, after, lang)


def _mechanism_table(data: ScenarioReportData, before: str, after: str, lang: str) -> HtmlBlock:
    groups = ("erp=under", "erp=aligned", "erp=over")
    if not data.kpis["scope"].isin(groups).any():
        return HtmlBlock("")
    s = data.series[data.series["scenario"] == before]
    rows = []
    for g in groups:
        share = float((s["erp_group"] == g).mean()) if len(s) else float("nan")
        rows.append(
            [label(g, lang), f"{share:.0%}"]
            + [
                _fmt(data.value(name, k, scope=g), k, lang)
                for k in ("stockout_rate", "inventory_days")
                for name in (before, after)
            ]
        )
    headers = [label("group", lang), label("share_of_series", lang)] + [
        f"{label(k, lang)} ({label(w, lang)})"
        for k in ("stockout_rate", "inventory_days")
        for w in ("before", "after")
    ]
    return HtmlBlock(f"<h3>{esc(label('mechanism', lang))}</h3>") + table(
        pd.DataFrame(rows), headers
    )


def calibration_table(data: ScenarioReportData, lang: str = "en") -> HtmlBlock:
    """Per tier: target, achieved before and after, safety factors."""
    c = data.calibration
    if c.empty:
        return HtmlBlock("")
    rows = [
        [
            label(str(r["tier"]), lang),
            int(r["n_series"]),
            f"{r['target']:.1%} {label(str(r['measure']), lang)}",
            "n/a" if _missing(r["z_before"]) else f"{r['z_before']:.2f}",
            _fmt(_num(r["csl_before"]), "cycle_service_level", lang),
            _fmt(_num(r["fill_before"]), "fill_rate", lang),
            f"{r['z_after']:.2f}",
            _fmt(_num(r["csl_after"]), "cycle_service_level", lang),
            _fmt(_num(r["fill_after"]), "fill_rate", lang),
            label("yes" if r["reached"] else "no", lang),
        ]
        for r in c.to_dict("records")
    ]
    headers = [
        label("tier", lang),
        label("series", lang),
        label("target", lang),
        f"{label('safety_factor', lang)} ({label('before', lang)})",
        f"{label('achieved_csl', lang)} ({label('before', lang)})",
        f"{label('achieved_fill', lang)} ({label('before', lang)})",
        f"{label('safety_factor', lang)} ({label('after', lang)})",
        f"{label('achieved_csl', lang)} ({label('after', lang)})",
        f"{label('achieved_fill', lang)} ({label('after', lang)})",
        label("reached", lang),
    ]
    return HtmlBlock(f"<h2>{esc(label('calibration_title', lang))}</h2>") + table(
        pd.DataFrame(rows), headers
    )


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _num(value: Any) -> float:
    return float("nan") if _missing(value) else float(value)


def definitions_table(data: ScenarioReportData, lang: str = "en") -> HtmlBlock:
    """Each scenario's description and overrides as written."""
    d = data.definitions.sort_values("position")
    overrides = [
        ", ".join(
            f"{k}: {json.dumps(v, ensure_ascii=False)}"
            for k, v in json.loads(o).items()
            if k not in ("name", "description")
        )
        or "—"
        for o in d["overrides"]
    ]
    frame = pd.DataFrame({"s": d["scenario"], "d": d["description"], "o": overrides})
    headers = [label("scenario", lang), label("description", lang), label("overrides", lang)]
    return HtmlBlock(f"<h2>{esc(label('definitions', lang))}</h2>") + table(frame, headers)


def methods(data: ScenarioReportData, lang: str = "en") -> HtmlBlock:
    """How the numbers were made (footnote)."""
    text = label("methods_text", lang).format(
        horizon=int(data.run["horizon_days"]),
        warmup=int(data.run["warmup_days"]),
        reps=int(data.run["replications"]),
    )
    return HtmlBlock(
        f"<h3>{esc(label('methods', lang))}</h3><p class='replen-notes'>{esc(text)}</p>"
    )
