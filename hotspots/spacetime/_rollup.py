"""Change for each area, each borough and London from one cube, in one call."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from hotspots._errors import InputError
from hotspots._vocabulary import DECREASE, INCREASE, NO_CHANGE, NO_DATA
from hotspots.spacetime._change import (
    change_windows,
    period_change,
    ratio_interval,
    trend_p,
    window_text,
)
from hotspots.spacetime._cube import cube_for_areas
from hotspots.stats._inference import check_alpha

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["ChangeRollup", "change_rollup"]

LONDON_CODE = "E12000007"  # ONS code of the London region
_LAYERS = ("wards", "lsoa", "msoa")


@dataclass(frozen=True)
class ChangeRollup:
    """Result of :func:`change_rollup`: the same change at three levels.

    Attributes
    ----------
    areas : geopandas.GeoDataFrame
        :func:`hotspots.period_change` of the areas given.
    boroughs : geopandas.GeoDataFrame
        :func:`hotspots.period_change` of the borough sums (a borough with no
        data in some area and period is ``"No data"``: an undercount is not a
        count), the same test, its dispersion estimated across the boroughs.
    london : pandas.DataFrame
        One row (index ``"E12000007"``, name ``"London"``) with the columns of
        :func:`hotspots.period_change` except the relative ones: the total of
        the boroughs with data, its change against *no change*, with the
        dispersion of the borough level (``"trend"``) or 1 (Poisson tests).
        ``attrs["hotspots"]`` says which boroughs were summed.

    Examples
    --------
    >>> import boundaries, hotspots
    >>> import pandas as pd
    >>> boroughs = boundaries.load("boroughs").iloc[1:4]
    >>> years = pd.period_range("2023", periods=2, freq="Y", name="year")
    >>> counts = pd.DataFrame([[100, 90], [200, 180], [50, 45]],
    ...                       index=boroughs.index, columns=years)  # synthetic
    >>> rollup = hotspots.change_rollup(boroughs, counts)
    >>> rollup.london[["name", "count_before", "count_after"]].to_numpy().tolist()
    [['London', 350.0, 315.0]]
    >>> len(rollup.boroughs), len(rollup.areas)
    (3, 3)
    """

    areas: gpd.GeoDataFrame
    boroughs: gpd.GeoDataFrame
    london: pd.DataFrame


def change_rollup(
    areas: gpd.GeoDataFrame,
    cube: pd.DataFrame,
    *,
    before: tuple[str, str] | None = None,
    after: tuple[str, str] | None = None,
    test: Literal["trend", "exact", "e-test"] = "trend",
    dispersion: Literal["areas", "history"] | float = "areas",
    alpha: float = 0.05,
    correction: str | None = "fdr",
) -> ChangeRollup:
    """Change per area, per borough and for London, from ward, LSOA, MSOA or borough counts.

    Parameters
    ----------
    areas : geopandas.GeoDataFrame
        The areas, indexed by code: London boroughs, or wards, LSOAs or MSOAs
        with a ``borough_code`` column (the shipped layers have one) or codes
        of the shipped layers. Not modified.
    cube : pandas.DataFrame
        Counts per area and period (see :func:`hotspots.space_time_cube`).
    before, after, test, dispersion, alpha, correction
        As in :func:`hotspots.period_change`, applied at each level; the
        windows are the same at every level.

    Returns
    -------
    ChangeRollup

    Raises
    ------
    hotspots.InputError
        As :func:`hotspots.period_change`, or an area whose borough is unknown.

    Notes
    -----
    London's interval uses the borough-level :math:`\\phi`: the variance of a
    sum of independent quasi-Poisson counts is :math:`\\phi` times its mean.
    The borough :math:`\\phi` measures departures from the common trend, so
    it leaves out London-wide shocks; London's interval is a lower bound on
    its real uncertainty.

    Examples
    --------
    >>> import boundaries, hotspots
    >>> wards = boundaries.load("wards")
    >>> crime = hotspots.read_met_crime(hotspots.sample_path("mps-ward-crime"))
    >>> cube = hotspots.aggregate_monthly(crime, wards, crime_types="Robbery")
    >>> rollup = hotspots.change_rollup(wards, cube)
    >>> lambeth = rollup.boroughs.set_index("name").loc["Lambeth"]
    >>> int(lambeth["count_before"]), int(lambeth["count_after"]), lambeth["change_label"]
    (2104, 1946, 'In line with trend')
    >>> [float(round(lambeth[f"percent_change_{end}"], 1)) for end in ("low", "high")]
    [-23.1, 11.2]
    >>> london = rollup.london.iloc[0]
    >>> int(london["count_before"]), int(london["count_after"]), london["change_label"]
    (33586, 32351, 'No significant change')
    """
    import boundaries

    alpha = check_alpha(alpha)
    change = partial(period_change, before=before, after=after, test=test,
                     dispersion=dispersion, alpha=alpha, correction=correction)  # fmt: skip
    area_result = change(areas, cube)
    boroughs = boundaries.load("boroughs")
    values = cube_for_areas(cube, areas)
    codes = borough_codes(areas)
    if set(areas.index) <= set(boroughs.index):
        borough_cube = values
    else:
        borough_cube = values.groupby(codes.reindex(values.index).to_numpy()).sum(min_count=1)
        # a borough with an area lacking data in some period has no count for that period
        lacking = values.isna().groupby(codes.reindex(values.index).to_numpy()).any()
        borough_cube = borough_cube.mask(lacking)
        borough_cube.index.name = "code"
        borough_cube.attrs = values.attrs
    borough_areas = boroughs.loc[boroughs.index.isin(borough_cube.index)]
    borough_result = change(borough_areas, borough_cube)
    london = _london(borough_result, values.columns, before, after, test, alpha)
    return ChangeRollup(areas=area_result, boroughs=borough_result, london=london)


def borough_codes(areas: pd.DataFrame) -> pd.Series:
    """The borough code of each area: itself, its ``borough_code``, or the shipped layers'."""
    import boundaries

    boroughs = boundaries.load("boroughs")
    index = pd.Index(areas.index.astype(str))
    if index.isin(boroughs.index).all():
        return pd.Series(index, index=areas.index, name="borough_code")
    if "borough_code" in areas.columns:
        codes = areas["borough_code"].astype(object)
    else:
        lookup = pd.concat([boundaries.load(layer)["borough_code"] for layer in _LAYERS])
        lookup = lookup[~lookup.index.duplicated()]
        codes = pd.Series(index.map(lookup), index=areas.index, name="borough_code")
    unknown = codes.isna() | ~codes.isin(boroughs.index)
    if unknown.any():
        raise InputError(
            "no London borough known for this area: give the areas a borough_code column",
            column="borough_code",
            value=str(areas.index[unknown.to_numpy()][0]),
        )
    return codes.rename("borough_code")


