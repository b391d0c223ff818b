// The individual preprocessing transforms (factories used by build_transforms).
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "pipeline/preprocess.h"

namespace detport::pipeline {

using TransformResult = Result<std::unique_ptr<Transform>>;
using Params = nlohmann::ordered_json;

TransformResult make_resize(const Params& p, const std::string& where);
TransformResult make_normalize(const Params& p, const std::string& where);
TransformResult make_permute(const Params& p, const std::string& where);
TransformResult make_pad_stride(const Params& p, const std::string& where);
TransformResult make_letterbox(const Params& p, const std::string& where);
TransformResult make_pad(const Params& p, const std::string& where);
TransformResult make_warp_affine(const Params& p, const std::string& where);
TransformResult make_topdown_affine(const Params& p, const std::string& where);
TransformResult make_resize_image(const Params& p, const std::string& where);

// OpenCV interpolation flag for PaddleDetection's `interp` (0 nearest, 1 linear, 2 cubic, 3 area,
// 4 lanczos4: cv2's constants).
Result<int> cv_interpolation(int64_t interp, const std::string& where);

}  // namespace detport::pipeline
