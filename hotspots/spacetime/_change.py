"""Change in counts between two like-for-like windows per area, with a test that survives scrutiny.

The default test asks whether an area changed more than the trend of all the
areas together (London, when the areas cover London) would explain, allowing
for the extra-Poisson variation that real crime counts show (quasi-Poisson,
the dispersion estimated from the data). The exact Poisson test and the E-test
remain as named options; both assume pure Poisson variation and test against
no change at all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hotspots._errors import InputError
from hotspots._vocabulary import (
    ABOVE_TREND,
    BELOW_TREND,
    DECREASE,
    IN_LINE_WITH_TREND,
    INCREASE,
    NO_CHANGE,
    NO_DATA,
)
from hotspots.spacetime._cube import cube_for_areas
from hotspots.stats._inference import adjust_p, check_alpha, check_correction

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["period_change"]

TESTS = ("trend", "exact", "e-test")
MODELS = {
    "trend": "quasi-Poisson, relative to the trend of all the areas",
    "exact": "Poisson (conditional exact test of equal rates; no overdispersion)",
    "e-test": "Poisson (E-test of equal rates; no overdispersion)",
}
PER_YEAR = {"month": 12, "quarter": 4, "year": 1}


def period_change(
    areas: gpd.GeoDataFrame,
    cube: pd.DataFrame,
    *,
    before: tuple[str, str] | None = None,
    after: tuple[str, str] | None = None,
    test: Literal["trend", "exact", "e-test"] = "trend",
    dispersion: Literal["areas", "history"] | float = "areas",
    alpha: float = 0.05,
    correction: str | None = "fdr",
) -> gpd.GeoDataFrame:
    """Counts in two like-for-like windows, the change with its interval, and whether it is real.

    Parameters
    ----------
    areas : geopandas.GeoDataFrame
        The areas, indexed by code (wards, boroughs, LSOAs ...). Not modified.
    cube : pandas.DataFrame
        Counts per area and period (see :func:`hotspots.space_time_cube`).
        Codes must be areas; areas missing from the cube have no data.
    before, after : tuple of two period labels, optional
        First and last period (inclusive) of each window, e.g.
        ``("2023-07", "2024-06")``. The windows must have the same length and
        the after window must start a whole number of years after the before
        window starts (the same months of the year: crime is seasonal).
        Give ``after`` alone to compare it with the same periods a year
        earlier. Default: the latest year of the cube (12 months, 4 quarters
        or 1 year) against the year before it. A window the cube does not
        cover is an error naming the missing periods.
    test : {"trend", "exact", "e-test"}, default "trend"
        ``"trend"``: is the area's change different from the change of all
        the areas together? With :math:`a, b` the area's counts after and
        before and :math:`R = A/B` the ratio of the totals, the count after
        given :math:`n = a + b` is compared with :math:`n R/(1+R)`; the
        Pearson residual :math:`r = (a - bR)/\\sqrt{R n}` is divided by
        :math:`\\sqrt{\\phi}` and referred to Student's t with :math:`m - 1`
        degrees of freedom (:math:`m` areas with counts). :math:`\\phi`, the
        quasi-Poisson dispersion, is set by ``dispersion`` and never below 1.
        ``"exact"``: the conditional exact test of equal Poisson rates
        (the count after given the total is binomial with probability 1/2;
        :func:`scipy.stats.binomtest`). ``"e-test"``: the Krishnamoorthy &
        Thomson (2004) E-test (:func:`scipy.stats.poisson_means_test`). Both
        assume pure Poisson variation and test against no change, so with
        real crime counts they call far too many changes significant (see
        the methods page).
    dispersion : {"areas", "history"} or float, default "areas"
        How the ``"trend"`` test estimates :math:`\\phi`: ``"areas"``, the
        mean squared Pearson residual across the areas
        (:math:`\\sum r^2/(m-1)`); ``"history"``, pooled over the same
        comparison repeated a year, two years ... earlier, as far back as the
        cube goes (at least one earlier comparison needed); a number,
        :math:`\\phi` itself (e.g. from a longer series). Only for
        ``test="trend"``; the Poisson tests have :math:`\\phi = 1`.
    alpha : float, default 0.05
        Significance level of the words in ``change_label``; the intervals
        are at level ``1 - alpha``.
    correction : {"fdr", "by", "bonferroni", None}, default "fdr"
        Multiple-testing correction across the areas with data.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy of ``areas`` with ``count_before``, ``count_after``, ``change``
        (after minus before), ``percent_change`` (NaN when before is 0) and
        its interval ``percent_change_low``, ``percent_change_high``; the
        rate ratio after/before ``rate_ratio``, ``rate_ratio_low``,
        ``rate_ratio_high``; ``expected_after`` (before times the reference
        ratio: :math:`R` for ``"trend"``, 1 otherwise) and
        ``relative_ratio`` = rate ratio / reference ratio, with
        ``relative_ratio_low``, ``relative_ratio_high``; ``window_before``
        and ``window_after`` (the windows, as text), ``change_test`` and
        ``change_dispersion`` (the test and its :math:`\\phi`, so that a table
        written to a file still says what was tested); ``change_p``,
        ``change_p_adjusted`` and ``change_label``. With ``"trend"`` the
        label is ``"Significantly above trend"``, ``"Significantly below
        trend"`` or ``"In line with trend"`` (an area that fell by less than
        London is *above* the trend, not an increase); with the Poisson tests
        ``"Significant increase"``, ``"Significant decrease"`` or ``"No
        significant change"``. ``"No data"`` when some period of either window
        has no count. ``attrs["hotspots"]`` records the windows, ``test``,
        ``model``, ``dispersion`` (:math:`\\phi` used), ``dispersion_estimate``
        (before flooring at 1), ``dispersion_source``, ``relative_to``,
        ``reference_ratio``, ``alpha``, ``confidence`` and ``correction``.

    Raises
    ------
    hotspots.InputError
        Bad cube, counts that are not whole numbers, codes that are not areas,
        windows outside the cube (naming the missing periods), overlapping,
        of different lengths or not in the same months of the year; history
        asked for but not in the cube.
    ValueError
        An unknown ``test`` or ``correction``, ``alpha`` not between 0 and 1,
        or a ``dispersion`` that is not "areas", "history" or a number >= 1,
        or a dispersion other than "areas" with a Poisson test.

    Notes
    -----
    The interval of the rate ratio is the Clopper-Pearson interval of
    :math:`\\pi = a/n` computed on the effective counts :math:`a/\\phi` and
    :math:`n/\\phi`, mapped by :math:`\\pi/(1-\\pi)`; with :math:`\\phi = 1` it
    is the exact conditional interval of a ratio of Poisson rates. The
    reference ratio :math:`R` is treated as known (it comes from the total of
    many areas).

    Examples
    --------
    >>> import boundaries, hotspots
    >>> import pandas as pd
    >>> boroughs = boundaries.load("boroughs").iloc[:4]
    >>> years = pd.period_range("2023", periods=2, freq="Y", name="year")
    >>> counts = pd.DataFrame([[100, 90], [200, 180], [50, 45], [80, 120]],
    ...                       index=boroughs.index, columns=years)  # synthetic
    >>> change = hotspots.period_change(boroughs, counts, correction=None)
    >>> change[["count_before", "count_after"]].to_numpy().tolist()
    [[100.0, 90.0], [200.0, 180.0], [50.0, 45.0], [80.0, 120.0]]
    >>> change["change_label"].tolist()
    ['In line with trend', 'In line with trend', 'In line with trend', 'In line with trend']
    >>> round(change.attrs["hotspots"]["dispersion"], 2)
    3.27
    >>> exact = hotspots.period_change(boroughs, counts, test="exact", correction=None)
    >>> exact["change_label"].tolist()[3], float(round(exact["percent_change_low"].iloc[3], 1))
    ('Significant increase', 12.1)
    """
    alpha = check_alpha(alpha)
    correction = check_correction(correction)
    if test not in TESTS:
        raise ValueError(f"test must be one of {TESTS}, not {test!r}")
    _check_dispersion(dispersion, test)
    values = cube_for_areas(cube, areas)
    whole = values.to_numpy()
    if np.any(~np.isnan(whole) & (whole != np.round(whole))):
        raise InputError("the change test needs whole-number counts")
    first, second = change_windows(values.columns, before, after)
    count_before, count_after = _window_sums(values, first), _window_sums(values, second)
    has_data = ~np.isnan(count_before) & ~np.isnan(count_after)
    b, a = count_before[has_data], count_after[has_data]

    p = np.full(len(values), np.nan)
    reference, phi, estimate, source = 1.0, 1.0, float("nan"), "Poisson"
    if test == "trend":
        reference = _ratio(a.sum(), b.sum())
        estimate, degrees = _history_dispersion(values, first, second, dispersion)
        phi = max(1.0, estimate) if np.isfinite(estimate) else 1.0
        if not isinstance(dispersion, str):
            phi = estimate = float(dispersion)
        source = dispersion if isinstance(dispersion, str) else "given"
        p[has_data] = trend_p(b, a, reference, phi, degrees)
    else:
        p[has_data] = _poisson_p(b, a, test)
    adjusted = adjust_p(p, correction)

    ratio = np.full(len(values), np.nan)
    low, high = np.full(len(values), np.nan), np.full(len(values), np.nan)
    ratio[has_data], low[has_data], high[has_data] = ratio_interval(b, a, phi, alpha)
    change = count_after - count_before
    with np.errstate(divide="ignore", invalid="ignore"):
        percent = np.where(count_before > 0, 100.0 * change / count_before, np.nan)
        expected = count_before * reference
        direction = np.sign(count_after - expected)
    significant = adjusted <= alpha
    words = (ABOVE_TREND, BELOW_TREND, IN_LINE_WITH_TREND) if test == "trend" else (
        INCREASE, DECREASE, NO_CHANGE)  # fmt: skip
    label = np.where(
        ~has_data,
        NO_DATA,
        np.where(significant & (direction > 0), words[0],
                 np.where(significant & (direction < 0), words[1], words[2])),
    )  # fmt: skip
    window_before, window_after = window_text(first), window_text(second)
    result = areas.copy()
    result["count_before"] = count_before
    result["count_after"] = count_after
    result["change"] = change
    result["percent_change"] = percent
    result["percent_change_low"] = 100.0 * (low - 1.0)
    result["percent_change_high"] = 100.0 * (high - 1.0)
    result["rate_ratio"] = ratio
    result["rate_ratio_low"] = low
    result["rate_ratio_high"] = high
    result["expected_after"] = expected
    with np.errstate(divide="ignore", invalid="ignore"):
        result["relative_ratio"] = ratio / reference
        result["relative_ratio_low"] = low / reference
        result["relative_ratio_high"] = high / reference
    result["window_before"] = _where_data(has_data, window_before)
    result["window_after"] = _where_data(has_data, window_after)
    result["change_test"] = _where_data(has_data, test)
    result["change_dispersion"] = np.where(has_data, phi, np.nan)
    result["change_p"] = p
    result["change_p_adjusted"] = adjusted
    result["change_label"] = label
    result.attrs = {
        "hotspots": {
            **values.attrs.get("hotspots", {}),
            "statistic": "period change",
            "before": window_before,
            "after": window_after,
            "test": test,
            "model": MODELS[test],
            "dispersion": phi,
            "dispersion_estimate": estimate,
            "dispersion_source": source,
            "relative_to": (
                f"the trend of all the areas (total after/before = {reference:.4f})"
                if test == "trend"
                else "no change"
            ),
            "reference_ratio": reference,
            "alpha": alpha,
            "confidence": 1.0 - alpha,
            "correction": correction,
        }
    }
    return result


# ------------------------------------------------------------------ windows


def change_windows(
    periods: pd.PeriodIndex, before: tuple[str, str] | None, after: tuple[str, str] | None
) -> tuple[pd.PeriodIndex, pd.PeriodIndex]:
    """The periods of two like-for-like windows, checked; missing periods are named."""
    year = PER_YEAR[periods.name]
    if before is None and after is None:
        end = periods[-1]
        second = pd.period_range(end - (year - 1), end, freq=periods.freq)
        first = second - year
    elif after is None:
        raise InputError("give after (with or without before), not before alone")
    else:
        second = _window(after, periods.freq, "after")
        first = second - year if before is None else _window(before, periods.freq, "before")
    if len(first) != len(second):
        raise InputError(
            f"the windows must have the same number of periods ({len(first)} before, "
            f"{len(second)} after)"
        )
    if first[-1] >= second[0]:
        raise InputError("the before window must end before the after window starts")
    if (second[0] - first[0]).n % year:
        raise InputError(
            f"the windows must cover the same {periods.name}s of the year (crime is seasonal): "
            f"{window_text(first)} and {window_text(second)} are not a whole number of years "
            "apart",
            column="before",
        )
    missing = first.append(second).difference(periods)
    if len(missing):
        shown = ", ".join(str(p) for p in missing[:6])
        more = f" and {len(missing) - 6} more" if len(missing) > 6 else ""
        raise InputError(
            f"cannot compare {window_text(second)} with {window_text(first)}: "
            f"the data cover {periods[0]} to {periods[-1]} and lack {shown}{more}"
        )
    return first, second


def _window(bounds: tuple[str, str], freq: object, name: str) -> pd.PeriodIndex:
    try:
        start, end = (pd.Period(str(b), freq=freq) for b in bounds)
    except (TypeError, ValueError):
        raise InputError("a window is two periods, first and last", column=name,
                         value=bounds) from None  # fmt: skip
    if start > end:
        raise InputError("a window's first period is after its last", column=name,
                         value=f"{start} to {end}")  # fmt: skip
    return pd.period_range(start, end, freq=freq)


def window_text(periods: pd.PeriodIndex) -> str:
    """``"2024-07 to 2025-06"``, or one period."""
    return str(periods[0]) if len(periods) == 1 else f"{periods[0]} to {periods[-1]}"


def _where_data(has_data: NDArray[np.bool_], value: str) -> NDArray[np.object_]:
    """``value`` where ``has_data``, None elsewhere (an object array)."""
    out = np.full(len(has_data), None, dtype=object)
    out[has_data] = value
    return out


def _window_sums(values: pd.DataFrame, window: pd.PeriodIndex) -> np.ndarray:
    return values.loc[:, window].sum(axis=1, skipna=False).to_numpy()


# ------------------------------------------------------------------ tests


def _check_dispersion(dispersion: object, test: str) -> None:
    if isinstance(dispersion, str):
        if dispersion not in ("areas", "history"):
            raise ValueError(
                f"dispersion must be 'areas', 'history' or a number, not {dispersion!r}"
            )
        if dispersion != "areas" and test != "trend":
            raise ValueError(f"the {test!r} test assumes pure Poisson variation: no dispersion")
        return
    if test != "trend":
        raise ValueError(f"the {test!r} test assumes pure Poisson variation: no dispersion")
    if not (isinstance(dispersion, (int, float)) and np.isfinite(dispersion) and dispersion >= 1):
        raise ValueError(f"a given dispersion must be a number >= 1, not {dispersion!r}")


def _ratio(after: float, before: float) -> float:
    if before <= 0 or after <= 0:
        raise InputError(
            "the trend test needs crimes in both windows across the areas "
            f"({before:g} before, {after:g} after): use test='exact'"
        )
    return float(after / before)


def pearson_residuals(before: np.ndarray, after: np.ndarray, reference: float) -> np.ndarray:
    """``(a - b R) / sqrt(R (a + b))`` for areas with some count; NaN where a + b = 0."""
    total = before + after
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(
            total > 0, (after - before * reference) / np.sqrt(reference * total), np.nan
        )


def trend_p(
    before: np.ndarray, after: np.ndarray, reference: float, phi: float, degrees: int
) -> np.ndarray:
    """Two-sided quasi-Poisson p-value of each area's change against the reference ratio."""
    from scipy import stats

    residual = pearson_residuals(before, after, reference)
    p = 2.0 * stats.t.sf(np.abs(residual) / np.sqrt(phi), max(degrees, 1))
    return np.where(np.isnan(residual), 1.0, p)


