"""The compiled numba kernels of the permutation engine (private).

Compiled with ``cache=True`` and ``nogil=True`` and run on blocks of areas (or
permutations) from a thread pool; see :mod:`hotspots.stats._engine`.
"""

from __future__ import annotations

import numpy as np

from hotspots.stats._rng import _below, _draw, _stream_state, compiled

# ---------------------------------------------------------------------------
# kernels
# ---------------------------------------------------------------------------


# Rejection sampling (draw, redraw on a repeat) costs O(k^2) comparisons per
# neighbour set; above this cardinality the O(k) partial Fisher-Yates is used.
_REJECTION_MAX = 32


@compiled
def _observed(
    values: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    indptr: np.ndarray,
    indices: np.ndarray,
    weights: np.ndarray,
    start: int,
    stop: int,
    observed: np.ndarray,
) -> None:
    """Observed ``a[i, c] * sum_j w_ij values[j, c] + b[i, c]`` for areas ``start..stop-1``."""
    k = values.shape[1]
    for c in range(k):
        for i in range(start, stop):
            lag = 0.0
            for e in range(indptr[i], indptr[i + 1]):
                lag += weights[e] * values[indices[e], c]
            observed[i, c] = a[i, c] * lag + b[i, c]


# Areas of one column from which the draws' values are gathered into tables first
# (sequential reads for every area); fewer read the values where the draws point.
_GATHER_MIN = 4

# Permutations whose lags are computed before the stopping rule is checked: an area
# that stops early in a long batch skips the rest of it.
_CHUNK = 64


@compiled
def _shared_cells(
    values_t: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    indptr: np.ndarray,
    indices: np.ndarray,
    weights: np.ndarray,
    pool_t: np.ndarray,
    offset: int,
    cells_i: np.ndarray,
    cells_c: np.ndarray,
    segments: np.ndarray,
    observed: np.ndarray,
    tie: np.ndarray,
    n_ge: np.ndarray,
    n_le: np.ndarray,
    used: np.ndarray,
    stop: int,
    keep: bool,
    simulations: np.ndarray,
) -> None:
    """Conditional randomisation from the shared pool for the cells of ``segments``.

    ``values_t`` is ``(k, n)``, the values of a column in a row of their own: the
    draws of a column read one compact block (a whole space-time window's column
    stays in cache however many columns there are).

    ``segments`` is a ``(s, 2)`` array of ranges of ``cells_i`` / ``cells_c``
    (area, column), each range in one column. ``pool_t[j, p]`` is the ``j``-th
    draw of permutation ``offset + p`` among ``0..n-2``; for area ``i`` a draw
    ``d`` stands for position ``d + (d >= i)``. The permutations are taken
    ``_CHUNK`` at a time for all areas of a range: for a range of at least
    ``_GATHER_MIN`` areas the values at ``d`` and ``d + 1`` are first gathered into
    two small ``(width, _CHUNK)`` tables, which stay in cache while every area
    reads them in order (vectorised over permutations). Counts are added to
    ``n_ge`` / ``n_le`` and ``used`` records the permutations counted; with
    ``stop > 0`` an area stops at the permutation where its smaller tail count
    reaches ``stop`` (Besag & Clifford), so the result does not depend on how
    permutations are batched or chunked.
    """
    width, batch = pool_t.shape
    low = np.empty((width, _CHUNK))
    high = np.empty((width, _CHUNK))
    lag = np.empty(_CHUNK)
    for s in range(segments.shape[0]):
        first, last = segments[s, 0], segments[s, 1]
        size = last - first
        c = cells_c[first]
        ge = np.empty(size, dtype=np.int64)
        le = np.empty(size, dtype=np.int64)
        count = np.full(size, batch, dtype=np.int64)
        going = np.zeros(size, dtype=np.bool_)
        wide = 0
        running = 0
        for r in range(size):
            i = cells_i[first + r]
            ge[r] = n_ge[i, c]
            le[r] = n_le[i, c]
            card = indptr[i + 1] - indptr[i]
            if card > 0:
                going[r] = True
                running += 1
                wide = max(wide, card)
        gather = size >= _GATHER_MIN
        for p0 in range(0, batch, _CHUNK):
            if running == 0:
                break
            p1 = min(p0 + _CHUNK, batch)
            if gather:
                for j in range(wide):
                    for p in range(p0, p1):
                        d = pool_t[j, p]
                        low[j, p - p0] = values_t[c, d]
                        high[j, p - p0] = values_t[c, d + 1]
            for r in range(size):
                if not going[r]:
                    continue
                i = cells_i[first + r]
                lo = indptr[i]
                card = indptr[i + 1] - lo
                for q in range(p1 - p0):
                    lag[q] = 0.0
                for j in range(card):
                    w = weights[lo + j]
                    draws = pool_t[j]
                    if gather:
                        below, above = low[j], high[j]
                        for q in range(p1 - p0):
                            lag[q] += w * (above[q] if draws[p0 + q] >= i else below[q])
                    else:
                        for q in range(p1 - p0):
                            d = draws[p0 + q]
                            lag[q] += w * values_t[c, d + (d >= i)]
                a_i, b_i = a[i, c], b[i, c]
                low_end, high_end = observed[i, c] - tie[i, c], observed[i, c] + tie[i, c]
                g, e = ge[r], le[r]
                for q in range(p1 - p0):
                    sim = a_i * lag[q] + b_i
                    g += sim >= low_end
                    e += sim <= high_end
                    if keep:
                        simulations[i, c, offset + p0 + q] = sim
                    if stop > 0 and min(g, e) >= stop:
                        count[r] = p0 + q + 1
                        going[r] = False
                        running -= 1
                        break
                ge[r], le[r] = g, e
        for r in range(size):
            i = cells_i[first + r]
            if indptr[i + 1] == indptr[i]:
                continue
            n_ge[i, c] = ge[r]
            n_le[i, c] = le[r]
            used[i, c] = offset + count[r]


