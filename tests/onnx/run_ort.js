#!/usr/bin/env node
// Runs an ONNX file with ONNX Runtime (npm onnxruntime-node, CPU) for detport's tests: an
// engine independent of detport's own runtime and of OpenCV.
//
//   node run_ort.js MANIFEST.json
//
// MANIFEST: {"runs": [RUN, ...], "threads": 1} with RUN = {"model": "m.onnx", "inputs":
// [{"name", "dtype", "dims", "file"}], "out_dir": "d"} (or one RUN's keys at the top level).
// Tensors are raw little-endian files. Writes every output to out_dir/<index>.bin and prints
// {"runs": [{"outputs": [{"name", "dtype", "dims", "file"}]} or {"error": "..."}]} on stdout:
// one node start for many small models keeps the tests fast.
// Exit codes: 0 ok, 1 failure (message on stderr), 77 onnxruntime-node is not installed (the
// caller skips; install it with `bash scripts/setup-peers.sh`).
'use strict';
const fs = require('fs');
const path = require('path');

function loadOrt() {
  const candidates = [];
  if (process.env.DETPORT_ORT_NODE_MODULES) candidates.push(process.env.DETPORT_ORT_NODE_MODULES);
  candidates.push(path.join(__dirname, '..', '..', 'bench', 'peers', 'node_modules'));
  for (const dir of candidates) {
    try {
      return require(path.join(dir, 'onnxruntime-node'));
    } catch (e) {
      if (e.code !== 'MODULE_NOT_FOUND') throw e;
    }
  }
  return null;
}

const kArrays = {
  float32: Float32Array, float64: Float64Array, int32: Int32Array, int64: BigInt64Array,
  int8: Int8Array, uint8: Uint8Array, int16: Int16Array, bool: Uint8Array,
};

function typedArray(dtype, buffer) {
  const A = kArrays[dtype];
  if (!A) throw new Error(`unsupported dtype ${dtype}`);
  const copy = new Uint8Array(buffer.length);
  copy.set(buffer);
  return new A(copy.buffer, 0, buffer.length / A.BYTES_PER_ELEMENT);
}

async function runOne(ort, run, threads) {
  const session = await ort.InferenceSession.create(run.model, {
    intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all',
  });
  const feeds = {};
  for (const input of run.inputs) {
    const data = typedArray(input.dtype, fs.readFileSync(input.file));
    feeds[input.name] = new ort.Tensor(input.dtype, data, input.dims);
  }
  const results = await session.run(feeds);
  const outputs = [];
  session.outputNames.forEach((name, i) => {
    const t = results[name];
    const file = path.join(run.out_dir, `${i}.bin`);
    const data = t.data;
    fs.writeFileSync(file, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    outputs.push({name, dtype: t.type, dims: t.dims.map(Number), file});
  });
  return outputs;
}

async function main() {
  if (process.argv.length < 3) {
    console.error('usage: run_ort.js MANIFEST.json');
    return 1;
  }
  const ort = loadOrt();
  if (ort === null) {
    console.error('onnxruntime-node is not installed (run: bash scripts/setup-peers.sh)');
    return 77;
  }
  const manifest = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const threads = manifest.threads || 1;
  const runs = manifest.runs || [manifest];
  const results = [];
  for (const run of runs) {
    try {
      results.push({outputs: await runOne(ort, run, threads)});
    } catch (e) {
      results.push({error: String(e && e.message ? e.message : e)});
    }
  }
  process.stdout.write(JSON.stringify({runs: results}) + '\n');
  return 0;
}

main().then((code) => process.exit(code), (e) => {
  console.error(`onnxruntime: ${e && e.message ? e.message : e}`);
  process.exit(1);
});
