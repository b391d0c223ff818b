#!/usr/bin/env node
// Times an ONNX file in ONNX Runtime (npm onnxruntime-node, CPU) the way `detport bench` times its
// inference stage: fixed random inputs, warm-up runs, then N timed session.run() calls.
//
//   node bench_ort.js MODEL.onnx --threads 1 [--runs 20] [--warmup 3] [--shape name=1,3,640,640 ...]
//
// Dynamic dims not given by --shape: batch 1, spatial 640. float inputs get uniform [0, 1) values,
// im_shape/im_size the spatial size, scale_factor ones. Prints one JSON line:
// {"engine": "onnxruntime-node <version>", "threads", "runs", "ms": {"min", "p50", "p90", "mean"}}.
// Exit 77 when onnxruntime-node is not installed (bash scripts/setup-peers.sh).
'use strict';
const path = require('path');

function loadOrt() {
  try {
    return require(path.join(__dirname, 'node_modules', 'onnxruntime-node'));
  } catch (e) {
    if (e.code === 'MODULE_NOT_FOUND') return null;
    throw e;
  }
}

function parseArgs(argv) {
  const a = { threads: 1, runs: 20, warmup: 3, shapes: {} };
  for (let i = 0; i < argv.length; ++i) {
    const k = argv[i];
    if (k === '--threads') a.threads = Number(argv[++i]);
    else if (k === '--runs') a.runs = Number(argv[++i]);
    else if (k === '--warmup') a.warmup = Number(argv[++i]);
    else if (k === '--shape') {
      const [name, dims] = argv[++i].split('=');
      a.shapes[name] = dims.split(',').map(Number);
    } else if (!a.model) a.model = k;
    else throw new Error(`unexpected argument ${k}`);
  }
  if (!a.model) throw new Error('usage: bench_ort.js MODEL.onnx [--threads N] [--runs N]');
  return a;
}

function quantile(sorted, q) {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

async function main() {
  const ort = loadOrt();
  if (!ort) {
    console.error('onnxruntime-node is not installed (bash scripts/setup-peers.sh)');
    process.exit(77);
  }
  const a = parseArgs(process.argv.slice(2));
  const session = await ort.InferenceSession.create(a.model, {
    intraOpNumThreads: a.threads, interOpNumThreads: 1, graphOptimizationLevel: 'all',
  });
  const feeds = {};
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (const name of session.inputNames) {
    const meta = session.inputMetadata ? session.inputMetadata.find?.((m) => m.name === name) : null;
    let dims = a.shapes[name];
    if (!dims) {
      const shape = meta && meta.shape ? meta.shape : null;
      if (!shape) throw new Error(`give --shape ${name}=...`);
      dims = shape.map((d, i) => (typeof d === 'number' && d > 0 ? d : i === 0 ? 1 : 640));
    }
    const n = dims.reduce((x, y) => x * y, 1);
    const type = meta && meta.type ? meta.type : 'float32';
    let data;
    if (name === 'scale_factor') data = new Float32Array(n).fill(1);
    else if (name === 'im_shape' || name === 'im_size') {
      const img = Object.values(a.shapes).find((d) => d.length === 4) || [1, 3, 640, 640];
      const A = type === 'int32' ? Int32Array : Float32Array;
      data = new A(n);
      for (let i = 0; i < n; i += 2) { data[i] = img[2]; data[i + 1] = img[3]; }
    } else {
      data = new Float32Array(n);
      for (let i = 0; i < n; ++i) data[i] = rand();
    }
    feeds[name] = new ort.Tensor(data instanceof Int32Array ? 'int32' : 'float32', data, dims);
  }
  for (let i = 0; i < a.warmup; ++i) await session.run(feeds);
  const ms = [];
  for (let i = 0; i < a.runs; ++i) {
    const t0 = process.hrtime.bigint();
    await session.run(feeds);
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  ms.sort((x, y) => x - y);
  const version = require(path.join(__dirname, 'node_modules', 'onnxruntime-node', 'package.json')).version;
  console.log(JSON.stringify({
    engine: `onnxruntime-node ${version}`, threads: a.threads, runs: a.runs,
    ms: { min: ms[0], p50: quantile(ms, 0.5), p90: quantile(ms, 0.9),
      mean: ms.reduce((x, y) => x + y, 0) / ms.length },
  }));
}

main().catch((e) => { console.error(e.message || e); process.exit(1); });
