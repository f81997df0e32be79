"""aggregate: real police.uk points and Met tables onto shipped layers."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import boundaries
import hotspots
from hotspots import InputError, aggregate
from hotspots.aggregation._aggregate import _locate_points


@pytest.fixture(scope="module")
def burglary():
    return hotspots.read_police_uk(
        hotspots.sample_path("police-uk-burglary"), crime_types="burglary"
    )


@pytest.fixture(scope="module")
def ward_table():
    return hotspots.read_met_crime(hotspots.sample_path("mps-ward-crime"))


def _positions(points, areas, tolerance):
    """Area position of every point (the per-point assignment behind aggregate's counts)."""
    return _locate_points(points, areas, tolerance)[0]


def test_points_agree_with_police_uk_lsoa(burglary):
    lsoa = boundaries.load("lsoa")
    result = aggregate(burglary, lsoa)
    report = result.attrs["report"]
    assert report.rows_read == len(burglary) == report.rows_kept + sum(report.dropped.values())
    assert result["count"].sum() == report.rows_kept
    # reference: police.uk's own LSOA code of each point
    own = lsoa.index.get_indexer(burglary["lsoa_code"])
    assert (own >= 0).all()
    # point-in-polygon alone on the generalised (20 m) layer: measured 92.6 % agreement
    geometry_only = (_positions(burglary, lsoa, 0.0) == own).mean()
    assert 0.90 < geometry_only < 0.95
    # with the 20 m tie-break: every point (every disagreement lies within 20 m)
    np.testing.assert_array_equal(_positions(burglary, lsoa, 20.0), own)
    reference = burglary["lsoa_code"].value_counts().reindex(lsoa.index, fill_value=0)
    np.testing.assert_array_equal(result["count"].to_numpy(), reference.to_numpy())
    assert any("boundary tie-break" in note for note in report.notes)
    boroughs = aggregate(burglary, boundaries.load("boroughs"))
    assert not any("tie-break" in note for note in boroughs.attrs["report"].notes)
    by_borough = lsoa["borough_code"].reindex(burglary["lsoa_code"]).value_counts()
    share = (boroughs["count"] - by_borough.reindex(boroughs.index)).abs().sum() / len(burglary)
    assert share < 0.02


def test_tie_break_never_overrides_geometry_outside_the_band(burglary):
    lsoa = boundaries.load("lsoa")
    tolerance = 20.0
    position = _positions(burglary, lsoa, tolerance)
    geometric = _positions(burglary, lsoa, 0.0)
    polygons = lsoa.geometry.to_numpy()
    points = burglary.geometry.to_numpy()
    # a point farther than the tolerance from its own area's boundary is inside that
    # area and away from every other: the geometry decides, whatever the record says
    deep = shapely.distance(points, shapely.boundary(polygons[geometric])) > tolerance
    assert deep.sum() > 1000
    np.testing.assert_array_equal(position[deep], geometric[deep])
    # and every change made lies within the tolerance of the named area
    changed = position != geometric
    assert changed.any()
    assert (shapely.distance(points[changed], polygons[position[changed]]) <= tolerance).all()


def _inside_near(lsoa, code):
    """A point inside LSOA ``code``, 5 m from a neighbour, and a point deep inside it."""
    area = lsoa.geometry[code]
    centre = area.representative_point()
    neighbours = lsoa.index[lsoa.geometry.touches(area)]
    neighbour = neighbours[0]
    far = next(c for c in lsoa.index if shapely.distance(centre, lsoa.geometry[c]) > 100)
    edge = shapely.shortest_line(centre, lsoa.geometry[neighbour])
    near = edge.interpolate(edge.length - 5.0)
    assert area.contains(near) and not lsoa.geometry[neighbour].contains(near)
    assert shapely.distance(centre, area.boundary) > 20
    return centre, near, neighbour, far


@pytest.mark.parametrize(
    ("where", "named", "tolerance", "expected"),
    [
        ("centre", "neighbour", 20.0, "own"),
        ("centre", "far", 20.0, "own"),
        ("centre", "missing", 20.0, "own"),
        ("near", "neighbour", 20.0, "neighbour"),
        ("near", "neighbour", 0.0, "own"),
        ("near", "neighbour", 4.0, "own"),
        ("near", "far", 20.0, "own"),
        ("near", "not-an-area", 20.0, "own"),
    ],
    ids=[
        "deep-inside-wrong-neighbour-code",
        "deep-inside-far-code",
        "deep-inside-no-code",
        "in-band-neighbour-code",
        "in-band-tolerance-0",
        "just-outside-band",
        "in-band-far-code",
        "in-band-unknown-code",
    ],
)
def test_tie_break_rule(where, named, tolerance, expected):
    lsoa = boundaries.load("lsoa")
    own = "E01004736"
    centre, near, neighbour, far = _inside_near(lsoa, own)
    codes = {"neighbour": neighbour, "far": far, "missing": None, "not-an-area": "W01000001"}
    points = gpd.GeoDataFrame(
        {"lsoa_code": [codes[named]]},
        geometry=[centre if where == "centre" else near],
        crs=27700,
    )
    result = aggregate(points, lsoa, tolerance=tolerance)
    counted = result.index[result["count"] == 1].tolist()
    assert counted == [own if expected == "own" else neighbour]


@pytest.mark.parametrize("tolerance", [-1, float("nan"), "20", True], ids=str)
def test_bad_tolerance(burglary, tolerance):
    with pytest.raises(InputError, match="tolerance"):
        aggregate(burglary, boundaries.load("lsoa"), tolerance=tolerance)


def test_met_ward_table_round_trips(ward_table):
    raw = pd.read_csv(hotspots.sample_path("mps-ward-crime"))
    wards = aggregate(ward_table, boundaries.load("wards"))
    assert wards["count"].sum() == raw.select_dtypes("number").to_numpy().sum()
    assert np.isnan(wards.loc["E09000001", "count"])
    assert not wards.loc["E09000001", "covered"]
    assert wards["covered"].sum() == 679
    assert wards.attrs["hotspots"]["level"] == "wards"
    monthly = hotspots.aggregate_monthly(ward_table, boundaries.load("wards"))
    with pytest.warns(DeprecationWarning, match="aggregate_monthly"):
        old = aggregate(ward_table, boundaries.load("wards"), by="month")
    pd.testing.assert_frame_equal(old, monthly)
    assert monthly.shape == (680, 24)
    assert monthly.columns.name == "month"
    assert monthly.loc["E09000001"].isna().all()
    assert monthly.sum().sum() == wards["count"].sum()


def test_real_zero_is_not_missing(ward_table):
    wards = aggregate(ward_table, boundaries.load("wards"), crime_types="HOMICIDE")
    covered = wards[wards["covered"]]
    assert (covered["count"] == 0).any()
    assert covered["count"].notna().all()
    assert wards.attrs["hotspots"]["crime_type"] == "HOMICIDE"


def test_rates_use_shipped_population(ward_table):
    wards = aggregate(ward_table, boundaries.load("wards"), crime_types="burglary")
    pop = boundaries.population("wards")
    expected = wards["count"] / pop * 1000
    np.testing.assert_allclose(wards["rate"], expected, rtol=1e-12)


def test_shuffled_subset_and_user_population(burglary):
    lsoa = boundaries.load("lsoa").sample(frac=1, random_state=1).iloc[:300]
    pop = pd.Series(1000.0, index=lsoa.index)
    result = aggregate(burglary, lsoa, population=pop)
    assert result.index.equals(lsoa.index)
    np.testing.assert_allclose(result["rate"], result["count"])
    assert result.attrs["report"].dropped["outside all areas"] > 0


def test_city_not_covered_by_met_points(burglary):
    met_only = burglary[burglary["force"] == "Metropolitan Police Service"].copy()
    met_only.attrs = {}
    result = aggregate(met_only, boundaries.load("boroughs"))
    assert np.isnan(result.loc["E09000001", "count"])
    inside_city = result.attrs["report"].dropped.get("in an area the source does not cover", 0)
    assert result["count"].sum() + inside_city == len(met_only)


def test_custom_polygons_and_points_from_frame():
    areas = boundaries.load("boroughs")[["geometry"]].set_index(
        pd.Index([f"area-{i}" for i in range(33)], name="code")
    )
    df = pd.DataFrame({"lon": [-0.1276, -0.0915, 0.5], "lat": [51.5072, 51.5155, 51.5]})
    points = hotspots.points_from_frame(df, x="lon", y="lat")
    result = aggregate(points, areas)
    assert result["count"].sum() == 2
    assert "rate" not in result.columns
    assert result["covered"].all()
    assert result.attrs["hotspots"]["level"] == "custom areas"


def test_custom_integer_ids_find_the_city_by_location(burglary):
    """Areas with integer ids (shuffled): the City is found by location, counts as with codes."""
    shuffled = boundaries.load("boroughs").sample(frac=1, random_state=3)
    areas = shuffled[["geometry"]].reset_index(drop=True)
    met_only = burglary[burglary["force"] == "Metropolitan Police Service"]
    result = aggregate(met_only, areas)
    assert result.index.equals(areas.index)
    np.testing.assert_array_equal(result["covered"], shuffled.index != "E09000001")
    expected = aggregate(met_only, boundaries.load("boroughs"))["count"].reindex(shuffled.index)
    np.testing.assert_array_equal(result["count"].to_numpy(), expected.to_numpy())


def test_borough_table_reports_pseudo_borough():
    table = hotspots.read_met_crime("tests/data/mps/borough-slice.csv")
    result = aggregate(table, boundaries.load("boroughs"))
    report = result.attrs["report"]
    airports = table.loc[table["pseudo_borough"], "count"].sum()
    assert report.dropped["area code not in areas"] == airports > 0
    assert report.unit == "incidents"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"by": "year"}, "by must be"), ({"crime_types": "burglry"}, "unknown met")],
    ids=["bad-by", "bad-category"],
)
def test_bad_arguments(ward_table, kwargs, match):
    with pytest.raises(InputError, match=match):
        aggregate(ward_table, boundaries.load("wards"), **kwargs)


