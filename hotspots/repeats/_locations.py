"""Repeat locations: the places hit again and again, against what their size predicts (private)."""

from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd

from hotspots._errors import InputError
from hotspots._vocabulary import NOT_SIGNIFICANT, REPEAT_CATEGORIES, REPEAT_MORE
from hotspots.repeats._times import check_points
from hotspots.stats._inference import adjust_p, check_alpha, check_correction

LOCATION_COLUMNS = (
    "location_id",
    "description",
    "incidents",
    "repeats",
    "reference",
    "expected",
    "ratio",
    "p",
    "p_adjusted",
    "label",
)
AREA_COLUMNS = (
    "repeat_incidents",
    "repeat_locations",
    "repeat_repeats",
    "repeat_share",
    "repeat_rate",
    "repeat_flagged",
)


def repeat_locations(
    points: gpd.GeoDataFrame,
    *,
    location: str | None = None,
    time: str | None = None,
    window: object = None,
    reference: gpd.GeoDataFrame | None = None,
    alpha: float = 0.05,
    correction: str | None = "fdr",
) -> gpd.GeoDataFrame:
    """Incidents and repeats per location, against what the location's size predicts.

    A location is a police.uk map point (incidents at the same coordinates, to
    the centimetre) or, with ``location``, any address or place identifier.
    police.uk map points gather every incident near them by construction (a
    point "On or near Supermarket" stands for a shop, its car park and the
    street), so a raw count of repeats at a map point measures the
    anonymisation as much as victimisation. The expected count therefore comes
    from the same locations' counts in a reference: other periods of the same
    crime type (``window``) or other crime types (``reference``).

    Parameters
    ----------
    points : geopandas.GeoDataFrame
        One incident per row, point geometry. Not modified.
    location : str, optional
        Column identifying the location (an address id); default the point's
        exact coordinates (a police.uk map point).
    time : str, optional
        The time column, needed with ``window``.
    window : value or list of values of ``time``, optional
        The incidents counted (e.g. ``"2025-02"`` for police.uk's ``month``); the
        incidents of ``points`` outside the window are the reference. Default:
        every incident is counted.
    reference : geopandas.GeoDataFrame, optional
        Reference incidents (another crime type, other years) located in the
        same way; used instead of the incidents outside ``window``.
    alpha : float, default 0.05
        Significance level for ``label``.
    correction : {"fdr", "by", "bonferroni", None}, default "fdr"
        Multiple-testing correction over the locations in the table.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per location with at least one counted incident, the busiest
        first, with ``location_id``, ``description`` (police.uk's "On or near
        ..." text when the input has a ``location`` column), ``incidents``,
        ``repeats`` (incidents after the first), ``reference`` (reference
        incidents at the location), ``expected`` (the location's incidents in
        both sets shared in the proportion of the whole: ``(n + r) N / (N + R)``
        for ``n`` counted and ``r`` reference incidents at the location, ``N``
        and ``R`` in all), ``ratio`` (incidents / expected), ``p`` (the exact
        conditional test of equal Poisson rates: ``P(X >= n)`` for
        ``X ~ Binomial(n + r, N / (N + R))``),
        ``p_adjusted`` and ``label`` ("More repeats than expected" for a
        location with at least two incidents and ``p_adjusted <= alpha``). The
        model columns are missing values when there is no reference.
        ``attrs["hotspots"]`` holds the totals: incidents, locations, repeat
        share (repeats / incidents) and the model.

    Examples
    --------
    >>> import hotspots
    >>> points = hotspots.read_police_uk(hotspots.sample_path("police-uk-burglary"),
    ...                                  crime_types="burglary")
    >>> places = hotspots.repeat_locations(points, time="month", window="2025-02")
    >>> int(places["incidents"].sum()), places.attrs["hotspots"]["reference_incidents"]
    (3735, 9227)
    """
    points = check_points(points)
    alpha = check_alpha(alpha)
    correction = check_correction(correction)
    keys = _keys(points, location, "points")
    model = "none"
    counted = np.ones(len(points), dtype=bool)
    ref_keys = None
    if window is not None:
        if time is None:
            raise ValueError("window needs the time column: pass time=...")
        counted = _in_window(points, time, window)
        if not counted.any():
            raise InputError(f"no incident in window {window!r}", column=time)
        if reference is None:
            ref_keys = keys[~counted]
            model = f"same locations outside the window ({time} not in {_text(window)})"
    if reference is not None:
        reference = check_points(reference, "reference")
        ref_keys = _keys(reference, location, "reference")
        model = "same locations in the reference incidents"

    key_counted = keys[counted]
    table = key_counted.value_counts(sort=False).rename("incidents").to_frame()
    first = pd.Series(np.flatnonzero(counted), index=key_counted.to_numpy())
    first = first[~first.index.duplicated()]
    rows = first.reindex(table.index).to_numpy()
    table["repeats"] = table["incidents"] - 1
    if "location" in points.columns and location is None:
        table["description"] = points["location"].astype(object).to_numpy()[rows]
    else:
        table["description"] = None
    n = int(table["incidents"].sum())
    if ref_keys is not None:
        from scipy.stats import binom

        ref_counts = ref_keys.value_counts()
        total_ref = int(ref_counts.sum())
        r = ref_counts.reindex(table.index, fill_value=0).to_numpy()
        incidents = table["incidents"].to_numpy()
        in_window = n / (n + total_ref)
        table["reference"] = r
        table["expected"] = (incidents + r) * in_window
        table["ratio"] = incidents / table["expected"]
        table["p"] = binom.sf(incidents - 1, incidents + r, in_window)
        table["p_adjusted"] = adjust_p(table["p"].to_numpy(), correction)
        flagged = (table["p_adjusted"] <= alpha) & (table["incidents"] >= 2)
        label = np.where(flagged, REPEAT_MORE, NOT_SIGNIFICANT)
        table["label"] = pd.Categorical(label, categories=REPEAT_CATEGORIES)
    else:
        total_ref = None
        for column in ("reference", "expected", "ratio", "p", "p_adjusted"):
            table[column] = np.nan
        table["label"] = pd.Categorical([None] * len(table), categories=REPEAT_CATEGORIES)
    table["location_id"] = table.index
    result = gpd.GeoDataFrame(
        table.reset_index(drop=True)[list(LOCATION_COLUMNS)],
        geometry=points.geometry.to_numpy()[rows],
        crs=points.crs,
    )
    result = result.sort_values(["incidents", "location_id"], ascending=[False, True])
    result = result.reset_index(drop=True)
    result.attrs["hotspots"] = {
        **{k: v for k, v in points.attrs.get("hotspots", {}).items() if isinstance(v, str)},
        "method": "repeat locations",
        "location": location or "map point (exact coordinates)",
        "window": None if window is None else _text(window),
        "incidents": n,
        "locations": len(result),
        "repeat_share": float(result["repeats"].sum() / n) if n else float("nan"),
        "model": model,
        "reference_incidents": total_ref,
        "alpha": alpha,
        "correction": correction,
    }
    return result


