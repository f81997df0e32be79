"""The HTML around a map: title, legends, top at-risk lists and provenance panels.

Everything here is plain text building (no folium). Every piece of text that
comes from data or from the user (area names, category names, titles,
provenance values) goes through :func:`html.escape`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

from hotspots.maps._style import LEGEND_SWATCH_CSS, Scheme

ATTRIBUTION = (
    "Contains National Statistics and Ordnance Survey data \u00a9 Crown copyright and "
    "database right 2024; police and public sector information licensed under the "
    "Open Government Licence v3.0"
)
"""The statement the shipped boundaries and police data require on anything published."""

# provenance keys shown first, in this order, with their labels
PROVENANCE_LABELS = {
    "source": "Data source",
    "period": "Period",
    "crime_type": "Crime type",
    "level": "Area level",
    "statistic": "Statistic",
    "column": "Variable",
    "weights": "Spatial weights",
    "permutations": "Permutations",
    "seed": "Random seed",
    "alpha": "Significance level (alpha)",
    "correction": "Multiple-testing correction",
    "before": "Before",
    "after": "After",
    "freq": "Time step",
    "pool": "Rate pooled over",
    "p_value": "p-value used",
}
_CORRECTIONS = {
    "fdr": "false discovery rate (Benjamini-Hochberg)",
    "by": "false discovery rate (Benjamini-Yekutieli)",
    "bonferroni": "Bonferroni",
}
_FREQS = {"month": "one month", "M": "one month", "quarter": "one quarter", "year": "one year"}


@dataclass(frozen=True)
class TopArea:
    """One line of a top at-risk list."""

    code: str
    name: str
    borough: str
    detail: str


def _text(value: object) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return "none"
    if isinstance(value, Mapping | list | tuple):
        return json.dumps(value, default=str, ensure_ascii=False)
    return str(value)


def _friendly(key: str, value: object) -> str:
    text = _text(value)
    if key == "correction":
        return _CORRECTIONS.get(text, text)
    if key == "freq":
        return _FREQS.get(text, text)
    return text


def legend_html(
    title: str, scheme: Scheme, counts: Mapping[str, int], *, hide_empty: bool = False
) -> str:
    """A legend: every category of `scheme` in order, then special ones that occur.

    `counts` maps category -> number of areas (categories absent from `counts`
    are shown with 0, or left out and summed up in one line with `hide_empty`;
    special categories such as "No data" only when counted). Each entry is a
    button that isolates its category on the map.
    """
    rows, absent = [], []
    specials = [c for c in counts if c not in scheme.categories]
    for category in (*scheme.categories, *specials):
        if hide_empty and not counts.get(category, 0):
            absent.append(category)
            continue
        css = LEGEND_SWATCH_CSS.get(category, f"background: {scheme.fills.get(category, '')};")
        rows.append(
            f'<li data-category="{escape(category)}"><button type="button" '
            f'data-hs-isolate="{escape(category)}" aria-pressed="false" '
            f'title="Show only this category (click again for all)">'
            f'<span class="hs-swatch" style="{escape(css)}"></span>{escape(category)}'
            f' <span class="hs-n">({counts.get(category, 0):,})</span></button></li>'
        )
    note = f'<p class="hs-absent">No area in: {escape(", ".join(absent))}.</p>' if absent else ""
    return (
        f'<div class="hs-legend"><div class="hs-h">{escape(title)}</div>'
        f"<ul>{''.join(rows)}</ul>{note}</div>"
    )


def png_html(name: str) -> str:
    """A button saving the map as shown, with title and licence, as ``<name>-view.png``."""
    return (
        f'<button type="button" class="hs-png" data-hs-png="{escape(name)}" '
        'title="The map as shown, with its title and the data licence">'
        "Save view as PNG</button>"
    )


def top_html(title: str, areas: Sequence[TopArea], empty: str, *, csv_name: str = "") -> str:
    """A numbered list of areas (or `empty` when there are none); entries zoom to their area.

    With `csv_name`, a button saves the list as ``<csv_name>.csv``.
    """
    if not areas:
        body = f'<p class="hs-empty">{escape(empty)}</p>'
    else:
        items = "".join(
            f'<li data-code="{escape(a.code)}" data-borough="{escape(a.borough)}" '
            f'data-detail="{escape(a.detail)}"><button type="button" '
            f'title="Zoom to {escape(a.name)}"><b>{escape(a.name)}</b></button> '
            f"<span>{escape(a.borough)}</span> "
            f'<span class="hs-n">{escape(a.detail)}</span></li>'
            for a in areas
        )
        button = (
            f'<button type="button" class="hs-csv" data-hs-csv="{escape(csv_name)}">'
            "Save list as CSV</button>"
            if csv_name
            else ""
        )
        body = f"<ol>{items}</ol>{button}"
    return f'<div class="hs-top"><div class="hs-h">{escape(title)}</div>{body}</div>'


def provenance_html(
    provenance: Mapping[str, object], version: str, *, needs: Sequence[str] = ()
) -> str:
    """How the layer was made, from ``result.attrs["hotspots"]`` (folded by default).

    The known keys come first in a fixed order; the keys in `needs` (those that
    apply to the layer's method) are always listed, "not recorded" if missing;
    any other keys follow as they are; then the data licence.
    """
    rows = []
    for key, label in PROVENANCE_LABELS.items():
        if key in provenance:
            rows.append((label, _friendly(key, provenance[key])))
        elif key in needs:
            rows.append((label, "not recorded"))
    rows.extend(
        (str(key).replace("_", " ").capitalize(), _text(value))
        for key, value in provenance.items()
        if key not in PROVENANCE_LABELS
    )
    rows.append(("Made with", f"london-hotspots {version}"))
    rows.append(("Licence", ATTRIBUTION))
    body = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows)
    return (
        '<details class="hs-provenance"><summary>How this map was made</summary>'
        f"<table>{body}</table></details>"
    )


def slider_html(uid: str, key: str, periods: Sequence[str]) -> str:
    """A range input choosing the period a layer shows, starting at the last period.

    The page script finds it by ``data-hs-slider`` and redraws the layer, its
    legend counts and the period text as it moves; the play button steps it.
    """
    last = len(periods) - 1
    ident = f"{uid}-{key}-period"
    return (
        f'<div class="hs-slider"><label for="{ident}">Period: '
        f'<output class="hs-period">{escape(periods[-1])}</output></label>'
        f'<input type="range" id="{ident}" data-hs-slider="{escape(key)}" min="0" '
        f'max="{last}" step="1" value="{last}" aria-valuetext="{escape(periods[-1])}">'
        f'<div class="hs-ends"><span>{escape(periods[0])}</span>'
        f"<span>{escape(periods[-1])}</span></div>"
        f'<button type="button" data-hs-play="{escape(key)}" aria-pressed="false">'
        "\u25b6 Play</button></div>"
    )


def title_html(title: str) -> str:
    """The map title (the page's heading)."""
    return f'<h1 class="hs-title">{escape(title)}</h1>'


def controls_html(
    uid: str, layers: Sequence[tuple[str, str]], *, outlines: bool, places: bool
) -> str:
    """Layer switcher, context toggles, fill opacity and search, in one foldable panel."""
    parts = []
    if len(layers) > 1:
        radios = "".join(
            f'<label><input type="radio" name="{uid}-layer" value="{escape(key)}"'
            f"{' checked' if i == 0 else ''}> {escape(name)}</label>"
            for i, (key, name) in enumerate(layers)
        )
        parts.append(f'<fieldset class="hs-switch"><legend>Layer</legend>{radios}</fieldset>')
    toggles = []
    if outlines:
        toggles.append(
            '<label><input type="checkbox" data-hs-toggle="outlines" checked> '
            "Borough outlines</label>"
        )
    if places:
        toggles.append(
            '<label><input type="checkbox" data-hs-toggle="places" checked> Borough names</label>'
        )
    toggles.append(
        '<label>Fill opacity <input type="range" data-hs-opacity min="0.1" max="1" '
        'step="0.1" value="1" aria-valuetext="100%"></label>'
    )
    parts.append(f"<fieldset><legend>Show</legend>{''.join(toggles)}</fieldset>")
    parts.append(
        f'<form class="hs-search" data-hs-search role="search"><label for="{uid}-search">'
        f'Find an area (name or code)</label><input type="search" id="{uid}-search" '
        'autocomplete="off"><output aria-live="polite"></output></form>'
    )
    return (
        '<details class="hs-card hs-controls" data-hs-fold open><summary>Layers and view'
        f"</summary>{''.join(parts)}</details>"
    )
