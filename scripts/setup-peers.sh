#!/usr/bin/env bash
# Installs the npm peer runtimes (ONNX Runtime for Node, CPU) into bench/peers/node_modules from
# the committed package-lock.json. Idempotent; never fatal: without network the tests that need
# the peers skip with a message.
# ONNXRUNTIME_NODE_INSTALL=skip: the package's postinstall would fetch CUDA files from a host
# that is not reachable; the CPU library ships inside the package.
set -uo pipefail
cd "$(dirname "$0")/../bench/peers"

if ! command -v npm >/dev/null 2>&1; then
  echo "setup-peers: npm not found; ONNX Runtime cross-checks will be skipped"
  exit 0
fi
if [ -f node_modules/onnxruntime-node/package.json ] &&
   grep -q '"version": "1.30.0"' node_modules/onnxruntime-node/package.json; then
  echo "setup-peers: onnxruntime-node 1.30.0 already installed"
  exit 0
fi
echo "setup-peers: installing onnxruntime-node (about 290 MB)"
if ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund --loglevel=error; then
  echo "setup-peers: done"
else
  echo "setup-peers: npm ci failed (offline?); ONNX Runtime cross-checks will be skipped"
fi
exit 0
