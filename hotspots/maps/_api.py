"""Interactive maps of counts, rates, LISA clusters, Gi* hot spots, emerging patterns and change.

Each function takes a result of :func:`hotspots.aggregate`,
:func:`hotspots.local_moran`, :func:`hotspots.getis_ord`,
:func:`hotspots.emerging_hotspots` or :func:`hotspots.period_change` and
returns a :class:`folium.Map` whose
saved HTML works with no network at all: Leaflet is written into the page
(from the installed XStatic-Leaflet package) and no web basemap is added
unless one is asked for. Colours are fixed per category, areas without data
are hatched and say "no data", and each map carries a legend, a list of the
top at-risk areas and a record of how the result was made.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspots._errors import InputError
from hotspots._version import __version__
from hotspots._vocabulary import (
    ABOVE_TREND,
    CHANGE_TREND_CATEGORIES,
    INCREASE,
    MIN_OWN_COUNT,
    NO_DATA,
    NO_NEIGHBOURS,
)
from hotspots.maps._offline import INSTALL_HINT
from hotspots.maps._page import (
    TopArea,
    legend_html,
    provenance_html,
    slider_html,
    title_html,
    top_html,
)
from hotspots.maps._style import (
    EMERGING_HOT,
    Scheme,
    assign_classes,
    category_scheme,
    check_palette,
    class_breaks,
    class_labels,
    classed_scheme,
    format_number,
    format_rate,
)

if TYPE_CHECKING:  # pragma: no cover
    import folium

    from hotspots.spacetime._emerging import EmergingHotspots

__all__ = [
    "change_map",
    "choropleth_map",
    "cluster_map",
    "combined_map",
    "emerging_map",
    "hotspot_map",
]

PRECISION = 5
"""Decimal places kept in WGS84 coordinates (about 1 m): display only."""

_COLUMN_LABELS = {"count": "Crimes", "rate": "Rate per 1,000 residents", "population": "Residents"}


@dataclass(frozen=True)
class _Layer:
    """Everything needed to draw one thematic layer of a map."""

    key: str
    name: str
    scheme: Scheme
    labels: tuple[str, ...]  # tooltip labels of the layer's own rows
    rows: pd.Series  # per area: display strings, the category first (timeline: a dict)
    counts: dict[str, int]  # legend: areas per category
    top: list[TopArea] | None  # None: no top list
    top_title: str
    top_empty: str
    provenance: dict
    statistic: bool
    # a layer drawn one period at a time: period labels, categories (indexed by the
    # rows), areas per category and period; the area measures are left out of its tooltip
    timeline: dict | None = None


# ---------------------------------------------------------------- checks


def _require_folium() -> None:
    try:
        import folium  # noqa: F401
    except ImportError as err:
        raise ImportError(
            f"hotspots maps need folium, which is not installed: {INSTALL_HINT}"
        ) from err


def _check_frame(result: object, what: str) -> gpd.GeoDataFrame:
    if not isinstance(result, gpd.GeoDataFrame):
        hint = (
            " (emerging_map and combined_map take an EmergingHotspots result)"
            if _is_emerging(result)
            else ""
        )
        raise InputError(f"{what} must be a GeoDataFrame, got {type(result).__name__}{hint}")
    if result.crs is None:
        raise InputError(f"{what} has no CRS: set one (the shipped layers are EPSG:27700)")
    if not result.index.is_unique:
        duplicated = result.index[result.index.duplicated()][0]
        raise InputError(f"{what} has a repeated area code in its index", value=duplicated)
    missing = result.geometry.isna() | result.geometry.is_empty
    if missing.any():
        raise InputError(f"{what} has an area without geometry", value=result.index[missing][0])
    return result


def _is_emerging(result: object) -> bool:
    from hotspots.spacetime._emerging import EmergingHotspots

    return isinstance(result, EmergingHotspots)


def _check_emerging(result: object) -> EmergingHotspots:
    if _is_emerging(result):
        return result
    if isinstance(result, pd.DataFrame):
        raise InputError(
            "emerging_map takes the result of hotspots.emerging_hotspots itself, not a table: "
            "its .periods draw the period-by-period view (pass result, not result.areas)"
        )
    raise InputError(
        f"emerging_map takes the result of hotspots.emerging_hotspots, got {type(result).__name__}"
    )


def _check_top(top: int) -> None:
    if isinstance(top, bool) or not isinstance(top, int | np.integer) or top < 0:
        raise InputError("top must be a whole number of areas, 0 or more", value=top)


def _require(frame: pd.DataFrame, column: str, hint: str) -> None:
    if column not in frame.columns:
        raise InputError(f"no column {column!r}: pass the result of {hint}", column=column)


def _categories(frame: pd.DataFrame, column: str, scheme: Scheme) -> pd.Series:
    """The category of each area, "No data" for missing, checked against the scheme."""
    labels = frame[column].astype(object).where(frame[column].notna(), NO_DATA)
    known = {*scheme.categories, NO_DATA, NO_NEIGHBOURS}
    unknown = ~labels.isin(known)
    if unknown.any():
        raise InputError(
            f"unknown category; expected one of {', '.join(sorted(known))}",
            column=column,
            value=labels[unknown].iloc[0],
        )
    return labels.astype(str)


# ------------------------------------------------------------- formatting


def _number(
    series: pd.Series, index: pd.Index, fmt: Callable[[float], str] = format_number
) -> pd.Series:
    values = pd.to_numeric(series, errors="coerce").astype(float)
    return pd.Series([fmt(v) for v in values.to_numpy()], index=index, dtype=object)


def _p_value(series: pd.Series) -> pd.Series:
    values = pd.to_numeric(series, errors="coerce").astype(float).to_numpy()
    text = [
        "no data" if not np.isfinite(p) else ("< 0.001" if p < 0.001 else f"{p:.3f}")
        for p in values
    ]
    return pd.Series(text, index=series.index, dtype=object)


def _ranks(order: pd.Index, index: pd.Index, noun: str) -> pd.Series:
    """'k of n <noun>' for areas in `order` (ranked best first), a dash for the others."""
    text = pd.Series("–", index=index, dtype=object)
    n = len(order)
    text[order] = [f"{k:,} of {n:,} {noun}" for k in range(1, n + 1)]
    return text


def _strongest_first(members: pd.Index, strength: pd.Series | None) -> pd.Index:
    """`members` ranked by `strength`, highest first; by code alone when there is none."""
    if strength is None:
        return _ranked(pd.Series(0, index=members))
    return _ranked(-pd.to_numeric(strength[members]).astype(float))


def _ranked(*keys: pd.Series) -> pd.Index:
    """Codes sorted by `keys` (ascending, missing last), ties by code: row order never matters."""
    frame = pd.DataFrame({f"key{i}": key for i, key in enumerate(keys)})
    frame["tie"] = frame.index.astype(str)
    return frame.sort_values(list(frame.columns), na_position="last").index


def _rows(columns: Sequence[pd.Series]) -> pd.Series:
    """Per-area lists of strings from aligned string columns."""
    index = columns[0].index
    return pd.Series(list(zip(*(c.to_numpy() for c in columns), strict=True)), index=index)


def _identity(frame: pd.DataFrame) -> tuple[tuple[str, ...], pd.Series]:
    codes = frame.index.astype(str)
    names = (
        frame["name"].astype(object)
        if "name" in frame.columns
        else pd.Series(codes, index=frame.index)
    )
    columns = [names.where(names.notna(), codes).astype(str), pd.Series(codes, index=frame.index)]
    labels = ["Area", "Code"]
    if "borough_name" in frame.columns:
        columns.append(
            frame["borough_name"].astype(object).where(frame["borough_name"].notna(), "")
        )
        labels.append("Borough")
    return tuple(labels), _rows([c.astype(str) for c in columns])


def _measures(frame: pd.DataFrame) -> tuple[tuple[str, ...], pd.Series | None]:
    present = [c for c in ("count", "rate", "population") if c in frame.columns]
    if not present:
        return (), None
    columns = []
    for column in present:
        values = pd.to_numeric(frame[column], errors="coerce").astype(float)
        if "covered" in frame.columns and column != "population":
            values = values.where(frame["covered"].astype(bool))
        columns.append(
            _number(values, frame.index, format_rate if column == "rate" else format_number)
        )
    return tuple(_COLUMN_LABELS[c] for c in present), _rows(columns)


def _top_areas(frame: pd.DataFrame, order: pd.Index, top: int, detail: pd.Series) -> list[TopArea]:
    """The top list's areas: each with its own count; none with fewer than MIN_OWN_COUNT."""
    if "count" in frame.columns:
        own = pd.to_numeric(frame["count"], errors="coerce")
        order = order[(own[order] >= MIN_OWN_COUNT).to_numpy()]
        counted = own.map(lambda n: "" if pd.isna(n) else f"{n:,.0f} own incidents")
        detail = detail.astype(str).str.cat(counted, sep=", ").str.strip(", ")
    names = frame["name"] if "name" in frame.columns else pd.Series(frame.index, index=frame.index)
    boroughs = frame["borough_name"] if "borough_name" in frame.columns else None
    if "pseudo_area" in frame.columns:  # airport-security records: not ranked (issue #14)
        order = order[~order.isin(frame.index[frame["pseudo_area"].astype(bool)])]
    return [
        TopArea(
            code=str(code),
            name=str(names[code]) if pd.notna(names[code]) else str(code),
            borough="" if boroughs is None or pd.isna(boroughs[code]) else str(boroughs[code]),
            detail=str(detail[code]),
        )
        for code in order[:top]
    ]


