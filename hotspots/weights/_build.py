"""Spatial weights: which areas are neighbours of which, as links or a libpysal Graph.

Contiguity is decided geometrically (boundaries within ``tolerance`` metres of
each other), not by matching identical vertices, so files whose shared edges
were digitised or generalised independently still give the true neighbours.
"""

from __future__ import annotations

import hashlib
import logging
import operator
import warnings
from collections import deque
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspots._errors import HotspotsWarning, InputError
from hotspots.weights._links import Links, describe_links

if TYPE_CHECKING:
    from collections.abc import Sequence

    from libpysal.graph import Graph

logger = logging.getLogger("hotspots")

METHODS = ("queen", "rook", "knn", "distance")
ISLAND_POLICIES = ("keep", "nearest", "raise")
TRANSFORMS = ("B", "R")
# a rook link within tolerance needs boundaries running within tolerance of each
# other for longer than this many tolerances (segments next to a corner are shorter)
_ROOK_LENGTH_FACTOR = 2.0
# how many codes a message names before "and N more"
_NAMED = 10

# default graphs kept per set of areas (see default_weights)
_CACHED_GRAPHS = 8


def spatial_weights(
    areas: gpd.GeoDataFrame | gpd.GeoSeries,
    method: str = "queen",
    *,
    tolerance: float = 0.1,
    k: int | None = None,
    threshold: float | None = None,
    islands: str = "keep",
    transform: str | None = None,
) -> Graph:
    """Spatial weights between areas, as a libpysal Graph indexed by the areas' codes.

    Parameters
    ----------
    areas : geopandas.GeoDataFrame or geopandas.GeoSeries
        Polygons (or multipolygons), one per area, indexed by a unique code
        (GSS code for the shipped layers). Projected coordinates in metres
        (British National Grid for London) or no CRS; a geographic CRS
        (longitude/latitude) raises :class:`hotspots.InputError`. Not modified.
    method : {"queen", "rook", "knn", "distance"}
        ``"queen"``: areas that touch, even at a single corner.
        ``"rook"``: areas that share a stretch of boundary (a corner is not enough).
        ``"knn"``: the ``k`` areas with the nearest centroids (not symmetric).
        ``"distance"``: areas whose centroids are at most ``threshold`` metres apart.
    tolerance : float, default 0.1
        Contiguity only: boundaries closer than this many metres count as
        touching, so that files whose shared edges do not coincide exactly
        (rounded coordinates, independently digitised or generalised edges)
        still give the true neighbours. For ``"rook"`` the shared stretch must
        also be longer than ``2 * tolerance``. ``0`` means exact contact.
    k : int
        Number of neighbours, required for ``method="knn"`` (and only for it).
    threshold : float
        Distance band in metres, required for ``method="distance"`` (and only for it).
    islands : {"keep", "nearest", "raise"}, default "keep"
        What to do with areas left without any neighbour. Always reported with
        a :class:`hotspots.HotspotsWarning` naming their codes (or an
        :class:`hotspots.InputError` for ``"raise"``).
        ``"keep"``: keep them as isolates (the statistics label them
        "No neighbours"). ``"nearest"``: link each one, both ways, to its
        nearest area (nearest boundary for contiguity, nearest centroid for a
        distance band).
    transform : {"B", "R"}, optional
        Deprecated (it never changed a statistic, whose weighting is their own
        ``transformation`` argument); kept for one release with a
        ``DeprecationWarning``. Use ``spatial_weights(areas).transform("R")``
        for a row-standardised Graph.

    Returns
    -------
    libpysal.graph.Graph
        Binary weights (``transformation="B"``), indexed by ``areas.index`` in
        the same order; a self-contained object that shares nothing with
        ``areas``.

    Raises
    ------
    hotspots.InputError
        Duplicate or missing codes, empty, missing or non-polygon geometries
        (naming the codes), a geographic CRS, or islands with ``islands="raise"``.
    ValueError
        An unknown ``method``, ``islands`` or ``transform``, or a missing,
        invalid or misplaced ``k``, ``threshold`` or ``tolerance``.

    Notes
    -----
    Contiguity is found geometrically: two areas are queen neighbours when
    their polygons come within ``tolerance`` of each other (a spatial-index
    query), so no vertex has to be shared. On every shipped layer the default
    gives exactly the same neighbours as libpysal's vertex-matching
    ``Graph.build_contiguity``, and it keeps giving them when the vertices are
    moved by a few centimetres, where vertex matching loses the links. A larger
    tolerance can also link areas whose corners nearly meet.

    Examples
    --------
    >>> import boundaries
    >>> from hotspots import spatial_weights
    >>> boroughs = boundaries.load("boroughs")
    >>> graph = spatial_weights(boroughs)
    >>> graph.n, int(graph.cardinalities.min()), int(graph.cardinalities.max())
    (33, 2, 7)
    >>> boroughs.loc[graph["E09000001"].index, "name"].tolist()
    ['Camden', 'Hackney', 'Islington', 'Tower Hamlets', 'Westminster']

    Row-standardised (libpysal's own transform), or the four nearest boroughs
    by centroid:

    >>> spatial_weights(boroughs).transform("R")["E09000001"].tolist()
    [0.2, 0.2, 0.2, 0.2, 0.2]
    >>> spatial_weights(boroughs, "knn", k=4).cardinalities.unique().tolist()
    [4]
    """
    if transform is not None:
        _check_choice("transform", transform, TRANSFORMS)
        warnings.warn(
            "spatial_weights(transform=...) is deprecated and will be removed: it never "
            "changed a statistic (they take transformation=); use "
            "spatial_weights(areas).transform('R') for a row-standardised Graph",
            DeprecationWarning,
            stacklevel=2,
        )
    graph = build_links(
        areas, method, tolerance=tolerance, k=k, threshold=threshold, islands=islands
    ).graph()
    return graph.transform("R") if transform == "R" else graph


