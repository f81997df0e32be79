"""The ``hotspots`` command, end to end: every subcommand, every output, every error path.

Most runs call ``hotspots.cli.main`` in-process (fast); a few run the installed
console script in a subprocess, as a user would. Inputs are the shipped samples
and the real extracts in tests/data; permutations are kept small.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import esda
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from _helpers import run
from libpysal.graph import Graph

import boundaries
import hotspots
from hotspots import cli
from hotspots.cli import _main as cli_main
from hotspots.cli._period import PeriodChoice
from hotspots.cli._progress import Progress, bar_text

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
POLICE_UK = DATA / "police_uk"
MET_SLICE = DATA / "mps" / "ward-slice.csv"
GUIDE = ROOT / "docs" / "guide" / "cli.md"
SCRIPT = Path(sys.executable).parent / "hotspots"
FAST = ["--permutations", "99", "--quiet"]


def script(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(SCRIPT), *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


# ------------------------------------------------------------------ demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo with its defaults (adaptive permutations)."""
    out = tmp_path_factory.mktemp("demo") / "weapons.html"
    status, stdout, stderr = run(["demo", "--out", str(out)])
    return status, stdout, stderr, out


@pytest.fixture(scope="module")
def demo99(tmp_path_factory):
    """The demo with a fixed 99 permutations: too few for the correction."""
    out = tmp_path_factory.mktemp("demo99") / "weapons.html"
    status, stdout, stderr = run(["demo", "--out", str(out), "--permutations", "99"])
    return status, stdout, stderr, out


def weapons_last_year() -> pd.Series:
    """Possession of weapons per ward over the latest 12 months, straight from the shipped CSV."""
    with gzip.open(hotspots.sample_path("mps-ward-crime"), "rt", encoding="utf-8-sig") as f:
        wide = pd.read_csv(f)
    months = [c for c in wide.columns if re.fullmatch(r"\d{6}", c)][-12:]
    weapons = wide[wide["MajorText"].str.casefold() == "possession of weapons"]
    return weapons.groupby("WardCode")[months].sum().sum(axis=1)


def test_demo_succeeds_and_writes_the_combined_map(demo):
    status, _, _, out = demo
    assert status == 0
    html = out.read_text(encoding="utf-8")
    for layer in ("LISA clusters", "Hot and cold spots", "Borough outlines"):
        assert layer in html
    assert "Possession of Weapons" in html


def test_demo_summary_names_the_data_and_the_city_as_no_data(demo):
    _, stdout, _, out = demo
    lines = stdout.splitlines()
    assert lines[0] == "Possession of Weapons by ward, 2024-07 to 2025-06"
    assert "680 wards, 679 with data (no data: City of London)" in stdout
    assert lines[-1] == f"Map: {out}"


def test_demo_global_moran_matches_esda(demo):
    """Moran's I printed by the demo = esda's Moran on rates computed here from the raw CSV."""
    stdout = demo[1]
    printed = re.search(r"Global Moran's I = (-?\d\.\d{3}) .*p = (\d\.\d{3})", stdout)
    assert printed is not None
    wards = boundaries.load("wards")
    counts = weapons_last_year().reindex(wards.index)
    rate = counts / boundaries.population("wards") * 1000
    has_data = rate.notna()
    graph = Graph.build_contiguity(wards[has_data], rook=False).transform("R")
    expected = esda.Moran(rate[has_data].to_numpy(), graph, permutations=0).I
    assert float(printed.group(1)) == pytest.approx(expected, abs=5e-4)
    assert float(printed.group(2)) <= 0.05  # offences cluster: p at its floor, 2/100


def test_demo_top_ten_are_hot_spots_with_borough_and_label(demo):
    stdout = demo[1]
    title = re.search(r"^Top (\d+) at-risk wards?, ranked by hot neighbourhood \(Gi\* z", stdout,
                      flags=re.M)  # fmt: skip
    assert title is not None
    assert "wards with fewer than 5 incidents of their own not listed" in stdout
    rows = re.findall(
        r"^\s+(\d+)\s{2}(.+?)\s{2,}(\S.+?)\s{2,}-?\d+\.\d\d\s+(\d+\.\d\d)\s+(\d+)\s{2}"
        r"Hot spot \(\d\d%\)",
        stdout,
        flags=re.M,
    )
    assert [int(r[0]) for r in rows] == list(range(1, int(title.group(1)) + 1))
    assert len(rows) >= 1
    wards = boundaries.load("wards")
    counts = weapons_last_year().reindex(wards.index)
    rates = counts / boundaries.population("wards") * 1000
    for _, name, borough, rate, count in rows:
        match = wards.index[(wards["name"] == name) & (wards["borough_name"] == borough)]
        assert len(match) == 1, (name, borough)
        assert int(count) == counts[match[0]]
        assert float(rate) == pytest.approx(rates[match[0]], abs=0.005)


def test_demo_says_how_many_labels_are_borderline(demo):
    """The default (adaptive) demo finds LISA clusters and counts the borderline wards."""
    stdout = demo[1]
    lisa = re.search(r"^LISA clusters: (.*)$", stdout, flags=re.M).group(1)
    assert "High-High" in lisa
    assert re.search(r"\((\d+ borderline wards?: p within Monte Carlo error|seed-stable)", lisa)
    assert "permutations as each area needs" in stdout
    assert "No LISA cluster" not in stdout


def test_demo_says_how_many_wards_the_correction_took_away(demo99):
    """With 99 permutations no LISA cluster survives the FDR correction in the demo; the
    summary says how many wards had an uncorrected p <= 0.05 (recomputed here from rates
    built from the raw CSV, same permutations and seed) and that 99 permutations cannot
    reach the p-value the correction needs."""
    stdout = demo99[1]
    line = re.search(
        r"^No LISA cluster after the false discovery rate correction \((\d+) wards would be "
        r"significant at p <= 0\.05 without correction\)$",
        stdout,
        flags=re.M,
    )
    assert line is not None
    lines = stdout.splitlines()
    assert lines.index(line.group(0)) == 1 + next(
        i for i, text in enumerate(lines) if text.startswith("LISA clusters: ")
    )
    hint = lines[lines.index(line.group(0)) + 1]
    assert hint.startswith("  99 permutations cannot give p below 0.02, but the correction needs")
    assert hint.endswith("use --permutations adaptive")
    wards = boundaries.load("wards")
    counts = weapons_last_year().reindex(wards.index).fillna(0.0)  # no row: no offence
    counts["E09000001"] = np.nan  # the City: not policed by the Met
    rate = counts / boundaries.population("wards") * 1000
    lisa = hotspots.local_moran(wards.assign(rate=rate), "rate", permutations=99, seed=2025)
    assert not lisa["lisa_label"].isin(["High-High", "High-Low", "Low-High", "Low-Low"]).any()
    assert int(line.group(1)) == int((lisa["lisa_p"] <= 0.05).sum()) > 0


