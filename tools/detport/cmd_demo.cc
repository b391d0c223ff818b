// detport demo: the main job end to end on a model built in memory. Each step prints what a user
// would run by hand; later features extend it (convert, run, bench).
#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include "bench/bench_runner.h"
#include "bench/report.h"
#include "bench/report_html.h"
#include "check_report.h"
#include "cli.h"
#include "compat/catalog.h"
#include "compat/checker.h"
#include "compat/export_form.h"
#include "convert_target.h"
#include "export/onnx/onnx_export.h"
#include "formats/model_io.h"
#include "inspect_report.h"
#include "pipeline/compare.h"
#include "pipeline/opencv_backend.h"
#include "pipeline/runner.h"
#include "runtime/backend.h"
#include "zoo/ppyoloe_like.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace detport::cli {
namespace {

Result<std::filesystem::path> make_out_dir(const std::string& requested) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!requested.empty()) {
    fs::create_directories(requested, ec);
    if (ec)
      return make_error(ErrorCode::kIo, "cannot create the output directory: " + ec.message(),
                        requested);
    return fs::path(requested);
  }
  std::string tmpl = (fs::temp_directory_path() / "detport-demo-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr)
    return make_error(ErrorCode::kIo, "cannot create a temporary directory", tmpl);
  return fs::path(tmpl);
}

Status write_file(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!f) return make_error(ErrorCode::kIo, "cannot write", path.string());
  return {};
}

// The demo model on the native runtime and on OpenCV DNN with one seeded input; prints the
// verdict. Returns an exit code on failure, -1 to go on.
int compare_native_opencv(const ir::Model& model) {
  auto nat = runtime::make_native_backend(model, {});
  if (!nat.ok()) return report(nat.error());
  auto ocv = pipeline::make_opencv_backend(model);
  if (!ocv.ok()) return report(ocv.error());
  fmt::print("backend opencv: {}\n", (*ocv)->summary());
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> pixel(0.0f, 1.0f);
  std::vector<runtime::NamedTensor> feeds;
  for (const auto& in : (*nat)->inputs()) {
    runtime::Dims dims = in.dims;
    for (std::size_t i = 0; i < dims.size(); ++i)
      if (dims[i] < 0) dims[i] = i == 0 ? 1 : 320;
    auto t = runtime::Tensor::empty(ir::DType::kFloat32, dims);
    for (int64_t i = 0; i < t.numel(); ++i)
      t.data<float>()[i] = in.name == "image" ? pixel(rng) : 1.0f;  // scale_factor 1
    feeds.push_back({in.name, t});
  }
  auto a = (*nat)->run(feeds);
  if (!a.ok()) return report(a.error());
  auto b = (*ocv)->run(feeds);
  if (!b.ok()) return report(b.error());
  pipeline::Tolerances tol;
  pipeline::Comparison cmp;
  for (std::size_t i = 0; i < a->size() && i < b->size(); ++i)
    cmp.outputs.push_back(
        pipeline::diff_tensors((*a)[i].name, (*a)[i].tensor, (*b)[i].tensor, tol));
  pipeline::finish_verdict(cmp, tol);
  for (const auto& d : cmp.outputs)
    fmt::print("  {:<32} max abs {:<10.3g} max rel {:<10.3g} {}\n", d.name, d.max_abs, d.max_rel,
               d.within ? "ok" : "DIFFERENT");
  fmt::print("{}\n", cmp.verdict);
  return cmp.same ? -1 : static_cast<int>(kIncompatible);
}

void step(int n, const std::string& title) {
  fmt::print("\n== {}. {}\n", n, title);
}

// A 960x540 street-like scene drawn with OpenCV (no image files needed): sky, road, a few boxes.
Result<std::filesystem::path> write_demo_image(const std::filesystem::path& dir) {
  cv::Mat img(540, 960, CV_8UC3, cv::Scalar(200, 160, 110));
  cv::rectangle(img, {0, 330}, {960, 540}, cv::Scalar(90, 90, 90), cv::FILLED);
  cv::rectangle(img, {120, 250}, {330, 380}, cv::Scalar(40, 40, 200), cv::FILLED);
  cv::rectangle(img, {600, 180}, {680, 400}, cv::Scalar(60, 140, 60), cv::FILLED);
  cv::circle(img, {640, 150}, 32, cv::Scalar(150, 190, 230), cv::FILLED);
  cv::circle(img, {800, 80}, 45, cv::Scalar(80, 230, 250), cv::FILLED);
  const auto path = dir / "demo_street.jpg";
  if (!cv::imwrite(path.string(), img))
    return make_error(ErrorCode::kIo, "cannot write the demo image", path.string());
  return path;
}

}  // namespace

