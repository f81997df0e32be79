"""Local statistics: where the clusters are (LISA) and where the hot and cold spots are (Gi*)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from hotspots._errors import InputError
from hotspots.stats._engine import check_pool, local_g_stat, local_moran_stat
from hotspots.stats._inference import (
    ADAPTIVE,
    adjust_p,
    borderline,
    check_alpha,
    check_correction,
    check_inference,
    check_local_permutations,
    check_seed,
    gi_bins,
    gi_labels,
    gi_levels,
    inference_plan,
    lisa_labels,
    lisa_quadrants,
    needed_p,
    normal_p,
    raw_threshold,
    settler,
)
from hotspots.stats._input import StatInput, check_transformation, prepare, provenance

if TYPE_CHECKING:
    from libpysal.graph import Graph

    from hotspots.stats._engine import Pool


def _spread(inputs: StatInput, values: np.ndarray, fill: object = np.nan) -> np.ndarray:
    """Values of the areas with data placed back among all areas."""
    out = np.full(len(inputs.values), fill, dtype=np.asarray(values).dtype)
    out[inputs.has_data] = values
    return out


def inference_text(
    permutations: int | str, maximum: int, stop: int, m: int, level: float, correction: str | None
) -> str:
    """One sentence for ``attrs["hotspots"]["rule"]``: how many permutations each area got."""
    if maximum == 0:
        return "no permutations (normal approximation)"
    if not stop:
        return f"{maximum:,} permutations for every area (fixed)"
    target = needed_p(m, level, correction)
    return (
        f"sequential Monte Carlo p-values (Besag & Clifford 1991): an area stops once "
        f"{stop} simulated values are at least as extreme as the observed one "
        f"(p = {stop} / permutations used), or once the 99.9 % bounds of its p settle its "
        f"label (the upper bound significant after the correction, or the lower bound not "
        f"significant; p = (M + 1) / (permutations + 1)), otherwise at "
        f"{maximum:,} permutations, where p = {target:.2g} (the smallest p the "
        f"{correction or 'uncorrected'} test at {level} over {m} areas can accept) is reached "
        f"with extreme values to spare"
    )


def decide(
    p_norm: np.ndarray,
    p_sim: np.ndarray,
    used: np.ndarray,
    inference: str,
    correction: str | None,
    levels: list[float],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The deciding p, its corrected value and the borderline areas (all areas, NaN outside).

    ``levels`` are the significance levels the labels use (``alpha`` for LISA,
    the confidence bins for Gi*); an area is borderline when the Monte Carlo
    interval of its p contains the raw threshold of one of them.
    """
    p = p_sim if inference == "permutation" else p_norm
    p_adjusted = adjust_p(p, correction)
    if inference == "permutation":
        thresholds = [raw_threshold(p, correction, level) for level in levels]
        border = borderline(p, used, thresholds)
    else:
        border = np.zeros(len(p), dtype=bool)
    return p, p_adjusted, border


