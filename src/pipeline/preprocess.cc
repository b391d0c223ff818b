#include "pipeline/preprocess.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <functional>
#include <map>
#include <opencv2/imgproc.hpp>

#include "pipeline/preprocess_ops.h"

namespace detport::pipeline {
namespace {

using json = nlohmann::ordered_json;
using Factory = std::function<Result<std::unique_ptr<Transform>>(const json&, const std::string&)>;

const std::map<std::string, Factory>& factories() {
  static const std::map<std::string, Factory> f{
      {"Resize", make_resize},
      {"NormalizeImage", make_normalize},
      {"Normalize", make_normalize},  // 1.x static-graph exports
      {"Permute", make_permute},
      {"PadStride", make_pad_stride},
      {"LetterBoxResize", make_letterbox},
      {"Pad", make_pad},
      {"WarpAffine", make_warp_affine},
      {"TopDownEvalAffine", make_topdown_affine},
      {"ResizeImage", make_resize_image},  // PaddleX classification
      {"ToCHWImage", make_permute},
  };
  return f;
}

}  // namespace

double python_round(double x) {
  const double r = std::round(x);
  if (std::abs(x - std::trunc(x)) == 0.5) return 2.0 * std::round(x / 2.0);  // ties to even
  return r;
}

std::vector<std::string> supported_transforms() {
  std::vector<std::string> names;
  for (const auto& [name, f] : factories()) names.push_back(name);
  return names;
}

Result<std::vector<std::unique_ptr<Transform>>> build_transforms(const ir::DeployConfig& config) {
  std::vector<std::unique_ptr<Transform>> out;
  std::vector<std::string> unknown;
  for (std::size_t i = 0; i < config.preprocess.size(); ++i) {
    const auto& t = config.preprocess[i];
    auto it = factories().find(t.type);
    if (it == factories().end()) {
      unknown.push_back(t.type);
      continue;
    }
    const std::string where = fmt::format("{}: Preprocess[{}] ({})", config.file, i, t.type);
    auto made = it->second(t.params, where);
    if (!made.ok()) return made.error();
    out.push_back(std::move(made).value());
  }
  if (!unknown.empty())
    return make_error(ErrorCode::kUnsupported,
                      fmt::format("unsupported preprocessing transform{} {}; detport supports {}",
                                  unknown.size() == 1 ? "" : "s", fmt::join(unknown, ", "),
                                  fmt::join(supported_transforms(), ", ")),
                      config.file);
  return out;
}

}  // namespace detport::pipeline
