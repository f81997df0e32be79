"""Global spatial autocorrelation: Moran's I and Getis-Ord General G.

One number for the whole study area: are similar values (Moran's I) or high
values (General G) closer together than chance would place them?
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from hotspots._errors import InputError
from hotspots.stats._engine import CSRGraph, global_permutations, pseudo_p
from hotspots.stats._inference import check_permutations, check_seed, normal_p
from hotspots.stats._input import StatInput, check_transformation, prepare

if TYPE_CHECKING:
    import pandas as pd
    from libpysal.graph import Graph

MORAN = "Moran's I"
GENERAL_G = "General G"
EB_MORAN = "Empirical Bayes Moran's I"


@dataclass(frozen=True)
class GlobalStatistic:
    """A global statistic with its analytical and permutation inference.

    Attributes
    ----------
    statistic : str
        ``"Moran's I"``, ``"General G"`` or ``"Empirical Bayes Moran's I"``.
    value : float
        The observed statistic (also available as :attr:`I` or :attr:`G`).
    expected : float
        Its expectation under the null hypothesis of no spatial association.
    variance : float
        Its variance under the randomisation assumption.
    z : float
        ``(value - expected) / sqrt(variance)``.
    p_norm : float
        Two-sided p-value of ``z`` under the normal approximation.
    p_sim : float
        Two-sided pseudo p-value from ``permutations`` random permutations
        (twice the smaller tail, ``(M + 1) / (permutations + 1)``, capped at
        1); NaN when ``permutations=0``.
    permutations : int
    seed : int or None
    n : int
        Number of areas with data used.
    column : str
        The column tested.
    weights : str
        The spatial weights used, in words.

    Examples
    --------
    Returned by :func:`global_moran`, :func:`general_g` and :func:`eb_moran`:

    >>> import geopandas as gpd, pandas as pd
    >>> from shapely.geometry import box
    >>> import hotspots
    >>> cells = gpd.GeoDataFrame(
    ...     {"count": [1.0, 2, 3, 2, 3, 4, 3, 4, 5]},
    ...     geometry=[box(x, y, x + 1, y + 1) for y in range(3) for x in range(3)],
    ...     index=pd.Index([f"c{i}" for i in range(9)], name="code"),
    ... )
    >>> result = hotspots.global_moran(cells, "count", permutations=99, seed=1)
    >>> result.statistic, result.n, result.permutations
    ("Moran's I", 9, 99)
    >>> result.value == result.I
    True
    """

    statistic: str
    value: float
    expected: float
    variance: float
    z: float
    p_norm: float
    p_sim: float
    permutations: int
    seed: int | None
    n: int
    column: str
    weights: str

    @property
    def I(self) -> float:  # noqa: E743 - the statistic's own name
        """Moran's I (for the Moran statistics only)."""
        if self.statistic == GENERAL_G:
            raise AttributeError("General G has no I; use .G or .value")
        return self.value

    @property
    def G(self) -> float:
        """General G (for :func:`general_g` only)."""
        if self.statistic != GENERAL_G:
            raise AttributeError(f"{self.statistic} has no G; use .I or .value")
        return self.value

    def __str__(self) -> str:
        sim = "" if math.isnan(self.p_sim) else f", p_sim = {self.p_sim:.4g}"
        return (
            f"{self.statistic} of {self.column!r} = {self.value:.4g} "
            f"(expected {self.expected:.4g}, z = {self.z:.2f}, p_norm = {self.p_norm:.3g}"
            f"{sim}; {self.n} areas, {self.permutations} permutations)"
        )


def weight_sums(graph: CSRGraph) -> tuple[float, float, float]:
    """``S0``, ``S1``, ``S2`` of Cliff & Ord for a graph without self-links.

    ``S1 = 1/2 sum_ij (w_ij + w_ji)^2`` over ordered pairs: a link with its reverse
    contributes ``(w_ij + w_ji)^2`` from each side, a link without one ``w_ij^2``
    from each side. ``S2 = sum_i (w_i. + w_.i)^2``.
    """
    n = graph.n
    rows = np.repeat(np.arange(n, dtype=np.int64), graph.cardinalities)
    cols = graph.indices.astype(np.int64)
    forward = rows * n + cols  # sorted: rows in order, neighbours in order within a row
    where = np.searchsorted(forward, cols * n + rows)
    found = where < len(forward)
    found[found] = forward[where[found]] == (cols * n + rows)[found]
    reverse = np.where(found, graph.weights[np.minimum(where, len(forward) - 1)], 0.0)
    s0 = float(graph.weights.sum())
    s1 = 0.5 * float(((graph.weights + reverse) ** 2).sum() + (graph.weights[~found] ** 2).sum())
    degree = np.bincount(rows, graph.weights, n) + np.bincount(cols, graph.weights, n)
    s2 = float((degree**2).sum())
    return s0, s1, s2