def _with_attrs(
    areas: pd.DataFrame, columns: dict[str, np.ndarray], attrs: dict[str, object]
) -> pd.DataFrame:
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
    permutations: int | str = ADAPTIVE,
    seed: int | None = None,
    alpha: float = 0.05,
    correction: str | None = "fdr",
    pool: Pool = "shared",
    transformation: str = "r",
    inference: str = "permutation",
) -> pd.DataFrame:
    """Local Moran's I (LISA): which areas sit in a cluster of similar values?

    Each area's value is compared with the average of its neighbours'. A
    *High-High* area is high among high neighbours (a hot cluster), *Low-Low*
    low among low; *High-Low* and *Low-High* are outliers. Significance comes
    from conditional permutation: the area's own value is held fixed and its
    neighbours' values are drawn at random from the other areas, as many times
    as the decision needs (see ``permutations``).

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
    permutations : int or "adaptive", default "adaptive"
        ``"adaptive"``: sequential Monte Carlo p-values (Besag & Clifford
        1991): each area draws random neighbour sets in rounds (64, doubling)
        until 50 of them give a statistic at least as extreme as the observed
        one (``p = 50 / draws``), or until its label is settled with 99.9 %
        confidence (surely significant, or surely not, after the correction),
        or until the smallest p-value the correction could accept is
        attainable (for Benjamini-Hochberg over ``m`` areas, ``alpha / m``);
        the count used is in ``lisa_permutations``. A whole number: that many for every area
        (esda / GeoDa parity; the smallest attainable two-sided p-value is
        then ``2 / (permutations + 1)``, which may be too coarse for the
        correction). At most 10,000,000.
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
    inference : {"permutation", "analytical"}, default "permutation"
        Which p-value decides the label: the conditional-permutation one, or
        the normal approximation of ``lisa_z`` (fast, but misleading on skewed
        counts, see the methods page). With ``"analytical"`` permutations run
        only when ``permutations`` is a whole number (for ``lisa_p_sim``).

    Returns
    -------
    pandas.DataFrame or geopandas.GeoDataFrame
        A copy of ``areas`` (same index, same geometry) with the columns

        * ``lisa_i`` (float): local Moran ``I_i = z_i / m2 * sum_j w_ij z_j``,
          ``z = x - mean``, ``m2 = sum(z**2) / n`` (Anselin 1995, spdep
          ``localmoran``; esda's ``Moran_Local.Is`` is ``(n-1)/n`` times this);
        * ``lisa_z`` (float): analytical z-score under conditional
          randomisation (spdep ``Z.Ii``);
        * ``lisa_p`` (float): the two-sided p-value that decided the label
          (``lisa_p_sim`` or ``lisa_p_norm`` as ``inference`` says);
        * ``lisa_p_adjusted`` (float): ``lisa_p`` after ``correction``;
        * ``lisa_p_norm`` (float): normal p-value of ``lisa_z``;
        * ``lisa_p_sim`` (float): two-sided pseudo p-value from the
          permutations (NaN when none ran);
        * ``lisa_permutations`` (int): permutations the area used (0 when none);
        * ``lisa_significant`` (boolean, <NA> without data or neighbours):
          ``lisa_p_adjusted <= alpha``;
        * ``lisa_label`` (str): "High-High", "Low-Low", "High-Low",
          "Low-High", "Not significant", "No data" or "No neighbours".

        ``attrs["hotspots"]`` records statistic, column, alpha, correction,
        inference, permutations (and the ``rule`` that chose them), seed,
        pool, weights and ``borderline``: the number of areas whose p-value is
        within Monte Carlo error (99 % interval) of the decision threshold, the
        only areas whose label another seed could change.

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
    >>> result["lisa_permutations"].tolist()  # as many as each decision needs
    [192, 64, 64, 64, 50, 64, 64, 64, 0]
    >>> round(result.loc["c0", "lisa_i"], 4)
    np.float64(0.8323)
    """
    permutations = check_local_permutations(permutations)
    seed = check_seed(seed)
    alpha = check_alpha(alpha)
    correction = check_correction(correction)
    inference = check_inference(inference)
    check_pool(pool)
    inputs = prepare(areas, column, graph, check_transformation(transformation))
    weights = inputs.weighted
    island = inputs.island
    m = int((~island).sum())
    maximum, stop = inference_plan(permutations, inference, m, alpha, correction)
    stat = local_moran_stat(
        inputs.data, weights, permutations=maximum, seed=seed, pool=pool, stop=stop,
        settle=settler(correction, [alpha]) if stop else None,
    )  # fmt: skip
    x = inputs.data
    z = x - x.mean()
    p_norm = _spread(inputs, normal_p(stat.z[:, 0]))
    p_sim = _spread(inputs, stat.p_sim()[:, 0])
    used = _spread(inputs, stat.used()[:, 0], fill=0)
    p, p_adjusted, border = decide(p_norm, p_sim, used, inference, correction, [alpha])
    significant = p_adjusted <= alpha
    quadrant = _spread(inputs, lisa_quadrants(z, weights.lag(z)).astype(object), None)
    defined = inputs.has_data & ~island
    columns = {
        "lisa_i": np.where(defined, _spread(inputs, stat.statistic[:, 0]), np.nan),
        "lisa_z": _spread(inputs, stat.z[:, 0]),
        "lisa_p": p,
        "lisa_p_adjusted": p_adjusted,
        "lisa_p_norm": p_norm,
        "lisa_p_sim": p_sim,
        "lisa_permutations": used,
        "lisa_significant": pd.array(np.where(defined, significant, pd.NA), dtype="boolean"),
        "lisa_label": pd.array(
            lisa_labels(quadrant, significant, inputs.has_data, island), dtype="str"
        ),
    }
    deciding = (
        "lisa_p_sim (conditional permutation)"
        if inference == "permutation"
        else ("lisa_p_norm (normal approximation)")
    )
    attrs = provenance(
        "Local Moran's I",
        column,
        inputs,
        alpha=alpha,
        correction=correction,
        inference=inference,
        permutations=permutations,
        permutations_max=maximum,
        stop_extremes=stop,
        rule=inference_text(permutations, maximum, stop, m, alpha, correction),
        permutations_used=int(used.sum()),
        borderline=int(border.sum()),
        seed=seed,
        pool=pool,
        weights=inputs.weights,
        p_value=f"lisa_p: two-sided, {deciding}",
    )
    return _with_attrs(areas, columns, attrs)


