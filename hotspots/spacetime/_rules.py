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
