"""global_moran, general_g: esda agreement, result object, permutations."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from _reference import values as reference_values
from esda import G, Moran

import boundaries
from hotspots import GlobalStatistic, general_g, global_moran, spatial_weights
from hotspots.stats._engine import csr_from_graph, global_permutations


@pytest.fixture(scope="module")
def wards():
    frame = boundaries.load("wards")
    frame["weapons"] = reference_values("wards_weapons")["value"].reindex(frame.index)
    data = frame.dropna(subset=["weapons"])
    return data, spatial_weights(data)


def test_moran_matches_esda(wards):
    data, graph = wards
    ours = global_moran(data, "weapons", graph=graph, permutations=0)
    theirs = Moran(data["weapons"].to_numpy(), graph.to_W(), transformation="r", permutations=0)
    assert pytest.approx(theirs.I, rel=1e-12) == ours.I
    assert ours.expected == pytest.approx(theirs.EI, rel=1e-12)
    assert ours.variance == pytest.approx(theirs.VI_rand, rel=1e-9)
    assert ours.z == pytest.approx(theirs.z_rand, rel=1e-9)
    assert ours.p_norm == pytest.approx(theirs.p_rand, rel=1e-6)


def test_general_g_matches_esda(wards):
    data, graph = wards
    ours = general_g(data, "weapons", graph=graph, permutations=0)
    theirs = G(data["weapons"].to_numpy(), graph.to_W(), permutations=0)
    assert pytest.approx(theirs.G, rel=1e-12) == ours.G
    assert ours.expected == pytest.approx(theirs.EG, rel=1e-12)
    assert ours.variance == pytest.approx(theirs.VG, rel=1e-9)


def test_result_is_a_small_frozen_dataclass(wards):
    data, graph = wards
    result = global_moran(data, "weapons", graph=graph, permutations=99, seed=4)
    assert isinstance(result, GlobalStatistic)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.value = 0.0
    assert result.value == result.I and result.statistic == "Moran's I"
    with pytest.raises(AttributeError):
        _ = result.G
    assert (result.permutations, result.seed, result.n) == (99, 4, 679)
    assert result.p_sim == pytest.approx(2 / 100)  # far in the tail: twice the smallest p
    assert "Moran's I of 'weapons'" in str(result)
    g = general_g(data, "weapons", graph=graph, permutations=0)
    assert np.isnan(g.p_sim)
    with pytest.raises(AttributeError):
        _ = g.I


def test_permutation_distribution_has_the_randomisation_moments(wards):
    """Over all permutations I has exactly mean E[I] and variance Var_rand[I] (Cliff & Ord).

    The simulated I must agree up to Monte Carlo error: the mean within 4 standard errors,
    the variance within 15 % (about 4.5 standard errors with 1999 permutations).
    """
    data, graph = wards
    result = global_moran(data, "weapons", graph=graph, permutations=0)
    z = data["weapons"].to_numpy() - data["weapons"].mean()
    csr = csr_from_graph(graph, data.index).row_standardised()
    _, simulated = global_permutations(z, csr, permutations=1999, seed=1)
    moran = simulated[:, 0] * len(z) / (csr.weights.sum() * (z**2).sum())
    assert abs(moran.mean() - result.expected) < 4 * np.sqrt(result.variance / len(moran))
    assert moran.var(ddof=1) == pytest.approx(result.variance, rel=0.15)


def test_same_seed_same_p_sim(wards):
    data, graph = wards
    a = general_g(data, "weapons", graph=graph, permutations=99, seed=2)
    b = general_g(data, "weapons", graph=graph, permutations=99, seed=2)
    assert a == b


@pytest.mark.parametrize("weighted", [False, True], ids=["binary", "weighted"])
@pytest.mark.parametrize("symmetric", [True, False], ids=["symmetric", "one-way-links"])
def test_weight_sums_match_the_sparse_matrix_formulas(weighted, symmetric):
    """S0, S1, S2 from the CSR arrays equal Cliff & Ord's matrix formulas (scipy.sparse)."""
    import scipy.sparse as sp

    from hotspots.stats._csr import CSRGraph
    from hotspots.stats._global import weight_sums

    rng = np.random.default_rng(7)
    n = 30
    dense = np.triu(rng.random((n, n)) < 0.2, 1)
    dense = dense | dense.T if symmetric else dense | (np.tril(rng.random((n, n)) < 0.1, -1))
    values = np.where(dense, rng.random((n, n)) + 0.1 if weighted else 1.0, 0.0)
    matrix = sp.csr_matrix(values)
    graph = CSRGraph(
        matrix.indptr.astype(np.int64), matrix.indices.astype(np.int64), matrix.data, np.zeros(n)
    )
    s1 = 0.5 * float((matrix + matrix.T).power(2).sum())
    s2 = float(((values.sum(axis=1) + values.sum(axis=0)) ** 2).sum())
    np.testing.assert_allclose(weight_sums(graph), (values.sum(), s1, s2), rtol=1e-12)
