// Detections from models exported without NMS, decoded as PaddleDetection's deploy code does and
// suppressed with Paddle's NMS (runtime/kernels/detection/nms.h):
//  - boxes [N,A,4] (original pixels) + scores [N,C,A]: PP-YOLOE with exclude_nms; multi-class
//    NMS with the deploy config's settings;
//  - [N,A,4+C] (input pixels): PP-YOLOE with exclude_post_process; boxes divided by scale_factor,
//    then the same NMS;
//  - PicoDet without post-processing: k score maps [N,HW,C] then k distributions
//    [N,HW,4(R+1)], decoded like deploy/python/picodet_postprocess.py (centres at (i + 0.5) *
//    stride, softmax-weighted distances times stride, the nms_top_k best anchors per level, greedy
//    NMS per class keeping keep_top_k, boxes clipped to the network input, then / scale_factor).
#pragma once

#include <vector>

#include "core/result.h"
#include "pipeline/detection.h"
#include "pipeline/postprocess.h"

namespace detport::pipeline {

Result<std::vector<ImageDetections>> decode_boxes_and_scores(const runtime::Tensor& boxes,
                                                             const runtime::Tensor& scores,
                                                             const std::vector<ImageState>& images,
                                                             const PostprocessOptions& options);

Result<std::vector<ImageDetections>> decode_concatenated(const runtime::Tensor& out,
                                                         const std::vector<ImageState>& images,
                                                         const PostprocessOptions& options);

Result<std::vector<ImageDetections>> decode_picodet(
    const std::vector<runtime::NamedTensor>& outputs, const std::vector<ImageState>& images,
    const PostprocessOptions& options);

}  // namespace detport::pipeline
