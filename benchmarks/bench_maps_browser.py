"""Paint and layer-switch times of an LSOA map in headless Chromium, beside ``explore()``.

The map: all 4,994 London LSOAs with seven layers (burglary rate classes, LISA
clusters, LISA significance, Gi*, emerging patterns, Gi* period by period with a
26-month slider, change between the last two years), from the real police.uk Met
burglary counts in ``tests/data/spacetime`` (99 permutations: the timing is of
the map, not the statistics). The same areas and six columns (all but LISA
significance) are drawn with ``GeoDataFrame.explore()`` (one folium GeoJson per
column, added to one map with a layer control, Leaflet inlined so that it paints
offline as ours does).

Measured in /usr/bin/chromium (headless, network blocked, 1440x900): file size,
time from navigation to the areas painted (load event plus two animation frames;
median of ``REPEAT`` fresh loads with the cache cleared), time to switch to each
other layer (click to two frames later, median over the layers) and, for ours,
one slider step with the period layer shown. Run from the repository root::

    python benchmarks/bench_maps_browser.py
    python benchmarks/bench_maps_browser.py --grid 250 --screenshots /tmp/shots

``--grid 250`` draws the same kind of map on the 30,077 cells of
``boundaries.grid(250)`` instead (issue #20), ours only (``explore()`` would
repeat the geometry of 30,000 areas six times): counts, LISA, Gi* and emerging
patterns (3-month slider) from the REAL shipped police.uk burglary points
counted per cell and month (``hotspots.sample_path("police-uk-burglary")``,
2024-12 to 2025-02); the change layer needs two windows a year apart, which
three months do not give, so each cell shows the change verdict of the LSOA its
centre lies in (the LSOA change between the last two years of the real counts
above). With ``--screenshots DIR`` one PNG of ours is saved at desktop
(1440x900) and phone (390x844) size.

The numbers go in docs/performance.md ("Maps").
"""

from __future__ import annotations

import argparse
import base64
import statistics
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
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
# show the layer the slider belongs to: a step restyles the map only while it is shown
TO_SLIDER = """(() => { const key =
  document.querySelector('input[data-hs-slider]').getAttribute('data-hs-slider');
  [...document.querySelectorAll('.hs-switch input')].find(r => r.value === key).click();
  return 1; })()"""
STEP = """new Promise(r => { const s = document.querySelector('input[data-hs-slider]');
  const t0 = performance.now(); s.value = String(Number(s.value) - 1);
  s.dispatchEvent(new Event('input'));
  requestAnimationFrame(() => requestAnimationFrame(() => r(performance.now() - t0))); })"""


def _lsoa_cube() -> pd.DataFrame:
    """26 months of real police.uk burglary counts per LSOA."""
    cube = pd.read_csv(DATA / "lsoa_burglary_monthly.csv", index_col="code")
    cube.columns = pd.PeriodIndex(cube.columns, freq="M", name="month")
    return cube


def _lsoa_results() -> tuple:
    """The LSOA case."""
    lsoas = boundaries.load("lsoa")
    cube = _lsoa_cube()
    last12 = cube.iloc[:, -12:].sum(axis=1, min_count=1)
    counts = lsoas.assign(count=last12.reindex(lsoas.index).fillna(0.0))
    counts["population"] = boundaries.population("lsoa").reindex(lsoas.index)
    counts["rate"] = counts["count"] / counts["population"] * 1000
    counts.attrs["hotspots"] = {"period": f"{cube.columns[-12]} to {cube.columns[-1]}"}
    emerging = hotspots.emerging_hotspots(lsoas, cube, permutations=99, seed=1)
    change = hotspots.period_change(lsoas, cube)
    return counts, "rate", emerging, change, cube.shape[1], f"{len(lsoas):,} LSOAs"


def _grid_results(size: float) -> tuple:
    """Cells of ``boundaries.grid(size)``: the real shipped points counted per cell and month."""
    cells = boundaries.grid(size)
    points = hotspots.read_police_uk(hotspots.sample_path("police-uk-burglary"))
    cube = hotspots.aggregate_monthly(points, cells, crime_types="burglary")
    counts = hotspots.aggregate(points, cells, crime_types="burglary")
    emerging = hotspots.emerging_hotspots(cells, cube, permutations=99, seed=1)
    # three months give no year-apart windows: each cell shows its LSOA's change
    lsoa_change = hotspots.period_change(boundaries.load("lsoa"), _lsoa_cube())
    centres = cells.geometry.representative_point().to_crs(lsoa_change.crs)
    lsoas = gpd.GeoDataFrame(
        {"lsoa": lsoa_change.index}, geometry=lsoa_change.geometry.to_numpy(), crs=centres.crs
    )
    inside = gpd.sjoin_nearest(gpd.GeoDataFrame(geometry=centres), lsoas)
    lsoa_of = inside.loc[~inside.index.duplicated(), "lsoa"].reindex(cells.index)
    columns = [c for c in lsoa_change.columns if c != "geometry" and c not in cells.columns]
    change = cells.join(lsoa_change[columns].reindex(lsoa_of.to_numpy()).set_axis(cells.index))
    change.attrs["hotspots"] = {
        **lsoa_change.attrs.get("hotspots", {}),
        "note": "the change of the LSOA each cell's centre lies in",
    }
    return counts, "count", emerging, change, cube.shape[1], f"{len(cells):,} {size:g} m cells"


