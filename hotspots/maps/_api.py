"""Interactive maps of counts, rates, LISA clusters, Gi* hot spots, emerging patterns and change.

Each function takes a result of :func:`hotspots.aggregate`,
:func:`hotspots.local_moran`, :func:`hotspots.getis_ord`,
:func:`hotspots.emerging_hotspots` or :func:`hotspots.period_change` and
returns a :class:`folium.Map` whose saved HTML works with no network at all:
Leaflet is written into the page (from the installed XStatic-Leaflet package)
and no web basemap is added unless one is asked for. Colours are fixed per
category, areas without data are hatched and say "no data", and each map
carries a legend, lists of the top areas, borough outlines and names, the
outline of the study area, a search box, the data licence and a record of how
the result was made. The page works on a phone, by keyboard and on paper.

The layers themselves are built in :mod:`hotspots.maps._layers` (one builder
per kind, in :data:`_BUILDERS`) and drawn in :mod:`hotspots.maps._draw`. What
every map function shares is stated once: the options in :class:`_Options`
(checked by one constructor), the stacking of layers in :func:`_stack`, and
each public function names the kinds of layer it draws and hands its result
to :func:`_single` (one result) or :func:`_stack` (several).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd

from hotspots._errors import InputError
from hotspots.maps._layers import (
    _change_layer,
    _choropleth_layer,
    _emerging_layer,
    _gi_layer,
    _Layer,
    _lisa_layer,
    _lisa_significance_layer,
    _named,
    _period_layer,
    _subtitle,
)
from hotspots.maps._offline import INSTALL_HINT
from hotspots.maps._style import check_palette

if TYPE_CHECKING:  # pragma: no cover
    import folium

    from hotspots.spacetime._emerging import EmergingHotspots

Classes = str | Sequence[float]


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
    # no EmergingHotspots exists before its module is imported: do not import it to ask
    module = sys.modules.get("hotspots.spacetime._emerging")
    return module is not None and isinstance(result, module.EmergingHotspots)


def _check_emerging(result: object) -> EmergingHotspots:
    from hotspots.spacetime._emerging import EmergingHotspots

    if isinstance(result, EmergingHotspots):
        return result
    if isinstance(result, pd.DataFrame):
        raise InputError(
            "emerging_map takes the result of hotspots.emerging_hotspots itself, not a table: "
            "its .periods draw the period-by-period view (pass result, not result.areas)"
        )
    raise InputError(
        f"emerging_map takes the result of hotspots.emerging_hotspots, got {type(result).__name__}"
    )


def _check_top(top: object) -> None:
    if isinstance(top, bool) or not isinstance(top, int | np.integer) or top < 0:
        raise InputError("top must be a whole number of areas, 0 or more", value=top)


@dataclass(frozen=True)
class _Options:
    """What every map function takes besides its results and title; made by :meth:`checked`."""

    palette: str
    basemap: str | None
    attribution: str | None
    top: int

    @classmethod
    def checked(
        cls, palette: str, basemap: str | None, attribution: str | None, top: int
    ) -> _Options:
        """The options, once folium is known to be there and `palette` and `top` are valid."""
        _require_folium()
        check_palette(palette)
        _check_top(top)
        return cls(palette, basemap, attribution, top)

    def draw(self, frame: gpd.GeoDataFrame, layers: list[_Layer], title: str | None) -> folium.Map:
        """The page of `layers` over the areas of `frame`; by default titled after the first."""
        from hotspots.maps._draw import draw

        if title is None:
            title = layers[0].name + _subtitle(layers[0].provenance)
        return draw(frame, layers, title, self.basemap, self.attribution, self.top)


# ---------------------------------------------------------------- layers


_Build = Callable[[pd.DataFrame, _Options, str, Classes], "_Layer | None"]


def _of_result(build: Callable[[pd.DataFrame, str, int], _Layer | None]) -> _Build:
    """A builder of a statistic's layer, which needs only the palette and the top count."""
    return lambda frame, options, column, classes: build(frame, options.palette, options.top)


