"""The dashboard's figures against the library's own tables, its inputs, CLI and combined_map.

The browser side (switching, clicking, reading the chart) is in test_dashboard_browser.py.
"""

from __future__ import annotations

import gzip
import json
import re

import numpy as np
import pandas as pd
import pytest

import boundaries
import hotspots
from hotspots.cli import main
from hotspots.dashboard._figures import dashboard_figures, default_crime_types

SAMPLE = hotspots.sample_path("mps-ward-crime")
HEATHROW = "E05013570"  # Heathrow Villages ward: the Met files it under "Aviation Security (SO18)"


@pytest.fixture(scope="module")
def crime():
    return hotspots.read_met_crime(SAMPLE)


@pytest.fixture(scope="module")
def weapons(crime):
    return dashboard_figures(crime, ["possession of weapons"], permutations=0, seed=7)


def _values(record):
    return np.array([[np.nan if v is None else v for v in row] for row in record], dtype=float)


def _finite(frame):
    """An interval with an unbounded end (no offences before) is not shown: None, like NaN."""
    values = frame.to_numpy(dtype=float, copy=True)
    values[~np.isfinite(values).all(axis=1)] = np.nan
    return values


def test_default_types_are_the_weapon_enabled_categories_present(crime):
    assert default_crime_types(crime) == [
        "POSSESSION OF WEAPONS",
        "ROBBERY",
        "VIOLENCE WITH INJURY",
    ]


def test_ward_figures_are_the_library_tables(crime, weapons):
    wards = boundaries.load("wards")
    cube = hotspots.aggregate_monthly(crime, wards, crime_types="Possession of Weapons")
    kept = wards.drop(index=[HEATHROW])  # the Met's pseudo-borough ward is left out
    rollup = hotspots.change_rollup(kept, cube.reindex(kept.index))
    change = rollup.areas.reindex(wards.index)
    emerging = hotspots.emerging_hotspots(
        wards, cube, permutations=0, seed=7, inference="analytical"
    ).areas
    latest = wards.assign(count=cube.iloc[:, -12:].sum(axis=1, min_count=12))
    latest["rate"] = latest["count"] / boundaries.population("wards") * 1000
    gi = hotspots.getis_ord(latest, "rate", permutations=0, inference="analytical")
    figures = weapons["figures"]["t0"]["wards"]
    assert weapons["levels"][1]["codes"] == list(wards.index)
    heathrow = wards.index.get_loc(HEATHROW)
    np.testing.assert_array_equal(_values(figures["series"]), cube.to_numpy())
    np.testing.assert_array_equal(np.array(figures["after"], float), latest["count"])
    ok = np.arange(len(wards)) != heathrow
    np.testing.assert_array_equal(
        np.array(figures["before"], float)[ok], change["count_before"].to_numpy()[ok]
    )
    np.testing.assert_allclose(
        np.array(figures["percent"], float), change["percent_change"], atol=0.05
    )
    interval = np.array([[np.nan, np.nan] if v is None else v for v in figures["interval"]])
    np.testing.assert_allclose(
        interval, _finite(change[["percent_change_low", "percent_change_high"]]), atol=0.05
    )
    assert figures["change"][:heathrow] == change["change_label"].tolist()[:heathrow]
    assert figures["change"][heathrow] == "No data" and figures["excluded"] == [heathrow]
    assert set(figures["change"]) <= {
        "Significantly above trend", "In line with trend", "Significantly below trend", "No data"
    }  # fmt: skip
    assert figures["hotspot"] == gi["gi_label"].tolist()
    np.testing.assert_allclose(
        np.array(figures["hotspot_z"], float), gi["gi_z"].to_numpy(), atol=0.005
    )
    np.testing.assert_allclose(  # permutations=0: the normal approximation's p decided
        np.array(figures["hotspot_p"], float), gi["gi_p"].to_numpy(), atol=5e-5
    )
    assert figures["emerging"] == emerging["emerging_label"].tolist()
    assert figures["repeats"] is None  # a Met table has no locations: absent, not zero


