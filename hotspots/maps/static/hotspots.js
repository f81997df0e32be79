/* london-hotspots map runtime: one set of areas drawn on a canvas, restyled per layer.
 *
 * Every thematic layer is a style of the same Leaflet GeoJSON layer (built once, on a
 * canvas renderer), so switching layers, moving the period slider or isolating a legend
 * category only restyles the areas. Every piece of text that comes from the data is
 * written with textContent, never innerHTML.
 */
var hotspotsMaps = (function () {
  "use strict";
  var pages = {};

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function table(title, rows) {
    var box = el("div", "hs-tipbox");
    box.appendChild(el("div", "hs-tiptitle", title));
    var tab = el("table", "hs-tip");
    var seen = {};
    rows.forEach(function (row) {
      if (seen[row[0]] || row[1] === "\u2013") { return; }  // no repeated label, no dash rank
      seen[row[0]] = true;
      var tr = tab.insertRow();
      var th = el("th", "", row[0]);
      tr.appendChild(th);
      tr.insertCell().textContent = row[1];
    });
    box.appendChild(tab);
    return box;
  }

  function number(value, fewest, most) {
    if (value === null) { return "no data"; }
    return value.toLocaleString("en-GB", {
      minimumFractionDigits: fewest, maximumFractionDigits: most
    });
  }

  var hatch = null;
  function hatchPattern() {
    // "No data": the same grey hatch on the canvas as in the legend swatch
    if (hatch) { return hatch; }
    var tile = document.createElement("canvas");
    tile.width = 6; tile.height = 6;
    var ctx = tile.getContext("2d");
    ctx.fillStyle = "#ffffff"; ctx.fillRect(0, 0, 6, 6);
    ctx.strokeStyle = "#555555"; ctx.lineWidth = 1.5;
    ctx.beginPath(); ctx.moveTo(0, 6); ctx.lineTo(6, 0);
    ctx.moveTo(-3, 3); ctx.lineTo(3, -3); ctx.moveTo(3, 9); ctx.lineTo(9, 3); ctx.stroke();
    hatch = ctx.createPattern(tile, "repeat");
    return hatch;
  }

  function csvCell(text) {
    var t = String(text);
    if (/^[=+\-@\t\r]/.test(t)) { t = "'" + t; }  // no formula injection in spreadsheets
    return /[",\n]/.test(t) ? '"' + t.replace(/"/g, '""') + '"' : t;
  }

  function download(name, content) {
    // a Blob (the PNG of the view) as it is, text as a CSV file
    var blob = content instanceof Blob ? content :
      new Blob([content], {type: "text/csv;charset=utf-8"});
    var link = el("a");
    link.href = URL.createObjectURL(blob);
    link.download = name;
    document.body.appendChild(link);
    link.click();
    setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 0);
  }

  function decode(text) {
    // an encoded polyline (lat, lon in 1e-5 degrees) to Leaflet LatLngs
    var points = [], index = 0, lat = 0, lon = 0, n = text.length;
    while (index < n) {
      for (var k = 0; k < 2; k++) {
        var shift = 0, result = 0, b;
        do {
          b = text.charCodeAt(index++) - 63;
          result |= (b & 0x1f) << shift;
          shift += 5;
        } while (b >= 0x20);
        var delta = (result & 1) ? ~(result >> 1) : (result >> 1);
        if (k === 0) { lat += delta; } else { lon += delta; }
      }
      points.push(L.latLng(lat / 1e5, lon / 1e5));
    }
    return points;
  }

  function page(map, dataId, config) {
    var data = JSON.parse(document.getElementById(dataId).textContent);
    var uid = config.uid;
    var specs = {};
    config.layers.forEach(function (spec) { specs[spec.key] = spec; });
    var state = {
      active: config.layers[0],
      t: {},
      isolate: null,
      opacity: 1
    };
    config.layers.forEach(function (spec) {
      if (spec.periods) { state.t[spec.key] = spec.periods.length - 1; }
    });
    var container = map.getContainer();
    container.setAttribute("role", "region");
    container.setAttribute("aria-label", "Map: " + config.title);
    container.style.background = config.background;

    function category(p, spec) {
      var v = p[spec.key];
      return spec.periods ? spec.categories[v.c.charCodeAt(state.t[spec.key]) - 48] : v[0];
    }
    function style(feature) {
      var spec = state.active;
      var c = category(feature.properties, spec);
      var s = L.extend({}, spec.styles[c]);
      if (s.fillColor.indexOf("url(") === 0) { s.fillColor = hatchPattern(); }
      s.fillOpacity = s.fillOpacity * state.opacity;
      if (state.isolate !== null && c !== state.isolate) {
        s.fillOpacity = s.fillOpacity * 0.12;
        s.opacity = s.opacity * 0.3;
      }
      return s;
    }
    function rows(p) {
      var spec = state.active, v = p[spec.key], values;
      if (spec.periods) {
        var t = state.t[spec.key];
        var n = v.n.split(",")[t], z = v.z.split(",")[t];
        values = [spec.periods[t], spec.categories[v.c.charCodeAt(t) - 48],
          n === "" ? "no data" : number(Number(n), 0, 2),
          z === "" ? "no data" : number(Number(z), 2, 2)];
      } else {
        values = v.concat(p.n || []);
      }
      values = p.id.concat(values);
      return spec.labels.map(function (label, i) { return [label, values[i]]; }).slice(1);
    }

    // panels as Leaflet controls, in the order they are tabbed through
    ["topleft", "topright", "bottomleft"].forEach(function (corner) {
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
    // a narrow screen opens with the panels folded: the map comes first
    if (window.matchMedia && window.matchMedia("(max-width: 640px)").matches) {
      Array.prototype.forEach.call(
        document.querySelectorAll("#" + uid + "-topleft details[data-hs-fold], #" + uid +
          "-topright details[data-hs-fold]"), function (d) { d.open = false; });
    }
    function place() {
      // on a narrow screen the right-hand panels start below the title
      var right = document.getElementById(uid + "-topright");
      var title = document.getElementById(uid + "-topleft").querySelector(".hs-title");
      var narrow = map.getSize().x <= 640;
      right.parentNode.style.top = narrow ?
        Math.round(title.getBoundingClientRect().bottom -
          container.getBoundingClientRect().top) + "px" : "";
    }
    map.on("resize", place);
    place();
    var bounds = L.latLngBounds(config.bounds);
    function fit() {
      var wide = map.getSize().x > 900;
      var left = document.getElementById(uid + "-topleft");
      var right = document.getElementById(uid + "-topright");
      var paper = window.matchMedia && window.matchMedia("print").matches;
      if (paper) {
        // on paper only the title and the key are printed: London takes the rest
        var title = left.querySelector(".hs-title");
        map.fitBounds(bounds, {
          paddingTopLeft: [0, title ? title.offsetHeight + 14 : 0],
          paddingBottomRight: [right ? right.offsetWidth + 14 : 0, 0], animate: false
        });
        return;
      }
      map.fitBounds(bounds, wide ? {
        paddingTopLeft: [left ? left.offsetWidth + 10 : 0, 0],
        paddingBottomRight: [right ? right.offsetWidth + 10 : 0, 0], animate: false
      } : {padding: [4, 4], animate: false});
    }
    function refit() { map.invalidateSize({animate: false}); fit(); }
    // the view is set before the areas are drawn: they are projected once
    fit();

    var renderer = L.canvas({padding: 0.4, tolerance: 3});
    var byCode = {};
    var areas = L.featureGroup();
    data.features.forEach(function (feature) {
      var rings = feature.g.map(function (polygon) { return polygon.map(decode); });
      var shape = L.polygon(rings.length === 1 ? rings[0] : rings,
        L.extend({renderer: renderer}, style(feature)));
      shape.feature = feature;
      byCode[feature.properties.id[1]] = shape;
      areas.addLayer(shape);
    });
    areas.resetStyle = function (shape) { shape.setStyle(style(shape.feature)); };
    areas.setStyle = function () {
      areas.eachLayer(function (shape) { shape.setStyle(style(shape.feature)); });
    };
    areas.addTo(map);
    var pinned = null;
    areas.bindTooltip(function (shape) {
      var p = shape.feature.properties;
      return table(p.id[0], rows(p));
    }, {sticky: true, className: "hs-tooltip", direction: "auto", offset: [14, 0]});
    areas.on("mouseover", function (e) {
      if (pinned) { map.removeLayer(pinned); pinned = null; }
      e.layer.setStyle({weight: 2.5, color: "#000000", opacity: 1});
      e.layer.bringToFront();
    });
    areas.on("mouseout", function (e) { areas.resetStyle(e.layer); });

    // context drawn above the areas, letting the mouse through
    function pane(name, z) {
      var p = map.createPane(name);
      p.style.zIndex = z;
      p.style.pointerEvents = "none";
      return p;
    }
    pane("hsOutlines", 450); pane("hsHighlight", 460); pane("hsPlaces", 470);
    var svg = L.svg({pane: "hsOutlines"});
    var outlines = null, london = null, places = null;
    if (config.london) {
      london = L.geoJSON(config.london, {pane: "hsOutlines", renderer: svg, interactive: false,
        style: {color: "#202020", weight: 2.2, opacity: 1, fill: false, className: "hs-london"}
      }).addTo(map);
    }
    if (config.outlines) {
      outlines = L.geoJSON(config.outlines, {pane: "hsOutlines", renderer: svg,
        interactive: false,
        style: {color: "#1a1a1a", weight: 1.3, opacity: 0.85, fill: false,
          className: "hs-borough"}
      }).addTo(map);
    }
    if (config.places && config.places.length) {
      places = L.layerGroup(config.places.map(function (place) {
        var label = el("span", "", place[2]);
        return L.marker([place[0], place[1]], {
          pane: "hsPlaces", interactive: false, keyboard: false,
          icon: L.divIcon({className: "hs-place", html: label, iconSize: null})
        });
      })).addTo(map);
      var zoomClass = function () {
        container.classList.toggle("hs-zoomed-out", map.getZoom() < config.placesZoom);
      };
      map.on("zoomend", zoomClass);
      zoomClass();
    }
    var highlight = L.layerGroup().addTo(map);
    var hlRenderer = L.svg({pane: "hsHighlight"});
    function select(code, zoom) {
      var shape = byCode[code];
      if (!shape) { return false; }
      highlight.clearLayers();
      [["#ffffff", 6], ["#000000", 3]].forEach(function (s) {
        highlight.addLayer(L.polygon(shape.getLatLngs(), {pane: "hsHighlight",
          renderer: hlRenderer, interactive: false, color: s[0], weight: s[1], opacity: 1,
          fill: false, className: "hs-selected"}));
      });
      if (zoom) {
        map.fitBounds(shape.getBounds(), {maxZoom: 14, padding: [40, 40], animate: false});
      }
      areas.closeTooltip();
      if (pinned) { map.removeLayer(pinned); }
      pinned = L.tooltip({className: "hs-tooltip", direction: "top", offset: [0, -6]})
        .setLatLng(shape.getCenter())
        .setContent(table(shape.feature.properties.id[0], rows(shape.feature.properties)))
        .openOn(map);
      return true;
    }

    var root = document.getElementById(uid + "-topleft").parentNode.parentNode;
    function all(selector) { return Array.prototype.slice.call(root.querySelectorAll(selector)); }

    function legendCounts(spec) {
      if (!spec.periods) { return; }
      var t = state.t[spec.key];
      all("." + uid + "-layer[data-hs-layer='" + spec.key + "'] li[data-category]")
        .forEach(function (li) {
          var i = spec.categories.indexOf(li.getAttribute("data-category"));
          li.querySelector(".hs-n").textContent =
            "(" + spec.counts[t][i].toLocaleString("en-GB") + ")";
        });
    }
    function restyle() {
      // new options for every shape, then one redraw of the canvas (not one per shape)
      if (typeof renderer._redraw !== "function") { areas.setStyle(style); return; }
      areas.eachLayer(function (shape) { L.setOptions(shape, style(shape.feature)); });
      renderer._redrawBounds = null;
      if (renderer._map) { renderer._redraw(); }
    }
    function show(key, initial) {
      state.active = specs[key];
      state.isolate = null;
      all("." + uid + "-layer").forEach(function (node) {
        node.hidden = node.getAttribute("data-hs-layer") !== key;
      });
      all("button[data-hs-isolate]").forEach(function (b) {
        b.setAttribute("aria-pressed", "false");
      });
      if (pinned) { map.removeLayer(pinned); pinned = null; }
      areas.closeTooltip();
      highlight.clearLayers();
      if (!initial) { restyle(); }
    }
    function setPeriod(key, t) {
      var spec = specs[key];
      state.t[key] = t;
      all("." + uid + "-layer[data-hs-layer='" + key + "']").forEach(function (card) {
        var input = card.querySelector("input[data-hs-slider]");
        if (input) {
          input.value = String(t);
          input.setAttribute("aria-valuetext", spec.periods[t]);
        }
        card.querySelectorAll(".hs-period").forEach(function (out) {
          out.textContent = spec.periods[t];
        });
      });
      legendCounts(spec);
      if (state.active === spec) { restyle(); }
    }

    all("input[name='" + uid + "-layer']").forEach(function (radio) {
      radio.addEventListener("change", function () { if (radio.checked) { show(radio.value); } });
    });
    all("input[data-hs-slider]").forEach(function (input) {
      var key = input.getAttribute("data-hs-slider");
      input.addEventListener("input", function () { setPeriod(key, Number(input.value)); });
    });
    all("button[data-hs-play]").forEach(function (button) {
      var key = button.getAttribute("data-hs-play"), timer = null;
      function stop() {
        clearInterval(timer); timer = null;
        button.setAttribute("aria-pressed", "false");
        button.textContent = "\u25B6 Play";
      }
      button.addEventListener("click", function () {
        if (timer) { stop(); return; }
        var last = specs[key].periods.length - 1;
        if (state.t[key] >= last) { setPeriod(key, 0); }
        button.setAttribute("aria-pressed", "true");
        button.textContent = "\u275A\u275A Pause";
        timer = setInterval(function () {
          if (state.t[key] >= last) { stop(); return; }
          setPeriod(key, state.t[key] + 1);
        }, 800);
      });
    });
    all("button[data-hs-isolate]").forEach(function (button) {
      button.addEventListener("click", function () {
        var c = button.getAttribute("data-hs-isolate");
        var on = state.isolate !== c;
        state.isolate = on ? c : null;
        all("button[data-hs-isolate]").forEach(function (b) {
          b.setAttribute("aria-pressed", String(on && b === button));
        });
        restyle();
      });
    });
    all("li[data-code] button").forEach(function (button) {
      button.addEventListener("click", function () {
        select(button.parentNode.getAttribute("data-code"), true);
      });
    });
    all("button[data-hs-csv]").forEach(function (button) {
      button.addEventListener("click", function () {
        var list = button.parentNode;
        var lines = [["rank", "code", "name", "borough", "detail"].join(",")];
        list.querySelectorAll("li[data-code]").forEach(function (li, i) {
          lines.push([i + 1, li.getAttribute("data-code"), li.querySelector("b").textContent,
            li.getAttribute("data-borough"), li.getAttribute("data-detail")]
            .map(csvCell).join(","));
        });
        download(button.getAttribute("data-hs-csv") + ".csv", lines.join("\r\n") + "\r\n");
      });
    });
    function strokeRings(ctx, rings) {
      // nested Leaflet LatLng arrays, each innermost array one ring
      if (!rings.length) { return; }
      if (!Array.isArray(rings[0])) {
        rings.forEach(function (ll, i) {
          var pt = map.latLngToContainerPoint(ll);
          if (i === 0) { ctx.moveTo(pt.x, pt.y); } else { ctx.lineTo(pt.x, pt.y); }
        });
        ctx.closePath();
        return;
      }
      rings.forEach(function (r) { strokeRings(ctx, r); });
    }
    function wrap(ctx, text, width) {
      var lines = [], line = "";
      text.split(" ").forEach(function (word) {
        var next = line ? line + " " + word : word;
        if (line && ctx.measureText(next).width > width) { lines.push(line); line = word; }
        else { line = next; }
      });
      if (line) { lines.push(line); }
      return lines;
    }
    function viewPng() {
      // the visible map as drawn (areas from the canvas, outlines redrawn on top) and a
      // caption with the title, the layer and the licence line the data require
      var size = map.getSize(), ratio = window.devicePixelRatio || 1, pad = 8;
      var spec = state.active;
      var heading = config.title + (config.layers.length > 1 ? " \u2013 " + spec.name : "") +
        (spec.periods ? ", " + spec.periods[state.t[spec.key]] : "");
      var probe = document.createElement("canvas").getContext("2d");
      probe.font = "bold 14px sans-serif";
      var head = wrap(probe, heading, size.x - 2 * pad);
      // the key as the page shows it: its title, then swatch and text per entry, in rows
      var legend = root.querySelector("." + uid + "-layer[data-hs-layer='" + spec.key +
        "'] .hs-legend");
      var keyTitle = [], keyRows = [];
      if (legend) {
        probe.font = "bold 12px sans-serif";
        keyTitle = wrap(probe, legend.querySelector(".hs-h").textContent, size.x - 2 * pad);
        probe.font = "11px sans-serif";
        var row = [], x = 0;
        legend.querySelectorAll("li[data-category]").forEach(function (li) {
          var text = li.textContent.replace(/\s+/g, " ").trim();
          var w = 20 + probe.measureText(text).width + 14;
          if (row.length && x + w > size.x - 2 * pad) { keyRows.push(row); row = []; x = 0; }
          row.push({category: li.getAttribute("data-category"), text: text, x: x});
          x += w;
        });
        if (row.length) { keyRows.push(row); }
      }
      probe.font = "11px sans-serif";
      var licence = wrap(probe, config.attribution, size.x - 2 * pad);
      var caption = pad + 18 * head.length + 15 * keyTitle.length + 16 * keyRows.length +
        4 + 14 * licence.length + pad;
      var out = document.createElement("canvas");
      out.width = Math.round(size.x * ratio);
      out.height = Math.round((size.y + caption) * ratio);
      var ctx = out.getContext("2d");
      ctx.scale(ratio, ratio);
      ctx.fillStyle = config.background;
      ctx.fillRect(0, 0, size.x, size.y);
      var box = container.getBoundingClientRect();
      var drawn = renderer._container;
      if (drawn && drawn.getContext) {
        var r = drawn.getBoundingClientRect();
        ctx.drawImage(drawn, r.left - box.left, r.top - box.top, r.width, r.height);
      }
      [london, outlines].forEach(function (layer) {
        if (!layer || !map.hasLayer(layer)) { return; }
        layer.eachLayer(function (shape) {
          ctx.beginPath();
          strokeRings(ctx, shape.getLatLngs());
          ctx.strokeStyle = shape.options.color;
          ctx.lineWidth = shape.options.weight;
          ctx.globalAlpha = shape.options.opacity;
          ctx.stroke();
          ctx.globalAlpha = 1;
        });
      });
      ctx.fillStyle = "#ffffff";
      ctx.fillRect(0, size.y, size.x, caption);
      ctx.fillStyle = "#111111";
      ctx.textBaseline = "top";
      var y = size.y + pad;
      ctx.font = "bold 14px sans-serif";
      head.forEach(function (line) { ctx.fillText(line, pad, y); y += 18; });
      ctx.font = "bold 12px sans-serif";
      keyTitle.forEach(function (line) { ctx.fillText(line, pad, y); y += 15; });
      ctx.font = "11px sans-serif";
      keyRows.forEach(function (items) {
        items.forEach(function (item) {
          var st = spec.styles[item.category] || {fillColor: "#ffffff"};
          var fill = st.fillColor;
          ctx.fillStyle = fill.indexOf("url(") === 0 ? hatchPattern() : fill;
          ctx.fillRect(pad + item.x, y + 1, 16, 11);
          ctx.strokeStyle = "#777777"; ctx.lineWidth = 1;
          ctx.strokeRect(pad + item.x + 0.5, y + 1.5, 15, 10);
          ctx.fillStyle = "#111111";
          ctx.fillText(item.text, pad + item.x + 20, y);
        });
        y += 16;
      });
      y += 4;
      licence.forEach(function (line) { ctx.fillText(line, pad, y); y += 14; });
      return new Promise(function (resolve) { out.toBlob(resolve, "image/png"); });
    }
    all("button[data-hs-png]").forEach(function (button) {
      button.addEventListener("click", function () {
        var name = button.getAttribute("data-hs-png") + "-view.png";
        api.png = viewPng().then(function (blob) {
          if (blob) { download(name, blob); }
          return blob;
        });
      });
    });
    all("input[data-hs-toggle]").forEach(function (box) {
      var layer = {outlines: outlines, places: places}[box.getAttribute("data-hs-toggle")];
      box.addEventListener("change", function () {
        if (!layer) { return; }
        if (box.checked) { layer.addTo(map); } else { map.removeLayer(layer); }
      });
    });
    all("input[data-hs-opacity]").forEach(function (input) {
      input.addEventListener("input", function () {
        state.opacity = Number(input.value);
        input.setAttribute("aria-valuetext", Math.round(100 * state.opacity) + "%");
        restyle();
      });
    });
    all("form[data-hs-search]").forEach(function (form) {
      var input = form.querySelector("input"), out = form.querySelector("output");
      form.addEventListener("submit", function (e) {
        e.preventDefault();
        var q = input.value.trim().toLowerCase();
        if (!q) { return; }
        var found = null, features = data.features, i, id;
        var tests = [
          function (id) { return id[1].toLowerCase() === q || id[0].toLowerCase() === q; },
          function (id) { return id[0].toLowerCase().indexOf(q) === 0; },
          function (id) { return id[0].toLowerCase().indexOf(q) >= 0; }
        ];
        for (var k = 0; k < tests.length && !found; k++) {
          for (i = 0; i < features.length; i++) {
            id = features[i].properties.id;
            if (tests[k](id)) { found = id; break; }
          }
        }
        if (found) {
          select(found[1], true);
          out.textContent = "Showing " + found[0] + " (" + found[1] + ")";
        } else {
          out.textContent = "No area matches \u201C" + input.value + "\u201D";
        }
      });
    });

    if (window.matchMedia) {
      var printing = window.matchMedia("print");
      var onPrint = function () { refit(); };
      if (printing.addEventListener) { printing.addEventListener("change", onPrint); }
      else if (printing.addListener) { printing.addListener(onPrint); }
    }
    window.addEventListener("beforeprint", refit);
    window.addEventListener("afterprint", refit);
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution(config.attribution);
    show(state.active.key, true);
    config.layers.forEach(function (spec) { if (spec.periods) { legendCounts(spec); } });

    var api = {
      // the promise of the last "Save view as PNG" (its Blob), for tests and scripts
      png: null, viewPng: viewPng,
      map: map, areas: areas, byCode: byCode, state: state, show: show,
      setPeriod: setPeriod, select: select, refit: refit,
      // the fill of every area in data order, as written in the layer's styles
      fills: function () {
        return data.features.map(function (f) {
          return state.active.styles[category(f.properties, state.active)].fillColor;
        });
      }
    };
    pages[uid] = api;
    return api;
  }

  return {page: page, pages: pages};
})();
