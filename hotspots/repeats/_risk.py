"""Near-repeat risk areas: where recent events raise the short-term risk nearby (private)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspots.repeats._knox import check_table, significant_reach
from hotspots.repeats._times import MONTH, check_points, event_times

RISK_COLUMNS = ("events", "first", "latest", "risk_until", "distance", "time_window")


def near_repeat_risk(
    points: gpd.GeoDataFrame,
    knox: pd.DataFrame,
    *,
    time: str,
    as_of: object = None,
    min_ratio: float = 1.2,
) -> gpd.GeoDataFrame:
    """Places at raised short-term risk after recent events, from a Knox table.

    The significant close cells of ``knox`` (label "More pairs than expected",
    Knox ratio at least ``min_ratio``, not the open-ended last bands) give a
    reach: the largest distance ``D`` and time apart ``T`` at which events
    were followed by more events than chance. Every event in the ``T``
    months or days up to ``as_of`` marks the area within ``D`` metres of it;
    overlapping marks merge into one zone.

    Parameters
    ----------
    points : geopandas.GeoDataFrame
        The events (usually those the Knox table was computed on). Not modified.
    knox : pandas.DataFrame
        The table from :func:`near_repeat`.
    time : str
        The time column (months or dates, as for :func:`near_repeat`).
    as_of : month, date or str, optional
        The day or month the risk is assessed; default the latest event.
    min_ratio : float, default 1.2
        Smallest Knox ratio of a cell that extends the reach. With tens of
        thousands of events an excess of 2 % is significant; a cell must also
        show a 20 % excess (by default) to mark places at risk.

    Returns
    -------
    geopandas.GeoDataFrame
        One zone per row (British National Grid): the buffers of the recent
        events (or, when only the same-location band is significant, the
        event points themselves), with ``events`` (recent events in the zone),
        ``first`` and ``latest`` (their times), ``risk_until`` (``latest`` plus
        ``T``), ``distance`` (``D``, metres) and ``time_window`` (``T``, in the
        table's unit). Empty when no close cell is significant. The zones are
        sorted by ``events``, most first.

    Examples
    --------
    >>> import hotspots
    >>> points = hotspots.read_police_uk(hotspots.sample_path("police-uk-burglary"),
    ...                                  crime_types="burglary")
    >>> knox = hotspots.near_repeat(points, time="month", distance_bands=[100, 200],
    ...                             time_bands=[0, 1], permutations=99, seed=1)
    >>> risk = hotspots.near_repeat_risk(points, knox, time="month")
    >>> risk.attrs["hotspots"]["distance"], risk.attrs["hotspots"]["time_window"]
    (0.0, 0)
    >>> int(risk["events"].sum())  # the map points burgled in the latest month
    3735
    """
    knox = check_table(knox)
    points = check_points(points)
    times = event_times(points, time)
    if isinstance(min_ratio, bool) or not isinstance(min_ratio, (int, float)) or min_ratio < 1:
        raise ValueError(f"min_ratio must be a number of 1 or more, not {min_ratio!r}")
    reach = significant_reach(knox, float(min_ratio))
    unit = knox.attrs.get("hotspots", {}).get("unit", times.unit)
    if unit != times.unit:
        raise ValueError(f"the Knox table counts time in {unit}s, but {time!r} is in {times.unit}s")
    attrs = {
        **{k: v for k, v in knox.attrs.get("hotspots", {}).items() if isinstance(v, str)},
        "method": "near-repeat risk areas",
        "distance": None,
        "time_window": None,
        "as_of": None,
        "min_ratio": float(min_ratio),
    }
    empty = gpd.GeoDataFrame(
        {c: pd.Series(dtype=object) for c in RISK_COLUMNS}, geometry=[], crs=points.crs
    )
    if reach is None or len(points) == 0:
        empty.attrs["hotspots"] = attrs
        return empty
    distance, window = reach
    window = int(window)
    t = times.values
    now = int(t.max()) if as_of is None else _ordinal(as_of, times.unit)
    recent = (t <= now) & (t >= now - window)
    attrs.update(distance=distance, time_window=window, as_of=str(times.to_value(now)))
    if not recent.any():
        empty.attrs["hotspots"] = attrs
        return empty
    geometry = points.geometry.to_numpy()[recent]
    t_recent = t[recent]
    if distance > 0:
        shapes = shapely.buffer(geometry, distance, quad_segs=8)
        zones = np.asarray(shapely.get_parts(shapely.union_all(shapes)))
    else:
        zones = np.asarray(shapely.get_parts(shapely.union_all(geometry)))
    tree = shapely.STRtree(zones)
    event, zone = tree.query(geometry, predicate="intersects")
    # an event belongs to one zone (zones of a union are disjoint)
    keep = ~pd.Series(event).duplicated().to_numpy()
    event, zone = event[keep], zone[keep]
    frame = pd.DataFrame({"zone": zone, "t": t_recent[event]})
    stats = frame.groupby("zone")["t"].agg(["size", "min", "max"]).reindex(range(len(zones)))
    result = gpd.GeoDataFrame(
        {
            "events": stats["size"].fillna(0).astype(np.int64).to_numpy(),
            "first": [times.to_value(v) for v in stats["min"]],
            "latest": [times.to_value(v) for v in stats["max"]],
            "risk_until": [times.to_value(v + window) for v in stats["max"]],
            "distance": distance,
            "time_window": window,
        },
        geometry=zones,
        crs=points.crs,
    )
    result = result.sort_values("events", ascending=False, kind="stable").reset_index(drop=True)
    result.attrs["hotspots"] = attrs
    return result


def _ordinal(value: object, unit: str) -> int:
    if unit == MONTH:
        return int(pd.Period(value, freq="M").ordinal)
    return int(np.datetime64(pd.Timestamp(value).normalize().date(), "D").astype(np.int64))
