"""Read data.police.uk street-level crime files into London incident points."""

from __future__ import annotations

import csv
import gzip
import os
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from hotspots._errors import InputError
from hotspots.io._categories import (
    POLICE_UK_CRIME_TYPES,
    category_key,
    category_mask,
    resolve_categories,
)
from hotspots.io._csvlines import damaged_text, first_line, split_records
from hotspots.io._points import RowLedger, distinct_points, project_lonlat
from hotspots.io._report import log_report

# police.uk column -> tidy column. The first ten are required; the last two are
# left out of some police.uk downloads (street files without outcomes, old archives).
COLUMNS: dict[str, str] = {
    "Crime ID": "crime_id",
    "Month": "month",
    "Reported by": "force",
    "Falls within": "falls_within",
    "Longitude": "longitude",
    "Latitude": "latitude",
    "Location": "location",
    "LSOA code": "lsoa_code",
    "LSOA name": "lsoa_name",
    "Crime type": "crime_type",
    "Last outcome category": "outcome",
    "Context": "context",
}
OPTIONAL = ("Last outcome category", "Context")
REQUIRED = tuple(c for c in COLUMNS if c not in OPTIONAL)
OUTPUT = (
    "crime_id",
    "month",
    "crime_type",
    "lsoa_code",
    "lsoa_name",
    "force",
    "falls_within",
    "location",
    "outcome",
    "context",
)
STREET_SUFFIX = "-street.csv"
REPEATED_NO_ID = "duplicate row without crime id (month and force already read from another file)"
# Every column is read as text: the crime id as plain strings, the others, which
# repeat from row to row (even coordinates: incidents share anonymous map points),
# dictionary-encoded. Empty fields are missing values.
_TEXT = pa.string()
_REPEATED = pa.dictionary(pa.int32(), pa.string())
_TYPES = {column: _TEXT if column == "Crime ID" else _REPEATED for column in COLUMNS}
_MONTH = re.compile(r"^\s*(\d{4})-(\d{2})\s*$")


@dataclass(frozen=True)
class _Member:
    """One CSV inside the source: a display name and how to get its bytes."""

    name: str
    read: Callable[[], bytes]


