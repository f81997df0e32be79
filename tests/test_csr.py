"""The compressed-row graph's spatial lag against the straightforward sum, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from hotspots.stats._csr import CSRGraph


def straightforward_lag(graph: CSRGraph, values: np.ndarray) -> np.ndarray:
    """``out[i] += w_ij v_j`` link by link, in row order (np.add.at)."""
    values = np.asarray(values, dtype=np.float64)
    rows = np.repeat(np.arange(graph.n), graph.cardinalities)
    contrib = graph.weights.reshape((-1,) + (1,) * (values.ndim - 1)) * values[graph.indices]
    out = np.zeros_like(values)
    np.add.at(out, rows, contrib)
    return out


def random_graph(n: int, seed: int) -> CSRGraph:
    rng = np.random.default_rng(seed)
    card = rng.integers(0, 9, n)
    card[: min(n, 2)] = 0  # islands
    indptr = np.concatenate([[0], np.cumsum(card)]).astype(np.int64)
    indices = rng.integers(0, max(n, 1), int(indptr[-1])).astype(np.int64)
    weights = rng.normal(size=int(indptr[-1])) * 1e3
    return CSRGraph(indptr, indices, weights, np.zeros(n))


CASES = {
    "empty": (0, ()),
    "empty-columns": (0, (3,)),
    "one-area": (1, ()),
    "no-columns": (5, (0,)),
    "vector": (300, ()),
    "one-column": (300, (1,)),
    "matrix": (300, (7,)),
    "three-dimensional": (300, (3, 2)),
}


@pytest.mark.parametrize(("n", "extra"), CASES.values(), ids=CASES.keys())
def test_lag_is_the_straightforward_sum(n, extra):
    rng = np.random.default_rng(n + len(extra))
    graph = random_graph(n, seed=n)
    values = rng.normal(size=(n, *extra)) * 10.0 ** rng.integers(-5, 5, size=(n, *extra))
    values.flat[::7] = np.nan
    values.flat[::11] = -0.0
    got = graph.lag(values)
    expected = straightforward_lag(graph, values)
    assert got.shape == expected.shape and got.dtype == np.float64
    assert got.flags.c_contiguous
    np.testing.assert_array_equal(got.view(np.int64), expected.view(np.int64))  # same bits
