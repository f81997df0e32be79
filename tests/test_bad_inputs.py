"""Issue #14: every bad input gets a correct result or a clear error or reported skip.

Each case is a minimal edit of a real file: the police.uk and Met slices under
``tests/data`` (real extracts, see tests/data/README) or the shipped samples,
written to ``tmp_path``. The docs page ``docs/guide/bad-inputs.md`` lists what
each case gets.
"""

from __future__ import annotations

import gzip
import os
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _helpers import run

import boundaries
import hotspots
from hotspots import HotspotsWarning, InputError
from hotspots._files import write_together

DATA = Path(__file__).parent / "data"
STREET = DATA / "police_uk" / "2024-12-metropolitan-street.csv"  # 619 data rows
WARD_SLICE = DATA / "mps" / "ward-slice.csv"  # 67 rows, Heathrow Villages
FAST = ["--permutations", "99", "--quiet"]


def street_lines() -> list[str]:
    return STREET.read_text(encoding="utf-8").splitlines()


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def ward_table_text() -> str:
    return gzip.decompress(hotspots.sample_path("mps-ward-crime").read_bytes()).decode("utf-8")


@pytest.fixture(scope="module")
def ward_table():
    return hotspots.read_met_crime(hotspots.sample_path("mps-ward-crime"))


# ------------------------------------------------------------ 1. stray quotes


def test_stray_quote_in_police_uk_drops_one_row_not_the_rest(tmp_path):
    lines = street_lines()
    fields = lines[11].split(",")
    fields[6] = '"' + fields[6]
    lines[11] = ",".join(fields)
    points = hotspots.read_police_uk(write(tmp_path / "2024-12-x-street.csv", lines))
    report = points.attrs["report"]
    # read = the file's physical records (619), not the 11 a parser would see
    assert report.rows_read == len(lines) - 1 == 619
    assert report.dropped == {"malformed row": 1, "outside London": 1}
    assert report.rows_kept == 617
    assert any("row 12: unbalanced double quote" in note for note in report.notes)


def test_quoted_line_break_is_one_record(tmp_path):
    lines = street_lines()
    fields = lines[5].split(",")
    fields[6] = '"On or near\nHigh Street"'
    lines[5] = ",".join(fields)
    points = hotspots.read_police_uk(write(tmp_path / "2024-12-x-street.csv", lines))
    report = points.attrs["report"]
    assert report.rows_read == 619 and "malformed row" not in report.dropped
    assert "On or near\nHigh Street" in set(points["location"].astype(str))


def test_stray_quotes_in_met_table_are_an_error_naming_the_row(tmp_path, ward_table_text):
    lines = ward_table_text.splitlines()
    for row in (11, 501):
        fields = lines[row].split(",")
        fields[2] = '"' + fields[2]
        lines[row] = ",".join(fields)
    with pytest.raises(InputError, match=r"row 12: unbalanced double quote") as caught:
        hotspots.read_met_crime(write(tmp_path / "ward.csv", lines))
    assert caught.value.row == 12 and caught.value.file.endswith("ward.csv")


# ------------------------------------------------------------ 2. missing months


def test_months_missing_from_a_met_table_are_no_data_and_stop_the_cube(tmp_path):
    table = pd.read_csv(WARD_SLICE, dtype=str, keep_default_na=False)
    path = tmp_path / "gap.csv"
    table.drop(columns=["202401", "202402"]).to_csv(path, index=False)
    crime = hotspots.read_met_crime(path)
    assert any(
        n == "months missing from the table (no data, never zero): 2024-01, 2024-02"
        for n in crime.attrs["report"].notes
    )
    monthly = hotspots.aggregate_monthly(crime, boundaries.load("wards"))
    assert monthly.shape == (680, 24)
    gap = [pd.Period("2024-01", "M"), pd.Period("2024-02", "M")]
    assert monthly[gap].isna().all().all()
    assert monthly.drop(columns=gap).notna().sum().min() == 679  # the City only
    assert (monthly.drop(columns=gap).fillna(0) == 0).sum().sum() > 0  # real zeros stay 0
    with pytest.raises(InputError, match=r"periods with no data in any area.*2024-01, 2024-02"):
        hotspots.space_time_cube(monthly)


