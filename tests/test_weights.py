"""spatial_weights: neighbours checked against independent computations on the shipped layers.

References: libpysal's vertex-matching ``Graph.build_contiguity`` (a different algorithm
from ours, which is geometric), brute-force shapely predicates over every pair of areas,
and brute-force centroid distances for knn and distance bands.
"""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal
from libpysal.graph import Graph
from scipy.spatial.distance import cdist

import boundaries
from hotspots import HotspotsWarning, InputError, spatial_weights
from hotspots.weights._build import build_links, describe_weights

LAYERS = ["boroughs", "wards", "wards-2018", "lsoa", "lsoa-2011", "msoa"]
CITY = "E09000001"

# our warnings are attributed to the caller (this file), which the project-wide
# "error:::hotspots" filter does not match: make any unexpected one fail here too
pytestmark = pytest.mark.filterwarnings("error::hotspots.HotspotsWarning")


def links(graph: Graph) -> set[tuple[object, object]]:
    """The directed links of a graph, without the zero self-loops that mark isolates."""
    return {(i, j) for (i, j), w in graph.adjacency.items() if i != j}


def jitter(areas: gpd.GeoDataFrame, amount: float, seed: int) -> gpd.GeoDataFrame:
    """A copy whose every vertex is moved independently by up to ``amount`` metres per axis.

    Shared vertices of neighbouring areas move differently, as in independently
    digitised files: the shared edges then neither share vertices nor meet exactly.
    """
    rng = np.random.default_rng(seed)

    def ring(r):
        xy = np.asarray(r.coords)
        xy = xy + rng.uniform(-amount, amount, xy.shape)
        xy[-1] = xy[0]
        return xy

    def polygon(p):
        return shapely.Polygon(ring(p.exterior), [ring(h) for h in p.interiors])

    moved = [
        shapely.MultiPolygon([polygon(p) for p in g.geoms])
        if g.geom_type == "MultiPolygon"
        else polygon(g)
        for g in areas.geometry
    ]
    return areas.set_geometry(gpd.GeoSeries(shapely.make_valid(moved), index=areas.index))


@pytest.fixture(scope="module")
def wards() -> gpd.GeoDataFrame:
    return boundaries.load("wards")


@pytest.fixture(scope="module")
def boroughs() -> gpd.GeoDataFrame:
    return boundaries.load("boroughs")


# --- contiguity on the real layers ------------------------------------------------------


# the three largest layers (about 50 s of CPU) run with the slow tests (CI: pytest -m slow)
LARGE_LAYERS = ("wards-2018", "lsoa", "lsoa-2011")


@pytest.mark.parametrize("method", ["queen", "rook"])
@pytest.mark.parametrize(
    "layer",
    [pytest.param(la, marks=pytest.mark.slow) if la in LARGE_LAYERS else la for la in LAYERS],
)
def test_contiguity_matches_libpysal_on_shipped_layers_without_islands(layer, method):
    areas = boundaries.load(layer)
    graph = spatial_weights(areas, method)  # an island would warn, and warnings fail tests
    reference = Graph.build_contiguity(areas, rook=method == "rook")
    assert links(graph) == links(reference)
    assert list(graph.unique_ids) == list(areas.index)
    assert len(graph.isolates) == 0


@pytest.mark.parametrize("method", ["queen", "rook"])
def test_contiguity_matches_brute_force_over_all_pairs(boroughs, method):
    geoms = boroughs.geometry.to_numpy()
    codes = boroughs.index
    expected = set()
    for i, j in itertools.permutations(range(len(geoms)), 2):
        shared = shapely.intersection(geoms[i].boundary, geoms[j].boundary)
        touching = shapely.intersects(geoms[i], geoms[j])
        if touching and (method == "queen" or shared.length > 0):
            expected.add((codes[i], codes[j]))
    assert links(spatial_weights(boroughs, method, tolerance=0)) == expected


def test_city_of_london_neighbours_are_the_five_that_border_it(boroughs):
    graph = spatial_weights(boroughs)
    names = boroughs.loc[graph[CITY].index, "name"]
    assert sorted(names) == ["Camden", "Hackney", "Islington", "Tower Hamlets", "Westminster"]


