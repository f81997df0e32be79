"""The saved HTML of the maps: colours, no-data styling, legends, panels, escaping, size.

Most tests use synthetic result columns (random, named as such) on the
shipped ward and LSOA boundaries; the real-data tests use the shipped Met
ward sample through hotspots.read_met_crime / aggregate / local_moran /
getis_ord / emerging_hotspots / period_change. Browser rendering is tested
in test_maps_browser.py.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from html import escape

import numpy as np
import pandas as pd
import pytest

import boundaries
import hotspots
from hotspots import EmergingHotspots
from hotspots._vocabulary import (
    CHANGE_CATEGORIES,
    GI_CATEGORIES,
    LISA_CATEGORIES,
    LISA_SIGNIFICANCE_CATEGORIES,
)
from hotspots.maps._layers import significance_classes
from hotspots.maps._style import (
    EMERGING_CATEGORIES,
    HATCH_ID,
    assign_classes,
    class_breaks,
    class_labels,
    format_number,
)

CITY = "E09000001"
LISA = list(LISA_CATEGORIES)
GI = list(GI_CATEGORIES)
CHANGE = list(CHANGE_CATEGORIES)

# ------------------------------------------------------------------ helpers


def render(m) -> str:
    return m.get_root().render()


def _json_after(html: str, marker: str) -> object:
    start = html.index(marker) + len(marker)
    return json.JSONDecoder().raw_decode(html, start)[0]


def area_data(html: str) -> dict[str, dict]:
    """Feature properties by area code, from the page's one JSON block of areas."""
    match = re.search(r'<script type="application/json" id="(area_data_\w+)">', html)
    collection = json.JSONDecoder().raw_decode(html, match.end())[0]
    return {f["properties"]["id"][1]: f for f in collection["features"]}


def page_config(html: str) -> dict:
    """The configuration the page script gets (layers, outlines, places, attribution)."""
    match = re.search(r'hotspotsMaps\.page\(map_\w+, "area_data_\w+", ', html)
    return json.JSONDecoder().raw_decode(html, match.end())[0]


def layer_specs(html: str) -> dict[str, dict]:
    """The spec (key, tooltip labels, styles) of every thematic layer, by key."""
    return {spec["key"]: spec for spec in page_config(html)["layers"]}


def tooltip(html: str, key: str, code: str) -> dict[str, str]:
    """The tooltip rows (label -> text) of one area in layer `key`."""
    spec = layer_specs(html)[key]
    p = area_data(html)[code]["properties"]
    values = p["id"] + p[key] + p.get("n", [])
    return dict(zip(spec["labels"], values, strict=True))


def legend_rows(html: str) -> list[tuple[str, str]]:
    """(category, count text) of the legend entries, in order."""
    return re.findall(
        r'<li data-category="([^"]*)">.*?</span>([^<]*) <span class="hs-n">\(([^)]*)\)', html
    )


@pytest.fixture(scope="module")
def wards():
    return boundaries.load("wards")


@pytest.fixture(scope="module")
def synthetic(wards):
    """SYNTHETIC results on the real ward boundaries: random values, every category present.

    The City of London (one area in this layer) has no data, as in Met data.
    """
    rng = np.random.default_rng(7)
    n = len(wards)
    frame = wards.assign(
        count=rng.poisson(60, n).astype(float),
        population=rng.integers(5000, 15000, n).astype(float),
        lisa_label=np.resize(LISA, n),
        lisa_i=rng.normal(0, 1, n),
        lisa_p_sim=rng.uniform(0, 0.2, n),
        gi_label=np.resize(GI, n),
        gi_z=rng.normal(0, 2, n),
        gi_p=rng.uniform(0, 0.2, n),
        emerging_label=np.resize(list(EMERGING_CATEGORIES), n),
        count_before=rng.poisson(30, n).astype(float),
        count_after=rng.poisson(30, n).astype(float),
        change_p=rng.uniform(0, 0.2, n),
        change_label=np.resize(CHANGE, n),
    )
    frame["rate"] = frame["count"] / frame["population"] * 1000
    frame["change"] = frame["count_after"] - frame["count_before"]
    frame["percent_change"] = 100 * frame["change"] / frame["count_before"]
    numbers = ["count", "rate", "lisa_i", "lisa_p_sim", "gi_z", "gi_p"]
    numbers += ["count_before", "count_after", "change", "percent_change", "change_p"]
    frame.loc[CITY, numbers] = np.nan
    frame.loc[CITY, ["lisa_label", "gi_label", "emerging_label", "change_label"]] = "No data"
    frame["covered"] = frame.index != CITY
    frame.attrs["hotspots"] = {
        "source": "SYNTHETIC test values",
        "period": "2024-01 to 2024-12",
        "crime_type": "Burglary",
        "level": "wards",
        "weights": "queen contiguity, row-standardised",
        "permutations": 999,
        "seed": 12345,
        "alpha": 0.05,
        "correction": "fdr",
    }
    return frame


MONTHS = pd.period_range("2024-01", periods=4, freq="M")


def synthetic_emerging(frame, periods=MONTHS) -> EmergingHotspots:
    """A SYNTHETIC emerging result: `frame` as its areas; per period, the Gi* columns of
    `frame` shifted by one area a period and random counts; the City "No data" throughout.
    """
    rng = np.random.default_rng(len(periods))
    n, t = len(frame), len(periods)
    shifted = {
        column: np.stack([np.roll(frame[column].to_numpy(), k) for k in range(t)], axis=1)
        for column in ("gi_label", "gi_z")
    }
    city = (frame.index == CITY)[:, None]
    table = pd.DataFrame(
        {
            "count": np.where(city, np.nan, rng.poisson(5, (n, t))).ravel(),
            "gi_z": np.where(city, np.nan, shifted["gi_z"]).ravel(),
            "gi_label": np.where(city, "No data", shifted["gi_label"]).ravel(),
        },
        index=pd.MultiIndex.from_product([frame.index, periods], names=["code", "period"]),
    )
    table.attrs = frame.attrs
    return EmergingHotspots(areas=frame, periods=table)


@pytest.fixture(scope="module")
def synthetic_html(synthetic):
    result = synthetic_emerging(synthetic)
    return render(hotspots.combined_map(synthetic, result, title="Synthetic test map"))


MAKERS = {
    "choropleth": lambda f, **kw: hotspots.choropleth_map(f, "rate", **kw),
    "lisa": lambda f, **kw: hotspots.cluster_map(f, **kw),
    "gi": lambda f, **kw: hotspots.hotspot_map(f, **kw),
    "emerging": lambda f, **kw: hotspots.emerging_map(synthetic_emerging(f), **kw),
    "change": lambda f, **kw: hotspots.change_map(f, **kw),
    "combined": lambda f, **kw: hotspots.combined_map(f, synthetic_emerging(f), **kw),
}
COLUMNS = {
    "lisa": "lisa_label",
    "gi": "gi_label",
    "emerging": "emerging_label",
    "change": "change_label",
}