# ------------------------------------------------------------ 3. double counting


def test_rows_without_crime_id_given_twice_are_dropped(tmp_path):
    header = street_lines()[0]
    row = (
        ",2024-12,Metropolitan Police Service,Metropolitan Police Service,-0.1276,51.5072,"
        "On or near X,,,Anti-social behaviour,,"
    )
    path = write(tmp_path / "2024-12-metropolitan-street.csv", [header, row, row])
    points = hotspots.read_police_uk([path, path])
    report = points.attrs["report"]
    assert (report.rows_read, report.rows_kept) == (4, 2)  # two distinct ASB rows in one file
    assert report.dropped == {
        "duplicate row without crime id (month and force already read from another file)": 2
    }


@pytest.mark.parametrize(
    ("counts_differ", "expected"),
    [(False, "dropped"), (True, "error")],
    ids=["exact-repeat-dropped", "conflicting-repeat-error"],
)
def test_duplicated_met_rows(tmp_path, counts_differ, expected):
    lines = WARD_SLICE.read_text(encoding="utf-8").splitlines()
    copy = lines[10]
    if counts_differ:
        fields = copy.split(",")
        fields[-1] = str(int(fields[-1]) + 1)
        copy = ",".join(fields)
    path = write(tmp_path / "dup.csv", [*lines[:11], copy, *lines[11:]])
    if expected == "error":
        with pytest.raises(InputError, match="rows 11 and 12 are for the same area"):
            hotspots.read_met_crime(path)
        return
    crime = hotspots.read_met_crime(path)
    report = crime.attrs["report"]
    assert (report.rows_read, report.rows_kept, report.dropped) == (68, 67, {"duplicate row": 1})
    original = hotspots.read_met_crime(WARD_SLICE)
    assert crime["count"].sum() == original["count"].sum()


# ------------------------------------------------------------ 4. roll-ups


def test_ward_table_rolls_up_to_boroughs(ward_table):
    wards = boundaries.load("wards")
    boroughs = hotspots.aggregate(ward_table, boundaries.load("boroughs"))
    expected = (
        ward_table.assign(borough=wards["borough_code"].reindex(ward_table["area_code"]).to_numpy())
        .groupby("borough")["count"]
        .sum()
    )
    assert np.isnan(boroughs.loc["E09000001", "count"])
    assert not boroughs.loc["E09000001", "covered"]
    others = boroughs.drop(index="E09000001")
    np.testing.assert_array_equal(
        others["count"].to_numpy(), expected.reindex(others.index).to_numpy(dtype=float)
    )
    assert others["count"].min() > 0
    assert boroughs.attrs["report"].rows_kept == int(ward_table["count"].sum()) == 1_800_751
    monthly = hotspots.aggregate_monthly(ward_table, wards)
    np.testing.assert_array_equal(
        hotspots.roll_up(monthly, "boroughs").to_numpy(),
        hotspots.aggregate_monthly(ward_table, boundaries.load("boroughs")).to_numpy(),
    )


@pytest.mark.parametrize(
    ("source", "to", "rows"),
    [
        ("lsoa", "msoa", 1002),
        ("lsoa", "boroughs", 33),
        ("msoa", "boroughs", 33),
        ("lsoa", "london", 1),
    ],
    ids=["lsoa-msoa", "lsoa-boroughs", "msoa-boroughs", "lsoa-london"],
)
def test_roll_up_sums_exactly(source, to, rows):
    layer = boundaries.load(source)
    counts = pd.Series(np.arange(len(layer), dtype=float), index=layer.index, name="count")
    rolled = hotspots.roll_up(counts, to)
    assert len(rolled) == rows and rolled.sum() == counts.sum()
    with_gap = counts.copy()
    with_gap.iloc[0] = np.nan  # a child without data makes its parent no data
    assert rolled.notna().sum() - hotspots.roll_up(with_gap, to).notna().sum() == 1


def test_ward_table_to_msoa_is_an_error_not_zeros(ward_table):
    with pytest.raises(InputError, match="none of the area codes of the data are among the areas"):
        hotspots.aggregate(ward_table, boundaries.load("msoa"))


