"""The first statistic in a fresh process, and ``hotspots demo`` end to end.

Run from the repository root: ``python benchmarks/bench_first_call.py [--repeat N]``.

Every measurement is a new Python process (wall clock from just before the
process starts until it exits, so interpreter start-up is included), with the
compiled kernels either

* warm: numba's cache already holds them (every run after the first one on a
  machine), or
* cold: ``NUMBA_CACHE_DIR`` points at an empty directory, as on the first run
  after installing the package, so the kernels are compiled (and cached).

"first statistic" is exactly::

    import boundaries, hotspots
    wards = boundaries.load("wards")                        # 680 wards, shipped layer
    wards["residents"] = boundaries.population("wards")     # shipped census counts
    hotspots.getis_ord(wards, "residents", seed=1)          # queen graph, 999 permutations

"imports" is the ``import`` line plus the modules ``getis_ord`` loads on first
use. CPU seconds (user + system of the child) are printed next to the wall
clock: on a shared machine the wall clock grows with the load, CPU time much
less.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

IMPORTS = "import boundaries, hotspots, hotspots.stats._local, hotspots.weights._build"
FIRST_STATISTIC = """
import boundaries, hotspots
wards = boundaries.load("wards")
wards["residents"] = boundaries.population("wards")
hotspots.getis_ord(wards, "residents", seed=1)
"""
HOTSPOTS = str(Path(sys.executable).with_name("hotspots"))


def run(command: list[str], env: dict) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, env=env, check=True, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def measure(name: str, command: list[str], repeat: int, cold: bool) -> str:
    walls, cpus = [], []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as cache:
            env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
            if cold:
                env["NUMBA_CACHE_DIR"] = cache
            wall, cpu = run(command, env)
        walls.append(wall)
        cpus.append(cpu)
    return (
        f"| {name} | {'cold (compiles)' if cold else 'warm'} | {min(walls):.2f} "
        f"| {statistics.median(walls):.2f} | {min(cpus):.2f} | {statistics.median(cpus):.2f} "
        f"| {repeat} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    repeat = parser.parse_args().repeat
    python = [sys.executable, "-c"]
    with tempfile.TemporaryDirectory() as folder:
        demo = [HOTSPOTS, "demo", "--out", os.path.join(folder, "demo.html")]
        run([*python, FIRST_STATISTIC], dict(os.environ))  # make sure the warm cache exists
        load = os.getloadavg()[0]
        rows = [
            measure("imports", [*python, IMPORTS], repeat, cold=False),
            measure("first statistic", [*python, FIRST_STATISTIC], repeat, cold=False),
            measure("first statistic", [*python, FIRST_STATISTIC], max(2, repeat // 2), True),
            measure("`hotspots demo`", demo, max(2, repeat // 2), cold=False),
            measure("`hotspots demo`", demo, 2, cold=True),
        ]
    print(f"load average before: {load:.2f}, after: {os.getloadavg()[0]:.2f} "
          f"({os.cpu_count()} CPUs)")  # fmt: skip
    print("| measurement | compiled kernels | wall best (s) | wall median (s) | CPU best (s) "
          "| CPU median (s) | runs |")  # fmt: skip
    print("|---|---|---:|---:|---:|---:|---:|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
