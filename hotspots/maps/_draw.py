"""Drawing: the layers of :mod:`hotspots.maps._layers` into one offline folium page."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import geopandas as gpd
import numpy as np
import shapely

from hotspots._errors import InputError
from hotspots._version import __version__
from hotspots._vocabulary import NO_DATA, NO_NEIGHBOURS
from hotspots.maps._layers import PRECISION, _identity, _Layer, _measures
from hotspots.maps._page import (
    ATTRIBUTION,
    controls_html,
    legend_html,
    png_html,
    provenance_html,
    slider_html,
    title_html,
    top_html,
)
from hotspots.maps._style import MAP_BACKGROUND

if TYPE_CHECKING:  # pragma: no cover
    import folium

T = TypeVar("T")

_POLYGONAL = (3, 6)
"""shapely type ids of Polygon and MultiPolygon."""

PLACES_ZOOM = {"boroughs": 9.5, "areas": 10.0}
"""Borough names show from this zoom (London fits a 1440 px screen at about 10.5)."""


def _wgs84(geometry: gpd.GeoSeries | np.ndarray, crs: object = None) -> np.ndarray:
    """The geometries in WGS84 with coordinates rounded to :data:`PRECISION`."""
    series = geometry if isinstance(geometry, gpd.GeoSeries) else gpd.GeoSeries(geometry, crs=crs)
    return shapely.transform(series.to_crs(4326).to_numpy(), lambda xy: np.round(xy, PRECISION))


def _collection(geometries: np.ndarray) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of `geometries` (polygons and multipolygons)."""
    if not np.isin(shapely.get_type_id(geometries), _POLYGONAL).all():
        geometry = [shapely.geometry.mapping(g) for g in geometries]
    else:  # as shapely's mapping writes them, the rings of all the geometries at once
        points, sizes, ring_of, part_of = _rings(geometries)
        rings = np.split(points, np.cumsum(sizes)[:-1]) if len(sizes) else []
        polygons = _nested([ring.tolist() for ring in rings], ring_of, part_of, len(geometries))
        geometry = [
            {"type": "Polygon", "coordinates": parts[0]}
            if g.geom_type == "Polygon"
            else {"type": "MultiPolygon", "coordinates": parts}
            for g, parts in zip(geometries, polygons, strict=True)
        ]
    return {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": {}, "geometry": g} for g in geometry],
    }


def _union(geometry: gpd.GeoSeries) -> shapely.Geometry:
    """The outline of all the areas, also when shared edges do not meet exactly.

    A coverage union alone needs the areas' shared vertices to be identical:
    cells of ``boundaries.grid`` computed one by one differ in the last digits,
    so at 250 m it returned 316 strips (each drawn as a black outline across
    the map) and at 1 km it raised. Snapping to 1 cm first (1e-7 degrees for
    geographic coordinates), far below the 1 m the map draws, makes them meet.
    """
    geographic = geometry.crs is not None and geometry.crs.is_geographic
    snapped = shapely.set_precision(geometry.to_numpy(), 1e-7 if geographic else 0.01)
    try:
        return shapely.coverage_union_all(snapped)
    except shapely.errors.GEOSException:  # overlapping or badly noded areas
        return shapely.union_all(snapped)


def _context(
    frame: gpd.GeoDataFrame,
) -> tuple[dict[str, Any] | None, dict[str, Any], list[list[object]]]:
    """Borough outlines, the outline of all the areas (London) and borough name labels."""
    geometry = frame.geometry
    london = _collection(_wgs84(gpd.GeoSeries([_union(geometry)], crs=frame.crs)))
    if "borough_name" not in frame.columns or frame["borough_name"].isna().all():
        return None, london, []
    boroughs = frame[["borough_name", geometry.name]].dropna(subset=["borough_name"])
    dissolved = boroughs.dissolve("borough_name", method="coverage")
    outlines = _collection(_wgs84(dissolved.geometry))
    places = []
    if dissolved.index.size < len(frame):  # areas inside boroughs: name each borough
        points = gpd.GeoSeries(
            shapely.point_on_surface(dissolved.geometry.to_numpy()), crs=frame.crs
        ).to_crs(4326)
        places = [
            [round(p.y, 4), round(p.x, 4), str(name)]
            for p, name in zip(points, dissolved.index, strict=True)
        ]
    return outlines, london, places