def test_demo_prints_the_load_report_on_stderr(demo):
    stderr = demo[2]
    assert "Load report" in stderr
    assert "read mps-ward-crime-202307-202506.csv.gz: 17,894 rows read, 17,894 kept" in stderr
    assert "period 2024-07 to 2025-06 (the latest 12 months): 12 of 24 months kept\n" in stderr


def test_demo_is_deterministic(tmp_path, demo99):
    status, again, _ = run(["demo", "--out", str(tmp_path / "a.html"), *FAST])
    assert status == 0
    assert again.replace(str(tmp_path / "a.html"), "") == demo99[1].replace(str(demo99[3]), "")


def test_demo_quiet_leaves_stderr_empty(tmp_path):
    status, stdout, stderr = run(["demo", "--out", str(tmp_path / "q.html"), *FAST])
    assert status == 0 and stdout and stderr == ""


# ------------------------------------------------------------------ analyse


@pytest.fixture(scope="module")
def burglary(tmp_path_factory):
    """police.uk sample by borough with every statistic and every output."""
    folder = tmp_path_factory.mktemp("burglary")
    outputs = {
        "map": folder / "map.html",
        "csv": folder / "table.csv",
        "summary": folder / "summary.json",
    }
    argv = [
        "analyse",
        "sample:police-uk-burglary",
        "--crime-type",
        "Burglary",
        "--level",
        "boroughs",
        "--stat",
        "all",
        "--out-map",
        str(outputs["map"]),
        "--out-table",
        str(outputs["csv"]),
        "--out-summary",
        str(outputs["summary"]),
        *FAST,
    ]
    status, stdout, stderr = run(argv)
    assert status == 0, stderr
    return stdout, outputs


def test_analyse_table_has_a_row_per_area_and_every_result_column(burglary):
    table = pd.read_csv(burglary[1]["csv"], index_col="code")
    boroughs = boundaries.load("boroughs")
    assert table.index.tolist() == boroughs.index.tolist()
    for column in (
        "name",
        "count",
        "population",
        "rate",
        "covered",
        "lisa_label",
        "lisa_p",
        "lisa_p_adjusted",
        "lisa_permutations",
        "gi_g",
        "gi_z",
        "gi_p",
        "gi_label",
        "emerging_label",
    ):
        assert column in table.columns
    assert "geometry" not in table.columns
    # three months cannot be compared with the same months a year earlier: --stat all skips it
    assert "change_label" not in table.columns


def test_analyse_counts_match_an_independent_point_in_polygon_join(burglary):
    """Counts per borough = a plain geopandas sjoin of the sample's burglaries."""
    table = pd.read_csv(burglary[1]["csv"], index_col="code")
    points = hotspots.read_police_uk(hotspots.sample_path("police-uk-burglary"))
    points = points[points["crime_type"] == "Burglary"]
    joined = gpd.sjoin(points, boundaries.load("boroughs"), predicate="within")
    expected = joined.groupby("code").size().reindex(table.index, fill_value=0)
    # the City of London Police published one of the three months: no data (issue #14)
    assert np.isnan(table.loc["E09000001", "count"])
    others = table.index != "E09000001"
    assert np.array_equal(table["count"][others].to_numpy(), expected[others].to_numpy(dtype=float))


def test_analyse_summary_json(burglary):
    summary = json.loads(burglary[1]["summary"].read_text(encoding="utf-8"))
    assert summary["level"] == "boroughs"
    assert summary["period"] == "2024-12 to 2025-02"
    # the City of London Police published 2024-12 only: the City is no data (issue #14)
    assert summary["areas"] == 33 and summary["areas_with_data"] == 32
    assert summary["statistics"] == ["moran", "lisa", "gistar", "emerging", "change"]
    assert {summary[k] for k in ("permutations", "seed", "alpha", "correction")} == {
        99,
        2025,
        0.05,
        "fdr",
    }
    moran = summary["global_moran"]
    assert moran["statistic"] == "Moran's I" and moran["n"] == 32 and moran["permutations"] == 99
    assert set(summary["labels"]) == {"lisa_label", "gi_label", "emerging_label"}
    assert summary["change"] is None
    (skipped,) = [note for note in summary["load_report"]["notes"] if "change skipped" in note]
    assert "the data cover 2024-12 to 2025-02 and lack 2023-03" in skipped
    assert all(sum(tally.values()) == 33 for tally in summary["labels"].values())
    report = summary["load_report"]["read"][0]
    assert report["rows_read"] == report["rows_kept"] + sum(report["dropped"].values())
    assert summary["outputs"]["table"].endswith("table.csv")


def test_analyse_map_has_a_layer_per_result(burglary):
    html = burglary[1]["map"].read_text(encoding="utf-8")
    for layer in ("LISA clusters", "Hot and cold spots", "Emerging hot spots"):
        assert layer in html
    # emerging hot spots bring the Gi* period view with its slider; change is a layer
    keys = re.findall(r'\{"key":"(\w+)","name":', html)  # the page's layer specs
    assert keys == ["choropleth", "lisa", "lisa_significance", "gi", "emerging", "periods"]
    periods = re.search(r'"periods":(\[[^\]]*\])', html)
    assert json.loads(periods.group(1)) == ["2024-12", "2025-01", "2025-02"]
    assert 'type="range"' in html and 'data-hs-slider="periods"' in html


