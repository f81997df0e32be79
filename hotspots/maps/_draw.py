"""Drawing: the layers of :mod:`hotspots.maps._layers` into one offline folium page."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

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

PLACES_ZOOM = {"boroughs": 9.5, "areas": 10.0}
"""Borough names show from this zoom (London fits a 1440 px screen at about 10.5)."""


def _wgs84(geometry: gpd.GeoSeries | np.ndarray, crs: object = None) -> np.ndarray:
    """The geometries in WGS84 with coordinates rounded to :data:`PRECISION`."""
    series = geometry if isinstance(geometry, gpd.GeoSeries) else gpd.GeoSeries(geometry, crs=crs)
    return shapely.transform(series.to_crs(4326).to_numpy(), lambda xy: np.round(xy, PRECISION))


def _collection(geometries: np.ndarray) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {}, "geometry": shapely.geometry.mapping(g)}
            for g in geometries
        ],
    }


def _context(
    frame: gpd.GeoDataFrame,
) -> tuple[dict[str, Any] | None, dict[str, Any], list[list[object]]]:
    """Borough outlines, the outline of all the areas (London) and borough name labels."""
    geometry = frame.geometry
    london = _collection(
        _wgs84(gpd.GeoSeries([shapely.coverage_union_all(geometry.to_numpy())], crs=frame.crs))
    )
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
    features = []
    for i, code in enumerate(frame.index):
        properties = {"id": list(identity[code])}
        if measures is not None:
            properties["n"] = list(measures[code])
        for layer in layers:
            row = layer.rows[code]
            properties[layer.key] = row if layer.timeline is not None else list(row)
        features.append({"type": "Feature", "properties": properties, "g": _encoded(shapes[i])})

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


def _polyline(rings: list[np.ndarray]) -> list[str]:
    """Rings of (lon, lat) as Google encoded-polyline strings (lat first, 1e-5 degrees).

    About 4 characters a point instead of about 20 in GeoJSON, and a string
    parses at once: the page decodes it (``hotspotsMaps.decode``).
    """
    if not rings:
        return []
    sizes = np.array([len(r) for r in rings])
    points = np.round(np.concatenate(rings)[:, ::-1] * 10**PRECISION).astype(np.int64)
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
    return [text[e - n : e] for e, n in zip(ends, per_ring, strict=True)]


def _encoded(geometry: Any) -> list[list[str]]:
    """A polygon or multipolygon as a list of polygons, each a list of encoded rings."""
    polygons = list(geometry.geoms) if geometry.geom_type == "MultiPolygon" else [geometry]
    rings = [
        [np.asarray(p.exterior.coords), *(np.asarray(r.coords) for r in p.interiors)]
        for p in polygons
    ]
    flat = _polyline([r for rs in rings for r in rs])
    out, i = [], 0
    for rs in rings:
        out.append(flat[i : i + len(rs)])
        i += len(rs)
    return out
