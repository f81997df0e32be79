"""Read data.police.uk street-level files chunk by chunk, with every row accounted for.

The streaming twin of :func:`hotspots.read_police_uk`: the same parsing, filters
and drop reasons (in the same order), applied to one block of one file at a time,
reading only the columns that counting needs. Duplicate Crime IDs are decided by
the caller across chunks (from the fingerprints each chunk carries).
"""

from __future__ import annotations

import csv
import gzip
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from hotspots._errors import InputError
from hotspots.io._categories import category_mask
from hotspots.io._points import RowLedger, project_lonlat
from hotspots.io._police_uk import _TYPES, COLUMNS, REQUIRED, _Member, _month_periods

# The police.uk columns that counting per area and month needs.
NEEDED = (
    "Crime ID",
    "Month",
    "Reported by",
    "Longitude",
    "Latitude",
    "LSOA code",
    "Crime type",
)
# The read reasons in the order read_police_uk applies them.
READ_REASONS = (
    "malformed row",
    "unparseable month",
    "month filtered out",
    "crime type filtered out",
    "no coordinates",
    "unparseable coordinates",
    "outside London",
    "duplicate crime id",
)
DUPLICATE = "duplicate crime id"


@dataclass
class Chunk:
    """One block of one file: its row accounting and the rows kept so far.

    The kept rows' arrays are aligned: ``row`` (data row number in the file,
    malformed rows excluded, as read_police_uk counts them), ``x``, ``y``
    (British National Grid), ``month`` (monthly ordinal), ``lsoa_code``,
    ``force`` and ``crime_type`` (categoricals), ``has_id`` and ``fingerprint``
    (a 64-bit hash of the Crime ID, for duplicates).
    """

    file: str
    rows: int
    dropped: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    row: np.ndarray | None = None
    x: np.ndarray | None = None
    y: np.ndarray | None = None
    month: np.ndarray | None = None
    lsoa_code: pd.Series | None = None
    force: pd.Series | None = None
    crime_type: pd.Series | None = None
    has_id: np.ndarray | None = None
    fingerprint: np.ndarray | None = None


class _ChunkLedger(RowLedger):
    """A RowLedger whose notes give row numbers in the whole file, not the chunk."""

    def __init__(self, n: int, file: str, offset: int) -> None:
        super().__init__(n)
        self._file = file
        self._offset = offset

    def _where(self, position: int, column: str, value: object) -> str:
        parts = [self._file, f"row {position + self._offset + 2}", f"column {column!r}"]
        if value is not None:
            parts.append(f"value {value!r}")
        return ", ".join(parts)


def iter_chunks(
    member: _Member,
    *,
    type_keys: frozenset[str] | None,
    wanted_months: pd.PeriodIndex | None,
    block_size: int,
) -> Iterator[Chunk]:
    """The chunks of one CSV member, in file order.

    Text that is not UTF-8 is re-read as Windows-1252 from the start, so the
    member's chunks (a few bytes a row: coordinates and codes) are collected
    and yielded once the whole member parsed.
    """
    try:
        chunks = list(_chunks(member, _source(member), type_keys, wanted_months, block_size))
    except pa.ArrowInvalid as error:
        if "UTF8" not in str(error):
            raise InputError(f"cannot parse as CSV: {error}", file=member.name) from None
        try:
            text = member.read().decode("cp1252")
        except UnicodeDecodeError:
            raise InputError(
                "text is neither UTF-8 nor Windows-1252 (cp1252); re-save it as UTF-8",
                file=member.name,
            ) from None
        source = pa.BufferReader(text.encode("utf-8"))
        chunks = list(_chunks(member, source, type_keys, wanted_months, block_size))
        chunks[0].notes.insert(0, f"{member.name}: not UTF-8, read as Windows-1252 (cp1252)")
    yield from chunks


def _source(member: _Member) -> object:
    """A stream of the member's bytes: the file itself when it is a plain file."""
    path = Path(member.name)
    if path.is_file() and path.suffix != ".gz":
        return str(path)
    if path.is_file():
        return pa.BufferReader(gzip.decompress(path.read_bytes()))
    return pa.BufferReader(member.read())


