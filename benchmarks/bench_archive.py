"""Archive-scale ingest: police.uk CSVs -> counts per LSOA and month, against pandas + geopandas.

Data: the shipped real months (``sample_path("police-uk-burglary")``: Met and City of
London burglary, 2024-12 to 2025-02, 13,711 rows) replicated into a folder of police.uk
files until it holds about ``--rows`` rows. Copy ``k`` is shifted ``3k`` months later
(its ``Month`` values and file names) and gets fresh Crime IDs, so the archive spans
many months like the real one; coordinates are unchanged (police.uk's snapped map
points). ``--per-file K`` (default 20) puts K such copies of a month in one file, with
distinct ids, so that a Met file holds ~90,000 rows like a real all-crime month (the
shipped files are burglary only). The data are real rows replicated, not new incidents.

Each side runs once in its own subprocess, so that peak memory (ru_maxrss of that
child) is its own; wall and CPU seconds are reported.

- hotspots: ``count_police_uk(folder, boundaries.load("lsoa"), workers=W)``;
- baseline: ``pandas.read_csv`` per file + ``concat``, ``points_from_xy`` + ``to_crs``,
  ``geopandas.sjoin`` to LSOAs and ``groupby(["code", "Month"]).size()``.

With ``--dask``, the same count on a ``dask.distributed.LocalCluster`` (2 worker
processes) is compared with the local result: equal counts and load report.

With ``--cli``, the command line on the same folder instead:
``hotspots analyse FOLDER --workers W --stat all --permutations 99`` (wards), timed,
with the peak resident memory of the whole process tree (the CLI and its worker
processes, sampled from ``/proc`` every 0.2 s) and of its largest process.
``--cli-python`` runs it with another interpreter or ``PYTHONPATH`` (e.g. an older
checkout: ``--cli-path OLD_TREE``) to measure before and after a change.

Run: ``python benchmarks/bench_archive.py --rows 1000000 [--workers 1] [--skip-baseline]
[--dask] [--cli [--cli-path TREE]]``
(``--keep DIR`` builds into / reuses DIR).
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

OURS = """
import boundaries, hotspots
from hotspots import count_police_uk
start()
cube = count_police_uk(sys.argv[1], boundaries.load("lsoa"), workers=int(sys.argv[2]))
report = cube.attrs["report"]
print(json.dumps(measure(report.rows_read, int(cube.sum().sum()), cube.shape)))
"""

BASELINE = """
import pathlib, pandas as pd, geopandas as gpd, boundaries
start()
files = sorted(pathlib.Path(sys.argv[1]).rglob("*-street.csv"))
df = pd.concat([pd.read_csv(f) for f in files], ignore_index=True)
rows = len(df)
df = df.dropna(subset=["Longitude", "Latitude"])
pts = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df.Longitude, df.Latitude), crs=4326)
pts = pts.to_crs(27700)
joined = gpd.sjoin(pts, boundaries.load("lsoa")[["geometry"]], predicate="within")
counts = joined.groupby(["code", "Month"]).size().unstack(fill_value=0)
print(json.dumps(measure(rows, int(counts.to_numpy().sum()), counts.shape)))
"""

DASK = """
import boundaries, hotspots
from dask.distributed import Client, LocalCluster
from hotspots import count_police_uk
lsoa = boundaries.load("lsoa")
start()
local = count_police_uk(sys.argv[1], lsoa)
local_seconds = time.perf_counter() - t
with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                  dashboard_address=None) as cluster, Client(cluster) as client:
    start()
    on_dask = count_police_uk(sys.argv[1], lsoa, client=client)
    result = measure(on_dask.attrs["report"].rows_read, int(on_dask.sum().sum()), on_dask.shape)
same = on_dask.equals(local) and on_dask.attrs["report"] == local.attrs["report"]
print(json.dumps({**result, "local_seconds": local_seconds, "equal": bool(same)}))
"""

MEASURE = """
import json, resource, sys, time
def start():
    global t, cpu
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu, t = usage.ru_utime + usage.ru_stime, time.perf_counter()
def measure(rows, counted, shape):
    usage = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"seconds": time.perf_counter() - t,
            "cpu": usage.ru_utime + usage.ru_stime - cpu
                   + children.ru_utime + children.ru_stime,
            "rows": rows, "counted": counted, "shape": list(shape),
            "maxrss_mb": usage.ru_maxrss / 1024,
            "children_maxrss_mb": children.ru_maxrss / 1024}
