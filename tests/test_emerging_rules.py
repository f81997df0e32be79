"""Each emerging hot spot rule on constructed series that hit its edges."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from hotspots._vocabulary import EMERGING_CATEGORIES as CATEGORIES
from hotspots.spacetime._rules import (
    classify,
    classify_all,
    is_consecutive,
    is_diminishing,
    is_historical,
    is_intensifying,
    is_new,
    is_oscillating,
    is_persistent,
    is_sporadic,
)

H, C, N = 1, -1, 0  # hot spot, cold spot, not significant


def s(*states):
    return np.array(states, dtype=np.int8)


TEN_HOT = s(*[H] * 10)
NINE_OF_TEN = s(N, *[H] * 9)  # exactly 90 %
EIGHT_OF_NINE = s(N, *[H] * 8)  # 88.9 %: just under


# (series, trend, expected category)
CASES = {
    # new: hot only in the final period
    "new": (s(N, N, N, H), 0, "New hot spot"),
    "new-one-period": (s(H), 0, "Persistent hot spot"),  # 1 of 1 is 100 %: persistent
    "new-after-cold-is-oscillating": (s(C, N, N, H), 0, "Oscillating hot spot"),
    "new-cold": (s(N, N, C), 0, "New cold spot"),
    # consecutive: a final run of >= 2, never significant before
    "consecutive": (s(N, N, N, N, H, H), 0, "Consecutive hot spot"),
    "consecutive-long-run": (s(N, N, H, H, H, H, H, H, H, H), 0, "Consecutive hot spot"),
    "run-reaching-90-is-persistent": (NINE_OF_TEN, 0, "Persistent hot spot"),
    "run-after-earlier-hot-is-sporadic": (s(H, N, N, H, H), 0, "Sporadic hot spot"),
    "run-after-cold-is-oscillating": (s(C, N, H, H), 0, "Oscillating hot spot"),
    "consecutive-cold": (s(N, N, C, C), 0, "Consecutive cold spot"),
    # 90 % and more: trend decides
    "persistent-100": (TEN_HOT, 0, "Persistent hot spot"),
    "persistent-exactly-90": (NINE_OF_TEN, 0, "Persistent hot spot"),
    "intensifying": (TEN_HOT, 1, "Intensifying hot spot"),
    "diminishing": (TEN_HOT, -1, "Diminishing hot spot"),
    "diminishing-exactly-90": (s(H, H, H, N, H, H, H, H, H, H), -1, "Diminishing hot spot"),
    "under-90-with-trend-is-sporadic": (s(H, N, H, N, H, H, H, H, H, H), 1, "Sporadic hot spot"),
    "intensifying-cold": (-TEN_HOT, -1, "Intensifying cold spot"),
    "diminishing-cold": (-TEN_HOT, 1, "Diminishing cold spot"),
    "persistent-cold": (-NINE_OF_TEN, 0, "Persistent cold spot"),
    "just-under-90-consecutive": (EIGHT_OF_NINE, 0, "Consecutive hot spot"),
    # sporadic and oscillating: final hot, on and off before
    "sporadic": (s(H, N, H, N, N, H), 0, "Sporadic hot spot"),
    "oscillating": (s(H, C, H, N, N, H), 0, "Oscillating hot spot"),
    "oscillating-mostly-cold": (s(*[C] * 9, H), 0, "Oscillating hot spot"),
    "sporadic-cold": (s(C, N, C, N, C), 0, "Sporadic cold spot"),
    "oscillating-cold": (s(H, H, N, C), 0, "Oscillating cold spot"),
    # historical: not hot at the end, hot >= 90 % before
    "historical": (s(*[H] * 9, N), 0, "Historical hot spot"),
    "historical-any-trend": (s(*[H] * 9, N), -1, "Historical hot spot"),
    "ends-cold-after-hot-is-oscillating-cold": (s(*[H] * 9, C), 0, "Oscillating cold spot"),
    "historical-cold": (s(*[C] * 9, N), 1, "Historical cold spot"),
    "not-quite-historical": (s(*[H] * 8, N, N), 0, "No pattern detected"),
    # nothing
    "never-significant": (s(N, N, N, N), 0, "No pattern detected"),
    "hot-earlier-only": (s(H, H, N, N), 1, "No pattern detected"),
    "no-data": (s(), 0, "No data"),
}


@pytest.mark.parametrize(("states", "trend", "expected"), CASES.values(), ids=CASES.keys())
def test_classify(states, trend, expected):
    assert classify(states, trend) == expected
    assert expected in CATEGORIES


RULES = {
    "new": is_new,
    "consecutive": is_consecutive,
    "intensifying": is_intensifying,
    "persistent": is_persistent,
    "diminishing": is_diminishing,
    "sporadic": is_sporadic,
    "oscillating": is_oscillating,
    "historical": is_historical,
}


@pytest.mark.parametrize("kind", RULES.keys())
def test_each_rule_matches_its_cases_and_no_other_rule_does(kind):
    for states, trend, expected in CASES.values():
        if expected == f"{kind.capitalize()} hot spot":
            matched = [k for k, rule in RULES.items() if rule(states, trend)]
            assert matched == [kind], (states, trend)


def test_hot_rules_never_overlap():
    """Every series of length 1..6 and every trend matches at most one hot rule
    among those about the final period (historical needs a final period not hot)."""
    for length in range(1, 7):
        for combo in itertools.product((H, C, N), repeat=length):
            states = s(*combo)
            for trend in (-1, 0, 1):
                matched = [k for k, rule in RULES.items() if rule(states, trend)]
                assert len(matched) <= 1, (combo, trend, matched)
                category = classify(states, trend)
                assert category in CATEGORIES


def test_cold_is_the_mirror_of_hot():
    for combo in itertools.product((H, C, N), repeat=5):
        for trend in (-1, 0, 1):
            hot = classify(s(*combo), trend)
            cold = classify(-s(*combo), -trend)
            assert (
                hot.replace("hot spot", "X")
                .replace("cold spot", "hot spot")
                .replace("X", "cold spot")
                == cold
            )


def _classify_rows(states, trends):
    return [classify(row[~np.isnan(row)], int(t)) for row, t in zip(states, trends, strict=True)]


@pytest.mark.parametrize("length", [1, 2, 3, 4, 5], ids=lambda n: f"all-series-{n}")
def test_classify_all_equals_classify_on_every_series(length):
    """Every series of hot / cold / not significant / missing periods up to length 5."""
    combos = np.array(list(itertools.product((H, C, N, np.nan), repeat=length)), dtype=float)
    states = np.repeat(combos, 3, axis=0)
    trends = np.tile([-1, 0, 1], len(combos))
    assert list(classify_all(states, trends)) == _classify_rows(states, trends)


@pytest.mark.parametrize("periods", [10, 20, 60], ids=lambda n: f"random-{n}-periods")
def test_classify_all_equals_classify_on_random_series(periods):
    """Random series, mostly hot (so the 90 % edges and long runs occur), with gaps."""
    rng = np.random.default_rng(periods)
    n = 1500
    share_hot = rng.uniform(0.5, 1.0, size=(n, 1))
    draw = rng.uniform(size=(n, periods))
    states = np.where(draw < share_hot, H, np.where(draw < share_hot + 0.05, C, N)).astype(float)
    states[rng.uniform(size=(n, periods)) < rng.uniform(0, 0.3, size=(n, 1))] = np.nan
    states[:100] = 1.0  # all hot, then one break at a random place
    states[np.arange(100), rng.integers(0, periods, 100)] = rng.choice([C, N, np.nan], 100)
    trends = rng.integers(-1, 2, size=n)
    expected = _classify_rows(states, trends)
    assert list(classify_all(states, trends)) == expected
    assert len(set(expected)) >= 8


def test_classify_all_equals_classify_on_the_constructed_cases():
    width = max(len(states) for states, _, _ in CASES.values())
    rows = np.full((len(CASES), width), np.nan)
    for i, (states, _, _) in enumerate(CASES.values()):
        rows[i, width - len(states) :] = states  # missing periods first
    trends = np.array([trend for _, trend, _ in CASES.values()])
    assert list(classify_all(rows, trends)) == [expected for _, _, expected in CASES.values()]
