#!/usr/bin/env node
// Writes a synthetic campaign report (proto/report.proto in protobuf JSON form, as `star
// report` prints it) with N searched candidates plus the two references, for developing and
// timing the report page without a campaign: deterministic for a given N and seed.
//
//   node tests/report/make_sample_report.mjs N [--seed S] [--classes laptop,phone] [--lean] > report.json
//
// --lean leaves layer_details and memory_by_context out for candidates that are neither on
// the front nor references (the page shows them only for those): about 40% of the bytes.
//
// The shape follows the proto's rules: int64/uint64 fields as JSON strings, every scalar
// present, `optional` fields absent when unset, objective_values parallel to objectives
// ({} = no value). It includes the awkward cases the page must survive: a measurement that
// ran out of memory, a candidate the evaluator could not score, a cheap-constraint
// rejection, failed and quarantined agents, drift of a reference re-measurement, warnings.

function usage(msg) {
  if (msg) process.stderr.write(`make_sample_report: ${msg}\n`);
  process.stderr.write(
      'usage: node tests/report/make_sample_report.mjs N [--seed S] [--classes a,b] [--lean]\n');
  process.exit(2);
}

const argv = process.argv.slice(2);
let n = NaN;
let seed = 7;
let classes = ['laptop', 'phone'];
let lean = false;
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--seed') seed = Number(argv[++i]);
  else if (a === '--lean') lean = true;
  else if (a === '--classes') classes = String(argv[++i] || '').split(',').filter(Boolean);
  else if (/^\d+$/.test(a)) n = Number(a);
  else usage(`unknown argument ${a}`);
}
if (!Number.isInteger(n) || n < 0 || !Number.isFinite(seed)) usage('N must be a count');