# --- files whose shared edges do not coincide -------------------------------------------


def test_jittered_vertices_keep_every_neighbour_at_the_default_tolerance(wards):
    # 2 cm per axis, below the 10 cm default: vertex matching finds nothing at all
    moved = jitter(wards, 0.02, seed=1)
    assert Graph.build_contiguity(moved, rook=False).n_edges == 0
    assert links(spatial_weights(moved)) == links(spatial_weights(wards))
    assert links(spatial_weights(moved, "rook")) <= links(spatial_weights(wards, "rook"))


def test_jittered_vertices_lose_neighbours_at_zero_tolerance(wards):
    # exact contact: queen keeps the links where the moved edges happen to cross and
    # loses the others (8 % here); rook loses every one of them
    moved = jitter(wards, 0.02, seed=2)
    queen = links(spatial_weights(moved, tolerance=0))
    assert queen < links(spatial_weights(wards))
    assert len(queen) < 0.95 * len(links(spatial_weights(wards)))
    with pytest.warns(HotspotsWarning, match="680 areas with no neighbours"):
        rook = spatial_weights(moved, "rook", tolerance=0)
    assert links(rook) == set()


def test_larger_jitter_with_larger_tolerance_only_adds_near_corner_links(wards):
    moved = jitter(wards, 0.5, seed=3)
    original = links(spatial_weights(wards))
    found = links(spatial_weights(moved, tolerance=2.0))
    assert original <= found
    geoms = wards.geometry
    for i, j in found - original:
        # areas that did not touch, but come within the tolerance (plus the jitter)
        assert 0 < geoms[i].distance(geoms[j]) <= 2.0 + 2 * 0.5 * np.sqrt(2)


def test_rook_with_tolerance_drops_only_shared_edges_shorter_than_twice_the_tolerance(wards):
    moved = jitter(wards, 0.5, seed=4)
    original = links(spatial_weights(wards, "rook"))
    found = links(spatial_weights(moved, "rook", tolerance=2.0))
    assert found <= original
    geoms = wards.geometry
    for i, j in original - found:
        assert shapely.intersection(geoms[i].boundary, geoms[j].boundary).length < 2 * 2.0 + 2


def test_differently_densified_edges_keep_rook_neighbours(wards):
    # every other ward gets extra vertices along its edges (as a different generalisation
    # would give); the new vertices are not exactly on the neighbour's edges
    densified = wards.copy()
    every_other = densified.index[::2]
    densified.loc[every_other, "geometry"] = shapely.segmentize(
        densified.loc[every_other].geometry.to_numpy(), 25.0
    )
    lost = links(Graph.build_contiguity(wards, rook=True)) - links(
        Graph.build_contiguity(densified, rook=True)
    )
    assert len(lost) > 1000  # edge matching cannot see these edges any more
    assert links(spatial_weights(densified, "rook")) == links(spatial_weights(wards, "rook"))
    assert links(spatial_weights(densified)) == links(spatial_weights(wards))


# --- order and ids ---------------------------------------------------------------------


@pytest.mark.parametrize("method", ["queen", "rook", "knn", "distance"])
def test_shuffled_rows_give_the_same_graph_in_the_new_order(wards, method):
    options = {"knn": {"k": 5}, "distance": {"threshold": 4000}}.get(method, {})
    shuffled = wards.sample(frac=1, random_state=7)
    graph = spatial_weights(shuffled, method, **options)
    assert list(graph.unique_ids) == list(shuffled.index)
    assert links(graph) == links(spatial_weights(wards, method, **options))


@pytest.mark.parametrize(
    "make_ids",
    [
        lambda n: [f"area {i}" for i in range(n)],
        lambda n: list(range(100, 100 + n)),
        lambda n: [f"Z{i:05d}" for i in reversed(range(n))],
    ],
    ids=["words", "integers", "reversed-codes"],
)
def test_any_unique_ids_label_the_same_graph(boroughs, make_ids):
    relabel = dict(zip(boroughs.index, make_ids(len(boroughs)), strict=True))
    renamed = boroughs.rename(index=relabel)
    expected = {(relabel[i], relabel[j]) for i, j in links(spatial_weights(boroughs))}
    assert links(spatial_weights(renamed)) == expected