def read_police_uk(
    source: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    *,
    crime_types: str | Iterable[str] | None = None,
    months: str | pd.Period | Iterable[str | pd.Period] | None = None,
) -> gpd.GeoDataFrame:
    """Read data.police.uk street-level crime into incident points in London.

    Parameters
    ----------
    source : path or list of paths
        A street-level CSV (``2024-12-metropolitan-street.csv``, optionally
        gzipped), a folder (its ``*-street.csv`` files, searched recursively), a
        ``.zip`` archive as data.police.uk serves it
        (``YYYY-MM/YYYY-MM-<force>-street.csv`` inside), or a list of these.
        Several forces merge into one table: the Metropolitan Police and the City
        of London Police together cover all of London. Other files in a folder or
        archive (outcomes, stop and search) are skipped and named in the report.
    crime_types : str or list of str, optional
        Keep only these police.uk crime types, matched case- and
        spacing-insensitively (see :func:`hotspots.crime_categories`).
    months : str, Period or list of them, optional
        Keep only these months (``"2024-12"`` or ``pandas.Period("2024-12", "M")``).

    Returns
    -------
    geopandas.GeoDataFrame
        One incident per row in British National Grid (EPSG:27700) with columns
        ``crime_id``, ``month`` (monthly Period), ``crime_type``, ``lsoa_code``,
        ``lsoa_name``, ``force`` (police.uk "Reported by"), ``falls_within``,
        ``location``, ``outcome`` (last outcome category), ``context`` and
        ``geometry``; empty strings become missing values. Text repeated from
        row to row (all but ``crime_id``) is held as pandas categoricals.
        ``attrs["report"]`` is a :class:`hotspots.LoadReport` accounting for every
        row: dropped for ``"malformed row"`` (wrong number of fields, or an
        unbalanced double quote that would swallow the rows after it),
        ``"unparseable month"``, ``"month filtered out"``, ``"crime type filtered
        out"``, ``"no coordinates"``, ``"unparseable coordinates"``, ``"outside
        London"`` (outside the Greater London outline), ``"duplicate crime id"``
        (a non-empty Crime ID seen before; the first row is kept) or
        ``"duplicate row without crime id (...)"`` (a row without a Crime ID,
        such as anti-social behaviour, from a file whose month and force were
        already read from another file: the same data given twice). A row dropped
        for several reasons counts once, for the first in that order.
        ``attrs["hotspots"]`` holds the provenance (source, period, crime_type,
        and forces: those with rows in the months kept).

    Raises
    ------
    hotspots.InputError
        When the input cannot be used: a missing file, an empty file, a file that
        is not a police.uk street-level CSV (the missing columns are listed), text
        that is neither UTF-8 nor Windows-1252, an archive or folder without
        street-level files, an unknown crime type or a bad month.

    Examples
    --------
    >>> import hotspots
    >>> points = hotspots.read_police_uk(hotspots.sample_path("police-uk-burglary"),
    ...                                  crime_types="burglary", months="2024-12")
    >>> points.crs.to_epsg(), str(points["month"].dtype)
    (27700, 'period[M]')
    >>> report = points.attrs["report"]
    >>> report.rows_read == report.rows_kept + sum(report.dropped.values())
    True
    """
    type_keys = None if crime_types is None else resolve_categories(crime_types, "police.uk")
    wanted_months = None if months is None else _parse_months(months)
    members, notes = _collect(source)

    tables, files = [], {}
    malformed: dict[str, list[str]] = {}
    for member in members:
        table, bad_rows, member_notes = _read_member(member)
        notes += member_notes
        files[member.name] = table.num_rows + len(bad_rows)
        if bad_rows:
            malformed[member.name] = bad_rows
        tables.append(table)
    # one conversion for all files: repeated text becomes pandas categoricals
    raw = pa.concat_tables(tables).combine_chunks().to_pandas()
    file_of_row = np.repeat(np.arange(len(tables)), [table.num_rows for table in tables])
    ledger = RowLedger(len(raw), file_names=[m.name for m in members], files=file_of_row)
    for name, rows in malformed.items():
        ledger.add_outside_rows("malformed row", len(rows), f"{name}: {rows[0]}")

    month = _month_periods(raw["month"], ledger)
    if wanted_months is not None:
        ledger.drop(~month.isin(wanted_months).to_numpy(), "month filtered out")
    # the forces with data for the months kept (whatever crime types are kept)
    forces = sorted(raw.loc[ledger.keep, "force"].dropna().unique().tolist())
    if type_keys is not None:
        ledger.drop(~category_mask(raw["crime_type"], type_keys), "crime type filtered out")
    x, y = project_lonlat(
        raw["longitude"], raw["latitude"], ledger, columns=("Longitude", "Latitude")
    )
    ids = raw["crime_id"]
    repeated = ids.notna().to_numpy() & _duplicated_among(ids, ledger.keep)
    ledger.drop(repeated, "duplicate crime id", column="Crime ID", values=ids)
    ledger.drop(
        ids.isna().to_numpy() & _month_force_read_before(month, raw["force"], file_of_row),
        REPEATED_NO_ID,
        column="Month",
        values=raw["month"],
    )

    keep = ledger.keep
    tidy = raw.loc[keep, [c for c in OUTPUT if c != "month"]]
    tidy.insert(1, "month", month[keep])
    tidy = tidy[list(OUTPUT)].reset_index(drop=True)
    points = gpd.GeoDataFrame(tidy, geometry=distinct_points(x[keep], y[keep]), crs=27700)

    source_name = _source_name(source)
    report = ledger.report(source_name, files=files, notes=notes)
    points.attrs["report"] = report
    points.attrs["hotspots"] = {
        "source": f"data.police.uk street-level crime ({source_name})",
        "period": _period_text(points["month"]),
        "crime_type": _crime_type_text(type_keys, points["crime_type"]),
        "forces": forces,
    }
    log_report(report)
    return points