def _provenance(frame: pd.DataFrame) -> dict:
    provenance = frame.attrs.get("hotspots", {})
    return dict(provenance) if isinstance(provenance, dict) else {}


def _subtitle(provenance: dict) -> str:
    parts = [str(provenance[k]) for k in ("crime_type", "period") if provenance.get(k)]
    return f" – {', '.join(parts)}" if parts else ""


# ------------------------------------------------------------------ layers


def _choropleth_layer(frame: pd.DataFrame, column: str, palette: str, top: int) -> _Layer:
    _require(frame, column, "hotspots.aggregate (or name a numeric column)")
    values = pd.to_numeric(frame[column], errors="coerce")
    if values.isna().all() and frame[column].notna().any():
        raise InputError(
            "column is not numeric", column=column, value=frame[column].dropna().iloc[0]
        )
    values = values.astype(float)
    if "covered" in frame.columns:
        values = values.where(frame["covered"].astype(bool))
    fmt = format_rate if column == "rate" else format_number
    edges = class_breaks(values.to_numpy())
    class_names = class_labels(edges, fmt)
    scheme = classed_scheme(edges, palette, class_names)
    classes = pd.Series(assign_classes(values.to_numpy(), edges, class_names), index=frame.index)
    label = _COLUMN_LABELS.get(column, column)
    order = _ranked(-values.dropna())
    shown = pd.Series([fmt(v) for v in values.to_numpy()], index=frame.index, dtype=object)
    return _Layer(
        key="choropleth",
        name=label,
        scheme=scheme,
        labels=("Class", label, "Rank"),
        rows=_rows([classes, shown, _ranks(order, frame.index, "areas, highest first")]),
        counts=_tally(classes),
        top=_top_areas(frame, order, top, shown),
        top_title=_top_title(
            f"Highest {label.lower() if column in _COLUMN_LABELS else label}", frame
        ),
        top_empty="No area has data.",
        provenance=_provenance(frame),
        statistic=False,
    )


