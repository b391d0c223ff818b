#include "pipeline/feed.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace detport::pipeline {

Result<std::vector<runtime::NamedTensor>> build_feeds(const std::vector<runtime::InputInfo>& inputs,
                                                      const std::vector<ImageState>& images) {
  using runtime::Tensor;
  if (images.empty()) return make_error(ErrorCode::kInvalidInput, "no images to feed");
  const auto n = static_cast<int64_t>(images.size());
  std::vector<runtime::NamedTensor> feeds;
  std::vector<std::string> unknown;
  for (const auto& in : inputs) {
    const std::string& name = in.name;
    const bool is_image = in.dims.size() == 4 &&
                          (name == "image" || name == "x" || name == "img" || inputs.size() == 1);
    if (is_image) {
      int64_t h = 0, w = 0;
      for (const auto& s : images) {
        const auto d = tensor_dims(s);
        h = std::max(h, d[1]);
        w = std::max(w, d[2]);
      }
      // A graph with fixed spatial dims gets them (smaller images padded); larger ones are an
      // error.
      if (in.dims[2] > 0) {
        if (h > in.dims[2])
          return make_error(ErrorCode::kInvalidInput,
                            fmt::format("the preprocessed image is {} high but the model takes {}",
                                        h, in.dims[2]));
        h = in.dims[2];
      }
      if (in.dims[3] > 0) {
        if (w > in.dims[3])
          return make_error(ErrorCode::kInvalidInput,
                            fmt::format("the preprocessed image is {} wide but the model takes {}",
                                        w, in.dims[3]));
        w = in.dims[3];
      }
      if (in.dims[1] > 0 && in.dims[1] != 3)
        return make_error(
            ErrorCode::kUnsupported,
            fmt::format("input '{}' takes {} channels; detport feeds 3", name, in.dims[1]));
      Tensor t = Tensor::empty(ir::DType::kFloat32, {n, 3, h, w});
      for (int64_t i = 0; i < n; ++i)
        write_chw(images[static_cast<std::size_t>(i)], t.data<float>() + i * 3 * h * w, h, w);
      feeds.push_back({name, t});
    } else if (name == "im_shape" || name == "scale_factor") {
      Tensor t = Tensor::empty(ir::DType::kFloat32, {n, 2});
      for (int64_t i = 0; i < n; ++i) {
        const auto& v = name == "im_shape" ? images[static_cast<std::size_t>(i)].im_shape
                                           : images[static_cast<std::size_t>(i)].scale_factor;
        t.data<float>()[i * 2] = v[0];
        t.data<float>()[i * 2 + 1] = v[1];
      }
      if (in.dtype != ir::DType::kFloat32)
        return make_error(ErrorCode::kUnsupported, fmt::format("input '{}' is {}; expected float32",
                                                               name, ir::var_type_name(in.dtype)));
      // Some exports fix the batch of scale_factor at 1 ([1, 2]).
      if (in.dims.size() == 2 && in.dims[0] == 1 && n > 1)
        return make_error(
            ErrorCode::kUnsupported,
            fmt::format("input '{}' is declared [1, 2]: the model takes batch 1 only", name));
      feeds.push_back({name, t});
    } else if (name == "im_size") {
      // 1.x YOLO exports: the original image size, int32 [N, 2] (h, w).
      Tensor t = Tensor::empty(ir::DType::kInt32, {n, 2});
      for (int64_t i = 0; i < n; ++i) {
        t.data<int32_t>()[i * 2] = images[static_cast<std::size_t>(i)].original.height;
        t.data<int32_t>()[i * 2 + 1] = images[static_cast<std::size_t>(i)].original.width;
      }
      feeds.push_back({name, t});
    } else if (name == "im_info") {
      // 1.x R-CNN exports: resized h, w and the scale.
      Tensor t = Tensor::empty(ir::DType::kFloat32, {n, 3});
      for (int64_t i = 0; i < n; ++i) {
        const auto& s = images[static_cast<std::size_t>(i)];
        t.data<float>()[i * 3] = s.im_shape[0];
        t.data<float>()[i * 3 + 1] = s.im_shape[1];
        t.data<float>()[i * 3 + 2] = s.scale_factor[0];
      }
      feeds.push_back({name, t});
    } else {
      unknown.push_back(name);
    }
  }
  if (!unknown.empty())
    return make_error(
        ErrorCode::kUnsupported,
        fmt::format(
            "the model takes input{} {} which detport's pipeline does not know how to build "
            "(it feeds image, im_shape, scale_factor, im_size, im_info)",
            unknown.size() == 1 ? "" : "s", fmt::join(unknown, ", ")));
  return feeds;
}

}  // namespace detport::pipeline
