"""Small helpers that turn index arrays into frame columns quickly (via Arrow)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

IntArray = npt.NDArray[np.int64]


def labels(names: Sequence[str], codes: npt.ArrayLike) -> pd.Series:
    """Map integer codes to strings; negative codes become missing values."""
    codes_array = np.asarray(codes, dtype=np.int64)
    dictionary = pa.array(list(names), type=pa.string())
    mask = codes_array < 0
    indices = pa.array(np.where(mask, 0, codes_array), mask=mask)
    return pd.Series(dictionary.take(indices).to_pandas())


def missing(length: int) -> pd.Series:
    """A string column of ``length`` missing values (Arrow-backed, like :func:`labels`)."""
    return labels(("",), np.full(length, -1, dtype=np.int64))


def numbered(prefix: str, numbers: npt.ArrayLike, width: int) -> pd.Series:
    """``prefix`` followed by zero-padded ``numbers`` (e.g. ``LOT0000042``)."""
    text = pc.utf8_lpad(
        pc.cast(pa.array(np.asarray(numbers, dtype=np.int64)), pa.string()),
        width=width,
        padding="0",
    )
    joined = pc.binary_join_element_wise(pa.scalar(prefix), text, "")
    return pd.Series(joined.to_pandas())


def dates(start: datetime.date, days: npt.ArrayLike) -> npt.NDArray[np.datetime64]:
    """Day offsets from ``start`` as ``datetime64[s]`` at midnight."""
    return (np.datetime64(start, "D") + np.asarray(days, dtype=np.int64)).astype("datetime64[s]")


def nullable_dates(
    start: datetime.date, days: npt.ArrayLike, present: npt.ArrayLike
) -> npt.NDArray[np.datetime64]:
    """Like :func:`dates` with NaT where ``present`` is false."""
    values = dates(start, np.where(np.asarray(present), np.asarray(days), 0))
    values[~np.asarray(present, dtype=bool)] = np.datetime64("NaT")
    return values
