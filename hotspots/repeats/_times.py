"""Event points and their times as the Knox test and the repeat counts need them (private)."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from hotspots._errors import InputError

BNG_EPSG = 27700
MONTH = "month"
DAY = "day"


@dataclass(frozen=True)
class EventTimes:
    """Whole time units since an origin: months (``pandas.Period`` ordinals) or days."""

    values: np.ndarray  # int64
    unit: str  # MONTH or DAY

    def to_value(self, ordinal: int) -> object:
        """A time unit number back as a month Period or a day Timestamp."""
        if self.unit == MONTH:
            return pd.Period(ordinal=int(ordinal), freq="M")
        return pd.Timestamp(int(ordinal), unit="D")


def check_points(points: object, what: str = "points") -> gpd.GeoDataFrame:
    """Point geometries on British National Grid (reprojected when in another CRS)."""
    if not isinstance(points, gpd.GeoDataFrame):
        raise InputError(f"{what} must be a GeoDataFrame of points, not {type(points).__name__}")
    if points.crs is None:
        raise InputError(f"{what} have no coordinate reference system: set one (EPSG:27700)")
    geometry = points.geometry
    missing = geometry.isna() | geometry.is_empty
    if missing.any():
        row = points.index[np.flatnonzero(missing.to_numpy())[0]]
        raise InputError(f"{what}: no geometry", row=row, column=points.geometry.name)
    kinds = geometry.geom_type.to_numpy()
    if len(kinds) and (kinds != "Point").any():
        row = points.index[np.flatnonzero(kinds != "Point")[0]]
        raise InputError(
            f"{what} must be points", row=row, column=points.geometry.name, value=kinds[0]
        )
    if points.crs.to_epsg() != BNG_EPSG:
        points = points.to_crs(BNG_EPSG)
    return points


def event_times(points: pd.DataFrame, column: str) -> EventTimes:
    """The ``column`` of ``points`` as whole months or days.

    Monthly ``Period`` values (police.uk's ``month``) count in months; daily
    Periods, dates and datetimes count in days (the time of day is dropped:
    two events on the same calendar day are 0 days apart). Text is parsed as
    ISO 8601 dates (``YYYY-MM-DD``, optionally with a time).
    """
    if column not in points.columns:
        raise InputError(f"no time column {column!r} among {list(points.columns)}", column=column)
    values = points[column]
    if isinstance(values.dtype, pd.PeriodDtype):
        freq = values.dtype.freq
        if isinstance(freq, pd.offsets.MonthEnd) and freq.n == 1:
            unit = MONTH
        elif isinstance(freq, pd.offsets.Day) and freq.n == 1:
            unit = DAY
        else:
            raise InputError(
                "time periods must be months or days", column=column, value=str(values.dtype)
            )
        _check_missing(values, points, column)
        return EventTimes(values.array.asi8.astype(np.int64), unit)
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        values = values.dt.tz_localize(None)
    if not pd.api.types.is_datetime64_any_dtype(values.dtype):
        parsed = pd.to_datetime(values, errors="coerce", format="ISO8601")
        bad = parsed.isna() & values.notna()
        if bad.any():
            first = np.flatnonzero(bad.to_numpy())[0]
            raise InputError(
                "not a date (text must be YYYY-MM-DD, optionally with a time; convert other "
                "formats first, e.g. pandas.to_datetime(..., dayfirst=True))",
                row=points.index[first],
                column=column,
                value=values.iloc[first],
            )
        values = parsed
    _check_missing(values, points, column)
    days = values.to_numpy().astype("datetime64[D]").astype(np.int64)
    return EventTimes(days, DAY)


def _check_missing(values: pd.Series, points: pd.DataFrame, column: str) -> None:
    missing = values.isna().to_numpy()
    if missing.any():
        first = np.flatnonzero(missing)[0]
        raise InputError("no time", row=points.index[first], column=column)
