"""Repeat and near-repeat victimisation: the Knox test and repeat locations.

References: brute-force all-pairs counts on real police.uk months (the shipped
burglary sample), the exact permutation distribution of a hand-worked example,
and the closed-form permutation expectation ``N_distance * N_time / C(n, 2)``.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import hotspots
from hotspots._errors import InputError
from hotspots._vocabulary import KNOX_MORE, NOT_SIGNIFICANT, SAME_LOCATION
from hotspots.repeats._kernels import band_counts, close_pairs


@pytest.fixture(scope="module")
def burglary():
    return hotspots.read_police_uk(
        hotspots.sample_path("police-uk-burglary"), crime_types="burglary"
    )


@pytest.fixture(scope="module")
def south(burglary):
    """Real police.uk burglary in three boroughs, three months (about 1,500 events)."""
    names = burglary["lsoa_name"].astype(str)
    keep = names.str.startswith(("Southwark", "Lambeth", "Camden"))
    return burglary[keep.to_numpy()].reset_index(drop=True)


def brute_force(points, distance_edges, time_edges):
    """All-pairs counts, numpy only: (distance bands + 2) x (time bands + 1)."""
    x = points.geometry.x.to_numpy()
    y = points.geometry.y.to_numpy()
    t = points["month"].array.asi8
    i, j = np.triu_indices(len(x), k=1)
    dx, dy = x[i] - x[j], y[i] - y[j]
    d = np.sqrt(dx * dx + dy * dy)
    dband = np.where(d == 0, 0, np.searchsorted(distance_edges, d, side="left") + 1)
    tband = np.searchsorted(time_edges, np.abs(t[i] - t[j]), side="left")
    table = np.zeros((len(distance_edges) + 2, len(time_edges) + 1), dtype=np.int64)
    np.add.at(table, (dband, tband), 1)
    return table


@pytest.mark.parametrize(
    ("distance_bands", "time_bands"),
    [([100, 200, 300, 400, 500], [0, 1]), ([50, 75.5, 1000], [0]), ([250], [0, 1, 2])],
    ids=["5x100m-months", "uneven", "one-band"],
)
def test_knox_counts_equal_brute_force_on_police_uk_months(south, distance_bands, time_bands):
    knox = hotspots.near_repeat(
        south, time="month", distance_bands=distance_bands, time_bands=time_bands,
        permutations=0, seed=1,
    )  # fmt: skip
    expected = brute_force(south, np.asarray(distance_bands, float), np.asarray(time_bands))
    observed = knox["observed"].to_numpy().reshape(expected.shape)
    np.testing.assert_array_equal(observed, expected)
    assert observed.sum() == len(south) * (len(south) - 1) // 2


def test_close_pairs_each_pair_once(south):
    x, y = south.geometry.x.to_numpy(), south.geometry.y.to_numpy()
    first, second, band = close_pairs(x, y, np.array([300.0]))
    pairs = np.sort(np.c_[first, second], axis=1)
    assert len(np.unique(pairs, axis=0)) == len(pairs)
    assert (first != second).all()
    d = np.hypot(x[first] - x[second], y[first] - y[second])
    assert ((d == 0) == (band == 0)).all()


def hand_example():
    """Four burglaries: A and B at one address, C 50 m away, D 1 km away.

    Times (days) 0, 0, 5, 5. Shuffling the times, each of the 6 ways to choose
    which two events fall on day 0 is equally likely. A and B share a day in 2
    of them ({A,B} or {C,D} on day 0): P(same-location same-day pairs >= 1) = 1/3,
    and the expected count is 1/3. The pairs A-C and B-C (up to 100 m) share a
    day in 4 of the 6 ways, once each: expected count 2/3, observed 0, p = 1.
    """
    dates = pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-06", "2024-01-06"])
    geometry = shapely.points([530000, 530000, 530050, 531000], [180000] * 4)
    return gpd.GeoDataFrame({"date": dates}, geometry=geometry, crs=27700)


def test_monte_carlo_p_matches_hand_computed_exact_permutation_distribution():
    permutations = 20000
    knox = hotspots.near_repeat(
        hand_example(), time="date", distance_bands=[100], time_bands=[0],
        permutations=permutations, seed=7, correction=None,
    )  # fmt: skip
    cell = knox.set_index(["distance_band", "time_band"])
    same = cell.loc[(SAME_LOCATION, "Same day")]
    near = cell.loc[("Up to 100 m", "Same day")]
    assert same["observed"] == 1 and near["observed"] == 0
    se = np.sqrt(1 / 3 * 2 / 3 / permutations)
    assert same["p"] == pytest.approx(1 / 3, abs=5 * se)
    assert same["expected"] == pytest.approx(1 / 3, abs=5 * se)
    assert near["expected"] == pytest.approx(2 / 3, abs=5 * se)
    assert near["p"] == 1.0


def test_expected_equals_closed_form_permutation_mean(south):
    """E[count] = (close pairs in the distance band) x (pairs in the time band) / C(n, 2)."""
    knox = hotspots.near_repeat(
        south, time="month", distance_bands=[100, 200], time_bands=[0, 1],
        permutations=400, seed=3,
    )  # fmt: skip
    table = knox["observed"].to_numpy().reshape(4, 3)
    total = table.sum()
    exact = table.sum(axis=1)[:, None] * table.sum(axis=0)[None, :] / total
    expected = knox["expected"].to_numpy().reshape(4, 3)
    # Monte Carlo error of a mean of 400 draws: well within 5 % of cells with > 100 pairs
    big = exact > 100
    np.testing.assert_allclose(expected[big], exact[big], rtol=0.05)


def test_same_seed_same_result_whatever_the_threads(south):
    x, y = south.geometry.x.to_numpy(), south.geometry.y.to_numpy()
    first, second, band = close_pairs(x, y, np.array([100.0, 200.0]))
    t = south["month"].array.asi8.astype(np.int64)
    lut = np.array([0, 1, 2], dtype=np.int64)
    runs = [
        band_counts(t, first, second, band, lut, 3, 3, permutations=37, seed=11, threads=k)[1]
        for k in (1, 2, 3)
    ]
    np.testing.assert_array_equal(runs[0], runs[1])
    np.testing.assert_array_equal(runs[0], runs[2])
    other = band_counts(t, first, second, band, lut, 3, 3, permutations=37, seed=12)[1]
    assert not np.array_equal(runs[0], other)


def test_table_shape_labels_and_provenance(south):
    knox = hotspots.near_repeat(
        south, time="month", distance_bands=[100, 200], time_bands=[0], permutations=19, seed=2
    )
    assert list(knox["distance_band"].cat.categories) == [
        SAME_LOCATION, "Up to 100 m", "100 to 200 m", "More than 200 m",
    ]  # fmt: skip
    assert list(knox["time_band"].cat.categories) == ["Same month", "1 month or more"]
    assert set(knox["label"]) <= {KNOX_MORE, NOT_SIGNIFICANT}
    assert knox.attrs["hotspots"]["seed"] == 2
    assert knox.attrs["hotspots"]["events"] == len(south)
    again = hotspots.near_repeat(
        south, time="month", distance_bands=[100, 200], time_bands=[0], permutations=19, seed=2
    )
    pd.testing.assert_frame_equal(knox, again)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"distance_bands": [200, 100]}, ValueError),
        ({"distance_bands": [0, 100]}, ValueError),
        ({"time_bands": [0.5]}, ValueError),
        ({"time": "nope"}, InputError),
    ],
    ids=["decreasing", "zero-distance", "fractional-time", "no-column"],
)
def test_bad_arguments(south, kwargs, error):
    args = {"time": "month", "distance_bands": [100], "time_bands": [0], "permutations": 9}
    with pytest.raises(error):
        hotspots.near_repeat(south, **{**args, **kwargs})


# ------------------------------------------------------------------ repeat locations


def test_repeat_locations_counts_match_a_groupby_of_map_points(burglary):
    feb = burglary[(burglary["month"] == pd.Period("2025-02", "M")).to_numpy()]
    places = hotspots.repeat_locations(burglary, time="month", window="2025-02")
    by_point = feb.groupby([feb.geometry.x, feb.geometry.y]).size()
    assert len(places) == len(by_point)
    assert sorted(places["incidents"]) == sorted(by_point.tolist())
    assert (places["repeats"] == places["incidents"] - 1).all()
    info = places.attrs["hotspots"]
    assert info["incidents"] == len(feb)
    assert info["reference_incidents"] == len(burglary) - len(feb)
    assert info["repeat_share"] == pytest.approx((by_point - 1).sum() / len(feb))


def test_repeat_expected_and_p_follow_the_reference_model():
    """Hand-worked: 4 counted incidents (a: 3, b: 1), 8 reference (a: 3, c: 5).

    theta = N / (N + R) = 4 / 12 = 1/3. Location a: n + r = 6, expected 2,
    p = P(Binomial(6, 1/3) >= 3) = 1 - (64 + 192 + 240) / 729 = 233 / 729.
    Location b: n + r = 1, expected 1/3, p = P(Binomial(1, 1/3) >= 1) = 1/3.
    """
    geometry = shapely.points([530000] * 4, [180000] * 4)
    counted = gpd.GeoDataFrame({"addr": ["a", "a", "a", "b"]}, geometry=geometry, crs=27700)
    reference = gpd.GeoDataFrame(
        {"addr": ["a"] * 3 + ["c"] * 5}, geometry=shapely.points([530000] * 8, [180000] * 8),
        crs=27700,
    )  # fmt: skip
    places = hotspots.repeat_locations(
        counted, location="addr", reference=reference, correction=None
    ).set_index("location_id")
    np.testing.assert_allclose(places.loc[["a", "b"], "expected"], [2, 1 / 3], rtol=1e-12)
    assert places.loc["a", "p"] == pytest.approx(233 / 729, rel=1e-12)
    assert places.loc["b", "p"] == pytest.approx(1 / 3, rel=1e-12)
    assert places.loc["a", "reference"] == 3 and "c" not in places.index
    assert places.loc["b", "label"] == NOT_SIGNIFICANT  # one incident is never a repeat


def test_repeat_locations_without_a_reference_has_no_model(burglary):
    places = hotspots.repeat_locations(burglary)
    assert places["expected"].isna().all() and places["label"].isna().all()
    assert places["incidents"].sum() == len(burglary)


def test_repeat_areas_sum_to_the_locations(burglary):
    import boundaries

    boroughs = boundaries.load("boroughs")
    areas = hotspots.repeat_areas(burglary, boroughs, time="month", window="2025-02")
    assert areas.index.equals(boroughs.index)
    places = hotspots.repeat_locations(burglary, time="month", window="2025-02")
    inside = len(places) - areas.attrs["hotspots"]["outside_areas"]
    assert areas["repeat_locations"].sum() == inside
    assert areas["repeat_flagged"].sum() <= (places["label"] == "More repeats than expected").sum()
    share = areas["repeat_repeats"] / areas["repeat_incidents"]
    np.testing.assert_allclose(areas["repeat_share"], share)
    assert "repeat_share" not in boroughs.columns


# ------------------------------------------------------------------ risk, figure, command


def test_risk_areas_cover_recent_events_within_the_reach():
    """20 addresses hit twice on one day (address k on day 3k), 10 single events between
    them: only same-address same-day pairs are in excess, so the risk zone on the last
    day is the address hit that day."""
    days = np.r_[np.repeat(np.arange(20) * 3, 2), np.arange(10) * 5 + 1]
    x = np.r_[np.repeat(np.arange(20) * 1000.0, 2), np.arange(10) * 1000.0 + 500]
    points = gpd.GeoDataFrame(
        {"date": pd.Timestamp("2024-01-01") + pd.to_timedelta(days, unit="D")},
        geometry=shapely.points(530000 + x, 180000),
        crs=27700,
    )
    knox = hotspots.near_repeat(
        points, time="date", distance_bands=[50], time_bands=[0, 30], permutations=199, seed=4
    )
    assert knox.loc[0, "label"] == KNOX_MORE
    risk = hotspots.near_repeat_risk(points, knox, time="date")
    assert risk.attrs["hotspots"]["distance"] == 0.0
    assert risk.attrs["hotspots"]["time_window"] == 0
    assert (risk.geometry.x - 530000).tolist() == [19000.0]
    assert risk["events"].tolist() == [2]
    assert risk["latest"].tolist() == [pd.Timestamp("2024-01-01") + pd.Timedelta(days=57)]
    earlier = hotspots.near_repeat_risk(points, knox, time="date", as_of="2024-01-04")
    assert (earlier.geometry.x - 530000).tolist() == [1000.0]


def test_figure_has_one_cell_per_row(south, tmp_path):
    knox = hotspots.near_repeat(
        south, time="month", distance_bands=[100], time_bands=[0], permutations=19, seed=1
    )
    svg = hotspots.near_repeat_figure(knox, tmp_path / "knox.svg")
    assert svg.count("<rect") == len(knox) + 1  # + the background
    assert (tmp_path / "knox.svg").read_text(encoding="utf-8") == svg


def test_command_writes_every_output(tmp_path):
    from hotspots.cli import main

    status = main([
        "repeats", "sample:police-uk-burglary", "--crime-type", "burglary", "--window",
        "2025-02", "--permutations", "19", "--distance-bands", "100,200", "--time-bands", "0",
        "--level", "boroughs", "--out-dir", str(tmp_path), "--quiet",
    ])  # fmt: skip
    assert status == 0
    knox = pd.read_csv(tmp_path / "knox.csv")
    assert len(knox) == 4 * 2 and {"observed", "expected", "ratio", "p"} <= set(knox.columns)
    for name in ("knox.svg", "repeat-locations.csv", "repeat-areas.gpkg"):
        assert (tmp_path / name).stat().st_size > 0
    assert len(gpd.read_file(tmp_path / "repeat-areas.gpkg")) == 33


def test_near_repeat_same_table_with_one_or_two_threads(south, monkeypatch):
    args = {"time": "month", "distance_bands": [100, 300], "time_bands": [0, 1]}
    tables = []
    for threads in ("1", "2"):
        monkeypatch.setenv("NUMBA_NUM_THREADS", threads)
        tables.append(hotspots.near_repeat(south, **args, permutations=49, seed=9))
    pd.testing.assert_frame_equal(tables[0], tables[1])


def test_knox_p_values_are_calibrated_on_null_data(south):
    """Times shuffled at random (no space-time interaction by construction): a cell's
    p <= 0.1 in at most 10 % of 100 null replicates (plus three standard errors)."""
    rng = np.random.default_rng(0)
    hits = 0
    reps = 100
    for _ in range(reps):
        null = south.assign(month=rng.permutation(south["month"].to_numpy()))
        knox = hotspots.near_repeat(
            null, time="month", distance_bands=[200], time_bands=[0], permutations=19,
            seed=int(rng.integers(2**31)), correction=None,
        )  # fmt: skip
        hits += knox.loc[0, "p"] <= 0.1
    assert hits / reps <= 0.1 + 3 * np.sqrt(0.1 * 0.9 / reps)


def test_command_on_a_table_of_dates(tmp_path, south):
    """A CSV with coordinates and dates (synthetic days within the real months)."""
    from hotspots.cli import main

    rng = np.random.default_rng(1)
    lonlat = south.to_crs(4326)
    days = rng.integers(0, 28, len(south))
    frame = pd.DataFrame({
        "lon": lonlat.geometry.x, "lat": lonlat.geometry.y,
        "date": (south["month"].dt.start_time + pd.to_timedelta(days, unit="D")).dt.date,
    })  # fmt: skip
    frame.to_csv(tmp_path / "incidents.csv", index=False)
    status = main([
        "repeats", str(tmp_path / "incidents.csv"), "--x", "lon", "--y", "lat",
        "--time-column", "date", "--permutations", "9", "--level", "boroughs",
        "--out-dir", str(tmp_path / "out"), "--quiet",
    ])  # fmt: skip
    assert status == 0
    knox = pd.read_csv(tmp_path / "out" / "knox.csv")
    assert knox["time_band"].iloc[0] == "0 to 14 days"
    assert knox["observed"].sum() == len(south) * (len(south) - 1) // 2


def test_command_help():
    from hotspots.cli import main

    with pytest.raises(SystemExit) as done:
        main(["repeats", "--help"])
    assert done.value.code == 0
