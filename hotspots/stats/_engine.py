"""The permutation engine behind every local and global statistic (private).

Conditional randomisation is the hot path of local Moran, Getis-Ord Gi/Gi* and
of the space-time analysis (one run per period). This module keeps it small,
compiled and cached:

* kernels are numba functions compiled with ``cache=True`` and ``nogil=True``;
  they are run on blocks of areas from a thread pool, so no parallel
  (``prange``) compilation is needed and the cached machine code loads in a
  fraction of a second in a fresh process. When the package directory is not
  writable numba stores the cache in the user's cache directory (or
  ``NUMBA_CACHE_DIR`` when set);
* random numbers come from a counter-based generator (SplitMix64) keyed on
  ``(seed, stream)`` where the stream is the permutation number (shared pool)
  or the area number (independent draws), so the same seed gives identical
  results whatever the number of threads or the block size;
* the focal area is never drawn as its own neighbour: draws are taken from
  ``n - 1`` positions and positions at or after the focal area are shifted by
  one;
* with the shared pool (GeoDa's and esda's lookup table) the values at every
  drawn position are gathered once per column into a small ``(width,
  permutations)`` table, so the loop over areas reads memory in order and is
  vectorised over permutations; independent draws (a fresh neighbour set for
  every area and permutation) gather at random and are several times slower;
* a simulated value within :func:`tie_tolerance` of the observed one is a tie
  and counts in both tails, so p-values do not depend on the order in which
  floating point sums are taken (ties are frequent with counts);
* many columns (periods, crime types) are processed against one graph in one
  call, and the ``n x permutations`` simulated values are only materialised when
  asked for (``keep=True``); memory otherwise grows with ``n x columns`` plus
  one ``permutations x width`` table per thread.

The graph is given as a :class:`CSRGraph` (``indptr``, ``indices``,
``weights`` without self-links, and ``self_weight``); :func:`csr_from_graph`
builds it from a :class:`libpysal.graph.Graph`.

Every local statistic handled here is affine in the spatial lag of the values,
``stat_i = a_i * sum_j w_ij v_j + b_i``, with ``a`` and ``b`` fixed while the
neighbours' values are permuted:

* local Moran (Anselin 1995, spdep convention): ``v = z``, ``a_i = z_i / m2``,
  ``b_i = 0``;
* Gi* (Getis & Ord 1992): ``v = x``, ``a_i = 1 / sum(x)``,
  ``b_i = w_ii x_i / sum(x)``;
* Gi: ``v = x``, ``a_i = 1 / (sum(x) - x_i)``, ``b_i = 0``.
"""

from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
from numba import njit

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from libpysal.graph import Graph

Pool = Literal["shared", "independent"]
Alternative = Literal["two-sided", "directed", "greater", "less"]

POOLS: tuple[str, ...] = ("shared", "independent")
ALTERNATIVES: tuple[str, ...] = ("two-sided", "directed", "greater", "less")

