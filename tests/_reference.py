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
