"""Drivers of the permutation engine: batches, threads, p-values (private)."""

from __future__ import annotations

import contextlib
import math
import os
import signal
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, cast

import numpy as np

from hotspots.stats._kernels import (
    _after_round,
    _cross_block,
    _drop_cells,
    _independent_batch,
    _maybe_sure,
    _observed,
    _shared_cells,
)
from hotspots.stats._rng import _shared_pool, _stream_states

if TYPE_CHECKING:
    from collections.abc import Callable

    from hotspots.stats._csr import CSRGraph
    from hotspots.stats._inference import SettleTracker

Pool = Literal["shared", "independent"]
Alternative = Literal["two-sided", "directed", "greater", "less"]

POOLS: tuple[str, ...] = ("shared", "independent")
ALTERNATIVES: tuple[str, ...] = ("two-sided", "directed", "greater", "less")

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


def _run(task: Callable[[int, int], None], blocks: list[tuple[int, int]], threads: int) -> None:
    """Run ``task(start, stop)`` on every block, on ``threads`` threads.

    Interruptible: with one thread the blocks run one by one from Python; with
    several, Ctrl-C is held while the thread pool is busy with its own locks (a
    ``KeyboardInterrupt`` raised there can leave them broken) and raised from the
    main thread's wait, at most ``_POLL`` seconds later; the blocks not yet started
    are cancelled (those running finish their small share).
    """
    if threads == 1 or len(blocks) == 1:
        for start, stop in blocks:
            task(start, stop)
        return
    executor = ThreadPoolExecutor(max_workers=threads)
    with _interrupts_at_safe_points() as check:
        try:
            for future in [executor.submit(task, s, e) for s, e in blocks]:
                while True:
                    check()
                    try:
                        future.result(timeout=_POLL)
                        break
                    except FutureTimeout:
                        continue
        except BaseException:
            executor.shutdown(wait=False, cancel_futures=True)
            raise
    executor.shutdown(wait=True)


_POLL = 0.05  # seconds between checks for a held Ctrl-C while blocks run


@contextlib.contextmanager
def _interrupts_at_safe_points() -> Iterator[Callable[[], None]]:
    """Hold SIGINT while the body runs; the callable it gives raises it where safe.

    Only in the main thread and only over Python's default handler: a program
    with its own SIGINT handler keeps it.
    """
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGINT) is not signal.default_int_handler
    ):
        yield lambda: None
        return
    held: list[int] = []

    def check() -> None:
        if held:
            held.clear()
            raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, lambda signum, frame: held.append(signum))
    try:
        yield check
    finally:
        signal.signal(signal.SIGINT, previous)
    check()  # a Ctrl-C that arrived after the last check


