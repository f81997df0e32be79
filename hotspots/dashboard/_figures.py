"""Every figure the dashboard shows, as plain JSON-able data: the one adapter to the library.

This module is the only place where the dashboard calls the analysis functions
(:func:`hotspots.aggregate`, :func:`hotspots.period_change`,
:func:`hotspots.getis_ord`, :func:`hotspots.emerging_hotspots`). The page
(:mod:`hotspots.dashboard._page`) only draws what :func:`dashboard_figures`
returns, so a new producer (a change interval, a hot-spot evaluation figure,
repeat victimisation) is wired in here alone: fill its slot (``interval``,
``evaluation``, ``repeats``; ``None`` today) and the page shows it.

Layout of the returned dict (lists are aligned with ``levels[i]["codes"]``):

``types``
    ``[{"id", "name", "categories"}]``: each crime type of the page and the
    data's category names it counts.
``levels``
    ``[{"id", "name", "noun", "codes", "names", "boroughs", "geometry"}]``:
    ``boroughs`` holds each area's borough code (its own code at borough
    level); ``geometry`` the areas as GeoJSON (longitude, latitude).
``figures[type_id][level_id]``
    ``series`` (counts per month, ``None`` = no data), ``before``, ``after``
    (the two 12-month windows' counts), ``percent`` (% change), ``p_adjusted``,
    ``change`` (``change_label``), ``interval`` (slot), ``rate`` (latest 12
    months per 1,000 residents), ``hotspot`` (``gi_label``), ``emerging``
    (``emerging_label``), ``risk`` (``{"ranks", "order"}``: what the at-risk
    list ranks and the area positions, most at risk first), ``evaluation``
    (slot), ``repeats`` (slot), ``london_mean`` and ``borough_mean`` (the
    average area of London and of each borough, per month, for the chart).
``london[type_id]``
    London's own series, windows, % change, verdict and ``interval`` slot.

The slots, as the page reads them when they are not ``None``: ``interval``, per
area a ``[low, high]`` pair of percentages (or ``None`` for an area), shown after
the % change in the panel and the tiles (London's: one pair); ``evaluation``,
``{"text": "..."}`` per type and level, shown under the at-risk list;
``repeats``, per area a short text (or ``None``), shown as a line of the panel.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

import boundaries
from hotspots._errors import InputError
from hotspots.io._categories import category_key, category_mask

__all__ = ["dashboard_figures", "default_crime_types", "present_categories"]

# the weapon-enabled crime of the Mayor's 2018 dashboard promise, as the Met and
# police.uk name it; any category whose name holds a keyword counts too (knife
# crime, gun crime, firearms offences in tables that have them)
WEAPON_ENABLED = ("Possession of Weapons", "Robbery", "Violence with Injury")
WEAPON_KEYWORDS = ("knife", "firearm", "gun", "weapon")
LEVEL_NAMES = {
    "boroughs": ("Boroughs", "borough"),
    "wards": ("Wards", "ward"),
    "lsoa": ("LSOAs", "LSOA"),
}
MONTHS = 24  # the page shows the latest 24 months: the latest 12 against the 12 before
TOP = 10
DISPLAY_TOLERANCE = 15.0  # metres: geometry is simplified for drawing only
DECIMALS = 5  # about 1 m in longitude and latitude


def present_categories(crime: pd.DataFrame) -> list[str]:
    """The category names present in ``crime`` (Met majors then minors, or police.uk types)."""
    columns = ["major_category", "minor_category"] if "major_category" in crime else ["crime_type"]
    names: dict[str, str] = {}
    for column in columns:
        if column not in crime:
            raise InputError("crime data has no category column", column=column)
        for name in pd.unique(crime[column].dropna()):
            names.setdefault(category_key(name), str(name))
    return list(names.values())


def default_crime_types(crime: pd.DataFrame) -> list[str]:
    """The weapon-enabled categories present in ``crime``, in the data's own spelling.

    Possession of weapons, robbery and violence with injury, then any category
    whose name mentions a knife, a gun, a firearm or a weapon.
    """
    present = present_categories(crime)
    by_key = {category_key(name): name for name in present}
    chosen = [by_key[category_key(n)] for n in WEAPON_ENABLED if category_key(n) in by_key]
    chosen += [n for n in present if any(w in n.casefold() for w in WEAPON_KEYWORDS)]
    chosen = list(dict.fromkeys(by_key[category_key(n)] for n in chosen))
    if not chosen:
        raise InputError(
            "no weapon-enabled crime category in the data; name the crime types, one of: "
            + ", ".join(present)
        )
    return chosen


def dashboard_figures(
    crime: pd.DataFrame,
    crime_types: Sequence[str] | None = None,
    *,
    levels: Sequence[str] | None = None,
    permutations: int = 999,
    seed: int | None = 2025,
    alpha: float = 0.05,
    correction: str | None = "fdr",
) -> dict[str, Any]:
    """Compute the dashboard's figures (see the module docstring for the layout)."""
    import hotspots

    names = (
        default_crime_types(crime) if crime_types is None else _checked_types(crime, crime_types)
    )
    levels = _levels(crime, levels)
    layers = {level: boundaries.load(level) for level in levels}
    figures: dict[str, dict[str, Any]] = {}
    london: dict[str, Any] = {}
    types = []
    months: list[str] = []
    windows: dict[str, str] = {}
    for position, name in enumerate(names):
        type_id = f"t{position}"
        subset = _only(crime, name)
        cubes = _cubes(subset, layers)
        figures[type_id] = {}
        for level in levels:
            cube = cubes[level]
            months = [str(m) for m in cube.columns]
            figures[type_id][level], windows = _level_figures(
                hotspots, level, layers[level], cube, permutations, seed, alpha, correction
            )
        london[type_id] = _london(hotspots, cubes[levels[-1]], alpha)
        types.append({"id": type_id, "name": _display(name), "categories": [name]})
    borough_names = boundaries.load("boroughs")["name"]
    return {
        "types": types,
        "levels": [_level_record(level, layers[level]) for level in levels],
        "months": months,
        "windows": windows,
        "window_months": _window_months(len(months)),
        "figures": figures,
        "london": london,
        "borough_names": {str(k): str(v) for k, v in borough_names.items()},
        "settings": {
            "permutations": permutations,
            "seed": seed,
            "alpha": alpha,
            "correction": correction,
            "change_test": "exact conditional test of equal Poisson rates (two-sided)",
            "hotspot": "Getis-Ord Gi* on the latest window's rate per 1,000 residents "
            "(count where the population is unknown), queen contiguity",
            "emerging": "emerging hot spots on the monthly counts (space-time Gi*, "
            "Mann-Kendall trend), queen contiguity, time lag 1",
        },
        "provenance": dict(crime.attrs.get("hotspots", {})),
    }