def getis_ord(
    areas: pd.DataFrame,
    column: str,
    *,
    graph: Graph | None = None,
    star: bool = True,
    permutations: int | str = ADAPTIVE,
    seed: int | None = None,
    alpha: float = 0.05,
    correction: str | None = "fdr",
    pool: Pool = "shared",
    transformation: str | None = None,
    inference: str = "permutation",
) -> pd.DataFrame:
    """Getis-Ord Gi*: hot spots and cold spots with confidence levels.

    An area is a hot spot when it and its neighbours together hold more of the
    total than chance would give them (cold spot: less). The z-score is the
    analytical one of Ord & Getis (1995), as ArcGIS's Hot Spot Analysis and
    spdep's ``localG`` report it. By default the confidence bins come from a
    conditional-permutation p-value (the normal p-value of the z-score finds
    false hot spots on skewed counts and rates); ``inference="analytical"``
    bins by the normal p-value, as ArcGIS does.

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
    permutations : int or "adaptive", default "adaptive"
        As for :func:`local_moran`: the adaptive rule aims at the resolution
        the strongest bin needs (``0.01 / m`` for Benjamini-Hochberg over
        ``m`` areas); an area stops early once it is surely in that bin, or
        surely not significant at ``alpha``.
        With ``inference="analytical"`` a whole number still runs the
        permutations for ``gi_p_sim``, and 0 or ``"adaptive"`` runs none.
    seed, pool, inference
        As for :func:`local_moran`.
    alpha : float, default 0.05
        Weakest confidence shown in the bins: with 0.05 the 95 % and 99 % bins
        are used, with 0.10 also the 90 % bin (ArcGIS's full set).
    correction : {"fdr", "by", "bonferroni", None}, default "fdr"
        Applied to ``gi_p`` before binning (ArcGIS's "Apply False Discovery
        Rate Correction" is ``"fdr"``).

    Returns
    -------
    pandas.DataFrame or geopandas.GeoDataFrame
        A copy of ``areas`` with the columns

        * ``gi_g`` (float): the statistic ``G*_i`` (or ``G_i``): the share of
          the total in the area's neighbourhood;
        * ``gi_z`` (float): Ord & Getis (1995) z-score (spdep ``localG``);
        * ``gi_p`` (float): the two-sided p-value that decided the bin
          (``gi_p_sim`` or ``gi_p_norm`` as ``inference`` says);
        * ``gi_p_adjusted`` (float): ``gi_p`` after ``correction``;
        * ``gi_p_norm`` (float): two-sided normal p-value of ``gi_z``;
        * ``gi_p_sim`` (float): two-sided pseudo p-value, conditional
          permutation (the area's own value stays in place); NaN when none ran;
        * ``gi_permutations`` (int): permutations the area used (0 when none);
        * ``gi_bin`` (Int8, -3..3, <NA> without data or neighbours): 3/2/1 hot
          spot at 99/95/90 % confidence, negative for cold spots, 0 not
          significant;
        * ``gi_label`` (str): "Hot spot (99%)" ... "Cold spot (99%)",
          "Not significant", "No data", "No neighbours".

        ``attrs["hotspots"]`` records the settings as for :func:`local_moran`
        (``borderline`` counts areas within Monte Carlo error of any bin's
        threshold).

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
    >>> round(result["gi_g"].iloc[1], 4)  # 19 + 20 + 18 + 1 + 0 + 1 of 80
    np.float64(0.7375)
    """
    permutations = check_local_permutations(permutations)
    seed = check_seed(seed)
    alpha = check_alpha(alpha)
    correction = check_correction(correction)
    inference = check_inference(inference)
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
    island = inputs.island
    m = int((~island).sum())
    levels = gi_levels(alpha) or [alpha]
    # the resolution the strongest bin needs (0.01 / m for FDR: the bins are labels too, and
    # a coarser maximum leaves wards flipping between 95 % and 99 % with the seed); areas
    # stop early once surely in that bin, or surely not significant at the weakest
    maximum, stop = inference_plan(permutations, inference, m, min(levels), correction)
    stat = local_g_stat(
        inputs.data, weights, star=star, permutations=maximum, seed=seed, pool=pool, stop=stop,
        settle=settler(correction, levels) if stop else None,
    )  # fmt: skip
    defined = inputs.has_data & ~island
    z = _spread(inputs, stat.z[:, 0])
    p_norm = normal_p(z)
    p_sim = _spread(inputs, stat.p_sim()[:, 0])
    used = _spread(inputs, stat.used()[:, 0], fill=0)
    p, p_adjusted, border = decide(p_norm, p_sim, used, inference, correction, levels)
    bins = gi_bins(z, p_adjusted, alpha)
    name = "Getis-Ord Gi*" if star else "Getis-Ord Gi"
    columns = {
        "gi_g": np.where(defined, _spread(inputs, stat.statistic[:, 0]), np.nan),
        "gi_z": z,
        "gi_p": p,
        "gi_p_adjusted": p_adjusted,
        "gi_p_norm": p_norm,
        "gi_p_sim": p_sim,
        "gi_permutations": used,
        "gi_bin": pd.array(np.where(defined, bins, pd.NA), dtype="Int8"),
        "gi_label": pd.array(gi_labels(bins, inputs.has_data, island), dtype="str"),
    }
    deciding = (
        "gi_p_sim (conditional permutation)"
        if inference == "permutation"
        else ("gi_p_norm (normal approximation, as ArcGIS)")
    )
    attrs = provenance(
        name,
        column,
        inputs,
        alpha=alpha,
        correction=correction,
        inference=inference,
        permutations=permutations,
        permutations_max=maximum,
        stop_extremes=stop,
        rule=inference_text(permutations, maximum, stop, m, min(levels), correction),
        permutations_used=int(used.sum()),
        borderline=int(border.sum()),
        seed=seed,
        pool=pool,
        weights=inputs.weights,
        p_value=f"gi_bin from gi_p after correction; gi_p: two-sided, {deciding}",
    )
    return _with_attrs(areas, columns, attrs)