@pytest.mark.parametrize("stat", ["emerging", "change"])
def test_analyse_one_time_statistic_draws_its_map(tmp_path, stat):
    out = tmp_path / "map.html"
    argv = ["analyse", "sample:mps-ward-crime", "--crime-type", "Burglary", "--period", "last-6"]
    status, stdout, stderr = run([*argv, "--stat", stat, "--out-map", str(out), *FAST])
    assert status == 0, stderr
    html = out.read_text(encoding="utf-8")
    keys = re.findall(r'\{"key":"(\w+)","name":', html)  # the page's layer specs
    assert keys == (["choropleth", "emerging", "periods"] if stat == "emerging" else
                    ["choropleth", "change"])  # fmt: skip
    heading = {"emerging": "Emerging hot spots: ", "change": "Change: "}[stat]
    assert heading in stdout


@pytest.mark.parametrize("suffix", [".gpkg", ".parquet"], ids=["geopackage", "geoparquet"])
def test_analyse_writes_spatial_tables(tmp_path, suffix):
    out = tmp_path / f"table{suffix}"
    status, _, stderr = run(
        ["analyse", str(POLICE_UK), "--level", "boroughs", "--out-table", str(out), *FAST]
    )
    assert status == 0, stderr
    table = gpd.read_file(out) if suffix == ".gpkg" else gpd.read_parquet(out)
    if suffix == ".gpkg":
        table = table.set_index("code")
    assert len(table) == 33 and table.crs.to_epsg() == 27700
    assert {"count", "rate", "lisa_label", "gi_label", "gi_bin"} <= set(table.columns)
    assert table.loc["E09000001", "count"] > 0  # City of London Police data are included


def test_analyse_met_table_by_ward_with_period(tmp_path):
    out = tmp_path / "s.json"
    status, _, stderr = run(
        [
            "analyse",
            str(MET_SLICE),
            "--crime-type",
            "burglary",
            "--period",
            "2025-01:2025-06",
            "--stat",
            "gistar",
            "--out-summary",
            str(out),
            *FAST,
        ]
    )
    assert status == 0, stderr
    summary = json.loads(out.read_text())
    assert summary["level"] == "wards" and summary["period"] == "2025-01 to 2025-06"
    assert summary["global_moran"] is None and list(summary["labels"]) == ["gi_label"]


def test_analyse_several_police_uk_files(tmp_path):
    files = sorted(str(p) for p in POLICE_UK.glob("*.csv"))
    status, stdout, _ = run(["analyse", *files, "--level", "boroughs", "--stat", "moran", *FAST])
    assert status == 0
    assert stdout.startswith("All crime types by borough, 2024-12")


@pytest.fixture
def incidents(tmp_path) -> pd.DataFrame:
    """The Met police.uk extract as a plain CSV of incidents (real records)."""
    street = pd.read_csv(POLICE_UK / "2024-12-metropolitan-street.csv")
    table = pd.DataFrame(
        {
            "lon": street["Longitude"],
            "lat": street["Latitude"],
            "month": street["Month"],
            "lsoa": street["LSOA code"],
        }
    )
    table.to_csv(tmp_path / "incidents.csv", index=False)
    return table


def test_analyse_csv_with_coordinates(tmp_path, incidents):
    out = tmp_path / "t.csv"
    status, _, stderr = run(
        [
            "analyse",
            str(tmp_path / "incidents.csv"),
            "--x",
            "lon",
            "--y",
            "lat",
            "--level",
            "boroughs",
            "--stat",
            "moran",
            "--out-table",
            str(out),
            *FAST,
        ]
    )
    assert status == 0, stderr
    table = pd.read_csv(out, index_col="code")
    points = gpd.GeoDataFrame(
        geometry=gpd.points_from_xy(incidents["lon"], incidents["lat"]), crs=4326
    ).to_crs(27700)
    joined = gpd.sjoin(points, boundaries.load("boroughs"), predicate="within")
    expected = joined.groupby("code").size().reindex(table.index, fill_value=0)
    assert np.array_equal(table["count"].to_numpy(), expected.to_numpy(dtype=float))
    assert table["count"].notna().all()  # your own points cover every area, the City too


def test_analyse_csv_with_area_codes_counts_rows_and_keeps_zeros(tmp_path, incidents):
    out = tmp_path / "t.csv"
    status, _, stderr = run(
        [
            "analyse",
            str(tmp_path / "incidents.csv"),
            "--code-column",
            "lsoa",
            "--level",
            "lsoa",
            "--column",
            "count",
            "--stat",
            "gistar",
            "--out-table",
            str(out),
            *FAST,
        ]
    )
    assert status == 0, stderr
    table = pd.read_csv(out, index_col="code", usecols=["code", "count"])
    expected = incidents["lsoa"].value_counts().reindex(table.index, fill_value=0)
    assert len(table) == 4994
    assert np.array_equal(table["count"].to_numpy(), expected.to_numpy(dtype=float))


