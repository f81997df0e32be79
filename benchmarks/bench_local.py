"""Local Moran and Gi* timings: hotspots' engine side by side with esda and pygeoda, in one run.

Run from the repository root: ``python benchmarks/bench_local.py [--quick] [--adaptive]``
(``--quick`` leaves out the 200,000-area case; ``--adaptive`` runs only the comparison
of the default adaptive inference with esda at 999 permutations, see
:func:`adaptive_main`).

Cases
    * London LSOAs: 4,988 real polygons (the 2021 LSOAs with data) and real
      residential burglary counts (the shipped test extract ``lsoa_burglary``),
      999 and 9,999 permutations;
    * SYNTHETIC square queen lattices of 35,000 and 200,000 cells (mean 7.9
      neighbours) with SYNTHETIC Poisson(5) values, 999 permutations.

Every library gets the same values and the same queen contiguity (pygeoda
builds its own from the same polygons; the mean number of neighbours is
printed to show that they agree), the same number of threads, and the same
statistic: local Moran on row-standardised weights and Gi* on binary weights
with the focal area included. Times are warm: esda's numba compilation (not
cached by esda, so paid once in every new process and again in every joblib
worker) and pygeoda's polygon reading are measured separately and excluded.
hotspots uses its default shared pool (the lookup-table approach), pygeoda its
``"lookup-table"`` permutation method, esda its own lookup table. Each timing is
run several times; the table gives the best and the median, and the ratios
hotspots / other use the best of each.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
from libpysal.graph import Graph

from hotspots.stats._engine import csr_from_graph, default_threads, local_g_stat, local_moran_stat

THREADS = default_threads()
SEED = 1


def timings(function, repeat: int) -> list[float]:
    """Wall-clock seconds of ``repeat`` calls."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


def load() -> str:
    return Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "?"


# ---------------------------------------------------------------------------
# cases
# ---------------------------------------------------------------------------


def synthetic_lattice(n_cells: int):
    """SYNTHETIC queen lattice of ``side x side`` unit squares: Graph, values, polygons."""
    import geopandas as gpd
    import shapely

    side = round(n_cells**0.5)
    ids = np.arange(side * side).reshape(side, side)
    heads, tails = [], []
    for dr in (-1, 0, 1):
        for dc in (-1, 0, 1):
            if dr == dc == 0:
                continue
            src = ids[max(0, -dr) : side - max(0, dr), max(0, -dc) : side - max(0, dc)]
            dst = ids[max(0, dr) : side + min(0, dr), max(0, dc) : side + min(0, dc)]
            heads.append(src.ravel())
            tails.append(dst.ravel())
    heads, tails = np.concatenate(heads), np.concatenate(tails)
    graph = Graph.from_arrays(heads, tails, np.ones(len(heads)))
    values = np.random.default_rng(0).poisson(5, side * side).astype(float)
    x, y = np.meshgrid(np.arange(side), np.arange(side))
    boxes = shapely.box(x.ravel(), y.ravel(), x.ravel() + 1, y.ravel() + 1)
    return (
        f"synthetic lattice {side * side:,}",
        graph,
        values,
        gpd.GeoDataFrame(geometry=boxes, crs=27700),
    )


def lsoa_case():
    """London LSOAs with real burglary counts (shipped test extract), queen contiguity."""
    import boundaries

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from _reference import values as reference_values

    lsoa = boundaries.load("lsoa")
    values = reference_values("lsoa_burglary")["value"].reindex(lsoa.index)
    lsoa = lsoa[values.notna().to_numpy()]
    graph = Graph.build_contiguity(lsoa, rook=False)
    return f"London LSOAs {len(lsoa):,}", graph, values.dropna().to_numpy(), lsoa


# ---------------------------------------------------------------------------
# the three libraries
# ---------------------------------------------------------------------------


def hotspots_runs(graph, y, permutations, repeat):
    csr = csr_from_graph(graph)
    rows, binary = csr.row_standardised(), csr.binary(self_weight=1.0)
    return (
        timings(lambda: local_moran_stat(y, rows, permutations=permutations, seed=SEED), repeat),
        timings(
            lambda: local_g_stat(y, binary, star=True, permutations=permutations, seed=SEED),
            repeat,
        ),
    )


def esda_compile() -> float:
    """Seconds spent by esda's first Moran_Local and G_Local calls (numba compilation)."""
    graph = Graph.from_arrays([0, 1, 1, 2, 2, 3], [1, 0, 2, 1, 3, 2], np.ones(6))
    y = np.array([1.0, 4.0, 2.0, 7.0])
    start = time.perf_counter()
    esda_runs(graph, y, 9, 1)
    return time.perf_counter() - start


def esda_runs(graph, y, permutations, repeat):
    from esda import G_Local, Moran_Local

    w = graph.to_W()
    w_star = graph.assign_self_weight(1.0).to_W()
    kwargs = {"permutations": permutations, "n_jobs": THREADS, "seed": SEED,
              "keep_simulations": False}  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return (
            timings(lambda: Moran_Local(y, w, transformation="r", **kwargs), repeat),
            timings(lambda: G_Local(y, w_star, transform="B", star=True, **kwargs), repeat),
        )


def pygeoda_weights(frame):
    """pygeoda queen weights built from the same polygons (read through a temporary shapefile)."""
    import pygeoda

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "areas.shp")
        frame[["geometry"]].reset_index(drop=True).to_file(path)
        data = pygeoda.open(path)
        return pygeoda.queen_weights(data)


