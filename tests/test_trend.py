"""Mann-Kendall trend test against hand-computed values and scipy's Kendall tau."""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np
import pytest
from scipy import stats

from hotspots import InputError, mann_kendall
from hotspots.spacetime._trend import _mann_kendall_rows


def reference(values):
    """Independent Mann-Kendall: pair loop, tie groups by counting (Hirsch et al. 1982)."""
    x = [v for v in values if not np.isnan(v)]
    n = len(x)
    s = sum(np.sign(x[j] - x[i]) for i, j in itertools.combinations(range(n), 2))
    groups = [t for t in Counter(x).values() if t > 1]
    var = (n * (n - 1) * (2 * n + 5) - sum(t * (t - 1) * (2 * t + 5) for t in groups)) / 18
    z = 0.0 if s == 0 else (s - np.sign(s)) / np.sqrt(var)
    return n, int(s), var, z, 2 * stats.norm.sf(abs(z))


def test_hand_computed_case_with_ties():
    # 28 pairs: (2, 2) tied, (5, 4) falls, the other 26 rise -> S = 25
    # Var = (8*7*21 - 2*1*9) / 18 = 64.333; z = (25 - 1) / sqrt(Var)
    result = mann_kendall([1, 2, 2, 3, 5, 4, 6, 7])
    assert result.n == 8
    assert result.s == 25
    assert result.variance == pytest.approx(1158 / 18, rel=1e-12)
    assert result.z == pytest.approx(24 / np.sqrt(1158 / 18), rel=1e-12)
    assert result.tau == pytest.approx(25 / np.sqrt(28 * 27), rel=1e-12)
    assert result.p == pytest.approx(0.0027696, abs=1e-6)
    assert result.trend == "Upward trend"


SERIES = {
    "rising": np.arange(10.0),
    "falling-ties": np.array([9, 9, 8, 8, 8, 5, 5, 4, 1, 0.0]),
    "gi-like": np.random.default_rng(7).normal(size=26).round(1),
    "many-ties": np.array([0, 1, 0, 0, 2, 1, 0, 3, 0, 0, 1, 2.0]),
    "constant": np.full(6, 2.0),
}


@pytest.mark.parametrize("values", SERIES.values(), ids=SERIES.keys())
def test_matches_independent_implementation(values):
    n, s, var, z, p = reference(values)
    result = mann_kendall(values)
    assert (result.n, result.s) == (n, s)
    assert result.variance == pytest.approx(var, rel=1e-12)
    assert result.z == pytest.approx(z, rel=1e-12, abs=1e-15)
    assert result.p == pytest.approx(p, rel=1e-12)


@pytest.mark.parametrize(
    "values",
    [v for k, v in SERIES.items() if k != "constant"],
    ids=[k for k in SERIES if k != "constant"],
)
def test_tau_is_scipy_kendall_tau_b_against_time(values):
    result = mann_kendall(values)
    expected = stats.kendalltau(np.arange(len(values)), values)
    assert result.tau == pytest.approx(expected.statistic, rel=1e-12)
    # scipy's asymptotic p uses the same tie-corrected variance, without continuity correction
    assert 2 * stats.norm.sf(abs(result.s) / np.sqrt(result.variance)) == pytest.approx(
        stats.kendalltau(np.arange(len(values)), values, method="asymptotic").pvalue, rel=1e-10
    )


def test_missing_values_are_left_out():
    with_gaps = mann_kendall([1.0, np.nan, 2.0, 4.0, np.nan, 3.0])
    without = mann_kendall([1.0, 2.0, 4.0, 3.0])
    assert with_gaps == without
    assert with_gaps.n == 4


@pytest.mark.parametrize("values", [[], [1.0], [3.0, 3.0, 3.0]], ids=["empty", "one", "tied"])
def test_no_variance_means_no_trend(values):
    result = mann_kendall(values)
    assert result.s == 0
    assert result.z == 0.0
    assert result.p == 1.0
    assert np.isnan(result.tau)
    assert result.trend == "No significant trend"


def test_downward_words_and_alpha():
    falling = mann_kendall(np.arange(8.0)[::-1])
    assert falling.trend == "Downward trend"
    weak = [1, 3, 2, 4, 3, 5.0]
    assert mann_kendall(weak).trend == "No significant trend"
    assert mann_kendall(weak, alpha=0.5).trend == "Upward trend"


def test_rows_agree_with_single_series():
    rng = np.random.default_rng(3)
    matrix = rng.integers(0, 4, size=(20, 12)).astype(float)
    matrix[rng.random(matrix.shape) < 0.1] = np.nan
    n, s, var, _, _, p = _mann_kendall_rows(matrix)
    for i, row in enumerate(matrix):
        single = mann_kendall(row)
        assert (n[i], s[i]) == (single.n, single.s)
        assert var[i] == pytest.approx(single.variance)
        assert p[i] == pytest.approx(single.p)


@pytest.mark.parametrize("alpha", [0, 1, -0.1], ids=["zero", "one", "negative"])
def test_bad_alpha(alpha):
    with pytest.raises(ValueError, match="alpha"):
        mann_kendall([1, 2, 3], alpha=alpha)


def test_two_dimensional_input_is_refused():
    with pytest.raises(InputError, match="one-dimensional"):
        mann_kendall(np.ones((2, 3)))