def _lisa_layer(frame: pd.DataFrame, palette: str, top: int) -> _Layer:
    _require(frame, "lisa_label", "hotspots.local_moran")
    scheme = category_scheme("lisa", palette)
    clusters = _categories(frame, "lisa_label", scheme)
    strength = next((frame[c] for c in ("lisa_z", "lisa_i") if c in frame.columns), None)
    high = _strongest_first(clusters.index[clusters == "High-High"], strength)
    labels, columns = ["LISA cluster"], [clusters]
    for column, label in (("lisa_i", "Local Moran's I"), ("lisa_z", "z-score")):
        if column in frame.columns:
            labels.append(label)
            columns.append(_number(frame[column], frame.index))
    # the p-value that decided the label (older results: the permutation one)
    p_column = "lisa_p" if "lisa_p" in frame.columns else "lisa_p_sim"
    for column, label in (
        (p_column, "p-value (decides the label)"),
        ("lisa_p_adjusted", "Adjusted p-value"),
    ):
        if column in frame.columns:
            labels.append(label)
            columns.append(_p_value(frame[column]))
    labels.append("Rank")
    columns.append(_ranks(high, frame.index, "High-High areas"))
    detail = _detail(frame, ("lisa_i", "I"), (p_column, "p"))
    return _Layer(
        key="lisa",
        name="LISA clusters (Local Moran's I)",
        scheme=scheme,
        labels=tuple(labels),
        rows=_rows(columns),
        counts=_tally(clusters),
        top=_top_areas(frame, high, top, detail),
        top_title=_top_title("Top High-High areas (high among high neighbours)", frame),
        top_empty="No High-High cluster at this significance level.",
        provenance=_provenance(frame),
        statistic=True,
    )


def _gi_layer(frame: pd.DataFrame, palette: str, top: int) -> _Layer:
    _require(frame, "gi_label", "hotspots.getis_ord")
    scheme = category_scheme("gi", palette)
    labels_ = _categories(frame, "gi_label", scheme)
    hot = _strongest_first(labels_.index[labels_.str.startswith("Hot spot")], frame.get("gi_z"))
    labels, columns = ["Gi* category"], [labels_]
    if "gi_z" in frame.columns:
        labels.append("Gi* z-score")
        columns.append(_number(frame["gi_z"], frame.index))
    for column, label in (
        ("gi_p", "p-value (decides the label)"),
        ("gi_p_adjusted", "Adjusted p-value"),
    ):
        if column in frame.columns:
            labels.append(label)
            columns.append(_p_value(frame[column]))
    labels.append("Rank")
    columns.append(_ranks(hot, frame.index, "hot spots"))
    # the p-value beside a label is always the one that decided it (gi_p)
    detail = _detail(frame, ("gi_z", "z"), ("gi_p", "p"))
    return _Layer(
        key="gi",
        name="Hot and cold spots (Getis-Ord Gi*)",
        scheme=scheme,
        labels=tuple(labels),
        rows=_rows(columns),
        counts=_tally(labels_),
        top=_top_areas(frame, hot, top, detail),
        top_title=_top_title(
            "Top hot neighbourhoods (Gi* z of the area with its neighbours)", frame
        ),
        top_empty="No significant hot spot at this significance level.",
        provenance=_provenance(frame),
        statistic=True,
    )


