"""The emerging hot spot categories of ArcGIS Pro, one small rule each.

Every rule reads an area's series of per-period states, oldest first, with
missing periods already left out: ``+1`` a significant hot spot, ``-1`` a
significant cold spot, ``0`` not significant; and the Mann-Kendall trend of
its Gi* z-values: ``+1`` a significant upward trend, ``-1`` downward, ``0``
none. The hot spot rules are written once; a cold spot rule is the hot spot
rule applied to the series with signs flipped (a cold spot "intensifies"
when its z-values fall).

The definitions follow Esri, *How Emerging Hot Spot Analysis works* (ArcGIS
Pro documentation); "90 percent of the time-step intervals" is read as at
least 90 percent of the periods with data. Where ArcGIS's wording lets two
categories match one series, :func:`classify` settles it (documented in
``docs/methods/spacetime.md``): the final period decides first (a series that
ends hot gets a hot spot category, one that ends cold a cold spot category),
"new" and "consecutive" mean never significant at all before, and historical
patterns come last.
"""

from __future__ import annotations

import numpy as np

from hotspots._vocabulary import (
    COLD_CATEGORIES,
    HOT_CATEGORIES,
    NO_DATA,
    NO_PATTERN,
)


def _hot_share_at_least_90(states: np.ndarray) -> bool:
    """Significant hot spot in at least 90% of the periods (integer arithmetic)."""
    return 10 * int(np.sum(states == 1)) >= 9 * len(states)


def _ends_hot(states: np.ndarray) -> bool:
    return len(states) > 0 and states[-1] == 1


def is_new(states: np.ndarray, trend: int) -> bool:
    """Hot spot in the final period, never significant (hot or cold) before, and
    (for a series of one period) hot in less than 90% of the periods."""
    return _ends_hot(states) and not np.any(states[:-1] != 0) and not _hot_share_at_least_90(states)


def is_consecutive(states: np.ndarray, trend: int) -> bool:
    """An unbroken run of at least two hot spot periods at the end, never significant
    before the run, and hot in less than 90% of the periods."""
    if not _ends_hot(states) or _hot_share_at_least_90(states):
        return False
    before_run = states[: _start_of_final_run(states)]
    run_length = len(states) - len(before_run)
    return run_length >= 2 and not np.any(before_run != 0)


def is_intensifying(states: np.ndarray, trend: int) -> bool:
    """Hot in at least 90% of the periods including the final one, z rising significantly."""
    return _ends_hot(states) and _hot_share_at_least_90(states) and trend > 0


def is_persistent(states: np.ndarray, trend: int) -> bool:
    """Hot in at least 90% of the periods including the final one, no significant trend."""
    return _ends_hot(states) and _hot_share_at_least_90(states) and trend == 0


def is_diminishing(states: np.ndarray, trend: int) -> bool:
    """Hot in at least 90% of the periods including the final one, z falling significantly."""
    return _ends_hot(states) and _hot_share_at_least_90(states) and trend < 0


def is_sporadic(states: np.ndarray, trend: int) -> bool:
    """Hot in the final period, on and off before: hot in less than 90% of the periods,
    never a significant cold spot, and not new or consecutive."""
    return (
        _ends_hot(states)
        and not _hot_share_at_least_90(states)
        and not np.any(states == -1)
        and not is_new(states, trend)
        and not is_consecutive(states, trend)
    )


def is_oscillating(states: np.ndarray, trend: int) -> bool:
    """Hot in the final period, a significant cold spot in some earlier period,
    hot in less than 90% of the periods."""
    return bool(_ends_hot(states) and not _hot_share_at_least_90(states) and np.any(states == -1))


def is_historical(states: np.ndarray, trend: int) -> bool:
    """Not hot in the final period, but hot in at least 90% of the periods."""
    return len(states) > 0 and states[-1] != 1 and _hot_share_at_least_90(states)


# rules in the order of the hot spot categories, and the order in which they are tried
_RULES = (
    is_new,
    is_consecutive,
    is_intensifying,
    is_persistent,
    is_diminishing,
    is_sporadic,
    is_oscillating,
    is_historical,
)


def classify(states: np.ndarray, trend: int) -> str:
    """The emerging hot spot category of one area.

    Parameters
    ----------
    states : numpy.ndarray
        Per-period states, oldest first, missing periods left out: +1 hot spot,
        -1 cold spot, 0 not significant. Empty means no data.
    trend : int
        +1, -1 or 0: the sign of a significant Mann-Kendall trend in Gi* z, else 0.

    Returns
    -------
    str
        One of :data:`CATEGORIES`.
    """
    states = np.asarray(states, dtype=np.int8)
    if len(states) == 0:
        return NO_DATA
    flipped = -states
    # categories about the final period (all but "historical"): hot first, then cold
    for rule, hot, cold in zip(_RULES[:-1], HOT_CATEGORIES[:-1], COLD_CATEGORIES[:-1], strict=True):
        if rule(states, trend):
            return hot
        if rule(flipped, -trend):
            return cold
    if is_historical(states, trend):
        return HOT_CATEGORIES[-1]
    if is_historical(flipped, -trend):
        return COLD_CATEGORIES[-1]
    return NO_PATTERN


