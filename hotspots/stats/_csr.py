"""Spatial graphs as compressed sparse rows, the form every kernel reads (private)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Hashable, Sequence

    from libpysal.graph import Graph

    from hotspots.weights._links import Links

# ---------------------------------------------------------------------------
# graph in compressed sparse row form
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CSRGraph:
    """A spatial graph as compressed sparse rows, positions ``0..n-1``.

    Attributes
    ----------
    indptr : ndarray of int64, shape (n + 1,)
        Row ``i``'s neighbours are ``indices[indptr[i]:indptr[i + 1]]``.
    indices : ndarray of int64
        Neighbour positions; never ``i`` itself (self-links live in
        ``self_weight``).
    weights : ndarray of float64
        Weight of each link, aligned with ``indices``.
    self_weight : ndarray of float64, shape (n,)
        Weight of each area on itself (0 when none; 1 for binary Gi*).
    """

    indptr: np.ndarray
    indices: np.ndarray
    weights: np.ndarray
    self_weight: np.ndarray

    @property
    def n(self) -> int:
        """Number of areas (nodes)."""
        return len(self.indptr) - 1

    @property
    def cardinalities(self) -> np.ndarray:
        """Number of neighbours of each area, self excluded."""
        return np.diff(self.indptr)

    @cached_property
    def link_rows(self) -> np.ndarray:
        """The area (row) of each link, aligned with ``indices``; computed once per graph."""
        rows = np.repeat(np.arange(self.n), self.cardinalities)
        rows.flags.writeable = False
        return rows

    def subset(self, keep: np.ndarray) -> CSRGraph:
        """The graph restricted to the areas where ``keep`` is true.

        Links to dropped areas are removed; positions are renumbered in the
        order of the kept areas.
        """
        keep = np.asarray(keep, dtype=bool)
        new_pos = np.full(self.n, -1, dtype=np.int64)
        new_pos[keep] = np.arange(int(keep.sum()))
        rows = self.link_rows
        link = keep[rows] & keep[self.indices]
        counts = np.bincount(new_pos[rows[link]], minlength=int(keep.sum()))
        return CSRGraph(
            indptr=np.concatenate([[0], np.cumsum(counts)]).astype(np.int64),
            indices=new_pos[self.indices[link]],
            weights=self.weights[link],
            self_weight=self.self_weight[keep],
        )

    def row_standardised(self) -> CSRGraph:
        """Weights divided by their row sum, self-links dropped.

        Rows without neighbours stay empty (islands).
        """
        return CSRGraph(
            indptr=self.indptr,
            indices=self.indices,
            weights=self.weights / np.repeat(self.row_sum(), self.cardinalities),
            self_weight=np.zeros(self.n),
        )

    def binary(self, self_weight: float = 0.0) -> CSRGraph:
        """Every link weighted 1, and every area weighted ``self_weight`` on itself."""
        return CSRGraph(
            indptr=self.indptr,
            indices=self.indices,
            weights=np.ones(len(self.indices)),
            self_weight=np.full(self.n, float(self_weight)),
        )

    def row_sum(self, link_values: np.ndarray | None = None) -> np.ndarray:
        """Sum of ``link_values`` (default the weights) over each area's links, shape (n,)."""
        rows = self.link_rows
        values = self.weights if link_values is None else link_values
        return np.bincount(rows, weights=values, minlength=self.n)

    def lag(self, values: np.ndarray) -> np.ndarray:
        """Spatial lag ``sum_j w_ij v_j`` (self-links excluded), shape of ``values``."""
        values = np.asarray(values, dtype=np.float64)
        rows = self.link_rows
        if values.ndim == 1:
            contrib = self.weights * values[self.indices]
            # float even without links (bincount of no weights gives integers)
            return np.bincount(rows, weights=contrib, minlength=self.n).astype(np.float64)
        # bincount adds the links of each area in order, as np.add.at does (the same sums,
        # bit for bit), several times faster; one column at a time, its links contiguous
        columns = values.reshape(self.n, int(np.prod(values.shape[1:]))).T
        out = np.empty((columns.shape[0], self.n))
        for c, column in enumerate(columns):
            out[c] = np.bincount(
                rows, weights=self.weights * column[self.indices], minlength=self.n
            )
        return np.ascontiguousarray(out.T).reshape(values.shape)


def csr_from_graph(graph: Graph, ids: Sequence[Hashable] | None = None) -> CSRGraph:
    """Convert a :class:`libpysal.graph.Graph` to a :class:`CSRGraph`.

    Parameters
    ----------
    graph : libpysal.graph.Graph
        Any graph; its weights are taken as they are (no transform applied).
    ids : sequence, optional
        Order of the areas (default ``graph.unique_ids``). Every id must be a
        node of the graph.

    Returns
    -------
    CSRGraph
        Zero-weight links (libpysal's marker for isolates) are dropped;
        self-links go to ``self_weight``.
    """
    import pandas as pd

    order = pd.Index(graph.unique_ids if ids is None else ids)
    adjacency = graph.adjacency
    # positions of each level's codes, then of each link: a lookup per area, not per link
    links = adjacency.index
    focal = order.get_indexer(links.levels[0])[links.codes[0]]
    neighbour = order.get_indexer(links.levels[1])[links.codes[1]]
    weight = adjacency.to_numpy(dtype=np.float64)
    n = len(order)
    self_weight = np.zeros(n)
    is_self = (focal == neighbour) & (focal >= 0)
    self_weight[focal[is_self]] = weight[is_self]
    link = (focal >= 0) & (neighbour >= 0) & ~is_self & (weight != 0)
    focal, neighbour, weight = focal[link], neighbour[link], weight[link]
    return _csr(n, focal, neighbour, weight, self_weight)


def csr_from_links(links: Links, ids: Sequence[Hashable] | None = None) -> CSRGraph:
    """Convert binary :class:`~hotspots.weights._links.Links` to a :class:`CSRGraph`.

    The same arrays as :func:`csr_from_graph` on ``links.graph()``, without
    making the Graph. ``ids`` (default ``links.ids``) must all be in ``links.ids``;
    links to areas outside ``ids`` are dropped.
    """
    import pandas as pd

    if ids is None or links.ids.equals(pd.Index(ids)):
        # already sorted by head, then tail
        n = len(links.ids)
        counts = np.bincount(links.heads, minlength=n)
        return CSRGraph(
            indptr=np.concatenate([[0], np.cumsum(counts)]).astype(np.int64),
            indices=links.tails.astype(np.int64),
            weights=np.ones(len(links.tails)),
            self_weight=np.zeros(n),
        )
    where = pd.Index(ids).get_indexer(links.ids)
    focal, neighbour, n = where[links.heads], where[links.tails], len(ids)
    kept = (focal >= 0) & (neighbour >= 0)
    focal, neighbour = focal[kept], neighbour[kept]
    return _csr(n, focal, neighbour, np.ones(len(focal)), np.zeros(n))


def _csr(
    n: int, focal: np.ndarray, neighbour: np.ndarray, weight: np.ndarray, self_weight: np.ndarray
) -> CSRGraph:
    """Rows in area order, each row's neighbours in position order."""
    sort = np.lexsort((neighbour, focal))
    counts = np.bincount(focal, minlength=n)
    return CSRGraph(
        indptr=np.concatenate([[0], np.cumsum(counts)]).astype(np.int64),
        indices=neighbour[sort].astype(np.int64),
        weights=weight[sort],
        self_weight=self_weight,
    )
