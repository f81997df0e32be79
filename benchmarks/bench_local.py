"""Local Moran and Gi* timings: hotspots' engine side by side with esda and pygeoda, in one run.

Run from the repository root: ``python benchmarks/bench_local.py [--quick]``.

Cases: London LSOAs (4,994 real polygons, real burglary counts from the shipped
reference extract), and SYNTHETIC square queen lattices of 35,000 and 200,000
cells with synthetic Poisson values. Every library gets the same graph and
values, warm (compiled) timings, best of ``REPEAT`` runs; ratios are
hotspots / other. The first call in a fresh process (imports + cached compiled
code + one LISA on the LSOAs) is measured in a subprocess.
"""

from __future__ import annotations

import subprocess
import sys
import time
import warnings

import numpy as np
from libpysal.graph import Graph

from hotspots._engine import csr_from_graph, default_threads, local_g_stat, local_moran_stat

REPEAT = 2
THREADS = default_threads()


def best(function, repeat=REPEAT):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def synthetic_lattice(n_cells: int):
    """SYNTHETIC queen lattice (side x side squares) as boxes and a Graph."""
    side = round(n_cells**0.5)
    ids = np.arange(side * side).reshape(side, side)
    heads, tails = [], []
    for dr in (-1, 0, 1):
        for dc in (-1, 0, 1):
            if dr == dc == 0:
                continue
            rows = slice(max(0, -dr), side - max(0, dr))
            cols = slice(max(0, -dc), side - max(0, dc))
            src = ids[rows, cols]
            dst = ids[max(0, dr) : side + min(0, dr), max(0, dc) : side + min(0, dc)]
            heads.append(src.ravel())
            tails.append(dst.ravel())
    heads, tails = np.concatenate(heads), np.concatenate(tails)
    graph = Graph.from_arrays(heads, tails, np.ones(len(heads)))
    values = np.random.default_rng(0).poisson(5, side * side).astype(float)
    return f"synthetic lattice {side * side:,}", graph, values, side


def lsoa_case():
    import boundaries

    sys.path.insert(0, "tests")
    from _reference import values as reference_values

    lsoa = boundaries.load("lsoa")
    values = reference_values("lsoa_burglary")["value"].reindex(lsoa.index)
    lsoa = lsoa[values.notna().to_numpy()]
    graph = Graph.build_contiguity(lsoa, rook=False)
    return "London LSOAs 4,988", graph, values.dropna().to_numpy(), lsoa


def ours(graph, y, permutations):
    csr = csr_from_graph(graph)
    w, b = csr.row_standardised(), csr.binary(self_weight=1.0)
    return (
        best(lambda: local_moran_stat(y, w, permutations=permutations, seed=1)),
        best(lambda: local_g_stat(y, b, star=True, permutations=permutations, seed=1)),
    )


def esda_times(graph, y, permutations):
    from esda import G_Local, Moran_Local

    w = graph.to_W()
    wstar = graph.assign_self_weight(1.0).to_W()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kwargs = {"permutations": permutations, "n_jobs": THREADS, "seed": 1}
        Moran_Local(y, w, permutations=9, n_jobs=THREADS)  # warm the numba compilation
        G_Local(y, wstar, transform="B", star=True, permutations=9, n_jobs=THREADS)
        return (
            best(lambda: Moran_Local(y, w, keep_simulations=False, **kwargs), repeat=1),
            best(
                lambda: G_Local(
                    y, wstar, transform="B", star=True, keep_simulations=False, **kwargs
                ),
                repeat=1,
            ),
        )


def pygeoda_times(frame, y, permutations):
    import pygeoda

    gda = pygeoda.open(frame)
    w = pygeoda.queen_weights(gda)
    kwargs = {"permutations": permutations, "permutation_method": "lookup-table",
              "cpu_threads": THREADS, "seed": 1}  # fmt: skip
    data = list(map(float, y))
    return (
        best(lambda: pygeoda.local_moran(w, data, **kwargs), repeat=1),
        best(lambda: pygeoda.local_gstar(w, data, **kwargs), repeat=1),
    )


def lattice_frame(side):
    import geopandas as gpd
    import shapely

    x, y = np.meshgrid(np.arange(side), np.arange(side))
    boxes = shapely.box(x.ravel(), y.ravel(), x.ravel() + 1, y.ravel() + 1)
    return gpd.GeoDataFrame(geometry=boxes)


def first_call() -> float:
    code = (
        "import time; t = time.perf_counter();"
        "import boundaries, hotspots, sys; sys.path.insert(0, 'tests');"
        "from _reference import values;"
        "l = boundaries.load('lsoa'); l['v'] = values('lsoa_burglary')['value'].reindex(l.index);"
        "hotspots.local_moran(l, 'v', seed=1); hotspots.getis_ord(l, 'v', seed=1);"
        "print(time.perf_counter() - t)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main(quick: bool = False) -> None:
    print(f"threads: {THREADS}")
    print(f"first call in a fresh process (imports, LSOA layer, local_moran + getis_ord, "
          f"999 permutations): {first_call():.2f} s")  # fmt: skip
    name, graph, y, lsoa = lsoa_case()
    cases = [(name, graph, y, lsoa, 999), (name, graph, y, lsoa, 9999)]
    sizes = [35_000] if quick else [35_000, 200_000]
    for size in sizes:
        label, g, values, side = synthetic_lattice(size)
        cases.append((label, g, values, side, 999))
    header = ("| case | permutations | statistic | hotspots (s) | esda (s) | pygeoda (s) "
              "| hotspots/esda | hotspots/pygeoda |")  # fmt: skip
    print(header)
    print("|" + "---|" * 8)
    for label, g, values, frame, permutations in cases:
        mine = ours(g, values, permutations)
        theirs = esda_times(g, values, permutations)
        if isinstance(frame, int):
            frame = lattice_frame(frame) if frame * frame <= 40_000 else None
        geoda = pygeoda_times(frame, values, permutations) if frame is not None else (None, None)
        for k, stat in enumerate(("local Moran", "Gi*")):
            g_text = f"{geoda[k]:.3f}" if geoda[k] else "-"
            g_ratio = f"{mine[k] / geoda[k]:.2f}" if geoda[k] else "-"
            print(f"| {label} | {permutations:,} | {stat} | {mine[k]:.3f} | {theirs[k]:.3f} "
                  f"| {g_text} | {mine[k] / theirs[k]:.2f} | {g_ratio} |", flush=True)  # fmt: skip


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