def _emerging_layer(frame: pd.DataFrame, palette: str, top: int) -> _Layer:
    _require(frame, "emerging_label", "hotspots.emerging_hotspots (its .areas)")
    scheme = category_scheme("emerging", palette)
    categories = _categories(frame, "emerging_label", scheme)
    hot = categories[categories.isin(EMERGING_HOT)]
    keys = [hot.map({category: i for i, category in enumerate(EMERGING_HOT)})]
    # within a pattern: the steepest upward trend first, else the most crimes
    tie = next((c for c in ("trend_z", "count") if c in frame.columns), None)
    if tie is not None:
        keys.append(-pd.to_numeric(frame.loc[hot.index, tie]).astype(float))
    order = _ranked(*keys)
    labels, columns = ["Emerging pattern"], [categories]
    if "trend_direction" in frame.columns:
        labels.append("Trend")
        columns.append(frame["trend_direction"].astype(object).fillna("no data").astype(str))
    for column, label in (
        ("trend_z", "Trend z-score (Mann-Kendall)"),
        ("hot_periods", "Periods as a hot spot"),
        ("cold_periods", "Periods as a cold spot"),
    ):
        if column in frame.columns:
            labels.append(label)
            columns.append(_number(frame[column], frame.index))
    if "trend_p" in frame.columns:
        labels.append("Trend p-value")
        columns.append(_p_value(frame["trend_p"]))
    labels.append("Rank")
    columns.append(_ranks(order, frame.index, "hot spots"))
    return _Layer(
        key="emerging",
        name="Emerging hot spots",
        scheme=scheme,
        labels=tuple(labels),
        rows=_rows(columns),
        counts=_tally(categories),
        top=_top_areas(frame, order, top, categories),
        top_title="Hot spots by pattern (strongest first)",
        top_empty="No emerging hot spot.",
        provenance=_provenance(frame),
        statistic=True,
    )


def _period_layer(frame: pd.DataFrame, periods: pd.DataFrame, palette: str) -> _Layer:
    """Gi* of every period, one period at a time, from the ``.periods`` of an emerging result."""
    for column in ("count", "gi_z", "gi_label"):
        _require(periods, column, "hotspots.emerging_hotspots (its .periods)")
    if list(periods.index.names) != ["code", "period"]:
        raise InputError("the periods table must be indexed by code and period (emerging_hotspots)")
    scheme = category_scheme("gi", palette)
    categories = (*scheme.categories, NO_DATA, NO_NEIGHBOURS)
    labels = _categories(periods, "gi_label", scheme).unstack("period").reindex(frame.index)
    labels = labels.where(labels.notna(), NO_DATA)
    index = {category: i for i, category in enumerate(categories)}
    codes = np.vectorize(index.__getitem__, otypes=[int])(labels.to_numpy())
    per_period = [
        np.bincount(codes[:, t], minlength=len(categories)) for t in range(codes.shape[1])
    ]
    seen = np.sum(per_period, axis=0)
    counts = {
        category: int(per_period[-1][i])
        for i, category in enumerate(categories)
        if category in scheme.categories or seen[i]
    }
    numbers = {
        column: pd.to_numeric(periods[column], errors="coerce")
        .astype(float)
        .unstack("period")
        .reindex(index=frame.index, columns=labels.columns)
        .to_numpy()
        for column in ("count", "gi_z")
    }
    rows = pd.Series(
        [
            {
                "c": codes[i].tolist(),
                "n": _json_numbers(numbers["count"][i], 2),
                "z": _json_numbers(numbers["gi_z"][i], 2),
            }
            for i in range(len(frame))
        ],
        index=frame.index,
        dtype=object,
    )
    return _Layer(
        key="periods",
        name="Hot and cold spots period by period (Gi*)",
        scheme=scheme,
        labels=("Period", "Gi* category", "Crimes in the period", "Gi* z-score"),
        rows=rows,
        counts=counts,
        top=None,
        top_title="",
        top_empty="",
        provenance=_provenance(periods),
        statistic=True,
        timeline={
            "periods": [str(p) for p in labels.columns],
            "categories": list(categories),
            "counts": [c.tolist() for c in per_period],
        },
    )


def _json_numbers(values: np.ndarray, decimals: int) -> list[float | int | None]:
    """Rounded numbers for the page: whole numbers without a decimal point, None for missing."""
    return [
        None if not math.isfinite(v) else (int(v) if v.is_integer() else v)
        for v in np.round(values, decimals).tolist()
    ]


