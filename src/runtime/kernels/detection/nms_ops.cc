// multiclass_nms, multiclass_nms2, multiclass_nms3 and matrix_nms (algorithms in nms.h).
//
// Inputs, as Paddle defines them:
//  - BBoxes [N, M, 4] with Scores [N, C, M] (one batch of images), or BBoxes [M, C, 4] with Scores
//    [M, C] and RoisNum [N] (multiclass_nms3's per-class-box form; without RoisNum every box
//    belongs to one image, since the runtime carries no LoD).
// Outputs (data-dependent sizes):
//  - Out [K, 6] rows (label, score, x1, y1, x2, y2) grouped by image, then as nms.h orders them;
//  - Index [K, 1] int32 (nms2/nms3/matrix_nms): the row's box in the flattened input, i * M + box
//    (batched form) or (first row of image i + box) * C + label (per-class-box form);
//  - NmsRoisNum (nms3) / RoisNum (matrix_nms) [N] int32: rows per image.
// When no image has a detection, Paddle's kernels write Out [0, 6] and Index [0, 1] if the op has
// an Index output, and otherwise (multiclass_nms) a single row Out [1, 1] = {-1} (its LoD then
// counts that row for image 0, so NmsRoisNum would read [1, 0, ...]); matrix_nms writes [0, 6].
#include "runtime/kernels/detection/detection_util.h"
#include "runtime/kernels/detection/nms.h"

