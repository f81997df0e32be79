"""Read data.police.uk street-level files chunk by chunk, with every row accounted for.

The streaming twin of :func:`hotspots.read_police_uk`: the same parsing, filters
and drop reasons (in the same order), applied to one block of one file at a time,
reading only the columns that counting needs. Duplicate Crime IDs are decided by
the caller across chunks (from the fingerprints each chunk carries).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyproj

from hotspots._errors import InputError
from hotspots.io._categories import category_mask
from hotspots.io._london import in_london
from hotspots.io._points import RowLedger
from hotspots.io._points import _parsed as _parsed_series
from hotspots.io._police_uk import (
    _TYPES,
    _gunzip,
    _Member,
    _month_periods,
    check_header,
    skipping,
)

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
    (a 64-bit hash of the Crime ID, for duplicates); the text columns as Arrow
    dictionary arrays.
    """

    file: str
    rows: int
    dropped: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    row: np.ndarray | None = None
    x: np.ndarray | None = None
    y: np.ndarray | None = None
    month: np.ndarray | None = None
    lsoa_code: pa.DictionaryArray | None = None
    force: pa.DictionaryArray | None = None
    crime_type: pa.DictionaryArray | None = None
    has_id: np.ndarray | None = None
    fingerprint: np.ndarray | None = None
    # with a crime-type filter: (monthly ordinal, force or None) of the rows of every type
    # with coordinates in London
    published: set[tuple[int, str | None]] | None = None


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


class Projector:
    """project_lonlat with one transformer and a cache of the map points seen so far.

    police.uk reuses a limited set of anonymous map points: each is projected
    (and checked against the London outline) once per process, not once per block.
    """

    def __init__(self) -> None:
        self.transformer = pyproj.Transformer.from_crs(4326, 27700, always_xy=True)
        self.known = pd.Index([], dtype=complex)
        self.x = np.zeros(0)
        self.y = np.zeros(0)
        self.inside = np.zeros(0, dtype=bool)

    def __call__(
        self,
        lon: pa.DictionaryArray,
        lat: pa.DictionaryArray,
        ledger: RowLedger,
        columns: tuple[str, str],
    ) -> tuple[np.ndarray, np.ndarray]:
        blank_x, xs = _parsed(lon)
        blank_y, ys = _parsed(lat)
        lon, lat = _Values(lon), _Values(lat)
        ledger.drop(blank_x & blank_y, "no coordinates", column=columns[0], values=lon)
        ledger.drop(~np.isfinite(xs), "unparseable coordinates", column=columns[0], values=lon)
        ledger.drop(~np.isfinite(ys), "unparseable coordinates", column=columns[1], values=lat)
        keep = ledger.keep
        bx = np.full(len(xs), np.nan)
        by = np.full(len(xs), np.nan)
        if not keep.any():
            return bx, by
        codes, uniques = pd.factorize(xs[keep] + 1j * ys[keep])
        found = self.known.get_indexer(uniques)
        new = found < 0
        if new.any():
            ux, uy = self.transformer.transform(uniques.real[new], uniques.imag[new])
            ux, uy = np.asarray(ux, dtype=float), np.asarray(uy, dtype=float)
            found[new] = len(self.known) + np.arange(int(new.sum()))
            self.known = self.known.append(pd.Index(uniques[new]))
            self.x = np.concatenate([self.x, ux])
            self.y = np.concatenate([self.y, uy])
            self.inside = np.concatenate([self.inside, in_london(ux, uy)])
        at = found[codes]
        bx[keep], by[keep] = self.x[at], self.y[at]
        inside = np.ones(len(xs), dtype=bool)
        inside[keep] = self.inside[at]
        ledger.drop(~inside, "outside London", column=columns[0], values=lon)
        return bx, by


