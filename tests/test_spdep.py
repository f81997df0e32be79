"""Statistics against R spdep 1.2.7 on real London data (stored values, no R needed).

The graphs are the stored spdep neighbour lists, so what is compared is the
statistics, not the contiguity. Analytical quantities must agree to 1e-9
relative. See tests/reference/README.md for the cases and spdep conventions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _reference import graph, read, values

from hotspots import eb_moran, eb_rate, general_g, getis_ord, global_moran, local_moran
from hotspots.stats._engine import CSRGraph, csr_from_graph, local_g_stat
from hotspots.stats._global import moran_test

RTOL = 1e-9
CASES = ["wards_weapons", "lsoa_burglary", "wards_weapons_knn6"]


def _data(case: str) -> tuple[pd.DataFrame, object]:
    frame = values(case).dropna(subset=["value"])
    return frame, graph(case)


@pytest.fixture(scope="module", params=CASES)
def case(request):
    return request.param


@pytest.mark.parametrize("field", ["I", "expected", "variance", "z"])
def test_global_moran_row_standardised(case, field):
    frame, g = _data(case)
    result = global_moran(frame, "value", graph=g, permutations=0)
    expected = read(f"{case}_moran").set_index("style").loc["W"]
    names = {"I": "value", "expected": "expected", "variance": "variance", "z": "z"}
    assert getattr(result, names[field]) == pytest.approx(expected[field], rel=RTOL)
    assert result.p_norm == pytest.approx(expected["p"], rel=1e-6, abs=1e-300)


@pytest.mark.parametrize("case_b", ["wards_weapons", "lsoa_burglary"])
def test_global_moran_binary_weights(case_b):
    """Style B through the internal test (the public function row-standardises)."""
    frame, g = _data(case_b)
    csr = csr_from_graph(g, ids=frame.index).binary()
    result = moran_test(frame["value"].to_numpy(), csr, permutations=0, seed=0)
    expected = read(f"{case_b}_moran").set_index("style").loc["B"]
    for ours, theirs in [("value", "I"), ("expected", "expected"), ("variance", "variance"),
                         ("z", "z")]:  # fmt: skip
        assert getattr(result, ours) == pytest.approx(expected[theirs], rel=RTOL), ours


@pytest.mark.parametrize("case_g", ["wards_weapons", "lsoa_burglary"])
def test_general_g(case_g):
    frame, g = _data(case_g)
    result = general_g(frame, "value", graph=g, permutations=0)
    expected = read(f"{case_g}_general_g").iloc[0]
    for ours, theirs in [("G", "G"), ("expected", "expected"), ("variance", "variance"),
                         ("z", "z")]:  # fmt: skip
        assert getattr(result, ours) == pytest.approx(expected[theirs], rel=RTOL), ours


@pytest.mark.parametrize("case_l", ["wards_weapons", "lsoa_burglary"])
def test_local_moran_spdep_convention(case_l):
    frame, g = _data(case_l)
    result = local_moran(frame, "value", graph=g, permutations=9, seed=0)
    expected = read(f"{case_l}_local").set_index("code")
    np.testing.assert_allclose(result["lisa_i"], expected["Ii"], rtol=RTOL)
    np.testing.assert_allclose(result["lisa_z"], expected["Z_Ii_conditional"], rtol=RTOL)


@pytest.mark.parametrize("case_l", ["wards_weapons", "lsoa_burglary"])
def test_local_moran_esda_convention_is_n_minus_1_over_n(case_l):
    """esda's Is (spdep mlvar=FALSE) = (n - 1) / n times ours: test the exact relation."""
    frame, g = _data(case_l)
    result = local_moran(frame, "value", graph=g, permutations=9, seed=0)
    n = len(frame)
    expected = read(f"{case_l}_local").set_index("code")["Ii_mlvar_false"]
    np.testing.assert_allclose(result["lisa_i"] * (n - 1) / n, expected, rtol=RTOL)


