"""The map part of ``hotspots demo``: ``write_map`` of the demo analysis, in fresh processes.

Run from the repository root: ``python benchmarks/bench_write_map.py [--repeat N]``.

The demo analysis (shipped sample ``mps-ward-crime``, possession of weapons,
last 12 months, 680 wards, Moran's I, LISA and Gi*, adaptive permutations) is
computed once and pickled; then each run is a new Python process that loads
it and times :func:`hotspots.cli._outputs.write_map` alone, so the CPU seconds
include what the map imports on first use (folium, jinja2, branca, pyproj's
first transformer), as in ``hotspots demo``. The best and the median CPU
seconds (``time.process_time``) of the runs are printed: on a shared machine
the wall clock grows with the load, CPU time much less.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PREPARE = """
import pickle, sys
from hotspots.cli._main import DEFAULT_SEED, DEFAULT_STATISTICS, PeriodChoice, arguments
from hotspots.cli._pipeline import AnalysisSpec, run_analysis
from hotspots.cli._progress import Progress
spec = AnalysisSpec(
    inputs=("sample:mps-ward-crime",), level="wards", crime_types=("Possession of Weapons",),
    period=PeriodChoice(latest=12), column="rate", statistics=DEFAULT_STATISTICS,
    weights="queen", permutations=arguments.permutations("adaptive"),
    inference="permutation", seed=DEFAULT_SEED, alpha=0.05, correction="fdr",
)
with open(sys.argv[1], "wb") as file:
    pickle.dump(run_analysis(spec, Progress(enabled=False)), file)
"""

TIME = """
import pickle, sys, time
with open(sys.argv[1], "rb") as file:
    analysis = pickle.load(file)
from hotspots.cli._outputs import write_map
start = time.process_time()
write_map(analysis, sys.argv[2], title="Possession of weapons in London, by ward")
print(time.process_time() - start)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryDirectory() as folder:
        analysis = os.path.join(folder, "analysis.pkl")
        subprocess.run([sys.executable, "-c", PREPARE, analysis], env=env, check=True)
        seconds = [
            float(
                subprocess.run(
                    [sys.executable, "-c", TIME, analysis, os.path.join(folder, "map.html")],
                    env=env,
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout
            )
            for _ in range(args.repeat)
        ]
    print(
        f"write_map of the demo analysis, {args.repeat} fresh processes: "
        f"best {min(seconds):.3f} s CPU, median {statistics.median(seconds):.3f} s CPU"
    )


if __name__ == "__main__":
    main()