def _change_layer(frame: pd.DataFrame, palette: str, top: int) -> _Layer:
    _require(frame, "change_label", "hotspots.period_change")
    relative = frame["change_label"].isin(CHANGE_TREND_CATEGORIES).any()
    scheme = category_scheme("change_trend" if relative else "change", palette)
    labels_ = _categories(frame, "change_label", scheme)
    provenance = _provenance(frame)
    rise = ABOVE_TREND if relative else INCREASE
    change = (
        pd.to_numeric(frame["change"], errors="coerce").astype(float)
        if "change" in frame.columns
        else None
    )
    rising = _strongest_first(labels_.index[labels_ == rise], change)
    labels, columns = ["Change"], [labels_]
    for column, label, window in (
        ("count_before", "Crimes before", "before"),
        ("count_after", "Crimes after", "after"),
    ):
        if column in frame.columns:
            when = provenance.get(window)
            labels.append(f"{label} ({when})" if when else label)
            columns.append(_number(frame[column], frame.index))
    if change is not None:
        labels.append("Change in crimes")
        columns.append(_number(change, frame.index, _signed))
    if "percent_change" in frame.columns:
        labels.append("Percent change")
        percent = _number(frame["percent_change"], frame.index, _percent)
        if "count_before" in frame.columns:  # NaN because nothing happened before
            none_before = pd.to_numeric(frame["count_before"], errors="coerce") == 0
            percent = percent.where(~none_before, "none before")
        columns.append(percent)
    if {"percent_change_low", "percent_change_high"} <= set(frame.columns):
        level = provenance.get("confidence")
        labels.append(f"{level:.0%} interval" if isinstance(level, float) else "Interval")
        low = _number(frame["percent_change_low"], frame.index, _percent)
        high = _number(frame["percent_change_high"], frame.index, _percent)
        columns.append(low + " to " + high)
    if "expected_after" in frame.columns and relative:
        labels.append("Expected after, at the trend")
        columns.append(_number(frame["expected_after"], frame.index))
    for column, label in (("change_p", "p-value"), ("change_p_adjusted", "Adjusted p-value")):
        if column in frame.columns:
            labels.append(label)
            columns.append(_p_value(frame[column]))
    labels.append("Rank")
    columns.append(_ranks(rising, frame.index, "significant increases"))
    detail = (
        _number(change, frame.index, _signed) + " crimes"
        if change is not None
        else pd.Series("", index=frame.index, dtype=object)
    )
    return _Layer(
        key="change",
        name="Change between periods",
        scheme=scheme,
        labels=tuple(labels),
        rows=_rows(columns),
        counts=_tally(labels_),
        top=_top_areas(frame, rising, top, detail),
        top_title="Largest rises above the trend" if relative else "Largest significant increases",
        top_empty=(
            "No area significantly above the trend at this significance level."
            if relative
            else "No significant increase at this significance level."
        ),
        provenance=provenance,
        statistic=True,
    )


def _signed(value: float) -> str:
    text = format_number(value)
    return f"+{text}" if math.isfinite(value) and value > 0 else text


def _percent(value: float) -> str:
    if not math.isfinite(value):
        return NO_DATA.lower()
    return f"{value:+,.1f}%" if value else "0.0%"


def _tally(categories: pd.Series) -> dict[str, int]:
    return {str(k): int(v) for k, v in categories.value_counts(sort=False).items()}


def _top_title(title: str, frame: pd.DataFrame) -> str:
    """A top list's title: what it ranks, the period, and the areas it leaves out."""
    period = _provenance(frame).get("period")
    if period:
        title += f", {period}"
    if "count" in frame.columns:
        title += f" (areas with fewer than {MIN_OWN_COUNT} incidents of their own not listed)"
    return title


def _detail(frame: pd.DataFrame, *parts: tuple[str, str]) -> pd.Series:
    """Short 'z = 3.1, p = 0.002' text per area for the top lists."""
    pieces = []
    for column, short in parts:
        if column in frame.columns:
            text = _p_value(frame[column]) if short == "p" else _number(frame[column], frame.index)
            pieces.append(short + " " + text.where(text.str.startswith("<"), "= " + text))
    if not pieces:
        return pd.Series("", index=frame.index, dtype=object)
    return pd.concat(pieces, axis=1).agg(", ".join, axis=1)


# ------------------------------------------------------------------ drawing


def _wgs84(geometry: gpd.GeoSeries) -> np.ndarray:
    """The geometries in WGS84 with coordinates rounded to :data:`PRECISION`."""
    return shapely.transform(geometry.to_crs(4326).to_numpy(), lambda xy: np.round(xy, PRECISION))


def _outlines(frame: gpd.GeoDataFrame) -> dict | None:
    if "borough_name" not in frame.columns or frame["borough_name"].isna().all():
        return None
    boroughs = frame[["borough_name", frame.geometry.name]].dropna(subset=["borough_name"])
    dissolved = boroughs.dissolve("borough_name", method="coverage")
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {}, "geometry": shapely.geometry.mapping(g)}
            for g in _wgs84(dissolved.geometry)
        ],
    }


def _html_label(text: str) -> str:
    """Text for a Leaflet layer-control label, which Leaflet reads as HTML."""
    return escape(text).replace("{", "&#123;").replace("}", "&#125;")


