"""Turn the command line's input files into crime data and areas, whatever their format.

An input is a data.police.uk street-level file, folder or zip archive; a Met
(London Datastore) ward or borough table; or any CSV with either coordinate
columns or an area-code column. Which one is decided from the file itself (the
header of a CSV), so the user never has to say.
"""

from __future__ import annotations

import csv
import gzip
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
from pyogrio.errors import DataLayerError, DataSourceError

import hotspots
from hotspots import InputError
from hotspots._vocabulary import MET
from hotspots.io._csvlines import damaged_text, first_line, split_records

POLICE_UK = "police.uk"
TABLE = "table"
SAMPLE_PREFIX = "sample:"
# columns that identify a file's kind from its header
_POLICE_UK_HEADER = ("Crime type", "Longitude", "Latitude", "Month")
_MET_HEADER = ("MajorText", "MinorText")


@dataclass(frozen=True)
class TableColumns:
    """How to read a CSV that is neither police.uk nor a Met table.

    Either ``x`` and ``y`` (one incident per row at those coordinates, in
    ``crs``) or ``code`` (one incident per row in that area, or ``count``
    incidents when a count column is named). ``month`` names an optional
    column of months (``YYYY-MM``).
    """

    x: str | None = None
    y: str | None = None
    crs: str = "EPSG:4326"
    code: str | None = None
    count: str | None = None
    month: str | None = None


def resolve_path(text: str) -> Path:
    """The path of an input: a file or folder, or ``sample:NAME`` for a shipped sample."""
    if text.startswith(SAMPLE_PREFIX):
        return hotspots.sample_path(text.removeprefix(SAMPLE_PREFIX))
    path = Path(text)
    if not path.exists():
        raise InputError("no such file or folder", file=path)
    return path


def input_kind(path: Path) -> str:
    """``"police.uk"``, ``"met"`` or ``"table"``, from a folder, an archive or a CSV header."""
    if path.is_dir() or path.suffix.lower() == ".zip" or zipfile.is_zipfile(path):
        return POLICE_UK
    header = _header(path)
    folded = {column.casefold() for column in header}
    if all(column.casefold() in folded for column in _POLICE_UK_HEADER):
        return POLICE_UK  # the reader names columns in another case
    if all(column in header for column in _MET_HEADER):
        return MET
    return TABLE


def read_crime(paths: Sequence[Path], kind: str, columns: TableColumns) -> pd.DataFrame:
    """Read every input (all of one kind) into one table of points or of counts per area."""
    if kind == POLICE_UK:
        return hotspots.read_police_uk(list(paths))
    if kind == MET:
        return _read_met(paths)
    return _read_table(paths, columns)


def read_areas(path: str, *, id_column: str, name_column: str | None = None) -> gpd.GeoDataFrame:
    """The user's own polygons, indexed by ``id_column``, in British National Grid.

    The result has a ``name`` column (``name_column``, or the id itself) and
    ``attrs["boundaries"]["layer"]`` set to the file name.
    """
    file = resolve_path(path)
    try:
        areas = gpd.read_file(file)
    except (DataSourceError, DataLayerError) as error:
        raise InputError(f"cannot read as a polygon file: {error}", file=file) from None
    if not isinstance(areas, gpd.GeoDataFrame) or "geometry" not in areas.columns:
        raise InputError(
            "no geometry: --areas needs a polygon file (GeoPackage, GeoJSON, shapefile), "
            "not a plain table",
            file=file,
        )
    kinds = set(areas.geometry.dropna().geom_type.unique())
    if kinds - {"Polygon", "MultiPolygon"}:
        raise InputError(f"areas must be polygons, found {', '.join(sorted(kinds))}", file=file)
    for column in (id_column, name_column):
        if column is not None and column not in areas.columns:
            raise InputError(
                f"no such column; columns are {[c for c in areas.columns if c != 'geometry']}",
                file=file,
                column=column,
            )
    if areas.crs is None:
        raise InputError(
            "the file has no coordinate reference system (a .prj file or CRS metadata)", file=file
        )
    codes = areas[id_column].astype("str").str.strip()
    if codes.duplicated().any():
        raise InputError(
            "area ids must be unique",
            file=file,
            column=id_column,
            value=codes[codes.duplicated()].iloc[0],
        )
    names = areas[name_column].astype("str") if name_column else codes
    result = gpd.GeoDataFrame(
        {"name": names.to_numpy()},
        geometry=areas.geometry.to_numpy(),
        index=pd.Index(codes.to_numpy(), name="code"),
        crs=areas.crs,
    )
    extra = [c for c in areas.columns if c not in (id_column, name_column, "geometry")]
    for column in extra:
        result[column] = areas[column].to_numpy()
    if result.crs.is_geographic:
        x0, y0, x1, y1 = result.total_bounds
        if not (-180 <= x0 <= x1 <= 180 and -90 <= y0 <= y1 <= 90):
            raise InputError(
                f"the file says longitude/latitude ({result.crs.name}) but its coordinates "
                f"reach {x1:,.0f}, {y1:,.0f}: they look like metres; fix the file's CRS",
                file=file,
            )
    if result.crs.to_epsg() != 27700:  # distances on the ground, in metres
        result = result.to_crs(27700)
    x0, y0, x1, y1 = result.total_bounds
    if x1 < 480_000 or x0 > 580_000 or y1 < 140_000 or y0 > 220_000:
        raise InputError(
            "the areas are not in London (after reprojection to British National Grid, "
            f"bounds {x0:,.0f}, {y0:,.0f} to {x1:,.0f}, {y1:,.0f}): check the file's CRS",
            file=file,
        )
    result.attrs["boundaries"] = {"layer": file.name}
    return result


