"""points_from_frame: coordinates in, London points out, swapped axes caught."""

from __future__ import annotations

import pandas as pd
import pytest

from hotspots import InputError, points_from_frame

LONLAT = pd.DataFrame(
    {"lon": [-0.1276, -0.0754, "x", None, 2.35], "lat": [51.5072, 51.5055, 51.5, None, 48.86]},
    index=["a", "b", "c", "d", "e"],
)


def test_lonlat_rows_accounted():
    points = points_from_frame(LONLAT, x="lon", y="lat")
    report = points.attrs["report"]
    assert list(points.index) == ["a", "b"]
    assert report.dropped == {
        "no coordinates": 1,
        "unparseable coordinates": 1,
        "outside London": 1,
    }
    assert report.rows_read == 5


def test_easting_northing():
    df = pd.DataFrame({"e": [530040.0], "n": [180380.0]})
    points = points_from_frame(df, x="e", y="n", crs="EPSG:27700")
    assert points.crs.to_epsg() == 27700
    assert (points.geometry.x.iloc[0], points.geometry.y.iloc[0]) == (530040.0, 180380.0)


@pytest.mark.parametrize(
    ("df", "x", "y", "crs", "match"),
    [
        (
            pd.DataFrame({"a": [51.5, 51.4], "b": [-0.1, 0.0]}),
            "a",
            "b",
            "EPSG:4326",
            "swap them: x='b', y='a'",
        ),
        (pd.DataFrame({"a": [180000.0], "b": [530000.0]}), "a", "b", "EPSG:27700", "swap them"),
        (pd.DataFrame({"a": [530000.0], "b": [180000.0]}), "a", "b", "EPSG:4326", "EPSG:27700"),
        (pd.DataFrame({"a": [-0.1], "b": [51.5]}), "a", "b", "EPSG:27700", "EPSG:4326"),
        (pd.DataFrame({"a": [-0.1], "b": [51.5]}), "a", "lat", "EPSG:4326", "no such column"),
    ],
    ids=["swapped-lonlat", "swapped-bng", "bng-as-lonlat", "lonlat-as-bng", "missing-column"],
)
def test_swapped_or_mislabelled_coordinates_raise(df, x, y, crs, match):
    with pytest.raises(InputError, match=match):
        points_from_frame(df, x=x, y=y, crs=crs)


def test_input_not_modified():
    before = LONLAT.copy()
    points_from_frame(LONLAT, x="lon", y="lat")
    pd.testing.assert_frame_equal(LONLAT, before)
