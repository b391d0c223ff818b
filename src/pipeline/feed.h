// Building the graph's inputs from preprocessed images, as PaddleDetection's deploy code does:
// `image` [N,3,H,W] (a batch of different sizes is zero-padded to the largest, bottom-right),
// `im_shape` and `scale_factor` [N,2] float, and for 1.x exports `im_size` [N,2] int32 (original
// h, w) and `im_info` [N,3]. Inputs the graph does not declare are not fed.
#pragma once

#include <vector>

#include "core/result.h"
#include "pipeline/preprocess.h"
#include "runtime/session.h"

namespace detport::pipeline {

Result<std::vector<runtime::NamedTensor>> build_feeds(const std::vector<runtime::InputInfo>& inputs,
                                                      const std::vector<ImageState>& images);

}  // namespace detport::pipeline
