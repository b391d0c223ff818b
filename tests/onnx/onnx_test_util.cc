#include "onnx/onnx_test_util.h"

#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/dnn.hpp>
#include <random>

#include "test_support.h"

namespace detport::testing {
namespace {

std::string dtype_name(ir::DType t) {
  switch (t) {
    case ir::DType::kFloat32:
      return "float32";
    case ir::DType::kFloat64:
      return "float64";
    case ir::DType::kInt32:
      return "int32";
    case ir::DType::kInt64:
      return "int64";
    case ir::DType::kBool:
      return "bool";
    case ir::DType::kUInt8:
      return "uint8";
    case ir::DType::kInt8:
      return "int8";
    default:
      return "unsupported";
  }
}

ir::DType dtype_of(const std::string& s) {
  if (s == "float32") return ir::DType::kFloat32;
  if (s == "float64") return ir::DType::kFloat64;
  if (s == "int32") return ir::DType::kInt32;
  if (s == "int64") return ir::DType::kInt64;
  if (s == "bool") return ir::DType::kBool;
  if (s == "uint8") return ir::DType::kUInt8;
  if (s == "int8") return ir::DType::kInt8;
  return ir::DType::kRaw;
}

}  // namespace

std::vector<double> HostTensor::values() const {
  std::vector<double> out;
  switch (dtype) {
    case ir::DType::kFloat32:
      for (float v : as<float>()) out.push_back(v);
      break;
    case ir::DType::kFloat64:
      return as<double>();
    case ir::DType::kInt32:
      for (int32_t v : as<int32_t>()) out.push_back(v);
      break;
    case ir::DType::kInt64:
      for (int64_t v : as<int64_t>()) out.push_back(static_cast<double>(v));
      break;
    case ir::DType::kBool:
    case ir::DType::kUInt8:
      for (uint8_t v : as<uint8_t>()) out.push_back(v);
      break;
    default:
      break;
  }
  return out;
}

int64_t HostTensor::numel() const {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  return n;
}

std::vector<float> random_floats(std::size_t n, float lo, float hi, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

RunResult run_ort(const std::string& onnx_bytes, const Named& feeds, int threads) {
  return run_ort_many({{onnx_bytes, feeds}}, threads).front();
}

std::vector<RunResult> run_ort_many(const std::vector<OrtJob>& jobs, int threads) {
  std::vector<RunResult> results(jobs.size());
  auto all = [&](bool skipped, const std::string& message) {
    for (auto& r : results) {
      r.skipped = skipped;
      r.message = message;
    }
    return results;
  };
  if (run_command("command -v node").exit_code != 0)
    return all(true, "node is not installed: ONNX Runtime checks skipped");
  TempDir dir;
  nlohmann::json m;
  m["threads"] = threads;
  m["runs"] = nlohmann::json::array();
  for (std::size_t j = 0; j < jobs.size(); ++j) {
    const auto sub = dir / fmt::format("run{}", j);
    std::filesystem::create_directories(sub);
    spit(sub / "model.onnx", jobs[j].onnx_bytes);
    nlohmann::json run;
    run["model"] = (sub / "model.onnx").string();
    run["out_dir"] = sub.string();
    run["inputs"] = nlohmann::json::array();
    for (std::size_t i = 0; i < jobs[j].feeds.size(); ++i) {
      const auto& [name, t] = jobs[j].feeds[i];
      const auto file = sub / fmt::format("in{}.bin", i);
      spit(file, std::string(reinterpret_cast<const char*>(t.data.data()), t.data.size()));
      run["inputs"].push_back({{"name", name},
                               {"dtype", dtype_name(t.dtype)},
                               {"dims", t.dims},
                               {"file", file.string()}});
    }
    m["runs"].push_back(run);
  }
  spit(dir / "manifest.json", m.dump());
  const auto res =
      run_command(fmt::format("node '{}' '{}'", (source_dir() / "tests/onnx/run_ort.js").string(),
                              (dir / "manifest.json").string()));
  if (res.exit_code == 77)
    return all(true,
               "onnxruntime-node is not installed (bash scripts/setup-peers.sh): checks skipped");
  if (res.exit_code != 0) return all(false, "ONNX Runtime runner failed: " + res.err);
  const auto out = nlohmann::json::parse(res.out, nullptr, false);
  if (out.is_discarded() || !out.contains("runs") || out["runs"].size() != jobs.size())
    return all(false, "unreadable runner output: " + res.out);
  for (std::size_t j = 0; j < jobs.size(); ++j) {
    const auto& run = out["runs"][j];
    RunResult& r = results[j];
    if (run.contains("error")) {
      r.message = run["error"].get<std::string>();
      continue;
    }
    for (const auto& o : run["outputs"]) {
      HostTensor t;
      t.dtype = dtype_of(o["dtype"].get<std::string>());
      t.dims = o["dims"].get<std::vector<int64_t>>();
      const std::string bytes = slurp(o["file"].get<std::string>());
      t.data.resize(bytes.size());
      if (!bytes.empty()) std::memcpy(t.data.data(), bytes.data(), bytes.size());
      r.outputs.emplace_back(o["name"].get<std::string>(), std::move(t));
    }
    r.ok = true;
  }
  return results;
}

void OrtBatch::add_opsets(const std::string& label, const ir::Model& model,
                          const std::vector<int>& opsets, const Named& feeds, const Check& check) {
  for (int opset : opsets)
    add(fmt::format("{} (opset {})", label, opset), export_or_fail(model, opset), feeds, check);
}

void OrtBatch::run() {
  auto results = run_ort_many(jobs_);
  for (std::size_t i = 0; i < results.size(); ++i) {
    SCOPED_TRACE(labels_[i]);
    if (results[i].skipped) GTEST_SKIP() << results[i].message;
    ASSERT_TRUE(results[i].ok) << results[i].message;
    checks_[i](results[i]);
  }
  labels_.clear();
  jobs_.clear();
  checks_.clear();
}

RunResult run_opencv(const std::string& onnx_bytes, const Named& feeds,
                     const std::vector<std::string>& outputs) {
  RunResult r;
  try {
    cv::dnn::Net net = cv::dnn::readNetFromONNX(onnx_bytes.data(), onnx_bytes.size());
    net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
    net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
    std::vector<cv::Mat> keep;
    for (const auto& [name, t] : feeds) {
      // OpenCV DNN computes in float whatever the declared input type (an int32 im_size too).
      std::vector<int> dims(t.dims.begin(), t.dims.end());
      cv::Mat mat(static_cast<int>(dims.size()), dims.data(), CV_32F);
      const auto v = t.values();
      for (std::size_t i = 0; i < v.size(); ++i) mat.ptr<float>()[i] = static_cast<float>(v[i]);
      keep.push_back(mat);
      net.setInput(mat, name);
    }
    std::vector<cv::Mat> outs;
    std::vector<cv::String> names(outputs.begin(), outputs.end());
    net.forward(outs, names);
    for (std::size_t i = 0; i < outs.size(); ++i) {
      const cv::Mat& o = outs[i];
      HostTensor t;
      t.dtype = ir::DType::kFloat32;
      for (int d = 0; d < o.dims; ++d) t.dims.push_back(o.size[d]);
      cv::Mat f;
      o.convertTo(f, CV_32F);
      t.data.resize(f.total() * sizeof(float));
      std::memcpy(t.data.data(), f.data, t.data.size());
      r.outputs.emplace_back(outputs[i], std::move(t));
    }
    r.ok = true;
  } catch (const cv::Exception& e) {
    r.message = e.what();
  }
  return r;
}

ir::Model one_op(const std::string& type, const std::vector<Arg>& inputs,
                 const std::vector<Arg>& outputs, const AttrList& attrs,
                 const std::vector<Param>& params) {
  ir::ProgramBuilder b;
  std::vector<std::pair<std::string, std::vector<std::string>>> in_slots, out_slots;
  auto add = [](auto& slots, const std::string& slot, const std::string& name) {
    for (auto& s : slots)
      if (s.first == slot) {
        s.second.push_back(name);
        return;
      }
    slots.push_back({slot, {name}});
  };
  for (const auto& a : inputs) {
    b.input(a.name, a.dtype, a.dims);
    add(in_slots, a.slot, a.name);
  }
  for (const auto& p : params) {
    b.param(p.name, p.value);
    add(in_slots, p.slot, p.name);
  }
  for (const auto& a : outputs) {
    b.temp(a.name, a.dtype, a.dims);
    add(out_slots, a.slot, a.name);
  }
  auto op = b.op(type);
  for (const auto& [slot, args] : in_slots) op.in(slot, args);
  for (const auto& [slot, args] : out_slots) op.out(slot, args);
  for (const auto& [name, value] : attrs) op.attr(name, value);
  op.build();
  for (const auto& a : outputs) b.output(a.name);
  return std::move(b).finish(ir::Release{2, 6, 1});
}

std::string export_or_fail(const ir::Model& model, int opset, bool exclude_nms) {
  onnx_export::ExportOptions o;
  o.opset = opset;
  o.exclude_nms = exclude_nms;
  auto bytes = onnx_export::export_onnx_bytes(model, o);
  EXPECT_TRUE(bytes.ok()) << bytes.error().describe();
  return bytes.ok() ? *bytes : std::string();
}

std::vector<int> all_opsets() {
  std::vector<int> v;
  for (int o = onnx_export::kMinOpset; o <= onnx_export::kMaxOpset; ++o) v.push_back(o);
  return v;
}

::testing::AssertionResult all_close(const std::vector<double>& actual,
                                     const std::vector<double>& expected, double atol,
                                     double rtol) {
  if (actual.size() != expected.size())
    return ::testing::AssertionFailure()
           << "size " << actual.size() << " != expected " << expected.size();
  for (std::size_t i = 0; i < actual.size(); ++i) {
    const double a = actual[i], e = expected[i];
    if (std::isnan(a) && std::isnan(e)) continue;
    if (!(std::fabs(a - e) <= atol + rtol * std::fabs(e)))
      return ::testing::AssertionFailure() << "element " << i << ": " << a << " vs expected " << e
                                           << " (|diff| " << std::fabs(a - e) << ")";
  }
  return ::testing::AssertionSuccess();
}

}  // namespace detport::testing
