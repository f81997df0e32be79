"""period_change and change_rollup: windows, trend test, intervals; hand formulas and scipy."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import boundaries
import hotspots
from hotspots import InputError, change_rollup, period_change
from hotspots.spacetime._rollup import borough_codes

DATA = Path(__file__).parent / "data" / "spacetime"


@pytest.fixture(scope="module")
def lsoas():
    return boundaries.load("lsoa")


@pytest.fixture(scope="module")
def boroughs():
    return boundaries.load("boroughs")


@pytest.fixture(scope="module")
def burglary():
    cube = pd.read_csv(DATA / "lsoa_burglary_monthly.csv", index_col="code")
    cube.columns = pd.PeriodIndex(cube.columns, freq="M", name="month")
    return cube


@pytest.fixture(scope="module")
def history():
    """Robbery per borough and month, 2010-04 .. 2021-07 (real Met extract, see README)."""
    cube = pd.read_csv(DATA / "borough_robbery_monthly.csv", index_col="code")
    cube.columns = pd.PeriodIndex(cube.columns, freq="M", name="month")
    return cube.astype(float)


@pytest.fixture(scope="module")
def wards():
    return boundaries.load("wards")


@pytest.fixture(scope="module")
def ward_robbery(wards):
    table = hotspots.read_met_crime(hotspots.sample_path("mps-ward-crime"))
    return hotspots.aggregate_monthly(table, wards, crime_types="Robbery")


# ------------------------------------------------------------------ Poisson tests


def test_lsoa_counts_and_exact_test_match_scipy(lsoas, burglary):
    result = period_change(lsoas, burglary, test="exact", correction=None)
    assert result.attrs["hotspots"]["before"] == "2023-03 to 2024-02"
    assert result.attrs["hotspots"]["after"] == "2024-03 to 2025-02"
    assert result.attrs["hotspots"]["relative_to"] == "no change"
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
    assert result.loc[result["change_label"] != "No data", "window_after"].eq(
        "2024-03 to 2025-02").all()  # fmt: skip


def test_e_test_matches_scipy_poisson_means_test(lsoas, burglary):
    result = period_change(lsoas, burglary, test="e-test", correction=None)
    sample = result.dropna(subset=["change_p"]).sample(15, random_state=2)
    for _, row in sample.iterrows():
        a, b = int(row.count_after), int(row.count_before)
        expected = 1.0 if a + b == 0 else stats.poisson_means_test(a, 1.0, b, 1.0).pvalue
        assert row.change_p == pytest.approx(min(expected, 1.0), rel=1e-10)


@pytest.mark.parametrize(("after", "before"), [(30, 10), (0, 7), (5, 0), (12, 12)],
                         ids=["rise", "to-zero", "from-zero", "equal"])  # fmt: skip
def test_poisson_interval_is_the_exact_conditional_interval(boroughs, after, before):
    """phi = 1: Clopper-Pearson of a/(a+b) (scipy), mapped by p/(1-p)."""
    areas = boroughs.iloc[:1]
    years = pd.period_range("2023", periods=2, freq="Y", name="year")
    counts = pd.DataFrame([[before, after]], index=areas.index, columns=years)
    row = period_change(areas, counts, test="exact", correction=None, alpha=0.1).iloc[0]
    ci = stats.binomtest(after, after + before, 0.5).proportion_ci(0.9, method="exact")
    low = ci.low / (1 - ci.low)
    high = np.inf if ci.high == 1 else ci.high / (1 - ci.high)
    assert row.rate_ratio_low == pytest.approx(low, rel=1e-9, abs=1e-12)
    assert row.rate_ratio_high == pytest.approx(high, rel=1e-9)
    assert row.percent_change_low == pytest.approx(100 * (low - 1), rel=1e-9, abs=1e-9)
    assert row.rate_ratio_low <= (after / before if before else np.inf) <= row.rate_ratio_high


# ------------------------------------------------------------------ the trend test


def test_trend_test_by_hand(boroughs):
    """R, Pearson phi (from the fitted values of the two-cell Poisson model) and t p-values."""
    areas = boroughs.iloc[:5]
    years = pd.period_range("2023", periods=2, freq="Y", name="year")
    b = np.array([100.0, 200, 50, 80, 10])
    a = np.array([90.0, 150, 45, 120, 12])
    counts = pd.DataFrame(np.c_[b, a], index=areas.index, columns=years)
    result = period_change(areas, counts, correction=None)
    r_ratio = a.sum() / b.sum()
    # fitted values of log mu = area + period (Poisson MLE): n/(1+R) and nR/(1+R)
    n = a + b
    fit_b, fit_a = n / (1 + r_ratio), n * r_ratio / (1 + r_ratio)
    chi2 = np.sum((b - fit_b) ** 2 / fit_b + (a - fit_a) ** 2 / fit_a)
    phi = chi2 / (len(a) - 1)
    info = result.attrs["hotspots"]
    assert info["reference_ratio"] == pytest.approx(r_ratio, rel=1e-12)
    assert info["dispersion_estimate"] == pytest.approx(phi, rel=1e-12)
    assert info["dispersion"] == pytest.approx(max(phi, 1), rel=1e-12)
    assert info["test"] == "trend" and "quasi-Poisson" in info["model"]
    residual = (a - b * r_ratio) / np.sqrt(r_ratio * n)
    p = 2 * stats.t.sf(np.abs(residual) / np.sqrt(max(phi, 1)), len(a) - 1)
    np.testing.assert_allclose(result["change_p"], p, rtol=1e-10)
    np.testing.assert_allclose(result["expected_after"], b * r_ratio, rtol=1e-12)
    np.testing.assert_allclose(result["relative_ratio"], (a / b) / r_ratio, rtol=1e-12)
    # interval: Clopper-Pearson on the effective counts a/phi, n/phi
    x, m = a[3] / phi, n[3] / phi
    lower = stats.beta.ppf(0.025, x, m - x + 1)
    assert result["rate_ratio_low"].iloc[3] == pytest.approx(lower / (1 - lower), rel=1e-9)


def test_trend_labels_say_relative_to_trend(boroughs):
    """An area that fell by less than all the areas did is above the trend, not an increase."""
    areas = boroughs.iloc[:6]
    years = pd.period_range("2023", periods=2, freq="Y", name="year")
    before = [1000, 1000, 1000, 1000, 1000, 1000]
    after = [500, 500, 500, 500, 500, 950]  # all fell; the last fell by only 5 %
    counts = pd.DataFrame(np.c_[before, after], index=areas.index, columns=years)
    result = period_change(areas, counts, dispersion=1.0, correction=None)
    assert result["change_label"].iloc[-1] == "Significantly above trend"
    assert result["change"].iloc[-1] < 0
    assert (result["change_label"].iloc[:5] != "Significantly above trend").all()


def test_lambeth_robbery_is_not_significant_by_default(wards, ward_robbery, boroughs):
    """The issue's example: 2,104 -> 1,946 (-7.5 %), exact p = 0.014, not real by default."""
    rollup = change_rollup(wards, ward_robbery)
    lambeth = rollup.boroughs.loc["E09000022"]
    assert (lambeth.count_before, lambeth.count_after) == (2104, 1946)
    assert lambeth.window_before == "2023-07 to 2024-06"
    assert lambeth.window_after == "2024-07 to 2025-06"
    assert lambeth.change_p > 0.05 and lambeth.change_label == "In line with trend"
    assert lambeth.percent_change_low < -7.5 < lambeth.percent_change_high
    assert lambeth.percent_change_low < -15 and lambeth.percent_change_high > 0
    b, a = 2104, 1946
    years = pd.PeriodIndex(["2024", "2025"], freq="Y", name="year")
    alone = pd.DataFrame([[b, a]], index=["E09000022"], columns=years)
    exact = period_change(boroughs.loc[["E09000022"]], alone, test="exact", correction=None)
    assert exact["change_p"].iloc[0] == pytest.approx(stats.binomtest(a, a + b).pvalue)
    assert exact["change_p"].iloc[0] == pytest.approx(0.014, abs=0.001)


