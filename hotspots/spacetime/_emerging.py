"""Emerging hot spot analysis: space-time Gi* per period, Mann-Kendall, categories."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from hotspots._errors import InputError
from hotspots._vocabulary import NO_DATA
from hotspots.spacetime._cube import cube_for_areas
from hotspots.spacetime._rules import classify_all
from hotspots.spacetime._trend import DOWNWARD, UPWARD, _mann_kendall_rows, _trend_words
from hotspots.stats._engine import CSRGraph, local_g_stat
from hotspots.stats._inference import (
    ADAPTIVE,
    GI_WORDS,
    check_alpha,
    check_correction,
    check_inference,
    check_local_permutations,
    check_seed,
    gi_bins,
    gi_label_codes,
    gi_levels,
    inference_plan,
    normal_p,
    settler,
)
from hotspots.stats._input import equal_in_rows, graph_csr
from hotspots.stats._local import decide, inference_text

if TYPE_CHECKING:
    import geopandas as gpd
    from libpysal.graph import Graph

__all__ = ["EmergingHotspots", "emerging_hotspots"]


@dataclass(frozen=True)
class EmergingHotspots:
    """Result of :func:`emerging_hotspots`.

    Attributes
    ----------
    areas : geopandas.GeoDataFrame
        A copy of the areas (same index, same geometry) with the columns
        ``emerging_label`` (words), ``trend_tau``, ``trend_z``, ``trend_p``
        (Mann-Kendall on the area's Gi* z-values), ``trend_direction``
        (``"Upward trend"``, ``"Downward trend"``, ``"No significant trend"``),
        ``hot_periods``, ``cold_periods`` (number of periods the area was a
        significant hot / cold spot) and ``periods_with_data``.
        ``attrs["hotspots"]`` holds the provenance.
    periods : pandas.DataFrame
        One row per area and period (index levels ``code`` and ``period``,
        periods in time order), with ``count``, ``gi_z``, ``gi_p`` (the
        deciding p), ``gi_p_adjusted``, ``gi_p_norm``, ``gi_p_sim``,
        ``gi_permutations``, ``gi_bin`` and ``gi_label``, defined
        and labelled as in :func:`hotspots.getis_ord` (same helpers), the
        correction applied across the areas of each period. Same
        ``attrs["hotspots"]``.

    Examples
    --------
    Burglary by ward and month from the Met's ward table (shipped sample):

    >>> import boundaries, hotspots
    >>> wards = boundaries.load("wards")
    >>> crime = hotspots.read_met_crime(hotspots.sample_path("mps-ward-crime"))
    >>> cube = hotspots.aggregate_monthly(crime, wards, crime_types="burglary")
    >>> result = hotspots.emerging_hotspots(wards, cube, permutations=99, seed=1)
    >>> result.areas.loc["E09000001", "emerging_label"]  # the Met does not police the City
    'No data'
    >>> result.periods.shape  # 680 wards x 24 months
    (16320, 9)
    """

    areas: gpd.GeoDataFrame
    periods: pd.DataFrame


def emerging_hotspots(
    areas: gpd.GeoDataFrame,
    cube: pd.DataFrame,
    *,
    graph: Graph | None = None,
    time_lag: int = 1,
    permutations: int | str = ADAPTIVE,
    seed: int | None = None,
    alpha: float = 0.05,
    correction: str | None = "fdr",
    inference: str = "permutation",
) -> EmergingHotspots:
    """Find new, intensifying, persistent, diminishing ... hot and cold spots over time.

    Emerging hot spot analysis as in ArcGIS Pro and sfdep: the Getis-Ord Gi*
    statistic for every area and period, with a space-time neighbourhood (the
    area and its spatial neighbours, now and in the previous ``time_lag``
    periods); the Mann-Kendall trend test on each area's series of Gi*
    z-values; and a category from the significance pattern and the trend
    (see ``docs/methods/spacetime.md`` for every rule).

    Parameters
    ----------
    areas : geopandas.GeoDataFrame
        The areas, indexed by code (e.g. ``boundaries.load("wards")``). Not modified.
    cube : pandas.DataFrame
        Counts per area (rows, codes as in ``areas``) and period (columns), as
        returned by :func:`aggregate_monthly` or :func:`space_time_cube`.
        NaN means no data (e.g. the City of London in Met data). Areas of
        ``areas`` missing from the cube have no data; codes in the cube but not
        in ``areas`` are an error.
    graph : libpysal.graph.Graph, optional
        Spatial neighbours, indexed by the codes of ``areas``. Default
        ``spatial_weights(areas)`` (queen contiguity). Used as binary links,
        each area also its own neighbour (Gi*).
    time_lag : int, default 1
        Number of previous periods in the neighbourhood. 0 gives the ordinary
        Gi* of each period on its own (identical to :func:`hotspots.getis_ord`).
    permutations : int or "adaptive", default "adaptive"
        Conditional permutations per bin, as for :func:`hotspots.getis_ord`:
        ``"adaptive"`` chooses them per bin (sequential Monte Carlo p-values,
        with the resolution the correction at ``alpha`` over the areas of a
        period needs: the categories use only significance at ``alpha``, so a
        period's 99 % bin may be borderline, counted in
        ``attrs["hotspots"]["borderline"]``); a whole number fixes them (0 only
        with ``inference="analytical"``).
    seed : int, optional
        Seed for the permutations. Every period uses this same seed, so with
        ``time_lag=0`` and a whole number of permutations each period's
        ``gi_p_sim`` is exactly that of ``getis_ord(..., seed=seed)`` on the
        period. ``None`` draws one,
        recorded in ``attrs["hotspots"]["seed"]``.
    alpha : float, default 0.05
        As for :func:`hotspots.getis_ord`: the weakest confidence that counts
        as a hot or cold spot in a period (0.05: the 95 % and 99 % bins; 0.10:
        also the 90 % bin). Also the significance level of the trend.
    correction : {"fdr", "by", "bonferroni", None}, default "fdr"
        Applied to ``gi_p`` across the areas of each period before binning
        (as :func:`hotspots.getis_ord` does for one period).
    inference : {"permutation", "analytical"}, default "permutation"
        Which p-value decides each period's bin: the conditional-permutation
        ``gi_p_sim`` or the normal ``gi_p_norm`` (ArcGIS Pro's choice).

    Returns
    -------
    EmergingHotspots
        ``.areas``: copy of ``areas`` with ``emerging_label`` and trend
        columns; ``.periods``: long table of per-period Gi* results.

    Raises
    ------
    hotspots.InputError
        Bad cube (see :func:`space_time_cube`), codes that are not areas, or a
        graph that does not cover the areas.
    ValueError
        Bad ``time_lag``, ``permutations``, ``seed``, ``alpha`` or
        ``correction`` (the checks of :func:`hotspots.getis_ord`).

    Notes
    -----
    For period ``t`` the Gi* of area ``i`` sums the values of ``i`` and its
    spatial neighbours in periods ``t - time_lag`` to ``t``, and compares it
    with all area-periods of that window (its mean and variance), so each
    period is judged against London at that time, not against the whole cube:
    a city-wide seasonal rise does not make every area a hot spot. The first
    ``time_lag`` periods use the periods there are. Permutations hold the
    area's own current value and draw its space-time neighbours' values from
    the other area-periods of the window (the shared draws of
    :func:`hotspots.getis_ord`, one seed for all periods).

    Missing values: a bin (area, period) with no count is left out of every
    window, and its state is "No data". The categories all describe the
    area's state in the final period, so an area with no data in the final
    period is ``"No data"``; otherwise the periods without data are left out
    of its series (percentages are of the periods with data), and the number
    of periods with data is reported in ``periods_with_data``.

    Examples
    --------
    >>> import boundaries, hotspots
    >>> import pandas as pd
    >>> boroughs = boundaries.load("boroughs")
    >>> months = pd.period_range("2024-01", periods=6, freq="M", name="month")
    >>> counts = pd.DataFrame(
    ...     [[float(i % 7 + m) for m in range(6)] for i in range(len(boroughs))],
    ...     index=boroughs.index, columns=months)  # synthetic counts
    >>> result = hotspots.emerging_hotspots(boroughs, counts, permutations=99, seed=1)
    >>> sorted(result.areas.columns[-8:])[:3]
    ['cold_periods', 'emerging_label', 'hot_periods']
    >>> result.periods.shape
    (198, 9)
    """
    time_lag = _check_time_lag(time_lag)
    permutations = check_local_permutations(permutations)
    seed = check_seed(seed)
    alpha = check_alpha(alpha)
    correction = check_correction(correction)
    inference = check_inference(inference)
    cube = cube_for_areas(cube, areas)
    csr, described = graph_csr(areas, graph, stacklevel=4)
    if not equal_in_rows(csr):
        raise InputError(
            "the graph has unequal weights within areas (a kernel or other weighted graph); "
            "emerging hot spots use binary weights: pass graph.transform('B') to use its links"
        )
    csr = csr.binary(self_weight=1.0)
    values = cube.to_numpy()
    levels = gi_levels(alpha) or [alpha]
    # the categories need each period's significance at alpha only: the resolution is aimed
    # there (a period's 99 % bin may then be borderline; getis_ord aims at the 99 % bin)
    plan = _Plan(permutations, inference, alpha, alpha, correction)
    z, p_sim, used, island = _space_time_gi(values, csr, time_lag, plan, seed)
    table, bins, border = _period_table(
        cube, z, p_sim, used, island, alpha, correction, inference, levels
    )
    m = int((~island[:, -1] & ~np.isnan(values[:, -1])).sum())
    maximum, stop = inference_plan(permutations, inference, m, alpha, correction)
    provenance = {
        **cube.attrs.get("hotspots", {}),
        "statistic": "emerging hot spots (space-time Gi*, Mann-Kendall)",
        "time_lag": int(time_lag),
        "alpha": alpha,
        "correction": correction,
        "inference": inference,
        "permutations": permutations,
        "permutations_max": maximum,
        "stop_extremes": stop,
        "rule": inference_text(permutations, maximum, stop, m, alpha, correction)
        + " (in the final period; each period by its own number of areas)",
        "permutations_used": int(used.sum()),
        "borderline": int(border.sum()),
        "borderline_final_period": int(border[:, -1].sum()),
        "seed": seed,
        "pool": "shared",
        "weights": f"{described}; used binary, self included, in this and the "
        f"previous {time_lag} period(s)",
        "p_value": "gi_bin from gi_p after correction in each period; gi_p: two-sided, "
        + ("gi_p_sim (conditional permutation)" if inference == "permutation" else "gi_p_norm"),
    }
    table.attrs = {"hotspots": provenance}
    summary = _summary(bins, z, ~np.isnan(values) & ~island, alpha)
    result = areas.copy()
    for column in summary.columns:
        result[column] = summary[column].to_numpy()
    result.attrs = {"hotspots": provenance}
    return EmergingHotspots(areas=result, periods=table)


def _check_time_lag(time_lag: int) -> int:
    """``time_lag`` as a non-negative int, or ValueError."""
    if isinstance(time_lag, bool) or not isinstance(time_lag, (int, np.integer)) or time_lag < 0:
        raise ValueError(f"time_lag must be a whole number, 0 or more, not {time_lag!r}")
    return int(time_lag)


@dataclass(frozen=True)
class _Plan:
    """The inference settings; :meth:`engine` gives the engine's count and stop for ``m`` areas."""

    permutations: int | str
    inference: str
    level: float  # the level whose corrected significance the resolution must reach
    sure_level: float  # the level at which an area may stop early as surely significant or not
    correction: str | None

    def engine(self, m: int) -> tuple[int, int]:
        return inference_plan(self.permutations, self.inference, m, self.level, self.correction)


def _space_time_gi(
    values: np.ndarray, csr: CSRGraph, time_lag: int, plan: _Plan, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Gi* z, two-sided pseudo p, permutations used and "no neighbours" per bin (area x period).

    z and p are NaN where there is no value. Periods whose windows have the
    same length and the same missing bins are computed together, one batched
    engine call against one space-time graph, all with the same ``seed``.
    """
    n, n_periods = values.shape
    z = np.full((n, n_periods), np.nan)
    p_sim = np.full((n, n_periods), np.nan)
    used = np.zeros((n, n_periods), dtype=np.int64)
    island = np.zeros((n, n_periods), dtype=bool)
    batches: dict[tuple[int, bytes], list[int]] = {}
    for t in range(n_periods):
        start = max(0, t - time_lag)
        window = values[:, start : t + 1][:, ::-1]  # current period first
        key = (window.shape[1], np.isnan(window).tobytes(order="F"))
        batches.setdefault(key, []).append(t)
    windows: dict[int, CSRGraph] = {}  # the space-time graph of each depth, made once
    for (depth, _), members in batches.items():
        stacked = np.stack(
            [values[:, t - depth + 1 : t + 1][:, ::-1].ravel(order="F") for t in members], axis=1
        )
        keep = ~np.isnan(stacked[:, 0])
        if depth not in windows:
            windows[depth] = _space_time_graph(csr, depth)
        graph = windows[depth].subset(keep)
        current = np.flatnonzero(keep[:n])[:, None]  # areas with a value in the period
        tested = int((graph.cardinalities[: len(current)] > 0).sum())
        maximum, stop = plan.engine(tested)
        stat = local_g_stat(
            stacked[keep], graph, star=True, permutations=maximum, seed=seed, stop=stop,
            settle=settler(plan.correction, [plan.sure_level]) if stop else None,
        )  # fmt: skip
        columns = np.array(members)[None, :]
        z[current, columns] = stat.z[: len(current)]
        p_sim[current, columns] = stat.p_sim("two-sided")[: len(current)]
        used[current, columns] = stat.used()[: len(current)]
        island[current, columns] = stat.island[: len(current), None]
    return z, p_sim, used, island


def _space_time_graph(csr: CSRGraph, depth: int) -> CSRGraph:
    """Links of the current period's bins to their neighbours in ``depth`` periods.

    Node ``l * n + i`` is area ``i`` in the period ``l`` steps back. Node ``i``
    (current period) links to its spatial neighbours in every period of the
    window and to itself in the earlier periods (``self_weight`` 1 for the
    current bin); nodes of earlier periods have no links of their own (only
    the current period's statistics are used).
    """
    n = csr.n
    rows = np.repeat(np.arange(n), csr.cardinalities)
    own = np.arange(n)
    focals = [rows] + [np.concatenate([own, rows])] * (depth - 1)
    targets = [csr.indices] + [
        np.concatenate([own, csr.indices]) + lag * n for lag in range(1, depth)
    ]
    weights = [csr.weights] + [np.concatenate([csr.self_weight, csr.weights])] * (depth - 1)
    focal, target, weight = np.concatenate(focals), np.concatenate(targets), np.concatenate(weights)
    linked = weight != 0
    focal, target, weight = focal[linked], target[linked], weight[linked]
    order = np.lexsort((target, focal))
    counts = np.bincount(focal, minlength=n * depth)
    return CSRGraph(
        indptr=np.concatenate([[0], np.cumsum(counts)]).astype(np.int64),
        indices=target[order].astype(np.int64),
        weights=weight[order].astype(np.float64),
        self_weight=np.concatenate([csr.self_weight, np.zeros(n * (depth - 1))]),
    )


def _period_table(
    cube: pd.DataFrame,
    z: np.ndarray,
    p_sim: np.ndarray,
    used: np.ndarray,
    island: np.ndarray,
    alpha: float,
    correction: str | None,
    inference: str,
    levels: list[float],
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Long table, one row per (area, period) in area order, with the Gi* columns of getis_ord.

    Also returns the ``(areas, periods)`` bins, 0 where there is no bin, and
    the borderline bins.
    """
    has_value = ~np.isnan(cube.to_numpy())
    p_norm = normal_p(z)
    # the correction is across the areas of each period; bins and labels are per cell
    decided = [
        decide(p_norm[:, t], p_sim[:, t], used[:, t], inference, correction, levels)
        for t in range(z.shape[1])
    ]
    gi_p = np.column_stack([d[0] for d in decided])
    adjusted = np.column_stack([d[1] for d in decided])
    border = np.column_stack([d[2] for d in decided])
    bins = gi_bins(z, adjusted, alpha)
    # the labels as positions in the list of words, then the words (gi_labels, for 2 million
    # cells in a tenth of the time)
    codes = gi_label_codes(bins.ravel(), has_value.ravel(), island.ravel())
    defined = has_value & ~island
    defined_bins = np.where(defined, bins, 0).astype(np.int8)
    index = pd.MultiIndex.from_product([cube.index, cube.columns], names=["code", "period"])
    table = pd.DataFrame(
        {
            "count": cube.to_numpy().ravel(),
            "gi_z": z.ravel(),
            "gi_p": gi_p.ravel(),
            "gi_p_adjusted": adjusted.ravel(),
            "gi_p_norm": p_norm.ravel(),
            "gi_p_sim": p_sim.ravel(),
            "gi_permutations": used.ravel(),
            "gi_bin": pd.arrays.IntegerArray(defined_bins.ravel(), ~defined.ravel()),
            "gi_label": pd.array(GI_WORDS, dtype="str").take(codes),
        },
        index=index,
    )
    return table, defined_bins, border


def _summary(bins: np.ndarray, z: np.ndarray, usable: np.ndarray, alpha: float) -> pd.DataFrame:
    """Per area: category, Mann-Kendall trend on Gi* z, hot / cold period counts.

    ``usable``: the bins with a value and neighbours. A window without any offence (or
    with one value everywhere) has no Gi* z, but its bins are usable: not significant,
    left out of the trend only.
    """
    _, _, _, tau, trend_z, trend_p = _mann_kendall_rows(np.where(usable, z, np.nan))
    words = _trend_words(trend_z, trend_p, alpha)
    trend_sign = np.where(words == UPWARD, 1, np.where(words == DOWNWARD, -1, 0))
    categories = classify_all(np.where(usable, np.sign(bins), np.nan), trend_sign)
    categories[~usable[:, -1]] = NO_DATA
    no_series = ~usable.any(axis=1)
    return pd.DataFrame(
        {
            "emerging_label": categories,
            "trend_tau": np.where(no_series, np.nan, tau),
            "trend_z": np.where(no_series, np.nan, trend_z),
            "trend_p": np.where(no_series, np.nan, trend_p),
            "trend_direction": np.where(no_series, NO_DATA, words),
            "hot_periods": ((bins > 0) & usable).sum(axis=1),
            "cold_periods": ((bins < 0) & usable).sum(axis=1),
            "periods_with_data": usable.sum(axis=1),
        }
    )
