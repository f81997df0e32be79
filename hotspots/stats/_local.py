"""Local statistics: where the clusters are (LISA) and where the hot and cold spots are (Gi*)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from hotspots._errors import InputError
from hotspots.stats._engine import check_pool, local_g_stat, local_moran_stat
from hotspots.stats._inference import (
    adjust_p,
    check_alpha,
    check_correction,
    check_permutations,
    check_seed,
    gi_bins,
    gi_labels,
    lisa_labels,
    lisa_quadrants,
    normal_p,
)
from hotspots.stats._input import StatInput, check_transformation, prepare, provenance

if TYPE_CHECKING:
    from libpysal.graph import Graph

    from hotspots.stats._engine import Pool


def _spread(inputs: StatInput, values: np.ndarray, fill: float = np.nan) -> np.ndarray:
    """Values of the areas with data placed back among all areas."""
    out = np.full(len(inputs.values), fill, dtype=np.asarray(values).dtype)
    out[inputs.has_data] = values
    return out


def _with_attrs(areas: pd.DataFrame, columns: dict, attrs: dict) -> pd.DataFrame:
    result = areas.copy()
    for name, values in columns.items():
        result[name] = values
    result.attrs["hotspots"] = {**areas.attrs.get("hotspots", {}), **attrs}
    return result


def local_moran(
    areas: pd.DataFrame,
    column: str,
    *,
    graph: Graph | None = None,
    permutations: int = 999,
    seed: int | None = None,
    alpha: float = 0.05,
    correction: str | None = "fdr",
    pool: Pool = "shared",
    transformation: str = "r",
) -> pd.DataFrame:
    """Local Moran's I (LISA): which areas sit in a cluster of similar values?

    Each area's value is compared with the average of its neighbours'. A
    *High-High* area is high among high neighbours (a hot cluster), *Low-Low*
    low among low; *High-Low* and *Low-High* are outliers. Significance comes
    from conditional permutation: the area's own value is held fixed and its
    neighbours' values are drawn at random from the other areas.

    Parameters
    ----------
    areas : geopandas.GeoDataFrame or pandas.DataFrame
        One row per area, indexed by area code. A plain DataFrame needs ``graph``.
    column : str
        Numeric column (counts, rates). NaN marks an area without data: it is
        left out together with its links and labelled "No data".
    graph : libpysal.graph.Graph or libpysal.weights.W, optional
        Neighbours; default queen contiguity from the geometry
        (:func:`hotspots.spatial_weights`, built once per set of areas). The
        caller's graph is not modified.
    transformation : {"r", "b", "o"}, default "r"
        Weighting applied to ``graph`` (esda's argument): ``"r"``
        row-standardised (each area's neighbours weigh 1 in total, the usual
        LISA), ``"b"`` binary (every neighbour weighs 1), ``"o"`` the graph's
        own weights as given (e.g. a kernel graph). Self-weights are not used.
    permutations : int, default 999
        Random neighbour sets per area (at least 1; the smallest attainable
        two-sided p-value is ``2 / (permutations + 1)``).
    seed : int, optional
        Seed; the same seed gives identical results whatever the number of
        threads. ``None`` draws one, recorded in ``attrs["hotspots"]["seed"]``.
    alpha : float, default 0.05
        Significance level, applied to the corrected p-values.
    correction : {"fdr", "bonferroni", None}, default "fdr"
        Multiple-testing correction over all areas with data and neighbours:
        Benjamini-Hochberg false discovery rate, Bonferroni, or none.
    pool : {"shared", "independent"}, default "shared"
        ``"shared"``: one table of random neighbour sets reused by every area
        (GeoDa / esda, fastest); ``"independent"``: fresh draws for each area,
        so that the p-values of different areas are not correlated.

    Returns
    -------
    pandas.DataFrame or geopandas.GeoDataFrame
        A copy of ``areas`` (same index, same geometry) with the columns

        * ``lisa_i`` (float): local Moran ``I_i = z_i / m2 * sum_j w_ij z_j``,
          ``z = x - mean``, ``m2 = sum(z**2) / n`` (Anselin 1995, spdep
          ``localmoran``; esda's ``Moran_Local.Is`` is ``(n-1)/n`` times this);
        * ``lisa_z`` (float): analytical z-score under conditional
          randomisation (spdep ``Z.Ii``), for reference;
        * ``lisa_p_sim`` (float): two-sided pseudo p-value from the
          permutations (twice the smaller tail, capped at 1);
        * ``lisa_p_adjusted`` (float): ``lisa_p_sim`` after ``correction``;
        * ``lisa_significant`` (boolean, <NA> without data or neighbours):
          ``lisa_p_adjusted <= alpha``;
        * ``lisa_label`` (str): "High-High", "Low-Low", "High-Low",
          "Low-High", "Not significant", "No data" or "No neighbours".

        ``attrs["hotspots"]`` records statistic, column, alpha, correction,
        permutations, seed, pool and weights.

    Examples
    --------
    >>> import geopandas as gpd, pandas as pd
    >>> from shapely.geometry import box
    >>> from hotspots import local_moran
    >>> cells = gpd.GeoDataFrame(
    ...     {"count": [9.0, 8, 1, 7, 1, 0, 1, 0, None]},
    ...     geometry=[box(x, y, x + 1, y + 1) for y in range(3) for x in range(3)],
    ...     index=pd.Index([f"c{i}" for i in range(9)], name="code"),
    ... )
    >>> result = local_moran(cells, "count", seed=7, correction=None)
    >>> result.loc["c8", "lisa_label"], result.attrs["hotspots"]["areas_with_data"]
    ('No data', 8)
    >>> round(result.loc["c0", "lisa_i"], 4)
    np.float64(0.8323)
    """
    permutations = check_permutations(permutations)
    if permutations == 0:
        raise ValueError("local_moran needs permutations (at least 1; 999 is usual)")
    seed = check_seed(seed)
    alpha = check_alpha(alpha)
    correction = check_correction(correction)
    check_pool(pool)
    inputs = prepare(areas, column, graph, check_transformation(transformation))
    weights = inputs.weighted
    stat = local_moran_stat(inputs.data, weights, permutations=permutations, seed=seed, pool=pool)
    x = inputs.data
    z = x - x.mean()
    island = inputs.island
    p_sim = _spread(inputs, stat.p_sim()[:, 0])
    p_adjusted = adjust_p(p_sim, correction)
    significant = p_adjusted <= alpha
    quadrant = _spread(inputs, lisa_quadrants(z, weights.lag(z)).astype(object), None)
    defined = inputs.has_data & ~island
    columns = {
        "lisa_i": np.where(defined, _spread(inputs, stat.statistic[:, 0]), np.nan),
        "lisa_z": _spread(inputs, stat.z[:, 0]),
        "lisa_p_sim": p_sim,
        "lisa_p_adjusted": p_adjusted,
        "lisa_significant": pd.array(np.where(defined, significant, pd.NA), dtype="boolean"),
        "lisa_label": pd.array(
            lisa_labels(quadrant, significant, inputs.has_data, island), dtype="str"
        ),
    }
    attrs = provenance(
        "Local Moran's I",
        column,
        inputs,
        alpha=alpha,
        correction=correction,
        permutations=permutations,
        seed=seed,
        pool=pool,
        weights=inputs.weights,
        p_value="lisa_p_sim: two-sided pseudo p-value, conditional permutation",
    )
    return _with_attrs(areas, columns, attrs)


def getis_ord(
    areas: pd.DataFrame,
    column: str,
    *,
    graph: Graph | None = None,
    star: bool = True,
    permutations: int = 999,
    seed: int | None = None,
    alpha: float = 0.05,
    correction: str | None = "fdr",
    pool: Pool = "shared",
    transformation: str | None = None,
) -> pd.DataFrame:
    """Getis-Ord Gi*: hot spots and cold spots with confidence levels.

    An area is a hot spot when it and its neighbours together hold more of the
    total than chance would give them (cold spot: less). The z-score is the
    analytical one of Ord & Getis (1995), as ArcGIS's Hot Spot Analysis and
    spdep's ``localG`` report it; a conditional-permutation p-value is given
    alongside.

    Parameters
    ----------
    areas : geopandas.GeoDataFrame or pandas.DataFrame
        One row per area, indexed by area code. A plain DataFrame needs ``graph``.
    column : str
        Numeric, non-negative column (counts, rates). NaN marks an area
        without data: it is left out together with its links, labelled
        "No data".
    graph : libpysal.graph.Graph or libpysal.weights.W, optional
        Neighbours; default queen contiguity from the geometry
        (:func:`hotspots.spatial_weights`, built once per set of areas). The
        caller's graph is not modified.
    transformation : {"b", "r", "o"}, optional
        Weighting applied to ``graph`` (esda's argument). ``"b"`` binary:
        every neighbour weighs 1 and, for Gi*, the area itself weighs 1 (the
        Ord-Getis, ArcGIS and spdep ``include.self`` convention). ``"o"``: the
        graph's own weights as given (a kernel graph; the z-score of Ord &
        Getis 1995 holds for general weights, as spdep ``localG``), the area's
        weight on itself being its self-weight in the graph, else the largest
        weight of its row (esda's rule). ``"r"``: those weights
        row-standardised, self-weight included. Default: ``"b"`` when the
        graph's weights are equal within each area (binary or
        row-standardised contiguity, knn, distance band); a graph with unequal
        weights raises :class:`hotspots.InputError` rather than being made
        binary silently.
    star : bool, default True
        ``True``: Gi* (the area counts in its own neighbourhood);
        ``False``: Gi (it does not).
    permutations : int, default 999
        Random neighbour sets per area for ``gi_p_sim``; 0 skips them
        (``gi_p_sim`` is then NaN; bins do not use it).
    seed, pool
        As for :func:`local_moran`.
    alpha : float, default 0.05
        Weakest confidence shown in the bins: with 0.05 the 95 % and 99 % bins
        are used, with 0.10 also the 90 % bin (ArcGIS's full set).
    correction : {"fdr", "bonferroni", None}, default "fdr"
        Applied to ``gi_p`` before binning (ArcGIS's "Apply False Discovery
        Rate Correction" is ``"fdr"``).

    Returns
    -------
    pandas.DataFrame or geopandas.GeoDataFrame
        A copy of ``areas`` with the columns

        * ``gi_z`` (float): Ord & Getis (1995) z-score (spdep ``localG``);
        * ``gi_p`` (float): its two-sided normal p-value;
        * ``gi_p_sim`` (float): two-sided pseudo p-value, conditional
          permutation (the area's own value stays in place);
        * ``gi_p_adjusted`` (float): ``gi_p`` after ``correction``;
        * ``gi_bin`` (Int8, -3..3, <NA> without data or neighbours): 3/2/1 hot
          spot at 99/95/90 % confidence, negative for cold spots, 0 not
          significant;
        * ``gi_label`` (str): "Hot spot (99%)" ... "Cold spot (99%)",
          "Not significant", "No data", "No neighbours".

    Raises
    ------
    hotspots.InputError
        Negative values, a missing column, areas absent from ``graph``.

    Examples
    --------
    >>> import geopandas as gpd, pandas as pd
    >>> from shapely.geometry import box
    >>> from hotspots import getis_ord
    >>> cells = gpd.GeoDataFrame(
    ...     {"count": [20.0, 19, 18, 17, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0]},
    ...     geometry=[box(x, y, x + 1, y + 1) for y in range(4) for x in range(4)],
    ...     index=pd.Index([f"c{i:02}" for i in range(16)], name="code"),
    ... )
    >>> result = getis_ord(cells, "count", seed=1, alpha=0.1)
    >>> result["gi_z"].iloc[:4].round(2).tolist()
    [1.43, 1.85, 1.6, 1.14]
    """
    permutations = check_permutations(permutations)
    seed = check_seed(seed)
    alpha = check_alpha(alpha)
    correction = check_correction(correction)
    check_pool(pool)
    if not isinstance(star, bool):
        raise ValueError(f"star must be True or False, not {star!r}")
    inputs = prepare(
        areas, column, graph, check_transformation(transformation, optional=True), star=star
    )
    if (inputs.data < 0).any():
        raise InputError(
            "Getis-Ord Gi* needs non-negative values", column=column, value=inputs.data.min()
        )
    weights = inputs.weighted
    stat = local_g_stat(
        inputs.data, weights, star=star, permutations=permutations, seed=seed, pool=pool
    )
    island = inputs.island
    defined = inputs.has_data & ~island
    z = _spread(inputs, stat.z[:, 0])
    p = normal_p(z)
    p_adjusted = adjust_p(p, correction)
    bins = gi_bins(z, p_adjusted, alpha)
    name = "Getis-Ord Gi*" if star else "Getis-Ord Gi"
    columns = {
        "gi_z": z,
        "gi_p": p,
        "gi_p_sim": _spread(inputs, stat.p_sim()[:, 0]),
        "gi_p_adjusted": p_adjusted,
        "gi_bin": pd.array(np.where(defined, bins, pd.NA), dtype="Int8"),
        "gi_label": pd.array(gi_labels(bins, inputs.has_data, island), dtype="str"),
    }
    attrs = provenance(
        name,
        column,
        inputs,
        alpha=alpha,
        correction=correction,
        permutations=permutations,
        seed=seed,
        pool=pool,
        weights=inputs.weights,
        p_value="gi_bin from gi_p (analytical, two-sided) after correction",
    )
    return _with_attrs(areas, columns, attrs)
