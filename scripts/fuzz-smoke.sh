#!/usr/bin/env bash
# Runs each libFuzzer target for a bounded time under ASan/UBSan, seeded with the real models in
# ../shared/models (when present) and the malformed corpus in tests/malformed. Any crash, leak,
# hang or sanitizer report fails the run; the reproducer is kept under build/fuzz-findings/.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/asan-ubsan}
seconds=${2:-60}
shared=${DETPORT_SHARED_DIR:-../shared}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
findings=build/fuzz-findings
mkdir -p "$findings"

seed() {  # seed <name> <files...>: a fresh corpus dir holding copies of the seeds
  local dir="$work/$1"
  mkdir -p "$dir"
  shift
  for f in "$@"; do
    if [ -f "$f" ]; then cp "$f" "$dir/$(echo "$f" | tr -d '.' | tr '/' '_')"; fi
  done
  echo "$dir"
}

shopt -s nullglob
programs=(tests/malformed/*.prog)
params=(tests/malformed/*.params)
configs=(tests/malformed/*/*.yml)
pirs=(tests/malformed/*.json)
if [ -d "$shared/models" ]; then
  programs+=("$shared"/models/*/*.pdmodel "$shared"/models/*/__model__)
  configs+=("$shared"/models/*/*.yml)
  # PIR seeds: the smallest real export only; each input is read, written, read again and moved
  # through every PIR version under ASan, so whole 400 KB programs would leave few runs a minute.
  for f in "$shared"/models/pir_*/*.json; do
    [ "$(stat -c %s "$f")" -le 150000 ] && pirs+=("$f")
  done
  # Params seeds: the small real ones only (each whole file is one input).
  for f in "$shared"/models/*/*.pdiparams; do
    [ "$(stat -c %s "$f")" -le 1000000 ] && params+=("$f")
  done
else
  echo "fuzz-smoke: $shared/models not found; seeding from tests/malformed only"
fi

run() {  # run <target> <corpus-dir> [extra libFuzzer flags]
  local target=$1 corpus=$2
  shift 2
  echo "fuzz-smoke: $target for ${seconds}s on $(ls "$corpus" | wc -l) seeds"
  ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=0 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    "$build/tests/fuzz/$target" "$corpus" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$findings/$target-" -print_final_stats=1 "$@" 2>"$work/$target.log" || {
      tail -n 60 "$work/$target.log"
      echo "fuzz-smoke: $target FAILED; reproducer in $findings/"
      return 1
    }
  grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$work/$target.log" | sed "s/^/  /"
}

status=0
# Two at a time: the machine has two cores.
run fuzz_program "$(seed program "${programs[@]}")" -max_len=2000000 & p1=$!
run fuzz_params "$(seed params "${params[@]}")" -max_len=1100000 & p2=$!
wait $p1 || status=1
wait $p2 || status=1
run fuzz_deploy_config "$(seed config "${configs[@]}")" -max_len=65536 & p1=$!
run fuzz_pir "$(seed pir "${pirs[@]}")" -max_len=150000 & p2=$!
wait $p1 || status=1
wait $p2 || status=1
run fuzz_compat_data "$(seed compat data/compat/*.json)" -max_len=200000 & p1=$!
run fuzz_check "$(seed check "${programs[@]}")" -max_len=2000000 & p2=$!
wait $p1 || status=1
wait $p2 || status=1
exit $status
