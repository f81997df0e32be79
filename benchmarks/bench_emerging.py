"""Emerging hot spots on all London LSOAs x 26 months x 999 permutations.

Compares :func:`hotspots.emerging_hotspots` (one batched engine call per
space-time window shape) with looping a single-period Gi* over the 26
months: ``hotspots.getis_ord`` (what a user would write without
``emerging_hotspots``; with ``time_lag=0`` it gives identical numbers) and
esda's ``G_Local`` (star, 999 permutations) as the outside baseline. Data: the
real police.uk Met burglary counts in ``tests/data/spacetime``. Timings are
the best of ``REPEAT`` runs (the machine may be shared). Run from the
repository root::

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
REPEAT = 3
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
    ours0 = timed("emerging_hotspots, time_lag=0", run(0), REPEAT)
    ours1 = timed("emerging_hotspots, time_lag=1", run(1), REPEAT)
    ours2 = timed("emerging_hotspots, time_lag=2", run(2), REPEAT)

    frame = lsoas.join(cube.set_axis(cube.columns.astype(str), axis=1))

    def loop_getis_ord():
        for period in cube.columns.astype(str):
            hotspots.getis_ord(frame, period, graph=graph, permutations=PERMUTATIONS, seed=1)

    times = {"getis_ord": timed("loop hotspots.getis_ord over 26 months", loop_getis_ord, REPEAT)}

    w = graph.subgraph(covered).assign_self_weight(1.0).to_W()

    def loop_esda():
        for period in cube.columns:
            esda.G_Local(cube.loc[covered, period].to_numpy(), w, star=True, transform="B",
                         permutations=PERMUTATIONS, seed=1, n_jobs=1)  # fmt: skip

    times["esda"] = timed("loop esda.G_Local(star) over 26 months (n_jobs=1)", loop_esda)
    for name, baseline in times.items():
        ratios = ", ".join(
            f"time_lag={lag} {baseline / ours:5.1f}x"
            for lag, ours in enumerate((ours0, ours1, ours2))
        )
        print(f"loop of {name} / emerging_hotspots: {ratios}")


if __name__ == "__main__":
    main()
