// detport compare A [B] [--backends X,Y] [--images DIR | --random N]: do two models (an original
// and a converted one), or one model on two backends, compute the same? Exit 0 same, 1 different, 2
// bad input.
#include <fmt/format.h>

#include <random>

#include "cli.h"
#include "model_options.h"
#include "pipeline/compare.h"
#include "pipeline/runner.h"

namespace detport::cli {
namespace {

// Random inputs matching the model's declarations: dynamic dims take the deploy config's input
// size.
std::vector<runtime::NamedTensor> random_inputs(const ir::Model& model,
                                                const std::vector<runtime::InputInfo>& infos,
                                                uint32_t seed) {
  int64_t h = 320, w = 320;
  if (model.meta.deploy)
    for (const auto& t : model.meta.deploy->preprocess) {
      auto it = t.params.find(t.type == "ResizeImage" ? "size" : "target_size");
      if (it != t.params.end() && it->is_array() && it->size() == 2) {
        h = (*it)[t.type == "ResizeImage" ? 1 : 0].get<int64_t>();
        w = (*it)[t.type == "ResizeImage" ? 0 : 1].get<int64_t>();
        break;
      }
      if (it != t.params.end() && it->is_number()) h = w = it->get<int64_t>();
    }
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> pixel(-2.0f, 2.0f);
  std::vector<runtime::NamedTensor> out;
  for (const auto& in : infos) {
    runtime::Dims dims = in.dims;
    for (std::size_t i = 0; i < dims.size(); ++i)
      if (dims[i] < 0)
        dims[i] = i == 0 ? 1 : (i + 2 == dims.size() ? h : (i + 1 == dims.size() ? w : 1));
    runtime::Tensor t = runtime::Tensor::empty(in.dtype, dims);
    if (in.name == "im_shape" || in.name == "im_size") {
      for (int64_t r = 0; r < dims[0]; ++r) {
        if (in.dtype == ir::DType::kInt32)
          t.data<int32_t>()[r * 2] = static_cast<int32_t>(h),
                                t.data<int32_t>()[r * 2 + 1] = static_cast<int32_t>(w);
        else
          t.data<float>()[r * 2] = static_cast<float>(h),
                              t.data<float>()[r * 2 + 1] = static_cast<float>(w);
      }
    } else if (in.name == "scale_factor") {
      for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = 1.0f;
    } else if (in.dtype == ir::DType::kFloat32) {
      for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = pixel(rng);
    }
    out.push_back({in.name, t});
  }
  return out;
}

}  // namespace

void add_compare(CLI::App& app, Runner& run) {
  struct Options {
    ModelOptions a;
    std::string b;
    std::vector<std::string> backends;
    std::string images;
    int random = 0;
    bool json = false;
    pipeline::Tolerances tol;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "compare",
      "Check that two models, or one model on two backends, give the same outputs and detections");
  o->a.add_to(*cmd);
  cmd->add_option("B", o->b, "the second model (default: MODEL again, on the second backend)");
  cmd->add_option("--backends", o->backends, "backends for A and B, e.g. native,opencv")
      ->delimiter(',');
  cmd->add_option("--images", o->images, "compare on these images through the whole pipeline");
  cmd->add_option("--random", o->random, "compare on N random input sets")
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--rtol", o->tol.rtol, "relative tolerance per element");
  cmd->add_option("--atol", o->tol.atol, "absolute tolerance per element");
  cmd->add_option("--min-iou", o->tol.min_iou, "matched boxes must overlap at least this much");
  cmd->add_option("--score-tol", o->tol.score_tol, "largest score difference of matched boxes");
  cmd->add_flag("--json", o->json, "print the comparison as JSON (schema detport.compare/1)");
  cmd->callback([o, &run] {
    run = [o]() -> int {
      if (o->images.empty() && o->random == 0) o->random = 3;
      if (o->b.empty() && o->backends.size() < 2)
        return report(make_error(ErrorCode::kInvalidInput,
                                 "compare needs a second model B, or two --backends"));
      ModelOptions ma = o->a, mb = o->a;
      if (!o->b.empty()) {
        mb.model = o->b;
        mb.model_file.clear();
        mb.params_file.clear();
      }
      if (!o->backends.empty()) ma.backend = o->backends[0];
      if (o->backends.size() > 1) mb.backend = o->backends[1];
      auto model_a = ma.load();
      if (!model_a.ok()) return report(model_a.error());
      auto model_b = mb.load();
      if (!model_b.ok()) return report(model_b.error());
      auto backend_a = ma.make_backend(*model_a);
      if (!backend_a.ok()) return report(backend_a.error());
      auto backend_b = mb.make_backend(*model_b);
      if (!backend_b.ok()) return report(backend_b.error());
      pipeline::Comparison cmp;
      if (o->random > 0) {
        for (int k = 0; k < o->random; ++k) {
          const auto inputs =
              random_inputs(*model_a, (*backend_a)->inputs(), static_cast<uint32_t>(k + 1));
          auto ra = (*backend_a)->run(inputs);
          if (!ra.ok()) return report(Error(ra.error()).within("A"));
          auto rb = (*backend_b)->run(inputs);
          if (!rb.ok()) return report(Error(rb.error()).within("B"));
          if (ra->size() != rb->size())
            return report(
                make_error(ErrorCode::kInvalidInput,
                           fmt::format("A has {} outputs, B has {}", ra->size(), rb->size())));
          const auto kind = pipeline::classify_outputs(*ra);
          if (kind == pipeline::OutputKind::kNmsBoxes && pipeline::classify_outputs(*rb) == kind) {
            std::vector<pipeline::ImageState> states(
                static_cast<std::size_t>((*ra)[1].tensor.numel()));
            pipeline::PostprocessOptions po;
            po.threshold = 0;
            auto da = pipeline::postprocess(*ra, states, po);
            auto db = pipeline::postprocess(*rb, states, po);
            if (!da.ok() || !db.ok())
              return report(make_error(ErrorCode::kInvalidInput, "cannot read the NMS outputs"));
            for (std::size_t i = 0; i < da->size(); ++i)
              cmp.detections.push_back(pipeline::diff_detections((*da)[i], (*db)[i], o->tol));
          } else {
            for (std::size_t i = 0; i < ra->size(); ++i)
              cmp.outputs.push_back(
                  pipeline::diff_tensors((*ra)[i].name, (*ra)[i].tensor, (*rb)[i].tensor, o->tol));
          }
        }
      } else {
        auto det_a =
            pipeline::Detector::create(*model_a, std::move(backend_a).value(), {0.0f, false});
        if (!det_a.ok()) return report(det_a.error());
        auto det_b =
            pipeline::Detector::create(*model_b, std::move(backend_b).value(), {0.0f, false});
        if (!det_b.ok()) return report(det_b.error());
        auto list = pipeline::expand_inputs({o->images});
        if (list.images.empty())
          return report(make_error(ErrorCode::kInvalidInput, "no images", o->images));
        pipeline::RunOptions ro;
        for (const auto& img : list.images) {
          auto sa = pipeline::run_images(*det_a, {img}, ro);
          if (!sa.ok()) return report(sa.error());
          auto sb = pipeline::run_images(*det_b, {img}, ro);
          if (!sb.ok()) return report(sb.error());
          if (sa->items.empty() || sb->items.empty()) continue;
          if (det_a->output_kind() == pipeline::OutputKind::kNmsBoxes ||
              det_a->output_kind() == pipeline::OutputKind::kBoxesAndScores) {
            cmp.detections.push_back(pipeline::diff_detections(sa->items[0].detections,
                                                               sb->items[0].detections, o->tol));
          }
          const auto& oa = det_a->last_outputs();
          const auto& ob = det_b->last_outputs();
          if (det_a->output_kind() != pipeline::OutputKind::kNmsBoxes)
            for (std::size_t i = 0; i < oa.size() && i < ob.size(); ++i)
              cmp.outputs.push_back(
                  pipeline::diff_tensors(oa[i].name, oa[i].tensor, ob[i].tensor, o->tol));
        }
      }
      pipeline::finish_verdict(cmp, o->tol);
      if (o->json) {
        fmt::print("{}\n", pipeline::to_json(cmp).dump(2));
      } else {
        for (const auto& d : cmp.outputs)
          fmt::print("  {:<32} max abs {:<10.3g} max rel {:<10.3g} {}\n", d.name, d.max_abs,
                     d.max_rel, d.within ? "ok" : "DIFFERENT");
        for (std::size_t i = 0; i < cmp.detections.size(); ++i) {
          const auto& d = cmp.detections[i];
          fmt::print(
              "  input {:<3} boxes {} vs {}, matched {}, min IoU {:.4f}, max score diff {:.3g} "
              "{}\n",
              i + 1, d.boxes_a, d.boxes_b, d.matched, d.min_iou, d.max_score_diff,
              d.within ? "ok" : "DIFFERENT");
        }
        fmt::print("{}\n", cmp.verdict);
      }
      return cmp.same ? static_cast<int>(kOk) : static_cast<int>(kIncompatible);
    };
  });
}

}  // namespace detport::cli
