// detport demo: the main job end to end on a model built in memory. Each step prints what a user
// would run by hand; later features extend it (convert, run, bench).
#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include "check_report.h"
#include "cli.h"
#include "compat/catalog.h"
#include "compat/checker.h"
#include "compat/export_form.h"
#include "export/onnx/onnx_export.h"
#include "formats/model_io.h"
#include "inspect_report.h"
#include "pipeline/compare.h"
#include "pipeline/opencv_backend.h"
#include "zoo/ppyoloe_like.h"

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

      const auto onnx_path = *dir / "ppyoloe_like.onnx";
      step(4, fmt::format("detport convert {} --format onnx -o {}", model_dir.string(),
                          onnx_path.string()));
      onnx_export::ExportPlan plan;
      auto bytes = onnx_export::export_onnx_bytes(*model, {}, &plan);
      if (!bytes.ok()) return report(bytes.error());
      if (Status s = write_file(onnx_path, *bytes); !s.ok()) return report(s.error());
      fmt::print("wrote {} ({} bytes, opset {}, {} Paddle ops exported)\n", onnx_path.string(),
                 bytes->size(), plan.opset, plan.exported_ops);

      step(5, fmt::format("detport compare {} --backends native,opencv --random 1",
                          model_dir.string()));
      if (int rc = compare_native_opencv(*model); rc >= 0) return rc;

      fmt::print("\nThe demo's files are in {}\n", dir->string());
      return static_cast<int>(kOk);
    };
  });
}

}  // namespace detport::cli
