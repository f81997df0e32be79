"""The dashboard page in a real headless Chromium with the network cut off.

Switches crime type and level, clicks an area, reads its chart and change figures and
checks them against the library's own tables. Reuses the DevTools driver of
test_maps_browser.py (same browser, same rules: no console error, no request that is
not file: or data:).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import test_maps_browser
from test_maps_browser import Browser

import boundaries
import hotspots

pytestmark = pytest.mark.browser
browser = test_maps_browser.browser  # the maps tests' Chromium fixture, shared

TYPES = ["Possession of weapons", "Robbery"]
HEATHROW = "E05013570"  # Heathrow Villages ward: the Met's "Aviation Security (SO18)"
AREA_PATHS = "document.querySelectorAll('.leaflet-overlay-pane path.leaflet-interactive').length"


# a point inside an area drawn by the dashboard's Leaflet SVG layer, at the area's centre
FIND_POINT = """
(() => {
  const paths = document.querySelectorAll('.leaflet-overlay-pane path.leaflet-interactive');
  for (const path of paths) {
    const box = path.getBoundingClientRect();
    const x = box.left + box.width / 2, y = box.top + box.height / 2;
    if (box.width > 4 && document.elementFromPoint(x, y) === path) { return [x, y]; }
  }
  return null;
})()
"""


@pytest.fixture(scope="module")
def crime():
    return hotspots.read_met_crime(hotspots.sample_path("mps-ward-crime"))


@pytest.fixture(scope="module")
def page(tmp_path_factory, crime) -> Path:
    path = tmp_path_factory.mktemp("dashboard") / "dashboard.html"
    hotspots.dashboard_page(crime, TYPES, out=path, permutations=0, title="Test dashboard")
    return path


@pytest.fixture(scope="module")
def tables(crime):
    """The library's own tables, per crime type and level, and London: one change_rollup.

    Heathrow Villages ward (the Met's "Aviation Security (SO18)") is left out of the roll-up.
    """
    wards = boundaries.load("wards")
    kept = wards.drop(index=[HEATHROW])
    boroughs = boundaries.load("boroughs")
    result = {}
    for name in TYPES:
        cube = hotspots.aggregate_monthly(crime, wards, crime_types=name)
        rollup = hotspots.change_rollup(kept, cube.reindex(kept.index))
        result[(name, "wards")] = (cube, rollup.areas.reindex(wards.index))
        summed = cube.drop(index=[HEATHROW]).groupby(wards["borough_code"]).sum(min_count=1)
        summed = summed.reindex(boroughs.index)
        summed.loc["E09000001"] = np.nan
        result[(name, "boroughs")] = (summed, rollup.boroughs.reindex(boroughs.index))
        result[(name, "london")] = rollup.london.iloc[0]
    return result


def _choose(browser: Browser, select: str, value: str) -> None:
    browser.evaluate(
        f"(() => {{ const s = document.getElementById({json.dumps(select)});"
        f" s.value = {json.dumps(value)}; s.dispatchEvent(new Event('change')); }})()"
    )


def _shown(browser: Browser) -> dict:
    """What the panel shows for the selected area: name, chart series and figures."""
    return browser.evaluate(
        """(() => {
          const figures = {};
          for (const dd of document.querySelectorAll('#figures dd')) {
            figures[dd.dataset.figure] = dd.textContent;
          }
          const line = document.querySelector('#chart path.area-line');
          return {
            name: document.getElementById('detail-name').textContent,
            series: line ? JSON.parse(line.dataset.values) : null,
            lines: document.querySelectorAll('#chart path').length,
            figures,
          };
        })()"""
    )


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def _check_against(shown: dict, code: str, cube, change) -> None:
    expected = [None if np.isnan(v) else v for v in cube.loc[code].to_numpy()]
    assert shown["series"] == expected
    assert _number(shown["figures"]["after"]) == change.loc[code, "count_after"]
    assert _number(shown["figures"]["before"]) == change.loc[code, "count_before"]
    assert shown["figures"]["change"].startswith(change.loc[code, "change_label"])
    assert "relative to London's trend" in shown["figures"]["change"]
    percent = change.loc[code, "percent_change"]
    if np.isfinite(percent):
        assert f"{percent:+.1f}%" in shown["figures"]["percent"]
    low, high = change.loc[code, ["percent_change_low", "percent_change_high"]]
    if np.isfinite(low) and np.isfinite(high):
        assert f"interval {_pct(low)} to {_pct(high)}" in shown["figures"]["percent"]


def _pct(value: float) -> str:
    """As the page writes a percentage (JavaScript toFixed(1), "+" when positive)."""
    value = round(float(value), 1)
    return f"{value:+.1f}%" if value > 0 else f"{value:.1f}%"


def test_opens_offline_and_draws_every_ward(browser, page, tables):
    browser.open(page)
    assert browser.evaluate("document.documentElement.dataset.ready") == "1"
    assert browser.evaluate(AREA_PATHS) == 680
    assert browser.problems() == []
    # London tile: the headline of the first crime type, from the roll-up, with its interval
    tile = browser.evaluate("document.getElementById('tile-london').textContent")
    london = tables[("Possession of weapons", "london")]
    assert "Possession of weapons" in tile
    assert f"{int(london['count_after']):,}" in tile and f"{int(london['count_before']):,}" in tile
    low, high = _pct(london["percent_change_low"]), _pct(london["percent_change_high"])
    assert f"{_pct(london['percent_change'])} (interval {low} to {high})" in tile
    assert london["change_label"] + " (against no change)" in tile
    howto = browser.evaluate("document.getElementById('howto-text').textContent")
    assert "relative to London's trend" in howto and "interval" in howto
    assert "Aviation Security (SO18)" in howto and "PAI" in howto
    # the hot-spot evaluation under the at-risk list: the figures' text (checked against
    # evaluate_hotspots in test_dashboard.py)
    assert browser.evaluate("document.getElementById('evaluation').hidden") is False
    text = browser.evaluate("document.getElementById('evaluation-text').textContent")
    data = "JSON.parse(document.getElementById('dashboard-data').textContent)"
    assert text == browser.evaluate(f"{data}.figures.t0.wards.evaluation.text")
    assert text.startswith("Last year's ") and "hot-spot wards" in text and "PAI" in text


def test_click_a_ward_then_switch_type_and_level(browser, page, tables):
    browser.open(page)
    point = browser.evaluate(FIND_POINT)
    assert point is not None
    browser.click(*point)
    index = int(browser.evaluate("document.getElementById('area').value"))
    wards = boundaries.load("wards")
    code = wards.index[index]
    shown = _shown(browser)
    assert shown["name"].startswith(wards.loc[code, "name"])
    assert shown["lines"] == 3  # the ward, its borough's average ward, London's
    _check_against(shown, code, *tables[("Possession of weapons", "wards")])
    borough_tile = browser.evaluate("document.getElementById('tile-borough').textContent")
    assert wards.loc[code, "borough_name"] in borough_tile

    _choose(browser, "type", "t1")  # robbery: same ward, new figures
    _check_against(_shown(browser), code, *tables[("Robbery", "wards")])

    _choose(browser, "level", "boroughs")
    assert browser.evaluate(AREA_PATHS) == 33
    boroughs = boundaries.load("boroughs")
    position = list(boroughs.index).index("E09000033")  # Westminster
    _choose(browser, "area", str(position))
    shown = _shown(browser)
    assert shown["name"] == "Westminster" and shown["lines"] == 2
    _check_against(shown, "E09000033", *tables[("Robbery", "boroughs")])
    assert browser.problems() == []


def test_measures_recolour_the_map_and_legend(browser, page):
    browser.open(page)
    fills = (
        "Array.from(document.querySelectorAll('.leaflet-overlay-pane path.leaflet-interactive'))"
        ".map(p => p.getAttribute('fill'))"
    )
    before = browser.evaluate(fills)
    _choose(browser, "measure", "change")
    after = browser.evaluate(fills)
    assert before != after
    legend = browser.evaluate("document.getElementById('legend').textContent")
    assert "In line with trend" in legend
    assert browser.problems() == []


def test_at_risk_list_and_keyboard(browser, page, tables):
    browser.open(page)
    what = browser.evaluate("document.getElementById('risk-what').textContent")
    assert "latest 12 months" in what and "at least 10" in what
    assert "Not ranked: Heathrow Villages" in what
    # a Hillingdon ward: its borough's tile says Heathrow is not in its totals, as London's
    wards = boundaries.load("wards")
    ward = wards.index.get_loc(wards.index[wards["borough_code"] == "E09000017"][0])
    _choose(browser, "area", str(ward))
    tile = browser.evaluate("document.getElementById('tile-borough').textContent")
    assert "Hillingdon" in tile and "Without Heathrow Villages" in tile
    tile = browser.evaluate("document.getElementById('tile-london').textContent")
    assert "Without Heathrow Villages" in tile
    _choose(browser, "area", "")
    first = browser.evaluate("document.querySelector('#risk-list button').dataset.index")
    change = tables[("Possession of weapons", "wards")][1]
    code = change["count_after"].idxmax()
    assert boundaries.load("wards").index[int(first)] == code
    # keyboard: the skip link, then the crime-type list, each with a name
    for _ in range(2):
        for kind in ("keyDown", "keyUp"):
            browser.call("Input.dispatchKeyEvent", type=kind, key="Tab", code="Tab",
                         windowsVirtualKeyCode=9)  # fmt: skip
    assert browser.evaluate("document.activeElement.id") == "type"
    unnamed = browser.evaluate(
        "Array.from(document.querySelectorAll('select, button'))"
        ".filter(e => !(e.labels && e.labels.length) && !e.textContent.trim()"
        " && !e.getAttribute('aria-label') && !e.title).length"
    )
    assert unnamed == 0
    # press the first at-risk entry with the keyboard: it becomes the selected ward
    browser.evaluate("document.querySelector('#risk-list button').focus()")
    browser.call("Input.dispatchKeyEvent", type="keyDown", key="Enter", code="Enter",
                 windowsVirtualKeyCode=13, text="\r")  # fmt: skip
    browser.call("Input.dispatchKeyEvent", type="keyUp", key="Enter", code="Enter",
                 windowsVirtualKeyCode=13)  # fmt: skip
    _check_against(_shown(browser), code, *tables[("Possession of weapons", "wards")])


def test_phone_shows_map_and_a_panel(browser, page):
    browser.call(
        "Emulation.setDeviceMetricsOverride", width=390, height=844, deviceScaleFactor=1,
        mobile=True,
    )  # fmt: skip
    try:
        browser.open(page)
        boxes = browser.evaluate(
            "[document.getElementById('map').getBoundingClientRect().toJSON(),"
            " document.querySelector('.tiles').getBoundingClientRect().toJSON(),"
            " document.documentElement.scrollWidth]"
        )
        map_box, tiles, width = boxes
        assert width <= 390  # no sideways scrolling
        assert map_box["height"] >= 250 and map_box["bottom"] <= 844
        assert tiles["top"] < 844  # the headline panel starts on the first screen
    finally:
        browser.call("Emulation.clearDeviceMetricsOverride")


def test_page_is_small(page):
    assert page.stat().st_size < 2_500_000  # two crime types, wards and boroughs, 24 months


def test_hostile_names_stay_text(browser, crime, tmp_path):
    """A synthetic category and title with markup: shown as text, never run."""
    hostile = "<img src=x onerror=alert(1)></script><b>SYNTHETIC</b>"
    rows = crime[crime["major_category"] == "ROBBERY"].copy()
    rows["major_category"] = hostile
    rows["minor_category"] = hostile
    rows.attrs = crime.attrs
    path = tmp_path / "hostile.html"
    hotspots.dashboard_page(rows, [hostile], levels=["boroughs"], permutations=0,
                            title=hostile, out=path)  # fmt: skip
    browser.open(path)
    assert browser.problems() == []
    injected = (
        "[...document.querySelectorAll('img, b')]"
        ".filter(e => e.getAttribute('src') === 'x' || e.textContent === 'SYNTHETIC').length"
    )
    assert browser.evaluate(injected) == 0
    assert browser.evaluate("document.getElementById('title').textContent") == hostile
    assert browser.evaluate("document.getElementById('type').options[0].text") == hostile


def test_slots_show_when_filled(browser, crime, tmp_path):
    """Interval, evaluation and repeat figures appear once the adapter fills their slots."""
    from hotspots.dashboard._figures import dashboard_figures
    from hotspots.dashboard._page import render

    figures = dashboard_figures(crime, ["robbery"], levels=["boroughs"], permutations=0)
    level = figures["figures"]["t0"]["boroughs"]
    n = len(level["after"])
    level["interval"] = [[-5.0, 3.5]] * n  # synthetic values, to see them drawn
    level["evaluation"] = {"text": "SYNTHETIC evaluation figure"}
    level["repeats"] = ["SYNTHETIC repeats"] * n
    figures["london"]["t0"]["interval"] = [-2.0, 1.0]
    path = tmp_path / "slots.html"
    path.write_text(render(figures, "Slots"), encoding="utf-8")
    browser.open(path)
    _choose(browser, "area", "5")
    shown = _shown(browser)
    assert "interval -5.0% to +3.5%" in shown["figures"]["percent"]
    assert shown["figures"]["repeats"] == "SYNTHETIC repeats"
    assert browser.evaluate("document.getElementById('evaluation').hidden") is False
    tile = browser.evaluate("document.getElementById('tile-london').textContent")
    assert "interval -2.0% to +1.0%" in tile
    assert browser.problems() == []


def test_police_points_show_repeats_and_say_change_is_not_tested(browser, tmp_path):
    """Three months of shipped police.uk burglary: no change test, repeat figures shown."""
    from hotspots.dashboard._figures import dashboard_figures

    points = hotspots.read_police_uk(hotspots.sample_path("police-uk-burglary"))
    path = tmp_path / "points.html"
    hotspots.dashboard_page(points, ["burglary"], levels=["boroughs"], permutations=0, out=path)
    expected = dashboard_figures(points, ["burglary"], levels=["boroughs"], permutations=0)
    browser.open(path)
    assert browser.problems() == []
    position = list(boundaries.load("boroughs").index).index("E09000033")  # Westminster
    _choose(browser, "area", str(position))
    shown = _shown(browser)
    assert shown["figures"]["change"].startswith("not tested: the data cover 3 months")
    assert shown["figures"]["repeats"] == expected["figures"]["t0"]["boroughs"]["repeats"][position]
    measures = browser.evaluate("[...document.getElementById('measure').options].map(o => o.value)")
    assert "change" not in measures
    tile = browser.evaluate("document.getElementById('tile-london').textContent")
    assert "not tested" in tile and f"{expected['london']['t0']['after']:,}" in tile
    howto = browser.evaluate("document.getElementById('howto-text').textContent")
    assert "Repeat victimisation" in howto and "map point" in howto
