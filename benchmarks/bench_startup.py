"""Start-up costs, each in fresh processes: imports, first statistic vs pygeoda, demo, numba.

Run from the repository root::

    python benchmarks/bench_startup.py [--repeat 5] [--skip-demo]

Sections (every timing is a new Python process, wall clock including the
interpreter's start-up; CPU seconds of the child next to it):

1. ``import hotspots`` budget: the heavy modules it must not load (folium,
   numba, scipy.stats, libpysal, ...), and ``python -X importtime`` of the
   first statistic: the top offenders by cumulative import time.
2. First statistic in a new process (import, load wards, ``getis_ord`` with
   the default inference, then with 999 permutations as pygeoda; default
   queen graph) against pygeoda (open the GeoDataFrame, queen weights,
   ``local_gstar`` 999), interleaved (ours, pygeoda, ours, ...): medians and
   the median of the paired ratios with their range. Target (issue #21): 1.0.
3. ``hotspots demo`` with a warm numba cache and a cold one (an empty
   ``NUMBA_CACHE_DIR``, as on the first run after installing), interleaved.
   Target (issue #21): warm at most 2.5 s.
4. Numba compilation on a cold cache: seconds per kernel (inclusive of the
   kernels it calls and compiles first) for the first statistic, recorded with
   numba's compile events, and the number of specialisations of each kernel.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FIRST_STATISTIC = """
import boundaries, hotspots
wards = boundaries.load("wards")
wards["residents"] = boundaries.population("wards")
hotspots.getis_ord(wards, "residents", seed=1)
"""
# the same work as pygeoda's call: 999 permutations for every area
FIRST_STATISTIC_999 = FIRST_STATISTIC.replace("seed=1)", "seed=1, permutations=999)")
PYGEODA = """
import boundaries, pygeoda
wards = boundaries.load("wards")
wards["residents"] = boundaries.population("wards")
data = pygeoda.open(wards.reset_index())  # pygeoda needs a 0..n-1 index
w = pygeoda.queen_weights(data)
pygeoda.local_gstar(w, data["residents"], permutations=999, seed=1)
"""
HEAVY = ("folium", "numba", "scipy.stats", "libpysal", "sklearn", "esda", "matplotlib")
BUDGET = f"""
import sys, hotspots, boundaries
print(",".join(m for m in {HEAVY!r} if m in sys.modules))
"""
COMPILE_TIMES = """
import json, time
from numba.core import event
import boundaries, hotspots
stack, inclusive = [], {}
class Listener(event.Listener):
    def on_start(self, ev):
        stack.append((str(ev.data["dispatcher"].py_func.__qualname__), time.perf_counter()))
    def on_end(self, ev):
        name, start = stack.pop()
        inclusive[name] = inclusive.get(name, 0.0) + time.perf_counter() - start
wards = boundaries.load("wards")
wards["residents"] = boundaries.population("wards")
with event.install_listener("numba:compile", Listener()):
    start = time.perf_counter()
    hotspots.getis_ord(wards, "residents", seed=1)
    first = time.perf_counter() - start
    start = time.perf_counter()
    hotspots.local_moran(wards, "residents", seed=1)
    second = time.perf_counter() - start
from hotspots.stats import _engine
signatures = {name: len(f.signatures) for name, f in vars(_engine).items()
              if hasattr(f, "signatures")}
print(json.dumps({"compile": inclusive, "getis_ord": first, "then local_moran": second,
                  "signatures": signatures}))
"""
HOTSPOTS = str(Path(sys.executable).with_name("hotspots"))


def run(command: list[str], env: dict | None = None) -> tuple[float, float, str]:
    """Wall-clock and CPU seconds of one child process, and its stdout."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    out = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, out.stdout + out.stderr


def cold_env(cache: str) -> dict:
    return {**os.environ, "NUMBA_CACHE_DIR": cache}


def warm_env() -> dict:
    return {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}