def _choropleth(frame: pd.DataFrame, options: _Options, column: str, classes: Classes) -> _Layer:
    return _choropleth_layer(frame, column, options.palette, options.top, classes)


# kind -> (column that a result must hold, None for the mapped column; its builder);
# a builder returns None when the result lacks what its layer needs
_BUILDERS: dict[str, tuple[str | None, _Build]] = {
    "choropleth": (None, _choropleth),
    "lisa": (_named("lisa_label"), _of_result(_lisa_layer)),
    "lisa_significance": (_named("lisa_label"), _of_result(_lisa_significance_layer)),
    "gi": (_named("gi_label"), _of_result(_gi_layer)),
    "emerging": (_named("emerging_label"), _of_result(_emerging_layer)),
    "change": (_named("change_label"), _of_result(_change_layer)),
}
"""The layer builders, in the order :func:`combined_map` stacks them."""


def _stack(
    base: pd.DataFrame,
    pick: Callable[[str | None], pd.DataFrame | None],
    kinds: Sequence[str],
    options: _Options,
    *,
    column: str = "rate",
    classes: Classes = "quantile",
    periods: pd.DataFrame | None = None,
) -> list[_Layer]:
    """The layers of `kinds`, each built from the frame `pick` gives for its column.

    With `periods` (an emerging result's ``.periods``), the Gi* period-by-period
    layer of the areas of `base` follows the emerging patterns.
    """
    layers = []
    for kind in kinds:
        needed, build = _BUILDERS[kind]
        frame = pick(needed or column)
        layer = None if frame is None else build(frame, options, column, classes)
        if layer is not None:
            layers.append(layer)
        if kind == "emerging" and periods is not None:
            layers.append(_period_layer(base, periods, options.palette))
    return layers


def _single(
    kinds: Sequence[str],
    result: object,
    options: _Options,
    title: str | None,
    *,
    column: str = "rate",
    classes: Classes = "quantile",
) -> folium.Map:
    """The map of one result: each of `kinds` from it (the emerging ones with their periods)."""
    if "emerging" in kinds:
        emerging = _check_emerging(result)
        frame = _check_frame(emerging.areas, "result.areas")
        periods = emerging.periods
    else:
        frame, periods = _check_frame(result, "result"), None
    layers = _stack(
        frame,
        lambda needed: frame,
        kinds,
        options,
        column=column,
        classes=classes,
        periods=periods,
    )
    return options.draw(frame, layers, title)


# ------------------------------------------------------------------ public


F = TypeVar("F", bound=Callable[..., Any])

_SHARED_DOCS = {
    "basemap": """basemap : str, optional
        Tiles to draw beneath the areas: a provider name (e.g.
        ``"CartoDB positron"``) or a tile URL with ``{z}/{x}/{y}`` (e.g. an
        internal tile server), which needs `attribution`. None (default)
        keeps the map fully offline.
    attribution : str, optional
        The copyright line of a `basemap` given as a URL (shown on the map).""",
    "returns": """Returns
    -------
    folium.Map
        Save it with ``.save("map.html")``: one self-contained page that works offline.""",
}


def _shared_doc(function: F) -> F:
    """Fill the parameters every map function shares into its docstring (one text, six maps)."""
    doc = function.__doc__ or ""
    for key, text in _SHARED_DOCS.items():
        doc = doc.replace("{" + key + "}", text)
    function.__doc__ = doc
    return function


