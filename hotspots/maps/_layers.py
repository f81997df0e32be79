"""The thematic layers of a map: categories, colours, tooltip rows, legends and top lists.

Every result column the maps read is named in :data:`COLUMNS` (one place to
change when a statistic renames or adds a column). No folium here.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from hotspots._errors import InputError
from hotspots._vocabulary import (
    ABOVE_TREND,
    BELOW_TREND,
    CHANGE_TREND_CATEGORIES,
    DECREASE,
    INCREASE,
    LISA_SIGNIFICANCE_CATEGORIES,
    LISA_SIGNIFICANCE_LEVELS,
    MIN_OWN_COUNT,
    NO_DATA,
    NO_NEIGHBOURS,
)
from hotspots.maps._page import _CORRECTIONS, TopArea
from hotspots.maps._style import (
    EMERGING_HOT,
    MAX_CLASSES,
    Scheme,
    assign_classes,
    category_scheme,
    class_breaks,
    class_labels,
    classed_scheme,
    format_number,
    format_rate,
)

PRECISION = 5
"""Decimal places kept in WGS84 coordinates (about 1 m): display only."""

_COLUMN_LABELS = {"count": "Crimes", "rate": "Rate per 1,000 residents", "population": "Residents"}

COLUMNS: dict[str, str | tuple[str, ...]] = {
    # role -> result column; a tuple lists alternatives, the first present wins
    "lisa_label": "lisa_label",
    "lisa_i": "lisa_i",
    "lisa_z": "lisa_z",
    "lisa_p": ("lisa_p", "lisa_p_sim"),  # the p-value that decided the label
    "lisa_p_adjusted": "lisa_p_adjusted",
    "gi_label": "gi_label",
    "gi_z": "gi_z",
    "gi_g": "gi_g",
    "gi_p": "gi_p",  # the p-value that decided the label
    "gi_p_sim": "gi_p_sim",
    "gi_p_norm": "gi_p_norm",
    "gi_p_adjusted": "gi_p_adjusted",
    "emerging_label": "emerging_label",
    "trend_z": "trend_z",
    "trend_p": "trend_p",
    "trend_direction": "trend_direction",
    "change_label": "change_label",
    "change": "change",
    "percent_change": "percent_change",
    "count_before": "count_before",
    "count_after": "count_after",
    "change_p": "change_p",
    "change_p_adjusted": "change_p_adjusted",
    "count": "count",
}
"""Every statistic column the maps read, by role: rename here when a statistic renames one."""


def _named(role: str) -> str:
    """The column playing `role`, a role with one name (see :data:`COLUMNS`)."""
    name = COLUMNS[role]
    if not isinstance(name, str):
        raise TypeError(f"the role {role!r} has alternative columns: find it with _col")
    return name


def _col(frame: pd.DataFrame, role: str) -> str | None:
    """The column of `frame` playing `role` (see :data:`COLUMNS`), None if absent."""
    names = COLUMNS[role]
    for name in (names,) if isinstance(names, str) else names:
        if name in frame.columns:
            return name
    return None


@dataclass(frozen=True)
class TopList:
    """One ranked list of a layer's side panel."""

    title: str
    areas: list[TopArea]
    empty: str


@dataclass(frozen=True)
class _Layer:
    """Everything needed to draw one thematic layer of a map."""

    key: str
    name: str
    scheme: Scheme
    labels: tuple[str, ...]  # tooltip labels of the layer's own rows
    rows: pd.Series  # per area: display strings, the category first (timeline: a dict)
    counts: dict[str, int]  # legend: areas per category
    tops: tuple[TopList, ...]  # ranked lists in the side panel (none for a period layer)
    provenance: dict[str, Any]
    needs: tuple[str, ...]  # provenance keys that apply ("not recorded" when missing)
    legend_title: str = ""  # defaults to the name
    hide_empty: bool = False  # legend lists only categories that occur (emerging: 17)
    # a layer drawn one period at a time: period labels, categories (indexed by the
    # rows), areas per category and period; the area measures are left out of its tooltip
    timeline: dict[str, Any] | None = None