def test_cli_level_boroughs_on_a_ward_table(tmp_path):
    out = tmp_path / "b.csv"
    status, _, err = run(
        ["analyse", "sample:mps-ward-crime", "--level", "boroughs", "--stat", "moran",
         "--column", "count", "--out-table", str(out), *FAST]
    )  # fmt: skip
    assert status == 0, err
    table = pd.read_csv(out, index_col="code")
    assert len(table) == 33 and table["count"].notna().sum() == 32
    assert table["count"].sum() == 1_800_751


# ------------------------------------------------------------ 5. City coverage


def test_city_is_no_data_for_a_period_its_police_published_in_part():
    points = hotspots.read_police_uk(hotspots.sample_path("police-uk-burglary"))
    lsoa = hotspots.aggregate(points, boundaries.load("lsoa"))
    monthly = hotspots.aggregate_monthly(points, boundaries.load("lsoa"))
    assert monthly.loc["E01032739"].isna().tolist() == [False, True, True]
    assert np.isnan(lsoa.loc["E01032739", "count"]) and not lsoa.loc["E01032739", "covered"]
    assert int(lsoa["covered"].eq(False).sum()) == 6  # the City's six LSOAs
    assert any("not covered in every month" in n for n in lsoa.attrs["report"].notes)


# ------------------------------------------------------------ 6. kNN and no-data areas


def test_knn_is_rebuilt_among_areas_with_data(ward_table):
    wards = hotspots.aggregate(ward_table, boundaries.load("wards"), crime_types="robbery")
    graph = hotspots.spatial_weights(wards, "knn", k=6)
    result = hotspots.local_moran(wards, column="count", graph=graph, permutations=9, seed=1)
    weights = result.attrs["hotspots"]["weights"]
    assert "k=6 nearest neighbours rebuilt among the 679 areas with data" in weights
    assert "(3 had lost neighbours without data)" in weights
    assert (result["lisa_label"] != "No neighbours").all()


# ------------------------------------------------------------ 7. stub months


@pytest.mark.parametrize("policy", ["drop", "keep"], ids=["default-drop", "keep"])
def test_stub_month_is_warned_and_dropped_by_default(tmp_path, policy):
    table = pd.read_csv(WARD_SLICE, dtype=str, keep_default_na=False)
    table["202307"] = "0"
    table.loc[:19, "202307"] = "1"  # 20 offences against a median month of 755
    path = tmp_path / "stub.csv"
    table.to_csv(path, index=False)
    with pytest.warns(HotspotsWarning, match=r"stub months .*: 2023-07 \(20\); "):
        crime = hotspots.read_met_crime(path, stub_months=policy)
    months = crime["month"].astype(str)
    assert ("2023-07" in set(months)) == (policy == "keep")
    assert crime["month"].nunique() == (24 if policy == "keep" else 23)


# ------------------------------------------------------------ 8. open vocabulary


def test_categories_of_the_file_are_valid_and_unknown_lists_them(tmp_path):
    text = WARD_SLICE.read_text(encoding="utf-8").replace(
        "ARSON AND CRIMINAL DAMAGE,ARSON,", "STALKING AND HARASSMENT,STALKING,"
    )
    path = tmp_path / "new.csv"
    path.write_text(text, encoding="utf-8")
    crime = hotspots.read_met_crime(path)
    areas = boundaries.load("wards")
    counted = hotspots.aggregate(crime, areas, crime_types="Stalking and harassment")
    expected = crime.loc[crime["major_category"] == "STALKING AND HARASSMENT", "count"].sum()
    assert counted["count"].sum() == expected > 0
    with pytest.raises(InputError, match=r"the data.s categories are: .*STALKING AND HARASSMENT"):
        hotspots.aggregate(crime, areas, crime_types="stalkng")


# ------------------------------------------------------------ 9. Heathrow