def test_analyse_own_polygons_equal_the_shipped_layer(tmp_path):
    boroughs = boundaries.load("boroughs")
    own = gpd.GeoDataFrame(
        {
            "gss": boroughs.index,
            "label": boroughs["name"],
            "residents": boundaries.population("boroughs").to_numpy(),
        },
        geometry=boroughs.geometry.to_crs(4326).to_numpy(),
        crs=4326,
    ).sample(frac=1, random_state=3)  # shuffled, stored in longitude/latitude
    own.to_file(tmp_path / "areas.gpkg")
    mine, shipped = tmp_path / "mine.csv", tmp_path / "shipped.csv"
    common = [str(POLICE_UK), "--stat", "gistar", *FAST]
    assert (
        run(
            [
                "analyse",
                *common,
                "--areas",
                str(tmp_path / "areas.gpkg"),
                "--id-column",
                "gss",
                "--name-column",
                "label",
                "--population-column",
                "residents",
                "--out-table",
                str(mine),
            ]
        )[0]
        == 0
    )
    assert run(["analyse", *common, "--level", "boroughs", "--out-table", str(shipped)])[0] == 0
    a = pd.read_csv(mine, index_col="code").sort_index()
    b = pd.read_csv(shipped, index_col="code").sort_index()
    assert a["name"].tolist() == b["name"].tolist()
    np.testing.assert_allclose(a["count"], b["count"])
    np.testing.assert_allclose(a["rate"], b["rate"], rtol=1e-9)
    np.testing.assert_allclose(a["gi_z"], b["gi_z"], rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize(
    "weights",
    [
        ["--weights", "rook"],
        ["--weights", "knn", "--k", "4"],
        ["--weights", "distance", "--threshold", "15000"],
    ],
    ids=["rook", "knn", "distance"],
)
def test_analyse_weights_options(weights):
    status, stdout, stderr = run(
        ["analyse", str(POLICE_UK), "--level", "boroughs", "--stat", "moran", *weights, *FAST]
    )
    assert status == 0, stderr
    assert {"rook": "rook", "knn": "k-nearest", "distance": "distance band"}[weights[1]] in stdout


def test_change_prints_windows_london_and_boroughs(tmp_path):
    """The issue's check: ward table -> London and borough lines with intervals and windows."""
    summary_path = tmp_path / "summary.json"
    argv = ["analyse", "sample:mps-ward-crime", "--crime-type", "Robbery", "--stat", "change",
            "--out-summary", str(summary_path), *FAST]  # fmt: skip
    status, stdout, stderr = run(argv)
    assert status == 0, stderr
    assert "Windows compared: 2024-07 to 2025-06 against 2023-07 to 2024-06" in stdout
    assert "phi = " in stdout and "relative to the trend of all the areas" in stdout
    assert re.search(r"London: 33,586 -> 32,351, -3\.7% \(95% CI -\d+\.\d% to \+\d+\.\d%\)", stdout)
    lambeth = re.search(r"^  Lambeth +2,104 +1,946 +-7\.5% \((-?\d+\.\d)% to \+(\d+\.\d)%\) +(.+)$",
                        stdout, re.MULTILINE)  # fmt: skip
    assert lambeth and lambeth.group(3) == "In line with trend"
    assert float(lambeth.group(1)) < -7.5 < float(lambeth.group(2))
    summary = json.loads(summary_path.read_text(encoding="utf-8"))["change"]
    assert (summary["before"], summary["after"]) == ("2023-07 to 2024-06", "2024-07 to 2025-06")
    assert summary["test"] == "trend" and summary["dispersion"] >= 1
    assert summary["london"]["count_after"] == 32351
    by_name = {row["name"]: row for row in summary["boroughs"]}
    assert by_name["Lambeth"]["change_label"] == "In line with trend"
    assert by_name["Lambeth"]["change_p"] > 0.05


def test_change_exact_test_and_period(tmp_path):
    table = tmp_path / "t.csv"
    argv = ["analyse", "sample:mps-ward-crime", "--crime-type", "Robbery", "--stat", "change",
            "--change-test", "exact", "--period", "2025-01:2025-06", "--out-table", str(table),
            *FAST]  # fmt: skip
    status, stdout, stderr = run(argv)
    assert status == 0, stderr
    assert "Windows compared: 2025-01 to 2025-06 against 2024-01 to 2024-06" in stdout
    assert "pure Poisson" in stdout
    rows = pd.read_csv(table, index_col="code")
    assert set(rows["window_before"].dropna()) == {"2024-01 to 2024-06"}
    assert {"percent_change_low", "percent_change_high", "rate_ratio"} <= set(rows.columns)


def test_change_dispersion_from_history_needs_a_year_before_the_comparison():
    argv = ["analyse", "sample:mps-ward-crime", "--crime-type", "Robbery", "--stat", "change",
            "--change-dispersion", "history", *FAST]  # fmt: skip
    status, _, stderr = run(argv)
    assert status != 0 and "needs the same comparison a year earlier" in stderr
    status, _, stderr = run([*argv, "--change-test", "exact"])
    assert status != 0 and "--change-dispersion goes with --change-test trend" in stderr


def test_change_that_cannot_be_matched_is_an_error():
    argv = ["analyse", "sample:police-uk-burglary", "--level", "boroughs", "--stat", "change"]
    status, _, stderr = run([*argv, *FAST])
    assert status != 0
    assert "the data cover 2024-12 to 2025-02 and lack 2023-03" in stderr


def test_weights_line_describes_the_graph_when_no_statistic_records_it():
    """Change between periods records no weights: the summary names the graph as built."""
    argv = ["analyse", "sample:mps-ward-crime", "--crime-type", "Burglary", "--stat", "change"]
    status, stdout, stderr = run([*argv, "--weights", "knn", "--k", "4", *FAST])
    assert status == 0, stderr
    assert "Weights: k-nearest neighbours (k=4, between centroids): 680 areas, 2720 links" in stdout


def test_islands_are_a_warning_line_not_a_failure():
    command = [
        "analyse",
        str(POLICE_UK),
        "--level",
        "boroughs",
        "--weights",
        "distance",
        "--threshold",
        "4000",
        "--stat",
        "lisa",
        *FAST,
    ]
    status, stdout, stderr = run(command)
    assert status == 0
    warnings = [line for line in stderr.splitlines() if line.startswith("hotspots: warning:")]
    assert len(warnings) == 1 and "Traceback" not in stderr
    islands = re.search(r"warning: (\d+) areas with no neighbours under distance band", stderr)
    assert islands is not None, stderr
    assert f"No neighbours {islands.group(1)}" in stdout  # labelled, not dropped
    # the warning's advice is available from the command line too
    status, stdout, stderr = run([*command, "--islands", "nearest"])
    assert status == 0, stderr
    assert "areas with no neighbours" in stderr  # still named
    assert "No neighbours" not in stdout  # now linked to their nearest area


# ------------------------------------------------------------------ layers, version, help


def test_layers_lists_the_shipped_boundaries():
    status, stdout, _ = run(["layers"])
    assert status == 0
    table = boundaries.layers()
    for layer, areas in zip(table["layer"], table["areas"], strict=True):
        assert re.search(rf"^{re.escape(layer)}\s+{areas}\s", stdout, flags=re.M)


def test_levels_choice_matches_the_shipped_layers():
    assert list(cli_main.LEVELS) == boundaries.layers()["layer"].tolist()


def test_version():
    status, stdout, _ = run(["--version"])
    assert status == 0 and stdout.strip() == f"hotspots (london-hotspots) {hotspots.__version__}"


@pytest.mark.parametrize("command", ["demo", "analyse", "layers"])
def test_help(command):
    status, stdout, _ = run([command, "--help"])
    assert status == 0 and stdout.startswith(f"usage: hotspots {command}")


def test_help_and_version_import_nothing_heavy():
    code = (
        "import sys; from hotspots.cli import build_parser; build_parser().format_help(); "
        "print(sorted(m for m in ('geopandas', 'numba', 'folium', 'pandas') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


# ------------------------------------------------------------------ mistakes and bugs


@pytest.fixture
def other_csv(tmp_path) -> Path:
    path = tmp_path / "other.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    return path


MISTAKES = {
    "missing file": (["analyse", "no-such-file.csv"], "no-such-file.csv: no such file"),
    "unknown crime type": (
        ["analyse", str(POLICE_UK), "--crime-type", "burglery"],
        "value 'burglery': unknown police.uk crime category",
    ),
    "unknown Met category": (
        ["analyse", str(MET_SLICE), "--crime-type", "knife crime"],
        "unknown crime category; the data's categories are",
    ),
    "unknown layer": (
        ["analyse", str(POLICE_UK), "--level", "postcodes"],
        "argument --level: invalid choice: 'postcodes'",
    ),
    "unknown sample": (["analyse", "sample:nope"], "unknown sample 'nope'"),
    "bad coordinate column": (
        ["analyse", "{other}", "--x", "lon", "--y", "b"],
        "column 'lon': no such column",
    ),
    "no way to locate": (["analyse", "{other}"], "neither a police.uk file nor a Met table"),
    "bad id column": (
        ["analyse", str(POLICE_UK), "--areas", "{areas}", "--id-column", "gss"],
        "column 'gss': no such column",
    ),
    "Met table at another level": (
        ["analyse", str(MET_SLICE), "--level", "lsoa"],
        "use --level wards",
    ),
    "period outside the data": (
        ["analyse", str(POLICE_UK), "--period", "2020-01"],
        "no data in 2020-01: the data cover 2024-12",
    ),
    "bad period": (["analyse", str(POLICE_UK), "--period", "last year"], "invalid period"),
    "period before start": (
        ["analyse", str(POLICE_UK), "--period", "2025-02:2024-12"],
        "2024-12 is before 2025-02",
    ),
    "one month for emerging": (
        ["analyse", str(POLICE_UK), "--stat", "emerging"],
        "need at least 2 months",
    ),
    "unknown statistic": (
        ["analyse", str(POLICE_UK), "--stat", "moran,getis"],
        "unknown statistic 'getis'",
    ),
    "rate without population": (
        ["analyse", str(POLICE_UK), "--level", "wards-2018", "--column", "rate"],
        "no population is known",
    ),
    "table extension": (
        ["analyse", str(POLICE_UK), "--out-table", "t.xlsx"],
        "must end in .csv or .gpkg or .parquet",
    ),
    "output folder missing": (
        ["analyse", str(POLICE_UK), "--out-map", "nowhere/m.html"],
        "no such folder",
    ),
    "k without knn": (["analyse", str(POLICE_UK), "--k", "5"], "--k goes with --weights knn"),
    "knn without k": (["analyse", str(POLICE_UK), "--weights", "knn"], "needs --k"),
    "areas and level": (
        [
            "analyse",
            str(POLICE_UK),
            "--areas",
            "{areas}",
            "--id-column",
            "code",
            "--level",
            "wards",
        ],
        "not both",
    ),
    "no incidents": (
        [
            "analyse",
            "sample:mps-ward-crime",
            "--crime-type",
            "historical fraud and forgery",
            "--period",
            "last-1",
        ],
        "no incidents of historical fraud and forgery in any area",
    ),
    "mixed inputs": (["analyse", str(POLICE_UK), str(MET_SLICE)], "different kinds"),
    "bad permutations": (["demo", "--permutations", "0"], "must be 1 or more"),
}


@pytest.mark.parametrize(("argv", "message"), MISTAKES.values(), ids=MISTAKES.keys())
def test_mistake_is_one_line_and_exit_status_2(tmp_path, monkeypatch, other_csv, argv, message):
    boundaries.load("boroughs").to_file(tmp_path / "areas.gpkg")
    argv = [a.format(other=other_csv, areas=tmp_path / "areas.gpkg") for a in argv]
    monkeypatch.chdir(tmp_path)
    status, _, stderr = run([*argv, "--quiet"])
    assert status == 2
    assert stderr.count("\n") == 1, stderr
    assert re.match(r"hotspots( analyse| demo)?: error: ", stderr)
    assert message in stderr


def test_debug_shows_the_traceback_of_a_mistake():
    with pytest.raises(hotspots.InputError, match="no such file"):
        cli.main(["analyse", "no-such-file.csv", "--debug"])


@pytest.fixture
def bug(monkeypatch):
    import hotspots.cli._pipeline

    def broken(spec, progress):
        raise ZeroDivisionError("something the code got wrong")

    monkeypatch.setattr(hotspots.cli._pipeline, "run_analysis", broken)


def test_bug_is_exit_status_1_with_a_hint(bug, tmp_path):
    status, _, stderr = run(["demo", "--out", str(tmp_path / "x.html")])
    assert status == 1
    assert stderr.strip() == (
        "hotspots: internal error: ZeroDivisionError: something the code got wrong "
        "(this is a bug: run again with --debug for the traceback and please report it)"
    )


def test_bug_with_debug_raises(bug, tmp_path):
    with pytest.raises(ZeroDivisionError):
        cli.main(["demo", "--out", str(tmp_path / "x.html"), "--debug"])


# ------------------------------------------------------------------ the installed script


def test_script_version(tmp_path):
    done = script("--version", cwd=tmp_path)
    assert done.returncode == 0
    assert done.stdout.strip() == f"hotspots (london-hotspots) {hotspots.__version__}"


@pytest.mark.slow
def test_script_demo_readme_command(tmp_path):
    """The README's first command, with fewer permutations, in a fresh process."""
    done = script("demo", "--out", "london-weapons.html", "--permutations", "99", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Global Moran's I" in done.stdout
    assert (tmp_path / "london-weapons.html").stat().st_size > 100_000
    assert "\r" not in done.stderr  # not a terminal: no progress lines


def test_mistake_and_debug(tmp_path, monkeypatch):
    """A mistake is one line and status 2; --debug lets the exception through (in-process:
    the installed script's wiring is checked by test_script_version)."""
    monkeypatch.chdir(tmp_path)
    status, _, stderr = run(["analyse", "missing.csv"])
    assert status == 2
    assert stderr == "hotspots: error: missing.csv: no such file or folder\n"
    with pytest.raises(hotspots.InputError, match=r"missing\.csv: no such file or folder"):
        cli.main(["analyse", "missing.csv", "--debug"])


# ------------------------------------------------------------------ the guide's examples


def guide_commands() -> list[str]:
    text = GUIDE.read_text(encoding="utf-8")
    blocks = re.findall(r"```bash\n(.*?)```", text, flags=re.S)
    return [line for block in blocks for line in block.splitlines() if line.startswith("hotspots")]


@pytest.fixture
def workspace(tmp_path, incidents):
    """The files the guide's examples name, made from real extracts."""
    shutil.copytree(POLICE_UK, tmp_path / "police-uk")
    incidents[["lsoa", "month"]].to_csv(tmp_path / "incidents-by-lsoa.csv", index=False)
    boroughs = boundaries.load("boroughs")
    gpd.GeoDataFrame(
        {
            "gss_code": boroughs.index,
            "borough": boroughs["name"],
            "residents": boundaries.population("boroughs").to_numpy(),
        },
        geometry=boroughs.geometry.to_numpy(),
        crs=boroughs.crs,
    ).to_file(tmp_path / "areas.gpkg")
    return tmp_path


def test_guide_has_examples_of_every_subcommand():
    used = {shlex.split(command)[1] for command in guide_commands()}
    assert used == {"demo", "analyse", "layers", "dashboard", "repeats"}


@pytest.mark.parametrize("command", guide_commands())
def test_guide_example_runs(workspace, monkeypatch, command):
    argv = shlex.split(command)[1:]
    if argv[0] in ("demo", "analyse", "dashboard"):
        argv = [*argv, *FAST] if "--permutations" not in argv else [*argv, "--quiet"]
    monkeypatch.chdir(workspace)
    status, _, stderr = run(argv)
    assert status == 0, stderr
    for option in ("--out", "--out-map", "--out-table", "--out-summary", "--out-dir"):
        if option in argv:
            assert (workspace / argv[argv.index(option) + 1]).stat().st_size > 0


# ------------------------------------------------------------------ helpers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("all", PeriodChoice()),
        ("last-12", PeriodChoice(latest=12)),
        ("2025-06", PeriodChoice("2025-06", "2025-06")),
        ("2024-07:2025-06", PeriodChoice("2024-07", "2025-06")),
    ],
    ids=["all", "latest", "month", "range"],
)
def test_period_syntax(text, expected):
    assert PeriodChoice.parse(text) == expected


@pytest.mark.parametrize("text", ["2025-13", "last-0", "2025-6", "latest 12", "2025-01:"])
def test_period_syntax_errors(text):
    with pytest.raises(ValueError, match="invalid period"):
        PeriodChoice.parse(text)


def test_period_bounds_on_data():
    months = pd.Series(pd.period_range("2023-07", "2025-06", freq="M"))
    first, last = PeriodChoice(latest=12).bounds(months)
    assert (str(first), str(last)) == ("2024-07", "2025-06")


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_draws_each_step_on_a_terminal():
    stream = FakeTerminal()
    progress = Progress(enabled=True, stream=stream)
    with progress.step("counting"):
        pass
    with pytest.raises(KeyError), progress.step("weights"):
        raise KeyError("x")
    lines = [line.split("\r")[-1] for line in stream.getvalue().split("\n")]
    assert re.fullmatch(r"\x1b\[K  counting \.\.\. done in \d+\.\d s", lines[0])
    assert lines[1] == "\x1b[K  weights ... failed"


@pytest.mark.parametrize(
    ("enabled", "stream"),
    [(False, FakeTerminal()), (True, io.StringIO())],
    ids=["quiet", "not-a-terminal"],
)
def test_progress_is_silent_when_quiet_or_piped(enabled, stream):
    with Progress(enabled=enabled, stream=stream).step("counting"):
        pass
    assert stream.getvalue() == ""


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_progress_bar_shows_files_rows_rate_and_eta():
    stream, clock = FakeTerminal(), FakeClock()
    progress = Progress(enabled=True, stream=stream, clock=clock)
    with progress.files("reading") as callback:
        clock.now += 2.0
        callback(1, 4, 250_000)
        clock.now += 6.0
        callback(4, 4, 1_000_000)
    drawn = [part.removeprefix("\x1b[K  ") for part in stream.getvalue().split("\r")[1:]]
    assert drawn == [
        "reading [######------------------] 1/4 files, 250,000 rows, 125,000 rows/s, ETA 6 s",
        "reading [########################] 4/4 files, 1,000,000 rows, 125,000 rows/s, ETA 0 s",
        "reading ... done in 8.0 s\n",
    ]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("x", 3, 10, 90_000, 30.0), "x [#######-----------------] 3/10 files, 90,000 rows, "
         "3,000 rows/s, ETA 1 min 10 s"),
        (("x", 1, 100, 10, 40.0), "x [------------------------] 1/100 files, 10 rows, "
         "0 rows/s, ETA 1 h 06 min"),
        (("x", 0, 2, 0, 0.0), "x [------------------------] 0/2 files, 0 rows, ETA ..."),
    ],
    ids=["minutes", "hours", "nothing-yet"],
)  # fmt: skip
def test_bar_text(args, expected):
    assert bar_text(*args) == expected


