"""Hot-spot evaluation (hit rate, PAI, PEI, PEI*, RRI), concentration and risk rankings.

References: hand-worked examples, an independent computation on the shipped Met ward
table (train Jul 2023 - Jun 2024, test Jul 2024 - Jun 2025) straight from the raw rows,
and scipy's linear-programming solver for the most crime capturable in a given area.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog
from shapely import box

import boundaries
import hotspots
from hotspots import (
    InputError,
    compare_hotspot_methods,
    concentration,
    concentration_curve,
    evaluate_hotspots,
    rank_areas,
    rolling_evaluation,
    select_hotspots,
)
from hotspots._vocabulary import MIN_OWN_COUNT


def _strip(widths: list[float]) -> gpd.GeoDataFrame:
    """Rectangles of height 1 and the given widths, side by side: areas = widths."""
    left = np.concatenate([[0.0], np.cumsum(widths)[:-1]])
    return gpd.GeoDataFrame(
        geometry=[box(x, 0, x + w, 1) for x, w in zip(left, widths, strict=True)],
        index=pd.Index([f"a{i}" for i in range(len(widths))], name="code"),
        crs=27700,
    )


def _mask(areas: pd.DataFrame, codes: list[str]) -> pd.Series:
    return pd.Series(areas.index.isin(codes), index=areas.index)


# -- hand-worked examples ------------------------------------------------------------
#
# Five areas of sizes 1, 1, 2, 4, 2 (total 10); test counts 8, 1, 6, 4, 1 (total 20);
# training counts 5, 5, 5, 5, 0 (total 20). Selection {a0, a2}: area 3 (share 0.3),
# captured 14 (hit rate 0.7), PAI 0.7 / 0.3 = 7/3. Densities 8, 1, 3, 1, 0.5: the
# densest area 3 is a0 (1) then a2 (2), 14 crimes, so PEI = 1. The two areas with
# most crime are a0 and a2 as well (8 + 6): PEI* = 1. RRI: (14/10) / (20/20) = 1.4.
# Selection {a3}: area 4 (0.4), captured 4 (0.2), PAI 0.5. Best in area 4: a0 (1),
# a2 (2), then 1 of a1's... a1 has density 1 and a3 density 1: a1 first (more crime
# per area, tie broken by count: a3 has more crime, so a3): 8 + 6 + 1/4 * 4 = 15.
# PEI = 4 / 15. Best single area: 8, PEI* = 0.5. RRI: (4/5) / 1 = 0.8.
HAND = [
    pytest.param(["a0", "a2"], 2, 0.3, 14.0, 0.7, 7 / 3, 1.0, 1.0, 1.4, id="densest-pair"),
    pytest.param(["a3"], 1, 0.4, 4.0, 0.2, 0.5, 4 / 15, 0.5, 0.8, id="big-area"),
    pytest.param([], 0, 0.0, 0.0, 0.0, np.nan, np.nan, np.nan, np.nan, id="nothing"),
    pytest.param(
        ["a0", "a1", "a2", "a3", "a4"], 5, 1.0, 20.0, 1.0, 1.0, 1.0, 1.0, 1.0, id="everything"
    ),
]


@pytest.mark.parametrize(
    ("codes", "n", "share", "captured", "hit", "pai", "pei", "pei_star", "rri"), HAND
)
def test_hand_worked_examples(codes, n, share, captured, hit, pai, pei, pei_star, rri):
    areas = _strip([1, 1, 2, 4, 2])
    test = pd.Series([8.0, 1, 6, 4, 1], index=areas.index)
    train = pd.Series([5.0, 5, 5, 5, 0], index=areas.index)
    row = evaluate_hotspots(areas, _mask(areas, codes), test, before=train).iloc[0]
    assert row["areas_selected"] == n
    expected = [share, captured, hit, pai, pei, pei_star, rri]
    got = row[["area_share", "crimes_captured", "hit_rate", "pai", "pei", "pei_star", "rri"]]
    np.testing.assert_allclose(got.to_numpy(dtype=float), expected, rtol=1e-12, atol=1e-15)


def test_areas_without_counts_leave_the_study_region():
    areas = _strip([1, 1, 2, 4, 2])
    test = pd.Series([8.0, 1, 6, np.nan, 1], index=areas.index)
    table = evaluate_hotspots(areas, _mask(areas, ["a0"]), test)
    assert table.attrs["hotspots"]["areas_without_counts"] == 1
    assert table.loc["selected", "area_share"] == pytest.approx(1 / 6, rel=1e-12)
    assert table.loc["selected", "hit_rate"] == pytest.approx(8 / 16, rel=1e-12)
    assert np.isnan(table.loc["selected", "rri"])  # no training counts given


@pytest.mark.parametrize(
    ("selected", "message"),
    [
        pytest.param("not a series", "boolean Series", id="not-series"),
        pytest.param(pd.Series([1, 0], index=["a0", "a1"]), "boolean", id="not-bool"),
        pytest.param(pd.Series([True], index=["a0"]), "misses", id="missing-areas"),
    ],
)
def test_bad_selection_is_an_input_error(selected, message):
    areas = _strip([1, 1])
    with pytest.raises(InputError, match=message):
        evaluate_hotspots(areas, selected, pd.Series([1.0, 2.0], index=areas.index))


def test_negative_counts_are_an_input_error():
    areas = _strip([1, 1])
    with pytest.raises(InputError, match="negative"):
        evaluate_hotspots(areas, _mask(areas, ["a0"]), pd.Series([1.0, -2.0], index=areas.index))


# -- an independent computation on the shipped ward table ------------------------------


@pytest.fixture(scope="module")
def ward_split():
    """Weapons offences per ward, train Jul 2023 - Jun 2024 and test Jul 2024 - Jun 2025.

    Counted straight from the raw rows (not with hotspots.aggregate); the City of London
    (not policed by the Met) is left out, as it has no data.
    """
    wards = boundaries.load("wards")
    crime = hotspots.read_met_crime(hotspots.sample_path("mps-ward-crime"))
    rows = crime[crime["major_category"].str.upper() == "POSSESSION OF WEAPONS"]
    month = pd.PeriodIndex(rows["month"], freq="M")

    def total(first, last):
        chosen = rows[(month >= pd.Period(first, "M")) & (month <= pd.Period(last, "M"))]
        counts = chosen.groupby("area_code")["count"].sum().astype(float)
        return counts.reindex(wards.index).fillna(0.0).where(wards.index != "E09000001")

    return wards, total("2023-07", "2024-06"), total("2024-07", "2025-06")


def _independent(areas, mask, test, train):
    keep = test.notna().to_numpy()
    size = areas.geometry.area.to_numpy()[keep]
    y, x, m = test.to_numpy()[keep], train.to_numpy()[keep], mask.to_numpy()[keep]
    share = size[m].sum() / size.sum()
    hit = y[m].sum() / y.sum()
    # the most crime capturable in the same area: LP relaxation of the knapsack
    best = -linprog(-y, A_ub=[size], b_ub=[size[m].sum()], bounds=(0, 1), method="highs").fun
    top_n = np.sort(y)[::-1][: m.sum()].sum()
    rri = (y[m].sum() / x[m].sum()) / (y.sum() / x.sum())
    return [m.sum(), share, hit, hit / share, y[m].sum() / best, y[m].sum() / top_n, rri]


def test_matches_an_independent_computation_on_the_ward_table(ward_split):
    wards, train, test = ward_split
    n_top = int(np.ceil(0.05 * train.notna().sum()))  # 34 of 679 wards
    by_count = train.rank(ascending=False, method="first") <= n_top
    frame = wards.assign(count=train)
    gi = hotspots.getis_ord(frame, "count", permutations=0, inference="analytical")
    by_gi = gi["gi_label"].str.startswith("Hot spot").astype(bool)
    table = evaluate_hotspots(wards, {"count": by_count, "gi": by_gi}, test, before=train)
    columns = ["areas_selected", "area_share", "hit_rate", "pai", "pei", "pei_star", "rri"]
    for name, mask in (("count", by_count), ("gi", by_gi)):
        expected = _independent(wards, mask, test, train)
        np.testing.assert_allclose(
            table.loc[name, columns].to_numpy(dtype=float), expected, rtol=1e-9
        )
    # the hand computation: top 5 % by count holds ~16 % of the next year's
    # weapons offences on ~5 % of the area; the Gi* hot spots hold less on less
    assert table.loc["count", "hit_rate"] == pytest.approx(0.157, abs=0.01)
    assert table.loc["count", "area_share"] == pytest.approx(0.05, abs=0.005)
    assert table.loc["gi", "hit_rate"] < table.loc["count", "hit_rate"]


def test_compare_methods_on_one_split(ward_split):
    wards, _, _ = ward_split
    crime = hotspots.read_met_crime(hotspots.sample_path("mps-ward-crime"))
    cube = hotspots.aggregate_monthly(crime, wards, crime_types="possession of weapons")
    table = compare_hotspot_methods(
        wards, cube, train=("2023-07", "2024-06"), test=("2024-07", "2025-06"),
        permutations=99, seed=1,
    )  # fmt: skip
    names = set(table.index)
    expected = {"Top 5% by count", "Top 5% by rate", "Top 5% by EB rate", "Gi* hot spots",
                "LISA High-High", "Emerging: any hot spot", "Top 5% by last 3 months"}  # fmt: skip
    assert expected <= names
    assert table["pai"].dropna().is_monotonic_decreasing  # an empty selection has no PAI
    assert table.attrs["hotspots"]["train"] == "2023-07 to 2024-06"
    # the count selection agrees with evaluate_hotspots on the summed periods
    _, train, test = ward_split
    by_count = select_hotspots(wards, cube.loc[:, :"2024-06"], methods=["count"])
    direct = evaluate_hotspots(wards, by_count, test, before=train)
    pd.testing.assert_series_equal(
        table.loc["Top 5% by count"], direct.iloc[0], check_names=False, rtol=1e-12
    )


def test_rolling_origins_move_by_step():
    rng = np.random.default_rng(3)
    areas = _strip([1.0] * 12)
    months = pd.period_range("2022-01", periods=30, freq="M", name="month")
    cube = pd.DataFrame(rng.poisson(3, (12, 30)).astype(float), index=areas.index,
                        columns=months)  # fmt: skip
    runs = rolling_evaluation(areas, cube, train_months=12, test_months=12, step=2,
                              methods=["count", "recent"], share=0.25)  # fmt: skip
    assert runs["train"].unique().tolist() == [
        "2022-01 to 2022-12", "2022-03 to 2023-02", "2022-05 to 2023-04", "2022-07 to 2023-06"
    ]  # fmt: skip
    assert runs["test"].iloc[-1] == "2023-07 to 2024-06"
    assert (runs["areas_selected"] == 3).all()
    first = runs[runs["train"] == "2022-01 to 2022-12"].set_index("selection")
    chosen = select_hotspots(areas, cube.iloc[:, :12], methods=["count"], share=0.25)
    direct = evaluate_hotspots(areas, chosen, cube.iloc[:, 12:24].sum(axis=1),
                               before=cube.iloc[:, :12].sum(axis=1))  # fmt: skip
    assert first.loc["Top 25% by count", "pai"] == pytest.approx(direct["pai"].iloc[0], rel=1e-12)


def test_rolling_needs_enough_months():
    areas = _strip([1.0] * 3)
    cube = pd.DataFrame(1.0, index=areas.index,
                        columns=pd.period_range("2024-01", periods=20, freq="M"))  # fmt: skip
    with pytest.raises(InputError, match="fewer than"):
        rolling_evaluation(areas, cube, methods=["count"])


# -- concentration -------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2], ids=lambda s: f"seed{s}")
def test_gini_matches_mean_absolute_difference(seed):
    counts = np.random.default_rng(seed).negative_binomial(1, 0.2, size=200).astype(float)
    expected = np.abs(counts[:, None] - counts[None, :]).sum() / (2 * 200**2 * counts.mean())
    result = concentration(pd.Series(counts))
    assert result.gini == pytest.approx(expected, rel=1e-12)
    curve = result.curve
    assert curve.iloc[0].tolist() == [0.0, 0.0] and curve.iloc[-1].tolist() == [1.0, 1.0]
    # twice the area between the diagonal and the Lorenz curve (trapezoids)
    area = np.trapezoid(curve["crime_share"], curve["place_share"])
    assert result.gini == pytest.approx(1 - 2 * area, rel=1e-9)


def test_concentration_shares_by_hand():
    result = concentration(pd.Series([10.0, 5, 3, 1, 1, 0, 0, 0, 0, 0]), top=0.2)
    assert result.places_for_half == 0.1  # 10 of 20 crimes in 1 of 10 places
    assert result.places_with_crime == 0.5
    assert result.top_share == pytest.approx(15 / 20)


def test_concentration_curve_is_the_capture_frontier():
    areas = _strip([1, 1, 2, 4, 2])
    test = pd.Series([8.0, 1, 6, 4, 1], index=areas.index)
    curve = concentration_curve(areas, test)
    assert curve.index.tolist() == ["a0", "a2", "a3", "a1", "a4"]
    np.testing.assert_allclose(curve["area_share"], [0.1, 0.3, 0.7, 0.8, 1.0])
    np.testing.assert_allclose(curve["crime_share"], [0.4, 0.7, 0.9, 0.95, 1.0])
    by_number = concentration_curve(areas, test, by="areas")
    assert by_number.index.tolist()[:2] == ["a0", "a2"]


# -- risk rankings --------------------------------------------------------------------


@pytest.fixture(scope="module")
def ward_robbery():
    crime = hotspots.read_met_crime(hotspots.sample_path("mps-ward-crime"))
    return hotspots.aggregate(crime, boundaries.load("wards"), crime_types="robbery")


def test_rate_ranking_is_annualised_and_labelled(ward_robbery):
    ranked = rank_areas(ward_robbery, "rate", top=5)
    expected = ward_robbery["count"] / ward_robbery["population"] * 1000 / 2  # 24 months
    np.testing.assert_allclose(ranked["value"], expected[ranked.index], rtol=1e-12)
    text = ranked.attrs["hotspots"]["ranks"]
    assert "per 1,000 residents a year" in text and "2023-07 to 2025-06" in text
    assert ranked["rank"].tolist() == [1, 2, 3, 4, 5]
    assert ranked["value"].is_monotonic_decreasing


@pytest.mark.parametrize("by", ["count", "rate", "eb_rate", "gi"])
def test_rankings_leave_out_areas_with_few_own_incidents(ward_robbery, by):
    frame = ward_robbery.copy()
    tiny = frame["population"].idxmin()
    frame.loc[tiny, "count"] = MIN_OWN_COUNT - 1  # a huge rate on a handful of incidents
    ranked = rank_areas(frame, by, top=None)
    assert (ranked["count"] >= MIN_OWN_COUNT).all()
    everything = rank_areas(frame, by, top=None, min_count=0)
    assert len(everything) - len(ranked) == ranked.attrs["hotspots"]["excluded"]


def test_gi_ranking_shows_each_hot_spots_own_count(ward_robbery):
    ranked = rank_areas(ward_robbery, "gi", top=None, min_count=0, seed=3)
    gi = hotspots.getis_ord(ward_robbery, "count", seed=3)  # the same default inference
    hot = gi["gi_label"].str.startswith("Hot spot")
    assert set(ranked.index) == set(gi.index[hot])
    pd.testing.assert_series_equal(ranked["count"], ward_robbery.loc[ranked.index, "count"])
    assert ranked.attrs["hotspots"]["ranks"].startswith("hot neighbourhood")


def test_rates_need_a_known_period():
    frame = pd.DataFrame({"count": [5.0, 6.0], "population": [100.0, 200.0]})
    with pytest.raises(InputError, match="months"):
        rank_areas(frame, "rate")
    ranked = rank_areas(frame, "rate", months=6, denominator="workday population")
    assert ranked["value"].tolist() == pytest.approx([100.0, 60.0])
    assert "per 1,000 workday population a year" in ranked.attrs["hotspots"]["ranks"]


def test_map_top_lists_leave_out_areas_with_few_own_incidents(ward_robbery):
    """The maps' top lists get the ranking data: own counts shown, tiny counts left out."""
    from hotspots.maps._layers import _gi_layer

    gi = hotspots.getis_ord(ward_robbery, "count", permutations=0, inference="analytical")
    hot = gi.index[gi["gi_label"].str.startswith("Hot spot")]
    strongest = gi.loc[hot, "gi_z"].idxmax()
    gi.loc[strongest, "count"] = MIN_OWN_COUNT - 1  # a hot neighbourhood, little of its own
    layer = _gi_layer(gi, "default", 10)
    (top,) = layer.tops
    listed = [area.code for area in top.areas]
    assert strongest not in listed and len(listed) == min(10, len(hot) - 1)
    assert all("crimes" in area.detail for area in top.areas)  # each area's own count
    assert "fewer than 5 incidents of their own not listed" in top.title
    assert "2023-07 to 2025-06" in top.title


def test_pai_is_one_on_average_when_the_past_says_nothing():
    """Null check: test counts independent of training counts -> mean PAI ~ 1, RRI ~ 1."""
    rng = np.random.default_rng(15)
    areas = _strip([1.0] * 400)
    pai, rri = [], []
    for _ in range(60):
        train = pd.Series(rng.poisson(5, 400).astype(float), index=areas.index)
        test = pd.Series(rng.poisson(5, 400).astype(float), index=areas.index)
        top = train.rank(ascending=False, method="first") <= 20
        row = evaluate_hotspots(areas, top, test, before=train).iloc[0]
        pai.append(row["pai"])
        rri.append(row["rri"])
    # sd of one PAI is ~0.1 here; the mean of 60 is within 0.05 of 1 with a wide margin
    assert np.mean(pai) == pytest.approx(1.0, abs=0.05)
    assert np.mean(rri) < 1  # chosen for a high count, the selection regresses to the mean
