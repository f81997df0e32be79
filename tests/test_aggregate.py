"""aggregate: real police.uk points and Met tables onto shipped layers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

import boundaries
import hotspots
from hotspots import InputError, aggregate


@pytest.fixture(scope="module")
def burglary():
    return hotspots.read_police_uk(
        hotspots.sample_path("police-uk-burglary"), crime_types="burglary"
    )


@pytest.fixture(scope="module")
def ward_table():
    return hotspots.read_mps_crime(hotspots.sample_path("mps-ward-crime"))


def test_points_agree_with_police_uk_lsoa(burglary):
    lsoa = boundaries.load("lsoa")
    result = aggregate(burglary, lsoa)
    report = result.attrs["report"]
    assert report.rows_read == len(burglary) == report.rows_kept + sum(report.dropped.values())
    # reference: police.uk's own LSOA code of each point, counted independently
    reference = burglary["lsoa_code"].value_counts().reindex(lsoa.index, fill_value=0)
    assert result["count"].sum() == report.rows_kept
    # police.uk assigns the LSOA of its anonymised point on full-resolution boundaries;
    # the shipped layer is generalised to 20 m, so points on streets that are LSOA
    # boundaries can fall either side: measured 92.6 % exact agreement per point.
    within = shapely.dwithin(
        burglary.geometry.to_numpy(), lsoa.geometry.reindex(burglary["lsoa_code"]).to_numpy(), 20
    )
    assert within.mean() >= 0.98
    assert np.corrcoef(result["count"], reference)[0, 1] > 0.9
    boroughs = aggregate(burglary, boundaries.load("boroughs"))
    by_borough = lsoa["borough_code"].reindex(burglary["lsoa_code"]).value_counts()
    share = (boroughs["count"] - by_borough.reindex(boroughs.index)).abs().sum() / len(burglary)
    assert share < 0.02


def test_met_ward_table_round_trips(ward_table):
    raw = pd.read_csv(hotspots.sample_path("mps-ward-crime"))
    wards = aggregate(ward_table, boundaries.load("wards"))
    assert wards["count"].sum() == raw.select_dtypes("number").to_numpy().sum()
    assert np.isnan(wards.loc["E09000001", "count"])
    assert not wards.loc["E09000001", "covered"]
    assert wards["covered"].sum() == 679
    assert wards.attrs["hotspots"]["level"] == "wards"
    monthly = aggregate(ward_table, boundaries.load("wards"), by="month")
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


def test_borough_table_reports_pseudo_borough():
    table = hotspots.read_mps_crime("tests/data/mps/borough-slice.csv")
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