def _table_layer(
    key: str,
    name: str,
    scheme: Scheme,
    labels: Sequence[str],
    columns: Sequence[pd.Series],
    *,
    tops: tuple[TopList, ...],
    provenance: dict[str, Any],
    needs: tuple[str, ...],
    legend_title: str = "",
    hide_empty: bool = False,
) -> _Layer:
    """A layer whose tooltip rows are `columns` under `labels`, the first the categories.

    The legend counts the areas of each category of the first column.
    """
    return _Layer(
        key=key,
        name=name,
        scheme=scheme,
        labels=tuple(labels),
        rows=_rows(columns),
        counts=_tally(columns[0]),
        tops=tops,
        provenance=provenance,
        needs=needs,
        legend_title=legend_title,
        hide_empty=hide_empty,
    )


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
    values = np.ascontiguousarray(pd.to_numeric(series, errors="coerce").astype(float))
    # each distinct number written once (by its bits: -0.0 and 0.0 may be written apart)
    bits, inverse = np.unique(values.view(np.int64), return_inverse=True)
    texts = np.array([fmt(v) for v in bits.view(np.float64)], dtype=object)
    return pd.Series(texts[inverse.reshape(-1)], index=index, dtype=object)


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
    return tuple(_column_label(frame, c) for c in present), _rows(columns)


def _column_label(frame: pd.DataFrame, column: str) -> str:
    """A measure's label; a rate names its denominator (never "residents" for another)."""
    if column in ("rate", "population"):
        who = _provenance(frame).get("denominator") or "residents"
        return f"Rate per 1,000 {who}" if column == "rate" else who[:1].upper() + who[1:]
    return _COLUMN_LABELS.get(column, column)


def _top_areas(frame: pd.DataFrame, order: pd.Index, top: int, detail: pd.Series) -> list[TopArea]:
    """The first `top` areas of `order`, each with its `detail` text (and its crimes).

    Areas with fewer than MIN_OWN_COUNT incidents of their own, and areas holding
    the Met's airport-security records (``pseudo_area``), are never listed.
    """
    count = _col(frame, "count")
    if count is not None:
        own = pd.to_numeric(frame[count], errors="coerce")
        order = order[(own[order] >= MIN_OWN_COUNT).to_numpy()]
        crimes = _number(frame[count], frame.index)
        detail = detail.where(detail.str.contains("crimes"), detail + ", " + crimes + " crimes")
        detail = detail.str.lstrip(", ")
    if "pseudo_area" in frame.columns:  # airport-security records: not ranked
        order = order[~order.isin(frame.index[frame["pseudo_area"].astype(bool)])]
    names = frame["name"] if "name" in frame.columns else pd.Series(frame.index, index=frame.index)
    boroughs = frame["borough_name"] if "borough_name" in frame.columns else None
    return [
        TopArea(
            code=str(code),
            name=str(names[code]) if pd.notna(names[code]) else str(code),
            borough="" if boroughs is None or pd.isna(boroughs[code]) else str(boroughs[code]),
            detail=str(detail[code]),
        )
        for code in order[:top]
    ]


def _provenance(frame: pd.DataFrame) -> dict[str, Any]:
    provenance = frame.attrs.get("hotspots", {})
    return dict(provenance) if isinstance(provenance, dict) else {}


def _subtitle(provenance: dict[str, Any]) -> str:
    parts = [str(provenance[k]) for k in ("crime_type", "period") if provenance.get(k)]
    return f" – {', '.join(parts)}" if parts else ""


# ------------------------------------------------------------------ layers


STATISTIC_NEEDS = ("weights", "permutations", "seed", "alpha", "correction")
"""Provenance a permutation statistic must state ("not recorded" when missing)."""