# ---------------------------------------------------------- packaging / offline


def test_hotspots_imports_without_folium():
    code = (
        "import sys; sys.modules['folium'] = None\n"
        "import hotspots, hotspots.maps._api, hotspots.maps._style\n"
        "try:\n"
        "    hotspots.cluster_map(None)\n"
        "except ImportError as err:\n"
        "    print(err)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "need folium" in out.stdout
    assert "pip install" in out.stdout


def test_missing_leaflet_package_says_what_to_install(synthetic):
    code = (
        "import sys; sys.modules['xstatic.pkg.leaflet'] = None\n"
        "import boundaries, hotspots\n"
        "try:\n"
        "    hotspots.cluster_map(boundaries.load('boroughs').assign(lisa_label='High-High'))\n"
        "except ImportError as err:\n"
        "    print(err)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "XStatic-Leaflet" in out.stdout
    assert "pip install" in out.stdout


@pytest.mark.parametrize("kind", list(MAKERS))
def test_no_network_resources(synthetic, kind):
    html = render(MAKERS[kind](synthetic))
    assert not re.search(r"<script[^>]+src=", html)
    assert not re.search(r"<link[^>]+href=", html)
    for host in ("jsdelivr", "cloudflare", "jquery", "bootstrap", "fontawesome"):
        assert host not in html.lower()
    assert "{z}/{x}/{y}" not in html  # no tile layer
    # Leaflet itself is in the page: the same release folium is written for
    assert 't.version="1.9.3"' in html
    assert "url(images/" not in html  # Leaflet's CSS images are data URIs


def test_basemap_only_when_asked(synthetic):
    html = render(hotspots.cluster_map(synthetic, basemap="OpenStreetMap"))
    assert "tile.openstreetmap.org/{z}/{x}/{y}.png" in html
    assert not re.search(r"<script[^>]+src=", html)  # the code is still inline


def test_folium_defaults_left_alone(synthetic):
    import folium

    before = list(folium.Map.default_js)
    hotspots.cluster_map(synthetic)
    assert folium.Map.default_js == before
    assert 'src="https://' in render(folium.Map())


# -------------------------------------------------------------------- colours

EXPECTED_DEFAULT = {
    "lisa": {
        "High-High": "#d7191c",  # red
        "Low-Low": "#2c7bb6",  # blue
        "Low-High": "#9ecae1",  # light blue
        "High-Low": "#f1a1b5",  # pink
        "Not significant": "#f7f7f2",  # ArcGIS beige
    },
    "gi": {
        "Hot spot (99%)": "#b2182b",
        "Hot spot (95%)": "#d6604d",
        "Hot spot (90%)": "#f4a582",
        "Not significant": "#f7f7f2",
        "Cold spot (90%)": "#92c5de",
        "Cold spot (95%)": "#4393c3",
        "Cold spot (99%)": "#2166ac",
    },
    "change": {
        "Significant increase": "#ca0020",  # red
        "No significant change": "#f7f7f2",  # neutral beige
        "Significant decrease": "#0571b0",  # blue
    },
}


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))


@pytest.mark.parametrize("key", ["lisa", "gi", "change"])
def test_default_colours(synthetic_html, key):
    styles = layer_specs(synthetic_html)[key]["styles"]
    for category, colour in EXPECTED_DEFAULT[key].items():
        assert styles[category]["fillColor"] == colour, category


def test_gi_ramp_runs_deep_blue_to_deep_red(synthetic_html):
    styles = layer_specs(synthetic_html)["gi"]["styles"]
    rgb = [_rgb(styles[c]["fillColor"]) for c in GI]  # hot 99 % ... cold 99 %
    assert all(r > b for r, _, b in rgb[:3])  # hot spots red
    assert all(b > r for r, _, b in rgb[4:])  # cold spots blue
    lightness = [sum(c) for c in rgb]
    assert (
        lightness[0] < lightness[1] < lightness[2] and lightness[-1] < lightness[-2] < lightness[-3]
    )


@pytest.mark.parametrize("palette", ["default", "colourblind"])
@pytest.mark.parametrize("kind", ["lisa", "gi", "emerging", "change"])
def test_colours_fixed_whatever_is_present(synthetic, palette, kind):
    column = COLUMNS[kind]
    full = layer_specs(render(MAKERS[kind](synthetic, palette=palette)))[kind]["styles"]
    only_one = synthetic.assign(
        **{
            column: {"emerging": "No pattern detected", "change": "No significant change"}.get(
                kind, "Not significant"
            )
        }
    )
    one = layer_specs(render(MAKERS[kind](only_one, palette=palette)))[kind]["styles"]
    assert one == full
    fills = [s["fillColor"] for c, s in full.items() if c not in ("No data", "No neighbours")]
    assert len(set(fills)) == len(fills)  # one colour per category


def test_colourblind_palette_differs_and_keeps_categories_apart(synthetic):
    default = layer_specs(render(hotspots.cluster_map(synthetic)))["lisa"]["styles"]
    safe = layer_specs(render(hotspots.cluster_map(synthetic, palette="colourblind")))["lisa"][
        "styles"
    ]
    assert default.keys() == safe.keys()
    assert safe["High-High"]["fillColor"] != default["High-High"]["fillColor"]
    # the two "high" classes are warm and the two "low" ones cool in both palettes
    for styles in (default, safe):
        for category in ("High-High", "High-Low"):
            r, _, b = _rgb(styles[category]["fillColor"])
            assert r > b
        for category in ("Low-High", "Low-Low"):
            r, _, b = _rgb(styles[category]["fillColor"])
            assert b > r


@pytest.mark.parametrize("kind", ["choropleth", "lisa", "gi", "emerging", "change"])
def test_no_data_is_hatched_and_says_no_data(synthetic_html, kind):
    styles = layer_specs(synthetic_html)[kind]["styles"]
    no_data = styles["No data"]
    assert no_data["fillColor"] == f"url(#{HATCH_ID})"
    assert no_data["fillOpacity"] == 1 and no_data["color"] == "#333333"
    # drawn on the canvas with the hatch of the legend swatch
    assert "hatchPattern" in synthetic_html and "repeating-linear-gradient" in synthetic_html
    # the hatch is not any category's colour
    others = {s["fillColor"] for c, s in styles.items() if c != "No data"}
    assert no_data["fillColor"] not in others
    rows = tooltip(synthetic_html, kind, CITY)
    assert rows["Area"] == "City of London"
    assert rows["Crimes"] == "no data" and rows["Rate per 1,000 residents"] == "no data"
    assert area_data(synthetic_html)[CITY]["properties"][kind][0] == "No data"


