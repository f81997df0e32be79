"""Read the Met's London Datastore crime tables (wards or boroughs, one column per month)."""

from __future__ import annotations

import csv
import gzip
import io
import os
import re
import warnings
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

import boundaries
from hotspots._errors import HotspotsWarning, InputError
from hotspots.io._csvlines import damaged_text, first_line, split_records
from hotspots.io._report import LoadReport, log_report

WARD_COLUMNS = ("MajorText", "MinorText", "WardName", "WardCode", "LookUp_BoroughName")
BOROUGH_COLUMNS = ("MajorText", "MinorText", "LookUp_BoroughName")
# Met rows that belong to no London borough: Heathrow (ward table) and the
# airports (borough tables).
PSEUDO_BOROUGHS = ("Aviation Security (SO18)", "London Heathrow and London City Airports")
_MONTH_COLUMN = re.compile(r"^\d{6}$")
DUPLICATE_ROW = "duplicate row"
# A month whose total is below this fraction of the median month is a stub.
STUB_FRACTION = 0.05
# pandas 3 text columns are Arrow strings: its Arrow CSV engine gives the same frame.
_ARROW_TEXT = int(pd.__version__.split(".")[0]) >= 3
OUTPUT = (
    "area_code",
    "area_name",
    "borough_name",
    "pseudo_borough",
    "month",
    "major_category",
    "minor_category",
    "count",
)


