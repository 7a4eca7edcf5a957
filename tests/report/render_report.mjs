#!/usr/bin/env node
// Opens a campaign report (report.html from `star report`) in headless Chromium and checks
// that it renders: status "rendered", no page errors or console errors, and every plot shows
// exactly the points the embedded report data calls for. The expected counts are recomputed
// here from the JSON in #report-data, independently of report.js (same rules, written
// separately; see report.js's header comment).
//
//   node tests/report/render_report.mjs REPORT.html [--screenshot OUT.png] [--timeout-ms N] [--json]
//
// Drives Debian's /usr/bin/chromium (or $NAS_CHROMIUM) with playwright-core from
// results/web/node_modules; never downloads a browser. Exit 0: all checks pass; 1: a check
// failed (reasons printed); 2: usage error.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {createRequire} from 'node:module';
import {fileURLToPath, pathToFileURL} from 'node:url';

const HTML_BUDGET_BYTES = 5 * 1000 * 1000;
const HERE = path.dirname(fileURLToPath(import.meta.url));
const WEB = path.resolve(HERE, '../../results/web');

function usage(msg) {
  if (msg) process.stderr.write(`render_report: ${msg}\n`);
  process.stderr.write('usage: node tests/report/render_report.mjs REPORT.html ' +
      '[--screenshot OUT.png] [--timeout-ms N] [--json]\n');
  process.exit(2);
}

function parseArgs(argv) {
  const o = {html: null, screenshot: null, timeoutMs: 30000, json: false};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--screenshot') {
      if (i + 1 >= argv.length) usage('--screenshot needs a file');
      o.screenshot = path.resolve(argv[++i]);
    } else if (a === '--timeout-ms') {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v <= 0) usage('--timeout-ms needs a positive integer');
      o.timeoutMs = v;
    } else if (a === '--json') {
      o.json = true;
    } else if (a === '-h' || a === '--help') {
      usage();
    } else if (a.startsWith('-')) {
      usage(`unknown option ${a}`);
    } else if (o.html === null) {
      o.html = path.resolve(a);
    } else {
      usage(`unexpected argument ${a}`);
    }
  }
  if (!o.html) usage('no report given');
  return o;
}

// ---------- expected plots, from the report data ----------
const isNum = (v) => typeof v === 'number' && Number.isFinite(v);
const toNum = (v) => (v === undefined || v === null || v === '' ? NaN : Number(v));
// The objects of a list (null entries of a repeated field are skipped).
const list = (v) => (Array.isArray(v) ? v.filter((x) => x && typeof x === 'object') : []);