def test_does_not_mutate_inputs(burglary):
    areas = boundaries.load("msoa")
    before = areas.copy()
    aggregate(burglary, areas)
    pd.testing.assert_frame_equal(areas, before)


def test_coverage_follows_the_force_column(burglary):
    boroughs = boundaries.load("boroughs")
    # a subset keeps the reader's attrs (both forces); the force column tells the truth
    met_only = burglary[burglary["force"] == "Metropolitan Police Service"]
    assert "City of London Police" in met_only.attrs["hotspots"]["forces"]
    assert np.isnan(aggregate(met_only, boroughs).loc["E09000001", "count"])
    # a crime type filter inside aggregate does not uncover the City: a real zero
    everything = hotspots.read_police_uk(hotspots.sample_path("police-uk-burglary"))
    city = everything[everything["force"] == "City of London Police"]
    result = aggregate(everything, boroughs, crime_types="Anti-social behaviour")
    assert result.loc["E09000001", "covered"]
    assert result.loc["E09000001", "count"] == (city["crime_type"] == "Anti-social behaviour").sum()


def test_monthly_coverage_follows_the_forces_of_each_month():
    """The shipped zip has the City of London Police for 2024-12 only: the City is
    counted that month and is no data (not zero) in the Met-only months."""
    everything = hotspots.read_police_uk(hotspots.sample_path("police-uk-burglary"))
    months = everything["month"]
    city_rows = everything[everything["force"] == "City of London Police"]
    assert set(city_rows["month"].astype(str)) == {"2024-12"}
    boroughs = boundaries.load("boroughs")
    table = hotspots.aggregate_monthly(everything, boroughs)
    assert [str(m) for m in table.columns] == ["2024-12", "2025-01", "2025-02"]
    december = aggregate(everything[months == pd.Period("2024-12", "M")], boroughs)
    city = table.loc["E09000001"]
    assert city.iloc[0] == december.loc["E09000001", "count"] > 0
    assert city.iloc[1:].isna().all()
    assert table.drop(index="E09000001").notna().all().all()
    assert np.nansum(table.to_numpy()) == table.attrs["report"].rows_kept
