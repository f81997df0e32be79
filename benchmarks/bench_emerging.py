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
    python benchmarks/bench_emerging.py --large   # 34,969 x 60 synthetic, categories

``--large`` runs :func:`hotspots.emerging_hotspots` once on a synthetic
187 x 187 queen lattice (34,969 areas) x 60 months of Poisson(5) counts
(synthetic, not real data) with the default inference (adaptive
permutations, FDR), and times the category step on its states both ways:
the former per-area loop calling ``classify`` and ``classify_all`` (all
areas at once). ``--permutations 999`` uses that fixed count instead;
``--inference analytical`` the normal approximation (as ArcGIS)::

    python benchmarks/bench_emerging.py --large --inference analytical
"""

from __future__ import annotations

import resource
import sys
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


def large(options: dict[str, object], side: int = 187, months: int = 60) -> None:
    import geopandas as gpd
    import numpy as np

    from hotspots.spacetime._rules import classify, classify_all

    n = side * side
    row, col = np.divmod(np.arange(n), side)
    focal, neighbor = [], []
    for dr in (-1, 0, 1):
        for dc in (-1, 0, 1):
            r, c = row + dr, col + dc
            ok = bool(dr or dc) & (r >= 0) & (r < side) & (c >= 0) & (c < side)
            focal.append(np.arange(n)[ok])
            neighbor.append((r * side + c)[ok])
    codes = pd.Index([f"A{i:06d}" for i in range(n)], name="code")
    focal, neighbor = np.concatenate(focal), np.concatenate(neighbor)
    graph = Graph.from_arrays(
        codes[focal].to_numpy(), codes[neighbor].to_numpy(), np.ones(len(focal))
    )
    areas = gpd.GeoDataFrame(index=codes, geometry=gpd.points_from_xy(col, row))
    rng = np.random.default_rng(1)
    months_index = pd.period_range("2020-01", periods=months, freq="M", name="month")
    cube = pd.DataFrame(rng.poisson(5, (n, months)).astype(float), index=codes,
                        columns=months_index)  # fmt: skip
    print(f"synthetic lattice {n} areas x {months} months, {options or 'defaults'}, time_lag=1")
    # ru_maxrss is in KiB on Linux; shown / 10**6 as the docs' /usr/bin/time figures
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
    print(f"{'peak RSS before the call (lattice, cube, graph)':<58} {before:8.2f} GB")
    start, cpu = time.perf_counter(), time.process_time()
    result = hotspots.emerging_hotspots(areas, cube, graph=graph, seed=1, **options)
    print(f"{'permutations drawn per area and period (mean)':<58} "
          f"{result.periods['gi_permutations'].mean():8.0f}")  # fmt: skip
    print(f"{'process CPU of the call':<58} {time.process_time() - cpu:8.2f} s")
    print(f"{'emerging_hotspots (whole call, categories vectorised)':<58} "
          f"{time.perf_counter() - start:8.2f} s")  # fmt: skip
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
    print(f"{'peak RSS after the call (the call and its result included)':<58} {peak:8.2f} GB")
    bins = result.periods["gi_bin"].to_numpy(dtype=float, na_value=np.nan).reshape(n, months)
    trend = result.areas["trend_direction"].map({"Upward trend": 1, "Downward trend": -1})
    trend = trend.fillna(0).astype(int).to_numpy()
    usable = ~np.isnan(bins)

    def loop():
        return [classify(np.sign(bins[i, usable[i]]), int(trend[i])) for i in range(n)]

    def vectorised():
        return classify_all(np.where(usable, np.sign(bins), np.nan), trend)

    before = timed("categories: per-area classify loop (before)", loop)
    after = timed("categories: classify_all (after)", vectorised, REPEAT)
    assert list(vectorised()) == loop()
    print(
        f"category step {before / after:.0f}x faster; "
        f"whole call before ~= after + {before - after:.1f} s"
    )


def _options(argv: list[str]) -> dict[str, object]:
    """``--permutations N`` and ``--inference NAME`` from the command line."""
    options: dict[str, object] = {}
    for flag in ("--permutations", "--inference"):
        if flag in argv:
            value = argv[argv.index(flag) + 1]
            options[flag[2:]] = int(value) if value.isdigit() else value
    return options


if __name__ == "__main__":
    large(_options(sys.argv)) if "--large" in sys.argv else main()
