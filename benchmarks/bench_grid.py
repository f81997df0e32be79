"""A 250 m hexagon grid over London, end to end, against the same run on LSOAs.

points (shipped police.uk burglary sample, 3 months) -> counts per cell -> queen
weights -> Gi* (999 permutations) -> evaluation (train 2 months, test 1) -> map
(HTML written to a temporary file). Each stage is timed (wall and CPU seconds) in
a fresh process per layer (so neither pays the other's imports or compilation), the
grid built from scratch (it is cached only within a session).

Run: ``python benchmarks/bench_grid.py [--size 250]``
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _clock() -> tuple[float, float]:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return time.perf_counter(), usage.ru_utime + usage.ru_stime


def run(areas_name: str, size: float) -> dict[str, tuple[float, float]]:
    import boundaries
    import hotspots

    times: dict[str, tuple[float, float]] = {}
    start = _clock()

    def lap(name: str) -> None:
        nonlocal start
        now = _clock()
        times[name] = (now[0] - start[0], now[1] - start[1])
        start = now

    areas = boundaries.grid(size) if areas_name == "hex" else boundaries.load("lsoa")
    lap("areas")
    points = hotspots.read_police_uk(
        hotspots.sample_path("police-uk-burglary"), crime_types="burglary"
    )
    lap("read")
    cube = hotspots.aggregate_monthly(points, areas)
    lap("aggregate")
    graph = hotspots.spatial_weights(areas)
    lap("weights")
    train = cube.iloc[:, :2].sum(axis=1, min_count=2)
    gi = hotspots.getis_ord(areas.assign(count=train), "count", graph=graph, seed=1)
    lap("gi*")
    hot = gi["gi_label"].str.startswith("Hot spot").astype(bool)
    table = hotspots.evaluate_hotspots(areas, hot, cube.iloc[:, 2], before=train)
    lap("evaluate")
    with tempfile.TemporaryDirectory() as folder:
        hotspots.hotspot_map(gi).save(str(Path(folder) / "map.html"))
    lap("map")
    times["areas_count"] = (len(areas), table["pai"].iloc[0])
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=float, default=250.0)
    parser.add_argument("--one", choices=("lsoa", "hex"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run(args.one, args.size)))
        return
    results = {}
    for name in ("lsoa", "hex"):
        done = subprocess.run(
            [sys.executable, __file__, "--one", name, "--size", str(args.size)],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        results[name] = json.loads(done.stdout.strip().splitlines()[-1])
        n, pai = results[name].pop("areas_count")
        print(f"{name}: {n:,} areas; Gi* hot spots' PAI {pai:.2f}")
    print(f"{'stage':10s} {'LSOA wall/cpu s':>18s} {'hex wall/cpu s':>18s}")
    for stage in results["hex"]:
        cells = [f"{w:7.2f} / {c:7.2f}" for w, c in (results[k][stage] for k in ("lsoa", "hex"))]
        print(f"{stage:10s} {cells[0]:>18s} {cells[1]:>18s}")
    totals = {k: [sum(v[i] for v in r.values()) for i in (0, 1)] for k, r in results.items()}
    cells = [f"{w:7.2f} / {c:7.2f}" for w, c in (totals[k] for k in ("lsoa", "hex"))]
    print(f"{'total':10s} {cells[0]:>18s} {cells[1]:>18s}")


if __name__ == "__main__":
    main()
