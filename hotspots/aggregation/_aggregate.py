"""Incident points or counted tables into counts and rates on a set of areas."""

from __future__ import annotations

import warnings
from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

import boundaries
from hotspots._errors import InputError
from hotspots.aggregation._rollup import parent_codes
from hotspots.io._categories import category_mask, resolve_categories
from hotspots.io._london import CITY_OF_LONDON, CITY_POLICE, MET_FORCE, city_of_london
from hotspots.io._report import LoadReport, log_report

NOT_IN_AREAS = "outside all areas"
NOT_COVERED = "in an area the source does not cover"
UNKNOWN_CODE = "area code not in areas"
FILTERED = "crime type filtered out"
# Column flagging areas whose count includes the Met's airport-security pseudo-borough rows.
PSEUDO_AREA = "pseudo_area"
# The column in which a source gives each incident's own area (police.uk: its LSOA).
SOURCE_CODE = "lsoa_code"


class _Monthly(str):
    """``by="month"`` as passed by :func:`hotspots.aggregate_monthly` (not deprecated)."""


MONTHLY = _Monthly("month")


def aggregate(
    data: pd.DataFrame,
    areas: gpd.GeoDataFrame,
    *,
    by: str | None = None,
    crime_types: str | Iterable[str] | None = None,
    population: str | pd.Series | None = None,
    tolerance: float = 20.0,
    denominator: str | None = None,
) -> gpd.GeoDataFrame | pd.DataFrame:
    """Count incidents per area: every area present, real zeros told apart from no data.

    Parameters
    ----------
    data : GeoDataFrame or DataFrame
        Incident points (from :func:`hotspots.read_police_uk` or
        :func:`hotspots.points_from_frame`), joined to the areas point-in-polygon;
        or a counted table with ``area_code`` and ``count`` columns (from
        :func:`hotspots.read_met_crime`), joined by area code.
    areas : GeoDataFrame
        Any :mod:`boundaries` layer or your own polygons, indexed by area code.
        Not modified.
    by : {None, "month"}
        Deprecated: ``"month"`` returns the per-month table (areas x months)
        instead, with a ``DeprecationWarning``; use
        :func:`hotspots.aggregate_monthly`, which always returns that table.
    crime_types : str or list of str, optional
        Count only these categories (case- and spacing-insensitive; police.uk
        crime types for points, Met major or minor categories for Met tables).
    population : str or Series, optional
        Residents per area: a column of ``areas`` or a Series indexed by area
        code. By default the Census 2021 population of a shipped layer, found
        when the areas' codes all belong to one (:func:`boundaries.population`).
        Any other denominator works the same way: residents of an age range
        (``boundaries.population("wards", ages=(10, 24))``), a workday
        population, footfall; say what it counts with ``denominator``.
    tolerance : float, default 20.0
        Metres. How far from an area's boundary a point's own area code
        (``lsoa_code``, as police.uk assigns it) is trusted over the geometry;
        see Notes. 20 m is the generalisation tolerance of the shipped ONS
        layers; ``0`` uses the geometry alone.
    denominator : str, optional
        What ``population`` counts, in words, for labels ("rate per 1,000
        <denominator>"): e.g. ``"workday population"``. Default: the
        ``denominator`` a :func:`boundaries.population` Series carries
        (``"residents aged 10 to 24"``), else ``"residents"``. Recorded in
        ``attrs["hotspots"]["denominator"]`` when there is a population.

    Returns
    -------
    GeoDataFrame or DataFrame
        With ``by=None``: a copy of ``areas`` (same index and order) with
        ``count`` (float; NaN where the source does not cover the area),
        ``covered`` (bool), and ``population`` and ``rate`` (per 1,000 of
        the denominator, over the whole period: not annualised) when the
        population is known, and ``pseudo_area`` (bool)
        when the data has the Met's ``pseudo_borough`` flag: True for an area
        holding rows of the Met's airport-security pseudo-boroughs (Heathrow
        Villages), which rankings should leave out. Coverage is decided month
        by month: an area is covered for the period only if it is covered in
        every month the source has data for (a City of London Police file for
        one of three months leaves the City as no data). With ``by="month"``: a
        DataFrame indexed like ``areas`` with one column per month (a
        ``PeriodIndex`` named ``month``, every month from the first to the last),
        zero where covered and nothing happened, NaN where not covered; a month
        with no rows at all in the source (deleted from a Met table) is NaN in
        every area, never zero, and noted. For
        police.uk points coverage is decided month by month from the forces
        that published that month (a City of London Police file for one month
        does not make the City a zero in the others).
        ``attrs["hotspots"]`` holds source, period, crime_type and level;
        ``attrs["report"]`` a :class:`hotspots.LoadReport` accounting for every
        incident: counted, or dropped as ``"crime type filtered out"``,
        ``"outside all areas"``, ``"in an area the source does not cover"`` or
        ``"area code not in areas"``.

    Raises
    ------
    hotspots.InputError
        For bad arguments, negative or fractional counts, a text population,
        an unknown crime category (the data's own categories are listed; any
        category present in the data is valid), or a counted table none of
        whose codes is among the areas even after rolling up.

    Notes
    -----
    A counted table whose codes are of a finer shipped layer than ``areas``
    (ward or LSOA codes on boroughs, LSOA codes on MSOAs) is rolled up through
    the shipped lookups, as :func:`hotspots.roll_up` does; the report notes it.

    Coverage follows the police forces behind the data (the ``force`` column of
    incident points, else the provenance in ``attrs``). The Metropolitan Police
    covers every area outside the City of London; the City of London Police
    covers the City (``E09000001`` and the areas inside it). Met tables and
    police.uk files therefore leave the City as NaN unless City of London Police
    data are included. Data from no known force (your own points) cover every
    area; a counted table from an unknown source covers the areas it names.

    Points are placed by point-in-polygon, with one tie-break. police.uk snaps
    each incident to an anonymous map point on a street centre line, often
    exactly on an LSOA boundary, and assigns its ``lsoa_code`` with
    full-resolution boundaries, whereas the shipped layers are generalised to
    20 m. So when a point carries an ``lsoa_code`` naming one of ``areas``, that
    area lies within ``tolerance`` metres of the point, and the point is in
    another area (or in none), the point is counted in the named area: it sits
    in the band where generalised boundaries cannot decide. Farther than
    ``tolerance`` from the named area, geometry wins, whatever the record says.
    Areas of another kind (wards, boroughs, MSOAs) never match an LSOA code, so
    for them placement is point-in-polygon only. The report notes how many
    points the tie-break placed. A point left exactly on the line between two
    areas is counted once, in the area that comes first in ``areas``; the
    report notes how many there were.

    Examples
    --------
    >>> import boundaries, hotspots
    >>> crime = hotspots.read_met_crime(hotspots.sample_path("mps-ward-crime"))
    >>> wards = hotspots.aggregate(crime, boundaries.load("wards"), crime_types="burglary")
    >>> int(wards["count"].isna().sum()), bool(wards.loc["E09000001", "covered"])
    (1, False)
    >>> sorted(wards.columns.drop(["name", "borough_code", "borough_name", "geometry"]))
    ['count', 'covered', 'population', 'pseudo_area', 'rate']
    >>> wards.index[wards["pseudo_area"]].tolist()  # holds the Met's airport-security rows
    ['E05013570']

    A ward table counted on boroughs is rolled up through the shipped lookup:

    >>> boroughs = hotspots.aggregate(crime, boundaries.load("boroughs"))
    >>> int(boroughs["count"].sum()) == int(crime["count"].sum())
    True

    Incident points to LSOAs, police.uk's own codes settling points on a boundary:

    >>> burglary = hotspots.read_police_uk(hotspots.sample_path("police-uk-burglary"),
    ...                                    crime_types="burglary", months="2024-12")
    >>> lsoa = hotspots.aggregate(burglary, boundaries.load("lsoa"))
    >>> bool(lsoa["count"].sum() == lsoa.attrs["report"].rows_kept)
    True
    >>> lsoa.attrs["report"].notes[0].startswith("boundary tie-break")
    True
    """
    if by not in (None, "month"):
        raise InputError("by must be None or 'month'", column="by", value=by)
    if by is not None and not isinstance(by, _Monthly):
        warnings.warn(
            "aggregate(by='month') is deprecated and will be removed: use "
            "hotspots.aggregate_monthly(data, areas), which always returns the monthly table",
            DeprecationWarning,
            stacklevel=2,
        )
    if not isinstance(areas, gpd.GeoDataFrame):
        raise InputError("areas must be a GeoDataFrame of polygons indexed by area code")
    if not areas.index.is_unique:
        raise InputError("areas index (area codes) has duplicates")
    is_points = isinstance(data, gpd.GeoDataFrame)
    if not is_points and not {"area_code", "count"} <= set(data.columns):
        raise InputError(
            "data must be incident points (a GeoDataFrame) or a counted table with "
            "'area_code' and 'count' columns"
        )
    if by == "month" and "month" not in data.columns:
        raise InputError("by='month' needs a 'month' column in data", column="month")
    # before filtering: a force with no rows of a type still covers its areas
    forces = _forces(data)
    monthly_forces = _monthly_forces(data)
    all_months = _source_months(data)
    n_before = len(data)
    incidents_before = None if is_points else _incidents(data)
    data, type_text = _filter_types(data, crime_types, is_points)
    layer = shipped_layer(areas)

    if is_points:
        position, report = _locate_points(data, areas, _checked_tolerance(tolerance))
        weights = np.ones(len(data))
        covered = _covered(areas, forces, present=None)
    else:
        position, report = _locate_codes(data, areas, layer)
        weights = data["count"].to_numpy(dtype=float, na_value=0.0)
        covered = _covered(areas, forces, present=_present_codes(data, areas, layer))
    if crime_types is not None:
        if incidents_before is None:  # incident points: rows filtered out
            filtered: float = n_before - len(data)
        else:
            filtered = incidents_before - _incidents(data)
        report = _with_filtered(report, filtered)
    located = position >= 0
    notes = []
    if "month" in data.columns and all_months is not None and len(all_months):
        months, column = _month_columns(data["month"], located, all_months)
        coverage = _monthly_coverage(areas, covered, monthly_forces, months)
        empty = ~months.isin(all_months)
        coverage[:, empty] = False
        if empty.any():
            notes.append(
                "months with no data in the source (left as no data, never zero): "
                + ", ".join(str(m) for m in months[empty])
            )
        whole_period = coverage[:, ~empty].all(axis=1)
        partly = covered & ~whole_period
        if by is None and partly.any():
            notes.append(
                f"{int(partly.sum())} areas not covered in every month from {months[0]} to "
                f"{months[-1]} (e.g. {areas.index[partly][0]}): no data for the whole period"
            )
        row_covered = coverage[np.where(located, position, 0), column]
        if by is None:
            covered = covered & whole_period
            row_covered = covered[np.where(located, position, 0)]
    else:
        months = pd.PeriodIndex([], freq="M", name="month")
        column = np.zeros(len(data), dtype=np.int64)
        coverage = np.zeros((len(areas), 0), dtype=bool)
        row_covered = covered[np.where(located, position, 0)]
    position, report = _drop_uncovered(position, weights, located & ~row_covered, report)
    if notes:
        report = _with_notes(report, notes)

    attrs = _provenance(data, layer, type_text)
    pseudo = _pseudo_areas(data, areas, position)
    if pseudo is not None:
        attrs["pseudo_areas"] = areas.index[pseudo].tolist()
    if by == "month":
        table = _by_month(areas, position, column, weights, coverage, months)
        table.attrs = {"hotspots": attrs, "report": report}
        log_report(report)
        return table

    counts = np.bincount(position[position >= 0], weights[position >= 0], minlength=len(areas))
    result = areas.copy()
    result["count"] = np.where(covered, counts, np.nan)
    pop = _population(areas, population, layer)
    if pop is not None:
        result["population"] = pop.to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = result["count"].to_numpy() / result["population"].to_numpy() * 1000
        result["rate"] = np.where(result["population"].to_numpy() > 0, rate, np.nan)
        attrs["denominator"] = _denominator(population, denominator)
    result["covered"] = covered
    if pseudo is not None:
        result[PSEUDO_AREA] = pseudo
    result.attrs = {"hotspots": attrs, "report": report}
    log_report(report)
    return result