@pytest.mark.parametrize(
    ("enabled", "stream"),
    [(False, FakeTerminal()), (True, io.StringIO())],
    ids=["quiet", "not-a-terminal"],
)
def test_progress_bar_is_silent_when_quiet_or_piped(enabled, stream):
    with Progress(enabled=enabled, stream=stream).files("reading") as callback:
        assert callback is None  # count_police_uk then reports nothing
    assert stream.getvalue() == ""


def test_workers_give_the_same_table(tmp_path):
    """Counting the sample's files on two processes changes nothing in the results."""
    argv = ["analyse", "sample:police-uk-burglary", "--stat", "emerging", *FAST]
    tables = {}
    for workers in ("1", "2"):
        tables[workers] = tmp_path / f"workers{workers}.csv"
        status, _, stderr = run([*argv, "--workers", workers, "--out-table", str(tables[workers])])
        assert status == 0, stderr
    assert tables["1"].read_bytes() == tables["2"].read_bytes()
    status, _, stderr = run([*argv, "--workers", "0"])
    assert status == 2 and "--workers: must be 1 or more, not 0" in stderr


def test_workers_load_report_accounts_for_every_row():
    argv = ["analyse", "sample:police-uk-burglary", "--stat", "emerging", "--workers", "2"]
    status, _, stderr = run([*argv, "--permutations", "99"])
    assert status == 0, stderr
    assert "counted per area and month while reading (2 workers)" in stderr
    line = next(x for x in stderr.splitlines() if x.strip().startswith("read police-uk"))
    found = re.search(r"([\d,]+) rows read, ([\d,]+) kept, ([\d,]+) dropped", line)
    read, kept, dropped = (int(n.replace(",", "")) for n in found.groups())
    assert read == kept + dropped == 13_711