"""


def _shift(month: str, by: int) -> str:
    year, mon = int(month[:4]), int(month[5:7])
    total = year * 12 + mon - 1 + by
    return f"{total // 12:04d}-{total % 12 + 1:02d}"


def build(folder: Path, rows: int, per_file: int = 1) -> int:
    """Replicate the shipped months into ``folder`` (shifted months, fresh ids).

    Each file holds ``per_file`` copies of a shipped month (each copy with its own ids),
    so that files are as large as real all-crime monthly files (~90k rows for the Met).
    """
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
            month = Path(name).name[:7]
            new = _shift(month, 3 * copy)
            header, *lines = text.splitlines()
            body = [
                f"{copy:04d}{k:02d}{line[6:]}" if line[:1] not in ("", ",") else line
                for k in range(per_file)
                for line in lines
            ]
            body = [line.replace(f",{month},", f",{new},", 1) for line in body]
            path = folder / new / Path(name).name.replace(month, new, 1)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("\n".join([header, *body]) + "\n", encoding="utf-8")
            total += len(body)
        copy += 1
    return total


def run(code: str, *args: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", MEASURE + code, *args], check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _tree_rss(root: int) -> tuple[int, int]:
    """Resident bytes of ``root`` and all its descendants (sum, largest), from ``/proc``."""
    import os

    parents, rss = {}, {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                parents[int(entry)] = int(handle.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/statm") as handle:
                rss[int(entry)] = int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):  # the process ended meanwhile
            continue
    tree, grew = {root}, True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= more
        grew = bool(more)
    sizes = [rss.get(pid, 0) for pid in tree]
    return sum(sizes), max(sizes, default=0)


def run_cli(folder: Path, workers: int, path: str | None) -> dict:
    """``hotspots analyse`` on ``folder``: wall seconds, peak memory of its process tree."""
    import os
    import time

    env = dict(os.environ)
    if path is not None:
        env["PYTHONPATH"] = path
    with tempfile.TemporaryDirectory() as out:
        argv = [sys.executable, "-m", "hotspots.cli", "analyse", str(folder), "--workers",
                str(workers), "--stat", "all", "--permutations", "99", "--seed", "1",
                "--quiet", "--out-summary", str(Path(out) / "summary.json")]  # fmt: skip
        start = time.perf_counter()
        child = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        peak_tree = peak_one = 0
        while child.poll() is None:
            tree, one = _tree_rss(child.pid)
            peak_tree, peak_one = max(peak_tree, tree), max(peak_one, one)
            time.sleep(0.2)
        seconds = time.perf_counter() - start
        _, stderr = child.communicate()
        if child.returncode != 0:
            raise SystemExit(f"hotspots analyse failed:\n{stderr.decode()[-2000:]}")
        summary = json.loads((Path(out) / "summary.json").read_text())
    usage = __import__("resource").getrusage(__import__("resource").RUSAGE_CHILDREN)
    return {
        "seconds": seconds,
        "cpu": usage.ru_utime + usage.ru_stime,
        "tree_mb": peak_tree / 2**20,
        "largest_mb": peak_one / 2**20,
        "counted": summary["load_report"]["counted"]["rows_kept"],
        "period": summary["period"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--per-file", type=int, default=20, help="copies of a month per file")
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument(
        "--dask", action="store_true", help="also on a LocalCluster (2 worker processes)"
    )
    parser.add_argument("--keep", type=Path, help="build into (or reuse) this folder")
    parser.add_argument(
        "--cli", action="store_true", help="time 'hotspots analyse FOLDER --workers W' instead"
    )
    parser.add_argument("--cli-path", help="with --cli: PYTHONPATH of the hotspots to run")
    args = parser.parse_args()
    print(f"{platform.processor() or platform.machine()}, {platform.python_version()}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        if args.keep and any(folder.rglob("*-street.csv")):
            print(f"reusing {folder}")
        else:
            folder.mkdir(parents=True, exist_ok=True)
            total = build(folder, args.rows, args.per_file)
            files = len(list(folder.rglob("*-street.csv")))
            print(f"{total:,} police.uk rows in {files:,} files in {folder}")
        if args.cli:
            cli = run_cli(folder, args.workers, args.cli_path)
            print(
                f"hotspots analyse --workers {args.workers} --stat all: {cli['seconds']:.1f} s, "
                f"CPU {cli['cpu']:.1f} s, peak {cli['tree_mb']:,.0f} MB (process tree), "
                f"{cli['largest_mb']:,.0f} MB (largest process); counted {cli['counted']:,} "
                f"incidents, {cli['period']}"
            )
            return
        ours = run(OURS, str(folder), str(args.workers))
        peak = max(ours["maxrss_mb"], ours["children_maxrss_mb"])
        print(
            f"hotspots (workers={args.workers}): {ours['seconds']:.1f} s, CPU {ours['cpu']:.1f} s, "
            f"peak {peak:.0f} MB (largest process), rows {ours['rows']:,}, "
            f"counted {ours['counted']:,}, cube {ours['shape']}"
        )
        if args.dask:
            on_dask = run(DASK, str(folder))
            print(
                f"dask LocalCluster(2 processes): {on_dask['seconds']:.1f} s "
                f"(local, one process: {on_dask['local_seconds']:.1f} s), "
                f"counted {on_dask['counted']:,}; equal to the local result (counts and "
                f"load report): {on_dask['equal']}"
            )
        if args.skip_baseline:
            return
        base = run(BASELINE, str(folder))
        print(
            f"baseline: {base['seconds']:.1f} s, CPU {base['cpu']:.1f} s, "
            f"peak {base['maxrss_mb']:.0f} MB, rows {base['rows']:,}, "
            f"counted {base['counted']:,}, table {base['shape']}"
        )
        print(
            f"speed-up {base['seconds'] / ours['seconds']:.2f}x wall, "
            f"{base['cpu'] / ours['cpu']:.2f}x CPU; memory {base['maxrss_mb'] / peak:.2f}x"
        )


if __name__ == "__main__":
    main()
