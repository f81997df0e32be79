"""Multiple-testing corrections, bins and labels."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import chi2

from hotspots.stats._inference import (
    adjust_p,
    borderline,
    gi_bins,
    gi_labels,
    lisa_labels,
    lisa_quadrants,
    lower_quantiles,
    normal_p,
    upper_quantiles,
)


def test_benjamini_hochberg_against_the_step_up_rule():
    """Adjusted p <= alpha exactly when the BH step-up procedure rejects."""
    rng = np.random.default_rng(0)
    p = np.concatenate([rng.uniform(size=300), rng.uniform(0, 0.002, size=40)])
    adjusted = adjust_p(p, "fdr")
    for alpha in (0.01, 0.05, 0.1):
        ranked = np.sort(p)
        below = np.nonzero(ranked <= alpha * np.arange(1, p.size + 1) / p.size)[0]
        threshold = ranked[below.max()] if below.size else -1.0
        np.testing.assert_array_equal(adjusted <= alpha, p <= threshold)


def test_hand_example_and_nan_left_out():
    p = np.array([0.01, 0.04, 0.03, np.nan, 0.5])
    np.testing.assert_allclose(adjust_p(p, "fdr"), [0.04, 0.05333333, 0.05333333, np.nan, 0.5])
    np.testing.assert_allclose(adjust_p(p, "bonferroni"), [0.04, 0.16, 0.12, np.nan, 1.0])
    np.testing.assert_array_equal(adjust_p(p, None), p)
    with pytest.raises(ValueError):
        adjust_p(p, "holm")


def test_normal_p_two_sided():
    np.testing.assert_allclose(normal_p(np.array([1.959963984540054, -2.5758293035489])),
                               [0.05, 0.01], rtol=1e-9)  # fmt: skip


def test_bins_signed_and_levels():
    z = np.array([3.0, 2.0, 1.7, -2.0, -3.0, 0.1, 2.0])
    p = np.array([0.005, 0.03, 0.08, 0.04, 0.001, 0.9, np.nan])
    assert gi_bins(z, p, 0.10).tolist() == [3, 2, 1, -2, -3, 0, 0]
    assert gi_bins(z, p, 0.05).tolist() == [3, 2, 0, -2, -3, 0, 0]
    assert gi_bins(z, p, 0.01).tolist() == [3, 0, 0, 0, -3, 0, 0]
    labels = gi_labels(np.array([3, -1, 0, 0]), np.array([True, True, False, True]),
                       np.array([False, False, False, True]))  # fmt: skip
    assert labels.tolist() == ["Hot spot (99%)", "Cold spot (90%)", "No data", "No neighbours"]


def test_lisa_quadrants_and_labels():
    quadrant = lisa_quadrants(np.array([1.0, -1.0, 1.0, -1.0, 0.0]),
                              np.array([1.0, -1.0, -1.0, 1.0, 1.0]))  # fmt: skip
    assert quadrant.tolist() == ["High-High", "Low-Low", "High-Low", "Low-High", "Low-High"]
    labels = lisa_labels(quadrant, np.array([True, False, True, True, True]),
                         np.array([True, True, True, False, True]),
                         np.array([False, False, False, False, True]))  # fmt: skip
    assert labels.tolist() == ["High-High", "Not significant", "High-Low", "No data",
                               "No neighbours"]  # fmt: skip


@pytest.mark.parametrize(("correction", "method"), [("fdr", "bh"), ("by", "by")], ids=["BH", "BY"])
def test_fdr_corrections_match_scipy(correction, method):
    from scipy.stats import false_discovery_control

    p = np.random.default_rng(7).uniform(0, 0.2, 300) ** 2
    np.testing.assert_allclose(
        adjust_p(p, correction), false_discovery_control(p, method=method), rtol=1e-12
    )


@pytest.mark.parametrize("permutations", [64, 999, 65_535], ids=["64", "999", "65535"])
def test_borderline_is_the_exact_poisson_interval_around_a_threshold(permutations):
    """An area is borderline when the 99 % Garwood interval of its extreme count (from the
    chi-square quantiles, scipy.stats) contains a threshold; NaN and no-permutation areas
    never are."""
    extremes = np.arange(0, 60)
    p = np.minimum(1.0, 2 * (extremes + 1) / (permutations + 1))
    used = np.full(len(p), permutations)
    low = np.where(extremes > 0, chi2.ppf(0.005, 2 * np.maximum(extremes, 1)) / 2, 0.0)
    high = chi2.ppf(0.995, 2 * (extremes + 1)) / 2
    for t in (0.05, 0.01, 1e-4):
        expected = (2 * low / permutations <= t) & (t < np.minimum(1, 2 * high / permutations))
        # exact to rounding: compare away from the edges
        edge = np.isclose(2 * low / permutations, t, rtol=1e-9) | np.isclose(
            2 * high / permutations, t, rtol=1e-9
        )
        got = borderline(p, used, [t])
        np.testing.assert_array_equal(got[~edge], expected[~edge])
    assert not borderline(np.array([np.nan, 0.04]), np.array([999, 0]), [0.05]).any()


def test_poisson_bounds_against_chi_square():
    """The settle rule's 99.9 % bounds of an expected count are the chi-square (Garwood) ones."""
    counts = np.arange(0, 51)
    np.testing.assert_allclose(upper_quantiles(counts), chi2.ppf(0.999, 2 * (counts + 1)) / 2,
                               rtol=1e-10)  # fmt: skip
    lower = np.where(counts > 0, chi2.ppf(0.001, 2 * np.maximum(counts, 1)) / 2, 0.0)
    np.testing.assert_allclose(lower_quantiles(counts), lower, rtol=1e-10, atol=0)


GI_LABEL_CASES = {
    "empty": ([], [], []),
    "every-bin": ([-3, -2, -1, 0, 1, 2, 3], [True] * 7, [False] * 7),
    "no-data-over-island": ([3, 2, 0, -2], [False, True, False, True], [True, True, False, False]),
}


@pytest.mark.parametrize(("bins", "has_data", "island"), GI_LABEL_CASES.values(),
                         ids=GI_LABEL_CASES.keys())  # fmt: skip
def test_gi_labels_match_a_lookup_per_area(bins, has_data, island):
    from hotspots._vocabulary import GI_LABELS, NO_DATA, NO_NEIGHBOURS

    expected = [
        NO_DATA if not d else NO_NEIGHBOURS if i else GI_LABELS[b]
        for b, d, i in zip(bins, has_data, island, strict=True)
    ]
    got = gi_labels(np.array(bins, dtype=np.int8), np.array(has_data, dtype=bool),
                    np.array(island, dtype=bool))  # fmt: skip
    assert got.dtype == object and got.tolist() == expected


def test_gi_labels_refuse_a_bin_outside_minus_3_to_3():
    with pytest.raises(ValueError, match=r"-3\.\.3"):
        gi_labels(np.array([4]), np.array([True]), np.array([False]))
