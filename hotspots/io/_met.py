"""Read the Met's London Datastore crime tables (wards or boroughs, one column per month)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

import boundaries
from hotspots._errors import InputError
from hotspots.io._report import LoadReport, log_report

WARD_COLUMNS = ("MajorText", "MinorText", "WardName", "WardCode", "LookUp_BoroughName")
BOROUGH_COLUMNS = ("MajorText", "MinorText", "LookUp_BoroughName")
# Met rows that belong to no London borough: Heathrow (ward table) and the
# airports (borough tables).
PSEUDO_BOROUGHS = ("Aviation Security (SO18)", "London Heathrow and London City Airports")
_MONTH_COLUMN = re.compile(r"^\d{6}$")
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


def read_mps_crime(path: str | os.PathLike) -> pd.DataFrame:
    """Read a Met ward-level or borough-level crime table into a tidy long table.

    Parameters
    ----------
    path : path
        A London Datastore *MPS Recorded Crime: Geographic Breakdown* CSV (or
        ``.csv.gz``): the ward table (``MajorText, MinorText, WardName, WardCode,
        LookUp_BoroughName, YYYYMM...``) or a borough table (``MajorText,
        MinorText, LookUp_BoroughName, YYYYMM...``). Which one is detected from
        the columns.

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
        table rows and ``attrs["hotspots"]`` the provenance. The Met does not
        police the City of London: the table has no City rows.

    Raises
    ------
    hotspots.InputError
        For a file that is not one of these tables (the missing columns are
        named), without month columns, or with a count that is not a
        non-negative whole number (file, row, column and value are named).

    Examples
    --------
    >>> import hotspots
    >>> crime = hotspots.read_mps_crime(hotspots.sample_path("mps-ward-crime"))
    >>> crime.attrs["level"], crime["area_code"].nunique()
    ('wards', 679)
    >>> str(crime["month"].min()), str(crime["month"].max())
    ('2023-07', '2025-06')
    """
    path = Path(path)
    if not path.exists():
        raise InputError("no such file", file=path)
    try:
        wide = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except pd.errors.EmptyDataError:
        raise InputError("empty file (no header, no rows)", file=path) from None
    except (UnicodeDecodeError, pd.errors.ParserError) as error:
        raise InputError(f"cannot read as a CSV table: {error}", file=path) from None
    wide.columns = [str(c).strip() for c in wide.columns]
    level, id_columns = _detect(wide.columns, path)
    months = [c for c in wide.columns if _MONTH_COLUMN.match(c)]
    if not months:
        raise InputError("no month columns (YYYYMM) in the Met table", file=path)

    counts, blanks = _counts(wide[months], path, first_row=2)
    n_rows, n_months = counts.shape
    ids = wide[list(id_columns)].map(str.strip)
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
    notes = [
        f"{n:,} blank cells in month column {month} (kept as missing counts)"
        for month, n in blanks.items()
    ]
    report = LoadReport(path.name, rows_read=n_rows, rows_kept=n_rows, notes=notes)
    tidy.attrs["level"] = level
    tidy.attrs["report"] = report
    tidy.attrs["hotspots"] = {
        "source": f"Metropolitan Police Service, London Datastore {level} table ({path.name})",
        "period": f"{periods.min()} to {periods.max()}",
        "crime_type": "all crime types",
        "level": level,
        "forces": ["Metropolitan Police Service"],
    }
    log_report(report)
    return tidy


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
    """Month cells as floats (NaN for blanks); raises on anything else but whole numbers."""
    stripped = cells.apply(lambda col: col.str.strip())
    values = stripped.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    blank = (stripped == "").to_numpy()
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


def _borough_codes(names: pd.Series) -> pd.Series:
    """GSS codes of borough names (missing for the Met's pseudo-boroughs)."""
    layer = boundaries.load("boroughs")
    lookup = dict(zip(layer["name"].map(_name_key), layer.index, strict=True))
    return names.map(_name_key).map(lookup).astype("str")


def _name_key(name: str) -> str:
    return "".join(str(name).replace("&", "and").split()).casefold()
