"""read_police_uk on real police.uk extracts and crafted bad files."""

from __future__ import annotations

import gzip
import logging
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _helpers import GOOD, HEADER

import hotspots
from hotspots import InputError, read_police_uk

DATA = Path(__file__).parent / "data" / "police_uk"
CITY = DATA / "2024-12-city-of-london-street.csv"
MET = DATA / "2024-12-metropolitan-street.csv"  # the first 619 rows of the real month


def _balanced(report: hotspots.LoadReport) -> bool:
    return report.rows_read == report.rows_kept + sum(report.dropped.values())


def test_city_file_every_row_accounted_for():
    raw = pd.read_csv(CITY, dtype=str)
    points = read_police_uk(CITY)
    report = points.attrs["report"]
    assert report.rows_read == len(raw) == 766
    assert _balanced(report)
    # independent reference: rows without coordinates and repeated non-empty ids
    no_xy = raw["Longitude"].isna()
    assert report.dropped["no coordinates"] == no_xy.sum() == 89
    ids = raw.loc[~no_xy, "Crime ID"].dropna()
    assert report.dropped["duplicate crime id"] == ids.duplicated().sum()
    # ASB rows have no Crime ID and are never duplicates of each other
    assert points["crime_id"].isna().sum() == raw.loc[~no_xy, "Crime ID"].isna().sum()
    assert points.crs.to_epsg() == 27700
    assert list(points.columns) == [
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
        "geometry",
    ]
    assert str(points["month"].dtype) == "period[M]"
    assert points.attrs["hotspots"]["forces"] == ["City of London Police"]


def test_projection_matches_known_point():
    # Nelson's Column: 51.50773 N, 0.12797 W is about (530020, 180410) on the National Grid
    points = hotspots.points_from_frame(
        pd.DataFrame({"lon": [-0.12797], "lat": [51.50773]}), x="lon", y="lat"
    )
    assert points.geometry.x.iloc[0] == pytest.approx(530020, abs=15)
    assert points.geometry.y.iloc[0] == pytest.approx(180410, abs=15)


def test_met_rows_outside_london_dropped():
    points = read_police_uk(MET)
    report = points.attrs["report"]
    assert report.rows_read == 619
    assert report.dropped == {"outside London": 1}
    assert any("row 612" in note for note in report.notes)


@pytest.mark.parametrize(
    "kind", ["zip", "folder", "list", "gzip"], ids=["zip", "folder", "list", "gzip"]
)
def test_source_kinds_agree(tmp_path, kind):
    expected = len(read_police_uk([CITY, MET]))
    if kind == "zip":
        source = tmp_path / "download.zip"
        with zipfile.ZipFile(source, "w") as archive:
            archive.write(CITY, f"2024-12/{CITY.name}")
            archive.write(MET, f"2024-12/{MET.name}")
            archive.writestr(
                "2024-12/2024-12-city-of-london-outcomes.csv", "Crime ID,Outcome type\n"
            )
            archive.writestr("2024-12/2024-12-city-of-london-stop-and-search.csv", "Type\n")
    elif kind == "folder":
        source = tmp_path / "download"
        (source / "2024-12").mkdir(parents=True)
        shutil.copy(CITY, source / "2024-12")
        shutil.copy(MET, source / "2024-12")
        (source / "2024-12" / "2024-12-city-of-london-outcomes.csv").write_text("Crime ID\n")
    elif kind == "list":
        source = [MET, CITY]
    else:
        source = [tmp_path / "city-street.csv.gz", MET]
        source[0].write_bytes(gzip.compress(CITY.read_bytes()))
    points = read_police_uk(source)
    assert len(points) == expected
    assert _balanced(points.attrs["report"])
    if kind in ("zip", "folder"):
        assert any("outcomes" in note for note in points.attrs["report"].notes)


def test_forces_merge_sample_zip():
    points = read_police_uk(hotspots.sample_path("police-uk-burglary"))
    assert set(points["force"]) == {"Metropolitan Police Service", "City of London Police"}
    assert _balanced(points.attrs["report"])
    assert points.attrs["hotspots"]["period"] == "2024-12 to 2025-02"


@pytest.mark.parametrize(
    ("crime_types", "months", "kept_types", "kept_months"),
    [
        ("BURGLARY", None, {"Burglary"}, None),
        (["shop lifting", "Robbery"], None, {"Shoplifting", "Robbery"}, None),
        (None, ["2025-01"], None, {"2025-01"}),
        ("burglary", pd.Period("2024-12", "M"), {"Burglary"}, {"2024-12"}),
    ],
    ids=["upper-case", "spacing", "month", "both"],
)
def test_filters_are_accounted(crime_types, months, kept_types, kept_months):
    points = read_police_uk(
        hotspots.sample_path("police-uk-burglary"), crime_types=crime_types, months=months
    )
    report = points.attrs["report"]
    assert _balanced(report)
    if kept_types:
        assert set(points["crime_type"]) == kept_types
        assert report.dropped["crime type filtered out"] > 0
    if kept_months:
        assert set(points["month"].astype(str)) == kept_months
        assert report.dropped["month filtered out"] > 0


def test_unknown_crime_type_lists_valid_ones():
    with pytest.raises(InputError, match="Violence and sexual offences"):
        read_police_uk(CITY, crime_types="burglry")


