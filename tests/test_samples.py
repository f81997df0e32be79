"""The shipped crime samples: present, unchanged copies of the releases, and findable."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest

import boundaries
import hotspots
from hotspots import sample_path
from hotspots.io import _samples

DATA = Path(hotspots.__file__).parent / "_data"
MANIFEST = json.loads((DATA / "manifest.json").read_text(encoding="utf-8"))
SAMPLES = ["mps-ward-crime", "police-uk-burglary"]
POLICE_UK_COLUMNS = [
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("name", SAMPLES, ids=SAMPLES)
def test_sample_path_exists_and_matches_manifest(name):
    path = sample_path(name)
    assert isinstance(path, Path)
    assert path.is_file()
    assert path.name == MANIFEST[name]["file"]
    assert sha256(path.read_bytes()) == MANIFEST[name]["sha256"]


@pytest.mark.parametrize("name", ["mps_ward_crime", "police-uk", ""], ids=["underscore", "x", "e"])
def test_unknown_sample_lists_valid_names(name):
    with pytest.raises(
        ValueError, match="valid samples are 'mps-ward-crime', 'police-uk-burglary'"
    ):
        sample_path(name)


def test_mps_ward_table_is_the_unchanged_release():
    raw = gzip.decompress(sample_path("mps-ward-crime").read_bytes())
    assert sha256(raw) == MANIFEST["mps-ward-crime"]["source_sha256"]
    table = pd.read_csv(io.BytesIO(raw))
    months = pd.period_range("2023-07", "2025-06", freq="M").strftime("%Y%m").tolist()
    assert table.columns.tolist() == [
        "MajorText",
        "MinorText",
        "WardName",
        "WardCode",
        "LookUp_BoroughName",
        *months,
    ]


def test_mps_ward_table_traps():
    """The traps the docs describe are really in the data: no City, Heathrow pseudo-borough."""
    table = pd.read_csv(sample_path("mps-ward-crime"))
    wards = boundaries.load("wards")
    codes = set(table["WardCode"])
    assert codes <= set(wards.index)
    assert set(wards.index) - codes == {"E09000001"}  # the City of London: no data
    assert "Aviation Security (SO18)" in set(table["LookUp_BoroughName"])
    heathrow = table.loc[table["LookUp_BoroughName"] == "Aviation Security (SO18)", "WardName"]
    assert set(heathrow) == {"Heathrow Villages"}


def test_police_uk_archive_layout_and_content():
    with zipfile.ZipFile(sample_path("police-uk-burglary")) as archive:
        names = archive.namelist()
        assert names == sorted(MANIFEST["police-uk-burglary"]["members"])
        assert names == [
            "2024-12/2024-12-city-of-london-street.csv",
            "2024-12/2024-12-metropolitan-street.csv",
            "2025-01/2025-01-metropolitan-street.csv",
            "2025-02/2025-02-metropolitan-street.csv",
        ]
        for info in archive.infolist():
            assert info.date_time == (1980, 1, 1, 0, 0, 0)  # reproducible bytes
            data = archive.read(info)
            assert sha256(data) == MANIFEST["police-uk-burglary"]["members"][info.filename]
            frame = pd.read_csv(io.BytesIO(data))
            assert frame.columns.tolist() == POLICE_UK_COLUMNS
            month = info.filename[:7]
            assert (frame["Month"] == month).all()
            if "metropolitan" in info.filename:
                assert (frame["Crime type"] == "Burglary").all()
                assert (frame["Falls within"] == "Metropolitan Police Service").all()
            else:
                assert (frame["Falls within"] == "City of London Police").all()
                assert frame["Crime type"].nunique() > 1


def test_police_uk_lsoa_codes_are_2021_lsoas():
    """Records carry 2021 LSOA codes: many only exist in 2021, none only in 2011."""
    lsoa = set(boundaries.load("lsoa").index)
    only_2011 = set(boundaries.load("lsoa-2011").index) - lsoa
    with zipfile.ZipFile(sample_path("police-uk-burglary")) as archive:
        codes = pd.concat(
            [pd.read_csv(archive.open(name))["LSOA code"].dropna() for name in archive.namelist()]
        )
    assert not codes.isin(only_2011).any()
    assert codes.isin(lsoa - set(boundaries.load("lsoa-2011").index)).sum() > 1000
    # a few Met records fall just outside London, in a neighbouring county's LSOA
    assert (~codes.isin(lsoa)).sum() <= 10


def test_samples_are_small():
    total = sum(path.stat().st_size for path in DATA.iterdir())
    assert total < 3 * 1024 * 1024


def test_total_shipped_data_under_20_mb():
    boundary_data = Path(boundaries.__file__).parent / "data"
    total = sum(p.stat().st_size for folder in (DATA, boundary_data) for p in folder.iterdir())
    assert total < 20 * 1024 * 1024


def test_sample_from_zip_imported_package(tmp_path, monkeypatch):
    """A zip-imported package has no files on disk: the sample is copied out intact."""
    archive_path = tmp_path / "site.zip"
    with zipfile.ZipFile(archive_path, "w") as archive:
        archive.write(
            sample_path("mps-ward-crime"), "hotspots/_data/" + MANIFEST["mps-ward-crime"]["file"]
        )
    monkeypatch.setattr(_samples.tempfile, "gettempdir", lambda: str(tmp_path / "tmp"))
    monkeypatch.setattr(
        _samples.resources, "files", lambda package: zipfile.Path(archive_path, f"{package}/")
    )
    path = sample_path("mps-ward-crime")
    assert path.is_file() and path.is_relative_to(tmp_path / "tmp")
    assert sha256(path.read_bytes()) == MANIFEST["mps-ward-crime"]["sha256"]