def moran_test(
    values: np.ndarray,
    graph: CSRGraph,
    *,
    permutations: int,
    seed: int | None,
    statistic: str = MORAN,
    column: str = "",
    weights: str = "",
) -> GlobalStatistic:
    """Moran's I of ``values`` on ``graph`` (weights used as given), spdep ``moran.test``.

    Variance under randomisation (Cliff & Ord 1981); areas without neighbours
    count in ``n`` with a zero spatial lag (spdep's ``zero.policy = TRUE``).
    """
    n = len(values)
    z = values - values.mean()
    s0, s1, s2 = weight_sums(graph)
    m2 = float((z**2).sum())
    observed, simulated = global_permutations(z, graph, permutations=permutations, seed=seed)
    scale = n / (s0 * m2) if m2 > 0 else math.nan
    value = float(observed[0]) * scale
    expected = -1.0 / (n - 1)
    kurtosis = n * float((z**4).sum()) / m2**2 if m2 > 0 else math.nan
    variance = (
        n * (s1 * (n * n - 3 * n + 3) - n * s2 + 3 * s0**2)
        - kurtosis * (s1 * (n * n - n) - 2 * n * s2 + 6 * s0**2)
    ) / ((n - 1) * (n - 2) * (n - 3) * s0**2) - expected**2
    return _result(
        statistic, value, expected, variance, simulated[:, 0] * scale,
        permutations, seed, n, column, weights,
    )  # fmt: skip


def _result(
    statistic: str,
    value: float,
    expected: float,
    variance: float,
    simulated: np.ndarray,
    permutations: int,
    seed: int | None,
    n: int,
    column: str,
    weights: str,
) -> GlobalStatistic:
    z = (value - expected) / math.sqrt(variance) if variance > 0 else math.nan
    if permutations and not math.isnan(value):
        n_ge = int((simulated >= value).sum())
        n_le = int((simulated <= value).sum())
        p_sim = float(pseudo_p(np.array(n_ge), np.array(n_le), permutations))
    else:
        p_sim = math.nan
    return GlobalStatistic(
        statistic=statistic,
        value=value,
        expected=expected,
        variance=variance,
        z=z,
        p_norm=float(normal_p(z)),
        p_sim=p_sim,
        permutations=permutations,
        seed=seed,
        n=n,
        column=str(column),
        weights=weights,
    )


def global_moran(
    areas: pd.DataFrame,
    column: str,
    *,
    graph: Graph | None = None,
    permutations: int = 999,
    seed: int | None = None,
    transformation: str = "r",
) -> GlobalStatistic:
    """Moran's I: are similar values closer together than chance would place them?

    Parameters
    ----------
    areas : geopandas.GeoDataFrame or pandas.DataFrame
        One row per area, indexed by area code. A plain DataFrame needs ``graph``.
    column : str
        Numeric column to test; missing values (NaN) mark areas without data,
        which are left out together with their links.
    graph : libpysal.graph.Graph or libpysal.weights.W, optional
        Neighbours; default queen contiguity from the geometry
        (:func:`hotspots.spatial_weights`, built once per set of areas). The
        caller's graph is not modified.
    permutations : int, default 999
        Random permutations of the values for ``p_sim``; 0 skips them.
    seed : int, optional
        Seed for the permutations (same seed, same result, whatever the number
        of threads).
    transformation : {"r", "b", "o"}, default "r"
        Weighting applied to ``graph`` (esda's argument): ``"r"``
        row-standardised (each area's neighbours weigh 1 in total), ``"b"``
        binary (spdep ``style = "B"``), ``"o"`` the graph's own weights as
        given. Self-weights are not used.

    Returns
    -------
    GlobalStatistic
        ``statistic="Moran's I"``; the value is also ``.I``. ``expected`` is
        ``-1 / (n - 1)``; ``variance`` and ``z`` are under the randomisation
        assumption, as spdep's ``moran.test`` and esda's ``Moran.z_rand``.

    See Also
    --------
    local_moran : where the clusters are.
    general_g : whether high or low values cluster.

    Examples
    --------
    >>> import geopandas as gpd, pandas as pd
    >>> from shapely.geometry import box
    >>> from hotspots import global_moran
    >>> cells = gpd.GeoDataFrame(
    ...     {"count": [1.0, 2, 3, 2, 3, 4, 3, 4, 5]},
    ...     geometry=[box(x, y, x + 1, y + 1) for y in range(3) for x in range(3)],
    ...     index=pd.Index([f"c{i}" for i in range(9)], name="code"),
    ... )
    >>> result = global_moran(cells, "count", permutations=99, seed=1)
    >>> round(result.I, 4), round(result.expected, 4)
    (0.3556, -0.125)
    """
    permutations = check_permutations(permutations)
    seed = check_seed(seed)
    inputs = prepare(areas, column, graph, check_transformation(transformation))
    _check_defined(inputs, column)
    return moran_test(
        inputs.data,
        inputs.weighted,
        permutations=permutations,
        seed=seed,
        column=column,
        weights=inputs.weights,
    )