def interleaved(name_a, make_a, name_b, make_b, repeat: int) -> None:
    """Run A, B, A, B ... ``repeat`` times; print medians and the paired ratio A / B."""
    a_wall, b_wall, a_cpu, b_cpu, ratios = [], [], [], [], []
    for _ in range(repeat):
        wa, ca, _ = make_a()
        wb, cb, _ = make_b()
        a_wall.append(wa), b_wall.append(wb), a_cpu.append(ca), b_cpu.append(cb)
        ratios.append(wa / wb)
    print(f"| {name_a} | {statistics.median(a_wall):.2f} | {statistics.median(a_cpu):.2f} "
          f"| {name_b} | {statistics.median(b_wall):.2f} | {statistics.median(b_cpu):.2f} "
          f"| {statistics.median(ratios):.2f} ({min(ratios):.2f}-{max(ratios):.2f}) "
          f"| {repeat} |")  # fmt: skip


def with_cache(command: list[str], cold: bool):
    def go():
        with tempfile.TemporaryDirectory() as cache:
            return run(command, cold_env(cache) if cold else warm_env())

    return go


def importtime_offenders(top: int = 15) -> None:
    _, _, err = run([sys.executable, "-X", "importtime", "-c", FIRST_STATISTIC], warm_env())
    rows = []
    for line in err.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if match:
            rows.append((int(match[2]) / 1e6, len(match[3]) // 2, match[4]))
    total = sum(seconds for seconds, depth, _ in rows if depth == 0)
    print(f"imports of the first statistic: {total:.2f} s (sum of top-level imports)")
    print("| module | cumulative s | depth |\n|---|---:|---:|")
    named = [r for r in rows if (r[1] <= 4 and "." not in r[2]) or r[2] in HEAVY]
    seen = set()
    for seconds, depth, module in sorted(named, reverse=True):
        if module not in seen:
            seen.add(module)
            print(f"| {module} | {seconds:.2f} | {depth} |")
        if len(seen) == top:
            break


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip-demo", action="store_true")
    args = parser.parse_args()
    python = [sys.executable, "-c"]
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")

    _, _, loaded = run([*python, BUDGET], warm_env())
    print(f"heavy modules after `import hotspots, boundaries`: {loaded.strip() or 'none'}")
    run([*python, FIRST_STATISTIC], warm_env())  # warm numba's cache
    importtime_offenders()

    print("\n| A | wall median s | CPU median s | B | wall median s | CPU median s "
          "| wall ratio A/B, median (min-max) | runs |")  # fmt: skip
    print("|---|---:|---:|---|---:|---:|---|---:|")
    interleaved("first statistic, warm", with_cache([*python, FIRST_STATISTIC], False),
                "pygeoda", with_cache([*python, PYGEODA], False), args.repeat)  # fmt: skip
    interleaved("first statistic, 999 permutations, warm",
                with_cache([*python, FIRST_STATISTIC_999], False),
                "pygeoda", with_cache([*python, PYGEODA], False), args.repeat)  # fmt: skip
    interleaved("first statistic, cold", with_cache([*python, FIRST_STATISTIC], True),
                "first statistic, warm", with_cache([*python, FIRST_STATISTIC], False),
                max(2, args.repeat // 2))  # fmt: skip
    if not args.skip_demo:
        with tempfile.TemporaryDirectory() as folder:
            demo = [HOTSPOTS, "demo", "--out", os.path.join(folder, "demo.html")]
            interleaved("`hotspots demo`, cold", with_cache(demo, True),
                        "`hotspots demo`, warm", with_cache(demo, False),
                        max(2, args.repeat // 2))  # fmt: skip

    with tempfile.TemporaryDirectory() as cache:
        _, _, out = run([*python, COMPILE_TIMES], cold_env(cache))
    result = json.loads(out.strip().splitlines()[-1])
    print(f"\ncold cache: getis_ord {result['getis_ord']:.2f} s, then local_moran "
          f"{result['then local_moran']:.2f} s")  # fmt: skip
    print("| kernel (compile, inclusive of callees) | seconds |\n|---|---:|")
    for name, seconds in sorted(result["compile"].items(), key=lambda kv: -kv[1]):
        print(f"| {name} | {seconds:.2f} |")
    print("specialisations per engine kernel:", result["signatures"])


if __name__ == "__main__":
    main()
