// Drawing detections: a box per detection in a colour per class, with "label score" on a filled tab
// in a contrasting text colour.
#pragma once

#include <opencv2/core.hpp>

#include <string>
#include <vector>

#include "pipeline/detection.h"

namespace detport::pipeline {

// Draws onto a BGR image in place.
void draw_detections(cv::Mat& bgr, const ImageDetections& dets,
                     const std::vector<std::string>& labels);

// A distinct, saturated colour for class `id` (BGR).
cv::Scalar class_colour(int id);

}  // namespace detport::pipeline