def test_null_calibration_with_overdispersed_counts(boroughs):
    """Negative-binomial areas, common trend: the trend test flags about alpha, exact far more."""
    rng = np.random.default_rng(13)
    areas = boundaries.load("msoa").iloc[:300]
    years = pd.period_range("2023", periods=2, freq="Y", name="year")
    flagged = {"trend": [], "exact": []}
    for replication in range(20):
        mean = rng.gamma(4.0, 50.0, len(areas))  # areas differ
        shock = rng.gamma(10.0, 0.1, (len(areas), 2))  # year-to-year extra variation, mean 1
        counts = rng.poisson(mean[:, None] * shock * np.array([1.0, 0.9]))
        cube = pd.DataFrame(counts, index=areas.index, columns=years)
        for test in flagged if replication < 2 else ["trend"]:  # exact is slow and clear-cut
            result = period_change(areas, cube, test=test, correction=None)
            flagged[test].append((result["change_p"] <= 0.05).mean())
    assert np.mean(flagged["trend"]) == pytest.approx(0.05, abs=0.015)
    assert np.mean(flagged["exact"]) > 0.5


def test_history_dispersion_pools_earlier_years(boroughs, history):
    areas = boroughs.loc[history.index]
    after = ("2020-04", "2021-03")
    result = period_change(areas, history, after=after, dispersion="history", correction=None)
    assert result.attrs["hotspots"]["before"] == "2019-04 to 2020-03"
    squares = degrees = 0
    for shift in range(0, 10):
        first = pd.period_range("2019-04", "2020-03", freq="M") - 12 * shift
        if first[0] < history.columns[0]:
            break
        b = history.loc[:, first].sum(axis=1).to_numpy()
        a = history.loc[:, first + 12].sum(axis=1).to_numpy()
        ratio = a.sum() / b.sum()
        squares += np.sum((a - b * ratio) ** 2 / (ratio * (a + b)))
        degrees += len(a) - 1
    assert result.attrs["hotspots"]["dispersion_estimate"] == pytest.approx(squares / degrees)
    assert result.attrs["hotspots"]["dispersion_source"] == "history"
    with pytest.raises(InputError, match="a year earlier"):
        period_change(areas, history.loc[:, "2019-04":], dispersion="history")


