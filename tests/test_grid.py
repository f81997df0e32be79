"""Grids over London (boundaries.grid), age-band population, and a 250 m hex grid end to end."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

import boundaries
import hotspots

SHAPES = [pytest.param("square", 2000, id="square-2km"), pytest.param("hex", 2000, id="hex-2km")]


@pytest.mark.parametrize(("shape", "size"), SHAPES)
def test_grid_covers_london_exactly_once(shape, size):
    cells = boundaries.grid(size, shape=shape)
    london = boundaries.outline().geometry.iloc[0]
    assert cells.crs.to_epsg() == 27700 and cells.index.name == "code"
    assert cells.index.is_unique
    # clipped to the outline: the cells' union is London, and they do not overlap
    assert cells.area.sum() == pytest.approx(london.area, rel=1e-9)
    assert shapely.union_all(cells.geometry.to_numpy()).symmetric_difference(
        london
    ).area == pytest.approx(0, abs=1e-3 * size**2)
    assert cells.geom_type.isin(["Polygon", "MultiPolygon"]).all()


@pytest.mark.parametrize(("shape", "size"), SHAPES)
def test_grid_cells_are_whole_inside_and_ids_name_their_position(shape, size):
    cells = boundaries.grid(size, shape=shape)
    whole = size**2 if shape == "square" else np.sqrt(3) / 2 * size**2
    assert cells.area.max() == pytest.approx(whole, rel=1e-9)
    # the id is the lattice position: rebuild each whole cell's centre from it
    full = cells[np.isclose(cells.area, whole, rtol=1e-9)]
    col, row = full["col"].to_numpy(), full["row"].to_numpy()
    if shape == "square":
        x, y = (col + 0.5) * size, (row + 0.5) * size
    else:
        x, y = (col + 0.5 * (row % 2)) * size, row * size * np.sqrt(3) / 2
    centre = full.geometry.centroid
    np.testing.assert_allclose(centre.x, x, atol=1e-6)
    np.testing.assert_allclose(centre.y, y, atol=1e-6)
    prefix = "sq" if shape == "square" else "hex"
    assert (full.index == [f"{prefix}{size}_{c}_{r}" for c, r in zip(col, row, strict=True)]).all()


def test_grid_cell_count_by_brute_force():
    """Every lattice square over London's bounds that overlaps it (with area), and no other."""
    london = boundaries.outline().geometry.iloc[0]
    size = 2000
    xmin, ymin, xmax, ymax = london.bounds
    expected = 0
    for col in range(int(xmin // size), int(np.ceil(xmax / size))):
        for row in range(int(ymin // size), int(np.ceil(ymax / size))):
            cell = shapely.box(col * size, row * size, (col + 1) * size, (row + 1) * size)
            expected += cell.intersection(london).area > 0
    assert len(boundaries.grid(size, shape="square")) == expected


def test_grid_is_cached_but_returns_copies():
    first = boundaries.grid(2000)
    first["name"] = "changed"
    assert (boundaries.grid(2000)["name"] != "changed").all()


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param(10, id="too-small"),
        pytest.param("250", id="text"),
        pytest.param(float("nan"), id="nan"),
    ],
)
def test_grid_rejects_bad_cell_sizes(bad):
    with pytest.raises(ValueError, match="cell_size"):
        boundaries.grid(bad)


def test_grid_rejects_unknown_shapes():
    with pytest.raises(ValueError, match="shape"):
        boundaries.grid(500, shape="triangle")


# -- age-band population --------------------------------------------------------------

LAYERS = ["lsoa", "msoa", "boroughs", "wards", "lsoa-2011"]


@pytest.mark.parametrize("layer", LAYERS)
def test_all_bands_add_up_to_the_population(layer):
    total = boundaries.population(layer)
    everyone = boundaries.population(layer, ages=(0, None))
    pd.testing.assert_series_equal(everyone, total, check_dtype=False)
    assert everyone.index.equals(boundaries.load(layer).index)


@pytest.mark.parametrize("layer", ["msoa", "boroughs", "wards"])
def test_young_people_add_up_from_lsoas(layer):
    lsoa = boundaries.population("lsoa", ages=(10, 24))
    young = boundaries.population(layer, ages=(10, 24))
    assert int(young.sum()) == int(lsoa.sum())
    assert (young <= boundaries.population(layer)).all()


def test_young_people_of_one_lsoa_by_hand():
    # TS007B row E01000001 (City of London 001A): 10-15: 36, 16-19: 17, 20-24: 90
    assert boundaries.population("lsoa", ages=(10, 24))["E01000001"] == 36 + 17 + 90
    assert boundaries.population("lsoa", ages=(85, None))["E01000001"] == 35


@pytest.mark.parametrize(
    ("layer", "ages"),
    [
        pytest.param("wards", (12, 24), id="off-edge"),
        pytest.param("lsoa-2011", (10, 24), id="other-bands"),
        pytest.param("wards", (24, 10), id="reversed"),
    ],
)
def test_ages_off_the_band_edges_are_refused(layer, ages):
    with pytest.raises(ValueError, match="age bands"):
        boundaries.population(layer, ages=ages)


def test_rates_say_what_the_denominator_is():
    crime = hotspots.read_met_crime(hotspots.sample_path("mps-ward-crime"))
    wards = boundaries.load("wards")
    young = boundaries.population("wards", ages=(10, 24))
    table = hotspots.aggregate(crime, wards, crime_types="robbery", population=young)
    assert table.attrs["hotspots"]["denominator"] == "residents aged 10 to 24"
    np.testing.assert_allclose(table["population"], young, rtol=0)
    own = hotspots.aggregate(crime, wards.assign(footfall=1000.0), crime_types="robbery",
                             population="footfall", denominator="daily visitors")  # fmt: skip
    assert own.attrs["hotspots"]["denominator"] == "daily visitors"
    ranked = hotspots.rank_areas(own, "rate", top=1)
    assert "residents" not in ranked.attrs["hotspots"]["ranks"]
    assert "per 1,000 daily visitors a year" in ranked.attrs["hotspots"]["ranks"]


# -- end to end -----------------------------------------------------------------------


def test_hex_grid_end_to_end_on_police_uk_points():
    """250 m hexagons: points -> counts -> Gi* -> evaluation -> map (a few seconds)."""
    cells = boundaries.grid(250)
    points = hotspots.read_police_uk(hotspots.sample_path("police-uk-burglary"),
                                     crime_types="burglary")  # fmt: skip
    cube = hotspots.aggregate_monthly(points, cells)
    assert cube.shape == (len(cells), 3)
    assert cube.sum().sum() == cube.attrs["report"].rows_kept
    # the City of London Police published one month only: City cells lack the others
    assert cube.isna().any(axis=1).sum() > 0
    train = cube.iloc[:, :2].sum(axis=1, min_count=2)
    test = cube.iloc[:, 2]
    gi = hotspots.getis_ord(
        cells.assign(count=train), "count", permutations=0, inference="analytical"
    )
    hot = gi["gi_label"].str.startswith("Hot spot").astype(bool)
    assert 0 < hot.sum() < 0.1 * len(cells)
    table = hotspots.evaluate_hotspots(cells, hot, test, before=train)
    row = table.iloc[0]
    assert row["pai"] > 1 and 0 < row["pei"] <= 1 and 0 < row["pei_star"] <= 1
    summary = hotspots.concentration(test)
    assert summary.places_for_half < 0.1  # burglary concentrates in few cells
    # the map of central London's cells (the whole grid's map is in benchmarks/bench_grid.py)
    central = gi.cx[525000:535000, 175000:185000]
    html = hotspots.hotspot_map(central).get_root().render()
    assert "Hot spot (99%)" in html
