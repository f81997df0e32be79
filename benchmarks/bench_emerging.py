"""Emerging hot spots on all London LSOAs x 26 months x 999 permutations.

Compares :func:`hotspots.emerging_hotspots` (one batched engine call per
space-time window shape) with looping a single-period Gi* over the 26
months: ``hotspots.getis_ord`` when it is available, and esda's ``G_Local``
(star, 999 permutations) as the outside baseline. Data: the real police.uk
Met burglary counts in ``tests/data/spacetime``. Run from the repository root::

    python benchmarks/bench_emerging.py
"""

from __future__ import annotations

import time
from pathlib import Path

import esda
import pandas as pd
from libpysal.graph import Graph

import boundaries
import hotspots

PERMUTATIONS = 999
DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "spacetime"


def timed(label, func, repeat=1):
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    print(f"{label:<58} {best:8.2f} s")
    return best


def main() -> None:
    lsoas = boundaries.load("lsoa")
    cube = pd.read_csv(DATA / "lsoa_burglary_monthly.csv", index_col="code")
    cube.columns = pd.PeriodIndex(cube.columns, freq="M", name="month")
    graph = Graph.build_contiguity(lsoas, rook=False)
    covered = cube.dropna().index
    print(f"{len(lsoas)} LSOAs x {cube.shape[1]} months x {PERMUTATIONS} permutations")

    def run(lag):
        return lambda: hotspots.emerging_hotspots(
            lsoas, cube, graph=graph, time_lag=lag, permutations=PERMUTATIONS, seed=1
        )

    run(1)()  # compile / load the numba cache
    ours0 = timed("emerging_hotspots, time_lag=0", run(0))
    ours1 = timed("emerging_hotspots, time_lag=1", run(1))

    times = {}
    try:
        getis_ord = hotspots.getis_ord
    except (AttributeError, ImportError):
        getis_ord = None
    if getis_ord is not None:
        frame = lsoas.join(cube.set_axis(cube.columns.astype(str), axis=1))

        def loop_ours():
            for period in cube.columns.astype(str):
                getis_ord(frame, period, graph=graph, permutations=PERMUTATIONS, seed=1)

        times["getis_ord"] = timed("loop hotspots.getis_ord over 26 months", loop_ours)

    w = graph.subgraph(covered).assign_self_weight(1.0).to_W()

    def loop_esda():
        for period in cube.columns:
            esda.G_Local(cube.loc[covered, period].to_numpy(), w, star=True, transform="B",
                         permutations=PERMUTATIONS, seed=1, n_jobs=1)  # fmt: skip

    times["esda"] = timed("loop esda.G_Local(star) over 26 months (n_jobs=1)", loop_esda)
    for name, baseline in times.items():
        print(f"speed-up of time_lag=0 over {name}: {baseline / ours0:5.1f}x; "
              f"time_lag=1 over {name}: {baseline / ours1:5.1f}x")  # fmt: skip


if __name__ == "__main__":
    main()