# ---------------------------------------------------------------------------
# graph in compressed sparse row form
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CSRGraph:
    """A spatial graph as compressed sparse rows, positions ``0..n-1``.

    Attributes
    ----------
    indptr : ndarray of int64, shape (n + 1,)
        Row ``i``'s neighbours are ``indices[indptr[i]:indptr[i + 1]]``.
    indices : ndarray of int64
        Neighbour positions; never ``i`` itself (self-links live in
        ``self_weight``).
    weights : ndarray of float64
        Weight of each link, aligned with ``indices``.
    self_weight : ndarray of float64, shape (n,)
        Weight of each area on itself (0 when none; 1 for binary Gi*).
    """

    indptr: np.ndarray
    indices: np.ndarray
    weights: np.ndarray
    self_weight: np.ndarray

    @property
    def n(self) -> int:
        """Number of areas (nodes)."""
        return len(self.indptr) - 1

    @property
    def cardinalities(self) -> np.ndarray:
        """Number of neighbours of each area, self excluded."""
        return np.diff(self.indptr)

    def subset(self, keep: np.ndarray) -> CSRGraph:
        """The graph restricted to the areas where ``keep`` is true.

        Links to dropped areas are removed; positions are renumbered in the
        order of the kept areas.
        """
        keep = np.asarray(keep, dtype=bool)
        new_pos = np.full(self.n, -1, dtype=np.int64)
        new_pos[keep] = np.arange(int(keep.sum()))
        rows = np.repeat(np.arange(self.n), self.cardinalities)
        link = keep[rows] & keep[self.indices]
        counts = np.bincount(new_pos[rows[link]], minlength=int(keep.sum()))
        return CSRGraph(
            indptr=np.concatenate([[0], np.cumsum(counts)]).astype(np.int64),
            indices=new_pos[self.indices[link]],
            weights=self.weights[link],
            self_weight=self.self_weight[keep],
        )

    def row_standardised(self) -> CSRGraph:
        """Weights divided by their row sum, self-links dropped.

        Rows without neighbours stay empty (islands).
        """
        return CSRGraph(
            indptr=self.indptr,
            indices=self.indices,
            weights=self.weights / np.repeat(self.row_sum(), self.cardinalities),
            self_weight=np.zeros(self.n),
        )

    def binary(self, self_weight: float = 0.0) -> CSRGraph:
        """Every link weighted 1, and every area weighted ``self_weight`` on itself."""
        return CSRGraph(
            indptr=self.indptr,
            indices=self.indices,
            weights=np.ones(len(self.indices)),
            self_weight=np.full(self.n, float(self_weight)),
        )

    def row_sum(self, link_values: np.ndarray | None = None) -> np.ndarray:
        """Sum of ``link_values`` (default the weights) over each area's links, shape (n,)."""
        rows = np.repeat(np.arange(self.n), self.cardinalities)
        values = self.weights if link_values is None else link_values
        return np.bincount(rows, weights=values, minlength=self.n)

    def lag(self, values: np.ndarray) -> np.ndarray:
        """Spatial lag ``sum_j w_ij v_j`` (self-links excluded), shape of ``values``."""
        values = np.asarray(values, dtype=np.float64)
        rows = np.repeat(np.arange(self.n), self.cardinalities)
        contrib = self.weights.reshape((-1,) + (1,) * (values.ndim - 1)) * values[self.indices]
        out = np.zeros_like(values)
        np.add.at(out, rows, contrib)
        return out


def csr_from_graph(graph: Graph, ids: Sequence | None = None) -> CSRGraph:
    """Convert a :class:`libpysal.graph.Graph` to a :class:`CSRGraph`.

    Parameters
    ----------
    graph : libpysal.graph.Graph
        Any graph; its weights are taken as they are (no transform applied).
    ids : sequence, optional
        Order of the areas (default ``graph.unique_ids``). Every id must be a
        node of the graph.

    Returns
    -------
    CSRGraph
        Zero-weight links (libpysal's marker for isolates) are dropped;
        self-links go to ``self_weight``.
    """
    import pandas as pd

    order = pd.Index(graph.unique_ids if ids is None else ids)
    adjacency = graph.adjacency
    focal = order.get_indexer(adjacency.index.get_level_values(0))
    neighbour = order.get_indexer(adjacency.index.get_level_values(1))
    weight = adjacency.to_numpy(dtype=np.float64)
    n = len(order)
    self_weight = np.zeros(n)
    is_self = (focal == neighbour) & (focal >= 0)
    self_weight[focal[is_self]] = weight[is_self]
    link = (focal >= 0) & (neighbour >= 0) & ~is_self & (weight != 0)
    focal, neighbour, weight = focal[link], neighbour[link], weight[link]
    sort = np.lexsort((neighbour, focal))
    counts = np.bincount(focal, minlength=n)
    return CSRGraph(
        indptr=np.concatenate([[0], np.cumsum(counts)]).astype(np.int64),
        indices=neighbour[sort].astype(np.int64),
        weights=weight[sort],
        self_weight=self_weight,
    )


# ---------------------------------------------------------------------------
# random numbers: SplitMix64, one stream per (seed, permutation) or (seed, area)
# ---------------------------------------------------------------------------

_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2**-53