def repeat_areas(
    points: gpd.GeoDataFrame,
    areas: gpd.GeoDataFrame,
    *,
    location: str | None = None,
    time: str | None = None,
    window: object = None,
    reference: gpd.GeoDataFrame | None = None,
    alpha: float = 0.05,
    correction: str | None = "fdr",
) -> gpd.GeoDataFrame:
    """Repeat victimisation per area, as columns of a copy of ``areas`` for a map.

    Every location of :func:`repeat_locations` (same arguments) is placed in
    the area that contains it and summed.

    Parameters
    ----------
    points, location, time, window, reference, alpha, correction
        As for :func:`repeat_locations`.
    areas : geopandas.GeoDataFrame
        The areas (e.g. ``boundaries.load("wards")``). Not modified.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy of ``areas`` (same index) with ``repeat_incidents`` (incidents
        counted), ``repeat_locations`` (locations with at least one),
        ``repeat_repeats`` (incidents after the first at their location),
        ``repeat_share`` (repeats / incidents: the share of incidents that are
        repeats), ``repeat_rate`` (share of locations hit at least twice) and
        ``repeat_flagged`` (locations labelled "More repeats than expected";
        missing without a reference). Shares are missing where there is no
        incident. Locations outside every area are counted in
        ``attrs["hotspots"]["outside_areas"]``.

    Examples
    --------
    >>> import boundaries, hotspots
    >>> points = hotspots.read_police_uk(hotspots.sample_path("police-uk-burglary"),
    ...                                  crime_types="burglary")
    >>> boroughs = hotspots.repeat_areas(points, boundaries.load("boroughs"),
    ...                                  time="month", window="2025-02")
    >>> int(boroughs["repeat_incidents"].sum())
    3735
    """
    places = repeat_locations(
        points, location=location, time=time, window=window, reference=reference,
        alpha=alpha, correction=correction,
    )  # fmt: skip
    if not isinstance(areas, gpd.GeoDataFrame):
        raise InputError(f"areas must be a GeoDataFrame, not {type(areas).__name__}")
    target = areas.to_crs(places.crs) if areas.crs != places.crs else areas
    polygons = target.geometry.reset_index(drop=True)
    hit = gpd.sjoin(
        places[["geometry"]], gpd.GeoDataFrame(geometry=polygons), predicate="intersects"
    )
    hit = hit[~hit.index.duplicated()]
    position = np.full(len(places), -1)
    position[hit.index.to_numpy()] = hit["index_right"].to_numpy()
    inside = position >= 0
    m = len(areas)

    def total(values: np.ndarray) -> np.ndarray:
        return np.bincount(position[inside], weights=values[inside], minlength=m)

    incidents = places["incidents"].to_numpy(dtype=float)
    repeated = (places["incidents"].to_numpy() >= 2).astype(float)
    result = areas.copy()
    result["repeat_incidents"] = total(incidents).astype(np.int64)
    result["repeat_locations"] = total(np.ones(len(places))).astype(np.int64)
    result["repeat_repeats"] = total(incidents - 1).astype(np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        result["repeat_share"] = result["repeat_repeats"] / result["repeat_incidents"]
        result["repeat_rate"] = total(repeated) / result["repeat_locations"]
    if places["label"].isna().all():
        result["repeat_flagged"] = np.nan
    else:
        result["repeat_flagged"] = total((places["label"] == REPEAT_MORE).to_numpy(float))
    result.attrs["hotspots"] = {
        **areas.attrs.get("hotspots", {}),
        **places.attrs["hotspots"],
        "outside_areas": int((~inside).sum()),
    }
    return result


def _keys(points: gpd.GeoDataFrame, location: str | None, what: str) -> pd.Series:
    if location is None:
        x = points.geometry.x.to_numpy()
        y = points.geometry.y.to_numpy()
        # one key per exact coordinate pair (police.uk map points repeat exactly)
        return pd.Series([f"{a:.2f},{b:.2f}" for a, b in zip(x, y, strict=True)], dtype=object)
    if location not in points.columns:
        raise InputError(f"{what}: no location column {location!r}", column=location)
    keys = points[location]
    missing = keys.isna().to_numpy()
    if missing.any():
        raise InputError(
            f"{what}: no location", row=points.index[np.flatnonzero(missing)[0]], column=location
        )
    return pd.Series(keys.astype(str).to_numpy(), dtype=object)


def _in_window(points: pd.DataFrame, time: str, window: object) -> np.ndarray:
    if time not in points.columns:
        raise InputError(f"no time column {time!r}", column=time)
    values = points[time]
    wanted = (
        list(window) if isinstance(window, Iterable) and not isinstance(window, str) else [window]
    )
    if isinstance(values.dtype, pd.PeriodDtype):
        wanted = [pd.Period(w, freq=values.dtype.freq) for w in wanted]
    elif pd.api.types.is_datetime64_any_dtype(values.dtype):
        wanted = [pd.Timestamp(w) for w in wanted]
    return values.isin(wanted).to_numpy()


def _text(window: object) -> str:
    if isinstance(window, Iterable) and not isinstance(window, str):
        return ", ".join(str(w) for w in window)
    return str(window)