def test_no_neighbours_is_distinct(synthetic):
    frame = synthetic.copy()
    frame.loc[frame.index[0], "lisa_label"] = "No neighbours"
    html = render(hotspots.cluster_map(frame))
    styles = layer_specs(html)["lisa"]["styles"]
    assert styles["No neighbours"]["dashArray"] == "3 3"
    assert styles["No neighbours"]["fillColor"] not in {
        s["fillColor"] for c, s in styles.items() if c != "No neighbours"
    }
    assert ("No neighbours", "1") in [(c, n) for c, _, n in legend_rows(html)]


# ------------------------------------------------------------ legend / panels


def test_legend_lists_every_category_with_counts(synthetic):
    html = render(hotspots.cluster_map(synthetic))
    rows = legend_rows(html)
    expected = synthetic["lisa_label"].value_counts()
    assert [c for c, _, _ in rows] == [*LISA, "No data"]
    for category, text, count in rows:
        assert text.strip() == category
        assert int(count.replace(",", "")) == expected[category]


def test_legend_keeps_absent_categories(synthetic):
    frame = synthetic.assign(lisa_label="Not significant")
    rows = legend_rows(render(hotspots.cluster_map(frame)))
    assert [(c, n) for c, _, n in rows] == [
        (c, "680" if c == "Not significant" else "0") for c in LISA
    ]


def test_top_hot_spots_ranked_by_z(synthetic):
    html = render(hotspots.hotspot_map(synthetic, top=5))
    hot = synthetic[synthetic["gi_label"].str.startswith("Hot spot")]
    expected = hot.sort_values("gi_z", ascending=False).index[:5].tolist()
    assert re.findall(r'<li data-code="(\w+)"', html) == expected
    first = tooltip(html, "gi", expected[0])
    assert first["Rank"] == f"1 of {len(hot)} hot spots"
    assert first["Gi* z-score"] == format_number(synthetic.loc[expected[0], "gi_z"])
    not_hot = synthetic.index[synthetic["gi_label"] == "Not significant"][0]
    assert tooltip(html, "gi", not_hot)["Rank"] == "–"


def test_top_high_high_ranked_by_statistic(synthetic):
    html = render(hotspots.cluster_map(synthetic, top=3))
    high = synthetic[synthetic["lisa_label"] == "High-High"]
    expected = high.sort_values("lisa_i", ascending=False).index[:3].tolist()
    assert re.findall(r'<li data-code="(\w+)"', html) == expected


def test_top_zero_hides_the_list_and_empty_list_says_so(synthetic):
    assert 'class="hs-top"' not in render(hotspots.cluster_map(synthetic, top=0))
    none = synthetic.assign(lisa_label="Not significant")
    html = render(hotspots.cluster_map(none))
    assert "No High-High cluster at this significance level." in html


def test_tooltip_rows(synthetic):
    html = render(hotspots.cluster_map(synthetic))
    code = synthetic.index[10]
    row = synthetic.loc[code]
    rows = tooltip(html, "lisa", code)
    assert rows["Area"] == row["name"]
    assert rows["Code"] == code
    assert rows["Borough"] == row["borough_name"]
    assert rows["LISA cluster"] == row["lisa_label"]
    assert rows["Local Moran's I"] == format_number(row["lisa_i"])
    assert rows["Pseudo p-value"] in (f"{row['lisa_p_sim']:.3f}", "< 0.001")
    assert rows["Crimes"] == f"{int(row['count']):,}"
    assert rows["Rate per 1,000 residents"] == f"{row['rate']:.1f}"
    assert rows["Residents"] == f"{int(row['population']):,}"
    assert "Rank" in rows


def test_provenance_panel(synthetic, synthetic_html):
    block = synthetic_html[synthetic_html.index("How this map was made") :]
    for label, value in [
        ("Data source", "SYNTHETIC test values"),
        ("Period", "2024-01 to 2024-12"),
        ("Crime type", "Burglary"),
        ("Area level", "wards"),
        ("Spatial weights", "queen contiguity, row-standardised"),
        ("Permutations", "999"),
        ("Random seed", "12345"),
        ("Significance level (alpha)", "0.05"),
        ("Multiple-testing correction", "false discovery rate (Benjamini-Hochberg)"),
        ("Made with", f"london-hotspots {hotspots.__version__}"),
    ]:
        assert f"<tr><th>{escape(label)}</th><td>{escape(value)}</td></tr>" in block


def test_provenance_says_not_recorded(synthetic):
    frame = synthetic.copy()
    frame.attrs = {"hotspots": {"source": "SYNTHETIC"}}
    html = render(hotspots.hotspot_map(frame))
    assert "<tr><th>Random seed</th><td>not recorded</td></tr>" in html
    # a count map does not pretend to have permutations
    assert "Permutations" not in render(hotspots.choropleth_map(frame))


def test_combined_has_all_layers_and_borough_outlines(synthetic_html):
    assert list(layer_specs(synthetic_html)) == [
        "choropleth",
        "lisa",
        "gi",
        "emerging",
        "periods",
        "change",
    ]
    # geometry written once, shared by the six layers (they are styles of the same shapes)
    assert synthetic_html.count('<script type="application/json" id="area_data_') == 1
    assert synthetic_html.count('<input type="radio" name="hs-') == 6
    config = page_config(synthetic_html)
    assert len(config["outlines"]["features"]) == 33
    assert len(config["london"]["features"]) == 1
    assert "Borough outlines" in synthetic_html


def test_combined_takes_layers_from_several_results(synthetic):
    counts = synthetic[["name", "borough_name", "count", "rate", "population", "geometry"]]
    lisa = synthetic[["lisa_label", "lisa_i", "geometry"]].sample(frac=1, random_state=1)
    html = render(hotspots.combined_map(counts, lisa))
    assert set(layer_specs(html)) == {"choropleth", "lisa"}
    code = synthetic.index[3]
    assert tooltip(html, "lisa", code)["LISA cluster"] == synthetic.loc[code, "lisa_label"]


def test_single_layer_without_boroughs_has_no_layer_control(synthetic):
    frame = synthetic.drop(columns=["borough_name"])
    html = render(hotspots.cluster_map(frame))
    assert '<input type="radio" name="hs-' not in html and "Borough outlines" not in html
    assert page_config(html)["outlines"] is None
    assert "Borough" not in layer_specs(html)["lisa"]["labels"]


# -------------------------------------------------------- period view, change


def card(html: str, key: str) -> str:
    """The right-hand card (slider, legend, top list) of layer `key`."""
    start = re.search(rf'<div class="hs-card [\w-]+" data-hs-layer="{key}"', html).start()
    end = html.find('<div class="hs-card ', start + 1)
    return html[start : end if end > 0 else len(html)]


