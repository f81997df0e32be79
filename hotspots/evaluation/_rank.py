"""Risk rankings with one meaning each: own count, annualised rate, EB rate, hot neighbourhood."""

from __future__ import annotations

import numpy as np
import pandas as pd

from hotspots._errors import InputError
from hotspots._vocabulary import GI_LABELS, MIN_OWN_COUNT, RANK_MEASURES, RESIDENTS


def rank_areas(
    areas: pd.DataFrame,
    by: str = "count",
    *,
    top: int | None = 10,
    min_count: float = MIN_OWN_COUNT,
    months: int | None = None,
    denominator: str | None = None,
    graph: object | None = None,
    seed: int | None = None,
    alpha: float = 0.05,
    correction: str | None = "fdr",
) -> pd.DataFrame:
    """Rank areas by one stated measure, each with its own count; small counts left out.

    Parameters
    ----------
    areas : pandas.DataFrame or geopandas.GeoDataFrame
        One row per area with ``count`` (as from :func:`hotspots.aggregate`);
        ``population`` for the rate measures; ``gi_z`` and ``gi_label`` for
        ``by="gi"`` (else Gi* is computed on ``count``, which needs geometry or
        ``graph``).
    by : {"count", "rate", "eb_rate", "gi"}, default "count"
        What "at risk" means: the area's own count; its rate per 1,000 of the
        denominator a year; its Empirical Bayes rate (:func:`hotspots.eb_rate`)
        a year; or "hot neighbourhood", the Gi* z of the area together with
        its neighbours, significant hot spots only (a ward can be one with
        few crimes of its own when it borders busy ones).
    top : int or None, default 10
        Keep this many areas (None: all ranked areas).
    min_count : float, default 5
        Areas with fewer incidents of their own in the period are not ranked
        (``MIN_OWN_COUNT``); 0 ranks every area.
    months : int, optional
        Length of the period in months, to annualise rates. Default: read from
        ``attrs["hotspots"]["period"]`` (``"2023-07 to 2025-06"``: 24).
    denominator : str, optional
        What ``population`` counts, for the label (default: what
        ``attrs["hotspots"]["denominator"]`` says, else residents).
    graph, seed, alpha, correction
        For ``by="gi"`` when Gi* has to be computed (:func:`hotspots.getis_ord`).

    Returns
    -------
    pandas.DataFrame
        The ranked areas, highest first, indexed like ``areas``: ``rank``,
        ``name`` and ``borough_name`` when present, ``count`` (own count) and
        ``value`` (the measure). ``attrs["hotspots"]`` has ``measure`` (``by``),
        ``ranks`` (the measure in words with its period and denominator, e.g.
        "annualised rate: crimes per 1,000 residents a year, 2023-07 to
        2025-06"), ``min_count`` and ``excluded`` (areas left out for fewer
        own incidents).

    Examples
    --------
    >>> import boundaries, hotspots
    >>> crime = hotspots.read_met_crime(hotspots.sample_path("mps-ward-crime"))
    >>> wards = hotspots.aggregate(crime, boundaries.load("wards"), crime_types="robbery")
    >>> ranked = hotspots.rank_areas(wards, "rate", top=3)
    >>> ranked[["rank", "name", "count", "value"]].round(1)
               rank         name   count  value
    code
    E05013808     1     West End  3256.0  153.0
    E05013806     2   St James's  1845.0   87.1
    E05013655     3  Camden Town   386.0   38.6
    >>> ranked.attrs["hotspots"]["ranks"]
    'annualised rate: robbery per 1,000 residents a year, 2023-07 to 2025-06 (24 months)'
    """
    if by not in RANK_MEASURES:
        raise InputError(f"by must be one of {', '.join(RANK_MEASURES)}", column="by", value=by)
    if "count" not in areas.columns:
        raise InputError("rank_areas needs a 'count' column", column="count")
    if isinstance(min_count, bool) or not isinstance(min_count, int | float) or min_count < 0:
        raise InputError("min_count must be a number, 0 or more", value=min_count)
    given = areas.attrs.get("hotspots", {})
    count = pd.to_numeric(areas["count"], errors="coerce")
    crime = given.get("crime_type", "crimes")
    period = given.get("period")
    if by in ("rate", "eb_rate"):
        if "population" not in areas.columns:
            raise InputError(f"by={by!r} needs a 'population' column", column="population")
        months = months if months is not None else period_months(period)
        if months is None:
            raise InputError(
                "the period's length is unknown: pass months= to annualise the rate",
                column="months",
            )
        who = denominator or given.get("denominator", RESIDENTS)
        per_year = 12 / months
        if by == "rate":
            pop = pd.to_numeric(areas["population"], errors="coerce")
            value = count / pop.where(pop > 0) * 1000 * per_year
        else:
            from hotspots.stats._rates import eb_rate

            value = eb_rate(areas, "count", "population") * per_year
        ranks = f"{RANK_MEASURES[by]}: {crime} per 1,000 {who} a year, {period} ({months} months)"
    elif by == "count":
        value = count
        ranks = f"{RANK_MEASURES[by]}: {crime}, {period or 'whole period'}"
    else:
        gi = areas
        if not {"gi_z", "gi_label"} <= set(areas.columns):
            from hotspots.stats._local import getis_ord

            gi = getis_ord(
                areas, "count", graph=graph, seed=seed, alpha=alpha, correction=correction,
            )  # fmt: skip
        hot = gi["gi_label"].isin([GI_LABELS[b] for b in (3, 2, 1)])
        value = pd.to_numeric(gi["gi_z"], errors="coerce").where(hot)
        ranks = f"{RANK_MEASURES[by]}, significant hot spots: {crime}, {period or 'whole period'}"
    small = count.fillna(0) < min_count
    eligible = value.notna() & ~small
    excluded = int((value.notna() & small).sum())
    order = value[eligible].sort_values(ascending=False, kind="stable").index
    if top is not None:
        if isinstance(top, bool) or not isinstance(top, int) or top < 0:
            raise InputError("top must be a whole number of areas, 0 or more", value=top)
        order = order[:top]
    columns = [c for c in ("name", "borough_name") if c in areas.columns]
    result = pd.DataFrame(areas.loc[order, columns])
    result.insert(0, "rank", np.arange(1, len(order) + 1))
    result["count"] = count[order]
    result["value"] = value[order].astype(float)
    result.attrs["hotspots"] = {
        "measure": by,
        "ranks": ranks,
        "min_count": min_count,
        "excluded": excluded,
    }
    return result


def period_months(period: object) -> int | None:
    """Months in a period written ``"2023-07 to 2025-06"`` or ``"2024-12"``; None if unknown."""
    if not isinstance(period, str):
        return None
    parts = period.split(" to ")
    try:
        first, last = pd.Period(parts[0], freq="M"), pd.Period(parts[-1], freq="M")
    except ValueError:
        return None
    return (last - first).n + 1
