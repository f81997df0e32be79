"""The dashboard's HTML: template, CSS, JavaScript, Leaflet and the figures, all inlined.

The template, CSS and JavaScript are package files (``static/``), read with
:mod:`importlib.resources`; Leaflet comes from the XStatic-Leaflet wheel as for
the maps. The figures are one JSON object in a ``<script type="application/json">``
element, with ``<`` escaped so that no text from the data can end the element.
Every text from the data or the user that goes into HTML is escaped.
"""

from __future__ import annotations

import json
import re
from html import escape
from importlib import resources
from typing import Any

from hotspots._version import __version__
from hotspots._vocabulary import NO_DATA
from hotspots.maps._offline import leaflet_assets
from hotspots.maps._style import _RAMPS, category_scheme

_SLOT = re.compile(r"\{\{(\w+)\}\}")
CROWN = (
    "Contains National Statistics data © Crown copyright and database right {year}. "
    "Contains Ordnance Survey data © Crown copyright and database right {year}. "
    "Contains public sector information licensed under the Open Government Licence v3.0."
)
MET_LICENCE = "Open Government Licence v2.0"
# the shipped boundaries' release year (boundaries/data/manifest.json attributions)
CROWN_YEAR = 2024
ATTRIBUTION_SHORT = "Crime: Metropolitan Police Service (OGL v2.0) · Boundaries: © Crown copyright"


def _static(name: str) -> str:
    return (
        resources.files("hotspots.dashboard").joinpath("static").joinpath(name).read_text("utf-8")
    )


def render(figures: dict[str, Any], title: str) -> str:
    """The whole page as one string."""
    leaflet_css, leaflet_js = leaflet_assets()
    payload = {
        **figures,
        "title": title,
        "initial_level": figures["levels"][-1]["id"],
        "ramp": list(_RAMPS["default"]),
        "schemes": {
            "change": category_scheme("change_trend", "default").fills,
            "hotspot": category_scheme("gi", "default").fills,
            "emerging": category_scheme("emerging", "default").fills,
        },
        "no_data": NO_DATA,
        "attribution_short": ATTRIBUTION_SHORT,
    }
    for scheme in payload["schemes"].values():
        scheme.pop(NO_DATA, None)
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    slots = {
        "version": escape(__version__),
        "title": escape(title),
        "leaflet_css": leaflet_css,
        "leaflet_js": leaflet_js,
        "css": _static("dashboard.css"),
        "js": _static("dashboard.js"),
        "data": data.replace("<", "\\u003c"),
        "howto": _howto(figures),
        "provenance": _provenance(figures),
    }
    # one pass, so that nothing inserted is itself read as a slot
    return _SLOT.sub(lambda m: slots[m.group(1)], _static("page.html"))


