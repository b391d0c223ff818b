#include "bench/bench_runner.h"

#include <fmt/format.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <map>
#include <opencv2/imgcodecs.hpp>

#include "core/mapped_file.h"
#include "pipeline/detector.h"
#include "pipeline/runner.h"

namespace detport::bench {
namespace {

using clock_type = std::chrono::steady_clock;
double since(clock_type::time_point t) {
  return std::chrono::duration<double>(clock_type::now() - t).count();
}

struct Combo {
  std::string backend;
  int threads, batch;
  std::unique_ptr<pipeline::Detector> detector;
  ComboResult result;
  std::vector<double> decode, pre, infer, post, e2e;
  std::map<std::string, std::vector<double>> node_seconds;  // node label -> per-run seconds
  std::map<std::string, std::pair<std::string, std::string>> node_info;  // label -> (type, impl)
  std::map<std::string, double> node_flops;
};

// A synthetic photo-like image: smooth gradients plus noise, so JPEG decoding costs what it does on
// real photographs rather than on flat colour.
std::vector<uint8_t> synthetic_jpeg(int w, int h) {
  cv::Mat img(h, w, CV_8UC3);
  cv::RNG rng(7);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      img.at<cv::Vec3b>(y, x) =
          cv::Vec3b(static_cast<uint8_t>((x * 255) / w), static_cast<uint8_t>((y * 255) / h),
                    static_cast<uint8_t>(((x + y) * 127) / (w + h)));
  cv::Mat noise(h, w, CV_8UC3);
  rng.fill(noise, cv::RNG::NORMAL, 0, 24);
  img += noise;
  std::vector<uint8_t> out;
  cv::imencode(".jpg", img, out, {cv::IMWRITE_JPEG_QUALITY, 90});
  return out;
}

std::string now_iso8601() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

double median(std::vector<double> v) {
  return summarize(std::move(v)).p50;
}

void finish(Combo& c) {
  ComboResult& r = c.result;
  r.decode = summarize(c.decode);
  r.preprocess = summarize(c.pre);
  r.inference = summarize(c.infer);
  r.postprocess = summarize(c.post);
  r.end_to_end = summarize(c.e2e);
  r.end_to_end_samples = c.e2e;
  r.images_per_second = r.end_to_end.p50 > 0 ? c.batch / r.end_to_end.p50 : 0;
  // Per op type and per node: medians of the per-run times.
  std::map<std::string, OpProfile> types;
  std::vector<OpProfile> nodes;
  double total = 0;
  for (const auto& [label, secs] : c.node_seconds) {
    const double m = median(secs);
    total += m;
    const auto& [type, impl] = c.node_info[label];
    OpProfile& t = types[type];
    t.name = type;
    t.impl = t.impl.empty() || t.impl == impl ? impl : "mixed";
    t.count += 1;
    t.seconds += m;
    t.flops += c.node_flops[label];
    nodes.push_back({label, impl, 1, m, c.node_flops[label], 0});
  }
  for (auto& [name, t] : types) {
    t.share = total > 0 ? t.seconds / total : 0;
    r.op_types.push_back(t);
  }
  std::sort(r.op_types.begin(), r.op_types.end(),
            [](const auto& a, const auto& b) { return a.seconds > b.seconds; });
  for (auto& n : nodes) n.share = total > 0 ? n.seconds / total : 0;
  std::sort(nodes.begin(), nodes.end(),
            [](const auto& a, const auto& b) { return a.seconds > b.seconds; });
  if (nodes.size() > 20) nodes.resize(20);
  r.top_nodes = nodes;
}

}  // namespace

Result<BenchReport> run_bench(const ir::Model& model, double load_seconds, const BenchOptions& o) {
  auto log = [&](const std::string& s) {
    if (o.log) o.log(s);
  };
  BenchReport report;
  report.created = now_iso8601();
  report.model = model.meta.files.program.string();
  report.model_name = model.meta.files.dir.filename().string();
  report.load_seconds = load_seconds;
  report.warmup = o.warmup;
  report.environment = probe_environment();

  // Inputs: encoded images kept in memory, so decoding is measured without disk I/O.
  std::vector<std::vector<uint8_t>> encoded;
  std::vector<std::string> names;
  if (o.images) {
    auto list = pipeline::expand_inputs({o.images->string()});
    for (const auto& p : list.images) {
      auto f = MappedFile::open(p);
      if (!f.ok()) continue;
      auto b = (*f)->bytes();
      encoded.emplace_back(reinterpret_cast<const uint8_t*>(b.data()),
                           reinterpret_cast<const uint8_t*>(b.data()) + b.size());
      names.push_back(p.string());
    }
    if (encoded.empty())
      return make_error(ErrorCode::kInvalidInput, "no readable images", o.images->string());
    report.input = fmt::format("images in {} ({})", o.images->string(), encoded.size());
  } else {
    encoded.push_back(synthetic_jpeg(o.synthetic_width, o.synthetic_height));
    names.push_back("synthetic");
    report.input = fmt::format("synthetic {}x{} JPEG", o.synthetic_width, o.synthetic_height);
  }

  std::vector<int> threads = o.threads;
  if (threads.empty()) threads.push_back(static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN)));
  std::vector<Combo> combos;
  for (const auto& b : o.backends)
    for (int t : threads)
      for (int n : o.batches) {
        Combo c;
        c.backend = b;
        c.threads = t;
        c.batch = n;
        c.result.backend = b;
        c.result.threads = t;
        c.result.batch = n;
        const auto t0 = clock_type::now();
        auto backend = o.make_backend(model, b, t);
        if (!backend.ok())
          return Error(std::move(backend).error()).within(fmt::format("backend {}", b));
        c.result.compile_seconds = since(t0);
        auto det = pipeline::Detector::create(model, std::move(backend).value());
        if (!det.ok()) return std::move(det).error();
        c.detector = std::make_unique<pipeline::Detector>(std::move(det).value());
        combos.push_back(std::move(c));
      }

  std::size_t next_image = 0;
  auto one_run = [&](Combo& c, bool record) -> Status {
    pipeline::StageTimes times;
    std::vector<pipeline::Decoded> batch;
    for (int i = 0; i < c.batch; ++i) {
      const auto& bytes = encoded[next_image++ % encoded.size()];
      const auto t0 = clock_type::now();
      auto d = pipeline::decode_image(bytes, c.detector->decode_options(),
                                      names[(next_image - 1) % names.size()]);
      times.decode += since(t0);
      if (!d.ok()) return std::move(d).error();
      batch.push_back(std::move(d).value());
    }
    DETPORT_TRY(c.detector->detect(std::move(batch), &times));
    if (!record) return {};
    c.decode.push_back(times.decode);
    c.pre.push_back(times.preprocess);
    c.infer.push_back(times.inference);
    c.post.push_back(times.postprocess);
    c.e2e.push_back(times.total());
    if (const runtime::Profile* p = c.detector->backend().profile()) {
      for (const auto& n : p->nodes) {
        c.node_seconds[n.label].push_back(n.seconds);
        c.node_info[n.label] = {n.type, n.impl};
        c.node_flops[n.label] = n.flops;
      }
    }
    return {};
  };

  for (auto& c : combos) {
    const auto t0 = clock_type::now();
    DETPORT_TRY(one_run(c, false));
    c.result.first_run_seconds = since(t0);
    for (int i = 1; i < o.warmup; ++i) DETPORT_TRY(one_run(c, false));
  }
  log(fmt::format("timing {} configuration{}...", combos.size(), combos.size() == 1 ? "" : "s"));
  const auto start = clock_type::now();
  int runs = 0;
  while (true) {
    for (auto& c : combos) DETPORT_TRY(one_run(c, true));
    ++runs;
    if (o.seconds > 0 ? (since(start) >= o.seconds && runs >= 3) : runs >= o.runs) break;
  }
  report.runs = runs;
  for (auto& c : combos) {
    c.result.plan = c.detector->backend().summary();
    finish(c);
    double flops = 0;
    for (const auto& t : c.result.op_types) flops += t.flops;
    if (flops > 0) report.model_flops = flops / c.batch;
    report.combos.push_back(std::move(c.result));
  }
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  report.peak_rss_mib = static_cast<double>(ru.ru_maxrss) / 1024.0;
  report.verdict = make_verdict(report);
  return report;
}

}  // namespace detport::bench
