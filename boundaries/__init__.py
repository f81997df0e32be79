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
import numpy as np
import pandas as pd

__all__ = ["grid", "layers", "load", "outline", "population"]

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


@functools.lru_cache(maxsize=1)
def _cached_ages() -> pd.DataFrame:
    with (_DATA / _manifest()["population_ages"]["file"]).open("rb") as handle:
        return pd.read_parquet(handle)


def _band_range(band: str) -> tuple[int, int]:
    if band.endswith("+"):
        return int(band[:-1]), OPEN_END
    first, last = band.split("-")
    return int(first), int(last)


OPEN_END = 999  # the last age of an open-ended band ("85+")


def population(layer: str, ages: tuple[int, int | None] | None = None) -> pd.Series:
    """Resident population of every area of a layer, all ages or an age range.

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

    Age ranges add up the published age bands, built for each layer as the totals
    are (wards by the same best-fit lookup, so a ward's young people are those of
    the LSOAs assigned to it). Census 2021 (TS007B) bands: 0-4, 5-9, 10-15, 16-19,
    20-24, 25-34, 35-49, 50-64, 65-74, 75-84, 85+; mid-2020 (``"lsoa-2011"``): 0-15,
    16-29, 30-44, 45-64, 65+. A range must start and end on band edges.

    Parameters
    ----------
    layer : str
        A layer name, as for :func:`load`.
    ages : (int, int or None), optional
        First and last age, both included; ``None`` as the last age means "and
        over". ``(10, 24)`` gives residents aged 10 to 24 (the bands 10-15,
        16-19 and 20-24). Default: all ages.

    Returns
    -------
    pandas.Series
        Integer counts named ``population``, with the same index (and order) as
        ``load(layer)``. ``attrs["boundaries"]`` describes the figures (``layer``,
        ``population``, ``source``, ``method``); with ``ages`` the
        ``population`` description names the range ("Census 2021 usual
        residents aged 10 to 24") and ``denominator`` says it in short
        ("residents aged 10 to 24"), the label rates per 1,000 use.

    Raises
    ------
    ValueError
        If `layer` is unknown, or is ``"wards-2018"`` (no population ships for it),
        or `ages` does not start and end on the layer's band edges (the message
        lists the bands).

    Examples
    --------
    >>> import boundaries
    >>> pop = boundaries.population("boroughs")
    >>> int(pop.sum())
    8799625
    >>> pop.index.equals(boundaries.load("boroughs").index)
    True
    >>> young = boundaries.population("wards", ages=(10, 24))
    >>> int(young.sum()), young.attrs["boundaries"]["denominator"]
    (1614000, 'residents aged 10 to 24')
    """
    entry = _check_layer(layer)
    if entry["population"] is None:
        raise ValueError(f"no population ships for layer {layer!r}: {entry['no_population']}")
    if ages is not None:
        return _population_aged(layer, entry, ages)
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


