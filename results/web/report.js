// The campaign report page, part 3 of 3 (after report_util.js and report_plots.js): reads the
// report (proto/report.proto in protobuf JSON form) from <script id="report-data">, builds the
// header and provenance, the per-device-class plots (NasReport.plots: Vega-Lite through
// vega-embed, canvas renderer) and the table of the Pareto front with its detail panels, and
// sets the test hook. The three scripts are inlined into report.html by results/report_html.h
// after Vega, Vega-Lite and vega-embed, sharing the global NasReport ({util, plots}); the page
// needs no network. Never throws on missing pieces: a plot without data becomes a "no data" note.
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
  var NasReport = window.NasReport = window.NasReport || {};
  var U = NasReport.util, P = NasReport.plots;
  var arr = U.arr, obj = U.obj, objs = U.objs, str = U.str, num = U.num, fin = U.fin, has = U.has,
      el = U.el, sig = U.sig, fmtParams = U.fmtParams, fmtBytes = U.fmtBytes, fmtUnit = U.fmtUnit,
      fmtTime = U.fmtTime, fmtDuration = U.fmtDuration, stat = U.stat, statText = U.statText,
      errorText = U.errorText, minDepthDecode = U.minDepthDecode,
      maxLengthPrefill = U.maxLengthPrefill, layerStrip = U.layerStrip, kv = U.kv, table = U.table,
      note = U.note, badge = U.badge, section = U.section, ERRORS = U.ERRORS;
  var hypervolumeSpec = P.hypervolumeSpec, classPlots = P.classPlots, qualityNote = P.qualityNote,
      addPlot = P.addPlot;

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
  var plotResults = P.results;
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

  try {
    main();
  } catch (e) {
    var app = document.getElementById("app") || document.body;
    fatal(app, "The page failed while building: " + errorText(e));
  }
})();