@pytest.fixture(scope="module")
def emerging_html(synthetic):
    return render(hotspots.emerging_map(synthetic_emerging(synthetic), top=5))


def test_emerging_map_has_patterns_then_periods(emerging_html):
    assert list(layer_specs(emerging_html)) == ["emerging", "periods"]
    assert emerging_html.count('<input type="radio" name="hs-') == 2
    assert emerging_html.count('<script type="application/json" id="area_data_') == 1


def test_period_layer_data_match_the_periods_table(synthetic, emerging_html):
    periods = synthetic_emerging(synthetic).periods
    spec = layer_specs(emerging_html)["periods"]
    assert spec["periods"] == ["2024-01", "2024-02", "2024-03", "2024-04"]
    assert spec["categories"] == [*GI, "No data", "No neighbours"]
    assert spec["labels"] == [
        "Area",
        "Code",
        "Borough",
        "Period",
        "Gi* category",
        "Crimes in the period",
        "Gi* z-score",
    ]
    data = area_data(emerging_html)
    for code in [synthetic.index[0], synthetic.index[123], CITY]:
        row = data[code]["properties"]["periods"]
        own = periods.xs(code, level="code")
        assert [spec["categories"][ord(c) - 48] for c in row["c"]] == own["gi_label"].tolist()
        counts = [None if v == "" else float(v) for v in row["n"].split(",")]
        assert counts == [None if np.isnan(v) else v for v in own["count"]]
        z = [np.nan if v == "" else float(v) for v in row["z"].split(",")]
        np.testing.assert_allclose(z, own["gi_z"].to_numpy(), atol=5e-3)
    # areas per category and period, as the slider puts them in the legend
    for t, month in enumerate(MONTHS):
        tally = periods.xs(month, level="period")["gi_label"].value_counts()
        expected = [int(tally.get(c, 0)) for c in spec["categories"]]
        assert spec["counts"][t] == expected


def test_period_card_has_slider_and_legend_of_the_last_period(synthetic, emerging_html):
    block = card(emerging_html, "periods")
    slider = re.search(r'<input type="range"[^>]*>', block).group(0)
    assert 'min="0"' in slider and 'max="3"' in slider and 'value="3"' in slider
    assert 'data-hs-slider="periods"' in slider
    assert '<output class="hs-period">2024-04</output>' in block
    last = synthetic_emerging(synthetic).periods.xs(MONTHS[-1], level="period")
    tally = last["gi_label"].value_counts()
    rows = legend_rows(block)
    assert [c for c, _, _ in rows] == [*GI, "No data"]
    assert all(int(n.replace(",", "")) == tally.get(c, 0) for c, _, n in rows)
    assert 'class="hs-top"' not in block  # the ranked list belongs to the pattern layer
    assert 'class="hs-top"' in card(emerging_html, "emerging")
    assert "hs-slider" not in card(emerging_html, "emerging")


def test_change_tooltip_and_top_increases(synthetic):
    frame = synthetic.copy()
    frame.attrs = {"hotspots": {"before": "2023-07 to 2024-06", "after": "2024-07 to 2025-06"}}
    html = render(hotspots.change_map(frame, top=4))
    rising = frame[frame["change_label"] == "Significant increase"]
    expected = rising.sort_values("change", ascending=False).index[:4].tolist()
    falling = frame[frame["change_label"] == "Significant decrease"]
    decreases = falling.sort_values("change").index[:4].tolist()
    assert re.findall(r'<li data-code="(\w+)"', html) == expected + decreases
    assert "Largest significant decreases" in html
    code = expected[0]
    row = frame.loc[code]
    rows = tooltip(html, "change", code)
    assert rows["Change"] == "Significant increase"
    assert rows["Crimes before (2023-07 to 2024-06)"] == f"{int(row['count_before']):,}"
    assert rows["Crimes after (2024-07 to 2025-06)"] == f"{int(row['count_after']):,}"
    sign = "+" if row["change"] > 0 else ""
    assert rows["Change in crimes"] == f"{sign}{int(row['change'])}"
    assert rows["Percent change"] == f"{row['percent_change']:+.1f}%"
    assert rows["Rank"] == f"1 of {len(rising)} significant increases"
    assert [c for c, _, _ in legend_rows(html)] == [*CHANGE, "No data"]
    assert "Largest significant increases" in html


def test_change_from_nothing_says_so(synthetic):
    frame = synthetic.copy()
    code = frame.index[1]
    frame.loc[code, ["count_before", "count_after", "change", "percent_change"]] = [
        0.0,
        4.0,
        4.0,
        np.nan,
    ]
    rows = tooltip(render(hotspots.change_map(frame)), "change", code)
    assert rows["Percent change"] == "none before" and rows["Change in crimes"] == "+4"


# ------------------------------------------------------------------- escaping

HOSTILE = ["<script>alert(1)</script>", "\"quotes' & more", "{{ 7*7 }} {% if 1 %}x{% endif %}"]


def test_everything_written_is_escaped(synthetic):
    frame = synthetic.copy()
    codes = frame.index[frame["lisa_label"] == "High-High"][:3]
    frame.loc[codes, "name"] = HOSTILE
    frame.loc[codes, "lisa_i"] = [10.0, 9.0, 8.0]  # top of the list
    frame.loc[codes, "borough_name"] = HOSTILE
    frame.attrs["hotspots"] = {"source": "<script>alert(2)</script>", "extra <key>": "{{ 1+1 }}"}
    html = render(hotspots.cluster_map(frame, title="<script>alert(3)</script>\"'"))
    assert "<script>alert" not in html
    data = area_data(html)
    for code, name in zip(codes, HOSTILE, strict=True):
        assert data[code]["properties"]["id"][0] == name  # text kept exactly, never evaluated
    assert "&lt;script&gt;alert(3)&lt;/script&gt;&quot;&#x27;" in html
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html
    assert "<th>Extra &lt;key&gt;</th><td>{{ 1+1 }}</td>" in html
    assert f"<b>{escape(HOSTILE[1])}</b>" in html
    assert "49" not in re.findall(r"<b>([^<]*)</b>", html)


def test_column_name_is_escaped_in_labels(synthetic):
    frame = synthetic.assign(**{"<b>{{x}}</b>": synthetic["count"]})
    html = render(hotspots.choropleth_map(frame, "<b>{{x}}</b>"))
    assert "<b>{{x}}</b>" not in html
    assert '<div class="hs-h">&lt;b&gt;{{x}}&lt;/b&gt;</div>' in html


# ------------------------------------------------------------------- behaviour


def test_input_is_not_changed(synthetic):
    before = synthetic.copy()
    attrs = json.dumps(synthetic.attrs)
    hotspots.combined_map(synthetic)
    pd.testing.assert_frame_equal(synthetic, before)
    assert json.dumps(synthetic.attrs) == attrs