def read_met_crime(
    path: str | os.PathLike[str], *, stub_months: Literal["drop", "keep"] = "drop"
) -> pd.DataFrame:
    """Read a Met ward-level or borough-level crime table into a tidy long table.

    Parameters
    ----------
    path : path
        A London Datastore *MPS Recorded Crime: Geographic Breakdown* CSV (or
        ``.csv.gz``): the ward table (``MajorText, MinorText, WardName, WardCode,
        LookUp_BoroughName, YYYYMM...``) or a borough table (``MajorText,
        MinorText, LookUp_BoroughName, YYYYMM...``). Which one is detected from
        the columns.
    stub_months : {"drop", "keep"}, default "drop"
        A *stub month* is a month column whose total is below
        ``STUB_FRACTION`` (5 %) of the table's median monthly total, like the
        nearly empty first month of some downloads (47 offences against about
        71,500 a month). By default such months are dropped, with a
        :class:`hotspots.HotspotsWarning` and a note in the report; ``"keep"``
        keeps them (still warned).

    Returns
    -------
    pandas.DataFrame
        One row per area, month and minor category: ``area_code`` (ward code, or
        the borough's GSS code; missing for a pseudo-borough of the borough
        tables), ``area_name``, ``borough_name``, ``pseudo_borough`` (True for
        the Met's "Aviation Security (SO18)" and "London Heathrow and London City
        Airports" rows, which are kept), ``month`` (monthly Period),
        ``major_category``, ``minor_category`` and ``count`` (nullable integer;
        a blank cell, as in a nearly empty first month, stays missing and is
        noted in the report). ``attrs["level"]`` is ``"wards"`` or
        ``"boroughs"``, ``attrs["report"]`` a :class:`hotspots.LoadReport` of the
        table rows (a row repeated exactly, same area, categories and counts,
        is dropped as ``"duplicate row"``) and ``attrs["hotspots"]`` the
        provenance, with ``months``: the months in the table. A month missing
        between the first and the last is noted in the report, and
        :func:`hotspots.aggregate` leaves it as no data (NaN), never zero. The
        Met does not police the City of London: the table has no City rows.

    Raises
    ------
    hotspots.InputError
        For a file that is not one of these tables (the missing columns are
        named), without month columns, with a count that is not a
        non-negative whole number, with a row whose unbalanced double quote
        would swallow the rows after it, or with two rows for the same area and
        categories but different counts (file, row, column and value are named).

    Examples
    --------
    >>> import hotspots
    >>> crime = hotspots.read_met_crime(hotspots.sample_path("mps-ward-crime"))
    >>> crime.attrs["level"], crime["area_code"].nunique()
    ('wards', 679)
    >>> str(crime["month"].min()), str(crime["month"].max())
    ('2023-07', '2025-06')
    """
    if stub_months not in ("drop", "keep"):
        raise InputError("stub_months must be 'drop' or 'keep'", value=stub_months)
    path = Path(path)
    if not path.exists():
        raise InputError("no such file", file=path)
    text, notes = _text(path)
    wide = _parse(text, path)
    wide.columns = [str(c).strip() for c in wide.columns]
    level, id_columns = _detect(wide.columns, path)
    months = [c for c in wide.columns if _MONTH_COLUMN.match(c)]
    if not months:
        raise InputError("no month columns (YYYYMM) in the Met table", file=path)
    _check_month_names(months, path)
    n_read = len(wide)
    wide, duplicates = _without_duplicates(wide, id_columns, months, path)

    counts, blanks = _counts(wide[months], path, first_row=2)
    counts, months, stubs = _stub_months(counts, months, stub_months, path)
    n_rows, n_months = counts.shape
    ids = _map_distinct(wide[list(id_columns)], str.strip)
    borough = ids["LookUp_BoroughName"]
    if level == "wards":
        code, name = ids["WardCode"], ids["WardName"]
    else:
        code, name = _borough_codes(borough), borough
    periods = pd.PeriodIndex([f"{m[:4]}-{m[4:]}" for m in months], freq="M")
    # take() keeps the typed arrays (strings, periods): no per-record Python objects
    row_of = np.repeat(np.arange(n_rows), n_months)
    tidy = pd.DataFrame(
        {
            "area_code": code.array.take(row_of),
            "area_name": name.array.take(row_of),
            "borough_name": borough.array.take(row_of),
            "pseudo_borough": np.repeat(borough.isin(PSEUDO_BOROUGHS).to_numpy(), n_months),
            "month": periods.take(np.tile(np.arange(n_months), n_rows)),
            "major_category": ids["MajorText"].array.take(row_of),
            "minor_category": ids["MinorText"].array.take(row_of),
            "count": pd.array(counts.reshape(-1), dtype="Int64"),
        },
        columns=list(OUTPUT),
    )
    notes += [
        f"{n:,} blank cells in month column {month} (kept as missing counts)"
        for month, n in blanks.items()
        if month in months
    ]
    notes += stubs
    gaps = pd.period_range(periods.min(), periods.max(), freq="M").difference(periods)
    if len(gaps):
        notes.append(
            "months missing from the table (no data, never zero): "
            + ", ".join(str(p) for p in gaps)
        )
    report = LoadReport(
        path.name,
        rows_read=n_read,
        rows_kept=n_rows,
        dropped={DUPLICATE_ROW: duplicates[0]},
        notes=(*notes, *duplicates[1]),
    )
    tidy.attrs["level"] = level
    tidy.attrs["report"] = report
    tidy.attrs["hotspots"] = {
        "source": f"Metropolitan Police Service, London Datastore {level} table ({path.name})",
        "period": f"{periods.min()} to {periods.max()}",
        "crime_type": "all crime types",
        "level": level,
        "forces": ["Metropolitan Police Service"],
        "months": [str(p) for p in periods],
    }
    log_report(report)
    return tidy


def _text(path: Path) -> tuple[bytes, list[str]]:
    """The file's bytes as UTF-8 (gunzipped; cp1252 re-encoded, with a note)."""
    data = path.read_bytes()
    if path.suffix == ".gz" or data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (EOFError, OSError, zlib.error) as error:
            raise InputError(f"corrupt or truncated gzip file ({error})", file=path) from None
    if not data.strip():
        raise InputError("empty file (no header, no rows)", file=path)
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise InputError("text is UTF-16; re-save it as UTF-8", file=path)
    data = data.removeprefix(b"\xef\xbb\xbf")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252").encode("utf-8"), [
                "not UTF-8, read as Windows-1252 (cp1252)"
            ]
        except UnicodeDecodeError:
            raise InputError(
                "text is neither UTF-8 nor Windows-1252 (cp1252); re-save it as UTF-8", file=path
            ) from None
    return data, []


