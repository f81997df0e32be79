"""Colours, category orders and class labels for the maps (no folium needed).

Every category has one fixed colour whatever categories a result happens to
contain, so that two maps can be compared by eye. Two palettes exist:
``"default"`` (the conventional GeoDa / ArcGIS-like colours) and
``"colourblind"`` (Okabe-Ito and ColorBrewer PuOr / orange-purple ramps, which
stay apart for the common colour-vision deficiencies). "No data" is never a
colour that could read as low: it is a grey hatch with a dark outline;
"No neighbours" is white with a dashed outline.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from hotspots._errors import InputError
from hotspots._vocabulary import (
    CHANGE_CATEGORIES,
    CHANGE_TREND_CATEGORIES,
    EMERGING_LEGEND_KINDS,
    GI_CATEGORIES,
    LISA_SIGNIFICANCE_CATEGORIES,
    NO_DATA,
    NO_NEIGHBOURS,
    NO_PATTERN,
    NOT_SIGNIFICANT,
)

PALETTES = ("default", "colourblind")

# strongest first; the same eight patterns for cold spots
EMERGING_HOT = tuple(f"{kind} hot spot" for kind in EMERGING_LEGEND_KINDS)
EMERGING_COLD = tuple(f"{kind} cold spot" for kind in EMERGING_LEGEND_KINDS)
EMERGING_CATEGORIES = (*EMERGING_HOT, *EMERGING_COLD, NO_PATTERN)

# "Not significant" / "No pattern" / "No change": ArcGIS's near-white beige, which stays
# visible on the map background (MAP_BACKGROUND) and leaves a basemap readable
_NEUTRAL = "#f7f7f2"
MAP_BACKGROUND = "#cfd6dc"
"""Background of the map (light blue-grey): contrast 1.3:1 with the neutral fill at
:data:`FILL_OPACITY`, and the Thames (a gap in the shipped boundaries) reads as water."""
FILL_OPACITY = 0.9
"""Fill opacity of every area at the default setting of the page's opacity control."""

_FILLS: dict[str, dict[str, dict[str, str]]] = {
    "lisa": {
        "default": {
            "High-High": "#d7191c",
            "High-Low": "#f1a1b5",
            "Low-High": "#9ecae1",
            "Low-Low": "#2c7bb6",
            NOT_SIGNIFICANT: _NEUTRAL,
        },
        "colourblind": {
            "High-High": "#d55e00",
            "High-Low": "#e69f00",
            "Low-High": "#56b4e9",
            "Low-Low": "#0072b2",
            NOT_SIGNIFICANT: _NEUTRAL,
        },
    },
    # GeoDa's LISA significance map greens (p = 0.001, 0.01, 0.05), darkest the strongest;
    # the colour-blind palette keeps one hue (ColorBrewer Greens), told apart by lightness
    "lisa_significance": {
        "default": dict(
            zip(
                LISA_SIGNIFICANCE_CATEGORIES,
                ("#037406", "#06c40b", "#4bff50", _NEUTRAL),
                strict=True,
            )
        ),
        "colourblind": dict(
            zip(
                LISA_SIGNIFICANCE_CATEGORIES,
                ("#006d2c", "#31a354", "#a1d99b", _NEUTRAL),
                strict=True,
            )
        ),
    },
    "gi": {
        "default": dict(
            zip(
                GI_CATEGORIES,
                ("#b2182b", "#d6604d", "#f4a582", _NEUTRAL, "#92c5de", "#4393c3", "#2166ac"),
                strict=True,
            )
        ),
        "colourblind": dict(
            zip(
                GI_CATEGORIES,
                ("#b35806", "#e08214", "#fdb863", _NEUTRAL, "#b2abd2", "#8073ac", "#542788"),
                strict=True,
            )
        ),
    },
    "emerging": {
        "default": {
            **dict(
                zip(
                    EMERGING_HOT,
                    (
                        "#67000d",
                        "#a50f15",
                        "#d7301f",
                        "#fb6a4a",
                        "#f768a1",
                        "#fcae91",
                        "#fdae6b",
                        "#d9a3a3",
                    ),
                    strict=True,
                )
            ),
            **dict(
                zip(
                    EMERGING_COLD,
                    (
                        "#08306b",
                        "#08519c",
                        "#2171b5",
                        "#6baed6",
                        "#807dba",
                        "#9ecae1",
                        "#bcbddc",
                        "#6a51a3",
                    ),
                    strict=True,
                )
            ),
            NO_PATTERN: _NEUTRAL,
        },
        "colourblind": {
            **dict(
                zip(
                    EMERGING_HOT,
                    (
                        "#7f3b08",
                        "#a34a07",
                        "#c76208",
                        "#e08214",
                        "#f1a340",
                        "#fdb863",
                        "#fdd49e",
                        "#fee8c8",
                    ),
                    strict=True,
                )
            ),
            **dict(
                zip(
                    EMERGING_COLD,
                    (
                        "#2d004b",
                        "#3f1a6b",
                        "#542788",
                        "#6f5aa6",
                        "#8073ac",
                        "#998ec3",
                        "#b2abd2",
                        "#7b6bb0",
                    ),
                    strict=True,
                )
            ),
            NO_PATTERN: _NEUTRAL,
        },
    },
    # diverging: rises red (orange), falls blue (purple), no significant change neutral grey
    "change": {
        "default": dict(zip(CHANGE_CATEGORIES, ("#ca0020", _NEUTRAL, "#0571b0"), strict=True)),
        "colourblind": dict(zip(CHANGE_CATEGORIES, ("#e66101", _NEUTRAL, "#5e3c99"), strict=True)),
    },
    # the same colours for change relative to the trend of all the areas (the default test)
    "change_trend": {
        "default": dict(
            zip(CHANGE_TREND_CATEGORIES, ("#ca0020", _NEUTRAL, "#0571b0"), strict=True)
        ),
        "colourblind": dict(
            zip(CHANGE_TREND_CATEGORIES, ("#e66101", _NEUTRAL, "#5e3c99"), strict=True)
        ),
    },
}

