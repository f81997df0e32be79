"""Compiled kernels of the Knox test: close pairs from a grid, and counts under permuted times.

Private. Random numbers come from the statistics engine's counter-based
generator (SplitMix64, :mod:`hotspots.stats._rng`) keyed on ``(seed, permutation)``, so
permutation ``p`` is the same shuffle whatever the number of threads or the
block of permutations it is computed in.
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from numpy.typing import NDArray

from hotspots.stats._permutation import default_threads
from hotspots.stats._rng import _below, _stream_state, compiled


@compiled
def _band_of(d: float, edges: NDArray[np.float64]) -> int:
    """1-based distance band of ``d > 0``: the first ``k`` with ``d <= edges[k-1]``; 0 if none."""
    for k in range(edges.shape[0]):
        if d <= edges[k]:
            return k + 1
    return 0


@compiled
def _grid_pairs(
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    order: NDArray[np.int64],
    keys: NDArray[np.int64],
    nx: int,
    cell_x: NDArray[np.int64],
    cell_y: NDArray[np.int64],
    edges: NDArray[np.float64],
    fill: bool,
    first: NDArray[np.int32],
    second: NDArray[np.int32],
    band: NDArray[np.int8],
) -> int:
    """Pairs of points at most ``edges[-1]`` apart, found cell by cell.

    ``order`` sorts the points by grid cell, ``keys`` are the sorted cell keys
    (``cy * nx + cx``). Each pair is visited once (the second point after the
    first in ``order``). With ``fill`` false only the number of pairs is
    returned; with ``fill`` true the pairs are written to ``first``,
    ``second`` (original positions) and ``band`` (0 = same location, ``k`` =
    distance band ``k``).
    """
    n = order.shape[0]
    dmax = edges[edges.shape[0] - 1]
    count = 0
    for s in range(n):
        i = order[s]
        cx, cy = cell_x[i], cell_y[i]
        for oy in range(-1, 2):
            for ox in range(-1, 2):
                qx, qy = cx + ox, cy + oy
                if qx < 0 or qy < 0 or qx >= nx:
                    continue
                key = qy * nx + qx
                lo = np.searchsorted(keys, key, side="left")
                hi = np.searchsorted(keys, key, side="right")
                if hi <= s:
                    continue
                for t in range(max(lo, s + 1), hi):
                    j = order[t]
                    dx = x[i] - x[j]
                    dy = y[i] - y[j]
                    d = math.sqrt(dx * dx + dy * dy)
                    if d > dmax:
                        continue
                    if fill:
                        first[count] = i
                        second[count] = j
                        band[count] = 0 if d == 0.0 else _band_of(d, edges)
                    count += 1
    return count


@compiled
def _count_block(
    times: NDArray[np.int64],
    first: NDArray[np.int32],
    second: NDArray[np.int32],
    band: NDArray[np.int8],
    lut: NDArray[np.int64],
    n_distance: int,
    seed: np.uint64,
    start: int,
    stop: int,
    out: NDArray[np.int64],
) -> None:
    """Counts per (distance band, time band) for permutations ``start..stop-1`` of ``times``.

    Permutation ``p`` is a full Fisher-Yates shuffle from stream ``p`` of
    ``seed``; ``out[p, b, t]`` is the number of close pairs in distance band
    ``b`` whose permuted times are ``t``-th time band apart (``lut`` maps a
    time difference to its band; differences beyond the table are its last entry).
    """
    n = times.shape[0]
    shuffled = np.empty(n, dtype=times.dtype)
    last = lut.shape[0] - 1
    for p in range(start, stop):
        state = _stream_state(seed, p)
        for j in range(n):
            shuffled[j] = times[j]
        for j in range(n - 1, 0, -1):
            state, r = _below(state, j + 1)
            tmp = shuffled[j]
            shuffled[j] = shuffled[r]
            shuffled[r] = tmp
        for e in range(first.shape[0]):
            dt = abs(shuffled[first[e]] - shuffled[second[e]])
            out[p, band[e], lut[min(dt, last)]] += 1


@compiled
def _count_observed(
    times: NDArray[np.int64],
    first: NDArray[np.int32],
    second: NDArray[np.int32],
    band: NDArray[np.int8],
    lut: NDArray[np.int64],
    n_distance: int,
    out: NDArray[np.int64],
) -> None:
    last = lut.shape[0] - 1
    for e in range(first.shape[0]):
        dt = abs(times[first[e]] - times[second[e]])
        out[band[e], lut[min(dt, last)]] += 1


def close_pairs(
    x: np.ndarray, y: np.ndarray, edges: np.ndarray
) -> tuple[NDArray[np.int32], NDArray[np.int32], NDArray[np.int8]]:
    """Every pair of points at most ``edges[-1]`` apart, with its distance band.

    Returns ``first``, ``second`` (int32 positions, ``first != second``, each
    unordered pair once) and ``band`` (int8: 0 for the same location, ``k``
    for ``edges[k-2] < d <= edges[k-1]``, with ``edges[-1]`` read as 0).
    """
    x = np.ascontiguousarray(x, dtype=np.float64)
    y = np.ascontiguousarray(y, dtype=np.float64)
    edges = np.ascontiguousarray(edges, dtype=np.float64)
    if len(x) < 2:
        return np.empty(0, np.int32), np.empty(0, np.int32), np.empty(0, np.int8)
    if len(x) >= 2**31:
        raise ValueError("too many events for the pair index (2**31)")
    size = float(edges[-1])
    cell_x = np.floor((x - x.min()) / size).astype(np.int64)
    cell_y = np.floor((y - y.min()) / size).astype(np.int64)
    nx = int(cell_x.max()) + 1
    keys_all = cell_y * nx + cell_x
    order = np.argsort(keys_all, kind="stable").astype(np.int64)
    keys = np.ascontiguousarray(keys_all[order])
    args = (x, y, order, keys, nx, cell_x, cell_y, edges)
    count = _grid_pairs(*args, False, np.empty(0, np.int32), np.empty(0, np.int32),
                        np.empty(0, np.int8))  # fmt: skip
    # 9 bytes a pair: a London year of burglary has about two million pairs within 500 m
    first = np.empty(count, dtype=np.int32)
    second = np.empty(count, dtype=np.int32)
    band = np.empty(count, dtype=np.int8)
    _grid_pairs(*args, True, first, second, band)
    return first, second, band


def band_counts(
    times: np.ndarray,
    first: np.ndarray,
    second: np.ndarray,
    band: np.ndarray,
    lut: np.ndarray,
    n_distance: int,
    n_time: int,
    *,
    permutations: int,
    seed: int,
    threads: int | None = None,
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Observed ``(n_distance, n_time)`` and simulated ``(permutations, ...)`` pair counts.

    The result does not depend on ``threads``: permutation ``p`` always uses
    stream ``p`` of ``seed``.
    """
    times = np.ascontiguousarray(times, dtype=np.int64)
    lut = np.ascontiguousarray(lut, dtype=np.int64)
    observed = np.zeros((n_distance, n_time), dtype=np.int64)
    _count_observed(times, first, second, band, lut, n_distance, observed)
    simulated = np.zeros((permutations, n_distance, n_time), dtype=np.int64)
    seed64 = np.uint64(int(seed) % 2**64)
    threads = threads or default_threads()

    def task(start: int, stop: int) -> None:
        _count_block(times, first, second, band, lut, n_distance, seed64, start, stop, simulated)

    size = max(1, math.ceil(permutations / (4 * threads)))
    blocks = [(s, min(s + size, permutations)) for s in range(0, permutations, size)]
    if threads == 1 or len(blocks) <= 1:
        for start, stop in blocks:
            task(start, stop)
    else:
        with ThreadPoolExecutor(max_workers=threads) as executor:
            for future in [executor.submit(task, s, e) for s, e in blocks]:
                future.result()
    return observed, simulated