def _collect(source: object) -> tuple[list[_Member], list[str]]:
    """The CSV members of ``source`` and notes on files skipped."""
    if isinstance(source, (list, tuple)):
        members, notes = [], []
        for item in source:
            more, more_notes = _collect(item)
            members += more
            notes += more_notes
        if not members:
            raise InputError("no files given")
        return members, notes
    path = _path(source)
    if not path.exists():
        raise InputError("no such file or folder", file=path)
    if path.is_dir():
        csvs = sorted(p for p in path.rglob("*") if p.is_file() and p.name.endswith(".csv"))
        street = [p for p in csvs if p.name.endswith(STREET_SUFFIX)]
        if not street:
            raise InputError("no police.uk street-level files (*-street.csv) in folder", file=path)
        notes = [
            f"skipped {p.relative_to(path)} (not a street-level file)"
            for p in csvs
            if not p.name.endswith(STREET_SUFFIX)
        ]
        return [_Member(str(p), p.read_bytes) for p in street], notes
    if zipfile.is_zipfile(path):
        return _collect_zip(path)
    if path.suffix == ".zip":
        raise InputError("corrupt or truncated zip archive (no central directory)", file=path)
    if path.suffix == ".gz":
        return [_Member(str(path), lambda: _gunzip(path))], []
    return [_Member(str(path), path.read_bytes)], []


def _path(source: object) -> Path:
    """One path of ``source``: a str or os.PathLike, anything else a TypeError (as Path's)."""
    if not isinstance(source, (str, os.PathLike)):
        raise TypeError(f"expected str or os.PathLike object, not {type(source).__name__}")
    return Path(source)


def _gunzip(path: Path) -> bytes:
    try:
        return gzip.decompress(path.read_bytes())
    except (EOFError, OSError, zlib.error) as error:
        raise InputError(f"corrupt or truncated gzip file ({error})", file=path) from None


def _collect_zip(path: Path) -> tuple[list[_Member], list[str]]:
    try:
        with zipfile.ZipFile(path) as archive:
            names = sorted(info.filename for info in archive.infolist() if not info.is_dir())
    except (zipfile.BadZipFile, OSError) as error:
        raise InputError(f"corrupt zip archive ({error})", file=path) from None
    # macOS adds AppleDouble files (__MACOSX/..., ._name) whose names end like street files
    apple = [n for n in names if n.startswith("__MACOSX/") or Path(n).name.startswith("._")]
    street = [name for name in names if name.endswith(STREET_SUFFIX) and name not in apple]
    if not street:
        raise InputError("no police.uk street-level files (*-street.csv) in the archive", file=path)

    def reader(name: str) -> Callable[[], bytes]:
        def read() -> bytes:
            try:
                with zipfile.ZipFile(path) as archive:
                    return archive.read(name)
            except (zipfile.BadZipFile, EOFError, OSError, zlib.error) as error:
                raise InputError(
                    f"corrupt zip archive: cannot extract {name} ({error})", file=path
                ) from None

        return read

    notes = [
        f"skipped {name} in {path.name} "
        + ("(macOS metadata, not data)" if name in apple else "(not a street-level file)")
        for name in names
        if name not in street
    ]
    return [_Member(f"{path}:{name}", reader(name)) for name in street], notes


def check_header(header: list[str], name: str) -> list[str]:
    """Fail unless ``header`` has every required column, naming those in another case.

    Returns the load report's notes on the header (extra columns, which are ignored).
    """
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        other_case = {h.casefold(): h for h in header}
        renamed = [
            f"{other_case[c.casefold()]!r} for {c!r}" for c in missing if c.casefold() in other_case
        ]
        hint = f" (columns named in another case: {', '.join(renamed)})" if renamed else ""
        raise InputError(
            "not a data.police.uk street-level crime file: missing columns "
            + ", ".join(repr(c) for c in missing)
            + hint,
            file=name,
        )
    extra = [c for c in header if c not in COLUMNS]
    return [f"{name}: ignored extra columns {', '.join(map(repr, extra))}"] if extra else []


