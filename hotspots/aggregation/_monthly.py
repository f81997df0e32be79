"""Incidents per area and month: the space-time cube straight from the data."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hotspots.aggregation._aggregate import MONTHLY, aggregate

if TYPE_CHECKING:
    from collections.abc import Iterable

    import geopandas as gpd
    import pandas as pd


def aggregate_monthly(
    data: pd.DataFrame,
    areas: gpd.GeoDataFrame,
    *,
    crime_types: str | Iterable[str] | None = None,
    tolerance: float = 20.0,
) -> pd.DataFrame:
    """Count incidents per area and month: the table the space-time methods take.

    The same counting as :func:`hotspots.aggregate` (same placement of points,
    same coverage rules), month by month; it always returns this one type
    (``aggregate(..., by="month")`` did, and is deprecated).

    Parameters
    ----------
    data : pandas.DataFrame or geopandas.GeoDataFrame
        Incident points (:func:`hotspots.read_police_uk`,
        :func:`hotspots.points_from_frame`) or a counted table with
        ``area_code`` and ``count`` columns (:func:`hotspots.read_met_crime`),
        with a ``month`` column.
    areas : geopandas.GeoDataFrame
        Any :mod:`boundaries` layer or your own polygons, indexed by area code.
    crime_types : str or list of str, optional
        As for :func:`hotspots.aggregate`.
    tolerance : float, default 20.0
        Metres; as for :func:`hotspots.aggregate` (points only).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``areas``, one column per month (a ``PeriodIndex`` named
        ``month``, every month from the first to the last): 0 where the source
        covers the area and recorded nothing, NaN where it does not cover the
        area that month. For police.uk points coverage is decided month by
        month from the forces that published that month. ``attrs["hotspots"]``
        holds the provenance and ``attrs["report"]`` a
        :class:`hotspots.LoadReport` accounting for every incident.

    Raises
    ------
    hotspots.InputError
        No ``month`` column, or any problem :func:`hotspots.aggregate` reports.

    See Also
    --------
    aggregate : totals (and rates) per area over the whole period.
    space_time_cube : checks a cube and adds months up into quarters or years.

    Examples
    --------
    >>> import boundaries, hotspots
    >>> crime = hotspots.read_met_crime(hotspots.sample_path("mps-ward-crime"))
    >>> monthly = hotspots.aggregate_monthly(crime, boundaries.load("wards"),
    ...                                      crime_types="burglary")
    >>> monthly.columns.name, str(monthly.columns[0]), monthly.shape[0]
    ('month', '2023-07', 680)
    >>> bool(monthly.loc["E09000001"].isna().all())  # the City: not the Met's area
    True
    """
    return aggregate(data, areas, by=MONTHLY, crime_types=crime_types, tolerance=tolerance)