def _tiles(m: folium.Map, basemap: str, attribution: str | None) -> None:
    import folium

    if re.search(r"\{[xyz]\}", basemap) and not attribution:
        raise InputError(
            "a tile URL needs attribution= (the copyright line its provider requires)",
            value=basemap,
        )
    try:
        folium.TileLayer(basemap, attr=attribution, overlay=True, control=False).add_to(m)
    except ValueError as err:
        raise InputError(
            "unknown basemap: give a provider name such as 'CartoDB positron' "
            "(xyzservices) or a tile URL with {z}/{x}/{y} and attribution=",
            value=basemap,
        ) from err


def draw(
    frame: gpd.GeoDataFrame,
    layers: Sequence[_Layer],
    title: str,
    basemap: str | None,
    attribution: str | None,
    top: int,
) -> folium.Map:
    import folium

    from hotspots.maps import _elements as elements
    from hotspots.maps._offline import make_offline

    id_labels, identity = _identity(frame)
    measure_labels, measures = _measures(frame)
    shapes = _wgs84(frame.geometry)
    # per area, in the order of `frame`: its identity, measures and each layer's row
    columns: list[tuple[str, list[Any]]] = [("id", identity.loc[frame.index].tolist())]
    if measures is not None:
        columns.append(("n", measures.loc[frame.index].tolist()))
    columns += [(layer.key, layer.rows.loc[frame.index].tolist()) for layer in layers]
    whole = {layer.key for layer in layers if layer.timeline is not None}  # rows kept as dicts
    keys = [key for key, _ in columns]
    features = [
        {
            "type": "Feature",
            "properties": {
                key: row if key in whole else list(row)
                for key, row in zip(keys, values, strict=True)
            },
            "g": g,
        }
        for *values, g in zip(*(rows for _, rows in columns), _encoded(shapes), strict=True)
    ]

    west, south, east, north = shapely.total_bounds(shapes)
    m = folium.Map(
        location=[(south + north) / 2, (west + east) / 2],
        zoom_start=10,
        tiles=None,
        zoom_control="bottomright",
        control_scale=True,
        zoom_snap=0.25,
        prefer_canvas=True,
    )
    elements.PageFigure(title).add_child(m)
    make_offline(m)
    if basemap is not None:
        _tiles(m, basemap, attribution)
    data = elements.AreaData({"type": "FeatureCollection", "features": features})
    data.add_to(m)
    specs = []
    for layer in layers:
        styles = {
            c: layer.scheme.path_style(c)
            for c in (*layer.scheme.categories, NO_DATA, NO_NEIGHBOURS)
        }
        spec: dict[str, Any] = {
            "key": layer.key,
            "name": layer.name,
            "labels": [*id_labels, *layer.labels],
            "styles": styles,
        }
        if layer.timeline is None:
            spec["labels"] += measure_labels
        else:
            spec.update(layer.timeline)
        specs.append(spec)
    outlines, london, places = _context(frame)

    uid = f"hs-{uuid.uuid4().hex[:12]}"
    left = [
        title_html(title),
        controls_html(
            uid,
            [(layer.key, layer.name) for layer in layers],
            outlines=outlines is not None,
            places=bool(places),
        ),
    ]
    right, bottom = [], []
    for i, layer in enumerate(layers):
        hidden = "" if i == 0 else " hidden"
        slider = (
            "" if layer.timeline is None else slider_html(uid, layer.key, layer.timeline["periods"])
        )
        lists = "".join(
            top_html(t.title, t.areas, t.empty, csv_name=f"{layer.key}-{j + 1}")
            for j, t in enumerate(layer.tops)
            if top > 0
        )
        legend = legend_html(
            layer.legend_title or layer.name,
            layer.scheme,
            layer.counts,
            hide_empty=layer.hide_empty,
        )
        right.append(
            f'<div class="hs-card {uid}-layer" data-hs-layer="{layer.key}"{hidden}>'
            f"<details data-hs-fold open><summary>{'Key and top areas' if lists else 'Key'}"
            f"</summary>{slider}{legend}{lists}{png_html(layer.key)}</details></div>"
        )
        bottom.append(
            f'<div class="{uid}-layer" data-hs-layer="{layer.key}"{hidden}><div class="hs-card">'
            + provenance_html(layer.provenance, __version__, needs=layer.needs)
            + "</div></div>"
        )
    corners = {"topleft": "".join(left), "topright": "".join(right), "bottomleft": "".join(bottom)}
    config = {
        "uid": uid,
        "title": title,
        "layers": specs,
        "outlines": outlines,
        "london": london,
        "places": places,
        "placesZoom": PLACES_ZOOM["areas"],
        "bounds": [[south, west], [north, east]],
        "background": MAP_BACKGROUND,
        "attribution": ATTRIBUTION,
    }
    elements.Page(data, config, corners).add_to(m)
    return m