// mulberry32: small, deterministic.
let rs = seed >>> 0;
function rand() {
  rs = (rs + 0x6D2B79F5) >>> 0;
  let t = rs;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (xs) => xs[Math.floor(rand() * xs.length)];
const noise = (s) => 1 + s * (rand() * 2 - 1);
const r3 = (x) => Math.round(x * 1000) / 1000;

const DEPTH = 16;
const D_MODEL = 1024;
const VOCAB = 65536;
const PROMPTS = [128, 512];
const DEPTHS = [0, 512, 2048];
const CONTEXTS = [512, 1024, 2048, 4096, 8192, 16384, 32768];
const MEASURED_CONTEXT = 2048;
const MiB = 1024 * 1024;
const created = 1795700000000;  // 2026-11-26
const population = n >= 200 ? 50 : 4;
const generationsPlanned = Math.max(3, Math.ceil(n / population) + (n >= 200 ? 0 : 1));

const CLASS_SPEED = {laptop: 1.0, phone: 2.6};
const classSpeed = (c) => CLASS_SPEED[c] || 1.8;

function hashOf(i) {
  let h = (i * 2654435761 + seed * 97) >>> 0;
  let s = '';
  for (let k = 0; k < 8; k++) {
    h = Math.imul(h ^ (h >>> 13), 0x5bd1e995) >>> 0;
    s += h.toString(16).padStart(8, '0');
  }
  return s;
}

function layerDetails(layers) {
  return [...layers].map((ch, i) => {
    const up = ch.toUpperCase();
    const token = up === 'A' ? 'GQA 16/8 heads x64' :
        up === 'W' ? 'GQA 16/8 heads x64, window 512' :
        up === 'C' ? 'short conv k3 DOUBLE' :
        up === 'R' ? 'gated linear recurrence' : 'none';
    const shared = ch !== up ? `layer ${Math.max(0, i - 3)}` : '';
    return {
      token_mixer: token,
      channel_mixer: 'SwiGLU 4608',
      width: D_MODEL,
      mixer_width: 4608,
      shares_weights_with: shared,
    };
  });
}

function stat(median, spread) {
  return {median: r3(median), p10: r3(median * (1 - spread)), p90: r3(median * (1 + spread))};
}

// Figures of one architecture on one class from its structure, with some noise.
function figures(cls, layers, params, agent, failMode) {
  const speed = classSpeed(cls);
  const attn = [...layers.toUpperCase()].filter((c) => c === 'A').length;
  const win = [...layers.toUpperCase()].filter((c) => c === 'W').length;
  const out = {
    device_class: cls,
    agent,
    outcome: 'OK',
    message: '',
    prefill: [],
    decode: [],
    memory_by_context: [],
    isa_path: cls === 'phone' ? 'neon-dotprod' : 'avx512',
  };
  if (failMode) {
    out.outcome = failMode;
    out.message = failMode === 'OUT_OF_MEMORY' ?
        'child process exceeded the 1536 MiB memory bound while loading weights' :
        'child process did not finish within 120 s';
    return out;
  }
  const base = (params / 350e6) * 9.0 * speed * noise(0.05);
  for (const d of DEPTHS) {
    const ms = base * (1 + d * (attn * 0.00004 + win * 0.00001));
    const spread = 0.02 + rand() * 0.05;
    out.decode.push({depth: d, ms_per_token: stat(ms, spread), tokens_per_s: stat(1000 / ms, spread)});
  }
  for (const p of PROMPTS) {
    const tps = (2400 / speed) * (350e6 / params) * noise(0.08) / (1 + p * attn * 0.00002);
    const spread = 0.02 + rand() * 0.04;
    out.prefill.push({prompt_length: p, tokens_per_s: stat(tps, spread), time_ms: stat(p * 1000 / tps, spread)});
  }
  const weights = params * 0.5625;  // Q4_0
  const kvPerToken = (attn + win * 0.25) * 2 * 512 * 2;
  const peak = weights + 48 * MiB + kvPerToken * MEASURED_CONTEXT * noise(0.03);
  out.peak_memory_bytes = Math.round(peak);
  for (const c of CONTEXTS) {
    const kv = attn * 2 * 512 * 2 * c + win * 2 * 512 * 2 * Math.min(c, 512);
    const plan = weights + 48 * MiB + kv;
    const anchor = peak - (weights + 48 * MiB + (attn * 2048 + win * 512) * 2048);
    out.memory_by_context.push({context: c, bytes: Math.round(plan + anchor), measured: c === MEASURED_CONTEXT});
  }
  return out;
}

const objectives = [
  {name: 'quality', kind: 'QUALITY', device_class: '', unit: '', maximised: true},
];
for (const c of classes) {
  objectives.push({name: `decode_ms_per_token[${c},depth=0]`, kind: 'DECODE_MS_PER_TOKEN', device_class: c, unit: 'ms', maximised: false});
}
if (classes.length) {
  const last = classes[classes.length - 1];
  objectives.push({name: `peak_memory_bytes[${last}]`, kind: 'PEAK_MEMORY_BYTES', device_class: last, unit: 'bytes', maximised: false});
  objectives.push({name: `prefill_tokens_per_s[${classes[0]},length=512]`, kind: 'PREFILL_TOKENS_PER_S', device_class: classes[0], unit: 'tokens/s', maximised: true});
}
objectives.push({name: 'parameters', kind: 'PARAMETERS', device_class: '', unit: 'parameters', maximised: false});

function objectiveValues(c) {
  return objectives.map((o) => {
    let v;
    const dev = (c.devices || []).find((d) => d.device_class === o.device_class && d.outcome === 'OK');
    if (o.kind === 'QUALITY') v = c.quality;
    else if (o.kind === 'PARAMETERS') v = c.parameters;
    else if (o.kind === 'DECODE_MS_PER_TOKEN') v = dev && dev.decode[0].ms_per_token.median;
    else if (o.kind === 'PEAK_MEMORY_BYTES') v = dev && dev.peak_memory_bytes;
    else if (o.kind === 'PREFILL_TOKENS_PER_S') v = dev && dev.prefill[dev.prefill.length - 1].tokens_per_s.median;
    return Number.isFinite(v) ? {value: v} : {};
  });
}

const agents = {};
for (const c of classes) {
  agents[c] = [0, 1].map((k) => ({
    address: c === 'phone' ? `192.168.1.${40 + k}:50051` : `10.0.0.${10 + k}:50051`,
    cpu: c === 'phone' ? 'Qualcomm Snapdragon 8 Gen 3 (8 cores)' : 'AMD Ryzen 7 7840U (8 cores)',
    isa_path: c === 'phone' ? 'neon-dotprod' : 'avx512',
    build: 'liv-measure 0.4.1 (clang 19.1.7, -O3 -march=native, Release)',
    measurements: 0,
    quarantined: false,
  }));
}
if (classes.includes('phone')) agents.phone[1].quarantined = true;

const candidates = [];
function addCandidate(layers, reference, generation, opts = {}) {
  const i = candidates.length;
  const attn = [...layers.toUpperCase()].filter((ch) => ch === 'A' || ch === 'W').length;
  const shared = [...layers].filter((ch) => ch !== ch.toUpperCase()).length;
  const params = reference === 'LFM2-350M' ? 354483968 :
      reference ? 98566144 :
      Math.round((210e6 + (DEPTH - shared) * 9.5e6 + attn * 1.2e6) * noise(0.08));
  const c = {
    hash: hashOf(i),
    layers,
    reference,
    generation,
    parameters: params,
    feasible: true,
    on_front: false,
    rejected_reason: '',
    quality_failure: '',
    objective_values: [],
    layer_details: layerDetails(layers),
    devices: [],
  };
  if (opts.rejected) {
    c.feasible = false;
    c.rejected_reason = 'parameters 612.4M > max_parameters 500M';
    candidates.push(c);
    return c;
  }
  if (opts.qualityFailure) {
    c.quality_failure = 'training diverged at step 312 (loss nan)';
  } else {
    const q = 0.42 + 0.03 * attn + 0.012 * (DEPTH - shared) + 0.05 * (rand() - 0.5) +
        (reference === 'LFM2-350M' ? 0.05 : 0);
    c.quality = r3(Math.min(0.97, q));
  }
  for (const cls of classes) {
    const agent = agents[cls][i % 2];
    agent.measurements += 1;
    c.devices.push(figures(cls, layers, params, agent.address,
        opts.failClass === cls ? opts.failMode : ''));
  }
  c.objective_values = objectiveValues(c);
  candidates.push(c);
  return c;
}

addCandidate('CCACCACCACACACAC', 'LFM2-350M', 0);
addCandidate('CCCACCCA'.padEnd(DEPTH, 'C').slice(0, DEPTH), 'tiny-hybrid', 0);
const LETTERS = ['C', 'C', 'C', 'A', 'W', 'R'];
for (let i = 0; i < n; i++) {
  let layers = '';
  for (let k = 0; k < DEPTH; k++) {
    let ch = pick(LETTERS);
    if (k >= 3 && rand() < 0.08) ch = ch.toLowerCase();
    layers += ch;
  }
  const generation = Math.min(generationsPlanned - 1, Math.floor(i / population));
  const opts = {};
  if (i === 2) Object.assign(opts, {failClass: classes[classes.length - 1], failMode: 'OUT_OF_MEMORY'});
  if (i === 5) opts.qualityFailure = true;
  if (i === 7) opts.rejected = true;
  if (i > 20 && i % 97 === 0) Object.assign(opts, {failClass: classes[0], failMode: 'TIMEOUT'});
  addCandidate(layers, '', generation, opts);
}

// The Pareto front over the objectives (natural directions); an absent value is worst.
const dirs = objectives.map((o) => (o.maximised ? -1 : 1));
const vecs = candidates.map((c) => c.rejected_reason ? null :
    c.objective_values.map((v, k) => ('value' in v ? dirs[k] * v.value : Infinity)));
for (let a = 0; a < candidates.length; a++) {
  const va = vecs[a];
  if (!va || va.some((x) => x === Infinity)) continue;
  let dominated = false;
  for (let b = 0; b < candidates.length && !dominated; b++) {
    const vb = vecs[b];
    if (!vb || a === b) continue;
    let le = true, lt = false;
    for (let k = 0; k < va.length; k++) {
      if (vb[k] > va[k]) { le = false; break; }
      if (vb[k] < va[k]) lt = true;
    }
    dominated = le && lt;
  }
  candidates[a].on_front = !dominated;
}

if (lean) {
  for (const c of candidates) {
    if (c.on_front || c.reference) continue;
    c.layer_details = [];
    for (const d of c.devices) d.memory_by_context = [];
  }
}

const generationsDone = n >= 200 ? generationsPlanned : generationsPlanned - 1;
const generations = [];
for (let g = 0; g < generationsDone; g++) {
  const inGen = candidates.filter((c) => c.generation === g);
  generations.push({
    number: g,
    hypervolume: r3(0.21 + 0.3 * (1 - Math.exp(-g / 4)) + 0.01 * rand()),
    new_candidates: inGen.length,
    front_size: Math.max(1, inGen.filter((c) => c.on_front).length + Math.floor(rand() * 3)),
  });
}

const failedMeasurements = candidates.flatMap((c) => c.devices).filter((d) => d.outcome !== 'OK');
const events = [
  {unix_ms: String(created + 3600e3), device_class: classes[classes.length - 1] || 'phone',
    worker: agents[classes[classes.length - 1]]?.[1].address || '192.168.1.41:50051',
    kind: 'failed', message: 'Measure: DEADLINE_EXCEEDED after 180 s (attempt 1 of 3)'},
  {unix_ms: String(created + 3700e3), device_class: classes[classes.length - 1] || 'phone',
    worker: agents[classes[classes.length - 1]]?.[1].address || '192.168.1.41:50051',
    kind: 'quarantined', message: '3 consecutive failures; its work goes to the other agents'},
  {unix_ms: String(created + 5200e3), device_class: 'evaluator', worker: '10.0.0.20:50061',
    kind: 'failed', message: 'Evaluate: UNAVAILABLE (connection refused); retried on 10.0.0.21:50061'},
];
const drift = [];
for (let g = 1; g < generationsDone; g += 2) {
  for (const cls of classes) {
    const base = candidates[0].devices.find((d) => d.device_class === cls);
    if (!base || base.outcome !== 'OK') continue;
    const baseline = base.decode[0].ms_per_token.median;
    const ratio = r3(1 + (g === 1 && cls === classes[classes.length - 1] ? 0.081 : 0.02 * (rand() - 0.5)));
    drift.push({generation: g, reference: 'LFM2-350M', device_class: cls,
      metric: 'decode_ms_per_token[depth=0]', value: r3(baseline * ratio), baseline, ratio});
  }
}

const running = n < 200;
const warnings = [];
if (failedMeasurements.length) {
  warnings.push(`${failedMeasurements.length} measurement(s) failed (${[...new Set(failedMeasurements.map((d) => d.outcome))].join(', ')}); those candidates are missing from the plots of their device class.`);
}
for (const c of classes) {
  for (const a of agents[c]) {
    if (a.quarantined) warnings.push(`Agent ${a.address} (${c}) was quarantined after repeated failures.`);
  }
}
if (drift.some((d) => Math.abs(d.ratio - 1) > 0.05)) {
  warnings.push('A reference re-measurement drifted by more than 5% from its baseline (see Drift).');
}
if (running) warnings.push(`The campaign is still running: ${generationsDone} of ${generationsPlanned} generations done.`);

const devices = classes.map((c) => {
  const figs = candidates.flatMap((x) => x.devices).filter((d) => d.device_class === c);
  return {
    device_class: c,
    protocol_key: `v3/${c}/p128,512/d0,512,2048/r15`,
    agents: agents[c],
    measurements: figs.length,
    failed_measurements: figs.filter((d) => d.outcome !== 'OK').length,
  };
});

const scored = candidates.filter((c) => 'quality' in c).length;
const report = {
  schema: 'nas-report/1',
  generated_unix_ms: String(created + generationsDone * 3 * 3600e3 + 60e3),
  campaign: {
    db_path: '/home/ml/campaigns/lfm2-350m-class/campaign.sqlite',
    space_name: 'lfm2-350m-class',
    space_path: 'search-spaces/lfm2_350m_class.textproto',
    space_description: 'LFM2-350M-class hybrids: 16 blocks of gated short conv, (windowed) GQA or linear recurrence, each followed by a SwiGLU; d_model 1024, Q4_0 weights.',
    created_unix_ms: String(created),
    last_activity_unix_ms: String(created + generationsDone * 3 * 3600e3),
    generations_done: generationsDone,
    generations_planned: generationsPlanned,
    population,
    seed: '18446744073709551557',
    complete: !running,
    depth: DEPTH,
    d_model: D_MODEL,
    vocab_size: VOCAB,
    weight_type: 'Q4_0',
    candidates_total: candidates.length,
    candidates_rejected: candidates.filter((c) => c.rejected_reason).length,
    measurements_total: candidates.flatMap((c) => c.devices).length,
    measurements_failed: failedMeasurements.length,
  },
  objectives,
  evaluator: {
    name: 'mad:4857c104',
    kind: 'MAD',
    is_proxy: false,
    description: 'MAD tasks (in-context recall, fuzzy recall, selective copying, compression, memorization), 2000 steps, batch 64, lr 3e-4 cosine, seed 1',
    quality_is_objective: true,
    scored,
    failed: candidates.filter((c) => c.quality_failure).length,
  },
  protocol: {
    description: 'prompts 128, 512 tokens; decode at depths 0, 512, 2048; 3 warm-ups + 15 repetitions, stop at 2% CI half-width; 4 threads; fresh process per candidate; 1536 MiB memory bound',
    prompt_lengths: PROMPTS,
    decode_depths: DEPTHS,
    protocol_version: 3,
  },
  devices,
  layer_legend: [
    {letter: 'A', meaning: 'attention'},
    {letter: 'W', meaning: 'sliding-window attention'},
    {letter: 'C', meaning: 'gated short conv'},
    {letter: 'R', meaning: 'recurrence'},
    {letter: 'a..z', meaning: 'weights shared with an earlier layer'},
  ],
  candidates,
  generations,
  events,
  drift,
  warnings,
};
process.stdout.write(JSON.stringify(report, null, n <= 50 ? 1 : 0) + '\n');
