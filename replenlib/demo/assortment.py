"""The assortment: which item is stocked at which location (the item-location series).

The central warehouse stocks every item; a regional DC stocks most (and everything its
hospitals stock); a hospital stock point stocks an assortment chosen by its departments.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from replenlib.demo.catalogue import CATEGORY_NAMES, Catalogue
from replenlib.demo.network import CATEGORY_DEPARTMENTS, DEPARTMENTS, Network

IntArray = npt.NDArray[np.int64]

#: Probability that a DC stocks an item of the category (before closure over its hospitals).
DC_STOCKING: dict[str, float] = {
    "orthopaedic_implant": 0.6,
    "cardiac_stent": 0.7,
    "ivd_reagent": 0.75,
    "surgical_consumable": 0.85,
    "wound_dressing": 0.85,
    "equipment_spare": 0.45,
}
#: Probability that a hospital with the right department stocks an item of the category.
HOSPITAL_STOCKING: dict[str, float] = {
    "orthopaedic_implant": 0.35,
    "cardiac_stent": 0.5,
    "ivd_reagent": 0.45,
    "surgical_consumable": 0.45,
    "wound_dressing": 0.5,
    "equipment_spare": 0.08,
}


@dataclass(frozen=True)
class Assortment:
    """Item-location series, ordered by level (central first), then location, then item."""

    item: IntArray  # item index per series
    location: IntArray  # location index per series
    level: IntArray  # 0 central, 1 DC, 2 hospital
    parent: IntArray  # series index of the same item at the parent location, -1 central
    customers: IntArray  # (n_series, 3) candidate customer indices, -1 padded

    @property
    def n_series(self) -> int:
        """Number of item-location series."""
        return len(self.item)


def _stocked(
    rng: np.random.Generator, catalogue: Catalogue, network: Network
) -> npt.NDArray[np.bool_]:
    n_loc = len(network.location_ids)
    names = [CATEGORY_NAMES[c] for c in catalogue.category.tolist()]
    stocked = np.zeros((catalogue.n_items, n_loc), dtype=bool)
    dc_odds = np.array([DC_STOCKING[n] for n in names])
    hospital_odds = np.array([HOSPITAL_STOCKING[n] for n in names])
    for loc in range(n_loc):
        if network.level[loc] == 0:
            stocked[:, loc] = True
        elif network.level[loc] == 1:
            stocked[:, loc] = rng.random(catalogue.n_items) < dc_odds
        else:
            served = np.array([_has_department(network, loc, n) for n in names])
            stocked[:, loc] = served & (rng.random(catalogue.n_items) < hospital_odds)
    for loc in np.flatnonzero(network.level == 2).tolist():
        stocked[:, network.parent[loc]] |= stocked[:, loc]
    return stocked


def _has_department(network: Network, location: int, category: str) -> bool:
    wanted = [DEPARTMENTS.index(d) for d in CATEGORY_DEPARTMENTS[category]]
    return bool(network.departments[location, wanted[0]])


def make_assortment(rng: np.random.Generator, catalogue: Catalogue, network: Network) -> Assortment:
    """Choose the stocked item-locations and link each to its parent series."""
    stocked = _stocked(rng, catalogue, network)
    order = np.lexsort((np.arange(len(network.level)), network.level))
    items_list, locations_list = [], []
    for loc in order.tolist():
        members = np.flatnonzero(stocked[:, loc])
        items_list.append(members)
        locations_list.append(np.full(len(members), loc))
    item = np.concatenate(items_list).astype(np.int64)
    location = np.concatenate(locations_list).astype(np.int64)
    index = np.full(stocked.shape, -1, dtype=np.int64)
    index[item, location] = np.arange(len(item))
    parent_location = network.parent[location]
    parent = np.where(parent_location >= 0, index[item, np.maximum(parent_location, 0)], -1)
    level = network.level[location]
    customers = _candidate_customers(catalogue, network, item, location)
    return Assortment(item, location, level, parent.astype(np.int64), customers)


def _candidate_customers(
    catalogue: Catalogue, network: Network, item: IntArray, location: IntArray
) -> IntArray:
    """Up to three customers per series: departments by category, or external customers."""
    n_loc, n_cat = len(network.location_ids), len(CATEGORY_NAMES)
    table = np.full((n_loc, n_cat, 3), -1, dtype=np.int64)
    for loc in range(n_loc):
        mine = np.flatnonzero(network.customer_location == loc)
        for c, name in enumerate(CATEGORY_NAMES):
            if network.level[loc] < 2:
                chosen = mine[:3]
            else:
                wanted = [DEPARTMENTS.index(d) for d in CATEGORY_DEPARTMENTS[name]]
                chosen = np.array(
                    [m for m in mine.tolist() if network.customer_department[m] in wanted][:3],
                    dtype=np.int64,
                )
            table[loc, c, : len(chosen)] = chosen
    return table[location, catalogue.category[item]]
