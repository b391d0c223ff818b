// The ONNX branch of `detport convert` (cmd_export_onnx.cc); cmd_convert.cc owns the command line.
#pragma once

#include <string>
#include <vector>

namespace detport::cli {

struct OnnxConvertOptions {
  std::string model;
  std::string model_file, params_file;
  std::string out;
  int opset = 0;
  bool exclude_nms = false;
  bool fp16 = false;
  std::string weights;
  bool dry_run = false;
  std::vector<std::string> input_shapes;  // NAME=D0,D1,...
};

// Exports to ONNX and prints what was done; returns the exit code.
int convert_to_onnx(const OnnxConvertOptions& o);

}  // namespace detport::cli