def test_row_order_does_not_matter(synthetic, synthetic_html):
    shuffled = synthetic.sample(frac=1, random_state=3)
    result = synthetic_emerging(synthetic)
    periods = result.periods.sample(frac=1, random_state=4)
    result = EmergingHotspots(areas=result.areas.sample(frac=1, random_state=5), periods=periods)
    again = area_data(render(hotspots.combined_map(shuffled, result, title="Synthetic test map")))
    original = area_data(synthetic_html)
    assert again.keys() == original.keys()
    for code in original:
        assert again[code]["properties"] == original[code]["properties"]


def test_choropleth_classes_are_quantiles(synthetic):
    html = render(hotspots.choropleth_map(synthetic, "count"))
    values = synthetic["count"].dropna().to_numpy()
    edges = np.unique(np.quantile(values, np.linspace(0, 1, 6)))
    labels = class_labels(edges)
    assert [c for c, _, _ in legend_rows(html)] == [*labels, "No data"]
    data = area_data(html)
    for code, value in synthetic["count"].dropna().items():
        k = int(np.clip(np.searchsorted(edges, value, side="left") - 1, 0, len(labels) - 1))
        assert data[code]["properties"]["choropleth"][0] == labels[k]


def test_class_helpers_with_ties_and_missing():
    values = np.array([0.0, 0.0, 0.0, 0.0, 1.0, 2.0, np.nan])
    edges = class_breaks(values)
    # quintile edges 0, 0, 0, 0, 1, 2 (and floating-point near-zeros) merge to 0, 1, 2
    assert edges.tolist() == [0.0, 1.0, 2.0]
    labels = class_labels(edges)
    # whole numbers: no end value shared by two classes
    assert labels == ("0 to 1", "2")
    expected = [labels[0]] * 5 + [labels[1], "No data"]
    assert assign_classes(values, edges, labels) == expected
    assert class_breaks(np.array([np.nan])).size == 0
    assert format_number(1234.0) == "1,234" and format_number(0.012345) == "0.0123"


def relabelled(result: EmergingHotspots) -> EmergingHotspots:
    periods = result.periods.copy()
    periods.iloc[5, periods.columns.get_loc("gi_label")] = "Hot"
    return EmergingHotspots(areas=result.areas, periods=periods)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda f: hotspots.cluster_map(f, palette="rainbow"), "unknown palette"),
        (lambda f: hotspots.cluster_map(f, top=-1), "top must be"),
        (lambda f: hotspots.cluster_map(f.drop(columns="lisa_label")), "local_moran"),
        (lambda f: hotspots.hotspot_map(f.drop(columns="gi_label")), "getis_ord"),
        (lambda f: hotspots.emerging_map(f), r"not a table.*not result\.areas"),
        (
            lambda f: hotspots.emerging_map(synthetic_emerging(f.drop(columns="emerging_label"))),
            "emerging_hotspots",
        ),
        (lambda f: hotspots.emerging_map(relabelled(synthetic_emerging(f))), "value 'Hot'"),
        (lambda f: hotspots.hotspot_map(synthetic_emerging(f)), "emerging_map and combined_map"),
        (lambda f: hotspots.change_map(f.drop(columns="change_label")), "period_change"),
        (lambda f: hotspots.change_map(f.assign(change_label="Up")), "value 'Up'"),
        (lambda f: hotspots.choropleth_map(f, "nope"), "no column 'nope'"),
        (lambda f: hotspots.choropleth_map(f, "name"), "not numeric"),
        (lambda f: hotspots.cluster_map(f.assign(lisa_label="HH")), "value 'HH'"),
        (lambda f: hotspots.cluster_map(f.set_crs(None, allow_override=True)), "no CRS"),
        (lambda f: hotspots.cluster_map(pd.DataFrame(f)), "GeoDataFrame"),
        (lambda f: hotspots.combined_map(f, f.iloc[:-1]), "different areas"),
        (lambda f: hotspots.combined_map(f[["geometry"]]), "no result has a column"),
        (lambda f: hotspots.combined_map(), "at least one result"),
    ],
    ids=[
        "palette",
        "top",
        "no-lisa",
        "no-gi",
        "emerging-table",
        "no-emerging",
        "unknown-period-category",
        "emerging-to-hotspot-map",
        "no-change",
        "unknown-change",
        "no-column",
        "text-column",
        "unknown-category",
        "no-crs",
        "not-geo",
        "mismatched-areas",
        "nothing-to-map",
        "no-results",
    ],
)
def test_bad_input(synthetic, call, match):
    with pytest.raises(hotspots.InputError, match=match):
        call(synthetic)


# ------------------------------------------------------------------ size


def test_all_lsoas_in_one_combined_map_stay_under_10_mb(tmp_path):
    lsoa = boundaries.load("lsoa")
    rng = np.random.default_rng(1)
    n = len(lsoa)
    synthetic = lsoa.assign(  # SYNTHETIC values: only the size matters here
        count=rng.poisson(30, n).astype(float),
        population=1500.0,
        lisa_label=rng.choice(LISA, n),
        lisa_i=rng.normal(size=n),
        lisa_p_sim=rng.uniform(size=n),
        gi_label=rng.choice(GI, n),
        gi_z=rng.normal(size=n),
        gi_p=rng.uniform(size=n),
        emerging_label=rng.choice(list(EMERGING_CATEGORIES), n),
        count_before=rng.poisson(15, n).astype(float),
        count_after=rng.poisson(15, n).astype(float),
        change_p=rng.uniform(size=n),
        change_label=rng.choice(CHANGE, n),
    )
    synthetic["rate"] = synthetic["count"] / 1.5
    synthetic["change"] = synthetic["count_after"] - synthetic["count_before"]
    synthetic["percent_change"] = 100 * synthetic["change"] / synthetic["count_before"]
    months = pd.period_range("2023-05", periods=26, freq="M")  # as issue 7's benchmark
    path = tmp_path / "lsoa.html"
    hotspots.combined_map(synthetic, synthetic_emerging(synthetic, months)).save(path)
    size = path.stat().st_size
    print(f"combined map of {n} LSOAs, six layers, 26 periods: {size / 1e6:.2f} MB")
    assert n == 4994
    assert size < 10e6
    html = path.read_text(encoding="utf-8")
    assert len(area_data(html)) == 4994
    assert len(layer_specs(html)["periods"]["periods"]) == 26


# ------------------------------------------------------------------ real data


@pytest.fixture(scope="module")
def real_counts(wards):
    crimes = hotspots.read_met_crime(hotspots.sample_path("mps-ward-crime"))
    return hotspots.aggregate(crimes, wards, crime_types="Burglary")


