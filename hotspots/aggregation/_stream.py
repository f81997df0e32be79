"""Count police.uk files per area and month while streaming them, locally or on dask."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyproj
import shapely

from hotspots._errors import InputError
from hotspots.aggregation._aggregate import (
    NOT_COVERED,
    NOT_IN_AREAS,
    _checked_tolerance,
    _covered,
    shipped_layer,
)
from hotspots.io._categories import resolve_categories
from hotspots.io._police_uk import (
    _collect,
    _crime_type_text,
    _Member,
    _parse_months,
    _source_name,
)
from hotspots.io._report import LoadReport, log_report
from hotspots.io._stream import DUPLICATE, READ_REASONS, Chunk, Projector, iter_chunks

BLOCK_SIZE = 16 << 20


def count_police_uk(
    source: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    areas: gpd.GeoDataFrame,
    *,
    crime_types: str | Iterable[str] | None = None,
    months: str | pd.Period | Iterable[str | pd.Period] | None = None,
    tolerance: float = 20.0,
    workers: int = 1,
    client: object | None = None,
    block_size: int = BLOCK_SIZE,
    progress: Callable[[int, int, int], object] | None = None,
) -> pd.DataFrame:
    """Count police.uk street-level crime per area and month, streaming the files.

    The same counts as ``aggregate_monthly(read_police_uk(source, months=...), areas,
    crime_types=..., tolerance=...)``, and the row accounting of ``read_police_uk``
    with ``crime_types`` (rows of other types are dropped as read), without
    holding the incidents in memory:
    each file is read in blocks of ``block_size`` bytes (only the seven
    columns counting needs), each distinct map point is placed once per
    worker, and counts are added up as blocks arrive. Memory grows with the
    size of the largest file and with 8 bytes per incident with a Crime ID
    (kept to find duplicate ids across files), not with the whole archive.

    Parameters
    ----------
    source : path or list of paths
        As for :func:`hotspots.read_police_uk`: street-level CSVs (optionally
        gzipped), folders, police.uk ``.zip`` archives, or a list of these.
    areas : GeoDataFrame
        Polygons indexed by area code (any :mod:`boundaries` layer). Not modified.
    crime_types : str or list of str, optional
        Keep only these police.uk crime types. Coverage still follows the rows
        of every type, as in :func:`hotspots.aggregate`: a force that published
        a month covers its areas that month, so a type it recorded none of is a
        zero there, not no data.
    months : str, Period or list of them, optional
        Keep only these months.
    tolerance : float, default 20.0
        Metres: the boundary tie-break of :func:`hotspots.aggregate`.
    workers : int, default 1
        Local processes reading files in parallel (one file at a time each).
    client : dask.distributed.Client, optional
        Read the files as tasks on this dask cluster instead (one task per
        file); the workers must see the same paths. ``workers`` is then
        not used and must stay 1.
    block_size : int, default 16 MiB
        Bytes of CSV parsed at a time.
    progress : callable, optional
        Called once per file as its rows are added up, in file order, with
        ``(files_done, files_total, rows_read_so_far)``; e.g. to draw a
        progress bar. Its return value is ignored.

    Returns
    -------
    pandas.DataFrame
        As :func:`hotspots.aggregate_monthly`: indexed like
        ``areas``, one column per month (a ``PeriodIndex`` named ``month``),
        zero where covered and nothing happened, NaN where the forces that
        published that month do not cover the area. ``attrs["report"]`` is one
        :class:`hotspots.LoadReport` for the whole pipeline: every row read is
        counted or dropped for one of the reasons of
        :func:`hotspots.read_police_uk` or of :func:`hotspots.aggregate`.
        ``attrs["hotspots"]`` holds the provenance.

    Notes
    -----
    Duplicate Crime IDs are found across all files by a 64-bit hash of the
    id: two different ids would be taken for duplicates only if their hashes
    collide, with probability about ``n**2 / 2**65`` for ``n`` ids (1e-4 at
    50 million). The first row of an id, in file order, is kept, as by
    :func:`hotspots.read_police_uk`.

    Examples
    --------
    >>> import boundaries, hotspots
    >>> path = hotspots.sample_path("police-uk-burglary")
    >>> cube = hotspots.count_police_uk(path, boundaries.load("lsoa"), crime_types="burglary")
    >>> cube.shape, [str(m) for m in cube.columns]
    ((4994, 3), ['2024-12', '2025-01', '2025-02'])
    >>> report = cube.attrs["report"]
    >>> int(cube.sum().sum()) == report.rows_kept
    True
    >>> report.rows_read == report.rows_kept + sum(report.dropped.values())
    True

    A progress callback sees each file finish:

    >>> seen = []
    >>> cube = hotspots.count_police_uk(
    ...     path, boundaries.load("boroughs"), progress=lambda *done: seen.append(done)
    ... )
    >>> [files for files, _, _ in seen], seen[-1][2] == cube.attrs["report"].rows_read
    ([1, 2, 3, 4], True)
    """
    if not isinstance(areas, gpd.GeoDataFrame):
        raise InputError("areas must be a GeoDataFrame of polygons indexed by area code")
    if not areas.index.is_unique:
        raise InputError("areas index (area codes) has duplicates")
    if areas.crs is None:
        raise InputError("points and areas need a coordinate reference system (crs)")
    tolerance = _checked_tolerance(tolerance)
    if isinstance(workers, bool) or not isinstance(workers, (int, np.integer)) or workers < 1:
        raise InputError("workers must be a whole number, 1 or more", value=workers)
    if client is not None and workers != 1:
        raise InputError("give either client (dask) or workers (local processes), not both")
    if isinstance(block_size, bool) or not isinstance(block_size, (int, np.integer)):
        raise InputError("block_size must be a number of bytes", value=block_size)
    if progress is not None and not callable(progress):
        raise InputError("progress must be a function of (files_done, files_total, rows_read)")
    if block_size < 1 << 16:
        raise InputError("block_size must be at least 65536 bytes", value=block_size)
    type_keys = None if crime_types is None else resolve_categories(crime_types, "police.uk")
    wanted_months = None if months is None else _parse_months(months)
    members, notes = _collect(source)

    task = _FileTask(areas, tolerance, type_keys, wanted_months, int(block_size))
    if client is not None:
        from hotspots.aggregation._dask import map_files

        results = map_files(client, task, members)
    elif workers > 1 and len(members) > 1:
        results = _map_processes(task, members, int(workers))
    else:
        results = (task(member) for member in members)
    total = _Total(areas, tolerance)
    for done, file_result in enumerate(results, start=1):
        total.add(file_result)
        if progress is not None:
            progress(done, len(members), sum(total.files.values()))
    return total.result(areas, source, type_keys, notes)


@dataclass
class _Placed:
    """A chunk after placement: the kept rows' area, month, force, type and flags."""

    file: str
    rows: int
    dropped: dict[str, int]
    notes: list[str]
    row: np.ndarray  # data row in the file
    position: np.ndarray  # in areas, -1 outside all
    month: np.ndarray  # monthly ordinal
    force: np.ndarray  # code into forces
    forces: list[str]
    crime_type: np.ndarray
    crime_types: list[str]
    near: np.ndarray  # placed by the tie-break
    on_line: np.ndarray  # on a line between areas
    has_id: np.ndarray
    fingerprint: np.ndarray
    published: set[tuple[int, str | None]] | None = None  # as Chunk.published


