"""folium elements of the hotspots maps (imported only once folium is known to be there).

The areas are written into the page once, as one GeoJSON object, and every
thematic layer (rate classes, LISA clusters, Gi* bins, emerging patterns) is
a Leaflet GeoJSON layer drawn from that same object with its own colours, so
a map with four layers costs one copy of the geometry. Tooltips are built
with DOM ``textContent`` (never ``innerHTML``), so nothing in the data can
become markup. Data goes into the page verbatim, never through Jinja (folium
re-reads the output of its template macros as templates, so a name such as
``{{ 7*7 }}`` would otherwise be evaluated).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import folium
from folium.map import Layer

from hotspots.maps._offline import verbatim
from hotspots.maps._page import PAGE_CSS, hatch_svg

# helpers shared by every layer of a page; written once into the page header
_RUNTIME_JS = """
var hotspotsMaps = {
  table: function (rows) {
    var table = document.createElement("table");
    table.className = "hs-tip";
    rows.forEach(function (row) {
      var tr = table.insertRow();
      var th = document.createElement("th");
      th.textContent = row[0];
      tr.appendChild(th);
      tr.insertCell().textContent = row[1];
    });
    return table;
  },
  pairs: function (labels, values) {
    return labels.map(function (label, i) { return [label, values[i]]; });
  },
  number: function (value, fewest, most) {
    if (value === null) { return "no data"; }
    return value.toLocaleString("en-GB", {
      minimumFractionDigits: fewest, maximumFractionDigits: most
    });
  },
  shapes: function (data, spec, style, rows) {
    var byCode = {};
    var layer = L.geoJSON(data, {
      style: style,
      onEachFeature: function (feature, shape) {
        var p = feature.properties;
        byCode[p.id[1]] = shape;
        shape.bindTooltip(function () {
          return hotspotsMaps.table(rows(p));
        }, {sticky: true, className: "hs-tooltip"});
        shape.on("mouseover", function () {
          shape.setStyle({weight: 2.5, color: "#000000", opacity: 1});
          shape.bringToFront();
        });
        shape.on("mouseout", function () { layer.resetStyle(shape); });
      }
    });
    layer.hotspotsKey = spec.key;
    layer.hotspotsByCode = byCode;
    return layer;
  },
  areas: function (data, spec) {
    return hotspotsMaps.shapes(data, spec, function (feature) {
      return spec.styles[feature.properties[spec.key][0]];
    }, function (p) {
      return hotspotsMaps.pairs(spec.labels, p.id.concat(p[spec.key], p.n || []));
    });
  },
  periods: function (data, spec) {
    var state = {t: spec.periods.length - 1};
    var layer = hotspotsMaps.shapes(data, spec, function (feature) {
      return spec.styles[spec.categories[feature.properties[spec.key].c[state.t]]];
    }, function (p) {
      var v = p[spec.key], t = state.t;
      return hotspotsMaps.pairs(spec.labels, p.id.concat([
        spec.periods[t],
        spec.categories[v.c[t]],
        hotspotsMaps.number(v.n[t], 0, 2),
        hotspotsMaps.number(v.z[t], 2, 2)
      ]));
    });
    layer.hotspotsSpec = spec;
    layer.hotspotsShow = function (t) {
      state.t = t;
      layer.eachLayer(function (shape) { layer.resetStyle(shape); });
    };
    return layer;
  },
  slider: function (uid, layer) {
    var spec = layer.hotspotsSpec;
    document.querySelectorAll("." + uid + "-layer").forEach(function (card) {
      var input = card.querySelector("input[data-hs-slider]");
      if (!input || card.getAttribute("data-hs-layer") !== spec.key) { return; }
      input.addEventListener("input", function () {
        var t = Number(input.value);
        layer.hotspotsShow(t);
        input.setAttribute("aria-valuetext", spec.periods[t]);
        card.querySelectorAll(".hs-period").forEach(function (out) {
          out.textContent = spec.periods[t];
        });
        card.querySelectorAll("li[data-category]").forEach(function (li) {
          var i = spec.categories.indexOf(li.getAttribute("data-category"));
          li.querySelector(".hs-n").textContent =
            "(" + spec.counts[t][i].toLocaleString("en-GB") + ")";
        });
      });
    });
  },
  page: function (map, uid, layers) {
    var active = layers[0];
    ["topleft", "topright"].forEach(function (corner) {
      var box = document.getElementById(uid + "-" + corner);
      if (!box) { return; }
      var control = L.control({position: corner});
      control.onAdd = function () {
        L.DomEvent.disableClickPropagation(box);
        L.DomEvent.disableScrollPropagation(box);
        box.hidden = false;
        return box;
      };
      control.addTo(map);
    });
    function show(key) {
      document.querySelectorAll("." + uid + "-layer").forEach(function (el) {
        el.hidden = el.getAttribute("data-hs-layer") !== key;
      });
    }
    map.on("baselayerchange", function (e) {
      if (e.layer.hotspotsKey) { active = e.layer; show(e.layer.hotspotsKey); }
    });
    var opened = null;
    document.querySelectorAll("." + uid + "-layer li[data-code]").forEach(function (li) {
      li.addEventListener("click", function () {
        var shape = active.hotspotsByCode[li.getAttribute("data-code")];
        if (!shape) { return; }
        if (opened) { opened.closeTooltip(); }
        map.fitBounds(shape.getBounds(), {maxZoom: 14});
        shape.openTooltip(shape.getBounds().getCenter());
        opened = shape;
      });
    });
    layers.forEach(function (layer) {
      if (layer.hotspotsShow) { hotspotsMaps.slider(uid, layer); }
    });
    show(active.hotspotsKey);
  }
};
"""


def script_json(value: object) -> str:
    """Compact JSON that is safe inside a ``<script>`` element."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    for char, code in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, code)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