def test_at_risk_list_ranks_counts_above_the_minimum(weapons):
    figures = weapons["figures"]["t0"]["wards"]
    risk = figures["risk"]
    after = np.array([np.nan if v is None else v for v in figures["after"]])
    ranked = after[risk["order"]]
    assert list(ranked) == sorted(ranked, reverse=True) and len(ranked) == 10
    assert (ranked >= risk["minimum"]).all() and risk["minimum"] == 10
    eligible = np.delete(after, risk["order"] + figures["excluded"])
    assert ranked[-1] >= np.nanmax(eligible)
    assert not set(risk["order"]) & set(figures["excluded"])
    assert "latest 12 months" in risk["ranks"] and "at least 10" in risk["ranks"]
    assert "Aviation Security (SO18)" in weapons["excluded"]


def test_borough_and_london_figures_add_up_from_the_raw_table(crime, weapons):
    """Boroughs and London recomputed from the tidy table with plain pandas, Heathrow out."""
    wards = boundaries.load("wards")
    rows = crime[crime["major_category"] == "POSSESSION OF WEAPONS"]
    rows = rows[rows["area_code"].isin(wards.index) & ~rows["pseudo_borough"]]
    borough = rows["area_code"].map(wards["borough_code"])
    by_borough = rows.groupby([borough, "month"])["count"].sum().unstack().iloc[:, -24:]
    figures = weapons["figures"]["t0"]["boroughs"]
    codes = weapons["levels"][0]["codes"]
    series = pd.DataFrame(_values(figures["series"]), index=codes)
    pd.testing.assert_frame_equal(
        series.loc[by_borough.index].set_axis(by_borough.columns, axis=1),
        by_borough.astype(float),
        check_names=False,
    )
    assert series.loc["E09000001"].isna().all()  # the City: no data, not zero
    london = rows.groupby("month")["count"].sum().iloc[-24:]
    record = weapons["london"]["t0"]
    assert record["series"] == london.astype(int).tolist()
    assert record["after"] == int(london.iloc[-12:].sum())
    assert record["before"] == int(london.iloc[-24:-12].sum())
    # the borough and London change: the roll-up's own tables
    cube = hotspots.aggregate_monthly(crime, wards, crime_types="Possession of Weapons")
    kept = wards.drop(index=[HEATHROW])
    rollup = hotspots.change_rollup(kept, cube.reindex(kept.index))
    boroughs = rollup.boroughs.reindex(codes)
    np.testing.assert_array_equal(
        np.array(figures["before"], float), boroughs["count_before"].to_numpy()
    )
    interval = np.array([[np.nan, np.nan] if v is None else v for v in figures["interval"]])
    np.testing.assert_allclose(
        interval, _finite(boroughs[["percent_change_low", "percent_change_high"]]), atol=0.05
    )
    assert figures["change"] == boroughs["change_label"].fillna("No data").tolist()
    row = rollup.london.iloc[0]
    assert (record["before"], record["after"]) == (row["count_before"], row["count_after"])
    assert record["change"] == row["change_label"]
    np.testing.assert_allclose(
        record["interval"], [row["percent_change_low"], row["percent_change_high"]], atol=0.05
    )
    assert weapons["windows"]["before"] == row["window_before"]
    assert weapons["windows"]["after"] == row["window_after"]
    assert json.loads(json.dumps(weapons, allow_nan=False))  # plain JSON