# ------------------------------------------------------------------ pieces


def _checked_types(crime: pd.DataFrame, crime_types: Iterable[str]) -> list[str]:
    if isinstance(crime_types, str):
        crime_types = [crime_types]
    present = present_categories(crime)
    by_key = {category_key(name): name for name in present}
    chosen = []
    for name in crime_types:
        if category_key(name) not in by_key:
            raise InputError(
                "crime type not in the data; present: " + ", ".join(present), value=name
            )
        chosen.append(by_key[category_key(name)])
    chosen = list(dict.fromkeys(chosen))
    if not chosen:
        raise InputError("crime_types is empty: name at least one crime type")
    return chosen


def _levels(crime: pd.DataFrame, levels: Sequence[str] | None) -> list[str]:
    """Coarsest first. A Met table gives its own level and the boroughs above it."""
    is_points = isinstance(crime, gpd.GeoDataFrame)
    source = crime.attrs.get("level")
    possible = list(LEVEL_NAMES) if is_points else ["boroughs", "wards"][: 1 + (source == "wards")]
    if source not in (None, "wards", "boroughs") and not is_points:
        raise InputError("the dashboard reads Met ward or borough tables", value=source)
    if levels is None:
        return possible if not is_points else ["boroughs", "wards"]
    levels = list(dict.fromkeys(levels))
    for level in levels:
        if level not in possible:
            raise InputError(
                f"level not available from this data (possible: {', '.join(possible)})",
                value=level,
            )
    return sorted(levels, key=list(LEVEL_NAMES).index)


