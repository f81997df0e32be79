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

The parts live in :mod:`hotspots.stats._csr` (the graph),
:mod:`hotspots.stats._rng` (random numbers), :mod:`hotspots.stats._kernels`
(the compiled kernels) and :mod:`hotspots.stats._permutation` (batches,
threads, stopping rule and p-values); this module re-exports them and holds
the two local statistics.

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

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

# the engine's parts, re-exported: this module is the one the rest of the package imports
from hotspots.stats._csr import CSRGraph, csr_from_graph
from hotspots.stats._kernels import (  # noqa: F401
    _REJECTION_MAX,
    _cross_block,
    _independent_batch,
    _observed,
    _shared_cells,
)
from hotspots.stats._permutation import (  # noqa: F401
    ALTERNATIVES,
    MAX_PERMUTATIONS,
    POOLS,
    TIE_TOLERANCE,
    WORK_PER_CALL,
    Alternative,
    LocalRun,
    Pool,
    _as_matrix,
    _blocks,
    _kernel_array,
    _kernel_arrays,
    _row_blocks,
    _run,
    _seed_u64,
    check_pool,
    default_threads,
    global_permutations,
    local_permutations,
    pseudo_p,
    sequential_p,
    tie_tolerance,
)
from hotspots.stats._rng import (  # noqa: F401
    _below,
    _draw,
    _mix,
    _shared_pool,
    _stream_state,
    _stream_states,
)

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "ALTERNATIVES",
    "MAX_PERMUTATIONS",
    "POOLS",
    "TIE_TOLERANCE",
    "WORK_PER_CALL",
    "Alternative",
    "CSRGraph",
    "LocalRun",
    "LocalStatistic",
    "Pool",
    "check_pool",
    "csr_from_graph",
    "default_threads",
    "global_permutations",
    "local_g_stat",
    "local_moran_stat",
    "local_permutations",
    "pseudo_p",
    "sequential_p",
    "tie_tolerance",
]

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
    run = None  # no permutations (analytical inference): no simulation, nor its set-up
    if permutations:
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
    return LocalStatistic(statistic, zscore, run, island)


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
        statistic = np.where(denominator != 0, numerator / denominator, np.nan)
    island = graph.cardinalities == 0
    zscore[island] = np.nan
    run = None  # no permutations (analytical inference): no simulation, nor its set-up
    if permutations:
        with np.errstate(divide="ignore", invalid="ignore"):
            # an all-zero column (a period without offences) ties every simulation: p = 1
            a = np.where(denominator != 0, 1.0 / denominator, 0.0)
            b = (graph.self_weight[:, None] * x * a) if star else np.zeros_like(x)
        run = local_permutations(
            x, a, b, graph,
            permutations=permutations, seed=seed, pool=pool, keep=keep, threads=threads, stop=stop,
            settle=settle,
        )  # fmt: skip
    return LocalStatistic(statistic, zscore, run, island)
