"""Every figure the dashboard shows, as plain JSON-able data: the one adapter to the library.

This module is the only place where the dashboard calls the analysis functions
(:func:`hotspots.aggregate_monthly`, :func:`hotspots.change_rollup`,
:func:`hotspots.getis_ord`, :func:`hotspots.emerging_hotspots`,
:func:`hotspots.repeat_areas`, :func:`hotspots.evaluate_hotspots`). The page
(:mod:`hotspots.dashboard._page`) only draws what :func:`dashboard_figures`
returns, so a new producer is wired in here alone: fill its slot (``interval``,
``evaluation``, ``repeats``) and the page shows it. A slot is ``None`` where
its figure does not exist (repeats for a Met table, the evaluation without 24
months): absent, never zero.

Change comes from one :func:`hotspots.change_rollup` call per crime type on the
finest level (areas, boroughs and London, the same windows: the latest 12
months against the same 12 months a year earlier). Areas the Met records under
a pseudo-borough (Heathrow Villages ward, "Aviation Security (SO18)") are left
out of that call, of the borough sums and of the at-risk list, and ``excluded``
says so; their own counts and hot-spot state are still shown.

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
    ``change`` (``change_label``: relative to London's trend), ``interval``
    (``percent_change_low``, ``percent_change_high``), ``rate`` (latest 12
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
``{"text": "...", "table": {...}}`` per type and level (the text shown under the
at-risk list; the table, :func:`hotspots.evaluate_hotspots`'s figures per
selection: Gi* hot spots and the most at risk of the 12 months before the latest
12, tested on the latest 12);
``repeats``, per area a short text (or ``None``), shown as a line of the panel.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any, SupportsFloat

import geopandas as gpd
import numpy as np
import pandas as pd

import boundaries
from hotspots._errors import InputError
from hotspots._vocabulary import GI_LABELS, NO_DATA
from hotspots.aggregation import aggregate_monthly
from hotspots.evaluation import evaluate_hotspots
from hotspots.io._categories import category_key, category_mask
from hotspots.repeats import repeat_areas
from hotspots.spacetime import change_rollup, emerging_hotspots
from hotspots.stats import getis_ord

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
MONTHS = 24  # the page shows the latest 24 months: the latest 12 against the 12 before them
PER_YEAR = 12
TOP = 10
# the at-risk list ranks only areas with at least this many offences in the latest window:
# below it one offence more or less reorders the list (and a ranked count of 3 means nothing)
RISK_MINIMUM = 10
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
    permutations: int | str = "adaptive",
    seed: int | None = 2025,
    alpha: float = 0.05,
    correction: str | None = "fdr",
) -> dict[str, Any]:
    """Compute the dashboard's figures (see the module docstring for the layout)."""
    names = (
        default_crime_types(crime) if crime_types is None else _checked_types(crime, crime_types)
    )
    levels = _levels(crime, levels)
    layers = {level: boundaries.load(level) for level in levels}
    excluded = _pseudo_areas(crime)
    figures: dict[str, dict[str, Any]] = {}
    london: dict[str, Any] = {}
    types = []
    months: list[str] = []
    windows: dict[str, Any] = {}
    for position, name in enumerate(names):
        type_id = f"t{position}"
        subset = _only(crime, name)
        cubes = _cubes(subset, layers, excluded)
        months = [str(m) for m in cubes[levels[-1]].columns]
        changes, london[type_id], windows = _changes(cubes, layers, excluded,
                                                     alpha, correction)  # fmt: skip
        figures[type_id] = {}
        for level in levels:
            figures[type_id][level] = _level_figures(
                level, layers[level], cubes[level], changes[level], subset, windows,
                excluded, permutations, seed, alpha, correction,
            )  # fmt: skip
        london[type_id]["series"] = [
            _number(v) for v in cubes["boroughs" if "boroughs" in cubes else levels[-1]].sum(
                axis=0, min_count=1)
        ]  # fmt: skip
        types.append({"id": type_id, "name": _display(name), "categories": [name]})
    borough_names = boundaries.load("boroughs")["name"]
    return {
        "types": types,
        "levels": [_level_record(level, layers[level]) for level in levels],
        "months": months,
        "windows": windows,
        "window_months": windows["months"],
        "figures": figures,
        "london": london,
        "borough_names": {str(k): str(v) for k, v in borough_names.items()},
        "excluded": _excluded_text(crime, excluded),
        "excluded_from": _excluded_boroughs(excluded),
        "settings": {
            "permutations": permutations,
            "seed": seed,
            "alpha": alpha,
            "correction": correction,
            "change_test": "quasi-Poisson test of each area's change against the change of "
            "all the areas together, dispersion estimated across the areas",
            "hotspot": "Getis-Ord Gi* on the latest window's rate per 1,000 residents "
            "(count where the population is unknown), queen contiguity",
            "emerging": "emerging hot spots on the monthly counts (space-time Gi*, "
            "Mann-Kendall trend), queen contiguity, time lag 1",
            "risk_minimum": RISK_MINIMUM,
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


def _pseudo_areas(crime: pd.DataFrame) -> list[str]:
    """Codes of the areas the Met's reader flags as a pseudo-borough (Heathrow Villages)."""
    if "pseudo_borough" not in crime or "area_code" not in crime:
        return []
    flagged = crime.loc[crime["pseudo_borough"].astype(bool), "area_code"].dropna()
    return sorted({str(code) for code in flagged})


def _excluded_text(crime: pd.DataFrame, excluded: list[str]) -> str | None:
    if not excluded:
        return None
    rows = crime.loc[crime["area_code"].isin(excluded), ["area_name", "borough_name"]]
    names = ", ".join(sorted(set(rows["area_name"].astype(str))))
    pseudo = ", ".join(sorted(set(rows["borough_name"].astype(str))))
    return (
        f"{names}: the Met records it under \u201c{pseudo}\u201d, not under its borough. "
        "It is left out of the borough and London totals, the change test and the at-risk "
        "list; its own counts and hot-spot state are shown."
    )


def _excluded_boroughs(excluded: list[str]) -> dict[str, list[str]]:
    """Borough code -> names of its areas left out of its totals (Hillingdon: Heathrow)."""
    wards = boundaries.load("wards")
    found: dict[str, list[str]] = {}
    for code in excluded:
        if code in wards.index:
            found.setdefault(str(wards.loc[code, "borough_code"]), []).append(
                str(wards.loc[code, "name"])
            )
    return found


def _cubes(
    subset: pd.DataFrame, layers: dict[str, gpd.GeoDataFrame], excluded: list[str]
) -> dict[str, pd.DataFrame]:
    """Monthly counts per area at every level (the latest ``MONTHS`` months)."""
    cubes = {}
    source = subset.attrs.get("level")
    for level, layer in layers.items():
        if isinstance(subset, gpd.GeoDataFrame) or level == source:
            cube = aggregate_monthly(subset, layer)
        else:  # boroughs from a Met ward table: the sums of their wards, pseudo-borough out
            wards = boundaries.load("wards")
            cube = aggregate_monthly(subset, wards)
            cube = _roll_up(cube.drop(index=excluded, errors="ignore"),
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


def _changes(
    cubes: dict[str, pd.DataFrame],
    layers: dict[str, gpd.GeoDataFrame],
    excluded: list[str],
    alpha: float,
    correction: str | None,
) -> tuple[dict[str, pd.DataFrame | None], dict[str, Any], dict[str, Any]]:
    """Change per level and for London from :func:`hotspots.change_rollup` on the finest level.

    ``None`` per level (and no London verdict) without two like-for-like years.
    """
    levels = list(cubes)
    finest = levels[-1]
    periods = cubes[finest].columns
    if len(periods) < 2 * PER_YEAR:
        latest = f"{periods[0]} to {periods[-1]}" if len(periods) > 1 else str(periods[0])
        windows = {"before": None, "after": latest, "months": len(periods)}
        totals = cubes[finest].sum(axis=0, min_count=1)
        record: dict[str, Any] = {
            "after": _number(totals.sum(min_count=1)),
            "before": None,
            "percent": None,
            "p": None,
            "change": None,
            "interval": None,
        }
        return dict.fromkeys(levels), record, windows
    changes: dict[str, pd.DataFrame | None] = {}
    rollup = None
    for level in reversed(levels):
        if level == "boroughs":
            continue
        layer = layers[level]
        kept = layer.drop(index=excluded, errors="ignore")
        result = change_rollup(
            kept, cubes[level].reindex(kept.index), alpha=alpha, correction=correction
        )
        areas = result.areas.reindex(layer.index)
        areas["change_label"] = areas["change_label"].fillna(NO_DATA)
        changes[level] = areas
        rollup = rollup or result
    if rollup is None:  # boroughs only
        rollup = change_rollup(
            layers["boroughs"], cubes["boroughs"], alpha=alpha, correction=correction
        )
    if "boroughs" in layers:
        boroughs = rollup.boroughs.reindex(layers["boroughs"].index)
        boroughs["change_label"] = boroughs["change_label"].fillna(NO_DATA)
        changes["boroughs"] = boroughs
    row = rollup.london.iloc[0]
    record = {
        "before": _number(row["count_before"]),
        "after": _number(row["count_after"]),
        "percent": _number(row["percent_change"], 1),
        "p": _number(row["change_p"], 4),
        "change": str(row["change_label"]),
        "interval": _pair(row["percent_change_low"], row["percent_change_high"]),
    }
    info = rollup.areas.attrs["hotspots"]
    windows = {"before": info["before"], "after": info["after"], "months": PER_YEAR,
               "relative_to": info["relative_to"], "confidence": info["confidence"]}  # fmt: skip
    return changes, record, windows


def _level_figures(
    level: str,
    layer: gpd.GeoDataFrame,
    cube: pd.DataFrame,
    change: pd.DataFrame | None,
    subset: pd.DataFrame,
    windows: dict[str, Any],
    excluded: list[str],
    permutations: int | str,
    seed: int | None,
    alpha: float,
    correction: str | None,
) -> dict[str, Any]:
    window = windows["months"]
    after = cube.iloc[:, -window:].sum(axis=1, min_count=window)
    after = after.where(cube.iloc[:, -window:].notna().all(axis=1))
    latest = layer[[]].copy()
    latest["count"] = after.reindex(layer.index)
    column = "count"
    population = _population(level, layer)
    if population is not None:
        with np.errstate(divide="ignore", invalid="ignore"):
            latest["rate"] = np.where(population > 0, latest["count"] / population * 1000, np.nan)
        column = "rate"
    latest = gpd.GeoDataFrame(latest, geometry=layer.geometry, crs=layer.crs)
    inference = _inference(permutations)
    gi = getis_ord(
        latest, column, permutations=permutations, seed=seed, alpha=alpha,
        correction=correction, inference=inference,
    )  # fmt: skip
    emerging = emerging_hotspots(
        layer, cube, permutations=permutations, seed=seed, alpha=alpha,
        correction=correction, inference=inference,
    ).areas  # fmt: skip
    counts = latest["count"]
    rankable = counts.notna() & (counts >= RISK_MINIMUM) & ~counts.index.isin(excluded)
    ranked = counts[rankable].sort_values(ascending=False, kind="stable")
    order = [layer.index.get_loc(code) for code in ranked.index[:TOP]]
    noun = LEVEL_NAMES[level][1]
    latest_text = "latest month" if window == 1 else f"latest {window} months"
    record: dict[str, Any] = {
        "series": [[_number(v) for v in row] for row in cube.to_numpy()],
        "before": None,
        "after": [_number(v) for v in counts],
        "percent": None,
        "p_adjusted": None,
        "change": None,
        "interval": None,
        "rate": [_number(v, 2) for v in latest[column]] if column == "rate" else None,
        "hotspot": gi["gi_label"].astype(str).tolist(),
        "hotspot_z": [_number(v, 2) for v in gi["gi_z"]],
        "hotspot_p": [_number(v, 4) for v in gi["gi_p"]],
        "emerging": emerging["emerging_label"].astype(str).tolist(),
        "risk": {
            "ranks": f"{noun}s by recorded offences in the {latest_text} "
            f"({windows['after']}), most first, among {noun}s with at least {RISK_MINIMUM}: "
            "a count, not a forecast",
            "order": order,
            "minimum": RISK_MINIMUM,
        },
        "excluded": [layer.index.get_loc(c) for c in excluded if c in layer.index],
        "evaluation": _evaluation(
            level, layer, cube, counts, excluded, permutations, seed, alpha, correction
        ),
        "repeats": _repeats(subset, layer, cube.columns[-window:]),
        "london_mean": [_number(v, 2) for v in cube.mean(axis=0, skipna=True)],
        "borough_mean": _borough_means(layer, cube),
    }
    if change is not None:
        record.update(
            before=[_number(v) for v in change["count_before"]],
            percent=[_number(v, 1) for v in change["percent_change"]],
            p_adjusted=[_number(v, 4) for v in change["change_p_adjusted"]],
            change=change["change_label"].astype(str).tolist(),
            interval=[
                _pair(low, high)
                for low, high in zip(
                    change["percent_change_low"], change["percent_change_high"], strict=True
                )
            ],
        )
    return record


def _evaluation(
    level: str,
    layer: gpd.GeoDataFrame,
    cube: pd.DataFrame,
    test: pd.Series,
    excluded: list[str],
    permutations: int | str,
    seed: int | None,
    alpha: float,
    correction: str | None,
) -> dict[str, Any] | None:
    """How much of the latest 12 months' crime the previous 12 months' hot spots captured.

    Trained on the 12 months before the latest 12: the Gi* hot spots of that window (as the
    page's hot-spot state) and the ``TOP`` areas by its count (as the at-risk list).
    """
    if len(cube.columns) < 2 * PER_YEAR:
        return None
    window = cube.iloc[:, -2 * PER_YEAR : -PER_YEAR]
    before = window.sum(axis=1).where(window.notna().all(axis=1)).reindex(layer.index)
    out = layer.index.isin(excluded)
    before, test = before.mask(out), test.reindex(layer.index).mask(out)
    frame = layer[[]].copy()
    frame["count"] = before
    column = "count"
    population = _population(level, layer)
    if population is not None:
        with np.errstate(divide="ignore", invalid="ignore"):
            frame["rate"] = np.where(population > 0, frame["count"] / population * 1000, np.nan)
        column = "rate"
    frame = gpd.GeoDataFrame(frame, geometry=layer.geometry, crs=layer.crs)
    gi = getis_ord(
        frame, column, permutations=permutations, seed=seed, alpha=alpha,
        correction=correction, inference=_inference(permutations),
    )  # fmt: skip
    hot = gi["gi_label"].isin([GI_LABELS[3], GI_LABELS[2], GI_LABELS[1]]) & before.notna()
    ranked = before[before >= RISK_MINIMUM].sort_values(ascending=False, kind="stable")
    top = pd.Series(layer.index.isin(ranked.index[:TOP]), index=layer.index)
    table = evaluate_hotspots(layer, {"hot spots": hot, "most at risk": top}, test, before=before)
    noun = LEVEL_NAMES[level][1]
    sentences = []
    for name, what in (("hot spots", "hot-spot"), ("most at risk", "most-at-risk")):
        row = table.loc[name]
        n = int(row["areas_selected"])
        if n == 0:
            sentences.append(f"Last year had no {what} {noun}s.")
            continue
        plural = noun if n == 1 else f"{noun}s"
        sentences.append(
            f"Last year's {n} {what} {plural} ({100 * row['area_share']:.1f} % of London's "
            f"area with data) had {100 * row['hit_rate']:.1f} % of this year's offences "
            f"(PAI {row['pai']:.1f})."
        )
    return {
        "text": " ".join(sentences),
        "table": {
            str(name): {
                "areas_selected": int(row["areas_selected"]),
                **{
                    key: _number(row[key], 4)
                    for key in ("area_share", "hit_rate", "pai", "pei", "rri")
                },
            }
            for name, row in table.iterrows()
        },
    }


def _repeats(
    subset: pd.DataFrame, layer: gpd.GeoDataFrame, window: pd.Index
) -> list[str | None] | None:
    """Per area, repeat victimisation in the latest window, for police.uk points only."""
    if not isinstance(subset, gpd.GeoDataFrame) or "month" not in subset:
        return None  # a Met table has no locations: absent, not zero
    if not len(subset):
        return None
    earlier = bool((~subset["month"].isin(window)).any())  # a reference for the flag
    shares = repeat_areas(subset, layer, time="month", window=list(window))
    texts: list[str | None] = []
    for row in shares.itertuples():
        if not row.repeat_incidents:
            texts.append(None)
            continue
        at_repeat = row.repeat_repeats + (row.repeat_locations * row.repeat_rate)
        share = 100.0 * at_repeat / row.repeat_incidents
        text = (
            f"{share:.0f}% of {row.repeat_incidents:,} offences were at a map point hit "
            f"more than once ({round(row.repeat_locations * row.repeat_rate):,} of "
            f"{row.repeat_locations:,} points)"
        )
        if earlier and not pd.isna(row.repeat_flagged):
            text += (
                f"; {int(row.repeat_flagged)} with more repeats than their earlier months predict"
            )
        texts.append(text)
    return texts


def _pair(low: SupportsFloat | None, high: SupportsFloat | None) -> list[float] | None:
    low, high = _number(low, 1), _number(high, 1)
    return None if low is None or high is None else [low, high]


def _borough_means(
    layer: gpd.GeoDataFrame, cube: pd.DataFrame
) -> dict[str, list[float | int | None]]:
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


def _number(value: SupportsFloat | None, digits: int = 0) -> float | int | None:
    if value is None or pd.isna(value):
        return None
    value = float(value)
    if math.isinf(value):
        return None
    return round(value) if digits == 0 else round(value, digits)


def _inference(permutations: int | str) -> str:
    """Permutation inference, or with ``permutations=0`` the normal approximation
    (a fast preview: its hot spots are not calibrated on skewed counts)."""
    return "analytical" if permutations == 0 else "permutation"