def _streamed_and_in_memory(tmp_path, monkeypatch, argv):
    """The same analyse run streamed (the default for police.uk) and with the points read."""
    from hotspots.cli import _pipeline

    runs = {}
    for mode in ("in-memory", "streamed"):
        folder = tmp_path / mode
        folder.mkdir()
        outputs = {
            "table": folder / "table.csv",
            "summary": folder / "summary.json",
            "evaluation": folder / "evaluation.csv",
        }
        args = [*argv, "--out-table", str(outputs["table"]), "--out-summary"]
        args += [str(outputs["summary"])]
        if "--evaluate" in argv:
            args += ["--out-evaluation", str(outputs["evaluation"])]
        with monkeypatch.context() as patch:
            if mode == "in-memory":
                patch.setattr(_pipeline, "_streams", lambda kind: False)
            status, out, err = run(args)
        assert status == 0, err
        runs[mode] = (out.replace(str(folder), "OUT"), outputs, err)
    return runs


@pytest.mark.parametrize(
    "argv",
    [
        ["--stat", "all", "--evaluate"],
        ["--crime-type", "robbery", "--level", "boroughs"],
        ["--crime-type", "burglary", "--period", "last-2", "--stat", "gistar,emerging",
         "--level", "boroughs", "--workers", "2"],
        ["--crime-type", "robbery", "--period", "2024-11:2025-01", "--stat", "gistar,emerging",
         "--level", "boroughs"],
    ],
    ids=["all-and-evaluate", "type-missing-in-some-months", "period-and-workers",
         "type-missing-in-some-months-of-the-period"],
)  # fmt: skip
def test_streamed_run_equals_in_memory_run(tmp_path, monkeypatch, argv):
    """Counting while streaming changes no number: summary, table, JSON and evaluation."""
    base = ["analyse", "sample:police-uk-burglary", "--permutations", "99", "--seed", "7"]
    runs = _streamed_and_in_memory(tmp_path, monkeypatch, [*base, *argv])
    (memory_out, memory, _), (stream_out, stream, stream_err) = runs.values()
    assert stream_out == memory_out
    assert stream["table"].read_bytes() == memory["table"].read_bytes()
    if "--evaluate" in argv:
        assert stream["evaluation"].read_bytes() == memory["evaluation"].read_bytes()
    summaries = [json.loads(run["summary"].read_text()) for run in (memory, stream)]
    reports = [summary.pop("load_report") for summary in summaries]
    for summary in summaries:
        summary.pop("outputs")
    assert summaries[0] == summaries[1]
    # the incidents counted for the period are the same; the streamed report is one pipeline
    assert reports[1]["counted"]["rows_kept"] == reports[0]["counted"]["rows_kept"]
    (streamed,) = reports[1]["read"]
    assert streamed["rows_read"] == reports[0]["read"][0]["rows_read"] == 13_711
    assert streamed["rows_read"] == streamed["rows_kept"] + sum(streamed["dropped"].values())
    assert "counted per area and month" in stream_err