class _Placer:
    """Point-in-polygon with the tie-break of ``aggregate``; each distinct point once."""

    def __init__(self, areas: gpd.GeoDataFrame, tolerance: float) -> None:
        if areas.crs.is_geographic:
            areas = areas.to_crs(27700)
        self.transformer = (
            None
            if areas.crs == pyproj.CRS.from_epsg(27700)
            else pyproj.Transformer.from_crs(27700, areas.crs, always_xy=True)
        )
        self.index = areas.index
        self.lookup = {str(code): i for i, code in enumerate(areas.index)}
        self.polygons = areas.geometry.to_numpy()
        self.tree = shapely.STRtree(self.polygons)
        self.tolerance = tolerance
        self.known = pd.Index([], dtype=complex)
        self.first = np.zeros(0, dtype=np.int64)
        self.hits = np.zeros(0, dtype=np.int64)
        self.pairs = pd.Index([], dtype=np.int64)  # map point * areas + named area
        self.close = np.zeros(0, dtype=bool)

    def _near(self, point: np.ndarray, named: np.ndarray, position: np.ndarray) -> np.ndarray:
        """As ``_near_named``; each (map point, named area) pair measured once per process."""
        differs = (named >= 0) & (named != position)
        near = np.zeros(len(point), dtype=bool)
        if not differs.any():
            return near
        pairs, pair_of_row = np.unique(
            point[differs] * len(self.polygons) + named[differs], return_inverse=True
        )
        found = self.pairs.get_indexer(pairs)
        new = found < 0
        if new.any():
            at = pairs[new] // len(self.polygons)
            close = shapely.dwithin(
                shapely.points(self.known.values.real[at], self.known.values.imag[at]),
                self.polygons[pairs[new] % len(self.polygons)],
                self.tolerance,
            )
            found[new] = len(self.pairs) + np.arange(int(new.sum()))
            self.pairs = self.pairs.append(pd.Index(pairs[new]))
            self.close = np.concatenate([self.close, close])
        near[differs] = self.close[found][pair_of_row]
        return near

    def __call__(self, chunk: Chunk) -> _Placed:
        row, x, y, month = chunk.row, chunk.x, chunk.y, chunk.month
        has_id, fingerprint = chunk.has_id, chunk.fingerprint
        if (
            row is None
            or x is None
            or y is None
            or month is None
            or has_id is None
            or fingerprint is None
            or not len(x)
        ):  # a chunk without kept rows (its arrays are all None or all empty)
            empty = np.zeros(0, dtype=np.int64)
            return _Placed(
                chunk.file, chunk.rows, chunk.dropped, chunk.notes, empty, empty, empty,
                empty, [], empty, [], empty.astype(bool), empty.astype(bool),
                empty.astype(bool), empty.astype(np.uint64), chunk.published,
            )  # fmt: skip
        n = len(x)
        if self.transformer is not None:
            x, y = (np.asarray(v) for v in self.transformer.transform(x, y))
        codes, uniques = pd.factorize(x + 1j * y)
        found = self.known.get_indexer(uniques)
        new = found < 0
        if new.any():
            points = shapely.points(uniques.real[new], uniques.imag[new])
            hit_point, hit_area = self.tree.query(points, predicate="intersects")
            first = np.full(int(new.sum()), len(self.polygons), dtype=np.int64)
            np.minimum.at(first, hit_point, hit_area)
            first[first == len(self.polygons)] = -1
            hits = np.bincount(hit_point, minlength=int(new.sum()))
            found[new] = len(self.known) + np.arange(int(new.sum()))
            self.known = self.known.append(pd.Index(uniques[new]))
            self.first = np.concatenate([self.first, first])
            self.hits = np.concatenate([self.hits, hits])
        position = self.first[found][codes]
        on_line = self.hits[found][codes] > 1
        near = np.zeros(n, dtype=bool)
        if self.tolerance > 0:
            named = _dictionary_positions(chunk.lsoa_code, self.lookup)
            near = self._near(found[codes], named, position)
            position = np.where(near, named, position)
            on_line &= ~near
        force_codes, forces = _codes(chunk.force)
        type_codes, types = _codes(chunk.crime_type)
        return _Placed(
            chunk.file,
            chunk.rows,
            chunk.dropped,
            chunk.notes,
            row,
            position,
            month,
            force_codes,
            [str(f) for f in forces],
            type_codes,
            [str(t) for t in types],
            near,
            on_line,
            has_id,
            fingerprint,
            chunk.published,
        )