def skipping(bad_rows: list[str]) -> Callable[[pacsv.InvalidRow], str]:
    """pyarrow's ``invalid_row_handler``: skip a row of the wrong width, noted in ``bad_rows``."""

    def on_bad_row(row: pacsv.InvalidRow) -> str:
        where = f"row {row.number}" if row.number is not None else "a row"
        bad_rows.append(
            f"{where} has {row.actual_columns} fields, expected {row.expected_columns}: "
            f"{row.text[:80]!r}"
        )
        return "skip"

    return on_bad_row


def _read_member(member: _Member) -> tuple[pa.Table, list[str], list[str]]:
    """Parse one CSV: its table (every column, tidy names), its malformed rows and notes."""
    data = member.read()
    if not data.strip():
        raise InputError("empty file (no header, no rows)", file=member.name)
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise InputError("text is UTF-16; re-save it as UTF-8", file=member.name)
    header = _header(data, member.name)
    notes = check_header(header, member.name)
    present = [c for c in COLUMNS if c in header]
    records = split_records(data, len(header))
    bad_rows: list[str] = []
    on_bad_row = skipping(bad_rows)

    def parse(payload: bytes) -> pa.Table:
        try:
            return parse_blocks(payload, None)
        except pa.ArrowInvalid as error:
            if "straddling" not in str(error):
                raise
            # a field longer than a block (1 MiB): one block for the whole file
            return parse_blocks(payload, len(payload) + 1)

    def parse_blocks(payload: bytes, block_size: int | None) -> pa.Table:
        bad_rows.clear()
        return pacsv.read_csv(
            pa.py_buffer(payload),
            read_options=pacsv.ReadOptions(block_size=block_size) if block_size else None,
            parse_options=pacsv.ParseOptions(invalid_row_handler=on_bad_row),
            convert_options=pacsv.ConvertOptions(
                column_types={c: _TYPES[c] for c in present},
                include_columns=present,
                strings_can_be_null=True,
            ),
        )

    try:
        table = parse(records.payload)
    except pa.ArrowInvalid as error:
        if "UTF8" not in str(error):
            raise InputError(f"cannot parse as CSV: {error}", file=member.name) from None
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise InputError(
                "text is neither UTF-8 nor Windows-1252 (cp1252); re-save it as UTF-8",
                file=member.name,
            ) from None
        table = parse(text.encode("utf-8"))
        notes.append(f"{member.name}: not UTF-8, read as Windows-1252 (cp1252)")
    bad_rows[:0] = [f"row {line}: {damaged_text(start)}" for line, start in records.damaged]
    if table.num_rows + len(bad_rows) != records.records:
        raise InputError(
            f"{records.records:,} records in the file but {table.num_rows + len(bad_rows):,} "
            "parsed: the file is damaged (check its quotes)",
            file=member.name,
        )
    for column in COLUMNS:
        if column not in present:
            table = table.append_column(column, pa.nulls(table.num_rows, _TYPES[column]))
    table = table.select(list(COLUMNS)).rename_columns(list(COLUMNS.values()))
    return table, list(bad_rows), notes


def _header(data: bytes, file: str) -> list[str]:
    first = first_line(data, file).decode("utf-8-sig", errors="replace")
    try:
        return [name.strip() for name in next(csv.reader([first]), [])]
    except csv.Error as error:
        raise InputError(f"cannot read the header line: {error}", file=file) from None


def _parse_months(months: str | pd.Period | Iterable[str | pd.Period]) -> pd.PeriodIndex:
    if isinstance(months, (str, pd.Period)):
        months = [months]
    try:
        return pd.PeriodIndex([pd.Period(m, freq="M") for m in months])
    except (ValueError, TypeError) as error:
        raise InputError(
            f"months must be monthly periods like '2024-12' ({error})", value=months
        ) from None


