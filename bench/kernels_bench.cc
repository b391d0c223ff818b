// Per-kernel benchmarks at the shapes real PaddleDetection models use, optimised vs reference
// where the reference is fast enough to time. Reported counters: GFLOP/s from the node's FLOPs.
//   build/release/bench/bench_kernels --benchmark_filter=Conv
#include <benchmark/benchmark.h>

#include <immintrin.h>

#include <random>

#include "ir/builder.h"
#include "runtime/session.h"

namespace detport {
namespace {

using ir::Attribute;

struct ConvShape {
  int64_t c, m, hw, k, stride, groups;
};

// Shapes from PP-YOLOE+ s/m (640x640) and PicoDet-S (320x320) backbones and necks.
const ConvShape kConvShapes[] = {
    {3, 32, 640, 3, 2, 1},      // stem
    {64, 64, 160, 3, 1, 1},     // CSPRes stage 1
    {128, 128, 80, 3, 1, 1},    // stage 2
    {64, 128, 160, 1, 1, 1},    // pointwise
    {256, 256, 40, 3, 1, 1},    // stage 3
    {96, 96, 40, 5, 1, 96},     // PicoDet depthwise 5x5
    {128, 128, 20, 5, 1, 128},  // PicoDet depthwise 5x5, small map
    {256, 255, 20, 1, 1, 1},    // head 1x1
};

ir::Model conv_model(const ConvShape& s, bool with_act) {
  ir::ProgramBuilder b;
  auto x = b.input("x", ir::DType::kFloat32, {1, s.c, s.hw, s.hw});
  auto w = b.random_param("w", {s.m, s.c / s.groups, s.k, s.k}, 0.1f);
  auto y = b.temp("y", ir::DType::kFloat32, {});
  const auto p = static_cast<int32_t>(s.k / 2);
  const auto st = static_cast<int32_t>(s.stride);
  b.op(s.groups > 1 ? "depthwise_conv2d" : "conv2d")
      .in("Input", {x})
      .in("Filter", {w})
      .out("Output", {y})
      .attr("strides", Attribute::i32s({st, st}))
      .attr("paddings", Attribute::i32s({p, p}))
      .attr("dilations", Attribute::i32s({1, 1}))
      .attr("groups", Attribute::i32(static_cast<int32_t>(s.groups)))
      .attr("padding_algorithm", Attribute::str("EXPLICIT"))
      .attr("data_format", Attribute::str("NCHW"))
      .build();
  std::string out = y;
  if (with_act) {
    out = b.temp("z", ir::DType::kFloat32, {});
    b.op("swish").in("X", {y}).out("Out", {out}).build();
  }
  b.output(out);
  return std::move(b).finish(ir::Release{2, 6, 1});
}

runtime::Tensor input_for(const ConvShape& s) {
  runtime::Tensor t = runtime::Tensor::empty(ir::DType::kFloat32, {1, s.c, s.hw, s.hw});
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> d(-1, 1);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = d(rng);
  return t;
}

// One conv (+ fused swish), end to end through a session: NCHW in and out, so the two layout
// conversions are included, as at the border of a real network.
void BM_Conv(benchmark::State& state) {
  const ConvShape& s = kConvShapes[state.range(0)];
  runtime::CompileOptions o;
  o.threads = static_cast<int>(state.range(1));
  o.profile = true;
  auto session = runtime::compile(conv_model(s, true), o);
  if (!session.ok()) {
    state.SkipWithError(session.error().describe().c_str());
    return;
  }
  std::vector<runtime::NamedTensor> in{{"x", input_for(s)}};
  double conv_seconds = 0, flops = 0;
  for (auto _ : state) {
    auto r = session->run(in);
    benchmark::DoNotOptimize(r);
    for (const auto& n : session->profile().nodes)
      if (n.flops > 0 && n.type.find("conv") != std::string::npos) {
        conv_seconds += n.seconds;
        flops = n.flops;
      }
  }
  state.counters["conv_GFLOPs"] =
      benchmark::Counter(flops * static_cast<double>(state.iterations()) / 1e9 / conv_seconds);
  state.SetLabel(session->plan_summary());
}

BENCHMARK(BM_Conv)
    ->ArgsProduct({{0, 1, 2, 3, 4, 5, 6, 7}, {1, 2}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The core's fp32 peak: independent AVX-512 FMA chains (more chains than FMA latency x ports, so
// the FMA units never wait), nothing loaded or stored. Counter: GFLOP/s (an FMA is 2 FLOPs).
__attribute__((target("avx512f"), noinline)) float fma_chains(int64_t iterations) {
  constexpr int kChains = 16;
  __m512 acc[kChains];
  for (int c = 0; c < kChains; ++c) acc[c] = _mm512_set1_ps(static_cast<float>(c) * 1e-3f);
  const __m512 a = _mm512_set1_ps(0.999f), b = _mm512_set1_ps(1e-4f);
  for (int64_t i = 0; i < iterations; ++i)
    for (int c = 0; c < kChains; ++c) acc[c] = _mm512_fmadd_ps(acc[c], a, b);
  __m512 sum = acc[0];
  for (int c = 1; c < kChains; ++c) sum = _mm512_add_ps(sum, acc[c]);
  alignas(64) float lanes[16];  // (_mm512_reduce_add_ps trips GCC 12's -Wuninitialized)
  _mm512_store_ps(lanes, sum);
  float total = 0;
  for (float v : lanes) total += v;
  return total;
}

void BM_PeakFma512(benchmark::State& state) {
  if (!__builtin_cpu_supports("avx512f")) {
    state.SkipWithError("no AVX-512F");
    return;
  }
  constexpr int64_t kIterations = 1 << 22;
  for (auto _ : state) {
    int64_t n = kIterations;
    benchmark::DoNotOptimize(n);  // a fresh, opaque argument: the call cannot be hoisted
    benchmark::DoNotOptimize(fma_chains(n));
  }
  state.counters["GFLOPs"] =
      benchmark::Counter(static_cast<double>(kIterations) * 16 * 16 * 2 / 1e9,
                         benchmark::Counter::kIsIterationInvariantRate);
}

BENCHMARK(BM_PeakFma512)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace detport

BENCHMARK_MAIN();