def _seed_u64(seed: int | None) -> np.uint64:
    if seed is None:
        entropy = cast(int, np.random.SeedSequence().entropy)  # an int when drawn from the OS
        seed = int(entropy % (2**63))
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
        certain (surely significant, or surely not); they stop there, with the
        usual pseudo p-value ``(M + 1) / (used + 1)``. The batches are a fixed function of
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
    if pool == "shared":
        used = _shared_rounds(v, a, b, graph, observed, tie, n_ge, n_le, used, simulations,
                              permutations, seed64, threads, stop, settle, keep)  # fmt: skip
        return LocalRun(
            observed, n_ge, n_le, permutations, simulations if keep else None,
            used if stop else None, int(stop),
        )  # fmt: skip
    active = np.repeat((card > 0)[:, None], k, axis=1) if permutations else np.zeros((n, k), bool)
    offset = 0
    batch = _FIRST_BATCH if stop else permutations
    states = _stream_states(seed64, n)
    drawn = np.zeros(n, dtype=np.int64)
    while offset < permutations and active.any():
        rows_any = np.flatnonzero(active.any(axis=1))
        links = int(card[rows_any].sum())
        size = min(permutations - offset, batch, max(1, WORK_PER_CALL // max(1, links)))
        until = offset + size

        def task(
            start: int, stop_: int, rows: np.ndarray = rows_any, until: int = until,
            active: np.ndarray = active,
        ) -> None:  # fmt: skip
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
    return LocalRun(
        observed, n_ge, n_le, permutations, simulations if keep else None,
        used if stop else None, int(stop),
    )  # fmt: skip


# the adaptive rule's first batch of permutations, doubled at each round up to the largest
_FIRST_BATCH = 64
_LARGEST_BATCH = 1 << 16


# Links x permutations below which a round of the shared pool runs in the calling thread.
_SMALL_ROUND = 1 << 20


def _shared_rounds(
    v: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    graph: CSRGraph,
    observed: np.ndarray,
    tie: np.ndarray,
    n_ge: np.ndarray,
    n_le: np.ndarray,
    used: np.ndarray,
    simulations: np.ndarray,
    permutations: int,
    seed64: np.uint64,
    threads: int,
    stop: int,
    settle: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray] | None,
    keep: bool,
) -> np.ndarray:
    """The shared-pool rounds of :func:`local_permutations`; fills the counts, returns ``used``.

    Works on the list of cells (area, column) still drawing. The rounds are
    ``_FIRST_BATCH`` permutations doubling up to ``_LARGEST_BATCH`` (one round of
    ``permutations`` without a stopping rule), whatever the number of cells; each
    runs in kernel calls of bounded work, and a cell's counts at a given
    permutation do not depend on how the permutations were cut into calls (the
    stopping rule is checked at every permutation, and the first ``j`` draws of a
    permutation do not depend on the pool's width). ``settle`` is asked at each
    round end: a ``settle`` with a ``tracker`` (:func:`settler`, the adaptive
    rule) through its incremental state, with the answers of the whole-array
    rule; any other on the whole arrays.
    """
    n, k = v.shape
    make_tracker = getattr(settle, "tracker", None) if stop else None
    tracker = make_tracker(n, k, stop) if make_tracker is not None else None
    card64 = _kernel_array(graph.cardinalities, np.int64)
    indptr, indices, weights = _kernel_arrays(graph)
    v_t = _kernel_array(v.T)  # each column's values together (see _shared_cells)
    linked = np.flatnonzero(card64 > 0).astype(np.int64) if permutations else np.zeros(0, np.int64)
    cells_c = np.repeat(np.arange(k, dtype=np.int64), len(linked))
    cells_i = np.tile(linked, k)
    if tracker is not None:
        bounds = (tracker.quantiles, tracker.quantiles_lo, tracker.upper_t, tracker.lower_t,
                  tracker.cand_t, tracker.candidates, tracker.limit)  # fmt: skip
    else:  # _after_round then only drops the cells that reached the stopping count
        none, table = np.zeros(0), np.zeros((0, 0))
        bounds = (none, none, table, table, table.astype(bool), none.astype(np.int64), 0.0)
    processed, first = 0, True
    batch = _FIRST_BATCH if stop else permutations
    while processed < permutations and len(cells_i):
        end = min(permutations, processed + batch)
        while processed < end and len(cells_i):
            links = int(card64[cells_i].sum())
            target = min(end, processed + max(_CHUNK_MIN, WORK_PER_CALL // max(1, links)))
            width = int(card64[cells_i].max())
            # the pool transposed, (width, draws): each draw's column is read in order
            pool_t = np.ascontiguousarray(_shared_pool(n - 1, width, processed, target, seed64).T)
            segments = _segments(cells_c, threads)

            def task(
                first_: int, last_: int, pool_t: np.ndarray = pool_t, offset: int = processed,
                segments: np.ndarray = segments, cells_i: np.ndarray = cells_i,
                cells_c: np.ndarray = cells_c,
            ) -> None:  # fmt: skip
                _shared_cells(v_t, a, b, indptr, indices, weights, pool_t, offset, cells_i,
                              cells_c, segments[first_:last_], observed, tie, n_ge, n_le, used,
                              stop, keep, simulations)  # fmt: skip

            # a small call runs in this thread (starting a pool of threads would cost more)
            small = len(cells_i) * (target - processed) * width < _SMALL_ROUND
            _run(task, _segment_blocks(segments, 1 if small else threads), 1 if small else threads)
            processed = target
            if stop:
                kept = _after_round(cells_i, cells_c, n_ge, n_le, used, stop, *bounds)
                cells_i, cells_c = cells_i[:kept], cells_c[:kept]  # compacted in place
            if first and tracker is not None:
                tracker.start()
            first = False
        if stop and len(cells_i):
            if tracker is not None:
                cells_i, cells_c = _settled(tracker, cells_i, cells_c)
            elif settle is not None:
                sure = settle(n_ge, n_le, used)[cells_i, cells_c]
                cells_i, cells_c = cells_i[~sure], cells_c[~sure]
        batch = min(2 * batch, _LARGEST_BATCH)
    return used


# Fewest permutations per kernel call.
_CHUNK_MIN = 64


def _settled(
    tracker: SettleTracker, cells_i: np.ndarray, cells_c: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The cells left once those the tracker finds settled are dropped.

    Surely not significant: the lower bound above the column's threshold
    (:meth:`SettleTracker.thresholds`). Surely significant: asked only in the
    columns where a cell still drawing has an upper bound at most the column's
    :meth:`SettleTracker.bounds`.
    """
    drop_t = np.zeros(tracker.upper_t.shape, dtype=np.bool_)
    out = tracker.lower_t[cells_c, cells_i] > tracker.thresholds(np.unique(cells_c))[cells_c]
    drop_t[cells_c[out], cells_i[out]] = True
    flags = np.zeros(len(tracker.family), dtype=np.bool_)
    _maybe_sure(cells_i, cells_c, tracker.upper_t, tracker.bounds(), flags)
    for c in np.flatnonzero(flags):
        rows = cells_i[cells_c == c]
        drop_t[c, rows] |= tracker.sure(int(c), rows)
    if not drop_t.any():
        return cells_i, cells_c
    kept = _drop_cells(cells_i, cells_c, drop_t)
    return cells_i[:kept], cells_c[:kept]


def _segments(cells_c: np.ndarray, threads: int) -> np.ndarray:
    """``(s, 2)`` ranges of the cells (sorted by column), each in one column, at most a block."""
    size = max(64, math.ceil(len(cells_c) / (4 * threads)))
    breaks = np.flatnonzero(np.diff(cells_c)) + 1
    starts = np.concatenate([[0], breaks])
    ends = np.concatenate([breaks, [len(cells_c)]])
    pieces = [np.arange(s, e, size) for s, e in zip(starts, ends, strict=True)]
    first = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int64)
    last = np.minimum(first + size, np.repeat(ends, [len(p) for p in pieces]))
    return np.ascontiguousarray(np.column_stack([first, last]), dtype=np.int64)


def _segment_blocks(segments: np.ndarray, threads: int) -> list[tuple[int, int]]:
    """Consecutive runs of segments with about equal numbers of cells, one task each."""
    sizes = segments[:, 1] - segments[:, 0]
    total = int(sizes.sum())
    if threads == 1:
        return [(0, len(segments))]
    # cut after the segment where the running count of cells passes each share
    ends = np.cumsum(sizes)
    cuts = np.searchsorted(ends, total * np.arange(1, 4 * threads) / (4 * threads)) + 1
    edges = np.unique(np.concatenate([[0], np.minimum(cuts, len(segments)), [len(segments)]]))
    return [(int(edges[j]), int(edges[j + 1])) for j in range(len(edges) - 1)]


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
