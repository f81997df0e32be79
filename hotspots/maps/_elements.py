"""folium elements of the hotspots maps (imported only once folium is known to be there).

The areas are written into the page once, as one GeoJSON object, drawn once
on a canvas, and every thematic layer (rate classes, LISA clusters, Gi* bins,
emerging patterns, change) is a style of those same shapes: switching layers
restyles, it builds nothing. The page script and styles are package files
(``hotspots/maps/static/``). Tooltips are built with DOM ``textContent``
(never ``innerHTML``), so nothing in the data can become markup. Data goes
into the page verbatim, never through Jinja (folium re-reads the output of
its template macros as templates, so a name such as ``{{ 7*7 }}`` would
otherwise be evaluated).
"""

from __future__ import annotations

import functools
import json
import re
from html import escape
from importlib import resources
from typing import Any

import folium
from branca.element import Element, Figure

_VIEWPORT = re.compile(r'<meta name="viewport"[^>]*>', re.DOTALL)
_VIEWPORT_OK = '<meta name="viewport" content="width=device-width, initial-scale=1">'


@functools.cache
def static_text(name: str) -> str:
    """The text of a file in ``hotspots/maps/static`` (the page script and styles)."""
    return (
        resources.files("hotspots.maps")
        .joinpath("static")
        .joinpath(name)
        .read_text(encoding="utf-8")
    )


def script_json(value: object) -> str:
    """Compact JSON that is safe inside a ``<script>`` element."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    for char, code in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, code)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


class Verbatim(folium.Element):
    """A page fragment written out as it is (never read as a Jinja template)."""

    def __init__(self, text: str) -> None:
        super().__init__("{{ this.text }}")
        self.text = text


def verbatim(text: str) -> Verbatim:
    """A page fragment written out as it is (see :class:`Verbatim`)."""
    return Verbatim(text)


def page_of(element: Element) -> Figure:
    """The page (branca Figure) `element` is drawn in."""
    root = element.get_root()
    if not isinstance(root, Figure):
        raise TypeError(f"a {type(element).__name__} is drawn only in a page (a branca Figure)")
    return root


class PageFigure(Figure):
    """A branca Figure whose page has ``lang``, a ``<title>``, the charset first and
    a viewport that lets a phone user zoom the page (folium's forbids it)."""

    def __init__(self, title: str) -> None:
        super().__init__()
        self.page_title = title

    def render(self, **kwargs: Any) -> str:
        html = super().render(**kwargs)
        html = _VIEWPORT.sub(_VIEWPORT_OK, html, count=1)
        head = (
            '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{escape(self.page_title)}</title>"
        )
        return html.replace("<html>\n<head>", head, 1)


class AreaData(folium.MacroElement):
    """The areas of a map, written once as JSON data (parsed faster than a script).

    A FeatureCollection whose features carry, instead of a GeoJSON geometry,
    ``"g"``: a list of polygons, each a list of rings encoded as polylines.
    """

    def __init__(self, collection: dict[str, Any]) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # unannotated in branca
        self._name = "AreaData"
        self.collection = collection

    # branca's MacroElement.render returns None though its base Element.render says str
    def render(self, **kwargs: Any) -> None:  # type: ignore[override]
        text = (
            f'<script type="application/json" id="{self.get_name()}">'
            f"{script_json(self.collection)}</script>"
        )
        page_of(self).html.add_child(verbatim(text), name=self.get_name())
        super().render(**kwargs)  # type: ignore[no-untyped-call]  # unannotated in branca


class Page(folium.MacroElement):
    """Areas, context, panels and their wiring (``hotspotsMaps.page`` in ``static/``).

    ``config`` holds the layer specs (key, tooltip labels, the Leaflet style of
    each category; period layers also their periods, categories and counts),
    the borough outlines, the London outline, the place labels, the bounds and
    the attribution. ``corners`` maps a Leaflet corner to the HTML of its panel;
    elements inside with class ``{uid}-layer`` and a ``data-hs-layer``
    attribute are shown only while their layer is active.
    """

    def __init__(self, data: AreaData, config: dict[str, Any], corners: dict[str, str]) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # unannotated in branca
        self._name = "Page"
        self.data = data
        self.config = config
        self.corners = corners

    # branca's MacroElement.render returns None though its base Element.render says str
    def render(self, **kwargs: Any) -> None:  # type: ignore[override]
        figure = page_of(self)
        figure.header.add_child(
            verbatim(f"<style>{static_text('hotspots.css')}</style>"), name="hotspots_css"
        )
        figure.header.add_child(
            verbatim(f"<script>{static_text('hotspots.js')}</script>"), name="hotspots_js"
        )
        uid = self.config["uid"]
        panels = "".join(
            f'<div id="{uid}-{corner}" class="hs-corner" hidden>{html}</div>'
            for corner, html in self.corners.items()
        )
        figure.html.add_child(verbatim(panels), name=self.get_name())
        if self._parent is None:
            raise TypeError("a Page is drawn only on a map (add it to a folium.Map)")
        text = (
            f'hotspotsMaps.page({self._parent.get_name()}, "{self.data.get_name()}", '
            f"{script_json(self.config)});"
        )
        figure.script.add_child(verbatim(text), name=self.get_name())
        super().render(**kwargs)  # type: ignore[no-untyped-call]  # unannotated in branca
