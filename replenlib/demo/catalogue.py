"""The item catalogue: categories, manufacturers, descriptions, GTINs and units of measure.

Every number used here is documented in the package docstring (:mod:`replenlib.demo`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from replenlib.codes import make_gtin, with_indicator
from replenlib.demo.calendar import Calendar, day_dates
from replenlib.demo.texts import MANUFACTURERS, TEMPLATES

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Category:
    """Properties shared by the items of one category (see the package docstring)."""

    name: str
    prefix: str
    share: float
    risk_classes: tuple[tuple[str, float], ...]
    criticality: tuple[tuple[str, float], ...]
    serialised: bool
    cold_chain: bool
    shelf_life_days: tuple[int, int] | None
    consignment_prob: float
    substitutable_prob: float
    hospital_rate: tuple[float, float]  # [units/day] typical hospital demand, 10th-90th pct
    box_sizes: tuple[int, ...]  # inner pack choices; 1 = sold by the each


CATEGORIES: tuple[Category, ...] = (
    Category(
        "orthopaedic_implant",
        "ORT",
        0.14,
        (("III", 1.0),),
        (("critical", 0.3), ("high", 0.7)),
        True,
        False,
        (1460, 1825),
        0.75,
        0.2,
        (0.05, 0.3),
        (1,),
    ),
    Category(
        "cardiac_stent",
        "CRD",
        0.06,
        (("III", 1.0),),
        (("critical", 0.6), ("high", 0.4)),
        True,
        False,
        (730, 1095),
        0.6,
        0.5,
        (0.06, 0.5),
        (1,),
    ),
    Category(
        "ivd_reagent",
        "IVD",
        0.20,
        (("II", 0.7), ("III", 0.3)),
        (("critical", 0.2), ("high", 0.5), ("medium", 0.3)),
        False,
        True,
        (180, 540),
        0.0,
        0.1,
        (0.15, 1.5),
        (1,),
    ),
    Category(
        "surgical_consumable",
        "SRG",
        0.34,
        (("I", 0.4), ("II", 0.6)),
        (("high", 0.2), ("medium", 0.5), ("low", 0.3)),
        False,
        False,
        (1095, 1825),
        0.0,
        0.6,
        (1.5, 40.0),
        (10, 20, 50, 100),
    ),
    Category(
        "wound_dressing",
        "DRS",
        0.16,
        (("I", 0.5), ("II", 0.5)),
        (("medium", 0.5), ("low", 0.5)),
        False,
        False,
        (730, 1825),
        0.0,
        0.6,
        (1.0, 15.0),
        (5, 10, 20),
    ),
    Category(
        "equipment_spare",
        "SPR",
        0.10,
        (("I", 1.0),),
        (("critical", 0.2), ("high", 0.4), ("medium", 0.4)),
        False,
        False,
        None,
        0.0,
        0.0,
        (0.004, 0.03),
        (1,),
    ),
)
CATEGORY_NAMES: tuple[str, ...] = tuple(c.name for c in CATEGORIES)

#: Item lifecycles. ``new`` items launch during the history, ``end_of_life`` ones decline.
LIFECYCLES: tuple[str, ...] = ("mature", "new", "end_of_life")
LIFECYCLE_SHARES: tuple[float, float, float] = (0.89, 0.06, 0.05)


@dataclass(frozen=True)
class Catalogue:
    """Item master as arrays (for simulation) and as the ``items``/``item_uom`` frames."""

    item_ids: tuple[str, ...]
    category: IntArray  # index into CATEGORIES
    manufacturer: IntArray  # index into MANUFACTURERS
    unit_cost: FloatArray  # [CNY per base unit]
    is_serialised: BoolArray
    is_cold_chain: BoolArray
    shelf_life_days: IntArray  # -1 = no expiry
    min_remaining_days: IntArray  # 0 when no expiry
    popularity: FloatArray  # [units/day] typical demand at a hospital stock point
    box_size: IntArray  # [base units] inner pack = supplier order multiple
    lifecycle: IntArray  # index into LIFECYCLES
    launch_day: IntArray  # day index (negative = before history)
    eol_day: IntArray  # day index of end of life; large when still sold
    decline_days: IntArray  # [days] length of the end-of-life run-down
    items: pd.DataFrame
    item_uom: pd.DataFrame

    @property
    def n_items(self) -> int:
        """Number of items."""
        return len(self.item_ids)


def _choose(rng: np.random.Generator, options: tuple[tuple[str, float], ...], n: int) -> list[str]:
    names = [name for name, _ in options]
    weights = np.array([w for _, w in options])
    return [names[i] for i in rng.choice(len(names), size=n, p=weights / weights.sum())]


def _category_counts(n_items: int) -> IntArray:
    shares = np.array([c.share for c in CATEGORIES])
    counts = np.floor(shares / shares.sum() * n_items).astype(np.int64)
    counts[np.argmax(shares)] += n_items - counts.sum()
    return np.asarray(counts, dtype=np.int64)


def _log_uniform(rng: np.random.Generator, bounds: tuple[float, float], n: int) -> FloatArray:
    low, high = np.log(bounds[0]), np.log(bounds[1])
    return np.asarray(np.exp(rng.uniform(low, high, n)), dtype=np.float64)


def _describe(rng: np.random.Generator, category: str, n: int) -> tuple[list[str], FloatArray]:
    """Draw ``n`` descriptions and unit costs [CNY] from the category's templates."""
    templates = TEMPLATES[category]
    picks = rng.integers(0, len(templates), n)
    texts: list[str] = []
    costs = np.empty(n)
    for k, pick in enumerate(picks):
        template = templates[pick]
        values = {
            name: choices[rng.integers(0, len(choices))]
            for name, choices in template.choices.items()
        }
        texts.append(template.text.format(**values))
        costs[k] = _log_uniform(rng, template.cost, 1)[0]
    return texts, np.round(costs, 2)