def _parse(data: bytes, path: Path) -> pd.DataFrame:
    """The table, after checking that every physical line is one record."""
    try:
        header = next(csv.reader([first_line(data, path).decode("utf-8").rstrip("\r")]), [])
    except csv.Error as error:
        raise InputError(f"cannot read the header line: {error}", file=path) from None
    records = split_records(data, len(header))
    if records.damaged:
        line, start = records.damaged[0]
        raise InputError(damaged_text(start), file=path, row=line)
    try:
        wide = _read_text_cells(records.payload)
    except pd.errors.EmptyDataError:
        raise InputError("empty file (no header, no rows)", file=path) from None
    except pd.errors.ParserError as error:
        raise InputError(f"cannot read as a CSV table: {error}", file=path) from None
    if len(wide) != records.records:
        raise InputError(
            f"{records.records:,} records in the file but {len(wide):,} parsed: "
            "the file is damaged (check its quotes)",
            file=path,
        )
    return wide


def _read_text_cells(payload: bytes) -> pd.DataFrame:
    """Every cell as text: Arrow's CSV reader, or pandas' own parser where Arrow refuses.

    On a table Arrow reads, both give the same frame (cells, columns, index;
    checked with pandas 3, whose text columns are Arrow's: older pandas keeps
    its own parser). Arrow refuses a row with too few or too many fields or a
    line of spaces; pandas' parser then reads (or reports) it as it always did.
    """
    if _ARROW_TEXT:
        try:
            return pd.read_csv(
                io.BytesIO(payload),
                dtype=str,
                keep_default_na=False,
                encoding="utf-8",
                engine="pyarrow",
            )
        except ValueError:  # Arrow's parse errors; pandas' ParserError is a ValueError too
            pass
    return pd.read_csv(io.BytesIO(payload), dtype=str, keep_default_na=False, encoding="utf-8")


def _check_month_names(months: list[str], path: Path) -> None:
    for month in months:
        if not 1 <= int(month[4:]) <= 12:
            raise InputError(
                "a month column must be YYYYMM with MM in 01..12", file=path, column=month
            )
    repeated = [m for m in dict.fromkeys(months) if months.count(m) > 1]
    if repeated:
        raise InputError("a month column appears twice", file=path, column=repeated[0])


def _without_duplicates(
    wide: pd.DataFrame, id_columns: tuple[str, ...], months: list[str], path: Path
) -> tuple[pd.DataFrame, tuple[int, list[str]]]:
    """The table without exact repeats of a row; two different rows for one key are an error."""
    keys = _map_distinct(wide[list(id_columns)], lambda v: " ".join(str(v).split()).casefold())
    repeated_key = keys.duplicated(keep=False).to_numpy()
    if not repeated_key.any():
        return wide, (0, [])
    exact = wide[list(id_columns) + months].duplicated(keep="first").to_numpy()
    conflict = repeated_key & ~wide[list(id_columns) + months].duplicated(keep=False).to_numpy()
    if conflict.any():
        rows = np.flatnonzero(conflict)[:2] + 2
        raise InputError(
            f"rows {rows[0]} and {rows[-1]} are for the same area and categories but have "
            "different counts: fix or remove one",
            file=path,
            row=int(rows[-1]),
            value=" / ".join(wide.iloc[int(rows[0]) - 2][list(id_columns)]),
        )
    first = int(np.flatnonzero(exact)[0]) + 2
    note = (
        f"{DUPLICATE_ROW}: {int(exact.sum())} rows repeat an earlier row exactly, first row {first}"
    )
    return wide[~exact].reset_index(drop=True), (int(exact.sum()), [note])


def _stub_months(
    counts: np.ndarray, months: list[str], policy: str, path: Path
) -> tuple[np.ndarray, list[str], list[str]]:
    """Find months far below the table's typical volume; drop them unless told to keep them."""
    totals = np.nansum(counts, axis=0)
    typical = float(np.median(totals))
    stub = totals < STUB_FRACTION * typical if len(months) >= 3 else np.zeros(len(months), bool)
    if not stub.any():
        return counts, months, []
    listing = ", ".join(
        f"{m[:4]}-{m[4:]} ({int(t):,})"
        for m, t in zip(months, totals, strict=True)
        if t < STUB_FRACTION * typical
    )
    action = "dropped; pass stub_months='keep' to keep them" if policy == "drop" else "kept"
    message = (
        f"{path.name}: stub months with under {STUB_FRACTION:.0%} of the median monthly total "
        f"({typical:,.0f} offences): {listing}; {action}"
    )
    warnings.warn(message, HotspotsWarning, stacklevel=3)
    if policy == "keep":
        return counts, months, [message]
    kept = [m for m, s in zip(months, stub, strict=True) if not s]
    return counts[:, ~stub], kept, [message]