def test_streamed_run_never_reads_the_points(monkeypatch):
    """police.uk input goes through count_police_uk only: the incidents are never in memory."""

    def no_points(*args, **kwargs):
        raise AssertionError("the incidents were read into memory")

    monkeypatch.setattr(hotspots, "read_police_uk", no_points)
    argv = ["analyse", "sample:police-uk-burglary", "--level", "boroughs", "--stat", "all"]
    status, _, stderr = run([*argv, "--evaluate", *FAST])
    assert status == 0, stderr


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--stat", "emerging", "--period", "2025-02"], "need at least 2 months; the data have 1"),
        (["--crime-type", "bicycle theft"], "no incidents of bicycle theft in any area"),
        (["--period", "2023-01"], "no data in 2023-01: the data cover 2024-12 to 2025-02"),
        # robbery is in the December file only: none in January is not an empty file
        (
            ["--crime-type", "robbery", "--period", "2025-01"],
            "no incidents of robbery in any area: rows were dropped as",
        ),
    ],
    ids=["one-month", "no-incidents", "period-outside-data", "none-in-the-period"],
)
def test_streamed_run_checks_as_before(monkeypatch, argv, message):
    """The streamed run fails with the in-memory run's one-line errors and load report."""
    from hotspots.cli import _pipeline

    base = ["analyse", "sample:police-uk-burglary", "--level", "boroughs", *FAST[:2]]
    errors = []
    for streams in (False, True):
        with monkeypatch.context() as patch:
            patch.setattr(_pipeline, "_streams", lambda kind, streams=streams: streams)
            status, _, stderr = run([*base, *argv])
        assert status == 2 and message in stderr
        assert "Load report (up to the error)" in stderr
        # the reasons' numbers may differ: streaming drops other crime types as it reads
        errors.append(stderr.splitlines()[0].split("rows were dropped as")[0])
    assert errors[0] == errors[1]


