"""Checked inputs of the spatial statistics: a numeric column and its graph (private).

Turns ``(areas, column, graph)`` into arrays the engine can use: the values in
area order, which areas have data, and the graph restricted to those areas
(links to areas without data are dropped with them).
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from hotspots._errors import HotspotsWarning, InputError
from hotspots.stats._csr import CSRGraph, csr_from_graph, csr_from_links
from hotspots.weights._build import build_links, default_links, describe_weights
from hotspots.weights._links import Links

logger = logging.getLogger("hotspots")

# how many codes an error message names
_NAMED = 5
# fewest areas with data a statistic is computed on
_MINIMUM_AREAS = 3
# esda's names for the weighting a statistic applies to the graph
TRANSFORMATIONS = ("r", "b", "o")
_TRANSFORMATION_TEXT = {"r": "row-standardised", "b": "binary", "o": "weights as given"}


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
        Short description of the graph and of the weighting applied, for provenance.
    weighted : CSRGraph
        ``graph`` with the statistic's ``transformation`` applied (and, for
        Gi*, each area's weight on itself): the weights the statistic uses.
    transformation : str
        The transformation applied (``"r"``, ``"b"`` or ``"o"``).
    """

    values: np.ndarray
    has_data: np.ndarray
    graph: CSRGraph
    weights: str
    weighted: CSRGraph
    transformation: str

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


def graph_csr(areas: pd.DataFrame, graph: Any, *, stacklevel: int = 5) -> tuple[CSRGraph, str]:
    """The graph to use for ``areas`` in area order, and its description.

    ``graph`` may be a libpysal ``Graph``, a legacy ``W`` (converted with
    ``Graph.from_W``), the links of :func:`hotspots.weights._build.build_links`
    (what the command line passes) or ``None``: queen contiguity of the areas'
    geometry, built once per set of areas
    (:func:`hotspots.weights._build.default_links`) and read without libpysal.
    Every area must be a node of the graph (extra nodes are ignored); areas
    without geometry need a graph. Weights are taken as given.
    """
    if graph is None:
        if not isinstance(areas, gpd.GeoDataFrame):
            raise InputError("areas have no geometry: pass a graph (hotspots.spatial_weights)")
        graph = default_links(areas, stacklevel=stacklevel)
    if isinstance(graph, Links):
        _check_nodes(areas.index, graph.ids)
        return csr_from_links(graph, ids=areas.index), graph.description
    from libpysal.graph import Graph
    from libpysal.weights import W

    how = None
    if isinstance(graph, W):
        graph, how = Graph.from_W(graph), "from a libpysal W"
    elif not isinstance(graph, Graph):
        raise TypeError(
            "graph must be a libpysal.graph.Graph or libpysal.weights.W "
            f"(see hotspots.spatial_weights), not {type(graph).__name__}"
        )
    _check_nodes(areas.index, pd.Index(graph.unique_ids))
    return csr_from_graph(graph, ids=areas.index), describe_weights(graph, how)


def _check_nodes(codes: pd.Index, nodes: pd.Index) -> None:
    absent = codes.difference(nodes)
    if len(absent):
        raise InputError(
            f"{len(absent)} area(s) are not in the graph, e.g. {list(absent[:_NAMED])}"
        )


def check_transformation(transformation: object, *, optional: bool = False) -> str | None:
    """``transformation`` in lower case; ValueError if unknown (None only when optional)."""
    if transformation is None and optional:
        return None
    value = transformation.lower() if isinstance(transformation, str) else transformation
    if value not in TRANSFORMATIONS:
        choices = ", ".join(repr(t) for t in TRANSFORMATIONS)
        extra = " or None" if optional else ""
        raise ValueError(f"transformation must be one of {choices}{extra}, not {transformation!r}")
    return str(value)


