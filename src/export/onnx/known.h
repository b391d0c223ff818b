// Values the exporter knows while exporting: small tensors (shapes and the arithmetic Paddle does
// on them, fill_constant, assign_value) whose elements are known, or partly known (the batch dim
// of a `shape` result is not). They let reshape2's ShapeTensor, slice's StartsTensor, interp's
// OutSize, ... become constants, which keeps the ONNX graph static where Paddle's was.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "ir/program.h"
#include "ir/types.h"

namespace detport::onnx_export {

struct Known {
  ir::DType dtype = ir::DType::kInt64;
  std::vector<int64_t> dims;
  std::vector<std::optional<double>> v;  // row-major; nullopt = unknown until run time

  bool full() const;
  std::size_t known_count() const;
  std::vector<double> values() const;  // requires full()
  std::vector<int64_t> ints() const;   // requires full()

  static Known ints_1d(const std::vector<int64_t>& values, ir::DType dtype = ir::DType::kInt64);
};

// Largest tensor whose values are tracked. Large enough for the prior boxes of an SSD-style
// detector at 1024x1024 (blazeface: 22400 priors x 4 at 640x640), whose arithmetic must be folded
// for OpenCV DNN (see ops/prior_box.cc); 16 bytes per element while exporting.
constexpr int64_t kMaxKnownElements = int64_t{1} << 18;

// Input lookup for `evaluate`: the known value of input slot[i], or nullptr.
using KnownInput = std::function<const Known*(std::string_view slot, std::size_t i)>;
// What the program declares about a var (element type, dims with -1 unknown).
struct Declared {
  ir::DType dtype = ir::DType::kFloat32;
  std::vector<int64_t> dims;
};
using Declaration = std::function<std::optional<Declared>(const std::string& var)>;

struct KnownOutput {
  std::string slot;
  std::size_t index = 0;
  Known value;
};

// What is known of the outputs of `op` given what is known of its inputs (shape arithmetic and
// constant creation ops only). Empty when nothing is.
std::vector<KnownOutput> evaluate(const ir::Op& op, const KnownInput& input,
                                  const Declaration& declared);

}  // namespace detport::onnx_export
