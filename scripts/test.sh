#!/usr/bin/env bash
# The test command (README, .ci/run): installs what is missing, builds and tests the debug build
# (g++), the sanitizer build (clang ASan+UBSan) with its tests, then fuzzes every reader briefly.
# FUZZ_SECONDS (default 60) bounds each fuzz target.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh

echo "== debug build (g++), warnings as errors"
cmake --preset debug >/dev/null
cmake --build --preset debug
ctest --preset debug

echo "== sanitizer build (clang, ASan + UBSan) and libFuzzer targets"
cmake --preset asan-ubsan >/dev/null
cmake --build --preset asan-ubsan
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --preset asan-ubsan

echo "== fuzzing smoke run"
bash scripts/fuzz-smoke.sh build/asan-ubsan "${FUZZ_SECONDS:-60}"

echo "== all tests passed"
