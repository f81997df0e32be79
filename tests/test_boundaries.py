"""The shipped London layers: counts, codes, geometry, population and contiguity.

Reference values are independent of the code under test: area counts from the ONS and
GLA releases, London's Census 2021 population from the TS007B table's London row, and
each source file's queen-contiguity edge list digest recorded by ``scripts/prepare_data.py``
when it read the source file.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest
import shapely
from libpysal.graph import Graph

import boundaries

DATA = Path(boundaries.__file__).parent / "data"
MANIFEST = json.loads((DATA / "manifest.json").read_text(encoding="utf-8"))

EXPECTED_AREAS = {
    "boroughs": 33,
    "wards": 680,
    "wards-2018": 633,
    "lsoa": 4994,
    "lsoa-2011": 4835,
    "msoa": 1002,
}
LAYERS = list(EXPECTED_AREAS)
SUB_BOROUGH = [layer for layer in LAYERS if layer != "boroughs"]
CENSUS_2021 = ["boroughs", "wards", "lsoa", "msoa"]
CODE_PREFIX = {
    "boroughs": "E09",
    "wards": "E05",
    "wards-2018": "E05",
    "lsoa": "E01",
    "lsoa-2011": "E01",
    "msoa": "E02",
}
# Census 2021 usual residents: the TS007B London row, and the sum of London's 4,994 LSOA
# rows in the same table (ONS perturbs each geography's cells independently).
LONDON_ROW_2021 = 8_799_726
LONDON_LSOA_SUM_2021 = 8_799_625
# ONS mid-2020 estimates for London's 2011 LSOAs (sum of the published file).
LONDON_MID2020 = 9_002_488


@pytest.fixture(scope="module", params=LAYERS, ids=LAYERS)
def layer(request):
    return request.param


@pytest.fixture(scope="module")
def gdf(layer):
    return boundaries.load(layer)


@pytest.fixture(scope="module")
def borough_names():
    return boundaries.load("boroughs")["name"]


def test_layers_table():
    table = boundaries.layers()
    assert table.columns[:6].tolist() == [
        "layer",
        "description",
        "vintage",
        "areas",
        "source",
        "licence",
    ]
    assert dict(zip(table["layer"], table["areas"], strict=True)) == EXPECTED_AREAS
    assert (table["licence"] == "Open Government Licence v3.0").all()
    assert table["population"].isna().tolist() == [layer == "wards-2018" for layer in LAYERS]


def test_area_count(layer, gdf):
    assert len(gdf) == EXPECTED_AREAS[layer]


def test_codes_are_unique_gss_codes(layer, gdf):
    assert gdf.index.name == "code"
    assert gdf.index.is_unique
    assert gdf.index.str.fullmatch(r"E\d{8}").all()
    prefixes = set(gdf.index.str[:3])
    if layer in ("wards", "wards-2018"):
        # the City of London is one area, coded as the borough
        assert prefixes == {"E05", "E09"}
        assert gdf.index[gdf.index.str.startswith("E09")].tolist() == ["E09000001"]
        assert gdf.loc["E09000001", "name"] == "City of London"
    else:
        assert prefixes == {CODE_PREFIX[layer]}
    assert gdf.index.is_monotonic_increasing


def test_names_present(gdf):
    assert gdf["name"].notna().all()
    assert (gdf["name"].str.len() > 0).all()


def test_geometry_valid_and_projected(gdf):
    assert gdf.crs.to_epsg() == 27700
    assert gdf.geometry.is_valid.all()
    assert not gdf.geometry.is_empty.any()
    assert set(gdf.geom_type) <= {"Polygon", "MultiPolygon"}
    # British National Grid metres, inside a box around Greater London
    minx, miny, maxx, maxy = gdf.total_bounds
    assert 500_000 < minx < maxx < 565_000
    assert 155_000 < miny < maxy < 205_000


def test_boroughs_are_the_33_london_districts():
    boroughs = boundaries.load("boroughs")
    assert boroughs.index.tolist() == [f"E090000{i:02d}" for i in range(1, 34)]
    assert boroughs.loc["E09000001", "name"] == "City of London"
    assert boroughs.loc["E09000033", "name"] == "Westminster"
    assert boroughs.columns.tolist() == ["name", "geometry"]


@pytest.mark.parametrize("layer", SUB_BOROUGH, ids=SUB_BOROUGH)
def test_borough_columns_consistent_with_boroughs_layer(layer, borough_names):
    gdf = boundaries.load(layer)
    assert gdf["borough_code"].notna().all()
    assert set(gdf["borough_code"]) == set(borough_names.index)
    expected = borough_names.reindex(gdf["borough_code"]).to_numpy()
    assert (gdf["borough_name"].to_numpy() == expected).all()


@pytest.mark.parametrize("layer", SUB_BOROUGH, ids=SUB_BOROUGH)
def test_areas_lie_in_their_borough(layer):
    """Each area's representative point falls inside the borough it is labelled with."""
    gdf = boundaries.load(layer)
    boroughs = boundaries.load("boroughs").geometry
    points = gdf.geometry.representative_point()
    # the 2011 and 2018 layers were drawn on other borough boundary versions: allow
    # points within 50 m of the 2022 boundary
    inside = shapely.dwithin(
        boroughs.reindex(gdf["borough_code"]).to_numpy(), points.to_numpy(), 50.0
    )
    assert inside.all(), gdf.index[~inside].tolist()