def test_evaluation_is_the_library_table(crime, weapons):
    """Train on the 12 months before the latest 12, test on the latest 12: evaluate_hotspots."""
    wards = boundaries.load("wards")
    cube = hotspots.aggregate_monthly(crime, wards, crime_types="Possession of Weapons")
    cube = cube.iloc[:, -24:]
    out = wards.index == HEATHROW
    before = cube.iloc[:, :12].sum(axis=1, min_count=12).mask(out)
    after = cube.iloc[:, 12:].sum(axis=1, min_count=12).mask(out)
    train = wards.assign(rate=before / boundaries.population("wards") * 1000)
    gi = hotspots.getis_ord(train, "rate", permutations=0, inference="analytical")
    hot = gi["gi_label"].str.startswith("Hot spot") & before.notna()
    top = before[before >= 10].sort_values(ascending=False, kind="stable").index[:10]
    table = hotspots.evaluate_hotspots(
        wards,
        {"hot spots": hot, "most at risk": wards.index.to_series().isin(top)},
        after,
        before=before,
    )
    shown = weapons["figures"]["t0"]["wards"]["evaluation"]
    for name, row in table.iterrows():
        assert shown["table"][name]["areas_selected"] == row["areas_selected"]
        for key in ("area_share", "hit_rate", "pai", "pei", "rri"):
            assert shown["table"][name][key] == pytest.approx(row[key], abs=5e-5), (name, key)
    row = table.loc["hot spots"]
    assert (
        f"Last year's {int(row['areas_selected'])} hot-spot wards "
        f"({100 * row['area_share']:.1f} % of London's area with data) had "
        f"{100 * row['hit_rate']:.1f} % of this year's offences (PAI {row['pai']:.1f})."
    ) in shown["text"]
    assert "most-at-risk wards" in shown["text"]


def test_points_give_repeats_and_no_change_test_on_three_months():
    points = hotspots.read_police_uk(hotspots.sample_path("police-uk-burglary"))
    figures = dashboard_figures(points, ["burglary"], levels=["boroughs"], permutations=0)
    assert figures["windows"]["before"] is None and figures["london"]["t0"]["change"] is None
    level = figures["figures"]["t0"]["boroughs"]
    assert level["change"] is None and level["interval"] is None
    assert level["evaluation"] is None  # no training year: absent, not zero
    boroughs = boundaries.load("boroughs")
    subset = points[points["crime_type"] == "Burglary"]
    shares = hotspots.repeat_areas(subset, boroughs, time="month", window=list(
        pd.period_range("2024-12", "2025-02", freq="M")))  # fmt: skip
    westminster = boroughs.index.get_loc("E09000033")
    text = level["repeats"][westminster]
    row = shares.loc["E09000033"]
    at_repeat = row["repeat_repeats"] + round(row["repeat_locations"] * row["repeat_rate"])
    assert text.startswith(f"{100 * at_repeat / row['repeat_incidents']:.0f}% of ")
    assert f"{int(row['repeat_incidents']):,} offences" in text
    assert "earlier months" not in text  # no month outside the window: no flag


