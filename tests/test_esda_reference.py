"""Our permutation engine against esda's stored local Moran (no esda numba compile).

The numbers were written by ``scripts/esda_reference.py`` with the esda and
numba versions stored in the file; the same comparisons against a live esda run
are in ``tests/test_engine.py`` under the ``slow`` marker (``.ci/run`` runs them).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from _reference import graph as reference_graph
from _reference import lisa_through_kernel
from _reference import values as reference_values

from hotspots.stats._engine import csr_from_graph, local_moran_stat, pseudo_p

STORED = Path(__file__).parent / "data" / "reference" / "esda_wards_weapons_lisa.npz"
PERMUTATIONS = 999
SEED = 1


@pytest.fixture(scope="module")
def esda_stored():
    stored = dict(np.load(STORED))
    ids = stored["ids"].tolist()
    g = reference_graph("wards_weapons")
    x = reference_values("wards_weapons")["value"].reindex(ids).to_numpy()
    return x, csr_from_graph(g, ids).row_standardised(), stored


def test_same_pool_as_esda_gives_the_same_simulations_and_p(esda_stored):
    """esda's lookup table through our kernel: the simulations esda summarised, esda's p.

    Our I_i are esda's times ``n / (n - 1)``; esda's ``p_sim`` is ours wherever no
    simulated value ties with the observed one (ties count in both tails here).
    """
    x, w, esda = esda_stored
    n = w.n
    observed, simulations, n_ge, n_le, tie = lisa_through_kernel(x, w, esda["pool"])
    sims = simulations * (n - 1) / n
    np.testing.assert_allclose(observed * (n - 1) / n, esda["Is"], rtol=1e-12)
    np.testing.assert_allclose(sims.sum(axis=1), esda["sim_sum"], rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose((sims**2).sum(axis=1), esda["sim_sumsq"], rtol=1e-9)
    np.testing.assert_allclose(sims.min(axis=1), esda["sim_min"], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(sims.max(axis=1), esda["sim_max"], rtol=1e-10, atol=1e-12)
    no_tie = ~(np.abs(sims - esda["Is"][:, None]) <= tie[:, None] * (n - 1) / n).any(axis=1)
    assert no_tie.sum() >= 20  # small counts: most wards have some exact ties
    directed = pseudo_p(n_ge, n_le, PERMUTATIONS, "directed")
    np.testing.assert_allclose(directed[no_tie], esda["p_sim"][no_tie], rtol=1e-6)  # float32
    assert (directed[~no_tie] >= esda["p_sim"][~no_tie] - 1e-6).all()  # ties: conservative


def test_independent_seeds_give_p_values_that_agree_with_esda(esda_stored):
    """Different pools: each area's smaller-tail count agrees with esda's within 6 Poisson sd."""
    x, w, esda = esda_stored
    ours = local_moran_stat(x, w, permutations=PERMUTATIONS, seed=SEED + 1, keep=True)
    larger = (ours.run.simulations[:, 0, :] >= ours.statistic).sum(axis=1)  # esda's rule
    ours_tail = np.minimum(larger, PERMUTATIONS - larger)
    esda_tail = np.rint(esda["p_sim"] * (PERMUTATIONS + 1)) - 1
    error = (ours_tail - esda_tail) / np.sqrt(ours_tail + esda_tail + 1)
    assert np.abs(error).max() < 6
    esda_rule = pseudo_p(larger, PERMUTATIONS - larger, PERMUTATIONS, "directed")
    assert (ours.p_sim("directed")[:, 0] >= esda_rule).all()