def test_a_geoseries_works_like_its_frame(boroughs):
    assert links(spatial_weights(boroughs.geometry)) == links(spatial_weights(boroughs))


# --- islands and missing areas ----------------------------------------------------------


@pytest.fixture(scope="module")
def island(wards):
    """Wards with every neighbour of one ward removed: that ward is left an island."""
    graph = spatial_weights(wards)
    focal = "E05013565"  # Charville, Hillingdon
    return focal, wards.drop(graph[focal].index)


def test_an_island_is_kept_and_named_by_default(island):
    focal, areas = island
    with pytest.warns(HotspotsWarning, match=rf"1 area with no neighbours .*: {focal}\. Kept"):
        graph = spatial_weights(areas)
    assert list(graph.isolates) == [focal]
    assert graph[focal].sum() == 0
    assert "1 area without neighbours" in describe_weights(graph)
    with pytest.warns(HotspotsWarning):
        how = build_links(areas).how
    assert how.endswith("; 1 island kept without neighbours")


def test_an_island_can_be_linked_to_its_nearest_area(island):
    focal, areas = island
    with pytest.warns(HotspotsWarning, match=rf"Linked to their nearest area: {focal} -> "):
        graph = spatial_weights(areas, islands="nearest")
    others = areas.drop(focal)
    distances = others.distance(areas.geometry[focal])
    nearest = distances.idxmin()
    assert list(graph[focal].index) == [nearest]
    assert focal in graph[nearest].index  # both ways
    assert len(graph.isolates) == 0
    assert "without neighbours" not in describe_weights(graph)
    with pytest.warns(HotspotsWarning):
        how = build_links(areas, islands="nearest").how
    assert how.endswith("; 1 island linked to their nearest area")


def test_an_island_can_stop_the_analysis(island):
    focal, areas = island
    with pytest.raises(InputError, match=focal):
        spatial_weights(areas, islands="raise")


def test_a_detached_area_is_reported(boroughs):
    # a synthetic square 20 km east of London, not real data
    far = gpd.GeoDataFrame(
        {"name": ["synthetic detached square"]},
        geometry=[shapely.box(580_000, 180_000, 581_000, 181_000)],
        index=pd.Index(["SYNTH01"], name="code"),
        crs=boroughs.crs,
    )
    areas = pd.concat([boroughs, far])
    with pytest.warns(HotspotsWarning, match="SYNTH01"):
        graph = spatial_weights(areas, islands="nearest")
    assert list(graph["SYNTH01"].index) == ["E09000016"]  # Havering, the easternmost borough


def test_missing_areas_only_remove_their_own_links(wards):
    # the Met does not police the City: its data leave the City out
    without_city = spatial_weights(wards.drop(CITY))
    full = spatial_weights(wards)
    assert links(without_city) == {(i, j) for i, j in links(full) if CITY not in (i, j)}
    assert len(without_city.isolates) == 0


# --- knn and distance bands -------------------------------------------------------------


@pytest.mark.parametrize("k", [1, 4, 8])
def test_knn_matches_brute_force_nearest_centroids(wards, k):
    xy = shapely.get_coordinates(wards.geometry.centroid.to_numpy())
    distance = cdist(xy, xy)
    np.fill_diagonal(distance, np.inf)
    nearest = np.argsort(distance, axis=1, kind="stable")[:, :k]
    expected = {(wards.index[i], wards.index[j]) for i, row in enumerate(nearest) for j in row}
    graph = spatial_weights(wards, "knn", k=k)
    assert links(graph) == expected
    assert (graph.cardinalities == k).all()


