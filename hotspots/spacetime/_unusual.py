"""Is this month unusual for this area? Control limits from the same month of earlier years."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from hotspots._errors import InputError
from hotspots._vocabulary import NO_DATA, UNUSUALLY_HIGH, UNUSUALLY_LOW, USUAL
from hotspots.spacetime._change import PER_YEAR
from hotspots.spacetime._cube import cube_for_areas
from hotspots.stats._inference import adjust_p, check_alpha, check_correction

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["unusual_periods"]


def unusual_periods(
    areas: gpd.GeoDataFrame,
    cube: pd.DataFrame,
    *,
    period: str | None = None,
    years: int = 3,
    alpha: float = 0.05,
    correction: str | None = "fdr",
) -> gpd.GeoDataFrame:
    """Whether one month (quarter) is unusually high or low against the same month of earlier years.

    Parameters
    ----------
    areas : geopandas.GeoDataFrame
        The areas, indexed by code. Not modified.
    cube : pandas.DataFrame
        Counts per area and month or quarter (see
        :func:`hotspots.space_time_cube`), covering ``period`` and the same
        period in at least two earlier years.
    period : str, optional
        The month or quarter to check, e.g. ``"2021-07"``. Default: the last.
    years : int, default 3
        How many earlier years of the same period to compare with, at most
        (fewer when the cube is shorter; at least 2 are needed). Few recent
        years limit the harm a long-run trend does to the limits.
    alpha : float, default 0.05
        Level of the control limits (``1 - alpha`` two-sided) and of the label.
    correction : {"fdr", "by", "bonferroni", None}, default "fdr"
        Multiple-testing correction across the areas with data.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy of ``areas`` with ``count`` (the period's), ``expected`` (mean
        of the same period in the :math:`k` earlier years), ``lower_limit``,
        ``upper_limit``, ``history_years`` (:math:`k`), ``unusual_p``,
        ``unusual_p_adjusted`` and ``unusual_label`` (``"Unusually high"``,
        ``"Unusually low"``, ``"Within the usual range"`` or ``"No data"``).
        ``attrs["hotspots"]`` records the period, the earlier periods used
        and the dispersion :math:`\\phi`.

    Raises
    ------
    hotspots.InputError
        Fewer than two earlier years of the same period in the cube (the
        message names the periods that would be needed), a period outside the
        cube, or a cube of years.

    Notes
    -----
    With :math:`h_1 \\dots h_k` the counts of the same period in earlier
    years and :math:`\\bar h` their mean, the year-to-year variation is
    quasi-Poisson with dispersion :math:`\\phi = \\sum_i \\sum_j (h_{ij} -
    \\bar h_i)^2 / \\bar h_i \\,/\\, \\sum_i (k - 1)`, pooled over the areas and
    never below 1. The limits are :math:`\\bar h \\pm z_{1-\\alpha/2}
    \\sqrt{\\phi \\bar h (1 + 1/k)}` (the lower one at least 0), without any
    multiple-testing correction. The label comes from the p-value of
    :math:`(x - \\bar h)/\\sqrt{\\phi \\hat\\mu (1 + 1/k)}`, with
    :math:`\\hat\\mu` the mean of all :math:`k + 1` values, against Student's t,
    after ``correction``. What this does **not** allow for: a trend across
    the years (a steady rise makes every recent month look high), and
    changes in recording. With two or three earlier years the limits are
    rough; read them as a screen, not a verdict.

    Examples
    --------
    >>> import boundaries, hotspots
    >>> import pandas as pd
    >>> boroughs = boundaries.load("boroughs").iloc[:3]
    >>> months = pd.period_range("2022-01", "2024-01", freq="M", name="month")
    >>> counts = pd.DataFrame(20.0, index=boroughs.index, columns=months)  # synthetic
    >>> counts.loc[boroughs.index[0], "2024-01"] = 60
    >>> result = hotspots.unusual_periods(boroughs, counts, correction=None)
    >>> result["unusual_label"].tolist()
    ['Unusually high', 'Within the usual range', 'Within the usual range']
    >>> result[["expected", "history_years"]].iloc[0].tolist()
    [20.0, 2.0]
    """
    from scipy import stats

    alpha = check_alpha(alpha)
    correction = check_correction(correction)
    values = cube_for_areas(cube, areas)
    periods = values.columns
    if periods.name not in ("month", "quarter"):
        raise InputError("unusual periods need months or quarters", value=periods.name)
    year = PER_YEAR[periods.name]
    try:
        current = periods[-1] if period is None else pd.Period(str(period), freq=periods.freq)
    except (TypeError, ValueError):
        raise InputError("not a period", column="period", value=period) from None
    if current not in periods:
        raise InputError(f"period outside the data ({periods[0]} to {periods[-1]})",
                         column="period", value=str(current))  # fmt: skip
    if not (isinstance(years, (int, np.integer)) and years >= 2):
        raise ValueError(f"years must be a whole number of at least 2, not {years!r}")
    earlier = [current - year * j for j in range(1, years + 1)]
    earlier = [p for p in earlier if p >= periods[0]]
    if len(earlier) < 2:
        needed = ", ".join(str(current - year * j) for j in (1, 2))
        raise InputError(
            f"checking {current} needs the same {periods.name} in at least two earlier years "
            f"({needed}); the data start {periods[0]}"
        )
    k = len(earlier)
    history = values.loc[:, earlier].to_numpy()
    count = values.loc[:, current].to_numpy()
    has_data = ~np.isnan(count) & ~np.isnan(history).any(axis=1)
    mean = history.mean(axis=1)
    phi_raw = _history_dispersion(history[has_data])
    phi = max(1.0, phi_raw) if np.isfinite(phi_raw) else 1.0
    degrees = max(int(has_data.sum()) * (k - 1), 1)
    z = stats.t.ppf(1 - alpha / 2, degrees)
    spread = np.sqrt(phi * mean * (1 + 1 / k))
    pooled = (history.sum(axis=1) + count) / (k + 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        statistic = (count - mean) / np.sqrt(phi * pooled * (1 + 1 / k))
    p = np.where(pooled > 0, 2 * stats.t.sf(np.abs(statistic), degrees), 1.0)
    p = np.where(has_data, p, np.nan)
    adjusted = adjust_p(p, correction)
    significant = adjusted <= alpha
    label = np.where(
        ~has_data,
        NO_DATA,
        np.where(significant & (count > mean), UNUSUALLY_HIGH,
                 np.where(significant & (count < mean), UNUSUALLY_LOW, USUAL)),
    )  # fmt: skip
    result = areas.copy()
    result["count"] = np.where(has_data, count, np.nan)
    result["expected"] = np.where(has_data, mean, np.nan)
    result["lower_limit"] = np.where(has_data, np.maximum(mean - z * spread, 0.0), np.nan)
    result["upper_limit"] = np.where(has_data, mean + z * spread, np.nan)
    result["history_years"] = np.where(has_data, float(k), np.nan)
    result["unusual_p"] = p
    result["unusual_p_adjusted"] = adjusted
    result["unusual_label"] = label
    result.attrs = {
        "hotspots": {
            **values.attrs.get("hotspots", {}),
            "statistic": "unusual period",
            "period": str(current),
            "history": ", ".join(str(p) for p in sorted(earlier)),
            "dispersion": phi,
            "dispersion_estimate": phi_raw,
            "alpha": alpha,
            "correction": correction,
        }
    }
    return result


def _history_dispersion(history: np.ndarray) -> float:
    """Pooled Pearson dispersion of each area's earlier years around their mean."""
    mean = history.mean(axis=1, keepdims=True)
    ok = mean[:, 0] > 0
    if not ok.any():
        return float("nan")
    squares = ((history[ok] - mean[ok]) ** 2 / mean[ok]).sum()
    return float(squares / (ok.sum() * (history.shape[1] - 1)))