@_shared_doc
def choropleth_map(
    result: gpd.GeoDataFrame,
    column: str = "rate",
    *,
    classes: Classes = "quantile",
    title: str | None = None,
    palette: str = "default",
    basemap: str | None = None,
    attribution: str | None = None,
    top: int = 10,
) -> folium.Map:
    """Map a count or rate in up to five classes (quantiles by default).

    Parameters
    ----------
    result : geopandas.GeoDataFrame
        The result of :func:`hotspots.aggregate` (or any frame of areas with a
        numeric `column`, a CRS and area codes as its index).
    column : str, default "rate"
        The column to map, e.g. ``"rate"`` (per 1,000 residents) or ``"count"``.
        Missing values, and areas with ``covered`` False, are drawn as
        "No data" (hatched), never as a low class.
    classes : {"quantile", "natural_breaks", "equal_interval"} or sequence of float
        How to cut the values into classes: five quantiles (equal numbers of
        areas), natural breaks (Fisher-Jenks), five equal intervals, or your
        own increasing upper class bounds (at most five classes; values above
        the last bound form one more class). Whole-number data get
        whole-number classes; labels never share an end value ("0 to 3",
        "4 to 9"; "0.0 to 0.2", "over 0.2 to 0.5").
    title : str, optional
        Map title; by default the column with the crime type and period.
    palette : {"default", "colourblind"}
        YlOrRd, or viridis (readable with colour-vision deficiencies).
    {basemap}
    top : int, default 10
        How many of the highest areas to list in the side panel.

    {returns}
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
    options = _Options.checked(palette, basemap, attribution, top)
    return _single(("choropleth",), result, options, title, column=column, classes=classes)


# with the corrected p, GeoDa's significance map as a second layer
@_shared_doc
def cluster_map(
    result: gpd.GeoDataFrame,
    *,
    title: str | None = None,
    palette: str = "default",
    basemap: str | None = None,
    attribution: str | None = None,
    top: int = 10,
) -> folium.Map:
    """Map LISA clusters (High-High, Low-Low, High-Low, Low-High) from local Moran's I.

    Parameters
    ----------
    result : geopandas.GeoDataFrame
        The result of :func:`hotspots.local_moran` (column ``lisa_label``;
        ``lisa_i``, ``lisa_z``, ``lisa_p`` (the p-value that decided the label)
        and the counts are shown in tooltips when present). With
        ``lisa_p_adjusted`` (the deciding p after the correction) a second
        layer, "LISA significance", shows GeoDa's significance map: each area's
        corrected p in the classes p <= 0.001, p <= 0.01, p <= 0.05 and p > 0.05
        (greens, darkest the strongest).
    title : str, optional
        Map title; by default "LISA clusters" with the crime type and period.
    palette : {"default", "colourblind"}
        High-High red, Low-Low blue, Low-High light blue, High-Low pink and
        not significant light grey; or the Okabe-Ito colour-blind-safe colours.
    {basemap}
    top : int, default 10
        How many High-High areas to list, strongest first (by ``lisa_z`` if
        present, else by ``lisa_i``).

    {returns}

    Examples
    --------
    >>> import boundaries, hotspots
    >>> wards = boundaries.load("wards").assign(lisa_label="Not significant")
    >>> m = hotspots.cluster_map(wards, title="Synthetic: nothing significant")
    >>> "Not significant" in m.get_root().render()
    True
    """
    options = _Options.checked(palette, basemap, attribution, top)
    return _single(("lisa", "lisa_significance"), result, options, title)


@_shared_doc
def hotspot_map(
    result: gpd.GeoDataFrame,
    *,
    title: str | None = None,
    palette: str = "default",
    basemap: str | None = None,
    attribution: str | None = None,
    top: int = 10,
) -> folium.Map:
    """Map Getis-Ord Gi* hot and cold spots at 99, 95 and 90 % confidence.

    Parameters
    ----------
    result : geopandas.GeoDataFrame
        The result of :func:`hotspots.getis_ord` (column ``gi_label``;
        ``gi_z``, ``gi_p`` (the p-value that decided the label),
        ``gi_p_adjusted`` and ``gi_p_sim`` are shown when present).
    title : str, optional
        Map title; by default "Hot and cold spots" with the crime type and period.
    palette : {"default", "colourblind"}
        Deep blue through light grey to deep red, or purple to orange (PuOr).
    {basemap}
    top : int, default 10
        How many hot spots to list, highest z-score first.

    {returns}

    Examples
    --------
    >>> import boundaries, hotspots
    >>> wards = boundaries.load("wards").assign(gi_label="Not significant", gi_z=0.0)
    >>> m = hotspots.hotspot_map(wards, palette="colourblind")
    >>> type(m).__name__
    'Map'
    """
    options = _Options.checked(palette, basemap, attribution, top)
    return _single(("gi",), result, options, title)


@_shared_doc
def emerging_map(
    result: EmergingHotspots,
    *,
    title: str | None = None,
    palette: str = "default",
    basemap: str | None = None,
    attribution: str | None = None,
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
    {basemap}
    top : int, default 10
        How many hot-spot areas to list: persistent first, then intensifying,
        consecutive, new, oscillating, sporadic, diminishing and historical
        (the steepest upward trend first within a pattern).

    {returns}

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
    options = _Options.checked(palette, basemap, attribution, top)
    return _single(("emerging",), result, options, title)


@_shared_doc
def change_map(
    result: gpd.GeoDataFrame,
    *,
    title: str | None = None,
    palette: str = "default",
    basemap: str | None = None,
    attribution: str | None = None,
    top: int = 10,
) -> folium.Map:
    """Map where crime rose or fell by more than chance between two periods.

    Parameters
    ----------
    result : geopandas.GeoDataFrame
        The result of :func:`hotspots.period_change` (column
        ``change_label``; the counts before and after, the change, the
        percent change and the p-values are shown in tooltips when present).
    title : str, optional
        Map title; by default "Change between periods" with the crime type
        and period.
    palette : {"default", "colourblind"}
        Significantly above the trend (the default test) or significant
        increase red, below the trend or decrease blue, in line with the trend
        or no significant change a near-white neutral; or orange and purple.
    {basemap}
    top : int, default 10
        How many areas each list shows: the largest significant rises (above
        the trend, for the default test) and the largest falls.

    {returns}

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
    options = _Options.checked(palette, basemap, attribution, top)
    return _single(("change",), result, options, title)


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