def _incidents(table: pd.DataFrame) -> float:
    return float(table["count"].to_numpy(dtype=float, na_value=0.0).sum())


def _source_months(data: pd.DataFrame) -> pd.PeriodIndex | None:
    """The months with rows in the data, before the crime-type filter.

    A Met table has a row for every area, category and month it holds, and a
    police.uk download rows for every month a force published: a month with no
    row at all is missing from the source (a selection of months by the caller
    narrows the range, it does not make gaps).
    """
    if "month" not in data.columns:
        return None
    try:
        return pd.PeriodIndex(pd.PeriodIndex(data["month"].dropna(), freq="M").unique())
    except (ValueError, TypeError):
        raise InputError("month values must be months like '2024-12'", column="month") from None


def _with_filtered(report: LoadReport, filtered: float) -> LoadReport:
    """The report with the rows (or incidents) the crime-type filter removed."""
    filtered = round(filtered)
    if not filtered:
        return report
    return LoadReport(
        report.source,
        rows_read=report.rows_read + filtered,
        rows_kept=report.rows_kept,
        dropped={FILTERED: filtered, **report.dropped},
        notes=report.notes,
        unit=report.unit,
    )


def _with_notes(report: LoadReport, notes: list[str]) -> LoadReport:
    return LoadReport(
        report.source,
        rows_read=report.rows_read,
        rows_kept=report.rows_kept,
        dropped=report.dropped,
        notes=(*report.notes, *notes),
        unit=report.unit,
    )