def build_links(
    areas: gpd.GeoDataFrame | gpd.GeoSeries,
    method: str = "queen",
    *,
    tolerance: float = 0.1,
    k: int | None = None,
    threshold: float | None = None,
    islands: str = "keep",
    stacklevel: int = 4,
) -> Links:
    """The links of :func:`spatial_weights`, with how they were built, in words.

    The words are e.g. ``"queen contiguity (tolerance 0.1 m)"`` or
    ``"k-nearest neighbours (k=6, between centroids); 2 islands kept without
    neighbours"``: what only the builder knows (a Graph does not carry it).
    Nothing here imports libpysal (``Links.graph`` does, when asked).
    """
    _check_choice("method", method, METHODS)
    _check_choice("islands", islands, ISLAND_POLICIES)
    if k is not None and method != "knn":
        raise ValueError(f"k is for method='knn', not method={method!r}")
    if threshold is not None and method != "distance":
        raise ValueError(f"threshold is for method='distance', not method={method!r}")
    if not isinstance(areas, (gpd.GeoDataFrame, gpd.GeoSeries)):
        raise TypeError(f"areas must be a GeoDataFrame or GeoSeries, not {type(areas).__name__}")
    ids = _checked_ids(areas.index)
    areas, reprojected = _on_true_distances(areas)
    geoms = _checked_polygons(areas.geometry, ids)
    metre = _metres_per_unit(areas.crs)

    centroids = shapely.centroid(geoms)
    if method in ("queen", "rook"):
        tolerance = _checked_number("tolerance", tolerance, allow_zero=True)
        how = f"{method} contiguity ({_tolerance_text(tolerance)})"
        heads, tails = _contiguity_pairs(geoms, tolerance / metre, rook=method == "rook")
    elif method == "knn":
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
            raise ValueError(f"method='knn' needs an integer k, not {k!r}")
        if not 1 <= k < len(ids):
            raise ValueError(f"k must be between 1 and {len(ids) - 1} (areas - 1), not {k}")
        how = f"k-nearest neighbours (k={k}, between centroids)"
        heads, tails = _knn_pairs(centroids, int(k))
    else:
        threshold = _checked_number("threshold", threshold, allow_zero=False)
        how = f"distance band (centroids within {threshold:g} m{reprojected})"
        heads, tails = _distance_pairs(centroids, threshold / metre)

    isolated = np.setdiff1d(np.arange(len(ids)), heads)
    if isolated.size:
        # islands are linked by the geometry the method measures between
        targets = centroids if method == "distance" else geoms
        heads, tails, how = _handle_islands(
            ids, targets, isolated, heads, tails, how, islands, stacklevel
        )
    return Links.from_pairs(ids, heads, tails, how)


