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
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from hotspots._errors import InputError
from hotspots._vocabulary import (
    CHANGE_CATEGORIES,
    CHANGE_TREND_CATEGORIES,
    EMERGING_LEGEND_KINDS,
    GI_CATEGORIES,
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

_GREY = "#e0e0e0"

_FILLS: dict[str, dict[str, dict[str, str]]] = {
    "lisa": {
        "default": {
            "High-High": "#d7191c",
            "High-Low": "#f1a1b5",
            "Low-High": "#9ecae1",
            "Low-Low": "#2c7bb6",
            NOT_SIGNIFICANT: _GREY,
        },
        "colourblind": {
            "High-High": "#d55e00",
            "High-Low": "#e69f00",
            "Low-High": "#56b4e9",
            "Low-Low": "#0072b2",
            NOT_SIGNIFICANT: _GREY,
        },
    },
    "gi": {
        "default": dict(
            zip(
                GI_CATEGORIES,
                ("#b2182b", "#ef8a62", "#fddbc7", _GREY, "#d1e5f0", "#67a9cf", "#2166ac"),
                strict=True,
            )
        ),
        "colourblind": dict(
            zip(
                GI_CATEGORIES,
                ("#b35806", "#f1a340", "#fee0b6", _GREY, "#d8daeb", "#998ec3", "#542788"),
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
                        "#ef3b2c",
                        "#fc9272",
                        "#f768a1",
                        "#fdd0a2",
                        "#fec44f",
                        "#8c510a",
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
                        "#4292c6",
                        "#9ecae1",
                        "#41b6c4",
                        "#c7e9c0",
                        "#c6dbef",
                        "#01665e",
                    ),
                    strict=True,
                )
            ),
            NO_PATTERN: _GREY,
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
                        "#c2b9dc",
                        "#e1def0",
                    ),
                    strict=True,
                )
            ),
            NO_PATTERN: _GREY,
        },
    },
    # diverging: rises red (orange), falls blue (purple), no significant change neutral grey
    "change": {
        "default": dict(zip(CHANGE_CATEGORIES, ("#ca0020", _GREY, "#0571b0"), strict=True)),
        "colourblind": dict(zip(CHANGE_CATEGORIES, ("#e66101", _GREY, "#5e3c99"), strict=True)),
    },
    # the same colours for change relative to the trend of all the areas (the default test)
    "change_trend": {
        "default": dict(zip(CHANGE_TREND_CATEGORIES, ("#ca0020", _GREY, "#0571b0"), strict=True)),
        "colourblind": dict(
            zip(CHANGE_TREND_CATEGORIES, ("#e66101", _GREY, "#5e3c99"), strict=True)
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
            "fillOpacity": 0.85,
            "color": "#ffffff",
            "weight": 0.4,
            "opacity": 0.8,
        }


def check_palette(palette: str) -> None:
    """Raise InputError unless `palette` is a known palette name."""
    if palette not in PALETTES:
        raise InputError(
            f"unknown palette: use one of {', '.join(map(repr, PALETTES))}", value=palette
        )


def category_scheme(kind: str, palette: str) -> Scheme:
    """The fixed scheme of a layer: "lisa", "gi", "emerging", "change" or "change_trend"."""
    check_palette(palette)
    fills = _FILLS[kind][palette]
    return Scheme(categories=tuple(fills), fills=dict(fills))


def class_breaks(values: np.ndarray, classes: int = MAX_CLASSES) -> np.ndarray:
    """Quantile class edges (lowest value to highest) of the finite `values`.

    Repeated edges (many equal values, e.g. zero counts) are merged, so fewer
    classes than asked may come back; there is always at least one class.
    """
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return np.array([], dtype=float)
    edges = np.quantile(finite, np.linspace(0, 1, classes + 1))
    # interpolation leaves near-duplicates (0 and 4e-16): keep the first of each run
    scale = max(1.0, float(np.abs(edges).max()))
    new = np.r_[True, ~np.isclose(edges[1:], edges[:-1], rtol=1e-9, atol=1e-12 * scale)]
    edges = edges[new]
    if edges.size == 1:
        edges = np.repeat(edges, 2)
    return edges


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


def class_labels(edges: np.ndarray, fmt: Callable[[float], str] = format_number) -> tuple[str, ...]:
    """Legend text for each class of `edges` (``"a to b"``), numbers written by `fmt`."""
    return tuple(f"{fmt(lo)} to {fmt(hi)}" for lo, hi in itertools.pairwise(edges))


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
