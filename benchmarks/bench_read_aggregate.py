"""Read ~1 million police.uk rows and count them per LSOA and ward, against the obvious baseline.

The shipped sample months are copied (with fresh Crime IDs) into a temporary folder
until it holds about ``--rows`` rows. Each side runs in its own subprocess so that
peak memory (ru_maxrss) is measured separately; the two sides alternate ``--repeat``
times and the fastest run of each is compared, so that a busy machine slows both:

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

OURS = """
import time, resource, json, sys, boundaries, hotspots
t = time.perf_counter()
points = hotspots.read_police_uk(sys.argv[1])
counts = [hotspots.aggregate(points, boundaries.load(layer))["count"].sum()
          for layer in ("lsoa", "wards")]
print(json.dumps({"seconds": time.perf_counter() - t, "rows": len(points), "counted": counts,
                  "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

BASELINE = """
import time, resource, json, sys, pathlib, pandas as pd, geopandas as gpd, boundaries
t = time.perf_counter()
df = pd.concat([pd.read_csv(f) for f in sorted(pathlib.Path(sys.argv[1]).rglob("*-street.csv"))])
df = df.dropna(subset=["Longitude", "Latitude"])
pts = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df.Longitude, df.Latitude), crs=4326)
pts = pts.to_crs(27700)
counts = []
for layer in ("lsoa", "wards"):
    areas = boundaries.load(layer)
    joined = gpd.sjoin(pts, areas[["geometry"]], predicate="within")
    counts.append(int(joined.groupby("code").size().sum()))
print(json.dumps({"seconds": time.perf_counter() - t, "rows": len(pts), "counted": counts,
                  "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
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
        [sys.executable, "-c", code, str(folder)], check=True, capture_output=True, text=True
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
        print(
            f"{name:9s} {result['seconds']:7.2f} s (runs: {every})  "
            f"peak {max(r['maxrss_mb'] for r in runs[name]):6.0f} MB  "
            f"rows {result['rows']:,}  counted {result['counted']}"
        )
    print(f"speed-up: {best['baseline']['seconds'] / best['hotspots']['seconds']:.1f}x")


if __name__ == "__main__":
    main()