export function extractReportJson(html) {
  const m = /<script\b[^>]*\bid=["']?report-data["']?[^>]*>([\s\S]*?)<\/script>/i.exec(html);
  if (!m) throw new Error('no <script id="report-data"> in the page');
  // The writer turns every "</" into "<\/"; undo it (JSON.parse would too: "\/" is "/").
  return JSON.parse(m[1].split('<\\/').join('</'));
}

// Expected point counts per plot id (see report.js's header for the rules).
export function expectedPlots(report) {
  const out = {};
  const cands = list(report && report.candidates).filter((c) => c && typeof c === 'object');
  const quality = (c) => ('quality' in c ? toNum(c.quality) : NaN);
  const anyQuality = cands.some((c) => isNum(quality(c)));
  for (const dev of list(report && report.devices)) {
    const cls = String((dev && dev.device_class) ?? '');
    let qDecode = 0, qMem = 0, prefDec = 0, memCtx = 0, decDepth = 0;
    for (const c of cands) {
      const d = list(c.devices).find((x) => x && String(x.device_class ?? '') === cls);
      if (!d || d.outcome !== 'OK') continue;
      // smallest depth / largest prompt length; the first such entry
      let dec = null;
      for (const p of list(d.decode)) if (!dec || toNum(p.depth ?? 0) < toNum(dec.depth ?? 0)) dec = p;
      let pre = null;
      for (const p of list(d.prefill)) {
        if (!pre || toNum(p.prompt_length ?? 0) > toNum(pre.prompt_length ?? 0)) pre = p;
      }
      const med = (s) => toNum(s && s.median);
      const q = quality(c);
      const peak = 'peak_memory_bytes' in d ? toNum(d.peak_memory_bytes) : NaN;
      if (isNum(q) && dec && isNum(med(dec.ms_per_token))) qDecode++;
      if (isNum(q) && isNum(peak)) qMem++;
      if (dec && pre && isNum(med(dec.tokens_per_s)) && isNum(med(pre.tokens_per_s))) prefDec++;
      if (c.on_front || (c.reference ?? '') !== '') {
        memCtx += list(d.memory_by_context).filter((m) => m && isNum(toNum(m.bytes))).length;
        decDepth += list(d.decode).filter((p) => p && isNum(med(p.tokens_per_s))).length;
      }
    }
    if (anyQuality) {
      out[`quality-vs-decode:${cls}`] = qDecode;
      out[`quality-vs-memory:${cls}`] = qMem;
    }
    out[`prefill-vs-decode:${cls}`] = prefDec;
    out[`memory-vs-context:${cls}`] = memCtx;
    out[`decode-vs-depth:${cls}`] = decDepth;
  }
  out.hypervolume = list(report && report.generations).filter((g) => g && isNum(toNum(g.hypervolume))).length;
  return out;
}

// ---------- the browser ----------
async function render(opts, htmlBytes) {
  const require = createRequire(path.join(WEB, 'package.json'));
  let playwright;
  try {
    playwright = require('playwright-core');
  } catch (e) {
    throw new Error(`cannot load playwright-core from ${WEB}/node_modules (run scripts/web_deps.sh): ${e.message}`);
  }
  const executablePath = process.env.NAS_CHROMIUM || '/usr/bin/chromium';
  if (!fs.existsSync(executablePath)) throw new Error(`no Chromium at ${executablePath} (set NAS_CHROMIUM)`);
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nas-report-chromium-'));
  const consoleErrors = [];
  const pageErrors = [];
  let context = null;
  try {
    context = await playwright.chromium.launchPersistentContext(userDataDir, {
      executablePath,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: {width: 1280, height: 900},
      timeout: opts.timeoutMs,
    });
    const page = context.pages()[0] || await context.newPage();
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    page.on('pageerror', (e) => pageErrors.push(String(e && e.stack ? e.stack : e)));
    // The report opens offline: any request other than the file itself is an error.
    const url = pathToFileURL(opts.html).href;
    await page.route('**/*', (route) => {
      const u = route.request().url();
      if (u === url || u.startsWith('data:') || u.startsWith('blob:')) return route.continue();
      consoleErrors.push(`network request attempted: ${u}`);
      return route.abort();
    });
    const t0 = Date.now();
    await page.goto(url, {waitUntil: 'load', timeout: opts.timeoutMs});
    const left = Math.max(1000, opts.timeoutMs - (Date.now() - t0));
    let timedOut = false;
    try {
      await page.waitForFunction(() => window.__nasReport && window.__nasReport.status, null,
          {timeout: left, polling: 50});
    } catch (e) {
      timedOut = true;
    }
    const state = await page.evaluate(() => ({
      report: window.__nasReport || null,
      bodyStatus: document.body ? document.body.dataset.reportStatus || null : null,
    }));
    if (opts.screenshot) {
      fs.mkdirSync(path.dirname(opts.screenshot), {recursive: true});
      await page.screenshot({path: opts.screenshot, fullPage: true, timeout: opts.timeoutMs});
    }
    return {state, timedOut, consoleErrors, pageErrors, wallMs: Date.now() - t0, htmlBytes};
  } finally {
    if (context) await context.close().catch(() => {});
    fs.rmSync(userDataDir, {recursive: true, force: true});
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  let html;
  try {
    html = fs.readFileSync(opts.html);
  } catch (e) {
    usage(`cannot read ${opts.html}: ${e.message}`);
  }
  const reasons = [];
  let expected = {};
  try {
    expected = expectedPlots(extractReportJson(html.toString('utf8')));
  } catch (e) {
    reasons.push(`cannot read the report data from the page: ${e.message}`);
  }

  let result;
  try {
    result = await render(opts, html.length);
  } catch (e) {
    reasons.push(`browser: ${e.message}`);
  }

  const summary = {status: null, render_ms: null, plots: {}, errors: [], html_bytes: html.length};
  if (result) {
    const rep = result.state.report;
    if (result.timedOut || !rep) reasons.push(`no window.__nasReport.status within ${opts.timeoutMs} ms`);
    summary.status = rep ? rep.status : null;
    summary.render_ms = rep ? rep.render_ms : null;
    if (rep && typeof rep.page_ms === 'number') summary.page_ms = rep.page_ms;
    summary.errors = [
      ...result.pageErrors.map((e) => `page error: ${e}`),
      ...result.consoleErrors.map((e) => `console error: ${e}`),
      ...(rep && Array.isArray(rep.errors) ? rep.errors.map((e) => `report: ${e}`) : []),
    ];
    if (rep && rep.status !== 'rendered') reasons.push(`status is ${JSON.stringify(rep.status)}, not "rendered"`);
    if (rep && result.state.bodyStatus !== rep.status) {
      reasons.push(`body data-report-status ${JSON.stringify(result.state.bodyStatus)} differs from the status`);
    }
    if (summary.errors.length) reasons.push(`${summary.errors.length} error(s) on the page`);
    const plots = (rep && rep.plots) || {};
    const ids = new Set([...Object.keys(expected), ...Object.keys(plots)]);
    for (const id of [...ids].sort()) {
      const got = plots[id] ? plots[id].points : null;
      const want = id in expected ? expected[id] : null;
      summary.plots[id] = {points: got, expected: want};
      if (want === null) reasons.push(`plot ${id}: not expected from the data`);
      else if (got === null) reasons.push(`plot ${id}: missing from the page`);
      else if (got !== want) reasons.push(`plot ${id}: ${got} points drawn, ${want} expected`);
    }
  }
  if (opts.screenshot && result) summary.screenshot = opts.screenshot;
  // Reported, not failed: the budget is the writer's to keep (see README.md).
  summary.notes = html.length > HTML_BUDGET_BYTES ?
      [`the page is ${html.length} bytes, over the ${HTML_BUDGET_BYTES}-byte budget`] : [];
  summary.ok = reasons.length === 0;
  summary.reasons = reasons;

  if (opts.json) {
    process.stdout.write(JSON.stringify(summary) + '\n');
  } else {
    const lines = [];
    lines.push(`report: ${opts.html} (${summary.html_bytes.toLocaleString('en-US')} bytes)`);
    lines.push(`status: ${summary.status}, render ${summary.render_ms} ms` +
        (summary.page_ms !== undefined ? ` (${summary.page_ms} ms since navigation)` : ''));
    for (const [id, p] of Object.entries(summary.plots)) {
      lines.push(`  ${p.points === p.expected ? 'ok  ' : 'FAIL'} ${id}: ${p.points} points (expected ${p.expected})`);
    }
    for (const e of summary.errors) lines.push(`  error: ${e}`);
    for (const n of summary.notes) lines.push(`note: ${n}`);
    if (summary.screenshot) lines.push(`screenshot: ${summary.screenshot}`);
    lines.push(summary.ok ? 'PASS' : `FAIL:\n  ${reasons.join('\n  ')}`);
    process.stdout.write(lines.join('\n') + '\n');
  }
  process.exitCode = summary.ok ? 0 : 1;
}

main().catch((e) => {
  process.stderr.write(`render_report: ${e && e.stack ? e.stack : e}\n`);
  process.exitCode = 1;
});