def test_analyse_several_met_tables_add_up_to_the_whole(tmp_path):
    """The ward extract split into two tables of 12 months each gives the same counts."""
    wide = pd.read_csv(MET_SLICE, dtype=str)
    ids, months = list(wide.columns[:5]), list(wide.columns[5:])
    wide[ids + months[:12]].to_csv(tmp_path / "first.csv", index=False)
    wide[ids + months[12:]].to_csv(tmp_path / "second.csv", index=False)
    split, whole = tmp_path / "split.csv", tmp_path / "whole.csv"
    options = ["--stat", "gistar", "--column", "count", *FAST]
    files = [str(tmp_path / "first.csv"), str(tmp_path / "second.csv")]
    assert run(["analyse", *files, *options, "--out-table", str(split)])[0] == 0
    assert run(["analyse", str(MET_SLICE), *options, "--out-table", str(whole)])[0] == 0
    a, b = pd.read_csv(split, index_col="code"), pd.read_csv(whole, index_col="code")
    np.testing.assert_array_equal(a["count"], b["count"])


def test_analyse_overlapping_met_tables_is_a_mistake(tmp_path):
    status, _, stderr = run(["analyse", str(MET_SLICE), str(MET_SLICE), *FAST])
    assert status == 2
    assert "would be counted twice" in stderr


def test_analyse_counts_per_code_leave_unlisted_areas_without_data(tmp_path, incidents):
    counted = incidents.groupby("lsoa").size().rename("n").reset_index()
    counted.to_csv(tmp_path / "counted.csv", index=False)
    out = tmp_path / "t.csv"
    status, _, stderr = run(
        [
            "analyse",
            str(tmp_path / "counted.csv"),
            "--code-column",
            "lsoa",
            "--count-column",
            "n",
            "--level",
            "lsoa",
            "--column",
            "count",
            "--stat",
            "moran",
            "--out-table",
            str(out),
            *FAST,
        ]
    )
    assert status == 0, stderr
    table = pd.read_csv(out, index_col="code", usecols=["code", "count"])["count"]
    listed = counted.set_index("lsoa")["n"]
    listed = listed[listed.index.isin(table.index)]  # one incident was in Essex
    np.testing.assert_array_equal(table[listed.index], listed.to_numpy(dtype=float))
    assert table.drop(listed.index).isna().all()


@pytest.mark.parametrize(
    ("period", "city_has_data"),
    [("2024-12", True), ("2025-01:2025-02", False)],
    ids=["with-city-police-file", "met-files-only"],
)
def test_period_coverage_follows_the_forces_of_the_months_kept(tmp_path, period, city_has_data):
    """The sample has City of London Police records for 2024-12 only."""
    out = tmp_path / "t.csv"
    status, _, stderr = run(
        [
            "analyse",
            "sample:police-uk-burglary",
            "--crime-type",
            "burglary",
            "--level",
            "boroughs",
            "--period",
            period,
            "--stat",
            "gistar",
            "--out-table",
            str(out),
            *FAST,
        ]
    )
    assert status == 0, stderr
    city = pd.read_csv(out, index_col="code").loc["E09000001"]
    assert pd.notna(city["count"]) == city_has_data
    assert (city["gi_label"] == "No data") != city_has_data


# -- issue 15: what the top list ranks, and the evaluation table ------------------------


def test_analyse_evaluates_hot_spot_methods_and_writes_the_table(tmp_path):
    out = tmp_path / "evaluation.csv"
    status, stdout, _ = run(
        ["analyse", "sample:mps-ward-crime", "--crime-type", "possession of weapons",
         "--stat", "gistar", "--evaluate", "--out-evaluation", str(out),
         "--permutations", "99", "--seed", "1", "--quiet"]
    )  # fmt: skip
    assert status == 0
    assert "chosen on 2023-07 to 2024-06, judged on 2024-07 to 2025-06" in stdout
    table = pd.read_csv(out)
    assert {"train", "test", "selection", "areas_selected", "area_share", "hit_rate", "pai",
            "pei", "pei_star", "rri"} <= set(table.columns)  # fmt: skip
    row = table.set_index("selection").loc["Top 5% by count"]
    assert row["areas_selected"] == 34 and row["hit_rate"] == pytest.approx(0.157, abs=0.005)


def test_rank_by_count_lists_own_counts_highest_first():
    status, stdout, _ = run(
        ["analyse", "sample:mps-ward-crime", "--crime-type", "robbery", "--stat", "moran",
         "--rank-by", "count", "--permutations", "9", "--seed", "1", "--quiet"]
    )  # fmt: skip
    assert status == 0
    assert "ranked by own count: robbery, 2023-07 to 2025-06" in stdout
    counts = [int(c) for c in re.findall(r"^\s+\d+\s{2}.+?\s(\d+)$", stdout, flags=re.M)]
    assert len(counts) == 10 and counts == sorted(counts, reverse=True)


def test_out_evaluation_needs_evaluate(tmp_path):
    status, _, stderr = run(["analyse", "sample:mps-ward-crime",
                             "--out-evaluation", str(tmp_path / "e.csv")])  # fmt: skip
    assert status == 2 and "--out-evaluation goes with --evaluate" in stderr


def test_ages_give_rates_per_1000_of_that_age_and_say_so():
    status, stdout, _ = run(
        ["analyse", "sample:mps-ward-crime", "--crime-type", "robbery", "--ages", "10-24",
         "--stat", "moran", "--rank-by", "rate", "--permutations", "9", "--seed", "1",
         "--quiet"]
    )  # fmt: skip
    assert status == 0
    assert "analysed: rate per 1,000 residents aged 10 to 24" in stdout
    assert "robbery per 1,000 residents aged 10 to 24 a year" in stdout
    young = boundaries.population("wards", ages=(10, 24))
    first = re.search(r"^\s+1\s{2}(.+?)\s{2,}.+?\s(\d+\.\d\d)\s+(\d+)$", stdout, flags=re.M)
    wards = boundaries.load("wards")
    code = wards.index[wards["name"] == first.group(1)][0]
    expected = int(first.group(3)) / young[code] * 1000 / 2  # 24 months, per year
    assert float(first.group(2)) == pytest.approx(expected, abs=0.005)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param(["--ages", "12-24"], "age bands", id="off-band"),
        pytest.param(["--ages", "ten"], "FIRST-LAST", id="not-a-range"),
    ],
)
def test_bad_ages_are_refused(argv, message):
    status, _, stderr = run(["analyse", "sample:mps-ward-crime", "--stat", "moran",
                             "--permutations", "9", *argv])  # fmt: skip
    assert status != 0 and message in stderr