class AreaData(folium.MacroElement):
    """The areas of a map as one GeoJSON FeatureCollection, written once."""

    def __init__(self, collection: dict) -> None:
        super().__init__()
        self._name = "AreaData"
        self.collection = collection

    def render(self, **kwargs) -> None:
        text = f"var {self.get_name()} = {script_json(self.collection)};"
        self.get_root().script.add_child(verbatim(text), name=self.get_name())
        super().render(**kwargs)


class AreaLayer(Layer):
    """One thematic layer drawn from an :class:`AreaData`.

    ``spec`` holds the layer key (the feature property with its values),
    the tooltip labels and the Leaflet style of each category. A layer with
    ``periods`` in its spec is drawn one period at a time (the feature
    property then holds, per period, the index of its category in
    ``spec["categories"]``, the count and the z-score), moved by a slider.
    """

    def __init__(self, data: AreaData, spec: dict, *, name: str, show: bool) -> None:
        super().__init__(name=name, overlay=False, control=True, show=show)
        self._name = "AreaLayer"
        self.data = data
        self.spec = spec

    def render(self, **kwargs) -> None:
        kind = "periods" if "periods" in self.spec else "areas"
        text = (
            f"var {self.get_name()} = hotspotsMaps.{kind}("
            f"{self.data.get_name()}, {script_json(self.spec)});"
        )
        self.get_root().script.add_child(verbatim(text), name=self.get_name())
        super().render(**kwargs)


class OutlineLayer(Layer):
    """Outlines (e.g. boroughs) drawn above every area layer, letting the mouse through."""

    def __init__(self, collection: dict, *, name: str) -> None:
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "OutlineLayer"
        self.collection = collection

    def render(self, **kwargs) -> None:
        map_name = self._parent.get_name()
        pane = f"{self.get_name()}_pane"
        text = (
            f'{map_name}.createPane("{pane}");'
            f'{map_name}.getPane("{pane}").style.zIndex = 450;'
            f'{map_name}.getPane("{pane}").style.pointerEvents = "none";'
            f"var {self.get_name()} = L.geoJSON({script_json(self.collection)}, "
            f'{{pane: "{pane}", interactive: false, '
            f'style: {{color: "#1a1a1a", weight: 1.6, opacity: 0.9, fill: false}}}});'
        )
        self.get_root().script.add_child(verbatim(text), name=self.get_name())
        super().render(**kwargs)


class Page(folium.MacroElement):
    """Title, legends, top lists and provenance, wired to the layer switcher.

    ``corners`` maps a Leaflet corner ("topleft", "topright") to the HTML of
    its panel; elements inside with class ``{uid}-layer`` and a
    ``data-hs-layer`` attribute are shown only while their layer is active.
    Add it to the map after the layers and the layer control.
    """

    def __init__(self, uid: str, corners: dict[str, str], layers: Sequence[AreaLayer]) -> None:
        super().__init__()
        self._name = "Page"
        self.uid = uid
        self.corners = corners
        self.layers = list(layers)

    def render(self, **kwargs) -> None:
        figure = self.get_root()
        figure.header.add_child(verbatim(f"<style>{PAGE_CSS}</style>"), name="hotspots_css")
        figure.header.add_child(verbatim(f"<script>{_RUNTIME_JS}</script>"), name="hotspots_js")
        panels = "".join(
            f'<div id="{self.uid}-{corner}" class="hs-corner" hidden>{html}</div>'
            for corner, html in self.corners.items()
        )
        figure.html.add_child(verbatim(hatch_svg() + panels), name=self.get_name())
        layers = ", ".join(layer.get_name() for layer in self.layers)
        text = f'hotspotsMaps.page({self._parent.get_name()}, "{self.uid}", [{layers}]);'
        figure.script.add_child(verbatim(text), name=self.get_name())
        super().render(**kwargs)
