"""Today's ERP replenishment settings: a static reorder point and order quantity per series.

They were "set once long ago" from old demand estimates: the estimate is the true base rate
times log-normal noise (sigma 0.35), echelon rates add the children's, and the safety factor
is itself noisy, so some series are under-protected (stockouts) and some over-stocked::

    m   = r_old * (L + 1)                                     mean demand over lead time + review
    ROP = ceil(m + z * sqrt(m * mu * (1 + c^2) + (r_old * sigma_L)^2))
    Q   = max(MOQ, order_multiple * ceil(r_old * cover / order_multiple))

with ``z ~ N(1.2, 0.45)`` clipped to [0.3, 2.6], ``cover`` = 30 days (imported) or 21 days
(domestic) at the central warehouse, 14 days at a DC and 7 days at a hospital.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from replenlib.demo.assortment import Assortment
from replenlib.demo.demand import SeriesParameters
from replenlib.demo.network import Network
from replenlib.demo.sourcing import Suppliers

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

COVER_DAYS: tuple[float, float, float] = (21.0, 14.0, 7.0)  # central (domestic), DC, hospital
IMPORTED_COVER_DAYS: float = 30.0


@dataclass(frozen=True)
class ErpSettings:
    """Reorder point and order quantity [base units] and the replenishment lead time [days]."""

    reorder_point: IntArray
    order_quantity: IntArray
    lead_time: IntArray


def echelon_rate(assortment: Assortment, rate: FloatArray) -> FloatArray:
    """Add each series' children's (echelon) rates to its own, bottom level first."""
    total = rate.copy()
    for level in (2, 1):
        kids = np.flatnonzero(assortment.level == level)
        np.add.at(total, assortment.parent[kids], total[kids])
    return total


def make_erp_settings(
    rng: np.random.Generator,
    assortment: Assortment,
    params: SeriesParameters,
    network: Network,
    suppliers: Suppliers,
) -> ErpSettings:
    """Draw the static ERP reorder point and order quantity of every series."""
    n = assortment.n_series
    old_rate = params.base_rate * rng.lognormal(0.0, 0.35, n)
    rate = echelon_rate(assortment, old_rate)
    primary = suppliers.primary[assortment.item]
    central = assortment.level == 0
    lead = np.where(
        central,
        suppliers.quoted_lead_time[primary],
        network.transfer_lead_time[assortment.location],
    ).astype(np.int64)
    sigma_lead = np.where(
        central, suppliers.lead_time_cv[primary] * suppliers.lead_time_mean[primary], 0.5
    )
    mean = rate * (lead + 1.0)
    z = np.clip(rng.normal(1.2, 0.45, n), 0.3, 2.6)
    variance = mean * params.size_mean * (1.0 + params.size_cv**2) + (rate * sigma_lead) ** 2
    reorder_point = np.ceil(mean + z * np.sqrt(variance)).astype(np.int64)
    cover = np.array(COVER_DAYS)[assortment.level]
    imported = ~suppliers.is_domestic[primary]
    cover = np.where(central & imported, IMPORTED_COVER_DAYS, cover)
    multiple = np.where(central, suppliers.order_multiple[assortment.item], 1)
    quantity = multiple * np.ceil(rate * cover / multiple)
    quantity = np.where(central, np.maximum(quantity, suppliers.moq[assortment.item]), quantity)
    return ErpSettings(reorder_point, np.maximum(quantity, 1).astype(np.int64), lead)


def item_location_frame(
    assortment: Assortment, settings: ErpSettings, network: Network, item_ids: tuple[str, ...]
) -> pd.DataFrame:
    """The ``item_location`` table."""
    source = np.where(assortment.level == 0, -1, network.parent[assortment.location])
    location_ids = np.array(network.location_ids)
    transfer = network.transfer_lead_time[assortment.location]
    return pd.DataFrame(
        {
            "item_id": np.array(item_ids)[assortment.item],
            "location_id": location_ids[assortment.location],
            "source_location_id": pd.Series(location_ids[np.maximum(source, 0)]).where(source >= 0),
            "transfer_lead_time_days": pd.Series(pd.array(transfer, dtype="Int64")).where(
                source >= 0
            ),
            "erp_reorder_point": settings.reorder_point.astype(float),
            "erp_order_quantity": settings.order_quantity.astype(float),
        }
    )