def _detect(columns: pd.Index, path: Path) -> tuple[str, tuple[str, ...]]:
    if all(c in columns for c in WARD_COLUMNS):
        return "wards", WARD_COLUMNS
    if all(c in columns for c in BOROUGH_COLUMNS) and "WardCode" not in columns:
        return "boroughs", BOROUGH_COLUMNS
    missing = [c for c in WARD_COLUMNS if c not in columns]
    raise InputError(
        "not a Met (London Datastore) ward or borough crime table: missing columns "
        + ", ".join(repr(c) for c in missing),
        file=path,
    )


def _counts(cells: pd.DataFrame, path: Path, first_row: int) -> tuple[np.ndarray, dict[str, int]]:
    """Month cells as floats (NaN for blanks); raises on anything else but whole numbers.

    Each distinct text is stripped and parsed once (a table of tens of
    thousands of rows has a few thousand distinct cells).
    """
    stacked = pd.concat([column for _, column in cells.items()], ignore_index=True)
    codes, uniques = pd.factorize(stacked, use_na_sentinel=False)
    stripped = pd.Series(uniques, dtype=stacked.dtype).str.strip()
    number = pd.to_numeric(stripped, errors="coerce").to_numpy(dtype=float)
    empty = (stripped == "").to_numpy()
    codes = codes.reshape(cells.shape[1], cells.shape[0]).T
    values, blank = number[codes], empty[codes]
    # NaN (not a number) and infinity fail the whole-number test too
    bad = ~blank & ~(np.isfinite(values) & (values >= 0) & (values == np.floor(values)))
    if bad.any():
        row, col = (int(i[0]) for i in np.nonzero(bad))
        raise InputError(
            "a count must be a whole number of offences (0 or more)",
            file=path,
            row=row + first_row,
            column=cells.columns[col],
            value=cells.iat[row, col],
        )
    blanks = {m: int(n) for m, n in zip(cells.columns, blank.sum(axis=0), strict=True) if n}
    return values, blanks


def _map_distinct(frame: pd.DataFrame, function: Callable[[Any], object]) -> pd.DataFrame:
    """``frame.map(function)``, calling ``function`` once per distinct value of each column."""
    columns = {}
    for name, column in frame.items():
        codes, uniques = pd.factorize(column, use_na_sentinel=False)
        mapped = pd.Series(uniques, dtype=column.dtype).map(function)
        columns[name] = mapped.take(codes).set_axis(frame.index)
    return pd.DataFrame(columns, index=frame.index)


def _borough_codes(names: pd.Series) -> pd.Series:
    """GSS codes of borough names (missing for the Met's pseudo-boroughs)."""
    layer = boundaries.load("boroughs")
    lookup = dict(zip(layer["name"].map(_name_key), layer.index, strict=True))
    return names.map(_name_key).map(lookup).astype("str")


def _name_key(name: str) -> str:
    return "".join(str(name).replace("&", "and").split()).casefold()


def read_mps_crime(
    path: str | os.PathLike[str], *, stub_months: Literal["drop", "keep"] = "drop"
) -> pd.DataFrame:
    """Deprecated name of :func:`hotspots.read_met_crime` (one name for the Met).

    Kept for one release; gives a ``DeprecationWarning`` and returns exactly
    what :func:`hotspots.read_met_crime` returns.

    Parameters
    ----------
    path : path
        As for :func:`hotspots.read_met_crime`.
    stub_months : {"drop", "keep"}, default "drop"
        As for :func:`hotspots.read_met_crime`.

    Returns
    -------
    pandas.DataFrame
        As for :func:`hotspots.read_met_crime`.

    Examples
    --------
    >>> import warnings, hotspots
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     crime = hotspots.read_mps_crime(hotspots.sample_path("mps-ward-crime"))
    >>> caught[0].category.__name__, crime.attrs["level"]
    ('DeprecationWarning', 'wards')
    """
    warnings.warn(
        "read_mps_crime is deprecated and will be removed: use hotspots.read_met_crime",
        DeprecationWarning,
        stacklevel=2,
    )
    return read_met_crime(path, stub_months=stub_months)
