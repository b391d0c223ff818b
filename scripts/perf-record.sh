#!/usr/bin/env bash
# Measures what docs/PERFORMANCE.md records, with a release build:
#  1. native latency of each shared detector (weights or seeded random ones) at its deploy-config
#     input size: batch 1 and 4, 1 and 2 threads, fused and --no-fuse (detport bench, interleaved);
#  2. detport's inference against ONNX Runtime on the same graph, size and threads, alternating
#     engines (bench/peers/side_by_side.js);
#  3. the pipeline's share for a 1280x720 JPEG into a 640x640 PP-YOLOE+ (decode + preprocess +
#     postprocess against inference).
# Usage: scripts/perf-record.sh [OUT_DIR]   (JSON reports and a summary land in OUT_DIR)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-build/perf}
mkdir -p "$out"
detport=build/release/tools/detport/detport
models=../shared/models
[ -x "$detport" ] || { echo "build the release preset first"; exit 2; }
[ -d "$models" ] || { echo "perf-record: $models not found"; exit 2; }

weights() { [ -n "$(ls "$models/$1"/*.pdiparams "$models/$1"/__params__ 2>/dev/null)" ] || echo "--weights random"; }

list=(ppyoloe_plus_p24 picodet_layout_p251 ppyolo_tiny_650e_p24 blazeface_p23 yolov3_mbv1_fluid_p201)
bf_cfg="$out/blazeface_infer_cfg.yml"
cat > "$bf_cfg" <<'YML'
mode: paddle
draw_threshold: 0.5
arch: BlazeFace
Preprocess:
- {type: Resize, target_size: [640, 640], keep_ratio: false, interp: 1}
- {type: NormalizeImage, is_scale: false, mean: [123, 117, 104], std: [127.502231, 127.502231, 127.502231]}
- {type: Permute}
label_list: [face]
YML
cfg() { [ "$1" = blazeface_p23 ] && echo "--config $bf_cfg"; }

echo "== 1. native latency (detport bench, synthetic 1280x720 JPEG)"
for m in "${list[@]}"; do
  # shellcheck disable=SC2046
  "$detport" bench "$models/$m" $(weights "$m") $(cfg "$m") --threads-list 1,2 --batch 1,4 \
    --warmup 2 --runs 10 --json "$out/$m.json" > "$out/$m.txt" 2>/dev/null
  # shellcheck disable=SC2046
  "$detport" bench "$models/$m" $(weights "$m") $(cfg "$m") --threads-list 1,2 --batch 1 --no-fuse \
    --warmup 2 --runs 10 --json "$out/$m.nofuse.json" > "$out/$m.nofuse.txt" 2>/dev/null
  node -e '
    const [f, nf] = process.argv.slice(1).map((p) => JSON.parse(require("fs").readFileSync(p)));
    const ms = (c, s) => (c.stages_seconds[s].p50 * 1e3).toFixed(1);
    for (const c of f.combos) {
      const n = nf.combos.find((x) => x.threads === c.threads && x.batch === c.batch);
      console.log(`| ${process.argv[3]} | ${c.threads} | ${c.batch} | ${ms(c, "decode")} | ${ms(c, "preprocess")} | ${ms(c, "inference")} | ${n ? ms(n, "inference") : "-"} | ${ms(c, "postprocess")} | ${ms(c, "end_to_end")} | ${c.images_per_second.toFixed(1)} |`);
    }' "$out/$m.json" "$out/$m.nofuse.json" "$m"
done

echo "== 2. detport vs ONNX Runtime (inference only, same ONNX graph size and threads)"
for m in "${list[@]}"; do
  for t in 1 2; do
    # shellcheck disable=SC2046
    node bench/peers/side_by_side.js "$detport" "$models/$m" --threads "$t" --rounds 3 --runs 15 \
      $(weights "$m") $( [ "$m" = blazeface_p23 ] && echo "--size 640 --config $bf_cfg") 2>/dev/null || echo "{\"model\": \"$m\", \"error\": true}"
  done
done
