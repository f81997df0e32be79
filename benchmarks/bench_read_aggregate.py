"""Read ~1 million police.uk rows and count them per LSOA and ward, against the obvious baseline.

The shipped sample months are copied (with fresh Crime IDs) into a temporary folder
until it holds about ``--rows`` rows. Each side runs in its own subprocess so that
peak memory (ru_maxrss) is measured separately; the two sides alternate ``--repeat``
times and the fastest run of each is compared, so that a busy machine slows both.
CPU seconds (user + system) are reported too: on a machine shared with other work
they vary less than wall-clock seconds.

- hotspots: ``read_police_uk(folder)`` then ``aggregate`` to ``lsoa`` and ``wards``;
- baseline: ``pandas.read_csv`` per file + ``concat``, ``points_from_xy`` + ``to_crs``,
  ``geopandas.sjoin`` to each layer and ``groupby().size()``.

Run: ``python benchmarks/bench_read_aggregate.py [--rows 1000000] [--repeat 3]``
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

OURS = (
    """
import time, resource, json, sys, boundaries, hotspots
hotspots.read_police_uk, hotspots.aggregate  # import the modules before timing
usage = resource.getrusage(resource.RUSAGE_SELF)
cpu, t = usage.ru_utime + usage.ru_stime, time.perf_counter()
points = hotspots.read_police_uk(sys.argv[1])
counts = [hotspots.aggregate(points, boundaries.load(layer))["count"].sum()
          for layer in ("lsoa", "wards")]
"""
    + "print(json.dumps(measure(len(points), counts)))"
)

BASELINE = (
    """
import time, resource, json, sys, pathlib, pandas as pd, geopandas as gpd, boundaries
usage = resource.getrusage(resource.RUSAGE_SELF)
cpu, t = usage.ru_utime + usage.ru_stime, time.perf_counter()
df = pd.concat([pd.read_csv(f) for f in sorted(pathlib.Path(sys.argv[1]).rglob("*-street.csv"))])
df = df.dropna(subset=["Longitude", "Latitude"])
pts = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df.Longitude, df.Latitude), crs=4326)
pts = pts.to_crs(27700)
counts = []
for layer in ("lsoa", "wards"):
    areas = boundaries.load(layer)
    joined = gpd.sjoin(pts, areas[["geometry"]], predicate="within")
    counts.append(int(joined.groupby("code").size().sum()))
"""
    + "print(json.dumps(measure(len(pts), counts)))"
)

# Defined in both scripts (before their code): wall and CPU seconds since t, cpu; peak memory.
MEASURE = """
def measure(rows, counts):
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"seconds": time.perf_counter() - t, "cpu": usage.ru_utime + usage.ru_stime - cpu,
            "rows": rows, "counted": counts, "maxrss_mb": usage.ru_maxrss / 1024}
"""


def build(folder: Path, rows: int) -> int:
    """Copy the shipped months into ``folder`` until it holds about ``rows`` rows."""
    import hotspots

    with zipfile.ZipFile(hotspots.sample_path("police-uk-burglary")) as archive:
        members = {
            n: archive.read(n).decode("utf-8")
            for n in archive.namelist()
            if n.endswith("-street.csv")
        }
    total, copy = 0, 0
    while total < rows:
        for name, text in members.items():
            header, *lines = text.splitlines()
            # fresh ids so that copies are not duplicates of each other
            body = [
                f"{copy:04d}{line[4:]}" if line[:1] not in ("", ",") else line for line in lines
            ]
            path = folder / f"copy{copy:03d}" / Path(name).name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("\n".join([header, *body]) + "\n", encoding="utf-8")
            total += len(lines)
        copy += 1
    return total


def run(code: str, folder: Path) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", MEASURE + code, str(folder)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    runs: dict[str, list[dict]] = {"hotspots": [], "baseline": []}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        total = build(folder, args.rows)
        print(f"{total:,} police.uk rows in {folder}")
        for _ in range(args.repeat):
            runs["hotspots"].append(run(OURS, folder))
            runs["baseline"].append(run(BASELINE, folder))
    best = {name: min(results, key=lambda r: r["seconds"]) for name, results in runs.items()}
    for name, result in best.items():
        every = ", ".join(f"{r['seconds']:.2f}" for r in runs[name])
        cpu = min(r["cpu"] for r in runs[name])
        print(
            f"{name:9s} {result['seconds']:7.2f} s (runs: {every}; CPU {cpu:.2f} s)  "
            f"peak {max(r['maxrss_mb'] for r in runs[name]):6.0f} MB  "
            f"rows {result['rows']:,}  counted {result['counted']}"
        )
    cpu = {name: min(r["cpu"] for r in results) for name, results in runs.items()}
    print(
        f"speed-up: {best['baseline']['seconds'] / best['hotspots']['seconds']:.1f}x wall-clock, "
        f"{cpu['baseline'] / cpu['hotspots']:.1f}x CPU time"
    )


if __name__ == "__main__":
    main()