# sequential ramps for the count / rate choropleth, low to high
_RAMPS = {
    "default": ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"),  # ColorBrewer YlOrRd
    "colourblind": ("#fde725", "#5ec962", "#21918c", "#3b528b", "#440154"),  # viridis
}
MAX_CLASSES = len(_RAMPS["default"])

HATCH_ID = "hotspots-no-data-hatch"
"""DOM id of the SVG pattern that fills "No data" areas."""


@dataclass(frozen=True)
class Scheme:
    """How one map layer colours its areas.

    Attributes
    ----------
    categories : tuple of str
        The legend entries in order (without "No data" / "No neighbours").
    fills : dict
        Fill colour per category, including the special categories.
    """

    categories: tuple[str, ...]
    fills: dict[str, str]

    def path_style(self, category: str) -> dict[str, object]:
        """Leaflet path options for an area in `category`."""
        if category == NO_DATA:
            return {
                "fillColor": f"url(#{HATCH_ID})",
                "fillOpacity": 1,
                "color": "#333333",
                "weight": 1.2,
                "opacity": 1,
            }
        if category == NO_NEIGHBOURS:
            return {
                "fillColor": "#ffffff",
                "fillOpacity": 1,
                "color": "#000000",
                "weight": 1.2,
                "dashArray": "3 3",
                "opacity": 1,
            }
        return {
            "fillColor": self.fills[category],
            "fillOpacity": FILL_OPACITY,
            "color": "#8a8f94",
            "weight": 0.4,
            "opacity": 0.7,
        }


def check_palette(palette: str) -> None:
    """Raise InputError unless `palette` is a known palette name."""
    if palette not in PALETTES:
        raise InputError(
            f"unknown palette: use one of {', '.join(map(repr, PALETTES))}", value=palette
        )


def category_scheme(kind: str, palette: str) -> Scheme:
    """The fixed scheme of a layer.

    `kind` is "lisa", "lisa_significance", "gi", "emerging", "change" or "change_trend".
    """
    check_palette(palette)
    fills = _FILLS[kind][palette]
    return Scheme(categories=tuple(fills), fills=dict(fills))


SCHEMES = ("quantile", "natural_breaks", "equal_interval")
"""Named classification schemes of :func:`hotspots.choropleth_map` (or pass your own breaks)."""