def test_real_burglary_rate_map(real_counts):
    html = render(hotspots.choropleth_map(real_counts))
    assert "Burglary" in html and "Metropolitan Police Service" in html
    top = real_counts["rate"].dropna().sort_values(ascending=False).index[:10].tolist()
    assert re.findall(r'<li data-code="(\w+)"', html) == top
    # the Met does not police the City: no data, not a low rate
    assert area_data(html)[CITY]["properties"]["choropleth"][0] == "No data"
    assert len(area_data(html)) == 680


def test_real_statistics_on_real_counts(real_counts, tmp_path):
    lisa = hotspots.local_moran(real_counts, "rate", permutations=99, seed=1)
    gi = hotspots.getis_ord(real_counts, "rate", permutations=99, seed=1)
    m = hotspots.combined_map(real_counts, lisa, gi, title="Burglary, Met wards")
    html = render(m)
    assert set(layer_specs(html)) == {"choropleth", "lisa", "lisa_significance", "gi"}
    data = area_data(html)
    # at alpha 0.05 a cluster is exactly an area whose corrected p is in a p <= class
    for code in real_counts.index:
        cluster, significance = (
            data[code]["properties"][k][0] for k in ("lisa", "lisa_significance")
        )
        if cluster in ("No data", "No neighbours"):
            assert significance == cluster
        else:
            assert (cluster != "Not significant") == (significance in SIGNIFICANCE[:3]), code
    for code in real_counts.index:
        assert data[code]["properties"]["lisa"][0] == (
            "No data" if pd.isna(lisa.loc[code, "lisa_label"]) else lisa.loc[code, "lisa_label"]
        )
        assert data[code]["properties"]["gi"][0] == gi.loc[code, "gi_label"]
    hot = gi[gi["gi_label"].str.startswith("Hot spot")].sort_values("gi_z", ascending=False)
    gi_card = html[re.search(r'class="hs-card [\w-]+" data-hs-layer="gi"', html).start() :]
    assert re.findall(r'<li data-code="(\w+)"', gi_card)[:10] == hot.index[:10].tolist()
    assert "<tr><th>Permutations</th><td>99</td></tr>" in html


@pytest.fixture(scope="module")
def real_cube(wards):
    crimes = hotspots.read_met_crime(hotspots.sample_path("mps-ward-crime"))
    monthly = hotspots.aggregate_monthly(crimes, wards, crime_types="Burglary")
    return hotspots.space_time_cube(monthly)


def test_real_emerging_patterns(wards, real_cube):
    result = hotspots.emerging_hotspots(wards, real_cube, permutations=99, seed=1)
    with pytest.raises(hotspots.InputError, match=r"not result\.areas"):
        hotspots.emerging_map(result.areas)
    html = render(hotspots.emerging_map(result, top=5))
    data = area_data(html)
    areas = result.areas
    for code, category in areas["emerging_label"].items():
        assert data[code]["properties"]["emerging"][0] == category
    assert data[CITY]["properties"]["emerging"][0] == "No data"
    # strongest pattern first, the steepest upward trend first within a pattern
    hot = areas[areas["emerging_label"].str.endswith("hot spot")]
    strength = hot["emerging_label"].map({c: i for i, c in enumerate(EMERGING_CATEGORIES)})
    expected = (
        hot.assign(strength=strength, minus_z=-hot["trend_z"], tie=hot.index)
        .sort_values(["strength", "minus_z", "tie"])
        .index[:5]
        .tolist()
    )
    assert re.findall(r'<li data-code="(\w+)"', card(html, "emerging")) == expected
    # the period view: every ward-month of the long table, the City "No data" throughout
    spec = layer_specs(html)["periods"]
    assert spec["periods"] == [str(p) for p in real_cube.columns]
    labels = result.periods["gi_label"].unstack("period")
    for code in wards.index:
        shown = [spec["categories"][ord(c) - 48] for c in data[code]["properties"]["periods"]["c"]]
        assert shown == labels.loc[code].tolist()
    no_data = chr(48 + spec["categories"].index("No data"))
    assert set(data[CITY]["properties"]["periods"]["c"]) == {no_data}
    counts = result.periods["count"].unstack("period").loc[wards.index[0]].tolist()
    shown = data[wards.index[0]]["properties"]["periods"]["n"].split(",")
    assert [float(v) for v in shown] == counts
    assert "<tr><th>Permutations</th><td>99</td></tr>" in card_left(html, "periods")


def card_left(html: str, key: str) -> str:
    """The provenance panel of layer `key`."""
    start = re.search(rf'<div class="[\w-]+-layer" data-hs-layer="{key}"', html).start()
    return html[start : html.index("</details>", start)]


def test_real_change_map(wards, real_cube):
    change = hotspots.period_change(wards, real_cube, test="exact")
    html = render(hotspots.change_map(change))
    data = area_data(html)
    styles = layer_specs(html)["change"]["styles"]
    for code, label in change["change_label"].items():
        assert data[code]["properties"]["change"][0] == label
    assert styles[data[CITY]["properties"]["change"][0]]["fillColor"] == f"url(#{HATCH_ID})"
    rising = change[change["change_label"] == "Significant increase"]
    expected = rising.sort_values("change", ascending=False).index[:10].tolist()
    assert expected  # the sample has some
    assert re.findall(r'<li data-code="(\w+)"', html)[: len(expected)] == expected
    assert "<tr><th>Before</th><td>2023-07 to 2024-06</td></tr>" in html
    assert "Metropolitan Police Service" in html
    counts = {c: int(n.replace(",", "")) for c, _, n in legend_rows(html)}
    assert counts == change["change_label"].value_counts().to_dict()


def test_real_change_map_relative_to_trend(wards, real_cube):
    change = hotspots.period_change(wards, real_cube)  # default: relative to the trend
    html = render(hotspots.change_map(change))
    styles = layer_specs(html)["change"]["styles"]
    assert styles["Significantly above trend"]["fillColor"] == "#ca0020"
    assert styles["In line with trend"]["fillColor"] == "#f7f7f2"
    code = change.index[change["change_label"] != "No data"][0]
    rows = tooltip(html, "change", code)
    row = change.loc[code]
    assert rows["95% interval"] == (
        f"{row['percent_change_low']:+,.1f}% to {row['percent_change_high']:+,.1f}%"
    )
    assert "<tr><th>After</th><td>2024-07 to 2025-06</td></tr>" in html
    assert "<tr><th>Relative to</th><td>the trend of all the areas" in html


# ------------------------------------------------- classes, page head, basemap, columns


def _jenks_brute_force(values: np.ndarray, classes: int) -> float:
    """Least within-class squared deviation over every way to cut sorted `values`."""
    import itertools

    ordered = np.sort(values)
    best = np.inf
    for cuts in itertools.combinations(range(1, len(ordered)), classes - 1):
        parts = np.split(ordered, cuts)
        best = min(best, sum(((p - p.mean()) ** 2).sum() for p in parts))
    return best


