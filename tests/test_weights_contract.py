"""The weights contract: Graph or W, an explicit transformation, graphs described by themselves.

References are brute-force formulas written here from the papers (Moran's I,
General G of Getis & Ord 1992, Gi* of Ord & Getis 1995 with general weights),
independent of the package's CSR engine.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from libpysal.graph import Graph

import boundaries
import hotspots
from hotspots import HotspotsWarning, InputError
from hotspots.weights._build import default_links, describe_weights

RTOL = 1e-10


@pytest.fixture(scope="module")
def boroughs():
    areas = boundaries.load("boroughs")
    rng = np.random.default_rng(19)
    areas["count"] = rng.poisson(40, len(areas)).astype(float)
    areas["residents"] = boundaries.population("boroughs").to_numpy(dtype=float)
    return areas


@pytest.fixture(scope="module")
def queen(boroughs):
    return hotspots.spatial_weights(boroughs)


@pytest.fixture(scope="module")
def kernel(boroughs):
    """A triangular-kernel graph on centroids: weights that differ within each row."""
    return Graph.build_kernel(boroughs.centroid, kernel="triangular", bandwidth=12000)


def dense(graph: Graph, ids: pd.Index) -> np.ndarray:
    return graph.sparse.toarray()[
        np.ix_(
            pd.Index(graph.unique_ids).get_indexer(ids), pd.Index(graph.unique_ids).get_indexer(ids)
        )
    ]


def moran_brute(x: np.ndarray, w: np.ndarray) -> float:
    z = x - x.mean()
    np.fill_diagonal(w, 0)
    return len(x) / w.sum() * (z @ w @ z) / (z @ z)


def general_g_brute(x: np.ndarray, w: np.ndarray) -> float:
    np.fill_diagonal(w, 0)
    return (x @ w @ x) / (x.sum() ** 2 - (x**2).sum())


def gi_star_brute(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Ord & Getis (1995) Gi* z-scores for general weights (w_ii included)."""
    n = len(x)
    mean, sd = x.mean(), x.std()
    out = np.empty(n)
    for i in range(n):
        wi = w[i]
        out[i] = (wi @ x - mean * wi.sum()) / (
            sd * np.sqrt((n * (wi**2).sum() - wi.sum() ** 2) / (n - 1))
        )
    return out


STATISTICS = {
    "global_moran": lambda areas, g: (
        hotspots.global_moran(areas, "count", graph=g, seed=1, permutations=19).I
    ),
    "general_g": lambda areas, g: (
        hotspots.general_g(areas, "count", graph=g, seed=1, permutations=19).G
    ),
    "local_moran": lambda areas, g: hotspots.local_moran(
        areas, "count", graph=g, seed=1, permutations=19
    )["lisa_i"].to_numpy(),
    "getis_ord": lambda areas, g: hotspots.getis_ord(
        areas, "count", graph=g, seed=1, permutations=19
    )["gi_z"].to_numpy(),
    "eb_moran": lambda areas, g: (
        hotspots.eb_moran(areas, "count", "residents", graph=g, seed=1, permutations=19).I
    ),
}


@pytest.mark.parametrize("kind", ["Graph", "W"], ids=["Graph", "W"])
@pytest.mark.parametrize("statistic", list(STATISTICS), ids=list(STATISTICS))
def test_graph_and_w_give_the_same_statistic(boroughs, queen, statistic, kind):
    graph = queen if kind == "Graph" else queen.to_W()
    expected = STATISTICS[statistic](boroughs, queen)
    np.testing.assert_allclose(STATISTICS[statistic](boroughs, graph), expected, rtol=RTOL)


@pytest.mark.parametrize("kind", ["Graph", "W"], ids=["Graph", "W"])
def test_emerging_hotspots_takes_graph_or_w(queen, kind):
    areas = boundaries.load("boroughs")
    cube = pd.DataFrame(
        np.random.default_rng(3).poisson(20, (len(areas), 6)),
        index=areas.index,
        columns=pd.period_range("2024-01", periods=6, freq="M"),
    )
    graph = queen if kind == "Graph" else queen.to_W()
    result = hotspots.emerging_hotspots(areas, cube, graph=graph, permutations=9, seed=2)
    reference = hotspots.emerging_hotspots(areas, cube, graph=queen, permutations=9, seed=2)
    pd.testing.assert_frame_equal(result.periods, reference.periods)


def test_not_a_graph_is_a_clear_error(boroughs):
    with pytest.raises(TypeError, match=r"libpysal\.graph\.Graph or libpysal\.weights\.W"):
        hotspots.global_moran(boroughs, "count", graph={"a": ["b"]})


