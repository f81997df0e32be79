"""period_change: counts, change and the test of equal rates, against scipy."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import boundaries
import hotspots
from hotspots import InputError, period_change

DATA = Path(__file__).parent / "data" / "spacetime"


@pytest.fixture(scope="module")
def lsoas():
    return boundaries.load("lsoa")


@pytest.fixture(scope="module")
def burglary():
    cube = pd.read_csv(DATA / "lsoa_burglary_monthly.csv", index_col="code")
    cube.columns = pd.PeriodIndex(cube.columns, freq="M", name="month")
    return cube


@pytest.fixture(scope="module")
def ward_burglary():
    table = hotspots.read_met_crime(hotspots.sample_path("mps-ward-crime"))
    wards = boundaries.load("wards")
    return wards, hotspots.aggregate_monthly(table, wards, crime_types="Burglary")


def test_lsoa_counts_and_exact_test_match_scipy(lsoas, burglary):
    result = period_change(lsoas, burglary, correction=None)
    assert result.attrs["hotspots"]["before"] == "2023-03 to 2024-02"
    assert result.attrs["hotspots"]["after"] == "2024-03 to 2025-02"
    before = burglary.loc[:, "2023-03":"2024-02"].sum(axis=1, skipna=False)
    after = burglary.loc[:, "2024-03":"2025-02"].sum(axis=1, skipna=False)
    pd.testing.assert_series_equal(
        result["count_before"], before.reindex(lsoas.index).astype(float), check_names=False
    )
    pd.testing.assert_series_equal(
        result["count_after"], after.reindex(lsoas.index).astype(float), check_names=False
    )
    sample = result.dropna(subset=["change_p"]).sample(40, random_state=1)
    for code, row in sample.iterrows():
        a, b = int(row.count_after), int(row.count_before)
        expected = 1.0 if a + b == 0 else stats.binomtest(a, a + b, 0.5).pvalue
        assert row.change_p == pytest.approx(expected, rel=1e-12), code
        assert row.change == a - b
    # the six City of London LSOAs have no Met data
    assert (result["change_label"] == "No data").sum() == 6


def test_e_test_matches_scipy_poisson_means_test(lsoas, burglary):
    result = period_change(lsoas, burglary, test="e-test", correction=None)
    sample = result.dropna(subset=["change_p"]).sample(15, random_state=2)
    for _, row in sample.iterrows():
        a, b = int(row.count_after), int(row.count_before)
        expected = 1.0 if a + b == 0 else stats.poisson_means_test(a, 1.0, b, 1.0).pvalue
        assert row.change_p == pytest.approx(min(expected, 1.0), rel=1e-10)


def test_hand_case_and_words():
    areas = boundaries.load("boroughs").iloc[:4]
    months = pd.period_range("2024-01", periods=2, freq="M", name="month")
    counts = pd.DataFrame([[10, 30], [30, 10], [5, 6], [0, 0]], index=areas.index, columns=months)
    result = period_change(areas, counts, correction=None)
    # 30 of 40 after, p = P(|X - 20| >= 10), X ~ Bin(40, 1/2)
    p = 2 * stats.binom.sf(29, 40, 0.5)
    assert result["change_p"].iloc[0] == pytest.approx(p, rel=1e-12)
    assert result["change_label"].tolist() == [
        "Significant increase", "Significant decrease", "No significant change",
        "No significant change",
    ]  # fmt: skip
    assert result["percent_change"].iloc[0] == pytest.approx(200.0)
    assert np.isnan(result["percent_change"].iloc[3])  # nothing before: undefined


def test_corrections(lsoas, burglary):
    raw = period_change(lsoas, burglary, correction=None)
    fdr = period_change(lsoas, burglary, correction="fdr")
    bonferroni = period_change(lsoas, burglary, correction="bonferroni")
    tested = raw["change_p"].notna()
    expected = stats.false_discovery_control(raw.loc[tested, "change_p"], method="bh")
    np.testing.assert_allclose(fdr.loc[tested, "change_p_adjusted"], expected, rtol=1e-12)
    np.testing.assert_allclose(
        bonferroni.loc[tested, "change_p_adjusted"],
        np.minimum(1, raw.loc[tested, "change_p"] * tested.sum()),
    )
    n_sig = {k: (r["change_label"] != "No significant change").sum() for k, r in
             {"raw": raw, "fdr": fdr, "bonferroni": bonferroni}.items()}  # fmt: skip
    assert n_sig["raw"] >= n_sig["fdr"] >= n_sig["bonferroni"]


def test_ward_level_real_met_table(ward_burglary):
    wards, cube = ward_burglary
    result = period_change(wards, cube, before=("2023-07", "2024-06"), after=("2024-07", "2025-06"))
    assert len(result) == 680
    city = result.loc["E09000001"]
    assert city["change_label"] == "No data"
    assert set(result["change_label"]) <= {
        "Significant increase", "Significant decrease", "No significant change", "No data"
    }  # fmt: skip
    assert result["count_before"].sum() == cube.loc[:, "2023-07":"2024-06"].sum().sum()


def test_borough_level_by_summing_wards(ward_burglary):
    wards, cube = ward_burglary
    boroughs = boundaries.load("boroughs")
    by_borough = cube.groupby(wards["borough_code"].reindex(cube.index)).sum(min_count=1)
    by_borough.index.name = "code"
    result = period_change(boroughs, by_borough)
    assert result.loc["E09000001", "change_label"] == "No data"
    assert result["change_label"].ne("No data").sum() == 32


def test_shuffled_areas_give_the_same_rows(lsoas, burglary):
    shuffled = lsoas.sample(frac=1, random_state=3)
    a = period_change(lsoas, burglary)
    b = period_change(shuffled, burglary)
    pd.testing.assert_frame_equal(a.loc[shuffled.index], b, check_like=True)
    assert list(b.index) == list(shuffled.index)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"before": ("2023-01", "2023-06")}, InputError, "both"),
        ({"before": ("2023-01", "2023-06"), "after": ("2023-06", "2023-11")}, InputError,
         "end before"),
        ({"before": ("2023-01", "2023-06"), "after": ("2024-01", "2024-02")}, InputError,
         "same number"),
        ({"before": ("2022-01", "2022-12"), "after": ("2024-01", "2024-12")}, InputError,
         "outside"),
        ({"test": "t-test"}, ValueError, "test"),
        ({"correction": "holm"}, ValueError, "correction"),
        ({"alpha": 2}, ValueError, "alpha"),
    ],
    ids=["only-before", "overlap", "lengths", "outside", "test", "correction", "alpha"],
)  # fmt: skip
def test_bad_arguments(lsoas, burglary, kwargs, error, message):
    with pytest.raises(error, match=message):
        period_change(lsoas, burglary, **kwargs)


def test_fractional_counts_and_unknown_codes_refused(lsoas, burglary):
    with pytest.raises(InputError, match="whole-number"):
        period_change(lsoas, burglary / 2)
    with pytest.raises(InputError, match="not among the areas"):
        period_change(lsoas.iloc[10:], burglary)
