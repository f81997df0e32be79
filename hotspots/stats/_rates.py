"""Rates for small populations: empirical Bayes smoothing and the Assuncao-Reis EB Moran's I.

A raw rate (offences per resident) is very noisy where few people live: the
City of London or the Heathrow ward can top a map on a handful of incidents.
Empirical Bayes pulls each raw rate towards the London-wide rate, the more so
the smaller the population (Marshall 1991); the EB Moran's I tests clustering
of rates on values standardised for their own precision (Assuncao & Reis 1999).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from hotspots._errors import InputError
from hotspots.stats._global import EB_MORAN, GlobalStatistic, moran_test
from hotspots.stats._inference import check_permutations, check_seed
from hotspots.stats._input import numeric_column, prepare

if TYPE_CHECKING:
    from libpysal.graph import Graph


@dataclass(frozen=True)
class _Moments:
    """Method-of-moments prior of the rates: mean ``b`` and variance ``a``."""

    rate: np.ndarray  # raw rates p_i = count_i / population_i (per resident)
    population: np.ndarray
    a: float
    b: float

    @property
    def smoothed(self) -> np.ndarray:
        if self.a == 0:  # no variation beyond chance: every area gets the overall rate
            return np.full_like(self.rate, self.b)
        return self.b + self.a / (self.a + self.b / self.population) * (self.rate - self.b)

    @property
    def standardised(self) -> np.ndarray:
        return (self.rate - self.b) / np.sqrt(self.a + self.b / self.population)


def _moments(areas: pd.DataFrame, column: str, population: str) -> tuple[np.ndarray, _Moments]:
    """Checked counts and populations, and the prior fitted on the areas with both."""
    counts = numeric_column(areas, column)
    people = numeric_column(areas, population)
    has_data = ~np.isnan(counts)
    bad = has_data & ~(people > 0)
    if bad.any():
        code = areas.index[bad][0]
        raise InputError(
            f"population must be positive where there is a count (area {code})",
            column=population,
            value=people[bad][0],
        )
    if (counts[has_data] < 0).any():
        raise InputError("counts must be non-negative", column=column)
    x, n = counts[has_data], people[has_data]
    rate = x / n
    b = x.sum() / n.sum()
    s2 = float((n * (rate - b) ** 2).sum() / n.sum())
    a = max(0.0, s2 - b / n.mean())
    return has_data, _Moments(rate, n, a, b)


def eb_rate(
    areas: pd.DataFrame,
    column: str,
    population: str,
    *,
    per: float = 1000.0,
) -> pd.Series:
    """Empirical Bayes smoothed rates (global, method of moments; Marshall 1991).

    Each raw rate ``p_i = count_i / population_i`` is shrunk towards the
    overall rate ``b = sum(count) / sum(population)``:
    ``eb_i = b + a / (a + b / population_i) * (p_i - b)``, with the
    between-area variance ``a = max(0, s^2 - b / mean(population))`` and
    ``s^2 = sum(population_i (p_i - b)^2) / sum(population)``. Identical to
    spdep ``EBest`` (and esda ``Empirical_Bayes``).

    Parameters
    ----------
    areas : pandas.DataFrame or geopandas.GeoDataFrame
        One row per area.
    column : str
        Counts (non-negative); NaN means no data (the area is left out of the
        estimate and gets NaN).
    population : str
        Column with the population at risk (positive wherever there is a count).
    per : float, default 1000
        Rates are per this many people (1,000 as in :func:`hotspots.aggregate`).

    Returns
    -------
    pandas.Series
        Named ``"eb_rate"``, indexed like ``areas``; NaN where there is no data.

    Examples
    --------
    >>> import pandas as pd
    >>> from hotspots import eb_rate
    >>> areas = pd.DataFrame(
    ...     {"count": [2.0, 40, 35, 50, None], "population": [100, 9000, 8000, 12000, 500]},
    ...     index=pd.Index(["small", "a", "b", "c", "none"], name="code"),
    ... )
    >>> (1000 * areas["count"] / areas["population"]).round(2).tolist()
    [20.0, 4.44, 4.38, 4.17, nan]
    >>> eb_rate(areas, "count", "population").round(2).tolist()
    [4.46, 4.39, 4.37, 4.28, nan]
    """
    has_data, moments = _moments(areas, column, population)
    out = np.full(len(areas), np.nan)
    out[has_data] = moments.smoothed * per
    return pd.Series(out, index=areas.index, name="eb_rate")


def eb_moran(
    areas: pd.DataFrame,
    column: str,
    population: str,
    *,
    graph: Graph | None = None,
    permutations: int = 999,
    seed: int | None = None,
) -> GlobalStatistic:
    """Assuncao-Reis empirical Bayes Moran's I: do rates cluster, allowing for population size?

    Each area's rate is standardised by its own precision,
    ``z_i = (p_i - b) / sqrt(a + b / population_i)`` (``a``, ``b`` as in
    :func:`eb_rate`), and Moran's I of ``z_i`` is computed with row-standardised
    weights. The statistic is spdep's ``EBImoran.mc`` (and esda's
    ``Moran_Rate(adjusted=True)``). Assuncao & Reis (1999) recommend the
    permutation p-value ``p_sim``; ``z`` and ``p_norm`` apply the randomisation
    moments of Moran's I to the standardised rates and are approximate.

    Parameters
    ----------
    areas : geopandas.GeoDataFrame or pandas.DataFrame
        One row per area, indexed by code. A plain DataFrame needs ``graph``.
    column, population : str
        Counts and population at risk, as for :func:`eb_rate`.
    graph, permutations, seed
        As for :func:`hotspots.global_moran`.

    Returns
    -------
    GlobalStatistic
        ``statistic="Empirical Bayes Moran's I"``; the value is also ``.I``.

    Examples
    --------
    >>> import geopandas as gpd, pandas as pd
    >>> from shapely.geometry import box
    >>> from hotspots import eb_moran
    >>> cells = gpd.GeoDataFrame(
    ...     {"count": [30.0, 28, 25, 6, 5, 6, 2, 1, 2],
    ...      "population": [1000, 1100, 900, 1000, 1200, 800, 1000, 950, 1050]},
    ...     geometry=[box(x, y, x + 1, y + 1) for y in range(3) for x in range(3)],
    ...     index=pd.Index([f"c{i}" for i in range(9)], name="code"),
    ... )
    >>> result = eb_moran(cells, "count", "population", permutations=99, seed=1)
    >>> result.statistic, round(result.I, 3)
    ("Empirical Bayes Moran's I", 0.232)
    """
    permutations = check_permutations(permutations)
    seed = check_seed(seed)
    inputs = prepare(areas, column, graph)
    _, moments = _moments(areas, column, population)
    if np.ptp(moments.rate) == 0:  # then every standardised rate is 0 (or 0 / 0 when b = 0)
        raise InputError("the rates do not vary: EB Moran's I is undefined", column=column)
    return moran_test(
        moments.standardised,
        inputs.weighted,
        permutations=permutations,
        seed=seed,
        statistic=EB_MORAN,
        column=column,
        weights=inputs.weights,
    )
