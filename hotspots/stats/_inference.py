"""From statistics to decisions: p-values, multiple-testing correction and labels (private).

Used by :func:`hotspots.local_moran`, :func:`hotspots.getis_ord` and the
global statistics. Everything here works on plain arrays; NaN marks an area
that takes no part in the test (no data, no neighbours) and is never counted
in a correction.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from scipy.special import gammaincinv, ndtr

from hotspots._vocabulary import (
    CORRECTIONS,
    GI_LABELS,
    HIGH_HIGH,
    HIGH_LOW,
    LOW_HIGH,
    LOW_LOW,
    NO_DATA,
    NO_NEIGHBOURS,
    NOT_SIGNIFICANT,
)

# ArcGIS-style confidence bins: (largest p-value, bin); bins are signed by z
GI_LEVELS: tuple[tuple[float, int], ...] = ((0.01, 3), (0.05, 2), (0.10, 1))


def check_alpha(alpha: float) -> float:
    """``alpha`` as a float in (0, 1), or ValueError."""
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float, np.floating)):
        raise ValueError(f"alpha must be a number between 0 and 1, not {alpha!r}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1 (exclusive), not {alpha!r}")
    return float(alpha)


def check_correction(correction: str | None) -> str | None:
    """``correction`` if it is one of :data:`CORRECTIONS`, or ValueError."""
    if correction not in CORRECTIONS:
        raise ValueError(
            f"correction must be 'fdr', 'by', 'bonferroni' or None, not {correction!r}"
        )
    return correction


ADAPTIVE = "adaptive"
INFERENCES: tuple[str, ...] = ("permutation", "analytical")

# Besag-Clifford stopping count: an area stops once this many simulated values are at
# least as extreme as the observed one (its p-value is then known to within about
# 1 / sqrt(50) = 14 % of its value, and it is far from any threshold it could cross).
STOP_EXTREMES = 50

# The adaptive rule runs until the smallest p-value the correction could accept is
# attainable with this many extreme simulated values to spare (p = 2 (M + 1) / (R + 1)
# two-sided: the maximum R + 1 is 2 * RESOLUTION_MARGIN / target).
RESOLUTION_MARGIN = 2

# The adaptive maximum is never below the usual fixed count.
ADAPTIVE_FLOOR = 999


def check_permutations(permutations: int) -> int:
    """``permutations`` as a non-negative int, or ValueError.

    Counts above :data:`hotspots.stats._engine.MAX_PERMUTATIONS` (10,000,000) are
    refused: such runs take hours and a global statistic's simulated values
    alone would fill gigabytes.
    """
    return _checked_count(permutations, "a whole number", "")


def check_local_permutations(permutations: int | str) -> int | str:
    """``permutations`` of a local statistic: ``"adaptive"`` or a count as
    :func:`check_permutations` accepts, or ValueError."""
    if permutations == ADAPTIVE:
        return ADAPTIVE
    return _checked_count(
        permutations,
        "a whole number or 'adaptive'",
        " (permutations='adaptive' chooses what the correction needs)",
    )


def _checked_count(permutations: object, allowed: str, hint: str) -> int:
    from hotspots.stats._engine import MAX_PERMUTATIONS

    if isinstance(permutations, bool) or not isinstance(permutations, (int, np.integer)):
        raise ValueError(f"permutations must be {allowed}, not {permutations!r}")
    if permutations < 0:
        raise ValueError(f"permutations must be 0 or more, not {permutations}")
    if permutations > MAX_PERMUTATIONS:
        raise ValueError(
            f"permutations must be at most {MAX_PERMUTATIONS:,}, not {permutations:,}{hint}"
        )
    return int(permutations)


def check_inference(inference: str) -> str:
    """``inference`` if it is one of :data:`INFERENCES`, or ValueError."""
    if inference not in INFERENCES:
        raise ValueError(f"inference must be 'permutation' or 'analytical', not {inference!r}")
    return inference


def needed_p(m: int, level: float, correction: str | None) -> float:
    """Smallest raw p-value the correction could accept at ``level`` among ``m`` tests.

    Benjamini-Hochberg and Bonferroni: ``level / m`` (the first rank);
    Benjamini-Yekutieli: ``level / (m * sum(1/i))``; no correction: ``level``.
    """
    m = max(int(m), 1)
    if correction is None:
        return level
    if correction == "by":
        return level / (m * float(np.sum(1.0 / np.arange(1, m + 1))))
    return level / m


def inference_plan(
    permutations: int | str, inference: str, m: int, level: float, correction: str | None
) -> tuple[int, int]:
    """``(permutations, stop)`` for the engine: the most any area may use, and the stop count.

    ``"adaptive"`` with permutation inference: Besag-Clifford sequential
    p-values stopping at :data:`STOP_EXTREMES` extreme values, up to the count
    at which :func:`needed_p` is attainable with :data:`RESOLUTION_MARGIN`
    extreme values to spare (at least :data:`ADAPTIVE_FLOOR`, at most
    ``MAX_PERMUTATIONS``). A whole number: that fixed count for every area (0
    with analytical inference skips the simulation). ``"adaptive"`` with
    analytical inference runs none.
    """
    from hotspots.stats._engine import MAX_PERMUTATIONS

    if permutations == ADAPTIVE:
        if inference == "analytical":
            return 0, 0
        target = needed_p(m, level, correction)
        maximum = math.ceil(2 * RESOLUTION_MARGIN / target) - 1
        return int(min(max(maximum, ADAPTIVE_FLOOR), MAX_PERMUTATIONS)), STOP_EXTREMES
    if permutations == 0 and inference == "permutation":
        raise ValueError(
            "permutation inference needs permutations (at least 1, or 'adaptive'); "
            "use inference='analytical' for the normal approximation alone"
        )
    return int(permutations), 0


# An area still drawing permutations stops once its label is settled, with 99.9 %
# confidence at each round end: as surely significant when the upper 99.9 % bound of its
# p-value is significant after the correction with every other area also at its upper
# bound (step-up corrections only reject more when p-values fall), and as surely not
# significant when the lower 99.9 % bound is not significant with every area at its lower
# bound.
SURE = 0.999


def settler(correction: str | None, levels: list[float]) -> Settler:
    """The engine's ``settle`` callback for the adaptive rule: areas whose label is settled.

    ``levels`` are the significance levels the labels use (``[alpha]`` for LISA,
    the confidence bins for Gi*): an area may stop as surely significant at the
    strongest (smallest) level, and as surely not significant at the weakest.
    With ``M`` extreme values in ``L`` permutations the two-sided p-value lies
    between ``2 * gamma.ppf(1 - SURE, M) / L`` (0 when ``M = 0``) and
    ``2 * gamma.ppf(SURE, M + 1) / L``: the exact Poisson bounds of the expected
    count (the inverse regularised incomplete gamma function,
    ``scipy.special.gammaincinv``, which is what ``scipy.stats.gamma.ppf``
    computes, without importing scipy.stats); areas that have drawn nothing
    (islands) are not in the family.
    """
    return Settler(correction, min(levels), max(levels))


class Settler:
    """``settle(n_ge, n_le, used)``: the ``(n, k)`` areas whose label is settled (see
    :func:`settler`).

    :meth:`tracker` gives the same decisions incrementally, for the engine's rounds.
    """

    def __init__(self, correction: str | None, strongest: float, weakest: float) -> None:
        self.correction = correction
        self.strongest = strongest  # surely significant at this level
        self.weakest = weakest  # surely not significant at this level

    def upper(self, n_ge: np.ndarray, n_le: np.ndarray, used: np.ndarray) -> np.ndarray:
        """Upper bounds of the two-sided p-values, NaN where nothing was drawn."""
        return _bound(np.minimum(n_ge, n_le), used, upper_quantiles)

    def lower(self, n_ge: np.ndarray, n_le: np.ndarray, used: np.ndarray) -> np.ndarray:
        """Lower bounds of the two-sided p-values, NaN where nothing was drawn."""
        return _bound(np.minimum(n_ge, n_le), used, lower_quantiles)

    def __call__(self, n_ge: np.ndarray, n_le: np.ndarray, used: np.ndarray) -> np.ndarray:
        upper = self.upper(n_ge, n_le, used)
        lower = self.lower(n_ge, n_le, used)
        settled = np.zeros(upper.shape, dtype=bool)
        for c in range(upper.shape[1]):
            sure = adjust_p(upper[:, c], self.correction) <= self.strongest
            ruled_out = lower[:, c] > raw_threshold(lower[:, c], self.correction, self.weakest)
            settled[:, c] = sure | ruled_out
        return settled

    def tracker(self, n: int, k: int, stop: int) -> SettleTracker:
        """Fresh incremental state for one engine run on ``(n, k)`` cells."""
        return SettleTracker(self, n, k, stop)


def upper_quantiles(counts: np.ndarray) -> np.ndarray:
    """Upper :data:`SURE` Poisson bound of the expected count given ``counts`` events."""
    return np.asarray(gammaincinv(counts + 1.0, SURE), dtype=np.float64)


def lower_quantiles(counts: np.ndarray) -> np.ndarray:
    """Lower :data:`SURE` Poisson bound of the expected count given ``counts`` events (0 for 0)."""
    counts = np.asarray(counts, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        bound = gammaincinv(np.maximum(counts, 1.0), 1.0 - SURE)
    return np.asarray(np.where(counts > 0, bound, 0.0), dtype=np.float64)


def _bound(
    m: np.ndarray, used: np.ndarray, quantiles: Callable[[np.ndarray], np.ndarray]
) -> np.ndarray:
    """``min(1, 2 q(M) / L)`` per area, NaN where nothing was drawn."""
    # the quantile of the few distinct counts (identical values, a fraction of the time)
    counts, where = np.unique(m, return_inverse=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        bound = np.minimum(1.0, 2.0 * quantiles(counts)[where.reshape(m.shape)] / used)
    bound[used == 0] = np.nan
    return np.asarray(bound, dtype=np.float64)


# A p-value bound above this cannot be significant after any correction at the level
# (the adjusted value of a bound u is at least u, up to rounding): such areas take no
# part in the ranking that decides the others.
_CANDIDATE_SLACK = 1.0 + 1e-9


class SettleTracker:
    """The decisions of a :class:`Settler` over one engine run, kept up to date cell by cell.

    The engine's counts change between rounds only at the cells it processed;
    it writes their upper bounds into :attr:`upper_t` and lower bounds into
    :attr:`lower_t` (``(k, n)``, NaN: not in the family), flags in
    :attr:`cand_t` the upper bounds at most :attr:`limit` and counts them per
    column in :attr:`candidates`. A step-up correction ranks only those (every
    other bound is larger and not significant, so it changes neither their ranks
    nor their decisions), and only in the columns where :meth:`bounds` lets an
    area be significant; the lower bounds are ranked the same way, those at most
    :attr:`weak_limit`. The decisions are exactly those of ``Settler.__call__``
    on the whole arrays.
    """

    def __init__(self, settler: Settler, n: int, k: int, stop: int) -> None:
        self.correction = settler.correction
        self.strongest = settler.strongest
        self.weakest = settler.weakest
        # M is at most ``stop``: the bounds' quantiles for every count there can be
        self.quantiles = upper_quantiles(np.arange(stop + 1))
        self.quantiles_lo = lower_quantiles(np.arange(stop + 1))
        self.upper_t = np.full((k, n), np.nan)
        self.lower_t = np.full((k, n), np.nan)
        self.cand_t = np.zeros((k, n), dtype=bool)
        self.candidates = np.zeros(k, dtype=np.int64)
        self.family = np.zeros(k, dtype=np.int64)
        self.limit = self.strongest * _CANDIDATE_SLACK
        self.weak_limit = self.weakest * _CANDIDATE_SLACK

    def start(self) -> None:
        """Count the tests of each column (after the first round: every cell drawn from)."""
        self.family = (~np.isnan(self.upper_t)).sum(axis=1)

    def bounds(self) -> np.ndarray:
        """Per column, the largest upper bound an area can have and be significant."""
        family = np.maximum(self.family, 1)
        if self.correction is None:
            return np.full(len(family), self.limit)
        if self.correction == "bonferroni":
            return self.limit / family
        return self.limit * self.candidates / family

    def sure(self, c: int, rows: np.ndarray) -> np.ndarray:
        """Which areas ``rows`` of column ``c`` are surely significant."""
        level, m = self.strongest, int(self.family[c])
        column = self.upper_t[c]
        bound = column[rows]
        if self.correction is None:
            return np.asarray(bound <= level)
        if self.correction == "bonferroni":
            return np.asarray(np.minimum(1.0, bound * m) <= level)
        candidates = np.flatnonzero(self.cand_t[c])
        values = column[candidates]
        order = np.argsort(values, kind="stable")
        stepped = _step_up(values[order], m, self.correction)
        significant = np.zeros(len(column), dtype=bool)
        significant[candidates[order]] = np.minimum(1.0, stepped) <= level
        return significant[rows]

    def thresholds(self, columns: np.ndarray) -> np.ndarray:
        """Per column of ``columns``, :func:`raw_threshold` at the weakest level of the
        lower bounds (NaN in the other columns).

        An area whose lower bound is above its column's value is surely not
        significant. Only the bounds at most :attr:`weak_limit` are ranked (the
        others cannot be significant and rank after them).
        """
        out = np.full(len(self.family), np.nan)
        for c in columns[self.family[columns] > 0]:
            m = int(self.family[c])
            found = 0
            if self.correction in ("fdr", "by"):
                column = self.lower_t[c]
                ranked = np.sort(column[column <= self.weak_limit])
                found = int((_step_up(ranked, m, self.correction) <= self.weakest).sum())
            out[c] = max(found, 1) * needed_p(m, self.weakest, self.correction)
        return out


def raw_threshold(p: np.ndarray, correction: str | None, level: float) -> float:
    """The raw p-value at or below which an area is significant at ``level`` after correction.

    Bonferroni ``level / m``; Benjamini-Hochberg ``k level / m`` with ``k`` the
    number of discoveries (``level / m`` when there are none); Benjamini-Yekutieli
    the same divided by ``sum(1/i)``; no correction ``level``.
    """
    p = np.asarray(p, dtype=np.float64)
    valid = ~np.isnan(p)
    m = max(int(valid.sum()), 1)
    if correction is None:
        return level
    if correction == "bonferroni":
        return level / m
    k = max(int((adjust_p(p, correction) <= level).sum()), 1)
    return k * needed_p(m, level, correction)


# confidence of the Monte Carlo interval of a p-value behind "borderline"
_MC_CONFIDENCE = 0.99


def borderline(p: np.ndarray, used: np.ndarray, thresholds: list[float]) -> np.ndarray:
    """Areas whose p-value is within Monte Carlo error of a decision threshold.

    A two-sided pseudo p-value ``p = 2 (M + 1) / (L + 1)`` counts ``M`` extreme
    simulated values in ``L`` permutations (``M = round(p (L + 1) / 2) - 1``; a
    Besag-Clifford stop at ``h`` gives ``h - 1``, a slightly wider interval). Its 99 %
    Monte Carlo interval is the exact Poisson (Garwood) interval of the expected
    count, ``2 gamma.ppf(0.005, M) / L`` (0 when ``M = 0``) to
    ``2 gamma.ppf(0.995, M + 1) / L``; an area is borderline when it contains a
    threshold (another seed could put it on the other side). Exact bounds matter
    here: the adaptive rule stops clearly null areas after a few extreme values,
    where a normal interval would reach far below zero. Areas without a p-value or
    without permutations are not borderline.
    """
    p = np.asarray(p, dtype=np.float64)
    used = np.asarray(used, dtype=np.float64)
    out = np.zeros(p.shape, dtype=bool)
    ok = ~np.isnan(p) & (used > 0)
    if not ok.any():
        return out
    length = used[ok]
    extremes = np.maximum(np.round(p[ok] * (length + 1) / 2) - 1, 0)
    counts, where = np.unique(extremes, return_inverse=True)
    tail = (1 - _MC_CONFIDENCE) / 2
    with np.errstate(invalid="ignore"):
        low_q = np.where(counts > 0, gammaincinv(np.maximum(counts, 1.0), tail), 0.0)
    high_q = gammaincinv(counts + 1.0, 1 - tail)
    low = 2 * low_q[where] / length
    high = np.minimum(1.0, 2 * high_q[where] / length)
    hit = np.zeros(len(length), dtype=bool)
    for t in thresholds:
        hit |= (low <= t) & (t < high)
    out[ok] = hit
    return out


def check_seed(seed: int | None) -> int:
    """``seed`` as a non-negative int, or ValueError; None draws a fresh seed.

    The drawn seed is returned (and recorded with the results), so that any
    run can be repeated exactly.
    """
    if seed is None:
        return int(np.random.SeedSequence().generate_state(1, np.uint64)[0] % 2**32)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative whole number or None, not {seed!r}")
    if seed >= 2**64:  # the generator takes seeds modulo 2**64: 2**64 would repeat seed 0
        raise ValueError(f"seed must be below 2**64 (18446744073709551616), not {seed}")
    return int(seed)


def normal_p(z: np.ndarray | float) -> np.ndarray:
    """Two-sided p-value of a standard normal z-score, ``2 * P(Z > |z|)`` (NaN stays NaN)."""
    return 2.0 * ndtr(-np.abs(np.asarray(z, dtype=np.float64)))


def adjust_p(p: np.ndarray, correction: str | None) -> np.ndarray:
    """Adjusted p-values; an area is significant at ``alpha`` when its value is ``<= alpha``.

    Parameters
    ----------
    p : array of float
        Raw p-values; NaN entries are left out of the family (and stay NaN).
    correction : {"fdr", "by", "bonferroni", None}
        ``"fdr"``: Benjamini-Hochberg (1995) adjusted p-values (step-up, the
        false discovery rate is controlled at ``alpha`` for independent or
        positively dependent tests); ``"by"``: Benjamini-Yekutieli (2001), the
        Benjamini-Hochberg values times ``sum(1/i, i=1..m)``, which controls the
        false discovery rate under any dependence between tests (neighbouring
        areas share data); ``"bonferroni"``:
        ``min(1, m p)`` (the family-wise error rate is controlled at ``alpha``);
        ``None``: ``p`` unchanged. ``m`` is the number of non-NaN p-values.

    Examples
    --------
    >>> adjust_p(np.array([0.01, 0.04, 0.03, np.nan]), "fdr").round(3).tolist()
    [0.03, 0.04, 0.04, nan]
    >>> adjust_p(np.array([0.01, 0.04, 0.03, np.nan]), "by").round(3).tolist()
    [0.055, 0.073, 0.073, nan]
    >>> adjust_p(np.array([0.01, 0.04, 0.03, np.nan]), "bonferroni").round(3).tolist()
    [0.03, 0.12, 0.09, nan]
    """
    check_correction(correction)
    p = np.asarray(p, dtype=np.float64)
    out = p.copy()
    valid = ~np.isnan(p)
    m = int(valid.sum())
    if correction is None or m == 0:
        return out
    if correction == "bonferroni":
        out[valid] = np.minimum(1.0, p[valid] * m)
        return out
    values = p[valid]
    order = np.argsort(values, kind="stable")
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(1.0, _step_up(values[order], m, correction))
    out[valid] = adjusted
    return out


def _step_up(ranked: np.ndarray, m: int, correction: str | None) -> np.ndarray:
    """Step-up adjusted values (before capping at 1) of the ``len(ranked)`` smallest of
    ``m`` p-values, given in ascending order: ``min_{j>=k} m p_(j) / j`` (Benjamini-Hochberg),
    times ``sum(1/i, i=1..m)`` for Benjamini-Yekutieli. With only the smallest values
    given, a value differs from the full computation only where both exceed every level
    the others are compared with."""
    scaled = ranked * m / np.arange(1, len(ranked) + 1)
    if correction == "by":
        scaled *= np.sum(1.0 / np.arange(1, m + 1))
    return np.minimum.accumulate(scaled[::-1])[::-1]


def lisa_quadrants(z: np.ndarray, lag: np.ndarray) -> np.ndarray:
    """Moran scatterplot quadrant of each area, as words.

    "High" means above the mean (``z > 0``); a value exactly at the mean counts
    as low (esda's and spdep's ``pysal`` convention).
    """
    high = np.asarray(z) > 0
    high_lag = np.asarray(lag) > 0
    return np.where(
        high,
        np.where(high_lag, HIGH_HIGH, HIGH_LOW),
        np.where(high_lag, LOW_HIGH, LOW_LOW),
    ).astype(object)


def lisa_labels(
    quadrant: np.ndarray, significant: np.ndarray, has_data: np.ndarray, island: np.ndarray
) -> np.ndarray:
    """Cluster labels: the quadrant where significant, else "Not significant".

    ``has_data`` and ``island`` are boolean masks over all areas; areas without
    data are "No data", areas without neighbours "No neighbours".
    """
    labels = np.where(significant, quadrant, NOT_SIGNIFICANT).astype(object)
    labels[island] = NO_NEIGHBOURS
    labels[~has_data] = NO_DATA
    return labels


def gi_levels(alpha: float) -> list[float]:
    """The confidence levels (largest p-values) of the bins used at ``alpha``, weakest first."""
    return sorted((level for level, _ in GI_LEVELS if level <= alpha + 1e-12), reverse=True)


def gi_bins(z: np.ndarray, p_adjusted: np.ndarray, alpha: float) -> np.ndarray:
    """Confidence bins -3..3 (ArcGIS Hot Spot Analysis style), NaN-free ints.

    ``|bin|`` is 3, 2 or 1 where the (corrected) p-value is at most 0.01, 0.05
    or 0.10 and that level is within ``alpha`` (with ``alpha=0.05`` the 90 %
    bin is not used; ``alpha=0.10`` gives ArcGIS's full set); the sign is the
    sign of ``z``. Areas with a NaN p-value get 0.
    """
    p = np.asarray(p_adjusted, dtype=np.float64)
    bins = np.zeros(p.shape, dtype=np.int8)
    for level, value in sorted(GI_LEVELS, reverse=True):
        if level <= alpha + 1e-12:
            bins[p <= level] = value
    return (bins * np.sign(np.nan_to_num(np.asarray(z)))).astype(np.int8)


# every Gi* label: the bins -3..3, then "No neighbours" and "No data" (see gi_label_codes)
GI_WORDS: tuple[str, ...] = (*(GI_LABELS[b] for b in range(-3, 4)), NO_NEIGHBOURS, NO_DATA)


def gi_label_codes(bins: np.ndarray, has_data: np.ndarray, island: np.ndarray) -> np.ndarray:
    """Position in :data:`GI_WORDS` of each area's Gi* label (see :func:`gi_labels`)."""
    codes = np.asarray(bins, dtype=np.int64) + 3
    if codes.size and not 0 <= codes.min() <= codes.max() <= 6:
        raise ValueError(f"Gi* bins are -3..3, not {codes.min() - 3}..{codes.max() - 3}")
    codes[island] = GI_WORDS.index(NO_NEIGHBOURS)
    codes[~np.asarray(has_data, dtype=bool)] = GI_WORDS.index(NO_DATA)
    return codes


def gi_labels(bins: np.ndarray, has_data: np.ndarray, island: np.ndarray) -> np.ndarray:
    """Words for the Gi* bins, with "No data" and "No neighbours"."""
    return np.array(GI_WORDS, dtype=object)[gi_label_codes(bins, has_data, island)]