def default_links(areas: gpd.GeoDataFrame, *, stacklevel: int = 5) -> Links:
    """Queen contiguity of ``areas`` (the statistics' ``graph=None``), built once per geometry.

    Kept in a small cache keyed on the areas themselves (a hash of the
    geometries' WKB, the index and the CRS), so ``local_moran`` then
    ``getis_ord`` on the same areas build contiguity once. ``Links`` is frozen
    and its arrays are never written to, so sharing it is safe; the islands
    warning is given again on every use. Areas holding the very geometry
    objects of a recent call (a copy of the same GeoDataFrame, or a new column
    added to it) skip the hashing too: shapely geometries cannot be changed,
    so the same objects are the same shapes.
    """
    key = _geometry_key(areas)
    links, caught = _cached_build(_Keyed(key, areas))
    for message in caught:
        warnings.warn(message, HotspotsWarning, stacklevel=stacklevel)
    return links


def _geometry_key(areas: gpd.GeoDataFrame) -> str:
    geoms = np.asarray(areas.geometry.values, dtype=object)
    for seen, index, crs, key in _RECENT:
        if (
            len(seen) == len(geoms)
            and crs == areas.crs
            and index.equals(areas.index)
            and all(map(operator.is_, seen, geoms))
        ):
            return key
    key = _hashed_key(areas, geoms)
    _RECENT.append((geoms.copy(), areas.index, areas.crs, key))
    return key


# the geometry objects, index and CRS of the last few sets of areas, with their key: the
# shapes themselves are held (immutable; a few MB for London's LSOAs), not the caller's frame
_RECENT: deque[tuple[np.ndarray, pd.Index, Any, str]] = deque(maxlen=_CACHED_GRAPHS)


def _hashed_key(areas: gpd.GeoDataFrame, geoms: np.ndarray) -> str:
    digest = hashlib.blake2b(digest_size=20)
    digest.update(repr(areas.crs.to_string() if areas.crs is not None else None).encode())
    digest.update(pd.util.hash_pandas_object(areas.index.to_series(), index=False).to_numpy())
    for wkb in shapely.to_wkb(geoms):
        digest.update(b"\x00" if wkb is None else wkb)
    return f"queen:0.1:{digest.hexdigest()}"


class _Keyed:
    """Areas carried through lru_cache by their key only."""

    def __init__(self, key: str, areas: gpd.GeoDataFrame) -> None:
        self.key = key
        self.areas: gpd.GeoDataFrame | None = areas

    def __hash__(self) -> int:
        return hash(self.key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Keyed) and other.key == self.key