def test_given_dispersion(boroughs, history):
    areas = boroughs.loc[history.index]
    result = period_change(areas, history, dispersion=4.0)
    assert result.attrs["hotspots"]["dispersion"] == 4.0
    assert result.attrs["hotspots"]["dispersion_source"] == "given"


# ------------------------------------------------------------------ windows


def test_default_windows_are_the_latest_year_and_the_year_before(boroughs, history):
    result = period_change(boroughs.loc[history.index], history)
    assert result.attrs["hotspots"]["before"] == "2019-08 to 2020-07"
    assert result.attrs["hotspots"]["after"] == "2020-08 to 2021-07"


def test_after_alone_is_compared_with_the_same_months_a_year_earlier(boroughs, history):
    result = period_change(boroughs.loc[history.index], history, after=("2021-01", "2021-03"))
    assert result.attrs["hotspots"]["before"] == "2020-01 to 2020-03"
    expected = history.loc[:, "2020-01":"2020-03"].sum(axis=1)
    np.testing.assert_allclose(result["count_before"], expected.reindex(result.index))


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"before": ("2023-01", "2023-06")}, InputError, "not before alone"),
        ({"before": ("2023-01", "2023-06"), "after": ("2023-06", "2023-11")}, InputError,
         "end before"),
        ({"before": ("2023-01", "2023-06"), "after": ("2024-01", "2024-02")}, InputError,
         "same number"),
        ({"before": ("2023-03", "2023-08"), "after": ("2024-01", "2024-06")}, InputError,
         "same months of the year|not a whole number of years"),
        ({"before": ("2022-01", "2022-12"), "after": ("2024-01", "2024-12")}, InputError,
         "lack 2022-01"),
        ({"after": ("2023-10", "2023-12")}, InputError, r"lack 2022-10, 2022-11, 2022-12"),
        ({"test": "t-test"}, ValueError, "test"),
        ({"test": "exact", "dispersion": 2.0}, ValueError, "pure Poisson"),
        ({"dispersion": 0.5}, ValueError, ">= 1"),
        ({"correction": "holm"}, ValueError, "correction"),
        ({"alpha": 2}, ValueError, "alpha"),
    ],
    ids=["only-before", "overlap", "lengths", "season", "outside", "no-year-before", "test",
         "poisson-dispersion", "dispersion", "correction", "alpha"],
)  # fmt: skip
def test_bad_arguments(lsoas, burglary, kwargs, error, message):
    with pytest.raises(error, match=message):
        period_change(lsoas, burglary, **kwargs)