@pytest.mark.parametrize("threshold", [1500.0, 3000.0])
def test_distance_band_matches_brute_force_centroid_distances(wards, threshold):
    xy = shapely.get_coordinates(wards.geometry.centroid.to_numpy())
    distance = cdist(xy, xy)
    i, j = np.nonzero((distance <= threshold) & ~np.eye(len(xy), dtype=bool))
    expected = set(zip(wards.index[i], wards.index[j], strict=True))
    alone = sorted(set(wards.index) - {focal for focal, _ in expected})
    if alone:
        with pytest.warns(HotspotsWarning, match=f"{len(alone)} areas with no neighbours"):
            graph = spatial_weights(wards, "distance", threshold=threshold)
    else:
        graph = spatial_weights(wards, "distance", threshold=threshold)
    assert links(graph) == expected
    assert sorted(graph.isolates) == alone


def test_distance_band_islands_link_to_the_nearest_centroid(boroughs):
    xy = shapely.get_coordinates(boroughs.geometry.centroid.to_numpy())
    distance = cdist(xy, xy)
    np.fill_diagonal(distance, np.inf)
    with pytest.warns(HotspotsWarning, match="Linked to their nearest area"):
        graph = spatial_weights(boroughs, "distance", threshold=5000, islands="nearest")
    for i in np.nonzero(distance.min(axis=1) > 5000)[0]:
        assert boroughs.index[distance[i].argmin()] in graph[boroughs.index[i]].index


def test_distances_are_in_metres_whatever_the_crs_unit(wards):
    feet = wards.to_crs(
        "+proj=tmerc +lat_0=49 +lon_0=-2 +k=0.9996012717 +x_0=400000 +y_0=-100000 "
        "+ellps=airy +units=ft +no_defs"
    )
    for method, options in [("distance", {"threshold": 4000}), ("queen", {"tolerance": 0.1})]:
        assert links(spatial_weights(feet, method, **options)) == links(
            spatial_weights(wards, method, **options)
        )


def test_no_crs_means_metres(boroughs):
    bare = boroughs.set_crs(None, allow_override=True)
    assert links(spatial_weights(bare, "distance", threshold=12000)) == links(
        spatial_weights(boroughs, "distance", threshold=12000)
    )


# --- transform, provenance, no side effects ---------------------------------------------


def test_binary_and_row_standardised(wards):
    binary = spatial_weights(wards)
    assert binary.transformation == "B"
    assert set(binary.adjacency.to_numpy()) == {1.0}
    rows = spatial_weights(wards).transform("R")
    assert rows.transformation == "R"
    np.testing.assert_allclose(rows.adjacency.groupby(level="focal").sum(), 1.0, rtol=1e-12)
    assert links(rows) == links(binary)


@pytest.mark.parametrize(
    ("method", "options", "text"),
    [
        ("queen", {}, "queen contiguity (tolerance 0.1 m)"),
        ("rook", {"tolerance": 0}, "rook contiguity (exact contact)"),
        ("knn", {"k": 6}, "k-nearest neighbours (k=6, between centroids)"),
        ("distance", {"threshold": 12000}, "distance band (centroids within 12000 m)"),
    ],
    ids=["queen", "rook-exact", "knn", "distance"],
)
def test_description_for_provenance(boroughs, method, options, text):
    links = build_links(boroughs, method, **options)
    assert links.how == text
    assert describe_weights(links.graph(), links.how).startswith(f"{text}: 33 areas, ")
    # described from the links without making a Graph: the same words
    assert links.description == describe_weights(links.graph(), links.how)


def test_description_of_a_graph_made_elsewhere(boroughs):
    graph = Graph.build_contiguity(boroughs, rook=False)
    assert describe_weights(graph) == "33 areas, 136 links (4.1 per area), binary"
    # described from the graph itself, so a transform does not lose it
    rows = spatial_weights(boroughs).transform("R")
    assert describe_weights(rows) == "33 areas, 136 links (4.1 per area), row-standardised"
    knn = spatial_weights(boroughs, "knn", k=3)
    assert describe_weights(knn) == "33 areas, 99 links (3.0 per area), binary, not symmetric"