@compiled
def _independent_batch(
    values: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    indptr: np.ndarray,
    indices: np.ndarray,
    weights: np.ndarray,
    states: np.ndarray,
    drawn: np.ndarray,
    rows: np.ndarray,
    until: int,
    observed: np.ndarray,
    tie: np.ndarray,
    n_ge: np.ndarray,
    n_le: np.ndarray,
    used: np.ndarray,
    active: np.ndarray,
    stop: int,
    keep: bool,
    simulations: np.ndarray,
) -> None:
    """Conditional randomisation with fresh draws for every area of ``rows``.

    Area ``i`` continues its own stream (state ``states[i]``, ``drawn[i]``
    permutations so far) up to permutation ``until``: ``card`` distinct
    positions of ``0..n-2`` per permutation (rejection of repeats for small
    cardinalities, partial Fisher-Yates above ``_REJECTION_MAX``), each draw
    ``d`` standing for position ``d + (d >= i)``; one draw serves all columns
    still ``active``. With ``stop > 0`` a column stops at the permutation where
    its smaller tail count reaches ``stop``.
    """
    n, k = values.shape
    m = n - 1
    width = 0
    for r in range(len(rows)):
        i = rows[r]
        width = max(width, indptr[i + 1] - indptr[i])
    draw = np.empty(width, dtype=np.int64)
    swaps = np.empty(width, dtype=np.int64)
    scratch = np.arange(m) if width > _REJECTION_MAX else np.empty(0, dtype=np.int64)
    for r in range(len(rows)):
        i = rows[r]
        lo = indptr[i]
        card = indptr[i + 1] - lo
        if card == 0:
            continue
        state = states[i]
        p = drawn[i]
        while p < until:
            if card > _REJECTION_MAX:
                state = _draw(state, scratch, swaps, draw, card, m)
            else:
                j = 0
                while j < card:
                    state, d = _below(state, m)
                    repeat = False
                    for q in range(j):
                        if draw[q] == d:
                            repeat = True
                            break
                    if not repeat:
                        draw[j] = d
                        j += 1
            for j in range(card):
                draw[j] += np.int64(draw[j] >= i)
            still = 0
            for c in range(k):
                if not active[i, c]:
                    continue
                lag = 0.0
                for j in range(card):
                    lag += weights[lo + j] * values[draw[j], c]
                sim = a[i, c] * lag + b[i, c]
                n_ge[i, c] += sim >= observed[i, c] - tie[i, c]
                n_le[i, c] += sim <= observed[i, c] + tie[i, c]
                used[i, c] = p + 1
                if keep:
                    simulations[i, c, p] = sim
                if stop > 0 and min(n_ge[i, c], n_le[i, c]) >= stop:
                    active[i, c] = False
                else:
                    still += 1
            p += 1
            if still == 0:
                break
        states[i] = state
        drawn[i] = p