@njit(cache=True, nogil=True)
def _mix(z):
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return z ^ (z >> np.uint64(31))


@njit(cache=True, nogil=True)
def _stream_state(seed, stream):
    """Starting state of stream ``stream`` for ``seed`` (both uint64)."""
    return _mix(_mix(seed) + np.uint64(stream) * _GAMMA + _GAMMA)


@njit(cache=True, nogil=True)
def _below(state, bound):
    """Advance ``state`` and return ``(state, r)`` with ``r`` uniform in ``0..bound-1``."""
    state = state + _GAMMA
    u = (_mix(state) >> np.uint64(11)) * _TO_UNIT
    r = np.int64(u * bound)
    return state, r


@njit(cache=True, nogil=True)
def _draw(state, scratch, swaps, out, k, m):
    """Draw ``k`` distinct values of ``0..m-1`` into ``out[:k]``.

    Partial Fisher-Yates on ``scratch`` (which must hold ``0..m-1``), undone
    afterwards so the scratch array is ready for the next draw: O(k).
    """
    for j in range(k):
        state, r = _below(state, m - j)
        r += j
        tmp = scratch[j]
        scratch[j] = scratch[r]
        scratch[r] = tmp
        swaps[j] = r
        out[j] = scratch[j]
    for j in range(k - 1, -1, -1):
        r = swaps[j]
        tmp = scratch[j]
        scratch[j] = scratch[r]
        scratch[r] = tmp
    return state


@njit(cache=True, nogil=True)
def _shared_pool(m, width, start, stop, seed):
    """``(stop - start, width)`` draws without replacement from ``0..m-1``.

    Row ``p - start`` is permutation ``p``, drawn from stream ``p``.
    """
    pool = np.empty((stop - start, width), dtype=np.int64)
    scratch = np.arange(m)
    swaps = np.empty(width, dtype=np.int64)
    for p in range(start, stop):
        state = _stream_state(seed, p)
        _draw(state, scratch, swaps, pool[p - start], width, m)
    return pool


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


# ---------------------------------------------------------------------------
# drivers
# ---------------------------------------------------------------------------


def check_pool(pool: str) -> str:
    """``pool`` if it is one of :data:`POOLS`, or ValueError."""
    if pool not in POOLS:
        raise ValueError(f"pool must be 'shared' or 'independent', not {pool!r}")
    return pool


def default_threads() -> int:
    """Threads used when none are given: ``NUMBA_NUM_THREADS`` or the CPU count."""
    env = os.environ.get("NUMBA_NUM_THREADS")
    return max(1, int(env)) if env else max(1, os.cpu_count() or 1)


# Work done by one kernel call between two returns to Python (links x permutations):
# small enough that Ctrl-C is honoured within a fraction of a second, large
# enough that the calls' overhead does not show.
WORK_PER_CALL = 1 << 23

# Largest permutation count accepted (fixed or reached by the adaptive rule): beyond
# it the run takes hours and the simulated values of a global statistic alone
# would fill gigabytes.
MAX_PERMUTATIONS = 10_000_000


def _blocks(n_items: int, threads: int, max_size: int | None = None) -> list[tuple[int, int]]:
    size = max(1, math.ceil(n_items / (4 * threads)))
    if max_size is not None:
        size = max(1, min(size, max_size))
    return [(s, min(s + size, n_items)) for s in range(0, n_items, size)]


def _row_blocks(n_rows: int, threads: int) -> list[tuple[int, int]]:
    """Blocks of at least 64 areas (each block gathers its own copy of the draws' values)."""
    size = max(64, math.ceil(n_rows / (4 * threads)))
    return [(s, min(s + size, n_rows)) for s in range(0, n_rows, size)]


def _run(task, blocks: list[tuple[int, int]], threads: int) -> None:
    """Run ``task(start, stop)`` on every block, on ``threads`` threads.

    Interruptible: with one thread the blocks run one by one from Python; with
    several the main thread waits on each block in turn, and on Ctrl-C the blocks
    not yet started are cancelled (those running finish their small share).
    """
    if threads == 1 or len(blocks) == 1:
        for start, stop in blocks:
            task(start, stop)
        return
    executor = ThreadPoolExecutor(max_workers=threads)
    try:
        for future in [executor.submit(task, s, e) for s, e in blocks]:
            future.result()
    except BaseException:
        executor.shutdown(wait=False, cancel_futures=True)
        raise
    executor.shutdown(wait=True)


