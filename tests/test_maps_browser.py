"""Saved maps opened in a real headless Chromium with the network cut off.

Chromium is driven over the Chrome DevTools Protocol (a websocket, through
the small ``websocket-client`` package). Every request the page makes is
recorded: only ``file:`` and ``data:`` URLs may appear. Any console error,
uncaught exception or JavaScript dialog fails the test.

The browser is /usr/bin/chromium (Debian's ``chromium`` package) or the path
in ``HOTSPOTS_CHROMIUM``. Without it these tests fail when ``CI`` is set and
are skipped, with a message saying so, on a developer machine.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest

import boundaries
import hotspots

pytestmark = pytest.mark.browser

try:
    import websocket
except ImportError:  # reported by the browser fixture: a failure on CI, a skip elsewhere
    websocket = None

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    # no network: every host name fails to resolve and any proxy use goes nowhere
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--proxy-server=127.0.0.1:9",
    "--window-size=1400,900",
    "--remote-debugging-port=0",
]


def _missing(message: str) -> None:
    """Fail on CI (where the browser tests must run), skip saying why elsewhere."""
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message + " (skipped because CI is not set)")


def _chromium() -> str:
    if websocket is None:
        _missing("the browser tests need websocket-client (pip install websocket-client)")
    path = os.environ.get("HOTSPOTS_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        _missing(
            f"Chromium not found at {path}: install Debian's 'chromium' package "
            "(apt-get install chromium) or set HOTSPOTS_CHROMIUM"
        )
    return path


class Browser:
    """A headless Chromium and one page, spoken to over the DevTools Protocol."""

    def __init__(self, executable: str, profile: Path) -> None:
        self.process = subprocess.Popen(
            [executable, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not port_file.exists() or not port_file.read_text().strip():
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.close()
                raise RuntimeError("Chromium did not start its DevTools endpoint")
            time.sleep(0.1)
        port = port_file.read_text().split()[0]
        # talk to 127.0.0.1 directly, whatever proxy the environment names
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(f"http://127.0.0.1:{port}/json/list", timeout=10) as response:
            targets = json.load(response)
        page = next(t for t in targets if t["type"] == "page")
        self.socket = websocket.create_connection(
            page["webSocketDebuggerUrl"], timeout=60, suppress_origin=True
        )
        self.ids = itertools.count(1)
        self.events: list[dict] = []
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable")

    def call(self, method: str, **params: object) -> dict:
        """Send one command and return its result (events met meanwhile are kept)."""
        ident = next(self.ids)
        self.socket.send(json.dumps({"id": ident, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == ident:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message["result"]
            if "method" in message:
                self.events.append(message)

    def wait_for(self, event: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not any(e["method"] == event for e in self.events):
            if time.monotonic() > deadline:
                raise TimeoutError(event)
            message = json.loads(self.socket.recv())
            if "method" in message:
                self.events.append(message)

    def evaluate(self, expression: str) -> object:
        result = self.call(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def open(self, path: Path) -> None:
        self.events = []
        # a fresh query each time: opening the same URL again must load the page again
        self.call("Page.navigate", url=f"{path.as_uri()}?load={next(self.ids)}")
        self.wait_for("Page.loadEventFired")
        # Leaflet draws synchronously in the page script; give layout one frame
        self.evaluate("new Promise(r => requestAnimationFrame(() => r(1)))")

    def hover(self, x: float, y: float) -> None:
        """Move the mouse onto (x, y) from a pixel away, as a hand would."""
        for dx in (1, 0):
            self.call("Input.dispatchMouseEvent", type="mouseMoved", x=x - dx, y=y - dx)

    def click(self, x: float, y: float) -> None:
        for kind in ("mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left", clickCount=1)

    def problems(self) -> list[str]:
        """Console errors, uncaught exceptions, dialogs and non-local requests so far."""
        found = []
        for event in self.events:
            method, params = event["method"], event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params["type"] in ("error", "assert"):
                found.append(f"console.{params['type']}: {params['args']}")
            elif method == "Runtime.exceptionThrown":
                found.append(f"exception: {params['exceptionDetails']}")
            elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                found.append(f"log: {params['entry'].get('text')} {params['entry'].get('url')}")
            elif method == "Page.javascriptDialogOpening":
                found.append(f"dialog: {params.get('message')}")
            elif method == "Network.requestWillBeSent":
                url = params["request"]["url"]
                if not url.startswith(("file:", "data:")):
                    found.append(f"network request: {url}")
        return found

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.socket.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture(scope="module")
def browser():
    executable = _chromium()
    with tempfile.TemporaryDirectory(prefix="hotspots-chromium-") as profile:
        chromium = Browser(executable, Path(profile))
        try:
            yield chromium
        finally:
            chromium.close()


# the page's own handle: areas are drawn on a canvas, so they are counted through it
PAGE = "Object.values(hotspotsMaps.pages)[0]"
AREA_PATHS = f"{PAGE}.areas.getLayers().length"

# a point inside some area: the centre of an area whose centre point hits that same area
FIND_POINT = f"""
(() => {{
  const page = {PAGE}, map = page.map;
  for (const shape of page.areas.getLayers()) {{
    const c = map.latLngToContainerPoint(shape.getCenter());
    const box = map.getContainer().getBoundingClientRect();
    const x = box.left + c.x, y = box.top + c.y;
    const size = map.latLngToContainerPoint(shape.getBounds().getNorthEast())
      .subtract(map.latLngToContainerPoint(shape.getBounds().getSouthWest()));
    const hit = document.elementFromPoint(x, y);
    if (Math.abs(size.x) > 8 && hit && hit.tagName === "CANVAS") {{
      const found = [];
      page.areas.eachLayer(l => {{ if (l._containsPoint && l._containsPoint(c)) found.push(l); }});
      if (found.length === 1 && found[0] === shape) return [x, y];
    }}
  }}
  return null;
}})()
"""

RNG_SEED = 20240601


def _synthetic_results(layer: str):
    """Synthetic (random, clearly not real) results on a shipped layer, City as no data."""
    areas = boundaries.load(layer)
    rng = np.random.default_rng(RNG_SEED)
    n = len(areas)
    frame = areas.assign(
        count=rng.poisson(40, n).astype(float),
        population=rng.integers(1000, 3000, n).astype(float),
        lisa_label=rng.choice(
            ["High-High", "High-Low", "Low-High", "Low-Low", "Not significant"],
            n,
            p=[0.1, 0.05, 0.05, 0.1, 0.7],
        ),
        lisa_i=rng.normal(0, 1, n),
        lisa_p_sim=rng.uniform(0, 0.3, n),
        gi_z=rng.normal(0, 2, n),
    )
    frame["rate"] = frame["count"] / frame["population"] * 1000
    frame["gi_label"] = np.select(
        [frame.gi_z > 2.58, frame.gi_z > 1.96, frame.gi_z < -1.96],
        ["Hot spot (99%)", "Hot spot (95%)", "Cold spot (95%)"],
        "Not significant",
    )
    city = frame["borough_code"] == "E09000001"
    frame.loc[city, ["count", "rate", "lisa_i", "lisa_p_sim", "gi_z"]] = np.nan
    frame.loc[city, ["lisa_label", "gi_label"]] = "No data"
    frame["covered"] = ~city
    frame.attrs["hotspots"] = {"source": "SYNTHETIC random values (browser test)", "seed": 1}
    return frame


@pytest.fixture(scope="module")
def lsoa_map(tmp_path_factory):
    frame = _synthetic_results("lsoa")
    path = tmp_path_factory.mktemp("maps") / "lsoa.html"
    hotspots.combined_map(frame, title="Synthetic LSOA results").save(path)
    return frame, path


def test_lsoa_combined_map_renders_offline(browser, lsoa_map):
    frame, path = lsoa_map
    assert path.stat().st_size < 4e6
    browser.open(path)
    assert browser.evaluate(AREA_PATHS) == len(frame) == 4994
    # drawn on one canvas: no SVG path per area; the outlines pane holds the 33 boroughs
    assert browser.evaluate("document.querySelectorAll('.leaflet-overlay-pane path').length") == 0
    assert browser.evaluate("document.querySelectorAll('path.hs-borough').length") == 33
    assert browser.evaluate("document.querySelectorAll('path.hs-london').length") == 1
    assert browser.evaluate("document.querySelectorAll('.hs-legend:not([hidden])').length") >= 1
    visible = "(s) => [...document.querySelectorAll(s)].filter(e => e.offsetParent).length"
    for selector in (".hs-title", ".hs-legend", ".hs-top", ".hs-provenance"):
        assert browser.evaluate(f"({visible})('{selector}')") == 1, selector
    no_data = browser.evaluate(
        f"{PAGE}.areas.getLayers().filter(l => l.options.fillColor instanceof CanvasPattern).length"
    )
    assert no_data == int((~frame["covered"]).sum())
    assert browser.problems() == []


def test_tooltip_appears_on_hover(browser, lsoa_map):
    _, path = lsoa_map
    browser.open(path)
    x, y = browser.evaluate(FIND_POINT)
    browser.hover(x, y)
    text = browser.evaluate(
        "(document.querySelector('.leaflet-tooltip') || {textContent: ''}).textContent"
    )
    for label in ("Code", "Borough", "Rate per 1,000 residents", "Rank"):
        assert label in text
    # the area's name heads the tooltip; no label appears twice
    name = browser.evaluate("document.querySelector('.leaflet-tooltip .hs-tiptitle').textContent")
    assert text.startswith(name) and text.count("Rate per 1,000 residents") == 1
    assert browser.problems() == []


def test_switching_layer_switches_legend(browser, lsoa_map):
    _, path = lsoa_map
    browser.open(path)
    legend = "document.querySelector('.hs-legend:not([hidden]) .hs-h')"
    title = (
        "[...document.querySelectorAll('.hs-legend')]"
        ".filter(e => e.offsetParent).map(e => e.querySelector('.hs-h').textContent)"
    )
    assert browser.evaluate(legend) is not None
    assert browser.evaluate(title) == ["Rate per 1,000 residents"]
    box = browser.evaluate(
        "(() => { const l = [...document.querySelectorAll('.hs-switch label')]"
        ".find(e => e.textContent.includes('Getis-Ord'));"
        " const b = l.getBoundingClientRect(); return [b.left + 8, b.top + b.height / 2]; })()"
    )
    browser.click(*box)
    assert browser.evaluate(title) == ["Hot and cold spots (Getis-Ord Gi*)"]
    assert browser.evaluate(AREA_PATHS) == 4994
    fills = browser.evaluate(
        f"[...new Set({PAGE}.areas.getLayers().map(l => l.options.fillColor))]"
    )
    assert "#b2182b" in fills  # Hot spot (99%)
    assert browser.problems() == []


def test_hostile_names_stay_text(browser, tmp_path):
    wards = boundaries.load("wards")
    hostile = [
        "<script>alert(1)</script>",
        '<img src=x onerror="window.hacked=1">',
        "\"quotes' & {{ 7*7 }}",
    ]
    frame = wards.assign(lisa_label="Not significant")
    codes = list(frame.index[:3])
    frame.loc[codes, "name"] = hostile
    frame.loc[codes, "lisa_label"] = "High-High"
    path = tmp_path / "hostile.html"
    hotspots.cluster_map(frame, title='<img src=y onerror="window.hacked=2">').save(path)
    browser.open(path)
    assert browser.evaluate("document.querySelector('.hs-title').textContent") == (
        '<img src=y onerror="window.hacked=2">'
    )
    listed = browser.evaluate(
        "[...document.querySelectorAll('.hs-top li b')].map(b => b.textContent)"
    )
    assert sorted(listed) == sorted(hostile)
    # hover each hostile area through its entry in the top list (click zooms and opens it)
    for i in range(3):
        box = browser.evaluate(
            f"(() => {{ const b = document.querySelectorAll('.hs-top li button')[{i}]"
            ".getBoundingClientRect(); return [b.left + 10, b.top + b.height / 2]; })()"
        )
        browser.click(*box)
        # Leaflet fades a closed tooltip out for 200 ms before removing it
        browser.evaluate("new Promise(r => setTimeout(r, 400))")
        texts = browser.evaluate(
            "[...document.querySelectorAll('.leaflet-tooltip')].map(e => e.textContent)"
        )
        assert len(texts) == 1
        assert listed[i] in texts[0]
    assert browser.evaluate("window.hacked === undefined")
    assert browser.evaluate("document.querySelectorAll('img[src=x], img[src=y]').length") == 0
    assert browser.problems() == []


@pytest.fixture(scope="module")
def ward_burglary():
    """Real Met ward burglary, monthly (the shipped sample), with its emerging result."""
    wards = boundaries.load("wards")
    crimes = hotspots.read_met_crime(hotspots.sample_path("mps-ward-crime"))
    monthly = hotspots.aggregate_monthly(crimes, wards, crime_types="Burglary")
    cube = hotspots.space_time_cube(monthly)
    return (
        wards,
        cube,
        hotspots.emerging_hotspots(wards, cube, permutations=0, seed=1, inference="analytical"),
    )


def _click_layer(browser: Browser, text: str) -> None:
    box = browser.evaluate(
        "(() => { const l = [...document.querySelectorAll('.hs-switch label')]"
        f".find(e => e.textContent.includes({json.dumps(text)}));"
        " const b = l.getBoundingClientRect(); return [b.left + 8, b.top + b.height / 2]; })()"
    )
    browser.click(*box)


FILLS = f"{PAGE}.fills()"
SLIDER = "document.querySelector('.hs-card:not([hidden]) input[data-hs-slider]')"


def test_emerging_period_slider_changes_the_map(browser, ward_burglary, tmp_path):
    wards, cube, result = ward_burglary
    path = tmp_path / "emerging.html"
    hotspots.emerging_map(result, title="Emerging burglary hot spots").save(path)
    browser.open(path)
    assert browser.evaluate(AREA_PATHS) == len(wards)
    assert browser.evaluate(SLIDER) is None  # the slider shows with the period layer only
    _click_layer(browser, "period by period")
    assert browser.evaluate(AREA_PATHS) == len(wards)
    periods = [str(p) for p in cube.columns]
    assert browser.evaluate(f"{SLIDER}.value") == str(len(periods) - 1)
    shown = "document.querySelector('.hs-card:not([hidden]) .hs-period').textContent"
    assert browser.evaluate(shown) == periods[-1]
    labels = result.periods["gi_label"].unstack("period")
    styles = {c: s["fillColor"] for c, s in _styles(path).items()}

    def expected_fills(t: int) -> list[str]:
        # Leaflet draws the features in the order of the page's GeoJSON: the order of the areas
        return [styles[label] for label in labels.loc[result.areas.index].iloc[:, t]]

    assert browser.evaluate(FILLS) == expected_fills(-1)
    legend = (
        "Object.fromEntries([...document.querySelectorAll('.hs-card:not([hidden]) li')]"
        ".map(li => [li.dataset.category, li.querySelector('.hs-n').textContent]))"
    )
    # move the slider with the keyboard, as a user would: Home goes to the first period
    browser.evaluate(f"{SLIDER}.focus()")
    for kind in ("rawKeyDown", "keyUp"):
        browser.call(
            "Input.dispatchKeyEvent", type=kind, key="Home", code="Home", windowsVirtualKeyCode=36
        )
    assert browser.evaluate(f"{SLIDER}.value") == "0"
    assert browser.evaluate(shown) == periods[0]
    assert browser.evaluate(FILLS) == expected_fills(0)
    assert expected_fills(0) != expected_fills(-1)
    first = labels.iloc[:, 0].value_counts()
    counts = browser.evaluate(legend)
    assert {c: n for c, n in counts.items() if n != "(0)"} == {
        c: f"({n:,})" for c, n in first.items()
    }
    # the tooltip speaks of the period on the slider
    x, y = browser.evaluate(FIND_POINT)
    browser.hover(x, y)
    text = browser.evaluate(
        "(document.querySelector('.leaflet-tooltip') || {textContent: ''}).textContent"
    )
    assert (
        f"Period{periods[0]}" in text and "Gi* z-score" in text and "Crimes in the period" in text
    )
    assert browser.problems() == []


def test_change_map_renders_offline(browser, ward_burglary, tmp_path):
    wards, cube, _ = ward_burglary
    change = hotspots.period_change(wards, cube, test="exact")
    path = tmp_path / "change.html"
    hotspots.change_map(change, title="Burglary: last 12 months against the 12 before").save(path)
    browser.open(path)
    assert browser.evaluate(AREA_PATHS) == len(wards)
    styles = _styles(path)
    fills = browser.evaluate(FILLS)
    assert fills == [styles[label]["fillColor"] for label in change["change_label"]]
    assert browser.evaluate(
        "document.querySelectorAll('.hs-top')[0].querySelectorAll('li').length"
    ) == min(10, int((change["change_label"] == "Significant increase").sum()))
    assert browser.problems() == []


def _styles(path: Path) -> dict[str, dict]:
    """The category styles of the (last) thematic layer written in a saved page."""
    html = path.read_text(encoding="utf-8")
    start = html.rindex('"styles":') + len('"styles":')
    return json.JSONDecoder().raw_decode(html, start)[0]


# ------------------------------------------------- screens, paper, keyboard, speed


@pytest.fixture(scope="module")
def ward_map(tmp_path_factory):
    frame = _synthetic_results("wards")
    path = tmp_path_factory.mktemp("maps") / "wards.html"
    hotspots.combined_map(frame, title="Synthetic ward results").save(path)
    return frame, path


def _viewport(browser: Browser, width: int, height: int, *, mobile: bool = False) -> None:
    browser.call(
        "Emulation.setDeviceMetricsOverride",
        width=width,
        height=height,
        deviceScaleFactor=1,
        mobile=mobile,
    )
    browser.call("Emulation.setTouchEmulationEnabled", enabled=mobile)


@pytest.fixture
def desktop(browser):
    _viewport(browser, 1440, 900)
    yield browser
    browser.call("Emulation.clearDeviceMetricsOverride")
    browser.call("Emulation.setEmulatedMedia", media="")


# share of a grid of points over the viewport where the map itself (not a panel) is seen
MAP_SHARE = """
(() => {
  const w = innerWidth, h = innerHeight; let map = 0, all = 0;
  for (let x = 5; x < w; x += 10) for (let y = 5; y < h; y += 10) {
    const e = document.elementFromPoint(x, y); all++;
    if (e && (e.tagName === "CANVAS" || e.classList.contains("leaflet-container"))) map++;
  }
  return map / all;
})()
"""
# fraction of London's outline box inside the viewport
LONDON_IN_VIEW = """
(() => {
  const b = document.querySelector("path.hs-london").getBoundingClientRect();
  const x = Math.max(0, Math.min(b.right, innerWidth) - Math.max(b.left, 0));
  const y = Math.max(0, Math.min(b.bottom, innerHeight) - Math.max(b.top, 0));
  return x * y / (b.width * b.height);
})()
"""


@pytest.mark.parametrize("which", ["wards", "lsoa"])
def test_phone_shows_the_map_first(browser, ward_map, lsoa_map, which):
    _, path = ward_map if which == "wards" else lsoa_map
    _viewport(browser, 390, 844, mobile=True)
    try:
        browser.open(path)
        share = browser.evaluate(MAP_SHARE)
        assert share > 0.85, share  # the first build left 28-49 %
        assert browser.evaluate(LONDON_IN_VIEW) > 0.99
        # panels are folded, and open on a tap
        folded = "[...document.querySelectorAll('details[data-hs-fold]')].filter(d => d.open)"
        assert browser.evaluate(f"{folded}.length") == 0
        # the title is not covered by the right-hand panel
        overlap = browser.evaluate(
            "(() => { const t = document.querySelector('.hs-title').getBoundingClientRect();"
            " const r = [...document.querySelectorAll('.leaflet-right .hs-card')]"
            ".find(e => e.offsetParent).getBoundingClientRect();"
            " return r.top < t.bottom && r.left < t.right; })()"
        )
        assert overlap is False
        # page zoom (pinch) is allowed
        viewport = browser.evaluate("document.querySelector('meta[name=viewport]').content")
        assert "user-scalable=no" not in viewport and "maximum-scale" not in viewport
        assert browser.problems() == []
    finally:
        browser.call("Emulation.clearDeviceMetricsOverride")
        browser.call("Emulation.setTouchEmulationEnabled", enabled=False)


def test_print_fits_london_and_hides_controls(desktop, ward_map):
    _, path = ward_map
    desktop.open(path)
    pdf = desktop.call("Page.printToPDF", landscape=True, printBackground=True)
    data = base64.b64decode(pdf["data"])
    assert (
        data.startswith(b"%PDF")
        and data.count(b"/Type /Page\n") + data.count(b"/Type /Page>") + data.count(b"/Type /Page/")
        <= 1
    ) or data.count(b"/Type /Page") - data.count(b"/Type /Pages") == 1
    # the page as printed: A4 landscape at 96 dpi, print styles on
    _viewport(desktop, 1123, 794)
    desktop.call("Emulation.setEmulatedMedia", media="print")
    desktop.evaluate(f"{PAGE}.refit()")
    hidden = (
        "(s) => [...document.querySelectorAll(s)]"
        ".every(e => getComputedStyle(e).display === 'none')"
    )
    for selector in (".leaflet-control-zoom", ".hs-controls", ".leaflet-bottom .hs-corner"):
        assert desktop.evaluate(f"({hidden})('{selector}')"), selector
    assert desktop.evaluate(LONDON_IN_VIEW) > 0.99
    # London fills the page beside the key (the first build cropped it)
    width = desktop.evaluate(
        "document.querySelector('path.hs-london').getBoundingClientRect().width"
    )
    assert width > 0.5 * 1123
    # the "No data" key keeps its hatch on paper
    adjust = desktop.evaluate(
        "getComputedStyle(document.querySelector('.hs-swatch')).printColorAdjust"
    )
    assert adjust == "exact"
    assert desktop.problems() == []


def _press_tab(browser: Browser) -> None:
    for kind in ("rawKeyDown", "keyUp"):
        browser.call(
            "Input.dispatchKeyEvent", type=kind, key="Tab", code="Tab", windowsVirtualKeyCode=9
        )


@pytest.mark.parametrize("which", ["wards", "lsoa"])
def test_keyboard_reaches_the_layer_switcher_at_once(desktop, ward_map, lsoa_map, which):
    _, path = ward_map if which == "wards" else lsoa_map
    desktop.open(path)
    assert desktop.evaluate("document.documentElement.lang") == "en"
    assert desktop.evaluate("document.title") == desktop.evaluate(
        "document.querySelector('.hs-title').textContent"
    )
    assert desktop.evaluate("document.querySelector('.leaflet-container').getAttribute('role')")
    assert "Map:" in desktop.evaluate(
        "document.querySelector('.leaflet-container').getAttribute('aria-label')"
    )
    presses = 0
    while desktop.evaluate("document.activeElement.type") != "radio":
        _press_tab(desktop)
        presses += 1
        assert presses <= 10  # the first build needed 683 (wards) and 4,997 (LSOAs)
    # a visible focus ring
    outline = desktop.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    # every top-list entry is a button
    assert desktop.evaluate(
        "[...document.querySelectorAll('.hs-top li')].every(li => li.querySelector('button'))"
    )
    assert desktop.problems() == []


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_not_significant_stands_out_from_the_background(desktop, ward_map):
    _, path = ward_map
    desktop.open(path)
    _click_layer(desktop, "Getis-Ord")
    background = desktop.evaluate(
        "getComputedStyle(document.querySelector('.leaflet-container')).backgroundColor"
    )
    rgb = [int(v) for v in background[background.index("(") + 1 : -1].split(",")[:3]]
    background = "#" + "".join(f"{v:02x}" for v in rgb)
    styles = desktop.evaluate(f"{PAGE}.state.active.styles")
    ns = styles["Not significant"]
    alpha = ns["fillOpacity"]
    blended = "#" + "".join(
        f"{round(alpha * int(ns['fillColor'][i : i + 2], 16) + (1 - alpha) * v):02x}"
        for i, v in zip((1, 3, 5), rgb, strict=True)
    )
    assert _contrast(blended, background) > 1.25  # the first build: 1.025
    # the palest significant classes stand apart from "Not significant"
    for category in ("Hot spot (90%)", "Cold spot (90%)"):
        assert _contrast(styles[category]["fillColor"], ns["fillColor"]) > 1.5, category
    # London's outline is drawn above every layer
    assert desktop.evaluate("document.querySelectorAll('path.hs-london').length") == 1
    assert desktop.problems() == []


def test_top_list_click_highlights_and_search_finds(desktop, ward_map):
    frame, path = ward_map
    desktop.open(path)
    desktop.evaluate("document.querySelector('.hs-top li button').click()")
    assert desktop.evaluate(f"{PAGE}.map.getZoom()") > 12
    assert desktop.evaluate("document.querySelectorAll('path.hs-selected').length") == 2
    # a hover elsewhere replaces the pinned tooltip: never two at once
    x, y = desktop.evaluate(FIND_POINT)
    desktop.hover(x, y)
    desktop.evaluate("new Promise(r => setTimeout(r, 400))")
    assert desktop.evaluate("document.querySelectorAll('.leaflet-tooltip').length") == 1
    code = frame.index[100]
    desktop.evaluate(
        "(() => { const f = document.querySelector('form[data-hs-search]');"
        f" f.querySelector('input').value = {json.dumps(code)};"
        " f.requestSubmit(); })()"
    )
    said = desktop.evaluate("document.querySelector('form[data-hs-search] output').textContent")
    assert code in said and frame.loc[code, "name"] in said
    assert desktop.problems() == []


def test_legend_isolates_opacity_dims_and_csv_saves(desktop, ward_map):
    frame, path = ward_map
    desktop.open(path)
    _click_layer(desktop, "LISA")
    desktop.evaluate(
        "document.querySelector('.hs-card:not([hidden]) button[data-hs-isolate=\"High-High\"]')"
        ".click()"
    )
    opacity = desktop.evaluate(
        f"{PAGE}.areas.getLayers().map(l => [l.feature.properties.lisa[0], l.options.fillOpacity])"
    )
    kept = {round(o, 3) for c, o in opacity if c == "High-High"}
    dimmed = {round(o, 3) for c, o in opacity if c != "High-High"}
    assert max(dimmed) < 0.2 < min(kept)
    desktop.evaluate(
        "(() => { const r = document.querySelector('input[data-hs-opacity]');"
        " r.value = '0.5'; r.dispatchEvent(new Event('input')); })()"
    )
    opacity = desktop.evaluate(f"{PAGE}.areas.getLayers()[0].options.fillOpacity")
    assert opacity <= 0.5
    # the CSV of the top list, caught as it is handed to the browser
    text = desktop.evaluate(
        "new Promise(r => { URL.createObjectURL = b => { b.text().then(r); return 'blob:x'; };"
        " HTMLAnchorElement.prototype.click = () => {};"
        " document.querySelector('.hs-card:not([hidden]) button[data-hs-csv]').click(); })"
    )
    lines = text.strip().split("\r\n")
    assert lines[0] == "rank,code,name,borough,detail"
    high = frame[frame["lisa_label"] == "High-High"]
    assert len(lines) == 1 + min(10, len(high))
    assert all(line.split(",")[1] in high.index for line in lines[1:])
    assert desktop.problems() == []


def test_attribution_and_layer_switch_time(desktop, lsoa_map):
    _, path = lsoa_map
    desktop.open(path)
    attribution = desktop.evaluate(
        "document.querySelector('.leaflet-control-attribution').textContent"
    )
    assert "Crown copyright" in attribution and "Open Government Licence" in attribution
    # measured, asserted only loosely here (targets and numbers: docs/performance.md)
    elapsed = desktop.evaluate(
        "new Promise(r => { const t0 = performance.now();"
        " [...document.querySelectorAll('.hs-switch input')][2].click();"
        " requestAnimationFrame(() => requestAnimationFrame(() => r(performance.now() - t0))); })"
    )
    assert elapsed < 5000
    assert desktop.problems() == []


# the last "Save view as PNG", decoded: its type, size, first bytes, image size and how many
# pixels are green (the significance classes) or dark (the caption's text, below the map)
PNG_SAVED = f"""
(async () => {{
  const page = {PAGE}, blob = await page.png, size = page.map.getSize();
  const head = [...new Uint8Array(await blob.slice(0, 8).arrayBuffer())];
  const image = await createImageBitmap(blob);
  const c = document.createElement("canvas");
  c.width = image.width; c.height = image.height;
  const ctx = c.getContext("2d");
  ctx.drawImage(image, 0, 0);
  const d = ctx.getImageData(0, 0, c.width, c.height).data;
  let green = 0, dark = 0;
  for (let i = 0; i < d.length; i += 4) {{
    if (d[i + 1] > d[i] + 60 && d[i + 1] > d[i + 2] + 60) green++;
    if (i / 4 / c.width > size.y * devicePixelRatio && d[i] + d[i + 1] + d[i + 2] < 150) dark++;
  }}
  return {{type: blob.type, bytes: blob.size, head, width: image.width, height: image.height,
    mapWidth: size.x * devicePixelRatio, mapHeight: size.y * devicePixelRatio, green, dark}};
}})()
"""


def test_significance_layer_and_png_of_the_view(desktop, tmp_path):
    frame = _synthetic_results("wards")
    rng = np.random.default_rng(RNG_SEED)
    frame["lisa_p_adjusted"] = np.where(frame["covered"], rng.uniform(0, 0.1, len(frame)), np.nan)
    path = tmp_path / "significance.html"
    hotspots.cluster_map(frame, title="Synthetic LISA significance").save(path)
    desktop.open(path)
    _click_layer(desktop, "LISA significance")
    titles = desktop.evaluate(
        "[...document.querySelectorAll('.hs-legend')]"
        ".filter(e => e.offsetParent).map(e => e.querySelector('.hs-h').textContent)"
    )
    assert len(titles) == 1 and "lisa_p_adjusted" in titles[0]
    assert "#037406" in desktop.evaluate(f"{PAGE}.fills()")  # GeoDa's p <= 0.001 green
    # by keyboard: the button takes focus and Enter saves (the download itself caught)
    desktop.evaluate(
        "HTMLAnchorElement.prototype.click = () => {};"
        " document.querySelector('.hs-card:not([hidden]) button[data-hs-png]').focus()"
    )
    assert desktop.evaluate("document.activeElement.textContent") == "Save view as PNG"
    for kind in ("keyDown", "keyUp"):
        desktop.call(
            "Input.dispatchKeyEvent",
            type=kind,
            key="Enter",
            code="Enter",
            windowsVirtualKeyCode=13,
            **({"text": "\r"} if kind == "keyDown" else {}),
        )
    saved = desktop.evaluate(PNG_SAVED)
    assert saved["type"] == "image/png"
    assert saved["head"] == [137, 80, 78, 71, 13, 10, 26, 10]  # the PNG signature
    assert saved["bytes"] > 20_000  # a drawn map, not an empty image
    assert saved["width"] == saved["mapWidth"]
    assert saved["height"] > saved["mapHeight"] + 20  # the caption below the map
    assert saved["green"] > 0.02 * saved["width"] * saved["mapHeight"]
    assert saved["dark"] > 200  # the caption's title and licence text
    assert desktop.problems() == []
