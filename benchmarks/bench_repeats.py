"""The Knox test on a London year of burglary: 5 x 5 bands, 999 permutations.

Data: the shipped police.uk burglary sample (December 2024 to February 2025,
12,962 burglaries) replicated four times with the months shifted by 0, 3, 6
and 9, giving twelve months and 51,848 events (about a London year; the real
year has about 50,000). Replication is not real data: every map point is
repeated in each quarter, so the same-location counts are inflated, but the
number of events, the spatial pattern and therefore the number of close pairs
(which drives the cost) are realistic. Two time scales:

* months (police.uk): distance bands 100..500 m, time bands 0..4 months;
* days: each event gets a day drawn at random within its month (synthetic,
  seed 0), distance bands 100..500 m, time bands 14, 28, 42, 56, 70 days.

Reported: wall time (best of ``REPEAT`` runs; the machine may be shared),
with 1 and 2 threads, split into finding close pairs and permutations; peak
memory of the process (``ru_maxrss``) and the memory held by the pair arrays
and the simulated counts. Run from the repository root::

    python benchmarks/bench_repeats.py
"""

from __future__ import annotations

import os
import resource
import time

import numpy as np
import pandas as pd

import hotspots
from hotspots.repeats._kernels import close_pairs

PERMUTATIONS = 999
REPEAT = 1
DISTANCES = [100, 200, 300, 400, 500]
MONTHS = [0, 1, 2, 3, 4]
DAYS = [14, 28, 42, 56, 70]


def london_year() -> pd.DataFrame:
    quarter = hotspots.read_police_uk(
        hotspots.sample_path("police-uk-burglary"), crime_types="burglary"
    )
    copies = []
    for shift in (0, 3, 6, 9):
        copy = quarter.copy()
        copy["month"] = copy["month"] + shift
        copies.append(copy)
    year = pd.concat(copies, ignore_index=True)
    rng = np.random.default_rng(0)
    start = year["month"].dt.start_time
    days = rng.integers(0, year["month"].dt.days_in_month.to_numpy())
    year["date"] = start + pd.to_timedelta(days, unit="D")
    return year


def timed(func, repeat: int = REPEAT) -> tuple[float, float]:
    """Best wall time and the process CPU time of that run (seconds)."""
    best = (float("inf"), float("inf"))
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        func()
        run = (time.perf_counter() - start, time.process_time() - cpu)
        best = min(best, run)
    return best


def main() -> None:
    year = london_year()
    print(f"{len(year):,} events, {year['month'].min()} to {year['month'].max()}")
    x, y = year.geometry.x.to_numpy(), year.geometry.y.to_numpy()
    first, _, _ = close_pairs(x, y, np.asarray(DISTANCES, float))
    pairs = len(first)
    pair_mb = pairs * 9 / 1e6  # int32 + int32 + int8
    print(f"close pairs (<= {DISTANCES[-1]} m): {pairs:,} ({pair_mb:.0f} MB of pair arrays)")
    t_pairs, _ = timed(lambda: close_pairs(x, y, np.asarray(DISTANCES, float)))
    print(f"finding close pairs (grid): {t_pairs:.2f} s")
    print("| time | threads | wall (s) | CPU (s) |")
    print("|---|---:|---:|---:|")
    hotspots.near_repeat(
        year.iloc[:2000],
        time="month",
        distance_bands=DISTANCES,
        time_bands=MONTHS,
        permutations=9,
        seed=1,
    )  # fmt: skip  (compile / load the numba cache)
    for time_column, bands in (("month", MONTHS), ("date", DAYS)):

        def run(time_column=time_column, bands=bands):
            return hotspots.near_repeat(
                year, time=time_column, distance_bands=DISTANCES, time_bands=bands,
                permutations=PERMUTATIONS, seed=1,
            )  # fmt: skip

        for threads in ("2", "1"):
            os.environ["NUMBA_NUM_THREADS"] = threads
            wall, cpu = timed(run)
            print(f"| {time_column} | {threads} | {wall:.1f} | {cpu:.1f} |", flush=True)
    sim_mb = PERMUTATIONS * 7 * 6 * 8 / 1e6
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"simulated counts: {sim_mb:.1f} MB; peak resident memory of the process: {peak:.0f} MB")
    print(f"load average: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