@pytest.mark.parametrize(
    ("transformation", "matrix"),
    [
        ("r", lambda w: w / w.sum(axis=1, keepdims=True)),
        ("b", lambda w: (w != 0).astype(float)),
        ("o", lambda w: w),
    ],
    ids=["r", "b", "o"],
)
def test_global_moran_transformation_matches_brute_force(boroughs, kernel, transformation, matrix):
    w = dense(kernel, boroughs.index)
    np.fill_diagonal(w, 0)  # Moran's I does not use self-weights
    result = hotspots.global_moran(
        boroughs, "count", graph=kernel, transformation=transformation, permutations=0
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        full = np.nan_to_num(matrix(w))
    x = boroughs["count"].to_numpy()
    np.testing.assert_allclose(result.I, moran_brute(x, full), rtol=RTOL)
    words = {"r": "row-standardised", "b": "binary", "o": "weights as given"}[transformation]
    assert result.weights.endswith(f"; used {words}")


def test_transformation_is_not_case_sensitive_and_is_checked(boroughs, queen):
    upper = hotspots.global_moran(boroughs, "count", graph=queen, transformation="B", seed=1)
    lower = hotspots.global_moran(boroughs, "count", graph=queen, transformation="b", seed=1)
    assert upper == lower
    with pytest.raises(ValueError, match="transformation must be one of 'r', 'b', 'o'"):
        hotspots.local_moran(boroughs, "count", graph=queen, transformation="v")


def test_the_graphs_own_transformation_no_longer_ignored_with_o(boroughs, queen):
    rows = queen.transform("R")
    as_given = hotspots.global_moran(boroughs, "count", graph=rows, transformation="o", seed=1)
    default = hotspots.global_moran(boroughs, "count", graph=queen, seed=1)
    binary = hotspots.global_moran(boroughs, "count", graph=rows, transformation="b", seed=1)
    np.testing.assert_allclose(as_given.I, default.I, rtol=RTOL)
    assert not np.isclose(binary.I, default.I)


def test_getis_ord_never_binarises_a_kernel_graph_silently(boroughs, kernel):
    with pytest.raises(InputError, match=r"unequal weights .* transformation='o'"):
        hotspots.getis_ord(boroughs, "count", graph=kernel)
    with pytest.raises(InputError, match="unequal weights"):
        hotspots.general_g(boroughs, "count", graph=kernel)


def test_getis_ord_with_kernel_weights_matches_ord_getis(boroughs, kernel):
    result = hotspots.getis_ord(
        boroughs, "count", graph=kernel, transformation="o", permutations=0, inference="analytical"
    )
    w = dense(kernel, boroughs.index)
    np.fill_diagonal(w, 0)
    # no self-weight in the graph: the area weighs the largest weight of its row (esda)
    np.fill_diagonal(w, w.max(axis=1))
    x = boroughs["count"].to_numpy()
    expected = gi_star_brute(x, w)
    has_links = (w - np.diag(np.diag(w))).sum(axis=1) > 0
    np.testing.assert_allclose(result["gi_z"].to_numpy()[has_links], expected[has_links], rtol=1e-9)
    assert result.attrs["hotspots"]["transformation"] == "o"
    assert "weights as given, self included" in result.attrs["hotspots"]["weights"]


def test_getis_ord_binary_default_equals_explicit_b_and_o_on_binary(boroughs, queen):
    default = hotspots.getis_ord(
        boroughs, "count", graph=queen, permutations=0, inference="analytical"
    )
    explicit = hotspots.getis_ord(
        boroughs, "count", graph=queen, permutations=0, inference="analytical", transformation="b"
    )
    # on a binary graph the row maximum is 1: "o" is the same Gi*
    as_given = hotspots.getis_ord(
        boroughs, "count", graph=queen, permutations=0, inference="analytical", transformation="o"
    )
    # a row-standardised contiguity graph is binary up to a row scale: the default stays "b"
    rows = hotspots.getis_ord(
        boroughs, "count", graph=queen.transform("R"), permutations=0, inference="analytical"
    )
    for other in (explicit, as_given, rows):
        np.testing.assert_allclose(other["gi_z"], default["gi_z"], rtol=RTOL)
    w = dense(queen, boroughs.index) + np.eye(len(boroughs))
    np.testing.assert_allclose(
        default["gi_z"], gi_star_brute(boroughs["count"].to_numpy(), w), rtol=1e-9
    )


def test_getis_ord_row_standardised_star(boroughs, queen):
    result = hotspots.getis_ord(
        boroughs, "count", graph=queen, permutations=0, inference="analytical", transformation="r"
    )
    w = dense(queen, boroughs.index) + np.eye(len(boroughs))
    w = w / w.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(
        result["gi_z"], gi_star_brute(boroughs["count"].to_numpy(), w), rtol=1e-9
    )


def test_general_g_with_kernel_weights(boroughs, kernel):
    result = hotspots.general_g(boroughs, "count", graph=kernel, transformation="o", permutations=0)
    w = dense(kernel, boroughs.index)
    np.testing.assert_allclose(
        result.G, general_g_brute(boroughs["count"].to_numpy(), w), rtol=RTOL
    )


def test_spatial_weights_transform_is_deprecated(boroughs):
    with pytest.warns(DeprecationWarning, match=r"transform\('R'\)"):
        rows = hotspots.spatial_weights(boroughs, transform="R")
    assert rows.transformation == "R"


def test_description_comes_from_the_graph(boroughs, queen):
    assert describe_weights(queen) == "33 areas, 136 links (4.1 per area), binary"
    assert "self-weights" in describe_weights(queen.assign_self_weight(1.0))
    result = hotspots.local_moran(boroughs, "count", seed=1, permutations=9)
    assert result.attrs["hotspots"]["weights"] == (
        "queen contiguity (tolerance 0.1 m): 33 areas, 136 links (4.1 per area), binary; "
        "used row-standardised"
    )


def test_default_graph_is_built_once_per_set_of_areas(boroughs):
    first = default_links(boroughs)
    again = default_links(boroughs.copy())
    assert again is first  # same geometry, index and CRS: the same (immutable) links
    assert first.how == "queen contiguity (tolerance 0.1 m)"
    assert not first.heads.flags.writeable and not first.tails.flags.writeable
    moved = boroughs.copy()
    moved.geometry = moved.translate(1.0)
    assert default_links(moved) is not first
    renamed = boroughs.rename(index=lambda code: f"x{code}")
    assert default_links(renamed) is not first
    one_changed = boroughs.copy()  # the same geometry objects but one, replaced in place
    one_changed.loc["E09000001", "geometry"] = one_changed.geometry["E09000001"].buffer(600)
    changed = default_links(one_changed)
    assert changed is not first and len(changed.heads) > len(first.heads)


def test_cached_default_graph_still_warns_about_islands():
    wards = boundaries.load("wards")
    graph = hotspots.spatial_weights(wards)
    focal = "E05013565"
    areas = wards.drop(graph[focal].index)
    for _ in range(2):  # built, then from the cache: the warning both times
        with pytest.warns(HotspotsWarning, match="no neighbours"):
            default_links(areas)


def test_cache_does_not_keep_warnings_silent_for_other_areas(boroughs):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        default_links(boroughs)


@pytest.mark.parametrize(
    ("method", "options"),
    [("queen", {}), ("rook", {}), ("knn", {"k": 3}), ("distance", {"threshold": 9000})],
    ids=["queen", "rook", "knn-not-symmetric", "distance-with-islands"],
)
@pytest.mark.parametrize("order", ["as-built", "shuffled", "subset"])
def test_links_read_without_libpysal_equal_the_graph(boroughs, method, options, order):
    """The default graph and the CLI's links go to the engine without a libpysal Graph:
    the same arrays as through the Graph, in any order of the areas."""
    from hotspots.stats._csr import csr_from_graph, csr_from_links
    from hotspots.weights._build import build_links

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HotspotsWarning)  # islands of the distance band
        links = build_links(boroughs, method, **options)
    ids = {
        "as-built": None,
        "shuffled": boroughs.index[np.random.default_rng(3).permutation(len(boroughs))],
        "subset": boroughs.index[::2],
    }[order]
    direct, through = csr_from_links(links, ids), csr_from_graph(links.graph(), ids)
    for field in ("indptr", "indices", "weights", "self_weight"):
        np.testing.assert_array_equal(getattr(direct, field), getattr(through, field), field)


def test_statistics_on_links_equal_statistics_on_their_graph(boroughs):
    from hotspots.weights._build import build_links

    links = build_links(boroughs, "knn", k=4)
    on_links = hotspots.getis_ord(boroughs, "count", graph=links, seed=3)
    on_graph = hotspots.getis_ord(boroughs, "count", graph=links.graph(), seed=3)
    pd.testing.assert_frame_equal(on_links, on_graph)
    described, plain = on_links.attrs["hotspots"], on_graph.attrs["hotspots"]
    # the links also know how they were built; the rest of the provenance is the same
    assert described.pop("weights") == f"{links.how}: {plain.pop('weights')}"
    assert described == plain