def pygeoda_runs(weights, y, permutations, repeat):
    import pygeoda

    kwargs = {"permutations": permutations, "permutation_method": "lookup-table",
              "cpu_threads": THREADS, "seed": SEED}  # fmt: skip
    data = [float(v) for v in y]
    return (
        timings(lambda: pygeoda.local_moran(weights, data, **kwargs), repeat),
        timings(lambda: pygeoda.local_gstar(weights, data, **kwargs), repeat),
    )


# ---------------------------------------------------------------------------
# table
# ---------------------------------------------------------------------------


def cell(times: list[float]) -> str:
    return f"{min(times):.3f} / {statistics.median(times):.3f}"


def main(quick: bool = False) -> None:
    print(f"threads: {THREADS}; load average at start: {load()}")
    print(f"esda numba compilation (first Moran_Local + G_Local in this process, "
          f"excluded below): {esda_compile():.1f} s", flush=True)  # fmt: skip
    name, graph, y, lsoa = lsoa_case()
    cases = [(name, graph, y, lsoa, 999), (name, graph, y, lsoa, 9_999)]
    for size in [35_000] if quick else [35_000, 200_000]:
        label, g, values, boxes = synthetic_lattice(size)
        cases.append((label, g, values, boxes, 999))
    rows = []
    weights = {}
    for label, g, values, frame, permutations in cases:
        big = g.n > 100_000 or permutations > 1_000
        if label not in weights:
            start = time.perf_counter()
            weights[label] = pygeoda_weights(frame)
            print(f"{label}: mean neighbours libpysal {g.cardinalities.mean():.3f}, pygeoda "
                  f"{weights[label].mean_neighbors():.3f}; pygeoda read + weights "
                  f"{time.perf_counter() - start:.1f} s", flush=True)  # fmt: skip
        ours = hotspots_runs(g, values, permutations, 5)
        theirs = esda_runs(g, values, permutations, 2 if big else 3)
        geoda = pygeoda_runs(weights[label], values, permutations, 2 if big else 3)
        for k, stat in enumerate(("local Moran", "Gi*")):
            rows.append(
                f"| {label} | {permutations:,} | {stat} | {cell(ours[k])} | {cell(theirs[k])} "
                f"| {cell(geoda[k])} | {min(ours[k]) / min(theirs[k]):.3f} "
                f"| {min(ours[k]) / min(geoda[k]):.2f} |"
            )
            print(rows[-1], flush=True)
    print()
    print("| case | permutations | statistic | hotspots best / median (s) "
          "| esda best / median (s) | pygeoda lookup-table best / median (s) "
          "| hotspots / esda | hotspots / pygeoda |")  # fmt: skip
    print("|---|---:|---|---:|---:|---:|---:|---:|")
    print("\n".join(rows))
    print(f"\nload average at end: {load()}")


def adaptive_runs(graph, y, repeat):
    """The library's default: adaptive sequential permutations, FDR at 0.05 (as getis_ord)."""
    from hotspots.stats._inference import inference_plan, settler

    csr = csr_from_graph(graph)
    rows, binary = csr.row_standardised(), csr.binary(self_weight=1.0)
    m = int((csr.cardinalities > 0).sum())
    lisa_max, stop = inference_plan("adaptive", "permutation", m, 0.05, "fdr")
    gi_max, _ = inference_plan("adaptive", "permutation", m, 0.01, "fdr")  # as getis_ord
    used = {}

    def lisa():
        stat = local_moran_stat(y, rows, permutations=lisa_max, seed=SEED, stop=stop,
                                settle=settler("fdr", [0.05]))  # fmt: skip
        used["local Moran"] = stat.used().mean()

    def gi():
        stat = local_g_stat(y, binary, star=True, permutations=gi_max, seed=SEED, stop=stop,
                            settle=settler("fdr", [0.05, 0.01]))  # fmt: skip
        used["Gi*"] = stat.used().mean()

    return (timings(lisa, repeat), timings(gi, repeat)), used, (lisa_max, gi_max)


def adaptive_main() -> None:
    """Default (adaptive) inference vs esda at 999 permutations, side by side in one run."""
    print(f"threads: {THREADS}; load average at start: {load()}")
    print(f"esda numba compilation (excluded): {esda_compile():.1f} s", flush=True)
    name, graph, y, _ = lsoa_case()
    label, g, values, _ = synthetic_lattice(35_000)
    rows = []
    for case, gr, v in ((name, graph, y), (label, g, values)):
        ours, used, maxima = adaptive_runs(gr, v, 3)
        theirs = esda_runs(gr, v, 999, 3)
        for k, stat in enumerate(("local Moran", "Gi*")):
            rows.append(
                f"| {case} | {stat} | {cell(ours[k])} | {used[stat]:,.0f} (max {maxima[k]:,}) "
                f"| {cell(theirs[k])} | {min(ours[k]) / min(theirs[k]):.2f} | "
                f"{2 / (maxima[k] + 1):.1e} vs {2 / 1000:.1e} |"
            )
            print(rows[-1], flush=True)
    print()
    print(
        "| case | statistic | adaptive best / median (s) | mean permutations per area "
        "| esda 999 best / median (s) | adaptive / esda | smallest p: adaptive vs 999 |"
    )
    print("|---|---|---:|---:|---:|---:|---:|")
    print("\n".join(rows))
    print(f"\nload average at end: {load()}")


if __name__ == "__main__":
    if "--adaptive" in sys.argv:
        adaptive_main()
    else:
        main(quick="--quick" in sys.argv)