def _howto(figures: dict[str, Any]) -> str:
    settings = figures["settings"]
    windows = figures["windows"]
    window = figures["window_months"]
    months = "month" if window == 1 else f"{window} months"
    alpha = settings["alpha"]
    confidence = round(100 * (1 - alpha))
    correction = settings["correction"] or "no"
    if windows["before"] is None:
        change = (
            f"<b>Change</b> is not tested: the data cover {len(figures['months'])} months, and "
            "the test compares the latest 12 months with the same 12 months a year earlier "
            "(crime is seasonal, so shorter or shifted windows would mislead)."
        )
    else:
        change = (
            f"<b>Change</b> compares the latest 12 months ({escape(windows['after'])}) with the "
            f"same 12 months a year earlier ({escape(windows['before'])}). An area's verdict is "
            "<i>relative to London's trend</i>: it asks whether the area changed more or less "
            "than all the areas together did, not whether its count went up or down. An area "
            "that fell by less than London fell is <i>above</i> the trend. The test allows for "
            "counts varying more than pure chance would give (overdispersion; "
            f"{escape(settings['change_test'])}, {escape(correction)} correction "
            f"across areas, level {alpha}). The <i>interval</i> after the percentage is the "
            f"{confidence} % interval of the area's own change: the range of changes that the "
            "counts, with that extra variation, cannot rule out. A wide interval that spans "
            "zero means the data cannot say whether the area went up or down. The interval is "
            "of the area's own change, the verdict of its change against London's: an area "
            "can be in line with the trend with an interval wholly below zero (it fell, as "
            "London did). London's tile "
            "tests London's total against no change; its interval leaves out London-wide "
            "shocks (a change in recording, say), so it is narrower than the real uncertainty."
        )
    paragraphs = [
        "<b>The map</b> colours every area by what the <i>Map shows</i> list says. Grey with "
        "a dashed outline means no data, which is not a zero: the City of London has no count "
        "in the Met's tables because the Metropolitan Police does not police it.",
        change,
        "<b>Hot-spot state</b> says whether an area and its neighbours together had more "
        f"(hot spot) or fewer (cold spot) offences per resident in the latest {months} than "
        f"London as a whole would give them by chance ({escape(settings['hotspot'])}). "
        "Areas with few residents but many visitors (the West End) have high rates.",
        "<b>Emerging pattern</b> describes how an area's hot- or cold-spot state developed "
        f"month by month over the {len(figures['months'])} months "
        f"({escape(settings['emerging'])}): for example a new, intensifying, persistent or "
        "diminishing hot spot.",
        "<b>Most at risk</b> lists the areas with the most recorded offences in the latest "
        f"{months}, with each area's count; areas with fewer than {settings['risk_minimum']} "
        "offences are not ranked (one offence more or less would reorder them). It is a "
        "ranking of counts, not a forecast; recorded crime depends on reporting and police "
        "activity as well as on crime.",
        "<b>The chart</b> shows the area's monthly offences (solid), the average area of its "
        f"borough (dashed) and of London (dotted); the shaded months are the latest {months}.",
    ]
    if windows["before"] is not None:
        paragraphs.append(
            "<b>Do the hot spots hold?</b> Hot spots are only useful if they stay hot. The "
            f"page takes the 12 months before the latest 12 (\u201clast year\u201d) and "
            "selects two sets of areas on them alone: the Gi* hot spots and the ten areas "
            f"with the most offences (at least {settings['risk_minimum']}). It then counts "
            f"how many of the latest 12 months\u2019 offences (\u201cthis year\u201d, "
            f"{escape(windows['after'])}) fell in them, against their share of London\u2019s "
            "area with data. PAI, the predictive accuracy index, is that share of offences "
            "divided by that share of area: 1 means they held no more offences than their size "
            "alone would give."
        )
    if any(
        level.get("repeats") is not None
        for by_level in figures["figures"].values()
        for level in by_level.values()
    ):
        paragraphs.append(
            "<b>Repeat victimisation</b> counts offences at a police.uk map point that was hit "
            f"more than once in the latest {months}. A map point is an anonymised location "
            "that gathers every offence near it (a street, a shop and its car park), so a "
            "repeat there is not necessarily the same victim; more repeats than a point's "
            "earlier months predict is the stronger sign."
        )
    if figures.get("excluded"):
        paragraphs.append(f"<b>Left out.</b> {escape(figures['excluded'])}")
    return "".join(f"<p>{p}</p>" for p in paragraphs)


def _provenance(figures: dict[str, Any]) -> str:
    import boundaries

    source = figures["provenance"].get("source", "crime data")
    layers = boundaries.layers().set_index("layer")
    boundary_lines = [
        f"{escape(level['name'])}: {escape(str(layers.loc[level['id'], 'source']))}"
        f" ({escape(str(layers.loc[level['id'], 'licence']))})"
        for level in figures["levels"]
    ]
    settings = figures["settings"]
    parts = [
        f"<p><b>Crime data:</b> {escape(str(source))}; "
        f"{escape(str(figures['provenance'].get('period', '')))}. "
        f"{_crime_licence(str(source))}</p>",
        f"<p><b>Boundaries:</b> {'; '.join(boundary_lines)}. Simplified for display only.</p>",
        f"<p>{escape(CROWN.format(year=CROWN_YEAR))}</p>",
        f"<p><b>Method:</b> permutations {settings['permutations']}, seed {settings['seed']}, "
        f"alpha {settings['alpha']}, correction {escape(str(settings['correction']))}. "
        f"Made with london-hotspots {escape(__version__)}.</p>",
    ]
    return "".join(parts)


def _crime_licence(source: str) -> str:
    """The licence sentence of the crime data: the Met's tables or data.police.uk."""
    if "London Datastore" in source:
        return f"Metropolitan Police Service data from the London Datastore, {MET_LICENCE}."
    return "data.police.uk data, Open Government Licence v3.0."