def _only(crime: pd.DataFrame, name: str) -> pd.DataFrame:
    keys = frozenset([category_key(name)])
    if "major_category" in crime:
        mask = category_mask(crime["major_category"], keys) | category_mask(
            crime["minor_category"], keys
        )
    else:
        mask = category_mask(crime["crime_type"], keys)
    subset = crime[mask]
    subset.attrs = {**crime.attrs, "hotspots": {**crime.attrs.get("hotspots", {})}}
    subset.attrs["hotspots"]["crime_type"] = name
    return subset


def _cubes(subset: pd.DataFrame, layers: dict[str, gpd.GeoDataFrame]) -> dict[str, pd.DataFrame]:
    """Monthly counts per area at every level (the latest ``MONTHS`` months)."""
    import hotspots

    cubes = {}
    source = subset.attrs.get("level")
    for level, layer in layers.items():
        if isinstance(subset, gpd.GeoDataFrame) or level == source:
            cube = hotspots.aggregate(subset, layer, by="month")
        else:  # boroughs from a Met ward table: the sums of their wards
            wards = boundaries.load("wards")
            cube = _roll_up(hotspots.aggregate(subset, wards, by="month"),
                            wards["borough_code"], layer.index)  # fmt: skip
        cubes[level] = cube.iloc[:, -MONTHS:]
    return cubes


def _roll_up(cube: pd.DataFrame, parent: pd.Series, index: pd.Index) -> pd.DataFrame:
    """Sums per parent area; NaN when any child has no data that month (an undercount)."""
    keys = parent.reindex(cube.index)
    sums = cube.groupby(keys).sum(min_count=1)
    missing = cube.isna().groupby(keys).any()
    rolled = sums.mask(missing).reindex(index)
    rolled.columns = cube.columns
    rolled.attrs = cube.attrs
    return rolled


def _level_figures(
    hotspots: Any,
    level: str,
    layer: gpd.GeoDataFrame,
    cube: pd.DataFrame,
    permutations: int,
    seed: int | None,
    alpha: float,
    correction: str | None,
) -> tuple[dict[str, Any], dict[str, str]]:
    change = hotspots.period_change(layer, cube, alpha=alpha, correction=correction)
    latest = layer[[]].copy()
    latest["count"] = change["count_after"]
    column = "count"
    population = _population(level, layer)
    if population is not None:
        with np.errstate(divide="ignore", invalid="ignore"):
            latest["rate"] = np.where(population > 0, latest["count"] / population * 1000, np.nan)
        column = "rate"
    latest = gpd.GeoDataFrame(latest, geometry=layer.geometry, crs=layer.crs)
    gi = hotspots.getis_ord(
        latest, column, permutations=permutations, seed=seed, alpha=alpha, correction=correction
    )
    emerging = hotspots.emerging_hotspots(
        layer, cube, permutations=0, seed=seed, alpha=alpha, correction=correction
    ).areas
    after = change["count_after"]
    ranked = after[after.notna()].sort_values(ascending=False, kind="stable")
    order = [layer.index.get_loc(code) for code in ranked.index[:TOP]]
    noun = LEVEL_NAMES[level][1]
    record = {
        "series": [[_number(v) for v in row] for row in cube.to_numpy()],
        "before": [_number(v) for v in change["count_before"]],
        "after": [_number(v) for v in after],
        "percent": [_number(v, 1) for v in change["percent_change"]],
        "p_adjusted": [_number(v, 4) for v in change["change_p_adjusted"]],
        "change": change["change_label"].astype(str).tolist(),
        "interval": None,  # slot: the change test's interval, per area, when it exists
        "rate": [_number(v, 2) for v in latest[column]] if column == "rate" else None,
        "hotspot": gi["gi_label"].astype(str).tolist(),
        "hotspot_z": [_number(v, 2) for v in gi["gi_z"]],
        "hotspot_p_sim": [_number(v, 4) for v in gi["gi_p_sim"]],
        "emerging": emerging["emerging_label"].astype(str).tolist(),
        "risk": {
            "ranks": f"{noun}s by recorded offences in the {_latest(len(cube.columns))} "
            f"({change.attrs['hotspots']['after']}), most first: a count, not a forecast",
            "order": order,
        },
        "evaluation": None,  # slot: how much of next period's crime the hot spots captured
        "repeats": None,  # slot: repeat victimisation, where point data allow
        "london_mean": [_number(v, 2) for v in cube.mean(axis=0, skipna=True)],
        "borough_mean": _borough_means(layer, cube),
    }
    windows = {
        "before": change.attrs["hotspots"]["before"],
        "after": change.attrs["hotspots"]["after"],
    }
    return record, windows