def test_airport_pseudo_ward_is_flagged_and_not_ranked(ward_table):
    wards = hotspots.aggregate(ward_table, boundaries.load("wards"))
    assert wards.index[wards["pseudo_area"]].tolist() == ["E05013570"]
    status, out, err = run(
        ["analyse", str(WARD_SLICE), "--stat", "gistar", "--column", "count", *FAST]
    )
    assert status == 0, err
    assert "Not ranked: Heathrow Villages" in out


# ------------------------------------------------------------ 10. smaller silent results


def test_crime_type_filter_is_in_the_aggregate_report():
    points = hotspots.read_police_uk(hotspots.sample_path("police-uk-burglary"))
    counted = hotspots.aggregate(points, boundaries.load("boroughs"), crime_types="burglary")
    report = counted.attrs["report"]
    assert report.rows_read == len(points) == 13_602
    assert report.dropped["crime type filtered out"] == int(
        (points["crime_type"] != "Burglary").sum()
    )


def test_text_population_is_an_error():
    areas = boundaries.load("boroughs").assign(people="1000")
    areas.loc["E09000002", "people"] = "abc"
    points = hotspots.read_police_uk(hotspots.sample_path("police-uk-burglary"), months="2024-12")
    with pytest.raises(InputError, match=r"column 'people', value 'E09000002: abc'"):
        hotspots.aggregate(points, areas, population="people")


@pytest.mark.parametrize("value", [0.0, 5.0], ids=["zeros", "constant"])
def test_global_moran_on_a_constant_column_is_an_error(value):
    areas = boundaries.load("boroughs").assign(v=value)
    with pytest.raises(InputError, match="constant column"):
        hotspots.global_moran(areas, "v", permutations=9, seed=1)


def test_global_moran_with_every_area_an_island_is_an_error():
    areas = boundaries.load("boroughs").assign(v=np.arange(33.0))
    with pytest.warns(HotspotsWarning):
        graph = hotspots.spatial_weights(areas, "distance", threshold=1, islands="keep")
    with pytest.raises(InputError, match="no area has a neighbour"):
        hotspots.global_moran(areas, "v", graph=graph, permutations=9, seed=1)


@pytest.mark.parametrize("seed", [2**64, 2**64 + 1], ids=["2**64", "2**64+1"])
def test_seed_of_2_64_or_more_is_refused(seed):
    areas = boundaries.load("boroughs").assign(v=np.arange(33.0))
    with pytest.raises(ValueError, match="seed must be below 2\\*\\*64"):
        hotspots.local_moran(areas, "v", permutations=9, seed=seed)


def test_web_mercator_areas_measure_ground_metres():
    boroughs = boundaries.load("boroughs")
    islands = {}
    for crs in (27700, 3857):
        with pytest.warns(HotspotsWarning):
            graph = hotspots.spatial_weights(
                boroughs.to_crs(crs), "distance", threshold=5000, islands="keep"
            )
        islands[crs] = int((graph.cardinalities == 0).sum())
    assert islands == {27700: 17, 3857: 17}


# ------------------------------------------------------------ misleading errors


