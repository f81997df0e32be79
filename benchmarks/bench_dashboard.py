"""The dashboard: command time, page size, first paint in headless Chromium; docs screenshots.

Run from the repository root::

    python benchmarks/bench_dashboard.py [--screenshots docs/_static]

1. ``hotspots dashboard sample:mps-ward-crime`` with four crime types (possession of
   weapons, robbery, violence with injury, homicide), borough and ward level, 24 months,
   in a fresh process with an empty numba cache (cold): wall clock and CPU seconds.
2. The page's size in bytes (target: at most 5 MB).
3. The page opened in headless Chromium with the network blocked (the DevTools driver of
   ``tests/test_maps_browser.py``): first contentful paint and the moment the page's
   script has drawn the map and panel (``performance`` marks; target: at most 2 s).
4. With ``--screenshots DIR``: ``dashboard-desktop.png`` (1440 px wide) and
   ``dashboard-phone.png`` (390 px), a ward selected, for docs/guide/dashboard.md.
"""

from __future__ import annotations

import argparse
import base64
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
TYPES = ["Possession of weapons", "Robbery", "Violence with injury", "Homicide"]
PAINT = """(() => {
  const paint = performance.getEntriesByName('first-contentful-paint')[0];
  const ready = performance.getEntriesByName('hotspots-dashboard-ready')[0];
  return [paint ? paint.startTime : null, ready ? ready.startTime : null];
})()"""


def build(out: Path) -> tuple[float, float]:
    command = [sys.executable, "-m", "hotspots.cli", "dashboard", "sample:mps-ward-crime",
               "--out", str(out), "--quiet"]  # fmt: skip
    for name in TYPES:
        command += ["--crime-type", name]
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache, "PYTHONPATH": str(ROOT)}
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(command, env=env, check=True)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def open_in_chromium(page: Path, screenshots: Path | None, repeat: int) -> list[tuple]:
    from test_maps_browser import Browser, _chromium

    timings = []
    with tempfile.TemporaryDirectory() as profile:
        browser = Browser(_chromium(), Path(profile))
        try:
            for _ in range(repeat):
                browser.open(page)
                problems = browser.problems()
                if problems:
                    raise RuntimeError(problems)
                timings.append(tuple(browser.evaluate(PAINT)))
            if screenshots is not None:
                for name, width, height, mobile in (("desktop", 1440, 900, False),
                                                    ("phone", 390, 844, True)):  # fmt: skip
                    browser.call("Emulation.setDeviceMetricsOverride", width=width,
                                 height=height, deviceScaleFactor=1, mobile=mobile)  # fmt: skip
                    browser.open(page)
                    browser.evaluate(
                        "(() => { const s = document.getElementById('area');"
                        " s.value = s.options[1 + [...s.options].slice(1).findIndex("
                        "o => o.text.startsWith('Peckham'))].value;"
                        " s.dispatchEvent(new Event('change')); })()"
                    )
                    browser.evaluate("new Promise(r => setTimeout(() => r(1), 300))")
                    scale = 0.6 if name == "desktop" else 1.0  # small files for the docs
                    clip = {"x": 0, "y": 0, "width": width, "height": height, "scale": scale}
                    shot = browser.call("Page.captureScreenshot", format="png", clip=clip)
                    path = screenshots / f"dashboard-{name}.png"
                    path.write_bytes(base64.b64decode(shot["data"]))
                    print(f"wrote {path} ({path.stat().st_size:,} bytes)")
        finally:
            browser.close()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--screenshots", type=Path, metavar="DIR")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / "dashboard.html"
        wall, cpu = build(page)
        print(f"hotspots dashboard, 4 types, wards + boroughs, cold: {wall:.1f} s wall, "
              f"{cpu:.1f} s CPU")  # fmt: skip
        print(f"page size: {page.stat().st_size:,} bytes")
        for paint, ready in open_in_chromium(page, args.screenshots, args.repeat):
            print(f"first contentful paint {paint:.0f} ms, map and panel drawn {ready:.0f} ms")


if __name__ == "__main__":
    main()