def _month_periods(values: pd.Series, ledger: RowLedger) -> pd.Series:
    """``YYYY-MM`` strings as monthly periods; rows with other text are dropped."""
    codes, uniques = pd.factorize(values)  # a missing month has code -1
    parsed = []
    for text in [*uniques, ""]:
        match = _MONTH.match(text)
        if match is not None and 1 <= int(match.group(2)) <= 12:
            parsed.append(pd.Period(f"{match.group(1)}-{match.group(2)}", freq="M"))
        else:
            parsed.append(pd.NaT)
    periods = pd.Series(pd.PeriodIndex(parsed, freq="M")[codes], index=values.index)
    ledger.drop(periods.isna().to_numpy(), "unparseable month", column="Month", values=values)
    return periods


def _month_force_read_before(
    month: pd.Series, force: pd.Series, file_of_row: np.ndarray
) -> np.ndarray:
    """Rows whose month and force were already read from an earlier file.

    police.uk publishes one street file per force and month, so the same month
    and force in two files is the same data given twice: rows with a Crime ID
    are caught by their id, rows without one (anti-social behaviour) by this.
    """
    if len(month) == 0 or file_of_row.max(initial=0) == 0:
        return np.zeros(len(month), dtype=bool)
    # a month that did not parse (NaT) is a key of its own: those rows are dropped anyway
    months = month.astype("string").fillna("no month").to_numpy(dtype=object)
    forces = force.astype("string").fillna("no force").to_numpy(dtype=object)
    key = pd.Series(months + "|" + forces)
    first_file = pd.Series(file_of_row).groupby(key.to_numpy()).transform("min").to_numpy()
    return file_of_row != first_file


def _duplicated_among(ids: pd.Series, keep: np.ndarray) -> np.ndarray:
    """Rows whose (non-missing) id already appeared among earlier rows still kept.

    Only rows whose id fingerprint repeats can repeat, and equal ids have equal
    fingerprints, so the exact (slow) string comparison is left to those few.
    """
    candidates = keep & ids.notna().to_numpy()
    fingerprints = _fingerprints(ids)
    if fingerprints is not None:
        shared = np.zeros(len(ids), dtype=bool)
        shared[candidates] = pd.Series(fingerprints[candidates]).duplicated(keep=False)
        candidates = shared
    repeated = np.zeros(len(ids), dtype=bool)
    repeated[candidates] = ids[candidates].duplicated(keep="first").to_numpy()
    return repeated


def _fingerprints(ids: pd.Series) -> np.ndarray | None:
    """A 64-bit hash of each id when all ids have one length (police.uk's 64 hex digits).

    Read straight from the Arrow buffers: no Python strings are made. ``None``
    when the ids differ in length (then every id is compared as a string).
    """
    text = pa.array(ids, type=pa.large_string())
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    offsets = np.frombuffer(text.buffers()[1], dtype=np.int64)[text.offset :][: len(text) + 1]
    lengths = np.diff(offsets)
    present = ~text.is_null().to_numpy(zero_copy_only=False)
    width = int(lengths[present][0]) if present.any() else 0
    if not width or (lengths[present] != width).any() or (lengths[~present] != 0).any():
        return None
    data = np.frombuffer(text.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
    padded = np.zeros((int(present.sum()), -(-width // 8) * 8), dtype=np.uint8)
    padded[:, :width] = data.reshape(-1, width)
    words = padded.view(np.uint64)
    mixed = np.zeros(len(words), dtype=np.uint64)
    for column in words.T:  # FNV-style: multiply by an odd constant, xor in the next word
        mixed = (mixed * np.uint64(0x100000001B3)) ^ column
    fingerprints = np.zeros(len(ids), dtype=np.uint64)
    fingerprints[present] = mixed
    return fingerprints


def _source_name(source: object) -> str:
    if isinstance(source, (list, tuple)):
        return ", ".join(_source_name(s) for s in source)
    return _path(source).name


def _period_text(months: pd.Series) -> str:
    if months.empty:
        return "no months"
    first, last = months.min(), months.max()
    return str(first) if first == last else f"{first} to {last}"


def _crime_type_text(type_keys: frozenset[str] | None, kept: pd.Series) -> str:
    if type_keys is not None:
        return ", ".join(t for t in POLICE_UK_CRIME_TYPES if category_key(t) in type_keys)
    present = kept.dropna().unique()
    return str(present[0]) if len(present) == 1 else "all crime types"
