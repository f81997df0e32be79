"""Time ``read_met_crime`` on the shipped ward table, optionally against an earlier version.

With ``--against REF`` (a git commit or branch) the reader of that commit
(``hotspots/io/_met.py``) is loaded beside the current one; the two must return
the same frame, attrs and load report (``pandas.testing.assert_frame_equal``,
exact), and are timed alternately so that a busy machine slows both. The
fastest of ``--repeat`` runs of each is reported, in wall and CPU seconds.

Run: ``python benchmarks/bench_read_met.py [--repeat 5] [--against main]``
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from types import ModuleType

import pandas as pd

import hotspots
from hotspots.io import _met

ROOT = Path(__file__).resolve().parents[1]


def _old_reader(ref: str, folder: Path) -> ModuleType:
    text = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{ref}:hotspots/io/_met.py"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    path = folder / "_met_old.py"
    path.write_text(text)
    spec = importlib.util.spec_from_file_location("hotspots.io._met_old", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _time(module: ModuleType, path: Path) -> tuple[float, float, pd.DataFrame]:
    cpu, wall = time.process_time(), time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = module.read_met_crime(path)
    return time.perf_counter() - wall, time.process_time() - cpu, table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--against", help="git commit or branch whose reader to compare")
    args = parser.parse_args()
    path = hotspots.sample_path("mps-ward-crime")
    with tempfile.TemporaryDirectory() as folder:
        sides = {"current": _met}
        if args.against:
            sides[args.against] = _old_reader(args.against, Path(folder))
        best: dict[str, tuple[float, float]] = {}
        tables: dict[str, pd.DataFrame] = {}
        for name, module in sides.items():  # warm: imports, boundaries cache
            tables[name] = _time(module, path)[2]
        for _ in range(args.repeat):
            for name, module in sides.items():
                wall, cpu, _ = _time(module, path)
                old = best.get(name, (float("inf"), float("inf")))
                best[name] = (min(old[0], wall), min(old[1], cpu))
    if args.against:
        ours, theirs = tables["current"], tables[args.against]
        pd.testing.assert_frame_equal(ours, theirs, check_exact=True)
        assert ours.attrs == theirs.attrs, "attrs (report, provenance) differ"
        print("same frame, attrs and load report")
    for name, (wall, cpu) in best.items():
        print(f"{name:>12}: {wall:.3f} s wall, {cpu:.3f} s CPU (best of {args.repeat})")


if __name__ == "__main__":
    sys.exit(main())