def _dispersion(before: np.ndarray, after: np.ndarray) -> tuple[float, int]:
    """Sum of squared Pearson residuals around the areas' own ratio, and its degrees of freedom."""
    ok = ~np.isnan(before) & ~np.isnan(after) & (before + after > 0)
    b, a = before[ok], after[ok]
    if len(b) < 2 or b.sum() <= 0 or a.sum() <= 0:
        return 0.0, 0
    residual = pearson_residuals(b, a, a.sum() / b.sum())
    return float(np.sum(residual**2)), len(b) - 1


def _history_dispersion(
    values: pd.DataFrame, first: pd.PeriodIndex, second: pd.PeriodIndex, dispersion: object
) -> tuple[float, int]:
    """phi estimated from this comparison ("areas") or also from earlier ones ("history")."""
    squares, degrees = _dispersion(_window_sums(values, first), _window_sums(values, second))
    if dispersion == "history":
        year = PER_YEAR[values.columns.name]
        shift, earlier = year, 0
        while first[0] - shift >= values.columns[0]:
            s, d = _dispersion(
                _window_sums(values, first - shift), _window_sums(values, second - shift)
            )
            squares, degrees, earlier, shift = squares + s, degrees + d, earlier + 1, shift + year
        if earlier == 0:
            raise InputError(
                f"dispersion='history' needs the same comparison a year earlier: the data start "
                f"{values.columns[0]}, it would need {first[0] - year}"
            )
    return (squares / degrees if degrees else float("nan")), degrees


