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

from hotspots.maps._style import HATCH_ID, LEGEND_SWATCH_CSS, Scheme

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
}
# keys a statistic map must state, saying "not recorded" when they are missing
STATISTIC_KEYS = ("weights", "permutations", "seed", "alpha", "correction")


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


def legend_html(title: str, scheme: Scheme, counts: Mapping[str, int]) -> str:
    """A legend: every category of `scheme` in order, then special ones that occur.

    `counts` maps category -> number of areas (categories absent from `counts`
    are shown with 0; special categories such as "No data" only when counted).
    """
    rows = []
    specials = [c for c in counts if c not in scheme.categories]
    for category in (*scheme.categories, *specials):
        css = LEGEND_SWATCH_CSS.get(category, f"background: {scheme.fills.get(category, '')};")
        rows.append(
            f'<li data-category="{escape(category)}"><span class="hs-swatch" '
            f'style="{escape(css)}"></span>{escape(category)}'
            f' <span class="hs-n">({counts.get(category, 0):,})</span></li>'
        )
    return (
        f'<div class="hs-legend"><div class="hs-h">{escape(title)}</div>'
        f"<ul>{''.join(rows)}</ul></div>"
    )


def top_html(title: str, areas: Sequence[TopArea], empty: str) -> str:
    """A numbered list of the top at-risk areas (or `empty` when there are none)."""
    if not areas:
        body = f'<p class="hs-empty">{escape(empty)}</p>'
    else:
        items = "".join(
            f'<li data-code="{escape(a.code)}" title="Zoom to {escape(a.name)}">'
            f"<b>{escape(a.name)}</b> <span>{escape(a.borough)}</span> "
            f'<span class="hs-n">{escape(a.detail)}</span></li>'
            for a in areas
        )
        body = f"<ol>{items}</ol>"
    return f'<div class="hs-top"><div class="hs-h">{escape(title)}</div>{body}</div>'


def provenance_html(provenance: Mapping[str, object], version: str, *, statistic: bool) -> str:
    """How the layer was made, from ``result.attrs["hotspots"]``.

    The known keys come first in a fixed order; for statistic layers the keys
    in :data:`STATISTIC_KEYS` are always listed ("not recorded" if missing);
    any other keys follow as they are.
    """
    rows = []
    for key, label in PROVENANCE_LABELS.items():
        if key in provenance:
            rows.append((label, _text(provenance[key])))
        elif statistic and key in STATISTIC_KEYS:
            rows.append((label, "not recorded"))
    rows.extend(
        (str(key).replace("_", " ").capitalize(), _text(value))
        for key, value in provenance.items()
        if key not in PROVENANCE_LABELS
    )
    rows.append(("Made with", f"london-hotspots {version}"))
    body = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows)
    return (
        '<details class="hs-provenance" open><summary>How this map was made</summary>'
        f"<table>{body}</table></details>"
    )


def slider_html(uid: str, key: str, periods: Sequence[str]) -> str:
    """A range input choosing the period a layer shows, starting at the last period.

    The page script (``hotspotsMaps.page``) finds it by ``data-hs-slider`` and
    redraws the layer, its legend counts and the period text as it moves.
    """
    last = len(periods) - 1
    ident = f"{uid}-{key}-period"
    return (
        f'<div class="hs-slider"><label for="{ident}">Period: '
        f'<output class="hs-period">{escape(periods[-1])}</output></label>'
        f'<input type="range" id="{ident}" data-hs-slider="{escape(key)}" min="0" '
        f'max="{last}" step="1" value="{last}" aria-valuetext="{escape(periods[-1])}">'
        f'<div class="hs-ends"><span>{escape(periods[0])}</span>'
        f"<span>{escape(periods[-1])}</span></div></div>"
    )


def title_html(title: str) -> str:
    """The map title."""
    return f'<div class="hs-title">{escape(title)}</div>'


def hatch_svg() -> str:
    """An invisible SVG holding the hatch pattern that "No data" areas are filled with."""
    return (
        '<svg width="0" height="0" style="position:absolute" aria-hidden="true"><defs>'
        f'<pattern id="{HATCH_ID}" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#555555" stroke-width="2"/>'
        "</pattern></defs></svg>"
    )


PAGE_CSS = """
.hs-card, .hs-title { background: rgba(255,255,255,0.94); border-radius: 5px;
  box-shadow: 0 1px 5px rgba(0,0,0,0.4); font: 12px/1.35 system-ui, sans-serif;
  color: #222; padding: 6px 9px; }
.hs-title { font-size: 15px; font-weight: 600; max-width: 46vw; }
.hs-card { max-width: 300px; max-height: 62vh; overflow-y: auto; }
.hs-card[hidden], .hs-card [hidden] { display: none; }
.hs-h { font-weight: 600; margin: 2px 0 4px; }
.hs-legend ul, .hs-top ol { margin: 0; padding: 0; }
.hs-legend li { list-style: none; display: flex; align-items: center; margin: 2px 0; }
.hs-swatch { display: inline-block; width: 16px; height: 12px; margin-right: 6px;
  border: 1px solid #999; flex: none; box-sizing: border-box; }
.hs-n { color: #555; margin-left: 0.3em; }
.leaflet-control-layers { font: 12px/1.4 system-ui, sans-serif; }
.hs-top { margin-top: 8px; border-top: 1px solid #ddd; padding-top: 4px; }
.hs-top ol { padding-left: 20px; }
.hs-top li { cursor: pointer; margin: 1px 0; }
.hs-top li:hover b { text-decoration: underline; }
.hs-empty { margin: 2px 0; color: #555; }
.hs-provenance summary { cursor: pointer; font-weight: 600; }
.hs-provenance table { border-collapse: collapse; margin-top: 3px; }
.hs-provenance th, .hs-provenance td, table.hs-tip th, table.hs-tip td {
  text-align: left; vertical-align: top; padding: 1px 6px 1px 0; font-size: 11px; }
.hs-provenance th, table.hs-tip th { font-weight: 600; color: #444; white-space: nowrap; }
table.hs-tip td { max-width: 220px; overflow-wrap: anywhere; }
.hs-slider { margin-bottom: 6px; }
.hs-slider label { font-weight: 600; }
.hs-slider input { display: block; width: 100%; margin: 4px 0 0; }
.hs-ends { display: flex; justify-content: space-between; color: #555; font-size: 11px; }
"""