def _choropleth_layer(
    frame: pd.DataFrame, column: str, palette: str, top: int, classes: str | Sequence[float]
) -> _Layer:
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
    edges = class_breaks(values.to_numpy(), MAX_CLASSES, classes)
    class_names = class_labels(edges, fmt)
    scheme = classed_scheme(edges, palette, class_names)
    classes_ = pd.Series(assign_classes(values.to_numpy(), edges, class_names), index=frame.index)
    label = _column_label(frame, column)
    provenance = _provenance(frame)
    period = provenance.get("period")
    legend_title = f"{label}, {period}" if period and column in ("rate", "count") else label
    order = _ranked(-values.dropna())
    shown = pd.Series([fmt(v) for v in values.to_numpy()], index=frame.index, dtype=object)
    scheme_name = classes if isinstance(classes, str) else "your breaks"
    return _table_layer(
        "choropleth",
        label,
        scheme,
        (f"Class ({scheme_name.replace('_', ' ')})", label, "Rank"),
        [classes_, shown, _ranks(order, frame.index, "areas, highest first")],
        tops=(
            TopList(
                _top_title(
                    f"Highest {label.lower() if column in _COLUMN_LABELS else label}", frame
                ),
                _top_areas(
                    frame,
                    order,
                    top,
                    shown if column != "count" else shown.map(lambda t: t + " crimes"),
                ),
                "No area has data.",
            ),
        ),
        provenance=provenance,
        needs=(),
        legend_title=legend_title,
    )


def _local_layer(
    frame: pd.DataFrame,
    spec: tuple[str, str, str],
    labels_: pd.Series,
    numbers: Sequence[tuple[str | None, str]],
    p_values: Sequence[tuple[str | None, str]],
    ranked: tuple[pd.Index, str, str, str],
    detail: pd.Series,
    top: int,
    scheme: Scheme,
) -> _Layer:
    """A local statistic's layer: its label, numbers and p-values per area, and one top list.

    ``spec`` is (key, layer name, label heading); ``ranked`` is (the areas of the
    top list in order, what the rank counts, the list's title, its empty text).
    """
    key, name, heading = spec
    order, noun, title, empty = ranked
    labels, columns = [heading], [labels_]
    for column, label in numbers:
        if column:
            labels.append(label)
            columns.append(_number(frame[column], frame.index))
    for column, label in p_values:
        if column:
            labels.append(label)
            columns.append(_p_value(frame[column]))
    labels.append("Rank")
    columns.append(_ranks(order, frame.index, noun))
    return _table_layer(
        key,
        name,
        scheme,
        labels,
        columns,
        tops=(TopList(_top_title(title, frame), _top_areas(frame, order, top, detail), empty),),
        provenance=_provenance(frame),
        needs=STATISTIC_NEEDS,
    )


def _lisa_layer(frame: pd.DataFrame, palette: str, top: int) -> _Layer:
    _require(frame, _named("lisa_label"), "hotspots.local_moran")
    scheme = category_scheme("lisa", palette)
    clusters = _categories(frame, _named("lisa_label"), scheme)
    z, i, p = _col(frame, "lisa_z"), _col(frame, "lisa_i"), _col(frame, "lisa_p")
    strength = frame[z] if z else (frame[i] if i else None)
    high = _strongest_first(clusters.index[clusters == "High-High"], strength)
    # the list is ordered by z (or I): print the number it is ordered by first
    detail = _detail(frame, *((z, "z"),) if z else (), (i, "I"), (p, "p"))
    return _local_layer(
        frame,
        ("lisa", "LISA clusters (Local Moran's I)", "LISA cluster"),
        clusters,
        ((i, "Local Moran's I"), (z, "z-score")),
        (
            (p, "Pseudo p-value" if p == "lisa_p_sim" else "p-value (decides the label)"),
            (_col(frame, "lisa_p_adjusted"), "Adjusted p-value"),
        ),
        (
            high,
            "High-High areas",
            "Top High-High areas (high among high neighbours)",
            "No High-High cluster at this significance level.",
        ),
        detail,
        top,
        scheme,
    )