_JENKS_SAMPLE = 2000  # natural breaks on more values use this many evenly spaced order statistics


def class_breaks(
    values: np.ndarray,
    classes: int = MAX_CLASSES,
    scheme: str | Sequence[float] = "quantile",
) -> np.ndarray:
    """Class edges (lowest value first, then the upper bound of each class) of finite `values`.

    Classes are closed on the right: class i holds ``edges[i] < v <= edges[i + 1]``
    and the lowest class also holds ``edges[0]``.

    Parameters
    ----------
    values : numpy.ndarray
        The values (NaN and infinities are left out).
    classes : int
        How many classes to ask for (named schemes).
    scheme : {"quantile", "natural_breaks", "equal_interval"} or sequence of float
        Quantiles (equal numbers of areas), natural breaks (Fisher-Jenks: least
        squared deviation within classes), equal intervals, or your own upper
        bounds (increasing; a last class up to the highest value is added when
        values lie above them).

    Returns
    -------
    numpy.ndarray
        Repeated edges are merged, so fewer classes than asked may come back;
        there is always at least one class. When every value is a whole number
        the edges are whole numbers too (rounded down), so no class is empty
        because it falls between two integers.
    """
    finite = np.sort(values[np.isfinite(values)])
    if finite.size == 0:
        return np.array([], dtype=float)
    integer = bool(np.all(finite == np.round(finite)))
    if isinstance(scheme, str):
        if scheme not in SCHEMES:
            raise InputError(
                f"unknown classification: use one of {', '.join(map(repr, SCHEMES))} "
                "or a list of upper class bounds",
                value=scheme,
            )
        if scheme == "quantile":
            edges = np.quantile(finite, np.linspace(0, 1, classes + 1))
        elif scheme == "equal_interval":
            edges = np.linspace(finite[0], finite[-1], classes + 1)
        else:
            edges = _natural_breaks(finite, classes)
    else:
        breaks = np.asarray(list(scheme), dtype=float)
        if breaks.size == 0 or not np.all(np.isfinite(breaks)) or np.any(np.diff(breaks) <= 0):
            raise InputError("class breaks must be increasing finite numbers", value=list(scheme))
        edges = np.r_[min(finite[0], breaks[0]), breaks]
        if finite[-1] > breaks[-1]:
            edges = np.r_[edges, finite[-1]]
        if edges.size - 1 > MAX_CLASSES:
            raise InputError(
                f"at most {MAX_CLASSES} classes can be drawn; got {edges.size - 1}",
                value=list(scheme),
            )
        integer = integer and bool(np.all(breaks == np.round(breaks)))
    if integer:
        edges = np.r_[np.floor(edges[:-1]), np.ceil(edges[-1])]
    edges = np.maximum.accumulate(edges)
    # interpolation leaves near-duplicates (0 and 4e-16): keep the first of each run
    scale = max(1.0, float(np.abs(edges).max()))
    new = np.r_[True, ~np.isclose(edges[1:], edges[:-1], rtol=1e-9, atol=1e-12 * scale)]
    edges = edges[new]
    if edges.size == 1:
        edges = np.repeat(edges, 2)
    return edges


def _natural_breaks(ordered: np.ndarray, classes: int) -> np.ndarray:
    """Fisher-Jenks optimal breaks of sorted values (on evenly spaced order statistics if many)."""
    if ordered.size > _JENKS_SAMPLE:
        ordered = ordered[np.linspace(0, ordered.size - 1, _JENKS_SAMPLE).round().astype(int)]
    n = ordered.size
    classes = min(classes, int(np.unique(ordered).size))
    if classes <= 1:
        return np.array([ordered[0], ordered[-1]])
    s1 = np.r_[0.0, np.cumsum(ordered)]
    s2 = np.r_[0.0, np.cumsum(ordered**2)]

    def ssd(i: np.ndarray, j: int) -> np.ndarray:  # squared deviation of ordered[i:j]
        m = j - i
        return s2[j] - s2[i] - (s1[j] - s1[i]) ** 2 / m

    cost = np.full((classes + 1, n + 1), np.inf)
    start = np.zeros((classes + 1, n + 1), dtype=int)
    ends = np.arange(1, n + 1)
    cost[1, 1:] = s2[ends] - s1[ends] ** 2 / ends
    for k in range(2, classes + 1):
        for j in range(k, n + 1):
            i = np.arange(k - 1, j)
            total = cost[k - 1, i] + ssd(i, j)
            best = int(np.argmin(total))
            cost[k, j], start[k, j] = total[best], i[best]
    uppers, j = [], n
    for k in range(classes, 0, -1):
        uppers.append(ordered[j - 1])
        j = start[k, j]
    return np.r_[ordered[0], uppers[::-1]]