def build(folder: Path, grid: float | None = None) -> tuple[Path, Path | None, int, str]:
    results = _grid_results(grid) if grid else _lsoa_results()
    counts, column, emerging, change, months, what = results
    lisa = hotspots.local_moran(counts, "count", permutations=99, seed=1)
    gi = hotspots.getis_ord(counts, "count", permutations=99, seed=1)
    ours = folder / "ours.html"
    hotspots.combined_map(counts, lisa, gi, emerging, change, column=column, title="Burglary").save(
        ours
    )
    if grid:  # explore() would repeat 30,000 areas' geometry six times: not measured
        return ours, None, months, what
    frame = counts.assign(
        lisa_label=lisa["lisa_label"],
        gi_label=gi["gi_label"],
        emerging_label=emerging.areas["emerging_label"],
        change_label=change["change_label"],
        last_month=emerging.periods["gi_label"].unstack("period").iloc[:, -1],
    )
    columns = [column, "lisa_label", "gi_label", "emerging_label", "last_month", "change_label"]
    m = None
    for name in columns:
        kind = {"scheme": "quantiles", "k": 5} if name == column else {"categorical": True}
        try:
            m = frame.explore(column=name, m=m, name=name, show=m is None, **kind)
        except ImportError:  # mapclassify missing: no classes for the rate
            m = frame.explore(column=name, m=m, name=name, show=m is None)
    import folium

    folium.LayerControl(collapsed=False).add_to(m)
    make_offline(m)
    explore = folder / "explore.html"
    m.save(explore)
    return ours, explore, months, what


def measure(browser: Browser, path: Path, switch: str, boxes: str) -> dict:
    loads = []
    for _ in range(REPEAT):
        browser.call("Network.clearBrowserCache")
        start = time.perf_counter()
        browser.open(path)
        browser.evaluate(PAINTED)
        loads.append(time.perf_counter() - start)
    layers = browser.evaluate(f"document.querySelectorAll('{boxes}').length")
    switches = [browser.evaluate(switch.format(i=i)) for i in (*range(1, layers), 0)]
    heap = browser.evaluate("performance.memory.usedJSHeapSize / 1e6")
    return {
        "size_mb": path.stat().st_size / 1e6,
        "paint_s": statistics.median(loads),
        "switch_ms": statistics.median(switches),
        "switch_max_ms": max(switches),
        "heap_mb": heap,
        "layers": layers,
        "problems": browser.problems(),
    }


def screenshot(browser: Browser, path: Path, width: int, height: int, png: Path) -> None:
    """Open ``path`` at ``width`` x ``height`` CSS pixels and save what it paints."""
    browser.call(
        "Emulation.setDeviceMetricsOverride",
        width=width,
        height=height,
        deviceScaleFactor=1,
        mobile=width < 600,
    )
    browser.open(path)
    browser.evaluate(PAINTED)
    data = browser.call("Page.captureScreenshot", format="png")["data"]
    png.write_bytes(base64.b64decode(data))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--grid", type=float, help="cell size (m) of boundaries.grid: map cells")
    parser.add_argument("--screenshots", type=Path, help="folder for desktop and phone PNGs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        ours, explore, months, what = build(folder, args.grid)
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
                "hotspots.combined_map": measure(browser, ours, SWITCH_OURS, ".hs-switch input")
            }
            if explore is not None:
                results["GeoDataFrame.explore"] = measure(
                    browser, explore, SWITCH_EXPLORE, ".leaflet-control-layers-overlays input"
                )
            browser.open(ours)
            browser.evaluate(TO_SLIDER)
            steps = [browser.evaluate(STEP) for _ in range(min(5, months - 1))]
            results["hotspots.combined_map"]["slider_step_ms"] = statistics.median(steps)
            problems = browser.problems()
            if args.screenshots:
                args.screenshots.mkdir(parents=True, exist_ok=True)
                stem = f"grid{args.grid:g}" if args.grid else "lsoa"
                for name, width, height in (("desktop", 1440, 900), ("phone", 390, 844)):
                    png = args.screenshots / f"{stem}-{name}.png"
                    screenshot(browser, ours, width, height, png)
                    print("screenshot:", png)
                problems += browser.problems()
        finally:
            browser.close()
    print(f"{what}, {months}-month slider; median of {REPEAT} loads")
    print(
        f"{'map':<24}{'layers':>7}{'size MB':>9}{'paint s':>9}{'switch ms':>11}{'max ms':>8}"
        f"{'heap MB':>9}"
    )
    for name, r in results.items():
        print(
            f"{name:<24}{r['layers']:>7}{r['size_mb']:>9.2f}{r['paint_s']:>9.2f}"
            f"{r['switch_ms']:>11.0f}{r['switch_max_ms']:>8.0f}{r['heap_mb']:>9.0f}"
        )
    print(f"slider step (ours): {results['hotspots.combined_map']['slider_step_ms']:.0f} ms")
    for name, r in results.items():
        print(f"browser problems, {name}:", [p[:120] for p in r["problems"]][:3])
    print("browser problems, slider and screenshots:", [p[:120] for p in problems][:3])


if __name__ == "__main__":
    main()
