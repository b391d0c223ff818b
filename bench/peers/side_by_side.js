#!/usr/bin/env node
// detport's native inference against ONNX Runtime on the same graph, same input size, same thread
// count, alternating engine by engine for several rounds so machine drift hits both alike.
//
//   node side_by_side.js DETPORT_BINARY MODEL_DIR [--threads 1] [--rounds 3] [--runs 20]
//                        [--weights random] [--size 640] [--config infer_cfg.yml]
//
// detport's number is the inference stage of `detport bench` (p50 per round); ONNX Runtime's is
// bench_ort.js on the graph `detport convert --format onnx` exports with the same fixed input
// shape. Prints one JSON line: {"model", "size", "threads", "detport_ms", "ort_ms", "ratio"}
// where the ms are medians over rounds of per-round p50 and ratio = detport / ort.
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

function args(argv) {
  const a = { threads: 1, rounds: 3, runs: 20, weights: '', size: 0, config: '' };
  const rest = [];
  for (let i = 0; i < argv.length; ++i) {
    const k = argv[i];
    if (k === '--threads') a.threads = Number(argv[++i]);
    else if (k === '--rounds') a.rounds = Number(argv[++i]);
    else if (k === '--runs') a.runs = Number(argv[++i]);
    else if (k === '--weights') a.weights = argv[++i];
    else if (k === '--size') a.size = Number(argv[++i]);
    else if (k === '--config') a.config = argv[++i];
    else rest.push(k);
  }
  [a.detport, a.model] = rest;
  if (!a.detport || !a.model) throw new Error('usage: side_by_side.js DETPORT MODEL_DIR [options]');
  return a;
}

const median = (v) => { const s = [...v].sort((x, y) => x - y); const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

// [h, w] of the network input: --size, else the deploy config's first resize target.
function inputSize(a) {
  if (a.size) return [a.size, a.size];
  const info = JSON.parse(execFileSync(a.detport, ['inspect', a.model, '--json']).toString());
  const pre = (info.deploy_config && info.deploy_config.preprocess) || [];
  for (const t of pre) {
    const p = t.params || {};
    const ts = p.target_size || p.size;
    if (Array.isArray(ts)) return t.type === 'ResizeImage' ? [ts[1], ts[0]] : [ts[0], ts[1]];
    if (typeof ts === 'number') return [ts, ts];
  }
  return [640, 640];
}

function main() {
  const a = args(process.argv.slice(2));
  const [h, w] = inputSize(a);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'detport-peers-'));
  const onnx = path.join(dir, 'model.onnx');
  const weights = a.weights ? ['--weights', a.weights] : [];
  const shapes = ['--input-shape', `image=1,3,${h},${w}`];
  const info = JSON.parse(execFileSync(a.detport, ['inspect', a.model, '--json']).toString());
  const names = info.inputs.map((i) => i.name);
  for (const n of ['im_shape', 'scale_factor', 'im_size'])
    if (names.includes(n)) shapes.push('--input-shape', `${n}=1,2`);
  execFileSync(a.detport, ['convert', a.model, '--format', 'onnx', '-o', onnx, ...weights, ...shapes]);
  const ortShapes = [];
  for (let i = 1; i < shapes.length; i += 2) ortShapes.push('--shape', shapes[i]);
  const d = [], o = [];
  for (let r = 0; r < a.rounds; ++r) {
    const json = path.join(dir, `bench${r}.json`);
    execFileSync(a.detport, ['bench', a.model, '--synthetic', `${w}x${h}`, '--threads-list',
      String(a.threads), '--batch', '1', '--runs', String(a.runs), '--json', json, ...weights,
      ...(a.config ? ['--config', a.config] : [])],
    { stdio: ['ignore', 'ignore', 'inherit'] });
    const rep = JSON.parse(fs.readFileSync(json));
    d.push(rep.combos[0].stages_seconds.inference.p50 * 1e3);
    const ort = JSON.parse(execFileSync('node', [path.join(__dirname, 'bench_ort.js'), onnx,
      '--threads', String(a.threads), '--runs', String(a.runs), ...ortShapes]).toString());
    o.push(ort.ms.p50);
  }
  const dm = median(d), om = median(o);
  console.log(JSON.stringify({ model: path.basename(a.model), size: `${h}x${w}`, threads: a.threads,
    detport_ms: +dm.toFixed(2), ort_ms: +om.toFixed(2), ratio: +(dm / om).toFixed(2),
    rounds: { detport: d.map((x) => +x.toFixed(2)), ort: o.map((x) => +x.toFixed(2)) } }));
  fs.rmSync(dir, { recursive: true, force: true });
}

main();