def _manufacturers_for(rng: np.random.Generator, category: str, n: int) -> IntArray:
    makers = [i for i, m in enumerate(MANUFACTURERS) if category in m.categories]
    weights = np.array([MANUFACTURERS[i].weight for i in makers])
    return np.asarray(
        np.array(makers)[rng.choice(len(makers), n, p=weights / weights.sum())], dtype=np.int64
    )


def _lifecycle(rng: np.random.Generator, n: int, n_days: int) -> tuple[IntArray, ...]:
    """Draw lifecycle, launch day, end-of-life day and run-down length per item."""
    lifecycle = rng.choice(len(LIFECYCLES), n, p=np.array(LIFECYCLE_SHARES))
    launch = -rng.integers(365, 12 * 365, n)
    new = lifecycle == 1
    launch[new] = rng.integers(90, max(n_days - 150, 91), new.sum())
    eol = np.full(n, 10**6, dtype=np.int64)
    old = lifecycle == 2
    eol[old] = rng.integers(n_days - 240, n_days + 120, old.sum())
    decline = rng.integers(150, 330, n)
    return (lifecycle.astype(np.int64), launch.astype(np.int64), eol, decline.astype(np.int64))


def _gtins(manufacturer: IntArray) -> list[str]:
    """Base-unit GTIN-14 per item: the maker's company prefix and a running item reference."""
    next_reference: dict[int, int] = {}
    gtins = []
    for maker in manufacturer.tolist():
        reference = next_reference.get(maker, 101)
        next_reference[maker] = reference + 7
        gtins.append(make_gtin(MANUFACTURERS[maker].company_prefix, reference))
    return gtins


def _uom_frame(
    item_ids: tuple[str, ...], gtins: list[str], box: IntArray, category: IntArray
) -> pd.DataFrame:
    """Units of measure: EA always; a box (indicator 1) and a case (indicator 2) for packs."""
    rows: list[tuple[str, str, float, str]] = []
    for item_id, gtin, size, cat in zip(
        item_ids, gtins, box.tolist(), category.tolist(), strict=True
    ):
        rows.append((item_id, "EA", 1.0, gtin))
        if size > 1:
            rows.append((item_id, f"BX{size}", float(size), with_indicator(gtin, 1)))
            case = size * (10 if size <= 20 else 5)
            rows.append((item_id, f"CS{case}", float(case), with_indicator(gtin, 2)))
        elif CATEGORIES[cat].name == "ivd_reagent":
            rows.append((item_id, "CS6", 6.0, with_indicator(gtin, 1)))
    return pd.DataFrame(rows, columns=["item_id", "uom", "factor_to_base", "gtin"])


def _box_sizes(rng: np.random.Generator, category: IntArray, popularity: FloatArray) -> IntArray:
    """Inner pack per item: the largest of the category's packs below ~4 days of demand."""
    box = np.ones(len(category), dtype=np.int64)
    for c, spec in enumerate(CATEGORIES):
        sizes = np.array(spec.box_sizes)
        members = np.flatnonzero(category == c)
        if len(sizes) == 1:
            box[members] = sizes[0]
            continue
        fits = sizes[None, :] <= 4.0 * popularity[members, None]
        best = np.where(fits.any(axis=1), fits.sum(axis=1) - 1, 0)
        jitter = rng.integers(-1, 1, len(members), endpoint=True)
        box[members] = sizes[np.clip(best + jitter, 0, len(sizes) - 1)]
    return box


def _shelf_life(rng: np.random.Generator, category: IntArray) -> tuple[IntArray, IntArray]:
    """Shelf life [days] (-1 = none) and minimum remaining shelf life at the customer [days]."""
    shelf = np.full(len(category), -1, dtype=np.int64)
    for c, spec in enumerate(CATEGORIES):
        members = np.flatnonzero(category == c)
        if spec.shelf_life_days is not None:
            months = rng.integers(
                spec.shelf_life_days[0] // 30,
                spec.shelf_life_days[1] // 30,
                len(members),
                endpoint=True,
            )
            shelf[members] = np.round(months * 30.4).astype(np.int64)
    minimum = np.where(shelf > 0, np.clip(np.round(shelf * 0.2 / 30) * 30, 30, 365), 0)
    return shelf, minimum.astype(np.int64)