def _gz_truncated(tmp_path: Path) -> Path:
    data = gzip.compress(STREET.read_bytes())
    path = tmp_path / "2024-12-metropolitan-street.csv.gz"
    path.write_bytes(data[: len(data) // 2])
    return path


def _zip_truncated(tmp_path: Path) -> Path:
    data = hotspots.sample_path("police-uk-burglary").read_bytes()
    path = tmp_path / "cut.zip"
    path.write_bytes(data[: len(data) // 2])
    return path


def _zip_corrupt_member(tmp_path: Path) -> Path:
    path = tmp_path / "bad.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("2024-12/2024-12-metropolitan-street.csv", STREET.read_bytes())
    data = bytearray(path.read_bytes())
    middle = 30 + len("2024-12/2024-12-metropolitan-street.csv") + 200
    data[middle : middle + 50] = b"\xff" * 50
    path.write_bytes(bytes(data))
    return path


def _utf16(tmp_path: Path) -> Path:
    path = tmp_path / "2024-12-x-street.csv"
    path.write_bytes(STREET.read_text(encoding="utf-8").encode("utf-16"))
    return path


def _empty(tmp_path: Path) -> Path:
    path = tmp_path / "2024-12-x-street.csv"
    path.write_bytes(b"")
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (_gz_truncated, "corrupt or truncated gzip file"),
        (_zip_truncated, "corrupt or truncated zip archive"),
        (_zip_corrupt_member, "corrupt zip archive: cannot extract"),
        (_utf16, "text is UTF-16; re-save it as UTF-8"),
        (_empty, "empty file"),
    ],
    ids=["truncated-gz", "truncated-zip", "corrupt-zip-member", "utf-16", "empty"],
)
def test_damaged_files_say_what_is_wrong(tmp_path, make, message):
    path = make(tmp_path)
    with pytest.raises(InputError, match=message):
        hotspots.read_police_uk(path)
    status, _, err = run(["analyse", str(path), *FAST])
    assert status == 2 and message in err and "internal error" not in err


def test_macos_metadata_in_a_zip_is_skipped_with_a_note(tmp_path):
    path = tmp_path / "mac.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("2024-12/2024-12-metropolitan-street.csv", STREET.read_bytes())
        archive.writestr("__MACOSX/2024-12/._2024-12-metropolitan-street.csv", b"\x00\x05\x16\x07")
    report = hotspots.read_police_uk(path).attrs["report"]
    assert report.rows_read == 619
    assert any("__MACOSX" in note and "macOS metadata" in note for note in report.notes)


def test_a_field_longer_than_a_block_is_read(tmp_path):
    lines = street_lines()
    fields = lines[3].split(",")
    fields[6] = "x" * (2 * 2**20)  # 2 MiB
    lines[3] = ",".join(fields)
    points = hotspots.read_police_uk(write(tmp_path / "2024-12-x-street.csv", lines))
    assert points.attrs["report"].rows_read == 619
    assert points["location"].astype(str).str.len().max() == 2 * 2**20


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--crs", "EPSG:999999", "--x", "lon", "--y", "lat"], "not a known coordinate reference"),
        (["--period", "2024-12"], "--period 2024-12 needs months in the data"),
    ],
    ids=["bad-crs", "period-without-month-column"],
)
def test_cli_option_mistakes_are_user_errors(tmp_path, argv, message):
    path = tmp_path / "incidents.csv"
    pd.DataFrame({"lon": [-0.1, -0.12], "lat": [51.5, 51.51], "month": ["2024-12"] * 2}).to_csv(
        path, index=False
    )
    if "--period" in argv:
        argv = [*argv, "--x", "lon", "--y", "lat"]
    status, _, err = run(["analyse", str(path), *argv, *FAST])
    assert status == 2 and message in err, err


def test_areas_that_are_a_plain_table_are_a_user_error(tmp_path):
    areas = tmp_path / "people.csv"
    areas.write_text("name,people\nA,1\n", encoding="utf-8")
    status, _, err = run(
        ["analyse", str(STREET), "--areas", str(areas), "--id-column", "name", *FAST]
    )
    assert status == 2 and "no geometry" in err, err


def test_header_only_file_names_the_cause(tmp_path):
    path = write(tmp_path / "2024-12-x-street.csv", street_lines()[:1])
    status, _, err = run(["analyse", str(path), "--stat", "moran"])
    assert status == 2
    assert "has no data rows" in err and "Load report (up to the error)" in err


def test_swapped_coordinates_name_the_cause(tmp_path):
    lines = street_lines()
    swapped = [lines[0]]
    for line in lines[1:]:
        fields = line.split(",")
        fields[4], fields[5] = fields[5], fields[4]
        swapped.append(",".join(fields))
    status, _, err = run(["analyse", str(write(tmp_path / "2024-12-x-street.csv", swapped))])
    assert status == 2
    assert "outside London" in err and "swapped" in err


# ------------------------------------------------------------ outputs