def significance_classes(p: np.ndarray | pd.Series) -> np.ndarray:
    """The LISA significance class of each p-value (GeoDa's significance map).

    An area falls in the first class of :data:`LISA_SIGNIFICANCE_CATEGORIES`
    whose level its p does not exceed (``p <= 0.001``, ``<= 0.01``, ``<= 0.05``),
    else in "p > 0.05"; a missing p is "No data".
    """
    values = pd.to_numeric(pd.Series(np.asarray(p, dtype=object)), errors="coerce")
    values = values.astype(float).to_numpy()
    out = np.full(values.shape, LISA_SIGNIFICANCE_CATEGORIES[-1], dtype=object)
    for level, label in zip(
        LISA_SIGNIFICANCE_LEVELS[::-1], LISA_SIGNIFICANCE_CATEGORIES[-2::-1], strict=True
    ):
        out[values <= level] = label
    out[~np.isfinite(values)] = NO_DATA
    return out


def _lisa_significance_layer(frame: pd.DataFrame, palette: str, top: int) -> _Layer | None:
    """GeoDa's LISA significance map of the corrected deciding p; None without that column."""
    _require(frame, _named("lisa_label"), "hotspots.local_moran")
    adjusted = _col(frame, "lisa_p_adjusted")
    if adjusted is None:
        return None
    scheme = category_scheme("lisa_significance", palette)
    clusters = _categories(frame, _named("lisa_label"), category_scheme("lisa", palette))
    classes = pd.Series(significance_classes(frame[adjusted]), index=frame.index, dtype=object)
    # an island has no local statistic; an area without data has none either
    classes = classes.where(~clusters.isin([NO_DATA, NO_NEIGHBOURS]), clusters)
    provenance = _provenance(frame)
    if "correction" not in provenance:
        correction = "correction not recorded"
    elif provenance["correction"] is None:
        correction = "no correction"
    else:
        named = str(provenance["correction"])
        correction = f"correction: {_CORRECTIONS.get(named, named)}"
    return _table_layer(
        "lisa_significance",
        "LISA significance (corrected p-values)",
        scheme,
        ("Significance class", "Corrected p-value (decides the label)", "LISA cluster"),
        [classes, _p_value(frame[adjusted]), clusters],
        tops=(),
        provenance=provenance,
        needs=STATISTIC_NEEDS,
        legend_title=f"Corrected p-value of the LISA label: {adjusted}, {correction}",
    )


