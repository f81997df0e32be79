"""Counter-based random numbers for the permutation engine (private).

SplitMix64 keyed on ``(seed, stream)``: the stream is the permutation number
(shared pool) or the area number (independent draws), so the same seed gives
identical draws whatever the number of threads or the batching.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numpy as np
from numba import njit

_F = TypeVar("_F", bound=Callable[..., Any])


def compiled(func: _F) -> _F:
    """``numba.njit(cache=True, nogil=True)`` keeping the function's signature for type checkers.

    numba has no type information, so its decorator would make every kernel untyped.
    """
    return cast(_F, njit(cache=True, nogil=True)(func))


# ---------------------------------------------------------------------------
# random numbers: SplitMix64, one stream per (seed, permutation) or (seed, area)
# ---------------------------------------------------------------------------

_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2**-53


@compiled
def _mix(z: np.uint64) -> np.uint64:
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return z ^ (z >> np.uint64(31))


@compiled
def _stream_state(seed: np.uint64, stream: int) -> np.uint64:
    """Starting state of stream ``stream`` for ``seed`` (both uint64)."""
    return _mix(_mix(seed) + np.uint64(stream) * _GAMMA + _GAMMA)


@compiled
def _below(state: np.uint64, bound: int) -> tuple[np.uint64, np.int64]:
    """Advance ``state`` and return ``(state, r)`` with ``r`` uniform in ``0..bound-1``."""
    state = state + _GAMMA
    u = (_mix(state) >> np.uint64(11)) * _TO_UNIT
    r = np.int64(u * bound)
    return state, r


@compiled
def _draw(
    state: np.uint64, scratch: np.ndarray, swaps: np.ndarray, out: np.ndarray, k: int, m: int
) -> np.uint64:
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


@compiled
def _shared_pool(m: int, width: int, start: int, stop: int, seed: np.uint64) -> np.ndarray:
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


@compiled
def _stream_states(seed: np.uint64, n: int) -> np.ndarray:
    """Starting states of streams ``0..n-1`` of ``seed``."""
    states = np.empty(n, dtype=np.uint64)
    for i in range(n):
        states[i] = _stream_state(seed, i)
    return states