def _pseudo_areas(
    data: pd.DataFrame, areas: gpd.GeoDataFrame, position: np.ndarray
) -> np.ndarray | None:
    """Areas that received rows of the Met's pseudo-boroughs (airport security)."""
    if "pseudo_borough" not in data.columns:
        return None
    flag = data["pseudo_borough"].fillna(False).to_numpy(dtype=bool) & (position >= 0)
    pseudo = np.zeros(len(areas), dtype=bool)
    pseudo[position[flag]] = True
    return pseudo


def _filter_types(
    data: pd.DataFrame, crime_types: str | Iterable[str] | None, is_points: bool
) -> tuple[pd.DataFrame, str | None]:
    if crime_types is None:
        return data, None
    if is_points:
        if "crime_type" not in data.columns:
            raise InputError("crime_types needs a 'crime_type' column in data", column="crime_type")
        present = data["crime_type"].drop_duplicates()
        mask = category_mask(
            data["crime_type"], resolve_categories(crime_types, "police.uk", present=present)
        )
    else:
        if not {"major_category", "minor_category"} <= set(data.columns):
            raise InputError(
                "crime_types needs 'major_category' and 'minor_category' columns in data",
                column="major_category",
            )
        present = pd.concat(
            [data["major_category"].drop_duplicates(), data["minor_category"].drop_duplicates()]
        )
        keys = resolve_categories(crime_types, "met", present=present)
        mask = category_mask(data["major_category"], keys) | category_mask(
            data["minor_category"], keys
        )
    names = [crime_types] if isinstance(crime_types, str) else list(crime_types)
    filtered = data[mask]
    filtered.attrs = data.attrs
    return filtered, ", ".join(names)