def _header(source: object, name: str) -> list[str]:
    if isinstance(source, str):
        with open(source, "rb") as handle:
            first = handle.readline()
    else:
        first = source.read(1 << 16).split(b"\n", 1)[0]
        source.seek(0)
    if not first.strip():
        raise InputError("empty file (no header, no rows)", file=name)
    text = first.decode("utf-8-sig", errors="replace")
    return [column.strip() for column in next(csv.reader([text]), [])]


def _chunks(
    member: _Member,
    source: object,
    type_keys: frozenset[str] | None,
    wanted_months: pd.PeriodIndex | None,
    block_size: int,
) -> Iterator[Chunk]:
    header = _header(source, member.name)
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InputError(
            "not a data.police.uk street-level crime file: missing columns "
            + ", ".join(repr(c) for c in missing),
            file=member.name,
        )
    notes = []
    extra = [c for c in header if c not in COLUMNS]
    if extra:
        notes.append(f"{member.name}: ignored extra columns {', '.join(map(repr, extra))}")
    bad_rows: list[str] = []

    def on_bad_row(row: pacsv.InvalidRow) -> str:
        where = f"row {row.number}" if row.number is not None else "a row"
        bad_rows.append(
            f"{where} has {row.actual_columns} fields, expected {row.expected_columns}: "
            f"{row.text[:80]!r}"
        )
        return "skip"

    reader = pacsv.open_csv(
        source,
        read_options=pacsv.ReadOptions(block_size=block_size),
        parse_options=pacsv.ParseOptions(invalid_row_handler=on_bad_row),
        convert_options=pacsv.ConvertOptions(
            column_types={c: _TYPES[c] for c in NEEDED},
            include_columns=list(NEEDED),
            strings_can_be_null=True,
        ),
    )
    offset, first_bad = 0, None
    for batch in reader:
        chunk = _chunk(member.name, batch, offset, type_keys, wanted_months)
        chunk.notes[:0] = notes
        notes = []
        if bad_rows:
            chunk.rows += len(bad_rows)
            chunk.dropped["malformed row"] = len(bad_rows)
            if first_bad is None:
                first_bad = bad_rows[0]
                chunk.notes.insert(0, f"malformed row: {member.name}: {first_bad}")
            bad_rows.clear()
        offset += batch.num_rows
        yield chunk
    if offset == 0 or bad_rows or notes:  # a header only (or only malformed rows)
        chunk = Chunk(member.name, rows=len(bad_rows), notes=notes)
        if bad_rows:
            chunk.dropped["malformed row"] = len(bad_rows)
            if first_bad is None:
                chunk.notes.append(f"malformed row: {member.name}: {bad_rows[0]}")
        yield chunk


def _chunk(
    file: str,
    batch: pa.RecordBatch,
    offset: int,
    type_keys: frozenset[str] | None,
    wanted_months: pd.PeriodIndex | None,
) -> Chunk:
    """Apply read_police_uk's drops (all but duplicates) to one block of rows."""
    raw = batch.rename_columns([COLUMNS[c] for c in batch.schema.names]).to_pandas()
    ledger = _ChunkLedger(len(raw), file, offset)
    month = _month_periods(raw["month"], ledger)
    if wanted_months is not None:
        ledger.drop(~month.isin(wanted_months).to_numpy(), "month filtered out")
    if type_keys is not None:
        ledger.drop(~category_mask(raw["crime_type"], type_keys), "crime type filtered out")
    x, y = project_lonlat(
        raw["longitude"], raw["latitude"], ledger, columns=("Longitude", "Latitude")
    )
    keep = ledger.keep
    ids = raw["crime_id"][keep]
    has_id = ids.notna().to_numpy()
    fingerprint = np.zeros(len(ids), dtype=np.uint64)
    if has_id.any():
        fingerprint[has_id] = pd.util.hash_array(ids[has_id].to_numpy(dtype=object))
    kept_month = pd.PeriodIndex(month[keep], freq="M")
    return Chunk(
        file,
        rows=len(raw),
        dropped=dict(ledger.dropped),
        notes=list(ledger.notes),
        row=np.flatnonzero(keep) + offset,
        x=x[keep],
        y=y[keep],
        month=kept_month.asi8.copy(),
        lsoa_code=raw["lsoa_code"][keep].reset_index(drop=True),
        force=raw["force"][keep].reset_index(drop=True),
        crime_type=raw["crime_type"][keep].reset_index(drop=True),
        has_id=has_id,
        fingerprint=fingerprint,
    )