def _seed_u64(seed: int | None) -> np.uint64:
    if seed is None:
        seed = int(np.random.SeedSequence().entropy % (2**63))
    if int(seed) < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed}")
    return np.uint64(int(seed) % (2**64))


def _kernel_array(values: np.ndarray, dtype: type = np.float64) -> np.ndarray:
    """C-contiguous, writeable ``dtype`` array: one compiled signature per kernel.

    numba types read-only arrays (pandas' copy-on-write views) separately, which
    would compile, and cache, a second version of every kernel.
    """
    values = np.ascontiguousarray(values, dtype=dtype)
    return values if values.flags.writeable else values.copy()


def _as_matrix(values: np.ndarray) -> np.ndarray:
    values = np.asarray(values, dtype=np.float64)
    return _kernel_array(values[:, None] if values.ndim == 1 else values)


def _kernel_arrays(graph: CSRGraph) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return (
        _kernel_array(graph.indptr, np.int64),
        _kernel_array(graph.indices, np.int64),
        _kernel_array(graph.weights),
    )


@dataclass(frozen=True)
class LocalRun:
    """Result of :func:`local_permutations` (all arrays ``(n, k)``).

    Attributes
    ----------
    observed : ndarray of float64
        Observed statistic.
    n_ge, n_le : ndarray of int64
        Number of simulated values ``>=`` and ``<=`` the observed one among
        the ``used`` permutations; a tie (within :func:`tie_tolerance`) counts
        in both.
    permutations : int
        Number of permutations (fixed), or the most any area may use (``stop > 0``).
    simulations : ndarray of float64 (n, k, permutations) or None
        Simulated statistics, only when asked for with ``keep=True``.
    used : ndarray of int64 or None
        Permutations each area used (None: all used ``permutations``).
    stop : int
        Besag-Clifford stopping count (0: fixed number of permutations).
    """

    observed: np.ndarray
    n_ge: np.ndarray
    n_le: np.ndarray
    permutations: int
    simulations: np.ndarray | None = None
    used: np.ndarray | None = None
    stop: int = 0

    @property
    def counts(self) -> np.ndarray:
        """Permutations used by each area and column, ``(n, k)``."""
        if self.used is None:
            return np.full(self.observed.shape, self.permutations, dtype=np.int64)
        return self.used

    def p_value(self, alternative: Alternative = "two-sided") -> np.ndarray:
        """Pseudo p-values, see :func:`pseudo_p` and :func:`sequential_p`."""
        if self.stop == 0:
            return pseudo_p(self.n_ge, self.n_le, self.permutations, alternative)
        return sequential_p(self.n_ge, self.n_le, self.counts, self.stop, alternative)


def pseudo_p(
    n_ge: np.ndarray, n_le: np.ndarray, permutations: int, alternative: Alternative = "two-sided"
) -> np.ndarray:
    """Pseudo p-value ``(M + 1) / (R + 1)`` from counts of extreme simulated values.

    Parameters
    ----------
    n_ge, n_le : array of int
        Number of simulated statistics ``>=`` / ``<=`` the observed one.
    permutations : int
        Number of simulations ``R``.
    alternative : {"two-sided", "directed", "greater", "less"}
        ``"greater"``: ``M = n_ge``; ``"less"``: ``M = n_le``; ``"directed"``:
        the tail the observed value falls in, ``M = min(n_ge, n_le)`` (one-sided
        in the direction of the observed value, GeoDa's and esda's historical
        ``p_sim``); ``"two-sided"``: twice the directed value, capped at 1.
    """
    r = permutations + 1.0
    if alternative == "greater":
        return (n_ge + 1.0) / r
    if alternative == "less":
        return (n_le + 1.0) / r
    directed = (np.minimum(n_ge, n_le) + 1.0) / r
    if alternative == "directed":
        return directed
    if alternative == "two-sided":
        return np.minimum(1.0, 2.0 * directed)
    raise ValueError(f"alternative must be one of {ALTERNATIVES}, got {alternative!r}")


