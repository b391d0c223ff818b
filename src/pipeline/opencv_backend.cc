#include "pipeline/opencv_backend.h"

#include <fmt/format.h>

#include <cstring>
#include <map>
#include <opencv2/dnn.hpp>
#include <set>

#include "export/onnx/onnx_model.h"
#include "ir/builder.h"
#include "runtime/session.h"

namespace detport::pipeline {
namespace {

using runtime::NamedTensor;
using runtime::Tensor;

// The ops the exporter cuts with exclude_nms (keep in step with export/onnx/exporter.cc).
bool is_nms(std::string_view type) {
  return type == "multiclass_nms" || type == "multiclass_nms2" || type == "multiclass_nms3" ||
         type == "matrix_nms" || type == "locality_aware_nms";
}

bool is_io(std::string_view type) {
  return type == "feed" || type == "fetch";
}

ir::TensorDesc declared(const ir::Block& block, const std::string& name) {
  const ir::Var* v = block.find_var(name);
  return v != nullptr && v->tensor ? *v->tensor : ir::TensorDesc{};
}

// What runs where: the ops from the first NMS on (NMS ops and everything reading their results)
// run natively; OpenCV computes every var they read that is neither a weight nor a model input.
struct Split {
  std::vector<std::size_t> tail_ops;      // positions in block 0
  std::vector<std::string> tail_types;    // distinct, in order
  std::vector<std::string> from_opencv;   // vars OpenCV must output (tail inputs, other fetches)
  std::vector<std::string> tail_feeds;    // model inputs the tail reads
  std::vector<std::string> tail_weights;  // weights the tail reads
  std::set<std::string> tail_outputs;     // vars the tail writes
  std::vector<std::string> tail_reads;    // the vars of from_opencv the tail reads
};

Split split(const ir::Model& model) {
  const ir::Block& block = model.program.global_block();
  std::set<std::string> feeds;
  for (const auto& t : ir::feed_targets(model.program)) feeds.insert(t.name);
  Split s;
  std::set<std::string> seen_in;
  std::set<std::string> seen_type;
  for (std::size_t i = 0; i < block.ops.size(); ++i) {
    const ir::Op& op = block.ops[i];
    if (is_io(op.type)) continue;
    bool downstream = is_nms(op.type);
    for (const auto& in : op.all_inputs()) downstream = downstream || s.tail_outputs.count(in) != 0;
    if (!downstream) continue;
    s.tail_ops.push_back(i);
    if (seen_type.insert(op.type).second) s.tail_types.push_back(op.type);
    for (const auto& in : op.all_inputs()) {
      if (s.tail_outputs.count(in) != 0 || !seen_in.insert(in).second) continue;
      if (model.weights.count(in) != 0) {
        s.tail_weights.push_back(in);
      } else if (feeds.count(in) != 0) {
        s.tail_feeds.push_back(in);
      } else {
        s.from_opencv.push_back(in);
        s.tail_reads.push_back(in);
      }
    }
    for (const auto& o : op.all_outputs()) s.tail_outputs.insert(o);
  }
  for (const auto& t : ir::fetch_targets(model.program))
    if (s.tail_outputs.count(t.name) == 0 && seen_in.insert(t.name).second)
      s.from_opencv.push_back(t.name);
  return s;
}

// The tail as a model of its own: its inputs are OpenCV's outputs and the model inputs it reads.
ir::Model tail_model(const ir::Model& model, const Split& s) {
  const ir::Block& block = model.program.global_block();
  ir::ProgramBuilder b;
  for (const auto& name : s.tail_reads) {
    const auto d = declared(block, name);
    b.input(name, d.dtype, d.dims);
  }
  for (const auto& name : s.tail_feeds) {
    const auto d = declared(block, name);
    b.input(name, d.dtype, d.dims);
  }
  for (const auto& name : s.tail_weights) b.param(name, model.weights.find(name)->second);
  std::set<std::string> declared_vars;
  for (std::size_t i : s.tail_ops) {
    const ir::Op& op = block.ops[i];
    b.block().ops.push_back(op);
    for (const auto& o : op.all_outputs())
      if (const ir::Var* v = block.find_var(o); v != nullptr && declared_vars.insert(o).second)
        b.block().vars.push_back(*v);
  }
  for (const auto& t : ir::fetch_targets(model.program))
    if (s.tail_outputs.count(t.name) != 0) b.output(t.name);
  return std::move(b).finish(model.meta.producer, model.program.op_version_map);
}

Result<Tensor> from_mat(const cv::Mat& m, const std::vector<int64_t>& onnx_dims, ir::DType dtype) {
  runtime::Dims dims;
  for (int d = 0; d < m.dims; ++d) dims.push_back(m.size[d]);
  int64_t n = 1;
  bool known = true;
  for (int64_t d : onnx_dims) {
    known = known && d >= 0;
    n *= d;
  }
  if (known && n == static_cast<int64_t>(m.total())) dims = onnx_dims;  // OpenCV drops 1-D shapes
  cv::Mat f;
  m.convertTo(f, CV_32F);
  if (!f.isContinuous()) f = f.clone();
  const float* src = f.ptr<float>();
  Tensor t = Tensor::empty(dtype, dims);
  const auto count = static_cast<int64_t>(f.total());
  switch (dtype) {
    case ir::DType::kFloat32:
      std::memcpy(t.raw(), src, static_cast<std::size_t>(count) * sizeof(float));
      break;
    case ir::DType::kInt32:
      for (int64_t i = 0; i < count; ++i) t.data<int32_t>()[i] = static_cast<int32_t>(src[i]);
      break;
    case ir::DType::kInt64:
      for (int64_t i = 0; i < count; ++i) t.data<int64_t>()[i] = static_cast<int64_t>(src[i]);
      break;
    default:
      return make_error(ErrorCode::kUnsupported,
                        fmt::format("OpenCV output of type {}", ir::var_type_name(dtype)));
  }
  return t;
}

// OpenCV names an ONNX layer "onnx_node!" + the node name, and the exporter starts node names
// with the Paddle op ("conv2d#12/Conv_3"): the Paddle op an OpenCV message is about, or "".
std::string paddle_op_in(const std::string& text) {
  const std::string tag = "onnx_node!";
  const auto at = text.find(tag);
  if (at == std::string::npos) return {};
  const auto begin = at + tag.size();
  const auto end = text.find_first_of("/) \n", begin);
  return text.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
}

// The dims the backend is checked with before it runs anything: the declared dims, with an
// unknown batch 1 and other unknown dims 320 (a multiple of every detector's stride).
std::vector<NamedTensor> probe_feeds(const ir::Model& model) {
  const ir::Block& block = model.program.global_block();
  std::vector<NamedTensor> feeds;
  int64_t h = 320, w = 320;
  for (const auto& t : ir::feed_targets(model.program)) {
    const auto d = declared(block, t.name);
    if (d.dims.size() == 4) {
      if (d.dims[2] > 0) h = d.dims[2];
      if (d.dims[3] > 0) w = d.dims[3];
    }
  }
  for (const auto& t : ir::feed_targets(model.program)) {
    const auto d = declared(block, t.name);
    runtime::Dims dims = d.dims;
    for (std::size_t i = 0; i < dims.size(); ++i)
      if (dims[i] < 0) dims[i] = i == 0 ? 1 : (i == 2 ? h : (i == 3 ? w : 320));
    Tensor x = Tensor::empty(d.dtype, dims);
    const bool size_input = t.name == "im_shape" || t.name == "im_size";
    const int64_t n = x.numel();
    for (int64_t i = 0; i < n; ++i) {
      const double v = size_input ? static_cast<double>(i % 2 == 0 ? h : w) : 0.5;
      switch (d.dtype) {
        case ir::DType::kFloat32:
          x.data<float>()[i] = static_cast<float>(v);
          break;
        case ir::DType::kInt32:
          x.data<int32_t>()[i] = static_cast<int32_t>(v);
          break;
        case ir::DType::kInt64:
          x.data<int64_t>()[i] = static_cast<int64_t>(v);
          break;
        default:
          break;
      }
    }
    feeds.push_back({t.name, std::move(x)});
  }
  return feeds;
}

class OpenCvBackend final : public runtime::Backend {
 public:
  OpenCvBackend(const ir::Model& model, Split s, std::string summary)
      : model_(model), split_(std::move(s)), summary_(std::move(summary)) {
    const ir::Block& block = model_.program.global_block();
    for (const auto& t : ir::feed_targets(model_.program)) {
      const auto d = declared(block, t.name);
      inputs_.push_back({t.name, d.dtype, d.dims});
    }
    for (const auto& t : ir::fetch_targets(model_.program)) outputs_.push_back(t.name);
  }

