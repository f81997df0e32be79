"""emerging_hotspots: space-time Gi* against independent computations, real data runs."""

from __future__ import annotations

from pathlib import Path

import esda
import numpy as np
import pandas as pd
import pytest
from libpysal.graph import Graph
from scipy import stats

import boundaries
import hotspots
from hotspots import InputError, emerging_hotspots
from hotspots._vocabulary import EMERGING_CATEGORIES as CATEGORIES

DATA = Path(__file__).parent / "data" / "spacetime"


@pytest.fixture(scope="module")
def wards():
    return boundaries.load("wards")


@pytest.fixture(scope="module")
def ward_graph(wards):
    return Graph.build_contiguity(wards, rook=False)


@pytest.fixture(scope="module")
def ward_burglary(wards):
    table = hotspots.read_met_crime(hotspots.sample_path("mps-ward-crime"))
    return hotspots.aggregate_monthly(table, wards, crime_types="Burglary")


@pytest.fixture(scope="module")
def ward_result(wards, ward_graph, ward_burglary):
    return emerging_hotspots(
        wards, ward_burglary, graph=ward_graph, permutations=99, seed=7, inference="analytical"
    )


def brute_force_gi_z(values, graph, ids, t, time_lag):
    """Space-time Gi* z of period t by definition (Ord & Getis 1995), NaN bins left out."""
    start = max(0, t - time_lag)
    window = values[:, start : t + 1]
    pool = window[~np.isnan(window)]
    n, mean, sd = len(pool), pool.mean(), pool.std()
    neighbours = {i: {i} for i in range(len(ids))}
    position = {code: k for k, code in enumerate(ids)}
    for focal, neighbour in graph.adjacency.index:
        if focal != neighbour and graph.adjacency[(focal, neighbour)] != 0:
            neighbours[position[focal]].add(position[neighbour])
    z = np.full(len(ids), np.nan)
    for i in range(len(ids)):
        if np.isnan(values[i, t]):
            continue
        cells = [window[j, s] for j in neighbours[i] for s in range(window.shape[1])]
        cells = [c for c in cells if not np.isnan(c)]
        w, w2 = len(cells), len(cells)
        if w == 1 and time_lag == 0:
            continue
        z[i] = (sum(cells) - mean * w) / (sd * np.sqrt((n * w2 - w**2) / (n - 1)))
    return z


@pytest.mark.parametrize("time_lag", [0, 1, 2], ids=["lag0", "lag1", "lag2"])
def test_gi_z_equals_definition_on_real_wards(wards, ward_graph, ward_burglary, time_lag):
    result = emerging_hotspots(
        wards,
        ward_burglary,
        graph=ward_graph,
        time_lag=time_lag,
        permutations=0,
        inference="analytical",
    )
    values = ward_burglary.reindex(wards.index).to_numpy()
    for t in (0, 1, 5, values.shape[1] - 1):
        expected = brute_force_gi_z(values, ward_graph, list(wards.index), t, time_lag)
        got = result.periods.xs(ward_burglary.columns[t], level="period")["gi_z"]
        np.testing.assert_allclose(got.to_numpy(), expected, rtol=1e-9, atol=1e-12)


def test_lag0_equals_esda_g_local_star_each_period(wards, ward_graph, ward_burglary):
    result = emerging_hotspots(
        wards, ward_burglary, graph=ward_graph, time_lag=0, permutations=0, inference="analytical"
    )
    covered = ward_burglary.dropna().index
    sub = ward_graph.subgraph(covered)
    for period in ward_burglary.columns[[0, 11, 23]]:
        x = ward_burglary.loc[covered, period].to_numpy()
        g = esda.G_Local(x, sub.assign_self_weight(1.0).to_W(), star=True, transform="B",
                         permutations=0)  # fmt: skip
        got = result.periods.xs(period, level="period").loc[covered, "gi_z"]
        np.testing.assert_allclose(got.to_numpy(), g.Zs, rtol=1e-9)


GI_COLUMNS = ["gi_z", "gi_p", "gi_p_adjusted", "gi_p_norm", "gi_p_sim", "gi_permutations",
              "gi_bin", "gi_label"]  # fmt: skip


def awkward_cube(wards, ward_graph, ward_burglary):
    """The real ward cube with areas shuffled, an island, gaps and a period without crime."""
    cube = ward_burglary.sample(frac=1, random_state=3)
    lonely = wards.index[40]
    neighbours = ward_graph[lonely].index  # every neighbour without data in month 2: an island
    cube.loc[neighbours, cube.columns[2]] = np.nan
    cube.loc[cube.index[:25], cube.columns[5]] = np.nan
    cube.loc[:, cube.columns[9]] = cube[cube.columns[9]].where(cube[cube.columns[9]].isna(), 0.0)
    return cube, lonely


