"""The supply network: locations, customers, suppliers, sourcing and the assortment.

Location levels: 0 = central warehouse (buys from suppliers), 1 = regional DC (replenished
from the central warehouse), 2 = hospital stock point (replenished from its DC).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

KIND_BY_LEVEL: tuple[str, ...] = ("central_warehouse", "regional_dc", "hospital")
DEPARTMENTS: tuple[str, ...] = (
    "orthopaedics",
    "cardiology",
    "laboratory",
    "operating_theatre",
    "icu",
    "wards",
    "clinical_engineering",
)
_DEPARTMENT_NAMES = {
    "orthopaedics": "Orthopaedics",
    "cardiology": "Cardiology (cath lab)",
    "laboratory": "Clinical laboratory",
    "operating_theatre": "Operating theatre",
    "icu": "Intensive care unit",
    "wards": "General wards",
    "clinical_engineering": "Clinical engineering",
}
#: Which departments draw which category at a hospital stock point.
CATEGORY_DEPARTMENTS: dict[str, tuple[str, ...]] = {
    "orthopaedic_implant": ("orthopaedics", "operating_theatre"),
    "cardiac_stent": ("cardiology",),
    "ivd_reagent": ("laboratory",),
    "surgical_consumable": ("operating_theatre", "icu", "wards"),
    "wound_dressing": ("wards", "icu", "operating_theatre"),
    "equipment_spare": ("clinical_engineering", "laboratory"),
}

# (location_id, name, region, city, parent, transfer lead time [days], external customers)
_CENTRAL = (
    "CW-SH",
    "Shanghai Songjiang central warehouse",
    "East China",
    "Shanghai",
    None,
    0,
    (
        "Shanghai Minhang Central Hospital",
        "Shanghai Jing'an Community Health Centre",
        "Suzhou Gusu District Hospital",
    ),
)
_DCS = (
    (
        "DC-BJ",
        "Beijing Daxing regional DC",
        "North China",
        "Beijing",
        "CW-SH",
        3,
        (
            "Beijing Fengtai District Hospital",
            "Langfang People's Hospital No. 2",
            "Beijing Shunyi Women and Children's Clinic",
        ),
    ),
    (
        "DC-GZ",
        "Guangzhou Huangpu regional DC",
        "South China",
        "Guangzhou",
        "CW-SH",
        3,
        (
            "Guangzhou Panyu Central Hospital",
            "Dongguan Songshan Lake Hospital",
            "Zhuhai Xiangzhou Community Clinic",
        ),
    ),
    (
        "DC-CD",
        "Chengdu Shuangliu regional DC",
        "Southwest China",
        "Chengdu",
        "CW-SH",
        4,
        (
            "Chengdu Wenjiang District Hospital",
            "Deyang People's Hospital No. 3",
            "Leshan Shizhong Community Clinic",
        ),
    ),
    (
        "DC-WH",
        "Wuhan Dongxihu regional DC",
        "Central China",
        "Wuhan",
        "CW-SH",
        2,
        (
            "Wuhan Hanyang District Hospital",
            "Xiaogan Central Hospital",
            "Ezhou Echeng Community Clinic",
        ),
    ),
)
_HOSPITALS = (
    ("HP-BJ1", "Beijing Haidian Renkang Hospital", "North China", "Beijing", "DC-BJ", 1),
    ("HP-TJ1", "Tianjin Binhai Xinhua Hospital", "North China", "Tianjin", "DC-BJ", 2),
    ("HP-SJZ", "Shijiazhuang Yuhua Hospital", "North China", "Shijiazhuang", "DC-BJ", 2),
    ("HP-GZ1", "Guangzhou Tianhe Kangning Hospital", "South China", "Guangzhou", "DC-GZ", 1),
    ("HP-SZ1", "Shenzhen Nanshan Huamei Hospital", "South China", "Shenzhen", "DC-GZ", 2),
    ("HP-FS1", "Foshan Chancheng Hospital", "South China", "Foshan", "DC-GZ", 1),
    ("HP-CD1", "Chengdu Wuhou Huaxi Hospital", "Southwest China", "Chengdu", "DC-CD", 1),
    ("HP-CQ1", "Chongqing Yubei Jiahe Hospital", "Southwest China", "Chongqing", "DC-CD", 2),
    ("HP-MY1", "Mianyang Fucheng Hospital", "Southwest China", "Mianyang", "DC-CD", 2),
    ("HP-WH1", "Wuhan Wuchang Tongren Hospital", "Central China", "Wuhan", "DC-WH", 1),
    ("HP-CS1", "Changsha Yuelu Xiangya Hospital", "Central China", "Changsha", "DC-WH", 2),
    ("HP-YC1", "Yichang Xiling Hospital", "Central China", "Yichang", "DC-WH", 2),
)


@dataclass(frozen=True)
class Network:
    """Locations, customers and suppliers as arrays and frames."""

    location_ids: tuple[str, ...]
    level: IntArray  # 0 central, 1 DC, 2 hospital
    parent: IntArray  # parent location index, -1 for the central warehouse
    transfer_lead_time: IntArray  # [days] from the parent, 0 for the central warehouse
    departments: BoolArray  # (n_locations, len(DEPARTMENTS)), hospitals only
    customer_ids: tuple[str, ...]
    customer_location: IntArray
    customer_department: IntArray  # index into DEPARTMENTS, -1 for external customers
    locations: pd.DataFrame
    customers: pd.DataFrame


def make_network(rng: np.random.Generator, n_dcs: int, hospitals: tuple[int, ...]) -> Network:
    """Build the locations and customers.

    Parameters
    ----------
    rng : numpy.random.Generator
    n_dcs : int
        Number of regional DCs (1-4).
    hospitals : tuple of int
        Hospital stock points under each DC, e.g. ``(2, 1, 1)``.

    Returns
    -------
    Network
    """
    rows: list[tuple[object, ...]] = [_CENTRAL[:6]]
    for dc, count in zip(_DCS[:n_dcs], hospitals, strict=True):
        rows.append(dc[:6])
        rows.extend([h for h in _HOSPITALS if h[4] == dc[0]][:count])
    ids = tuple(str(r[0]) for r in rows)
    level = np.array(
        [0 if r[4] is None else (1 if str(r[0]).startswith("DC") else 2) for r in rows],
        dtype=np.int64,
    )
    parent = np.array([-1 if r[4] is None else ids.index(str(r[4])) for r in rows])
    departments = _departments(rng, level, parent)
    locations = pd.DataFrame(
        {
            "location_id": list(ids),
            "name": [str(r[1]) for r in rows],
            "kind": [KIND_BY_LEVEL[v] for v in level.tolist()],
            "region": [str(r[2]) for r in rows],
            "city": [str(r[3]) for r in rows],
            "parent_location_id": [None if r[4] is None else str(r[4]) for r in rows],
        }
    )
    customers = _customers(rows, ids, level, departments)
    return Network(
        ids,
        level,
        parent.astype(np.int64),
        np.array([int(str(r[5])) for r in rows], dtype=np.int64),
        departments,
        tuple(customers["customer_id"]),
        customers.pop("_location").to_numpy(np.int64),
        customers.pop("_department").to_numpy(np.int64),
        locations,
        customers,
    )


def _departments(rng: np.random.Generator, level: IntArray, parent: IntArray) -> BoolArray:
    """Departments per hospital: the first hospital under each DC is a full tertiary hospital."""
    flags = np.zeros((len(level), len(DEPARTMENTS)), dtype=bool)
    seen: set[int] = set()
    odds = np.array([0.7, 0.6, 0.8, 1.0, 0.8, 1.0, 1.0])
    for loc in np.flatnonzero(level == 2).tolist():
        tertiary = int(parent[loc]) not in seen
        seen.add(int(parent[loc]))
        flags[loc] = True if tertiary else rng.random(len(DEPARTMENTS)) < odds
    return flags


def _customers(
    rows: list[tuple[object, ...]], ids: tuple[str, ...], level: IntArray, departments: BoolArray
) -> pd.DataFrame:
    records: list[tuple[str, str, str, str, int, int]] = []
    external = {str(_CENTRAL[0]): _CENTRAL[6], **{str(d[0]): d[6] for d in _DCS}}
    for loc, row in enumerate(rows):
        if level[loc] < 2:
            for k, name in enumerate(external[ids[loc]]):
                kind = "clinic" if "Clinic" in name or "Centre" in name else "hospital"
                records.append((f"CU-{ids[loc][3:]}-{k + 1:02d}", name, kind, ids[loc], loc, -1))
            continue
        for d, dept in enumerate(DEPARTMENTS):
            if departments[loc, d]:
                records.append(
                    (
                        f"CU-{ids[loc][3:]}-{dept[:4].upper()}",
                        f"{row[1]} – {_DEPARTMENT_NAMES[dept]}",
                        "department",
                        ids[loc],
                        loc,
                        d,
                    )
                )
    return pd.DataFrame(
        records, columns=["customer_id", "name", "kind", "location_id", "_location", "_department"]
    )