@pytest.mark.parametrize(
    ("layer", "parent"),
    [("lsoa", "msoa"), ("lsoa-2011", None)],
    ids=["lsoa-in-msoa-2021", "lsoa-2011"],
)
def test_lsoa_msoa_columns(layer, parent):
    gdf = boundaries.load(layer)
    assert gdf["msoa_code"].str.fullmatch(r"E02\d{6}").all()
    assert (gdf["name"].str[:-1] == gdf["msoa_name"]).all()  # "Camden 001A" in "Camden 001"
    if parent is not None:
        assert set(gdf["msoa_code"]) == set(boundaries.load(parent).index)


def test_msoa_borough_matches_its_lsoas():
    lsoa = boundaries.load("lsoa")
    msoa = boundaries.load("msoa")
    from_lsoa = lsoa.groupby("msoa_code")["borough_code"].agg(["nunique", "first"])
    assert (from_lsoa["nunique"] == 1).all()
    assert (from_lsoa["first"].reindex(msoa.index) == msoa["borough_code"]).all()


def test_wards_2018_city_recoded():
    """The GLA file labels the merged City with one ward's code (Castle Baynard, E05009297)."""
    wards = boundaries.load("wards-2018")
    assert "E05009297" not in wards.index
    assert wards.loc["E09000001", "borough_code"] == "E09000001"
    # the merged City covers the whole City, not one small ward
    city = boundaries.load("boroughs").geometry["E09000001"]
    overlap = wards.geometry["E09000001"].intersection(city).area / city.area
    assert overlap > 0.95


@pytest.mark.parametrize("layer", CENSUS_2021, ids=CENSUS_2021)
def test_census_2021_population(layer):
    pop = boundaries.population(layer)
    assert pop.name == "population"
    assert pop.index.equals(boundaries.load(layer).index)
    assert pop.dtype == "int64"
    assert (pop > 0).all()
    # every LSOA counted exactly once (wards by best fit): the LSOA sum exactly, which is
    # within 0.002% of the table's London row
    assert int(pop.sum()) == LONDON_LSOA_SUM_2021
    assert int(pop.sum()) == pytest.approx(LONDON_ROW_2021, rel=2e-5)
    assert pop.attrs["boundaries"]["population"] == "Census 2021 usual residents"


@pytest.mark.parametrize(
    ("code", "expected"),
    [("E01000001", 1471), ("E01000002", 1385), ("E01032740", 1396)],
    ids=["City-001A", "City-001B", "City-001G"],
)
def test_lsoa_population_values(code, expected):
    """Spot values from the Nomis TS007B table (Total column)."""
    assert boundaries.population("lsoa")[code] == expected


def test_city_population_sums_its_lsoas():
    """The City's six LSOAs (Nomis TS007B): 1471 + 1385 + 1611 + 1102 + 1622 + 1396."""
    expected = 1471 + 1385 + 1611 + 1102 + 1622 + 1396
    assert boundaries.population("boroughs")["E09000001"] == expected
    assert boundaries.population("wards")["E09000001"] == expected


def test_lsoa_2011_population_is_mid_2020_estimate():
    pop = boundaries.population("lsoa-2011")
    assert pop.index.equals(boundaries.load("lsoa-2011").index)
    assert int(pop.sum()) == LONDON_MID2020
    assert pop["E01000001"] == 1749  # ONS mid-2020, City of London 001A
    assert "mid-2020" in pop.attrs["boundaries"]["population"]


def test_wards_2018_has_no_population():
    with pytest.raises(ValueError, match="no population ships for layer 'wards-2018'"):
        boundaries.population("wards-2018")


@pytest.mark.parametrize("func", [boundaries.load, boundaries.population], ids=["load", "pop"])
@pytest.mark.parametrize(
    "name", ["ward", "Wards", "lsoa21", ""], ids=["ward", "caps", "x", "empty"]
)
def test_unknown_layer_lists_valid_names(func, name):
    with pytest.raises(ValueError, match="valid layers are 'boroughs', 'wards', 'wards-2018'"):
        func(name)