def _population_aged(layer: str, entry: dict[str, Any], ages: tuple[int, int | None]) -> pd.Series:
    if not isinstance(ages, tuple | list) or len(ages) != 2:
        raise ValueError(f"ages must be (first age, last age or None); got {ages!r}")
    first, last = ages[0], OPEN_END if ages[1] is None else ages[1]
    table = _cached_ages()
    rows = table[table["layer"] == layer].set_index("code")
    bands = [c for c in rows.columns if c != "layer" and rows[c].notna().all()]
    edges = [_band_range(b) for b in bands]
    chosen = [b for b, (lo, hi) in zip(bands, edges, strict=True) if lo >= first and hi <= last]
    starts = {lo for lo, _ in edges}
    ends = {hi for _, hi in edges}
    if first not in starts or last not in ends or first > last:
        raise ValueError(
            f"ages {ages!r} do not start and end on the age bands of layer {layer!r}: "
            + ", ".join(bands)
        )
    text = f"aged {first} and over" if last == OPEN_END else f"aged {first} to {last}"
    series = rows[chosen].sum(axis=1).astype("int64").rename("population")
    series = series.reindex(_cached_layer(layer).index)
    series.index.name = "code"
    series.attrs["boundaries"] = {
        "layer": layer,
        "population": f"{entry['population']['description']} {text}",
        "source": entry["population"]["source"],
        "method": f"{entry['population']['method']}; bands {', '.join(chosen)}",
        "denominator": f"residents {text}",
        "ages": (first, None if last == OPEN_END else last),
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


GRID_SHAPES = ("hex", "square")


def grid(cell_size: float, shape: str = "hex") -> gpd.GeoDataFrame:
    """A regular grid of hexagons or squares over London, clipped to the outline.

    Small equal cells are the "places" of micro-place analysis: crime
    concentrates at street segments and small cells, not in wards (Weisburd
    2015). A grid is an area layer like any other: count points into it with
    :func:`hotspots.aggregate`, then run any statistic, evaluation or map.

    Parameters
    ----------
    cell_size : float
        Metres. For squares the side; for hexagons (pointy-topped) the width
        across flats, which is also the distance between neighbouring centres
        (cell area ``sqrt(3) / 2 * cell_size**2``). At least 50.
    shape : {"hex", "square"}, default "hex"

    Returns
    -------
    geopandas.GeoDataFrame
        A new copy on every call (the grid itself is built once per size and
        shape), EPSG:27700, one row per cell that overlaps Greater London, the
        cells along the edge clipped to the outline (:func:`outline`). Indexed
        by a stable cell id (index name ``code``, cells row by row from the
        south): ``"hex250_2118_832"`` is
        column 2118 and row 832 of the 250 m hexagon lattice anchored at the
        British National Grid origin, so a cell keeps its id whatever else
        changes. Columns ``name`` (the id), ``col``, ``row``;
        ``attrs["boundaries"]`` holds ``layer`` (e.g. ``"hex-250"``), ``shape``
        and ``cell_size``.

    Raises
    ------
    ValueError
        If `shape` is not ``"hex"`` or ``"square"``, or `cell_size` is not a
        number of metres of at least 50.

    Examples
    --------
    >>> import boundaries
    >>> cells = boundaries.grid(1000, shape="square")
    >>> len(cells), cells.crs.to_epsg(), cells.index[0]
    (1731, 27700, 'sq1000_530_155')
    >>> round(float(cells.area.sum() / boundaries.outline().area.iloc[0]), 9)
    1.0
    >>> hexes = boundaries.grid(1000)
    >>> round(float(hexes.area.max()) / 1e6, 3)  # a whole hexagon, in km2
    0.866
    """
    if shape not in GRID_SHAPES:
        raise ValueError(f"unknown grid shape {shape!r}; valid shapes are 'hex', 'square'")
    if (
        isinstance(cell_size, bool)
        or not isinstance(cell_size, int | float | np.integer | np.floating)
        or not np.isfinite(cell_size)
        or cell_size < 50
    ):
        raise ValueError(f"cell_size must be a number of metres, at least 50; got {cell_size!r}")
    return _cached_grid(float(cell_size), shape).copy()


@functools.lru_cache(maxsize=8)
def _cached_grid(size: float, shape: str) -> gpd.GeoDataFrame:
    import shapely

    london = _cached_outline().geometry.iloc[0]
    xmin, ymin, xmax, ymax = london.bounds
    if shape == "square":
        cols = np.arange(np.floor(xmin / size), np.ceil(xmax / size))
        rows = np.arange(np.floor(ymin / size), np.ceil(ymax / size))
        col, row = (a.ravel() for a in np.meshgrid(cols, rows))
        cx, cy = (col + 0.5) * size, (row + 0.5) * size
        dx = np.array([-1, 1, 1, -1]) * size / 2
        dy = np.array([-1, -1, 1, 1]) * size / 2
        prefix = "sq"
    else:
        step = size * np.sqrt(3) / 2  # rows of pointy-topped hexagons
        rows = np.arange(np.floor(ymin / step) - 1, np.ceil(ymax / step) + 2)
        cols = np.arange(np.floor(xmin / size) - 1, np.ceil(xmax / size) + 2)
        col, row = (a.ravel() for a in np.meshgrid(cols, rows))
        cx, cy = (col + 0.5 * (row % 2)) * size, row * step
        radius = size / np.sqrt(3)
        angles = np.deg2rad(np.arange(30, 360, 60))
        dx, dy = radius * np.cos(angles), radius * np.sin(angles)
        prefix = "hex"
    rings = np.stack([cx[:, None] + dx, cy[:, None] + dy], axis=-1)
    cells = shapely.polygons(rings)
    tree = shapely.STRtree(cells)
    touching = np.sort(tree.query(london, predicate="intersects"))
    cells, col, row = cells[touching], col[touching], row[touching]
    shapely.prepare(london)
    inside = shapely.contains_properly(london, cells)
    clipped = cells.copy()
    clipped[~inside] = shapely.intersection(cells[~inside], london)
    clipped = shapely.make_valid(clipped)
    # keep the polygonal part of edge cells (a cell only touching the outline is dropped)
    clipped = np.array([_polygonal(g) for g in clipped], dtype=object)
    keep = shapely.area(clipped) > 0
    label = f"{size:g}"
    ids = [f"{prefix}{label}_{int(c)}_{int(r)}" for c, r in zip(col[keep], row[keep], strict=True)]
    gdf = gpd.GeoDataFrame(
        {"name": ids, "col": col[keep].astype("int64"), "row": row[keep].astype("int64")},
        geometry=clipped[keep],
        index=pd.Index(ids, name="code"),
        crs=27700,
    )
    gdf.attrs["boundaries"] = {"layer": f"{shape}-{label}", "shape": shape, "cell_size": size}
    return gdf


def _polygonal(geometry: Any) -> Any:
    import shapely

    if shapely.get_type_id(geometry) in (3, 6):  # Polygon, MultiPolygon
        return geometry
    parts = [g for g in shapely.get_parts(geometry) if shapely.get_type_id(g) in (3, 6)]
    return shapely.union_all(parts) if parts else shapely.Polygon()
