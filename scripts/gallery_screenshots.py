"""Screenshots of a real map for docs/gallery.md: desktop, phone and a printed page.

Builds the burglary map of the shipped Met ward sample (rates, LISA, Gi*,
emerging patterns, Gi* month by month, change) and photographs it in headless
Chromium (/usr/bin/chromium, network blocked) at 1440x900, at 390x844 (a
phone, panels folded, then with the key opened) and as an A4 landscape page
with print styles. Pillow, when installed, reduces the PNGs to 256 colours to
keep them small. Run from the repository root::

    python scripts/gallery_screenshots.py
"""

from __future__ import annotations

import base64
import sys
import tempfile
from pathlib import Path

import boundaries
import hotspots

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "_static"
sys.path.insert(0, str(ROOT / "tests"))
from test_maps_browser import Browser, _chromium  # noqa: E402


def build(path: Path) -> None:
    wards = boundaries.load("wards")
    crimes = hotspots.read_met_crime(hotspots.sample_path("mps-ward-crime"))
    monthly = hotspots.aggregate_monthly(crimes, wards, crime_types="Burglary")
    cube = hotspots.space_time_cube(monthly)
    last12 = hotspots.aggregate(
        crimes[crimes["month"] >= cube.columns[-12]], wards, crime_types="Burglary"
    )
    lisa = hotspots.local_moran(last12, "rate", permutations=999, seed=1)
    gi = hotspots.getis_ord(last12, "count", permutations=999, seed=1)
    emerging = hotspots.emerging_hotspots(wards, cube, permutations=99, seed=1)
    change = hotspots.period_change(wards, cube)
    m = hotspots.combined_map(
        last12, lisa, gi, emerging, change, title="Burglary in London wards (Met sample)"
    )
    m.save(path)


def shot(browser: Browser, name: str) -> None:
    data = base64.b64decode(browser.call("Page.captureScreenshot", format="png")["data"])
    target = OUT / f"gallery-{name}.png"
    target.write_bytes(data)
    try:
        from PIL import Image
    except ImportError:
        return
    with Image.open(target) as image:
        image.convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT).save(
            target, optimize=True
        )


def viewport(browser: Browser, width: int, height: int, mobile: bool = False) -> None:
    browser.call(
        "Emulation.setDeviceMetricsOverride",
        width=width,
        height=height,
        deviceScaleFactor=1,
        mobile=mobile,
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "burglary.html"
        build(path)
        browser = Browser(_chromium(), Path(tmp) / "profile")
        try:
            viewport(browser, 1440, 900)
            browser.open(path)
            shot(browser, "desktop-rate")
            browser.evaluate("document.querySelector('.hs-switch input[value=gi]').click() || 1")
            browser.evaluate(
                "document.querySelector('.hs-card:not([hidden]) li[data-code] button').click() || 1"
            )
            shot(browser, "desktop-gi-selected")
            browser.open(path)
            browser.evaluate(
                "document.querySelector('.hs-switch input[value=emerging]').click() || 1"
            )
            shot(browser, "desktop-emerging")
            viewport(browser, 390, 844, mobile=True)
            browser.open(path)
            shot(browser, "phone")
            browser.evaluate(
                "document.querySelector('.leaflet-right details[data-hs-fold]').open = true"
            )
            shot(browser, "phone-key")
            viewport(browser, 1123, 794)
            browser.open(path)
            browser.call("Emulation.setEmulatedMedia", media="print")
            browser.evaluate("Object.values(hotspotsMaps.pages)[0].refit() || 1")
            shot(browser, "print")
            assert browser.problems() == [], browser.problems()
        finally:
            browser.close()
    for png in sorted(OUT.glob("gallery-*.png")):
        print(png.relative_to(ROOT), f"{png.stat().st_size / 1e3:.0f} kB")


if __name__ == "__main__":
    main()
