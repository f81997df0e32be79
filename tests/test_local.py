"""local_moran and getis_ord: contract, esda, shuffled order, string ids, islands, no data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _reference import values as reference_values
from esda import G_Local
from libpysal.graph import Graph

import boundaries
from hotspots import InputError, getis_ord, local_moran, spatial_weights

LISA = {"High-High", "Low-Low", "High-Low", "Low-High", "Not significant", "No data",
        "No neighbours"}  # fmt: skip
GI = {f"{kind} spot ({level}%)" for kind in ("Hot", "Cold") for level in (90, 95, 99)} | {
    "Not significant", "No data", "No neighbours"}  # fmt: skip


@pytest.fixture(scope="module")
def wards():
    """Shipped ward layer with real weapons counts; the City has no data."""
    frame = boundaries.load("wards")
    frame["weapons"] = reference_values("wards_weapons")["value"].reindex(frame.index)
    return frame, spatial_weights(frame)


def test_local_moran_columns_and_provenance(wards):
    frame, graph = wards
    result = local_moran(frame, "weapons", graph=graph, permutations=99, seed=1)
    assert result.index.equals(frame.index)
    assert result.geometry.equals(frame.geometry)
    assert "lisa_i" not in frame  # a copy
    for column in ("lisa_i", "lisa_z", "lisa_p_sim", "lisa_p_adjusted"):
        assert result[column].dtype == np.float64
    assert result["lisa_significant"].dtype == "boolean"
    assert set(result["lisa_label"]) <= LISA
    assert result.loc["E09000001", "lisa_label"] == "No data"
    assert np.isnan(result.loc["E09000001", "lisa_i"])
    attrs = result.attrs["hotspots"]
    assert attrs["statistic"] == "Local Moran's I"
    assert (attrs["alpha"], attrs["correction"], attrs["permutations"], attrs["seed"]) == (
        0.05, "fdr", 99, 1)  # fmt: skip
    assert "row-standardised" in attrs["weights"]


def test_getis_ord_columns(wards):
    frame, graph = wards
    result = getis_ord(frame, "weapons", graph=graph, permutations=99, seed=1, alpha=0.1,
                       inference="analytical")  # fmt: skip
    assert result["gi_bin"].dtype == "Int8"
    assert result["gi_p"].equals(result["gi_p_norm"])
    assert result["gi_permutations"].max() == 99
    assert result["gi_bin"].dropna().between(-3, 3).all()
    assert pd.isna(result.loc["E09000001", "gi_bin"])
    assert set(result["gi_label"]) <= GI
    assert result.loc["E09000001", "gi_label"] == "No data"
    hot = result["gi_label"].str.startswith("Hot")
    assert (result.loc[hot, "gi_z"] > 0).all() and hot.sum() > 5
    assert "binary, self included" in result.attrs["hotspots"]["weights"]


def test_gi_star_matches_esda_on_the_same_graph(wards):
    frame, graph = wards
    data = frame.dropna(subset=["weapons"])
    sub = graph.subgraph(data.index)
    ours = getis_ord(data, "weapons", graph=sub, permutations=0, inference="analytical")
    theirs = G_Local(data["weapons"].to_numpy(), sub.assign_self_weight(1.0).to_W(),
                     transform="B", star=True, permutations=0)  # fmt: skip
    np.testing.assert_allclose(ours["gi_z"], theirs.Zs, rtol=1e-9)


def test_bins_follow_corrected_p_and_alpha(wards):
    frame, graph = wards
    none = getis_ord(
        frame,
        "weapons",
        graph=graph,
        permutations=0,
        inference="analytical",
        correction=None,
        alpha=0.1,
    )
    fdr = getis_ord(
        frame, "weapons", graph=graph, permutations=0, inference="analytical", alpha=0.1
    )
    bonferroni = getis_ord(frame, "weapons", graph=graph, permutations=0, inference="analytical",
                           alpha=0.1, correction="bonferroni")  # fmt: skip
    counts = [(r["gi_bin"].fillna(0) != 0).sum() for r in (none, fdr, bonferroni)]
    assert counts[0] > counts[1] > counts[2] > 0
    strict = getis_ord(
        frame, "weapons", graph=graph, permutations=0, inference="analytical", correction=None
    )
    assert not (strict["gi_bin"].abs() == 1).any()  # alpha 0.05: no 90% bin
    p = none["gi_p"]
    assert (none["gi_bin"].abs() == 3).eq(p <= 0.01).all()


@pytest.mark.parametrize("function", [local_moran, getis_ord], ids=["lisa", "gi"])
def test_shuffled_order_gives_the_same_statistics(wards, function):
    frame, graph = wards
    first = function(frame, "weapons", graph=graph, permutations=99, seed=3)
    shuffled = frame.sample(frac=1.0, random_state=1)
    second = function(shuffled, "weapons", graph=graph, permutations=99, seed=3).loc[frame.index]
    for column in ("lisa_i", "lisa_z", "gi_z", "gi_g", "gi_p_norm"):
        if column in first:
            np.testing.assert_allclose(second[column], first[column], rtol=1e-12)
    p = "lisa_p_sim" if "lisa_p_sim" in first else "gi_p_sim"
    assert np.corrcoef(first[p].dropna(), second[p].dropna())[0, 1] > 0.9


def test_missing_area_equals_leaving_it_out(wards):
    """An area with NaN is dropped with its links: identical to the frame without it."""
    frame, graph = wards
    full = local_moran(frame, "weapons", graph=graph, permutations=99, seed=5)
    data = frame.dropna(subset=["weapons"])
    subset = local_moran(data, "weapons", graph=graph, permutations=99, seed=5)
    pd.testing.assert_frame_equal(full.loc[data.index], subset, check_like=False)


def _strings_frame():
    """Five areas with string ids on a plain DataFrame; 'e' is an island, 'd' has no data."""
    frame = pd.DataFrame({"count": [5.0, 6.0, 1.0, None, 3.0, 2.0]},
                         index=pd.Index(["a", "b", "c", "d", "e", "f"], name="code"))  # fmt: skip
    links = [("a", "b"), ("b", "c"), ("c", "d"), ("a", "c"), ("b", "f"), ("c", "f")]
    focal = [p for p, q in links] + [q for p, q in links] + ["e"]
    neighbour = [q for p, q in links] + [p for p, q in links] + ["e"]
    return frame, Graph.from_arrays(focal, neighbour, [1.0] * (2 * len(links)) + [0.0])


@pytest.mark.parametrize("function", [local_moran, getis_ord], ids=["lisa", "gi"])
def test_plain_frame_string_ids_island_and_no_data(function):
    frame, graph = _strings_frame()
    before = graph.adjacency.copy()
    result = function(frame, "count", graph=graph, permutations=19, seed=0)
    label = "lisa_label" if function is local_moran else "gi_label"
    assert result.loc["d", label] == "No data"
    assert result.loc["e", label] == "No neighbours"
    assert result[label].drop(["d", "e"]).isin(["Not significant", *sorted(LISA | GI)]).all()
    pd.testing.assert_series_equal(graph.adjacency, before)  # caller's graph untouched
    assert result.attrs["hotspots"]["areas_without_neighbours"] == 1


def test_plain_frame_without_graph_is_an_input_error():
    frame, _ = _strings_frame()
    with pytest.raises(InputError, match="graph"):
        local_moran(frame, "count")


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [({"column": "nope"}, InputError), ({"alpha": 1.5}, ValueError),
     ({"correction": "holm"}, ValueError), ({"permutations": -1}, ValueError),
     ({"seed": -2}, ValueError), ({"pool": "fresh"}, ValueError)],
    ids=["column", "alpha", "correction", "permutations", "seed", "pool"],
)  # fmt: skip
def test_bad_arguments(kwargs, error):
    frame, graph = _strings_frame()
    arguments = {"column": "count", "graph": graph, **kwargs}
    with pytest.raises(error):
        getis_ord(frame, **arguments)


def test_graph_missing_an_area_is_an_input_error():
    frame, graph = _strings_frame()
    with pytest.raises(InputError, match="not in the graph"):
        local_moran(frame, "count", graph=graph.subgraph(["a", "b", "c"]))


def test_negative_values_refused_by_gi():
    frame, graph = _strings_frame()
    frame.loc["a", "count"] = -1.0
    with pytest.raises(InputError, match="non-negative"):
        getis_ord(frame, "count", graph=graph)


def test_same_seed_identical_and_independent_pool(wards):
    frame, graph = wards
    a = local_moran(frame, "weapons", graph=graph, permutations=99, seed=8, pool="independent")
    b = local_moran(frame, "weapons", graph=graph, permutations=99, seed=8, pool="independent")
    pd.testing.assert_frame_equal(a, b)
    assert a.attrs["hotspots"]["pool"] == "independent"


def test_seed_none_is_recorded_and_reproduces(wards):
    frame, graph = wards
    first = getis_ord(frame, "weapons", graph=graph, permutations=49)
    seed = first.attrs["hotspots"]["seed"]
    again = getis_ord(frame, "weapons", graph=graph, permutations=49, seed=seed)
    pd.testing.assert_series_equal(first["gi_p_sim"], again["gi_p_sim"])


def test_default_graph_on_lsoas_runs():
    lsoa = boundaries.load("lsoa")
    lsoa["value"] = reference_values("lsoa_burglary")["value"].reindex(lsoa.index)
    result = getis_ord(lsoa, "value", permutations=9, seed=0, inference="analytical")
    assert (result["gi_label"] == "No data").sum() == 6
    assert (result["gi_bin"] == 3).sum() > 50