@pytest.mark.parametrize(
    ("alpha", "correction"),
    [(0.05, "fdr"), (0.10, "fdr"), (0.05, "bonferroni"), (0.10, None)],
    ids=["fdr-95", "fdr-90", "bonferroni-95", "none-90"],
)
def test_lag0_periods_equal_getis_ord_each_period(
    wards, ward_graph, ward_burglary, alpha, correction
):
    cube, lonely = awkward_cube(wards, ward_graph, ward_burglary)
    areas = wards.sample(frac=1, random_state=8)
    settings = {"permutations": 99, "seed": 2024, "alpha": alpha, "correction": correction}
    result = emerging_hotspots(areas, cube, graph=ward_graph, time_lag=0, **settings)
    frame = areas.join(cube.set_axis(cube.columns.astype(str), axis=1))
    for period in cube.columns:
        expected = hotspots.getis_ord(frame, str(period), graph=ward_graph, **settings)
        got = result.periods.xs(period, level="period")
        for column in GI_COLUMNS:
            pd.testing.assert_series_equal(
                got[column], expected[column], check_exact=True, check_names=False
            )
    labels = result.periods["gi_label"]
    assert labels.loc[(lonely, cube.columns[2])] == "No neighbours"
    assert (labels.xs(cube.columns[9], level="period").drop("E09000001") == "Not significant").all()
    assert (labels.xs(cube.columns[5], level="period").loc[cube.index[:25]] == "No data").all()
    assert result.periods["gi_p_sim"].notna().sum() > 0.9 * len(result.periods)


def test_lag0_equals_getis_ord_up_to_rounding_for_rates(wards, ward_graph, ward_burglary):
    rates = ward_burglary / 3.7  # non-integer values: batched sums may round differently
    result = emerging_hotspots(
        wards, rates, graph=ward_graph, time_lag=0, permutations=0, inference="analytical"
    )
    frame = wards.join(rates.set_axis(rates.columns.astype(str), axis=1))
    for period in rates.columns[[0, 12, 23]]:
        expected = hotspots.getis_ord(
            frame, str(period), graph=ward_graph, permutations=0, inference="analytical"
        )
        got = result.periods.xs(period, level="period")
        np.testing.assert_allclose(got["gi_z"], expected["gi_z"], rtol=1e-12, atol=1e-12)
        pd.testing.assert_series_equal(got["gi_label"], expected["gi_label"], check_names=False)


def test_seed_none_is_drawn_and_recorded(wards, ward_graph, ward_burglary):
    first = emerging_hotspots(wards, ward_burglary, graph=ward_graph, permutations=19)
    seed = first.areas.attrs["hotspots"]["seed"]
    assert isinstance(seed, int)
    again = emerging_hotspots(wards, ward_burglary, graph=ward_graph, permutations=19, seed=seed)
    pd.testing.assert_frame_equal(first.periods, again.periods)


def test_real_ward_result_shape_and_words(wards, ward_result, ward_burglary):
    areas, periods = ward_result.areas, ward_result.periods
    assert list(areas.index) == list(wards.index)
    assert areas.geometry.equals(wards.geometry)
    assert set(areas["emerging_label"]) <= set(CATEGORIES)
    assert areas.loc["E09000001", "emerging_label"] == "No data"  # City: no Met data
    assert (areas["emerging_label"] != "No pattern detected").sum() > 20
    assert set(areas["trend_direction"]) <= {
        "Upward trend", "Downward trend", "No significant trend", "No data"
    }  # fmt: skip
    assert periods.shape == (680 * 24, 9)
    assert periods.index.names == ["code", "period"]
    assert periods["gi_bin"].dtype == "Int8"
    assert (periods.xs("E09000001", level="code")["gi_label"] == "No data").all()
    np.testing.assert_array_equal(
        areas["hot_periods"] + areas["cold_periods"],
        periods["gi_bin"].fillna(0).ne(0).groupby(level="code", sort=False).sum().to_numpy(),
    )
    assert ward_result.areas.attrs["hotspots"]["time_lag"] == 1


def test_trend_columns_are_mann_kendall_of_gi_z(ward_result):
    for code in ward_result.areas.index[[5, 100, 400]]:
        series = ward_result.periods.xs(code, level="code")["gi_z"].to_numpy()
        mk = hotspots.mann_kendall(series)
        row = ward_result.areas.loc[code]
        assert row["trend_z"] == pytest.approx(mk.z)
        assert row["trend_p"] == pytest.approx(mk.p)
        assert row["trend_direction"] == mk.trend


def test_same_seed_same_result_and_shuffled_areas(wards, ward_graph, ward_burglary, ward_result):
    again = emerging_hotspots(
        wards, ward_burglary, graph=ward_graph, permutations=99, seed=7, inference="analytical"
    )
    pd.testing.assert_frame_equal(again.periods, ward_result.periods)
    shuffled = wards.sample(frac=1, random_state=5)
    other = emerging_hotspots(
        shuffled, ward_burglary, graph=ward_graph, permutations=0, inference="analytical"
    )
    assert list(other.areas.index) == list(shuffled.index)
    pd.testing.assert_series_equal(
        other.areas["emerging_label"].loc[wards.index],
        ward_result.areas["emerging_label"],
    )


