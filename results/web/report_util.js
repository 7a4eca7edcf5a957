// The campaign report page, part 1 of 3 (report_util.js, report_plots.js, report.js, loaded
// in that order as classic scripts): the generic helpers, shared as NasReport.util. Reading
// the report's JSON defensively (arr, obj, objs, str, num, fin, has), building DOM (el,
// append, kv, table, note, badge, section, layerStrip), formatting numbers, sizes and times
// (sig, fmt*, stat, statText, errorText) and picking a candidate's figures for a device class
// (figuresFor, minDepthDecode, maxLengthPrefill). Defines nothing else and draws nothing.
(function () {
  "use strict";
  var NasReport = window.NasReport = window.NasReport || {};

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

  NasReport.util = {
    arr: arr, obj: obj, objs: objs, str: str, num: num, fin: fin, has: has, el: el, append: append,
    sig: sig, fmtParams: fmtParams, fmtBytes: fmtBytes, fmtUnit: fmtUnit, fmtTime: fmtTime,
    fmtDuration: fmtDuration, stat: stat, statText: statText, errorText: errorText,
    figuresFor: figuresFor, minDepthDecode: minDepthDecode, maxLengthPrefill: maxLengthPrefill,
    layerStrip: layerStrip, kv: kv, table: table, note: note, badge: badge, section: section,
    ERRORS: ERRORS, MiB: MiB,
  };
})();