def _check_defined(inputs: StatInput, column: str) -> None:
    """Moran's I is undefined for a constant column or a graph without links."""
    data = inputs.data
    if np.all(data == data[0]):
        raise InputError(
            f"every area with data has the same value ({data[0]:g}): Moran's I is undefined "
            "for a constant column",
            column=column,
        )
    if not (inputs.graph.cardinalities > 0).any():
        raise InputError(
            f"no area has a neighbour under these weights ({inputs.weights}): Moran's I is "
            "undefined; use a larger distance threshold or another weights method",
            column=column,
        )


def general_g(
    areas: pd.DataFrame,
    column: str,
    *,
    graph: Graph | None = None,
    permutations: int = 999,
    seed: int | None = None,
    transformation: str | None = None,
) -> GlobalStatistic:
    """Getis-Ord General G: do high values (or low values) cluster?

    ``G = sum_ij w_ij x_i x_j / sum_{i != j} x_i x_j`` with binary weights
    (Getis & Ord 1992). A z above 0 means high values cluster, below 0 low
    values cluster. The values must be non-negative (counts, rates).

    Parameters
    ----------
    areas, column, graph, permutations, seed
        As for :func:`global_moran`.
    transformation : {"b", "r", "o"}, optional
        Weighting applied to ``graph``: ``"b"`` binary (every neighbour weighs
        1, no self-weight; Getis & Ord 1992), ``"r"`` row-standardised,
        ``"o"`` the graph's own weights as given. Default ``"b"`` when the
        graph's weights are equal within each area; a graph with unequal
        weights (a kernel graph) raises :class:`hotspots.InputError` instead
        of being made binary silently.

    Returns
    -------
    GlobalStatistic
        ``statistic="General G"``; the value is also ``.G``. ``expected`` is
        ``S0 / (n (n - 1))``, ``variance`` that of Getis & Ord (1992), as spdep
        ``globalG.test`` and esda ``G``.

    Examples
    --------
    >>> import geopandas as gpd, pandas as pd
    >>> from shapely.geometry import box
    >>> from hotspots import general_g
    >>> cells = gpd.GeoDataFrame(
    ...     {"count": [9.0, 8, 1, 7, 1, 0, 1, 0, 1]},
    ...     geometry=[box(x, y, x + 1, y + 1) for y in range(3) for x in range(3)],
    ...     index=pd.Index([f"c{i}" for i in range(9)], name="code"),
    ... )
    >>> result = general_g(cells, "count", permutations=99, seed=1)
    >>> round(result.G, 4), round(result.expected, 4)
    (0.7952, 0.5556)
    """
    permutations = check_permutations(permutations)
    seed = check_seed(seed)
    inputs = prepare(areas, column, graph, check_transformation(transformation, optional=True))
    x = inputs.data
    if (x < 0).any():
        raise InputError("General G needs non-negative values", column=column, value=x.min())
    return g_test(
        x,
        inputs.weighted,
        permutations=permutations,
        seed=seed,
        column=column,
        weights=inputs.weights,
    )


def g_test(
    x: np.ndarray,
    graph: CSRGraph,
    *,
    permutations: int,
    seed: int | None,
    column: str = "",
    weights: str = "",
) -> GlobalStatistic:
    """General G of ``x`` on ``graph`` (weights as given), spdep ``globalG.test``."""
    n = len(x)
    s0, s1, s2 = weight_sums(graph)
    m1, m2, m3, m4 = (float((x**k).sum()) for k in (1, 2, 3, 4))
    denominator = m1**2 - m2
    observed, simulated = global_permutations(x, graph, permutations=permutations, seed=seed)
    value = float(observed[0]) / denominator if denominator > 0 else math.nan
    expected = s0 / (n * (n - 1))
    b0 = (n * n - 3 * n + 3) * s1 - n * s2 + 3 * s0**2
    b1 = -((n * n - n) * s1 - 2 * n * s2 + 6 * s0**2)
    b2 = -(2 * n * s1 - (n + 3) * s2 + 6 * s0**2)
    b3 = 4 * (n - 1) * s1 - 2 * (n + 1) * s2 + 8 * s0**2
    b4 = s1 - s2 + s0**2
    moment2 = (b0 * m2**2 + b1 * m4 + b2 * m1**2 * m2 + b3 * m1 * m3 + b4 * m1**4) / (
        denominator**2 * n * (n - 1) * (n - 2) * (n - 3)
    )
    return _result(
        GENERAL_G, value, expected, moment2 - expected**2, simulated[:, 0] / denominator,
        permutations, seed, n, column, weights,
    )  # fmt: skip