def _poisson_p(before: np.ndarray, after: np.ndarray, test: str) -> np.ndarray:
    """Two-sided p-value of equal rates in two windows of equal length, per area."""
    from scipy import stats

    pairs = pd.DataFrame({"before": before.astype(np.int64), "after": after.astype(np.int64)})
    p = {}
    for b, a in pairs.drop_duplicates().itertuples(index=False):
        if a + b == 0:
            p[(b, a)] = 1.0
        elif test == "exact":
            p[(b, a)] = stats.binomtest(int(a), int(a + b), 0.5).pvalue
        else:
            p[(b, a)] = stats.poisson_means_test(int(a), 1.0, int(b), 1.0).pvalue
    return np.clip([p[key] for key in pairs.itertuples(index=False, name=None)], 0.0, 1.0)


def ratio_interval(
    before: np.ndarray, after: np.ndarray, phi: float, alpha: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rate ratio after/before and its ``1 - alpha`` interval (Clopper-Pearson on a/phi, n/phi).

    NaN where nothing happened in either window; the upper limit is infinite
    when nothing happened before.
    """
    from scipy import stats

    before, after = np.asarray(before, float), np.asarray(after, float)
    x, n = after / phi, (after + before) / phi
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(before > 0, after / before, np.where(after > 0, np.inf, np.nan))
        lower = np.where(x > 0, stats.beta.ppf(alpha / 2, x, n - x + 1), 0.0)
        upper = np.where(x < n, stats.beta.ppf(1 - alpha / 2, x + 1, n - x), 1.0)
        low = lower / (1 - lower)
        high = np.where(upper < 1, upper / (1 - upper), np.inf)
    empty = n == 0
    return ratio, np.where(empty, np.nan, low), np.where(empty, np.nan, high)