@_shared_doc
def combined_map(
    *results: gpd.GeoDataFrame | EmergingHotspots,
    column: str = "rate",
    classes: Classes = "quantile",
    title: str = "Crime hot spots",
    palette: str = "default",
    basemap: str | None = None,
    attribution: str | None = None,
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
        the first frame holding `column` (choropleth), ``lisa_label`` (and,
        with ``lisa_p_adjusted``, the LISA significance layer of
        :func:`cluster_map`), ``gi_label``, ``emerging_label`` and ``change_label``. An
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
    classes : {"quantile", "natural_breaks", "equal_interval"} or sequence of float
        Classes of the choropleth layer, as in :func:`choropleth_map`.
    title : str, default "Crime hot spots"
        Map title.
    palette : {"default", "colourblind"}
        Colour palette of every layer.
    {basemap}
    top : int, default 10
        How many top at-risk areas each layer lists.

    {returns}

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
    options = _Options.checked(palette, basemap, attribution, top)
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

    def first_holding(needed: str | None) -> pd.DataFrame | None:
        frame = next((f for f in frames if needed in f.columns), None)
        return None if frame is None else frame.reindex(base.index)

    layers = _stack(
        base,
        first_holding,
        tuple(_BUILDERS),
        options,
        column=column,
        classes=classes,
        periods=None if emerging is None else _check_emerging(emerging).periods,
    )
    if not layers:
        raise InputError(
            f"no result has a column to map ({column!r}, 'lisa_label', 'gi_label', "
            "'emerging_label' or 'change_label')"
        )
    return options.draw(base, layers, title)