_SNIFF = 65_536  # bytes read to recognise a file: a header is never longer


def _header(path: Path) -> list[str]:
    """The header's column names, from the first 64 KiB at most."""
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as handle:
            start = handle.read(_SNIFF)
    except (OSError, EOFError) as error:
        raise InputError(
            f"cannot read the file (corrupt or truncated?): {error}", file=path
        ) from None
    if not start.strip():
        raise InputError("empty file (no header, no rows)", file=path)
    if start[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise InputError("text is UTF-16; re-save it as UTF-8", file=path)
    if b"\x00" in start:
        raise InputError("not a text (CSV) file: it holds binary data", file=path)
    if b"\n" not in start and len(start) == _SNIFF:
        raise InputError(f"no line break in the first {_SNIFF:,} bytes: not a CSV file", file=path)
    line = start.split(b"\n", 1)[0].decode("utf-8-sig", errors="replace")
    return [column.strip().strip('"') for column in line.rstrip("\r").split(",")]


def _read_met(paths: Sequence[Path]) -> pd.DataFrame:
    """One Met table, or several of one level covering different months."""
    tables = [hotspots.read_met_crime(path) for path in paths]
    if len(tables) == 1:
        return tables[0]
    levels = {table.attrs["level"] for table in tables}
    if len(levels) > 1:
        raise InputError("the Met tables mix ward and borough tables: give one level at a time")
    seen: dict[pd.Period, Path] = {}
    for path, table in zip(paths, tables, strict=True):
        for month in table["month"].unique():
            if month in seen:
                raise InputError(
                    f"month {month} is in both {seen[month].name} and {path.name}: "
                    "it would be counted twice",
                    file=path,
                )
            seen[month] = path
    combined = pd.concat(tables, ignore_index=True)
    first = tables[0].attrs["hotspots"]
    months = combined["month"]
    combined.attrs = {
        "level": tables[0].attrs["level"],
        "hotspots": {
            **first,
            "source": "; ".join(table.attrs["hotspots"]["source"] for table in tables),
            "period": f"{months.min()} to {months.max()}",
        },
        "reports": [table.attrs["report"] for table in tables],
    }
    return combined


def _read_table(paths: Sequence[Path], columns: TableColumns) -> pd.DataFrame:
    """A CSV of incidents with coordinates, or of incidents (or counts) per area code."""
    if columns.code is None and (columns.x is None or columns.y is None):
        names = ", ".join(path.name for path in paths)
        raise InputError(
            f"{names} is neither a police.uk file nor a Met table: say where the incidents are, "
            "with --x and --y (coordinate columns) or --code-column (area codes)"
        )
    frames = []
    for path in paths:
        _check_records(path)
        try:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError) as error:
            raise InputError(f"cannot read as a CSV table: {error}", file=path) from None
        wanted = [columns.x, columns.y, columns.code, columns.count, columns.month]
        for column in filter(None, wanted):
            if column not in frame.columns:
                raise InputError(
                    f"no such column; columns are {list(frame.columns)}", file=path, column=column
                )
        if columns.month is not None:
            frame[columns.month] = _months(frame[columns.month], path, columns.month)
        frames.append(frame)
    table = pd.concat(frames, ignore_index=True)
    source = ", ".join(path.name for path in paths)
    if columns.code is None:
        assert columns.x is not None and columns.y is not None  # checked above
        points = hotspots.points_from_frame(table, x=columns.x, y=columns.y, crs=columns.crs)
        if columns.month is not None:
            points = points.rename(columns={columns.month: "month"})
        points.attrs["hotspots"] = {"source": source}
        return points
    counts = pd.DataFrame({"area_code": table[columns.code].str.strip()})
    if columns.count is None:
        counts["count"] = 1
    else:
        counts["count"] = _whole_numbers(table[columns.count], paths, columns.count)
    if columns.month is not None:
        counts["month"] = table[columns.month].to_numpy()
    counts.attrs["hotspots"] = {"source": source}
    return counts


def _check_records(path: Path) -> None:
    """Every physical line of a plain CSV must be one row: a stray quote is named."""
    if path.suffix == ".gz":
        return
    data = path.read_bytes()
    header = first_line(data, path).decode("utf-8-sig", errors="replace").rstrip("\r")
    try:
        fields = len(next(csv.reader([header]), []))
    except csv.Error as error:
        raise InputError(f"cannot read the header line: {error}", file=path) from None
    records = split_records(data, fields)
    if records.damaged:
        line, start = records.damaged[0]
        raise InputError(damaged_text(start), file=path, row=line)


def _months(values: pd.Series, path: Path, column: str) -> pd.Series:
    text = values.str.strip()
    parsed = pd.to_datetime(text, format="%Y-%m", errors="coerce")
    bad = parsed.isna()
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        raise InputError(
            "a month must be written YYYY-MM", file=path, row=row + 2, column=column,
            value=values.iloc[row],
        )  # fmt: skip
    return parsed.dt.to_period("M")


def _whole_numbers(values: pd.Series, paths: Sequence[Path], column: str) -> pd.Series:
    numbers = pd.to_numeric(values.str.strip(), errors="coerce")
    bad = numbers.isna() | (numbers < 0) | (numbers != numbers.round())
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        raise InputError(
            "a count must be a whole number, 0 or more",
            file=paths[0] if len(paths) == 1 else None,
            row=row + 2 if len(paths) == 1 else None,
            column=column,
            value=values.iloc[row],
        )
    return numbers.astype(float)
