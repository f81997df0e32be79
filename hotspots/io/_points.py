"""Incident points from any table with coordinates, with every row accounted for."""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from hotspots._errors import InputError
from hotspots.io._london import in_london
from hotspots.io._report import LoadReport, log_report

BNG = pyproj.CRS.from_epsg(27700)
# Where London is, to recognise swapped or mislabelled coordinates.
_LONDON_LON = (-0.6, 0.4)
_LONDON_LAT = (51.2, 51.8)
_LONDON_EASTING = (500_000, 565_000)
_LONDON_NORTHING = (150_000, 205_000)


class RowLedger:
    """Which rows are still kept, and why the others were dropped.

    Each row is dropped at most once, for the first reason that applies to it.
    The first dropped row of each reason is described in a note (file, row,
    column and value) so that a user can find it.
    """

    def __init__(
        self,
        n: int,
        *,
        file_names: Sequence[str] | None = None,
        files: np.ndarray | None = None,
        labels: pd.Index | None = None,
    ) -> None:
        self.keep = np.ones(n, dtype=bool)
        self.dropped: dict[str, int] = {}
        self.notes: list[str] = []
        self._outside = 0
        self._file_names = file_names
        self._files = None if files is None else np.asarray(files, dtype=np.int64)
        self._labels = labels

    def drop(
        self,
        mask: np.ndarray,
        reason: str,
        *,
        column: str | None = None,
        values: pd.Series | None = None,
    ) -> None:
        """Drop the kept rows where ``mask`` is true, for ``reason``."""
        hit = np.asarray(mask, dtype=bool) & self.keep
        count = int(hit.sum())
        if not count:
            return
        self.dropped[reason] = self.dropped.get(reason, 0) + count
        self.keep &= ~hit
        if column is not None:
            first = int(np.flatnonzero(hit)[0])
            value = None if values is None else values.iloc[first]
            value = None if pd.isna(value) else value
            self.notes.append(f"{reason}: first at {self._where(first, column, value)}")

    def add_outside_rows(self, reason: str, count: int, note: str) -> None:
        """Count rows dropped before they reached the table (e.g. malformed CSV lines)."""
        self._outside += count
        self.dropped[reason] = self.dropped.get(reason, 0) + count
        self.notes.append(f"{reason}: {note}")

    def report(
        self, source: str, *, files: dict[str, int] | None = None, notes: Sequence[str] = ()
    ) -> LoadReport:
        return LoadReport(
            source,
            rows_read=len(self.keep) + self._outside,
            rows_kept=int(self.keep.sum()),
            dropped=self.dropped,
            files=files or {},
            notes=(*notes, *self.notes),
        )

    def _where(self, position: int, column: str, value: object) -> str:
        parts = []
        if self._files is not None and self._file_names is not None:
            file = self._files[position]
            start = int(np.searchsorted(self._files, file))
            parts += [self._file_names[file], f"row {position - start + 2}"]
        elif self._labels is not None:
            parts.append(f"index {self._labels[position]!r}")
        parts.append(f"column {column!r}")
        if value is not None:
            parts.append(f"value {value!r}")
        return ", ".join(parts)


def points_from_frame(
    df: pd.DataFrame, *, x: str, y: str, crs: str | int | pyproj.CRS = "EPSG:4326"
) -> gpd.GeoDataFrame:
    """Incident points in London from any table with coordinate columns.

    Parameters
    ----------
    df : pandas.DataFrame
        One incident per row. Not modified.
    x, y : str
        The coordinate columns: longitude and latitude, or easting and northing.
    crs : str, int or pyproj.CRS, default "EPSG:4326"
        The coordinates' reference system: ``"EPSG:4326"`` for longitude and
        latitude, ``"EPSG:27700"`` for British National Grid eastings and northings.

    Returns
    -------
    geopandas.GeoDataFrame
        The kept rows of ``df`` (same index and columns) with point geometry in
        EPSG:27700. ``attrs["report"]`` (a :class:`hotspots.LoadReport`) counts
        the rows dropped for ``"no coordinates"``, ``"unparseable coordinates"``
        (not a number, or only one of the two) and ``"outside London"``
        (outside the Greater London outline).

    Raises
    ------
    hotspots.InputError
        When a column is missing, or the coordinates as a whole do not fit the
        stated ``crs`` in London: swapped x and y (latitude given as x), or
        eastings labelled as longitude and vice versa. Coordinates are never
        swapped silently; the message says which call would work.

    Examples
    --------
    >>> import pandas as pd
    >>> from hotspots import points_from_frame
    >>> calls = pd.DataFrame({"lon": [-0.1276, -0.0754, None], "lat": [51.5072, 51.5055, None]})
    >>> points = points_from_frame(calls, x="lon", y="lat")
    >>> points.geometry.x.round(-1).tolist(), points.geometry.y.round(-1).tolist()
    ([530040.0, 533670.0], [180360.0, 180260.0])
    >>> dict(points.attrs["report"].dropped)
    {'no coordinates': 1}
    """
    for column in (x, y):
        if column not in df.columns:
            raise InputError(f"no such column; columns are {list(df.columns)}", column=column)
    crs = pyproj.CRS.from_user_input(crs)
    ledger = RowLedger(len(df), labels=df.index)
    xs, ys = _numbers(df[x], df[y], ledger, (x, y))
    _check_axes(xs[ledger.keep], ys[ledger.keep], crs, (x, y))
    bx, by, inside = _project_unique(xs, ys, ledger.keep, crs)
    ledger.drop(~inside, "outside London", column=x, values=df[x])
    keep = ledger.keep
    points = gpd.GeoDataFrame(
        df.loc[keep].copy(), geometry=distinct_points(bx[keep], by[keep]), crs=BNG
    )
    report = ledger.report(f"table columns {x!r}, {y!r}")
    points.attrs["report"] = report
    points.attrs["hotspots"] = {"source": "a table of points"}
    log_report(report)
    return points