def make_catalogue(rng: np.random.Generator, n_items: int, calendar: Calendar) -> Catalogue:
    """Draw ``n_items`` items across the categories.

    Parameters
    ----------
    rng : numpy.random.Generator
    n_items : int
        Number of items.
    calendar : Calendar
        The history; launch and end-of-life dates are placed relative to it.

    Returns
    -------
    Catalogue
    """
    counts = _category_counts(n_items)
    category = np.repeat(np.arange(len(CATEGORIES)), counts)
    category = category[rng.permutation(n_items)]
    manufacturer = np.zeros(n_items, dtype=np.int64)
    descriptions = [""] * n_items
    unit_cost = np.zeros(n_items)
    for c, spec in enumerate(CATEGORIES):
        members = np.flatnonzero(category == c)
        manufacturer[members] = _manufacturers_for(rng, spec.name, len(members))
        texts, costs = _describe(rng, spec.name, len(members))
        unit_cost[members] = costs
        for k, i in enumerate(members.tolist()):
            descriptions[i] = texts[k]
    popularity = np.zeros(n_items)
    for c, spec in enumerate(CATEGORIES):
        members = np.flatnonzero(category == c)
        popularity[members] = _log_uniform(rng, spec.hospital_rate, len(members))
    shelf, minimum = _shelf_life(rng, category)
    lifecycle, launch, eol, decline = _lifecycle(rng, n_items, calendar.n_days)
    prefixes = [CATEGORIES[c].prefix for c in category.tolist()]
    item_ids = tuple(f"{p}{i + 1:06d}" for i, p in enumerate(prefixes))
    box = _box_sizes(rng, category, popularity)
    serial = np.array([CATEGORIES[c].serialised for c in category.tolist()], dtype=bool)
    cold = np.array([CATEGORIES[c].cold_chain for c in category.tolist()], dtype=bool)
    gtins = _gtins(manufacturer)
    items = _items_frame(
        rng,
        item_ids,
        gtins,
        descriptions,
        category,
        manufacturer,
        unit_cost,
        serial,
        cold,
        shelf,
        minimum,
        launch,
        eol,
        calendar,
    )
    return Catalogue(
        item_ids,
        category,
        manufacturer,
        unit_cost,
        serial,
        cold,
        shelf,
        minimum,
        popularity,
        box,
        lifecycle,
        launch,
        eol,
        decline,
        items,
        _uom_frame(item_ids, gtins, box, category),
    )


def _nullable_int(values: IntArray, present: BoolArray) -> pd.Series:
    """An ``Int64`` column with <NA> where ``present`` is false."""
    return pd.Series(pd.array(values, dtype="Int64")).where(present)


def _items_frame(
    rng: np.random.Generator,
    item_ids: tuple[str, ...],
    gtins: list[str],
    descriptions: list[str],
    category: IntArray,
    manufacturer: IntArray,
    unit_cost: FloatArray,
    serial: BoolArray,
    cold: BoolArray,
    shelf: IntArray,
    minimum: IntArray,
    launch: IntArray,
    eol: IntArray,
    calendar: Calendar,
) -> pd.DataFrame:
    n = len(item_ids)
    cats = [CATEGORIES[c] for c in category.tolist()]
    risk = [_choose(rng, c.risk_classes, 1)[0] for c in cats]
    criticality = [_choose(rng, c.criticality, 1)[0] for c in cats]
    consignment = rng.random(n) < np.array([c.consignment_prob for c in cats])
    substitutable = rng.random(n) < np.array([c.substitutable_prob for c in cats])
    is_spare = np.array([c.name == "equipment_spare" for c in cats])
    excursion = np.where(cold, rng.integers(2, 9, n) * 15, -1)
    eol_dates = pd.Series(day_dates(calendar.start, np.minimum(eol, 10**5)))
    return pd.DataFrame(
        {
            "item_id": list(item_ids),
            "gtin": gtins,
            "description": descriptions,
            "category": [c.name for c in cats],
            "manufacturer": [MANUFACTURERS[m].name for m in manufacturer.tolist()],
            "risk_class": risk,
            "criticality": criticality,
            "base_uom": ["EA"] * n,
            "unit_cost": unit_cost,
            "is_serialised": serial,
            "is_lot_controlled": ~is_spare,
            "is_consignment": consignment,
            "is_substitutable": substitutable,
            "is_cold_chain": cold,
            "storage_temp_min_c": np.where(cold, 2.0, np.where(is_spare, np.nan, 10.0)),
            "storage_temp_max_c": np.where(cold, 8.0, np.where(is_spare, np.nan, 30.0)),
            "allowed_excursion_minutes": _nullable_int(excursion, excursion > 0),
            "shelf_life_days": _nullable_int(shelf, shelf > 0),
            "min_remaining_shelf_life_days": _nullable_int(minimum, shelf > 0),
            "launch_date": day_dates(calendar.start, launch),
            "end_of_life_date": eol_dates.where(eol < 10**5),
        }
    )
