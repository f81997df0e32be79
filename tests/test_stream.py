"""count_police_uk (streaming, parallel, dask) equals read_police_uk + aggregate."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from _helpers import GOOD, HEADER

import boundaries
import hotspots
from hotspots import InputError, aggregate_monthly, count_police_uk, read_police_uk

SAMPLE = hotspots.sample_path("police-uk-burglary")
DATA = Path(__file__).parent / "data" / "police_uk"  # real extracts (see test_police_uk.py)


@pytest.fixture(scope="module")
def lsoa():
    return boundaries.load("lsoa")


def _reference(source, areas, **kw):
    points = read_police_uk(source, **{k: v for k, v in kw.items() if k != "tolerance"})
    table = aggregate_monthly(points, areas, tolerance=kw.get("tolerance", 20.0))
    read, placed = points.attrs["report"], table.attrs["report"]
    return table, read, placed


def _assert_same(got, source, areas, notes=True, **kw):
    table, read, placed = _reference(source, areas, **kw)
    pd.testing.assert_frame_equal(got, table)
    report = got.attrs["report"]
    assert report.rows_read == read.rows_read
    assert report.rows_kept == placed.rows_kept
    assert dict(report.dropped) == {**read.dropped, **placed.dropped}
    assert dict(report.files) == dict(read.files)
    assert got.attrs["hotspots"] == table.attrs["hotspots"]
    if not notes:
        return
    # the notes of both steps, but the duplicate note names no id value
    assert {n.split(", value")[0] for n in report.notes} >= {
        n.split(", value")[0] for n in (*read.notes, *placed.notes) if "duplicate" not in n
    }


def _extract(tmp_path: Path) -> list[Path]:
    """The real City month and Met extract, and the Met extract relabelled as 2025-01."""
    for source in DATA.glob("*-street.csv"):
        (tmp_path / source.name).write_bytes(source.read_bytes())
    met = (DATA / "2024-12-metropolitan-street.csv").read_text(encoding="utf-8")
    january = met.replace(",2024-12,", ",2025-01,")
    # fresh ids, so that January's rows are not duplicates of December's
    lines = january.splitlines(keepends=True)
    lines[1:] = [("f" + line[1:]) if line[:1] not in ("", ",") else line for line in lines[1:]]
    (tmp_path / "2025-01-metropolitan-street.csv").write_text("".join(lines), encoding="utf-8")
    return sorted(tmp_path.rglob("*-street.csv"))


def test_shipped_sample_equals_read_and_aggregate(lsoa):
    _assert_same(count_police_uk(SAMPLE, lsoa, block_size=1 << 18), SAMPLE, lsoa)


@pytest.mark.parametrize(
    "kw",
    [
        {"crime_types": "burglary", "months": ["2024-12"]},
        {"tolerance": 0.0},
        {"block_size": 1 << 16},  # several blocks per file
    ],
    ids=["filters", "no-tie-break", "small-blocks"],
)
def test_extracts_equal_read_and_aggregate(tmp_path, lsoa, kw):
    _extract(tmp_path)
    got = count_police_uk(tmp_path, lsoa, **kw)
    _assert_same(got, tmp_path, lsoa, **{k: v for k, v in kw.items() if k != "block_size"})


def test_wards(tmp_path):
    _extract(tmp_path)
    wards = boundaries.load("wards")
    _assert_same(count_police_uk(tmp_path, wards), tmp_path, wards)


def test_edited_copies_duplicates_across_files_and_bad_rows(tmp_path, lsoa):
    """Rows repeated across files, malformed lines, bad months and coordinates, a City file."""
    files = _extract(tmp_path)
    met = next(f for f in files if "2025-01-metropolitan" in f.name)
    lines = met.read_text(encoding="utf-8").splitlines(keepends=True)
    # repeat 50 rows of December's Met file (same ids) at the end of January's
    dec = next(f for f in files if "2024-12-metropolitan" in f.name)
    repeated = dec.read_text(encoding="utf-8").splitlines(keepends=True)[1:51]
    bad = [
        "too,few,fields\n",
        GOOD.replace("2024-12", "Dec 2024").replace("abc", "m1"),
        GOOD.replace("-0.1276", "west").replace("abc", "m2"),
        GOOD.replace("51.5072", "55.9533").replace("abc", "m3"),
    ]
    met.write_text("".join([*lines, *repeated, *bad]), encoding="utf-8")
    got = count_police_uk(tmp_path, lsoa, block_size=1 << 16)
    _assert_same(got, tmp_path, lsoa)
    assert got.attrs["report"].dropped["duplicate crime id"] >= 50


def test_parallel_processes_equal_serial(tmp_path, lsoa):
    _extract(tmp_path)
    serial = count_police_uk(tmp_path, lsoa)
    parallel = count_police_uk(tmp_path, lsoa, workers=2)
    pd.testing.assert_frame_equal(parallel, serial)
    assert parallel.attrs["report"] == serial.attrs["report"]


@pytest.mark.parametrize("workers", [1, 2], ids=["serial", "two-processes"])
def test_progress_is_called_once_per_file_in_order(workers):
    boroughs = boundaries.load("boroughs")
    calls = []
    got = count_police_uk(
        SAMPLE, boroughs, workers=workers, progress=lambda *done: calls.append(done)
    )
    assert [files for files, _, _ in calls] == [1, 2, 3, 4]  # the sample's four CSVs
    assert {total for _, total, _ in calls} == {4}
    rows = [n for _, _, n in calls]
    assert all(a < b for a, b in itertools.pairwise(rows))
    assert rows[-1] == got.attrs["report"].rows_read


def test_city_only_month_is_not_covered_elsewhere(tmp_path, lsoa):
    files = _extract(tmp_path)
    city = next(f for f in files if "city-of-london" in f.name)
    got = count_police_uk(city, lsoa)
    _assert_same(got, city, lsoa)
    assert got.notna().sum().sum() == int(np.isin(lsoa.index, got.dropna().index).sum())


def test_header_only_file(tmp_path, lsoa):
    path = tmp_path / "2024-12-test-street.csv"
    path.write_text(HEADER, encoding="utf-8")
    got = count_police_uk(path, lsoa)
    assert got.shape == (len(lsoa), 0)
    assert got.attrs["report"].rows_read == 0


def test_cp1252_file(tmp_path, lsoa):
    path = tmp_path / "2024-12-test-street.csv"
    path.write_bytes((HEADER + GOOD.replace("On or near X", "On or near Café")).encode("cp1252"))
    got = count_police_uk(path, lsoa)
    # the accent is in a column that counting does not read: no fallback needed
    _assert_same(got, path, lsoa, notes=False)
    crime_type = HEADER + GOOD.replace("Burglary", "Burglary\xe9")
    path.write_bytes(crime_type.encode("cp1252"))
    got = count_police_uk(path, lsoa)
    _assert_same(got, path, lsoa)
    assert any("Windows-1252" in note for note in got.attrs["report"].notes)


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"workers": 0}, "workers"),
        ({"block_size": 10}, "block_size"),
        ({"tolerance": -1}, "tolerance"),
        ({"workers": 2, "client": object()}, "not both"),
        ({"progress": "yes"}, "progress"),
    ],
    ids=["workers", "block", "tolerance", "both", "progress"],
)
def test_bad_arguments(lsoa, kw, match):
    with pytest.raises(InputError, match=match):
        count_police_uk(SAMPLE, lsoa, **kw)


def test_dask_local_cluster_equals_in_memory(tmp_path, lsoa):
    distributed = pytest.importorskip("distributed")
    _extract(tmp_path)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        got = count_police_uk(tmp_path, lsoa, client=client)
    _assert_same(got, tmp_path, lsoa)


def test_id_fingerprints_depend_on_the_id_only():
    from hotspots.io._stream import fingerprints

    ids = ["a" * 64, "b" * 64, None, "c" * 64, "xy", "a" * 64, "xy", "c" * 63 + "d", "a" * 63]
    has, fp = fingerprints(pa.array(ids))
    assert has.tolist() == [i is not None for i in ids]
    assert fp[0] == fp[5] and fp[4] == fp[6]
    assert len(set(fp[has].tolist())) == 6
    # the same ids in another block (sliced, mixed with other widths) hash alike
    _, again = fingerprints(pa.array(ids[3:]))
    assert (again == fp[3:]).all()


def test_month_without_files_is_no_data(tmp_path, lsoa):
    files = _extract(tmp_path)
    january = next(f for f in files if f.name.startswith("2025-01"))
    text = january.read_text(encoding="utf-8").replace(",2025-01,", ",2025-02,")
    (tmp_path / "2025-02-metropolitan-street.csv").write_text(text, encoding="utf-8")
    january.unlink()
    got = count_police_uk(tmp_path, lsoa)
    _assert_same(got, tmp_path, lsoa)
    assert [str(m) for m in got.columns] == ["2024-12", "2025-01", "2025-02"]
    assert got["2025-01"].isna().all()
    assert any("2025-01" in note for note in got.attrs["report"].notes)


@pytest.mark.parametrize(
    "crime_type",
    ["robbery", "anti-social behaviour", "burglary"],
    ids=["city-december-only", "one-month-only", "every-month"],
)
def test_crime_type_coverage_follows_every_type(lsoa, crime_type):
    """A type a force recorded none of in a month is a zero there, as aggregate has it.

    In the shipped sample robbery comes only from the City's December file: the
    Met still published every month, so its areas are zeros, not no data.
    """
    got = count_police_uk(SAMPLE, lsoa, crime_types=crime_type)
    points = read_police_uk(SAMPLE)
    table = aggregate_monthly(points, lsoa, crime_types=crime_type)
    pd.testing.assert_frame_equal(got, table)
    assert got.shape[1] == 3  # every month of the source, whatever the type
    report, read = got.attrs["report"], read_police_uk(SAMPLE, crime_types=crime_type)
    assert report.rows_kept == table.attrs["report"].rows_kept
    assert report.rows_read == read.attrs["report"].rows_read
    assert report.rows_read == report.rows_kept + sum(report.dropped.values())