def _start_of_final_run(states: np.ndarray) -> int:
    """Index where the final run of equal states begins."""
    changes = np.flatnonzero(states[1:] != states[:-1])
    return int(changes[-1]) + 1 if len(changes) else 0


def classify_all(states: np.ndarray, trends: np.ndarray) -> np.ndarray:
    """The emerging hot spot categories of many areas at once (vectorised :func:`classify`).

    Parameters
    ----------
    states : numpy.ndarray
        ``(areas, periods)`` states, oldest first: +1 hot spot, -1 cold spot,
        0 not significant, NaN for a missing period (left out of the series,
        as :func:`classify` expects). A row of NaN means no data.
    trends : numpy.ndarray
        ``(areas,)`` signs of the significant Mann-Kendall trends (+1, -1, 0).

    Returns
    -------
    numpy.ndarray
        ``(areas,)`` object array of categories; row ``i`` equals
        ``classify(states[i][~np.isnan(states[i])], trends[i])``.
    """
    states = np.asarray(states, dtype=np.float64)
    if states.ndim != 2:
        raise ValueError(f"states must be 2-D (areas, periods), not {states.ndim}-D")
    trends = np.sign(np.asarray(trends, dtype=np.float64)).astype(np.int8)
    present = ~np.isnan(states)
    # the final state of each series: last present column (0 when the row is empty)
    n_periods = states.shape[1]
    last_column = n_periods - 1 - np.argmax(present[:, ::-1], axis=1)
    final = np.where(present.any(axis=1), states[np.arange(len(states)), last_column], np.nan)
    hot = _side_codes(states, present, final, trends)
    cold = _side_codes(-states, present, -final, -trends)
    n_hot = len(HOT_CATEGORIES)
    # codes: 0..n-1 hot categories, n..2n-1 cold, 2n no pattern, 2n+1 no data
    names = np.array([*HOT_CATEGORIES, *COLD_CATEGORIES, NO_PATTERN, NO_DATA], dtype=object)
    codes = np.full(len(states), 2 * n_hot, dtype=np.int64)
    historical = n_hot - 1
    codes = np.where(cold == historical, n_hot + historical, codes)
    codes = np.where(hot == historical, historical, codes)
    about_final_cold = (cold >= 0) & (cold < historical)
    codes = np.where(about_final_cold, n_hot + cold, codes)
    about_final_hot = (hot >= 0) & (hot < historical)
    codes = np.where(about_final_hot, hot, codes)
    codes = np.where(present.any(axis=1), codes, 2 * n_hot + 1)
    return names[codes]


def _side_codes(
    states: np.ndarray, present: np.ndarray, final: np.ndarray, trends: np.ndarray
) -> np.ndarray:
    """Index into the hot spot rules (``_RULES``) of the rule each row matches, -1 for none.

    The hot spot side only; the cold side is this applied to flipped signs.
    """
    m = present.sum(axis=1)
    hot = (states == 1).sum(axis=1)  # NaN compares False
    cold = (states == -1).sum(axis=1)
    hot90 = 10 * hot >= 9 * m
    ends_hot = final == 1
    # length of the final run of hot states, missing periods skipped
    breaks = present & (states != 1)
    last_break = np.where(
        breaks.any(axis=1), states.shape[1] - 1 - np.argmax(breaks[:, ::-1], axis=1), -1
    )
    after = np.arange(states.shape[1])[None, :] > last_break[:, None]
    run = (present & after).sum(axis=1)
    new = ends_hot & ~hot90 & (hot + cold == 1)
    consecutive = ends_hot & ~hot90 & (run >= 2) & (hot + cold == run)
    intensifying = ends_hot & hot90 & (trends > 0)
    persistent = ends_hot & hot90 & (trends == 0)
    diminishing = ends_hot & hot90 & (trends < 0)
    sporadic = ends_hot & ~hot90 & (cold == 0) & ~new & ~consecutive
    oscillating = ends_hot & ~hot90 & (cold > 0)
    historical = (m > 0) & ~ends_hot & hot90
    matches = (
        new,
        consecutive,
        intensifying,
        persistent,
        diminishing,
        sporadic,
        oscillating,
        historical,
    )
    codes = np.full(len(states), -1, dtype=np.int64)
    for index in range(len(matches) - 1, -1, -1):  # the first matching rule wins
        codes = np.where(matches[index], index, codes)
    return codes
