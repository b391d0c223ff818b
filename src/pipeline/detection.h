// Detections in original-image pixels.
#pragma once

#include <string>
#include <vector>

namespace detport::pipeline {

struct Detection {
  int class_id = 0;
  float score = 0;
  float x1 = 0, y1 = 0, x2 = 0, y2 = 0;
};

struct ImageDetections {
  std::vector<Detection> boxes;  // score-descending
};

}  // namespace detport::pipeline
