"""Checked inputs of the spatial statistics: a numeric column and its graph (private).

Turns ``(areas, column, graph)`` into arrays the engine can use: the values in
area order, which areas have data, and the graph restricted to those areas
(links to areas without data are dropped with them).
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd

from hotspots._errors import HotspotsWarning, InputError
from hotspots.stats._engine import CSRGraph, csr_from_graph

if TYPE_CHECKING:
    from libpysal.graph import Graph

logger = logging.getLogger("hotspots")

# how many codes an error message names
_NAMED = 5
# fewest areas with data a statistic is computed on
_MINIMUM_AREAS = 3


@dataclass(frozen=True)
class StatInput:
    """A column ready for the statistics.

    Attributes
    ----------
    values : ndarray (n_areas,)
        The column as floats, NaN where there is no data.
    has_data : ndarray of bool (n_areas,)
    graph : CSRGraph
        The graph's links between areas with data, positions ``0..n_data-1`` in
        area order, weights as given (no transform yet).
    weights : str
        Short description of the graph for provenance.
    """

    values: np.ndarray
    has_data: np.ndarray
    graph: CSRGraph
    weights: str

    @property
    def data(self) -> np.ndarray:
        """Values of the areas with data."""
        return self.values[self.has_data]

    @property
    def island(self) -> np.ndarray:
        """Boolean over all areas: has data but no neighbour with data."""
        out = np.zeros(len(self.values), dtype=bool)
        out[self.has_data] = self.graph.cardinalities == 0
        return out


def numeric_column(areas: pd.DataFrame, column: str) -> np.ndarray:
    """``areas[column]`` as float64, NaN for missing values; InputError if unusable."""
    if not isinstance(areas, pd.DataFrame):
        raise TypeError(f"areas must be a (Geo)DataFrame, not {type(areas).__name__}")
    if column not in areas.columns:
        raise InputError("no such column in the areas", column=column)
    series = areas[column]
    if not (pd.api.types.is_numeric_dtype(series) or series.isna().all()):
        bad = series[pd.to_numeric(series, errors="coerce").isna() & series.notna()]
        raise InputError(
            "the column must hold numbers",
            column=column,
            value=bad.iloc[0] if len(bad) else None,
        )
    values = series.to_numpy(dtype=np.float64, na_value=np.nan)
    infinite = np.isinf(values)
    if infinite.any():
        codes = list(areas.index[infinite][:_NAMED])
        raise InputError(f"infinite values in areas {codes}", column=column)
    return values


def areas_graph(areas: pd.DataFrame, graph: Graph | None) -> Graph:
    """The graph to use for ``areas``: the given one, or queen contiguity by default.

    Every area must be a node of the graph; areas without geometry need a graph.
    """
    from hotspots.weights._build import spatial_weights

    if graph is None:
        if not isinstance(areas, gpd.GeoDataFrame):
            raise InputError("areas have no geometry: pass a graph (hotspots.spatial_weights)")
        graph = spatial_weights(areas)
    absent = areas.index.difference(pd.Index(graph.unique_ids))
    if len(absent):
        raise InputError(
            f"{len(absent)} area(s) are not in the graph, e.g. {list(absent[:_NAMED])}"
        )
    return graph


def prepare(areas: pd.DataFrame, column: str, graph: Graph | None) -> StatInput:
    """Check ``areas[column]`` and the graph, and restrict the graph to areas with data.

    ``graph=None`` builds queen contiguity from the areas' geometry with
    :func:`hotspots.spatial_weights`. A given graph must contain every area of
    ``areas`` (extra nodes are ignored); its weights are not modified.
    """
    from hotspots.weights._build import describe_weights

    values = numeric_column(areas, column)
    if areas.index.has_duplicates:
        codes = list(areas.index[areas.index.duplicated()].unique()[:_NAMED])
        raise InputError(f"area codes must be unique; repeated: {codes}")
    graph = areas_graph(areas, graph)
    has_data = ~np.isnan(values)
    if has_data.sum() < _MINIMUM_AREAS:
        raise InputError(
            f"at least {_MINIMUM_AREAS} areas with data are needed, found {int(has_data.sum())}",
            column=column,
        )
    if not has_data.all():
        logger.info(
            "%s: %d area(s) without data left out with their links, e.g. %s",
            column,
            int((~has_data).sum()),
            list(areas.index[~has_data][:_NAMED]),
        )
    csr = csr_from_graph(graph, ids=areas.index).subset(has_data)
    how = describe_weights(graph)
    if not has_data.all() and how.startswith("k-nearest"):
        csr, how = _knn_among_data(areas, graph, has_data, csr, how)
    return StatInput(values, has_data, csr, how)


def _knn_among_data(
    areas: pd.DataFrame, graph: Graph, has_data: np.ndarray, csr: CSRGraph, how: str
) -> tuple[CSRGraph, str]:
    """k nearest neighbours among the areas with data, not fewer than k (issue #14).

    Dropping an area without data from a kNN graph leaves its neighbours with
    fewer than k links; the graph is rebuilt on the areas with data instead.
    """
    import re

    from hotspots.weights._build import spatial_weights

    full = csr_from_graph(graph, ids=areas.index).cardinalities[has_data]
    short = csr.cardinalities < full
    if not short.any():
        return csr, how
    match = re.search(r"k=(\d+)", how)
    geometry = getattr(areas, "geometry", None) if "geometry" in areas.columns else None
    if match is None or geometry is None:
        warnings.warn(
            f"{int(short.sum())} areas have fewer than k neighbours among the areas with data "
            f"({how}): build the graph on the areas with data",
            HotspotsWarning,
            stacklevel=4,
        )
        return csr, how
    transform = getattr(graph, "transformation", "B")
    rebuilt = spatial_weights(
        areas[has_data], "knn", k=int(match.group(1)), transform="R" if transform == "R" else "B"
    )
    note = (
        f"{how}, rebuilt among the {int(has_data.sum())} areas with data "
        f"({int(short.sum())} had lost neighbours without data)"
    )
    return csr_from_graph(rebuilt, ids=areas.index[has_data]), note


def provenance(statistic: str, column: str, inputs: StatInput, **settings: object) -> dict:
    """The ``attrs["hotspots"]`` dictionary of a result (JSON-able)."""
    return {
        "statistic": statistic,
        "column": str(column),
        **settings,
        "areas": len(inputs.values),
        "areas_with_data": int(inputs.has_data.sum()),
        "areas_without_neighbours": int(inputs.island.sum()),
    }