def _codes(values: pa.DictionaryArray) -> tuple[np.ndarray, list[Any]]:
    """Each row's code into the dictionary (-1 when missing), and the dictionary.

    The dictionary as Arrow's Python values (str for the text columns).
    """
    codes = values.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    return codes, values.dictionary.to_pylist()


def _dictionary_positions(values: pa.DictionaryArray, lookup: dict[str, int]) -> np.ndarray:
    """As ``_named_positions``: each row's own area code's position in the areas (or -1)."""
    codes, names = _codes(values)
    found = np.fromiter((lookup.get(name, -1) for name in names), np.int64, len(names))
    return np.append(found, -1)[codes]


@dataclass
class _FileTask:
    """Read and place one file (picklable: sent to local processes or dask workers)."""

    areas: gpd.GeoDataFrame
    tolerance: float
    type_keys: frozenset[str] | None
    wanted_months: pd.PeriodIndex | None
    block_size: int
    _placers: dict[int, tuple[_Placer, Projector]] = field(default_factory=dict, repr=False)

    def __getstate__(self) -> dict[str, object]:
        return {**self.__dict__, "_placers": {}}

    def __call__(self, member: _Member) -> list[_Placed]:
        # one placer (and its cache of placed map points) per thread
        tools = self._placers.get(threading.get_ident())
        if tools is None:
            tools = _Placer(self.areas, self.tolerance), Projector()
            self._placers[threading.get_ident()] = tools
        placer, projector = tools
        chunks = iter_chunks(
            member,
            projector=projector,
            type_keys=self.type_keys,
            wanted_months=self.wanted_months,
            block_size=self.block_size,
        )
        return [placer(chunk) for chunk in chunks]


_WORKER_TASK: _FileTask | None = None


def _init_worker(task: _FileTask) -> None:
    global _WORKER_TASK
    _WORKER_TASK = task