@lru_cache(maxsize=_CACHED_GRAPHS)
def _cached_build(keyed: _Keyed) -> tuple[Links, tuple[str, ...]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", HotspotsWarning)
        links = build_links(keyed.areas)
    for array in (links.heads, links.tails):
        array.flags.writeable = False
    keyed.areas = None  # keep the key, not the caller's data
    messages = tuple(str(w.message) for w in caught if issubclass(w.category, HotspotsWarning))
    for w in caught:
        if not issubclass(w.category, HotspotsWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return links, messages


_TRANSFORMATION_WORDS = {
    "B": "binary",
    "R": "row-standardised",
    "D": "double-standardised",
    "V": "variance-stabilised",
    "O": "weights as built",
    "C": "custom transformation",
}


def describe_weights(graph: Graph, how: str | None = None) -> str:
    """Short description of ``graph`` read from the graph itself, for provenance.

    Parameters
    ----------
    graph : libpysal.graph.Graph
    how : str, optional
        How it was built, when the caller knows (``build_weights`` says);
        put in front.

    Returns
    -------
    str
        e.g. ``"33 areas, 136 links (4.1 per area), binary"``, with
        ``", not symmetric"`` (a link without its reverse),
        ``", 2 areas without neighbours"`` and
        ``", self-weights"`` when they apply; the transformation is libpysal's
        ``graph.transformation`` ("O", weights as built, when the weights are
        not all 1 says "weighted").

    Examples
    --------
    >>> import boundaries
    >>> from hotspots import spatial_weights
    >>> from hotspots.weights._build import describe_weights
    >>> graph = spatial_weights(boundaries.load("boroughs"))
    >>> describe_weights(graph)
    '33 areas, 136 links (4.1 per area), binary'
    >>> describe_weights(graph.transform("R"), "queen contiguity")
    'queen contiguity: 33 areas, 136 links (4.1 per area), row-standardised'
    """
    adjacency = graph.adjacency
    ids, links = pd.Index(graph.unique_ids), adjacency.index
    focal = ids.get_indexer(links.levels[0])[links.codes[0]]
    neighbour = ids.get_indexer(links.levels[1])[links.codes[1]]
    weights = adjacency.to_numpy(dtype=np.float64)
    is_self = focal == neighbour
    link = ~is_self & (weights != 0)
    words = _TRANSFORMATION_WORDS.get(str(graph.transformation).upper(), "weighted")
    return describe_links(
        graph.n,
        focal[link],
        neighbour[link],
        weights[link],
        words,
        how,
        self_weights=bool((weights[is_self] != 0).any()),
    )


def _check_choice(name: str, value: object, allowed: Sequence[str]) -> None:
    if value not in allowed:
        choices = ", ".join(repr(a) for a in allowed)
        raise ValueError(f"{name} must be one of {choices}, not {value!r}")


def _checked_number(name: str, value: object, *, allow_zero: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name} must be a number of metres, not {value!r}")
    value = float(value)
    if not np.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        bound = "zero or more" if allow_zero else "more than zero"
        raise ValueError(f"{name} must be {bound} metres, not {value!r}")
    return value


def _tolerance_text(tolerance: float) -> str:
    return f"tolerance {tolerance:g} m" if tolerance else "exact contact"


def _named(codes: Sequence[object]) -> str:
    shown = ", ".join(str(c) for c in codes[:_NAMED])
    more = len(codes) - _NAMED
    return f"{shown} and {more} more" if more > 0 else shown


def _checked_ids(index: pd.Index) -> pd.Index:
    if len(index) == 0:
        raise InputError("there are no areas")
    if index.hasnans:
        raise InputError(f"{int(index.isna().sum())} areas have no code (missing index values)")
    if not index.is_unique:
        dupes = index[index.duplicated()].unique()
        raise InputError(f"area codes must be unique; repeated: {_named(list(dupes))}")
    return index


def _checked_polygons(geometry: gpd.GeoSeries, ids: pd.Index) -> np.ndarray:
    """The polygons as a shapely array, repaired (on a copy) where invalid."""
    geoms = np.asarray(geometry.values, dtype=object)
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if missing.any():
        raise InputError(f"areas without a geometry: {_named(list(ids[missing]))}")
    kinds = shapely.get_type_id(geoms)
    polygonal = (kinds == shapely.GeometryType.POLYGON) | (
        kinds == shapely.GeometryType.MULTIPOLYGON
    )
    if not polygonal.all():
        bad = [
            f"{c} ({g.geom_type})" for c, g in zip(ids[~polygonal], geoms[~polygonal], strict=True)
        ]
        raise InputError(f"areas must be polygons; not polygons: {_named(bad)}")
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        logger.info("repairing %d invalid polygons to find neighbours", int(invalid.sum()))
        geoms = geoms.copy()
        geoms[invalid] = shapely.make_valid(geoms[invalid])
    return geoms


def _on_true_distances(
    areas: gpd.GeoDataFrame | gpd.GeoSeries,
) -> tuple[gpd.GeoDataFrame | gpd.GeoSeries, str]:
    """Areas in a projected CRS whose units are ground metres (British National Grid
    when the given CRS distorts distances by more than 1 % there, like Web Mercator)."""
    crs = areas.crs
    if crs is None or crs.is_geographic or crs.to_epsg() == 27700 or areas.is_empty.all():
        return areas, ""
    import pyproj

    x0, y0, x1, y1 = areas.total_bounds
    x, y = (x0 + x1) / 2, (y0 + y1) / 2
    step = 1000.0 / _metres_per_unit(crs)
    to_lonlat = pyproj.Transformer.from_crs(crs, 4326, always_xy=True)
    (lon_a, lon_b), (lat_a, lat_b) = to_lonlat.transform([x, x + step], [y, y])
    ground = pyproj.Geod(ellps="WGS84").inv(lon_a, lat_a, lon_b, lat_b)[2]
    if abs(ground / 1000.0 - 1) <= 0.01:
        return areas, ""
    inside_gb = -9 < lon_a < 3 and 49 < lat_a < 61
    if not inside_gb:
        raise InputError(
            f"areas are in {crs.name}, where 1,000 m on the map is {ground:,.0f} m on the "
            "ground: reproject them to a CRS that keeps distances (areas.to_crs(...))"
        )
    return areas.to_crs(27700), f", reprojected from {crs.name} to British National Grid"


def _metres_per_unit(crs: Any) -> float:
    """Metres in one coordinate unit; no CRS means metres."""
    if crs is None:
        return 1.0
    if crs.is_geographic:
        raise InputError(
            f"areas are in longitude/latitude ({crs.name}); distances need a projected "
            "CRS in metres: use areas.to_crs(27700) (British National Grid) for London"
        )
    factor = crs.axis_info[0].unit_conversion_factor if crs.axis_info else 1.0
    return float(factor or 1.0)


def _contiguity_pairs(
    geoms: np.ndarray, tolerance: float, *, rook: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Both directions of every contiguity link, as positions."""
    tree = shapely.STRtree(geoms)
    if tolerance > 0:
        left, right = tree.query(geoms, predicate="dwithin", distance=tolerance)
    else:
        left, right = tree.query(geoms, predicate="intersects")
    once = left < right
    left, right = left[once], right[once]
    if rook:
        shared = shapely.relate_pattern(geoms[left], geoms[right], "****1****")
        if tolerance > 0:
            near = ~shared
            shared[near] = _runs_alongside(geoms, left[near], right[near], tolerance)
        left, right = left[shared], right[shared]
    return np.concatenate([left, right]), np.concatenate([right, left])


def _runs_alongside(
    geoms: np.ndarray, left: np.ndarray, right: np.ndarray, tolerance: float
) -> np.ndarray:
    """Whether each pair's boundaries run within tolerance of each other for a rook stretch.

    The stretch is measured along one area's boundary as the total length of
    its segments whose two ends both lie within ``tolerance`` of the other
    area's boundary. A corner contact has no such segment (or only tiny ones
    next to the corner), a shared edge has its full length. Measured both ways
    round and the longer kept, so the answer does not depend on the order.
    """
    edges = shapely.boundary(geoms)
    shapely.prepare(edges)
    segments = _Segments(edges)
    one_way = segments.length_near(left, right, edges, tolerance)
    other_way = segments.length_near(right, left, edges, tolerance)
    return np.maximum(one_way, other_way) > _ROOK_LENGTH_FACTOR * tolerance


class _Segments:
    """The straight segments of every area's boundary, area by area."""

    def __init__(self, edges: np.ndarray) -> None:
        parts, owner = shapely.get_parts(edges, return_index=True)
        coords, part = shapely.get_coordinates(parts, return_index=True)
        inside_part = part[:-1] == part[1:]
        self.start = coords[:-1][inside_part]
        self.end = coords[1:][inside_part]
        area = owner[part[:-1][inside_part]]
        # segments of area i are self.start[first[i]:first[i + 1]]
        self.first = np.searchsorted(area, np.arange(len(edges) + 1))

    def length_near(
        self, focal: np.ndarray, other: np.ndarray, edges: np.ndarray, tolerance: float
    ) -> np.ndarray:
        """For each pair, length of focal's segments with both ends near other's boundary."""
        counts = self.first[focal + 1] - self.first[focal]
        pair = np.repeat(np.arange(len(focal)), counts)
        offsets = np.arange(len(pair)) - np.repeat(np.cumsum(counts) - counts, counts)
        segment = self.first[focal][pair] + offsets
        # cheap cut first: both ends inside the other area's box grown by the tolerance
        box = shapely.bounds(edges[other])[pair]
        start, end = self.start[segment], self.end[segment]
        in_box = np.all(
            (np.minimum(start, end) >= box[:, :2] - tolerance)
            & (np.maximum(start, end) <= box[:, 2:] + tolerance),
            axis=1,
        )
        pair, start, end = pair[in_box], start[in_box], end[in_box]
        target = edges[other][pair]
        near = shapely.dwithin(shapely.points(start), target, tolerance) & shapely.dwithin(
            shapely.points(end), target, tolerance
        )
        length = np.hypot(*(end - start).T)
        return np.bincount(pair[near], weights=length[near], minlength=len(focal))


def _knn_pairs(centroids: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    from libpysal.graph import Graph

    knn = Graph.build_knn(gpd.GeoSeries(centroids), k=k)
    return _positions(knn)


def _distance_pairs(centroids: np.ndarray, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    from libpysal.graph import Graph

    band = Graph.build_distance_band(gpd.GeoSeries(centroids), threshold, binary=True)
    return _positions(band)


def _positions(graph: Graph) -> tuple[np.ndarray, np.ndarray]:
    """The links of a Graph built on a RangeIndex, without its isolate self-loops."""
    adjacency = graph.adjacency
    heads = adjacency.index.get_level_values("focal").to_numpy(dtype=np.intp)
    tails = adjacency.index.get_level_values("neighbor").to_numpy(dtype=np.intp)
    real = heads != tails
    return heads[real], tails[real]


def _handle_islands(
    ids: pd.Index,
    targets: np.ndarray,
    isolated: np.ndarray,
    heads: np.ndarray,
    tails: np.ndarray,
    how: str,
    islands: str,
    stacklevel: int = 4,
) -> tuple[np.ndarray, np.ndarray, str]:
    """Apply the islands policy: report, then keep, link or raise.

    Returns the links (with any new ones, both directions) and the description.
    """
    codes = list(ids[isolated])
    n = len(codes)
    plural = "s" if n > 1 else ""
    found = f"{n} area{plural} with no neighbours under {how}: {_named(codes)}"
    if islands == "raise":
        raise InputError(
            f"{found}. Pass islands='keep' or islands='nearest', or a larger tolerance "
            "if the file's shared boundaries do not meet"
        )
    if islands == "keep":
        warnings.warn(
            f"{found}. Kept without neighbours (statistics label them 'No neighbours'); "
            "pass islands='nearest' to link each to its nearest area.",
            HotspotsWarning,
            stacklevel=stacklevel,
        )
        return heads, tails, f"{how}; {n} island{plural} kept without neighbours"
    tree = shapely.STRtree(targets)
    found_at, nearest = tree.query_nearest(targets[isolated], exclusive=True, all_matches=True)
    island = isolated[found_at]
    links = [f"{ids[i]} -> {ids[j]}" for i, j in zip(island, nearest, strict=True)]
    warnings.warn(
        f"{found}. Linked to their nearest area: {_named(links)}.",
        HotspotsWarning,
        stacklevel=stacklevel,
    )
    heads = np.concatenate([heads, island, nearest])
    tails = np.concatenate([tails, nearest, island])
    return heads, tails, f"{how}; {n} island{plural} linked to their nearest area"