void add_demo(CLI::App& app, Runner& run) {
  auto out_dir = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand(
      "demo", "Build a small PP-YOLOE+-shaped detector and show what detport does with it");
  cmd->add_option("--out", *out_dir,
                  "directory for the demo's files (default: a new temporary directory)");
  cmd->callback([out_dir, &run] {
    run = [out_dir] {
      auto dir = make_out_dir(*out_dir);
      if (!dir.ok()) return report(dir.error());
      const auto model_dir = *dir / "ppyoloe_like_p261";
      std::filesystem::create_directories(model_dir);
      auto catalog = compat::Catalog::load_default();
      if (!catalog.ok()) return report(catalog.error());

      step(1,
           "Build a PP-YOLOE+-shaped detector (seeded random weights) as Paddle 2.6.1 exports it");
      ir::Model built = zoo::ppyoloe_like();
      const ir::Release p261{2, 6, 1};
      auto stats = compat::apply_export_form(built, *catalog->find(p261), p261);
      if (!stats.ok()) return report(stats.error());
      fmt::print(
          "ProgramDesc.version {}, the op_version_map Paddle 2.6 writes ({} entries), and {} "
          "attributes and {} outputs stripped as 2.6's exporter strips \"extra\" ones (swish.beta, "
          "conv2d/softmax use_cudnn, transpose2/squeeze2 XShape)\n",
          *built.program.version, built.program.op_version_map->size(), stats->attrs_removed,
          stats->outputs_removed);
      if (Status s = formats::save_model(built, model_dir); !s.ok()) return report(s.error());
      fmt::print("wrote {}\n", model_dir.string());
      for (const auto& entry : std::filesystem::directory_iterator(model_dir))
        fmt::print("  {:<20}{:>10} bytes\n", entry.path().filename().string(), entry.file_size());

      step(2, fmt::format("detport inspect {}", model_dir.string()));
      auto model = formats::load_model(model_dir);
      if (!model.ok()) return report(model.error());
      fmt::print("{}", inspect_text(*model, ir::summarize(*model)));

      step(3, fmt::format("detport check {} --target 2.3.2", model_dir.string()));
      auto target = catalog->resolve("2.3.2");
      if (!target.ok()) return report(target.error());
      const compat::Report rep = compat::check(*model, *catalog, **target, "2.3.2");
      fmt::print("{}", check_text(*model, rep, *catalog));

      const auto converted_dir = *dir / "ppyoloe_like_p232";
      step(4, fmt::format("detport convert {} --target 2.3.2 -o {}", model_dir.string(),
                          converted_dir.string()));
      std::error_code ec;
      std::filesystem::remove_all(converted_dir, ec);  // a rerun of the demo in the same --out
      TargetConvertCliOptions co;
      co.model = model_dir.string();
      co.out = converted_dir.string();
      co.target = "2.3.2";
      if (const int code = convert_to_target(co); code != kOk) return code;

      step(5, fmt::format("detport check {} --target 2.3.2", converted_dir.string()));
      auto converted = formats::load_model(converted_dir);
      if (!converted.ok()) return report(converted.error());
      const compat::Report after = compat::check(*converted, *catalog, **target, "2.3.2");
      fmt::print("{}", check_text(*converted, after, *catalog));

      const auto run_dir = *dir / "run";
      step(6, fmt::format("detport run {} demo_street.jpg --out {}", model_dir.string(),
                          run_dir.string()));
      auto image = write_demo_image(*dir);
      if (!image.ok()) return report(image.error());
      auto backend = runtime::make_native_backend(*model, runtime::CompileOptions{});
      if (!backend.ok()) return report(backend.error());
      auto detector = pipeline::Detector::create(*model, std::move(backend).value());
      if (!detector.ok()) return report(detector.error());
      pipeline::RunOptions ropts;
      ropts.out_dir = run_dir;
      auto summary = pipeline::run_images(*detector, {*image}, ropts);
      if (!summary.ok()) return report(summary.error());
      const auto& t = summary->times;
      fmt::print(
          "{} detections at the config's draw_threshold (the weights are random, so boxes mean "
          "nothing; the "
          "pipeline is real: the deploy config's Resize + NormalizeImage + Permute, the native "
          "runtime, Paddle's multiclass NMS)\n"
          "first image, planning included: decode {:.1f} ms, preprocess {:.1f} ms, inference "
          "{:.1f} ms, postprocess "
          "{:.1f} ms\nwrote {} (COCO results) and the drawn image\n",
          summary->items.empty() ? 0 : summary->items[0].detections.boxes.size(), t.decode * 1e3,
          t.preprocess * 1e3, t.inference * 1e3, t.postprocess * 1e3,
          (run_dir / "results.json").string());

      const auto html = *dir / "bench.html";
      step(7, fmt::format("detport bench {} --threads-list 1 --runs 5 --html {}",
                          model_dir.string(), html.string()));
      bench::BenchOptions bo;
      bo.threads = {1};
      bo.warmup = 1;
      bo.runs = 5;
      bo.images = std::nullopt;  // a synthetic 1280x720 JPEG, as a camera frame
      bo.make_backend = [](const ir::Model& mdl, const std::string&, int threads) {
        runtime::CompileOptions c;
        c.threads = threads;
        c.profile = true;
        return runtime::make_native_backend(mdl, c);
      };
      auto bench_report = bench::run_bench(*model, 0.0, bo);
      if (!bench_report.ok()) return report(bench_report.error());
      fmt::print("{}", bench::report_text(*bench_report));
      std::ofstream(html) << bench::render_html({*bench_report}, {""});
      fmt::print("HTML report: {}\n", html.string());

      const auto onnx_path = *dir / "ppyoloe_like.onnx";
      step(8, fmt::format("detport convert {} --format onnx -o {}", model_dir.string(),
                          onnx_path.string()));
      onnx_export::ExportPlan plan;
      auto bytes = onnx_export::export_onnx_bytes(*model, {}, &plan);
      if (!bytes.ok()) return report(bytes.error());
      if (Status s = write_file(onnx_path, *bytes); !s.ok()) return report(s.error());
      fmt::print("wrote {} ({} bytes, opset {}, {} Paddle ops exported)\n", onnx_path.string(),
                 bytes->size(), plan.opset, plan.exported_ops);

      step(9, fmt::format("detport compare {} --backends native,opencv --random 1",
                          model_dir.string()));
      if (int rc = compare_native_opencv(*model); rc >= 0) return rc;

      fmt::print("\nThe demo's files are in {}\n", dir->string());
      return static_cast<int>(kOk);
    };
  });
}

}  // namespace detport::cli