def prepare(
    areas: pd.DataFrame,
    column: str,
    graph: Any,
    transformation: str | None = "r",
    *,
    star: bool | None = None,
) -> StatInput:
    """Check ``areas[column]`` and the graph, and restrict the graph to areas with data.

    ``graph=None`` is queen contiguity of the areas' geometry; a given graph
    must contain every area of ``areas`` (extra nodes are ignored); its
    weights are not modified (:func:`graph_csr`).

    ``transformation`` is the weighting the statistic applies (esda's name):
    ``"r"`` row-standardised, ``"b"`` binary, ``"o"`` the graph's weights as
    given; ``None`` (Getis-Ord) means ``"b"`` for a graph whose weights are
    equal within each row (binary or row-standardised contiguity, knn,
    distance band) and an :class:`InputError` for any other (a kernel graph is
    never made binary silently). ``star`` is None for statistics without a
    self-weight (Moran's I, General G: self-weights are dropped), True for
    Gi* (each area weighs 1 on itself with ``"b"``; with ``"r"`` and ``"o"``
    its own self-weight when the graph has one, else the largest weight of its
    row, as esda's ``G_Local``; ``"r"`` then divides by the row total
    including the self-weight), False for Gi.
    """
    transformation = check_transformation(transformation, optional=True)
    values = numeric_column(areas, column)
    if areas.index.has_duplicates:
        codes = list(areas.index[areas.index.duplicated()].unique()[:_NAMED])
        raise InputError(f"area codes must be unique; repeated: {codes}")
    whole, described = graph_csr(areas, graph)
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
    if transformation is None:
        if not equal_in_rows(whole):
            raise InputError(
                "the graph has unequal weights within areas (a kernel or other weighted "
                "graph), which Getis-Ord would make binary: pass transformation='o' to use "
                "them as given, or transformation='b' to use the links only"
            )
        transformation = "b"
    csr = whole.subset(has_data)
    if not has_data.all():
        csr, described = _knn_among_data(areas, whole, has_data, csr, described)
    text = f"{described}; used {_TRANSFORMATION_TEXT[transformation]}"
    if star is not None:
        text += ", self included" if star else ", self excluded"
    return StatInput(
        values, has_data, csr, text, weighted(csr, transformation, star=star), transformation
    )


def _knn_among_data(
    areas: pd.DataFrame, whole: CSRGraph, has_data: np.ndarray, csr: CSRGraph, how: str
) -> tuple[CSRGraph, str]:
    """k nearest neighbours among the areas with data, not fewer than k (issue #14).

    A graph in which every area has the same number ``k`` of neighbours is a
    k-nearest-neighbour graph (contiguity never is, on real areas). Dropping an
    area without data from it leaves its neighbours with fewer than ``k``
    links, so the graph is rebuilt on the areas with data instead; without
    geometry to rebuild from, a warning says so.
    """
    counts = whole.cardinalities
    short = csr.cardinalities < counts[has_data]
    if not short.any() or not (counts.size and counts[0] > 0 and (counts == counts[0]).all()):
        return csr, how
    k = int(counts[0])
    if "geometry" not in areas.columns:
        warnings.warn(
            f"{int(short.sum())} areas have fewer than k={k} neighbours among the areas with "
            f"data ({how}): build the graph on the areas with data",
            HotspotsWarning,
            stacklevel=4,
        )
        return csr, how
    rebuilt = build_links(areas[has_data], "knn", k=k)
    note = (
        f"{how}, k={k} nearest neighbours rebuilt among the {int(has_data.sum())} areas with "
        f"data ({int(short.sum())} had lost neighbours without data)"
    )
    return csr_from_links(rebuilt), note


def weighted(graph: CSRGraph, transformation: str, *, star: bool | None = None) -> CSRGraph:
    """``graph`` with ``transformation`` applied; see :func:`prepare` for ``star``."""
    if transformation == "b":
        return graph.binary(self_weight=1.0 if star else 0.0)
    if star:
        own = graph.self_weight
        self_weight = np.where(own > 0, own, _row_max(graph))
        if transformation == "o":
            return CSRGraph(graph.indptr, graph.indices, graph.weights, self_weight)
        total = graph.row_sum() + self_weight
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.where(total > 0, 1.0 / total, 0.0)
        return CSRGraph(
            graph.indptr,
            graph.indices,
            graph.weights * np.repeat(scale, graph.cardinalities),
            self_weight * scale,
        )
    if transformation == "o":
        return CSRGraph(graph.indptr, graph.indices, graph.weights, np.zeros(graph.n))
    return graph.row_standardised()


def _row_max(graph: CSRGraph) -> np.ndarray:
    out = np.zeros(graph.n)
    rows = np.repeat(np.arange(graph.n), graph.cardinalities)
    np.maximum.at(out, rows, graph.weights)
    return out


def equal_in_rows(graph: CSRGraph) -> bool:
    """Whether every area's links all weigh the same (binary up to a row scale)."""
    rows = np.repeat(np.arange(graph.n), graph.cardinalities)
    low = np.full(graph.n, np.inf)
    np.minimum.at(low, rows, graph.weights)
    high = _row_max(graph)
    return bool(np.allclose(low[rows], high[rows], rtol=1e-9, atol=0))


def provenance(
    statistic: str, column: str, inputs: StatInput, **settings: object
) -> dict[str, object]:
    """The ``attrs["hotspots"]`` dictionary of a result (JSON-able)."""
    return {
        "statistic": statistic,
        "column": str(column),
        **settings,
        "transformation": inputs.transformation,
        "areas": len(inputs.values),
        "areas_with_data": int(inputs.has_data.sum()),
        "areas_without_neighbours": int(inputs.island.sum()),
    }
