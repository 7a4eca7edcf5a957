// The campaign report page: reads the report (proto/report.proto in protobuf JSON form) from
// <script id="report-data">, builds the header, the per-device-class plots (Vega-Lite through
// vega-embed, canvas renderer) and the table of the Pareto front. Inlined into report.html by
// results/report_html.h after Vega, Vega-Lite and vega-embed; needs no network. Never throws
// on missing pieces: a plot without data becomes a "no data" note.
//
// Plot ids (stable; <class> is DeviceInfo.device_class verbatim, one set per Report.devices
// entry, in its order):
//   quality-vs-decode:<class>   quality vs decode ms/token        (only when some candidate
//   quality-vs-memory:<class>   quality vs peak memory (MiB)       has a quality score)
//   prefill-vs-decode:<class>   prefill tokens/s vs decode tokens/s
//   memory-vs-context:<class>   memory vs context length, front members and references
//   decode-vs-depth:<class>     decode tokens/s vs depth, front members and references
//   hypervolume                 hypervolume per generation
//
// Which numbers, and what `points` counts (render_report.mjs recomputes these on its own):
//   A candidate's figures for class c are its Candidate.devices entry with device_class c and
//   outcome "OK" (other outcomes: not in any plot of c). Numbers must be finite.
//   decode figure  = the DecodePoint of smallest depth in that entry's decode list
//                    (ms_per_token / tokens_per_s: median, p10, p90)
//   prefill figure = the PrefillPoint of largest prompt_length (tokens_per_s)
//   peak memory    = peak_memory_bytes, shown in MiB
//   quality-vs-decode: candidates with quality and a decode ms/token median     -> 1 point each
//   quality-vs-memory: candidates with quality and peak_memory_bytes            -> 1 point each
//   prefill-vs-decode: candidates with a prefill and a decode tokens/s median   -> 1 point each
//   memory-vs-context: candidates with on_front or reference != "": one point per
//                      memory_by_context entry with finite bytes (filled = measured)
//   decode-vs-depth:   candidates with on_front or reference != "": one point per decode
//                      entry with a finite tokens_per_s median
//   hypervolume:       one point per Report.generations entry with a finite hypervolume
//   A plot with 0 points is a "no data" note (still listed, points 0, rendered false).
//   `points` is read back from the rendered view: the items of the marks named points*.
//
// Test hook: when every plot has settled, window.__nasReport = {status: "rendered"|"error",
// render_ms (performance.now() from the start of this script), page_ms (from navigation),
// errors: [page errors, unhandled rejections, console.error calls, failed embeds],
// plots: {id: {points, title, rendered}}} and document.body.dataset.reportStatus = status.
(function () {
  "use strict";
  var T0 = performance.now();
  var ERRORS = window.__nasErrors || (window.__nasErrors = []);

  // ---------- small helpers ----------
  function arr(x) { return Array.isArray(x) ? x : []; }
  function obj(x) { return x && typeof x === "object" ? x : {}; }
  // The objects of a list (a null entry in a repeated message field is skipped, not {}).
  function objs(x) { return arr(x).filter(function (e) { return e && typeof e === "object"; }); }
  function str(x) { return x === undefined || x === null ? "" : String(x); }
  function num(x) {
    if (x === undefined || x === null || x === "") return NaN;
    var v = Number(x);
    return Number.isFinite(v) ? v : NaN;
  }
  function fin(x) { return typeof x === "number" && Number.isFinite(x); }
  function has(o, k) { return o && Object.prototype.hasOwnProperty.call(o, k); }

  function el(tag, attrs) {
    var e = document.createElement(tag);
    if (attrs) {
      for (var k in attrs) {
        if (!has(attrs, k) || attrs[k] === undefined || attrs[k] === null) continue;
        if (k === "class") e.className = attrs[k];
        else if (k === "text") e.textContent = attrs[k];
        else if (k === "title") e.title = attrs[k];
        else if (k.indexOf("on") === 0) e.addEventListener(k.slice(2), attrs[k]);
        else e.setAttribute(k, attrs[k]);
      }
    }
    for (var i = 2; i < arguments.length; i++) append(e, arguments[i]);
    return e;
  }
  function append(parent, c) {
    if (c === undefined || c === null || c === false) return;
    if (Array.isArray(c)) { c.forEach(function (x) { append(parent, x); }); return; }
    parent.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }

  var MiB = 1024 * 1024;
  function sig(v, digits) {
    if (!fin(v)) return "—";
    var a = Math.abs(v);
    if (a === 0) return "0";
    if (a >= 1000) return Math.round(v).toLocaleString("en-US");
    var d = Math.max(0, (digits || 3) - 1 - Math.floor(Math.log10(a)));
    return v.toFixed(Math.min(d, 6));
  }
  function fmtParams(v) {
    if (!fin(v)) return "—";
    if (Math.abs(v) >= 1e9) return sig(v / 1e9, 4) + " B";
    if (Math.abs(v) >= 1e6) return sig(v / 1e6, 4) + " M";
    if (Math.abs(v) >= 1e3) return sig(v / 1e3, 4) + " k";
    return String(v);
  }
  function fmtBytes(v) {
    if (!fin(v)) return "—";
    if (Math.abs(v) >= 1024 * MiB) return sig(v / (1024 * MiB), 4) + " GiB";
    if (Math.abs(v) >= MiB) return sig(v / MiB, 4) + " MiB";
    if (Math.abs(v) >= 1024) return sig(v / 1024, 4) + " KiB";
    return Math.round(v) + " B";
  }
  function fmtUnit(v, unit) {
    if (!fin(v)) return "—";
    if (unit === "bytes") return fmtBytes(v);
    if (unit === "parameters") return fmtParams(v);
    if (unit === "ms") return sig(v, 3) + " ms";
    if (unit === "tokens/s") return sig(v, 3) + " tok/s";
    return sig(v, 3) + (unit ? " " + unit : "");
  }
  function fmtTime(ms) {
    if (!fin(ms) || ms <= 0) return "—";
    var d = new Date(ms);
    return d.toISOString().slice(0, 16).replace("T", " ") + " UTC";
  }
  function fmtDuration(ms) {
    if (!fin(ms) || ms < 0) return "—";
    var m = Math.round(ms / 60000);
    if (m < 60) return m + " min";
    var h = Math.floor(m / 60);
    if (h < 48) return h + " h " + (m % 60) + " min";
    return Math.floor(h / 24) + " d " + (h % 24) + " h";
  }
  function stat(s) {
    s = obj(s);
    return {m: num(s.median), p10: num(s.p10), p90: num(s.p90)};
  }
  function statText(s, f) {
    var t = f(s.m);
    if (fin(s.p10) && fin(s.p90)) t += "  (p10 " + f(s.p10) + ", p90 " + f(s.p90) + ")";
    return t;
  }
  function errorText(e) { return e && e.message ? e.message : String(e); }

  // ---------- the report's data, normalised ----------
  function figuresFor(c, cls) {
    var devs = objs(c.devices);
    for (var i = 0; i < devs.length; i++) {
      var d = devs[i];
      if (str(d.device_class) === cls) return d.outcome === "OK" ? d : null;
    }
    return null;
  }
  function minDepthDecode(d) {
    var best = null;
    objs(d.decode).forEach(function (p) {
      if (best === null || num(p.depth || 0) < num(best.depth || 0)) best = p;
    });
    return best;
  }
  function maxLengthPrefill(d) {
    var best = null;
    objs(d.prefill).forEach(function (p) {
      if (best === null || num(p.prompt_length || 0) > num(best.prompt_length || 0)) best = p;
    });
    return best;
  }

  var LETTER_COLORS = {A: "#d1495b", W: "#edae49", C: "#00798c", R: "#6a4c93", "-": "#9aa0a6"};
  function letterColor(ch) { return LETTER_COLORS[ch.toUpperCase()] || "#5f6b7a"; }
  function layerStrip(layers) {
    var s = el("span", {class: "strip", title: layers});
    for (var i = 0; i < layers.length; i++) {
      var ch = layers[i];
      var shared = ch !== ch.toUpperCase();
      s.appendChild(el("span", {
        class: "cell" + (shared ? " shared" : ""),
        style: "--c:" + letterColor(ch),
        text: ch,
      }));
    }
    return s;
  }

  // ---------- plots ----------
  var KIND_FRONT = "Pareto front", KIND_OTHER = "other candidates", KIND_REF = "reference";
  var KIND_DOMAIN = [KIND_FRONT, KIND_OTHER, KIND_REF];
  var KIND_COLORS = ["#1f6feb", "#9aa4b1", "#e8590c"];
  var FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif";
  var VL_CONFIG = {
    font: FONT,
    view: {stroke: "#d0d7de"},
    axis: {labelColor: "#3d4752", titleColor: "#1f2933", titleFontWeight: 600, gridColor: "#edf0f3", labelFontSize: 11, titleFontSize: 12,
      labelOverlap: "greedy"},
    // Small latencies (0.015 ms...) have long labels: fewer ticks keep them apart.
    axisX: {tickCount: 6, labelOverlap: "greedy", labelFlush: true},
    legend: {labelFontSize: 11, titleFontSize: 11, orient: "bottom", direction: "horizontal", titleFontWeight: 600},
    title: {fontSize: 14, fontWeight: 600, anchor: "start", color: "#1f2933", subtitleColor: "#5f6b7a", subtitleFontSize: 11, offset: 8},
  };
  var WIDTH = 400, HEIGHT = 260;

  function kindOf(c) { return str(c.reference) ? KIND_REF : c.on_front ? KIND_FRONT : KIND_OTHER; }
  var KIND_RANK = {};
  KIND_RANK[KIND_OTHER] = 0; KIND_RANK[KIND_FRONT] = 1; KIND_RANK[KIND_REF] = 2;

  var KIND_SIZE = {}, KIND_OPACITY = {};
  KIND_SIZE[KIND_FRONT] = 48; KIND_SIZE[KIND_OTHER] = 24; KIND_SIZE[KIND_REF] = 120;
  KIND_OPACITY[KIND_FRONT] = 0.95; KIND_OPACITY[KIND_OTHER] = 0.4; KIND_OPACITY[KIND_REF] = 1;
  function baseRow(ctx, c) {
    var q = num(c.quality);
    var kind = kindOf(c);
    return {
      kind: kind,
      size: KIND_SIZE[kind],
      op: KIND_OPACITY[kind],
      front: !!c.on_front,
      ref: str(c.reference),
      arch: str(c.layers) || "—",
      legend: ctx.legendText,
      hash8: str(c.hash).slice(0, 8),
      refText: str(c.reference) || "— (searched, generation " + (c.generation || 0) + ")",
      paramsText: fmtParams(num(c.parameters)),
      qualityText: fin(q) ? sig(q, 3) : (str(c.quality_failure) ? "none: " + c.quality_failure : "—"),
      frontText: c.on_front ? "yes" : "no",
    };
  }

  // Tooltip fields shared by every plot, then the plot's own.
  function tooltip(extra) {
    return [
      {field: "arch", title: "architecture"},
      {field: "legend", title: "legend"},
      {field: "hash8", title: "hash"},
      {field: "refText", title: "reference"},
      {field: "frontText", title: "on the front"},
      {field: "paramsText", title: "parameters"},
      {field: "qualityText", title: "quality"},
    ].concat(extra);
  }

  function kindEncoding() {
    return {
      color: {field: "kind", type: "nominal", title: null, scale: {domain: KIND_DOMAIN, range: KIND_COLORS}},
      shape: {field: "kind", type: "nominal", title: null, scale: {domain: KIND_DOMAIN, range: ["circle", "circle", "diamond"]}},
      // Per-row values, no scale: a legend:null channel on the same field would drop the
      // merged colour/shape legend.
      opacity: {field: "op", type: "quantitative", scale: null},
      size: {field: "size", type: "quantitative", scale: null},
    };
  }

  // A scatter of every candidate with both figures: front joined by a line (sorted by x),
  // references labelled, p10/p90 error bars on measured axes for the front and references.
  function scatterSpec(p) {
    var rows = p.rows.slice().sort(function (a, b) { return KIND_RANK[a.kind] - KIND_RANK[b.kind]; });
    var x = {field: "x", type: "quantitative", title: p.xTitle, scale: {zero: false, nice: false, padding: 12}};
    var y = {field: "y", type: "quantitative", title: p.yTitle, scale: {zero: false, nice: false, padding: 12}};
    var highlighted = "datum.front || datum.ref !== ''";
    var layers = [
      {mark: {type: "line", color: KIND_COLORS[0], strokeWidth: 1.5, opacity: 0.55, interpolate: "linear"},
        transform: [{filter: "datum.front"}],
        encoding: {x: x, y: y, order: {field: "x", type: "quantitative"}}},
    ];
    if (p.xErr) {
      layers.push({mark: {type: "rule", strokeWidth: 1, opacity: 0.6},
        transform: [{filter: highlighted + " && isFinite(datum.x10) && isFinite(datum.x90)"}],
        encoding: {x: {field: "x10", type: "quantitative"}, x2: {field: "x90"}, y: {field: "y", type: "quantitative"},
          color: kindEncoding().color}});
    }
    if (p.yErr) {
      layers.push({mark: {type: "rule", strokeWidth: 1, opacity: 0.6},
        transform: [{filter: highlighted + " && isFinite(datum.y10) && isFinite(datum.y90)"}],
        encoding: {y: {field: "y10", type: "quantitative"}, y2: {field: "y90"}, x: {field: "x", type: "quantitative"},
          color: kindEncoding().color}});
    }
    var enc = kindEncoding();
    enc.x = x; enc.y = y;
    enc.tooltip = tooltip([{field: "xText", title: p.xTitle}, {field: "yText", title: p.yTitle}]);
    layers.push({name: "points", mark: {type: "point", filled: true, strokeWidth: 0}, encoding: enc});
    // Reference labels alternate above and below their marker, so that two references with
    // close figures stay readable.
    [[-7, 0], [14, 1]].forEach(function (placement) {
      layers.push({mark: {type: "text", align: "left", dx: 7, dy: placement[0], fontSize: 11, fontWeight: 600, color: KIND_COLORS[2]},
        transform: [{filter: "datum.ref !== ''"}, {window: [{op: "row_number", as: "refNumber"}], sort: [{field: "x"}]},
          {filter: "datum.refNumber % 2 === " + placement[1]}],
        encoding: {x: {field: "x", type: "quantitative"}, y: {field: "y", type: "quantitative"}, text: {field: "ref"}}});
    });
    return {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      title: {text: p.title, subtitle: p.subtitle},
      width: WIDTH, height: HEIGHT,
      data: {values: rows},
      encoding: {x: x, y: y},
      layer: layers,
      config: VL_CONFIG,
    };
  }

  // Lines per front member and per reference against a quantitative x (context, depth).
  function seriesSpec(p) {
    var x = {field: "x", type: "quantitative", title: p.xTitle, scale: p.xScale || {zero: false, padding: 10}, axis: p.xAxis || {}};
    var y = {field: "y", type: "quantitative", title: p.yTitle, scale: {zero: false, nice: false, padding: 12}};
    var color = kindEncoding().color;
    color.scale = {domain: [KIND_FRONT, KIND_REF], range: [KIND_COLORS[0], KIND_COLORS[2]]};
    var layers = [
      {mark: {type: "line", interpolate: "linear"},
        encoding: {x: x, y: y, detail: {field: "series"}, color: color, order: {field: "x", type: "quantitative"},
          strokeWidth: {field: "sw", type: "quantitative", scale: null},
          opacity: {field: "lop", type: "quantitative", scale: null}}},
    ];
    if (p.yErr) {
      layers.push({mark: {type: "rule", strokeWidth: 1, opacity: 0.5},
        transform: [{filter: "isFinite(datum.y10) && isFinite(datum.y90)"}],
        encoding: {x: x, y: {field: "y10", type: "quantitative"}, y2: {field: "y90"}, color: color}});
    }
    var tip = tooltip(p.tooltip);
    // Filled marks for measured points, open ones for projections (memory by context).
    var groups = p.hollow ? [["points_measured", "!datum.hollow", true], ["points_projected", "datum.hollow", false]] :
        [["points", null, true]];
    groups.forEach(function (g) {
      layers.push({name: g[0], mark: {type: "point", filled: g[2], size: p.hollow ? (g[2] ? 64 : 26) : 36, strokeWidth: 1.3, opacity: 0.9},
        transform: g[1] ? [{filter: g[1]}] : [],
        encoding: {x: x, y: y, color: color, tooltip: tip}});
    });
    layers.push({mark: {type: "text", align: "left", dx: 6, fontSize: 11, fontWeight: 600, color: KIND_COLORS[2]},
      transform: [{filter: "datum.ref !== '' && datum.last"}],
      encoding: {x: x, y: y, text: {field: "ref"}}});
    return {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      title: {text: p.title, subtitle: p.subtitle},
      width: WIDTH, height: HEIGHT,
      data: {values: p.rows},
      layer: layers,
      config: VL_CONFIG,
    };
  }

  function hypervolumeSpec(rows) {
    var x = {field: "x", type: "quantitative", title: "generation", axis: {format: "d", tickMinStep: 1}, scale: {zero: false}};
    var y = {field: "y", type: "quantitative", title: "hypervolume", scale: {zero: false, nice: false, padding: 12}};
    return {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      title: {text: "Hypervolume per generation", subtitle: "of the front over all objectives; higher is better"},
      width: WIDTH, height: 220,
      data: {values: rows},
      layer: [
        {mark: {type: "line", color: KIND_COLORS[0], strokeWidth: 2}, encoding: {x: x, y: y}},
        {name: "points", mark: {type: "point", filled: true, color: KIND_COLORS[0], size: 50},
          encoding: {x: x, y: y, tooltip: [
            {field: "x", title: "generation"}, {field: "hvText", title: "hypervolume"},
            {field: "newCandidates", title: "new candidates"}, {field: "frontSize", title: "front size (rank 0)"}]}},
      ],
      config: VL_CONFIG,
    };
  }

  // Items of the marks named points* in a rendered view's scenegraph.
  function countPoints(view) {
    var n = 0;
    (function walk(node) {
      if (!node) return;
      if (node.marktype && typeof node.name === "string" && /^points/.test(node.name) && node.marktype === "symbol") {
        n += arr(node.items).length;
        return;
      }
      arr(node.items).forEach(walk);
    })(view.scenegraph().root);
    return n;
  }

  // ---------- page sections ----------
  function kv(rows) {
    var dl = el("dl", {class: "kv"});
    rows.forEach(function (r) {
      if (!r) return;
      dl.appendChild(el("dt", null, r[0]));
      dl.appendChild(el("dd", null, r[1]));
    });
    return dl;
  }
  function table(headers, rows, cls) {
    var t = el("table", {class: "grid " + (cls || "")});
    t.appendChild(el("thead", null, el("tr", null, headers.map(function (h) { return el("th", null, h); }))));
    var tb = el("tbody");
    rows.forEach(function (r) {
      tb.appendChild(el("tr", null, r.map(function (v) { return el("td", null, v); })));
    });
    t.appendChild(tb);
    return el("div", {class: "table-wrap"}, t);
  }
  function note(text, cls) { return el("p", {class: "note " + (cls || "")}, text); }
  function badge(text, cls) { return el("span", {class: "badge " + (cls || "")}, text); }

  function section(id, title, intro) {
    var s = el("section", {id: id, class: "card"}, el("h2", null, title));
    if (intro) s.appendChild(el("p", {class: "intro"}, intro));
    return s;
  }

  function renderHeader(app, r, ctx) {
    var c = obj(r.campaign);
    var done = num(c.generations_done), planned = num(c.generations_planned);
    var status = c.complete ? badge("complete", "ok") :
        badge("still running — " + (fin(done) ? done : 0) + " of " + (fin(planned) ? planned : "?") + " generations done", "running");
    var header = el("header", {class: "top"},
        el("div", {class: "eyebrow"}, "Architecture search campaign report"),
        el("h1", null, str(c.space_name) || "(unnamed search space)", " ", status),
        str(c.space_description) ? el("p", {class: "lead"}, c.space_description) : null,
        el("p", {class: "meta"}, "Generated " + fmtTime(num(r.generated_unix_ms)) +
            (str(r.schema) ? " · " + r.schema : "") + (str(c.db_path) ? " · store " + c.db_path : "")));
    app.appendChild(header);

    var warnings = arr(r.warnings).map(str).filter(Boolean);
    if (warnings.length) {
      app.appendChild(el("div", {class: "warnings", role: "alert"},
          el("strong", null, warnings.length === 1 ? "Warning" : warnings.length + " warnings"),
          el("ul", null, warnings.map(function (w) { return el("li", null, w); }))));
    }

    var created = num(c.created_unix_ms), last = num(c.last_activity_unix_ms);
    var ev = obj(r.evaluator), pr = obj(r.protocol);
    var tiles = el("div", {class: "tiles"},
        tile("Generations", (fin(done) ? done : 0) + " / " + (fin(planned) ? planned : "?"), c.complete ? "complete" : "in progress"),
        tile("Candidates", String(num(c.candidates_total) || arr(r.candidates).length),
            (num(c.candidates_rejected) || 0) + " rejected by constraints"),
        tile("Pareto front", String(ctx.front.length), ctx.refs.length + " reference(s) alongside"),
        tile("Measurements", String(num(c.measurements_total) || 0), (num(c.measurements_failed) || 0) + " failed"),
        tile("Quality scores", String(num(ev.scored) || 0), (num(ev.failed) || 0) + " without a score"),
        tile("Duration", fmtDuration(last - created), fmtTime(created) + " → " + fmtTime(last)));
    app.appendChild(tiles);

    var prov = section("provenance", "Provenance");
    var grid = el("div", {class: "two"});
    grid.appendChild(el("div", null, el("h3", null, "Campaign"), kv([
      ["Search space", [str(c.space_name) || "—", str(c.space_path) ? el("span", {class: "dim"}, " (" + c.space_path + ")") : null]],
      ["Started", fmtTime(created)],
      ["Last activity", fmtTime(last)],
      ["Duration", fmtDuration(last - created)],
      ["Seed", str(c.seed) || "—"],
      ["Population", fin(num(c.population)) ? String(num(c.population)) : "—"],
      ["Model", !c.depth && !c.d_model && !c.vocab_size ? "—" : "depth " + (c.depth || "?") + ", d_model " + (c.d_model || "?") +
          ", vocabulary " + (c.vocab_size ? num(c.vocab_size).toLocaleString("en-US") : "?") +
          (str(c.weight_type) ? ", " + c.weight_type + " weights" : "")],
      ["Objectives", arr(r.objectives).length ? arr(r.objectives).map(function (o) {
        o = obj(o);
        return str(o.name) + (o.maximised ? " ↑" : " ↓");
      }).join(", ") : "—"],
    ])));
    grid.appendChild(el("div", null,
        el("h3", null, "Quality evaluator"), kv([
          ["Evaluator", [str(ev.name) || "none", str(ev.kind) ? el("span", {class: "dim"}, " (" + ev.kind + ")") : null, " ",
            ev.is_proxy ? badge("proxy — not a trained score", "running") : (str(ev.name) ? badge("trained", "ok") : null)]],
          ["Settings", str(ev.description) || "—"],
          ["Quality objective", ev.quality_is_objective ? "yes" : "no"],
          ["Scored / failed", (num(ev.scored) || 0) + " / " + (num(ev.failed) || 0)],
        ]),
        el("h3", null, "Measurement protocol"), kv([
          ["Protocol", (pr.protocol_version ? "v" + pr.protocol_version + " — " : "") + (str(pr.description) || "—")],
          ["Prompt lengths", arr(pr.prompt_lengths).join(", ") || "—"],
          ["Decode depths", arr(pr.decode_depths).join(", ") || "—"],
        ])));
    prov.appendChild(grid);

    prov.appendChild(el("h3", null, "Devices and agents"));
    var devs = arr(r.devices);
    if (!devs.length) prov.appendChild(note("No device classes in this report."));
    else {
      var rows = [];
      devs.forEach(function (d) {
        d = obj(d);
        var agents = arr(d.agents);
        if (!agents.length) rows.push([el("b", null, str(d.device_class)), "(no agent recorded)", "", "", "", "", ""]);
        agents.forEach(function (a, i) {
          a = obj(a);
          rows.push([
            i === 0 ? [el("b", null, str(d.device_class)), el("div", {class: "dim small"},
                (num(d.measurements) || 0) + " measurements, " + (num(d.failed_measurements) || 0) + " failed")] : "",
            el("code", null, str(a.address)), str(a.cpu), str(a.isa_path),
            el("span", {class: "small"}, str(a.build)), String(num(a.measurements) || 0),
            a.quarantined ? badge("quarantined", "bad") : badge("active", "ok"),
          ]);
        });
      });
      prov.appendChild(table(["Class", "Agent", "CPU", "ISA path", "Build", "Measurements", "State"], rows, "agents"));
    }

    var events = arr(r.events);
    prov.appendChild(el("h3", null, "Failures and quarantines"));
    if (!events.length) prov.appendChild(note("No agent or evaluator failures recorded."));
    else {
      var evRows = events.map(function (e) {
        e = obj(e);
        var k = str(e.kind);
        return [fmtTime(num(e.unix_ms)), str(e.device_class), el("code", null, str(e.worker)),
          badge(k || "?", /quarantin/.test(k) ? "bad" : "warn"), str(e.message)];
      });
      var t = table(["Time", "Class", "Worker", "Kind", "Message"], evRows, "events");
      if (events.length > 8) {
        prov.appendChild(el("details", null, el("summary", null, events.length + " events (" +
            events.filter(function (e) { return /quarantin/.test(str(obj(e).kind)); }).length + " quarantines)"), t));
      } else prov.appendChild(t);
    }

    var drift = arr(r.drift);
    prov.appendChild(el("h3", null, "Drift of the reference re-measurements"));
    if (!drift.length) prov.appendChild(note("No reference re-measurements recorded."));
    else {
      var dRows = drift.map(function (d) {
        d = obj(d);
        var ratio = num(d.ratio);
        var off = fin(ratio) && Math.abs(ratio - 1) > 0.05;
        return [String(d.generation || 0), str(d.reference), str(d.device_class), el("code", null, str(d.metric)),
          sig(num(d.value), 4), sig(num(d.baseline), 4),
          el("span", {class: off ? "drift-bad" : "drift-ok"}, fin(ratio) ? ratio.toFixed(3) + (off ? "  (>5%)" : "") : "—")];
      });
      var dt = table(["Generation", "Reference", "Class", "Metric", "Value", "Baseline", "Ratio"], dRows, "drift");
      if (drift.length > 8) prov.appendChild(el("details", null, el("summary", null, drift.length + " re-measurements"), dt));
      else prov.appendChild(dt);
    }
    app.appendChild(prov);
  }
  function tile(label, value, sub) {
    return el("div", {class: "tile"}, el("div", {class: "tile-label"}, label), el("div", {class: "tile-value"}, value),
        el("div", {class: "tile-sub"}, sub));
  }

  // ---------- per device class ----------
  function depthsText(values, word) {
    var u = values.filter(function (v, i) { return values.indexOf(v) === i; }).sort(function (a, b) { return a - b; });
    if (!u.length) return "";
    if (u.length === 1) return word + " " + u[0];
    return word + " " + u[0] + "–" + u[u.length - 1];
  }

  function classPlots(ctx, cls) {
    var plots = [];
    var decodeRows = [], memRows = [], prefRows = [], ctxRows = [], depthRows = [];
    var decodeDepths = [], prefillLengths = [];
    ctx.candidates.forEach(function (c) {
      var d = figuresFor(c, cls);
      if (!d) return;
      var q = num(c.quality);
      var dec = minDepthDecode(d), pre = maxLengthPrefill(d);
      var msTok = dec ? stat(dec.ms_per_token) : null;
      var tokS = dec ? stat(dec.tokens_per_s) : null;
      var preS = pre ? stat(pre.tokens_per_s) : null;
      var peak = has(d, "peak_memory_bytes") ? num(d.peak_memory_bytes) : NaN;
      var row;
      if (fin(q) && msTok && fin(msTok.m)) {
        row = baseRow(ctx, c);
        row.x = msTok.m; row.x10 = msTok.p10; row.x90 = msTok.p90; row.y = q;
        row.xText = statText(msTok, function (v) { return sig(v, 3) + " ms"; });
        row.yText = sig(q, 3);
        decodeRows.push(row);
        decodeDepths.push(num(dec.depth || 0));
      }
      if (fin(q) && fin(peak)) {
        row = baseRow(ctx, c);
        row.x = peak / MiB; row.y = q;
        row.xText = fmtBytes(peak); row.yText = sig(q, 3);
        memRows.push(row);
      }
      if (tokS && fin(tokS.m) && preS && fin(preS.m)) {
        row = baseRow(ctx, c);
        row.x = tokS.m; row.x10 = tokS.p10; row.x90 = tokS.p90;
        row.y = preS.m; row.y10 = preS.p10; row.y90 = preS.p90;
        var f = function (v) { return sig(v, 3) + " tok/s"; };
        row.xText = statText(tokS, f); row.yText = statText(preS, f);
        prefRows.push(row);
        prefillLengths.push(num(pre.prompt_length || 0));
      }
      if (c.on_front || str(c.reference)) {
        var series = str(c.reference) || (str(c.hash).slice(0, 8) + " " + str(c.layers));
        var mem = objs(d.memory_by_context).filter(function (m) { return fin(num(m.bytes)); });
        var maxCtx = mem.reduce(function (a, m) { return Math.max(a, num(m.context || 0)); }, -Infinity);
        mem.forEach(function (m) {
          var r = baseRow(ctx, c);
          r.sw = r.ref ? 2.4 : 1.2; r.lop = r.ref ? 1 : 0.45;
          r.series = series; r.x = num(m.context || 0); r.y = num(m.bytes) / MiB; r.hollow = !m.measured;
          r.last = r.x === maxCtx;
          r.xText = r.x.toLocaleString("en-US") + " tokens";
          r.yText = fmtBytes(num(m.bytes)) + (m.measured ? " (measured)" : " (projected)");
          ctxRows.push(r);
        });
        var decs = objs(d.decode).filter(function (p) { return fin(stat(p.tokens_per_s).m); });
        var maxDepth = decs.reduce(function (a, p) { return Math.max(a, num(p.depth || 0)); }, -Infinity);
        decs.forEach(function (p) {
          var s = stat(p.tokens_per_s), ms = stat(p.ms_per_token);
          var r = baseRow(ctx, c);
          r.sw = r.ref ? 2.4 : 1.2; r.lop = r.ref ? 1 : 0.45;
          r.series = series; r.x = num(p.depth || 0); r.y = s.m; r.y10 = s.p10; r.y90 = s.p90;
          r.last = r.x === maxDepth;
          r.xText = r.x.toLocaleString("en-US") + " tokens";
          r.yText = statText(s, function (v) { return sig(v, 3) + " tok/s"; }) +
              (fin(ms.m) ? " = " + sig(ms.m, 3) + " ms/token" : "");
          depthRows.push(r);
        });
      }
    });

    var depthWord = depthsText(decodeDepths.length ? decodeDepths : prefRows.map(function () { return 0; }), "depth") || "smallest depth";
    var lenWord = depthsText(prefillLengths, "prompt") || "largest prompt";
    var note3 = "bars: p10–p90 (front, references)";
    if (ctx.hasQuality) {
      plots.push({id: "quality-vs-decode:" + cls, rows: decodeRows, spec: function () {
        return scatterSpec({title: "Quality vs decode latency — " + cls, subtitle: "up-left is better · " + note3,
          rows: decodeRows, xTitle: "decode ms/token (" + depthWord + ")", yTitle: "quality", xErr: true});
      }});
      plots.push({id: "quality-vs-memory:" + cls, rows: memRows, spec: function () {
        return scatterSpec({title: "Quality vs peak memory — " + cls, subtitle: "up-left is better · hover a point for details",
          rows: memRows, xTitle: "peak memory (MiB)", yTitle: "quality"});
      }});
    }
    plots.push({id: "prefill-vs-decode:" + cls, rows: prefRows, spec: function () {
      return scatterSpec({title: "Prefill vs decode speed — " + cls, subtitle: "up-right is better · " + note3,
        rows: prefRows, xTitle: "decode tokens/s (" + depthWord + ")", yTitle: "prefill tokens/s (" + lenWord + ")", xErr: true, yErr: true});
    }});
    var contexts = ctxRows.map(function (r) { return r.x; }).filter(function (v, i, a) { return a.indexOf(v) === i; }).sort(function (a, b) { return a - b; });
    var logOk = contexts.length > 1 && contexts[0] > 0;
    plots.push({id: "memory-vs-context:" + cls, rows: ctxRows, spec: function () {
      return seriesSpec({title: "Memory vs context length — " + cls,
        subtitle: "front and references · filled: measured, open: projected",
        rows: ctxRows, xTitle: "context length (tokens" + (logOk ? ", log scale" : "") + ")", yTitle: "peak memory (MiB)",
        xScale: logOk ? {type: "log", base: 2, padding: 10} : {zero: false, padding: 10},
        xAxis: logOk ? {values: contexts, labelOverlap: true,
          labelExpr: "datum.value >= 1024 ? format(datum.value / 1024, '~g') + 'k' : format(datum.value, '~g')"} : {},
        hollow: true,
        tooltip: [{field: "xText", title: "context"}, {field: "yText", title: "memory"}]});
    }});
    plots.push({id: "decode-vs-depth:" + cls, rows: depthRows, spec: function () {
      var depths = depthRows.map(function (r) { return r.x; }).filter(function (v, i, a) { return a.indexOf(v) === i; }).sort(function (a, b) { return a - b; });
      return seriesSpec({title: "Decode speed vs depth — " + cls, subtitle: "front and references · bars: p10–p90 · higher is better",
        rows: depthRows, xTitle: "decode depth (tokens already in the cache)", yTitle: "decode tokens/s",
        xAxis: depths.length && depths.length <= 12 ? {values: depths} : {},
        yErr: true,
        tooltip: [{field: "xText", title: "depth"}, {field: "yText", title: "decode speed"}]});
    }});
    return plots;
  }

  function qualityNote(r, ev) {
    var why = [];
    if (!str(ev.name)) why.push("no quality evaluator is configured for this campaign");
    else {
      if (!ev.quality_is_objective) why.push("quality is not an objective of this search space");
      why.push("the evaluator " + ev.name + (str(ev.kind) ? " (" + ev.kind + ")" : "") + " scored " +
          (num(ev.scored) || 0) + " candidate(s); " + (num(ev.failed) || 0) + " failed");
    }
    var related = arr(r.warnings).map(str).filter(function (w) { return /qualit|evaluat|score/i.test(w); });
    return el("div", {class: "note quality-note"},
        el("strong", null, "Quality is not available, so the quality plots are left out. "),
        why.join("; ").replace(/^./, function (ch) { return ch.toUpperCase(); }) + ".",
        related.length ? el("ul", null, related.map(function (w) { return el("li", null, w); })) : null);
  }

  // ---------- the table of the front ----------
  function prettyObjective(o) {
    var name = str(o.name);
    var m = /^([^\[]*)(\[(.*)\])?$/.exec(name) || [name, name, "", ""];
    var base = m[1].replace(/_/g, " ").replace(/ ms per token/, " ms/token").replace(/ tokens per s/, " tokens/s")
        .replace(/ bytes$/, "").replace(/^time to first token ms$/, "time to first token");
    return {base: base, detail: (m[3] || "").replace(/,/g, ", "), unit: str(o.unit), max: !!o.maximised};
  }

  function renderFrontTable(app, r, ctx) {
    var sec = section("front", "Pareto front",
        "Candidates on the campaign's Pareto front (all objectives) and the reference models, measured on the same devices. " +
        "Click a column header to sort, a row to see its layers. ↑ / ↓: higher / lower is better.");
    var rows = ctx.candidates.filter(function (c) { return c.on_front || str(c.reference); });
    if (!rows.length) {
      sec.appendChild(note("No candidate is on the front yet and no reference was measured."));
      app.appendChild(sec);
      return;
    }
    var objectives = arr(r.objectives).map(obj);
    var cols = [
      {title: "Layers", key: function (c) { return str(c.layers); }, cell: function (c) { return layerStrip(str(c.layers)); }, num: false},
      {title: "Reference", key: function (c) { return str(c.reference); }, cell: function (c) {
        if (!str(c.reference)) return "";
        return [badge(c.reference, "ref"), c.on_front ? el("span", {class: "dim small"}, " on the front") :
            el("span", {class: "dim small"}, " not on the front")];
      }, num: false},
      {title: "Gen", key: function (c) { return num(c.generation || 0); }, num: true},
      {title: "Parameters", key: function (c) { return num(c.parameters); }, fmt: fmtParams, num: true},
      {title: "Quality", key: function (c) { return num(c.quality); }, fmt: function (v) { return sig(v, 3); }, num: true, sub: "↑",
        cell: function (c) {
          var q = num(c.quality);
          return fin(q) ? sig(q, 3) : el("span", {class: "dim", title: str(c.quality_failure)}, str(c.quality_failure) ? "failed" : "—");
        }},
    ];
    objectives.forEach(function (o, k) {
      if (o.kind === "QUALITY" || o.kind === "PARAMETERS") return;
      var p = prettyObjective(o);
      cols.push({title: p.base, sub: (p.detail ? p.detail + " " : "") + (p.max ? "↑" : "↓"), num: true,
        key: function (c) { var v = obj(arr(c.objective_values)[k]); return has(v, "value") ? num(v.value) : NaN; },
        fmt: function (v) { return fmtUnit(v, p.unit); }});
    });
    var table = el("table", {class: "grid front-table"});
    var headRow = el("tr", null, el("th", {class: "expander"}, ""));
    var sortState = {col: -1, dir: 1};
    cols.forEach(function (col, i) {
      var th = el("th", {class: (col.num ? "num " : "") + "sortable", tabindex: "0", "aria-sort": "none",
        onclick: function () { sortBy(i); }, onkeydown: function (e) { if (e.key === "Enter") sortBy(i); }},
        el("span", {class: "th-title"}, col.title), col.sub ? el("span", {class: "th-sub"}, col.sub) : null);
      col.th = th;
      headRow.appendChild(th);
    });
    table.appendChild(el("thead", null, headRow));
    var tbody = el("tbody");
    var entries = rows.map(function (c) {
      var tr = el("tr", {class: "row" + (str(c.reference) ? " is-ref" : ""), tabindex: "0"});
      tr.appendChild(el("td", {class: "expander"}, "▸"));
      var keys = cols.map(function (col) { return col.key(c); });
      cols.forEach(function (col, i) {
        var content = col.cell ? col.cell(c) : col.fmt ? col.fmt(keys[i]) : String(keys[i]);
        tr.appendChild(el("td", {class: col.num ? "num" : ""}, content));
      });
      var entry = {c: c, tr: tr, keys: keys, detail: null};
      var toggle = function () {
        if (!entry.detail) {
          entry.detail = el("tr", {class: "detail"}, el("td", {colspan: String(cols.length + 1)}, detailPanel(ctx, c)));
          entry.detail.hidden = true;
          tr.parentNode.insertBefore(entry.detail, tr.nextSibling);
        }
        entry.detail.hidden = !entry.detail.hidden;
        tr.classList.toggle("open", !entry.detail.hidden);
        tr.firstChild.textContent = entry.detail.hidden ? "▸" : "▾";
      };
      tr.addEventListener("click", toggle);
      tr.addEventListener("keydown", function (e) { if (e.key === "Enter") toggle(); });
      return entry;
    });
    function place() {
      entries.forEach(function (e) {
        tbody.appendChild(e.tr);
        if (e.detail) tbody.appendChild(e.detail);
      });
    }
    function sortBy(i) {
      sortState.dir = sortState.col === i ? -sortState.dir : 1;
      sortState.col = i;
      var dir = sortState.dir, numeric = cols[i].num;
      entries.sort(function (a, b) {
        var x = a.keys[i], y = b.keys[i];
        if (numeric) {
          var fx = fin(x), fy = fin(y);
          if (!fx || !fy) return fx === fy ? 0 : fx ? -1 : 1;  // missing values last
          return (x - y) * dir;
        }
        if (!x || !y) return x === y ? 0 : x ? -1 : 1;
        return x.localeCompare(y) * dir;
      });
      cols.forEach(function (col, k) {
        col.th.setAttribute("aria-sort", k === i ? (dir > 0 ? "ascending" : "descending") : "none");
      });
      place();
    }
    place();
    table.appendChild(tbody);
    sec.appendChild(el("p", {class: "legend-line"}, legendChips(r)));
    sec.appendChild(el("div", {class: "table-wrap"}, table));
    app.appendChild(sec);
  }

  function legendChips(r) {
    var leg = arr(r.layer_legend).map(obj);
    if (!leg.length) return "";
    return leg.map(function (e) {
      var letter = str(e.letter);
      return el("span", {class: "chip"}, letter.length === 1 ? layerStrip(letter) : el("b", null, letter), " " + str(e.meaning));
    });
  }

  function detailPanel(ctx, c) {
    var box = el("div", {class: "detail-panel"});
    box.appendChild(el("div", {class: "detail-head"}, layerStrip(str(c.layers)),
        el("code", {class: "hash"}, str(c.hash)),
        c.feasible === false ? badge("infeasible", "warn") : null,
        str(c.quality_failure) ? el("span", {class: "dim"}, " quality: " + c.quality_failure) : null));
    var ld = arr(c.layer_details).map(obj);
    if (!ld.length) box.appendChild(note("No per-layer details in the report for this candidate."));
    else {
      box.appendChild(table(["#", "", "Token mixer", "Channel mixer", "Width", "Mixer width", "Shares weights with"],
          ld.map(function (l, i) {
            var ch = str(c.layers)[i] || "";
            return [String(i), ch ? layerStrip(ch) : "", str(l.token_mixer), str(l.channel_mixer) || "none",
              String(num(l.width) || 0), num(l.mixer_width) ? String(num(l.mixer_width)) : "none", str(l.shares_weights_with) || "—"];
          }), "layers"));
    }
    var devs = arr(c.devices).map(obj);
    if (devs.length) {
      box.appendChild(table(["Class", "Outcome", "Agent", "Peak memory", "Decode (smallest depth)", "Prefill (largest prompt)"],
          devs.map(function (d) {
            var ok = d.outcome === "OK";
            var dec = ok ? minDepthDecode(d) : null, pre = ok ? maxLengthPrefill(d) : null;
            return [str(d.device_class), ok ? badge("OK", "ok") : [badge(str(d.outcome) || "?", "bad"), " ", str(d.message)],
              el("code", null, str(d.agent)),
              has(d, "peak_memory_bytes") ? fmtBytes(num(d.peak_memory_bytes)) : "—",
              dec ? statText(stat(dec.ms_per_token), function (v) { return sig(v, 3); }) + " ms/token at depth " + (dec.depth || 0) : "—",
              pre ? statText(stat(pre.tokens_per_s), function (v) { return sig(v, 3); }) + " tok/s at " + (pre.prompt_length || 0) + " tokens" : "—"];
          }), "figures"));
    }
    return box;
  }

  // ---------- main ----------
  var plotResults = {};
  function finish(status) {
    var report = {
      status: status,
      render_ms: Math.round((performance.now() - T0) * 10) / 10,
      page_ms: Math.round(performance.now() * 10) / 10,
      errors: ERRORS.slice(),
      plots: plotResults,
    };
    window.__nasReport = report;
    document.body.dataset.reportStatus = status;
    var footer = document.getElementById("render-info");
    if (footer) footer.textContent = "Rendered in " + Math.round(report.render_ms) + " ms.";
  }

  function fatal(app, message) {
    ERRORS.push("report: " + message);
    app.textContent = "";
    app.appendChild(el("div", {class: "warnings error"}, el("strong", null, "The report could not be shown"),
        el("p", null, message)));
    finish("error");
  }

  function main() {
    var app = document.getElementById("app");
    if (!app) { app = el("div", {id: "app"}); document.body.appendChild(app); }
    var r;
    try {
      var node = document.getElementById("report-data");
      if (!node) throw new Error("the page has no #report-data element");
      r = JSON.parse(node.textContent);  // the writer escapes a slash after "<" as JSON allows
      if (!r || typeof r !== "object") throw new Error("the report data is not an object");
    } catch (e) {
      fatal(app, "Cannot read the report data: " + errorText(e));
      return;
    }
    if (typeof vegaEmbed !== "function" || typeof vega === "undefined" || typeof vegaLite === "undefined") {
      fatal(app, "The plotting libraries (Vega, Vega-Lite, vega-embed) are missing from the page.");
      return;
    }
    app.textContent = "";

    var candidates = objs(r.candidates);
    var ctx = {
      candidates: candidates,
      front: candidates.filter(function (c) { return c.on_front; }),
      refs: candidates.filter(function (c) { return str(c.reference); }),
      hasQuality: candidates.some(function (c) { return fin(num(c.quality)); }),
      legendText: arr(r.layer_legend).map(function (e) { e = obj(e); return str(e.letter) + " " + str(e.meaning); }).join(" · ") || "—",
    };
    var ev = obj(r.evaluator);

    renderHeader(app, r, ctx);

    var nav = el("nav", {class: "toc"}, el("a", {href: "#provenance"}, "Provenance"));
    app.insertBefore(nav, document.getElementById("provenance"));

    var jobs = [];
    var devices = objs(r.devices);
    if (!devices.length) {
      var s0 = section("devices", "Measurements");
      s0.appendChild(note("No device classes in this report, so there are no device plots."));
      app.appendChild(s0);
    }
    devices.forEach(function (d, i) {
      var cls = str(d.device_class);
      var sid = "class-" + i;
      nav.appendChild(el("a", {href: "#" + sid}, cls || "(unnamed class)"));
      var agents = arr(d.agents).map(obj);
      var sec = section(sid, "Device class: " + (cls || "(unnamed)"),
          agents.length ? agents.map(function (a) { return str(a.cpu) + (str(a.isa_path) ? " [" + a.isa_path + "]" : ""); })
              .filter(function (v, k, all) { return all.indexOf(v) === k; }).join("; ") +
              " · " + (num(d.measurements) || 0) + " measurements, " + (num(d.failed_measurements) || 0) + " failed" : "No agent recorded.");
      var grid = el("div", {class: "plots"});
      if (!ctx.hasQuality) grid.appendChild(el("div", {class: "plot-cell wide"}, qualityNote(r, ev)));
      classPlots(ctx, cls).forEach(function (p) { jobs.push(addPlot(grid, p)); });
      sec.appendChild(grid);
      app.appendChild(sec);
    });

    var hvSec = section("progress", "Search progress");
    nav.appendChild(el("a", {href: "#progress"}, "Progress"));
    var hvGrid = el("div", {class: "plots"});
    var hvRows = objs(r.generations).filter(function (g) { return fin(num(g.hypervolume)); }).map(function (g) {
      return {x: num(g.number || 0), y: num(g.hypervolume), hvText: sig(num(g.hypervolume), 4),
        newCandidates: num(g.new_candidates || 0), frontSize: num(g.front_size || 0)};
    });
    jobs.push(addPlot(hvGrid, {id: "hypervolume", rows: hvRows, spec: function () { return hypervolumeSpec(hvRows); },
      title: "Hypervolume per generation"}));
    var gens = arr(r.generations).map(obj);
    if (gens.length) {
      var last = gens[gens.length - 1], first = gens[0];
      var gt = table(["Generation", "Hypervolume", "New candidates", "Front size (rank 0)"],
          gens.map(function (g) {
            return [String(g.number || 0), sig(num(g.hypervolume), 4), String(num(g.new_candidates) || 0), String(num(g.front_size) || 0)];
          }), "gens");
      hvGrid.appendChild(el("div", {class: "plot-cell"},
          el("h4", null, "Generations"),
          kv([["Generations", String(gens.length)],
            ["Hypervolume", sig(num(first.hypervolume), 4) + " → " + sig(num(last.hypervolume), 4)],
            ["Front size (last)", String(num(last.front_size) || 0)],
            ["Candidates created", String(gens.reduce(function (a, g) { return a + (num(g.new_candidates) || 0); }, 0))]]),
          gens.length > 6 ? el("details", null, el("summary", null, "per generation"), gt) : gt));
    }
    hvSec.appendChild(hvGrid);
    app.appendChild(hvSec);

    nav.appendChild(el("a", {href: "#front"}, "Pareto front"));
    renderFrontTable(app, r, ctx);
    app.appendChild(el("footer", null, el("span", {id: "render-info"}, ""),
        " Plots: Vega-Lite (vega-embed). Hover a point for details; the … menu of a plot saves it as PNG or SVG."));

    Promise.all(jobs).then(function () {
      finish(ERRORS.length ? "error" : "rendered");
    }, function (e) {
      ERRORS.push("report: " + errorText(e));
      finish("error");
    });
  }

  // Embeds one plot (or writes its "no data" note); resolves, never rejects.
  function addPlot(grid, p) {
    var cell = el("div", {class: "plot-cell", id: "plot-" + p.id.replace(/[^A-Za-z0-9_-]/g, "_")});
    grid.appendChild(cell);
    var spec;
    try {
      spec = p.spec();
    } catch (e) {
      ERRORS.push("report: plot " + p.id + ": " + errorText(e));
      plotResults[p.id] = {points: 0, title: p.id, rendered: false};
      cell.appendChild(note("This plot could not be built: " + errorText(e), "bad"));
      return Promise.resolve();
    }
    var title = spec.title && spec.title.text ? spec.title.text : p.title || p.id;
    if (!p.rows.length) {
      plotResults[p.id] = {points: 0, title: title, rendered: false};
      cell.appendChild(el("div", {class: "nodata"}, el("h4", null, title), note("No data: no candidate has these figures yet.")));
      return Promise.resolve();
    }
    var target = el("div", {class: "vega-target"});
    cell.appendChild(target);
    return vegaEmbed(target, spec, {
      renderer: "canvas",
      actions: {export: true, source: false, compiled: false, editor: false},
      tooltip: {theme: "light"},
    }).then(function (result) {
      plotResults[p.id] = {points: countPoints(result.view), title: title, rendered: true};
    }, function (e) {
      ERRORS.push("report: plot " + p.id + ": " + errorText(e));
      plotResults[p.id] = {points: 0, title: title, rendered: false};
      cell.appendChild(note("This plot could not be drawn: " + errorText(e), "bad"));
    });
  }

  try {
    main();
  } catch (e) {
    var app = document.getElementById("app") || document.body;
    fatal(app, "The page failed while building: " + errorText(e));
  }
})();