namespace detport::runtime::kernels {
namespace {

using detection::Candidates;
using detection::NmsImpl;
namespace du = detection_util;

// Shapes of the two input forms, validated.
struct NmsShapes {
  bool per_class = false;  // BBoxes [M, C, 4], Scores [M, C]
  int64_t images = 0, boxes = 0, classes = 0;
};

Result<NmsShapes> nms_shapes(const TensorMeta& b, const TensorMeta& s, bool allow_per_class) {
  auto bad = [&](std::string why) {
    return make_error(ErrorCode::kInvalidInput,
                      fmt::format("BBoxes {} and Scores {}: {}", dims_to_string(b.dims),
                                  dims_to_string(s.dims), why));
  };
  if (!du::is_float_type(s.dtype) || b.dtype != s.dtype)
    return bad("BBoxes and Scores must both be float32 or both float64");
  if (b.dims.size() != 3) return bad("BBoxes must be 3-D");
  if (b.dims[2] != 4)
    return bad(b.dims[2] == 8 || b.dims[2] == 16 || b.dims[2] == 24 || b.dims[2] == 32
                   ? "polygon boxes (8 to 32 coordinates) are not supported, only [x1,y1,x2,y2]"
                   : "boxes must have 4 coordinates");
  NmsShapes r;
  if (s.dims.size() == 3) {
    if (b.dims[0] != s.dims[0] || b.dims[1] != s.dims[2])
      return bad("expected BBoxes [N, M, 4] with Scores [N, C, M]");
    r.images = s.dims[0];
    r.classes = s.dims[1];
    r.boxes = s.dims[2];
  } else if (s.dims.size() == 2 && allow_per_class) {
    if (b.dims[0] != s.dims[0] || b.dims[1] != s.dims[1])
      return bad("expected BBoxes [M, C, 4] with Scores [M, C]");
    r.per_class = true;
    r.boxes = s.dims[0];
    r.classes = s.dims[1];
  } else {
    return bad(allow_per_class ? "Scores must be [N, C, M] or [M, C]" : "Scores must be [N, C, M]");
  }
  return r;
}

Result<detection::NmsOptions> nms_options(const ir::Op& op) {
  detection::NmsOptions o;
  DETPORT_ASSIGN(o.score_threshold, du::required_float(op, "score_threshold"));
  DETPORT_ASSIGN(o.nms_top_k, du::required_int(op, "nms_top_k"));
  DETPORT_ASSIGN(o.keep_top_k, du::required_int(op, "keep_top_k"));
  o.nms_threshold = static_cast<float>(op.float_attr("nms_threshold", 0.3));
  o.nms_eta = static_cast<float>(op.float_attr("nms_eta", 1.0));
  o.normalized = op.bool_attr("normalized", true);
  o.background_label = static_cast<int>(op.int_attr("background_label", 0));
  return o;
}

Status infer_multiclass(InferContext& ctx) {
  DETPORT_TRY(require_input(ctx, "BBoxes"));
  DETPORT_TRY(require_input(ctx, "Scores"));
  auto shapes = nms_shapes(ctx.input("BBoxes"), ctx.input("Scores"), true);
  if (!shapes.ok()) return ctx.error(shapes.error().message);
  if (auto o = nms_options(ctx.op()); !o.ok()) return ctx.error(o.error().message);
  int64_t images = shapes->images;
  if (shapes->per_class) {
    images = 1;
    if (ctx.has_input("RoisNum")) {
      const TensorMeta& rn = ctx.input("RoisNum");
      if (rn.dims.size() != 1 || !du::is_int_type(rn.dtype))
        return ctx.error("RoisNum must be a 1-D int32 or int64 tensor");
      images = rn.dims[0];
    }
  }
  const DType t = ctx.input("Scores").dtype;
  ctx.set_dynamic_output("Out", 0, {t, {-1, 6}});
  if (ctx.has_output("Index")) ctx.set_dynamic_output("Index", 0, {DType::kInt32, {-1, 1}});
  if (ctx.has_output("NmsRoisNum")) ctx.set_output("NmsRoisNum", {DType::kInt32, {images}});
  return {};
}

template <typename T>
Status run_multiclass(KernelContext& ctx, bool fast) {
  const Tensor& bboxes = ctx.input("BBoxes");
  const Tensor& scores = ctx.input("Scores");
  auto shapes = nms_shapes(bboxes.meta(), scores.meta(), true);
  if (!shapes.ok()) return ctx.error(shapes.error().message);
  auto opts = nms_options(ctx.op());
  if (!opts.ok()) return ctx.error(opts.error().message);
  detection::NmsOptions o = *opts;
  o.index_order = shapes->per_class;
  const T* pb = bboxes.data<T>();
  const T* ps = scores.data<T>();
  const int classes = static_cast<int>(shapes->classes);
  // Rows of each image: the batch dim, or RoisNum's split of the per-class-box form.
  std::vector<int64_t> first{0};
  if (shapes->per_class) {
    if (ctx.has_input("RoisNum")) {
      auto off = du::offsets_from_rois_num(ctx.input("RoisNum"), shapes->boxes);
      if (!off.ok()) return ctx.error(off.error().message);
      first = *off;
    } else {
      first.push_back(shapes->boxes);
    }
  } else {
    for (int64_t i = 0; i < shapes->images; ++i) first.push_back((i + 1) * shapes->boxes);
  }
  const int64_t images = static_cast<int64_t>(first.size()) - 1;
  auto candidates = [&](int64_t i) {
    const int64_t m = first[static_cast<std::size_t>(i) + 1] - first[static_cast<std::size_t>(i)];
    if (shapes->per_class) {
      const int64_t r = first[static_cast<std::size_t>(i)];
      return Candidates<T>::per_class(pb + r * classes * 4, ps + r * classes, m, classes);
    }
    return Candidates<T>::shared(pb + i * m * 4, ps + i * classes * m, m, classes);
  };
  std::vector<std::vector<detection::Detection>> kept(static_cast<std::size_t>(images));
  const NmsImpl impl = fast ? NmsImpl::kFast : NmsImpl::kReference;
  if (fast && images > 1) {
    parallel_for(images, 1, [&](int64_t i) {
      kept[static_cast<std::size_t>(i)] = detection::multiclass_nms(candidates(i), o, impl);
    });
  } else {
    for (int64_t i = 0; i < images; ++i)
      kept[static_cast<std::size_t>(i)] = detection::multiclass_nms(candidates(i), o, impl, fast);
  }
  int64_t total = 0;
  for (const auto& k : kept) total += static_cast<int64_t>(k.size());
  const bool has_index = ctx.has_output("Index");
  if (total == 0 && !has_index) {
    // multiclass_nms without Index: one row holding -1.
    Tensor& out = ctx.allocate("Out", 0, {scores.dtype(), {1, 1}});
    out.data<T>()[0] = static_cast<T>(-1);
  } else {
    Tensor& out = ctx.allocate("Out", 0, {scores.dtype(), {total, 6}});
    int32_t* index =
        has_index ? ctx.allocate("Index", 0, {DType::kInt32, {total, 1}}).data<int32_t>() : nullptr;
    T* row = out.data<T>();
    int64_t r = 0;
    for (int64_t i = 0; i < images; ++i) {
      const Candidates<T> cand = candidates(i);
      for (const auto& d : kept[static_cast<std::size_t>(i)]) {
        row[0] = static_cast<T>(d.label);
        row[1] = cand.score(d.label, d.index);
        std::copy_n(cand.box(d.label, d.index), 4, row + 2);
        row += 6;
        if (index != nullptr)
          index[r] = static_cast<int32_t>(
              shapes->per_class ? (first[static_cast<std::size_t>(i)] + d.index) * classes + d.label
                                : i * cand.num_boxes + d.index);
        ++r;
      }
    }
  }
  if (ctx.has_output("NmsRoisNum")) {
    Tensor& num = ctx.output("NmsRoisNum");
    for (int64_t i = 0; i < images; ++i)
      num.data<int32_t>()[i] = static_cast<int32_t>(kept[static_cast<std::size_t>(i)].size());
    if (total == 0 && !has_index && images > 0) num.data<int32_t>()[0] = 1;
  }
  return {};
}

Result<detection::MatrixNmsOptions> matrix_options(const ir::Op& op) {
  detection::MatrixNmsOptions o;
  DETPORT_ASSIGN(o.score_threshold, du::required_float(op, "score_threshold"));
  DETPORT_ASSIGN(o.nms_top_k, du::required_int(op, "nms_top_k"));
  DETPORT_ASSIGN(o.keep_top_k, du::required_int(op, "keep_top_k"));
  o.post_threshold = static_cast<float>(op.float_attr("post_threshold", 0.0));
  o.use_gaussian = op.bool_attr("use_gaussian", false);
  o.gaussian_sigma = static_cast<float>(op.float_attr("gaussian_sigma", 2.0));
  o.background_label = static_cast<int>(op.int_attr("background_label", 0));
  o.normalized = op.bool_attr("normalized", true);
  return o;
}

Status infer_matrix(InferContext& ctx) {
  DETPORT_TRY(require_input(ctx, "BBoxes"));
  DETPORT_TRY(require_input(ctx, "Scores"));
  auto shapes = nms_shapes(ctx.input("BBoxes"), ctx.input("Scores"), false);
  if (!shapes.ok()) return ctx.error(shapes.error().message);
  if (auto o = matrix_options(ctx.op()); !o.ok()) return ctx.error(o.error().message);
  const DType t = ctx.input("Scores").dtype;
  ctx.set_dynamic_output("Out", 0, {t, {-1, 6}});
  if (ctx.has_output("Index")) ctx.set_dynamic_output("Index", 0, {DType::kInt32, {-1, 1}});
  if (ctx.has_output("RoisNum")) ctx.set_output("RoisNum", {DType::kInt32, {shapes->images}});
  return {};
}

template <typename T>
Status run_matrix(KernelContext& ctx, bool parallel) {
  const Tensor& bboxes = ctx.input("BBoxes");
  const Tensor& scores = ctx.input("Scores");
  auto shapes = nms_shapes(bboxes.meta(), scores.meta(), false);
  if (!shapes.ok()) return ctx.error(shapes.error().message);
  auto o = matrix_options(ctx.op());
  if (!o.ok()) return ctx.error(o.error().message);
  const int64_t images = shapes->images, m = shapes->boxes;
  const int classes = static_cast<int>(shapes->classes);
  auto candidates = [&](int64_t i) {
    return Candidates<T>::shared(bboxes.data<T>() + i * m * 4, scores.data<T>() + i * classes * m,
                                 m, classes);
  };
  std::vector<std::vector<detection::ScoredDetection<T>>> kept(static_cast<std::size_t>(images));
  if (parallel && images > 1) {
    parallel_for(images, 1, [&](int64_t i) {
      kept[static_cast<std::size_t>(i)] = detection::matrix_nms(candidates(i), *o);
    });
  } else {
    for (int64_t i = 0; i < images; ++i)
      kept[static_cast<std::size_t>(i)] = detection::matrix_nms(candidates(i), *o, parallel);
  }
  int64_t total = 0;
  for (const auto& k : kept) total += static_cast<int64_t>(k.size());
  Tensor& out = ctx.allocate("Out", 0, {scores.dtype(), {total, 6}});
  int32_t* index = ctx.has_output("Index")
                       ? ctx.allocate("Index", 0, {DType::kInt32, {total, 1}}).data<int32_t>()
                       : nullptr;
  T* row = out.data<T>();
  int64_t r = 0;
  for (int64_t i = 0; i < images; ++i) {
    const Candidates<T> cand = candidates(i);
    for (const auto& d : kept[static_cast<std::size_t>(i)]) {
      row[0] = static_cast<T>(d.label);
      row[1] = d.score;
      std::copy_n(cand.box(d.label, d.index), 4, row + 2);
      row += 6;
      if (index != nullptr) index[r] = static_cast<int32_t>(i * m + d.index);
      ++r;
    }
  }
  if (ctx.has_output("RoisNum"))
    for (int64_t i = 0; i < images; ++i)
      ctx.output("RoisNum").data<int32_t>()[i] =
          static_cast<int32_t>(kept[static_cast<std::size_t>(i)].size());
  return {};
}

// One kernel class per op kind; `fast` selects the optimised path.
template <bool kMatrix>
class NmsKernel final : public Kernel {
 public:
  explicit NmsKernel(bool fast) : fast_(fast) {}
  Status run(KernelContext& ctx) override {
    return du::dispatch_float(ctx, ctx.input("Scores").dtype(), [&](auto tag) -> Status {
      using T = decltype(tag);
      if constexpr (kMatrix)
        return run_matrix<T>(ctx, fast_);
      else
        return run_multiclass<T>(ctx, fast_);
    });
  }
  std::string impl() const override { return fast_ ? "native:nms" : "reference"; }

 private:
  bool fast_;
};

template <bool kMatrix, bool kFast>
std::unique_ptr<Kernel> make(const KernelSpec&) {
  return std::make_unique<NmsKernel<kMatrix>>(kFast);
}

}  // namespace

void register_detection_nms(OpRegistry& r) {
  for (const char* type : {"multiclass_nms", "multiclass_nms2", "multiclass_nms3"}) {
    OpDef d;
    d.type = type;
    d.infer = infer_multiclass;
    d.reference = make<false, false>;
    d.optimized = make<false, true>;
    r.add(std::move(d));
  }
  OpDef d;
  d.type = "matrix_nms";
  d.infer = infer_matrix;
  d.reference = make<true, false>;
  d.optimized = make<true, true>;
  r.add(std::move(d));
}

}  // namespace detport::runtime::kernels