def project_lonlat(
    lon: pd.Series, lat: pd.Series, ledger: RowLedger, *, columns: tuple[str, str]
) -> tuple[np.ndarray, np.ndarray]:
    """British National Grid x, y of longitude/latitude text; drops rows as it goes.

    Rows are dropped for ``"no coordinates"``, ``"unparseable coordinates"`` and
    ``"outside London"``. Returns full-length arrays (NaN where dropped).
    """
    xs, ys = _numbers(lon, lat, ledger, columns)
    bx, by, inside = _project_unique(xs, ys, ledger.keep, pyproj.CRS.from_epsg(4326))
    ledger.drop(~inside, "outside London", column=columns[0], values=lon)
    return bx, by


def distinct_points(x: np.ndarray, y: np.ndarray) -> gpd.array.GeometryArray:
    """Point geometries for coordinates, one shapely object per distinct location.

    Rows at the same location share one (immutable) point, which saves building
    a million points for the few tens of thousands of police.uk map points.
    """
    codes, uniques = pd.factorize(x + 1j * y)
    return gpd.array.from_shapely(shapely.points(uniques.real, uniques.imag)[codes])


def _numbers(
    xcol: pd.Series, ycol: pd.Series, ledger: RowLedger, columns: tuple[str, str]
) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates as floats; drops rows without them or with text that is not a number."""
    blank_x, xs = _parsed(xcol)
    blank_y, ys = _parsed(ycol)
    ledger.drop(blank_x & blank_y, "no coordinates", column=columns[0], values=xcol)
    ledger.drop(~np.isfinite(xs), "unparseable coordinates", column=columns[0], values=xcol)
    ledger.drop(~np.isfinite(ys), "unparseable coordinates", column=columns[1], values=ycol)
    return xs, ys


def _parsed(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Whether each value is blank, and its number (NaN when none); each distinct value once."""
    codes, uniques = pd.factorize(values)  # a missing value has code -1
    distinct = pd.Series(uniques, dtype=None if len(uniques) else float)
    if pd.api.types.is_numeric_dtype(distinct):
        blank = np.zeros(len(distinct), dtype=bool)
    else:
        blank = (distinct.astype("str").str.strip() == "").to_numpy()
    numbers = pd.to_numeric(distinct, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    return np.append(blank, True)[codes], np.append(numbers, np.nan)[codes]


def _check_axes(xs: np.ndarray, ys: np.ndarray, crs: pyproj.CRS, columns: tuple[str, str]) -> None:
    """Raise when the coordinates as a whole cannot be London in ``crs``."""
    if not len(xs):
        return
    mx, my = float(np.median(xs)), float(np.median(ys))
    x, y = columns

    def within(value: float, bounds: tuple[float, float]) -> bool:
        return bounds[0] <= value <= bounds[1]

    if crs.is_geographic:
        if within(mx, _LONDON_LAT) and within(my, _LONDON_LON):
            raise InputError(
                f"x looks like latitude and y like longitude (medians {mx:.3f}, {my:.3f}); "
                f"swap them: x={y!r}, y={x!r}",
                column=x,
            )
        if within(mx, _LONDON_EASTING) and within(my, _LONDON_NORTHING):
            raise InputError(
                "coordinates look like British National Grid eastings and northings; "
                "pass crs='EPSG:27700'",
                column=x,
            )
    elif crs == BNG:
        if within(mx, _LONDON_NORTHING) and within(my, _LONDON_EASTING):
            raise InputError(
                f"x looks like northing and y like easting (medians {mx:.0f}, {my:.0f}); "
                f"swap them: x={y!r}, y={x!r}",
                column=x,
            )
        if abs(mx) <= 180 and abs(my) <= 90:
            raise InputError(
                "coordinates look like longitude and latitude; pass crs='EPSG:4326'", column=x
            )


def _project_unique(
    xs: np.ndarray, ys: np.ndarray, keep: np.ndarray, crs: pyproj.CRS
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """British National Grid x, y and whether in London, once per distinct location.

    police.uk snaps incidents to a limited set of anonymous map points, so a
    million incidents hold a few tens of thousands of distinct locations.
    Rows not kept get NaN coordinates and count as inside.
    """
    bx = np.full(len(xs), np.nan)
    by = np.full(len(xs), np.nan)
    inside = np.ones(len(xs), dtype=bool)
    if not keep.any():
        return bx, by, inside
    codes, uniques = pd.factorize(xs[keep] + 1j * ys[keep])
    ux, uy = uniques.real, uniques.imag
    if crs != BNG:
        transformer = pyproj.Transformer.from_crs(crs, BNG, always_xy=True)
        ux, uy = transformer.transform(ux, uy)
    ux, uy = np.asarray(ux), np.asarray(uy)
    bx[keep] = ux[codes]
    by[keep] = uy[codes]
    inside[keep] = in_london(ux, uy)[codes]
    return bx, by, inside
