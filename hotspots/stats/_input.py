"""Checked inputs of the spatial statistics: a numeric column and its graph (private).

Turns ``(areas, column, graph)`` into arrays the engine can use: the values in
area order, which areas have data, and the graph restricted to those areas
(links to areas without data are dropped with them).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from hotspots._errors import InputError
from hotspots.stats._engine import CSRGraph, csr_from_graph
from hotspots.weights._build import default_weights, describe_weights

if TYPE_CHECKING:
    from libpysal.graph import Graph

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


def as_graph(graph: Any) -> Graph:
    """A libpysal ``Graph`` from a ``Graph`` or a legacy ``libpysal.weights.W``."""
    from libpysal.graph import Graph
    from libpysal.weights import W

    if isinstance(graph, Graph):
        return graph
    if isinstance(graph, W):
        return Graph.from_W(graph)
    raise TypeError(
        "graph must be a libpysal.graph.Graph or libpysal.weights.W "
        f"(see hotspots.spatial_weights), not {type(graph).__name__}"
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


def areas_graph(areas: pd.DataFrame, graph: Any) -> Graph:
    """The graph to use for ``areas``: the given one, or queen contiguity by default.

    Every area must be a node of the graph; areas without geometry need a graph.
    """
    return described_graph(areas, graph)[0]


def described_graph(areas: pd.DataFrame, graph: Any, *, stacklevel: int = 5) -> tuple[Graph, str]:
    """:func:`areas_graph` and its description (:func:`describe_weights`).

    ``graph`` may be a ``Graph`` or a ``W`` (converted with ``Graph.from_W``);
    ``None`` is queen contiguity, built once per set of areas
    (:func:`hotspots.weights._build.default_weights`).
    """
    how: str | None
    if graph is None:
        if not isinstance(areas, gpd.GeoDataFrame):
            raise InputError("areas have no geometry: pass a graph (hotspots.spatial_weights)")
        graph, how = default_weights(areas, stacklevel=stacklevel)
    else:
        how = None if _is_graph(graph) else "from a libpysal W"
        graph = as_graph(graph)
    absent = areas.index.difference(pd.Index(graph.unique_ids))
    if len(absent):
        raise InputError(
            f"{len(absent)} area(s) are not in the graph, e.g. {list(absent[:_NAMED])}"
        )
    return graph, describe_weights(graph, how)


def _is_graph(graph: object) -> bool:
    from libpysal.graph import Graph

    return isinstance(graph, Graph)


def prepare(
    areas: pd.DataFrame,
    column: str,
    graph: Any,
    transformation: str | None = "r",
    *,
    star: bool | None = None,
) -> StatInput:
    """Check ``areas[column]`` and the graph, and restrict the graph to areas with data.

    ``graph=None`` builds queen contiguity from the areas' geometry with
    :func:`hotspots.spatial_weights`. A given graph (libpysal ``Graph`` or
    ``W``) must contain every area of ``areas`` (extra nodes are ignored); its
    weights are not modified.

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
    graph, described = described_graph(areas, graph)
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
    whole = csr_from_graph(graph, ids=areas.index)
    if transformation is None:
        if not equal_in_rows(whole):
            raise InputError(
                "the graph has unequal weights within areas (a kernel or other weighted "
                "graph), which Getis-Ord would make binary: pass transformation='o' to use "
                "them as given, or transformation='b' to use the links only"
            )
        transformation = "b"
    csr = whole.subset(has_data)
    text = f"{described}; used {_TRANSFORMATION_TEXT[transformation]}"
    if star is not None:
        text += ", self included" if star else ", self excluded"
    return StatInput(
        values, has_data, csr, text, weighted(csr, transformation, star=star), transformation
    )


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
