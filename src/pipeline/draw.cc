#include "pipeline/draw.h"

#include <fmt/format.h>

#include <algorithm>
#include <opencv2/imgproc.hpp>

namespace detport::pipeline {

cv::Scalar class_colour(int id) {
  // Golden-ratio hue steps give neighbouring classes distant hues.
  const double hue = std::fmod(0.6 + 0.61803398875 * id, 1.0) * 180.0;
  cv::Mat hsv(1, 1, CV_8UC3, cv::Scalar(hue, 210, 235)), bgr;
  cv::cvtColor(hsv, bgr, cv::COLOR_HSV2BGR);
  const auto px = bgr.at<cv::Vec3b>(0, 0);
  return cv::Scalar(px[0], px[1], px[2]);
}

void draw_detections(cv::Mat& bgr, const ImageDetections& dets,
                     const std::vector<std::string>& labels) {
  const int thickness = std::max(1, std::min(bgr.rows, bgr.cols) / 300);
  const double font_scale = std::max(0.4, std::min(bgr.rows, bgr.cols) / 1200.0);
  // Lowest scores first, so the best boxes end on top.
  std::vector<Detection> order(dets.boxes.rbegin(), dets.boxes.rend());
  for (const Detection& d : order) {
    const cv::Scalar colour = class_colour(d.class_id);
    const cv::Point p1(static_cast<int>(d.x1), static_cast<int>(d.y1));
    const cv::Point p2(static_cast<int>(d.x2), static_cast<int>(d.y2));
    cv::rectangle(bgr, p1, p2, colour, thickness, cv::LINE_AA);
    const std::string name = d.class_id >= 0 && static_cast<std::size_t>(d.class_id) < labels.size()
                                 ? labels[static_cast<std::size_t>(d.class_id)]
                                 : fmt::format("class {}", d.class_id);
    const std::string text = fmt::format("{} {:.2f}", name, d.score);
    int baseline = 0;
    const cv::Size ts = cv::getTextSize(text, cv::FONT_HERSHEY_SIMPLEX, font_scale, 1, &baseline);
    cv::Point tab(p1.x, std::max(p1.y, ts.height + baseline + 2));
    cv::rectangle(bgr, cv::Point(tab.x, tab.y - ts.height - baseline - 2),
                  cv::Point(tab.x + ts.width + 4, tab.y), colour, cv::FILLED);
    // Black or white text, whichever contrasts with the tab (luma).
    const double luma = 0.114 * colour[0] + 0.587 * colour[1] + 0.299 * colour[2];
    const cv::Scalar ink = luma > 140 ? cv::Scalar(0, 0, 0) : cv::Scalar(255, 255, 255);
    cv::putText(bgr, text, cv::Point(tab.x + 2, tab.y - baseline - 1), cv::FONT_HERSHEY_SIMPLEX,
                font_scale, ink, 1, cv::LINE_AA);
  }
}

}  // namespace detport::pipeline