def _london(hotspots: Any, cube: pd.DataFrame, alpha: float) -> dict[str, Any]:
    """London as one area: the sum of every area with data (the City has none in Met data)."""
    totals = cube.sum(axis=0, min_count=1)
    outline = boundaries.outline()
    outline = outline.set_index(pd.Index(["London"], name="code"))
    one = pd.DataFrame([totals.to_numpy()], index=outline.index, columns=cube.columns)
    change = hotspots.period_change(outline, one, alpha=alpha, correction=None)
    row = change.iloc[0]
    return {
        "series": [_number(v) for v in totals],
        "before": _number(row["count_before"]),
        "after": _number(row["count_after"]),
        "percent": _number(row["percent_change"], 1),
        "p": _number(row["change_p"], 4),
        "change": str(row["change_label"]),
        "interval": None,  # slot, as per area
    }


def _window_months(months: int) -> int:
    """Months in each window of :func:`hotspots.period_change`'s default comparison."""
    return min(12, months // 2)


def _latest(months: int) -> str:
    window = _window_months(months)
    return "latest month" if window == 1 else f"latest {window} months"


def _borough_means(layer: gpd.GeoDataFrame, cube: pd.DataFrame) -> dict[str, list]:
    if "borough_code" not in layer:
        return {}
    grouped = cube.groupby(layer["borough_code"].reindex(cube.index)).mean()
    return {str(code): [_number(v, 2) for v in row] for code, row in grouped.iterrows()}


def _population(level: str, layer: gpd.GeoDataFrame) -> np.ndarray | None:
    try:
        return boundaries.population(level).reindex(layer.index).to_numpy(float)
    except (KeyError, ValueError):
        return None


def _level_record(level: str, layer: gpd.GeoDataFrame) -> dict[str, Any]:
    name, noun = LEVEL_NAMES[level]
    boroughs = layer["borough_code"] if "borough_code" in layer else layer.index.to_series()
    return {
        "id": level,
        "name": name,
        "noun": noun,
        "codes": [str(c) for c in layer.index],
        "names": [str(n) for n in layer["name"]],
        "boroughs": [str(b) for b in boroughs],
        "geometry": _geometry(layer),
    }


def _geometry(layer: gpd.GeoDataFrame) -> dict[str, Any]:
    """GeoJSON for drawing: simplified by ``DISPLAY_TOLERANCE`` metres, rounded coordinates."""
    import shapely

    shapes = layer.geometry.simplify(DISPLAY_TOLERANCE, preserve_topology=True).to_crs(4326)
    shapes = shapely.set_precision(shapes.values, 10.0**-DECIMALS)
    features = [
        {"type": "Feature", "properties": {"i": i}, "geometry": shapely.geometry.mapping(shape)}
        for i, shape in enumerate(shapes)
    ]
    return {"type": "FeatureCollection", "features": features}


def _display(name: str) -> str:
    """A category name as a sentence starts: "POSSESSION OF WEAPONS" -> "Possession of weapons"."""
    return name[:1].upper() + name[1:].lower() if name.isupper() else name


def _number(value: object, digits: int = 0) -> float | int | None:
    if value is None or pd.isna(value):
        return None
    value = float(value)
    if math.isinf(value):
        return None
    return round(value) if digits == 0 else round(value, digits)
