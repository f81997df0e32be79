"""weighted_displacement_difference and unusual_periods against hand-worked formulas."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import boundaries
from hotspots import InputError, unusual_periods, weighted_displacement_difference

DATA = Path(__file__).parent / "data" / "spacetime"


# ------------------------------------------------------------------ WDD


def test_wdd_worked_example_from_the_papers_formulas():
    """Wheeler & Ratcliffe (2018), eq. for WDD and its Poisson variance, worked by hand.

    Treated 100 -> 70, control 90 -> 85, displacement buffer 50 -> 55, its control 60 -> 58:
    WDD = (70 - 100) - (85 - 90) + (55 - 50) - (58 - 60) = -30 + 5 + 5 + 2 = -18;
    Var = 100 + 70 + 90 + 85 + 50 + 55 + 60 + 58 = 568; z = -18 / sqrt(568) = -0.7553.
    """
    wdd = weighted_displacement_difference(
        (100, 70), (90, 85), displacement=(50, 55), displacement_control=(60, 58)
    )
    assert wdd.estimate == -18.0
    assert wdd.standard_error == pytest.approx(np.sqrt(568), rel=1e-12)
    assert wdd.z == pytest.approx(-0.755263, abs=1e-6)
    assert wdd.p == pytest.approx(2 * stats.norm.cdf(-18 / np.sqrt(568)), rel=1e-12)
    assert wdd.low == pytest.approx(-18 - 1.959964 * np.sqrt(568), rel=1e-6)
    assert wdd.high == pytest.approx(-18 + 1.959964 * np.sqrt(568), rel=1e-6)
    assert wdd.parts == {"treated": -30.0, "control": -5.0, "displacement": 5.0,
                         "displacement_control": -2.0}  # fmt: skip


def test_wdd_matches_the_ptools_documentation_example():
    """The example of ``wdd`` in Wheeler's R package ptools (its documentation), by hand.

    control (20, 20), treated (20, 10), displacement control (30, 30), displacement (30, 20),
    alpha 0.1: local -10 (var 70), displacement -10 (var 110), total -20, se sqrt(180);
    with no "before" counts, treated (0, 10) vs control (0, 20) gives two-sided p ~0.068.
    """
    wdd = weighted_displacement_difference(
        (20, 10), (20, 20), displacement=(30, 20), displacement_control=(30, 30), alpha=0.1
    )
    assert wdd.estimate == -20.0
    assert wdd.standard_error == pytest.approx(np.sqrt(180), rel=1e-12)
    assert wdd.z == pytest.approx(-20 / np.sqrt(180), rel=1e-12)
    assert (wdd.low, wdd.high) == pytest.approx((-42.07, 2.07), abs=0.01)
    no_before = weighted_displacement_difference((0, 10), (0, 20))
    assert no_before.p == pytest.approx(0.068, abs=0.001)


def test_wdd_without_displacement_and_with_dispersion():
    plain = weighted_displacement_difference((40, 20), (40, 38))
    assert plain.estimate == -18.0
    assert plain.standard_error == pytest.approx(np.sqrt(138))
    wide = weighted_displacement_difference((40, 20), (40, 38), dispersion=2.0, alpha=0.1)
    assert wide.standard_error == pytest.approx(np.sqrt(276))
    assert wide.high - wide.estimate == pytest.approx(stats.norm.ppf(0.95) * np.sqrt(276))
    assert wide.p > plain.p


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"displacement": (1, 2)}, InputError, "both"),
        ({"treated": (-1, 2)}, InputError, "zero or more"),
        ({"treated": (1,)}, InputError, "before, after"),
        ({"dispersion": 0.5}, ValueError, "dispersion"),
        ({"alpha": 0}, ValueError, "alpha"),
    ],
    ids=["half-displacement", "negative", "not-a-pair", "dispersion", "alpha"],
)
def test_wdd_bad_arguments(kwargs, error, message):
    args = {"treated": (10, 5), "control": (10, 9)} | kwargs
    with pytest.raises(error, match=message):
        weighted_displacement_difference(**args)


# ------------------------------------------------------------------ unusual periods


@pytest.fixture(scope="module")
def history():
    cube = pd.read_csv(DATA / "borough_robbery_monthly.csv", index_col="code")
    cube.columns = pd.PeriodIndex(cube.columns, freq="M", name="month")
    return cube.astype(float)


def test_unusual_by_hand():
    areas = boundaries.load("boroughs").iloc[:3]
    months = pd.period_range("2021-03", "2024-03", freq="M", name="month")
    counts = pd.DataFrame(10.0, index=areas.index, columns=months)
    counts.loc[:, "2021-03"] = [10, 20, 30]
    counts.loc[:, "2022-03"] = [14, 24, 20]
    counts.loc[:, "2023-03"] = [12, 16, 25]
    counts.loc[:, "2024-03"] = [30, 20, 5]
    result = unusual_periods(areas, counts, correction=None)
    history = counts.loc[:, ["2021-03", "2022-03", "2023-03"]].to_numpy()
    mean = history.mean(axis=1)
    phi = (((history - mean[:, None]) ** 2).sum(axis=1) / mean).sum() / (3 * 2)
    assert result.attrs["hotspots"]["dispersion_estimate"] == pytest.approx(phi)
    assert result.attrs["hotspots"]["history"] == "2021-03, 2022-03, 2023-03"
    phi = max(phi, 1)
    x = np.array([30, 20, 5])
    pooled = (history.sum(axis=1) + x) / 4
    t = (x - mean) / np.sqrt(phi * pooled * (1 + 1 / 3))
    np.testing.assert_allclose(result["unusual_p"], 2 * stats.t.sf(np.abs(t), 6), rtol=1e-10)
    z = stats.t.ppf(0.975, 6)
    np.testing.assert_allclose(
        result["upper_limit"], mean + z * np.sqrt(phi * mean * (1 + 1 / 3)), rtol=1e-12
    )
    assert result["unusual_label"].iloc[0] == (
        "Unusually high" if result["unusual_p"].iloc[0] <= 0.05 else "Within the usual range"
    )


def test_unusual_on_real_borough_history(history):
    areas = boundaries.load("boroughs").loc[history.index]
    result = unusual_periods(areas, history, period="2020-04")  # first lockdown month
    assert result.attrs["hotspots"]["history"] == "2017-04, 2018-04, 2019-04"
    longer = unusual_periods(areas, history, period="2020-04", years=20)
    assert longer.attrs["hotspots"]["history"].startswith("2010-04")
    assert (result["count"] < result["expected"]).all()
    low = unusual_periods(areas, history, period="2020-04", correction=None)
    assert (low["unusual_label"] == "Unusually low").sum() >= 5
    assert not (low["unusual_label"] == "Unusually high").any()
    # the documented weakness: robbery rose 2017-2019, so April 2019 looks high in places
    rising = unusual_periods(areas, history, period="2019-04", correction=None)
    assert (rising["unusual_label"] == "Unusually high").sum() >= 3


def test_unusual_needs_two_earlier_years(history):
    areas = boundaries.load("boroughs").loc[history.index]
    with pytest.raises(InputError, match="2010-07, 2009-07"):
        unusual_periods(areas, history, period="2011-07")
