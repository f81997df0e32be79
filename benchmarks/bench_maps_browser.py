"""Paint and layer-switch times of an LSOA map in headless Chromium, beside ``explore()``.

The map: all 4,994 London LSOAs with six layers (burglary rate classes, LISA,
Gi*, emerging patterns, Gi* period by period with a 26-month slider, change
between the last two years), from the real police.uk Met burglary counts in
``tests/data/spacetime`` (99 permutations: the timing is of the map, not the
statistics). The same areas and columns are drawn with
``GeoDataFrame.explore()`` (one folium GeoJson per column, added to one map
with a layer control, Leaflet inlined so that it paints offline as ours does).

Measured in /usr/bin/chromium (headless, network blocked, 1440x900): file
size, time from navigation to the areas painted (load event plus two
animation frames; median of ``REPEAT`` fresh loads with the cache cleared),
time to switch to each other layer (click to two frames later, median over
the layers) and, for ours, one slider step. Run from the repository root::

    python benchmarks/bench_maps_browser.py

The numbers go in docs/performance.md ("Maps").
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

import boundaries
import hotspots
from hotspots.maps._offline import make_offline

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
import test_maps_browser  # noqa: E402
from test_maps_browser import Browser, _chromium  # noqa: E402

# exact heap sizes (Chromium rounds performance.memory otherwise)
test_maps_browser.FLAGS.append("--enable-precise-memory-info")

REPEAT = 3
DATA = ROOT / "tests" / "data" / "spacetime"

PAINTED = "new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(1))))"
SWITCH_OURS = """new Promise(r => {{ const t0 = performance.now();
  [...document.querySelectorAll('.hs-switch input')][{i}].click();
  requestAnimationFrame(() => requestAnimationFrame(() => r(performance.now() - t0))); }})"""
SWITCH_EXPLORE = """new Promise(r => {{ const boxes =
  [...document.querySelectorAll('.leaflet-control-layers-overlays input')];
  const t0 = performance.now();
  boxes.forEach((b, j) => {{ if (b.checked !== (j === {i})) b.click(); }});
  requestAnimationFrame(() => requestAnimationFrame(() => r(performance.now() - t0))); }})"""
STEP = """new Promise(r => { const s = document.querySelector('input[data-hs-slider]');
  const t0 = performance.now(); s.value = String(Number(s.value) - 1);
  s.dispatchEvent(new Event('input'));
  requestAnimationFrame(() => requestAnimationFrame(() => r(performance.now() - t0))); })"""


def build(folder: Path) -> tuple[Path, Path, int]:
    lsoas = boundaries.load("lsoa")
    cube = pd.read_csv(DATA / "lsoa_burglary_monthly.csv", index_col="code")
    cube.columns = pd.PeriodIndex(cube.columns, freq="M", name="month")
    last12 = cube.iloc[:, -12:].sum(axis=1, min_count=1)
    counts = lsoas.assign(count=last12.reindex(lsoas.index).fillna(0.0))
    counts["population"] = boundaries.population("lsoa").reindex(lsoas.index)
    counts["rate"] = counts["count"] / counts["population"] * 1000
    counts.attrs["hotspots"] = {"period": f"{cube.columns[-12]} to {cube.columns[-1]}"}
    lisa = hotspots.local_moran(counts, "count", permutations=99, seed=1)
    gi = hotspots.getis_ord(counts, "count", permutations=99, seed=1)
    emerging = hotspots.emerging_hotspots(lsoas, cube, permutations=99, seed=1)
    change = hotspots.period_change(lsoas, cube)
    ours = folder / "ours.html"
    hotspots.combined_map(counts, lisa, gi, emerging, change, title="Burglary").save(ours)
    frame = counts.assign(
        lisa_label=lisa["lisa_label"],
        gi_label=gi["gi_label"],
        emerging_label=emerging.areas["emerging_label"],
        change_label=change["change_label"],
        last_month=emerging.periods["gi_label"].unstack("period").iloc[:, -1],
    )
    columns = ["rate", "lisa_label", "gi_label", "emerging_label", "last_month", "change_label"]
    m = None
    for column in columns:
        kind = {"scheme": "quantiles", "k": 5} if column == "rate" else {"categorical": True}
        try:
            m = frame.explore(column=column, m=m, name=column, show=m is None, **kind)
        except ImportError:  # mapclassify missing: no classes for the rate
            m = frame.explore(column=column, m=m, name=column, show=m is None)
    import folium

    folium.LayerControl(collapsed=False).add_to(m)
    make_offline(m)
    explore = folder / "explore.html"
    m.save(explore)
    return ours, explore, cube.shape[1]


def measure(browser: Browser, path: Path, switch: str, layers: int) -> dict:
    loads = []
    for _ in range(REPEAT):
        browser.call("Network.clearBrowserCache")
        start = time.perf_counter()
        browser.open(path)
        browser.evaluate(PAINTED)
        loads.append(time.perf_counter() - start)
    switches = [browser.evaluate(switch.format(i=i)) for i in (*range(1, layers), 0)]
    heap = browser.evaluate("performance.memory.usedJSHeapSize / 1e6")
    return {
        "size_mb": path.stat().st_size / 1e6,
        "paint_s": statistics.median(loads),
        "switch_ms": statistics.median(switches),
        "switch_max_ms": max(switches),
        "heap_mb": heap,
    }


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        ours, explore, months = build(folder)
        browser = Browser(_chromium(), folder / "profile")
        try:
            browser.call(
                "Emulation.setDeviceMetricsOverride",
                width=1440,
                height=900,
                deviceScaleFactor=1,
                mobile=False,
            )
            results = {
                "hotspots.combined_map": measure(browser, ours, SWITCH_OURS, 6),
                "GeoDataFrame.explore": measure(browser, explore, SWITCH_EXPLORE, 6),
            }
            browser.open(ours)
            browser.evaluate("document.querySelectorAll('.hs-switch input')[4].click() || 1")
            steps = [browser.evaluate(STEP) for _ in range(5)]
            results["hotspots.combined_map"]["slider_step_ms"] = statistics.median(steps)
            problems = browser.problems()
        finally:
            browser.close()
    print(f"4,994 LSOAs, six layers, {months}-month slider; median of {REPEAT} loads")
    print(f"{'map':<24}{'size MB':>9}{'paint s':>9}{'switch ms':>11}{'max ms':>8}{'heap MB':>9}")
    for name, r in results.items():
        print(
            f"{name:<24}{r['size_mb']:>9.2f}{r['paint_s']:>9.2f}{r['switch_ms']:>11.0f}"
            f"{r['switch_max_ms']:>8.0f}{r['heap_mb']:>9.0f}"
        )
    print(f"slider step (ours): {results['hotspots.combined_map']['slider_step_ms']:.0f} ms")
    print("browser problems:", [p[:120] for p in problems][:5])


if __name__ == "__main__":
    main()