def format_number(value: float, digits: int = 3) -> str:
    """Short display text for a number: thousands separators, `digits` significant."""
    if value is None or not math.isfinite(value):
        return NO_DATA.lower()
    if float(value).is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    magnitude = math.floor(math.log10(abs(value))) if value else 0
    decimals = max(0, digits - 1 - magnitude)
    return f"{value:,.{decimals}f}"


def format_rate(value: float) -> str:
    """A rate with one decimal place (``"no data"`` when missing)."""
    if value is None or not math.isfinite(value):
        return NO_DATA.lower()
    return f"{value:,.1f}"


def class_labels(edges: np.ndarray, fmt: Callable[[float], str] | None = None) -> tuple[str, ...]:
    """Legend text for each class of `edges`, with no end value shared by two classes.

    Whole-number edges give ``"0 to 3"``, ``"4 to 9"`` (a class of one value: ``"4"``);
    other edges give ``"0.0 to 0.2"``, ``"over 0.2 to 0.4"`` (classes are closed on
    the right). Numbers are written by `fmt`, or with just enough decimals to tell
    every edge apart.
    """
    if edges.size < 2:
        return ()
    if np.all(edges == np.round(edges)):
        labels = []
        for i, (lo, hi) in enumerate(itertools.pairwise(edges)):
            low = lo if i == 0 else lo + 1
            labels.append(
                format_number(hi) if low == hi else f"{format_number(low)} to {format_number(hi)}"
            )
        return tuple(labels)
    text = _distinct_texts(edges, fmt)
    return tuple(
        (f"{lo} to {hi}" if i == 0 else f"over {lo} to {hi}")
        for i, (lo, hi) in enumerate(itertools.pairwise(text))
    )


def _distinct_texts(edges: np.ndarray, fmt: Callable[[float], str] | None) -> list[str]:
    if fmt is not None:
        text = [fmt(e) for e in edges]
        if len(set(text)) == len(text):
            return text
    for decimals in range(1, 7):
        text = [f"{e:,.{decimals}f}" for e in edges]
        if len(set(text)) == len(text):
            return text
    return [format_number(e, 9) for e in edges]


def classed_scheme(edges: np.ndarray, palette: str, labels: tuple[str, ...]) -> Scheme:
    """The scheme of a choropleth with class `edges` (from :func:`class_breaks`) and `labels`."""
    check_palette(palette)
    ramp = _RAMPS[palette]
    # spread fewer classes over the whole ramp so the top class is always the darkest
    picks = np.linspace(0, len(ramp) - 1, len(labels)).round().astype(int) if labels else []
    return Scheme(
        categories=labels, fills={lab: ramp[i] for lab, i in zip(labels, picks, strict=True)}
    )


def assign_classes(values: np.ndarray, edges: np.ndarray, labels: tuple[str, ...]) -> list[str]:
    """Class label of each value (``"No data"`` for NaN), closed on the right."""
    if not labels:
        return [NO_DATA] * len(values)
    # class i holds edges[i] < v <= edges[i+1]; the lowest class also holds edges[0]
    index = np.searchsorted(edges[1:-1], values, side="left")
    return [labels[i] if math.isfinite(v) else NO_DATA for v, i in zip(values, index, strict=True)]


LEGEND_SWATCH_CSS = {
    NO_DATA: "background: repeating-linear-gradient(45deg, #555 0 1.5px, #fff 1.5px 5px);"
    " border: 1.5px solid #333;",
    NO_NEIGHBOURS: "background: #fff; border: 1.5px dashed #000;",
}
"""CSS for the legend swatches of the special categories."""
