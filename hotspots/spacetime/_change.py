"""Change in counts between two periods per area, with a test of whether it beats chance."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd
from scipy import stats

from hotspots._errors import InputError
from hotspots._vocabulary import DECREASE, INCREASE, NO_CHANGE, NO_DATA
from hotspots.spacetime._cube import cube_for_areas
from hotspots.stats._inference import adjust_p, check_alpha, check_correction

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["period_change"]

TESTS = ("exact", "e-test")
_PER_YEAR = {"month": 12, "quarter": 4, "year": 1}


def period_change(
    areas: gpd.GeoDataFrame,
    cube: pd.DataFrame,
    *,
    before: tuple[str, str] | None = None,
    after: tuple[str, str] | None = None,
    test: Literal["exact", "e-test"] = "exact",
    alpha: float = 0.05,
    correction: str | None = "fdr",
) -> gpd.GeoDataFrame:
    """Counts before and after, their change, and whether the change is larger than chance.

    Parameters
    ----------
    areas : geopandas.GeoDataFrame
        The areas, indexed by code (wards, boroughs, LSOAs ...). Not modified.
    cube : pandas.DataFrame
        Counts per area and period (see :func:`hotspots.space_time_cube`).
        Codes must be areas; areas missing from the cube have no data.
    before, after : tuple of two period labels, optional
        First and last period (inclusive) of each window, e.g.
        ``("2023-07", "2024-06")``. Both windows must have the same number of
        periods and must not overlap. Default: the last year of the cube
        (12 months, 4 quarters or 1 year) against the year before it; when the
        cube is shorter than two years, its last half against the half before.
    test : {"exact", "e-test"}, default "exact"
        ``"exact"``: the conditional exact test of equal Poisson rates (given
        the total of both windows, the count after is binomial with
        probability 1/2; two-sided :func:`scipy.stats.binomtest`).
        ``"e-test"``: the Krishnamoorthy & Thomson (2004) E-test
        (:func:`scipy.stats.poisson_means_test`), usually more powerful.
    alpha : float, default 0.05
        Significance level of the words in ``change_label``.
    correction : {"fdr", "bonferroni", None}, default "fdr"
        Multiple-testing correction across the areas with data
        (Benjamini-Hochberg false discovery rate, Bonferroni, or none).

    Returns
    -------
    geopandas.GeoDataFrame
        A copy of ``areas`` with ``count_before``, ``count_after``, ``change``
        (after minus before), ``percent_change`` (NaN when before is 0),
        ``change_p``, ``change_p_adjusted`` and ``change_label``:
        ``"Significant increase"``, ``"Significant decrease"``,
        ``"No significant change"`` or ``"No data"`` (no count in some period
        of either window: an undercount is not a count). ``attrs["hotspots"]``
        records the windows, test, alpha and correction.

    Raises
    ------
    hotspots.InputError
        Bad cube, counts that are not whole numbers, codes that are not areas,
        windows outside the cube, overlapping or of different lengths.
    ValueError
        An unknown ``test`` or ``correction``, or ``alpha`` not between 0 and 1
        (the checks of :func:`hotspots.getis_ord`).

    Examples
    --------
    >>> import boundaries, hotspots
    >>> import pandas as pd
    >>> boroughs = boundaries.load("boroughs").iloc[:3]
    >>> months = pd.period_range("2024-01", periods=4, freq="M", name="month")
    >>> counts = pd.DataFrame([[10, 12, 30, 28], [5, 5, 5, 6], [9, 8, 7, 8]],
    ...                       index=boroughs.index, columns=months)  # synthetic
    >>> change = hotspots.period_change(boroughs, counts, correction=None)
    >>> change[["count_before", "count_after"]].to_numpy().tolist()
    [[22.0, 58.0], [10.0, 11.0], [17.0, 15.0]]
    >>> change["change_label"].tolist()
    ['Significant increase', 'No significant change', 'No significant change']
    """
    alpha = check_alpha(alpha)
    correction = check_correction(correction)
    if test not in TESTS:
        raise ValueError(f"test must be one of {TESTS}, not {test!r}")
    values = cube_for_areas(cube, areas)
    whole = values.to_numpy()
    if np.any(~np.isnan(whole) & (whole != np.round(whole))):
        raise InputError("the change test needs whole-number counts")
    first, second = _windows(values.columns, before, after)
    count_before = values.loc[:, first].sum(axis=1, skipna=False).to_numpy()
    count_after = values.loc[:, second].sum(axis=1, skipna=False).to_numpy()
    has_data = ~np.isnan(count_before) & ~np.isnan(count_after)
    p = np.full(len(values), np.nan)
    p[has_data] = _p_values(count_before[has_data], count_after[has_data], test)
    adjusted = adjust_p(p, correction)
    change = count_after - count_before
    with np.errstate(divide="ignore", invalid="ignore"):
        percent = np.where(count_before > 0, 100.0 * change / count_before, np.nan)
    significant = adjusted <= alpha
    label = np.where(
        ~has_data,
        NO_DATA,
        np.where(significant & (change > 0), INCREASE,
                 np.where(significant & (change < 0), DECREASE, NO_CHANGE)),
    )  # fmt: skip
    result = areas.copy()
    result["count_before"] = count_before
    result["count_after"] = count_after
    result["change"] = change
    result["percent_change"] = percent
    result["change_p"] = p
    result["change_p_adjusted"] = adjusted
    result["change_label"] = label
    result.attrs = {
        "hotspots": {
            **values.attrs.get("hotspots", {}),
            "statistic": "period change",
            "before": f"{first[0]} to {first[-1]}",
            "after": f"{second[0]} to {second[-1]}",
            "test": test,
            "alpha": alpha,
            "correction": correction,
        }
    }
    return result


def _windows(
    periods: pd.PeriodIndex, before: tuple[str, str] | None, after: tuple[str, str] | None
) -> tuple[pd.PeriodIndex, pd.PeriodIndex]:
    """The periods of the two windows, checked."""
    if before is None and after is None:
        length = min(_PER_YEAR[periods.name], len(periods) // 2)
        if length == 0:
            raise InputError("the cube needs at least two periods to compare")
        return periods[-2 * length : -length], periods[-length:]
    if before is None or after is None:
        raise InputError("give both before and after, or neither")
    first, second = _window(periods, before, "before"), _window(periods, after, "after")
    if len(first) != len(second):
        raise InputError(
            f"the windows must have the same number of periods ({len(first)} before, "
            f"{len(second)} after)"
        )
    if first[-1] >= second[0]:
        raise InputError("the before window must end before the after window starts")
    return first, second


def _window(periods: pd.PeriodIndex, bounds: tuple[str, str], name: str) -> pd.PeriodIndex:
    try:
        start, end = (pd.Period(str(b), freq=periods.freq) for b in bounds)
    except (TypeError, ValueError):
        raise InputError("a window is two periods, first and last", column=name,
                         value=bounds) from None  # fmt: skip
    if start > end or start < periods[0] or end > periods[-1]:
        raise InputError(f"window outside the data ({periods[0]} to {periods[-1]})",
                         column=name, value=f"{start} to {end}")  # fmt: skip
    return periods[(periods >= start) & (periods <= end)]


def _p_values(before: np.ndarray, after: np.ndarray, test: str) -> np.ndarray:
    """Two-sided p-value of equal rates in two windows of equal length, per area."""
    pairs = pd.DataFrame({"before": before.astype(np.int64), "after": after.astype(np.int64)})
    unique = pairs.drop_duplicates()
    p = {}
    for b, a in unique.itertuples(index=False):
        if a + b == 0:
            p[(b, a)] = 1.0
        elif test == "exact":
            p[(b, a)] = stats.binomtest(int(a), int(a + b), 0.5).pvalue
        else:
            p[(b, a)] = stats.poisson_means_test(int(a), 1.0, int(b), 1.0).pvalue
    return np.clip([p[key] for key in pairs.itertuples(index=False, name=None)], 0.0, 1.0)