@compiled
def _cross_block(
    values: np.ndarray,
    indptr: np.ndarray,
    indices: np.ndarray,
    weights: np.ndarray,
    seed: np.uint64,
    start: int,
    stop: int,
    out: np.ndarray,
) -> None:
    """``sum_ij w_ij v_pi(i) v_pi(j)`` for random permutations ``pi`` number ``start..stop-1``.

    Permutation ``p`` is a full Fisher-Yates shuffle from stream ``p``;
    ``out[p, c]`` receives the cross-product of column ``c``.
    """
    n, k = values.shape
    perm = np.arange(n)
    acc = np.empty(k)
    lag = np.empty(k)
    for p in range(start, stop):
        state = _stream_state(seed, p)
        for j in range(n):
            perm[j] = j
        for j in range(n - 1, 0, -1):
            state, r = _below(state, j + 1)
            tmp = perm[j]
            perm[j] = perm[r]
            perm[r] = tmp
        acc[:] = 0.0
        for i in range(n):
            lag[:] = 0.0
            for e in range(indptr[i], indptr[i + 1]):
                w = weights[e]
                nb = perm[indices[e]]
                for c in range(k):
                    lag[c] += w * values[nb, c]
            vi = perm[i]
            for c in range(k):
                acc[c] += values[vi, c] * lag[c]
        for c in range(k):
            out[p, c] = acc[c]


@compiled
def _after_round(
    cells_i: np.ndarray,
    cells_c: np.ndarray,
    n_ge: np.ndarray,
    n_le: np.ndarray,
    used: np.ndarray,
    stop: int,
    quantiles: np.ndarray,
    quantiles_lo: np.ndarray,
    upper_t: np.ndarray,
    lower_t: np.ndarray,
    cand_t: np.ndarray,
    candidates: np.ndarray,
    limit: float,
) -> int:
    """Bookkeeping of the cells just processed; returns how many are still drawing.

    Each cell's upper and lower bounds of its two-sided p-value ``min(1, 2 q[M]
    / L)`` (``q`` the quantiles of :class:`hotspots.stats._inference.SettleTracker`,
    ``M`` the smaller tail count, ``L`` the permutations used) go to ``upper_t[c,
    i]`` and ``lower_t[c, i]``, and whether the upper one is at most ``limit``
    to ``cand_t`` (counted per column in ``candidates``); with no ``quantiles``
    (no settling) all are skipped. The cells whose ``M`` is below ``stop`` are
    moved, in order, to the front of ``cells_i`` / ``cells_c``.
    """
    kept = 0
    track = len(quantiles) > 0
    for r in range(len(cells_i)):
        i, c = cells_i[r], cells_c[r]
        m = min(n_ge[i, c], n_le[i, c])
        if track:
            u = min(1.0, 2.0 * quantiles[m] / used[i, c])
            upper_t[c, i] = u
            lower_t[c, i] = min(1.0, 2.0 * quantiles_lo[m] / used[i, c])
            now = u <= limit
            candidates[c] += np.int64(now) - np.int64(cand_t[c, i])
            cand_t[c, i] = now
        if m < stop:
            cells_i[kept] = i
            cells_c[kept] = c
            kept += 1
    return kept


@compiled
def _maybe_sure(
    cells_i: np.ndarray,
    cells_c: np.ndarray,
    upper_t: np.ndarray,
    bounds: np.ndarray,
    flags: np.ndarray,
) -> None:
    """Flag the columns with a cell whose bound is at most its column's ``bounds``."""
    for r in range(len(cells_i)):
        i, c = cells_i[r], cells_c[r]
        if upper_t[c, i] <= bounds[c]:
            flags[c] = True


@compiled
def _drop_cells(
    cells_i: np.ndarray,
    cells_c: np.ndarray,
    drop_t: np.ndarray,
) -> int:
    """Move the cells not flagged in ``drop_t[c, i]`` to the front; returns how many."""
    kept = 0
    for r in range(len(cells_i)):
        i, c = cells_i[r], cells_c[r]
        if not drop_t[c, i]:
            cells_i[kept] = i
            cells_c[kept] = c
            kept += 1
    return kept