def sequential_p(
    n_ge: np.ndarray,
    n_le: np.ndarray,
    used: np.ndarray,
    stop: int,
    alternative: Alternative = "two-sided",
) -> np.ndarray:
    """Sequential Monte Carlo p-value of Besag & Clifford (1991).

    An area draws permutations until ``M = min(n_ge, n_le)`` reaches ``stop``
    (after ``L`` permutations: directed ``p = stop / L``) or until the maximum
    is reached with ``M < stop`` (``p = (M + 1) / (L + 1)``, the usual
    pseudo p-value). Both are valid p-values: under the null hypothesis
    ``P(p <= u) <= u``. ``"two-sided"`` doubles the directed value (capped at 1).
    """
    if alternative not in ("two-sided", "directed"):
        raise ValueError("a sequential p-value is two-sided or directed, not " + repr(alternative))
    m = np.minimum(n_ge, n_le).astype(np.float64)
    used = np.asarray(used, dtype=np.float64)
    stopped = m >= stop
    with np.errstate(divide="ignore", invalid="ignore"):
        directed = np.where(stopped, m / np.maximum(used, 1.0), (m + 1.0) / (used + 1.0))
    return directed if alternative == "directed" else np.minimum(1.0, 2.0 * directed)


TIE_TOLERANCE = 1e-10


def tie_tolerance(values: np.ndarray, a: np.ndarray, b: np.ndarray, graph: CSRGraph) -> np.ndarray:
    """Distance within which a simulated statistic ties with the observed one, ``(n, k)``.

    A simulated neighbour set often has exactly the observed lag (counts are
    integers, weights repeat), but the two sums are taken in different orders and
    can differ in the last bits, which would make such ties count on one side or
    the other at random. ``TIE_TOLERANCE`` relative to the largest possible
    ``|a_i| * sum_j |w_ij| * max|v| + |b_i|`` is far above rounding error (about
    ``1e-16`` times the number of neighbours) and far below any real difference.
    """
    w_abs = graph.row_sum(np.abs(graph.weights))
    v_max = np.abs(values).max(axis=0) if len(values) else np.zeros(values.shape[1])
    return TIE_TOLERANCE * (np.abs(a) * w_abs[:, None] * v_max + np.abs(b))