@pytest.mark.parametrize("seed", [1, 2, 3], ids=["seed1", "seed2", "seed3"])
def test_natural_breaks_are_optimal(seed):
    values = np.random.default_rng(seed).lognormal(0, 1, 14) + 0.001  # synthetic, not integer
    edges = class_breaks(values, 4, "natural_breaks")
    index = np.searchsorted(edges[1:-1], values, side="left")
    ssd = sum(((values[index == k] - values[index == k].mean()) ** 2).sum() for k in range(4))
    assert ssd == pytest.approx(_jenks_brute_force(values, 4), rel=1e-12)


@pytest.mark.parametrize(
    ("values", "scheme", "edges", "labels"),
    [
        pytest.param(
            [0.0, 1, 2, 3, 10], "equal_interval", [0, 2, 4, 6, 8, 10],
            ("0 to 2", "3 to 4", "5 to 6", "7 to 8", "9 to 10"), id="integer-equal",
        ),
        pytest.param(
            [0.1, 0.2, 0.25, 0.9], [0.2, 0.5], [0.1, 0.2, 0.5, 0.9],
            ("0.1 to 0.2", "over 0.2 to 0.5", "over 0.5 to 0.9"), id="user-breaks",
        ),
        pytest.param(
            [0.0, 0, 0, 5, 9], "quantile", [0, 2, 5, 9], ("0 to 2", "3 to 5", "6 to 9"),
            id="integer-ties",
        ),
        pytest.param(
            [1.04, 1.06, 1.08, 1.1], "equal_interval", [1.04, 1.052, 1.064, 1.076, 1.088, 1.1],
            ("1.04 to 1.05", "over 1.05 to 1.06", "over 1.06 to 1.08",
             "over 1.08 to 1.09", "over 1.09 to 1.10"),
            id="decimals-to-tell-apart",
        ),
    ],
)  # fmt: skip
def test_class_schemes_and_honest_labels(values, scheme, edges, labels):
    got = class_breaks(np.array(values, dtype=float), 5, scheme)
    assert got.tolist() == pytest.approx(edges)
    assert class_labels(got) == labels
    # no label ends where the next one starts
    ends = [label.split(" to ")[-1] for label in labels]
    starts = [label.removeprefix("over ").split(" to ")[0] for label in labels]
    assert all(e != s for e, s in zip(ends[:-1], starts[1:], strict=True)) or any(
        s.startswith("over") for s in labels[1:]
    )


def test_integer_counts_get_no_empty_class(synthetic):
    html = render(hotspots.choropleth_map(synthetic, "count", classes="natural_breaks"))
    rows = legend_rows(html)
    assert all(int(n) > 0 for c, _, n in rows if c != "No data")
    assert all(re.fullmatch(r"\d+( to \d+)?", c) for c, _, _ in rows if c != "No data")


@pytest.mark.parametrize(
    ("classes", "match"),
    [("jenks", "unknown classification"), ([3, 2], "increasing"), ([1, 2, 3, 4, 5, 6], "at most")],
    ids=["unknown", "not-increasing", "too-many"],
)
def test_bad_classes(synthetic, classes, match):
    with pytest.raises(hotspots.InputError, match=match):
        hotspots.choropleth_map(synthetic, "count", classes=classes)


def test_page_head_title_lang_viewport(synthetic):
    html = render(hotspots.cluster_map(synthetic, title="A <b>title</b>"))
    assert html.startswith('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">')
    assert "<title>A &lt;b&gt;title&lt;/b&gt;</title>" in html
    assert "user-scalable=no" not in html and "maximum-scale" not in html
    assert "Crown copyright" in page_config(html)["attribution"]
    assert "Open Government Licence" in page_config(html)["attribution"]


def test_custom_tile_url_needs_attribution(synthetic):
    url = "https://tiles.example.invalid/{z}/{x}/{y}.png"
    with pytest.raises(hotspots.InputError, match="attribution"):
        hotspots.hotspot_map(synthetic, basemap=url)
    html = render(hotspots.hotspot_map(synthetic, basemap=url, attribution="Example tiles"))
    assert "tiles.example.invalid" in html and "Example tiles" in html
    with pytest.raises(hotspots.InputError, match="unknown basemap"):
        hotspots.hotspot_map(synthetic, basemap="No Such Provider")


def test_gi_top_list_prints_the_deciding_p(synthetic):
    frame = synthetic.assign(gi_p_sim=0.5)  # a pseudo p that must not be printed in the list
    html = render(hotspots.hotspot_map(frame, top=3))
    details = re.findall(r'data-detail="([^"]*)"', html)
    assert details and all("p = 0.500" not in d for d in details)
    assert all("crimes" in d for d in details)


def test_emerging_legend_lists_only_patterns_present(synthetic):
    frame = synthetic.assign(emerging_label="No pattern detected")
    frame.loc[frame.index[:5], "emerging_label"] = "New hot spot"
    html = render(hotspots.combined_map(frame))
    block = card(html, "emerging")
    assert [c for c, _, _ in legend_rows(block)] == ["New hot spot", "No pattern detected"]
    assert "No area in: Persistent hot spot" in block


def test_rate_labels_name_their_denominator(wards):
    """A rate per 1,000 young residents is never labelled "per 1,000 residents"."""
    crime = hotspots.read_met_crime(hotspots.sample_path("mps-ward-crime"))
    young = boundaries.population("wards", ages=(10, 24))
    counts = hotspots.aggregate(crime, wards, crime_types="robbery", population=young)
    html = render(hotspots.choropleth_map(counts))
    assert "Rate per 1,000 residents aged 10 to 24" in html
    assert "Rate per 1,000 residents<" not in html and "Rate per 1,000 residents," not in html


# ------------------------------------------------- LISA significance and the PNG view

SIGNIFICANCE = list(LISA_SIGNIFICANCE_CATEGORIES)


@pytest.mark.parametrize(
    ("p", "expected"),
    [
        (0.0, "p \u2264 0.001"),
        (0.001, "p \u2264 0.001"),  # a class includes its level (GeoDa: p <= level)
        (np.nextafter(0.001, 1), "p \u2264 0.01"),
        (0.01, "p \u2264 0.01"),
        (np.nextafter(0.01, 1), "p \u2264 0.05"),
        (0.05, "p \u2264 0.05"),
        (np.nextafter(0.05, 1), "p > 0.05"),
        (1.0, "p > 0.05"),
        (np.nan, "No data"),
    ],
    ids=["zero", "0.001", "above-0.001", "0.01", "above-0.01", "0.05", "above-0.05", "one", "nan"],
)
def test_significance_classes_at_the_edges(p, expected):
    assert significance_classes(np.array([p]))[0] == expected


