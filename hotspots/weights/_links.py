"""Binary links between areas as position arrays, and their description (private).

What every builder in :mod:`hotspots.weights._build` produces. The statistics
read links straight into their compressed-sparse-row form, so the default graph
(``graph=None``) and the command line never import libpysal; a libpysal
``Graph`` is made from the links only when a user asks for one
(:func:`hotspots.spatial_weights`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from libpysal.graph import Graph


@dataclass(frozen=True, eq=False)
class Links:
    """Binary links between areas, by position in ``ids``.

    Attributes
    ----------
    ids : pandas.Index
        The areas' codes, in order.
    heads, tails : ndarray of intp
        Link ``i`` goes from area ``heads[i]`` to area ``tails[i]`` (both
        directions present for symmetric methods); unique, sorted by head then
        tail, never an area to itself.
    how : str
        How the links were built, in words (e.g. ``"queen contiguity
        (tolerance 0.1 m)"``): what only the builder knows.
    """

    ids: pd.Index
    heads: np.ndarray
    tails: np.ndarray
    how: str

    @classmethod
    def from_pairs(cls, ids: pd.Index, heads: np.ndarray, tails: np.ndarray, how: str) -> Links:
        """Links from possibly repeated, unsorted pairs of positions."""
        pairs = np.unique(np.column_stack([heads, tails]).astype(np.intp), axis=0)
        pairs = pairs[pairs[:, 0] != pairs[:, 1]]
        return cls(ids, pairs[:, 0], pairs[:, 1], how)

    def graph(self) -> Graph:
        """The links as a binary libpysal ``Graph``, isolates as zero-weight self-loops."""
        from libpysal.graph import Graph

        isolated = np.setdiff1d(np.arange(len(self.ids)), self.heads)
        heads = np.concatenate([self.heads, isolated])
        tails = np.concatenate([self.tails, isolated])
        weights = np.concatenate([np.ones(len(self.heads)), np.zeros(len(isolated))])
        order = np.lexsort((tails, heads))
        index = pd.MultiIndex(
            levels=[self.ids, self.ids],
            codes=[heads[order], tails[order]],
            names=["focal", "neighbor"],
        )
        adjacency = pd.Series(weights[order], index=index, name="weight")
        return Graph(adjacency, transformation="B", is_sorted=True)

    @cached_property
    def description(self) -> str:
        """How they were built and what they are: ``"<how>: 33 areas, 136 links ..."``."""
        return describe_links(
            len(self.ids), self.heads, self.tails, np.ones(len(self.heads)), "binary", self.how
        )


def describe_links(
    n: int,
    focal: np.ndarray,
    neighbour: np.ndarray,
    weights: np.ndarray,
    words: str,
    how: str | None = None,
    *,
    self_weights: bool = False,
) -> str:
    """``"<how>: N areas, L links (x per area), <words>"`` with what else applies.

    ``focal``/``neighbour`` are positions of the links with a non-zero weight,
    self-links excluded. Adds ``", not symmetric"`` (a link without its
    reverse), ``", K areas without neighbours"`` and ``", self-weights"``.
    """
    links = len(focal)
    if words == "weights as built":
        words = "binary" if np.all(weights == 1) else "weighted (weights as built)"
    text = f"{n} areas, {links} links ({links / n:.1f} per area), {words}"
    if links and not _symmetric(n, focal, neighbour):
        text += ", not symmetric"
    alone = n - int(np.count_nonzero(np.bincount(focal, minlength=n)))
    if alone:
        text += f", {alone} area{'s' if alone > 1 else ''} without neighbours"
    if self_weights:
        text += ", self-weights"
    return f"{how}: {text}" if how else text


def _symmetric(n: int, focal: np.ndarray, neighbour: np.ndarray) -> bool:
    """Whether every link has its reverse (whatever the weights); links are distinct."""
    focal = focal.astype(np.int64)
    neighbour = neighbour.astype(np.int64)
    return bool(np.array_equal(np.sort(focal * n + neighbour), np.sort(neighbour * n + focal)))
