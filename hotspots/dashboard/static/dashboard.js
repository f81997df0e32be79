/* london-hotspots dashboard: draws the figures embedded in the page (no network, no library
   beyond Leaflet). Charts are small hand-written SVG. Every text from the data is set with
   textContent, never parsed as HTML. */
(function () {
  "use strict";
  const D = JSON.parse(document.getElementById("dashboard-data").textContent);
  const $ = (id) => document.getElementById(id);
  const state = { type: D.types[0].id, level: D.initial_level, measure: "count", area: null };
  const NUMBER = new Intl.NumberFormat("en-GB");
  const W = D.window_months;
  const LATEST = "latest " + (W === 1 ? "month" : W + " months");
  const TESTED = D.windows.before !== null;
  const NOT_TESTED = "not tested: the data cover " + D.months.length + (D.months.length === 1 ? " month" : " months") +
    "; the test compares the latest 12 months with the same 12 months a year earlier";

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }
  function svg(tag, attrs) {
    const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    return node;
  }
  const fmt = (v) => (v === null || v === undefined ? "no data" : NUMBER.format(v));
  const pct = (v) => (v === null || v === undefined ? "n/a" : (v > 0 ? "+" : "") + v.toFixed(1) + "%");
  const pval = (p) => (p === null || p === undefined ? "n/a" : p < 0.001 ? "< 0.001" : p.toFixed(3));
  const level = () => D.levels.find((l) => l.id === state.level);
  const fig = () => D.figures[state.type][state.level];
  const typeName = () => D.types.find((t) => t.id === state.type).name;

  // ---------------------------------------------------------------- selectors
  function fill(select, options, value) {
    select.replaceChildren(...options.map(([v, text]) => el("option", { value: v }, text)));
    select.value = value;
  }
  fill($("type"), D.types.map((t) => [t.id, t.name]), state.type);
  fill($("level"), D.levels.map((l) => [l.id, l.name]), state.level);
  function measures() {
    const rate = fig().rate !== null;
    const all = [
      ["count", (rate ? "Rate per 1,000 residents, " : "Offences, ") + LATEST],
      ["change", "Change: " + LATEST + " vs a year earlier, relative to London's trend"],
      ["hotspot", "Hot-spot state (Gi*)"],
      ["emerging", "Emerging pattern over " + D.months.length + " months"],
    ];
    return TESTED ? all : all.filter((m) => m[0] !== "change");
  }
  function fillAreas() {
    const lv = level();
    const order = lv.codes.map((_, i) => i).sort((a, b) => lv.names[a].localeCompare(lv.names[b]));
    const options = [["", "Choose a " + lv.noun + "…"]].concat(
      order.map((i) => [String(i), lv.names[i] + (lv.id === "boroughs" ? "" : " (" + D.borough_names[lv.boroughs[i]] + ")")]));
    fill($("area"), options, state.area === null ? "" : String(state.area));
  }

  // ---------------------------------------------------------------- colours
  function quantiles(values) {
    const v = values.filter((x) => x !== null).sort((a, b) => a - b);
    if (!v.length) return [];
    const edges = [];
    for (let k = 1; k < D.ramp.length; k++) edges.push(v[Math.floor((k * (v.length - 1)) / D.ramp.length)]);
    return Array.from(new Set(edges));
  }
  function colouring() {
    const f = fig();
    if (state.measure === "count") {
      const values = f.rate !== null ? f.rate : f.after;
      const edges = quantiles(values);
      const ramp = D.ramp.slice(D.ramp.length - edges.length - 1);
      const classOf = (x) => { let c = 0; while (c < edges.length && x > edges[c]) c++; return c; };
      const items = ramp.map((colour, c) => {
        if (!edges.length) return [colour, "every area"];
        if (c === 0) return [colour, "up to " + NUMBER.format(edges[0])];
        const above = "over " + NUMBER.format(edges[c - 1]);
        return [colour, c < edges.length ? above + " to " + NUMBER.format(edges[c]) : above];
      });
      return {
        title: f.rate !== null ? "Offences per 1,000 residents" : "Offences",
        fillOf: (i) => (values[i] === null ? null : ramp[classOf(values[i])]),
        items,
      };
    }
    const scheme = D.schemes[state.measure];
    const labels = f[state.measure];
    const present = new Set(labels);
    return {
      title: measures().find((m) => m[0] === state.measure)[1],
      fillOf: (i) => (labels[i] in scheme ? scheme[labels[i]] : null),
      items: Object.entries(scheme).filter(([label]) => present.has(label)).map(([l, c]) => [c, l]),
    };
  }

  // ---------------------------------------------------------------- map
  const map = L.map("map", { zoomSnap: 0.25, attributionControl: true, keyboard: true });
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution(D.attribution_short);
  const layers = {};
  let outlines = null;
  let colours = null;
  function styleOf(feature) {
    const i = feature.properties.i;
    const colour = colours.fillOf(i);
    const selected = i === state.area;
    const base = colour === null
      ? { fillColor: "#d9d9d9", fillOpacity: 0.6, color: "#333", weight: 0.9, dashArray: "2 2" }
      : { fillColor: colour, fillOpacity: 0.85, color: "#fff", weight: 0.5, dashArray: null };
    if (selected) Object.assign(base, { color: "#000", weight: 3, dashArray: null });
    return base;
  }
  function layerFor(id) {
    if (!layers[id]) {
      const lv = D.levels.find((l) => l.id === id);
      layers[id] = L.geoJSON(lv.geometry, {
        style: styleOf,
        onEachFeature: (feature, layer) => {
          const i = feature.properties.i;
          layer.bindTooltip(() => lv.names[i] + ": " + tooltipText(i), { sticky: true });
          layer.on("click", () => select(i));
        },
      });
    }
    return layers[id];
  }
  function tooltipText(i) {
    const f = fig();
    if (state.measure === "count") {
      return f.rate !== null && f.rate[i] !== null ? f.rate[i] + " per 1,000" : fmt(f.after[i]);
    }
    return f[state.measure][i];
  }
  function showLevel() {
    for (const [id, layer] of Object.entries(layers)) if (id !== state.level) map.removeLayer(layer);
    layerFor(state.level).addTo(map);
    const boroughs = D.levels.find((l) => l.id === "boroughs");
    if (state.level !== "boroughs" && boroughs) {
      if (!outlines) {
        outlines = L.geoJSON(boroughs.geometry, {
          style: { fill: false, color: "#222", weight: 1.3, opacity: 0.7 }, interactive: false,
        });
      }
      outlines.addTo(map);
    } else if (outlines) {
      map.removeLayer(outlines);
    }
  }
  function restyle() {
    colours = colouring();
    layerFor(state.level).setStyle(styleOf);
    if (state.area !== null) {
      layerFor(state.level).eachLayer((l) => { if (l.feature.properties.i === state.area) l.bringToFront(); });
    }
    drawLegend();
  }
  function drawLegend() {
    const box = $("legend");
    const list = el("ul");
    for (const [colour, label] of colours.items) {
      const li = el("li");
      const sw = el("span", { class: "swatch", "aria-hidden": "true" });
      sw.style.background = colour;
      li.append(sw, el("span", {}, label));
      list.append(li);
    }
    const nodata = el("li");
    nodata.append(el("span", { class: "swatch nodata", "aria-hidden": "true" }), el("span", {}, D.no_data + " (not policed by the Met, or no count)"));
    list.append(nodata);
    box.replaceChildren(el("h3", {}, colours.title), list);
  }

  // ---------------------------------------------------------------- panel
  function arrow(percent) {
    if (percent === null || percent === undefined) return "";
    return percent > 0 ? "▲ " : percent < 0 ? "▼ " : "";
  }
  function interval(iv) {
    return iv ? " (interval " + pct(iv[0]) + " to " + pct(iv[1]) + ")" : "";
  }
  function tile(box, heading, record) {
    box.replaceChildren();
    box.append(el("h3", {}, heading));
    if (!record) { box.append(el("p", { class: "hint" }, "Choose an area to see its borough.")); return; }
    const big = el("div", { class: "big" }, fmt(record.after));
    if (!TESTED || record.change === null) {
      box.append(big, el("div", {}, "offences, " + D.windows.after), el("div", { class: "hint" }, "Change " + NOT_TESTED + "."));
      return;
    }
    box.append(big, el("div", {}, "offences, " + D.windows.after + " (a year earlier, " + D.windows.before + ": " + fmt(record.before) + ")"));
    const change = el("div", { class: record.percent > 0 ? "up" : record.percent < 0 ? "down" : "" },
      arrow(record.percent) + pct(record.percent) + interval(record.interval));
    change.setAttribute("data-percent", record.percent === null ? "" : String(record.percent));
    box.append(change, el("div", {}, record.change + (record.london ? " (against no change)" : " (relative to London's trend)")));
    if (record.without) box.append(el("div", { class: "hint" }, "Without " + record.without.join(", ") + " (see How to read this)."));
  }
  function boroughRecord(i) {
    const lv = level();
    const bl = D.levels.findIndex((l) => l.id === "boroughs");
    if (bl < 0 || i === null) return null;
    const code = lv.boroughs[i];
    const j = D.levels[bl].codes.indexOf(code);
    if (j < 0) return null;
    const f = D.figures[state.type].boroughs;
    return {
      name: D.levels[bl].names[j], after: f.after[j], before: f.before ? f.before[j] : null,
      percent: f.percent ? f.percent[j] : null,
      change: f.change ? f.change[j] : null, interval: f.interval ? f.interval[j] : null,
      without: D.excluded_from[code] || null,
    };
  }
  function drawTiles() {
    tile($("tile-london"), "London · " + typeName(), Object.assign({ london: true, without: Object.values(D.excluded_from).flat().length ? Object.values(D.excluded_from).flat() : null }, D.london[state.type]));
    const b = boroughRecord(state.area);
    tile($("tile-borough"), b ? b.name : "Borough", b);
  }
  function drawDetail() {
    const lv = level();
    const f = fig();
    const i = state.area;
    const figures = $("figures");
    if (i === null) {
      $("detail-name").textContent = "Choose a " + lv.noun;
      $("detail-hint").hidden = false;
      $("chart").replaceChildren();
      figures.replaceChildren();
      return;
    }
    $("detail-hint").hidden = true;
    const borough = lv.id === "boroughs" ? null : D.borough_names[lv.boroughs[i]];
    $("detail-name").textContent = lv.names[i] + (borough ? ", " + borough : "");
    drawChart(i, borough);
    const rows = [["Offences, " + D.windows.after, fmt(f.after[i]), "after"]];
    if (TESTED) {
      rows.push(
        ["Offences, " + D.windows.before, fmt(f.before[i]), "before"],
        ["Change", arrow(f.percent[i]) + pct(f.percent[i]) + interval(f.interval ? f.interval[i] : null), "percent"],
        ["Change test", f.change[i] + (f.p_adjusted[i] === null ? "" : " (relative to London's trend; adjusted p " + pval(f.p_adjusted[i]) + ")"), "change"]);
    } else {
      rows.push(["Change", NOT_TESTED, "change"]);
    }
    if (f.rate !== null) rows.push(["Rate per 1,000 residents", f.rate[i] === null ? "no data" : String(f.rate[i]), "rate"]);
    let gi = f.hotspot[i];
    if (f.hotspot_z[i] !== null) {
      gi += " (z " + f.hotspot_z[i].toFixed(2);
      gi += f.hotspot_p[i] !== null ? "; p " + pval(f.hotspot_p[i]) + ")" : ")";
    }
    rows.push(["Hot-spot state", gi, "hotspot"], ["Emerging pattern", f.emerging[i], "emerging"]);
    const rank = f.risk.order.indexOf(i);
    if (rank >= 0) rows.push(["At-risk list", "number " + (rank + 1), "rank"]);
    if (f.excluded.includes(i) && D.excluded) rows.push(["Note", D.excluded, "excluded"]);
    if (f.repeats && f.repeats[i] !== null) rows.push(["Repeat victimisation", String(f.repeats[i]), "repeats"]);
    figures.replaceChildren();
    for (const [term, value, key] of rows) {
      figures.append(el("dt", {}, term), el("dd", { "data-figure": key }, value));
    }
  }
  function drawChart(i, borough) {
    const f = fig();
    const lv = level();
    const series = [
      { cls: "area-line", name: lv.names[i], values: f.series[i] },
    ];
    if (borough) series.push({ cls: "borough-line", name: "Average " + lv.noun + " in " + borough, values: f.borough_mean[lv.boroughs[i]] });
    series.push({ cls: "london-line", name: "Average " + lv.noun + " in London", values: f.london_mean });
    const WIDTH = 380, H = 190, left = 38, right = 8, top = 10, bottom = 28;
    const n = D.months.length;
    const all = series.flatMap((s) => s.values.filter((v) => v !== null));
    const max = Math.max(1, ...all);
    const step = niceStep(max / 4);
    const ymax = Math.ceil(max / step) * step;
    const x = (k) => left + (n === 1 ? 0 : (k * (WIDTH - left - right)) / (n - 1));
    const y = (v) => top + (H - top - bottom) * (1 - v / ymax);
    const chart = svg("svg", { viewBox: "0 0 " + WIDTH + " " + H, role: "img", "aria-labelledby": "chart-title chart-desc" });
    const title = svg("title", { id: "chart-title" });
    title.textContent = typeName() + " per month in " + lv.names[i];
    const desc = svg("desc", { id: "chart-desc" });
    desc.textContent = "Monthly offences from " + D.months[0] + " to " + D.months[n - 1] +
      (borough ? ", with the average " + lv.noun + " of " + borough + " and of London" : ", with the average of London") +
      ". The shaded part is the " + LATEST + ".";
    chart.append(title, desc);
    const later = Math.max(0, n - W);
    chart.append(svg("rect", { class: "window", x: x(later) - 3, y: top, width: x(n - 1) - x(later) + 6, height: H - top - bottom }));
    for (let v = 0; v <= ymax + 1e-9; v += step) {
      chart.append(svg("line", { class: "grid", x1: left, x2: WIDTH - right, y1: y(v), y2: y(v) }));
      const t = svg("text", { x: left - 4, y: y(v) + 3, "text-anchor": "end" });
      t.textContent = NUMBER.format(Math.round(v * 100) / 100);
      chart.append(t);
    }
    chart.append(svg("line", { class: "axis", x1: left, x2: WIDTH - right, y1: y(0), y2: y(0) }));
    for (const k of Array.from(new Set([0, later, n - 1]))) {
      const t = svg("text", { x: x(k), y: H - bottom + 14, "text-anchor": k === 0 ? "start" : k === n - 1 ? "end" : "middle" });
      t.textContent = D.months[k];
      chart.append(t);
    }
    for (const s of series) {
      let d = "";
      let pen = false;
      s.values.forEach((v, k) => {
        if (v === null) { pen = false; return; }
        d += (pen ? "L" : "M") + x(k).toFixed(1) + " " + y(v).toFixed(1);
        pen = true;
      });
      chart.append(svg("path", { class: s.cls, d, "data-values": JSON.stringify(s.values) }));
    }
    const key = el("ul", { class: "chart-key", "aria-hidden": "true" });
    for (const s of series) {
      const li = el("li");
      const mark = el("span", { class: "key-" + s.cls });
      mark.style.borderTopStyle = s.cls === "area-line" ? "solid" : s.cls === "borough-line" ? "dashed" : "dotted";
      mark.style.borderTopColor = s.cls === "area-line" ? "#1b1b1b" : s.cls === "borough-line" ? "#c05a00" : "#1d4f91";
      li.append(mark, document.createTextNode(s.name));
      key.append(li);
    }
    // the same numbers as a table, for screen readers
    const table = el("table");
    const head = el("tr");
    head.append(el("th", {}, "Month"), ...series.map((s) => el("th", {}, s.name)));
    table.append(el("caption", {}, title.textContent), head);
    D.months.forEach((m, k) => {
      const row = el("tr");
      row.append(el("th", {}, m), ...series.map((s) => el("td", {}, fmt(s.values[k]))));
      table.append(row);
    });
    const hidden = el("div", { class: "sr-only" });
    hidden.append(table);
    $("chart").replaceChildren(chart, key, hidden);
  }
  function niceStep(raw) {
    const p = Math.pow(10, Math.floor(Math.log10(Math.max(raw, 1e-9))));
    for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= raw) return m * p;
    return 10 * p;
  }
  function drawRisk() {
    const f = fig();
    const lv = level();
    $("risk-what").textContent = "Ranks " + f.risk.ranks + "." +
      (f.excluded.length && D.excluded ? " Not ranked: " + f.excluded.map((i) => lv.names[i]).join(", ") + " (see How to read this)." : "");
    const list = $("risk-list");
    list.replaceChildren();
    for (const i of f.risk.order) {
      const li = el("li");
      const label = lv.names[i] + (lv.id === "boroughs" ? "" : " (" + D.borough_names[lv.boroughs[i]] + ")");
      const button = el("button", { type: "button", "data-index": String(i) }, label);
      button.addEventListener("click", () => { select(i); $("panel").focus(); });
      li.append(button, document.createTextNode(": " + fmt(f.after[i]) + " offences"));
      list.append(li);
    }
    const evaluation = f.evaluation;
    $("evaluation").hidden = !evaluation;
    $("evaluation-text").textContent = evaluation ? evaluation.text : "";
  }

  // ---------------------------------------------------------------- wiring
  function select(i) {
    state.area = i;
    $("area").value = i === null ? "" : String(i);
    restyle();
    drawTiles();
    drawDetail();
  }
  function refresh() {
    fill($("measure"), measures(), state.measure);
    fillAreas();
    colours = colouring();
    showLevel();
    restyle();
    drawTiles();
    drawDetail();
    drawRisk();
    $("subtitle").textContent = typeName() + " · " + level().name + " · " + D.months[0] + " to " + D.months[D.months.length - 1];
  }
  $("type").addEventListener("change", (e) => { state.type = e.target.value; refresh(); });
  $("level").addEventListener("change", (e) => { state.level = e.target.value; state.area = null; refresh(); });
  $("measure").addEventListener("change", (e) => { state.measure = e.target.value; restyle(); });
  $("area").addEventListener("change", (e) => select(e.target.value === "" ? null : Number(e.target.value)));

  refresh();
  const bounds = layerFor(state.level).getBounds();
  map.fitBounds(bounds, { padding: [4, 4] });
  window.addEventListener("beforeprint", () => {
    $("howto").open = true; // the printed page explains itself
    map.invalidateSize();
    map.fitBounds(bounds, { padding: [4, 4], animate: false });
  });
  document.documentElement.setAttribute("data-ready", "1");
  performance.mark("hotspots-dashboard-ready");
})();
