"""London's official boundaries and population, shipped inside the package.

Every layer is a GeoDataFrame in British National Grid (EPSG:27700) indexed by GSS
code (index name ``code``), with a ``name`` column and, below borough level,
``borough_code`` and ``borough_name``. The files were made from the official ONS and
Greater London Authority releases by ``scripts/prepare_data.py`` (in the source
repository); see ``boundaries/README.md`` for sources, attribution and licence.

Contains National Statistics data © Crown copyright and database right 2024.
Contains Ordnance Survey data © Crown copyright and database right 2024.
Contains public sector information licensed under the Open Government Licence v3.0.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

import geopandas as gpd
import pandas as pd

__all__ = ["layers", "load", "outline", "population"]

_DATA = resources.files(__name__) / "data"


@functools.lru_cache(maxsize=1)
def _manifest() -> dict[str, Any]:
    return json.loads((_DATA / "manifest.json").read_text(encoding="utf-8"))


def _check_layer(layer: str) -> dict[str, Any]:
    entries = _manifest()["layers"]
    if layer not in entries:
        valid = ", ".join(repr(name) for name in entries)
        raise ValueError(f"unknown layer {layer!r}; valid layers are {valid}")
    return entries[layer]


def _read_parquet(filename: str) -> gpd.GeoDataFrame:
    with (_DATA / filename).open("rb") as handle:
        return gpd.read_parquet(handle)


@functools.cache
def _cached_layer(layer: str) -> gpd.GeoDataFrame:
    gdf = _read_parquet(_manifest()["layers"][layer]["file"])
    gdf.attrs["boundaries"] = {"layer": layer}
    return gdf


@functools.cache
def _codes(layer: str) -> pd.Index:
    """The codes of a layer (immutable), read once without the geometries."""
    with (_DATA / _manifest()["layers"][layer]["file"]).open("rb") as handle:
        return pd.read_parquet(handle, columns=[]).index


@functools.lru_cache(maxsize=1)
def _cached_population() -> pd.DataFrame:
    with (_DATA / _manifest()["population"]["file"]).open("rb") as handle:
        return pd.read_parquet(handle)


@functools.lru_cache(maxsize=1)
def _cached_outline() -> gpd.GeoDataFrame:
    return _read_parquet(_manifest()["outline"]["file"])


def layers() -> pd.DataFrame:
    """Describe the shipped layers.

    Returns
    -------
    pandas.DataFrame
        One row per layer with columns ``layer`` (the name to pass to :func:`load`),
        ``description``, ``vintage``, ``areas`` (number of areas), ``source`` (the
        official release), ``licence`` and ``population`` (what :func:`population`
        returns for the layer, or missing when it has no population).

    Examples
    --------
    >>> import boundaries
    >>> table = boundaries.layers()
    >>> table["layer"].tolist()
    ['boroughs', 'wards', 'wards-2018', 'lsoa', 'lsoa-2011', 'msoa']
    >>> table["areas"].tolist()
    [33, 680, 633, 4994, 4835, 1002]
    """
    rows = [
        {
            "layer": layer,
            "description": entry["description"],
            "vintage": entry["vintage"],
            "areas": entry["areas"],
            "source": entry["source"]["release"],
            "licence": entry["licence"],
            "population": entry["population"]["description"] if entry["population"] else None,
        }
        for layer, entry in _manifest()["layers"].items()
    ]
    return pd.DataFrame(rows)


def load(layer: str) -> gpd.GeoDataFrame:
    """Load a shipped boundary layer.

    Parameters
    ----------
    layer : str
        One of ``"boroughs"`` (33), ``"wards"`` (680, the ward set in force since May
        2022, the City of London as one area ``E09000001``), ``"wards-2018"`` (633, the
        previous ward set, City as one area), ``"lsoa"`` (4,994 Census 2021 LSOAs),
        ``"lsoa-2011"`` (4,835 Census 2011 LSOAs) or ``"msoa"`` (1,002 Census 2021
        MSOAs). :func:`layers` lists them.

    Returns
    -------
    geopandas.GeoDataFrame
        A new copy on every call (changing it does not change later loads), in
        EPSG:27700, indexed by GSS code (index name ``code``), sorted by code, with
        column ``name``; sub-borough layers add ``borough_code`` and ``borough_name``
        and the LSOA layers add ``msoa_code`` and ``msoa_name``.
        ``attrs["boundaries"]["layer"]`` holds the layer name.

    Raises
    ------
    ValueError
        If `layer` is not a shipped layer; the message lists the valid names.

    Examples
    --------
    >>> import boundaries
    >>> wards = boundaries.load("wards")
    >>> len(wards), wards.crs.to_epsg(), wards.index.name
    (680, 27700, 'code')
    >>> wards.loc["E09000001", ["name", "borough_code"]].tolist()
    ['City of London', 'E09000001']
    """
    _check_layer(layer)
    return _cached_layer(layer).copy()


def population(layer: str) -> pd.Series:
    """Resident population of every area of a layer.

    For the 2021-based layers this is the Census 2021 usual resident count (ONS table
    TS007B, ``Total``). ``"lsoa"`` is as published; ``"msoa"`` and ``"boroughs"`` are
    exact sums of their LSOAs; ``"wards"`` is a best-fit approximation: each LSOA is
    counted whole in the ward that the ONS LSOA (2021) to ward (2024) best-fit lookup
    assigns it to. The 2021-based layers all total 8,799,625, the sum of London's LSOAs:
    101 fewer than the table's London row (8,799,726), because ONS perturbs Census
    counts independently at each geography to protect confidentiality.

    ``"lsoa-2011"`` has no Census 2021 count: it returns the ONS mid-2020 population
    estimate for each 2011 LSOA instead (London total 9,002,488), which suits crime data
    of 2020-2021 coded to 2011 LSOAs. ``"wards-2018"`` has no population.

    Parameters
    ----------
    layer : str
        A layer name, as for :func:`load`.

    Returns
    -------
    pandas.Series
        Integer counts named ``population``, with the same index (and order) as
        ``load(layer)``. ``attrs["boundaries"]`` describes the figures (``layer``,
        ``population``, ``source``, ``method``).

    Raises
    ------
    ValueError
        If `layer` is unknown, or is ``"wards-2018"`` (no population ships for it).

    Examples
    --------
    >>> import boundaries
    >>> pop = boundaries.population("boroughs")
    >>> int(pop.sum())
    8799625
    >>> pop.index.equals(boundaries.load("boroughs").index)
    True
    """
    entry = _check_layer(layer)
    if entry["population"] is None:
        raise ValueError(f"no population ships for layer {layer!r}: {entry['no_population']}")
    table = _cached_population()
    rows = table[table["layer"] == layer]
    series = pd.Series(
        rows["population"].to_numpy(),
        index=pd.Index(rows["code"].to_numpy(), name="code"),
        name="population",
    )
    series = series.reindex(_cached_layer(layer).index)
    series.attrs["boundaries"] = {
        "layer": layer,
        "population": entry["population"]["description"],
        "source": entry["population"]["source"],
        "method": entry["population"]["method"],
    }
    return series


def outline() -> gpd.GeoDataFrame:
    """The Greater London outline, for "is this point in London?" checks.

    Returns
    -------
    geopandas.GeoDataFrame
        A new copy on every call: one row, index ``code`` = ``"E12000007"`` (the ONS
        code of the London region), ``name`` = ``"Greater London"``, EPSG:27700. From
        the GLA Statistical GIS Boundary Files for London (``London_GLA_Boundary``).

    Examples
    --------
    >>> import boundaries
    >>> from shapely import Point
    >>> london = boundaries.outline()
    >>> bool(london.contains(Point(530000, 180000)).iloc[0])  # near Holborn
    True
    >>> bool(london.contains(Point(600000, 180000)).iloc[0])  # Essex coast
    False
    """
    return _cached_outline().copy()