def test_newer_table_with_an_extra_category_works(crime, tmp_path):
    """A copy of the shipped table with one extra (synthetic) weapon category added."""
    wide = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    extra = wide[wide["MajorText"] == "POSSESSION OF WEAPONS"].copy()
    months = [c for c in wide.columns if re.fullmatch(r"\d{6}", c)]
    extra[months] = extra[months].apply(lambda c: (pd.to_numeric(c) // 2).astype(str))
    extra["MajorText"] = "SYNTHETIC WEAPON OFFENCES"
    extra["MinorText"] = "KNIFE CRIME (SYNTHETIC)"
    path = tmp_path / "mps-ward-crime-synthetic-extra.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        pd.concat([wide, extra]).to_csv(handle, index=False)
    newer = hotspots.read_met_crime(path)
    assert "KNIFE CRIME (SYNTHETIC)" in default_crime_types(newer)
    figures = dashboard_figures(
        newer, ["knife crime (synthetic)"], levels=["boroughs"], permutations=0
    )
    policed = extra[extra["LookUp_BoroughName"] != "Aviation Security (SO18)"]  # Heathrow out
    expected = pd.to_numeric(policed[months[-12:]].stack()).sum()
    assert figures["london"]["t0"]["after"] == expected
    assert figures["types"][0]["name"] == "Knife crime (synthetic)"


def test_unknown_crime_type_lists_the_categories_present(crime):
    with pytest.raises(hotspots.InputError, match=r"not in the data; present: .*ROBBERY"):
        dashboard_figures(crime, ["knife crime"], levels=["boroughs"])


def test_ward_level_is_refused_for_a_borough_table(crime):
    boroughs = crime.copy()
    boroughs.attrs = {**crime.attrs, "level": "boroughs"}
    with pytest.raises(hotspots.InputError, match="level not available"):
        dashboard_figures(boroughs, ["robbery"], levels=["wards"])


def test_cli_writes_a_titled_page(tmp_path, capsys):
    out = tmp_path / "dash.html"
    status = main(
        ["dashboard", "sample:mps-ward-crime", "--crime-type", "robbery", "--crime-type",
         "possession of weapons", "--level", "boroughs", "--permutations", "9",
         "--title", "Robbery & <weapons>", "--out", str(out), "--quiet"]
    )  # fmt: skip
    assert status == 0
    page = out.read_text(encoding="utf-8")
    assert "<title>Robbery &amp; &lt;weapons&gt;</title>" in page
    assert "<script src=" not in page and "<link" not in page
    data = json.loads(re.search(r'id="dashboard-data">(.*?)</script>', page, re.S).group(1))
    assert [t["name"] for t in data["types"]] == ["Robbery", "Possession of weapons"]
    assert "Open Government Licence v2.0" in page and "Crown copyright" in page


def test_cli_unknown_type_is_one_line(tmp_path, capsys):
    status = main(
        ["dashboard", "sample:mps-ward-crime", "--crime-type", "knives",
         "--out", str(tmp_path / "x.html")]
    )  # fmt: skip
    assert status == 2
    err = capsys.readouterr().err
    assert "knives" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "x.html").exists()


def test_combined_map_refuses_two_crime_types(crime):
    pytest.importorskip("folium")
    wards = boundaries.load("wards")
    robbery = hotspots.aggregate(crime, wards, crime_types="robbery")
    weapons = hotspots.aggregate(crime, wards, crime_types="possession of weapons")
    with pytest.raises(
        hotspots.InputError, match="result 2 is for crime type 'possession of weapons'"
    ):
        hotspots.combined_map(robbery, weapons)
    hotspots.combined_map(robbery, robbery.assign(lisa_label="Not significant"))  # one type: fine


def test_points_over_two_years_are_tested_and_flag_repeats():
    """SYNTHETIC: the shipped three months of burglary repeated eight times (24 months)."""
    points = hotspots.read_police_uk(hotspots.sample_path("police-uk-burglary"))
    points = points[points["crime_type"] == "Burglary"]
    copies = [points.assign(month=points["month"] + 3 * k - 21) for k in range(8)]
    synthetic = pd.concat(copies)
    synthetic.attrs = points.attrs
    figures = dashboard_figures(synthetic, ["burglary"], levels=["boroughs"], permutations=0)
    boroughs = boundaries.load("boroughs")
    cube = hotspots.aggregate_monthly(synthetic, boroughs)
    rollup = hotspots.change_rollup(boroughs, cube)
    assert figures["windows"]["before"] == "2023-03 to 2024-02"
    level = figures["figures"]["t0"]["boroughs"]
    assert level["change"] == rollup.boroughs["change_label"].tolist()
    row = rollup.london.iloc[0]
    assert figures["london"]["t0"]["after"] == row["count_after"]
    assert figures["london"]["t0"]["change"] == row["change_label"]
    # every incident has a copy at its map point: all at repeat points; earlier months exist,
    # so the flag is shown
    text = level["repeats"][boroughs.index.get_loc("E09000033")]
    assert text.startswith("100% of ") and "earlier months predict" in text
    assert level["evaluation"]["text"].startswith("Last year's ")