def test_missing_periods_of_one_area(wards, ward_graph, ward_burglary):
    cube = ward_burglary.copy()
    code_gap, code_final = cube.index[10], cube.index[20]
    cube.loc[code_gap, cube.columns[3:6]] = np.nan
    cube.loc[code_final, cube.columns[-1]] = np.nan
    result = emerging_hotspots(
        wards, cube, graph=ward_graph, permutations=0, inference="analytical"
    )
    assert result.areas.loc[code_gap, "periods_with_data"] == 21
    assert result.areas.loc[code_gap, "emerging_label"] != "No data"
    assert result.areas.loc[code_final, "emerging_label"] == "No data"
    labels = result.periods.xs(code_gap, level="code")["gi_label"]
    assert (labels.iloc[3:6] == "No data").all()


@pytest.mark.parametrize("inference", ["permutation", "analytical"])
def test_a_period_without_offences_is_not_significant_not_no_data(
    wards, ward_graph, ward_burglary, inference
):
    """No offence anywhere in the final period's window (time_lag=0): Gi* is undefined there
    (z NaN), but every ward has data, a zero; the state is not significant and the areas
    keep their categories from the data, never "No data"."""
    cube = ward_burglary.iloc[:, :6].copy()
    covered = cube.notna().all(axis=1)
    cube.loc[covered, cube.columns[-1]] = 0.0
    result = emerging_hotspots(
        wards, cube, graph=ward_graph, time_lag=0, seed=1, inference=inference,
        permutations=99 if inference == "permutation" else 0,
    )  # fmt: skip
    last = result.periods.xs(cube.columns[-1], level="period")
    assert last.loc[covered[covered].index, "gi_label"].eq("Not significant").all()
    labels = result.areas.loc[covered[covered].index]
    assert not labels["emerging_label"].eq("No data").any()
    assert labels["periods_with_data"].eq(6).all()
    assert result.areas.loc[~covered, "emerging_label"].eq("No data").all()


def test_lsoa_burglary_runs():
    lsoas = boundaries.load("lsoa")
    cube = pd.read_csv(DATA / "lsoa_burglary_monthly.csv", index_col="code")
    cube.columns = pd.PeriodIndex(cube.columns, freq="M", name="month")
    result = emerging_hotspots(lsoas, cube, permutations=0, inference="analytical")
    counts = result.areas["emerging_label"].value_counts()
    assert counts["No data"] == 6
    assert counts.get("Persistent hot spot", 0) + counts.get("Intensifying hot spot", 0) > 0


def test_correction_changes_only_significance(wards, ward_graph, ward_burglary):
    none = emerging_hotspots(wards, ward_burglary, graph=ward_graph, permutations=0,
                             inference="analytical", correction=None)  # fmt: skip
    fdr = emerging_hotspots(
        wards, ward_burglary, graph=ward_graph, permutations=0, inference="analytical"
    )
    np.testing.assert_array_equal(none.periods["gi_z"], fdr.periods["gi_z"])
    assert none.periods["gi_bin"].ne(0).sum() >= fdr.periods["gi_bin"].ne(0).sum()
    p = none.periods["gi_p"].to_numpy()
    np.testing.assert_allclose(p, 2 * stats.norm.sf(np.abs(none.periods["gi_z"])))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"time_lag": -1}, "time_lag"), ({"time_lag": 1.5}, "time_lag"), ({"alpha": 0}, "alpha"),
     ({"correction": "holm"}, "correction"), ({"permutations": -1}, "permutations"),
     ({"seed": -3}, "seed")],
    ids=["negative-lag", "fractional-lag", "alpha", "correction", "permutations", "seed"],
)  # fmt: skip
def test_bad_arguments(wards, ward_graph, ward_burglary, kwargs, message):
    with pytest.raises(ValueError, match=message):
        emerging_hotspots(
            wards,
            ward_burglary,
            graph=ward_graph,
            **{"permutations": 0, "inference": "analytical", **kwargs},
        )


def test_unknown_codes_and_graph_without_areas(wards, ward_graph, ward_burglary):
    with pytest.raises(InputError, match="not among the areas"):
        emerging_hotspots(wards.iloc[5:], ward_burglary, graph=ward_graph.subgraph(wards.index[5:]))
    with pytest.raises(InputError, match="not in the graph"):
        emerging_hotspots(wards, ward_burglary, graph=ward_graph.subgraph(wards.index[5:]))


def test_vectorised_categories_equal_classify_per_area_on_real_wards(ward_result, wards):
    """The categories (computed for all areas at once) are classify() of each area's series."""
    from hotspots.spacetime._rules import classify

    bins = ward_result.periods["gi_bin"].to_numpy(dtype=float, na_value=np.nan).reshape(680, 24)
    trend = ward_result.areas["trend_direction"].map({"Upward trend": 1, "Downward trend": -1})
    for i, code in enumerate(wards.index):
        usable = ~np.isnan(bins[i])
        expected = (
            classify(np.sign(bins[i][usable]), int(trend.fillna(0).iloc[i]))
            if usable[-1]
            else "No data"
        )
        assert ward_result.areas.loc[code, "emerging_label"] == expected, code
