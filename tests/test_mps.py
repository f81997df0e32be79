"""read_met_crime on the shipped ward table, real slices and crafted files."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pandas as pd
import pytest

import hotspots
from hotspots import InputError, read_met_crime

DATA = Path(__file__).parent / "data" / "mps"


def test_ward_table_round_trips():
    path = hotspots.sample_path("mps-ward-crime")
    raw = pd.read_csv(path)
    tidy = read_met_crime(path)
    assert tidy.attrs["level"] == "wards"
    assert len(tidy) == len(raw) * 24
    assert tidy["count"].sum() == raw.select_dtypes("number").to_numpy().sum()
    heathrow = tidy[tidy["pseudo_borough"]]
    assert set(heathrow["area_code"]) == {"E05013570"}
    assert "E09000001" not in set(tidy["area_code"])


@pytest.mark.parametrize("name", ["ward-slice.csv", "borough-slice.csv"], ids=["wards", "boroughs"])
def test_slices_detect_level(name):
    tidy = read_met_crime(DATA / name)
    raw = pd.read_csv(DATA / name)
    assert tidy.attrs["level"] == name.split("-")[0] + "s"
    assert tidy["count"].sum() == raw.select_dtypes("number").to_numpy().sum()
    assert str(tidy["month"].dtype) == "period[M]"


def test_borough_codes_and_airports():
    tidy = read_met_crime(DATA / "borough-slice.csv")
    codes = tidy.groupby("borough_name")["area_code"].first()
    assert codes["Westminster"] == "E09000033"
    assert tidy.loc[tidy["pseudo_borough"], "area_code"].isna().all()


def test_gzip_and_nearly_empty_first_month(tmp_path):
    text = (DATA / "ward-slice.csv").read_text().splitlines()
    lines = [text[0]]
    for i, line in enumerate(text[1:]):
        parts = line.split(",")
        if i % 3:
            parts[5] = ""
        lines.append(",".join(parts))
    path = tmp_path / "wards.csv.gz"
    path.write_bytes(gzip.compress("\n".join(lines).encode()))
    tidy = read_met_crime(path)
    first = tidy[tidy["month"] == pd.Period("2023-07", "M")]
    assert first["count"].isna().sum() == sum(1 for i in range(len(text) - 1) if i % 3)
    assert any("blank cells" in note for note in tidy.attrs["report"].notes)


@pytest.mark.parametrize(
    ("content", "match"),
    [
        ("", "empty file"),
        ("Crime ID,Month,Longitude\n", "not a Met"),
        ("MajorText,MinorText,LookUp_BoroughName\nA,B,Barnet\n", "no month columns"),
        ("MajorText,MinorText,LookUp_BoroughName,202401\nA,B,Barnet,x\n", "whole number"),
        ("MajorText,MinorText,LookUp_BoroughName,202401\nA,B,Barnet,1.5\n", "whole number"),
        ("MajorText,MinorText,LookUp_BoroughName,202401\nA,B,Barnet,inf\n", "whole number"),
    ],
    ids=["empty", "police-uk", "no-months", "bad-count", "fraction", "infinite"],
)
def test_unusable_tables(tmp_path, content, match):
    path = tmp_path / "table.csv"
    path.write_text(content)
    with pytest.raises(InputError, match=match):
        read_met_crime(path)


def test_bad_count_names_row_and_column(tmp_path):
    path = tmp_path / "table.csv"
    path.write_text("MajorText,MinorText,LookUp_BoroughName,202401\nA,B,Barnet,1\nA,C,Barnet,-2\n")
    with pytest.raises(InputError) as info:
        read_met_crime(path)
    assert (info.value.row, info.value.column, info.value.value) == (3, "202401", "-2")


def test_count_cells_and_names_parse_as_each_cell_alone(tmp_path):
    # each distinct text is parsed once: the result must be the cell-by-cell parse
    cells = [" 7 ", "7", "007", "+3", "1e3", "2.0", "", "  ", "0", "7", " 7 ", "12"]
    boroughs = [" Barnet", "Barnet ", "Barnet", "  Brent  "] * 3
    lines = ["MajorText,MinorText,LookUp_BoroughName,202401,202402,202403"]
    lines += [
        f"A,minor {i},{borough},{cell},{cells[-1 - i]},100"
        for i, (cell, borough) in enumerate(zip(cells, boroughs, strict=True))
    ]
    path = tmp_path / "table.csv"
    path.write_text("\n".join(lines) + "\n")
    tidy = read_met_crime(path)

    def expected(cell: str) -> float:
        return float(cell) if cell.strip() else float("nan")

    for month, column in [("2024-01", cells), ("2024-02", cells[::-1])]:
        got = tidy.loc[tidy["month"] == pd.Period(month, "M"), "count"]
        want = pd.array([expected(c) for c in column]).astype("Int64")
        pd.testing.assert_extension_array_equal(got.array, want)
    assert tidy.groupby("minor_category", sort=False)["borough_name"].first().tolist() == [
        b.strip() for b in boroughs
    ]


_HEADER = "MajorText,MinorText,LookUp_BoroughName,202401,202402\n"


@pytest.mark.parametrize(
    "body",
    [
        "A,B,Barnet,1,2\n",
        "A,B,Barnet,1,2\r\n\r\nA,C,Barnet,3,4\r\n",
        '"A, x",B,"Barn""et", 1 ,\n',
        "A,B,Barnet,1,2\n   \nA,C,Barnet,1,2\n",
        "A,B,Barnet,1\n",
        "A,B,Barnet,1,2,3\n",
        "",
    ],
    ids=["plain", "crlf-blank-line", "quoted", "line-of-spaces", "short-row", "long-row", "header"],
)
def test_text_cells_as_pandas_parser_reads_them(body):
    # Arrow reads the usual tables; pandas' own parser every table Arrow refuses
    from hotspots.io._met import _read_text_cells

    payload = (_HEADER + body).encode()
    expected = pd.read_csv(io.BytesIO(payload), dtype=str, keep_default_na=False, encoding="utf-8")
    got = _read_text_cells(payload)
    pd.testing.assert_frame_equal(got, expected, check_index_type=True, check_column_type=True)
    assert type(got.index) is type(expected.index)
