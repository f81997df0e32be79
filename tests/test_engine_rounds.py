"""The shared-pool rounds of the adaptive engine: bookkeeping that must not change results.

The engine keeps a list of the cells (area, column) still drawing and asks the
``settle`` rule incrementally (:class:`hotspots.stats._inference.SettleTracker`);
these tests check that this gives exactly what the whole-array rule gives, and
pin the numbers of the version before that bookkeeping (same seed, same data).
"""

from __future__ import annotations

import numpy as np
import pytest

import boundaries
import hotspots
from hotspots.stats._csr import CSRGraph
from hotspots.stats._engine import local_g_stat
from hotspots.stats._inference import STOP_EXTREMES, Settler, adjust_p, settler


def queen_lattice(side: int) -> CSRGraph:
    """Queen contiguity of a ``side`` x ``side`` lattice (synthetic), self weight 1."""
    n = side * side
    row, col = np.divmod(np.arange(n), side)
    links = []
    for i in range(n):
        for dr in (-1, 0, 1):
            for dc in (-1, 0, 1):
                r, c = row[i] + dr, col[i] + dc
                if (dr or dc) and 0 <= r < side and 0 <= c < side:
                    links.append((i, r * side + c))
    focal, target = np.array(links).T
    return CSRGraph(
        indptr=np.concatenate([[0], np.cumsum(np.bincount(focal, minlength=n))]).astype(np.int64),
        indices=target.astype(np.int64),
        weights=np.ones(len(target)),
        self_weight=np.ones(n),
    )


@pytest.fixture(scope="module")
def planted():
    """Synthetic Poisson counts on a 16 x 16 lattice, 3 columns, with planted hot and cold spots."""
    rng = np.random.default_rng(5)
    values = rng.poisson(5.0, (256, 3)).astype(float)
    values[:40, 0] += 8  # a hot block in column 0
    values[100:140, 1] = 0  # a cold block in column 1
    values[200:, 2] += rng.poisson(4.0, 56)  # a weaker hot block in column 2
    return values, queen_lattice(16)


@pytest.mark.parametrize("correction", ["fdr", "by", "bonferroni", None],
                         ids=["fdr", "by", "bonferroni", "none"])  # fmt: skip
def test_incremental_settle_equals_whole_array_rule(planted, correction):
    values, graph = planted
    rule = settler(correction, [0.05])

    def whole(n_ge, n_le, used):  # the same rule without its tracker: asked on whole arrays
        return Settler(correction, 0.05, 0.05)(n_ge, n_le, used)

    runs = [
        local_g_stat(
            values,
            graph,
            permutations=20_000,
            seed=11,
            stop=STOP_EXTREMES,
            settle=settle,
            threads=threads,
        )
        for settle, threads in ((rule, 1), (whole, 1), (rule, 2))
    ]
    first = runs[0].run
    for run in runs[1:]:
        other = run.run
        assert np.array_equal(first.n_ge, other.n_ge)
        assert np.array_equal(first.n_le, other.n_le)
        assert np.array_equal(first.used, other.used)
    # the rule did stop some cells before their stopping count or the maximum (the family-
    # wise and Benjamini-Yekutieli rules need more permutations than this small run allows)
    extremes = np.minimum(first.n_ge, first.n_le)
    settled = (extremes < STOP_EXTREMES) & (first.used < 20_000)
    assert settled.sum() >= (5 if correction in ("fdr", None) else 0)


@pytest.mark.parametrize("correction", ["fdr", "by", "bonferroni", None],
                         ids=["fdr", "by", "bonferroni", "none"])  # fmt: skip
def test_areas_ruled_out_early_are_not_significant_in_the_full_run(planted, correction):
    """The rule stops an area as surely not significant before its stopping count or the
    maximum; the full fixed run on the same draws (the shared pool's permutation ``p`` is
    the same stream in both) must not find it significant, and the labels agree."""
    values, graph = planted
    maximum = 20_000
    adaptive = local_g_stat(values, graph, permutations=maximum, seed=11, stop=STOP_EXTREMES,
                            settle=settler(correction, [0.05]))  # fmt: skip
    fixed = local_g_stat(values, graph, permutations=maximum, seed=11)

    def significant(p):
        return np.column_stack([adjust_p(p[:, c], correction) <= 0.05 for c in range(p.shape[1])])

    run = adaptive.run
    early = (np.minimum(run.n_ge, run.n_le) < STOP_EXTREMES) & (run.used < maximum)
    ruled_out = early & ~significant(adaptive.p_sim())
    in_full = significant(fixed.p_sim())
    assert ruled_out.sum() >= 300  # most of the 768 cells stop this way
    assert not (ruled_out & in_full).any()
    assert (significant(adaptive.p_sim()) == in_full).mean() >= 0.99


def test_emerging_numbers_on_real_wards():
    """Pinned numbers on the shipped ward data, seed 3 (the same categories since the
    first adaptive version: 2,124,452 permutations then; 2,130,592 with rounds that do
    not shrink with the number of cells; 1,471,058 once areas surely not significant
    stop and the first round is 64 permutations)."""
    wards = boundaries.load("wards")
    crime = hotspots.read_met_crime(hotspots.sample_path("mps-ward-crime"))
    cube = hotspots.aggregate_monthly(crime, wards, crime_types="burglary")
    result = hotspots.emerging_hotspots(
        wards, cube.iloc[:, :8], seed=3, correction=None, time_lag=0
    )
    assert result.periods.attrs["hotspots"]["permutations_used"] == 1_471_058
    assert float(np.nansum(result.periods["gi_p_sim"])) == 2434.4125363502685
    counts = result.areas["emerging_label"].value_counts()
    assert counts["Sporadic cold spot"] == 35
    assert counts["New hot spot"] == 10