def _run_in_worker(member: _Member) -> list[_Placed]:
    assert _WORKER_TASK is not None
    return _WORKER_TASK(member)


def _run_task(task: _FileTask, member: _Member) -> list[_Placed]:
    return task(member)


def _map_processes(
    task: _FileTask, members: list[_Member], workers: int
) -> Iterator[list[_Placed]]:
    """Each file in a local process, results in file order, a few files ahead at most."""
    members = [_Member(m.name, _picklable_reader(m)) for m in members]
    with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(task,)) as pool:
        pending: list[Future[list[_Placed]]] = []
        for member in members:
            pending.append(pool.submit(_run_in_worker, member))
            if len(pending) > 2 * workers:
                yield pending.pop(0).result()
        for future in pending:
            yield future.result()


class _ZipRead:
    def __init__(self, archive: str, name: str) -> None:
        self.archive, self.name = archive, name

    def __call__(self) -> bytes:
        import zipfile

        with zipfile.ZipFile(self.archive) as archive:
            return archive.read(self.name)


class _FileRead:
    def __init__(self, path: str) -> None:
        self.path = path

    def __call__(self) -> bytes:
        from pathlib import Path

        from hotspots.io._police_uk import _gunzip

        path = Path(self.path)
        return _gunzip(path) if self.path.endswith(".gz") else path.read_bytes()


def _picklable_reader(member: _Member) -> Callable[[], bytes]:
    """The member's reader as a picklable object (the reader's closures are not)."""
    from pathlib import Path

    if Path(member.name).is_file():
        return _FileRead(member.name)
    archive, name = member.name.rsplit(":", 1)  # "<archive>:<member>", as _collect names them
    return _ZipRead(archive, name)


