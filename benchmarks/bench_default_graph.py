"""``graph=None`` twice on the same areas: contiguity built once (issue #21).

Run from the repository root: ``python benchmarks/bench_default_graph.py``.

Times ``local_moran`` then ``getis_ord`` on the 2021 LSOAs (shipped layer,
SYNTHETIC Poisson(5) values) with ``graph=None``, then the parts: building
queen contiguity, the cache lookup (the same geometry objects as a recent
call, or else a hash of the geometries' WKB, index and CRS), and the two
statistics with the graph passed explicitly. Before the cache, the pair cost
two contiguity builds. Target (issue #21): ``graph=None`` no more than 1.1x
the prebuilt graph.
"""

from __future__ import annotations

import time

import numpy as np

import boundaries
import hotspots
from hotspots.weights import _build


def best(function, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    areas = boundaries.load("lsoa")
    areas["count"] = np.random.default_rng(21).poisson(5, len(areas)).astype(float)
    graph = hotspots.spatial_weights(areas)
    hotspots.local_moran(areas, "count", graph=graph, permutations=99, seed=1)  # warm numba
    build = best(lambda: hotspots.spatial_weights(areas))
    _build._cached_build.cache_clear()
    cold = best(lambda: _build._cached_build.cache_clear() or _build.default_links(areas))
    _build.default_links(areas)
    lookup = best(lambda: _build.default_links(areas))
    hashed = best(lambda: _build._RECENT.clear() or _build.default_links(areas))
    explicit = best(
        lambda: (
            hotspots.local_moran(areas, "count", graph=graph, permutations=99, seed=1),
            hotspots.getis_ord(areas, "count", graph=graph, permutations=99, seed=1),
        )
    )
    implicit = best(
        lambda: (
            hotspots.local_moran(areas, "count", permutations=99, seed=1),
            hotspots.getis_ord(areas, "count", permutations=99, seed=1),
        )
    )
    print(f"{len(areas)} LSOAs")
    print(f"queen contiguity (spatial_weights)        {build:7.3f} s")
    print(f"default graph, cache miss                 {cold:7.3f} s")
    print(f"default graph, cache hit (same objects)   {lookup:7.3f} s")
    print(f"default graph, cache hit (hashing WKB)    {hashed:7.3f} s")
    print(f"local_moran + getis_ord, graph given      {explicit:7.3f} s")
    print(f"local_moran + getis_ord, graph=None       {implicit:7.3f} s (cached)")
    print(f"  ratio graph=None / graph given          {implicit / explicit:7.2f}")
    print(f"  without the cache this was about        {explicit + 2 * build:7.3f} s")


if __name__ == "__main__":
    main()