def _write(tmp_path: Path, text: str | bytes, name: str = "2024-12-test-street.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def test_bad_rows_are_reported_not_fatal(tmp_path):
    rows = [
        GOOD,
        GOOD.replace("abc", "def").replace("-0.1276", "west"),  # unparseable coordinate
        GOOD.replace("abc", "ghi").replace("2024-12", "Dec 2024"),  # unparseable month
        GOOD.replace("abc", "jkl")
        .replace("51.5072", "55.9533")
        .replace("-0.1276", "-3.1883"),  # Edinburgh
        GOOD,  # duplicate id
        GOOD.replace("abc", "").replace("Burglary", "Anti-social behaviour"),
        GOOD.replace("abc", "").replace(
            "Burglary", "Anti-social behaviour"
        ),  # empty ids: not duplicates
        "too,few,fields\n",
        GOOD.replace("abc", "mno").replace("-0.1276,51.5072", ","),  # no coordinates
    ]
    points = read_police_uk(_write(tmp_path, HEADER + "".join(rows)))
    report = points.attrs["report"]
    assert report.rows_read == 9
    assert report.rows_kept == 3
    assert report.dropped == {
        "malformed row": 1,
        "unparseable month": 1,
        "no coordinates": 1,
        "unparseable coordinates": 1,
        "outside London": 1,
        "duplicate crime id": 1,
    }
    assert any("row 3, column 'Longitude', value 'west'" in note for note in report.notes)


def test_report_is_logged_and_printable(caplog):
    with caplog.at_level(logging.INFO, logger="hotspots"):
        points = read_police_uk(CITY)
    assert "766 rows read" in caplog.text
    assert str(points.attrs["report"]).startswith(
        "2024-12-city-of-london-street.csv: 766 rows read"
    )


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (b"", "empty file"),
        (b"  \n", "empty file"),
        (b"Crime ID,Month,Outcome type\nx,2024-12,Court\n", "missing columns 'Reported by'"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not a data.police.uk street-level crime file"),
        (
            (HEADER + GOOD.replace("On or near X", "On or near Caf\xe9")).encode("utf-16"),
            "text is UTF-16",
        ),
    ],
    ids=["empty", "blank", "outcomes-file", "binary", "utf16"],
)
def test_unusable_files_raise(tmp_path, content, match):
    path = _write(tmp_path, content)
    with pytest.raises(InputError, match=match) as info:
        read_police_uk(path)
    assert info.value.file == str(path)


def test_cp1252_text_is_read_and_noted(tmp_path):
    text = HEADER + GOOD.replace("On or near X", "On or near Café Row")
    points = read_police_uk(_write(tmp_path, text.encode("cp1252")))
    assert points["location"].iloc[0] == "On or near Café Row"
    assert any("Windows-1252" in note for note in points.attrs["report"].notes)


def test_utf8_bom_and_extra_columns(tmp_path):
    text = HEADER.replace("Context\n", "Context,Extra\n") + GOOD.replace(",\n", ",,x\n")
    points = read_police_uk(_write(tmp_path, b"\xef\xbb\xbf" + text.encode()))
    assert len(points) == 1
    assert any("'Extra'" in note for note in points.attrs["report"].notes)


def test_missing_optional_columns_are_missing_values(tmp_path):
    header = HEADER.replace(",Last outcome category,Context", "")
    row = GOOD.replace(",Under investigation,\n", "\n")
    points = read_police_uk(_write(tmp_path, header + row))
    assert points["outcome"].isna().all()
    assert points["context"].isna().all()


@pytest.mark.parametrize(
    ("source", "match"),
    [("does-not-exist.csv", "no such file"), ("folder", "no police.uk street-level files")],
    ids=["missing", "empty-folder"],
)
def test_missing_inputs(tmp_path, source, match):
    path = tmp_path / source
    if source == "folder":
        path.mkdir()
    with pytest.raises(InputError, match=match):
        read_police_uk(path)


def test_zip_without_street_files(tmp_path):
    path = tmp_path / "outcomes.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("2024-12/2024-12-met-outcomes.csv", "Crime ID\n")
    with pytest.raises(InputError, match=r"no police\.uk street-level files"):
        read_police_uk(path)


def test_bad_months_argument():
    with pytest.raises(InputError, match="monthly periods"):
        read_police_uk(CITY, months="2024-13")


def test_header_only_file_gives_empty_result(tmp_path):
    points = read_police_uk(_write(tmp_path, HEADER))
    assert len(points) == 0
    assert points.attrs["report"].rows_read == 0
    assert points.crs.to_epsg() == 27700


@pytest.mark.parametrize(
    "ids",
    [
        ["a1", None, "a2", "a1", "b3", None, "a2", "b3"],
        ["abc", "ab", "abc", None, "ab"],
        ["f" * 64, "e" * 64, None, "f" * 64, "0123456789" * 6 + "0123"],
        [None, None, None],
    ],
    ids=["same-length", "mixed-length", "police-uk-length", "all-missing"],
)
def test_duplicate_ids_match_pandas(ids):
    from hotspots.io._police_uk import _duplicated_among

    series = pd.Series(ids, dtype="str")
    keep = np.ones(len(series), dtype=bool)
    keep[1] = False  # a row already dropped is not an earlier occurrence
    expected = np.zeros(len(series), dtype=bool)
    expected[keep] = series[keep].duplicated().to_numpy() & series[keep].notna().to_numpy()
    np.testing.assert_array_equal(_duplicated_among(series, keep) & keep, expected)
