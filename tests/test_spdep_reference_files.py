"""The stored R spdep reference values are well formed and line up with the shipped layers.

These tests check the files in ``tests/data/reference`` themselves (shapes, codes, neighbour
lists, the no-data areas, internal identities of the spdep formulas). The comparison of the
library's statistics against these values lives with the statistics tests. How the files were
made is described in ``tests/reference/README.md``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import boundaries

REFERENCE = Path(__file__).parent / "data" / "reference"
CITY = "E09000001"

CASES = {
    # case: (boundaries layer, extension of the neighbour list and local table)
    "wards_weapons": ("wards", ".csv"),
    "lsoa_burglary": ("lsoa", ".csv.gz"),
}
KNN_K = 6


def read(name: str) -> pd.DataFrame:
    return pd.read_csv(REFERENCE / name, dtype={"code": str, "focal": str, "neighbour": str})


def values(case: str) -> pd.DataFrame:
    return read(f"{case}_values.csv").set_index("code")


def data_codes(case: str) -> list[str]:
    table = values(case)
    return list(table.index[table["value"].notna()])


@pytest.fixture(scope="module", params=list(CASES), ids=list(CASES))
def case(request) -> str:
    return request.param


def test_versions_file_records_r_and_spdep():
    text = (REFERENCE / "versions.txt").read_text(encoding="utf-8")
    assert "spdep: 1.2.7" in text
    assert "R version" in text


def test_values_cover_the_shipped_layer(case):
    layer = boundaries.load(CASES[case][0])
    table = values(case)
    assert table.index.is_unique
    assert len(table) == len(layer)
    assert set(table.index) == set(layer.index)


def test_values_are_counts(case):
    present = values(case)["value"].dropna()
    assert (present >= 0).all()
    assert (present == np.round(present)).all()
    assert present.sum() > 0


def test_no_data_areas_are_exactly_the_city(case):
    layer = boundaries.load(CASES[case][0])
    missing = set(values(case).index[values(case)["value"].isna()])
    city = set(layer.index[layer["borough_code"] == CITY])
    assert missing == city
    assert len(city) == {"wards_weapons": 1, "lsoa_burglary": 6}[case]


def test_population_matches_the_shipped_census_counts(case):
    population = values(case)["population"]
    assert (population > 0).all()
    shipped = boundaries.population(CASES[case][0]).reindex(population.index)
    np.testing.assert_array_equal(population.to_numpy(float), shipped.to_numpy(float))


def test_queen_neighbours_are_symmetric_without_islands(case):
    links = read(f"{case}_nb{CASES[case][1]}")
    codes = data_codes(case)
    assert not links.duplicated().any()
    assert (links["focal"] != links["neighbour"]).all()
    assert set(links["focal"]) == set(codes)  # every area with data has a neighbour
    assert set(links["neighbour"]) <= set(codes)
    pairs = set(zip(links["focal"], links["neighbour"], strict=True))
    assert pairs == {(b, a) for a, b in pairs}


def test_knn_neighbours_have_k_each():
    links = read("wards_weapons_knn6_nb.csv")
    codes = data_codes("wards_weapons")
    assert not links.duplicated().any()
    assert (links["focal"] != links["neighbour"]).all()
    assert (links.groupby("focal").size().reindex(codes) == KNN_K).all()
    assert set(links["neighbour"]) <= set(codes)


def test_knn_centroids_are_in_london():
    centroids = read("wards_weapons_knn6_centroids.csv")
    assert list(centroids["code"]) == data_codes("wards_weapons")
    assert centroids["x"].between(500_000, 565_000).all()
    assert centroids["y"].between(155_000, 205_000).all()


def assert_per_area_table(table: pd.DataFrame, case: str) -> None:
    assert list(table["code"]) == data_codes(case)
    numbers = table.drop(columns=["code", "quadrant"], errors="ignore")
    assert np.isfinite(numbers.to_numpy(float)).all()


def test_local_table_follows_the_data_areas(case):
    assert_per_area_table(read(f"{case}_local{CASES[case][1]}"), case)


@pytest.mark.parametrize("name", ["wards_weapons_eb.csv", "wards_weapons_knn6_local.csv"])
def test_ward_tables_follow_the_data_areas(name):
    assert_per_area_table(read(name), "wards_weapons")


def test_global_tables_have_the_documented_rows(case):
    n = len(data_codes(case))
    links = len(read(f"{case}_nb{CASES[case][1]}"))
    moran = read(f"{case}_moran.csv").set_index("style")
    assert list(moran.index) == ["W", "B"]
    assert (moran["n"] == n).all()
    assert moran.loc["B", "S0"] == links
    np.testing.assert_allclose(moran["expected"], -1 / (n - 1), rtol=1e-15)
    general = read(f"{case}_general_g.csv")
    assert list(general["style"]) == ["B"]
    np.testing.assert_allclose(general["expected"], links / (n * (n - 1)), rtol=1e-15)


def test_local_moran_convention_relations(case):
    """spdep's Ii uses m2 = sum(z^2)/n; mlvar=FALSE uses n - 1, esda's convention."""
    local = read(f"{case}_local{CASES[case][1]}")
    n = len(local)
    np.testing.assert_allclose(local["Ii_mlvar_false"], local["Ii"] * (n - 1) / n, rtol=1e-12)
    np.testing.assert_allclose(local["E_Ii_total"], -1 / (n - 1), rtol=1e-15)


def test_conditional_local_moran_z_is_signed_gi(case):
    """Conditional on x_i, Ii is z_i times the lag: its z is the Gi (W, no self) z signed by z_i."""
    local = read(f"{case}_local{CASES[case][1]}")
    x = values(case)["value"].dropna().to_numpy(float)
    signed = np.sign(x - x.mean()) * local["gi_W"].to_numpy(float)
    np.testing.assert_allclose(local["Z_Ii_conditional"], signed, rtol=1e-9, atol=1e-12)


def test_eb_table_matches_values():
    eb = read("wards_weapons_eb.csv").set_index("code")
    source = values("wards_weapons").loc[eb.index]
    np.testing.assert_array_equal(eb["value"], source["value"])
    np.testing.assert_array_equal(eb["population"], source["population"])
    np.testing.assert_allclose(eb["raw"], eb["value"] / eb["population"], rtol=1e-15)
    assert eb["b"].nunique() == 1 and eb["a"].nunique() == 1
    np.testing.assert_allclose(eb["b"].iloc[0], eb["value"].sum() / eb["population"].sum())