def test_short_cube_is_an_error_naming_the_missing_months(boroughs):
    areas = boroughs.iloc[:2]
    months = pd.period_range("2024-01", periods=4, freq="M", name="month")
    counts = pd.DataFrame(5.0, index=areas.index, columns=months)
    with pytest.raises(InputError, match=r"the data cover 2024-01 to 2024-04 and lack 2022-05"):
        period_change(areas, counts)


def test_fractional_counts_and_unknown_codes_refused(lsoas, burglary):
    with pytest.raises(InputError, match="whole-number"):
        period_change(lsoas, burglary / 2)
    with pytest.raises(InputError, match="not among the areas"):
        period_change(lsoas.iloc[10:], burglary)


def test_corrections(lsoas, burglary):
    raw = period_change(lsoas, burglary, test="exact", correction=None)
    fdr = period_change(lsoas, burglary, test="exact", correction="fdr")
    tested = raw["change_p"].notna()
    expected = stats.false_discovery_control(raw.loc[tested, "change_p"], method="bh")
    np.testing.assert_allclose(fdr.loc[tested, "change_p_adjusted"], expected, rtol=1e-12)


def test_shuffled_areas_give_the_same_rows(lsoas, burglary):
    shuffled = lsoas.sample(frac=1, random_state=3)
    a = period_change(lsoas, burglary)
    b = period_change(shuffled, burglary)
    pd.testing.assert_frame_equal(a.loc[shuffled.index], b, check_like=True)
    assert list(b.index) == list(shuffled.index)


# ------------------------------------------------------------------ roll-ups


def test_rollup_sums_wards_to_boroughs_and_london(wards, ward_robbery):
    rollup = change_rollup(wards, ward_robbery, test="exact")
    window = ward_robbery.loc[:, "2024-07":"2025-06"].sum(axis=1)
    by_borough = window.groupby(wards["borough_code"].reindex(window.index)).sum()
    with_data = rollup.boroughs["change_label"] != "No data"
    np.testing.assert_allclose(
        rollup.boroughs.loc[with_data, "count_after"], by_borough[rollup.boroughs.index[with_data]]
    )
    assert rollup.boroughs.loc["E09000001", "change_label"] == "No data"  # the City
    london = rollup.london.iloc[0]
    assert london["count_after"] == rollup.boroughs.loc[with_data, "count_after"].sum()
    assert london["window_after"] == "2024-07 to 2025-06"
    assert rollup.london.attrs["hotspots"]["boroughs_summed"] == 32
    a, b = int(london.count_after), int(london.count_before)
    assert london.change_p == pytest.approx(stats.binomtest(a, a + b).pvalue, rel=1e-9)
    assert len(rollup.areas) == len(wards)


def test_rollup_from_lsoas_without_a_borough_column(lsoas, burglary):
    areas = lsoas[["name", "geometry"]]
    rollup = change_rollup(areas, burglary)
    assert rollup.boroughs["change_label"].ne("No data").sum() == 32
    assert rollup.london.attrs["hotspots"]["dispersion_source"] == "boroughs"
    assert (
        rollup.london.attrs["hotspots"]["dispersion"]
        == rollup.boroughs.attrs["hotspots"]["dispersion"]
    )


def test_borough_codes_of_unknown_area_is_an_error(lsoas):
    strange = lsoas.iloc[:2][["geometry"]].set_axis(["X1", "X2"])
    with pytest.raises(InputError, match="borough"):
        borough_codes(strange)
    assert borough_codes(lsoas.iloc[:3]).tolist() == lsoas["borough_code"].iloc[:3].tolist()