class _Total:
    """Everything that is added up over files: counts, accounting, forces per month."""

    def __init__(self, areas: gpd.GeoDataFrame, tolerance: float) -> None:
        self.n_areas = len(areas)
        self.tolerance = tolerance
        self.counts: dict[int, np.ndarray] = {}  # month ordinal -> counts per area
        self.dropped = dict.fromkeys(READ_REASONS, 0)
        self.outside = 0
        self.notes: list[str] = []
        self.noted: set[str] = set()
        self.files: dict[str, int] = {}
        self.month_forces: set[tuple[int, str]] = set()
        self.crime_types: set[str] = set()
        self.near = 0
        self.on_line = 0
        self.month_range: list[int] = []  # of kept points
        self.source_months: set[int] = set()  # months with kept points
        self.published_months: set[int] = set()  # months with rows of any crime type
        self.runs: list[np.ndarray] = []  # sorted fingerprints of ids kept so far

    def add(self, placed_chunks: list[_Placed]) -> None:
        for placed in placed_chunks:
            self._add(placed)

    def _add(self, p: _Placed) -> None:
        self.files[p.file] = self.files.get(p.file, 0) + p.rows
        for reason, n in p.dropped.items():
            self.dropped[reason] += n
        for note in p.notes:
            self._note(note)
        if p.published is not None:  # every crime type's months and forces decide coverage
            self.published_months.update(m for m, _ in p.published)
            self.month_forces |= {(m, f) for m, f in p.published if f is not None}
        if not len(p.position):
            return
        keep = ~self._duplicates(p.fingerprint, p.has_id)
        if not keep.all():
            n = int((~keep).sum())
            self.dropped[DUPLICATE] += n
            first = int(p.row[np.flatnonzero(~keep)[0]])
            self._note(f"{DUPLICATE}: first at {p.file}, row {first + 2}, column 'Crime ID'")
        position, month = p.position[keep], p.month[keep]
        if not len(position):
            return
        self.month_range += [int(month.min()), int(month.max())]
        self.month_range = [min(self.month_range), max(self.month_range)]
        self.source_months.update(np.unique(month).tolist())
        force = p.force[keep]
        pairs = np.unique(month[force >= 0] * (len(p.forces) + 1) + force[force >= 0])
        self.month_forces |= {
            (int(pair // (len(p.forces) + 1)), p.forces[pair % (len(p.forces) + 1)])
            for pair in pairs
        }
        types = p.crime_type[keep]
        self.crime_types |= {p.crime_types[t] for t in np.unique(types[types >= 0])}
        self.near += int(p.near[keep].sum())
        self.on_line += int(p.on_line[keep].sum())
        located = position >= 0
        self.outside += int((~located).sum())
        for m in np.unique(month[located]):
            here = located & (month == m)
            counts = np.bincount(position[here], minlength=self.n_areas)
            if int(m) in self.counts:
                self.counts[int(m)] += counts
            else:
                self.counts[int(m)] = counts

    def _note(self, note: str) -> None:
        reason = note.split(":", 1)[0]
        key = note if reason not in READ_REASONS or reason == "malformed row" else reason
        if key not in self.noted:
            self.noted.add(key)
            self.notes.append(note)

    def _duplicates(self, fingerprint: np.ndarray, has_id: np.ndarray) -> np.ndarray:
        """Rows whose id was seen before (in earlier chunks or earlier in this one)."""
        fp = fingerprint[has_id]
        order = np.argsort(fp, kind="stable")  # sorted keys: searchsorted walks in order
        ordered = fp[order]
        repeated = np.zeros(len(fp), dtype=bool)
        repeated[1:] = ordered[1:] == ordered[:-1]  # a later row of an id in this chunk
        for run in self.runs:
            at = np.minimum(np.searchsorted(run, ordered), len(run) - 1)
            repeated |= run[at] == ordered
        new = ordered[~repeated]
        if len(new):
            self.runs.append(new)
            # merge runs of similar size: log(n) runs, each id merged log(n) times
            while len(self.runs) > 1 and len(self.runs[-1]) * 2 >= len(self.runs[-2]):
                last = self.runs.pop()
                merged = np.concatenate([self.runs.pop(), last])
                merged.sort()
                self.runs.append(merged)
        unordered = np.empty(len(fp), dtype=bool)
        unordered[order] = repeated
        repeated = unordered
        out = np.zeros(len(has_id), dtype=bool)
        out[has_id] = repeated
        return out

    def result(
        self,
        areas: gpd.GeoDataFrame,
        source: object,
        type_keys: frozenset[str] | None,
        notes: list[str],
    ) -> pd.DataFrame:
        # every month from the source's first to its last (rows of any crime type)
        source_months = self.source_months | self.published_months
        if source_months:
            months = pd.period_range(
                *(pd.Period(ordinal=m, freq="M") for m in (min(source_months), max(source_months))),
                freq="M",
            )
        else:
            months = pd.PeriodIndex([], freq="M")
        months.name = "month"
        cube = np.zeros((self.n_areas, len(months)))
        for j, month in enumerate(months):
            if month.ordinal in self.counts:
                cube[:, j] = self.counts[month.ordinal]
        forces = sorted({force for _, force in self.month_forces})
        covered = _covered(areas, forces, None)
        coverage = np.repeat(covered[:, None], len(months), axis=1)
        for j, month in enumerate(months):
            here = [force for m, force in self.month_forces if m == month.ordinal]
            coverage[:, j] &= _covered(areas, here, None)
        empty = ~np.isin(months.asi8, list(source_months))
        coverage[:, empty] = False
        not_covered = int(cube[~coverage].sum())
        cube[~coverage] = np.nan
        table = pd.DataFrame(cube, index=areas.index.copy(), columns=months)

        read_kept = sum(self.files.values()) - sum(self.dropped.values())
        dropped = {reason: n for reason, n in self.dropped.items() if n}
        dropped[NOT_IN_AREAS] = self.outside
        dropped[NOT_COVERED] = not_covered
        place_notes = []
        if empty.any():
            place_notes.append(
                "months with no data in the source (left as no data, never zero): "
                + ", ".join(str(m) for m in months[empty])
            )
        if self.near:
            place_notes.append(
                f"boundary tie-break: {self.near:,} points in another area (or none) by "
                f"point-in-polygon but within {self.tolerance:g} m of the area their "
                "lsoa_code names, counted in the named area"
            )
        if self.on_line:
            place_notes.append(
                f"{self.on_line:,} points on a boundary between areas, each counted in the "
                "first area"
            )
        source_name = _source_name(source)
        report = LoadReport(
            source_name,
            rows_read=sum(self.files.values()),
            rows_kept=read_kept - self.outside - not_covered,
            dropped=dropped,
            files=self.files,
            notes=(*notes, *self.notes, *place_notes),
        )
        if self.month_range:
            first, last = (pd.Period(ordinal=m, freq="M") for m in self.month_range)
            period = str(first) if first == last else f"{first} to {last}"
        else:
            period = "no months"
        layer = shipped_layer(areas)
        table.attrs = {
            "hotspots": {
                "source": f"data.police.uk street-level crime ({source_name})",
                "period": period,
                "crime_type": _crime_type_text(type_keys, pd.Series(sorted(self.crime_types))),
                "level": layer or "custom areas",
            },
            "report": report,
        }
        log_report(report)
        return table