def iter_chunks(
    member: _Member,
    *,
    projector: Projector,
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
        chunks = list(
            _chunks(member, _source(member), projector, type_keys, wanted_months, block_size)
        )
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
        chunks = list(_chunks(member, source, projector, type_keys, wanted_months, block_size))
        chunks[0].notes.insert(0, f"{member.name}: not UTF-8, read as Windows-1252 (cp1252)")
    yield from chunks


def _source(member: _Member) -> str | pa.BufferReader:
    """A stream of the member's bytes: the file itself when it is a plain file."""
    path = Path(member.name)
    if path.is_file() and path.suffix != ".gz":
        return str(path)
    if path.is_file():
        return pa.BufferReader(_gunzip(path))
    return pa.BufferReader(member.read())


def _header(source: str | pa.BufferReader, name: str) -> list[str]:
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
    source: str | pa.BufferReader,
    projector: Projector,
    type_keys: frozenset[str] | None,
    wanted_months: pd.PeriodIndex | None,
    block_size: int,
) -> Iterator[Chunk]:
    header = _header(source, member.name)
    notes = check_header(header, member.name)
    bad_rows: list[str] = []

    reader = pacsv.open_csv(
        source,
        read_options=pacsv.ReadOptions(block_size=block_size),
        parse_options=pacsv.ParseOptions(invalid_row_handler=skipping(bad_rows)),
        convert_options=pacsv.ConvertOptions(
            column_types={c: _TYPES[c] for c in NEEDED},
            include_columns=list(NEEDED),
            strings_can_be_null=True,
        ),
    )
    offset, first_bad = 0, None
    for batch in reader:
        chunk = _chunk(member.name, batch, offset, projector, type_keys, wanted_months)
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
    projector: Projector,
    type_keys: frozenset[str] | None,
    wanted_months: pd.PeriodIndex | None,
) -> Chunk:
    """Apply read_police_uk's drops (all but duplicates) to one block of rows.

    Columns stay Arrow arrays; text repeated from row to row is handled once per
    distinct value (the dictionary), not once per row.
    """
    ledger = _ChunkLedger(batch.num_rows, file, offset)
    month = _month_periods(batch.column("Month").to_pandas(), ledger)
    if wanted_months is not None:
        ledger.drop(~month.isin(wanted_months).to_numpy(), "month filtered out")
    crime_type = batch.column("Crime type")
    coordinates = (batch.column("Longitude"), batch.column("Latitude"))
    published = None
    if type_keys is not None:
        # the rows of every type that would be kept, in London (the projector's cache
        # makes the second pass over the same map points cheap); the drops stay in order
        probe = _ChunkLedger(batch.num_rows, file, offset)
        probe.keep = ledger.keep.copy()
        projector(*coordinates, probe, ("Longitude", "Latitude"))
        published = _published(month, batch.column("Reported by"), probe.keep)
        ledger.drop(~category_mask(crime_type.to_pandas(), type_keys), "crime type filtered out")
    x, y = projector(*coordinates, ledger, ("Longitude", "Latitude"))
    keep = ledger.keep
    which = pa.array(keep)
    has_id, fingerprint = fingerprints(batch.column("Crime ID").filter(which))
    return Chunk(
        file,
        rows=batch.num_rows,
        dropped=dict(ledger.dropped),
        notes=list(ledger.notes),
        row=np.flatnonzero(keep) + offset,
        x=x[keep],
        y=y[keep],
        month=pd.PeriodIndex(month[keep], freq="M").asi8.copy(),
        lsoa_code=batch.column("LSOA code").filter(which),
        force=batch.column("Reported by").filter(which),
        crime_type=crime_type.filter(which),
        has_id=has_id,
        fingerprint=fingerprint,
        published=published,
    )


def _published(month: pd.Series, force: pa.Array, keep: np.ndarray) -> set[tuple[int, str | None]]:
    """The (month, force) pairs of the rows ``keep`` marks, whatever their crime type.

    A force that published a month covers its areas that month for every crime
    type, as :func:`hotspots.aggregate` decides it before its crime-type filter.
    """
    pairs = pd.DataFrame(
        {
            "month": pd.PeriodIndex(month[keep], freq="M").asi8,
            "force": force.filter(pa.array(keep)).to_pandas().astype(object),
        }
    ).drop_duplicates()
    return {
        (int(m), None if pd.isna(f) else str(f))
        for m, f in zip(pairs["month"], pairs["force"], strict=True)
    }


class _Values:
    """``values.iloc[i]`` of an Arrow array, for the ledger's notes."""

    def __init__(self, array: pa.Array) -> None:
        self.array = array

    @property
    def iloc(self) -> _Values:
        return self

    def __getitem__(self, i: int) -> object:
        return self.array[int(i)].as_py()


def _parsed(values: pa.DictionaryArray) -> tuple[np.ndarray, np.ndarray]:
    """As ``_points._parsed``: blank and number of each value, each distinct value once.

    Arrow converts the distinct texts when they are all numbers (the usual case);
    otherwise pandas does, as ``read_police_uk`` does.
    """
    try:
        number_d = pc.cast(values.dictionary, pa.float64()).to_numpy(zero_copy_only=False)
        blank_d = np.zeros(len(number_d), dtype=bool)
    except pa.ArrowInvalid:
        blank_d, number_d = _parsed_series(values.dictionary.to_pandas())
    codes = values.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    return np.append(blank_d, True)[codes], np.append(number_d, np.nan)[codes]


_PRIME = np.uint64(0x100000001B3)


def fingerprints(ids: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Whether each row has an id, and a 64-bit hash of it (0 where none).

    Computed on the Arrow buffers, without Python strings: FNV-style over the
    id's 8-byte words, seeded with its length, then a splitmix64 finaliser.
    The same id always gets the same hash, whatever block or file it is in.
    """
    ids = ids.cast(pa.large_string())
    has = ~ids.is_null().to_numpy(zero_copy_only=False)
    fp = np.zeros(len(ids), dtype=np.uint64)
    if not has.any():
        return has, fp
    offsets = np.frombuffer(ids.buffers()[1], dtype=np.int64)[
        ids.offset : ids.offset + len(ids) + 1
    ]
    data = np.frombuffer(ids.buffers()[2], dtype=np.uint8)
    lengths = np.diff(offsets)
    with np.errstate(over="ignore"):
        for width in np.unique(lengths[has]):
            rows = np.flatnonzero(has & (lengths == width))
            padded = np.zeros((len(rows), max(8, -(-int(width) // 8) * 8)), dtype=np.uint8)
            start, stop = offsets[rows[0]], offsets[rows[-1]] + width
            if stop - start == len(rows) * width:  # these ids lie one after another
                padded[:, :width] = data[start:stop].reshape(len(rows), width)
            else:
                padded[:, :width] = data[offsets[rows][:, None] + np.arange(width)]
            mixed = np.full(len(rows), np.uint64(0xCBF29CE484222325) ^ np.uint64(width))
            for word in padded.view(np.uint64).T:
                mixed = (mixed ^ word) * _PRIME
            mixed ^= mixed >> np.uint64(30)
            mixed *= np.uint64(0xBF58476D1CE4E5B9)
            mixed ^= mixed >> np.uint64(27)
            mixed *= np.uint64(0x94D049BB133111EB)
            mixed ^= mixed >> np.uint64(31)
            fp[rows] = mixed
    return has, fp