def _london(
    boroughs: pd.DataFrame,
    periods: pd.PeriodIndex,
    before: tuple[str, str] | None,
    after: tuple[str, str] | None,
    test: str,
    alpha: float,
) -> pd.DataFrame:
    """London's total change against no change, with the borough-level dispersion."""
    provenance = boroughs.attrs["hotspots"]
    first, second = change_windows(periods, before, after)
    with_data = boroughs["change_label"] != NO_DATA
    b = float(boroughs.loc[with_data, "count_before"].sum())
    a = float(boroughs.loc[with_data, "count_after"].sum())
    phi = float(provenance["dispersion"]) if test == "trend" else 1.0
    bb, aa = np.array([b]), np.array([a])
    if test == "trend":
        p = trend_p(bb, aa, 1.0, phi, int(with_data.sum()) - 1)[0]
    else:
        from hotspots.spacetime._change import _poisson_p

        p = _poisson_p(bb, aa, test)[0]
    ratio, low, high = (float(v[0]) for v in ratio_interval(bb, aa, phi, alpha))
    significant = p <= alpha
    label = INCREASE if significant and a > b else DECREASE if significant and a < b else NO_CHANGE
    row = {
        "name": "London",
        "count_before": b,
        "count_after": a,
        "change": a - b,
        "percent_change": 100.0 * (a - b) / b if b > 0 else np.nan,
        "percent_change_low": 100.0 * (low - 1.0),
        "percent_change_high": 100.0 * (high - 1.0),
        "rate_ratio": ratio,
        "rate_ratio_low": low,
        "rate_ratio_high": high,
        "window_before": window_text(first),
        "window_after": window_text(second),
        "change_test": test,
        "change_dispersion": phi,
        "change_p": p,
        "change_p_adjusted": p,
        "change_label": label,
    }
    london = pd.DataFrame([row], index=pd.Index([LONDON_CODE], name="code"))
    missing = boroughs.index[~with_data.to_numpy()]
    london.attrs = {
        "hotspots": {
            **provenance,
            "relative_to": "no change",
            "dispersion_source": "boroughs" if test == "trend" else "Poisson",
            "dispersion": phi,
            "correction": None,
            "boroughs_summed": int(with_data.sum()),
            "boroughs_without_data": ", ".join(map(str, missing)),
        }
    }
    return london