def test_lisa_quadrants_match_spdep():
    frame, g = _data("wards_weapons")
    result = local_moran(frame, "value", graph=g, permutations=9, seed=0, alpha=0.999,
                         correction=None)  # fmt: skip
    expected = read("wards_weapons_local").set_index("code")["quadrant"]
    significant = result["lisa_significant"].to_numpy(dtype=bool)
    assert significant.sum() > 600
    pd.testing.assert_series_equal(
        result.loc[significant, "lisa_label"],
        expected[significant].astype("str"),
        check_names=False,
    )


@pytest.mark.parametrize("case_l", CASES)
def test_gi_star_binary_self_included(case_l):
    frame, g = _data(case_l)
    result = getis_ord(frame, "value", graph=g, permutations=0, inference="analytical")
    expected = read(f"{case_l}_local").set_index("code")
    np.testing.assert_allclose(result["gi_z"], expected["gistar_B"], rtol=RTOL)
    if "gistar_B_p" in expected:
        np.testing.assert_allclose(result["gi_p"], expected["gistar_B_p"], rtol=1e-6)


def test_gi_star_statistic_value():
    frame, g = _data("wards_weapons")
    csr = csr_from_graph(g, ids=frame.index).binary(self_weight=1.0)
    stat = local_g_stat(frame["value"].to_numpy(), csr, star=True, permutations=0)
    expected = read("wards_weapons_local")["gistar_B_G"].to_numpy()
    np.testing.assert_allclose(stat.statistic[:, 0], expected, rtol=RTOL)


@pytest.mark.parametrize("style", ["B", "W"])
@pytest.mark.parametrize("case_l", ["wards_weapons", "lsoa_burglary"])
def test_gi_self_excluded(case_l, style):
    """Gi (star=False): binary through the public API, row-standardised through the engine."""
    frame, g = _data(case_l)
    expected = read(f"{case_l}_local")[f"gi_{style}"].to_numpy()
    if style == "B":
        ours = getis_ord(
            frame, "value", graph=g, star=False, permutations=0, inference="analytical"
        )["gi_z"]
    else:
        csr = csr_from_graph(g, ids=frame.index).row_standardised()
        ours = local_g_stat(frame["value"].to_numpy(), csr, star=False, permutations=0).z[:, 0]
    np.testing.assert_allclose(ours, expected, rtol=RTOL)


def test_gi_star_knn_row_standardised():
    """Gi* with non-binary weights: knn(6) plus self, each of the 7 weights 1/7 (spdep style W)."""
    frame, g = _data("wards_weapons_knn6")
    binary = csr_from_graph(g, ids=frame.index).binary(self_weight=1.0)
    assert (binary.cardinalities == 6).all()
    rows = CSRGraph(binary.indptr, binary.indices, binary.weights / 7, binary.self_weight / 7)
    stat = local_g_stat(frame["value"].to_numpy(), rows, star=True, permutations=0)
    expected = read("wards_weapons_knn6_local")["gistar_W"].to_numpy()
    np.testing.assert_allclose(stat.z[:, 0], expected, rtol=RTOL)


def test_eb_rate_matches_ebest():
    frame = values("wards_weapons")
    expected = read("wards_weapons_eb").set_index("code")
    ours = eb_rate(frame, "value", "population", per=1)
    assert ours.isna().sum() == 1  # the City: no data
    np.testing.assert_allclose(ours.reindex(expected.index), expected["estmm"], rtol=RTOL)


def test_eb_moran_matches_ebimoran():
    frame, g = _data("wards_weapons")
    expected = read("wards_weapons_eb")["ebi_statistic"].iloc[0]
    result = eb_moran(frame, "value", "population", graph=g, permutations=0)
    assert pytest.approx(expected, rel=RTOL) == result.I


def test_missing_area_left_out_with_its_links():
    """The City (no data) in the frame, graph built with it: same as spdep on the subset."""
    import boundaries
    from hotspots import spatial_weights

    wards = boundaries.load("wards")
    wards["value"] = values("wards_weapons")["value"].reindex(wards.index)
    result = global_moran(wards, "value", graph=spatial_weights(wards), permutations=0)
    expected = read("wards_weapons_moran").set_index("style").loc["W"]
    assert result.n == 679
    assert pytest.approx(expected["I"], rel=RTOL) == result.I
    assert result.z == pytest.approx(expected["z"], rel=RTOL)
