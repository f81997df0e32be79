"""Several ways of choosing hot spots, judged on the same later period; rolling origins."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, TypedDict

import geopandas as gpd
import numpy as np
import pandas as pd

from hotspots._errors import InputError
from hotspots._vocabulary import HIGH_HIGH, HOT_CATEGORIES, SELECTION_METHODS
from hotspots.evaluation._metrics import evaluate_hotspots

if TYPE_CHECKING:
    from libpysal.graph import Graph
    from typing_extensions import Unpack

RECENT_MONTHS = 3  # "previous period": the last months of the training window


class SelectOptions(TypedDict, total=False):
    """Keyword arguments of :func:`select_hotspots` that the comparisons pass on."""

    methods: Sequence[str] | None
    share: float
    population: pd.Series | str | None
    graph: Graph | None
    permutations: int | str
    seed: int | None
    alpha: float
    correction: str | None


class _StatArgs(TypedDict):
    """Arguments shared by the Gi*, LISA and emerging hot-spot selections."""

    graph: Graph | None
    permutations: int | str
    seed: int | None
    alpha: float
    correction: str | None


def select_hotspots(
    areas: gpd.GeoDataFrame,
    cube: pd.DataFrame,
    *,
    methods: Sequence[str] | None = None,
    share: float = 0.05,
    population: pd.Series | str | None = None,
    graph: Graph | None = None,
    permutations: int | str = "adaptive",
    seed: int | None = None,
    alpha: float = 0.05,
    correction: str | None = "fdr",
) -> dict[str, pd.Series]:
    """Hot-spot selections made on a training period, one per method.

    Parameters
    ----------
    areas : geopandas.GeoDataFrame
        The areas, indexed by code.
    cube : pandas.DataFrame
        Counts per area (rows) and month (columns) of the *training* period, as
        from ``aggregate_monthly(...)``; NaN means no data.
    methods : list of str, optional
        Any of ``"count"`` (the ``share`` of areas with the most crime),
        ``"rate"`` (highest rate), ``"eb_rate"`` (highest Empirical Bayes rate,
        :func:`hotspots.eb_rate`), ``"gistar"`` (Gi* hot spots on the counts),
        ``"lisa"`` (local Moran High-High on the counts), ``"emerging"`` (one
        selection per emerging hot-spot category found, and any of them) and
        ``"recent"`` (the ``share`` of areas with the most crime in the last 3
        months: the previous-period count). Default: all, the rate methods only
        when a population is known.
    share : float, default 0.05
        Share of areas the ranking methods select (rounded up to whole areas).
    population : Series or str, optional
        Denominator for the rate methods (a column of ``areas`` or a Series by
        code). Default: ``areas["population"]`` when present.
    graph, permutations, seed, alpha, correction
        As for :func:`hotspots.getis_ord` and :func:`hotspots.local_moran`.

    Returns
    -------
    dict of str to pandas.Series of bool
        Selection name (e.g. ``"Top 5% by count"``) to a boolean Series indexed
        like ``areas``; ready for :func:`hotspots.evaluate_hotspots`.

    Examples
    --------
    >>> import boundaries, hotspots
    >>> wards = boundaries.load("wards")
    >>> crime = hotspots.read_met_crime(hotspots.sample_path("mps-ward-crime"))
    >>> cube = hotspots.aggregate_monthly(crime, wards, crime_types="robbery")
    >>> chosen = hotspots.select_hotspots(wards, cube.loc[:, :"2024-06"],
    ...                                   methods=["count", "recent"])
    >>> {name: int(mask.sum()) for name, mask in chosen.items()}
    {'Top 5% by count': 34, 'Top 5% by last 3 months': 34}
    """
    from hotspots.spacetime._cube import space_time_cube

    if not 0 < share < 1:
        raise InputError("share must be above 0 and below 1", column="share", value=share)
    cube = space_time_cube(cube.reindex(areas.index))
    pop = _population(areas, population)
    if methods is None:
        methods = [m for m in SELECTION_METHODS if pop is not None or "rate" not in m]
    unknown = [m for m in methods if m not in SELECTION_METHODS]
    if unknown:
        raise InputError(
            f"unknown method {unknown[0]!r}; valid: {', '.join(SELECTION_METHODS)}",
            value=unknown[0],
        )
    total = cube.sum(axis=1, min_count=cube.shape[1])
    frame = areas[[areas.geometry.name]].assign(count=total)
    n_top = int(np.ceil(share * total.notna().sum()))
    label = f"{100 * share:g}%"
    out: dict[str, pd.Series] = {}
    stat_args: _StatArgs = {
        "graph": graph,
        "permutations": permutations,
        "seed": seed,
        "alpha": alpha,
        "correction": correction,
    }
    for method in methods:
        if method == "count":
            out[f"Top {label} by count"] = _top(total, n_top)
        elif method in ("rate", "eb_rate"):
            if pop is None:
                raise InputError(f"method {method!r} needs a population", column="population")
            frame["population"] = pop
            if method == "rate":
                rate = total / pop.where(pop > 0)
                out[f"Top {label} by rate"] = _top(rate, n_top)
            else:
                from hotspots.stats._rates import eb_rate

                out[f"Top {label} by EB rate"] = _top(eb_rate(frame, "count", "population"), n_top)
        elif method == "gistar":
            from hotspots.stats._local import getis_ord

            gi = getis_ord(frame, "count", **stat_args)
            out["Gi* hot spots"] = gi["gi_label"].isin(_hot_gi_labels()).astype(bool)
        elif method == "lisa":
            from hotspots.stats._local import local_moran

            lisa = local_moran(frame, "count", **stat_args)
            out[f"LISA {HIGH_HIGH}"] = (lisa["lisa_label"] == HIGH_HIGH).astype(bool)
        elif method == "emerging":
            out.update(_emerging(areas, cube, stat_args))
        elif method == "recent":
            recent = cube.iloc[:, -RECENT_MONTHS:].sum(axis=1, min_count=RECENT_MONTHS)
            out[f"Top {label} by last {RECENT_MONTHS} months"] = _top(recent, n_top)
    return out


def compare_hotspot_methods(
    areas: gpd.GeoDataFrame,
    cube: pd.DataFrame,
    *,
    train: tuple[str, str],
    test: tuple[str, str],
    **options: Unpack[SelectOptions],
) -> pd.DataFrame:
    """Every hot-spot method chosen on one period, judged on the next, in one table.

    Parameters
    ----------
    areas : geopandas.GeoDataFrame
        The areas, indexed by code.
    cube : pandas.DataFrame
        Counts per area and month covering both periods (:func:`hotspots.aggregate_monthly`).
    train, test : (str, str)
        First and last month (``"YYYY-MM"``, both included) of the period the
        hot spots are chosen on and of the period they are judged on.
    **options
        Passed to :func:`select_hotspots` (``methods``, ``share``,
        ``population``, ``graph``, ``permutations``, ``seed``, ``alpha``,
        ``correction``).

    Returns
    -------
    pandas.DataFrame
        :func:`evaluate_hotspots`'s table, one row per selection, sorted by
        PAI (highest first), with ``rri`` from the training counts.
        ``attrs["hotspots"]`` adds ``train`` and ``test`` ("2023-07 to 2024-06").

    Examples
    --------
    >>> import boundaries, hotspots
    >>> wards = boundaries.load("wards")
    >>> crime = hotspots.read_met_crime(hotspots.sample_path("mps-ward-crime"))
    >>> cube = hotspots.aggregate_monthly(crime, wards, crime_types="robbery")
    >>> table = hotspots.compare_hotspot_methods(
    ...     wards, cube, train=("2023-07", "2024-06"), test=("2024-07", "2025-06"),
    ...     methods=["count", "eb_rate", "gistar"], seed=1)
    >>> table[["areas_selected", "hit_rate", "pai"]].round(2)
                       areas_selected  hit_rate    pai
    selection
    Gi* hot spots                   9      0.11  10.61
    Top 5% by EB rate              34      0.24   9.51
    Top 5% by count                34      0.24   8.87
    """
    train_cube = _months(cube, train, "train")
    test_cube = _months(cube, test, "test")
    if train_cube.columns.max() >= test_cube.columns.min():
        raise InputError("the test period must start after the training period ends")
    selections = select_hotspots(areas, train_cube, **options)
    before = train_cube.sum(axis=1, min_count=train_cube.shape[1])
    after = test_cube.sum(axis=1, min_count=test_cube.shape[1])
    table = evaluate_hotspots(areas, selections, after, before=before)
    table = table.sort_values("pai", ascending=False, kind="stable")
    table.attrs["hotspots"] = {
        **table.attrs.get("hotspots", {}),
        "train": _period_text(train_cube),
        "test": _period_text(test_cube),
    }
    return table


def rolling_evaluation(
    areas: gpd.GeoDataFrame,
    cube: pd.DataFrame,
    *,
    train_months: int = 12,
    test_months: int = 12,
    step: int = 3,
    **options: Unpack[SelectOptions],
) -> pd.DataFrame:
    """Rolling-origin evaluation: train on ``train_months``, test on the next, move on.

    The first split trains on the cube's first ``train_months`` months and tests
    on the following ``test_months``; each next split moves both windows
    ``step`` months later, while the test window fits in the cube.

    Parameters
    ----------
    areas : geopandas.GeoDataFrame
        The areas, indexed by code.
    cube : pandas.DataFrame
        Counts per area and month (``aggregate_monthly(...)``).
    train_months, test_months : int, default 12
        Window lengths in months.
    step : int, default 3
        Months between origins (1 to 3 is usual; larger steps give fewer,
        less overlapping splits).
    **options
        Passed to :func:`select_hotspots`.

    Returns
    -------
    pandas.DataFrame
        One row per split and selection: ``train``, ``test`` (the periods as
        text), ``selection`` and :func:`evaluate_hotspots`'s columns. Summarise
        with ``groupby("selection")``.

    Examples
    --------
    >>> import boundaries, hotspots
    >>> wards = boundaries.load("wards")
    >>> crime = hotspots.read_met_crime(hotspots.sample_path("mps-ward-crime"))
    >>> cube = hotspots.aggregate_monthly(crime, wards, crime_types="robbery")
    >>> runs = hotspots.rolling_evaluation(wards, cube, train_months=9, step=3,
    ...                                    methods=["count", "recent"])
    >>> runs["train"].unique().tolist()
    ['2023-07 to 2024-03', '2023-10 to 2024-06']
    >>> runs.groupby("selection")["pai"].mean().round(2).to_dict()
    {'Top 5% by count': 8.78, 'Top 5% by last 3 months': 8.56}
    """
    for name, value in (("train_months", train_months), ("test_months", test_months),
                        ("step", step)):  # fmt: skip
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InputError(f"{name} must be a whole number of months, 1 or more", value=value)
    from hotspots.spacetime._cube import space_time_cube

    cube = space_time_cube(cube)
    months = cube.columns
    if len(months) < train_months + test_months:
        raise InputError(
            f"the cube has {len(months)} months, fewer than {train_months} + {test_months}"
        )
    frames = []
    for start in range(0, len(months) - train_months - test_months + 1, step):
        train = (str(months[start]), str(months[start + train_months - 1]))
        test = (
            str(months[start + train_months]),
            str(months[start + train_months + test_months - 1]),
        )
        table = compare_hotspot_methods(areas, cube, train=train, test=test, **options)
        table = table.reset_index()
        table.insert(0, "test", table.attrs["hotspots"]["test"])
        table.insert(0, "train", table.attrs["hotspots"]["train"])
        frames.append(table)
    return pd.concat(frames, ignore_index=True)


def _top(values: pd.Series, n: int) -> pd.Series:
    ranks = values.rank(ascending=False, method="first")
    return (ranks <= n).fillna(False).astype(bool)


def _hot_gi_labels() -> list[str]:
    from hotspots._vocabulary import GI_LABELS

    return [GI_LABELS[b] for b in (3, 2, 1)]


def _emerging(
    areas: gpd.GeoDataFrame, cube: pd.DataFrame, stat_args: _StatArgs
) -> dict[str, pd.Series]:
    from hotspots.spacetime._emerging import emerging_hotspots

    result = emerging_hotspots(areas, cube, **stat_args)
    labels = result.areas["emerging_label"]
    out: dict[str, pd.Series] = {}
    for category in HOT_CATEGORIES:
        if (labels == category).any():
            out[f"Emerging: {category}"] = (labels == category).astype(bool)
    out["Emerging: any hot spot"] = labels.isin(HOT_CATEGORIES).astype(bool)
    return out


def _population(areas: gpd.GeoDataFrame, population: pd.Series | str | None) -> pd.Series | None:
    if isinstance(population, str):
        if population not in areas.columns:
            raise InputError("no such column in areas", column=population)
        return pd.to_numeric(areas[population], errors="coerce")
    if isinstance(population, pd.Series):
        return pd.to_numeric(population, errors="coerce").reindex(areas.index)
    if population is not None:
        raise InputError("population must be a column name or a Series indexed by area code")
    if "population" in areas.columns:
        return pd.to_numeric(areas["population"], errors="coerce")
    from hotspots.aggregation._aggregate import shipped_layer

    layer = shipped_layer(areas)
    if layer is None:
        return None
    import boundaries

    try:
        return boundaries.population(layer).reindex(areas.index).astype(float)
    except ValueError:
        return None


def _months(cube: pd.DataFrame, period: tuple[str, str], what: str) -> pd.DataFrame:
    from hotspots.spacetime._cube import space_time_cube

    if not (isinstance(period, tuple | list) and len(period) == 2):
        raise InputError(f"{what} must be (first month, last month)", value=period)
    cube = space_time_cube(cube)
    first, last = (pd.Period(p, freq="M") for p in period)
    part = cube.loc[:, first:last]
    if part.shape[1] != (last - first).n + 1:
        raise InputError(
            f"{what} period {first} to {last} is not wholly inside the cube "
            f"({cube.columns[0]} to {cube.columns[-1]})",
            value=f"{first} to {last}",
        )
    return part


def _period_text(cube: pd.DataFrame) -> str:
    return f"{cube.columns[0]} to {cube.columns[-1]}"