def test_a_failed_write_leaves_every_output_as_it_was(tmp_path):
    first, second = tmp_path / "a.csv", tmp_path / "b.html"
    first.write_text("old a", encoding="utf-8")
    second.write_text("old b", encoding="utf-8")

    def full_disk(path: str) -> None:
        Path(path).write_text("half", encoding="utf-8")
        raise OSError(28, "No space left on device")

    def fine(path: str) -> None:
        Path(path).write_text("new", encoding="utf-8")

    with pytest.raises(InputError, match=r"b.html: No space left on device; no output was changed"):
        write_together([(str(first), fine), (str(second), full_disk)])
    assert first.read_text(encoding="utf-8") == "old a"
    assert second.read_text(encoding="utf-8") == "old b"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "b.html"]


@pytest.mark.parametrize(
    ("target", "message"),
    [("folder.csv", "it is a folder"), ("missing/t.csv", "no such folder")],
    ids=["output-is-a-folder", "missing-folder"],
)
def test_output_paths_are_checked_before_the_analysis(tmp_path, target, message):
    (tmp_path / "folder.csv").mkdir()
    status, _, err = run(
        ["analyse", str(STREET), "--stat", "moran", "--out-table", str(tmp_path / target), *FAST]
    )
    assert status == 2 and message in err
    assert "reading" not in err  # nothing was read


def test_stray_quote_in_a_plain_csv_names_the_row(tmp_path):
    path = tmp_path / "incidents.csv"
    path.write_text(
        'lon,lat\n-0.1,51.5\n"-0.11,51.51\n-0.12,51.52\n-0.13,51.53\n', encoding="utf-8"
    )
    status, _, err = run(["analyse", str(path), "--x", "lon", "--y", "lat", *FAST])
    assert status == 2 and "incidents.csv, row 3: unbalanced double quote" in err, err


def test_a_file_without_line_breaks_is_refused_after_1_mib(tmp_path):
    path = tmp_path / "2024-12-x-street.csv"
    path.write_bytes(b"x" * (2 << 20))
    with pytest.raises(InputError, match="no line break in the first 1,048,576 bytes"):
        hotspots.read_police_uk(path)


def test_lower_case_headers_are_named(tmp_path):
    lines = street_lines()
    lines[0] = lines[0].lower()
    path = write(tmp_path / "2024-12-x-street.csv", lines)
    status, _, err = run(["analyse", str(path), *FAST])
    assert status == 2
    assert "columns named in another case: 'crime id' for 'Crime ID'" in err, err


def _areas_as_points(tmp_path: Path) -> Path:
    boroughs = boundaries.load("boroughs").head(5).reset_index()
    path = tmp_path / "areas.gpkg"
    boroughs.assign(geometry=boroughs.geometry.centroid).to_file(path)
    return path


def _metres_labelled_lonlat(tmp_path: Path) -> Path:
    boroughs = boundaries.load("boroughs").head(5).reset_index()
    path = tmp_path / "areas.gpkg"
    boroughs.set_crs(4326, allow_override=True).to_file(path)
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (_areas_as_points, "areas must be polygons, found Point"),
        (_metres_labelled_lonlat, "they look like metres; fix the file's CRS"),
    ],
    ids=["points-as-areas", "metres-labelled-lonlat"],
)
def test_unusable_areas_name_the_cause(tmp_path, make, message):
    areas = make(tmp_path)
    status, _, err = run(
        ["analyse", str(STREET), "--areas", str(areas), "--id-column", "code", *FAST]
    )
    assert status == 2 and message in err, err


def test_a_selection_of_months_is_not_a_gap(ward_table):
    last = ward_table[ward_table["month"] >= pd.Period("2024-07", "M")]
    monthly = hotspots.aggregate_monthly(last, boundaries.load("wards"))
    assert [str(m) for m in monthly.columns[[0, -1]]] == ["2024-07", "2025-06"]
    assert monthly.shape == (680, 12) and monthly.notna().sum().min() == 679
    assert not any("no data in the source" in n for n in monthly.attrs["report"].notes)


def test_outputs_get_the_permissions_of_a_new_file(tmp_path):
    """The temporary file is private (0600); the output it becomes is not."""
    target = tmp_path / "page.html"
    old = os.umask(0o022)
    try:
        write_together([(str(target), lambda path: Path(path).write_text("x"))])
    finally:
        os.umask(old)
    assert target.read_text() == "x"
    assert target.stat().st_mode & 0o777 == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["page.html"]  # no temporary left