  Status init_tail(const runtime::CompileOptions& options) {
    if (split_.tail_ops.empty()) return {};
    DETPORT_ASSIGN(runtime::Session s, runtime::compile(tail_model(model_, split_), options));
    tail_.emplace(std::move(s));
    return {};
  }

  std::string name() const override { return "opencv"; }
  const std::vector<runtime::InputInfo>& inputs() const override { return inputs_; }
  const std::vector<std::string>& output_names() const override { return outputs_; }
  std::string summary() const override { return summary_; }

  // Before anything runs: exports the graph at the probe dims, imports it into OpenCV DNN and
  // runs it once on constant feeds, so that an op OpenCV cannot import or run is reported now,
  // by name, rather than at the first image.
  Status probe() {
    const auto feeds = probe_feeds(model_);
    DETPORT_TRY(prepare(feeds));
    try {
      set_inputs(net_, feeds);
      std::vector<cv::Mat> outs;
      std::vector<cv::String> names(split_.from_opencv.begin(), split_.from_opencv.end());
      net_.forward(outs, names);
    } catch (const cv::Exception& e) {
      loaded_ = false;
      return make_error(ErrorCode::kUnsupported, failing_layer(feeds, e.what()));
    }
    return {};
  }

  Result<std::vector<NamedTensor>> run(const std::vector<NamedTensor>& feeds) override {
    DETPORT_TRY(prepare(feeds));
    std::map<std::string, Tensor> values;
    try {
      set_inputs(net_, feeds);
      std::vector<cv::Mat> outs;
      std::vector<cv::String> names(split_.from_opencv.begin(), split_.from_opencv.end());
      net_.forward(outs, names);
      for (std::size_t i = 0; i < outs.size(); ++i) {
        const auto& name = split_.from_opencv[i];
        DETPORT_ASSIGN(Tensor t, from_mat(outs[i], onnx_dims_[name],
                                          declared(model_.program.global_block(), name).dtype));
        values[name] = std::move(t);
      }
    } catch (const cv::Exception& e) {
      return make_error(ErrorCode::kUnsupported, fmt::format("OpenCV DNN: {}", e.what()));
    }
    if (tail_) {
      std::vector<NamedTensor> tail_in;
      for (const auto& in : tail_->inputs()) {
        if (auto it = values.find(in.name); it != values.end()) {
          tail_in.push_back({in.name, it->second});
          continue;
        }
        for (const auto& f : feeds)
          if (f.name == in.name) tail_in.push_back(f);
      }
      DETPORT_ASSIGN(auto outs, tail_->run(tail_in));
      for (auto& o : outs) values[o.name] = std::move(o.tensor);
    }
    std::vector<NamedTensor> out;
    for (const auto& name : outputs_) {
      auto it = values.find(name);
      if (it == values.end())
        return make_error(ErrorCode::kInternal, "neither OpenCV nor the tail computed it", name);
      out.push_back({name, it->second});
    }
    return out;
  }