def _locate_points(
    points: gpd.GeoDataFrame, areas: gpd.GeoDataFrame, tolerance: float
) -> tuple[np.ndarray, LoadReport]:
    """Position in ``areas`` of each point (-1 outside all), one query per distinct location."""
    if points.crs is None or areas.crs is None:
        raise InputError("points and areas need a coordinate reference system (crs)")
    if areas.crs.is_geographic:  # distances in metres: locate on the British National Grid
        areas = areas.to_crs(27700)
    if points.crs != areas.crs:
        points = points.to_crs(areas.crs)
    geoms = points.geometry.to_numpy()
    if len(geoms) and not (shapely.get_type_id(geoms) == 0).all():
        raise InputError("data geometry must be points", column="geometry")
    xy = shapely.get_coordinates(geoms)
    codes, uniques = pd.factorize(xy[:, 0] + 1j * xy[:, 1])
    locations = shapely.points(uniques.real, uniques.imag)
    polygons = areas.geometry.to_numpy()
    hit_point, hit_area = shapely.STRtree(polygons).query(locations, predicate="intersects")
    first = np.full(len(uniques), len(areas), dtype=np.int64)
    np.minimum.at(first, hit_point, hit_area)
    first[first == len(areas)] = -1
    position = first[codes]
    on_line = np.bincount(hit_point, minlength=len(uniques))[codes] > 1

    notes = []
    if tolerance > 0 and SOURCE_CODE in points.columns:
        named = _named_positions(points[SOURCE_CODE], areas.index)
        near = _near_named(codes, named, position, locations, polygons, tolerance)
        if near.any():
            position = np.where(near, named, position)
            on_line &= ~near
            notes.append(
                f"boundary tie-break: {int(near.sum()):,} points in another area (or none) by "
                f"point-in-polygon but within {tolerance:g} m of the area their {SOURCE_CODE} "
                "names, counted in the named area"
            )
    if on_line.any():
        notes.append(
            f"{int(on_line.sum()):,} points on a boundary between areas, each counted in the "
            "first area"
        )
    outside = position < 0
    report = LoadReport(
        _name(points),
        rows_read=len(points),
        rows_kept=int((~outside).sum()),
        dropped={NOT_IN_AREAS: int(outside.sum())},
        notes=tuple(notes),
    )
    return position, report


