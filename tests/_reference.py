"""Loading the stored R spdep reference files (see tests/reference/README.md)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from libpysal.graph import Graph

REFERENCE = Path(__file__).parent / "data" / "reference"
CODES = {"code": str, "focal": str, "neighbour": str}


def read(name: str) -> pd.DataFrame:
    """A reference table; ``name`` without extension (``.csv`` or ``.csv.gz``)."""
    path = REFERENCE / f"{name}.csv"
    if not path.exists():
        path = REFERENCE / f"{name}.csv.gz"
    return pd.read_csv(path, dtype=CODES)


def values(case: str) -> pd.DataFrame:
    """``value`` and ``population`` of every area of the layer, indexed by code."""
    return read(f"{case.removesuffix('_knn6')}_values").set_index("code")


def graph(case: str) -> Graph:
    """The stored spdep neighbour list as a binary Graph over the areas with data."""
    nb = read(f"{case}_nb")
    return Graph.from_arrays(nb["focal"], nb["neighbour"], np.ones(len(nb)))


def lisa_through_kernel(
    x: np.ndarray, w: object, pool: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Local Moran of ``x`` on the CSR graph ``w`` through the engine's shared-pool kernel,
    drawing esda's lookup table ``pool`` ``(permutations, width)``: observed ``I_i``, every
    simulated value, the two tail counts and the tie tolerance, each for one column."""
    from hotspots.stats import _engine as engine

    n, permutations = w.n, len(pool)
    z = x - x.mean()
    a = (z / ((z**2).sum() / n))[:, None]
    values, zeros = z[:, None].copy(), np.zeros((n, 1))
    observed = np.empty((n, 1))
    n_ge = np.zeros((n, 1), dtype=np.int64)
    n_le = np.zeros((n, 1), dtype=np.int64)
    simulations = np.empty((n, 1, permutations))
    engine._observed(values, a, zeros, w.indptr, w.indices, w.weights, 0, n, observed)
    tie = engine.tie_tolerance(values, a, zeros, w)
    used = np.zeros((n, 1), dtype=np.int64)
    all_areas = np.array([[0, n]], dtype=np.int64)  # one segment: every area of column 0
    engine._shared_cells(values.T.copy(), a, zeros, w.indptr, w.indices, w.weights,
                         np.ascontiguousarray(pool.T.astype(np.int64)), 0,
                         np.arange(n, dtype=np.int64), np.zeros(n, dtype=np.int64), all_areas,
                         observed, tie, n_ge, n_le, used, 0, True, simulations)  # fmt: skip
    return observed[:, 0], simulations[:, 0, :], n_ge[:, 0], n_le[:, 0], tie[:, 0]
