"""The permutation engine: randomisation rules, reproducibility, null distribution, cache."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from _reference import graph as reference_graph
from _reference import lisa_through_kernel
from _reference import values as reference_values
from esda import Moran_Local
from esda.crand import vec_permutations
from libpysal.graph import Graph

from hotspots.stats import _engine as engine
from hotspots.stats._engine import (
    csr_from_graph,
    local_g_stat,
    local_moran_stat,
    local_permutations,
    pseudo_p,
)

POOLS = ["shared", "independent"]
ESDA_SEED = 1


@pytest.fixture(scope="module")
def wards():
    """Real graph and values: possession of weapons per ward (679 wards with data)."""
    frame = reference_values("wards_weapons").dropna(subset=["value"])
    return frame["value"].to_numpy(), csr_from_graph(reference_graph("wards_weapons"), frame.index)


@pytest.mark.parametrize("pool", POOLS)
def test_focal_area_never_drawn_as_its_own_neighbour(wards, pool):
    _, csr = wards
    small = csr.subset(np.arange(csr.n) < 80)
    n = small.n
    indicator = np.eye(n)  # column c is 1 at area c only
    run = local_permutations(indicator, np.ones((n, n)), np.zeros((n, n)), small,
                             permutations=200, seed=3, pool=pool, keep=True)  # fmt: skip
    own = run.simulations[np.arange(n), np.arange(n), :]
    assert not own.any()
    # ... while every other area is drawn for someone
    drawn = run.simulations.sum(axis=(0, 2))
    assert (drawn > 0).all()


@pytest.mark.parametrize("pool", POOLS)
def test_draws_are_without_replacement(wards, pool):
    """Neighbour sets hold distinct areas: with values 2**position a duplicate shows in the sum."""
    _, csr = wards
    n = 40
    small = csr.subset(np.arange(csr.n) < n)
    run = local_permutations(np.ones(n), np.ones(n), np.zeros(n), small, permutations=300,
                             seed=1, pool=pool, keep=True)  # fmt: skip
    # weights are binary from the stored list: the lag of ones is the cardinality
    card = small.cardinalities.astype(float)
    sims = run.simulations[:, 0, :]
    assert np.array_equal(sims, np.repeat(card[:, None], 300, axis=1))
    powers = 2.0 ** np.arange(n)
    run = local_permutations(powers, np.ones(n), np.zeros(n), small, permutations=300,
                             seed=1, pool=pool, keep=True)  # fmt: skip
    bits = run.simulations[:, 0, :].astype(np.int64)
    popcount = np.vectorize(lambda v: bin(v).count("1"))(bits)
    assert np.array_equal(popcount, np.repeat(small.cardinalities[:, None], 300, axis=1))


@pytest.mark.parametrize("pool", POOLS)
def test_large_neighbour_sets_are_distinct_and_never_the_focal_area(pool):
    """Cardinalities above the rejection-sampling limit take the Fisher-Yates path."""
    n, card = 50, engine._REJECTION_MAX + 8
    rng = np.random.default_rng(4)
    focal = np.repeat(np.arange(n), card)
    neighbour = np.concatenate([rng.choice(np.delete(np.arange(n), i), card, replace=False)
                                for i in range(n)])  # fmt: skip
    graph = csr_from_graph(Graph.from_arrays(focal, neighbour, np.ones(n * card)))
    powers = 2.0 ** np.arange(n)  # the sum of distinct powers of two shows which areas
    run = local_permutations(powers, np.ones(n), np.zeros(n), graph, permutations=200, seed=2,
                             pool=pool, keep=True)  # fmt: skip
    bits = run.simulations[:, 0, :].astype(np.int64)
    popcount = np.vectorize(lambda v: bin(v).count("1"))(bits)
    assert (popcount == card).all()
    assert not (bits & (1 << np.arange(n))[:, None]).any()


@pytest.mark.parametrize("pool", POOLS)
def test_same_seed_same_result_whatever_the_threads(wards, pool):
    x, csr = wards
    runs = [
        local_moran_stat(
            x, csr.row_standardised(), permutations=99, seed=42, pool=pool, threads=t
        ).run
        for t in (1, 2, 3)
    ]
    for run in runs[1:]:
        assert np.array_equal(run.n_ge, runs[0].n_ge)
        assert np.array_equal(run.n_le, runs[0].n_le)
    other = local_moran_stat(x, csr.row_standardised(), permutations=99, seed=43, pool=pool)
    assert not np.array_equal(other.run.n_ge, runs[0].n_ge)


def test_global_permutations_reproducible_across_threads(wards):
    x, csr = wards
    a = engine.global_permutations(x, csr, permutations=50, seed=5, threads=1)[1]
    b = engine.global_permutations(x, csr, permutations=50, seed=5, threads=2)[1]
    assert np.array_equal(a, b)


def test_shared_pool_kernel_matches_a_plain_numpy_implementation(wards):
    """Same pool: counts identical to a direct implementation of the definition."""
    x, csr = wards
    w = csr.row_standardised()
    permutations = 199
    stat = local_moran_stat(x, w, permutations=permutations, seed=11, keep=True)
    width = int(w.cardinalities.max())
    pool = engine._shared_pool(w.n - 1, width, 0, permutations, engine._seed_u64(11))
    z = x - x.mean()
    m2 = (z**2).sum() / len(z)
    tie = engine.tie_tolerance(z[:, None], (z / m2)[:, None], np.zeros((w.n, 1)), w)
    for i in range(0, w.n, 7):
        lo, hi = w.indptr[i], w.indptr[i + 1]
        ids = pool[:, : hi - lo]
        ids = ids + (ids >= i)  # skip the focal position
        sims = z[i] / m2 * (z[ids] * w.weights[lo:hi]).sum(axis=1)
        np.testing.assert_allclose(stat.run.simulations[i, 0], sims, rtol=1e-12)
        sims, obs = stat.run.simulations[i, 0], stat.statistic[i, 0]
        assert stat.run.n_ge[i, 0] == (sims >= obs - tie[i, 0]).sum()
        assert stat.run.n_le[i, 0] == (sims <= obs + tie[i, 0]).sum()


def test_batched_columns_equal_one_at_a_time(wards):
    x, csr = wards
    rng = np.random.default_rng(0)
    columns = np.column_stack([x, rng.poisson(3, len(x)), x[::-1]]).astype(float)
    b = csr.binary(self_weight=1.0)
    batch = local_g_stat(columns, b, permutations=99, seed=9)
    for c in range(columns.shape[1]):
        one = local_g_stat(columns[:, c], b, permutations=99, seed=9)
        np.testing.assert_array_equal(batch.z[:, c], one.z[:, 0])
        np.testing.assert_array_equal(batch.run.n_ge[:, c], one.run.n_ge[:, 0])


@pytest.mark.parametrize("pool", POOLS)
def test_pseudo_p_uniform_under_the_null(wards, pool):
    """Random values on the real ward graph: p-values roughly uniform, FP rate near alpha."""
    _, csr = wards
    rng = np.random.default_rng(2024)
    noise = rng.normal(size=(csr.n, 30))  # 30 null replicates x 679 wards
    stat = local_moran_stat(noise, csr.row_standardised(), permutations=199, seed=1, pool=pool)
    p = stat.p_sim().ravel()
    for alpha in (0.01, 0.05, 0.10):
        assert abs((p <= alpha).mean() - alpha) < 0.25 * alpha + 0.004, alpha
    deciles = np.histogram(p, bins=10, range=(0, 1))[0] / p.size
    assert np.all(np.abs(deciles - 0.1) < 0.02)
    greater = stat.run.p_value("greater").ravel()
    assert abs((greater <= 0.05).mean() - 0.05) < 0.0125


@pytest.fixture(scope="module")
def esda_lisa():
    """esda's Moran_Local on the real ward graph, 999 permutations, simulations kept.

    esda compiles its numba functions in every new process (they are not
    cached): this fixture pays for that once for both comparisons below.
    """
    g = reference_graph("wards_weapons")
    w = g.to_W()
    w.transform = "r"
    x = reference_values("wards_weapons")["value"].reindex(w.id_order).to_numpy()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "The alternative hypothesis", DeprecationWarning)
        lisa = Moran_Local(x, w, permutations=999, seed=ESDA_SEED, n_jobs=1, keep_simulations=True)
    return x, csr_from_graph(g, w.id_order).row_standardised(), lisa


@pytest.mark.slow  # live esda (numba compile); stored: tests/test_esda_reference.py
def test_same_pool_as_esda_gives_the_same_simulations_and_p(esda_lisa):
    """esda's own lookup table through our kernel: same simulated I_i, same counts, same p.

    ``esda.crand.vec_permutations`` rebuilds, from the seed, the pool esda drew
    from (numba's generator is reseeded inside it). Our simulated statistics are
    esda's times ``n / (n - 1)`` (the two conventions for I_i), so counting
    esda's simulations with our tie rule gives our counts, and esda's p_sim is
    ours wherever no simulated value ties with the observed one.
    """
    x, w, lisa = esda_lisa
    n, permutations = w.n, 999
    pool = vec_permutations(int(w.cardinalities.max()), n, permutations, ESDA_SEED)
    observed, simulations, n_ge, n_le, tie = lisa_through_kernel(x, w, pool)
    np.testing.assert_allclose(simulations * (n - 1) / n, lisa.sim.T, rtol=1e-10)
    np.testing.assert_allclose(observed * (n - 1) / n, lisa.Is, rtol=1e-12)
    # ties (same lag, summed in another order) count in both tails: esda's rounding decides
    tie = tie * (n - 1) / n
    assert np.array_equal(n_ge, (lisa.sim >= lisa.Is - tie).sum(axis=0))
    assert np.array_equal(n_le, (lisa.sim <= lisa.Is + tie).sum(axis=0))
    # esda's p_sim: the smaller of (>= observed) and (< observed); equal wherever nothing ties
    no_tie = ~(np.abs(lisa.sim - lisa.Is) <= tie).any(axis=0)
    assert no_tie.sum() >= 20  # small counts: most wards have some exact ties
    directed = pseudo_p(n_ge, n_le, permutations, "directed")
    np.testing.assert_allclose(directed[no_tie], lisa.p_sim[no_tie], rtol=1e-6)  # float32
    assert (directed[~no_tie] >= lisa.p_sim[~no_tie] - 1e-6).all()  # ties: ours conservative


@pytest.mark.slow  # live esda (numba compile); stored: tests/test_esda_reference.py
def test_independent_seeds_give_p_values_that_agree_with_esda(esda_lisa):
    """Different pools: counted as esda counts, each area's p agrees up to Monte Carlo error.

    Each area's count of simulations in the smaller tail is, for esda and for us, a binomial
    count out of 999 for the same probability: their difference over ``sqrt(sum + 1)`` (the
    Poisson bound on its standard deviation) must stay within 6 for every area. The bound
    holds area by area, however the shared pool correlates the areas (which makes summaries
    over areas, such as a correlation, vary much more from seed to seed than their size
    suggests). Our own directed p differs from esda's rule only by counting ties in both tails.
    """
    x, w, lisa = esda_lisa
    permutations = 999
    ours = local_moran_stat(x, w, permutations=permutations, seed=ESDA_SEED + 1, keep=True)
    larger = (ours.run.simulations[:, 0, :] >= ours.statistic).sum(axis=1)  # esda's rule
    ours_tail = np.minimum(larger, permutations - larger)
    esda_tail = np.rint(lisa.p_sim * (permutations + 1)) - 1
    error = (ours_tail - esda_tail) / np.sqrt(ours_tail + esda_tail + 1)
    assert np.abs(error).max() < 6
    esda_rule = pseudo_p(larger, permutations - larger, permutations, "directed")
    assert (ours.p_sim("directed")[:, 0] >= esda_rule).all()


def test_pseudo_p_definitions():
    n_ge, n_le = np.array([0, 999, 500, 999]), np.array([999, 0, 500, 999])
    assert pseudo_p(n_ge, n_le, 999, "greater").tolist() == [0.001, 1.0, 0.501, 1.0]
    assert pseudo_p(n_ge, n_le, 999, "less").tolist() == [1.0, 0.001, 0.501, 1.0]
    assert pseudo_p(n_ge, n_le, 999, "directed").tolist() == [0.001, 0.001, 0.501, 1.0]
    assert pseudo_p(n_ge, n_le, 999, "two-sided").tolist() == [0.002, 0.002, 1.0, 1.0]
    with pytest.raises(ValueError, match="alternative"):
        pseudo_p(n_ge, n_le, 999, "folded")


def test_value_at_the_mean_is_never_significant():
    """All simulated I tie with I = 0: p = 1 (esda's directed count would give 1/(R+1))."""
    g = Graph.from_arrays([0, 1, 1, 2, 2, 3], [1, 0, 2, 1, 3, 2], np.ones(6))
    x = np.array([1.0, 2.0, 3.0, 6.0])  # mean 3: area 2 sits at the mean
    stat = local_moran_stat(x, csr_from_graph(g).row_standardised(), permutations=99, seed=0)
    assert stat.p_sim()[2, 0] == 1.0


def test_csr_from_graph_keeps_self_weights_and_drops_isolate_markers():
    g = Graph.from_arrays(["a", "a", "b", "b", "c"], ["a", "b", "a", "b", "c"],
                          [2.0, 1.0, 1.0, 3.0, 0.0])  # fmt: skip
    csr = csr_from_graph(g, ids=["c", "b", "a"])
    assert csr.self_weight.tolist() == [0.0, 3.0, 2.0]
    assert csr.cardinalities.tolist() == [0, 1, 1]
    assert csr.indices.tolist() == [2, 1]


def test_simulations_only_when_asked(wards):
    x, csr = wards
    assert local_moran_stat(x, csr, permutations=9, seed=0).run.simulations is None


# A child process that imports only the engine (no libpysal, no pandas work): cheap to start.
ENGINE_RUN = """
import sys
import numpy as np
from hotspots.stats import _engine as e
arrays = np.load(sys.argv[1])
graph = e.CSRGraph(arrays["indptr"], arrays["indices"], arrays["weights"], arrays["self_weight"])
stat = e.local_g_stat(arrays["x"], graph, permutations=99, seed=5, pool=sys.argv[2])
np.save(sys.argv[3], np.concatenate([stat.run.n_ge, stat.run.n_le]))
print(e.__file__)
"""


def _run_engine(tmp_path, wards, env, pool="shared", out="counts.npy"):
    x, csr = wards
    graph = csr.binary(self_weight=1.0)
    data = tmp_path / "graph.npz"
    np.savez(data, x=x, indptr=graph.indptr, indices=graph.indices, weights=graph.weights,
             self_weight=graph.self_weight)  # fmt: skip
    command = [sys.executable, "-c", ENGINE_RUN, str(data), pool, str(tmp_path / out)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True,
                          cwd=tmp_path)  # fmt: skip
    return np.load(tmp_path / out), done.stdout.strip()


@pytest.mark.parametrize("pool", POOLS)
def test_same_seed_same_counts_with_one_or_two_numba_threads(tmp_path, wards, pool):
    """Fresh processes with NUMBA_NUM_THREADS=1 and =2 (the default thread count) agree."""
    counts = []
    for threads in ("1", "2"):
        env = {**os.environ, "NUMBA_NUM_THREADS": threads}
        counts.append(_run_engine(tmp_path, wards, env, pool, f"counts{threads}.npy")[0])
    assert np.array_equal(counts[0], counts[1])
    x, csr = wards
    here = local_g_stat(x, csr.binary(self_weight=1.0), permutations=99, seed=5, pool=pool).run
    assert np.array_equal(counts[0], np.concatenate([here.n_ge, here.n_le]))


def _files(folder: Path) -> dict[Path, tuple[int, int]]:
    return {p: (p.stat().st_mtime_ns, p.stat().st_size) for p in folder.rglob("*") if p.is_file()}


def test_compiled_cache_works_from_a_read_only_install(tmp_path, wards):
    """Package dir not writable: numba caches in the user cache dir; a second process loads it.

    The package copy is made read-only, and its ``__pycache__`` is a plain file so
    that nothing can be written there even when the tests run as root.
    """
    package = tmp_path / "site" / "hotspots"
    shutil.copytree(Path(engine.__file__).parents[1], package,
                    ignore=shutil.ignore_patterns("__pycache__", "_data"))  # fmt: skip
    for folder in [package, *(p for p in package.rglob("*") if p.is_dir())]:
        (folder / "__pycache__").write_text("not a directory")
    for path in [package, *package.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    cache = tmp_path / "cache"
    env = {k: v for k, v in os.environ.items() if not k.startswith("NUMBA_CACHE")}
    env.update(PYTHONPATH=str(package.parent), XDG_CACHE_HOME=str(cache), HOME=str(tmp_path),
               PYTHONDONTWRITEBYTECODE="1")  # fmt: skip
    try:
        counts, module = _run_engine(tmp_path, wards, env)
        assert module.startswith(str(package.parent))
        cached = sorted(p.name for p in cache.rglob("*.nbi"))
        assert any("_shared_cells" in name for name in cached), cached
        assert not list(package.rglob("*.nbi"))
        written = _files(cache)
        again, _ = _run_engine(tmp_path, wards, env)
        assert np.array_equal(again, counts)
        assert _files(cache) == written  # loaded from the cache: nothing compiled or saved again
    finally:
        for path in [package, *package.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
