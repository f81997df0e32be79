"""The Mann-Kendall test for a monotonic trend in a series.

Used on its own (:func:`mann_kendall`) and, row by row, on every area's series
of Gi* z-values in :func:`hotspots.emerging_hotspots`. Both go through
:func:`_mann_kendall_rows`, one vectorised implementation.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from hotspots._errors import InputError
from hotspots.stats._inference import check_alpha

__all__ = ["MannKendall", "mann_kendall"]

UPWARD = "Upward trend"
DOWNWARD = "Downward trend"
NO_TREND = "No significant trend"


@dataclass(frozen=True)
class MannKendall:
    """Result of the Mann-Kendall trend test.

    Attributes
    ----------
    n : int
        Number of values tested (missing values are left out).
    s : int
        The Mann-Kendall statistic S: the number of later-larger pairs minus
        the number of later-smaller pairs.
    variance : float
        Variance of S under no trend, corrected for tied values.
    tau : float
        Kendall's tau-b between the values and time, ``s / sqrt(n0 * (n0 - n_ties))``
        with ``n0 = n (n - 1) / 2`` and ``n_ties`` the number of tied pairs.
    z : float
        Normal score of S with a continuity correction of 1.
    p : float
        Two-sided p-value of ``z``.
    alpha : float
        Significance level used for ``trend``.
    trend : str
        ``"Upward trend"``, ``"Downward trend"`` or ``"No significant trend"``.

    Examples
    --------
    >>> import hotspots
    >>> result = hotspots.mann_kendall([3, 4, 4, 6, 8, 9, 12])
    >>> isinstance(result, hotspots.MannKendall), result.trend
    (True, 'Upward trend')
    """

    n: int
    s: int
    variance: float
    tau: float
    z: float
    p: float
    alpha: float
    trend: str


def mann_kendall(series: Iterable[float], *, alpha: float = 0.05) -> MannKendall:
    """Test a series for a monotonic trend (Mann 1945, Kendall 1975).

    The values are taken in the order given (oldest first). Missing values
    (NaN) are left out. The variance of S is corrected for ties, and the
    normal score uses a continuity correction of 1, as in Hirsch et al. (1982)
    and ArcGIS Pro's Emerging Hot Spot Analysis.

    Parameters
    ----------
    series : sequence of float
        The values in time order, oldest first.
    alpha : float, default 0.05
        Significance level for the ``trend`` words.

    Returns
    -------
    MannKendall
        A frozen dataclass with ``n, s, variance, tau, z, p, alpha, trend``.

    Raises
    ------
    hotspots.InputError
        If the series is not one-dimensional.
    ValueError
        If ``alpha`` is not a number between 0 and 1.

    Examples
    --------
    >>> from hotspots import mann_kendall
    >>> result = mann_kendall([1, 2, 2, 3, 5, 4, 6, 7])
    >>> result.s, round(result.tau, 3), result.trend
    (25, 0.909, 'Upward trend')
    """
    alpha = check_alpha(alpha)
    values = np.asarray(series if hasattr(series, "__len__") else list(series), dtype=float)
    if values.ndim != 1:
        raise InputError("the series must be one-dimensional", value=values.shape)
    n, s, var, tau, z, p = (a[0] for a in _mann_kendall_rows(values[None, :]))
    return MannKendall(
        n=int(n),
        s=int(s),
        variance=float(var),
        tau=float(tau),
        z=float(z),
        p=float(p),
        alpha=alpha,
        trend=str(_trend_words(np.array([z]), np.array([p]), alpha)[0]),
    )


def _trend_words(z: np.ndarray, p: np.ndarray, alpha: float) -> np.ndarray:
    """Words for each trend: significant at ``alpha`` and the sign of ``z``."""
    significant = p <= alpha
    return np.where(
        significant & (z > 0), UPWARD, np.where(significant & (z < 0), DOWNWARD, NO_TREND)
    )


def _mann_kendall_rows(values: np.ndarray) -> tuple[np.ndarray, ...]:
    """Mann-Kendall on each row of a 2-d array (time along axis 1), NaN left out.

    Returns arrays ``n, s, variance, tau, z, p``, one value per row. Rows
    with no variance (fewer than two values, or all values tied) get
    ``tau`` NaN, ``z`` 0 and ``p`` 1.
    """
    from scipy.special import ndtr  # the normal upper tail, as scipy.stats.norm.sf

    x = np.asarray(values, float)
    valid = ~np.isnan(x)
    n = valid.sum(axis=1)
    # S over the pairs (i, i + k), one lag k at a time, time along the rows of a transposed
    # copy: memory of one series per area, not one value per pair (1,770 pairs at 60 periods)
    xt = np.ascontiguousarray(x.T)
    vt = np.ascontiguousarray(valid.T)
    s = np.zeros(x.shape[0])
    with np.errstate(invalid="ignore"):
        for k in range(1, xt.shape[0]):
            signs = np.sign(xt[k:] - xt[:-k])
            s += np.where(vt[k:] & vt[:-k], signs, 0.0).sum(axis=0)
    tied_pairs, tie_term = _tie_counts(x)
    var = np.maximum((n * (n - 1.0) * (2.0 * n + 5.0) - tie_term) / 18.0, 0.0)
    n0 = n * (n - 1.0) / 2.0
    with np.errstate(invalid="ignore", divide="ignore"):
        tau = s / np.sqrt(n0 * (n0 - tied_pairs))
        z = np.where(s > 0, s - 1.0, np.where(s < 0, s + 1.0, 0.0)) / np.sqrt(var)
    no_variance = var <= 0
    tau = np.where(no_variance, np.nan, tau)
    z = np.where(no_variance, 0.0, z)
    p = 2.0 * ndtr(-np.abs(z))
    return n, s.astype(np.int64), var, tau, z, p


def _tie_counts(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row: number of tied pairs, and the sum of t (t - 1) (2t + 5) over tie groups."""
    ordered = np.sort(x, axis=1)  # NaN sort last
    rows, length = ordered.shape
    tied_pairs = np.zeros(rows)
    tie_term = np.zeros(rows)
    if length < 2:
        return tied_pairs, tie_term
    # run lengths of equal, non-missing values: a run starts where the value changes
    same = (ordered[:, 1:] == ordered[:, :-1]) & ~np.isnan(ordered[:, 1:])
    run = np.zeros(rows)
    for k in range(length - 1):
        run = np.where(same[:, k], run + 1.0, 0.0)
        next_same = same[:, k + 1] if k + 1 < length - 1 else np.zeros(rows, bool)
        t = np.where(same[:, k] & ~next_same, run + 1.0, 0.0)
        tied_pairs += t * (t - 1.0) / 2.0
        tie_term += t * (t - 1.0) * (2.0 * t + 5.0)
    return tied_pairs, tie_term