def _gi_layer(frame: pd.DataFrame, palette: str, top: int) -> _Layer:
    _require(frame, _named("gi_label"), "hotspots.getis_ord")
    scheme = category_scheme("gi", palette)
    labels_ = _categories(frame, _named("gi_label"), scheme)
    z = _col(frame, "gi_z")
    hot = _strongest_first(
        labels_.index[labels_.str.startswith("Hot spot")], frame[z] if z else None
    )
    # print the p-value that decided the category, never another one
    detail = _detail(frame, (z, "z"), (_col(frame, "gi_p"), "p"))
    return _local_layer(
        frame,
        ("gi", "Hot and cold spots (Getis-Ord Gi*)", "Gi* category"),
        labels_,
        ((z, "Gi* z-score"),),
        (
            (_col(frame, "gi_p"), "p-value (decides the label)"),
            (_col(frame, "gi_p_adjusted"), "Adjusted p-value"),
            (_col(frame, "gi_p_sim"), "Pseudo p-value (permutations)"),
        ),
        (
            hot,
            "hot spots",
            "Top hot neighbourhoods (Gi* z of the area with its neighbours)",
            "No significant hot spot at this significance level.",
        ),
        detail,
        top,
        scheme,
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
    return _table_layer(
        "emerging",
        "Emerging hot spots",
        scheme,
        labels,
        columns,
        tops=(
            TopList(
                "Hot spots by pattern (strongest first)",
                _top_areas(frame, order, top, categories),
                "No emerging hot spot.",
            ),
        ),
        provenance=_provenance(frame),
        needs=STATISTIC_NEEDS,
        hide_empty=True,
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
    # per area, compact: one character per period for the category (the page styles from it
    # directly), the counts and z-scores as comma-separated text read only by the tooltip
    letters = np.array([chr(48 + i) for i in range(len(categories))])
    rows = pd.Series(
        [
            {
                "c": "".join(letters[codes[i]]),
                "n": ",".join(_short(v, 2) for v in numbers["count"][i]),
                "z": ",".join(_short(v, 2) for v in numbers["gi_z"][i]),
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
        tops=(),
        provenance=_provenance(periods),
        needs=STATISTIC_NEEDS,
        timeline={
            "periods": [str(p) for p in labels.columns],
            "categories": list(categories),
            "counts": [c.tolist() for c in per_period],
        },
    )


def _short(value: float, decimals: int) -> str:
    """A number for the page: rounded, no trailing zeros, empty when missing."""
    if not math.isfinite(value):
        return ""
    text = f"{round(value, decimals):.{decimals}f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


_CHANGE_LISTS = {
    # relative (against the trend) or not -> (title, empty text) of the rises, then the falls
    True: (
        ("Largest rises above the trend", "No area significantly above the trend"),
        ("Largest falls below the trend", "No area significantly below the trend"),
    ),
    False: (
        ("Largest significant increases", "No significant increase"),
        ("Largest significant decreases", "No significant decrease"),
    ),
}


def _change_layer(frame: pd.DataFrame, palette: str, top: int) -> _Layer:
    _require(frame, "change_label", "hotspots.period_change")
    relative = bool(frame["change_label"].isin(CHANGE_TREND_CATEGORIES).any())
    scheme = category_scheme("change_trend" if relative else "change", palette)
    labels_ = _categories(frame, "change_label", scheme)
    provenance = _provenance(frame)
    rise, fall = (ABOVE_TREND, BELOW_TREND) if relative else (INCREASE, DECREASE)
    change = (
        pd.to_numeric(frame["change"], errors="coerce").astype(float)
        if "change" in frame.columns
        else None
    )
    rising = _strongest_first(labels_.index[labels_ == rise], change)
    falling = _strongest_first(labels_.index[labels_ == fall], None if change is None else -change)
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
    return _table_layer(
        "change",
        "Change between periods",
        scheme,
        labels,
        columns,
        tops=tuple(
            TopList(
                title, _top_areas(frame, order, top, detail), f"{empty} at this significance level."
            )
            for order, (title, empty) in zip(
                (rising, falling), _CHANGE_LISTS[relative], strict=True
            )
        ),
        provenance=provenance,
        needs=("alpha", "correction"),
    )


def _signed(value: float) -> str:
    text = format_number(value)
    return f"+{text}" if math.isfinite(value) and value > 0 else text


def _percent(value: float) -> str:
    if not math.isfinite(value):
        return NO_DATA.lower()
    return f"{value:+,.1f}%" if value else "0.0%"


def _top_title(title: str, frame: pd.DataFrame) -> str:
    """A top list's title: what it ranks, the period, and the areas it leaves out."""
    period = _provenance(frame).get("period")
    if period:
        title += f", {period}"
    if _col(frame, "count") is not None:
        title += f" (areas with fewer than {MIN_OWN_COUNT} incidents of their own not listed)"
    return title


def _tally(categories: pd.Series) -> dict[str, int]:
    return {str(k): int(v) for k, v in categories.value_counts(sort=False).items()}


def _detail(frame: pd.DataFrame, *parts: tuple[str | None, str]) -> pd.Series:
    """Short 'z = 3.1, p = 0.002' text per area for the top lists."""
    pieces = []
    for column, short in parts:
        if column is not None and column in frame.columns:
            text = _p_value(frame[column]) if short == "p" else _number(frame[column], frame.index)
            pieces.append(short + " " + text.where(text.str.startswith("<"), "= " + text))
    if not pieces:
        return pd.Series("", index=frame.index, dtype=object)
    return functools.reduce(lambda text, piece: text + ", " + piece, pieces)