@pytest.fixture(scope="module")
def significance(synthetic):
    """SYNTHETIC corrected p-values (uniform on 0 to 0.1) beside the synthetic LISA labels."""
    rng = np.random.default_rng(11)
    frame = synthetic.assign(lisa_p_adjusted=rng.uniform(0, 0.1, len(synthetic)))
    frame.loc[CITY, "lisa_p_adjusted"] = np.nan
    frame.loc[frame.index[0], "lisa_label"] = "No neighbours"
    return frame


def test_cluster_map_adds_the_significance_layer(significance):
    html = render(hotspots.cluster_map(significance))
    specs = layer_specs(html)
    assert list(specs) == ["lisa", "lisa_significance"]
    styles = specs["lisa_significance"]["styles"]
    greens = ["#037406", "#06c40b", "#4bff50"]  # GeoDa's, darkest the strongest
    assert [styles[c]["fillColor"] for c in SIGNIFICANCE[:3]] == greens
    assert (
        styles[SIGNIFICANCE[3]]["fillColor"]
        == specs["lisa"]["styles"]["Not significant"]["fillColor"]
    )
    expected = significance_classes(significance["lisa_p_adjusted"].to_numpy())
    data = area_data(html)
    for code, want in zip(significance.index[1:], expected[1:], strict=True):
        assert data[code]["properties"]["lisa_significance"][0] == want
    first = significance.index[0]
    assert data[first]["properties"]["lisa_significance"][0] == "No neighbours"
    assert data[CITY]["properties"]["lisa_significance"][0] == "No data"
    # the legend says which p it classes: the corrected one, and the correction
    assert (
        "Corrected p-value of the LISA label: lisa_p_adjusted, "
        "correction: false discovery rate (Benjamini-Hochberg)" in html
    )
    rows = tooltip(html, "lisa_significance", significance.index[5])
    assert rows["Corrected p-value (decides the label)"] != ""


def test_no_significance_layer_without_the_corrected_p(synthetic):
    assert list(layer_specs(render(hotspots.cluster_map(synthetic)))) == ["lisa"]


def test_combined_map_stacks_significance_after_clusters(significance):
    keys = list(layer_specs(render(hotspots.combined_map(significance))))
    assert keys.index("lisa_significance") == keys.index("lisa") + 1


def test_every_layer_card_saves_its_view(synthetic_html):
    keys = [spec["key"] for spec in page_config(synthetic_html)["layers"]]
    buttons = re.findall(
        r'<button type="button" class="hs-png" data-hs-png="([^"]+)"', synthetic_html
    )
    assert buttons == keys


# ------------------------------------------- geometry encoding (all areas at once)


def _decode_polyline(text: str) -> list[tuple[float, float]]:
    """Google's encoded-polyline algorithm read back, one character at a time (reference)."""
    points, lat, lon, i = [], 0, 0, 0
    while i < len(text):
        deltas = []
        for _ in range(2):
            shift = result = 0
            while True:
                byte = ord(text[i]) - 63
                i += 1
                result |= (byte & 0x1F) << shift
                shift += 5
                if byte < 0x20:
                    break
            deltas.append(~(result >> 1) if result & 1 else result >> 1)
        lat, lon = lat + deltas[0], lon + deltas[1]
        points.append((lon / 1e5, lat / 1e5))
    return points


_SQUARE = [(0.1, 51.5), (0.2, 51.5), (0.2, 51.6), (0.1, 51.6), (0.1, 51.5)]
_HOLE = [(0.12, 51.52), (0.13, 51.52), (0.13, 51.53), (0.12, 51.52)]
_FAR = [(-0.5, 51.3), (-0.4, 51.3), (-0.45, 51.35), (-0.5, 51.3)]


@pytest.mark.parametrize(
    "geometries",
    [
        pytest.param(["polygon"], id="polygon"),
        pytest.param(["holed", "multi", "polygon"], id="hole-multipolygon-polygon"),
    ],
)
def test_areas_encoded_at_once_decode_to_their_rings(geometries):
    from shapely.geometry import MultiPolygon, Polygon

    from hotspots.maps._draw import _collection, _encoded

    made = {
        "polygon": Polygon(_FAR),
        "holed": Polygon(_SQUARE, [_HOLE]),
        "multi": MultiPolygon([Polygon(_SQUARE, [_HOLE]), Polygon(_FAR)]),
    }
    shapes = np.array([made[g] for g in geometries], dtype=object)
    for geometry, polygons in zip(shapes, _encoded(shapes), strict=True):
        parts = list(getattr(geometry, "geoms", [geometry]))
        assert len(polygons) == len(parts)
        for part, rings in zip(parts, polygons, strict=True):
            expected = [part.exterior, *part.interiors]
            assert len(rings) == len(expected)
            for ring, text in zip(expected, rings, strict=True):
                np.testing.assert_allclose(_decode_polyline(text), ring.coords, atol=1e-9)
    # the outlines' GeoJSON is shapely's own mapping of each geometry
    from shapely.geometry import mapping

    features = _collection(shapes)["features"]
    assert json.dumps([f["geometry"] for f in features]) == json.dumps([mapping(g) for g in shapes])


@pytest.mark.parametrize("fmt", ["format_number", "format_rate"], ids=str)
def test_each_number_written_as_alone(fmt):
    """Numbers are formatted once per distinct value, as each would be on its own."""
    from hotspots.maps import _style
    from hotspots.maps._layers import _number

    values = pd.Series([0.0, -0.0, np.nan, 1.25, 1.25, -3.0, 1e6, 0.0], index=list("abcdefgh"))
    written = _number(values, values.index, getattr(_style, fmt))
    assert written.tolist() == [getattr(_style, fmt)(v) for v in values.to_numpy()]
    assert written.index.equals(values.index)


@pytest.mark.parametrize("size", [1000, 500], ids=["grid-1000m", "grid-500m"])
def test_outline_of_grid_cells_is_london(size):
    """Grid cells' shared edges differ in the last digits: their union is still one outline.

    Before the fix the coverage union raised at 1 km and returned strips at
    500 m (90 strips, each drawn as a black line across the map); the reference is the London
    outline the cells are clipped to.
    """
    from hotspots.maps._draw import _union

    cells = boundaries.grid(size)
    london = boundaries.outline().to_crs(cells.crs).geometry.union_all()
    union = _union(cells.geometry)
    assert union.geom_type == "Polygon"
    assert union.symmetric_difference(london).area < 1e-6 * london.area
    # the map of the cells is written (it raised at 1 km) with that one outline
    html = hotspots.combined_map(cells.assign(count=1.0), column="count").get_root().render()
    start = html.index('"london":') + len('"london":')
    outline = json.JSONDecoder().raw_decode(html[start:])[0]
    assert [f["geometry"]["type"] for f in outline["features"]] == ["Polygon"]
