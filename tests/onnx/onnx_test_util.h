// Helpers for the ONNX exporter's tests: host tensors, one-op models, and running exported files
// in ONNX Runtime (npm onnxruntime-node through tests/onnx/run_ort.js, skipped with a message
// when node or the package is absent) and in OpenCV DNN 4.6 (in-process).
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "export/onnx/onnx_export.h"
#include "ir/builder.h"
#include "ir/model.h"

namespace detport::testing {

struct HostTensor {
  ir::DType dtype = ir::DType::kFloat32;
  std::vector<int64_t> dims;
  std::vector<std::byte> data;

  template <typename T>
  static HostTensor of(ir::DType dtype, std::vector<int64_t> dims, const std::vector<T>& v) {
    HostTensor t;
    t.dtype = dtype;
    t.dims = std::move(dims);
    t.data.resize(v.size() * sizeof(T));
    if (!v.empty()) std::memcpy(t.data.data(), v.data(), t.data.size());
    return t;
  }
  static HostTensor f32(std::vector<int64_t> dims, const std::vector<float>& v) {
    return of(ir::DType::kFloat32, std::move(dims), v);
  }
  static HostTensor i32(std::vector<int64_t> dims, const std::vector<int32_t>& v) {
    return of(ir::DType::kInt32, std::move(dims), v);
  }
  static HostTensor i64(std::vector<int64_t> dims, const std::vector<int64_t>& v) {
    return of(ir::DType::kInt64, std::move(dims), v);
  }
  template <typename T>
  std::vector<T> as() const {
    std::vector<T> out(data.size() / sizeof(T));
    if (!out.empty()) std::memcpy(out.data(), data.data(), out.size() * sizeof(T));
    return out;
  }
  // Elements as doubles whatever the type.
  std::vector<double> values() const;
  int64_t numel() const;
};

// Seeded values in [lo, hi).
std::vector<float> random_floats(std::size_t n, float lo = -1.f, float hi = 1.f, unsigned seed = 7);

using Named = std::vector<std::pair<std::string, HostTensor>>;

struct RunResult {
  bool skipped = false;  // the engine is not available here
  std::string message;   // skip reason or error
  bool ok = false;
  Named outputs;
  const HostTensor& out(std::size_t i) const { return outputs.at(i).second; }
};

// ONNX Runtime 1.30 (npm). Skipped when node or onnxruntime-node is missing.
RunResult run_ort(const std::string& onnx_bytes, const Named& feeds, int threads = 1);
struct OrtJob {
  std::string onnx_bytes;
  Named feeds;
};
// Many models in one ONNX Runtime process (node starts once).
std::vector<RunResult> run_ort_many(const std::vector<OrtJob>& jobs, int threads = 1);

// Collects cases, runs them in one ONNX Runtime process, then checks each result (under a trace
// naming the case). Skips the test when ONNX Runtime is not available.
class OrtBatch {
 public:
  using Check = std::function<void(const RunResult&)>;
  void add(std::string label, std::string onnx_bytes, Named feeds, Check check) {
    labels_.push_back(std::move(label));
    jobs_.push_back({std::move(onnx_bytes), std::move(feeds)});
    checks_.push_back(std::move(check));
  }
  // Exports the model at each opset, with the same feeds and check.
  void add_opsets(const std::string& label, const ir::Model& model, const std::vector<int>& opsets,
                  const Named& feeds, const Check& check);
  void run();

 private:
  std::vector<std::string> labels_;
  std::vector<OrtJob> jobs_;
  std::vector<Check> checks_;
};
// OpenCV DNN 4.6 (CPU, DNN_BACKEND_OPENCV); float inputs only. `outputs` are the names to fetch.
RunResult run_opencv(const std::string& onnx_bytes, const Named& feeds,
                     const std::vector<std::string>& outputs);

// A one-op model built with the IR builder: feed targets in `inputs` order, weights in
// `params`, fetch targets in `outputs` order.
struct Arg {
  std::string slot;
  std::string name;
  ir::DType dtype = ir::DType::kFloat32;
  std::vector<int64_t> dims;
};
struct Param {
  std::string slot;
  std::string name;
  ir::Tensor value;
};
using AttrList = std::vector<std::pair<std::string, ir::Attribute>>;
ir::Model one_op(const std::string& type, const std::vector<Arg>& inputs,
                 const std::vector<Arg>& outputs, const AttrList& attrs = {},
                 const std::vector<Param>& params = {});

// Exports `model` (asserting success) with the given opset.
std::string export_or_fail(const ir::Model& model, int opset, bool exclude_nms = false);

// Every opset detport writes.
std::vector<int> all_opsets();

// Element-wise closeness: |a - e| <= atol + rtol * |e|; reports the first mismatch.
::testing::AssertionResult all_close(const std::vector<double>& actual,
                                     const std::vector<double>& expected, double atol = 1e-5,
                                     double rtol = 1e-5);

#define DETPORT_SKIP_IF_UNAVAILABLE(run)              \
  do {                                                \
    if ((run).skipped) GTEST_SKIP() << (run).message; \
  } while (0)

}  // namespace detport::testing
