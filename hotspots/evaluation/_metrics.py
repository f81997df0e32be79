"""How much of the next period's crime a hot-spot selection captures, and in how little area.

PAI (Chainey et al. 2008), PEI (Hunt 2016), RRI (Levine 2008), the hit rate, and
the concentration of crime across places (Lorenz curve, Gini; Weisburd 2015).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from hotspots._errors import InputError

EVALUATION_COLUMNS = (
    "areas_selected",
    "area_share",
    "crimes_captured",
    "hit_rate",
    "pai",
    "pei",
    "pei_star",
    "rri",
)


def evaluate_hotspots(
    areas: gpd.GeoDataFrame,
    selected: pd.Series | Mapping[str, pd.Series],
    counts: pd.Series | str,
    *,
    before: pd.Series | str | None = None,
) -> pd.DataFrame:
    """How well hot spots chosen on one period predict the next: hit rate, PAI, PEI, RRI.

    Hot spots are chosen on a training period (e.g. Jul 2023 to Jun 2024) and
    judged by how much of a later test period's crime (Jul 2024 to Jun 2025)
    they capture, in how little of the study area.

    Parameters
    ----------
    areas : geopandas.GeoDataFrame
        The study areas, indexed by code. Area sizes come from the geometry (in
        the British National Grid when the layer is in degrees). Not modified.
    selected : Series of bool, or dict of name to Series of bool
        The hot-spot selection made on the training period, indexed like
        ``areas`` (every area present; a missing value counts as not
        selected); several selections as a dict compare on the same split, one
        row each.
    counts : Series or str
        Crime per area in the test period (a Series indexed like ``areas``, or a
        column of ``areas``). NaN means no data: such areas (e.g. the City of
        London in Met data) are left out of the study region, their area too.
    before : Series or str, optional
        Crime per area in the training period, for the recapture rate index;
        without it ``rri`` is NaN.

    Returns
    -------
    pandas.DataFrame
        One row per selection (index ``selection``; ``"selected"`` for a single
        Series) with columns

        ``areas_selected``
            number of selected areas in the study region;
        ``area_share``
            their share of the study region's area, ``a / A``;
        ``crimes_captured``
            test-period crime in them, ``n``;
        ``hit_rate``
            ``n / N``, the share of all test-period crime they hold;
        ``pai``
            predictive accuracy index ``(n / N) / (a / A)`` (Chainey et al. 2008);
        ``pei``
            predictive efficiency index ``n / n*`` (Hunt 2016), ``n*`` the most
            crime any selection of the same total area could have captured
            (areas taken densest first, the last one in part: an upper bound,
            so ``pei`` is at most 1 and exactly Hunt's index on a grid);
        ``pei_star``
            ``n / n*`` with ``n*`` the crime in the same *number* of areas with
            the most test-period crime (PEI* for equal numbers of areas);
        ``rri``
            recapture rate index ``(n / n_before) / (N / N_before)`` (Levine
            2008): above 1 when the selection's share of crime grew.

        ``attrs["hotspots"]`` records the study region (areas, area in km²,
        test-period crime, areas left out for missing counts).

    Raises
    ------
    InputError
        If a selection is not boolean or misses areas, or counts are negative.

    Examples
    --------
    Four equal squares, one selected; the next period's 10 crimes fall 6, 2, 1, 1:

    >>> import geopandas as gpd, pandas as pd
    >>> from shapely import box
    >>> from hotspots import evaluate_hotspots
    >>> areas = gpd.GeoDataFrame(
    ...     geometry=[box(i, 0, i + 1, 1) for i in range(4)],
    ...     index=pd.Index(list("abcd"), name="code"), crs=27700)
    >>> test = pd.Series([6.0, 2, 1, 1], index=areas.index)
    >>> top = pd.Series([True, False, False, False], index=areas.index)
    >>> second = pd.Series([False, True, False, False], index=areas.index)
    >>> table = evaluate_hotspots(areas, {"top": top, "second": second}, test)
    >>> table[["area_share", "hit_rate", "pai", "pei", "pei_star"]]
               area_share  hit_rate  pai       pei  pei_star
    selection
    top              0.25       0.6  2.4  1.000000  1.000000
    second           0.25       0.2  0.8  0.333333  0.333333
    """
    if not isinstance(areas, gpd.GeoDataFrame):
        raise InputError("areas must be a GeoDataFrame of polygons indexed by area code")
    selections = _selections(selected, areas.index)
    test = _counts(areas, counts, "counts")
    prior = None if before is None else _counts(areas, before, "before")
    study = test.notna().to_numpy().copy()
    if prior is not None:
        study &= prior.notna().to_numpy()
    size = area_sizes(areas)[study]
    y = test.to_numpy(dtype=float)[study]
    x = None if prior is None else prior.to_numpy(dtype=float)[study]
    total_area, total = float(size.sum()), float(y.sum())
    if total_area <= 0:
        raise InputError("the study region has no area (no area has a count)")

    rows = {}
    for name, chosen in selections.items():
        mask = chosen.to_numpy()[study]
        captured = float(y[mask].sum())
        share = float(size[mask].sum()) / total_area
        hit = captured / total if total > 0 else np.nan
        rows[name] = {
            "areas_selected": int(mask.sum()),
            "area_share": share,
            "crimes_captured": captured,
            "hit_rate": hit,
            "pai": hit / share if share > 0 else np.nan,
            "pei": _ratio(captured, best_capture_by_area(y, size, float(size[mask].sum()))),
            "pei_star": _ratio(captured, best_capture_by_number(y, int(mask.sum()))),
            "rri": _rri(captured, total, x, mask),
        }
    table = pd.DataFrame.from_dict(rows, orient="index", columns=list(EVALUATION_COLUMNS))
    table.index.name = "selection"
    table["areas_selected"] = table["areas_selected"].astype("int64")
    table.attrs["hotspots"] = {
        "areas": int(study.sum()),
        "area_km2": total_area / 1e6,
        "crimes": total,
        "areas_without_counts": int((~study).sum()),
    }
    return table


def best_capture_by_area(counts: np.ndarray, sizes: np.ndarray, area: float) -> float:
    """Most crime any selection of at most ``area`` could hold (densest first, last in part)."""
    if area <= 0:
        return 0.0
    order = np.lexsort((-counts, -(counts / sizes)))
    cum_area = np.cumsum(sizes[order])
    cum_count = np.cumsum(counts[order])
    k = int(np.searchsorted(cum_area, area, side="left"))
    if k >= len(order):
        return float(cum_count[-1])
    whole_area = cum_area[k - 1] if k else 0.0
    whole_count = cum_count[k - 1] if k else 0.0
    part = (area - whole_area) / sizes[order[k]]
    return float(whole_count + part * counts[order[k]])


def best_capture_by_number(counts: np.ndarray, number: int) -> float:
    """Most crime any ``number`` areas hold."""
    if number <= 0:
        return 0.0
    return float(np.sort(counts)[::-1][:number].sum())


def _ratio(captured: float, best: float) -> float:
    if best > 0:
        return captured / best
    return np.nan


def _rri(captured: float, total: float, before: np.ndarray | None, mask: np.ndarray) -> float:
    if before is None:
        return np.nan
    captured_before, total_before = float(before[mask].sum()), float(before.sum())
    if captured_before <= 0 or total <= 0:
        return np.nan
    return (captured / captured_before) / (total / total_before)


def area_sizes(areas: gpd.GeoDataFrame) -> np.ndarray:
    """Area of each polygon in square metres (in the British National Grid if in degrees)."""
    geometry = areas.geometry
    if geometry.crs is None:
        raise InputError("areas need a coordinate reference system (crs)")
    if geometry.crs.is_geographic:
        geometry = geometry.to_crs(27700)
    return geometry.area.to_numpy(dtype=float)


def _selections(
    selected: pd.Series | Mapping[str, pd.Series], index: pd.Index
) -> dict[str, pd.Series]:
    if isinstance(selected, pd.Series):
        selected = {"selected": selected}
    if not isinstance(selected, Mapping) or not selected:
        raise InputError("selected must be a boolean Series or a dict of name to boolean Series")
    out = {}
    for name, chosen in selected.items():
        if not isinstance(chosen, pd.Series) or not pd.api.types.is_bool_dtype(chosen):
            raise InputError(f"selection {name!r} must be a boolean Series", value=name)
        missing = index.difference(chosen.index)
        if len(missing):
            raise InputError(
                f"selection {name!r} misses {len(missing)} areas, e.g. {missing[0]}", value=name
            )
        out[str(name)] = chosen.reindex(index).fillna(False).astype(bool)
    return out


def _counts(areas: pd.DataFrame, counts: pd.Series | str, what: str) -> pd.Series:
    if isinstance(counts, str):
        if counts not in areas.columns:
            raise InputError("no such column in areas", column=counts)
        counts = areas[counts]
    if not isinstance(counts, pd.Series):
        raise InputError(f"{what} must be a Series indexed like areas or a column name")
    values = pd.to_numeric(counts, errors="coerce").reindex(areas.index).astype(float)
    if (values < 0).any():
        raise InputError(f"{what} must not be negative", column=what)
    return values


@dataclass(frozen=True)
class Concentration:
    """How concentrated crime is across places: Lorenz curve, Gini and shares.

    Attributes
    ----------
    places : int
        Places counted (areas with a count).
    crimes : float
        Their total crime.
    gini : float
        Gini coefficient of the counts, 0 (every place the same) to ``1 - 1/places``
        (all crime in one place).
    places_for_half : float
        Smallest share of places that holds at least half of all crime.
    places_with_crime : float
        Share of places with any crime (all crime is in them).
    top_share : float
        Share of all crime in the top ``top_places`` share of places.
    top_places : float
        The share of places ``top_share`` refers to (default 5 %).
    curve : pandas.DataFrame
        The Lorenz curve, places from least to most crime: ``place_share`` and
        ``crime_share`` (cumulative), starting at (0, 0).

    Examples
    --------
    >>> import pandas as pd
    >>> from hotspots import concentration
    >>> result = concentration(pd.Series([3.0, 1, 0, 0]))
    >>> result.places, result.crimes, result.places_for_half
    (4, 4.0, 0.25)
    >>> result.curve["crime_share"].tolist()
    [0.0, 0.0, 0.0, 0.25, 1.0]
    """

    places: int
    crimes: float
    gini: float
    places_for_half: float
    places_with_crime: float
    top_share: float
    top_places: float
    curve: pd.DataFrame

    @property
    def summary(self) -> str:
        """'50 % of crime in y % of places; ...' in words."""
        return (
            f"50 % of crime in {100 * self.places_for_half:.1f} % of places; "
            f"{100 * self.top_share:.1f} % of crime in the top {100 * self.top_places:g} % "
            f"of places; all crime in {100 * self.places_with_crime:.1f} % of places "
            f"(Gini {self.gini:.2f}, {self.places:,} places, {self.crimes:,.0f} crimes)"
        )


def concentration(counts: pd.Series, *, top: float = 0.05) -> Concentration:
    """Crime concentration across places: "x % of crime in y % of places", Lorenz curve, Gini.

    Parameters
    ----------
    counts : pandas.Series
        Crime per place (areas, grid cells, street segments). NaN (no data) is
        left out; zeros count as places without crime.
    top : float, default 0.05
        Share of places for ``top_share`` (the places with
        the most crime; the last place counted in part when the share does not
        fall on a whole number of places).

    Returns
    -------
    Concentration

    Notes
    -----
    With ``x_(1) <= ... <= x_(n)`` the sorted counts and ``S`` their sum, the
    Gini coefficient is ``G = 2 sum_i i x_(i) / (n S) - (n + 1) / n``, twice the
    area between the Lorenz curve and the diagonal. When there are fewer
    crimes than places, even a random scatter leaves most places empty and G
    high (Bernasco & Steenbeek 2017): compare with the same statistic on
    counts shuffled at random before reading it as concentration.

    Examples
    --------
    >>> import pandas as pd
    >>> from hotspots import concentration
    >>> result = concentration(pd.Series([0, 0, 1, 1, 2, 6] + [0] * 4))
    >>> round(result.gini, 3), result.places_for_half, result.places_with_crime
    (0.76, 0.1, 0.4)
    >>> for part in result.summary.split("; "):
    ...     print(part)
    50 % of crime in 10.0 % of places
    30.0 % of crime in the top 5 % of places
    all crime in 40.0 % of places (Gini 0.76, 10 places, 10 crimes)
    """
    if not 0 < top <= 1:
        raise InputError("top must be a share of places above 0 and at most 1", value=top)
    values = pd.to_numeric(counts, errors="coerce").dropna().to_numpy(dtype=float)
    if (values < 0).any():
        raise InputError("counts must not be negative", column="counts")
    n, total = len(values), float(values.sum())
    if n == 0 or total <= 0:
        raise InputError("concentration needs at least one place with crime")
    ascending = np.sort(values)
    ranks = np.arange(1, n + 1)
    gini = float(2 * (ranks * ascending).sum() / (n * total) - (n + 1) / n)
    descending = ascending[::-1]
    cumulative = np.cumsum(descending) / total
    for_half = (int(np.searchsorted(cumulative, 0.5 - 1e-12)) + 1) / n
    with_crime = float((values > 0).sum()) / n
    whole = int(np.floor(top * n))
    top_count = descending[:whole].sum() + (
        (top * n - whole) * descending[whole] if whole < n else 0.0
    )
    curve = pd.DataFrame(
        {
            "place_share": np.concatenate([[0.0], ranks / n]),
            "crime_share": np.concatenate([[0.0], np.cumsum(ascending) / total]),
        }
    )
    return Concentration(
        places=n,
        crimes=total,
        gini=gini,
        places_for_half=for_half,
        places_with_crime=with_crime,
        top_share=float(top_count) / total,
        top_places=top,
        curve=curve,
    )


def concentration_curve(
    areas: gpd.GeoDataFrame, counts: pd.Series | str, *, by: str = "area"
) -> pd.DataFrame:
    """Share of crime against share of area (or of areas), places with most crime first.

    The upper frontier of what any hot-spot selection can capture: a
    selection's (``area_share``, ``hit_rate``) from :func:`evaluate_hotspots`
    lies on or below it; PEI is the ratio of the two heights.

    Parameters
    ----------
    areas : geopandas.GeoDataFrame
        The areas, indexed by code.
    counts : Series or str
        Crime per area (NaN: no data, left out).
    by : {"area", "areas"}, default "area"
        ``"area"``: areas in order of crime density, x = cumulative share of
        land area; ``"areas"``: in order of count, x = cumulative share of areas.

    Returns
    -------
    pandas.DataFrame
        One row per area (index: code, in curve order) with ``count``,
        ``area_share`` (or ``areas_share``) and ``crime_share``, both cumulative.

    Examples
    --------
    >>> import geopandas as gpd, pandas as pd
    >>> from shapely import box
    >>> from hotspots import concentration_curve
    >>> areas = gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1), box(1, 0, 3, 1)],
    ...                          index=pd.Index(["small", "big"], name="code"), crs=27700)
    >>> concentration_curve(areas, pd.Series([3.0, 4.0], index=areas.index))
           count  area_share  crime_share
    code
    small    3.0    0.333333     0.428571
    big      4.0    1.000000     1.000000
    """
    if by not in ("area", "areas"):
        raise InputError("by must be 'area' or 'areas'", value=by)
    values = _counts(areas, counts, "counts")
    keep = values.notna().to_numpy()
    y = values.to_numpy()[keep]
    if by == "area":
        size = area_sizes(areas)[keep]
        order = np.lexsort((-y, -(y / size)))
        x_name, x = "area_share", np.cumsum(size[order]) / size.sum()
    else:
        order = np.argsort(-y, kind="stable")
        x_name, x = "areas_share", np.arange(1, len(y) + 1) / len(y)
    total = y.sum()
    return pd.DataFrame(
        {
            "count": y[order],
            x_name: x,
            "crime_share": np.cumsum(y[order]) / total if total > 0 else np.nan,
        },
        index=values.index[keep][order],
    )