def _named_positions(names: pd.Series, index: pd.Index) -> np.ndarray:
    """Position in ``index`` of each row's own area code (-1 when missing or not there)."""
    codes, uniques = pd.factorize(names)
    found = np.append(index.get_indexer(uniques.astype("str")), -1)
    return found[codes]  # code -1 (missing) picks the appended -1


def _near_named(
    codes: np.ndarray,
    named: np.ndarray,
    position: np.ndarray,
    locations: np.ndarray,
    polygons: np.ndarray,
    tolerance: float,
) -> np.ndarray:
    """Rows whose named area differs from the geometric one but lies within ``tolerance``.

    Each distinct (location, named area) pair is measured once.
    """
    differs = (named >= 0) & (named != position)
    pairs, pair_of_row = np.unique(
        codes[differs] * len(polygons) + named[differs], return_inverse=True
    )
    close = shapely.dwithin(
        locations[pairs // len(polygons)], polygons[pairs % len(polygons)], tolerance
    )
    near = np.zeros(len(codes), dtype=bool)
    near[differs] = close[pair_of_row]
    return near


def _checked_tolerance(tolerance: object) -> float:
    if (
        isinstance(tolerance, bool)
        or not isinstance(tolerance, (int, float, np.integer, np.floating))
        or not np.isfinite(tolerance)
        or tolerance < 0
    ):
        raise InputError(
            "tolerance must be a number of metres, 0 or more", column="tolerance", value=tolerance
        )
    return float(tolerance)


def _rolled_codes(table: pd.DataFrame, areas: gpd.GeoDataFrame, layer: str | None) -> pd.Series:
    """Each row's area code, or the code of the area of ``areas`` that holds it.

    Codes of finer shipped areas (wards or LSOAs in boroughs, LSOAs in MSOAs)
    are rolled up through the shipped lookups when ``areas`` is a shipped layer.
    """
    codes = table["area_code"].astype("str").where(table["area_code"].notna(), None)
    if layer not in ("msoa", "boroughs"):
        return codes
    outside = ~codes.isin(areas.index) & codes.notna()
    if not outside.any():
        return codes
    unique = pd.Index(codes[outside].unique())
    parents = parent_codes(unique, layer)
    lookup = {c: p for c, p in zip(unique, parents.to_numpy(), strict=True) if isinstance(p, str)}
    return codes.astype(object).map(lambda c: lookup.get(c, c))


def _present_codes(table: pd.DataFrame, areas: gpd.GeoDataFrame, layer: str | None) -> pd.Series:
    return _rolled_codes(table, areas, layer)


def _locate_codes(
    table: pd.DataFrame, areas: gpd.GeoDataFrame, layer: str | None
) -> tuple[np.ndarray, LoadReport]:
    """Position in ``areas`` of each row's area code (-1 when not there); counts incidents."""
    rolled = _rolled_codes(table, areas, layer)
    position = areas.index.get_indexer(rolled)
    counts = table["count"].to_numpy(dtype=float, na_value=0.0)
    if (counts < 0).any():
        raise InputError("counts must not be negative", column="count")
    whole = np.isfinite(counts) & (counts == np.floor(counts))
    if not whole.all():
        row = int(np.flatnonzero(~whole)[0])
        raise InputError(
            "counts must be whole numbers of incidents",
            column="count",
            value=f"{table['area_code'].iloc[row]}: {counts[row]}",
        )
    missing = position < 0
    if len(table) and missing.all():
        example = table["area_code"].dropna().astype("str")
        example = example.iloc[0] if len(example) else "(none)"
        raise InputError(
            f"none of the area codes of the data are among the areas ({layer or 'custom areas'}); "
            "codes roll up only to coarser shipped layers they nest in (wards and LSOAs to "
            "boroughs, LSOAs to MSOAs; see hotspots.roll_up)",
            column="area_code",
            value=example,
        )
    notes = []
    changed = (rolled != table["area_code"].astype("str")) & rolled.notna() & ~missing
    if changed.any():
        notes.append(
            f"rolled up {table.loc[changed, 'area_code'].nunique():,} area codes to {layer} "
            "through the shipped lookup (see hotspots.roll_up)"
        )
    if missing.any():
        unknown = table.loc[missing, "area_code"].fillna("(none)")
        names = table.loc[missing, "area_name"] if "area_name" in table else unknown
        examples = sorted(set(zip(unknown, names, strict=True)))[:5]
        notes.append(
            f"{unknown.nunique()} area codes not in areas, e.g. "
            + "; ".join(f"{c} {n}" for c, n in examples)
        )
    blank = int(table["count"].isna().sum())
    if blank:
        notes.append(f"{blank:,} rows with a missing count (counted as nothing)")
    total = int(counts.sum())
    lost = int(counts[missing].sum())
    report = LoadReport(
        _name(table),
        rows_read=total,
        rows_kept=total - lost,
        dropped={UNKNOWN_CODE: lost},
        notes=tuple(notes),
        unit="incidents",
    )
    return position, report


def _drop_uncovered(
    position: np.ndarray, weights: np.ndarray, uncovered: np.ndarray, report: LoadReport
) -> tuple[np.ndarray, LoadReport]:
    """Incidents in areas (or months) the source does not cover are not counted, but reported."""
    if not uncovered.any():
        return position, report
    lost = int(weights[uncovered].sum())
    position = np.where(uncovered, -1, position)
    dropped = {**report.dropped, NOT_COVERED: report.dropped.get(NOT_COVERED, 0) + lost}
    report = LoadReport(
        report.source,
        rows_read=report.rows_read,
        rows_kept=report.rows_kept - lost,
        dropped=dropped,
        notes=report.notes,
        unit=report.unit,
    )
    return position, report


def _forces(data: pd.DataFrame) -> list[str] | None:
    """The forces behind ``data``: its ``force`` column, else its provenance, else unknown.

    The column comes first because it survives subsetting (``points[points["force"]
    == ...]``) whereas ``attrs`` are copied unchanged.
    """
    if "force" in data.columns:
        return data["force"].dropna().unique().tolist()
    return data.attrs.get("hotspots", {}).get("forces")


def _monthly_forces(data: pd.DataFrame) -> dict[pd.Period, list[str]] | None:
    """The forces with rows in each month, when the data says which force each row is from.

    A police.uk download covers an area in a month only if the force policing it
    published that month: the City of London Police's file for one month does not
    make the City a real zero in the others.
    """
    if "force" not in data.columns or "month" not in data.columns or data.empty:
        return None
    pairs = pd.DataFrame(
        {"month": pd.PeriodIndex(data["month"], freq="M"), "force": data["force"]}
    ).dropna()
    return pairs.groupby("month", observed=True)["force"].unique().map(list).to_dict()


def _covered(
    areas: gpd.GeoDataFrame, forces: list[str] | None, present: pd.Series | None
) -> np.ndarray:
    if forces is None:
        if present is None:
            return np.ones(len(areas), dtype=bool)
        return areas.index.isin(present.dropna())
    city = _in_city(areas)
    covered = np.zeros(len(areas), dtype=bool)
    if MET_FORCE in forces:
        covered |= ~city
    if CITY_POLICE in forces:
        covered |= city
    return covered


def _in_city(areas: gpd.GeoDataFrame) -> np.ndarray:
    """Which areas lie in the City of London (by code when known, else by location)."""
    if "borough_code" in areas.columns:
        return (areas.index == CITY_OF_LONDON) | (
            areas["borough_code"] == CITY_OF_LONDON
        ).to_numpy()
    if areas.index.astype("str").str.startswith("E09").all():  # any index: custom ids too
        return np.asarray(areas.index == CITY_OF_LONDON)
    inside = areas.to_crs(27700).geometry.representative_point().to_numpy()
    return shapely.contains(city_of_london(), inside)


def _month_columns(
    month: pd.Series, located: np.ndarray, source_months: pd.PeriodIndex
) -> tuple[pd.PeriodIndex, np.ndarray]:
    """Every month from the source's first to its last, and each row's column."""
    month = pd.PeriodIndex(month, freq="M")
    months = pd.period_range(source_months.min(), source_months.max(), freq="M")
    months.name = "month"
    return months, np.maximum(months.get_indexer(month), 0)


def _monthly_coverage(
    areas: gpd.GeoDataFrame,
    covered: np.ndarray,
    monthly_forces: dict[pd.Period, list[str]] | None,
    months: pd.PeriodIndex,
) -> np.ndarray:
    """Which areas the source covers in each month (areas x months, bool)."""
    coverage = np.repeat(covered[:, None], len(months), axis=1)
    if monthly_forces is not None:
        for j, period in enumerate(months):
            coverage[:, j] &= _covered(areas, monthly_forces.get(period, []), None)
    return coverage


def _by_month(
    areas: gpd.GeoDataFrame,
    position: np.ndarray,
    column: np.ndarray,
    weights: np.ndarray,
    coverage: np.ndarray,
    months: pd.PeriodIndex,
) -> pd.DataFrame:
    """Counts per area and month; NaN where the source does not cover the area that month."""
    kept = position >= 0
    flat = np.bincount(
        position[kept] * len(months) + column[kept],
        weights[kept],
        minlength=len(areas) * len(months),
    )
    table = flat.reshape(len(areas), len(months))
    table[~coverage] = np.nan
    return pd.DataFrame(table, index=areas.index.copy(), columns=months)


def _population(
    areas: gpd.GeoDataFrame, population: str | pd.Series | None, layer: str | None
) -> pd.Series | None:
    if isinstance(population, str):
        if population not in areas.columns:
            raise InputError("no such column in areas", column=population)
        values = areas[population]
        numbers = pd.to_numeric(values, errors="coerce")
        bad = numbers.isna() & values.notna() & (values.astype("str").str.strip() != "")
        if bad.any():
            raise InputError(
                "population must be a number of residents (leave it blank for unknown)",
                column=population,
                value=f"{areas.index[bad.to_numpy()][0]}: {values[bad].iloc[0]}",
            )
        return numbers
    if isinstance(population, pd.Series):
        return population.reindex(areas.index)
    if population is not None:
        raise InputError("population must be a column name or a Series indexed by area code")
    if layer is None:
        return None
    try:
        return boundaries.population(layer).reindex(areas.index)
    except ValueError:  # a shipped layer without population (wards-2018)
        return None


def _denominator(population: object, denominator: str | None) -> str:
    """What the population counts, in words (for "per 1,000 ..." labels)."""
    from hotspots._vocabulary import RESIDENTS

    if denominator is not None:
        if not isinstance(denominator, str) or not denominator.strip():
            raise InputError("denominator must be a non-empty text", value=denominator)
        return denominator.strip()
    if isinstance(population, pd.Series):
        return population.attrs.get("boundaries", {}).get("denominator", RESIDENTS)
    return RESIDENTS


def shipped_layer(areas: gpd.GeoDataFrame) -> str | None:
    """The shipped layer whose codes include every area of ``areas``, if any."""
    for layer in boundaries.layers()["layer"]:
        codes = boundaries._codes(layer)  # read once per process, geometries not loaded
        # get_indexer on the unique codes: a hash lookup (isin on arrow strings loops in Python)
        if len(areas) <= len(codes) and (codes.get_indexer(areas.index) >= 0).all():
            return layer
    return None


def _provenance(data: pd.DataFrame, layer: str | None, type_text: str | None) -> dict[str, object]:
    given = data.attrs.get("hotspots", {})
    if "month" in data.columns and len(data):
        months = pd.PeriodIndex(data["month"], freq="M")
        first, last = months.min(), months.max()
        period = str(first) if first == last else f"{first} to {last}"
    else:
        period = given.get("period", "unknown")
    return {
        "source": given.get("source", "unknown"),
        "period": period,
        "crime_type": type_text or given.get("crime_type", "all crime types"),
        "level": layer or "custom areas",
    }


def _name(data: pd.DataFrame) -> str:
    report = data.attrs.get("report")
    return report.source if isinstance(report, LoadReport) else "data"
