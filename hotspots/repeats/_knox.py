"""The Knox test for near-repeat victimisation (private)."""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from hotspots._vocabulary import KNOX_CATEGORIES, KNOX_MORE, NOT_SIGNIFICANT, SAME_LOCATION
from hotspots.repeats._kernels import band_counts, close_pairs
from hotspots.repeats._times import check_points, event_times
from hotspots.stats._inference import (
    adjust_p,
    check_alpha,
    check_correction,
    check_permutations,
    check_seed,
)

COLUMNS = (
    "distance_band",
    "time_band",
    "distance_from",
    "distance_to",
    "time_from",
    "time_to",
    "observed",
    "expected",
    "ratio",
    "p",
    "p_adjusted",
    "label",
)


def near_repeat(
    points: gpd.GeoDataFrame,
    *,
    time: str,
    distance_bands: Sequence[float],
    time_bands: Sequence[int],
    permutations: int = 999,
    seed: int | None = None,
    alpha: float = 0.05,
    correction: str | None = "fdr",
) -> pd.DataFrame:
    """The Knox test: are events close in space also close in time more often than chance?

    Every pair of events is classed by its distance and its time apart; the
    number of pairs in each (distance band, time band) cell is compared with
    the numbers obtained when the events' times are randomly shuffled among
    the events (locations held fixed), as in Ratcliffe's Near Repeat Calculator.

    Parameters
    ----------
    points : geopandas.GeoDataFrame
        One event per row, point geometry (reprojected to British National Grid,
        EPSG:27700, when in another CRS). Not modified.
    time : str
        The time column: monthly ``Period`` values (police.uk's ``month``), whose
        differences are counted in months, or dates / datetimes / daily Periods
        (or ISO 8601 text, ``YYYY-MM-DD``), counted in whole calendar days (the
        time of day is ignored).
    distance_bands : sequence of float
        Increasing upper edges of the distance bands, in metres, e.g.
        ``[100, 200, 300, 400, 500]``: bands ``(0, 100]``, ``(100, 200]``, ... A
        band ``"Same location"`` (distance exactly 0: the same police.uk map
        point or address) comes first, and ``"More than 500 m"`` last.
    time_bands : sequence of int
        Increasing upper edges of the time bands, in months or days, inclusive,
        e.g. ``[0, 1, 2]`` for same month, 1 and 2 months apart, or
        ``[14, 28, 42]`` for 0-14, 15-28 and 29-42 days apart. A last band
        (``"43 days or more"``) holds every pair further apart in time.
    permutations : int, default 999
        Random shuffles of the times for the expected counts and p-values.
    seed : int, optional
        Random seed: the same seed gives the same result whatever the number of
        threads. ``None`` draws one, recorded in ``attrs["hotspots"]["seed"]``.
    alpha : float, default 0.05
        Significance level for ``label``.
    correction : {"fdr", "by", "bonferroni", None}, default "fdr"
        Multiple-testing correction over all cells of the table.

    Returns
    -------
    pandas.DataFrame
        One row per (distance band, time band), distance bands outermost, with
        columns ``distance_band`` and ``time_band`` (labels, ordered
        categoricals), ``distance_from``/``distance_to`` (metres; a band holds
        ``distance_from < d <= distance_to``, the same-location band is 0-0, the
        last band ends at infinity), ``time_from``/``time_to`` (months or days,
        both inclusive; the last band ends at infinity), ``observed`` (pairs of
        events), ``expected`` (mean over the permutations), ``ratio``
        (observed / expected, the Knox ratio), ``p`` (one-sided pseudo p-value
        for more pairs than chance, ``(1 + #{simulated >= observed}) /
        (permutations + 1)``), ``p_adjusted`` and ``label`` ("More pairs than
        expected" where ``p_adjusted <= alpha``, else "Not significant"). The
        last distance band (pairs further apart than the last edge) holds
        every other pair, so its counts are the complement of the close
        bands'; it is reported like the Near Repeat Calculator does, with its
        ``p``, but it is left out of the correction (``p_adjusted`` missing)
        and never labelled.
        ``attrs["hotspots"]`` records the events, pairs, unit, bands,
        permutations, seed, alpha and correction.

    Raises
    ------
    hotspots.InputError
        Points without a CRS, non-point or missing geometry, or times that are
        missing or not dates.

    Examples
    --------
    >>> import hotspots
    >>> points = hotspots.read_police_uk(hotspots.sample_path("police-uk-burglary"),
    ...                                  crime_types="burglary")
    >>> knox = hotspots.near_repeat(points, time="month", distance_bands=[100, 200],
    ...                             time_bands=[0, 1], permutations=99, seed=1)
    >>> knox[["distance_band", "time_band", "observed", "label"]].head(3)
       distance_band         time_band  observed                     label
    0  Same location        Same month      2310  More pairs than expected
    1  Same location           1 month      1717           Not significant
    2  Same location  2 months or more       760           Not significant
    """
    points = check_points(points)
    times = event_times(points, time)
    distance_edges = _distance_edges(distance_bands)
    time_edges = _time_edges(time_bands)
    permutations = check_permutations(permutations)
    seed = check_seed(seed)
    alpha = check_alpha(alpha)
    correction = check_correction(correction)

    x = points.geometry.x.to_numpy()
    y = points.geometry.y.to_numpy()
    first, second, band = close_pairs(x, y, distance_edges)
    t = times.values
    span = int(t.max() - t.min()) if len(t) else 0
    lut = _time_lookup(time_edges, span)
    n_distance = len(distance_edges) + 1
    n_time = len(time_edges) + 1
    observed, simulated = band_counts(
        t, first, second, band, lut, n_distance, n_time, permutations=permutations, seed=seed
    )
    # pairs further apart than the last band: all pairs of a time band minus the close ones
    # (the time differences of all pairs do not change when times are shuffled)
    totals = _pairs_per_time_band(t, lut, n_time)
    observed = np.vstack([observed, totals - observed.sum(axis=0)])
    simulated = np.concatenate([simulated, (totals - simulated.sum(axis=1))[:, None, :]], axis=1)

    table = _table(distance_edges, time_edges, times.unit)
    table["observed"] = observed.ravel()
    if permutations:
        expected = simulated.mean(axis=0).ravel()
        extreme = (simulated >= observed[None]).sum(axis=0).ravel()
        p = (extreme + 1.0) / (permutations + 1.0)
    else:
        expected = np.full(observed.size, np.nan)
        p = np.full(observed.size, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(expected > 0, table["observed"] / expected, np.nan)
    # the open-ended distance band is the complement of the close ones: reported, not tested
    tested = np.isfinite(table["distance_to"].to_numpy())
    p_adjusted = np.full(len(p), np.nan)
    p_adjusted[tested] = adjust_p(p[tested], correction)
    table["expected"] = expected
    table["ratio"] = ratio
    table["p"] = p
    table["p_adjusted"] = p_adjusted
    label = np.where((p_adjusted <= alpha) & (ratio > 1), KNOX_MORE, NOT_SIGNIFICANT)
    table["label"] = pd.Categorical(label, categories=KNOX_CATEGORIES)
    table.attrs["hotspots"] = {
        **{k: v for k, v in points.attrs.get("hotspots", {}).items() if isinstance(v, str)},
        "method": "Knox test (times permuted among events)",
        "events": len(points),
        "close_pairs": len(first),
        "time_column": time,
        "unit": times.unit,
        "distance_bands": [float(e) for e in distance_edges],
        "time_bands": [int(e) for e in time_edges],
        "permutations": permutations,
        "seed": seed,
        "alpha": alpha,
        "correction": correction,
    }
    return table


def _distance_edges(bands: Sequence[float]) -> np.ndarray:
    edges = _edges(bands, "distance_bands")
    if edges[0] <= 0:
        raise ValueError(f"distance_bands must be more than 0 metres, not {edges[0]:g}")
    if len(edges) > 100:
        raise ValueError(f"at most 100 distance_bands, not {len(edges)}")
    return edges.astype(np.float64)


def _time_edges(bands: Sequence[int]) -> np.ndarray:
    edges = _edges(bands, "time_bands")
    if (edges != np.round(edges)).any() or edges[0] < 0:
        raise ValueError(f"time_bands must be whole numbers of 0 or more, not {list(bands)}")
    return edges.astype(np.int64)


def _edges(bands: Sequence[float], name: str) -> np.ndarray:
    if isinstance(bands, (str, bytes)) or not hasattr(bands, "__len__"):
        raise ValueError(f"{name} must be a list of numbers, not {bands!r}")
    try:
        edges = np.asarray([float(b) for b in bands])
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a list of numbers, not {list(bands)!r}") from None
    if len(edges) == 0:
        raise ValueError(f"{name} must have at least one band")
    if not np.isfinite(edges).all() or (np.diff(edges) <= 0).any():
        raise ValueError(f"{name} must be finite and increasing, not {list(bands)}")
    return edges


def _time_lookup(edges: np.ndarray, span: int) -> np.ndarray:
    """Time band of every difference ``0..max(span, edges[-1] + 1)``; the last entry is 'beyond'."""
    size = max(span, int(edges[-1]) + 1) + 1
    return np.searchsorted(edges, np.arange(size), side="left").astype(np.int64)


def _pairs_per_time_band(t: np.ndarray, lut: np.ndarray, n_time: int) -> np.ndarray:
    """Number of pairs of events in each time band, over all pairs (exact integers)."""
    if len(t) < 2:
        return np.zeros(n_time, dtype=np.int64)
    values, counts = np.unique(t - t.min(), return_counts=True)
    hist = np.zeros(int(values.max()) + 1, dtype=np.int64)
    hist[values] = counts
    if len(hist) <= 4096:
        lags = np.correlate(hist, hist, mode="full")[len(hist) - 1 :].astype(np.int64)
    else:
        from scipy.signal import fftconvolve

        lags = np.rint(fftconvolve(hist, hist[::-1])[len(hist) - 1 :]).astype(np.int64)
    lags[0] = int((hist * (hist - 1) // 2).sum())
    return np.bincount(lut[np.arange(len(lags))], weights=lags, minlength=n_time).astype(np.int64)


def _number(value: float) -> str:
    return f"{value:g}"


def _table(distance_edges: np.ndarray, time_edges: np.ndarray, unit: str) -> pd.DataFrame:
    d_labels, d_from, d_to = [SAME_LOCATION], [0.0], [0.0]
    lower = 0.0
    for edge in distance_edges:
        d_labels.append(f"Up to {_number(edge)} m" if lower == 0 else
                        f"{_number(lower)} to {_number(edge)} m")  # fmt: skip
        d_from.append(lower)
        d_to.append(float(edge))
        lower = float(edge)
    d_labels.append(f"More than {_number(lower)} m")
    d_from.append(lower)
    d_to.append(np.inf)

    t_labels, t_from, t_to = [], [], []
    start = 0
    for edge in time_edges:
        t_labels.append(_time_label(start, int(edge), unit))
        t_from.append(start)
        t_to.append(float(edge))
        start = int(edge) + 1
    t_labels.append(f"{start} {unit if start == 1 else unit + 's'} or more")
    t_from.append(start)
    t_to.append(np.inf)

    rows = pd.MultiIndex.from_product([range(len(d_labels)), range(len(t_labels))])
    di, ti = rows.get_level_values(0), rows.get_level_values(1)
    return pd.DataFrame(
        {
            "distance_band": pd.Categorical.from_codes(di, categories=d_labels, ordered=True),
            "time_band": pd.Categorical.from_codes(ti, categories=t_labels, ordered=True),
            "distance_from": np.asarray(d_from)[di],
            "distance_to": np.asarray(d_to)[di],
            "time_from": np.asarray(t_from, dtype=np.float64)[ti],
            "time_to": np.asarray(t_to)[ti],
        }
    )


def _time_label(start: int, stop: int, unit: str) -> str:
    """``Same month``, ``1 month``, ``2 to 3 months``, ``0 to 14 days``."""
    if start == stop == 0:
        return f"Same {unit}"
    plural = unit if start == stop == 1 else f"{unit}s"
    if start == stop:
        return f"{stop} {plural}"
    return f"{start} to {stop} {plural}"


def significant_reach(table: pd.DataFrame, min_ratio: float) -> tuple[float, float] | None:
    """Largest distance (m) and time apart of the significant close cells, or None.

    A cell counts when it is labelled "More pairs than expected" and its Knox
    ratio is at least ``min_ratio``. Cells beyond the last distance or time
    band are left out: they are not near repeats.
    """
    close = np.isfinite(table["distance_to"]) & np.isfinite(table["time_to"])
    strong = (table["label"] == KNOX_MORE).to_numpy() & (table["ratio"] >= min_ratio).to_numpy()
    hit = table[close & strong]
    if hit.empty:
        return None
    return float(hit["distance_to"].max()), float(hit["time_to"].max())


def check_table(table: object) -> pd.DataFrame:
    """A table from :func:`near_repeat`, or ValueError."""
    if not isinstance(table, pd.DataFrame) or not set(COLUMNS) <= set(table.columns):
        raise ValueError("expected the table returned by hotspots.near_repeat")
    return table