def _polyline(points: np.ndarray, sizes: np.ndarray) -> list[str]:
    """Rings of (lon, lat) as Google encoded-polyline strings (lat first, 1e-5 degrees).

    `points` holds the points of every ring, one ring after another, and `sizes`
    the number of points of each ring. About 4 characters a point instead of
    about 20 in GeoJSON, and a string parses at once: the page decodes it
    (``hotspotsMaps.decode``).
    """
    if not len(sizes):
        return []
    points = np.round(points[:, ::-1] * 10**PRECISION).astype(np.int64)
    starts = np.r_[0, np.cumsum(sizes)[:-1]]
    deltas = np.diff(points, axis=0, prepend=np.zeros((1, 2), dtype=np.int64))
    deltas[starts] = points[starts]
    values = deltas.ravel()
    values = np.where(values < 0, ~(values << 1), values << 1)  # zigzag
    chunks = (values[:, None] >> (5 * np.arange(7))) & 0x1F
    length = np.maximum(
        1, 7 - np.argmax((values[:, None] >> (5 * np.arange(7)))[:, ::-1] > 0, axis=1)
    )
    length = np.where(values == 0, 1, length)
    more = np.arange(7)[None, :] < (length[:, None] - 1)
    codes = chunks + 63 + 0x20 * more
    keep = np.arange(7)[None, :] < length[:, None]
    text = codes[keep].astype(np.uint8).tobytes().decode("ascii")
    chars_per_value = length
    per_ring = np.add.reduceat(chars_per_value.reshape(-1, 2).sum(axis=1), starts)
    ends = np.cumsum(per_ring)
    return [text[e - n : e] for e, n in zip(ends.tolist(), per_ring.tolist(), strict=True)]


def _rings(geometries: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The rings of polygons and multipolygons, all at once.

    Returns the points of every ring one ring after another, the number of
    points of each ring, the polygon of each ring (exterior first, then its
    holes) and the geometry of each polygon.
    """
    parts, part_of = shapely.get_parts(geometries, return_index=True)
    rings, ring_of = shapely.get_rings(parts, return_index=True)
    points, point_of = shapely.get_coordinates(rings, return_index=True)
    return points, np.bincount(point_of, minlength=len(rings)), ring_of, part_of


def _nested(
    items: Sequence[T], ring_of: np.ndarray, part_of: np.ndarray, n: int
) -> list[list[list[T]]]:
    """One item per ring grouped as in :func:`_rings`: per geometry, per polygon, per ring."""
    polygons: list[list[T]] = [[] for _ in part_of]
    for item, part in zip(items, ring_of.tolist(), strict=True):
        polygons[part].append(item)
    nested: list[list[list[T]]] = [[] for _ in range(n)]
    for polygon, geometry in zip(polygons, part_of.tolist(), strict=True):
        nested[geometry].append(polygon)
    return nested


def _encoded(geometries: np.ndarray) -> list[list[list[str]]]:
    """Each polygon or multipolygon as a list of polygons, each a list of encoded rings.

    The exterior ring of a polygon comes first, then its holes; the rings of all
    the geometries are encoded at once.
    """
    points, sizes, ring_of, part_of = _rings(geometries)
    return _nested(_polyline(points, sizes), ring_of, part_of, len(geometries))
