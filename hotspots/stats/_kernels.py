"""The compiled numba kernels of the permutation engine (private).

Compiled with ``cache=True`` and ``nogil=True`` and run on blocks of areas (or
permutations) from a thread pool; see :mod:`hotspots.stats._engine`.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from hotspots.stats._rng import _below, _draw, _stream_state

# ---------------------------------------------------------------------------
# kernels
# ---------------------------------------------------------------------------


# Rejection sampling (draw, redraw on a repeat) costs O(k^2) comparisons per
# neighbour set; above this cardinality the O(k) partial Fisher-Yates is used.
_REJECTION_MAX = 32


@njit(cache=True, nogil=True)
def _observed(values, a, b, indptr, indices, weights, start, stop, observed):
    """Observed ``a[i, c] * sum_j w_ij values[j, c] + b[i, c]`` for areas ``start..stop-1``."""
    k = values.shape[1]
    for c in range(k):
        for i in range(start, stop):
            lag = 0.0
            for e in range(indptr[i], indptr[i + 1]):
                lag += weights[e] * values[indices[e], c]
            observed[i, c] = a[i, c] * lag + b[i, c]


@njit(cache=True, nogil=True)
def _shared_batch(
    values, a, b, indptr, indices, weights, pool_t, offset, rows, c, observed, tie, n_ge, n_le,
    used, stop, keep, simulations,
):  # fmt: skip
    """Conditional randomisation from the shared pool: column ``c``, areas ``rows``.

    ``pool_t[j, p]`` is the ``j``-th draw of permutation ``offset + p`` among
    ``0..n-2``; for area ``i`` a draw ``d`` stands for position ``d + (d >= i)``.
    The values at ``d`` and ``d + 1`` are gathered once into two ``(width,
    batch)`` tables, so the loop over areas reads memory in order and is
    vectorised over permutations. Counts are added to ``n_ge`` / ``n_le`` and
    ``used`` records the permutations counted; with ``stop > 0`` an area stops
    at the permutation where its smaller tail count reaches ``stop`` (Besag &
    Clifford), so the result does not depend on how permutations are batched.
    """
    width, batch = pool_t.shape
    low = np.empty((width, batch))
    high = np.empty((width, batch))
    lag = np.empty(batch)
    for j in range(width):
        for p in range(batch):
            d = pool_t[j, p]
            low[j, p] = values[d, c]
            high[j, p] = values[d + 1, c]
    for r in range(len(rows)):
        i = rows[r]
        lo = indptr[i]
        card = indptr[i + 1] - lo
        if card == 0:
            continue
        lag[:] = 0.0
        for j in range(card):
            w = weights[lo + j]
            draws, below, above = pool_t[j], low[j], high[j]
            for p in range(batch):
                lag[p] += w * (above[p] if draws[p] >= i else below[p])
        a_i, b_i = a[i, c], b[i, c]
        low_end, high_end = observed[i, c] - tie[i, c], observed[i, c] + tie[i, c]
        ge = n_ge[i, c]
        le = n_le[i, c]
        count = batch
        for p in range(batch):
            sim = a_i * lag[p] + b_i
            ge += sim >= low_end
            le += sim <= high_end
            if keep:
                simulations[i, c, offset + p] = sim
            if stop > 0 and min(ge, le) >= stop:
                count = p + 1
                break
        n_ge[i, c] = ge
        n_le[i, c] = le
        used[i, c] = offset + count


# Areas of one column from which the draws' values are gathered into tables first
# (sequential reads for every area); fewer read the values where the draws point.
_GATHER_MIN = 4

# Permutations whose lags are computed before the stopping rule is checked: an area
# that stops early in a long batch skips the rest of it.
_CHUNK = 64


@njit(cache=True, nogil=True)
def _shared_cells(
    values, a, b, indptr, indices, weights, pool_t, offset, cells_i, cells_c, segments,
    observed, tie, n_ge, n_le, used, stop, keep, simulations,
):  # fmt: skip
    """Conditional randomisation from the shared pool for the cells of ``segments``.

    ``segments`` is a ``(s, 2)`` array of ranges of ``cells_i`` / ``cells_c``
    (area, column), each range in one column. ``pool_t[j, p]`` is the ``j``-th
    draw of permutation ``offset + p`` among ``0..n-2``; for area ``i`` a draw
    ``d`` stands for position ``d + (d >= i)``. For a range of at least
    ``_GATHER_MIN`` areas the values at ``d`` and ``d + 1`` are gathered once into
    two ``(width, batch)`` tables, so the loop over areas reads memory in order
    and is vectorised over permutations. Counts are added to ``n_ge`` / ``n_le``
    and ``used`` records the permutations counted; with ``stop > 0`` an area stops
    at the permutation where its smaller tail count reaches ``stop`` (Besag &
    Clifford), so the result does not depend on how permutations are batched.
    """
    width, batch = pool_t.shape
    low = np.empty((width, batch))
    high = np.empty((width, batch))
    lag = np.empty(batch)
    for s in range(segments.shape[0]):
        first, last = segments[s, 0], segments[s, 1]
        c = cells_c[first]
        gather = last - first >= _GATHER_MIN
        if gather:
            wide = 0
            for r in range(first, last):
                i = cells_i[r]
                wide = max(wide, indptr[i + 1] - indptr[i])
            for j in range(wide):
                for p in range(batch):
                    d = pool_t[j, p]
                    low[j, p] = values[d, c]
                    high[j, p] = values[d + 1, c]
        for r in range(first, last):
            i = cells_i[r]
            lo = indptr[i]
            card = indptr[i + 1] - lo
            if card == 0:
                continue
            a_i, b_i = a[i, c], b[i, c]
            low_end, high_end = observed[i, c] - tie[i, c], observed[i, c] + tie[i, c]
            ge = n_ge[i, c]
            le = n_le[i, c]
            count = batch
            for p0 in range(0, batch, _CHUNK):
                p1 = min(p0 + _CHUNK, batch)
                for p in range(p0, p1):
                    lag[p] = 0.0
                for j in range(card):
                    w = weights[lo + j]
                    draws = pool_t[j]
                    if gather:
                        below, above = low[j], high[j]
                        for p in range(p0, p1):
                            lag[p] += w * (above[p] if draws[p] >= i else below[p])
                    else:
                        for p in range(p0, p1):
                            d = draws[p]
                            lag[p] += w * values[d + (d >= i), c]
                done = False
                for p in range(p0, p1):
                    sim = a_i * lag[p] + b_i
                    ge += sim >= low_end
                    le += sim <= high_end
                    if keep:
                        simulations[i, c, offset + p] = sim
                    if stop > 0 and min(ge, le) >= stop:
                        count = p + 1
                        done = True
                        break
                if done:
                    break
            n_ge[i, c] = ge
            n_le[i, c] = le
            used[i, c] = offset + count


@njit(cache=True, nogil=True)
def _independent_batch(
    values, a, b, indptr, indices, weights, states, drawn, rows, until, observed, tie,
    n_ge, n_le, used, active, stop, keep, simulations,
):  # fmt: skip
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


@njit(cache=True, nogil=True)
def _cross_block(values, indptr, indices, weights, seed, start, stop, out):
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