def local_permutations(
    values: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    graph: CSRGraph,
    *,
    permutations: int = 999,
    seed: int | None = None,
    pool: Pool = "shared",
    keep: bool = False,
    threads: int | None = None,
    stop: int = 0,
    settle: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray] | None = None,
) -> LocalRun:
    """Conditional randomisation for any statistic ``a_i * lag_i + b_i``.

    Parameters
    ----------
    values : ndarray (n,) or (n, k)
        Values whose neighbours are permuted (``z`` for Moran, ``x`` for Gi).
    a, b : ndarray, shape of ``values``
        Per-area scale and offset, held fixed under permutation.
    graph : CSRGraph
        Links (self-links excluded; a self term belongs in ``b``).
    permutations : int
        Number of random neighbour sets per area (the most any area may use
        when ``stop > 0``); 0 skips the simulation.
    seed : int, optional
        Non-negative seed; the same seed gives identical results whatever
        ``threads`` is.
    pool : {"shared", "independent"}
        ``"shared"`` (default, GeoDa/esda lookup table): permutation ``p`` is one
        random set of ``max cardinality`` positions (stream ``p``), reused by
        every area; fast, but the p-values of different areas are correlated
        because they share draws. ``"independent"``: fresh draws for every
        area (stream ``i``), p-values independent across areas, about 5-10x slower.
    keep : bool
        Also return the simulated statistics, ``(n, k, permutations)`` floats
        (fixed runs only).
    threads : int, optional
        Worker threads (default :func:`default_threads`).
    stop : int
        0: every area uses ``permutations``. Otherwise the sequential rule of
        Besag & Clifford (1991): an area (column) stops at the permutation where
        its smaller tail count reaches ``stop`` (see :func:`sequential_p`).
        Permutations are drawn in batches; the result does not depend on
        ``threads``.
    settle : callable, optional
        With ``stop > 0``: ``settle(n_ge, n_le, used)`` is called between
        batches and returns the ``(n, k)`` areas whose decision is already
        certain (clearly significant); they stop there, with the usual pseudo
        p-value ``(M + 1) / (used + 1)``. The batches are a fixed function of
        the data and the graph, so the result still depends only on the seed.
    """
    check_pool(pool)
    v = _as_matrix(values)
    n, k = v.shape
    a = _kernel_array(np.broadcast_to(_as_matrix(a), v.shape))
    b = _kernel_array(np.broadcast_to(_as_matrix(b), v.shape))
    if n < 2:
        permutations = 0
    if permutations > MAX_PERMUTATIONS:
        raise ValueError(f"permutations must be at most {MAX_PERMUTATIONS:,}, not {permutations:,}")
    if keep and stop:
        raise ValueError("keep=True needs a fixed number of permutations (stop=0)")
    seed64 = _seed_u64(seed)
    threads = threads or default_threads()
    width = int(graph.cardinalities.max()) if n else 0
    if width > n - 1:
        raise ValueError("an area has more neighbours than there are other areas")
    observed = np.empty((n, k))
    n_ge = np.zeros((n, k), dtype=np.int64)
    n_le = np.zeros((n, k), dtype=np.int64)
    used = np.zeros((n, k), dtype=np.int64)
    simulations = np.empty((n, k, permutations) if keep else (0, 0, 0))
    indptr, indices, weights = _kernel_arrays(graph)
    tie = tie_tolerance(v, a, b, graph)
    card = graph.cardinalities

    def observe(start: int, stop_: int) -> None:
        _observed(v, a, b, indptr, indices, weights, start, stop_, observed)

    _run(observe, _blocks(n, threads), threads)
    active = np.repeat((card > 0)[:, None], k, axis=1) if permutations else np.zeros((n, k), bool)
    offset = 0
    batch = _FIRST_BATCH if stop else permutations
    if pool == "independent":
        states = _stream_states(seed64, n)
        drawn = np.zeros(n, dtype=np.int64)
    while offset < permutations and active.any():
        rows_any = np.flatnonzero(active.any(axis=1))
        links = int(card[rows_any].sum()) * (1 if pool == "independent" else k)
        size = min(permutations - offset, batch, max(1, WORK_PER_CALL // max(1, links)))
        if pool == "shared":
            # the first j draws of a permutation do not depend on how many follow (partial
            # Fisher-Yates), so the pool only needs the widest area still running
            wide = int(card[rows_any].max())
            size = min(size, max(1, WORK_PER_CALL // max(1, wide * (k + 1))))
            # the pool transposed, (wide, size): each draw's column is read in order
            pool_t = np.ascontiguousarray(
                _shared_pool(n - 1, wide, offset, offset + size, seed64).T
            )
            for c in range(k):
                rows = np.flatnonzero(active[:, c])

                def task(
                    start: int, stop_: int, rows=rows, c=c, pool_t=pool_t, offset=offset
                ) -> None:
                    _shared_batch(v, a, b, indptr, indices, weights, pool_t, offset,
                                  rows[start:stop_], c, observed, tie, n_ge, n_le, used, stop,
                                  keep, simulations)  # fmt: skip

                _run(task, _row_blocks(len(rows), threads), threads)
        else:
            until = offset + size

            def task(start: int, stop_: int, rows=rows_any, until=until, active=active) -> None:
                _independent_batch(v, a, b, indptr, indices, weights, states, drawn,
                                   rows[start:stop_], until, observed, tie, n_ge, n_le, used,
                                   active, stop, keep, simulations)  # fmt: skip

            _run(task, _row_blocks(len(rows_any), threads), threads)
        offset += size
        if stop:
            active &= np.minimum(n_ge, n_le) < stop
            if settle is not None and active.any():
                active &= ~settle(n_ge, n_le, used)
            batch = min(2 * batch, _LARGEST_BATCH)
    if not stop:
        used = None
    return LocalRun(
        observed, n_ge, n_le, permutations, simulations if keep else None, used, int(stop)
    )


# the adaptive rule's first batch of permutations, doubled at each round up to the largest
_FIRST_BATCH = 128
_LARGEST_BATCH = 1 << 16


@njit(cache=True, nogil=True)
def _stream_states(seed, n):
    """Starting states of streams ``0..n-1`` of ``seed``."""
    states = np.empty(n, dtype=np.uint64)
    for i in range(n):
        states[i] = _stream_state(seed, i)
    return states


def global_permutations(
    values: np.ndarray,
    graph: CSRGraph,
    *,
    permutations: int = 999,
    seed: int | None = None,
    threads: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Cross-products ``sum_ij w_ij v_i v_j`` observed and under random permutations.

    The building block of Moran's I and General G (both are this cross-product
    times a factor that does not change when the values are permuted).

    Parameters
    ----------
    values : ndarray (n,) or (n, k)
    graph : CSRGraph
        Links without self-links (``self_weight`` is ignored).
    permutations, seed, threads
        As for :func:`local_permutations`; permutation ``p`` is a full shuffle
        from stream ``p`` of the seed. At most :data:`MAX_PERMUTATIONS`. The
        work is cut into small blocks, so Ctrl-C stops a long run at once.

    Returns
    -------
    observed : ndarray (k,)
    simulated : ndarray (permutations, k)
    """
    if permutations > MAX_PERMUTATIONS:
        raise ValueError(f"permutations must be at most {MAX_PERMUTATIONS:,}, not {permutations:,}")
    v = _as_matrix(values)
    n, k = v.shape
    seed64 = _seed_u64(seed)
    observed = (v * graph.lag(v)).sum(axis=0)
    simulated = np.empty((permutations, k))

    indptr, indices, weights = _kernel_arrays(graph)

    def task(start: int, stop: int) -> None:
        _cross_block(v, indptr, indices, weights, seed64, start, stop, simulated)

    if permutations and n > 1:
        threads = threads or default_threads()
        per_permutation = (2 * n + len(indices)) * k
        largest = max(1, WORK_PER_CALL // per_permutation)
        _run(task, _blocks(permutations, threads, max_size=largest), threads)
    return observed, simulated


# ---------------------------------------------------------------------------
# the two local statistics, batched over columns
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LocalStatistic:
    """Observed local statistics with analytical and permutation inference (``(n, k)``).

    Attributes
    ----------
    statistic : ndarray
        Local Moran ``I_i`` (spdep convention) or ``G_i`` / ``G*_i``.
    z : ndarray
        Analytical z-score (randomisation moments); NaN for areas without
        neighbours.
    run : LocalRun or None
        Permutation counts (None when ``permutations=0``).
    island : ndarray of bool (n,)
        Areas without neighbours (their statistic has no meaning).
    """

    statistic: np.ndarray
    z: np.ndarray
    run: LocalRun | None
    island: np.ndarray

    def p_sim(self, alternative: Alternative = "two-sided") -> np.ndarray:
        """Pseudo p-values (NaN for areas without neighbours or without permutations)."""
        if self.run is None:
            return np.full(self.statistic.shape, np.nan)
        p = self.run.p_value(alternative)
        p[self.island] = np.nan
        return p

    def used(self) -> np.ndarray:
        """Permutations each area used (0 for areas without neighbours or without permutations)."""
        if self.run is None:
            return np.zeros(self.statistic.shape, dtype=np.int64)
        used = self.run.counts.copy()
        used[self.island] = 0
        return used


def local_moran_stat(
    values: np.ndarray,
    graph: CSRGraph,
    *,
    permutations: int = 999,
    seed: int | None = None,
    pool: Pool = "shared",
    keep: bool = False,
    threads: int | None = None,
    stop: int = 0,
    settle: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray] | None = None,
) -> LocalStatistic:
    """Local Moran ``I_i = z_i / m2 * sum_j w_ij z_j`` for each column of ``values``.

    ``z = x - mean(x)``, ``m2 = sum(z**2) / n`` (Anselin 1995; spdep
    ``localmoran``; esda's ``Moran_Local.Is`` is ``(n - 1) / n`` times this).
    The z-score uses the moments under conditional randomisation (Sokal et al.
    1998; spdep ``localmoran(conditional=TRUE)``). ``graph`` weights are used as
    given (row-standardise first for the usual LISA).
    """
    x = _as_matrix(values)
    n = x.shape[0]
    z = x - x.mean(axis=0)
    m2 = (z**2).sum(axis=0) / n
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(m2 > 0, z / m2, 0.0)  # a constant column has no local association
    run = local_permutations(
        z, a, np.zeros_like(z), graph,
        permutations=permutations, seed=seed, pool=pool, keep=keep, threads=threads, stop=stop,
        settle=settle,
    )  # fmt: skip
    w_sum = graph.row_sum()[:, None]
    w_sq = graph.row_sum(graph.weights**2)[:, None]
    statistic = a * graph.lag(z)
    expected = -(z**2) * w_sum / ((n - 1) * m2)
    variance = (z / m2) ** 2 * (n / (n - 2)) * (w_sq - w_sum**2 / (n - 1)) * (m2 - z**2 / (n - 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        zscore = (statistic - expected) / np.sqrt(variance)
    island = graph.cardinalities == 0
    zscore[island] = np.nan
    return LocalStatistic(statistic, zscore, run if permutations else None, island)


def local_g_stat(
    values: np.ndarray,
    graph: CSRGraph,
    *,
    star: bool = True,
    permutations: int = 999,
    seed: int | None = None,
    pool: Pool = "shared",
    keep: bool = False,
    threads: int | None = None,
    stop: int = 0,
    settle: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray] | None = None,
) -> LocalStatistic:
    """Getis-Ord ``G*_i`` (``star=True``) or ``G_i`` for each column of ``values``.

    ``G*_i = sum_j w_ij x_j / sum_j x_j`` with ``w_ii = graph.self_weight[i]``;
    ``G_i`` leaves ``x_i`` out of both sums. The z-score is Ord & Getis (1995),
    identical to spdep ``localG`` (and esda ``G_Local.Zs``). Under conditional
    randomisation ``x_i`` stays in place and the neighbours' values are drawn
    from the other ``n - 1`` areas.
    """
    x = _as_matrix(values)
    n = x.shape[0]
    lag = graph.lag(x)
    total = x.sum(axis=0)
    total_sq = (x**2).sum(axis=0)
    w_sum = graph.row_sum()[:, None]
    w_sq = graph.row_sum(graph.weights**2)[:, None]
    if star:
        sw = graph.self_weight[:, None]
        numerator = lag + sw * x
        w_sum, w_sq = w_sum + sw, w_sq + sw**2
        denominator = np.broadcast_to(total, x.shape)
        mean = total / n
        sd = np.sqrt(total_sq / n - mean**2)
        spread = np.sqrt((n * w_sq - w_sum**2) / (n - 1))
    else:
        numerator = lag
        denominator = total - x
        mean = denominator / (n - 1)
        sd = np.sqrt((total_sq - x**2) / (n - 1) - mean**2)
        spread = np.sqrt(((n - 1) * w_sq - w_sum**2) / (n - 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        zscore = (numerator - mean * w_sum) / (sd * spread)
        # an all-zero column (a period without offences) ties every simulation: p = 1
        a = np.where(denominator != 0, 1.0 / denominator, 0.0)
        b = (graph.self_weight[:, None] * x * a) if star else np.zeros_like(x)
        statistic = np.where(denominator != 0, numerator / denominator, np.nan)
    island = graph.cardinalities == 0
    zscore[island] = np.nan
    run = local_permutations(
        x, a, b, graph,
        permutations=permutations, seed=seed, pool=pool, keep=keep, threads=threads, stop=stop,
        settle=settle,
    )  # fmt: skip
    return LocalStatistic(statistic, zscore, run if permutations else None, island)