def test_the_input_is_not_modified(wards):
    areas = wards.sample(frac=1, random_state=3)
    areas.attrs["hotspots"] = {"level": "ward"}
    before = areas.copy()
    graph = spatial_weights(areas)
    assert_geodataframe_equal(areas, before)
    assert areas.attrs == before.attrs
    areas.loc[areas.index[0], "geometry"] = None  # the graph shares nothing with the frame
    assert graph.n == len(wards)


def test_invalid_polygons_are_repaired_on_a_copy():
    # a bow-tie square touching a normal one; synthetic shapes, not data
    bowtie = shapely.Polygon([(0, 0), (10, 10), (10, 0), (0, 10)])
    areas = gpd.GeoDataFrame(
        geometry=[bowtie, shapely.box(10, 0, 20, 10)], index=pd.Index(["A", "B"])
    )
    assert not areas.is_valid.iloc[0]
    assert links(spatial_weights(areas)) == {("A", "B"), ("B", "A")}
    assert not areas.is_valid.iloc[0]


# --- bad input --------------------------------------------------------------------------


def test_duplicate_codes_are_named(boroughs):
    areas = pd.concat([boroughs, boroughs.iloc[[3]]])
    with pytest.raises(InputError, match=f"repeated: {boroughs.index[3]}"):
        spatial_weights(areas)


def test_missing_codes(boroughs):
    areas = boroughs.rename(index={CITY: None})
    with pytest.raises(InputError, match="1 areas have no code"):
        spatial_weights(areas)


@pytest.mark.parametrize(
    ("geometry", "match"),
    [
        (None, "without a geometry: E09000001"),
        (shapely.Polygon(), "without a geometry: E09000001"),
        (shapely.Point(530000, 180000), r"not polygons: E09000001 \(Point\)"),
        (shapely.LineString([(0, 0), (1, 1)]), r"not polygons: E09000001 \(LineString\)"),
    ],
    ids=["none", "empty", "point", "line"],
)
def test_unusable_geometries_are_named(boroughs, geometry, match):
    areas = boroughs.copy()
    areas.loc[CITY, "geometry"] = geometry
    with pytest.raises(InputError, match=match):
        spatial_weights(areas)


def test_no_areas(boroughs):
    with pytest.raises(InputError, match="no areas"):
        spatial_weights(boroughs.iloc[:0])


@pytest.mark.parametrize("method", ["queen", "knn", "distance"])
def test_longitude_latitude_is_refused(boroughs, method):
    options = {"knn": {"k": 3}, "distance": {"threshold": 1000}}.get(method, {})
    with pytest.raises(InputError, match=r"to_crs\(27700\)"):
        spatial_weights(boroughs.to_crs(4326), method, **options)


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"method": "bishop"}, "method must be one of"),
        ({"islands": "drop"}, "islands must be one of"),
        ({"transform": "V"}, "transform must be one of"),
        ({"method": "knn"}, "needs an integer k"),
        ({"method": "knn", "k": 2.5}, "needs an integer k"),
        ({"method": "knn", "k": 33}, "k must be between 1 and 32"),
        ({"method": "knn", "k": 0}, "k must be between 1 and 32"),
        ({"method": "distance"}, "threshold must be a number"),
        ({"method": "distance", "threshold": 0}, "threshold must be more than zero"),
        ({"tolerance": -1}, "tolerance must be zero or more"),
        ({"tolerance": float("nan")}, "tolerance must be zero or more"),
        ({"tolerance": "1m"}, "tolerance must be a number"),
        ({"k": 4}, "k is for method='knn'"),
        ({"method": "knn", "k": 4, "threshold": 10}, "threshold is for method='distance'"),
    ],
    ids=lambda v: str(v) if isinstance(v, dict) else None,
)
def test_bad_options(boroughs, options, match):
    with pytest.raises(ValueError, match=match):
        spatial_weights(boroughs, **options)


def test_not_a_geodataframe(boroughs):
    with pytest.raises(TypeError, match="GeoDataFrame or GeoSeries"):
        spatial_weights(pd.DataFrame(boroughs.drop(columns="geometry")))