 private:
  static void set_inputs(cv::dnn::Net& net, const std::vector<NamedTensor>& feeds) {
    for (const auto& f : feeds) {
      std::vector<int> dims(f.tensor.dims().begin(), f.tensor.dims().end());
      cv::Mat mat(static_cast<int>(dims.size()), dims.data(), CV_32F);
      const auto v = f.tensor.to_double();  // OpenCV DNN computes in float, int inputs too
      for (std::size_t i = 0; i < v.size(); ++i) mat.ptr<float>()[i] = static_cast<float>(v[i]);
      net.setInput(mat, f.name);  // the net keeps its own reference to the Mat
    }
  }

  // OpenCV's run-time errors do not name the layer. Net::forward(layer) runs every layer up to
  // it in import order, so the first layer whose forward fails is found by bisection (on a fresh
  // net each time: a failed forward may leave the net half set up).
  std::string failing_layer(const std::vector<NamedTensor>& feeds, const std::string& what) {
    std::string layer;
    try {
      auto fresh = [&] {
        cv::dnn::Net n = cv::dnn::readNetFromONNX(bytes_.data(), bytes_.size());
        n.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
        n.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
        set_inputs(n, feeds);
        return n;
      };
      const std::vector<cv::String> names = fresh().getLayerNames();
      std::size_t lo = 0, hi = names.size();  // forward fails at hi (the whole net), not below lo
      while (lo < hi) {
        const std::size_t mid = lo + (hi - lo) / 2;
        bool ok = true;
        try {
          fresh().forward(names[mid]);
        } catch (const cv::Exception&) {
          ok = false;
        }
        if (ok) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      if (hi < names.size()) layer = names[hi];
    } catch (const cv::Exception&) {
    }
    const std::string op = paddle_op_in(layer);
    if (op.empty())
      return fmt::format("OpenCV DNN {} cannot run the exported graph: {}", CV_VERSION, what);
    return fmt::format(
        "OpenCV DNN {} cannot run Paddle op {} (its ONNX layer {} fails at the probe dims): {}",
        CV_VERSION, op, layer, what);
  }

  // Exports and loads the graph for these input dims unless it is loaded already.
  Status prepare(const std::vector<NamedTensor>& feeds) {
    std::map<std::string, std::vector<int64_t>> shapes;
    for (const auto& f : feeds) shapes[f.name] = f.tensor.dims();
    if (loaded_ && shapes == shapes_) return {};
    onnx_export::ExportOptions o;
    o.exclude_nms = !split_.tail_ops.empty();
    o.input_shapes = shapes;
    o.extra_outputs = split_.from_opencv;
    DETPORT_ASSIGN(onnx::ModelProto proto, onnx_export::export_onnx(model_, o));
    onnx_dims_.clear();
    for (const auto& out : proto.graph().output()) {
      std::vector<int64_t> dims;
      for (const auto& d : out.type().tensor_type().shape().dim())
        dims.push_back(d.has_dim_value() ? d.dim_value() : -1);
      onnx_dims_[out.name()] = dims;
    }
    bytes_ = proto.SerializeAsString();
    try {
      net_ = cv::dnn::readNetFromONNX(bytes_.data(), bytes_.size());
      net_.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
      net_.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
    } catch (const cv::Exception& e) {
      loaded_ = false;
      const std::string op = paddle_op_in(e.what());
      return make_error(ErrorCode::kUnsupported,
                        op.empty()
                            ? fmt::format("OpenCV DNN {} cannot import the exported graph: {}",
                                          CV_VERSION, e.what())
                            : fmt::format("OpenCV DNN {} cannot import Paddle op {}: {}",
                                          CV_VERSION, op, e.what()));
    }
    shapes_ = std::move(shapes);
    loaded_ = true;
    return {};
  }

  ir::Model model_;
  Split split_;
  std::string summary_;
  std::vector<runtime::InputInfo> inputs_;
  std::vector<std::string> outputs_;
  std::optional<runtime::Session> tail_;
  cv::dnn::Net net_;
  std::string bytes_;  // the loaded ONNX graph
  bool loaded_ = false;
  std::map<std::string, std::vector<int64_t>> shapes_;
  std::map<std::string, std::vector<int64_t>> onnx_dims_;
};

}  // namespace

Result<std::unique_ptr<runtime::Backend>> make_opencv_backend(const ir::Model& model,
                                                              const runtime::CompileOptions& tail) {
  Split s = split(model);
  onnx_export::ExportOptions o;
  o.exclude_nms = !s.tail_ops.empty();
  o.extra_outputs = s.from_opencv;
  // Planned at the probe dims: some ops (conv2d_transpose with output_size) export only with
  // static input dims, which the backend always has.
  for (const auto& f : probe_feeds(model)) o.input_shapes[f.name] = f.tensor.dims();
  onnx_export::ExportPlan plan;
  auto exported = onnx_export::export_onnx_bytes(model, o, &plan);
  if (!plan.unsupported.empty() || !plan.missing_weights.empty())
    return make_error(ErrorCode::kUnsupported,
                      "the OpenCV backend runs the model exported to ONNX, which fails:\n" +
                          plan.describe_problems());
  if (!exported.ok())
    return make_error(ErrorCode::kUnsupported,
                      "the OpenCV backend runs the model exported to ONNX, which fails: " +
                          exported.error().describe());
  std::string summary = fmt::format("OpenCV DNN {} (CPU) runs {} ops exported to ONNX", CV_VERSION,
                                    plan.exported_ops);
  if (!s.tail_ops.empty())
    summary += fmt::format(
        "; the native runtime runs {} op(s) after them ({}): OpenCV DNN has no "
        "NonMaxSuppression",
        s.tail_ops.size(), fmt::join(s.tail_types, ", "));
  auto backend = std::make_unique<OpenCvBackend>(model, std::move(s), std::move(summary));
  DETPORT_TRY(backend->init_tail(tail));
  DETPORT_TRY(backend->probe());
  return std::unique_ptr<runtime::Backend>(std::move(backend));
}

}  // namespace detport::pipeline
