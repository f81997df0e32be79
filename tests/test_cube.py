"""space_time_cube: validation of codes, periods and cells; months to quarters and years."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hotspots import HotspotsWarning, InputError, space_time_cube

DATA = Path(__file__).parent / "data" / "spacetime"


def monthly(values, start="2024-01", codes=None):
    values = np.asarray(values, dtype=float)
    months = pd.period_range(start, periods=values.shape[1], freq="M", name="month")
    codes = codes or [f"E0500000{i}" for i in range(values.shape[0])]
    return pd.DataFrame(values, index=pd.Index(codes, name="code"), columns=months)


@pytest.fixture(scope="module")
def burglary():
    cube = pd.read_csv(DATA / "lsoa_burglary_monthly.csv", index_col="code")
    cube.columns = pd.PeriodIndex(cube.columns, freq="M", name="month")
    return cube


def test_real_lsoa_months_pass_unchanged(burglary):
    cube = space_time_cube(burglary)
    pd.testing.assert_frame_equal(cube, burglary.astype(float))
    assert cube.attrs["hotspots"]["periods"] == "2023-01 to 2025-02"
    assert cube.isna().all(axis=1).sum() == 6  # City of London LSOAs: no data


def test_real_months_to_quarters_drop_partial_quarter(burglary):
    with pytest.warns(HotspotsWarning, match="2025Q1"):
        quarters = space_time_cube(burglary, freq="Q")
    assert list(quarters.columns.astype(str)) == [
        f"{y}Q{q}" for y in (2023, 2024) for q in range(1, 5)
    ]
    assert quarters.columns.name == "quarter"
    expected = burglary.loc[:, "2023-04":"2023-06"].sum(axis=1, skipna=False)
    pd.testing.assert_series_equal(
        quarters[pd.Period("2023Q2")], expected.astype(float), check_names=False
    )
    assert quarters.isna().all(axis=1).sum() == 6


def test_years_and_nan_aware_sums():
    counts = monthly([[1] * 12 + [2] * 12, [1] * 5 + [np.nan] + [1] * 18])
    years = space_time_cube(counts, freq="Y")
    assert years.columns.name == "year"
    assert years.iloc[0].tolist() == [12.0, 24.0]
    assert np.isnan(years.iloc[1, 0]) and years.iloc[1, 1] == 12.0


def test_string_periods_are_parsed_and_sorted():
    counts = monthly([[1, 2, 3]])
    counts.columns = ["2024-03", "2024-01", "2024-02"]
    cube = space_time_cube(counts)
    assert list(cube.columns.astype(str)) == ["2024-01", "2024-02", "2024-03"]
    assert cube.iloc[0].tolist() == [2.0, 3.0, 1.0]


def test_gap_names_missing_periods():
    counts = monthly([[1, 2, 3, 4, 5, 6]]).drop(
        columns=[pd.Period("2024-02"), pd.Period("2024-04")]
    )
    with pytest.raises(InputError, match=r"2024-02, 2024-04"):
        space_time_cube(counts)


def test_gap_made_explicit_as_no_data_is_refused():
    """A period with no data in any area is a month missing from the source (issue #14):
    aggregate() leaves it NaN, and the guard must not be bypassed that way."""
    counts = monthly([[1, 2, 3, 4]]).drop(columns=[pd.Period("2024-02")])
    full = counts.reindex(columns=pd.period_range("2024-01", "2024-04", freq="M", name="month"))
    with pytest.raises(InputError, match=r"periods with no data in any area.*: 2024-02"):
        space_time_cube(full)


def test_no_data_in_some_areas_is_accepted():
    cube = space_time_cube(monthly([[1, np.nan, 3, 4], [1, 2, 3, 4]]))
    assert np.isnan(cube.iloc[0, 1])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda c: pd.concat([c, c]), "unique"),
        (lambda c: c.iloc[:0], "empty"),
        (lambda c: c.mul(-1), "zero or more"),
        (lambda c: c.replace(1.0, np.inf), "finite"),
        (lambda c: c.set_axis(["a", "b", "c"], axis=1), "periods"),
        (
            lambda c: c.set_axis(pd.period_range("2024-01-01", periods=3, freq="D"), axis=1),
            "months",
        ),
    ],
    ids=["duplicate-codes", "empty", "negative", "infinite", "not-periods", "days"],
)
def test_bad_input(change, message):
    with pytest.raises(InputError, match=message):
        space_time_cube(change(monthly([[1, 2, 3], [0, 0, 1]])))


def test_text_cells_are_refused():
    counts = monthly([[1, 2, 3]]).astype(object)
    counts.iloc[0, 1] = "many"
    with pytest.raises(InputError, match="numbers"):
        space_time_cube(counts)


def test_cannot_split_quarters_or_cover_no_full_year():
    quarters = space_time_cube(monthly([[1] * 6]), freq="Q")
    with pytest.raises(InputError, match="shorter"):
        space_time_cube(quarters, freq="M")
    with pytest.warns(HotspotsWarning), pytest.raises(InputError, match="no complete year"):
        space_time_cube(monthly([[1] * 6]), freq="Y")
    with pytest.raises(InputError, match="freq"):
        space_time_cube(monthly([[1] * 6]), freq="W")


def test_input_is_not_modified_and_provenance_kept():
    counts = monthly([[1, 2, 3]])
    counts.attrs = {"hotspots": {"source": "test"}}
    before = counts.copy()
    cube = space_time_cube(counts)
    pd.testing.assert_frame_equal(counts, before)
    assert cube.attrs["hotspots"]["source"] == "test"
    assert cube.attrs["hotspots"]["freq"] == "month"