def _draw(
    frame: gpd.GeoDataFrame,
    layers: Sequence[_Layer],
    title: str,
    basemap: str | None,
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
        geometry = shapely.geometry.mapping(shapes[i])
        features.append({"type": "Feature", "properties": properties, "geometry": geometry})

    west, south, east, north = shapely.total_bounds(shapes)
    m = folium.Map(
        location=[(south + north) / 2, (west + east) / 2],
        zoom_start=10,
        tiles=None,
        zoom_control="bottomright",
        control_scale=True,
        zoom_snap=0.25,
    )
    make_offline(m)
    if basemap is not None:
        folium.TileLayer(basemap, overlay=True, control=False).add_to(m)
    data = elements.AreaData({"type": "FeatureCollection", "features": features}).add_to(m)
    drawn = []
    for i, layer in enumerate(layers):
        styles = {
            c: layer.scheme.path_style(c)
            for c in (*layer.scheme.categories, NO_DATA, NO_NEIGHBOURS)
        }
        spec = {"key": layer.key, "labels": [*id_labels, *layer.labels], "styles": styles}
        if layer.timeline is None:
            spec["labels"] += measure_labels
        else:
            spec.update(layer.timeline)
        drawn.append(
            elements.AreaLayer(data, spec, name=_html_label(layer.name), show=i == 0).add_to(m)
        )
    outlines = _outlines(frame)
    if outlines is not None:
        elements.OutlineLayer(outlines, name="Borough outlines").add_to(m)
    if len(layers) > 1 or outlines is not None:
        folium.LayerControl(position="topright", collapsed=False).add_to(m)

    uid = f"hs-{uuid.uuid4().hex[:12]}"
    left, right = [title_html(title)], []
    for i, layer in enumerate(layers):
        hidden = "" if i == 0 else " hidden"
        attributes = f'class="{uid}-layer" data-hs-layer="{layer.key}"{hidden}'
        slider = (
            "" if layer.timeline is None else slider_html(uid, layer.key, layer.timeline["periods"])
        )
        listed = layer.top is not None and top > 0
        right.append(
            f'<div class="hs-card {uid}-layer" data-hs-layer="{layer.key}"{hidden}>'
            + slider
            + legend_html(layer.name, layer.scheme, layer.counts)
            + (top_html(layer.top_title, layer.top, layer.top_empty) if listed else "")
            + "</div>"
        )
        left.append(
            f'<div {attributes}><div class="hs-card">'
            + provenance_html(layer.provenance, __version__, statistic=layer.statistic)
            + "</div></div>"
        )
    corners = {"topleft": "".join(left), "topright": "".join(right)}
    elements.Page(uid, corners, drawn).add_to(m)
    m.fit_bounds([[south, west], [north, east]])
    return m


def _single(
    build: Callable[[gpd.GeoDataFrame], _Layer],
    result: object,
    *,
    title: str | None,
    palette: str,
    basemap: str | None,
    top: int,
) -> folium.Map:
    _require_folium()
    check_palette(palette)
    _check_top(top)
    frame = _check_frame(result, "result")
    layer = build(frame)
    if title is None:
        title = layer.name + _subtitle(layer.provenance)
    return _draw(frame, [layer], title, basemap, top)


# ------------------------------------------------------------------ public


def choropleth_map(
    result: gpd.GeoDataFrame,
    column: str = "rate",
    *,
    title: str | None = None,
    palette: str = "default",
    basemap: str | None = None,
    top: int = 10,
) -> folium.Map:
    """Map a count or rate in five quantile classes.

    Parameters
    ----------
    result : geopandas.GeoDataFrame
        The result of :func:`hotspots.aggregate` (or any frame of areas with a
        numeric `column`, a CRS and area codes as its index).
    column : str, default "rate"
        The column to map, e.g. ``"rate"`` (per 1,000 residents) or ``"count"``.
        Missing values, and areas with ``covered`` False, are drawn as
        "No data" (hatched), never as a low class.
    title : str, optional
        Map title; by default the column with the crime type and period.
    palette : {"default", "colourblind"}
        YlOrRd, or viridis (readable with colour-vision deficiencies).
    basemap : str, optional
        A tile provider name (e.g. ``"CartoDB positron"``) to draw beneath the
        areas. None (default) keeps the map fully offline.
    top : int, default 10
        How many of the highest areas to list in the side panel.

    Returns
    -------
    folium.Map
        Save it with ``m.save("map.html")``; the file opens without a network
        unless a `basemap` was asked for.

    Examples
    --------
    >>> import boundaries, hotspots
    >>> wards = boundaries.load("wards").assign(count=1.0)
    >>> m = hotspots.choropleth_map(wards, "count", title="Every ward once")
    >>> type(m).__name__
    'Map'
    """
    return _single(
        lambda frame: _choropleth_layer(frame, column, palette, top),
        result,
        title=title,
        palette=palette,
        basemap=basemap,
        top=top,
    )


def cluster_map(
    result: gpd.GeoDataFrame,
    *,
    title: str | None = None,
    palette: str = "default",
    basemap: str | None = None,
    top: int = 10,
) -> folium.Map:
    """Map LISA clusters (High-High, Low-Low, High-Low, Low-High) from local Moran's I.

    Parameters
    ----------
    result : geopandas.GeoDataFrame
        The result of :func:`hotspots.local_moran` (column ``lisa_label``;
        ``lisa_i``, ``lisa_p`` (the p-value that decided the label) and the
        counts are shown in tooltips when present).
    title : str, optional
        Map title; by default "LISA clusters" with the crime type and period.
    palette : {"default", "colourblind"}
        High-High red, Low-Low blue, Low-High light blue, High-Low pink and
        not significant light grey; or the Okabe-Ito colour-blind-safe colours.
    basemap : str, optional
        A tile provider name to draw beneath the areas; None keeps it offline.
    top : int, default 10
        How many High-High areas to list, strongest first (by ``lisa_z`` if
        present, else by ``lisa_i``).

    Returns
    -------
    folium.Map

    Examples
    --------
    >>> import boundaries, hotspots
    >>> wards = boundaries.load("wards").assign(lisa_label="Not significant")
    >>> m = hotspots.cluster_map(wards, title="Synthetic: nothing significant")
    >>> "Not significant" in m.get_root().render()
    True
    """
    return _single(
        lambda frame: _lisa_layer(frame, palette, top),
        result,
        title=title,
        palette=palette,
        basemap=basemap,
        top=top,
    )


def hotspot_map(
    result: gpd.GeoDataFrame,
    *,
    title: str | None = None,
    palette: str = "default",
    basemap: str | None = None,
    top: int = 10,
) -> folium.Map:
    """Map Getis-Ord Gi* hot and cold spots at 99, 95 and 90 % confidence.

    Parameters
    ----------
    result : geopandas.GeoDataFrame
        The result of :func:`hotspots.getis_ord` (column ``gi_label``;
        ``gi_z``, ``gi_p`` (the p-value that decided the label) and ``gi_p_adjusted``
        are shown when present).
    title : str, optional
        Map title; by default "Hot and cold spots" with the crime type and period.
    palette : {"default", "colourblind"}
        Deep blue through light grey to deep red, or purple to orange (PuOr).
    basemap : str, optional
        A tile provider name to draw beneath the areas; None keeps it offline.
    top : int, default 10
        How many hot spots to list, highest z-score first.

    Returns
    -------
    folium.Map

    Examples
    --------
    >>> import boundaries, hotspots
    >>> wards = boundaries.load("wards").assign(gi_label="Not significant", gi_z=0.0)
    >>> m = hotspots.hotspot_map(wards, palette="colourblind")
    >>> type(m).__name__
    'Map'
    """
    return _single(
        lambda frame: _gi_layer(frame, palette, top),
        result,
        title=title,
        palette=palette,
        basemap=basemap,
        top=top,
    )


def emerging_map(
    result: EmergingHotspots,
    *,
    title: str | None = None,
    palette: str = "default",
    basemap: str | None = None,
    top: int = 10,
) -> folium.Map:
    """Map emerging hot-spot patterns, and the Gi* hot and cold spots period by period.

    Two switchable layers: the emerging pattern of each area (new,
    intensifying, persistent, ... hot and cold spots), and the space-time Gi*
    category of each period with a slider to move through the periods (the
    map opens on the last one; the legend counts, the period shown and the
    tooltips follow the slider). Everything is in the page: it works offline.

    Parameters
    ----------
    result : EmergingHotspots
        The result of :func:`hotspots.emerging_hotspots` itself (its
        ``.areas`` give the patterns, its ``.periods`` the period view), not
        its ``.areas`` alone.
    title : str, optional
        Map title; by default "Emerging hot spots" with the crime type and period.
    palette : {"default", "colourblind"}
        Reds for hot and blues for cold patterns, or oranges and purples; the
        period layer uses the colours of :func:`hotspot_map`.
    basemap : str, optional
        A tile provider name to draw beneath the areas; None keeps it offline.
    top : int, default 10
        How many hot-spot areas to list: persistent first, then intensifying,
        consecutive, new, oscillating, sporadic, diminishing and historical
        (the steepest upward trend first within a pattern).

    Returns
    -------
    folium.Map

    Examples
    --------
    >>> import boundaries, hotspots
    >>> import pandas as pd
    >>> boroughs = boundaries.load("boroughs")
    >>> months = pd.period_range("2024-01", periods=4, freq="M", name="month")
    >>> counts = pd.DataFrame([[float(i % 5 + m) for m in range(4)] for i in range(33)],
    ...                       index=boroughs.index, columns=months)  # synthetic counts
    >>> result = hotspots.emerging_hotspots(boroughs, counts, permutations=0, seed=1,
    ...     inference="analytical")
    >>> html = hotspots.emerging_map(result, title="Synthetic").get_root().render()
    >>> 'type="range"' in html and "2024-04" in html
    True
    """
    _require_folium()
    check_palette(palette)
    _check_top(top)
    emerging = _check_emerging(result)
    frame = _check_frame(emerging.areas, "result.areas")
    layers = [
        _emerging_layer(frame, palette, top),
        _period_layer(frame, emerging.periods, palette),
    ]
    if title is None:
        title = layers[0].name + _subtitle(layers[0].provenance)
    return _draw(frame, layers, title, basemap, top)


def change_map(
    result: gpd.GeoDataFrame,
    *,
    title: str | None = None,
    palette: str = "default",
    basemap: str | None = None,
    top: int = 10,
) -> folium.Map:
    """Map where crime rose or fell by more than chance between two periods.

    Parameters
    ----------
    result : geopandas.GeoDataFrame
        The result of :func:`hotspots.period_change` (column
        ``change_label``; the counts before and after with their windows, the
        change, the percent change with its interval, the count expected at
        the trend and the p-values are shown in tooltips when present).
    title : str, optional
        Map title; by default "Change between periods" with the crime type
        and period.
    palette : {"default", "colourblind"}
        Significant increase (or significantly above the trend, for the
        default test) red, decrease (below the trend) blue and no significant
        change (in line with the trend) light grey; or orange and purple.
    basemap : str, optional
        A tile provider name to draw beneath the areas; None keeps it offline.
    top : int, default 10
        How many significant increases (rises above the trend) to list, the
        largest rise in crimes first.

    Returns
    -------
    folium.Map

    Examples
    --------
    >>> import boundaries, hotspots
    >>> boroughs = boundaries.load("boroughs").assign(  # synthetic changes
    ...     count_before=10.0, count_after=10.0, change=0.0,
    ...     change_label="No significant change")
    >>> html = hotspots.change_map(boroughs).get_root().render()
    >>> "Largest significant increases" in html
    True
    """
    return _single(
        lambda frame: _change_layer(frame, palette, top),
        result,
        title=title,
        palette=palette,
        basemap=basemap,
        top=top,
    )


def _check_one_crime_type(frames: list[gpd.GeoDataFrame]) -> None:
    """Refuse results of different crime types: one map layer per statistic would drop some."""
    types = [f.attrs.get("hotspots", {}).get("crime_type") for f in frames]
    known = [(i, t) for i, t in enumerate(types, start=1) if t is not None]
    for i, crime_type in known[1:]:
        if crime_type != known[0][1]:
            raise InputError(
                f"result {i} is for crime type {crime_type!r} but result {known[0][0]} for "
                f"{known[0][1]!r}: combined_map shows one crime type (one layer per statistic); "
                "make one map per crime type, or use hotspots.dashboard_page for several"
            )


def combined_map(
    *results: gpd.GeoDataFrame | EmergingHotspots,
    column: str = "rate",
    title: str = "Crime hot spots",
    palette: str = "default",
    basemap: str | None = None,
    top: int = 10,
) -> folium.Map:
    """One map with every available result as a switchable layer, borough outlines on top.

    Parameters
    ----------
    *results : geopandas.GeoDataFrame or EmergingHotspots
        Results for the same areas, e.g. from :func:`hotspots.aggregate`,
        :func:`hotspots.local_moran`, :func:`hotspots.getis_ord`,
        :func:`hotspots.emerging_hotspots` and :func:`hotspots.period_change`
        (one frame may hold several). Layers are made, in this order, from
        the first frame holding `column` (choropleth), ``lisa_label``,
        ``gi_label``, ``emerging_label`` and ``change_label``. An
        :class:`hotspots.EmergingHotspots` result counts as its
        ``.areas`` and also adds the Gi* period-by-period layer with its
        slider (as in :func:`emerging_map`), after the emerging patterns.
        Tooltips show names, counts and rates from the first frame. Each
        layer keeps its own provenance panel. All results must be for one
        crime type (``attrs["hotspots"]["crime_type"]``): results for
        different types raise :class:`hotspots.InputError` rather than one
        being left out (:func:`hotspots.dashboard_page` shows several).
    column : str, default "rate"
        The column of the choropleth layer.
    title : str, default "Crime hot spots"
        Map title.
    palette : {"default", "colourblind"}
        Colour palette of every layer.
    basemap : str, optional
        A tile provider name to draw beneath the areas; None keeps it offline.
    top : int, default 10
        How many top at-risk areas each layer lists.

    Returns
    -------
    folium.Map

    Examples
    --------
    >>> import boundaries, hotspots
    >>> wards = boundaries.load("wards")
    >>> synthetic = wards.assign(count=1.0, lisa_label="Not significant")
    >>> m = hotspots.combined_map(synthetic, column="count")
    >>> html = m.get_root().render()
    >>> "Borough outlines" in html and "LISA clusters" in html
    True
    """
    _require_folium()
    check_palette(palette)
    _check_top(top)
    if not results:
        raise InputError("combined_map needs at least one result")
    emerging = next((r for r in results if _is_emerging(r)), None)
    frames = [
        _check_frame(r.areas if _is_emerging(r) else r, f"result {i + 1}")
        for i, r in enumerate(results)
    ]
    base = frames[0]
    _check_one_crime_type(frames)
    for i, frame in enumerate(frames[1:], start=2):
        if not frame.index.sort_values().equals(base.index.sort_values()):
            extra = frame.index.symmetric_difference(base.index)
            raise InputError(f"result {i} has different areas from result 1", value=str(extra[0]))
    builders = (
        (column, lambda f: _choropleth_layer(f, column, palette, top)),
        ("lisa_label", lambda f: _lisa_layer(f, palette, top)),
        ("gi_label", lambda f: _gi_layer(f, palette, top)),
        ("emerging_label", lambda f: _emerging_layer(f, palette, top)),
        ("change_label", lambda f: _change_layer(f, palette, top)),
    )
    layers = []
    for needed, build in builders:
        frame = next((f for f in frames if needed in f.columns), None)
        if frame is not None:
            layers.append(build(frame.reindex(base.index)))
        if needed == "emerging_label" and emerging is not None:
            layers.append(_period_layer(base, emerging.periods, palette))
    if not layers:
        raise InputError(
            f"no result has a column to map ({column!r}, 'lisa_label', 'gi_label', "
            "'emerging_label' or 'change_label')"
        )
    return _draw(base, layers, title, basemap, top)