def test_load_returns_independent_copies():
    first = boundaries.load("boroughs")
    first.loc["E09000001", "name"] = "changed"
    first["extra"] = 1
    first.attrs["boundaries"]["layer"] = "changed"
    second = boundaries.load("boroughs")
    assert second.loc["E09000001", "name"] == "City of London"
    assert "extra" not in second.columns
    assert second.attrs["boundaries"] == {"layer": "boroughs"}
    assert first is not second


def test_population_returns_independent_copies():
    first = boundaries.population("boroughs")
    first.iloc[0] = -1
    assert boundaries.population("boroughs").iloc[0] > 0


def test_outline():
    outline = boundaries.outline()
    assert outline.index.tolist() == ["E12000007"]
    assert outline.crs.to_epsg() == 27700
    assert outline.geometry.is_valid.all()
    # the boroughs lie inside the outline; the outline also takes in the tidal Thames that
    # the clipped borough layer leaves out (about 2,190 ha, 1.4% of its area)
    boroughs = boundaries.load("boroughs").union_all()
    london = outline.geometry.iloc[0]
    assert boroughs.difference(london).area / boroughs.area < 0.001
    assert london.intersection(boroughs).area / london.area > 0.98
    outline.loc["E12000007", "name"] = "changed"
    assert boundaries.outline().loc["E12000007", "name"] == "Greater London"


def queen_edge_digest(gdf) -> tuple[int, str]:
    """Edge count and sha256 of the queen-contiguity edge list, in the manifest's form."""
    graph = Graph.build_contiguity(gdf, rook=False)
    adj = graph.adjacency.reset_index()
    adj = adj[(adj["focal"] < adj["neighbor"]) & (adj["weight"] > 0)]
    lines = sorted(f"{a} {b}" for a, b in zip(adj["focal"], adj["neighbor"], strict=True))
    return len(lines), hashlib.sha256("\n".join(lines).encode()).hexdigest()


def test_contiguity_preserved(layer, gdf):
    """Queen neighbours of the shipped layer equal those of its source file."""
    recorded = MANIFEST["layers"][layer]["source_contiguity"]
    assert recorded["method"].startswith("libpysal.graph.Graph.build_contiguity(rook=False)")
    edges, digest = queen_edge_digest(gdf)
    assert edges == recorded["edges"]
    assert digest == recorded["sha256"]


def test_contiguity_digest_is_order_independent():
    """Shuffling the rows does not change the digest: it is a property of the geometry."""
    boroughs = boundaries.load("boroughs")
    shuffled = boroughs.sample(frac=1, random_state=7)
    assert queen_edge_digest(shuffled) == queen_edge_digest(boroughs)


def test_contiguity_digest_detects_naive_simplification():
    """Simplifying each area on its own (not shared edges) breaks queen contiguity."""
    boroughs = boundaries.load("boroughs")
    naive = boroughs.set_geometry(boroughs.geometry.simplify(500))
    assert queen_edge_digest(naive) != queen_edge_digest(boroughs)


def test_shipped_files_match_manifest(layer):
    entry = MANIFEST["layers"][layer]
    path = DATA / entry["file"]
    assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"]
    assert entry["licence"] == "Open Government Licence v3.0"
    assert "Crown copyright" in entry["attribution"]
    assert entry["source"]["url"].startswith("https://")


def test_shipped_data_is_small():
    total = sum(path.stat().st_size for path in DATA.iterdir())
    assert total < 10 * 1024 * 1024


def test_population_table_has_no_orphans():
    table = pd.read_parquet(DATA / MANIFEST["population"]["file"])
    for layer, rows in table.groupby("layer"):
        assert rows["code"].is_unique
        assert set(rows["code"]) == set(boundaries.load(layer).index), layer


@pytest.mark.parametrize("layer", boundaries.layers()["layer"].tolist())
def test_cached_codes_are_the_layer_index(layer):
    """The codes read without geometries (used to recognise a shipped layer) are load's index."""
    assert boundaries._codes(layer).equals(boundaries.load(layer).index)


def test_load_is_cached_but_never_shared():
    first = boundaries.load("boroughs")
    first.loc[first.index[0], "name"] = "changed"
    first.attrs["boundaries"]["layer"] = "changed"
    first.loc[first.index[1], "geometry"] = first.geometry.iloc[0]
    again = boundaries.load("boroughs")
    assert again is not first
    assert "changed" not in set(again["name"])
    assert again.attrs["boundaries"]["layer"] == "boroughs"
    assert not again.geometry.iloc[1].equals(again.geometry.iloc[0])
