// The campaign report page, part 2 of 3 (after report_util.js, before report.js): the
// Vega-Lite side, shared as NasReport.plots. The colours and marks of the three kinds of
// candidate, the Vega-Lite specs (scatterSpec, seriesSpec, hypervolumeSpec), the rows and
// plots of one device class (classPlots), the note that replaces the quality plots
// (qualityNote), and addPlot, which embeds one plot through vega-embed (canvas renderer) and
// records {points, title, rendered} in NasReport.plots.results (points: countPoints). The
// plot ids and the counting rules are documented at the top of report.js.
(function () {
  "use strict";
  var NasReport = window.NasReport = window.NasReport || {};
  var U = NasReport.util;
  var arr = U.arr, objs = U.objs, str = U.str, num = U.num, fin = U.fin, has = U.has, el = U.el,
      sig = U.sig, fmtParams = U.fmtParams, fmtBytes = U.fmtBytes, stat = U.stat,
      statText = U.statText, errorText = U.errorText, figuresFor = U.figuresFor,
      minDepthDecode = U.minDepthDecode, maxLengthPrefill = U.maxLengthPrefill, note = U.note,
      ERRORS = U.ERRORS, MiB = U.MiB;

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

  // ---------- embedding ----------
  // results[id] = {points, title, rendered}, filled in by addPlot: the test hook's `plots`.
  var plotResults = {};

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

  NasReport.plots = {
    baseRow: baseRow, tooltip: tooltip, kindEncoding: kindEncoding, scatterSpec: scatterSpec,
    seriesSpec: seriesSpec, hypervolumeSpec: hypervolumeSpec, countPoints: countPoints,
    classPlots: classPlots, qualityNote: qualityNote, addPlot: addPlot, KIND_FRONT: KIND_FRONT,
    KIND_OTHER: KIND_OTHER, KIND_REF: KIND_REF, KIND_COLORS: KIND_COLORS,
    results: plotResults,
  };
})();
